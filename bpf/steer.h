/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by steer.bpf.c and steer.c. */
#ifndef _STEER_H
#define _STEER_H

/* Per-CPU counters of the program (map "counts"). */
enum steer_count {
	STEER_SEEN,		/* frames the program looked at */
	STEER_MARKED,		/* frames given the path hint */
	STEER_NCOUNTS,
};

#endif /* _STEER_H */
