// SPDX-License-Identifier: GPL-2.0
/*
 * duotrace's BPF side: every duonet:duonet_path_switch event into a ring
 * buffer. The context layout is the tracepoint's format (core/trace.h);
 * duotrace checks it against the running kernel's before loading this.
 */
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

#include "duotrace.h"

/* /sys/kernel/tracing/events/duonet/duonet_path_switch/format */
struct duonet_path_switch_ctx {
	__u64 common;			/* struct trace_entry */
	char dev[DUOTRACE_IFNAMSIZ];	/* offset 8 */
	int ifindex;			/* 24 */
	__u8 from;			/* 28 */
	__u8 to;			/* 29 */
	__u8 reason;			/* 30 */
	__u64 usecs;			/* 32 */
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} events SEC(".maps");

SEC("tracepoint/duonet/duonet_path_switch")
int duotrace_switch(struct duonet_path_switch_ctx *ctx)
{
	struct duotrace_switch *e;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->ts_ns = bpf_ktime_get_ns();
	e->usecs = ctx->usecs;
	__builtin_memcpy(e->dev, ctx->dev, sizeof(e->dev));
	e->from = ctx->from;
	e->to = ctx->to;
	e->reason = ctx->reason;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
