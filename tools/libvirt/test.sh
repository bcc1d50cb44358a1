#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# duonet-migrate-host in its libvirt mode (virsh detach-device, migrate,
# attach-device) against Debian's libvirtd, as operators drive it: the lab
# guest (busybox initramfs, tools/vm/lab.sh) as a TCG domain, under ping
# every 2 ms from the peer, the loss of every step counted.
#
#   peer netns duop<pid>      host netns duoh<pid>
#  +------------------+      +-----------------------------------------------+
#  | vpeer 10.99.0.1  |------| vhost   br0 (taps tp0 tv0 tp1 tv1 on it)      |
#  | lossmeter, ping  | veth |  libvirtd d0 -- QEMU of domain g0 (tp0, tv0)  |
#  +------------------+      |  libvirtd d1 -- QEMU of g0 once migrated      |
#                            |                 (tp1, tv1)                    |
#                            +-----------------------------------------------+
#  The guest's console and agent socket are $LAB_DIR/g0.* on d0 and
#  $LAB_DIR/g1.* on d1 (both QEMUs run during the migration).
#
# Both daemons run inside the lab's host namespace (ip netns exec), so their
# QEMUs open the lab's taps there and the migration stream goes over that
# namespace's loopback: no bridge, tap or address appears in the root
# namespace. Each daemon has its own /run, /var and /etc/libvirt (a private
# mount namespace over this run's temp dir, so nothing on the host is
# configured or left behind), its own host UUID (libvirt refuses a
# migration between two daemons with the same one) and its socket in the
# temp dir. qemu.conf: root, no security driver, no cgroups, no QEMU mount
# namespace (the daemon's own is private already).
#
# The guest's side runs through qemu-guest-agent (duonet-guest-exec
# --domain: virsh qemu-agent-command), as on a host without the lab's
# agent.
#
# Cases: up (the domain boots, duo0 on the VF, the agent answers), replug (detach-device,
# attach-device: nothing lost, the VF joins again), migrate (to the second
# daemon: nothing lost outside what the guest's downtime explains, the VF
# joins on the destination), guest_log_clean.
#
# usage: test.sh KERNEL_RELEASE
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../vm/lab.sh
. "$here/../vm/lab.sh"

[ $# -eq 1 ] || { echo "usage: $0 KERNEL_RELEASE" >&2; exit 2; }
lab_init libvirt "$1"
host=$LAB_TOP/tools/migrate/duonet-migrate-host

# The daemons run in the lab's namespace: lab_cleanup kills them (and their
# QEMUs) with everything else there; their mounts go with them.
lv_cleanup() {
	local rc=$? d
	set +e
	for d in "$LAB_DIR"/lv?; do
		[ -d "$d" ] || continue
		cp "$d/log/libvirtd.log" "$LAB_LOGDIR/$(basename "$d").libvirtd.log" 2>/dev/null
		cp -r "$d/log/qemu" "$LAB_LOGDIR/$(basename "$d").qemu" 2>/dev/null
	done
	(exit "$rc")
	lab_cleanup
}
trap lv_cleanup EXIT

# lv_uri N: the connection URI of daemon N.
lv_uri() { echo "qemu+unix:///system?socket=$LAB_DIR/lv$1/sock/libvirt-sock"; }
lv_virsh() {
	local n=$1
	shift
	virsh -q -c "$(lv_uri "$n")" "$@"
}

# lv_daemon_start N: libvirtd number N in the lab's namespace, its state in
# $LAB_DIR/lvN. Returns at once; lv_daemon_wait N waits for its socket.
lv_daemon_start() {
	local d=$LAB_DIR/lv$1
	mkdir -p "$d"/{etc,run,lib,log,cache,sock}
	cat > "$d/etc/libvirtd.conf" <<-EOF
		unix_sock_dir = "$d/sock"
		unix_sock_rw_perms = "0700"
		auth_unix_rw = "none"
		auth_unix_ro = "none"
		host_uuid = "$(cat /proc/sys/kernel/random/uuid)"
		log_outputs = "3:file:/var/log/libvirt/libvirtd.log"
	EOF
	cat > "$d/etc/qemu.conf" <<-EOF
		user = "root"
		group = "root"
		dynamic_ownership = 0
		remember_owner = 0
		security_driver = "none"
		cgroup_controllers = [ ]
		namespaces = [ ]
		stdio_handler = "file"
		migration_port_min = $((49152 + 10 * $1))
		migration_port_max = $((49152 + 10 * $1 + 9))
	EOF
	# libvirtd resolves its compiled-in QEMU user before reading qemu.conf;
	# Debian's libvirt-daemon-system would create it on the host: here it
	# exists only in the daemon's own view of /etc/passwd.
	cp /etc/passwd "$d/passwd"
	cp /etc/group "$d/group"
	echo 'libvirt-qemu:x:64055:64055:libvirt:/var/lib/libvirt:/usr/sbin/nologin' >> "$d/passwd"
	echo 'libvirt-qemu:x:64055:' >> "$d/group"
	# Fresh tmpfs over /run and /var (their libvirt folders then come
	# from $d): no folder is made on the host. The guest's kernel is
	# copied out of /var/cache for that reason.
	# shellcheck disable=SC2016 # the inner script's own variables
	ip netns exec "$LAB_NS" unshare -m --propagation private bash -c '
		set -eu
		d=$1
		mount -t tmpfs lvrun /run
		mount -t tmpfs lvvar /var
		mkdir -p /run/libvirt /var/lib/libvirt /var/log/libvirt /var/cache/libvirt /var/tmp
		ln -s /run /var/run
		mount --bind "$d/run" /run/libvirt
		mount --bind "$d/lib" /var/lib/libvirt
		mount --bind "$d/log" /var/log/libvirt
		mount --bind "$d/cache" /var/cache/libvirt
		mount --bind "$d/etc" /etc/libvirt
		mount --bind "$d/passwd" /etc/passwd
		mount --bind "$d/group" /etc/group
		exec /usr/sbin/libvirtd --config /etc/libvirt/libvirtd.conf' lv "$d" \
		> "$d/daemon.out" 2>&1 &
	echo $! > "$LAB_DIR/lv$1.pid"
}

lv_daemon_wait() {
	local n=$1 i
	for ((i = 0; i < 300; i++)); do
		lv_virsh "$n" uri >/dev/null 2>&1 && return 0
		if ! kill -0 "$(cat "$LAB_DIR/lv$n.pid")" 2>/dev/null; then
			cat "$LAB_DIR/lv$n/daemon.out" "$LAB_DIR/lv$n/log/libvirtd.log" 2>/dev/null |
				tail -n 20 >&2 || true
			lab_die "libvirtd $n exited"
		fi
		sleep 0.1
	done
	lab_die "libvirtd $n did not answer in 30 s"
}

# lv_render TEMPLATE NAME SLOT: a template with this run's values.
lv_render() {
	sed -e "s|@NAME@|$2|; s|@MEM@|$LAB_MEM|; s|@MAC@|$LAB_MAC|" \
		-e "s|@KERNEL@|$LAB_DIR/vmlinuz|; s|@INITRD@|$LAB_DIR/initramfs.cpio.gz|" \
		-e "s|@PVTAP@|tp$3|; s|@VFTAP@|tv$3|" \
		-e "s|@CONSOLE@|$LAB_DIR/$2.console|; s|@AGENT@|$LAB_DIR/$2.agent|" \
		-e "s|@QGA@|$LAB_DIR/$2.qga|" "$1"
}

g_boot() {
	local t0=$SECONDS
	lab_tap tp0
	lab_tap tv0
	lab_tap tp1
	lab_tap tv1
	cp "$LAB_CACHE/kernels/$LAB_KREL/boot/vmlinuz-$LAB_KREL" "$LAB_DIR/vmlinuz"
	cp "$(lab_initramfs "$LAB_KREL")" "$LAB_DIR/initramfs.cpio.gz"
	lv_render "$here/vf.xml.in" g0 0 > "$LAB_DIR/vf.xml"
	# The destination's VF: its own tap, as another host's VF would have
	# its own host address.
	lv_render "$here/vf.xml.in" g0 1 > "$LAB_DIR/vf1.xml"
	# The domain keeps the name g0 on both daemons; its console and agent
	# sockets are named after the daemon: g0 on d0, g1 on d1.
	lv_render "$here/domain.xml.in" g0 0 | sed -e "/@VF@/r $LAB_DIR/vf.xml" -e '/@VF@/d' \
		> "$LAB_DIR/g0.xml"
	lv_daemon_wait 0
	lv_virsh 0 create "$LAB_DIR/g0.xml"
	"$LAB_GEXEC" --wait-ready "$LAB_BOOT_TIMEOUT" --timeout 30 "$LAB_DIR/g0.agent" true ||
		lab_die "guest g0 did not come up in ${LAB_BOOT_TIMEOUT}s"
	lab_log "guest g0 up after $((SECONDS - t0)) s (libvirt $(lv_virsh 0 version | sed -n 's/.*libvirt //p' | head -n 1))"
}

case_up() {
	g_boot
	# shellcheck disable=SC2016 # expanded in the guest
	lab_guest g0 'modprobe duonet && wait_for "[ \$(ip -o link show master duo0 2>/dev/null | wc -l) = 2 ]"'
	lab_guest g0 "ip link set duo0 up && ip addr add $LAB_GUEST_IP/24 dev duo0 && duoctl wait duo0 --path vf --timeout 20"
	lab_ping_clean up 1
	# The guest's qemu-guest-agent through libvirt (duonet-guest-exec
	# --domain, the guest command of the cases below): output and exit
	# status. libvirt calls the agent connected once the guest opened its
	# port (init starts qemu-ga at boot).
	local out rc t0=$SECONDS
	while :; do
		rc=0
		out=$(guest_exec 0 'cat /sys/class/net/duo0/address; exit 5' 2> "$LAB_DIR/qga.err") || rc=$?
		[ "$rc" = 125 ] && [ $((SECONDS - t0)) -lt 30 ] || break
		sleep 0.3
	done
	cat "$LAB_DIR/qga.err" >&2
	expect_eq "$rc" 5 "the script's exit status through libvirt's agent channel"
	expect_eq "$out" "$LAB_MAC" "the script's output through libvirt's agent channel"
}

# guest_exec N SCRIPT: SCRIPT in the domain on daemon N, by its agent.
guest_exec() {
	local -a c
	read -ra c <<< "$(guest_cmd "$1")"
	"${c[@]}" "$2"
}
# guest_cmd N: duonet-migrate-host's --guest command for daemon N's domain.
guest_cmd() { echo "$LAB_TOP/tools/migrate/duonet-guest-exec --domain g0 --connect $(lv_uri "$1")"; }

# joins NAME: how often the VF joined duo0 in guest NAME's console log.
joins() { grep -c 'joined as the vf path' "$LAB_DIR/$1.console" || true; }

# run_host MODE OPTIONS...: duonet-migrate-host MODE in libvirt mode under
# ping every 2 ms, one meter period per step (marked by --on-step). Writes
# "step lost detail" lines to $LAB_DIR/MODE.steps and logs them.
run_host() {
	local mode=$1 pid out r i=1 name lost sent
	shift
	lab_meter_start "$mode" icmp -i 2
	pid=$(cat "$LAB_DIR/$mode.meter.pid")
	sleep 1
	lab_meter_mark "$mode"
	if ! "$host" "$mode" --guest "$(guest_cmd 0)" --vf-xml "$LAB_DIR/vf.xml" \
		--on-step "sleep 0.3; kill -USR1 $pid" "$@" > "$LAB_DIR/$mode.out"; then
		cat "$LAB_DIR/$mode.out" >&2
		lab_meter_stop "$mode" >/dev/null
		return 1
	fi
	sleep 1
	r=$(lab_meter_stop "$mode" | grep '^sent=')
	cp "$LAB_DIR/$mode.meter" "$LAB_LOGDIR/"
	: > "$LAB_DIR/$mode.steps"
	while IFS= read -r out; do
		i=$((i + 1))
		name=$(printf '%s' "$out" | cut -d' ' -f2)
		lost=$(lab_report_get "$(printf '%s\n' "$r" | sed -n "${i}p")" lost)
		[ -n "$lost" ] || lab_die "no meter report for step $name"
		lab_log "$mode: $out; lost $lost"
		echo "$name $lost ${out#*: }" >> "$LAB_DIR/$mode.steps"
	done < <(grep '^step ' "$LAB_DIR/$mode.out")
	sent=$(printf '%s\n' "$r" | awk -F'[= ]' '{ s += $2 } END { print s }')
	lab_log "$mode: $(tail -n 1 "$LAB_DIR/$mode.out"); probes $sent"
	# A meter that did not run would report nothing lost.
	expect_le 1000 "$sent" "probes sent over the $mode"
}

case_replug() {
	local before
	before=$(joins g0)
	run_host replug --domain g0 --connect "$(lv_uri 0)"
	expect_eq "$(awk '{ s += $2 } END { print s }' "$LAB_DIR/replug.steps")" 0 \
		"packets lost over the replug"
	expect_eq "$(joins g0)" $((before + 1)) "the VF joined duo0 again"
	expect_eq "$(lab_guest g0 'ethtool -S duo0 | sed -n "s/^ *vf_active: //p"')" 1 "on the VF at the end"
	lv_virsh 0 dumpxml g0 | grep -q "<alias name='ua-vf0'/>"
}

# The destination's definition: the source's (migratable, without the VF,
# which is unplugged before the migration) with the destination's taps,
# console and agent socket (the source's are still in use while both run).
dst_xml() {
	lv_virsh 0 dumpxml --migratable g0 | python3 -c '
import sys, xml.etree.ElementTree as ET
src, dst = sys.argv[1:]
dom = ET.parse(sys.stdin)
devs = dom.find("devices")
for i in devs.findall("interface"):
    if i.find("alias") is not None and i.find("alias").get("name") == "ua-vf0":
        devs.remove(i)
for t in devs.findall("interface/target"):
    t.set("dev", {"tp0": "tp1", "tv0": "tv1"}[t.get("dev")])
for s in devs.findall("*/source[@path]"):
    s.set("path", s.get("path").replace(src, dst))
dom.write(sys.stdout, encoding="unicode")' "$LAB_DIR/g0." "$LAB_DIR/g1."
}

case_migrate() {
	local down lost other before
	dst_xml > "$LAB_DIR/g1.xml"
	cp "$LAB_DIR/g1.xml" "$LAB_LOGDIR/"
	lv_daemon_wait 1
	run_host migrate --domain g0 --connect "$(lv_uri 0)" --dst-connect "$(lv_uri 1)" \
		--dst-xml "$LAB_DIR/g1.xml" --dst-vf-xml "$LAB_DIR/vf1.xml" --migrate-uri tcp://127.0.0.1:$((49152 + 10)) \
		--dst-guest "$(guest_cmd 1)" --settle-ms 1400
	down=$(sed -n 's/^migrate .*downtime_ms=\([0-9]*\).*/\1/p' "$LAB_DIR/migrate.steps")
	lost=$(awk '$1 == "migrate" { print $2 }' "$LAB_DIR/migrate.steps")
	other=$(awk '$1 != "migrate" { s += $2 } END { print s }' "$LAB_DIR/migrate.steps")
	[ -n "$down" ] || lab_die "no downtime_ms in the migrate step"
	# libvirt's figures as it reports them.
	lv_virsh 1 domjobinfo --completed g0 | grep -E 'elapsed|downtime|Memory (processed|bandwidth)' |
		while IFS= read -r l; do lab_log "domjobinfo: $l"; done
	lab_log "migrate: downtime $down ms, lost in the migration $lost, elsewhere $other"
	echo "libvirt-migrate downtime_ms=$down lost=$lost other_lost=$other" >> "$LAB_LOGDIR/loss.txt"
	expect_eq "$other" 0 "packets lost outside the migration"
	# What the guest cannot hear while it is stopped (downtime at one
	# probe every 2 ms), plus a few in flight: as tools/vm/script-cycles.sh.
	# libvirt's downtime runs from the source's pause to the destination's
	# resume (its own handoff included), not QEMU's figure alone.
	expect_le "$lost" $((down / 2 + 4)) "lost in the migration beyond downtime/2 + 4"
	lv_virsh 0 list --all --name > "$LAB_DIR/d0.list"
	expect_eq "$(grep -c . "$LAB_DIR/d0.list" || true)" 0 "domains left on the source daemon"
	expect_eq "$(lv_virsh 1 domstate g0)" running "domain running on the destination daemon"
	expect_eq "$(joins g1)" 1 "the VF joined duo0 on the destination"
	# On the destination's own VF (--dst-vf-xml): a tap has carrier while
	# a QEMU holds it open.
	expect_eq "$(lab_ns cat /sys/class/net/tv1/carrier)" 1 "the destination's VF tap in use"
	expect_eq "$(lab_ns cat /sys/class/net/tv0/carrier)" 0 "the source's VF tap released"
	expect_eq "$(lab_guest g1 'ethtool -S duo0 | sed -n "s/^ *vf_active: //p"')" 1 "on the VF at the end"
	before=$(joins g1)
	lab_ping_clean after_migrate 1
	expect_eq "$(joins g1)" "$before" "no VF rejoin after the sequence"
}

# Both consoles must exist: a missing log would pass the check unseen.
case_guest_log_clean() {
	local n
	for n in g0 g1; do
		[ -s "$LAB_DIR/$n.console" ] || lab_die "no console log of $n"
		lab_check_log "$n"
	done
}

if ! command -v virsh >/dev/null || [ ! -x /usr/sbin/libvirtd ]; then
	lab_die "libvirtd or virsh missing (run 'make deps')"
fi
[ -x "$LAB_CACHE/qga/usr/sbin/qemu-ga" ] ||
	lab_die "no qemu-ga for the guest in $LAB_CACHE/qga (run 'make deps')"
lab_net_up
# The migration stream: loopback of the lab's host namespace.
lab_ns ip link set lo up
# Both daemons start now: the second probes QEMU while the guest boots.
lv_daemon_start 0
lv_daemon_start 1
run_case up case_up
run_case replug case_replug
run_case migrate case_migrate
run_case guest_log_clean case_guest_log_clean
