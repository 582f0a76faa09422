#!/usr/bin/env bash
# Quickstart: installs what is missing, builds the web app and the server, and runs
# `koschei demo` (the whole loop on SQLite under ./data/demo against an in-process Koji
# simulator). Arguments replace the command, e.g. `scripts/run.sh serve --listen
# 0.0.0.0:8080` or `scripts/run.sh demo --packages 300`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
trunk build --offline --release
cargo build --release -p koschei
[ $# -gt 0 ] || set -- demo
exec target/release/koschei "$@"
