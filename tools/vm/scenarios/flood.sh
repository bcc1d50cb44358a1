#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Exactly-once receive (core/dedup.c): broadcast ARP requests and
# multicast echo requests from the peer, each answered exactly once, with
# TX on the VF and on the PV (pv-only, the VF staying), in three host
# styles made with the bridge's per-port flood flags:
#   both    every broadcast and multicast on both taps (the bridge's own
#           flooding: a VF sharing the PV's physical port)
#   pv, vf  on one tap only (netvsc's host: bcast_flood and mcast_flood
#           off on the other)
#   split   each request on one tap or the other, alternately (requests
#           sent one at a time, the flags set between them: 300 ms and
#           more apart, so this style cannot pair frames within the 20 ms
#           window; KUnit's duonet_dedup holds those cases)
# The requests go 5 ms apart, so the identical ARP requests of the
# one-path styles fall within the window of each other: paired across
# paths only, never on one.
# Counted: the answers on the peer, each lower's broadcast/multicast frames
# and duo0's rx_flood_duplicates.
#
#   peer ns                    host ns (br0)     guest g0
#   vpeer 10.99.0.1 --veth----- tp0 ------------ eth virtio_net --+
#   floodprobe.py               tv0 ------------ eth e1000e -------+- duo0
#
# usage: flood.sh KERNEL_RELEASE
set -eu
. "$(dirname "$0")/../lab.sh"

[ $# -eq 1 ] || { echo "usage: $0 KERNEL_RELEASE" >&2; exit 2; }
lab_init flood "$1"
lab_net_up
# Only the probes' broadcasts and multicasts: no IPv6 chatter from the peer.
lab_peer sysctl -qw net.ipv6.conf.all.disable_ipv6=1
N=10
SPLIT_N=4	# split: one probe run per request, about 1 s each

stat() { lab_guest g0 "ethtool -S duo0 | sed -n 's/^ *$1: //p'"; }
flood() { lab_ns ip link set dev "$1" type bridge_slave bcast_flood "$2" mcast_flood "$2"; }
style() {
	case $1 in
	both|split) flood tp0 on; flood tv0 on ;;
	pv) flood tp0 on; flood tv0 off ;;
	vf) flood tp0 off; flood tv0 on ;;
	esac
}

case_up() {
	lab_guest g0 'modprobe duonet && wait_for "[ \$(ip -o link show master duo0 2>/dev/null | wc -l) = 2 ]"'
	lab_guest g0 "ip link set duo0 up && ip addr add $LAB_GUEST_IP/24 dev duo0 && duoctl wait duo0 --path vf --timeout 20"
	# Echo requests to a multicast group are answered (224.0.0.1).
	lab_guest g0 'echo 0 > /proc/sys/net/ipv4/icmp_echo_ignore_broadcasts'
	lab_ping_clean duo0 1
}

# probe KIND STYLE TX: N requests of KIND (arp, mcast) in host STYLE, TX
# on the path TX (vf, pv); N answers, and as many duplicates dropped as
# the host sent second copies.
probe() {
	local kind=$1 st=$2 tx=$3 d0 d1 r i args dups sent answers n=$N
	style "$st"
	if [ "$tx" = pv ]; then
		lab_guest g0 'ethtool --set-priv-flags duo0 pv-only on && duoctl wait duo0 --path pv --timeout 20'
	fi
	d0=$(stat rx_flood_duplicates)
	case $kind in
	arp) args="arp vpeer $LAB_GUEST_IP $N 5" ;;
	mcast) args="mcast vpeer 224.0.0.1 $N 5" ;;
	esac
	if [ "$st" = split ]; then
		# Each request alone, on one tap or the other in turn: a
		# resolver's retransmits, a host splitting them.
		sent=0 answers=0
		for ((i = 0; i < SPLIT_N; i++)); do
			if ((i % 2)); then style vf; else style pv; fi
			# shellcheck disable=SC2086
			r=$(lab_peer python3 "$LAB_VM/floodprobe.py" ${args% * *} 1 5)
			sent=$((sent + $(lab_report_get "$r" sent)))
			answers=$((answers + $(lab_report_get "$r" answers)))
		done
		echo "sent=$sent answers=$answers" > "$LAB_DIR/flood.out"
		n=$SPLIT_N
	else
		# shellcheck disable=SC2086
		lab_peer python3 "$LAB_VM/floodprobe.py" $args > "$LAB_DIR/flood.out"
	fi
	r=$(cat "$LAB_DIR/flood.out")
	d1=$(stat rx_flood_duplicates)
	if [ "$tx" = pv ]; then
		lab_guest g0 'ethtool --set-priv-flags duo0 pv-only off && duoctl wait duo0 --path vf --timeout 20'
	fi
	style both
	dups=$((d1 - d0))
	lab_log "$kind, host floods $st, TX on $tx: $r; second copies dropped: $dups"
	expect_eq "$(lab_report_get "$r" sent)" "$n" "$kind requests sent"
	expect_eq "$(lab_report_get "$r" answers)" "$n" "$kind requests answered ($st, TX on $tx)"
	if [ "$st" = both ]; then
		expect_eq "$dups" "$N" "second copies dropped ($kind, $st, TX on $tx)"
	else
		expect_eq "$dups" 0 "frames dropped as copies ($kind, $st, TX on $tx)"
	fi
}

case_arp() {
	local st tx
	for st in both pv vf split; do
		for tx in vf pv; do
			probe arp "$st" "$tx"
		done
	done
}

case_multicast() {
	local st tx
	for st in both pv vf split; do
		for tx in vf pv; do
			probe mcast "$st" "$tx"
		done
	done
}

case_guest_log_clean() {
	lab_check_log g0
}

lab_boot g0 --vf e1000e
run_case up case_up
run_case arp case_arp
run_case multicast case_multicast
run_case guest_log_clean case_guest_log_clean
