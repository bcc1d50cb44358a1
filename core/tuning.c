// SPDX-License-Identifier: GPL-2.0
/*
 * Tuning the user applies to the upper: ring sizes (ethtool -G), interrupt
 * coalescing (-C), channels (-L), the RSS table, key and hash function
 * (-X) and the receive offloads (-K).
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
#include <linux/pm_runtime.h>
#include <linux/slab.h>
#include <net/xdp_sock_drv.h>

#include "core/duonet.h"
#include "lower/fault.h"

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

static u32 tune_field_get(const void *v, u16 off)
{
	return *(const u32 *)(v + off);
}

/* The fields (bit i: k->f[i]) whose values differ between a and b. */
static u32 fields_diff(const struct duo_tune_kind *k, const void *a, const void *b)
{
	u32 diff = 0;
	unsigned int i;

	for (i = 0; i < k->n; i++)
		if (tune_field_get(a, k->f[i].val) != tune_field_get(b, k->f[i].val))
			diff |= BIT(i);
	return diff;
}

static void fields_copy(const struct duo_tune_kind *k, u32 mask, void *dst,
			const void *src)
{
	unsigned int i;

	for (i = 0; i < k->n; i++)
		if (mask & BIT(i))
			*field(dst, k->f[i].val) = tune_field_get(src, k->f[i].val);
}

/* The fields of mask whose value in v is over its limit in lim. */
static u32 fields_over(const struct duo_tune_kind *k, u32 mask, const void *v,
		       const void *lim)
{
	u32 over = 0;
	unsigned int i;

	for (i = 0; i < k->n; i++)
		if ((mask & BIT(i)) && k->f[i].max &&
		    tune_field_get(v, k->f[i].val) > tune_field_get(lim, k->f[i].max))
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

/* The highest queue a lower's own (user-set) RSS table sends to, + 1. */
static u32 rss_queues_in_use(struct net_device *dev)
{
	const struct ethtool_ops *ops = dev->ethtool_ops;
	u32 n, i, used = 0;
	u32 *indir;
	u8 hfunc;

	if (!netif_is_rxfh_configured(dev) || !ops->get_rxfh ||
	    !ops->get_rxfh_indir_size)
		return 0;
	n = ops->get_rxfh_indir_size(dev);
	if (!n)
		return 0;
	indir = kcalloc(n, sizeof(*indir), GFP_KERNEL);
	/* Unreadable: as ethtool's core, take every queue as in use. */
	if (!indir)
		return U32_MAX;
#ifndef DUO_HAVE_RXFH_CONFIGURED
	/* 7.x: the lock the core holds around get_rxfh (and set_rxfh). */
	mutex_lock(&dev->ethtool->rss_lock);
#endif
	if (duo_compat_get_rxfh(dev, indir, n, NULL, 0, &hfunc))
		used = U32_MAX;
#ifndef DUO_HAVE_RXFH_CONFIGURED
	mutex_unlock(&dev->ethtool->rss_lock);
#endif
	for (i = 0; i < n && used != U32_MAX; i++)
		used = max(used, indir[i] + 1);
	kfree(indir);
	return used;
}

/*
 * The highest queue a lower's ntuple rules (ethtool -N) send to, + 1
 * (ethtool_get_max_rxnfc_channel(): drops, wake-ups and rules for a VF's
 * own VFs send to none of its queues).
 */
static u32 rxnfc_queues_in_use(struct net_device *dev)
{
	const struct ethtool_ops *ops = dev->ethtool_ops;
	struct ethtool_rxnfc info = { .cmd = ETHTOOL_GRXCLSRLCNT };
	u32 *locs, i, used = 0;

	if (!ops->get_rxnfc || ops->get_rxnfc(dev, &info, NULL) || !info.rule_cnt)
		return 0;
	locs = kcalloc(info.rule_cnt, sizeof(*locs), GFP_KERNEL);
	if (!locs)
		return U32_MAX;
	info.cmd = ETHTOOL_GRXCLSRLALL;
	if (ops->get_rxnfc(dev, &info, locs))
		used = U32_MAX;
	for (i = 0; i < info.rule_cnt && used != U32_MAX; i++) {
		struct ethtool_rxnfc rule = {
			.cmd = ETHTOOL_GRXCLSRULE,
			.fs.location = locs[i],
		};
		u64 cookie;

		if (ops->get_rxnfc(dev, &rule, NULL)) {
			used = U32_MAX;
			break;
		}
		cookie = rule.fs.ring_cookie;
		if (cookie == RX_CLS_FLOW_DISC || cookie == RX_CLS_FLOW_WAKE ||
		    ethtool_get_flow_spec_ring_vf(cookie))
			continue;
		used = max_t(u64, used,
			     min_t(u64, ethtool_get_flow_spec_ring(cookie) + 1,
				   U32_MAX - 1));
	}
	kfree(locs);
	return used;
}

/*
 * What ethtool's core checks before a driver's set_channels
 * (ethnl_set_channels(), ethtool_check_max_channel(): not exported), for
 * the lower duonet sets on the user's behalf: an RX and a TX channel
 * left, no RSS table or ntuple rule of the lower's own sending to a
 * queue that would go, no AF_XDP zero-copy socket bound to one. (Not
 * checked: extra RSS contexts and memory providers, 6.12+ and 6.13+,
 * which a guest's VF rarely has.) A driver relies on them:
 * igb, e.g., would silently reset a user's table.
 */
static int chan_check(struct net_device *dev,
		      const struct ethtool_channels *cur,
		      const struct ethtool_channels *want,
		      struct netlink_ext_ack *extack)
{
	u32 rx = want->combined_count + want->rx_count;
	u32 from = want->combined_count + min(want->rx_count, want->tx_count);
	u32 old = cur->combined_count + max(cur->rx_count, cur->tx_count);
	const char *why = NULL;
	u32 i;

	if (!rx || !(want->combined_count + want->tx_count))
		why = "would leave no RX or no TX channel";
	else if (rx < rss_queues_in_use(dev))
		why = "its own RSS table sends to a queue that would go (or is unreadable)";
	else if (rx < rxnfc_queues_in_use(dev))
		why = "its own ntuple rule sends to a queue that would go (or is unreadable)";
	for (i = from; !why && i < old; i++)
		if (xsk_get_pool_from_qid(dev, i))
			why = "an AF_XDP zero-copy socket is bound to a queue that would go";
	if (!why)
		return 0;
	netdev_warn(dev, "duonet: channel change refused: %s\n", why);
	NL_SET_ERR_MSG(extack, "duonet: a lower refused the channel change (see its log)");
	return -EINVAL;
}

static int chan_set(struct net_device *dev, void *v,
		    struct netlink_ext_ack *extack)
{
	struct ethtool_channels cur = {};
	struct duo_chan *c = v;
	int err;

	dev->ethtool_ops->get_channels(dev, &cur);
	err = chan_check(dev, &cur, &c->c, extack);
	if (err)
		return err;
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

/*
 * Around every call into a lower's ethtool ops, what ethtool does around
 * its own (ethnl_ops_begin/complete, not exported): the lower's instance
 * lock where it has ops locking (7.x), the device woken from runtime
 * suspend (igb, e.g., resumes its PCI device only there), present and
 * registered, the driver's begin and complete.
 */
static int lower_begin(struct net_device *dev)
{
	int err = 0;

	duo_compat_lower_lock(dev);
	if (dev->dev.parent)
		pm_runtime_get_sync(dev->dev.parent);
	if (!netif_device_present(dev) || dev->reg_state >= NETREG_UNREGISTERING)
		err = -ENODEV;
	else if (dev->ethtool_ops->begin)
		err = dev->ethtool_ops->begin(dev);
	if (err && dev->dev.parent)
		pm_runtime_put(dev->dev.parent);
	if (err)
		duo_compat_lower_unlock(dev);
	return err;
}

static void lower_complete(struct net_device *dev)
{
	if (dev->ethtool_ops->complete)
		dev->ethtool_ops->complete(dev);
	if (dev->dev.parent)
		pm_runtime_put(dev->dev.parent);
	duo_compat_lower_unlock(dev);
}

static int lower_get(const struct duo_tune_kind *k, struct net_device *dev,
		     void *v)
{
	int err = lower_begin(dev);

	if (err)
		return err;
	err = k->get(dev, v);
	lower_complete(dev);
	return err;
}

static int lower_set(const struct duo_tune_kind *k, struct net_device *dev,
		     void *v, struct netlink_ext_ack *extack)
{
	int err = lower_begin(dev);

	if (err)
		return err;
	err = k->set(dev, v, extack);
	lower_complete(dev);
	return err;
}

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
	priv->tune.refused[lo->role]++;
	netdev_warn(priv->dev, "%s (%s) cannot take the %s: %pe\n",
		    lo->dev->name, duo_path_name(lo->role), what, ERR_PTR(err));
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
	err = lower_get(k, lo->dev, &cur);
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
		err = lower_set(k, lo->dev, &want, extack);
	if (!err && over)
		err = -ERANGE;
	if (!err && unsupported)
		err = -EOPNOTSUPP;
out:
	if (err)
		refused(priv, lo, k->what, err);
	return err;
}

/* The order in which lowers are shown: the active one, the VF, the PV. */
static void shown_order(struct duo_priv *priv, struct duo_lower *lo[3])
{
	ASSERT_RTNL();
	lo[0] = rtnl_dereference(priv->tx);
	lo[1] = rtnl_dereference(priv->vf);
	lo[2] = rtnl_dereference(priv->pv);
}

/* The lower whose values the upper shows: the first that has the kind. */
static struct duo_lower *shown_lower(struct duo_priv *priv,
				     bool (*has)(struct net_device *dev,
						 const struct duo_tune_kind *k),
				     const struct duo_tune_kind *k)
{
	struct duo_lower *lo[3];
	unsigned int i;

	shown_order(priv, lo);
	for (i = 0; i < ARRAY_SIZE(lo); i++)
		if (lo[i] && has(lo[i]->dev, k))
			return lo[i];
	return NULL;
}

static bool kind_has(struct net_device *dev, const struct duo_tune_kind *k)
{
	return dev->ethtool_ops && k->has(dev->ethtool_ops);
}

/*
 * The upper's view: the shown lower's values, the stored ones over them,
 * and as limits the largest of the lowers'. The shown lower is the
 * active one, else the VF, else the PV: the first that has the
 * operation and answers it. A driver may have the operation and still
 * refuse it for its device (vmxnet3 before version 3 and coalescing:
 * -EOPNOTSUPP), as the PV that carries TX for a moment while the VF
 * resets; a lower may be detached for a moment (its driver resetting it,
 * netif_device_detach(): -ENODEV): then the next lower is shown.
 * -EOPNOTSUPP if no lower answers and nothing is stored.
 */
static int tune_view(struct duo_priv *priv, const struct duo_tune_kind *k,
		     void *v)
{
	struct duo_lower *cand[3], *lo = NULL, *other;
	union duo_tune_buf o;
	unsigned int i;
	int err;

	shown_order(priv, cand);
	for (i = 0; i < ARRAY_SIZE(cand) && !lo; i++) {
		if (!cand[i] || !kind_has(cand[i]->dev, k))
			continue;
		memset(v, 0, k->size);
		err = lower_get(k, cand[i]->dev, v);
		if (!err)
			lo = cand[i];
		else if (err != -EOPNOTSUPP && err != -ENODEV)
			return err;
	}
	if (lo) {
		other = cand[1] == lo ? cand[2] : cand[1];
		memset(&o, 0, sizeof(o));
		if (other && kind_has(other->dev, k) && !lower_get(k, other->dev, &o))
			for (i = 0; i < k->n; i++)
				if (k->f[i].max)
					*field(v, k->f[i].max) =
						max(tune_field_get(v, k->f[i].max),
						    tune_field_get(&o, k->f[i].max));
	} else {
		if (!*stored_mask(priv, k))
			return -EOPNOTSUPP;
		memset(v, 0, k->size);
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
	union duo_tune_buf view;
	struct duo_lower *lo;
	bool all = true;
	int err, path;
	u32 diff;

	/* What "changed" means needs the view: no view, no change. */
	err = tune_view(priv, k, &view);
	if (err == -EOPNOTSUPP)
		NL_SET_ERR_MSG(extack, "duonet: no lower has this setting");
	if (err)
		return err;
	diff = fields_diff(k, v, &view);
	if (!diff)
		return 0;
	*stored_mask(priv, k) |= diff;
	fields_copy(k, diff, stored(priv, k), v);
	duo_for_each_lower(priv, lo, path)
		if (tune_lower(priv, k, lo, NULL))
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
	struct ethtool_ringparam cur = {};
	struct kernel_ethtool_ringparam kcur = {};

	/* The core checks the maximum; a ring asked to have no entry: here. */
	duo_get_ringparam(dev, &cur, &kcur, NULL);
	if ((!ring->rx_pending && cur.rx_pending) ||
	    (!ring->tx_pending && cur.tx_pending)) {
		NL_SET_ERR_MSG(extack, "duonet: a ring needs at least one entry");
		return -EINVAL;
	}
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
 * RSS (ethtool -X): a lower takes the table, key and hash function only
 * where it allows all of them as the upper has them: a table and key of
 * the same sizes, and receive rings for every entry of the table. The
 * upper's sizes are those stored, else its shown lower's; its ring count
 * (ETHTOOL_GRXRINGS) is the smallest of the lowers that have RSS.
 */
static bool rss_has(struct net_device *dev)
{
	const struct ethtool_ops *ops = dev->ethtool_ops;

	return ops && ops->get_rxfh && ops->set_rxfh && ops->get_rxfh_indir_size &&
	       ops->get_rxfh_indir_size(dev);
}

static u32 rss_key_size(struct net_device *dev)
{
	const struct ethtool_ops *ops = dev->ethtool_ops;

	return ops->get_rxfh_key_size ? ops->get_rxfh_key_size(dev) : 0;
}

static u32 rx_rings(struct net_device *dev)
{
	u32 rings;

	if (lower_begin(dev))
		return 0;
	rings = duo_compat_rx_rings(dev);
	lower_complete(dev);
	return rings;
}

/* For shown_lower(): a lower with RSS (the kind is not used). */
static bool rss_kind_has(struct net_device *dev, const struct duo_tune_kind *k)
{
	return rss_has(dev);
}

static struct duo_lower *rss_lower(struct duo_priv *priv)
{
	return shown_lower(priv, rss_kind_has, NULL);
}

u32 duo_get_rxfh_indir_size(struct net_device *dev)
{
	struct duo_priv *priv = netdev_priv(dev);
	struct duo_lower *lo;

	if (priv->tune.rss_indir)
		return priv->tune.rss_indir_size;
	lo = rss_lower(priv);
	return lo ? lo->dev->ethtool_ops->get_rxfh_indir_size(lo->dev) : 0;
}

u32 duo_get_rxfh_key_size(struct net_device *dev)
{
	struct duo_priv *priv = netdev_priv(dev);
	struct duo_lower *lo;

	if (priv->tune.rss_key)
		return priv->tune.rss_key_size;
	lo = rss_lower(priv);
	return lo ? rss_key_size(lo->dev) : 0;
}

/* The upper's receive ring count; 0 without a lower that has RSS. */
u32 duo_rx_ring_count(struct net_device *dev)
{
	struct duo_priv *priv = netdev_priv(dev);
	struct duo_lower *lo;
	u32 rings = U32_MAX;
	int path;

	/* A lower that cannot say its ring count does not limit the others. */
	duo_for_each_lower(priv, lo, path)
		if (rss_has(lo->dev) && rx_rings(lo->dev))
			rings = min(rings, rx_rings(lo->dev));
	return rings == U32_MAX ? 0 : rings;
}

/* The upper's view: its shown lower's, under what is stored. */
static int rss_view(struct net_device *dev, u32 *indir, u8 *key, u8 *hfunc)
{
	struct duo_priv *priv = netdev_priv(dev);
	struct duo_tuning *t = &priv->tune;
	struct duo_lower *lo = rss_lower(priv);
	u32 isz = duo_get_rxfh_indir_size(dev), ksz = duo_get_rxfh_key_size(dev);
	u32 lisz, lksz, *li = NULL;
	u8 *lk = NULL, h = ETH_RSS_HASH_NO_CHANGE;
	int err = 0;

	ASSERT_RTNL();
	if (!lo && !t->rss_indir && !t->rss_key && !t->rss_hfunc)
		return -EOPNOTSUPP;
	if (lo) {
		lisz = lo->dev->ethtool_ops->get_rxfh_indir_size(lo->dev);
		lksz = rss_key_size(lo->dev);
		li = kcalloc(lisz, sizeof(*li), GFP_KERNEL);
		lk = kzalloc(lksz + 1, GFP_KERNEL);
		err = li && lk ? lower_begin(lo->dev) : -ENOMEM;
		if (err)
			goto out;
		err = duo_compat_get_rxfh(lo->dev, li, lisz, lksz ? lk : NULL, lksz, &h);
		lower_complete(lo->dev);
		if (err)
			goto out;
		if (indir && lisz == isz)
			memcpy(indir, li, isz * sizeof(*indir));
		if (key && lksz == ksz)
			memcpy(key, lk, ksz);
	}
	if (indir && t->rss_indir)
		memcpy(indir, t->rss_indir, isz * sizeof(*indir));
	if (key && t->rss_key)
		memcpy(key, t->rss_key, ksz);
	if (hfunc)
		*hfunc = t->rss_hfunc ?: h;
out:
	kfree(li);
	kfree(lk);
	return err;
}

static int rss_lower_apply(struct duo_priv *priv, struct duo_lower *lo)
{
	struct duo_tuning *t = &priv->tune;
	struct net_device *dev = lo->dev;
	u32 i, rings;
	int err;

	if (!t->rss_indir && !t->rss_key && !t->rss_hfunc)
		return 0;
	if (!rss_has(dev)) {
		err = -EOPNOTSUPP;
		goto out;
	}
	err = -EINVAL;
	if (t->rss_indir &&
	    dev->ethtool_ops->get_rxfh_indir_size(dev) != t->rss_indir_size)
		goto out;
	if (t->rss_key && rss_key_size(dev) != t->rss_key_size)
		goto out;
	rings = rx_rings(dev);
	for (i = 0; t->rss_indir && i < t->rss_indir_size; i++)
		if (t->rss_indir[i] >= rings) {
			err = -ERANGE;
			goto out;
		}
	err = lower_begin(dev);
	if (err)
		goto out;
	/* A user's table, as ethtool records it: kept across channel changes. */
	err = duo_compat_set_rxfh(dev, t->rss_indir, t->rss_indir_size, t->rss_key,
				  t->rss_key_size, t->rss_hfunc, t->rss_indir_size, NULL);
	lower_complete(dev);
out:
	if (err)
		refused(priv, lo, "RSS settings", err);
	return err;
}

/* ethtool -X DEV default: the lower's own default table, not a user's. */
static void rss_lower_default(struct duo_priv *priv, struct duo_lower *lo)
{
	struct net_device *dev = lo->dev;
	u32 i, n, rings, *tab;
	int err = -ENOMEM;

	if (!rss_has(dev))
		return;
	n = dev->ethtool_ops->get_rxfh_indir_size(dev);
	rings = rx_rings(dev);
	tab = kcalloc(n, sizeof(*tab), GFP_KERNEL);
	if (tab && rings) {
		for (i = 0; i < n; i++)
			tab[i] = ethtool_rxfh_indir_default(i, rings);
		err = lower_begin(dev);
	}
	if (!err) {
		err = duo_compat_set_rxfh(dev, tab, n, NULL, 0,
					  ETH_RSS_HASH_NO_CHANGE, 0, NULL);
		lower_complete(dev);
	}
	if (err)
		refused(priv, lo, "default RSS table", err);
	kfree(tab);
}

/* The table ethtool builds for "default" over the upper's rings. */
static bool rss_is_default(struct net_device *dev, const u32 *indir, u32 n)
{
	/* The count the core built the table with (never 0 on 7.x). */
	u32 i, rings = max(duo_rx_ring_count(dev), 1U);

	for (i = 0; i < n; i++)
		if (indir[i] != ethtool_rxfh_indir_default(i, rings))
			return false;
	return true;
}

static int rss_set(struct net_device *dev, const u32 *indir, const u8 *key,
		   u8 hfunc, struct netlink_ext_ack *extack)
{
	struct duo_priv *priv = netdev_priv(dev);
	struct duo_tuning *t = &priv->tune;
	u32 isz = duo_get_rxfh_indir_size(dev), ksz = duo_get_rxfh_key_size(dev);
	struct duo_lower *lo;
	u32 *new_indir = NULL;
	u8 *new_key = NULL;
	bool all = true;
	int path;

	/* "default": nothing stored; each lower back to its own default. */
	if (indir && rss_is_default(dev, indir, isz)) {
		kfree(t->rss_indir);
		t->rss_indir = NULL;
		duo_for_each_lower(priv, lo, path)
			rss_lower_default(priv, lo);
		indir = NULL;
		if (!key && hfunc == ETH_RSS_HASH_NO_CHANGE)
			return 0;
	}
	if (indir) {
		new_indir = kmemdup(indir, isz * sizeof(*indir), GFP_KERNEL);
		if (!new_indir)
			return -ENOMEM;
	}
	if (key) {
		new_key = kmemdup(key, ksz, GFP_KERNEL);
		if (!new_key) {
			kfree(new_indir);
			return -ENOMEM;
		}
	}
	if (new_indir) {
		kfree(t->rss_indir);
		t->rss_indir = new_indir;
		t->rss_indir_size = isz;
	}
	if (new_key) {
		kfree(t->rss_key);
		t->rss_key = new_key;
		t->rss_key_size = ksz;
	}
	if (hfunc != ETH_RSS_HASH_NO_CHANGE)
		t->rss_hfunc = hfunc;
	duo_for_each_lower(priv, lo, path)
		if (rss_lower_apply(priv, lo))
			all = false;
	if (!all)
		NL_SET_ERR_MSG(extack,
			       "duonet: stored, but a lower could not take it (kernel log, ethtool -S)");
	return 0;
}

#if DUO_COMPAT_RXFH_PARAM
int duo_get_rxfh(struct net_device *dev, struct ethtool_rxfh_param *p)
{
	return rss_view(dev, p->indir, p->key, &p->hfunc);
}

int duo_set_rxfh(struct net_device *dev, struct ethtool_rxfh_param *p,
		 struct netlink_ext_ack *extack)
{
	if (p->rss_context)
		return -EOPNOTSUPP;
	return rss_set(dev, p->indir, p->key, p->hfunc, extack);
}
#else
int duo_get_rxfh(struct net_device *dev, u32 *indir, u8 *key, u8 *hfunc)
{
	return rss_view(dev, indir, key, hfunc);
}

int duo_set_rxfh(struct net_device *dev, const u32 *indir, const u8 *key,
		 const u8 hfunc)
{
	return rss_set(dev, indir, key, hfunc, NULL);
}
#endif

void duo_tuning_free(struct duo_priv *priv)
{
	kfree(priv->tune.rss_indir);
	kfree(priv->tune.rss_key);
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
	if (((dev->wanted_features ^ want) & mask & dev->hw_features) &&
	    !duo_should_fail(DUO_FAULT_FEATURES)) {
		/* Under the lower's instance lock where it has ops locking. */
		duo_compat_lower_lock(dev);
		dev->wanted_features &= ~(mask & dev->hw_features);
		dev->wanted_features |= want & dev->hw_features;
		netdev_update_features(dev);
		duo_compat_lower_unlock(dev);
	}
	bad = (dev->features ^ want) & mask;
	if (bad) {
		priv->tune.refused[lo->role]++;
		netdev_warn(priv->dev, "%s (%s) cannot take the offloads %pNF (fixed there: ethtool -k %s)\n",
			    dev->name, duo_path_name(lo->role), &bad, dev->name);
	}
	return bad;
}

int duo_set_features(struct net_device *dev, netdev_features_t features)
{
	struct duo_priv *priv = netdev_priv(dev);
	netdev_features_t changed = (features ^ dev->features) & DUO_RX_FEATURES;
	struct duo_lower *lo;
	int path;

	ASSERT_RTNL();
	/*
	 * A lower's feature change updates the upper's features again
	 * (core/notify.c, NETDEV_FEAT_CHANGE), which calls this again before
	 * the first call returned: the outer call asks the lowers, once.
	 */
	if (!changed || priv->tune.in_set_features)
		return 0;
	priv->tune.feat_mask |= changed;
	priv->tune.feat = features & DUO_RX_FEATURES;
	/*
	 * dev->features is the core's to set when this returns (it compares
	 * it with features to resync VLAN filters). A lower's update checks
	 * the upper's wanted_features (netdev_sync_upper_features()), which
	 * ethtool set before this.
	 */
	priv->tune.in_set_features = true;
	duo_for_each_lower(priv, lo, path)
		feat_lower(priv, lo, changed);
	priv->tune.in_set_features = false;
	return 0;
}

/* A lower joined: everything the user set so far, before it carries TX. */
void duo_tuning_replay(struct duo_priv *priv, struct duo_lower *lo)
{
	ASSERT_RTNL();
	tune_lower(priv, &ring_kind, lo, NULL);
	tune_lower(priv, &coal_kind, lo, NULL);
	tune_lower(priv, &chan_kind, lo, NULL);
	rss_lower_apply(priv, lo);	/* after the channels it may need */
	feat_lower(priv, lo, DUO_RX_FEATURES);
}
