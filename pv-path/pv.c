// SPDX-License-Identifier: GPL-2.0
/*
 * The PV path: recognising a paravirtual NIC, the lower that anchors a pair,
 * and the PV of a host set up for QEMU's own failover (failover=on).
 */
#include <linux/device.h>
#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <net/failover.h>

#include "lower/lower.h"
#include "pv-path/pv.h"

static const char * const duo_pv_drivers[] = { "virtio_net", "vmxnet3" };

bool duo_pv_recognise(const struct net_device *dev)
{
	const char *drv = duo_lower_driver(dev);
	unsigned int i;

	if (!drv || dev->type != ARPHRD_ETHER)
		return false;
	for (i = 0; i < ARRAY_SIZE(duo_pv_drivers); i++)
		if (!strcmp(drv, duo_pv_drivers[i]))
			return true;
	return false;
}

/*
 * The address an upper auto-created over this PV takes (before it is
 * registered): the PV's MAC, as its own. The guest's NIC is this upper:
 * its MAC is the one the hypervisor gave the VM, so it is permanent, as
 * net_failover's master's is. "Stolen" would hide it from tools that map
 * MACs to devices (cloud-init skips such devices and then finds no NIC at
 * all, since the lowers have a master). A PV without one (a virtio NIC
 * without the MAC feature) lends its current MAC, which is no more
 * permanent here than there.
 */
void duo_pv_lend_addr(struct net_device *upper, const struct net_device *pv)
{
	eth_hw_addr_set(upper, duo_pair_addr(pv));
	memcpy(upper->perm_addr, duo_pair_addr(pv), ETH_ALEN);
	upper->addr_assign_type = is_valid_ether_addr(pv->perm_addr) ?
				  NET_ADDR_PERM : NET_ADDR_STOLEN;
}

/*
 * A host set up the documented KVM way (QEMU's virtio-net failover=on,
 * libvirt's <teaming>) offers VIRTIO_NET_F_STANDBY: virtio_net then
 * registers a net_failover master on the same virtio device before its
 * own netdev, which becomes that master's "standby" port, and net_failover
 * (net/core/failover.c's notifier) takes a PCI NIC with the same permanent
 * MAC as its "primary" when it registers. duonet takes the master as its
 * PV lower, the virtio_net netdev staying under it, and takes the primary
 * away from net_failover for its own VF path. The master is recognised as
 * a PV (its parent is the virtio device), and is the only net_failover
 * master there is (netvsc, Hyper-V's, does not use failover.c).
 */
bool duo_pv_standby_master(const struct net_device *dev)
{
	return netif_is_failover(dev) && duo_pv_recognise(dev);
}

/*
 * The standby under a master duonet takes or lets go of: a lower of the
 * PV path in all but name, flagged IFF_SLAVE as duonet's lowers are
 * (auto-pairing's premark has it so when duonet is loaded before
 * virtio_net): network managers leave it alone, and a 6.1 kernel, whose
 * failover.c does not keep addrconf off it, gives it no IPv6 address.
 * Only that flag: the private ones duonet sets on its own lowers are those
 * failover.c sets on its slaves (IFF_NO_ADDRCONF, 6.1's
 * IFF_LIVE_RENAME_OK), and stay net_failover's. RTNL.
 */
void duo_pv_standby_mark(struct net_device *master, bool mark)
{
	struct net_device *lower;
	struct list_head *iter;

	ASSERT_RTNL();
	if (!duo_pv_standby_master(master))
		return;
	netdev_for_each_lower_dev(master, lower, iter) {
		if (lower->dev.parent != master->dev.parent)
			continue;
		if (mark)
			lower->flags |= IFF_SLAVE;
		else
			lower->flags &= ~IFF_SLAVE;
	}
}

#if IS_REACHABLE(CONFIG_FAILOVER)
/*
 * If dev is a standby master's primary, net_failover lets go of it: its
 * rx handler and master link go, it is closed, and the master sends on
 * its standby again. net_failover takes a device only when it registers,
 * so it stays free. RTNL.
 */
bool duo_pv_standby_free(struct net_device *dev)
{
	struct net_device *master = netdev_master_upper_dev_get(dev);

	ASSERT_RTNL();
	if (!master || !netif_is_failover_slave(dev) ||
	    !duo_pv_standby_master(master) || dev->dev.parent == master->dev.parent)
		return false;
	failover_slave_unregister(dev);
	if (netdev_master_upper_dev_get(dev))
		return false;
	netdev_info(dev, "taken from net_failover's %s for duonet\n", master->name);
	return true;
}

/* A standby master's primary, freed as above (before the master is used). */
bool duo_pv_standby_free_primary(struct net_device *master)
{
	struct net_device *lower;
	struct list_head *iter;

	ASSERT_RTNL();
	if (!duo_pv_standby_master(master))
		return false;
	netdev_for_each_lower_dev(master, lower, iter) {
		/* One primary at most; the list changes when it goes. */
		if (lower->dev.parent != master->dev.parent)
			return duo_pv_standby_free(lower);
	}
	return false;
}
#else
/* No net/core/failover.c in this kernel: no net_failover master either. */
bool duo_pv_standby_free(struct net_device *dev)
{
	return false;
}

bool duo_pv_standby_free_primary(struct net_device *master)
{
	return false;
}
#endif
