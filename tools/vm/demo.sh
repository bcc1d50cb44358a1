#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The duonet demo: a lab guest with a VF stand-in and a PV NIC, duonet
# pairing them into duo0 by itself, ping every 2 ms from a peer, then the
# planned live-migration sequence a migration script drives (pv-only on,
# VF unplug, migrate, VF re-plug on the destination, pv-only off) and a
# surprise VF removal; prints the timeline with the packets lost per step
# and the guest's own path-switch log.
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
G=g0

echo
echo "== the guest's two NICs (same MAC), then 'modprobe duonet'"
lab_guest g0 'for d in /sys/class/net/eth*; do
	printf "  %-5s %s  driver %-10s %s\n" "$(basename $d)" "$(cat $d/address)" \
		"$(basename "$(readlink $d/device/driver)")" "$(basename "$(readlink $d/device)")"; done
modprobe duonet && wait_for "[ \$(ip -o link show master duo0 2>/dev/null | wc -l) = 2 ]" &&
ip link set duo0 up && ip addr add '"$LAB_GUEST_IP"'/24 dev duo0 &&
wait_for "[ \"\$(ethtool -S duo0 | sed -n \"s/^ *vf_active: //p\")\" = 1 ]" 20 &&
printf "  duo0  %s, lowers: %s; active path: %s\n" "$(cat /sys/class/net/duo0/address)" \
	"$(ip -o link show master duo0 | cut -d: -f2 | tr -d " " | tr "\n" " ")" \
	"$(ethtool -i duo0 | sed -n "s/^bus-info: //p")"'

path() { lab_guest "$G" "wait_for '[ \"\$(ethtool -S duo0 | sed -n \"s/^ *vf_active: //p\")\" = $1 ]' 20"; }
t0=$(date +%s%N)
events=()
now() { echo $(( ($(date +%s%N) - t0) / 1000000 )); }
# step NAME COMMAND...: run it, keep its last line, close a meter period.
step() {
	local name=$1 at out
	shift
	at=$(now)
	out=$("$@" 2>&1 | tail -n 1)
	sleep 1
	lab_meter_mark demo
	events+=("$at|$name|$out")
}
pv_only() { lab_guest "$G" "ethtool --set-priv-flags duo0 pv-only $1"; path "$([ "$1" = on ] && echo 0 || echo 1)"; echo "TX on $(lab_guest "$G" 'ethtool -i duo0 | sed -n "s/^bus-info: //p"')"; }
unplug() { lab_vf_unplug "$G"; path 0; }
migrate() {
	local r
	r=$(lab_migrate g0 g1) || return
	echo "guest paused $(lab_report_get "$r" paused_ms) ms (QEMU downtime $(lab_report_get "$r" downtime_ms) ms), migration $(lab_report_get "$r" total_ms) ms"
}
replug() { lab_vf_plug "$G"; lab_guest "$G" "wait_for 'ip -o link show master duo0 | grep -q \$(netdev_of_driver e1000e)' 20 && sleep 1"; echo "VF back in duo0, TX stays on the PV (pv-only)"; }
replug_failback() { lab_vf_plug "$G"; path 1; echo "TX on $(lab_guest "$G" 'ethtool -i duo0 | sed -n "s/^bus-info: //p"')"; }

echo
echo "== ping every 2 ms from the peer ($LAB_PEER_IP -> $LAB_GUEST_IP on duo0)"
lab_meter_start demo icmp -i 2
sleep 2
lab_meter_mark demo
events+=("0|steady traffic on the VF|-")
step "pv-only on (prepare)" pv_only on
step "VF hot-unplug (QMP)" unplug
step "live migration" migrate
G=g1
step "VF re-plug on the destination" replug
step "pv-only off (resume)" pv_only off
step "surprise VF removal" unplug
step "VF re-plug (failback)" replug_failback
events+=("$(now)|steady traffic on the VF|-")
sleep 2
reports=$(lab_meter_stop demo | grep '^sent=')

echo
echo "== timeline (loss counted on the peer)"
printf '  %8s  %-30s %6s %5s %9s  %s\n' "t (ms)" step sent lost "gap (ms)" "what happened"
i=0
while IFS= read -r r; do
	IFS='|' read -r at name out <<< "${events[$i]}"
	printf '  %8s  %-30s %6s %5s %9s  %s\n' "$at" "$name" "$(lab_report_get "$r" sent)" \
		"$(lab_report_get "$r" lost)" "$(lab_report_get "$r" longest_gap_ms)" "$out"
	i=$((i + 1))
done <<< "$reports"

echo
echo "== duonet's own log of its path switches (guest dmesg; the guest migrated mid-way)"
cat "$LAB_DIR/g0.console" "$LAB_DIR/g1.console" 2>/dev/null | grep -E 'duo0: (TX path|.* joined|.* left)' | sed 's/^/  /'
echo
lab_guest "$G" 'ethtool -S duo0' | grep -E 'switches_(to|pv_only|unplug|carrier|plug)|_(tx|rx)_packets|switch_usecs' | tr -s ' ' | paste -sd ' ' | fold -w 100 -s | sed 's/^/  /'
echo
lab_check_log g0 && lab_check_log g1 && echo "guest logs clean (kept in $LAB_LOGDIR)"
