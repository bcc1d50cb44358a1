#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Per-flow path choice: a tc/BPF program on duo0 (bpf/steer) puts a path
# hint in skb->mark under the mask set with duoctl; one UDP flow takes the
# PV while the rest stays on the VF, counted on the host's taps and in
# ethtool -S; a VF hint under pv-only falls back to the PV (counted); bad
# masks are refused.
#
#   peer ns                    host ns (br0)     guest g0
#   vpeer 10.99.0.1 --veth----- tp0 ------------ eth virtio_net --+
#   UDP echo :9998 :9999        tv0 ------------ eth e1000e -------+- duo0
#
# usage: steering.sh KERNEL_RELEASE
set -eu
. "$(dirname "$0")/../lab.sh"

[ $# -eq 1 ] || { echo "usage: $0 KERNEL_RELEASE" >&2; exit 2; }
lab_init steering "$1"
lab_net_up
MASK=0x300

stat() { lab_guest g0 "ethtool -S duo0 | sed -n 's/^ *$1: //p'"; }
tap_rx() { lab_ns cat "/sys/class/net/$1/statistics/rx_packets"; }

# flow PORT: 1000 UDP probes from the guest to the peer's echo on PORT
# (2 s); sets FLOW_PV and FLOW_VF to the frames the host's PV and VF taps
# received meanwhile, and checks nothing was lost.
flow() {
	local p0 v0 r
	p0=$(tap_rx tp0)
	v0=$(tap_rx tv0)
	r=$(lab_guest g0 "lossmeter udp -q -i 2 -d 2 $LAB_PEER_IP:$1" | head -n 1)
	FLOW_PV=$(($(tap_rx tp0) - p0))
	FLOW_VF=$(($(tap_rx tv0) - v0))
	lab_log "udp to :$1: $r; host taps: pv $FLOW_PV, vf $FLOW_VF frames"
	expect_le 900 "$(lab_report_get "$r" sent)" "probes sent"
	expect_eq "$(lab_report_get "$r" lost)" 0 "probes lost to :$1"
}

case_up() {
	local p
	for p in 9998 9999; do
		ip netns exec "$LAB_PEER_NS" "$LAB_TOP/build/tools/lossmeter" echo -p "$p" \
			> /dev/null 2>&1 &
		echo $! > "$LAB_DIR/echo$p.pid"
	done
	lab_guest g0 'modprobe sch_ingress && modprobe cls_bpf && modprobe duonet'
	lab_guest g0 'wait_for "[ \$(ip -o link show master duo0 2>/dev/null | wc -l) = 2 ]"'
	lab_guest g0 "ip link set duo0 up && ip addr add $LAB_GUEST_IP/24 dev duo0 && duoctl wait duo0 --path vf --timeout 20"
}

case_refuse_masks() {
	local m out
	for m in 0x1 0x5 0x80000001; do
		out=$(lab_guest g0 "duoctl set duo0 hint-mask $m 2>&1; echo rc=\$?")
		case $out in
		*"the hint mask must be 0 or at least 2 contiguous bits"*rc=1) ;;
		*) lab_log "hint-mask $m not refused: $out"; return 1 ;;
		esac
	done
	expect_eq "$(lab_guest g0 'duoctl show --json duo0' | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["settings"]["hint_mask"])')" 0 "mask unchanged"
}

# Without a mask the marks are not read: the flow stays on the VF.
case_no_mask_no_hint() {
	lab_guest g0 "steer duo0 --port 9999 --path pv --mask $MASK"
	flow 9999
	expect_le 950 "$FLOW_VF" "frames on the VF without a mask"
	expect_le "$FLOW_PV" 20 "frames on the PV without a mask"
	expect_eq "$(stat tx_hint_pv)" 0 "hints taken without a mask"
}

case_split() {
	local pv0 show
	lab_guest g0 "duoctl set duo0 hint-mask $MASK"
	# Attached anew: its counters start from 0.
	lab_guest g0 "steer duo0 --port 9999 --path pv --mask $MASK"
	pv0=$(stat tx_hint_pv)
	flow 9999
	expect_le 950 "$FLOW_PV" "frames of the steered flow on the PV"
	expect_le "$FLOW_VF" 20 "frames of the steered flow on the VF"
	expect_le 1000 $(($(stat tx_hint_pv) - pv0)) "tx_hint_pv"
	flow 9998
	expect_le 950 "$FLOW_VF" "frames of the other flow on the VF"
	expect_le "$FLOW_PV" 20 "frames of the other flow on the PV"
	show=$(lab_guest g0 'steer duo0 --show')
	lab_log "steer --show: $show"
	printf '%s\n' "$show" | grep -Eq 'marked 1[0-9]{3}$'
	expect_eq "$(stat tx_hint_fallback)" 0 "fallbacks"
}

# A VF hint while pv-only is on: pv-only wins, the hint falls back.
case_pv_only_wins() {
	local fb0
	lab_guest g0 "steer duo0 --port 9998 --path vf --mask $MASK"
	lab_guest g0 'ethtool --set-priv-flags duo0 pv-only on && duoctl wait duo0 --path pv --timeout 5'
	fb0=$(stat tx_hint_fallback)
	flow 9998
	expect_le 950 "$FLOW_PV" "VF-hinted frames on the PV under pv-only"
	expect_le "$FLOW_VF" 20 "VF-hinted frames on the VF under pv-only"
	expect_le 1000 $(($(stat tx_hint_fallback) - fb0)) "tx_hint_fallback"
	lab_guest g0 'ethtool --set-priv-flags duo0 pv-only off && duoctl wait duo0 --path vf --timeout 5'
	lab_guest g0 'steer duo0 --detach && ! steer duo0 --show 2>/dev/null'
	lab_ping_clean after_steering 1
}

case_guest_log_clean() { lab_check_log g0; }

lab_boot g0 --vf e1000e
run_case up case_up
run_case refuse_masks case_refuse_masks
run_case no_mask_no_hint case_no_mask_no_hint
run_case split case_split
run_case pv_only_wins case_pv_only_wins
run_case guest_log_clean case_guest_log_clean
