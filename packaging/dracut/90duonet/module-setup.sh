#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# dracut module (/usr/lib/dracut/modules.d/90duonet): put duonet.ko into
# the initramfs and load it before udev starts (rd.driver.pre, handled by
# dracut's kernel-modules module), so duonet sees the PV and VF register
# and marks them as lowers before anything configures them. The udev rule
# and the modprobe softdep come along, for the initramfs' own udev and
# network setup (rd.neednet/ip= then name duo0, not a lower).
#
# The PV drivers come along too, so the PV registers in the initramfs and
# duo0 exists before the real root's udev loads any VF driver. Without
# them (dracut adds no NIC driver unless the root is on the network) the
# real root loaded e1000e seconds before virtio_net in the lab's image:
# the VF stood alone, NetworkManager gave it a DHCP lease, and it kept
# that address once duonet enslaved it.
# Sourced by dracut, which provides the inst_* helpers and $kernel,
# $initdir and $hostonly.

# shellcheck disable=SC2154 # $kernel and $initdir come from dracut
check() {
	# Only when the module exists for this kernel.
	modinfo -k "$kernel" duonet > /dev/null 2>&1 || return 1
	return 0
}

depends() {
	return 0
}

installkernel() {
	# instmods skips the ones a kernel does not have.
	hostonly='' instmods duonet virtio_net vmxnet3
}

install() {
	local d
	for d in /etc/udev/rules.d /usr/lib/udev/rules.d /lib/udev/rules.d; do
		[ -f "$d/75-duonet.rules" ] && inst_rules 75-duonet.rules && break
	done
	inst_multiple -o /lib/modprobe.d/duonet.conf /usr/lib/modprobe.d/duonet.conf \
		/etc/modprobe.d/duonet.conf
	mkdir -p "$initdir/etc/cmdline.d"
	echo "rd.driver.pre=duonet" > "$initdir/etc/cmdline.d/90duonet.conf"
}
