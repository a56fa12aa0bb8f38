"""Audit entries for every write.

Every write route of src/api/routes.c (read from the file, so a new write route
without a check here fails) is performed once and must add exactly the expected
audit_log rows: entity, entity_id, action, the acting user, the address and a
JSON summary naming what changed. Refused writes add nothing (a failed login adds
its one login_failed row). The log is append-only in the database itself, and
GET /api/v1/audit shows each admin only their own village or area.
"""
import json
import os
import re
import sqlite3
import time
from datetime import datetime, timedelta, timezone

from harness import Server, SRC, run, eq, status
from ledger_fixtures import day
from photo_fixtures import fresh_png

PASSWORD = "Gaojiangou-2024"


# ---- helpers ---------------------------------------------------------------

def audit_mark(s):
    return s.sql("SELECT coalesce(max(id), 0) FROM audit_log")[0][0]


def audit_since(s, mark):
    cols = ("id", "at", "user_id", "ip", "area_id", "village_id", "entity", "entity_id", "action", "summary")
    rows = s.sql(f"SELECT {', '.join(cols)} FROM audit_log WHERE id > ? ORDER BY id", mark)
    out = []
    for r in rows:
        d = dict(zip(cols, r))
        try:
            d["summary"] = json.loads(d["summary"])
        except ValueError:
            raise AssertionError(f"audit row {d['id']}: summary is not JSON: {d['summary']!r}")
        out.append(d)
    return out


def expect_audit(s, mark, expected, what, t0=None):
    """expected: dicts of entity, entity_id, action, user_id and either summary
    (exact) or summary_has (these keys with these values); village_id if given."""
    rows = audit_since(s, mark)
    brief = [(r["entity"], r["entity_id"], r["action"], r["user_id"], r["summary"]) for r in rows]
    if len(rows) != len(expected):
        raise AssertionError(f"{what}: expected {len(expected)} audit rows, got {len(rows)}: {brief}")
    now = time.time()
    for i, (row, exp) in enumerate(zip(rows, expected)):
        w = f"{what}: audit row {i + 1} {brief[i]}"
        for k in ("entity", "entity_id", "action", "user_id"):
            eq(row[k], exp[k], f"{w}: {k}")
        if "village_id" in exp:
            eq(row["village_id"], exp["village_id"], f"{w}: village_id")
        if "area_id" in exp:
            eq(row["area_id"], exp["area_id"], f"{w}: area_id")
        eq(row["ip"], "127.0.0.1", f"{w}: ip")
        if not (t0 or now - 60) - 2 <= row["at"] <= now + 2:
            raise AssertionError(f"{w}: at {row['at']} is not now ({now})")
        if not isinstance(row["summary"], dict):
            raise AssertionError(f"{w}: summary is not a JSON object")
        if "summary" in exp:
            eq(row["summary"], exp["summary"], f"{w}: summary")
        for k, v in exp.get("summary_has", {}).items():
            if k not in row["summary"]:
                raise AssertionError(f"{w}: summary has no {k!r}: {row['summary']}")
            if v is not ANY:
                eq(row["summary"][k], v, f"{w}: summary[{k!r}]")
    return rows


class _Any:
    def __repr__(self):
        return "ANY"


ANY = _Any()


def session_id(s, user_id):
    return s.sql("SELECT max(id) FROM sessions WHERE user_id=?", user_id)[0][0]


def user_id(s, username):
    return s.sql("SELECT id FROM users WHERE username=?", username)[0][0]


def write_routes():
    """(method, pattern) of every write route in src/api/routes.c."""
    with open(os.path.join(SRC, "src/api/routes.c"), encoding="utf-8") as f:
        text = f.read()
    routes = re.findall(r'\{\s*"([A-Z]+)",\s*"(/api/[^"]*)",\s*(\w+)', text)
    if len(routes) < 10:
        raise AssertionError(f"could not read the route table: {routes}")
    return [(m, p) for m, p, _ in routes if m not in ("GET", "HEAD")]


# ---- one check per write route ------------------------------------------------
# Each takes the context, performs the write successfully and checks the rows.

class Ctx:
    def __init__(self, s):
        self.s = s
        self.v = s.village_id
        self.county = s.login("county")
        self.admin = s.login("admin")
        self.ids = {}


def check_session_login(c):
    s = c.s
    # username + password
    mark = audit_mark(s)
    scorer = s.login("scorer")
    sid = session_id(s, 4)
    expect_audit(s, mark, [dict(entity="session", entity_id=sid, action="login", user_id=4, village_id=c.v,
                                summary={"method": "username"})], "login by username")
    # phone + password
    mark = audit_mark(s)
    r = status(s.anon().post("/api/v1/session", {"phone": "13904100001", "password": PASSWORD}), 201, "phone login")
    eq(r.json["user"]["username"], "admin", "phone login user")
    expect_audit(s, mark, [dict(entity="session", entity_id=session_id(s, 3), action="login", user_id=3,
                                village_id=c.v, summary={"method": "phone"})], "login by phone")
    # village + passbook + PIN
    mark = audit_mark(s)
    vil = s.login_villager("1001")
    expect_audit(s, mark, [dict(entity="session", entity_id=session_id(s, vil.user["id"]), action="login",
                                user_id=vil.user["id"], village_id=c.v, summary={"method": "passbook"})],
                 "login by passbook")
    # an area admin's login
    mark = audit_mark(s)
    s.login("township")
    expect_audit(s, mark, [dict(entity="session", entity_id=session_id(s, 2), action="login", user_id=2,
                                village_id=None, area_id=2, summary={"method": "username"})], "township login")
    # logging in again with a live session ends that one once the new one exists: login, then logout
    mark = audit_mark(s)
    old = session_id(s, 4)
    r = status(scorer.post("/api/v1/session", {"username": "scorer", "password": PASSWORD}), 201, "re-login")
    expect_audit(s, mark, [dict(entity="session", entity_id=session_id(s, 4), action="login", user_id=4,
                                summary={"method": "username"}),
                           dict(entity="session", entity_id=old, action="logout", user_id=4, summary={})],
                 "re-login rotates")
    status(scorer.get("/api/v1/session"), 401, "old token after re-login")


def check_session_logout(c):
    s = c.s
    clerk = s.login("clerk")
    sid = session_id(s, 5)
    mark = audit_mark(s)
    status(clerk.delete("/api/v1/session"), 200, "logout")
    expect_audit(s, mark, [dict(entity="session", entity_id=sid, action="logout", user_id=5, village_id=c.v,
                                summary={})], "logout")
    status(clerk.get("/api/v1/session"), 401, "after logout")
    # by cookie, with the CSRF token
    cook = s.login("clerk", use_cookie=True)
    sid = session_id(s, 5)
    mark = audit_mark(s)
    status(cook.delete("/api/v1/session"), 200, "cookie logout")
    expect_audit(s, mark, [dict(entity="session", entity_id=sid, action="logout", user_id=5, summary={})],
                 "cookie logout")


def check_areas_create(c):
    s = c.s
    mark = audit_mark(s)
    r = status(c.county.post("/api/v1/areas", {"name": "凡河镇", "level": "township", "parent_id": 1}), 201,
               "area")
    c.ids["township2"] = r.json["id"]
    expect_audit(s, mark, [dict(entity="area", entity_id=r.json["id"], action="create", user_id=1,
                                village_id=None, area_id=1,
                                summary={"name": "凡河镇", "level": "township", "parent_id": 1})], "area create")


def check_villages_create(c):
    s = c.s
    mark = audit_mark(s)
    r = status(c.county.post("/api/v1/villages", {"name": "下石碑村", "area_id": 2}), 201, "village")
    vid = c.ids["village2"] = r.json["id"]
    expect_audit(s, mark, [dict(entity="village", entity_id=vid, action="create", user_id=1, village_id=vid,
                                area_id=2, summary={"name": "下石碑村", "area_id": 2})], "village create")


def check_village_update(c):
    s = c.s
    vid = c.ids.get("village2") or status(c.county.post("/api/v1/villages", {"name": "下石碑村", "area_id": 2}),
                                          201, "village").json["id"]
    c.ids["village2"] = vid
    mark = audit_mark(s)
    status(c.county.patch(f"/api/v1/villages/{vid}", {"name": "上石碑村"}), 200, "rename")
    expect_audit(s, mark, [dict(entity="village", entity_id=vid, action="update", user_id=1, village_id=vid,
                                summary={"name": ["下石碑村", "上石碑村"]})], "village rename")
    # the village admin renames their own village
    mark = audit_mark(s)
    status(c.admin.patch(f"/api/v1/villages/{c.v}", {"name": "高箭沟新村"}), 200, "admin rename")
    expect_audit(s, mark, [dict(entity="village", entity_id=c.v, action="update", user_id=3, village_id=c.v,
                                summary={"name": ["高箭沟村", "高箭沟新村"]})], "admin rename")
    # the settings: only what changed, old and new
    old = s.sql("SELECT notice_days FROM villages WHERE id=?", c.v)[0][0]
    eq(old, 7, "the demo village's notice days")
    mark = audit_mark(s)
    status(c.admin.patch(f"/api/v1/villages/{c.v}", {"notice_days": 5, "name": "高箭沟新村"}), 200, "notice days")
    expect_audit(s, mark, [dict(entity="village", entity_id=c.v, action="update", user_id=3, village_id=c.v,
                                summary={"notice_days": [7, 5]})], "notice days")
    wd, bp, sr = s.sql("SELECT window_days, balance_policy, second_review_points FROM villages WHERE id=?", vid)[0]
    mark = audit_mark(s)
    status(c.county.patch(f"/api/v1/villages/{vid}", {"window_days": 0, "balance_policy": "clear",
                                                      "second_review_points": sr + 10}), 200, "settings")
    eq((wd, bp), (10, "carry_over"), "a new village's settings")
    expect_audit(s, mark, [dict(entity="village", entity_id=vid, action="update", user_id=1, village_id=vid,
                                summary={"window_days": [10, 0], "balance_policy": ["carry_over", "clear"],
                                         "second_review_points": [sr, sr + 10]})], "village settings")
    # nothing to change, or a bad setting next to a good one: no row
    mark = audit_mark(s)
    status(c.admin.patch(f"/api/v1/villages/{c.v}", {}), 422, "empty patch")
    status(c.admin.patch(f"/api/v1/villages/{c.v}", {"window_days": 5, "notice_days": 0}), 422, "bad notice days")
    status(c.admin.patch(f"/api/v1/villages/{c.v}", {"balance_policy": "keep"}), 422, "bad policy")
    expect_audit(s, mark, [], "refused village patches")
    eq(s.sql("SELECT notice_days, window_days FROM villages WHERE id=?", c.v)[0], (5, 10), "settings after refusals")


def check_groups_create(c):
    s = c.s
    mark = audit_mark(s)
    r = status(c.admin.post(f"/api/v1/villages/{c.v}/groups", {"name": "六组", "sort": 6}), 201, "group")
    c.ids["group6"] = r.json["id"]
    expect_audit(s, mark, [dict(entity="group", entity_id=r.json["id"], action="create", user_id=3,
                                village_id=c.v, summary={"name": "六组", "sort": 6})], "group create")


def check_group_update(c):
    s = c.s
    mark = audit_mark(s)
    status(c.admin.patch("/api/v1/groups/5", {"name": "五组（东）"}), 200, "group rename")
    rows = expect_audit(s, mark, [dict(entity="group", entity_id=5, action="update", user_id=3, village_id=c.v,
                                       summary_has={"name": ["五组", "五组（东）"]})], "group rename")
    if "sort" in rows[0]["summary"]:
        eq(rows[0]["summary"]["sort"][0], rows[0]["summary"]["sort"][1], "unchanged sort in the summary")


def check_households_create(c):
    s = c.s
    mark = audit_mark(s)
    r = status(c.admin.post(f"/api/v1/villages/{c.v}/households", {
        "group_id": 3, "passbook_no": "3917", "head_name": "于洪军", "address": "高箭沟村三组17号",
        "phone": "13812345678", "members": [{"name": "王桂芝", "relation": "妻子"},
                                            {"name": "于浩然", "relation": "孙子"}]}), 201, "household")
    c.ids["household"] = r.json["id"]
    expect_audit(s, mark, [dict(entity="household", entity_id=r.json["id"], action="create", user_id=3,
                                village_id=c.v,
                                summary={"passbook_no": "3917", "head_name": "于洪军", "group_id": 3,
                                         "members": 2})], "household create")


def check_households_import(c):
    s = c.s
    h2 = c.admin.get("/api/v1/households/2").json
    csv = ("村民小组,存折号,户主,住址,电话,家庭成员\n"
           "一组,1001,王福顺,高箭沟村一组1号（新房）,,\n"
           f"{h2['group_name']},{h2['passbook_no']},{h2['head_name']},{h2['address']},{h2['phone']},\n"
           "七组,7001,赵德福,高箭沟村七组1号,13900000001,赵小梅(女儿)\n").encode()
    # a dry run writes nothing, so it logs nothing
    mark = audit_mark(s)
    r = status(c.admin.post(f"/api/v1/villages/{c.v}/households/import?dry_run=1", raw=csv), 200, "dry run")
    eq((r.json["created"], r.json["updated"], r.json["unchanged"]), (1, 1, 1), "dry run counts")
    expect_audit(s, mark, [], "import dry run")
    mark = audit_mark(s)
    r = status(c.admin.post(f"/api/v1/villages/{c.v}/households/import", raw=csv), 200, "import")
    eq(r.json["applied"], True, "applied")
    new_id = s.sql("SELECT id FROM households WHERE village_id=? AND passbook_no='7001'", c.v)[0][0]
    group7 = s.sql("SELECT id FROM villager_groups WHERE village_id=? AND name='七组'", c.v)[0][0]
    common = dict(user_id=3, village_id=c.v)
    expect_audit(s, mark, [
        dict(entity="household", entity_id=1, action="update",
             summary_has={"source": "import", "passbook_no": "1001"}, **common),
        dict(entity="group", entity_id=group7, action="create", summary_has={"source": "import"}, **common),
        dict(entity="household", entity_id=new_id, action="create",
             summary_has={"source": "import", "passbook_no": "7001", "head_name": "赵德福"}, **common),
        dict(entity="household_import", entity_id=None, action="import",
             summary_has={"rows": 3, "created": 1, "updated": 1, "unchanged": 1, "encoding": ANY}, **common),
    ], "import")


def check_household_update(c):
    s = c.s
    mark = audit_mark(s)
    old = c.admin.get("/api/v1/households/3").json
    status(c.admin.patch("/api/v1/households/3", {"address": "高箭沟村一组88号"}), 200, "patch address")
    expect_audit(s, mark, [dict(entity="household", entity_id=3, action="update", user_id=3, village_id=c.v,
                                summary={"address": [old["address"], "高箭沟村一组88号"]})], "household address")
    mark = audit_mark(s)
    status(c.admin.patch("/api/v1/households/3", {"phone": "13800001111", "status": "moved_out",
                                                  "address": "高箭沟村一组88号", "group_id": 2}), 200, "patch more")
    expect_audit(s, mark, [dict(entity="household", entity_id=3, action="update", user_id=3,
                                summary={"phone": [old["phone"], "13800001111"], "status": ["active", "moved_out"],
                                         "group_id": [old["group_id"], 2]})], "household phone+status+group")


def check_members_create(c):
    s = c.s
    mark = audit_mark(s)
    r = status(c.admin.post("/api/v1/households/1/members", {"name": "王小顺", "relation": "孙子"}), 201, "member")
    mid = [m for m in r.json["members"] if m["name"] == "王小顺"][0]["id"]
    c.ids["member"] = mid
    expect_audit(s, mark, [dict(entity="member", entity_id=mid, action="create", user_id=3, village_id=c.v,
                                summary={"household_id": 1, "name": "王小顺", "relation": "孙子"})], "member create")


def check_member_update(c):
    s = c.s
    mark = audit_mark(s)
    status(c.admin.patch("/api/v1/members/1", {"relation": "老伴"}), 200, "member patch")
    old = "妻子"
    expect_audit(s, mark, [dict(entity="member", entity_id=1, action="update", user_id=3, village_id=c.v,
                                summary={"relation": [old, "老伴"]})], "member relation")
    mark = audit_mark(s)
    status(c.admin.patch("/api/v1/members/1", {"status": "left"}), 200, "member left")
    expect_audit(s, mark, [dict(entity="member", entity_id=1, action="update", user_id=3,
                                summary={"status": ["active", "left"]})], "member status")


def check_users_create(c):
    s = c.s
    mark = audit_mark(s)
    r = status(c.admin.post("/api/v1/users", {"username": "scorer2", "display_name": "于秀兰", "role": "scorer",
                                              "password": "Yu-Xiulan-2024x", "village_id": c.v}), 201, "user")
    uid = c.ids["user"] = r.json["id"]
    expect_audit(s, mark, [dict(entity="user", entity_id=uid, action="create", user_id=3, village_id=c.v,
                                summary_has={"username": "scorer2", "display_name": "于秀兰", "role": "scorer",
                                             "village_id": c.v})], "user create")
    # the summary never holds the password or its hash
    row = s.sql("SELECT summary FROM audit_log WHERE entity='user' AND entity_id=?", uid)[0][0]
    if "Yu-Xiulan" in row or "$" in row:
        raise AssertionError(f"a secret in the audit summary: {row}")
    # an area admin made by the county admin
    mark = audit_mark(s)
    r = status(c.county.post("/api/v1/users", {"username": "township2", "display_name": "赵立新",
                                               "role": "area_admin", "area_id": 2,
                                               "password": "Zhao-Lixin-2024"}), 201, "area admin")
    expect_audit(s, mark, [dict(entity="user", entity_id=r.json["id"], action="create", user_id=1,
                                village_id=None, area_id=1, summary_has={"username": "township2", "role": "area_admin", "area_id": 2})],
                 "area admin create")


def check_user_update(c):
    s = c.s
    uid = 4  # scorer
    mark = audit_mark(s)
    status(c.admin.patch(f"/api/v1/users/{uid}", {"display_name": "于秀兰"}), 200, "rename user")
    rows = expect_audit(s, mark, [dict(entity="user", entity_id=uid, action="update", user_id=3, village_id=c.v,
                                       summary_has={"display_name": ["于秀梅", "于秀兰"]})], "user rename")
    ph = rows[0]["summary"].get("phone")
    if ph is not None and ph[0] != ph[1]:
        raise AssertionError(f"user rename: the summary says the phone changed: {ph}")
    mark = audit_mark(s)
    status(c.admin.patch(f"/api/v1/users/{uid}", {"password": "Scorer-New-2024"}), 200, "reset password")
    expect_audit(s, mark, [dict(entity="user", entity_id=uid, action="set_password", user_id=3,
                                summary={"self": False})], "password reset")
    # the user changes their own password
    me = s.login("scorer", password="Scorer-New-2024")
    mark = audit_mark(s)
    status(me.patch(f"/api/v1/users/{uid}", {"password": "Scorer-Mine-2024", "current_password": "Scorer-New-2024"}),
           200, "own password")
    expect_audit(s, mark, [dict(entity="user", entity_id=uid, action="set_password", user_id=uid,
                                summary={"self": True})], "own password")
    # a villager's PIN reset
    vid = s.sql("SELECT id FROM users WHERE role='villager' AND household_id=1")[0][0]
    mark = audit_mark(s)
    status(c.admin.patch(f"/api/v1/users/{vid}", {"pin": "381947"}), 200, "reset pin")
    expect_audit(s, mark, [dict(entity="user", entity_id=vid, action="set_pin", user_id=3, summary={"self": False})],
                 "pin reset")
    # disable, enable
    mark = audit_mark(s)
    status(c.admin.patch(f"/api/v1/users/{uid}", {"disabled": True}), 200, "disable")
    status(c.admin.patch(f"/api/v1/users/{uid}", {"disabled": False}), 200, "enable")
    expect_audit(s, mark, [dict(entity="user", entity_id=uid, action="disable", user_id=3, summary={"disabled": True}),
                           dict(entity="user", entity_id=uid, action="enable", user_id=3,
                                summary={"disabled": False})], "disable, enable")
    # several changes in one PATCH: one row each
    mark = audit_mark(s)
    status(c.admin.patch(f"/api/v1/users/{uid}", {"phone": "13700002222", "password": "Scorer-Third-2024"}), 200,
           "phone + password")
    expect_audit(s, mark, [
        dict(entity="user", entity_id=uid, action="update", user_id=3, summary_has={"phone": [None, "13700002222"]}),
        dict(entity="user", entity_id=uid, action="set_password", user_id=3, summary={"self": False})],
        "phone + password")


# ---- the ledger's writes ----------------------------------------------------
# The checks above change the demo scorer's password and the demo villager's PIN, so
# the ledger checks use a cast of their own, made once (outside any mark).

def cast(c):
    """A scorer (孙秀芳) and a villager (household 1002) of village 1, a claimable rule of
    2 points without caps, and the households 1002 and 1004 (1003 moves out above); made on first use."""
    if "scorer" in c.ids:
        return c
    s = c.s
    r = status(c.admin.post("/api/v1/users", {"username": "pingfen2", "display_name": "孙秀芳", "role": "scorer",
                                              "password": "Sun-Xiufang-2024", "village_id": c.v}), 201, "scorer")
    c.ids["scorer"] = r.json["id"]
    c.scorer = s.login("pingfen2", "Sun-Xiufang-2024")
    c.hh, c.hh2 = [s.sql("SELECT id FROM households WHERE village_id=? AND passbook_no=?", c.v, pb)[0][0]
                   for pb in ("1002", "1004")]
    head = s.sql("SELECT head_name FROM households WHERE id=?", c.hh)[0][0]
    r = status(c.admin.post("/api/v1/users", {"display_name": head, "role": "villager", "pin": "582046",
                                              "village_id": c.v, "household_id": c.hh}), 201, "villager")
    c.ids["villager"] = r.json["id"]
    c.villager = s.login_villager("1002", pin="582046")
    c.rule = new_rule(c, name="帮扶邻里", points=2, claimable=True)
    c.group = s.sql("SELECT group_id FROM households WHERE id=?", c.hh)[0][0]
    return c


def new_rule(c, **fields):
    body = {"category": "好人好事", "name": "拾金不昧（测试）", "points": 5}
    body.update(fields)
    return status(c.admin.post(f"/api/v1/villages/{c.v}/rules", body), 201, "rule").json["id"]


def rule_summary(category, name, points, version=1, unit="time"):
    return {"category": category, "name": name, "points": points, "unit": unit, "version": version}


def check_rules_create(c):
    s = c.s
    mark = audit_mark(s)
    r = status(c.admin.post(f"/api/v1/villages/{c.v}/rules", {
        "category": "移风易俗", "name": "婚事新办（测试）", "points": 8, "unit": "time", "cap_year": 16,
        "evidence_required": True, "claimable": True}), 201, "rule")
    expect_audit(s, mark, [dict(entity="rule", entity_id=r.json["id"], action="create", user_id=3, village_id=c.v,
                                summary=rule_summary("移风易俗", "婚事新办（测试）", 8))], "rule create")


def check_rule_update(c):
    s = c.s
    rid = new_rule(c, category="尊老爱幼", name="照顾孤寡老人", points=4)
    mark = audit_mark(s)
    status(c.admin.patch(f"/api/v1/rules/{rid}", {"category": "尊老爱幼", "name": "照顾孤寡老人（每次）",
                                                   "points": 3, "unit": "time"}), 200, "rule edit")
    expect_audit(s, mark, [dict(entity="rule", entity_id=rid, action="update", user_id=3, village_id=c.v,
                                summary=rule_summary("尊老爱幼", "照顾孤寡老人（每次）", 3))], "rule update")


def check_rule_retire(c):
    s = c.s
    rid = new_rule(c, name="旧版拾金不昧")
    mark = audit_mark(s)
    status(c.admin.post(f"/api/v1/rules/{rid}/retire"), 200, "retire")
    expect_audit(s, mark, [dict(entity="rule", entity_id=rid, action="retire", user_id=3, village_id=c.v,
                                summary={})], "rule retire")


def check_rule_revise(c):
    s = c.s
    rid = new_rule(c, category="志愿服务", name="义务植树", points=2)
    mark = audit_mark(s)
    r = status(c.admin.post(f"/api/v1/rules/{rid}/revise", {"category": "志愿服务", "name": "义务植树",
                                                             "points": 3}), 201, "revise")
    expect_audit(s, mark, [
        dict(entity="rule", entity_id=rid, action="retire", user_id=3, village_id=c.v, summary={"revised": True}),
        dict(entity="rule", entity_id=r.json["id"], action="revise", user_id=3, village_id=c.v,
             summary=rule_summary("志愿服务", "义务植树", 3, version=2))], "rule revise")


def check_entries_record(c):
    s = cast(c).s
    mark = audit_mark(s)
    r = status(c.scorer.post(f"/api/v1/villages/{c.v}/entries", {
        "rule_id": c.rule, "household_ids": [c.hh, c.hh2], "deed_date": day(), "note": "帮邻居收玉米"}),
        201, "record")
    eq(r.json["count"], 2, "entries recorded")
    expect_audit(s, mark, [dict(entity="batch", entity_id=r.json["batch_id"], action="record",
                                user_id=c.ids["scorer"], village_id=c.v,
                                summary={"rule_id": c.rule, "rule": "帮扶邻里", "points": 2, "households": 2,
                                         "deed_date": day()})], "record for two households")
    # the village admin records a deduction with a quantity: one row, the total points
    ded = new_rule(c, category="环境卫生", name="乱堆乱放（测试）", points=-3)
    mark = audit_mark(s)
    r = status(c.admin.post(f"/api/v1/villages/{c.v}/entries", {
        "rule_id": ded, "household_ids": [c.hh2], "quantity": 2, "deed_date": day(-1)}), 201, "deduction")
    expect_audit(s, mark, [dict(entity="batch", entity_id=r.json["batch_id"], action="record", user_id=3,
                                village_id=c.v,
                                summary={"rule_id": ded, "rule": "乱堆乱放（测试）", "points": -6, "households": 1,
                                         "deed_date": day(-1)})], "deduction")


def check_entry_reverse(c):
    s = cast(c).s
    orig = status(c.scorer.post(f"/api/v1/villages/{c.v}/entries", {
        "rule_id": c.rule, "household_ids": [c.hh2], "deed_date": day()}), 201, "record").json["entries"][0]["id"]
    mark = audit_mark(s)
    r = status(c.scorer.post(f"/api/v1/entries/{orig}/reversal", {"reason": "记错了户"}), 201, "reversal")
    rev = r.json["entries"][0]
    eq((rev["reverses_id"], rev["points"]), (orig, -2), "the reversal entry")
    expect_audit(s, mark, [dict(entity="entry", entity_id=rev["id"], action="reverse", user_id=c.ids["scorer"],
                                village_id=c.v, summary={"reverses": orig, "points": -2})], "reversal")


def check_activities_create(c):
    s = cast(c).s
    mark = audit_mark(s)
    r = status(c.scorer.post(f"/api/v1/villages/{c.v}/activities", {
        "name": "春季植树", "rule_id": c.rule, "activity_date": day(), "description": "村东头荒坡"}), 201, "activity")
    expect_audit(s, mark, [dict(entity="activity", entity_id=r.json["id"], action="create",
                                user_id=c.ids["scorer"], village_id=c.v,
                                summary={"name": "春季植树", "rule_id": c.rule, "rule": "帮扶邻里",
                                         "activity_date": day()})], "activity create")


def new_activity(c, name="清理村路杂草"):
    return status(c.scorer.post(f"/api/v1/villages/{c.v}/activities", {
        "name": name, "rule_id": c.rule, "activity_date": day()}), 201, "activity").json["id"]


def check_activity_signup(c):
    s = cast(c).s
    aid = new_activity(c)
    # the villager signs up their own household; the scorer a member of another
    mark = audit_mark(s)
    r = status(c.villager.post(f"/api/v1/activities/{aid}/signups", {"household_id": c.hh}), 201, "own sign-up")
    expect_audit(s, mark, [dict(entity="activity", entity_id=aid, action="signup", user_id=c.ids["villager"],
                                village_id=c.v, summary={"signup_id": r.json["id"], "household_id": c.hh,
                                                         "member_id": None})], "villager signs up")
    member = s.sql("SELECT min(id) FROM members WHERE household_id=? AND status='active'", c.hh2)[0][0]
    mark = audit_mark(s)
    r = status(c.scorer.post(f"/api/v1/activities/{aid}/signups", {"household_id": c.hh2, "member_id": member}),
               201, "member sign-up")
    expect_audit(s, mark, [dict(entity="activity", entity_id=aid, action="signup", user_id=c.ids["scorer"],
                                village_id=c.v, summary={"signup_id": r.json["id"], "household_id": c.hh2,
                                                         "member_id": member})], "scorer signs up a member")


def signed_up(c, name):
    aid = new_activity(c, name)
    sids = [status(c.scorer.post(f"/api/v1/activities/{aid}/signups", {"household_id": h}), 201,
                   "sign-up").json["id"] for h in (c.hh, c.hh2)]
    return aid, sids


def check_activity_attendance(c):
    s = cast(c).s
    aid, (came, away) = signed_up(c, "防火巡逻")
    mark = audit_mark(s)
    status(c.scorer.post(f"/api/v1/activities/{aid}/attendance", {"attended": [came], "absent": [away]}), 200,
           "attendance")
    expect_audit(s, mark, [dict(entity="activity", entity_id=aid, action="attendance", user_id=c.ids["scorer"],
                                village_id=c.v, summary={"attended": 1, "absent": 1})], "attendance")


def check_activity_award(c):
    s = cast(c).s
    aid, (came, away) = signed_up(c, "义务清雪")
    status(c.scorer.post(f"/api/v1/activities/{aid}/attendance", {"attended": [came], "absent": [away]}), 200,
           "attendance")
    mark = audit_mark(s)
    r = status(c.admin.post(f"/api/v1/activities/{aid}/award"), 201, "award")
    b = r.json["batch_id"]
    expect_audit(s, mark, [
        dict(entity="batch", entity_id=b, action="record", user_id=3, village_id=c.v,
             summary={"rule_id": c.rule, "rule": "帮扶邻里", "points": 2, "households": 1, "deed_date": day()}),
        dict(entity="activity", entity_id=aid, action="award", user_id=3, village_id=c.v,
             summary={"batch_id": b, "entries": 1})], "award")


def check_inspections_create(c):
    s = cast(c).s
    gname = s.sql("SELECT name FROM villager_groups WHERE id=?", c.group)[0][0]
    mark = audit_mark(s)
    r = status(c.scorer.post(f"/api/v1/villages/{c.v}/inspections", {"group_id": c.group,
                                                                      "inspection_date": day()}), 201, "round")
    expect_audit(s, mark, [dict(entity="inspection", entity_id=r.json["id"], action="create",
                                user_id=c.ids["scorer"], village_id=c.v,
                                summary={"group_id": c.group, "group": gname, "inspection_date": day()})],
                 "round create")


def new_round(c):
    return status(c.scorer.post(f"/api/v1/villages/{c.v}/inspections", {"group_id": c.group,
                                                                         "inspection_date": day()}),
                  201, "round").json["id"]


def check_inspection_score(c):
    s = cast(c).s
    rid = new_round(c)
    messy = new_rule(c, category="环境卫生", name="院内杂物（测试）", points=-1)
    mark = audit_mark(s)
    r = status(c.scorer.post(f"/api/v1/inspections/{rid}/scores", {
        "household_id": c.hh, "items": [{"rule_id": c.rule}, {"rule_id": messy}]}), 201, "score")
    b = r.json["batch_id"]
    item = dict(entity="batch", entity_id=b, action="record", user_id=c.ids["scorer"], village_id=c.v)
    expect_audit(s, mark, [
        dict(item, summary={"rule_id": c.rule, "rule": "帮扶邻里", "points": 2, "households": 1,
                            "deed_date": day()}),
        dict(item, summary={"rule_id": messy, "rule": "院内杂物（测试）", "points": -1, "households": 1,
                            "deed_date": day()}),
        dict(entity="inspection", entity_id=rid, action="score", user_id=c.ids["scorer"], village_id=c.v,
             summary={"household_id": c.hh, "batch_id": b, "items": 2, "points": 1})],
        "score: a row per checklist item, then the score")


def check_inspection_close(c):
    s = cast(c).s
    rid = new_round(c)
    status(c.scorer.post(f"/api/v1/inspections/{rid}/scores", {"household_id": c.hh,
                                                               "items": [{"rule_id": c.rule}]}), 201, "score")
    mark = audit_mark(s)
    status(c.admin.post(f"/api/v1/inspections/{rid}/close"), 200, "close")
    expect_audit(s, mark, [dict(entity="inspection", entity_id=rid, action="close", user_id=3, village_id=c.v,
                                summary={"group_id": c.group, "inspection_date": day(), "scored": 1})],
                 "round close")


def check_photos_upload(c):
    s = cast(c).s
    data = fresh_png()
    mark = audit_mark(s)
    r = status(c.villager.post(f"/api/v1/villages/{c.v}/photos", raw=data,
                               headers={"Content-Type": "image/png"}), 201, "upload")
    h = r.json["hash"]
    expect_audit(s, mark, [dict(entity="photo", entity_id=None, action="upload", user_id=c.ids["villager"],
                                village_id=c.v, summary={"hash": h, "mime": "image/png", "width": 5,
                                                         "height": 4, "bytes": len(data)})], "upload")
    # the same picture again stores nothing new, so it logs nothing
    mark = audit_mark(s)
    r = status(c.scorer.post(f"/api/v1/villages/{c.v}/photos", raw=data), 200, "upload again")
    eq((r.json["hash"], r.json["created"]), (h, False), "the second upload")
    expect_audit(s, mark, [], "the same picture again")


def new_claim(c, rule=None, photos=()):
    return status(c.villager.post(f"/api/v1/villages/{c.v}/claims", {
        "rule_id": rule or c.rule, "deed_date": day(), "description": "帮五保户挑水", "photos": list(photos)}),
        201, "claim").json["id"]


def check_claims_create(c):
    s = cast(c).s
    h = status(c.villager.post(f"/api/v1/villages/{c.v}/photos", raw=fresh_png()), 201, "photo").json["hash"]
    mark = audit_mark(s)
    r = status(c.villager.post(f"/api/v1/villages/{c.v}/claims", {
        "rule_id": c.rule, "deed_date": day(-2), "description": "帮五保户挑水", "photos": [h]}), 201, "claim")
    expect_audit(s, mark, [dict(entity="claim", entity_id=r.json["id"], action="create",
                                user_id=c.ids["villager"], village_id=c.v,
                                summary={"household_id": c.hh, "rule_id": c.rule, "deed_date": day(-2),
                                         "photos": 1})], "villager's claim")
    # a scorer files on a household's behalf
    mark = audit_mark(s)
    r = status(c.scorer.post(f"/api/v1/villages/{c.v}/claims", {
        "rule_id": c.rule, "deed_date": day(), "description": "替老人申报", "household_id": c.hh2}), 201, "claim")
    expect_audit(s, mark, [dict(entity="claim", entity_id=r.json["id"], action="create", user_id=c.ids["scorer"],
                                village_id=c.v, summary={"household_id": c.hh2, "rule_id": c.rule,
                                                         "deed_date": day(), "photos": 0})], "claim on behalf")


def check_claim_approve(c):
    s = cast(c).s
    threshold = s.sql("SELECT second_review_points FROM villages WHERE id=?", c.v)[0][0]
    cid = new_claim(c)
    mark = audit_mark(s)
    r = status(c.scorer.post(f"/api/v1/claims/{cid}/approve"), 200, "approve")
    eq(r.json["status"], "approved", "a small claim is approved at once")
    entry = s.sql("SELECT entry_id FROM claims WHERE id=?", cid)[0][0]
    batch = s.sql("SELECT batch_id FROM entries WHERE id=?", entry)[0][0]
    expect_audit(s, mark, [
        dict(entity="batch", entity_id=batch, action="record", user_id=c.ids["scorer"], village_id=c.v,
             summary={"rule_id": c.rule, "rule": "帮扶邻里", "points": 2, "households": 1, "deed_date": day()}),
        dict(entity="claim", entity_id=cid, action="approve", user_id=c.ids["scorer"], village_id=c.v,
             summary={"points": 2, "threshold": threshold, "entry_id": entry})], "approve")
    # above the village's threshold: a first approval, then a second reviewer's
    big = new_rule(c, category="好人好事", name="见义勇为（测试）", points=threshold + 5, claimable=True)
    cid = new_claim(c, rule=big)
    mark = audit_mark(s)
    r = status(c.scorer.post(f"/api/v1/claims/{cid}/approve"), 200, "first approval")
    eq(r.json["status"], "second_review", "status after the first approval")
    expect_audit(s, mark, [dict(entity="claim", entity_id=cid, action="approve_first", user_id=c.ids["scorer"],
                                village_id=c.v, summary={"points": threshold + 5, "threshold": threshold,
                                                         "entry_id": 0})], "first approval")
    mark = audit_mark(s)
    status(c.admin.post(f"/api/v1/claims/{cid}/approve"), 200, "second approval")
    entry = s.sql("SELECT entry_id FROM claims WHERE id=?", cid)[0][0]
    batch = s.sql("SELECT batch_id FROM entries WHERE id=?", entry)[0][0]
    expect_audit(s, mark, [
        dict(entity="batch", entity_id=batch, action="record", user_id=3, village_id=c.v,
             summary={"rule_id": big, "rule": "见义勇为（测试）", "points": threshold + 5, "households": 1,
                      "deed_date": day()}),
        dict(entity="claim", entity_id=cid, action="approve", user_id=3, village_id=c.v,
             summary={"points": threshold + 5, "threshold": threshold, "entry_id": entry})], "second approval")


def check_claim_reject(c):
    s = cast(c).s
    cid = new_claim(c)
    mark = audit_mark(s)
    status(c.scorer.post(f"/api/v1/claims/{cid}/reject", {"reason": "照片看不清，请补拍"}), 200, "reject")
    expect_audit(s, mark, [dict(entity="claim", entity_id=cid, action="reject", user_id=c.ids["scorer"],
                                village_id=c.v, summary={"reason": "照片看不清，请补拍"})], "reject")


# ---- the year's writes (issue 4) ---------------------------------------------
# The shop's checks use village 1 (its households have confirmed points from the
# demo's confirmed months); the notices and the year end a fresh village of their
# own with last month's points (made once, outside any mark), so no demo notice,
# and no closed demo year, is in the way.

def shop(c):
    """A sponsor and goods (20 in stock) of village 1 and the village's clerk; made on first use."""
    if "goods" in c.ids:
        return c
    s = c.s
    c.clerk = s.login("clerk")
    c.clerk_id = user_id(s, "clerk")
    c.ids["sponsor"] = status(c.admin.post(f"/api/v1/villages/{c.v}/sponsors",
                                           {"name": "铁岭县宏达农资商店", "contact": "李经理"}), 201,
                              "sponsor").json["id"]
    g = status(c.admin.post(f"/api/v1/villages/{c.v}/goods", {"name": "鲁花花生油（测试）", "category": "粮油",
                                                              "unit": "桶", "price_points": 30}), 201,
               "goods").json
    c.ids["goods"] = g["id"]
    status(c.clerk.post(f"/api/v1/goods/{g['id']}/stock", {"kind": "intake", "delta": 20,
                                                            "reason": "首批入库"}), 201, "stock")
    return c


def redemption_open(c):
    """Redemption is open in village 1 now (an explicit window from today on, if none is)."""
    r = status(c.admin.get(f"/api/v1/villages/{c.v}/redemption-windows/current"), 200, "current window")
    if not r.json.get("open"):
        status(c.admin.post(f"/api/v1/villages/{c.v}/redemption-windows",
                            {"starts_on": day(), "ends_on": day(2)}), 201, "window")


def rich_household(c, points):
    """An active household of village 1 with at least this many confirmed points."""
    return c.s.sql("SELECT h.id FROM households h JOIN balances b ON b.household_id = h.id"
                   " WHERE h.village_id = ? AND h.status = 'active' AND b.confirmed >= ?"
                   " ORDER BY b.confirmed DESC, h.id LIMIT 1", c.v, points)[0][0]


def stock_of(s, goods_id):
    return s.sql("SELECT stock FROM goods WHERE id = ?", goods_id)[0][0]


def year_village(c):
    """A fresh village of 平顶堡镇 with its own village admin (c.yadmin), three
    households and one entry each for last month; made on first use."""
    if "yvillage" in c.ids:
        return c
    s = c.s
    vid = status(c.county.post("/api/v1/villages", {"name": "腰堡村", "area_id": 2}), 201, "village").json["id"]
    c.ids["yvillage"] = vid
    g = status(c.county.post(f"/api/v1/villages/{vid}/groups", {"name": "一组"}), 201, "group").json["id"]
    c.yhh = [status(c.county.post(f"/api/v1/villages/{vid}/households",
                                  {"group_id": g, "passbook_no": f"80{i}", "head_name": name}), 201,
                    "household").json["id"] for i, name in enumerate(("高玉林", "韩淑珍", "曲长海"))]
    r = status(c.county.post("/api/v1/users", {"username": "yaobao_admin", "display_name": "高德胜",
                                               "role": "village_admin", "password": "Gao-Desheng-2024",
                                               "village_id": vid}), 201, "village admin")
    c.yadmin_id = r.json["id"]
    c.yadmin = s.login("yaobao_admin", "Gao-Desheng-2024")
    rule = status(c.yadmin.post(f"/api/v1/villages/{vid}/rules", {"category": "志愿服务", "name": "义务清扫村路",
                                                                  "points": 3}), 201, "rule").json["id"]
    t = datetime.now(timezone(timedelta(hours=8))).date().replace(day=1) - timedelta(days=1)
    c.ymonth, c.ydate = t.strftime("%Y-%m"), t.replace(day=15).isoformat()
    c.yentries = []
    for h in c.yhh:
        r = status(c.yadmin.post(f"/api/v1/villages/{vid}/entries", {"rule_id": rule, "household_ids": [h],
                                                                     "deed_date": c.ydate}), 201, "record")
        c.yentries.append(r.json["entries"][0]["id"])
    return c


def published(c):
    """The id of the year village's notice of last month (published on first use)."""
    year_village(c)
    if "notice" not in c.ids:
        c.ids["notice"] = status(c.yadmin.post(f"/api/v1/villages/{c.ids['yvillage']}/notices",
                                               {"month": c.ymonth}), 201, "publish").json["id"]
    return c.ids["notice"]


def check_notices_publish(c):
    s = year_village(c).s
    vid = c.ids["yvillage"]
    mark = audit_mark(s)
    r = status(c.yadmin.post(f"/api/v1/villages/{vid}/notices", {"month": c.ymonth}), 201, "publish")
    n = r.json
    c.ids["notice"] = n["id"]
    eq((n["entry_count"], n["total_points"]), (3, 9), "the notice's entries and points")
    expect_audit(s, mark, [dict(entity="notice", entity_id=n["id"], action="publish", user_id=c.yadmin_id,
                                village_id=vid, area_id=2,
                                summary={"month": c.ymonth, "entries": 3, "points": 9,
                                         "chain_seq": n["chain_seq"], "chain_hash": n["chain_hash"],
                                         "closes_at": n["closes_at"]})], "notice publish")


def check_objections_create(c):
    s = year_village(c).s
    nid = published(c)
    vid = c.ids["yvillage"]
    mark = audit_mark(s)
    r = status(c.yadmin.post(f"/api/v1/notices/{nid}/objections",
                             {"entry_id": c.yentries[0], "reason": "那天高玉林家没人在村里，请核实"},
                             headers={"Idempotency-Key": "audit-objection-1"}), 201, "objection")
    oid = r.json["id"]
    row = dict(entity="objection", entity_id=oid, action="create", user_id=c.yadmin_id, village_id=vid,
               summary={"notice_id": nid, "month": c.ymonth, "entry_id": c.yentries[0],
                        "household_id": c.yhh[0], "points": 3})
    expect_audit(s, mark, [row], "objection")
    # the same request again replays the first answer and writes nothing more
    r = status(c.yadmin.post(f"/api/v1/notices/{nid}/objections",
                             {"entry_id": c.yentries[0], "reason": "那天高玉林家没人在村里，请核实"},
                             headers={"Idempotency-Key": "audit-objection-1"}), 201, "objection replayed")
    eq(r.json["id"], oid, "the replayed objection")
    expect_audit(s, mark, [row], "objection replayed")


def check_objection_settle(c):
    s = year_village(c).s
    nid = published(c)
    vid = c.ids["yvillage"]
    up, down = [status(c.yadmin.post(f"/api/v1/notices/{nid}/objections",
                                     {"entry_id": e, "reason": "这条记录可能记错了"}), 201, "objection").json["id"]
                for e in c.yentries[1:3]]
    # upheld: the entry is reversed (its own row), then the settlement
    mark = audit_mark(s)
    r = status(c.yadmin.post(f"/api/v1/objections/{up}/settle",
                             {"outcome": "upheld", "resolution": "经入户核实，记录有误，予以冲销"},
                             headers={"Idempotency-Key": "audit-settle-1"}), 200, "upheld")
    rev = r.json["reversal_entry_id"]
    eq(s.sql("SELECT reverses_id, points FROM entries WHERE id = ?", rev)[0], (c.yentries[1], -3), "the reversal")
    expect_audit(s, mark, [
        dict(entity="entry", entity_id=rev, action="reverse", user_id=c.yadmin_id, village_id=vid,
             summary={"reverses": c.yentries[1], "points": -3, "objection": up}),
        dict(entity="objection", entity_id=up, action="settle", user_id=c.yadmin_id, village_id=vid,
             summary={"outcome": "upheld", "resolution": "经入户核实，记录有误，予以冲销",
                      "entry_id": c.yentries[1], "notice_id": nid, "reversal_entry_id": rev,
                      "notice_confirmed": False})], "objection upheld")
    # dismissed: no entry, one row
    mark = audit_mark(s)
    status(c.yadmin.post(f"/api/v1/objections/{down}/settle",
                         {"outcome": "dismissed", "resolution": "经核实，记录与细则相符，维持原分"}), 200, "dismissed")
    expect_audit(s, mark, [dict(entity="objection", entity_id=down, action="settle", user_id=c.yadmin_id,
                                village_id=vid,
                                summary={"outcome": "dismissed", "resolution": "经核实，记录与细则相符，维持原分",
                                         "entry_id": c.yentries[2], "notice_id": nid,
                                         "reversal_entry_id": None, "notice_confirmed": False})],
                 "objection dismissed")


def check_sponsors_create(c):
    s = c.s
    mark = audit_mark(s)
    r = status(c.admin.post(f"/api/v1/villages/{c.v}/sponsors", {"name": "铁岭县富民种业有限公司", "contact": "周经理",
                                                                 "note": "村企结对共建：种子"}), 201, "sponsor")
    expect_audit(s, mark, [dict(entity="sponsor", entity_id=r.json["id"], action="create", user_id=3,
                                village_id=c.v, summary={"name": "铁岭县富民种业有限公司"})], "sponsor create")
    # an area admin adds one too
    mark = audit_mark(s)
    r = status(c.county.post(f"/api/v1/villages/{c.v}/sponsors", {"name": "铁岭县供销合作社"}), 201, "sponsor")
    expect_audit(s, mark, [dict(entity="sponsor", entity_id=r.json["id"], action="create", user_id=1,
                                village_id=c.v, summary={"name": "铁岭县供销合作社"})], "sponsor by the county")


def check_contributions_create(c):
    s = shop(c).s
    sp, g = c.ids["sponsor"], c.ids["goods"]
    # money
    mark = audit_mark(s)
    body = {"kind": "money", "amount_yuan": "5000.5", "contributed_on": day(-3), "note": "共建资金"}
    r = status(c.admin.post(f"/api/v1/sponsors/{sp}/contributions", body,
                            headers={"Idempotency-Key": "audit-money-1"}), 201, "money")
    row = dict(entity="contribution", entity_id=r.json["id"], action="create", user_id=3, village_id=c.v,
               summary={"sponsor_id": sp, "kind": "money", "amount_yuan": "5000.50",
                        "contributed_on": day(-3)})
    expect_audit(s, mark, [row], "money contribution")
    status(c.admin.post(f"/api/v1/sponsors/{sp}/contributions", body,
                        headers={"Idempotency-Key": "audit-money-1"}), 201, "money replayed")
    expect_audit(s, mark, [row], "money contribution replayed")
    # goods: the stock intake (with its reason), then the contribution
    before = stock_of(s, g)
    mark = audit_mark(s)
    r = status(c.clerk.post(f"/api/v1/sponsors/{sp}/contributions",
                            {"kind": "goods", "goods_id": g, "quantity": 12, "contributed_on": day(-1),
                             "note": "春节慰问"}), 201, "goods")
    expect_audit(s, mark, [
        dict(entity="goods", entity_id=g, action="stock_intake", user_id=c.clerk_id, village_id=c.v,
             summary={"name": "鲁花花生油（测试）", "delta": 12, "stock": before + 12,
                      "reason": f"铁岭县宏达农资商店捐赠（{day(-1)}）：春节慰问"}),
        dict(entity="contribution", entity_id=r.json["id"], action="create", user_id=c.clerk_id, village_id=c.v,
             summary={"sponsor_id": sp, "kind": "goods", "goods_id": g, "quantity": 12,
                      "contributed_on": day(-1)})], "goods contribution")


def check_goods_create(c):
    s = shop(c).s
    mark = audit_mark(s)
    r = status(c.clerk.post(f"/api/v1/villages/{c.v}/goods", {"name": "金龙鱼大米10斤", "category": "粮油",
                                                               "unit": "袋", "price_points": 45,
                                                               "sponsor_id": c.ids["sponsor"]}), 201, "goods")
    c.ids["goods2"] = r.json["id"]
    expect_audit(s, mark, [dict(entity="goods", entity_id=r.json["id"], action="create", user_id=c.clerk_id,
                                village_id=c.v, summary={"name": "金龙鱼大米10斤", "category": "粮油",
                                                         "price_points": 45})], "goods create")


def check_goods_update(c):
    s = shop(c).s
    gid = status(c.admin.post(f"/api/v1/villages/{c.v}/goods", {"name": "立白洗衣粉", "category": "日化",
                                                                "price_points": 12}), 201, "goods").json["id"]
    mark = audit_mark(s)
    status(c.admin.patch(f"/api/v1/goods/{gid}", {"name": "立白洗衣粉2公斤", "price_points": 15}), 200, "goods edit")
    expect_audit(s, mark, [dict(entity="goods", entity_id=gid, action="update", user_id=3, village_id=c.v,
                                summary={"name": ["立白洗衣粉", "立白洗衣粉2公斤"], "price_points": [12, 15]})],
                 "goods name and price")
    # the unit alone is named too
    mark = audit_mark(s)
    status(c.clerk.patch(f"/api/v1/goods/{gid}", {"unit": "袋"}), 200, "goods unit")
    expect_audit(s, mark, [dict(entity="goods", entity_id=gid, action="update", user_id=c.clerk_id,
                                summary={"unit": ["件", "袋"]})], "goods unit")
    mark = audit_mark(s)
    status(c.admin.patch(f"/api/v1/goods/{gid}", {"status": "retired", "sponsor_id": c.ids["sponsor"]}), 200,
           "retire goods")
    expect_audit(s, mark, [dict(entity="goods", entity_id=gid, action="update", user_id=3,
                                summary={"status": ["active", "retired"], "sponsor_id": [0, c.ids["sponsor"]]})],
                 "goods retired")


def check_goods_stock(c):
    s = shop(c).s
    g = c.ids["goods"]
    before = stock_of(s, g)
    mark = audit_mark(s)
    r = status(c.clerk.post(f"/api/v1/goods/{g}/stock", {"kind": "intake", "delta": 6,
                                                          "reason": "用共建资金采购6桶"},
                            headers={"Idempotency-Key": "audit-stock-1"}), 201, "intake")
    eq(r.json["goods"]["stock"], before + 6, "stock after the intake")
    row = dict(entity="goods", entity_id=g, action="stock_intake", user_id=c.clerk_id, village_id=c.v,
               summary={"name": "鲁花花生油（测试）", "delta": 6, "stock": before + 6, "reason": "用共建资金采购6桶"})
    expect_audit(s, mark, [row], "stock intake")
    status(c.clerk.post(f"/api/v1/goods/{g}/stock", {"kind": "intake", "delta": 6, "reason": "用共建资金采购6桶"},
                        headers={"Idempotency-Key": "audit-stock-1"}), 201, "intake replayed")
    expect_audit(s, mark, [row], "stock intake replayed")
    eq(stock_of(s, g), before + 6, "stock after the replay")
    # a correction names its reason
    mark = audit_mark(s)
    status(c.admin.post(f"/api/v1/goods/{g}/stock", {"kind": "correction", "delta": -2,
                                                      "reason": "盘点发现2桶漏油"}), 201, "correction")
    expect_audit(s, mark, [dict(entity="goods", entity_id=g, action="stock_correction", user_id=3,
                                village_id=c.v, summary={"name": "鲁花花生油（测试）", "delta": -2,
                                                         "stock": before + 4, "reason": "盘点发现2桶漏油"})],
                 "stock correction")


def check_windows_create(c):
    s = c.s
    mark = audit_mark(s)
    r = status(c.admin.post(f"/api/v1/villages/{c.v}/redemption-windows",
                            {"starts_on": day(), "ends_on": day(3), "note": "年底集中兑换"}), 201, "window")
    expect_audit(s, mark, [dict(entity="redemption_window", entity_id=r.json["id"], action="create", user_id=3,
                                village_id=c.v, summary={"starts_on": day(), "ends_on": day(3)})], "window")
    mark = audit_mark(s)
    r = status(c.county.post(f"/api/v1/villages/{c.v}/redemption-windows",
                             {"starts_on": day(30), "ends_on": day(39)}), 201, "window by the county")
    expect_audit(s, mark, [dict(entity="redemption_window", entity_id=r.json["id"], action="create", user_id=1,
                                village_id=c.v, summary={"starts_on": day(30), "ends_on": day(39)})],
                 "window by the county")


def check_overrides_create(c):
    s = c.s
    mark = audit_mark(s)
    r = status(c.admin.post(f"/api/v1/villages/{c.v}/redemption-overrides",
                            {"reason": "五保户行动不便，上门办理", "hours": 3}), 201, "override")
    o = r.json
    expect_audit(s, mark, [dict(entity="redemption_override", entity_id=o["id"], action="create", user_id=3,
                                village_id=c.v, summary={"hours": 3, "valid_until": o["valid_until"],
                                                         "reason": "五保户行动不便，上门办理"})], "override")


def check_redemptions_create(c):
    s = shop(c).s
    redemption_open(c)
    g = c.ids["goods"]
    h = rich_household(c, 60)
    before, stock = s.sql("SELECT confirmed FROM balances WHERE household_id = ?", h)[0][0], stock_of(s, g)
    mark = audit_mark(s)
    r = status(c.clerk.post(f"/api/v1/villages/{c.v}/redemptions",
                            {"household_id": h, "items": [{"goods_id": g, "quantity": 2}]},
                            headers={"Idempotency-Key": "audit-redeem-1"}), 201, "redeem")
    red = r.json
    c.ids["redemption"] = red["id"]
    eq((red["total_points"], red["balance_after"]), (60, before - 60), "the receipt")
    summary = {"receipt_no": red["receipt_no"], "household_id": h, "total_points": 60,
               "items": [{"goods_id": g, "quantity": 2}]}
    if red.get("override_id"):
        summary["override_id"] = red["override_id"]
    row = dict(entity="redemption", entity_id=red["id"], action="create", user_id=c.clerk_id, village_id=c.v,
               summary=summary)
    expect_audit(s, mark, [row], "redemption")
    status(c.clerk.post(f"/api/v1/villages/{c.v}/redemptions",
                        {"household_id": h, "items": [{"goods_id": g, "quantity": 2}]},
                        headers={"Idempotency-Key": "audit-redeem-1"}), 201, "redemption replayed")
    expect_audit(s, mark, [row], "redemption replayed")
    eq((s.sql("SELECT confirmed FROM balances WHERE household_id = ?", h)[0][0], stock_of(s, g)),
       (before - 60, stock - 2), "balance and stock after the replay")


def check_redemption_cancel(c):
    s = shop(c).s
    redemption_open(c)
    g = c.ids["goods"]
    h = rich_household(c, 30)
    red = status(c.clerk.post(f"/api/v1/villages/{c.v}/redemptions",
                              {"household_id": h, "items": [{"goods_id": g, "quantity": 1}]}), 201, "redeem").json
    # the clerk on the same day
    mark = audit_mark(s)
    status(c.clerk.post(f"/api/v1/redemptions/{red['id']}/cancel", {"reason": "村民改换其他商品"},
                        headers={"Idempotency-Key": "audit-cancel-1"}), 200, "cancel")
    row = dict(entity="redemption", entity_id=red["id"], action="cancel", user_id=c.clerk_id, village_id=c.v,
               summary={"receipt_no": red["receipt_no"], "total_points": 30, "reason": "村民改换其他商品"})
    expect_audit(s, mark, [row], "cancel by the clerk")
    status(c.clerk.post(f"/api/v1/redemptions/{red['id']}/cancel", {"reason": "村民改换其他商品"},
                        headers={"Idempotency-Key": "audit-cancel-1"}), 200, "cancel replayed")
    expect_audit(s, mark, [row], "cancel replayed")
    # the village admin
    red = status(c.clerk.post(f"/api/v1/villages/{c.v}/redemptions",
                              {"household_id": h, "items": [{"goods_id": g, "quantity": 1}]}), 201, "redeem").json
    mark = audit_mark(s)
    status(c.admin.post(f"/api/v1/redemptions/{red['id']}/cancel", {"reason": "录错了户"}), 200, "admin cancel")
    expect_audit(s, mark, [dict(entity="redemption", entity_id=red["id"], action="cancel", user_id=3,
                                village_id=c.v, summary={"receipt_no": red["receipt_no"], "total_points": 30,
                                                         "reason": "录错了户"})], "cancel by the admin")


def check_honour_rules_create(c):
    s = c.s
    mark = audit_mark(s)
    r = status(c.admin.post(f"/api/v1/villages/{c.v}/honour-rules",
                            {"kind": "stars", "title": "文明家庭（测试）", "thresholds": [50, 100, 200, 400, 800]}),
               201, "honour rule")
    expect_audit(s, mark, [dict(entity="honour_rule", entity_id=r.json["id"], action="create", user_id=3,
                                village_id=c.v, summary={"kind": "stars", "title": "文明家庭（测试）",
                                                         "thresholds": "[50,100,200,400,800]", "top_n": 0})],
                 "star honour rule")
    mark = audit_mark(s)
    r = status(c.county.post(f"/api/v1/villages/{c.v}/honour-rules",
                             {"kind": "top", "title": "积分标兵（测试）", "top_n": 10}), 201, "top rule")
    expect_audit(s, mark, [dict(entity="honour_rule", entity_id=r.json["id"], action="create", user_id=1,
                                village_id=c.v, summary={"kind": "top", "title": "积分标兵（测试）",
                                                         "thresholds": "[]", "top_n": 10})], "top-N honour rule")


def check_honour_rule_update(c):
    s = c.s
    rid = status(c.admin.post(f"/api/v1/villages/{c.v}/honour-rules",
                              {"kind": "top", "title": "孝老爱亲之星（测试）", "top_n": 5}), 201, "rule").json["id"]
    mark = audit_mark(s)
    status(c.admin.patch(f"/api/v1/honour-rules/{rid}", {"status": "retired"}), 200, "retire")
    expect_audit(s, mark, [dict(entity="honour_rule", entity_id=rid, action="retire", user_id=3, village_id=c.v,
                                summary={})], "honour rule retired")


def check_year_close(c):
    s = year_village(c).s
    vid = c.ids["yvillage"]
    year = datetime.now(timezone(timedelta(hours=8))).year - 1
    policy = s.sql("SELECT balance_policy FROM villages WHERE id = ?", vid)[0][0]
    mark = audit_mark(s)
    status(c.yadmin.post(f"/api/v1/villages/{vid}/years/{year}/close"), 201, "close")
    archived = s.sql("SELECT count(*) FROM year_ranking WHERE village_id = ? AND year = ?", vid, year)[0][0]
    expect_audit(s, mark, [dict(entity="year", entity_id=year, action="close", user_id=c.yadmin_id,
                                village_id=vid, area_id=2,
                                summary={"year": year, "policy": policy, "households": archived, "honours": 0,
                                         "entries": 0})], "year close")


CHECKS = {
    ("POST", "/api/v1/session"): check_session_login,
    ("DELETE", "/api/v1/session"): check_session_logout,
    ("POST", "/api/v1/areas"): check_areas_create,
    ("POST", "/api/v1/villages"): check_villages_create,
    ("PATCH", "/api/v1/villages/{id}"): check_village_update,
    ("POST", "/api/v1/villages/{id}/groups"): check_groups_create,
    ("PATCH", "/api/v1/groups/{id}"): check_group_update,
    ("POST", "/api/v1/villages/{id}/households"): check_households_create,
    ("POST", "/api/v1/villages/{id}/households/import"): check_households_import,
    ("PATCH", "/api/v1/households/{id}"): check_household_update,
    ("POST", "/api/v1/households/{id}/members"): check_members_create,
    ("PATCH", "/api/v1/members/{id}"): check_member_update,
    ("POST", "/api/v1/users"): check_users_create,
    ("PATCH", "/api/v1/users/{id}"): check_user_update,
    ("POST", "/api/v1/villages/{id}/rules"): check_rules_create,
    ("PATCH", "/api/v1/rules/{id}"): check_rule_update,
    ("POST", "/api/v1/rules/{id}/retire"): check_rule_retire,
    ("POST", "/api/v1/rules/{id}/revise"): check_rule_revise,
    ("POST", "/api/v1/villages/{id}/entries"): check_entries_record,
    ("POST", "/api/v1/entries/{id}/reversal"): check_entry_reverse,
    ("POST", "/api/v1/villages/{id}/activities"): check_activities_create,
    ("POST", "/api/v1/activities/{id}/signups"): check_activity_signup,
    ("POST", "/api/v1/activities/{id}/attendance"): check_activity_attendance,
    ("POST", "/api/v1/activities/{id}/award"): check_activity_award,
    ("POST", "/api/v1/villages/{id}/inspections"): check_inspections_create,
    ("POST", "/api/v1/inspections/{id}/scores"): check_inspection_score,
    ("POST", "/api/v1/inspections/{id}/close"): check_inspection_close,
    ("POST", "/api/v1/villages/{id}/photos"): check_photos_upload,
    ("POST", "/api/v1/villages/{id}/claims"): check_claims_create,
    ("POST", "/api/v1/claims/{id}/approve"): check_claim_approve,
    ("POST", "/api/v1/claims/{id}/reject"): check_claim_reject,
    ("POST", "/api/v1/villages/{id}/sponsors"): check_sponsors_create,
    ("POST", "/api/v1/sponsors/{id}/contributions"): check_contributions_create,
    ("POST", "/api/v1/villages/{id}/goods"): check_goods_create,
    ("PATCH", "/api/v1/goods/{id}"): check_goods_update,
    ("POST", "/api/v1/goods/{id}/stock"): check_goods_stock,
    ("POST", "/api/v1/villages/{id}/redemption-windows"): check_windows_create,
    ("POST", "/api/v1/villages/{id}/redemption-overrides"): check_overrides_create,
    ("POST", "/api/v1/villages/{id}/redemptions"): check_redemptions_create,
    ("POST", "/api/v1/redemptions/{id}/cancel"): check_redemption_cancel,
    ("POST", "/api/v1/villages/{id}/notices"): check_notices_publish,
    ("POST", "/api/v1/notices/{id}/objections"): check_objections_create,
    ("POST", "/api/v1/objections/{id}/settle"): check_objection_settle,
    ("POST", "/api/v1/villages/{id}/honour-rules"): check_honour_rules_create,
    ("PATCH", "/api/v1/honour-rules/{id}"): check_honour_rule_update,
    ("POST", "/api/v1/villages/{id}/years/{year}/close"): check_year_close,
}


def test_every_write_route_is_audited():
    routes = write_routes()
    missing = [f"{m} {p}" for m, p in routes if (m, p) not in CHECKS]
    stale = [f"{m} {p}" for m, p in CHECKS if (m, p) not in routes]
    s = Server()
    try:
        c = Ctx(s)
        failures = []
        for m, p in routes:
            fn = CHECKS.get((m, p))
            if not fn:
                continue
            try:
                fn(c)
            except AssertionError as e:
                failures.append(f"{m} {p}: {e}")
        # the audit rows of the writes are only of writes: nothing for the reads in between
        if missing:
            failures.append("write routes in src/api/routes.c with no audit check here: " + ", ".join(missing))
        if stale:
            failures.append("audit checks for routes that are not in src/api/routes.c: " + ", ".join(stale))
        if failures:
            raise AssertionError("\n".join(failures))
    finally:
        s.close()


def test_reads_add_no_audit_rows():
    s = Server()
    try:
        a = s.login("admin")
        mark = audit_mark(s)
        for path in ("/api/v1/session", "/api/v1/villages", f"/api/v1/villages/{s.village_id}/households",
                     "/api/v1/households/1", "/api/v1/users", "/api/v1/audit", "/api/v1/health"):
            status(a.get(path), 200, path)
        expect_audit(s, mark, [], "reads")
    finally:
        s.close()


# ---- refused writes ----------------------------------------------------------

def test_refused_writes_add_no_audit_rows():
    s = Server()
    try:
        a = s.login("admin")
        scorer = s.login("scorer")
        vil = s.login_villager("1001")
        cook = s.login("admin", use_cookie=True)
        bare = type(cook)(s, cookie=cook.cookie)
        v = s.village_id
        hb = {"group_id": 3, "passbook_no": "3901", "head_name": "于洪军"}
        cases = [
            ("422 wrong type", a, "POST", f"/api/v1/villages/{v}/households", dict(hb, group_id="3"), 422),
            ("422 too long", a, "POST", f"/api/v1/villages/{v}/households", dict(hb, head_name="于" * 33), 422),
            ("422 bad status", a, "PATCH", "/api/v1/households/1", {"status": "dead"}, 422),
            ("422 good and bad together", a, "PATCH", "/api/v1/households/1",
             {"address": "高箭沟村一组99号", "phone": "bad phone"}, 422),
            ("422 member", a, "POST", "/api/v1/households/1/members", {"name": "", "relation": "孙子"}, 422),
            ("422 group", a, "POST", f"/api/v1/villages/{v}/groups", {"name": ""}, 422),
            ("422 user", a, "POST", "/api/v1/users", {"username": "x", "display_name": "某", "role": "scorer",
                                                      "password": "Long-enough-2024", "village_id": v}, 422),
            ("422 weak password", a, "PATCH", "/api/v1/users/4", {"password": "short"}, 422),
            ("422 rename with a weak password", a, "PATCH", "/api/v1/users/4",
             {"display_name": "于秀兰", "password": "short"}, 422),
            ("422 phone with a bad PIN", a, "PATCH", "/api/v1/users/6", {"phone": "13700003333", "pin": "12"}, 422),
            ("403 rename self with a wrong current password", a, "PATCH", "/api/v1/users/3",
             {"display_name": "高建国", "password": "Another-Pass-2024", "current_password": "not-my-password"}, 403),
            ("422 import with a bad row", a, "POST", f"/api/v1/villages/{v}/households/import",
             "村民小组,存折号,户主\n一组,1001,王福顺\n七组,70 01,赵德福\n".encode(), 422),
            ("409 passbook", a, "POST", f"/api/v1/villages/{v}/households", dict(hb, passbook_no="1001"), 409),
            ("409 patch passbook", a, "PATCH", "/api/v1/households/1", {"passbook_no": "1002"}, 409),
            ("409 group", a, "POST", f"/api/v1/villages/{v}/groups", {"name": "一组"}, 409),
            ("409 username", a, "POST", "/api/v1/users", {"username": "clerk", "display_name": "某", "role": "clerk",
                                                          "password": "Long-enough-2024", "village_id": v}, 409),
            ("403 scorer writes", scorer, "POST", f"/api/v1/villages/{v}/households", hb, 403),
            ("403 villager writes", vil, "PATCH", f"/api/v1/households/{vil.user['household_id']}",
             {"address": "某地"}, 403),
            ("403 csrf", bare, "PATCH", "/api/v1/households/1", {"address": "某地"}, 403),
            ("403 admin makes a county", a, "POST", "/api/v1/areas", {"name": "开原市", "level": "county"}, 403),
            ("404 unknown household", a, "PATCH", "/api/v1/households/999999", {"address": "某地"}, 404),
            ("400 malformed", a, "POST", f"/api/v1/villages/{v}/households", b"{", 400),
            ("401 no login", s.anon(), "POST", f"/api/v1/villages/{v}/households", hb, 401),
            ("422 bad login shape", s.anon(), "POST", "/api/v1/session", {"username": "admin"}, 422),
        ]
        failures = []
        for label, c, method, path, body, st in cases:
            mark = audit_mark(s)
            before = s.sql("SELECT group_concat(display_name || coalesce(phone,'') || coalesce(password_hash,'')"
                           " || coalesce(pin_hash,''), '|') FROM users")[0][0]
            hbefore = s.sql("SELECT max(updated_at), count(*) FROM households")[0]
            kw = {"raw": body} if isinstance(body, bytes) else {"body": body}
            r = c.request(method, path, **kw)
            try:
                status(r, st, label)
                expect_audit(s, mark, [], label)
                eq(s.sql("SELECT group_concat(display_name || coalesce(phone,'') || coalesce(password_hash,'')"
                         " || coalesce(pin_hash,''), '|') FROM users")[0][0], before, f"{label}: users changed")
                eq(s.sql("SELECT max(updated_at), count(*) FROM households")[0], hbefore,
                   f"{label}: households changed")
            except AssertionError as e:
                failures.append(str(e))
        if failures:
            raise AssertionError("\n".join(failures))
    finally:
        s.close()


def _year_state(s):
    """What a refused write of the year's routes must leave as it was."""
    q = ["SELECT count(*), coalesce(sum(points), 0) FROM entries",
         "SELECT group_concat(household_id || ':' || confirmed || ':' || pending) FROM balances",
         "SELECT group_concat(id || ':' || stock || ':' || price_points || ':' || status || ':' || name) FROM goods",
         "SELECT count(*) FROM stock_moves", "SELECT count(*) FROM sponsors", "SELECT count(*) FROM contributions",
         "SELECT group_concat(id || ':' || status) FROM redemptions", "SELECT count(*) FROM redemption_windows",
         "SELECT count(*) FROM redemption_overrides", "SELECT group_concat(id || ':' || status) FROM notices",
         "SELECT group_concat(id || ':' || status) FROM objections",
         "SELECT group_concat(id || ':' || status) FROM honour_rules", "SELECT count(*) FROM year_closes",
         "SELECT group_concat(name || notice_days || window_days || balance_policy || second_review_points)"
         " FROM villages"]
    return [s.sql(x)[0] for x in q]


def test_refused_year_writes_add_no_audit_rows():
    """The year's writes refused (by role, by their checks, by the state they
    meet) write nothing and log nothing: a stock correction below zero, a
    redemption without points or stock or outside the window, a second cancel,
    an objection to a settled entry, a year closed twice."""
    s = Server()
    try:
        v = s.village_id
        a, county, township = s.login("admin"), s.login("county"), s.login("township")
        clerk, scorer, vil = s.login("clerk"), s.login("scorer"), s.login_villager("1001")
        # outside any mark: only explicit windows, goods, a sponsor, an honour rule (one retired)
        status(a.patch(f"/api/v1/villages/{v}", {"window_days": 0}), 200, "window days 0")
        closed = not status(a.get(f"/api/v1/villages/{v}/redemption-windows/current"), 200, "current").json["open"]
        sp = status(a.post(f"/api/v1/villages/{v}/sponsors", {"name": "铁岭县宏达农资商店"}), 201, "sponsor").json["id"]
        oil = status(a.post(f"/api/v1/villages/{v}/goods", {"name": "花生油（测试）", "category": "粮油",
                                                           "price_points": 30}), 201, "goods").json["id"]
        status(clerk.post(f"/api/v1/goods/{oil}/stock", {"kind": "intake", "delta": 3, "reason": "入库"}), 201, "intake")
        poor, least = s.sql("SELECT h.id, b.confirmed FROM households h JOIN balances b ON b.household_id = h.id"
                            " WHERE h.village_id = ? AND h.status = 'active' AND b.confirmed BETWEEN 0 AND 9000"
                            " ORDER BY b.confirmed, h.id LIMIT 1", v)[0]
        dear = status(a.post(f"/api/v1/villages/{v}/goods", {"name": "电动三轮车（测试）", "category": "家电",
                                                            "price_points": least + 1}), 201, "goods").json["id"]
        status(clerk.post(f"/api/v1/goods/{dear}/stock", {"kind": "intake", "delta": 1, "reason": "入库"}), 201,
               "intake")
        rich = s.sql("SELECT h.id FROM households h JOIN balances b ON b.household_id = h.id"
                     " WHERE h.village_id = ? AND h.status = 'active' AND b.confirmed >= 30"
                     " ORDER BY b.confirmed DESC LIMIT 1", v)[0][0]
        hr = status(a.post(f"/api/v1/villages/{v}/honour-rules", {"kind": "top", "title": "积分标兵（测试）",
                                                                  "top_n": 3}), 201, "honour rule").json["id"]
        gone = status(a.post(f"/api/v1/villages/{v}/honour-rules", {"kind": "top", "title": "旧荣誉（测试）",
                                                                    "top_n": 3}), 201, "honour rule").json["id"]
        status(a.patch(f"/api/v1/honour-rules/{gone}", {"status": "retired"}), 200, "retire")
        # the demo's notice of last month is open; it has an open and a settled objection
        nid, month = s.sql("SELECT id, month FROM notices WHERE village_id = ? AND status = 'open'"
                           " ORDER BY month DESC LIMIT 1", v)[0]
        open_entry = s.sql("SELECT entry_id FROM objections WHERE notice_id = ? AND status = 'open'", nid)[0][0]
        settled = s.sql("SELECT id FROM objections WHERE notice_id = ? AND status <> 'open'", nid)[0][0]
        open_obj = s.sql("SELECT id FROM objections WHERE notice_id = ? AND status = 'open'", nid)[0][0]
        other = s.sql("SELECT id FROM entries WHERE village_id = ? AND month <> ? AND kind = 'award' LIMIT 1",
                      v, month)[0][0]
        this_year = datetime.now(timezone(timedelta(hours=8))).year
        closed_years = [r[0] for r in s.sql("SELECT year FROM year_closes WHERE village_id = ?", v)]

        item = lambda g, q=1: {"household_id": rich, "items": [{"goods_id": g, "quantity": q}]}
        cases = []
        if closed:
            cases.append(("403 redemption outside the window", clerk, "POST", f"/api/v1/villages/{v}/redemptions",
                          item(oil), 403))
        cases += [
            ("403 scorer sponsors", scorer, "POST", f"/api/v1/villages/{v}/sponsors", {"name": "某公司"}, 403),
            ("409 sponsor twice", a, "POST", f"/api/v1/villages/{v}/sponsors", {"name": "铁岭县宏达农资商店"}, 409),
            ("422 money of 0 yuan", a, "POST", f"/api/v1/sponsors/{sp}/contributions",
             {"kind": "money", "amount_yuan": "0", "contributed_on": day()}, 422),
            ("422 goods without goods", a, "POST", f"/api/v1/sponsors/{sp}/contributions",
             {"kind": "goods", "quantity": 5, "contributed_on": day()}, 422),
            ("403 villager contributes", vil, "POST", f"/api/v1/sponsors/{sp}/contributions",
             {"kind": "money", "amount_yuan": "10", "contributed_on": day()}, 403),
            ("409 goods name taken", clerk, "POST", f"/api/v1/villages/{v}/goods",
             {"name": "花生油（测试）", "category": "粮油", "price_points": 5}, 409),
            ("422 stock edited", a, "PATCH", f"/api/v1/goods/{oil}", {"stock": 100}, 422),
            ("422 price of 0", a, "PATCH", f"/api/v1/goods/{oil}", {"name": "新名字", "price_points": 0}, 422),
            ("403 scorer edits goods", scorer, "PATCH", f"/api/v1/goods/{oil}", {"name": "新名字"}, 403),
            ("422 correction below zero", clerk, "POST", f"/api/v1/goods/{oil}/stock",
             {"kind": "correction", "delta": -4, "reason": "盘点短少"}, 422),
            ("422 correction without a reason", clerk, "POST", f"/api/v1/goods/{oil}/stock",
             {"kind": "correction", "delta": -1, "reason": ""}, 422),
            ("403 township takes stock in", township, "POST", f"/api/v1/goods/{oil}/stock",
             {"kind": "intake", "delta": 1, "reason": "入库"}, 403),
            ("422 window in the past", a, "POST", f"/api/v1/villages/{v}/redemption-windows",
             {"starts_on": day(-10), "ends_on": day(-5)}, 422),
            ("403 clerk sets a window", clerk, "POST", f"/api/v1/villages/{v}/redemption-windows",
             {"starts_on": day(), "ends_on": day(1)}, 403),
            ("422 override of 0 hours", a, "POST", f"/api/v1/villages/{v}/redemption-overrides",
             {"reason": "临时兑换", "hours": 0}, 422),
            ("403 scorer overrides", scorer, "POST", f"/api/v1/villages/{v}/redemption-overrides",
             {"reason": "临时兑换", "hours": 2}, 403),
            ("422 publish this month", a, "POST", f"/api/v1/villages/{v}/notices", {"month": day()[:7]}, 422),
            ("409 publish last month again", a, "POST", f"/api/v1/villages/{v}/notices", {"month": month}, 409),
            ("403 township publishes", township, "POST", f"/api/v1/villages/{v}/notices", {"month": "2025-01"}, 403),
            ("409 a second open objection", vil, "POST", f"/api/v1/notices/{nid}/objections",
             {"entry_id": open_entry, "reason": "请核实"}, 409),
            ("422 objection to another month", vil, "POST", f"/api/v1/notices/{nid}/objections",
             {"entry_id": other, "reason": "请核实"}, 422),
            ("403 township objects", township, "POST", f"/api/v1/notices/{nid}/objections",
             {"entry_id": open_entry, "reason": "请核实"}, 403),
            ("409 settle twice", a, "POST", f"/api/v1/objections/{settled}/settle",
             {"outcome": "dismissed", "resolution": "维持原分"}, 409),
            ("422 bad outcome", a, "POST", f"/api/v1/objections/{open_obj}/settle",
             {"outcome": "maybe", "resolution": "再议"}, 422),
            ("403 scorer settles", scorer, "POST", f"/api/v1/objections/{open_obj}/settle",
             {"outcome": "upheld", "resolution": "冲销"}, 403),
            ("403 township settles", township, "POST", f"/api/v1/objections/{open_obj}/settle",
             {"outcome": "upheld", "resolution": "冲销"}, 403),
            ("422 four thresholds", a, "POST", f"/api/v1/villages/{v}/honour-rules",
             {"kind": "stars", "title": "星级（测试）", "thresholds": [1, 2, 3, 4]}, 422),
            ("409 honour title taken", a, "POST", f"/api/v1/villages/{v}/honour-rules",
             {"kind": "top", "title": "积分标兵（测试）", "top_n": 5}, 409),
            ("422 honour rule edited", a, "PATCH", f"/api/v1/honour-rules/{hr}", {"status": "active"}, 422),
            ("409 honour rule retired twice", a, "PATCH", f"/api/v1/honour-rules/{gone}", {"status": "retired"}, 409),
            ("422 close this year", a, "POST", f"/api/v1/villages/{v}/years/{this_year}/close", None, 422),
            ("403 clerk closes", clerk, "POST", f"/api/v1/villages/{v}/years/{this_year - 1}/close", None, 403),
            ("422 nothing to change", a, "PATCH", f"/api/v1/villages/{v}", {}, 422),
        ]
        if this_year - 1 in closed_years:
            cases.append(("409 close a closed year", a, "POST", f"/api/v1/villages/{v}/years/{this_year - 1}/close",
                          None, 409))
        failures = []
        # then with an override, so only the points and the stock refuse
        late = [
            ("422 not enough points", clerk, "POST", f"/api/v1/villages/{v}/redemptions",
             {"household_id": poor, "items": [{"goods_id": dear, "quantity": 1}]}, 422),
            ("409 out of stock", clerk, "POST", f"/api/v1/villages/{v}/redemptions", item(oil, 4), 409),
            ("403 scorer redeems", scorer, "POST", f"/api/v1/villages/{v}/redemptions", item(oil), 403),
            ("403 township redeems", township, "POST", f"/api/v1/villages/{v}/redemptions", item(oil), 403),
        ]

        def attempt(label, c, method, path, body, st):
            mark = audit_mark(s)
            before = _year_state(s)
            r = c.request(method, path, body=body)
            try:
                status(r, st, label)
                expect_audit(s, mark, [], label)
                eq(_year_state(s), before, f"{label}: state changed")
            except AssertionError as e:
                failures.append(str(e))

        for case in cases:
            attempt(*case)
        status(a.post(f"/api/v1/villages/{v}/redemption-overrides", {"reason": "测试", "hours": 1}), 201, "override")
        for case in late:
            attempt(*case)
        # cancelled once by the clerk: a second cancel, by anyone, writes nothing
        red = status(clerk.post(f"/api/v1/villages/{v}/redemptions", item(oil)), 201, "redeem").json["id"]
        attempt("403 scorer cancels", scorer, "POST", f"/api/v1/redemptions/{red}/cancel", {"reason": "不要了"}, 403)
        status(clerk.post(f"/api/v1/redemptions/{red}/cancel", {"reason": "不要了"}), 200, "cancel")
        attempt("409 cancel twice", a, "POST", f"/api/v1/redemptions/{red}/cancel", {"reason": "再取消"}, 409)
        attempt("422 cancel without a reason", a, "POST", f"/api/v1/redemptions/{red}/cancel", {"reason": ""}, 422)
        if failures:
            raise AssertionError("\n".join(failures))
    finally:
        s.close()


def test_failed_login_adds_one_login_failed_row():
    s = Server()
    try:
        anon = s.anon()
        # a known account's failure is filed under that user, in its village, so its admins see it;
        # an unknown account's under the session
        villager = s.sql("SELECT id FROM users WHERE role = 'villager'")[0][0]
        cases = [
            ({"username": "admin", "password": "wrong-password"}, "user:admin", ("user", 3)),
            ({"username": "nobody", "password": "wrong-password"}, "user:nobody", ("session", None)),
            ({"phone": "13904100001", "password": "wrong-password"}, "phone:13904100001", ("user", 3)),
            ({"village_id": s.village_id, "passbook_no": "1001", "pin": "000000"}, f"passbook:{s.village_id}:1001",
             ("user", villager)),
        ]
        for body, account, (entity, entity_id) in cases:
            mark = audit_mark(s)
            r = anon.post("/api/v1/session", body)
            status(r, 401, f"failed login {account}")
            eq(r.error_code, "bad_credentials", f"{account}: code")
            expect_audit(s, mark, [dict(entity=entity, entity_id=entity_id, action="login_failed", user_id=None,
                                        summary={"account": account})], f"failed login {account}")
        # nothing of the password lands in the log
        if s.sql("SELECT count(*) FROM audit_log WHERE summary LIKE '%wrong-password%'")[0][0]:
            raise AssertionError("a tried password is in the audit log")
        # a disabled account: the right password is still a failed login
        a = s.login("admin")
        status(a.patch("/api/v1/users/5", {"disabled": True}), 200, "disable clerk")
        mark = audit_mark(s)
        r = anon.post("/api/v1/session", {"username": "clerk", "password": PASSWORD})
        status(r, 401, "disabled login")
        eq(r.error_code, "account_disabled", "disabled code")
        expect_audit(s, mark, [dict(entity="user", entity_id=5, action="login_failed", user_id=None,
                                    summary={"account": "user:clerk"})], "disabled login")
    finally:
        s.close()


# ---- append-only in the database -------------------------------------------

def test_audit_log_is_append_only_in_the_database():
    s = Server()
    try:
        a = s.login("admin")
        status(a.patch("/api/v1/households/1", {"address": "高箭沟村一组2号"}), 200, "a write")
        before = s.sql("SELECT * FROM audit_log ORDER BY id")
        hcount = s.sql("SELECT count(*) FROM households")[0][0]
        con = sqlite3.connect(s.db, timeout=30)
        try:
            for sql, needle in (
                    ("UPDATE audit_log SET summary = '{}' WHERE id = 1", "append-only"),
                    ("UPDATE audit_log SET user_id = NULL", "append-only"),
                    ("DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log)", "append-only"),
                    ("DELETE FROM audit_log", "append-only"),
                    ("DELETE FROM households WHERE id = 1", "never deleted"),
                    ("DELETE FROM households", "never deleted")):
                try:
                    con.execute(sql)
                    con.commit()
                except sqlite3.DatabaseError as e:
                    con.rollback()
                    if needle not in str(e):
                        raise AssertionError(f"{sql}: refused with {e!r}, not '{needle}'")
                else:
                    raise AssertionError(f"{sql}: the database allowed it")
            # appending is allowed (that is how the server writes)
            con.execute("SELECT count(*) FROM audit_log").fetchone()
        finally:
            con.close()
        eq(s.sql("SELECT * FROM audit_log ORDER BY id"), before, "audit log after the attempts")
        eq(s.sql("SELECT count(*) FROM households")[0][0], hcount, "households after the attempts")
        status(a.get("/api/v1/households/1"), 200, "server still reads")
    finally:
        s.close()


# ---- GET /api/v1/audit -------------------------------------------------------

def _setup_two_townships(s):
    """Village 2 in the same township (平顶堡镇) and village 3 in another (凡河镇),
    each with a write of its own."""
    county = s.login("county")
    v2 = status(county.post("/api/v1/villages", {"name": "下石碑村", "area_id": 2}), 201, "village 2").json["id"]
    g2 = status(county.post(f"/api/v1/villages/{v2}/groups", {"name": "一组"}), 201, "group 2").json["id"]
    status(county.post(f"/api/v1/villages/{v2}/households",
                       {"group_id": g2, "passbook_no": "1001", "head_name": "刘长山"}), 201, "household v2")
    t2 = status(county.post("/api/v1/areas", {"name": "凡河镇", "level": "township", "parent_id": 1}), 201,
                "township 2").json["id"]
    v3 = status(county.post("/api/v1/villages", {"name": "大岭村", "area_id": t2}), 201, "village 3").json["id"]
    g3 = status(county.post(f"/api/v1/villages/{v3}/groups", {"name": "一组"}), 201, "group 3").json["id"]
    status(county.post(f"/api/v1/villages/{v3}/households",
                       {"group_id": g3, "passbook_no": "1001", "head_name": "赵德才"}), 201, "household v3")
    return county, v2, v3, t2


def _all_items(client, query=""):
    items, page = [], 1
    while True:
        r = status(client.get(f"/api/v1/audit?per_page=200&page={page}{query}"), 200, f"audit page {page}")
        items += r.json["items"]
        if len(r.json["items"]) < 200:
            return items, r.json["total"]
        page += 1


def test_audit_list_scoped_to_village_and_area():
    s = Server()
    try:
        county, v2, v3, t2 = _setup_two_townships(s)
        admin = s.login("admin")
        township = s.login("township")
        status(admin.patch("/api/v1/households/1", {"address": "高箭沟村一组1号（东）"}), 200, "a village-1 write")
        # the village admin: only village 1
        items, total = _all_items(admin)
        eq(total, len(items), "village admin: total")
        eq(sorted({i["village_id"] for i in items}), [s.village_id], "village admin sees only village 1")
        eq(total, s.sql("SELECT count(*) FROM audit_log WHERE village_id=?", s.village_id)[0][0],
           "village admin: every row of village 1")
        ids = [i["id"] for i in items]
        eq(ids, sorted(ids, reverse=True), "newest first")
        # the township admin: villages 1 and 2, not 3
        items, total = _all_items(township)
        vs = {i["village_id"] for i in items}
        if v3 in vs or not {s.village_id, v2} <= vs:
            raise AssertionError(f"township admin sees villages {vs}")
        for i in items:
            if i["area_id"] != 2:
                raise AssertionError(f"township admin sees a row of area {i['area_id']}: {i}")
        eq(total, s.sql("SELECT count(*) FROM audit_log WHERE area_id=2")[0][0], "township admin: every row of 平顶堡镇")
        # the township admin sees their own login (a row of no village, in their area)
        mine = [i for i in items if i["entity"] == "session" and i["user_id"] == 2 and i["action"] == "login"]
        eq(len(mine), 1, "township admin's own login in their list")
        # the county admin: all three villages, and the area-level rows (the township made, logins)
        items, _ = _all_items(county)
        if not {s.village_id, v2, v3} <= {i["village_id"] for i in items}:
            raise AssertionError("county admin does not see every village")
        made = [i for i in items if i["entity"] == "area" and i["entity_id"] == t2 and i["action"] == "create"]
        eq(len(made), 1, "county admin sees the township they created")
        eq(json.loads(made[0]["summary"])["name"], "凡河镇", "area create summary")
        eq(made[0]["username"], "county", "area create username")
        # the township admin does not see the county's own rows
        items, _ = _all_items(township)
        eq([i for i in items if i["user_id"] == 1 and i["village_id"] is None], [], "county-level rows for township")
        # the township admin may filter by a village of theirs, not of another township
        r = status(township.get(f"/api/v1/audit?village_id={v2}"), 200, "township, village 2")
        eq({i["village_id"] for i in r.json["items"]}, {v2}, "township filtered to village 2")
        status(township.get(f"/api/v1/audit?village_id={v3}"), 403, "township, village 3")
        status(admin.get(f"/api/v1/audit?village_id={v2}"), 403, "village admin, village 2")
        r = status(admin.get(f"/api/v1/audit?village_id={s.village_id}"), 200, "village admin, own village")
        # the other roles may not read it at all
        for who in (s.login("scorer"), s.login("clerk"), s.login_villager("1001")):
            r = who.get("/api/v1/audit")
            status(r, 403, f"{who.user['role']} reads audit")
            eq(r.error_code, "forbidden", f"{who.user['role']}: code")
        status(s.anon().get("/api/v1/audit"), 401, "anonymous reads audit")
    finally:
        s.close()


def test_audit_list_filters_and_paging():
    s = Server()
    try:
        # the demo wrote its rule catalogue and history as the admin (user 3): rows before the mark
        mark = audit_mark(s)
        demo_rows_of_3 = [r[0] for r in s.sql("SELECT id FROM audit_log WHERE user_id=3 ORDER BY id DESC")]
        admin = s.login("admin")
        v = s.village_id
        for i in range(3):
            status(admin.patch("/api/v1/households/7", {"address": f"高箭沟村一组7号之{i}"}), 200, "patch 7")
        status(admin.patch("/api/v1/households/8", {"address": "高箭沟村一组8号之一"}), 200, "patch 8")
        # items carry the username of the actor
        r = status(admin.get("/api/v1/audit?per_page=5"), 200, "list")
        it = r.json["items"][0]
        for k in ("id", "at", "user_id", "username", "ip", "village_id", "entity", "entity_id", "action", "summary"):
            if k not in it:
                raise AssertionError(f"audit item has no {k}: {it}")
        eq((it["username"], it["user_id"], it["entity"], it["entity_id"], it["action"]),
           ("admin", 3, "household", 8, "update"), "newest item")
        eq(json.loads(it["summary"]), {"address": ["高箭沟村一组8号", "高箭沟村一组8号之一"]}, "newest summary")
        if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", it["at"]):
            raise AssertionError(f"at is not ISO 8601 UTC: {it['at']}")
        # entity + entity_id
        r = status(admin.get("/api/v1/audit?entity=household&entity_id=7"), 200, "household 7")
        eq(r.json["total"], 4, "rows of household 7 (the demo's create and three patches)")
        eq([i["action"] for i in r.json["items"]], ["update"] * 3 + ["create"], "household 7 actions")
        eq([json.loads(i["summary"])["address"][1] for i in r.json["items"][:3]],
           [f"高箭沟村一组7号之{i}" for i in (2, 1, 0)], "household 7, newest first")
        r = status(admin.get("/api/v1/audit?entity=household&per_page=200"), 200, "households")
        eq({i["entity"] for i in r.json["items"]}, {"household"}, "entity filter")
        eq(r.json["total"], s.sql("SELECT count(*) FROM audit_log WHERE village_id=? AND entity='household'", v)[0][0],
           "entity total")
        eq(status(admin.get("/api/v1/audit?entity=nothing"), 200, "unknown entity").json["total"], 0,
           "unknown entity")
        # user_id: the admin's own rows: the demo's rules, then the login and 4 patches after the mark
        r = status(admin.get("/api/v1/audit?user_id=3&per_page=200"), 200, "user 3")
        eq({i["username"] for i in r.json["items"]}, {"admin"}, "user filter")
        eq(r.json["total"], len(demo_rows_of_3) + 5, "rows of user 3")
        mine = [i for i in r.json["items"] if i["id"] > mark]
        eq([(i["entity"], i["entity_id"], i["action"]) for i in mine],
           [("household", 8, "update")] + [("household", 7, "update")] * 3
           + [("session", session_id(s, 3), "login")], "rows of user 3 after the mark, newest first")
        eq(r.json["items"][:5], mine, "they are the newest")
        eq([i["id"] for i in r.json["items"][5:]], demo_rows_of_3[:195], "the older rows of user 3 are the demo's")
        # since/until as dates (UTC): today holds everything, tomorrow and yesterday nothing
        today = datetime.now(timezone.utc).date()
        total = s.sql("SELECT count(*) FROM audit_log WHERE village_id=?", v)[0][0]
        day = lambda d: d.isoformat()
        for q, want in ((f"since={day(today)}", total),
                        (f"until={day(today)}", total),
                        (f"since={day(today)}&until={day(today)}", total),
                        (f"since={day(today + timedelta(days=1))}", 0),
                        (f"until={day(today - timedelta(days=1))}", 0),
                        (f"since={day(today - timedelta(days=1))}&until={day(today + timedelta(days=1))}", total)):
            eq(status(admin.get(f"/api/v1/audit?{q}"), 200, q).json["total"], want, q)
        for q in ("since=2024-13-01", "until=2024-02-30", "since=yesterday", "until=2024/01/01", "since=-5"):
            r = admin.get(f"/api/v1/audit?{q}")
            status(r, 400, q)
            eq(r.error_code, "bad_query", f"{q}: code")
        # paging: the pages are the newest-first list cut in order, without overlap
        want = [row[0] for row in s.sql("SELECT id FROM audit_log WHERE village_id=? ORDER BY id DESC", v)]
        got = []
        page = 1
        while True:
            r = status(admin.get(f"/api/v1/audit?per_page=7&page={page}"), 200, f"page {page}")
            eq((r.json["page"], r.json["per_page"], r.json["total"]), (page, 7, len(want)), f"page {page} header")
            if not r.json["items"]:
                break
            got += [i["id"] for i in r.json["items"]]
            page += 1
        eq(got, want, "pages of 7")
        # filters combine
        r = status(admin.get(f"/api/v1/audit?entity=household&user_id=3&since={day(today)}&per_page=2&page=2"),
                   200, "combined")
        eq((r.json["total"], len(r.json["items"])), (4, 2), "combined filters")
    finally:
        s.close()


if __name__ == "__main__":
    run(globals())
