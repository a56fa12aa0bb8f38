"""Benchmark of the area views (GET /api/v1/areas/{id}/compare and
/api/v1/villages/{id}/groups/compare) on a synthetic county.

    python3 bench/area_compare.py --jifen build/jifen --db /tmp/bench.db \
        [--villages 4000] [--households 250] [--entries 25] [--reuse]

Builds (unless --reuse and the file exists) one county of VILLAGES villages in
townships of 20, 5 groups and HOUSEHOLDS households per village, 18 rules in 8
categories per village, ENTRIES entries per household over the 12 months before
today (1 % of them reversed) with their kept totals, one redemption per household and a notice with a few
objections per village and month. Rows are written straight into SQLite with the
schema of `jifen init`, the indexes built after the rows (as a restore would).
Then it serves the file with `jifen serve` and times each view through HTTP
(median of 5 after one warm-up): the whole county for a year, a quarter and a month,
one township for a year, one village's groups for a year.

Standard library only. Writes nothing but the database file.
"""
import argparse
import datetime
import http.client
import json
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import time

PASSWORD = "Bench-County-2024"
CATEGORIES = ["尊老爱幼", "移风易俗", "好人好事", "村务参与", "防火巡逻", "志愿服务", "环境卫生", "违规扣分"]


# the kept totals, as migration 3 backfills them
TOTALS_SQL = """
INSERT INTO totals(village_id, household_id, period, earned)
  WITH earned AS (
    SELECT e.village_id, e.household_id, e.deed_date, e.points FROM entries e
    LEFT JOIN entries o ON o.id = e.reverses_id
    WHERE e.kind IN ('award','deduction','adjustment')
       OR (e.kind = 'reversal' AND o.kind IN ('award','deduction','adjustment')))
  SELECT village_id, household_id, period, sum(points) FROM (
    SELECT village_id, household_id, points, substr(deed_date, 1, 4) AS period FROM earned
    UNION ALL SELECT village_id, household_id, points, substr(deed_date, 1, 7) FROM earned
    UNION ALL SELECT village_id, household_id, points, substr(deed_date, 1, 4) || '-Q' ||
      ((CAST(substr(deed_date, 6, 2) AS INTEGER) + 2) / 3) FROM earned)
  GROUP BY household_id, period"""


def sh(args, **kw):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw)


def build(db, jifen, villages, per_village, per_household):
    if os.path.exists(db):
        os.remove(db)
    out = sh([jifen, "init", "--db", db, "--county", "铁岭县"]).stdout
    county = int(re.search(r"area id (\d+)", out).group(1))
    sh([jifen, "user", "add", "--db", db, "--role", "area_admin", "--area", str(county),
        "--username", "bench", "--name", "县管理员"], input=PASSWORD + "\n" + PASSWORD + "\n")
    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA foreign_keys=OFF")
    con.execute("PRAGMA cache_size=-1000000")
    # the indexes of the big tables are built after their rows
    idx = con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
                      " AND tbl_name IN ('entries', 'households', 'redemptions', 'objections',"
                      " 'rules', 'villager_groups', 'totals')").fetchall()
    for name, _ in idx:
        con.execute(f"DROP INDEX {name}")
    now = int(time.time())
    today = datetime.date.today()
    start = (today.replace(day=1) - datetime.timedelta(days=335)).replace(day=1)
    households = villages * per_village
    t0 = time.time()
    con.execute("BEGIN")
    con.execute("INSERT INTO areas(id, parent_id, level, name, created_at)"
                " WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)"
                " SELECT 1000 + i, ?, 'township', '第' || i || '镇', ? FROM n",
                ((villages + 19) // 20, county, now))
    con.execute("INSERT INTO villages(id, area_id, name, created_at)"
                " WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)"
                " SELECT i, 1000 + (i - 1) / 20 + 1, '第' || i || '村', ? FROM n", (villages, now))
    con.execute("INSERT INTO villager_groups(id, village_id, name, sort)"
                " WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ? - 1)"
                " SELECT i + 1, i / 5 + 1, (i % 5 + 1) || '组', i % 5 + 1 FROM n", (villages * 5,))
    con.execute("INSERT INTO households(id, village_id, group_id, passbook_no, head_name, status,"
                " created_at, updated_at)"
                " WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?3 - 1)"
                " SELECT i + 1, i / ?1 + 1, (i / ?1) * 5 + i % 5 + 1, 1000 + i % ?1, '户主' || i,"
                " CASE WHEN i % 50 = 0 THEN 'moved_out' ELSE 'active' END, ?2, ?2 FROM n",
                (per_village, now, households))
    cats = ",".join(f"('{c}')" for c in CATEGORIES)
    con.execute("CREATE TEMP TABLE cat(ci INTEGER PRIMARY KEY, name TEXT)")
    con.execute(f"INSERT INTO cat(name) VALUES {cats}")
    con.execute("INSERT INTO rules(id, village_id, lineage_id, category, name, points, unit, used,"
                " created_at)"
                " WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ? - 1)"
                " SELECT i + 1, i / 18 + 1, i + 1, (SELECT name FROM cat WHERE cat.ci = i % 8 + 1),"
                " '细则' || (i % 18), CASE WHEN i % 8 = 7 THEN -2 ELSE 1 + i % 5 END, 'time', 1, ?"
                " FROM n", (villages * 18, now))
    con.execute("COMMIT")
    print(f"organisation: {time.time() - t0:.0f} s", flush=True)
    n_entries = households * per_household
    t0 = time.time()
    con.execute("BEGIN")
    h = "0" * 64
    con.execute(
        "INSERT INTO entries(id, village_id, seq, household_id, rule_id, rule_version, rule_lineage,"
        " kind, points, deed_date, month, bucket, recorded_by, created_at, prev_hash, hash)"
        " WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?1 - 1),"
        " e AS (SELECT i, i % ?2 + 1 AS hh, (i % ?2) / ?3 + 1 AS v,"
        "   ((i % ?2) / ?3) * 18 + (i / ?2 * 7 + i % ?2) % 18 + 1 AS rule,"
        "   date(?4, '+' || ((i * 7919) % 365) || ' days') AS d FROM n)"
        " SELECT i + 1, v, i + 1, hh, rule, 1, rule,"
        "  CASE WHEN (rule - 1) % 8 = 7 THEN 'deduction' ELSE 'award' END,"
        "  CASE WHEN (rule - 1) % 8 = 7 THEN -2 ELSE 1 + (rule - 1) % 5 END,"
        "  d, substr(d, 1, 7), 'pending', 1, ?5, ?6, ?6 FROM e",
        (n_entries, households, per_village, start.isoformat(), now, h))
    # 1 % reversed
    con.execute(
        "INSERT INTO entries(village_id, seq, household_id, rule_id, rule_version, rule_lineage,"
        " kind, points, deed_date, month, bucket, reverses_id, recorded_by, created_at, prev_hash,"
        " hash) SELECT village_id, ?1 + id, household_id, rule_id, 1, rule_lineage, 'reversal',"
        " -points, deed_date, month, 'pending', id, 1, created_at, prev_hash, hash FROM entries"
        " WHERE id % 100 = 7", (n_entries,))
    con.execute("COMMIT")
    print(f"entries: {time.time() - t0:.0f} s", flush=True)
    t0 = time.time()
    con.execute("BEGIN")
    con.execute(TOTALS_SQL)
    con.execute("COMMIT")
    print(f"totals: {time.time() - t0:.0f} s", flush=True)
    t0 = time.time()
    con.execute("BEGIN")
    con.execute("INSERT INTO redemptions(village_id, household_id, receipt_no, total_points,"
                " entry_id, status, created_by, created_at)"
                " SELECT village_id, id, 'R' || id, 10 + id % 30, 1,"
                " CASE WHEN id % 40 = 0 THEN 'cancelled' ELSE 'done' END, 1,"
                " ?1 - (id * 7919) % (365 * 86400) FROM households", (now,))
    con.execute("INSERT INTO notices(village_id, month, status, published_at, closes_at, chain_seq,"
                " chain_hash, entry_count, total_points)"
                " SELECT v.id, m.month, 'confirmed', ?1, ?1, 1, ?2, 1, 1 FROM villages v"
                " JOIN (SELECT DISTINCT month FROM entries WHERE village_id = 1) m", (now, h))
    con.execute("INSERT INTO objections(village_id, notice_id, entry_id, household_id, reason,"
                " status, created_by, created_at)"
                " SELECT village_id, id, 1, (village_id - 1) * ?1 + 1 + id % ?1, '异议',"
                " CASE WHEN id % 3 = 0 THEN 'upheld' ELSE 'dismissed' END, 1, ?2"
                " FROM notices WHERE id % 4 = 0", (per_village, now))
    con.execute("COMMIT")
    print(f"redemptions, notices, objections: {time.time() - t0:.0f} s", flush=True)
    t0 = time.time()
    for name, sql in idx:
        con.execute(sql)
    con.execute("ANALYZE")
    con.close()
    print(f"indexes: {time.time() - t0:.0f} s", flush=True)
    return county


def serve(jifen, db, port):
    p = subprocess.Popen([jifen, "serve", "--db", db, "--listen", f"127.0.0.1:{port}"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            if get(port, "/api/v1/health")[0] == 200:
                return p
        except OSError:
            time.sleep(0.1)
    p.kill()
    raise SystemExit("jifen serve did not start")


def get(port, path, token=None, body=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    h = {"Authorization": "Bearer " + token} if token else {}
    if body is not None:
        h["Content-Type"] = "application/json"
    c.request("POST" if body is not None else "GET", path,
              body=json.dumps(body) if body is not None else None, headers=h)
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, data


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--jifen", required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--villages", type=int, default=4000)
    ap.add_argument("--households", type=int, default=250)
    ap.add_argument("--entries", type=int, default=25)
    ap.add_argument("--reuse", action="store_true")
    ap.add_argument("--port", type=int, default=18090)
    a = ap.parse_args()
    if not (a.reuse and os.path.exists(a.db)):
        build(a.db, a.jifen, a.villages, a.households, a.entries)
    con = sqlite3.connect(a.db)
    county = con.execute("SELECT id FROM areas WHERE level = 'county'").fetchone()[0]
    town = con.execute("SELECT min(id) FROM areas WHERE level = 'township'").fetchone()[0]
    n_v, n_h, n_e = (con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                     for t in ("villages", "households", "entries"))
    con.close()
    print(f"{n_v} villages, {n_h} households, {n_e} entries", flush=True)
    p = serve(a.jifen, a.db, a.port)
    try:
        st, body = get(a.port, "/api/v1/session", body={"username": "bench", "password": PASSWORD})
        token = json.loads(body)["token"]
        today = datetime.date.today()
        year, q, month = today.year, (today.month - 1) // 3 + 1, today.strftime("%Y-%m")
        cases = [
            ("county, year", f"/api/v1/areas/{county}/compare?period={year}"),
            ("county, 12 months", f"/api/v1/areas/{county}/compare?from="
                                  f"{(today.replace(day=1) - datetime.timedelta(days=335)).strftime('%Y-%m')}"
                                  f"&to={month}"),
            ("county, quarter", f"/api/v1/areas/{county}/compare?period={year}-Q{q}"),
            ("county, month", f"/api/v1/areas/{county}/compare?period={month}"),
            ("township, year", f"/api/v1/areas/{town}/compare?period={year}"),
            ("village groups, year", f"/api/v1/villages/1/groups/compare?period={year}"),
        ]
        for name, path in cases:
            st, body = get(a.port, path, token)
            if st != 200:
                raise SystemExit(f"{name}: {st} {body[:300]}")
            times = []
            for _ in range(5):
                t0 = time.perf_counter()
                get(a.port, path, token)
                times.append((time.perf_counter() - t0) * 1000)
            rows = len(json.loads(body)["items"])
            print(f"{name:24s} {rows:5d} rows  median {statistics.median(times):8.1f} ms"
                  f"  ({len(body) // 1024} KB)", flush=True)
    finally:
        p.terminate()
        p.wait()


if __name__ == "__main__":
    sys.exit(main())
