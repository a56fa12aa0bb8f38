"""The passbook's fast read path (issue 6, reads): the page is written without a
jansson tree and repeated reads come from a per-thread cache keyed on the database's
snapshot (src/api/readcache.c, src/store/sqlite_read.c). These tests hold it to
what a user must see:

- every change shows at once, including the ones that add no ledger entry (a new
  head of household, a renamed scorer) and writes by another process;
- each item is the same JSON, key for key and in the same order, as
  GET /api/v1/entries/{id} (still rendered by jansson) plus its running balance,
  and strings are escaped as jansson escapes them (text that is not UTF-8 is null);
- a cached page is never a way around authentication or the access check.
"""
import json
import os
import sqlite3
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Server, eq, run, status  # noqa: E402
from ledger_fixtures import day, make_rule, record, unique  # noqa: E402


def ordered(raw):
    """JSON with every object as a list of (key, value) pairs: order counts."""
    return json.loads(raw, object_pairs_hook=list)


def page(client, hh, query=""):
    return status(client.get(f"/api/v1/households/{hh}/passbook{query}"), 200, f"passbook {hh}")


def write_sql(srv, query, *params):
    """Writes the database from this process, as another program would."""
    con = sqlite3.connect(srv.db, timeout=30)
    try:
        con.execute(query, params)
        con.commit()
    finally:
        con.close()


def check_items_match_entries(client, body):
    """Each item equals GET /entries/{id} (jansson's rendering) plus running_balance."""
    items = ordered(body)[2][1]
    eq(ordered(body)[2][0], "items", "third key of the passbook")
    for item in items:
        eid = dict(item)["id"]
        alone = ordered(status(client.get(f"/api/v1/entries/{eid}"), 200, f"entry {eid}").body)
        eq(item[:-1], alone, f"entry {eid} in the passbook and alone")
        eq(item[-1][0], "running_balance", f"last key of entry {eid}")


def test_passbook_follows_every_change():
    srv = Server()
    try:
        admin = srv.login("admin")
        scorer = srv.login("scorer")
        villager = srv.login_villager("1001")
        hh = villager.user["household_id"]
        v = srv.village_id
        first = page(villager, hh).body
        eq(page(villager, hh).body, first, "the same page read twice")
        eq(page(admin, hh).body, first, "the same page for staff and villager")
        check_items_match_entries(admin, first)

        # a new entry, with text that needs escaping
        rule = make_rule(admin, v, points=3)
        note = 'say "hi" \\ a/b 😀 高箭沟'
        r = record(scorer, v, rule["id"], [hh], date=day(), note=note)
        status(r, 201, "record")
        after = page(villager, hh)
        top = after.json["items"][0]
        eq(top["note"], note, "the new entry's note")
        eq(top["points"], 3, "the new entry's points")
        eq(after.json["balance"]["total"], json.loads(first)["balance"]["total"] + 3, "balance")
        eq(top["running_balance"], after.json["balance"]["total"], "running balance of the newest")
        if b'"note":"say \\"hi\\" \\\\ a/b \xf0\x9f\x98\x80 \xe9\xab\x98\xe7\xae\xad\xe6\xb2\x9f"' \
                not in after.body:
            raise AssertionError(f"note not escaped as jansson does: {after.body[:600]!r}")
        check_items_match_entries(admin, after.body)

        # no new entry: a new head of household shows at once, in every line
        head = unique("刘桂芳")
        status(admin.patch(f"/api/v1/households/{hh}", {"head_name": head}), 200, "rename head")
        p = page(villager, hh).json
        eq(p["household"]["head_name"], head, "household head after rename")
        eq({i["head_name"] for i in p["items"]}, {head}, "head_name of every line after rename")

        # no new entry: the scorer renamed
        name = unique("记分员")
        status(admin.patch(f"/api/v1/users/{scorer.user['id']}", {"display_name": name}), 200,
               "rename scorer")
        p = page(villager, hh).json
        eq(p["items"][0]["recorded_by_name"], name, "recorded_by_name after the scorer's rename")

        # another process writes: control characters, then text that is not UTF-8
        before = page(villager, hh).body
        write_sql(srv, "UPDATE households SET address = 'x' || char(1) || char(31) || '\"'"
                  " || char(9) WHERE id = ?", hh)
        raw = page(villager, hh).body
        if b'"address":"x\\u0001\\u001F\\"\\t"' not in raw:
            raise AssertionError(f"address not escaped as jansson does: {raw[:400]!r}")
        write_sql(srv, "UPDATE households SET address = CAST(X'E4B8' AS TEXT) WHERE id = ?", hh)
        raw = page(villager, hh).body
        if b'"address":null' not in raw:
            raise AssertionError(f"an address that is not UTF-8 should read null: {raw[:400]!r}")
        if raw == before:
            raise AssertionError("the page did not change after another process wrote")
        check_items_match_entries(admin, raw)
    finally:
        srv.close()


def test_pages_agree():
    srv = Server()
    try:
        admin = srv.login("admin")
        villager = srv.login_villager("1001")
        hh = villager.user["household_id"]
        whole = page(admin, hh, "?per_page=200").json
        total = whole["total"]
        got = []
        n = 1
        while len(got) < total:
            p = page(villager, hh, f"?per_page=7&page={n}")
            eq(page(villager, hh, f"?per_page=7&page={n}").body, p.body, f"page {n} read twice")
            eq((p.json["page"], p.json["per_page"], p.json["total"]), (n, 7, total), f"page {n}")
            got += p.json["items"]
            n += 1
        eq(got, whole["items"], "pages of 7 put together and one page of 200")
        past = page(villager, hh, f"?per_page=7&page={n + 3}").json
        eq((past["items"], past["total"]), ([], total), "a page past the end")
        for q, code in (("?per_page=201", 400), ("?page=0x", 400), ("?page=-1", 400)):
            status(villager.get(f"/api/v1/households/{hh}/passbook{q}"), code, q)
    finally:
        srv.close()


def test_entry_lists_match_entries():
    """The village's entry list and a batch's reply are written the same way."""
    srv = Server()
    try:
        admin = srv.login("admin")
        scorer = srv.login("scorer")
        v = srv.village_id
        hhs = [r[0] for r in srv.sql("SELECT id FROM households WHERE village_id = ?"
                                     " ORDER BY id LIMIT 3", v)]
        rule = make_rule(admin, v, points=2)
        r = status(record(scorer, v, rule["id"], hhs, note='批量 "记录" \\'), 201, "record")
        reply = ordered(r.body)
        eq([k for k, _ in reply], ["batch_id", "count", "total_points", "entries"], "batch keys")
        eq(dict(reply)["count"], 3, "batch count")
        eq(dict(reply)["total_points"], 6, "batch points")
        for e in dict(reply)["entries"]:
            eid = dict(e)["id"]
            eq(e, ordered(status(admin.get(f"/api/v1/entries/{eid}"), 200, "entry").body),
               f"entry {eid} in the batch reply and alone")
        lst = status(admin.get(f"/api/v1/villages/{v}/entries?per_page=20"), 200, "list").body
        top = ordered(lst)
        eq([k for k, _ in top], ["items", "total", "page", "per_page"], "list keys")
        eq(len(dict(top)["items"]), 20, "a full page")
        for e in dict(top)["items"]:
            eid = dict(e)["id"]
            eq(e, ordered(status(admin.get(f"/api/v1/entries/{eid}"), 200, "entry").body),
               f"entry {eid} in the village's list and alone")
    finally:
        srv.close()


def test_reads_during_writes_are_whole():
    """While awards land, every page read is one state of the database: the balance
    equals the newest line's running balance, and the count only grows."""
    srv = Server()
    try:
        admin = srv.login("admin")
        scorer = srv.login("scorer")
        villager = srv.login_villager("1001")
        hh = villager.user["household_id"]
        v = srv.village_id
        rule = make_rule(admin, v, points=1)
        done = threading.Event()
        problems, reads = [], [0]

        def reader():
            last = 0
            while not done.is_set():
                r = villager.get(f"/api/v1/households/{hh}/passbook?per_page=5")
                if r.status != 200:
                    problems.append(f"status {r.status}")
                    return
                p = r.json
                if p["items"][0]["running_balance"] != p["balance"]["total"]:
                    problems.append(f"balance {p['balance']} but newest line "
                                    f"{p['items'][0]['running_balance']}")
                if p["total"] < last:
                    problems.append(f"count went back from {last} to {p['total']}")
                last = p["total"]
                reads[0] += 1

        threads = [threading.Thread(target=reader) for _ in range(3)]
        for t in threads:
            t.start()
        try:
            for _ in range(30):
                status(record(scorer, v, rule["id"], [hh]), 201, "award")
        finally:
            done.set()
            for t in threads:
                t.join()
        eq(problems, [], f"problems in {reads[0]} reads")
        p = page(villager, hh, "?per_page=5").json
        want = srv.sql("SELECT count(*), sum(points) FROM entries WHERE household_id = ?", hh)[0]
        eq((p["total"], p["balance"]["total"]), tuple(want), "the page after the awards and the ledger")
    finally:
        srv.close()


def test_cached_page_still_checks_access():
    srv = Server()
    try:
        own = srv.login_villager("1001")
        hh = own.user["household_id"]
        body = page(own, hh).body
        for _ in range(8):  # warm the cache of every worker thread
            eq(page(own, hh).body, body, "own passbook")
        admin = srv.login("admin")
        hh2, head2 = srv.sql("SELECT id, head_name FROM households WHERE village_id = ?"
                             " AND passbook_no = '1002'", srv.village_id)[0]
        status(admin.post("/api/v1/users", {"display_name": head2, "role": "villager",
                                            "pin": "582046", "village_id": srv.village_id,
                                            "household_id": hh2}), 201, "villager of 1002")
        other = srv.login_villager("1002", pin="582046")
        for _ in range(8):
            status(other.get(f"/api/v1/households/{hh}/passbook"), 403, "another villager")
            status(srv.anon().get(f"/api/v1/households/{hh}/passbook"), 401, "anonymous")
        status(own.delete("/api/v1/session"), 200, "logout")
        for _ in range(8):
            status(own.get(f"/api/v1/households/{hh}/passbook"), 401, "after logout")
        if not srv.log_lines("denied GET /api/v1/households/"):
            raise AssertionError("the denials are not in the log")
    finally:
        srv.close()


if __name__ == "__main__":
    run(globals())
