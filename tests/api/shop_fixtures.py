"""Helpers shared by the points-supermarket tests (test_shop, test_redemption):
a fresh village of its own (so the demo village's history, and whatever the demo
puts in its shop, cannot move the numbers), with its village admin, its clerk and
households whose points are *confirmed* the real way: recorded for last month,
that month's notice published, its one-"day" window closing after a second
(`serve --notice-day-seconds 1`) and the server's scheduler confirming it
(`--confirm-interval 1`). Plus goods with stock, windows, and redemptions.

Dates are China dates, like the server's.
"""
import datetime
import time

from harness import DEMO_PASSWORD, DEMO_PIN, Server, status
from ledger_fixtures import today, unique, verify

SERVE_ARGS = ["--notice-day-seconds", "1", "--confirm-interval", "1"]

HEADS = ["于洪军", "王桂芝", "李春生", "张秀英", "刘德福", "赵玉兰", "孙志强", "周凤霞"]


def shop_server():
    """A server whose monthly notices confirm a second after publication."""
    return Server(args=SERVE_ARGS)


def last_month():
    """(YYYY-MM, a date in it) of the month before today."""
    t = today()
    y, m = (t.year, t.month - 1) if t.month > 1 else (t.year - 1, 12)
    return f"{y:04d}-{m:02d}", f"{y:04d}-{m:02d}-15"


class Village:
    """A fresh village: id, its clients (county, admin, clerk), households (ids),
    passbooks (numbers), and one rule to record points with."""

    def balance(self, i):
        """The confirmed points of household i."""
        r = status(self.admin.get(f"/api/v1/households/{self.households[i]}/passbook?per_page=1"),
                   200, "passbook")
        return r.json["balance"]["confirmed"]

    def villager(self, i):
        """A logged-in villager of household i (made on first use)."""
        r = self.admin.post("/api/v1/users", {"display_name": HEADS[i % len(HEADS)],
                                              "role": "villager", "pin": DEMO_PIN,
                                              "village_id": self.id,
                                              "household_id": self.households[i]})
        if r.status not in (201, 409):
            raise AssertionError(f"villager {i}: {r}")
        return self.server.login_villager(self.passbooks[i], village_id=self.id)


def record_points(admin, village_id, rule_id, household, total, date):
    """Records total points (a rule of 1..100 points per unit) for the household."""
    while total > 0:
        per_unit = 100 if total >= 100 else total
        qty = min(total // per_unit, 100)
        r = admin.post(f"/api/v1/villages/{village_id}/entries",
                       {"rule_id": rule_id, "household_ids": [household], "points": per_unit,
                        "quantity": qty, "deed_date": date, "note": "测试记分"})
        status(r, 201, f"record {per_unit}x{qty}")
        total -= per_unit * qty


def shop_village(server, confirmed=(100,), pending=(), window_days=0):
    """Makes a village with len(confirmed) + len(pending) households: the first
    ones get confirmed points (through last month's notice), the next ones only
    pending points (recorded today). window_days is the village's setting (0:
    only explicit windows, so the tests do not depend on today's date)."""
    s = server
    v = Village()
    v.server = s
    v.county = s.login("county")
    areas = status(v.county.get("/api/v1/areas"), 200, "areas").json["items"]
    township = [a for a in areas if a["level"] == "township"][0]["id"]
    v.id = status(v.county.post("/api/v1/villages", {"name": unique("三合村"), "area_id": township}),
                  201, "village").json["id"]
    status(v.county.patch(f"/api/v1/villages/{v.id}", {"notice_days": 1, "window_days": window_days}),
           200, "settings")
    group = status(v.county.post(f"/api/v1/villages/{v.id}/groups", {"name": "一组"}), 201,
                   "group").json["id"]
    v.households, v.passbooks = [], []
    n = len(confirmed) + len(pending)
    for i in range(n):
        pb = f"5{v.id:02d}{i + 1:02d}"
        h = status(v.county.post(f"/api/v1/villages/{v.id}/households",
                                 {"group_id": group, "passbook_no": pb,
                                  "head_name": HEADS[i % len(HEADS)]}), 201, "household").json
        v.households.append(h["id"])
        v.passbooks.append(pb)
    names = {}
    for role in ("village_admin", "clerk"):
        names[role] = unique(f"sh{v.id}{role[:5]}")
        status(v.county.post("/api/v1/users", {"username": names[role], "display_name":
                                               "周建国" if role == "clerk" else "马玉山",
                                               "role": role, "password": DEMO_PASSWORD,
                                               "village_id": v.id}), 201, f"user {role}")
    v.admin = s.login(names["village_admin"])
    v.clerk = s.login(names["clerk"])
    rule = status(v.admin.post(f"/api/v1/villages/{v.id}/rules",
                               {"category": "测试", "name": "测试积分", "points": 1, "min_points": 1,
                                "max_points": 100}), 201, "rule").json
    v.rule = rule["id"]
    month, date = last_month()
    for i, pts in enumerate(confirmed):
        record_points(v.admin, v.id, v.rule, v.households[i], pts, date)
    if confirmed:
        status(v.admin.post(f"/api/v1/villages/{v.id}/notices", {"month": month}), 201,
               "publish last month's notice")
        deadline = time.time() + 30
        while [v.balance(i) for i in range(len(confirmed))] != list(confirmed):
            if time.time() > deadline:
                raise AssertionError(f"last month's notice was not confirmed: "
                                     f"{[v.balance(i) for i in range(len(confirmed))]}")
            time.sleep(0.2)
    for k, pts in enumerate(pending):
        record_points(v.admin, v.id, v.rule, v.households[len(confirmed) + k], pts,
                      today().isoformat())
    return v


def goods(v, name, price, stock, client=None, **fields):
    """Creates goods in the village (by the clerk) and takes stock in; returns the goods JSON."""
    c = client or v.clerk
    body = {"name": name, "category": fields.pop("category", "日用品"), "price_points": price}
    body.update(fields)
    g = status(c.post(f"/api/v1/villages/{v.id}/goods", body), 201, f"goods {name}").json
    if stock:
        status(c.post(f"/api/v1/goods/{g['id']}/stock",
                      {"kind": "intake", "delta": stock, "reason": "测试入库"}), 201, "intake")
    g["stock"] = stock
    return g


def open_today(v, days=0):
    """An explicit window from today to today + days; returns its JSON."""
    end = today() + datetime.timedelta(days=days)
    body = {"starts_on": today().isoformat(), "ends_on": end.isoformat(), "note": "测试兑换日"}
    return status(v.admin.post(f"/api/v1/villages/{v.id}/redemption-windows", body), 201,
                  "window").json


def redeem(client, v, household, items, headers=None, by="household_id"):
    """POSTs a redemption: items is [(goods_id, quantity), …]; household an index."""
    body = {"items": [{"goods_id": g, "quantity": q} for g, q in items]}
    if by == "household_id":
        body["household_id"] = v.households[household]
    elif by == "passbook_no":
        body["passbook_no"] = v.passbooks[household]
    else:
        body["qr"] = f"JIFEN:{v.id}:{v.passbooks[household]}"
    return client.post(f"/api/v1/villages/{v.id}/redemptions", body, headers=headers)


def stock(client, goods_id):
    return status(client.get(f"/api/v1/goods/{goods_id}"), 200, "goods").json["stock"]


def check_ledger(server):
    """jifen verify passes and every goods' stock is the sum of its moves."""
    p = verify(server.db)
    if p.returncode != 0:
        raise AssertionError(f"jifen verify failed:\n{p.stdout}\n{p.stderr}")
    bad = server.sql("SELECT id, name, stock FROM goods g WHERE stock <> (SELECT COALESCE(sum(delta), 0)"
                     " FROM stock_moves m WHERE m.goods_id = g.id) OR stock < 0")
    if bad:
        raise AssertionError(f"stock differs from its moves: {bad}")
