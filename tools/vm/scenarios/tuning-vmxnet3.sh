#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# tuning.sh with VMware's vmxnet3 as the PV, igb as the VF: what vmxnet3
# takes (ring sizes, -K) and what it refuses (-C, -L, -X), each refusal
# counted once and logged; the replay onto a new VF; the same cases.
#
# usage: tuning-vmxnet3.sh KERNEL_RELEASE
DUO_TUNING_PV=vmxnet3 exec "$(dirname "$0")/tuning.sh" "$@"
