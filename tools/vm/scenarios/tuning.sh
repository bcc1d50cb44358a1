#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# ethtool tuning on the upper: -G/-C/-L/-X/-K stored on duo0, applied to both
# lowers, replayed on a VF plugged in later, and what a lower cannot take
# counted (ethtool -S *_tuning_refused) and logged.
#
#   peer ns                 host ns (br0)     guest g0
#   vpeer 10.99.0.1 --veth-- tp0 ------------ eth virtio_net --+
#                            tv0 ------------ eth igb ----------+- duo0 10.99.0.2
#
# igb stands in for the VF: unlike e1000e it has channels (-L), an RSS
# table (-X) and RX checksumming that can be turned off. virtio_net has one
# queue pair and no RSS here: -L combined 2 and -X are ones the PV cannot
# take.
#
# With DUO_TUNING_PV=vmxnet3 (tuning-vmxnet3.sh) the PV is VMware's
# vmxnet3: it takes ring sizes and -K, and refuses -C (QEMU emulates a
# version 1 device; coalescing needs 3), -L (no set_channels) and -X (one
# queue: no RSS); the same cases, each refusal counted once and logged.
#
# usage: tuning.sh KERNEL_RELEASE
set -eu
. "$(dirname "$0")/../lab.sh"

[ $# -eq 1 ] || { echo "usage: $0 KERNEL_RELEASE" >&2; exit 2; }
lab_init_pv tuning "$1" "${DUO_TUNING_PV:-virtio}"
lab_net_up

# The guest's lowers and counters.
vf() { lab_guest g0 'netdev_of_driver igb'; }
pv() { lab_guest g0 "netdev_of_driver $PVDRV"; }
stat() { lab_guest g0 "ethtool -S duo0 | sed -n 's/^ *$1: //p'"; }
# ethtool's value of one field in its "Current" section: cur DEV -g 'RX:'
cur() { lab_guest g0 "ethtool $2 $1 | sed -n '/^Current/,\$p' | sed -n 's/^$3[[:space:]]*//p'"; }
coal() { lab_guest g0 "ethtool -c $1 | sed -n 's/^$2:[[:space:]]*//p'"; }
feat() { lab_guest g0 "ethtool -k $1 | sed -n 's/^$2: //p'"; }
# The RSS indirection table as one line of ring numbers.
# The indirection table's rows ("    8:      0     1 ..."), not the hash
# key's line, which starts "31:5c:..." when its first byte is decimal.
rss() { lab_guest g0 "ethtool -x $1 | sed -n 's/^  *[0-9][0-9]*: *//p' | tr -s ' \n' ' ' | sed 's/ $//'"; }

case_up() {
	lab_guest g0 'modprobe duonet && wait_for "[ \$(ip -o link show master duo0 2>/dev/null | wc -l) = 2 ]"'
	lab_guest g0 "ip link set duo0 up && ip addr add $LAB_GUEST_IP/24 dev duo0 && duoctl wait duo0 --path vf --timeout 20"
	lab_ping_clean up 1
}

# Nothing stored yet: duo0 shows its active lower's values.
case_view() {
	local v ring usecs
	v=$(vf)
	ring=$(cur "$v" -g 'RX:')
	usecs=$(coal "$v" rx-usecs)
	# Numbers read off ethtool, not two empty strings that would agree.
	case $ring:$usecs in :*|*:|*[!0-9:]*) lab_log "VF rx ring '$ring', rx-usecs '$usecs'"; return 1 ;; esac
	expect_eq "$(cur duo0 -g 'RX:')" "$ring" "duo0 rx ring = the VF's"
	expect_eq "$(coal duo0 rx-usecs)" "$usecs" "duo0 rx-usecs = the VF's"
	expect_eq "$(stat vf_tuning_refused)" 0 "VF refusals"
	expect_eq "$(stat pv_tuning_refused)" 0 "PV refusals"
}

# The PV either has what duo0 was just given or refused it exactly once
# with a log line: pv_took WHAT REFUSALS_BEFORE ACTUAL WANTED
pv_took() {
	local now
	now=$(stat pv_tuning_refused)
	if [ "$3" = "$4" ]; then
		expect_eq "$now" "$2" "PV took the $1: no refusal counted"
	else
		expect_eq "$now" $(($2 + 1)) "PV refused the $1 ($3, not $4): counted once"
		lab_guest g0 "dmesg | grep -q 'duo0: $(pv) (pv) cannot take the $1'"
	fi
}

# What vmxnet3 is known to take (1) or refuse (0), asserted beyond
# pv_took's either-way: vmxnet3_took WHAT 0|1 ACTUAL WANTED.
vmxnet3_took() {
	[ "$PV" = vmxnet3 ] || return 0
	if [ "$2" = 1 ]; then
		expect_eq "$3" "$4" "vmxnet3 takes the $1"
	else
		[ "$3" != "$4" ] || { lab_log "vmxnet3 took the $1 ($3), expected a refusal"; return 1; }
	fi
}

case_set() {
	local v p n
	v=$(vf)
	p=$(pv)
	n=$(stat pv_tuning_refused)
	lab_guest g0 'ethtool -G duo0 rx 512 tx 512'
	expect_eq "$(cur "$v" -g 'RX:')" 512 "VF rx ring"
	expect_eq "$(cur "$v" -g 'TX:')" 512 "VF tx ring"
	expect_eq "$(cur duo0 -g 'RX:')" 512 "duo0 rx ring"
	pv_took "ring sizes" "$n" "$(cur "$p" -g 'RX:')" 512
	vmxnet3_took "ring sizes" 1 "$(cur "$p" -g 'RX:')" 512
	n=$(stat pv_tuning_refused)
	lab_guest g0 'ethtool -C duo0 rx-usecs 50'
	expect_eq "$(coal "$v" rx-usecs)" 50 "VF rx-usecs"
	pv_took coalescing "$n" "$(coal "$p" rx-usecs)" 50
	vmxnet3_took coalescing 0 "$(coal "$p" rx-usecs)" 50
	if [ "$PV" = vmxnet3 ]; then
		# TX on the vmxnet3, which has the coalescing op but refuses it
		# for QEMU's version 1 device: duo0 still shows and takes
		# coalescing (the VF's), as it must while the VF resets.
		lab_guest g0 'ethtool --set-priv-flags duo0 pv-only on && duoctl wait duo0 --path pv --timeout 10'
		expect_eq "$(coal duo0 rx-usecs)" 50 "duo0 rx-usecs with TX on the vmxnet3"
		lab_guest g0 'ethtool -C duo0 rx-usecs 60'
		expect_eq "$(coal "$v" rx-usecs)" 60 "VF rx-usecs set with TX on the vmxnet3"
		lab_guest g0 'ethtool -C duo0 rx-usecs 50 && ethtool --set-priv-flags duo0 pv-only off &&
			duoctl wait duo0 --path vf --timeout 10'
	fi
	# igb has 4+ queue pairs; the PV here has one: it refuses.
	n=$(stat pv_tuning_refused)
	lab_guest g0 'ethtool -L duo0 combined 2'
	expect_eq "$(cur "$v" -l 'Combined:')" 2 "VF combined channels"
	expect_eq "$(cur "$p" -l 'Combined:')" 1 "PV combined channels"
	pv_took channels "$n" 1 2
	# -X: a table over the two rings; the PV has no RSS (refused).
	n=$(stat pv_tuning_refused)
	lab_guest g0 'ethtool -X duo0 weight 1 3'
	expect_eq "$(rss "$v")" "$(rss duo0)" "VF RSS table = duo0's"
	expect_eq "$(rss duo0 | tr ' ' '\n' | sort | uniq -c | awk '{ print $1 }' | paste -sd ' ')" "32 96" "duo0 table weights 1:3"
	pv_took "RSS settings" "$n" none table
	# -K rx off: the VF follows; the PV follows unless it is fixed there.
	n=$(stat pv_tuning_refused)
	lab_guest g0 'ethtool -K duo0 rx off'
	expect_eq "$(feat duo0 rx-checksumming)" off "duo0 rx-checksumming"
	expect_eq "$(feat "$v" rx-checksumming)" off "VF rx-checksumming"
	pv_took offloads "$n" "$(feat "$p" rx-checksumming | cut -d' ' -f1)" off
	vmxnet3_took offloads 1 "$(feat "$p" rx-checksumming | cut -d' ' -f1)" off
	expect_eq "$(stat vf_tuning_refused)" 0 "VF refusals"
	lab_ping_clean after_set 1
}

# Out of every lower's range: refused by ethtool itself, nothing stored.
case_refuse() {
	local out
	out=$(lab_guest g0 'ethtool -G duo0 rx 1000000 2>&1; echo rc=$?')
	case $out in *rc=0) lab_log "rx 1000000 accepted: $out"; return 1 ;; esac
	expect_eq "$(cur duo0 -g 'RX:')" 512 "duo0 rx ring kept"
	out=$(lab_guest g0 'ethtool -L duo0 combined 1000 2>&1; echo rc=$?')
	case $out in *rc=0) lab_log "combined 1000 accepted: $out"; return 1 ;; esac
	expect_eq "$(cur duo0 -l 'Combined:')" 2 "duo0 channels kept"
}

# The VF goes and a new one comes: it gets everything the user set.
case_replay() {
	local v refused r
	refused=$(stat pv_tuning_refused)
	# The planned sequence (a surprise removal of igb can lose a frame the
	# host still sent to the VF; failover.sh measures that case).
	lab_meter_start replay icmp -i 2
	lab_guest g0 'duonet-migrate prepare duo0'
	lab_vf_unplug g0
	# Stored values stay shown while the VF is away.
	expect_eq "$(cur duo0 -g 'RX:')" 512 "duo0 rx ring without a VF"
	lab_vf_plug g0
	lab_guest g0 'wait_for "[ \$(ip -o link show master duo0 | wc -l) = 2 ]" 20'
	# The new VF has all of it before it carries duo0's traffic: TX is
	# still held on the PV here (checked again after the resume).
	expect_eq "$(stat vf_active)" 0 "TX on the PV before the resume"
	v=$(vf)
	expect_eq "$(cur "$v" -g 'RX:')" 512 "new VF rx ring before the resume"
	expect_eq "$(coal "$v" rx-usecs)" 50 "new VF rx-usecs before the resume"
	expect_eq "$(cur "$v" -l 'Combined:')" 2 "new VF combined channels before the resume"
	expect_eq "$(feat "$v" rx-checksumming)" off "new VF rx-checksumming before the resume"
	expect_eq "$(rss "$v")" "$(rss duo0)" "new VF RSS table before the resume"
	lab_guest g0 'duonet-migrate resume duo0 --timeout 20'
	expect_eq "$(stat vf_active)" 1 "TX on the VF after the resume"
	r=$(lab_meter_stop replay | head -n 1)
	lab_log "ping across the planned unplug and re-plug: $r"
	expect_le "$(lab_report_get "$r" lost)" 0 "packets lost across the replay"
	expect_eq "$(cur "$v" -g 'RX:')" 512 "new VF rx ring"
	expect_eq "$(cur "$v" -g 'TX:')" 512 "new VF tx ring"
	expect_eq "$(coal "$v" rx-usecs)" 50 "new VF rx-usecs"
	expect_eq "$(cur "$v" -l 'Combined:')" 2 "new VF combined channels"
	expect_eq "$(feat "$v" rx-checksumming)" off "new VF rx-checksumming"
	expect_eq "$(rss "$v")" "$(rss duo0)" "new VF RSS table"
	expect_eq "$(stat vf_tuning_refused)" 0 "VF refusals"
	expect_eq "$(stat pv_tuning_refused)" "$refused" "PV refusals (no new ones)"
	lab_ping_clean after_replay 1
}

# ethtool -X duo0 default: nothing stored, the VF back to its own default
# table (round robin over its 2 rings), no refusal counted for the PV.
case_rss_default() {
	local v n
	v=$(vf)
	n=$(stat pv_tuning_refused)
	lab_guest g0 'ethtool -X duo0 default'
	expect_eq "$(rss "$v" | tr ' ' '\n' | sort | uniq -c | awk '{ print $1 }' | paste -sd ' ')" "64 64" "VF table back to the default"
	expect_eq "$(stat pv_tuning_refused)" "$n" "PV refusals (a default is not a table)"
	lab_ping_clean after_rss_default 1
}

# A channel change a lower's own state forbids, as ethtool's core forbids
# it on the lower itself: an RSS table the user set on the VF sends to
# queue 3, so the VF refuses to go down to 2 channels (counted, logged)
# and keeps its 4 and its table; igb would silently reset the table.
# (The ntuple-rule check is not exercised: QEMU's igb is an 82576, and
# igb offers ntuple filters from the i350 on.)
case_channels_under_lower_rss() {
	local v n table
	v=$(vf)
	lab_guest g0 'ethtool -L duo0 combined 4'
	expect_eq "$(cur "$v" -l 'Combined:')" 4 "VF combined channels"
	lab_guest g0 "ethtool -X $v weight 0 0 0 1"
	table=$(rss "$v")
	n=$(stat vf_tuning_refused)
	lab_guest g0 'ethtool -L duo0 combined 2'
	expect_eq "$(stat vf_tuning_refused)" $((n + 1)) "VF refusals"
	expect_eq "$(cur "$v" -l 'Combined:')" 4 "VF combined channels kept"
	expect_eq "$(rss "$v")" "$table" "VF's own RSS table kept"
	lab_guest g0 "dmesg | grep -q '$v: duonet: channel change refused: its own RSS table sends to a queue that would go'"
	lab_ping_clean after_channels_under_lower_rss 1
}

# Hardware timestamping through duo0 (core/hwtstamp.c), as bonding does it:
# ethtool -T and SIOC[SG]HWTSTAMP go to the path TX is on; a set must
# carry HWTSTAMP_FLAG_BONDED_PHC_INDEX; a PV cannot take one; a new VF is
# given the settings before it carries TX where its driver has
# ndo_hwtstamp_set (7.x's igb), else the refusal is counted and logged
# (6.x's igb takes them only by ioctl). QEMU's igb stamps transmitted
# frames (tstamp tx counts the stamps that reach the socket); it stamps no
# received one, so receive stamps are not checked.
phc() { lab_guest g0 "ethtool -T $1 | sed -n 's/^PTP Hardware Clock: //p'"; }
tsget() { lab_guest g0 "tstamp get $1"; }
stamped() { lab_guest g0 "tstamp tx duo0 $LAB_PEER_IP 3320 3"; }
case_hwtstamp() {
	local v out n
	v=$(vf)
	out=$(phc "$v")
	case $out in ''|none) lab_log "the VF has no PHC: '$out'"; return 1 ;; esac
	expect_eq "$(phc duo0)" "$out" "duo0's PHC = the VF's"
	# A get through duo0 says the PHC may change (the flag), whatever
	# the lower holds.
	lab_guest g0 "tstamp set $v 1 12 --no-phc-flag"
	expect_eq "$(tsget duo0)" "flags=1 tx_type=1 rx_filter=12" "duo0's get of the VF's own settings"
	lab_guest g0 "tstamp set $v 0 0 --no-phc-flag"
	out=$(lab_guest g0 'tstamp set duo0 1 12 --no-phc-flag 2>&1; echo rc=$?')
	case $out in *rc=0) lab_log "set without the flag accepted: $out"; return 1 ;; esac
	lab_guest g0 "dmesg | grep -q 'duo0: duonet: set HWTSTAMP_FLAG_BONDED_PHC_INDEX'"
	# PTP v2 events (12); QEMU's 82576 refuses "all" (1) with ERANGE.
	expect_eq "$(lab_guest g0 'tstamp set duo0 1 12')" "flags=1 tx_type=1 rx_filter=12" "duo0 set"
	expect_eq "$(tsget "$v")" "flags=1 tx_type=1 rx_filter=12" "the VF's settings"
	expect_eq "$(tsget duo0)" "flags=1 tx_type=1 rx_filter=12" "duo0's settings"
	expect_eq "$(stamped)" "sent=3 hw=3" "hardware TX stamps through duo0"
	# TX on the PV: its (lack of a) clock, and a set refused; turning
	# stamping off is taken, by the VF.
	lab_guest g0 'ethtool --set-priv-flags duo0 pv-only on && duoctl wait duo0 --path pv --timeout 5'
	expect_eq "$(phc duo0)" none "duo0's PHC on the PV"
	out=$(lab_guest g0 'tstamp set duo0 1 12 2>&1; echo rc=$?')
	case $out in *rc=0) lab_log "set on the PV accepted: $out"; return 1 ;; esac
	lab_guest g0 "dmesg | grep -q 'duo0: duonet: the path TX is on cannot timestamp in hardware'"
	expect_eq "$(stamped)" "sent=3 hw=0" "hardware TX stamps on the PV"
	expect_eq "$(lab_guest g0 'tstamp set duo0 0 0')" "flags=1 tx_type=0 rx_filter=0" "duo0 set off on the PV"
	expect_eq "$(tsget "$v")" "flags=1 tx_type=0 rx_filter=0" "the VF's settings, off"
	lab_guest g0 'ethtool --set-priv-flags duo0 pv-only off && duoctl wait duo0 --path vf --timeout 5'
	expect_eq "$(stamped)" "sent=3 hw=0" "hardware TX stamps back on the VF, off"
	lab_guest g0 'tstamp set duo0 1 12'
	expect_eq "$(stamped)" "sent=3 hw=3" "hardware TX stamps back on the VF, on again"
	# A new VF (the other PV gives the same answers: virtio_net only).
	[ "$PV" = virtio ] || return 0
	n=$(stat vf_tuning_refused)
	lab_guest g0 'duonet-migrate prepare duo0'
	lab_vf_unplug g0
	lab_vf_plug g0
	lab_guest g0 'wait_for "[ \$(ip -o link show master duo0 | wc -l) = 2 ]" 20'
	v=$(vf)
	case $LAB_KREL in
	6.*)
		expect_eq "$(stat vf_tuning_refused)" $((n + 1)) "VF refusals (the timestamping)"
		lab_guest g0 "dmesg | grep -q 'duo0: $v (vf) cannot take the timestamping settings (tx_type 1 rx_filter 12): -EOPNOTSUPP its driver takes them only by ioctl; set them again on duo0'"
		expect_eq "$(tsget "$v")" "flags=0 tx_type=0 rx_filter=0" "the new VF's settings"
		lab_guest g0 'duonet-migrate resume duo0 --timeout 20'
		expect_eq "$(stamped)" "sent=3 hw=0" "hardware TX stamps on the new VF, not set"
		lab_guest g0 'tstamp set duo0 1 12'
		;;
	*)
		expect_eq "$(stat vf_tuning_refused)" "$n" "VF refusals"
		expect_eq "$(stat vf_active)" 0 "TX on the PV before the resume"
		expect_eq "$(tsget "$v")" "flags=1 tx_type=1 rx_filter=12" "the new VF's settings before the resume"
		lab_guest g0 'duonet-migrate resume duo0 --timeout 20'
		;;
	esac
	expect_eq "$(phc duo0)" "$(phc "$v")" "duo0's PHC = the new VF's"
	expect_eq "$(stamped)" "sent=3 hw=3" "hardware TX stamps through duo0 on the new VF"
	lab_ping_clean after_hwtstamp 1
}

case_guest_log_clean() { lab_check_log g0; }

lab_boot g0 --pv "$PV" --vf igb
run_case up case_up
run_case view case_view
run_case set case_set
run_case refuse case_refuse
run_case replay case_replay
run_case rss_default case_rss_default
run_case channels_under_lower_rss case_channels_under_lower_rss
run_case hwtstamp case_hwtstamp
run_case guest_log_clean case_guest_log_clean
