#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds the web app, then runs every
# test on SQLite and, when KOSCHEI_TEST_POSTGRES_URL is set, on PostgreSQL too, plus the
# headless-Chromium browser test. Usage: scripts/test.sh [extra cargo test args]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# Debug info is not needed to run tests and doubles the size of target/.
export CARGO_PROFILE_DEV_DEBUG="${CARGO_PROFILE_DEV_DEBUG:-line-tables-only}"

if [ -n "${KOSCHEI_TEST_POSTGRES_URL:-}" ]; then
  if ! psql "$KOSCHEI_TEST_POSTGRES_URL" -qtAc 'SELECT 1' >/dev/null 2>&1; then
    echo "PostgreSQL is not reachable at $KOSCHEI_TEST_POSTGRES_URL" >&2
    exit 1
  fi
  echo "[test] databases: SQLite and PostgreSQL ($KOSCHEI_TEST_POSTGRES_URL)"
else
  echo "[test] databases: SQLite only (set KOSCHEI_TEST_POSTGRES_URL to add PostgreSQL)"
fi

echo "[test] building the web app (trunk)"
trunk build --offline --release >/dev/null 2>target-trunk.log || { cat target-trunk.log >&2; exit 1; }
rm -f target-trunk.log

# The browser test must run here, not skip.
export KOSCHEI_TEST_REQUIRE_BROWSER=1
cargo test --workspace --no-fail-fast "$@"
