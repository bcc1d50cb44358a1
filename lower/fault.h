/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fault injection into the operations duonet asks of its lowers, for the
 * tests (tools/vm/scenarios/debug-faults.sh). Only in a kernel built with
 * CONFIG_FAULT_INJECTION_DEBUG_FS (the lab's debug kernel): the kernel's
 * own fault attributes, one per operation, under
 * /sys/kernel/debug/duonet/fail_<operation>/ (probability, interval,
 * times, verbose: Documentation/fault-injection/fault-injection.rst).
 * Elsewhere duo_should_fail() is false and nothing is created.
 */
#ifndef _DUO_FAULT_H
#define _DUO_FAULT_H

#include <linux/types.h>

enum duo_fault {
	DUO_FAULT_MTU,		/* fail_mtu: a lower's MTU set */
	DUO_FAULT_ADDR,		/* fail_addr: a lower's MAC set */
	DUO_FAULT_OPEN,		/* fail_open: opening a lower */
	DUO_FAULT_RX_HANDLER,	/* fail_rx_handler: its rx handler registration */
	DUO_FAULT_FEATURES,	/* fail_features: a lower taking offloads */
	DUO_FAULT_MAX,
};

#ifdef CONFIG_FAULT_INJECTION_DEBUG_FS
bool duo_should_fail(enum duo_fault f);
void duo_fault_init(void);
void duo_fault_uninit(void);
#else
static inline bool duo_should_fail(enum duo_fault f)
{
	return false;
}

static inline void duo_fault_init(void)
{
}

static inline void duo_fault_uninit(void)
{
}
#endif

#endif /* _DUO_FAULT_H */
