#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Guest CPU per packet against packet rate (the DirectPath study's curve,
# reproduced in the lab), for each way of giving the guest its network:
#   direct_vf      the VF stand-in (e1000e) alone, no duonet
#   direct_pv      the PV (virtio_net) alone
#   duonet_vf      duo0 over both, TX on the VF
#   duonet_pvonly  duo0 with pv-only on
#   bonding        active-backup over both, the VF active (by hand)
#   net_failover   QEMU failover=on, its own guest (the VF as primary)
# Traffic: the peer sends paced UDP probes (lossmeter udp -r RATE) that
# the guest echoes (lossmeter echo): each probe is one packet in and one
# out of the guest. CPU: the time the guest's virtual CPU thread (QEMU's
# "CPU 0/TCG") ran on the host over the run, as a share of the run's wall
# time, less the share the same configuration takes with no traffic,
# times the run's length, divided by the probes the guest answered. (The
# guest's own /proc/stat is no measure under TCG: its tick counts for a
# 3 s run ranged from 146 to 455.) Each
# configuration is set up afresh in every repetition and the repetitions
# interleave the configurations (the machine's noise spreads over all);
# the figure is the median over the repetitions. Each repetition starts
# with the next configuration (the first after boot runs on code TCG has
# not translated yet, despite the warm-up).
#
# usage: cpu.sh [--kernel KREL] [--reps N] [--rates "R1 R2 ..."]
#               [--seconds S] [--configs "C1 C2 ..."] [--out DIR]
# (defaults: newest guest kernel, 3 reps, rates "1000 2000 4000 8000",
#  5 s, every configuration, build/bench). Writes DIR/cpu-raw.csv (every
# run), DIR/cpu.csv (medians, ratio to direct_vf), DIR/cpu.md (the table
# it prints) and, with gnuplot, DIR/cpu.png.
set -eu
. "$(dirname "$0")/../vm/lab.sh"
. "$(dirname "$0")/lib.sh"

usage() { bench_usage "$0"; }
krel=$(bench_newest_kernel)
reps=3 rates="1000 2000 4000 8000" secs=5 out=$LAB_TOP/build/bench
configs=$BENCH_CONFIGS
while [ $# -gt 0 ]; do
	[ $# -ge 2 ] || usage
	case $1 in
	--kernel) krel=$2 ;;
	--reps) reps=$2 ;;
	--rates) rates=$2 ;;
	--seconds) secs=$2 ;;
	--configs) configs=$2 ;;
	--out) out=$2 ;;
	*) usage ;;
	esac
	shift 2
done
case $reps in ''|*[!0-9]*|0) usage ;; esac
case $secs in ''|*[!0-9]*|0) usage ;; esac
for r in $rates; do case $r in ''|*[!0-9]*|0) usage ;; esac; done
for c in $configs; do
	bench_config_ok "$c" || { echo "cpu.sh: unknown configuration $c" >&2; usage; }
done
[ -n "$krel" ] || lab_die "no guest kernel: run 'make deps'"
mkdir -p "$out"

lab_init bench-cpu "$krel"
lab_net_up

# One run: RATE probes/s for secs seconds (0: none, the baseline); a CSV
# line "config,rate,rep,sent,answered,busy_ns,wall_ns".
run() {
	local cfg=$1 rate=$2 rep=$3 t0 t1 r sent=0 got=0
	t0=$(bench_ticks)
	if [ "$rate" = 0 ]; then
		sleep "$secs"
	else
		r=$(lab_peer "$LAB_TOP/build/tools/lossmeter" udp -q -r "$rate" -d "$secs" -w 200 "$LAB_GUEST_IP:7777" | head -n 1)
		sent=$(lab_report_get "$r" sent)
		got=$(lab_report_get "$r" received)
	fi
	t1=$(bench_ticks)
	set -- $t0 $t1
	echo "$cfg,$rate,$rep,$sent,$got,$(($3 - $1)),$(($4 - $2))"
}

raw=$out/cpu-raw.csv
echo "config,rate_pps,rep,sent,answered,busy_ns,wall_ns" > "$raw"
main_configs=$(printf '%s\n' $configs | grep -vx net_failover | paste -sd ' ')
fo=$(printf '%s\n' $configs | grep -x net_failover || true)
# shellcheck disable=SC2034 # bench_ticks reads VCPU
[ -z "$main_configs" ] || { bench_boot g0 --vf e1000e && VCPU=$(bench_vcpu_tid); }
for rep in $(seq "$reps"); do
	# shellcheck disable=SC2086
	for cfg in $(bench_rotate $((rep - 1)) $main_configs); do
		bench_setup "$cfg"
		for rate in 0 $rates; do
			run "$cfg" "$rate" "$rep" | tee -a "$raw" >&2
		done
		bench_teardown
	done
done
if [ -n "$fo" ]; then
	[ -z "$main_configs" ] || { lab_qmp g0 quit > /dev/null 2>&1 || true; sleep 1; }
	bench_boot gf --vf e1000e --failover --slot 1
	# shellcheck disable=SC2034 # bench_ticks reads it
	VCPU=$(bench_vcpu_tid)
	bench_setup net_failover
	for rep in $(seq "$reps"); do
		for rate in 0 $rates; do
			run net_failover "$rate" "$rep" | tee -a "$raw" >&2
		done
	done
fi

# Medians: CPU microseconds per answered probe, idle baseline (the same
# repetition's) taken off; the ratio to direct_vf at the same rate.
python3 - "$raw" "$out/cpu.csv" "$krel" "$secs" "$reps" > "$out/cpu.md" <<'PY'
import csv, statistics, sys
raw, dst, krel, secs, reps = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), sys.argv[5]
rows = list(csv.DictReader(open(raw)))
base = {(r["config"], r["rep"]): int(r["busy_ns"]) / int(r["wall_ns"])
        for r in rows if r["rate_pps"] == "0"}
cost = {}
for r in rows:
    if r["rate_pps"] == "0" or int(r["answered"]) == 0:
        continue
    busy = int(r["busy_ns"]) / int(r["wall_ns"]) - base[(r["config"], r["rep"])]
    loss = 1 - int(r["answered"]) / int(r["sent"])
    us = max(busy, 0) * int(r["wall_ns"]) / 1e3 / int(r["answered"])
    cost.setdefault((r["config"], int(r["rate_pps"])), []).append((us, loss))
configs = list(dict.fromkeys(r["config"] for r in rows))
rates = sorted({k[1] for k in cost})
with open(dst, "w") as f:
    w = csv.writer(f)
    w.writerow(["config", "rate_pps", "usec_per_packet", "min", "max", "loss_pct", "ratio_to_direct_vf"])
    med = {k: statistics.median(u for u, _ in v) for k, v in cost.items()}
    for c in configs:
        for rt in rates:
            if (c, rt) not in cost:
                continue
            v = cost[(c, rt)]
            ref = med.get(("direct_vf", rt))
            w.writerow([c, rt, f"{med[(c, rt)]:.2f}", f"{min(u for u, _ in v):.2f}",
                        f"{max(u for u, _ in v):.2f}",
                        f"{100 * statistics.median(l for _, l in v):.2f}",
                        f"{med[(c, rt)] / ref:.3f}" if ref else ""])
print(f"Guest CPU per echoed UDP probe (one packet in, one out), microseconds, median of {reps}; "
      f"ratio to direct_vf in brackets; kernel {krel}, {secs:g} s per point")
print()
print("| config | " + " | ".join(f"{rt} pps" for rt in rates) + " |")
print("|---|" + "---|" * len(rates))
for c in configs:
    cells = []
    for rt in rates:
        if (c, rt) not in med:
            cells.append("-")
            continue
        ref = med.get(("direct_vf", rt))
        loss = statistics.median(l for _, l in cost[(c, rt)])
        cells.append(f"{med[(c, rt)]:.1f}" + (f" ({med[(c, rt)] / ref:.2f})" if ref else "")
                     + (f" {100 * loss:.0f}% lost" if loss > 0.01 else ""))
    print(f"| {c} | " + " | ".join(cells) + " |")
PY
cat "$out/cpu.md"

if command -v gnuplot > /dev/null; then
	{
		echo "set terminal pngcairo size 900,560 noenhanced"
		echo "set output '$out/cpu.png'"
		echo "set title 'Guest CPU per echoed UDP probe ($krel, $(date -u +%Y-%m-%d), median of $reps)'"
		echo "set xlabel 'probes per second (one packet in, one out)'"
		echo "set ylabel 'microseconds of guest CPU per probe'"
		echo "set key outside right"
		echo "set grid"
		echo "set datafile separator ','"
		printf 'plot '
		first=1
		for c in $(tail -n +2 "$out/cpu.csv" | cut -d, -f1 | uniq); do
			[ "$first" = 1 ] || printf ', '
			first=0
			printf "'< grep ^%s, %s' using 2:3 with linespoints title '%s'" "$c" "$out/cpu.csv" "$c"
		done
		echo
	} | gnuplot && echo "plot: $out/cpu.png"
else
	echo "no gnuplot (make deps installs it): no plot"
fi
