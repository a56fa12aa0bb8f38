"""Crash test (issue 6 family 1, invariants 3 and 4): a driver sends 10,000 awards,
each with its own Idempotency-Key, from 8 client threads, while the server is
killed with SIGKILL 10 times at seeded random moments and restarted on the same
database. A request whose connection fails is sent again, with the same key and
body, once the server is back; a request that finds its key still held by a
request the kill cut short (409 request_in_progress) is put back and tried again
later, until every award has its 201.

Afterwards: every award whose 201 arrived is in the ledger exactly once (by the
entry id of its response, by its batch, and by its note, which is its key);
every key is completed and names that batch; no award was posted twice;
`jifen verify` passes and `PRAGMA integrity_check` says ok. The figures (awards
sent, acknowledged, retried, kills, entries found) and the seed are printed.

The release binary is used when JIFEN_RELEASE_BIN names one (fast, as deployed);
otherwise JIFEN_BIN, the sanitized test build. CRASH_SEED, CRASH_AWARDS,
CRASH_THREADS and CRASH_KILLS override the defaults (for a longer run by hand).
"""
import http.client
import json
import os
import random
import subprocess
import threading
import time

import harness
from harness import SRC, Server, check_sanitizers, eq, run
from ledger_fixtures import day, households, make_rule

AWARDS = int(os.environ.get("CRASH_AWARDS", "10000"))
THREADS = int(os.environ.get("CRASH_THREADS", "8"))
KILLS = int(os.environ.get("CRASH_KILLS", "10"))
STALE_RETRY_S = 3.0  # how long a key held by a killed request waits before it is tried again

release = os.environ.get("JIFEN_RELEASE_BIN", "")
if release and os.path.isfile(release) and os.access(release, os.X_OK):
    harness.JIFEN = release
BIN = harness.JIFEN


class Driver:
    """Sends the awards and kills the server; keeps the figures."""

    def __init__(self, server, clients, village_id, rule_id, household_ids, seed):
        self.s = server
        self.clients = clients
        self.path = f"/api/v1/villages/{village_id}/entries"
        self.rule_id = rule_id
        self.households = household_ids
        self.date = day()
        self.seed = seed
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.up = threading.Event()
        self.up.set()
        self.next_new = 0
        self.deferred = []          # (not_before, award index)
        self.in_flight = 0
        self.acks = {}              # award index -> response JSON of its 201
        self.first_try = 0          # awards acknowledged by their first request
        self.replayed = 0           # 201s marked Idempotent-Replayed
        self.conn_failures = 0      # requests whose connection failed (sent again)
        self.retried = set()        # awards sent more than once
        self.in_progress = 0        # 409 request_in_progress answers (key held by a killed request)
        self.unexpected = []        # any other answer
        self.kills = 0
        self.kill_marks = []
        self.acked_count = 0
        self.done = False           # set when the run ends or must stop
        self.errors = []            # exceptions in the driver's own threads

    def key(self, i):
        return f"crash-{self.seed}-{i}"

    def body(self, i):
        return {"rule_id": self.rule_id, "household_ids": [self.households[i % len(self.households)]],
                "deed_date": self.date, "note": self.key(i)}

    def take(self):
        """The next award to send: a deferred one that is due, else a new one; None when all
        are acknowledged; -1 to wait a little."""
        with self.lock:
            if self.done:
                return None
            now = time.monotonic()
            for k, (due, i) in enumerate(self.deferred):
                if due <= now:
                    del self.deferred[k]
                    self.in_flight += 1
                    return i
            if self.next_new < AWARDS:
                i = self.next_new
                self.next_new += 1
                self.in_flight += 1
                return i
            if self.deferred or self.in_flight:
                return -1
            return None

    def send(self, client, i):
        """Sends award i until it gets an answer; returns the Response."""
        tries = 0
        while True:
            self.up.wait()
            if self.done:
                raise RuntimeError("the run was stopped")
            tries += 1
            if tries > 1:
                with self.lock:
                    self.retried.add(i)
            try:
                data = json.dumps(self.body(i), ensure_ascii=False).encode()
                conn = http.client.HTTPConnection("127.0.0.1", self.s.port, timeout=60)
                try:
                    conn.request("POST", self.path, body=data,
                                 headers={"Content-Type": "application/json",
                                          "Authorization": "Bearer " + client.token,
                                          "Idempotency-Key": self.key(i)})
                    r = conn.getresponse()
                    return harness.Response(r.status, r.getheaders(), r.read()), tries
                finally:
                    conn.close()
            except (OSError, http.client.HTTPException):
                with self.lock:
                    self.conn_failures += 1
                time.sleep(0.02)

    def worker(self, t):
        try:
            self.work()
        except Exception as e:  # noqa: BLE001 - reported by run()
            self.stop(e)

    def stop(self, error):
        with self.lock:
            self.errors.append(error)
            self.done = True
        self.up.set()

    def work(self):
        while True:
            i = self.take()
            if i is None:
                return
            if i < 0:
                time.sleep(0.1)
                continue
            # a key belongs to its user: award i is always sent by the same one
            r, tries = self.send(self.clients[i % len(self.clients)], i)
            with self.lock:
                self.in_flight -= 1
                if r.status == 201:
                    self.acks[i] = r.json
                    self.acked_count += 1
                    if tries == 1 and i not in self.retried:
                        self.first_try += 1
                    if r.header("Idempotent-Replayed") == "true":
                        self.replayed += 1
                elif r.status == 409 and r.error_code == "request_in_progress":
                    self.in_progress += 1
                    self.retried.add(i)
                    self.deferred.append((time.monotonic() + STALE_RETRY_S, i))
                else:
                    self.unexpected.append((i, r))
                    if len(self.unexpected) > 20:
                        self.done = True

    def killer(self):
        try:
            self.kill_and_restart()
        except Exception as e:  # noqa: BLE001 - reported by run()
            self.stop(e)

    def kill_and_restart(self):
        """Kills the server at KILLS seeded moments: when a seeded number of awards has
        been acknowledged, after a seeded delay of up to 40 ms; restarts it after up to
        300 ms of being down."""
        marks = sorted(self.rng.sample(range(AWARDS // 20, AWARDS * 9 // 10), KILLS))
        self.kill_marks = marks
        delays = [(self.rng.uniform(0, 0.04), self.rng.uniform(0, 0.3)) for _ in marks]
        for mark, (before, down) in zip(marks, delays):
            while self.acked_count < mark and not self.done:
                time.sleep(0.002)
            if self.done:
                return
            time.sleep(before)
            self.up.clear()
            self.s.proc.kill()
            self.s.proc.wait()
            self.s.log.close()
            self.s.proc = None
            self.kills += 1
            time.sleep(down)
            self.s.start()
            self.up.set()

    def run(self):
        threads = [threading.Thread(target=self.worker, args=(t,)) for t in range(THREADS)]
        k = threading.Thread(target=self.killer)
        for t in threads + [k]:
            t.start()
        for t in threads:
            t.join()
        self.done = True
        k.join()
        if self.errors:
            raise self.errors[0]


def integrity(db):
    import sqlite3
    con = sqlite3.connect(db, timeout=30)
    try:
        return con.execute("PRAGMA integrity_check").fetchall()
    finally:
        con.close()


def test_ten_thousand_awards_through_ten_kills():
    seed = int(os.environ.get("CRASH_SEED", str(random.randrange(1, 10**9))))
    print(f"crash test: seed {seed} (CRASH_SEED={seed} to repeat), {AWARDS} awards, "
          f"{THREADS} threads, {KILLS} kills, binary {BIN}", flush=True)
    t0 = time.time()
    s = Server()
    try:
        admin = s.login("admin")
        clients = [s.login("scorer"), admin]
        rule = make_rule(admin, s.village_id, category="志愿服务", name="清扫村道（压力测试）", points=1)
        hh = [h["id"] for h in households(admin, s.village_id) if h.get("status", "active") == "active"]
        assert len(hh) >= 100, f"the demo village has households: {len(hh)}"
        n0 = s.sql("SELECT count(*) FROM entries")[0][0]
        d = Driver(s, clients, s.village_id, rule["id"], hh, seed)
        d.run()
        elapsed = time.time() - t0
        # the figures first, so a failure below still shows them
        rows = s.sql("SELECT note, id, batch_id, household_id, points FROM entries"
                     " WHERE note LIKE ?", f"crash-{seed}-%")
        by_key = {}
        for note, eid, batch, hid, pts in rows:
            by_key.setdefault(note, []).append((eid, batch, hid, pts))
        print(f"crash test: awards sent {AWARDS}, acknowledged {len(d.acks)} "
              f"({d.first_try} on the first request, {d.replayed} replayed), "
              f"retried {len(d.retried)} (connection failures {d.conn_failures}, "
              f"409 in progress {d.in_progress}), kills {d.kills} (after {d.kill_marks} acknowledgements), "
              f"entries found {len(rows)} "
              f"for {len(by_key)} keys, {elapsed:.1f}s", flush=True)
        eq(d.unexpected[:5], [], "no answer other than 201 or 409 request_in_progress")
        eq(d.kills, KILLS, "kills")
        eq(len(d.acks), AWARDS, "every award acknowledged in the end")
        # every acknowledged award is there exactly once, as its response says
        bad = []
        for i, j in d.acks.items():
            key = d.key(i)
            got = by_key.get(key, [])
            want = [(e["id"], j["batch_id"], e["household_id"], e["points"]) for e in j["entries"]]
            if sorted(got) != sorted(want) or len(got) != 1:
                bad.append((key, got, want))
        eq(bad[:5], [], f"awards not exactly once as acknowledged ({len(bad)})")
        eq(len(rows), AWARDS, "one entry per award, none extra")
        eq(s.sql("SELECT count(*) FROM entries")[0][0], n0 + AWARDS, "no other entries")
        # every key is completed and names its batch, which holds one entry
        keys = s.sql("SELECT k.key, k.state, k.status, k.result_ref,"
                     " (SELECT count(*) FROM entries e WHERE 'batch:' || e.batch_id = k.result_ref)"
                     " FROM idempotency_keys k WHERE k.key LIKE ?", f"crash-{seed}-%")
        eq(len(keys), AWARDS, "one key row per award")
        wrong = [k for k in keys if k[1] != "done" or k[3] != f"batch:{d.acks[int(k[0].rsplit('-', 1)[1])]['batch_id']}"
                 or k[4] != 1]
        eq(wrong[:5], [], f"keys done, naming the acknowledged batch of one entry ({len(wrong)})")
        s.stop()  # SIGTERM; checks the log of every run for sanitizer reports
        p = subprocess.run([BIN, "verify", "--db", s.db], capture_output=True, text=True, cwd=SRC,
                           timeout=600)
        check_sanitizers(p.stderr, "jifen verify")
        eq(p.returncode, 0, f"jifen verify:\n{p.stdout}\n{p.stderr}")
        eq(integrity(s.db), [("ok",)], "PRAGMA integrity_check")
        print(f"crash test: jifen verify ok, integrity_check ok, {time.time() - t0:.1f}s in all",
              flush=True)
    finally:
        s.close()


run(globals())
