#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Short stress under traffic (ping every 2 ms): repeated VF unplug/re-plug,
# fast link flapping (flap damping must hold TX on the PV, then fail back),
# pv-only toggled in a loop while the VF comes and goes, module reloads with
# both lowers present. Asserted: no kernel splat, duo0 reachable at the
# end, per-path counters adding up to the device's, the module unloads.
#
#   peer ns                 host ns (br0)     guest g0
#   vpeer 10.99.0.1 --veth-- tp0 ------------ eth virtio_net --+
#                            tv0 ------------ eth e1000e -------+- duo0 10.99.0.2
#
# usage: stress.sh KERNEL_RELEASE
set -eu
. "$(dirname "$0")/../lab.sh"

[ $# -eq 1 ] || { echo "usage: $0 KERNEL_RELEASE" >&2; exit 2; }
lab_init stress "$1"
lab_net_up

up_duo0() {
	g g0 'modprobe duonet && wait_for "[ \$(ip -o link show master duo0 2>/dev/null | wc -l) = 2 ]"'
	g g0 "ip link set duo0 up && ip addr add $LAB_GUEST_IP/24 dev duo0 && duoctl wait duo0 --path vf --timeout 20"
}

# Loss over N unplug/re-plug cycles: make-before-break each time.
cycles() {
	local i
	for i in $(seq 10); do
		lab_vf_unplug g0 > /dev/null
		g g0 'duoctl wait duo0 --path pv --timeout 10'
		lab_vf_plug g0 > /dev/null
		g g0 'duoctl wait duo0 --path vf --timeout 20'
	done
}
case_unplug_cycles() {
	up_duo0
	lab_measure unplug_x10 5 "icmp -i 2" cycles
}

# The e1000e stand-in restarts autonegotiation at every link change, so
# the guest only sees flaps spaced by about a second: each one is waited
# for. The third VF loss within 10 s holds failback off for 5 s.
carrier() { g g0 "wait_for 'grep -q $1 /sys/class/net/\$(netdev_of_driver e1000e)/carrier' 20"; }
case_link_flapping() {
	local i fb0 fb1
	fb0=$(g g0 'ethtool -S duo0 | sed -n "s/^ *switches_failback: //p"')
	for i in 1 2 3 4; do
		lab_qmp g0 set-link vf0 down > /dev/null
		carrier 0
		lab_qmp g0 set-link vf0 up > /dev/null
		carrier 1
	done
	# The VF has link again, yet TX stays on the PV while damped ...
	g g0 '! duoctl wait duo0 --path vf --timeout 2 2>/dev/null'
	# ... then fails back when the hold ends, counted as a failback.
	g g0 'duoctl wait duo0 --path vf --timeout 10'
	fb1=$(g g0 'ethtool -S duo0 | sed -n "s/^ *switches_failback: //p"')
	expect_eq "$((fb1 - fb0))" 1 "failbacks after the hold"
	lab_ping_clean after_flapping 1
}

case_pv_only_race() {
	local i
	g g0 '(while [ ! -e /tmp/stop ]; do ethtool --set-priv-flags duo0 pv-only on; ethtool --set-priv-flags duo0 pv-only off; done) > /dev/null 2>&1 &'
	for i in 1 2 3 4 5; do
		lab_vf_unplug g0 > /dev/null
		sleep 0.3
		lab_vf_plug g0 > /dev/null
		g g0 'wait_for "ip -o link show master duo0 | grep -q \$(netdev_of_driver e1000e)" 20'
	done
	g g0 'touch /tmp/stop; sleep 1; rm /tmp/stop'
	g g0 'ethtool --set-priv-flags duo0 pv-only off; duoctl wait duo0 --path vf --timeout 20'
	lab_ping_clean after_race 1
}

# Counters per path add up to the device's own. The guest may be sending
# meanwhile, so the device's count is read between two per-path reads.
case_counters() {
	local r
	r=$(g g0 'sum() { ethtool -S duo0 | awk "/ (vf|pv)_tx_packets:/ { s += \$2 } END { print s }"; }
		echo $(sum) $(cat /sys/class/net/duo0/statistics/tx_packets) $(sum)')
	lab_log "tx packets: per path before, device, per path after: $r"
	set -- $r
	[ "$1" -gt 0 ] && [ "$1" -le "$2" ] && [ "$2" -le "$3" ]
}

reloads() {
	local i
	for i in 1 2 3 4 5; do
		g g0 'rmmod duonet'
		up_duo0
	done
}
case_reload_under_traffic() {
	reloads
	lab_ping_clean after_reloads 1
	g g0 'rmmod duonet && ! test -d /sys/module/duonet'
}

case_guest_log_clean() { lab_check_log g0; }

lab_boot g0 --vf e1000e
run_case unplug_cycles case_unplug_cycles
run_case link_flapping case_link_flapping
run_case pv_only_race case_pv_only_race
run_case counters case_counters
run_case reload_under_traffic case_reload_under_traffic
run_case guest_log_clean case_guest_log_clean
