#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The in-guest tests (tools/vm/inguest/duonet.sh) on one kernel, in one
# boot: the lab guest without a VF stand-in, each test a case
# (inguest/KERNEL/TEST), then the guest's log checked for kernel trouble.
# make check runs it on every kernel of the matrix.
#
# usage: run.sh KERNEL_RELEASE
set -eu
. "$(dirname "$0")/../lab.sh"

[ $# -eq 1 ] || { echo "usage: $0 KERNEL_RELEASE" >&2; exit 2; }
lab_init inguest "$1"
lab_net_up

T=/usr/lib/duonet/selftest/duonet.sh

# One test: its TAP line must say ok; its output goes to the case's log.
inguest_test() {
	local out rc=0
	out=$(lab_guest g0 "sh $T $1 2>&1") || rc=$?
	printf '%s\n' "$out" | sed 's/^/    /' >&2
	expect_eq "$(printf '%s\n' "$out" | grep -E '^(not )?ok ' | tail -n 1)" "ok 1 - $1" "test $1 (status $rc)"
	[ "$rc" = 0 ]
}

case_guest_log_clean() { lab_check_log g0; }

lab_boot g0 --vf none
tests=$(lab_guest g0 "sh $T --list")
[ -n "$tests" ] || lab_die "no in-guest tests listed"
# The debug kernel has netdevsim: its ops-locked VF test must be there.
case $1 in
*-duodebug)
	case " $(echo $tests) " in
	*" ops_locked_lower "*) ;;
	*)
		echo "FAIL inguest/$1/ops_locked_lower (not listed: no netdevsim in the guest)" >> "$DUO_RESULTS"
		LAB_FAILED=$((LAB_FAILED + 1)) ;;
	esac ;;
esac
for t in $tests; do
	eval "case_$t() { inguest_test $t; }"
	run_case "$t" "case_$t"
done
run_case guest_log_clean case_guest_log_clean
