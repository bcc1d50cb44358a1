// SPDX-License-Identifier: GPL-2.0
/*
 * The upper net_device: its rtnl_link_ops kind "duonet", setup and the
 * control ndo ops. Every change the stack makes to the upper (MTU, MAC, rx
 * mode, VLANs, features, up/down) is carried to both lowers, and rolled
 * back on the ones that took it when another refuses.
 */
#include <linux/etherdevice.h>
#include <linux/if_vlan.h>
#include <linux/netdevice.h>
#include <net/rtnetlink.h>

#include "compat/compat.h"
#include "core/duonet.h"
#include "core/uapi.h"

static int duo_init(struct net_device *dev)
{
	struct duo_priv *priv = netdev_priv(dev);

	priv->pcpu = netdev_alloc_pcpu_stats(struct duo_pcpu_stats);
	if (!priv->pcpu)
		return -ENOMEM;
	spin_lock_init(&priv->stats_lock);
	duo_dedup_init(&priv->dedup);
	duo_compat_upper_lockdep(dev);
	duo_path_init(priv);
	/* No path yet: no carrier until a lower brings one. */
	netif_carrier_off(dev);
	return 0;
}

static void duo_uninit(struct net_device *dev)
{
	struct duo_priv *priv = netdev_priv(dev);

	duo_leave_all(priv);
	duo_path_uninit(priv);
}

static void duo_destructor(struct net_device *dev)
{
	struct duo_priv *priv = netdev_priv(dev);

	duo_tuning_free(priv);
	free_percpu(priv->pcpu);
}

/* Lowers follow the upper's admin state; duonet closes what it opened. */
static int duo_open(struct net_device *dev)
{
	struct duo_priv *priv = netdev_priv(dev);
	struct duo_lower *lo;
	int path, err;

	ASSERT_RTNL();
	duo_for_each_lower(priv, lo, path) {
		if (netif_running(lo->dev))
			continue;
		err = duo_lower_open(lo->dev, NULL);
		if (err) {
			netdev_warn(dev, "cannot open %s: %d\n", lo->dev->name, err);
			continue;
		}
		lo->opened = true;
	}
	netif_tx_start_all_queues(dev);
	return 0;
}

static int duo_stop(struct net_device *dev)
{
	struct duo_priv *priv = netdev_priv(dev);
	struct duo_lower *lo;
	int path;

	ASSERT_RTNL();
	netif_tx_disable(dev);
	duo_for_each_lower(priv, lo, path) {
		if (lo->opened) {
			lo->opened = false;
			dev_close(lo->dev);
		}
	}
	/* Closing the VF ourselves is no flap: forget the loss history. */
	duo_fo_forget_losses(&priv->fo);
	return 0;
}

static int sync_mtu(struct duo_lower *lo, const void *mtu)
{
	return duo_lower_sync_mtu(lo, *(const unsigned int *)mtu, NULL);
}

static int sync_addr(struct duo_lower *lo, const void *addr)
{
	return duo_lower_sync_addr(lo, addr, NULL);
}

/* Carry a change to both lowers; if one refuses, put the other back. */
static int sync_lowers(struct duo_priv *priv, const char *what,
		       int (*sync)(struct duo_lower *lo, const void *val),
		       const void *val, const void *old)
{
	struct duo_lower *lo;
	int path, err = 0;

	ASSERT_RTNL();
	duo_for_each_lower(priv, lo, path) {
		err = sync(lo, val);
		if (err) {
			netdev_err(priv->dev, "%s refused the %s: %d\n",
				   lo->dev->name, what, err);
			break;
		}
	}
	if (err)
		while (--path >= DUO_PATH_VF) {
			lo = duo_lower_at(priv, path);
			if (lo)
				sync(lo, old);
		}
	return err;
}

static int duo_change_mtu(struct net_device *dev, int mtu)
{
	unsigned int new = mtu, old = dev->mtu;
	int err;

	err = sync_lowers(netdev_priv(dev), "MTU", sync_mtu, &new, &old);
	if (err)
		return err;
	WRITE_ONCE(dev->mtu, mtu);
	return 0;
}

static int duo_set_mac_address(struct net_device *dev, void *p)
{
	struct duo_priv *priv = netdev_priv(dev);
	struct sockaddr *sa = p;
	int err;

	if (!is_valid_ether_addr(sa->sa_data))
		return -EADDRNOTAVAIL;
	if (priv->mac_follow) {
		if (ether_addr_equal(sa->sa_data, dev->dev_addr))
			return 0;
		netdev_warn(dev, "MAC not set: it follows the TX path's (a pair with two MACs, pair=)\n");
		return -EBUSY;
	}
	err = sync_lowers(priv, "MAC address", sync_addr, sa->sa_data, dev->dev_addr);
	if (err)
		return err;
	eth_hw_addr_set(dev, sa->sa_data);
	dev->addr_assign_type = NET_ADDR_SET;
	/* Peers still send to the old MAC: tell them (arp_notify is off). */
	duo_announce(priv);
	return 0;
}

static void duo_change_rx_flags(struct net_device *dev, int change)
{
	struct duo_priv *priv = netdev_priv(dev);
	struct duo_lower *lo;
	int path;

	duo_for_each_lower(priv, lo, path)
		duo_lower_sync_rx_flags(lo);
}

/* Under the upper's address lock, maybe from softirq: RCU, not RTNL. */
static void duo_set_rx_mode(struct net_device *dev)
{
	struct duo_priv *priv = netdev_priv(dev);
	struct duo_lower *lo;

	rcu_read_lock();
	lo = rcu_dereference(priv->vf);
	if (lo)
		duo_lower_sync_rx_lists(lo);
	lo = rcu_dereference(priv->pv);
	if (lo)
		duo_lower_sync_rx_lists(lo);
	rcu_read_unlock();
}

static int duo_vlan_rx_add_vid(struct net_device *dev, __be16 proto, u16 vid)
{
	struct duo_priv *priv = netdev_priv(dev);
	struct duo_lower *lo;
	int path, err = 0;

	duo_for_each_lower(priv, lo, path) {
		err = vlan_vid_add(lo->dev, proto, vid);
		if (err)
			break;
	}
	if (err)
		while (--path >= DUO_PATH_VF) {
			lo = duo_lower_at(priv, path);
			if (lo)
				vlan_vid_del(lo->dev, proto, vid);
		}
	return err;
}

static int duo_vlan_rx_kill_vid(struct net_device *dev, __be16 proto, u16 vid)
{
	struct duo_priv *priv = netdev_priv(dev);
	struct duo_lower *lo;
	int path;

	duo_for_each_lower(priv, lo, path)
		vlan_vid_del(lo->dev, proto, vid);
	return 0;
}

/* What every lower can do (core/features.c), the away VF's included. */
static netdev_features_t duo_fix_features(struct net_device *dev,
					  netdev_features_t features)
{
	struct duo_priv *priv = netdev_priv(dev);
	struct duo_lower *pv = rtnl_dereference(priv->pv);
	struct duo_lower *vf = rtnl_dereference(priv->vf);

	ASSERT_RTNL();
	return duo_features_common(features, pv ? &pv->dev->features : NULL,
				   vf ? &vf->dev->features : NULL,
				   priv->vf_features_valid ? &priv->vf_features : NULL);
}

static int duo_add_lower(struct net_device *dev, struct net_device *lower,
			 struct netlink_ext_ack *extack)
{
	return duo_join(netdev_priv(dev), lower, duo_lower_detect_role(lower),
			extack);
}

static int duo_del_lower(struct net_device *dev, struct net_device *lower)
{
	struct duo_lower *lo = duo_lower_of(lower);

	if (!lo || lo->upper != dev)
		return -EINVAL;
	duo_leave(netdev_priv(dev), lo);
	duo_pair_decline(lower);
	return 0;
}

/*
 * ip link del: the user takes the lowers out of pairing too, or the next
 * pairing scan would make the upper again (core/notify.c). Also called
 * for every upper at unload and with a dying namespace, where pairing is
 * off or the lowers are not the initial namespace's: nothing declined.
 */
static void duo_dellink(struct net_device *dev, struct list_head *head)
{
	struct duo_priv *priv = netdev_priv(dev);
	struct duo_lower *lo;
	int path;

	duo_for_each_lower(priv, lo, path)
		duo_pair_decline(lo->dev);
	unregister_netdevice_queue(dev, head);
}

static const struct net_device_ops duo_netdev_ops = {
	.ndo_init		= duo_init,
	.ndo_uninit		= duo_uninit,
	.ndo_open		= duo_open,
	.ndo_stop		= duo_stop,
	.ndo_start_xmit		= duo_start_xmit,
	.ndo_select_queue	= duo_select_queue,
	.ndo_get_stats64	= duo_get_stats64,
	.ndo_change_mtu		= duo_change_mtu,
	.ndo_set_mac_address	= duo_set_mac_address,
	.ndo_validate_addr	= eth_validate_addr,
	.ndo_change_rx_flags	= duo_change_rx_flags,
	.ndo_set_rx_mode	= duo_set_rx_mode,
	.ndo_vlan_rx_add_vid	= duo_vlan_rx_add_vid,
	.ndo_vlan_rx_kill_vid	= duo_vlan_rx_kill_vid,
	.ndo_fix_features	= duo_fix_features,
	.ndo_set_features	= duo_set_features,
	.ndo_add_slave		= duo_add_lower,
	.ndo_del_slave		= duo_del_lower,
	.ndo_bpf		= duo_xdp,
	.ndo_xdp_xmit		= duo_xdp_xmit,
	DUO_COMPAT_HWTSTAMP_OPS,
};

static void duo_setup(struct net_device *dev)
{
	struct duo_priv *priv = netdev_priv(dev);

	ether_setup(dev);
	priv->dev = dev;

	dev->netdev_ops = &duo_netdev_ops;
	dev->ethtool_ops = &duo_ethtool_ops;
	dev->needs_free_netdev = true;
	dev->priv_destructor = duo_destructor;

	dev->flags |= IFF_MASTER;
	/* The lower's qdisc does the queueing; ours would only add a copy. */
	dev->priv_flags |= IFF_NO_QUEUE | IFF_UNICAST_FLT;
	dev->priv_flags &= ~IFF_TX_SKB_SHARING;
	/*
	 * No netpoll (netconsole): it calls ndo_start_xmit with interrupts
	 * off, and duo_start_xmit() hands the frame to the lower's
	 * dev_queue_xmit(), which must not run so. Refused at setup, as veth
	 * and bonding (when a port cannot) do; netconsole on a lower works.
	 */
	dev->priv_flags |= IFF_DISABLE_NETPOLL;
	/* XDP programs (native: core/xdp.c) and a target for redirects. */
	duo_compat_set_xdp_features(dev);

	dev->hw_features = DUO_TX_FEATURES | DUO_RX_FEATURES |
			   NETIF_F_HW_VLAN_CTAG_FILTER;
	/* LRO and GRO_HW off, as drivers start: safe to forward. */
	dev->features = dev->hw_features & ~(NETIF_F_LRO | NETIF_F_GRO_HW);
	/*
	 * After features: before 6.12 these two are feature bits, which the
	 * line above would clear. Its lowers stay where they are: so does
	 * the upper. No TX lock of its own: the lower's is the one.
	 */
	duo_compat_set_netns_local(dev);
	duo_compat_set_lltx(dev);
	/* Until a lower joins (duo_upper_compute()). */
	dev->vlan_features = 0;
	dev->hw_enc_features = DUO_ENC_FEATURES;

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

static unsigned int duo_get_num_tx_queues(void)
{
	return DUO_MAX_TX_QUEUES;
}

struct rtnl_link_ops duo_link_ops __read_mostly = {
	.kind			= DUO_DRV_NAME,
	.priv_size		= sizeof(struct duo_priv),
	.setup			= duo_setup,
	.validate		= duo_validate,
	.get_num_tx_queues	= duo_get_num_tx_queues,
	.maxtype		= IFLA_DUONET_MAX,
	.policy			= duo_nl_policy,
	.newlink		= duo_compat_newlink,
	.changelink		= duo_changelink,
	.dellink		= duo_dellink,
	.get_size		= duo_get_size,
	.fill_info		= duo_fill_info,
	.slave_maxtype		= IFLA_DUONET_LOWER_MAX,
	.get_slave_size		= duo_get_slave_size,
	.fill_slave_info	= duo_fill_slave_info,
};

/* Auto-pairing: an upper "duo%d" over a PV, with the PV's MAC. */
struct net_device *duo_upper_create(struct net *net, struct net_device *pv)
{
	struct net_device *dev;
	struct duo_priv *priv;
	int err;

	ASSERT_RTNL();
	dev = alloc_netdev_mqs(sizeof(struct duo_priv), "duo%d", NET_NAME_ENUM,
			       duo_setup, DUO_MAX_TX_QUEUES, 1);
	if (!dev)
		return ERR_PTR(-ENOMEM);
	dev->rtnl_link_ops = &duo_link_ops;
	dev_net_set(dev, net);
	duo_pv_lend_addr(dev, pv);
	priv = netdev_priv(dev);
	priv->auto_created = true;
	ether_addr_copy(priv->pair_addr, duo_pair_addr(pv));

	err = register_netdevice(dev);
	if (err) {
		free_netdev(dev);
		return ERR_PTR(err);
	}
	err = duo_join(priv, pv, DUO_PATH_PV, NULL);
	if (err) {
		unregister_netdevice(dev);
		return ERR_PTR(err);
	}
	return dev;
}

int duo_netdev_init(void)
{
	duo_settings_policy(duo_nl_policy);
	return rtnl_link_register(&duo_link_ops);
}

void duo_netdev_uninit(void)
{
	/* Deletes every remaining upper, releasing its lowers, under RTNL. */
	rtnl_link_unregister(&duo_link_ops);
}
