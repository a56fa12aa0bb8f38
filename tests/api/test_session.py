"""Sign-in and sessions: the three ways to log in, logout, one answer for every
wrong credential, throttling per account and per address, idle and absolute
session expiry, disabled accounts and password resets, how tokens and passwords
are stored, session rotation, CSRF on cookie sessions, the password and PIN
policy, and the audit trail of every login and logout.

Every response of this file is checked for password or PIN hashes (none may
ever leave the server)."""
import glob
import hashlib
import json
import re
import time

from harness import DEMO_PASSWORD, DEMO_PIN, Client, Server, eq, run, status

ARGON2 = re.compile(r"^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$")
BAD_CREDENTIALS = "账号或密码不正确"

_request = Client.request


def _checked_request(self, method, path, **kw):
    """Client.request, and no response ever carries a password or PIN hash."""
    r = _request(self, method, path, **kw)
    for mark in ("$argon2", "password_hash", "pin_hash"):
        if mark in r.text:
            raise AssertionError(f"{method} {path} leaks {mark!r}: {r.text[:400]}")
    return r


Client.request = _checked_request


# ---- helpers ----------------------------------------------------------------

def login_raw(s, body, client=None):
    return (client or s.anon()).post("/api/v1/session", body)


def user_login(s, username, password=DEMO_PASSWORD, client=None):
    return login_raw(s, {"username": username, "password": password}, client)


def pin_login(s, passbook, pin=DEMO_PIN, village_id=None):
    return login_raw(s, {"village_id": village_id or s.village_id, "passbook_no": passbook,
                         "pin": pin})


def cookie_of(r):
    """The value of the jifen_session cookie a response sets."""
    sc = r.header("Set-Cookie")
    assert sc and sc.startswith("jifen_session="), f"no session cookie in {r.headers}"
    return sc.split(";")[0].split("=", 1)[1]


def cookie_attrs(r):
    sc = r.header("Set-Cookie")
    return {p.strip().split("=")[0].lower(): (p.strip().split("=", 1) + [""])[1]
            for p in sc.split(";")[1:]}


def household_id(s, admin, passbook):
    r = status(admin.get(f"/api/v1/villages/{s.village_id}/households?per_page=200"), 200, "list")
    for h in r.json["items"]:
        if h["passbook_no"] == passbook:
            return h["id"]
    raise AssertionError(f"no household {passbook}")


def user_id(s, username):
    return s.sql("SELECT id FROM users WHERE username = ?", username)[0][0]


def expect_error(resp, http_status, code, what, zh=None):
    status(resp, http_status, what)
    eq(resp.error_code, code, what + " (code)")
    if zh is not None:
        assert zh in resp.json["error"]["message"], f"{what}: message lacks {zh!r}: {resp}"
    return resp


def audit_rows(s, action):
    return s.sql("SELECT user_id, ip, village_id, entity, entity_id, summary FROM audit_log"
                 " WHERE action = ? ORDER BY id", action)


def with_server(args=(), **kw):
    """Decorator: runs the test with a fresh demo server, closed afterwards."""
    def wrap(fn):
        def test():
            s = Server(args=args, **kw)
            try:
                fn(s)
            finally:
                s.close()
        test.__name__ = fn.__name__
        return test
    return wrap


# ---- the three ways to log in ---------------------------------------------------

@with_server()
def test_login_with_username_and_password(s):
    r = status(user_login(s, "admin"), 201, "staff login")
    j = r.json
    eq(len(j["token"]), 43, "token length (256 bits, base64url)")
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", j["token"]), j["token"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", j["csrf_token"]), j["csrf_token"]
    assert j["token"] != j["csrf_token"], "csrf token must differ from the session token"
    eq(j["user"]["username"], "admin", "user")
    eq(j["user"]["role"], "village_admin", "role")
    eq(j["user"]["village_id"], s.village_id, "village")
    eq(j["user"]["display_name"], "高建民", "display name")
    assert "password" not in j["user"] and "pin" not in j["user"], j["user"]
    # the cookie carries the same token, HttpOnly and SameSite=Strict, for the whole lifetime
    eq(cookie_of(r), j["token"], "cookie value")
    attrs = cookie_attrs(r)
    assert "httponly" in attrs, f"cookie not HttpOnly: {r.header('Set-Cookie')}"
    eq(attrs.get("samesite"), "Strict", "SameSite")
    eq(attrs.get("path"), "/", "cookie path")
    eq(attrs.get("max-age"), "604800", "cookie Max-Age (7 days by default)")
    assert "secure" not in attrs, "Secure only with --secure-cookies"
    eq(r.header("Cache-Control"), "no-store", "a login answer is never cached")
    # the session answers who is asking, by bearer and by cookie
    me = Client(s, token=j["token"])
    g = status(me.get("/api/v1/session"), 200, "session by bearer")
    eq(g.json["user"]["id"], j["user"]["id"], "same user")
    eq(g.json["csrf_token"], j["csrf_token"], "same csrf token")
    eq(g.json["expires_at"], j["expires_at"], "same expiry")
    assert "token" not in g.json, "GET /session must not hand out the token again"
    g2 = status(Client(s, cookie=j["token"]).get("/api/v1/session"), 200, "session by cookie")
    eq(g2.json["user"]["username"], "admin", "cookie user")
    # a second login is a second, independent session
    r2 = status(user_login(s, "admin"), 201, "second login")
    assert r2.json["token"] != j["token"], "tokens must be fresh per login"
    status(me.get("/api/v1/session"), 200, "first session still alive")


@with_server()
def test_login_with_phone_and_password(s):
    admin = s.login("admin")
    hid = household_id(s, admin, "1002")
    r = status(admin.post("/api/v1/users", {
        "display_name": "王树林", "role": "villager", "village_id": s.village_id,
        "household_id": hid, "phone": "13841012345", "password": "Shulin-1968-gjg"}),
        201, "create villager with phone")
    vid = r.json["id"]
    eq(r.json["has_pin"], False, "no PIN")
    r = status(login_raw(s, {"phone": "13841012345", "password": "Shulin-1968-gjg"}), 201,
               "phone login")
    eq(r.json["user"]["id"], vid, "user id")
    eq(r.json["user"]["role"], "villager", "role")
    eq(r.json["user"]["household_id"], hid, "household")
    eq(r.json["user"]["phone"], "13841012345", "own phone shown in full")
    assert r.header("Set-Cookie").startswith("jifen_session="), r.headers
    g = status(Client(s, token=r.json["token"]).get("/api/v1/session"), 200, "who am I")
    eq(g.json["user"]["display_name"], "王树林", "name")
    # a wrong password for the phone, and a phone nobody has: the common answer
    expect_error(login_raw(s, {"phone": "13841012345", "password": "Shulin-1968-GJG"}), 401,
                 "bad_credentials", "wrong password by phone", BAD_CREDENTIALS)
    expect_error(login_raw(s, {"phone": "13841099999", "password": "Shulin-1968-gjg"}), 401,
                 "bad_credentials", "unknown phone", BAD_CREDENTIALS)
    # staff with a phone may use it as well (the demo admin has one)
    r = status(login_raw(s, {"phone": "13904100001", "password": DEMO_PASSWORD}), 201,
               "staff phone login")
    eq(r.json["user"]["username"], "admin", "admin by phone")
    # the phone-login villager has no PIN, so the passbook way is closed for 1002
    expect_error(pin_login(s, "1002", "860307"), 401, "bad_credentials", "no PIN account")


@with_server()
def test_login_with_passbook_and_pin(s):
    r = status(pin_login(s, "1001"), 201, "villager login")
    u = r.json["user"]
    eq(u["role"], "villager", "role")
    eq(u["display_name"], "王福顺", "head of household 1001")
    eq(u["username"], None, "villagers have no user name")
    eq(u["village_id"], s.village_id, "village")
    admin = s.login("admin")
    eq(u["household_id"], household_id(s, admin, "1001"), "household of passbook 1001")
    eq(cookie_of(r), r.json["token"], "cookie")
    g = status(Client(s, token=r.json["token"]).get("/api/v1/session"), 200, "who am I")
    eq(g.json["user"]["household_id"], u["household_id"], "session household")
    # the same passbook number in another village is another account
    expect_error(pin_login(s, "1001", village_id=s.village_id + 100), 401, "bad_credentials",
                 "unknown village", BAD_CREDENTIALS)


# ---- logout ----------------------------------------------------------------------------

@with_server()
def test_logout_ends_the_session_and_clears_the_cookie(s):
    scorer = s.login("scorer")
    status(scorer.get("/api/v1/session"), 200, "before logout")
    r = status(scorer.delete("/api/v1/session"), 200, "logout by bearer")
    eq(r.json, {"ok": True}, "logout answer")
    expect_error(scorer.get("/api/v1/session"), 401, "not_logged_in", "token after logout", "请先登录")
    expect_error(scorer.delete("/api/v1/session"), 401, "not_logged_in", "second logout")
    eq(s.sql("SELECT count(*) FROM sessions WHERE user_id = ?", user_id(s, "scorer"))[0][0], 0,
       "session rows left")
    # the cookie way: logout needs the CSRF token and answers with an expired cookie
    c = s.login("clerk", use_cookie=True)
    r = status(c.delete("/api/v1/session"), 200, "logout by cookie")
    sc = r.header("Set-Cookie")
    assert sc and sc.startswith("jifen_session=;"), f"cookie not cleared: {sc}"
    eq(cookie_attrs(r).get("max-age"), "0", "cleared cookie Max-Age")
    expect_error(c.get("/api/v1/session"), 401, "not_logged_in", "cookie after logout")
    # without a session there is nothing to log out
    expect_error(s.anon().delete("/api/v1/session"), 401, "not_logged_in", "anonymous logout")


@with_server()
def test_unknown_or_malformed_tokens_are_refused(s):
    anon = s.anon()
    expect_error(anon.get("/api/v1/session"), 401, "not_logged_in", "no token", "请先登录")
    fake = "A" * 43
    expect_error(Client(s, token=fake).get("/api/v1/session"), 401, "not_logged_in", "unknown token")
    r = expect_error(Client(s, cookie=fake).get("/api/v1/session"), 401, "not_logged_in",
                     "unknown cookie")
    assert (r.header("Set-Cookie") or "").startswith("jifen_session=;"), \
        f"a dead cookie should be cleared: {r.headers}"
    real = s.login("admin").token
    for bad in ("Bearer " + real[:-1], "Bearer " + real + "x", "Basic " + real, real):
        h = {"Authorization": bad}
        expect_error(anon.get("/api/v1/session", headers=h), 401, "not_logged_in", f"header {bad[:12]}")
    status(anon.get("/api/v1/session", headers={"Authorization": "Bearer " + real}), 200, "the real one")


# ---- wrong credentials ---------------------------------------------------------------------

@with_server()
def test_wrong_credentials_get_one_answer(s):
    attempts = {
        "wrong password": {"username": "admin", "password": "Gaojiangou-2025"},
        "password of another case": {"username": "admin", "password": DEMO_PASSWORD.upper()},
        "unknown user": {"username": "yuhongjun", "password": DEMO_PASSWORD},
        "empty password": {"username": "scorer", "password": ""},
        "wrong PIN": {"village_id": s.village_id, "passbook_no": "1001", "pin": "270519"},
        "unknown passbook": {"village_id": s.village_id, "passbook_no": "9999", "pin": DEMO_PIN},
        "passbook without PIN account": {"village_id": s.village_id, "passbook_no": "3017",
                                         "pin": DEMO_PIN},
        "unknown phone": {"phone": "13800000000", "password": DEMO_PASSWORD},
    }
    bodies = set()
    for what, body in attempts.items():
        r = expect_error(login_raw(s, body), 401, "bad_credentials", what, BAD_CREDENTIALS)
        assert r.header("Set-Cookie") is None, f"{what}: a failed login sets no cookie"
        bodies.add(r.text)
    eq(len(bodies), 1, "every wrong credential answers the very same body")
    # nor does the time tell: an unknown account costs a password hash as a known one does
    def median_time(body):
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            status(login_raw(s, body), 401, "timed failure")
            times.append(time.perf_counter() - t0)
        return sorted(times)[1]
    known = median_time({"username": "scorer", "password": "Wrong-pass-8"})
    unknown = median_time({"username": "gaojianguo", "password": "Wrong-pass-8"})
    assert unknown > 0.4 * known, f"unknown account answers in {unknown:.3f} s, known in {known:.3f} s"


@with_server()
def test_mixed_or_incomplete_login_bodies_are_422(s):
    v = s.village_id
    cases = [
        ("username only", {"username": "admin"}),
        ("password only", {"password": DEMO_PASSWORD}),
        ("username and pin", {"username": "admin", "pin": DEMO_PIN}),
        ("username, phone and password", {"username": "admin", "phone": "13904100001",
                                          "password": DEMO_PASSWORD}),
        ("passbook without village", {"passbook_no": "1001", "pin": DEMO_PIN}),
        ("passbook with village 0", {"village_id": 0, "passbook_no": "1001", "pin": DEMO_PIN}),
        ("passbook without pin", {"village_id": v, "passbook_no": "1001"}),
        ("passbook with password", {"village_id": v, "passbook_no": "1001",
                                    "password": DEMO_PIN}),
        ("passbook, pin and password", {"village_id": v, "passbook_no": "1001", "pin": DEMO_PIN,
                                        "password": DEMO_PASSWORD}),
        ("pin with username and password", {"username": "admin", "password": DEMO_PASSWORD,
                                            "pin": DEMO_PIN}),
        ("nothing", {}),
    ]
    for what, body in cases:
        expect_error(login_raw(s, body), 422, "bad_login", what, "登录")
    expect_error(login_raw(s, {"username": "admin", "password": 20240101}), 422, "wrong_type",
                 "password as a number")
    expect_error(login_raw(s, {"username": "admin", "password": DEMO_PASSWORD, "remember": True}),
                 422, "unknown_field", "unknown field")
    expect_error(login_raw(s, {"username": "admin", "password": "x" * 600}), 422, "too_long",
                 "overlong password")
    # none of these counted as a failed login of the account
    status(user_login(s, "admin"), 201, "admin still logs in")
    eq(len(audit_rows(s, "login_failed")), 0, "malformed bodies are not failed logins")


# ---- throttling -------------------------------------------------------------------------------

@with_server()
def test_account_throttle_after_five_failures(s):
    # below the limit, a good login clears the count
    for _ in range(4):
        expect_error(user_login(s, "scorer", "Wrong-pass-1"), 401, "bad_credentials", "failure")
    status(user_login(s, "scorer"), 201, "good login after 4 failures")
    for _ in range(4):
        expect_error(user_login(s, "scorer", "Wrong-pass-2"), 401, "bad_credentials", "failure")
    status(user_login(s, "scorer"), 201, "the count started over")
    # five failures in a row: the sixth attempt waits, even with the right password
    for i in range(5):
        expect_error(user_login(s, "scorer", "Wrong-pass-3"), 401, "bad_credentials", f"failure {i + 1}")
    for what, pw in (("wrong", "Wrong-pass-3"), ("right", DEMO_PASSWORD)):
        r = expect_error(user_login(s, "scorer", pw), 429, "too_many_attempts",
                         f"{what} password while throttled", "登录失败次数太多")
        ra = r.header("Retry-After")
        assert ra and ra.isdigit() and 0 < int(ra) <= 900, f"Retry-After {ra!r}"
        assert r.header("Set-Cookie") is None, "no session while throttled"
    # the throttle is per account: others log in from the same address
    status(user_login(s, "clerk"), 201, "another account")
    status(pin_login(s, "1001"), 201, "a villager")
    # villagers' passbooks are accounts too
    for _ in range(5):
        expect_error(pin_login(s, "1001", "270517"), 401, "bad_credentials", "wrong PIN")
    r = expect_error(pin_login(s, "1001"), 429, "too_many_attempts", "right PIN while throttled")
    assert int(r.header("Retry-After")) > 0, r.headers


@with_server(args=["--login-failures-ip", "3"])
def test_address_throttle_across_accounts(s):
    for name in ("zhangsan", "lisi", "wangwu"):
        expect_error(user_login(s, name, "Wrong-pass-9"), 401, "bad_credentials", name)
    r = expect_error(user_login(s, "admin"), 429, "too_many_attempts",
                     "a fourth account from the same address", "登录失败次数太多")
    assert int(r.header("Retry-After")) > 0, r.headers
    expect_error(pin_login(s, "1001"), 429, "too_many_attempts", "a villager from the same address")


@with_server(args=["--login-failures", "2", "--login-window", "2"])
def test_throttle_lifts_after_the_window(s):
    for _ in range(2):
        expect_error(user_login(s, "admin", "Wrong-pass-0"), 401, "bad_credentials", "failure")
    r = expect_error(user_login(s, "admin"), 429, "too_many_attempts", "throttled")
    wait = int(r.header("Retry-After"))
    assert 0 < wait <= 2, f"Retry-After {wait} beyond the 2 s window"
    time.sleep(wait)  # a client that waits exactly as told gets in
    status(user_login(s, "admin"), 201, f"login after Retry-After {wait} s")


# ---- session expiry ---------------------------------------------------------------------------

@with_server(args=["--session-idle", "2"])
def test_idle_session_expires(s):
    idle = s.login("scorer")
    busy = s.login("clerk")
    t0 = time.time()
    while time.time() - t0 < 4.0:
        status(busy.get("/api/v1/session"), 200, f"busy session at {time.time() - t0:.1f} s")
        time.sleep(0.6)
    expect_error(idle.get("/api/v1/session"), 401, "session_expired",
                 "session unused for 4 s", "登录已过期")
    expect_error(idle.get("/api/v1/session"), 401, "not_logged_in", "expired session is gone")
    status(busy.get("/api/v1/session"), 200, "the busy session lives on")
    eq(s.sql("SELECT count(*) FROM sessions WHERE user_id = ?", user_id(s, "scorer"))[0][0], 0,
       "expired session row removed")
    status(user_login(s, "scorer"), 201, "log in again")


@with_server(args=["--session-lifetime", "3"])
def test_session_lifetime_is_absolute(s):
    r = status(user_login(s, "admin"), 201, "login")
    eq(cookie_attrs(r).get("max-age"), "3", "cookie Max-Age follows the lifetime")
    c = Client(s, token=r.json["token"])
    t0 = time.time()
    while time.time() - t0 < 2.0:
        status(c.get("/api/v1/session"), 200, "within the lifetime")
        time.sleep(0.5)
    time.sleep(max(0.0, 3.2 - (time.time() - t0)))
    expect_error(c.get("/api/v1/session"), 401, "session_expired", "used, but past the lifetime",
                 "登录已过期")


# ---- disabled users and password resets ------------------------------------------------------------

@with_server()
def test_disabled_user_is_locked_out_at_once(s):
    admin = s.login("admin")
    scorer = s.login("scorer")
    sid = scorer.user["id"]
    r = status(admin.patch(f"/api/v1/users/{sid}", {"disabled": True}), 200, "disable")
    eq(r.json["disabled"], True, "disabled flag")
    expect_error(scorer.get("/api/v1/session"), 401, "not_logged_in", "token of a disabled user")
    expect_error(user_login(s, "scorer"), 401, "account_disabled", "login while disabled", "停用")
    # a wrong password for a disabled account reveals nothing more
    expect_error(user_login(s, "scorer", "Wrong-pass-7"), 401, "bad_credentials", "wrong password")
    # one cannot disable oneself
    expect_error(admin.patch(f"/api/v1/users/{admin.user['id']}", {"disabled": True}), 403,
                 "forbidden", "disable self")
    # a clerk cannot re-enable anyone
    expect_error(s.login("clerk").patch(f"/api/v1/users/{sid}", {"disabled": False}), 403,
                 "forbidden", "clerk re-enables scorer")
    r = status(admin.patch(f"/api/v1/users/{sid}", {"disabled": False}), 200, "re-enable")
    eq(r.json["disabled"], False, "enabled flag")
    expect_error(scorer.get("/api/v1/session"), 401, "not_logged_in", "old token stays dead")
    back = status(user_login(s, "scorer"), 201, "login after re-enable")
    status(Client(s, token=back.json["token"]).get("/api/v1/session"), 200, "new session")
    # a disabled villager (PIN login) is refused too
    vid = s.login_villager("1001").user["id"]
    status(admin.patch(f"/api/v1/users/{vid}", {"disabled": True}), 200, "disable villager")
    expect_error(pin_login(s, "1001"), 401, "account_disabled", "villager while disabled")


@with_server()
def test_password_reset_by_admin_ends_sessions(s):
    admin = s.login("admin")
    a = s.login("scorer")
    b = s.login("scorer", use_cookie=True)
    sid = a.user["id"]
    status(admin.patch(f"/api/v1/users/{sid}", {"password": "Yuxiumei-pf-2024"}), 200, "reset")
    expect_error(a.get("/api/v1/session"), 401, "not_logged_in", "bearer session after reset")
    expect_error(b.get("/api/v1/session"), 401, "not_logged_in", "cookie session after reset")
    expect_error(user_login(s, "scorer"), 401, "bad_credentials", "old password")
    status(user_login(s, "scorer", "Yuxiumei-pf-2024"), 201, "new password")
    status(admin.get("/api/v1/session"), 200, "the admin's own session is untouched")
    # a PIN reset ends the villager's sessions the same way
    v = s.login_villager("1001")
    status(admin.patch(f"/api/v1/users/{v.user['id']}", {"pin": "860307"}), 200, "PIN reset")
    expect_error(v.get("/api/v1/session"), 401, "not_logged_in", "villager after PIN reset")
    expect_error(pin_login(s, "1001"), 401, "bad_credentials", "old PIN")
    status(pin_login(s, "1001", "860307"), 201, "new PIN")


@with_server()
def test_own_password_change_needs_the_current_one(s):
    me = s.login("clerk")
    other = s.login("clerk")
    uid = me.user["id"]
    expect_error(me.patch(f"/api/v1/users/{uid}", {"password": "Wangdesheng-2024"}), 403,
                 "wrong_current_password", "no current password", "当前密码不正确")
    expect_error(me.patch(f"/api/v1/users/{uid}", {"password": "Wangdesheng-2024",
                                                   "current_password": "Gaojiangou-2023"}),
                 403, "wrong_current_password", "wrong current password")
    expect_error(me.patch(f"/api/v1/users/{uid}", {"password": "woaini1314",
                                                   "current_password": DEMO_PASSWORD}),
                 422, "password_common", "common new password")
    status(me.patch(f"/api/v1/users/{uid}", {"password": "Wangdesheng-2024",
                                              "current_password": DEMO_PASSWORD}), 200, "change")
    status(me.get("/api/v1/session"), 200, "own session survives an own change")
    expect_error(user_login(s, "clerk"), 401, "bad_credentials", "old password")
    status(user_login(s, "clerk", "Wangdesheng-2024"), 201, "new password")
    status(other.get("/api/v1/session"), 200, "other session")
    # one cannot change someone else's password without being their admin
    expect_error(me.patch(f"/api/v1/users/{user_id(s, 'scorer')}",
                          {"password": "Yuxiumei-pf-2024", "current_password": DEMO_PASSWORD}),
                 403, "forbidden", "clerk sets scorer's password")
    # a villager changes the PIN with the current PIN
    v = s.login_villager("1001")
    vid = v.user["id"]
    expect_error(v.patch(f"/api/v1/users/{vid}", {"pin": "860307"}), 403,
                 "wrong_current_password", "PIN change without current")
    status(v.patch(f"/api/v1/users/{vid}", {"pin": "860307", "current_password": DEMO_PIN}), 200,
           "PIN change")
    status(pin_login(s, "1001", "860307"), 201, "new PIN")


# ---- storage of secrets ---------------------------------------------------------------------------

def _db_bytes(s):
    data = b""
    for path in sorted(glob.glob(s.db + "*")):
        with open(path, "rb") as f:
            data += f.read()
    return data


@with_server()
def test_tokens_and_passwords_are_stored_hashed(s):
    tokens = [s.login("admin").token, s.login_villager("1001").token,
              s.login("scorer", use_cookie=True).cookie]
    rows = s.sql("SELECT token_hash, csrf_token FROM sessions ORDER BY id")
    eq(len(rows), 3, "session rows")
    for tok, (th, _csrf) in zip(tokens, rows):
        assert re.fullmatch(r"[0-9a-f]{64}", th), f"token_hash {th!r} is not 64 hex"
        eq(th, hashlib.sha256(tok.encode()).hexdigest(), "token_hash is the SHA-256 of the token")
    cols = [r[1] for r in s.sql("PRAGMA table_info(sessions)")]
    for tok in tokens:
        hits = s.sql("SELECT count(*) FROM sessions WHERE " +
                     " OR ".join(f"CAST({c} AS TEXT) LIKE ?" for c in cols),
                     *(["%" + tok + "%"] * len(cols)))[0][0]
        eq(hits, 0, "raw token in the sessions table")
    raw = _db_bytes(s)
    for tok in tokens:
        assert tok.encode() not in raw, "a raw session token is in the database files"
    # passwords and PINs: argon2id with the OWASP parameters, never the plain text
    admin = s.login("admin")
    status(admin.post("/api/v1/users", {
        "username": "yuhongjun", "display_name": "于洪军", "role": "scorer",
        "village_id": s.village_id, "password": "Yuhongjun-2024-pf"}), 201, "new scorer")
    for username, pw_hash, pin_hash in s.sql("SELECT username, password_hash, pin_hash FROM users"):
        for h in (pw_hash, pin_hash):
            if h is not None:
                assert ARGON2.match(h), f"{username}: stored secret {h[:40]!r} is not argon2id(m=19456,t=2,p=1)"
        assert pw_hash or pin_hash, f"{username}: no secret at all"
    salts = [h.split("$")[4] for (h,) in s.sql("SELECT password_hash FROM users WHERE password_hash IS NOT NULL")]
    eq(len(salts), len(set(salts)), "every hash has its own salt")
    raw = _db_bytes(s)
    for secret in (DEMO_PASSWORD, "Yuhongjun-2024-pf"):
        assert secret.encode() not in raw, f"plain password {secret} in the database files"


# ---- rotation -----------------------------------------------------------------------------------------

@with_server()
def test_login_again_rotates_the_session(s):
    # bearer
    old = s.login("admin")
    r = status(user_login(s, "admin", client=old), 201, "login with a bearer session")
    assert r.json["token"] != old.token, "a new token"
    expect_error(old.get("/api/v1/session"), 401, "not_logged_in", "old bearer token")
    status(Client(s, token=r.json["token"]).get("/api/v1/session"), 200, "new token")
    # cookie
    oldc = s.login("scorer", use_cookie=True)
    r = status(user_login(s, "scorer", client=Client(s, cookie=oldc.cookie)), 201,
               "login with a session cookie")
    assert cookie_of(r) != oldc.cookie, "a new cookie"
    assert r.json["csrf_token"] != oldc.csrf, "a new CSRF token"
    expect_error(oldc.get("/api/v1/session"), 401, "not_logged_in", "old cookie")
    # logging in as someone else from the same browser ends the first user's session
    clerk = s.login("clerk", use_cookie=True)
    r = status(user_login(s, "admin", client=Client(s, cookie=clerk.cookie)), 201, "switch user")
    expect_error(clerk.get("/api/v1/session"), 401, "not_logged_in", "clerk's session")
    eq(r.json["user"]["username"], "admin", "now admin")
    eq(s.sql("SELECT count(*) FROM sessions")[0][0], 3, "only the three newest sessions live")


# ---- CSRF ----------------------------------------------------------------------------------------------

@with_server()
def test_cookie_sessions_need_the_csrf_token(s):
    c = s.login("admin", use_cookie=True)
    uid = c.user["id"]
    bare = Client(s, cookie=c.cookie)  # the cookie alone, as a forged cross-site form would send
    expect_error(bare.patch(f"/api/v1/users/{uid}", {"display_name": "高建国"}), 403, "csrf",
                 "PATCH without X-CSRF-Token", "X-CSRF-Token")
    expect_error(bare.post(f"/api/v1/villages/{s.village_id}/groups", {"name": "六组"}), 403,
                 "csrf", "POST without X-CSRF-Token")
    expect_error(bare.delete("/api/v1/session"), 403, "csrf", "logout without X-CSRF-Token")
    other = s.login("admin", use_cookie=True)
    expect_error(bare.patch(f"/api/v1/users/{uid}", {"display_name": "高建国"},
                            headers={"X-CSRF-Token": other.csrf}), 403, "csrf",
                 "another session's CSRF token")
    expect_error(bare.patch(f"/api/v1/users/{uid}", {"display_name": "高建国"},
                            headers={"X-CSRF-Token": ""}), 403, "csrf", "empty CSRF token")
    eq(s.sql("SELECT display_name FROM users WHERE id = ?", uid)[0][0], "高建民", "nothing changed")
    eq(s.sql("SELECT count(*) FROM villager_groups WHERE name = '六组'")[0][0], 0, "no group")
    # GET needs none
    status(bare.get("/api/v1/session"), 200, "GET with the cookie alone")
    status(bare.get(f"/api/v1/users/{uid}"), 200, "GET user with the cookie alone")
    # with the right token the write goes through
    r = status(c.patch(f"/api/v1/users/{uid}", {"display_name": "高建国"}), 200, "PATCH with CSRF")
    eq(r.json["display_name"], "高建国", "renamed")
    status(c.post(f"/api/v1/villages/{s.village_id}/groups", {"name": "六组"}), 201, "POST with CSRF")
    # bearer requests need none: a page of another site cannot set the header
    b = s.login("admin")
    status(b.patch(f"/api/v1/users/{uid}", {"display_name": "高建民"}), 200, "bearer PATCH")
    status(c.delete("/api/v1/session"), 200, "logout with CSRF")
    expect_error(bare.get("/api/v1/session"), 401, "not_logged_in", "after logout")


# ---- password and PIN policy --------------------------------------------------------------------------

@with_server()
def test_password_policy(s):
    admin = s.login("admin")

    def new_scorer(username, password):
        return admin.post("/api/v1/users", {"username": username, "display_name": "于洪军",
                                            "role": "scorer", "village_id": s.village_id,
                                            "password": password})

    for pw, code in (("Gjg-24", "password_too_short"), ("高箭沟村积分", "password_too_short"),
                     ("1234567", "password_too_short"), ("12345678", "password_common"),
                     ("woaini1314", "password_common"), ("password", "password_common"),
                     ("PassWord", "password_common"), ("aaaaaaaaaaaa", "password_common"),
                     ("好" * 10, "password_common"),
                     ("yuhongjun", "password_is_username"), ("x" * 129, "password_too_long")):
        expect_error(new_scorer("yuhongjun", pw), 422, code, f"password {pw[:20]!r}")
    eq(s.sql("SELECT count(*) FROM users WHERE username = 'yuhongjun'")[0][0], 0, "no user made")
    long_pw = ("高箭沟村三组17号-" * 8)[:64]
    eq(len(long_pw), 64, "64 characters")
    r = status(new_scorer("yuhongjun", long_pw), 201, "64-character password")
    status(user_login(s, "yuhongjun", long_pw), 201, "login with the 64-character password")
    expect_error(user_login(s, "yuhongjun", long_pw[:63]), 401, "bad_credentials", "one char short")
    max_pw = ("高箭沟村积分制乡村治理尊老爱幼移风易俗" * 7)[:128]
    status(new_scorer("yuhongjun2", max_pw), 201, "128 Chinese characters")
    status(user_login(s, "yuhongjun2", max_pw), 201, "login with 128 Chinese characters")
    status(new_scorer("yuhongjun3", "于洪军的密码好记"), 201, "8 Chinese characters")
    # the same policy on a change by the admin
    uid = r.json["id"]
    for pw, code in (("short", "password_too_short"), ("88888888", "password_common"),
                     ("yuhongjun", "password_is_username")):
        expect_error(admin.patch(f"/api/v1/users/{uid}", {"password": pw}), 422, code,
                     f"reset to {pw!r}")
    status(user_login(s, "yuhongjun", long_pw), 201, "password unchanged by refused resets")
    # a villager with a password needs a phone to log in with
    expect_error(admin.post("/api/v1/users", {
        "display_name": "王树林", "role": "villager", "village_id": s.village_id,
        "household_id": household_id(s, admin, "1002"), "password": "Shulin-1968-gjg"}),
        422, "missing_field", "villager password without phone")


@with_server()
def test_pin_policy(s):
    admin = s.login("admin")
    hid = household_id(s, admin, "2001")

    def new_villager(pin):
        return admin.post("/api/v1/users", {"display_name": "王福才", "role": "villager",
                                            "village_id": s.village_id, "household_id": hid,
                                            "pin": pin})

    for pin, code in (("12345", "pin_format"), ("1234567", "pin_format"), ("12a456", "pin_format"),
                      ("１２３４５６", "pin_format"), ("", "pin_format"), ("123456", "pin_common"),
                      ("111111", "pin_common"), ("654321", "pin_common"), ("000000", "pin_common")):
        expect_error(new_villager(pin), 422, code, f"PIN {pin!r}", "PIN")
    r = status(new_villager("580214"), 201, "good PIN")
    eq(r.json["has_pin"], True, "has_pin")
    status(pin_login(s, "2001", "580214"), 201, "login with the new PIN")
    # one PIN account per household
    expect_error(new_villager("580215"), 409, "user_taken", "second PIN account of 2001")
    # the PIN rules hold on a reset too
    uid = r.json["id"]
    for pin, code in (("123456", "pin_common"), ("5802145", "pin_format")):
        expect_error(admin.patch(f"/api/v1/users/{uid}", {"pin": pin}), 422, code, f"reset PIN {pin}")
    status(pin_login(s, "2001", "580214"), 201, "PIN unchanged by refused resets")


# ---- audit ----------------------------------------------------------------------------------------------

@with_server()
def test_logins_logouts_and_failures_are_audited(s):
    a = s.login("admin")
    admin_id = a.user["id"]
    expect_error(user_login(s, "admin", "Wrong-pass-5"), 401, "bad_credentials", "failure")
    expect_error(user_login(s, "yuhongjun", "Wrong-pass-5"), 401, "bad_credentials", "unknown")
    expect_error(pin_login(s, "1001", "270517"), 401, "bad_credentials", "wrong PIN")
    v = s.login_villager("1001")
    phone = status(login_raw(s, {"phone": "13904100001", "password": DEMO_PASSWORD}), 201, "phone")
    status(v.delete("/api/v1/session"), 200, "villager logout")

    logins = audit_rows(s, "login")
    eq([(r[0], r[5]) for r in logins],
       [(admin_id, '{"method":"username"}'), (v.user["id"], '{"method":"passbook"}'),
        (admin_id, '{"method":"phone"}')], "login rows (user, method)")
    for user, ip, village, entity, entity_id, _ in logins:
        eq((ip, village, entity), ("127.0.0.1", s.village_id, "session"), "login row")
        assert entity_id, "login row names the session"
    sess_ids = {r[4] for r in logins}
    eq(len(sess_ids), 3, "each login its own session")

    fails = audit_rows(s, "login_failed")
    eq([r[5] for r in fails], ['{"account":"user:admin"}', '{"account":"user:yuhongjun"}',
                               '{"account":"passbook:%d:1001"}' % s.village_id], "failure rows")
    for user, ip, *_ in fails:
        eq((user, ip), (None, "127.0.0.1"), "failure row has no user, has the address")
    for r in fails:
        assert "Wrong-pass-5" not in r[5] and "270517" not in r[5], "a tried secret in the log"

    # the failure record is JSON whatever the account name typed (no injection, no cut characters)
    odd = ['ad"min', 'x","user_id":3,"note":"', "于洪军\\", "高箭沟村三组十七号于洪军王树林王福顺高建民于秀梅王德胜"]
    for name in odd:
        expect_error(user_login(s, name, "Wrong-pass-5"), 401, "bad_credentials", f"user {name!r}")
    recorded = [json.loads(r[5]) for r in audit_rows(s, "login_failed")[3:]]
    eq([sorted(j) for j in recorded], [["account"]] * 4, "one key per failure summary")
    eq([j["account"] for j in recorded[:3]], ["user:" + n for n in odd[:3]], "accounts as typed")
    assert ("user:" + odd[3]).startswith(recorded[3]["account"]) and \
        len(recorded[3]["account"]) >= 20, f"long name cut badly: {recorded[3]}"

    logouts = audit_rows(s, "logout")
    eq([(r[0], r[4]) for r in logouts], [(v.user["id"], logins[1][4])], "logout row")
    # rotation and admin actions are audited as logouts too
    status(user_login(s, "admin", client=a), 201, "rotate")
    eq([r[0] for r in audit_rows(s, "logout")], [v.user["id"], admin_id], "rotation logs out")
    # the village admin reads the logins of the village in the audit log
    b = Client(s, token=phone.json["token"])
    r = status(b.get("/api/v1/audit?entity=session&per_page=200"), 200, "audit list")
    actions = sorted(i["action"] for i in r.json["items"])
    eq(actions, ["login", "login", "login", "login", "logout", "logout"], "session audit as seen by admin")


if __name__ == "__main__":
    run(globals())
