#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The lab's debug guest kernel: the newest source, sid's linux-source
# (7.x, where the ops-locking rules live), with KASAN, kmemleak, lockdep
# (PROVE_LOCKING, PROVE_RCU), DEBUG_ATOMIC_SLEEP, DEBUG_OBJECTS, DEBUG_NET
# and the net refcount trackers, and exactly the drivers the lab uses, plus
# netdevsim, an "ops locked" device (tools/vm/debug.config over tinyconfig).
# Built with sid's compiler in the sid chroot (tools/kernels.sh run sid),
# once into $DUONET_CACHE/debugkernel, and installed where the lab finds
# guest kernels ($DUONET_CACHE/kernels/RELEASE); rebuilt only when the
# fragment, this script or the source changes. Prints the kernel release.
#
# usage: debug-kernel.sh [--print-dir]   (--print-dir: the build tree, for
#        make KDIR=..., of the kernel built; fails if there is none)
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cache=${DUONET_CACHE:-/var/cache/duonet}
dk=$cache/debugkernel
kernels=$top/tools/kernels.sh
frag=$top/tools/vm/debug.config
out=$dk/build
# Every make and script of the kernel's runs in the sid chroot.
in_sid() { "$kernels" run sid "$@"; }
localversion=-duodebug

log() { echo "debug-kernel: $*" >&2; }

case ${1:-} in
--print-dir)
	[ -f "$dk/release" ] || { log "not built (run $0)"; exit 1; }
	echo "$out"
	exit 0
	;;
"") ;;
*) echo "usage: $0 [--print-dir]" >&2; exit 2 ;;
esac

tarball=${DUONET_KSRC_TARBALL:-$("$kernels" debug-source)} || exit 1
src=$dk/$(basename "$tarball" .tar.xz)
# Rebuilt when the fragment, this script or the source (make deps takes
# sid's newest linux-source) changes.
want=$({ cat "$frag" "$0"; ls -l --time-style=+%s "$tarball"; } | sha256sum | cut -c1-16)
if [ -f "$dk/stamp" ] && [ "$(cat "$dk/stamp")" = "$want" ] && [ -f "$dk/release" ]; then
	cat "$dk/release"
	exit 0
fi
[ -f "$tarball" ] || { log "no $tarball (run 'make deps')"; exit 1; }
mkdir -p "$dk"
rm -f "$dk/stamp" "$dk/release"
# The unpacked source and its objects are kept unless the tarball changed.
srckey=$(ls -l --time-style=+%s "$tarball" | sha256sum | cut -c1-16)
if [ ! -f "$src/Makefile" ] || [ "$(cat "$dk/source" 2>/dev/null)" != "$srckey" ]; then
	log "unpacking $tarball"
	rm -rf "$dk"/linux-source-* "$out"
	tar -C "$dk" -xf "$tarball"
	echo "$srckey" > "$dk/source"
fi

t0=$SECONDS
mkdir -p "$out"
cp "$frag" "$dk/debug.config"
in_sid make -s -C "$src" O="$out" tinyconfig > "$dk/config.log" 2>&1
in_sid "$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "$dk/debug.config" >> "$dk/config.log" 2>&1
in_sid make -s -C "$src" O="$out" olddefconfig >> "$dk/config.log" 2>&1
# Every setting of the fragment must have survived.
bad=0
while IFS= read -r line; do
	case $line in
	CONFIG_*=*) grep -qxF "$line" "$out/.config" || { log "not taken: $line"; bad=1; } ;;
	"# CONFIG_"*" is not set")
		opt=${line#\# }
		opt=${opt%% *}
		! grep -q "^$opt=" "$out/.config" || { log "not taken: $line"; bad=1; } ;;
	esac
done < "$frag"
[ "$bad" = 0 ] || { log "the fragment does not apply; see $out/.config"; exit 1; }

log "building (about 25 minutes on 2 cores; log: $dk/build.log)"
if ! in_sid make -C "$src" O="$out" LOCALVERSION="$localversion" -j"$(nproc)" bzImage modules \
	> "$dk/build.log" 2>&1; then
	tail -n 30 "$dk/build.log" >&2
	exit 1
fi
krel=$(in_sid make -s -C "$src" O="$out" LOCALVERSION="$localversion" kernelrelease)
kdir=$cache/kernels/$krel
rm -rf "$kdir"
mkdir -p "$kdir/boot"
cp "$out/arch/x86/boot/bzImage" "$kdir/boot/vmlinuz-$krel"
in_sid make -s -C "$src" O="$out" LOCALVERSION="$localversion" INSTALL_MOD_PATH="$kdir" \
	modules_install >> "$dk/build.log" 2>&1
echo "$krel" > "$dk/release"
echo "$want" > "$dk/stamp"
log "built $krel in $((SECONDS - t0)) s"
echo "$krel"
