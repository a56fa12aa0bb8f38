"""The points supermarket's stock (issue 4 item 2): sponsors (结对共建企业) and
what each gave — money in yuan, goods taken into stock — with a statement of
given, redeemed (cancelled redemptions left out) and left; goods that anyone can
read without logging in, with their picture; stock intake and corrections, each
with a reason in the audit log, never below zero, never by editing the stock;
the household's QR code and the clerk's look-up by it. Every write is checked
for who may make it, and `jifen verify` passes afterwards."""
from harness import eq, run, status
from photo_fixtures import fresh_png, upload_ok
from shop_fixtures import (check_ledger, goods, open_today, redeem, shop_server, shop_village,
                           stock)
from ledger_fixtures import day, in_parallel


def statement(client, sponsor_id):
    return status(client.get(f"/api/v1/sponsors/{sponsor_id}/statement"), 200, "statement").json


def contribute(client, sponsor_id, headers=None, **body):
    body.setdefault("contributed_on", day(-30))
    return client.post(f"/api/v1/sponsors/{sponsor_id}/contributions", body, headers=headers)


def test_sponsors_contributions_and_their_statements():
    s = shop_server()
    try:
        v = shop_village(s, confirmed=(500,))
        made = []
        for name, contact, money in [("铁岭丰泽粮油有限公司", "赵经理", "12000.00"),
                                     ("铁岭市清源日化有限公司", "钱女士", "10000.50"),
                                     ("铁岭县兴旺五金百货商店", "孙老板", "7999.50")]:
            sp = status(v.admin.post(f"/api/v1/villages/{v.id}/sponsors",
                                     {"name": name, "contact": contact, "note": "村企结对共建"}),
                        201, f"sponsor {name}").json
            eq((sp["name"], sp["contact"], sp["money_yuan"], sp["goods_count"]),
               (name, contact, "0.00", 0), "new sponsor")
            c = status(contribute(v.admin, sp["id"], kind="money", amount_yuan=money,
                                  note="共建资金"), 201, "money").json
            eq((c["kind"], c["amount_yuan"], c["quantity"], c["goods_id"]),
               ("money", money, None, None), "money contribution")
            made.append(sp)
        listed = status(v.clerk.get(f"/api/v1/villages/{v.id}/sponsors"), 200, "list").json
        eq(sorted(x["name"] for x in listed["items"]), sorted(x["name"] for x in made), "listed")
        total = sum(int(x["money_yuan"].replace(".", "")) for x in listed["items"])
        eq(total, 3000000, "30,000.00 yuan in all (cents)")
        eq(s.sql("SELECT count(*) FROM audit_log WHERE entity = 'contribution' AND action = 'create'"
                 " AND village_id = ?", v.id)[0][0], 3, "contributions audited")
        oil_maker = made[0]["id"]
        # goods given by the sponsor: taken into stock through an intake naming the contribution
        oil = goods(v, "食用油", 50, 0, category="粮油", unit="桶", sponsor_id=oil_maker)
        eq(oil["sponsor_name"], "铁岭丰泽粮油有限公司", "goods name their sponsor")
        c = status(contribute(v.clerk, oil_maker, kind="goods", goods_id=oil["id"], quantity=30,
                              note="中秋慰问"), 201, "goods contribution").json
        eq((c["kind"], c["quantity"], c["amount_yuan"], c["goods"]["stock"]),
           ("goods", 30, None, 30), "goods contribution")
        eq(s.sql("SELECT delta, kind, contribution_id FROM stock_moves WHERE goods_id = ?",
                 oil["id"]), [(30, "intake", c["id"])], "the intake names the contribution")
        # bad contributions change nothing
        for body, code in [({"kind": "money", "amount_yuan": "10000.001"}, "invalid_amount"),
                           ({"kind": "money", "amount_yuan": "-5"}, "invalid_amount"),
                           ({"kind": "money", "amount_yuan": "0.00"}, "invalid_amount"),
                           ({"kind": "money", "amount_yuan": "一万"}, "invalid_amount"),
                           ({"kind": "money"}, "invalid_amount"),
                           ({"kind": "stock", "amount_yuan": "1.00"}, "invalid_kind"),
                           ({"kind": "goods", "quantity": 3}, "missing_field"),
                           ({"kind": "goods", "goods_id": oil["id"], "quantity": 0},
                            "invalid_quantity"),
                           ({"kind": "goods", "goods_id": oil["id"], "quantity": 3,
                             "amount_yuan": "5.00"}, "invalid_contribution"),
                           ({"kind": "money", "amount_yuan": "5.00", "contributed_on": day(3)},
                            "future_date")]:
            r = contribute(v.admin, oil_maker, **body)
            eq((r.status, r.error_code), (422, code), f"refused {body}")
        eq(stock(v.clerk, oil["id"]), 30, "stock unchanged by refusals")
        # redeem 5 + 3 barrels, cancel the 3: redeemed counts 5
        open_today(v)
        r1 = status(redeem(v.clerk, v, 0, [(oil["id"], 5)]), 201, "redeem 5").json
        r2 = status(redeem(v.clerk, v, 0, [(oil["id"], 3)]), 201, "redeem 3").json
        status(v.admin.post(f"/api/v1/redemptions/{r2['id']}/cancel", {"reason": "村民退回"}), 200,
               "cancel")
        st = statement(v.admin, oil_maker)
        eq(st["given"]["money_yuan"], "12000.00", "given money")
        eq([(g["name"], g["quantity"]) for g in st["given"]["goods"]], [("食用油", 30)], "given goods")
        eq([c["kind"] for c in st["given"]["contributions"]], ["money", "goods"],
           "contributions oldest first")
        eq([(g["name"], g["quantity"], g["points"]) for g in st["redeemed"]["goods"]],
           [("食用油", 5, 250)], "redeemed minus the cancelled")
        eq((st["redeemed"]["quantity"], st["redeemed"]["points"]), (5, 250), "redeemed totals")
        eq([(g["name"], g["stock"]) for g in st["left"]["goods"]], [("食用油", 25)], "left")
        eq(st["left"]["quantity"], 25, "left total")
        eq(st["sponsor"]["goods_count"], 1, "goods of the sponsor")
        other = statement(v.clerk, made[2]["id"])
        eq((other["given"]["money_yuan"], other["given"]["goods"], other["redeemed"]["points"],
            other["left"]["goods"]), ("7999.50", [], 0, []), "a money-only sponsor")
        eq(r1["total_points"], 250, "price 50 × 5")
        # who: the admin creates sponsors; the clerk adds contributions; villagers and other
        # villages see nothing
        r = v.clerk.post(f"/api/v1/villages/{v.id}/sponsors", {"name": "铁岭县某商店"})
        eq((r.status, r.error_code), (403, "forbidden"), "the clerk creates no sponsor")
        me = v.villager(0)
        eq(me.get(f"/api/v1/sponsors/{oil_maker}/statement").status, 403, "villager statement")
        eq(me.get(f"/api/v1/villages/{v.id}/sponsors").status, 403, "villager sponsors")
        demo_admin = s.login("admin")
        eq(demo_admin.get(f"/api/v1/sponsors/{oil_maker}/statement").status, 403,
           "another village's admin")
        eq(contribute(demo_admin, oil_maker, kind="money", amount_yuan="1.00").status, 403,
           "another village's admin contributes nothing")
        eq(s.anon().get(f"/api/v1/sponsors/{oil_maker}/statement").status, 401, "anonymous")
        r = v.admin.post(f"/api/v1/villages/{v.id}/sponsors", {"name": "铁岭丰泽粮油有限公司"})
        eq((r.status, r.error_code), (409, "sponsor_exists"), "same name twice")
        # an Idempotency-Key on a goods contribution: stock taken in once
        key = {"Idempotency-Key": "contribution-oil-1"}
        a = contribute(v.admin, oil_maker, kind="goods", goods_id=oil["id"], quantity=4,
                       headers=key)
        b = contribute(v.admin, oil_maker, kind="goods", goods_id=oil["id"], quantity=4,
                       headers=key)
        eq((a.status, b.status, b.header("Idempotent-Replayed"), a.json["id"], b.json["id"]),
           (201, 201, "true", a.json["id"], a.json["id"]), "replayed")
        eq(stock(v.clerk, oil["id"]), 29, "taken in once")
        check_ledger(s)
    finally:
        s.close()


def test_goods_are_public_and_their_stock_is_never_edited():
    s = shop_server()
    try:
        v = shop_village(s, confirmed=(), pending=(0,))
        sp = status(v.admin.post(f"/api/v1/villages/{v.id}/sponsors",
                                 {"name": "铁岭市清源日化有限公司"}), 201, "sponsor").json
        picture = fresh_png()
        photo = upload_ok(v.clerk, v.id, picture)
        soap = goods(v, "香皂", 5, 100, unit="块", photo=photo, sponsor_id=sp["id"])
        eq((soap["photo"], soap["photo_url"]), (photo, f"/api/v1/goods/{soap['id']}/photo"),
           "the clerk sees the photo it set")
        towel = goods(v, "毛巾", 10, 40, client=v.admin, unit="条")
        old = goods(v, "旧脸盆", 8, 2)
        status(v.admin.patch(f"/api/v1/goods/{old['id']}", {"status": "retired"}), 200, "retire")
        anon = s.anon()
        r = status(anon.get(f"/api/v1/villages/{v.id}/goods"), 200, "public list")
        eq(r.json["total"], 2, "active goods only")
        got = {g["name"]: g for g in r.json["items"]}
        eq((got["香皂"]["category"], got["香皂"]["unit"], got["香皂"]["price_points"],
            got["香皂"]["stock"], got["香皂"]["sponsor_name"], got["香皂"]["photo_url"]),
           ("日用品", "块", 5, 100, "铁岭市清源日化有限公司", f"/api/v1/goods/{soap['id']}/photo"),
           "public goods")
        eq((got["毛巾"]["sponsor_name"], got["毛巾"]["photo_url"]), (None, None), "no sponsor, no photo")
        eq("photo" in got["香皂"], False, "the photo's hash is not listed")
        pic = anon.get(f"/api/v1/goods/{soap['id']}/photo")
        eq((pic.status, pic.body, pic.header("Content-Type")), (200, picture, "image/png"),
           "the picture, to anyone")
        eq(anon.get(f"/api/v1/goods/{towel['id']}/photo").status, 404, "no picture")
        all_ = status(anon.get(f"/api/v1/villages/{v.id}/goods?status=all"), 200, "all").json
        eq(sorted(g["name"] for g in all_["items"]), ["旧脸盆", "毛巾", "香皂"], "all")
        eq(status(anon.get(f"/api/v1/goods/{towel['id']}"), 200, "one").json["name"], "毛巾", "one")
        eq(anon.get(f"/api/v1/villages/{v.id}/goods?status=gone").status, 400, "bad status")
        eq(anon.get("/api/v1/villages/999999/goods").status, 404, "no such village")
        eq(anon.post(f"/api/v1/villages/{v.id}/goods", {"name": "x", "category": "y",
                                                         "price_points": 1}).status, 401,
           "writing needs a login")
        # changing goods: never the stock, a price above 0, a free name
        r = v.admin.patch(f"/api/v1/goods/{soap['id']}", {"stock": 1000})
        eq((r.status, r.error_code), (422, "stock_not_editable"), "stock is not edited")
        for body, code, st in [({"price_points": 0}, "invalid_price", 422),
                               ({"status": "gone"}, "invalid_status", 422),
                               ({"name": "毛巾"}, "goods_exists", 409),
                               ({"photo": "ab" * 32}, "invalid_photo", 422),
                               ({"sponsor_id": 999999}, "invalid_sponsor", 422)]:
            r = v.admin.patch(f"/api/v1/goods/{soap['id']}", body)
            eq((r.status, r.error_code), (st, code), f"patch {body}")
        r = status(v.clerk.patch(f"/api/v1/goods/{soap['id']}",
                                 {"name": "硫磺香皂", "price_points": 6, "photo": None}), 200, "patch")
        eq((r.json["name"], r.json["price_points"], r.json["stock"], r.json["photo_url"]),
           ("硫磺香皂", 6, 100, None), "changed, stock untouched")
        eq(s.sql("SELECT count(*) FROM audit_log WHERE entity = 'goods' AND entity_id = ?"
                 " AND action = 'update'", soap["id"])[0][0], 1, "the change audited, refusals not")
        me = v.villager(0)
        eq(me.patch(f"/api/v1/goods/{soap['id']}", {"price_points": 1}).status, 403, "villager")
        eq(me.post(f"/api/v1/villages/{v.id}/goods", {"name": "x", "category": "y",
                                                      "price_points": 1}).status, 403, "villager")
        eq(s.login("clerk").post(f"/api/v1/villages/{v.id}/goods",
                                 {"name": "x", "category": "y", "price_points": 1}).status, 403,
           "another village's clerk")
        r = v.clerk.post(f"/api/v1/villages/{v.id}/goods", {"name": "x", "category": "y",
                                                            "price_points": 1, "stock": 5})
        eq((r.status, r.error_code), (422, "unknown_field"), "no stock at creation")
        check_ledger(s)
    finally:
        s.close()


def test_stock_intake_and_corrections_with_reasons_in_the_audit_log():
    s = shop_server()
    try:
        v = shop_village(s, confirmed=(), pending=(0,))
        mop = goods(v, "拖把", 20, 0, category="清洁用品", unit="把")
        r = status(v.clerk.post(f"/api/v1/goods/{mop['id']}/stock",
                                {"kind": "intake", "delta": 20, "reason": "用共建资金采购20把"}),
                   201, "intake").json
        eq((r["goods"]["stock"], r["move"]["delta"], r["move"]["kind"], r["move"]["stock_after"],
            r["move"]["reason"]), (20, 20, "intake", 20, "用共建资金采购20把"), "intake")
        audit = s.sql("SELECT user_id, summary FROM audit_log WHERE entity = 'goods' AND entity_id = ?"
                      " AND action = 'stock_intake'", mop["id"])
        eq(len(audit), 1, "intake audited")
        eq(("用共建资金采购20把" in audit[0][1], audit[0][0]), (True, v.clerk.user["id"]),
           "with its reason and its clerk")
        r = v.clerk.post(f"/api/v1/goods/{mop['id']}/stock",
                         {"kind": "correction", "delta": -25, "reason": "盘点"})
        eq((r.status, r.error_code), (422, "stock_negative"), "below zero")
        eq("20" in r.json["error"]["message"], True, "names the stock there is")
        r = status(v.admin.post(f"/api/v1/goods/{mop['id']}/stock",
                                {"kind": "correction", "delta": -3, "reason": "盘点发现3把损坏"}),
                   201, "correction").json
        eq((r["goods"]["stock"], r["move"]["stock_after"]), (17, 17), "corrected")
        eq(s.sql("SELECT summary LIKE '%盘点发现3把损坏%' FROM audit_log WHERE entity = 'goods'"
                 " AND entity_id = ? AND action = 'stock_correction'", mop["id"]), [(1,)],
           "correction audited with its reason")
        status(v.admin.post(f"/api/v1/goods/{mop['id']}/stock",
                            {"kind": "correction", "delta": 2, "reason": "仓库角落又找到2把"}),
               201, "correction up")
        for body, code in [({"kind": "intake", "delta": -1, "reason": "x"}, "invalid_delta"),
                           ({"kind": "intake", "delta": 0, "reason": "x"}, "invalid_delta"),
                           ({"kind": "correction", "delta": 0, "reason": "x"}, "invalid_delta"),
                           ({"kind": "intake", "delta": 1000001, "reason": "x"}, "invalid_delta"),
                           ({"kind": "intake", "delta": 1, "reason": ""}, "too_short"),
                           ({"kind": "redemption", "delta": 1, "reason": "x"}, "invalid_kind")]:
            r = v.clerk.post(f"/api/v1/goods/{mop['id']}/stock", body)
            eq((r.status, r.error_code), (422, code), f"refused {body}")
        r = v.clerk.post(f"/api/v1/goods/{mop['id']}/stock", {"kind": "intake", "delta": 1})
        eq((r.status, r.error_code), (422, "missing_field"), "a reason is required")
        moves = status(v.clerk.get(f"/api/v1/goods/{mop['id']}/stock-moves"), 200, "moves").json
        eq([(m["kind"], m["delta"], m["stock_after"]) for m in moves["items"]],
           [("correction", 2, 19), ("correction", -3, 17), ("intake", 20, 20)], "newest first")
        eq([m["created_by_name"] for m in moves["items"]], ["马玉山", "马玉山", "周建国"], "who")
        eq(stock(v.clerk, mop["id"]), 19, "stock")
        # who: the clerk and the village admin; not villagers, not another village, not the county
        me = v.villager(0)
        for c, what in [(me, "villager"), (s.login("clerk"), "another village's clerk"),
                        (v.county, "the county")]:
            eq(c.post(f"/api/v1/goods/{mop['id']}/stock",
                      {"kind": "intake", "delta": 1, "reason": "x"}).status, 403, what)
        eq(me.get(f"/api/v1/goods/{mop['id']}/stock-moves").status, 403, "villager reads no moves")
        eq(v.county.get(f"/api/v1/goods/{mop['id']}/stock-moves").status, 200, "the county reads")
        # retired goods take no stock; a correction still works
        status(v.admin.patch(f"/api/v1/goods/{mop['id']}", {"status": "retired"}), 200, "retire")
        r = v.clerk.post(f"/api/v1/goods/{mop['id']}/stock",
                         {"kind": "intake", "delta": 1, "reason": "x"})
        eq((r.status, r.error_code), (409, "goods_retired"), "retired")
        # the same Idempotency-Key, at once from many threads: one intake
        brush = goods(v, "牙刷", 3, 0)
        key = {"Idempotency-Key": "intake-brush-1"}
        res = in_parallel(8, lambda i: v.clerk.post(f"/api/v1/goods/{brush['id']}/stock",
                                                    {"kind": "intake", "delta": 10,
                                                     "reason": "入库牙刷"}, headers=key))
        eq(sorted({r.status for r in res} - {201, 409}), [], f"no other status: {res}")
        eq(stock(v.clerk, brush["id"]), 10, "taken in once")
        check_ledger(s)
    finally:
        s.close()


def test_household_qr_code_and_the_clerks_lookup():
    s = shop_server()
    try:
        v = shop_village(s, confirmed=(100, 60))
        me = v.villager(0)
        r = status(me.get(f"/api/v1/households/{v.households[0]}/qr"), 200, "own qr").json
        payload = f"JIFEN:{v.id}:{v.passbooks[0]}"
        eq((r["payload"], r["passbook_no"], r["head_name"]), (payload, v.passbooks[0], "于洪军"),
           "payload")
        eq(me.get(f"/api/v1/households/{v.households[1]}/qr").status, 403, "another household's")
        eq(status(v.clerk.get(f"/api/v1/households/{v.households[1]}/qr"), 200, "clerk").json["payload"],
           f"JIFEN:{v.id}:{v.passbooks[1]}", "the clerk may print any")
        r = status(v.clerk.get(f"/api/v1/villages/{v.id}/households/by-qr?code={payload}"), 200,
                   "lookup").json
        eq((r["household"]["id"], r["household"]["head_name"], r["balance"]["confirmed"]),
           (v.households[0], "于洪军", 100), "found with its confirmed points")
        for code, want in [("JIFEN:1:1001", (422, "qr_other_village")),
                           ("hello", (422, "invalid_qr")),
                           (f"JIFEN:{v.id}:9999", (422, "invalid_household"))]:
            r = v.clerk.get(f"/api/v1/villages/{v.id}/households/by-qr?code={code}")
            eq((r.status, r.error_code), want, f"code {code}")
        eq(v.clerk.get(f"/api/v1/villages/{v.id}/households/by-qr").status, 400, "no code")
        eq(me.get(f"/api/v1/villages/{v.id}/households/by-qr?code={payload}").status, 403,
           "villagers do not look up")
        # redeeming by the scanned code
        soap = goods(v, "香皂", 5, 10)
        open_today(v)
        r = status(redeem(v.clerk, v, 1, [(soap["id"], 2)], by="qr"), 201, "by qr").json
        eq((r["household_id"], r["total_points"], r["balance_after"]), (v.households[1], 10, 50),
           "redeemed by code")
        r = v.clerk.post(f"/api/v1/villages/{v.id}/redemptions",
                         {"qr": "JIFEN:1:1001", "items": [{"goods_id": soap["id"], "quantity": 1}]})
        eq((r.status, r.error_code), (422, "qr_other_village"), "a code of another village")
        check_ledger(s)
    finally:
        s.close()


run(globals())
