#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# duoctl's argument handling, on the host (no duonet device needed): every
# usage error exits 2 with its message and the synopsis, --help prints the
# manual, a name that is not a duonet upper exits 1. Refusals by the kernel
# are tested in the guest (tools/vm/scenarios/settings.sh, pairing.sh).
#
# usage: duoctl-args.sh [DUOCTL]   one "PASS|FAIL tools/duoctl-args/N" line
# per case to $DUO_RESULTS (or stdout); exit status 1 if any failed.
set -u
duoctl=${1:-$(dirname "$0")/../../build/tools/duoctl}
results=${DUO_RESULTS:-/dev/stdout}
failed=0

# check NAME RC TEXT ARGS...: duoctl ARGS exits RC and prints TEXT.
check() {
	local name=$1 rc=$2 text=$3 out got
	shift 3
	out=$("$duoctl" "$@" 2>&1)
	got=$?
	if [ "$got" = "$rc" ] && [[ $out == *"$text"* ]]; then
		echo "PASS tools/duoctl-args/$name" >> "$results"
	else
		echo "FAIL tools/duoctl-args/$name" >> "$results"
		echo "duoctl $*: status $got (want $rc), output:" >&2
		printf '%s\n' "$out" | head -n 5 >&2
		failed=1
	fi
}

[ -x "$duoctl" ] || { echo "FAIL tools/duoctl-args/built" >> "$results"; exit 1; }

check no_args 2 "usage: duoctl show"
check unknown_command 2 "unknown command 'frob'" frob
check help 0 "EXIT STATUS" --help
check help_keys 0 "failback-delay-ms" -h
check show_bad_option 2 "usage:" show --yaml
check show_two_devs 2 "usage:" show a b
check show_not_duonet 1 "lo is not a duonet device" show lo
check set_few 2 "usage:" set duo0 announce-count
check set_many 2 "usage:" set duo0 announce-count 1 2
check set_unknown_key 2 "unknown key 'colour'" set duo0 colour 1
check set_not_number 2 "'x' is not a number from 0" set duo0 announce-count x
check set_negative 2 "'-1' is not a number from 0" set duo0 announce-count -1
check set_too_big 2 "'4294967296' is not a number" set duo0 announce-count 4294967296
check set_empty 2 "'' is not a number" set duo0 announce-count ""
check set_not_duonet 1 "lo is not a duonet device" set lo announce-count 1
check set_lower_not_duonet 1 "lo is not a duonet device" set lo vf none
check pair_few 2 "usage:" pair duo0
check pair_bad_role 2 "role 'gpu' is not vf or pv" pair duo0 eth0 --role gpu
check pair_role_missing 2 "usage:" pair duo0 eth0 --role
check pair_not_duonet 1 "lo is not a duonet device" pair lo lo
check unpair_few 2 "usage:" unpair duo0
check unpair_not_duonet 1 "lo is not a duonet device" unpair lo lo
check wait_no_path 2 "wait needs --path vf or --path pv" wait duo0 --timeout 1
check wait_extra 2 "usage:" wait duo0 --path vf extra
check wait_bad_path 2 "wait needs --path vf or --path pv" wait duo0 --path gpu
check wait_bad_timeout 2 "'soon' is not a number of seconds" wait duo0 --path vf --timeout soon
check wait_negative_timeout 2 "is not a number of seconds" wait duo0 --path vf --timeout -1
check wait_not_duonet 1 "lo is not a duonet device" wait lo --path vf --timeout 0
exit "$failed"
