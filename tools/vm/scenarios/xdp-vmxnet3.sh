#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# xdp.sh with VMware's vmxnet3 as the PV, igb as the VF: the program on
# the PV (vmxnet3's own XDP from 6.6 on, the rx handler on 6.1), a program
# of the PV's own refused, unloading with the program attached.
#
# usage: xdp-vmxnet3.sh KERNEL_RELEASE
DUO_XDP_PV=vmxnet3 exec "$(dirname "$0")/xdp.sh" "$@"
