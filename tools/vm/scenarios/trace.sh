#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Tracepoints: duonet:duonet_path_switch once per switch with the right
# from, to and reason (a planned switch, its return, a surprise removal, a
# re-plug), and duonet:duonet_lower_event for the lowers' events; duotrace
# (BPF on the tracepoint) printing the same switches, and the packet rate
# on each path with --rate.
#
#   peer ns                 host ns (br0)     guest g0
#   vpeer 10.99.0.1 --veth-- tp0 ------------ eth virtio_net --+
#                            tv0 ------------ eth e1000e -------+- duo0 10.99.0.2
#
# usage: trace.sh KERNEL_RELEASE
set -eu
. "$(dirname "$0")/../lab.sh"

[ $# -eq 1 ] || { echo "usage: $0 KERNEL_RELEASE" >&2; exit 2; }
lab_init trace "$1"
lab_net_up
T=/sys/kernel/tracing

# switches: the path switch events since the last call, one per line as
# "from>to:reason", the buffer cleared.
switches() {
	lab_guest g0 "sed -n 's/.*duonet_path_switch: dev=duo0 from=\([a-z]*\) to=\([a-z]*\) reason=\([a-z-]*\) usecs=[0-9]*$/\1>\2:\3/p' $T/trace; echo > $T/trace"
}

case_up() {
	lab_guest g0 "mount -t tracefs nodev $T 2>/dev/null || [ -d $T/events ]"
	lab_guest g0 'modprobe duonet'
	lab_guest g0 "echo 1 > $T/events/duonet/enable && echo > $T/trace"
	lab_guest g0 '[ "$(cat '$T'/events/duonet/duonet_path_switch/enable)" = 1 ]'
	lab_guest g0 'wait_for "[ \$(ip -o link show master duo0 2>/dev/null | wc -l) = 2 ]"'
	lab_guest g0 "ip link set duo0 up && ip addr add $LAB_GUEST_IP/24 dev duo0 && duoctl wait duo0 --path vf --timeout 20"
	# The PV joined when the module loaded, before tracing could start;
	# then the VF got its link.
	expect_eq "$(switches | tail -n 1)" "pv>vf:carrier" "last switch while pairing"
}

case_planned() {
	# duotrace (BPF on the tracepoint) sees the same two switches.
	lab_guest g0 'duotrace --count 2 --duration 30 duo0 > /tmp/duotrace.out 2> /tmp/duotrace.err &
		wait_for "grep -q tracing /tmp/duotrace.err"'
	lab_guest g0 'ethtool --set-priv-flags duo0 pv-only on && duoctl wait duo0 --path pv --timeout 5'
	expect_eq "$(switches)" "vf>pv:pv-only" "pv-only on"
	lab_guest g0 'ethtool --set-priv-flags duo0 pv-only off && duoctl wait duo0 --path vf --timeout 5'
	expect_eq "$(switches)" "pv>vf:pv-only" "pv-only off"
	lab_guest g0 'wait_for "[ \$(wc -l < /tmp/duotrace.out) = 2 ]" 10'
	lab_log "duotrace: $(lab_guest g0 'cat /tmp/duotrace.out' | paste -sd '|')"
	expect_eq "$(lab_guest g0 "sed 's/^[0-9:.]* //; s/ [0-9]* us\$/ N us/' /tmp/duotrace.out" | paste -sd '|')" \
		"duo0 vf -> pv reason pv-only N us|duo0 pv -> vf reason pv-only N us" "duotrace's lines"
}

# duotrace --rate: ping every 2 ms is about 500 packets/s each way, on the VF.
case_duotrace_rate() {
	local out vf_tx vf_rx
	lab_meter_start rate icmp -i 2 -d 5
	out=$(lab_guest g0 'sleep 1; duotrace --rate --duration 3 duo0 2>/dev/null')
	lab_meter_wait rate >/dev/null
	lab_log "duotrace --rate: $(printf '%s' "$out" | paste -sd '|')"
	vf_tx=$(printf '%s\n' "$out" | sed -n 's/.* rate vf tx \([0-9]*\) rx .*/\1/p' | tail -n 1)
	vf_rx=$(printf '%s\n' "$out" | sed -n 's/.* rate vf tx [0-9]* rx \([0-9]*\) pv .*/\1/p' | tail -n 1)
	[ "$(printf '%s\n' "$out" | grep -c ' rate ')" -ge 2 ]
	expect_le 300 "$vf_tx" "VF TX packets/s"
	expect_le "$vf_tx" 700 "VF TX packets/s"
	expect_le 300 "$vf_rx" "VF RX packets/s"
	printf '%s\n' "$out" | grep ' rate ' | tail -n 1 | grep -q 'pv tx 0 rx 0 pps$'
}

case_surprise_removal() {
	lab_vf_unplug g0
	lab_guest g0 'duoctl wait duo0 --path pv --timeout 10'
	expect_eq "$(lab_guest g0 "grep -c 'duonet_lower_event: dev=duo0 lower=[a-z0-9]* role=vf event=unregister' $T/trace")" 1 \
		"the VF's unregister event"
	expect_eq "$(switches)" "vf>pv:unplug" "surprise removal"
	lab_vf_plug g0
	lab_guest g0 'duoctl wait duo0 --path vf --timeout 20'
	# The time the switch took: the event's is ethtool -S's.
	expect_eq "$(lab_guest g0 "sed -n 's/.*duonet_path_switch: .* usecs=//p' $T/trace")" \
		"$(lab_guest g0 'ethtool -S duo0 | sed -n "s/^ *last_switch_usecs: //p"')" "usecs of the switch"
	expect_eq "$(switches)" "pv>vf:carrier" "re-plug"
}

case_guest_log_clean() { lab_check_log g0; }

lab_boot g0 --vf e1000e
run_case up case_up
run_case planned case_planned
run_case duotrace_rate case_duotrace_rate
run_case surprise_removal case_surprise_removal
run_case guest_log_clean case_guest_log_clean
