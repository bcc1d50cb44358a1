/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by xdpfilter.bpf.c and xdpfilter.c. */
#ifndef _XDPFILTER_H
#define _XDPFILTER_H

/* Per-CPU counts of one receiving lower (map "counts", key its ifindex). */
struct xdpfilter_counts {
	__u64 pass;		/* frames passed on to the stack */
	__u64 drop;		/* UDP frames to the dropped port */
	__u64 tx;		/* reflected out of the lower (XDP_TX) */
	__u64 redirect;		/* reflected through the upper (XDP_REDIRECT) */
};

/* Lowers the program may see at once or over time (map sizes). */
#define XDPFILTER_MAX_LOWERS	256

#endif /* _XDPFILTER_H */
