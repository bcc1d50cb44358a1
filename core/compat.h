/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels duonet supports (Debian's 6.1 and 6.12),
 * kept in one place so the rest of the code has no version #ifdefs.
 */
#ifndef _DUO_COMPAT_H
#define _DUO_COMPAT_H

#include <linux/ethtool.h>
#include <linux/netdevice.h>

/* 6.12 turned the feature bit NETIF_F_LLTX into the flag dev->lltx. */
static inline void duo_compat_set_lltx(struct net_device *dev)
{
#ifdef NETIF_F_LLTX
	dev->features |= NETIF_F_LLTX;
#else
	dev->lltx = true;
#endif
}

/* 6.12 turned the feature bit NETIF_F_NETNS_LOCAL into dev->netns_local. */
static inline void duo_compat_set_netns_local(struct net_device *dev)
{
#ifdef NETIF_F_NETNS_LOCAL
	dev->features |= NETIF_F_NETNS_LOCAL;
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

static inline int duo_compat_set_rxfh(struct net_device *dev, u32 *indir,
				      u32 indir_size, u8 *key, u32 key_size,
				      u8 hfunc, struct netlink_ext_ack *extack)
{
#if DUO_COMPAT_RXFH_PARAM
	/* input_xfrm 0 would be a change (symmetric hashing off): none. */
	struct ethtool_rxfh_param p = {
		.hfunc = hfunc, .indir = indir, .indir_size = indir_size,
		.key = key, .key_size = key_size,
		.input_xfrm = RXH_XFRM_NO_CHANGE,
	};

	return dev->ethtool_ops->set_rxfh(dev, &p, extack);
#else
	return dev->ethtool_ops->set_rxfh(dev, indir, key, hfunc);
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

#endif /* _DUO_COMPAT_H */
