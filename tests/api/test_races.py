"""Races (issue 6 family 3): requests released together from many threads, each
race ending in exactly the outcome the rules allow, with no server error (no
5xx in the access log, no sanitizer report when the server stops), and the
ledger verifying afterwards.

- the last piece of goods, wanted by 32 clerks at once: one redemption;
- 20 redemptions draining one household's confirmed points: never more than it
  has, and every refusal was due (the points left are below its price);
- two reviewers approving one claim at once (and an approval racing a
  rejection): one decision, at most one entry;
- awards racing the publication of their month's notice: each award is either
  in the notice (before the chain head it prints) or recorded late into the
  current month, never lost and never both;
- redemptions racing restocks: the stock never goes below zero at any point of
  its history, and ends as initial + intake − sold.

Some of these also live in test_redemption, test_claims and test_notices; these
are the issue 6 family, with stronger checks and more rounds."""
import datetime
import re

from harness import DEMO_PASSWORD, Server, eq, run, status
from ledger_fixtures import day, in_parallel, make_rule, today, unique, verify
from photo_fixtures import staff, villager
from shop_fixtures import check_ledger, goods, open_today, redeem, shop_server, shop_village, stock

ACCESS = re.compile(r"access (\S+) (\S+) (\d{3}) ")


def server_errors(s):
    """Access-log lines of requests answered 5xx, and lines reporting a failure."""
    bad = []
    for line in s.read_log().splitlines():
        m = ACCESS.search(line)
        if m and int(m.group(3)) >= 500:
            bad.append(line)
    return bad


def no_5xx(results, what):
    bad = [r for r in results if r.status >= 500]
    if bad:
        raise AssertionError(f"{what}: server errors {bad[:3]}")


def clerks(s, v, n_accounts, sessions_each):
    """n_accounts new clerks of village v, each logged in sessions_each times."""
    out = []
    for k in range(n_accounts):
        name = unique(f"clerk{v.id}x")
        status(v.county.post("/api/v1/users", {"username": name, "display_name": f"售货员{k + 1}",
                                               "role": "clerk", "password": DEMO_PASSWORD,
                                               "village_id": v.id}), 201, f"clerk {name}")
        out += [s.login(name) for _ in range(sessions_each)]
    return out


def household_ledger(s, hid):
    """(sum of the household's entries, its balance row) straight from the database."""
    total = s.sql("SELECT COALESCE(sum(points), 0) FROM entries WHERE household_id = ?", hid)[0][0]
    bal = s.sql("SELECT confirmed + pending FROM balances WHERE household_id = ?", hid)
    return total, bal[0][0] if bal else 0


def test_the_last_piece_goes_to_exactly_one_of_32_clerks():
    s = shop_server()
    try:
        v = shop_village(s, confirmed=(1000, 1000, 1000, 1000))
        team = clerks(s, v, 4, 8)
        eq(len(team), 32, "32 clerks' sessions")
        open_today(v)
        for round_, (name, price) in enumerate((("铁锅", 60), ("电饭煲", 150), ("暖水瓶", 35))):
            g = goods(v, name, price, 1, category="厨具")
            before = [v.balance(i) for i in range(4)]
            res = in_parallel(32, lambda i: redeem(team[i], v, i % 4, [(g["id"], 1)]))
            no_5xx(res, f"round {round_}")
            won = [i for i, r in enumerate(res) if r.status == 201]
            lost = [r for r in res if r.status == 409 and r.error_code == "out_of_stock"]
            eq((len(won), len(lost)), (1, 31), f"round {round_}: one winner, 31 out of stock: "
                                               f"{sorted(r.status for r in res)}")
            eq(name in lost[0].json["error"]["message"], True, "the refusal names the goods")
            eq(stock(v.clerk, g["id"]), 0, f"round {round_}: none left, not below")
            eq(s.sql("SELECT count(*), sum(total_points) FROM redemptions WHERE village_id = ?"
                     " AND id IN (SELECT redemption_id FROM redemption_items WHERE goods_id = ?)",
                     v.id, g["id"]), [(1, price)], f"round {round_}: one redemption")
            w = won[0] % 4
            after = [v.balance(i) for i in range(4)]
            eq(after, [b - price if i == w else b for i, b in enumerate(before)],
               f"round {round_}: the winner's household paid once, nobody else paid")
            eq(res[won[0]].json["total_points"], price, "the receipt's total")
        eq(server_errors(s), [], "no 5xx in the log")
        check_ledger(s)
    finally:
        s.close()


def test_twenty_redemptions_never_spend_more_than_the_household_has():
    s = shop_server()
    try:
        v = shop_village(s, confirmed=(100, 100))
        team = clerks(s, v, 2, 5) + [v.clerk, v.admin]
        open_today(v)
        towel = goods(v, "毛巾", 30, 100, unit="条")
        # one price: exactly three fit into 100
        res = in_parallel(20, lambda i: redeem(team[i % len(team)], v, 0, [(towel["id"], 1)]))
        no_5xx(res, "one price")
        won = [r for r in res if r.status == 201]
        refused = [r for r in res if r.status == 422 and r.error_code == "insufficient_points"]
        eq((len(won), len(refused)), (3, 17), f"3 × 30 ≤ 100: {sorted(r.status for r in res)}")
        eq((v.balance(0), stock(v.clerk, towel["id"])), (10, 97), "spent 90, never more")
        # two prices: any order may win, but no refusal while the points still covered it
        soap = goods(v, "香皂", 7, 100)
        oil = goods(v, "豆油", 45, 100, unit="桶")
        prices = {soap["id"]: 7, oil["id"]: 45}
        pick = [soap["id"] if i % 3 else oil["id"] for i in range(20)]
        res = in_parallel(20, lambda i: redeem(team[i % len(team)], v, 1, [(pick[i], 1)]))
        no_5xx(res, "two prices")
        eq(sorted({r.status for r in res} - {201, 422}), [], f"201 or 422: {res}")
        eq(all(r.error_code == "insufficient_points" for r in res if r.status == 422), True,
           "refusals are for points")
        spent = sum(prices[pick[i]] for i, r in enumerate(res) if r.status == 201)
        left = v.balance(1)
        eq(left, 100 - spent, "the balance is 100 minus what was redeemed")
        eq(left >= 0, True, "never below zero")
        wrong = [prices[pick[i]] for i, r in enumerate(res) if r.status == 422 and prices[pick[i]] <= left]
        eq(wrong, [], f"a refusal although {left} points were left")
        sold = {g: sum(1 for i, r in enumerate(res) if r.status == 201 and pick[i] == g) for g in prices}
        eq((stock(v.clerk, soap["id"]), stock(v.clerk, oil["id"])),
           (100 - sold[soap["id"]], 100 - sold[oil["id"]]), "stock follows the redemptions")
        for i, hid in enumerate(v.households):
            total, bal = household_ledger(s, hid)
            eq(total, bal, f"household {i}: balance = sum of its entries")
        eq(server_errors(s), [], "no 5xx in the log")
        check_ledger(s)
    finally:
        s.close()


def test_two_reviewers_deciding_one_claim_at_once_make_one_decision():
    s = Server()
    try:
        admin, scorer = s.login("admin"), s.login("scorer")
        scorer2 = staff(s, admin, unique("racer"))
        me = villager(s, admin, "1001")
        hid = me.user["household_id"]
        rule = make_rule(admin, s.village_id, category="志愿服务", name="夜间护村巡逻（竞争测试）",
                         points=3, min_points=1, max_points=30, claimable=True)
        path = f"/api/v1/villages/{s.village_id}/claims"

        def file(n):
            body = {"rule_id": rule["id"], "deed_date": day(-1), "description": f"夜间巡逻第{n}次"}
            return status(me.post(path, body), 201, "claim").json

        def entries_of(cid):
            return s.sql("SELECT points FROM entries WHERE claim_id = ?", cid)

        pairs = [(scorer, admin), (admin, scorer2), (scorer, scorer2)]
        for round_ in range(12):
            a, b = pairs[round_ % 3]
            c = file(round_)
            before = s.sql("SELECT COALESCE(sum(points), 0) FROM entries WHERE household_id = ?", hid)[0][0]
            if round_ % 4 == 3:  # an approval racing a rejection
                res = in_parallel(2, lambda i: (a.post(f"/api/v1/claims/{c['id']}/approve", {"points": 4})
                                                if i == 0 else
                                                b.post(f"/api/v1/claims/{c['id']}/reject",
                                                       {"reason": "巡逻记录对不上"})))
            else:
                res = in_parallel(2, lambda i: (a, b)[i].post(f"/api/v1/claims/{c['id']}/approve",
                                                              {"points": 4 + i}))
            no_5xx(res, f"round {round_}")
            codes = sorted(r.status for r in res)
            eq(codes, [200, 409], f"round {round_}: one decides, the other sees it decided: {res}")
            loser = [r for r in res if r.status == 409][0]
            eq(loser.error_code, "claim_decided", "the loser's code")
            winner = [r for r in res if r.status == 200][0].json
            got = status(me.get(f"/api/v1/claims/{c['id']}"), 200, "claim").json
            eq(got["status"], winner["status"], "the claim says what the winner decided")
            ents = entries_of(c["id"])
            after = s.sql("SELECT COALESCE(sum(points), 0) FROM entries WHERE household_id = ?", hid)[0][0]
            if winner["status"] == "approved":
                eq(len(ents), 1, f"round {round_}: one entry")
                eq(after - before, ents[0][0], "the household got the points once")
            else:
                eq((winner["status"], ents, after), ("rejected", [], before), "rejected: nothing posted")
        # above the threshold: the first approval asks for a second reviewer; two race for it
        for round_ in range(3):
            c = file(100 + round_)
            status(scorer.post(f"/api/v1/claims/{c['id']}/approve", {"points": 30}), 200, "first review")
            eq(entries_of(c["id"]), [], "nothing posted before the second review")
            res = in_parallel(2, lambda i: (admin, scorer2)[i].post(f"/api/v1/claims/{c['id']}/approve"))
            no_5xx(res, "second review")
            eq(sorted(r.status for r in res), [200, 409], f"one second approval: {res}")
            eq(entries_of(c["id"]), [(30,)], "exactly one entry of 30")
        eq(server_errors(s), [], "no 5xx in the log")
        p = verify(s.db)
        eq(p.returncode, 0, f"jifen verify:\n{p.stdout}{p.stderr}")
    finally:
        s.close()


def months_back(n):
    t = today().replace(day=1)
    for _ in range(n):
        t = (t - datetime.timedelta(days=1)).replace(day=1)
    return t


def test_awards_racing_the_months_publication_land_once():
    s = Server()
    try:
        county = s.login("county")
        areas = status(county.get("/api/v1/areas"), 200, "areas").json["items"]
        township = [a for a in areas if a["level"] == "township"][0]["id"]
        vid = status(county.post("/api/v1/villages", {"name": unique("柳河沟村"), "area_id": township}),
                     201, "village").json["id"]
        g = status(county.post(f"/api/v1/villages/{vid}/groups", {"name": "一组"}), 201, "group").json["id"]
        hh = [status(county.post(f"/api/v1/villages/{vid}/households",
                                 {"group_id": g, "passbook_no": f"80{k:02d}", "head_name": name}),
                     201, "household").json["id"]
              for k, name in enumerate(("于洪军", "王桂芝", "李春生", "张秀英"))]
        tag = unique("pub")
        for role in ("village_admin", "scorer"):
            status(county.post("/api/v1/users", {"username": tag + role, "display_name": "刘长顺",
                                                 "role": role, "password": DEMO_PASSWORD,
                                                 "village_id": vid}), 201, role)
        admin = s.login(tag + "village_admin")
        scorers = [s.login(tag + "scorer") for _ in range(7)]
        rule = make_rule(admin, vid, category="好人好事", name="拾金不昧（竞争测试）", points=5)["id"]
        this_month = today().isoformat()[:7]
        split = []
        for k in range(1, 7):  # six past months, each published while awards race it
            first = months_back(k)
            month = first.isoformat()[:7]
            ahead = status(scorers[0].post(f"/api/v1/villages/{vid}/entries",
                                           {"rule_id": rule, "household_ids": [hh[0]],
                                            "deed_date": first.replace(day=2).isoformat()}),
                           201, "an award before").json["entries"][0]

            def act(i):
                if i == 3:
                    return admin.post(f"/api/v1/villages/{vid}/notices", {"month": month})
                body = {"rule_id": rule, "household_ids": [hh[i % 4]],
                        "deed_date": first.replace(day=10 + i).isoformat(), "note": f"{month}竞争{i}"}
                return scorers[i % 7].post(f"/api/v1/villages/{vid}/entries", body)

            res = in_parallel(8, act)
            no_5xx(res, month)
            n = status(res[3], 201, f"publish {month}").json
            awards = [status(r, 201, f"award {i}").json["entries"][0] for i, r in enumerate(res) if i != 3]
            detail = status(admin.get(f"/api/v1/notices/{n['id']}"), 200, "notice").json
            listed = {e["id"]: e for h in detail["households"] for e in h["entries"]}
            inside = late = 0
            for e in awards:
                if e["id"] in listed:
                    inside += 1
                    eq((e["month"], e["late"], listed[e["id"]]["after_publication"]), (month, False, False),
                       f"{month}: an award in the notice is of its month, not late")
                    eq(e["seq"] <= n["chain_seq"], True, "in the notice: before the printed chain head")
                else:
                    late += 1
                    eq((e["month"], e["late"]), (this_month, True),
                       f"{month}: an award not in the notice is late, in the current month")
                    eq(e["seq"] > n["chain_seq"], True, "late: after the printed chain head")
            eq(ahead["id"] in listed, True, "the award before is in the notice")
            db = s.sql("SELECT count(*), COALESCE(sum(points), 0) FROM entries WHERE village_id = ?"
                       " AND month = ?", vid, month)[0]
            eq((n["entry_count"], n["total_points"]), db, f"{month}: the notice counts its month's entries")
            eq(len(listed), db[0], f"{month}: the notice lists every entry of its month")
            late_db = s.sql("SELECT count(*) FROM entries WHERE village_id = ? AND note LIKE ?"
                            " AND month = ?", vid, f"{month}竞争%", this_month)[0][0]
            eq((inside + late, late_db), (7, late), f"{month}: every award once, in one place")
            split.append((month, inside, late))
        print(f"awards in the notice / late, per month: {split}", flush=True)
        eq(server_errors(s), [], "no 5xx in the log")
        p = verify(s.db)
        eq(p.returncode, 0, f"jifen verify:\n{p.stdout}{p.stderr}")
    finally:
        s.close()


def test_redemptions_racing_restocks_never_take_stock_below_zero():
    s = shop_server()
    try:
        v = shop_village(s, confirmed=(1000, 1000, 1000))
        team = clerks(s, v, 2, 4) + [v.clerk]
        open_today(v)
        for round_, (initial, intakes, wanted) in enumerate(((2, (5,), 12), (0, (3, 3), 14),
                                                             (4, (1, 2, 3), 16))):
            g = goods(v, unique("拖把"), 20, initial, category="清洁用品")
            n = len(intakes) + wanted
            where = {k * n // len(intakes) + 1: d for k, d in enumerate(intakes)}

            def act(i):
                if i in where:
                    return team[i % len(team)].post(f"/api/v1/goods/{g['id']}/stock",
                                                     {"kind": "intake", "delta": where[i], "reason": "补货"})
                return redeem(team[i % len(team)], v, i % 3, [(g["id"], 1)])

            res = in_parallel(n, act)
            no_5xx(res, f"round {round_}")
            eq([res[i].status for i in where], [201] * len(intakes), "every intake taken")
            reds = [r for i, r in enumerate(res) if i not in where]
            sold = sum(1 for r in reds if r.status == 201)
            eq(all(r.status == 201 or (r.status == 409 and r.error_code == "out_of_stock") for r in reds),
               True, f"201 or out of stock: {reds}")
            total_in = initial + sum(intakes)
            eq(initial <= sold <= total_in, True, f"round {round_}: sold {sold} within [{initial}, {total_in}]")
            if sold < total_in:
                eq(sold, wanted - sum(1 for r in reds if r.status == 409), "every refusal counted")
            eq(stock(v.clerk, g["id"]), total_in - sold, f"round {round_}: initial + intake − sold")
            moves = [d for (d,) in s.sql("SELECT delta FROM stock_moves WHERE goods_id = ? ORDER BY id", g["id"])]
            running, lowest = 0, 0
            for d in moves:
                running += d
                lowest = min(lowest, running)
            eq((lowest, running), (0, total_in - sold), f"round {round_}: never below zero, in move order")
        eq(server_errors(s), [], "no 5xx in the log")
        check_ledger(s)
    finally:
        s.close()


run(globals())
