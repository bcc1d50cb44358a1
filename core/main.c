// SPDX-License-Identifier: GPL-2.0
/*
 * duonet: one guest network interface over a passthrough (VF) path and a
 * paravirtual (PV) path, with live failover between them.
 *
 * Module init and exit: each concern has duo_<x>_init()/_uninit(), chained
 * here with unwind labels; exit undoes them in exact reverse order. The
 * notifier comes first so no lower event is missed once uppers exist; the
 * link kind next; auto-pairing last, once everything it needs is there.
 */
#include <linux/module.h>

#include "core/duonet.h"
#include "lower/fault.h"

/*
 * Defaults of new uppers' settings, checked against the settings' table
 * (core/settings.c): a value out of range keeps the module from loading.
 */
module_param_cb(announce_count, &duo_set_param_ops,
		&duo_set_defaults[DUO_SET_ANNOUNCE_COUNT], 0444);
__MODULE_PARM_TYPE(announce_count, "uint");
MODULE_PARM_DESC(announce_count, "Peer announcements after a path switch (0-100, default 3)");
module_param_cb(announce_interval_ms, &duo_set_param_ops,
		&duo_set_defaults[DUO_SET_ANNOUNCE_INTERVAL_MS], 0444);
__MODULE_PARM_TYPE(announce_interval_ms, "uint");
MODULE_PARM_DESC(announce_interval_ms, "Milliseconds between announcements (1-10000, default 100)");
module_param_cb(failback_delay_ms, &duo_set_param_ops,
		&duo_set_defaults[DUO_SET_FAILBACK_DELAY_MS], 0444);
__MODULE_PARM_TYPE(failback_delay_ms, "uint");
MODULE_PARM_DESC(failback_delay_ms,
		 "Milliseconds a returning VF must be up before TX moves back (0-600000, default 0)");

/*
 * compiler_types.h (6.12) defines auto as __auto_type, which macros such
 * as data_race() use; the parameter's name is "auto": the last of the
 * file's parameters, and nothing after it needs the macro.
 */
#undef auto
module_param_named(auto, duo_auto, bool, 0444);
MODULE_PARM_DESC(auto, "Pair PV and VF NICs by themselves (default 1)");
module_param_named(skip, duo_skip, charp, 0444);
MODULE_PARM_DESC(skip, "Permanent MACs auto-pairing never takes, comma-separated");

static int __init duo_mod_init(void)
{
	int err;

	/* The tests' fault injection (debug kernels only), before any lower. */
	duo_fault_init();
	err = duo_notify_init();
	if (err)
		goto err_uninit_fault;
	err = duo_netdev_init();
	if (err)
		goto err_uninit_notify;
	err = duo_pair_init();
	if (err)
		goto err_uninit_netdev;

	pr_info("%s loaded (auto=%d)\n", DUO_DRV_VERSION, duo_auto);
	return 0;

err_uninit_netdev:
	duo_netdev_uninit();
err_uninit_notify:
	duo_notify_uninit();
err_uninit_fault:
	duo_fault_uninit();
	return err;
}

static void __exit duo_mod_exit(void)
{
	duo_pair_uninit();
	duo_netdev_uninit();
	duo_notify_uninit();
	duo_fault_uninit();
	pr_info("unloaded\n");
}

module_init(duo_mod_init);
module_exit(duo_mod_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Unified VF + paravirtual network interface with live failover");
MODULE_AUTHOR("The duonet authors");
MODULE_VERSION(DUO_DRV_VERSION);
MODULE_ALIAS_RTNL_LINK(DUO_DRV_NAME);
