// SPDX-License-Identifier: GPL-2.0
/*
 * The upper's settings, one table, as bonding's bond_opts[]: each
 * setting's name, rtnetlink attribute and range, and its ethtool private
 * flag. Every plane goes through it: the netlink policy's entries for the
 * settings are written from it (so a value out of range is refused with
 * the kernel's message and the range), the module parameters that give
 * defaults check their value against it, ethtool's private flags and
 * IFLA_INFO_DATA are read and applied by the same functions below.
 * Runs under RTNL but for the module parameters (at load, before any
 * upper).
 */
#include <linux/moduleparam.h>
#include <net/ipv6.h>
#include <net/netlink.h>

#include "core/duonet.h"
#include "core/uapi.h"

struct duo_setting {
	const char *name;	/* duoctl's key; a private flag's name */
	u16 attr;		/* IFLA_DUONET_* */
	u8 nla_type;		/* NLA_U32; NLA_U8 for a flag (0/1) */
	s8 pflag;		/* its ethtool private flag, or -1 */
	/* Not const: the policy points at it (6.1's nla_policy.range). */
	struct netlink_range_validation range;
};

#define NUM(n, a, lo, hi) { n, a, NLA_U32, -1, { lo, hi } }
#define FLAG(n, a, f) { n, a, NLA_U8, f, { 0, 1 } }

static struct duo_setting duo_settings[DUO_SET_MAX] = {
	[DUO_SET_ANNOUNCE_COUNT] =
		NUM("announce-count", IFLA_DUONET_ANNOUNCE_COUNT, 0, 100),
	[DUO_SET_ANNOUNCE_INTERVAL_MS] =
		NUM("announce-interval-ms", IFLA_DUONET_ANNOUNCE_INTERVAL_MS, 1, 10000),
	[DUO_SET_FAILBACK_DELAY_MS] =
		NUM("failback-delay-ms", IFLA_DUONET_FAILBACK_DELAY_MS, 0, 600000),
	[DUO_SET_DAMP_FLAPS] =
		NUM("damp-flaps", IFLA_DUONET_DAMP_FLAPS, 0, DUO_FO_DAMP_MAX),
	[DUO_SET_DAMP_WINDOW_MS] =
		NUM("damp-window-ms", IFLA_DUONET_DAMP_WINDOW_MS, 1, 3600000),
	[DUO_SET_DAMP_HOLD_MS] =
		NUM("damp-hold-ms", IFLA_DUONET_DAMP_HOLD_MS, 0, 3600000),
	/* Which masks are taken: duo_settings_check(). */
	[DUO_SET_HINT_MASK] =
		NUM("hint-mask", IFLA_DUONET_HINT_MASK, 0, U32_MAX),
	[DUO_SET_ADAPTIVE_LOW_PPS] =
		NUM("adaptive-low-pps", IFLA_DUONET_ADAPTIVE_LOW_PPS, 0, 100000000),
	[DUO_SET_ADAPTIVE_HIGH_PPS] =
		NUM("adaptive-high-pps", IFLA_DUONET_ADAPTIVE_HIGH_PPS, 1, 100000000),
	[DUO_SET_ADAPTIVE_DWELL_MS] =
		NUM("adaptive-dwell-ms", IFLA_DUONET_ADAPTIVE_DWELL_MS, 0, 3600000),
	/* 0 (off) or DUO_REACH_MIN_MS and more: duo_settings_check(). */
	[DUO_SET_REACH_INTERVAL_MS] =
		NUM("reach-interval-ms", IFLA_DUONET_REACH_INTERVAL_MS, 0, 60000),
	[DUO_SET_REACH_MISSED] =
		NUM("reach-missed", IFLA_DUONET_REACH_MISSED, 1, 255),
	[DUO_SET_PV_ONLY] = FLAG("pv-only", IFLA_DUONET_PV_ONLY, 0),
	[DUO_SET_ADAPTIVE] = FLAG("adaptive", IFLA_DUONET_ADAPTIVE, 1),
};

/*
 * A new upper's values of the settings that have a module parameter
 * (core/main.c); the others' defaults are failover/'s and core/reach.c's.
 */
u32 duo_set_defaults[DUO_SET_MAX] = {
	[DUO_SET_ANNOUNCE_COUNT] = 3,
	[DUO_SET_ANNOUNCE_INTERVAL_MS] = 100,
	[DUO_SET_FAILBACK_DELAY_MS] = 0,
};

/*
 * A module parameter holding a default (kp->arg: its duo_set_defaults[]
 * entry): a number in the setting's range, else -EINVAL and a log line
 * (at load: the module does not load).
 */
static int set_param_set(const char *val, const struct kernel_param *kp)
{
	const struct duo_setting *d = &duo_settings[(u32 *)kp->arg - duo_set_defaults];
	u32 v;

	if (kstrtou32(val, 0, &v) || v < d->range.min || v > d->range.max) {
		pr_err("%s=%s refused: %s is %llu..%llu\n", kp->name, val, d->name,
		       d->range.min, d->range.max);
		return -EINVAL;
	}
	*(u32 *)kp->arg = v;
	return 0;
}

const struct kernel_param_ops duo_set_param_ops = {
	.set = set_param_set,
	.get = param_get_uint,
};

/* The settings' entries of the rtnetlink policy: type and range. */
void duo_settings_policy(struct nla_policy *policy)
{
	int i;

	for (i = 0; i < DUO_SET_MAX; i++) {
		struct nla_policy *p = &policy[duo_settings[i].attr];

		p->type = duo_settings[i].nla_type;
		p->validation_type = NLA_VALIDATE_RANGE_PTR;
		p->range = &duo_settings[i].range;
	}
}

static u32 ns_to_ms(u64 ns)
{
	return div_u64(ns, NSEC_PER_MSEC);
}

static u64 ms_to_ns(u32 ms)
{
	return (u64)ms * NSEC_PER_MSEC;
}

/* The settings as they are, none given. */
void duo_settings_read(const struct duo_priv *priv, struct duo_setvals *s)
{
	const struct duo_fo_config *cfg = &priv->fo.cfg;
	u32 *v = s->v;

	s->given = 0;
	v[DUO_SET_ANNOUNCE_COUNT] = priv->announce.count;
	v[DUO_SET_ANNOUNCE_INTERVAL_MS] = priv->announce.interval_ms;
	v[DUO_SET_FAILBACK_DELAY_MS] = ns_to_ms(cfg->failback_delay_ns);
	v[DUO_SET_DAMP_FLAPS] = cfg->damp_flaps;
	v[DUO_SET_DAMP_WINDOW_MS] = ns_to_ms(cfg->damp_window_ns);
	v[DUO_SET_DAMP_HOLD_MS] = ns_to_ms(cfg->damp_hold_ns);
	v[DUO_SET_HINT_MASK] = READ_ONCE(priv->hint_mask);
	v[DUO_SET_ADAPTIVE_LOW_PPS] = cfg->adapt_low_pps;
	v[DUO_SET_ADAPTIVE_HIGH_PPS] = cfg->adapt_high_pps;
	v[DUO_SET_ADAPTIVE_DWELL_MS] = ns_to_ms(cfg->adapt_dwell_ns);
	v[DUO_SET_REACH_INTERVAL_MS] = priv->reach.cfg.interval_ms;
	v[DUO_SET_REACH_MISSED] = priv->reach.cfg.missed;
	v[DUO_SET_PV_ONLY] = priv->fo.pv_only;
	v[DUO_SET_ADAPTIVE] = priv->fo.adaptive;
}

static void give(struct duo_setvals *s, int i, u32 v)
{
	s->v[i] = v;
	s->given |= BIT(i);
}

/* The settings an IFLA_INFO_DATA gives (the policy checked their range). */
void duo_settings_from_nl(struct duo_setvals *s, struct nlattr *data[])
{
	int i;

	for (i = 0; i < DUO_SET_MAX; i++) {
		const struct nlattr *a = data[duo_settings[i].attr];

		if (a)
			give(s, i, duo_settings[i].nla_type == NLA_U8 ?
				   nla_get_u8(a) : nla_get_u32(a));
	}
}

u32 duo_settings_pflags(const struct duo_priv *priv)
{
	struct duo_setvals s;
	u32 flags = 0;
	int i;

	duo_settings_read(priv, &s);
	for (i = 0; i < DUO_SET_MAX; i++)
		if (duo_settings[i].pflag >= 0 && s.v[i])
			flags |= BIT(duo_settings[i].pflag);
	return flags;
}

/* ethtool --set-priv-flags: every flag is given, on or off. */
void duo_settings_from_pflags(struct duo_setvals *s, u32 flags)
{
	int i;

	for (i = 0; i < DUO_SET_MAX; i++)
		if (duo_settings[i].pflag >= 0)
			give(s, i, !!(flags & BIT(duo_settings[i].pflag)));
}

int duo_settings_pflag_count(void)
{
	int i, n = 0;

	for (i = 0; i < DUO_SET_MAX; i++)
		n += duo_settings[i].pflag >= 0;
	return n;
}

void duo_settings_pflag_names(u8 *data)
{
	int i;

	for (i = 0; i < DUO_SET_MAX; i++) {
		s8 f = duo_settings[i].pflag;

		if (f >= 0)
			strscpy_pad(data + f * ETH_GSTRING_LEN, duo_settings[i].name,
				    ETH_GSTRING_LEN);
	}
}

/* A setting's attribute in a request's IFLA_INFO_DATA, if there is one. */
static const struct nlattr *attr_of(struct nlattr *data[], enum duo_set set)
{
	return data ? data[duo_settings[set].attr] : NULL;
}

/*
 * What the ranges cannot say; targets: a request's new reachability
 * targets, or NULL (the upper's); pv_after: there will be a PV lower
 * once the request's roles are set. Nothing changes here.
 */
int duo_settings_check(const struct duo_priv *priv, const struct duo_setvals *s,
		       const struct duo_reach_cfg *targets, bool pv_after,
		       struct nlattr *data[], struct netlink_ext_ack *extack)
{
	const u32 *v = s->v;
	u32 m = v[DUO_SET_HINT_MASK];
	u32 run = m ? m >> __ffs(m) : 0;

	if (!targets)
		targets = &priv->reach.cfg;
	/* 0, or contiguous bits: shifted down, 2^k - 1 with k >= 2 */
	if (m && ((run & (run + 1)) || run < 3)) {
		NL_SET_ERR_MSG_ATTR(extack, attr_of(data, DUO_SET_HINT_MASK),
				    "duonet: the hint mask must be 0 or at least 2 contiguous bits");
		return -EINVAL;
	}
	if (v[DUO_SET_ADAPTIVE_LOW_PPS] >= v[DUO_SET_ADAPTIVE_HIGH_PPS]) {
		NL_SET_ERR_MSG(extack, "duonet: the adaptive low mark must be below the high mark");
		return -EINVAL;
	}
	if (v[DUO_SET_REACH_INTERVAL_MS] &&
	    v[DUO_SET_REACH_INTERVAL_MS] < DUO_REACH_MIN_MS) {
		NL_SET_ERR_MSG_ATTR(extack, attr_of(data, DUO_SET_REACH_INTERVAL_MS),
				    "duonet: the reachability interval is 0 (off) or 10..60000 ms");
		return -EINVAL;
	}
	if (v[DUO_SET_REACH_INTERVAL_MS] && !targets->ip4[0] &&
	    ipv6_addr_any(&targets->ip6[0])) {
		NL_SET_ERR_MSG(extack,
			       "duonet: the reachability check needs a target (IPv4 or IPv6)");
		return -EINVAL;
	}
	/* Not given, it follows the PV: a PV leaving turns it off. */
	if (s->given & BIT(DUO_SET_PV_ONLY) && v[DUO_SET_PV_ONLY] && !pv_after) {
		NL_SET_ERR_MSG_ATTR(extack, attr_of(data, DUO_SET_PV_ONLY),
				    "duonet: pv-only needs a PV lower, and there is none");
		return -ENODEV;
	}
	return 0;
}

/*
 * After a request's pairing, which may have made a pair with two MACs
 * (IPv6 targets refused) or released the PV (pv-only, not given, is as
 * the departure left it).
 */
int duo_settings_check_lowers(const struct duo_priv *priv, struct duo_setvals *s,
			      const struct duo_reach_cfg *targets,
			      struct nlattr *data[], struct netlink_ext_ack *extack)
{
	ASSERT_RTNL();
	if (!(s->given & BIT(DUO_SET_PV_ONLY)))
		s->v[DUO_SET_PV_ONLY] = priv->fo.pv_only;
	/* No IPv6 probe can be answered on a VF of a pair with two MACs (core/reach.c). */
	if (targets && priv->mac_follow && !ipv6_addr_any(&targets->ip6[0])) {
		NL_SET_ERR_MSG_ATTR(extack, data ? data[IFLA_DUONET_REACH_IP6] : NULL,
				    "duonet: a pair with two MACs (pair=) takes IPv4 reachability targets only");
		return -EINVAL;
	}
	return 0;
}

/*
 * Checked settings into their places, with what a change sets off;
 * targets: new reachability targets, or NULL (kept).
 */
void duo_settings_apply(struct duo_priv *priv, const struct duo_setvals *s,
			const struct duo_reach_cfg *targets)
{
	struct duo_fo_config cfg = priv->fo.cfg;
	const u32 *v = s->v;

	ASSERT_RTNL();
	priv->announce.count = v[DUO_SET_ANNOUNCE_COUNT];
	priv->announce.interval_ms = v[DUO_SET_ANNOUNCE_INTERVAL_MS];
	cfg.failback_delay_ns = ms_to_ns(v[DUO_SET_FAILBACK_DELAY_MS]);
	cfg.damp_flaps = v[DUO_SET_DAMP_FLAPS];
	cfg.damp_window_ns = ms_to_ns(v[DUO_SET_DAMP_WINDOW_MS]);
	cfg.damp_hold_ns = ms_to_ns(v[DUO_SET_DAMP_HOLD_MS]);
	cfg.adapt_low_pps = v[DUO_SET_ADAPTIVE_LOW_PPS];
	cfg.adapt_high_pps = v[DUO_SET_ADAPTIVE_HIGH_PPS];
	cfg.adapt_dwell_ns = ms_to_ns(v[DUO_SET_ADAPTIVE_DWELL_MS]);
	WRITE_ONCE(priv->hint_mask, v[DUO_SET_HINT_MASK]);
	duo_fo_set_config(&priv->fo, &cfg);
	if (targets || s->given & (BIT(DUO_SET_REACH_INTERVAL_MS) |
				   BIT(DUO_SET_REACH_MISSED))) {
		struct duo_reach_cfg reach = targets ? *targets : priv->reach.cfg;

		reach.interval_ms = v[DUO_SET_REACH_INTERVAL_MS];
		reach.missed = v[DUO_SET_REACH_MISSED];
		duo_reach_set(priv, &reach);
	}
	/*
	 * pv-only on before the adaptive policy changes, off after it: one
	 * switch at most (adaptive off holding TX on the PV would otherwise
	 * move it to the VF and back).
	 */
	if (v[DUO_SET_PV_ONLY] && !priv->fo.pv_only)
		duo_path_event(priv, DUO_EV_PV_ONLY_ON);
	duo_adaptive(priv, v[DUO_SET_ADAPTIVE]);
	if (!v[DUO_SET_PV_ONLY] && priv->fo.pv_only)
		duo_path_event(priv, DUO_EV_PV_ONLY_OFF);
	/* A shorter failback delay may have come due already. */
	duo_path_event(priv, DUO_EV_TIMER);
}

/* The room duo_settings_fill() takes. */
size_t duo_settings_size(void)
{
	size_t n = 0;
	int i;

	for (i = 0; i < DUO_SET_MAX; i++)
		n += nla_total_size(duo_settings[i].nla_type == NLA_U8 ? sizeof(u8) :
									 sizeof(u32));
	return n;
}

/* Every setting into an IFLA_INFO_DATA. */
int duo_settings_fill(struct sk_buff *skb, const struct duo_priv *priv)
{
	struct duo_setvals s;
	int i, err;

	duo_settings_read(priv, &s);
	for (i = 0; i < DUO_SET_MAX; i++) {
		if (duo_settings[i].nla_type == NLA_U8)
			err = nla_put_u8(skb, duo_settings[i].attr, s.v[i]);
		else
			err = nla_put_u32(skb, duo_settings[i].attr, s.v[i]);
		if (err)
			return err;
	}
	return 0;
}

/* A new upper's settings: the defaults (duo_path_init() calls it). */
void duo_settings_init(struct duo_priv *priv)
{
	struct duo_fo_config cfg;

	priv->announce.count = duo_set_defaults[DUO_SET_ANNOUNCE_COUNT];
	priv->announce.interval_ms = duo_set_defaults[DUO_SET_ANNOUNCE_INTERVAL_MS];
	duo_fo_default_config(&cfg);
	cfg.failback_delay_ns = ms_to_ns(duo_set_defaults[DUO_SET_FAILBACK_DELAY_MS]);
	duo_fo_init(&priv->fo, &cfg);
}
