/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels duonet supports (Debian's 6.1, 6.12 and
 * 7.x; tools/kernels.sh lists them), kept in one place so the rest of the
 * code has no version #ifdefs. Each is keyed on what the headers provide:
 * a macro where there is one, else a DUO_HAVE_* probe (compat/compat.mk).
 */
#ifndef _DUO_COMPAT_H
#define _DUO_COMPAT_H

#include <linux/ethtool.h>
#include <linux/net_tstamp.h>
#include <linux/netdevice.h>
#include <linux/phy.h>
#include <net/rtnetlink.h>

/* 6.12 turned the feature bit NETIF_F_LLTX into the flag dev->lltx. */
static inline void duo_compat_set_lltx(struct net_device *dev)
{
#ifdef NETIF_F_LLTX
	dev->features |= NETIF_F_LLTX;
#else
	dev->lltx = true;
#endif
}

/*
 * 6.12 turned the feature bit NETIF_F_NETNS_LOCAL into dev->netns_local,
 * which 6.13 and 6.12's stable updates (6.12.117 has it, 6.12.95 not) renamed
 * dev->netns_immutable (DUO_HAVE_NETNS_IMMUTABLE: probed by Kbuild).
 */
static inline void duo_compat_set_netns_local(struct net_device *dev)
{
#if defined(NETIF_F_NETNS_LOCAL)
	dev->features |= NETIF_F_NETNS_LOCAL;
#elif defined(DUO_HAVE_NETNS_IMMUTABLE)
	dev->netns_immutable = true;
#else
	dev->netns_local = true;
#endif
}

/*
 * Private flags of a claimed lower. 6.12 has IFF_NO_ADDRCONF (no IPv6
 * address autoconfiguration) and renames devices while up anyway; 6.1 keeps
 * addrconf off devices flagged IFF_SLAVE (which duonet sets too) and needs
 * IFF_LIVE_RENAME_OK for renames while up.
 */
#ifdef IFF_LIVE_RENAME_OK
#define DUO_COMPAT_LOWER_PRIV_FLAGS	IFF_LIVE_RENAME_OK
#else
#define DUO_COMPAT_LOWER_PRIV_FLAGS	IFF_NO_ADDRCONF
#endif

/*
 * 6.8 passed the RSS table, key and hash function of get_rxfh/set_rxfh in
 * struct ethtool_rxfh_param (DUO_HAVE_RXFH_PARAM: probed by Kbuild). These
 * call a lower's ops either way; the upper's own ops (core/tuning.c) pick
 * their signature with the macro.
 */
#ifdef DUO_HAVE_RXFH_PARAM
#define DUO_COMPAT_RXFH_PARAM	1
#else
#define DUO_COMPAT_RXFH_PARAM	0
#endif

static inline int duo_compat_get_rxfh(struct net_device *dev, u32 *indir,
				      u32 indir_size, u8 *key, u32 key_size,
				      u8 *hfunc)
{
#if DUO_COMPAT_RXFH_PARAM
	struct ethtool_rxfh_param p = {
		.indir = indir, .indir_size = indir_size,
		.key = key, .key_size = key_size,
	};
	int err = dev->ethtool_ops->get_rxfh(dev, &p);

	*hfunc = p.hfunc;
	return err;
#else
	return dev->ethtool_ops->get_rxfh(dev, indir, key, hfunc);
#endif
}

/*
 * Sets a lower's RSS table as ethtool's core does, so that the driver keeps
 * it across channel changes when it is a user's (user_size: the entries
 * given, 0 for the default table): through 6.12 the private flag
 * IFF_RXFH_CONFIGURED (DUO_HAVE_RXFH_CONFIGURED: an enum member, probed),
 * gone by 7.2, where the core records the size of the user's table in
 * dev->ethtool under dev->ethtool->rss_lock, the lock it holds around
 * set_rxfh.
 */
static inline int duo_compat_set_rxfh(struct net_device *dev, u32 *indir,
				      u32 indir_size, u8 *key, u32 key_size,
				      u8 hfunc, u32 user_size,
				      struct netlink_ext_ack *extack)
{
	int err;
#if DUO_COMPAT_RXFH_PARAM
	/* input_xfrm 0 would be a change (symmetric hashing off): none. */
	struct ethtool_rxfh_param p = {
		.hfunc = hfunc, .indir = indir, .indir_size = indir_size,
		.key = key, .key_size = key_size,
		.input_xfrm = RXH_XFRM_NO_CHANGE,
	};
#endif

#ifdef DUO_HAVE_RXFH_CONFIGURED
#if DUO_COMPAT_RXFH_PARAM
	err = dev->ethtool_ops->set_rxfh(dev, &p, extack);
#else
	err = dev->ethtool_ops->set_rxfh(dev, indir, key, hfunc);
#endif
	if (!err && indir) {
		if (user_size)
			dev->priv_flags |= IFF_RXFH_CONFIGURED;
		else
			dev->priv_flags &= ~IFF_RXFH_CONFIGURED;
	}
#else
	mutex_lock(&dev->ethtool->rss_lock);
	err = dev->ethtool_ops->set_rxfh(dev, &p, extack);
	if (!err && indir)
		dev->ethtool->rss_indir_user_size = user_size;
	mutex_unlock(&dev->ethtool->rss_lock);
#endif
	return err;
}

/*
 * A device's receive ring count: the ethtool op get_rx_ring_count (by 7.2;
 * DUO_HAVE_RX_RING_COUNT), the only way the core asks for it since; through
 * 6.12, get_rxnfc's ETHTOOL_GRXRINGS. The upper answers with duo_rx_ring_count()
 * (core/tuning.c) through the op of its kernel: DUO_COMPAT_RX_RINGS_OP.
 */
u32 duo_rx_ring_count(struct net_device *dev);

#ifdef DUO_HAVE_RX_RING_COUNT
static inline u32 duo_compat_rx_rings(struct net_device *dev)
{
	const struct ethtool_ops *ops = dev->ethtool_ops;

	return ops->get_rx_ring_count ? ops->get_rx_ring_count(dev) : 0;
}

/*
 * The 7.x core divides by the count when it builds a default table: never
 * 0, even while no lower has RSS (the upper still shows a stored table).
 */
static inline u32 duo_compat_rx_ring_count(struct net_device *dev)
{
	return max(duo_rx_ring_count(dev), 1U);
}

#define DUO_COMPAT_RX_RINGS_OP	.get_rx_ring_count = duo_compat_rx_ring_count
#else
static inline u32 duo_compat_rx_rings(struct net_device *dev)
{
	struct ethtool_rxnfc nfc = { .cmd = ETHTOOL_GRXRINGS };
	const struct ethtool_ops *ops = dev->ethtool_ops;

	if (!ops->get_rxnfc || ops->get_rxnfc(dev, &nfc, NULL))
		return 0;
	return nfc.data;
}

static inline int duo_compat_get_rxnfc(struct net_device *dev,
				       struct ethtool_rxnfc *nfc, u32 *rule_locs)
{
	if (nfc->cmd != ETHTOOL_GRXRINGS)
		return -EOPNOTSUPP;
	nfc->data = duo_rx_ring_count(dev);
	return nfc->data ? 0 : -EOPNOTSUPP;
}

#define DUO_COMPAT_RX_RINGS_OP	.get_rxnfc = duo_compat_get_rxnfc
#endif

/*
 * 6.15's "ops locking": a driver that asks for it (request_ops_lock, or
 * queue management or shaper ops: iavf, mlx5, bnxt, gve among VFs) has its
 * ndo and ethtool ops called under its instance lock, and the core's
 * netif_* helpers and netdev_update_features() assert it. Where duonet calls
 * a lower's ethtool ops or such a helper itself, it takes the lower's lock
 * as ethtool's core and bonding do (DUO_HAVE_NETDEV_LOCK_OPS: the header
 * exists). The dev_* helpers take it themselves.
 */
#if defined(DUO_HAVE_NEWLINK_PARAMS) && !defined(DUO_HAVE_NETDEV_LOCK_OPS)
/* Every kernel with newlink params (6.15) has ops locking: a probe missed. */
#error "compat/compat.mk did not find netdev_lock_ops() in net/netdev_lock.h"
#endif

#ifdef DUO_HAVE_NETDEV_LOCK_OPS
#include <net/netdev_lock.h>

static inline void duo_compat_lower_lock(struct net_device *dev)
{
	netdev_lock_ops(dev);
}

static inline void duo_compat_lower_unlock(struct net_device *dev)
{
	netdev_unlock_ops(dev);
}
#else
static inline void duo_compat_lower_lock(struct net_device *dev)
{
}

static inline void duo_compat_lower_unlock(struct net_device *dev)
{
}
#endif

/*
 * Where the ethtool core holds the upper's dev->ethtool->rss_lock around
 * get_rxfh/set_rxfh (7.x, where IFF_RXFH_CONFIGURED is gone), duonet
 * takes a lower's inside it (duo_compat_set_rxfh()), and the lower's
 * instance lock before that (lower_begin()). The upper's rss_lock gets a
 * lockdep class of its own, as a stacked device's locks do
 * (netdev_lockdep_set_classes()): one class for all would read as
 * recursion, and as an inversion against the core's own order (instance
 * lock, then rss_lock) on the lower. Called from ndo_init.
 */
static inline void duo_compat_upper_lockdep(struct net_device *dev)
{
#ifndef DUO_HAVE_RXFH_CONFIGURED
	static struct lock_class_key rss_lock_key;

	lockdep_set_class(&dev->ethtool->rss_lock, &rss_lock_key);
#endif
}

/*
 * XDP (core/xdp.c), probed by Kbuild; 6.12 has all three, 6.1 none:
 * dev->xdp_features (DUO_HAVE_XDP_FEATURES), dev_xdp_propagate()
 * (DUO_HAVE_XDP_PROPAGATE; 6.1's bonding calls the lower's ndo_bpf itself)
 * and do_xdp_generic() taking struct sk_buff ** (DUO_HAVE_XDP_GENERIC_PSKB).
 */
static inline void duo_compat_set_xdp_features(struct net_device *dev)
{
#ifdef DUO_HAVE_XDP_FEATURES
	dev->xdp_features = NETDEV_XDP_ACT_BASIC | NETDEV_XDP_ACT_REDIRECT |
			    NETDEV_XDP_ACT_NDO_XMIT;
#endif
}

static inline int duo_compat_xdp_propagate(struct net_device *dev,
					   struct netdev_bpf *bpf)
{
#ifdef DUO_HAVE_XDP_PROPAGATE
	return dev_xdp_propagate(dev, bpf);
#else
	if (!dev->netdev_ops->ndo_bpf)
		return -EOPNOTSUPP;
	return dev->netdev_ops->ndo_bpf(dev, bpf);
#endif
}

static inline int duo_compat_xdp_generic(struct bpf_prog *prog,
					 struct sk_buff **pskb)
{
#ifdef DUO_HAVE_XDP_GENERIC_PSKB
	return do_xdp_generic(prog, pskb);
#else
	return do_xdp_generic(prog, *pskb);
#endif
}

/*
 * 6.15 passes rtnl_link_ops.newlink its arguments in struct
 * rtnl_newlink_params (DUO_HAVE_NEWLINK_PARAMS); duonet reads only the
 * IFLA_INFO_DATA attributes, so duo_newlink() takes those.
 */
int duo_newlink(struct net_device *dev, struct nlattr *data[],
		struct netlink_ext_ack *extack);

#ifdef DUO_HAVE_NEWLINK_PARAMS
static inline int duo_compat_newlink(struct net_device *dev,
				     struct rtnl_newlink_params *params,
				     struct netlink_ext_ack *extack)
{
	return duo_newlink(dev, params->data, extack);
}
#else
static inline int duo_compat_newlink(struct net *src_net,
				     struct net_device *dev,
				     struct nlattr *tb[], struct nlattr *data[],
				     struct netlink_ext_ack *extack)
{
	return duo_newlink(dev, data, extack);
}
#endif

/*
 * By 7.2 (DUO_HAVE_SET_MAC_SS) dev_set_mac_address() takes a struct
 * sockaddr_storage, which holds any hardware address; before, a struct
 * sockaddr, whose sa_data holds an Ethernet one.
 */
static inline int duo_compat_set_mac(struct net_device *dev, const u8 *addr,
				     struct netlink_ext_ack *extack)
{
#ifdef DUO_HAVE_SET_MAC_SS
	struct sockaddr_storage ss = { .ss_family = dev->type };

	memcpy(ss.__data, addr, dev->addr_len);
	return dev_set_mac_address(dev, &ss, extack);
#else
	struct sockaddr sa = { .sa_family = dev->type };

	memcpy(sa.sa_data, addr, dev->addr_len);
	return dev_set_mac_address(dev, &sa, extack);
#endif
}

/*
 * The system's per-CPU workqueue: system_percpu_wq where the kernel has
 * it (7.3 logs "enqueued on deprecated workqueue" for system_wq, the same
 * queue by its old name), else system_wq.
 */
#ifdef DUO_HAVE_PERCPU_WQ
#define DUO_COMPAT_WQ	system_percpu_wq
#else
#define DUO_COMPAT_WQ	system_wq
#endif

/* mac_pton() (core/notify.c): in linux/hex.h, which kernel.h includes before 7.2. */
#ifdef DUO_HAVE_HEX_H
#include <linux/hex.h>
#endif

/*
 * Hardware timestamping (core/hwtstamp.c). 6.6 (DUO_HAVE_NDO_HWTSTAMP):
 * ndo_hwtstamp_get/set and generic_hwtstamp_get/set_lower(); before,
 * SIOC[SG]HWTSTAMP reach ndo_eth_ioctl. 6.11 (DUO_HAVE_TS_INFO_BY_LAYER):
 * get_ts_info takes struct kernel_ethtool_ts_info, and
 * ethtool_get_ts_info_by_layer() asks a lower; before, its PHY or driver
 * is asked as 6.1's bonding does.
 */
#ifdef DUO_HAVE_NDO_HWTSTAMP
#define DUO_COMPAT_HWTSTAMP_NDO	1
#define DUO_COMPAT_HWTSTAMP_OPS	.ndo_hwtstamp_get = duo_hwtstamp_get, \
				.ndo_hwtstamp_set = duo_hwtstamp_set
#else
#define DUO_COMPAT_HWTSTAMP_NDO	0
#define DUO_COMPAT_HWTSTAMP_OPS	.ndo_eth_ioctl = duo_eth_ioctl
#endif

#ifdef DUO_HAVE_TS_INFO_BY_LAYER
#define duo_compat_ts_info	kernel_ethtool_ts_info

static inline int duo_compat_lower_ts_info(struct net_device *dev,
					   struct duo_compat_ts_info *info)
{
	return ethtool_get_ts_info_by_layer(dev, info);
}
#else
#define duo_compat_ts_info	ethtool_ts_info

static inline int duo_compat_lower_ts_info(struct net_device *dev,
					   struct duo_compat_ts_info *info)
{
	if (phy_has_tsinfo(dev->phydev))
		return phy_ts_info(dev->phydev, info);
	if (dev->ethtool_ops->get_ts_info)
		return dev->ethtool_ops->get_ts_info(dev, info);
	/* 6.1's __ethtool_get_ts_info() for a driver without the op (vmxnet3). */
	info->so_timestamping = SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE;
	info->phc_index = -1;
	return 0;
}
#endif

#endif /* _DUO_COMPAT_H */
