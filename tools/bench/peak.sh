#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Peak packet rate through the upper against the lower directly: the
# kernel's packet generator (pktgen) in the guest sends 64-byte UDP
# frames to the peer as fast as it can, on the VF stand-in alone
# (direct_vf), through duo0 on the VF (duonet_vf), on the PV alone
# (direct_pv), through duo0 with pv-only (duonet_pvonly), and through the
# peers on the VF: bonding active-backup (bonding) and net_failover (a
# guest of its own, QEMU failover=on; booted beside the other, only the
# guest being measured has its links up and the address). The rate is
# the frames the lower NIC sent (its tx_packets) over pktgen's run time:
# pktgen's own figure counts frames a device took, and duo0 hands them to
# the lower's qdisc, which takes more than the NIC sends (and drops the
# rest; what is still queued when pktgen ends, at most the qdisc's 1000
# frames of a run's 200000, goes uncounted). pktgen sends through
# dev_queue_xmit (xmit_mode queue_xmit) in every configuration, as a
# socket would: by default it calls the driver directly, bypassing the
# lower's qdisc that every frame through duo0 passes (a first run that
# way: 0.77 of the VF's rate through duo0, 0.65 of the PV's). The
# repetitions interleave the configurations; the figure is the median,
# with the ratio of each upper to its lower.
#
# usage: peak.sh [--kernel KREL] [--reps N] [--count FRAMES]
#                [--configs "CONFIG..."] [--out DIR]
# (defaults: newest guest kernel, 3 reps, 200000 frames, the
# configurations direct_vf duonet_vf bonding net_failover direct_pv
# duonet_pvonly, build/bench).
# Writes DIR/peak-raw.csv, DIR/peak.csv and DIR/peak.md.
set -eu
. "$(dirname "$0")/../vm/lab.sh"
. "$(dirname "$0")/lib.sh"

usage() { bench_usage "$0"; }
krel=$(bench_newest_kernel)
reps=3 count=200000 out=$LAB_TOP/build/bench
configs="direct_vf duonet_vf bonding net_failover direct_pv duonet_pvonly"
while [ $# -gt 0 ]; do
	[ $# -ge 2 ] || usage
	case $1 in
	--kernel) krel=$2 ;;
	--reps) reps=$2 ;;
	--count) count=$2 ;;
	--configs) configs=$2 ;;
	--out) out=$2 ;;
	*) usage ;;
	esac
	shift 2
done
case $reps in ''|*[!0-9]*|0) usage ;; esac
case $count in ''|*[!0-9]*|0) usage ;; esac
for c in $configs; do
	bench_config_ok "$c" || { echo "peak.sh: unknown configuration $c" >&2; usage; }
done
[ -n "$krel" ] || lab_die "no guest kernel: run 'make deps'"
mkdir -p "$out"

lab_init bench-peak "$krel"
lab_net_up
bench_boot_for $configs
peer_mac=$(lab_peer cat /sys/class/net/vpeer/address)

# One pktgen run of $count frames on CONFIG: the frames its NIC sent per
# second over pktgen's run.
pktgen() {
	local r
	r=$(bench_pktgen "$(bench_dev_of "$1")" "$(bench_nic_of "$1")" "$count" "$peer_mac") || return 1
	set -- $r
	[ "$1" -gt 0 ] || return 1
	echo $(($2 * 1000000 / $1))
}

raw=$out/peak-raw.csv
echo "config,rep,pps" > "$raw"
for rep in $(seq "$reps"); do
	for cfg in $(bench_rotate $((rep - 1)) $configs); do
		G=$(bench_guest_of "$cfg")
		bench_setup "$cfg"
		pps=$(pktgen "$cfg") || lab_die "pktgen reported no rate on $cfg"
		echo "$cfg,$rep,$pps" | tee -a "$raw" >&2
		bench_teardown "$cfg"
	done
done

python3 - "$raw" "$out/peak.csv" "$krel" "$reps" "$count" > "$out/peak.md" <<'PY'
import csv, statistics, sys
raw, dst, krel, reps, count = sys.argv[1:6]
rows = list(csv.DictReader(open(raw)))
pps = {}
for r in rows:
    pps.setdefault(r["config"], []).append(int(r["pps"]))
med = {c: statistics.median(v) for c, v in pps.items()}
lower = {"duonet_vf": "direct_vf", "bonding": "direct_vf", "net_failover": "direct_vf",
         "duonet_pvonly": "direct_pv"}
with open(dst, "w") as f:
    w = csv.writer(f)
    w.writerow(["config", "median_pps", "min", "max", "ratio_to_lower"])
    for c, v in pps.items():
        ref = med.get(lower.get(c, c))
        w.writerow([c, int(med[c]), min(v), max(v), f"{med[c] / ref:.3f}" if ref else ""])
print(f"Peak rate, pktgen in the guest, 64-byte frames ({count} per run), frames/s, "
      f"median of {reps}; kernel {krel}")
print()
print("| path | upper | lower alone | through the upper | ratio (min-max) |")
print("|---|---|---|---|---|")
rep = {c: {r["rep"]: int(r["pps"]) for r in rows if r["config"] == c} for c in pps}
for up, lo in lower.items():
    if up in med and lo in med:
        # the ratio within each repetition: the machine's pace changes between them
        each = [rep[up][k] / rep[lo][k] for k in rep[up] if k in rep[lo]]
        print(f"| {lo.split('_')[1].upper()} | {up} | {int(med[lo])} | {int(med[up])} | "
              f"{med[up] / med[lo]:.3f} ({min(each):.3f}-{max(each):.3f}) |")
PY
cat "$out/peak.md"
