"""The ranking (issue 4 item 3, 一年一排名): households ranked by the points they
earned in a year, a quarter or a month — awards minus deductions, reversals
included — for the village and within each group; ties share a rank (1, 2, 2, 4)
and households that earned nothing rank last with 0. The staff view shows names
and passbook numbers; the public view (no login) masks names and shows nothing
else that identifies a household; a villager sees their own household's rank.
Rankings are served from totals the ledger keeps, which `jifen verify` checks
against the entries."""
import datetime

from harness import Server, run, eq, status
from ledger_fixtures import make_rule, today, unique, verify
from rank_fixtures import Village, ranks

HOUSEHOLDS = (("1001", "赵德胜", "一组"), ("1002", "钱秀英", "一组"), ("2001", "孙建国", "二组"),
              ("2002", "李桂兰", "二组"), ("1003", "周海", "一组"))

S = None


def server():
    global S
    if S is None:
        S = Server()
    return S


def periods():
    t = today()
    return {"year": str(t.year), "quarter": f"{t.year}-Q{(t.month + 2) // 3}",
            "month": f"{t.year}-{t.month:02d}", "last_year": str(t.year - 1),
            "last_q2": f"{t.year - 1}-Q2", "last_june": f"{t.year - 1}-06",
            "last_july": f"{t.year - 1}-07"}


def build():
    """1001 10, 1002 7, 2001 7, 2002 3 today; 2002 also 20 last June; 1003 nothing."""
    v = Village(server(), HOUSEHOLDS)
    d = today().isoformat()
    v.record("1001", 10, d)
    v.b_entry = v.record("1002", 7, d)[0]["id"]
    v.record("2001", 7, d)
    v.record("2002", 3, d)
    v.record("2002", 20, f"{today().year - 1}-06-15")
    return v


def test_ties_share_a_rank_and_the_idle_rank_last():
    v = build()
    p = periods()
    r = v.ranking(period=p["year"])
    eq(ranks(r), [("1001", 10, 1), ("1002", 7, 2), ("2001", 7, 2), ("2002", 3, 4), ("1003", 0, 5)],
       "this year")
    eq((r["total"], r["period"], r["village_id"]), (5, p["year"], v.id), "the page")
    first = r["items"][0]
    eq(first["household"], {"id": v.hh["1001"], "passbook_no": "1001", "head_name": "赵德胜",
                            "group_id": v.groups["一组"], "group_name": "一组", "status": "active"},
       "a row's household")
    eq([(i["village_rank"], i["group_rank"]) for i in r["items"]], [(1, 1), (2, 2), (2, 1), (4, 2), (5, 3)],
       "village and group ranks on every row")
    # the quarter and the month of today hold the same points; last year only 2002's June
    for key in ("quarter", "month"):
        eq(ranks(v.ranking(period=p[key])), ranks(r), p[key])
    for key in ("last_year", "last_q2", "last_june"):
        eq(ranks(v.ranking(period=p[key])),
           [("2002", 20, 1), ("1001", 0, 2), ("1002", 0, 2), ("1003", 0, 2), ("2001", 0, 2)], p[key])
    eq([x[2] for x in ranks(v.ranking(period=p["last_july"]))], [1, 1, 1, 1, 1], "nobody earned")
    # pages keep the village's ranks
    page2 = v.ranking(period=p["year"], per_page=2, page=2)
    eq(ranks(page2), [("2001", 7, 2), ("2002", 3, 4)], "page 2")
    eq((page2["total"], page2["page"], page2["per_page"]), (5, 2, 2), "paging")


def test_groups_rank_on_their_own():
    v = build()
    p = periods()
    one = v.ranking(period=p["year"], group_id=v.groups["一组"])
    eq(ranks(one), [("1001", 10, 1), ("1002", 7, 2), ("1003", 0, 3)], "一组")
    eq([i["village_rank"] for i in one["items"]], [1, 2, 5], "their village ranks")
    eq(one["group_id"], v.groups["一组"], "group echoed")
    two = v.ranking(period=p["year"], group_id=v.groups["二组"])
    eq(ranks(two), [("2001", 7, 1), ("2002", 3, 2)], "二组")
    eq(two["total"], 2, "二组 count")
    two_last = v.ranking(period=p["last_year"], group_id=v.groups["二组"])
    eq(ranks(two_last), [("2002", 20, 1), ("2001", 0, 2)], "二组 last year")


def test_reversals_and_deductions_count():
    v = build()
    p = periods()
    status(v.admin.post(f"/api/v1/entries/{v.b_entry}/reversal", {"reason": "记错户了"}), 201, "reverse")
    deduct = status(v.admin.post(f"/api/v1/villages/{v.id}/rules", {
        "category": "环境卫生", "name": "乱堆乱放", "points": -4}), 201, "deduction rule").json
    v.record("1001", 1, today().isoformat(), rule=deduct["id"])
    eq(ranks(v.ranking(period=p["year"])),
       [("2001", 7, 1), ("1001", 6, 2), ("2002", 3, 3), ("1002", 0, 4), ("1003", 0, 4)],
       "1002's points reversed, 1001 lost 4")


def test_public_view_masks_names():
    v = build()
    s = server()
    p = periods()
    anon = s.anon()
    pub = status(anon.get(f"/api/v1/villages/{v.id}/ranking/public?period={p['year']}"), 200,
                 "public").json
    eq(ranks(pub), [("赵*胜", 10, 1), ("钱*英", 7, 2), ("孙*国", 7, 2), ("李*兰", 3, 4), ("周*", 0, 5)],
       "masked names, the same ranks")
    for item in pub["items"]:
        eq(sorted(item["household"]), ["group_id", "group_name", "head_name"], "nothing that identifies")
    assert "13912345678" not in str(pub) and "1001" not in str(pub), pub
    grp = status(anon.get(f"/api/v1/villages/{v.id}/ranking/public?period={p['month']}"
                          f"&group_id={v.groups['二组']}"), 200, "public group").json
    eq(ranks(grp), [("孙*国", 7, 1), ("李*兰", 3, 2)], "public group ranking")
    # the staff view needs staff
    status(anon.get(f"/api/v1/villages/{v.id}/ranking?period={p['year']}"), 401, "staff view, no login")
    villager = v.villager("1002")
    eq(status(villager.get(f"/api/v1/villages/{v.id}/ranking"), 403, "villager, staff view").error_code,
       "forbidden", "villager")
    status(villager.get(f"/api/v1/villages/{v.id}/ranking/public"), 200, "villager, public view")
    status(s.login("admin").get(f"/api/v1/villages/{v.id}/ranking"), 403, "another village's admin")
    eq(len(v.ranking(client=s.login("township"), period=p["year"])["items"]), 5, "the township admin")
    status(anon.get("/api/v1/villages/99999/ranking/public"), 404, "no such village")


def test_a_household_sees_its_own_rank():
    v = build()
    p = periods()
    me = v.villager("2001")
    r = status(me.get(f"/api/v1/households/{v.hh['2001']}/rank?period={p['year']}"), 200, "own rank").json
    eq((r["rank"], r["group_rank"], r["earned"], r["households"], r["group_households"], r["period"]),
       (2, 1, 7, 5, 2, p["year"]), "2001's rank")
    eq(r["household"]["passbook_no"], "2001", "the household")
    last = status(me.get(f"/api/v1/households/{v.hh['2001']}/rank?period={p['last_year']}"), 200, "").json
    eq((last["rank"], last["earned"]), (2, 0), "last year")
    default = status(me.get(f"/api/v1/households/{v.hh['2001']}/rank"), 200, "default period").json
    eq(default["period"], p["year"], "this year by default")
    status(me.get(f"/api/v1/households/{v.hh['1001']}/rank"), 403, "another household's rank")
    r = status(v.scorer.get(f"/api/v1/households/{v.hh['1003']}/rank?period={p['month']}"), 200, "").json
    eq((r["rank"], r["earned"]), (5, 0), "staff see any household")
    status(server().anon().get(f"/api/v1/households/{v.hh['1001']}/rank"), 401, "no login")



def test_the_county_rank_counts_every_village_of_the_county():
    v = build()
    build()  # a second village of the same township: the county spans both and the demo's
    s = server()
    year = periods()["year"]
    # below zero: every active household that earned nothing (no total) is ahead of it
    minus = make_rule(v.admin, v.id, category="环境卫生", name=unique("乱堆乱放"), points=-2)
    v.record("1003", 1, today().isoformat(), rule=minus["id"])  # -2
    county = s.sql("SELECT a.parent_id FROM villages v JOIN areas a ON a.id = v.area_id"
                   " WHERE v.id = ?", v.id)[0][0]
    # what every household of the county earned this year, from the entries themselves; the
    # ranked ones are the active households and any other that earned something
    rows = s.sql(
        "SELECT h.id, h.status, count(CASE WHEN substr(e.deed_date,1,4) = ?1 AND (e.kind IN"
        " ('award','deduction','adjustment') OR (e.kind = 'reversal' AND o.kind IN"
        " ('award','deduction','adjustment'))) THEN 1 END),"
        " COALESCE(sum(CASE WHEN substr(e.deed_date,1,4) = ?1 AND (e.kind IN"
        " ('award','deduction','adjustment') OR (e.kind = 'reversal' AND o.kind IN"
        " ('award','deduction','adjustment'))) THEN e.points END), 0)"
        " FROM households h JOIN villages vv ON vv.id = h.village_id"
        " JOIN areas a ON a.id = vv.area_id"
        " LEFT JOIN entries e ON e.household_id = h.id LEFT JOIN entries o ON o.id = e.reverses_id"
        " WHERE a.id = ?2 OR a.parent_id = ?2 GROUP BY h.id", year, county)
    ranked = [pts for (_, st, n, pts) in rows if st == "active" or n > 0]
    assert len({r[0] for r in s.sql("SELECT DISTINCT h.village_id FROM households h"
                                    " WHERE h.id IN (%s)" % ",".join(str(r[0]) for r in rows))}) >= 3
    for passbook in ("1001", "2001", "2002", "1003"):
        r = status(v.admin.get(f"/api/v1/households/{v.hh[passbook]}/rank?period={year}"), 200,
                   passbook).json
        mine = r["earned"]
        eq((r["county_id"], r["county_rank"], r["county_households"]),
           (county, 1 + sum(1 for x in ranked if x > mine), len(ranked)), f"{passbook} in the county")
        assert r["county_rank"] >= r["rank"], r
    me = v.villager("2001")
    r = status(me.get(f"/api/v1/households/{v.hh['2001']}/rank?period={year}"), 200, "own").json
    eq(r["county_rank"], 1 + sum(1 for x in ranked if x > 7), "the villager sees it too")


def test_bad_queries():
    v = build()
    for bad in ("2026-Q5", "2026-13", "26", "1999", "2026-11-01", "abcd", "2026-q1"):
        eq(status(v.admin.get(f"/api/v1/villages/{v.id}/ranking?period={bad}"), 422, bad).error_code,
           "invalid_period", bad)
        status(server().anon().get(f"/api/v1/villages/{v.id}/ranking/public?period={bad}"), 422, bad)
        status(v.admin.get(f"/api/v1/households/{v.hh['1001']}/rank?period={bad}"), 422, bad)
    other_group = server().sql("SELECT min(id) FROM villager_groups WHERE village_id = 1")[0][0]
    eq(status(v.admin.get(f"/api/v1/villages/{v.id}/ranking?group_id={other_group}"), 422, "group").error_code,
       "invalid_group", "a group of another village")
    status(v.admin.get(f"/api/v1/villages/{v.id}/ranking?group_id=abc"), 400, "group not a number")
    status(v.admin.get(f"/api/v1/villages/{v.id}/ranking?per_page=500"), 400, "per_page too big")


def test_totals_match_the_ledger_and_verify_checks_them():
    s = server()
    v = build()
    status(v.admin.post(f"/api/v1/entries/{v.b_entry}/reversal", {"reason": "记错户了"}), 201, "reverse")
    # kept totals equal what the entries say, period by period, for every village
    kept = set(s.sql("SELECT household_id, period, earned FROM totals WHERE earned <> 0"))
    summed = set(s.sql(
        "WITH e AS (SELECT x.household_id, x.deed_date d, x.points p FROM entries x"
        " LEFT JOIN entries o ON o.id = x.reverses_id"
        " WHERE x.kind IN ('award','deduction','adjustment')"
        "  OR (x.kind = 'reversal' AND o.kind IN ('award','deduction','adjustment')))"
        " SELECT household_id, period, sum(p) FROM ("
        "  SELECT household_id, substr(d,1,4) period, p FROM e"
        "  UNION ALL SELECT household_id, substr(d,1,7), p FROM e"
        "  UNION ALL SELECT household_id, substr(d,1,4) || '-Q' || ((CAST(substr(d,6,2) AS INT)+2)/3), p FROM e)"
        " GROUP BY household_id, period HAVING sum(p) <> 0"))
    eq(kept, summed, "totals")
    p = verify(s.db)
    eq(p.returncode, 0, f"verify: {p.stdout}{p.stderr}")
    assert "every balance and total matches" in p.stdout, p.stdout
    # a total changed behind jifen's back is named with its household and period
    import sqlite3
    con = sqlite3.connect(s.db, timeout=30)
    con.execute("UPDATE totals SET earned = earned + 9 WHERE household_id = ? AND period = ?",
                (v.hh["2001"], periods()["quarter"]))
    con.commit()
    con.close()
    p = verify(s.db)
    eq(p.returncode, 1, f"verify after tampering: {p.stdout}{p.stderr}")
    assert (f"household {v.hh['2001']} (2001 孙建国) has 16 points earned kept for {periods()['quarter']}, "
            "but its entries add up to 7") in p.stderr, p.stderr
    con = sqlite3.connect(s.db, timeout=30)
    con.execute("UPDATE totals SET earned = earned - 9 WHERE household_id = ? AND period = ?",
                (v.hh["2001"], periods()["quarter"]))
    con.commit()
    con.close()
    eq(verify(s.db).returncode, 0, "repaired")


def test_the_demo_village_ranking_is_its_ledger():
    s = server()
    admin = s.login("admin")
    year = periods()["year"]
    r = status(admin.get(f"/api/v1/villages/{s.village_id}/ranking?period={year}&per_page=200"),
               200, "demo ranking").json
    eq(r["total"], 222, "every household")
    api = {i["household"]["id"]: (i["earned"], i["rank"]) for i in r["items"]}
    earned = dict(s.sql(
        "SELECT h.id, COALESCE(sum(CASE WHEN substr(e.deed_date,1,4) = ? AND (e.kind IN"
        " ('award','deduction','adjustment') OR (e.kind = 'reversal' AND o.kind IN"
        " ('award','deduction','adjustment'))) THEN e.points END), 0)"
        " FROM households h LEFT JOIN entries e ON e.household_id = h.id"
        " LEFT JOIN entries o ON o.id = e.reverses_id WHERE h.village_id = ? GROUP BY h.id",
        year, s.village_id))
    # (the carry-over and clearing entries of the demo's closed last year are not earned)
    for hid, (pts, rank) in api.items():
        eq(pts, earned[hid], f"household {hid}")
        eq(rank, 1 + sum(1 for x in earned.values() if x > pts), f"rank of household {hid}")


def teardown():
    if S:
        S.close()


if __name__ == "__main__":
    try:
        run(globals())
    finally:
        teardown()
