"""Villagers' claims (issue 3 item 6): a villager claims a claimable rule with a
date, a description and up to six photos; a scorer or the village admin approves
it (choosing the points within the rule's range), which posts the entry, or
rejects it with a reason the villager reads. Nobody reviews a claim of their own
household or one they filed; above the village's threshold (20 points) a second,
different reviewer must approve; two reviewers approving at once make exactly one
entry; every bad input gets a clear error and changes nothing."""
from harness import Server, run, eq, status
from ledger_fixtures import (balance, day, household_id, in_parallel, make_rule, second_village,
                             two_months)
from photo_fixtures import staff, upload_ok, villager


def claim(client, village_id, rule_id, description="帮邻居王大娘挑水劈柴", date=None, **fields):
    body = {"rule_id": rule_id, "deed_date": date or day(-1), "description": description}
    body.update(fields)
    return client.post(f"/api/v1/villages/{village_id}/claims", body)


def claim_ok(client, village_id, rule_id, **fields):
    return status(claim(client, village_id, rule_id, **fields), 201, "file a claim").json


def counts(server):
    return (server.sql("SELECT count(*) FROM claims")[0][0],
            server.sql("SELECT count(*) FROM entries")[0][0])


def claim_entries(server, claim_id):
    return server.sql("SELECT points, recorded_by, approved_by, kind, evidence, note FROM entries"
                      " WHERE claim_id = ?", claim_id)


def test_file_approve_and_see_it_in_the_passbook():
    s = Server()
    try:
        admin, scorer = s.login("admin"), s.login("scorer")
        me = villager(s, admin, "1001")
        hid = household_id(admin, s.village_id, "1001")
        rule = make_rule(admin, s.village_id, category="好人好事", name="帮扶孤寡老人", points=5,
                         min_points=3, max_points=10, claimable=True, evidence_required=True)
        photos = [upload_ok(me, s.village_id) for _ in range(2)]
        b0 = balance(me, hid)
        c = claim_ok(me, s.village_id, rule["id"], description="给五保户李大爷送米送面、打扫院子",
                     photos=photos, quantity=1)
        eq((c["status"], c["household_id"], c["passbook_no"], c["rule_name"], c["photos"],
            c["created_by"], c["entry_id"], c["points"], c["can_review"]),
           ("pending", hid, "1001", "帮扶孤寡老人", photos, me.user["id"], None, None, False), "filed")
        eq(s.sql("SELECT count(*) FROM audit_log WHERE entity = 'claim' AND entity_id = ?"
                 " AND action = 'create'", c["id"])[0][0], 1, "audited")
        # the review queue shows it to the scorer, who may review it
        q = status(scorer.get(f"/api/v1/villages/{s.village_id}/claims"), 200, "queue").json
        mine = [x for x in q["items"] if x["id"] == c["id"]]
        eq(len(mine), 1, "in the queue")
        eq(mine[0]["can_review"], True, "the scorer may review it")
        status(me.get(f"/api/v1/villages/{s.village_id}/claims"), 403, "villagers have no queue")
        # approval needs points within the range
        for pts, code, err in [(None, 422, "points_required"), (2, 422, "points_out_of_range"),
                               (11, 422, "points_out_of_range")]:
            r = scorer.post(f"/api/v1/claims/{c['id']}/approve", {} if pts is None else {"points": pts})
            status(r, code, f"points {pts}")
            eq(r.error_code, err, f"points {pts}")
        eq(claim_entries(s, c["id"]), [], "no entry yet")
        r = status(scorer.post(f"/api/v1/claims/{c['id']}/approve", {"points": 8}), 200, "approve")
        eq((r.json["status"], r.json["first_reviewer"], r.json["first_points"], r.json["points"]),
           ("approved", scorer.user["id"], 8, 8), "approved")
        rows = claim_entries(s, c["id"])
        eq(len(rows), 1, "one entry")
        points, rec, appr, kind, evidence, note = rows[0]
        eq((points, rec, appr, kind, note), (8, scorer.user["id"], scorer.user["id"], "award",
                                             "给五保户李大爷送米送面、打扫院子"), "the entry")
        eq(sorted(evidence.strip("[]").replace('"', "").split(",")), sorted(photos), "evidence = photos")
        e = status(me.get(f"/api/v1/entries/{r.json['entry_id']}"), 200, "villager reads the entry").json
        eq((e["claim_id"], e["approved_by_name"]), (c["id"], scorer.user["display_name"]), "entry links")
        eq(balance(me, hid)["total"], b0["total"] + 8, "passbook total")
        # it is decided: no second decision
        r = status(s.login("admin").post(f"/api/v1/claims/{c['id']}/approve", {"points": 5}), 409, "again")
        eq(r.error_code, "claim_decided", "code")
        status(scorer.post(f"/api/v1/claims/{c['id']}/reject", {"reason": "重复"}), 409, "reject after")
        eq(len(claim_entries(s, c["id"])), 1, "still one entry")
        # fixed rules: the points may be left out, or given equal to the rule's
        fixed = make_rule(admin, s.village_id, name="参加宣讲学习", category="宣讲学习", points=2,
                          claimable=True, unit="hour")
        c2 = claim_ok(me, s.village_id, fixed["id"], quantity=3, description="参加党史宣讲 3 小时")
        r = scorer.post(f"/api/v1/claims/{c2['id']}/approve", {"points": 3})
        eq((r.status, r.error_code), (422, "points_fixed"), "fixed points cannot change")
        r = status(scorer.post(f"/api/v1/claims/{c2['id']}/approve"), 200, "no body")
        eq(r.json["points"], 6, "3 hours × 2")
        # a claim for one member of the household: the entry names the member
        member = status(me.get(f"/api/v1/households/{hid}"), 200, "own household").json["members"][0]
        c3 = claim_ok(me, s.village_id, fixed["id"], member_id=member["id"], description="儿子参加学习")
        eq((c3["member_id"], c3["member_name"]), (member["id"], member["name"]), "member on the claim")
        r = status(scorer.post(f"/api/v1/claims/{c3['id']}/approve"), 200, "member claim")
        e = status(me.get(f"/api/v1/entries/{r.json['entry_id']}"), 200, "entry").json
        eq((e["member_id"], e["points"]), (member["id"], 2), "the entry names the member")
        # the villager's own list, newest first; and a single claim
        mine = status(me.get(f"/api/v1/households/{hid}/claims"), 200, "own list").json
        eq([x["id"] for x in mine["items"]][:3], [c3["id"], c2["id"], c["id"]], "newest first")
        status(me.get(f"/api/v1/claims/{c['id']}"), 200, "own claim")
    finally:
        s.close()


def test_each_bad_claim_is_refused_and_changes_nothing():
    s = Server()
    try:
        admin, clerk = s.login("admin"), s.login("clerk")
        me = villager(s, admin, "1001")
        vid = s.village_id
        ok = make_rule(admin, vid, category="好人好事", name="拾金不昧（申请）", points=5, claimable=True)
        not_claimable = make_rule(admin, vid, category="防火巡逻", name="防火巡逻（评分小组记）", points=3)
        retired = make_rule(admin, vid, category="志愿服务", name="旧志愿服务", points=2, claimable=True)
        status(admin.post(f"/api/v1/rules/{retired['id']}/retire"), 200, "retire")
        photo_rule = make_rule(admin, vid, category="村屯绿化", name="门前植树（需照片）", points=2,
                               claimable=True, evidence_required=True)
        county, v2, _, h2 = second_village(s)
        other_rule = make_rule(county, v2, name="外村细则", points=2, claimable=True)
        foreign_photo = upload_ok(county, v2)
        photos7 = [upload_ok(me, vid) for _ in range(7)]
        other_hid = household_id(admin, vid, "1002")
        before = counts(s)
        cases = [
            (me, {"rule_id": not_claimable["id"]}, 422, "rule_not_claimable"),
            (me, {"rule_id": retired["id"]}, 422, "rule_retired"),
            (me, {"rule_id": other_rule["id"]}, 422, "invalid_rule"),
            (me, {"rule_id": 999999}, 422, "invalid_rule"),
            (me, {"rule_id": ok["id"], "deed_date": day(1)}, 422, "future_date"),
            (me, {"rule_id": ok["id"], "deed_date": "2024-02-30"}, 422, "invalid_date"),
            (me, {"rule_id": ok["id"], "deed_date": "昨天"}, 422, "invalid_date"),
            (me, {"rule_id": photo_rule["id"]}, 422, "evidence_required"),
            (me, {"rule_id": ok["id"], "photos": photos7}, 422, "too_many_photos"),
            (me, {"rule_id": ok["id"], "photos": ["ab" * 32]}, 422, "invalid_photo"),
            (me, {"rule_id": ok["id"], "photos": [foreign_photo]}, 422, "invalid_photo"),
            (me, {"rule_id": ok["id"], "photos": ["../../etc/passwd"]}, 422, "invalid_photo"),
            (me, {"rule_id": ok["id"], "photos": [photos7[0], photos7[0]]}, 422, "duplicate_photo"),
            (me, {"rule_id": ok["id"], "photos": [42]}, 422, "invalid_photo"),
            (me, {"rule_id": ok["id"], "description": ""}, 422, "too_short"),
            (me, {"rule_id": ok["id"], "description": "好" * 201}, 422, "too_long"),
            (me, {"rule_id": ok["id"], "quantity": 0}, 422, "invalid_quantity"),
            (me, {"rule_id": ok["id"], "quantity": 101}, 422, "invalid_quantity"),
            (me, {"rule_id": ok["id"], "household_id": other_hid}, 403, "forbidden"),
            (me, {"rule_id": ok["id"], "member_id": 999999}, 422, "invalid_member"),
            (me, {"rule_id": ok["id"], "points": 5}, 422, "unknown_field"),
            (admin, {"rule_id": ok["id"], "household_id": h2}, 422, "invalid_household"),
            (admin, {"rule_id": ok["id"]}, 422, "missing_field"),
            (clerk, {"rule_id": ok["id"], "household_id": other_hid}, 403, "forbidden"),
        ]
        for client, fields, code, err in cases:
            r = claim(client, vid, **fields)
            status(r, code, f"{fields}")
            eq(r.error_code, err, f"{fields}")
        r = claim(me, vid, not_claimable["id"])
        eq("防火巡逻（评分小组记）" in r.json["error"]["message"], True, f"names the rule: {r.json}")
        r = me.post(f"/api/v1/villages/{v2}/claims", {"rule_id": other_rule["id"], "deed_date": day(),
                                                      "description": "外村"})
        status(r, 403, "a claim in another village")
        eq(counts(s), before, "no claim and no entry were written")
        # six photos are fine
        c = claim_ok(me, vid, photo_rule["id"], photos=photos7[:6])
        eq(len(c["photos"]), 6, "six photos")
    finally:
        s.close()


def test_caps_and_retirement_are_checked_when_approving():
    s = Server()
    try:
        admin, scorer = s.login("admin"), s.login("scorer")
        me = villager(s, admin, "1001")
        hid = household_id(admin, s.village_id, "1001")
        rule = make_rule(admin, s.village_id, category="移风易俗", name="红白事简办", points=10,
                         claimable=True, cap_month=10)
        this_month, _ = two_months()
        c1 = claim_ok(me, s.village_id, rule["id"], date=this_month, description="儿子婚事简办")
        c2 = claim_ok(me, s.village_id, rule["id"], date=this_month, description="又一次简办")
        status(scorer.post(f"/api/v1/claims/{c1['id']}/approve"), 200, "first fits the cap")
        b = balance(me, hid)
        r = status(scorer.post(f"/api/v1/claims/{c2['id']}/approve"), 422, "cap exceeded")
        eq(r.error_code, "cap_exceeded", "code")
        eq("还可记 0 分" in r.json["error"]["message"], True, f"says what is left: {r.json}")
        eq(status(me.get(f"/api/v1/claims/{c2['id']}"), 200, "c2").json["status"], "pending", "still pending")
        eq(claim_entries(s, c2["id"]), [], "no entry")
        eq(balance(me, hid), b, "balance unchanged")
        # a rule retired after the claim was filed cannot be approved
        rule2 = make_rule(admin, s.village_id, category="志愿服务", name="义务清雪", points=4, claimable=True)
        c3 = claim_ok(me, s.village_id, rule2["id"], description="清理村道积雪")
        status(admin.post(f"/api/v1/rules/{rule2['id']}/retire"), 200, "retire")
        r = status(scorer.post(f"/api/v1/claims/{c3['id']}/approve"), 422, "retired since")
        eq(r.error_code, "rule_retired", "code")
        # the scorer can only reject it, with a reason
        status(scorer.post(f"/api/v1/claims/{c3['id']}/reject", {"reason": "细则已更新，请按新细则重新申请"}),
               200, "reject")
    finally:
        s.close()


def test_rejection_reason_is_what_the_villager_reads():
    s = Server()
    try:
        admin, scorer = s.login("admin"), s.login("scorer")
        me = villager(s, admin, "1001")
        other = villager(s, admin, "1002")
        hid = household_id(admin, s.village_id, "1001")
        rule = make_rule(admin, s.village_id, category="庭院卫生", name="庭院整洁", points=2, claimable=True)
        c = claim_ok(me, s.village_id, rule["id"], description="院子收拾得很干净")
        r = scorer.post(f"/api/v1/claims/{c['id']}/reject", {})
        eq((r.status, r.error_code), (422, "missing_field"), "a reason is required")
        r = scorer.post(f"/api/v1/claims/{c['id']}/reject", {"reason": ""})
        eq((r.status, r.error_code), (422, "too_short"), "an empty reason")
        r = me.post(f"/api/v1/claims/{c['id']}/reject", {"reason": "我自己撤回"})
        eq((r.status, r.error_code), (403, "not_reviewer"), "villagers do not review")
        reason = "照片看不清院子，请白天重新拍照后再申请"
        r = status(scorer.post(f"/api/v1/claims/{c['id']}/reject", {"reason": reason}), 200, "reject")
        eq((r.json["status"], r.json["reject_reason"], r.json["entry_id"]), ("rejected", reason, None), "rejected")
        seen = status(me.get(f"/api/v1/claims/{c['id']}"), 200, "villager reads it").json
        eq((seen["status"], seen["reject_reason"], seen["first_reviewer_name"]),
           ("rejected", reason, scorer.user["display_name"]), "what the villager sees")
        # the demo villager already has a rejected claim: the new one is listed first (newest first)
        listed = status(me.get(f"/api/v1/households/{hid}/claims?status=rejected"), 200, "list").json
        got = [(x["id"], x["reject_reason"]) for x in listed["items"]]
        eq(got[0], (c["id"], reason), "in the list, newest first")
        eq(all(x["status"] == "rejected" for x in listed["items"]), True, "only rejected claims")
        status(other.get(f"/api/v1/claims/{c['id']}"), 403, "another household cannot read it")
        status(other.get(f"/api/v1/households/{hid}/claims"), 403, "nor list it")
        county, v2, _, _ = second_village(s)
        far = staff(s, county, "erz_admin", role="village_admin", village_id=v2)
        status(far.get(f"/api/v1/claims/{c['id']}"), 403, "nor an admin of another village")
        status(far.get(f"/api/v1/villages/{s.village_id}/claims"), 403, "whose queue is their own")
        status(far.post(f"/api/v1/claims/{c['id']}/approve"), 403, "who cannot review it")
        status(scorer.post(f"/api/v1/claims/{c['id']}/approve"), 409, "no approval after rejection")
        eq(claim_entries(s, c["id"]), [], "no entry")
        audit = s.sql("SELECT summary, user_id FROM audit_log WHERE entity = 'claim' AND entity_id = ?"
                      " AND action = 'reject'", c["id"])
        eq(len(audit), 1, "one audit row for the rejection")
        eq((reason in audit[0][0], audit[0][1]), (True, scorer.user["id"]), f"audit row: {audit}")
    finally:
        s.close()


def test_nobody_reviews_their_own_household_or_claim():
    s = Server()
    try:
        admin, scorer = s.login("admin"), s.login("scorer")
        neighbour = villager(s, admin, "1002")
        hid = household_id(admin, s.village_id, "1002")
        rule = make_rule(admin, s.village_id, category="好人好事", name="见义勇为", points=6, claimable=True)
        # the scorer lives in household 1002: set by the admin, never by the scorer
        r = scorer.patch(f"/api/v1/users/{scorer.user['id']}", {"home_household_id": hid})
        eq((r.status, r.error_code), (403, "forbidden"), "a reviewer cannot set their own home household")
        r = status(admin.patch(f"/api/v1/users/{scorer.user['id']}", {"home_household_id": hid}), 200, "set")
        eq(r.json["home_household_id"], hid, "shown on the user")
        _, v2, _, h2 = second_village(s)
        r = admin.patch(f"/api/v1/users/{scorer.user['id']}", {"home_household_id": h2})
        eq((r.status, r.error_code), (422, "invalid_home_household"), "a household of another village")
        c = claim_ok(neighbour, s.village_id, rule["id"], description="制止打架")
        q = status(scorer.get(f"/api/v1/villages/{s.village_id}/claims"), 200, "queue").json["items"]
        eq([x["can_review"] for x in q if x["id"] == c["id"]], [False], "not reviewable by the scorer")
        for verb, body in (("approve", {}), ("reject", {"reason": "自家的不算"})):
            r = scorer.post(f"/api/v1/claims/{c['id']}/{verb}", body)
            eq((r.status, r.error_code), (403, "own_household"), f"{verb} own household")
            eq("1002" in r.json["error"]["message"], True, f"names the household: {r.json}")
        eq(status(admin.get(f"/api/v1/claims/{c['id']}"), 200, "get").json["status"], "pending", "untouched")
        status(admin.post(f"/api/v1/claims/{c['id']}/approve"), 200, "the admin may")
        # cleared (null), the scorer may review that household again
        r = status(admin.patch(f"/api/v1/users/{scorer.user['id']}", {"home_household_id": None}), 200, "clear")
        eq(r.json["home_household_id"], None, "cleared")
        c2 = claim_ok(neighbour, s.village_id, rule["id"], description="扶老人过马路")
        status(scorer.post(f"/api/v1/claims/{c2['id']}/approve"), 200, "after clearing")
        # a claim filed by staff for a household cannot be reviewed by its filer
        hid3 = household_id(admin, s.village_id, "1003")
        c3 = claim_ok(admin, s.village_id, rule["id"], household_id=hid3, description="代老人申请")
        eq(c3["created_by"], admin.user["id"], "filed by the admin")
        r = admin.post(f"/api/v1/claims/{c3['id']}/approve")
        eq((r.status, r.error_code), (403, "own_claim"), "the filer cannot approve")
        status(scorer.post(f"/api/v1/claims/{c3['id']}/approve"), 200, "another reviewer can")
        # the county admin sees but does not review
        county = s.login("county")
        c4 = claim_ok(neighbour, s.village_id, rule["id"], description="捡到钱包")
        status(county.get(f"/api/v1/claims/{c4['id']}"), 200, "county reads")
        r = county.post(f"/api/v1/claims/{c4['id']}/approve")
        eq((r.status, r.error_code), (403, "not_reviewer"), "county does not review")
        r = s.login("clerk").post(f"/api/v1/claims/{c4['id']}/approve")
        eq((r.status, r.error_code), (403, "not_reviewer"), "nor does the clerk")
    finally:
        s.close()


def test_above_the_threshold_a_second_different_reviewer_is_needed():
    s = Server()
    try:
        admin, scorer = s.login("admin"), s.login("scorer")
        me = villager(s, admin, "1001")
        hid = household_id(admin, s.village_id, "1001")
        eq(s.sql("SELECT second_review_points FROM villages WHERE id = ?", s.village_id)[0][0], 20,
           "the default threshold")
        rule = make_rule(admin, s.village_id, category="好人好事", name="抢险救灾", points=10,
                         min_points=5, max_points=30, claimable=True)
        # 20 is not above 20: one approval posts it
        c0 = claim_ok(me, s.village_id, rule["id"], description="帮助抢修水渠")
        r = status(scorer.post(f"/api/v1/claims/{c0['id']}/approve", {"points": 20}), 200, "20")
        eq(r.json["status"], "approved", "at the threshold")
        # 25: the first approval waits for a second reviewer
        b0 = balance(me, hid)
        c = claim_ok(me, s.village_id, rule["id"], description="洪水中转移三户老人")
        r = status(scorer.post(f"/api/v1/claims/{c['id']}/approve", {"points": 25}), 200, "first")
        eq((r.json["status"], r.json["first_reviewer"], r.json["first_points"], r.json["entry_id"]),
           ("second_review", scorer.user["id"], 25, None), "waiting for the second")
        eq(claim_entries(s, c["id"]), [], "no entry after the first")
        eq(balance(me, hid), b0, "balance unchanged")
        r = scorer.post(f"/api/v1/claims/{c['id']}/approve")
        eq((r.status, r.error_code), (403, "same_reviewer"), "the same reviewer twice")
        r = admin.post(f"/api/v1/claims/{c['id']}/approve", {"points": 20})
        eq((r.status, r.error_code), (422, "points_mismatch"), "the second confirms the first's points")
        r = status(admin.post(f"/api/v1/claims/{c['id']}/approve"), 200, "second")
        eq((r.json["status"], r.json["second_reviewer"], r.json["points"]),
           ("approved", admin.user["id"], 25), "posted by the second")
        rows = claim_entries(s, c["id"])
        eq([(p, rec, appr) for p, rec, appr, _, _, _ in rows], [(25, admin.user["id"], admin.user["id"])],
           "one entry of 25 by the second reviewer")
        eq(balance(me, hid)["total"], b0["total"] + 25, "balance")
        # quantity counts: 2 × 12 = 24 > 20 also needs two
        c2 = claim_ok(me, s.village_id, rule["id"], quantity=2, description="连续两天巡堤")
        r = status(admin.post(f"/api/v1/claims/{c2['id']}/approve", {"points": 12}), 200, "2 × 12")
        eq(r.json["status"], "second_review", "24 is above 20")
        # a second reviewer may also reject it, with a reason
        status(scorer.post(f"/api/v1/claims/{c2['id']}/reject", {"reason": "只巡了一天"}), 200, "reject")
        got = status(me.get(f"/api/v1/claims/{c2['id']}"), 200, "get").json
        eq((got["status"], got["first_reviewer"], got["second_reviewer"], got["reject_reason"]),
           ("rejected", admin.user["id"], scorer.user["id"], "只巡了一天"), "rejected at second review")
        # the queue lists open claims oldest first, second reviews included
        c3 = claim_ok(me, s.village_id, rule["id"], description="甲")
        c4 = claim_ok(me, s.village_id, rule["id"], description="乙")
        status(scorer.post(f"/api/v1/claims/{c3['id']}/approve", {"points": 30}), 200, "c3 first")
        q = status(admin.get(f"/api/v1/villages/{s.village_id}/claims"), 200, "queue").json["items"]
        ids = [x["id"] for x in q]
        eq(ids, sorted(ids), "oldest first")
        eq(all(x["status"] in ("pending", "second_review") for x in q), True, "only open claims")
        # the demo's open claims come first, then these two in the order they were filed
        eq([(x["id"], x["status"]) for x in q if x["id"] >= c3["id"]],
           [(c3["id"], "second_review"), (c4["id"], "pending")], "the new ones, oldest first")
        q = status(admin.get(f"/api/v1/villages/{s.village_id}/claims?status=second_review"), 200, "sr").json
        eq(all(x["status"] == "second_review" for x in q["items"]), True, "filtered: only second reviews")
        eq([x["id"] for x in q["items"] if x["id"] >= c3["id"]], [c3["id"]], "filtered")
        status(admin.get(f"/api/v1/villages/{s.village_id}/claims?status=maybe"), 400, "bad status")
    finally:
        s.close()


def test_two_reviewers_approving_at_once_post_one_entry():
    s = Server()
    try:
        admin, scorer = s.login("admin"), s.login("scorer")
        scorer2 = staff(s, admin, "scorer2")
        me = villager(s, admin, "1001")
        rule = make_rule(admin, s.village_id, category="志愿服务", name="义务巡逻", points=3,
                         min_points=1, max_points=30, claimable=True)
        reviewers = [scorer, admin, scorer2, scorer, admin, scorer2, scorer, admin]
        for round_ in range(4):
            c = claim_ok(me, s.village_id, rule["id"], description=f"夜间巡逻第{round_ + 1}次")
            results = in_parallel(len(reviewers), lambda i: reviewers[i].post(
                f"/api/v1/claims/{c['id']}/approve", {"points": 5}))
            codes = sorted(r.status for r in results)
            eq(codes, [200] + [409] * (len(reviewers) - 1), f"round {round_}: one wins, the rest see it decided")
            eq(len(claim_entries(s, c["id"])), 1, f"round {round_}: exactly one entry")
        # at second review: the two other reviewers race for the posting
        c = claim_ok(me, s.village_id, rule["id"], description="暴雨夜守护水库")
        status(scorer.post(f"/api/v1/claims/{c['id']}/approve", {"points": 30}), 200, "first")
        results = in_parallel(6, lambda i: (admin, scorer2)[i % 2].post(f"/api/v1/claims/{c['id']}/approve"))
        eq(sorted(r.status for r in results), [200, 409, 409, 409, 409, 409], "one second approval")
        eq(len(claim_entries(s, c["id"])), 1, "exactly one entry")
        eq(s.sql("SELECT count(*) FROM entries e JOIN claims c ON c.entry_id = e.id")[0][0],
           s.sql("SELECT count(*) FROM entries WHERE claim_id IS NOT NULL")[0][0], "claims name their entries")
        eq(s.log_lines(" 500 "), [], "no server errors")
    finally:
        s.close()


def test_idempotency_key_on_approve_and_file():
    s = Server()
    try:
        admin, scorer = s.login("admin"), s.login("scorer")
        me = villager(s, admin, "1001")
        rule = make_rule(admin, s.village_id, category="文体活动", name="参加广场舞比赛", points=4,
                         claimable=True)
        key = {"Idempotency-Key": "claim-file-1"}
        body = {"rule_id": rule["id"], "deed_date": day(), "description": "代表村里参加镇上比赛"}
        r1 = status(me.post(f"/api/v1/villages/{s.village_id}/claims", body, headers=key), 201, "file")
        r2 = status(me.post(f"/api/v1/villages/{s.village_id}/claims", body, headers=key), 201, "replay")
        eq((r2.json["id"], r2.header("Idempotent-Replayed")), (r1.json["id"], "true"), "same claim")
        eq(s.sql("SELECT count(*) FROM claims WHERE description = ?", body["description"])[0][0], 1, "one claim")
        cid = r1.json["id"]
        key = {"Idempotency-Key": "approve-7"}
        a1 = status(scorer.post(f"/api/v1/claims/{cid}/approve", {}, headers=key), 200, "approve")
        a2 = status(scorer.post(f"/api/v1/claims/{cid}/approve", {}, headers=key), 200, "replayed, not 409")
        eq((a2.json["entry_id"], a2.header("Idempotent-Replayed")), (a1.json["entry_id"], "true"), "same")
        r = scorer.post(f"/api/v1/claims/{cid}/approve", {"points": 4}, headers=key)
        eq((r.status, r.error_code), (422, "idempotency_key_reused"), "another body, same key")
        eq(len(claim_entries(s, cid)), 1, "one entry")
    finally:
        s.close()


if __name__ == "__main__":
    run(globals())
