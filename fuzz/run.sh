#!/bin/sh
# Runs every XML-RPC fuzz target for SECONDS (default 600) each, one after the other, on
# the corpora made by make_seeds.py; logs go to logs/<target>.log. See README.md.
set -eu
cd "$(dirname "$0")"
SECONDS_EACH="${1:-600}"
export RUSTC_BOOTSTRAP="${RUSTC_BOOTSTRAP:-1}"
[ -d corpus ] || python3 make_seeds.py
mkdir -p logs
cargo fuzz build
for target in xmlrpc_decode_response xmlrpc_decode_call xmlrpc_roundtrip; do
    mkdir -p "corpus/$target"
    echo "== $target: ${SECONDS_EACH}s"
    cargo fuzz run "$target" "corpus/$target" -- \
        -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -timeout=10 -max_len=16384 \
        -dict=xmlrpc.dict -print_final_stats=1 >"logs/$target.log" 2>&1 || {
        echo "$target found something: see logs/$target.log and artifacts/$target/"
        exit 1
    }
    grep -E '^#[0-9]+[[:space:]]+DONE' "logs/$target.log" | tail -1
done
