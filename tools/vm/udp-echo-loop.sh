#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# udp-echo-loop.sh KERNEL_RELEASE CYCLES [HOGS]: failover-sriov's planned
# sequence through an igbvf VF with UDP at 1000/s echoed by the guest,
# CYCLES times, beside HOGS busy loops on the host (default 0). Per cycle:
# the probes lost and the rise of the guest's Udp RcvbufErrors (what the
# echo's socket had no room for); then the totals. Figures for
# docs/benchmarks.md, not a test.
set -eu
. "$(dirname "$0")/lab.sh"

[ $# -ge 2 ] || { echo "usage: $0 KERNEL_RELEASE CYCLES [HOGS]" >&2; exit 2; }
N=$2 HOGS=${3:-0}
lab_init udp-echo-loop "$1"
lab_net_up
lab_hogs "$HOGS"
on() { lab_guest g0 "duoctl wait duo0 --path $1 --timeout 20"; }
planned() {
	lab_guest g0 'ethtool --set-priv-flags duo0 pv-only on'
	on pv
	lab_guest g0 'sriov_vf_remove'
	lab_guest g0 "sriov_vf_create $LAB_MAC >/dev/null"
	lab_guest g0 'wait_for "lower_of_duo0 igbvf" 20'
	lab_guest g0 'ethtool --set-priv-flags duo0 pv-only off'
	on vf
}
rcvbuf() { lab_guest g0 'awk "/^Udp:/ { if (n++) print \$6 }" /proc/net/snmp'; }
lab_boot g0 --vf igb-sriov
lab_sriov_up g0
lab_guest g0 'lossmeter echo > /dev/null 2>&1 &'
lab_guest g0 "ping -c 1 -W 2 $LAB_PEER_IP > /dev/null"
losing=0 total=0
for i in $(seq 1 "$N"); do
	b=$(rcvbuf)
	lab_measure "cycle_$i" 1000000 "udp -r 1000" planned > /dev/null || true
	a=$(rcvbuf)
	lost=$(tail -n 1 "$LAB_LOGDIR/loss.txt" | awk '{print $2}')
	echo "cycle $i: lost $lost, guest RcvbufErrors +$((a - b))"
	[ "$lost" = 0 ] || losing=$((losing + 1))
	total=$((total + lost))
done
echo "$1, $HOGS hogs: $losing of $N cycles lost, $total probes in all"
