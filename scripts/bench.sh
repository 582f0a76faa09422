#!/usr/bin/env bash
# Benchmarks (release builds), figures into target/bench/. Usage:
#   scripts/bench.sh              parse, scheduler, full resolution of bookworm, and the
#                                 incremental update bookworm -> bookworm-plus-updates
#   BASELINE=1 scripts/bench.sh   also the libsolv Python baseline (about 10 minutes)
# Needs ../shared/bench (the distribution-scale data) beside the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
DATA=../shared/bench/debian-rpmmd
OUT=target/bench
BIN="${CARGO_TARGET_DIR:-target}/release/koschei"
mkdir -p "$OUT"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -srm)" | tee "$OUT/machine.txt"

cargo build --release -p koschei
cargo bench -p koschei --bench primary_parse 2>&1 | tee "$OUT/primary_parse.txt"
cargo bench -p koschei --bench scheduler_plan 2>&1 | tee "$OUT/scheduler_plan.txt"

for weak in weak noweak; do
  flag=""; [ "$weak" = noweak ] && flag="--ignore-weak-deps"
  /usr/bin/time -v "$BIN" resolve --binary "$DATA/bookworm/binary" \
      --source "$DATA/bookworm/source" --jobs "$(nproc)" $flag \
      --output "$OUT/bookworm-$weak.jsonl" 2>"$OUT/bookworm-$weak.time" | tee "$OUT/bookworm-$weak.txt"
  grep -E "Elapsed|Maximum resident" "$OUT/bookworm-$weak.time" | tee -a "$OUT/bookworm-$weak.txt"
  python3 scripts/compare_baseline.py "$OUT/bookworm-$weak.jsonl" "$DATA/baseline/bookworm-$weak.tsv.zst" \
      | tee -a "$OUT/bookworm-$weak.txt"
done

# Incremental mode: bookworm -> bookworm-plus-updates with --previous (the bookworm-weak output
# above and its .meta.json), checked byte for byte against a full pass of bookworm-plus-updates.
PU="$DATA/bookworm-plus-updates"
/usr/bin/time -v "$BIN" resolve --binary "$PU/binary" --source "$PU/source" --jobs "$(nproc)" \
    --output "$OUT/plus-updates-full.jsonl" 2>"$OUT/plus-updates-full.time" | tee "$OUT/plus-updates-full.txt"
grep -E "Elapsed|Maximum resident" "$OUT/plus-updates-full.time" | tee -a "$OUT/plus-updates-full.txt"
python3 scripts/compare_baseline.py "$OUT/plus-updates-full.jsonl" \
    "$DATA/baseline/bookworm-plus-updates-weak.tsv.zst" | tee -a "$OUT/plus-updates-full.txt"
uptime | tee "$OUT/plus-updates-incremental.txt"
/usr/bin/time -v "$BIN" resolve --binary "$PU/binary" --source "$PU/source" --jobs "$(nproc)" \
    --previous "$OUT/bookworm-weak.jsonl" --output "$OUT/plus-updates-incremental.jsonl" \
    2>"$OUT/plus-updates-incremental.time" | tee -a "$OUT/plus-updates-incremental.txt"
grep -E "Elapsed|Maximum resident" "$OUT/plus-updates-incremental.time" | tee -a "$OUT/plus-updates-incremental.txt"
if cmp "$OUT/plus-updates-full.jsonl" "$OUT/plus-updates-incremental.jsonl"; then
  echo "incremental output identical to the full pass" | tee -a "$OUT/plus-updates-incremental.txt"
else
  echo "INCREMENTAL OUTPUT DIFFERS FROM THE FULL PASS" | tee -a "$OUT/plus-updates-incremental.txt"; exit 1
fi

if [ "${BASELINE:-0}" = 1 ]; then
  if ! /usr/bin/python3 -c 'import solv' 2>/dev/null; then
    apt-get install -y -qq --no-install-recommends python3-solv >/dev/null
  fi
  /usr/bin/time -v /usr/bin/python3 ../shared/bench/koschei_baseline.py resolve \
      --binary "$DATA/bookworm/binary" --source "$DATA/bookworm/source" \
      --out "$OUT/baseline-bookworm-weak.jsonl.gz" --summary "$OUT/baseline-bookworm-weak.json" \
      2>"$OUT/baseline-bookworm-weak.time"
  grep -E "Elapsed|Maximum resident" "$OUT/baseline-bookworm-weak.time" | tee "$OUT/baseline.txt"
fi

# One repo_resolver tick over 30,000 bookworm packages (Koji simulator + rpm-md over HTTP, DB
# writes included): SQLite always, PostgreSQL when KOSCHEI_TEST_POSTGRES_URL is set; figures
# (with the load average) in target/bench/repo_resolver_tick.txt.
cargo bench -p koschei --bench repo_resolver_tick 2>"$OUT/repo_resolver_tick.log"
