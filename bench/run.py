"""Runs every benchmark of jifen against a reference measured in the same run on this
machine, prints the ratios and writes docs/performance.md (and bench/out/results.json).

    bash bench/run.sh                 # installs wrk, nginx…, builds build/jifen, runs this
    python3 bench/run.py --jifen /tmp/build-x/jifen [--quick] [--no-scale] [--no-profile]

- Reads: an authenticated GET of a villager's passbook under `wrk -t2 -c64 --latency`,
  against nginx (started here on loopback, one worker per core) serving a static file of
  the same bytes. Goals: >= 0.6 x nginx's requests/s, p99 <= 10 ms.
- Durable writes: awards over HTTP (POST entries, one household each, a fresh
  Idempotency-Key each) from 64 connections and from 1, against the disk's raw
  `write + fdatasync` rate in the database's folder (bench/fsync_probe.c), measured in
  rounds alternating with the awards because a shared disk drifts. Goal: >= 2 x raw.
  Also counts the fsync/fdatasync calls the server makes per award (perf tracepoints).
- Footprint: peak RSS (VmHWM) of `jifen serve` after the read benchmark (goal <= 48 MB);
  cold start to the first answered GET /api/v1/health, 20 times, median (goal <= 100 ms).
- Scale: bench/scale_run.py if present (it writes bench/out/scale.md, included here).
- Where a goal is missed: a CPU profile (perf record -e cpu-clock, else callgrind).

The demo database is made fresh in a temporary folder (BENCH_TMP, default /var/tmp), on
disk, so the writes are measured on the same disk as the probe. Standard library only.
"""
import argparse
import datetime
import http.client
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(BENCH)
DEMO_PASSWORD = "Gaojiangou-2024"
GOALS = {"read_ratio": 0.6, "read_p99_ms": 10.0, "write_ratio": 2.0, "rss_mb": 48.0,
         "cold_start_ms": 100.0}


def log(msg):
    print(f"bench: {msg}", flush=True)


def sh(args, check=True, **kw):
    return subprocess.run(args, check=check, capture_output=True, text=True, **kw)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------- the machine

def machine_info(workdir):
    info = {"nproc": os.cpu_count(), "date": datetime.datetime.now().astimezone().isoformat(
        timespec="seconds")}
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    info["cpu"] = cpu
    with open("/proc/meminfo") as f:
        kb = int(re.search(r"MemTotal:\s+(\d+)", f.read()).group(1))
    info["memory_gib"] = round(kb / 1024 / 1024, 1)
    p = sh(["findmnt", "-n", "-o", "SOURCE,FSTYPE", "-T", workdir], check=False)
    info["filesystem"] = p.stdout.strip() or "?"
    dev = info["filesystem"].split()[0] if info["filesystem"] != "?" else ""
    disk = "?"
    if dev.startswith("/dev/"):
        p = sh(["lsblk", "-n", "-d", "-o", "NAME,SIZE,ROTA,MODEL", dev], check=False)
        if p.returncode == 0 and p.stdout.strip():
            name, size, rota, *model = p.stdout.split()
            disk = f"{name} {size}, {'rotational' if rota == '1' else 'non-rotational'}" + \
                   (f", {' '.join(model)}" if model else "")
    info["disk"] = disk
    info["kernel"] = os.uname().release
    p = sh(["git", "-C", SRC, "rev-parse", "--short=12", "HEAD"], check=False)
    commit = p.stdout.strip() or "?"
    p = sh(["git", "-C", SRC, "status", "--porcelain", "--untracked-files=no"], check=False)
    if p.stdout.strip():
        commit += " (with uncommitted changes)"
    info["commit"] = commit
    info["load_before"] = open("/proc/loadavg").read().split()[0]
    vers = []
    for cmd in (["wrk", "-v"], ["nginx", "-v"], ["sqlite3", "--version"]):
        p = sh(cmd, check=False)
        out = (p.stdout + p.stderr).strip().splitlines()
        vers.append(out[0] if out else "?")
    info["tools"] = vers
    return info


# ---------------------------------------------------------------- jifen serve

class Server:
    """One `jifen serve` on loopback; stderr (the access log) goes to a file."""

    def __init__(self, jifen, db, workdir, extra=()):
        self.port = free_port()
        self.log = open(os.path.join(workdir, f"serve-{self.port}.log"), "w")
        self.t0 = time.perf_counter()
        self.proc = subprocess.Popen(
            [jifen, "serve", "--db", db, "--listen", f"127.0.0.1:{self.port}", *extra],
            cwd=SRC, stdout=self.log, stderr=subprocess.STDOUT)
        self.ready_s = wait_health(self.port, self.proc, self.t0)

    @property
    def pid(self):
        return self.proc.pid

    def request(self, method, path, body=None, token=None, headers=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        h = dict(headers or {})
        if token:
            h["Authorization"] = f"Bearer {token}"
        data = json.dumps(body).encode() if body is not None else None
        if data is not None:
            h["Content-Type"] = "application/json"
        c.request(method, path, body=data, headers=h)
        r = c.getresponse()
        raw = r.read()
        c.close()
        return r.status, raw

    def login(self, body):
        st, raw = self.request("POST", "/api/v1/session", body)
        if st != 201:
            raise RuntimeError(f"login {body} answered {st}: {raw[:300]!r}")
        return json.loads(raw)

    def status(self, key):
        with open(f"/proc/{self.pid}/status") as f:
            m = re.search(rf"^{key}:\s+(\d+) kB", f.read(), re.M)
        return int(m.group(1)) if m else 0

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def wait_health(port, proc, t0, limit_s=30.0):
    """Polls GET /api/v1/health until it answers 200; returns seconds since t0."""
    req = b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    while time.perf_counter() - t0 < limit_s:
        if proc.poll() is not None:
            raise RuntimeError(f"jifen serve exited with {proc.returncode} before answering")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                s.sendall(req)
                head = s.recv(64)
                if head.startswith(b"HTTP/1.1 200"):
                    return time.perf_counter() - t0
        except (ConnectionRefusedError, ConnectionResetError):
            pass
        time.sleep(0.0005)
    raise RuntimeError("jifen serve did not answer /api/v1/health in time")


# ---------------------------------------------------------------- wrk

UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def parse_wrk(out):
    r = {"raw": out}
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    r["rps"] = float(m.group(1)) if m else 0.0
    m = re.search(r"(\d+) requests in ([\d.]+)(\w+)", out)
    r["requests"] = int(m.group(1)) if m else 0
    for pct in ("50", "75", "90", "99"):
        m = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M)
        r[f"p{pct}_ms"] = float(m.group(1)) * UNITS[m.group(2)] if m else None
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    r["non2xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    r["socket_errors"] = sum(int(x) for x in m.groups()) if m else 0
    return r


def wrk(url, threads, conns, secs, headers=(), script=None, script_args=()):
    cmd = ["wrk", f"-t{threads}", f"-c{conns}", f"-d{secs}s", "--latency", "--timeout", "10s"]
    for h in headers:
        cmd += ["-H", h]
    if script:
        cmd += ["-s", script]
    cmd.append(url)
    if script_args:
        cmd += ["--", *script_args]
    p = sh(cmd, timeout=secs + 60)
    return parse_wrk(p.stdout)


# ---------------------------------------------------------------- nginx

def start_nginx(workdir, body):
    """nginx on loopback, one worker per core, serving BODY as /passbook.json."""
    root = os.path.join(workdir, "nginx")
    www = os.path.join(root, "www")
    os.makedirs(www, exist_ok=True)
    for d in (workdir, root, www):
        os.chmod(d, 0o755)          # the workers run as nobody
    with open(os.path.join(www, "passbook.json"), "wb") as f:
        f.write(body)
    os.chmod(os.path.join(www, "passbook.json"), 0o644)
    port = free_port()
    conf = os.path.join(root, "nginx.conf")
    with open(conf, "w") as f:
        f.write(f"""# the reference server of bench/run.py
worker_processes {os.cpu_count()};
daemon off;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    types {{ application/json json; }}
    default_type application/octet-stream;
    access_log {root}/access.log;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    keepalive_timeout 30s;
    client_body_temp_path {root}/tmp-body;
    proxy_temp_path {root}/tmp-proxy;
    fastcgi_temp_path {root}/tmp-fastcgi;
    uwsgi_temp_path {root}/tmp-uwsgi;
    scgi_temp_path {root}/tmp-scgi;
    server {{
        listen 127.0.0.1:{port};
        root {www};
        location / {{ add_header Cache-Control no-store; }}
    }}
}}
""")
    proc = subprocess.Popen(["nginx", "-c", conf, "-p", root], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    t0 = time.time()
    while time.time() - t0 < 10:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/passbook.json")
            r = c.getresponse()
            got = r.read()
            c.close()
            if r.status == 200 and len(got) == len(body):
                return proc, port
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("nginx did not start: " + proc.stderr.read().decode()[-2000:])


def stop_nginx(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGQUIT)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# ---------------------------------------------------------------- profiles

def perf_works():
    if not shutil.which("perf"):
        return False
    p = sh(["perf", "record", "-q", "-e", "cpu-clock", "-o", "/dev/null", "--", "true"],
           check=False)
    return p.returncode == 0


def perf_profile(pid, secs, workdir, name):
    """A cpu-clock profile of PID for SECS; returns (by library, by function) as text."""
    data = os.path.join(workdir, f"{name}.perf.data")
    sh(["perf", "record", "-q", "-e", "cpu-clock", "-F", "999", "-p", str(pid), "-o", data,
        "--", "sleep", str(secs)], check=False)
    by_dso = sh(["perf", "report", "-i", data, "--stdio", "--no-children", "--sort", "dso",
                 "-g", "none", "--percent-limit", "1"], check=False).stdout
    by_sym = sh(["perf", "report", "-i", data, "--stdio", "--no-children", "--sort",
                 "dso,sym", "-g", "none", "--percent-limit", "0.7"], check=False).stdout
    clean = lambda t: "\n".join(l.rstrip() for l in t.splitlines()
                                if l.strip() and not l.startswith("#"))
    return clean(by_dso), clean(by_sym)


def perf_count_syncs(pid, secs):
    """Counts fsync + fdatasync + the server's write syscalls of PID for SECS seconds."""
    events = "syscalls:sys_enter_fsync,syscalls:sys_enter_fdatasync"
    p = sh(["perf", "stat", "-x", ",", "-e", events, "-p", str(pid), "--", "sleep", str(secs)],
           check=False)
    total = 0
    ok = False
    for line in p.stderr.splitlines():
        parts = line.split(",")
        if len(parts) > 2 and parts[2].startswith("syscalls:"):
            try:
                total += int(parts[0])
                ok = True
            except ValueError:
                pass
    return total if ok else None


# ---------------------------------------------------------------- the benchmarks

def bench_reads(args, srv, workdir, out):
    who = srv.login({"village_id": 1, "passbook_no": "1001", "pin": "270518"})
    hh = who["user"]["household_id"]
    path = f"/api/v1/households/{hh}/passbook"
    st, body = srv.request("GET", path, token=who["token"])
    if st != 200:
        raise RuntimeError(f"GET {path} answered {st}")
    out["reads"] = {"route": f"GET {path} (villager 1001, page 1)", "bytes": len(body)}
    auth = [f"Authorization: Bearer {who['token']}"]
    url = f"http://127.0.0.1:{srv.port}{path}"
    log(f"reads: {path}, {len(body)} bytes; warm-up")
    wrk(url, 2, 64, 2, auth)
    log(f"reads: jifen, wrk -t2 -c64 -d{args.duration}s")
    j = wrk(url, 2, 64, args.duration, auth)
    out["reads"]["jifen"] = j
    out["footprint"] = {"rss_start_kb": srv.rss_start_kb, "vmhwm_kb": srv.status("VmHWM"),
                        "threads": None}
    with open(f"/proc/{srv.pid}/status") as f:
        out["footprint"]["threads"] = int(re.search(r"Threads:\s+(\d+)", f.read()).group(1))
    ng, port = start_nginx(workdir, body)
    try:
        nurl = f"http://127.0.0.1:{port}/passbook.json"
        wrk(nurl, 2, 64, 2, auth)
        log(f"reads: nginx, wrk -t2 -c64 -d{args.duration}s")
        n = wrk(nurl, 2, 64, args.duration, auth)
    finally:
        stop_nginx(ng)
    out["reads"]["nginx"] = n
    out["reads"]["ratio"] = j["rps"] / n["rps"] if n["rps"] else 0.0
    log(f"reads: jifen {j['rps']:.0f} req/s (p99 {j['p99_ms']} ms), nginx {n['rps']:.0f} "
        f"req/s (p99 {n['p99_ms']} ms): {out['reads']['ratio']:.3f} x")
    if j["non2xx"] or j["socket_errors"]:
        raise RuntimeError(f"reads: {j['non2xx']} non-2xx, {j['socket_errors']} socket errors")
    return url, auth


def fsync_rate(probe, workdir, secs):
    p = sh([probe, workdir, str(secs), "200"], timeout=secs + 60)
    return float(p.stdout.split()[2])


def bench_writes(args, srv, db, probe, workdir, out):
    who = srv.login({"username": "scorer", "password": DEMO_PASSWORD})
    village = who["user"]["village_id"]
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    rule = con.execute(
        "SELECT id FROM rules WHERE village_id = ? AND status = 'active' AND points > 0"
        " AND min_points IS NULL AND cap_month IS NULL AND cap_year IS NULL"
        " AND evidence_required = 0 AND (',' || recorders || ',') LIKE '%,scorer,%'"
        " ORDER BY id LIMIT 1", (village,)).fetchone()[0]
    hids = [r[0] for r in con.execute(
        "SELECT id FROM households WHERE village_id = ? AND status = 'active' ORDER BY id",
        (village,))]
    con.close()
    # China time: a deed may not be in the future there
    today = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=8)).date()
    run_id = str(int(time.time()))
    url = f"http://127.0.0.1:{srv.port}"
    script = os.path.join(BENCH, "award.lua")

    def awards(conns, secs, tag, nokey=False):
        threads = min(2, conns)
        extra = ["nokey"] if nokey else []
        return wrk(url, threads, conns, secs, script=script, script_args=[
            who["token"], str(village), str(rule), today.isoformat(), f"{run_id}{tag}",
            ",".join(map(str, hids)), *extra])

    def measured(conns, tag, nokey=False):
        """One probe, then one award run with the server's syncs counted."""
        raw = fsync_rate(probe, workdir, args.probe_secs)
        syncs = {}
        t = None
        if args.count_syncs:
            # count the server's syncs over the middle of the run
            t = threading.Thread(target=lambda: syncs.setdefault(
                "n", perf_count_syncs(srv.pid, max(1, args.write_secs - 2))))
            t.start()
        a = awards(conns, args.write_secs, tag, nokey)
        if t:
            t.join()
        rnd = {"raw_fsync_per_s": raw, "awards": a, "ratio": a["rps"] / raw if raw else 0.0}
        if syncs.get("n") is not None and a["rps"]:
            rnd["syncs_per_award"] = syncs["n"] / (a["rps"] * max(1, args.write_secs - 2))
        if a["non2xx"] or a["socket_errors"]:
            raise RuntimeError(f"writes ({tag}): {a['non2xx']} non-2xx, "
                               f"{a['socket_errors']} socket errors")
        log(f"writes {tag}: raw fdatasync {raw:.0f}/s, awards ({conns} connection"
            f"{'s' if conns > 1 else ''}{', no key' if nokey else ''}) {a['rps']:.0f}/s "
            f"(p99 {a['p99_ms']} ms): {rnd['ratio']:.2f} x"
            + (f", {rnd['syncs_per_award']:.2f} syncs/award" if "syncs_per_award" in rnd else ""))
        return rnd

    w = {"route": f"POST /api/v1/villages/{village}/entries (rule {rule}, one household "
                  f"of {len(hids)} each, Idempotency-Key each)",
         "rounds": []}
    log("writes: warm-up")
    warm = awards(8, 2, "w")
    for i in range(args.rounds):
        w["rounds"].append(measured(64, f"r{i}"))
    w["one"] = measured(1, "one")
    w["one_nokey"] = measured(1, "nokey", nokey=True)
    w["many_nokey"] = measured(64, "manynokey", nokey=True)
    one = w["one"]["awards"]
    w["ratio"] = statistics.median(r["ratio"] for r in w["rounds"])
    w["awards_per_s"] = statistics.median(r["awards"]["rps"] for r in w["rounds"])
    w["raw_fsync_per_s"] = statistics.median(r["raw_fsync_per_s"] for r in w["rounds"])
    w["p99_ms"] = max(r["awards"]["p99_ms"] or 0 for r in w["rounds"])
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    w["recorded"] = con.execute("SELECT count(*) FROM entries WHERE note LIKE ?",
                                (f"基准测试 bench {run_id}%",)).fetchone()[0]
    con.close()
    w["acknowledged"] = (warm["requests"] + sum(r["awards"]["requests"] for r in w["rounds"])
                         + one["requests"] + w["one_nokey"]["awards"]["requests"]
                         + w["many_nokey"]["awards"]["requests"])
    out["writes"] = w


def bench_cold_start(args, jifen, db, workdir, out):
    times = []
    for _ in range(args.cold_runs):
        s = Server(jifen, db, workdir)
        times.append(s.ready_s * 1000)
        s.stop()
    out["cold_start"] = {"runs": len(times), "median_ms": statistics.median(times),
                         "min_ms": min(times), "max_ms": max(times)}
    log(f"cold start: median {statistics.median(times):.1f} ms over {len(times)} runs "
        f"(min {min(times):.1f}, max {max(times):.1f})")


def callgrind_reads(jifen, db, workdir, n=300):
    """Fallback profile: the read route under callgrind, N requests, top functions."""
    port = free_port()
    outf = os.path.join(workdir, "callgrind.out")
    log_ = open(os.path.join(workdir, "callgrind-serve.log"), "w")
    proc = subprocess.Popen(["valgrind", "--tool=callgrind", f"--callgrind-out-file={outf}",
                             jifen, "serve", "--db", db, "--listen", f"127.0.0.1:{port}"],
                            cwd=SRC, stdout=log_, stderr=subprocess.STDOUT)
    try:
        wait_health(port, proc, time.perf_counter(), limit_s=120)
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        c.request("POST", "/api/v1/session", body=json.dumps(
            {"village_id": 1, "passbook_no": "1001", "pin": "270518"}).encode())
        r = c.getresponse()
        who = json.loads(r.read())
        for _ in range(n):
            c.request("GET", f"/api/v1/households/{who['user']['household_id']}/passbook",
                      headers={"Authorization": f"Bearer {who['token']}"})
            c.getresponse().read()
        c.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=120)
        log_.close()
    p = sh(["callgrind_annotate", "--inclusive=no", outf], check=False)
    lines = [l for l in p.stdout.splitlines() if re.match(r"^\s*[\d,]+ \(", l)]
    return "\n".join(lines[:30])


# ---------------------------------------------------------------- the report

def goal(ok, text):
    return ("met" if ok else "**missed**") + (f" ({text})" if text else "")


def fmt_ms(v):
    return "?" if v is None else (f"{v:.2f}" if v < 10 else f"{v:.1f}")


def write_report(path, out, args):
    m = out["machine"]
    L = []
    L.append("# Performance\n")
    L.append("Written by `bash bench/run.sh` (or `python3 bench/run.py`); every figure below "
             "is from one run on the machine it names, each benchmark against a reference "
             "measured in the same run. Do not edit by hand: rerun.\n")
    L.append("## The machine and the run\n")
    L.append("| | |\n|---|---|")
    L.append(f"| date | {m['date']} |")
    L.append(f"| commit | `{m['commit']}` |")
    L.append(f"| CPU | {m['cpu']}, {m['nproc']} cores (`nproc`) |")
    L.append(f"| memory | {m['memory_gib']} GiB |")
    L.append(f"| disk | {m['disk']}; the benchmark folder is on `{m['filesystem']}` |")
    L.append(f"| kernel | {m['kernel']} |")
    L.append(f"| load average before the run | {m['load_before']} |")
    L.append(f"| binary | `{out['binary']}` (release build) |")
    L.append(f"| tools | {'; '.join(m['tools'])} |")
    L.append("")
    L.append("The load generator (wrk) runs on the same 2 cores as the server it measures, "
             "for jifen and nginx alike. The machine may be shared (other work on the same "
             "cores and disk), which shows as spread between runs, above all in the disk's "
             "fsync rate; the write benchmark therefore alternates probe and awards in rounds "
             "and compares each round with its own probe.\n")

    L.append("## Summary\n")
    L.append("| benchmark | jifen | reference | ratio | goal | result |")
    L.append("|---|---|---|---|---|---|")
    r = out.get("reads")
    if r:
        j, n = r["jifen"], r["nginx"]
        miss = "" if r["ratio"] >= GOALS["read_ratio"] else \
            f"{r['ratio'] / GOALS['read_ratio']:.2f} of the goal"
        L.append(f"| reads: passbook GET, req/s | {j['rps']:.0f} | nginx, same bytes: "
                 f"{n['rps']:.0f} | {r['ratio']:.3f} × | ≥ 0.6 × | "
                 f"{goal(not miss, miss)} |")
        p99 = j["p99_ms"] or 0
        miss = "" if p99 <= GOALS["read_p99_ms"] else \
            f"{p99 / GOALS['read_p99_ms']:.1f} × the limit"
        L.append(f"| reads: p99 latency | {fmt_ms(p99)} ms | nginx: {fmt_ms(n['p99_ms'])} ms | "
                 f"| ≤ 10 ms | {goal(not miss, miss)} |")
    w = out.get("writes")
    if w:
        miss = "" if w["ratio"] >= GOALS["write_ratio"] else \
            f"{w['ratio'] / GOALS['write_ratio']:.2f} of the goal"
        L.append(f"| durable writes: awards/s, 64 connections (median of {len(w['rounds'])} "
                 f"rounds) | {w['awards_per_s']:.0f} | raw write+fdatasync: "
                 f"{w['raw_fsync_per_s']:.0f}/s | {w['ratio']:.2f} × | ≥ 2 × | "
                 f"{goal(not miss, miss)} |")
        o = w["one"]
        L.append(f"| durable writes: awards/s, 1 connection | {o['awards']['rps']:.0f} | "
                 f"raw: {o['raw_fsync_per_s']:.0f}/s | {o['ratio']:.2f} × | (for comparison) | |")
    f = out.get("footprint")
    if f:
        mb = f["vmhwm_kb"] / 1024
        L.append(f"| footprint: peak RSS (VmHWM) under the read benchmark | {mb:.1f} MB | | | "
                 f"≤ 48 MB | {goal(mb <= GOALS['rss_mb'], '')} |")
    c = out.get("cold_start")
    if c:
        L.append(f"| cold start to first answered request, median of {c['runs']} | "
                 f"{c['median_ms']:.1f} ms | | | ≤ 100 ms | "
                 f"{goal(c['median_ms'] <= GOALS['cold_start_ms'], '')} |")
    L.append("")

    if r:
        L.append("## Reads\n")
        L.append(f"`{r['route']}`, {r['bytes']} bytes of JSON, with the villager's bearer "
                 f"token; `wrk -t2 -c64 -d{args.duration}s --latency` after a 2 s warm-up. "
                 f"The reference is nginx {m['tools'][1].split('/')[-1] if '/' in m['tools'][1] else ''} "
                 f"on loopback ({m['nproc']} workers, sendfile, access log on, keep-alive) "
                 "serving the same bytes from a file.\n")
        L.append("| server | req/s | p50 | p75 | p90 | p99 | requests | non-2xx |")
        L.append("|---|---|---|---|---|---|---|---|")
        for name, x in (("jifen", j), ("nginx", n)):
            L.append(f"| {name} | {x['rps']:.0f} | {fmt_ms(x['p50_ms'])} ms | "
                     f"{fmt_ms(x['p75_ms'])} ms | {fmt_ms(x['p90_ms'])} ms | "
                     f"{fmt_ms(x['p99_ms'])} ms | {x['requests']} | {x['non2xx']} |")
        L.append("")
    if w:
        L.append("## Durable writes\n")
        L.append(f"`{w['route']}` as the demo's scorer, through `wrk` with `bench/award.lua` "
                 f"({args.write_secs} s per round). Every award is a transaction with "
                 "`synchronous=FULL` and the village's hash chain; a response means the award is "
                 "on disk. The reference is `bench/fsync_probe.c`: append 200 bytes and "
                 f"`fdatasync`, in a loop for {args.probe_secs} s, in the database's folder, run "
                 "just before each round.\n")
        L.append("| round | raw fdatasync/s | awards/s | ratio | p50 | p99 | fsyncs per award |")
        L.append("|---|---|---|---|---|---|---|")
        for i, x in enumerate(w["rounds"]):
            a = x["awards"]
            spa = f"{x['syncs_per_award']:.2f}" if "syncs_per_award" in x else "?"
            L.append(f"| 64 connections, {i + 1} | {x['raw_fsync_per_s']:.0f} | {a['rps']:.0f} | "
                     f"{x['ratio']:.2f} × | {fmt_ms(a['p50_ms'])} ms | {fmt_ms(a['p99_ms'])} ms | {spa} |")
        for label, key in (("1 connection", "one"),
                           ("1 connection, no Idempotency-Key", "one_nokey"),
                           ("64 connections, no Idempotency-Key", "many_nokey")):
            x = w[key]
            a = x["awards"]
            spa = f"{x['syncs_per_award']:.2f}" if "syncs_per_award" in x else "?"
            L.append(f"| {label} | {x['raw_fsync_per_s']:.0f} | {a['rps']:.0f} | "
                     f"{x['ratio']:.2f} × | {fmt_ms(a['p50_ms'])} ms | {fmt_ms(a['p99_ms'])} ms "
                     f"| {spa} |")
        L.append("")
        L.append(f"Responses: 0 errors; {w['acknowledged']} awards acknowledged to wrk, "
                 f"{w['recorded']} in the ledger afterwards (wrk stops counting at the deadline "
                 f"while requests in flight still finish, so the ledger may hold a few more). "
                 f"`jifen verify` afterwards: {out.get('verify', '?')}.\n")
    if f or c:
        L.append("## Footprint\n")
        if f:
            L.append(f"- Peak RSS (`VmHWM` in `/proc/PID/status`) of `jifen serve` after the "
                     f"read benchmark: **{f['vmhwm_kb'] / 1024:.1f} MB** (RSS after start: "
                     f"{f['rss_start_kb'] / 1024:.1f} MB; {f['threads']} threads).")
        if c:
            L.append(f"- Cold start: from `exec` of `jifen serve` on the demo database to the "
                     f"first `200` of `GET /api/v1/health` (polled every 0.5 ms), "
                     f"{c['runs']} runs: median **{c['median_ms']:.1f} ms**, min "
                     f"{c['min_ms']:.1f} ms, max {c['max_ms']:.1f} ms (page cache warm).")
        L.append("")
    scale = os.path.join(BENCH, "out", "scale.md")
    L.append("## Scale\n")
    if os.path.exists(scale):
        L.append(f"From `bench/out/scale.md` (written by `bench/scale_run.py`, "
                 f"{out.get('scale', 'included as found')}):\n")
        with open(scale) as fh:
            body = fh.read().strip()
        # demote its headings below this one
        L.append(re.sub(r"^(#+) ", lambda mm: "#" * (len(mm.group(1)) + 2) + " ", body,
                        flags=re.M))
    else:
        L.append("Not run: `bench/scale_run.py` (the province-size generator and its queries) "
                 "is not in this checkout, or was skipped.")
    L.append("")
    L.append("The area views on a synthetic county have their own benchmark, "
             "`python3 bench/area_compare.py` (not run by this script: it builds a "
             "4,000-village database first).\n")
    prof = out.get("profiles") or {}
    if prof or out.get("analysis"):
        L.append("## Where the time goes\n")
        for para in out.get("analysis", []):
            L.append(para + "\n")
        for name, (tool, by_dso, by_sym) in prof.items():
            L.append(f"### {name} ({tool})\n")
            if by_dso:
                L.append("By library:\n\n```\n" + by_dso + "\n```\n")
            if by_sym:
                L.append("By function (self time):\n\n```\n" + by_sym + "\n```\n")
    with open(path, "w") as fh:
        fh.write("\n".join(L).rstrip() + "\n")


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jifen", default=os.environ.get("JIFEN_BIN", os.path.join(SRC, "build/jifen")))
    ap.add_argument("--out", default=os.path.join(SRC, "docs/performance.md"))
    ap.add_argument("--duration", type=int, default=10, help="seconds of each read run")
    ap.add_argument("--rounds", type=int, default=3, help="rounds of probe + awards")
    ap.add_argument("--write-secs", type=int, default=10, help="seconds of each award run")
    ap.add_argument("--probe-secs", type=int, default=5, help="seconds of each fsync probe")
    ap.add_argument("--cold-runs", type=int, default=20)
    ap.add_argument("--quick", action="store_true", help="short runs, to try the script")
    ap.add_argument("--no-scale", action="store_true", help="skip bench/scale_run.py")
    ap.add_argument("--no-profile", action="store_true")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    ap.add_argument("--report-only", action="store_true",
                    help="rewrite the report from bench/out/results.json (after editing "
                         "bench/findings.md), measuring nothing")
    args = ap.parse_args()
    results = os.path.join(BENCH, "out", "results.json")
    if args.report_only:
        with open(results) as fh:
            out = json.load(fh)
        for k, v in out.get("args", {}).items():
            setattr(args, k, v)
        out["analysis"] = analysis(out)
        write_report(args.out, out, args)
        log(f"rewrote {os.path.relpath(args.out, SRC)} from bench/out/results.json")
        return
    if args.quick:
        args.duration, args.rounds, args.write_secs, args.probe_secs, args.cold_runs = 3, 1, 3, 2, 5
    args.count_syncs = False
    jifen = os.path.abspath(args.jifen)
    if not os.access(jifen, os.X_OK):
        sys.exit(f"bench: no jifen binary at {jifen} (build it, or pass --jifen)")
    for tool in ("wrk", "nginx", "cc"):
        if not shutil.which(tool):
            sys.exit(f"bench: {tool} is missing; run bash bench/deps.sh")

    base = os.environ.get("BENCH_TMP", "/var/tmp")
    workdir = tempfile.mkdtemp(prefix="jifen-bench-", dir=base)
    out = {"binary": os.path.relpath(jifen, SRC) if jifen.startswith(SRC) else jifen}
    out["machine"] = machine_info(workdir)
    log(f"{out['machine']['cpu']}, {out['machine']['nproc']} cores; work in {workdir}")
    srv = None
    try:
        probe = os.path.join(workdir, "fsync_probe")
        sh(["cc", "-std=c17", "-O2", "-o", probe, os.path.join(BENCH, "fsync_probe.c")])
        db = os.path.join(workdir, "demo.db")
        log("making the demo database")
        sh([jifen, "demo", "--db", db], cwd=SRC)
        args.count_syncs = perf_works()
        use_perf = not args.no_profile and args.count_syncs

        srv = Server(jifen, db, workdir)
        srv.rss_start_kb = srv.status("VmRSS")
        url, auth = bench_reads(args, srv, workdir, out)
        rd = out["reads"]
        read_missed = (rd["ratio"] < GOALS["read_ratio"] or
                       (rd["jifen"]["p99_ms"] or 0) > GOALS["read_p99_ms"])
        if read_missed and not args.no_profile:
            if use_perf:
                log("reads: profiling the server under the read load (perf)")
                t = threading.Thread(target=lambda: wrk(url, 2, 64, args.duration, auth))
                t.start()
                time.sleep(1)
                prof = perf_profile(srv.pid, max(2, args.duration - 2), workdir, "reads")
                t.join()
                out.setdefault("profiles", {})["Reads: jifen serve under wrk"] = \
                    ("perf record -e cpu-clock", *prof)
            else:
                log("reads: perf does not work here; profiling with callgrind")
                out.setdefault("profiles", {})["Reads: 300 passbook GETs"] = \
                    ("valgrind --tool=callgrind", "", callgrind_reads(jifen, db, workdir))

        bench_writes(args, srv, db, probe, workdir, out)
        srv.stop()
        srv = None
        p = sh([jifen, "verify", "--db", db], check=False, cwd=SRC)
        out["verify"] = "passed" if p.returncode == 0 else f"FAILED ({p.stdout[-300:]})"
        log(f"verify: {out['verify']}")

        bench_cold_start(args, jifen, db, workdir, out)

        scale_py = os.path.join(BENCH, "scale_run.py")
        if os.path.exists(scale_py) and not args.no_scale:
            log("scale: running bench/scale_run.py")
            env = dict(os.environ, JIFEN_BIN=jifen, JIFEN_SRC=SRC)
            p = subprocess.run([sys.executable, scale_py], cwd=SRC, env=env)
            out["scale"] = "run now" if p.returncode == 0 else f"exited {p.returncode}"
        elif os.path.exists(os.path.join(BENCH, "out", "scale.md")):
            out["scale"] = "from an earlier run"
    finally:
        if srv:
            srv.stop()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    out["analysis"] = analysis(out)
    out["args"] = {k: getattr(args, k) for k in ("duration", "write_secs", "probe_secs", "rounds")}
    os.makedirs(os.path.join(BENCH, "out"), exist_ok=True)
    with open(results, "w") as fh:
        slim = json.loads(json.dumps(out, default=str))
        for sect in (slim.get("reads", {}), ):
            for k in ("jifen", "nginx"):
                sect.get(k, {}).pop("raw", None)
        for rnd in slim.get("writes", {}).get("rounds", []):
            rnd["awards"].pop("raw", None)
        for k in ("one", "one_nokey", "many_nokey"):
            slim.get("writes", {}).get(k, {}).get("awards", {}).pop("raw", None)
        json.dump(slim, fh, ensure_ascii=False, indent=1)
    write_report(args.out, out, args)
    log(f"wrote {os.path.relpath(args.out, SRC)} and bench/out/results.json")


def analysis(out):
    """The figures-driven part of 'Where the time goes': what missed, by how much."""
    P = []
    r, w = out.get("reads"), out.get("writes")
    if r and r["ratio"] < GOALS["read_ratio"]:
        need = GOALS["read_ratio"] * r["nginx"]["rps"]
        P.append(f"**Reads missed:** {r['jifen']['rps']:.0f} req/s is {r['ratio']:.3f} × "
                 f"nginx; the goal needs {need:.0f} req/s, {need / r['jifen']['rps']:.1f} × "
                 f"this run's rate, i.e. at most {1e6 / need * 2:.0f} µs of the two cores per "
                 f"request (wrk included) against {1e6 / r['jifen']['rps'] * 2:.0f} µs now.")
    if r and (r["jifen"]["p99_ms"] or 0) > GOALS["read_p99_ms"]:
        P.append(f"**Read latency missed:** p99 {r['jifen']['p99_ms']:.1f} ms against "
                 f"{GOALS['read_p99_ms']:.0f} ms. With 64 connections and a closed loop, "
                 f"latency ≈ 64 / throughput ({64e3 / r['jifen']['rps']:.1f} ms mean), so it "
                 "follows the throughput: the same fixes apply.")
    if w and w["ratio"] < GOALS["write_ratio"]:
        spa = [x["syncs_per_award"] for x in w["rounds"] if "syncs_per_award" in x]
        s = ""
        if spa:
            m = statistics.median(spa)
            s = f" The server made {m:.2f} fsync/fdatasync calls per award (perf tracepoints)" + \
                (f": about {1 / m:.1f} awards share a sync." if m < 1 else
                 ": commits are not shared enough to beat the disk.")
        P.append(f"**Durable writes missed:** {w['awards_per_s']:.0f} awards/s from 64 "
                 f"connections is {w['ratio']:.2f} × the raw fdatasync rate "
                 f"({w['raw_fsync_per_s']:.0f}/s), {w['ratio'] / GOALS['write_ratio']:.2f} of "
                 f"the goal; 1 connection gives {w['one']['awards']['rps']:.0f}/s "
                 f"({w['one']['ratio']:.2f} ×).{s} An award that pays for its own WAL sync "
                 "cannot exceed ~1 × raw; 2 × needs at least two awards per sync.")
    f, c = out.get("footprint"), out.get("cold_start")
    if f and f["vmhwm_kb"] / 1024 > GOALS["rss_mb"]:
        P.append(f"**Peak RSS missed:** {f['vmhwm_kb'] / 1024:.1f} MB against 48 MB.")
    if c and c["median_ms"] > GOALS["cold_start_ms"]:
        P.append(f"**Cold start missed:** {c['median_ms']:.1f} ms against 100 ms.")
    notes = os.path.join(BENCH, "findings.md")
    if os.path.exists(notes):
        with open(notes) as fh:
            P.append(fh.read().strip())
    return P


if __name__ == "__main__":
    main()
