"""Access matrix (invariant 6: a user sees and changes only what their role and area
allow). One table, MATRIX, names every route of src/api/routes.c × target (own or other
village, own or other household, self, own or other area, a missing id) with the status
each of the seven roles must get:

    anonymous  villager  clerk  scorer  village_admin  township area_admin  county area_admin

The table runs twice against one real server, once from each of two villages in two
townships of one county (the demo's 高箭沟村 in 平顶堡镇, and 马家寨村 in 凡河镇 made through
the API), so "own" and "other" swap sides. Every refusal of a write must leave the
database (and the photo folder) as it was, and every 403 must leave a "denied METHOD
PATH user=ID" line in the server log. A route in routes.c that the table does not name
fails the run.

The ledger's rows (rules, entries, passbook, chain, photos, claims, activities,
inspections) get their targets from fixtures: each village has a rule, entries, claims
with photos, an activity and an inspection round made in setup, and a write that can
happen only once (a reversal, a review, an award, a retirement, closing a round) gets a
fresh target made just before its request. Bodies are valid, so access is the only
reason for a refusal. The rules encoded: the catalogue and the chain head are public;
the village's scorers and admin record, reverse, review, award and score (the clerk
does not, nor do the area admins above the village, who read); villagers see their own
household's passbook, entries, claims and photos only; another village is 403 except
for the county admin.

The year's rows (issue 4: notices and objections, the points supermarket, ranking,
honours, the year end, comparisons, exports) read fixtures made by make_year: an open
notice of last month in each village (马家寨村 gets confirmed points first through an
earlier month's notice, which the server confirms in setup: `serve --notice-day-seconds
3`), sponsors, goods with a photo and stock, an override so the clerk can redeem now,
redemptions of both households, and 2025 closed. Publishing takes a fresh past month,
objecting a fresh entry of the open notice, settling and cancelling a fresh objection or
redemption; closing 2025 again is 409 for the village admin (nobody else gets that far).
The catalogue of goods, the current notice and redemption window, and the public
ranking and honours need no login; the shop is run by the village admin and the clerk
(and the area admins above manage, not serve at the counter); publishing, settling and
closing the year are the village admin's alone.
"""
import collections
import datetime
import os
import re
import sqlite3
import time

from harness import SRC, Server, run, eq, status
from ledger_fixtures import day, today
from photo_fixtures import fresh_png

PW = "Majiazhai-2024"
PIN = "583927"
MISSING = 999999
ROLES = ("anonymous", "villager", "clerk", "scorer", "village_admin", "township", "county")
SHORT = ("anon", "vill", "clerk", "scor", "vadm", "town", "cnty")
WRITE_METHODS = ("POST", "PATCH", "DELETE", "PUT")
# the tables a refused write must leave untouched (sessions change on every request)
SNAPSHOT_TABLES = ("areas", "villages", "villager_groups", "households", "members", "users",
                   "audit_log", "rules", "batches", "entries", "balances", "chain_heads", "claims",
                   "activities", "activity_signups", "inspections", "inspection_scores", "photos",
                   "idempotency_keys", "notices", "objections", "totals", "sponsors", "goods",
                   "contributions", "stock_moves", "redemption_windows", "redemption_overrides",
                   "redemptions", "redemption_items", "honour_rules", "year_closes", "year_ranking",
                   "honours", "confirmed_months")
# a notice "day" is 15 seconds: 马家寨村's first notice (notice_days 1) confirms in setup, and
# those published later (notice_days 60: 15 minutes) stay open through the run, even on a
# loaded machine
SERVE_ARGS = ["--notice-day-seconds", "15", "--confirm-interval", "1"]


def toggle(current, a, b):
    """A value that differs from current: a, or b when current is already a."""
    return b if current == a else a


def current(c, sql, default):
    rows = c.s.sql(sql, c.id)
    return rows[0][0] if rows else default


# ---- bodies: each gets the request context c (c.id = the resolved target, c.n = unique) ----

def b_login(c):
    return c.credentials


def b_area_township(c):
    return {"name": f"试点镇{c.n}", "level": "township", "parent_id": c.id}


def b_area_county(c):
    return {"name": f"试点县{c.n}", "level": "county"}


def b_village_create(c):
    return {"name": f"腰堡村{c.n}", "area_id": c.id}


def b_village_rename(c):
    base = c.world.get(c.id, {}).get("name", "高箭沟村")
    cur = current(c, "SELECT name FROM villages WHERE id = ?", base)
    return {"name": toggle(cur, base, base + "（示范点）")}


def b_group_create(c):
    return {"name": f"新{c.n}组", "sort": 10 + c.n}


def b_group_update(c):
    return {"sort": toggle(current(c, "SELECT sort FROM villager_groups WHERE id = ?", 0), 9, 8)}


def b_household_create(c):
    v = c.world.get(c.id, c.world[c.home.village])
    return {"group_id": v["group"], "passbook_no": f"9{c.n:03d}", "head_name": "于洪军",
            "address": v["name"] + "三组17号", "members": [{"name": "于小红", "relation": "女儿"}]}


def b_import(c):
    v = c.world.get(c.id, c.world[c.home.village])
    return f"村民小组,存折号,户主,住址\n{v['group_name']},8{c.n:03d},于洪军,{v['name']}三组17号\n".encode()


def b_household_update(c):
    prefix = c.world.get(c.vid_of_household(), {}).get("name", "高箭沟村")
    cur = current(c, "SELECT address FROM households WHERE id = ?", "")
    return {"address": toggle(cur, prefix + "三组17号", prefix + "三组18号")}


def b_member_create(c):
    return {"name": "于小红", "relation": "女儿"}


def b_member_update(c):
    return {"name": toggle(current(c, "SELECT name FROM members WHERE id = ?", ""), "于小红", "于晓红")}


def b_user_staff(role):
    def body(c):
        return {"username": f"u{role[:4]}{c.n}", "display_name": "于洪军", "role": role,
                "password": PW, "village_id": c.id}
    return body


def b_user_area_admin(c):
    return {"username": f"area{c.n}", "display_name": "赵德明", "role": "area_admin",
            "password": PW, "area_id": c.id}


def b_user_update(c):
    cur = current(c, "SELECT display_name FROM users WHERE id = ?", "")
    return {"display_name": toggle(cur, "于洪军", "于红军")}


# ---- ledger bodies: c.th is the side (home) whose village the target is in, c.extra
# what the target's fixture made (a household, a sign-up) ----

def b_rule_create(c):
    return {"category": "好人好事", "name": f"拾金不昧{c.n}", "points": 3, "claimable": True}


def b_rule_update(c):
    cur = current(c, "SELECT name FROM rules WHERE id = ?", "")
    return {"category": "尊老爱幼", "name": toggle(cur, "照顾孤寡老人", "照顾孤寡老人（修订）"), "points": 4}


def b_rule_revise(c):
    return {"category": "志愿服务", "name": f"义务植树{c.n}", "points": 5}


def b_record(c):
    return {"rule_id": c.th.rule, "household_ids": [c.extra["hh"]], "deed_date": day(),
            "note": "清理房前屋后杂物"}


def b_reverse(c):
    return {"reason": "记错了户，冲销"}


def b_photo(c):
    return fresh_png()


def b_claim(c):
    return {"rule_id": c.th.rule, "deed_date": day(), "description": "帮邻居抢收玉米",
            "household_id": c.extra["hh"]}


def b_reject(c):
    return {"reason": "照片看不清，请重新申请"}


def b_activity(c):
    return {"name": f"植树活动{c.n}", "rule_id": c.th.rule, "activity_date": day()}


def b_signup(c):
    return {"household_id": c.extra["hh"]}


def b_attendance(c):
    return {"attended": [c.extra.get("signup", 1)]}


def b_inspection(c):
    return {"group_id": c.th.group_own, "inspection_date": day()}


def b_score(c):
    return {"household_id": c.th.hh_own, "items": [{"rule_id": c.th.rule}]}


# ---- what a list may show (checks on 200 answers) ----

def ids(r):
    return {i["id"] for i in r.json["items"]}


def see_areas(r, c):
    got = ids(r)
    if c.role == "county":
        return None if {c.county_area, c.home.area, c.other.area} <= got else f"areas {got}"
    return None if got == {c.home.area} else f"township admin sees areas {got}"


def see_villages(r, c):
    got = {(i["id"], i["area_id"]) for i in r.json["items"]}
    vids = {v for v, _ in got}
    if c.role == "county":
        return None if {c.home.village, c.other.village} <= vids else f"villages {got}"
    if c.role == "township":
        ok = c.home.village in vids and all(a == c.home.area for _, a in got)
        return None if ok else f"township admin sees villages {got}"
    return None if vids == {c.home.village} else f"{c.role} sees villages {got}"


def see_in_target_village(r, c):
    bad = [i for i in r.json["items"] if i["village_id"] != c.id]
    return f"items of other villages: {bad[:3]}" if bad else None


def see_households(r, c):
    msg = see_in_target_village(r, c)
    if msg:
        return msg
    n = c.s.sql("SELECT count(*) FROM households WHERE village_id = ?", c.id)[0][0]
    return None if r.json["total"] == n else f"total {r.json['total']} != {n} households"


def see_only_filtered_village(r, c):
    items = r.json["items"]
    bad = [i for i in items if i["village_id"] != c.id]
    return f"asked for village {c.id}, got rows of others: {bad[:3]}" if bad or not items else None


def see_users(r, c):
    items = r.json["items"]
    if c.filtered:
        return see_only_filtered_village(r, c)
    if c.role == "county":
        vids = {i["village_id"] for i in items}
        return None if {c.home.village, c.other.village} <= vids else f"county sees villages {vids}"
    if c.role == "township":
        home_villages = {v for (v,) in c.s.sql("SELECT id FROM villages WHERE area_id = ?", c.home.area)}
        bad = [i for i in items if not (i["area_id"] == c.home.area or i["village_id"] in home_villages)]
    else:
        bad = [i for i in items if i["village_id"] != c.home.village]
    return f"{c.role} sees users outside their scope: {bad[:3]}" if bad or not items else None


def see_audit(r, c):
    items = r.json["items"]
    if c.filtered:
        return see_only_filtered_village(r, c)
    if c.role == "county":
        vids = {i["village_id"] for i in items}
        return None if {c.home.village, c.other.village} <= vids else f"county sees villages {vids}"
    if c.role == "township":
        bad = [i for i in items if i["area_id"] != c.home.area or i["village_id"] == c.other.village]
    else:
        bad = [i for i in items if i["village_id"] != c.home.village]
    return f"{c.role} sees audit rows outside their scope: {bad[:3]}" if bad or not items else None


def see_target(r, c):
    return None if r.json and r.json.get("id") == c.id else f"answered id {(r.json or {}).get('id')}, asked {c.id}"


def see_self_session(r, c):
    return None if r.json["user"]["id"] == c.actor_id else f"session of user {r.json['user']['id']}"


def see_in_target_household(r, c):
    items = r.json["items"]
    bad = [i for i in items if i["household_id"] != c.id]
    return f"items of other households: {bad[:3]}" if bad or not items else None


def see_passbook(r, c):
    if r.json["household"]["id"] != c.id:
        return f"passbook of household {r.json['household']['id']}, asked {c.id}"
    return see_in_target_household(r, c)


def see_chain(r, c):
    j = r.json
    good = j["village_id"] == c.id and j["seq"] > 0 and re.fullmatch(r"[0-9a-f]{64}", j["hash"])
    return None if good else f"chain head {j}"


def see_activity(r, c):
    msg = see_target(r, c)
    if msg:
        return msg
    hh = {x["household_id"] for x in r.json["signups"]}
    want = {c.th.hh_own} if c.role == "villager" else {c.th.hh_own, c.th.hh_other}
    return None if hh == want else f"{c.role} sees the sign-ups of households {hh}, expected {want}"


def see_photo(r, c):
    good = r.body == c.extra["bytes"] and r.header("Content-Type") == "image/png"
    return None if good else f"photo answered {r.header('Content-Type')} {len(r.body)} bytes"


def see_made_in_target(r, c):
    got = r.json.get("village_id")
    return None if got == c.th.village else f"made in village {got}, not {c.th.village}"


def see_logged_out(r, c):
    after = c.client.get("/api/v1/session")
    return None if after.status == 401 else f"the session still answers {after.status} after logout"


# ---- the matrix ----
#   method, route pattern (as in routes.c), target, expected statuses in ROLES order
#   (anon vill clerk scor vadm town cnty), then optional body / query / check / note,
#   fx (makes the target: see the fixtures below) and denied (the error codes a 403 of
#   the row may carry; "forbidden" unless the route names why, like "not_reviewer").

def R(method, pattern, target, expect, body=None, query=None, check=None, note="", fx=None,
      denied=("forbidden",)):
    codes = [int(x) for x in expect.split()]
    assert len(codes) == len(ROLES), f"{method} {pattern} {target}: {expect!r}"
    return dict(method=method, pattern=pattern, target=target, expect=dict(zip(ROLES, codes)),
                body=body, query=query, check=check, note=note, fx=fx, denied=denied)


# ---- fixtures of the ledger rows: fx(home, target) -> (id, side, extra) ----

def side(home, target):
    """The home whose village the target is in ("missing" targets use the home's data)."""
    return home.other if target == "other village" else home


def fx_village(home, target):
    """The village of the target; extra["hh"] the household a body names."""
    th = side(home, target)
    hh = th.hh_other if target == "other household" else th.hh_own
    return (MISSING if target == "missing" else th.village), th, {"hh": hh}


def fx_made(attr):
    """One of the things each village made in setup: home.<attr> for the own household
    (or the village), home.<attr>_other for the other household."""
    def fx(home, target):
        th = side(home, target)
        if target == "missing":
            return MISSING, th, {"hh": th.hh_own}
        key = attr + ("_other" if target == "other household" else "")
        return getattr(th, key), th, {"hh": th.hh_own}
    return fx


def fx_fresh(make):
    """A target made just before the request by the target village's own staff (a write
    that can happen once); make(th, extra) returns its id."""
    def fx(home, target):
        th = side(home, target)
        extra = {"hh": th.hh_other if target == "other household" else th.hh_own}
        if target == "missing":
            return MISSING, th, extra
        return make(th, extra), th, extra
    return fx


def fx_photo(home, target):
    if target == "missing":
        return MISSING, home, {"hash": home.photo_own[0]}
    if target == "missing photo":
        return home.village, home, {"hash": "0" * 64}
    th = side(home, target)
    h, data = th.photo_other if target == "other household" else th.photo_own
    return th.village, th, {"hash": h, "bytes": data}


def ok(r, want, what):
    return status(r, want, what).json


def new_rule(th, extra):
    return ok(th.clients["village_admin"].post(f"/api/v1/villages/{th.village}/rules", {
        "category": "移风易俗", "name": f"红白事简办{next(SEQ)}", "points": 6}), 201, "fresh rule")["id"]


def new_entry(th, extra):
    r = ok(th.clients["scorer"].post(f"/api/v1/villages/{th.village}/entries", {
        "rule_id": th.rule, "household_ids": [th.hh_other], "deed_date": day()}), 201, "fresh entry")
    return r["entries"][0]["id"]


def new_claim(th, extra):
    """Filed by the household's own villager (so neither scorer nor admin is its filer)."""
    return ok(th.clients["villager"].post(f"/api/v1/villages/{th.village}/claims", {
        "rule_id": th.rule, "deed_date": day(), "description": "义务清扫村道"}), 201, "fresh claim")["id"]


def new_activity(th, extra):
    return ok(th.clients["scorer"].post(f"/api/v1/villages/{th.village}/activities", {
        "name": f"清理村路杂草{next(SEQ)}", "rule_id": th.rule, "activity_date": day()}),
        201, "fresh activity")["id"]


def new_signed_up(th, extra):
    aid = new_activity(th, extra)
    extra["signup"] = ok(th.clients["scorer"].post(f"/api/v1/activities/{aid}/signups",
                                                   {"household_id": th.hh_own}), 201, "sign-up")["id"]
    return aid


def new_attended(th, extra):
    aid = new_signed_up(th, extra)
    ok(th.clients["scorer"].post(f"/api/v1/activities/{aid}/attendance", {"attended": [extra["signup"]]}),
       200, "attendance")
    return aid


def new_round(th, extra):
    return ok(th.clients["scorer"].post(f"/api/v1/villages/{th.village}/inspections", {
        "group_id": th.group_own, "inspection_date": day()}), 201, "fresh round")["id"]


SEQ = iter(range(1, 1_000_000))


# ---- issue 4: bodies, fixtures and checks of the year's rows (notices, the shop,
# ranking, honours, the year end). Each village has, from make_year: an open notice
# (last month) with a pool of its entries to object to, an objection, a sponsor,
# goods with a photo and stock, an override so its clerk can redeem now, redemptions
# of both households, and 2025 closed. ----

def past_month(n):
    """A month long past, different for every n (the notice rows publish one each)."""
    return f"{2010 + n // 12:04d}-{n % 12 + 1:02d}"


def b_publish(c):
    return {"month": past_month(next(SEQ))}


def b_objection(c):
    return {"entry_id": c.extra["entry"], "reason": "那天他家没人在村里，这条记录可能记错了"}


def b_settle(c):
    return {"outcome": "dismissed", "resolution": "经核实，记录无误"}


def b_sponsor(c):
    return {"name": f"铁岭农商银行{c.n}", "contact": "13904101234"}


def b_contribution(c):
    return {"kind": "money", "amount_yuan": "200.00", "contributed_on": day(), "note": "捐助积分超市"}


def b_goods(c):
    return {"name": f"洗衣粉{c.n}", "category": "日用品", "unit": "袋", "price_points": 3}


def b_goods_update(c):
    cur = current(c, "SELECT name FROM goods WHERE id = ?", "")
    return {"name": toggle(cur, "硫磺皂", "硫磺皂（大块）")}


def b_stock(c):
    return {"kind": "intake", "delta": 2, "reason": "村委会采购入库"}


def b_window(c):
    start = 30 + 2 * next(SEQ)
    return {"starts_on": day(start), "ends_on": day(start), "note": "兑换日"}


def b_override(c):
    return {"reason": "五保户住院，提前兑换生活用品", "hours": 2}


def b_redeem(c):
    return {"household_id": c.extra["hh"], "items": [{"goods_id": c.th.goods, "quantity": 1}]}


def b_cancel(c):
    return {"reason": "拿错了东西，退回"}


def b_honour_rule(c):
    return {"kind": "top", "title": f"文明家庭{c.n}", "top_n": 3}


def b_retire(c):
    return {"status": "retired"}


def q_range(c):
    return f"format=csv&from={day(-30)}&to={day()}"


def q_qr(c):
    return f"code=JIFEN:{c.th.village}:1001"


def fx_objectable(home, target):
    """The open notice of the target's village and a fresh entry of it to object to."""
    th = side(home, target)
    entry = th.objectable.pop()
    return (MISSING if target == "missing" else th.notice), th, {"hh": th.hh_own, "entry": entry}


def fx_year(year):
    """The target village and the year of the path."""
    def fx(home, target):
        tid, th, extra = fx_village(home, target)
        extra["year"] = year
        return tid, th, extra
    return fx


def new_objection(th, extra):
    return ok(th.clients["villager"].post(f"/api/v1/notices/{th.notice}/objections", {
        "entry_id": th.objectable.pop(), "reason": "这条记录的日期不对"}), 201, "fresh objection")["id"]


def new_redemption(th, extra):
    return ok(th.clients["clerk"].post(f"/api/v1/villages/{th.village}/redemptions", {
        "household_id": th.hh_own, "items": [{"goods_id": th.goods, "quantity": 1}]}),
        201, "fresh redemption")["id"]


def new_honour_rule(th, extra):
    return ok(th.clients["village_admin"].post(f"/api/v1/villages/{th.village}/honour-rules", {
        "kind": "top", "title": f"好婆婆{next(SEQ)}", "top_n": 2}), 201, "fresh honour rule")["id"]


def see_in_notice(r, c):
    bad = [i for i in r.json["items"] if i["notice_id"] != c.id or i["village_id"] != c.th.village]
    return f"objections of other notices: {bad[:3]}" if bad or not r.json["items"] else None


def see_file(r, c):
    good = r.body and "attachment" in (r.header("Content-Disposition") or "")
    return None if good else f"export answered {r.header('Content-Type')} {r.header('Content-Disposition')}"


def see_goods_photo(r, c):
    good = r.body == c.th.goods_photo and r.header("Content-Type") == "image/png"
    return None if good else f"goods photo answered {r.header('Content-Type')} {len(r.body)} bytes"


V = "/api/v1/villages/{id}"
MATRIX = [
    #                                                         anon vill clrk scor vadm town cnty
    R("GET", "/api/v1/health", "-",                           "200  200  200  200  200  200  200"),
    R("GET", "/api/v1/openapi.yaml", "-",                     "200  200  200  200  200  200  200"),
    R("POST", "/api/v1/session", "-",                         "201  201  201  201  201  201  201", b_login,
      note="each role logs in with its own credentials (anonymous: the clerk's)"),
    R("GET", "/api/v1/session", "-",                          "401  200  200  200  200  200  200",
      check=see_self_session),

    R("GET", "/api/v1/areas", "-",                            "401  403  403  403  403  200  200", check=see_areas),
    R("POST", "/api/v1/areas", "county",                      "401  403  403  403  403  403  201", b_area_township,
      note="a township under the county"),
    R("POST", "/api/v1/areas", "-",                           "401  403  403  403  403  403  403", b_area_county,
      note="a county (only the operator may)"),
    R("GET", "/api/v1/areas/{id}", "own area",                "401  403  403  403  403  200  200", check=see_target),
    R("GET", "/api/v1/areas/{id}", "other area",              "401  403  403  403  403  403  200", check=see_target),
    R("GET", "/api/v1/areas/{id}", "county",                  "401  403  403  403  403  403  200", check=see_target),
    R("GET", "/api/v1/areas/{id}", "missing",                 "401  404  404  404  404  404  404"),

    R("GET", "/api/v1/villages", "-",                         "401  200  200  200  200  200  200", check=see_villages),
    R("POST", "/api/v1/villages", "own area",                 "401  403  403  403  403  201  201", b_village_create),
    R("POST", "/api/v1/villages", "other area",               "401  403  403  403  403  403  201", b_village_create),
    R("GET", V, "own village",                                "401  200  200  200  200  200  200", check=see_target),
    R("GET", V, "other village",                              "401  403  403  403  403  403  200", check=see_target),
    R("GET", V, "missing",                                    "401  404  404  404  404  404  404"),
    R("PATCH", V, "own village",                              "401  403  403  403  200  200  200", b_village_rename),
    R("PATCH", V, "other village",                            "401  403  403  403  403  403  200", b_village_rename),
    R("PATCH", V, "missing",                                  "401  404  404  404  404  404  404", b_village_rename),
    R("GET", V + "/groups", "own village",                    "401  200  200  200  200  200  200", check=see_in_target_village),
    R("GET", V + "/groups", "other village",                  "401  403  403  403  403  403  200", check=see_in_target_village),
    R("GET", V + "/groups", "missing",                        "401  404  404  404  404  404  404"),
    R("POST", V + "/groups", "own village",                   "401  403  403  403  201  201  201", b_group_create),
    R("POST", V + "/groups", "other village",                 "401  403  403  403  403  403  201", b_group_create),
    R("POST", V + "/groups", "missing",                       "401  404  404  404  404  404  404", b_group_create),
    R("PATCH", "/api/v1/groups/{id}", "own village",          "401  403  403  403  200  200  200", b_group_update),
    R("PATCH", "/api/v1/groups/{id}", "other village",        "401  403  403  403  403  403  200", b_group_update),
    R("PATCH", "/api/v1/groups/{id}", "missing",              "401  404  404  404  404  404  404", b_group_update),

    R("GET", V + "/households", "own village",                "401  403  200  200  200  200  200", check=see_households),
    R("GET", V + "/households", "other village",              "401  403  403  403  403  403  200", check=see_households),
    R("GET", V + "/households", "missing",                    "401  404  404  404  404  404  404"),
    R("POST", V + "/households", "own village",               "401  403  403  403  201  201  201", b_household_create),
    R("POST", V + "/households", "other village",             "401  403  403  403  403  403  201", b_household_create),
    R("POST", V + "/households", "missing",                   "401  404  404  404  404  404  404", b_household_create),
    R("POST", V + "/households/import", "own village",        "401  403  403  403  200  200  200", b_import),
    R("POST", V + "/households/import", "other village",      "401  403  403  403  403  403  200", b_import),
    R("POST", V + "/households/import", "missing",            "401  404  404  404  404  404  404", b_import),
    R("GET", "/api/v1/households/{id}", "own household",      "401  200  200  200  200  200  200", check=see_target),
    R("GET", "/api/v1/households/{id}", "other household",    "401  403  200  200  200  200  200", check=see_target),
    R("GET", "/api/v1/households/{id}", "other village",      "401  403  403  403  403  403  200", check=see_target),
    R("GET", "/api/v1/households/{id}", "missing",            "401  404  404  404  404  404  404"),
    R("PATCH", "/api/v1/households/{id}", "own household",    "401  403  403  403  200  200  200", b_household_update),
    R("PATCH", "/api/v1/households/{id}", "other household",  "401  403  403  403  200  200  200", b_household_update),
    R("PATCH", "/api/v1/households/{id}", "other village",    "401  403  403  403  403  403  200", b_household_update),
    R("PATCH", "/api/v1/households/{id}", "missing",          "401  404  404  404  404  404  404", b_household_update),
    R("POST", "/api/v1/households/{id}/members", "own household",   "401  403  403  403  201  201  201", b_member_create),
    R("POST", "/api/v1/households/{id}/members", "other household", "401  403  403  403  201  201  201", b_member_create),
    R("POST", "/api/v1/households/{id}/members", "other village",   "401  403  403  403  403  403  201", b_member_create),
    R("POST", "/api/v1/households/{id}/members", "missing",         "401  404  404  404  404  404  404", b_member_create),
    R("PATCH", "/api/v1/members/{id}", "own household",       "401  403  403  403  200  200  200", b_member_update),
    R("PATCH", "/api/v1/members/{id}", "other household",     "401  403  403  403  200  200  200", b_member_update),
    R("PATCH", "/api/v1/members/{id}", "other village",       "401  403  403  403  403  403  200", b_member_update),
    R("PATCH", "/api/v1/members/{id}", "missing",             "401  404  404  404  404  404  404", b_member_update),

    R("GET", "/api/v1/users", "-",                            "401  403  403  403  200  200  200", check=see_users),
    R("GET", "/api/v1/users", "own village",                  "401  403  403  403  200  200  200",
      query="village_id={id}", check=see_users),
    R("GET", "/api/v1/users", "other village",                "401  403  403  403  403  403  200",
      query="village_id={id}", check=see_users),
    R("POST", "/api/v1/users", "own village",                 "401  403  403  403  201  201  201", b_user_staff("scorer"),
      note="role scorer"),
    R("POST", "/api/v1/users", "other village",               "401  403  403  403  403  403  201", b_user_staff("scorer"),
      note="role scorer"),
    R("POST", "/api/v1/users", "own village",                 "401  403  403  403  403  201  201", b_user_staff("village_admin"),
      note="role village_admin"),
    # area admins manage the admins of areas strictly below their own, not their peers
    R("POST", "/api/v1/users", "own area",                    "401  403  403  403  403  403  201", b_user_area_admin,
      note="role area_admin"),
    R("POST", "/api/v1/users", "other area",                  "401  403  403  403  403  403  201", b_user_area_admin,
      note="role area_admin"),
    R("POST", "/api/v1/users", "county",                      "401  403  403  403  403  403  403", b_user_area_admin,
      note="role area_admin"),
    R("GET", "/api/v1/users/{id}", "self",                    "401  200  200  200  200  200  200", check=see_target),
    R("GET", "/api/v1/users/{id}", "own village",             "401  403  403  403  200  200  200", check=see_target,
      note="the other household's villager"),
    R("GET", "/api/v1/users/{id}", "other village",           "401  403  403  403  403  403  200", check=see_target),
    R("GET", "/api/v1/users/{id}", "township admin",          "401  403  403  403  403  200  200", check=see_target),
    R("GET", "/api/v1/users/{id}", "other township admin",    "401  403  403  403  403  403  200", check=see_target),
    R("GET", "/api/v1/users/{id}", "county admin",            "401  403  403  403  403  403  200", check=see_target),
    R("GET", "/api/v1/users/{id}", "missing",                 "401  404  404  404  404  404  404"),
    R("PATCH", "/api/v1/users/{id}", "self",                  "401  200  200  200  200  200  200", b_user_update),
    R("PATCH", "/api/v1/users/{id}", "own village",           "401  403  403  403  200  200  200", b_user_update,
      note="the other household's villager"),
    R("PATCH", "/api/v1/users/{id}", "other village",         "401  403  403  403  403  403  200", b_user_update),
    R("PATCH", "/api/v1/users/{id}", "township admin",        "401  403  403  403  403  200  200", b_user_update),
    R("PATCH", "/api/v1/users/{id}", "other township admin",  "401  403  403  403  403  403  200", b_user_update),
    R("PATCH", "/api/v1/users/{id}", "county admin",          "401  403  403  403  403  403  200", b_user_update),
    R("PATCH", "/api/v1/users/{id}", "missing",               "401  404  404  404  404  404  404", b_user_update),

    R("GET", "/api/v1/audit", "-",                            "401  403  403  403  200  200  200",
      query="per_page=200", check=see_audit),
    R("GET", "/api/v1/audit", "own village",                  "401  403  403  403  200  200  200",
      query="village_id={id}&per_page=200", check=see_audit),
    R("GET", "/api/v1/audit", "other village",                "401  403  403  403  403  403  200",
      query="village_id={id}&per_page=200", check=see_audit),

    # ---- the ledger: rules (public to read), entries, passbook, chain head (public) ----
    #                                                         anon vill clrk scor vadm town cnty
    R("GET", V + "/rules", "own village",                     "200  200  200  200  200  200  200",
      fx=fx_village, check=see_in_target_village, note="the catalogue is public"),
    R("GET", V + "/rules", "other village",                   "200  200  200  200  200  200  200",
      fx=fx_village, check=see_in_target_village),
    R("GET", V + "/rules", "missing",                         "404  404  404  404  404  404  404", fx=fx_village),
    R("POST", V + "/rules", "own village",                    "401  403  403  403  201  201  201", b_rule_create,
      fx=fx_village, check=see_made_in_target),
    R("POST", V + "/rules", "other village",                  "401  403  403  403  403  403  201", b_rule_create,
      fx=fx_village, check=see_made_in_target),
    R("POST", V + "/rules", "missing",                        "401  404  404  404  404  404  404", b_rule_create,
      fx=fx_village),
    R("GET", "/api/v1/rules/{id}", "own village",             "200  200  200  200  200  200  200",
      fx=fx_made("rule"), check=see_target),
    R("GET", "/api/v1/rules/{id}", "other village",           "200  200  200  200  200  200  200",
      fx=fx_made("rule"), check=see_target),
    R("GET", "/api/v1/rules/{id}", "missing",                 "404  404  404  404  404  404  404", fx=fx_made("rule")),
    R("PATCH", "/api/v1/rules/{id}", "own village",           "401  403  403  403  200  200  200", b_rule_update,
      fx=fx_made("rule_unused"), check=see_target, note="a rule not used yet"),
    R("PATCH", "/api/v1/rules/{id}", "other village",         "401  403  403  403  403  403  200", b_rule_update,
      fx=fx_made("rule_unused"), check=see_target),
    R("PATCH", "/api/v1/rules/{id}", "missing",               "401  404  404  404  404  404  404", b_rule_update,
      fx=fx_made("rule_unused")),
    R("POST", "/api/v1/rules/{id}/retire", "own village",     "401  403  403  403  200  200  200",
      fx=fx_fresh(new_rule), check=see_target),
    R("POST", "/api/v1/rules/{id}/retire", "other village",   "401  403  403  403  403  403  200",
      fx=fx_fresh(new_rule), check=see_target),
    R("POST", "/api/v1/rules/{id}/retire", "missing",         "401  404  404  404  404  404  404", fx=fx_fresh(new_rule)),
    R("POST", "/api/v1/rules/{id}/revise", "own village",     "401  403  403  403  201  201  201", b_rule_revise,
      fx=fx_fresh(new_rule), check=see_made_in_target),
    R("POST", "/api/v1/rules/{id}/revise", "other village",   "401  403  403  403  403  403  201", b_rule_revise,
      fx=fx_fresh(new_rule), check=see_made_in_target),
    R("POST", "/api/v1/rules/{id}/revise", "missing",         "401  404  404  404  404  404  404", b_rule_revise,
      fx=fx_fresh(new_rule)),

    R("POST", V + "/entries", "own village",                  "401  403  403  201  201  403  403", b_record,
      fx=fx_village, note="the village's scorers and admin record"),
    R("POST", V + "/entries", "other village",                "401  403  403  403  403  403  403", b_record, fx=fx_village),
    R("POST", V + "/entries", "missing",                      "401  404  404  404  404  404  404", b_record, fx=fx_village),
    R("GET", V + "/entries", "own village",                   "401  403  200  200  200  200  200",
      fx=fx_village, check=see_in_target_village),
    R("GET", V + "/entries", "other village",                 "401  403  403  403  403  403  200",
      fx=fx_village, check=see_in_target_village),
    R("GET", V + "/entries", "missing",                       "401  404  404  404  404  404  404", fx=fx_village),
    R("GET", "/api/v1/entries/{id}", "own household",         "401  200  200  200  200  200  200",
      fx=fx_made("entry"), check=see_target),
    R("GET", "/api/v1/entries/{id}", "other household",       "401  403  200  200  200  200  200",
      fx=fx_made("entry"), check=see_target),
    R("GET", "/api/v1/entries/{id}", "other village",         "401  403  403  403  403  403  200",
      fx=fx_made("entry"), check=see_target),
    R("GET", "/api/v1/entries/{id}", "missing",               "401  404  404  404  404  404  404", fx=fx_made("entry")),
    R("POST", "/api/v1/entries/{id}/reversal", "own village", "401  403  403  201  201  403  403", b_reverse,
      fx=fx_fresh(new_entry)),
    R("POST", "/api/v1/entries/{id}/reversal", "other village", "401  403  403  403  403  403  403", b_reverse,
      fx=fx_fresh(new_entry)),
    R("POST", "/api/v1/entries/{id}/reversal", "missing",     "401  404  404  404  404  404  404", b_reverse,
      fx=fx_fresh(new_entry)),
    R("GET", "/api/v1/households/{id}/passbook", "own household",   "401  200  200  200  200  200  200",
      check=see_passbook),
    R("GET", "/api/v1/households/{id}/passbook", "other household", "401  403  200  200  200  200  200",
      check=see_passbook),
    R("GET", "/api/v1/households/{id}/passbook", "other village",   "401  403  403  403  403  403  200",
      check=see_passbook),
    R("GET", "/api/v1/households/{id}/passbook", "missing",         "401  404  404  404  404  404  404"),
    R("GET", V + "/chain", "own village",                     "200  200  200  200  200  200  200",
      fx=fx_village, check=see_chain, note="public: printed on every notice"),
    R("GET", V + "/chain", "other village",                   "200  200  200  200  200  200  200",
      fx=fx_village, check=see_chain),
    R("GET", V + "/chain", "missing",                         "404  404  404  404  404  404  404", fx=fx_village),

    # ---- photos: any user of the village uploads; a villager sees their household's ----
    R("POST", V + "/photos", "own village",                   "401  201  201  201  201  201  201", b_photo,
      fx=fx_village, check=see_made_in_target),
    R("POST", V + "/photos", "other village",                 "401  403  403  403  403  403  201", b_photo,
      fx=fx_village, check=see_made_in_target),
    R("POST", V + "/photos", "missing",                       "401  404  404  404  404  404  404", b_photo, fx=fx_village),
    R("GET", V + "/photos/{hash}", "own household",           "401  200  200  200  200  200  200",
      fx=fx_photo, check=see_photo, note="of a claim of the household, uploaded by the scorer"),
    R("GET", V + "/photos/{hash}", "other household",         "401  403  200  200  200  200  200",
      fx=fx_photo, check=see_photo),
    R("GET", V + "/photos/{hash}", "other village",           "401  403  403  403  403  403  200",
      fx=fx_photo, check=see_photo),
    R("GET", V + "/photos/{hash}", "missing",                 "401  404  404  404  404  404  404", fx=fx_photo),
    R("GET", V + "/photos/{hash}", "missing photo",           "401  404  404  404  404  404  404", fx=fx_photo),

    # ---- claims: a villager for their own household, staff on a household's behalf;
    # the village's scorers and admin review ----
    R("POST", V + "/claims", "own household",                 "401  201  403  201  201  201  201", b_claim,
      fx=fx_village, check=see_made_in_target),
    R("POST", V + "/claims", "other household",               "401  403  403  201  201  201  201", b_claim,
      fx=fx_village, check=see_made_in_target),
    R("POST", V + "/claims", "other village",                 "401  403  403  403  403  403  201", b_claim,
      fx=fx_village, check=see_made_in_target),
    R("POST", V + "/claims", "missing",                       "401  404  404  404  404  404  404", b_claim, fx=fx_village),
    R("GET", V + "/claims", "own village",                    "401  403  200  200  200  200  200",
      fx=fx_village, check=see_in_target_village, note="the review queue"),
    R("GET", V + "/claims", "other village",                  "401  403  403  403  403  403  200",
      fx=fx_village, check=see_in_target_village),
    R("GET", V + "/claims", "missing",                        "401  404  404  404  404  404  404", fx=fx_village),
    R("GET", "/api/v1/households/{id}/claims", "own household",   "401  200  200  200  200  200  200",
      check=see_in_target_household),
    R("GET", "/api/v1/households/{id}/claims", "other household", "401  403  200  200  200  200  200",
      check=see_in_target_household),
    R("GET", "/api/v1/households/{id}/claims", "other village",   "401  403  403  403  403  403  200",
      check=see_in_target_household),
    R("GET", "/api/v1/households/{id}/claims", "missing",         "401  404  404  404  404  404  404"),
    R("GET", "/api/v1/claims/{id}", "own household",          "401  200  200  200  200  200  200",
      fx=fx_made("claim"), check=see_target),
    R("GET", "/api/v1/claims/{id}", "other household",        "401  403  200  200  200  200  200",
      fx=fx_made("claim"), check=see_target),
    R("GET", "/api/v1/claims/{id}", "other village",          "401  403  403  403  403  403  200",
      fx=fx_made("claim"), check=see_target),
    R("GET", "/api/v1/claims/{id}", "missing",                "401  404  404  404  404  404  404", fx=fx_made("claim")),
    R("POST", "/api/v1/claims/{id}/approve", "own village",   "401  403  403  200  200  403  403",
      fx=fx_fresh(new_claim), check=see_target, denied=("forbidden", "not_reviewer"),
      note="filed by the household's villager"),
    R("POST", "/api/v1/claims/{id}/approve", "other village", "401  403  403  403  403  403  403",
      fx=fx_fresh(new_claim), denied=("forbidden", "not_reviewer")),
    R("POST", "/api/v1/claims/{id}/approve", "missing",       "401  404  404  404  404  404  404", fx=fx_fresh(new_claim)),
    R("POST", "/api/v1/claims/{id}/reject", "own village",    "401  403  403  200  200  403  403", b_reject,
      fx=fx_fresh(new_claim), check=see_target, denied=("forbidden", "not_reviewer")),
    R("POST", "/api/v1/claims/{id}/reject", "other village",  "401  403  403  403  403  403  403", b_reject,
      fx=fx_fresh(new_claim), denied=("forbidden", "not_reviewer")),
    R("POST", "/api/v1/claims/{id}/reject", "missing",        "401  404  404  404  404  404  404", b_reject,
      fx=fx_fresh(new_claim)),

    # ---- activities: the village's users read them; a villager signs up their own household ----
    R("POST", V + "/activities", "own village",               "401  403  403  201  201  201  201", b_activity,
      fx=fx_village, check=see_made_in_target),
    R("POST", V + "/activities", "other village",             "401  403  403  403  403  403  201", b_activity,
      fx=fx_village, check=see_made_in_target),
    R("POST", V + "/activities", "missing",                   "401  404  404  404  404  404  404", b_activity,
      fx=fx_village),
    R("GET", V + "/activities", "own village",                "401  200  200  200  200  200  200",
      fx=fx_village, check=see_in_target_village),
    R("GET", V + "/activities", "other village",              "401  403  403  403  403  403  200",
      fx=fx_village, check=see_in_target_village),
    R("GET", V + "/activities", "missing",                    "401  404  404  404  404  404  404", fx=fx_village),
    R("GET", "/api/v1/activities/{id}", "own village",        "401  200  200  200  200  200  200",
      fx=fx_made("activity"), check=see_activity, note="a villager sees their own sign-ups only"),
    R("GET", "/api/v1/activities/{id}", "other village",      "401  403  403  403  403  403  200",
      fx=fx_made("activity"), check=see_activity),
    R("GET", "/api/v1/activities/{id}", "missing",            "401  404  404  404  404  404  404",
      fx=fx_made("activity")),
    R("POST", "/api/v1/activities/{id}/signups", "own household",   "401  201  403  201  201  201  201", b_signup,
      fx=fx_fresh(new_activity)),
    R("POST", "/api/v1/activities/{id}/signups", "other household", "401  403  403  201  201  201  201", b_signup,
      fx=fx_fresh(new_activity)),
    R("POST", "/api/v1/activities/{id}/signups", "other village",   "401  403  403  403  403  403  201", b_signup,
      fx=fx_fresh(new_activity)),
    R("POST", "/api/v1/activities/{id}/signups", "missing",         "401  404  404  404  404  404  404", b_signup,
      fx=fx_fresh(new_activity)),
    R("POST", "/api/v1/activities/{id}/attendance", "own village",   "401  403  403  200  200  200  200", b_attendance,
      fx=fx_fresh(new_signed_up), check=see_target),
    R("POST", "/api/v1/activities/{id}/attendance", "other village", "401  403  403  403  403  403  200", b_attendance,
      fx=fx_fresh(new_signed_up), check=see_target),
    R("POST", "/api/v1/activities/{id}/attendance", "missing",       "401  404  404  404  404  404  404", b_attendance,
      fx=fx_fresh(new_signed_up)),
    R("POST", "/api/v1/activities/{id}/award", "own village",  "401  403  403  201  201  403  403",
      fx=fx_fresh(new_attended), note="awarding records points"),
    R("POST", "/api/v1/activities/{id}/award", "other village", "401  403  403  403  403  403  403",
      fx=fx_fresh(new_attended)),
    R("POST", "/api/v1/activities/{id}/award", "missing",      "401  404  404  404  404  404  404",
      fx=fx_fresh(new_attended)),

    # ---- inspection rounds: the village's scorers and admin (and the area admins read) ----
    R("POST", V + "/inspections", "own village",              "401  403  403  201  201  201  201", b_inspection,
      fx=fx_village, check=see_made_in_target),
    R("POST", V + "/inspections", "other village",            "401  403  403  403  403  403  201", b_inspection,
      fx=fx_village, check=see_made_in_target),
    R("POST", V + "/inspections", "missing",                  "401  404  404  404  404  404  404", b_inspection,
      fx=fx_village),
    R("GET", V + "/inspections", "own village",               "401  403  403  200  200  200  200",
      fx=fx_village, check=see_in_target_village),
    R("GET", V + "/inspections", "other village",             "401  403  403  403  403  403  200",
      fx=fx_village, check=see_in_target_village),
    R("GET", V + "/inspections", "missing",                   "401  404  404  404  404  404  404", fx=fx_village),
    R("GET", "/api/v1/inspections/{id}", "own village",       "401  403  403  200  200  200  200",
      fx=fx_made("round"), check=see_target),
    R("GET", "/api/v1/inspections/{id}", "other village",     "401  403  403  403  403  403  200",
      fx=fx_made("round"), check=see_target),
    R("GET", "/api/v1/inspections/{id}", "missing",           "401  404  404  404  404  404  404", fx=fx_made("round")),
    R("POST", "/api/v1/inspections/{id}/scores", "own village",   "401  403  403  201  201  403  403", b_score,
      fx=fx_fresh(new_round), note="scoring records points"),
    R("POST", "/api/v1/inspections/{id}/scores", "other village", "401  403  403  403  403  403  403", b_score,
      fx=fx_fresh(new_round)),
    R("POST", "/api/v1/inspections/{id}/scores", "missing",       "401  404  404  404  404  404  404", b_score,
      fx=fx_fresh(new_round)),
    R("POST", "/api/v1/inspections/{id}/close", "own village",    "401  403  403  200  200  200  200",
      fx=fx_fresh(new_round), check=see_target),
    R("POST", "/api/v1/inspections/{id}/close", "other village",  "401  403  403  403  403  403  200",
      fx=fx_fresh(new_round), check=see_target),
    R("POST", "/api/v1/inspections/{id}/close", "missing",        "401  404  404  404  404  404  404",
      fx=fx_fresh(new_round)),

    # ---- issue 4: notices and objections (the village admin publishes; villagers and cadres object) ----
    #                                                         anon vill clrk scor vadm town cnty
    R("POST", V + "/notices", "own village",                  "401  403  403  403  201  403  403", b_publish,
      fx=fx_village, check=see_made_in_target, note="a fresh past month each time"),
    R("POST", V + "/notices", "other village",                "401  403  403  403  403  403  403", b_publish,
      fx=fx_village),
    R("POST", V + "/notices", "missing",                      "401  404  404  404  404  404  404", b_publish,
      fx=fx_village),
    R("GET", V + "/notices", "own village",                   "401  200  200  200  200  200  200",
      fx=fx_village, check=see_in_target_village),
    R("GET", V + "/notices", "other village",                 "401  403  403  403  403  403  200",
      fx=fx_village, check=see_in_target_village),
    R("GET", V + "/notices", "missing",                       "401  404  404  404  404  404  404", fx=fx_village),
    R("GET", V + "/notices/current", "own village",           "200  200  200  200  200  200  200",
      fx=fx_village, check=see_made_in_target, note="public, names masked"),
    R("GET", V + "/notices/current", "other village",         "200  200  200  200  200  200  200",
      fx=fx_village, check=see_made_in_target),
    R("GET", V + "/notices/current", "missing",               "404  404  404  404  404  404  404", fx=fx_village),
    R("GET", "/api/v1/notices/{id}", "own village",           "401  200  200  200  200  200  200",
      fx=fx_made("notice"), check=see_target),
    R("GET", "/api/v1/notices/{id}", "other village",         "401  403  403  403  403  403  200",
      fx=fx_made("notice"), check=see_target),
    R("GET", "/api/v1/notices/{id}", "missing",               "401  404  404  404  404  404  404", fx=fx_made("notice")),
    R("POST", "/api/v1/notices/{id}/objections", "own village",   "401  201  201  201  201  403  403", b_objection,
      fx=fx_objectable, note="a fresh entry of the open notice each time"),
    R("POST", "/api/v1/notices/{id}/objections", "other village", "401  403  403  403  403  403  403", b_objection,
      fx=fx_objectable),
    R("POST", "/api/v1/notices/{id}/objections", "missing",       "401  404  404  404  404  403  403", b_objection,
      fx=fx_objectable, note="area admins never object"),
    R("GET", "/api/v1/notices/{id}/objections", "own village",    "401  200  200  200  200  200  200",
      fx=fx_made("notice"), check=see_in_notice),
    R("GET", "/api/v1/notices/{id}/objections", "other village",  "401  403  403  403  403  403  200",
      fx=fx_made("notice"), check=see_in_notice),
    R("GET", "/api/v1/notices/{id}/objections", "missing",        "401  404  404  404  404  404  404",
      fx=fx_made("notice")),
    R("GET", "/api/v1/objections/{id}", "own village",        "401  200  200  200  200  200  200",
      fx=fx_made("objection"), check=see_target),
    R("GET", "/api/v1/objections/{id}", "other village",      "401  403  403  403  403  403  200",
      fx=fx_made("objection"), check=see_target),
    R("GET", "/api/v1/objections/{id}", "missing",            "401  404  404  404  404  404  404",
      fx=fx_made("objection")),
    R("POST", "/api/v1/objections/{id}/settle", "own village",   "401  403  403  403  200  403  403", b_settle,
      fx=fx_fresh(new_objection), check=see_target, note="dismissed"),
    R("POST", "/api/v1/objections/{id}/settle", "other village", "401  403  403  403  403  403  403", b_settle,
      fx=fx_fresh(new_objection)),
    R("POST", "/api/v1/objections/{id}/settle", "missing",       "401  404  404  404  404  404  404", b_settle,
      fx=fx_fresh(new_objection)),
    R("GET", "/api/v1/notices/{id}/export", "own village",    "401  200  200  200  200  200  200",
      fx=fx_made("notice"), query="format=csv", check=see_file),
    R("GET", "/api/v1/notices/{id}/export", "other village",  "401  403  403  403  403  403  200",
      fx=fx_made("notice"), query="format=csv", check=see_file),
    R("GET", "/api/v1/notices/{id}/export", "missing",        "401  404  404  404  404  404  404",
      fx=fx_made("notice"), query="format=csv"),

    # ---- the points supermarket: sponsors, goods (public to read), stock ----
    R("POST", V + "/sponsors", "own village",                 "401  403  403  403  201  201  201", b_sponsor,
      fx=fx_village, check=see_made_in_target),
    R("POST", V + "/sponsors", "other village",               "401  403  403  403  403  403  201", b_sponsor,
      fx=fx_village, check=see_made_in_target),
    R("POST", V + "/sponsors", "missing",                     "401  404  404  404  404  404  404", b_sponsor,
      fx=fx_village),
    R("GET", V + "/sponsors", "own village",                  "401  403  200  200  200  200  200",
      fx=fx_village, check=see_in_target_village),
    R("GET", V + "/sponsors", "other village",                "401  403  403  403  403  403  200",
      fx=fx_village, check=see_in_target_village),
    R("GET", V + "/sponsors", "missing",                      "401  404  404  404  404  404  404", fx=fx_village),
    R("POST", "/api/v1/sponsors/{id}/contributions", "own village",   "401  403  201  403  201  201  201",
      b_contribution, fx=fx_made("sponsor"), note="money"),
    R("POST", "/api/v1/sponsors/{id}/contributions", "other village", "401  403  403  403  403  403  201",
      b_contribution, fx=fx_made("sponsor")),
    R("POST", "/api/v1/sponsors/{id}/contributions", "missing",       "401  404  404  404  404  404  404",
      b_contribution, fx=fx_made("sponsor")),
    R("GET", "/api/v1/sponsors/{id}/statement", "own village",        "401  403  200  200  200  200  200",
      fx=fx_made("sponsor")),
    R("GET", "/api/v1/sponsors/{id}/statement", "other village",      "401  403  403  403  403  403  200",
      fx=fx_made("sponsor")),
    R("GET", "/api/v1/sponsors/{id}/statement", "missing",            "401  404  404  404  404  404  404",
      fx=fx_made("sponsor")),
    R("GET", "/api/v1/sponsors/{id}/statement/export", "own village",   "401  403  200  200  200  200  200",
      fx=fx_made("sponsor"), query="format=csv", check=see_file),
    R("GET", "/api/v1/sponsors/{id}/statement/export", "other village", "401  403  403  403  403  403  200",
      fx=fx_made("sponsor"), query="format=csv", check=see_file),
    R("GET", "/api/v1/sponsors/{id}/statement/export", "missing",       "401  404  404  404  404  404  404",
      fx=fx_made("sponsor"), query="format=csv"),
    R("POST", V + "/goods", "own village",                    "401  403  201  403  201  201  201", b_goods,
      fx=fx_village, check=see_made_in_target, note="the shop's managers"),
    R("POST", V + "/goods", "other village",                  "401  403  403  403  403  403  201", b_goods,
      fx=fx_village, check=see_made_in_target),
    R("POST", V + "/goods", "missing",                        "401  404  404  404  404  404  404", b_goods,
      fx=fx_village),
    R("GET", V + "/goods", "own village",                     "200  200  200  200  200  200  200",
      fx=fx_village, check=see_in_target_village, note="the shelf is public"),
    R("GET", V + "/goods", "other village",                   "200  200  200  200  200  200  200",
      fx=fx_village, check=see_in_target_village),
    R("GET", V + "/goods", "missing",                         "404  404  404  404  404  404  404", fx=fx_village),
    R("GET", "/api/v1/goods/{id}", "own village",             "200  200  200  200  200  200  200",
      fx=fx_made("goods"), check=see_target),
    R("GET", "/api/v1/goods/{id}", "other village",           "200  200  200  200  200  200  200",
      fx=fx_made("goods"), check=see_target),
    R("GET", "/api/v1/goods/{id}", "missing",                 "404  404  404  404  404  404  404", fx=fx_made("goods")),
    R("PATCH", "/api/v1/goods/{id}", "own village",           "401  403  200  403  200  200  200", b_goods_update,
      fx=fx_made("goods"), check=see_target),
    R("PATCH", "/api/v1/goods/{id}", "other village",         "401  403  403  403  403  403  200", b_goods_update,
      fx=fx_made("goods"), check=see_target),
    R("PATCH", "/api/v1/goods/{id}", "missing",               "401  404  404  404  404  404  404", b_goods_update,
      fx=fx_made("goods")),
    R("GET", "/api/v1/goods/{id}/photo", "own village",       "200  200  200  200  200  200  200",
      fx=fx_made("goods"), check=see_goods_photo),
    R("GET", "/api/v1/goods/{id}/photo", "other village",     "200  200  200  200  200  200  200",
      fx=fx_made("goods"), check=see_goods_photo),
    R("GET", "/api/v1/goods/{id}/photo", "missing",           "404  404  404  404  404  404  404", fx=fx_made("goods")),
    R("POST", "/api/v1/goods/{id}/stock", "own village",      "401  403  201  403  201  403  403", b_stock,
      fx=fx_made("goods"), note="intake at the village's counter"),
    R("POST", "/api/v1/goods/{id}/stock", "other village",    "401  403  403  403  403  403  403", b_stock,
      fx=fx_made("goods")),
    R("POST", "/api/v1/goods/{id}/stock", "missing",          "401  404  404  404  404  404  404", b_stock,
      fx=fx_made("goods")),
    R("GET", "/api/v1/goods/{id}/stock-moves", "own village", "401  403  200  200  200  200  200",
      fx=fx_made("goods")),
    R("GET", "/api/v1/goods/{id}/stock-moves", "other village", "401  403  403  403  403  403  200",
      fx=fx_made("goods")),
    R("GET", "/api/v1/goods/{id}/stock-moves", "missing",     "401  404  404  404  404  404  404", fx=fx_made("goods")),

    # ---- redemption windows and overrides, redemptions, QR codes ----
    R("POST", V + "/redemption-windows", "own village",       "401  403  403  403  201  201  201", b_window,
      fx=fx_village, check=see_made_in_target, note="a fresh future window each time"),
    R("POST", V + "/redemption-windows", "other village",     "401  403  403  403  403  403  201", b_window,
      fx=fx_village, check=see_made_in_target),
    R("POST", V + "/redemption-windows", "missing",           "401  404  404  404  404  404  404", b_window,
      fx=fx_village),
    R("GET", V + "/redemption-windows", "own village",        "401  200  200  200  200  200  200",
      fx=fx_village, check=see_in_target_village),
    R("GET", V + "/redemption-windows", "other village",      "401  403  403  403  403  403  200",
      fx=fx_village, check=see_in_target_village),
    R("GET", V + "/redemption-windows", "missing",            "401  404  404  404  404  404  404", fx=fx_village),
    R("GET", V + "/redemption-windows/current", "own village",   "200  200  200  200  200  200  200",
      fx=fx_village, note="public"),
    R("GET", V + "/redemption-windows/current", "other village", "200  200  200  200  200  200  200",
      fx=fx_village),
    R("GET", V + "/redemption-windows/current", "missing",       "404  404  404  404  404  404  404", fx=fx_village),
    R("POST", V + "/redemption-overrides", "own village",     "401  403  403  403  201  201  201", b_override,
      fx=fx_village, check=see_made_in_target),
    R("POST", V + "/redemption-overrides", "other village",   "401  403  403  403  403  403  201", b_override,
      fx=fx_village, check=see_made_in_target),
    R("POST", V + "/redemption-overrides", "missing",         "401  404  404  404  404  404  404", b_override,
      fx=fx_village),
    R("GET", V + "/redemption-overrides", "own village",      "401  403  200  200  200  200  200",
      fx=fx_village, check=see_in_target_village),
    R("GET", V + "/redemption-overrides", "other village",    "401  403  403  403  403  403  200",
      fx=fx_village, check=see_in_target_village),
    R("GET", V + "/redemption-overrides", "missing",          "401  404  404  404  404  404  404", fx=fx_village),
    R("POST", V + "/redemptions", "own village",              "401  403  201  403  201  403  403", b_redeem,
      fx=fx_village, check=see_made_in_target, note="at the village's counter"),
    R("POST", V + "/redemptions", "other village",            "401  403  403  403  403  403  403", b_redeem,
      fx=fx_village),
    R("POST", V + "/redemptions", "missing",                  "401  404  404  404  404  404  404", b_redeem,
      fx=fx_village),
    R("GET", V + "/redemptions", "own village",               "401  403  200  200  200  200  200",
      fx=fx_village, check=see_in_target_village),
    R("GET", V + "/redemptions", "other village",             "401  403  403  403  403  403  200",
      fx=fx_village, check=see_in_target_village),
    R("GET", V + "/redemptions", "missing",                   "401  404  404  404  404  404  404", fx=fx_village),
    R("GET", V + "/redemptions/export", "own village",        "401  403  200  200  200  200  200",
      fx=fx_village, query=q_range, check=see_file),
    R("GET", V + "/redemptions/export", "other village",      "401  403  403  403  403  403  200",
      fx=fx_village, query=q_range, check=see_file),
    R("GET", V + "/redemptions/export", "missing",            "401  404  404  404  404  404  404",
      fx=fx_village, query=q_range),
    R("GET", "/api/v1/households/{id}/redemptions", "own household",   "401  200  200  200  200  200  200",
      check=see_in_target_household),
    R("GET", "/api/v1/households/{id}/redemptions", "other household", "401  403  200  200  200  200  200",
      check=see_in_target_household),
    R("GET", "/api/v1/households/{id}/redemptions", "other village",   "401  403  403  403  403  403  200",
      check=see_in_target_household),
    R("GET", "/api/v1/households/{id}/redemptions", "missing",         "401  404  404  404  404  404  404"),
    R("GET", "/api/v1/redemptions/{id}", "own household",     "401  200  200  200  200  200  200",
      fx=fx_made("redemption"), check=see_target),
    R("GET", "/api/v1/redemptions/{id}", "other household",   "401  403  200  200  200  200  200",
      fx=fx_made("redemption"), check=see_target),
    R("GET", "/api/v1/redemptions/{id}", "other village",     "401  403  403  403  403  403  200",
      fx=fx_made("redemption"), check=see_target),
    R("GET", "/api/v1/redemptions/{id}", "missing",           "401  404  404  404  404  404  404",
      fx=fx_made("redemption")),
    R("POST", "/api/v1/redemptions/{id}/cancel", "own village",   "401  403  200  403  200  403  403", b_cancel,
      fx=fx_fresh(new_redemption), check=see_target, note="made today by the clerk"),
    R("POST", "/api/v1/redemptions/{id}/cancel", "other village", "401  403  403  403  403  403  403", b_cancel,
      fx=fx_fresh(new_redemption)),
    R("POST", "/api/v1/redemptions/{id}/cancel", "missing",       "401  404  404  404  404  404  404", b_cancel,
      fx=fx_fresh(new_redemption)),
    R("GET", "/api/v1/households/{id}/qr", "own household",   "401  200  200  200  200  200  200"),
    R("GET", "/api/v1/households/{id}/qr", "other household", "401  403  200  200  200  200  200"),
    R("GET", "/api/v1/households/{id}/qr", "other village",   "401  403  403  403  403  403  200"),
    R("GET", "/api/v1/households/{id}/qr", "missing",         "401  404  404  404  404  404  404"),
    R("GET", V + "/households/by-qr", "own village",          "401  403  200  200  200  200  200",
      fx=fx_village, query=q_qr),
    R("GET", V + "/households/by-qr", "other village",        "401  403  403  403  403  403  200",
      fx=fx_village, query=q_qr),
    R("GET", V + "/households/by-qr", "missing",              "401  404  404  404  404  404  404",
      fx=fx_village, query=q_qr),

    # ---- ranking, honours, the year end ----
    R("GET", V + "/ranking", "own village",                   "401  403  200  200  200  200  200", fx=fx_village),
    R("GET", V + "/ranking", "other village",                 "401  403  403  403  403  403  200", fx=fx_village),
    R("GET", V + "/ranking", "missing",                       "401  404  404  404  404  404  404", fx=fx_village),
    R("GET", V + "/ranking/public", "own village",            "200  200  200  200  200  200  200", fx=fx_village),
    R("GET", V + "/ranking/public", "other village",          "200  200  200  200  200  200  200", fx=fx_village),
    R("GET", V + "/ranking/public", "missing",                "404  404  404  404  404  404  404", fx=fx_village),
    R("GET", V + "/ranking/export", "own village",            "401  403  200  200  200  200  200",
      fx=fx_village, query="format=csv", check=see_file),
    R("GET", V + "/ranking/export", "other village",          "401  403  403  403  403  403  200",
      fx=fx_village, query="format=csv", check=see_file),
    R("GET", V + "/ranking/export", "missing",                "401  404  404  404  404  404  404",
      fx=fx_village, query="format=csv"),
    R("GET", "/api/v1/households/{id}/rank", "own household",   "401  200  200  200  200  200  200"),
    R("GET", "/api/v1/households/{id}/rank", "other household", "401  403  200  200  200  200  200"),
    R("GET", "/api/v1/households/{id}/rank", "other village",   "401  403  403  403  403  403  200"),
    R("GET", "/api/v1/households/{id}/rank", "missing",         "401  404  404  404  404  404  404"),
    R("GET", "/api/v1/households/{id}/passbook/export", "own household",   "401  200  200  200  200  200  200",
      query="format=csv", check=see_file),
    R("GET", "/api/v1/households/{id}/passbook/export", "other household", "401  403  200  200  200  200  200",
      query="format=csv", check=see_file),
    R("GET", "/api/v1/households/{id}/passbook/export", "other village",   "401  403  403  403  403  403  200",
      query="format=csv", check=see_file),
    R("GET", "/api/v1/households/{id}/passbook/export", "missing",         "401  404  404  404  404  404  404",
      query="format=csv"),
    R("POST", V + "/honour-rules", "own village",             "401  403  403  403  201  201  201", b_honour_rule,
      fx=fx_village, check=see_made_in_target),
    R("POST", V + "/honour-rules", "other village",           "401  403  403  403  403  403  201", b_honour_rule,
      fx=fx_village, check=see_made_in_target),
    R("POST", V + "/honour-rules", "missing",                 "401  404  404  404  404  404  404", b_honour_rule,
      fx=fx_village),
    R("GET", V + "/honour-rules", "own village",              "401  200  200  200  200  200  200",
      fx=fx_village, check=see_in_target_village),
    R("GET", V + "/honour-rules", "other village",            "401  403  403  403  403  403  200",
      fx=fx_village, check=see_in_target_village),
    R("GET", V + "/honour-rules", "missing",                  "401  404  404  404  404  404  404", fx=fx_village),
    R("PATCH", "/api/v1/honour-rules/{id}", "own village",    "401  403  403  403  200  200  200", b_retire,
      fx=fx_fresh(new_honour_rule), check=see_target, note="retired"),
    R("PATCH", "/api/v1/honour-rules/{id}", "other village",  "401  403  403  403  403  403  200", b_retire,
      fx=fx_fresh(new_honour_rule), check=see_target),
    R("PATCH", "/api/v1/honour-rules/{id}", "missing",        "401  404  404  404  404  404  404", b_retire,
      fx=fx_fresh(new_honour_rule)),
    R("GET", V + "/honours", "own village",                   "401  403  200  200  200  200  200",
      fx=fx_village, query="year=2025"),
    R("GET", V + "/honours", "other village",                 "401  403  403  403  403  403  200",
      fx=fx_village, query="year=2025"),
    R("GET", V + "/honours", "missing",                       "401  404  404  404  404  404  404",
      fx=fx_village, query="year=2025"),
    R("GET", V + "/honours/public", "own village",            "200  200  200  200  200  200  200",
      fx=fx_village, query="year=2025"),
    R("GET", V + "/honours/public", "other village",          "200  200  200  200  200  200  200",
      fx=fx_village, query="year=2025"),
    R("GET", V + "/honours/public", "missing",                "404  404  404  404  404  404  404",
      fx=fx_village, query="year=2025"),
    R("GET", V + "/years", "own village",                     "401  403  200  200  200  200  200", fx=fx_village),
    R("GET", V + "/years", "other village",                   "401  403  403  403  403  403  200", fx=fx_village),
    R("GET", V + "/years", "missing",                         "401  404  404  404  404  404  404", fx=fx_village),
    R("GET", V + "/years/{year}", "own village",              "401  403  200  200  200  200  200",
      fx=fx_year(2025), note="2025, closed in both"),
    R("GET", V + "/years/{year}", "other village",            "401  403  403  403  403  403  200", fx=fx_year(2025)),
    R("GET", V + "/years/{year}", "missing",                  "401  404  404  404  404  404  404", fx=fx_year(2025)),
    # only 2025 can be closed now (a year closes once, after it ended, not before a later one),
    # and both villages closed it: the village admin reaches the state check, nobody else does
    R("POST", V + "/years/{year}/close", "own village",       "401  403  403  403  409  403  403",
      fx=fx_year(2025), note="2025, already closed"),
    R("POST", V + "/years/{year}/close", "other village",     "401  403  403  403  403  403  403", fx=fx_year(2025)),
    R("POST", V + "/years/{year}/close", "missing",           "401  404  404  404  404  404  404", fx=fx_year(2025)),

    # ---- comparisons: area admins at or above the area; the village's cadres for its groups ----
    R("GET", "/api/v1/areas/{id}/compare", "own area",        "401  403  403  403  403  200  200",
      query="period=2026"),
    R("GET", "/api/v1/areas/{id}/compare", "other area",      "401  403  403  403  403  403  200",
      query="period=2026"),
    R("GET", "/api/v1/areas/{id}/compare", "county",          "401  403  403  403  403  403  200",
      query="period=2026"),
    R("GET", "/api/v1/areas/{id}/compare", "missing",         "401  404  404  404  404  404  404",
      query="period=2026"),
    R("GET", V + "/groups/compare", "own village",            "401  403  200  200  200  200  200",
      fx=fx_village, query="period=2026"),
    R("GET", V + "/groups/compare", "other village",          "401  403  403  403  403  403  200",
      fx=fx_village, query="period=2026"),
    R("GET", V + "/groups/compare", "missing",                "401  404  404  404  404  404  404",
      fx=fx_village, query="period=2026"),

    # last: it ends the sessions the rows above use
    R("DELETE", "/api/v1/session", "-",                       "401  200  200  200  200  200  200", check=see_logged_out),
]


def route_table():
    """(method, pattern) of every row of src/api/routes.c."""
    with open(os.path.join(SRC, "src/api/routes.c"), encoding="utf-8") as f:
        text = f.read()
    routes = re.findall(r'\{\s*"([A-Z]+)",\s*"(/api/[^"]*)"', text)
    assert len(routes) >= 20, f"parsed only {len(routes)} routes from routes.c"
    return routes


# ---- the world: two villages in two townships, a cast per village ----

class Home:
    """One village's side of the matrix: its ids and its seven logged-in clients."""


def make_world(s):
    county = s.login("county")
    county_area = county.user["area_id"]
    v1 = s.village_id
    area1 = s.sql("SELECT area_id FROM villages WHERE id = ?", v1)[0][0]

    # 凡河镇 → 马家寨村 with 一组 and two households, made through the API by the county admin
    area2 = status(county.post("/api/v1/areas", {"name": "凡河镇", "level": "township",
                                                "parent_id": county_area}), 201, "township").json["id"]
    v2 = status(county.post("/api/v1/villages", {"name": "马家寨村", "area_id": area2}), 201,
                "village").json["id"]
    g2 = status(county.post(f"/api/v1/villages/{v2}/groups", {"name": "一组", "sort": 1}), 201,
                "group").json["id"]
    hh2 = []
    for pb, head, mate in (("1001", "李国富", "李秀英"), ("1002", "张桂兰", "王建国")):
        r = status(county.post(f"/api/v1/villages/{v2}/households", {
            "group_id": g2, "passbook_no": pb, "head_name": head, "address": f"马家寨村一组{pb[-1]}号",
            "members": [{"name": mate, "relation": "配偶"}]}), 201, "household " + pb)
        hh2.append(r.json["id"])

    def mkuser(body, who=county):
        return status(who.post("/api/v1/users", body), 201, "user " + body["display_name"]).json["id"]

    mkuser({"username": "fanhe", "display_name": "赵德明", "role": "area_admin", "password": PW,
            "area_id": area2})
    for uname, name, role in (("mjz_admin", "马文才", "village_admin"), ("mjz_scorer", "杨淑珍", "scorer"),
                              ("mjz_clerk", "刘长海", "clerk")):
        mkuser({"username": uname, "display_name": name, "role": role, "password": PW, "village_id": v2})
    mkuser({"display_name": "李国富", "role": "villager", "pin": PIN, "village_id": v2,
            "household_id": hh2[0]})
    villager2_v2 = mkuser({"display_name": "张桂兰", "role": "villager", "pin": PIN, "village_id": v2,
                           "household_id": hh2[1]})

    # 高箭沟村: the demo villager is household 1001; a second villager for household 1002
    hh1 = [s.sql("SELECT id FROM households WHERE village_id = ? AND passbook_no = ?", v1, pb)[0][0]
           for pb in ("1001", "1002")]
    admin = s.login("admin")
    head1002 = s.sql("SELECT head_name FROM households WHERE id = ?", hh1[1])[0][0]
    villager2_v1 = mkuser({"display_name": head1002, "role": "villager", "pin": PIN, "village_id": v1,
                           "household_id": hh1[1]}, who=admin)
    for h in hh1:  # every target household needs a member to PATCH
        if not s.sql("SELECT id FROM members WHERE household_id = ?", h):
            status(admin.post(f"/api/v1/households/{h}/members", {"name": "于秀兰", "relation": "配偶"}),
                   201, "member")

    def group_of(v):
        return s.sql("SELECT id, name FROM villager_groups WHERE village_id = ? ORDER BY sort, id", v)[0]

    def member_of(h):
        return s.sql("SELECT min(id) FROM members WHERE household_id = ?", h)[0][0]

    world = {}
    for v, name in ((v1, "高箭沟村"), (v2, "马家寨村")):
        gid, gname = group_of(v)
        world[v] = {"name": name, "group": gid, "group_name": gname}

    homes = []
    cast = (
        (v1, area1, hh1, villager2_v1, "township", ("scorer", "clerk", "admin")),
        (v2, area2, hh2, villager2_v2, "fanhe", ("mjz_scorer", "mjz_clerk", "mjz_admin")),
    )
    for v, area, hh, villager2, township, (scorer, clerk, vadmin) in cast:
        h = Home()
        h.village, h.area, h.group = v, area, world[v]["group"]
        h.hh_own, h.hh_other = hh
        h.member_own, h.member_other = member_of(hh[0]), member_of(hh[1])
        h.villager2 = villager2
        pw = PW if v == v2 else None
        creds = {
            "villager": {"village_id": v, "passbook_no": "1001", "pin": PIN if v == v2 else "270518"},
            "clerk": {"username": clerk, "password": pw or "Gaojiangou-2024"},
            "scorer": {"username": scorer, "password": pw or "Gaojiangou-2024"},
            "village_admin": {"username": vadmin, "password": pw or "Gaojiangou-2024"},
            "township": {"username": township, "password": pw or "Gaojiangou-2024"},
            "county": {"username": "county", "password": "Gaojiangou-2024"},
        }
        creds["anonymous"] = creds["clerk"]
        h.credentials = creds
        h.clients = {"anonymous": s.anon()}
        for role in ROLES[1:]:
            r = status(s.anon().post("/api/v1/session", creds[role]), 201, f"login {role}")
            c = s._client_from(r, False)
            expected_role = {"township": "area_admin", "county": "area_admin"}.get(role, role)
            eq(c.user["role"], expected_role, f"role of {creds[role]}")
            h.clients[role] = c
        homes.append(h)
    homes[0].other, homes[1].other = homes[1], homes[0]
    for h in homes:
        make_ledger(s, h)
        make_year(s, h)
    return world, homes, county_area, county.user["id"]


def make_ledger(s, h):
    """What the ledger rows read in one village, made by its own admin and scorer: a
    claimable rule (2 points, no caps) and an unused one, an entry and a claim (with a
    photo the scorer uploaded) for each of the two households, an activity both signed
    up for, and an open inspection round of the own household's group."""
    admin, scorer = h.clients["village_admin"], h.clients["scorer"]
    v = h.village
    h.group_own = s.sql("SELECT group_id FROM households WHERE id = ?", h.hh_own)[0][0]
    h.rule = ok(admin.post(f"/api/v1/villages/{v}/rules", {
        "category": "好人好事", "name": "帮扶邻里", "points": 2, "claimable": True}), 201, "rule")["id"]
    h.rule_unused = ok(admin.post(f"/api/v1/villages/{v}/rules", {
        "category": "尊老爱幼", "name": "照顾孤寡老人", "points": 4}), 201, "unused rule")["id"]
    for attr, hh in (("", h.hh_own), ("_other", h.hh_other)):
        r = ok(scorer.post(f"/api/v1/villages/{v}/entries", {
            "rule_id": h.rule, "household_ids": [hh], "deed_date": day(), "note": "打扫村路"}), 201, "entry")
        setattr(h, "entry" + attr, r["entries"][0]["id"])
        data = fresh_png()
        r = ok(scorer.post(f"/api/v1/villages/{v}/photos", raw=data), 201, "photo")
        setattr(h, "photo" + ("_other" if attr else "_own"), (r["hash"], data))
        setattr(h, "claim" + attr, ok(scorer.post(f"/api/v1/villages/{v}/claims", {
            "rule_id": h.rule, "deed_date": day(), "description": "帮邻居修院墙", "household_id": hh,
            "photos": [r["hash"]]}), 201, "claim")["id"])
    h.activity = new_activity(h, {})
    for hh in (h.hh_own, h.hh_other):
        ok(scorer.post(f"/api/v1/activities/{h.activity}/signups", {"household_id": hh}), 201, "sign-up")
    h.round = new_round(h, {})


def month_start(back):
    """(YYYY-MM, its 10th) of the month `back` months before this one."""
    t = today().replace(day=1)
    for _ in range(back):
        t = (t - datetime.timedelta(days=1)).replace(day=1)
    return t.isoformat()[:7], t.replace(day=10).isoformat()


def make_year(s, h):
    """What the year's rows read in one village. 高箭沟村 (the demo) has confirmed
    points, last month's notice open and 2025 closed; 马家寨村 gets them here: points
    recorded two months ago and confirmed through that month's notice (notice_days 1,
    the server counting a notice day as a second), then last month's entries and
    notice, open for objections (notice_days 60), and 2025 closed. Both get a
    sponsor, goods with a photo and stock, an override so the clerk can redeem now, a
    redemption of each household and an objection."""
    admin, clerk, scorer = h.clients["village_admin"], h.clients["clerk"], h.clients["scorer"]
    v = h.village
    last, last_day = month_start(1)
    if v == s.village_id:
        status(admin.patch(f"/api/v1/villages/{v}", {"notice_days": 60}), 200, "notice_days 60")
    else:
        status(admin.patch(f"/api/v1/villages/{v}", {"notice_days": 1}), 200, "notice_days 1")
        earlier, earlier_day = month_start(2)
        ok(scorer.post(f"/api/v1/villages/{v}/entries", {
            "rule_id": h.rule, "household_ids": [h.hh_own, h.hh_other], "deed_date": earlier_day,
            "quantity": 30, "note": "义务清雪"}), 201, "points to confirm")
        n = ok(admin.post(f"/api/v1/villages/{v}/notices", {"month": earlier}), 201, "publish")["id"]
        deadline = time.time() + 60
        while s.sql("SELECT status FROM notices WHERE id = ?", n)[0][0] != "confirmed":
            if time.time() > deadline:
                raise AssertionError(f"the notice of {earlier} in 马家寨村 was not confirmed")
            time.sleep(0.2)
        status(admin.patch(f"/api/v1/villages/{v}", {"notice_days": 60}), 200, "notice_days 60")
        for _ in range(20):
            ok(scorer.post(f"/api/v1/villages/{v}/entries", {
                "rule_id": h.rule, "household_ids": [h.hh_own, h.hh_other], "deed_date": last_day,
                "note": "打扫村路"}), 201, "entry of last month")
        ok(admin.post(f"/api/v1/villages/{v}/notices", {"month": last}), 201, "publish last month")
        ok(admin.post(f"/api/v1/villages/{v}/years/2025/close"), 201, "close 2025")
    h.notice = s.sql("SELECT id FROM notices WHERE village_id = ? AND month = ? AND status = 'open'", v, last)[0][0]
    h.objectable = [e for (e,) in s.sql(
        "SELECT id FROM entries e WHERE village_id = ? AND month = ? AND kind = 'award'"
        " AND NOT EXISTS (SELECT 1 FROM entries r WHERE r.reverses_id = e.id)"
        " AND NOT EXISTS (SELECT 1 FROM objections o WHERE o.entry_id = e.id) ORDER BY id DESC LIMIT 40",
        v, last)]
    assert len(h.objectable) >= 30, f"only {len(h.objectable)} entries to object to in village {v}"
    h.objection = new_objection(h, {})
    h.sponsor = ok(admin.post(f"/api/v1/villages/{v}/sponsors", {"name": "铁岭县供销社"}), 201, "sponsor")["id"]
    h.goods_photo = h.photo_own[1]
    h.goods = ok(clerk.post(f"/api/v1/villages/{v}/goods", {
        "name": "硫磺皂", "category": "日用品", "unit": "块", "price_points": 1, "photo": h.photo_own[0],
        "sponsor_id": h.sponsor}), 201, "goods")["id"]
    ok(clerk.post(f"/api/v1/goods/{h.goods}/stock", {"kind": "intake", "delta": 200, "reason": "首批入库"}),
       201, "intake")
    ok(admin.post(f"/api/v1/villages/{v}/redemption-overrides", {"reason": "测试兑换", "hours": 2}), 201,
       "override")
    h.redemption, h.redemption_other = (ok(clerk.post(f"/api/v1/villages/{v}/redemptions", {
        "household_id": hh, "items": [{"goods_id": h.goods, "quantity": 1}]}), 201, "redemption")["id"]
        for hh in (h.hh_own, h.hh_other))


class Ctx:
    """What a body or a check needs to know about one request."""

    def __init__(self, s, world, home, role, target_id, n, county_area, filtered=False, th=None,
                 extra=None):
        self.s, self.world, self.home, self.other, self.role = s, world, home, home.other, role
        self.th, self.extra = th or home, extra or {}  # the target's side, what its fixture made
        self.filtered = filtered  # the query names one village
        self.id, self.n, self.county_area = target_id, n, county_area
        self.client = home.clients[role]
        self.actor_id = (self.client.user or {}).get("id")
        self.credentials = home.credentials[role]

    def vid_of_household(self):
        rows = self.s.sql("SELECT village_id FROM households WHERE id = ?", self.id)
        return rows[0][0] if rows else None


def resolve(row, home, role, county_area, county_user):
    """The id a row's target names, from this home's side."""
    p, t, o = row["pattern"], row["target"], home.other
    if t == "-":
        return None
    if t == "missing":
        return MISSING
    if "/groups/{id}" in p:
        return {"own village": home.group, "other village": o.group}[t]
    if "/households/{id}" in p:
        return {"own household": home.hh_own, "other household": home.hh_other, "other village": o.hh_own}[t]
    if "/members/{id}" in p:
        return {"own household": home.member_own, "other household": home.member_other,
                "other village": o.member_own}[t]
    if "/users/{id}" in p:
        self_id = home.clients[role].user["id"] if home.clients[role].user else home.villager2
        return {"self": self_id, "own village": home.villager2, "other village": o.villager2,
                "township admin": home.clients["township"].user["id"],
                "other township admin": o.clients["township"].user["id"], "county admin": county_user}[t]
    return {"own village": home.village, "other village": o.village, "own area": home.area,
            "other area": o.area, "county": county_area}[t]


def snapshot(db, entries_since=0):
    """Every row of the tables (and the photo folder's names). The entries up to id
    entries_since (the demo's year of history) are summed up rather than read in full:
    their count, points and each one's hash and bucket; those after it in full."""
    con = sqlite3.connect(db, timeout=30)
    try:
        snap = {t: con.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in SNAPSHOT_TABLES
                if t != "entries"}
        snap["entries"] = (con.execute("SELECT count(*), total(points), group_concat(hash || bucket, ',')"
                                       " FROM entries WHERE id <= ?", (entries_since,)).fetchall()
                           + con.execute("SELECT * FROM entries WHERE id > ? ORDER BY id",
                                         (entries_since,)).fetchall())
    finally:
        con.close()
    files = os.path.join(os.path.dirname(db), "files")
    snap["files/"] = sorted(os.listdir(files)) if os.path.isdir(files) else []
    return snap


def diff(before, after):
    out = []
    for t in SNAPSHOT_TABLES + ("files/",):
        if before[t] != after[t]:
            added = [r for r in after[t] if r not in before[t]]
            gone = [r for r in before[t] if r not in after[t]]
            out.append(f"{t}: +{added[:2]} -{gone[:2]}")
    return "; ".join(out)


# ---- tests ----

def test_every_route_is_in_the_matrix():
    covered = {(r["method"], r["pattern"]) for r in MATRIX}
    routes = route_table()
    missing = [f"{m} {p}" for m, p in routes if (m, p) not in covered]
    stale = sorted(f"{m} {p}" for m, p in covered if (m, p) not in set(routes))
    if missing or stale:
        raise AssertionError("access matrix out of date with src/api/routes.c:\n"
                             + "".join(f"  not in the matrix: {x}\n" for x in missing)
                             + "".join(f"  not a route any more: {x}\n" for x in stale))


def test_access_matrix():
    s = Server(args=SERVE_ARGS)
    try:
        world, homes, county_area, county_user = make_world(s)
        history = s.sql("SELECT max(id) FROM entries")[0][0]
        routes = set(route_table())
        failures, denied_expected = [], collections.Counter()
        tally = collections.Counter()
        per_route = collections.defaultdict(collections.Counter)
        n = 0
        for row in MATRIX:
            if (row["method"], row["pattern"]) not in routes:
                failures.append(f"{row['method']} {row['pattern']}: not a route in routes.c")
                continue
            for home in homes:
                for role in ROLES:
                    n += 1
                    if row["fx"]:
                        tid, th, extra = row["fx"](home, row["target"])
                    else:
                        tid, th, extra = resolve(row, home, role, county_area, county_user), None, {}
                    query = row["query"]
                    c = Ctx(s, world, home, role, tid, n, county_area,
                            isinstance(query, str) and "village_id" in query, th, extra)
                    path = (row["pattern"].replace("{id}", str(tid)).replace("{hash}", extra.get("hash", ""))
                            .replace("{year}", str(extra.get("year", ""))))
                    if callable(query):
                        query = query(c)
                    url = path + ("?" + query.format(id=tid) if query else "")
                    client = c.client
                    if row["pattern"] == "/api/v1/session" and row["method"] == "POST":
                        client = s.anon()  # logging in is what an anonymous visitor does
                    body = row["body"](c) if row["body"] else None
                    kw = {"raw": body} if isinstance(body, bytes) else {"body": body}
                    write = row["method"] in WRITE_METHODS and "/session" not in path
                    before = snapshot(s.db, history) if write else None
                    r = client.request(row["method"], url, **kw)
                    want = row["expect"][role]
                    where = (f"{row['method']} {url} [{row['target']}{', ' + row['note'] if row['note'] else ''}]"
                             f" as {role} of {world[home.village]['name']}")
                    tally[r.status] += 1
                    per_route[(row["method"], row["pattern"])][r.status] += 1
                    if r.status != want:
                        failures.append(f"{where}: expected {want}, got {r.status} {r.text[:160]}")
                        continue
                    if want == 403:
                        if r.error_code not in row["denied"]:
                            failures.append(f"{where}: 403 with code {r.error_code}, not one of {row['denied']}")
                        assert r.json["error"].get("message"), f"{where}: no Chinese message: {r}"
                        denied_expected[(row["method"], path, c.actor_id)] += 1
                    if want == 401:
                        eq(r.error_code, "not_logged_in", where)
                    if write and want >= 400:
                        after = snapshot(s.db, history)
                        if after != before:
                            failures.append(f"{where}: refused with {want} but changed the database: "
                                            + diff(before, after))
                    if row["check"] and want < 300:
                        msg = row["check"](r, c)
                        if msg:
                            failures.append(f"{where}: {msg}")

        # every 403 above left exactly one "denied METHOD PATH user=ID" line in the server log
        logged = collections.Counter()
        for line in s.log_lines("denied"):
            m = re.search(r"denied (\S+) (\S+) user=(\d+)", line)
            if m:
                logged[(m.group(1), m.group(2), int(m.group(3)))] += 1
        for key, cnt in (denied_expected - logged).items():
            failures.append(f"403 on {key[0]} {key[1]} as user {key[2]} ×{cnt}: no 'denied' line in the log")
        for key, cnt in (logged - denied_expected).items():
            failures.append(f"'denied' logged for {key[0]} {key[1]} user {key[2]} ×{cnt} without a 403 row")

        print(f"  access matrix: {len(MATRIX)} rows × {len(ROLES)} roles × {len(homes)} villages"
              f" = {n} requests; " + ", ".join(f"{k}: {v}" for k, v in sorted(tally.items()))
              + f"; {sum(denied_expected.values())} denials found in the log")
        print("  " + " " * 58 + " ".join(f"{x:>5}" for x in SHORT))
        for row in MATRIX:
            label = f"{row['method']} {row['pattern']} [{row['target']}]"
            if row["note"]:
                label += " " + row["note"].split(" (")[0]
            print(f"  {label[:58]:58} " + " ".join(f"{row['expect'][x]:>5}" for x in ROLES))
        if failures:
            raise AssertionError(f"{len(failures)} of {n} access checks failed:\n  " + "\n  ".join(failures))
    finally:
        s.close()


def test_ids_in_bodies_and_queries_stay_in_the_village():
    """The path names the admin's own village, but a body or query names another
    village's group, household or entity: refused (or empty), and nothing changes."""
    s = Server(args=SERVE_ARGS)
    try:
        _, homes, county_area, _ = make_world(s)
        h1, h2 = homes
        admin, township = h1.clients["village_admin"], h1.clients["township"]
        scorer, villager = h1.clients["scorer"], h1.clients["villager"]
        v1, v2 = h1.village, h2.village
        cases = [
            (admin, "POST", f"/api/v1/villages/{v1}/households",
             {"group_id": h2.group, "passbook_no": "9901", "head_name": "于洪军"}, 422, "invalid_group"),
            (admin, "PATCH", f"/api/v1/households/{h1.hh_other}", {"group_id": h2.group}, 422, "invalid_group"),
            (admin, "POST", "/api/v1/users", {"display_name": "李国富", "role": "villager", "pin": PIN,
                                              "village_id": v1, "household_id": h2.hh_other}, 422,
             "invalid_household"),
            (admin, "POST", "/api/v1/users", {"display_name": "李国富", "role": "villager", "pin": PIN,
                                              "village_id": v2, "household_id": h2.hh_other}, 403, "forbidden"),
            (admin, "POST", "/api/v1/users", {"username": "quxian", "display_name": "刘振华",
                                              "role": "area_admin", "password": PW, "area_id": h1.area},
             403, "forbidden"),
            (admin, "PATCH", f"/api/v1/users/{h1.clients['township'].user['id']}", {"disabled": True},
             403, "forbidden"),
            (township, "POST", "/api/v1/villages", {"name": "腰堡村", "area_id": county_area}, 403, "forbidden"),
            (township, "POST", "/api/v1/users", {"username": "mjz_admin2", "display_name": "马文才",
                                                 "role": "village_admin", "password": PW, "village_id": v2},
             403, "forbidden"),
            (township, "PATCH", f"/api/v1/users/{h2.clients['village_admin'].user['id']}",
             {"disabled": True}, 403, "forbidden"),
            # the ledger: another village's rule, household, group, photo or round named in a body
            (scorer, "POST", f"/api/v1/villages/{v1}/entries",
             {"rule_id": h2.rule, "household_ids": [h1.hh_own], "deed_date": day()}, 422, "invalid_rule"),
            (scorer, "POST", f"/api/v1/villages/{v1}/entries",
             {"rule_id": h1.rule, "household_ids": [h1.hh_own, h2.hh_own], "deed_date": day()}, 422,
             "invalid_household"),
            (scorer, "POST", f"/api/v1/villages/{v1}/claims",
             {"rule_id": h1.rule, "deed_date": day(), "description": "帮邻居修院墙",
              "household_id": h2.hh_own}, 422, "invalid_household"),
            (scorer, "POST", f"/api/v1/villages/{v1}/claims",
             {"rule_id": h1.rule, "deed_date": day(), "description": "帮邻居修院墙",
              "household_id": h1.hh_own, "photos": [h2.photo_own[0]]}, 422, "invalid_photo"),
            (villager, "POST", f"/api/v1/villages/{v1}/claims",
             {"rule_id": h1.rule, "deed_date": day(), "description": "帮邻居修院墙",
              "household_id": h1.hh_other}, 403, "forbidden"),
            (scorer, "POST", f"/api/v1/villages/{v1}/activities",
             {"name": "植树", "rule_id": h2.rule, "activity_date": day()}, 422, "invalid_rule"),
            (scorer, "POST", f"/api/v1/activities/{h1.activity}/signups", {"household_id": h2.hh_own},
             422, "invalid_household"),
            (villager, "POST", f"/api/v1/activities/{h2.activity}/signups", {"household_id": h1.hh_own},
             403, "forbidden"),
            (scorer, "POST", f"/api/v1/villages/{v1}/inspections",
             {"group_id": h2.group_own, "inspection_date": day()}, 422, "invalid_group"),
            (scorer, "POST", f"/api/v1/inspections/{h1.round}/scores",
             {"household_id": h2.hh_own, "items": [{"rule_id": h1.rule}]}, 422, "household_not_in_group"),
            (scorer, "POST", f"/api/v1/inspections/{h1.round}/scores",
             {"household_id": h1.hh_own, "items": [{"rule_id": h2.rule}]}, 422, "invalid_rule"),
            (villager, "POST", f"/api/v1/entries/{h1.entry}/reversal", {"reason": "不是我家的"}, 403,
             "forbidden"),
            # the year's rows: another village's goods, household, sponsor, photo or entry
            (h1.clients["clerk"], "POST", f"/api/v1/villages/{v1}/redemptions",
             {"household_id": h1.hh_own, "items": [{"goods_id": h2.goods, "quantity": 1}]}, 422, "invalid_goods"),
            (h1.clients["clerk"], "POST", f"/api/v1/villages/{v1}/redemptions",
             {"household_id": h2.hh_own, "items": [{"goods_id": h1.goods, "quantity": 1}]}, 422,
             "invalid_household"),
            (h1.clients["clerk"], "POST", f"/api/v1/villages/{v1}/goods",
             {"name": "毛巾", "category": "日用品", "price_points": 2, "sponsor_id": h2.sponsor}, 422,
             "invalid_sponsor"),
            (h1.clients["clerk"], "POST", f"/api/v1/villages/{v1}/goods",
             {"name": "毛巾", "category": "日用品", "price_points": 2, "photo": h2.photo_own[0]}, 422,
             "invalid_photo"),
            (admin, "POST", f"/api/v1/sponsors/{h1.sponsor}/contributions",
             {"kind": "goods", "goods_id": h2.goods, "quantity": 1, "contributed_on": day()}, 422,
             "invalid_goods"),
            (villager, "POST", f"/api/v1/notices/{h1.notice}/objections",
             {"entry_id": h2.objectable[0], "reason": "这条记录不对"}, 422, "invalid_entry"),
        ]
        for client, method, path, body, want, code in cases:
            before = snapshot(s.db)
            r = client.request(method, path, body=body)
            what = f"{method} {path} {body} as {client.user['username'] or client.user['role']}"
            status(r, want, what)
            eq(r.error_code, code, what)
            after = snapshot(s.db)
            if after != before:
                raise AssertionError(f"{what}: refused with {want} but changed the database: "
                                     + diff(before, after))
        # a query naming another village's rows returns nothing from it
        r = status(admin.get(f"/api/v1/villages/{v1}/households?group_id={h2.group}"), 200, "group filter")
        eq(r.json["total"], 0, "households of another village's group")
        r = status(admin.get(f"/api/v1/audit?entity=household&entity_id={h2.hh_own}"), 200, "audit filter")
        eq(r.json["items"], [], "audit rows of another village's household")
        r = status(admin.get("/api/v1/users?role=area_admin"), 200, "users filter")
        eq(r.json["items"], [], "area admins seen by a village admin")
        r = status(township.get(f"/api/v1/audit?entity=household&entity_id={h2.hh_own}"), 200, "audit")
        eq(r.json["items"], [], "audit rows of another township's household")
        # another village's photo is not found under this village's path, even by its hash
        r = status(admin.get(f"/api/v1/villages/{v1}/photos/{h2.photo_own[0]}"), 404, "photo of 马家寨村")
        eq(r.error_code, "not_found", "photo of another village under this one's path")
        # the 马家寨村 household named above is as the county admin made it
        r = status(h2.clients["county"].get(f"/api/v1/households/{h2.hh_other}"), 200, "household")
        eq((r.json["passbook_no"], r.json["group_id"]), ("1002", h2.group), "马家寨村 household 1002")
    finally:
        s.close()


if __name__ == "__main__":
    run(globals())
