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
echo "config,rep,event,lost,udp_lost,udp_sent,switch_us,downtime_ms" > "$raw"
for rep in $(seq "$reps"); do
	for cfg in $(bench_rotate $((rep - 1)) duonet net_failover bonding); do
		echo "== $cfg, run $rep of $reps" >&2
		bash "$top/tools/vm/compare.sh" --one "$cfg" "$krel" |
			awk -v c="$cfg" -v r="$rep" '$2 == "n/a" { next }
				{ for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
				  sw = v["switch_us"]; gsub(",", " ", sw)
				  printf "%s,%s,%s,%s,%s,%s,%s,%s\n", c, r, $1, v["lost"], v["udp_lost"],
					v["udp_sent"], sw == "-" ? "" : sw, v["downtime_ms"] == "-" ? "" : v["downtime_ms"] }' |
			tee -a "$raw" >&2
	done
done

python3 - "$raw" "$out/failover.csv" "$krel" "$reps" "${DUO_COMPARE_UDP_PPS:-2000}" > "$out/failover.md" <<'PY'
import csv, statistics, sys
raw, dst, krel, reps, pps = sys.argv[1:6]
rows = list(csv.DictReader(open(raw)))
events = list(dict.fromkeys(r["event"] for r in rows))
configs = list(dict.fromkeys(r["config"] for r in rows))
lost, udp, sw, down = {}, {}, {}, {}
for r in rows:
    k = (r["config"], r["event"])
    lost.setdefault(k, []).append(int(r["lost"]))
    udp.setdefault(k, []).append(int(r["udp_lost"]))
    if r["switch_us"] not in ("", "none"):
        sw.setdefault(k, []).extend(int(x) for x in r["switch_us"].split())
    if r["downtime_ms"]:
        down.setdefault(r["config"], []).append(int(r["downtime_ms"]))
def mw(v):
    return f"{statistics.median(v):g} / {max(v)}"
with open(dst, "w") as f:
    w = csv.writer(f)
    w.writerow(["config", "event", "runs", "median_lost", "worst_lost",
                "median_udp_lost", "worst_udp_lost", "switches", "median_switch_us", "max_switch_us"])
    for c in configs:
        for e in events:
            k = (c, e)
            if k not in lost:
                continue
            s = sw.get(k, [])
            w.writerow([c, e, len(lost[k]), statistics.median(lost[k]), max(lost[k]),
                        statistics.median(udp[k]), max(udp[k]), len(s),
                        statistics.median(s) if s else "", max(s) if s else ""])
print(f"Packets lost per event, median / worst of {reps} runs, each configuration "
      f"in a fresh guest, runs interleaved; kernel {krel}. Ping every 2 ms and, at the "
      f"same time, sequence-numbered UDP at {pps}/s. net_failover has no planned switch. "
      f"Switch time: duonet's tracepoint duonet:duonet_path_switch (usecs, from the event's "
      f"arrival to the new path published), median / max over every switch of the event.")
print()
print("| event | " + " | ".join(f"{c} ping | {c} UDP" for c in configs) + " | duonet switch (µs) |")
print("|---|" + "---|---|" * len(configs) + "---|")
for e in events:
    cells = []
    for c in configs:
        k = (c, e)
        cells += [mw(lost[k]), mw(udp[k])] if k in lost else ["n/a", "n/a"]
    s = sw.get(("duonet", e))
    cells.append(f"{statistics.median(s):g} / {max(s)}" if s else "none")
    print(f"| {e} | " + " | ".join(cells) + " |")
d = "; ".join(f"{c} {min(v)}-{max(v)} ms" for c, v in down.items())
print(f"\nQEMU downtime of the migrations: {d}")
PY
cat "$out/failover.md"
