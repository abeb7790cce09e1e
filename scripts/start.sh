#!/bin/sh
# README command 1: install dependencies if missing, build, then bring up the whole system (tools/dev.ts).
set -e
cd "$(dirname "$0")/.."
if [ ! -x node_modules/.bin/nest ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[kefu] installing dependencies (npm ci)…"
  npm ci --no-audit --no-fund
fi
echo "[kefu] building…"
npx --no-install nest build >/dev/null
exec node --enable-source-maps dist/tools/dev.js
