#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Hostile input: the netlink fuzzer (tools/tests/nlfuzz.c)
# against duo0's IFLA_INFO_DATA, every request answered, malformed ones
# refused, a refused one changing nothing; ethtool values out of range on
# every operation duonet supports, refused, nothing changed; an
# unprivileged user (and root of a user namespace) can read duo0's state
# but change nothing. duo0 carries traffic afterwards, its log is clean.
#
#   peer ns                 host ns (br0)     guest g0
#   vpeer 10.99.0.1 --veth-- tp0 ------------ eth virtio_net --+
#                            tv0 ------------ eth igb ----------+- duo0 10.99.0.2
#
# usage: hostile.sh KERNEL_RELEASE
set -eu
. "$(dirname "$0")/../lab.sh"

[ $# -eq 1 ] || { echo "usage: $0 KERNEL_RELEASE" >&2; exit 2; }
lab_init hostile "$1"
lab_net_up
FUZZ_COUNT=${DUO_FUZZ_COUNT:-3000}
NOBODY="/usr/bin/setpriv --reuid 65534 --regid 65534 --clear-groups"

lower_of() {
	lab_guest g0 'duoctl show --json duo0' |
		python3 -c "import json,sys; print([l['ifname'] for l in json.load(sys.stdin)[0]['lowers'] if l['role'] == '$1'][0])"
}

case_up() {
	lab_guest g0 'modprobe duonet'
	lab_guest g0 'wait_for "[ \$(ip -o link show master duo0 2>/dev/null | wc -l) = 2 ]"'
	lab_guest g0 "ip link set duo0 up && ip addr add $LAB_GUEST_IP/24 dev duo0 && duoctl wait duo0 --path vf --timeout 20"
	expect_eq "$(lower_of pv)" "$(lab_guest g0 'netdev_of_driver virtio_net')" "the PV"
	expect_eq "$(lower_of vf)" "$(lab_guest g0 'netdev_of_driver igb')" "the VF"
}

# The settings as duoctl prints them, for before/after comparisons.
settings() { lab_guest g0 'duoctl show --json duo0' | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["settings"])'; }

case_netlink_fuzz() {
	local out
	out=$(lab_guest g0 "nlfuzz duo0 --count $FUZZ_COUNT --seed 0x${LAB_KREL//[^0-9]/} --create 2>&1") ||
		{ lab_log "nlfuzz failed: $(printf '%s' "$out" | paste -sd '|')"; return 1; }
	lab_log "nlfuzz: $(printf '%s' "$out" | paste -sd '|')"
	printf '%s\n' "$out" | grep -q "^nlfuzz: sent=$FUZZ_COUNT .* unanswered=0 malformed_accepted=0 refused_but_changed=0$"
	# Every refusal carried an extack message.
	expect_eq "$(printf '%s\n' "$out" | grep -o ' refused_with_message=[0-9]*' | cut -d= -f2)" \
		"$(printf '%s\n' "$out" | grep -o ' refused=[0-9]*' | cut -d= -f2)" "refusals with a message"
	# No upper the fuzzer created is left; duo0 gets its lowers and
	# defaults back (accepted requests may have changed them) and works.
	expect_eq "$(lab_guest g0 'ip -o link show type duonet | grep -c duofz' || true)" 0 "fuzzer's uppers left"
	# Either NIC may hold either role, or none (the fuzzer pairs by
	# ifindex, moving lowers between roles): both released, then both
	# paired in their roles.
	lab_guest g0 'duoctl set duo0 vf none pv none &&
		duoctl set duo0 pv $(netdev_of_driver virtio_net) vf $(netdev_of_driver igb)'
	lab_guest g0 'for kv in announce-count=3 announce-interval-ms=100 failback-delay-ms=0 damp-flaps=0 \
		hint-mask=0 adaptive-high-pps=100000000 adaptive-low-pps=2000 \
		adaptive-high-pps=10000 adaptive-dwell-ms=5000 \
		reach-interval-ms=0 reach-missed=2; do
		duoctl set duo0 ${kv%=*} ${kv#*=} || exit 1; done
		duoctl set duo0 reach-targets none'
	lab_guest g0 'ethtool --set-priv-flags duo0 pv-only off adaptive off'
	lab_guest g0 'duoctl wait duo0 --path vf --timeout 20'
	lab_ping_clean after_fuzz 2
}

# refused WHAT COMMAND: the guest command fails, and nothing changed.
refused() {
	local what=$1 cmd=$2 before after out
	before=$(lab_guest g0 'ethtool -g duo0; ethtool -c duo0; ethtool -l duo0; ethtool --show-priv-flags duo0; ethtool -k duo0' 2>&1)
	out=$(lab_guest g0 "$cmd 2>&1; echo rc=\$?")
	case $out in *rc=0) lab_log "$what accepted: $out"; return 1 ;; esac
	after=$(lab_guest g0 'ethtool -g duo0; ethtool -c duo0; ethtool -l duo0; ethtool --show-priv-flags duo0; ethtool -k duo0' 2>&1)
	[ "$before" = "$after" ] || { lab_log "$what changed something"; diff <(echo "$before") <(echo "$after") >&2; return 1; }
	lab_log "$what refused: $(printf '%s' "$out" | head -n 2 | paste -sd '|')"
}

case_ethtool_ranges() {
	refused "ring over the maximum" 'ethtool -G duo0 rx 1000000000'
	refused "ring of 0" 'ethtool -G duo0 rx 0'
	refused "coalescing over u32" 'ethtool -C duo0 rx-usecs 4294967296'
	refused "channels over the maximum" 'ethtool -L duo0 combined 100000'
	refused "no channels" 'ethtool -L duo0 combined 0'
	refused "RSS weights for no queue" 'ethtool -X duo0 weight 0 0'
	refused "RSS start past the queues" 'ethtool -X duo0 start 1000 equal 2'
	refused "unknown private flag" 'ethtool --set-priv-flags duo0 no-such-flag on'
	refused "unknown feature" 'ethtool -K duo0 no-such-feature on'
	refused "feature no lower has" 'ethtool -K duo0 tx-checksum-fcoe-crc on'
	refused "link speed" 'ethtool -s duo0 speed 12345'
}

case_unprivileged() {
	local s0
	s0=$(settings)
	# Reading works.
	lab_guest g0 "$NOBODY duoctl show duo0 >/dev/null && $NOBODY ethtool -S duo0 >/dev/null && $NOBODY ethtool -i duo0 >/dev/null"
	refused "unprivileged duoctl set" "$NOBODY duoctl set duo0 announce-count 7"
	refused "unprivileged pv-only" "$NOBODY ethtool --set-priv-flags duo0 pv-only on"
	refused "unprivileged ring change" "$NOBODY ethtool -G duo0 rx 128"
	refused "unprivileged unpair" "$NOBODY duoctl unpair duo0 \$(netdev_of_driver igb)"
	refused "unprivileged link down" "$NOBODY ip link set duo0 down"
	refused "unprivileged XDP" "$NOBODY ip link set duo0 xdp obj /usr/lib/duonet/xdpfilter.bpf.o sec xdp"
	# Root of a new user namespace owns nothing of the initial one.
	refused "user-namespace root duoctl set" "/usr/bin/unshare -Ur duoctl set duo0 announce-count 7"
	refused "user-namespace root pv-only" "/usr/bin/unshare -Ur ethtool --set-priv-flags duo0 pv-only on"
	expect_eq "$(settings)" "$s0" "settings after the unprivileged attempts"
	expect_eq "$(lower_of vf)" "$(lab_guest g0 'netdev_of_driver igb')" "VF after the unprivileged attempts"
	lab_ping_clean after_unprivileged 1
}

case_guest_log_clean() { lab_check_log g0; }

lab_boot g0 --vf igb
run_case up case_up
run_case netlink_fuzz case_netlink_fuzz
run_case ethtool_ranges case_ethtool_ranges
run_case unprivileged case_unprivileged
run_case guest_log_clean case_guest_log_clean
