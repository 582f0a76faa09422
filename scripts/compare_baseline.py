#!/usr/bin/env python3
"""Compares `koschei resolve` output with a baseline digest TSV from shared/bench.

Usage: compare_baseline.py OURS.jsonl BASELINE.tsv.zst

For every source package: the verdict, the install-set size and digest (sha256 over the
sorted NEVRAs, one per line, first 16 hex digits — the definition in
shared/bench/digest_results.py) and the problem strings must be equal. Prints the counts
and the first differences; exits 1 when anything differs.
"""
import hashlib
import json
import subprocess
import sys


def digest(install):
    if not install:
        return "-"
    return hashlib.sha256("".join(x + "\n" for x in install).encode()).hexdigest()[:16]


def main():
    ours_path, base_path = sys.argv[1], sys.argv[2]
    ours = {}
    with open(ours_path) as fh:
        for line in fh:
            r = json.loads(line)
            probs = " || ".join(p.replace("\n", "\\n") for p in r["problems"])
            ours[r["package"]] = (int(r["resolved"]), len(r["install"]), digest(r["install"]), probs)
    text = subprocess.run(["zstd", "-dc", base_path], check=True, capture_output=True, text=True).stdout
    base = {}
    for line in text.splitlines()[1:]:
        name, _evr, resolved, count, h, probs = (line.split("\t") + [""])[:6]
        base[name] = (int(resolved), int(count), h, probs)
    diffs = []
    for name in sorted(set(ours) | set(base)):
        a, b = ours.get(name), base.get(name)
        if a != b:
            diffs.append((name, a, b))
    same = len(set(ours) & set(base)) - sum(1 for n, a, b in diffs if a and b)
    print(f"packages: ours {len(ours)}, baseline {len(base)}; identical {same}; different {len(diffs)}")
    for name, a, b in diffs[:10]:
        print(f"  {name}: ours {a} baseline {b}")
    sys.exit(1 if diffs else 0)


if __name__ == "__main__":
    main()
