#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Failover loss, repeated: tools/vm/compare.sh's events (planned switch,
# VF unplug, re-plug, link down, link up, live migration) for duonet,
# net_failover and bonding, N times each, the repetitions interleaving
# the three (each run its own fresh guest); packets lost per event at
# ping every 2 ms from the peer, median and worst.
#
# usage: failover.sh [--kernel KREL] [--reps N] [--out DIR]
# (defaults: newest guest kernel, 5 reps, build/bench). Writes
# DIR/failover-raw.csv (every event of every run), DIR/failover.csv and
# DIR/failover.md (median and worst per event and configuration).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$(dirname "$0")/lib.sh"

usage() { bench_usage "$0"; }
krel=$(bench_newest_kernel)
reps=5 out=$top/build/bench
while [ $# -gt 0 ]; do
	[ $# -ge 2 ] || usage
	case $1 in
	--kernel) krel=$2 ;;
	--reps) reps=$2 ;;
	--out) out=$2 ;;
	*) usage ;;
	esac
	shift 2
done
case $reps in ''|*[!0-9]*|0) usage ;; esac
[ -n "$krel" ] || { echo "failover.sh: no guest kernel: run 'make deps'" >&2; exit 1; }
mkdir -p "$out"

raw=$out/failover-raw.csv
echo "config,rep,event,lost,downtime_ms" > "$raw"
for rep in $(seq "$reps"); do
	for cfg in duonet net_failover bonding; do
		echo "== $cfg, run $rep of $reps" >&2
		bash "$top/tools/vm/compare.sh" --one "$cfg" "$krel" |
			sed -n 's/^\([a-z_]*\) \([0-9]*\)\( (downtime \([0-9]*\) ms)\)\{0,1\}$/\1,\2,\4/p' |
			sed "s/^/$cfg,$rep,/" | tee -a "$raw" >&2
	done
done

python3 - "$raw" "$out/failover.csv" "$krel" "$reps" > "$out/failover.md" <<'PY'
import csv, statistics, sys
raw, dst, krel, reps = sys.argv[1:5]
rows = list(csv.DictReader(open(raw)))
events = list(dict.fromkeys(r["event"] for r in rows))
configs = list(dict.fromkeys(r["config"] for r in rows))
lost, down = {}, {}
for r in rows:
    lost.setdefault((r["config"], r["event"]), []).append(int(r["lost"]))
    if r["downtime_ms"]:
        down.setdefault(r["config"], []).append(int(r["downtime_ms"]))
with open(dst, "w") as f:
    w = csv.writer(f)
    w.writerow(["config", "event", "runs", "median_lost", "worst_lost"])
    for c in configs:
        for e in events:
            v = lost.get((c, e))
            if v:
                w.writerow([c, e, len(v), statistics.median(v), max(v)])
print(f"Packets lost per event (ping every 2 ms), median / worst of up to {reps} runs; "
      f"kernel {krel}; net_failover has no planned switch")
print()
print("| event | " + " | ".join(configs) + " |")
print("|---|" + "---|" * len(configs))
for e in events:
    cells = []
    for c in configs:
        v = lost.get((c, e))
        cells.append(f"{statistics.median(v):g} / {max(v)}" if v else "n/a")
    print(f"| {e} | " + " | ".join(cells) + " |")
d = "; ".join(f"{c} {min(v)}-{max(v)} ms" for c, v in down.items())
print(f"\nQEMU downtime of the migrations: {d}")
PY
cat "$out/failover.md"
