# SPDX-License-Identifier: GPL-2.0
#
# duonet.ko's sources, listed once. Included by Kbuild, kunit/Kbuild.kunit
# and the Makefile; the scripts read duo_srcdirs from here with sed, so it
# stays one line of the form "duo_srcdirs := a b c".
#
# The folders, bottom first: a folder includes only the headers of folders
# before it (docs/DESIGN.md, "Architecture"). compat/ holds the kernels'
# differences, failover/ the pure state machine, lower/ the claimed lower
# device common to both roles, vf-path/ and pv-path/ what each role is,
# core/ the upper that uses them all.
duo_srcdirs := compat failover lower pv-path vf-path core

duo_objs := \
	failover/failover.o \
	lower/lower.o \
	lower/fault.o \
	pv-path/pv.o \
	vf-path/vf.o \
	core/main.o \
	core/netdev.o \
	core/features.o \
	core/path.o \
	core/notify.o \
	core/pairs.o \
	core/datapath.o \
	core/dedup.o \
	core/stats.o \
	core/settings.o \
	core/netlink.o \
	core/ethtool.o \
	core/tuning.o \
	core/xdp.o \
	core/reach.o \
	core/hwtstamp.o
