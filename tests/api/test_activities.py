"""Activities (活动, issue 3 item 5): a village event tied to one rule; villagers sign
up their own household (or a member), staff sign up any household, the scorer marks
who came and awards every attended sign-up in one action: one batch, all or nothing
under the rule's caps, at most once, idempotent with the same key. Clerks, villagers
(beyond signing up) and other villages' users are refused."""
from harness import Server, run, eq, status
from ledger_fixtures import verify, day, make_rule, record, second_village, household_id, in_parallel

OTHER_PASSWORD = "Ertaizi-Cun-2024"


def activity(client, village_id, rule_id, name="植树", date=None, **extra):
    body = {"name": name, "rule_id": rule_id, "activity_date": date or day()}
    body.update(extra)
    return client.post(f"/api/v1/villages/{village_id}/activities", body)


def signup(client, activity_id, hh, member=None):
    body = {"household_id": hh}
    if member is not None:
        body["member_id"] = member
    return client.post(f"/api/v1/activities/{activity_id}/signups", body)


def attendance(client, activity_id, attended=(), absent=()):
    return client.post(f"/api/v1/activities/{activity_id}/attendance",
                       {"attended": list(attended), "absent": list(absent)})


def award(client, activity_id, **kw):
    return client.post(f"/api/v1/activities/{activity_id}/award", **kw)


def member_id(client, hh, name):
    r = status(client.get(f"/api/v1/households/{hh}"), 200, "household")
    for m in r.json["members"]:
        if m["name"] == name:
            return m["id"]
    raise AssertionError(f"no member {name} in household {hh}: {r.json['members']}")


def activity_entries(s, activity_id):
    return s.sql("SELECT household_id, member_id, points, batch_id FROM entries"
                 " WHERE activity_id = ? ORDER BY id", activity_id)


def test_sign_ups_attendance_and_award_reach_only_who_came():
    s = Server()
    try:
        v = s.village_id
        admin, scorer = s.login("admin"), s.login("scorer")
        villager = s.login_villager("1001")
        rule = make_rule(admin, v, category="村屯绿化", name="植树造林", points=5)
        h1001, h1002, h1003 = (household_id(admin, v, p) for p in ("1001", "1002", "1003"))
        date = day()

        r = status(activity(scorer, v, rule["id"], name="春季植树", date=date,
                            description="村东路两侧栽杨树"), 201, "create")
        act = r.json
        eq((act["name"], act["rule_id"], act["rule_name"], act["activity_date"], act["status"]),
           ("春季植树", rule["id"], "植树造林", date, "open"), "created activity")
        eq((act["signups"], act["batch_id"], act["description"]), ([], None, "村东路两侧栽杨树"),
           "a new activity")
        aid = act["id"]

        # the villager finds it in the list and signs up a member of their own household
        listed = status(villager.get(f"/api/v1/villages/{v}/activities"), 200, "villager list")
        eq([a["name"] for a in listed.json["items"] if a["id"] == aid], ["春季植树"], "listed")
        wife = member_id(villager, h1001, "宋桂荣")
        mine = status(signup(villager, aid, h1001, wife), 201, "villager signs up").json
        eq((mine["household_id"], mine["head_name"], mine["member_id"], mine["member_name"],
            mine["attended"]), (h1001, "王福顺", wife, "宋桂荣", False), "villager sign-up")
        # … but not the neighbours
        eq(status(signup(villager, aid, h1002), 403, "villager signs up another household")
           .error_code, "forbidden", "code")

        # staff sign up any household of the village
        s1002 = status(signup(scorer, aid, h1002), 201, "scorer signs up 1002").json
        s1003 = status(signup(admin, aid, h1003), 201, "admin signs up 1003").json
        eq((s1002["member_id"], s1002["member_name"]), (None, None), "a whole household")

        # duplicates are refused
        eq(status(signup(scorer, aid, h1002), 409, "again").error_code, "already_signed_up", "dup")
        eq(status(signup(villager, aid, h1001, wife), 409, "villager again").error_code,
           "already_signed_up", "dup member")

        # staff see every sign-up; the villager sees only their own household's
        full = status(scorer.get(f"/api/v1/activities/{aid}"), 200, "scorer get").json
        eq([x["head_name"] for x in full["signups"]], ["王福顺", "王树林", s1003["head_name"]],
           "all sign-ups")
        eq(full["signup_count"], 3, "signup_count")
        own = status(villager.get(f"/api/v1/activities/{aid}"), 200, "villager get").json
        eq([x["id"] for x in own["signups"]], [mine["id"]], "villager sees own sign-up only")

        # 1001 (the member) and 1002 came; 1003 did not
        r = status(attendance(scorer, aid, [mine["id"], s1002["id"]], [s1003["id"]]), 200,
                   "attendance")
        eq({x["id"]: x["attended"] for x in r.json["signups"]},
           {mine["id"]: True, s1002["id"]: True, s1003["id"]: False}, "attendance marked")
        eq(r.json["attended_count"], 2, "attended_count")

        b = status(award(scorer, aid), 201, "award").json
        eq((b["count"], b["total_points"]), (2, 10), "one entry per attended sign-up")
        eq(sorted((e["household_id"], e["member_name"]) for e in b["entries"]),
           sorted([(h1001, "宋桂荣"), (h1002, None)]), "entries")
        for e in b["entries"]:
            eq((e["activity_id"], e["deed_date"], e["kind"], e["points"], e["rule_name"]),
               (aid, date, "award", 5, "植树造林"), "entry fields")
        eq(s.sql("SELECT kind FROM batches WHERE id = ?", b["batch_id"]), [("activity",)],
           "batch kind")

        after = status(scorer.get(f"/api/v1/activities/{aid}"), 200, "after").json
        eq((after["status"], after["batch_id"]), ("awarded", b["batch_id"]), "awarded")

        # the villager's passbook shows the entry with the member's name
        pb = status(villager.get(f"/api/v1/households/{h1001}/passbook"), 200, "passbook").json
        top = pb["items"][0]
        eq((top["activity_id"], top["member_name"], top["rule_name"], top["points"]),
           (aid, "宋桂荣", "植树造林", 5), "passbook entry")
        # 1003 did not come: nothing for it
        pb3 = status(admin.get(f"/api/v1/households/{h1003}/passbook"), 200, "passbook 1003").json
        eq([e for e in pb3["items"] if e["activity_id"] == aid], [], "absent gets nothing")

        actions = [a for (a,) in s.sql("SELECT action FROM audit_log WHERE entity = 'activity'"
                                       " AND entity_id = ? ORDER BY id", aid)]
        eq(actions, ["create", "signup", "signup", "signup", "attendance", "award"], "audited")
        p = verify(s.db)
        eq(p.returncode, 0, f"jifen verify after the entries: {p.stdout}{p.stderr}")
    finally:
        s.close()


def test_bad_inputs_change_nothing():
    s = Server()
    try:
        v = s.village_id
        admin, scorer = s.login("admin"), s.login("scorer")
        rule = make_rule(admin, v, category="村屯绿化", name="清理杂草", points=3)
        h1001, h1002 = household_id(admin, v, "1001"), household_id(admin, v, "1002")

        # the rule: retired, a deduction, another village's, missing
        old = make_rule(admin, v, category="村屯绿化", name="旧版植树", points=4)
        status(admin.post(f"/api/v1/rules/{old['id']}/retire"), 200, "retire")
        eq(status(activity(scorer, v, old["id"]), 422, "retired rule").error_code,
           "rule_retired", "retired")
        ded = make_rule(admin, v, category="环境卫生", name="乱堆乱放", points=-2)
        eq(status(activity(scorer, v, ded["id"]), 422, "deduction").error_code,
           "rule_is_deduction", "deduction")
        county, v2, g2, h2 = second_village(s)
        foreign = make_rule(county, v2, category="村屯绿化", name="二台子植树", points=5)
        eq(status(activity(scorer, v, foreign["id"]), 422, "other village's rule").error_code,
           "invalid_rule", "foreign rule")
        eq(status(activity(scorer, v, 999999), 422, "no such rule").error_code, "invalid_rule", "")
        eq(status(activity(scorer, v, rule["id"], date="2026-02-30"), 422, "bad date").error_code,
           "invalid_date", "date")
        eq(status(activity(scorer, v, rule["id"], name=""), 422, "empty name").error_code,
           "too_short", "empty name")
        eq(status(activity(scorer, v, rule["id"], name="植" * 33), 422, "long name").error_code,
           "too_long", "long name")
        eq(s.sql("SELECT count(*) FROM activities")[0][0], 0, "no activity was created")

        aid = status(activity(scorer, v, rule["id"], name="清理村路杂草"), 201, "create").json["id"]
        # sign-ups: another village's household, a member of another household, bad ids
        eq(status(signup(scorer, aid, h2), 422, "other village's household").error_code,
           "invalid_household", "foreign household")
        other_member = member_id(admin, h1002, "付凤兰")
        eq(status(signup(scorer, aid, h1001, other_member), 422, "member of 1002 for 1001")
           .error_code, "invalid_member", "member")
        status(signup(scorer, aid, 0), 422, "household 0")
        status(scorer.post(f"/api/v1/activities/{aid}/signups", {"household_id": "1001"}), 422,
               "household as a string")
        status(signup(scorer, 999999, h1001), 404, "no such activity")
        eq(s.sql("SELECT count(*) FROM activity_signups")[0][0], 0, "no sign-up stored")

        a1 = status(signup(scorer, aid, h1001), 201, "1001").json["id"]
        a2 = status(signup(scorer, aid, h1002), 201, "1002").json["id"]
        # nobody marked yet: nothing to award
        eq(status(award(scorer, aid), 422, "nobody attended").error_code, "nobody_attended", "")
        # attendance: a sign-up of another activity, the same id twice, nothing at all
        other = status(activity(scorer, v, rule["id"], name="另一次除草"), 201, "other").json["id"]
        o1 = status(signup(scorer, other, h1001), 201, "other sign-up").json["id"]
        eq(status(attendance(scorer, aid, [a1, o1]), 422, "foreign sign-up").error_code,
           "invalid_signup", "foreign sign-up id")
        eq(s.sql("SELECT count(*) FROM activity_signups WHERE attended = 1")[0][0], 0,
           "the valid half was not kept")
        eq(status(attendance(scorer, aid, [a1], [a1]), 422, "twice").error_code,
           "duplicate_signup", "twice")
        status(attendance(scorer, aid), 422, "empty attendance")
        status(attendance(scorer, aid, ["a"]), 422, "not an id")

        status(attendance(scorer, aid, [a1, a2]), 200, "attendance")
        b = status(award(scorer, aid), 201, "award").json
        eq(b["count"], 2, "awarded")
        n = s.sql("SELECT count(*) FROM entries")[0][0]
        # once awarded: no second award, no more sign-ups or attendance changes
        eq(status(award(scorer, aid), 409, "award twice").error_code, "activity_awarded", "twice")
        eq(status(award(admin, aid), 409, "admin awards again").error_code, "activity_awarded", "")
        h1003 = household_id(admin, v, "1003")
        eq(status(signup(scorer, aid, h1003), 409, "sign-up after award").error_code,
           "activity_awarded", "late sign-up")
        eq(status(attendance(scorer, aid, [], [a1]), 409, "attendance after award").error_code,
           "activity_awarded", "late attendance")
        eq(s.sql("SELECT count(*) FROM entries")[0][0], n, "no new entries")

        # an activity still ahead can take sign-ups but cannot be awarded yet
        ahead = status(activity(scorer, v, rule["id"], name="秋季植树", date=day(30)), 201,
                       "future activity").json["id"]
        f1 = status(signup(scorer, ahead, h1001), 201, "sign up ahead").json["id"]
        status(attendance(scorer, ahead, [f1]), 200, "mark")
        eq(status(award(scorer, ahead), 422, "award before the day").error_code,
           "activity_not_held", "not held")
        # a range rule needs the points chosen at award time
        ranged = make_rule(admin, v, category="志愿服务", name="义务劳动", points=4, min_points=2,
                           max_points=6)
        rid = status(activity(scorer, v, ranged["id"], name="修水渠"), 201, "ranged").json["id"]
        r1 = status(signup(scorer, rid, h1002), 201, "sign up").json["id"]
        status(attendance(scorer, rid, [r1]), 200, "mark")
        eq(status(award(scorer, rid), 422, "no points").error_code, "points_required", "")
        eq(status(award(scorer, rid, body={"points": 9}), 422, "out of range").error_code,
           "points_out_of_range", "")
        eq(status(award(scorer, rid, body={"points": 6}), 201, "in range").json["total_points"], 6,
           "chosen points")
    finally:
        s.close()


def test_caps_make_the_whole_award_fail():
    s = Server()
    try:
        v = s.village_id
        admin, scorer = s.login("admin"), s.login("scorer")
        rule = make_rule(admin, v, category="防火巡逻", name="防火巡逻值班", points=5, cap_month=10)
        h1001, h1002 = household_id(admin, v, "1001"), household_id(admin, v, "1002")
        date = day()
        # 1001 has already used its whole monthly cap
        status(record(scorer, v, rule["id"], [h1001], date=date), 201, "first record")
        status(record(scorer, v, rule["id"], [h1001], date=date), 201, "second record")

        aid = status(activity(scorer, v, rule["id"], name="夜间防火巡逻", date=date), 201, "create").json["id"]
        a1 = status(signup(scorer, aid, h1002), 201, "1002").json["id"]
        a2 = status(signup(scorer, aid, h1001), 201, "1001").json["id"]
        status(attendance(scorer, aid, [a1, a2]), 200, "both came")
        entries = s.sql("SELECT count(*) FROM entries")[0][0]
        head = status(scorer.get(f"/api/v1/villages/{v}/chain"), 200, "chain").json
        r = status(award(scorer, aid), 422, "cap exceeded for 1001")
        eq(r.error_code, "cap_exceeded", "code")
        msg = r.json["error"]["message"]
        assert "王福顺" in msg and "1001" in msg and "还可记 0 分" in msg, msg
        # all or nothing: 1002 (listed first) got nothing either
        eq(s.sql("SELECT count(*) FROM entries")[0][0], entries, "no entry at all")
        eq(activity_entries(s, aid), [], "no activity entry")
        eq(status(scorer.get(f"/api/v1/villages/{v}/chain"), 200, "chain").json, head,
           "chain head unchanged")
        eq(status(scorer.get(f"/api/v1/activities/{aid}"), 200, "get").json["status"], "open",
           "still open")
        eq(s.sql("SELECT count(*) FROM batches WHERE kind = 'activity'")[0][0], 0, "no batch")

        # a household signed up with two members counts both against the cap
        wang = household_id(admin, v, "1003")
        two = status(activity(scorer, v, rule["id"], name="白天防火巡逻", date=date), 201, "create")
        tid = two.json["id"]
        status(admin.post(f"/api/v1/households/{wang}/members", {"name": "王小军", "relation": "儿子"}),
               201, "add a son")
        members = status(admin.get(f"/api/v1/households/{wang}"), 200, "1003").json["members"]
        assert len(members) >= 2, members
        ids = [status(signup(scorer, tid, wang, m["id"]), 201, "member").json["id"]
               for m in members[:2]]
        ids.append(status(signup(scorer, tid, wang), 201, "household").json["id"])
        status(attendance(scorer, tid, ids), 200, "all three came")
        eq(status(award(scorer, tid), 422, "15 points > cap 10").error_code, "cap_exceeded", "")
        eq(activity_entries(s, tid), [], "none posted")
        # mark one absent: 10 points fit
        status(attendance(scorer, tid, [], [ids[2]]), 200, "one absent")
        b = status(award(scorer, tid), 201, "award within the cap").json
        eq((b["count"], b["total_points"]), (2, 10), "two members awarded")

        # drop 1001 from the first activity and the rest is awarded
        status(attendance(scorer, aid, [], [a2]), 200, "1001 absent")
        b = status(award(scorer, aid), 201, "award 1002").json
        eq([(e["household_id"], e["points"]) for e in b["entries"]], [(h1002, 5)], "1002 only")
    finally:
        s.close()


def test_award_is_idempotent_with_the_same_key():
    s = Server()
    try:
        v = s.village_id
        admin, scorer = s.login("admin"), s.login("scorer")
        rule = make_rule(admin, v, category="文体活动", name="广场舞比赛", points=2)
        hh = [household_id(admin, v, p) for p in ("1001", "1002", "1003")]
        aid = status(activity(scorer, v, rule["id"], name="重阳节广场舞"), 201, "create").json["id"]
        ids = [status(signup(scorer, aid, h), 201, "sign up").json["id"] for h in hh]
        status(attendance(scorer, aid, ids), 200, "all came")

        key = {"Idempotency-Key": "award-dance-1"}
        first = status(award(scorer, aid, headers=key), 201, "first")
        again = status(award(scorer, aid, headers=key), 201, "retried with the same key")
        eq(again.json, first.json, "the first response replayed")
        eq(again.header("Idempotent-Replayed"), "true", "replay header")
        eq(s.sql("SELECT count(*), count(DISTINCT batch_id) FROM entries WHERE activity_id = ?",
                 aid), [(3, 1)], "one batch of three")
        # the same key on a different request
        eq(status(award(scorer, aid, headers=key, body={"points": 2}), 422, "changed body")
           .error_code, "idempotency_key_reused", "")
        # a new key is a new request: already awarded
        eq(status(award(scorer, aid, headers={"Idempotency-Key": "award-dance-2"}), 409, "new key")
           .error_code, "activity_awarded", "")

        # 8 concurrent awards with one key: one batch
        bid = status(activity(scorer, v, rule["id"], name="元宵节秧歌"), 201, "create").json["id"]
        ids = [status(signup(scorer, bid, h), 201, "sign up").json["id"] for h in hh]
        status(attendance(scorer, bid, ids), 200, "all came")
        results = in_parallel(8, lambda i: award(scorer, bid, headers={"Idempotency-Key": "yangge"}))
        codes = sorted(r.status for r in results)
        assert all(c in (201, 409) for c in codes) and 201 in codes, codes
        batches = {r.json["batch_id"] for r in results if r.status == 201}
        eq(len(batches), 1, "every success names the same batch")
        eq(s.sql("SELECT count(*), count(DISTINCT batch_id) FROM entries WHERE activity_id = ?",
                 bid), [(3, 1)], "exactly one batch")
    finally:
        s.close()


def test_clerk_villager_and_other_village_are_refused():
    s = Server()
    try:
        v = s.village_id
        admin, scorer, clerk = s.login("admin"), s.login("scorer"), s.login("clerk")
        villager = s.login_villager("1001")
        rule = make_rule(admin, v, category="宣讲学习", name="参加宣讲", points=2)
        h1001, h1002 = household_id(admin, v, "1001"), household_id(admin, v, "1002")
        county, v2, g2, h2 = second_village(s)
        status(county.post("/api/v1/users", {"username": "ertaizi_admin", "display_name": "二台子村管理员",
                                             "role": "village_admin", "village_id": v2,
                                             "password": OTHER_PASSWORD}), 201, "other admin")
        other = s.login("ertaizi_admin", OTHER_PASSWORD)

        for who, name in ((clerk, "clerk"), (villager, "villager"), (other, "other village")):
            eq(status(activity(who, v, rule["id"], name="学习会"), 403, f"{name} creates").error_code,
               "forbidden", name)
        aid = status(activity(scorer, v, rule["id"], name="十九大精神宣讲"), 201, "create").json["id"]
        mine = status(signup(villager, aid, h1001), 201, "villager signs up own").json["id"]

        eq(status(signup(clerk, aid, h1002), 403, "clerk signs up").error_code, "forbidden", "")
        status(signup(other, aid, h1002), 403, "other village signs up")
        status(other.get(f"/api/v1/activities/{aid}"), 403, "other village reads")
        status(other.get(f"/api/v1/villages/{v}/activities"), 403, "other village lists")
        status(clerk.get(f"/api/v1/villages/{v}/activities"), 200, "clerk may list")
        for who, name in ((clerk, "clerk"), (villager, "villager"), (other, "other village")):
            status(attendance(who, aid, [mine]), 403, f"{name} marks attendance")
        status(attendance(scorer, aid, [mine]), 200, "scorer marks")
        for who, name in ((clerk, "clerk"), (villager, "villager"), (other, "other village")):
            status(award(who, aid), 403, f"{name} awards")
        eq(s.sql("SELECT count(*) FROM entries WHERE activity_id = ?", aid)[0][0], 0, "no entries")
        eq(s.sql("SELECT count(*) FROM activity_signups WHERE activity_id = ?", aid)[0][0], 1,
           "only the villager's sign-up")
        # the village admin awards it
        eq(status(award(admin, aid), 201, "admin awards").json["count"], 1, "one entry")
        status(s.anon().get(f"/api/v1/activities/{aid}"), 401, "no login")
    finally:
        s.close()


if __name__ == "__main__":
    run(globals())
