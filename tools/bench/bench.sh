#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make bench: every benchmark, then the results into the repository:
# tools/bench/results/ (CSV, tables, plot) and docs/benchmarks.md's
# latest run (between its bench markers), each stamped with the date, the
# kernel and QEMU. Not part of make check (its smoke run is).
#
# usage: bench.sh [--kernel KREL] [--quick | --report-only]
#   --quick        1 repetition, fewer rates and events (minutes, not an hour)
#   --report-only  run nothing: write build/bench's results again
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$(dirname "$0")/lib.sh"
krel=$(bench_newest_kernel)
quick=0 report=0
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) [ $# -ge 2 ] || bench_usage "$0"; krel=$2; shift ;;
	--quick) quick=1 ;;
	--report-only) report=1 ;;
	*) bench_usage "$0" ;;
	esac
	shift
done
out=$top/build/bench
res=$top/tools/bench/results
t0=$SECONDS
[ "$report" = 1 ] || { rm -rf "$out" && mkdir -p "$out"; }
if [ "$report" = 1 ]; then
	[ -f "$out/STAMP" ] || { echo "bench.sh: no results of a run in $out" >&2; exit 1; }
elif [ "$quick" = 1 ]; then
	bash "$top/tools/bench/cpu.sh" --kernel "$krel" --reps 1 --rates "1000 4000" --out "$out"
	bash "$top/tools/bench/icount.sh" --kernel "$krel" --reps 1 --out "$out"
	bash "$top/tools/bench/peak.sh" --kernel "$krel" --reps 1 --out "$out"
	bash "$top/tools/bench/failover.sh" --kernel "$krel" --reps 1 --out "$out"
	bash "$top/tools/bench/scale.sh" --kernel "$krel" --reps 1 --pairs "1 4" --seconds 3 --out "$out"
else
	bash "$top/tools/bench/cpu.sh" --kernel "$krel" --out "$out"
	bash "$top/tools/bench/icount.sh" --kernel "$krel" --out "$out"
	bash "$top/tools/bench/peak.sh" --kernel "$krel" --out "$out"
	bash "$top/tools/bench/failover.sh" --kernel "$krel" --out "$out"
	bash "$top/tools/bench/scale.sh" --kernel "$krel" --out "$out"
fi
mkdir -p "$res"
if [ "$report" = 0 ]; then
	stamp="$(date -u +%Y-%m-%d), kernel $krel, QEMU $(qemu-system-x86_64 --version | sed -n '1s/.*version \([^ ]*\).*/\1/p') (TCG), $((SECONDS - t0)) s"
	[ "$quick" = 0 ] || stamp="$stamp, --quick"
	echo "$stamp" > "$out/STAMP"
fi
stamp=$(cat "$out/STAMP")
cp "$out"/*.csv "$out"/*.md "$res/"
[ ! -f "$out/cpu.png" ] || cp "$out/cpu.png" "$res/"
echo "$stamp" > "$res/STAMP"

# docs/benchmarks.md: the section between the markers, rewritten.
{
	echo "Latest \`make bench\` ($stamp; tools/bench/results/):"
	echo
	cat "$out/cpu.md"
	echo
	[ ! -f "$out/cpu.png" ] || { echo "![guest CPU per packet](../tools/bench/results/cpu.png)"; echo; }
	cat "$out/icount.md"
	echo
	cat "$out/peak.md"
	echo
	cat "$out/failover.md"
	echo
	cat "$out/scale.md"
} > "$out/readme-section.txt"
python3 - "$top/docs/benchmarks.md" "$out/readme-section.txt" <<'PY'
import sys
readme, section = sys.argv[1], open(sys.argv[2]).read()
s = open(readme).read()
b, e = "<!-- bench:begin -->", "<!-- bench:end -->"
if b not in s or e not in s:
    sys.exit("docs/benchmarks.md has no bench markers")
s = s[:s.index(b) + len(b)] + "\n" + section + s[s.index(e):]
open(readme, "w").write(s)
PY
echo "bench: results in $res, docs/benchmarks.md updated ($stamp)"
