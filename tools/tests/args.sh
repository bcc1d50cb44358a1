#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The user tools' argument handling, on the host (no duonet device needed):
# every usage error exits 2 with its message, --help prints the manual, a
# name that is not a duonet upper exits 1. duoctl, duotrace, steer, xdpfilter, nlfuzz, gexec,
# duonet-migrate (guest side) and duonet-migrate-host. Refusals by the kernel are tested in the
# guest (tools/vm/scenarios/settings.sh, pairing.sh).
#
# usage: args.sh   one "PASS|FAIL tools/args/PROG/CASE" line per case to
# $DUO_RESULTS (or stdout); exit status 1 if any failed.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
results=${DUO_RESULTS:-/dev/stdout}
failed=0

# check NAME RC TEXT ARGS...: $prog ARGS exits RC and prints TEXT.
check() {
	local name=$1 rc=$2 text=$3 out got
	shift 3
	out=$("$prog" "$@" 2>&1)
	got=$?
	if [ "$got" = "$rc" ] && [[ $out == *"$text"* ]]; then
		echo "PASS tools/args/$(basename "$prog")/$name" >> "$results"
	else
		echo "FAIL tools/args/$(basename "$prog")/$name" >> "$results"
		echo "$(basename "$prog") $*: status $got (want $rc), output:" >&2
		printf '%s\n' "$out" | head -n 5 >&2
		failed=1
	fi
}

prog=$top/build/tools/duoctl
[ -x "$prog" ] || { echo "FAIL tools/args/duoctl/built" >> "$results"; exit 1; }

check no_args 2 "usage: duoctl show"
check unknown_command 2 "unknown command 'frob'" frob
check help 0 "EXIT STATUS" --help
check help_keys 0 "failback-delay-ms" -h
check show_bad_option 2 "usage:" show --yaml
check show_two_devs 2 "usage:" show a b
check show_not_duonet 1 "lo is not a duonet device" show lo
check set_few 2 "usage:" set duo0 announce-count
check set_many 2 "usage:" set duo0 announce-count 1 2
check set_unknown_key 2 "unknown key 'colour'" set duo0 colour 1
check set_not_number 2 "'x' is not a number from 0" set duo0 announce-count x
check set_negative 2 "'-1' is not a number from 0" set duo0 announce-count -1
check set_too_big 2 "'4294967296' is not a number" set duo0 announce-count 4294967296
check set_empty 2 "'' is not a number" set duo0 announce-count ""
check set_not_duonet 1 "lo is not a duonet device" set lo announce-count 1
check set_lower_not_duonet 1 "lo is not a duonet device" set lo vf none
check set_pairs_odd 2 "usage:" set duo0 announce-count 1 announce-interval-ms
check set_second_key_unknown 2 "unknown key 'colour'" set duo0 announce-count 1 colour 2
check set_second_not_number 2 "'x' is not a number from 0" set duo0 announce-count 1 damp-flaps x
check set_bad_target 2 "'1.2.3' is not a list of IPv4 and IPv6" set duo0 reach-targets 1.2.3
check set_no_lower 1 "no interface nosuchdev" set duo0 vf nosuchdev
check set_flag_not_on_off 2 "pv-only is on or off, not 'yes'" set duo0 pv-only yes
check set_key_twice 2 "key 'announce-count' given twice" set duo0 announce-count 1 damp-flaps 2 announce-count 3
check add_key_twice 2 "key 'reach-targets' given twice" add duo7 reach-targets 10.0.0.1 reach-targets 10.0.0.2
check add_few 2 "usage:" add
check get_few 2 "usage:" get duo0
check get_many 2 "usage:" get duo0 vf pv
check get_unknown_field 2 "unknown field 'colour'" get duo0 colour
check get_nested_field 2 "unknown field 'lowers'" get duo0 lowers
check get_not_duonet 1 "lo is not a duonet device" get lo active_path
check get_setting_not_duonet 1 "lo is not a duonet device" get lo announce_count
check set_underscore_key_not_duonet 1 "lo is not a duonet device" set lo announce_count 1
check set_key_twice_spellings 2 "given twice" set duo0 announce-count 1 announce_count 2
check add_long_name 2 "is not an interface name (1 to 15" add abcdefghijklmnop
check add_empty_name 2 "is not an interface name" add ""
check add_pairs_odd 2 "usage:" add duo7 announce-count
check add_unknown_key 2 "unknown key 'colour'" add duo7 colour 1
check add_not_number 2 "'-3' is not a number from 0" add duo7 announce-count -3
check pair_few 2 "usage:" pair duo0
check pair_bad_role 2 "role 'gpu' is not vf or pv" pair duo0 eth0 --role gpu
check pair_role_missing 2 "usage:" pair duo0 eth0 --role
check pair_not_duonet 1 "lo is not a duonet device" pair lo lo
check unpair_few 2 "usage:" unpair duo0
check unpair_not_duonet 1 "lo is not a duonet device" unpair lo lo
check wait_no_path 2 "wait needs --path vf or --path pv" wait duo0 --timeout 1
check wait_extra 2 "usage:" wait duo0 --path vf extra
check wait_bad_path 2 "wait needs --path vf or --path pv" wait duo0 --path gpu
check wait_bad_timeout 2 "'soon' is not a number of seconds" wait duo0 --path vf --timeout soon
check wait_negative_timeout 2 "is not a number of seconds" wait duo0 --path vf --timeout -1
check wait_not_duonet 1 "lo is not a duonet device" wait lo --path vf --timeout 0
check monitor_bad_option 2 "usage:" monitor --yaml
check monitor_two_devs 2 "usage:" monitor a b
check monitor_not_duonet 1 "lo is not a duonet device" monitor lo

prog=$top/build/tools/duotrace
check bad_option 2 "usage: duotrace" --bogus
check help 2 "usage: duotrace" --help
check count_not_number 2 "'x' is not a number from 1" --count x
check count_zero 2 "'0' is not a number from 1" --count 0
check duration_missing 2 "usage:" --duration
check two_devs 2 "usage:" a b
check no_such_dev 1 "no interface nosuch0" nosuch0

prog=$top/build/tools/steer
check no_args 2 "usage: steer DEV"
check no_flow 2 "usage:" lo --path pv --mask 0x3
check port_and_dscp 2 "usage:" lo --port 1 --dscp 2 --path pv --mask 0x3
check bad_path 2 "usage:" lo --port 1 --path gpu --mask 0x3
check bad_port 2 "'70000' is not a number from 0 to 65535" lo --port 70000 --path pv --mask 0x3
check bad_dscp 2 "'64' is not a number from 0 to 63" lo --dscp 64 --path pv --mask 0x3
check one_bit_mask 2 "--mask must be at least 2 contiguous bits" lo --port 1 --path pv --mask 0x4
check split_mask 2 "--mask must be at least 2 contiguous bits" lo --port 1 --path pv --mask 0x5
check no_such_dev 1 "no interface nosuch0" nosuch0 --port 1 --path pv --mask 0x3
check value_missing 2 "usage:" lo --port

prog=$top/build/tools/xdpfilter
check no_args 2 "usage: xdpfilter DEV"
check no_action 2 "usage:" lo
check show_and_port 2 "usage:" lo --show --port 7
check generic_alone 2 "usage:" lo --generic
check port_zero 2 "'0' is not a number from 1 to 65535" lo --port 0
check bad_port 2 "'70000' is not a number from 1 to 65535" lo --port 70000
check same_port 2 "one port, one rule" lo --port 7 --tx-port 7
check value_missing 2 "usage:" lo --port
check no_such_dev 1 "no interface nosuch0" nosuch0 --port 7
check show_nothing 1 "nothing attached to lo" lo --show

prog=$top/build/tools/nlfuzz
check no_args 2 "usage: nlfuzz DEV"
check bad_option 2 "usage:" lo --fast
check zero_count 2 "usage:" lo --count 0
check no_such_dev 1 "no interface nosuch0" nosuch0 --count 1

prog=$top/tools/migrate/duonet-migrate
check no_args 2 "usage: duonet-migrate prepare|resume"
check unknown_command 2 "usage:" pause duo0
check no_dev 2 "usage:" prepare
check bad_timeout 2 "usage:" prepare duo0 --timeout soon
check timeout_missing 2 "usage:" resume duo0 --timeout
check extra 2 "usage:" resume duo0 extra

prog=$top/tools/migrate/duonet-migrate-host
q=(--qmp /nonexistent --guest true --vf-id vf0 --vf-device e1000e,id=vf0)
check no_args 2 "usage: duonet-migrate-host replug|migrate"
check help 0 "--dst-qmp SOCK" --help
check unknown_command 2 "unknown command 'fly'" fly
check no_qmp 2 "--qmp is required (or --domain for libvirt)" replug --guest true --vf-id vf0 --vf-device e1000e
check no_guest 2 "--guest is required" replug --qmp /x --vf-id vf0 --vf-device e1000e
check no_vf_device 2 "--vf-device is required" replug --qmp /x --guest true --vf-id vf0
check value_missing 2 "--vf-id needs a value" replug --vf-id
check unknown_option 2 "unknown option --fast" replug --fast 1
check stray_argument 2 "unexpected argument 'now'" replug now
check bad_timeout 2 "--timeout takes whole seconds" replug "${q[@]}" --timeout 0
check bad_settle 2 "--settle-ms takes a number" migrate "${q[@]}" --settle-ms x
check migrate_no_dst 2 "migrate needs --dst-qmp" migrate "${q[@]}" --uri unix:/x
check migrate_no_uri 2 "migrate needs --uri" migrate "${q[@]}" --dst-qmp /y
check replug_migrate_option 2 "are for migrate" replug "${q[@]}" --uri unix:/x
# A real step that fails: its name and status, exit 1, nothing after it.
check step_fails 1 "step prepare failed" replug --qmp /x --guest false \
	--vf-id vf0 --vf-device e1000e
# A migration QEMU refuses: the step fails, the source is not quit, the VF
# not plugged. A stand-in for qmp.py logs its calls and fails "migrate".
stub=$(mktemp -d)
cat > "$stub/qmp.py" <<'STUB'
import sys
open(sys.argv[0] + ".log", "a").write(" ".join(sys.argv[1:]) + "\n")
sys.exit(1 if "migrate" in sys.argv else 0)
STUB
DUONET_QMP=$stub/qmp.py check migrate_fails 1 "step migrate failed" migrate "${q[@]}" \
	--dst-qmp /y --uri unix:/z --quit-source
if grep -qE ' quit$|device-add' "$stub/qmp.py.log"; then
	echo "FAIL tools/args/duonet-migrate-host/migrate_fails_no_quit" >> "$results"
	failed=1
else
	echo "PASS tools/args/duonet-migrate-host/migrate_fails_no_quit" >> "$results"
fi
# The migration is timed from the destination's side too (paused_ms).
if grep -q ' migrate unix:/z --dst /y$' "$stub/qmp.py.log"; then
	echo "PASS tools/args/duonet-migrate-host/migrate_times_pause" >> "$results"
else
	echo "FAIL tools/args/duonet-migrate-host/migrate_times_pause" >> "$results"
	echo "duonet-migrate-host's qmp.py calls: $(cat "$stub/qmp.py.log")" >&2
	failed=1
fi
DUONET_QMP=$stub/qmp.py check vf_spec_split 0 "done ms=" replug --qmp /x --guest true \
	--vf-id vf0 --vf-device 'e1000e,id=vf0,netdev=vfnet,romfile='
if grep -q '^/x device-add e1000e id=vf0 netdev=vfnet romfile=$' "$stub/qmp.py.log"; then
	echo "PASS tools/args/duonet-migrate-host/vf_spec_words" >> "$results"
else
	echo "FAIL tools/args/duonet-migrate-host/vf_spec_words" >> "$results"
	failed=1
fi
rm -rf "$stub"

# Its libvirt mode: the usage errors, then against a stand-in virsh (first
# on PATH) the calls it makes: the unplug waits until the VF's alias has
# left the live XML, the migration's figures come from the destination's
# job statistics, and an unplug the guest never acks fails the step
# without a plug.
stub=$(mktemp -d)
printf '%s\n' "<interface type='ethernet'><mac address='52:54:00:d0:0e:01'/>" \
	"<alias name='ua-vf0'/></interface>" > "$stub/vf.xml"
echo "<interface type='ethernet'/>" > "$stub/noalias.xml"
l=(--domain g0 --guest true --vf-xml "$stub/vf.xml")
check lv_no_domain 2 "--domain is required in libvirt mode" replug --connect qemu:///x \
	--guest true --vf-xml "$stub/vf.xml"
check lv_no_vf_xml 2 "--vf-xml is required in libvirt mode" replug --domain g0 --guest true
check lv_vf_xml_missing 2 "--vf-xml: cannot read '/nonexistent/vf.xml'" replug --domain g0 \
	--guest true --vf-xml /nonexistent/vf.xml
check lv_vf_xml_no_alias 2 "has no user alias" replug --domain g0 --guest true \
	--vf-xml "$stub/noalias.xml"
check lv_mix_qmp 2 "do not mix: use one mode" replug "${q[@]}" --domain g0
check lv_mix_dst_qmp 2 "do not mix: use one mode" migrate "${l[@]}" --dst-connect qemu:///y \
	--dst-qmp /y
check lv_mix_quit_source 2 "do not mix: use one mode" migrate "${l[@]}" \
	--dst-connect qemu:///y --quit-source
check lv_migrate_no_dst 2 "migrate needs --dst-connect in libvirt mode" migrate "${l[@]}"
check lv_dst_xml_missing 2 "--dst-xml: cannot read '/nonexistent/g0.xml'" migrate "${l[@]}" \
	--dst-connect qemu:///y --dst-xml /nonexistent/g0.xml
check lv_replug_migrate_option 2 "are for migrate" replug "${l[@]}" --dst-connect qemu:///y
check lv_replug_dst_vf_xml 2 "are for migrate" replug "${l[@]}" --dst-vf-xml "$stub/vf.xml"
check lv_dst_vf_xml_other_alias 2 "lacks the VF's alias ua-vf0" migrate "${l[@]}" \
	--dst-connect qemu:///y --dst-vf-xml "$stub/noalias.xml"
mkdir "$stub/bin"
# The alias stays in the live XML for the first $LV_GONE_AFTER dumps, and
# is there again once attached.
cat > "$stub/bin/virsh" <<'STUB'
#!/bin/sh
echo "$*" >> "$STUB_DIR/virsh.log"
case $* in
*dumpxml*)
	n=$(($(cat "$STUB_DIR/dumps" 2>/dev/null || echo 0) + 1))
	echo "$n" > "$STUB_DIR/dumps"
	echo "<domain><devices>"
	if [ "$n" -le "$LV_GONE_AFTER" ] || [ -f "$STUB_DIR/attached" ]; then
		echo "<interface><alias name='ua-vf0'/></interface>"
	fi
	echo "</devices></domain>" ;;
*attach-device*)
	touch "$STUB_DIR/attached" ;;
*domjobinfo*)
	if [ -n "${LV_NOSTATS:-}" ]; then echo "error: no job" >&2; exit 1; fi
	printf '%s\n' "Job type:         Completed" "Time elapsed:     1234 ms" \
		"Total downtime:   56 ms" ;;
esac
STUB
chmod +x "$stub/bin/virsh"
export STUB_DIR=$stub
# lv_verdict NAME STATUS: records a check of the stand-in's calls (its log
# shown when it fails), then clears the log for the next run.
lv_verdict() {
	if [ "$2" = 0 ]; then
		echo "PASS tools/args/duonet-migrate-host/$1" >> "$results"
	else
		echo "FAIL tools/args/duonet-migrate-host/$1" >> "$results"
		cat "$stub/virsh.log" >&2
		failed=1
	fi
	rm -f "$stub/virsh.log" "$stub/dumps" "$stub/attached"
}
PATH=$stub/bin:$PATH LV_GONE_AFTER=2 check lv_migrate 0 "downtime_ms=56 total_ms=1234" \
	migrate "${l[@]}" --connect qemu:///x --dst-connect qemu:///y
grep -q '^-q -c qemu:///x detach-device g0 .*vf.xml --live$' "$stub/virsh.log" &&
	[ "$(grep -c dumpxml "$stub/virsh.log")" = 4 ] &&
	grep -q '^-q -c qemu:///x migrate --live g0 qemu:///y$' "$stub/virsh.log" &&
	grep -q '^-q -c qemu:///y domjobinfo --completed --keep-completed g0$' "$stub/virsh.log" &&
	grep -q '^-q -c qemu:///y attach-device g0 .*vf.xml --live$' "$stub/virsh.log"
lv_verdict lv_calls $?
# The destination's own VF XML is what it attaches; the downtime limit is
# set before the migration; statistics that cannot be read do not stop the
# plug and resume (the guest already runs on the destination).
sed 's/52:54:00:d0:0e:01/52:54:00:d0:0e:02/' "$stub/vf.xml" > "$stub/vf1.xml"
PATH=$stub/bin:$PATH LV_GONE_AFTER=2 LV_NOSTATS=1 check lv_migrate_dst_vf 0 \
	"downtime_ms=? total_ms=?" migrate "${l[@]}" --connect qemu:///x --dst-connect qemu:///y \
	--dst-vf-xml "$stub/vf1.xml" --max-downtime-ms 50
grep -q '^-q -c qemu:///x migrate-setmaxdowntime g0 50$' "$stub/virsh.log" &&
	[ "$(grep -n -e '^-q -c qemu:///x migrate-setmaxdowntime' -e '^-q -c qemu:///x migrate --live' \
		"$stub/virsh.log" | cut -d' ' -f4 | tr '\n' ' ')" = "migrate-setmaxdowntime migrate " ] &&
	grep -q '^-q -c qemu:///y attach-device g0 .*/vf1\.xml --live$' "$stub/virsh.log"
lv_verdict lv_dst_vf_calls $?
PATH=$stub/bin:$PATH LV_GONE_AFTER=1000 check lv_unplug_timeout 1 "step unplug failed" \
	replug "${l[@]}" --timeout 1
if grep -q attach-device "$stub/virsh.log"; then
	echo "FAIL tools/args/duonet-migrate-host/lv_unplug_timeout_no_plug" >> "$results"
	failed=1
else
	echo "PASS tools/args/duonet-migrate-host/lv_unplug_timeout_no_plug" >> "$results"
fi
unset STUB_DIR
rm -rf "$stub"

# qmp.py flap (stress.sh): its limits, and against a stand-in QMP server
# the changes it makes: alternating, down first, the link left up, as
# many as it reports, and not over before the time asked (a loaded
# machine may make fewer changes; none is timed from above).
prog=$top/tools/vm/qmp.py
check flap_no_seconds 2 "--seconds" /x flap vf0
check flap_period_0 2 "flap: --period-ms 1-60000" /x flap vf0 --seconds 1 --period-ms 0
check flap_too_long 2 "flap: --period-ms 1-60000" /x flap vf0 --seconds 3601
stub=$(mktemp -d)
python3 - "$stub/qmp" > "$stub/server.out" 2>&1 <<'SERVER' &
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1])
s.listen(1)
s.settimeout(30)
c, _ = s.accept()
f = c.makefile("rwb")
f.write(b'{"QMP": {"version": {}, "capabilities": []}}\n')
f.flush()
ups = []
for line in f:
    msg = json.loads(line)
    if msg["execute"] == "set_link":
        ups.append("u" if msg["arguments"]["up"] else "d")
    f.write(b'{"return": {}}\n')
    f.flush()
print("".join(ups))
SERVER
server=$!
out=$("$prog" "$stub/qmp" flap vf0 --seconds 0.2 --period-ms 10 2>&1)
wait "$server"
ms=$(printf '%s' "$out" | sed -n 's/.* ms=\([0-9]*\) .*/\1/p')
seen=$(cat "$stub/server.out")
if [[ $seen =~ ^(du)+$ ]] && [[ $out == *" changes=${#seen} "* ]] && [ "${ms:-0}" -ge 200 ]; then
	echo "PASS tools/args/qmp.py/flap_sequence" >> "$results"
else
	echo "FAIL tools/args/qmp.py/flap_sequence" >> "$results"
	echo "qmp.py flap: '$out'; the server saw '$seen'" >&2
	failed=1
fi
rm -rf "$stub"

# qmp.py migrate --dst: paused_ms is the source's STOP event to the
# destination's RESUME, from the events' own timestamps (stand-in QMP
# servers for both QEMUs); a destination not waiting for a migration is
# an error before anything is migrated.
stub=$(mktemp -d)
cat > "$stub/server.py" <<'SERVER'
import json, socket, sys
import os
path, role, status = sys.argv[1:4]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
s.listen(1)
s.settimeout(30)
c, _ = s.accept()
# RESUME reaches only a client connected before the migration started.
early = not os.path.exists(os.path.dirname(path) + "/migrating")
f = c.makefile("rwb")
def send(obj):
    f.write(json.dumps(obj).encode() + b"\n")
    f.flush()
send({"QMP": {"version": {}, "capabilities": []}})
seen = []
for line in f:
    msg = json.loads(line)
    seen.append(msg["execute"])
    ret = {}
    if msg["execute"] == "query-status":
        ret = {"status": status}
    elif msg["execute"] == "migrate":
        open(os.path.dirname(path) + "/migrating", "w").close()
    elif msg["execute"] == "query-migrate" and status == "running":
        # A stale pause first: the migration's STOP is the last one.
        for sec in (1699999990, 1700000000):
            send({"event": "STOP", "data": {},
                  "timestamp": {"seconds": sec, "microseconds": 990000}})
    if msg["execute"] == "query-migrate":
        ret = {"status": "completed", "total-time": 1300, "downtime": 44}
    send({"return": ret, "id": msg["id"]})
    if role == "dst" and msg["execute"] == "query-status" and early:
        # 57.3 ms after the source's STOP, across a second boundary.
        send({"event": "RESUME", "data": {},
              "timestamp": {"seconds": 1700000001, "microseconds": 47300}})
print(" ".join(seen))
SERVER
# qmp_pair SRC_STATUS DST_STATUS
qmp_pair() {
	rm -f "$stub/src" "$stub/dst" "$stub/migrating"
	python3 "$stub/server.py" "$stub/src" src "$1" > "$stub/src.out" 2>&1 &
	python3 "$stub/server.py" "$stub/dst" dst "$2" > "$stub/dst.out" 2>&1 &
	out=$("$top/tools/vm/qmp.py" --connect-timeout 5 --timeout 10 "$stub/src" \
		migrate unix:/x --dst "$stub/dst" 2>&1) && rc=0 || rc=$?
	wait
}
# qmp_verdict NAME STATUS: record the case; on a failure show the run.
qmp_verdict() {
	if [ "$2" = 0 ]; then
		echo "PASS tools/args/qmp.py/$1" >> "$results"
	else
		echo "FAIL tools/args/qmp.py/$1" >> "$results"
		echo "qmp.py migrate --dst: rc $rc, '$out'; the source saw '$(cat "$stub/src.out")'" >&2
		failed=1
	fi
}
qmp_pair running inmigrate
[ "$rc" = 0 ] && [[ $out == *" downtime_ms=44 paused_ms=57 "* ]]
qmp_verdict migrate_paused $?
qmp_pair running running
[ "$rc" = 1 ] && [[ $out == *"not waiting for a migration"* ]] && ! grep -qw migrate "$stub/src.out"
qmp_verdict migrate_dst_not_incoming $?
# A guest paused before the migration is not timed: "-", still a success.
qmp_pair paused inmigrate
[ "$rc" = 0 ] && [[ $out == *" paused_ms=- "* ]]
qmp_verdict migrate_paused_guest $?
rm -rf "$stub"

# The guest agent's client (tools/vm/gexec.c): usage, then the protocol
# against a stand-in agent on a UNIX socket (guest/agent's protocol) that
# answers the first request only after it was sent again (--wait-ready,
# under a new id): the late answer to the first (status 9) is not taken
# for the second's (status 3), whose output comes through; an agent that
# never answers ends in 124 within --timeout.
prog=$top/build/tools/gexec
check no_args 2 "usage: gexec"
check no_script 2 "a SOCKET and a SCRIPT are needed" /tmp/x.sock
check bad_timeout 2 "not a number of seconds" --timeout x /tmp/x.sock true
check zero_timeout 2 "must be above 0" --timeout 0 /tmp/x.sock true
check unknown_option 2 "unknown option '--frob'" --frob /tmp/x.sock true
check help 0 "usage: gexec" --help
stub=$(mktemp -d /tmp/duoargs.XXXXXX)
python3 - "$stub/agent.sock" <<'AGENT' &
import base64, socket, sys
srv = socket.socket(socket.AF_UNIX)
srv.bind(sys.argv[1])
srv.listen(2)
for answer in (True, False):
    c, _ = srv.accept()
    f = c.makefile("rwb")
    ids = []
    for line in f:
        verb, rid, b64 = line.split()
        ids.append(rid)
        if answer and len(ids) == 2:
            script = base64.b64decode(b64).decode()
            f.write(b"@@BEGIN " + ids[0] + b"\nlate\n@@END " + ids[0] + b" 9\n" +
                    b"@@BEGIN " + rid + b"\n" + script.encode() + b"\n@@END " + rid + b" 3\n")
            f.flush()
    c.close()
AGENT
agent=$!
for i in $(seq 50); do [ -S "$stub/agent.sock" ] && break; sleep 0.1; done
# Exactly the second answer's output: nothing of the first's.
out=$("$prog" --wait-ready 10 "$stub/agent.sock" echo "'it ran'" 2>&1)
rc=$?
if [ "$rc" = 3 ] && [ "$out" = "echo 'it ran'" ]; then
	echo "PASS tools/args/gexec/resent_answered" >> "$results"
else
	echo "FAIL tools/args/gexec/resent_answered" >> "$results"
	echo "gexec --wait-ready: status $rc (want 3), output '$out' (want the script)" >&2
	failed=1
fi
check no_answer 124 "no answer from the guest agent" --timeout 1 "$stub/agent.sock" true
kill "$agent" 2>/dev/null
wait "$agent" 2>/dev/null
rm -rf "$stub"

# The benchmarks' usage errors (tools/bench/), before anything boots.
for prog in cpu.sh peak.sh failover.sh scale.sh bench.sh; do
	prog=$top/tools/bench/$prog
	check bad_option 2 "usage:" --frob 1
done
prog=$top/tools/bench/cpu.sh
check reps_zero 2 "usage:" --reps 0
check rate_word 2 "usage:" --rates "1000 fast"
check unknown_config 2 "unknown configuration frob" --configs "direct_vf frob"
prog=$top/tools/bench/peak.sh
check count_zero 2 "usage:" --count 0
prog=$top/tools/bench/failover.sh
check reps_word 2 "usage:" --reps x
prog=$top/tools/bench/scale.sh
check pairs_zero 2 "usage:" --pairs "1 0"
check pairs_empty 2 "usage:" --pairs ""
check pairs_too_many 2 "at most 16 pairs" --pairs "4 17"
check rate_zero 2 "usage:" --rate 0
exit "$failed"
