// SPDX-License-Identifier: GPL-2.0
/*
 * Tuning the user applies to the upper: ring sizes (ethtool -G), interrupt
 * coalescing (-C), channels (-L) and the receive offloads (-K).
 *
 * Each is stored on the upper, applied to every lower, and replayed on a
 * lower that joins later: the VF plugged in after a migration gets what
 * the user set. Only the values the user changed are stored; the lower's
 * other values stay as its driver chose them. What a lower cannot take
 * (no such operation, a value over its limit, a parameter it does not
 * support, its driver's error) is counted in ethtool -S
 * (vf_tuning_refused, pv_tuning_refused) and logged, one line per refusal;
 * the lower keeps the part it could take.
 *
 * The upper shows the stored values over those of its active lower (the VF
 * if TX is on no path, then the PV), with the largest limits of its lowers.
 * All under RTNL: ethtool calls its operations with it held.
 */
#include <linux/ethtool.h>
#include <linux/netdevice.h>

#include "core/duonet.h"

/* A u32 of an ethtool struct the user may set, and its limit's (0: none). */
struct duo_field {
	u16 val;
	u16 max;
};

#define RING(f, m)	{ offsetof(struct duo_ring, r.f), offsetof(struct duo_ring, r.m) }
static const struct duo_field ring_fields[] = {
	RING(rx_pending, rx_max_pending),
	RING(rx_mini_pending, rx_mini_max_pending),
	RING(rx_jumbo_pending, rx_jumbo_max_pending),
	RING(tx_pending, tx_max_pending),
};

#define CHAN(f, m)	{ offsetof(struct duo_chan, c.f), offsetof(struct duo_chan, c.m) }
static const struct duo_field chan_fields[] = {
	CHAN(rx_count, max_rx),
	CHAN(tx_count, max_tx),
	CHAN(other_count, max_other),
	CHAN(combined_count, max_combined),
};

/* In the order of the ETHTOOL_COALESCE_* bits: bit i is entry i. */
#define COAL(f)		{ offsetof(struct duo_coal, c.f), 0 }
static const struct duo_field coal_fields[] = {
	COAL(rx_coalesce_usecs),		/* ETHTOOL_COALESCE_RX_USECS */
	COAL(rx_max_coalesced_frames),
	COAL(rx_coalesce_usecs_irq),
	COAL(rx_max_coalesced_frames_irq),
	COAL(tx_coalesce_usecs),
	COAL(tx_max_coalesced_frames),
	COAL(tx_coalesce_usecs_irq),
	COAL(tx_max_coalesced_frames_irq),
	COAL(stats_block_coalesce_usecs),
	COAL(use_adaptive_rx_coalesce),
	COAL(use_adaptive_tx_coalesce),
	COAL(pkt_rate_low),
	COAL(rx_coalesce_usecs_low),
	COAL(rx_max_coalesced_frames_low),
	COAL(tx_coalesce_usecs_low),
	COAL(tx_max_coalesced_frames_low),
	COAL(pkt_rate_high),
	COAL(rx_coalesce_usecs_high),
	COAL(rx_max_coalesced_frames_high),
	COAL(tx_coalesce_usecs_high),
	COAL(tx_max_coalesced_frames_high),
	COAL(rate_sample_interval),		/* ..._RATE_SAMPLE_INTERVAL */
};

static_assert(BIT(ARRAY_SIZE(coal_fields) - 1) ==
	      ETHTOOL_COALESCE_RATE_SAMPLE_INTERVAL);

/* What one kind of tuning needs from a lower's ethtool_ops. */
struct duo_tune_kind {
	const char *what;			/* for the log */
	const struct duo_field *f;
	unsigned int n;
	size_t size;				/* of the value struct */
	size_t val_off, mask_off;		/* in struct duo_tuning */
	bool (*has)(const struct ethtool_ops *ops);
	int (*get)(struct net_device *dev, void *v);
	int (*set)(struct net_device *dev, void *v, struct netlink_ext_ack *extack);
	u32 (*supported)(const struct ethtool_ops *ops);	/* or NULL: all */
};

union duo_tune_buf {
	struct duo_ring ring;
	struct duo_coal coal;
	struct duo_chan chan;
};

static u32 *field(void *v, u16 off)
{
	return v + off;
}

static u32 field_get(const void *v, u16 off)
{
	return *(const u32 *)(v + off);
}

/* The fields (bit i: k->f[i]) whose values differ between a and b. */
static u32 fields_diff(const struct duo_tune_kind *k, const void *a, const void *b)
{
	u32 diff = 0;
	unsigned int i;

	for (i = 0; i < k->n; i++)
		if (field_get(a, k->f[i].val) != field_get(b, k->f[i].val))
			diff |= BIT(i);
	return diff;
}

static void fields_copy(const struct duo_tune_kind *k, u32 mask, void *dst,
			const void *src)
{
	unsigned int i;

	for (i = 0; i < k->n; i++)
		if (mask & BIT(i))
			*field(dst, k->f[i].val) = field_get(src, k->f[i].val);
}

/* The fields of mask whose value in v is over its limit in lim. */
static u32 fields_over(const struct duo_tune_kind *k, u32 mask, const void *v,
		       const void *lim)
{
	u32 over = 0;
	unsigned int i;

	for (i = 0; i < k->n; i++)
		if ((mask & BIT(i)) && k->f[i].max &&
		    field_get(v, k->f[i].val) > field_get(lim, k->f[i].max))
			over |= BIT(i);
	return over;
}

static bool ring_has(const struct ethtool_ops *ops)
{
	return ops->get_ringparam && ops->set_ringparam;
}

static int ring_get(struct net_device *dev, void *v)
{
	struct duo_ring *r = v;

	dev->ethtool_ops->get_ringparam(dev, &r->r, &r->k, NULL);
	return 0;
}

static int ring_set(struct net_device *dev, void *v,
		    struct netlink_ext_ack *extack)
{
	struct duo_ring *r = v;

	return dev->ethtool_ops->set_ringparam(dev, &r->r, &r->k, extack);
}

static bool coal_has(const struct ethtool_ops *ops)
{
	return ops->get_coalesce && ops->set_coalesce;
}

static int coal_get(struct net_device *dev, void *v)
{
	struct duo_coal *c = v;

	return dev->ethtool_ops->get_coalesce(dev, &c->c, &c->k, NULL);
}

static int coal_set(struct net_device *dev, void *v,
		    struct netlink_ext_ack *extack)
{
	struct duo_coal *c = v;

	return dev->ethtool_ops->set_coalesce(dev, &c->c, &c->k, extack);
}

static u32 coal_supported(const struct ethtool_ops *ops)
{
	return ops->supported_coalesce_params;
}

static bool chan_has(const struct ethtool_ops *ops)
{
	return ops->get_channels && ops->set_channels;
}

static int chan_get(struct net_device *dev, void *v)
{
	struct duo_chan *c = v;

	dev->ethtool_ops->get_channels(dev, &c->c);
	return 0;
}

static int chan_set(struct net_device *dev, void *v,
		    struct netlink_ext_ack *extack)
{
	struct duo_chan *c = v;

	return dev->ethtool_ops->set_channels(dev, &c->c);
}

static const struct duo_tune_kind ring_kind = {
	.what = "ring sizes", .f = ring_fields, .n = ARRAY_SIZE(ring_fields),
	.size = sizeof(struct duo_ring),
	.val_off = offsetof(struct duo_tuning, ring),
	.mask_off = offsetof(struct duo_tuning, ring_mask),
	.has = ring_has, .get = ring_get, .set = ring_set,
};

static const struct duo_tune_kind coal_kind = {
	.what = "coalescing", .f = coal_fields, .n = ARRAY_SIZE(coal_fields),
	.size = sizeof(struct duo_coal),
	.val_off = offsetof(struct duo_tuning, coal),
	.mask_off = offsetof(struct duo_tuning, coal_mask),
	.has = coal_has, .get = coal_get, .set = coal_set,
	.supported = coal_supported,
};

static const struct duo_tune_kind chan_kind = {
	.what = "channels", .f = chan_fields, .n = ARRAY_SIZE(chan_fields),
	.size = sizeof(struct duo_chan),
	.val_off = offsetof(struct duo_tuning, chan),
	.mask_off = offsetof(struct duo_tuning, chan_mask),
	.has = chan_has, .get = chan_get, .set = chan_set,
};

static void *stored(struct duo_priv *priv, const struct duo_tune_kind *k)
{
	return (void *)&priv->tune + k->val_off;
}

static u32 *stored_mask(struct duo_priv *priv, const struct duo_tune_kind *k)
{
	return (void *)&priv->tune + k->mask_off;
}

static void refused(struct duo_priv *priv, struct duo_lower *lo,
		    const char *what, int err)
{
	priv->tune.refused[duo_slot_of(lo)]++;
	netdev_warn(priv->dev, "%s (%s) cannot take the %s: %pe\n",
		    lo->dev->name, duo_role_name(lo->role), what, ERR_PTR(err));
}

/*
 * Give one lower the stored values of one kind. 0 if it took all of them,
 * else the reason it did not (counted and logged).
 */
static int tune_lower(struct duo_priv *priv, const struct duo_tune_kind *k,
		      struct duo_lower *lo, struct netlink_ext_ack *extack)
{
	const struct ethtool_ops *ops = lo->dev->ethtool_ops;
	u32 mask = *stored_mask(priv, k), unsupported = 0, over;
	union duo_tune_buf cur, want;
	int err;

	if (!mask)
		return 0;
	if (!ops || !k->has(ops)) {
		err = -EOPNOTSUPP;
		goto out;
	}
	memset(&cur, 0, sizeof(cur));
	err = k->get(lo->dev, &cur);
	if (err)
		goto out;
	if (k->supported)
		unsupported = mask & ~k->supported(ops);
	want = cur;
	fields_copy(k, mask & ~unsupported, &want, stored(priv, k));
	/* Values over the lower's limits stay as they are; the rest go. */
	over = fields_over(k, mask & ~unsupported, &want, &cur);
	fields_copy(k, over, &want, &cur);
	if (fields_diff(k, &want, &cur))
		err = k->set(lo->dev, &want, extack);
	if (!err && over)
		err = -ERANGE;
	if (!err && unsupported)
		err = -EOPNOTSUPP;
out:
	if (err)
		refused(priv, lo, k->what, err);
	return err;
}

/* The lower whose values the upper shows: the active one, else VF, PV. */
static struct duo_lower *shown_lower(struct duo_priv *priv,
				     const struct duo_tune_kind *k)
{
	struct duo_lower *lo[] = {
		rtnl_dereference(priv->tx), rtnl_dereference(priv->vf),
		rtnl_dereference(priv->pv),
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(lo); i++)
		if (lo[i] && lo[i]->dev->ethtool_ops &&
		    k->has(lo[i]->dev->ethtool_ops))
			return lo[i];
	return NULL;
}

/*
 * The upper's view: the shown lower's values, the stored ones over them,
 * and as limits the largest of the lowers'. -EOPNOTSUPP if no lower has
 * the operation and nothing is stored.
 */
static int tune_view(struct duo_priv *priv, const struct duo_tune_kind *k,
		     void *v)
{
	struct duo_lower *lo = shown_lower(priv, k), *other;
	union duo_tune_buf o;
	unsigned int i;
	int err;

	ASSERT_RTNL();
	memset(v, 0, k->size);
	if (lo) {
		err = k->get(lo->dev, v);
		if (err)
			return err;
		other = rtnl_dereference(priv->vf) == lo ?
			rtnl_dereference(priv->pv) : rtnl_dereference(priv->vf);
		memset(&o, 0, sizeof(o));
		if (other && other->dev->ethtool_ops &&
		    k->has(other->dev->ethtool_ops) && !k->get(other->dev, &o))
			for (i = 0; i < k->n; i++)
				if (k->f[i].max)
					*field(v, k->f[i].max) =
						max(field_get(v, k->f[i].max),
						    field_get(&o, k->f[i].max));
	} else if (!*stored_mask(priv, k)) {
		return -EOPNOTSUPP;
	}
	fields_copy(k, *stored_mask(priv, k), v, stored(priv, k));
	return 0;
}

/*
 * The user's request: what differs from the view is stored, then every
 * lower is given the stored values. Succeeds when stored; a lower that
 * refused is reported in the log, ethtool -S and (where ethtool passes
 * one) the extack warning.
 */
static int tune_set(struct duo_priv *priv, const struct duo_tune_kind *k,
		    const void *v, struct netlink_ext_ack *extack)
{
	struct duo_lower *lo[] = {
		rtnl_dereference(priv->vf), rtnl_dereference(priv->pv),
	};
	union duo_tune_buf view;
	bool all = true;
	unsigned int i;
	u32 diff;

	if (tune_view(priv, k, &view) == -EOPNOTSUPP) {
		NL_SET_ERR_MSG(extack, "duonet: no lower has this setting");
		return -EOPNOTSUPP;
	}
	diff = fields_diff(k, v, &view);
	if (!diff)
		return 0;
	*stored_mask(priv, k) |= diff;
	fields_copy(k, diff, stored(priv, k), v);
	for (i = 0; i < ARRAY_SIZE(lo); i++)
		if (lo[i] && tune_lower(priv, k, lo[i], NULL))
			all = false;
	if (!all)
		NL_SET_ERR_MSG(extack,
			       "duonet: stored, but a lower could not take it (kernel log, ethtool -S)");
	return 0;
}

void duo_get_ringparam(struct net_device *dev, struct ethtool_ringparam *ring,
		       struct kernel_ethtool_ringparam *kring,
		       struct netlink_ext_ack *extack)
{
	struct duo_ring v;

	if (tune_view(netdev_priv(dev), &ring_kind, &v))
		return;
	*ring = v.r;
}

int duo_set_ringparam(struct net_device *dev, struct ethtool_ringparam *ring,
		      struct kernel_ethtool_ringparam *kring,
		      struct netlink_ext_ack *extack)
{
	struct duo_ring v = { .r = *ring };

	return tune_set(netdev_priv(dev), &ring_kind, &v, extack);
}

int duo_get_coalesce(struct net_device *dev, struct ethtool_coalesce *coal,
		     struct kernel_ethtool_coalesce *kcoal,
		     struct netlink_ext_ack *extack)
{
	struct duo_coal v;
	int err;

	err = tune_view(netdev_priv(dev), &coal_kind, &v);
	if (!err)
		*coal = v.c;
	return err;
}

int duo_set_coalesce(struct net_device *dev, struct ethtool_coalesce *coal,
		     struct kernel_ethtool_coalesce *kcoal,
		     struct netlink_ext_ack *extack)
{
	struct duo_coal v = { .c = *coal };

	return tune_set(netdev_priv(dev), &coal_kind, &v, extack);
}

void duo_get_channels(struct net_device *dev, struct ethtool_channels *ch)
{
	struct duo_chan v;

	if (tune_view(netdev_priv(dev), &chan_kind, &v))
		return;
	*ch = v.c;
}

int duo_set_channels(struct net_device *dev, struct ethtool_channels *ch)
{
	struct duo_chan v = { .c = *ch };

	return tune_set(netdev_priv(dev), &chan_kind, &v, NULL);
}

/*
 * Receive offloads the upper passes on: the lowers do the work, so the
 * upper's bit is the user's wish and each lower is asked for it. Returns
 * the bits of mask the lower did not take.
 */
static netdev_features_t feat_lower(struct duo_priv *priv,
				    struct duo_lower *lo,
				    netdev_features_t mask)
{
	struct net_device *dev = lo->dev;
	netdev_features_t want = priv->tune.feat & mask, bad;

	mask &= priv->tune.feat_mask;
	if (!mask)
		return 0;
	if ((dev->wanted_features ^ want) & mask & dev->hw_features) {
		dev->wanted_features &= ~(mask & dev->hw_features);
		dev->wanted_features |= want & dev->hw_features;
		netdev_update_features(dev);
	}
	bad = (dev->features ^ want) & mask;
	if (bad) {
		priv->tune.refused[duo_slot_of(lo)]++;
		netdev_warn(priv->dev, "%s (%s) cannot take the offloads %pNF (fixed there: ethtool -k %s)\n",
			    dev->name, duo_role_name(lo->role), &bad, dev->name);
	}
	return bad;
}

int duo_set_features(struct net_device *dev, netdev_features_t features)
{
	struct duo_priv *priv = netdev_priv(dev);
	netdev_features_t changed = (features ^ dev->features) & DUO_RX_FEATURES;
	struct duo_lower *lo;

	ASSERT_RTNL();
	if (!changed)
		return 0;
	priv->tune.feat_mask |= changed;
	priv->tune.feat = features & DUO_RX_FEATURES;
	/*
	 * A lower's update checks the upper's features (the core's
	 * netdev_sync_upper_features()): they must be the new ones already.
	 * The core sets the same value again when this returns.
	 */
	dev->features = features;
	lo = rtnl_dereference(priv->vf);
	if (lo)
		feat_lower(priv, lo, changed);
	lo = rtnl_dereference(priv->pv);
	if (lo)
		feat_lower(priv, lo, changed);
	return 0;
}

/* A lower joined: everything the user set so far, before it carries TX. */
void duo_tuning_replay(struct duo_priv *priv, struct duo_lower *lo)
{
	ASSERT_RTNL();
	tune_lower(priv, &ring_kind, lo, NULL);
	tune_lower(priv, &coal_kind, lo, NULL);
	tune_lower(priv, &chan_kind, lo, NULL);
	feat_lower(priv, lo, DUO_RX_FEATURES);
}
