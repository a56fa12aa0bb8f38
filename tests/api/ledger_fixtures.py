"""Helpers shared by the ledger tests (test_rules, test_ledger, test_idempotency,
test_verify, test_model): dates in China time (the server's "today"), creating
rules, recording points, reading households and passbooks.

The demo village already has a catalogue and a year of history, so the tests
create their own rules (fresh caps) and compare balances by difference or by
recomputing them from the entries, never against hard-coded totals.
"""
import datetime
import subprocess
import threading

from harness import JIFEN, SRC, check_sanitizers, status

CN = datetime.timezone(datetime.timedelta(hours=8))

_seq = [0]


def today():
    """The server's today (it counts days in China time)."""
    return datetime.datetime.now(CN).date()


def day(offset=0):
    return (today() + datetime.timedelta(days=offset)).isoformat()


def two_months():
    """Two past dates in different months of the same year (cap tests)."""
    t = today()
    if t.month >= 2:
        return t.replace(day=1).isoformat(), t.replace(month=t.month - 1, day=1).isoformat()
    return f"{t.year - 1}-12-01", f"{t.year - 1}-11-01"


def unique(prefix):
    _seq[0] += 1
    return f"{prefix}{_seq[0]}"


def make_rule(admin, village_id, **fields):
    """Creates a rule (defaults: 测试类, a fresh name, 5 points); returns its JSON."""
    body = {"category": "测试", "name": unique("测试细则"), "points": 5}
    body.update(fields)
    r = admin.post(f"/api/v1/villages/{village_id}/rules", body)
    return status(r, 201, f"create rule {body}").json


def record(client, village_id, rule_id, households=None, date=None, **fields):
    """POSTs a record; households is a list of ids (household_ids). Returns the response."""
    body = {"rule_id": rule_id, "deed_date": date or day()}
    if households is not None:
        body["household_ids"] = list(households)
    body.update(fields)
    return client.post(f"/api/v1/villages/{village_id}/entries", body)


def households(client, village_id, **query):
    """Every household of the village (all pages), as JSON objects."""
    out, page = [], 1
    while True:
        q = "&".join(f"{k}={v}" for k, v in query.items())
        r = status(client.get(f"/api/v1/villages/{village_id}/households?per_page=200&page={page}"
                              + ("&" + q if q else "")), 200, "households")
        out += r.json["items"]
        if len(out) >= r.json["total"] or not r.json["items"]:
            return out
        page += 1


def household_id(client, village_id, passbook_no):
    r = status(client.get(f"/api/v1/villages/{village_id}/households?q={passbook_no}"), 200, "find")
    for h in r.json["items"]:
        if h["passbook_no"] == passbook_no:
            return h["id"]
    raise AssertionError(f"no household with passbook {passbook_no}")


def passbook(client, household_id, per_page=200):
    """(balance, every entry newest first) of a household, across all pages."""
    items, page = [], 1
    while True:
        r = status(client.get(f"/api/v1/households/{household_id}/passbook?per_page={per_page}"
                              f"&page={page}"), 200, f"passbook {household_id}")
        items += r.json["items"]
        if len(items) >= r.json["total"] or not r.json["items"]:
            return r.json["balance"], items
        page += 1


def balance(client, household_id):
    r = status(client.get(f"/api/v1/households/{household_id}/passbook?per_page=1"), 200, "passbook")
    return r.json["balance"]


def entry_count(server, village_id=None):
    if village_id:
        return server.sql("SELECT count(*) FROM entries WHERE village_id = ?", village_id)[0][0]
    return server.sql("SELECT count(*) FROM entries")[0][0]


def verify(db, *args):
    """Runs `jifen verify --db db`; returns the CompletedProcess (exit code not checked)."""
    p = subprocess.run([JIFEN, "verify", "--db", db] + list(args), capture_output=True, text=True,
                       cwd=SRC, timeout=300)
    check_sanitizers(p.stderr, "jifen verify")
    return p


def second_village(server):
    """Creates 二台子村 with one group and one household as the county admin.
    Returns (county client, village id, group id, household id)."""
    county = server.login("county")
    areas = status(county.get("/api/v1/areas"), 200, "areas").json["items"]
    township = [a for a in areas if a["level"] == "township"][0]["id"]
    v = status(county.post("/api/v1/villages", {"name": unique("二台子村"), "area_id": township}),
               201, "create village").json["id"]
    g = status(county.post(f"/api/v1/villages/{v}/groups", {"name": "一组"}), 201, "group").json["id"]
    h = status(county.post(f"/api/v1/villages/{v}/households",
                           {"group_id": g, "passbook_no": "9001", "head_name": "赵德胜"}),
               201, "household").json["id"]
    return county, v, g, h


def in_parallel(n, fn):
    """Runs fn(i) in n threads released together; returns the results in order.
    An exception in a thread is re-raised here."""
    barrier = threading.Barrier(n)
    results = [None] * n
    errors = []

    def run(i):
        try:
            barrier.wait()
            results[i] = fn(i)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return results
