#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The planned sequence in a loop, driven only by the migration scripts,
# under ping every 2 ms: per-cycle loss per step, then a summary.
#
# usage: migrate-loop.sh [--mode replug|migrate] [--cycles N]
#                        [--vf e1000e|igb] [--kernel KERNEL_RELEASE]
# (defaults: replug, 5 cycles, e1000e, the newest built kernel)
# Exit status 1 if anything was lost outside the guest's pause.
set -eu
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/script-cycles.sh"

usage() { sed -n '7,9p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
mode=replug cycles=5 vf=e1000e
krel=$(ls -d "$LAB_CACHE"/kernels/*/ 2>/dev/null | xargs -n1 basename | sort -V | tail -n 1)
while [ $# -gt 0 ]; do
	[ $# -ge 2 ] || usage
	case $1 in
	--mode) mode=$2 ;;
	--cycles) cycles=$2 ;;
	--vf) vf=$2 ;;
	--kernel) krel=$2 ;;
	*) usage ;;
	esac
	shift 2
done
case $mode in replug|migrate) ;; *) usage ;; esac
case $cycles in ''|*[!0-9]*|0) usage ;; esac
[ -n "$krel" ] || lab_die "no guest kernel: run 'make deps'"

lab_init migrate-loop "$krel"
lab_net_up
lab_boot g0 --vf "$vf"
G=g0
lab_guest g0 'modprobe duonet && wait_for "[ \$(ip -o link show master duo0 2>/dev/null | wc -l) = 2 ]"'
lab_guest g0 "ip link set duo0 up && ip addr add $LAB_GUEST_IP/24 dev duo0 && duoctl wait duo0 --path vf --timeout 20"
script_cycles_run "$mode" "$cycles"
lab_check_log "$G"
[ "$SCRIPT_CYCLES_OTHER_LOST" = 0 ] && [ "$SCRIPT_CYCLES_MIG_EXCESS" -le 0 ]
