#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The planned sequence driven only by the migration scripts: the host's
# duonet-migrate-host (QMP) running the guest's duonet-migrate through the
# guest agent, in its loop mode (tools/vm/script-cycles.sh), under ping every
# 2 ms. Nothing may be lost outside a migration; a migration may lose what
# the guest's pause explains (paused_ms/2 + 4, as failover.sh).
#
#   peer ns                 host ns (br0)      guests
#   vpeer 10.99.0.1 --veth-- tp0/tv0 --------- g0 (then m2)
#                            tp1/tv1 --------- m1 (after the 1st migration)
#
# usage: scripts.sh KERNEL_RELEASE
set -eu
. "$(dirname "$0")/../lab.sh"
. "$(dirname "$0")/../script-cycles.sh"

[ $# -eq 1 ] || { echo "usage: $0 KERNEL_RELEASE" >&2; exit 2; }
lab_init scripts "$1"
lab_net_up
G=g0

case_up() {
	lab_guest g0 'modprobe duonet && wait_for "[ \$(ip -o link show master duo0 2>/dev/null | wc -l) = 2 ]"'
	lab_guest g0 "ip link set duo0 up && ip addr add $LAB_GUEST_IP/24 dev duo0 && duoctl wait duo0 --path vf --timeout 20"
}

loop() {
	script_cycles_run "$1" "$2" > "$LAB_DIR/loop.out"
	cat "$LAB_DIR/loop.out" >&2
	tail -n 1 "$LAB_DIR/loop.out" >> "$LAB_LOGDIR/loss.txt"
	[ "$SCRIPT_CYCLES_SENT" -gt $(($2 * 1000)) ]
	expect_eq "$SCRIPT_CYCLES_OTHER_LOST" 0 "lost outside migrations ($1)"
}

case_replug_loop() { loop replug 3; }

case_migrate_loop() {
	loop migrate 2
	expect_le "$SCRIPT_CYCLES_MIG_EXCESS" 0 "lost in a migration beyond paused/2 + 4"
	expect_eq "$(lab_guest "$G" 'ethtool -S duo0 | sed -n "s/^ *vf_active: //p"')" 1 "on the VF at the end"
	lab_ping_clean after_loops 1
}

# Every guest of the run: cases run in subshells, $G is not carried over.
case_guest_log_clean() {
	local n
	for n in g0 m1 m2; do
		lab_check_log "$n"
	done
}

lab_boot g0 --vf e1000e
run_case up case_up
run_case replug_loop case_replug_loop
run_case migrate_loop case_migrate_loop
run_case guest_log_clean case_guest_log_clean
