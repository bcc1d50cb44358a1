// SPDX-License-Identifier: GPL-2.0
/*
 * ethtool operations of the upper device.
 */
#include <linux/ethtool.h>
#include <linux/netdevice.h>

#include "core/duonet.h"

static void duo_get_drvinfo(struct net_device *dev,
			    struct ethtool_drvinfo *info)
{
	strscpy(info->driver, DUO_DRV_NAME, sizeof(info->driver));
	strscpy(info->version, DUO_DRV_VERSION, sizeof(info->version));
}

const struct ethtool_ops duo_ethtool_ops = {
	.get_drvinfo	= duo_get_drvinfo,
	.get_link	= ethtool_op_get_link,
};
