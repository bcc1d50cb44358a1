// SPDX-License-Identifier: GPL-2.0
/*
 * rtnetlink of the upper: the settings in IFLA_INFO_DATA (validated by the
 * policy, with extack messages), the state dumped with them, and each
 * lower's role in IFLA_INFO_SLAVE_DATA. Runs under RTNL.
 */
#include <linux/in.h>
#include <linux/netdevice.h>
#include <net/ipv6.h>
#include <net/netlink.h>
#include <net/rtnetlink.h>

#include "core/duonet.h"
#include "core/uapi.h"

/* Inside IFLA_DUONET_REACH_IP4/IP6: addresses, nothing else. */
static const struct nla_policy reach_ip4_policy[IFLA_DUONET_REACH_TARGET + 1] = {
	[IFLA_DUONET_REACH_TARGET] = NLA_POLICY_EXACT_LEN(sizeof(__be32)),
};

static const struct nla_policy reach_ip6_policy[IFLA_DUONET_REACH_TARGET + 1] = {
	[IFLA_DUONET_REACH_TARGET] = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
};

/*
 * The settings' entries (type and range) are written from their table
 * by duo_settings_policy() before the link kind is registered.
 */
struct nla_policy duo_nl_policy[IFLA_DUONET_MAX + 1] = {
	/*
	 * Strict for every attribute: a length other than its type's, a
	 * nested flag, the padding attribute are refused with a message,
	 * not taken with a log line.
	 */
	[IFLA_DUONET_UNSPEC] = { .strict_start_type = IFLA_DUONET_ANNOUNCE_COUNT },
	[IFLA_DUONET_ACTIVE_PATH] = { .type = NLA_REJECT },
	[IFLA_DUONET_SWITCHES_TO_VF] = { .type = NLA_REJECT },
	[IFLA_DUONET_SWITCHES_TO_PV] = { .type = NLA_REJECT },
	[IFLA_DUONET_LAST_SWITCH_USECS] = { .type = NLA_REJECT },
	[IFLA_DUONET_VF_IFINDEX] = { .type = NLA_U32 },
	[IFLA_DUONET_PV_IFINDEX] = { .type = NLA_U32 },
	[IFLA_DUONET_REACH_IP4] = NLA_POLICY_NESTED(reach_ip4_policy),
	[IFLA_DUONET_REACH_IP6] = NLA_POLICY_NESTED(reach_ip6_policy),
	[IFLA_DUONET_VF_REACHABLE] = { .type = NLA_REJECT },
};

/*
 * Give the role to the device with this ifindex (0: release the role's
 * lower). The device may be this upper's lower in the other role: it
 * moves, and goes back if the new role refuses it.
 */
static int duo_set_role(struct duo_priv *priv, enum duo_path role,
			const struct nlattr *attr, struct netlink_ext_ack *extack)
{
	struct duo_lower *cur = rtnl_dereference(role == DUO_PATH_VF ?
						 priv->vf : priv->pv);
	u32 ifindex = nla_get_u32(attr);
	struct net_device *dev;
	struct duo_lower *lo;
	int err;

	ASSERT_RTNL();
	if (!ifindex) {
		if (cur) {
			dev = cur->dev;
			duo_leave(priv, cur);
			duo_pair_decline(dev);
		}
		return 0;
	}
	dev = __dev_get_by_index(dev_net(priv->dev), ifindex);
	if (!dev) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "duonet: no device with this ifindex here");
		return -ENODEV;
	}
	if (cur && cur->dev == dev)
		return 0;
	lo = duo_lower_of(dev);
	if (!lo || lo->upper != priv->dev)
		return duo_join(priv, dev, role, extack);
	/* The other role of this upper (this one is free: duo_set_roles()). */
	duo_leave(priv, lo);
	err = duo_join(priv, dev, role, extack);
	if (err && duo_join(priv, dev, role == DUO_PATH_VF ? DUO_PATH_PV :
							    DUO_PATH_VF, NULL))
		netdev_err(priv->dev, "%s could not return to its role\n", dev->name);
	return err;
}

/*
 * Both role attributes of one message: a role taken by another device is
 * refused before anything changes; devices are paired (or moved) before
 * any role is released, so a refused pairing releases nothing.
 */
static int duo_set_roles(struct duo_priv *priv, struct nlattr *data[],
			 struct netlink_ext_ack *extack)
{
	static const struct {
		int attr;
		enum duo_path role;
	} roles[] = {
		{ IFLA_DUONET_VF_IFINDEX, DUO_PATH_VF },
		{ IFLA_DUONET_PV_IFINDEX, DUO_PATH_PV },
	};
	int i, pass, err;

	for (i = 0; i < ARRAY_SIZE(roles); i++) {
		struct nlattr *attr = data[roles[i].attr];
		struct duo_lower *cur = rtnl_dereference(roles[i].role == DUO_PATH_VF ?
							 priv->vf : priv->pv);

		if (attr && nla_get_u32(attr) && cur &&
		    cur->dev->ifindex != nla_get_u32(attr)) {
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "duonet: the role is taken; release its lower first");
			return -EBUSY;
		}
	}
	/* Pass 0 pairs and moves, pass 1 releases. */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < ARRAY_SIZE(roles); i++) {
			struct nlattr *attr = data[roles[i].attr];
			bool release = attr && !nla_get_u32(attr);

			if (!attr || release != pass)
				continue;
			err = duo_set_role(priv, roles[i].role, attr, extack);
			if (err)
				return err;
		}
	}
	return 0;
}

/*
 * One reachability target, unicast; out is __be32 or struct in6_addr.
 * Its type and length the nested policy checked (strictly: this is past
 * strict_start_type).
 */
static int reach_target(const struct nlattr *a, bool ip6, void *out,
			struct netlink_ext_ack *extack)
{
	if (ip6) {
		struct in6_addr t = nla_get_in6_addr(a);

		if (ipv6_addr_any(&t) || ipv6_addr_is_multicast(&t) ||
		    ipv6_addr_loopback(&t))
			goto not_unicast;
		memcpy(out, &t, sizeof(t));
	} else {
		__be32 t = nla_get_in_addr(a);

		if (ipv4_is_zeronet(t) || ipv4_is_multicast(t) ||
		    ipv4_is_lbcast(t) || ipv4_is_loopback(t))
			goto not_unicast;
		memcpy(out, &t, sizeof(t));
	}
	return 0;
not_unicast:
	NL_SET_ERR_MSG_ATTR(extack, a, "duonet: a reachability target must be a unicast address");
	return -EINVAL;
}

/* A whole list of targets of one family, replacing the one set. */
static int reach_targets(const struct nlattr *nest, bool ip6,
			 struct duo_reach_cfg *cfg, struct netlink_ext_ack *extack)
{
	const struct nlattr *a;
	int rem, n = 0, err;

	if (ip6 && !IS_ENABLED(CONFIG_IPV6)) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "duonet: this kernel has no IPv6");
		return -EOPNOTSUPP;
	}
	if (!ip6 && !IS_ENABLED(CONFIG_INET)) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "duonet: this kernel has no IPv4");
		return -EOPNOTSUPP;
	}
	if (ip6)
		memset(cfg->ip6, 0, sizeof(cfg->ip6));
	else
		memset(cfg->ip4, 0, sizeof(cfg->ip4));
	nla_for_each_nested(a, nest, rem) {
		if (n == DUO_REACH_TARGETS) {
			NL_SET_ERR_MSG_ATTR(extack, a,
					    "duonet: at most 16 reachability targets per family");
			return -EINVAL;
		}
		err = reach_target(a, ip6, ip6 ? (void *)&cfg->ip6[n] :
						 (void *)&cfg->ip4[n], extack);
		if (err)
			return err;
		n++;
	}
	return 0;
}

/*
 * The reachability targets of a message into *targets, over the upper's
 * (a family not given is kept); *given false if it gives none.
 */
static int reach_targets_of(const struct duo_priv *priv, struct nlattr *data[],
			    struct duo_reach_cfg *targets, bool *given,
			    struct netlink_ext_ack *extack)
{
	int err;

	*targets = priv->reach.cfg;
	*given = data[IFLA_DUONET_REACH_IP4] || data[IFLA_DUONET_REACH_IP6];
	if (data[IFLA_DUONET_REACH_IP4]) {
		err = reach_targets(data[IFLA_DUONET_REACH_IP4], false, targets, extack);
		if (err)
			return err;
	}
	if (data[IFLA_DUONET_REACH_IP6]) {
		err = reach_targets(data[IFLA_DUONET_REACH_IP6], true, targets, extack);
		if (err)
			return err;
	}
	return 0;
}

/*
 * There will be a PV lower once the message's roles are set: it names one,
 * or keeps the one there (not releasing it, nor moving it to the VF role).
 */
static bool pv_after(const struct duo_priv *priv, struct nlattr *data[])
{
	const struct duo_lower *pv = rtnl_dereference(priv->pv);

	if (data[IFLA_DUONET_PV_IFINDEX])
		return nla_get_u32(data[IFLA_DUONET_PV_IFINDEX]);
	return pv && !(data[IFLA_DUONET_VF_IFINDEX] &&
		       nla_get_u32(data[IFLA_DUONET_VF_IFINDEX]) == pv->dev->ifindex);
}

/*
 * Validated by the policy already (core/settings.c wrote the settings'
 * ranges into it). The lowers first: a refused pairing leaves the
 * settings as they were (a VF paired before a refused PV stays). The
 * settings then apply all together.
 */
static int duo_apply_settings(struct duo_priv *priv, struct nlattr *data[],
			      struct netlink_ext_ack *extack)
{
	struct duo_reach_cfg targets;
	struct duo_setvals set;
	bool given;
	int err;

	ASSERT_RTNL();
	if (!data)
		return 0;
	err = reach_targets_of(priv, data, &targets, &given, extack);
	if (err)
		return err;
	duo_settings_read(priv, &set);
	duo_settings_from_nl(&set, data);
	err = duo_settings_check(priv, &set, &targets, pv_after(priv, data),
				 data, extack);
	if (err)
		return err;
	/* Pairing may fail: before any setting changes. */
	if (data[IFLA_DUONET_VF_IFINDEX] && data[IFLA_DUONET_PV_IFINDEX] &&
	    nla_get_u32(data[IFLA_DUONET_VF_IFINDEX]) &&
	    nla_get_u32(data[IFLA_DUONET_VF_IFINDEX]) ==
	    nla_get_u32(data[IFLA_DUONET_PV_IFINDEX])) {
		NL_SET_ERR_MSG(extack, "duonet: one device cannot take both roles");
		return -EINVAL;
	}
	err = duo_set_roles(priv, data, extack);
	if (err)
		return err;
	/* IPv6 targets and pv-only depend on the lowers the roles left. */
	err = duo_settings_check_lowers(priv, &set, given ? &targets : NULL,
					data, extack);
	if (err)
		return err;
	duo_settings_apply(priv, &set, given ? &targets : NULL);
	return 0;
}

int duo_newlink(struct net_device *dev, struct nlattr *data[],
		struct netlink_ext_ack *extack)
{
	int err;

	err = register_netdevice(dev);
	if (err)
		return err;
	err = duo_apply_settings(netdev_priv(dev), data, extack);
	if (err)
		unregister_netdevice(dev);
	return err;
}

int duo_changelink(struct net_device *dev, struct nlattr *tb[],
		   struct nlattr *data[], struct netlink_ext_ack *extack)
{
	return duo_apply_settings(netdev_priv(dev), data, extack);
}

size_t duo_get_size(const struct net_device *dev)
{
	return duo_settings_size() +
	       2 * nla_total_size(sizeof(u32)) +	/* the lowers */
	       2 * nla_total_size(sizeof(u8)) +		/* path, VF reachable */
	       3 * nla_total_size_64bit(sizeof(u64)) +	/* counters */
	       2 * nla_total_size(0) +			/* the targets */
	       DUO_REACH_TARGETS * nla_total_size(sizeof(__be32)) +
	       DUO_REACH_TARGETS * nla_total_size(sizeof(struct in6_addr));
}

static int fill_reach(struct sk_buff *skb, const struct duo_priv *priv)
{
	const struct duo_reach_cfg *r = &priv->reach.cfg;
	struct nlattr *nest;
	int i;

	if (nla_put_u8(skb, IFLA_DUONET_VF_REACHABLE, priv->fo.vf.reachable))
		return -EMSGSIZE;
	nest = nla_nest_start(skb, IFLA_DUONET_REACH_IP4);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < DUO_REACH_TARGETS && r->ip4[i]; i++)
		if (nla_put_in_addr(skb, IFLA_DUONET_REACH_TARGET, r->ip4[i]))
			return -EMSGSIZE;
	nla_nest_end(skb, nest);
	nest = nla_nest_start(skb, IFLA_DUONET_REACH_IP6);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < DUO_REACH_TARGETS && !ipv6_addr_any(&r->ip6[i]); i++)
		if (nla_put_in6_addr(skb, IFLA_DUONET_REACH_TARGET, &r->ip6[i]))
			return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/* The module's paths are the ABI's, value for value. */
static_assert(DUO_PATH_NONE == 0 && DUO_PATH_VF == 1 && DUO_PATH_PV == 2 &&
	      DUO_UAPI_PATH_NONE == 0 && DUO_UAPI_PATH_VF == 1 &&
	      DUO_UAPI_PATH_PV == 2);

static enum duo_uapi_path uapi_path(const struct duo_lower *lo)
{
	return lo ? (enum duo_uapi_path)lo->role : DUO_UAPI_PATH_NONE;
}

int duo_fill_info(struct sk_buff *skb, const struct net_device *dev)
{
	struct duo_priv *priv = netdev_priv(dev);
	struct duo_lower *vf = rtnl_dereference(priv->vf);
	struct duo_lower *pv = rtnl_dereference(priv->pv);

	if (nla_put_u32(skb, IFLA_DUONET_VF_IFINDEX, vf ? vf->dev->ifindex : 0) ||
	    nla_put_u32(skb, IFLA_DUONET_PV_IFINDEX, pv ? pv->dev->ifindex : 0) ||
	    duo_settings_fill(skb, priv) ||
	    nla_put_u8(skb, IFLA_DUONET_ACTIVE_PATH,
		       uapi_path(rtnl_dereference(priv->tx))) ||
	    nla_put_u64_64bit(skb, IFLA_DUONET_SWITCHES_TO_VF, priv->fo.switches_to_vf,
			      IFLA_DUONET_PAD) ||
	    nla_put_u64_64bit(skb, IFLA_DUONET_SWITCHES_TO_PV, priv->fo.switches_to_pv,
			      IFLA_DUONET_PAD) ||
	    nla_put_u64_64bit(skb, IFLA_DUONET_LAST_SWITCH_USECS,
			      READ_ONCE(priv->last_switch_usecs), IFLA_DUONET_PAD))
		return -EMSGSIZE;
	return fill_reach(skb, priv);
}

size_t duo_get_slave_size(const struct net_device *upper,
			  const struct net_device *lower)
{
	return 2 * nla_total_size(sizeof(u8));
}

int duo_fill_slave_info(struct sk_buff *skb, const struct net_device *upper,
			const struct net_device *lower)
{
	struct duo_priv *priv = netdev_priv(upper);
	struct duo_lower *lo = duo_lower_of(lower);

	if (!lo)
		return 0;
	if (nla_put_u8(skb, IFLA_DUONET_LOWER_ROLE, uapi_path(lo)) ||
	    nla_put_u8(skb, IFLA_DUONET_LOWER_ACTIVE, rtnl_dereference(priv->tx) == lo))
		return -EMSGSIZE;
	return 0;
}
