// SPDX-License-Identifier: GPL-2.0
/*
 * The VF path: recognising a passed-through NIC (an SR-IOV VF, or any PCI
 * Ethernet NIC standing in for one) that is not a paravirtual NIC, and
 * hearing of its PCI device leaving before its driver tears it down.
 */
#include <linux/if_arp.h>
#include <linux/netdevice.h>
#include <linux/pci.h>
#include <linux/rtnetlink.h>
#include <net/net_namespace.h>

#include "pv-path/pv.h"
#include "vf-path/vf.h"

bool duo_vf_recognise(const struct net_device *dev)
{
	struct device *parent = dev->dev.parent;

	if (!parent || !dev_is_pci(parent) || dev->type != ARPHRD_ETHER)
		return false;
	/* vmxnet3 is a PCI device too, but a paravirtual one. */
	return !duo_pv_recognise(dev);
}

/*
 * A VF's PCI device losing its driver (hot-unplug, sriov_numvfs=0, unbind)
 * is announced on the PCI bus before the driver's remove() runs, while the
 * VF can still receive: the caller (core/notify.c) moves TX and the peers
 * to the PV then, which makes the unplug make-before-break. NETDEV_GOING_DOWN,
 * which comes after the driver has begun tearing the NIC down, then finds
 * the switch done. Devices of the initial namespace, as auto-pairing.
 */
#if IS_ENABLED(CONFIG_PCI)
static void (*duo_vf_going)(struct net_device *dev, bool receives);

/*
 * The next netdev of pdev after ifindex @after, held; NULL when none is
 * left. going() takes RTNL itself and may sleep, so each is found anew.
 */
static struct net_device *duo_vf_next_of(struct device *pdev, int after)
{
	struct net_device *dev, *next = NULL;

	rtnl_lock();
	for_each_netdev(&init_net, dev)
		if (dev->dev.parent == pdev && dev->ifindex > after &&
		    (!next || dev->ifindex < next->ifindex))
			next = dev;
	if (next)
		dev_hold(next);
	rtnl_unlock();
	return next;
}

static int duo_vf_pci_event(struct notifier_block *nb, unsigned long action,
			    void *data)
{
	struct device *pdev = data;
	struct net_device *dev;
	int after = 0;

	if (action != BUS_NOTIFY_UNBIND_DRIVER ||
	    to_pci_dev(pdev)->class >> 16 != PCI_BASE_CLASS_NETWORK)
		return NOTIFY_DONE;
	while ((dev = duo_vf_next_of(pdev, after))) {
		after = dev->ifindex;
		duo_vf_going(dev, !pci_channel_offline(to_pci_dev(pdev)));
		dev_put(dev);
	}
	return NOTIFY_DONE;
}

static struct notifier_block duo_vf_pci_notifier = {
	.notifier_call = duo_vf_pci_event,
};

int duo_vf_watch_init(void (*going)(struct net_device *dev, bool receives))
{
	duo_vf_going = going;
	return bus_register_notifier(&pci_bus_type, &duo_vf_pci_notifier);
}

void duo_vf_watch_uninit(void)
{
	bus_unregister_notifier(&pci_bus_type, &duo_vf_pci_notifier);
}
#else
/* No PCI bus (UML without PCI emulation): VFs leave by NETDEV_GOING_DOWN. */
int duo_vf_watch_init(void (*going)(struct net_device *dev, bool receives))
{
	return 0;
}

void duo_vf_watch_uninit(void)
{
}
#endif /* CONFIG_PCI */
