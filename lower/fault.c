// SPDX-License-Identifier: GPL-2.0
/* Fault injection into lower operations (see fault.h): debug kernels. */
#include <linux/debugfs.h>
#include <linux/fault-inject.h>

#include "lower/fault.h"

#ifdef CONFIG_FAULT_INJECTION_DEBUG_FS

static const char *const duo_fault_names[DUO_FAULT_MAX] = {
	[DUO_FAULT_MTU] = "fail_mtu",
	[DUO_FAULT_ADDR] = "fail_addr",
	[DUO_FAULT_OPEN] = "fail_open",
	[DUO_FAULT_RX_HANDLER] = "fail_rx_handler",
	[DUO_FAULT_FEATURES] = "fail_features",
};

static struct fault_attr duo_faults[DUO_FAULT_MAX];
static struct dentry *duo_fault_dir;

bool duo_should_fail(enum duo_fault f)
{
	return should_fail(&duo_faults[f], 1);
}

void duo_fault_init(void)
{
	int i;

	duo_fault_dir = debugfs_create_dir("duonet", NULL);
	for (i = 0; i < DUO_FAULT_MAX; i++) {
		duo_faults[i] = (struct fault_attr)FAULT_ATTR_INITIALIZER;
		/* Nothing fails until a test sets probability; no stack dumps. */
		duo_faults[i].verbose = 0;
		fault_create_debugfs_attr(duo_fault_names[i], duo_fault_dir,
					  &duo_faults[i]);
	}
}

void duo_fault_uninit(void)
{
	debugfs_remove_recursive(duo_fault_dir);
}

#endif
