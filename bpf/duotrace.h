/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by duotrace.bpf.c and duotrace.c: one path switch. */
#ifndef _DUOTRACE_H
#define _DUOTRACE_H

#define DUOTRACE_IFNAMSIZ 16

struct duotrace_switch {
	__u64 ts_ns;			/* bpf_ktime_get_ns() */
	__u64 usecs;			/* the switch's own duration */
	char dev[DUOTRACE_IFNAMSIZ];
	__u8 from, to, reason;		/* as in the tracepoint */
};

#endif /* _DUOTRACE_H */
