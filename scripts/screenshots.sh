#!/usr/bin/env bash
# Refresh docs/screenshots/workbench-<role>.png and phone-<role>.png: load the synthetic demo into a
# temporary SQLite database, serve it on 127.0.0.1:${KECHUANG_SHOT_PORT:-8106}, log in as each demo
# role in headless Chromium and save each workbench at 1366 px and at a phone's 390 px wide. Needs .venv with the "test" extra (Playwright)
# and Debian's chromium (KECHUANG_CHROMIUM overrides the path).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
TMP=$(mktemp -d)
PORT=${KECHUANG_SHOT_PORT:-8106}
export DATABASE_URL="sqlite:///$TMP/demo.sqlite3" KECHUANG_VAR_DIR="$TMP/var" KECHUANG_CACHE=locmem KECHUANG_DEBUG=1
unset REDIS_URL
SERVER=""
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
.venv/bin/kechuang migrate -v0
.venv/bin/kechuang demo --n "${KECHUANG_SHOT_N:-400}" >/dev/null
.venv/bin/kechuang runserver "127.0.0.1:$PORT" --noreload >"$TMP/server.log" 2>&1 &
SERVER=$!
.venv/bin/python scripts/screenshots.py "http://127.0.0.1:$PORT" docs/screenshots
