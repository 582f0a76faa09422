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
mkdir -p target
trunk build --offline --release >target/trunk-build.log 2>&1 || { cat target/trunk-build.log >&2; exit 1; }

# The browser test, the koji CLI test and the Kerberos (KDC) test must run here, not skip.
export KOSCHEI_TEST_REQUIRE_BROWSER=1 KOSCHEI_TEST_REQUIRE_KOJI_CLI=1 KOSCHEI_TEST_REQUIRE_KDC=1
status=0
# With GSSAPI login (feature koschei/gssapi), so the whole suite builds once with it and
# server/tests/gssapi_login.rs runs against a real MIT KDC.
cargo test --workspace --features koschei/gssapi --no-fail-fast "$@" 2>&1 \
  | tee target/test-output.log || status=$?
# One closing line with the totals of every test binary.
awk '/^test result:/ { p += $4; f += $6; i += $8 }
     END { printf "total: %d passed, %d failed, %d skipped\n", p, f, i }' target/test-output.log
exit "$status"
