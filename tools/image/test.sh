#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A real Debian guest (tools/image/mkimage.sh: debootstrap, Debian's 6.1
# kernel, the duonet packages installed with apt, DKMS) booted in the lab
# with a DHCP server on the peer side. Nothing is configured by hand in
# the guest: duonet comes from the initramfs, pairs the NICs, and the
# network manager (systemd-networkd or NetworkManager) must give the
# upper the lease and leave the lowers unmanaged. Then one planned
# migration cycle driven by the scripts (duonet-migrate-host, and the
# packaged duonet-migrate in the guest): nothing lost outside the
# guest's pause, the lease and the route still there. With cloud-init, the
# network config comes from a NoCloud seed (cloud-localds), matched by the
# MAC the upper and both lowers share: it must land on the upper. That
# image has duonet-dkms alone (mkimage.sh), as a cloud image built with
# --no-install-recommends has it: the lease on duo0 and the lowers left
# alone come from that package by itself; the migration case installs the
# guest's tools first. The host's side of every migration is the script
# the duonet-host package installs, run from the package's files alone.
#
#   peer ns                       host ns (br0)       guest (Debian image)
#   vpeer 10.99.0.1 --veth------- tp0 (virtio) ------ PV  \
#   dnsmasq: LAB_MAC -> 10.99.0.2 tv0 (e1000e) ------ VF  -> duo0 (DHCP)
#                                 tp1/tv1: the migration's destination
#
# usage: test.sh --debs DIR [--manager networkd|nm|cloud-init]
#                [--suite bookworm|trixie|sid]   (mkimage.sh's)
set -eu
. "$(dirname "$0")/../vm/lab.sh"
. "$(dirname "$0")/../vm/script-cycles.sh"

usage() { echo "usage: $0 --debs DIR [--manager networkd|nm|cloud-init] [--suite bookworm|trixie|sid]" >&2; exit 2; }
debs="" manager=networkd suite=bookworm
while [ $# -gt 0 ]; do
	[ $# -ge 2 ] || usage
	case $1 in
	--debs) debs=$2 ;;
	--manager) manager=$2 ;;
	--suite) suite=$2 ;;
	*) usage ;;
	esac
	shift 2
done
[ -n "$debs" ] || usage
case $manager in networkd|nm|cloud-init) ;; *) usage ;; esac
host_deb=$(ls "$debs"/duonet-host_*.deb 2> /dev/null | sort -V | tail -n 1)
[ -n "$host_deb" ] || { echo "$0: no duonet-host_*.deb in $debs (make deb)" >&2; exit 1; }

image=$("$LAB_TOP/tools/image/mkimage.sh" --debs "$debs" --manager "$manager" --suite "$suite")
lab_init "image-$([ "$suite" = bookworm ] || echo "$suite-")$manager" "$(cat "$image.krel")"
lab_net_up
# DHCP on the peer side: the pair's MAC always gets the lab's address.
lab_peer dnsmasq --keep-in-foreground --no-resolv --no-hosts --port=0 --user=root \
	--interface=vpeer --bind-interfaces --dhcp-range=10.99.0.100,10.99.0.199,255.255.255.0,1h \
	--dhcp-host="$LAB_MAC,$LAB_GUEST_IP" --dhcp-leasefile="$LAB_DIR/leases" \
	--log-dhcp --log-facility="$LAB_DIR/dnsmasq.log" &
echo $! > "$LAB_DIR/dnsmasq.pid"
G=g0
# The host's script as the duonet-host package installs it (it finds its
# QMP client beside itself, in ../lib/duonet).
dpkg-deb -x "$host_deb" "$LAB_DIR/host"
export SCRIPT_CYCLES_HOST=$LAB_DIR/host/usr/sbin/duonet-migrate-host
# The guest's side through Debian's qemu-guest-agent in the image, as a
# host without the lab's agent reaches it: the package's duonet-guest-exec.
export SCRIPT_CYCLES_GUEST_EXEC=$LAB_DIR/host/usr/sbin/duonet-guest-exec

# The lowers of duo0, one name per line.
lowers() { lab_guest "$G" 'cd /sys/class/net/duo0 && for l in lower_*; do echo ${l#lower_}; done'; }

# Booted, duonet loaded from the initramfs, the pair made without help.
case_paired() {
	# The NetworkManager and sid images have dracut and its 90duonet
	# module, the others initramfs-tools and its hook.
	if [ "$manager" = nm ] || [ "$suite" = sid ]; then
		# One listing (slow under TCG): dracut's modules, then the files.
		lab_guest "$G" 'for i in /boot/initrd.img-$(uname -r) /usr/lib/modules/$(uname -r)/initrd.img; do
			[ -f $i ] && exec lsinitrd $i; done; echo "no initramfs" >&2; exit 1' > "$LAB_DIR/lsinitrd"
		expect_eq "$(grep -cx duonet "$LAB_DIR/lsinitrd")" 1 "dracut module duonet in the initramfs"
		expect_eq "$(grep -c '/duonet\.ko' "$LAB_DIR/lsinitrd")" 1 "duonet.ko in the initramfs"
		expect_eq "$(grep -c '/virtio_net\.ko' "$LAB_DIR/lsinitrd")" 1 "virtio_net.ko in the initramfs"
	else
		lab_guest "$G" 'lsinitramfs /boot/initrd.img-$(uname -r) | grep -q "/duonet.ko"'
	fi
	lab_guest "$G" 'wait_for "[ -d /sys/class/net/duo0 ] && [ \$(ls -d /sys/class/net/duo0/lower_* | wc -l) = 2 ]" 60'
	# udev gave the lowers their predictable names while they were
	# enslaved: a rename duonet refused would leave an ethN.
	lowers | tee "$LAB_DIR/lowers" >&2
	expect_eq "$(grep -c '^eth[0-9]' "$LAB_DIR/lowers" || true)" 0 "lowers left with kernel names"
	expect_eq "$(lab_guest "$G" 'journalctl -b --no-pager | grep -ci "failed to rename" || true')" 0 "failed renames in the journal"
}

# The upper has the lease; the lowers have no address and are unmanaged.
case_lease_on_upper() {
	local l st
	lab_guest "$G" "wait_for 'ip -4 -o addr show dev duo0 | grep -q \" $LAB_GUEST_IP/24 \"' 90"
	for l in $(lowers); do
		expect_eq "$(lab_guest "$G" "ip -4 -o addr show dev $l | wc -l")" 0 "IPv4 addresses on lower $l"
	done
	expect_eq "$(grep -c . "$LAB_DIR/leases")" 1 "leases handed out"
	if [ "$manager" != nm ]; then
		lab_guest "$G" 'networkctl list --no-pager --no-legend' | tee "$LAB_DIR/nctl" >&2
		for l in $(lowers); do
			st=$(awk -v d="$l" '$2 == d { print $5 }' "$LAB_DIR/nctl")
			expect_eq "$st" unmanaged "networkd's view of lower $l"
		done
		expect_eq "$(awk '$2 == "duo0" { print $5 }' "$LAB_DIR/nctl")" configured "networkd's view of duo0"
	else
		lab_guest "$G" 'nmcli --colors no -t -f DEVICE,STATE device' | tee "$LAB_DIR/nmcli" >&2
		for l in $(lowers); do
			expect_eq "$(sed -n "s/^$l://p" "$LAB_DIR/nmcli")" unmanaged "NetworkManager's view of lower $l"
		done
		expect_eq "$(sed -n 's/^duo0://p' "$LAB_DIR/nmcli")" connected "NetworkManager's view of duo0"
	fi
	if [ "$manager" = cloud-init ]; then
		# duonet-dkms alone: no duoctl; its udev rule marked the lowers
		# (and networkd left them alone despite the image's catch-all
		# DHCP file, above); the active path from ethtool.
		lab_guest "$G" '! dpkg -s duonet-tools > /dev/null 2>&1 && ! command -v duoctl'
		for l in $(lowers); do
			lab_guest "$G" "udevadm info -q property /sys/class/net/$l | grep -qx DUONET_LOWER=1"
		done
		lab_guest "$G" "wait_for 'ethtool -S duo0 | grep -qx \" *vf_active: 1\"' 30"
	else
		lab_guest "$G" "duoctl wait duo0 --path vf --timeout 30"
	fi
	lab_ping_clean steady 3
}

# duonet-guest-exec --qga against the image's qemu-guest-agent: the
# script's output, its stderr apart, its exit status (cycles below runs
# duonet-migrate through it).
case_guest_agent() {
	local out rc=0
	lab_guest "$G" 'wait_for "systemctl is-active -q qemu-guest-agent" 30'
	out=$("$SCRIPT_CYCLES_GUEST_EXEC" --qga "$LAB_DIR/$G.qga" \
		'cat /sys/class/net/duo0/address; echo to-stderr >&2; exit 7' 2> "$LAB_DIR/qga.err") || rc=$?
	expect_eq "$rc" 7 "the script's exit status through qemu-guest-agent"
	expect_eq "$out" "$LAB_MAC" "the script's output through qemu-guest-agent"
	expect_eq "$(cat "$LAB_DIR/qga.err")" to-stderr "the script's stderr through qemu-guest-agent"
}

# One planned migration cycle by the scripts; the lease, the route and the
# manager's state are still there on the destination.
case_migration() {
	# The image with duonet-dkms alone: its tools installed now, offline.
	[ "$manager" != cloud-init ] || lab_guest "$G" 'dpkg -i /root/duonet-tools.deb > /dev/null && command -v duonet-migrate'
	script_cycles_run migrate 1 > "$LAB_DIR/loop.out"
	cat "$LAB_DIR/loop.out" >&2
	tail -n 1 "$LAB_DIR/loop.out" >> "$LAB_LOGDIR/loss.txt"
	expect_eq "$SCRIPT_CYCLES_OTHER_LOST" 0 "lost outside the migration"
	# The busybox guests' bound, paused/2 + 4 (failover.sh), holds here
	# too: measured against the pause (lab_pause_ms), ten image
	# migrations of two make check runs (five images each, one run right
	# after the images were rebuilt) lost paused/2 - 4 to paused/2 - 1.
	# (The bound was paused/2 + 14 when it was reckoned from QEMU's
	# downtime alone, before the disk was opened O_DIRECT: lab_boot.) A
	# missing announcement would lose seconds (the host's bridge keeps
	# sending to the old tap until the guest speaks).
	expect_le "$SCRIPT_CYCLES_MIG_EXCESS" 0 "lost in the migration beyond paused/2 + 4"
	lab_guest "$G" "ip -4 -o addr show dev duo0 | grep -q ' $LAB_GUEST_IP/24 '"
	lab_guest "$G" 'ip route show default | grep -q "via 10.99.0.1 dev duo0"'
	lab_guest "$G" 'wait_for "[ \$(ls -d /sys/class/net/duo0/lower_* | wc -l) = 2 ]" 30'
	if [ "$manager" != nm ]; then
		lab_guest "$G" 'networkctl list --no-pager --no-legend' | tee "$LAB_DIR/nctl" >&2
		for l in $(lowers); do
			expect_eq "$(awk -v d="$l" '$2 == d { print $5 }' "$LAB_DIR/nctl")" unmanaged "lower $l after the migration"
		done
	else
		lab_guest "$G" 'nmcli --colors no -t -f DEVICE,STATE device' | tee "$LAB_DIR/nmcli" >&2
		for l in $(lowers); do
			expect_eq "$(sed -n "s/^$l://p" "$LAB_DIR/nmcli")" unmanaged "lower $l after the migration"
		done
	fi
	expect_eq "$(grep -c . "$LAB_DIR/leases")" 1 "leases after the migration"
	lab_ping_clean after 2
	lab_check_log g0
	lab_check_log "$G"
}

# cloud-init: the seed's network config names no device, only the MAC, as
# a cloud's metadata does. cloud-init maps it to a device (the upper: the
# lowers have a master, and the upper's MAC is its permanent one) and
# renders networkd's file for that device.
case_cloud_init() {
	local f
	# Within gexec's own limit (120 s), so that its status is read.
	lab_guest "$G" 'timeout 100 cloud-init status --wait --long' | tee "$LAB_DIR/ci.status" >&2 || true
	expect_eq "$(sed -n 's/^status: //p' "$LAB_DIR/ci.status")" "done" "cloud-init's status"
	lab_guest "$G" 'ls /etc/systemd/network/ | grep cloud-init' | tee "$LAB_DIR/ci.files" >&2 || true
	expect_eq "$(tr '\n' ' ' < "$LAB_DIR/ci.files")" "10-cloud-init-duo0.network " "files cloud-init rendered"
	f=$(lab_guest "$G" 'cat /etc/systemd/network/10-cloud-init-duo0.network')
	printf '%s\n' "$f" >&2
	expect_eq "$(printf '%s\n' "$f" | grep -xc "Name=duo0")" 1 "the rendered file's Name=duo0"
	expect_eq "$(printf '%s\n' "$f" | grep -xic "MACAddress=$LAB_MAC")" 1 "the rendered file's MACAddress"
	# cloud-init's own view, by its own functions: one device per MAC (a
	# duplicate is an error that stops its network stage), and the NIC it
	# would configure with no network config at all (its fallback).
	expect_eq "$(lab_guest "$G" "python3 -c 'from cloudinit import net
print(sorted(d for d in net.get_interfaces_by_mac().items() if d[1] != \"lo\"))'")" \
		"[('$LAB_MAC', 'duo0')]" "cloud-init's devices by MAC"
	expect_eq "$(lab_guest "$G" "python3 -c 'from cloudinit import net; print(net.find_fallback_nic())'")" \
		duo0 "cloud-init's fallback NIC"
	# Its network code's warnings (a device it waited for in vain, a
	# duplicate MAC, a failed rename); the others are the image's business.
	lab_guest "$G" 'grep "WARNING" /var/log/cloud-init.log || true' | tee "$LAB_DIR/ci.warn" >&2
	expect_eq "$(grep -cE '(__init__|stages|networking|networkd|network_state|DataSourceNoCloud)\.py\[WARNING\]' \
		"$LAB_DIR/ci.warn" || true)" 0 "cloud-init's network warnings"
}

seed=()
if [ "$manager" = cloud-init ]; then
	mkdir "$LAB_DIR/seed"
	printf 'instance-id: duolab-%s\nlocal-hostname: duoguest\n' "$$" > "$LAB_DIR/seed/meta-data"
	printf '#cloud-config\n{}\n' > "$LAB_DIR/seed/user-data"
	cat > "$LAB_DIR/seed/network-config" <<EOF
version: 2
ethernets:
  nic0:
    match:
      macaddress: "$LAB_MAC"
    dhcp4: true
EOF
	cloud-localds -N "$LAB_DIR/seed/network-config" "$LAB_DIR/seed.img" \
		"$LAB_DIR/seed/user-data" "$LAB_DIR/seed/meta-data"
	seed=(--seed "$LAB_DIR/seed.img")
fi
lab_boot g0 --image "$image" --vf e1000e "${seed[@]}"
run_case paired case_paired
[ "$manager" != cloud-init ] || run_case cloud_init case_cloud_init
run_case lease_on_upper case_lease_on_upper
run_case guest_agent case_guest_agent
run_case migration case_migration
