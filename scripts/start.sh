#!/bin/sh
# README command 1: install dependencies if missing or stale, build, then bring up the whole system (tools/dev.ts).
set -e
cd "$(dirname "$0")/.."
if ! node scripts/deps-current.js; then
  echo "[kefu] installing dependencies…"
  # npm install, not npm ci: see .ci/run for why.
  npm install --no-audit --no-fund
fi
echo "[kefu] building…"
npx --no-install nest build >/dev/null
exec node --enable-source-maps dist/tools/dev.js
