#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Lab smoke test: the guest boots, duonet loads and unloads, an upper can be
# created and deleted, the VF stand-in can be unplugged, re-plugged and its
# link toggled through QMP, the peer reaches the PV NIC, and a live
# migration to a second QEMU keeps the guest reachable.
#
#   peer ns                 host ns (br0)              guest g0 -> g1
#   vpeer 10.99.0.1 --veth-- vhost, tp0, tv0 --------- eth virtio_net 10.99.0.2
#                                  tp1, tv1 (g1)       eth e1000e (rp1, VF)
#
# usage: smoke.sh KERNEL_RELEASE
set -eu
. "$(dirname "$0")/../lab.sh"

[ $# -eq 1 ] || { echo "usage: $0 KERNEL_RELEASE" >&2; exit 2; }
lab_init smoke "$1"
lab_net_up

# The guest's netdev for a driver, e.g. guest_dev g0 virtio_net.
guest_dev() { lab_guest "$1" "netdev_of_driver $2"; }

case_boot() {
	expect_eq "$(lab_guest g0 'uname -r')" "$LAB_KREL" "guest kernel"
	local pv vf
	pv=$(guest_dev g0 virtio_net)
	vf=$(guest_dev g0 e1000e)
	# One test per line: errexit ignores a failure before '&&'.
	[ -n "$pv" ] || { lab_log "no virtio_net netdev in the guest"; return 1; }
	[ -n "$vf" ] || { lab_log "no e1000e netdev in the guest"; return 1; }
	expect_eq "$(lab_guest g0 "cat /sys/class/net/$pv/address")" "$LAB_MAC" "PV MAC"
	expect_eq "$(lab_guest g0 "cat /sys/class/net/$vf/address")" "$LAB_MAC" "VF MAC"
}

case_module_load_unload() {
	lab_guest g0 'modprobe duonet && test -d /sys/module/duonet'
	expect_eq "$(lab_guest g0 'cat /sys/module/duonet/version')" \
		"$(modinfo -F version "$LAB_TOP/build/$LAB_KREL/duonet.ko")" "module version"
	lab_guest g0 'rmmod duonet && ! test -d /sys/module/duonet'
}

case_link_add_del() {
	lab_guest g0 'modprobe duonet'
	lab_guest g0 'ip link add x type duonet && ip -d link show x | grep -qw duonet'
	expect_eq "$(lab_guest g0 "ethtool -i x | sed -n 's/^driver: //p'")" duonet "ethtool -i driver"
	lab_guest g0 'ip link set x up && ip link del x && ! ip link show x 2>/dev/null'
	# A multicast MAC is refused with the driver's own extack message.
	local out
	out=$(lab_guest g0 'ip link add y address 01:00:5e:00:00:01 type duonet 2>&1; echo rc=$?')
	case $out in
	*"must be unicast"*rc=[1-9]*) ;;
	*) lab_log "multicast MAC not refused as expected: $out"; return 1 ;;
	esac
	lab_guest g0 '! ip link show y 2>/dev/null'
	lab_guest g0 'rmmod duonet'
}

case_unload_with_uppers() {
	lab_guest g0 'modprobe duonet && ip link add u0 type duonet && ip link add u1 type duonet && ip link set u0 up'
	lab_guest g0 'rmmod duonet'
	lab_guest g0 '! ip link show u0 2>/dev/null && ! ip link show u1 2>/dev/null'
}

case_ping_pv() {
	local pv
	pv=$(guest_dev g0 virtio_net)
	lab_guest g0 "ip addr add $LAB_GUEST_IP/24 dev $pv && ip link set $pv up && wait_for 'grep -q 1 /sys/class/net/$pv/carrier'"
	lab_ping_clean pv 2
}

case_vf_hotplug() {
	lab_vf_unplug g0
	lab_guest g0 "wait_for '[ -z \"\$(netdev_of_driver e1000e)\" ]'"
	lab_vf_plug g0
	lab_guest g0 "wait_for '[ -n \"\$(netdev_of_driver e1000e)\" ]' 20"
	expect_eq "$(lab_guest g0 'cat /sys/class/net/$(netdev_of_driver e1000e)/address')" "$LAB_MAC" "re-plugged VF MAC"
}

# The VF shares the PV's MAC: anything it sends (IPv6 DAD, MLD) moves the
# bridge's entry for that MAC to its tap. Until duonet pairs them, keep the
# VF silent so the PV stays reachable.
case_vf_link() {
	local vf
	vf=$(guest_dev g0 e1000e)
	lab_guest g0 "echo 1 > /proc/sys/net/ipv6/conf/$vf/disable_ipv6"
	lab_guest g0 "ip link set $vf up && wait_for 'grep -q 1 /sys/class/net/$vf/carrier' 20"
	lab_qmp g0 set-link vf0 down
	lab_guest g0 "wait_for 'grep -q 0 /sys/class/net/$vf/carrier'"
	lab_qmp g0 set-link vf0 up
	lab_guest g0 "wait_for 'grep -q 1 /sys/class/net/$vf/carrier' 20"
	lab_guest g0 "ip link set $vf down"
}

# The PV alone (no duonet) across a migration: the guest's pause, as in
# failover.sh (bound pause / 2 + 4: lab_pause_ms, the larger of QEMU's
# downtime and the measured pause; failover.sh says why).
case_migrate() {
	local out report pause
	lab_vf_unplug g0
	lab_meter_start mig icmp -i 2
	sleep 1
	out=$(lab_migrate g0 g1)
	lab_log "$out"
	sleep 1
	report=$(lab_meter_stop mig | head -n 1)
	lab_log "ping across the migration: $report"
	pause=$(lab_pause_ms "$out") || return 1
	expect_le "$(lab_report_get "$report" lost)" $((pause / 2 + 4)) "lost across the migration"
	expect_eq "$(lab_guest g1 'uname -r')" "$LAB_KREL" "guest alive on the destination"
	# Reachable afterwards: a short clean run on the destination.
	lab_ping_clean after_migration 1
	lab_vf_plug g1
	lab_guest g1 "wait_for '[ -n \"\$(netdev_of_driver e1000e)\" ]' 20"
}

case_guest_log_clean() {
	local n
	for n in g0 g1; do lab_check_log "$n"; done
}

lab_boot g0 --vf e1000e
run_case boot case_boot
run_case module_load_unload case_module_load_unload
run_case link_add_del case_link_add_del
run_case unload_with_uppers case_unload_with_uppers
run_case ping_pv case_ping_pv
run_case vf_hotplug case_vf_hotplug
run_case vf_link case_vf_link
run_case migrate case_migrate
run_case guest_log_clean case_guest_log_clean
