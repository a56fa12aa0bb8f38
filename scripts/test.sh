#!/usr/bin/env bash
# The second README command: run every test.
#   installs the Debian packages, builds the hardened release binary (build/) and the
#   ASan+UBSan test build (build-test/), then runs the whole CTest suite: unit tests,
#   API tests against the real `jifen serve` on loopback, browser tests (web/tests,
#   Debian's Chromium driving the web app), and the hardening check of the release binary.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh
jobs="$(nproc)"

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$jobs"
scripts/web.sh

# the libFuzzer targets (fuzz/) need clang; CTest runs each briefly (fuzz/run.sh)
CC=clang cmake -S . -B build-fuzz -DJIFEN_SANITIZE=ON -DJIFEN_FUZZ=ON >/dev/null
cmake --build build-fuzz -j"$jobs" --target fuzz_all

cmake -S . -B build-test -DJIFEN_SANITIZE=ON -DJIFEN_RELEASE_BIN="$PWD/build/jifen" >/dev/null
cmake --build build-test -j"$jobs"

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
cd build-test
ctest --output-on-failure -j"$jobs" --timeout 900 "$@"
