// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the settings' table (core/settings.c) and its planes. A setting
 * changed on one plane (IFLA_INFO_DATA, ethtool's private flags) reads
 * back the same on the other; what the ranges cannot say is refused
 * with a message and changes nothing given in the same request; a module
 * parameter out of its setting's range is refused.
 */
#include <kunit/test.h>
#include <linux/rtnetlink.h>
#include <net/netlink.h>

#include "core/duonet.h"
#include "core/uapi.h"
#include "kunit/fake.h"

static const u8 pair_mac[ETH_ALEN] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

static struct duo_priv *priv_of(struct net_device *upper)
{
	return netdev_priv(upper);
}

/* A request: its attributes, parsed as rtnetlink parses IFLA_INFO_DATA. */
struct req {
	struct sk_buff *skb;
	struct nlattr *data[IFLA_DUONET_MAX + 1];
};

static void req_free(void *arg)
{
	kfree_skb(arg);
}

static struct req *req_new(struct kunit *test)
{
	struct req *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, r);
	r->skb = alloc_skb(256, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r->skb);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, req_free, r->skb), 0);
	return r;
}

static void put32(struct kunit *test, struct req *r, int type, u32 v)
{
	KUNIT_ASSERT_EQ(test, nla_put_u32(r->skb, type, v), 0);
}

static void put8(struct kunit *test, struct req *r, int type, u8 v)
{
	KUNIT_ASSERT_EQ(test, nla_put_u8(r->skb, type, v), 0);
}

/* The request to the upper, as "ip link set" sends it: errno, *ext set. */
static int send(struct kunit *test, struct net_device *upper, struct req *r,
		struct netlink_ext_ack *ext)
{
	int err;

	memset(ext, 0, sizeof(*ext));
	err = nla_parse_deprecated(r->data, IFLA_DUONET_MAX,
				   (struct nlattr *)r->skb->data, r->skb->len,
				   duo_nl_policy, ext);
	if (err)
		return err;
	rtnl_lock();
	err = duo_link_ops.changelink(upper, NULL, r->data, ext);
	rtnl_unlock();
	return err;
}

static void expect_msg(struct kunit *test, const struct netlink_ext_ack *ext,
		       const char *text)
{
	KUNIT_EXPECT_NOT_NULL_MSG(test, ext->_msg, "no message, want \"%s\"", text);
	if (ext->_msg)
		KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(ext->_msg, text),
					  "message \"%s\", want \"%s\"", ext->_msg, text);
}

static u32 setting(struct net_device *upper, enum duo_set which)
{
	struct duo_setvals s;

	rtnl_lock();
	duo_settings_read(priv_of(upper), &s);
	rtnl_unlock();
	return s.v[which];
}

/* The device in that role, or NULL. */
static struct net_device *role_dev(struct net_device *upper, enum duo_path role)
{
	struct duo_lower *lo;
	struct net_device *dev;

	rtnl_lock();
	lo = role == DUO_PATH_VF ? rtnl_dereference(priv_of(upper)->vf) :
				   rtnl_dereference(priv_of(upper)->pv);
	dev = lo ? lo->dev : NULL;
	rtnl_unlock();
	return dev;
}

static int set_pflags(struct net_device *upper, u32 flags)
{
	int err;

	rtnl_lock();
	err = upper->ethtool_ops->set_priv_flags(upper, flags);
	rtnl_unlock();
	return err;
}

/*
 * pv-only and adaptive over rtnetlink, as over ethtool: each plane reads
 * what the other set, and TX follows.
 */
static void flags_on_both_planes(struct kunit *test)
{
	struct net_device *upper = duo_fake_upper(test);
	struct net_device *pv = duo_fake_lower(test, pair_mac);
	struct net_device *vf = duo_fake_lower(test, pair_mac);
	const struct ethtool_ops *ops = upper->ethtool_ops;
	struct netlink_ext_ack ext;
	struct req *r = req_new(test);

	duo_fake_open(test, upper);
	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, pv, DUO_PATH_PV), 0);
	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, vf, DUO_PATH_VF), 0);
	KUNIT_ASSERT_PTR_EQ(test, duo_fake_tx(upper), vf);

	put8(test, r, IFLA_DUONET_PV_ONLY, 1);
	KUNIT_EXPECT_EQ(test, send(test, upper, r, &ext), 0);
	KUNIT_EXPECT_PTR_EQ(test, duo_fake_tx(upper), pv);
	KUNIT_EXPECT_EQ(test, ops->get_priv_flags(upper), BIT(0));

	KUNIT_EXPECT_EQ(test, set_pflags(upper, BIT(0) | BIT(1)), 0);
	KUNIT_EXPECT_EQ(test, setting(upper, DUO_SET_ADAPTIVE), 1);
	KUNIT_EXPECT_TRUE(test, priv_of(upper)->fo.adaptive);

	r = req_new(test);
	put8(test, r, IFLA_DUONET_PV_ONLY, 0);
	put8(test, r, IFLA_DUONET_ADAPTIVE, 0);
	KUNIT_EXPECT_EQ(test, send(test, upper, r, &ext), 0);
	KUNIT_EXPECT_EQ(test, ops->get_priv_flags(upper), 0);
	KUNIT_EXPECT_FALSE(test, priv_of(upper)->fo.adaptive);
	KUNIT_EXPECT_PTR_EQ(test, duo_fake_tx(upper), vf);

	/* A flag is 0 or 1, and one byte. */
	r = req_new(test);
	put8(test, r, IFLA_DUONET_PV_ONLY, 2);
	KUNIT_EXPECT_EQ(test, send(test, upper, r, &ext), -ERANGE);
	r = req_new(test);
	put32(test, r, IFLA_DUONET_ADAPTIVE, 1);
	KUNIT_EXPECT_EQ(test, send(test, upper, r, &ext), -EINVAL);
	KUNIT_EXPECT_EQ(test, ops->get_priv_flags(upper), 0);
}

/*
 * pv-only with no PV is refused on both planes, and a value given with
 * it in the same request stays as it was; given with the PV that makes
 * it possible, it is taken.
 */
static void pv_only_needs_pv(struct kunit *test)
{
	struct net_device *upper = duo_fake_upper(test);
	struct net_device *pv = duo_fake_lower(test, pair_mac);
	struct net_device *vf = duo_fake_lower(test, pair_mac);
	u32 count = setting(upper, DUO_SET_ANNOUNCE_COUNT);
	struct netlink_ext_ack ext;
	struct req *r = req_new(test);

	duo_fake_open(test, upper);
	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, vf, DUO_PATH_VF), 0);

	put32(test, r, IFLA_DUONET_ANNOUNCE_COUNT, count + 4);
	put8(test, r, IFLA_DUONET_PV_ONLY, 1);
	KUNIT_EXPECT_EQ(test, send(test, upper, r, &ext), -ENODEV);
	expect_msg(test, &ext, "pv-only needs a PV lower");
	KUNIT_EXPECT_PTR_EQ(test, ext.bad_attr, r->data[IFLA_DUONET_PV_ONLY]);
	KUNIT_EXPECT_EQ(test, setting(upper, DUO_SET_ANNOUNCE_COUNT), count);
	KUNIT_EXPECT_EQ(test, setting(upper, DUO_SET_PV_ONLY), 0);
	KUNIT_EXPECT_EQ(test, set_pflags(upper, BIT(0)), -ENODEV);
	KUNIT_EXPECT_EQ(test, setting(upper, DUO_SET_PV_ONLY), 0);
	KUNIT_EXPECT_PTR_EQ(test, duo_fake_tx(upper), vf);

	r = req_new(test);
	put32(test, r, IFLA_DUONET_PV_IFINDEX, pv->ifindex);
	put8(test, r, IFLA_DUONET_PV_ONLY, 1);
	KUNIT_EXPECT_EQ(test, send(test, upper, r, &ext), 0);
	KUNIT_EXPECT_EQ(test, setting(upper, DUO_SET_PV_ONLY), 1);
	KUNIT_EXPECT_PTR_EQ(test, duo_fake_tx(upper), pv);
}

/*
 * A request that releases the PV, or gives its role to the VF, while
 * pv-only is on: taken (pv-only goes with the PV, as at any departure),
 * the rest of it too; the same asking pv-only on is refused before any
 * role changes.
 */
static void pv_released_under_pv_only(struct kunit *test)
{
	struct net_device *upper = duo_fake_upper(test);
	struct net_device *pv = duo_fake_lower(test, pair_mac);
	struct net_device *vf = duo_fake_lower(test, pair_mac);
	u32 count = setting(upper, DUO_SET_ANNOUNCE_COUNT);
	struct netlink_ext_ack ext;
	struct req *r;

	duo_fake_open(test, upper);
	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, pv, DUO_PATH_PV), 0);
	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, vf, DUO_PATH_VF), 0);
	KUNIT_ASSERT_EQ(test, set_pflags(upper, BIT(0)), 0);

	r = req_new(test);
	put32(test, r, IFLA_DUONET_PV_IFINDEX, 0);
	put32(test, r, IFLA_DUONET_ANNOUNCE_COUNT, count + 2);
	KUNIT_EXPECT_EQ(test, send(test, upper, r, &ext), 0);
	KUNIT_EXPECT_NULL(test, ext._msg);
	KUNIT_EXPECT_EQ(test, setting(upper, DUO_SET_PV_ONLY), 0);
	KUNIT_EXPECT_EQ(test, setting(upper, DUO_SET_ANNOUNCE_COUNT), count + 2);
	KUNIT_EXPECT_PTR_EQ(test, duo_fake_tx(upper), vf);

	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, pv, DUO_PATH_PV), 0);
	r = req_new(test);
	put32(test, r, IFLA_DUONET_PV_IFINDEX, 0);
	put8(test, r, IFLA_DUONET_PV_ONLY, 1);
	KUNIT_EXPECT_EQ(test, send(test, upper, r, &ext), -ENODEV);
	expect_msg(test, &ext, "pv-only needs a PV lower");
	KUNIT_EXPECT_PTR_EQ(test, role_dev(upper, DUO_PATH_PV), pv);

	/* The PV alone, asked to become the VF with pv-only on. */
	r = req_new(test);
	put32(test, r, IFLA_DUONET_VF_IFINDEX, 0);
	KUNIT_ASSERT_EQ(test, send(test, upper, r, &ext), 0);
	r = req_new(test);
	put32(test, r, IFLA_DUONET_VF_IFINDEX, pv->ifindex);
	put8(test, r, IFLA_DUONET_PV_ONLY, 1);
	KUNIT_EXPECT_EQ(test, send(test, upper, r, &ext), -ENODEV);
	KUNIT_EXPECT_NULL(test, role_dev(upper, DUO_PATH_VF));
	KUNIT_EXPECT_PTR_EQ(test, role_dev(upper, DUO_PATH_PV), pv);
}

/*
 * adaptive off and pv-only on in one request, the adaptive policy holding
 * TX on the PV: TX stays there (no switch to the VF and back).
 */
static void adaptive_off_pv_only_on_no_flap(struct kunit *test)
{
	struct net_device *upper = duo_fake_upper(test);
	struct net_device *pv = duo_fake_lower(test, pair_mac);
	struct net_device *vf = duo_fake_lower(test, pair_mac);
	struct netlink_ext_ack ext;
	struct req *r = req_new(test);
	u64 to_vf;

	duo_fake_open(test, upper);
	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, pv, DUO_PATH_PV), 0);
	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, vf, DUO_PATH_VF), 0);
	KUNIT_ASSERT_EQ(test, set_pflags(upper, BIT(1)), 0);
	rtnl_lock();
	duo_path_event(priv_of(upper), DUO_EV_RATE_LOW);
	rtnl_unlock();
	KUNIT_ASSERT_PTR_EQ(test, duo_fake_tx(upper), pv);
	to_vf = priv_of(upper)->fo.switches_to_vf;

	put8(test, r, IFLA_DUONET_ADAPTIVE, 0);
	put8(test, r, IFLA_DUONET_PV_ONLY, 1);
	KUNIT_EXPECT_EQ(test, send(test, upper, r, &ext), 0);
	KUNIT_EXPECT_PTR_EQ(test, duo_fake_tx(upper), pv);
	KUNIT_EXPECT_EQ(test, priv_of(upper)->fo.switches_to_vf, to_vf);
}

/* What the ranges cannot say: refused with its message, nothing taken. */
static void refused_changes_nothing(struct kunit *test)
{
	static const struct {
		int type;
		u32 val;
		int bad;	/* the message points at it: 1, else none */
		const char *text;
	} c[] = {
		{ IFLA_DUONET_HINT_MASK, 0x100, 1, "the hint mask must be 0 or at least 2" },
		{ IFLA_DUONET_HINT_MASK, 0x500, 1, "the hint mask must be 0 or at least 2" },
		{ IFLA_DUONET_ADAPTIVE_LOW_PPS, 10000, 0, "the adaptive low mark must be below" },
		{ IFLA_DUONET_REACH_INTERVAL_MS, 9, 1, "the reachability interval is 0 (off)" },
		{ IFLA_DUONET_REACH_INTERVAL_MS, 100, 0, "the reachability check needs a target" },
	};
	struct net_device *upper = duo_fake_upper(test);
	u32 count = setting(upper, DUO_SET_ANNOUNCE_COUNT);
	struct netlink_ext_ack ext;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		struct req *r = req_new(test);

		put32(test, r, IFLA_DUONET_ANNOUNCE_COUNT, count + 1);
		put32(test, r, c[i].type, c[i].val);
		KUNIT_EXPECT_EQ_MSG(test, send(test, upper, r, &ext), -EINVAL,
				    "attribute %d = %u", c[i].type, c[i].val);
		expect_msg(test, &ext, c[i].text);
		KUNIT_EXPECT_PTR_EQ(test, ext.bad_attr, c[i].bad ? r->data[c[i].type] : NULL);
		KUNIT_EXPECT_EQ(test, setting(upper, DUO_SET_ANNOUNCE_COUNT), count);
	}
	KUNIT_EXPECT_EQ(test, setting(upper, DUO_SET_HINT_MASK), 0);
	KUNIT_EXPECT_EQ(test, setting(upper, DUO_SET_REACH_INTERVAL_MS), 0);
}

/*
 * Every setting of the table but pv-only (pv_only_needs_pv) and the
 * reachability interval (its target needs IPv4 or IPv6, which the UML
 * kernel has not): written, then read back from the dump.
 */
static void every_setting_round_trips(struct kunit *test)
{
	static const struct {
		int type;
		u32 val;
	} c[] = {
		{ IFLA_DUONET_ANNOUNCE_COUNT, 100 },
		{ IFLA_DUONET_ANNOUNCE_INTERVAL_MS, 1 },
		{ IFLA_DUONET_FAILBACK_DELAY_MS, 600000 },
		{ IFLA_DUONET_DAMP_FLAPS, DUO_FO_DAMP_MAX },
		{ IFLA_DUONET_DAMP_WINDOW_MS, 3600000 },
		{ IFLA_DUONET_DAMP_HOLD_MS, 1234 },
		{ IFLA_DUONET_HINT_MASK, 0x300 },
		{ IFLA_DUONET_ADAPTIVE_LOW_PPS, 77 },
		{ IFLA_DUONET_ADAPTIVE_HIGH_PPS, 100000000 },
		{ IFLA_DUONET_ADAPTIVE_DWELL_MS, 4321 },
		{ IFLA_DUONET_REACH_MISSED, 255 },
	};
	struct net_device *upper = duo_fake_upper(test);
	struct nlattr *got[IFLA_DUONET_MAX + 1];
	struct netlink_ext_ack ext;
	struct req *r = req_new(test);
	struct sk_buff *skb;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(c); i++)
		put32(test, r, c[i].type, c[i].val);
	put8(test, r, IFLA_DUONET_ADAPTIVE, 1);
	KUNIT_ASSERT_EQ(test, send(test, upper, r, &ext), 0);

	skb = alloc_skb(duo_link_ops.get_size(upper), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, req_free, skb), 0);
	rtnl_lock();
	KUNIT_ASSERT_EQ(test, duo_link_ops.fill_info(skb, upper), 0);
	rtnl_unlock();
	KUNIT_ASSERT_EQ(test, nla_parse_deprecated(got, IFLA_DUONET_MAX,
						   (struct nlattr *)skb->data, skb->len,
						   NULL, NULL), 0);
	for (i = 0; i < ARRAY_SIZE(c); i++) {
		KUNIT_ASSERT_NOT_NULL_MSG(test, got[c[i].type], "attribute %d", c[i].type);
		KUNIT_EXPECT_EQ_MSG(test, nla_get_u32(got[c[i].type]), c[i].val,
				    "attribute %d", c[i].type);
	}
	KUNIT_EXPECT_EQ(test, priv_of(upper)->announce.count, 100);
	KUNIT_EXPECT_EQ(test, priv_of(upper)->fo.cfg.failback_delay_ns,
			600000ULL * NSEC_PER_MSEC);
	KUNIT_EXPECT_EQ(test, priv_of(upper)->fo.cfg.adapt_dwell_ns, 4321ULL * NSEC_PER_MSEC);
	KUNIT_EXPECT_EQ(test, READ_ONCE(priv_of(upper)->hint_mask), 0x300);
	KUNIT_EXPECT_EQ(test, priv_of(upper)->reach.cfg.missed, 255);
	KUNIT_ASSERT_NOT_NULL(test, got[IFLA_DUONET_ADAPTIVE]);
	KUNIT_EXPECT_EQ(test, nla_get_u8(got[IFLA_DUONET_ADAPTIVE]), 1);
	KUNIT_EXPECT_TRUE(test, priv_of(upper)->fo.adaptive);
}

static void default_back(void *arg)
{
	duo_set_defaults[DUO_SET_ANNOUNCE_COUNT] = (uintptr_t)arg;
}

/* A module parameter is checked against its setting's range. */
static void param_in_range(struct kunit *test)
{
	u32 *def = &duo_set_defaults[DUO_SET_ANNOUNCE_COUNT];
	const struct kernel_param kp = { .name = "announce_count", .arg = def };
	u32 was = *def;
	struct net_device *upper;

	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, default_back,
							(void *)(uintptr_t)was), 0);
	KUNIT_EXPECT_EQ(test, duo_set_param_ops.set("101", &kp), -EINVAL);
	KUNIT_EXPECT_EQ(test, duo_set_param_ops.set("-1", &kp), -EINVAL);
	KUNIT_EXPECT_EQ(test, duo_set_param_ops.set("three", &kp), -EINVAL);
	KUNIT_EXPECT_EQ(test, *def, was);
	KUNIT_EXPECT_EQ(test, duo_set_param_ops.set("100", &kp), 0);
	KUNIT_EXPECT_EQ(test, *def, 100);
	upper = duo_fake_upper(test);
	KUNIT_EXPECT_EQ(test, setting(upper, DUO_SET_ANNOUNCE_COUNT), 100);
}

static struct kunit_case duo_settings_cases[] = {
	KUNIT_CASE(flags_on_both_planes),
	KUNIT_CASE(pv_only_needs_pv),
	KUNIT_CASE(pv_released_under_pv_only),
	KUNIT_CASE(adaptive_off_pv_only_on_no_flap),
	KUNIT_CASE(refused_changes_nothing),
	KUNIT_CASE(every_setting_round_trips),
	KUNIT_CASE(param_in_range),
	{}
};

static struct kunit_suite duo_settings_suite = {
	.name = "duonet_settings",
	.suite_init = duo_fake_suite_init,
	.suite_exit = duo_fake_suite_exit,
	.test_cases = duo_settings_cases,
};

kunit_test_suites(&duo_settings_suite);
