#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The Debian packages and the DKMS source, on the host (no guest, nothing
# installed, nothing loaded):
#
#   deb          make deb builds duonet-dkms, duonet-tools and duonet-host (build/deb/)
#   release-tarball  make dist's tarball, unpacked where no git repository
#                is, builds the same packages, byte for byte
#   contents     each package holds exactly its files, with their modes; the
#                dkms.conf in duonet-dkms carries the version of core/duonet.h
#   lintian      no error or warning on the binary packages nor on the source
#                package, but the overrides debian/ explains
#   man          every man page renders without a warning
#   udev         the rule parses (udevadm verify, systemd >= 254) and marks
#                exactly the lowers: udevadm test on made-up devices (a
#                premarked NIC, a lower, a bond's port, netvsc's VF, a plain
#                NIC, the upper ...) in a private mount namespace; udev's
#                link setup applies 98-duonet.link (MAC left alone) to a
#                device of its kind (veth stands in: in a private network
#                namespace)
#   networkd     every key of the shipped .network and .link files is one
#                systemd.network(5) / systemd.link(5) lists in its section
#   scripts      shellcheck on the shell scripts the packages ship
#   dkms         the source in duonet-dkms builds with DKMS for each kernel of
#                the matrix with headers on the host (bookworm's 6.1, 6.12),
#                in a temporary DKMS tree (its own signing key too), and a
#                kernel of another series is refused
#
# usage: packaging.sh   one "PASS|FAIL|SKIP packaging/CASE" line per case,
# printed and appended to $DUO_RESULTS when set; exit status 1 if any failed.
# Needs root (dkms, mount namespaces) and the tools of 'make deps'; without
# them the cases fail (DUO_ALLOW_SKIP=1: skip). DUO_KERNELS narrows the
# kernels of the dkms case. Logs in build/logs/packaging-*.log.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
logs=$top/build/logs
failed=0
t0=$SECONDS
# The udev case runs this script again in private namespaces:
# packaging.sh --udev-inner|--link-inner TMP ROOT (see udev_inner, link_inner).
if [ "${1:-}" = --udev-inner ] || [ "${1:-}" = --link-inner ]; then
	tmp=$2
else
	tmp=$(mktemp -d /tmp/duopkg.XXXXXX)
	trap 'rm -rf "$tmp"' EXIT
	mkdir -p "$logs"
fi

record() {
	[ -z "${DUO_RESULTS:-}" ] || echo "$1 packaging/$2" >> "$DUO_RESULTS"
	printf '%s packaging/%s%s\n' "$1" "$2" "${3:+ ($3)}"
	[ "$1" != FAIL ] || failed=1
}
# verdict NAME DETAIL STATUS: PASS if STATUS is 0, else FAIL with DETAIL.
verdict() {
	if [ "$3" = 0 ]; then record PASS "$1"; else record FAIL "$1" "$2"; fi
}
# missing NAME WHAT [HINT]: a prerequisite is missing: FAIL, or SKIP with
# DUO_ALLOW_SKIP=1 (never a pass).
missing() {
	if [ "${DUO_ALLOW_SKIP:-0}" = 1 ]; then
		record SKIP "$1" "$2"
	else
		record FAIL "$1" "$2${3-; run 'make deps'}"
	fi
}

version=$(sed -n 's/.*DUO_DRV_VERSION[[:space:]]*"\(.*\)".*/\1/p' "$top/core/duonet.h")
deb=$top/build/deb
arch=$(dpkg --print-architecture)

case_deb() {
	local t=$SECONDS
	if make -s -C "$top" deb > "$logs/packaging-deb.log" 2>&1 &&
		[ -f "$deb/duonet-dkms_${version}_all.deb" ] &&
		[ -f "$deb/duonet-tools_${version}_$arch.deb" ] &&
		[ -f "$deb/duonet-host_${version}_all.deb" ]; then
		record PASS deb "$((SECONDS - t)) s"
	else
		record FAIL deb "no duonet-dkms/duonet-tools/duonet-host $version: see build/logs/packaging-deb.log"
		tail -n 20 "$logs/packaging-deb.log" >&2
		return 1
	fi
}

# The files (not folders) of a package, "MODE PATH", sorted.
files_of() {
	dpkg-deb -c "$1" | awk '$1 !~ /^d/ { sub(/^\./, "", $6); print $1, $6 }' | sort
}

# A release tarball (make dist) builds the same packages without git: the
# file list and the packages' bytes do not depend on a clone.
case_release_tarball() {
	local rel=$tmp/rel f rc=0 why=""
	rm -rf "$rel" && mkdir -p "$rel"
	if ! make -s -C "$top" dist > "$logs/packaging-dist.log" 2>&1 ||
		! tar -xzf "$top/build/duonet-$version.tar.gz" -C "$rel" ||
		[ -e "$rel/duonet-$version/.git" ] ||
		! make -s -C "$rel/duonet-$version" deb >> "$logs/packaging-dist.log" 2>&1; then
		record FAIL release-tarball "make dist, or make deb in its tree: see build/logs/packaging-dist.log"
		return
	fi
	for f in "$deb"/*.deb; do
		cmp -s "$f" "$rel/duonet-$version/build/deb/${f##*/}" || { rc=1; why="$why ${f##*/}"; }
	done
	verdict release-tarball "packages not the same as make deb's:$why" "$rc"
}

# contents_verdict PKG DEB: the expected "MODE PATH" lines, written to
# $tmp/PKG.list, against the files of DEB (the package PKG). Not in a
# pipeline: record() must set $failed in this shell.
contents_verdict() {
	local got=0
	sort "$tmp/$1.list" > "$tmp/$1.want"
	files_of "$2" > "$tmp/$1.got"
	diff -u "$tmp/$1.want" "$tmp/$1.got" > "$tmp/$1.diff" || got=1
	verdict "contents/$1" "$(tail -n +3 "$tmp/$1.diff" | grep -E '^[-+]' | head -n 3 | tr '\n' ' ')" "$got"
}

case_contents() {
	local got src f
	src=/usr/src/duonet-$version
	{
		echo "-rw-r--r-- /lib/modprobe.d/duonet.conf"
		echo "-rwxr-xr-x /usr/lib/dracut/modules.d/90duonet/module-setup.sh"
		echo "-rw-r--r-- /usr/lib/modules-load.d/duonet.conf"
		echo "-rwxr-xr-x /usr/share/initramfs-tools/hooks/duonet"
		echo "-rw-r--r-- /usr/share/doc/duonet-dkms/changelog.gz"
		echo "-rw-r--r-- /usr/share/doc/duonet-dkms/copyright"
		echo "-rw-r--r-- /usr/share/lintian/overrides/duonet-dkms"
		# What must come with the module: the lowers kept to duonet.
		echo "-rw-r--r-- /lib/udev/rules.d/75-duonet.rules"
		echo "-rw-r--r-- /usr/lib/systemd/network/05-duonet-lower.network"
		echo "-rw-r--r-- /usr/lib/systemd/network/98-duonet.link"
		echo "-rw-r--r-- /usr/lib/NetworkManager/conf.d/90-duonet.conf"
		echo "-rw-r--r-- /usr/share/man/man4/duonet.4.gz"
		echo "-rw-r--r-- $src/dkms.conf"
		# The module's sources, as the Makefile's modules target has them.
		(cd "$top" && for f in Kbuild sources.mk compat/compat.mk \
			$(sed -n 's/^duo_srcdirs := //p' sources.mk | sed 's#[^ ]*#&/*.[ch]#g'); do
			echo "-rw-r--r-- $src/$f"; done)
	} > "$tmp/duonet-dkms.list"
	contents_verdict duonet-dkms "$deb/duonet-dkms_${version}_all.deb"

	{
		for f in duoctl duotrace duonet-migrate; do
			echo "-rwxr-xr-x /usr/sbin/$f"
		done
		for f in duoctl.8 duotrace.8 duonet-migrate.8; do
			echo "-rw-r--r-- /usr/share/man/man8/$f.gz"
		done
		for f in 10-duonet.network 10-duonet-name.link duo0.nmconnection interfaces.duo0; do
			echo "-rw-r--r-- /usr/share/doc/duonet-tools/examples/$f"
		done
		echo "-rw-r--r-- /usr/share/doc/duonet-tools/changelog.gz"
		echo "-rw-r--r-- /usr/share/doc/duonet-tools/copyright"
	} > "$tmp/duonet-tools.list"
	contents_verdict duonet-tools "$deb/duonet-tools_${version}_$arch.deb"

	# The host's package: the host scripts and the QMP client, nothing of
	# the guest's (no udev rule, no network manager file, no module).
	{
		echo "-rwxr-xr-x /usr/sbin/duonet-guest-exec"
		echo "-rwxr-xr-x /usr/sbin/duonet-migrate-host"
		echo "-rw-r--r-- /usr/lib/duonet/qmp.py"
		echo "-rw-r--r-- /usr/share/man/man8/duonet-guest-exec.8.gz"
		echo "-rw-r--r-- /usr/share/man/man8/duonet-migrate-host.8.gz"
		echo "-rw-r--r-- /usr/share/doc/duonet-host/changelog.gz"
		echo "-rw-r--r-- /usr/share/doc/duonet-host/copyright"
	} > "$tmp/duonet-host.list"
	contents_verdict duonet-host "$deb/duonet-host_${version}_all.deb"

	# The version filled in, and what the packages depend on.
	dpkg-deb -x "$deb/duonet-dkms_${version}_all.deb" "$tmp/dkms-root"
	dpkg-deb -x "$deb/duonet-tools_${version}_$arch.deb" "$tmp/tools-root"
	dpkg-deb -x "$deb/duonet-host_${version}_all.deb" "$tmp/host-root"
	got=0
	grep -qx "PACKAGE_VERSION=\"$version\"" "$tmp/dkms-root$src/dkms.conf" || got=1
	dpkg-deb -f "$deb/duonet-dkms_${version}_all.deb" Depends | grep -qw dkms || got=1
	dpkg-deb -f "$deb/duonet-tools_${version}_$arch.deb" Depends | grep -q 'libmnl0.*libbpf1\|libbpf1.*libmnl0' || got=1
	# Each installs alone: the module's package needs no tools, the host's
	# nothing of the guest's; files that moved from duonet-tools 0.2.0
	# replace it on upgrade.
	! dpkg-deb -f "$deb/duonet-dkms_${version}_all.deb" Depends | grep -q duonet || got=1
	! dpkg-deb -f "$deb/duonet-host_${version}_all.deb" Depends | grep -q 'duonet\|udev\|ethtool' || got=1
	dpkg-deb -f "$deb/duonet-host_${version}_all.deb" Depends | grep -qw python3 || got=1
	for f in duonet-dkms_${version}_all duonet-host_${version}_all; do
		dpkg-deb -f "$deb/$f.deb" Replaces | grep -q 'duonet-tools (<< 0.3.0)' || got=1
		dpkg-deb -f "$deb/$f.deb" Breaks | grep -q 'duonet-tools (<< 0.3.0)' || got=1
	done
	verdict contents/version-depends "dkms.conf without PACKAGE_VERSION=\"$version\", or a dependency, Breaks or Replaces wrong" "$got"
}

case_lintian() {
	local out
	# Binary packages: E: and W: fail (an override shows as O: with its reason).
	rc=0
	out=$(lintian --fail-on error,warning --show-overrides "$deb/duonet_${version}_$arch.changes" 2>&1) || rc=$?
	if printf '%s\n' "$out" | grep -q '^[EW]: '; then rc=1; fi
	verdict lintian/binary "$(printf '%s\n' "$out" | grep '^[EW]: ' | head -n 3 | tr '\n' ' ')" "$rc"
	printf '%s\n' "$out" > "$logs/packaging-lintian.log"

	# The source package, from a clean copy of the tree make deb used.
	rm -rf "$tmp/srcpkg" && mkdir "$tmp/srcpkg"
	cp -a "$deb/src" "$tmp/srcpkg/duonet"
	if (cd "$tmp/srcpkg/duonet" && debian/rules clean && dpkg-source -b .) >> "$logs/packaging-lintian.log" 2>&1; then
		rc=0
		out=$(lintian --fail-on error,warning --show-overrides "$tmp/srcpkg/duonet_$version.dsc" 2>&1) || rc=$?
		if printf '%s\n' "$out" | grep -q '^[EW]: '; then rc=1; fi
		verdict lintian/source "$(printf '%s\n' "$out" | grep '^[EW]: ' | head -n 3 | tr '\n' ' ')" "$rc"
		printf '%s\n' "$out" >> "$logs/packaging-lintian.log"
	else
		record FAIL lintian/source "dpkg-source -b failed: see build/logs/packaging-lintian.log"
	fi
}

case_man() {
	local f err rc
	for f in "$top"/packaging/man/*.[1-8]; do
		rc=0
		err=$(man --warnings -l "$f" 2>&1 > /dev/null) || rc=$?
		[ -z "$err" ] || rc=1
		verdict "man/$(basename "$f")" "$(printf '%s' "$err" | head -n 2 | tr '\n' ' ')" "$rc"
	done
}

# A made-up network device in the fake sysfs: NAME FLAGS TYPE [MASTER [EXTRA]].
# EXTRA: bonding (a bond master) or device (a master with a parent device).
fake_dev() {
	local d=/sys/devices/virtual/net/$1
	mkdir -p "$d"
	ifindex=$((ifindex + 1))
	printf 'INTERFACE=%s\nIFINDEX=%d\n' "$1" "$ifindex" > "$d/uevent"
	echo "$2" > "$d/flags"
	echo "$3" > "$d/type"
	ln -s /sys/class/net "$d/subsystem"
	[ -z "${4:-}" ] || ln -s "../$4" "$d/master"
	case ${5:-} in
	bonding) mkdir "$d/bonding" ;;
	device) ln -s /sys/devices/system "$d/device" ;;
	esac
}

# Runs in a private mount namespace: only the package's udev rule and .link
# file are visible to udevadm, made-up devices replace the virtual ones, a
# tmpfs on /run keeps udevadm's database away from the host's.
udev_inner() {
	local root=$1 rules=$tmp/rules net=$tmp/net
	mkdir -p "$rules" "$net" "$tmp/empty"
	cp "$root/lib/udev/rules.d/75-duonet.rules" "$rules/"
	cp "$root"/usr/lib/systemd/network/* "$net/"
	mount -t tmpfs none /run
	mount --bind "$rules" /usr/lib/udev/rules.d
	[ "$(readlink -f /lib)" = /usr/lib ] || mount --bind "$tmp/empty" /lib/udev/rules.d
	mount --bind "$tmp/empty" /etc/udev/rules.d
	mount --bind "$net" /usr/lib/systemd/network
	[ ! -d /etc/systemd/network ] || mount --bind "$tmp/empty" /etc/systemd/network
	mount -t tmpfs none /sys/devices/virtual/net
	ifindex=9000
	fake_dev duo9 0x1403 1				# an upper: IFF_MASTER, no device link
	fake_dev bond9 0x1403 1 "" bonding
	fake_dev nvsc9 0x1003 1 "" device		# hv_netvsc's device
	fake_dev premarked 0x1802 1			# marked, not yet linked
	fake_dev lower 0x1903 1 duo9
	fake_dev onlyslave 0x800 1
	fake_dev bondport 0x1903 1 bond9
	fake_dev netvscvf 0x1903 1 nvsc9
	fake_dev plain 0x1003 1
	fake_dev ppp 0x1891 512				# eql's slaves are not Ethernet
	local dev action
	for dev in duo9 bond9 nvsc9 premarked lower onlyslave bondport netvscvf plain ppp; do
		for action in add change move remove; do
			# Each event on its own: no database left by the one before
			# (a remove event carries the properties stored for the device).
			rm -rf /run/udev/data
			printf '%s %s ' "$dev" "$action"
			SYSTEMD_DEVICE_VERIFY_SYSFS=0 udevadm test --action="$action" \
				"/sys/devices/virtual/net/$dev" 2> "$tmp/udev-$dev-$action.err" |
				grep -E '^(DUONET_LOWER|NM_UNMANAGED)=' | tr '\n' ' '
			echo
		done
	done
	# What udevadm said about the files it read (parse errors name them).
	cat "$tmp"/udev-*.err | grep -E '75-duonet\.rules|98-duonet\.link|05-duonet' | sort -u
}

# Runs in a private network and mount namespace: udev's link setup applies
# the shipped .link to a device of the kind it names. A duonet upper cannot
# be made on the host (no module loads there), so the copy matches veth
# instead; the rest of the file is as shipped.
link_inner() {
	local root=$1 net=$tmp/linknet
	mkdir -p "$net" "$tmp/empty"
	grep -qx 'Kind=duonet' "$root/usr/lib/systemd/network/98-duonet.link" || {
		echo "98-duonet.link does not match Kind=duonet"
		return 0
	}
	sed 's/^Kind=duonet$/Kind=veth/' "$root/usr/lib/systemd/network/98-duonet.link" > "$net/98-duonet.link"
	ip link add dl0 type veth peer name dl1 || { echo "no veth: $?"; return 0; }
	mount -t sysfs none /sys
	mount -t tmpfs none /run
	mount --bind "$net" /usr/lib/systemd/network
	[ "$(readlink -f /lib)" = /usr/lib ] || mount --bind "$net" /lib/systemd/network
	[ ! -d /etc/systemd/network ] || mount --bind "$tmp/empty" /etc/systemd/network
	udevadm test-builtin net_setup_link /sys/class/net/dl0 2>&1
}

case_udev() {
	local root=$tmp/dkms-root out want line
	local trixie=${DUONET_CACHE:-/var/cache/duonet}/chroots/trixie ctmp
	if udevadm verify --help > /dev/null 2>&1; then
		rc=0
		out=$(udevadm verify --resolve-names=never "$root/lib/udev/rules.d/75-duonet.rules" 2>&1) || rc=$?
		verdict udev/verify "$(printf '%s' "$out" | head -n 2 | tr '\n' ' ')" "$rc"
	elif chroot "$trixie" udevadm verify --help > /dev/null 2>&1; then
		# bookworm's udev (252) has no verify; trixie's, in the chroot
		# make deps keeps for trixie's kernel, has.
		rc=0
		ctmp=$(mktemp -d "$trixie/tmp/duonet-rule.XXXXXX")
		cp "$root/lib/udev/rules.d/75-duonet.rules" "$ctmp/"
		out=$(chroot "$trixie" udevadm verify --resolve-names=never "${ctmp#"$trixie"}/75-duonet.rules" 2>&1) || rc=$?
		rm -rf "$ctmp"
		verdict udev/verify "$(printf '%s' "$out" | head -n 2 | tr '\n' ' ')" "$rc"
	else
		record SKIP udev/verify "no 'udevadm verify' before systemd 254; udev/lowers parses the rule"
	fi
	out=$(unshare -m --propagation private "$0" --udev-inner "$tmp" "$root" 2>&1) || {
		record FAIL udev/lowers "the namespace test did not run: $(printf '%s' "$out" | tail -n 1)"
		return 0
	}
	printf '%s\n' "$out" > "$logs/packaging-udev.log"
	# Marked: premarked, lower, onlyslave, on every action but remove.
	want=""
	for line in premarked lower onlyslave; do
		for a in add change move; do
			want="$want$line $a DUONET_LOWER=1 NM_UNMANAGED=1 |"
		done
	done
	got=$(printf '%s\n' "$out" | grep -E ' (add|change|move|remove) DUONET' | sed 's/ *$/ |/' | tr -d '\n')
	rc=0
	[ "$got" = "$want" ] || rc=1
	verdict udev/lowers "marked '$got', want '$want'" "$rc"
	# Parse problems with the shipped files (rule or .link) fail too.
	printf '%s\n' "$out" | grep -iE 'invalid|unknown|error|failed|ignoring' |
		grep -E '75-duonet|98-duonet' > "$tmp/udev.problems" || true
	rc=0
	[ ! -s "$tmp/udev.problems" ] || rc=1
	verdict udev/parse "$(head -n 2 "$tmp/udev.problems" | tr '\n' ' ')" "$rc"
	rc=0
	printf '%s\n' "$out" | grep -q 'Parsed configuration file.*98-duonet\.link' || rc=1
	verdict udev/link-file "udevadm did not read 98-duonet.link" "$rc"

	out=$(unshare -n -m --propagation private "$0" --link-inner "$tmp" "$root" 2>&1) || true
	printf '%s\n' "$out" >> "$logs/packaging-udev.log"
	if printf '%s\n' "$out" | grep -q '^no veth'; then
		missing udev/link-applies "no veth device on this host" ""
	else
		rc=0
		printf '%s\n' "$out" | grep -qx 'ID_NET_LINK_FILE=.*/98-duonet\.link' || rc=1
		printf '%s\n' "$out" | grep -q 'Using static MAC address' || rc=1
		verdict udev/link-applies "$(printf '%s\n' "$out" | grep -E 'ID_NET_LINK_FILE|MAC|Kind=' | head -n 2 | tr '\n' ' ')" "$rc"
	fi
}

# Each Key= of FILE's [Section] must be listed under that section in MAN.
keys_documented() {
	local file=$1 man=$2 section="" key bad="" line
	[ -f "$file" ] || { echo "no $file"; return 1; }
	man -P cat "$man" 2> /dev/null | col -b > "$tmp/man.txt"
	while IFS= read -r line; do
		case $line in
		'['*']') section=${line#[}; section=${section%]}; section=${section^^} ;;
		*=*)
			key=${line%%=*}
			awk -v s="[$section] SECTION OPTIONS" -v k="       $key=" '
				$0 ~ /^\[.*\] SECTION OPTIONS/ { in_s = (index($0, s) == 1) }
				in_s && index($0, k) == 1 { found = 1 }
				END { exit !found }' "$tmp/man.txt" || bad="$bad [$section] $key"
			;;
		esac
	done < <(grep -v '^[[:space:]]*#' "$file" | grep -v '^[[:space:]]*$')
	[ -z "$bad" ] || { echo "not in $man:$bad"; return 1; }
}

case_networkd() {
	local root=$tmp/dkms-root out rc=0
	out=$(keys_documented "$root/usr/lib/systemd/network/05-duonet-lower.network" systemd.network) || rc=$?
	verdict networkd/05-duonet-lower.network "$out" "$rc"
	rc=0
	out=$(keys_documented "$root/usr/lib/systemd/network/98-duonet.link" systemd.link) || rc=$?
	verdict networkd/98-duonet.link "$out" "$rc"
}

case_shellcheck() {
	local root=$tmp/tools-root droot=$tmp/dkms-root hroot=$tmp/host-root out rc=0
	out=$({ shellcheck -s sh "$droot/usr/share/initramfs-tools/hooks/duonet" &&
		shellcheck -s bash "$droot/usr/lib/dracut/modules.d/90duonet/module-setup.sh" &&
		shellcheck "$root/usr/sbin/duonet-migrate" "$hroot/usr/sbin/duonet-migrate-host" \
			"$top/tools/tests/packaging.sh"; } 2>&1) || rc=$?
	verdict scripts "$(printf '%s' "$out" | grep -m 2 'SC[0-9]' | tr '\n' ' ')" "$rc"
}

case_dkms() {
	local kernels k t out ko f
	# A tree of its own: nothing reaches /var/lib/dkms, /lib/modules or the
	# host's signing key.
	local d=(--dkmstree "$tmp/dkms" --sourcetree "$tmp/dkms-root/usr/src"
		--installtree "$tmp/install")
	export mok_signing_key=$tmp/mok.key mok_certificate=$tmp/mok.pub
	mkdir -p "$tmp/dkms" "$tmp/install"
	if ! dkms "${d[@]}" add -m duonet -v "$version" > "$logs/packaging-dkms.log" 2>&1; then
		record FAIL dkms/add "see build/logs/packaging-dkms.log"
		return 0
	fi
	# The kernels of the matrix whose headers are on the host (bookworm's
	# 6.1 and 6.12); DKMS in the trixie and sid images builds for theirs
	# (tools/image/test.sh).
	kernels=${DUO_KERNELS:-$("$top/tools/kernels.sh" list 2>/dev/null | awk '$3 == "/" { print $2 }')}
	[ -n "$kernels" ] || missing dkms/headers "no kernel of the matrix with headers on the host"
	for k in $kernels; do
		t=$SECONDS
		out=0
		dkms "${d[@]}" build -m duonet -v "$version" -k "$k" >> "$logs/packaging-dkms.log" 2>&1 || out=$?
		ko=""
		for f in "$tmp/dkms/duonet/$version/$k"/*/module/duonet.ko*; do
			[ ! -e "$f" ] || ko=$f
		done
		if [ "$out" = 0 ] && [ -n "$ko" ] &&
			[ "$(modinfo -F version "$ko")" = "$version" ] &&
			[ "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" = "$k" ]; then
			record PASS "dkms/$k" "$((SECONDS - t)) s"
		else
			record FAIL "dkms/$k" "dkms build status $out, module '${ko:-none}': see build/logs/packaging-dkms.log"
		fi
	done
	# Another series is refused by BUILD_EXCLUSIVE_KERNEL (dkms exits 77),
	# not built: a kernel upgrade to it does not fail on duonet.
	out=0
	dkms "${d[@]}" build -m duonet -v "$version" -k 6.6.0-1-amd64 >> "$logs/packaging-dkms.log" 2>&1 || out=$?
	rc=0
	[ "$out" = 77 ] || rc=1
	verdict dkms/exclusive "dkms build for 6.6.0-1-amd64 exited $out, not 77" "$rc"
}

case ${1:-} in
--udev-inner) udev_inner "$3"; exit 0 ;;
--link-inner) link_inner "$3"; exit 0 ;;
esac

need=""
for t in dpkg-buildpackage dh dh_dkms lintian dkms man udevadm unshare shellcheck; do
	command -v "$t" > /dev/null || need="$need $t"
done
if [ -n "$need" ]; then
	missing tools "missing:$need"
	exit "$failed"
fi
if [ "$(id -u)" != 0 ]; then
	missing tools "needs root (dkms, mount namespaces)" ""
	exit "$failed"
fi

if case_deb; then
	case_release_tarball
	case_contents
	case_lintian
	case_udev
	case_networkd
	case_shellcheck
	case_dkms
fi
case_man
echo "packaging: $((SECONDS - t0)) s"
exit "$failed"
