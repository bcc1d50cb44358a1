#!/usr/bin/env bash
# Install, idempotently, what duonet's build, lab and tests need from
# Debian's archive. Enables bookworm-backports using the archive URI of the
# machine's existing apt sources (no host name is written in this repo).
#
# Guest kernels (6.1 from bookworm, 6.12 from bookworm-backports) are
# downloaded and unpacked into the cache ($DUONET_CACHE, default
# /var/cache/duonet), not installed on the host: the host's boot is untouched.
# Their header packages are installed so `make` can build against them.
set -eu

CACHE=${DUONET_CACHE:-/var/cache/duonet}
export DEBIAN_FRONTEND=noninteractive

die() { echo "deps: $*" >&2; exit 1; }

# The URI serving 'bookworm' in the existing sources (deb822 or one-line).
archive_uri() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk '
			/^[[:space:]]*$/ { if (uri && suite) { print uri; exit } uri=""; suite=0; next }
			/^URIs:/ { uri=$2 }
			/^Suites:/ { for (i = 2; i <= NF; i++) if ($i == "bookworm") suite=1 }
			END { if (uri && suite) print uri }' "$f"
	done
	cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
		awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { if ($(i+1) == "bookworm") print $i; break } }'
}

# deps.sh --archive-uri: print that URI (tools/image/mkimage.sh uses it).
if [ "${1:-}" = --archive-uri ]; then
	archive_uri | head -n 1
	exit 0
fi
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

# The versioned package a metapackage points at in a given suite.
# $1 metapackage, $2 suite pattern (e.g. 'bookworm/' or 'bookworm-backports/')
versioned_dep() {
	local ver
	ver=$(apt-cache madison "$1" | awk -v s="$2" '$0 ~ s { print $3; exit }')
	[ -n "$ver" ] || die "no $1 in $2"
	apt-cache show "$1=$ver" | awk -F': ' '/^Depends:/ { split($2, d, /[ ,]/); print d[1]; exit }'
}

img61=$(versioned_dep linux-image-amd64 ' bookworm/main')
img612=$(versioned_dep linux-image-amd64 'bookworm-backports/main')
hdr61=$(versioned_dep linux-headers-amd64 ' bookworm/main')
hdr612=$(versioned_dep linux-headers-amd64 'bookworm-backports/main')
src612=$(apt-cache madison linux-source-6.12 | awk '/bookworm-backports/ { print $3; exit }')

pkgs_main="build-essential bc bison flex libelf-dev libssl-dev kmod cpio
	busybox-static iproute2 ethtool iputils-ping bridge-utils iperf3 gnuplot-nox
	libbpf-dev libmnl-dev clang llvm pkg-config python3 socat
	debootstrap dnsmasq-base e2fsprogs cloud-image-utils
	debhelper dh-dkms dkms lintian man-db shellcheck
	libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients
	xz-utils zstd linux-source-6.1 $hdr61"
# libvirt from bookworm (9.0), not backports: tools/libvirt/test.sh runs
# Debian 12's own libvirtd (a private one) against QEMU 10.
pkgs_bpo="qemu-system-x86 qemu-utils $hdr612 bpftool linux-source-6.12=$src612"

missing=""
for p in $pkgs_main $pkgs_bpo; do
	name=${p%%=*}
	dpkg-query -W -f='${Status}' "$name" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
qemu_ok=$(dpkg-query -W -f='${Version}' qemu-system-x86 2>/dev/null | grep -c '^1:10' || true)
if [ -n "$missing" ] || [ "$qemu_ok" = 0 ]; then
	echo "deps: installing:$missing"
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $pkgs_main
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends -t bookworm-backports $pkgs_bpo
fi

# Guest kernels: unpack the image packages into the cache.
for img in "$img61" "$img612"; do
	kver=${img#linux-image-}
	dir="$CACHE/kernels/$kver"
	[ -f "$dir/.done" ] && continue
	echo "deps: unpacking guest kernel $kver"
	rm -rf "$dir" && mkdir -p "$dir"
	tmp=$(mktemp -d) && chmod 755 "$tmp"
	# The signed image package carries vmlinuz and modules for amd64.
	(cd "$tmp" && apt-get download -q "$img")
	dpkg-deb -x "$tmp"/*.deb "$dir"
	rm -rf "$tmp"
	[ -f "$dir/boot/vmlinuz-$kver" ] || die "$img has no vmlinuz"
	# The package's postinst would have made modules.dep; do it here.
	depmod -b "$dir" "$kver"
	touch "$dir/.done"
done

# checkpatch.pl and its data files, from the 6.12 source package.
if [ ! -f "$CACHE/checkpatch/checkpatch.pl" ]; then
	echo "deps: extracting checkpatch.pl from linux-source-6.12"
	mkdir -p "$CACHE/checkpatch"
	tar -xJf /usr/src/linux-source-6.12.tar.xz -C "$CACHE/checkpatch" --strip-components=2 \
		linux-source-6.12/scripts/checkpatch.pl linux-source-6.12/scripts/spelling.txt \
		linux-source-6.12/scripts/const_structs.checkpatch
fi

echo "deps: ok (qemu $(dpkg-query -W -f='${Version}' qemu-system-x86); guest kernels: $(ls "$CACHE/kernels" | tr '\n' ' '))"
