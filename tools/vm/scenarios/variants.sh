#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The lab's other device choices: vmxnet3 as the PV, an igb PF whose SR-IOV
# VF (igbvf) the guest creates and removes, and a plain igb as the
# hot-pluggable VF stand-in.
#
#   peer ns                 host ns (br0)         guest g0
#   vpeer 10.99.0.1 --veth-- vhost, tp0 --------- eth vmxnet3 10.99.0.2
#                                   tv0 --------- eth igb PF (rp1) -> igbvf VF
#
# usage: variants.sh KERNEL_RELEASE
set -eu
. "$(dirname "$0")/../lab.sh"

[ $# -eq 1 ] || { echo "usage: $0 KERNEL_RELEASE" >&2; exit 2; }
lab_init variants "$1"
lab_net_up

case_vmxnet3_ping() {
	local pv
	pv=$(lab_guest g0 'netdev_of_driver vmxnet3')
	[ -n "$pv" ]
	expect_eq "$(lab_guest g0 "cat /sys/class/net/$pv/address")" "$LAB_MAC" "vmxnet3 MAC"
	lab_guest g0 "ip addr add $LAB_GUEST_IP/24 dev $pv && ip link set $pv up && wait_for 'grep -q 1 /sys/class/net/$pv/carrier' 20"
	lab_ping_clean vmxnet3 2
}

case_sriov_vf_create() {
	local vf
	vf=$(lab_guest g0 "sriov_vf_create $LAB_MAC")
	[ -n "$vf" ]
	expect_eq "$(lab_guest g0 "cat /sys/class/net/$vf/address")" "$LAB_MAC" "VF MAC set through the PF"
	lab_guest g0 "echo 1 > /proc/sys/net/ipv6/conf/$vf/disable_ipv6 && ip link set $vf up"
	lab_guest g0 "wait_for 'grep -q 1 /sys/class/net/$vf/carrier' 20"
}

case_sriov_vf_remove() {
	lab_guest g0 '[ -n "$(netdev_of_driver igbvf)" ] && sriov_vf_remove'
	lab_guest g0 "wait_for '[ -z \"\$(netdev_of_driver igbvf)\" ]'"
}

case_igb_standin_hotplug() {
	lab_qmp g0 device-del vf0
	lab_guest g0 "wait_for '[ -z \"\$(netdev_of_driver igb)\" ]'"
	lab_qmp g0 device-add igb id=vf0 netdev=vfnet bus=rp1 "mac=$LAB_MAC" romfile=
	lab_guest g0 "wait_for '[ -n \"\$(netdev_of_driver igb)\" ]' 20"
	expect_eq "$(lab_guest g0 'cat /sys/class/net/$(netdev_of_driver igb)/address')" "$LAB_MAC" "igb stand-in MAC"
	lab_qmp g0 device-del vf0
	lab_guest g0 "wait_for '[ -z \"\$(netdev_of_driver igb)\" ]'"
}

case_guest_log_clean() { lab_check_log g0; }

lab_boot g0 --pv vmxnet3 --vf igb-sriov
run_case vmxnet3_ping case_vmxnet3_ping
run_case sriov_vf_create case_sriov_vf_create
run_case sriov_vf_remove case_sriov_vf_remove
run_case igb_standin_hotplug case_igb_standin_hotplug
run_case guest_log_clean case_guest_log_clean
