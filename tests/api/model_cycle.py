"""The model of the village's whole year, for the seeded model test (test_model.py,
issue 6 family 2): a small in-memory model of the ledger, the monthly notices
with their objections, the points supermarket and the year end, and the random
operations that drive a real `jifen serve` and check every answer against it.

Each seed gets its own server and a fresh village (under the demo's township, so
nothing of the demo's history moves the numbers) with 3 groups, 24 households
(one moved out), members, staff, a villager, photos, a rule catalogue with caps
and ranges, and goods. The village lives through a simulated run of months: the
"cursor" walks from about nops/100 months ago to last month, and most deeds are
dated in the cursor's month. Operations:

  ledger     record (one household, a list, members, a group), reverse, replay
             an idempotent request, revise a rule, read a passbook
  claims     file, approve (with a second reviewer above the village's
             threshold), reject
  notices    publish a month (mostly the oldest unpublished one before the
             cursor), object to an entry of an open notice, settle (upheld: a
             reversal in the notice's month; dismissed with a reason), end a
             notice's window (see "Time" below) so the month is confirmed
  shop       open the redemption window, take stock in, redeem (confirmed
             points only), cancel a redemption (once)
  year end   close a year (carry over or clear, by the village's policy, which
             an operation changes now and then); a closed year refuses entries

The model predicts the status and error code of every request, the entries it
creates (month, bucket, points), and keeps every household's confirmed and
pending balance, the points earned per household and period (rankings), the
stock of every goods, notices, objections, redemptions, claims and closed
years. After every CHECK_EVERY operations and at the end the balances, stock,
rankings (staff, group, public and one household's rank) are compared with the
server's; at the end also every passbook, notice, objection and redemption, and
`jifen verify` must pass.

Time. Dates are relative to today (China time), like the server's. The server
only publishes ended months and confirms a notice when its window has closed and
no objection is open. Windows here last a real day (notice_days 1), so nothing
closes by itself during a run; the operation "end window" moves the notice's
closes_at to the past in the database (the only write behind the server's
back, standing in for the passing days). Then either the settlement of its last
open objection confirms it in the same transaction, or, when none is open, the
server's scheduler (--confirm-interval 1) does; the test waits for that (the
notice's status), doing nothing else meanwhile, so the model stays exact.

Entries recorded for a published month go into the current month (2026-11 if
today is in November), which cannot be published during the run; such "late"
entries stay pending and would block closing their year forever, so the model
dates late deeds only in today's year (which cannot be closed yet either).
"""
import datetime
import http.client
import json
import os
import random
import sqlite3
import tempfile
import time

from harness import DEMO_PASSWORD, Client, Response, Server
from ledger_fixtures import today, verify
from photo_fixtures import upload_ok

KINDS_IN_CAPS = ("award", "deduction", "reversal")
EARNED_KINDS = ("award", "deduction", "adjustment")
CHECK_EVERY = 100
IDLE_RECONNECT_S = 15  # the server closes connections idle for 30 s


class Mismatch(AssertionError):
    pass


# ---------------------------------------------------------------------------
# HTTP with keep-alive: one connection per user, reopened when idle.
# ---------------------------------------------------------------------------

class KeepAlive(Client):
    """A logged-in user's client that keeps its connection open. Only a GET is
    retried on a dropped connection; a POST is never sent twice."""

    def __init__(self, base):
        super().__init__(base.server, token=base.token)
        self.user = base.user
        self.conn = None
        self.used = 0.0

    def close(self):
        if self.conn:
            self.conn.close()
            self.conn = None

    def request(self, method, path, body=None, headers=None, raw=None, timeout=60):
        h = dict(headers or {})
        data = raw
        if raw is None and body is not None:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            h.setdefault("Content-Type", "application/json")
        h.setdefault("Authorization", "Bearer " + self.token)
        if self.conn and time.monotonic() - self.used > IDLE_RECONNECT_S:
            self.close()
        for attempt in range(2):
            fresh = self.conn is None
            if fresh:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.server.port,
                                                       timeout=timeout)
            try:
                self.conn.request(method, path, body=data, headers=h)
                r = self.conn.getresponse()
                resp = Response(r.status, r.getheaders(), r.read())
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if fresh or attempt or method != "GET":
                    raise
                continue
            self.used = time.monotonic()
            if r.will_close:
                self.close()
            return resp


# ---------------------------------------------------------------------------
# Dates and periods.
# ---------------------------------------------------------------------------

def valid_date(s):
    try:
        datetime.date.fromisoformat(s)
        return len(s) == 10
    except ValueError:
        return False


def month_add(month, k):
    y, m = int(month[:4]), int(month[5:7]) - 1 + k
    return f"{y + m // 12:04d}-{m % 12 + 1:02d}"


def month_days(month):
    nxt = month_add(month, 1)
    return (datetime.date.fromisoformat(nxt + "-01") - datetime.timedelta(days=1)).day


def periods_of(date):
    m = int(date[5:7])
    return (date[:4], f"{date[:4]}-Q{(m + 2) // 3}", date[:7])


def period_bounds(date, which):
    y, m = int(date[:4]), int(date[5:7])
    if which == "month":
        nxt = f"{y + 1}-01-01" if m == 12 else f"{y}-{m + 1:02d}-01"
        return f"{y}-{m:02d}-01", nxt
    return f"{y}-01-01", f"{y + 1}-01-01"


# ---------------------------------------------------------------------------
# The model: plain Python state and the rules of the server, nothing else.
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
                 "reversed_by", "rule_id", "rule_version", "month", "bucket")

    def __init__(self, id, hh, member, points, kind, lineage, deed_date, reverses, rule_id,
                 rule_version, month, bucket):
        self.id, self.hh, self.member, self.points, self.kind = id, hh, member, points, kind
        self.lineage, self.deed_date, self.reverses = lineage, deed_date, reverses
        self.rule_id, self.rule_version = rule_id, rule_version
        self.month, self.bucket = month, bucket
        self.reversed_by = None


class Claim:
    """A claim as the model sees it: reviewers are user ids."""
    __slots__ = ("id", "hh", "rule_id", "quantity", "date", "created_by", "status",
                 "first_reviewer", "first_points", "second_reviewer", "entry")

    def __init__(self, id, hh, rule_id, quantity, date, created_by):
        self.id, self.hh, self.rule_id, self.quantity, self.date = id, hh, rule_id, quantity, date
        self.created_by, self.status = created_by, "pending"
        self.first_reviewer = self.first_points = self.second_reviewer = self.entry = None

    @property
    def open(self):
        return self.status in ("pending", "second_review")

    def row(self):
        return (self.status, self.first_reviewer, self.first_points, self.second_reviewer,
                self.entry)


class Notice:
    __slots__ = ("id", "month", "status", "window_open", "entry_count", "total_points")

    def __init__(self, id, month, entry_count, total_points):
        self.id, self.month, self.status, self.window_open = id, month, "open", True
        self.entry_count, self.total_points = entry_count, total_points


class Objection:
    __slots__ = ("id", "notice_id", "entry_id", "hh", "status", "reversal")

    def __init__(self, id, notice_id, entry_id, hh):
        self.id, self.notice_id, self.entry_id, self.hh = id, notice_id, entry_id, hh
        self.status, self.reversal = "open", None


class Goods:
    __slots__ = ("id", "name", "price", "stock", "active")

    def __init__(self, id, name, price, stock, active=True):
        self.id, self.name, self.price, self.stock, self.active = id, name, price, stock, active


class Redemption:
    __slots__ = ("id", "hh", "total", "entry_id", "status", "items", "cancel_entry", "day")

    def __init__(self, id, hh, total, entry_id, items, day):
        self.id, self.hh, self.total, self.entry_id, self.items = id, hh, total, entry_id, items
        self.status, self.cancel_entry, self.day = "done", None, day


HEX = set("0123456789abcdef")


class Model:
    """What the server should hold. Knows nothing about HTTP."""

    def __init__(self, today_iso):
        self.set_today(today_iso)
        self.rules = {}        # id -> Rule
        self.entries = {}      # id -> Entry
        self.by_hh = {}        # household id -> [entry ids], ascending
        self.by_month = {}     # month -> [entry ids]
        self.confirmed = {}    # household id -> confirmed points
        self.pending = {}      # household id -> pending points
        self.totals = {}       # (household id, period) -> points earned (a row exists)
        self.active_hh = set()
        self.all_hh = set()
        self.groups = {}       # group id -> [household ids] (the server's order)
        self.group_of = {}     # household id -> group id
        self.passbook = {}     # household id -> passbook number
        self.members = {}      # household id -> [member ids]
        self.cap_index = {}    # (household, lineage) -> [(deed_date, points)]
        self.count = 0         # entries of the village
        self.claims = {}       # id -> Claim
        self.threshold = 20    # the village's second_review_points
        self.photos = set()    # hashes of the village's uploaded photos
        self.closed_years = set()  # "YYYY": no entry dated in them
        self.notices = {}      # month -> Notice
        self.notice_by_id = {}
        self.confirmed_months = set()
        self.objections = {}   # id -> Objection
        self.open_objection = {}  # entry id -> objection id (open ones)
        self.goods = {}        # id -> Goods
        self.redemptions = {}  # id -> Redemption
        self.shop_open = False
        self.policy = "carry_over"
        self.foreign_max = 0   # entry ids up to this one belong to other villages
        self.honour_rules = []  # (id, kind, top_n, thresholds)

    def set_today(self, today_iso):
        self.today = today_iso
        self.today_month = today_iso[:7]
        self.today_year = int(today_iso[:4])

    def balance(self, hh):
        return self.confirmed.get(hh, 0) + self.pending.get(hh, 0)

    # -- state changes --
    def add_entry(self, e):
        self.entries[e.id] = e
        self.by_hh.setdefault(e.hh, []).append(e.id)
        self.by_month.setdefault(e.month, []).append(e.id)
        side = self.confirmed if e.bucket == "confirmed" else self.pending
        side[e.hh] = side.get(e.hh, 0) + e.points
        if e.kind in KINDS_IN_CAPS and e.lineage:
            self.cap_index.setdefault((e.hh, e.lineage), []).append((e.deed_date, e.points))
        if e.reverses:
            self.entries[e.reverses].reversed_by = e.id
        earned = e.kind in EARNED_KINDS or (
            e.kind == "reversal" and e.reverses and self.entries[e.reverses].kind in EARNED_KINDS)
        if earned and e.points:
            for p in periods_of(e.deed_date):
                self.totals[(e.hh, p)] = self.totals.get((e.hh, p), 0) + e.points
        self.count += 1

    def confirm_month(self, notice):
        """The notice's month becomes confirmed: its pending points move."""
        notice.status = "confirmed"
        self.confirmed_months.add(notice.month)
        for i in self.by_month.get(notice.month, []):
            e = self.entries[i]
            if e.bucket == "pending":
                self.pending[e.hh] -= e.points
                self.confirmed[e.hh] = self.confirmed.get(e.hh, 0) + e.points

    def frozen(self, month):
        return month in self.notices or month in self.confirmed_months

    def target_month(self, deed_date):
        """The month an entry of this deed date goes into (ledger_target_month)."""
        m = deed_date[:7]
        return self.today_month if self.frozen(m) else m

    def reversal_place(self, orig):
        """(month, bucket) of a plain reversal of orig (ledger_reverse)."""
        done = orig.month in self.confirmed_months
        month = self.today_month if done else orig.month
        return month, "confirmed" if orig.bucket == "confirmed" or done else "pending"

    def effectively_pending(self, e):
        return e.bucket == "pending" and e.month not in self.confirmed_months

    # -- predictions: the ledger --
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
        """(status, code, outcome) of approving or rejecting a claim; outcome is (the
        claim's new status, the points per unit the approval chose)."""
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
            return 422, "too_short"
        e = self.entries.get(entry_id)
        if e is None:
            if 0 < entry_id <= self.foreign_max:
                return 403, "forbidden"  # another village's entry
            return 404, "not_found"
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

    # -- predictions: notices --
    def predict_publish(self, role, month):
        if role != "village_admin":
            return 403, "forbidden"
        ok = (isinstance(month, str) and len(month) == 7 and valid_date(month + "-01")
              and month >= "2000-01")
        if not ok:
            return 422, "invalid_month"
        if month >= self.today_month:
            return 422, "month_not_ended"
        if month in self.notices:
            return 409, "notice_exists"
        if month in self.confirmed_months:
            return 409, "month_confirmed"
        return 201, None

    def predict_objection(self, role, notice_id, entry_id, reason):
        if not reason:
            return 422, "too_short"
        n = self.notice_by_id.get(notice_id)
        if n is None:
            return 404, "not_found"
        if n.status != "open" or not n.window_open:
            return 409, "notice_closed"
        e = self.entries.get(entry_id)
        if e is None or e.month != n.month:
            return 422, "invalid_entry"
        if e.kind in ("reversal", "redemption"):
            return 422, "entry_not_objectable"
        if e.reversed_by:
            return 409, "already_reversed"
        if entry_id in self.open_objection:
            return 409, "objection_open"
        return 201, None

    def predict_settle(self, role, oid, outcome, resolution):
        """(status, code, new reversal (month, bucket) or None)."""
        if outcome not in ("upheld", "dismissed"):
            return 422, "invalid_outcome", None
        if not resolution:
            return 422, "too_short", None
        o = self.objections.get(oid)
        if o is None:
            return 404, "not_found", None
        if role != "village_admin":
            return 403, "forbidden", None
        if o.status != "open":
            return 409, "objection_settled", None
        if outcome == "upheld":
            e = self.entries[o.entry_id]
            if not e.reversed_by:
                if e.deed_date[:4] in self.closed_years:
                    return 422, "year_closed", None
                return 200, None, (e.month, "confirmed" if e.bucket == "confirmed" else "pending")
        return 200, None, None

    # -- predictions: the shop --
    def predict_redeem(self, role, how, items):
        """how: ("household_id", id) / ("passbook_no", no) / ("qr", code) / ("both", id).
        Returns (status, code, household, total)."""
        if role not in ("clerk", "village_admin"):
            return 403, "forbidden", None, None
        if how[0] == "both":
            return 422, "household_required", None, None
        if not items:
            return 422, "no_items", None, None
        if len(items) > 20:
            return 422, "too_many_items", None, None
        seen = set()
        for gid, q in items:
            if gid <= 0:
                return 422, "invalid_goods", None, None
            if not 1 <= q <= 100:
                return 422, "invalid_quantity", None, None
            if gid in seen:
                return 422, "duplicate_goods", None, None
            seen.add(gid)
        if not self.shop_open:
            return 403, "redemption_closed", None, None
        if how[0] == "household_id":
            hh = how[1] if how[1] in self.all_hh else None
        else:
            code = how[1]
            pb = code.split(":")[2] if how[0] == "qr" else code
            hh = next((h for h, p in self.passbook.items() if p == pb), None)
        if hh is None:
            return 422, "invalid_household", None, None
        if hh not in self.active_hh:
            return 422, "household_moved_out", None, None
        total = 0
        for gid, q in items:
            g = self.goods.get(gid)
            if g is None:
                return 422, "invalid_goods", None, None
            if not g.active:
                return 409, "goods_retired", None, None
            if g.stock < q:
                return 409, "out_of_stock", None, None
            total += g.price * q
        if self.confirmed.get(hh, 0) < total:
            return 422, "insufficient_points", None, None
        return 201, None, hh, total

    def predict_cancel(self, role, rid, reason):
        if not reason:
            return 422, "too_short"
        r = self.redemptions.get(rid)
        if r is None:
            return 404, "not_found"
        if role not in ("village_admin", "clerk"):
            return 403, "forbidden"
        if role == "clerk" and r.day != self.today:
            return 403, "cancel_too_late"  # a clerk cancels on the day of the redemption only
        if r.status != "done":
            return 409, "already_cancelled"
        return 200, None

    # -- predictions: the year end --
    def predict_close(self, role, year):
        """(status, code, [(household, kind, points, deed_date)])."""
        if role != "village_admin":
            return 403, "forbidden", None
        if year < 2000 or year >= self.today_year:
            return 422, "year_not_ended", None
        if str(year) in self.closed_years:
            return 409, "year_already_closed", None
        if any(int(y) > year for y in self.closed_years):
            return 409, "later_year_closed", None
        last = f"{year:04d}-12-31"
        for e in self.entries.values():
            if e.deed_date <= last and self.effectively_pending(e):
                return 409, "year_pending", None
        out = []
        for hh in sorted(self.by_hh):
            ids = self.by_hh[hh]
            year_end = sum(self.entries[i].points for i in ids if self.entries[i].deed_date <= last)
            spent_after = -sum(self.entries[i].points for i in ids
                               if self.entries[i].deed_date > last and self.spending(self.entries[i]))
            if self.policy == "carry_over":
                amount = year_end
            elif year_end <= 0:
                amount = year_end
            else:
                left = year_end - max(spent_after, 0)
                left = min(left, self.confirmed.get(hh, 0))
                amount = max(left, 0)
            if amount == 0:
                continue
            out.append((hh, "clearing", -amount, last))
            if self.policy == "carry_over":
                out.append((hh, "carry_over", amount, f"{year + 1:04d}-01-01"))
        return 201, None, out

    def honours(self, year):
        """[(household, rule id, stars, rank, earned)] a close of year awards, sorted."""
        out = []
        rows = self.ranking(str(year))
        for rid, kind, top_n, thresholds in self.honour_rules:
            for hh, earned, rank, _, _ in rows:
                stars = sum(1 for t in thresholds if earned >= t) if kind == "stars" else 0
                if (stars > 0) if kind == "stars" else (rank <= top_n and earned > 0):
                    out.append((hh, rid, stars, rank, earned))
        return sorted(out)

    def spending(self, e):
        return e.kind == "redemption" or (
            e.kind == "reversal" and e.reverses and self.entries[e.reverses].kind == "redemption")

    # -- rankings --
    def ranking(self, period, group=None):
        """[(household, earned, rank, village rank, group rank)] in the server's order."""
        rows = []
        for hh in self.all_hh:
            if hh in self.active_hh or (hh, period) in self.totals:
                rows.append((hh, self.totals.get((hh, period), 0)))
        village_rank = {h: 1 + sum(1 for _, x in rows if x > e) for h, e in rows}
        group_rank = {h: 1 + sum(1 for k, x in rows if x > e and self.group_of[k] == self.group_of[h])
                      for h, e in rows}
        if group is not None:
            rows = [r for r in rows if self.group_of[r[0]] == group]
        rows.sort(key=lambda r: (-r[1], self.passbook[r[0]], r[0]))
        return [(h, e, group_rank[h] if group is not None else village_rank[h], village_rank[h],
                 group_rank[h]) for h, e in rows]


# ---------------------------------------------------------------------------
# The context: a server, a fresh village, its users, the model, and the checks.
# ---------------------------------------------------------------------------

HEADS = ["于洪军", "王桂芝", "李春生", "张秀英", "刘德福", "赵玉兰", "孙志强", "周凤霞",
         "马玉山", "陈淑珍", "杨树林", "黄秀兰"]


class Ctx:
    def __init__(self, seed, nops):
        self.seed = seed
        self.nops = nops
        self.rng = random.Random(seed)
        self.history = []      # recent operation descriptions, for a failure report
        self.op_index = -1
        self.s = Server(args=["--confirm-interval", "1"])
        self.db = None
        self.clients = {}
        self.model = Model(today().isoformat())
        self.reviewers = {}    # client name -> {"id", "role", "home"} (claims)
        self.keyed = []        # (role, path, body, key, status, response bytes)
        self.new_entry_ids = []
        self.outcomes = {}     # "201" / "422 cap_exceeded" … -> how often
        self.scheduler_waits = 0
        self.requests = 0
        self.day_changes = 0

    def close(self):
        for c in self.clients.values():
            c.close()
        if self.db:
            self.db.close()
        self.s.close()

    def refresh_today(self):
        """Follows the server's day (China time) when it changes during the run."""
        t = today().isoformat()
        if t != self.model.today:
            self.note(f"the day changes: {self.model.today} -> {t}")
            self.day_changes += 1
            self.model.set_today(t)

    # -- failure reports --
    def fail(self, what):
        recent = "\n    ".join(self.history[-10:])
        moved = today().isoformat() != self.model.today
        raise Mismatch(f"model mismatch with seed {self.seed} at operation {self.op_index}: {what}\n"
                       f"  recent operations:\n    {recent}\n"
                       + ("  NOTE: the day (China time) changed during this operation; rerun\n"
                          if moved else "")
                       + f"  reproduce: MODEL_SEEDS={self.seed} MODEL_OPS={self.nops} "
                       f"python3 tests/api/test_model.py")

    def expect(self, resp, want_status, want_code, what):
        if resp.status >= 500:
            self.fail(f"{what}: server error {resp}")
        if resp.status != want_status or (want_code and resp.error_code != want_code):
            self.fail(f"{what}: expected {want_status} {want_code or ''}, got {resp}")
        k = f"{resp.status} {resp.error_code or ''}".strip()
        self.outcomes[k] = self.outcomes.get(k, 0) + 1

    def note(self, text):
        self.history.append(f"#{self.op_index} {text}")
        if len(self.history) > 50:
            del self.history[:25]

    def sql(self, q, *args):
        return self.db.execute(q, args).fetchall()

    def get(self, path, who="village_admin"):
        self.requests += 1
        r = self.clients[who].get(path)
        if r.status != 200:
            self.fail(f"GET {path}: {r}")
        return r.json

    # -- checks --
    def check_households(self, hhs, what):
        """Confirmed and pending balances, entry counts of these households and the
        village's entry count."""
        m = self.model
        n = self.sql("SELECT count(*) FROM entries WHERE village_id = ?", self.vid)[0][0]
        if n != m.count:
            self.fail(f"{what}: the village has {n} entries, the model {m.count}")
        for hh in set(hhs):
            rows = self.sql("SELECT confirmed, pending, entry_count FROM balances"
                            " WHERE household_id = ?", hh)
            got = tuple(rows[0]) if rows else (0, 0, 0)
            want = (m.confirmed.get(hh, 0), m.pending.get(hh, 0), len(m.by_hh.get(hh, [])))
            if got != want:
                self.fail(f"{what}: household {hh} has (confirmed, pending, entries) {got}, "
                          f"the model {want}")

    def check_all_balances(self, what):
        got = {h: (c, p, n) for h, c, p, n in self.sql(
            "SELECT household_id, confirmed, pending, entry_count FROM balances"
            " WHERE village_id = ?", self.vid)}
        m = self.model
        for hh in m.all_hh:
            want = (m.confirmed.get(hh, 0), m.pending.get(hh, 0), len(m.by_hh.get(hh, [])))
            if got.get(hh, (0, 0, 0)) != want:
                self.fail(f"{what}: household {hh} has (confirmed, pending, entries) "
                          f"{got.get(hh)}, the model {want}")

    def check_claims(self, ids, what):
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

    def check_stock(self, what):
        """Every goods' stock, as the public list shows it."""
        got = {g["id"]: (g["stock"], g["status"]) for g in self.s_anon_goods()}
        want = {g.id: (g.stock, "active" if g.active else "retired")
                for g in self.model.goods.values()}
        if got != want:
            self.fail(f"{what}: goods (stock, status) {got}, the model {want}")

    def s_anon_goods(self):
        r = self.clients["clerk"].get(f"/api/v1/villages/{self.vid}/goods?per_page=200&status=all")
        if r.status != 200:
            self.fail(f"goods list: {r}")
        return r.json["items"]

    def check_ranking(self, period, what, group=None, public=False):
        m = self.model
        q = f"period={period}&per_page=200" + (f"&group_id={group}" if group else "")
        path = f"/api/v1/villages/{self.vid}/ranking" + ("/public" if public else "") + "?" + q
        self.requests += 1
        r = (self.anon if public else self.clients["village_admin"]).get(path)
        if r.status != 200:
            self.fail(f"{what}: GET {path}: {r}")
        want = m.ranking(period, group)
        if public:
            have = [(i["earned"], i["rank"], i["group_rank"], i["household"]["group_id"])
                    for i in r.json["items"]]
            want = [(e, rank, gr, m.group_of[h]) for h, e, rank, _, gr in want]
        else:
            have = [(i["household"]["id"], i["earned"], i["rank"], i["village_rank"],
                     i["group_rank"]) for i in r.json["items"]]
        if have != want or r.json["total"] != len(want):
            diff = [(a, b) for a, b in zip(have, want) if a != b][:4]
            self.fail(f"{what}: ranking {period} group {group} public {public}: {len(have)} rows "
                      f"(total {r.json['total']}), the model {len(want)}; first differences "
                      f"{diff}")

    def check_household_rank(self, hh, period, what):
        m = self.model
        j = self.get(f"/api/v1/households/{hh}/rank?period={period}")
        rows = m.ranking(period)
        mine = [r for r in rows if r[0] == hh]
        in_group = [r for r in rows if m.group_of[r[0]] == m.group_of[hh]]
        if mine:
            want = (mine[0][1], mine[0][3], mine[0][4], len(rows), len(in_group))
        else:
            want = (0, None, None, 0, 0)
        have = (j["earned"], j["rank"], j["group_rank"], j["households"], j["group_households"])
        if have != want:
            self.fail(f"{what}: rank of household {hh} in {period} is (earned, rank, group rank, "
                      f"households, in group) {have}, the model {want}")

    def check_notices(self, what):
        """Every notice's status, window and objection counts, as the list shows them."""
        m = self.model
        j = self.get(f"/api/v1/villages/{self.vid}/notices?per_page=200")
        have = {n["id"]: (n["month"], n["status"], n["window_open"], n["objection_count"],
                          n["open_objections"]) for n in j["items"]}
        want = {}
        for n in m.notices.values():
            objs = [o for o in m.objections.values() if o.notice_id == n.id]
            want[n.id] = (n.month, n.status, n.window_open, len(objs),
                          sum(1 for o in objs if o.status == "open"))
        if have != want or j["total"] != len(want):
            diff = sorted(set(have.items()) ^ set(want.items()))[:4]
            self.fail(f"{what}: notices differ from the model's: {diff}")

    def periodic_check(self, what):
        m = self.model
        self.check_all_balances(what)
        self.check_claims([], what)
        self.check_stock(what)
        self.check_notices(what)
        cm = self.cursor_month()
        y, q, mo = periods_of(cm + "-01")
        self.check_ranking(y, what)
        self.check_ranking(q, what, public=True)
        self.check_ranking(mo, what, group=self.rng.choice(sorted(m.groups)))
        self.check_household_rank(self.rng.choice(self.pool), y, what)
        if m.totals:
            p = self.rng.choice(sorted({p for _, p in m.totals}))
            self.check_ranking(p, what)

    # -- setup: a fresh village --
    def setup(self):
        m, rng, s = self.model, self.rng, self.s
        self.anon = s.anon()
        county = s.login("county")
        areas = county.get("/api/v1/areas").json["items"]
        township = [a for a in areas if a["level"] == "township"][0]["id"]
        r = county.post("/api/v1/villages", {"name": f"模型村{self.seed}", "area_id": township})
        if r.status != 201:
            raise AssertionError(f"create the village: {r}")
        self.vid = vid = r.json["id"]
        m.policy = rng.choice(["carry_over", "clear"])
        r = county.patch(f"/api/v1/villages/{vid}", {"notice_days": 1, "window_days": 0,
                                                     "balance_policy": m.policy})
        if r.status != 200:
            raise AssertionError(f"village settings: {r}")
        m.threshold = r.json.get("second_review_points", 20)
        for name in ("一组", "二组", "三组"):
            g = county.post(f"/api/v1/villages/{vid}/groups", {"name": name}).json["id"]
            m.groups[g] = []
        k = 0
        for g in m.groups:
            for _ in range(8):
                k += 1
                pb = f"{vid % 100:02d}{k:02d}"
                h = county.post(f"/api/v1/villages/{vid}/households", {
                    "group_id": g, "passbook_no": pb, "head_name": HEADS[k % len(HEADS)]})
                if h.status != 201:
                    raise AssertionError(f"household: {h}")
                hid = h.json["id"]
                m.groups[g].append(hid)
                m.group_of[hid] = g
                m.passbook[hid] = pb
                m.all_hh.add(hid)
                m.active_hh.add(hid)
        self.pool = sorted(m.all_hh)
        for name, role in (("admin", "village_admin"), ("scorer", "scorer"), ("scorer2", "scorer"),
                           ("clerk", "clerk")):
            r = county.post("/api/v1/users", {"username": f"m{vid}{name}",
                                              "display_name": HEADS[len(name)] + name,
                                              "role": role, "village_id": vid,
                                              "password": DEMO_PASSWORD})
            if r.status != 201:
                raise AssertionError(f"user {name}: {r}")
        admin = s.login(f"m{vid}admin")
        self.own_hh = self.pool[1]
        r = admin.post("/api/v1/users", {"display_name": "村民" + m.passbook[self.own_hh],
                                         "role": "villager", "pin": "135790", "village_id": vid,
                                         "household_id": self.own_hh})
        if r.status != 201:
            raise AssertionError(f"villager: {r}")
        logins = {"village_admin": admin, "scorer": s.login(f"m{vid}scorer"),
                  "scorer2": s.login(f"m{vid}scorer2"), "clerk": s.login(f"m{vid}clerk"),
                  "villager": s.login_villager(m.passbook[self.own_hh], "135790", village_id=vid)}
        self.clients = {k: KeepAlive(c) for k, c in logins.items()}
        admin = self.admin = self.clients["village_admin"]
        # members in half the households
        for hh in self.pool[::2]:
            for rel, name in (("配偶", "王秀芝"), ("子女", "于小军"))[:rng.randint(1, 2)]:
                r = admin.post(f"/api/v1/households/{hh}/members", {"name": name, "relation": rel})
                if r.status != 201:
                    raise AssertionError(f"member: {r}")
        for hh in self.pool:
            h = admin.get(f"/api/v1/households/{hh}").json
            m.members[hh] = [x["id"] for x in h["members"]]
        # one household moved out, before it has any entry
        moved = self.pool[0]
        r = admin.patch(f"/api/v1/households/{moved}", {"status": "moved_out"})
        if r.status != 200:
            raise AssertionError(f"move out: {r}")
        m.active_hh.discard(moved)
        self.setup_rules()
        for body in ({"kind": "top", "title": "文明家庭", "top_n": 3},
                     {"kind": "stars", "title": "星级文明户", "thresholds": [10, 25, 50, 100, 200]}):
            r = admin.post(f"/api/v1/villages/{vid}/honour-rules", body)
            if r.status != 201:
                raise AssertionError(f"honour rule: {r}")
            m.honour_rules.append((r.json["id"], body["kind"], body.get("top_n", 0),
                                   body.get("thresholds", [])))
        self.setup_reviewers(moved)
        self.setup_goods()
        self.db = sqlite3.connect(f"file:{s.db}?mode=ro", uri=True, timeout=30)
        m.foreign_max = self.sql("SELECT COALESCE(max(id), 0) FROM entries")[0][0]
        # the simulated months: from about nops/100 months ago to last month
        span = max(4, min(60, self.nops // 100))
        self.months = [month_add(m.today_month, -span + i) for i in range(span)]
        self.first_year = int(self.months[0][:4])

    def setup_rules(self):
        m, admin = self.model, self.admin
        path = f"/api/v1/villages/{self.vid}/rules"
        rules = [
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
            dict(category="测试", name="模型：大额奖励", points=30, min_points=10, max_points=60),
            dict(category="测试", name="模型：申报固定", points=4, claimable=True, cap_month=12),
            dict(category="测试", name="模型：申报范围", points=10, min_points=5, max_points=25,
                 claimable=True),
            dict(category="测试", name="模型：申报村干部审", points=6, claimable=True, cap_year=30,
                 recorders=["village_admin"]),
            dict(category="测试", name="模型：申报需照片", points=8, claimable=True,
                 evidence_required=True, cap_year=40),
        ]
        for body in rules:
            r = admin.post(path, body)
            if r.status != 201:
                raise AssertionError(f"setup rule {body}: {r}")
        retired = admin.post(path, dict(category="测试", name="模型：已停用", points=2)).json
        admin.post(f"/api/v1/rules/{retired['id']}/retire")
        for j in admin.get(path + "?status=all").json["items"]:
            m.rules[j["id"]] = Rule(j)

    def setup_reviewers(self, moved):
        m, admin = self.model, self.admin
        self.home_hh = next(h for h in self.pool if h not in (moved, self.own_hh))
        scorer_id = self.clients["scorer"].user["id"]
        r = admin.patch(f"/api/v1/users/{scorer_id}", {"home_household_id": self.home_hh})
        if r.status != 200:
            raise AssertionError(f"set the scorer's home household: {r}")
        for name, c in self.clients.items():
            role = c.user["role"]
            home = c.user.get("home_household_id") if role != "villager" else None
            if name == "scorer":
                home = self.home_hh
            self.reviewers[name] = {"id": c.user["id"], "role": role, "home": home}
        for who in ("villager", "villager", "scorer"):
            m.photos.add(upload_ok(self.clients[who], self.vid))

    def setup_goods(self):
        m, clerk = self.model, self.clients["clerk"]
        for name, price, stock in (("香皂", 5, 12), ("牙膏", 8, 10), ("毛巾", 10, 6),
                                   ("酱油", 12, 8), ("大米", 40, 4), ("铁锅", 60, 2),
                                   ("暖水瓶", 30, 0)):
            g = clerk.post(f"/api/v1/villages/{self.vid}/goods",
                           {"name": name, "category": "日用品", "price_points": price}).json
            if stock:
                r = clerk.post(f"/api/v1/goods/{g['id']}/stock",
                               {"kind": "intake", "delta": stock, "reason": "企业捐赠入库"})
                if r.status != 201:
                    raise AssertionError(f"intake: {r}")
            m.goods[g["id"]] = Goods(g["id"], name, price, stock)
        g = clerk.post(f"/api/v1/villages/{self.vid}/goods",
                       {"name": "旧款水杯", "category": "日用品", "price_points": 6}).json
        r = clerk.patch(f"/api/v1/goods/{g['id']}", {"status": "retired"})
        if r.status != 200:
            raise AssertionError(f"retire goods: {r}")
        m.goods[g["id"]] = Goods(g["id"], "旧款水杯", 6, 0, active=False)

    # -- the simulated calendar --
    def cursor_month(self):
        i = min(len(self.months) - 1, max(0, self.op_index) * len(self.months) // self.nops)
        return self.months[i]

    def date_in(self, month):
        """A date of the month (a few fixed days, so caps collide), not after today."""
        d = f"{month}-{self.rng.choice([1, 2, 10, 20, month_days(month)]):02d}"
        return min(d, self.model.today)

    def this_year_date(self):
        m = self.model
        return self.date_in(f"{m.today_year}-{self.rng.randint(1, int(m.today_month[5:])):02d}")

    def odd_date(self, x):
        """An invalid, future or closed-year date (x in [0, 0.06)), or None."""
        m = self.model
        if x < 0.02:
            return (today() + datetime.timedelta(days=self.rng.randint(1, 5))).isoformat()
        if x < 0.03:
            return "1999-12-31"
        if x < 0.035:
            return "2024-02-30"
        if x < 0.06 and m.closed_years:
            return self.date_in(self.rng.choice(sorted(m.closed_years)) + "-0" +
                                str(self.rng.randint(1, 9)))
        return None

    def pick_date(self):
        m, x = self.model, self.rng.random()
        odd = self.odd_date(x)
        if odd:
            return odd
        cm = self.cursor_month()
        if x < 0.12:
            return self.this_year_date()  # may be late (a frozen month): only this year's
        if x < 0.22:
            prev = month_add(cm, -1)
            if prev >= self.months[0] and (not m.frozen(prev) or prev[:4] == str(m.today_year)):
                return self.date_in(prev)
        return self.date_in(cm)

    def pick_claim_date(self):
        """Claims are approved any time later, when their month may be published:
        their deeds are of this year, so a late entry blocks no year end."""
        odd = self.odd_date(self.rng.random())
        return odd or self.this_year_date()

    # -- random choices --
    def pick_rule(self):
        rules = list(self.model.rules.values())
        if self.rng.random() < 0.05:
            return 999999
        active = [r for r in rules if r.active]
        return self.rng.choice(active if self.rng.random() < 0.93 else rules).id

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
        self.requests += 1
        r = self.clients[role].post(path, body, headers=headers)
        if keyed and r.status < 500:
            self.keyed.append((role, path, body, key, r.status, r.body))
        return r

    def new_entries_since(self, last_id):
        return self.sql("SELECT id, household_id, member_id, points, kind, rule_lineage, deed_date,"
                        " reverses_id, rule_id, rule_version, month, bucket FROM entries"
                        " WHERE village_id = ? AND id > ? ORDER BY id", self.vid, last_id)

    def last_entry_id(self):
        return max(self.model.entries) if self.model.entries else self.model.foreign_max


# ---------------------------------------------------------------------------
# Operations of the ledger: each builds one request, predicts, sends, checks, applies.
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
    ctx.note(f"{what}: {spec['role']} POST entries {body} -> expect {want_status} "
             f"{want_code or ''}")
    r = ctx.send(spec["role"], f"/api/v1/villages/{ctx.vid}/entries", body,
                 keyed=ctx.rng.random() < 0.25)
    ctx.expect(r, want_status, want_code, what)
    touched = [h for h, _ in targets]
    if want_status == 201:
        got = r.json["entries"]
        if len(got) != len(planned) or r.json["count"] != len(planned):
            ctx.fail(f"{what}: {len(got)} entries, the model {len(planned)}")
        rule = m.rules[spec["rule_id"]]
        month = m.target_month(spec["date"])
        if spec.get("group") is not None:
            got_sorted = sorted(got, key=lambda e: e["household_id"])
            planned = sorted(planned)
        else:
            got_sorted = got
        for e, (hh, member, pts) in zip(got_sorted, planned):
            have = (e["household_id"], e["member_id"], e["points"], e["kind"], e["rule_version"],
                    e["deed_date"], e["reverses_id"], e["month"])
            want = (hh, member, pts, "award" if pts > 0 else "deduction", rule.version,
                    spec["date"], None, month)
            if have != want:
                ctx.fail(f"{what}: entry {e['id']} is {have}, the model {want}")
            if e["id"] in m.entries:
                ctx.fail(f"{what}: entry id {e['id']} reused")
        for e in got:
            m.add_entry(Entry(e["id"], e["household_id"], e["member_id"], e["points"], e["kind"],
                              rule.lineage, e["deed_date"], None, rule.id, rule.version, month,
                              "pending"))
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
    recent = ctx.new_entry_ids[-400:]
    reversed_ = [i for i in recent if m.entries[i].reversed_by]
    reversals = [i for i in recent if m.entries[i].kind == "reversal"]
    others = [i for i in recent if m.entries[i].kind in ("redemption", "clearing", "carry_over")]
    if x < 0.1 and reversed_:
        target = rng.choice(reversed_)
    elif x < 0.2 and reversals:
        target = rng.choice(reversals)
    elif x < 0.25 and others:
        target = rng.choice(others)
    elif x < 0.27:
        target = 99999999
    elif x < 0.29 and m.foreign_max:
        target = rng.randint(1, m.foreign_max)
    elif x < 0.45 or not ctx.new_entry_ids:
        target = rng.choice(list(m.entries)) if m.entries else 99999999
    else:
        target = rng.choice(ctx.new_entry_ids)
    reason = "" if rng.random() < 0.03 else rng.choice(["记错户了", "重复记录", "核实后撤销"])
    role = ctx.pick_role()
    want_status, want_code = m.predict_reversal(role, target, reason)
    what = f"reverse entry {target}"
    ctx.note(f"{what}: {role} -> expect {want_status} {want_code or ''}")
    r = ctx.send(role, f"/api/v1/entries/{target}/reversal", {"reason": reason},
                 keyed=rng.random() < 0.25)
    ctx.expect(r, want_status, want_code, what)
    orig = m.entries.get(target)
    if want_status == 201:
        got = r.json["entries"]
        if len(got) != 1:
            ctx.fail(f"{what}: {len(got)} entries")
        e = got[0]
        month, bucket = m.reversal_place(orig)
        have = (e["household_id"], e["points"], e["kind"], e["reverses_id"], e["deed_date"],
                e["month"])
        want = (orig.hh, -orig.points, "reversal", orig.id, orig.deed_date, month)
        if have != want:
            ctx.fail(f"{what}: reversal {e['id']} is {have}, the model {want}")
        m.add_entry(Entry(e["id"], orig.hh, orig.member, -orig.points, "reversal", orig.lineage,
                          orig.deed_date, orig.id, orig.rule_id, orig.rule_version, month, bucket))
        ctx.new_entry_ids.append(e["id"])
    if orig:
        ctx.check_households([orig.hh], what)
    else:
        ctx.check_households([], what)


def op_replay(ctx):
    if not ctx.keyed:
        return op_record_one(ctx)
    role, path, body, key, first_status, first_body = ctx.rng.choice(ctx.keyed)
    changed = ctx.rng.random() < 0.15
    if changed:
        body = dict(body, note="改过的请求") if "note" not in body else dict(body, note="再改一次")
    what = f"replay key {key}{' with a changed body' if changed else ''}"
    ctx.note(f"{what}: {role} POST {path}")
    ctx.requests += 1
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
    ctx.note(what)
    ctx.requests += 1
    r = ctx.admin.post(f"/api/v1/rules/{rule.id}/revise", rule.body(**change))
    ctx.expect(r, 201, None, what)
    new = Rule(r.json)
    if (new.lineage, new.version, new.active) != (rule.lineage, rule.version + 1, True):
        ctx.fail(f"{what}: got lineage {new.lineage} version {new.version}")
    rule.active = False
    m.rules[new.id] = new


def op_check_passbook(ctx):
    m = ctx.model
    hh = ctx.rng.choice(ctx.pool)
    what = f"passbook of household {hh}"
    ctx.note(what)
    who = "villager" if hh == ctx.own_hh and ctx.rng.random() < 0.5 else "village_admin"
    j = ctx.get(f"/api/v1/households/{hh}/passbook?per_page=20", who)
    ids = list(reversed(m.by_hh.get(hh, [])))
    have = [(i["id"], i["points"], i["reversed_by"]) for i in j["items"]]
    want = [(i, m.entries[i].points, m.entries[i].reversed_by) for i in ids[:20]]
    bal = j["balance"]
    if have != want or (bal["confirmed"], bal["pending"], bal["total"]) != \
            (m.confirmed.get(hh, 0), m.pending.get(hh, 0), m.balance(hh)) or j["total"] != len(ids):
        ctx.fail(f"{what}: got balance {bal} {have[:5]}…, the model "
                 f"{m.confirmed.get(hh, 0)}/{m.pending.get(hh, 0)} {want[:5]}…")


# ---------------------------------------------------------------------------
# Claims.
# ---------------------------------------------------------------------------

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
            "date": ctx.pick_claim_date(), "quantity": ctx.pick_quantity(),
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
    ctx.note(f"{what}: {role} POST claims {body} -> expect {want_status} {want_code or ''}")
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
    ctx.note(f"{what} ({c.status if c else 'missing'}): {role} {body} -> expect {want_status} "
             f"{want_code or ''}")
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
            month = m.target_month(c.date)
            rows = ctx.sql("SELECT id, household_id, points, kind, deed_date, rule_id, approved_by,"
                           " month FROM entries WHERE claim_id = ?", cid)
            want = [(j["entry_id"], c.hh, points_total, "award", c.date, c.rule_id, me, month)]
            if [tuple(x) for x in rows] != want:
                ctx.fail(f"{what}: the claim's entries are {rows}, the model {want}")
            rule = m.rules[c.rule_id]
            m.add_entry(Entry(j["entry_id"], c.hh, None, points_total, "award", rule.lineage,
                              c.date, None, rule.id, rule.version, month, "pending"))
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


# ---------------------------------------------------------------------------
# The monthly notice: publish, object, settle, and the end of its window.
# ---------------------------------------------------------------------------

OBJECTION_REASONS = ["那天他家没有人参加植树", "这户的卫生检查分数记高了", "扣分不公平，当时已经整改",
                     "同一件事记了两次分"]
RESOLUTIONS = {"upheld": ["经核实异议成立，予以冲销", "评分小组复查后撤销该记录"],
               "dismissed": ["经核实记录属实，驳回异议", "有照片为证，维持原记录"]}


def op_publish(ctx):
    m, rng = ctx.model, ctx.rng
    cm = ctx.cursor_month()
    due = [mo for mo in ctx.months if mo < cm and mo not in m.notices]
    x = rng.random()
    if due and x < 0.7:
        month = due[0]
    elif x < 0.8:
        month = rng.choice([m.today_month, month_add(m.today_month, 1)])
    elif x < 0.85:
        month = rng.choice(["2026-13", "2026/05", "1999-12", "2026-5"])
    elif x < 0.95 and m.notices:
        month = rng.choice(sorted(m.notices))
    else:
        month = month_add(ctx.months[0], -rng.randint(1, 14))  # before the run: empty
    y = rng.random()
    role = "village_admin" if y < 0.9 else "scorer" if y < 0.95 else "clerk"
    want_status, want_code = m.predict_publish(role, month)
    what = f"publish {month}"
    ctx.note(f"{what}: {role} -> expect {want_status} {want_code or ''}")
    # publishing takes no Idempotency-Key: a repeat is refused with notice_exists
    r = ctx.send(role, f"/api/v1/villages/{ctx.vid}/notices", {"month": month}, keyed=False)
    ctx.expect(r, want_status, want_code, what)
    if want_status == 201:
        j = r.json
        ids = m.by_month.get(month, [])
        n = Notice(j["id"], month, len(ids), sum(m.entries[i].points for i in ids))
        have = (j["month"], j["status"], j["window_open"], j["entry_count"], j["total_points"],
                j["chain_seq"])
        want = (month, "open", True, n.entry_count, n.total_points, m.count)
        if have != want:
            ctx.fail(f"{what}: the notice is (month, status, window open, entries, points, "
                     f"chain seq) {have}, the model {want}")
        m.notices[month] = n
        m.notice_by_id[n.id] = n


def op_object(ctx):
    m, rng = ctx.model, ctx.rng
    open_ = [n for n in m.notices.values() if n.status == "open" and n.window_open]
    x = rng.random()
    if x < 0.04:
        notice_id = 999999
        n = None
    elif x < 0.12 or not open_:
        n = rng.choice(list(m.notices.values())) if m.notices else None
        notice_id = n.id if n else 999999
    else:
        n = rng.choice(open_)
        notice_id = n.id
    y = rng.random()
    month_ids = m.by_month.get(n.month, []) if n else []
    objectable = [i for i in month_ids if m.entries[i].kind in ("award", "deduction")
                  and not m.entries[i].reversed_by and i not in m.open_objection]
    if y < 0.75 and objectable:
        entry_id = rng.choice(objectable)
    elif y < 0.9 and month_ids:
        entry_id = rng.choice(month_ids)  # reversed, a reversal, or one with an open objection
    elif y < 0.97 and m.entries:
        entry_id = rng.choice(list(m.entries))  # mostly another month's
    else:
        entry_id = rng.choice([999999, 1])
    reason = "" if rng.random() < 0.03 else rng.choice(OBJECTION_REASONS)
    z = rng.random()
    role = ("villager" if z < 0.5 else "scorer" if z < 0.65 else "scorer2" if z < 0.75
            else "village_admin" if z < 0.9 else "clerk")
    want_status, want_code = m.predict_objection(role, notice_id, entry_id, reason)
    what = f"object to entry {entry_id} of notice {notice_id}"
    ctx.note(f"{what}: {role} -> expect {want_status} {want_code or ''}")
    r = ctx.send(role, f"/api/v1/notices/{notice_id}/objections",
                 {"entry_id": entry_id, "reason": reason}, keyed=rng.random() < 0.15)
    ctx.expect(r, want_status, want_code, what)
    if want_status == 201:
        j = r.json
        e = m.entries[entry_id]
        have = (j["status"], j["entry_id"], j["household_id"], j["notice_id"], j["entry_points"])
        want = ("open", entry_id, e.hh, notice_id, e.points)
        if have != want:
            ctx.fail(f"{what}: the objection is {have}, the model {want}")
        o = Objection(j["id"], notice_id, entry_id, e.hh)
        m.objections[o.id] = o
        m.open_objection[entry_id] = o.id


def op_settle(ctx):
    m, rng = ctx.model, ctx.rng
    open_ = [o for o in m.objections.values() if o.status == "open"]
    closing = [o for o in open_ if not m.notice_by_id[o.notice_id].window_open]
    x = rng.random()
    if x < 0.04 or not m.objections:
        oid = 999999
    elif x < 0.12 or not open_:
        oid = rng.choice(list(m.objections))
    elif x < 0.5 and closing:
        oid = rng.choice(closing).id
    else:
        oid = rng.choice(open_).id
    y = rng.random()
    outcome = "upheld" if y < 0.4 else "dismissed" if y < 0.96 else "accepted"
    resolution = "" if rng.random() < 0.03 else rng.choice(RESOLUTIONS.get(outcome, ["好"]))
    z = rng.random()
    role = "village_admin" if z < 0.88 else "scorer" if z < 0.96 else "clerk"
    want_status, want_code, reversal = m.predict_settle(role, oid, outcome, resolution)
    what = f"settle objection {oid} {outcome}"
    ctx.note(f"{what}: {role} -> expect {want_status} {want_code or ''}")
    last = ctx.last_entry_id()
    r = ctx.send(role, f"/api/v1/objections/{oid}/settle",
                 {"outcome": outcome, "resolution": resolution}, keyed=rng.random() < 0.15)
    ctx.expect(r, want_status, want_code, what)
    o = m.objections.get(oid)
    if want_status == 200:
        e = m.entries[o.entry_id]
        new = ctx.new_entries_since(last)
        if reversal:
            month, bucket = reversal
            want_rows = [(e.hh, -e.points, "reversal", e.id, e.deed_date, month, bucket)]
        else:
            want_rows = []
        have_rows = [(x[1], x[3], x[4], x[7], x[6], x[10], x[11]) for x in new]
        if have_rows != want_rows:
            ctx.fail(f"{what}: new entries {have_rows}, the model {want_rows}")
        o.status = outcome
        del m.open_objection[o.entry_id]
        if reversal:
            x = new[0]
            m.add_entry(Entry(x[0], e.hh, e.member, -e.points, "reversal", e.lineage, e.deed_date,
                              e.id, e.rule_id, e.rule_version, month, bucket))
            ctx.new_entry_ids.append(x[0])
            o.reversal = x[0]
        elif outcome == "upheld":
            o.reversal = e.reversed_by
        n = m.notice_by_id[o.notice_id]
        if n.status == "open" and not n.window_open and not any(
                p.status == "open" and p.notice_id == n.id for p in m.objections.values()):
            m.confirm_month(n)
        j = r.json
        have = (j["status"], j["reversal_entry_id"], j["notice_status"])
        want = (o.status, o.reversal, n.status)
        if have != want:
            ctx.fail(f"{what}: the answer is (status, reversal, notice status) {have}, the model "
                     f"{want}")
        ctx.check_households([e.hh], what)
    else:
        ctx.check_households([], what)


def op_end_window(ctx):
    """A notice's window ends (see "Time" in the module's text): its closes_at is
    moved to the past; with no open objection the scheduler confirms it, and the
    test waits for that; otherwise the last settlement will."""
    m, rng = ctx.model, ctx.rng
    open_ = [n for n in m.notices.values() if n.status == "open" and n.window_open]
    if not open_:
        return op_publish(ctx)
    with_obj = {o.notice_id for o in m.objections.values() if o.status == "open"}
    contested = [n for n in open_ if n.id in with_obj]
    if not contested and rng.random() < 0.75:
        return op_object(ctx)  # the scheduler's path costs a wait of up to a second
    n = rng.choice(contested) if contested and rng.random() < 0.8 else min(open_, key=lambda n: n.month)
    waits = n.id not in with_obj
    what = f"the window of notice {n.id} ({n.month}) ends"
    ctx.note(f"{what}; {'the scheduler confirms it' if waits else 'objections open'}")
    w = sqlite3.connect(ctx.s.db, timeout=30)
    try:
        with w:
            w.execute("UPDATE notices SET closes_at = ? WHERE id = ?", (int(time.time()) - 1, n.id))
    finally:
        w.close()
    n.window_open = False
    if waits:
        ctx.scheduler_waits += 1
        deadline = time.monotonic() + 30
        while True:
            j = ctx.get(f"/api/v1/notices/{n.id}")
            if j["status"] == "confirmed":
                break
            if time.monotonic() > deadline:
                ctx.fail(f"{what}: the scheduler did not confirm it within 30 s: {j['status']}")
            time.sleep(0.05)
        m.confirm_month(n)
        ctx.check_all_balances(what)
    else:
        j = ctx.get(f"/api/v1/notices/{n.id}")
        if (j["status"], j["window_open"]) != ("open", False):
            ctx.fail(f"{what}: the notice is {j['status']} window open {j['window_open']}, "
                     f"the model open with its window closed")


# ---------------------------------------------------------------------------
# The points supermarket.
# ---------------------------------------------------------------------------

def op_open_shop(ctx):
    m = ctx.model
    if m.shop_open:
        return op_restock(ctx)
    role = "village_admin" if ctx.rng.random() < 0.8 else "clerk"
    t = today()
    body = {"starts_on": t.isoformat(),
            "ends_on": (t + datetime.timedelta(days=10)).isoformat(), "note": "一季一兑换"}
    want = (201, None) if role == "village_admin" else (403, "forbidden")
    ctx.note(f"open the shop: {role} -> expect {want}")
    r = ctx.send(role, f"/api/v1/villages/{ctx.vid}/redemption-windows", body, keyed=False)
    ctx.expect(r, *want, "open the shop")
    if want[0] == 201:
        m.shop_open = True


def op_restock(ctx):
    m, rng = ctx.model, ctx.rng
    g = rng.choice(list(m.goods.values()))
    x = rng.random()
    role = "clerk" if x < 0.7 else "village_admin" if x < 0.92 else "scorer"
    delta = rng.randint(1, 12)
    if role == "scorer":
        want = (403, "forbidden")
    elif not g.active:
        want = (409, "goods_retired")
    else:
        want = (201, None)
    what = f"take in {delta} of goods {g.id} ({g.name})"
    ctx.note(f"{what}: {role} -> expect {want}")
    r = ctx.send(role, f"/api/v1/goods/{g.id}/stock",
                 {"kind": "intake", "delta": delta, "reason": "结对企业送货"},
                 keyed=rng.random() < 0.15)
    ctx.expect(r, *want, what)
    if want[0] == 201:
        g.stock += delta
        have = (r.json["goods"]["stock"], r.json["move"]["stock_after"])
        if have != (g.stock, g.stock):
            ctx.fail(f"{what}: stock (goods, after the move) {have}, the model {g.stock}")


def op_redeem(ctx):
    m, rng = ctx.model, ctx.rng
    x = rng.random()
    role = ("clerk" if x < 0.7 else "village_admin" if x < 0.9 else "scorer" if x < 0.95
            else "villager")
    rich = [h for h in ctx.pool if m.confirmed.get(h, 0) > 0 and h in m.active_hh]
    y = rng.random()
    if y < 0.75 and rich:
        hh = rng.choice(rich)
    elif y < 0.97:
        hh = rng.choice(ctx.pool)
    else:
        hh = 999999
    z = rng.random()
    pb = m.passbook.get(hh, "9999")
    if z < 0.7:
        how = ("household_id", hh)
    elif z < 0.82:
        how = ("passbook_no", pb)
    elif z < 0.97:
        how = ("qr", f"JIFEN:{ctx.vid}:{pb}")
    else:
        how = ("both", hh)
    goods = [g.id for g in m.goods.values() if g.active or rng.random() < 0.1]
    items = [(gid, rng.choice([1, 1, 1, 2, 3])) for gid in rng.sample(goods, rng.randint(1, 3))]
    w = rng.random()
    if w < 0.02:
        items = []
    elif w < 0.04:
        items.append((items[0][0], 1))
    elif w < 0.06:
        items[0] = (items[0][0], rng.choice([0, 101]))
    elif w < 0.08:
        items[0] = (999999, 1)
    body = {"items": [{"goods_id": g, "quantity": q} for g, q in items]}
    if how[0] == "both":
        body["household_id"] = hh
        body["passbook_no"] = pb
    else:
        body[how[0]] = how[1]
    want_status, want_code, target, total = m.predict_redeem(role, how, items)
    what = f"redeem {items} for household {hh}"
    ctx.note(f"{what}: {role} by {how[0]} -> expect {want_status} {want_code or ''}")
    last = ctx.last_entry_id()
    r = ctx.send(role, f"/api/v1/villages/{ctx.vid}/redemptions", body, keyed=rng.random() < 0.2)
    ctx.expect(r, want_status, want_code, what)
    if want_status == 201:
        j = r.json
        new = ctx.new_entries_since(last)
        have = [(x[1], x[3], x[4], x[6], x[10], x[11]) for x in new]
        want = [(target, -total, "redemption", m.today, m.today_month, "confirmed")]
        if have != want:
            ctx.fail(f"{what}: new entries {have}, the model {want}")
        x = new[0]
        m.add_entry(Entry(x[0], target, None, -total, "redemption", None, m.today, None, None,
                          None, m.today_month, "confirmed"))
        ctx.new_entry_ids.append(x[0])
        for gid, q in items:
            m.goods[gid].stock -= q
        red = Redemption(j["id"], target, total, x[0], items, m.today)
        m.redemptions[red.id] = red
        have = (j["household_id"], j["total_points"], j["balance_after"], j["entry_id"],
                j["status"])
        want = (target, total, m.confirmed[target], x[0], "done")
        if have != want:
            ctx.fail(f"{what}: the receipt is (household, points, balance after, entry, status) "
                     f"{have}, the model {want}")
        ctx.check_households([target], what)
    else:
        ctx.check_households([], what)


def op_cancel(ctx):
    m, rng = ctx.model, ctx.rng
    done = [r.id for r in m.redemptions.values() if r.status == "done"]
    x = rng.random()
    if x < 0.05 or not m.redemptions:
        rid = 999999
    elif x < 0.15 or not done:
        rid = rng.choice(list(m.redemptions))
    else:
        rid = rng.choice(done)
    y = rng.random()
    role = ("village_admin" if y < 0.5 else "clerk" if y < 0.9 else "scorer" if y < 0.95
            else "villager")
    reason = "" if rng.random() < 0.03 else rng.choice(["拿错了商品", "村民改换其他商品", "重复办理"])
    want_status, want_code = m.predict_cancel(role, rid, reason)
    what = f"cancel redemption {rid}"
    ctx.note(f"{what}: {role} -> expect {want_status} {want_code or ''}")
    last = ctx.last_entry_id()
    r = ctx.send(role, f"/api/v1/redemptions/{rid}/cancel", {"reason": reason},
                 keyed=rng.random() < 0.2)
    ctx.expect(r, want_status, want_code, what)
    if want_status == 200:
        red = m.redemptions[rid]
        orig = m.entries[red.entry_id]
        new = ctx.new_entries_since(last)
        have = [(x[1], x[3], x[4], x[7], x[6], x[10], x[11]) for x in new]
        want = [(red.hh, red.total, "reversal", orig.id, orig.deed_date, m.today_month,
                 "confirmed")]
        if have != want:
            ctx.fail(f"{what}: new entries {have}, the model {want}")
        x = new[0]
        m.add_entry(Entry(x[0], red.hh, None, red.total, "reversal", None, orig.deed_date,
                          orig.id, None, None, m.today_month, "confirmed"))
        ctx.new_entry_ids.append(x[0])
        red.status, red.cancel_entry = "cancelled", x[0]
        for gid, q in red.items:
            m.goods[gid].stock += q
        j = r.json
        if (j["status"], j["cancel_entry_id"]) != ("cancelled", x[0]):
            ctx.fail(f"{what}: the receipt is {j['status']} {j['cancel_entry_id']}, the model "
                     f"cancelled {x[0]}")
        ctx.check_households([red.hh], what)
    else:
        ctx.check_households([], what)


# ---------------------------------------------------------------------------
# The year end.
# ---------------------------------------------------------------------------

def op_close_year(ctx):
    m, rng = ctx.model, ctx.rng
    cm_year = int(ctx.cursor_month()[:4])
    open_years = [y for y in range(ctx.first_year - 1, cm_year) if str(y) not in m.closed_years]
    x = rng.random()
    if open_years and x < 0.75:
        year = open_years[0]
    else:
        year = rng.randint(ctx.first_year - 2, m.today_year + 1)
    y = rng.random()
    role = "village_admin" if y < 0.9 else "scorer" if y < 0.95 else "clerk"
    want_status, want_code, planned = m.predict_close(role, year)
    what = f"close {year} ({m.policy})"
    ctx.note(f"{what}: {role} -> expect {want_status} {want_code or ''}")
    last = ctx.last_entry_id()
    r = ctx.send(role, f"/api/v1/villages/{ctx.vid}/years/{year}/close", {},
                 keyed=rng.random() < 0.2)
    ctx.expect(r, want_status, want_code, what)
    if want_status == 201:
        ranked = len(m.ranking(str(year)))
        honours = m.honours(year)
        new = ctx.new_entries_since(last)
        have = [(x[1], x[4], x[3], x[6]) for x in new]
        if have != planned or any((x[10], x[11]) != (m.today_month, "confirmed") for x in new):
            ctx.fail(f"{what}: the year-end entries are {[tuple(x) for x in new][:6]}, the model "
                     f"{planned[:6]}")
        for x in new:
            m.add_entry(Entry(x[0], x[1], None, x[3], x[4], None, x[6], None, None, None,
                              m.today_month, "confirmed"))
            ctx.new_entry_ids.append(x[0])
        m.closed_years.add(str(year))
        j = r.json
        have = (j["year"], j["policy"], j["households"], j["honours"])
        if have != (year, m.policy, ranked, len(honours)):
            ctx.fail(f"{what}: the answer is (year, policy, ranked, honours) {have}, the model "
                     f"{(year, m.policy, ranked, len(honours))}")
        got = ctx.get(f"/api/v1/villages/{ctx.vid}/honours?year={year}")["items"]
        have = sorted((h["household"]["id"], h["rule_id"], h["stars"], h["rank"], h["earned"])
                      for h in got)
        if have != honours:
            ctx.fail(f"{what}: honours {have[:6]}, the model {honours[:6]}")
        ctx.check_all_balances(what)
    else:
        ctx.check_households([], what)


def op_policy(ctx):
    m = ctx.model
    policy = ctx.rng.choice(["carry_over", "clear"])
    ctx.note(f"balance policy -> {policy}")
    ctx.requests += 1
    r = ctx.admin.patch(f"/api/v1/villages/{ctx.vid}", {"balance_policy": policy})
    ctx.expect(r, 200, None, "set the balance policy")
    m.policy = policy


OPS = [
    (26, op_record_one),
    (12, op_record_batch),
    (5, op_record_members),
    (3, op_record_group),
    (14, op_reverse),
    (6, op_replay),
    (1, op_revise_rule),
    (2, op_check_passbook),
    (6, op_claim_file),
    (6, op_claim_approve),
    (2, op_claim_reject),
    (3, op_publish),
    (6, op_object),
    (5, op_settle),
    (2, op_end_window),
    (1, op_open_shop),
    (3, op_restock),
    (10, op_redeem),
    (2, op_cancel),
    (1, op_close_year),
    (0.3, op_policy),
]


# ---------------------------------------------------------------------------
# The end: everything compared, and `jifen verify`.
# ---------------------------------------------------------------------------

def final_check(ctx):
    m = ctx.model
    ctx.op_index = "final"
    what = "final"
    ctx.check_all_balances(what)
    ctx.check_claims(list(m.claims), what)
    ctx.check_stock(what)
    ctx.check_notices(what)
    bad = ctx.sql("SELECT id, stock FROM goods g WHERE village_id = ? AND stock <> (SELECT"
                  " COALESCE(sum(delta), 0) FROM stock_moves s WHERE s.goods_id = g.id)", ctx.vid)
    if bad:
        ctx.fail(f"final stock differs from the sum of its moves: {bad}")
    for hh in ctx.pool:
        j = ctx.get(f"/api/v1/households/{hh}/passbook?per_page=200")
        items = j["items"]
        page = 2
        while len(items) < j["total"]:
            items += ctx.get(f"/api/v1/households/{hh}/passbook?per_page=200&page={page}")["items"]
            page += 1
        ids = list(reversed(m.by_hh.get(hh, [])))
        have = [(i["id"], i["points"], i["kind"], i["reverses_id"], i["reversed_by"], i["month"])
                for i in items]
        want = [(i, m.entries[i].points, m.entries[i].kind, m.entries[i].reverses,
                 m.entries[i].reversed_by, m.entries[i].month) for i in ids]
        if have != want:
            diff = [(a, b) for a, b in zip(have, want) if a != b][:3]
            ctx.fail(f"final passbook of household {hh}: {len(have)} entries vs the model's "
                     f"{len(want)}; first differences {diff}")
        bal = j["balance"]
        if (bal["confirmed"], bal["pending"]) != (m.confirmed.get(hh, 0), m.pending.get(hh, 0)):
            ctx.fail(f"final balance of household {hh}: {bal}, the model "
                     f"{m.confirmed.get(hh, 0)}/{m.pending.get(hh, 0)}")
    periods = sorted({p for _, p in m.totals})
    for p in periods:
        ctx.check_ranking(p, f"final ranking {p}")
    for g in sorted(m.groups):
        ctx.check_ranking(periods[-1] if periods else str(m.today_year), "final group ranking",
                          group=g)
    for n in m.notices.values():
        j = ctx.get(f"/api/v1/notices/{n.id}")
        if (j["status"], j["entry_count"], j["total_points"]) != \
                (n.status, n.entry_count, n.total_points):
            ctx.fail(f"final notice {n.month}: {j['status']} {j['entry_count']} "
                     f"{j['total_points']}, the model {n.status} {n.entry_count} {n.total_points}")
        lines = {x["household_id"]: (x["points"], x["entry_count"]) for x in j["households"]
                 if x["entry_count"]}
        want_lines = {}
        for i in m.by_month.get(n.month, []):
            e = m.entries[i]
            p, c = want_lines.get(e.hh, (0, 0))
            want_lines[e.hh] = (p + e.points, c + 1)
        if lines != want_lines:
            ctx.fail(f"final notice {n.month}: lines (points, entries) {lines}, the model "
                     f"{want_lines}")
        objs = ctx.get(f"/api/v1/notices/{n.id}/objections?status=all")["items"]
        have = sorted((o["id"], o["status"], o["reversal_entry_id"]) for o in objs)
        want = sorted((o.id, o.status, o.reversal) for o in m.objections.values()
                      if o.notice_id == n.id)
        if have != want:
            ctx.fail(f"final objections of notice {n.month}: {have[:5]}, the model {want[:5]}")
    got, page = {}, 1
    while True:
        j = ctx.get(f"/api/v1/villages/{ctx.vid}/redemptions?per_page=200&page={page}")
        got.update({r["id"]: (r["status"], r["household_id"], r["total_points"])
                    for r in j["items"]})
        if not j["items"] or len(got) >= j["total"]:
            break
        page += 1
    want = {r.id: (r.status, r.hh, r.total) for r in m.redemptions.values()}
    if got != want:
        diff = sorted(set(got.items()) ^ set(want.items()))[:4]
        ctx.fail(f"final redemptions: {len(got)} vs the model's {len(want)}; differences {diff}")
    years = {y["year"] for y in ctx.get(f"/api/v1/villages/{ctx.vid}/years")["items"]}
    if years != {int(y) for y in m.closed_years}:
        ctx.fail(f"final closed years {sorted(years)}, the model {sorted(m.closed_years)}")
    head = ctx.anon.get(f"/api/v1/villages/{ctx.vid}/chain").json
    if head["seq"] != m.count:
        ctx.fail(f"chain head seq {head['seq']}, the model has {m.count} entries")
    for c in ctx.clients.values():
        c.close()
    ctx.s.stop()
    p = verify(ctx.s.db)
    if p.returncode != 0 or "ledger ok" not in p.stdout:
        ctx.fail(f"jifen verify failed: {p.stdout}{p.stderr}")


def run_seed(seed, nops):
    """Runs one seed; returns its figures (a dict). Raises Mismatch on a difference."""
    t0 = time.time()
    ctx = Ctx(seed, nops)
    try:
        ctx.setup()
        t1 = time.time()
        weights = [w for w, _ in OPS]
        fns = [f for _, f in OPS]
        for i in range(nops):
            ctx.op_index = i
            ctx.refresh_today()
            fn = ctx.rng.choices(fns, weights)[0]
            fn(ctx)
            if i % CHECK_EVERY == CHECK_EVERY - 1:
                ctx.periodic_check(f"the checks after operation {i}")
        t2 = time.time()
        final_check(ctx)
        m = ctx.model
        return {"seed": seed, "ops": nops, "differences": 0, "entries": m.count,
                "requests": ctx.requests, "setup_s": t1 - t0, "ops_s": t2 - t1,
                "total_s": time.time() - t0, "outcomes": ctx.outcomes,
                "notices": sum(1 for n in m.notices.values() if n.status == "confirmed"),
                "objections": len(m.objections), "redemptions": len(m.redemptions),
                "cancelled": sum(1 for r in m.redemptions.values() if r.status == "cancelled"),
                "closed_years": sorted(m.closed_years), "scheduler_waits": ctx.scheduler_waits,
                "day_changes": ctx.day_changes,
                "claims": len(m.claims)}
    finally:
        ctx.close()


def _worker(args):
    seed, nops = args
    try:
        return run_seed(seed, nops)
    except Mismatch as e:  # reported by the parent, with the seed
        return {"seed": seed, "error": str(e)}
    except Exception:
        import traceback
        return {"seed": seed, "error": f"seed {seed}: {traceback.format_exc()[-4000:]}"}


def run_seeds(seeds, nops, jobs):
    """Runs the seeds, jobs at a time (each with its own server); yields each
    seed's figures as it finishes (in the order of the seeds)."""
    if jobs <= 1 or len(seeds) == 1:
        for s in seeds:
            yield _worker((s, nops))
        return
    import multiprocessing
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        for res in pool.imap(_worker, [(s, nops) for s in seeds]):
            yield res


def use_fast_tmp():
    """Puts the seeds' databases on a RAM disk when there is one (MODEL_TMP, else
    /dev/shm): this test checks the logic, not durability (the crash test does)."""
    d = os.environ.get("MODEL_TMP", "/dev/shm")
    if d and os.path.isdir(d) and os.access(d, os.W_OK):
        tempfile.tempdir = d
