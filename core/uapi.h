/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * duonet's rtnetlink attributes: IFLA_INFO_DATA of link kind "duonet"
 * (the upper) and IFLA_INFO_SLAVE_DATA of its lowers. Shared with
 * userspace (tools/duoctl.c); no kernel types.
 */
#ifndef _DUO_UAPI_H
#define _DUO_UAPI_H

enum {
	IFLA_DUONET_UNSPEC,
	/* Settings (u32), read and written */
	IFLA_DUONET_ANNOUNCE_COUNT,		/* 0..100 */
	IFLA_DUONET_ANNOUNCE_INTERVAL_MS,	/* 1..10000 */
	IFLA_DUONET_FAILBACK_DELAY_MS,		/* 0..600000 */
	IFLA_DUONET_DAMP_FLAPS,			/* 0 (off)..16 */
	IFLA_DUONET_DAMP_WINDOW_MS,		/* 1..3600000 */
	IFLA_DUONET_DAMP_HOLD_MS,		/* 0..3600000 */
	/* State, read only (but PV_ONLY) */
	IFLA_DUONET_ACTIVE_PATH,		/* u8: enum duo_uapi_path */
	/*
	 * u8 0/1, read and written (0.4.0; before, read only): TX on the PV
	 * whatever the VF does; also the ethtool private flag pv-only.
	 * Written 1, refused while there is no PV lower.
	 */
	IFLA_DUONET_PV_ONLY,
	IFLA_DUONET_SWITCHES_TO_VF,		/* u64 */
	IFLA_DUONET_SWITCHES_TO_PV,		/* u64 */
	IFLA_DUONET_LAST_SWITCH_USECS,		/* u64 */
	IFLA_DUONET_PAD,
	/*
	 * The lowers (u32 ifindex, 0: none). Written: pair that device in
	 * that role whatever its kind (a role override), moving it from the
	 * other role if it has it; 0 releases the role's lower.
	 */
	IFLA_DUONET_VF_IFINDEX,
	IFLA_DUONET_PV_IFINDEX,
	/*
	 * u32: bits of skb->mark holding a per-packet path hint (a tc/BPF
	 * program on the upper sets it): 0 (default) no hint is read; else a
	 * run of at least 2 contiguous bits whose value, shifted down, is an
	 * enum duo_uapi_path: the hinted path (below); 0, no hint.
	 */
	IFLA_DUONET_HINT_MASK,
	/* The adaptive policy (ethtool priv flag adaptive) */
	IFLA_DUONET_ADAPTIVE_LOW_PPS,		/* u32 0..100000000, < high */
	IFLA_DUONET_ADAPTIVE_HIGH_PPS,		/* u32 1..100000000 */
	IFLA_DUONET_ADAPTIVE_DWELL_MS,		/* u32 0..3600000 */
	/*
	 * u8 0/1, read and written (0.4.0; before, read only): the adaptive
	 * policy on; also the ethtool private flag adaptive.
	 */
	IFLA_DUONET_ADAPTIVE,
	/*
	 * The VF reachability check: the targets asked through the VF every
	 * interval (ARP, neighbour solicitation); TX leaves the VF when none
	 * answered for REACH_MISSED intervals, and returns to it only after
	 * an answer since its link came. Off while the interval is 0.
	 */
	IFLA_DUONET_REACH_INTERVAL_MS,		/* u32: 0 (off), 10..60000 */
	IFLA_DUONET_REACH_MISSED,		/* u32: 1..255, default 2 */
	/*
	 * Nested, up to 16 IFLA_DUONET_REACH_TARGET each: IPv4 (4 bytes,
	 * network order) in REACH_IP4, IPv6 (16 bytes) in REACH_IP6. Written:
	 * the whole list (empty: none).
	 */
	IFLA_DUONET_REACH_IP4,
	IFLA_DUONET_REACH_IP6,
	IFLA_DUONET_VF_REACHABLE,		/* u8 read only: a target answered */
	__IFLA_DUONET_MAX,
};

#define IFLA_DUONET_MAX (__IFLA_DUONET_MAX - 1)

/* The attribute type of each target in IFLA_DUONET_REACH_IP4/IP6. */
#define IFLA_DUONET_REACH_TARGET	1
/* Targets per family, as bonding's arp_ip_target and ns_ip6_target. */
#define IFLA_DUONET_REACH_TARGETS_MAX	16

enum {
	IFLA_DUONET_LOWER_UNSPEC,
	IFLA_DUONET_LOWER_ROLE,			/* u8: enum duo_uapi_path */
	IFLA_DUONET_LOWER_ACTIVE,		/* u8: carries TX now */
	__IFLA_DUONET_LOWER_MAX,
};

#define IFLA_DUONET_LOWER_MAX (__IFLA_DUONET_LOWER_MAX - 1)

/*
 * A path: IFLA_DUONET_ACTIVE_PATH, IFLA_DUONET_LOWER_ROLE, and the path
 * hint in skb->mark (IFLA_DUONET_HINT_MASK). A hinted frame takes that
 * path if it is ready (running, with link) and pv-only does not forbid it
 * (pv-only wins over a VF hint); otherwise, and for a value that is no
 * path, the policy's path, counted (ethtool -S tx_hint_fallback).
 */
enum duo_uapi_path {
	DUO_UAPI_PATH_NONE,
	DUO_UAPI_PATH_VF,
	DUO_UAPI_PATH_PV,
};

#endif /* _DUO_UAPI_H */
