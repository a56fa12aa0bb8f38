"""Test harness for the API tests: runs the real `jifen serve` on loopback with a
temporary database, and talks to it over HTTP with only the standard library.

Each test file defines functions named test_*; `run(globals())` runs them in order,
prints one line per failure and the closing line "N passed, N failed", and exits
non-zero on any failure. The server's stderr is checked for sanitizer reports when
it stops.
"""
import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback

JIFEN = os.environ.get("JIFEN_BIN", os.path.join(os.path.dirname(__file__), "../../build-test/jifen"))
SRC = os.environ.get("JIFEN_SRC", os.path.abspath(os.path.join(os.path.dirname(__file__), "../..")))
DEMO_PASSWORD = "Gaojiangou-2024"
# third-party leaks (cairo, fontconfig) the sanitized server must not report; CTest sets
# the same, this covers running a test file by hand
os.environ.setdefault("LSAN_OPTIONS", f"suppressions={SRC}/tests/lsan.supp:print_suppressions=0")
DEMO_PIN = "270518"

SANITIZER_MARKS = ("ERROR: AddressSanitizer", "runtime error:", "ERROR: LeakSanitizer",
                   "SUMMARY: UndefinedBehaviorSanitizer")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def jifen(*args, db=None, input=None, check=True, env=None):
    """Runs the jifen CLI; returns CompletedProcess (text)."""
    cmd = [JIFEN] + list(args)
    if db:
        cmd += ["--db", db]
    e = dict(os.environ)
    e.update(env or {})
    p = subprocess.run(cmd, input=input, capture_output=True, text=True, env=e, cwd=SRC, timeout=300)
    check_sanitizers(p.stderr, " ".join(args))
    if check and p.returncode != 0:
        raise AssertionError(f"jifen {' '.join(args)} exited {p.returncode}:\n{p.stdout}\n{p.stderr}")
    return p


def check_sanitizers(text, what):
    for mark in SANITIZER_MARKS:
        if mark in text:
            raise AssertionError(f"sanitizer report from {what}:\n{text[-4000:]}")


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # list of (name, value)
        self.body = body
        self.text = body.decode("utf-8", "replace")
        try:
            self.json = json.loads(self.text) if self.text else None
        except ValueError:
            self.json = None

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def headers_all(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    @property
    def error_code(self):
        return (self.json or {}).get("error", {}).get("code")

    def __repr__(self):
        return f"<{self.status} {self.text[:300]}>"


class Client:
    """One user's HTTP client: bearer token or cookie session."""

    def __init__(self, server, token=None, cookie=None, csrf=None):
        self.server = server
        self.token = token
        self.cookie = cookie
        self.csrf = csrf
        self.user = None

    def request(self, method, path, body=None, headers=None, raw=None, timeout=60):
        h = dict(headers or {})
        data = None
        if raw is not None:
            data = raw
        elif body is not None:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            h.setdefault("Content-Type", "application/json")
        if self.token:
            h.setdefault("Authorization", "Bearer " + self.token)
        if self.cookie:
            h.setdefault("Cookie", "jifen_session=" + self.cookie)
            if self.csrf and method not in ("GET", "HEAD"):
                h.setdefault("X-CSRF-Token", self.csrf)
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=timeout)
        try:
            conn.request(method, path, body=data, headers=h)
            r = conn.getresponse()
            return Response(r.status, r.getheaders(), r.read())
        finally:
            conn.close()

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body=body, **kw)

    def patch(self, path, body=None, **kw):
        return self.request("PATCH", path, body=body, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)


class Server:
    """A real `jifen serve` on a free loopback port with its own database."""

    def __init__(self, demo=True, args=(), db=None):
        self.dir = tempfile.mkdtemp(prefix="jifen-test-")
        self.db = db or os.path.join(self.dir, "jifen.db")
        self.port = free_port()
        self.log_path = os.path.join(self.dir, "serve.log")
        self.args = list(args)
        self.proc = None
        if demo:
            out = jifen("demo", db=self.db).stdout
            self.village_id = int(out.split("village id ")[1].split(")")[0])
        else:
            jifen("init", db=self.db)
        self.start()

    def start(self):
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [JIFEN, "serve", "--db", self.db, "--listen", f"127.0.0.1:{self.port}"] + self.args,
            stdout=self.log, stderr=subprocess.STDOUT, cwd=SRC)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("jifen serve exited at start:\n" + self.read_log())
            try:
                r = Client(self).get("/api/v1/health", timeout=2)
                if r.status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise AssertionError("jifen serve did not answer /api/v1/health:\n" + self.read_log())

    def read_log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self, sig=signal.SIGTERM):
        """Stops the server; returns its exit code. Fails on a sanitizer report."""
        if not self.proc:
            return 0
        self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
            raise AssertionError("jifen serve did not stop within 30 s of SIGTERM")
        finally:
            self.log.close()
            self.proc = None
        check_sanitizers(self.read_log(), "jifen serve")
        return rc

    def restart(self):
        self.stop()
        self.start()

    def close(self):
        try:
            rc = self.stop()
            if rc != 0:
                raise AssertionError(f"jifen serve exited {rc} on SIGTERM:\n" + self.read_log()[-3000:])
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    def anon(self):
        return Client(self)

    def login(self, username, password=DEMO_PASSWORD, use_cookie=False):
        r = Client(self).post("/api/v1/session", {"username": username, "password": password})
        assert r.status == 201, f"login {username}: {r}"
        return self._client_from(r, use_cookie)

    def login_villager(self, passbook, pin=DEMO_PIN, village_id=None):
        r = Client(self).post("/api/v1/session", {"village_id": village_id or self.village_id,
                                                  "passbook_no": passbook, "pin": pin})
        assert r.status == 201, f"villager login {passbook}: {r}"
        return self._client_from(r, False)

    def _client_from(self, r, use_cookie):
        if use_cookie:
            cookie = r.header("Set-Cookie").split(";")[0].split("=", 1)[1]
            c = Client(self, cookie=cookie, csrf=r.json["csrf_token"])
        else:
            c = Client(self, token=r.json["token"])
        c.user = r.json["user"]
        return c

    def sql(self, query, *params):
        """Reads the database directly (sqlite3 module), for checks behind the API."""
        import sqlite3
        con = sqlite3.connect(self.db, timeout=30)
        try:
            return con.execute(query, params).fetchall()
        finally:
            con.close()

    def log_lines(self, needle):
        return [l for l in self.read_log().splitlines() if needle in l]


def eq(actual, expected, what=""):
    if actual != expected:
        raise AssertionError(f"{what}: expected {expected!r}, got {actual!r}")


def status(resp, expected, what=""):
    if resp.status != expected:
        raise AssertionError(f"{what}: expected status {expected}, got {resp}")
    return resp


def run(namespace):
    """Runs every test_* function of a module; prints the closing count line."""
    tests = [(n, f) for n, f in namespace.items() if n.startswith("test_") and callable(f)]
    only = os.environ.get("TEST_ONLY")
    passed = failed = 0
    for name, fn in tests:
        if only and only not in name:
            continue
        t0 = time.time()
        try:
            fn()
            passed += 1
            print(f"ok   {name} ({time.time() - t0:.1f}s)", flush=True)
        except Exception:
            failed += 1
            print(f"FAIL {name}", flush=True)
            traceback.print_exc()
    module = os.path.basename(sys.argv[0]).removesuffix(".py")
    print(f"{module}: {passed} passed, {failed} failed")
    sys.exit(1 if failed or not passed else 0)
