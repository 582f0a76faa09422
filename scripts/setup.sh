#!/usr/bin/env bash
# Installs whatever this machine is missing to build, run and test Koschei.
# Idempotent: when everything is present it only checks, in a few seconds.
# Versions are the ones pinned in ../shared/spec/toolchain.md.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup] %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# libkrb5-dev: the `gssapi` feature (MIT GSSAPI, bound through bindgen/libclang);
# krb5-kdc + krb5-admin-server: the throwaway KDC of server/tests/gssapi_login.rs (their
# system services are not needed: the test runs its own KDC unprivileged).
APT_PACKAGES=(
  pkg-config libclang-dev libsolv-dev libsolvext-dev libsolv-tools
  rpm createrepo-c zstd xz-utils
  chromium chromium-driver
  postgresql-client
  libkrb5-dev krb5-kdc krb5-admin-server
)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "apt: installing ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "rustup: adding wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

export PATH="$HOME/.cargo/bin:$PATH"
if ! trunk --version 2>/dev/null | grep -q '0\.21\.14'; then
  log "cargo install trunk 0.21.14 (about 6 minutes on 2 cores)"
  cargo install --locked trunk --version 0.21.14
fi
if ! wasm-bindgen --version 2>/dev/null | grep -q '0\.2\.130'; then
  log "cargo install wasm-bindgen-cli 0.2.130 (about 2 minutes)"
  # Not --locked: its lockfile pins a webpki-roots the registry lacks (toolchain.md §2).
  cargo install wasm-bindgen-cli --version 0.2.130
fi

# The real `koji` CLI, to test the hub simulator against. Its gssapi extra does not build
# without krb5 headers and is not needed, hence --no-deps plus its other dependencies.
if ! command -v koji >/dev/null 2>&1; then
  log "pip install koji 1.36.1"
  python3 -m pip install --quiet --disable-pip-version-check requests python-dateutil defusedxml
  python3 -m pip install --quiet --disable-pip-version-check --no-deps koji==1.36.1
fi

# binaryen 132 (wasm-opt) and playwright-core, pinned in package-lock.json.
if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -d node_modules/playwright-core ] \
   || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "npm ci (binaryen@132, playwright-core)"
  npm ci --no-audit --no-fund --silent
fi
log "ok"
