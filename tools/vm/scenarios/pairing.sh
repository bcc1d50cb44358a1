#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Pairing rules: manual pairing with ip link, every refusal ip can provoke
# (with the driver's extack text), lowers renamed while up, and
# auto-pairing leaving a PV that already has a master (a bond) alone,
# and the ways to say no to auto-pairing.
#
#   host ns (br0)          guest g0
#   tp0 ----------------- eth virtio_net (PV)
#   tv0 ----------------- eth e1000e on rp1 (VF, same MAC)
#   (isolated hub) ------ eth e1000e on rp2 (another MAC), plugged by a case
#
# usage: pairing.sh KERNEL_RELEASE
set -eu
. "$(dirname "$0")/../lab.sh"

[ $# -eq 1 ] || { echo "usage: $0 KERNEL_RELEASE" >&2; exit 2; }
lab_init pairing "$1"
lab_net_up
OTHER_MAC=52:54:00:d0:0e:02

# refused 'COMMAND' 'TEXT': the command fails and says TEXT.
refused() {
	local out
	out=$(lab_guest g0 "$1 2>&1; echo rc=\$?")
	case $out in
	*"$2"*rc=[1-9]*) return 0 ;;
	esac
	lab_log "'$1' not refused with '$2': $out"
	return 1
}
lowers() { lab_guest g0 'ip -o link show master duo0 | wc -l'; }

case_manual_pair() {
	lab_guest g0 'modprobe duonet auto=0 && ! ip link show duo0 2>/dev/null'
	lab_guest g0 'ip link add duo0 type duonet && ip link set $(netdev_of_driver virtio_net) master duo0'
	expect_eq "$(lab_guest g0 'cat /sys/class/net/duo0/address')" "$LAB_MAC" "upper takes its first lower's MAC"
	lab_guest g0 'ip link set $(netdev_of_driver e1000e) master duo0'
	expect_eq "$(lowers)" 2 "lowers after manual pairing"
	expect_eq "$(lab_guest g0 'ethtool -S duo0 | sed -n "s/^ *vf_present: //p"')" 1 "VF present"
	# Marked as lowers: IFF_SLAVE (0x800) in their flags.
	lab_guest g0 'bad=0; for d in $(netdev_of_driver virtio_net) $(netdev_of_driver e1000e); do [ $(( $(cat /sys/class/net/$d/flags) & 0x800 )) != 0 ] || bad=1; done; [ $bad = 0 ]'
	lab_guest g0 'ip link set $(netdev_of_driver e1000e) nomaster'
	expect_eq "$(lowers)" 1 "lowers after nomaster"
	lab_guest g0 '[ $(( $(cat /sys/class/net/$(netdev_of_driver e1000e)/flags) & 0x800 )) = 0 ]'
	lab_guest g0 'ip link set $(netdev_of_driver e1000e) master duo0'
}

case_refusals() {
	lab_qmp g0 device-add e1000e id=x2 netdev=xnet bus=rp2 "mac=$OTHER_MAC" romfile=
	lab_guest g0 "wait_for 'grep -l $OTHER_MAC /sys/class/net/*/address >/dev/null' 20"
	local x
	x=$(lab_guest g0 "basename \$(dirname \$(grep -l $OTHER_MAC /sys/class/net/*/address))")
	refused "ip link set $x master duo0" "the upper already has a VF"
	refused "ip link set lo master duo0" "only Ethernet devices"
	refused "ip link set duo0 master duo0" "cannot be its own lower"
	lab_guest g0 'ip link add duo1 type duonet'
	refused "ip link set duo1 master duo0" "another duonet upper"
	# A lone PCI NIC with another MAC than the PV already paired.
	lab_guest g0 'ip link set $(netdev_of_driver virtio_net) nomaster && ip link set $(netdev_of_driver virtio_net) master duo1'
	refused "ip link set $x master duo1" "permanent MAC differs"
	lab_guest g0 'ip link del duo1'
	refused 'ip link add y address 01:00:5e:00:00:01 type duonet' "must be unicast"
	# Nothing was lost: duo0 still has its VF, the PV is free again.
	expect_eq "$(lowers)" 1 "lowers of duo0 after the refusals"
	lab_guest g0 'ip link set $(netdev_of_driver virtio_net) master duo0'
	expect_eq "$(lowers)" 2 "lowers of duo0 restored"
	lab_qmp g0 device-del x2
}

# Masters and the upper stacked: no bridge or bond is a lower, in either
# role; the upper is no bond slave (bonding refuses master devices), but
# a bridge port it may be (containers bridged onto duo0), and traffic
# then runs through the bridge.
case_stacking() {
	lab_guest g0 'ip link add brx type bridge && modprobe bonding max_bonds=0 && ip link add bondx type bond'
	refused "ip link set brx master duo0" "a master (bridge"
	lab_guest g0 'ip link add dz type duonet'
	refused "duoctl pair dz bondx --role vf" "a master (bridge"
	lab_guest g0 'ip link del dz'
	refused "ip link set duo0 master bondx" "cannot be enslaved"
	lab_guest g0 'ip link del bondx'
	lab_guest g0 "ip link set duo0 master brx && ip link set duo0 up && ip link set brx up && ip addr add $LAB_GUEST_IP/24 dev brx"
	# Forwarding (3) once the port's carrier settled (no STP: at once).
	lab_guest g0 'duoctl wait duo0 --path vf --timeout 20 && wait_for "grep -qx 3 /sys/class/net/duo0/brport/state" 10'
	lab_ping_clean via_bridge 1
	lab_guest g0 'ip link del brx && ip link set duo0 down'
	expect_eq "$(lowers)" 2 "lowers of duo0 after the bridge"
}

case_rename_lower_while_up() {
	local vf
	lab_guest g0 'ip link set duo0 up'
	vf=$(lab_guest g0 'netdev_of_driver e1000e')
	lab_guest g0 "wait_for 'ip link show $vf | grep -q \"[<,]UP[,>]\"'"
	lab_guest g0 "ip link set $vf name vfren && ip link show vfren | grep -q 'master duo0' && ip link set vfren name $vf"
	lab_guest g0 'ip link set duo0 down'
}

case_auto_leaves_bonded_pv() {
	lab_guest g0 'rmmod duonet && modprobe bonding max_bonds=0 && ip link add bond0 type bond mode active-backup'
	lab_guest g0 'ip link set $(netdev_of_driver virtio_net) master bond0'
	lab_guest g0 'modprobe duonet && sleep 1 && ! ip link show duo0 2>/dev/null'
	# A second scan (a device registering) does not log it again.
	lab_qmp g0 device-add e1000e id=x3 netdev=xnet bus=rp2 "mac=$OTHER_MAC" romfile=
	lab_guest g0 "wait_for 'grep -l $OTHER_MAC /sys/class/net/*/address >/dev/null' 20 && sleep 1"
	expect_eq "$(lab_guest g0 'dmesg | grep -c "already has a master (bond0), not pairing it"')" 1 "log lines"
	expect_eq "$(lab_guest g0 'cat /sys/class/net/$(netdev_of_driver virtio_net)/master/uevent | sed -n s/INTERFACE=//p')" bond0 "PV still in the bond"
	lab_guest g0 'ip link del bond0 && rmmod duonet'
	lab_qmp g0 device-del x3
}

# A new upper has no lower and so no carrier, even when set up.
case_new_upper_no_carrier() {
	lab_guest g0 'modprobe duonet auto=0 && ip link add dz type duonet && ip link set dz up'
	expect_eq "$(lab_guest g0 'cat /sys/class/net/dz/carrier')" 0 "carrier of an upper without lowers"
	lab_guest g0 'ip link del dz && rmmod duonet'
}

# The PV driver reloads (or the PV is re-plugged): the PV rejoins the same
# upper, which keeps its address; pv-only meanwhile lets the VF carry TX.
case_pv_reload() {
	lab_guest g0 'modprobe duonet && wait_for "[ \$(ip -o link show master duo0 2>/dev/null | wc -l) = 2 ]"'
	lab_guest g0 "ip link set duo0 up && ip addr add $LAB_GUEST_IP/24 dev duo0 && duoctl wait duo0 --path vf --timeout 20"
	lab_guest g0 'ethtool --set-priv-flags duo0 pv-only on && duoctl wait duo0 --path pv --timeout 5'
	lab_guest g0 'rmmod virtio_net'
	lab_guest g0 'duoctl wait duo0 --path vf --timeout 5 && ethtool --show-priv-flags duo0 | grep -q "pv-only : off"'
	lab_guest g0 'dmesg | grep -q "pv-only turned off: the PV"'
	lab_guest g0 'modprobe virtio_net && wait_for "[ \$(ip -o link show master duo0 2>/dev/null | wc -l) = 2 ]"'
	lab_guest g0 '! ip link show duo1 2>/dev/null'
	lab_guest g0 "ip -o addr show duo0 | grep -q $LAB_GUEST_IP"
	lab_ping_clean after_pv_reload 1
	lab_guest g0 'ip link del duo0; rmmod duonet'
}

# duoctl pair --role and set vf|pv: roles forced against the kind of the
# device, moved, released; traffic runs on a forced VF; refusals name why.
case_role_override() {
	local pv vf
	pv=$(lab_guest g0 'netdev_of_driver virtio_net')
	vf=$(lab_guest g0 'netdev_of_driver e1000e')
	role_of() { lab_guest g0 "duoctl show --json dr" | python3 -c '
import json, sys
u = json.load(sys.stdin)[0]
print(" ".join(sorted(l["ifname"] + "=" + l["role"] for l in u["lowers"])))'; }
	sorted() { printf '%s\n' "$@" | sort | paste -sd ' '; }
	lab_guest g0 'modprobe duonet auto=0 && ip link add dr type duonet'
	lab_guest g0 "duoctl pair dr $pv --role vf && duoctl pair dr $vf --role pv"
	expect_eq "$(role_of)" "$(sorted "$vf=pv" "$pv=vf")" "forced roles"
	lab_guest g0 "ip link set dr up && ip addr add $LAB_GUEST_IP/24 dev dr && duoctl wait dr --path vf --timeout 20"
	expect_eq "$(lab_guest g0 'ethtool -i dr | sed -n "s/^bus-info: //p"')" "vf:$pv" "virtio_net carrying TX as the VF"
	# The bridge learned this MAC on the e1000e's tap in the case before
	# and dr's announcements went out before it had an address: the
	# guest's first frame moves it, as any host's first packet would
	# (measured otherwise: the peer's first 4 probes went to that tap,
	# make check of 2026-12-07 once the lab's steps got faster).
	lab_guest g0 "ping -c 1 -W 2 $LAB_PEER_IP > /dev/null"
	lab_ping_clean forced_vf 1
	refused "duoctl set dr pv $pv" "the role is taken; release its lower first"
	refused "duoctl set dr vf lo" "the role is taken; release its lower first"
	refused "duoctl pair dr nosuch --role vf" "no interface nosuch"
	lab_guest g0 "duoctl set dr vf none && duoctl wait dr --path pv --timeout 5"
	expect_eq "$(role_of)" "$vf=pv" "after vf none"
	refused "duoctl set dr vf lo" "only Ethernet devices"
	expect_eq "$(role_of)" "$vf=pv" "after a refused pairing"
	# The PV moves to the VF role (nothing is left on the PV's).
	lab_guest g0 "duoctl set dr vf $vf && duoctl wait dr --path vf --timeout 20"
	expect_eq "$(role_of)" "$vf=vf" "moved"
	lab_guest g0 "duoctl pair dr $pv"
	expect_eq "$(role_of)" "$(sorted "$pv=pv" "$vf=vf")" "detected roles"
	lab_ping_clean detected 1
	lab_guest g0 "duoctl unpair dr $vf && duoctl wait dr --path pv --timeout 5"
	refused "duoctl unpair dr $vf" "$vf is not a lower of dr"
	lab_guest g0 'ip link del dr && rmmod duonet'
}

# Saying no: a deleted upper and a released lower stay as the
# user left them while other devices register (a NIC plugged on rp2 makes
# auto-pairing scan again), until they register again themselves; skip=
# keeps a MAC out altogether, not even marked, and a bad one is refused
# with its reason.
case_say_no() {
	local master_of='m=/sys/class/net/$d/master; [ -e $m ] && basename $(readlink $m) || echo none'
	local vf n
	scan() {
		lab_qmp g0 device-add e1000e id=x4 netdev=xnet bus=rp2 "mac=$OTHER_MAC" romfile=
		lab_guest g0 "wait_for 'grep -l $OTHER_MAC /sys/class/net/*/address >/dev/null' 20 && sleep 1"
		lab_qmp g0 device-del x4
	}
	masters() { lab_guest g0 "for d in \$(netdev_of_driver virtio_net) \$(netdev_of_driver e1000e | head -n 1); do $master_of; done | paste -sd' '"; }
	declined_lines() { lab_guest g0 "dmesg | grep -c \"$1: not pairing it: taken out of its pair by the user\" || true"; }
	lab_guest g0 'modprobe duonet && wait_for "[ \$(ip -o link show master duo0 2>/dev/null | wc -l) = 2 ]"'
	vf=$(lab_guest g0 'netdev_of_driver e1000e')
	lab_guest g0 'ip link del duo0'
	scan
	expect_eq "$(masters)" "none none" "masters of the PV and the VF after ip link del duo0 and a scan"
	lab_guest g0 '! ip link show duo0 2>/dev/null'
	expect_eq "$(declined_lines "$vf")" 1 "log lines for the declined VF"
	# The PV registers again (driver reload): its own pair again, the VF
	# still out; the VF registers again (re-plug): it joins.
	lab_guest g0 'rmmod virtio_net && modprobe virtio_net && wait_for "[ \$(ip -o link show master duo0 2>/dev/null | wc -l) = 1 ]"'
	expect_eq "$(masters)" "duo0 none" "after the PV registered again"
	lab_vf_unplug g0
	lab_vf_plug g0
	lab_guest g0 'wait_for "[ \$(ip -o link show master duo0 2>/dev/null | wc -l) = 2 ]" 20'
	vf=$(lab_guest g0 'netdev_of_driver e1000e')
	# Released with duoctl (the role over netlink), then with nomaster
	# after a pairing by hand: out after each, said each time.
	n=$(declined_lines "$vf")
	lab_guest g0 "duoctl unpair duo0 $vf"
	scan
	expect_eq "$(masters)" "duo0 none" "after duoctl unpair and a scan"
	lab_guest g0 "ip link set $vf master duo0 && ip link set $vf nomaster"
	scan
	expect_eq "$(masters)" "duo0 none" "after a pairing by hand, nomaster and a scan"
	expect_eq "$(declined_lines "$vf")" $((n + 2)) "log lines for the VF declined twice more"
	lab_guest g0 "ip link set $vf master duo0"
	expect_eq "$(masters)" "duo0 duo0" "paired by hand"
	lab_guest g0 'ip link del duo0 && rmmod duonet'
	# skip=: neither the PV nor the VF with that MAC, nor a PV whose
	# driver loads while duonet is loaded: not even marked as a lower
	# (premark would mark it before its first uevent).
	lab_guest g0 "modprobe duonet skip=02:00:00:00:00:01,$LAB_MAC && sleep 1"
	lab_guest g0 "rmmod virtio_net && modprobe virtio_net && wait_for '[ -n \"\$(netdev_of_driver virtio_net)\" ]' 20 && sleep 1"
	lab_guest g0 '! ip link show duo0 2>/dev/null'
	expect_eq "$(masters)" "none none" "masters with the pair's MAC in skip="
	lab_guest g0 'bad=0; for d in $(netdev_of_driver virtio_net) $(netdev_of_driver e1000e); do [ $(( $(cat /sys/class/net/$d/flags) & 0x800 )) = 0 ] || bad=1; done; [ $bad = 0 ]'
	lab_guest g0 "dmesg | grep -q \"not pairing it: its MAC is in duonet's skip=\""
	lab_guest g0 'rmmod duonet'
	refused "modprobe duonet skip=$LAB_MAC,zz" "Invalid argument"
	lab_guest g0 "dmesg | grep -q \"skip=: 'zz' is not a unicast MAC address\""
	# mac_pton() alone would take the first 17 characters of these.
	refused "modprobe duonet skip=02:00:00:00:00:0102:00:00:00:00:02" "Invalid argument"
	refused "modprobe duonet skip=02:00:00:00:00:01:00" "Invalid argument"
	lab_guest g0 '! grep -q "^duonet " /proc/modules'
	# Another MAC in skip= (a trailing comma is no entry): paired as ever.
	lab_guest g0 'modprobe duonet skip=02:00:00:00:00:01, && wait_for "[ \$(ip -o link show master duo0 2>/dev/null | wc -l) = 2 ]" && ip link del duo0 && rmmod duonet'
}

case_guest_log_clean() { lab_check_log g0; }

lab_boot g0 --vf e1000e
run_case manual_pair case_manual_pair
run_case refusals case_refusals
run_case stacking case_stacking
run_case rename_lower_while_up case_rename_lower_while_up
run_case auto_leaves_bonded_pv case_auto_leaves_bonded_pv
run_case new_upper_no_carrier case_new_upper_no_carrier
run_case pv_reload case_pv_reload
run_case role_override case_role_override
run_case say_no case_say_no
run_case guest_log_clean case_guest_log_clean
