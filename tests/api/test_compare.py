"""Area views (issue 4 item 5): GET /api/v1/areas/{id}/compare compares the villages of
a township or county over a period, GET /api/v1/villages/{id}/groups/compare the groups
of one village. Every measure is checked against numbers this test works out from the
API's own lists (households, every entry of the village with its rule category, kind and
reversal, the notices' objections), never against hard-coded totals:

    households                active households now
    participating_households  households with an award, deduction or adjustment dated
                              in the period (a reversal is dated like its original)
    points_earned             awards, deductions, adjustments and their reversals
    points_by_category        the same by the rule's category
    participation_rate        participating / households, 4 decimals
    points_per_household      points_earned / households, 2 decimals
    redemptions, redeemed_points, objections_raised, objections_upheld

One server: the demo's 高箭沟村 in 平顶堡镇, and 腰堡村 in a second township 腰堡镇 that the
county admin builds through the API (groups, households, its own admin, scorer and
township admin made with POST /api/v1/users), whose scorer records last year's points and
objects to two entries of last March's notice (one objection upheld, one dismissed).
Scope: a township admin sees only its own township's villages (403 for the other
township and for the county), the county sees both, village roles get 403; the group
view adds up to the village's row. Malformed periods are 400.
"""
import datetime
from decimal import Decimal, ROUND_HALF_UP

from harness import Server, run, eq, status
from ledger_fixtures import today, households, make_rule, record

PW = "Yaopu-Cun-2024"
WORLD = {}

LAST = today().year - 1          # the period of the test: last year (always in the past)
THIS = today().year


def d(month, day_, year=LAST):
    return datetime.date(year, month, day_).isoformat()


def world():
    """Builds the shared world once; later calls return it."""
    if "county" in WORLD:
        return WORLD
    if WORLD:
        raise AssertionError("building the world failed in an earlier test")
    s = Server()
    WORLD["s"] = s  # closed after the last test, below
    county = s.login("county")
    areas = status(county.get("/api/v1/areas"), 200, "areas").json["items"]
    county_id = [a for a in areas if a["level"] == "county"][0]["id"]
    town1 = [a for a in areas if a["name"] == "平顶堡镇"][0]["id"]
    town2 = status(county.post("/api/v1/areas", {"name": "腰堡镇", "level": "township",
                                                 "parent_id": county_id}), 201, "township").json["id"]
    v2 = status(county.post("/api/v1/villages", {"name": "腰堡村", "area_id": town2}), 201,
                "village").json["id"]
    g1 = status(county.post(f"/api/v1/villages/{v2}/groups", {"name": "一组", "sort": 1}), 201,
                "group 1").json["id"]
    g2 = status(county.post(f"/api/v1/villages/{v2}/groups", {"name": "二组", "sort": 2}), 201,
                "group 2").json["id"]
    hh = {}
    for no, head, g in (("9001", "赵德胜", g1), ("9002", "钱秀兰", g1), ("9003", "孙立国", g1),
                        ("9004", "李春梅", g2), ("9005", "周大勇", g2)):
        hh[no] = status(county.post(f"/api/v1/villages/{v2}/households",
                                    {"group_id": g, "passbook_no": no, "head_name": head}),
                        201, f"household {no}").json["id"]
    for username, role, extra in (("yaopu-admin", "village_admin", {"village_id": v2}),
                                  ("yaopu-scorer", "scorer", {"village_id": v2}),
                                  ("yaopu-town", "area_admin", {"area_id": town2})):
        body = {"username": username, "display_name": username, "role": role, "password": PW}
        body.update(extra)
        status(county.post("/api/v1/users", body), 201, f"user {username}")
    admin2 = s.login("yaopu-admin", PW)
    scorer2 = s.login("yaopu-scorer", PW)
    env = make_rule(admin2, v2, category="环境卫生", name="庭院整洁", points=5)["id"]
    customs = make_rule(admin2, v2, category="移风易俗", name="婚事新办", points=10)["id"]
    bad = make_rule(admin2, v2, category="违规", name="乱堆乱放", points=-3)["id"]
    for rule, nos, date in ((env, ["9001", "9002"], d(3, 10)), (customs, ["9001"], d(5, 1)),
                            (env, ["9004"], d(11, 20)), (bad, ["9002"], d(3, 20)),
                            (env, ["9003"], d(2, 2)), (env, ["9005"], d(1, 5, THIS)),
                            (customs, ["9004"], d(12, 31))):
        status(record(scorer2, v2, rule, [hh[n] for n in nos], date), 201, f"record {nos}")
    # 9002's award of March is reversed; 9003 moves out after taking part
    es = entries(admin2, v2)
    wrong = [e for e in es if e["household_id"] == hh["9002"] and e["rule_id"] == env][0]
    status(scorer2.post(f"/api/v1/entries/{wrong['id']}/reversal", {"reason": "记错了户"}), 201,
           "reversal")
    status(admin2.patch(f"/api/v1/households/{hh['9003']}", {"status": "moved_out"}), 200,
           "move out")
    # March's notice: the scorer objects to 9002's deduction (upheld: reversed) and to
    # 9001's award (dismissed)
    nid = status(admin2.post(f"/api/v1/villages/{v2}/notices", {"month": f"{LAST}-03"}), 201,
                 "publish March").json["id"]
    es = entries(admin2, v2)
    for no, rule, outcome in (("9002", bad, "upheld"), ("9001", env, "dismissed")):
        e = [e for e in es if e["household_id"] == hh[no] and e["rule_id"] == rule
             and e["deed_date"] == d(3, 20 if no == "9002" else 10)][0]
        oid = status(scorer2.post(f"/api/v1/notices/{nid}/objections",
                                  {"entry_id": e["id"], "reason": "分数有误"}), 201,
                     f"object {no}").json["id"]
        status(admin2.post(f"/api/v1/objections/{oid}/settle",
                           {"outcome": outcome, "resolution": "已核实"}), 200, f"settle {no}")
    WORLD.update(s=s, county=county, county_id=county_id, town1=town1, town2=town2, v1=s.village_id,
                 v2=v2, groups2=(g1, g2), hh=hh, admin2=admin2, scorer2=scorer2)
    return WORLD


def entries(client, village_id):
    """Every entry of the village (all pages)."""
    out, page = [], 1
    while True:
        r = status(client.get(f"/api/v1/villages/{village_id}/entries?per_page=200&page={page}"),
                   200, "entries").json
        out += r["items"]
        if len(out) >= r["total"] or not r["items"]:
            return out
        page += 1


def in_period(date, first, last):
    return first <= date[:7] <= last


def china_bounds(first, last):
    """The instants (ISO, UTC) at which the months first..last begin and end in China."""
    cn = datetime.timezone(datetime.timedelta(hours=8))
    y, m = map(int, last.split("-"))
    start = datetime.datetime(*map(int, first.split("-")), 1, tzinfo=cn)
    end = datetime.datetime(y + (m == 12), m % 12 + 1, 1, tzinfo=cn)
    iso = lambda t: t.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return iso(start), iso(end)


def empty_row():
    return {"households": 0, "participating": 0, "points_earned": 0,
            "points_by_category": {}, "side": [0, 0, 0, 0]}


def expected(client, village_id, first, last, key=None):
    """The measures of a village (or, with key = household → group, of each group)
    over the months first..last, worked out from the API's households, the village's
    entries (redemptions are the redemption entries made in the period and not
    cancelled by a reversal) and its notices' objections."""
    hs = households(client, village_id)
    group_of = {h["id"]: (key(h) if key else village_id) for h in hs}
    rows = {}

    def row(k):
        return rows.setdefault(k, dict(empty_row(), participating=set(), side=[0, 0, 0, 0]))
    for h in hs:
        r = row(group_of[h["id"]])
        if h["status"] == "active":
            r["households"] += 1
    es = entries(client, village_id)
    kind_of = {e["id"]: e["kind"] for e in es}
    earning = ("award", "deduction", "adjustment")
    start, end = china_bounds(first, last)
    for e in es:
        if e["kind"] == "redemption" and start <= e["created_at"] < end and not e["reversed_by"]:
            r = row(group_of[e["household_id"]])
            r["side"][0] += 1
            r["side"][1] -= e["points"]
    notices = status(client.get(f"/api/v1/villages/{village_id}/notices?per_page=200"), 200,
                     "notices").json["items"]
    for n in notices:
        if not first <= n["month"] <= last:
            continue
        for o in status(client.get(f"/api/v1/notices/{n['id']}/objections"), 200,
                        "objections").json["items"]:
            r = row(group_of[o["household_id"]])
            r["side"][2] += 1
            r["side"][3] += o["status"] == "upheld"
    for e in es:
        if not in_period(e["deed_date"], first, last):
            continue
        counts = e["kind"] in earning or (e["kind"] == "reversal" and kind_of[e["reverses_id"]] in earning)
        if not counts:
            continue
        r = row(group_of[e["household_id"]])
        if e["kind"] != "reversal":
            r["participating"].add(e["household_id"])
        r["points_earned"] += e["points"]
        cat = e["rule_category"] or "调整"
        r["points_by_category"][cat] = r["points_by_category"].get(cat, 0) + e["points"]
    for r in rows.values():
        r["participating"] = len(r["participating"])
    return rows


def rounded(num, den, places):
    if den == 0:
        return None
    q = Decimal(num) / Decimal(den)
    return float(q.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def check_row(got, want, what):
    for k in ("households", "participating_households", "points_earned", "points_by_category"):
        src = "participating" if k == "participating_households" else k
        eq(got[k], want[src], f"{what}: {k}")
    eq(got["participation_rate"], rounded(want["participating"], want["households"], 4),
       f"{what}: participation_rate")
    eq(got["points_per_household"], rounded(want["points_earned"], want["households"], 2),
       f"{what}: points_per_household")
    eq([got["redemptions"], got["redeemed_points"], got["objections_raised"],
        got["objections_upheld"]], want["side"], f"{what}: redemptions and objections")


def compare(client, area_id, query):
    return client.get(f"/api/v1/areas/{area_id}/compare?{query}")


def test_the_county_compares_both_townships_villages():
    w = world()
    s, county = w["s"], w["county"]
    first, last = f"{LAST}-01", f"{LAST}-12"
    got = status(compare(county, w["county_id"], f"period={LAST}"), 200, "county").json
    eq(got["area"]["name"], "铁岭县", "area")
    eq(got["period"], {"from": first, "to": last}, "period")
    by = {r["village_id"]: r for r in got["items"]}
    eq(set(by), {w["v1"], w["v2"]}, "both villages")
    eq((by[w["v1"]]["area_name"], by[w["v2"]]["area_name"]), ("平顶堡镇", "腰堡镇"), "townships")
    for v in (w["v1"], w["v2"]):
        want = expected(county, v, first, last)[v]
        check_row(by[v], want, f"village {v}")
    # the new village, spelled out: 9001 +5 +10, 9002 +5 −5 −3 +3 (the objection upheld),
    # 9003 +5 (moved out), 9004 +5 +10; 9005's points are this year's
    row2 = by[w["v2"]]
    eq((row2["households"], row2["participating_households"], row2["points_earned"]),
       (4, 4, 35), "腰堡村 by hand")
    eq(row2["points_by_category"], {"环境卫生": 15, "移风易俗": 20, "违规": 0}, "categories by hand")
    eq((row2["participation_rate"], row2["points_per_household"]), (1.0, 8.75), "ratios by hand")
    eq((row2["redemptions"], row2["objections_raised"], row2["objections_upheld"]), (0, 2, 1),
       "two objections to March's notice, one upheld")
    # the demo village has a year of points in many categories
    assert len(by[w["v1"]]["points_by_category"]) >= 3, by[w["v1"]]
    assert by[w["v1"]]["participating_households"] > 100, by[w["v1"]]
    t = got["total"]
    for k in ("households", "participating_households", "points_earned", "redemptions",
              "redeemed_points", "objections_raised", "objections_upheld"):
        eq(t[k], sum(r[k] for r in got["items"]), f"total {k}")
    cats = {}
    for r in got["items"]:
        for c, p in r["points_by_category"].items():
            cats[c] = cats.get(c, 0) + p
    eq(t["points_by_category"], cats, "total by category")


def test_a_township_sees_only_its_own_villages():
    w = world()
    town = w["s"].login("township")
    got = status(compare(town, w["town1"], f"period={LAST}"), 200, "own township").json
    eq([r["village_id"] for r in got["items"]], [w["v1"]], "only 高箭沟村")
    eq(status(compare(town, w["town2"], f"period={LAST}"), 403, "other township").error_code,
       "forbidden", "other township")
    status(compare(town, w["county_id"], f"period={LAST}"), 403, "the county above")
    town2 = w["s"].login("yaopu-town", PW)
    got2 = status(compare(town2, w["town2"], f"period={LAST}-Q1"), 200, "腰堡镇").json
    eq([r["village_id"] for r in got2["items"]], [w["v2"]], "only 腰堡村")
    status(compare(town2, w["town1"], f"period={LAST}"), 403, "腰堡镇 → 平顶堡镇")
    # the same village row whoever of the two above it asks
    county_row = status(compare(w["county"], w["county_id"], f"period={LAST}-Q1"), 200,
                        "county Q1").json["items"]
    eq([r for r in county_row if r["village_id"] == w["v2"]], got2["items"], "same row")
    status(compare(w["county"], 999999, f"period={LAST}"), 404, "no such area")


def test_village_roles_may_not_compare_areas():
    w = world()
    s = w["s"]
    for who in (s.login("admin"), s.login("scorer"), s.login("clerk"), s.login_villager("1001"),
                w["admin2"], w["scorer2"]):
        r = status(compare(who, w["town1"], f"period={LAST}"), 403, "village role")
        eq(r.error_code, "forbidden", "code")
    status(s.anon().get(f"/api/v1/areas/{w['town1']}/compare?period={LAST}"), 401, "anonymous")


def test_quarters_months_and_ranges():
    w = world()
    county, v2 = w["county"], w["v2"]
    for query, first, last in ((f"period={LAST}-Q1", f"{LAST}-01", f"{LAST}-03"),
                               (f"period={LAST}-03", f"{LAST}-03", f"{LAST}-03"),
                               (f"period={LAST}-Q4", f"{LAST}-10", f"{LAST}-12"),
                               (f"from={LAST}-11&to={THIS}-01", f"{LAST}-11", f"{THIS}-01")):
        got = status(compare(county, w["town2"], query), 200, query).json
        eq(got["period"], {"from": first, "to": last}, f"{query}: period")
        want = expected(county, v2, first, last).get(v2, empty_row())
        check_row(got["items"][0], want, query)
    # a range of whole months is the quarter it spells
    q = status(compare(county, w["county_id"], f"period={LAST}-Q2"), 200, "Q2").json
    r = status(compare(county, w["county_id"], f"from={LAST}-04&to={LAST}-06"), 200, "04..06").json
    eq(r, q, "from..to = the quarter")
    # nothing in a month without entries: zeros, an empty map
    empty = status(compare(county, w["town2"], f"period={LAST}-08"), 200, "August").json["items"][0]
    eq((empty["participating_households"], empty["points_earned"], empty["points_by_category"],
        empty["participation_rate"], empty["points_per_household"]), (0, 0, {}, 0.0, 0.0), "August")


def test_groups_add_up_to_the_village():
    w = world()
    s, county = w["s"], w["county"]
    first, last = f"{LAST}-01", f"{LAST}-12"
    area = status(compare(county, w["county_id"], f"period={LAST}"), 200, "county").json
    for v, viewer in ((w["v2"], w["admin2"]), (w["v1"], s.login("admin"))):
        got = status(viewer.get(f"/api/v1/villages/{v}/groups/compare?period={LAST}"), 200,
                     f"groups of {v}").json
        eq(got["village"]["id"], v, "village")
        want = expected(viewer, v, first, last, key=lambda h: h["group_id"])
        groups = status(viewer.get(f"/api/v1/villages/{v}/groups"), 200, "groups").json["items"]
        eq([r["group_id"] for r in got["items"]], [g["id"] for g in groups], "every group, in order")
        for r in got["items"]:
            check_row(r, want.get(r["group_id"], empty_row()), f"group {r['group_name']}")
        village_row = [r for r in area["items"] if r["village_id"] == v][0]
        t = got["total"]
        for k in ("households", "participating_households", "points_earned", "points_by_category",
                  "participation_rate", "points_per_household", "redemptions", "redeemed_points",
                  "objections_raised", "objections_upheld"):
            eq(t[k], village_row[k], f"village {v}: the groups' total {k} is the village's")
            if k != "points_by_category" and not k.endswith(("rate", "household")):
                eq(sum(r[k] for r in got["items"]), village_row[k], f"village {v}: sum of {k}")
    g1, g2 = w["groups2"]
    got = status(w["admin2"].get(f"/api/v1/villages/{w['v2']}/groups/compare?period={LAST}"), 200,
                 "腰堡村").json
    by = {r["group_id"]: r for r in got["items"]}
    eq((by[g1]["households"], by[g1]["participating_households"], by[g1]["points_earned"],
        by[g1]["objections_raised"], by[g1]["objections_upheld"]),
       (2, 3, 20, 2, 1), "一组 by hand (9003 moved out but took part)")
    eq((by[g2]["households"], by[g2]["participating_households"], by[g2]["points_earned"],
        by[g2]["objections_raised"]), (2, 1, 15, 0), "二组 by hand")


def test_who_may_see_a_villages_groups():
    w = world()
    s = w["s"]
    path = f"/api/v1/villages/{w['v1']}/groups/compare?period={LAST}"
    for name, client, want in (("admin", s.login("admin"), 200), ("scorer", s.login("scorer"), 200),
                               ("clerk", s.login("clerk"), 200), ("township", s.login("township"), 200),
                               ("county", w["county"], 200),
                               ("villager", s.login_villager("1001"), 403),
                               ("other village's admin", w["admin2"], 403),
                               ("other township", s.login("yaopu-town", PW), 403)):
        status(client.get(path), want, name)
    status(w["county"].get(f"/api/v1/villages/999999/groups/compare?period={LAST}"), 404, "missing")


def test_malformed_periods_are_400():
    w = world()
    county = w["county"]
    base = f"/api/v1/areas/{w['county_id']}/compare"
    for q in ("", "?period=", f"?period={LAST}-13", f"?period={LAST}-00", f"?period={LAST}-Q5",
              "?period=1999", "?period=abcd", f"?period={LAST}-1", f"?period={LAST}-11-01",
              f"?from={LAST}-01", f"?to={LAST}-01", f"?from={LAST}-03&to={LAST}-02",
              f"?period={LAST}&from={LAST}-01&to={LAST}-02", f"?from={LAST}-1&to={LAST}-02",
              "?from=2000-01&to=2010-01", "?period=%E4%BA%8C%E3%80%87"):
        r = county.get(base + q)
        eq(r.status, 400, f"{q!r}: status")
        eq(r.error_code, "bad_period", f"{q!r}: code")
        assert r.json["error"]["message"] and r.json["error"]["message_en"], r
    r = w["admin2"].get(f"/api/v1/villages/{w['v2']}/groups/compare?period=next-year")
    eq((r.status, r.error_code), (400, "bad_period"), "groups: bad period")


if __name__ == "__main__":
    try:
        run(globals())
    finally:
        # a sanitizer report at shutdown fails the run (it replaces run's exit)
        if WORLD.get("s"):
            WORLD["s"].close()
