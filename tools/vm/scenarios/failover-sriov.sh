#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# duonet over a real SR-IOV VF: the guest's igb PF creates one VF (igbvf)
# with the PV's MAC; duonet pairs it; the VF is removed and re-created by
# the guest (sriov_numvfs), with loss counted on the peer: ping every 2 ms,
# and UDP at 1000 packets/s echoed by the guest for the planned switch.
#
#   peer ns                 host ns (br0)        guest g0
#   vpeer 10.99.0.1 --veth-- vhost, tp0 -------- eth virtio_net ---+
#                                   tv0 -------- eth igb PF (rp1)   +- duo0 10.99.0.2
#                                                 `- eth igbvf VF --+
#
# usage: failover-sriov.sh KERNEL_RELEASE
set -eu
. "$(dirname "$0")/../lab.sh"

[ $# -eq 1 ] || { echo "usage: $0 KERNEL_RELEASE" >&2; exit 2; }
lab_init failover-sriov "$1"
lab_net_up

wait_path() { lab_guest g0 "wait_for '[ \"\$(ethtool -S duo0 | sed -n \"s/^ *vf_active: //p\")\" = $1 ]' ${2:-20}"; }
vf_create() { lab_guest g0 "sriov_vf_create $LAB_MAC >/dev/null"; }
vf_remove() { lab_guest g0 'sriov_vf_remove'; }

# measure NAME MAXLOST MODE RATE-ARGS COMMAND...: traffic around COMMAND.
measure() {
	local name=$1 max=$2 margs="$3 $4"
	shift 4
	lab_measure "$name" "$max" "$margs" "$@"
}

case_pair_igbvf() {
	lab_guest g0 'modprobe duonet && wait_for "ip link show duo0 >/dev/null 2>&1"'
	vf_create
	lab_guest g0 'wait_for "lower_of_duo0 igbvf" 20'
	# The PF has its own MAC: it must not have been paired.
	lab_guest g0 '! ip -o link show master duo0 | grep -q "$(netdev_of_driver igb):"'
	lab_guest g0 "ip link set duo0 up && ip addr add $LAB_GUEST_IP/24 dev duo0"
	wait_path 1
	lab_guest g0 'lossmeter echo > /dev/null 2>&1 &'
	# Neighbours resolved both ways, so probes measure the paths only.
	lab_guest g0 "ping -c 1 -W 2 $LAB_PEER_IP > /dev/null"
	lab_peer ping -c 1 -W 2 "$LAB_GUEST_IP" > /dev/null
}

planned() {
	lab_guest g0 'ethtool --set-priv-flags duo0 pv-only on'
	wait_path 0
	vf_remove
	vf_create
	lab_guest g0 'wait_for "lower_of_duo0 igbvf" 20'
	lab_guest g0 'ethtool --set-priv-flags duo0 pv-only off'
	wait_path 1
}
case_planned_udp() {
	measure planned_udp_1000pps 0 udp "-r 1000" planned
}
case_planned_ping() {
	measure planned_ping 0 icmp "-i 2" planned
}

surprise() {
	vf_remove
	wait_path 0 5
}
back() {
	vf_create
	wait_path 1
}
# A surprise removal (not the planned sequence): TX moves at the VF's PCI
# unbind, before its driver lets go. Ten runs of make check on 2026-11-25,
# before the PCI watch made the unplug make-before-break: 0 lost 7 times,
# 1 twice, 2 once. Then 0 in 60 of 60 cycles (30 each on 6.1 and 7.3, ping
# every 2 ms, 2026-12-07), yet a CI run on 6.1 lost 2 and, beside two busy
# loops, 4 of 40 removals on 6.1 lost 1-4: requests the bridge sent to
# the VF before it learnt the PV's port (failover.sh's
# case_surprise_removal). Since the unbind waits for a unicast on the PV:
# 0 in 40 of 40 there (tools/vm/unplug-loop.sh 6.1.0-57-amd64 40 2): bound 0.
case_surprise_removal() {
	measure sriov_numvfs_0 0 icmp "-i 2" surprise
	measure vf_recreated 1 icmp "-i 2" back
}

case_guest_log_clean() { lab_check_log g0; }

lab_boot g0 --vf igb-sriov
rm -f "$LAB_LOGDIR/loss.txt"
run_case pair_igbvf case_pair_igbvf
run_case planned_udp case_planned_udp
run_case planned_ping case_planned_ping
run_case surprise_removal case_surprise_removal
run_case guest_log_clean case_guest_log_clean
