"""The household roster import: POST /api/v1/villages/{id}/households/import with
the CSV as the raw body (UTF-8, UTF-8 with BOM, GB18030), and the same through
`jifen import households FILE --village ID [--dry-run]`.

What a village admin sees: new households and groups appear, existing ones (by
passbook number) are updated, names read back exactly as written, a dry run
reports the same counts and changes nothing, and a file with any bad row is
refused as a whole with the line numbers of every bad row."""
import csv
import hashlib
import http.client
import io
import os
import random
import tempfile
import time

from harness import Response, Server, jifen, run, eq, status

HEADER_ZH = ["村民小组", "存折号", "户主", "住址", "电话", "家庭成员"]
HEADER_EN = ["group", "passbook_no", "head_name", "address", "phone", "members"]


def csv_text(rows, header=HEADER_ZH):
    """The rows as Excel writes a CSV: CRLF line ends, quoted only where needed."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    if header is not None:
        w.writerow(header)
    for r in rows:
        w.writerow(r)
    return out.getvalue()


def import_path(s, dry_run=False, village_id=None):
    p = f"/api/v1/villages/{village_id or s.village_id}/households/import"
    return p + ("?dry_run=1" if dry_run else "")


def post_import(s, client, data, dry_run=False, village_id=None):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return client.post(import_path(s, dry_run, village_id), raw=data,
                       headers={"Content-Type": "text/csv"}, timeout=120)


def snapshot(s):
    """Everything an import may change, to compare before and after: the row
    counts of households, members, groups and audit rows, and a digest of them."""
    tables = [s.sql(f"SELECT * FROM {t} ORDER BY id")
              for t in ("households", "members", "villager_groups", "audit_log")]
    return tuple(len(t) for t in tables) + (hashlib.sha256(repr(tables).encode()).hexdigest(),)


def find_household(s, client, passbook):
    """The household with that passbook number, in full (with members), via the API."""
    r = status(client.get(f"/api/v1/villages/{s.village_id}/households?q={passbook}&per_page=200"),
               200, f"search {passbook}")
    hits = [h for h in r.json["items"] if h["passbook_no"] == passbook]
    assert len(hits) == 1, f"passbook {passbook}: {r}"
    return status(client.get(f"/api/v1/households/{hits[0]['id']}"), 200, f"get {passbook}").json


def groups_by_name(s, client):
    r = status(client.get(f"/api/v1/villages/{s.village_id}/groups"), 200, "groups")
    return {g["name"]: g for g in r.json["items"]}


def demo_row(s, passbook):
    """A demo household as an import row that changes nothing."""
    gid, head, addr, phone = s.sql(
        "SELECT group_id, head_name, address, phone FROM households WHERE passbook_no = ?",
        passbook)[0]
    group = s.sql("SELECT name FROM villager_groups WHERE id = ?", gid)[0][0]
    return [group, passbook, head, addr, phone, ""]


# A good file: 3 new households (one in the new group 六组), an update of the demo
# household 1001 (new address, phone and one new member), and 1002 unchanged.
NEW_ROWS = [
    ["三组", "3101", "于洪军", "高箭沟村三组17号", "13904105678", "王桂芝(妻子);于浩然(孙子)"],
    ["六组", "6001", "刘淑珍", "高箭沟村六组1号", "0410-7654321", "张国庆（丈夫）；张晓燕（女儿）、张宇轩（孙子）"],
    ["六组", "6002", "赵德胜", "高箭沟村六组2号", "", ""],
]


def good_file(s):
    update = ["一组", "1001", s.sql("SELECT head_name FROM households WHERE passbook_no='1001'")[0][0],
              "高箭沟村一组1号（新房）", "13841098765", "王小雨(孙女)"]
    return csv_text(NEW_ROWS + [update, demo_row(s, "1002")])


GOOD_COUNTS = {"rows": 5, "created": 3, "updated": 1, "unchanged": 1, "groups_created": 1,
               "members_added": 6, "problem_count": 0}


def check_counts(report, expected, what):
    for k, v in expected.items():
        eq(report[k], v, f"{what}: {k}")


def test_good_utf8_file_creates_updates_and_adds_group():
    s = Server()
    try:
        admin = s.login("admin")
        members_1001 = find_household(s, admin, "1001")["members"]
        r = status(post_import(s, admin, good_file(s)), 200, "import")
        check_counts(r.json, GOOD_COUNTS, "report")
        eq(r.json["dry_run"], False, "dry_run")
        eq(r.json["applied"], True, "applied")
        eq(r.json["encoding"], "utf-8", "encoding")
        eq(r.json["problems"], [], "problems")

        h = find_household(s, admin, "3101")
        eq((h["head_name"], h["address"], h["phone"], h["group_name"]),
           ("于洪军", "高箭沟村三组17号", "13904105678", "三组"), "new household 3101")
        eq([(m["name"], m["relation"]) for m in h["members"]],
           [("王桂芝", "妻子"), ("于浩然", "孙子")], "members of 3101")
        h = find_household(s, admin, "6001")
        eq(h["phone"], "0410-7654321", "landline phone")
        eq(sorted((m["name"], m["relation"]) for m in h["members"]),
           sorted([("张国庆", "丈夫"), ("张晓燕", "女儿"), ("张宇轩", "孙子")]),
           "members written with full-width separators and parentheses")
        eq(find_household(s, admin, "6002")["members"], [], "household without members")

        groups = groups_by_name(s, admin)
        assert "六组" in groups, f"group 六组 created: {sorted(groups)}"
        eq(groups["六组"]["household_count"], 2, "households in 六组")
        eq(len(groups), 6, "groups after the import")

        h = find_household(s, admin, "1001")
        eq((h["address"], h["phone"]), ("高箭沟村一组1号（新房）", "13841098765"), "1001 updated")
        eq(len(h["members"]), len(members_1001) + 1, "1001 keeps its members and gains one")
        assert ("王小雨", "孙女") in [(m["name"], m["relation"]) for m in h["members"]], h
        total = status(admin.get(f"/api/v1/villages/{s.village_id}/households"), 200, "list").json
        eq(total["total"], 225, "households after the import")
    finally:
        s.close()


def test_english_header_and_utf8_bom():
    s = Server()
    try:
        admin = s.login("admin")
        rows = [["二组", "2901", "孙秀英", "高箭沟村二组88号", "13700001111", " 李建华 (丈夫) ; 李娜(女儿) "]]
        data = b"\xef\xbb\xbf" + csv_text(rows).encode("utf-8")
        r = status(post_import(s, admin, data), 200, "import with BOM")
        eq(r.json["encoding"], "utf-8", "encoding")
        eq(r.json["created"], 1, "created")
        h = find_household(s, admin, "2901")
        eq(h["head_name"], "孙秀英", "name after a BOM")
        eq(h["group_name"], "二组", "group (the BOM is not part of the header)")
        eq([(m["name"], m["relation"]) for m in h["members"]], [("李建华", "丈夫"), ("李娜", "女儿")],
           "members typed with spaces around them")

        rows = [["二组", "2902", "周玉兰", "高箭沟村二组89号", "", "周强(儿子)"]]
        r = status(post_import(s, admin, b"\xef\xbb\xbf" + csv_text(rows, HEADER_EN).encode()), 200,
                   "English header with BOM")
        eq(r.json["created"], 1, "created")
        eq(find_household(s, admin, "2902")["members"][0]["name"], "周强", "member")
    finally:
        s.close()


def test_gb18030_file_names_read_back_exactly():
    s = Server()
    try:
        admin = s.login("admin")
        rows = [
            ["四组", "4901", "于洪军", "高箭沟村四组9号", "13904105678", "王桂芝（妻子）；于𠀀（孙子）"],
            ["四组", "4902", "𠀀㐀明", "高箭沟村四组10号", "", "买买提·艾力(女婿)"],
            ["六组", "6901", "喆䶮", "高箭沟村六组3号", "", ""],
        ]
        data = csv_text(rows).encode("gb18030")
        assert "𠀀".encode("gb18030") == b"\x95\x32\x82\x36", "a 4-byte GB18030 character"
        try:
            data.decode("utf-8")
            raise AssertionError("the test file must not be valid UTF-8")
        except UnicodeDecodeError:
            pass
        r = status(post_import(s, admin, data), 200, "GB18030 import")
        eq(r.json["encoding"], "gb18030", "encoding")
        check_counts(r.json, {"rows": 3, "created": 3, "groups_created": 1, "members_added": 3},
                     "report")
        h = find_household(s, admin, "4901")
        eq(h["head_name"], "于洪军", "head name")
        eq(h["address"], "高箭沟村四组9号", "address")
        eq([(m["name"], m["relation"]) for m in h["members"]],
           [("王桂芝", "妻子"), ("于𠀀", "孙子")], "members")
        h = find_household(s, admin, "4902")
        eq(h["head_name"], "𠀀㐀明", "name with 4-byte GB18030 characters")
        eq(h["members"][0]["name"], "买买提·艾力", "name with a middle dot")
        eq(find_household(s, admin, "6901")["head_name"], "喆䶮", "rare characters")
        eq(s.sql("SELECT head_name FROM households WHERE passbook_no='4902'")[0][0], "𠀀㐀明",
           "stored as UTF-8")
        # GBK-only file (what older Excel writes) is read the same way
        data = csv_text([["五组", "5901", "高建国", "高箭沟村五组1号", "", ""]]).encode("gbk")
        r = status(post_import(s, admin, data), 200, "GBK import")
        eq(r.json["encoding"], "gb18030", "GBK is read as GB18030")
        eq(find_household(s, admin, "5901")["head_name"], "高建国", "GBK name")
    finally:
        s.close()


def test_dry_run_reports_the_same_and_changes_nothing():
    s = Server()
    try:
        admin = s.login("admin")
        data = good_file(s)
        before = snapshot(s)
        dry = status(post_import(s, admin, data, dry_run=True), 200, "dry run")
        eq(dry.json["dry_run"], True, "dry_run")
        eq(dry.json["applied"], False, "applied")
        check_counts(dry.json, GOOD_COUNTS, "dry run report")
        eq(snapshot(s), before, "database after a dry run")
        status(admin.post(import_path(s) + "?dry_run=maybe", raw=data.encode()), 400, "dry_run=maybe")

        real = status(post_import(s, admin, data), 200, "real run")
        for k in ("rows", "created", "updated", "unchanged", "groups_created", "members_added",
                  "encoding"):
            eq(real.json[k], dry.json[k], f"dry run and real run agree on {k}")
        # the same file again: nothing new to do, and a dry run says so too
        dry2 = status(post_import(s, admin, data, dry_run=True), 200, "dry run of a repeat")
        again = status(post_import(s, admin, data), 200, "repeat")
        for rep, what in ((dry2.json, "dry run of a repeat"), (again.json, "repeat")):
            check_counts(rep, {"created": 0, "updated": 0, "unchanged": 5, "groups_created": 0,
                               "members_added": 0}, what)
        eq(s.sql("SELECT count(*) FROM members m JOIN households h ON h.id = m.household_id"
                 " WHERE h.passbook_no = '3101'")[0][0], 2, "members not added twice")
    finally:
        s.close()


def problems_by_line(resp):
    status(resp, 422, "rejected import")
    eq(resp.error_code, "import_rejected", "error code")
    assert "没有导入" in resp.json["error"]["message"], resp
    rep = resp.json["error"]["report"]
    eq(rep["applied"], False, "applied")
    eq(rep["problem_count"], len(rep["problems"]), "problem_count")
    out = {}
    for p in rep["problems"]:
        assert p["message"] and p["message_en"], p
        out.setdefault(p["row"], []).append(p["message"] + " / " + p["message_en"])
    return out


def test_bad_rows_are_all_reported_and_nothing_is_imported():
    s = Server()
    try:
        admin = s.login("admin")
        text = ("村民小组,存折号,户主,住址,电话,家庭成员\r\n"
                "三组,3201,于洪军,高箭沟村三组1号,13904105678,王桂芝(妻子)\r\n"        # 2 good
                "三组,3202,,高箭沟村三组2号,,\r\n"                                      # 3 empty head
                "三组,3203,李秀兰,高箭沟村三组3号,,\"张国庆(丈夫);\r\n张晓燕(女儿)\"\r\n"  # 4-5 good, 2 lines
                "三组,3201,王淑芬,高箭沟村三组4号,,\r\n"                                # 6 duplicate passbook
                "三组,3205,陈立新,高箭沟村三组5号,电话打不通,\r\n"                      # 7 bad phone
                "三组,3206,赵德胜,高箭沟村三组6号\r\n"                                  # 8 columns
                "六组,3207,孙玉梅,高箭沟村六组7号,,李强\r\n"                            # 9 no relation
                "三组,3208,马春华,高箭沟村三组8号,,\r\n")                               # 10 good
        before = snapshot(s)
        got = problems_by_line(post_import(s, admin, text))
        eq(sorted(got), [3, 6, 7, 8, 9], "lines with problems")
        expect = {3: "户主姓名不能为空", 6: "与第 2 行重复", 7: "电话号码格式不对", 8: "列",
                  9: "姓名(关系)"}
        for line, needle in expect.items():
            assert any(needle in m for m in got[line]), f"line {line}: {needle!r} not in {got[line]}"
        eq(snapshot(s), before, "database after a refused import")
        got = problems_by_line(post_import(s, admin, text, dry_run=True))
        eq(sorted(got), [3, 6, 7, 8, 9], "a dry run finds the same lines")

        text = "村民小组,存折号,户主,住址,电话,备注\r\n三组,3301,于洪军,高箭沟村三组1号,,老党员\r\n"
        got = problems_by_line(post_import(s, admin, text))
        eq(list(got), [1], "unknown column reported on the header line")
        assert any("备注" in m for m in got[1]), got

        text = "村民小组,户主,住址\r\n三组,于洪军,高箭沟村三组1号\r\n"
        got = problems_by_line(post_import(s, admin, text))
        eq(list(got), [1], "missing column reported on the header line")
        assert any("缺少必需的列“存折号”" in m for m in got[1]), got
        eq(snapshot(s), before, "database after refused headers")
    finally:
        s.close()


def test_unreadable_files_are_refused():
    s = Server()
    try:
        admin = s.login("admin")
        before = snapshot(s)
        r = status(post_import(s, admin, "村民小组,存折号,户主\r\n三组,3401,\"于洪军\r\n三组,3402,李华\r\n"),
                   422, "unclosed quote")
        eq(r.error_code, "bad_csv", "code")
        assert "CSV" in r.json["error"]["message"] and "line 2" in r.json["error"]["message"], r
        r = status(post_import(s, admin, "村民小组,存折号,户主\r\n三组,3401,于\"洪\"军\r\n"), 422,
                   "quote inside a field")
        eq(r.error_code, "bad_csv", "code")

        junk = "村民小组,存折号,户主\r\n三组,3401,".encode() + b"\x80\xff\xfe\x80\r\n"
        r = status(post_import(s, admin, junk), 422, "neither UTF-8 nor GB18030")
        eq(r.error_code, "bad_encoding", "code")
        assert "编码" in r.json["error"]["message"], r
        r = status(post_import(s, admin, csv_text([["三组", "3401", "于洪军", "", "", ""]])
                               .encode("utf-16")), 422, "UTF-16")
        eq(r.error_code, "bad_encoding", "UTF-16 code")
        r = status(post_import(s, admin, b"\xef\xbb\xbf" + "户主".encode("gb18030")), 422,
                   "BOM then GB18030")
        eq(r.error_code, "bad_encoding", "code")

        r = status(post_import(s, admin, b""), 400, "empty body")
        eq(r.error_code, "empty_body", "code")
        r = status(post_import(s, admin, "\r\n  \r\n"), 422, "blank file")
        eq(r.error_code, "empty_file", "code")

        # over 8 MiB: refused as soon as the length is announced, before the body
        conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=30)
        try:
            conn.putrequest("POST", import_path(s))
            conn.putheader("Authorization", "Bearer " + admin.token)
            conn.putheader("Content-Type", "text/csv")
            conn.putheader("Content-Length", str(8 * 1024 * 1024 + 1))
            conn.endheaders()
            resp = conn.getresponse()
            r = Response(resp.status, resp.getheaders(), resp.read())
        finally:
            conn.close()
        status(r, 413, "over 8 MiB")
        eq(r.error_code, "payload_too_large", "code")
        big = csv_text([]).encode() + b"#" * (8 * 1024 * 1024)
        try:
            status(post_import(s, admin, big), 413, "over 8 MiB, body sent")
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused while the body was still being sent; the server lives on
        status(admin.get("/api/v1/health"), 200, "health after the refusals")
        eq(len(s.log_lines("households/import 413")), 2, "both 413s in the access log")
        eq(snapshot(s), before, "database after refused files")
        r = status(post_import(s, admin, csv_text([])), 200, "header only")
        eq((r.json["rows"], r.json["created"]), (0, 0), "header only: nothing to do")
    finally:
        s.close()


def test_only_the_village_admin_may_import():
    s = Server()
    try:
        county = s.login("county")
        area_id = status(county.get(f"/api/v1/villages/{s.village_id}"), 200, "village").json["area_id"]
        other = status(county.post("/api/v1/villages", {"name": "小河沿村", "area_id": area_id}), 201,
                       "other village").json["id"]
        status(county.post("/api/v1/users", {"username": "other_admin", "display_name": "陈志刚",
                                             "role": "village_admin", "village_id": other,
                                             "password": "Xiaoheyan-2024"}), 201, "other admin")
        data = csv_text([["一组", "7001", "于洪军", "高箭沟村一组99号", "", ""]])
        before = snapshot(s)
        for name, client in (("villager", s.login_villager("1001")), ("scorer", s.login("scorer")),
                             ("clerk", s.login("clerk")),
                             ("other village admin", s.login("other_admin", "Xiaoheyan-2024"))):
            for dry in (False, True):
                r = status(post_import(s, client, data, dry_run=dry), 403, f"{name} dry={dry}")
                eq(r.error_code, "forbidden", f"{name} code")
        status(post_import(s, s.anon(), data), 401, "anonymous")
        r = status(post_import(s, s.login("township"), data, dry_run=True), 200,
                   "the township admin over the village")
        eq(r.json["created"], 1, "township dry run")
        eq(snapshot(s)[:3], before[:3], "nothing imported by the refused users")
        # the other admin imports into their own village, not into 高箭沟村
        oc = s.login("other_admin", "Xiaoheyan-2024")
        r = status(post_import(s, oc, data, village_id=other), 200, "own village")
        eq((r.json["created"], r.json["groups_created"]), (1, 1), "own village report")
        eq(s.sql("SELECT village_id FROM households WHERE passbook_no='7001'"), [(other,)],
           "household in the other village")
        status(post_import(s, s.login("admin"), data, village_id=999999), 404, "no such village")
    finally:
        s.close()


def test_import_is_audited():
    s = Server()
    try:
        admin = s.login("admin")
        uid = admin.user["id"]
        before = s.sql("SELECT max(id) FROM audit_log")[0][0]
        r = status(post_import(s, admin, good_file(s)), 200, "import")
        rows = s.sql("SELECT user_id, ip, village_id, entity, entity_id, action, summary"
                     " FROM audit_log WHERE id > ? ORDER BY id", before)
        imports = [x for x in rows if x[3] == "household_import"]
        eq(len(imports), 1, "one household_import row")
        eq(imports[0][:3], (uid, "127.0.0.1", s.village_id), "who, where, which village")
        assert '"rows":5' in imports[0][6] and '"created":3' in imports[0][6], imports
        hh = [x for x in rows if x[3] == "household"]
        eq(sorted(x[5] for x in hh), ["create", "create", "create", "update"],
           "one row per created or updated household")
        ids = {s.sql("SELECT passbook_no FROM households WHERE id = ?", x[4])[0][0] for x in hh}
        eq(ids, {"3101", "6001", "6002", "1001"}, "audited households")
        assert all(x[0] == uid for x in rows), "every row names the admin"
        eq([x[5] for x in rows if x[3] == "group"], ["create"], "the new group is audited")
        a = status(admin.get(f"/api/v1/audit?village_id={s.village_id}&entity=household_import"),
                   200, "audit API").json
        eq(len(a["items"]), 1, "the import in the audit API")
        eq(a["items"][0]["username"], "admin", "username in the audit API")
        # a dry run and a refused import leave no audit rows
        n = s.sql("SELECT count(*) FROM audit_log")[0][0]
        status(post_import(s, admin, good_file(s), dry_run=True), 200, "dry run")
        status(post_import(s, admin, "村民小组,存折号,户主\r\n三组,3501,\r\n"), 422, "bad file")
        eq(s.sql("SELECT count(*) FROM audit_log")[0][0], n, "audit rows after dry run and refusal")
    finally:
        s.close()


SURNAMES = "于王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "洪军桂芝浩然淑珍国庆晓燕宇轩德胜秀英建华玉兰志刚春华立新子涵雨桐明辉海燕丽娟振东文博嘉怡思远梓萱"
RELATIONS = ["妻子", "丈夫", "儿子", "女儿", "儿媳", "女婿", "孙子", "孙女", "母亲", "父亲"]


def generated_rows(n, seed=7, first=10000):
    rnd = random.Random(seed)
    groups = ["一组", "二组", "三组", "四组", "五组", "六组", "七组"]
    rows = []
    for i in range(n):
        g = rnd.choice(groups)
        name = lambda: rnd.choice(SURNAMES) + "".join(rnd.choice(GIVEN) for _ in range(rnd.randint(1, 2)))
        members = []
        used = set()
        for _ in range(rnd.randint(0, 4)):
            m = name()
            if m not in used:
                used.add(m)
                members.append(f"{m}({rnd.choice(RELATIONS)})")
        phone = "" if rnd.random() < 0.15 else "13" + "".join(rnd.choice("0123456789") for _ in range(9))
        rows.append([g, str(first + i), name(), f"高箭沟村{g}{i % 300 + 1}号", phone, ";".join(members)])
    return rows


def test_two_thousand_rows():
    s = Server()
    try:
        admin = s.login("admin")
        rows = generated_rows(2000)
        data = csv_text(rows).encode("gb18030")
        t0 = time.time()
        r = status(post_import(s, admin, data), 200, "2000 rows")
        took = time.time() - t0
        assert took < 30, f"2000 rows took {took:.1f} s"
        members = sum(len(x[5].split(";")) for x in rows if x[5])
        check_counts(r.json, {"rows": 2000, "created": 2000, "groups_created": 2,
                              "members_added": members}, "report")
        eq(s.sql("SELECT count(*) FROM households")[0][0], 2222, "households")
        eq(s.sql("SELECT count(*) FROM audit_log WHERE entity='household'"
                 " AND summary LIKE '%\"source\":\"import\"%'")[0][0], 2000, "audit rows")
        h = find_household(s, admin, "11999")
        eq(h["head_name"], rows[1999][2], "last row's head")
        # one bad row at the end refuses all 2000, with its line number
        rows[1999][4] = "12345678901234567890123"
        before = snapshot(s)
        got = problems_by_line(post_import(s, admin, csv_text(generated_rows(1999, seed=8, first=20000)
                                                              + [rows[1999]])))
        eq(list(got), [2001], "the bad last line")
        eq(snapshot(s), before, "nothing of the 2000 imported")
        # 300 bad rows: all counted, the first 200 listed
        bad = generated_rows(300, seed=9, first=30000)
        for row in bad:
            row[2] = ""
        r = status(post_import(s, admin, csv_text(bad)), 422, "300 bad rows")
        rep = r.json["error"]["report"]
        eq(rep["problem_count"], 300, "problem_count")
        eq([p["row"] for p in rep["problems"]], list(range(2, 202)), "the first 200 listed")
    finally:
        s.close()


# ---- the command line ----------------------------------------------------------------------


def demo_db(tmp):
    db = os.path.join(tmp, "cli.db")
    jifen("demo", db=db)
    return db


def db_counts(db):
    import sqlite3
    con = sqlite3.connect(db)
    try:
        return tuple(con.execute(q).fetchone()[0] for q in (
            "SELECT count(*) FROM households", "SELECT count(*) FROM members",
            "SELECT count(*) FROM villager_groups", "SELECT count(*) FROM audit_log"))
    finally:
        con.close()


def write(tmp, name, data):
    path = os.path.join(tmp, name)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def test_cli_import_dry_run_and_real():
    with tempfile.TemporaryDirectory() as tmp:
        db = demo_db(tmp)
        path = write(tmp, "roster.csv", csv_text(NEW_ROWS).encode("gb18030"))
        before = db_counts(db)
        p = jifen("import", "households", path, "--village", "1", "--dry-run", db=db)
        assert "dry run, nothing changed" in p.stdout, p.stdout
        assert "3 rows (gb18030): 3 new, 0 updated, 0 unchanged, 1 new groups, 5 members" in p.stdout, p.stdout
        eq(db_counts(db), before, "database after a CLI dry run")
        p = jifen("import", "households", path, "--village", "1", db=db)
        assert p.stdout.startswith("imported: 3 rows"), p.stdout
        after = db_counts(db)
        eq(after[:3], (before[0] + 3, before[1] + 5, before[2] + 1), "households, members, groups")
        eq(after[3], before[3] + 3 + 1 + 1, "audit rows: 3 households, 1 group, 1 import")
        import sqlite3
        con = sqlite3.connect(db)
        eq(con.execute("SELECT user_id, ip FROM audit_log WHERE entity='household_import'").fetchall(),
           [(None, "cli")], "the CLI import is audited as the operator")
        con.close()
        # JIFEN_DB stands in for --db
        path2 = write(tmp, "more.csv", csv_text([["二组", "2950", "于洪军", "高箭沟村二组50号", "", ""]]))
        jifen("import", "households", path2, "--village", "1", env={"JIFEN_DB": db})
        eq(db_counts(db)[0], after[0] + 1, "import through JIFEN_DB")


def test_cli_import_bad_file_and_usage():
    with tempfile.TemporaryDirectory() as tmp:
        db = demo_db(tmp)
        before = db_counts(db)
        bad = write(tmp, "bad.csv", "村民小组,存折号,户主,电话\r\n三组,3601,于洪军,\r\n三组,3602,,\r\n"
                                    "三组,3601,李华,13904105678\r\n三组,3604,张华,abc\r\n")
        p = jifen("import", "households", bad, "--village", "1", db=db, check=False)
        eq(p.returncode, 1, f"exit code of a bad file: {p.stderr}")
        assert "line 3:" in p.stderr and "户主姓名不能为空" in p.stderr, p.stderr
        assert "line 4:" in p.stderr and "重复" in p.stderr, p.stderr
        assert "line 5:" in p.stderr and "电话号码格式不对" in p.stderr, p.stderr
        assert "nothing was imported" in p.stderr, p.stderr
        assert "NOT imported" in p.stdout, p.stdout
        eq(db_counts(db), before, "database after a bad file")
        p = jifen("import", "households", write(tmp, "junk.csv", b"\x80\xff\x80"), "--village", "1",
                  db=db, check=False)
        eq(p.returncode, 1, "exit code of an unreadable file")
        assert "编码" in p.stderr, p.stderr
        p = jifen("import", "households", os.path.join(tmp, "missing.csv"), "--village", "1", db=db,
                  check=False)
        eq(p.returncode, 1, "exit code of a missing file")
        assert "missing.csv" in p.stderr, p.stderr
        good = write(tmp, "good.csv", csv_text(NEW_ROWS))
        for args in (["households", good], ["households", "--village", "1"],
                     ["people", good, "--village", "1"], ["households", good, "--village", "x"],
                     ["households", good, good, "--village", "1"],
                     ["households", good, "--village", "1", "--bogus"]):
            p = jifen("import", *args, db=db, check=False)
            eq(p.returncode, 2, f"exit code of jifen import {' '.join(args)}")
            assert "usage: jifen import" in p.stderr, p.stderr
        p = jifen("import", "--help")
        assert "usage: jifen import households" in p.stdout, p.stdout
        p = jifen("import", "households", good, "--village", "999", db=db, check=False)
        eq(p.returncode, 1, "exit code for a missing village")
        eq(db_counts(db), before, "database after refused commands")


def test_cli_import_long_file_shows_progress():
    with tempfile.TemporaryDirectory() as tmp:
        db = demo_db(tmp)
        path = write(tmp, "big.csv", csv_text(generated_rows(2000)))
        p = jifen("import", "households", path, "--village", "1", db=db)
        assert "importing: 2000 / 2000 households" in p.stderr, p.stderr[-500:]
        assert "importing: 1001 / 2000" in p.stderr, "intermediate progress"
        assert "2000 new" in p.stdout, p.stdout
        eq(db_counts(db)[0], 2222, "households")


if __name__ == "__main__":
    run(globals())
