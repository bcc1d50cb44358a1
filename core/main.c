// SPDX-License-Identifier: GPL-2.0
/*
 * duonet: one guest network interface over a passthrough (VF) path and a
 * paravirtual (PV) path, with live failover between them.
 *
 * Module init and exit: each concern has duo_<x>_init()/_uninit(), chained
 * here with unwind labels; exit undoes them in exact reverse order.
 */
#include <linux/module.h>

#include "core/duonet.h"

static int __init duo_mod_init(void)
{
	int err;

	err = duo_netdev_init();
	if (err)
		return err;

	pr_info("%s loaded\n", DUO_DRV_VERSION);
	return 0;
}

static void __exit duo_mod_exit(void)
{
	duo_netdev_uninit();
	pr_info("unloaded\n");
}

module_init(duo_mod_init);
module_exit(duo_mod_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Unified VF + paravirtual network interface with live failover");
MODULE_AUTHOR("The duonet authors");
MODULE_VERSION(DUO_DRV_VERSION);
MODULE_ALIAS_RTNL_LINK(DUO_DRV_NAME);
