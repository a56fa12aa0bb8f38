"""The year end (issue 4 items 3 and 4): a village admin closes a past year once
every entry of it is confirmed. In one transaction the close archives the year's
ranking, awards the honours of the active honour rules (星级文明户 by thresholds,
文明家庭 the top N with ties) into a frozen snapshot, and applies the village's
balance policy through ledger entries — carry over (a clearing entry on 12-31 and
a carry-over entry on 01-01) or clear — never by editing balances. A closed year
takes no new entries of any kind: records, claims and their approval, activity
awards, inspection scores and reversals all get 422 year_closed. Honours show
publicly with names masked; later points never change them."""
import json
import sqlite3

from harness import Server, run, eq, status
from ledger_fixtures import in_parallel, passbook, today, verify
from rank_fixtures import FAST_NOTICES, Village, ranks

HOUSEHOLDS = (("1001", "赵德胜", "一组"), ("1002", "钱秀英", "一组"), ("2001", "孙建国", "二组"),
              ("2002", "李桂兰", "二组"))
STARS = [5, 10, 20, 25, 30]

S = None


def server():
    global S
    if S is None:
        S = Server(args=FAST_NOTICES)
    return S


LY = today().year - 1
TY = today().year


def build(policy="carry_over", rules=True):
    """Last year: 1001 +30 in March, 1002 and 2001 +10 and 2002 -6 in November, all
    confirmed; this year 1001 +5 (pending). Rules: stars by STARS, the top 2."""
    v = Village(server(), HOUSEHOLDS, policy=policy)
    v.first = v.record("1001", 30, f"{LY}-03-10")[0]["id"]
    v.record("1002", 10, f"{LY}-11-20")
    v.record("2001", 10, f"{LY}-11-20")
    fine = status(v.admin.post(f"/api/v1/villages/{v.id}/rules", {
        "category": "社会治安", "name": "邻里纠纷", "points": -6}), 201, "deduction rule").json
    v.record("2002", 1, f"{LY}-11-20", rule=fine["id"])
    v.confirm(f"{LY}-03", f"{LY}-11")
    v.record("1001", 5, today().isoformat())
    if rules:
        status(v.admin.post(f"/api/v1/villages/{v.id}/honour-rules",
                            {"kind": "stars", "title": "星级文明户", "thresholds": STARS}), 201, "stars")
        status(v.admin.post(f"/api/v1/villages/{v.id}/honour-rules",
                            {"kind": "top", "title": "文明家庭", "top_n": 2}), 201, "top 2")
    return v


def close(v, year=LY, who=None, **kw):
    return (who or v.admin).post(f"/api/v1/villages/{v.id}/years/{year}/close", **kw)


def entries_of(v, passbook_no, kinds=("clearing", "carry_over")):
    _, items = passbook(v.admin, v.hh[passbook_no])
    return sorted((e["kind"], e["points"], e["deed_date"], e["month"]) for e in items if e["kind"] in kinds)


def honours(v, client=None, public=False, year=None):
    path = f"/api/v1/villages/{v.id}/honours" + ("/public" if public else "")
    if year:
        path += f"?year={year}"
    return status((client or v.admin).get(path), 200, "honours").json


def summary(h):
    return [(i["title"], i["stars"], i["household"].get("passbook_no") or i["household"]["head_name"],
             i["rank"], i["earned"]) for i in h["items"]]


def test_carry_over_opens_the_new_year_with_the_balance():
    s = server()
    v = build("carry_over")
    this_month = today().strftime("%Y-%m")
    before = {p: passbook(v.admin, v.hh[p])[0] for p in v.hh}
    eq(before["1001"], {"confirmed": 30, "pending": 5, "total": 35}, "1001 before")
    r = status(close(v), 201, "close").json
    eq((r["year"], r["policy"], r["households"], r["honours"], r["village_id"]),
       (LY, "carry_over", 4, 6, v.id), "the close")
    assert r["closed_by_name"] and r["closed_at"], r
    # balances are what they were; the passbook shows the move across the year
    for p in v.hh:
        eq(passbook(v.admin, v.hh[p])[0], before[p], f"balance of {p}")
    eq(entries_of(v, "1001"), [("carry_over", 30, f"{TY}-01-01", this_month),
                                ("clearing", -30, f"{LY}-12-31", this_month)], "1001's passbook")
    eq(entries_of(v, "2002"), [("carry_over", -6, f"{TY}-01-01", this_month),
                                ("clearing", 6, f"{LY}-12-31", this_month)], "a negative balance carries")
    eq(s.sql("SELECT DISTINCT bucket FROM entries WHERE village_id = ? AND kind IN ('clearing','carry_over')",
             v.id), [("confirmed",)], "year-end entries are confirmed")
    # carried points are not points earned: both years rank as before
    eq(ranks(v.ranking(period=str(TY))), [("1001", 5, 1), ("1002", 0, 2), ("2001", 0, 2), ("2002", 0, 2)],
       "this year")
    eq(ranks(v.ranking(period=str(LY))), [("1001", 30, 1), ("1002", 10, 2), ("2001", 10, 2), ("2002", -6, 4)],
       "last year")
    eq(s.sql("SELECT household_id, earned, rank, group_rank FROM year_ranking WHERE village_id = ?"
             " ORDER BY rank, household_id", v.id),
       [(v.hh["1001"], 30, 1, 1), (v.hh["1002"], 10, 2, 2), (v.hh["2001"], 10, 2, 1), (v.hh["2002"], -6, 4, 2)],
       "the archived ranking")
    p = verify(s.db)
    eq(p.returncode, 0, f"verify: {p.stdout}{p.stderr}")
    eq(s.sql("SELECT action, summary FROM audit_log WHERE entity = 'year' AND village_id = ?", v.id)[0][0],
       "close", "audited")
    years = status(v.admin.get(f"/api/v1/villages/{v.id}/years"), 200, "years").json["items"]
    eq([(y["year"], y["policy"]) for y in years], [(LY, "carry_over")], "closed years")
    eq(status(v.scorer.get(f"/api/v1/villages/{v.id}/years/{LY}"), 200, "year").json["honours"], 6, "")
    eq(status(v.admin.get(f"/api/v1/villages/{v.id}/years/{TY}"), 404, "open year").error_code,
       "year_not_closed", "")


def test_honours_stars_top_n_with_ties_and_public_masking():
    v = build()
    status(close(v), 201, "close")
    eq(summary(honours(v)), [
        ("星级文明户", 5, "1001", 1, 30), ("星级文明户", 2, "1002", 2, 10), ("星级文明户", 2, "2001", 2, 10),
        ("文明家庭", 0, "1001", 1, 30), ("文明家庭", 0, "1002", 2, 10), ("文明家庭", 0, "2001", 2, 10),
    ], "stars by thresholds; the top 2 with the tie at 2")
    staff = honours(v, client=v.scorer)
    eq((staff["year"], staff["closed"]), (LY, True), "the latest closed year by default")
    eq(staff["items"][0]["household"]["head_name"], "赵德胜", "staff see names")
    anon = server().anon()
    pub = status(anon.get(f"/api/v1/villages/{v.id}/honours/public?year={LY}"), 200, "public").json
    eq(summary(pub)[:3], [("星级文明户", 5, "赵*胜", 1, 30), ("星级文明户", 2, "钱*英", 2, 10),
                          ("星级文明户", 2, "孙*国", 2, 10)], "masked")
    for item in pub["items"]:
        eq(sorted(item["household"]), ["group_id", "group_name", "head_name"], "nothing that identifies")
    assert "13912345678" not in json.dumps(pub, ensure_ascii=False), pub
    status(anon.get(f"/api/v1/villages/{v.id}/honours"), 401, "staff view, no login")
    status(v.villager("1001").get(f"/api/v1/villages/{v.id}/honours"), 403, "villager, staff view")
    empty = status(anon.get(f"/api/v1/villages/{v.id}/honours/public?year={TY}"), 200, "open year").json
    eq((empty["closed"], empty["items"]), (False, []), "no honours for an open year")
    status(anon.get(f"/api/v1/villages/{v.id}/honours/public?year=abc"), 400, "bad year")


def test_clear_empties_last_years_balance():
    s = server()
    v = build("clear", rules=False)
    r = status(close(v), 201, "close").json
    eq((r["policy"], r["honours"]), ("clear", 0), "no honour rules: no honours")
    eq(passbook(v.admin, v.hh["1001"])[0], {"confirmed": 0, "pending": 5, "total": 5},
       "1001: last year's 30 cleared, this year's 5 kept")
    eq(entries_of(v, "1001"), [("clearing", -30, f"{LY}-12-31", today().strftime("%Y-%m"))], "clearing")
    eq(passbook(v.admin, v.hh["2002"])[0]["confirmed"], 0, "a negative balance is cleared too")
    eq(entries_of(v, "2002"), [("clearing", 6, f"{LY}-12-31", today().strftime("%Y-%m"))], "")
    eq(s.sql("SELECT count(*) FROM entries WHERE village_id = ? AND kind = 'carry_over'", v.id)[0][0], 0,
       "nothing carried")
    eq(ranks(v.ranking(period=str(LY)))[0], ("1001", 30, 1), "clearing is not points lost")
    p = verify(s.db)
    eq(p.returncode, 0, f"verify: {p.stdout}{p.stderr}")


def test_a_closed_year_takes_no_entries():
    s = server()
    v = build()
    villager = v.villager("1002")
    early = status(villager.post(f"/api/v1/villages/{v.id}/claims", {
        "rule_id": v.rule["id"], "deed_date": f"{LY}-12-20", "description": "帮五保户扫雪"}), 201, "a claim filed before the close").json
    act = status(v.scorer.post(f"/api/v1/villages/{v.id}/activities", {
        "name": "冬季清雪", "rule_id": v.rule["id"], "activity_date": f"{LY}-12-28"}), 201, "activity").json
    status(v.scorer.post(f"/api/v1/activities/{act['id']}/signups", {"household_id": v.hh["2001"]}), 201, "")
    rnd = status(v.scorer.post(f"/api/v1/villages/{v.id}/inspections", {
        "group_id": v.groups["一组"], "inspection_date": f"{LY}-12-29"}), 201, "inspection").json
    # a pending claim is not an entry: the close goes ahead
    status(close(v), 201, "close")
    n = s.sql("SELECT count(*) FROM entries WHERE village_id = ?", v.id)[0][0]

    def refused(r, what, word=str(LY)):
        eq(r.status, 422, f"{what}: {r}")
        eq(r.error_code, "year_closed", what)
        assert word in r.json["error"]["message"], r.json

    refused(v.scorer.post(f"/api/v1/villages/{v.id}/entries", {
        "rule_id": v.rule["id"], "household_ids": [v.hh["2001"]], "deed_date": f"{LY}-12-30"}), "record")
    refused(v.admin.post(f"/api/v1/entries/{v.first}/reversal", {"reason": "记错了"}), "reversal", "冲销")
    # the year end's own entries are part of the settlement: not reversible either
    for kind in ("carry_over", "clearing"):
        eid = s.sql("SELECT id FROM entries WHERE village_id = ? AND kind = ? AND household_id = ?",
                    v.id, kind, v.hh["1001"])[0][0]
        eq(status(v.admin.post(f"/api/v1/entries/{eid}/reversal", {"reason": "结转错了"}), 409,
                  f"reverse the {kind}").error_code, "year_end_entry", kind)
    refused(villager.post(f"/api/v1/villages/{v.id}/claims", {
        "rule_id": v.rule["id"], "deed_date": f"{LY}-12-21", "description": "帮邻居收玉米"}), "new claim")
    refused(v.scorer.post(f"/api/v1/claims/{early['id']}/approve", {}), "claim approval")
    eq(status(v.scorer.get(f"/api/v1/claims/{early['id']}"), 200, "").json["status"], "pending",
       "the claim stays pending (it can be rejected)")
    status(v.scorer.post(f"/api/v1/claims/{early['id']}/reject", {"reason": f"{LY} 年已结算"}), 200, "reject")
    status(v.scorer.post(f"/api/v1/activities/{act['id']}/attendance",
                         {"attended": [s.sql("SELECT id FROM activity_signups WHERE activity_id = ?",
                                             act["id"])[0][0]]}), 200, "attendance")
    refused(v.scorer.post(f"/api/v1/activities/{act['id']}/award"), "activity award")
    refused(v.scorer.post(f"/api/v1/inspections/{rnd['id']}/scores", {
        "household_id": v.hh["1001"], "items": [{"rule_id": v.rule["id"]}]}), "inspection score")
    eq(s.sql("SELECT count(*) FROM entries WHERE village_id = ?", v.id)[0][0], n, "no entry was written")
    # this year is open
    v.record("2001", 1, today().isoformat())


def test_what_stops_a_close():
    s = server()
    v = build()
    eq(status(close(v, TY), 422, "this year").error_code, "year_not_ended", "")
    eq(status(close(v, TY + 1), 422, "next year").error_code, "year_not_ended", "")
    status(close(v, 1999), 422, "1999")
    status(close(v, who=v.scorer), 403, "scorer")
    status(close(v, who=v.county), 403, "county admin")
    status(close(v, who=s.login("admin")), 403, "another village's admin")
    status(close(v, who=v.villager("1001")), 403, "villager")
    status(close(v, who=s.anon()), 401, "no login")
    status(s.anon().post("/api/v1/villages/99999/years/2020/close"), 401, "no login, no village")
    # a month of last year not yet confirmed
    v.record("2001", 2, f"{LY}-12-05")
    r = status(close(v), 409, "pending December")
    eq(r.error_code, "year_pending", "")
    assert f"{LY}-12" in r.json["error"]["message"], r.json
    eq(s.sql("SELECT count(*) FROM year_closes WHERE village_id = ?", v.id)[0][0], 0, "not closed")
    eq(s.sql("SELECT count(*) FROM year_ranking WHERE village_id = ?", v.id)[0][0], 0, "nothing archived")
    v.confirm(f"{LY}-12")
    status(close(v), 201, "closes once December is confirmed")
    eq(status(close(v), 409, "twice").error_code, "year_already_closed", "")
    eq(status(close(v, LY - 1), 409, "an earlier year").error_code, "later_year_closed", "")
    eq(s.sql("SELECT count(*) FROM year_closes WHERE village_id = ?", v.id)[0][0], 1, "one close")
    # a village without entries that year closes with nothing to move
    empty = Village(s, HOUSEHOLDS[:2])
    r = status(close(empty), 201, "an empty year").json
    eq((r["households"], r["honours"]), (2, 0), "")
    eq(s.sql("SELECT count(*) FROM entries WHERE village_id = ?", empty.id)[0][0], 0, "no entries")


def test_honours_stay_frozen_after_later_changes():
    s = server()
    v = build()
    status(close(v), 201, "close")
    before_h = honours(v)
    before_r = s.sql("SELECT household_id, earned, rank, group_rank FROM year_ranking WHERE village_id = ?"
                     " ORDER BY household_id", v.id)
    # later points, a reversal of this year's, the rules retired
    v.record("2002", 50, today().isoformat())
    this_year = s.sql("SELECT id FROM entries WHERE village_id = ? AND household_id = ? AND kind = 'award'"
                      " AND deed_date >= ?", v.id, v.hh["1001"], f"{TY}-01-01")[0][0]
    status(v.admin.post(f"/api/v1/entries/{this_year}/reversal", {"reason": "重复记录"}), 201, "reverse")
    for rule in status(v.admin.get(f"/api/v1/villages/{v.id}/honour-rules"), 200, "").json["items"]:
        status(v.admin.patch(f"/api/v1/honour-rules/{rule['id']}", {"status": "retired"}), 200, "retire")
    eq(ranks(v.ranking(period=str(TY)))[0], ("2002", 50, 1), "this year moved on")
    eq(honours(v), before_h, "the honours did not")
    eq(s.sql("SELECT household_id, earned, rank, group_rank FROM year_ranking WHERE village_id = ?"
             " ORDER BY household_id", v.id), before_r, "nor the archived ranking")
    # and the database refuses to rewrite them
    con = sqlite3.connect(s.db, timeout=30)
    try:
        for sql in ("UPDATE honours SET stars = 5 WHERE village_id = ?",
                    "UPDATE year_ranking SET rank = 1 WHERE village_id = ?"):
            try:
                con.execute(sql, (v.id,))
                raise AssertionError(f"{sql} was allowed")
            except sqlite3.IntegrityError as e:
                assert "frozen" in str(e), e
    finally:
        con.close()


def test_honour_rules():
    s = server()
    v = build(rules=False)
    url = f"/api/v1/villages/{v.id}/honour-rules"
    bad = [
        ({"kind": "best", "title": "好媳妇", "top_n": 3}, "invalid_kind"),
        ({"kind": "stars", "title": "星级文明户"}, "invalid_thresholds"),
        ({"kind": "stars", "title": "星级文明户", "thresholds": [10, 20, 20, 40, 50]}, "invalid_thresholds"),
        ({"kind": "stars", "title": "星级文明户", "thresholds": [10, 20, 30, 40]}, "invalid_thresholds"),
        ({"kind": "stars", "title": "星级文明户", "thresholds": [0, 20, 30, 40, 50]}, "invalid_thresholds"),
        ({"kind": "stars", "title": "星级文明户", "thresholds": [1, 2, 3, 4, 5, 6, 7]}, "invalid_thresholds"),
        ({"kind": "stars", "title": "星级文明户", "thresholds": ["10", 20, 30, 40, 50]}, "invalid_thresholds"),
        ({"kind": "stars", "title": "星级文明户", "thresholds": STARS, "top_n": 3}, "top_n_not_allowed"),
        ({"kind": "top", "title": "文明家庭", "top_n": 0}, "invalid_top_n"),
        ({"kind": "top", "title": "文明家庭", "top_n": 1001}, "invalid_top_n"),
        ({"kind": "top", "title": "文明家庭"}, "invalid_top_n"),
        ({"kind": "top", "title": "文明家庭", "top_n": 3, "thresholds": STARS}, "thresholds_not_allowed"),
        ({"kind": "top", "title": "", "top_n": 3}, "too_short"),
        ({"kind": "top", "title": "文明家庭", "top_n": 3, "color": "red"}, "unknown_field"),
        ({"kind": "top", "title": "文明家庭", "top_n": "3"}, "wrong_type"),
    ]
    for body, code in bad:
        eq(status(v.admin.post(url, body), 422, str(body)).error_code, code, str(body))
    eq(s.sql("SELECT count(*) FROM honour_rules WHERE village_id = ?", v.id)[0][0], 0, "nothing added")
    for who, name in ((v.scorer, "scorer"), (v.villager("1001"), "villager"), (s.login("admin"), "other admin")):
        status(who.post(url, {"kind": "top", "title": "文明家庭", "top_n": 3}), 403, name)
    status(s.anon().post(url, {"kind": "top", "title": "文明家庭", "top_n": 3}), 401, "no login")
    r = status(v.admin.post(url, {"kind": "stars", "title": "星级文明户", "thresholds": STARS}), 201, "").json
    eq((r["kind"], r["title"], r["thresholds"], r["top_n"], r["status"], r["village_id"]),
       ("stars", "星级文明户", STARS, None, "active", v.id), "a star rule")
    top = status(v.county.post(url, {"kind": "top", "title": "文明家庭", "top_n": 10}), 201, "county adds").json
    eq((top["thresholds"], top["top_n"]), (None, 10), "a top rule")
    eq(status(v.admin.post(url, {"kind": "top", "title": "星级文明户", "top_n": 3}), 409, "title").error_code,
       "title_taken", "")
    listed = status(v.villager("2001").get(url), 200, "villagers may read").json["items"]
    eq([x["title"] for x in listed], ["星级文明户", "文明家庭"], "listed")
    status(s.anon().get(url), 401, "no login")
    rid = r["id"]
    eq(status(v.admin.patch(f"/api/v1/honour-rules/{rid}", {"status": "active"}), 422, "").error_code,
       "invalid_status", "only retiring")
    status(v.scorer.patch(f"/api/v1/honour-rules/{rid}", {"status": "retired"}), 403, "scorer retires")
    eq(status(v.admin.patch(f"/api/v1/honour-rules/{rid}", {"status": "retired"}), 200, "").json["status"],
       "retired", "retired")
    eq(status(v.admin.patch(f"/api/v1/honour-rules/{rid}", {"status": "retired"}), 409, "").error_code,
       "honour_rule_retired", "twice")
    status(v.admin.patch("/api/v1/honour-rules/99999", {"status": "retired"}), 404, "no such rule")
    status(v.admin.post(url, {"kind": "stars", "title": "星级文明户", "thresholds": [1, 2, 3, 4, 5]}), 201,
           "the title is free again")
    eq(s.sql("SELECT count(*) FROM audit_log WHERE entity = 'honour_rule' AND village_id = ?", v.id)[0][0],
       4, "three added, one retired")


def test_a_close_happens_once():
    s = server()
    v = build()
    key = {"Idempotency-Key": f"close-{v.id}-{LY}"}
    first = status(close(v, headers=key), 201, "first")
    again = status(close(v, headers=key), 201, "the same request again")
    eq(again.json, first.json, "the first response")
    w = build()
    results = in_parallel(8, lambda i: close(w).status)
    eq(sorted(results), [201] + [409] * 7, "eight admins' clicks at once")
    eq(s.sql("SELECT count(*) FROM entries WHERE village_id = ? AND kind = 'clearing'", w.id)[0][0], 4,
       "one clearing entry per household")
    p = verify(s.db)
    eq(p.returncode, 0, f"verify: {p.stdout}{p.stderr}")


def test_the_demo_shows_last_years_honours():
    s = server()
    pub = status(s.anon().get(f"/api/v1/villages/{s.village_id}/honours/public"), 200, "demo honours").json
    eq((pub["year"], pub["closed"]), (LY, True), "the demo closed last year")
    titles = {i["title"] for i in pub["items"]}
    eq(titles, {"星级文明户", "文明家庭"}, "both honours")
    assert all("*" in i["household"]["head_name"] for i in pub["items"]), pub["items"][:3]
    top = [i for i in pub["items"] if i["title"] == "文明家庭"]
    assert top and all(i["rank"] <= 10 for i in top), top
    rules = status(s.login("admin").get(f"/api/v1/villages/{s.village_id}/honour-rules"), 200, "").json
    active = {(x["title"], x["kind"]) for x in rules["items"] if x["status"] == "active"}
    eq(active, {("星级文明户", "stars"), ("文明家庭", "top")}, "the demo's rules")
    p = verify(s.db)
    eq(p.returncode, 0, f"verify the demo: {p.stdout}{p.stderr}")


def teardown():
    if S:
        S.close()


if __name__ == "__main__":
    try:
        run(globals())
    finally:
        teardown()
