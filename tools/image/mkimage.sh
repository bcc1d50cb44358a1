#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A real Debian guest for the lab (bookworm, trixie or sid), built as an
# image builder would: debootstrap, the suite's own kernel and headers,
# the duonet packages installed through apt from the built .deb files
# (DKMS builds the module, the initramfs hook puts it in the initramfs;
# dracut's module in the NetworkManager image, as a RHEL-family image has,
# and in the sid image, where dracut is the default), and one network manager
# configured only for the upper (duo0 by DHCP; the lowers are left alone
# by the shipped udev rule and networkd file), or cloud-init, which writes
# networkd's configuration from its datasource at boot. For the lab it
# adds the command agent on ttyS1 (tools/vm/guest/agent), nothing else.
#
# usage: mkimage.sh --debs DIR [--manager networkd|nm|cloud-init]
#                   [--suite bookworm|trixie|sid] [--cache DIR]
#   --debs DIR      duonet-dkms_*.deb and duonet-tools_*.deb (make deb);
#                   both installed, but with cloud-init duonet-dkms alone
#                   (duonet-tools copied to /root, not installed)
#   --manager M     systemd-networkd (default), NetworkManager, or
#                   cloud-init (NoCloud) rendering for systemd-networkd
#   --suite S       the Debian suite (default bookworm; trixie and sid with
#                   networkd only), its kernel: DKMS builds for 6.1, 6.12, 7.x
#   --cache DIR     default $DUONET_CACHE/image (/var/cache/duonet/image)
# Prints the image's base path B: B.raw (ext4, no partition table, root
# on /dev/vda), B.vmlinuz, B.initrd, B.krel. Cached: the debootstrap tree
# by its package list, the image by everything that goes into it.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
usage() { sed -n '/^# usage:/,/^# Prints/p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
debs="" manager=networkd suite=bookworm cache=${DUONET_CACHE:-/var/cache/duonet}/image
while [ $# -gt 0 ]; do
	[ $# -ge 2 ] || usage
	case $1 in
	--debs) debs=$2 ;;
	--manager) manager=$2 ;;
	--suite) suite=$2 ;;
	--cache) cache=$2 ;;
	*) usage ;;
	esac
	shift 2
done
case $manager in networkd|nm|cloud-init) ;; *) usage ;; esac
case $suite in bookworm) ;; trixie|sid) [ "$manager" = networkd ] || usage ;; *) usage ;; esac
[ -n "$debs" ] || usage
set -- "$debs"/duonet-dkms_*.deb "$debs"/duonet-tools_*.deb
[ -f "$1" ] && [ -f "$2" ] || { echo "mkimage: no duonet-dkms/duonet-tools .deb in $debs (make deb)" >&2; exit 1; }
# What a guest installs: the module's package and the guest's tools, not
# the host's duonet-host. The cloud-init image has duonet-dkms alone, as a
# cloud image built with --no-install-recommends has it: the module's
# package must give duo0 the lease and keep the lowers unmanaged by itself.
# Its tools are copied in, for the migration test to install afterwards
# (their dependencies, libmnl0 and libbpf1, come with iproute2).
install_debs=("$1" "$2")
[ "$manager" != cloud-init ] || install_debs=("$1")
[ "$(id -u)" = 0 ] || { echo "mkimage: run as root (debootstrap, chroot)" >&2; exit 1; }
command -v debootstrap > /dev/null || { echo "mkimage: no debootstrap (make deps)" >&2; exit 1; }
log() { echo "mkimage: $*" >&2; }

# The base tree: what every image has. NetworkManager is installed later,
# with /proc mounted (its polkitd does not configure under debootstrap).
# The suite's own initramfs generator: initramfs-tools, but on sid, whose
# kernels now depend on "dracut | initramfs-tools", dracut.
initgen=initramfs-tools
[ "$suite" != sid ] || initgen=dracut
pkgs="systemd,systemd-sysv,udev,dbus,kmod,procps,iproute2,ethtool,iputils-ping,
coreutils,netbase,$initgen,linux-image-amd64,linux-headers-amd64,dkms,gcc,make,
libc6-dev,ca-certificates,qemu-guest-agent"
pkgs=$(printf '%s' "$pkgs" | tr -d '\n')
uri=$("$top/tools/deps.sh" --archive-uri)
[ -n "$uri" ] || { echo "mkimage: no apt source for bookworm on this machine" >&2; exit 1; }
mkdir -p "$cache"
base=$cache/base-$(printf '%s %s %s' "$pkgs" "$uri" "$suite" | sha256sum | cut -c1-12).tar
if [ ! -f "$base" ]; then
	log "debootstrap $suite from the machine's archive (a few minutes, once)"
	tmp=$(mktemp -d "$cache/deboot.XXXXXX")
	trap 'rm -rf --one-file-system "$tmp"' EXIT
	debootstrap --variant=minbase --include="$pkgs" "$suite" "$tmp/root" "$uri" > "$cache/debootstrap-$suite.log" 2>&1 ||
		{ tail -n 20 "$cache/debootstrap-$suite.log" >&2; exit 1; }
	tar -C "$tmp/root" -cf "$base.tmp" . && mv "$base.tmp" "$base"
	rm -rf --one-file-system "$tmp"
	trap - EXIT
fi

# The image: keyed by the base, the packages, the manager and the lab's files.
key=$( { sha256sum "$base" "$@" "$0" "$top/tools/vm/guest/agent" "$top/tools/vm/guest/profile" |
	cut -d' ' -f1; echo "$manager"; } | sha256sum | cut -c1-12)
name=$manager
[ "$suite" = bookworm ] || name=$suite-$manager
out=$cache/duonet-$name-$key
if [ -f "$out.raw" ]; then
	echo "$out"
	exit 0
fi
log "building $out from $base"
tmp=$(mktemp -d "$cache/build.XXXXXX")
root=$tmp/root
cleanup() {
	umount "$root/proc" "$root/sys" "$root/dev/pts" 2> /dev/null || true
	rm -rf --one-file-system "$tmp"
}
trap cleanup EXIT
mkdir -p "$root"
tar -C "$root" -xf "$base"
mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
mkdir -p "$root/dev/pts" && mount -t devpts devpts "$root/dev/pts"
cp "${install_debs[@]}" "$root/tmp/"
[ "$manager" != cloud-init ] || cp "$2" "$root/root/duonet-tools.deb"
# The suite's main archive only: the kernel is the suite's release one
# (taking its security updates here cost each image build a second kernel,
# its DKMS build and initramfs: minutes per image, every run).
echo "deb $uri $suite main" > "$root/etc/apt/sources.list"
# sid's Release file on this archive can be past its Valid-Until.
[ "$suite" != sid ] || echo 'Acquire::Check-Valid-Until "false";' > "$root/etc/apt/apt.conf.d/90duonet-lab"
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive "$@"; }
in_root apt-get update -q > "$tmp/apt.log" 2>&1 || { cat "$tmp/apt.log" >&2; exit 1; }
# As an image builder installs them: apt resolves the dependencies, DKMS
# builds the module for the image's kernel, the hook rebuilds its initramfs.
# The NetworkManager image is built with dracut (which replaces
# initramfs-tools), as RHEL-family images are, to run the dracut module.
extra=""
[ "$manager" = nm ] && extra="network-manager dracut"
[ "$manager" = cloud-init ] && extra=cloud-init
in_root sh -c "apt-get install -y -q --no-install-recommends /tmp/duonet-*.deb $extra" > "$tmp/install.log" 2>&1 ||
	{ tail -n 40 "$tmp/install.log" >&2; exit 1; }
krel=$(cd "$root/lib/modules" && ls | sort -V | tail -n 1)
[ -n "$krel" ] || { log "no kernel in the image"; exit 1; }
find "$root/lib/modules/$krel" -name 'duonet.ko*' | grep -q . ||
	{ tail -n 40 "$tmp/install.log" >&2; log "DKMS built no duonet.ko for $krel"; exit 1; }
rm -f "$root"/tmp/duonet-*.deb
if [ -x "$root/usr/bin/dracut" ]; then
	# What docs/install.md tells dracut users: dracut -f once duonet is
	# installed (an image build is not the host it boots on: no hostonly).
	in_root dracut --force --no-hostonly --kver "$krel" >> "$tmp/install.log" 2>&1 ||
		{ tail -n 40 "$tmp/install.log" >&2; log "dracut failed"; exit 1; }
fi
cp "$tmp/install.log" "$cache/install-$name.log"

# The system: root on the virtio disk, a hostname, no password prompt needed
# (the lab talks to the agent, not a login).
echo duoguest > "$root/etc/hostname"
echo '/dev/vda / ext4 rw,relatime 0 1' > "$root/etc/fstab"
# The upper: DHCP, configured as the docs tell image builders, with the
# examples duonet-tools ships; nothing else by hand.
ex=$root/usr/share/doc/duonet-tools/examples
case $manager in
networkd)
	cp "$ex/10-duonet.network" "$root/etc/systemd/network/"
	in_root systemctl enable systemd-networkd > /dev/null 2>&1 ;;
nm)
	install -m 0600 "$ex/duo0.nmconnection" "$root/etc/NetworkManager/system-connections/"
	in_root systemctl enable NetworkManager > /dev/null 2>&1 ;;
cloud-init)
	# No network file of ours: cloud-init renders the datasource's
	# network config for networkd (the only renderer in this image).
	# Only NoCloud (a "cidata" disk) is looked for, not the clouds'
	# metadata servers, which have nothing to answer here.
	# The image generates no locales: C.UTF-8 is always there.
	printf 'datasource_list: [ NoCloud, None ]\nlocale: C.UTF-8\n' > "$root/etc/cloud/cloud.cfg.d/90-duonet-lab.cfg"
	# A catch-all DHCP file, as many images carry: a lower that
	# duonet-dkms (alone here) did not keep from networkd gets a lease,
	# which the test sees. The upper matches cloud-init's file first.
	printf '[Match]\nType=ether\n\n[Network]\nDHCP=yes\n' > "$root/etc/systemd/network/99-lab-dhcp-any.network"
	in_root systemctl enable systemd-networkd > /dev/null 2>&1 ;;
esac
# The lab's command agent on ttyS1.
mkdir -p "$root/etc/duo"
cp "$top/tools/vm/guest/agent" "$top/tools/vm/guest/profile" "$root/etc/duo/"
cat > "$root/etc/systemd/system/duo-agent.service" <<'EOF'
[Unit]
Description=duonet lab command agent on ttyS1
After=systemd-udev-settle.service local-fs.target

[Service]
ExecStart=/bin/sh /etc/duo/agent
Restart=always
RestartSec=1

[Install]
WantedBy=multi-user.target
EOF
in_root systemctl enable duo-agent > /dev/null 2>&1
umount "$root/proc" "$root/sys" "$root/dev/pts"

# 7.x keeps vmlinuz (and the initramfs may follow) in /usr/lib/modules/KREL.
for f in "$root/boot/vmlinuz-$krel" "$root/usr/lib/modules/$krel/vmlinuz"; do
	[ -f "$f" ] && cp "$f" "$tmp/img.vmlinuz" && break
done
for f in "$root/boot/initrd.img-$krel" "$root/usr/lib/modules/$krel/initrd.img"; do
	[ -f "$f" ] && cp "$f" "$tmp/img.initrd" && break
done
[ -f "$tmp/img.vmlinuz" ] && [ -f "$tmp/img.initrd" ] ||
	{ log "no vmlinuz or initramfs for $krel in the image"; exit 1; }
echo "$krel" > "$tmp/img.krel"
truncate -s 3G "$tmp/img.raw"
mkfs.ext4 -q -L duoroot -d "$root" "$tmp/img.raw"
# One image per manager is kept: the one just built replaces the others.
rm -f "$cache/duonet-$name-"*
for f in krel vmlinuz initrd raw; do mv "$tmp/img.$f" "$out.$f"; done
log "image $out.raw (kernel $krel)"
echo "$out"
