"""Bad input gets a clear error and changes nothing.

Every status the server produces (400, 401, 403, 404, 405, 409, 413, 422, 431)
is provoked against a real `jifen serve`; each error must have the one shape
{"error":{"code","message","message_en"}} with a Chinese message, carry the
security headers, and leave the database exactly as it was (row counts and the
newest households.updated_at, read straight from the file). 429 is covered by
test_session.py.
"""
import json
import re
import socket
import time
from urllib.parse import quote

from harness import Server, run, eq, status

HAN = re.compile(r"[\u4e00-\u9fff]")
TABLES = ("households", "members", "villager_groups", "villages", "areas", "users", "audit_log")
CSP_MUST = "frame-ancestors 'none'"


# ---- helpers ---------------------------------------------------------------

def snapshot(s):
    """What must not move when a request is refused."""
    snap = {t: s.sql(f"SELECT count(*) FROM {t}")[0][0] for t in TABLES}
    snap["households.max_updated_at"] = s.sql("SELECT max(updated_at) FROM households")[0][0]
    snap["households.sum"] = s.sql(
        "SELECT total(length(passbook_no || head_name || address || phone || status || group_id))"
        " FROM households")[0][0]
    return snap


def unchanged(s, before, what):
    after = snapshot(s)
    if after != before:
        diff = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
        raise AssertionError(f"{what}: the database changed on a refused request: {diff}")


def check_security_headers(r, what, api=True):
    csp = r.header("Content-Security-Policy")
    if not csp or CSP_MUST not in csp:
        raise AssertionError(f"{what}: Content-Security-Policy without frame-ancestors: {csp!r}")
    eq(r.header("X-Content-Type-Options"), "nosniff", f"{what}: X-Content-Type-Options")
    if not r.header("Referrer-Policy"):
        raise AssertionError(f"{what}: no Referrer-Policy header")
    if api:
        eq(r.header("Cache-Control"), "no-store", f"{what}: Cache-Control")


def check_error(r, code_status, code, what):
    """The one error shape, with a Chinese message, and the security headers."""
    status(r, code_status, what)
    j = r.json
    if not isinstance(j, dict) or set(j) != {"error"}:
        raise AssertionError(f"{what}: body is not exactly {{\"error\": …}}: {r}")
    e = j["error"]
    if not isinstance(e, dict) or set(e) != {"code", "message", "message_en"}:
        raise AssertionError(f"{what}: error keys are {sorted(e) if isinstance(e, dict) else e!r}")
    if code is not None:
        eq(e["code"], code, f"{what}: error code")
    for k in ("code", "message", "message_en"):
        if not isinstance(e[k], str) or not e[k].strip():
            raise AssertionError(f"{what}: error.{k} is empty: {r}")
    if not HAN.search(e["message"]):
        raise AssertionError(f"{what}: error.message has no Chinese: {e['message']!r}")
    ctype = r.header("Content-Type") or ""
    if not ctype.startswith("application/json"):
        raise AssertionError(f"{what}: Content-Type {ctype!r}")
    check_security_headers(r, what)
    return e


def raw_http(s, head, body=b"", timeout=10):
    """Sends head (+ body) on a fresh socket and parses one response.
    Send errors are ignored: the server may answer and close before the body is in."""
    sock = socket.create_connection(("127.0.0.1", s.port), timeout=timeout)
    try:
        try:
            sock.sendall(head + body)
        except OSError:
            pass
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
        if b"\r\n\r\n" not in data:
            raise AssertionError(f"no HTTP response, got {data[:200]!r}")
        head_raw, rest = data.split(b"\r\n\r\n", 1)
        lines = head_raw.decode("latin-1").split("\r\n")
        code = int(lines[0].split(" ")[1])
        headers = [tuple(x.strip() for x in l.split(":", 1)) for l in lines[1:] if ":" in l]
        length = next((int(v) for k, v in headers if k.lower() == "content-length"), None)
        deadline = time.time() + timeout
        while length is not None and len(rest) < length and time.time() < deadline:
            try:
                chunk = sock.recv(65536)
            except OSError:
                break
            if not chunk:
                break
            rest += chunk
        from harness import Response
        return Response(code, headers, rest)
    finally:
        sock.close()


def household_body(**kw):
    b = {"group_id": 3, "passbook_no": "3901", "head_name": "于洪军",
         "address": "高箭沟村三组17号", "phone": "13812345678"}
    b.update(kw)
    return b


def make_second_village(s):
    """A second village in the same township, made by the county admin; returns
    (village_id, group_id)."""
    county = s.login("county")
    v = status(county.post("/api/v1/villages", {"name": "下石碑村", "area_id": 2}), 201, "village 2")
    vid = v.json["id"]
    g = status(county.post(f"/api/v1/villages/{vid}/groups", {"name": "一组"}), 201, "group in village 2")
    return vid, g.json["id"]


def run_cases(s, cases, before, what):
    """cases: (label, client, method, path, kwargs, status, code)."""
    for label, client, method, path, kw, st, code in cases:
        r = client.request(method, path, **kw)
        check_error(r, st, code, f"{what}: {label}")
        unchanged(s, before, f"{what}: {label}")


# ---- 400 -------------------------------------------------------------------

def test_400_bad_bodies_and_queries():
    s = Server()
    try:
        a = s.login("admin")
        before = snapshot(s)
        v = s.village_id
        post = f"/api/v1/villages/{v}/households"
        j = {"Content-Type": "application/json"}
        cases = [
            ("malformed JSON", "POST", post, {"raw": b'{"group_id": 3,', "headers": j}, "malformed_json"),
            ("trailing garbage", "POST", post, {"raw": b'{"group_id": 3} x', "headers": j}, "malformed_json"),
            ("single quotes", "POST", post, {"raw": b"{'group_id': 3}", "headers": j}, "malformed_json"),
            ("duplicate key", "POST", post,
             {"raw": '{"group_id":3,"group_id":4,"passbook_no":"3901","head_name":"于洪军"}'.encode(),
              "headers": j}, "malformed_json"),
            ("NUL escape in a string", "POST", post,
             {"raw": '{"group_id":3,"passbook_no":"3901","head_name":"于\\u0000洪军"}'.encode(),
              "headers": j}, "malformed_json"),
            ("lone surrogate escape", "POST", post,
             {"raw": b'{"group_id":3,"passbook_no":"3901","head_name":"\\ud800"}', "headers": j},
             "malformed_json"),
            ("integer beyond 64 bits", "POST", post,
             {"raw": b'{"group_id":99999999999999999999,"passbook_no":"3901","head_name":"x"}',
              "headers": j}, "malformed_json"),
            ("bad escape before Chinese (error text quotes half a character)", "POST", post,
             {"raw": ('{"head_name": "\\u' + "字" * 100 + '"}').encode(), "headers": j}, "malformed_json"),
            ("array, not an object", "POST", post, {"raw": b'[{"group_id": 3}]', "headers": j}, "not_an_object"),
            # jansson takes only an object or an array at the top: a bare value is malformed
            ("string, not an object", "POST", post, {"raw": '"于洪军"'.encode(), "headers": j}, "malformed_json"),
            ("number, not an object", "POST", post, {"raw": b"42", "headers": j}, "malformed_json"),
            ("null, not an object", "POST", post, {"raw": b"null", "headers": j}, "malformed_json"),
            ("empty body", "POST", post, {"raw": b"", "headers": j}, "empty_body"),
            ("no body at all", "POST", post, {}, "empty_body"),
            ("whitespace only", "POST", post, {"raw": b"  \r\n ", "headers": j}, "malformed_json"),
            ("invalid UTF-8 bytes", "POST", post,
             {"raw": b'{"group_id":3,"passbook_no":"3901","head_name":"\xe4\xba"}', "headers": j},
             "invalid_utf8"),
            ("GBK bytes, not UTF-8", "POST", post,
             {"raw": b'{"group_id":3,"passbook_no":"3901","head_name":"' + "于洪军".encode("gbk") + b'"}',
              "headers": j}, "invalid_utf8"),
            ("overlong UTF-8 encoding", "POST", post,
             {"raw": b'{"group_id":3,"passbook_no":"3901","head_name":"\xc0\xaf"}', "headers": j},
             "invalid_utf8"),
            ("encoded surrogate", "POST", post,
             {"raw": b'{"group_id":3,"passbook_no":"3901","head_name":"\xed\xa0\x80"}', "headers": j},
             "invalid_utf8"),
            ("raw NUL byte", "POST", post,
             {"raw": b'{"group_id":3,"passbook_no":"3901","head_name":"a\x00b"}', "headers": j},
             "invalid_utf8"),
            ("PATCH malformed", "PATCH", "/api/v1/households/1", {"raw": b"{", "headers": j}, "malformed_json"),
            ("PATCH empty", "PATCH", "/api/v1/households/1", {"raw": b"", "headers": j}, "empty_body"),
            ("PATCH array", "PATCH", "/api/v1/households/1", {"raw": b"[]", "headers": j}, "not_an_object"),
            ("group POST malformed", "POST", f"/api/v1/villages/{v}/groups", {"raw": b"{]", "headers": j},
             "malformed_json"),
            ("user POST not object", "POST", "/api/v1/users", {"raw": b'["admin"]', "headers": j}, "not_an_object"),
            ("page=abc", "GET", post + "?page=abc", {}, "bad_query"),
            ("page=0", "GET", post + "?page=0", {}, "bad_query"),
            ("page=-1", "GET", post + "?page=-1", {}, "bad_query"),
            ("page=1.5", "GET", post + "?page=1.5", {}, "bad_query"),
            ("page too large", "GET", post + "?page=99999999999", {}, "bad_query"),
            ("page of 19 digits", "GET", post + "?page=1234567890123456789", {}, "bad_query"),
            ("per_page=1000", "GET", post + "?per_page=1000", {}, "bad_query"),
            ("per_page=201", "GET", post + "?per_page=201", {}, "bad_query"),
            ("per_page=0", "GET", post + "?per_page=0", {}, "bad_query"),
            ("per_page=x", "GET", post + "?per_page=x", {}, "bad_query"),
            ("group_id=abc", "GET", post + "?group_id=abc", {}, "bad_query"),
            ("status=dead", "GET", post + "?status=dead", {}, "bad_query"),
            ("q not UTF-8", "GET", post + "?q=%FF%FE", {}, "bad_query"),
            ("q too long", "GET", post + "?q=" + quote("王" * 43), {}, "bad_query"),
            ("users role=boss", "GET", "/api/v1/users?role=boss", {}, "bad_query"),
            ("users village_id=x", "GET", "/api/v1/users?village_id=x", {}, "bad_query"),
            ("audit per_page=1000", "GET", "/api/v1/audit?per_page=1000", {}, "bad_query"),
            ("audit since=yesterday", "GET", "/api/v1/audit?since=yesterday", {}, "bad_query"),
            ("audit entity_id=-3", "GET", "/api/v1/audit?entity_id=-3", {}, "bad_query"),
            ("import dry_run=maybe", "POST", post + "/import?dry_run=maybe",
             {"raw": "村民小组,存折号,户主\n一组,1001,王福顺\n".encode()}, "bad_query"),
            ("import empty", "POST", post + "/import", {"raw": b""}, "empty_body"),
        ]
        run_cases(s, [(l, a, m, p, kw, 400, c) for l, m, p, kw, c in cases], before, "400")
        # the login route parses its body the same way, before any credentials are looked at
        anon = s.anon()
        for label, raw, code in [("login malformed", b'{"username":', "malformed_json"),
                                 ("login not an object", b'["admin"]', "not_an_object"),
                                 ("login empty", b"", "empty_body"),
                                 ("login bad UTF-8", b'{"username":"\xff"}', "invalid_utf8")]:
            check_error(anon.post("/api/v1/session", raw=raw, headers=j), 400, code, label)
        unchanged(s, before, "400 on login")
        # the list itself still works with good paging
        r = status(a.get(post + "?page=2&per_page=200"), 200, "good paging")
        eq(len(r.json["items"]), 22, "second page after the refusals")
    finally:
        s.close()


# ---- 401 -------------------------------------------------------------------

def test_401_without_login():
    s = Server()
    try:
        before = snapshot(s)
        v = s.village_id
        anon = s.anon()
        bogus = type(anon)(s, token="A" * 43)
        garbage = type(anon)(s)
        paths = [
            ("GET", "/api/v1/session", None),
            ("DELETE", "/api/v1/session", None),
            ("GET", "/api/v1/villages", None),
            ("GET", f"/api/v1/villages/{v}/households", None),
            ("GET", "/api/v1/households/1", None),
            ("POST", f"/api/v1/villages/{v}/households", household_body()),
            ("PATCH", "/api/v1/households/1", {"address": "高箭沟村一组99号"}),
            ("POST", f"/api/v1/villages/{v}/groups", {"name": "六组"}),
            ("PATCH", "/api/v1/groups/1", {"name": "六组"}),
            ("POST", "/api/v1/households/1/members", {"name": "于小军", "relation": "儿子"}),
            ("PATCH", "/api/v1/members/1", {"name": "于小军"}),
            ("POST", "/api/v1/users", {"username": "hacker", "display_name": "某人", "role": "scorer",
                                       "password": "Xx-long-enough-1", "village_id": v}),
            ("PATCH", "/api/v1/users/3", {"display_name": "某人"}),
            ("POST", "/api/v1/areas", {"name": "新镇", "level": "township", "parent_id": 1}),
            ("POST", "/api/v1/villages", {"name": "新村", "area_id": 2}),
            ("PATCH", f"/api/v1/villages/{v}", {"name": "新村"}),
            ("GET", "/api/v1/audit", None),
            ("GET", "/api/v1/users", None),
        ]
        for method, path, body in paths:
            for who, label in ((anon, "no login"), (bogus, "unknown token")):
                r = who.request(method, path, body=body)
                e = check_error(r, 401, None, f"{label}: {method} {path}")
                if e["code"] not in ("not_logged_in", "session_expired"):
                    raise AssertionError(f"{label}: {method} {path}: code {e['code']}")
        # a malformed body is not even read before the login check
        check_error(anon.post(f"/api/v1/villages/{v}/households", raw=b"{"), 401, "not_logged_in",
                    "no login, malformed body")
        # an Authorization header that is not a bearer token, and a cookie of the wrong length
        for h in ({"Authorization": "Basic YWRtaW46R2FvamlhbmdvdS0yMDI0"},
                  {"Authorization": "Bearer short"},
                  {"Cookie": "jifen_session=abc"}):
            check_error(garbage.get("/api/v1/households/1", headers=h), 401, "not_logged_in", f"header {h}")
        unchanged(s, before, "401")
    finally:
        s.close()


# ---- 403 -------------------------------------------------------------------

def test_403_other_village_role_and_csrf():
    s = Server()
    try:
        v2, g2 = make_second_village(s)
        county = s.login("county")
        h2 = status(county.post(f"/api/v1/villages/{v2}/households",
                                {"group_id": g2, "passbook_no": "1001", "head_name": "刘长山"}),
                    201, "household in village 2").json["id"]
        admin, scorer, clerk = s.login("admin"), s.login("scorer"), s.login("clerk")
        villager = s.login_villager("1001")
        township = s.login("township")
        # a second township: its admin sees nothing of 平顶堡镇
        t2 = status(county.post("/api/v1/areas", {"name": "凡河镇", "level": "township", "parent_id": 1}),
                    201, "township 2").json["id"]
        status(county.post("/api/v1/users", {"username": "fanhe", "display_name": "赵立新",
                                             "role": "area_admin", "area_id": t2,
                                             "password": "Fanhe-Town-2024"}), 201, "area admin 2")
        other_area = s.login("fanhe", password="Fanhe-Town-2024")
        v = s.village_id
        before = snapshot(s)
        F = "forbidden"
        cases = [
            ("admin reads village 2", admin, "GET", f"/api/v1/villages/{v2}", {}, F),
            ("admin lists village 2 groups", admin, "GET", f"/api/v1/villages/{v2}/groups", {}, F),
            ("admin lists village 2 households", admin, "GET", f"/api/v1/villages/{v2}/households", {}, F),
            ("admin reads a village 2 household", admin, "GET", f"/api/v1/households/{h2}", {}, F),
            ("admin creates in village 2", admin, "POST", f"/api/v1/villages/{v2}/households",
             {"body": {"group_id": g2, "passbook_no": "1002", "head_name": "刘长河"}}, F),
            ("admin patches a village 2 household", admin, "PATCH", f"/api/v1/households/{h2}",
             {"body": {"address": "下石碑村一组1号"}}, F),
            ("admin adds a member in village 2", admin, "POST", f"/api/v1/households/{h2}/members",
             {"body": {"name": "刘小梅", "relation": "女儿"}}, F),
            ("admin adds a group in village 2", admin, "POST", f"/api/v1/villages/{v2}/groups",
             {"body": {"name": "二组"}}, F),
            ("admin renames a group of village 2", admin, "PATCH", f"/api/v1/groups/{g2}",
             {"body": {"name": "二组"}}, F),
            ("admin renames village 2", admin, "PATCH", f"/api/v1/villages/{v2}", {"body": {"name": "上石碑村"}}, F),
            ("admin creates a user in village 2", admin, "POST", "/api/v1/users",
             {"body": {"username": "scorer2", "display_name": "刘评分", "role": "scorer",
                       "password": "Scorer2-pass-2024", "village_id": v2}}, F),
            ("admin makes an area admin", admin, "POST", "/api/v1/users",
             {"body": {"username": "boss", "display_name": "某某", "role": "area_admin",
                       "password": "Boss-pass-2024x", "area_id": 2}}, F),
            ("admin makes a village admin", admin, "POST", "/api/v1/users",
             {"body": {"username": "admin2", "display_name": "某某", "role": "village_admin",
                       "password": "Admin2-pass-2024", "village_id": v}}, F),
            ("admin creates an area", admin, "POST", "/api/v1/areas",
             {"body": {"name": "新镇", "level": "township", "parent_id": 1}}, F),
            ("admin creates a village", admin, "POST", "/api/v1/villages", {"body": {"name": "新村", "area_id": 2}}, F),
            ("admin reads village 2 audit", admin, "GET", f"/api/v1/audit?village_id={v2}", {}, F),
            ("admin reads the county user", admin, "GET", "/api/v1/users/1", {}, F),
            ("admin disables the county user", admin, "PATCH", "/api/v1/users/1", {"body": {"disabled": True}}, F),
            ("admin disables self", admin, "PATCH", "/api/v1/users/3", {"body": {"disabled": True}}, F),
            ("scorer creates a household", scorer, "POST", f"/api/v1/villages/{v}/households",
             {"body": household_body()}, F),
            ("scorer patches a household", scorer, "PATCH", "/api/v1/households/1",
             {"body": {"address": "高箭沟村一组99号"}}, F),
            ("scorer adds a group", scorer, "POST", f"/api/v1/villages/{v}/groups", {"body": {"name": "六组"}}, F),
            ("scorer lists users", scorer, "GET", "/api/v1/users", {}, F),
            ("scorer reads audit", scorer, "GET", "/api/v1/audit", {}, F),
            ("clerk patches a member", clerk, "PATCH", "/api/v1/members/1", {"body": {"name": "宋桂花"}}, F),
            ("clerk imports", clerk, "POST", f"/api/v1/villages/{v}/households/import",
             {"raw": "村民小组,存折号,户主\n一组,1001,王福顺\n".encode()}, F),
            ("villager lists households", villager, "GET", f"/api/v1/villages/{v}/households", {}, F),
            ("villager reads another household", villager, "GET", "/api/v1/households/2", {}, F),
            ("villager patches own household", villager, "PATCH", f"/api/v1/households/{villager.user['household_id']}",
             {"body": {"phone": "13800000000"}}, F),
            ("villager adds a member", villager, "POST",
             f"/api/v1/households/{villager.user['household_id']}/members",
             {"body": {"name": "王小顺", "relation": "孙子"}}, F),
            ("villager reads the admin", villager, "GET", "/api/v1/users/3", {}, F),
            ("villager reads audit", villager, "GET", "/api/v1/audit", {}, F),
            ("township admin makes a county", township, "POST", "/api/v1/areas",
             {"body": {"name": "开原市", "level": "county"}}, F),
            ("other township reads village 1", other_area, "GET", f"/api/v1/villages/{v}", {}, F),
            ("other township patches a household", other_area, "PATCH", "/api/v1/households/1",
             {"body": {"address": "某地"}}, F),
            ("other township reads village 1 audit", other_area, "GET", f"/api/v1/audit?village_id={v}", {}, F),
            ("other township creates a village under 平顶堡镇", other_area, "POST", "/api/v1/villages",
             {"body": {"name": "新村", "area_id": 2}}, F),
        ]
        run_cases(s, [(l, c, m, p, kw, 403, code) for l, c, m, p, kw, code in cases], before, "403")

        # CSRF: a cookie session must send its X-CSRF-Token on every write
        cook = s.login("admin", use_cookie=True)
        bare = type(cook)(s, cookie=cook.cookie)  # the cookie without the token
        wrong = type(cook)(s, cookie=cook.cookie, csrf="x" * len(cook.csrf))
        before = snapshot(s)
        for label, c in (("no CSRF token", bare), ("wrong CSRF token", wrong)):
            for method, path, body in (
                    ("POST", f"/api/v1/villages/{v}/households", household_body()),
                    ("PATCH", "/api/v1/households/1", {"address": "高箭沟村一组99号"}),
                    ("POST", f"/api/v1/villages/{v}/groups", {"name": "六组"}),
                    ("PATCH", "/api/v1/users/4", {"display_name": "于秀兰"}),
                    ("DELETE", "/api/v1/session", None)):
                check_error(c.request(method, path, body=body), 403, "csrf", f"{label}: {method} {path}")
                unchanged(s, before, f"{label}: {method} {path}")
        # a bearer token does not need it, and the cookie session still works for reads
        status(bare.get("/api/v1/households/1"), 200, "cookie read without CSRF")
        # with the token, the same write goes through
        status(cook.post(f"/api/v1/villages/{v}/households", household_body()), 201, "cookie write with CSRF")
        eq(s.sql("SELECT count(*) FROM households WHERE passbook_no='3901' AND village_id=?", v)[0][0], 1,
           "household written once")
        status(s.anon().get("/api/v1/health"), 200, "health after 403s")
    finally:
        s.close()


# ---- 404 -------------------------------------------------------------------

def test_404_unknown_ids_and_paths():
    s = Server()
    try:
        a = s.login("admin")
        county = s.login("county")
        before = snapshot(s)
        cases = [
            ("unknown household", a, "GET", "/api/v1/households/999999", {}, "not_found"),
            ("patch unknown household", a, "PATCH", "/api/v1/households/999999",
             {"body": {"address": "某地"}}, "not_found"),
            ("member of unknown household", a, "POST", "/api/v1/households/999999/members",
             {"body": {"name": "于小军", "relation": "儿子"}}, "not_found"),
            ("unknown member", a, "PATCH", "/api/v1/members/999999", {"body": {"name": "于小军"}}, "not_found"),
            ("unknown group", a, "PATCH", "/api/v1/groups/999999", {"body": {"name": "六组"}}, "not_found"),
            ("unknown user", a, "GET", "/api/v1/users/999999", {}, "not_found"),
            ("patch unknown user", a, "PATCH", "/api/v1/users/999999", {"body": {"display_name": "某人"}},
             "not_found"),
            ("unknown village", county, "GET", "/api/v1/villages/999999", {}, "not_found"),
            ("households of unknown village", county, "GET", "/api/v1/villages/999999/households", {},
             "not_found"),
            ("create in unknown village", county, "POST", "/api/v1/villages/999999/households",
             {"body": household_body()}, "not_found"),
            ("unknown area", county, "GET", "/api/v1/areas/999999", {}, "not_found"),
            ("18-digit id", a, "GET", "/api/v1/households/999999999999999999", {}, "not_found"),
            ("unknown /api path", a, "GET", "/api/v1/nothing", {}, "not_found"),
            ("unknown version", a, "GET", "/api/v2/health", {}, "not_found"),
            ("bare /api/", a, "GET", "/api/", {}, "not_found"),
            ("unknown sub-resource", a, "GET", "/api/v1/households/1/points", {}, "not_found"),
            ("non-numeric id", a, "GET", "/api/v1/households/abc", {}, "not_found"),
            ("zero id", a, "GET", "/api/v1/households/0", {}, "not_found"),
            ("leading zero", a, "GET", "/api/v1/households/01", {}, "not_found"),
            ("negative id", a, "GET", "/api/v1/households/-1", {}, "not_found"),
            ("id with a sign", a, "GET", "/api/v1/households/+1", {}, "not_found"),
            ("hex id", a, "GET", "/api/v1/households/0x1", {}, "not_found"),
            ("19-digit id", a, "GET", "/api/v1/households/1234567890123456789", {}, "not_found"),
            ("trailing slash", a, "GET", "/api/v1/households/1/", {}, "not_found"),
            ("double slash", a, "GET", "/api/v1//households/1", {}, "not_found"),
            ("empty id", a, "GET", "/api/v1/households/", {}, "not_found"),
            ("zero id on a write", a, "PATCH", "/api/v1/households/0", {"body": {"address": "某地"}}, "not_found"),
            ("non-numeric village on a write", a, "POST", "/api/v1/villages/abc/households",
             {"body": household_body()}, "not_found"),
            ("unknown path without login", s.anon(), "GET", "/api/v1/secret", {}, "not_found"),
            ("percent-encoded id", a, "GET", "/api/v1/households/%31", {}, None),
        ]
        # %31 is "1" once decoded; the server may serve it or not, but never anything else than 200/404
        for label, c, m, p, kw, code in cases:
            r = c.request(m, p, **kw)
            if code is None:
                if r.status not in (200, 404):
                    raise AssertionError(f"{label}: {r}")
                continue
            check_error(r, 404, code, f"404: {label}")
            unchanged(s, before, f"404: {label}")
        # a static asset that does not exist is a 404 too, with the same shape
        r = s.anon().get("/assets/nothing-here.js")
        check_error(r, 404, "not_found", "missing asset")
    finally:
        s.close()


# ---- 405 -------------------------------------------------------------------

def test_405_wrong_method_with_allow():
    s = Server()
    try:
        a = s.login("admin")
        v = s.village_id
        before = snapshot(s)
        cases = [
            ("PUT", f"/api/v1/villages/{v}/households", {"GET", "POST"}),
            ("DELETE", f"/api/v1/villages/{v}/households", {"GET", "POST"}),
            ("DELETE", "/api/v1/households/1", {"GET", "PATCH"}),
            ("PUT", "/api/v1/households/1", {"GET", "PATCH"}),
            ("POST", "/api/v1/households/1", {"GET", "PATCH"}),
            ("GET", "/api/v1/households/1/members", {"POST"}),
            ("DELETE", "/api/v1/members/1", {"PATCH"}),
            ("POST", "/api/v1/health", {"GET"}),
            ("PATCH", "/api/v1/session", {"GET", "POST", "DELETE"}),
            ("DELETE", "/api/v1/audit", {"GET"}),
            ("DELETE", "/api/v1/users/4", {"GET", "PATCH"}),
            ("GET", f"/api/v1/villages/{v}/households/import", {"POST"}),
            ("DELETE", f"/api/v1/villages/{v}", {"GET", "PATCH"}),
            ("DELETE", "/api/v1/groups/1", {"PATCH"}),
        ]
        for method, path, allow in cases:
            for who, label in ((a, "admin"), (s.anon(), "anonymous")):
                r = who.request(method, path)
                check_error(r, 405, "method_not_allowed", f"{label} {method} {path}")
                got = {m.strip() for m in (r.header("Allow") or "").split(",") if m.strip()}
                eq(got, allow, f"{label} {method} {path}: Allow")
        # the household that DELETE was aimed at is still there
        status(a.get("/api/v1/households/1"), 200, "household 1 after DELETE")
        # a web page path takes only GET and HEAD
        r = s.anon().post("/", {"x": 1})
        check_error(r, 405, "method_not_allowed", "POST /")
        eq({m.strip() for m in r.header("Allow").split(",")}, {"GET", "HEAD"}, "Allow of /")
        unchanged(s, before, "405")
    finally:
        s.close()


# ---- 409 -------------------------------------------------------------------

def test_409_duplicates():
    s = Server()
    try:
        a = s.login("admin")
        county = s.login("county")
        v = s.village_id
        v2, g2 = make_second_village(s)
        # the same passbook number in another village is fine
        status(county.post(f"/api/v1/villages/{v2}/households",
                           {"group_id": g2, "passbook_no": "1001", "head_name": "刘长山"}), 201,
               "1001 in village 2")
        status(county.post(f"/api/v1/villages/{v2}/groups", {"name": "二组"}), 201, "二组 in village 2")
        before = snapshot(s)
        cases = [
            ("passbook taken", a, "POST", f"/api/v1/villages/{v}/households",
             {"body": household_body(passbook_no="1001")}, "passbook_taken"),
            ("passbook taken, with members", a, "POST", f"/api/v1/villages/{v}/households",
             {"body": household_body(passbook_no="2001",
                                     members=[{"name": "于小军", "relation": "儿子"}])}, "passbook_taken"),
            ("patch to a taken passbook", a, "PATCH", "/api/v1/households/1",
             {"body": {"passbook_no": "1002", "address": "高箭沟村一组99号"}}, "passbook_taken"),
            ("group name taken", a, "POST", f"/api/v1/villages/{v}/groups", {"body": {"name": "一组"}}, "duplicate"),
            ("rename group to a taken name", a, "PATCH", "/api/v1/groups/2", {"body": {"name": "一组"}}, "duplicate"),
            ("username taken", a, "POST", "/api/v1/users",
             {"body": {"username": "scorer", "display_name": "于秀兰", "role": "scorer",
                       "password": "Yu-Xiulan-2024x", "village_id": v}}, "user_taken"),
            ("username taken (other village's admin name)", county, "POST", "/api/v1/users",
             {"body": {"username": "admin", "display_name": "刘长山", "role": "village_admin",
                       "password": "Liu-Changshan-24", "village_id": v2}}, "user_taken"),
            ("phone taken", a, "POST", "/api/v1/users",
             {"body": {"username": "scorer9", "display_name": "于秀兰", "role": "scorer", "phone": "13904100001",
                       "password": "Yu-Xiulan-2024x", "village_id": v}}, "user_taken"),
            ("second PIN account for a household", a, "POST", "/api/v1/users",
             {"body": {"display_name": "王福顺", "role": "villager", "pin": "381947", "village_id": v,
                       "household_id": 1}}, "user_taken"),
            ("village name taken in the township", county, "POST", "/api/v1/villages",
             {"body": {"name": "高箭沟村", "area_id": 2}}, "duplicate"),
            ("rename village to a taken name", county, "PATCH", f"/api/v1/villages/{v2}",
             {"body": {"name": "高箭沟村"}}, "duplicate"),
            ("area name taken", county, "POST", "/api/v1/areas",
             {"body": {"name": "平顶堡镇", "level": "township", "parent_id": 1}}, "duplicate"),
        ]
        run_cases(s, [(l, c, m, p, kw, 409, code) for l, c, m, p, kw, code in cases], before, "409")
        # household 1 kept its passbook number and address after the refused PATCH
        h = status(a.get("/api/v1/households/1"), 200, "household 1").json
        eq((h["passbook_no"], h["address"]), ("1001", "高箭沟村一组1号"), "household 1 untouched")
    finally:
        s.close()


# ---- 413 -------------------------------------------------------------------

def test_413_body_over_the_route_limit():
    s = Server()
    try:
        a = s.login("admin")
        v = s.village_id
        path = f"/api/v1/villages/{v}/households"
        auth = f"Authorization: Bearer {a.token}\r\n".encode()
        before = snapshot(s)

        def body_of(size):
            """A valid household JSON body of exactly size bytes (the address pads it)."""
            base = json.dumps(household_body(address=""), ensure_ascii=False).encode()
            pad = size - len(base)
            b = json.dumps(household_body(address="x" * pad), ensure_ascii=False).encode()
            assert len(b) == size, (len(b), size)
            return b

        # over 64 KiB of valid JSON: refused by size, not by content
        big = body_of(64 * 1024 + 1)
        r = raw_http(s, b"POST " + path.encode() + b" HTTP/1.1\r\nHost: x\r\n" + auth +
                     b"Content-Type: application/json\r\nContent-Length: " + str(len(big)).encode() +
                     b"\r\n\r\n", big)
        e = check_error(r, 413, "payload_too_large", ">64 KiB JSON")
        if "65536" not in e["message"]:
            raise AssertionError(f"413 message does not name the limit: {e}")
        unchanged(s, before, ">64 KiB JSON")
        # exactly 64 KiB is read and judged on its content (an address that long is a 422)
        r = a.post(path, raw=body_of(64 * 1024), headers={"Content-Type": "application/json"})
        check_error(r, 422, "too_long", "exactly 64 KiB")
        unchanged(s, before, "exactly 64 KiB")
        # a declared Content-Length far over the limit is refused before any body is sent
        t0 = time.time()
        r = raw_http(s, b"POST " + path.encode() + b" HTTP/1.1\r\nHost: x\r\n" + auth +
                     b"Content-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n")
        check_error(r, 413, "payload_too_large", "declared 1 GB")
        if time.time() - t0 > 5:
            raise AssertionError("413 for a declared 1 GB body took more than 5 s")
        # an absurd Content-Length too
        r = raw_http(s, b"POST " + path.encode() + b" HTTP/1.1\r\nHost: x\r\n" + auth +
                     b"Content-Length: 99999999999999999999999\r\n\r\n")
        if r.status not in (400, 413):
            raise AssertionError(f"absurd Content-Length: {r}")
        # a chunked body (no Content-Length) that grows over the limit
        r = a.request("POST", path, raw=iter([big[:40000], big[40000:]]),
                      headers={"Content-Type": "application/json"})  # http.client sends an iterator chunked
        check_error(r, 413, "payload_too_large", "chunked >64 KiB")
        # the login route allows only 4 KiB, before looking at the credentials
        r = s.anon().post("/api/v1/session", {"username": "admin", "password": "x" * 5000})
        check_error(r, 413, "payload_too_large", "5 KB login")
        # a PATCH over the default limit
        r = a.patch("/api/v1/households/1", {"address": "高" * 30000})
        check_error(r, 413, "payload_too_large", "90 KB PATCH")
        unchanged(s, before, "413s")
        # the import route takes more than 64 KiB (8 MiB): a 100 KB roster is read, not refused
        rows = "".join(f"一组,{1001 + i % 45},王福顺,高箭沟村一组{i}号,,\n" for i in range(2000))
        csv = ("村民小组,存折号,户主,住址,电话,家庭成员\n" + rows).encode()
        if len(csv) <= 64 * 1024:
            raise AssertionError("the roster is meant to be over 64 KiB")
        r = a.post(path + "/import?dry_run=1", raw=csv, headers={"Content-Type": "text/csv"})
        if r.status == 413:
            raise AssertionError(f"100 KB import refused as too large: {r}")
        unchanged(s, before, "import dry run")
        status(s.anon().get("/api/v1/health"), 200, "health after 413s")
        status(a.get("/api/v1/households/1"), 200, "reads after 413s")
    finally:
        s.close()


# ---- 422 -------------------------------------------------------------------

def test_422_validation():
    s = Server()
    try:
        a = s.login("admin")
        v = s.village_id
        post = f"/api/v1/villages/{v}/households"
        before = snapshot(s)
        hb = household_body
        mem = lambda **kw: hb(members=[dict({"name": "于小军", "relation": "儿子"}, **kw)])
        cases = [
            # missing, wrong type, unknown
            ("missing head_name", "POST", post, {k: w for k, w in hb().items() if k != "head_name"}, "missing_field"),
            ("missing group_id", "POST", post, {k: w for k, w in hb().items() if k != "group_id"}, "missing_field"),
            ("missing passbook_no", "POST", post, {k: w for k, w in hb().items() if k != "passbook_no"},
             "missing_field"),
            ("null head_name", "POST", post, hb(head_name=None), "wrong_type"),
            ("empty object", "POST", post, {}, "missing_field"),
            ("group_id as a string", "POST", post, hb(group_id="3"), "wrong_type"),
            ("group_id as a float", "POST", post, hb(group_id=3.0), "wrong_type"),
            ("group_id as a bool", "POST", post, hb(group_id=True), "wrong_type"),
            ("passbook_no as a number", "POST", post, hb(passbook_no=3901), "wrong_type"),
            ("head_name as an array", "POST", post, hb(head_name=["于", "洪军"]), "wrong_type"),
            ("members as an object", "POST", post, hb(members={"name": "于小军"}), "wrong_type"),
            ("unknown field", "POST", post, hb(nickname="老于"), "unknown_field"),
            ("unknown field id", "POST", post, hb(id=5), "unknown_field"),
            ("unknown field with a long Chinese name (quoted cut short)", "POST", post,
             hb(**{"字" * 30: 1}), "unknown_field"),
            ("unknown field village_id", "POST", post, hb(village_id=2), "unknown_field"),
            ("status on create", "POST", post, hb(status="active"), "unknown_field"),
            # lengths count characters
            ("head_name of 33 Chinese characters", "POST", post, hb(head_name="于" * 33), "too_long"),
            ("head_name of 33 four-byte characters", "POST", post, hb(head_name="𠀀" * 33), "too_long"),
            ("head_name of 33 ASCII letters", "POST", post, hb(head_name="a" * 33), "too_long"),
            ("empty head_name", "POST", post, hb(head_name=""), "too_short"),
            ("address of 129 characters", "POST", post, hb(address="高" * 129), "too_long"),
            ("member name of 33 characters", "POST", post, mem(name="军" * 33), "too_long"),
            ("member relation of 17 characters", "POST", post, mem(relation="儿" * 17), "too_long"),
            ("empty member name", "POST", post, mem(name=""), "too_short"),
            # control characters
            ("newline in head_name", "POST", post, hb(head_name="于洪\n军"), "control_characters"),
            ("carriage return in address", "POST", post, hb(address="高箭沟村\r三组"), "control_characters"),
            ("escape in head_name", "POST", post, hb(head_name="于\x1b[31m洪军"), "control_characters"),
            ("DEL in head_name", "POST", post, hb(head_name="于洪军\x7f"), "control_characters"),
            ("bell in a member name", "POST", post, mem(name="于\x07军"), "control_characters"),
            ("C1 control (NEL) in head_name", "POST", post, hb(head_name="于\u0085洪军"), "control_characters"),
            # phone, passbook
            ("phone with letters", "POST", post, hb(phone="138abc45678"), "invalid_phone"),
            ("phone too short", "POST", post, hb(phone="1234"), "invalid_phone"),
            ("phone too long", "POST", post, hb(phone="1" * 21), "invalid_phone"),
            ("phone with a plus inside", "POST", post, hb(phone="138+12345678"), "invalid_phone"),
            ("phone of full-width digits", "POST", post, hb(phone="１３８１２３４５６７８"), "invalid_phone"),
            ("passbook with a space", "POST", post, hb(passbook_no="39 01"), "invalid_passbook_no"),
            ("passbook in Chinese", "POST", post, hb(passbook_no="三九零一"), "invalid_passbook_no"),
            ("passbook of 33 characters", "POST", post, hb(passbook_no="9" * 33), "invalid_passbook_no"),
            ("empty passbook", "POST", post, hb(passbook_no=""), "invalid_passbook_no"),
            ("passbook with a slash", "POST", post, hb(passbook_no="39/01"), "invalid_passbook_no"),
            # groups
            ("group that does not exist", "POST", post, hb(group_id=999999), "invalid_group"),
            ("group_id 0", "POST", post, hb(group_id=0), "invalid_group"),
            ("negative group_id", "POST", post, hb(group_id=-3), "invalid_group"),
            # members
            ("member without relation", "POST", post, hb(members=[{"name": "于小军"}]), "invalid_member"),
            ("member with an extra key", "POST", post,
             hb(members=[{"name": "于小军", "relation": "儿子", "age": 9}]), "invalid_member"),
            ("member as a string", "POST", post, hb(members=["于小军"]), "invalid_member"),
            ("too many members", "POST", post,
             hb(members=[{"name": f"成员{i}", "relation": "亲属"} for i in range(100)]), "too_many_members"),
            # PATCH
            ("patch status to dead", "PATCH", "/api/v1/households/1", {"status": "dead"}, "invalid_status"),
            ("patch status in Chinese", "PATCH", "/api/v1/households/1", {"status": "已迁出"}, "invalid_status"),
            ("patch status uppercase", "PATCH", "/api/v1/households/1", {"status": "ACTIVE"}, "invalid_status"),
            ("patch group_id 0", "PATCH", "/api/v1/households/1", {"group_id": 0}, "invalid_group"),
            ("patch group_id as a string", "PATCH", "/api/v1/households/1", {"group_id": "2"}, "wrong_type"),
            ("patch unknown group", "PATCH", "/api/v1/households/1", {"group_id": 999999}, "invalid_group"),
            ("patch bad phone", "PATCH", "/api/v1/households/1", {"phone": "call me"}, "invalid_phone"),
            ("patch long head_name", "PATCH", "/api/v1/households/1", {"head_name": "王" * 33}, "too_long"),
            ("patch empty head_name", "PATCH", "/api/v1/households/1", {"head_name": ""}, "too_short"),
            ("patch unknown field", "PATCH", "/api/v1/households/1", {"balance": 9999}, "unknown_field"),
            ("patch members (not patchable here)", "PATCH", "/api/v1/households/1",
             {"members": []}, "unknown_field"),
            ("patch bad passbook", "PATCH", "/api/v1/households/1", {"passbook_no": "10 01"}, "invalid_passbook_no"),
            ("patch good and bad together", "PATCH", "/api/v1/households/1",
             {"address": "高箭沟村一组99号", "phone": "x"}, "invalid_phone"),
            ("member PATCH bad status", "PATCH", "/api/v1/members/1", {"status": "dead"}, "invalid_status"),
            ("member PATCH long name", "PATCH", "/api/v1/members/1", {"name": "宋" * 33}, "too_long"),
            ("member POST missing relation", "POST", "/api/v1/households/1/members", {"name": "王小顺"},
             "missing_field"),
            ("member POST control char", "POST", "/api/v1/households/1/members",
             {"name": "王\t小\n顺", "relation": "孙子"}, "control_characters"),
            # groups, users, villages
            ("group name empty", "POST", f"/api/v1/villages/{v}/groups", {"name": ""}, "too_short"),
            ("group name of 33 characters", "POST", f"/api/v1/villages/{v}/groups", {"name": "组" * 33}, "too_long"),
            ("group sort negative", "PATCH", "/api/v1/groups/1", {"sort": -1}, "invalid_sort"),
            ("group sort as a string", "PATCH", "/api/v1/groups/1", {"sort": "1"}, "wrong_type"),
            ("village rename empty", "PATCH", f"/api/v1/villages/{v}", {"name": ""}, "too_short"),
            ("village patch with nothing to change", "PATCH", f"/api/v1/villages/{v}", {}, "nothing_to_change"),
            ("user bad role", "POST", "/api/v1/users",
             {"username": "helper", "display_name": "某人", "role": "boss", "password": "Helper-pass-2024",
              "village_id": v}, "invalid_role"),
            ("user bad username", "POST", "/api/v1/users",
             {"username": "于洪军", "display_name": "于洪军", "role": "scorer", "password": "Helper-pass-2024",
              "village_id": v}, "invalid_username"),
            ("user bad phone", "POST", "/api/v1/users",
             {"username": "helper", "display_name": "某人", "role": "scorer", "password": "Helper-pass-2024",
              "phone": "phone", "village_id": v}, "invalid_phone"),
            ("user disabled as a string", "PATCH", "/api/v1/users/4", {"disabled": "true"}, "wrong_type"),
            ("user display_name too long", "PATCH", "/api/v1/users/4", {"display_name": "于" * 33}, "too_long"),
        ]
        run_cases(s, [(l, a, m, p, {"body": b}, 422, c) for l, m, p, b, c in cases], before, "422")

        # limits count characters, not bytes: 32 Chinese (96 bytes) and 32 four-byte (128 bytes) are fine
        for i, name in enumerate(("于" * 32, "𠀀" * 32, "a" * 32)):
            r = status(a.post(post, hb(passbook_no=f"390{i}", head_name=name, address="高" * 128,
                                       members=[{"name": "军" * 32, "relation": "儿" * 16}])),
                       201, f"head_name of 32 characters ({len(name.encode())} bytes)")
            eq(r.json["head_name"], name, "head_name stored whole")
            eq(r.json["address"], "高" * 128, "address of 128 characters")
        # a tab is not a control character for names
        status(a.post(post, hb(passbook_no="3909", head_name="于\t洪军")), 201, "tab in a name")
        # the other statuses are accepted
        status(a.patch("/api/v1/households/2", {"status": "moved_out"}), 200, "moved_out")
        status(a.patch("/api/v1/households/2", {"status": "active"}), 200, "back to active")
    finally:
        s.close()


def test_422_ids_of_another_village():
    s = Server()
    try:
        v2, g2 = make_second_village(s)
        county = s.login("county")
        h2 = status(county.post(f"/api/v1/villages/{v2}/households",
                                {"group_id": g2, "passbook_no": "5001", "head_name": "刘长山"}),
                    201, "household in village 2").json["id"]
        a = s.login("admin")
        v = s.village_id
        before = snapshot(s)
        cases = [
            ("create with village 2's group", "POST", f"/api/v1/villages/{v}/households",
             household_body(group_id=g2), "invalid_group"),
            ("move a household to village 2's group", "PATCH", "/api/v1/households/1",
             {"group_id": g2}, "invalid_group"),
            ("villager account on village 2's household", "POST", "/api/v1/users",
             {"display_name": "刘长山", "role": "villager", "pin": "381947", "village_id": v,
              "household_id": h2}, "invalid_household"),
        ]
        run_cases(s, [(l, a, m, p, {"body": b}, 422, c) for l, m, p, b, c in cases], before, "other village")
        # the county admin cannot mix them either: a group of village 2 in village 1
        r = county.post(f"/api/v1/villages/{v}/households", household_body(group_id=g2))
        check_error(r, 422, "invalid_group", "county admin, cross-village group")
        unchanged(s, before, "county admin, cross-village group")
        eq(s.sql("SELECT count(*) FROM households WHERE group_id=? AND village_id<>?", g2, v2)[0][0], 0,
           "no household of village 1 in village 2's group")
    finally:
        s.close()


# ---- Chinese text ----------------------------------------------------------

def test_chinese_text_round_trips():
    s = Server()
    try:
        a = s.login("admin")
        v = s.village_id
        head = "𠀀喆堃"
        addr = "高箭沟村三组17号（𪚥𠮷巷）"
        members = [{"name": "于堃", "relation": "儿子"}, {"name": "𠮷喆", "relation": "孙女"}]
        r = status(a.post(f"/api/v1/villages/{v}/households",
                          household_body(passbook_no="3917", head_name=head, address=addr, members=members)),
                   201, "create")
        hid = r.json["id"]
        for got, label in ((r.json, "create reply"), (a.get(f"/api/v1/households/{hid}").json, "GET")):
            eq(got["head_name"], head, f"{label}: head_name")
            eq(got["address"], addr, f"{label}: address")
            eq([(m["name"], m["relation"]) for m in got["members"]],
               [(m["name"], m["relation"]) for m in members], f"{label}: members")
        # the bytes in the database are the UTF-8 of the text, 4-byte characters included
        row = s.sql("SELECT head_name, address, hex(head_name) FROM households WHERE id=?", hid)[0]
        eq(row[:2], (head, addr), "database text")
        eq(row[2], head.encode("utf-8").hex().upper(), "database bytes")
        # searching by a rare character finds it, exactly once
        r = status(a.get(f"/api/v1/villages/{v}/households?q={quote('𠀀')}"), 200, "search 𠀀")
        eq([h["id"] for h in r.json["items"]], [hid], "search by 𠀀")
        # the raw response is UTF-8 (not \\u escapes that a client must undo) and decodes back
        raw = a.get(f"/api/v1/households/{hid}").body
        if head.encode("utf-8") not in raw:
            raise AssertionError("the response does not carry the name as UTF-8 bytes")
        # PATCH with rare characters, members too
        status(a.patch(f"/api/v1/households/{hid}", {"head_name": "堃𠀀"}), 200, "patch name")
        m = status(a.post(f"/api/v1/households/{hid}/members", {"name": "喆喆", "relation": "孙子"}), 201,
                   "add member").json
        eq(m["members"][-1]["name"], "喆喆", "member name")
        eq(a.get(f"/api/v1/households/{hid}").json["head_name"], "堃𠀀", "patched name")
        # a group name with a rare character
        g = status(a.post(f"/api/v1/villages/{v}/groups", {"name": "𠀀组"}), 201, "group").json
        eq(g["name"], "𠀀组", "group name")
        eq([x["name"] for x in a.get(f"/api/v1/villages/{v}/groups").json["items"]].count("𠀀组"), 1, "group list")
        # the escaped form in JSON (\\ud840\\udc00) is the same text
        r = status(a.post(f"/api/v1/villages/{v}/households",
                          raw=b'{"group_id":3,"passbook_no":"3918","head_name":"\\ud840\\udc00\\u5586"}',
                          headers={"Content-Type": "application/json"}), 201, "escaped surrogate pair")
        eq(r.json["head_name"], "𠀀喆", "escaped pair decoded")
    finally:
        s.close()


# ---- headers ---------------------------------------------------------------

def test_security_headers_on_every_response():
    s = Server()
    try:
        a = s.login("admin")
        cook = s.login("admin", use_cookie=True)
        v = s.village_id
        api = [
            ("health", s.anon().get("/api/v1/health")),
            ("list", a.get(f"/api/v1/villages/{v}/households")),
            ("HEAD", a.request("HEAD", "/api/v1/households/1")),
            ("create", a.post(f"/api/v1/villages/{v}/households", household_body())),
            ("login", s.anon().post("/api/v1/session", {"username": "scorer", "password": "Gaojiangou-2024"})),
            ("400", a.post(f"/api/v1/villages/{v}/households", raw=b"{")),
            ("401", s.anon().get("/api/v1/households/1")),
            ("401 bad password", s.anon().post("/api/v1/session", {"username": "clerk", "password": "nope-nope-1"})),
            ("403", s.login_villager("1001").get("/api/v1/households/2")),
            ("403 csrf", type(cook)(s, cookie=cook.cookie).post(f"/api/v1/villages/{v}/groups", {"name": "六组"})),
            ("404", a.get("/api/v1/nothing")),
            ("405", a.request("PUT", "/api/v1/households/1")),
            ("409", a.post(f"/api/v1/villages/{v}/households", household_body())),
            ("413", a.post(f"/api/v1/villages/{v}/households", household_body(address="x" * 70000))),
            ("422", a.post(f"/api/v1/villages/{v}/households", household_body(group_id="3"))),
        ]
        for label, r in api:
            check_security_headers(r, label)
        # the web UI's files carry them too (but may be cached)
        for path in ("/", "/households", "/assets/missing.css"):
            r = s.anon().get(path)
            check_security_headers(r, path, api=False)
        # Content-Type of the API is JSON in UTF-8
        eq(api[1][1].header("Content-Type"), "application/json; charset=utf-8", "API Content-Type")
    finally:
        s.close()


def test_header_fields_too_large():
    """libmicrohttpd 0.9.75 answers a request whose header does not fit the
    connection's memory (32 KiB here) with 431 Request Header Fields Too Large
    and closes; the server must go on serving."""
    s = Server()
    try:
        a = s.login("admin")
        before = snapshot(s)
        r = a.get("/api/v1/households/1", headers={"X-Padding": "a" * 65536})
        eq(r.status, 431, f"64 KiB header: {r}")
        # the same with many smaller header fields
        many = {f"X-Pad-{i}": "b" * 1000 for i in range(80)}
        r = a.get("/api/v1/households/1", headers=many)
        eq(r.status, 431, f"80 x 1 KB headers: {r}")
        # a 64 KiB cookie on a write
        body = json.dumps(household_body(), ensure_ascii=False).encode()
        r = raw_http(s, f"POST /api/v1/villages/{s.village_id}/households HTTP/1.1\r\nHost: x\r\n"
                        f"Authorization: Bearer {a.token}\r\nContent-Type: application/json\r\n"
                        f"Content-Length: {len(body)}\r\nCookie: x={'c' * 65536}\r\n\r\n".encode(), body)
        eq(r.status, 431, f"64 KiB cookie on a POST: {r}")
        # a very long URL
        r = a.get("/api/v1/households/1?q=" + "a" * 65536)
        if r.status not in (414, 431):
            raise AssertionError(f"64 KiB URL: {r}")
        unchanged(s, before, "431")
        # a normal-sized header (4 KiB) is fine, and the server goes on
        status(a.get("/api/v1/households/1", headers={"X-Padding": "a" * 4096}), 200, "4 KiB header")
        status(s.anon().get("/api/v1/health"), 200, "health after 431")
        for _ in range(5):
            status(a.get("/api/v1/households/1"), 200, "reads after 431")
    finally:
        s.close()


# ---- phone masking ---------------------------------------------------------

def test_phone_masked_in_lists_full_for_staff():
    s = Server()
    try:
        a = s.login("admin")
        v = s.village_id
        hid = status(a.post(f"/api/v1/villages/{v}/households",
                            household_body(passbook_no="3920", phone="13812345678")), 201, "create").json["id"]
        items = [h for p in (1, 2) for h in a.get(f"/api/v1/villages/{v}/households?per_page=200&page={p}").json["items"]]
        mine = [h for h in items if h["id"] == hid]
        eq(len(mine), 1, "new household in the list")
        eq(mine[0]["phone"], "138****5678", "masked in the list")
        all_items = items
        for h in all_items:
            p = h["phone"]
            if p and not re.fullmatch(r"\d{3}\*+\d{4}|\*+", p):
                raise AssertionError(f"household {h['id']}: phone not masked in the list: {p!r}")
        # the list never carries a full number the database holds
        full = {r[0] for r in s.sql("SELECT phone FROM households WHERE phone <> ''")}
        leaked = [h["phone"] for h in all_items if h["phone"] in full]
        eq(leaked, [], "full numbers in the list")
        # staff see the full number on the household itself
        for who in ("admin", "scorer", "clerk"):
            eq(s.login(who).get(f"/api/v1/households/{hid}").json["phone"], "13812345678", f"{who}: full phone")
        # search by the number works, but the result is still masked
        r = a.get(f"/api/v1/villages/{v}/households?q=13812345678").json
        if r["items"]:
            eq(r["items"][0]["phone"], "138****5678", "masked in search results")
        # a short number is masked whole
        status(a.patch(f"/api/v1/households/{hid}", {"phone": "24-681"}), 200, "short phone")
        r = a.get(f"/api/v1/villages/{v}/households?q=3920").json["items"]
        eq([h["phone"] for h in r if h["id"] == hid], ["******"], "short number masked whole")
    finally:
        s.close()


# ---- still healthy ---------------------------------------------------------

def test_healthy_after_abuse_and_no_duplicates():
    s = Server()
    try:
        a = s.login("admin")
        v = s.village_id
        post = f"/api/v1/villages/{v}/households"
        before = snapshot(s)
        # half-sent requests (a stalled upload, a cut header, a TLS hello) stay open meanwhile
        stalled = []
        for part in (b"POST " + post.encode() + b" HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n{\"gro",
                     b"GET /api/v1/health HTTP/1.1\r\nHo", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"):
            sock = socket.create_connection(("127.0.0.1", s.port), timeout=5)
            sock.sendall(part)
            stalled.append(sock)
        junk = [b"", b"{", b"[]", b"\xff\xfe", b"{" * 5000 + b"}" * 5000, b'{"a":' * 2000,
                b'"' + b"\\u" * 3000 + b'"', b"0" * 60000, b'{"group_id":1e400}',
                b'{"members":[' + b"[" * 3000 + b"]" * 3000 + b"]}"]
        for body in junk:
            r = a.post(post, raw=body, headers={"Content-Type": "application/json"})
            if r.status not in (400, 413, 422):
                raise AssertionError(f"junk body {body[:40]!r}: {r}")
            check_error(r, r.status, None, f"junk body {body[:40]!r}")
        # a request line that is not HTTP: an error status or a closed connection, nothing else
        sock = socket.create_connection(("127.0.0.1", s.port), timeout=5)
        sock.sendall(b"HELLO\r\n\r\n")
        reply = sock.recv(4096)
        sock.close()
        if reply and not re.match(rb"HTTP/1\.[01] [45]\d\d ", reply):
            raise AssertionError(f"garbage request line answered {reply[:100]!r}")
        for sock in stalled:
            sock.close()
        time.sleep(0.2)
        unchanged(s, before, "junk")
        status(s.anon().get("/api/v1/health"), 200, "health after junk")
        # the household created after all that appears exactly once, even when the create is repeated
        r = status(a.post(post, household_body(passbook_no="3999", head_name="于洪军")), 201, "create")
        hid = r.json["id"]
        check_error(a.post(post, household_body(passbook_no="3999", head_name="于洪军")), 409,
                    "passbook_taken", "repeat create")
        found = a.get(post + "?q=3999").json
        eq([h["id"] for h in found["items"]], [hid], "search by passbook")
        eq(found["total"], 1, "total for the passbook")
        total = a.get(post).json["total"]
        eq(total, 223, "households after one create")
        ids = [h["id"] for p in (1, 2) for h in a.get(post + f"?per_page=200&page={p}").json["items"]]
        eq(ids.count(hid), 1, "the new household in the pages")
        eq(len(ids), len(set(ids)), "no household twice across pages")
        eq(s.sql("SELECT count(*) FROM households WHERE village_id=? AND passbook_no='3999'", v)[0][0], 1,
           "rows in the database")
        eq(s.sql("SELECT count(*) FROM audit_log WHERE entity='household' AND entity_id=?", hid)[0][0], 1,
           "audit rows of the new household")
        status(s.anon().get("/api/v1/health"), 200, "health at the end")
    finally:
        s.close()


if __name__ == "__main__":
    run(globals())
