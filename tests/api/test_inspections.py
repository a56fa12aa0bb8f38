"""Inspection rounds (入户环境检查, issue 3 item 5): a scorer opens a round for one
villager group, scores each household on a checklist of rules (every item an entry
naming the round, one batch per household), at most once per household, only while
the round is open. Clerks, villagers and other villages' users are refused."""
from harness import Server, run, eq, status
from ledger_fixtures import verify, day, make_rule, second_village, household_id, in_parallel

OTHER_PASSWORD = "Ertaizi-Cun-2024"


def group_id(client, village_id, name):
    r = status(client.get(f"/api/v1/villages/{village_id}/groups"), 200, "groups")
    for g in r.json["items"]:
        if g["name"] == name:
            return g["id"], g["household_count"]
    raise AssertionError(f"no group {name}")


def open_round(client, village_id, gid, date=None):
    return client.post(f"/api/v1/villages/{village_id}/inspections",
                       {"group_id": gid, "inspection_date": date or day()})


def score(client, rid, hh, items, **kw):
    return client.post(f"/api/v1/inspections/{rid}/scores", {"household_id": hh, "items": items}, **kw)


def checklist(admin, v):
    """庭院卫生 +3, 院落整洁 2..5 (chosen), 乱堆乱放 −2."""
    yard = make_rule(admin, v, category="环境卫生", name="庭院卫生", points=3)
    tidy = make_rule(admin, v, category="环境卫生", name="院落整洁", points=3, min_points=2,
                     max_points=5)
    mess = make_rule(admin, v, category="环境卫生", name="乱堆乱放", points=-2)
    return yard, tidy, mess


def test_a_round_scores_households_on_the_checklist():
    s = Server()
    try:
        v = s.village_id
        admin, scorer = s.login("admin"), s.login("scorer")
        yard, tidy, mess = checklist(admin, v)
        g1, count1 = group_id(admin, v, "一组")
        h1001, h1002 = household_id(admin, v, "1001"), household_id(admin, v, "1002")
        date = day()

        rnd = status(open_round(scorer, v, g1, date), 201, "open").json
        eq((rnd["group_id"], rnd["group_name"], rnd["inspection_date"], rnd["status"]),
           (g1, "一组", date, "open"), "round")
        eq(rnd["household_count"], count1, "every active household of the group")
        eq({h["score"] for h in rnd["households"]}, {None}, "nobody scored yet")
        rid = rnd["id"]

        items = [{"rule_id": yard["id"]}, {"rule_id": tidy["id"], "points": 5},
                 {"rule_id": mess["id"]}]
        b = status(score(scorer, rid, h1001, items), 201, "score 1001").json
        eq((b["count"], b["total_points"]), (3, 6), "three entries, 3 + 5 - 2")
        eq(sorted((e["rule_name"], e["points"], e["kind"]) for e in b["entries"]),
           [("乱堆乱放", -2, "deduction"), ("庭院卫生", 3, "award"), ("院落整洁", 5, "award")],
           "entries")
        for e in b["entries"]:
            eq((e["inspection_id"], e["household_id"], e["deed_date"], e["batch_id"]),
               (rid, h1001, date, b["batch_id"]), "entry fields")
        eq(s.sql("SELECT kind FROM batches WHERE id = ?", b["batch_id"]), [("inspection",)], "batch")
        b2 = status(score(admin, rid, h1002, [{"rule_id": yard["id"]}]), 201, "score 1002").json
        assert b2["batch_id"] != b["batch_id"], "one batch per household"

        got = status(scorer.get(f"/api/v1/inspections/{rid}"), 200, "get").json
        by = {h["household_id"]: h for h in got["households"]}
        eq((by[h1001]["score"], by[h1001]["batch_id"], by[h1001]["head_name"]),
           (6, b["batch_id"], "王福顺"), "1001 scored")
        eq(by[h1002]["score"], 3, "1002 scored")
        eq(sum(1 for h in got["households"] if h["score"] is None), count1 - 2, "the rest unscored")
        eq(got["scored_count"], 2, "scored_count")

        pb = status(s.login_villager("1001").get(f"/api/v1/households/{h1001}/passbook"), 200,
                    "villager's passbook").json
        eq(sorted(e["points"] for e in pb["items"] if e["inspection_id"] == rid), [-2, 3, 5],
           "the villager sees the three items")

        listed = status(scorer.get(f"/api/v1/villages/{v}/inspections"), 200, "list").json
        eq([(r["id"], r["group_name"], r["scored_count"]) for r in listed["items"] if r["id"] == rid],
           [(rid, "一组", 2)], "listed")

        closed = status(scorer.post(f"/api/v1/inspections/{rid}/close"), 200, "close").json
        eq(closed["status"], "closed", "closed")
        h1003 = household_id(admin, v, "1003")
        eq(status(score(scorer, rid, h1003, [{"rule_id": yard["id"]}]), 409, "after close")
           .error_code, "inspection_closed", "closed round")
        eq(status(scorer.post(f"/api/v1/inspections/{rid}/close"), 409, "close twice").error_code,
           "inspection_closed", "close twice")
        actions = [a for (a,) in s.sql("SELECT action FROM audit_log WHERE entity = 'inspection'"
                                       " AND entity_id = ? ORDER BY id", rid)]
        eq(actions, ["create", "score", "score", "close"], "audited")
        p = verify(s.db)
        eq(p.returncode, 0, f"jifen verify after the entries: {p.stdout}{p.stderr}")
    finally:
        s.close()


def test_bad_inputs_change_nothing():
    s = Server()
    try:
        v = s.village_id
        admin, scorer = s.login("admin"), s.login("scorer")
        yard, tidy, mess = checklist(admin, v)
        g1, _ = group_id(admin, v, "一组")
        county, v2, g2, h2 = second_village(s)
        # opening: another village's group, a future date, not a date
        eq(status(open_round(scorer, v, g2), 422, "other village's group").error_code,
           "invalid_group", "")
        eq(status(open_round(scorer, v, g1, day(1)), 422, "tomorrow").error_code, "future_date", "")
        eq(status(open_round(scorer, v, g1, "2026/04/10"), 422, "not a date").error_code,
           "invalid_date", "")
        eq(s.sql("SELECT count(*) FROM inspections")[0][0], 0, "no round")

        rid = status(open_round(scorer, v, g1), 201, "open").json["id"]
        h1001, h2001 = household_id(admin, v, "1001"), household_id(admin, v, "2001")
        n = s.sql("SELECT count(*) FROM entries")[0][0]
        ok = [{"rule_id": yard["id"]}]
        # households outside the round's group
        eq(status(score(scorer, rid, h2001, ok), 422, "二组's household").error_code,
           "household_not_in_group", "")
        eq(status(score(scorer, rid, h2, ok), 422, "other village's household").error_code,
           "household_not_in_group", "")
        # bad checklists
        eq(status(score(scorer, rid, h1001, []), 422, "empty").error_code, "invalid_items", "")
        eq(status(score(scorer, rid, h1001, ok + ok), 422, "same rule twice").error_code,
           "duplicate_item", "")
        eq(status(score(scorer, rid, h1001, [{"rule_id": yard["id"], "note": "x"}]), 422,
                  "unknown key").error_code, "invalid_items", "")
        eq(status(score(scorer, rid, h1001, [{"rule_id": tidy["id"]}]), 422, "range, no points")
           .error_code, "points_required", "")
        # a retired rule after a good item: nothing at all is posted
        old = make_rule(admin, v, category="环境卫生", name="旧版卫生检查", points=2)
        status(admin.post(f"/api/v1/rules/{old['id']}/retire"), 200, "retire")
        eq(status(score(scorer, rid, h1001, ok + [{"rule_id": old["id"]}]), 422, "retired")
           .error_code, "rule_retired", "")
        # a capped rule already used up this month
        capped = make_rule(admin, v, category="环境卫生", name="门前三包", points=4, cap_month=4)
        status(scorer.post(f"/api/v1/villages/{v}/entries", {"rule_id": capped["id"],
               "household_ids": [h1001], "deed_date": day()}), 201, "use the cap")
        n += 1
        r = status(score(scorer, rid, h1001, ok + [{"rule_id": capped["id"]}]), 422, "cap")
        eq(r.error_code, "cap_exceeded", "")
        assert "王福顺" in r.json["error"]["message"], r.json
        eq(s.sql("SELECT count(*) FROM entries")[0][0], n, "no entries from refused scores")
        eq(s.sql("SELECT count(*) FROM inspection_scores")[0][0], 0, "no scores")

        # a moved-out household leaves the round's list and cannot be scored
        h1002 = household_id(admin, v, "1002")
        status(admin.patch(f"/api/v1/households/{h1002}", {"status": "moved_out"}), 200, "move out")
        got = status(scorer.get(f"/api/v1/inspections/{rid}"), 200, "get").json
        assert h1002 not in [h["household_id"] for h in got["households"]], "moved out is listed"
        eq(status(score(scorer, rid, h1002, ok), 422, "moved out").error_code, "household_moved_out", "")

        # scoring twice
        status(score(scorer, rid, h1001, ok), 201, "first score")
        eq(status(score(admin, rid, h1001, [{"rule_id": mess["id"]}]), 409, "second score")
           .error_code, "already_scored", "")
        eq(s.sql("SELECT count(*) FROM entries")[0][0], n + 1, "one entry only")
        status(scorer.get("/api/v1/inspections/999999"), 404, "no such round")
        status(score(scorer, 999999, h1001, ok), 404, "score no such round")
    finally:
        s.close()


def test_scoring_is_idempotent_and_two_scorers_at_one_door_score_once():
    s = Server()
    try:
        v = s.village_id
        admin, scorer = s.login("admin"), s.login("scorer")
        yard, tidy, mess = checklist(admin, v)
        g1, _ = group_id(admin, v, "一组")
        rid = status(open_round(scorer, v, g1), 201, "open").json["id"]
        h1001, h1002 = household_id(admin, v, "1001"), household_id(admin, v, "1002")
        items = [{"rule_id": yard["id"]}, {"rule_id": mess["id"]}]
        key = {"Idempotency-Key": "door-1001"}
        first = status(score(scorer, rid, h1001, items, headers=key), 201, "first")
        again = status(score(scorer, rid, h1001, items, headers=key), 201, "retry")
        eq(again.json, first.json, "replayed")
        eq(again.header("Idempotent-Replayed"), "true", "replay header")
        eq(s.sql("SELECT count(*), count(DISTINCT batch_id) FROM entries WHERE inspection_id = ?",
                 rid), [(2, 1)], "one batch of two")

        # eight requests with different keys race for 1002: exactly one score
        results = in_parallel(8, lambda i: score(scorer if i % 2 else admin, rid, h1002, items,
                                                 headers={"Idempotency-Key": f"race-{i}"}))
        codes = sorted(r.status for r in results)
        eq(codes, [201] + [409] * 7, "one wins")
        eq({r.error_code for r in results if r.status == 409}, {"already_scored"}, "the rest")
        eq(s.sql("SELECT count(*) FROM entries WHERE inspection_id = ? AND household_id = ?",
                 rid, h1002), [(2,)], "two entries for 1002")
    finally:
        s.close()


def test_clerk_villager_and_other_village_are_refused():
    s = Server()
    try:
        v = s.village_id
        admin, scorer, clerk = s.login("admin"), s.login("scorer"), s.login("clerk")
        villager = s.login_villager("1001")
        yard, _, _ = checklist(admin, v)
        g1, _ = group_id(admin, v, "一组")
        h1001 = household_id(admin, v, "1001")
        county, v2, g2, h2 = second_village(s)
        status(county.post("/api/v1/users", {"username": "ertaizi_scorer", "display_name": "二台子评分员",
                                             "role": "scorer", "village_id": v2,
                                             "password": OTHER_PASSWORD}), 201, "other scorer")
        other = s.login("ertaizi_scorer", OTHER_PASSWORD)
        rid = status(open_round(scorer, v, g1), 201, "open").json["id"]
        for who, name in ((clerk, "clerk"), (villager, "villager"), (other, "other village")):
            eq(status(open_round(who, v, g1), 403, f"{name} opens").error_code, "forbidden", name)
            status(who.get(f"/api/v1/villages/{v}/inspections"), 403, f"{name} lists")
            status(who.get(f"/api/v1/inspections/{rid}"), 403, f"{name} reads")
            status(score(who, rid, h1001, [{"rule_id": yard["id"]}]), 403, f"{name} scores")
            status(who.post(f"/api/v1/inspections/{rid}/close"), 403, f"{name} closes")
        eq(s.sql("SELECT count(*) FROM inspections")[0][0], 1, "one round")
        eq(s.sql("SELECT count(*) FROM entries WHERE inspection_id IS NOT NULL")[0][0], 0, "no entries")
        eq(s.sql("SELECT status FROM inspections WHERE id = ?", rid), [("open",)], "still open")
        status(admin.get(f"/api/v1/inspections/{rid}"), 200, "the village admin reads")
        status(s.anon().get(f"/api/v1/inspections/{rid}"), 401, "no login")
    finally:
        s.close()


if __name__ == "__main__":
    run(globals())
