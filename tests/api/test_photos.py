"""Evidence photos (issue 3 item 7): JPEG, PNG and WebP are recognised by their
first bytes whatever the Content-Type says; each is stored once under its
SHA-256, durably, in the files folder (--files, or `files` next to the database);
what is not an image, a cut header, a pixel flood or more than 8 MiB is refused
and changes nothing; a photo is served back with its own type and nosniff only to
the village's staff, its uploader, and households whose claim or entry names it."""
import hashlib
import json
import os
import socket
import subprocess

from harness import JIFEN, SRC, Server, run, eq, status
from ledger_fixtures import day, household_id, make_rule, record, second_village
from photo_fixtures import (JPEG_3x2, WEBP_5x4, flood_png, fresh_png, png, staff, upload,
                            upload_ok, villager)


def post_raw_socket(server, client, path, data):
    """POSTs data over a plain socket and reads the answer even when the server
    answers before taking the whole body (as it does for 413). Returns (status, body)."""
    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {client.token}\r\n"
            f"Content-Type: image/jpeg\r\nContent-Length: {len(data)}\r\nConnection: close\r\n\r\n")
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(head.encode())
        try:
            sock.sendall(data[:65536])
        except OSError:
            pass
        chunks = []
        while True:
            try:
                b = sock.recv(65536)
            except ConnectionResetError:
                break
            if not b:
                break
            chunks.append(b)
    raw = b"".join(chunks).decode("utf-8", "replace")
    status_line, _, rest = raw.partition("\r\n")
    return int(status_line.split()[1]), rest.partition("\r\n\r\n")[2]


def files_in(folder):
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


def photo_rows(server):
    return server.sql("SELECT count(*) FROM photos")[0][0]


def test_each_type_is_known_by_its_bytes_and_stored_once():
    s = Server()
    try:
        admin = s.login("admin")
        me = villager(s, admin, "1001")
        folder = os.path.join(s.dir, "files")
        eq(os.path.isdir(folder), True, "the files folder is made next to the database at start")
        picture = png(4, 3)
        cases = [  # (bytes, a misleading Content-Type, mime, width, height)
            (JPEG_3x2, "image/png", "image/jpeg", 3, 2),
            (picture, "application/octet-stream", "image/png", 4, 3),
            (WEBP_5x4, "text/plain", "image/webp", 5, 4),
        ]
        for data, ctype, mime, w, h in cases:
            r = status(upload(me, s.village_id, data, ctype), 201, f"upload {mime}")
            digest = hashlib.sha256(data).hexdigest()
            eq((r.json["hash"], r.json["mime"], r.json["width"], r.json["height"], r.json["bytes"]),
               (digest, mime, w, h, len(data)), f"record of {mime}")
            eq(r.json["url"], f"/api/v1/villages/{s.village_id}/photos/{digest}", "url")
            with open(os.path.join(folder, digest), "rb") as f:
                eq(f.read(), data, f"the file of {mime} is named by its hash and holds its bytes")
            row = s.sql("SELECT mime, width, height, bytes, uploaded_by FROM photos"
                        " WHERE village_id = ? AND hash = ?", s.village_id, digest)
            eq(row, [(mime, w, h, len(data), me.user["id"])], f"photos row of {mime}")
        audit = s.sql("SELECT count(*) FROM audit_log WHERE entity = 'photo' AND action = 'upload'"
                      " AND user_id = ?", me.user["id"])[0][0]
        eq(audit, 3, "each upload is audited")
        # the same picture again (by someone else, too): the first record, one file
        n_rows, n_files = photo_rows(s), files_in(folder)
        for who in (me, s.login("scorer")):
            r = status(upload(who, s.village_id, picture, "image/png"), 200, "same picture again")
            eq((r.json["hash"], r.json["created"]), (hashlib.sha256(picture).hexdigest(), False),
               "the existing record")
        eq(photo_rows(s), n_rows, "no second row")
        eq(files_in(folder), n_files, "no second file")
        eq([f for f in n_files if f.startswith(".tmp")], [], "no temporary files left")
    finally:
        s.close()


def test_refused_uploads_change_nothing():
    s = Server()
    try:
        admin = s.login("admin")
        me = villager(s, admin, "1001")
        folder = os.path.join(s.dir, "files")
        good = png(6, 5)
        cases = [
            ("a text file renamed .jpg", "我家门前的小树.jpg 其实是文字".encode("utf-8"), "image/jpeg",
             422, "not_an_image"),
            ("an empty body", b"", "image/jpeg", 422, "not_an_image"),
            ("a GIF", b"GIF89a\x01\x00\x01\x00\x80\x00\x00" + b"\x00" * 20, "image/gif", 422, "not_an_image"),
            ("an SVG", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
             "image/svg+xml", 422, "not_an_image"),
            ("a PNG cut inside its header", good[:20], "image/png", 422, "image_truncated"),
            ("a JPEG cut before its frame header", JPEG_3x2[:120], "image/jpeg", 422, "image_truncated"),
            ("a WebP cut short", WEBP_5x4[:30], "image/webp", 422, "image_truncated"),
            ("a PNG header with a wrong checksum", good[:29] + b"\x00\x00\x00\x00" + good[33:],
             "image/png", 422, "image_corrupt"),
            ("a pixel flood: a PNG claiming 50000×50000", flood_png(), "image/png", 422,
             "image_too_large"),
            ("each side fine, 81 megapixels", flood_png(9000, 9000), "image/png", 422, "image_too_large"),
        ]
        rows0, files0 = photo_rows(s), files_in(folder)
        for what, data, ctype, code, err in cases:
            r = upload(me, s.village_id, data, ctype)
            status(r, code, what)
            eq(r.error_code, err, what)
        flood = upload(me, s.village_id, flood_png(), "image/png")
        eq("50000" in flood.json["error"]["message"] and "10000" in flood.json["error"]["message"],
           True, f"the pixel flood message names the size and the limit: {flood.json}")
        # more than 8 MiB: 413 before the body is read; exactly 8 MiB is read (and judged)
        big = JPEG_3x2[:-2] + b"\x00" * (8 * 1024 * 1024 + 1 - len(JPEG_3x2)) + b"\xff\xd9"
        eq(len(big), 8 * 1024 * 1024 + 1, "size of the big upload")
        code, body = post_raw_socket(s, me, f"/api/v1/villages/{s.village_id}/photos", big)
        eq(code, 413, f"over 8 MiB: {body[:300]}")
        eq(json.loads(body)["error"]["code"], "payload_too_large", "code")
        eq(photo_rows(s), rows0, "no photo recorded")
        eq(files_in(folder), files0, "no file written")
        eight = big[:-3] + b"\xff\xd9"
        eq(len(eight), 8 * 1024 * 1024, "exactly 8 MiB")
        r = status(upload(me, s.village_id, eight, "image/jpeg"), 201, "8 MiB exactly is accepted")
        eq((r.json["mime"], r.json["bytes"]), ("image/jpeg", 8 * 1024 * 1024), "the big JPEG")
        # not a user of the village: nothing stored either
        county, v2, _, _ = second_village(s)
        other_admin = staff(s, county, "erz_admin", role="village_admin", village_id=v2)
        status(upload(other_admin, s.village_id, fresh_png(), "image/png"), 403, "another village")
        status(s.anon().post(f"/api/v1/villages/{s.village_id}/photos", raw=fresh_png()), 401, "anonymous")
        eq(photo_rows(s), rows0 + 1, "only the 8 MiB picture was recorded")
    finally:
        s.close()


def test_who_may_see_a_photo():
    s = Server()
    try:
        admin, scorer, clerk = s.login("admin"), s.login("scorer"), s.login("clerk")
        a = villager(s, admin, "1001")
        b = villager(s, admin, "1002")
        c = villager(s, admin, "1003")
        county, v2, _, _ = second_village(s)
        other_admin = staff(s, county, "erz_admin2", role="village_admin", village_id=v2)
        picture = fresh_png()
        mine = upload_ok(a, s.village_id, picture)
        url = f"/api/v1/villages/{s.village_id}/photos/{mine}"
        matrix = [
            ("the uploader", a, 200), ("the village admin", admin, 200), ("a scorer", scorer, 200),
            ("the shop clerk (village staff)", clerk, 200), ("the county admin", county, 200),
            ("a villager of another household", b, 403), ("an admin of another village", other_admin, 403),
            ("nobody logged in", s.anon(), 401),
        ]
        for who, client, code in matrix:
            r = status(client.get(url), code, who)
            if code == 200:
                eq(r.body, picture, f"{who} gets the bytes")
                eq(r.header("Content-Type"), "image/png", f"{who}: the stored type")
                eq(r.header("X-Content-Type-Options"), "nosniff", f"{who}: nosniff")
                eq("private" in (r.header("Cache-Control") or ""), True, f"{who}: private cache")
        status(admin.get(f"/api/v1/villages/{s.village_id}/photos/{'0' * 64}"), 404, "no such photo")
        status(county.get(f"/api/v1/villages/{v2}/photos/{mine}"), 404, "not a photo of that village")
        status(admin.get(f"/api/v1/villages/{s.village_id}/photos/{mine.upper()}"), 404,
               "the hash is lower-case hex")
        # a villager sees a photo named by their household's claim or ledger entry
        rule = make_rule(admin, s.village_id, category="好人好事", name="帮扶邻里（照片）", points=3,
                         claimable=True)
        status(b.post(f"/api/v1/villages/{s.village_id}/claims", {
            "rule_id": rule["id"], "deed_date": day(), "description": "帮邻居收玉米", "photos": [mine]}),
            201, "b names the photo in a claim")
        status(b.get(url), 200, "b now sees it through the claim")
        status(c.get(url), 403, "c still does not")
        evidence = upload_ok(scorer, s.village_id)
        eurl = f"/api/v1/villages/{s.village_id}/photos/{evidence}"
        status(c.get(eurl), 403, "c before the entry")
        hid_c = household_id(admin, s.village_id, "1003")
        status(record(scorer, s.village_id, rule["id"], [hid_c], evidence=[evidence]), 201, "entry")
        status(c.get(eurl), 200, "c sees the evidence of its household's entry")
        status(a.get(eurl), 403, "a does not")
        # a photo uploaded by another user of the same household
        phone_user = status(admin.post("/api/v1/users", {
            "display_name": "户主1001的儿子", "role": "villager", "village_id": s.village_id,
            "household_id": household_id(admin, s.village_id, "1001"), "phone": "13912345601",
            "password": "Shumu-Zhongxia-77"}), 201, "second account of 1001").json
        r = status(s.anon().post("/api/v1/session", {"phone": phone_user["phone"],
                                                     "password": "Shumu-Zhongxia-77"}), 201, "login")
        from harness import Client
        son = Client(s, token=r.json["token"])
        son_photo = upload_ok(son, s.village_id)
        status(a.get(f"/api/v1/villages/{s.village_id}/photos/{son_photo}"), 200,
               "the household's other account uploaded it")
        status(b.get(f"/api/v1/villages/{s.village_id}/photos/{son_photo}"), 403, "b does not")
    finally:
        s.close()


def test_files_folder_option():
    import tempfile
    folder = tempfile.mkdtemp(prefix="jifen-files-")
    s = Server(args=["--files", os.path.join(folder, "photos")])
    try:
        admin = s.login("admin")
        data = fresh_png()
        h = upload_ok(admin, s.village_id, data)
        eq(files_in(os.path.join(folder, "photos")), [h], "stored in the --files folder")
        eq(os.path.isdir(os.path.join(s.dir, "files")), False, "not next to the database")
        r = status(admin.get(f"/api/v1/villages/{s.village_id}/photos/{h}"), 200, "served from there")
        eq(r.body, data, "bytes")
    finally:
        s.close()
    # a path that is a file, not a folder: serve refuses to start, with a message
    not_dir = os.path.join(folder, "plain-file")
    with open(not_dir, "w") as f:
        f.write("x")
    p = subprocess.run([JIFEN, "serve", "--db", os.path.join(folder, "x.db"), "--files", not_dir,
                        "--listen", "127.0.0.1:0"], capture_output=True, text=True, cwd=SRC, timeout=60)
    eq(p.returncode != 0, True, "serve fails")
    eq("photo folder" in p.stderr and not_dir in p.stderr, True, f"message: {p.stderr}")


if __name__ == "__main__":
    run(globals())
