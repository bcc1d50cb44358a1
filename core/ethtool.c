// SPDX-License-Identifier: GPL-2.0
/*
 * ethtool operations of the upper: driver info naming the active path,
 * per-path statistics, the pv-only and adaptive private flags (settings
 * of core/settings.c's table), and the active lower's link settings.
 * The tuning ops are in core/tuning.c. ethtool calls these under RTNL.
 */
#include <linux/ethtool.h>
#include <linux/netdevice.h>
#include <linux/timekeeping.h>

#include "core/duonet.h"

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
			 duo_path_name(lo->role), lo->dev->name);
	else
		strscpy(info->bus_info, "none", sizeof(info->bus_info));
}

/*
 * ethtool -S: one value per field, named after it. The table's order is
 * what ethtool shows: the names scripts depend on first (DESIGN.md), then
 * the rest, each appended at the end.
 */
struct duo_ethtool_stats {
	u64 vf_present, vf_active, pv_present;
	u64 switches_to_pv, switches_to_vf, last_switch_usecs;
	u64 vf_tx_packets, vf_rx_packets, pv_tx_packets, pv_rx_packets;
	u64 tx_dropped_no_path, max_switch_usecs;
	u64 vf_tx_bytes, vf_rx_bytes, pv_tx_bytes, pv_rx_bytes;
	u64 vf_tx_dropped, pv_tx_dropped, tx_redirected_to_pv;
	u64 switches_plug, switches_unplug, switches_carrier;
	u64 switches_admin, switches_pv_only, switches_failback;
	u64 vf_joins, vf_leaves, pv_joins, pv_leaves;
	u64 vf_time_ms, pv_time_ms, none_time_ms;
	u64 vf_tuning_refused, pv_tuning_refused;
	u64 tx_hint_vf, tx_hint_pv, tx_hint_fallback, switches_adaptive;
	u64 rx_own_echo, rx_flood_duplicates;
	u64 reach_probes, reach_answers, reach_lost, switches_reach;
};

#define DUO_STAT(field) { #field, offsetof(struct duo_ethtool_stats, field) }
static const struct {
	char name[ETH_GSTRING_LEN];
	size_t off;
} duo_stats[] = {
	DUO_STAT(vf_present), DUO_STAT(vf_active), DUO_STAT(pv_present),
	DUO_STAT(switches_to_pv), DUO_STAT(switches_to_vf),
	DUO_STAT(last_switch_usecs),
	DUO_STAT(vf_tx_packets), DUO_STAT(vf_rx_packets),
	DUO_STAT(pv_tx_packets), DUO_STAT(pv_rx_packets),
	DUO_STAT(tx_dropped_no_path),
	DUO_STAT(max_switch_usecs),
	DUO_STAT(vf_tx_bytes), DUO_STAT(vf_rx_bytes),
	DUO_STAT(pv_tx_bytes), DUO_STAT(pv_rx_bytes),
	DUO_STAT(vf_tx_dropped), DUO_STAT(pv_tx_dropped),
	DUO_STAT(tx_redirected_to_pv),
	DUO_STAT(switches_plug), DUO_STAT(switches_unplug),
	DUO_STAT(switches_carrier), DUO_STAT(switches_admin),
	DUO_STAT(switches_pv_only), DUO_STAT(switches_failback),
	DUO_STAT(vf_joins), DUO_STAT(vf_leaves),
	DUO_STAT(pv_joins), DUO_STAT(pv_leaves),
	DUO_STAT(vf_time_ms), DUO_STAT(pv_time_ms), DUO_STAT(none_time_ms),
	DUO_STAT(vf_tuning_refused), DUO_STAT(pv_tuning_refused),
	DUO_STAT(tx_hint_vf), DUO_STAT(tx_hint_pv),
	DUO_STAT(tx_hint_fallback), DUO_STAT(switches_adaptive),
	DUO_STAT(rx_own_echo), DUO_STAT(rx_flood_duplicates),
	DUO_STAT(reach_probes), DUO_STAT(reach_answers),
	DUO_STAT(reach_lost), DUO_STAT(switches_reach),
};

/*
 * A row for every field: the count here, and no field twice (which would
 * hide one without a row) in the KUnit suite, which refuses a name twice.
 */
static_assert(ARRAY_SIZE(duo_stats) * sizeof(u64) == sizeof(struct duo_ethtool_stats));

static int duo_get_sset_count(struct net_device *dev, int sset)
{
	switch (sset) {
	case ETH_SS_STATS:
		return ARRAY_SIZE(duo_stats);
	case ETH_SS_PRIV_FLAGS:
		return duo_settings_pflag_count();
	default:
		return -EOPNOTSUPP;
	}
}

static void duo_get_strings(struct net_device *dev, u32 sset, u8 *data)
{
	unsigned int i;

	switch (sset) {
	case ETH_SS_STATS:
		for (i = 0; i < ARRAY_SIZE(duo_stats); i++)
			memcpy(data + i * ETH_GSTRING_LEN, duo_stats[i].name,
			       ETH_GSTRING_LEN);
		break;
	case ETH_SS_PRIV_FLAGS:
		duo_settings_pflag_names(data);
		break;
	}
}

static void stats_read(struct duo_priv *priv, struct duo_ethtool_stats *s)
{
	struct duo_lower *tx = active_lower(priv);
	const struct duo_fo *fo = &priv->fo;
	struct duo_path_totals t;

	duo_path_totals(priv, &t);
	*s = (struct duo_ethtool_stats) {
		.vf_present = !!rtnl_dereference(priv->vf),
		.vf_active = tx && tx->role == DUO_PATH_VF,
		.pv_present = !!rtnl_dereference(priv->pv),
		.switches_to_pv = fo->switches_to_pv,
		.switches_to_vf = fo->switches_to_vf,
		.last_switch_usecs = READ_ONCE(priv->last_switch_usecs),
		.vf_tx_packets = t.tx_packets[DUO_PATH_VF],
		.vf_rx_packets = t.rx_packets[DUO_PATH_VF],
		.pv_tx_packets = t.tx_packets[DUO_PATH_PV],
		.pv_rx_packets = t.rx_packets[DUO_PATH_PV],
		.tx_dropped_no_path = t.tx_dropped_no_path,
		.max_switch_usecs = READ_ONCE(priv->max_switch_usecs),
		.vf_tx_bytes = t.tx_bytes[DUO_PATH_VF],
		.vf_rx_bytes = t.rx_bytes[DUO_PATH_VF],
		.pv_tx_bytes = t.tx_bytes[DUO_PATH_PV],
		.pv_rx_bytes = t.rx_bytes[DUO_PATH_PV],
		.vf_tx_dropped = t.tx_dropped[DUO_PATH_VF],
		.pv_tx_dropped = t.tx_dropped[DUO_PATH_PV],
		.tx_redirected_to_pv = t.tx_redirected,
		.switches_plug = fo->switches[DUO_SW_PLUG],
		.switches_unplug = fo->switches[DUO_SW_UNPLUG],
		.switches_carrier = fo->switches[DUO_SW_CARRIER],
		.switches_admin = fo->switches[DUO_SW_ADMIN],
		.switches_pv_only = fo->switches[DUO_SW_PV_ONLY],
		.switches_failback = fo->switches[DUO_SW_FAILBACK],
		.vf_joins = priv->joins[DUO_PATH_VF],
		.vf_leaves = priv->leaves[DUO_PATH_VF],
		.pv_joins = priv->joins[DUO_PATH_PV],
		.pv_leaves = priv->leaves[DUO_PATH_PV],
		.vf_time_ms = path_ms(priv, DUO_PATH_VF),
		.pv_time_ms = path_ms(priv, DUO_PATH_PV),
		.none_time_ms = path_ms(priv, DUO_PATH_NONE),
		.vf_tuning_refused = priv->tune.refused[DUO_PATH_VF],
		.pv_tuning_refused = priv->tune.refused[DUO_PATH_PV],
		.tx_hint_vf = t.tx_hinted[DUO_PATH_VF],
		.tx_hint_pv = t.tx_hinted[DUO_PATH_PV],
		.tx_hint_fallback = t.tx_hint_fallback,
		.switches_adaptive = fo->switches[DUO_SW_ADAPTIVE],
		.rx_own_echo = t.rx_own_echo,
		.rx_flood_duplicates = t.rx_flood_dup,
		.reach_probes = priv->reach.probes,
		.reach_answers = t.rx_reach_answers,
		.reach_lost = priv->reach.lost,
		.switches_reach = fo->switches[DUO_SW_REACH],
	};
}

static void duo_get_ethtool_stats(struct net_device *dev,
				  struct ethtool_stats *stats, u64 *data)
{
	struct duo_ethtool_stats s;
	unsigned int i;

	stats_read(netdev_priv(dev), &s);
	for (i = 0; i < ARRAY_SIZE(duo_stats); i++)
		data[i] = *(u64 *)((u8 *)&s + duo_stats[i].off);
}

static u32 duo_get_priv_flags(struct net_device *dev)
{
	return duo_settings_pflags(netdev_priv(dev));
}

/*
 * Through the settings' table, as IFLA_INFO_DATA (core/settings.c); the
 * op has no extack: a refusal's message goes to the log.
 */
static int duo_set_priv_flags(struct net_device *dev, u32 flags)
{
	struct duo_priv *priv = netdev_priv(dev);
	struct netlink_ext_ack ext = {};
	struct duo_setvals set;
	int err;

	duo_settings_read(priv, &set);
	duo_settings_from_pflags(&set, flags);
	err = duo_settings_check(priv, &set, NULL, !!rtnl_dereference(priv->pv),
				 NULL, &ext) ?:
	      duo_settings_check_lowers(priv, &set, NULL, NULL, &ext);
	if (err) {
		netdev_err(dev, "%s\n", ext._msg ?: "private flags refused");
		return err;
	}
	duo_settings_apply(priv, &set, NULL);
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
