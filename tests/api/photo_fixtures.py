"""Pictures for the photo and claim tests, made with the standard library only:
real PNGs of any size and colour (zlib), a real JPEG and real WebP files (made
once with ImageMagick and cwebp, embedded as bytes), bad uploads (text, cut
headers, a pixel flood), plus helpers to upload photos and to make villager and
staff accounts."""
import struct
import zlib

from harness import DEMO_PASSWORD, DEMO_PIN, status

# convert -size 3x2 xc:red -strip -quality 30 s.jpg
JPEG_3x2 = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb0043001b12141714111b1716171e"
    "1c1b2028422b28252528513a3d3042605565645f555d5b6a7899816a7190735b5d85b586"
    "909ea3abadab6780bcc9baa6c799a8aba4ffdb0043011c1e1e2823284e2b2b4ea46e5d6e"
    "a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4"
    "a4a4a4a4a4a4a4a4a4a4a4a4a4a4ffc00011080002000303012200021101031101ffc400"
    "1500010100000000000000000000000000000004ffc40014100100000000000000000000"
    "000000000000ffc4001501010100000000000000000000000000000406ffc40014110100"
    "000000000000000000000000000000ffda000c03010002110311003f008000d48fffd9")

# cwebp -lossless of a 5x4 picture (a VP8L chunk)
WEBP_5x4 = bytes.fromhex(
    "524946461c000000574542505650384c0f0000002f04c000000710d1fffe0722a2ff0100")


def png(width=4, height=3, rgb=(200, 30, 30)):
    """A real PNG of one colour (8-bit RGB), width × height."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    row = b"\x00" + bytes(rgb) * width
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(row * height)) + chunk(b"IEND", b""))


_colour = [0]


def fresh_png():
    """A PNG no other call returns (a new colour each time)."""
    _colour[0] += 1
    c = _colour[0]
    return png(5, 4, (c % 256, (c // 256) % 256, 77))


def flood_png(width=50000, height=50000):
    """A valid PNG header claiming a huge canvas, with a tiny body: a pixel flood."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


def upload(client, village_id, data, content_type="image/jpeg"):
    """POSTs raw bytes as a photo; returns the response."""
    return client.post(f"/api/v1/villages/{village_id}/photos", raw=data,
                       headers={"Content-Type": content_type})


def upload_ok(client, village_id, data=None):
    """Uploads a (fresh) picture; returns its hash."""
    r = upload(client, village_id, data if data is not None else fresh_png(), "image/png")
    if r.status not in (200, 201):
        raise AssertionError(f"upload: {r}")
    return r.json["hash"]


def villager(server, admin, passbook_no):
    """A villager account (PIN login) for the household with this passbook of the
    demo village, made by the admin if it is missing; returns the logged-in client."""
    from ledger_fixtures import household_id
    hid = household_id(admin, server.village_id, passbook_no)
    r = admin.post("/api/v1/users", {"display_name": f"户主{passbook_no}", "role": "villager",
                                     "pin": DEMO_PIN, "village_id": server.village_id,
                                     "household_id": hid})
    if r.status not in (201, 409):
        raise AssertionError(f"villager {passbook_no}: {r}")
    return server.login_villager(passbook_no)


def staff(server, admin, username, role="scorer", village_id=None):
    """A new staff account of the village (password: the demo's); returns the client."""
    status(admin.post("/api/v1/users", {"username": username, "display_name": f"{username}同志",
                                        "role": role, "password": DEMO_PASSWORD,
                                        "village_id": village_id or server.village_id}),
           201, f"create {username}")
    return server.login(username)
