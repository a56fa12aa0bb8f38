"""Idempotency keys (issue 3 item 3, invariant 3): a repeat with the same key and
body replays the first response byte for byte and creates nothing; a changed
body is refused; sixteen requests at once with one key create one batch; keys
belong to their user; and a key is kept across a restart and for at least 7 days."""
from harness import Server, run, eq, status
from ledger_fixtures import entry_count, household_id, in_parallel, make_rule, day


def post(client, path, body, key):
    return client.post(path, body, headers={"Idempotency-Key": key})


def test_sequential_repeat_replays_the_first_response():
    s = Server()
    try:
        admin, scorer = s.login("admin"), s.login("scorer")
        rule = make_rule(admin, s.village_id, category="好人好事", name="扶老人过路（测试）", points=3)
        path = f"/api/v1/villages/{s.village_id}/entries"
        body = {"rule_id": rule["id"], "household_ids": [1, 2, 3], "deed_date": day(),
                "note": "雪天扶老人回家"}
        n0 = entry_count(s)
        first = status(post(scorer, path, body, "rec-2024-0001"), 201, "first")
        eq(first.header("Idempotent-Replayed"), None, "the first is not a replay")
        eq(entry_count(s), n0 + 3, "three entries")
        for i in range(3):
            again = status(post(scorer, path, body, "rec-2024-0001"), 201, f"repeat {i}")
            eq(again.body, first.body, "byte-identical body")
            eq(again.header("Idempotent-Replayed"), "true", "replayed header")
        eq(entry_count(s), n0 + 3, "no new entries")
        # a different body under the key
        for change in ({"note": "改了备注"}, {"household_ids": [1, 2]}):
            r = post(scorer, path, dict(body, **change), "rec-2024-0001")
            status(r, 422, f"changed {change}")
            eq(r.error_code, "idempotency_key_reused", "code")
        # the same body to another path under the key is a different request too
        e = first.json["entries"][0]["id"]
        r = post(scorer, f"/api/v1/entries/{e}/reversal", {"reason": "记错"}, "rec-2024-0001")
        status(r, 422, "same key, another route")
        eq(entry_count(s), n0 + 3, "still three")
        # without a key every request counts
        status(scorer.post(path, body), 201, "no key")
        eq(entry_count(s), n0 + 6, "a request without a key records again")
        # a malformed key is refused before anything happens
        for bad in ("", "a/b", "a" * 129, "with space", "键".encode()):
            r = post(scorer, path, body, bad)
            status(r, 400, f"key {bad!r}")
            eq(r.error_code, "bad_idempotency_key", "code")
        eq(entry_count(s), n0 + 6, "bad keys record nothing")
    finally:
        s.close()


def test_reversal_with_a_key_and_replayed_errors():
    s = Server()
    try:
        admin, scorer = s.login("admin"), s.login("scorer")
        rule = make_rule(admin, s.village_id, name="参加义务植树（测试）", points=2, cap_month=2)
        hid = household_id(admin, s.village_id, "2020")
        path = f"/api/v1/villages/{s.village_id}/entries"
        e = status(scorer.post(path, {"rule_id": rule["id"], "household_ids": [hid],
                                      "deed_date": day()}), 201, "record").json["entries"][0]
        n0 = entry_count(s)
        first = status(post(scorer, f"/api/v1/entries/{e['id']}/reversal", {"reason": "户号记错"},
                            "rev-1"), 201, "reversal")
        again = status(post(scorer, f"/api/v1/entries/{e['id']}/reversal", {"reason": "户号记错"},
                            "rev-1"), 201, "replayed reversal, not 409")
        eq(again.body, first.body, "same body")
        eq(again.header("Idempotent-Replayed"), "true", "header")
        eq(entry_count(s), n0 + 1, "one reversal")
        # a refused request is replayed as refused, even when it would now succeed
        status(scorer.post(path, {"rule_id": rule["id"], "household_ids": [hid],
                                  "deed_date": day()}), 201, "use the cap again")
        body = {"rule_id": rule["id"], "household_ids": [hid], "deed_date": day()}
        refused = status(post(scorer, path, body, "cap-1"), 422, "capped")
        eq(refused.error_code, "cap_exceeded", "code")
        last = s.sql("SELECT max(id) FROM entries WHERE household_id = ?", hid)[0][0]
        status(scorer.post(f"/api/v1/entries/{last}/reversal", {"reason": "重复"}), 201, "free the cap")
        replay = post(scorer, path, body, "cap-1")
        eq((replay.status, replay.body), (422, refused.body), "the first answer stands")
        eq(replay.header("Idempotent-Replayed"), "true", "header")
        status(post(scorer, path, body, "cap-2"), 201, "a new key records")
    finally:
        s.close()


def test_sixteen_at_once_with_one_key():
    s = Server()
    try:
        admin, scorer = s.login("admin"), s.login("scorer")
        rule = make_rule(admin, s.village_id, category="防火巡逻", name="春季防火巡逻（测试）",
                         points=3, unit="day")
        path = f"/api/v1/villages/{s.village_id}/entries"
        for round_ in range(3):
            key = f"fire-patrol-{round_}"
            body = {"rule_id": rule["id"], "household_ids": [40 + round_, 50 + round_, 60 + round_],
                    "deed_date": day(), "note": f"第{round_ + 1}轮巡逻"}
            n0 = entry_count(s)
            res = in_parallel(16, lambda i: post(scorer, path, body, key))
            codes = [r.status for r in res]
            assert all(c in (201, 409) for c in codes), f"round {round_}: {res}"
            created = [r for r in res if r.status == 201]
            assert created, f"round {round_}: no request succeeded: {codes}"
            eq(len({r.body for r in created}), 1, f"round {round_}: every 201 has the same body")
            eq(sum(1 for r in created if r.header("Idempotent-Replayed") != "true"), 1,
               f"round {round_}: exactly one request ran")
            for r in res:
                if r.status == 409:
                    eq(r.error_code, "request_in_progress", "409 code")
            eq(entry_count(s), n0 + 3, f"round {round_}: one batch of three entries")
            batch = created[0].json["batch_id"]
            eq(s.sql("SELECT count(*) FROM entries WHERE batch_id = ?", batch)[0][0], 3, "the batch")
            eq(s.sql("SELECT count(*) FROM entries WHERE note = ?", body["note"])[0][0], 3,
               "no second batch")
            # afterwards every repeat is a replay
            r = status(post(scorer, path, body, key), 201, "after")
            eq(r.body, created[0].body, "after: same body")
        assert not s.log_lines("failed "), "no server errors"
    finally:
        s.close()


def test_key_is_per_user():
    s = Server()
    try:
        admin, scorer = s.login("admin"), s.login("scorer")
        rule = make_rule(admin, s.village_id, name="关爱留守儿童（测试）", points=3)
        path = f"/api/v1/villages/{s.village_id}/entries"
        body = {"rule_id": rule["id"], "household_ids": [7], "deed_date": day()}
        n0 = entry_count(s)
        a = status(post(scorer, path, body, "shared-key"), 201, "scorer")
        b = post(admin, path, body, "shared-key")
        status(b, 201, "admin with the same key and body")
        eq(b.header("Idempotent-Replayed"), None, "not a replay of the scorer's request")
        assert a.json["batch_id"] != b.json["batch_id"], "two batches"
        c = post(admin, path, dict(body, household_ids=[8]), "shared-key-2")
        status(c, 201, "admin")
        status(post(scorer, path, dict(body, household_ids=[9]), "shared-key-2"), 201,
               "scorer: another user's key with another body is not a conflict")
        eq(entry_count(s), n0 + 4, "four entries")
        # a second session of the same user shares the key
        scorer2 = s.login("scorer")
        r = post(scorer2, path, body, "shared-key")
        eq((r.status, r.body, r.header("Idempotent-Replayed")), (201, a.body, "true"),
           "same user, another session")
        eq(entry_count(s), n0 + 4, "still four")
    finally:
        s.close()


def test_key_survives_restart_and_is_kept_seven_days():
    s = Server()
    try:
        admin, scorer = s.login("admin"), s.login("scorer")
        rule = make_rule(admin, s.village_id, name="参加运动会（测试）", points=2)
        path = f"/api/v1/villages/{s.village_id}/entries"
        bodies = {k: {"rule_id": rule["id"], "household_ids": [h], "deed_date": day()}
                  for k, h in (("now", 11), ("six-days", 12), ("nine-days", 13))}
        first = {k: status(post(scorer, path, b, k), 201, k) for k, b in bodies.items()}
        # age two of the keys behind the server's back
        import sqlite3
        con = sqlite3.connect(s.db, timeout=30)
        try:
            con.execute("UPDATE idempotency_keys SET started_at = started_at - 6 * 86400 "
                        "WHERE key = 'six-days'")
            con.execute("UPDATE idempotency_keys SET started_at = started_at - 9 * 86400 "
                        "WHERE key = 'nine-days'")
            con.commit()
        finally:
            con.close()
        s.restart()
        scorer = s.login("scorer")
        n0 = entry_count(s)
        r = post(scorer, path, bodies["now"], "now")
        eq((r.status, r.body, r.header("Idempotent-Replayed")), (201, first["now"].body, "true"),
           "replayed after a restart")
        eq(entry_count(s), n0, "nothing new after the restart")
        # keys are purged now and then: drive keyed requests until the 9-day key is gone,
        # then the 6-day key must still be there
        purged = False
        for i in range(4000):
            r = post(scorer, path, {}, f"filler-{i}")
            status(r, 422, "an empty-object request")
            if i % 25 == 0 and not s.sql("SELECT 1 FROM idempotency_keys WHERE key = 'nine-days'"):
                purged = True
                break
        assert purged, "a key 9 days old was never purged"
        eq(len(s.sql("SELECT 1 FROM idempotency_keys WHERE key = 'six-days'")), 1,
           "a key 6 days old is kept")
        r = post(scorer, path, bodies["six-days"], "six-days")
        eq((r.status, r.body), (201, first["six-days"].body), "the 6-day key still replays")
        eq(entry_count(s), n0, "nothing new")
    finally:
        s.close()


def test_replay_after_a_crash_between_commit_and_stored_response():
    """The key is completed inside the posting transaction; the response is stored
    just after. A crash in between leaves the batch reference only: the replay must
    render the same answer from it."""
    s = Server()
    try:
        admin, scorer = s.login("admin"), s.login("scorer")
        rule = make_rule(admin, s.village_id, name="调解纠纷（测试）", points=4)
        path = f"/api/v1/villages/{s.village_id}/entries"
        body = {"rule_id": rule["id"], "household_ids": [21, 22], "deed_date": day(),
                "note": "调解两家宅基地纠纷"}
        first = status(post(scorer, path, body, "crash-1"), 201, "first")
        e = first.json["entries"][0]["id"]
        rev = status(post(scorer, f"/api/v1/entries/{e}/reversal", {"reason": "重复"}, "crash-2"),
                     201, "reversal")
        s.stop()
        import sqlite3
        con = sqlite3.connect(s.db)
        try:
            con.execute("UPDATE idempotency_keys SET response = NULL, status = NULL"
                        " WHERE key IN ('crash-1', 'crash-2')")
            con.commit()
        finally:
            con.close()
        s.start()
        scorer = s.login("scorer")
        n0 = entry_count(s)
        r = post(scorer, path, body, "crash-1")
        eq((r.status, r.header("Idempotent-Replayed")), (201, "true"), "replayed from the batch")
        # rendered now from the batch: the same entries (one of them has since been reversed)
        eq((r.json["batch_id"], r.json["count"], r.json["total_points"]),
           (first.json["batch_id"], 2, 8), "the same batch")
        eq([(x["id"], x["hash"]) for x in r.json["entries"]],
           [(x["id"], x["hash"]) for x in first.json["entries"]], "the same entries")
        r = post(scorer, f"/api/v1/entries/{e}/reversal", {"reason": "重复"}, "crash-2")
        eq((r.status, r.header("Idempotent-Replayed")), (201, "true"), "reversal replayed")
        eq(r.json["entries"][0]["id"], rev.json["entries"][0]["id"], "the same reversal")
        eq(entry_count(s), n0, "nothing new")
    finally:
        s.close()


if __name__ == "__main__":
    run(globals())
