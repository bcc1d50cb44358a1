#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Guest instructions per frame, TX and RX, 64-byte frames: the e1000e VF
# stand-in alone (direct_vf), duo0 over it (duonet_vf), bonding
# active-backup with the VF active and net_failover with the VF as its
# primary (QEMU failover=on, a guest of its own), in one run, the
# repetitions interleaved (lib.sh has the configurations).
#
# The guests run with QEMU's -icount shift=0 (LAB_ICOUNT=1): while the
# CPU runs, the guest's clock advances one nanosecond per instruction, so
# a count of instructions is a difference of clock readings, the same on
# every run whatever the host is doing. Guest time is not CPU time,
# though: an idle guest's clock runs at the host's pace. So:
#  - TX: pktgen sends FRAMES frames through the configuration's device
#    (xmit_mode queue_xmit, as a socket's frames go: the upper, then the
#    lower's qdisc and driver); pktgen never sleeps, so its run time in
#    nanoseconds (its "Result: OK: N usec") is the instructions the guest
#    ran to build, queue, send and complete those frames, less what else
#    ran meanwhile: the least of three runs (tx()). The frames the VF
#    sent (its tx_packets) must be all of them.
#  - RX: the peer sends paced UDP (lossmeter, 20-byte payload: 62-byte
#    frames, 66 on the wire) to a port of the guest nobody listens on: the
#    driver, GRO, the upper's rx_handler, IP and UDP's lookup, a drop
#    (ICMP unreachable is rate-limited to about one a second). At the
#    default 1000 frames/s each frame is received alone (its interrupt,
#    its NAPI poll); faster, the frames a poll finds depend on the host's
#    timing and the cost per frame with them (3% apart at 20000). Meanwhile
#    tools/bench/spin runs at SCHED_IDLE and takes every instruction no
#    one else wants, a counter turn at a time, so the CPU never halts and
#    the clock's advance is every instruction. Each window runs from a
#    reading in one agent command to a reading in the next, so its advance
#    is the turns times a turn's price (the loop's 4 instructions and the
#    background, ticks, that comes with time) plus a fixed cost (the ends
#    of two agent commands). Two windows without traffic, one with none
#    between the readings and one as long as the traffic's, give both;
#    the traffic window's advance less the fixed cost and its turns at
#    that price is what the frames cost, divided by the frames the VF
#    received.
#
# usage: icount.sh [--kernel KREL] [--reps N] [--frames N] [--rx-rate PPS]
#                  [--seconds S] [--configs "CONFIG..."] [--out DIR]
# (defaults: newest guest kernel, 3 reps, 50000 TX frames, RX at 1000
# frames/s for 5 s, the configurations direct_vf duonet_vf bonding
# net_failover, build/bench). Writes DIR/icount-raw.csv, DIR/icount.csv
# and DIR/icount.md.
set -eu
. "$(dirname "$0")/../vm/lab.sh"
. "$(dirname "$0")/lib.sh"

usage() { bench_usage "$0"; }
krel=$(bench_newest_kernel)
reps=3 frames=50000 rate=1000 secs=5 out=$LAB_TOP/build/bench
configs="direct_vf duonet_vf bonding net_failover"
while [ $# -gt 0 ]; do
	[ $# -ge 2 ] || usage
	case $1 in
	--kernel) krel=$2 ;;
	--reps) reps=$2 ;;
	--frames) frames=$2 ;;
	--rx-rate) rate=$2 ;;
	--seconds) secs=$2 ;;
	--configs) configs=$2 ;;
	--out) out=$2 ;;
	*) usage ;;
	esac
	shift 2
done
for n in "$reps" "$frames" "$rate" "$secs"; do
	case $n in ''|*[!0-9]*|0) usage ;; esac
done
for c in $configs; do
	bench_config_ok "$c" || { echo "icount.sh: unknown configuration $c" >&2; usage; }
done
[ -n "$krel" ] || lab_die "no guest kernel: run 'make deps'"
mkdir -p "$out"

LAB_ICOUNT=1
lab_init bench-icount "$krel"
lab_net_up
bench_boot_for $configs
peer_mac=$(lab_peer cat /sys/class/net/vpeer/address)
# The figures are counts only if QEMU counts: check its command line.
for f in "$LAB_DIR"/g0.pid "$LAB_DIR"/gf.pid; do
	[ -f "$f" ] || continue
	tr '\0' ' ' < "/proc/$(cat "$f")/cmdline" | grep -q -- ' -icount shift=0' ||
		lab_die "QEMU $(cat "$f") runs without -icount shift=0"
done

# snap NIC: "CLOCK_NS SPIN_TURNS RX_PACKETS" in $G.
snap() {
	lab_guest "$G" "echo \$(sed -n 's/^now at \([0-9]*\) nsecs\$/\1/p' /proc/timer_list) \
		\$(od -An -tu8 /tmp/spin) \$(cat /sys/class/net/$1/statistics/rx_packets)"
}

# rx CONFIG: a CSV row.
rx() {
	local nic z0 z1 q0 q1 a b
	nic=$(bench_nic_of "$1")
	lab_guest "$G" '(spin /tmp/spin > /dev/null 2>&1 &); wait_for "[ -s /tmp/spin ]" 10'
	z0=$(snap "$nic")
	z1=$(snap "$nic")
	q0=$(snap "$nic")
	sleep "$secs.1"
	q1=$(snap "$nic")
	a=$(snap "$nic")
	lab_peer "$LAB_TOP/build/tools/lossmeter" udp -q -r "$rate" -d "$secs" -s 20 -w 100 \
		"$LAB_GUEST_IP:9" > /dev/null
	b=$(snap "$nic")
	lab_guest "$G" 'kill $(pidof spin); rm -f /tmp/spin'
	set -- $z0 $z1 $q0 $q1 $a $b
	[ $# = 18 ] || lab_die "rx on $nic: $# fields in six readings, not 18: $*"
	[ "${18}" -gt "${15}" ] || lab_die "rx on $nic: no frames received"
	# A window's clock advance = fixed + turns * price (see the top).
	python3 -c "import sys
z0, t0, _, z1, t1, _, q0, u0, _, q1, u1, _, a0, s0, r0, a1, s1, r1 = map(int, sys.argv[1:19])
price = ((q1 - q0) - (z1 - z0)) / ((u1 - u0) - (t1 - t0))
fixed = (z1 - z0) - price * (t1 - t0)
print(f'rx,{r1 - r0},{round((a1 - a0) - fixed - price * (s1 - s0))},{price:.4f},{round(fixed)}')" "$@"
}

# tx CONFIG: a CSV row; its NIC must have sent all the frames (a frame
# or two more are the guest's own, an ARP).
# The least of three runs back to back: e1000e's watchdog (every 2 s, with
# its PHY task: register reads that each wait 50 us, 0.55 ms of guest
# time, so some 650000 instructions in all) lands in a run when its time
# comes inside it, and then the run counts about 30 instructions a frame
# more (ftrace of a 7.3 guest, 2026-12-08; 4 of the 24 runs of make
# check's smoke in six checks, 0.55-0.87 M more). The first of three
# runs after duo0's setup counted 0.13-0.69 M more in 3 of 3 when tried,
# not traced; the other two agreed to 5000. The three runs take about
# 1.4 s of the guest's clock (1387-1493 ms in six measurements).
tx() {
	local cfg=$1 r least= i
	for i in 1 2 3; do
		r=$(bench_pktgen "$(bench_dev_of "$cfg")" "$(bench_nic_of "$cfg")" "$frames" "$peer_mac") ||
			lab_die "pktgen reported nothing on $cfg"
		set -- $r
		[ "$2" -ge "$frames" ] || lab_die "$cfg: the NIC sent $2 of $frames frames"
		[ -n "$least" ] && [ "$least" -le "$1" ] || least=$1
	done
	echo "tx,$frames,$((least * 1000)),,"
}

raw=$out/icount-raw.csv
echo "config,rep,dir,frames,instructions,clock_per_spin_turn,fixed_per_window" > "$raw"
# One TX measurement per configuration first, not counted: a guest's
# one-time work after its boot (the random pool's "crng init done", some
# 130000 instructions in a run of a 7.3 guest's) lands in its first runs.
# (The 43 instructions a frame more that a first run once counted, direct_vf
# 54351000 against 53477000 on 2026-12-07, were the size of the watchdog's
# that tx() leaves out.)
for cfg in $configs; do
	G=$(bench_guest_of "$cfg")
	bench_setup "$cfg"
	tx "$cfg" > /dev/null
	bench_teardown "$cfg"
done
for rep in $(seq "$reps"); do
	for cfg in $(bench_rotate $((rep - 1)) $configs); do
		G=$(bench_guest_of "$cfg")
		bench_setup "$cfg"
		r=$(tx "$cfg")
		echo "$cfg,$rep,$r" | tee -a "$raw" >&2
		r=$(rx "$cfg")
		echo "$cfg,$rep,$r" | tee -a "$raw" >&2
		bench_teardown "$cfg"
	done
done

python3 - "$raw" "$out/icount.csv" "$krel" "$reps" "$frames" "$rate" "$secs" > "$out/icount.md" <<'PY'
import csv, statistics, sys
raw, dst, krel, reps, frames, rate, secs = sys.argv[1:8]
per = {}
for r in csv.DictReader(open(raw)):
    per.setdefault((r["config"], r["dir"]), []).append(int(r["instructions"]) / int(r["frames"]))
configs = list(dict.fromkeys(c for c, _ in per))
med = {k: statistics.median(v) for k, v in per.items()}
with open(dst, "w") as f:
    w = csv.writer(f)
    w.writerow(["config", "dir", "median_instructions_per_frame", "min", "max", "ratio_to_direct_vf"])
    for c in configs:
        for d in ("tx", "rx"):
            if (c, d) in per:
                v, ref = per[(c, d)], med.get(("direct_vf", d))
                w.writerow([c, d, round(med[(c, d)]), round(min(v)), round(max(v)),
                            f"{med[(c, d)] / ref:.3f}" if ref else ""])
print(f"Guest instructions per frame (QEMU -icount shift=0), median of {reps} (min-max); "
      f"ratio to direct_vf; kernel {krel}. TX: pktgen, {frames} 64-byte frames; "
      f"RX: {rate} frames/s for {secs} s from the peer to a closed UDP port")
print()
print("| config | TX | TX ratio | RX | RX ratio |")
print("|---|---|---|---|---|")
for c in configs:
    cells = []
    for d in ("tx", "rx"):
        if (c, d) not in per:
            cells += ["-", "-"]
            continue
        v, ref = per[(c, d)], med.get(("direct_vf", d))
        cells.append(f"{med[(c, d)]:.0f} ({min(v):.0f}-{max(v):.0f})")
        cells.append(f"{med[(c, d)] / ref:.3f}" if ref else "-")
    print(f"| {c} | " + " | ".join(cells) + " |")
PY
cat "$out/icount.md"
