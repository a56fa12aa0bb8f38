#!/usr/bin/env bash
# Builds the web app (web/dist) from the locked npm packages (web/package-lock.json).
# Called by scripts/run.sh and scripts/test.sh; `jifen serve` serves web/dist.
set -euo pipefail
cd "$(dirname "$0")/../web"
# npm ci reinstalls from the lockfile; skip it when node_modules already matches the lock
if [ ! -f node_modules/.package-lock.json ] || ! cmp -s package-lock.json node_modules/.jifen-lock; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.jifen-lock
fi
npm run --silent build
