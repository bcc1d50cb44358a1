/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The lower object shared by vf-path/ and pv-path/: one claimed lower
 * device and what duonet changed on it, so release can undo exactly that.
 *
 * All functions here run under RTNL (asserted). The upper is passed in as
 * an argument. Includes only compat/ and
 * failover/path.h (sources.mk has the order).
 */
#ifndef _DUO_LOWER_H
#define _DUO_LOWER_H

#include <linux/etherdevice.h>
#include <linux/netdevice.h>
#include <linux/rcupdate.h>

#include "failover/path.h"

struct duo_lower {
	struct net_device *dev;
	struct net_device *upper;
	netdevice_tracker dev_tracker;
	enum duo_path role;
	unsigned int saved_mtu;		/* restored on release */
	u8 saved_addr[MAX_ADDR_LEN];	/* valid when addr_changed */
	bool addr_changed;
	bool opened;			/* duonet opened it: close on release */
	bool promisc;			/* promiscuity/allmulti references held */
	bool allmulti;
	bool vlans;			/* upper's VLAN ids added */
	struct rcu_head rcu;
};

/* The name of the driver bound to the device dev sits on, or NULL. */
const char *duo_lower_driver(const struct net_device *dev);

/* The MAC a pair is matched on: permanent if it has one, else current. */
static inline const u8 *duo_pair_addr(const struct net_device *dev)
{
	return is_valid_ether_addr(dev->perm_addr) ? dev->perm_addr : dev->dev_addr;
}

/* Marks a device as a lower before userspace sees it (see lower.c). */
void duo_lower_mark(struct net_device *dev);
void duo_lower_unmark(struct net_device *dev);

/*
 * Claims dev for upper: its MTU, and unless own_addr its MAC, set to the
 * upper's (and given back at release); the rx handler, the master link,
 * opened if the upper is up, the upper's VLANs and address lists.
 */
struct duo_lower *duo_lower_claim(struct net_device *upper,
				  struct net_device *dev, enum duo_path role,
				  rx_handler_func_t *rx_handler, bool own_addr,
				  struct netlink_ext_ack *extack);
void duo_lower_release(struct duo_lower *lo);
int duo_lower_open(struct net_device *dev, struct netlink_ext_ack *extack);

int duo_lower_sync_mtu(struct duo_lower *lo, unsigned int mtu,
		       struct netlink_ext_ack *extack);
int duo_lower_own_addr(struct duo_lower *lo, struct netlink_ext_ack *extack);
int duo_lower_sync_addr(struct duo_lower *lo, const u8 *addr,
			struct netlink_ext_ack *extack);
void duo_lower_sync_rx_flags(struct duo_lower *lo);
void duo_lower_sync_rx_lists(struct duo_lower *lo);

#endif /* _DUO_LOWER_H */
