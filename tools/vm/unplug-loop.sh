#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# unplug-loop.sh KERNEL_RELEASE CYCLES [HOGS] [sriov|qmp]: a VF's surprise
# removal and its return, CYCLES times, ping every 2 ms, beside HOGS busy
# loops on the host (default 0). sriov (the default): failover-sriov's
# igbvf VF, removed by sriov_numvfs=0 and re-created; qmp: failover's
# e1000e, unplugged and plugged back by QMP. Per cycle the probes lost at
# the removal and at the return; then the totals. Figures for
# docs/benchmarks.md, not a test.
set -eu
. "$(dirname "$0")/lab.sh"

[ $# -ge 2 ] && [ $# -le 4 ] && case ${4:-sriov} in sriov|qmp) true;; *) false;; esac || {
	echo "usage: $0 KERNEL_RELEASE CYCLES [HOGS] [sriov|qmp]" >&2
	exit 2
}
N=$2 HOGS=${3:-0} HOW=${4:-sriov}
on() { lab_guest g0 "duoctl wait duo0 --path $1 --timeout $2"; }
if [ "$HOW" = sriov ]; then
	lab_init unplug-loop "$1"
	remove() { lab_guest g0 'sriov_vf_remove'; on pv 5; }
	back() { lab_guest g0 "sriov_vf_create $LAB_MAC >/dev/null"; on vf 20; }
else
	lab_init_pv unplug-loop "$1" virtio
	remove() { lab_vf_unplug g0; on pv 5; }
	back() { lab_vf_plug g0; on vf 20; }
fi
lab_net_up
lab_hogs "$HOGS"
if [ "$HOW" = sriov ]; then
	lab_boot g0 --vf igb-sriov
	lab_sriov_up g0
else
	lab_boot g0
	lab_guest g0 'modprobe duonet && wait_for "[ \$(ip -o link show master duo0 2>/dev/null | wc -l) = 2 ]"'
	lab_guest g0 "ip link set duo0 up && ip addr add $LAB_GUEST_IP/24 dev duo0"
	on vf 20
fi
lab_guest g0 "ping -c 1 -W 2 $LAB_PEER_IP > /dev/null"
lab_peer ping -c 1 -W 2 "$LAB_GUEST_IP" > /dev/null
lost_of() { tail -n 1 "$LAB_LOGDIR/loss.txt" | awk '{print $2}'; }
losing=0 total=0 back_total=0
for i in $(seq 1 "$N"); do
	lab_measure "remove_$i" 1000000 "icmp -i 2" remove > /dev/null || true
	r=$(lost_of)
	lab_measure "back_$i" 1000000 "icmp -i 2" back > /dev/null || true
	b=$(lost_of)
	echo "cycle $i: removal lost $r, return lost $b"
	[ "$r" = 0 ] || losing=$((losing + 1))
	total=$((total + r)) back_total=$((back_total + b))
done
echo "$1, $HOW, $HOGS hogs: $losing of $N removals lost, $total probes in all; returns lost $back_total"
