#!/usr/bin/env bash
# The first README command: set everything up and run jifen with the demo village.
#   installs the Debian packages, builds the hardened release binary and the web app, creates the
#   demo database (var/jifen.db) if there is none, and serves http://127.0.0.1:8080
# Environment: JIFEN_DB (database file), JIFEN_LISTEN (address) override the defaults.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"
scripts/web.sh            # the web app: web/dist

export JIFEN_DB="${JIFEN_DB:-var/jifen.db}"
export JIFEN_LISTEN="${JIFEN_LISTEN:-127.0.0.1:8080}"
mkdir -p "$(dirname "$JIFEN_DB")"
build/jifen demo          # creates the demo village once; prints the demo logins every time
echo
echo "jifen: open http://${JIFEN_LISTEN}/  (API: http://${JIFEN_LISTEN}/api/v1/health; Ctrl-C stops)"
exec build/jifen serve
