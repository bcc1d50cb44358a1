// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite duonet_pairing: which devices pair, in which role, and every
 * case duonet refuses.
 *
 *  roles     duo_lower_detect_role(): a netdev on a virtio_net or vmxnet3
 *            device is a PV; one on any other PCI device a VF (vmxnet3,
 *            a PCI device too, stays a PV); anything else, or a type
 *            other than Ethernet, neither (vf-path/, pv-path/)
 *  refusals  duo_join() (ip link set master, the role override,
 *            auto-pairing) refuses the upper itself, another duonet upper,
 *            loopback and non-Ethernet devices, a device with a master
 *            (duonet's or another), no role, a second VF or PV, a MAC
 *            that is not the other lower's, a device whose rx handler is
 *            taken or that refuses the upper's MTU or MAC; each with its
 *            errno and extack message, and a refused device is left as
 *            it was
 *  netlink   a MAC attribute that is not a unicast 6-byte address
 *            (duo_link_ops.validate), settings out of range and read-only
 *            attributes (duo_nl_policy)
 *  pair=     the pairs with two MACs (core/pairs.c): parsed either way
 *            round, a bad value refused whole
 *  auto      auto-pairing (core/notify.c) makes an upper over a PV, gives
 *            an upper whose PV left the next PV with its MAC, and leaves a
 *            device that has a master alone
 *
 * The recognisers read only the parent device's bus and driver name, so
 * the role cases hang unregistered netdevs on plain struct devices; the
 * auto-pairing case needs a registered parent bound to a driver named
 * virtio_net, which kunit_device_register() provides.
 */
#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/netdevice.h>
#include <linux/pci.h>
#include <linux/rtnetlink.h>
#include <net/netlink.h>

#include "core/duonet.h"
#include "core/uapi.h"
#include "kunit/fake.h"

static const u8 pair_mac[ETH_ALEN] = { 0x52, 0x54, 0x00, 0x9a, 0x1e, 0x01 };
static const u8 other_mac[ETH_ALEN] = { 0x52, 0x54, 0x00, 0x9a, 0x1e, 0x02 };

/* ---- roles ------------------------------------------------------------ */

struct role_case {
	const char *driver;	/* parent's driver, NULL: none */
	bool pci;		/* parent on the PCI bus */
	bool parent;
	unsigned short type;
	enum duo_path want;
};

static const struct role_case role_cases[] = {
	{ "virtio_net", false, true, ARPHRD_ETHER, DUO_PATH_PV },
	{ "vmxnet3", true, true, ARPHRD_ETHER, DUO_PATH_PV },
	{ "virtio_net", false, true, ARPHRD_NONE, DUO_PATH_NONE },
	{ "virtio_nett", false, true, ARPHRD_ETHER, DUO_PATH_NONE },
	{ "igbvf", true, true, ARPHRD_ETHER, DUO_PATH_VF },
	{ "e1000e", true, true, ARPHRD_ETHER, DUO_PATH_VF },
	{ NULL, true, true, ARPHRD_ETHER, DUO_PATH_VF },	/* probing */
	{ "igbvf", true, true, ARPHRD_INFINIBAND, DUO_PATH_NONE },
	{ "e1000e", false, true, ARPHRD_ETHER, DUO_PATH_NONE },
	{ NULL, false, true, ARPHRD_ETHER, DUO_PATH_NONE },
	{ NULL, false, false, ARPHRD_ETHER, DUO_PATH_NONE },
};

static void roles_detected(struct kunit *test)
{
	struct device_driver *drv;
	struct device *parent;
	unsigned int i;

	drv = kunit_kcalloc(test, ARRAY_SIZE(role_cases), sizeof(*drv), GFP_KERNEL);
	parent = kunit_kcalloc(test, ARRAY_SIZE(role_cases), sizeof(*parent),
			       GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, drv);
	KUNIT_ASSERT_NOT_NULL(test, parent);
	for (i = 0; i < ARRAY_SIZE(role_cases); i++) {
		const struct role_case *c = &role_cases[i];
		struct net_device *dev = duo_fake_alloc(test, pair_mac);
		enum duo_path got;

		if (c->pci) {
			if (!IS_ENABLED(CONFIG_PCI))
				continue;
#if IS_ENABLED(CONFIG_PCI)
			parent[i].bus = &pci_bus_type;
#endif
		}
		if (c->driver) {
			drv[i].name = c->driver;
			parent[i].driver = &drv[i];
		}
		if (c->parent)
			SET_NETDEV_DEV(dev, &parent[i]);
		dev->type = c->type;
		got = duo_lower_detect_role(dev);
		KUNIT_EXPECT_EQ_MSG(test, got, c->want,
				    "driver %s, %s bus, %s parent, type %u: %s, want %s",
				    c->driver ?: "none", c->pci ? "PCI" : "no",
				    c->parent ? "a" : "no", c->type,
				    duo_path_name(got), duo_path_name(c->want));
		KUNIT_EXPECT_EQ(test, duo_pv_recognise(dev), c->want == DUO_PATH_PV);
		KUNIT_EXPECT_EQ(test, duo_vf_recognise(dev), c->want == DUO_PATH_VF);
		/* Unregistered: detach the stack's array before it goes. */
		SET_NETDEV_DEV(dev, NULL);
	}
	KUNIT_EXPECT_STREQ(test, duo_path_name(DUO_PATH_VF), "vf");
	KUNIT_EXPECT_STREQ(test, duo_path_name(DUO_PATH_PV), "pv");
	KUNIT_EXPECT_STREQ(test, duo_path_name(DUO_PATH_NONE), "none");
}

/* ---- refusals --------------------------------------------------------- */

static int join_ext(struct net_device *upper, struct net_device *dev,
		    enum duo_path role, struct netlink_ext_ack *extack)
{
	int err;

	memset(extack, 0, sizeof(*extack));
	rtnl_lock();
	err = duo_join(netdev_priv(upper), dev, role, extack);
	rtnl_unlock();
	return err;
}

/* Refused with errno, and an extack message that says text. */
static void expect_refused(struct kunit *test, struct net_device *upper,
			   struct net_device *dev, enum duo_path role,
			   int errno, const char *text)
{
	struct netlink_ext_ack ext;
	int err = join_ext(upper, dev, role, &ext);

	KUNIT_EXPECT_EQ_MSG(test, err, errno, "%s", text);
	KUNIT_EXPECT_NOT_NULL_MSG(test, ext._msg, "%s: no message", text);
	if (ext._msg)
		KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(ext._msg, text),
					  "message \"%s\", want \"%s\"",
					  ext._msg, text);
}

static bool is_lower_of(struct net_device *dev, struct net_device *upper)
{
	bool ret;

	rtnl_lock();
	ret = netdev_master_upper_dev_get(dev) == upper;
	rtnl_unlock();
	return ret;
}

/* An Ethernet device with the pair's MAC that is a master (priv_flags,
 * flags): refused in either role, left as it was.
 */
static void master_refused(struct kunit *test, struct net_device *upper,
			   u64 priv_flags, unsigned int flags)
{
	struct net_device *m = duo_fake_alloc(test, pair_mac);

	m->priv_flags |= priv_flags;
	m->flags |= flags;
	duo_fake_register(test, m);
	expect_refused(test, upper, m, DUO_PATH_VF, -EINVAL, "a master (bridge");
	expect_refused(test, upper, m, DUO_PATH_PV, -EINVAL, "a master (bridge");
	KUNIT_EXPECT_FALSE(test, is_lower_of(m, upper));
	KUNIT_EXPECT_FALSE(test, m->flags & IFF_SLAVE);
}

static void refused_devices(struct kunit *test)
{
	struct net_device *upper = duo_fake_upper(test);
	struct net_device *upper2 = duo_fake_upper(test);
	struct net_device *dev = duo_fake_lower(test, pair_mac);
	struct net_device *odd = duo_fake_alloc(test, pair_mac);

	expect_refused(test, upper, upper, DUO_PATH_PV, -EINVAL,
		       "cannot be its own lower");
	expect_refused(test, upper, upper2, DUO_PATH_PV, -EINVAL,
		       "another duonet upper");
	expect_refused(test, upper, init_net.loopback_dev, DUO_PATH_PV, -EINVAL,
		       "only Ethernet");
	odd->type = ARPHRD_NONE;
	duo_fake_register(test, odd);
	expect_refused(test, upper, odd, DUO_PATH_VF, -EINVAL, "only Ethernet");
	expect_refused(test, upper, dev, DUO_PATH_NONE, -EOPNOTSUPP,
		       "neither a VF");

	/* Masters of their own ports, even with a role forced. */
	master_refused(test, upper, IFF_EBRIDGE, 0);
	master_refused(test, upper, IFF_BONDING, IFF_MASTER);
	master_refused(test, upper, IFF_TEAM, 0);
	master_refused(test, upper, IFF_OPENVSWITCH, 0);
	master_refused(test, upper, IFF_FAILOVER, 0);

	/* ip link set dev master upper: the role is detected, none here. */
	rtnl_lock();
	KUNIT_EXPECT_EQ(test, upper->netdev_ops->ndo_add_slave(upper, dev, NULL),
			-EOPNOTSUPP);
	rtnl_unlock();
	KUNIT_EXPECT_FALSE(test, is_lower_of(dev, upper));
	KUNIT_EXPECT_FALSE(test, dev->flags & IFF_SLAVE);
}

static void refused_masters_and_roles(struct kunit *test)
{
	struct net_device *upper = duo_fake_upper(test);
	struct net_device *upper2 = duo_fake_upper(test);
	struct net_device *pv = duo_fake_lower(test, pair_mac);
	struct net_device *vf = duo_fake_lower(test, pair_mac);
	struct net_device *pv2 = duo_fake_lower(test, pair_mac);
	struct net_device *vf2 = duo_fake_lower(test, pair_mac);
	struct net_device *stranger = duo_fake_lower(test, other_mac);

	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, pv, DUO_PATH_PV), 0);
	/* A VF whose permanent MAC is not the PV's. */
	expect_refused(test, upper, stranger, DUO_PATH_VF, -EINVAL,
		       "and pair= does not pair the two");
	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, vf, DUO_PATH_VF), 0);
	expect_refused(test, upper, vf2, DUO_PATH_VF, -EBUSY, "already has a VF");
	expect_refused(test, upper, pv2, DUO_PATH_PV, -EBUSY, "already has a PV");
	/* Lowers of this or another upper. */
	expect_refused(test, upper, vf, DUO_PATH_VF, -EBUSY, "already has a master");
	expect_refused(test, upper2, pv, DUO_PATH_PV, -EBUSY, "already has a master");
	KUNIT_EXPECT_TRUE(test, is_lower_of(pv, upper));
	KUNIT_EXPECT_TRUE(test, is_lower_of(vf, upper));
	KUNIT_EXPECT_FALSE(test, vf2->flags & IFF_SLAVE);
}

static void unlink_master(void *arg)
{
	struct net_device **pair = arg;

	rtnl_lock();
	netdev_upper_dev_unlink(pair[0], pair[1]);
	rtnl_unlock();
}

/* Link dev under master as a bond or bridge port would be. */
static void give_master(struct kunit *test, struct net_device *dev,
			struct net_device *master)
{
	struct net_device **pair = kunit_kcalloc(test, 2, sizeof(*pair), GFP_KERNEL);
	int err;

	KUNIT_ASSERT_NOT_NULL(test, pair);
	pair[0] = dev;
	pair[1] = master;
	rtnl_lock();
	err = netdev_master_upper_dev_link(dev, master, NULL, NULL, NULL);
	rtnl_unlock();
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, unlink_master, pair), 0);
}

static rx_handler_result_t other_handler(struct sk_buff **pskb)
{
	return RX_HANDLER_PASS;
}

static void unregister_handler(void *arg)
{
	rtnl_lock();
	netdev_rx_handler_unregister(arg);
	rtnl_unlock();
}

/* Refused by the claim: the device is left exactly as it was. */
static void refused_devices_left_alone(struct kunit *test)
{
	static const u8 set_mac[ETH_ALEN] = { 0x02, 0, 0, 0, 0xee, 0x01 };
	struct net_device *upper = duo_fake_upper(test);
	struct net_device *bond = duo_fake_lower(test, other_mac);
	struct net_device *bonded = duo_fake_lower(test, pair_mac);
	struct net_device *handled = duo_fake_lower(test, pair_mac);
	struct net_device *no_mtu = duo_fake_lower(test, pair_mac);
	struct net_device *no_mac = duo_fake_lower(test, pair_mac);
	struct sockaddr sa = { .sa_family = ARPHRD_ETHER };
	int err;

	/* The upper's MAC and MTU differ from the lowers': claim changes both. */
	memcpy(sa.sa_data, set_mac, ETH_ALEN);
	rtnl_lock();
	err = dev_set_mac_address(upper, &sa, NULL) ?: dev_set_mtu(upper, 1400);
	rtnl_unlock();
	KUNIT_ASSERT_EQ(test, err, 0);

	give_master(test, bonded, bond);
	expect_refused(test, upper, bonded, DUO_PATH_PV, -EBUSY,
		       "already has a master");

	rtnl_lock();
	err = netdev_rx_handler_register(handled, other_handler, NULL);
	rtnl_unlock();
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, unregister_handler,
							handled), 0);
	expect_refused(test, upper, handled, DUO_PATH_PV, -EBUSY,
		       "already has an rx handler");
	KUNIT_EXPECT_EQ(test, handled->mtu, ETH_DATA_LEN);
	KUNIT_EXPECT_TRUE(test, ether_addr_equal(handled->dev_addr, pair_mac));
	KUNIT_EXPECT_PTR_EQ(test, rcu_access_pointer(handled->rx_handler),
			    (void *)other_handler);

	duo_fake(no_mtu)->mtu_err = -EINVAL;
	expect_refused(test, upper, no_mtu, DUO_PATH_VF, -EINVAL,
		       "refused the upper's MTU");
	KUNIT_EXPECT_EQ(test, no_mtu->mtu, ETH_DATA_LEN);

	duo_fake(no_mac)->addr_err = -EADDRNOTAVAIL;
	expect_refused(test, upper, no_mac, DUO_PATH_VF, -EADDRNOTAVAIL,
		       "refused the upper's MAC address");
	KUNIT_EXPECT_EQ(test, no_mac->mtu, ETH_DATA_LEN);
	KUNIT_EXPECT_TRUE(test, ether_addr_equal(no_mac->dev_addr, pair_mac));

	/* None of them is marked or linked, the upper has no lower. */
	KUNIT_EXPECT_FALSE(test, (handled->flags | no_mtu->flags | no_mac->flags) &
				 IFF_SLAVE);
	KUNIT_EXPECT_FALSE(test, is_lower_of(no_mac, upper));
	KUNIT_EXPECT_NULL(test, rcu_access_pointer(((struct duo_priv *)
						    netdev_priv(upper))->pv));
	KUNIT_EXPECT_NULL(test, rcu_access_pointer(((struct duo_priv *)
						    netdev_priv(upper))->vf));
	KUNIT_EXPECT_TRUE(test, ether_addr_equal(upper->dev_addr, set_mac));
}

/*
 * An upper with a random MAC takes its first lower's before the claim; a
 * claim that fails gives it back, with the pair address, so the next
 * device is matched as if the refused one never came.
 */
static void refused_claim_gives_mac_back(struct kunit *test)
{
	struct net_device *upper = duo_fake_upper(test);
	struct duo_priv *priv = netdev_priv(upper);
	struct net_device *handled = duo_fake_lower(test, other_mac);
	struct net_device *pv = duo_fake_lower(test, pair_mac);
	struct netlink_ext_ack ext;
	u8 random_mac[ETH_ALEN];
	int err;

	KUNIT_ASSERT_EQ(test, upper->addr_assign_type, NET_ADDR_RANDOM);
	ether_addr_copy(random_mac, upper->dev_addr);
	rtnl_lock();
	err = netdev_rx_handler_register(handled, other_handler, NULL);
	rtnl_unlock();
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, unregister_handler,
							handled), 0);
	expect_refused(test, upper, handled, DUO_PATH_PV, -EBUSY,
		       "already has an rx handler");
	KUNIT_EXPECT_TRUE(test, ether_addr_equal(upper->dev_addr, random_mac));
	KUNIT_EXPECT_EQ(test, upper->addr_assign_type, NET_ADDR_RANDOM);
	KUNIT_EXPECT_TRUE(test, is_zero_ether_addr(priv->pair_addr));

	KUNIT_EXPECT_EQ(test, join_ext(upper, pv, DUO_PATH_PV, &ext), 0);
	KUNIT_EXPECT_TRUE(test, ether_addr_equal(upper->dev_addr, pair_mac));
	KUNIT_EXPECT_TRUE(test, ether_addr_equal(priv->pair_addr, pair_mac));
}

/* ---- netlink ----------------------------------------------------------- */

static void netlink_mac_attribute(struct kunit *test)
{
	static const u8 mcast[ETH_ALEN] = { 0x01, 0, 0x5e, 0, 0, 1 };
	static const u8 zero[ETH_ALEN];
	struct nlattr *tb[IFLA_MAX + 1] = { };
	struct netlink_ext_ack extack = { };
	struct sk_buff *skb = alloc_skb(128, GFP_KERNEL);
	struct nlattr *a;

	KUNIT_ASSERT_NOT_NULL(test, skb);
	KUNIT_EXPECT_EQ(test, duo_link_ops.validate(tb, NULL, &extack), 0);

	a = (struct nlattr *)skb_tail_pointer(skb);
	KUNIT_ASSERT_EQ(test, nla_put(skb, IFLA_ADDRESS, 4, pair_mac), 0);
	tb[IFLA_ADDRESS] = a;
	KUNIT_EXPECT_EQ(test, duo_link_ops.validate(tb, NULL, &extack), -EINVAL);
	KUNIT_EXPECT_STREQ(test, extack._msg, "duonet: MAC address must be 6 bytes");

	a = (struct nlattr *)skb_tail_pointer(skb);
	KUNIT_ASSERT_EQ(test, nla_put(skb, IFLA_ADDRESS, ETH_ALEN, mcast), 0);
	tb[IFLA_ADDRESS] = a;
	KUNIT_EXPECT_EQ(test, duo_link_ops.validate(tb, NULL, &extack), -EADDRNOTAVAIL);
	a = (struct nlattr *)skb_tail_pointer(skb);
	KUNIT_ASSERT_EQ(test, nla_put(skb, IFLA_ADDRESS, ETH_ALEN, zero), 0);
	tb[IFLA_ADDRESS] = a;
	KUNIT_EXPECT_EQ(test, duo_link_ops.validate(tb, NULL, &extack), -EADDRNOTAVAIL);
	a = (struct nlattr *)skb_tail_pointer(skb);
	KUNIT_ASSERT_EQ(test, nla_put(skb, IFLA_ADDRESS, ETH_ALEN, pair_mac), 0);
	tb[IFLA_ADDRESS] = a;
	KUNIT_EXPECT_EQ(test, duo_link_ops.validate(tb, NULL, &extack), 0);
	kfree_skb(skb);
}

static int validate_one(int type, int len, u64 val)
{
	struct sk_buff *skb = alloc_skb(64, GFP_KERNEL);
	int err;

	if (!skb)
		return -ENOMEM;
	if (len == 1)
		err = nla_put_u8(skb, type, val);
	else if (len == 8)
		err = nla_put_u64_64bit(skb, type, val, IFLA_DUONET_PAD);
	else
		err = nla_put_u32(skb, type, val);
	/* As rtnetlink parses IFLA_INFO_DATA (nla_parse_nested_deprecated). */
	if (!err)
		err = nla_validate_deprecated((struct nlattr *)skb->data, skb->len,
					      IFLA_DUONET_MAX, duo_nl_policy, NULL);
	kfree_skb(skb);
	return err;
}

static void netlink_settings_policy(struct kunit *test)
{
	static const struct {
		int type, len;
		u64 val;
		int want;
	} c[] = {
		{ IFLA_DUONET_ANNOUNCE_COUNT, 4, 0, 0 },
		{ IFLA_DUONET_ANNOUNCE_COUNT, 4, 100, 0 },
		{ IFLA_DUONET_ANNOUNCE_COUNT, 4, 101, -ERANGE },
		{ IFLA_DUONET_ANNOUNCE_INTERVAL_MS, 4, 0, -ERANGE },
		{ IFLA_DUONET_ANNOUNCE_INTERVAL_MS, 4, 10000, 0 },
		{ IFLA_DUONET_ANNOUNCE_INTERVAL_MS, 4, 10001, -ERANGE },
		{ IFLA_DUONET_FAILBACK_DELAY_MS, 4, 600000, 0 },
		{ IFLA_DUONET_FAILBACK_DELAY_MS, 4, 600001, -ERANGE },
		{ IFLA_DUONET_DAMP_FLAPS, 4, DUO_FO_DAMP_MAX, 0 },
		{ IFLA_DUONET_DAMP_FLAPS, 4, DUO_FO_DAMP_MAX + 1, -ERANGE },
		{ IFLA_DUONET_DAMP_WINDOW_MS, 4, 0, -ERANGE },
		{ IFLA_DUONET_DAMP_WINDOW_MS, 4, 3600000, 0 },
		{ IFLA_DUONET_DAMP_WINDOW_MS, 4, 3600001, -ERANGE },
		{ IFLA_DUONET_DAMP_HOLD_MS, 4, 0, 0 },
		{ IFLA_DUONET_DAMP_HOLD_MS, 4, 3600001, -ERANGE },
		{ IFLA_DUONET_PV_ONLY, 1, 1, 0 },
		{ IFLA_DUONET_PV_ONLY, 1, 2, -ERANGE },
		{ IFLA_DUONET_ADAPTIVE, 1, 1, 0 },
		{ IFLA_DUONET_ADAPTIVE, 4, 1, -EINVAL },
		{ IFLA_DUONET_REACH_MISSED, 4, 0, -ERANGE },
		{ IFLA_DUONET_REACH_INTERVAL_MS, 4, 60001, -ERANGE },
		{ IFLA_DUONET_ADAPTIVE_HIGH_PPS, 4, 0, -ERANGE },
		{ IFLA_DUONET_ADAPTIVE_LOW_PPS, 4, 100000001, -ERANGE },
		/* State, not settings: read-only. */
		{ IFLA_DUONET_ACTIVE_PATH, 1, 1, -EINVAL },
		{ IFLA_DUONET_VF_REACHABLE, 1, 1, -EINVAL },
		{ IFLA_DUONET_SWITCHES_TO_VF, 8, 0, -EINVAL },
		{ IFLA_DUONET_SWITCHES_TO_PV, 8, 0, -EINVAL },
		{ IFLA_DUONET_LAST_SWITCH_USECS, 8, 0, -EINVAL },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(c); i++)
		KUNIT_EXPECT_EQ_MSG(test, validate_one(c[i].type, c[i].len, c[i].val),
				    c[i].want, "attribute %d = %llu", c[i].type,
				    c[i].val);
}

/* ---- pair= (core/pairs.c) -------------------------------------------- */

static bool listed(const u8 *a, const u8 *b)
{
	bool ret;

	rtnl_lock();
	ret = duo_pairs_listed(a, b);
	rtnl_unlock();
	return ret;
}

/*
 * pair= as modprobe or a sysfs write gives it (spaces, a newline): each
 * pair listed either way round, nothing else; a bad value refused with
 * -EINVAL and the table kept; an empty one clears it.
 */
static void pair_param_parsed(struct kunit *test)
{
	static const u8 m3[ETH_ALEN] = { 0x52, 0x54, 0x00, 0x9a, 0x1e, 0x03 };
	static const u8 m4[ETH_ALEN] = { 0x52, 0x54, 0x00, 0x9a, 0x1e, 0x04 };
	static const char * const bad[] = {
		"52:54:00:9a:1e:01",				/* one MAC */
		"52:54:00:9a:1e:01/52:54:00:9a:1e:01",		/* twice */
		"52:54:00:9a:1e:01-52:54:00:9a:1e:02",		/* the separator */
		"52:54:00:9a:1e:01/52:54:00:9a:1e:0z",		/* not hex */
		"52:54:00:9a:1e:01/52:54:00:9a:1e:020",		/* one digit more */
		"01:00:5e:00:00:01/52:54:00:9a:1e:02",		/* multicast */
		"00:00:00:00:00:00/52:54:00:9a:1e:02",		/* zero */
		/* A NIC in two pairs. */
		"52:54:00:9a:1e:01/52:54:00:9a:1e:02,52:54:00:9a:1e:05/52:54:00:9a:1e:01",
	};
	static const char good[] =
		" 52:54:00:9a:1e:03/52:54:00:9a:1e:04,52:54:00:9a:1e:02/52:54:00:9a:1e:01,\n";
	char *many;
	int i, n;

	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, duo_fake_clear_pairs, NULL), 0);
	KUNIT_ASSERT_EQ(test, duo_pairs_set(good), 0);
	KUNIT_EXPECT_TRUE(test, listed(pair_mac, other_mac));
	KUNIT_EXPECT_TRUE(test, listed(other_mac, pair_mac));
	KUNIT_EXPECT_TRUE(test, listed(m4, m3));
	KUNIT_EXPECT_FALSE(test, listed(pair_mac, m3));
	KUNIT_EXPECT_FALSE(test, listed(pair_mac, pair_mac));

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		KUNIT_EXPECT_EQ_MSG(test, duo_pairs_set(bad[i]), -EINVAL, "%s", bad[i]);
		KUNIT_EXPECT_TRUE_MSG(test, listed(pair_mac, other_mac), "kept after %s",
				      bad[i]);
	}
	/* 17 pairs: one more than the table holds. */
	many = kunit_kzalloc(test, 17 * 36 + 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, many);
	for (i = 0, n = 0; i < 17; i++)
		n += sprintf(many + n, "%s52:54:00:00:%02x:01/52:54:00:00:%02x:02",
			     i ? "," : "", i, i);
	KUNIT_EXPECT_EQ(test, duo_pairs_set(many), -EINVAL);
	many[n - 36] = '\0';	/* 16 */
	KUNIT_EXPECT_EQ(test, duo_pairs_set(many), 0);
	KUNIT_EXPECT_FALSE(test, listed(pair_mac, other_mac));

	KUNIT_EXPECT_EQ(test, duo_pairs_set(""), 0);
	KUNIT_EXPECT_FALSE(test, listed(m3, m4));
}

/* ---- auto-pairing ------------------------------------------------------ */

static void pairing_off(void *unused)
{
	duo_pair_uninit();
}

/* Every duonet upper registered while a case watches, even briefly. */
static atomic_t uppers_made;

static int count_uppers(struct notifier_block *nb, unsigned long event,
			void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);

	if (event == NETDEV_REGISTER && netif_is_duo_upper(dev))
		atomic_inc(&uppers_made);
	return NOTIFY_DONE;
}

static struct notifier_block uppers_nb = {
	.notifier_call = count_uppers,
};

static void stop_counting(void *unused)
{
	unregister_netdevice_notifier(&uppers_nb);
}

/* The upper dev is a lower of, once the pairing work has run; or NULL. */
static struct net_device *wait_master(struct net_device *dev)
{
	struct net_device *m = NULL;
	int i;

	for (i = 0; i < 100 && !m; i++) {
		rtnl_lock();
		m = netdev_master_upper_dev_get(dev);
		rtnl_unlock();
		if (!m)
			msleep(20);
	}
	return m;
}

static struct net_device *virtio_lower(struct kunit *test, struct device *parent,
				       const u8 *mac)
{
	struct net_device *dev = duo_fake_alloc(test, mac);

	SET_NETDEV_DEV(dev, parent);
	KUNIT_EXPECT_EQ(test, duo_lower_detect_role(dev), DUO_PATH_PV);
	return dev;
}

/*
 * Auto-pairing scans the whole initial namespace: as a module in a guest,
 * it would take the guest's own NICs, or race duonet.ko for the case's.
 */
static bool machine_has_nics(void)
{
	struct net_device *d;
	bool found = false;

	rtnl_lock();
	for_each_netdev(&init_net, d) {
		if (duo_pv_recognise(d) || duo_vf_recognise(d) ||
		    (d->rtnl_link_ops && !netif_is_duo_upper(d) &&
		     !strcmp(d->rtnl_link_ops->kind, DUO_DRV_NAME)))
			found = true;
	}
	rtnl_unlock();
	return found;
}

static void auto_pairing(struct kunit *test)
{
	struct net_device *pv, *bonded, *bond, *upper, *pv_again;
	struct device *parent;

	if (machine_has_nics())
		kunit_skip(test, "NICs auto-pairing would take, or another duonet");
	parent = kunit_device_register(test, "virtio_net");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, parent);
	KUNIT_ASSERT_NOT_NULL(test, parent->driver);
	KUNIT_ASSERT_STREQ(test, parent->driver->name, "virtio_net");

	/* Before pairing starts: a PV, and another one bonded already. */
	pv = virtio_lower(test, parent, pair_mac);
	duo_fake_register(test, pv);
	bond = duo_fake_lower(test, other_mac);
	bonded = virtio_lower(test, parent, other_mac);
	duo_fake_register(test, bonded);
	give_master(test, bonded, bond);

	atomic_set(&uppers_made, 0);
	KUNIT_ASSERT_EQ(test, register_netdevice_notifier(&uppers_nb), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, stop_counting, NULL), 0);
	KUNIT_ASSERT_EQ(test, duo_pair_init(), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, pairing_off, NULL), 0);
	upper = wait_master(pv);
	KUNIT_ASSERT_NOT_NULL(test, upper);
	KUNIT_ASSERT_TRUE(test, netif_is_duo_upper(upper));
	duo_fake_own_upper(test, upper);
	KUNIT_EXPECT_TRUE(test, ((struct duo_priv *)netdev_priv(upper))->auto_created);
	KUNIT_EXPECT_TRUE(test, ether_addr_equal(upper->dev_addr, pair_mac));
	KUNIT_EXPECT_PTR_EQ(test, duo_fake_tx(upper), pv);
	/* The bonded one keeps its master, and no upper was made for it. */
	KUNIT_EXPECT_TRUE(test, is_lower_of(bonded, bond));
	KUNIT_EXPECT_EQ(test, atomic_read(&uppers_made), 1);

	/* The PV goes (driver reload); the next one with its MAC rejoins. */
	duo_fake_unregister(test, pv);
	KUNIT_EXPECT_NULL(test, duo_fake_tx(upper));
	pv_again = virtio_lower(test, parent, pair_mac);
	duo_fake_register(test, pv_again);
	KUNIT_EXPECT_PTR_EQ(test, wait_master(pv_again), upper);
	KUNIT_EXPECT_PTR_EQ(test, duo_fake_tx(upper), pv_again);
	KUNIT_EXPECT_EQ(test, atomic_read(&uppers_made), 1);
}

static struct kunit_case duo_pairing_cases[] = {
	KUNIT_CASE(roles_detected),
	KUNIT_CASE(refused_devices),
	KUNIT_CASE(refused_masters_and_roles),
	KUNIT_CASE(refused_devices_left_alone),
	KUNIT_CASE(refused_claim_gives_mac_back),
	KUNIT_CASE(netlink_mac_attribute),
	KUNIT_CASE(netlink_settings_policy),
	KUNIT_CASE(pair_param_parsed),
	KUNIT_CASE(auto_pairing),
	{}
};

static struct kunit_suite duo_pairing_suite = {
	.name = "duonet_pairing",
	.suite_init = duo_fake_suite_init,
	.suite_exit = duo_fake_suite_exit,
	.test_cases = duo_pairing_cases,
};

kunit_test_suites(&duo_pairing_suite);
