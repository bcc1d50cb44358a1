#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Where segmentation is done: duo0 offers it, the lower does it, once.
# A VXLAN tunnel over duo0 (as every container overlay) carries a TCP
# stream from the guest. Neither lower here segments UDP tunnels (e1000e,
# virtio_net), so one has to do it in software: the lower, in its own
# dev_queue_xmit(), sending each GSO batch to its driver with xmit_more.
# duo0 counts the skbs it hands down (tx_packets), the lower's driver the
# frames it sends: many frames per skb when the lower segments, one when
# duo0 did (as when its offloads were the lowers' intersection).
# Over the VF, then over the PV (pv-only).
#
#   peer ns                        host ns (br0)    guest g0
#   vpeer 10.99.0.1 --veth-- vhost, tp0 ---------- eth virtio_net --+
#   vxlan0 10.98.0.1 (VNI 42)       tv0 ---------- eth e1000e -------+- duo0 10.99.0.2
#   iperf3 -s                                                          vxlan0 10.98.0.2
#
# usage: offloads.sh KERNEL_RELEASE
set -eu
. "$(dirname "$0")/../lab.sh"

[ $# -eq 1 ] || { echo "usage: $0 KERNEL_RELEASE" >&2; exit 2; }
lab_init offloads "$1"
lab_net_up

txp() { lab_guest g0 "cat /sys/class/net/$1/statistics/tx_packets"; }

case_up() {
	ip netns exec "$LAB_PEER_NS" iperf3 -s -p 5201 > "$LAB_DIR/iperf-srv.log" 2>&1 &
	echo $! > "$LAB_DIR/iperf-srv.pid"
	lab_peer ip link add vxlan0 type vxlan id 42 dstport 4789 local "$LAB_PEER_IP" \
		remote "$LAB_GUEST_IP" dev vpeer
	lab_peer ip addr add 10.98.0.1/24 dev vxlan0
	# The peer's TCP checksums complete: QEMU's e1000e does not finish an
	# inner checksum the host left partial (its tap carries the offload),
	# so the guest dropped the peer's segments as bad (TCP InCsumErrors;
	# the same with the tunnel straight on the e1000e, without duonet).
	lab_peer ethtool -K vxlan0 tx off > /dev/null
	lab_peer ip link set vxlan0 up
	lab_guest g0 'modprobe vxlan && modprobe duonet'
	lab_guest g0 'wait_for "[ \$(ip -o link show master duo0 2>/dev/null | wc -l) = 2 ]"'
	lab_guest g0 "ip link set duo0 up && ip addr add $LAB_GUEST_IP/24 dev duo0 && duoctl wait duo0 --path vf --timeout 20"
	lab_guest g0 "ip link add vxlan0 type vxlan id 42 dstport 4789 local $LAB_GUEST_IP remote $LAB_PEER_IP dev duo0 &&
		ip addr add 10.98.0.2/24 dev vxlan0 && ip link set vxlan0 up &&
		ping -c 1 -W 5 10.98.0.1 > /dev/null"
	# duo0 offers tunnel segmentation; neither lower has it.
	lab_guest g0 'ethtool -k duo0' | grep -q '^tx-udp_tnl-segmentation: on'
	lab_guest g0 'ethtool -k $(netdev_of_driver e1000e); ethtool -k $(netdev_of_driver virtio_net)' |
		grep -c '^tx-udp_tnl-segmentation: off' | grep -qx 2
}

# stream LOWER-DRIVER NAME: 3 s of TCP through the tunnel; checks the
# lower sent at least MIN_RATIO frames per skb duo0 handed it. Measured
# on 7.3 and 6.1: 28 and 38 over the e1000e VF, 44 and 36 over the virtio
# PV (the TCP stack's GSO sizes); duo0 segmenting makes it 1 (broken on
# purpose: 91477 skbs, 91477 frames). 4 tells the two apart.
MIN_RATIO=4
stream() {
	local lower d0 l0 d1 l1 out
	lower=$(lab_guest g0 "netdev_of_driver $1")
	d0=$(txp duo0)
	l0=$(txp "$lower")
	out=$(lab_guest g0 'iperf3 -c 10.98.0.1 -p 5201 -t 3 -f m' | grep -E 'sender$' | tr -s ' ')
	d1=$(txp duo0)
	l1=$(txp "$lower")
	lab_log "$2: iperf3 $out; duo0 handed down $((d1 - d0)) skbs, $lower ($1) sent $((l1 - l0)) frames"
	[ -n "$out" ]
	expect_le $((MIN_RATIO * (d1 - d0))) $((l1 - l0)) "$2: frames the lower sent, at least $MIN_RATIO per skb of duo0's"
}

case_vxlan_over_vf() {
	stream e1000e vf
}

case_vxlan_over_pv() {
	lab_guest g0 'ethtool --set-priv-flags duo0 pv-only on && duoctl wait duo0 --path pv --timeout 5'
	stream virtio_net pv
	lab_guest g0 'ethtool --set-priv-flags duo0 pv-only off && duoctl wait duo0 --path vf --timeout 5'
}

case_guest_log_clean() { lab_check_log g0; }

lab_boot g0 --vf e1000e
run_case up case_up
run_case vxlan_over_vf case_vxlan_over_vf
run_case vxlan_over_pv case_vxlan_over_pv
run_case guest_log_clean case_guest_log_clean
