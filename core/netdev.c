// SPDX-License-Identifier: GPL-2.0
/*
 * The upper net_device: its rtnl_link_ops kind "duonet", setup and ndo ops.
 *
 * Until lowers can join, the upper has no path: it transmits nothing and
 * counts every frame the stack hands it as dropped, and it has no carrier.
 */
#include <linux/etherdevice.h>
#include <linux/netdevice.h>
#include <net/rtnetlink.h>

#include "core/compat.h"
#include "core/duonet.h"

static int duo_open(struct net_device *dev)
{
	/* No lower yet, so no link: carrier follows the paths. */
	netif_carrier_off(dev);
	netif_tx_start_all_queues(dev);
	return 0;
}

static int duo_stop(struct net_device *dev)
{
	netif_tx_stop_all_queues(dev);
	return 0;
}

static netdev_tx_t duo_start_xmit(struct sk_buff *skb, struct net_device *dev)
{
	/* No path to send on: drop and count, as the stack cannot requeue. */
	dev_core_stats_tx_dropped_inc(dev);
	kfree_skb(skb);
	return NETDEV_TX_OK;
}

static const struct net_device_ops duo_netdev_ops = {
	.ndo_open		= duo_open,
	.ndo_stop		= duo_stop,
	.ndo_start_xmit		= duo_start_xmit,
	.ndo_validate_addr	= eth_validate_addr,
	.ndo_set_mac_address	= eth_mac_addr,
};

static void duo_setup(struct net_device *dev)
{
	struct duo_priv *priv = netdev_priv(dev);

	ether_setup(dev);
	priv->dev = dev;

	dev->netdev_ops = &duo_netdev_ops;
	dev->ethtool_ops = &duo_ethtool_ops;
	dev->needs_free_netdev = true;

	/* The lower's qdisc does the queueing; ours would only add a copy. */
	dev->priv_flags |= IFF_NO_QUEUE;
	dev->priv_flags &= ~IFF_TX_SKB_SHARING;
	duo_compat_set_lltx(dev);

	dev->min_mtu = ETH_MIN_MTU;
	dev->max_mtu = ETH_MAX_MTU;

	eth_hw_addr_random(dev);
}

static int duo_validate(struct nlattr *tb[], struct nlattr *data[],
			struct netlink_ext_ack *extack)
{
	if (tb[IFLA_ADDRESS]) {
		if (nla_len(tb[IFLA_ADDRESS]) != ETH_ALEN) {
			NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_ADDRESS],
					    "duonet: MAC address must be 6 bytes");
			return -EINVAL;
		}
		if (!is_valid_ether_addr(nla_data(tb[IFLA_ADDRESS]))) {
			NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_ADDRESS],
					    "duonet: MAC address must be unicast and non-zero");
			return -EADDRNOTAVAIL;
		}
	}
	return 0;
}

struct rtnl_link_ops duo_link_ops __read_mostly = {
	.kind		= DUO_DRV_NAME,
	.priv_size	= sizeof(struct duo_priv),
	.setup		= duo_setup,
	.validate	= duo_validate,
};

int duo_netdev_init(void)
{
	return rtnl_link_register(&duo_link_ops);
}

void duo_netdev_uninit(void)
{
	/* Deletes every remaining upper under RTNL before returning. */
	rtnl_link_unregister(&duo_link_ops);
}
