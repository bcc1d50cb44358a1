#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# duonet against the peers, side by side in one run: packets lost (ping
# every 2 ms from the peer) per event, for
#   duonet        auto-paired, no configuration
#   net_failover  QEMU virtio-net failover=on, the VF as its primary
#   bonding       active-backup by hand: miimon 100, fail_over_mac active,
#                 primary = the VF, the re-plugged VF enslaved by hand
# Events: planned switch (duonet: pv-only; bonding: active_slave = PV;
# net_failover has none), VF hot-unplug, re-plug, VF link down, link up,
# and a live migration (VF unplugged before, plugged on the destination).
# Alongside the ping, sequence-numbered UDP at $DUO_COMPARE_UDP_PPS
# (default 2000) to the guest's echo server; for duonet, the switch time
# of each TX path switch the event caused, read from the tracepoint
# duonet:duonet_path_switch (its usecs: from the event's arrival to the
# new path published).
#
# usage: compare.sh [KERNEL_RELEASE]    (default: the newest guest kernel)
# Prints the table and writes it to build/logs/compare-KERNEL.txt.
# compare.sh --one CONFIG KERNEL_RELEASE prints one line per event:
#   EVENT lost=N udp_lost=N udp_sent=N switch_us=U,U|- downtime_ms=N|-
set -eu
. "$(dirname "$0")/lab.sh"

EVENTS="planned unplug replug link_down link_up migration"
CONFIGS="duonet net_failover bonding"
UDP_PPS=${DUO_COMPARE_UDP_PPS:-2000}
T=/sys/kernel/tracing

# One configuration in its own lab: prints "event lost" lines.
run_one() {
	local cfg=$1 krel=$2 ev
	lab_init "compare-$cfg" "$krel"
	lab_net_up
	G=g0
	if [ "$cfg" = net_failover ]; then
		lab_boot g0 --vf e1000e --failover
	else
		lab_boot g0 --vf e1000e
	fi
	"setup_$cfg"
	lab_guest g0 "(lossmeter echo > /dev/null 2>&1 &)
		ping -c 1 -W 2 $LAB_PEER_IP > /dev/null" || true
	[ "$cfg" = duonet ] && lab_guest g0 "echo 1 > $T/events/duonet/duonet_path_switch/enable"
	for ev in $EVENTS; do
		if [ "$cfg" = net_failover ] && [ "$ev" = planned ]; then
			echo "planned n/a"
			continue
		fi
		measure "$cfg" "$ev"
	done
}

measure() {
	local cfg=$1 ev=$2 r u sw=- down=-
	[ "$cfg" = duonet ] && lab_guest "$G" "echo > $T/trace"
	lab_meter_start "$ev" icmp -i 2
	lab_meter_start "$ev-udp" udp -r "$UDP_PPS"
	sleep 0.5
	"ev_$ev" "$cfg" || lab_log "$cfg: $ev did not complete"
	sleep 1.5
	r=$(lab_meter_stop "$ev" | head -n 1)
	u=$(lab_meter_stop "$ev-udp" | head -n 1)
	[ "$ev" = migration ] && down=$(lab_report_get "$(cat "$LAB_DIR/mig.out")" downtime_ms)
	# Every switch of the event (none: "none"), in microseconds.
	if [ "$cfg" = duonet ]; then
		sw=$(lab_guest "$G" "sed -n 's/.*duonet_path_switch:.* usecs=\([0-9]*\).*/\1/p' $T/trace" | paste -sd, -)
		sw=${sw:-none}
	fi
	lab_log "$cfg $ev: icmp $r; udp $u; switch_us $sw; downtime_ms $down"
	echo "$ev lost=$(lab_report_get "$r" lost) udp_lost=$(lab_report_get "$u" lost)" \
		"udp_sent=$(lab_report_get "$u" sent) switch_us=$sw downtime_ms=$down"
}

vfdev() { lab_guest "$G" 'netdev_of_driver e1000e'; }
pvdev() { lab_guest "$G" 'netdev_of_driver virtio_net'; }

setup_duonet() {
	lab_guest g0 'modprobe duonet && wait_for "[ \$(ip -o link show master duo0 2>/dev/null | wc -l) = 2 ]"'
	lab_guest g0 "ip link set duo0 up && ip addr add $LAB_GUEST_IP/24 dev duo0"
	vf_active duonet
}
setup_bonding() {
	local vf pv
	vf=$(vfdev) pv=$(pvdev)
	lab_guest g0 "modprobe bonding max_bonds=0 &&
		ip link add bond0 type bond mode active-backup miimon 100 fail_over_mac active &&
		ip link set $vf master bond0 && ip link set $pv master bond0 &&
		ip link set bond0 type bond primary $vf &&
		ip link set bond0 up && ip addr add $LAB_GUEST_IP/24 dev bond0"
	vf_active bonding
}
# net_failover's master sits on the virtio device too: it is the master of
# the standby (the virtio netdev that has one).
fo_master() {
	lab_guest "$G" 'for d in $(netdev_of_driver virtio_net); do
		[ -e /sys/class/net/$d/master ] && basename $(readlink /sys/class/net/$d/master); done'
}
setup_net_failover() {
	local m
	lab_guest g0 "wait_for '[ -n \"\$(netdev_of_driver e1000e)\" ]' 20"
	m=$(fo_master)
	[ -n "$m" ]
	lab_guest g0 "ip link set $m up && ip addr add $LAB_GUEST_IP/24 dev $m"
	vf_active net_failover
}

# Wait until TX runs on the VF (1) or not (0).
vf_active() {
	local want=${2:-1}
	case $1 in
	duonet)
		lab_guest "$G" "wait_for '[ \"\$(ethtool -S duo0 | sed -n \"s/^ *vf_active: //p\")\" = $want ]' 20" ;;
	bonding)
		if [ "$want" = 1 ]; then
			lab_guest "$G" "wait_for '[ \"\$(cat /sys/class/net/bond0/bonding/active_slave)\" = \"\$(netdev_of_driver e1000e)\" ]' 20"
		else
			lab_guest "$G" "wait_for '[ \"\$(cat /sys/class/net/bond0/bonding/active_slave)\" = \"\$(netdev_of_driver virtio_net)\" ]' 20"
		fi ;;
	net_failover)
		# net_failover sends on the primary whenever it is up with carrier.
		if [ "$want" = 1 ]; then
			lab_guest "$G" "wait_for 'd=\$(netdev_of_driver e1000e); [ -n \"\$d\" ] && grep -q 1 /sys/class/net/\$d/carrier 2>/dev/null' 20"
		else
			lab_guest "$G" "wait_for 'd=\$(netdev_of_driver e1000e); [ -z \"\$d\" ] || ! grep -q 1 /sys/class/net/\$d/carrier 2>/dev/null' 20"
		fi ;;
	esac
}

# After a re-plug: bonding needs the new VF enslaved by hand.
rejoin() {
	lab_guest "$G" "wait_for '[ -n \"\$(netdev_of_driver e1000e)\" ]' 20"
	[ "$1" = bonding ] && lab_guest "$G" 'ip link set $(netdev_of_driver e1000e) master bond0'
	vf_active "$1"
}

ev_planned() {
	case $1 in
	duonet) lab_guest "$G" 'ethtool --set-priv-flags duo0 pv-only on' ;;
	bonding) lab_guest "$G" "ip link set bond0 type bond active_slave $(pvdev)" ;;
	esac
	vf_active "$1" 0
	lab_vf_unplug "$G" > /dev/null
	lab_vf_plug "$G" > /dev/null
	if [ "$1" = duonet ]; then
		lab_guest "$G" "wait_for '[ -n \"\$(netdev_of_driver e1000e)\" ]' 20 && sleep 1"
		lab_guest "$G" 'ethtool --set-priv-flags duo0 pv-only off'
	else
		rejoin bonding
		lab_guest "$G" "ip link set bond0 type bond active_slave $(vfdev)"
	fi
	vf_active "$1"
}
ev_unplug() { lab_vf_unplug "$G" > /dev/null; vf_active "$1" 0; }
ev_replug() { lab_vf_plug "$G" > /dev/null; rejoin "$1"; }
ev_link_down() { lab_qmp "$G" set-link vf0 down > /dev/null; vf_active "$1" 0; }
ev_link_up() { lab_qmp "$G" set-link vf0 up > /dev/null; vf_active "$1"; }
ev_migration() {
	lab_vf_unplug g0 > /dev/null
	lab_migrate g0 g1 > "$LAB_DIR/mig.out"
	G=g1
	lab_vf_plug g1 > /dev/null
	rejoin "$1"
}

if [ "${1:-}" = --one ]; then
	run_one "$2" "$3"
	exit 0
fi

krel=${1:-$(ls -d "$LAB_CACHE"/kernels/*/ 2>/dev/null | xargs -n1 basename | sort -V | tail -n 1)}
out=$LAB_TOP/build/logs/compare-$krel.txt
mkdir -p "$(dirname "$out")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for cfg in $CONFIGS; do
	bash "$0" --one "$cfg" "$krel" > "$tmp/$cfg" || echo "(incomplete)" >> "$tmp/$cfg"
done
{
	echo "Packets lost per event, ping every 2 ms (in brackets: UDP at $UDP_PPS/s); kernel $krel, QEMU $(qemu-system-x86_64 --version | sed -n '1s/.*version \([^ ]*\).*/\1/p') (TCG), $(date -u +%Y-%m-%d)"
	echo
	printf '| %-10s |' event
	for cfg in $CONFIGS; do printf ' %-26s |' "$cfg"; done
	echo
	printf '| %-10s |' ---
	for cfg in $CONFIGS; do printf ' %-26s |' ---; done
	echo
	for ev in $EVENTS; do
		printf '| %-10s |' "$ev"
		for cfg in $CONFIGS; do
			l=$(grep "^$ev " "$tmp/$cfg" | head -n 1)
			if [ "$l" = "$ev n/a" ]; then
				c="n/a"
			elif [ -n "$l" ]; then
				c="$(lab_report_get "$l" lost) ($(lab_report_get "$l" udp_lost))"
				d=$(lab_report_get "$l" downtime_ms)
				[ "$d" = - ] || c="$c, downtime $d ms"
			else
				c=""
			fi
			printf ' %-26s |' "$c"
		done
		echo
	done
} | tee "$out"
