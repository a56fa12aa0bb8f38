#!/usr/bin/env bash
# Runs every benchmark and writes docs/performance.md (see bench/run.py for what each
# measures and against which reference). As root on Debian 12, from anywhere:
#   bash bench/run.sh                      # deps, release build in build/, all benchmarks
#   JIFEN_BIN=/tmp/b/jifen bash bench/run.sh --no-scale   # use that binary, skip scale
# Arguments go to bench/run.py (--quick, --no-scale, --no-profile, --rounds N, …).
# Takes about 5 minutes without the scale benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/deps.sh
bash bench/deps.sh
if [ -z "${JIFEN_BIN:-}" ]; then
  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build build -j"$(nproc)" --target jifen
  JIFEN_BIN=build/jifen
fi
exec python3 bench/run.py --jifen "$JIFEN_BIN" "$@"
