"""Helpers shared by the ranking and year-end tests (test_ranking, test_year_end):
a fresh village of the demo's township with its own admin, scorer, groups,
households and a one-point rule (so points are set exactly with quantity), and
confirming past months through the real monthly notices (the server runs with
short notice "days" for that).

The demo village has a year of history and its last year already closed, so
these tests build villages of their own and compare exact numbers there.
"""
import time

from harness import status
from ledger_fixtures import make_rule, unique

PW = "Ertaizi-Cun-2024"
PIN = "135790"

# the server flags that make a 1-day notice window last 1 second, confirmed within a second
FAST_NOTICES = ["--notice-day-seconds", "1", "--confirm-interval", "1"]


class Village:
    """A village built through the API: .id, .admin, .scorer, .county, .groups
    (name → id), .hh (passbook → id), .rule (a 1-point rule recorders may use)."""

    def __init__(self, server, households, groups=("一组", "二组"), policy=None):
        self.server = server
        county = self.county = server.login("county")
        areas = status(county.get("/api/v1/areas"), 200, "areas").json["items"]
        township = [a for a in areas if a["level"] == "township"][0]["id"]
        self.name = unique("二台子村")
        self.id = status(county.post("/api/v1/villages", {"name": self.name, "area_id": township}),
                         201, "create village").json["id"]
        self.groups = {}
        for g in groups:
            self.groups[g] = status(county.post(f"/api/v1/villages/{self.id}/groups", {"name": g}),
                                    201, "group").json["id"]
        self.hh = {}
        for passbook, head, group in households:
            self.hh[passbook] = status(county.post(f"/api/v1/villages/{self.id}/households", {
                "group_id": self.groups[group], "passbook_no": passbook, "head_name": head,
                "phone": "13912345678"}), 201, "household " + passbook).json["id"]
        suffix = unique("")
        for role, name in (("village_admin", "admin"), ("scorer", "scorer")):
            status(county.post("/api/v1/users", {"username": f"etz_{name}{suffix}",
                                                 "display_name": f"二台子{name}", "role": role,
                                                 "village_id": self.id, "password": PW}),
                   201, "user " + role)
        self.admin = server.login(f"etz_admin{suffix}", PW)
        self.scorer = server.login(f"etz_scorer{suffix}", PW)
        settings = {"notice_days": 1}
        if policy:
            settings["balance_policy"] = policy
        status(self.admin.patch(f"/api/v1/villages/{self.id}", settings), 200, "settings")
        self.rule = make_rule(self.admin, self.id, category="志愿服务", name="志愿服务（每小时）",
                              points=1, claimable=True)

    def record(self, passbook, points, date, rule=None, who=None):
        """Records points (as quantity of the 1-point rule) for one household; the entries."""
        r = (who or self.scorer).post(f"/api/v1/villages/{self.id}/entries", {
            "rule_id": rule or self.rule["id"], "household_ids": [self.hh[passbook]],
            "deed_date": date, "quantity": points})
        return status(r, 201, f"record {points} for {passbook} on {date}").json["entries"]

    def villager(self, passbook):
        """A villager login for the household (created on first use)."""
        status(self.admin.post("/api/v1/users", {"display_name": "村民" + passbook, "role": "villager",
                                                 "pin": PIN, "village_id": self.id,
                                                 "household_id": self.hh[passbook]}),
               201, "villager " + passbook)
        return self.server.login_villager(passbook, PIN, village_id=self.id)

    def confirm(self, *months, timeout=20):
        """Publishes each month's notice and waits until the scheduler confirms it."""
        for m in months:
            status(self.admin.post(f"/api/v1/villages/{self.id}/notices", {"month": m}), 201,
                   f"publish {m}")
        deadline = time.time() + timeout
        while time.time() < deadline:
            done = {r[0] for r in self.server.sql(
                "SELECT month FROM confirmed_months WHERE village_id = ?", self.id)}
            if all(m in done for m in months):
                return
            time.sleep(0.2)
        raise AssertionError(f"months {months} were not confirmed within {timeout} s")

    def ranking(self, client=None, public=False, **query):
        q = "&".join(f"{k}={v}" for k, v in query.items())
        path = f"/api/v1/villages/{self.id}/ranking" + ("/public" if public else "") + "?" + q
        return status((client or self.admin).get(path), 200, "ranking " + q).json


def ranks(ranking):
    """[(passbook or masked name, earned, rank)] of a ranking response."""
    return [(i["household"].get("passbook_no") or i["household"]["head_name"], i["earned"], i["rank"])
            for i in ranking["items"]]
