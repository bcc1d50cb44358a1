#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make check's results as KTAP (Documentation/dev-tools/ktap.rst).

usage: ktap.py RESULTS [OUT]

RESULTS holds one "PASS|FAIL|SKIP NAME" line per case, as tools/check.sh
collects them, a reason in brackets after NAME kept as a diagnostic line. The cases are grouped into one subtest per suite, the
part of NAME before its first "/" (build, kunit, failover, ...), each
holding its cases in the order they ran, named by the rest of NAME; a
suite fails if one of its cases failed, and is skipped if all were.
Writes to OUT (default: standard output). Exit status 2 on a usage error
or a line that is not a case.
"""
import sys

USAGE = "usage: ktap.py RESULTS [OUT]"


def parse(lines):
    """[(suite, [(verdict, case, why)])] in first-seen order; raises ValueError."""
    suites = {}
    for n, line in enumerate(lines, 1):
        line = line.rstrip("\n")
        if not line:
            continue
        parts = line.split(" ", 2)
        why = parts[2] if len(parts) == 3 else ""
        if (len(parts) < 2 or parts[0] not in ("PASS", "FAIL", "SKIP") or not parts[1]
                or (why and not (why.startswith("(") and why.endswith(")")))):
            raise ValueError(f"line {n} is not 'PASS|FAIL|SKIP NAME [(WHY)]': {line!r}")
        verdict, name = parts[:2]
        # KTAP reads '#' as the start of a directive.
        if "#" in name:
            raise ValueError(f"line {n}: '#' in a case name: {name!r}")
        suite, _, case = name.partition("/")
        suites.setdefault(suite, []).append((verdict, case or suite, why[1:-1]))
    return list(suites.items())


def result(verdict, number, name):
    if verdict == "FAIL":
        return f"not ok {number} {name}"
    if verdict == "SKIP":
        return f"ok {number} {name} # SKIP"
    return f"ok {number} {name}"


def ktap(suites):
    out = ["KTAP version 1", "# duonet make check", f"1..{len(suites)}"]
    for i, (suite, cases) in enumerate(suites, 1):
        out += ["  KTAP version 1", f"  # Subtest: {suite}", f"  1..{len(cases)}"]
        for j, (v, c, why) in enumerate(cases, 1):
            # A failure's reason as a diagnostic line before its result.
            if why:
                out.append(f"  # {c}: {why}")
            out.append("  " + result(v, j, c))
        verdicts = {v for v, _, _ in cases}
        if "FAIL" in verdicts:
            overall = "FAIL"
        elif verdicts == {"SKIP"}:
            overall = "SKIP"
        else:
            overall = "PASS"
        out.append(result(overall, i, suite))
    return "\n".join(out) + "\n"


def main(argv):
    if len(argv) not in (2, 3) or argv[1] in ("-h", "--help"):
        print(USAGE, file=sys.stderr)
        return 2
    try:
        with open(argv[1]) as f:
            suites = parse(f)
    except (OSError, ValueError) as e:
        print(f"ktap.py: {e}", file=sys.stderr)
        return 2
    text = ktap(suites)
    if len(argv) == 3:
        with open(argv[2], "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
