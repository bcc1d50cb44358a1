#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Settings over rtnetlink with duoctl: show (text and JSON), set with the
# kernel's checks and messages, the failback delay observed with
# duoctl wait, and the ethtool private flags.
#
#   peer ns                 host ns (br0)     guest g0
#   vpeer 10.99.0.1 --veth-- tp0 ------------ eth virtio_net --+
#                            tv0 ------------ eth e1000e -------+- duo0 10.99.0.2
#
# usage: settings.sh KERNEL_RELEASE
set -eu
. "$(dirname "$0")/../lab.sh"

[ $# -eq 1 ] || { echo "usage: $0 KERNEL_RELEASE" >&2; exit 2; }
lab_init settings "$1"
lab_net_up

case_show() {
	local json
	lab_guest g0 'modprobe duonet && wait_for "[ \$(ip -o link show master duo0 2>/dev/null | wc -l) = 2 ]"'
	lab_guest g0 "ip link set duo0 up && ip addr add $LAB_GUEST_IP/24 dev duo0 && duoctl wait duo0 --path vf --timeout 20"
	json=$(lab_guest g0 'duoctl show --json duo0')
	lab_log "duoctl show --json duo0: $json"
	printf '%s' "$json" | python3 -c '
import json, sys
u = json.load(sys.stdin)
assert len(u) == 1 and u[0]["ifname"] == "duo0", u
u = u[0]
assert u["active_path"] == "vf" and u["pv_only"] is False, u
assert sorted(l["role"] for l in u["lowers"]) == ["pv", "vf"], u
assert [l["role"] for l in u["lowers"] if l["active"]] == ["vf"], u
assert u["settings"]["announce_count"] == 3 and u["settings"]["failback_delay_ms"] == 0, u
assert u["switches_to_vf"] >= 1, u'
	lab_guest g0 'duoctl show | grep -q "^duo0: active vf"'
	# Time on each path: the VF's grows while it carries TX, the PV's not.
	lab_guest g0 't() { ethtool -S duo0 | sed -n "s/^ *$1_time_ms: //p"; }
		v0=$(t vf); p0=$(t pv); sleep 1; v1=$(t vf); p1=$(t pv)
		[ $((v1 - v0)) -ge 900 ] && [ "$p1" = "$p0" ]'
}

case_set_and_refuse() {
	local out
	lab_guest g0 'duoctl set duo0 announce-count 5 && duoctl show duo0 | grep -q "announce-count 5"'
	out=$(lab_guest g0 'duoctl set duo0 announce-count 101 2>&1; echo rc=$?')
	case $out in
	*"out of range"*rc=1) ;;
	*) lab_log "out-of-range value not refused as expected: $out"; return 1 ;;
	esac
	lab_guest g0 'duoctl show duo0 | grep -q "announce-count 5"'
	out=$(lab_guest g0 'duoctl set duo0 announce-count x 2>&1; echo rc=$?')
	case $out in *"not a number"*rc=2) ;; *) lab_log "bad value: $out"; return 1 ;; esac
	out=$(lab_guest g0 'duoctl set eth0 announce-count 1 2>&1; echo rc=$?')
	case $out in *"not a duonet device"*rc=1) ;; *) lab_log "bad device: $out"; return 1 ;; esac
	lab_guest g0 'duoctl set duo0 announce-count 3'
}

# A returning VF takes TX back only after the failback delay.
case_failback_delay() {
	lab_guest g0 'duoctl set duo0 failback-delay-ms 2000'
	lab_qmp g0 set-link vf0 down
	lab_guest g0 'duoctl wait duo0 --path pv --timeout 10'
	lab_qmp g0 set-link vf0 up
	lab_guest g0 'wait_for "grep -q 1 /sys/class/net/$(netdev_of_driver e1000e)/carrier" 20'
	# Link is back: TX must stay on the PV for about 2 s, then move.
	lab_guest g0 '! duoctl wait duo0 --path vf --timeout 1 2>/dev/null'
	lab_guest g0 'duoctl wait duo0 --path vf --timeout 5'
	expect_eq "$(lab_guest g0 'ethtool -S duo0 | sed -n "s/^ *switches_failback: //p"')" 1 "failback switches"
	lab_guest g0 'duoctl set duo0 failback-delay-ms 0'
	lab_ping_clean after_failback 1
}

case_priv_flags() {
	local out
	lab_guest g0 'ethtool --set-priv-flags duo0 adaptive on && ethtool --show-priv-flags duo0 | grep -q "adaptive: on"'
	lab_guest g0 'duoctl show --json duo0 | grep -q "\"adaptive\":true,\"policy\":\"adaptive\""'
	lab_guest g0 'ethtool --set-priv-flags duo0 adaptive off && ethtool --show-priv-flags duo0 | grep -q "adaptive: off"'
	lab_guest g0 'duoctl wait duo0 --path vf --timeout 5 && duoctl show duo0 | grep -q "policy vf-first"'
	out=$(lab_guest g0 'duoctl set duo0 adaptive-low-pps 20000 2>&1; echo rc=$?')
	case $out in
	*"the adaptive low mark must be below the high mark"*rc=1) ;;
	*) lab_log "low mark above the high one not refused: $out"; return 1 ;;
	esac
	lab_guest g0 'duoctl show duo0 | grep -q "adaptive-low-pps 2000$"'
	lab_guest g0 'ethtool --set-priv-flags duo0 pv-only on && duoctl wait duo0 --path pv --timeout 5'
	lab_guest g0 'duoctl show --json duo0 | grep -q "\"pv_only\":true"'
	lab_guest g0 'ethtool --set-priv-flags duo0 pv-only off && duoctl wait duo0 --path vf --timeout 5'
}

case_guest_log_clean() { lab_check_log g0; }

lab_boot g0 --vf e1000e
run_case show case_show
run_case set_and_refuse case_set_and_refuse
run_case failback_delay case_failback_delay
run_case priv_flags case_priv_flags
run_case guest_log_clean case_guest_log_clean
