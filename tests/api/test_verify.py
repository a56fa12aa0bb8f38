"""The hash chain and `jifen verify` (issue 3 item 4): the public chain head of a
village, and verify passing on a healthy ledger and failing, naming the entry,
the gap or the household, after the database file is edited with the sqlite3
shell behind jifen's back."""
import os
import sqlite3
import subprocess

from harness import Server, run, eq, status
from ledger_fixtures import household_id, make_rule, record, second_village, verify

ZERO = "0" * 64


def copy_db(src, dst):
    """A consistent copy of a (stopped) server's database."""
    a, b = sqlite3.connect(src), sqlite3.connect(dst)
    try:
        a.backup(b)
    finally:
        a.close()
        b.close()


def shell(db, sql):
    p = subprocess.run(["sqlite3", db, sql], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, f"sqlite3 {sql!r}: {p.stderr}"


def test_chain_head_is_public_and_follows_the_entries():
    s = Server()
    try:
        anon = s.anon()
        r = status(anon.get(f"/api/v1/villages/{s.village_id}/chain"), 200, "chain head").json
        n = s.sql("SELECT count(*) FROM entries WHERE village_id = ?", s.village_id)[0][0]
        last = s.sql("SELECT seq, hash FROM entries WHERE village_id = ? ORDER BY seq DESC LIMIT 1",
                     s.village_id)
        eq(r["village_id"], s.village_id, "village")
        eq(r["seq"], n, "seq = number of entries")
        eq(r["hash"], last[0][1] if last else ZERO, "hash of the last entry")
        admin, scorer = s.login("admin"), s.login("scorer")
        rule = make_rule(admin, s.village_id, name="参加宣讲学习（测试）", points=2)
        rec = status(record(scorer, s.village_id, rule["id"], [1, 2]), 201, "record").json
        r2 = status(anon.get(f"/api/v1/villages/{s.village_id}/chain"), 200, "after").json
        eq(r2["seq"], n + 2, "two more")
        eq(r2["hash"], rec["entries"][-1]["hash"], "the head is the newest entry's hash")
        eq([e["seq"] for e in rec["entries"]], [n + 1, n + 2], "entries numbered in order")
        eq(s.sql("SELECT prev_hash FROM entries WHERE id = ?", rec["entries"][0]["id"])[0][0],
           r["hash"], "the first new entry points at the old head")
        # a new village has an empty chain of its own
        _, v2, _, _ = second_village(s)
        eq(status(anon.get(f"/api/v1/villages/{v2}/chain"), 200, "v2").json,
           {"village_id": v2, "seq": 0, "hash": ZERO}, "empty chain")
        status(anon.get("/api/v1/villages/424242/chain"), 404, "no such village")
    finally:
        s.close()


def make_ledger():
    """A stopped demo server with a few extra entries and a reversal; returns it."""
    s = Server()
    try:
        admin, scorer = s.login("admin"), s.login("scorer")
        rule = make_rule(admin, s.village_id, name="清理垃圾（测试）", points=3)
        hid = household_id(admin, s.village_id, "1001")
        e = status(record(scorer, s.village_id, rule["id"], [hid, 2, 3]), 201,
                   "record").json["entries"]
        status(scorer.post(f"/api/v1/entries/{e[0]['id']}/reversal", {"reason": "核对有误"}), 201,
               "reverse")
        s.stop()
    except BaseException:
        s.close()
        raise
    return s


def test_verify_passes_on_a_healthy_ledger():
    s = make_ledger()
    try:
        p = verify(s.db)
        eq(p.returncode, 0, f"verify exit code: {p.stdout}{p.stderr}")
        assert "ledger ok" in p.stdout, p.stdout
        n = s.sql("SELECT count(*) FROM entries")[0][0]
        assert f"{n} entries" in p.stdout, f"counts every entry ({n}): {p.stdout}"
        p = verify(s.db, "--village", str(s.village_id))
        eq(p.returncode, 0, f"verify --village: {p.stderr}")
    finally:
        s.close()


def test_verify_names_an_altered_entry():
    s = make_ledger()
    try:
        db = os.path.join(s.dir, "altered.db")
        copy_db(s.db, db)
        shell(db, "DROP TRIGGER entries_no_update; UPDATE entries SET points=99 WHERE id=3;")
        p = verify(db)
        eq(p.returncode, 1, f"verify exit code: {p.stdout}{p.stderr}")
        assert "entry 3 " in p.stderr and "altered" in p.stderr, p.stderr
        assert "first bad entry: 3" in p.stderr, p.stderr
        assert "ledger ok" not in p.stdout, p.stdout
        # a change that keeps the points but touches another field is caught too
        db2 = os.path.join(s.dir, "altered2.db")
        copy_db(s.db, db2)
        shell(db2, "DROP TRIGGER entries_no_update; UPDATE entries SET deed_date='2020-01-01',"
                   " note='改过' WHERE id=5;")
        p = verify(db2)
        eq(p.returncode, 1, "deed date altered")
        assert "first bad entry: 5" in p.stderr, p.stderr
        # re-hashing an altered entry does not help: the next entry no longer points at it
        db3 = os.path.join(s.dir, "rehashed.db")
        copy_db(s.db, db3)
        shell(db3, "DROP TRIGGER entries_no_update; UPDATE entries SET hash='" + "ab" * 32 +
              "' WHERE id=4;")
        p = verify(db3)
        eq(p.returncode, 1, "hash altered")
        assert "entry 4 " in p.stderr, p.stderr
        assert "entry 5 " in p.stderr and "previous entry" in p.stderr, p.stderr
    finally:
        s.close()


def test_verify_names_a_deleted_entry():
    s = make_ledger()
    try:
        db = os.path.join(s.dir, "deleted.db")
        copy_db(s.db, db)
        seq, nxt = s.sql("SELECT e.seq, n.id FROM entries e JOIN entries n ON n.village_id ="
                         " e.village_id AND n.seq = e.seq + 1 WHERE e.id = 10")[0]
        shell(db, "DROP TRIGGER entries_no_delete; DELETE FROM entries WHERE id=10;")
        p = verify(db)
        eq(p.returncode, 1, f"verify exit code: {p.stdout}{p.stderr}")
        assert f"entry {nxt} has sequence {seq + 1} where {seq} was expected" in p.stderr, p.stderr
        assert "missing" in p.stderr, p.stderr
        assert f"first bad entry: {nxt}" in p.stderr, p.stderr
        # deleting the newest entry leaves the chain head pointing past the end
        db2 = os.path.join(s.dir, "deleted-last.db")
        copy_db(s.db, db2)
        shell(db2, "DROP TRIGGER entries_no_delete; DELETE FROM entries WHERE id=(SELECT max(id)"
                   " FROM entries);")
        p = verify(db2)
        eq(p.returncode, 1, "last entry deleted")
        assert "chain head" in p.stderr, p.stderr
    finally:
        s.close()


def test_verify_names_a_household_with_an_edited_balance():
    s = make_ledger()
    try:
        db = os.path.join(s.dir, "balance.db")
        copy_db(s.db, db)
        hid = s.sql("SELECT household_id FROM entries ORDER BY id DESC LIMIT 1")[0][0]
        shell(db, f"UPDATE balances SET pending = pending + 100 WHERE household_id = {hid};")
        p = verify(db)
        eq(p.returncode, 1, f"verify exit code: {p.stdout}{p.stderr}")
        assert f"household {hid} has balance" in p.stderr, p.stderr
        assert "first bad entry" not in p.stderr, f"no entry is bad, only a balance: {p.stderr}"
        # a balance row deleted is a mismatch too
        db2 = os.path.join(s.dir, "balance2.db")
        copy_db(s.db, db2)
        shell(db2, f"DELETE FROM balances WHERE household_id = {hid};")
        p = verify(db2)
        eq(p.returncode, 1, "balance row removed")
        assert f"household {hid} has balance 0 confirmed + 0 pending" in p.stderr, p.stderr
        # the untouched original still verifies
        eq(verify(s.db).returncode, 0, "original")
    finally:
        s.close()


def test_verify_notices_entry_ids_changed_behind_its_back():
    """The hash covers an entry's contents but not its id, and reversals name their
    original by id: renumbering entries must not go unnoticed."""
    s = Server()
    try:
        county, v2, _, h2 = second_village(s)
        admin, scorer = s.login("admin"), s.login("scorer")
        status(county.post("/api/v1/users", {"username": "v2scorer", "display_name": "外村评分员",
                                             "role": "scorer", "village_id": v2,
                                             "password": "Waicun-Scorer-2024"}), 201, "user")
        scorer2 = s.login("v2scorer", "Waicun-Scorer-2024")
        admin2 = county
        r1 = make_rule(admin, s.village_id, name="清理垃圾（测试）", points=3)
        r2 = make_rule(admin2, v2, name="外村细则", points=3)
        a = status(record(scorer, s.village_id, r1["id"], [1]), 201, "A").json["entries"][0]["id"]
        x = status(record(scorer2, v2, r2["id"], [h2]), 201, "X").json["entries"][0]["id"]
        b = status(record(scorer, s.village_id, r1["id"], [2]), 201, "B").json["entries"][0]["id"]
        status(scorer.post(f"/api/v1/entries/{a}/reversal", {"reason": "记错"}), 201, "reverse A")
        s.stop()
        eq(verify(s.db).returncode, 0, "healthy")
        # swap the ids of two entries of one village
        db = os.path.join(s.dir, "swapped.db")
        copy_db(s.db, db)
        shell(db, f"PRAGMA foreign_keys=OFF; DROP TRIGGER entries_no_update;"
                  f" UPDATE entries SET id=-1 WHERE id={a}; UPDATE entries SET id={a} WHERE id={b};"
                  f" UPDATE entries SET id={b} WHERE id=-1;")
        p = verify(db)
        eq(p.returncode, 1, f"ids swapped: {p.stdout}{p.stderr}")
        assert "entry ids were changed" in p.stderr, p.stderr
        # swap A with the other village's entry: each chain still has growing ids, but
        # the reversal of A now names an entry of the other village
        db2 = os.path.join(s.dir, "relinked.db")
        copy_db(s.db, db2)
        shell(db2, f"PRAGMA foreign_keys=OFF; DROP TRIGGER entries_no_update;"
                   f" UPDATE entries SET id=-1 WHERE id={a}; UPDATE entries SET id={a} WHERE id={x};"
                   f" UPDATE entries SET id={x} WHERE id=-1;")
        p = verify(db2)
        eq(p.returncode, 1, f"reversal relinked: {p.stdout}{p.stderr}")
        assert f"reverses entry {a}, which is not an earlier entry of the same household" in p.stderr, \
            p.stderr
    finally:
        s.close()


if __name__ == "__main__":
    run(globals())
