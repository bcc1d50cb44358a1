// SPDX-License-Identifier: GPL-2.0
/*
 * The PV path: recognising a paravirtual NIC, the lower that anchors a pair.
 */
#include <linux/device.h>
#include <linux/if_arp.h>
#include <linux/netdevice.h>

#include "lower/lower.h"

static const char * const duo_pv_drivers[] = { "virtio_net", "vmxnet3" };

/* The driver bound to the device the netdev sits on (set before probe). */
static const char *parent_driver(const struct net_device *dev)
{
	const struct device *parent = dev->dev.parent;

	return parent && parent->driver ? parent->driver->name : NULL;
}

bool duo_pv_recognise(const struct net_device *dev)
{
	const char *drv = parent_driver(dev);
	unsigned int i;

	if (!drv || dev->type != ARPHRD_ETHER)
		return false;
	for (i = 0; i < ARRAY_SIZE(duo_pv_drivers); i++)
		if (!strcmp(drv, duo_pv_drivers[i]))
			return true;
	return false;
}
