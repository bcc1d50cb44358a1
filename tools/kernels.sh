#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The kernels duonet supports and tests: the one place that names them.
#
#   name        suite                          built in        compiler
#   6.1         bookworm (+ -security)         the host        gcc-12
#   6.12-deb12  bookworm's own linux-6.12      the host        gcc-12
#   6.12-deb13  trixie (+ -security)           trixie chroot   gcc-14
#   7-sid       sid                            sid chroot      gcc-16
#   7-exp       experimental                   sid chroot      gcc-16
#               (only while experimental's kernel is newer than sid's)
#
# Each is the newest point release its suite has on the day 'make deps'
# runs (no version is pinned here), so the next rename in a stable update
# is met the week Debian ships it. A kernel built with another compiler
# than bookworm's is built in a debootstrap chroot of its own suite, kept
# in $DUONET_CACHE/chroots; the guest kernel (vmlinuz and modules) is
# unpacked into $DUONET_CACHE/kernels/RELEASE, never installed on the host.
#
# usage: kernels.sh fetch                 resolve and install the matrix (root)
#        kernels.sh list                  NAME RELEASE ROOT, one kernel a line
#                                         (ROOT: / for the host, else a chroot)
#        kernels.sh release NAME          the release of one kernel of the list
#        kernels.sh make RELEASE ARGS...  make ARGS in the tree, in the root
#                                         (host or chroot) that builds RELEASE
#        kernels.sh kdir RELEASE          its build tree, as seen in that root
#        kernels.sh run SUITE CMD...      CMD in the chroot of SUITE (trixie, sid)
#                                         with the tree and the cache at their paths
#        kernels.sh debug-source          the newest kernel source (sid's
#                                         linux-source tarball), for the debug kernel
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${DUONET_CACHE:-/var/cache/duonet}
matrix=$cache/kernels.matrix
export DEBIAN_FRONTEND=noninteractive

die() { echo "kernels: $*" >&2; exit 1; }
log() { echo "kernels: $*" >&2; }
usage() {
	sed -n '/^# usage:/,/^# *linux-source tarball/s/^# \{0,7\}//p' "$0" >&2
	exit 2
}

# The URI serving SUITE in the machine's apt sources (deps.sh knows how).
archive_uri() { "$top/tools/deps.sh" --archive-uri; }
security_uri() { "$top/tools/deps.sh" --security-uri; }

# In a chroot: /proc for dpkg's scripts and objtool, the tree and the
# cache (the debug kernel's build) at their own paths, in a mount
# namespace of its own: nothing stays mounted when it returns.
in_root() {
	local root=$1
	shift
	if [ "$root" = / ]; then
		"$@"
	else
		unshare -m --propagation private sh -c '
			root=$1 top=$2 cache=$3; shift 3
			mount -t proc proc "$root/proc"
			mkdir -p "$root$top" "$root$cache"
			mount --bind "$top" "$root$top"
			mount --bind "$cache" "$root$cache"
			exec chroot "$root" "$@"' sh "$root" "$top" "$cache" "$@"
	fi
}

# make_root SUITE: a minbase chroot of SUITE with the build tools.
make_root() {
	local suite=$1 dir=$cache/chroots/$1 uri sec
	[ -f "$dir/.done" ] && { echo "$dir"; return; }
	uri=$(archive_uri)
	[ -n "$uri" ] || die "no apt source for bookworm on this machine to take the archive URI from"
	log "debootstrap $suite into $dir (a few minutes, once)"
	rm -rf "$dir"
	mkdir -p "$cache/chroots"
	# A debootstrap that finished is kept across an interrupted fetch.
	if [ ! -f "$dir.tmp/.debootstrapped" ]; then
		rm -rf "$dir.tmp"
		debootstrap --variant=minbase "$suite" "$dir.tmp" "$uri" > "$cache/chroots/$suite.log" 2>&1 ||
			die "debootstrap $suite failed: see $cache/chroots/$suite.log"
		touch "$dir.tmp/.debootstrapped"
	fi
	case $suite in
	trixie)
		sec=$(security_uri)
		printf '%s\n' "deb $uri trixie main" "deb $uri trixie-updates main" \
			${sec:+"deb $sec trixie-security main"} > "$dir.tmp/etc/apt/sources.list" ;;
	sid)
		# experimental's packages only when asked for by version.
		printf '%s\n' "deb $uri sid main" "deb $uri experimental main" \
			> "$dir.tmp/etc/apt/sources.list" ;;
	esac
	# sid's and experimental's Release files on this archive can be past
	# their Valid-Until; the chroot is a build tool, not a system to keep.
	printf '%s\n' 'Acquire::Check-Valid-Until "false";' 'APT::Install-Recommends "false";' \
		> "$dir.tmp/etc/apt/apt.conf.d/90duonet"
	in_root "$dir.tmp" apt-get update -q > /dev/null ||
		die "apt-get update in the $suite chroot failed"
	# perl: the headers' scripts need Pod::Usage on trixie and sid.
	in_root "$dir.tmp" apt-get install -y -q make perl libc6-dev kmod > /dev/null ||
		die "the build tools did not install in the $suite chroot"
	touch "$dir.tmp/.done"
	mv "$dir.tmp" "$dir"
	echo "$dir"
}

# The newest version of PKG in the apt lists of ROOT whose origin line
# matches PATTERN (e.g. ' experimental/').
newest() {
	local root=$1 pkg=$2 pat=$3
	in_root "$root" apt-cache madison "$pkg" |
		awk -F'|' -v p="$pat" '{ gsub(/^ +| +$/, "", $2) } $3 ~ p { print $2 }' | sort -V | tail -n 1
}

# The versioned image package a metapackage of VERSION depends on.
image_of() {
	local root=$1 meta=$2 ver=$3
	in_root "$root" apt-cache show "$meta=$ver" |
		awk -F': ' '/^Depends:/ { n = split($2, d, /, /); for (i = 1; i <= n; i++)
			if (d[i] ~ /^linux-image-/) { split(d[i], w, / /); print w[1]; exit } }'
}

# The packages that hold an image's files: itself, or on 7.x (an image
# package that only depends) its linux-base-*, linux-binary-* and linux-modules-*.
image_debs() {
	local root=$1 img=$2 parts
	parts=$(in_root "$root" apt-cache show "$img" | awk -F': ' '/^Depends:/ {
		n = split($2, d, /, /); for (i = 1; i <= n; i++)
			if (d[i] ~ /^linux-(base|binary|modules)-/) { split(d[i], w, / /); print w[1] } exit }')
	echo "${parts:-$img}"
}

# fetch_one NAME ROOT SUITE-PATTERN META: the newest image of META in the
# suite, its headers installed in ROOT, the guest kernel unpacked.
fetch_one() {
	local name=$1 root=$2 pat=$3 meta=$4 ver img krel dir tmp hdr
	ver=$(newest "$root" "$meta" "$pat")
	[ -n "$ver" ] || die "$name: no $meta matching '$pat'"
	img=$(image_of "$root" "$meta" "$ver")
	krel=${img#linux-image-}
	krel=${krel%-unsigned}
	[ -n "$krel" ] || die "$name: no image package behind $meta $ver"
	hdr=linux-headers-$krel
	# By version, not name: an upload may keep the release (experimental's
	# 7.3-amd64 from one rc to the next, a stable update without an ABI bump).
	if [ "$(in_root "$root" dpkg-query -W -f='${Version}' "$hdr" 2>/dev/null)" != "$ver" ]; then
		log "$name: installing $hdr ($ver) in $root"
		# Headers of 6.12 and later depend on their image (or -unsigned):
		# in a chroot that costs nothing; on the host it is the kernel
		# README.md says make deps installs.
		in_root "$root" apt-get install -y -q "$hdr=$ver" > "$cache/apt-$name.log" 2>&1 ||
			die "$name: $hdr did not install: see $cache/apt-$name.log"
	fi
	[ -d "${root%/}/lib/modules/$krel/build" ] || die "$name: $hdr has no /lib/modules/$krel/build"
	dir=$cache/kernels/$krel
	if [ "$(cat "$dir/.done" 2>/dev/null)" != "$ver" ]; then
		log "$name: unpacking guest kernel $krel"
		rm -rf "$dir" && mkdir -p "$dir"
		# apt-get download runs in ROOT: the folder is inside it.
		tmp=$(mktemp -d "${root%/}/tmp/duonet-dl.XXXXXX")
		chmod 755 "$tmp"
		# shellcheck disable=SC2046
		in_root "$root" sh -c 'cd "$1" && shift && apt-get download -q -o APT::Sandbox::User=root "$@"' sh \
			"${tmp#"${root%/}"}" $(image_debs "$root" "$img") > /dev/null ||
			{ rm -rf "$tmp"; die "$name: $img did not download"; }
		for deb in "$tmp"/*.deb; do dpkg-deb -x "$deb" "$dir"; done
		rm -rf "$tmp"
		# 7.x keeps vmlinuz and the modules under /usr/lib/modules: the lab
		# reads the classic layout.
		if [ ! -d "$dir/lib/modules/$krel" ] && [ -d "$dir/usr/lib/modules/$krel" ]; then
			mkdir -p "$dir/lib/modules"
			mv "$dir/usr/lib/modules/$krel" "$dir/lib/modules/$krel"
		fi
		if [ ! -f "$dir/boot/vmlinuz-$krel" ] && [ -f "$dir/lib/modules/$krel/vmlinuz" ]; then
			mkdir -p "$dir/boot"
			mv "$dir/lib/modules/$krel/vmlinuz" "$dir/boot/vmlinuz-$krel"
		fi
		[ -f "$dir/boot/vmlinuz-$krel" ] || die "$name: $img has no vmlinuz for $krel"
		[ -d "$dir/lib/modules/$krel/kernel" ] || die "$name: $img has no modules for $krel"
		depmod -b "$dir" "$krel"
		echo "$ver" > "$dir/.done"
	fi
	printf '%s %s %s\n' "$name" "$krel" "$root" >> "$matrix.tmp"
}

# ensure ROOT PKG...: the packages installed in ROOT, the newest of its suite.
ensure() {
	local root=$1 p missing=""
	shift
	for p in "$@"; do
		[ "$(in_root "$root" dpkg-query -W -f='${Version}' "$p" 2>/dev/null)" = \
			"$(in_root "$root" apt-cache policy "$p" | awk '/Candidate:/ { print $2 }')" ] ||
			missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	log "installing$missing in $root"
	# shellcheck disable=SC2086
	in_root "$root" apt-get install -y -q $missing > "$cache/apt-ensure.log" 2>&1 ||
		die "$missing did not install in $root: see $cache/apt-ensure.log"
}

fetch() {
	[ "$(id -u)" = 0 ] || die "fetch: run as root"
	local trixie sid
	rm -f "$matrix.tmp"
	# bookworm's: the host's own apt (bookworm, -security; not backports).
	fetch_one 6.1 / ' (bookworm|bookworm-security|bookworm-updates)/' linux-image-amd64
	fetch_one 6.12-deb12 / ' (bookworm|bookworm-security|bookworm-updates)/' linux-image-6.12-amd64
	trixie=$(make_root trixie)
	sid=$(make_root sid)
	for r in "$trixie" "$sid"; do
		# A day-old list is fresh enough (deps.sh's rule for the host).
		if [ -z "$(find "$r/.apt-updated" -mmin -1440 2>/dev/null)" ]; then
			in_root "$r" apt-get update -q > /dev/null || die "apt-get update in $r failed"
			touch "$r/.apt-updated"
		fi
	done
	fetch_one 6.12-deb13 "$trixie" ' (trixie|trixie-security|trixie-updates)/' linux-image-amd64
	fetch_one 7-sid "$sid" ' sid/' linux-image-amd64
	# experimental has a kernel only while it is ahead of sid.
	local sidv expv
	sidv=$(newest "$sid" linux-image-amd64 ' sid/')
	expv=$(newest "$sid" linux-image-amd64 ' experimental/')
	if [ -n "$expv" ] && dpkg --compare-versions "$expv" gt "$sidv"; then
		fetch_one 7-exp "$sid" ' experimental/' linux-image-amd64
	else
		log "7-exp: experimental has no kernel newer than sid's ($sidv): not in the matrix"
	fi
	# The debug kernel (tools/vm/debug-kernel.sh) is built from sid's
	# source, with its compiler, in the sid chroot.
	ensure "$sid" linux-source gcc bc bison flex libelf-dev libssl-dev cpio xz-utils
	mv "$matrix.tmp" "$matrix"
	cat "$matrix"
}

list() {
	[ -f "$matrix" ] || die "no kernel matrix in $cache (run 'make deps')"
	cat "$matrix"
}

root_of() {
	local r
	r=$(list | awk -v k="$1" '$2 == k { print $3 }')
	[ -n "$r" ] || die "$1 is not in the kernel matrix ($(list | awk '{ print $2 }' | paste -sd ' '))"
	echo "$r"
}

case ${1:-} in
fetch) [ $# = 1 ] || usage; fetch ;;
run)
	[ $# -ge 3 ] || usage
	r=$cache/chroots/$2
	[ -f "$r/.done" ] || die "no $2 chroot in $cache/chroots (run 'make deps')"
	shift 2
	in_root "$r" "$@" ;;
debug-source)
	[ $# = 1 ] || usage
	f=$(ls "$cache"/chroots/sid/usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -n 1)
	[ -n "$f" ] || die "no linux-source in the sid chroot (run 'make deps')"
	echo "$f" ;;
list) [ $# = 1 ] || usage; list ;;
release)
	[ $# = 2 ] || usage
	k=$(list | awk -v n="$2" '$1 == n { print $2 }')
	[ -n "$k" ] || die "no kernel named $2 in the matrix"
	echo "$k" ;;
kdir) [ $# = 2 ] || usage; root_of "$2" > /dev/null || exit 1; echo "/lib/modules/$2/build" ;;
make)
	[ $# -ge 2 ] || usage
	krel=$2
	shift 2
	r=$(root_of "$krel") || exit 1
	in_root "$r" make -C "$top" KDIR="/lib/modules/$krel/build" "$@" ;;
*) usage ;;
esac
