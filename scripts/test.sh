#!/usr/bin/env bash
# Run every check and the whole test suite: lint, architecture contracts, migrations, the OpenAPI
# schema, then pytest on PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/kechuang)
# including the browser tests in headless Chromium and the API fuzz run (its counts are printed in
# the summary), then the SQLite smoke run.
source "$(dirname "${BASH_SOURCE[0]}")/_env.sh" test
export KECHUANG_STRICT_SKIPS=1 KECHUANG_CACHE=locmem
export KECHUANG_VAR_DIR=${KECHUANG_VAR_DIR:-$PWD/var/test}

if ! command -v chromium >/dev/null 2>&1 && [ -z "${KECHUANG_CHROMIUM:-}" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Chromium and CJK fonts for the browser tests (Debian packages) …"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
  else
    echo "Chromium is needed for the browser tests: install Debian's 'chromium' or set KECHUANG_CHROMIUM" >&2
    exit 1
  fi
fi

echo "== lint and architecture"
.venv/bin/ruff check kechuang tests conftest.py bench
.venv/bin/lint-imports
.venv/bin/kechuang makemigrations --check --dry-run >/dev/null

PG_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/kechuang}
echo "== test suite on PostgreSQL ($PG_URL)"
DATABASE_URL=$PG_URL .venv/bin/pytest -q -p no:cacheprovider "$@"

echo "== SQLite smoke run (the embedded default)"
env -u DATABASE_URL .venv/bin/pytest -q -p no:cacheprovider -m "not browser" kechuang/core kechuang/enterprises kechuang/ingest kechuang/evaluation kechuang/rating kechuang/marketplace kechuang/targets kechuang/ip kechuang/listing kechuang/funds kechuang/risk kechuang/points kechuang/talent kechuang/supervision kechuang/trade tests
