// SPDX-License-Identifier: GPL-2.0
/*
 * Hardware timestamping through the upper, as bonding does it for its
 * active port: ethtool -T (get_ts_info) and SIOC[SG]HWTSTAMP (or ethtool's
 * tsconfig) go to the lower TX is on, and the configuration the user set
 * is given again to a lower that joins (a re-plugged VF) before it carries
 * TX, as the tuning is (core/tuning.c).
 *
 * The clock behind the upper changes with the path: the VF's PHC, none on
 * a PV, a new one on a re-plugged VF. So a set must carry
 * HWTSTAMP_FLAG_BONDED_PHC_INDEX, the kernel's flag for "the PHC index may
 * change under me" (bonding's contract, which ptp4l meets), and a get
 * returns it. A set while TX is on a lower that cannot timestamp in
 * hardware (virtio_net, vmxnet3) is refused, and nothing is stored.
 *
 * Kernels before 6.6 pass the ioctls to ndo_eth_ioctl, and a driver may
 * take them only that way until 7.x (6.12's e1000e and igb): the core
 * passes the user's ifreq on to it. A replay has no ifreq, so such a
 * lower cannot take one: the join goes on, counted in
 * <path>_tuning_refused and logged. compat/compat.h has the versions.
 */
#include <linux/ethtool.h>
#include <linux/net_tstamp.h>
#include <linux/netdevice.h>
#include <linux/uaccess.h>

#include "core/duonet.h"

/* ethtool -T on the upper: the TX path's (7.x calls it under RCU). */
int duo_get_ts_info(struct net_device *dev, struct duo_compat_ts_info *info)
{
	struct duo_priv *priv = netdev_priv(dev);
	struct net_device *lower = NULL;
	struct duo_lower *lo;
	int err;

	rcu_read_lock();
	lo = rcu_dereference(priv->tx);
	if (lo) {
		lower = lo->dev;
		dev_hold(lower);
	}
	rcu_read_unlock();
	if (!lower) {
		/* What the core reports of a device without the op. */
		info->so_timestamping = SOF_TIMESTAMPING_RX_SOFTWARE |
					SOF_TIMESTAMPING_SOFTWARE;
		info->phc_index = -1;
		return 0;
	}
	err = duo_compat_lower_ts_info(lower, info);
	dev_put(lower);
	return err;
}

/* The lower stamps frames in hardware, one way or both. */
static bool lower_hw_stamps(struct net_device *dev)
{
	struct duo_compat_ts_info info;

	memset(&info, 0, sizeof(info));
	info.phc_index = -1;
	if (duo_compat_lower_ts_info(dev, &info))
		return false;
	return info.so_timestamping &
	       (SOF_TIMESTAMPING_TX_HARDWARE | SOF_TIMESTAMPING_RX_HARDWARE);
}

static void store(struct duo_priv *priv, int flags, int tx_type, int rx_filter)
{
	struct duo_hwts *h = &priv->tune.hwts;

	h->flags = flags;
	h->tx_type = tx_type;
	h->rx_filter = rx_filter;
	/* Off is every lower's default: nothing to give a joining one. */
	h->set = tx_type != HWTSTAMP_TX_OFF || rx_filter != HWTSTAMP_FILTER_NONE;
}

/*
 * The lower a set goes to: the TX path's, if it stamps in hardware. A
 * request to turn stamping off is taken wherever TX is: it goes to the VF
 * if one is there (*lop NULL if none), and is stored, so a VF that joins
 * later is left off. -ENODEV: no path; -EOPNOTSUPP: one without stamps.
 */
static int set_target(struct duo_priv *priv, int tx_type, int rx_filter,
		      struct duo_lower **lop)
{
	struct duo_lower *lo = rtnl_dereference(priv->tx);

	*lop = NULL;
	if (lo && lower_hw_stamps(lo->dev)) {
		*lop = lo;
		return 0;
	}
	if (tx_type != HWTSTAMP_TX_OFF || rx_filter != HWTSTAMP_FILTER_NONE)
		return lo ? -EOPNOTSUPP : -ENODEV;
	lo = rtnl_dereference(priv->vf);
	if (lo && lower_hw_stamps(lo->dev))
		*lop = lo;
	return 0;
}

#define NO_FLAG_MSG \
	"duonet: set HWTSTAMP_FLAG_BONDED_PHC_INDEX: the PHC behind the upper changes with its path"
#define NO_PATH_MSG	"duonet: no path carries TX: nothing to timestamp on"
#define NO_HW_MSG	"duonet: the path TX is on cannot timestamp in hardware"

#if DUO_COMPAT_HWTSTAMP_NDO
/*
 * The lower TX is on, if it can answer: a request that does not come from
 * an ioctl (no ifreq) reaches only a driver with the ndo.
 */
static struct net_device *get_target(struct duo_priv *priv,
				     const struct kernel_hwtstamp_config *cfg)
{
	struct duo_lower *lo = rtnl_dereference(priv->tx);

	if (!lo || (!cfg->ifr && !lo->dev->netdev_ops->ndo_hwtstamp_get))
		return NULL;
	return lo->dev;
}

/* bonding's bond_set_phc_index_flag(): the flag in what the user reads. */
static int phc_flag(struct kernel_hwtstamp_config *cfg,
		    struct hwtstamp_config *out)
{
	if (cfg->copied_to_user) {
		/* The lower took the ioctl itself and wrote its answer. */
		if (copy_from_user(out, cfg->ifr->ifr_data, sizeof(*out)))
			return -EFAULT;
		out->flags |= HWTSTAMP_FLAG_BONDED_PHC_INDEX;
		if (copy_to_user(cfg->ifr->ifr_data, out, sizeof(*out)))
			return -EFAULT;
	} else {
		cfg->flags |= HWTSTAMP_FLAG_BONDED_PHC_INDEX;
		hwtstamp_config_from_kernel(out, cfg);
	}
	return 0;
}

int duo_hwtstamp_get(struct net_device *dev, struct kernel_hwtstamp_config *cfg)
{
	struct net_device *lower;
	struct hwtstamp_config out;
	int err;

	ASSERT_RTNL();
	lower = get_target(netdev_priv(dev), cfg);
	if (!lower)
		return -EOPNOTSUPP;
	err = generic_hwtstamp_get_lower(lower, cfg);
	return err ? err : phc_flag(cfg, &out);
}

int duo_hwtstamp_set(struct net_device *dev, struct kernel_hwtstamp_config *cfg,
		     struct netlink_ext_ack *extack)
{
	struct duo_priv *priv = netdev_priv(dev);
	struct hwtstamp_config out;
	struct duo_lower *lo;
	int err;

	ASSERT_RTNL();
	/* The path first: ptp4l asks without the flag where a get failed. */
	err = set_target(priv, cfg->tx_type, cfg->rx_filter, &lo);
	if (err == -ENODEV) {
		NL_SET_ERR_MSG(extack, NO_PATH_MSG);
		return -EOPNOTSUPP;
	}
	if (err) {
		NL_SET_ERR_MSG(extack, NO_HW_MSG);
		return err;
	}
	if (!(cfg->flags & HWTSTAMP_FLAG_BONDED_PHC_INDEX)) {
		NL_SET_ERR_MSG(extack, NO_FLAG_MSG);
		return -EOPNOTSUPP;
	}
	if (lo && !cfg->ifr && !lo->dev->netdev_ops->ndo_hwtstamp_set) {
		NL_SET_ERR_MSG(extack,
			       "duonet: the path's driver takes timestamping settings only by ioctl (SIOCSHWTSTAMP)");
		return -EOPNOTSUPP;
	}
	err = lo ? generic_hwtstamp_set_lower(lo->dev, cfg, extack) : 0;
	if (!err)
		err = phc_flag(cfg, &out);
	if (err)
		return err;
	/* What the lower took (it may widen the filter), for a joining one. */
	store(priv, out.flags, out.tx_type, out.rx_filter);
	return 0;
}

/* Give a joining lower the stored settings: 0, or why it did not take them. */
static int replay(struct net_device *dev, const struct duo_hwts *h,
		  const char **why)
{
	struct kernel_hwtstamp_config cfg = {
		.flags = h->flags,
		.tx_type = h->tx_type,
		.rx_filter = h->rx_filter,
	};
	struct netlink_ext_ack extack = {};
	int err;

	if (!dev->netdev_ops->ndo_hwtstamp_set) {
		*why = "its driver takes them only by ioctl";
		return -EOPNOTSUPP;
	}
	err = generic_hwtstamp_set_lower(dev, &cfg, &extack);
	*why = extack._msg ? extack._msg : "";
	return err;
}
#else
/* Before 6.6: the ioctls, passed on as 6.1's bond_eth_ioctl() does. */
int duo_eth_ioctl(struct net_device *dev, struct ifreq *ifr, int cmd)
{
	struct duo_priv *priv = netdev_priv(dev);
	const struct net_device_ops *ops;
	struct hwtstamp_config cfg;
	struct duo_lower *lo;
	struct ifreq ifrr;
	int err;

	ASSERT_RTNL();
	if (cmd == SIOCGHWTSTAMP) {
		lo = rtnl_dereference(priv->tx);
		if (!lo)
			return -EOPNOTSUPP;
	} else if (cmd == SIOCSHWTSTAMP) {
		if (copy_from_user(&cfg, ifr->ifr_data, sizeof(cfg)))
			return -EFAULT;
		/* The path first: ptp4l asks without the flag where a get failed. */
		err = set_target(priv, cfg.tx_type, cfg.rx_filter, &lo);
		if (err) {
			netdev_err(dev, "%s\n", err == -ENODEV ? NO_PATH_MSG : NO_HW_MSG);
			return -EOPNOTSUPP;
		}
		if (!(cfg.flags & HWTSTAMP_FLAG_BONDED_PHC_INDEX)) {
			netdev_err(dev, "%s\n", NO_FLAG_MSG);
			return -EOPNOTSUPP;
		}
	} else {
		return -EOPNOTSUPP;
	}
	if (lo) {
		ops = lo->dev->netdev_ops;
		if (!netif_device_present(lo->dev) || !ops->ndo_eth_ioctl)
			return -EOPNOTSUPP;
		strscpy_pad(ifrr.ifr_name, lo->dev->name, IFNAMSIZ);
		ifrr.ifr_ifru = ifr->ifr_ifru;
		err = ops->ndo_eth_ioctl(lo->dev, &ifrr, cmd);
		if (err)
			return err;
		ifr->ifr_ifru = ifrr.ifr_ifru;
		if (copy_from_user(&cfg, ifr->ifr_data, sizeof(cfg)))
			return -EFAULT;
	}
	cfg.flags |= HWTSTAMP_FLAG_BONDED_PHC_INDEX;
	if (copy_to_user(ifr->ifr_data, &cfg, sizeof(cfg)))
		return -EFAULT;
	if (cmd == SIOCSHWTSTAMP)
		store(priv, cfg.flags, cfg.tx_type, cfg.rx_filter);
	return 0;
}

/* Before 6.6 no driver takes timestamping settings without an ioctl. */
static int replay(struct net_device *dev, const struct duo_hwts *h,
		  const char **why)
{
	*why = "its driver takes them only by ioctl";
	return -EOPNOTSUPP;
}
#endif

/* A lower joined: the stored settings, before it carries TX. */
void duo_hwtstamp_replay(struct duo_priv *priv, struct duo_lower *lo)
{
	const struct duo_hwts *h = &priv->tune.hwts;
	const char *why;
	int err;

	ASSERT_RTNL();
	if (!h->set || !lower_hw_stamps(lo->dev))
		return;
	err = replay(lo->dev, h, &why);
	if (!err)
		return;
	priv->tune.refused[lo->role]++;
	netdev_warn(priv->dev, "%s (%s) cannot take the timestamping settings (tx_type %d rx_filter %d): %pe %s; set them again on %s\n",
		    lo->dev->name, duo_path_name(lo->role), h->tx_type,
		    h->rx_filter, ERR_PTR(err), why, priv->dev->name);
}
