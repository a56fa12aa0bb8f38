"""HTTP abuse (issue 6 family 6): slow clients (a slowloris sending a header byte
per second, a slow body), hundreds of idle connections, huge headers (431) and
bodies (413, refused before the body is read), duplicate or conflicting
Content-Length and other ambiguous framing (400), malformed request lines.

Throughout, a normal client (from 127.0.0.1; the abusers come from other
loopback addresses, 127.0.0.2 and up, as they would from other hosts) keeps
asking for the health check and a passbook; every one of its requests must be
answered correctly. No timing assertions: only generous socket timeouts."""
import http.client
import json
import re
import socket
import threading
import time

from harness import Server, eq, run, status

NORMAL_TIMEOUT = 30  # seconds a normal request may take before it counts as failed


class Normal:
    """A well-behaved client asking in a loop, in its own thread, until stopped."""

    def __init__(self, server, token, household=1):
        self.s = server
        self.token = token
        self.household = household
        self.ok = 0
        self.failures = []
        self.stop_flag = threading.Event()
        self.thread = threading.Thread(target=self.loop)

    def ask(self, path, auth):
        c = http.client.HTTPConnection("127.0.0.1", self.s.port, timeout=NORMAL_TIMEOUT,
                                       source_address=("127.0.0.1", 0))
        try:
            c.request("GET", path, headers={"Authorization": "Bearer " + self.token} if auth else {})
            r = c.getresponse()
            body = r.read()
            return r.status, json.loads(body)
        finally:
            c.close()

    def once(self):
        try:
            st, j = self.ask("/api/v1/health", False)
            if st != 200:
                self.failures.append(("health", st, j))
                return
            st, j = self.ask(f"/api/v1/households/{self.household}/passbook?per_page=5", True)
            if st != 200 or "balance" not in j:
                self.failures.append(("passbook", st, j))
                return
            self.ok += 1
        except (OSError, http.client.HTTPException, ValueError) as e:
            self.failures.append(("error", repr(e)))

    def loop(self):
        while not self.stop_flag.is_set():
            self.once()
            time.sleep(0.05)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop_flag.set()
        self.thread.join()
        self.once()  # and once more, after the abuse
        if exc[0] is None:
            eq(self.failures[:3], [], f"the normal client's failures ({len(self.failures)})")
            assert self.ok >= 2, f"the normal client got answers: {self.ok}"
        return False


def connect(s, source="127.0.0.2", timeout=10):
    return socket.create_connection(("127.0.0.1", s.port), timeout=timeout, source_address=(source, 0))


def read_all(sock, timeout=10):
    """Reads until the server closes or timeout; returns (bytes, how it ended)."""
    sock.settimeout(timeout)
    out = b""
    while True:
        try:
            b = sock.recv(65536)
        except socket.timeout:
            return out, "timeout"
        except ConnectionResetError:
            return out, "reset"
        if not b:
            return out, "closed"
        out += b


def status_of(raw):
    """The status code of the first response in raw bytes, or None."""
    if not raw.startswith(b"HTTP/1."):
        return None
    return int(raw.split(b" ", 2)[1])


def exchange(s, data, source="127.0.0.2", timeout=10):
    """Sends raw bytes (half-closing nothing) and reads the answer; returns (status, raw, end)."""
    with connect(s, source) as c:
        try:
            c.sendall(data)
        except OSError:
            pass  # refused before it was all sent: the answer may be waiting
        raw, end = read_all(c, timeout)
        return status_of(raw), raw, end


def body_json(raw):
    head, _, body = raw.partition(b"\r\n\r\n")
    return json.loads(body.decode()) if body else None


def is_open(sock):
    """True while the server has not closed this connection."""
    sock.setblocking(False)
    try:
        return sock.recv(1) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        sock.setblocking(True)


def test_slow_clients_do_not_hold_up_others():
    s = Server()
    try:
        admin = s.login("admin")
        start = b"GET /api/v1/health HTTP/1.1\r\nHost: jifen\r\n"
        head = b"X-Slow: 1234\r\n"  # trickled, a byte a second
        login = json.dumps({"username": "clerk", "password": "Gaojiangou-2024"}).encode()
        post = (b"POST /api/v1/session HTTP/1.1\r\nHost: jifen\r\nContent-Type: application/json\r\n"
                b"Content-Length: %d\r\n\r\n" % len(login))
        loris = [connect(s, f"127.0.0.{2 + i % 3}", timeout=60) for i in range(20)]
        slow_body = [connect(s, "127.0.0.5", timeout=60) for _ in range(5)]
        with Normal(s, admin.token) as normal:
            for c in loris:
                c.sendall(start)
            for c in slow_body:
                c.sendall(post)
            # a header byte (and a body byte) per second, for as long as the header lasts
            for k in range(len(head)):
                for c in loris:
                    c.sendall(head[k:k + 1])
                for c in slow_body:
                    c.sendall(login[k:k + 1])
                time.sleep(1)
            seen_during = normal.ok
            for c in loris:
                c.sendall(b"\r\n")
            for c in slow_body:
                c.sendall(login[len(head):])
            # the slow ones are answered too, and rightly
            for c in loris:
                raw, _ = read_until_response(c)
                eq(status_of(raw), 200, "a slowloris finally gets its answer")
            for c in slow_body:
                raw, _ = read_until_response(c)
                eq(status_of(raw), 201, "the slow login is a login")
                eq(body_json(raw)["user"]["username"], "clerk", "logged in as the clerk")
        for c in loris + slow_body:
            c.close()
        print(f"normal client: {normal.ok} answered, {seen_during} while {len(loris)} slowloris and "
              f"{len(slow_body)} slow bodies trickled for {len(head)} s", flush=True)
        assert seen_during >= 3, f"the normal client was answered during the slow clients: {seen_during}"
    finally:
        s.close()


def read_until_response(sock, timeout=30):
    """Reads one whole response (headers and Content-Length body); returns (bytes, end)."""
    sock.settimeout(timeout)
    out = b""
    while True:
        head, sep, body = out.partition(b"\r\n\r\n")
        if sep:
            n = 0
            for line in head.split(b"\r\n")[1:]:
                k, _, v = line.partition(b":")
                if k.strip().lower() == b"content-length":
                    n = int(v.strip())
            if len(body) >= n:
                return out, "complete"
        try:
            b = sock.recv(65536)
        except socket.timeout:
            return out, "timeout"
        if not b:
            return out, "closed"
        out += b


def test_hundreds_of_idle_connections():
    s = Server(args=["--idle-timeout", "600"])  # idle, but not closed during the test
    try:
        admin = s.login("admin")
        with Normal(s, admin.token) as normal:
            # 300 idle connections from three addresses (100 each, under the per-address cap)
            idle = [connect(s, f"127.0.0.{2 + i % 3}") for i in range(300)]
            time.sleep(1)
            before = normal.ok
            deadline = time.time() + NORMAL_TIMEOUT
            while normal.ok < before + 5 and time.time() < deadline:
                time.sleep(0.1)
            eq(sum(1 for c in idle if is_open(c)), 300, "all 300 idle connections are held")
            # and each of them can still ask
            for c in idle[::50]:
                c.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: jifen\r\n\r\n")
                raw, _ = read_until_response(c)
                eq(status_of(raw), 200, "an idle connection asks at last")
            # one address opening 300: the server holds its cap (256) and closes the rest
            flood = []
            for _ in range(300):
                try:
                    flood.append(connect(s, "127.0.0.9"))
                except OSError:
                    break
            time.sleep(1)
            held = sum(1 for c in flood if is_open(c))
            eq(held <= 256, True, f"one address holds at most 256 connections: {held}")
            eq(held >= 200, True, f"and up to the cap: {held}")
            for c in idle + flood:
                c.close()
            answered_during = normal.ok - before
        print(f"normal client: {normal.ok} answered ({answered_during} beside 300 idle connections and a"
              f" flood of 300 from one address, of which the server held {held})", flush=True)
    finally:
        s.close()


def test_idle_connections_are_closed_after_the_idle_timeout():
    s = Server(args=["--idle-timeout", "2"])
    try:
        idle = [connect(s, "127.0.0.2") for _ in range(10)]
        half = connect(s, "127.0.0.2")
        half.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: jif")  # and nothing more
        for c in idle + [half]:
            raw, end = read_all(c, timeout=60)
            eq((raw, end), (b"", "closed"), "closed by the server, unanswered")
            c.close()
        status(s.anon().get("/api/v1/health"), 200, "still serving")
    finally:
        s.close()


def test_huge_headers_and_bodies_are_refused():
    s = Server()
    try:
        admin = s.login("admin")
        with Normal(s, admin.token):
            big = b"GET /api/v1/health HTTP/1.1\r\nHost: jifen\r\nX-Big: " + b"a" * 100_000 + b"\r\n\r\n"
            eq(exchange(s, big)[0], 431, "one huge header")
            many = (b"GET /api/v1/health HTTP/1.1\r\nHost: jifen\r\n"
                    + b"".join(b"X-H%d: v\r\n" % i for i in range(5000)) + b"\r\n")
            eq(exchange(s, many)[0], 431, "5,000 headers")
            cookie = b"GET /api/v1/health HTTP/1.1\r\nHost: jifen\r\nCookie: jifen_session=" + b"c" * 40_000 + b"\r\n\r\n"
            eq(exchange(s, cookie)[0], 431, "a huge cookie")
            url = b"GET /api/v1/health?q=" + b"a" * 100_000 + b" HTTP/1.1\r\nHost: jifen\r\n\r\n"
            eq(exchange(s, url)[0], 414, "a huge URL")
            # a declared 100 MB body: 413 before a byte of it is sent
            with connect(s) as c:
                c.sendall(b"POST /api/v1/session HTTP/1.1\r\nHost: jifen\r\nContent-Type: application/json\r\n"
                          b"Content-Length: 100000000\r\n\r\n")
                raw, end = read_all(c, timeout=NORMAL_TIMEOUT)
            eq((status_of(raw), end), (413, "closed"), "refused at once, then closed")
            j = body_json(raw)
            eq(j["error"]["code"], "payload_too_large", "the code")
            eq("4096" in j["error"]["message"] and "4096" in j["error"]["message_en"], True,
               f"the limit is named: {j}")
            # a JSON route's 64 KiB: one byte more is refused, whoever asks
            path = f"/api/v1/villages/{s.village_id}/entries"
            r = admin.post(path, raw=b" " * (64 * 1024 + 1), headers={"Content-Type": "application/json"})
            eq((r.status, r.error_code), (413, "payload_too_large"), "64 KiB + 1")
            # a chunked body a little over the limit is read, dropped and answered 413
            chunk = b"2000\r\n" + b"x" * 0x2000 + b"\r\n"
            st, raw, end = exchange(s, b"POST /api/v1/session HTTP/1.1\r\nHost: jifen\r\n"
                                       b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                                    + chunk + b"0\r\n\r\n")
            eq(st, 413, "a chunked 8 KiB login body")
            # an endless chunked body: the server stops reading long before the end
            sent = 0
            with connect(s) as c:
                c.sendall(b"POST /api/v1/session HTTP/1.1\r\nHost: jifen\r\n"
                          b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
                c.settimeout(NORMAL_TIMEOUT)
                block = b"10000\r\n" + b"y" * 0x10000 + b"\r\n"
                try:
                    while sent < 200 * 1024 * 1024:
                        c.sendall(block)
                        sent += len(block)
                except OSError:
                    pass
            assert sent < 50 * 1024 * 1024, f"the server read an endless body: {sent} bytes"
            print(f"endless chunked body: the server closed after {sent // 1024} KiB were sent", flush=True)
        eq(s.proc.poll(), None, "the server runs")
    finally:
        s.close()


def test_ambiguous_lengths_and_malformed_requests():
    s = Server()
    try:
        admin = s.login("admin")
        n0 = s.sql("SELECT count(*) FROM sessions")[0][0]
        login = json.dumps({"username": "clerk", "password": "Gaojiangou-2024"}).encode()
        smuggled = b"GET /api/v1/health HTTP/1.1\r\nHost: jifen\r\n\r\n"

        def post(headers, body):
            return (b"POST /api/v1/session HTTP/1.1\r\nHost: jifen\r\nContent-Type: application/json\r\n"
                    + headers + b"\r\n" + body)

        refused = [
            ("two equal Content-Length", post(b"Content-Length: %d\r\nContent-Length: %d\r\n"
                                              % (len(login), len(login)), login)),
            ("two different Content-Length", post(b"Content-Length: %d\r\nContent-Length: %d\r\n"
                                                  % (len(login), len(login) + len(smuggled)),
                                                  login + smuggled)),
            ("Content-Length and chunked", post(b"Content-Length: %d\r\nTransfer-Encoding: chunked\r\n"
                                                % (len(login) + 7), b"%x\r\n" % len(login) + login
                                                + b"\r\n0\r\n\r\n")),
            ("a list in Content-Length", post(b"Content-Length: %d, %d\r\n" % (len(login), len(login)), login)),
            ("a sign in Content-Length", post(b"Content-Length: +%d\r\n" % len(login), login)),
            ("letters in Content-Length", post(b"Content-Length: abc\r\n", login)),
            ("a negative Content-Length", post(b"Content-Length: -1\r\n", login)),
            ("space before the colon", post(b"Content-Length : %d\r\n" % len(login), login)),
            ("a header without a colon", post(b"Content-Length: %d\r\nBogus\r\n" % len(login), login)),
            ("HTTP/1.1 without Host", b"POST /api/v1/session HTTP/1.1\r\nContent-Type: application/json\r\n"
                                      b"Content-Length: %d\r\n\r\n" % len(login) + login),
            ("two Host headers", b"GET /api/v1/health HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"),
        ]
        with Normal(s, admin.token):
            for what, data in refused:
                st, raw, end = exchange(s, data)
                eq(st, 400, what)
                # (libmicrohttpd 0.9.75 writes its own 400's status and header lines twice)
                eq(set(re.findall(rb"HTTP/1\.[01] (\d{3}) ", raw)), {b"400"},
                   f"{what}: only the refusal, nothing smuggled behind it")
                eq(end, "closed", f"{what}: the connection is closed after")
            eq(s.sql("SELECT count(*) FROM sessions")[0][0], n0, "none of them logged in")
            # the same login, framed properly, works
            st, raw, _ = exchange(s, post(b"Content-Length: %d\r\nConnection: close\r\n" % len(login), login))
            eq(st, 201, "a proper login")
            malformed = [
                ("no target", b"GET\r\n\r\n"),
                ("HTTP/9.9", b"GET / HTTP/9.9\r\nHost: jifen\r\n\r\n"),
                ("binary", b"\x00\x01\x02\xff garbage\r\n\r\n"),
                ("only spaces", b"   \r\n\r\n"),
                ("a header before the request line", b"Host: jifen\r\nGET / HTTP/1.1\r\n\r\n"),
                ("a bad chunk size", b"POST /api/v1/session HTTP/1.1\r\nHost: jifen\r\n"
                                     b"Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"),
                ("a chunk size overflowing", b"POST /api/v1/session HTTP/1.1\r\nHost: jifen\r\n"
                                             b"Transfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n{}"),
            ]
            outcomes = []
            for what, data in malformed:
                st, raw, end = exchange(s, data, timeout=5)
                outcomes.append((what, st, end))
                # refused with an error status, or not answered at all; never a success
                assert st is None or 400 <= st < 600, f"{what}: answered {st}: {raw[:200]!r}"
                eq(st != 500, True, f"{what}: not an internal error")
        print("malformed requests: " + ", ".join(f"{w} → {st or end}" for w, st, end in outcomes), flush=True)
        eq(s.proc.poll(), None, "the server runs")
    finally:
        s.close()


run(globals())
