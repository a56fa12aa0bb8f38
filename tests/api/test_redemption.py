"""Redemption at the points supermarket (issue 4 item 2, 一季一兑换): the clerk
finds the household by id, passbook number or QR code, picks goods, and the
redemption spends *confirmed* points and stock in one transaction — inside a
window (by default the last days of each quarter; explicit windows by the
admin), or outside one only under an admin's recorded override. Never below
zero, never twice for one Idempotency-Key, the last piece to exactly one of 32
clerks, a household's points to no more than it has when 20 redemptions race,
a cancellation exactly once, a restock racing redemptions; receipts and lists
for the right people; `jifen verify` passes after all of it."""
import datetime
import re

from harness import eq, run, status
from ledger_fixtures import CN, day, in_parallel, today
from shop_fixtures import (check_ledger, goods, open_today, redeem, shop_server, shop_village,
                           stock)


def current(client, village_id):
    return status(client.get(f"/api/v1/villages/{village_id}/redemption-windows/current"), 200,
                  "current").json


def default_window(d, n):
    """The last n days of d's quarter (the whole quarter when shorter)."""
    first = datetime.date(d.year, (d.month - 1) // 3 * 3 + 1, 1)
    nxt = datetime.date(first.year + (first.month == 10), (first.month + 2) % 12 + 1, 1)
    end = nxt - datetime.timedelta(days=1)
    return max(first, end - datetime.timedelta(days=n - 1)), end


def no_server_errors(results):
    bad = [r for r in results if r.status >= 500]
    if bad:
        raise AssertionError(f"server errors: {bad[:3]}")


def test_windows_say_when_the_shop_opens():
    s = shop_server()
    try:
        anon = s.anon()
        # the demo village: the last 10 days of each quarter, whatever today is
        t = today()
        start, end = default_window(t, 10)
        c = current(anon, s.village_id)
        eq(c["today"], t.isoformat(), "today in China")
        if start <= t <= end:
            eq((c["open"], c["window"]["source"], c["window"]["starts_on"], c["open_until"]),
               (True, "default", start.isoformat(), end.isoformat()), "inside the default window")
            start, end = default_window(end + datetime.timedelta(days=1), 10)
        else:
            eq((c["open"], c["window"], c["can_redeem"]), (False, None, False), "outside")
        eq((c["next_window"]["source"], c["next_window"]["starts_on"], c["next_window"]["ends_on"]),
           ("default", start.isoformat(), end.isoformat()), "the next default window")
        # a village that redeems only in explicit windows
        v = shop_village(s, confirmed=(200,))
        soap = goods(v, "香皂", 5, 20)
        c = current(anon, v.id)
        eq((c["open"], c["next_window"], c["can_redeem"], c["override"]), (False, None, False, None),
           "nothing planned")
        r = redeem(v.clerk, v, 0, [(soap["id"], 1)])
        eq((r.status, r.error_code, r.json["error"]["next_opens_on"]), (403, "redemption_closed", None),
           "closed, nothing planned")
        w = status(v.admin.post(f"/api/v1/villages/{v.id}/redemption-windows",
                                {"starts_on": day(1), "ends_on": day(3), "note": "秋收后兑换"}),
                   201, "window").json
        eq((w["starts_on"], w["ends_on"], w["note"], w["created_by_name"]),
           (day(1), day(3), "秋收后兑换", "马玉山"), "window")
        c = current(anon, v.id)
        eq((c["open"], c["next_window"]["id"], c["next_window"]["source"],
            c["next_window"]["starts_on"]), (False, w["id"], "explicit", day(1)), "coming")
        r = redeem(v.clerk, v, 0, [(soap["id"], 1)])
        eq((r.status, r.error_code, r.json["error"]["next_opens_on"],
            r.json["error"]["next_ends_on"]), (403, "redemption_closed", day(1), day(3)),
           "closed until tomorrow")
        eq(day(1) in r.json["error"]["message"], True, "the message says when it opens")
        eq(stock(v.clerk, soap["id"]), 20, "nothing taken")
        for body, code in [({"starts_on": day(-3), "ends_on": day(-1)}, "window_in_past"),
                           ({"starts_on": day(3), "ends_on": day(1)}, "invalid_window"),
                           ({"starts_on": day(0), "ends_on": day(92)}, "window_too_long"),
                           ({"starts_on": "2026-02-30", "ends_on": day(1)}, "invalid_date")]:
            r = v.admin.post(f"/api/v1/villages/{v.id}/redemption-windows", body)
            eq((r.status, r.error_code), (422, code), f"refused {body}")
        me = v.villager(0)
        for c_, what, want in [(v.clerk, "clerk", 403), (me, "villager", 403),
                               (s.login("admin"), "another village's admin", 403),
                               (anon, "anonymous", 401)]:
            eq(c_.post(f"/api/v1/villages/{v.id}/redemption-windows",
                       {"starts_on": day(0), "ends_on": day(0)}).status, want, what)
        eq(status(me.get(f"/api/v1/villages/{v.id}/redemption-windows"), 200, "villager reads")
           .json["total"], 1, "one window")
        # today's window adjoins tomorrow's: open until the end of the run
        open_today(v)
        c = current(anon, v.id)
        eq((c["open"], c["window"]["source"], c["window"]["ends_on"], c["open_until"],
            c["can_redeem"], c["next_window"]), (True, "explicit", day(0), day(3), True, None),
           "open through the run of windows")
        r = status(redeem(v.clerk, v, 0, [(soap["id"], 1)]), 201, "inside a window").json
        eq(r["override_id"], None, "no override needed")
        eq(s.sql("SELECT count(*) FROM audit_log WHERE entity = 'redemption_window' AND village_id = ?",
                 v.id)[0][0], 2, "windows audited")
        check_ledger(s)
    finally:
        s.close()


def test_an_override_lets_the_clerk_redeem_outside_a_window():
    s = shop_server()
    try:
        v = shop_village(s, confirmed=(200,))
        soap = goods(v, "香皂", 5, 20)
        eq(redeem(v.clerk, v, 0, [(soap["id"], 1)]).error_code, "redemption_closed", "closed")
        path = f"/api/v1/villages/{v.id}/redemption-overrides"
        me = v.villager(0)
        eq(v.clerk.post(path, {"reason": "急用", "hours": 2}).status, 403, "the clerk cannot")
        eq(me.post(path, {"reason": "急用", "hours": 2}).status, 403, "a villager cannot")
        eq(s.login("admin").post(path, {"reason": "急用", "hours": 2}).status, 403,
           "another village's admin cannot")
        for body, code in [({"reason": "急用", "hours": 0}, "invalid_hours"),
                           ({"reason": "急用", "hours": 73}, "invalid_hours"),
                           ({"reason": "急用", "hours": "2"}, "wrong_type"),
                           ({"reason": "", "hours": 2}, "too_short"),
                           ({"hours": 2}, "missing_field")]:
            r = v.admin.post(path, body)
            eq((r.status, r.error_code), (422, code), f"refused {body}")
        before = datetime.datetime.now(datetime.timezone.utc)
        o = status(v.admin.post(path, {"reason": "五保户于大爷住院，提前兑换生活用品", "hours": 2}),
                   201, "override").json
        until = datetime.datetime.fromisoformat(o["valid_until"].replace("Z", "+00:00"))
        eq(abs((until - before).total_seconds() - 7200) < 60, True, f"valid 2 hours: {o}")
        eq((o["reason"], o["created_by_name"]), ("五保户于大爷住院，提前兑换生活用品", "马玉山"), "override")
        eq(s.sql("SELECT count(*) FROM audit_log WHERE entity = 'redemption_override'"
                 " AND entity_id = ? AND summary LIKE '%五保户%'", o["id"])[0][0], 1,
           "recorded and audited with its reason")
        c = current(s.anon(), v.id)
        eq((c["open"], c["can_redeem"], c["override"]["id"], "reason" in c["override"]),
           (False, True, o["id"], False), "open by override; the public does not read why")
        r = status(redeem(v.clerk, v, 0, [(soap["id"], 2)]), 201, "redeemed by override").json
        eq(r["override_id"], o["id"], "the redemption names the override")
        lst = status(v.clerk.get(path), 200, "overrides").json
        eq([x["id"] for x in lst["items"]], [o["id"]], "listed for the staff")
        eq(me.get(path).status, 403, "not for villagers")
        # another village's clerk gains nothing from it
        eq(s.login("clerk").post(f"/api/v1/villages/{v.id}/redemptions",
                                 {"household_id": v.households[0],
                                  "items": [{"goods_id": soap["id"], "quantity": 1}]}).status,
           403, "another village's clerk")
        check_ledger(s)
    finally:
        s.close()


def test_only_confirmed_points_are_spent_and_every_refusal_changes_nothing():
    s = shop_server()
    try:
        v = shop_village(s, confirmed=(100, 80), pending=(500,))
        oil = goods(v, "食用油", 150, 10, category="粮油", unit="桶")
        rice = goods(v, "大米", 50, 10, category="粮油", unit="袋")
        old = goods(v, "旧脸盆", 5, 3)
        status(v.admin.patch(f"/api/v1/goods/{old['id']}", {"status": "retired"}), 200, "retire")
        open_today(v)
        r = redeem(v.clerk, v, 0, [(oil["id"], 1)])
        eq((r.status, r.error_code, r.json["error"]["confirmed"], r.json["error"]["needed"]),
           (422, "insufficient_points", 100, 150), "not enough confirmed points")
        eq(("100" in r.json["error"]["message"], "150" in r.json["error"]["message"]), (True, True),
           "the message says how many there are")
        # 500 pending points buy nothing
        r = redeem(v.clerk, v, 2, [(rice["id"], 1)])
        eq((r.status, r.error_code, r.json["error"]["confirmed"]), (422, "insufficient_points", 0),
           "pending points do not count")
        demo_goods = s.sql("SELECT id FROM goods WHERE village_id <> ? LIMIT 1", v.id)
        other_goods = demo_goods[0][0] if demo_goods else None
        refusals = [
            ([(rice["id"], 11)], {}, 409, "out_of_stock"),
            ([(old["id"], 1)], {}, 409, "goods_retired"),
            ([(rice["id"], 0)], {}, 422, "invalid_quantity"),
            ([(rice["id"], 101)], {}, 422, "invalid_quantity"),
            ([(rice["id"], 1), (rice["id"], 1)], {}, 422, "duplicate_goods"),
            ([], {}, 422, "no_items"),
            ([(999999, 1)], {}, 422, "invalid_goods"),
            ([(rice["id"], 1)], {"passbook_no": "9999"}, 422, "invalid_household"),
            ([(rice["id"], 1)], {"household_id": 1}, 422, "invalid_household"),
            ([(rice["id"], 1)], {"passbook_no": v.passbooks[0], "household_id": v.households[0]},
             422, "household_required"),
        ]
        if other_goods:
            refusals.append(([(other_goods, 1)], {}, 422, "invalid_goods"))
        for items, who, code_st, code in refusals:
            body = {"items": [{"goods_id": g, "quantity": q} for g, q in items]}
            body.update(who or {"household_id": v.households[0]})
            r = v.clerk.post(f"/api/v1/villages/{v.id}/redemptions", body)
            eq((r.status, r.error_code), (code_st, code), f"refused {body}")
        r = v.clerk.post(f"/api/v1/villages/{v.id}/redemptions",
                         {"household_id": v.households[0], "items": [{"goods_id": rice["id"]}]})
        eq((r.status, r.error_code), (422, "invalid_items"), "an item without quantity")
        r = redeem(v.clerk, v, 0, [(rice["id"], 11)])
        eq(("大米" in r.json["error"]["message"], r.json["error"]["goods_id"],
            r.json["error"]["stock"]), (True, rice["id"], 10), "out of stock names the goods")
        # who: the clerk and the village admin only
        me = v.villager(0)
        for c, what in [(me, "villager"), (v.county, "the county"), (s.login("clerk"),
                                                                      "another village's clerk")]:
            eq(redeem(c, v, 0, [(rice["id"], 1)]).status, 403, what)
        eq(s.anon().post(f"/api/v1/villages/{v.id}/redemptions", {"items": []}).status, 401, "anon")
        eq((stock(v.clerk, oil["id"]), stock(v.clerk, rice["id"]), v.balance(0), v.balance(1)),
           (10, 10, 100, 80), "nothing changed by any refusal")
        eq(s.sql("SELECT count(*) FROM redemptions WHERE village_id = ?", v.id)[0][0], 0,
           "no redemption")
        # spending exactly all of it, then nothing more
        r = status(redeem(v.admin, v, 0, [(rice["id"], 2)], by="passbook_no"), 201, "all of it").json
        eq((r["total_points"], r["balance_after"], v.balance(0)), (100, 0, 0), "down to zero")
        r = redeem(v.clerk, v, 0, [(rice["id"], 1)])
        eq((r.status, r.json["error"]["confirmed"]), (422, 0), "and not below")
        # a household that moved out redeems nothing
        status(v.county.patch(f"/api/v1/households/{v.households[1]}", {"status": "moved_out"}), 200,
               "move out")
        eq(redeem(v.clerk, v, 1, [(rice["id"], 1)]).error_code, "household_moved_out", "moved out")
        check_ledger(s)
    finally:
        s.close()


def test_receipts_lists_and_the_passbook():
    s = shop_server()
    try:
        v = shop_village(s, confirmed=(300, 200))
        soap = goods(v, "香皂", 5, 50, unit="块")
        rice = goods(v, "大米", 40, 10, category="粮油", unit="袋")
        open_today(v)
        r = status(redeem(v.clerk, v, 0, [(soap["id"], 2), (rice["id"], 1)], by="passbook_no"), 201,
                   "redeem").json
        date = datetime.datetime.now(CN).strftime("%Y%m%d")
        eq(r["receipt_no"], f"JF{v.id}-{date}-0001", "receipt number")
        eq((r["total_points"], r["balance_after"], r["item_count"], r["status"], r["cancelled_at"]),
           (50, 250, 3, "done", None), "receipt")
        eq([(i["goods_name"], i["goods_unit"], i["quantity"],
             i["price_points"], i["points"]) for i in r["items"]],
           [("香皂", "块", 2, 5, 10), ("大米", "袋", 1, 40, 40)], "items")
        eq((r["household"]["id"], r["household"]["head_name"], r["household"]["passbook_no"],
            r["household"]["group_name"], r["clerk"]["name"]),
           (v.households[0], "于洪军", v.passbooks[0], "一组", "周建国"), "who")
        r2 = status(redeem(v.clerk, v, 1, [(soap["id"], 4)]), 201, "second").json
        eq(r2["receipt_no"], f"JF{v.id}-{date}-0002", "numbered in order")
        me, neighbour = v.villager(0), v.villager(1)
        path = f"/api/v1/redemptions/{r['id']}"
        for c, what in [(v.clerk, "clerk"), (v.admin, "admin"), (me, "its household"),
                        (v.county, "the county")]:
            got = status(c.get(path), 200, what).json
            eq((got["receipt_no"], got["items"], got["total_points"]),
               (r["receipt_no"], r["items"], 50), f"the same receipt for {what}")
        eq(neighbour.get(path).status, 403, "not another household's")
        eq(s.login("clerk").get(path).status, 403, "not another village's clerk")
        eq(s.anon().get(path).status, 401, "not anonymous")
        eq(s.anon().get("/api/v1/redemptions/999999").status, 401, "login first")
        eq(v.clerk.get("/api/v1/redemptions/999999").status, 404, "no such receipt")
        # the passbook shows the spending, confirmed
        pb = status(me.get(f"/api/v1/households/{v.households[0]}/passbook"), 200, "passbook").json
        eq((pb["balance"]["confirmed"], pb["items"][0]["kind"], pb["items"][0]["points"],
            r["receipt_no"] in pb["items"][0]["note"]), (250, "redemption", -50, True), "passbook")
        # lists
        lst = status(v.clerk.get(f"/api/v1/villages/{v.id}/redemptions?per_page=1"), 200, "list").json
        eq((lst["total"], [x["id"] for x in lst["items"]]), (2, [r2["id"]]), "newest first, paged")
        mine = status(me.get(f"/api/v1/households/{v.households[0]}/redemptions"), 200, "mine").json
        eq([x["receipt_no"] for x in mine["items"]], [r["receipt_no"]], "a household's own")
        eq(neighbour.get(f"/api/v1/households/{v.households[0]}/redemptions").status, 403,
           "not the neighbour's")
        eq(me.get(f"/api/v1/villages/{v.id}/redemptions").status, 403, "villagers list no village")
        status(v.admin.post(f"/api/v1/redemptions/{r2['id']}/cancel", {"reason": "记错了户"}), 200,
               "cancel")
        done = status(v.clerk.get(f"/api/v1/villages/{v.id}/redemptions?status=done"), 200, "done")
        cancelled = status(v.clerk.get(f"/api/v1/villages/{v.id}/redemptions?status=cancelled"), 200,
                           "cancelled")
        eq(([x["id"] for x in done.json["items"]], [x["id"] for x in cancelled.json["items"]]),
           ([r["id"]], [r2["id"]]), "by status")
        eq(v.clerk.get(f"/api/v1/villages/{v.id}/redemptions?status=lost").status, 400, "bad status")
        eq(s.sql("SELECT count(*) FROM audit_log WHERE entity = 'redemption' AND action = 'create'"
                 " AND village_id = ?", v.id)[0][0], 2, "audited")
        eq(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", r["created_at"]) is not None, True, "time")
        check_ledger(s)
    finally:
        s.close()


def test_one_idempotency_key_one_redemption():
    s = shop_server()
    try:
        v = shop_village(s, confirmed=(1000,))
        soap = goods(v, "香皂", 5, 100)
        open_today(v)
        key = {"Idempotency-Key": "redeem-soap-1"}
        a = status(redeem(v.clerk, v, 0, [(soap["id"], 3)], headers=key), 201, "first")
        b = status(redeem(v.clerk, v, 0, [(soap["id"], 3)], headers=key), 201, "repeat")
        eq((b.header("Idempotent-Replayed"), b.json["id"], b.json["receipt_no"]),
           ("true", a.json["id"], a.json["receipt_no"]), "the first response again")
        c = redeem(v.clerk, v, 0, [(soap["id"], 4)], headers=key)
        eq((c.status, c.error_code), (422, "idempotency_key_reused"), "another request, same key")
        eq((stock(v.clerk, soap["id"]), v.balance(0)), (97, 985), "one effect")
        # the same key from 10 threads at once: one redemption
        key2 = {"Idempotency-Key": "redeem-soap-2"}
        res = in_parallel(10, lambda i: redeem(v.clerk, v, 0, [(soap["id"], 1)], headers=key2))
        no_server_errors(res)
        eq(sorted({r.status for r in res} - {201, 409}), [], f"only 201 and 409: {res}")
        ids = {r.json["id"] for r in res if r.status == 201}
        eq(len(ids), 1, "one redemption behind every 201")
        eq((stock(v.clerk, soap["id"]), v.balance(0)), (96, 980), "one effect")
        eq(s.sql("SELECT count(*) FROM redemptions WHERE village_id = ?", v.id)[0][0], 2, "two in all")
        # a cancel under a key: replayed, restored once
        ck = {"Idempotency-Key": "cancel-1"}
        path = f"/api/v1/redemptions/{a.json['id']}/cancel"
        x = status(v.admin.post(path, {"reason": "拿错了"}, headers=ck), 200, "cancel")
        y = status(v.admin.post(path, {"reason": "拿错了"}, headers=ck), 200, "cancel again")
        eq((y.header("Idempotent-Replayed"), y.json["status"], x.json["status"]),
           ("true", "cancelled", "cancelled"), "replayed")
        eq((stock(v.clerk, soap["id"]), v.balance(0)), (99, 995), "restored once")
        check_ledger(s)
    finally:
        s.close()


def test_the_last_piece_goes_to_exactly_one_of_32_clerks():
    s = shop_server()
    try:
        v = shop_village(s, confirmed=(1000, 1000))
        pot = goods(v, "铁锅", 60, 1, category="厨具", unit="口")
        open_today(v)
        res = in_parallel(32, lambda i: redeem(v.clerk if i % 2 else v.admin, v, i % 2,
                                               [(pot["id"], 1)]))
        no_server_errors(res)
        won = [r for r in res if r.status == 201]
        lost = [r for r in res if r.status == 409 and r.error_code == "out_of_stock"]
        eq((len(won), len(lost)), (1, 31), f"exactly one: {sorted(r.status for r in res)}")
        eq("铁锅" in lost[0].json["error"]["message"], True, "the refusal names the goods")
        eq(stock(v.clerk, pot["id"]), 0, "none left, not below")
        eq(s.sql("SELECT count(*), sum(total_points) FROM redemptions WHERE village_id = ?", v.id),
           [(1, 60)], "one redemption")
        eq(sorted([v.balance(0), v.balance(1)]), [940, 1000], "one household paid once")
        # a restock racing redemptions: the stock ends as the moves say, never below zero
        mop = goods(v, "拖把", 20, 2, category="清洁用品")
        res = in_parallel(13, lambda i: v.clerk.post(
            f"/api/v1/goods/{mop['id']}/stock", {"kind": "intake", "delta": 5, "reason": "补货"})
            if i == 6 else redeem(v.admin, v, i % 2, [(mop["id"], 1)]))
        no_server_errors(res)
        eq(res[6].status, 201, "the intake")
        got = sum(1 for i, r in enumerate(res) if i != 6 and r.status == 201)
        eq(all(r.status in (201, 409) for r in res), True, f"201 or 409: {res}")
        eq(got >= 2 and got <= 7, True, f"between the stock before and after the intake: {got}")
        eq(stock(v.clerk, mop["id"]), 7 - got, "stock = 2 + 5 - redeemed")
        check_ledger(s)
    finally:
        s.close()


def test_twenty_redemptions_racing_for_one_households_points():
    s = shop_server()
    try:
        v = shop_village(s, confirmed=(100,))
        towel = goods(v, "毛巾", 30, 100, unit="条")
        open_today(v)
        res = in_parallel(20, lambda i: redeem(v.clerk if i % 2 else v.admin, v, 0,
                                               [(towel["id"], 1)]))
        no_server_errors(res)
        won = sum(1 for r in res if r.status == 201)
        refused = [r for r in res if r.status == 422 and r.error_code == "insufficient_points"]
        eq((won, len(refused)), (3, 17), f"3 × 30 ≤ 100: {sorted(r.status for r in res)}")
        eq((v.balance(0), stock(v.clerk, towel["id"])), (10, 97), "spent 90, never more")
        eq(s.sql("SELECT sum(total_points) FROM redemptions WHERE village_id = ?", v.id)[0][0], 90,
           "total spent ≤ balance")
        check_ledger(s)
    finally:
        s.close()


def test_a_cancellation_restores_points_and_stock_exactly_once():
    s = shop_server()
    try:
        v = shop_village(s, confirmed=(200, 200))
        soap = goods(v, "香皂", 5, 10)
        kettle = goods(v, "暖水瓶", 30, 2, category="厨具", unit="个")
        open_today(v)
        r = status(redeem(v.clerk, v, 0, [(soap["id"], 4), (kettle["id"], 2)]), 201, "redeem").json
        eq((v.balance(0), stock(v.clerk, soap["id"]), stock(v.clerk, kettle["id"])), (120, 6, 0),
           "spent")
        path = f"/api/v1/redemptions/{r['id']}/cancel"
        me = v.villager(0)
        eq(me.post(path, {"reason": "不要了"}).status, 403, "not the villager")
        eq(v.county.post(path, {"reason": "不要了"}).status, 403, "not the county")
        eq(s.login("admin").post(path, {"reason": "不要了"}).status, 403, "not another village")
        eq(v.admin.post(path, {}).error_code, "missing_field", "a reason is needed")
        res = in_parallel(10, lambda i: v.admin.post(path, {"reason": "暖水瓶有裂纹，退回"}))
        no_server_errors(res)
        ok = [x for x in res if x.status == 200]
        again = [x for x in res if x.status == 409 and x.error_code == "already_cancelled"]
        eq((len(ok), len(again)), (1, 9), f"exactly once: {sorted(x.status for x in res)}")
        c = ok[0].json
        eq((c["status"], c["cancel_reason"], c["cancelled_by_name"], c["cancelled_at"] is not None),
           ("cancelled", "暖水瓶有裂纹，退回", "马玉山", True), "the receipt says so")
        eq((v.balance(0), stock(v.clerk, soap["id"]), stock(v.clerk, kettle["id"])), (200, 10, 2),
           "restored once")
        eq(s.sql("SELECT count(*), sum(points) FROM entries WHERE reverses_id = ?", r["entry_id"]),
           [(1, 80)], "one reversal of the redemption's entry: 4 × 5 + 2 × 30")
        eq(s.sql("SELECT kind, sum(delta) FROM stock_moves WHERE redemption_id = ? GROUP BY kind"
                 " ORDER BY kind", r["id"]), [("cancel", 6), ("redemption", -6)], "stock moves")
        eq(v.admin.post(path, {"reason": "再来一次"}).error_code, "already_cancelled", "later too")
        rev = v.admin.post(f"/api/v1/entries/{r['entry_id']}/reversal", {"reason": "冲销"})
        eq(rev.status, 409, "a redemption is cancelled, not reversed")
        # the clerk may cancel on the day of the redemption
        r2 = status(redeem(v.clerk, v, 1, [(soap["id"], 1)]), 201, "redeem").json
        status(v.clerk.post(f"/api/v1/redemptions/{r2['id']}/cancel", {"reason": "按错了"}), 200,
               "the clerk, same day")
        eq(v.balance(1), 200, "restored")
        check_ledger(s)
    finally:
        s.close()


run(globals())
