#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# failover.sh with VMware's vmxnet3 as the PV, e1000e as the VF: pairing,
# the planned switch, surprise removal and re-plug, link loss, a live
# migration, MTU/MAC inheritance, unloading under traffic; the same
# bounds as with virtio_net.
#
# usage: failover-vmxnet3.sh KERNEL_RELEASE
DUO_FAILOVER_PV=vmxnet3 exec "$(dirname "$0")/failover.sh" "$@"
