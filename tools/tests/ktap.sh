#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# tools/ktap.py, the KTAP file make check writes (build/logs/check.ktap):
# a known set of results gives the expected text; the kernel's own KTAP
# parser (tools/testing/kunit/kunit.py parse, from the linux-source-6.12
# tree kunit/run.sh unpacks) reads it with the same counts; lines that are
# not cases are refused with a message.
#
# usage: ktap.sh   one "PASS|FAIL tools/ktap/CASE" line per case to
# $DUO_RESULTS (or stdout); exit status 1 if any failed.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
results=${DUO_RESULTS:-/dev/stdout}
parser=${DUONET_CACHE:-/var/cache/duonet}/kunit/linux-source-6.12/tools/testing/kunit/kunit.py
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

verdict() {
	if [ "$2" = 0 ]; then
		echo "PASS tools/ktap/$1" >> "$results"
	else
		echo "FAIL tools/ktap/$1" >> "$results"
		failed=1
	fi
}

cat > "$tmp/results" <<'EOF'
PASS build/6.1.0-57-amd64
PASS build/7.3-amd64
FAIL failover/7.3-amd64/link_flap (expected at most 10, got 11 (packets lost: link_down))
PASS failover/7.3-amd64/autopair
SKIP check/narrowed
PASS style/checkpatch
EOF
cat > "$tmp/expected" <<'EOF'
KTAP version 1
# duonet make check
1..4
  KTAP version 1
  # Subtest: build
  1..2
  ok 1 6.1.0-57-amd64
  ok 2 7.3-amd64
ok 1 build
  KTAP version 1
  # Subtest: failover
  1..2
  # 7.3-amd64/link_flap: expected at most 10, got 11 (packets lost: link_down)
  not ok 1 7.3-amd64/link_flap
  ok 2 7.3-amd64/autopair
not ok 2 failover
  KTAP version 1
  # Subtest: check
  1..1
  ok 1 narrowed # SKIP
ok 3 check # SKIP
  KTAP version 1
  # Subtest: style
  1..1
  ok 1 checkpatch
ok 4 style
EOF

# The text, byte for byte.
rc=0
python3 "$top/tools/ktap.py" "$tmp/results" "$tmp/out.ktap" &&
	cmp -s "$tmp/expected" "$tmp/out.ktap" || { rc=1; diff "$tmp/expected" "$tmp/out.ktap" >&2; }
verdict format "$rc"

# The kernel's parser: six cases, four passed, one failed, one skipped,
# and nothing it could not read.
rc=0
if [ ! -f "$parser" ]; then
	echo "no $parser (kunit/run.sh unpacks it; run 'make deps' and KUnit first)" >&2
	rc=1
else
	out=$(python3 "$parser" parse "$tmp/out.ktap" 2>&1)
	printf '%s\n' "$out" | grep -q 'Ran 6 tests: passed: 4, failed: 1, skipped: 1$' &&
		! printf '%s\n' "$out" | grep -qiE 'error|could not|missing|unexpected' ||
		{ rc=1; printf '%s\n' "$out" >&2; }
fi
verdict kunit_parser "$rc"

# Not a case: exit status 2 and the line named; no arguments: usage.
rc=0
printf 'PASS a b c\n' > "$tmp/bad"
out=$(python3 "$top/tools/ktap.py" "$tmp/bad" 2>&1)
[ $? = 2 ] && [[ $out == *"line 1 is not 'PASS|FAIL|SKIP NAME [(WHY)]'"* ]] || rc=1
out=$(python3 "$top/tools/ktap.py" 2>&1)
[ $? = 2 ] && [[ $out == "usage: ktap.py RESULTS [OUT]" ]] || rc=1
verdict refuses "$rc"

exit "$failed"
