#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run duonet's KUnit suites on UML with kunit.py, over Debian's
# linux-source-6.12 unpacked once into a cache outside the repo.
#
#   kunit/run.sh               build (incremental), boot, print one line per case
#   DUO_RESULTS=file run.sh    also append the result lines to that file
#   DUONET_CACHE=dir run.sh    cache root (default /var/cache/duonet)
#   DUONET_KUNIT_JOBS=n        make jobs (default: nproc)
#   DUONET_KUNIT_MODULE=0      skip the duonet_kunit.ko (M=, W=1) compile check
#   DUONET_KSRC_TARBALL=file   default /usr/src/linux-source-6.12.tar.xz
#
# Result lines: "PASS|FAIL|SKIP kunit/<suite>/<case>" (one per test case; a
# parameterised case is one line), "PASS|FAIL kunit/module" for the module
# build, "FAIL kunit/build" or "FAIL kunit/boot" when nothing could run.
# Exit status is non-zero if any line is FAIL.
#
# Layout in the cache ($DUONET_CACHE/kunit):
#   linux-source-6.12/                the kernel tree (+ .done once unpacked)
#     drivers/net/duonet_kunit/       our sources, copied in on every run:
#       Kbuild (= kunit/Kbuild.kunit), Kconfig (= kunit/Kconfig.kunit),
#       sources.mk, compat/compat.mk, the *.[ch] of the folders
#       sources.mk lists and of kunit/
#   build-um/                         kunit.py's build dir (O=), kept warm
#   module/                           M= folder for the duonet_kunit.ko check
#   build.log, test.log, module.log   the logs of the last run

set -eu

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
cache=${DUONET_CACHE:-/var/cache/duonet}/kunit
tarball=${DUONET_KSRC_TARBALL:-/usr/src/linux-source-6.12.tar.xz}
tree=$cache/linux-source-6.12
build=$cache/build-um
moddir=$cache/module
jobs=${DUONET_KUNIT_JOBS:-$(nproc)}
suites="duonet_dedup duonet_failover duonet_failover_random duonet_features duonet_netdev duonet_pairing duonet_settings duonet_stats duonet_tuning duonet_xdp"
# The driver's folders built into duonet_kunit (kunit/ itself comes last).
srcdirs=$(sed -n 's/^duo_srcdirs := //p' "$root/sources.mk")
[ -n "$srcdirs" ] || { echo "kunit: no duo_srcdirs in $root/sources.mk" >&2; exit 1; }

results=()

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
log() { echo "kunit: $*"; }

record() {
	results+=("$1")
	echo "$1"
}

finish() {
	local line pass=0 fail=0 skip=0

	for line in "${results[@]}"; do
		case $line in
		PASS*) pass=$((pass + 1)) ;;
		FAIL*) fail=$((fail + 1)) ;;
		SKIP*) skip=$((skip + 1)) ;;
		esac
	done
	if [ -n "${DUO_RESULTS:-}" ]; then
		printf '%s\n' "${results[@]}" >>"$DUO_RESULTS"
	else
		line="$pass passed, $fail failed"
		[ "$skip" -eq 0 ] || line="$line, $skip skipped"
		echo "$line"
	fi
	[ "$fail" -eq 0 ]
}

# Copy the *.c and *.h of one folder into another, writing only files
# whose content changed, and drop the sources that no longer exist in the
# origin. Copies get a new mtime (no cp -p): make must see any change in
# content as newer than the objects, whatever the origin's mtime.
sync_sources() {
	local from=$1 to=$2 f

	mkdir -p "$to"
	for f in "$from"/*.[ch]; do
		[ -e "$f" ] || continue
		sync_file "$f" "$to/${f##*/}"
	done
	for f in "$to"/*.[ch]; do
		[ -e "$f" ] || continue
		[ -e "$from/${f##*/}" ] || rm -f "$f"
	done
}

sync_file() {
	cmp -s "$1" "$2" || cp "$1" "$2"
}

unpack() {
	local t0 tmp top

	[ -e "$tree/.done" ] && return 0
	[ -r "$tarball" ] || { log "no $tarball (apt-get install linux-source-6.12)"; return 1; }
	t0=$(now)
	log "unpacking $tarball into $cache (once)"
	tmp=$cache/unpack.tmp
	rm -rf "$tree" "$tmp"
	mkdir -p "$tmp" || return 1
	tar -xJf "$tarball" -C "$tmp" || return 1
	top=$(ls "$tmp")
	[ "$(echo "$top" | wc -l)" -eq 1 ] || { log "unexpected tarball layout: $top"; return 1; }
	mv "$tmp/$top" "$tree" || return 1
	rmdir "$tmp"
	touch "$tree/.done"
	log "unpack took $(elapsed "$t0") s"
}

# Put our sources into the cached tree and hook them into drivers/net.
place_sources() {
	local dst=$tree/drivers/net/duonet_kunit
	local mark="# duonet KUnit suites (added by duonet kunit/run.sh)" d

	for d in $srcdirs; do
		sync_sources "$root/$d" "$dst/$d"
	done
	sync_sources "$here" "$dst/kunit"
	sync_file "$root/compat/compat.mk" "$dst/compat/compat.mk"
	sync_file "$root/sources.mk" "$dst/sources.mk"
	sync_file "$here/Kbuild.kunit" "$dst/Kbuild"
	sync_file "$here/Kconfig.kunit" "$dst/Kconfig"

	grep -qF "$mark" "$tree/drivers/net/Kconfig" ||
		printf '\n%s\nsource "drivers/net/duonet_kunit/Kconfig"\n' \
			"$mark" >>"$tree/drivers/net/Kconfig"
	# shellcheck disable=SC2016 # $(CONFIG_...) is make syntax, kept literal
	grep -qF "$mark" "$tree/drivers/net/Makefile" ||
		printf '\n%s\nobj-$(CONFIG_DUONET_KUNIT_TEST) += duonet_kunit/\n' \
			"$mark" >>"$tree/drivers/net/Makefile"
}

kunit_py() {
	(cd "$tree" && python3 tools/testing/kunit/kunit.py "$@")
}

build_kernel() {
	local t0 rc=0

	t0=$(now)
	log "building UML kernel in $build (jobs $jobs)"
	kunit_py build --arch=um --kunitconfig="$here/.kunitconfig" \
		--build_dir="$build" --jobs="$jobs" >"$cache/build.log" 2>&1 || rc=$?
	log "build took $(elapsed "$t0") s"
	if [ "$rc" -ne 0 ]; then
		log "build failed (rc $rc); errors, then the tail of $cache/build.log:"
		grep -E ": (fatal )?error:" "$cache/build.log" | sort -u |
			head -n 20 | sed 's/^/    /' || true
		tail -n 30 "$cache/build.log" | sed 's/^/    /'
		return 1
	fi
	# kunit.py prints make's stderr; ours must be free of warnings.
	if grep -E "duonet_kunit/.*(warning|error):" "$cache/build.log"; then
		log "compiler warnings in duonet sources (see $cache/build.log)"
		return 1
	fi
}

run_kernel() {
	local t0 rc=0

	t0=$(now)
	kunit_py exec --arch=um --kunitconfig="$here/.kunitconfig" \
		--build_dir="$build" --raw_output=all \
		>"$cache/test.log" 2>&1 || rc=$?
	log "boot and tests took $(elapsed "$t0") s"
	return "$rc"
}

# KTAP (as printed by the UML console) to "PASS|FAIL|SKIP kunit/suite/case".
# A suite that starts and never ends (a crash) gives "FAIL kunit/<suite>".
# The diagnostics of a failed case follow its line, indented.
parse_ktap() {
	python3 - "$1" <<'EOF'
import re, sys

lines = open(sys.argv[1], errors='replace').read().splitlines()
start = next((i for i, l in enumerate(lines) if 'KTAP version' in l), None)
if start is None:
    sys.exit(0)
prefix = len(lines[start].split('KTAP version')[0])
res = re.compile(r'^(not ok|ok) \d+ (\S+)(.*)$')
suite, diag, params, open_suites = None, [], [], []
planned, seen = {}, {}
for raw in lines[start:]:
    l = raw[prefix:] if len(raw) >= prefix else raw.lstrip()
    depth = (len(l) - len(l.lstrip(' '))) // 4
    body = l.strip()
    if depth == 1 and body.startswith('# Subtest:'):
        suite = body.split(':', 1)[1].strip()
        open_suites.append(suite)
        diag, params = [], []
        continue
    if depth == 1 and suite and re.match(r'^1\.\.\d+$', body):
        planned[suite] = int(body[3:])
        continue
    m = res.match(body)
    if m and depth == 0:
        name = m.group(2)
        if name in open_suites:
            open_suites.remove(name)
        continue
    if m and depth == 1 and suite:
        ok, case, rest = m.groups()
        if '# SKIP' in rest:
            st = 'SKIP'
        else:
            st = 'PASS' if ok == 'ok' else 'FAIL'
        print(f'{st} kunit/{suite}/{case}')
        seen[suite] = seen.get(suite, 0) + 1
        if st == 'FAIL':
            if params:
                print('    failed parameters: ' + ', '.join(params))
            for d in diag[:30]:
                print('    ' + d)
            if len(diag) > 30:
                print(f'    ... {len(diag) - 30} more lines in the log')
        diag, params = [], []
        continue
    if m and depth == 2 and suite:
        if m.group(1) == 'not ok':
            params.append(m.group(2))
        continue
    # kunit prints the first line of a failure indented, its message not
    if suite in open_suites and body and not m and \
            not body.startswith(('KTAP version', '1..', '# Subtest:',
                                 '# module:')):
        diag.append(body)
for s in open_suites:
    print(f'FAIL kunit/{s}')
    print(f'    suite {s} started but did not finish (crash?)')
for s, n in planned.items():
    if s not in open_suites and seen.get(s, 0) != n:
        print(f'FAIL kunit/{s}')
        print(f'    suite {s} planned {n} cases, {seen.get(s, 0)} reported '
              '(lines lost on the console?)')
EOF
}

# duonet_kunit.ko: the same sources built out of tree (M=) against the
# KUnit-enabled UML tree just built, with W=1; any warning fails it.
module_check() {
	local t0 rc=0 d

	t0=$(now)
	for d in $srcdirs; do
		sync_sources "$root/$d" "$moddir/$d"
	done
	sync_sources "$here" "$moddir/kunit"
	sync_file "$root/compat/compat.mk" "$moddir/compat/compat.mk"
	sync_file "$root/sources.mk" "$moddir/sources.mk"
	sync_file "$here/Kbuild.kunit" "$moddir/Kbuild"
	make -C "$tree" O="$build" ARCH=um M="$moddir" W=1 \
		-j"$jobs" modules >"$cache/module.log" 2>&1 || rc=$?
	log "module build took $(elapsed "$t0") s"
	if [ "$rc" -eq 0 ] && [ -e "$moddir/duonet_kunit.ko" ] &&
	   ! grep -qE "(warning|error):" "$cache/module.log"; then
		record "PASS kunit/module"
	else
		tail -n 30 "$cache/module.log" | sed 's/^/    /'
		record "FAIL kunit/module"
	fi
}

main() {
	local t0 line rc=0

	t0=$(now)
	mkdir -p "$cache"
	exec 9>"$cache/lock"
	flock 9

	if ! unpack; then
		record "FAIL kunit/build"
		finish
		return
	fi
	place_sources
	if ! build_kernel; then
		record "FAIL kunit/build"
		finish
		return
	fi
	run_kernel || rc=$?
	parse_ktap "$cache/test.log" >"$cache/results.txt"
	while IFS= read -r line; do
		case $line in
		" "*) echo "$line" ;;
		*) record "$line" ;;
		esac
	done <"$cache/results.txt"
	if [ "${#results[@]}" -eq 0 ]; then
		log "no KTAP results (kunit.py rc $rc), tail of $cache/test.log:"
		tail -n 40 "$cache/test.log" | sed 's/^/    /'
		record "FAIL kunit/boot"
	fi
	for line in $suites; do
		grep -q "^[A-Z]* kunit/$line\(/\|$\)" "$cache/results.txt" ||
			record "FAIL kunit/$line/missing"
	done
	[ "${DUONET_KUNIT_MODULE:-1}" = 0 ] || module_check
	log "total $(elapsed "$t0") s"
	finish
}

main "$@"
