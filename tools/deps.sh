#!/usr/bin/env bash
# Install, idempotently, what duonet's build, lab and tests need from
# Debian's archive. Enables bookworm-backports using the archive URI of the
# machine's existing apt sources (no host name is written in this repo).
#
# The kernels of the matrix (tools/kernels.sh: the newest 6.1 and 6.12 of
# bookworm, trixie's 6.12, sid's and experimental's 7.x) are unpacked into
# the cache ($DUONET_CACHE, default /var/cache/duonet) for the lab's guests.
# bookworm's two have their headers installed on the host (the 6.12 headers
# depend on their image package, which apt installs with them); the others
# are built in debootstrap chroots of their suites, in the cache.
set -eu

CACHE=${DUONET_CACHE:-/var/cache/duonet}
export DEBIAN_FRONTEND=noninteractive

die() { echo "deps: $*" >&2; exit 1; }

# The URI serving SUITE in the existing sources (deb822 or one-line):
# 'bookworm' for the archive, 'bookworm-security' for security updates
# (trixie's come from the same URI).
suite_uri() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk -v want="$1" '
			/^[[:space:]]*$/ { if (uri && suite) { print uri; exit } uri=""; suite=0; next }
			/^URIs:/ { uri=$2 }
			/^Suites:/ { for (i = 2; i <= NF; i++) if ($i == want) suite=1 }
			END { if (uri && suite) print uri }' "$f"
	done
	# A one-line source of the old security layout ("bookworm-security"
	# spelled "bookworm" on a security host) is not the archive.
	cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
		awk -v want="$1" '$1 == "deb" && (want ~ /security/ || $0 !~ /security/) {
			for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { if ($(i+1) == want) print $i; break } }'
}
archive_uri() { suite_uri bookworm; }

# deps.sh --archive-uri | --security-uri: print that URI (the image
# builder and tools/kernels.sh use them).
case ${1:-} in
--archive-uri) archive_uri | head -n 1; exit 0 ;;
--security-uri) suite_uri bookworm-security | head -n 1; exit 0 ;;
esac
[ "$(id -u)" = 0 ] || die "run as root (apt-get and dpkg need it)"

enable_backports() {
	if grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
		return
	fi
	local uri
	uri=$(archive_uri | head -n 1)
	[ -n "$uri" ] || die "no apt source for 'bookworm' found to derive the backports URI from"
	echo "deps: enabling bookworm-backports from $uri"
	cat > /etc/apt/sources.list.d/duonet-backports.sources <<SRC
Types: deb
URIs: $uri
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
	rm -f "$CACHE/.apt-updated"
}

mkdir -p "$CACHE"
enable_backports
# One 'apt-get update' per day is enough for idempotent re-runs.
if [ -z "$(find "$CACHE/.apt-updated" -mmin -1440 2>/dev/null)" ]; then
	apt-get update -q
	touch "$CACHE/.apt-updated"
fi

pkgs_main="build-essential bc bison flex libelf-dev libssl-dev kmod cpio
	busybox-static iproute2 ethtool iputils-ping bridge-utils iperf3 gnuplot-nox
	libbpf-dev libmnl-dev clang llvm pkg-config python3 socat
	debootstrap dnsmasq-base e2fsprogs cloud-image-utils nftables tcpdump
	debhelper dh-dkms dkms lintian man-db shellcheck
	libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients
	xz-utils zstd linux-source-6.1 linux-source-6.12"
# libvirt from bookworm (9.0), not backports: tools/libvirt/test.sh runs
# Debian 12's own libvirtd (a private one) against QEMU 10.
pkgs_bpo="qemu-system-x86 qemu-utils bpftool"

missing=""
for p in $pkgs_main $pkgs_bpo; do
	name=${p%%=*}
	dpkg-query -W -f='${Status}' "$name" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
# The kernel sources (kunit/, the debug kernel, checkpatch): the newest.
for p in linux-source-6.1 linux-source-6.12; do
	[ "$(dpkg-query -W -f='${Version}' "$p" 2>/dev/null)" = \
		"$(apt-cache policy "$p" | awk '/Candidate:/ { print $2 }')" ] || missing="$missing $p"
done
qemu_ok=$(dpkg-query -W -f='${Version}' qemu-system-x86 2>/dev/null | grep -c '^1:10' || true)
if [ -n "$missing" ] || [ "$qemu_ok" = 0 ]; then
	echo "deps: installing:$missing"
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $pkgs_main
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends -t bookworm-backports $pkgs_bpo
fi

# The kernel matrix (tools/kernels.sh): the newest of each supported
# series, headers on the host or in a chroot of its suite, guest kernels
# unpacked into the cache.
"$(dirname "$0")/kernels.sh" fetch > /dev/null

# qemu-ga for the lab's busybox guest (tools/libvirt/test.sh runs the
# guest's side of a migration through libvirt's agent channel): bookworm's
# qemu-guest-agent unpacked into the cache, not installed on the host.
if [ ! -x "$CACHE/qga/usr/sbin/qemu-ga" ]; then
	echo "deps: unpacking qemu-guest-agent into $CACHE/qga"
	tmp=$(mktemp -d)
	chown _apt "$tmp" 2>/dev/null || true
	(cd "$tmp" && apt-get download -q qemu-guest-agent) || die "apt-get download qemu-guest-agent failed"
	rm -rf "$CACHE/qga"
	dpkg-deb -x "$tmp"/qemu-guest-agent_*.deb "$CACHE/qga"
	rm -rf "$tmp"
fi

# checkpatch.pl and its data files, from the 6.12 source package.
if [ ! -f "$CACHE/checkpatch/checkpatch.pl" ]; then
	echo "deps: extracting checkpatch.pl from linux-source-6.12"
	mkdir -p "$CACHE/checkpatch"
	tar -xJf /usr/src/linux-source-6.12.tar.xz -C "$CACHE/checkpatch" --strip-components=2 \
		linux-source-6.12/scripts/checkpatch.pl linux-source-6.12/scripts/spelling.txt \
		linux-source-6.12/scripts/const_structs.checkpatch
fi

echo "deps: ok (qemu $(dpkg-query -W -f='${Version}' qemu-system-x86); kernels: $("$(dirname "$0")/kernels.sh" list | awk '{ print $2 }' | paste -sd ' '))"
