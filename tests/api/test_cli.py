"""The command line: help and usage errors, version, init (and --county), the
JIFEN_DB / JIFEN_LISTEN / JIFEN_FILES environment, `jifen user` (add, list, passwd,
disable), `jifen demo` run twice, databases jifen must refuse (newer schema, not a
database, missing), the photo folder `files` that only a running `jifen serve`
makes next to the database, and a clean stop of `jifen serve` on SIGTERM and
SIGINT that still answers the request in flight."""
import csv
import io
import os
import signal
import sqlite3
import subprocess
import tempfile
import threading
import time

from harness import (JIFEN, Client, Server, check_sanitizers, free_port, jifen, run, eq,
                     status)

COMMANDS = ["init", "serve", "demo", "user", "import", "backup", "verify", "version"]
NEW_PASSWORD = "Gaojiangou-Cun-2025"


def count(db, query):
    con = sqlite3.connect(db)
    try:
        return con.execute(query).fetchone()[0]
    finally:
        con.close()


class Serve:
    """`jifen serve` started with the given arguments and environment (not the
    harness's Server, which always passes --db and --listen)."""

    def __init__(self, tmp, args=(), env=None, port=None):
        self.port = port
        self.log_path = os.path.join(tmp, f"serve-{time.time_ns()}.log")
        self.log = open(self.log_path, "wb")
        e = dict(os.environ)
        e.pop("JIFEN_DB", None)
        e.pop("JIFEN_LISTEN", None)
        e.update(env or {})
        self.proc = subprocess.Popen([JIFEN, "serve"] + list(args), stdout=self.log,
                                     stderr=subprocess.STDOUT, cwd=tmp, env=e)

    def wait_healthy(self):
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("jifen serve exited at start:\n" + self.text())
            try:
                r = Client(self).get("/api/v1/health", timeout=2)
                if r.status == 200:
                    return r
            except OSError:
                pass
            time.sleep(0.05)
        raise AssertionError("jifen serve did not answer /api/v1/health:\n" + self.text())

    def wait_exit(self, timeout=30):
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("jifen serve did not exit:\n" + self.text())
        self.log.close()
        check_sanitizers(self.text(), "jifen serve")
        return rc

    def stop(self, sig=signal.SIGTERM):
        self.proc.send_signal(sig)
        return self.wait_exit()

    def text(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")


# ---- help, usage, version -------------------------------------------------------------------


def test_help_and_usage_errors():
    for args in (["--help"], ["help"], ["-h"]):
        p = jifen(*args)
        assert "usage: jifen COMMAND" in p.stdout, p.stdout
        for c in COMMANDS:
            assert f"\n  {c} " in p.stdout, f"{c} listed in jifen {args[0]}"
        assert "JIFEN_DB" in p.stdout and "JIFEN_LISTEN" in p.stdout, p.stdout
    for c in COMMANDS:
        p = jifen(c, "--help")
        assert f"usage: jifen {c}" in p.stdout, f"jifen {c} --help: {p.stdout!r}"
        eq(p.stderr, "", f"jifen {c} --help stderr")
    p = jifen(check=False)
    eq(p.returncode, 2, "jifen without a command")
    assert "usage: jifen COMMAND" in p.stderr, p.stderr
    p = jifen("frobnicate", check=False)
    eq(p.returncode, 2, "unknown command")
    assert "unknown command 'frobnicate'" in p.stderr, p.stderr
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "x.db")
        for args in (["init", "--bogus"], ["init", "extra"], ["demo", "--nope"],
                     ["serve", "--threads", "0"], ["serve", "--threads", "many"],
                     ["serve", "--listen"], ["serve", "extra"], ["backup", "--bogus"],
                     ["user"], ["user", "frob"], ["user", "add", "--village", "x"],
                     ["user", "passwd"], ["user", "list", "extra"], ["version", "extra"],
                     ["import", "--bogus"], ["verify", "--bogus"], ["verify", "extra"],
                     ["verify", "--village", "x"]):
            p = jifen(*args, env={"JIFEN_DB": db}, check=False)
            eq(p.returncode, 2, f"exit code of jifen {' '.join(args)}: {p.stderr}")
            assert p.stderr.strip(), f"jifen {' '.join(args)} says why on stderr"
            eq(p.stdout, "", f"jifen {' '.join(args)} stdout")
        assert not os.path.exists(db), "bad usage creates no database"


def test_version():
    p = jifen("version")
    line = p.stdout.strip()
    assert line.startswith("jifen ") and "(database schema " in line, line
    schema = int(line.split("(database schema ")[1].rstrip(")"))
    eq(jifen("--version").stdout, p.stdout, "--version")
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "v.db")
        p = jifen("init", db=db)
        assert f"(schema {schema})" in p.stdout, p.stdout
        eq(count(db, "SELECT max(version) FROM schema_migrations"), schema, "schema of a new db")


# ---- init and the environment ---------------------------------------------------------------


def test_init_and_county():
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "县.db")
        p = jifen("init", db=db)
        assert f"database {db} ready" in p.stdout, p.stdout
        eq(count(db, "SELECT count(*) FROM areas"), 0, "areas after a bare init")
        p = jifen("init", "--county", "铁岭县", db=db)
        assert "county 铁岭县 created: area id" in p.stdout, p.stdout
        area_id = int(p.stdout.split("area id ")[1].split()[0])
        p = jifen("init", "--county", "铁岭县", db=db)
        assert f"county 铁岭县 exists: area id {area_id}" in p.stdout, p.stdout
        eq(count(db, "SELECT count(*) FROM areas WHERE name='铁岭县' AND level='county'"), 1,
           "the county once")
        eq(count(db, "SELECT count(*) FROM audit_log WHERE entity='area'"), 1, "audited once")
        p = jifen("init", "--county", "开原市", db=db)
        assert "county 开原市 created" in p.stdout, p.stdout
        eq(count(db, "SELECT count(*) FROM areas"), 2, "two counties")
        p = jifen("init", "--county", "", db=db, check=False)
        eq(p.returncode, 1, f"empty county name: {p.stdout}{p.stderr}")


def test_jifen_db_environment_and_flag():
    with tempfile.TemporaryDirectory() as tmp:
        env_db = os.path.join(tmp, "env.db")
        flag_db = os.path.join(tmp, "flag.db")
        p = jifen("init", env={"JIFEN_DB": env_db})
        assert os.path.exists(env_db), "JIFEN_DB honoured"
        assert env_db in p.stdout, p.stdout
        jifen("init", "--db", flag_db, env={"JIFEN_DB": os.path.join(tmp, "other.db")})
        assert os.path.exists(flag_db), "--db used"
        assert not os.path.exists(os.path.join(tmp, "other.db")), "the flag wins over JIFEN_DB"
        jifen("demo", env={"JIFEN_DB": env_db})
        p = jifen("user", "list", env={"JIFEN_DB": env_db})
        assert "admin" in p.stdout, p.stdout
        p = jifen("user", "list", env={"JIFEN_DB": flag_db})
        assert "admin" not in p.stdout, "user list reads JIFEN_DB: the flag db has no users"


def test_jifen_listen_environment():
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "listen.db")
        jifen("demo", db=db)
        port = free_port()
        srv = Serve(tmp, env={"JIFEN_DB": db, "JIFEN_LISTEN": f"127.0.0.1:{port}"}, port=port)
        try:
            r = srv.wait_healthy()
            eq(r.json.get("status") if r.json else None, "ok", f"health {r}")
            r = Client(srv).post("/api/v1/session", {"username": "admin",
                                                     "password": "Gaojiangou-2024"})
            status(r, 201, "login through JIFEN_DB's database")
        finally:
            rc = srv.stop(signal.SIGTERM)
        eq(rc, 0, "exit code on SIGTERM")
        assert "stopped cleanly" in srv.text(), srv.text()
        assert f"127.0.0.1:{port}" in srv.text(), "the log names the address"
        # --listen wins over JIFEN_LISTEN
        port2 = free_port()
        srv = Serve(tmp, args=["--listen", f"127.0.0.1:{port2}"],
                    env={"JIFEN_DB": db, "JIFEN_LISTEN": f"127.0.0.1:{port}"}, port=port2)
        try:
            srv.wait_healthy()
            probe = type("Probe", (), {"port": port})()
            try:
                Client(probe).get("/api/v1/health", timeout=1)
                raise AssertionError("JIFEN_LISTEN's port answered although --listen was given")
            except OSError:
                pass
        finally:
            eq(srv.stop(signal.SIGTERM), 0, "exit code")


# ---- jifen user --------------------------------------------------------------------------------


def test_user_add_passwd_disable():
    s = Server()
    try:
        p = jifen("user", "add", "--role", "village_admin", "--name", "高建国", "--username", "gaojg",
                  "--village", str(s.village_id), "--phone", "13904101234", db=s.db,
                  input="Gaojiangou-2024x\n")
        assert "created (village_admin, 高建国)" in p.stdout, p.stdout
        c = s.login("gaojg", "Gaojiangou-2024x")
        eq((c.user["display_name"], c.user["role"], c.user["village_id"]),
           ("高建国", "village_admin", s.village_id), "the new user")
        status(c.get(f"/api/v1/villages/{s.village_id}/households"), 200, "new admin works")
        eq(s.sql("SELECT ip, user_id FROM audit_log WHERE entity='user' AND action='create'"
                 " ORDER BY id DESC LIMIT 1"), [("cli", None)], "user add audited as the CLI")

        for pw, zh in (("123", "密码太短"), ("password123", "太常见"), ("gaojg2", None)):
            p = jifen("user", "add", "--role", "scorer", "--name", "于洪军", "--username", "gaojg2",
                      "--village", str(s.village_id), db=s.db, input=pw + "\n", check=False)
            eq(p.returncode, 1, f"bad password {pw!r}")
            assert p.stderr.startswith("jifen: "), p.stderr
            lines = p.stderr.strip().splitlines()
            assert len(lines) == 2 and any("\u4e00" <= ch <= "\u9fff" for ch in lines[0]), p.stderr
            assert "password" in lines[1], f"English line: {p.stderr}"
            if zh:
                assert zh in lines[0], p.stderr
        p = jifen("user", "add", "--role", "scorer", "--name", "于洪军", "--username", "gaojg2",
                  "--village", str(s.village_id), db=s.db, input="", check=False)
        eq(p.returncode, 1, "no password on stdin")
        p = jifen("user", "add", "--role", "scorer", "--name", "于洪军", "--username", "gaojg",
                  "--village", str(s.village_id), db=s.db, input="Another-Pass-99\n", check=False)
        eq(p.returncode, 1, "user name taken")
        p = jifen("user", "add", "--role", "scorer", "--username", "x1", db=s.db, input="Another-Pass-99\n",
                  check=False)
        eq(p.returncode, 2, "missing --role/--name is bad usage")
        eq(s.sql("SELECT count(*) FROM users WHERE username='gaojg2'")[0][0], 0, "no gaojg2")

        lines = jifen("user", "list", db=s.db).stdout.splitlines()
        assert lines[0].split()[:3] == ["id", "username", "role"], lines[0]
        mine = [l for l in lines if " gaojg " in l]
        assert len(mine) == 1 and "village_admin" in mine[0] and "高建国" in mine[0], lines
        vl = jifen("user", "list", "--role", "village_admin", db=s.db).stdout
        assert "gaojg" in vl and "scorer" not in vl, vl

        # passwd: the old password stops working, and open sessions end
        p = jifen("user", "passwd", "gaojg", db=s.db, input=NEW_PASSWORD + "\n")
        assert "sessions have ended" in p.stdout, p.stdout
        status(c.get("/api/v1/session"), 401, "session after passwd")
        r = s.anon().post("/api/v1/session", {"username": "gaojg", "password": "Gaojiangou-2024x"})
        status(r, 401, "old password")
        c = s.login("gaojg", NEW_PASSWORD)
        p = jifen("user", "passwd", "gaojg", db=s.db, input="abc\n", check=False)
        eq(p.returncode, 1, "passwd with a bad password")
        assert "密码太短" in p.stderr, p.stderr
        p = jifen("user", "passwd", "nobody", db=s.db, input=NEW_PASSWORD + "\n", check=False)
        eq(p.returncode, 1, "passwd of a missing user")
        assert "no user 'nobody'" in p.stderr, p.stderr

        # disable and enable (by id as well as by name)
        uid = c.user["id"]
        p = jifen("user", "disable", "gaojg", db=s.db)
        assert "disabled" in p.stdout, p.stdout
        status(c.get("/api/v1/session"), 401, "session of a disabled user")
        r = status(s.anon().post("/api/v1/session", {"username": "gaojg", "password": NEW_PASSWORD}),
                   401, "login of a disabled user")
        eq(r.error_code, "account_disabled", "code")
        assert "停用" in r.json["error"]["message"], r
        assert "(disabled)" in [l for l in jifen("user", "list", db=s.db).stdout.splitlines()
                                if " gaojg " in l][0], "list shows disabled"
        jifen("user", "disable", str(uid), "--enable", db=s.db)
        s.login("gaojg", NEW_PASSWORD)
    finally:
        s.close()


def test_user_add_villager_with_pin():
    s = Server()
    try:
        hid = s.sql("SELECT id FROM households WHERE passbook_no='2001'")[0][0]
        head = s.sql("SELECT head_name FROM households WHERE id=?", hid)[0][0]
        p = jifen("user", "add", "--role", "villager", "--name", head, "--village", str(s.village_id),
                  "--household", str(hid), "--pin", db=s.db, input="308642\n")
        assert "created (villager" in p.stdout, p.stdout
        v = s.login_villager("2001", pin="308642")
        eq(v.user["household_id"], hid, "villager's household")
        r = status(v.get(f"/api/v1/households/{hid}"), 200, "own household")
        eq(r.json["passbook_no"], "2001", "passbook")
        status(s.anon().post("/api/v1/session", {"village_id": s.village_id, "passbook_no": "2001",
                                                 "pin": "308643"}), 401, "wrong PIN")
        for pin in ("123456", "12345", "abcdef"):
            p = jifen("user", "add", "--role", "villager", "--name", head, "--village",
                      str(s.village_id), "--household", str(hid + 1), "--pin", db=s.db,
                      input=pin + "\n", check=False)
            eq(p.returncode, 1, f"PIN {pin}")
            assert "PIN" in p.stderr, p.stderr
        p = jifen("user", "add", "--role", "villager", "--name", "于洪军", "--village", str(s.village_id),
                  "--household", "999999", "--pin", db=s.db, input="308642\n", check=False)
        eq(p.returncode, 1, "villager of a missing household")
        # a new PIN through `user passwd --pin`
        jifen("user", "passwd", str(v.user["id"]), "--pin", db=s.db, input="864213\n")
        s.login_villager("2001", pin="864213")
        status(s.anon().post("/api/v1/session", {"village_id": s.village_id, "passbook_no": "2001",
                                                 "pin": "308642"}), 401, "old PIN")
    finally:
        s.close()


def test_demo_twice_changes_nothing():
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "demo.db")
        first = jifen("demo", db=db).stdout
        assert "demo village created" in first, first
        tables = ("households", "members", "users", "villager_groups", "areas", "villages", "audit_log")
        before = {t: count(db, f"SELECT count(*) FROM {t}") for t in tables}
        eq(before["households"], 222, "households")
        second = jifen("demo", db=db).stdout
        assert "demo village already present" in second, second
        eq({t: count(db, f"SELECT count(*) FROM {t}") for t in tables}, before, "after a second demo")
        for out in (first, second):
            for login in ("county", "township", "admin", "scorer", "clerk", "Gaojiangou-2024",
                          "passbook 存折号 1001, PIN 270518"):
                assert login in out, f"{login!r} in {out}"
        eq(first.split("\n", 1)[1], second.split("\n", 1)[1], "the same logins printed")


# ---- databases jifen refuses ---------------------------------------------------------------


def test_database_from_a_newer_jifen_is_refused():
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "new.db")
        jifen("demo", db=db)
        con = sqlite3.connect(db)
        con.execute("INSERT INTO schema_migrations(version, applied_at) VALUES (999, 0)")
        con.commit()
        con.close()
        port = free_port()
        for args in (["serve", "--listen", f"127.0.0.1:{port}"], ["user", "list"], ["init"],
                     ["demo"], ["backup", "--to", os.path.join(tmp, "copy.db")], ["verify"]):
            p = jifen(*args, db=db, check=False)
            eq(p.returncode, 1, f"jifen {args[0]} on a newer database: {p.stdout}{p.stderr}")
            assert "newer jifen" in p.stderr and "999" in p.stderr, p.stderr
        assert not os.path.exists(os.path.join(tmp, "copy.db")), "no backup of it"
        eq(count(db, "SELECT max(version) FROM schema_migrations"), 999, "the database untouched")


def test_not_a_database_and_missing_database():
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "roster.csv")
        content = "村民小组,存折号,户主\n一组,1001,王福顺\n" * 200
        with open(path, "w", encoding="utf-8") as f:
            f.write(content)
        port = free_port()
        for args in (["serve", "--listen", f"127.0.0.1:{port}"], ["user", "list"], ["init"],
                     ["demo"], ["verify"]):
            p = jifen(*args, db=path, check=False)
            eq(p.returncode, 1, f"jifen {args[0]} on a CSV file: {p.stdout}{p.stderr}")
            assert "not a database" in p.stderr or "not a usable database" in p.stderr, p.stderr
            assert path in p.stderr, f"the message names the file: {p.stderr}"
        with open(path, encoding="utf-8") as f:
            eq(f.read(), content, "the file is left as it was")
        # nothing made next to it either: a refused serve makes no photo folder
        eq(os.listdir(tmp), ["roster.csv"], "the folder after the refused commands")

        missing = os.path.join(tmp, "missing.db")
        for args in (["serve", "--listen", f"127.0.0.1:{port}"], ["user", "list"], ["verify"]):
            p = jifen(*args, db=missing, check=False)
            eq(p.returncode, 1, f"jifen {args[0]} on a missing database")
            assert "does not exist" in p.stderr and "jifen init" in p.stderr and "jifen demo" in p.stderr, \
                p.stderr
        assert not os.path.exists(missing), "serve does not create a database"
        eq(os.listdir(tmp), ["roster.csv"], "no database and no photo folder for a missing database")


# ---- the photo folder -----------------------------------------------------------------------


def test_serve_makes_the_files_folder_next_to_the_database():
    """`files` next to the database is where uploaded photos go: `jifen serve` makes it
    (JIFEN_FILES or --files move it); no other command does."""
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "数据")
        os.mkdir(data)
        db = os.path.join(data, "jifen.db")
        files = os.path.join(data, "files")
        roster_csv = os.path.join(tmp, "roster.csv")
        with open(roster_csv, "w", encoding="utf-8") as f:
            f.write("村民小组,存折号,户主\n一组,9001,王福顺\n")
        jifen("init", db=db)
        jifen("demo", db=db)
        jifen("user", "list", db=db)
        jifen("import", "households", roster_csv, "--village", "1", db=db)
        jifen("backup", "--to", os.path.join(data, "copy.db"), db=db)
        jifen("verify", db=db)
        eq(sorted(n for n in os.listdir(data) if not n.startswith("jifen.db-")), ["copy.db", "jifen.db"],
           "the database folder after init, demo, user, import, backup and verify")
        eq(os.path.exists(os.path.join(tmp, "files")), False, "no photo folder in the working directory")

        port = free_port()
        srv = Serve(tmp, args=["--db", db, "--listen", f"127.0.0.1:{port}"], port=port)
        try:
            srv.wait_healthy()
            eq(os.path.isdir(files), True, "serve made the files folder next to the database")
            eq(os.listdir(files), [], "and it is empty")
            eq(os.path.exists(os.path.join(tmp, "files")), False, "not in the working directory")
        finally:
            eq(srv.stop(signal.SIGTERM), 0, "exit code")
        assert files in srv.text(), f"the log names the photo folder: {srv.text()}"
        # a second start reuses it
        srv = Serve(tmp, args=["--db", db, "--listen", f"127.0.0.1:{port}"], port=port)
        try:
            srv.wait_healthy()
        finally:
            eq(srv.stop(signal.SIGTERM), 0, "exit code of the second start")

        # JIFEN_FILES moves it, and --files wins over JIFEN_FILES
        env_files = os.path.join(tmp, "照片")
        flag_files = os.path.join(tmp, "photos")
        port = free_port()
        srv = Serve(tmp, args=["--db", db, "--listen", f"127.0.0.1:{port}"],
                    env={"JIFEN_FILES": env_files}, port=port)
        try:
            srv.wait_healthy()
            eq(os.path.isdir(env_files), True, "JIFEN_FILES honoured")
        finally:
            eq(srv.stop(signal.SIGTERM), 0, "exit code with JIFEN_FILES")
        port = free_port()
        srv = Serve(tmp, args=["--db", db, "--listen", f"127.0.0.1:{port}", "--files", flag_files],
                    env={"JIFEN_FILES": os.path.join(tmp, "unused")}, port=port)
        try:
            srv.wait_healthy()
            eq(os.path.isdir(flag_files), True, "--files used")
            eq(os.path.exists(os.path.join(tmp, "unused")), False, "the flag wins over JIFEN_FILES")
        finally:
            eq(srv.stop(signal.SIGTERM), 0, "exit code with --files")


# ---- stopping serve ---------------------------------------------------------------------------


def test_sigterm_and_sigint_stop_cleanly():
    for sig in (signal.SIGTERM, signal.SIGINT):
        s = Server()
        try:
            status(s.login("admin").get(f"/api/v1/villages/{s.village_id}"), 200, "before the signal")
            rc = s.stop(sig)
            eq(rc, 0, f"exit code on {sig.name}")
            log = s.read_log()
            assert f"received signal {int(sig)}" in log, log[-2000:]
            assert "stopped cleanly" in log, log[-2000:]
            try:
                Client(s).get("/api/v1/health", timeout=2)
                raise AssertionError("the server still answers after it stopped")
            except OSError:
                pass
            # the database is whole and reopens
            eq(s.sql("PRAGMA integrity_check"), [("ok",)], "integrity")
            s.start()
            status(Client(s).get("/api/v1/health"), 200, "restarted")
        finally:
            s.close()


def roster(n):
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(["村民小组", "存折号", "户主", "住址", "电话", "家庭成员"])
    surnames = "于王李张刘陈杨赵孙高"
    for i in range(n):
        g = "一二三四五"[i % 5] + "组"
        w.writerow([g, f"8{i:05d}", surnames[i % 10] + "洪军", f"高箭沟村{g}{i + 100}号",
                    f"139{i:08d}", f"{surnames[(i + 3) % 10]}桂芝(妻子);{surnames[i % 10]}浩然(孙子)"])
    return out.getvalue().encode("utf-8")


def test_request_in_flight_is_answered_on_sigterm():
    s = Server()
    try:
        admin = s.login("admin")
        n = 10000
        data = roster(n)
        result = {}

        def post():
            try:
                result["resp"] = admin.post(f"/api/v1/villages/{s.village_id}/households/import",
                                            raw=data, headers={"Content-Type": "text/csv"},
                                            timeout=120)
            except Exception as e:  # reported below
                result["error"] = e
            result["at"] = time.time()

        t = threading.Thread(target=post)
        t.start()
        # the import is in flight once its write transaction holds the database
        con = sqlite3.connect(s.db, timeout=0, isolation_level=None)
        deadline = time.time() + 60
        try:
            while "resp" not in result and "error" not in result and time.time() < deadline:
                try:
                    con.execute("BEGIN IMMEDIATE")
                    con.execute("ROLLBACK")
                except sqlite3.OperationalError:
                    break  # locked: the server is writing the import
                time.sleep(0.002)
        finally:
            con.close()
        signalled = time.time()
        assert "resp" not in result and "error" not in result, \
            f"the import finished before the signal; make it longer: {result}"
        s.proc.send_signal(signal.SIGTERM)
        t.join(60)
        rc = s.stop()  # already signalled: waits for the exit (a second SIGTERM is harmless)
        assert "error" not in result, f"the request in flight failed: {result.get('error')!r}"
        r = result["resp"]
        assert result["at"] > signalled, "the response came after the signal"
        status(r, 200, "import answered during the shutdown")
        eq((r.json["created"], r.json["applied"]), (n, True), "a complete report")
        eq(rc, 0, "exit code")
        log = s.read_log()
        assert "stopped cleanly" in log, log[-2000:]
        assert log.index("received signal") < log.index("households/import 200"), \
            "the import finished after the signal arrived"
        eq(s.sql("SELECT count(*) FROM households")[0][0], 222 + n, "the import is committed")
    finally:
        s.close()


if __name__ == "__main__":
    run(globals())
