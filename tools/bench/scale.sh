#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Scale: several duonet pairs in one guest. For each number of pairs N,
# a guest with N PV+VF pairs (lab_boot --pairs N: virtio_net + e1000e,
# pair i with its own MAC, taps and, on the peer, subnet 10.99.i.0/24):
#   pairing at load  modprobe duonet with all 2N NICs present: from the
#                    module's "loaded" line to the last "joined" line
#                    (guest kernel log timestamps), in all and per pair
#   pairing a VF     pair 0's VF hot-unplugged and plugged again: from
#                    e1000e's first line naming the new netdev (printed
#                    once register_netdev returned) to duonet's "joined
#                    as the vf path" (the other N-1 pairs present)
#   CPU per packet   paced UDP probes echoed by the guest, the same total
#                    rate spread evenly over the N uppers: guest CPU per
#                    echoed probe, measured as cpu.sh does (the vCPU
#                    thread's run time, idle share taken off)
# Each (N, repetition) boots a fresh guest; the repetitions rotate the
# order of the N. Figures: medians, and each N's ratio to one pair.
#
# usage: scale.sh [--kernel KREL] [--reps N] [--pairs "N1 N2 ..."]
#                 [--rate PPS] [--seconds S] [--out DIR]
# (defaults: newest guest kernel, 3 reps, pairs "1 2 4", 2000 probes/s in
#  all, 5 s, build/bench). Writes DIR/scale-raw.csv, DIR/scale.csv and
# DIR/scale.md.
set -eu
. "$(dirname "$0")/../vm/lab.sh"
. "$(dirname "$0")/lib.sh"

usage() { bench_usage "$0"; }
krel=$(bench_newest_kernel)
reps=3 pairs="1 2 4" rate=2000 secs=5 out=$LAB_TOP/build/bench
while [ $# -gt 0 ]; do
	[ $# -ge 2 ] || usage
	case $1 in
	--kernel) krel=$2 ;;
	--reps) reps=$2 ;;
	--pairs) pairs=$2 ;;
	--rate) rate=$2 ;;
	--seconds) secs=$2 ;;
	--out) out=$2 ;;
	*) usage ;;
	esac
	shift 2
done
case $reps in ''|*[!0-9]*|0) usage ;; esac
case $rate in ''|*[!0-9]*|0) usage ;; esac
case $secs in ''|*[!0-9]*|0) usage ;; esac
[ -n "$pairs" ] || usage
for n in $pairs; do
	case $n in ''|*[!0-9]*|0) usage ;; esac
	# Pair i's MAC is LAB_MAC + i, its subnet 10.99.i.0/24.
	[ "$n" -le 16 ] || { echo "scale.sh: at most 16 pairs" >&2; usage; }
done
[ -n "$krel" ] || lab_die "no guest kernel: run 'make deps'"
mkdir -p "$out"

lab_init bench-scale "$krel"
lab_net_up
# shellcheck disable=SC2086 # a list of numbers
max=$(printf '%s\n' $pairs | sort -n | tail -n 1)
for ((i = 1; i < max; i++)); do
	lab_peer ip addr add "10.99.$i.1/24" dev vpeer
done

# The guest's kernel log since the last call, as "seconds text" lines.
klog() { lab_guest "$G" 'dmesg -c' | sed -n 's/^\[ *\([0-9.]*\)\] /\1 /p'; }
# us_between FIRST-PATTERN LAST-PATTERN: microseconds from the first line
# matching the first pattern to the last matching the second, in stdin.
us_between() {
	awk -v a="$1" -v b="$2" '
		$0 ~ a && t0 == "" { t0 = $1 }
		$0 ~ b { t1 = $1 }
		END { if (t0 == "" || t1 == "" || t1 < t0) exit 1; printf "%d\n", (t1 - t0) * 1e6 + 0.5 }'
}
# Every upper has both lowers.
all_paired() {
	# (The loop in a subshell: its exit is the condition's, not the
	# script's; a VF plugged a moment ago is not yet a lower.)
	lab_guest "$G" "wait_for '[ \$(ls -d /sys/class/net/duo* 2>/dev/null | wc -l) = $1 ] &&
		(for u in /sys/class/net/duo*; do [ \$(ls -d \$u/lower_* | wc -l) = 2 ] || exit 1; done)' 20"
}

raw=$out/scale-raw.csv
echo "pairs,rep,load_us,vf_join_us,rate_pps,sent,answered,busy_ns,wall_ns,idle_busy_ns,idle_wall_ns" > "$raw"
for rep in $(seq "$reps"); do
	# shellcheck disable=SC2086
	for n in $(bench_rotate $((rep - 1)) $pairs); do
		G=s$n-$rep
		bench_boot "$G" --vf e1000e --pairs "$n"
		# shellcheck disable=SC2034 # bench_ticks reads it
		VCPU=$(bench_vcpu_tid)

		# Pairing at load.
		klog > /dev/null
		lab_guest "$G" 'modprobe duonet'
		all_paired "$n"
		load=$(klog | us_between 'duonet: .* loaded' 'joined as the')

		# Pairing a hot-plugged VF, the others present.
		lab_vf_unplug "$G" > /dev/null
		lab_guest "$G" "wait_for '[ \$(ls -d /sys/class/net/duo0/lower_* | wc -l) = 1 ]' 20"
		klog > /dev/null
		lab_vf_plug "$G" > /dev/null
		all_paired "$n"
		join=$(klog | us_between 'e1000e .* eth[0-9]*: [(]PCI Express' 'joined as the vf path')

		# Every upper up with its pair's address, TX on its VF.
		lab_guest "$G" 'for u in $(cd /sys/class/net && ls -d duo*); do
			m=$(cat /sys/class/net/$u/address); i=$((0x${m##*:} - 1))
			ip link set $u up && ip addr add 10.99.$i.2/24 dev $u || exit 1
		done
		for u in $(cd /sys/class/net && ls -d duo*); do duoctl wait $u --path vf --timeout 20 || exit 1; done'
		for ((i = 0; i < n; i++)); do
			lab_guest "$G" "ping -c 2 -W 1 10.99.$i.1 > /dev/null" || true
		done
		# Warm-up (TCG translates what runs the first time), then the
		# idle share, then the traffic: rate/n probes/s to each upper.
		# (wait for the meters by pid: QEMU is a child of this shell too)
		pids=()
		for ((i = 0; i < n; i++)); do
			lab_peer "$LAB_TOP/build/tools/lossmeter" udp -q -r $((rate / n)) -d 2 "10.99.$i.2:7777" > /dev/null &
			pids+=($!)
		done
		wait "${pids[@]}"
		i0=$(bench_ticks)
		sleep "$secs"
		i1=$(bench_ticks)
		t0=$(bench_ticks)
		pids=()
		for ((i = 0; i < n; i++)); do
			lab_peer "$LAB_TOP/build/tools/lossmeter" udp -q -r $((rate / n)) -d "$secs" -w 200 \
				"10.99.$i.2:7777" > "$LAB_DIR/scale-$i.out" &
			pids+=($!)
		done
		wait "${pids[@]}"
		t1=$(bench_ticks)
		sent=0 got=0
		for ((i = 0; i < n; i++)); do
			r=$(head -n 1 "$LAB_DIR/scale-$i.out")
			sent=$((sent + $(lab_report_get "$r" sent)))
			got=$((got + $(lab_report_get "$r" received)))
		done
		set -- $i0 $i1 $t0 $t1
		echo "$n,$rep,$load,$join,$rate,$sent,$got,$(($7 - $5)),$(($8 - $6)),$(($3 - $1)),$(($4 - $2))" |
			tee -a "$raw" >&2
		lab_qmp "$G" quit > /dev/null 2>&1 || true
		sleep 1
	done
done

python3 - "$raw" "$out/scale.csv" "$krel" "$reps" "$rate" "$secs" > "$out/scale.md" <<'PY'
import csv, statistics, sys
raw, dst, krel, reps, rate, secs = sys.argv[1:7]
rows = list(csv.DictReader(open(raw)))
by = {}
for r in rows:
    n = int(r["pairs"])
    idle = int(r["idle_busy_ns"]) / int(r["idle_wall_ns"])
    busy = int(r["busy_ns"]) / int(r["wall_ns"]) - idle
    cpu = max(busy, 0) * int(r["wall_ns"]) / 1e3 / max(int(r["answered"]), 1)
    loss = 1 - int(r["answered"]) / int(r["sent"])
    d = by.setdefault(n, {"load": [], "join": [], "cpu": [], "loss": []})
    d["load"].append(int(r["load_us"]) / n)
    d["join"].append(int(r["vf_join_us"]))
    d["cpu"].append(cpu)
    d["loss"].append(loss)
med = {n: {k: statistics.median(v) for k, v in d.items()} for n, d in by.items()}
one = med.get(min(med))
with open(dst, "w") as f:
    w = csv.writer(f)
    w.writerow(["pairs", "runs", "load_us_per_pair", "vf_join_us", "usec_per_packet",
                "cpu_min", "cpu_max", "loss_pct", "cpu_ratio_to_fewest"])
    for n in sorted(by):
        m = med[n]
        w.writerow([n, len(by[n]["cpu"]), f"{m['load']:.0f}", f"{m['join']:.0f}", f"{m['cpu']:.2f}",
                    f"{min(by[n]['cpu']):.2f}", f"{max(by[n]['cpu']):.2f}", f"{100 * m['loss']:.2f}",
                    f"{m['cpu'] / one['cpu']:.3f}"])
print(f"Several pairs in one guest, median of {reps} (a fresh guest each); kernel {krel}. "
      f"Pairing at load: modprobe with every NIC present, module loaded to last lower joined, "
      f"per pair. VF join: a re-plugged VF of pair 0, its netdev registered to joined. "
      f"CPU: guest CPU per echoed UDP probe, {rate} probes/s in all spread over the pairs, "
      f"{secs} s; ratio to {min(med)} pair(s) in brackets.")
print()
print("| pairs | pairing at load, per pair (µs) | VF join (µs) | CPU per probe (µs) |")
print("|---|---|---|---|")
for n in sorted(by):
    m = med[n]
    loss = f", {100 * m['loss']:.0f}% lost" if m["loss"] > 0.01 else ""
    print(f"| {n} | {m['load']:.0f} | {m['join']:.0f} | {m['cpu']:.1f} ({m['cpu'] / one['cpu']:.2f}){loss} |")
PY
cat "$out/scale.md"
