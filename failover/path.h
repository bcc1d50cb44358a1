/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The two paths of an upper. One enum for what the state machine chooses
 * (the active path), what a lower is (its role) and what the per-path
 * counters are indexed by (their DUO_PATH_NONE entry is not used). Its
 * values are those of the rtnetlink enum duo_uapi_path (core/uapi.h),
 * asserted where both are seen (core/netlink.c).
 */
#ifndef _DUO_PATH_H
#define _DUO_PATH_H

enum duo_path {
	DUO_PATH_NONE,
	DUO_PATH_VF,
	DUO_PATH_PV,
	DUO_PATH_MAX,
};

/* Each path (not DUO_PATH_NONE). */
#define duo_for_each_path(path) \
	for ((path) = DUO_PATH_VF; (path) < DUO_PATH_MAX; (path)++)

/* "none", "vf", "pv". */
const char *duo_path_name(enum duo_path path);

#endif /* _DUO_PATH_H */
