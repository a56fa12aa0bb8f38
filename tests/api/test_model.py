"""The seeded randomized model test of the ledger (issue 3, "Done when"): thousands
of random operations against a real server — records for one household, a
hand-picked list, households with members and whole groups; deductions; range
and capped rules; quantities; bad dates, retired rules and forbidden roles;
reversals of random entries (including already-reversed entries and reversal
entries); replays of idempotent requests; rule revisions; villagers' claims
(filed by the villager or a cadre, approved — above the village's
second_review_points by two different reviewers, pending → second_review →
approved — or rejected, decided claims refused with 409, nobody reviewing their
own household or their own claim); dates in a year the village has closed
(the demo closes last year) refused with 422 year_closed — each checked, as it happens, against a
small in-memory model that predicts the status and error code of the request,
the entries it creates, every balance, the entry counts, which entries are
reversed and every claim's state. At the end every household's passbook and
every claim are compared with the model and `jifen verify` must pass.

    MODEL_SEEDS=1,2,3   the seeds (default 1,2,3; "random" picks three new ones)
    MODEL_OPS=1000      operations per seed

A failure names the seed and the operation index; rerun with those two values to
reproduce it (dates are relative to today, so reproduce on the same day).

To add an operation (e.g. notices), write one function op_x(ctx) that builds the
request, asks the model for the expected outcome, sends it, checks it with
ctx.expect / ctx.check_households and applies it to the model, then list it in
OPS with a weight.
"""
import datetime
import os
import random
import sqlite3
import time

from harness import DEMO_PASSWORD, Server, run
from ledger_fixtures import passbook, today, verify
from photo_fixtures import upload_ok

KINDS_IN_CAPS = ("award", "deduction", "reversal")


class Mismatch(AssertionError):
    pass


# ---------------------------------------------------------------------------
# The model: plain Python state and the rules of the ledger, nothing else.
# ---------------------------------------------------------------------------

class Rule:
    def __init__(self, j):
        self.id = j["id"]
        self.lineage = j["lineage_id"]
        self.version = j["version"]
        self.name = j["name"]
        self.category = j["category"]
        self.points = j["points"]
        self.unit = j["unit"]
        self.min = j["min_points"]
        self.max = j["max_points"]
        self.cap_month = j["cap_month"] or 0
        self.cap_year = j["cap_year"] or 0
        self.evidence = j["evidence_required"]
        self.claimable = j["claimable"]
        self.recorders = list(j["recorders"])
        self.description = j["description"]
        self.active = j["status"] == "active"

    @property
    def ranged(self):
        return self.min is not None

    def body(self, **change):
        b = {"category": self.category, "name": self.name, "points": self.points, "unit": self.unit,
             "evidence_required": self.evidence, "claimable": self.claimable,
             "recorders": self.recorders, "description": self.description}
        if self.ranged:
            b["min_points"], b["max_points"] = self.min, self.max
        if self.cap_month:
            b["cap_month"] = self.cap_month
        if self.cap_year:
            b["cap_year"] = self.cap_year
        b.update(change)
        return b


class Entry:
    __slots__ = ("id", "hh", "member", "points", "kind", "lineage", "deed_date", "reverses",
                 "reversed_by", "rule_id", "rule_version")

    def __init__(self, id, hh, member, points, kind, lineage, deed_date, reverses, rule_id,
                 rule_version):
        self.id, self.hh, self.member, self.points, self.kind = id, hh, member, points, kind
        self.lineage, self.deed_date, self.reverses = lineage, deed_date, reverses
        self.rule_id, self.rule_version = rule_id, rule_version
        self.reversed_by = None


class Claim:
    """A claim as the model sees it: reviewers are user ids."""
    __slots__ = ("id", "hh", "rule_id", "quantity", "date", "created_by", "status",
                 "first_reviewer", "first_points", "second_reviewer", "entry")

    def __init__(self, id, hh, rule_id, quantity, date, created_by, status="pending",
                 first_reviewer=None, first_points=None, second_reviewer=None, entry=None):
        self.id, self.hh, self.rule_id, self.quantity, self.date = id, hh, rule_id, quantity, date
        self.created_by, self.status = created_by, status
        self.first_reviewer, self.first_points = first_reviewer, first_points
        self.second_reviewer, self.entry = second_reviewer, entry

    @property
    def open(self):
        return self.status in ("pending", "second_review")

    def row(self):
        return (self.status, self.first_reviewer, self.first_points, self.second_reviewer,
                self.entry)


HEX = set("0123456789abcdef")


def period_bounds(date, which):
    y, m = int(date[:4]), int(date[5:7])
    if which == "month":
        nxt = f"{y + 1}-01-01" if m == 12 else f"{y}-{m + 1:02d}-01"
        return f"{y}-{m:02d}-01", nxt
    return f"{y}-01-01", f"{y + 1}-01-01"


class Model:
    """What the ledger should contain. Knows nothing about HTTP."""

    def __init__(self, today_iso):
        self.today = today_iso
        self.rules = {}        # id -> Rule
        self.entries = {}      # id -> Entry
        self.by_hh = {}        # household id -> [entry ids], ascending
        self.balance = {}      # household id -> total points
        self.active_hh = set()
        self.all_hh = set()
        self.groups = {}       # group id -> [household ids] (all, in the server's order)
        self.members = {}      # household id -> [member ids]
        self.cap_index = {}    # (household, lineage) -> [(deed_date, points)]
        self.count = 0         # entries of the village
        self.claims = {}       # id -> Claim
        self.threshold = 20    # the village's second_review_points
        self.photos = set()    # hashes of the village's uploaded photos
        self.closed_years = set()  # "YYYY" of the village's closed years: no entry dated in them

    # -- state changes --
    def add_entry(self, e):
        self.entries[e.id] = e
        self.by_hh.setdefault(e.hh, []).append(e.id)
        self.balance[e.hh] = self.balance.get(e.hh, 0) + e.points
        if e.kind in KINDS_IN_CAPS and e.lineage:
            self.cap_index.setdefault((e.hh, e.lineage), []).append((e.deed_date, e.points))
        if e.reverses:
            self.entries[e.reverses].reversed_by = e.id
        self.count += 1

    # -- predictions --
    def cap_used(self, hh, lineage, date, which, extra):
        lo, hi = period_bounds(date, which)
        rows = self.cap_index.get((hh, lineage), []) + extra
        return sum(p for d, p in rows if lo <= d < hi)

    def predict_record(self, spec):
        """(status, code, [(household, member, points)]) for a record request."""
        q = spec.get("quantity")
        if q is not None and q <= 0:
            return 422, "invalid_quantity", None
        if spec["role"] not in ("scorer", "village_admin"):
            return 403, "forbidden", None  # clerks and villagers never record
        date = spec["date"]
        if not valid_date(date):
            return 422, "invalid_date", None
        if date > self.today:
            return 422, "future_date", None
        if date < "2000-01-01":
            return 422, "invalid_date", None
        if date[:4] in self.closed_years:
            return 422, "year_closed", None
        rule = self.rules.get(spec["rule_id"])
        if rule is None:
            return 422, "invalid_rule", None
        if not rule.active:
            return 422, "rule_retired", None
        if spec["role"] not in rule.recorders:
            return 403, "forbidden", None
        pts = spec.get("points")
        if rule.ranged:
            if pts is None:
                return 422, "points_required", None
            if not rule.min <= pts <= rule.max:
                return 422, "points_out_of_range", None
            per_unit = pts
        else:
            if pts is not None and pts != rule.points:
                return 422, "points_fixed", None
            per_unit = rule.points
        q = q or 1
        if q > 100:
            return 422, "invalid_quantity", None
        if rule.evidence:
            return 422, "evidence_required", None
        if spec.get("group") is not None:
            if spec.get("targets"):
                return 422, "targets_conflict", None
            targets = [(h, None) for h in self.groups[spec["group"]] if h in self.active_hh]
        else:
            targets = spec["targets"]
        if not targets:
            return 422, "no_households", None
        if len(set(targets)) != len(targets):
            return 422, "duplicate_household", None
        total = per_unit * q
        out, extra = [], {}
        for hh, member in targets:
            if hh not in self.all_hh:
                return 422, "invalid_household", None
            if hh not in self.active_hh:
                return 422, "household_moved_out", None
            if member is not None and member not in self.members.get(hh, []):
                return 422, "invalid_member", None
            ex = extra.setdefault(hh, [])
            for which, cap in (("month", rule.cap_month), ("year", rule.cap_year)):
                if cap and abs(self.cap_used(hh, rule.lineage, date, which, ex) + total) > cap:
                    return 422, "cap_exceeded", None
            ex.append((date, total))
            out.append((hh, member, total))
        return 201, None, out

    def predict_claim(self, spec):
        """(status, code, household) for filing a claim, in the server's order of checks."""
        q = spec.get("quantity")
        if q is not None and q <= 0:
            return 422, "invalid_quantity", None
        photos = spec.get("photos") or []
        if len(photos) > 6:
            return 422, "too_many_photos", None
        role = spec["role"]
        if role == "villager":
            if spec.get("household") is not None and spec["household"] != spec["own_hh"]:
                return 403, "forbidden", None
            hh = spec["own_hh"]
        elif role == "clerk":
            return 403, "forbidden", None
        else:
            if spec.get("household") is None:
                return 422, "missing_field", None
            hh = spec["household"]
        if not spec["description"]:
            return 422, "too_short", None
        date = spec["date"]
        if not valid_date(date) or date < "2000-01-01":
            return 422, "invalid_date", None
        if date > self.today:
            return 422, "future_date", None
        if q is not None and q > 100:
            return 422, "invalid_quantity", None
        for i, ph in enumerate(photos):
            if len(ph) != 64 or not set(ph) <= HEX:
                return 422, "invalid_photo", None
            if ph in photos[:i]:
                return 422, "duplicate_photo", None
        if hh not in self.all_hh:
            return 422, "invalid_household", None
        if hh not in self.active_hh:
            return 422, "household_moved_out", None
        rule = self.rules.get(spec["rule_id"])
        if rule is None:
            return 422, "invalid_rule", None
        if not rule.active:
            return 422, "rule_retired", None
        if not rule.claimable:
            return 422, "rule_not_claimable", None
        if rule.evidence and not photos:
            return 422, "evidence_required", None
        if any(ph not in self.photos for ph in photos):
            return 422, "invalid_photo", None
        if date[:4] in self.closed_years:
            return 422, "year_closed", None
        return 201, None, hh

    def predict_review(self, action, reviewer, claim_id, points=None, reason="x"):
        """(status, code, outcome) of approving or rejecting a claim, in the server's
        order of checks; reviewer is a dict with id, role and home (household or None).
        outcome is (the claim's new status, the points per unit the approval chose),
        e.g. ("second_review", 25), ("approved", 4), ("rejected", None)."""
        if action == "reject" and not reason:
            return 422, "too_short", None
        c = self.claims.get(claim_id)
        if c is None:
            return 404, "not_found", None
        if reviewer["role"] not in ("scorer", "village_admin"):
            return 403, "not_reviewer", None
        if reviewer["home"] is not None and reviewer["home"] == c.hh:
            return 403, "own_household", None
        if reviewer["id"] == c.created_by:
            return 403, "own_claim", None
        if c.status == "second_review" and c.first_reviewer == reviewer["id"]:
            return 403, "same_reviewer", None
        if not c.open:
            return 409, "claim_decided", None
        if action == "reject":
            return 200, None, ("rejected", None)
        rule = self.rules[c.rule_id]
        second = c.status == "second_review"
        if second:
            if points is not None and points != c.first_points:
                return 422, "points_mismatch", None
            per_unit = c.first_points
        elif rule.ranged:
            if points is None:
                return 422, "points_required", None
            if not rule.min <= points <= rule.max:
                return 422, "points_out_of_range", None
            per_unit = points
        else:
            if points is not None and points != rule.points:
                return 422, "points_fixed", None
            per_unit = rule.points
        total = per_unit * c.quantity
        if not second and total > self.threshold:
            return 200, None, ("second_review", per_unit)
        # the ledger posts the entry: the year open, the rule as it is now, the recorder, the caps
        if c.date[:4] in self.closed_years:
            return 422, "year_closed", None
        if not rule.active:
            return 422, "rule_retired", None
        if reviewer["role"] not in rule.recorders:
            return 403, "forbidden", None
        for which, cap in (("month", rule.cap_month), ("year", rule.cap_year)):
            if cap and abs(self.cap_used(c.hh, rule.lineage, c.date, which, []) + total) > cap:
                return 422, "cap_exceeded", None
        return 200, None, ("approved", per_unit)

    def predict_reversal(self, role, entry_id, reason):
        if not reason:
            return 422, None
        e = self.entries.get(entry_id)
        if e is None:
            return 404, None
        if role not in ("scorer", "village_admin"):
            return 403, "forbidden"
        if e.kind == "reversal":
            return 409, "reversal_of_reversal"
        if e.reversed_by:
            return 409, "already_reversed"
        if e.kind in ("carry_over", "clearing"):
            return 409, "year_end_entry"
        if e.kind == "redemption":
            return 409, "use_cancel"
        if e.deed_date[:4] in self.closed_years:
            return 422, "year_closed"
        return 201, None


def valid_date(s):
    try:
        datetime.date.fromisoformat(s)
        return len(s) == 10
    except ValueError:
        return False


# ---------------------------------------------------------------------------
# The context: a server, its users, the model, and the checks.
# ---------------------------------------------------------------------------

class Ctx:
    def __init__(self, seed):
        self.seed = seed
        self.rng = random.Random(seed)
        self.s = Server()
        self.vid = self.s.village_id
        self.clients = {"scorer": self.s.login("scorer"), "village_admin": self.s.login("admin"),
                        "clerk": self.s.login("clerk"), "villager": self.s.login_villager("1001")}
        self.admin = self.clients["village_admin"]
        self.reviewers = {}    # client name -> {"id", "role", "home"} (claims)
        self.db = sqlite3.connect(f"file:{self.s.db}?mode=ro", uri=True, timeout=30)
        self.model = Model(today().isoformat())
        self.keyed = []        # (role, path, body, key, status, response bytes)
        self.history = []      # recent operation descriptions, for a failure report
        self.op_index = -1
        self.new_entry_ids = []
        self.outcomes = {}     # "201" / "422 cap_exceeded" … -> how often

    def close(self):
        self.db.close()
        self.s.close()

    # -- failure reports --
    def fail(self, what):
        recent = "\n    ".join(self.history[-8:])
        raise Mismatch(f"model mismatch with seed {self.seed} at operation {self.op_index}: {what}\n"
                       f"  recent operations:\n    {recent}\n"
                       f"  reproduce: MODEL_SEEDS={self.seed} MODEL_OPS={self.op_index + 1} "
                       f"python3 tests/api/test_model.py")

    def expect(self, resp, want_status, want_code, what):
        if resp.status != want_status or (want_code and resp.error_code != want_code):
            self.fail(f"{what}: expected {want_status} {want_code or ''}, got {resp}")
        if resp.status >= 500:
            self.fail(f"{what}: server error {resp}")
        k = f"{resp.status} {resp.error_code or ''}".strip()
        self.outcomes[k] = self.outcomes.get(k, 0) + 1

    def sql(self, q, *args):
        return self.db.execute(q, args).fetchall()

    def check_households(self, hhs, what):
        """Balances, entry counts of these households and the village's count."""
        m = self.model
        n = self.sql("SELECT count(*) FROM entries WHERE village_id = ?", self.vid)[0][0]
        if n != m.count:
            self.fail(f"{what}: the village has {n} entries, the model {m.count}")
        for hh in set(hhs):
            rows = self.sql("SELECT confirmed + pending, entry_count FROM balances"
                            " WHERE household_id = ?", hh)
            got = rows[0] if rows else (0, 0)
            want = (m.balance.get(hh, 0), len(m.by_hh.get(hh, [])))
            if tuple(got) != want:
                self.fail(f"{what}: household {hh} has (balance, entries) {tuple(got)}, "
                          f"the model {want}")

    def check_claims(self, ids, what):
        """The claims table against the model: the village's count, and these claims'
        status, reviewers, first points and entry."""
        m = self.model
        n = self.sql("SELECT count(*) FROM claims WHERE village_id = ?", self.vid)[0][0]
        if n != len(m.claims):
            self.fail(f"{what}: the village has {n} claims, the model {len(m.claims)}")
        for cid in set(ids):
            rows = self.sql("SELECT status, first_reviewer, first_points, second_reviewer,"
                            " entry_id FROM claims WHERE id = ?", cid)
            got = tuple(rows[0]) if rows else None
            want = m.claims[cid].row() if cid in m.claims else None
            if got != want:
                self.fail(f"{what}: claim {cid} is (status, first reviewer, first points, "
                          f"second reviewer, entry) {got}, the model {want}")

    def check_all_balances(self, what):
        got = {h: (b, c) for h, b, c in self.sql(
            "SELECT household_id, confirmed + pending, entry_count FROM balances WHERE village_id = ?",
            self.vid)}
        for hh in self.model.active_hh | set(self.model.balance):
            want = (self.model.balance.get(hh, 0), len(self.model.by_hh.get(hh, [])))
            if got.get(hh, (0, 0)) != want:
                self.fail(f"{what}: household {hh} has {got.get(hh)}, the model {want}")

    # -- setup --
    def setup(self):
        m, rng, admin = self.model, self.rng, self.admin
        path = f"/api/v1/villages/{self.vid}/rules"
        extra_rules = [
            dict(category="测试", name="模型：固定加分", points=2),
            dict(category="测试", name="模型：范围加分", points=5, min_points=3, max_points=8,
                 cap_month=12),
            dict(category="测试", name="模型：年上限", points=3, cap_year=9),
            dict(category="测试", name="模型：扣分月上限", points=-3, cap_month=6),
            dict(category="测试", name="模型：范围扣分", points=-5, min_points=-10, max_points=-2),
            dict(category="测试", name="模型：村干部专用", points=10, cap_month=20, cap_year=30,
                 recorders=["village_admin"]),
            dict(category="测试", name="模型：紧上限", points=1, cap_month=3, unit="hour"),
            dict(category="测试", name="模型：评分员专用", points=4, recorders=["scorer"], unit="day"),
            # claimable: fixed with a cap, a range reaching over the second-review
            # threshold, one only the village admin may post, one needing a photo
            dict(category="测试", name="模型：申报固定", points=4, claimable=True, cap_month=12),
            dict(category="测试", name="模型：申报范围", points=10, min_points=5, max_points=25,
                 claimable=True),
            dict(category="测试", name="模型：申报村干部审", points=6, claimable=True, cap_year=30,
                 recorders=["village_admin"]),
            dict(category="测试", name="模型：申报需照片", points=8, claimable=True,
                 evidence_required=True, cap_year=40),
        ]
        for body in extra_rules:
            r = admin.post(path, body)
            if r.status != 201:
                raise AssertionError(f"setup rule {body}: {r}")
        retired = admin.post(path, dict(category="测试", name="模型：已停用", points=2)).json
        admin.post(f"/api/v1/rules/{retired['id']}/retire")
        for j in admin.get(path + "?status=all").json["items"]:
            m.rules[j["id"]] = Rule(j)
        # households, groups, members
        for g in admin.get(f"/api/v1/villages/{self.vid}/groups").json["items"]:
            m.groups[g["id"]] = []
        page = 1
        while True:
            r = admin.get(f"/api/v1/villages/{self.vid}/households?per_page=200&page={page}").json
            for h in r["items"]:
                m.groups[h["group_id"]].append(h["id"])
                m.all_hh.add(h["id"])
                if h["status"] == "active":
                    m.active_hh.add(h["id"])
            if not r["items"] or page * 200 >= r["total"]:
                break
            page += 1
        every = sorted(m.active_hh)
        self.pool = sorted(rng.sample(every, 24))
        self.own_hh = self.clients["villager"].user["household_id"]  # 1001, the villager's
        moved = self.pool[0] if self.pool[0] != self.own_hh else self.pool[1]
        r = admin.patch(f"/api/v1/households/{moved}", {"status": "moved_out"})
        if r.status != 200:
            raise AssertionError(f"move out: {r}")
        m.active_hh.discard(moved)
        for hh in self.pool:
            h = admin.get(f"/api/v1/households/{hh}").json
            m.members[hh] = [x["id"] for x in h["members"]]
        # the existing ledger
        for row in self.sql("SELECT id, household_id, member_id, points, kind, rule_lineage,"
                            " deed_date, reverses_id, rule_id, rule_version FROM entries"
                            " WHERE village_id = ? ORDER BY id", self.vid):
            m.add_entry(Entry(*row))
        m.closed_years = {str(y) for (y,) in self.sql("SELECT year FROM year_closes WHERE village_id = ?",
                                                       self.vid)}
        self.check_all_balances("the demo ledger before any operation")
        self.setup_claims(moved)
        # dates: a handful, so caps collide, across month and year boundaries
        t = today()
        self.dates = sorted({(t - datetime.timedelta(days=d)).isoformat()
                             for d in (0, 0, 1, 3, 12, 31, 40, 64, 130, 200, 370, 400)})

    def setup_claims(self, moved):
        """A second scorer, the scorer's home household, photos, the threshold and the
        demo's claims."""
        m, admin = self.model, self.admin
        r = admin.post("/api/v1/users", {"username": "scorer2", "display_name": "评分员李春生",
                                         "role": "scorer", "village_id": self.vid,
                                         "password": DEMO_PASSWORD})
        if r.status != 201:
            raise AssertionError(f"create scorer2: {r}")
        self.clients["scorer2"] = self.s.login("scorer2")
        # the scorer lives in one of the pool's households: no reviewing its claims
        self.home_hh = next(h for h in self.pool if h not in (moved, self.own_hh))
        scorer_id = self.clients["scorer"].user["id"]
        r = admin.patch(f"/api/v1/users/{scorer_id}", {"home_household_id": self.home_hh})
        if r.status != 200:
            raise AssertionError(f"set the scorer's home household: {r}")
        homes = dict(self.sql("SELECT id, home_household_id FROM users"))
        roles = {"scorer": "scorer", "scorer2": "scorer", "village_admin": "village_admin",
                 "clerk": "clerk", "villager": "villager"}
        for name, role in roles.items():
            uid = self.clients[name].user["id"]
            self.reviewers[name] = {"id": uid, "role": role,
                                    "home": homes.get(uid) if role != "villager" else None}
        if self.reviewers["scorer"]["home"] != self.home_hh:
            raise AssertionError("the scorer's home household was not stored")
        for who in ("villager", "villager", "scorer"):
            upload_ok(self.clients[who], self.vid)
        m.photos = {h for (h,) in self.sql("SELECT hash FROM photos WHERE village_id = ?",
                                           self.vid)}
        m.threshold = self.sql("SELECT second_review_points FROM villages WHERE id = ?",
                               self.vid)[0][0]
        for row in self.sql("SELECT id, household_id, rule_id, quantity, deed_date, created_by,"
                            " status, first_reviewer, first_points, second_reviewer, entry_id"
                            " FROM claims WHERE village_id = ? ORDER BY id", self.vid):
            m.claims[row[0]] = Claim(*row)
        self.check_claims(list(m.claims), "the demo's claims before any operation")

    # -- random choices --
    def pick_rule(self):
        rules = list(self.model.rules.values())
        if self.rng.random() < 0.05:
            return 999999
        active = [r for r in rules if r.active]
        return self.rng.choice(active if self.rng.random() < 0.93 else rules).id

    def pick_date(self):
        x = self.rng.random()
        if x < 0.02:
            return (today() + datetime.timedelta(days=self.rng.randint(1, 5))).isoformat()
        if x < 0.03:
            return "1999-12-31"
        if x < 0.035:
            return "2024-02-30"
        return self.rng.choice(self.dates)

    def pick_points(self, rule_id):
        rule = self.model.rules.get(rule_id)
        x = self.rng.random()
        if rule is None:
            return None
        if rule.ranged:
            if x < 0.08:
                return None
            if x < 0.15:
                return self.rng.choice([rule.min - 1, rule.max + 1, -rule.points])
            return self.rng.randint(rule.min, rule.max)
        if x < 0.1:
            return rule.points
        if x < 0.15:
            return rule.points + 1
        return None

    def pick_quantity(self):
        x = self.rng.random()
        if x < 0.7:
            return None
        if x < 0.95:
            return self.rng.randint(1, 4)
        return self.rng.choice([0, -2, 101])

    def pick_role(self):
        x = self.rng.random()
        if x < 0.02:
            return "clerk"
        if x < 0.03:
            return "villager"
        return "scorer" if x < 0.83 else "village_admin"

    def pick_household(self):
        if self.rng.random() < 0.03:
            return 999999
        return self.rng.choice(self.pool)

    # -- requests with an optional idempotency key --
    def send(self, role, path, body, keyed):
        headers = {}
        key = None
        if keyed:
            key = f"seed{self.seed}-op{self.op_index}"
            headers["Idempotency-Key"] = key
        r = self.clients[role].post(path, body, headers=headers)
        if keyed and r.status < 500:
            self.keyed.append((role, path, body, key, r.status, r.body))
        return r


# ---------------------------------------------------------------------------
# Operations: each builds one request, predicts, sends, checks, applies.
# ---------------------------------------------------------------------------

def do_record(ctx, spec, what):
    m = ctx.model
    body = {"rule_id": spec["rule_id"], "deed_date": spec["date"]}
    if spec.get("quantity") is not None:
        body["quantity"] = spec["quantity"]
    if spec.get("points") is not None:
        body["points"] = spec["points"]
    if spec.get("group") is not None:
        body["group_id"] = spec["group"]
    targets = spec.get("targets") or []
    if targets:
        if any(mem is not None for _, mem in targets) or ctx.rng.random() < 0.3:
            body["households"] = [dict({"household_id": h}, **({"member_id": mem} if mem else {}))
                                  for h, mem in targets]
        else:
            body["household_ids"] = [h for h, _ in targets]
    if ctx.rng.random() < 0.3:
        body["note"] = ctx.rng.choice(["帮五保户挑水", "清理村道积雪", "调解邻里纠纷", "参加防火巡逻"])
    want_status, want_code, planned = m.predict_record(spec)
    ctx.history.append(f"#{ctx.op_index} {what}: {spec['role']} POST entries {body} -> "
                       f"expect {want_status} {want_code or ''}")
    r = ctx.send(spec["role"], f"/api/v1/villages/{ctx.vid}/entries", body,
                 keyed=ctx.rng.random() < 0.25)
    ctx.expect(r, want_status, want_code, what)
    touched = [h for h, _ in targets]
    if want_status == 201:
        got = r.json["entries"]
        if len(got) != len(planned) or r.json["count"] != len(planned):
            ctx.fail(f"{what}: {len(got)} entries, the model {len(planned)}")
        rule = m.rules[spec["rule_id"]]
        if spec.get("group") is not None:
            got_sorted = sorted(got, key=lambda e: e["household_id"])
            planned = sorted(planned)
        else:
            got_sorted = got
        for e, (hh, member, pts) in zip(got_sorted, planned):
            have = (e["household_id"], e["member_id"], e["points"], e["kind"], e["rule_version"],
                    e["deed_date"], e["reverses_id"])
            want = (hh, member, pts, "award" if pts > 0 else "deduction", rule.version,
                    spec["date"], None)
            if have != want:
                ctx.fail(f"{what}: entry {e['id']} is {have}, the model {want}")
            if e["id"] in m.entries:
                ctx.fail(f"{what}: entry id {e['id']} reused")
        for e in got:
            m.add_entry(Entry(e["id"], e["household_id"], e["member_id"], e["points"], e["kind"],
                              rule.lineage, e["deed_date"], None, rule.id, rule.version))
            ctx.new_entry_ids.append(e["id"])
        touched += [h for h, _, _ in planned]
    ctx.check_households(touched, what)


def op_record_one(ctx):
    rule = ctx.pick_rule()
    spec = {"role": ctx.pick_role(), "rule_id": rule, "date": ctx.pick_date(),
            "quantity": ctx.pick_quantity(), "points": ctx.pick_points(rule),
            "targets": [(ctx.pick_household(), None)]}
    do_record(ctx, spec, "record one")


def op_record_batch(ctx):
    rule = ctx.pick_rule()
    n = ctx.rng.randint(2, 6)
    targets = [(h, None) for h in ctx.rng.sample(ctx.pool, n)]
    if ctx.rng.random() < 0.1:
        targets.append(targets[0])
    spec = {"role": ctx.pick_role(), "rule_id": rule, "date": ctx.pick_date(),
            "quantity": ctx.pick_quantity(), "points": ctx.pick_points(rule), "targets": targets}
    do_record(ctx, spec, "record a batch")


def op_record_members(ctx):
    rule = ctx.pick_rule()
    m = ctx.model
    with_members = [h for h in ctx.pool if m.members.get(h)]
    hh = ctx.rng.choice(with_members)
    targets = [(hh, mem) for mem in m.members[hh]]
    if ctx.rng.random() < 0.5:
        targets.append((hh, None))
    others = [h for h in with_members if h != hh]
    if others and ctx.rng.random() < 0.15:
        targets.append((hh, m.members[ctx.rng.choice(others)][0]))
    ctx.rng.shuffle(targets)
    spec = {"role": ctx.pick_role(), "rule_id": rule, "date": ctx.pick_date(),
            "quantity": ctx.pick_quantity(), "points": ctx.pick_points(rule), "targets": targets}
    do_record(ctx, spec, "record members")


def op_record_group(ctx):
    rule = ctx.pick_rule()
    spec = {"role": ctx.pick_role(), "rule_id": rule, "date": ctx.pick_date(),
            "quantity": ctx.pick_quantity(), "points": ctx.pick_points(rule),
            "group": ctx.rng.choice(sorted(ctx.model.groups))}
    if ctx.rng.random() < 0.05:
        spec["targets"] = [(ctx.pool[1], None)]
    do_record(ctx, spec, "record a group")


def op_reverse(ctx):
    m, rng = ctx.model, ctx.rng
    x = rng.random()
    reversed_ = [i for i in ctx.new_entry_ids[-400:] if m.entries[i].reversed_by]
    reversals = [i for i in ctx.new_entry_ids[-400:] if m.entries[i].kind == "reversal"]
    if x < 0.12 and reversed_:
        target = rng.choice(reversed_)
    elif x < 0.24 and reversals:
        target = rng.choice(reversals)
    elif x < 0.27:
        target = 99999999
    elif x < 0.45 or not ctx.new_entry_ids:
        target = rng.randint(1, max(m.entries))
    else:
        target = rng.choice(ctx.new_entry_ids)
    reason = "" if rng.random() < 0.03 else rng.choice(["记错户了", "重复记录", "核实后撤销"])
    role = ctx.pick_role()
    want_status, want_code = m.predict_reversal(role, target, reason)
    what = f"reverse entry {target}"
    ctx.history.append(f"#{ctx.op_index} {what}: {role} -> expect {want_status} {want_code or ''}")
    r = ctx.send(role, f"/api/v1/entries/{target}/reversal", {"reason": reason},
                 keyed=rng.random() < 0.25)
    ctx.expect(r, want_status, want_code, what)
    orig = m.entries.get(target)
    if want_status == 201:
        got = r.json["entries"]
        if len(got) != 1:
            ctx.fail(f"{what}: {len(got)} entries")
        e = got[0]
        have = (e["household_id"], e["points"], e["kind"], e["reverses_id"], e["deed_date"])
        want = (orig.hh, -orig.points, "reversal", orig.id, orig.deed_date)
        if have != want:
            ctx.fail(f"{what}: reversal {e['id']} is {have}, the model {want}")
        m.add_entry(Entry(e["id"], orig.hh, orig.member, -orig.points, "reversal", orig.lineage,
                          orig.deed_date, orig.id, orig.rule_id, orig.rule_version))
        ctx.new_entry_ids.append(e["id"])
    if orig:
        rows = ctx.sql("SELECT id FROM entries WHERE reverses_id = ?", target)
        have = rows[0][0] if rows else None
        if have != orig.reversed_by:
            ctx.fail(f"{what}: entry {target} is reversed by {have}, the model {orig.reversed_by}")
        ctx.check_households([orig.hh], what)
    else:
        ctx.check_households([], what)


def op_replay(ctx):
    if not ctx.keyed:
        return op_record_one(ctx)
    role, path, body, key, first_status, first_body = ctx.rng.choice(ctx.keyed)
    changed = ctx.rng.random() < 0.15
    if changed:
        body = dict(body, note="改过的请求")
    what = f"replay key {key}{' with a changed body' if changed else ''}"
    ctx.history.append(f"#{ctx.op_index} {what}: {role} POST {path}")
    r = ctx.clients[role].post(path, body, headers={"Idempotency-Key": key})
    if changed:
        ctx.expect(r, 422, "idempotency_key_reused", what)
    else:
        if r.status != first_status or r.body != first_body:
            ctx.fail(f"{what}: got {r}, the first answer was {first_status} {first_body[:200]!r}")
        if r.header("Idempotent-Replayed") != "true":
            ctx.fail(f"{what}: no Idempotent-Replayed header")
    ctx.check_households([], what)


def op_revise_rule(ctx):
    m = ctx.model
    rule = ctx.rng.choice([r for r in m.rules.values() if r.active])
    change = {}
    if not rule.ranged and ctx.rng.random() < 0.7:
        p = rule.points + ctx.rng.choice([-1, 1])
        if p != 0 and (p > 0) == (rule.points > 0):
            change["points"] = p
    what = f"revise rule {rule.id} ({rule.name} v{rule.version}) {change}"
    ctx.history.append(f"#{ctx.op_index} {what}")
    r = ctx.admin.post(f"/api/v1/rules/{rule.id}/revise", rule.body(**change))
    ctx.expect(r, 201, None, what)
    new = Rule(r.json)
    if (new.lineage, new.version, new.active) != (rule.lineage, rule.version + 1, True):
        ctx.fail(f"{what}: got lineage {new.lineage} version {new.version}")
    rule.active = False
    m.rules[new.id] = new
    ctx.check_households([], what)


CLAIM_TEXTS = ["照顾瘫痪在床的婆婆一个月", "帮五保户张大爷收玉米", "在村部门口捡到钱包交还失主",
               "婚事新办，不收彩礼", "跳进河里救起落水儿童", "给独居老人送饭一周"]
REJECT_REASONS = ["当天已由评分小组统一记分，请勿重复申报", "事迹核实不足，请补充照片后重新申请",
                  "不属于积分细则范围"]


def pick_claim_rule(ctx):
    m, x = ctx.model, ctx.rng.random()
    if x < 0.03:
        return 999999
    rules = list(m.rules.values())
    claimable = [r for r in rules if r.active and r.claimable]
    if x < 0.88 and claimable:
        return ctx.rng.choice(claimable).id
    return ctx.rng.choice(rules).id  # mostly not claimable, or retired


def pick_claim_photos(ctx, rule_id):
    rng, pool = ctx.rng, sorted(ctx.model.photos)
    rule = ctx.model.rules.get(rule_id)
    x = rng.random()
    if x < 0.02:
        return ["abc123"]
    if x < 0.04:
        return ["f" * 64]  # well formed, never uploaded
    if x < 0.05:
        p = rng.choice(pool)
        return [p, p]
    if x < 0.06:
        return [rng.choice(pool) for _ in range(7)]
    if rule is not None and rule.evidence and x < 0.9:
        return rng.sample(pool, rng.randint(1, min(2, len(pool))))
    if x < 0.15:
        return [rng.choice(pool)]
    return []


def op_claim_file(ctx):
    m, rng = ctx.model, ctx.rng
    x = rng.random()
    role = ("villager" if x < 0.55 else "scorer" if x < 0.72 else "village_admin" if x < 0.87
            else "scorer2" if x < 0.96 else "clerk")
    household, y = None, rng.random()
    if role == "villager":
        if y < 0.06:
            household = rng.choice(ctx.pool)  # another household's (or, by chance, its own)
        elif y < 0.2:
            household = ctx.own_hh
    elif y < 0.05:
        household = None  # a cadre must name the household
    elif y < 0.25:
        household = ctx.home_hh
    elif y < 0.35:
        household = ctx.own_hh
    else:
        household = ctx.pick_household()
    rule = pick_claim_rule(ctx)
    spec = {"role": role, "own_hh": ctx.own_hh, "household": household, "rule_id": rule,
            "date": ctx.pick_date(), "quantity": ctx.pick_quantity(),
            "description": "" if rng.random() < 0.03 else rng.choice(CLAIM_TEXTS),
            "photos": pick_claim_photos(ctx, rule)}
    body = {"rule_id": rule, "deed_date": spec["date"], "description": spec["description"]}
    if spec["quantity"] is not None:
        body["quantity"] = spec["quantity"]
    if household is not None:
        body["household_id"] = household
    if spec["photos"] or rng.random() < 0.1:
        body["photos"] = spec["photos"]
    want_status, want_code, hh = m.predict_claim(spec)
    what = "file a claim"
    ctx.history.append(f"#{ctx.op_index} {what}: {role} POST claims {body} -> expect "
                       f"{want_status} {want_code or ''}")
    r = ctx.send(role, f"/api/v1/villages/{ctx.vid}/claims", body, keyed=rng.random() < 0.2)
    ctx.expect(r, want_status, want_code, what)
    if want_status == 201:
        j = r.json
        me = ctx.reviewers[role]["id"]
        q = spec["quantity"] or 1
        have = (j["status"], j["household_id"], j["rule_id"], j["quantity"], j["deed_date"],
                j["created_by"], j["photos"], j["entry_id"], j["points"])
        want = ("pending", hh, rule, q, spec["date"], me, spec["photos"], None, None)
        if have != want:
            ctx.fail(f"{what}: claim {j['id']} is {have}, the model {want}")
        if j["id"] in m.claims:
            ctx.fail(f"{what}: claim id {j['id']} reused")
        m.claims[j["id"]] = Claim(j["id"], hh, rule, q, spec["date"], me)
        ctx.check_claims([j["id"]], what)
    else:
        ctx.check_claims([], what)
    ctx.check_households([], what)


def pick_review_points(ctx, c):
    rng, x = ctx.rng, ctx.rng.random()
    if c is None:
        return rng.choice([None, 5])
    rule = ctx.model.rules[c.rule_id]
    if c.status == "second_review":
        if x < 0.7:
            return None
        if x < 0.9:
            return c.first_points
        return c.first_points + rng.choice([-1, 1])
    if rule.ranged:
        if x < 0.08:
            return None
        if x < 0.15:
            return rng.choice([rule.min - 1, rule.max + 1])
        return rng.randint(rule.min, rule.max)
    if x < 0.8:
        return None
    if x < 0.92:
        return rule.points
    return rule.points + 1


def review(ctx, action):
    """Approves or rejects a claim, mostly an open one, as a random reviewer."""
    m, rng = ctx.model, ctx.rng
    open_ = [c.id for c in m.claims.values() if c.open]
    decided = [c.id for c in m.claims.values() if not c.open]
    x = rng.random()
    if x < 0.04 or not m.claims:
        cid = 999999
    elif (x < 0.2 and decided) or not open_:
        cid = rng.choice(decided or sorted(m.claims))
    else:
        cid = rng.choice(open_)
    x = rng.random()
    role = ("clerk" if x < 0.03 else "villager" if x < 0.06 else "scorer" if x < 0.45
            else "scorer2" if x < 0.65 else "village_admin")
    c = m.claims.get(cid)
    points, reason = None, None
    if action == "approve":
        points = pick_review_points(ctx, c)
        body = {} if points is None else {"points": points}
    else:
        reason = "" if rng.random() < 0.05 else rng.choice(REJECT_REASONS)
        body = {"reason": reason}
    reviewer = ctx.reviewers[role]
    want_status, want_code, outcome = m.predict_review(action, reviewer, cid, points, reason)
    what = f"{action} claim {cid}"
    ctx.history.append(f"#{ctx.op_index} {what} ({c.status if c else 'missing'}): {role} "
                       f"{body} -> expect {want_status} {want_code or ''}")
    r = ctx.send(role, f"/api/v1/claims/{cid}/{action}", body, keyed=rng.random() < 0.2)
    ctx.expect(r, want_status, want_code, what)
    if want_status == 200:
        j, me = r.json, reviewer["id"]
        status, per_unit = outcome
        second = c.status == "second_review"
        if status == "second_review":
            c.first_reviewer, c.first_points = me, per_unit
        elif second:
            c.second_reviewer = me
        else:
            c.first_reviewer = me
            if status == "approved":
                c.first_points = per_unit
        c.status = status
        points_total = None
        if status == "approved":
            points_total = per_unit * c.quantity
            rows = ctx.sql("SELECT id, household_id, points, kind, deed_date, rule_id, approved_by"
                           " FROM entries WHERE claim_id = ?", cid)
            want = [(j["entry_id"], c.hh, points_total, "award", c.date, c.rule_id, me)]
            if [tuple(x) for x in rows] != want:
                ctx.fail(f"{what}: the claim's entries are {rows}, the model {want}")
            rule = m.rules[c.rule_id]
            m.add_entry(Entry(j["entry_id"], c.hh, None, points_total, "award", rule.lineage,
                              c.date, None, rule.id, rule.version))
            ctx.new_entry_ids.append(j["entry_id"])
            c.entry = j["entry_id"]
        have = (j["status"], j["first_points"], j["points"], j["reject_reason"],
                j["household_id"])
        want = (c.status, c.first_points, points_total, reason if status == "rejected" else None,
                c.hh)
        if have != want:
            ctx.fail(f"{what}: the answer is (status, first points, points, reason, household) "
                     f"{have}, the model {want}")
    ctx.check_claims([cid] if c else [], what)
    ctx.check_households([c.hh] if c else [], what)


def op_claim_approve(ctx):
    review(ctx, "approve")


def op_claim_reject(ctx):
    review(ctx, "reject")


def op_check_passbook(ctx):
    m = ctx.model
    hh = ctx.rng.choice(ctx.pool)
    what = f"passbook of household {hh}"
    ctx.history.append(f"#{ctx.op_index} {what}")
    r = ctx.admin.get(f"/api/v1/households/{hh}/passbook?per_page=20")
    ctx.expect(r, 200, None, what)
    ids = list(reversed(m.by_hh.get(hh, [])))
    have = [(i["id"], i["points"], i["reversed_by"]) for i in r.json["items"]]
    want = [(i, m.entries[i].points, m.entries[i].reversed_by) for i in ids[:20]]
    if have != want or r.json["balance"]["total"] != m.balance.get(hh, 0) \
            or r.json["total"] != len(ids):
        ctx.fail(f"{what}: got balance {r.json['balance']} {have[:5]}…, the model "
                 f"{m.balance.get(hh, 0)} {want[:5]}…")


OPS = [
    (30, op_record_one),
    (14, op_record_batch),
    (6, op_record_members),
    (3, op_record_group),
    (24, op_reverse),
    (8, op_replay),
    (1, op_revise_rule),
    (3, op_check_passbook),
    (8, op_claim_file),
    (8, op_claim_approve),
    (3, op_claim_reject),
]


def final_check(ctx):
    m = ctx.model
    ctx.op_index = "final"
    ctx.check_all_balances("final balances")
    ctx.check_claims(list(m.claims), "final claims")
    for hh in sorted(set(h for g in m.groups.values() for h in g)):
        bal, items = passbook(ctx.admin, hh)
        ids = list(reversed(m.by_hh.get(hh, [])))
        have = [(i["id"], i["points"], i["kind"], i["reverses_id"], i["reversed_by"])
                for i in items]
        want = [(i, m.entries[i].points, m.entries[i].kind, m.entries[i].reverses,
                 m.entries[i].reversed_by) for i in ids]
        if have != want:
            diff = [(a, b) for a, b in zip(have, want) if a != b][:3]
            ctx.fail(f"final passbook of household {hh}: {len(have)} entries vs the model's "
                     f"{len(want)}; first differences {diff}")
        if bal["total"] != m.balance.get(hh, 0) or bal["confirmed"] + bal["pending"] != bal["total"]:
            ctx.fail(f"final balance of household {hh}: {bal}, the model {m.balance.get(hh, 0)}")
        running = 0
        for it in reversed(items):
            running += it["points"]
            if it["running_balance"] != running:
                ctx.fail(f"household {hh}: running balance of entry {it['id']} is "
                         f"{it['running_balance']}, expected {running}")
    head = ctx.s.anon().get(f"/api/v1/villages/{ctx.vid}/chain").json
    if head["seq"] != m.count:
        ctx.fail(f"chain head seq {head['seq']}, the model has {m.count} entries")
    ctx.s.stop()
    p = verify(ctx.s.db)
    if p.returncode != 0 or "ledger ok" not in p.stdout:
        ctx.fail(f"jifen verify failed: {p.stdout}{p.stderr}")


def run_seed(seed, nops):
    ctx = Ctx(seed)
    try:
        ctx.setup()
        weights = [w for w, _ in OPS]
        fns = [f for _, f in OPS]
        for i in range(nops):
            ctx.op_index = i
            fn = ctx.rng.choices(fns, weights)[0]
            fn(ctx)
            if i % 100 == 99:
                ctx.check_all_balances(f"all balances after operation {i}")
                ctx.check_claims(list(ctx.model.claims), f"all claims after operation {i}")
        final_check(ctx)
        claims = {}
        for c in ctx.model.claims.values():
            claims[c.status] = claims.get(c.status, 0) + 1
        return len(ctx.new_entry_ids), ctx.model.count, ctx.outcomes, claims
    finally:
        ctx.close()


def seeds():
    v = os.environ.get("MODEL_SEEDS", "1,2,3")
    if v == "random":
        return [random.SystemRandom().randrange(1, 10**9) for _ in range(3)]
    return [int(x) for x in v.split(",") if x.strip()]


def test_model():
    nops = int(os.environ.get("MODEL_OPS", "1000"))
    for seed in seeds():
        t0 = time.time()
        new, total, outcomes, claims = run_seed(seed, nops)
        print(f"     seed {seed}: {nops} operations, {new} new entries, {total} in the ledger, "
              f"claims {claims}, {time.time() - t0:.1f}s", flush=True)
        print("       " + ", ".join(f"{k}: {v}" for k, v in sorted(outcomes.items())), flush=True)


if __name__ == "__main__":
    run(globals())
