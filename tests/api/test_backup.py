"""`jifen backup --to FILE`: a consistent copy of the live database taken while
the server keeps writing, that opens, passes PRAGMA integrity_check, holds
whole transactions only, and can itself be served."""
import csv
import io
import os
import shutil
import sqlite3
import tempfile
import threading
import time

from harness import Server, jifen, run, eq, status

BACKUP_WRITERS = 2


def count(db, query, *params):
    con = sqlite3.connect(db, timeout=30)
    try:
        return con.execute(query, params).fetchone()[0]
    finally:
        con.close()


class Writers:
    """Threads that keep creating households (each with two members, in one
    transaction) through the API until stopped."""

    def __init__(self, s, client, prefix):
        self.s = s
        self.client = client
        self.prefix = prefix
        self.stop_flag = threading.Event()
        self.created = 0
        self.errors = []
        self.lock = threading.Lock()
        self.group_id = s.sql("SELECT id FROM villager_groups WHERE name='三组'")[0][0]
        self.threads = [threading.Thread(target=self.loop, args=(k,)) for k in range(BACKUP_WRITERS)]

    def loop(self, k):
        i = 0
        while not self.stop_flag.is_set():
            i += 1
            body = {"group_id": self.group_id, "passbook_no": f"{self.prefix}{k}-{i}",
                    "head_name": "于洪军", "address": f"高箭沟村三组{i}号", "phone": "13904105678",
                    "members": [{"name": "王桂芝", "relation": "妻子"},
                                {"name": "于浩然", "relation": "孙子"}]}
            try:
                r = self.client.post(f"/api/v1/villages/{self.s.village_id}/households", body)
                if r.status != 201:
                    self.errors.append(repr(r))
                    return
            except OSError as e:
                self.errors.append(repr(e))
                return
            with self.lock:
                self.created += 1

    def start(self):
        for t in self.threads:
            t.start()

    def stop(self):
        self.stop_flag.set()
        for t in self.threads:
            t.join(60)
        assert not self.errors, f"writers failed: {self.errors[:3]}"


def check_copy(copy, low, high, prefix):
    """The copy is whole: integrity ok, the count between low and high, and every
    household written during the backup complete with its members and audit row."""
    sidecars = [x for x in (copy + "-wal", copy + "-shm", copy + "-journal") if os.path.exists(x)]
    eq(sidecars, [], "the copy is one file")
    con = sqlite3.connect(copy)
    try:
        eq(con.execute("PRAGMA integrity_check").fetchall(), [("ok",)], "integrity_check")
        eq(con.execute("PRAGMA foreign_key_check").fetchall(), [], "foreign_key_check")
        n = con.execute("SELECT count(*) FROM households").fetchone()[0]
        assert low <= n <= high, f"households in the copy: {low} <= {n} <= {high}"
        bad = con.execute(
            "SELECT h.passbook_no, (SELECT count(*) FROM members m WHERE m.household_id = h.id),"
            " (SELECT count(*) FROM audit_log a WHERE a.entity = 'household' AND a.entity_id = h.id)"
            " FROM households h WHERE h.passbook_no LIKE ? || '%'", (prefix,)).fetchall()
        torn = [b for b in bad if b[1:] != (2, 1)]
        eq(torn, [], "households of the copy without their members or audit row")
        return n
    finally:
        con.close()


def test_backup_while_writing():
    keep = tempfile.mkdtemp(prefix="jifen-backup-")
    copy = os.path.join(keep, "copy.db")
    s = Server()
    try:
        admin = s.login("admin")
        w = Writers(s, admin, "B")
        w.start()
        try:
            time.sleep(0.5)
            low = s.sql("SELECT count(*) FROM households")[0][0]
            p = jifen("backup", "--to", copy, db=s.db)
            high = s.sql("SELECT count(*) FROM households")[0][0]
            time.sleep(0.3)
        finally:
            w.stop()
        assert "integrity_check: ok" in p.stdout, p.stdout
        assert w.created > 20 and low > 222, f"writers made progress: {w.created}, {low}"
        n = check_copy(copy, low, high, "B")
        total = s.sql("SELECT count(*) FROM households")[0][0]
        eq(total, 222 + w.created, "every acknowledged household is in the live database")
        assert n < total, f"the copy ({n}) was taken while writing went on ({total})"
    finally:
        s.close()
    try:
        serve_copy(copy, n)
    finally:
        shutil.rmtree(keep, ignore_errors=True)


def serve_copy(copy, n):
    """`jifen serve` on the copy: the admin logs in and sees its households."""
    s = Server(demo=False, db=copy)
    s.village_id = 1
    try:
        admin = s.login("admin")
        r = status(admin.get(f"/api/v1/villages/1/households?per_page=1"), 200, "list on the copy")
        eq(r.json["total"], n, "households served from the copy")
        r = status(admin.post("/api/v1/villages/1/households",
                              {"group_id": 1, "passbook_no": "C-1", "head_name": "高建国"}), 201,
                   "the copy is writable")
        s.login_villager("1001")
    finally:
        s.close()


def test_backup_of_a_larger_village_while_writing():
    """A database of several hundred pages is copied in several steps; the copy
    must still finish while the writers go on."""
    s = Server()
    copy = os.path.join(s.dir, "big-copy.db")
    try:
        admin = s.login("admin")
        out = io.StringIO()
        wr = csv.writer(out, lineterminator="\r\n")
        wr.writerow(["村民小组", "存折号", "户主", "住址", "电话", "家庭成员"])
        for i in range(8000):
            g = "一二三四五"[i % 5] + "组"
            wr.writerow([g, f"L{i}", "于洪军", f"高箭沟村{g}{i}号", "13904105678",
                         "王桂芝(妻子);于浩然(孙子);于浩宇(孙子)"])
        r = admin.post(f"/api/v1/villages/{s.village_id}/households/import",
                       raw=out.getvalue().encode(), timeout=300)
        status(r, 200, "large import")
        pages = s.sql("PRAGMA page_count")[0][0]
        assert pages > 1000, f"the database is large: {pages} pages"
        w = Writers(s, admin, "W")
        w.start()
        try:
            time.sleep(0.3)
            low = s.sql("SELECT count(*) FROM households")[0][0]
            t0 = time.time()
            p = jifen("backup", "--to", copy, db=s.db)
            took = time.time() - t0
            high = s.sql("SELECT count(*) FROM households")[0][0]
        finally:
            w.stop()
        assert "integrity_check: ok" in p.stdout, p.stdout
        assert took < 60, f"backup took {took:.1f} s"
        check_copy(copy, low, high, "W")
    finally:
        s.close()


def test_backup_refusals():
    s = Server()
    try:
        existing = os.path.join(s.dir, "exists.db")
        with open(existing, "w") as f:
            f.write("老备份")
        p = jifen("backup", "--to", existing, db=s.db, check=False)
        eq(p.returncode, 1, "backup onto an existing file")
        assert "already exists" in p.stderr, p.stderr
        with open(existing) as f:
            eq(f.read(), "老备份", "the existing file is left alone")
        p = jifen("backup", db=s.db, check=False)
        eq(p.returncode, 2, "missing --to")
        assert "usage: jifen backup" in p.stderr, p.stderr
        p = jifen("backup", "--to", os.path.join(s.dir, "a.db"), "extra", db=s.db, check=False)
        eq(p.returncode, 2, "extra argument")
        p = jifen("backup", "--to", os.path.join(s.dir, "no", "such", "dir.db"), db=s.db, check=False)
        eq(p.returncode, 1, "backup into a missing directory")
        p = jifen("backup", "--to", os.path.join(s.dir, "b.db"), db=os.path.join(s.dir, "none.db"),
                  check=False)
        eq(p.returncode, 1, "backup of a missing database")
        assert "does not exist" in p.stderr, p.stderr
        assert not os.path.exists(os.path.join(s.dir, "b.db")), "no copy of nothing"
        # JIFEN_DB names the source when --db is absent
        copy = os.path.join(s.dir, "env-copy.db")
        jifen("backup", "--to", copy, env={"JIFEN_DB": s.db})
        eq(count(copy, "SELECT count(*) FROM households"), 222, "copy through JIFEN_DB")
    finally:
        s.close()


if __name__ == "__main__":
    run(globals())
