// SPDX-License-Identifier: GPL-2.0
/*
 * The VF path: recognising a passed-through NIC (an SR-IOV VF, or any PCI
 * Ethernet NIC standing in for one) that is not a paravirtual NIC.
 */
#include <linux/if_arp.h>
#include <linux/netdevice.h>
#include <linux/pci.h>

#include "lower/lower.h"

bool duo_vf_recognise(const struct net_device *dev)
{
	struct device *parent = dev->dev.parent;

	if (!parent || !dev_is_pci(parent) || dev->type != ARPHRD_ETHER)
		return false;
	/* vmxnet3 is a PCI device too, but a paravirtual one. */
	return !duo_pv_recognise(dev);
}
