#!/usr/bin/env bash
# make check: every test suite of duonet, one tally at the end.
#
#   build    duonet.ko for each kernel of the matrix (tools/kernels.sh: the
#            newest 6.1, bookworm's and trixie's 6.12, sid's and
#            experimental's 7.x), each with its own compiler (trixie's and
#            sid's in chroots), with W=1: must build with zero warnings
#   style    checkpatch.pl --strict on the kernel sources; the folders'
#            includes one way down (sources.mk's order)
#   kunit    the KUnit suites on UML (kunit/run.sh)
#   tools    the lab's host tools build; Python parses
#   packaging make deb, the packages' contents, lintian, man pages, udev
#            rule, DKMS builds (tools/tests/packaging.sh)
#   selftest the lab's loss meter and log check, on the host
#   inguest  the in-guest tests (tools/vm/inguest/: pairing, failover on
#            link, pv-only, settings, refusals, release, XDP on veth lowers)
#            in one boot per kernel of the matrix
#   lab      every tools/vm/scenarios/*.sh in a QEMU guest on the newest
#            kernel of the matrix, those that differ by kernel version on
#            the oldest (see "newest_only" below); the core ones also on the
#            debug kernel (tools/vm/debug-kernel.sh: KASAN, kmemleak,
#            lockdep; DUO_DEBUG_KERNEL=0 leaves it out)
#   image    a Debian guest built with debootstrap and the packages, booted
#            with networkd, with NetworkManager, and with cloud-init (a
#            NoCloud seed) rendering for networkd (tools/image/test.sh); a
#            trixie and a sid guest with networkd, DKMS building for their
#            own 6.12 and 7.x kernels
#   libvirt  duonet-migrate-host's libvirt mode against two private libvirtd
#            from Debian, the lab guest as a TCG domain: a VF replug and a
#            migration between the daemons (tools/libvirt/test.sh, ~40 s)
#   bench    a smoke of the CPU, instruction-count and scale benchmarks
#   ktap     tools/ktap.py, which writes the results as KTAP at the end
#            (build/logs/check.ktap), read back by the kernel's parser
#
# Ends with "N passed, N failed[, N skipped]"; exits non-zero on any failure.
# Something missing (headers, a guest kernel, QEMU) is a failure: run
# 'make deps'. DUO_ALLOW_SKIP=1 turns those into skips for local runs;
# a skip is never counted as a pass. DUO_SCENARIOS="smoke ..." and
# DUO_KERNELS="6.12..." narrow the run (DUO_DEBUG_KERNEL=0 leaves the debug
# kernel out); a narrowed run records the skip check/narrowed.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
cache=${DUONET_CACHE:-/var/cache/duonet}
results=$(mktemp /tmp/duocheck.XXXXXX)
trap 'rm -f "$results"' EXIT
export DUO_RESULTS=$results
export DUO_LOGDIR=$top/build/logs
t_start=$SECONDS

record() {
	echo "$1 $2" >> "$results"
	printf '%s %s%s\n' "$1" "$2" "${3:+ ($3)}"
}
missing() {
	if [ "${DUO_ALLOW_SKIP:-0}" = 1 ]; then record SKIP "$1" "$2"; else record FAIL "$1" "$2; run 'make deps'"; fi
}

# run_suite NAME COMMAND...: a suite that records its own cases; it fails
# as NAME if it aborted without recording a failure, or recorded nothing.
run_suite() {
	local name=$1 before after rc t0=$SECONDS
	shift
	before=$(grep -c . "$results")
	"$@"
	rc=$?
	after=$(grep -c . "$results")
	# Where the time goes (the suite's budget: docs/testing.md, Times).
	echo "== $name took $((SECONDS - t0)) s"
	if [ "$rc" != 0 ] && ! tail -n $((after - before)) "$results" | grep -q '^FAIL'; then
		record FAIL "$name" "aborted with status $rc"
	elif [ "$after" = "$before" ]; then
		record FAIL "$name" "ran no case"
	fi
}

# The kernel matrix (tools/kernels.sh, resolved by make deps): the newest
# 6.1 and 6.12 of bookworm, trixie's 6.12, sid's and experimental's 7.x.
matrix=$(tools/kernels.sh list 2>/dev/null) || { missing build/matrix "no kernel matrix"; matrix=""; }
kernels=${DUO_KERNELS:-$(printf '%s\n' "$matrix" | awk 'NF { print $2 }')}
# Every kernel of the matrix must be there, unless the run was narrowed.
if [ -z "${DUO_KERNELS:-}" ]; then
	# (7-exp only while experimental is ahead of sid: kernels.sh says.)
	for name in 6.1 6.12-deb12 6.12-deb13 7-sid; do
		printf '%s\n' "$matrix" | awk -v n="$name" '$1 == n { f = 1 } END { exit !f }' ||
			missing "build/$name" "no $name kernel in the matrix"
	done
fi
# The oldest and the newest run every scenario; the others the in-guest
# ones (below).
oldest=$(printf '%s\n' "$matrix" | awk '$1 == "6.1" { print $2 }')
newest=$(printf '%s\n' "$matrix" | awk 'NF { print $2 }' | sort -V | tail -n 1)

# A narrowed run is not the whole check: it says so as a skip (so it
# ends "0 failed" only with DUO_ALLOW_SKIP=1).
narrowed=""
[ -z "${DUO_KERNELS:-}" ] || narrowed="$narrowed DUO_KERNELS=$DUO_KERNELS"
[ -z "${DUO_SCENARIOS:-}" ] || narrowed="$narrowed DUO_SCENARIOS=$DUO_SCENARIOS"
[ "${DUO_DEBUG_KERNEL:-1}" = 1 ] || narrowed="$narrowed DUO_DEBUG_KERNEL=${DUO_DEBUG_KERNEL}"
[ -z "$narrowed" ] || record SKIP check/narrowed "${narrowed# }: the rest left out"

# The debug kernel (KASAN, kmemleak, lockdep): built once into the cache, rebuilt when its
# config changes; the core scenarios run on it too.
debug_krel=""
if [ "${DUO_DEBUG_KERNEL:-1}" = 1 ] && [ -z "${DUO_KERNELS:-}" ]; then
	mkdir -p build/logs
	if debug_krel=$(tools/vm/debug-kernel.sh 2> build/logs/debug-kernel.log); then
		record PASS "debugkernel/build" "$debug_krel"
		kernels="$kernels $debug_krel"
	else
		record FAIL "debugkernel/build" "see build/logs/debug-kernel.log"
		tail -n 20 build/logs/debug-kernel.log
		debug_krel=""
	fi
fi
# Each kernel built where its compiler is: the host, or its suite's chroot.
build_for() {
	if [ "$1" = "$debug_krel" ]; then
		# Built from sid's source with sid's compiler: built there too.
		tools/kernels.sh run sid make -s -C "$top" modules \
			KDIR="$(tools/vm/debug-kernel.sh --print-dir)" W=1
	else
		tools/kernels.sh make "$1" -s modules W=1
	fi
}

# Build: one case per kernel, zero warnings with W=1.
built=""
for k in $kernels; do
	log=$top/build/logs/build-$k.log
	mkdir -p "$(dirname "$log")"
	if build_for "$k" > "$log" 2>&1; then
		n=$(grep -c 'warning:' "$log")
		if [ "$n" = 0 ]; then
			record PASS "build/$k"
			built="$built $k"
		else
			record FAIL "build/$k" "$n warnings, see $log"
			grep 'warning:' "$log" | head -n 5
		fi
	else
		record FAIL "build/$k" "see $log"
		tail -n 20 "$log"
	fi
done

# Style: checkpatch --strict over the kernel-side C. Tracepoint headers are
# written in the TRACE_EVENT macro language, whose usual layout checkpatch
# flags (as it does for the kernel's own include/trace/events/): for those,
# only the checks that language makes meaningless are ignored.
cp=$cache/checkpatch/checkpatch.pl
# An iterator macro reuses its cursor by nature, as the kernel's
# list_for_each_entry() does: MACRO_ARG_REUSE on the #define of a
# *for_each* macro is not a finding; every other line passes through.
iterators_reuse() {
	local line f n
	while IFS= read -r line; do
		case $line in
		*": CHECK:MACRO_ARG_REUSE:"*)
			f=${line%%:*} n=${line#*:} n=${n%%:*}
			sed -n "${n}p" "$f" | grep -qE '^#define [a-z_]*for_each[a-z_]*\(' && continue ;;
		esac
		printf '%s\n' "$line"
	done
}
# checkpatch ARGS...: its findings but an iterator's reuse; fails only if
# checkpatch could not run (its exit status 1 means "found something").
checkpatch() {
	local out rc=0
	out=$(perl "$cp" --no-tree --strict --terse --show-types "$@" 2>&1) || rc=$?
	printf '%s\n' "$out" | iterators_reuse
	[ "$rc" -le 1 ]
}
trace_ignore=COMPLEX_MACRO,OPEN_ENDED_LINE,PARENTHESIS_ALIGNMENT,EMBEDDED_FILENAME
if [ -f "$cp" ]; then
	dirs=$(sed -n 's/^duo_srcdirs := //p' sources.mk | tr ' ' '|')
	src=$(git ls-files '*.[ch]' | grep -E "^($dirs|kunit)/" || true)
	trace=$(printf '%s\n' $src | grep -E '/trace\.h$' || true)
	src=$(printf '%s\n' $src | grep -vE '/trace\.h$' || true)
	if [ -z "$src" ]; then
		record FAIL style/checkpatch "no kernel sources found"
	elif out=$(checkpatch -f $src && { [ -z "$trace" ] ||
		checkpatch --ignore "$trace_ignore" -f $trace; }) &&
		! printf '%s\n' "$out" | grep -qE ': (ERROR|WARNING|CHECK):'; then
		record PASS style/checkpatch
	else
		record FAIL style/checkpatch
		printf '%s\n' "$out" | grep -E ': (ERROR|WARNING|CHECK):' | head -n 20
	fi
else
	missing style/checkpatch "no $cp"
fi

# Layers: a folder of sources.mk includes only the headers of itself and
# of the folders listed before it (docs/DESIGN.md, "Architecture").
below="" bad=""
for d in $(sed -n 's/^duo_srcdirs := //p' sources.mk); do
	below="$below $d"
	for f in $(git ls-files "$d/*.[ch]"); do
		for inc in $(sed -n 's|^#include "\([^/"]*\)/.*|\1|p' "$f"); do
			case " $below " in *" $inc "*) ;; *) bad="$bad $f:$inc/" ;; esac
		done
	done
done
if [ -z "$below" ]; then
	record FAIL style/layers "no duo_srcdirs in sources.mk"
elif [ -n "$bad" ]; then
	record FAIL style/layers "includes from a folder above:$bad"
else
	record PASS style/layers
fi

# Host tools.
if make -s -C "$top" tools > "$top/build/logs/tools.log" 2>&1; then
	record PASS tools/build
else
	record FAIL tools/build "see build/logs/tools.log"
fi
# The tools' usage errors and --help (kernel refusals are lab cases).
before=$(grep -c . "$results")
tools/tests/args.sh
rc=$?
if [ "$rc" != 0 ] && [ "$(grep -c . "$results")" = "$before" ]; then
	record FAIL tools/args "aborted with status $rc"
fi
# The lab's Python tools compile (a precondition of the lab, not a case:
# their behaviour is tested by the scenarios that run them).
python3 -m py_compile tools/vm/*.py tools/migrate/duonet-guest-exec 2>&1 || record FAIL tools/python "does not compile"
# The Debian packages and the DKMS source (tools/tests/packaging.sh
# records its cases itself); the image test below boots what it built.
packaging() {
	local rc=0
	tools/tests/packaging.sh > "$top/build/logs/packaging.log" 2>&1 || rc=$?
	grep -E '^(FAIL|SKIP) ' "$top/build/logs/packaging.log"
	return "$rc"
}
run_suite packaging packaging

# KUnit on UML: the failover state machine (kunit/run.sh records its cases).
if [ -f /usr/src/linux-source-6.12.tar.xz ]; then
	before=$(grep -c . "$results")
	# run.sh appends its PASS/FAIL lines to $DUO_RESULTS itself.
	kunit/run.sh > "$top/build/logs/kunit.log" 2>&1
	rc=$?
	grep -E '^(FAIL|SKIP) ' "$top/build/logs/kunit.log"
	if [ "$rc" != 0 ] && ! tail -n +$((before + 1)) "$results" | grep -q '^FAIL'; then
		record FAIL kunit "kunit/run.sh failed ($rc), see build/logs/kunit.log"
	fi
else
	missing kunit "no linux-source-6.12"
fi

# The KTAP file's writer (tools/ktap.py), read back by the kernel's KTAP
# parser from the tree KUnit unpacked (above).
run_suite tools/ktap bash tools/tests/ktap.sh

# The lab's own instruments (loss meter, log check), host only.
before=$(grep -c . "$results")
bash tools/vm/selftest.sh
rc=$?
if [ "$rc" != 0 ] && [ "$(grep -c . "$results")" = "$before" ]; then
	record FAIL lab/selftest "aborted with status $rc"
fi

# Lab scenarios, per kernel that built and has a guest kernel: every
# scenario on the newest (experimental's 7.x), those that differ by kernel
# version on the oldest (6.1, below), the
# in-guest tests on every kernel; the debug kernel (sid's source, KASAN,
# lockdep) runs them and the scenarios with hot-plug, migration, XDP and
# races: failover, xdp, stress, and debug-*.sh (its fault injection, only
# there). Its in-guest tests cover pairing, settings, refusals, release
# and tuning through an ops-locked lower; pairing.sh, tuning.sh and
# flood.sh there (about 6 min more, 2026-12-06) were left to the stock
# kernels for CI's 90 minutes.
scenarios=${DUO_SCENARIOS:-$(cd tools/vm/scenarios && ls -- *.sh | sed 's/\.sh$//' | grep -v '^debug-')}
newest_only="adaptive|flood|scripts|settings|smoke|steering|trace"
debug_scenarios="failover xdp stress $(cd tools/vm/scenarios && ls -- debug-*.sh 2>/dev/null | sed 's/\.sh$//' | paste -sd ' ')"
if ! command -v qemu-system-x86_64 >/dev/null; then
	missing lab "qemu-system-x86_64 not installed"
else
	for k in $built; do
		if [ ! -f "$cache/kernels/$k/boot/vmlinuz-$k" ]; then
			missing "lab/$k" "no guest kernel $k in $cache/kernels"
			continue
		fi
		list=$scenarios
		if [ "$k" = "$debug_krel" ]; then
			# The core scenarios; the kernel's checks need more memory.
			list=${DUO_DEBUG_SCENARIOS:-$debug_scenarios}
			[ -z "${DUO_SCENARIOS:-}" ] || list=$scenarios
		elif [ "$k" != "$oldest" ] && [ "$k" != "$newest" ] && [ -z "${DUO_KERNELS:-}" ]; then
			# Between the oldest and the newest: the in-guest tests only.
			list=""
		elif [ "$k" = "$oldest" ] && [ "$k" != "$newest" ] && [ -z "${DUO_SCENARIOS:-}" ]; then
			# The oldest runs what differs by kernel version: the
			# calls compat/compat.h bridges (pairing and link creation,
			# tuning, XDP, netns, MAC, ops locking) and the lower
			# drivers and net_failover of that kernel (failover*,
			# standby, stress, variants, offloads, hostile). Left to
			# the newest: smoke.sh (the lab's own check) and duonet's
			# policies over the same calls (adaptive, flood, scripts,
			# settings, steering, trace), about 5 min; the in-guest
			# tests still run on every kernel. reach runs on both: its
			# probes are built with each kernel's ARP and ND calls.
			list=$(printf '%s\n' $list | grep -vxE "$newest_only")
		fi
		# The debug kernel's checks need more memory.
		mem=$([ "$k" = "$debug_krel" ] && echo 1024 || echo "${LAB_MEM:-512}")
		# The in-guest tests (no hypervisor action), on every kernel, in
		# one boot each; the debug kernel adds an ops-locked VF (netdevsim).
		if [ -z "${DUO_SCENARIOS:-}" ]; then
			echo "== in-guest tests on $k"
			LAB_MEM=$mem run_suite "inguest/$k" bash tools/vm/inguest/run.sh "$k"
		fi
		for s in $list; do
			echo "== scenario $s on $k"
			LAB_MEM=$mem run_suite "$s/$k" bash "tools/vm/scenarios/$s.sh" "$k"
		done
	done
fi

# A real Debian guest (tools/image/): debootstrap, the packages make deb
# built (packaging above) installed with apt, DHCP from the peer side;
# once each with systemd-networkd, NetworkManager, and cloud-init.
if [ -z "${DUO_SCENARIOS:-}" ] && command -v qemu-system-x86_64 >/dev/null; then
	if ! ls build/deb/duonet-dkms_*.deb build/deb/duonet-tools_*.deb build/deb/duonet-host_*.deb > /dev/null 2>&1; then
		record FAIL image "no packages in build/deb (see packaging above)"
	else
		for m in networkd nm cloud-init; do
			echo "== image test with $m"
			run_suite "image-$m" bash tools/image/test.sh --debs build/deb --manager "$m"
		done
		# The user's path on Debian 13 and on sid: the suite's own kernel,
		# duonet-dkms building for it at install, a lease on duo0.
		for suite in trixie sid; do
			echo "== image test on $suite with networkd"
			run_suite "image-$suite" bash tools/image/test.sh --debs build/deb --suite "$suite"
		done
	fi
fi

# duonet-migrate-host driving libvirt (virsh detach-device, migrate,
# attach-device) as operators do, against Debian's libvirtd: one kernel,
# the newest built; about 40 s (two daemons, one boot, one migration).
# A libvirtd that does not start fails its cases (no skip).
if [ -z "${DUO_SCENARIOS:-}" ] && command -v qemu-system-x86_64 >/dev/null; then
	k=$(for k in $built; do echo "$k"; done | grep -v duodebug | sort -V | tail -n 1)
	echo "== libvirt on ${k:-no kernel}"
	if [ -z "$k" ]; then
		record FAIL libvirt "no kernel built"
	else
		run_suite "libvirt/$k" bash tools/libvirt/test.sh "$k"
	fi
fi

# The benchmarks' code, briefly (make bench runs them in full): the CPU
# benchmark on two configurations, one rate, one repetition; each row a
# measured cost from probes answered. Then the instruction-count
# benchmark, twice over, and the scale benchmark on two pairs.
if [ -z "${DUO_SCENARIOS:-}" ] && command -v qemu-system-x86_64 >/dev/null; then
	k=$(for k in $built; do echo "$k"; done | grep -v duodebug | sort -V | tail -n 1)
	bdir=$(mktemp -d /tmp/duobench.XXXXXX)
	echo "== bench smoke on ${k:-no kernel}"
	if [ -n "$k" ] && bash tools/bench/cpu.sh --kernel "$k" --reps 1 --rates 500 --seconds 2 \
		--configs "direct_vf duonet_vf" --out "$bdir" &&
		python3 - "$bdir/cpu-raw.csv" "$bdir/cpu.csv" <<'PY'
import csv, sys
raw = list(csv.DictReader(open(sys.argv[1])))
med = list(csv.DictReader(open(sys.argv[2])))
assert len(raw) == 4, raw
assert all(int(r["answered"]) > 900 for r in raw if r["rate_pps"] == "500"), raw
assert [r["config"] for r in med] == ["direct_vf", "duonet_vf"], med
assert all(float(r["usec_per_packet"]) > 0 for r in med), med
# The ratio is duonet_vf's cost over direct_vf's, both measured here.
ratio = float(med[1]["usec_per_packet"]) / float(med[0]["usec_per_packet"])
assert abs(float(med[1]["ratio_to_direct_vf"]) - ratio) < 0.002, (ratio, med)
PY
	then
		record PASS bench/smoke
	else
		record FAIL bench/smoke "see the output above"
	fi
	# The instruction-count benchmark, two repetitions of the VF alone and
	# duo0 over it: every figure a count, the TX counts of the two
	# repetitions (each the least of three runs, without e1000e's
	# watchdog: icount.sh's tx()) the same to 1% (20000 frames: a run's own start costs
	# some 100000 instructions more or less, 0.9% of 5000 frames' count
	# and 0.2% of 20000's; the guest's clock counts instructions:
	# with it following the host's clock instead they differ by a tenth
	# and more), and duo0 costing more than its lower alone (a frame
	# through it passes the core's transmit path twice).
	if [ -n "$k" ] && bash tools/bench/icount.sh --kernel "$k" --reps 2 --frames 20000 \
		--rx-rate 1000 --seconds 1 --configs "direct_vf duonet_vf" --out "$bdir" &&
		python3 - "$bdir/icount-raw.csv" <<'PY'
import csv, sys
raw = list(csv.DictReader(open(sys.argv[1])))
assert len(raw) == 8, raw
per = {}
for r in raw:
    assert int(r["frames"]) > 0 and int(r["instructions"]) > 0, r
    per.setdefault((r["config"], r["dir"]), []).append(int(r["instructions"]) / int(r["frames"]))
# A spinner turn's price is its loop's 4 instructions and the background
# (measured 4.0044-4.0055 in 1-second windows); 3.99 below for the noise
# of a window's fixed cost; with the clock following the host's instead
# it is whatever a turn takes in nanoseconds (2.38 when tried).
assert all(3.99 < float(r["clock_per_spin_turn"]) < 4.1 for r in raw if r["dir"] == "rx"), raw
for c in ("direct_vf", "duonet_vf"):
    a, b = per[(c, "tx")]
    assert abs(a - b) / min(a, b) < 0.01, (c, "tx repetitions differ", a, b)
    assert all(500 < x < 100000 for x in per[(c, "rx")] + per[(c, "tx")]), (c, per)
assert min(per[("duonet_vf", "tx")]) > max(per[("direct_vf", "tx")]), per
PY
	then
		record PASS bench/icount_smoke
	else
		record FAIL bench/icount_smoke "see the output above"
	fi
	# The scale benchmark on two pairs: both paired, timed, the traffic
	# of both answered.
	if [ -n "$k" ] && bash tools/bench/scale.sh --kernel "$k" --reps 1 --pairs 2 --rate 500 \
		--seconds 2 --out "$bdir" &&
		python3 - "$bdir/scale-raw.csv" "$bdir/scale.csv" <<'PY'
import csv, sys
raw = list(csv.DictReader(open(sys.argv[1])))
med = list(csv.DictReader(open(sys.argv[2])))
assert len(raw) == 1 and raw[0]["pairs"] == "2", raw
r = raw[0]
assert int(r["load_us"]) > 0 and int(r["vf_join_us"]) > 0, r
assert int(r["sent"]) == 1000 and int(r["answered"]) > 900, r
assert float(med[0]["usec_per_packet"]) > 0, med
PY
	then
		record PASS bench/scale_smoke
	else
		record FAIL bench/scale_smoke "see the output above"
	fi
	rm -rf "$bdir"
fi

# A case that skipped itself (a KUnit kunit_skip, a tool the host lacks)
# fails unless skips were allowed: CI never skips.
if [ "${DUO_ALLOW_SKIP:-0}" != 1 ]; then
	grep '^SKIP' "$results" | while read -r _ name _; do
		record FAIL "$name" "skipped without DUO_ALLOW_SKIP=1"
	done
	sed -i '/^SKIP /d' "$results"
fi
# The results as KTAP, one subtest per suite, for CI systems that read it.
python3 tools/ktap.py "$results" "$top/build/logs/check.ktap" ||
	record FAIL check/ktap "tools/ktap.py could not write build/logs/check.ktap"
pass=$(grep -c '^PASS' "$results")
fail=$(grep -c '^FAIL' "$results")
skip=$(grep -c '^SKIP' "$results")
echo
grep -E '^(FAIL|SKIP)' "$results" | sed 's/^/  /'
echo "check took $((SECONDS - t_start)) s; guest logs in build/logs/, the results as KTAP in build/logs/check.ktap"
if [ "$skip" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" = 0 ]
