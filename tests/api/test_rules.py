"""The rule catalogue (积分细则, issue 3 item 1): creating a rule with every field and
each bad input, the public list, editing while unused, retiring, revising into a
new version of the same lineage, and the database refusing to change or delete a
used rule behind jifen's back."""
import sqlite3
import subprocess

from harness import Server, run, eq, status
from ledger_fixtures import day, in_parallel, make_rule, record

FULL = {
    "category": "好人好事", "name": "助人为乐", "points": 8, "unit": "day",
    "min_points": 5, "max_points": 12, "cap_month": 24, "cap_year": 100,
    "evidence_required": True, "claimable": True, "recorders": ["scorer"],
    "description": "帮助邻里收秋、照看病人，按天计分",
}


def test_create_with_every_field_and_read_it_without_login():
    s = Server()
    try:
        admin = s.login("admin")
        r = status(admin.post(f"/api/v1/villages/{s.village_id}/rules", FULL), 201, "create")
        rule = r.json
        for k, v in FULL.items():
            eq(rule[k], v, k)
        eq(rule["version"], 1, "version")
        eq(rule["lineage_id"], rule["id"], "a new rule starts its own lineage")
        eq(rule["status"], "active", "status")
        eq(rule["used"], False, "used")
        eq(rule["village_id"], s.village_id, "village")
        anon = s.anon()
        eq(status(anon.get(f"/api/v1/rules/{rule['id']}"), 200, "public get").json, rule, "get = created")
        # defaults: unit time, no range, no caps, both recorders
        d = make_rule(admin, s.village_id, name="拾金不昧", points=5)
        eq((d["unit"], d["min_points"], d["max_points"], d["cap_month"], d["cap_year"]),
           ("time", None, None, None, None), "defaults")
        eq(d["recorders"], ["scorer", "village_admin"], "default recorders")
        eq((d["evidence_required"], d["claimable"]), (False, False), "default flags")
        # a deduction with a range of negatives is fine
        ded = make_rule(admin, s.village_id, category="社会治安", name="邻里纠纷扣分", points=-5,
                        min_points=-10, max_points=-2)
        eq((ded["points"], ded["min_points"], ded["max_points"]), (-5, -10, -2), "deduction range")
    finally:
        s.close()


def test_each_bad_input_is_refused_with_its_field():
    s = Server()
    try:
        admin = s.login("admin")
        base = {"category": "测试", "name": "坏细则", "points": 5}
        cases = [
            ({"points": 0}, "invalid_points", "points"),
            ({"points": 5, "min_points": 8, "max_points": 3}, "invalid_range", "min_points"),
            ({"points": 5, "min_points": 6, "max_points": 9}, "invalid_range", "min_points"),
            ({"points": 5, "min_points": 1, "max_points": 4}, "invalid_range", "max_points"),
            ({"points": -3, "min_points": -5, "max_points": 2}, "invalid_range", "sign"),
            ({"points": 3, "min_points": -2, "max_points": 5}, "invalid_range", "sign"),
            ({"points": 5, "min_points": 3}, "invalid_range", "max_points"),
            ({"cap_month": 30, "cap_year": 20}, "invalid_cap", "monthly cap"),
            ({"cap_month": 0}, "invalid_cap", "cap"),
            ({"cap_year": -5}, "invalid_cap", "cap"),
            ({"recorders": ["scorer", "clerk"]}, "invalid_recorders", "recorders"),
            ({"recorders": ["villager"]}, "invalid_recorders", "recorders"),
            ({"recorders": []}, "invalid_recorders", "recorders"),
            ({"points": -5, "claimable": True}, "invalid_claimable", "claim"),
            ({"unit": "week"}, "invalid_unit", "unit"),
            ({"points": 100000}, "invalid_points", "points"),
            ({"name": ""}, None, "name"),
            ({"category": ""}, None, "category"),
            ({"points": "5"}, "wrong_type", "points"),
            ({"colour": "红"}, "unknown_field", "colour"),
        ]
        before = s.sql("SELECT count(*) FROM rules")[0][0]
        for change, code, word in cases:
            body = dict(base, **change)
            r = admin.post(f"/api/v1/villages/{s.village_id}/rules", body)
            status(r, 422, f"create {change}")
            if code:
                eq(r.error_code, code, f"code for {change}")
            msg = r.json["error"]["message_en"]
            assert word in msg, f"{change}: the message should name {word!r}: {msg}"
            assert r.json["error"]["message"], f"{change}: a Chinese message"
        eq(s.sql("SELECT count(*) FROM rules")[0][0], before, "no rule was written")
        # only the village admin writes the catalogue
        for who in ("scorer", "clerk"):
            status(s.login(who).post(f"/api/v1/villages/{s.village_id}/rules", base), 403, who)
        status(s.anon().post(f"/api/v1/villages/{s.village_id}/rules", base), 401, "anonymous")
        eq(s.sql("SELECT count(*) FROM rules")[0][0], before, "still no rule written")
    finally:
        s.close()


def test_list_is_public_active_by_default():
    s = Server()
    try:
        admin = s.login("admin")
        anon = s.anon()
        path = f"/api/v1/villages/{s.village_id}/rules"
        n_active = s.sql("SELECT count(*) FROM rules WHERE village_id = ? AND status = 'active'",
                         s.village_id)[0][0]
        n_all = s.sql("SELECT count(*) FROM rules WHERE village_id = ?", s.village_id)[0][0]
        items = status(anon.get(path), 200, "list").json["items"]
        eq(len(items), n_active, "active rules listed")
        assert all(i["status"] == "active" for i in items), "only active by default"
        old = make_rule(admin, s.village_id, name="旧细则：清扫街道")
        status(admin.post(f"/api/v1/rules/{old['id']}/retire"), 200, "retire")
        active = status(anon.get(path), 200, "list").json["items"]
        eq(len(active), n_active, "the retired rule left the active list")
        assert old["id"] not in [i["id"] for i in active], "retired not in active list"
        retired = status(anon.get(path + "?status=retired"), 200, "retired").json["items"]
        assert old["id"] in [i["id"] for i in retired], "retired list has it"
        assert all(i["status"] == "retired" for i in retired), "only retired"
        every = status(anon.get(path + "?status=all"), 200, "all").json["items"]
        eq(len(every), n_all + 1, "all = every rule")
        status(anon.get(path + "?status=deleted"), 400, "bad status")
        status(anon.get("/api/v1/villages/999/rules"), 404, "no such village")
    finally:
        s.close()


def test_edit_while_unused_then_refused_after_use():
    s = Server()
    try:
        admin = s.login("admin")
        scorer = s.login("scorer")
        rule = make_rule(admin, s.village_id, category="村屯绿化", name="清理边沟", points=2)
        edit = {"category": "村屯绿化", "name": "清理边沟杂草", "points": 3, "unit": "hour",
                "cap_month": 12}
        r = status(admin.patch(f"/api/v1/rules/{rule['id']}", edit), 200, "edit unused")
        eq((r.json["name"], r.json["points"], r.json["unit"], r.json["cap_month"]),
           ("清理边沟杂草", 3, "hour", 12), "edited")
        eq(r.json["version"], 1, "an edit of an unused rule is not a new version")
        status(scorer.patch(f"/api/v1/rules/{rule['id']}", edit), 403, "scorer cannot edit")
        status(record(scorer, s.village_id, rule["id"], [1]), 201, "use it")
        eq(status(admin.get(f"/api/v1/rules/{rule['id']}"), 200, "get").json["used"], True, "used")
        r = admin.patch(f"/api/v1/rules/{rule['id']}", dict(edit, points=5))
        status(r, 409, "edit after use")
        eq(r.error_code, "rule_used", "code")
        assert "revise" in r.json["error"]["message_en"], r
        eq(status(admin.get(f"/api/v1/rules/{rule['id']}"), 200, "get").json["points"], 3,
           "points unchanged")
    finally:
        s.close()


def test_retired_rule_cannot_be_recorded():
    s = Server()
    try:
        admin = s.login("admin")
        scorer = s.login("scorer")
        rule = make_rule(admin, s.village_id, category="文体活动", name="参加广场舞比赛")
        r = status(admin.post(f"/api/v1/rules/{rule['id']}/retire"), 200, "retire")
        eq(r.json["status"], "retired", "status")
        before = s.sql("SELECT count(*) FROM entries")[0][0]
        r = record(scorer, s.village_id, rule["id"], [1, 2])
        status(r, 422, "record a retired rule")
        eq(r.error_code, "rule_retired", "code")
        assert "参加广场舞比赛" in r.json["error"]["message"], r
        eq(s.sql("SELECT count(*) FROM entries")[0][0], before, "nothing written")
        eq(admin.post(f"/api/v1/rules/{rule['id']}/retire").error_code, "rule_retired", "twice")
        status(admin.patch(f"/api/v1/rules/{rule['id']}",
                           {"category": "文体活动", "name": "x", "points": 1}), 409, "edit retired")
        status(admin.post(f"/api/v1/rules/{rule['id']}/revise",
                          {"category": "文体活动", "name": "x", "points": 1}), 409, "revise retired")
        status(scorer.post(f"/api/v1/rules/{make_rule(admin, s.village_id)['id']}/retire"), 403,
               "scorer cannot retire")
    finally:
        s.close()


def test_revise_makes_a_new_version_and_entries_keep_theirs():
    s = Server()
    try:
        admin = s.login("admin")
        scorer = s.login("scorer")
        v1 = make_rule(admin, s.village_id, category="尊老爱幼", name="照顾孤寡老人", points=5,
                       cap_month=10)
        e1 = status(record(scorer, s.village_id, v1["id"], [1], note="给李奶奶送饭"), 201,
                    "record v1").json["entries"][0]
        eq(e1["rule_version"], 1, "entry of v1")
        r = admin.post(f"/api/v1/rules/{v1['id']}/revise",
                       {"category": "尊老爱幼", "name": "照顾孤寡老人", "points": 4, "cap_month": 10})
        v2 = status(r, 201, "revise").json
        eq((v2["version"], v2["lineage_id"], v2["points"], v2["status"]),
           (2, v1["lineage_id"], 4, "active"), "new version")
        assert v2["id"] != v1["id"], "a new rule row"
        eq(status(admin.get(f"/api/v1/rules/{v1['id']}"), 200, "old").json["status"], "retired",
           "old version retired")
        e2 = status(record(scorer, s.village_id, v2["id"], [1]), 201, "record v2").json["entries"][0]
        eq((e2["rule_version"], e2["points"]), (2, 4), "entry of v2")
        old = status(admin.get(f"/api/v1/entries/{e1['id']}"), 200, "old entry").json
        eq((old["rule_version"], old["points"], old["rule_id"]), (1, 5, v1["id"]),
           "the old entry keeps version 1 and its points")
        # the cap belongs to the lineage: 5 + 4 used of 10
        r = record(scorer, s.village_id, v2["id"], [1])
        status(r, 422, "lineage cap")
        eq(r.error_code, "cap_exceeded", "code")
        assert "还可记 1 分" in r.json["error"]["message"], r
        status(record(scorer, s.village_id, v1["id"], [2]), 422, "old version is retired")
        v3 = status(admin.post(f"/api/v1/rules/{v2['id']}/revise",
                               {"category": "尊老爱幼", "name": "照顾孤寡老人", "points": 6}),
                    201, "revise again").json
        eq((v3["version"], v3["lineage_id"]), (3, v1["lineage_id"]), "version 3")
        versions = [(i["rule_version"], i["points"]) for i in
                    status(admin.get("/api/v1/households/1/passbook?per_page=2"), 200,
                           "passbook").json["items"]]
        eq(versions, [(2, 4), (1, 5)], "passbook shows the versions used")
    finally:
        s.close()


def test_database_refuses_changing_or_deleting_a_used_rule():
    s = Server()
    try:
        admin = s.login("admin")
        scorer = s.login("scorer")
        used = make_rule(admin, s.village_id, name="违规焚烧秸秆（测试）", points=-10)
        unused = make_rule(admin, s.village_id, name="未用细则", points=3)
        status(record(scorer, s.village_id, used["id"], [3]), 201, "use")
        for sql in (f"UPDATE rules SET points = 99 WHERE id = {used['id']}",
                    f"UPDATE rules SET used = 0 WHERE id = {used['id']}",
                    f"DELETE FROM rules WHERE id = {used['id']}"):
            p = subprocess.run(["sqlite3", s.db, sql], capture_output=True, text=True, timeout=60)
            assert p.returncode != 0, f"sqlite3 accepted {sql!r}"
            assert "used" in p.stderr, f"{sql}: {p.stderr}"
        eq(s.sql("SELECT points, used FROM rules WHERE id = ?", used["id"]), [(-10, 1)], "intact")
        # the trigger is about use: an unused rule can still be changed
        con = sqlite3.connect(s.db, timeout=30)
        try:
            con.execute("UPDATE rules SET points = 4 WHERE id = ?", (unused["id"],))
            con.commit()
        finally:
            con.close()
        eq(status(admin.get(f"/api/v1/rules/{unused['id']}"), 200, "get").json["points"], 4,
           "unused rule editable")
    finally:
        s.close()


def test_rules_of_another_village_are_not_usable():
    from ledger_fixtures import second_village
    s = Server()
    try:
        county, v2, g2, h2 = second_village(s)
        admin = s.login("admin")
        status(admin.post(f"/api/v1/villages/{v2}/rules", {"category": "测试", "name": "外村",
                                                         "points": 1}), 403, "admin of village 1")
        rule = make_rule(admin, s.village_id, name="本村细则")
        status(admin.patch(f"/api/v1/rules/{rule['id']}", {"category": "c", "name": "n", "points": 1}),
               200, "own village")
        other_admin_body = {"username": "ertaizi_admin", "display_name": "二台子村书记",
                            "role": "village_admin", "village_id": v2,
                            "password": "Ertaizi-Admin-2024"}
        status(county.post("/api/v1/users", other_admin_body), 201, "admin of village 2")
        other = s.login("ertaizi_admin", "Ertaizi-Admin-2024")
        status(other.patch(f"/api/v1/rules/{rule['id']}", {"category": "c", "name": "x", "points": 1}),
               403, "admin of village 2 edits a village-1 rule")
        status(other.post(f"/api/v1/rules/{rule['id']}/retire"), 403, "retire another village's")
        r = record(other, v2, rule["id"], [h2], date=day())
        status(r, 422, "record a village-1 rule in village 2")
        eq(r.error_code, "invalid_rule", "code")
    finally:
        s.close()


def test_racing_changes_to_one_rule():
    s = Server()
    try:
        admins = [s.login("admin"), s.login("admin")]
        scorer = s.login("scorer")
        body = {"category": "志愿服务", "name": "扫雪（新版）", "points": 4}
        # eight revisions of one version at once: one new version, the rest told it is retired
        rule = make_rule(admins[0], s.village_id, category="志愿服务", name="扫雪", points=3)
        res = in_parallel(8, lambda i: admins[i % 2].post(f"/api/v1/rules/{rule['id']}/revise", body))
        eq(sorted((r.status, r.error_code) for r in res),
           [(201, None)] + [(409, "rule_retired")] * 7, f"revisions at once: {res}")
        eq(s.sql("SELECT count(*) FROM rules WHERE lineage_id = ?", rule["lineage_id"])[0][0], 2,
           "one new version")
        # eight retirements at once
        rule = make_rule(admins[0], s.village_id, name="临时细则")
        res = in_parallel(8, lambda i: admins[i % 2].post(f"/api/v1/rules/{rule['id']}/retire"))
        eq(sorted((r.status, r.error_code) for r in res),
           [(200, None)] + [(409, "rule_retired")] * 7, f"retirements at once: {res}")
        # an edit racing the first record: either the edit lands first and the entry has the
        # new points, or the record does and the edit is refused as used — never a raw error
        for i in range(6):
            rule = make_rule(admins[0], s.village_id, name=f"赛跑细则{i}", points=3)
            rec, edit = in_parallel(2, lambda k: (
                record(scorer, s.village_id, rule["id"], [1 + i]) if k == 0 else
                admins[0].patch(f"/api/v1/rules/{rule['id']}",
                                {"category": "测试", "name": f"赛跑细则{i}", "points": 9})))
            status(rec, 201, "the record")
            if edit.status == 200:
                eq(rec.json["entries"][0]["points"], 9, "edited first: new points")
            else:
                eq((edit.status, edit.error_code), (409, "rule_used"), f"edit after use: {edit}")
                eq(rec.json["entries"][0]["points"], 3, "recorded first: old points")
    finally:
        s.close()


if __name__ == "__main__":
    run(globals())
