#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Fault injection (debug kernel only: make check runs debug-*.sh
# there, lower/fault.h): make one lower operation fail (MTU set, MAC set,
# open, rx handler registration, offload sync) and check the error
# reaches the user, duo0 and both lowers are as before (rolled back), and
# the same operation works once the fault is gone.
#
#   peer ns                 host ns (br0)     guest g0
#   vpeer 10.99.0.1 --veth-- tp0 ------------ eth virtio_net --+
#                            tv0 ------------ eth e1000e -------+- duo0 10.99.0.2
#
# usage: debug-faults.sh KERNEL_RELEASE
set -eu
. "$(dirname "$0")/../lab.sh"

[ $# -eq 1 ] || { echo "usage: $0 KERNEL_RELEASE" >&2; exit 2; }
lab_init debug-faults "$1"
lab_net_up
F=/sys/kernel/debug/duonet

# arm NAME INTERVAL: the INTERVAL-th call of that operation fails, once.
arm() {
	lab_guest g0 "echo 0 > $F/$1/verbose && echo $2 > $F/$1/interval && echo 1 > $F/$1/times && echo 100 > $F/$1/probability"
}
disarm() { lab_guest g0 "echo 0 > $F/$1/probability"; }

# state: MTU and MAC of duo0 and of both lowers, and the lowers' masters.
state() {
	lab_guest g0 'for d in duo0 $(netdev_of_driver virtio_net) $(netdev_of_driver e1000e); do
		echo "$d $(cat /sys/class/net/$d/mtu) $(cat /sys/class/net/$d/address) $(basename "$(readlink /sys/class/net/$d/master 2>/dev/null)" 2>/dev/null)"
	done'
}

# fails WHAT COMMAND TEXT: the guest command fails printing TEXT and the
# state is as before.
fails() {
	local before out
	before=$(state)
	out=$(lab_guest g0 "$2 2>&1; echo rc=\$?")
	lab_log "$1: $(printf '%s' "$out" | paste -sd '|')"
	case $out in *rc=0) lab_log "$1 succeeded"; return 1 ;; esac
	case $out in *"$3"*) ;; *) lab_log "$1: no '$3'"; return 1 ;; esac
	expect_eq "$(state)" "$before" "state after $1"
}

case_up() {
	lab_guest g0 'modprobe duonet'
	lab_guest g0 'wait_for "[ \$(ip -o link show master duo0 2>/dev/null | wc -l) = 2 ]"'
	lab_guest g0 "ip link set duo0 up && ip addr add $LAB_GUEST_IP/24 dev duo0 && duoctl wait duo0 --path vf --timeout 20"
	lab_guest g0 "for f in fail_mtu fail_addr fail_open fail_rx_handler fail_features; do
		[ -e $F/\$f/probability ] || { echo no $F/\$f; ls $F; exit 1; }; done"
}

# ndo_change_mtu and ndo_set_mac_address have no extack: the user gets
# the lower's error, the kernel log names the lower.
case_mtu() {
	# The first lower refuses; then the second (the first is rolled back).
	arm fail_mtu 1
	fails "MTU, first lower fails" 'ip link set duo0 mtu 1400' "Input/output error"
	arm fail_mtu 2
	fails "MTU, second lower fails" 'ip link set duo0 mtu 1400' "Input/output error"
	expect_eq "$(lab_guest g0 'dmesg | grep -c "refused the MTU: -5"')" 2 "log lines"
	disarm fail_mtu
	lab_guest g0 'ip link set duo0 mtu 1400 && [ $(cat /sys/class/net/$(netdev_of_driver e1000e)/mtu) = 1400 ] && ip link set duo0 mtu 1500'
}

case_mac() {
	arm fail_addr 1
	fails "MAC, first lower fails" 'ip link set duo0 address 02:00:00:00:00:42' "Input/output error"
	arm fail_addr 2
	fails "MAC, second lower fails" 'ip link set duo0 address 02:00:00:00:00:42' "Input/output error"
	expect_eq "$(lab_guest g0 'dmesg | grep -c "refused the MAC address: -5"')" 2 "log lines"
	disarm fail_addr
	lab_guest g0 'ip link set duo0 address 02:00:00:00:00:42 && ip link set duo0 address 52:54:00:d0:0e:01'
	lab_guest g0 'duoctl wait duo0 --path vf --timeout 20'
	lab_ping_clean after_mac 1
}

# Joining: the VF is released, then paired again under each fault.
case_join() {
	lab_guest g0 'duoctl set duo0 vf none && ip link set $(netdev_of_driver e1000e) down'
	arm fail_rx_handler 1
	fails "join, rx handler registration fails" 'duoctl pair duo0 $(netdev_of_driver e1000e)' "already has an rx handler"
	arm fail_open 1
	fails "join, open fails" 'duoctl pair duo0 $(netdev_of_driver e1000e)' "failed to open"
	arm fail_mtu 1
	lab_guest g0 'ip link set $(netdev_of_driver e1000e) mtu 1400'
	fails "join, MTU fails" 'duoctl pair duo0 $(netdev_of_driver e1000e)' "refused the upper's MTU"
	lab_guest g0 'ip link set $(netdev_of_driver e1000e) mtu 1500'
	disarm fail_mtu
	disarm fail_open
	disarm fail_rx_handler
	lab_guest g0 'duoctl pair duo0 $(netdev_of_driver e1000e) && duoctl wait duo0 --path vf --timeout 20'
}

# An offload the VF cannot take (injected): counted, logged, not lost.
case_features() {
	local r0
	r0=$(lab_guest g0 "ethtool -S duo0 | sed -n 's/^ *vf_tuning_refused: //p'")
	arm fail_features 1
	lab_guest g0 'ethtool -K duo0 rxhash off' || true
	disarm fail_features
	expect_le $((r0 + 1)) "$(lab_guest g0 "ethtool -S duo0 | sed -n 's/^ *vf_tuning_refused: //p'")" "vf_tuning_refused"
	lab_guest g0 'dmesg | grep -q "cannot take the offloads"'
	# The VF kept it (the injected refusal); asked again, it takes it.
	lab_guest g0 'ethtool -k $(netdev_of_driver e1000e) | grep -q "receive-hashing: on"'
	lab_guest g0 'ethtool -K duo0 rxhash on && ethtool -K duo0 rxhash off'
	lab_guest g0 'ethtool -k $(netdev_of_driver e1000e) | grep -q "receive-hashing: off"'
	lab_guest g0 'ethtool -K duo0 rxhash on'
}

case_traffic_after() { lab_ping_clean after_faults 2; }
case_guest_log_clean() { lab_check_log g0; }

lab_boot g0
run_case up case_up
run_case mtu case_mtu
run_case mac case_mac
run_case join case_join
run_case features case_features
run_case traffic_after case_traffic_after
run_case guest_log_clean case_guest_log_clean
