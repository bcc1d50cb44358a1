/* SPDX-License-Identifier: GPL-2.0 */
/*
 * duonet's tracepoints (contract names, DESIGN.md):
 *   duonet:duonet_path_switch  an upper's TX path changed: from, to, why,
 *                              and how long the switch took
 *   duonet:duonet_lower_event  an event of a lower that changed what the
 *                              state machine knows of it (present,
 *                              running, carrier)
 * Fields are plain values (no pointers), so BPF tools (duotrace) and
 * trace-cmd read them from the format alone.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM duonet

#if !defined(_DUO_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _DUO_TRACE_H

#include <linux/netdevice.h>
#include <linux/string.h>
#include <linux/tracepoint.h>

#define duo_trace_paths					\
	{ 0, "none" }, { 1, "vf" }, { 2, "pv" }

#define duo_trace_reasons				\
	{ 0, "none" }, { 1, "plug" }, { 2, "unplug" },	\
	{ 3, "carrier" }, { 4, "admin" }, { 5, "pv-only" },	\
	{ 6, "failback" }, { 7, "adaptive" }, { 8, "reach" }

/* The VF form of enum duo_fo_event: the role is a field of its own. */
#define duo_trace_events				\
	{ 0, "register" }, { 1, "unregister" }, { 2, "up" },	\
	{ 3, "going-down" }, { 4, "down" }, { 5, "carrier-on" },	\
	{ 6, "carrier-off" }

TRACE_EVENT(duonet_path_switch,
	TP_PROTO(const struct net_device *dev, u8 from, u8 to, u8 reason,
		 u64 usecs),
	TP_ARGS(dev, from, to, reason, usecs),
	TP_STRUCT__entry(
		__array(char, dev, IFNAMSIZ)
		__field(int, ifindex)
		__field(u8, from)
		__field(u8, to)
		__field(u8, reason)
		__field(u64, usecs)
	),
	TP_fast_assign(
		strscpy(__entry->dev, dev->name, IFNAMSIZ);
		__entry->ifindex = dev->ifindex;
		__entry->from = from;
		__entry->to = to;
		__entry->reason = reason;
		__entry->usecs = usecs;
	),
	TP_printk("dev=%s from=%s to=%s reason=%s usecs=%llu", __entry->dev,
		  __print_symbolic(__entry->from, duo_trace_paths),
		  __print_symbolic(__entry->to, duo_trace_paths),
		  __print_symbolic(__entry->reason, duo_trace_reasons),
		  __entry->usecs)
);

TRACE_EVENT(duonet_lower_event,
	TP_PROTO(const struct net_device *upper, const struct net_device *lower,
		 u8 role, u8 event),
	TP_ARGS(upper, lower, role, event),
	TP_STRUCT__entry(
		__array(char, dev, IFNAMSIZ)
		__array(char, lower, IFNAMSIZ)
		__field(u8, role)
		__field(u8, event)
	),
	TP_fast_assign(
		strscpy(__entry->dev, upper->name, IFNAMSIZ);
		strscpy(__entry->lower, lower->name, IFNAMSIZ);
		__entry->role = role;
		__entry->event = event;
	),
	TP_printk("dev=%s lower=%s role=%s event=%s", __entry->dev,
		  __entry->lower, __print_symbolic(__entry->role, duo_trace_paths),
		  __print_symbolic(__entry->event, duo_trace_events))
);

#endif /* _DUO_TRACE_H */

/* Out of the kernel tree: core/trace.h, found through -I$(src). */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH core
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
