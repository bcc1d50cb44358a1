// SPDX-License-Identifier: GPL-2.0
/*
 * ethtool operations of the upper: driver info naming the active path,
 * per-path statistics, the pv-only and adaptive private flags (the
 * policies: failover/failover.c), and the active lower's link settings.
 * The tuning ops are in core/tuning.c. ethtool calls these under RTNL.
 */
#include <linux/ethtool.h>
#include <linux/netdevice.h>
#include <linux/timekeeping.h>

#include "core/duonet.h"

enum {
	DUO_PFLAG_PV_ONLY,
	DUO_PFLAG_ADAPTIVE,
	DUO_PFLAG_MAX,
};

static const char duo_pflag_names[DUO_PFLAG_MAX][ETH_GSTRING_LEN] = {
	[DUO_PFLAG_PV_ONLY] = "pv-only",
	[DUO_PFLAG_ADAPTIVE] = "adaptive",
};

/* ethtool -S: the names scripts depend on (DESIGN.md), then the rest. */
static const char duo_stat_names[][ETH_GSTRING_LEN] = {
	"vf_present", "vf_active", "pv_present",
	"switches_to_pv", "switches_to_vf", "last_switch_usecs",
	"vf_tx_packets", "vf_rx_packets", "pv_tx_packets", "pv_rx_packets",
	"tx_dropped_no_path",
	"max_switch_usecs",
	"vf_tx_bytes", "vf_rx_bytes", "pv_tx_bytes", "pv_rx_bytes",
	"vf_tx_dropped", "pv_tx_dropped", "tx_redirected_to_pv",
	"switches_plug", "switches_unplug", "switches_carrier",
	"switches_admin", "switches_pv_only", "switches_failback",
	"vf_joins", "vf_leaves", "pv_joins", "pv_leaves",
	"vf_time_ms", "pv_time_ms", "none_time_ms",
	"vf_tuning_refused", "pv_tuning_refused",
	"tx_hint_vf", "tx_hint_pv", "tx_hint_fallback", "switches_adaptive",
	"rx_own_echo", "rx_flood_duplicates",
	"reach_probes", "reach_answers", "reach_lost", "switches_reach",
};

/* Milliseconds TX has spent on a path, the current stretch included. */
static u64 path_ms(const struct duo_priv *priv, enum duo_path path)
{
	u64 ns = priv->path_ns[path];

	if (priv->fo.active == path)
		ns += ktime_get_ns() - priv->path_since_ns;
	return div_u64(ns, NSEC_PER_MSEC);
}

static struct duo_lower *active_lower(struct duo_priv *priv)
{
	return rtnl_dereference(priv->tx);
}

static void duo_get_drvinfo(struct net_device *dev,
			    struct ethtool_drvinfo *info)
{
	struct duo_lower *lo = active_lower(netdev_priv(dev));

	strscpy(info->driver, DUO_DRV_NAME, sizeof(info->driver));
	strscpy(info->version, DUO_DRV_VERSION, sizeof(info->version));
	/* bus-info: the active path and its device, e.g. "vf:eth1". */
	if (lo)
		snprintf(info->bus_info, sizeof(info->bus_info), "%s:%s",
			 duo_role_name(lo->role), lo->dev->name);
	else
		strscpy(info->bus_info, "none", sizeof(info->bus_info));
}

static int duo_get_sset_count(struct net_device *dev, int sset)
{
	switch (sset) {
	case ETH_SS_STATS:
		return ARRAY_SIZE(duo_stat_names);
	case ETH_SS_PRIV_FLAGS:
		return DUO_PFLAG_MAX;
	default:
		return -EOPNOTSUPP;
	}
}

static void duo_get_strings(struct net_device *dev, u32 sset, u8 *data)
{
	switch (sset) {
	case ETH_SS_STATS:
		memcpy(data, duo_stat_names, sizeof(duo_stat_names));
		break;
	case ETH_SS_PRIV_FLAGS:
		memcpy(data, duo_pflag_names, sizeof(duo_pflag_names));
		break;
	}
}

static void duo_get_ethtool_stats(struct net_device *dev,
				  struct ethtool_stats *stats, u64 *data)
{
	struct duo_priv *priv = netdev_priv(dev);
	struct duo_lower *tx = active_lower(priv);
	const struct duo_fo *fo = &priv->fo;
	struct duo_path_totals t;
	int i = 0;

	duo_path_totals(priv, &t);
	data[i++] = !!rtnl_dereference(priv->vf);
	data[i++] = tx && tx->role == DUO_ROLE_VF;
	data[i++] = !!rtnl_dereference(priv->pv);
	data[i++] = fo->switches_to_pv;
	data[i++] = fo->switches_to_vf;
	data[i++] = READ_ONCE(priv->last_switch_usecs);
	data[i++] = t.tx_packets[DUO_SLOT_VF];
	data[i++] = t.rx_packets[DUO_SLOT_VF];
	data[i++] = t.tx_packets[DUO_SLOT_PV];
	data[i++] = t.rx_packets[DUO_SLOT_PV];
	data[i++] = t.tx_dropped_no_path;
	data[i++] = READ_ONCE(priv->max_switch_usecs);
	data[i++] = t.tx_bytes[DUO_SLOT_VF];
	data[i++] = t.rx_bytes[DUO_SLOT_VF];
	data[i++] = t.tx_bytes[DUO_SLOT_PV];
	data[i++] = t.rx_bytes[DUO_SLOT_PV];
	data[i++] = t.tx_dropped[DUO_SLOT_VF];
	data[i++] = t.tx_dropped[DUO_SLOT_PV];
	data[i++] = t.tx_redirected;
	data[i++] = fo->switches[DUO_SW_PLUG];
	data[i++] = fo->switches[DUO_SW_UNPLUG];
	data[i++] = fo->switches[DUO_SW_CARRIER];
	data[i++] = fo->switches[DUO_SW_ADMIN];
	data[i++] = fo->switches[DUO_SW_PV_ONLY];
	data[i++] = fo->switches[DUO_SW_FAILBACK];
	data[i++] = priv->joins[DUO_SLOT_VF];
	data[i++] = priv->leaves[DUO_SLOT_VF];
	data[i++] = priv->joins[DUO_SLOT_PV];
	data[i++] = priv->leaves[DUO_SLOT_PV];
	data[i++] = path_ms(priv, DUO_PATH_VF);
	data[i++] = path_ms(priv, DUO_PATH_PV);
	data[i++] = path_ms(priv, DUO_PATH_NONE);
	data[i++] = priv->tune.refused[DUO_SLOT_VF];
	data[i++] = priv->tune.refused[DUO_SLOT_PV];
	data[i++] = t.tx_hinted[DUO_SLOT_VF];
	data[i++] = t.tx_hinted[DUO_SLOT_PV];
	data[i++] = t.tx_hint_fallback;
	data[i++] = fo->switches[DUO_SW_ADAPTIVE];
	data[i++] = t.rx_own_echo;
	data[i++] = t.rx_flood_dup;
	data[i++] = priv->reach.probes;
	data[i++] = t.rx_reach_answers;
	data[i++] = priv->reach.lost;
	data[i++] = fo->switches[DUO_SW_REACH];
	WARN_ON_ONCE(i != ARRAY_SIZE(duo_stat_names));
}

static u32 duo_get_priv_flags(struct net_device *dev)
{
	struct duo_priv *priv = netdev_priv(dev);

	return (priv->fo.pv_only ? BIT(DUO_PFLAG_PV_ONLY) : 0) |
	       (priv->fo.adaptive ? BIT(DUO_PFLAG_ADAPTIVE) : 0);
}

static int duo_set_priv_flags(struct net_device *dev, u32 flags)
{
	struct duo_priv *priv = netdev_priv(dev);
	bool pv_only = flags & BIT(DUO_PFLAG_PV_ONLY);

	if (pv_only && !priv->fo.pv_only && !rtnl_dereference(priv->pv)) {
		netdev_err(dev, "pv-only needs a PV lower, and there is none\n");
		return -ENODEV;
	}
	duo_adaptive(priv, flags & BIT(DUO_PFLAG_ADAPTIVE));
	if (pv_only != priv->fo.pv_only)
		duo_path_event(priv, pv_only ? DUO_EV_PV_ONLY_ON : DUO_EV_PV_ONLY_OFF);
	return 0;
}

static int duo_get_link_ksettings(struct net_device *dev,
				  struct ethtool_link_ksettings *cmd)
{
	struct duo_lower *lo = active_lower(netdev_priv(dev));

	if (lo)
		return __ethtool_get_link_ksettings(lo->dev, cmd);
	cmd->base.speed = SPEED_UNKNOWN;
	cmd->base.duplex = DUPLEX_UNKNOWN;
	cmd->base.port = PORT_OTHER;
	return 0;
}

const struct ethtool_ops duo_ethtool_ops = {
	/* All of them; each lower takes what it supports (core/tuning.c). */
	.supported_coalesce_params = GENMASK(21, 0),
	.get_drvinfo		= duo_get_drvinfo,
	.get_link		= ethtool_op_get_link,
	.get_link_ksettings	= duo_get_link_ksettings,
	.get_ts_info		= duo_get_ts_info,
	.get_sset_count		= duo_get_sset_count,
	.get_strings		= duo_get_strings,
	.get_ethtool_stats	= duo_get_ethtool_stats,
	.get_priv_flags		= duo_get_priv_flags,
	.set_priv_flags		= duo_set_priv_flags,
	.get_ringparam		= duo_get_ringparam,
	.set_ringparam		= duo_set_ringparam,
	.get_coalesce		= duo_get_coalesce,
	.set_coalesce		= duo_set_coalesce,
	.get_channels		= duo_get_channels,
	.set_channels		= duo_set_channels,
	DUO_COMPAT_RX_RINGS_OP,
	.get_rxfh_indir_size	= duo_get_rxfh_indir_size,
	.get_rxfh_key_size	= duo_get_rxfh_key_size,
	.get_rxfh		= duo_get_rxfh,
	.set_rxfh		= duo_set_rxfh,
};
