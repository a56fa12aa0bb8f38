#!/usr/bin/env bash
# Runs one libFuzzer target for a bounded time, then replays its regression inputs.
#   fuzz/run.sh BUILD/fuzz/fuzz_NAME [SECONDS]     (default 15 seconds)
# The seeds in fuzz/corpus/fuzz_NAME are copied to a temporary folder first, so a run
# never writes into the repository. A crash leaves its input in that folder (the path
# is printed): minimise it, add it to fuzz/regressions/fuzz_NAME/, and fix src/.
# Prints "N passed, N failed" (the fuzzing run and the replay).
set -uo pipefail
bin="${1:?usage: fuzz/run.sh BUILD/fuzz/fuzz_NAME [SECONDS]}"
secs="${2:-15}"
here="$(cd "$(dirname "$0")" && pwd)"
name="$(basename "$bin")"
if [ ! -x "$bin" ]; then
  echo "FAIL $name: $bin is not built (scripts/test.sh builds build-fuzz/ with clang)"
  echo "0 passed, 1 failed"
  exit 1
fi
work="$(mktemp -d "/tmp/jifen-$name-XXXXXX")"
mkdir -p "$work/corpus" "$work/artifacts"
cp -r "$here/corpus/$name/." "$work/corpus/" 2>/dev/null || true
passed=0 failed=0

dict=()
[ -f "$here/dict/$name.dict" ] && dict=(-dict="$here/dict/$name.dict")

# 1. fuzz for a bounded time (one process; inputs over 10 s or 2 GB count as crashes)
"$bin" "${dict[@]}" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
       -artifact_prefix="$work/artifacts/" "$work/corpus" >"$work/log" 2>&1
rc=$?
stats="$(grep -E '^(stat::number_of_executed_units|stat::new_units_added)' "$work/log" | tr '\n' ' ' | tr -s ' ')"
cov="$(grep -oE 'cov: [0-9]+' "$work/log" | tail -1)"
if [ $rc -eq 0 ]; then
  echo "ok   $name: fuzzed ${secs}s: $stats$cov, corpus $(ls "$work/corpus" | wc -l) inputs"
  passed=$((passed + 1))
else
  echo "FAIL $name: fuzzing found a crash (exit $rc); the input is in $work/artifacts/:"
  ls -l "$work/artifacts/"
  grep -E -A40 'ERROR|runtime error|fuzz_[a-z_]+:|==[0-9]+==' "$work/log" | head -80
  failed=$((failed + 1))
fi

# 2. replay every regression input once
reg="$here/regressions/$name"
inputs=()
if [ -d "$reg" ]; then
  while IFS= read -r -d '' f; do inputs+=("$f"); done < <(find "$reg" -type f ! -name '*.md' -print0 | sort -z)
fi
if [ ${#inputs[@]} -gt 0 ]; then
  if "$bin" -timeout=10 -rss_limit_mb=2048 "${inputs[@]}" >"$work/replay.log" 2>&1; then
    echo "ok   $name: ${#inputs[@]} regression inputs replayed"
    passed=$((passed + 1))
  else
    echo "FAIL $name: a regression input crashes again"
    grep -E -B2 -A40 'ERROR|runtime error|fuzz_[a-z_]+:' "$work/replay.log" | head -80
    failed=$((failed + 1))
  fi
else
  echo "ok   $name: no regression inputs"
  passed=$((passed + 1))
fi
[ $failed -eq 0 ] && rm -rf "$work"
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
