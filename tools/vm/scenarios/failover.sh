#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# duonet's failover in the lab, with loss counted on the peer (ping every
# 2 ms): auto-pairing, the planned switch, surprise removal, link loss,
# a live migration, MTU/MAC inheritance, unloading under traffic.
#
#   peer ns                 host ns (br0)               guest g0 -> g1
#   vpeer 10.99.0.1 --veth-- vhost, tp0 --------------- eth0 virtio_net --+
#                                   tv0 --------------- eth1 e1000e (rp1) +- duo0 10.99.0.2
#                                   tp1, tv1 (g1 after the migration)
#
# With DUO_FAILOVER_PV=vmxnet3 (failover-vmxnet3.sh) the PV is VMware's
# vmxnet3 instead of virtio_net: the same cases, the same bounds.
#
# usage: failover.sh KERNEL_RELEASE
set -eu
. "$(dirname "$0")/../lab.sh"

[ $# -eq 1 ] || { echo "usage: $0 KERNEL_RELEASE" >&2; exit 2; }
lab_init_pv failover "$1" "${DUO_FAILOVER_PV:-virtio}"
lab_net_up
G=g0	# the guest now (g1 after the migration)

stat() { lab_guest "$G" "ethtool -S duo0 | sed -n 's/^ *$1: //p'"; }
wait_path() { lab_guest "$G" "wait_for '[ \"\$(ethtool -S duo0 | sed -n \"s/^ *vf_active: //p\")\" = $1 ]' ${2:-20}"; }

# measure NAME MAXLOST COMMAND...: ping every 2 ms around COMMAND.
measure() {
	local name=$1 max=$2
	shift 2
	lab_measure "$name" "$max" "icmp -i 2" "$@"
}

case_autopair() {
	lab_guest g0 'modprobe duonet && wait_for "ip link show duo0 >/dev/null 2>&1" && wait_for "[ \$(ip -o link show master duo0 | wc -l) = 2 ]"'
	expect_eq "$(lab_guest g0 'ip -o -d link show | grep -c "duonet "')" 1 "number of duonet uppers"
	expect_eq "$(lab_guest g0 'cat /sys/class/net/duo0/address')" "$LAB_MAC" "upper MAC"
	lab_guest g0 "ip link set duo0 up && ip addr add $LAB_GUEST_IP/24 dev duo0"
	wait_path 1
	lab_ping_clean duo0 1
	# Lowers carry no address of any family; only duo0 does.
	expect_eq "$(lab_guest g0 'ip -o addr show | grep -v " lo \| duo0 " | wc -l')" 0 "addresses on lowers"
	[ "$(stat vf_tx_packets)" -gt 400 ]
}

# The planned sequence as a migration hook drives it (duonet-migrate).
planned() {
	lab_guest "$G" 'duonet-migrate prepare duo0'
	wait_path 0
	lab_vf_unplug "$G"
	lab_vf_plug "$G"
	lab_guest "$G" 'wait_for "lower_of_duo0 e1000e" 20'
	sleep 2
	expect_eq "$(stat vf_active)" 0 "pv-only holds TX on the PV after the VF returns"
	lab_guest "$G" 'duonet-migrate resume duo0'
	wait_path 1
}
case_planned_switch() {
	measure planned 0 planned
}

unplug() {
	lab_vf_unplug "$G"
	wait_path 0 5
}
replug() {
	lab_vf_plug "$G"
	wait_path 1
}
# None lost, by design: the PCI unbind watch moves TX and the peers to the
# PV before the VF's driver tears it down (e1000e logs its link down some
# 70 ms after duonet's switch here), and holds the unbind until the PV has
# received a unicast frame, so the requests the host's bridge sends to the VF
# until it learns the PV's port are still taken; a returning VF takes TX
# only once linkwatch gave it its qdisc (duo_lower_can_send()). Single
# 2 ms probes lost on 6.1 (two CI runs here and in case_migration's
# unplug, one in standby.sh, one in failover-sriov.sh) were such requests,
# delivered after the guest had gone on into the driver's remove()
# (captures of both taps, 2026-12-08). With the hold, beside two busy
# loops on 6.1 (tools/vm/unplug-loop.sh): 0 lost in 40 e1000e unplugs and
# 40 igbvf removals, against 4 of 40 igbvf removals losing 1-4 without
# it. Bound 0; re-plugs 0 in all, bound 0.
# The re-plug runs whatever the unplug lost: the cases after this one need
# the VF (a CI run's lost packet failed the next three cases too).
case_surprise_removal() {
	LAB_DEFER=1 measure surprise_unplug 0 unplug
	measure replug 0 replug
	lab_deferred
}

link_down() { lab_qmp "$G" set-link vf0 down; wait_path 0 5; }
link_up() { lab_qmp "$G" set-link vf0 up; wait_path 1; }
# The e1000e stand-in only sees its link go down on a 1-jiffy watchdog
# timer (4 ms at HZ=250) plus its work item: the peer's pings die at the VF
# tap in that window, before any guest software can know; how long it is
# is the guest's and the host's timing (bonding active-backup loses 3 in
# the same lab). A duonet that did not switch would lose until the link
# returns, some 750. Two things are asserted:
# - duonet's part, read off the guest's console: from e1000e's "NIC Link
#   is Down" to duonet's "TX path vf -> pv (carrier)" line (linkwatch's
#   work, RTNL, the switch). Measured 1.2-6.7 ms in 9 runs on 6.1 and 7.3.
#   Bound 20 ms (three times on the debug kernel).
# - the loss. Measured 2-9 in the lab's runs, 14 once (28 ms) in a make
#   check while other work ran on the host, duonet switching 1.9 ms after
#   the driver's message: the rest was the driver's and the host's.
#   Bound 20 (40 ms).
# Link up loses nothing.
#
# Paced: the same loss within a second of another device's link event
# (a veth pair in the guest toggled just before). Linkwatch then holds
# the VF's carrier loss up to a second; duonet's carrier watch
# (core/notify.c) reads the carrier itself meanwhile, every jiffy (4 ms
# at HZ=250: up to 2 pings more). Without the watch: 147 and 211 lost
# (294 and 422 ms), the switch as late. With it, 12 runs on 6.1 and 7.3:
# 4-10 lost, 11 once; duonet's part 3.9-10.5 ms in 4. The same bounds.
link_down_paced() {
	lab_guest "$G" 'ip link set dvb down && ip link set dvb up'
	link_down
}
# switch_ms NAME MAXMS: duonet's part of the last link loss (above).
switch_ms() {
	local name=$1 max=$2 ms
	max=$((max * $(lab_debug_factor)))
	ms=$(awk 'function ts(l) { match(l, /[0-9]+\.[0-9]+/); return substr(l, RSTART, RLENGTH) + 0 }
		/NIC Link is Down/ { t = ts($0); d = 1; v = ""; next }
		d && /TX path vf -> pv \(carrier\)/ { v = (ts($0) - t) * 1000; d = 0 }
		/TX path/ { d = 0 }
		END { if (v == "") exit 1; printf "%d\n", v + 0.999 }' "$LAB_DIR/$G.console") ||
		{ lab_log "$name: no carrier switch after e1000e's link loss on $G's console"; return 1; }
	lab_log "$name: duonet switched $ms ms (rounded up) after e1000e's NIC Link is Down"
	echo "${name}_switch_ms $ms" >> "$LAB_LOGDIR/loss.txt"
	expect_le "$ms" "$max" "ms from the driver's link loss to duonet's switch: $name"
}
# The link comes back before any verdict on its loss (as above).
case_link_flap() {
	LAB_DEFER=1 measure link_down 20 link_down
	measure link_up 1 link_up
	switch_ms link_down 20
	lab_guest "$G" 'ip link add dva type veth peer name dvb && ip link set dva up && ip link set dvb up'
	LAB_DEFER=1 measure link_down_paced 20 link_down_paced
	measure link_up_paced 1 link_up
	lab_guest "$G" 'ip link del dva'
	switch_ms link_down_paced 20
	lab_deferred
}

# The migration as the lab drives it without the scripts: the VF unplugged
# on the source, the migration, the VF plugged on the destination. Each
# step has its own meter, so a loss is the step's: the unplug and the plug
# have the surprise removal's and the re-plug's bounds (lab_loss_bound).
#
# The migration's loss is one gap: the guest's pause (the source's STOP to
# the destination's RESUME: QEMU's downtime, then the destination's last
# load and start, which QEMU's figure leaves out). QEMU's own RARP from the
# destination at the RESUME moves the lab's bridge; the guest's answer to
# QEMU's announce request (virtio config interrupt, a work item, RTNL,
# the relay to duo0) follows a few ms later, for switches that ignore
# RARP. Measured on tcpdump: RARP at the RESUME; the loss paused/2 - 1
# to + 2 in 25 runs; on the debug kernel (migrate-loop.sh --mode migrate
# --cycles 8) paused/2 - 3 to + 1. The pause is 0-13 ms longer than QEMU's
# downtime here, more on a busy host. Bound: pause / 2 + 4 (lab_pause_ms:
# the larger of the two figures). One CI run lost 64 for a 52 ms pause
# when the unplug and the plug shared the migration's meter, on the debug
# kernel, where a plug then lost about 20 (duonet switched to a VF whose
# qdisc linkwatch had not attached yet: duo_lower_can_send() since; 0
# now): hence a meter per step.
# The unplug is case_surprise_removal's event and has its bound (0).
# The cases after this one need g1 with its VF: the unplug's and the
# plug's verdicts wait for the end (LAB_DEFER). (No '|| ok=1' to defer verdicts:
# errexit is off in a function called from an '||' list, so its inner
# checks would not count.)
case_migration() {
	local report r lost down paused pause mig
	LAB_DEFER=1 lab_measure vf_unplug_before_migration 0 "icmp -i 2" unplug
	lab_meter_start mig icmp -i 2
	sleep 0.5
	lab_migrate g0 g1 > "$LAB_DIR/migrate.out"
	G=g1
	sleep 1.5
	report=$(lab_meter_stop mig)
	r=$(printf '%s\n' "$report" | head -n 1)
	mig=$(cat "$LAB_DIR/migrate.out")
	down=$(lab_report_get "$mig" downtime_ms)
	paused=$(lab_report_get "$mig" paused_ms)
	lost=$(lab_report_get "$r" lost)
	lab_log "loss migration (paused ${paused} ms, QEMU downtime ${down} ms): $report"
	echo "migration $lost downtime_ms=$down paused_ms=$paused" >> "$LAB_LOGDIR/loss.txt"
	LAB_DEFER=1 lab_measure vf_plug_after_migration 0 "icmp -i 2" replug
	pause=$(lab_pause_ms "$mig")
	expect_le "$lost" $((pause / 2 + 4)) "lost across the migration"
	lab_deferred
}

case_mtu_mac() {
	local vf
	lab_guest "$G" 'ip link set duo0 mtu 1400 && ip link set duo0 address 52:54:00:d0:0e:77'
	vf=$(lab_guest "$G" 'netdev_of_driver e1000e')
	expect_eq "$(lab_guest "$G" "cat /sys/class/net/$vf/mtu /sys/class/net/$vf/address | tr '\n' ' '")" \
		"1400 52:54:00:d0:0e:77 " "VF follows the upper"
	lab_vf_unplug "$G"
	lab_vf_plug "$G"
	wait_path 1
	vf=$(lab_guest "$G" 'netdev_of_driver e1000e')
	expect_eq "$(lab_guest "$G" "cat /sys/class/net/$vf/mtu /sys/class/net/$vf/address | tr '\n' ' '")" \
		"1400 52:54:00:d0:0e:77 " "re-plugged VF inherits MTU and MAC"
	expect_eq "$(lab_guest "$G" "cat /sys/class/net/\$(netdev_of_driver $PVDRV)/mtu")" 1400 "PV MTU"
	# An MTU a lower refuses is refused as a whole; nothing changes.
	lab_guest "$G" '! ip link set duo0 mtu 20000 2>/dev/null'
	expect_eq "$(lab_guest "$G" 'cat /sys/class/net/duo0/mtu /sys/class/net/$(netdev_of_driver e1000e)/mtu | tr "\n" " "')" \
		"1400 1400 " "MTU after a refused change"
	lab_guest "$G" "ip link set duo0 mtu 1500 && ip link set duo0 address $LAB_MAC"
	lab_ping_clean after_mtu_mac 1
}

# Unloading takes duo0 and its address away, so the pings die with it:
# what is lost must be one run at the end (nothing lost while the module
# was being unloaded and duo0 still there). Measured: 68-71 lost, one gap
# of 136-142 ms at the end (rmmod to the meter's stop).
case_unload_under_traffic() {
	local pv r sent lost first
	lab_meter_start unload icmp -i 2
	sleep 0.5
	lab_guest "$G" 'rmmod duonet'
	r=$(lab_meter_stop unload | head -n 1)
	lab_log "loss unload: $r"
	sent=$(lab_report_get "$r" sent)
	lost=$(lab_report_get "$r" lost)
	first=$(lab_report_get "$r" first_lost_seq)
	expect_le "$(lab_report_get "$r" gaps)" 1 "gaps while unloading"
	[ "$lost" = 0 ] || expect_eq "$((first + lost))" "$sent" "the lost run ends the period"
	lab_guest "$G" '! ip link show duo0 2>/dev/null'
	pv=$(lab_guest "$G" "netdev_of_driver $PVDRV")
	# The lowers are plain devices again: the PV carries the address alone.
	expect_eq "$(lab_guest "$G" "cat /sys/class/net/$pv/mtu /sys/class/net/$pv/address | tr '\n' ' '")" "1500 $LAB_MAC " "PV restored"
	lab_guest "$G" "ip link set \$(netdev_of_driver e1000e) down; echo 1 > /proc/sys/net/ipv6/conf/\$(netdev_of_driver e1000e)/disable_ipv6; ip link set $pv up && ip addr add $LAB_GUEST_IP/24 dev $pv && ping -c 1 -W 2 $LAB_PEER_IP >/dev/null"
	lab_ping_clean plain_pv_after_unload 1
}

case_guest_log_clean() {
	lab_check_log g0
	[ "$G" = g0 ] || lab_check_log g1
}

lab_boot g0 --pv "$PV" --vf e1000e
rm -f "$LAB_LOGDIR/loss.txt"
run_case autopair case_autopair
run_case planned_switch case_planned_switch
run_case surprise_removal case_surprise_removal
run_case link_flap case_link_flap
run_case migration case_migration
# The case ran in a subshell: g1 is the guest now if the migration made it
# (lab_migrate quits the source when it is done).
[ -f "$LAB_DIR/g0.pid" ] || G=g1
run_case mtu_mac case_mtu_mac
run_case unload_under_traffic case_unload_under_traffic
run_case guest_log_clean case_guest_log_clean
