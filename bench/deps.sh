#!/usr/bin/env bash
# Installs the Debian 12 packages the benchmarks in bench/ need (not part of the
# test command's dependencies): wrk (HTTP load), nginx (the reference server),
# hyperfine, perf and valgrind (profiles). Runs apt-get only when something is
# missing, so repeated runs are quick.
set -euo pipefail

PACKAGES=(
  wrk nginx-light hyperfine       # load generator, the reference server, timing
  linux-perf valgrind             # profiles (perf if the kernel allows, else callgrind)
  python3 sqlite3 gcc             # the drivers, the raw fsync probe
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "bench: these Debian packages are missing: ${missing[*]}" >&2
    echo "bench: run this script as root (or install them with apt-get) and try again" >&2
    exit 1
  fi
  echo "bench: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
