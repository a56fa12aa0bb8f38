"""The ledger (issue 3 items 2 and 8): recording points for one household, a list,
households with a member, or a whole group; points within a range or fixed;
quantities; dates; households of another village or moved out; monthly and
yearly caps (all or nothing); who may record; reversals (including two at once);
balances kept with the entries; and the passbook with its running balance."""
from harness import Server, run, eq, status
from ledger_fixtures import (balance, day, entry_count, household_id, households, in_parallel,
                             make_rule, passbook, record, second_village, two_months)


def sum_points(server, hid):
    return server.sql("SELECT COALESCE(sum(points), 0) FROM entries WHERE household_id = ?", hid)[0][0]


def stored_balance(server, hid):
    rows = server.sql("SELECT confirmed, pending FROM balances WHERE household_id = ?", hid)
    return rows[0] if rows else (0, 0)


def test_record_one_household():
    s = Server()
    try:
        admin, scorer = s.login("admin"), s.login("scorer")
        rule = make_rule(admin, s.village_id, category="好人好事", name="拾金不昧（测试）", points=5)
        hid = household_id(admin, s.village_id, "1007")
        b0 = balance(admin, hid)
        n0 = entry_count(s)
        r = status(record(scorer, s.village_id, rule["id"], [hid], date=day(-3),
                          note="拾到钱包交还失主"), 201, "record")
        eq((r.json["count"], r.json["total_points"]), (1, 5), "one entry of 5")
        e = r.json["entries"][0]
        eq((e["household_id"], e["passbook_no"], e["kind"], e["points"], e["quantity"],
            e["deed_date"], e["note"], e["rule_id"], e["rule_name"], e["rule_version"],
            e["bucket"], e["reverses_id"], e["reversed_by"]),
           (hid, "1007", "award", 5, 1, day(-3), "拾到钱包交还失主", rule["id"], "拾金不昧（测试）", 1,
            "pending", None, None), "entry")
        eq(e["recorded_by"], scorer.user["id"], "recorded by the scorer")
        eq(e["recorded_by_name"], scorer.user["display_name"], "recorder's name")
        eq(len(e["hash"]), 64, "hash")
        eq(entry_count(s), n0 + 1, "one row")
        b1 = balance(admin, hid)
        eq((b1["pending"] - b0["pending"], b1["confirmed"], b1["total"]),
           (5, b0["confirmed"], b0["total"] + 5), "balance")
        eq(status(admin.get(f"/api/v1/entries/{e['id']}"), 200, "get").json["points"], 5, "get")
    finally:
        s.close()


def test_record_many_members_and_groups():
    s = Server()
    try:
        admin, scorer = s.login("admin"), s.login("scorer")
        rule = make_rule(admin, s.village_id, category="村屯绿化", name="植树（测试）", points=2,
                         unit="hour")
        ids = [household_id(admin, s.village_id, p) for p in ("1001", "1002", "1003")]
        r = status(record(scorer, s.village_id, rule["id"], ids, quantity=3), 201, "three")
        eq(r.json["count"], 3, "count")
        eq(sorted(x["household_id"] for x in r.json["entries"]), sorted(ids), "households")
        eq({x["points"] for x in r.json["entries"]}, {6}, "3 hours × 2")
        eq(r.json["total_points"], 18, "total")
        eq(len({x["batch_id"] for x in r.json["entries"]}), 1, "one batch")
        # households with a member
        h1 = status(admin.get(f"/api/v1/households/{ids[0]}"), 200, "h1").json
        member = h1["members"][0]
        r = status(scorer.post(f"/api/v1/villages/{s.village_id}/entries", {
            "rule_id": rule["id"], "deed_date": day(), "households": [
                {"household_id": ids[0], "member_id": member["id"]}, {"household_id": ids[1]}]}),
            201, "with member")
        got = {x["household_id"]: (x["member_id"], x["member_name"]) for x in r.json["entries"]}
        eq(got, {ids[0]: (member["id"], member["name"]), ids[1]: (None, None)}, "members")
        # a member of another household is refused, and nothing is written
        n0 = entry_count(s)
        r = scorer.post(f"/api/v1/villages/{s.village_id}/entries", {
            "rule_id": rule["id"], "deed_date": day(), "households": [
                {"household_id": ids[2]}, {"household_id": ids[1], "member_id": member["id"]}]})
        status(r, 422, "member of another household")
        eq(r.error_code, "invalid_member", "code")
        eq(entry_count(s), n0, "nothing written")
        # a whole group: every active household of 二组, counted through the API
        groups = status(admin.get(f"/api/v1/villages/{s.village_id}/groups"), 200, "groups").json["items"]
        g2 = [g for g in groups if g["name"] == "二组"][0]
        members_of_g2 = households(admin, s.village_id, group_id=g2["id"])
        moved = members_of_g2[0]["id"]
        status(admin.patch(f"/api/v1/households/{moved}", {"status": "moved_out"}), 200, "move out")
        active = [h["id"] for h in households(admin, s.village_id, group_id=g2["id"], status="active")]
        eq(len(active), len(members_of_g2) - 1, "one fewer active")
        r = status(record(scorer, s.village_id, rule["id"], group_id=g2["id"]), 201, "group")
        eq(r.json["count"], len(active), "one entry per active household of the group")
        eq(sorted(x["household_id"] for x in r.json["entries"]), sorted(active), "who")
        # a moved-out household named explicitly is refused
        r = record(scorer, s.village_id, rule["id"], [ids[0], moved])
        status(r, 422, "moved out")
        eq(r.error_code, "household_moved_out", "code")
        assert "已迁出" in r.json["error"]["message"], r
        # bad target lists
        n0 = entry_count(s)
        for body, code in [
            ({"group_id": g2["id"], "household_ids": [ids[0]]}, "targets_conflict"),
            ({"household_ids": [ids[0], ids[0]]}, "duplicate_household"),
            ({"household_ids": []}, "no_households"),
            ({}, "no_households"),
            ({"household_ids": ["1001"]}, "invalid_households"),
            ({"household_ids": [ids[0]], "households": [{"household_id": ids[1]}]},
             "targets_conflict"),
            ({"households": [{"household_id": ids[0], "colour": 1}]}, "invalid_households"),
            ({"group_id": 999}, "invalid_group"),
            ({"household_ids": list(range(1, 502))}, "too_many_households"),
            ({"household_ids": [999999]}, "invalid_household"),
        ]:
            r = scorer.post(f"/api/v1/villages/{s.village_id}/entries",
                            dict({"rule_id": rule["id"], "deed_date": day()}, **body))
            status(r, 422, f"targets {body}")
            eq(r.error_code, code, f"code for {body}")
        eq(entry_count(s), n0, "nothing written by bad target lists")
    finally:
        s.close()


def test_points_range_fixed_and_quantity():
    s = Server()
    try:
        admin, scorer = s.login("admin"), s.login("scorer")
        ranged = make_rule(admin, s.village_id, category="好人好事", name="见义勇为（测试）",
                           points=10, min_points=5, max_points=20)
        fixed = make_rule(admin, s.village_id, category="宣讲学习", name="参加农技培训", points=2)
        hid = household_id(admin, s.village_id, "2001")
        n0 = entry_count(s)
        for extra, code in [({}, "points_required"), ({"points": 21}, "points_out_of_range"),
                            ({"points": 4}, "points_out_of_range"),
                            ({"points": -10}, "points_out_of_range")]:
            r = record(scorer, s.village_id, ranged["id"], [hid], **extra)
            status(r, 422, f"range {extra}")
            eq(r.error_code, code, f"code {extra}")
            if code == "points_out_of_range":
                assert "5" in r.json["error"]["message"] and "20" in r.json["error"]["message"], r
        r = record(scorer, s.village_id, fixed["id"], [hid], points=3)
        status(r, 422, "fixed rule with other points")
        eq(r.error_code, "points_fixed", "code")
        for q, code in [(0, "invalid_quantity"), (-1, "invalid_quantity"), (101, "invalid_quantity")]:
            r = record(scorer, s.village_id, fixed["id"], [hid], quantity=q)
            status(r, 422, f"quantity {q}")
            eq(r.error_code, code, f"quantity {q}")
        eq(entry_count(s), n0, "nothing written by refused records")
        e = status(record(scorer, s.village_id, ranged["id"], [hid], points=15), 201,
                   "15 within range").json["entries"][0]
        eq(e["points"], 15, "chosen points")
        e = status(record(scorer, s.village_id, ranged["id"], [hid], points=20, quantity=2), 201,
                   "range × quantity").json["entries"][0]
        eq((e["points"], e["quantity"]), (40, 2), "20 × 2")
        e = status(record(scorer, s.village_id, fixed["id"], [hid], points=2), 201,
                   "fixed with its own points").json["entries"][0]
        eq(e["points"], 2, "fixed")
        e = status(record(scorer, s.village_id, fixed["id"], [hid], quantity=4), 201,
                   "fixed × 4").json["entries"][0]
        eq((e["points"], e["quantity"]), (8, 4), "2 × 4")
        ded = make_rule(admin, s.village_id, category="环境卫生", name="乱堆乱放（测试）", points=-3)
        e = status(record(scorer, s.village_id, ded["id"], [hid], quantity=2), 201,
                   "deduction").json["entries"][0]
        eq((e["kind"], e["points"]), ("deduction", -6), "deduction × 2")
    finally:
        s.close()


def test_deed_dates():
    s = Server()
    try:
        admin, scorer = s.login("admin"), s.login("scorer")
        rule = make_rule(admin, s.village_id, name="参加义务劳动")
        n0 = entry_count(s)
        for date, code in [(day(1), "future_date"), (day(30), "future_date"),
                           ("1999-12-31", "invalid_date"), ("2024-02-30", "invalid_date"),
                           ("2024-5-1", "invalid_date"), ("昨天", "invalid_date")]:
            r = record(scorer, s.village_id, rule["id"], [1], date=date)
            status(r, 422, f"date {date}")
            eq(r.error_code, code, f"code for {date}")
        eq(entry_count(s), n0, "nothing written")
        status(record(scorer, s.village_id, rule["id"], [1], date=day()), 201, "today")
        status(record(scorer, s.village_id, rule["id"], [1], date="2000-01-01"), 201, "2000-01-01")
    finally:
        s.close()


def test_household_of_another_village_writes_nothing():
    s = Server()
    try:
        county, v2, g2, h2 = second_village(s)
        admin, scorer = s.login("admin"), s.login("scorer")
        rule = make_rule(admin, s.village_id, name="门前三包（测试）")
        n0 = entry_count(s)
        chain0 = s.anon().get(f"/api/v1/villages/{s.village_id}/chain").json
        b0 = balance(admin, 1)
        r = record(scorer, s.village_id, rule["id"], [1, h2])
        status(r, 422, "household of village 2")
        eq(r.error_code, "invalid_household", "code")
        eq(entry_count(s), n0, "no entries")
        eq(balance(admin, 1), b0, "balance of the good household unchanged")
        eq(s.anon().get(f"/api/v1/villages/{s.village_id}/chain").json, chain0, "chain unchanged")
        eq(s.sql("SELECT count(*) FROM batches WHERE id NOT IN (SELECT batch_id FROM entries)")[0][0],
           0, "no empty batch left behind")
        r = record(scorer, s.village_id, rule["id"], group_id=g2)
        status(r, 422, "a group of village 2")
        eq(r.error_code, "invalid_group", "code")
        eq(entry_count(s), n0, "no entries")
        # and the scorer of village 1 cannot record in village 2 at all
        status(record(scorer, v2, rule["id"], [h2]), 403, "scorer in village 2")
        eq(entry_count(s), n0, "still nothing")
    finally:
        s.close()


def test_caps_per_month_and_year_say_what_is_left():
    s = Server()
    try:
        admin, scorer = s.login("admin"), s.login("scorer")
        rule = make_rule(admin, s.village_id, category="志愿服务", name="志愿服务（测试）", points=4,
                         min_points=1, max_points=6, cap_month=10, cap_year=15)
        hid = household_id(admin, s.village_id, "3005")
        a, b = two_months()
        status(record(scorer, s.village_id, rule["id"], [hid], date=a, points=4), 201, "4")
        status(record(scorer, s.village_id, rule["id"], [hid], date=a, points=4), 201, "8")
        r = record(scorer, s.village_id, rule["id"], [hid], date=a, points=4)
        status(r, 422, "12 > 10 this month")
        eq(r.error_code, "cap_exceeded", "code")
        msg = r.json["error"]["message"]
        assert "还可记 2 分" in msg and "本月" in msg and "10" in msg, msg
        assert "2 left" in r.json["error"]["message_en"], r
        status(record(scorer, s.village_id, rule["id"], [hid], date=a, points=2), 201, "exactly 10")
        r = record(scorer, s.village_id, rule["id"], [hid], date=a, points=1)
        assert "还可记 0 分" in r.json["error"]["message"], r
        status(record(scorer, s.village_id, rule["id"], [hid], date=b, points=5), 201, "year 15")
        r = record(scorer, s.village_id, rule["id"], [hid], date=b, points=1)
        status(r, 422, "16 > 15 this year")
        msg = r.json["error"]["message"]
        assert "本年" in msg and "还可记 0 分" in msg and "15" in msg, msg
        # the cap is per household: another household is free
        other = household_id(admin, s.village_id, "3006")
        status(record(scorer, s.village_id, rule["id"], [other], date=a, points=6), 201, "other")
        # quantities count against the cap
        r = record(scorer, s.village_id, rule["id"], [other], date=a, points=3, quantity=2)
        status(r, 422, "6 + 3×2 > 10")
        assert "还可记 4 分" in r.json["error"]["message"], r
        # deductions have caps too, by size
        ded = make_rule(admin, s.village_id, category="环境卫生", name="乱扔垃圾（测试）",
                        points=-3, cap_month=6)
        status(record(scorer, s.village_id, ded["id"], [hid], date=a), 201, "-3")
        status(record(scorer, s.village_id, ded["id"], [hid], date=a), 201, "-6")
        r = record(scorer, s.village_id, ded["id"], [hid], date=a)
        status(r, 422, "-9 beyond 6")
        assert "还可记 0 分" in r.json["error"]["message"], r
        eq(sum_points(s, hid), sum(stored_balance(s, hid)), "balance = entries")
    finally:
        s.close()


def test_cap_in_a_batch_is_all_or_nothing():
    s = Server()
    try:
        admin, scorer = s.login("admin"), s.login("scorer")
        rule = make_rule(admin, s.village_id, category="庭院卫生", name="庭院整洁（测试）", points=5,
                         cap_month=5)
        ids = [household_id(admin, s.village_id, p) for p in ("4001", "4002", "4003")]
        status(record(scorer, s.village_id, rule["id"], [ids[1]]), 201, "4002 reaches its cap")
        n0 = entry_count(s)
        before = [balance(admin, h) for h in ids]
        r = record(scorer, s.village_id, rule["id"], ids)
        status(r, 422, "batch with one household at its cap")
        eq(r.error_code, "cap_exceeded", "code")
        h = status(admin.get(f"/api/v1/households/{ids[1]}"), 200, "h").json
        assert h["head_name"] in r.json["error"]["message"] and "4002" in r.json["error"]["message"], \
            f"the message names the household: {r}"
        eq(entry_count(s), n0, "nothing written")
        eq([balance(admin, h) for h in ids], before, "no balance moved")
        # the same batch twice in one request cannot exceed the cap either
        r = scorer.post(f"/api/v1/villages/{s.village_id}/entries", {
            "rule_id": rule["id"], "deed_date": day(), "households": [
                {"household_id": ids[0]}, {"household_id": ids[0], "member_id": None}]})
        status(r, 422, "same household twice")
        eq(entry_count(s), n0, "still nothing")
        status(record(scorer, s.village_id, rule["id"], [ids[0], ids[2]]), 201, "without 4002")
    finally:
        s.close()


def test_who_may_record():
    s = Server()
    try:
        admin, scorer = s.login("admin"), s.login("scorer")
        rule = make_rule(admin, s.village_id, name="参加宣讲（测试）")
        n0 = entry_count(s)
        r = record(s.login("clerk"), s.village_id, rule["id"], [1])
        status(r, 403, "clerk")
        status(record(s.login_villager("1001"), s.village_id, rule["id"], [1]), 403, "villager")
        status(record(s.anon(), s.village_id, rule["id"], [1]), 401, "anonymous")
        admin_only = make_rule(admin, s.village_id, name="移风易俗表彰", points=10,
                               recorders=["village_admin"])
        r = record(scorer, s.village_id, admin_only["id"], [1])
        status(r, 403, "scorer on an admin-only rule")
        assert "移风易俗表彰" in r.json["error"]["message"], r
        eq(entry_count(s), n0, "nothing written")
        status(record(admin, s.village_id, admin_only["id"], [1]), 201, "admin")
        scorer_only = make_rule(admin, s.village_id, name="入户检查（测试）", recorders=["scorer"])
        status(record(admin, s.village_id, scorer_only["id"], [1]), 403, "admin on scorer-only")
        status(record(scorer, s.village_id, scorer_only["id"], [1]), 201, "scorer")
    finally:
        s.close()


def test_balances_follow_awards_deductions_and_reversals():
    s = Server()
    try:
        admin, scorer = s.login("admin"), s.login("scorer")
        award = make_rule(admin, s.village_id, category="尊老爱幼", name="孝敬老人（测试）", points=7)
        ded = make_rule(admin, s.village_id, category="环境卫生", name="焚烧秸秆（测试）", points=-10)
        hid = household_id(admin, s.village_id, "5003")
        b0 = balance(admin, hid)
        mine = []
        for rule, q in ((award, 1), (award, 3), (ded, 1), (award, 2)):
            mine.append(status(record(scorer, s.village_id, rule["id"], [hid], quantity=q), 201,
                               "record").json["entries"][0])
        rev = status(scorer.post(f"/api/v1/entries/{mine[1]['id']}/reversal",
                                 {"reason": "记错了户"}), 201, "reverse").json["entries"][0]
        rev2 = status(admin.post(f"/api/v1/entries/{mine[2]['id']}/reversal",
                                 {"reason": "经核实未焚烧"}), 201, "reverse deduction").json["entries"][0]
        delta = sum(e["points"] for e in mine) + rev["points"] + rev2["points"]
        eq(delta, 7 + 21 - 10 + 14 - 21 + 10, "the points of this test")
        b1 = balance(admin, hid)
        eq(b1["pending"] - b0["pending"], delta, "pending moved by the sum of the points")
        eq(b1["confirmed"], b0["confirmed"], "confirmed untouched")
        eq(b1["total"], b1["confirmed"] + b1["pending"], "total")
        _, items = passbook(admin, hid)
        eq(b1["total"], sum(i["points"] for i in items), "balance = sum of the passbook's entries")
        eq(tuple(stored_balance(s, hid)), (b1["confirmed"], b1["pending"]), "balances table")
        eq(sum_points(s, hid), b1["total"], "SELECT sum(points)")
        eq(s.sql("SELECT entry_count FROM balances WHERE household_id = ?", hid)[0][0], len(items),
           "entry_count")
    finally:
        s.close()


def test_reversal_rules():
    s = Server()
    try:
        admin, scorer = s.login("admin"), s.login("scorer")
        rule = make_rule(admin, s.village_id, category="防火巡逻", name="防火巡逻（测试）", points=3,
                         unit="day")
        hid = household_id(admin, s.village_id, "1010")
        orig = status(record(scorer, s.village_id, rule["id"], [hid], quantity=2), 201,
                      "record").json["entries"][0]
        n0 = entry_count(s)
        for body, code in [({}, "missing_field"), ({"reason": ""}, None), ({"reason": None}, None),
                           ({"reason": "x" * 201}, None)]:
            r = scorer.post(f"/api/v1/entries/{orig['id']}/reversal", body)
            status(r, 422, f"reason {body}")
            if code:
                eq(r.error_code, code, "code")
        status(scorer.post(f"/api/v1/entries/{orig['id']}/reversal", raw=b""), 400, "empty body")
        status(s.login("clerk").post(f"/api/v1/entries/{orig['id']}/reversal", {"reason": "x"}), 403,
               "clerk")
        status(s.login_villager("1001").post(f"/api/v1/entries/{orig['id']}/reversal",
                                             {"reason": "x"}), 403, "villager")
        status(scorer.post("/api/v1/entries/99999999/reversal", {"reason": "x"}), 404, "no entry")
        eq(entry_count(s), n0, "nothing written")
        b0 = balance(admin, hid)
        r = status(scorer.post(f"/api/v1/entries/{orig['id']}/reversal",
                               {"reason": "巡逻日期记错，实为一天"}), 201, "reverse")
        eq(r.json["count"], 1, "one reversal entry")
        rev = r.json["entries"][0]
        eq((rev["kind"], rev["points"], rev["reverses_id"], rev["household_id"], rev["note"],
            rev["rule_id"], rev["deed_date"], rev["quantity"]),
           ("reversal", -6, orig["id"], hid, "巡逻日期记错，实为一天", rule["id"], orig["deed_date"], 2),
           "the reversal entry")
        eq(status(admin.get(f"/api/v1/entries/{orig['id']}"), 200, "orig").json["reversed_by"],
           rev["id"], "the original names its reversal")
        eq(balance(admin, hid)["total"], b0["total"] - 6, "balance")
        r = scorer.post(f"/api/v1/entries/{orig['id']}/reversal", {"reason": "再冲一次"})
        status(r, 409, "second reversal")
        eq(r.error_code, "already_reversed", "code")
        r = admin.post(f"/api/v1/entries/{rev['id']}/reversal", {"reason": "冲销冲销"})
        status(r, 409, "reversal of a reversal")
        eq(r.error_code, "reversal_of_reversal", "code")
        eq(entry_count(s), n0 + 1, "only the one reversal")
        # staff of another village cannot reverse
        county, v2, _, _ = second_village(s)
        status(county.post("/api/v1/users", {"username": "v2scorer", "display_name": "外村评分员",
                                             "role": "scorer", "village_id": v2,
                                             "password": "Waicun-Scorer-2024"}), 201, "user")
        other = s.login("v2scorer", "Waicun-Scorer-2024")
        e2 = status(record(scorer, s.village_id, rule["id"], [hid]), 201, "another").json["entries"][0]
        status(other.post(f"/api/v1/entries/{e2['id']}/reversal", {"reason": "x"}), 403,
               "scorer of village 2")
    finally:
        s.close()


def test_concurrent_reversals_of_one_entry():
    s = Server()
    try:
        admin, scorer = s.login("admin"), s.login("scorer")
        rule = make_rule(admin, s.village_id, name="参加文体活动（测试）", points=2)
        hid = household_id(admin, s.village_id, "2010")
        entries = status(record(scorer, s.village_id, rule["id"], [hid], quantity=1), 201,
                         "record").json["entries"]
        entries += status(record(admin, s.village_id, rule["id"], list(range(20, 32))), 201,
                          "batch").json["entries"]
        clients = [scorer, admin]
        n0 = entry_count(s)
        for e in entries:
            res = in_parallel(2, lambda i: clients[i].post(f"/api/v1/entries/{e['id']}/reversal",
                                                           {"reason": f"并发冲销{i}"}))
            codes = sorted(r.status for r in res)
            eq(codes, [201, 409], f"two reversals of entry {e['id']}: {res}")
        # and eight at once
        e = status(record(scorer, s.village_id, rule["id"], [hid]), 201, "one more").json["entries"][0]
        res = in_parallel(8, lambda i: clients[i % 2].post(f"/api/v1/entries/{e['id']}/reversal",
                                                           {"reason": "八个一起"}))
        eq(sorted(r.status for r in res), [201] + [409] * 7, f"eight reversals: {res}")
        assert all(r.error_code == "already_reversed" for r in res if r.status == 409), res
        eq(entry_count(s), n0 + len(entries) + 2, "exactly one reversal per entry")
        eq(s.sql("SELECT count(*) FROM entries WHERE reverses_id = ?", e["id"])[0][0], 1, "one")
        eq(sum_points(s, hid), sum(stored_balance(s, hid)), "balance = entries")
        assert not s.log_lines("failed "), "no server errors"
    finally:
        s.close()


def test_reversal_frees_cap_room():
    s = Server()
    try:
        admin, scorer = s.login("admin"), s.login("scorer")
        rule = make_rule(admin, s.village_id, category="环境卫生", name="门前清扫（测试）", points=5,
                         cap_month=5)
        hid = household_id(admin, s.village_id, "3010")
        e = status(record(scorer, s.village_id, rule["id"], [hid]), 201, "to the cap").json["entries"][0]
        r = record(scorer, s.village_id, rule["id"], [hid])
        status(r, 422, "capped")
        assert "还可记 0 分" in r.json["error"]["message"], r
        status(scorer.post(f"/api/v1/entries/{e['id']}/reversal", {"reason": "记重了"}), 201, "reverse")
        status(record(scorer, s.village_id, rule["id"], [hid]), 201, "room again")
        status(record(scorer, s.village_id, rule["id"], [hid]), 422, "capped again")
    finally:
        s.close()


def test_concurrent_records_race_for_one_cap():
    s = Server()
    try:
        admin, scorer = s.login("admin"), s.login("scorer")
        clients = [scorer, s.login("scorer"), admin]
        rule = make_rule(admin, s.village_id, category="环境卫生", name="庭院评比（测试）", points=5,
                         cap_month=10)
        hid = household_id(admin, s.village_id, "5010")
        n0 = entry_count(s)
        res = in_parallel(12, lambda i: record(clients[i % 3], s.village_id, rule["id"], [hid]))
        eq(sorted((r.status, r.error_code) for r in res),
           [(201, None)] * 2 + [(422, "cap_exceeded")] * 10, f"twelve at once: {res}")
        eq(entry_count(s), n0 + 2, "two entries: the cap held")
        eq(sum_points(s, hid), sum(stored_balance(s, hid)), "balance = entries")
    finally:
        s.close()


def test_passbook_order_running_balance_and_paging():
    s = Server()
    try:
        admin, scorer = s.login("admin"), s.login("scorer")
        rule = make_rule(admin, s.village_id, category="志愿服务", name="清扫村道（测试）", points=3)
        ded = make_rule(admin, s.village_id, category="环境卫生", name="占道堆放（测试）", points=-2)
        hid = household_id(admin, s.village_id, "1001")
        for i in range(7):
            status(record(scorer, s.village_id, (ded if i % 3 == 2 else rule)["id"], [hid],
                          date=day(-i), quantity=1 + i % 2), 201, "record")
        e = s.sql("SELECT id FROM entries WHERE household_id = ? ORDER BY id DESC LIMIT 1", hid)[0][0]
        status(scorer.post(f"/api/v1/entries/{e}/reversal", {"reason": "写错"}), 201, "reverse")
        bal, items = passbook(admin, hid)
        assert len(items) >= 8, "the test entries are in the passbook"
        ids = [i["id"] for i in items]
        eq(ids, sorted(ids, reverse=True), "newest first")
        eq(len(ids), len(set(ids)), "no repeats")
        running = 0
        for it in reversed(items):
            running += it["points"]
            eq(it["running_balance"], running, f"running balance at entry {it['id']}")
        eq(bal["total"], running, "the newest running balance is the balance")
        eq(bal["total"], bal["confirmed"] + bal["pending"], "total")
        # paging: 5 per page gives the same rows as one big page
        paged = []
        page = 1
        while True:
            r = status(admin.get(f"/api/v1/households/{hid}/passbook?per_page=5&page={page}"), 200,
                       f"page {page}").json
            eq((r["page"], r["per_page"], r["total"]), (page, 5, len(items)), "paging fields")
            if not r["items"]:
                break
            assert len(r["items"]) <= 5, "at most 5 a page"
            paged += r["items"]
            page += 1
        eq([(i["id"], i["running_balance"]) for i in paged],
           [(i["id"], i["running_balance"]) for i in items], "pages = one big page")
        eq(page - 1, (len(items) + 4) // 5, "number of pages")
        status(admin.get(f"/api/v1/households/{hid}/passbook?per_page=201"), 400, "per_page limit")
        status(admin.get(f"/api/v1/households/{hid}/passbook?page=0"), 400, "page 0")
    finally:
        s.close()


def test_passbook_who_may_see_it():
    s = Server()
    try:
        admin = s.login("admin")
        own = household_id(admin, s.village_id, "1001")
        other = household_id(admin, s.village_id, "1002")
        villager = s.login_villager("1001")
        r = status(villager.get(f"/api/v1/households/{own}/passbook"), 200, "own passbook")
        eq(r.json["household"]["passbook_no"], "1001", "own")
        r = villager.get(f"/api/v1/households/{other}/passbook")
        status(r, 403, "another household's passbook")
        assert "王" not in r.text, "nothing of the other household leaks"
        e_other = s.sql("SELECT id FROM entries WHERE household_id = ? LIMIT 1", other)
        if e_other:
            status(villager.get(f"/api/v1/entries/{e_other[0][0]}"), 403, "another household's entry")
        status(s.anon().get(f"/api/v1/households/{own}/passbook"), 401, "anonymous")
        for role in ("scorer", "clerk"):
            status(s.login(role).get(f"/api/v1/households/{other}/passbook"), 200, f"{role} sees")
        county, v2, _, h2 = second_village(s)
        status(county.post("/api/v1/users", {"username": "v2admin", "display_name": "外村书记",
                                             "role": "village_admin", "village_id": v2,
                                             "password": "Waicun-Admin-2024"}), 201, "user")
        stranger = s.login("v2admin", "Waicun-Admin-2024")
        status(stranger.get(f"/api/v1/households/{own}/passbook"), 403, "staff of another village")
        status(stranger.get(f"/api/v1/households/{h2}/passbook"), 200, "own village")
        status(admin.get(f"/api/v1/households/{h2}/passbook"), 403, "admin of village 1 on village 2")
        status(county.get(f"/api/v1/households/{own}/passbook"), 200, "county sees its area")
        status(admin.get("/api/v1/households/999999/passbook"), 404, "no such household")
    finally:
        s.close()


if __name__ == "__main__":
    run(globals())
