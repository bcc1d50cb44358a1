/* SPDX-License-Identifier: GPL-2.0 */
/*
 * duonet private header, shared by the files of core/.
 *
 * Lock order: RTNL is the only lock taken so far; every control path runs
 * under it (asserted with ASSERT_RTNL()). The data path takes no lock.
 */
#ifndef _DUO_DUONET_H
#define _DUO_DUONET_H

#include <linux/netdevice.h>
#include <net/rtnetlink.h>

#define DUO_DRV_NAME	"duonet"
#define DUO_DRV_VERSION	"0.1.0"

/* The upper device's private area. */
struct duo_priv {
	struct net_device *dev;
};

extern struct rtnl_link_ops duo_link_ops;
extern const struct ethtool_ops duo_ethtool_ops;

int duo_netdev_init(void);
void duo_netdev_uninit(void);

#endif /* _DUO_DUONET_H */
