# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# Sourced by the benchmarks after lab.sh: the configurations they compare,
# set up in a guest ($G) and torn down again.
#   direct_vf      the VF stand-in (e1000e) alone, no duonet
#   direct_pv      the PV (virtio_net) alone
#   duonet_vf      duo0 over both, TX on the VF
#   duonet_pvonly  duo0 with pv-only on
#   bonding        active-backup over both, the VF active (by hand)
#   net_failover   QEMU failover=on: a guest booted with bench_boot NAME
#                  --vf e1000e --failover (the VF as primary)
# shellcheck disable=SC2034 # read by the scripts that source this
BENCH_CONFIGS="direct_vf direct_pv duonet_vf duonet_pvonly bonding net_failover"

bench_config_ok() {
	case $1 in
	direct_vf|direct_pv|duonet_vf|duonet_pvonly|bonding|net_failover) return 0 ;;
	*) return 1 ;;
	esac
}

bench_vf() { lab_guest "$G" 'netdev_of_driver e1000e'; }
bench_pv() { lab_guest "$G" 'netdev_of_driver virtio_net'; }

# bench_dev_of CONFIG: the device a configuration's traffic is sent on.
bench_dev_of() {
	case $1 in
	direct_vf) bench_vf ;;
	direct_pv) bench_pv ;;
	duonet_*) echo duo0 ;;
	bonding) echo bond0 ;;
	net_failover) cat "$LAB_DIR/fo" ;;
	esac
}
# bench_nic_of CONFIG: the NIC its frames leave and arrive by.
bench_nic_of() {
	case $1 in
	direct_pv|duonet_pvonly) bench_pv ;;
	*) bench_vf ;;
	esac
}

# bench_pktgen DEV NIC COUNT PEER_MAC: pktgen in $G sends COUNT 64-byte
# UDP frames to the peer through DEV as a socket's frames go (xmit_mode
# queue_xmit: DEV's transmit path, then the lower's qdisc and driver);
# prints "USEC SENT": pktgen's run time, and the frames NIC sent.
bench_pktgen() {
	lab_guest "$G" "d=$1; n=$2; c=/proc/net/pktgen
		t0=\$(cat /sys/class/net/\$n/statistics/tx_packets)
		echo rem_device_all > \$c/kpktgend_0
		echo add_device \$d > \$c/kpktgend_0
		for s in 'count $3' 'clone_skb 0' 'pkt_size 60' 'delay 0' 'xmit_mode queue_xmit' \\
			'dst $LAB_PEER_IP' 'dst_mac $4' 'udp_dst_min 9' 'udp_dst_max 9'; do
			echo \"\$s\" > \$c/\$d
		done
		echo start > \$c/pgctrl
		t1=\$(cat /sys/class/net/\$n/statistics/tx_packets)
		us=\$(sed -n 's/.*Result: OK: \([0-9]*\)(.*/\1/p' \$c/\$d)
		echo rem_device_all > \$c/kpktgend_0
		[ -n \"\$us\" ] && echo \$us \$((t1 - t0))"
}

# bench_guest_of CONFIG: the guest a configuration runs in when the
# benchmark boots both (g0, and gf for net_failover, with its own slot).
bench_guest_of() { if [ "$1" = net_failover ]; then echo gf; else echo g0; fi; }

# bench_teardown [CONFIG]: no upper, no bond, no address, the lowers down
# (and net_failover's master, whose guest then waits idle: only the guest
# being measured speaks with the pair's MAC and address).
bench_teardown() {
	[ "${1:-}" != net_failover ] ||
		lab_guest "$G" "ip addr flush dev $(cat "$LAB_DIR/fo"); ip link set $(cat "$LAB_DIR/fo") down"
	lab_guest "$G" 'ip link del bond0 2>/dev/null; rmmod duonet 2>/dev/null
		for d in $(netdev_of_driver e1000e) $(netdev_of_driver virtio_net); do
			ip addr flush dev $d; ip link set $d down; done; true'
}
# bench_setup CONFIG: one configuration up, TX on its path, the host bridge taught.
bench_setup() {
	local v p
	v=$(bench_vf) p=$(bench_pv)
	case $1 in
	direct_vf) lab_guest "$G" "ip link set $v up && ip addr add $LAB_GUEST_IP/24 dev $v && wait_for 'grep -q 1 /sys/class/net/$v/carrier' 20" ;;
	direct_pv) lab_guest "$G" "ip link set $p up && ip addr add $LAB_GUEST_IP/24 dev $p" ;;
	duonet_vf|duonet_pvonly)
		lab_guest "$G" 'modprobe duonet && wait_for "[ \$(ip -o link show master duo0 2>/dev/null | wc -l) = 2 ]"'
		lab_guest "$G" "ip link set duo0 up && ip addr add $LAB_GUEST_IP/24 dev duo0 && duoctl wait duo0 --path vf --timeout 20"
		if [ "$1" = duonet_pvonly ]; then
			lab_guest "$G" 'ethtool --set-priv-flags duo0 pv-only on && duoctl wait duo0 --path pv --timeout 5'
		fi ;;
	bonding)
		lab_guest "$G" "modprobe bonding max_bonds=0 &&
			ip link add bond0 type bond mode active-backup miimon 100 fail_over_mac active &&
			ip link set $v master bond0 && ip link set $p master bond0 &&
			ip link set bond0 type bond primary $v && ip link set bond0 up &&
			ip addr add $LAB_GUEST_IP/24 dev bond0 &&
			wait_for '[ \"\$(cat /sys/class/net/bond0/bonding/active_slave)\" = $v ]' 20" ;;
	net_failover)
		# Its master (on the virtio device too) opens both lowers; TX
		# runs on the VF once that has link.
		lab_guest "$G" 'for d in $(netdev_of_driver virtio_net); do [ -e /sys/class/net/$d/master ] && basename $(readlink /sys/class/net/$d/master); done' > "$LAB_DIR/fo"
		lab_guest "$G" "ip link set $(cat "$LAB_DIR/fo") up && ip addr add $LAB_GUEST_IP/24 dev $(cat "$LAB_DIR/fo")"
		lab_guest "$G" "wait_for '[ -n \"\$(netdev_of_driver e1000e)\" ] && grep -q 1 /sys/class/net/\$(netdev_of_driver e1000e)/carrier' 20" ;;
	esac
	# The guest speaks first from the path it uses: the host's bridge
	# learns it. Then a warm-up: TCG translates the code a path runs the
	# first time it runs (the first configuration after boot cost 40%
	# more without it).
	lab_guest "$G" "ping -c 2 -W 1 $LAB_PEER_IP > /dev/null" || true
	lab_peer "$LAB_TOP/build/tools/lossmeter" udp -q -r 2000 -d 2 "$LAB_GUEST_IP:7777" > /dev/null || true
}

# bench_boot NAME [lab_boot options]: a guest for the benchmarks (IPv6
# off: no background chatter; a UDP echo server on 7777), no
# configuration; $G is its name.
bench_boot() {
	G=$1
	shift
	lab_boot "$G" "$@"
	lab_guest "$G" 'sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
		(lossmeter echo > /dev/null 2>&1 &)'
	bench_teardown
}

# bench_boot_for CONFIG...: the guests those configurations run in, with
# pktgen: g0 for all but net_failover, gf for it (bench_guest_of). Both
# may be up at once: only the guest being measured has its links up and
# the address (bench_setup, bench_teardown), as both carry one MAC.
bench_boot_for() {
	if printf '%s\n' "$@" | grep -qvx net_failover; then
		bench_boot g0 --vf e1000e
		lab_guest g0 'modprobe pktgen'
	fi
	if printf '%s\n' "$@" | grep -qx net_failover; then
		bench_boot gf --vf e1000e --failover --slot 1
		lab_guest gf 'modprobe pktgen'
	fi
}

# bench_usage SCRIPT: its usage comment (from "# usage:" to the comment's
# end) on stderr; exit 2.
bench_usage() {
	awk '/^# usage:/ { u = 1 } u && !/^#/ { exit } u' "$1" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

# bench_newest_kernel: the newest stock guest kernel 'make deps' unpacked.
bench_newest_kernel() {
	(cd "${DUONET_CACHE:-/var/cache/duonet}/kernels" 2>/dev/null && printf '%s\n' *) |
		grep -v duodebug | sort -V | tail -n 1
}

# bench_rotate N WORD...: the words rotated left by N, so that each
# repetition starts with another configuration (the first after boot
# pays for TCG's translation of code the others then find translated).
bench_rotate() {
	local n=$1
	shift
	n=$((n % $#))
	echo "${@:n+1}" "${@:1:n}"
}

# bench_vcpu_tid: the thread id of $G's virtual CPU (QEMU runs with
# debug-threads=on, which names it "CPU 0/TCG").
bench_vcpu_tid() {
	local t
	for t in /proc/"$(cat "$LAB_DIR/$G.pid")"/task/*; do
		case $(cat "$t/comm") in "CPU 0/TCG"|"CPU 0/KVM") basename "$t"; return 0 ;; esac
	done
	lab_die "no vCPU thread in QEMU $(cat "$LAB_DIR/$G.pid")"
}
# bench_ticks: "RUN WALL": the run time so far of $G's vCPU thread $VCPU
# (ns, its schedstat) and the host's clock (ns).
bench_ticks() {
	echo "$(cut -d' ' -f1 "/proc/$(cat "$LAB_DIR/$G.pid")/task/$VCPU/schedstat") $(date +%s%N)"
}
