#!/usr/bin/env bash
# Build the lab guest's initramfs for one kernel.
# usage: mkinitramfs.sh KERNEL_RELEASE OUTPUT.cpio.gz
# Needs: the guest kernel unpacked by 'make deps' in $DUONET_CACHE/kernels,
# duonet.ko built in build/KERNEL_RELEASE/, the host tools in build/tools/.
set -eu

usage() { echo "usage: $0 KERNEL_RELEASE OUTPUT.cpio.gz" >&2; exit 2; }
[ $# -eq 2 ] || usage
krel=$1 out=$2
top=$(cd "$(dirname "$0")/../.." && pwd)
cache=${DUONET_CACHE:-/var/cache/duonet}
kmods=$cache/kernels/$krel/lib/modules/$krel
ko=$top/build/$krel/duonet.ko
# bookworm's qemu-guest-agent, unpacked by make deps (tools/deps.sh).
qga=$cache/qga/usr/sbin/qemu-ga

[ -d "$kmods" ] || { echo "$0: no guest kernel $krel in $cache/kernels (run 'make deps')" >&2; exit 1; }
[ -f "$ko" ] || { echo "$0: $ko missing (run 'make')" >&2; exit 1; }

# The same inputs make the same initramfs: it is kept beside a key of them
# (the files copied in, this script, the host programs' identities, the
# kernel's module list) and built again only when the key changes. A
# build takes about 4 s; every scenario made one before. (The shared
# libraries copied with the host programs are not in the key: an upgrade
# of one keeps the old, consistent set until something else changes.)
key_of() {
	local p
	set -eo pipefail
	{
		echo "$krel"
		sha256sum "$0" "$ko" "$top"/build/tools/{lossmeter,spin,duoctl,duotrace,steer,xdpfilter,nlfuzz,tstamp} \
			"$top/build/bpf/xdpfilter.bpf.o" "$top/tools/migrate/duonet-migrate" \
			"$top/tools/vm/inguest/duonet.sh" "$top"/tools/vm/guest/{init,agent,profile}
		for p in busybox ip ethtool tc kmod iperf3 bpftool setpriv unshare; do
			stat -L -c '%n %s %Y' "$(command -v "$p")"
		done
		stat -c '%n %s %Y' "$qga" 2>/dev/null || echo "no $qga"
		stat -c '%n %s %Y' "$kmods/modules.dep"
	} | sha256sum | cut -d' ' -f1
}
key=$(key_of) || { echo "$0: an input is missing (run 'make')" >&2; exit 1; }
# One build at a time for an output; a second caller then finds it done.
mkdir -p "$(dirname "$out")"
exec 9> "$out.lock"
flock 9
[ ! -f "$out" ] || [ "$(cat "$out.key" 2>/dev/null)" != "$key" ] || exit 0
rm -f "$out.key"

# Drivers the lab may use; failover is for the net_failover comparison,
# bridge for pairing.sh (a bridge over duo0, refused as its lower),
# pktgen for tools/bench/peak.sh, veth and netdevsim (the debug kernel's)
# for the in-guest tests' lowers, vxlan for offloads.sh, virtio_console
# for qemu-ga's port (tools/libvirt/test.sh).
# Those built into a kernel are simply not found and skipped.
want="virtio_pci virtio_net vmxnet3 e1000e igb igbvf net_failover bonding bridge pktgen sch_ingress cls_bpf veth netdevsim vxlan netconsole 8021q hsr virtio_console"

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
# mktemp's 0700 would be the guest's /: users other than root need to
# reach their programs (hostile.sh runs some as nobody).
chmod 755 "$root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc/duo,proc,sys,dev,tmp,run,mnt,root}
mkdir -p "$root/sys/kernel/debug"

cp "$(command -v busybox)" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"

# A dynamically linked host binary with its shared libraries.
copy_elf() {
	local src=$1 dst=$2 lib
	install -D -m 755 "$src" "$root$dst"
	for lib in $(ldd "$src" | grep -o '/[^ ]*'); do
		[ -e "$root$lib" ] || install -D -m 755 "$(readlink -f "$lib")" "$root$lib"
	done
}
copy_elf "$(command -v ip)" /sbin/ip
copy_elf "$(command -v ethtool)" /sbin/ethtool
# A lower's qdisc that refuses frames (the in-guest tx_verdict test).
copy_elf "$(command -v tc)" /sbin/tc
copy_elf "$(command -v kmod)" /sbin/kmod
# Bulk TCP and UDP both ways under stress (stress.sh; the peer runs its own).
copy_elf "$(command -v iperf3)" /usr/bin/iperf3
# The QEMU guest agent, started by init when its port is there (only
# tools/libvirt/test.sh has one; it fails without the agent).
[ ! -x "$qga" ] || copy_elf "$qga" /usr/sbin/qemu-ga
for t in modprobe insmod rmmod lsmod modinfo depmod; do ln -s kmod "$root/sbin/$t"; done
install -m 755 "$top/build/tools/lossmeter" "$root/usr/bin/lossmeter"
install -m 755 "$top/build/tools/spin" "$root/usr/bin/spin"
install -m 755 "$top/build/tools/tstamp" "$root/usr/bin/tstamp"
copy_elf "$top/build/tools/duoctl" /usr/bin/duoctl
copy_elf "$top/build/tools/duotrace" /usr/bin/duotrace
copy_elf "$top/build/tools/steer" /usr/bin/steer
copy_elf "$top/build/tools/xdpfilter" /usr/bin/xdpfilter
copy_elf "$(command -v bpftool)" /usr/sbin/bpftool
copy_elf "$top/build/tools/nlfuzz" /usr/bin/nlfuzz
copy_elf "$(command -v setpriv)" /usr/bin/setpriv
copy_elf "$(command -v unshare)" /usr/bin/unshare
# The XDP sample's object, for ip link set DEV xdp obj.
install -D -m 644 "$top/build/bpf/xdpfilter.bpf.o" "$root/usr/lib/duonet/xdpfilter.bpf.o"
install -m 755 "$top/tools/migrate/duonet-migrate" "$root/usr/sbin/duonet-migrate"
# The in-guest tests (tools/vm/inguest/run.sh runs them).
install -D -m 755 "$top/tools/vm/inguest/duonet.sh" "$root/usr/lib/duonet/selftest/duonet.sh"

# Kernel modules and their dependencies, decompressed, then depmod.
mdst=$root/lib/modules/$krel
mkdir -p "$mdst/extra"
cp "$kmods"/modules.builtin "$kmods"/modules.builtin.modinfo "$kmods"/modules.order "$mdst/"
declare -A seen
add_module() {
	local name=$1 path dep
	path=$(awk -v n="$name" -F: '{ m = $1; sub(/.*\//, "", m); sub(/\.ko(\.xz|\.zst)?$/, "", m);
		gsub(/-/, "_", m); if (m == n) { print $1; exit } }' "$kmods/modules.dep")
	[ -n "$path" ] || return 0
	[ -n "${seen[$path]:-}" ] && return 0
	seen[$path]=1
	mkdir -p "$mdst/$(dirname "$path")"
	case $path in
	*.xz) xz -dc "$kmods/$path" > "$mdst/${path%.xz}" ;;
	*.zst) zstd -qdc "$kmods/$path" > "$mdst/${path%.zst}" ;;
	*) cp "$kmods/$path" "$mdst/$path" ;;
	esac
	for dep in $(awk -v p="$path" -F: '$1 == p { print $2 }' "$kmods/modules.dep"); do
		dep=${dep##*/}; dep=${dep%%.*}
		add_module "${dep//-/_}"
	done
}
for m in $want; do add_module "$m"; done
cp "$ko" "$mdst/extra/duonet.ko"
depmod -b "$root" "$krel"

loadable=""
for m in $want; do
	grep -q "/$m\.ko" "$mdst/modules.dep" 2>/dev/null && loadable="$loadable $m"
done
# duonet itself is loaded by the tests, not at boot.
echo "$loadable" | sed 's/bonding//; s/net_failover//; s/bridge//; s/pktgen//; s/veth//; s/netdevsim//; s/vxlan//; s/netconsole//' > "$root/etc/duo/modules"

install -m 755 "$top/tools/vm/guest/init" "$root/init"
install -m 755 "$top/tools/vm/guest/agent" "$root/etc/duo/agent"
install -m 644 "$top/tools/vm/guest/profile" "$root/etc/duo/profile"
echo "root:x:0:0:root:/root:/bin/sh" > "$root/etc/passwd"
echo "root:x:0:" > "$root/etc/group"

# Written aside and renamed: two lab runs at once (make check and a
# scenario by hand) may each build the same kernel's and read it.
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) | gzip -1 > "$out.tmp.$$"
mv "$out.tmp.$$" "$out"
echo "$key" > "$out.key"
