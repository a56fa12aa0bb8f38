"""The monthly notice (issue 4 item 1, 一月一公示): the village admin publishes a
month that has ended, with the village's chain head; later entries for that month
go into the current month, marked late; during the window any villager or cadre
of the village objects to an entry; the admin upholds (a reversal is posted) or
dismisses (with a reason the villager reads); when the window has closed and no
objection is open, the month's points become confirmed by themselves — also after
a restart — and a public page shows the current notice with masked names.

Each test builds its own village (柳河沟村…) in the demo database, so it does not
depend on what the demo has published. Windows are made short with
`serve --notice-day-seconds` (one notice "day" = a few seconds) and the village's
notice_days."""
import datetime
import time

from harness import DEMO_PASSWORD, DEMO_PIN, Server, eq, run, status
from ledger_fixtures import balance, in_parallel, make_rule, passbook, today, unique, verify

DAY_S = 3  # one notice "day" in these tests, in seconds


def month_of(d):
    return d.isoformat()[:7]


def months_back(n):
    """The first day of the month n months before the current one."""
    t = today().replace(day=1)
    for _ in range(n):
        t = (t - datetime.timedelta(days=1)).replace(day=1)
    return t


LAST = months_back(1)   # last month (ended)
EARLIER = months_back(2)
THIS_MONTH = month_of(today())


def date_in(first_day, day):
    return first_day.replace(day=day).isoformat()


class Village:
    """A fresh village in the server's database: one group, three households
    (于洪军 with a member 于浩然 and a phone, 王桂芝, 李春生), its admin, a scorer,
    villagers for the first two households, a 5-point and a -3-point rule."""

    def __init__(self, s, notice_days=60):
        self.s = s
        county = self.county = s.login("county")
        areas = status(county.get("/api/v1/areas"), 200, "areas").json["items"]
        township = [a for a in areas if a["level"] == "township"][0]["id"]
        self.name = unique("柳河沟村")
        v = self.id = status(county.post("/api/v1/villages", {"name": self.name, "area_id": township}),
                             201, "village").json["id"]
        status(county.patch(f"/api/v1/villages/{v}", {"notice_days": notice_days}), 200, "notice_days")
        g = status(county.post(f"/api/v1/villages/{v}/groups", {"name": "一组"}), 201, "group").json["id"]
        self.hh = {}
        for pb, head, phone, members in (("7001", "于洪军", "13904105678", [{"name": "于浩然", "relation": "孙子"}]),
                                         ("7002", "王桂芝", "13812340021", []),
                                         ("7003", "李春生", "", [])):
            body = {"group_id": g, "passbook_no": pb, "head_name": head, "phone": phone, "members": members}
            self.hh[pb] = status(county.post(f"/api/v1/villages/{v}/households", body), 201, pb).json["id"]
        self.member = s.sql("SELECT id FROM members WHERE household_id = ?", self.hh["7001"])[0][0]
        tag = unique("lhg")
        for role, uname, display in (("village_admin", tag + "admin", "刘长顺"),
                                     ("scorer", tag + "scorer", "赵玉兰")):
            status(county.post("/api/v1/users", {"username": uname, "display_name": display, "role": role,
                                                 "password": DEMO_PASSWORD, "village_id": v}), 201, uname)
        self.admin_username = tag + "admin"
        self.admin = s.login(tag + "admin")
        self.scorer = s.login(tag + "scorer")
        self.villagers = {}
        for pb, name in (("7001", "于洪军"), ("7002", "王桂芝")):
            status(self.admin.post("/api/v1/users", {"display_name": name, "role": "villager", "pin": DEMO_PIN,
                                                     "village_id": v, "household_id": self.hh[pb]}), 201, pb)
            self.villagers[pb] = s.login_villager(pb, village_id=v)
        self.award = make_rule(self.admin, v, category="好人好事", name="拾金不昧", points=5)["id"]
        self.deduct = make_rule(self.admin, v, category="环境卫生", name="乱堆乱放", points=-3)["id"]

    def record(self, rule, pb, date, member=None, **fields):
        """Records rule for household pb (its member if given); returns the entry."""
        body = {"rule_id": rule, "deed_date": date,
                "households": [{"household_id": self.hh[pb], "member_id": member}]}
        body.update(fields)
        r = status(self.scorer.post(f"/api/v1/villages/{self.id}/entries", body), 201, f"record {pb} {date}")
        return r.json["entries"][0]

    def publish(self, month, who=None):
        return (who or self.admin).post(f"/api/v1/villages/{self.id}/notices", {"month": month})

    def publish_ok(self, month):
        return status(self.publish(month), 201, f"publish {month}").json

    def notice(self, nid, who=None):
        return status((who or self.admin).get(f"/api/v1/notices/{nid}"), 200, "notice").json

    def object(self, who, nid, entry_id, reason="那天他家没人在村里，这条记录可能记错了", **kw):
        return who.post(f"/api/v1/notices/{nid}/objections", {"entry_id": entry_id, "reason": reason}, **kw)

    def settle(self, oid, outcome, resolution, who=None, **kw):
        return (who or self.admin).post(f"/api/v1/objections/{oid}/settle",
                                        {"outcome": outcome, "resolution": resolution}, **kw)


def wait_for(what, fn, timeout=30):
    """Polls fn until it returns a true value; returns it."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        got = fn()
        if got:
            return got
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def notice_status(s, nid):
    return s.sql("SELECT status FROM notices WHERE id = ?", nid)[0][0]


def test_publish_who_when_and_what_is_recorded():
    s = Server()
    try:
        v = Village(s)
        e1 = v.record(v.award, "7001", date_in(LAST, 3), note="捡到钱包交还失主")
        e2 = v.record(v.award, "7002", date_in(LAST, 9), quantity=2)
        e3 = v.record(v.deduct, "7003", date_in(LAST, 20))
        v.record(v.award, "7003", date_in(EARLIER, 15))  # another month: not counted
        # who: the village admin only
        for who, name in ((v.villagers["7001"], "villager"), (v.scorer, "scorer"), (v.county, "county admin"),
                          (s.login("admin"), "another village's admin")):
            r = status(v.publish(month_of(LAST), who), 403, name)
            eq(r.error_code, "forbidden", name)
        status(s.anon().post(f"/api/v1/villages/{v.id}/notices", {"month": month_of(LAST)}), 401, "anonymous")
        # when: a month that has ended, written YYYY-MM
        nxt = (today().replace(day=28) + datetime.timedelta(days=5)).isoformat()[:7]
        for month, code in ((THIS_MONTH, "month_not_ended"), (nxt, "month_not_ended"),
                            (f"{today().year}-13", "invalid_month"), ("2026-1", "invalid_month"),
                            ("1999-12", "invalid_month"), ("上个月", "invalid_month")):
            eq(status(v.publish(month), 422, month).error_code, code, month)
        status(v.admin.post(f"/api/v1/villages/{v.id}/notices", {}), 422, "no month")
        status(v.admin.post(f"/api/v1/villages/{v.id}/notices", {"month": 202610}), 422, "not a string")
        status(v.admin.post("/api/v1/villages/999999/notices", {"month": month_of(LAST)}), 404, "no village")
        eq(s.sql("SELECT count(*) FROM notices WHERE village_id = ?", v.id)[0][0], 0, "nothing published")
        # what: the chain head at that moment, the month's entries and points
        head = status(s.anon().get(f"/api/v1/villages/{v.id}/chain"), 200, "chain").json
        n = v.publish_ok(month_of(LAST))
        eq((n["month"], n["status"], n["window_open"], n["confirmed_at"], n["chain_seq"], n["chain_hash"],
            n["entry_count"], n["total_points"], n["open_objections"], n["published_by_name"]),
           (month_of(LAST), "open", True, None, head["seq"], head["hash"], 3,
            e1["points"] + e2["points"] + e3["points"], 0, "刘长顺"), "the notice")
        eq((e1["points"], e2["points"], e3["points"]), (5, 10, -3), "the entries")
        published, closes = (datetime.datetime.fromisoformat(n[k].replace("Z", "+00:00"))
                             for k in ("published_at", "closes_at"))
        eq(round((closes - published).total_seconds()), 60 * 86400, "open for notice_days (60) days")
        eq(s.sql("SELECT count(*) FROM audit_log WHERE entity = 'notice' AND entity_id = ? AND action = 'publish'",
                 n["id"])[0][0], 1, "audited")
        # twice: 409; an earlier month afterwards is fine (any order)
        r = status(v.publish(month_of(LAST)), 409, "twice")
        eq(r.error_code, "notice_exists", "twice")
        older = v.publish_ok(month_of(EARLIER))
        eq((older["entry_count"], older["total_points"]), (1, 5), "the earlier month")
        lst = status(v.villagers["7002"].get(f"/api/v1/villages/{v.id}/notices"), 200, "list").json
        eq([(x["month"], x["status"], x["entry_count"]) for x in lst["items"]],
           [(month_of(LAST), "open", 3), (month_of(EARLIER), "open", 1)], "latest month first")
        eq(lst["total"], 2, "total")
        status(s.login_villager("1001").get(f"/api/v1/villages/{v.id}/notices"), 403, "another village's villager")
    finally:
        s.close()


def test_entries_recorded_after_publication_go_into_the_current_month():
    s = Server()
    try:
        v = Village(s)
        v.record(v.award, "7001", date_in(LAST, 5))
        n = v.publish_ok(month_of(LAST))
        before = v.notice(n["id"])
        late = v.record(v.award, "7002", date_in(LAST, 25), note="公示后补记")
        eq((late["deed_date"], late["month"], late["late"]), (date_in(LAST, 25), THIS_MONTH, True), "late entry")
        # the notice does not change; the passbook shows the entry as late
        after = v.notice(n["id"])
        eq(sum(h["entry_count"] for h in after["households"]), 1, "still one entry in the notice")
        eq(after["total_points"], before["total_points"], "total as published")
        _, items = passbook(v.villagers["7002"], v.hh["7002"])
        eq([(i["id"], i["late"], i["month"]) for i in items], [(late["id"], True, THIS_MONTH)], "passbook")
        # an unpublished month still takes its own entries
        e = v.record(v.award, "7003", date_in(EARLIER, 5))
        eq((e["month"], e["late"]), (month_of(EARLIER), False), "unpublished month")
        # the current month's notice (published later) will carry the late entry, marked late
        cur = status(v.admin.get(f"/api/v1/villages/{v.id}/entries?month={THIS_MONTH}"), 200, "entries").json
        eq([(x["id"], x["late"]) for x in cur["items"]], [(late["id"], True)], "in the current month")
    finally:
        s.close()


def test_notice_lists_every_household_with_entries_and_reasons():
    s = Server()
    try:
        v = Village(s)
        e1 = v.record(v.award, "7001", date_in(LAST, 3), member=v.member, note="捡到钱包交还失主")
        n = v.publish_ok(month_of(LAST))
        for who in (v.villagers["7002"], v.scorer, v.admin, v.county):
            d = v.notice(n["id"], who)
            eq([(h["passbook_no"], h["head_name"], h["points"], h["entry_count"]) for h in d["households"]],
               [("7001", "于洪军", 5, 1), ("7002", "王桂芝", 0, 0), ("7003", "李春生", 0, 0)], "every household")
            e = d["households"][0]["entries"][0]
            eq((e["id"], e["rule_name"], e["points"], e["member_name"], e["note"], e["late"], e["objections"],
                e["after_publication"]), (e1["id"], "拾金不昧", 5, "于浩然", "捡到钱包交还失主", False, [], False),
               "the entry with its reason")
            eq(d["village_name"], v.name, "village")
            for h in d["households"]:
                eq("phone" in h, False, "no phone numbers")
        mine = status(v.villagers["7002"].get(f"/api/v1/notices/{n['id']}?household_id={v.hh['7001']}"), 200,
                      "one household").json
        eq([h["passbook_no"] for h in mine["households"]], ["7001"], "filtered")
        status(s.login_villager("1001").get(f"/api/v1/notices/{n['id']}"), 403, "another village's villager")
        status(s.anon().get(f"/api/v1/notices/{n['id']}"), 401, "needs a login")
        status(v.admin.get("/api/v1/notices/999999"), 404, "no such notice")
    finally:
        s.close()


def test_objection_upheld_posts_a_reversal_in_the_notice_month():
    s = Server()
    try:
        v = Village(s)
        wrong = v.record(v.award, "7001", date_in(LAST, 6), quantity=2)
        other = v.record(v.award, "7003", date_in(EARLIER, 6))
        n = v.publish_ok(month_of(LAST))
        late = v.record(v.award, "7001", date_in(LAST, 27))
        b0 = balance(v.villagers["7001"], v.hh["7001"])
        neighbour = v.villagers["7002"]
        # any villager of the village may object to any entry of the notice
        o = status(v.object(neighbour, n["id"], wrong["id"]), 201, "object").json
        eq((o["status"], o["entry_id"], o["household_id"], o["entry_points"], o["mine"], o["notice_status"],
            o["resolution"]), ("open", wrong["id"], v.hh["7001"], 10, True, "open", None), "objection")
        eq(status(v.object(v.villagers["7001"], n["id"], wrong["id"]), 409, "second").error_code,
           "objection_open", "one open objection per entry")
        for entry, code in ((other["id"], "invalid_entry"), (late["id"], "invalid_entry"),
                            (999999, "invalid_entry")):
            eq(status(v.object(neighbour, n["id"], entry), 422, f"entry {entry}").error_code, code, "not in it")
        status(v.object(neighbour, n["id"], wrong["id"], reason=""), 422, "empty reason")
        status(v.object(v.county, n["id"], wrong["id"]), 403, "area admins do not object")
        status(v.object(s.login_villager("1001"), n["id"], wrong["id"]), 403, "another village's villager")
        # settled by the village admin only
        for who in (v.scorer, neighbour, s.login("admin")):
            status(v.settle(o["id"], "upheld", "核实有误", who), 403, "not the admin")
        status(v.settle(o["id"], "maybe", "核实有误"), 422, "outcome")
        status(v.settle(o["id"], "upheld", ""), 422, "resolution")
        key = {"Idempotency-Key": "settle-upheld-1"}
        r1 = status(v.settle(o["id"], "upheld", "经评分小组核实，当天只参加了半天，予以冲销", headers=key),
                    200, "upheld")
        r2 = status(v.settle(o["id"], "upheld", "经评分小组核实，当天只参加了半天，予以冲销", headers=key),
                    200, "replayed")
        eq((r2.json["reversal_entry_id"], r2.header("Idempotent-Replayed")), (r1.json["reversal_entry_id"], "true"),
           "replay")
        s1 = r1.json
        eq((s1["status"], s1["resolution"], s1["settled_by_name"], s1["notice_status"]),
           ("upheld", "经评分小组核实，当天只参加了半天，予以冲销", "刘长顺", "open"), "settled")
        eq(status(v.settle(o["id"], "dismissed", "再议"), 409, "again").error_code, "objection_settled", "once")
        eq(s.sql("SELECT count(*) FROM entries WHERE reverses_id = ?", wrong["id"])[0][0], 1, "one reversal")
        # the passbook shows the reversal, in the notice's month, pending
        b1, items = passbook(v.villagers["7001"], v.hh["7001"])
        rev = [i for i in items if i["id"] == s1["reversal_entry_id"]][0]
        eq((rev["kind"], rev["points"], rev["reverses_id"], rev["note"], rev["month"], rev["late"]),
           ("reversal", -10, wrong["id"], "经评分小组核实，当天只参加了半天，予以冲销", month_of(LAST), False),
           "reversal")
        eq((b1["pending"], b1["confirmed"]), (b0["pending"] - 10, b0["confirmed"]), "pending reduced")
        d = v.notice(n["id"], neighbour)
        line = [h for h in d["households"] if h["passbook_no"] == "7001"][0]
        eq(line["points"], 0, "the notice's line nets to zero")
        got = {e["id"]: e for e in line["entries"]}
        eq((got[wrong["id"]]["reversed_by"], got[wrong["id"]]["objections"][0]["status"],
            got[rev["id"]]["after_publication"]), (rev["id"], "upheld", True), "marked in the notice")
        eq(s.sql("SELECT count(*) FROM audit_log WHERE entity = 'objection' AND entity_id = ?", o["id"])[0][0],
           2, "raised and settled: audited")
        # a reversed entry takes no new objection
        eq(status(v.object(v.villagers["7001"], n["id"], wrong["id"]), 409, "reversed").error_code,
           "already_reversed", "reversed")
        eq(status(v.object(neighbour, n["id"], rev["id"]), 422, "a reversal").error_code,
           "entry_not_objectable", "reversal")
        eq(verify(s.db).returncode, 0, "verify")
    finally:
        s.close()


def test_objection_dismissed_reason_is_what_the_villager_reads():
    s = Server()
    try:
        v = Village(s)
        e = v.record(v.deduct, "7001", date_in(LAST, 12))
        n = v.publish_ok(month_of(LAST))
        me = v.villagers["7001"]
        b0 = balance(me, v.hh["7001"])
        key = {"Idempotency-Key": "object-1"}
        o = status(v.object(me, n["id"], e["id"], reason="我家柴草当天已经清理干净了，不应扣分", headers=key),
                   201, "object").json
        again = status(v.object(me, n["id"], e["id"], reason="我家柴草当天已经清理干净了，不应扣分", headers=key),
                       201, "replayed")
        eq((again.json["id"], again.header("Idempotent-Replayed")), (o["id"], "true"), "same objection")
        r = status(v.settle(o["id"], "dismissed", "评分小组检查时拍有照片，柴草堆在路边，维持扣分"), 200,
                   "dismissed").json
        eq((r["status"], r["reversal_entry_id"]), ("dismissed", None), "no reversal")
        seen = status(me.get(f"/api/v1/objections/{o['id']}"), 200, "the villager reads it").json
        eq((seen["status"], seen["resolution"], seen["mine"], seen["created_by_name"]),
           ("dismissed", "评分小组检查时拍有照片，柴草堆在路边，维持扣分", True, "于洪军"), "what the villager sees")
        eq(balance(me, v.hh["7001"]), b0, "balance unchanged")
        # a neighbour sees the objection and its outcome but not who raised it
        lst = status(v.villagers["7002"].get(f"/api/v1/notices/{n['id']}/objections"), 200, "list").json
        eq([(x["id"], x["status"], x["created_by"], x["created_by_name"], x["mine"]) for x in lst["items"]],
           [(o["id"], "dismissed", None, None, False)], "neighbour's view")
        staff = status(v.scorer.get(f"/api/v1/notices/{n['id']}/objections?status=dismissed"), 200, "staff").json
        eq([(x["created_by_name"]) for x in staff["items"]], ["于洪军"], "staff see the author")
        eq(status(v.scorer.get(f"/api/v1/notices/{n['id']}/objections?status=open"), 200, "open").json["total"],
           0, "none open")
        status(v.scorer.get(f"/api/v1/notices/{n['id']}/objections?status=maybe"), 400, "bad status")
        status(s.login_villager("1001").get(f"/api/v1/objections/{o['id']}"), 403, "another village")
    finally:
        s.close()


def test_window_closes_then_the_month_confirms_by_itself():
    s = Server(args=["--notice-day-seconds", str(DAY_S), "--confirm-interval", "1"])
    try:
        v = Village(s, notice_days=1)
        e1 = v.record(v.award, "7001", date_in(LAST, 4), quantity=3)
        v.record(v.deduct, "7001", date_in(LAST, 8))
        v.record(v.award, "7002", date_in(LAST, 8))
        cur = v.record(v.award, "7001", today().isoformat())
        me = v.villagers["7001"]
        b0 = balance(me, v.hh["7001"])
        eq((b0["confirmed"], b0["pending"]), (0, 15 - 3 + 5), "all pending before")
        n = v.publish_ok(month_of(LAST))
        eq(notice_status(s, n["id"]), "open", "open at first")
        wait_for("confirmation", lambda: notice_status(s, n["id"]) == "confirmed", timeout=DAY_S + 20)
        d = v.notice(n["id"], me)
        eq((d["status"], d["window_open"], d["confirmed_at"] is not None), ("confirmed", False, True), "confirmed")
        b1 = balance(me, v.hh["7001"])
        eq((b1["confirmed"], b1["pending"]), (12, 5), "the month's points moved to confirmed")
        eq(balance(v.villagers["7002"], v.hh["7002"])["confirmed"], 5, "the neighbour's too")
        eq(s.sql("SELECT count(*) FROM confirmed_months WHERE village_id = ? AND month = ?", v.id,
                 month_of(LAST))[0][0], 1, "confirmed_months")
        eq(s.sql("SELECT count(*) FROM audit_log WHERE entity = 'notice' AND entity_id = ? AND action = 'confirm'"
                 " AND ip = 'scheduler'", n["id"])[0][0], 1, "audited once")
        # closed: no objection any more
        eq(status(v.object(me, n["id"], e1["id"]), 409, "closed").error_code, "notice_closed", "closed")
        # a late entry for the confirmed month goes pending into the current month
        late = v.record(v.award, "7001", date_in(LAST, 28))
        eq((late["month"], late["late"], late["bucket"]), (THIS_MONTH, True, "pending"), "late after confirmation")
        eq(cur["month"], THIS_MONTH, "current month untouched")
        p = verify(s.db)
        eq(p.returncode, 0, "verify: " + p.stdout + p.stderr)
    finally:
        s.close()


def test_an_open_objection_holds_the_confirmation_until_settled():
    s = Server(args=["--notice-day-seconds", str(DAY_S), "--confirm-interval", "1"])
    try:
        v = Village(s, notice_days=1)
        e1 = v.record(v.award, "7001", date_in(LAST, 4))
        e2 = v.record(v.award, "7002", date_in(LAST, 5))
        n = v.publish_ok(month_of(LAST))
        o1 = status(v.object(v.villagers["7002"], n["id"], e1["id"]), 201, "object 1").json
        o2 = status(v.object(v.villagers["7001"], n["id"], e2["id"]), 201, "object 2").json
        closes = datetime.datetime.fromisoformat(n["closes_at"].replace("Z", "+00:00")).timestamp()
        time.sleep(max(0.0, closes - time.time()) + 3)  # past the window and a few scheduler passes
        d = v.notice(n["id"])
        eq((d["status"], d["window_open"], d["open_objections"]), ("open", False, 2), "held open")
        eq(s.sql("SELECT count(*) FROM confirmed_months WHERE village_id = ?", v.id)[0][0], 0, "not confirmed")
        # a new objection is refused: the window is closed
        eq(status(v.object(v.villagers["7001"], n["id"], e1["id"]), 409, "closed").error_code, "notice_closed", "")
        r = status(v.settle(o1["id"], "dismissed", "核实无误"), 200, "first settled").json
        eq(r["notice_status"], "open", "one objection still open")
        time.sleep(1.5)
        eq(notice_status(s, n["id"]), "open", "still held")
        r = status(v.settle(o2["id"], "upheld", "核实有误，予以冲销"), 200, "last settled").json
        eq(r["notice_status"], "confirmed", "confirmed by the last settlement")
        eq(s.sql("SELECT count(*) FROM audit_log WHERE entity = 'notice' AND entity_id = ? AND action = 'confirm'",
                 n["id"])[0][0], 1, "confirmed once")
        b = balance(v.villagers["7002"], v.hh["7002"])
        eq((b["confirmed"], b["pending"]), (0, 0), "the upheld entry and its reversal confirmed together")
        b = balance(v.villagers["7001"], v.hh["7001"])
        eq((b["confirmed"], b["pending"]), (5, 0), "the dismissed one's points confirmed")
        p = verify(s.db)
        eq(p.returncode, 0, "verify: " + p.stdout + p.stderr)
    finally:
        s.close()


def test_a_window_that_closed_while_the_server_was_down_confirms_at_start():
    s = Server(args=["--notice-day-seconds", str(DAY_S), "--confirm-interval", "3600"])
    try:
        v = Village(s, notice_days=1)
        v.record(v.award, "7001", date_in(LAST, 4))
        n = v.publish_ok(month_of(LAST))
        s.stop()
        closes = datetime.datetime.fromisoformat(n["closes_at"].replace("Z", "+00:00")).timestamp()
        eq(notice_status(s, n["id"]), "open", "open when the server stopped")
        time.sleep(max(0.0, closes - time.time()) + 1)
        eq(notice_status(s, n["id"]), "open", "nobody confirms while the server is down")
        s.start()  # returns when the server answers; the catch-up ran before
        eq(notice_status(s, n["id"]), "confirmed", "caught up at start")
        eq(len(s.log_lines("confirmed 1 monthly notice")), 1, "logged")
        me = s.login_villager("7001", village_id=v.id)
        b = balance(me, v.hh["7001"])
        eq((b["confirmed"], b["pending"]), (5, 0), "confirmed points")
    finally:
        s.close()


def test_public_view_masks_names_and_needs_no_login():
    s = Server()
    try:
        v = Village(s)
        anon = s.anon()
        r = status(anon.get(f"/api/v1/villages/{v.id}/notices/current"), 404, "nothing published")
        eq(r.error_code, "not_found", "404")
        status(anon.get("/api/v1/villages/999999/notices/current"), 404, "no village")
        e1 = v.record(v.award, "7001", date_in(LAST, 3), note="捡到钱包交还失主，电话13904105678")
        e2 = v.record(v.award, "7001", date_in(LAST, 7), member=v.member)
        v.record(v.deduct, "7002", date_in(LAST, 9))
        v.record(v.award, "7003", date_in(EARLIER, 9))
        n = v.publish_ok(month_of(LAST))
        v.publish_ok(month_of(EARLIER))  # published after, but an older month
        r = status(anon.get(f"/api/v1/villages/{v.id}/notices/current"), 200, "public")
        p = r.json
        eq((p["id"], p["month"], p["chain_seq"], p["chain_hash"], p["village_name"], p["total_points"]),
           (n["id"], month_of(LAST), n["chain_seq"], n["chain_hash"], v.name, 7), "the latest month's notice")
        eq([(h["head_name"], h["points"]) for h in p["households"]],
           [("于*军", 10), ("王*芝", -3), ("李*生", 0)], "masked heads")
        ents = p["households"][0]["entries"]
        eq([(x["id"], x["rule_name"], x["points"], x["member_name"], x["late"]) for x in ents],
           [(e1["id"], "拾金不昧", 5, None, False), (e2["id"], "拾金不昧", 5, "于*然", False)],
           "entries with masked members")
        for secret in ("于洪军", "王桂芝", "李春生", "于浩然", "13904105678", "139****5678", "13812340021",
                       "捡到钱包", v.admin_username, "passbook", "phone", "note"):
            eq(secret in r.text, False, f"{secret!r} is not in the public view")
        eq(p["published_by_name"], "刘长顺", "the admin's display name only")
        older = status(anon.get(f"/api/v1/villages/{v.id}/notices/current?month={month_of(EARLIER)}"), 200,
                       "by month").json
        eq((older["month"], [h["points"] for h in older["households"]]), (month_of(EARLIER), [0, 0, 5]), "older")
        status(anon.get(f"/api/v1/villages/{v.id}/notices/current?month={THIS_MONTH}"), 404, "not published")
        status(anon.get(f"/api/v1/villages/{v.id}/notices/current?month=2026-13"), 422, "bad month")
    finally:
        s.close()


def test_two_villagers_objecting_to_one_entry_at_once_make_one_objection():
    s = Server()
    try:
        v = Village(s)
        e = v.record(v.award, "7003", date_in(LAST, 4))
        n = v.publish_ok(month_of(LAST))
        people = [v.villagers["7001"], v.villagers["7002"], v.scorer, v.admin] * 4
        got = in_parallel(len(people), lambda i: v.object(people[i], n["id"], e["id"]).status)
        eq(sorted(got), [201] + [409] * (len(people) - 1), "exactly one")
        eq(s.sql("SELECT count(*) FROM objections WHERE entry_id = ?", e["id"])[0][0], 1, "one row")
    finally:
        s.close()


if __name__ == "__main__":
    run(globals())
