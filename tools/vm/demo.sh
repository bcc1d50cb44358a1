#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The duonet demo: a lab guest with a VF stand-in and a PV NIC, ping every
# 2 ms from a peer, then a VF hot-unplug, a live migration to a second QEMU
# and a VF re-plug; prints the timeline with the packets lost per event.
#
# usage: demo.sh [KERNEL_RELEASE]   (default: the newest built kernel)
set -eu
. "$(dirname "$0")/lab.sh"

krel=${1:-$(ls -d "$LAB_CACHE"/kernels/*/ 2>/dev/null | xargs -n1 basename | sort -V | tail -n 1)}
[ -n "$krel" ] || lab_die "no guest kernel: run 'make deps'"
[ -f "$LAB_TOP/build/$krel/duonet.ko" ] || lab_die "build/$krel/duonet.ko missing: run 'make'"
lab_init demo "$krel"
lab_net_up
lab_boot g0 --pv virtio --vf e1000e

echo
echo "== the guest's two paths (same MAC) and the module"
g g0 'for d in /sys/class/net/eth*; do
	printf "  %-5s %s  driver %-10s %s\n" "$(basename $d)" "$(cat $d/address)" \
		"$(basename "$(readlink $d/device/driver)")" "$(basename "$(readlink $d/device)")"; done
modprobe duonet && ip link add duo0 type duonet &&
	printf "  duo0   %s, kind %s, module %s\n" "$(ip -o link show duo0 | grep -o "link/ether [^ ]*")" \
		"$(ip -d -o link show duo0 | grep -ow duonet)" "$(cat /sys/module/duonet/version)"'

# Until the data path lands, traffic runs on the PV NIC itself; the VF is
# kept silent so the bridge keeps the shared MAC on the PV's tap.
pv=$(g g0 'netdev_of_driver virtio_net')
vf=$(g g0 'netdev_of_driver e1000e')
echo "  (duo0 has no data path yet: traffic below runs on $pv, the PV NIC)"
g g0 "echo 1 > /proc/sys/net/ipv6/conf/$vf/disable_ipv6; ip addr add $LAB_GUEST_IP/24 dev $pv && ip link set $pv up && wait_for 'grep -q 1 /sys/class/net/$pv/carrier' 20"

t0=$(date +%s%N)
events=()
now() { echo $(( ($(date +%s%N) - t0) / 1000000 )); }
# event NAME COMMAND...: run it, keep its last line, close a meter period.
event() {
	local name=$1 at out
	shift
	at=$(now)
	out=$("$@" 2>&1 | tail -n 1)
	sleep 1
	lab_meter_mark demo
	events+=("$at|$name|$out")
}

echo
echo "== ping every 2 ms from the peer ($LAB_PEER_IP -> $LAB_GUEST_IP)"
lab_meter_start demo icmp -i 2
sleep 2
lab_meter_mark demo
events+=("0|steady traffic|-")
event "VF hot-unplug (QMP)" lab_vf_unplug g0
migrate() { lab_migrate g0 g1; }
event "live migration" migrate
event "VF re-plug on the destination" lab_vf_plug g1
g g1 "wait_for '[ -n \"\$(netdev_of_driver e1000e)\" ]' 20"
events+=("$(now)|steady traffic, destination|-")
sleep 2
reports=$(lab_meter_stop demo | grep '^sent=')

echo
echo "== timeline"
printf '  %8s  %-32s %6s %5s %9s  %s\n' "t (ms)" event sent lost "gap (ms)" "QEMU says"
i=0
while IFS= read -r r; do
	IFS='|' read -r at name out <<< "${events[$i]}"
	printf '  %8s  %-32s %6s %5s %9s  %s\n' "$at" "$name" "$(lab_report_get "$r" sent)" \
		"$(lab_report_get "$r" lost)" "$(lab_report_get "$r" longest_gap_ms)" "$out"
	i=$((i + 1))
done <<< "$reports"
echo
lab_check_log g0 && lab_check_log g1 && echo "guest logs clean (kept in $LAB_LOGDIR)"
