#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Self-test of the lab's instruments, on the host only (no guest): the loss
# meter must count an outage it is shown, and the guest-log check must
# catch a kernel splat. A lab that reports 0 lost whatever happens, or
# never sees a WARNING, would make every scenario pass; this fails instead.
#
#   peer ns                 host ns
#   vpeer 10.99.0.1 --veth-- vhost -- br0 10.99.0.2 (stands in for the guest)
set -eu
. "$(dirname "$0")/lab.sh"

lab_init selftest host
lab_net_up
lab_ns ip addr add "$LAB_GUEST_IP/24" dev br0

# Every slot of a run is accounted for: sent, or skipped when the meter
# itself was not scheduled for more than 100 ms (the host stalled; a CI run
# once sent 449 of 500 here).
lab_slots() { echo $(($(lab_report_get "$1" sent) + $(lab_report_get "$1" skipped))); }

case_meter_clean() {
	local r
	lab_meter_start clean icmp -i 2 -d 1
	r=$(lab_meter_wait clean | head -n 1)
	lab_log "quiet link: $r"
	expect_eq "$(lab_slots "$r")" 500 "probe slots in 1 s at 2 ms (sent + skipped)"
	expect_le 250 "$(lab_report_get "$r" sent)" "probes sent (a stall took the rest)"
	expect_eq "$(lab_report_get "$r" lost)" 0 "loss on a quiet link"
}

# A meter stopped for 300 ms reports the slots it missed as skipped, not
# as sent or lost.
case_meter_counts_its_stall() {
	local r pid
	lab_meter_start stall icmp -i 2 -d 1
	sleep 0.3
	pid=$(cat "$LAB_DIR/stall.meter.pid")
	kill -STOP "$pid"
	sleep 0.3
	kill -CONT "$pid"
	r=$(lab_meter_wait stall | head -n 1)
	lab_log "300 ms stall: $r"
	expect_eq "$(lab_slots "$r")" 500 "probe slots (sent + skipped)"
	expect_le 100 "$(lab_report_get "$r" skipped)" "slots skipped in a 300 ms stall"
	expect_eq "$(lab_report_get "$r" lost)" 0 "loss over a stall"
}

# 200 ms with the replies blackholed: about 100 probes lost at 2 ms.
case_meter_counts_outage() {
	local r lost gap
	lab_meter_start outage icmp -i 2 -d 1.5
	sleep 0.5
	lab_ns ip route add blackhole "$LAB_PEER_IP/32"
	sleep 0.2
	lab_ns ip route del blackhole "$LAB_PEER_IP/32"
	r=$(lab_meter_wait outage | head -n 1)
	lab_log "200 ms outage: $r"
	lost=$(lab_report_get "$r" lost)
	gap=$(lab_report_get "$r" longest_gap_ms)
	[ "$lost" -ge 80 ] && [ "$lost" -le 150 ] || { lab_log "lost $lost, expected about 100"; return 1; }
	[ "${gap%.*}" -ge 150 ] && [ "${gap%.*}" -le 320 ] || { lab_log "gap $gap ms, expected about 200"; return 1; }
}

# Periods split at a mark add up; the UDP echo path works.
case_meter_udp_periods() {
	local out sent=0 n
	# Not through lab_ns: $! must be the server itself for the cleanup.
	ip netns exec "$LAB_NS" "$LAB_TOP/build/tools/lossmeter" echo > /dev/null 2>&1 &
	echo $! > "$LAB_DIR/echo.pid"
	sleep 0.2
	lab_meter_start udp udp -i 2 -d 1
	sleep 0.5
	kill -USR1 "$(cat "$LAB_DIR/udp.meter.pid")"
	out=$(lab_meter_wait udp | grep '^sent=')
	expect_eq "$(printf '%s\n' "$out" | wc -l)" 2 "two periods"
	for n in $(printf '%s\n' "$out" | grep -oE '(^sent|skipped)=[0-9]*' | cut -d= -f2); do
		sent=$((sent + n))
	done
	expect_eq "$sent" 500 "probe slots over both periods (sent + skipped)"
	! printf '%s\n' "$out" | grep -v 'lost=0 ' | grep -q .
}

case_log_check_catches_splat() {
	printf '[ 1.0] ok\n' > "$LAB_DIR/clean.console"
	lab_check_log clean
	local s
	for s in 'WARNING: CPU: 0 PID: 1 at net/core/dev.c:1 x' 'BUG: KASAN: use-after-free' \
		'rcu: INFO: rcu_preempt detected stalls' 'refcount_t: underflow; use-after-free.' \
		'unreferenced object 0xffff (size 64):' 'INFO: task ip:99 blocked for more than 122 seconds.'; do
		printf '[ 1.0] ok\n[ 2.0] %s\n' "$s" > "$LAB_DIR/bad.console"
		if lab_check_log bad 2>/dev/null; then
			lab_log "not caught: $s"
			return 1
		fi
	done	# A guest without a log proves nothing: it fails.
	if lab_check_log never-booted 2>/dev/null; then
		lab_log "a missing console log passed"
		return 1
	fi
}

# A failed case is recorded with its cause: the assertion's message and
# the command that failed, with file and line (run_case, lab_case_why).
inner_assertion() {
	local n=5
	expect_le "$n" 3 "inner count"
}
inner_command() {
	true
	grep -q never-there /dev/null
}
case_failure_names_cause() {
	local r=$LAB_DIR/inner-results l1 l2
	: > "$r"
	(DUO_RESULTS=$r run_case assertion inner_assertion; DUO_RESULTS=$r run_case command inner_command) 2>/dev/null
	l1=$(grep -n '^inner_assertion' "$0" | cut -d: -f1)
	l2=$(grep -n 'never-there /dev/null$' "$0" | cut -d: -f1)
	lab_log "inner results: $(paste -sd '|' "$r")"
	grep -qxF "FAIL selftest/host/assertion (expected at most 3, got 5 (inner count); selftest.sh:$((l1 + 2)): expect_le \"\$n\" 3 \"inner count\")" "$r"
	grep -qxF "FAIL selftest/host/command (selftest.sh:$l2: grep -q never-there /dev/null)" "$r"
}

# A deferred loss verdict (LAB_DEFER=1 lab_measure) lets the case take its
# next step, then fails it with the loss and where it was.
blackhole_100ms() {
	lab_ns ip route add blackhole "$LAB_PEER_IP/32"
	sleep 0.1
	lab_ns ip route del blackhole "$LAB_PEER_IP/32"
}
inner_deferred() {
	LAB_DEFER=1 lab_measure blackholed 0 "icmp -i 2" blackhole_100ms
	touch "$LAB_DIR/step-after"
	lab_deferred
}
case_deferred_verdict() {
	local r=$LAB_DIR/inner-results
	: > "$r"
	(DUO_RESULTS=$r run_case deferred inner_deferred) 2>/dev/null
	lab_log "inner results: $(cat "$r")"
	[ -f "$LAB_DIR/step-after" ] || { lab_log "the step after the measure did not run"; return 1; }
	grep -qE '^FAIL selftest/host/deferred \(expected at most 0, got [0-9]+ \(packets lost: blackholed; longest_gap_ms=[0-9.]+ gaps=1 first_lost_seq=[0-9]+\); selftest.sh:[0-9]+: lab_deferred\)$' "$r"
}

run_case meter_clean case_meter_clean
run_case meter_counts_its_stall case_meter_counts_its_stall
run_case meter_counts_outage case_meter_counts_outage
run_case meter_udp_periods case_meter_udp_periods
run_case log_check_catches_splat case_log_check_catches_splat
run_case failure_names_cause case_failure_names_cause
run_case deferred_verdict case_deferred_verdict
