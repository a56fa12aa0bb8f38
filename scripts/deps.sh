#!/usr/bin/env bash
# Installs the Debian 12 packages jifen needs to build, run and test.
# Runs apt-get only when something is missing, so repeated runs are quick.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config          # the C toolchain and the build
  libmicrohttpd-dev libjansson-dev          # HTTP server, JSON
  libsqlite3-dev libsodium-dev              # database, argon2id and tokens
  libxlsxwriter-dev libqrencode-dev         # exports: Excel workbooks, QR codes
  libcairo2-dev libpango1.0-dev fonts-noto-cjk  # PDF printouts with Chinese text
  sqlite3 python3 binutils ca-certificates  # tests: sqlite3 shell, API tests, readelf
  poppler-utils zbar-tools                  # tests: pdftotext, pdftoppm; zbarimg reads QR codes
  clang libclang-rt-14-dev cppcheck         # tests: libFuzzer targets (fuzz/), static analysis
  chromium                                  # tests: the browser tests drive Debian's Chromium
)
# The web app is built with Node.js and npm (the machine's own, else Debian's).
command -v npm >/dev/null 2>&1 || PACKAGES+=(nodejs npm)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "jifen: these Debian packages are missing: ${missing[*]}" >&2
    echo "jifen: run this script as root (or install them with apt-get) and try again" >&2
    exit 1
  fi
  echo "jifen: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
