#!/usr/bin/env bash
# Quickstart: installs what is missing, builds the web app and the server, and runs
# Koschei on the embedded default (SQLite under ./data). Extra arguments go to
# `koschei serve`, e.g. scripts/run.sh --listen 0.0.0.0:8080
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
trunk build --offline --release
cargo build --release -p koschei
exec target/release/koschei serve "$@"
