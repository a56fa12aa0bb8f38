"""The seeded model test over the village's whole cycle (issue 6, family 2):
seeded random sequences of record, batch, claim, approve, reject, reverse,
publish, object, settle, confirm, redeem, cancel and year-close, each checked as
it happens against an in-memory model (tests/api/model_cycle.py says what it
models and how time is handled), with balances (confirmed and pending), the
stock of every goods and the rankings compared every 100 operations and at the
end, and `jifen verify` passing at the end of every seed.

    MODEL_SEEDS=1-20    the seeds: "1-20", "1,5,9" or "random" (five new ones)
    MODEL_OPS=5000      operations per seed
    MODEL_JOBS=3        seeds run at once, each with its own server (a seed waits
                        for the scheduler now and then, so 3 keep 2 cores busy)
    MODEL_TMP=/dev/shm  where the databases live (a RAM disk when there is one)

The server is JIFEN_RELEASE_BIN when it is set (the suite's speed), else JIFEN_BIN
(the sanitized build). A failure names the seed and the operation; rerun one
seed with MODEL_SEEDS=<seed> (dates are relative to today, so on the same day).
The figures (seeds, operations, differences, operations per second) are printed
at the end.
"""
import os
import random
import time

import harness
from harness import run

if os.environ.get("JIFEN_RELEASE_BIN"):
    harness.JIFEN = os.environ["JIFEN_RELEASE_BIN"]

import ledger_fixtures  # noqa: E402  (verify runs the same binary)
import model_cycle  # noqa: E402

ledger_fixtures.JIFEN = harness.JIFEN


def seeds():
    v = os.environ.get("MODEL_SEEDS", "1-20").strip()
    if v == "random":
        return [random.SystemRandom().randrange(1, 10**9) for _ in range(5)]
    out = []
    for part in v.split(","):
        part = part.strip()
        if "-" in part:
            lo, hi = part.split("-")
            out += range(int(lo), int(hi) + 1)
        elif part:
            out.append(int(part))
    return out


def test_model_cycle():
    nops = int(os.environ.get("MODEL_OPS", "5000"))
    jobs = int(os.environ.get("MODEL_JOBS", "3"))
    todo = seeds()
    model_cycle.use_fast_tmp()
    print(f"     server {harness.JIFEN}; {len(todo)} seeds x {nops} operations, {jobs} at once",
          flush=True)
    t0 = time.time()
    failures, done, total_ops, total_requests, busy = [], 0, 0, 0, 0.0
    outcomes = {}
    for res in model_cycle.run_seeds(todo, nops, jobs):
        if "error" in res:
            failures.append(res)
            print(f"     seed {res['seed']}: FAILED\n{res['error']}", flush=True)
            continue
        done += 1
        total_ops += res["ops"]
        total_requests += res["requests"]
        busy += res["ops_s"]
        for k, v in res["outcomes"].items():
            outcomes[k] = outcomes.get(k, 0) + v
        print(f"     seed {res['seed']}: {res['ops']} operations, 0 differences, "
              f"{res['entries']} entries, {res['notices']} notices confirmed, "
              f"{res['objections']} objections, {res['redemptions']} redemptions "
              f"({res['cancelled']} cancelled), {res['claims']} claims, years closed "
              f"{','.join(res['closed_years']) or '-'}; {res['ops'] / res['ops_s']:.0f} ops/s, "
              f"{res['total_s']:.1f}s ({res['scheduler_waits']} waits for the scheduler)",
              flush=True)
    wall = time.time() - t0
    print("       outcomes: " + ", ".join(f"{k}: {v}" for k, v in sorted(outcomes.items())),
          flush=True)
    print(f"     model test: {len(todo)} seeds x {nops} operations, {done} passed, "
          f"differences {0 if not failures else 'see above'}, {total_ops} operations "
          f"({total_requests} requests) in {wall:.0f}s: {total_ops / wall:.0f} ops/s overall, "
          f"{total_ops / busy if busy else 0:.0f} ops/s per seed", flush=True)
    if failures:
        raise AssertionError(f"the model differs from the server with seed(s) "
                             f"{', '.join(str(f['seed']) for f in failures)} (details above)")


if __name__ == "__main__":
    run(globals())
