// SPDX-License-Identifier: GPL-2.0
/*
 * Claiming, syncing and releasing a lower device, common to both roles.
 *
 * A claimed lower has duonet's rx_handler, the upper as its master (an
 * active-backup LAG), the upper's MTU, MAC, rx flags, address lists and
 * VLAN ids. Release undoes what claim did and nothing else: a lower goes
 * back to its own MTU and MAC, and down if duonet brought it up.
 */
#include <linux/device.h>
#include <linux/etherdevice.h>
#include <linux/if_vlan.h>
#include <linux/netdevice.h>
#include <linux/slab.h>

#include "compat/compat.h"
#include "lower/fault.h"
#include "lower/lower.h"

/* Set before the driver's probe, so a lower's own netdev always has it. */
const char *duo_lower_driver(const struct net_device *dev)
{
	const struct device *parent = dev->dev.parent;

	return parent && parent->driver ? parent->driver->name : NULL;
}

/*
 * A lower is marked IFF_SLAVE (visible in its flags from its first uevent,
 * so udev and network managers can skip it) and kept from configuring
 * addresses itself (DUO_COMPAT_LOWER_PRIV_FLAGS, compat/compat.h).
 */
void duo_lower_mark(struct net_device *dev)
{
	dev->flags |= IFF_SLAVE;
	dev->priv_flags |= DUO_COMPAT_LOWER_PRIV_FLAGS;
}

void duo_lower_unmark(struct net_device *dev)
{
	dev->flags &= ~IFF_SLAVE;
	dev->priv_flags &= ~DUO_COMPAT_LOWER_PRIV_FLAGS;
}

int duo_lower_sync_mtu(struct duo_lower *lo, unsigned int mtu,
		       struct netlink_ext_ack *extack)
{
	int err;

	ASSERT_RTNL();
	if (lo->dev->mtu == mtu)
		return 0;
	err = duo_should_fail(DUO_FAULT_MTU) ? -EIO : dev_set_mtu(lo->dev, mtu);
	if (err)
		NL_SET_ERR_MSG(extack, "duonet: the device refused the upper's MTU");
	return err;
}

int duo_lower_sync_addr(struct duo_lower *lo, const u8 *addr,
			struct netlink_ext_ack *extack)
{
	struct net_device *dev = lo->dev;
	int err;

	ASSERT_RTNL();
	if (ether_addr_equal(dev->dev_addr, addr))
		return 0;
	if (!lo->addr_changed)
		memcpy(lo->saved_addr, dev->dev_addr, dev->addr_len);
	err = duo_should_fail(DUO_FAULT_ADDR) ? -EIO : duo_compat_set_mac(dev, addr, extack);
	if (err)
		NL_SET_ERR_MSG(extack, "duonet: the device refused the upper's MAC address");
	else
		lo->addr_changed = true;
	return err;
}

/* The device's own MAC back, if the claim gave it the upper's. */
int duo_lower_own_addr(struct duo_lower *lo, struct netlink_ext_ack *extack)
{
	int err;

	ASSERT_RTNL();
	if (!lo->addr_changed)
		return 0;
	err = duo_compat_set_mac(lo->dev, lo->saved_addr, extack);
	if (err) {
		NL_SET_ERR_MSG(extack, "duonet: the other lower refused its own MAC back");
		return err;
	}
	lo->addr_changed = false;
	return 0;
}

/* Promiscuity and allmulti follow the upper's, one reference each. */
void duo_lower_sync_rx_flags(struct duo_lower *lo)
{
	bool promisc = lo->upper->flags & IFF_PROMISC;
	bool allmulti = lo->upper->flags & IFF_ALLMULTI;

	ASSERT_RTNL();
	if (promisc != lo->promisc &&
	    !dev_set_promiscuity(lo->dev, promisc ? 1 : -1))
		lo->promisc = promisc;
	if (allmulti != lo->allmulti &&
	    !dev_set_allmulti(lo->dev, allmulti ? 1 : -1))
		lo->allmulti = allmulti;
}

/* Called with the upper's address lock held (as ndo_set_rx_mode is). */
void duo_lower_sync_rx_lists(struct duo_lower *lo)
{
	lockdep_assert_held(&lo->upper->addr_list_lock);
	dev_uc_sync_multiple(lo->dev, lo->upper);
	dev_mc_sync_multiple(lo->dev, lo->upper);
}

int duo_lower_open(struct net_device *dev, struct netlink_ext_ack *extack)
{
	ASSERT_RTNL();
	if (duo_should_fail(DUO_FAULT_OPEN)) {
		NL_SET_ERR_MSG(extack, "duonet: the device failed to open (injected)");
		return -EIO;
	}
	return dev_open(dev, extack);
}

struct duo_lower *duo_lower_claim(struct net_device *upper,
				  struct net_device *dev, enum duo_path role,
				  rx_handler_func_t *rx_handler, bool own_addr,
				  struct netlink_ext_ack *extack)
{
	struct netdev_lag_upper_info info = {
		.tx_type = NETDEV_LAG_TX_TYPE_ACTIVEBACKUP,
	};
	struct duo_lower *lo;
	int err;

	ASSERT_RTNL();
	lo = kzalloc(sizeof(*lo), GFP_KERNEL);
	if (!lo)
		return ERR_PTR(-ENOMEM);
	lo->dev = dev;
	lo->upper = upper;
	lo->role = role;
	lo->saved_mtu = dev->mtu;
	netdev_hold(dev, &lo->dev_tracker, GFP_KERNEL);

	err = duo_lower_sync_mtu(lo, upper->mtu, extack);
	if (err)
		goto err_put;
	err = own_addr ? 0 : duo_lower_sync_addr(lo, upper->dev_addr, extack);
	if (err)
		goto err_restore_mtu;
	err = duo_should_fail(DUO_FAULT_RX_HANDLER) ? -EBUSY :
	      netdev_rx_handler_register(dev, rx_handler, lo);
	if (err) {
		NL_SET_ERR_MSG(extack, "duonet: the device already has an rx handler");
		goto err_restore_addr;
	}
	err = netdev_master_upper_dev_link(dev, upper, lo, &info, extack);
	if (err)
		goto err_unregister_handler;
	duo_lower_mark(dev);

	if (netif_running(upper) && !netif_running(dev)) {
		err = duo_lower_open(dev, extack);
		if (err)
			goto err_unlink;
		lo->opened = true;
	}
	err = vlan_vids_add_by_dev(dev, upper);
	if (err) {
		NL_SET_ERR_MSG(extack, "duonet: the device refused the upper's VLAN ids");
		goto err_close;
	}
	lo->vlans = true;
	duo_lower_sync_rx_flags(lo);
	netif_addr_lock_bh(upper);
	duo_lower_sync_rx_lists(lo);
	netif_addr_unlock_bh(upper);
	return lo;

err_close:
	if (lo->opened)
		dev_close(dev);
err_unlink:
	duo_lower_unmark(dev);
	netdev_upper_dev_unlink(dev, upper);
err_unregister_handler:
	netdev_rx_handler_unregister(dev);
err_restore_addr:
	if (lo->addr_changed)
		duo_compat_set_mac(dev, lo->saved_addr, NULL);
err_restore_mtu:
	if (dev->mtu != lo->saved_mtu)
		dev_set_mtu(dev, lo->saved_mtu);
err_put:
	netdev_put(dev, &lo->dev_tracker);
	kfree(lo);
	return ERR_PTR(err);
}

/*
 * Undo duo_lower_claim(). Also called from NETDEV_UNREGISTER, when the
 * device is already closed and only the links and references remain.
 * The caller has stopped using lo on the data path; it is freed after a
 * grace period.
 */
void duo_lower_release(struct duo_lower *lo)
{
	struct net_device *dev = lo->dev, *upper = lo->upper;
	bool alive = dev->reg_state == NETREG_REGISTERED;

	ASSERT_RTNL();
	if (lo->vlans)
		vlan_vids_del_by_dev(dev, upper);
	dev_uc_unsync(dev, upper);
	dev_mc_unsync(dev, upper);
	if (lo->promisc)
		dev_set_promiscuity(dev, -1);
	if (lo->allmulti)
		dev_set_allmulti(dev, -1);
	if (lo->opened && alive)
		dev_close(dev);
	duo_lower_unmark(dev);
	netdev_upper_dev_unlink(dev, upper);
	netdev_rx_handler_unregister(dev);
	if (alive && lo->addr_changed &&
	    !ether_addr_equal(dev->dev_addr, lo->saved_addr))
		duo_compat_set_mac(dev, lo->saved_addr, NULL);
	if (alive && dev->mtu != lo->saved_mtu)
		dev_set_mtu(dev, lo->saved_mtu);
	netdev_put(dev, &lo->dev_tracker);
	kfree_rcu(lo, rcu);
}
