#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# XDP on the upper (bpf/xdpfilter): one program on duo0 runs on every
# path. UDP from the peer to :7002 is dropped, to :7003 sent back out of
# the lower it came in on (XDP_TX), to :7004 back through duo0
# (XDP_REDIRECT: the active path), to :7001 passed to the guest's echo.
# On the igb VF and the virtio PV natively, then on an e1000e VF plugged
# in its place (no XDP in its driver: the rx handler runs the program),
# across a planned switch, a surprise removal and the re-plug; the
# counts continue; redirected frames leave by a VF without XDP transmit
# as skbs. Also replacing the program, ip link's xdp/xdpgeneric,
# refusals, unloading with a program attached: no program left loaded.
#
#   peer ns                    host ns (br0)     guest g0
#   vpeer 10.99.0.1 --veth----- tp0 ------------ eth virtio_net --+
#   lossmeter udp               tv0 ------------ eth igb/e1000e --+- duo0
#
# With DUO_XDP_PV=vmxnet3 (xdp-vmxnet3.sh) the PV is VMware's vmxnet3
# and the cases are those where the PV matters: the program on the PV,
# run by the rx handler (6.1's vmxnet3 has no XDP; from 6.6 on its XDP
# loses the program at every reset, core/xdp.c: the log says which),
# still dropping after an MTU change and a ring resize, a program of the
# PV's own refused, unloading with the program attached.
#
# usage: xdp.sh KERNEL_RELEASE
set -eu
. "$(dirname "$0")/../lab.sh"

[ $# -eq 1 ] || { echo "usage: $0 KERNEL_RELEASE" >&2; exit 2; }
lab_init_pv xdp "$1" "${DUO_XDP_PV:-virtio}"
lab_net_up
OBJ=/usr/lib/duonet/xdpfilter.bpf.o
PASS=7001 DROP=7002 TX=7003 REDIR=7004
# Probes per second to each port. The debug kernel gets a quarter: at
# 200/s its guest fell behind in the generic-mode phases (one run lost
# 431 of 800 on :7001 with the upper in generic mode, 142 of them in the
# echo's socket buffer, RcvbufErrors; another 178 of 2400 in the
# unplug/re-plug phase, with no path or link event): the same bounds
# then hold for a guest that is not overrun.
RATE=$([[ $LAB_KREL == *-duodebug ]] && echo 50 || echo 200)

# udp_errors: the guest's UDP InErrors RcvbufErrors SndbufErrors.
udp_errors() {
	lab_guest g0 'awk "/^Udp:/ { if (n++) print \$4, \$6, \$7 }" /proc/net/snmp'
}

# flows_start SECONDS: UDP at RATE/s from the peer to each port.
flows_start() {
	local p
	udp_errors > "$LAB_DIR/udp_errors0"
	for p in $PASS $DROP $TX $REDIR; do
		ip netns exec "$LAB_PEER_NS" "$LAB_TOP/build/tools/lossmeter" udp -q \
			-r "$RATE" -d "$1" "$LAB_GUEST_IP:$p" > "$LAB_DIR/f$p.meter" 2>&1 &
		echo $! > "$LAB_DIR/f$p.meter.pid"
	done
}

# flows_check NAME MAXLOST: waits for the flows; the passed, XDP_TX'd and
# redirected ones lost at most MAXLOST, the dropped one answered none.
# Sets SENT and SENT_MAX (probes to each port, the fewest and the most).
flows_check() {
	local p r sent e0 e1
	SENT=1000000
	SENT_MAX=0
	read -r -a e0 < "$LAB_DIR/udp_errors0"
	read -r -a e1 <<< "$(udp_errors)"
	lab_log "$1: the guest's UDP InErrors, RcvbufErrors, SndbufErrors rose by" \
		"$((e1[0] - e0[0])) $((e1[1] - e0[1])) $((e1[2] - e0[2]))"
	for p in $PASS $DROP $TX $REDIR; do
		r=$(lab_meter_wait "f$p" | head -n 1)
		lab_log "$1 udp :$p: $r"
		sent=$(lab_report_get "$r" sent)
		[ "$sent" -lt "$SENT" ] && SENT=$sent
		[ "$sent" -gt "$SENT_MAX" ] && SENT_MAX=$sent
		if [ "$p" = $DROP ]; then
			expect_eq "$(lab_report_get "$r" received)" 0 "$1: answers from the dropped port"
		else
			expect_le "$(lab_report_get "$r" lost)" "$(lab_loss_bound "$2")" "$1: lost on :$p"
		fi
	done
	expect_le $((RATE * 2)) "$SENT" "$1: probes sent"
}

# counts: "vf_pass vf_drop ... other_redirect", for deltas.
counts() {
	lab_guest g0 "xdpfilter duo0 --show" | sed -n 's/^duo0: total [a-z]* pass \([0-9]*\) drop \([0-9]*\) tx \([0-9]*\) redirect \([0-9]*\)$/\1 \2 \3 \4/p' | paste -sd ' '
}

# grew BEFORE AFTER PATH MIN: each verdict's count on PATH rose by MIN;
# over all paths by no more than was sent (a frame meeting the program
# twice would count twice; pass also counts the peer's ARP and ND).
grew() {
	local i=0 f off all
	case $3 in vf) off=0 ;; pv) off=4 ;; other) off=8 ;; esac
	read -ra b <<< "$1"
	read -ra a <<< "$2"
	for f in pass drop tx redirect; do
		expect_le "$4" $((a[off + i] - b[off + i])) "$3 $f count rise"
		all=$((a[i] - b[i] + a[4 + i] - b[4 + i] + a[8 + i] - b[8 + i]))
		expect_le "$all" $((SENT_MAX + $([ $f = pass ] && echo 60 || echo 0))) \
			"$f count rise, all paths"
		i=$((i + 1))
	done
}

# drop_port_passes WHEN: 2 s of UDP to the sample's dropped port, all
# answered by the guest's echo (no program drops it now).
drop_port_passes() {
	local r
	ip netns exec "$LAB_PEER_NS" "$LAB_TOP/build/tools/lossmeter" udp -q -r "$RATE" -d 2 \
		"$LAB_GUEST_IP:$DROP" > "$LAB_DIR/d.meter" 2>&1
	r=$(head -n 1 "$LAB_DIR/d.meter")
	lab_log "udp :$DROP $1: $r"
	expect_eq "$(lab_report_get "$r" lost)" 0 "lost on :$DROP $1"
}

# No XDP program left loaded in the guest (none leaked by a lower).
no_programs() {
	lab_guest g0 'wait_for "! bpftool prog show | grep -q \" xdp \"" 10' ||
		{ lab_log "programs left: $(lab_guest g0 'bpftool prog show' | paste -sd '|')"; return 1; }
}

pv_dev() {
	lab_guest g0 'duoctl show --json duo0' |
		python3 -c 'import json,sys; print([l["ifname"] for l in json.load(sys.stdin)[0]["lowers"] if l["role"] == "pv"][0])'
}
# The PV driver's own count of XDP drops (virtio_net: "xdp_drops", vmxnet3:
# "xdp drops", per queue), summed.
pv_xdp_drops() { lab_guest g0 "ethtool -S $(pv_dev) | awk '/xdp[_ ]drops:/ { s += \$NF } END { print s + 0 }'"; }
# Whether the PV's driver runs the upper's program: virtio_net does;
# vmxnet3 is never given it (core/xdp.c).
pv_native() { [ "$PV" = virtio ]; }
# The log line of the PV's generic mode: vmxnet3 on 6.1 has no XDP; from
# 6.6 on it has, but loses the program at every reset.
pv_generic_why() {
	if [ "$(printf '6.6\n%s\n' "${LAB_KREL%%-*}" | sort -V | head -n 1)" = 6.6 ]; then
		echo "its driver loses a program when it resets"
	else
		echo "its driver has no XDP"
	fi
}

case_up() {
	lab_guest g0 'modprobe duonet'
	lab_guest g0 'wait_for "[ \$(ip -o link show master duo0 2>/dev/null | wc -l) = 2 ]"'
	lab_guest g0 "ip link set duo0 up && ip addr add $LAB_GUEST_IP/24 dev duo0 && duoctl wait duo0 --path vf --timeout 20"
	lab_guest g0 "lossmeter echo -p $PASS > /dev/null 2>&1 & lossmeter echo -p $DROP > /dev/null 2>&1 &"
	lab_guest g0 'mount -t bpf bpf /sys/fs/bpf 2>/dev/null || [ -d /sys/fs/bpf ]'
}

case_attach_native() {
	lab_guest g0 "xdpfilter duo0 --port $DROP --tx-port $TX --redirect-port $REDIR"
	lab_guest g0 'ip link show duo0' | grep -q ' xdp '
	# igb and virtio_net take it natively: no generic-mode line; vmxnet3
	# is run by the rx handler, and the log says why.
	if pv_native; then
		if lab_guest g0 'dmesg | grep "XDP program in generic mode"'; then return 1; fi
	else
		lab_guest g0 "dmesg | grep -q \"duo0: \$(netdev_of_driver $PVDRV) runs the XDP program in generic mode: $(pv_generic_why)\""
		if lab_guest g0 "dmesg | grep 'XDP program in generic mode' | grep -v \"\$(netdev_of_driver $PVDRV) \""; then return 1; fi
	fi
	# igb restarts to set up its XDP rings: the VF comes back.
	lab_guest g0 'duoctl wait duo0 --path vf --timeout 20'
}

case_vf_native() {
	local b
	b=$(counts)
	flows_start 4
	flows_check vf_native 0
	grew "$b" "$(counts)" vf $((SENT - 5))
}

case_pv_native() {
	local b d0
	lab_guest g0 'ethtool --set-priv-flags duo0 pv-only on && duoctl wait duo0 --path pv --timeout 5'
	b=$(counts)
	d0=$(pv_xdp_drops)
	flows_start 4
	flows_check pv_native 0
	grew "$b" "$(counts)" pv $((SENT - 5))
	# The PV's driver ran it: its own XDP counters saw the drops. (Not
	# vmxnet3's: the rx handler ran it, the counts above say so.)
	if pv_native; then
		expect_le $((SENT - 5)) $(($(pv_xdp_drops) - d0)) "$PVDRV xdp drops rise"
	else
		expect_eq "$(pv_xdp_drops)" "$d0" "$PVDRV xdp drops (the rx handler runs it)"
	fi
	lab_guest g0 'ethtool --set-priv-flags duo0 pv-only off && duoctl wait duo0 --path vf --timeout 5'
}

# The PV reset under the program (an MTU change, a ring resize: vmxnet3
# quiesces for both): the dropped port stays dropped on the PV. vmxnet3's
# own XDP, given the program, lost it here and let all 800 through.
# The ring resize on vmxnet3 only (half its current size): virtio_net's
# ring here is at its maximum and resizing it needs the host's ring reset.
pv_rx_ring() { lab_guest g0 "ethtool -g $(pv_dev) | sed -n '/^Current/,\$p' | sed -n 's/^RX:[[:space:]]*//p'"; }
case_pv_after_reset() {
	local b ring
	lab_guest g0 'ethtool --set-priv-flags duo0 pv-only on && duoctl wait duo0 --path pv --timeout 5'
	lab_guest g0 'ip link set duo0 mtu 1400 && ip link set duo0 mtu 1500'
	if [ "$PV" = vmxnet3 ]; then
		ring=$(pv_rx_ring)
		lab_guest g0 "ethtool -G $(pv_dev) rx $((ring / 2))"
		expect_eq "$(pv_rx_ring)" $((ring / 2)) "the PV's RX ring after the resize"
	fi
	lab_guest g0 'duoctl wait duo0 --path pv --timeout 20'
	b=$(counts)
	flows_start 4
	flows_check pv_after_reset 0
	grew "$b" "$(counts)" pv $((SENT - 5))
	lab_guest g0 'ethtool --set-priv-flags duo0 pv-only off && duoctl wait duo0 --path vf --timeout 20'
}

# Replacing the program while both drivers run it (ip link's object
# passes everything), then removing it: nothing left loaded.
case_replace() {
	# Whatever a failed case before left.
	lab_guest g0 'ethtool --set-priv-flags duo0 pv-only off'
	lab_guest g0 "ip -force link set duo0 xdp obj $OBJ sec xdp"
	drop_port_passes "after the replacement"
	lab_guest g0 'ip link set duo0 xdp off'
	no_programs
	lab_guest g0 "xdpfilter duo0 --port $DROP --tx-port $TX --redirect-port $REDIR"
	lab_guest g0 'duoctl wait duo0 --path vf --timeout 20'
}

# Surprise removal of the igb VF, an e1000e plugged in its place; the
# program follows. The port stays dropped throughout.
case_unplug_replug() {
	local b out
	lab_guest g0 'ethtool --set-priv-flags duo0 pv-only off && duoctl wait duo0 --path vf --timeout 20'
	b=$(counts)
	flows_start 12
	sleep 2
	lab_vf_unplug g0
	lab_guest g0 'duoctl wait duo0 --path pv --timeout 5'
	sleep 3
	lab_qmp g0 device-add e1000e netdev=vfnet id=vf0 "mac=$LAB_MAC" bus=rp1 romfile=
	lab_guest g0 'duoctl wait duo0 --path vf --timeout 20'
	# A surprise removal may lose up to 3 (failover-sriov.sh).
	flows_check unplug_replug 3
	grew "$b" "$(counts)" pv 100
	lab_guest g0 'dmesg | grep -q "runs the XDP program in generic mode: its driver has no XDP"'
	b=$(counts)
	flows_start 4
	# Steady traffic: 0 lost.
	flows_check e1000e_generic 0
	grew "$b" "$(counts)" vf $((SENT - 5))
	# The departed igb's counts are still named the VF's.
	out=$(lab_guest g0 'xdpfilter duo0 --show')
	lab_log "xdpfilter --show: $(printf '%s' "$out" | paste -sd '|')"
	printf '%s\n' "$out" | grep -q '^duo0: vf (gone) '
}

# Frames in on the PV (the host's bridge told to send them there) while
# TX is on the e1000e VF: virtio_net runs the program, and the redirected
# ones leave by the VF, which has no XDP transmit: as skbs.
vf_tx() { lab_guest g0 "ethtool -S duo0 | sed -n 's/^ *vf_tx_packets: //p'"; }
case_redirect_as_skb() {
	local b t0
	# sticky: the replies the guest sends from the VF must not move it.
	lab_ns bridge fdb replace "$LAB_MAC" dev tp0 master static sticky
	b=$(counts)
	t0=$(vf_tx)
	flows_start 4
	flows_check redirect_as_skb 0
	lab_ns bridge fdb del "$LAB_MAC" dev tp0 master
	grew "$b" "$(counts)" pv $((SENT - 5))
	# Redirected frames and the echo's replies: all out of the VF.
	expect_le $((2 * SENT - 10)) $(($(vf_tx) - t0)) "vf_tx_packets rise"
}

# refused WHAT TEXT COMMAND: the guest command fails (status 1) saying TEXT.
refused() {
	local out
	out=$(lab_guest g0 "$3 2>&1; echo rc=\$?")
	lab_log "$1: $(printf '%s' "$out" | paste -sd '|')"
	case $out in *"$2"*rc=1) ;; *) return 1 ;; esac
}

case_refusals() {
	local pv own=""
	lab_guest g0 'ethtool --set-priv-flags duo0 pv-only off'
	pv=$(pv_dev)
	# The PV's own program: in generic mode on vmxnet3 (none on 6.1; from
	# 6.6 on its own XDP would lose it at the next reset).
	if [ "$PV" = vmxnet3 ]; then own=--generic; fi
	# A lower cannot take a program of its own under the upper's.
	refused "own program on $pv" "upper device already has a program" "xdpfilter $pv $own --port 9"
	# Nor can a device with its own program join an upper with one.
	lab_guest g0 "duoctl set duo0 pv none"
	lab_guest g0 "xdpfilter $pv $own --port 9 >/dev/null"
	refused "pairing $pv with its own program" \
		"the device has an XDP program of its own: detach it first" "duoctl set duo0 pv $pv"
	lab_guest g0 "xdpfilter $pv --detach && duoctl set duo0 pv $pv"
	# Nor an upper take one while a lower has its own.
	lab_guest g0 'xdpfilter duo0 --detach'
	lab_guest g0 "duoctl set duo0 pv none && xdpfilter $pv $own --port 9 >/dev/null && duoctl set duo0 pv $pv"
	refused "upper program over $pv's own" \
		"a lower has an XDP program of its own: detach it first" "xdpfilter duo0 --port $DROP"
	lab_guest g0 "xdpfilter $pv --detach"
	lab_guest g0 'duoctl wait duo0 --path vf --timeout 20'
	no_programs
}

# ip link's own attach, native and generic (the object's ports are 0:
# everything passes), then the sample in the core's generic mode.
case_ip_link_and_generic() {
	local b
	lab_guest g0 "ip link set duo0 xdp obj $OBJ sec xdp && ip link show duo0 | grep -q ' xdp '"
	lab_guest g0 "ip link set duo0 xdp off"
	# No native program left: an igb VF reset itself twice; it is back.
	lab_guest g0 'duoctl wait duo0 --path vf --timeout 20'
	lab_guest g0 "ip link set duo0 xdpgeneric obj $OBJ sec xdp && ip link show duo0 | grep -q xdpgeneric"
	lab_guest g0 "ip link set duo0 xdpgeneric off"
	no_programs
	lab_guest g0 "xdpfilter duo0 --generic --port $DROP --tx-port $TX --redirect-port $REDIR"
	lab_guest g0 'ip link show duo0' | grep -q xdpgeneric
	b=$(counts)
	flows_start 4
	flows_check upper_generic 0
	# Run on duo0 itself: the frames' ingress is the upper.
	grew "$b" "$(counts)" other $((SENT - 5))
	lab_guest g0 'xdpfilter duo0 --detach && ! xdpfilter duo0 --show 2>/dev/null'
	no_programs
}

case_detached_passes() {
	# Whatever a failed case before left attached.
	lab_guest g0 'ip link set duo0 xdpgeneric off; ip link set duo0 xdp off'
	drop_port_passes "without the program"
}

# Unloading duonet with a program on duo0: the core detaches it, every
# lower gives its copy back.
case_unload_with_program() {
	lab_guest g0 "xdpfilter duo0 --port $DROP"
	lab_guest g0 'rmmod duonet'
	no_programs
	lab_guest g0 'modprobe duonet && wait_for "[ \$(ip -o link show master duo0 2>/dev/null | wc -l) = 2 ]"'
}

case_guest_log_clean() { lab_check_log g0; }

lab_boot g0 --pv "$PV" --vf igb
run_case up case_up
run_case attach_native case_attach_native
run_case vf_native case_vf_native
run_case pv_native case_pv_native
run_case pv_after_reset case_pv_after_reset
if [ "$PV" = virtio ]; then
	run_case replace case_replace
	run_case unplug_replug case_unplug_replug
	run_case redirect_as_skb case_redirect_as_skb
fi
run_case refusals case_refusals
if [ "$PV" = virtio ]; then
	run_case ip_link_and_generic case_ip_link_and_generic
fi
run_case detached_passes case_detached_passes
run_case unload_with_program case_unload_with_program
run_case guest_log_clean case_guest_log_clean
