// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite duonet_features: what the upper offers given its lowers.
 *
 *  offloads  duo_features_common() (core/features.c, the upper's
 *            ndo_fix_features): the upper offers the union of its
 *            lowers' SG, HIGHDMA, FRAGLIST and checksums, and the software
 *            segmentations always (a lower falls back, once, for what it
 *            lacks), the last VF's features standing in for the VF while
 *            it is away; other features pass through; generic
 *            checksumming replaces the protocol-specific kinds. Then the
 *            same on real net_devices, across a VF leaving, returning and
 *            changing its features, and duo_upper_compute(): VLAN
 *            offloads the union of the lowers', tunnel offloads always,
 *            the most head- and tailroom any lower needs, the route kept
 *            for a lower that needs it and for good once the upper keeps
 *            routes (IFF_XMIT_DST_RELEASE, _PERM), a NETDEV_FEAT_CHANGE
 *            of the upper at every join for its VLANs.
 *  MTU       the upper's range is the intersection of the lowers' (a
 *            max_mtu of 0 is no limit, as in dev_validate_mtu()); an MTU
 *            change reaches both lowers or, when one refuses, neither.
 *  MAC       an upper with a random MAC takes its first lower's pair
 *            address (permanent, else current), one set by the user keeps
 *            its own; lowers take the upper's; a change reaches both
 *            lowers or, when one refuses, neither; invalid ones are
 *            refused before any lower is touched.
 */
#include <kunit/test.h>
#include <linux/etherdevice.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>

#include "core/duonet.h"
#include "kunit/fake.h"

#define CSUM_IP		(NETIF_F_IP_CSUM | NETIF_F_IPV6_CSUM)
#define F_PV		(NETIF_F_SG | NETIF_F_HW_CSUM | NETIF_F_RXCSUM | \
			 NETIF_F_TSO | NETIF_F_TSO6 | NETIF_F_GSO_UDP_L4)
#define F_VF		(NETIF_F_SG | CSUM_IP | NETIF_F_RXCSUM | NETIF_F_TSO | \
			 NETIF_F_HIGHDMA)
/* Segmentation is offered whatever the lowers have: they fall back. */
#define SEGS		(NETIF_F_GSO_SOFTWARE | NETIF_F_GSO_ENCAP_ALL)
/* What the upper offers over them (receive offloads are not unioned). */
#define U_PV		(NETIF_F_SG | NETIF_F_HW_CSUM | SEGS)
#define U_VF		(NETIF_F_SG | NETIF_F_HW_CSUM | NETIF_F_HIGHDMA | SEGS)
#define U_BOTH		U_VF
/* VLAN features as register_netdevice() leaves them (HIGHDMA, MANGLEID). */
#define V_PV		(NETIF_F_SG | NETIF_F_TSO | NETIF_F_TSO_MANGLEID | \
			 NETIF_F_HIGHDMA)
#define V_VF		(NETIF_F_SG | NETIF_F_TSO6 | NETIF_F_HIGHDMA)
/* The upper's own VLAN start: checksum and tunnels (the lower falls back). */
#define V_BASE		(NETIF_F_HW_CSUM | NETIF_F_GSO_ENCAP_ALL)

static const u8 pair_mac[ETH_ALEN] = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef };

/* ---- offloads, the decision alone ------------------------------------ */

struct fix_case {
	const char *name;
	netdev_features_t wanted;
	bool pv, vf, kept;
	netdev_features_t pv_f, vf_f, kept_f;
	netdev_features_t want;
};

static const struct fix_case fix_cases[] = {
	{ "no lowers: everything wanted",
	  DUO_TX_FEATURES, false, false, false, 0, 0, 0, DUO_TX_FEATURES },
	{ "PV alone",
	  DUO_TX_FEATURES, true, false, false, F_PV, 0, 0, U_PV },
	{ "VF alone",
	  DUO_TX_FEATURES, false, true, false, 0, F_VF, 0, U_VF },
	{ "both: the union, HW_CSUM over IP_CSUM",
	  DUO_TX_FEATURES, true, true, false, F_PV, F_VF, 0, U_BOTH },
	{ "VF away: its kept features still count",
	  DUO_TX_FEATURES, true, false, true, F_PV, 0, F_VF, U_BOTH },
	{ "VF present: its own features, not the kept ones",
	  DUO_TX_FEATURES, true, true, true, F_PV, F_PV, F_VF, U_PV },
	{ "no lower segments: the upper offers it, the lower falls back",
	  DUO_TX_FEATURES, true, true, false, NETIF_F_SG | NETIF_F_HW_CSUM,
	  NETIF_F_SG | CSUM_IP, 0, U_PV },
	{ "SG when one lower has it",
	  DUO_TX_FEATURES, true, true, false, 0, NETIF_F_SG, 0,
	  NETIF_F_SG | NETIF_F_HW_CSUM | SEGS },
	{ "SG and HIGHDMA when no lower has them: not offered",
	  DUO_TX_FEATURES, true, true, false, NETIF_F_HW_CSUM, CSUM_IP, 0,
	  NETIF_F_HW_CSUM | SEGS },
	{ "a VLAN-challenged VF makes the upper so while present",
	  DUO_TX_FEATURES, true, true, false, F_PV,
	  F_VF | NETIF_F_VLAN_CHALLENGED, 0, U_BOTH | NETIF_F_VLAN_CHALLENGED },
	{ "not while away",
	  DUO_TX_FEATURES, true, false, true, F_PV, 0,
	  F_VF | NETIF_F_VLAN_CHALLENGED, U_BOTH },
	{ "only what the stack wants",
	  NETIF_F_SG | NETIF_F_TSO, true, true, false, F_PV, F_VF, 0,
	  NETIF_F_SG | NETIF_F_TSO },
	{ "protocol checksums kept where the stack turned HW_CSUM off",
	  NETIF_F_SG | CSUM_IP, true, true, false, F_PV, F_PV, 0,
	  NETIF_F_SG | CSUM_IP },
	{ "features outside the lowers' set pass through",
	  NETIF_F_SG | NETIF_F_HW_VLAN_CTAG_FILTER, true, true, true,
	  0, 0, 0, NETIF_F_HW_VLAN_CTAG_FILTER },
	/* The user's wish for the lowers (ethtool -K, core/tuning.c). */
	{ "receive offloads pass through, whatever the lowers have",
	  DUO_RX_FEATURES, true, true, false, NETIF_F_LRO, 0, 0, DUO_RX_FEATURES },
};

static void offloads_union(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(fix_cases); i++) {
		const struct fix_case *c = &fix_cases[i];
		netdev_features_t got;

		got = duo_features_common(c->wanted, c->pv ? &c->pv_f : NULL,
					  c->vf ? &c->vf_f : NULL,
					  c->kept ? &c->kept_f : NULL);
		KUNIT_EXPECT_EQ_MSG(test, got, c->want, "%s: got %pNF want %pNF",
				    c->name, &got, &c->want);
	}
}

/* ---- offloads on real devices ---------------------------------------- */

static struct net_device *lower_with(struct kunit *test,
				     netdev_features_t features)
{
	struct net_device *dev = duo_fake_alloc(test, pair_mac);

	dev->hw_features = features;
	dev->features = features;
	duo_fake_register(test, dev);
	return dev;
}

static netdev_features_t upper_offloads(struct net_device *upper)
{
	return upper->features & DUO_TX_FEATURES;
}

static void offloads_follow_lowers(struct kunit *test)
{
	struct net_device *upper = duo_fake_upper(test);
	struct net_device *pv = lower_with(test, F_PV);
	struct net_device *vf = lower_with(test, F_VF);

	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, pv, DUO_PATH_PV), 0);
	KUNIT_EXPECT_EQ(test, upper_offloads(upper), U_PV);
	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, vf, DUO_PATH_VF), 0);
	KUNIT_EXPECT_EQ(test, upper_offloads(upper), U_BOTH);
	/* Not an offload of the lowers: the upper's own. */
	KUNIT_EXPECT_TRUE(test, upper->features & NETIF_F_HW_VLAN_CTAG_FILTER);

	/* The VF leaves (migration): the offloads stay what they were. */
	duo_fake_unregister(test, vf);
	KUNIT_EXPECT_EQ(test, upper_offloads(upper), U_BOTH);

	/* A VF returns with fewer offloads: the upper follows it. */
	vf = lower_with(test, NETIF_F_SG | CSUM_IP);
	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, vf, DUO_PATH_VF), 0);
	KUNIT_EXPECT_EQ(test, upper_offloads(upper), U_PV);

	/* It gains some (NETDEV_FEAT_CHANGE), then leaves: still counted. */
	rtnl_lock();
	vf->features |= NETIF_F_HIGHDMA | NETIF_F_TSO;
	netdev_features_change(vf);
	rtnl_unlock();
	KUNIT_EXPECT_EQ(test, upper_offloads(upper), U_BOTH);
	duo_fake_unregister(test, vf);
	KUNIT_EXPECT_EQ(test, upper_offloads(upper), U_BOTH);
}

/*
 * VLAN offloads the union of the lowers' (a lower's own features no
 * matter), tunnel segmentation on whatever the lowers have, the room
 * frames need the most any lower needs, and the upper keeps a frame's
 * route while a lower needs it; all back when that lower leaves.
 */
/* NETDEV_FEAT_CHANGE events of one device (VLANs on it read them). */
static struct net_device *feat_watched;
static unsigned int feat_changes;

static int feat_event(struct notifier_block *nb, unsigned long event,
		      void *ptr)
{
	if (event == NETDEV_FEAT_CHANGE &&
	    netdev_notifier_info_to_dev(ptr) == feat_watched)
		feat_changes++;
	return NOTIFY_DONE;
}

static struct notifier_block feat_nb = { .notifier_call = feat_event };

static void feat_unwatch(void *unused)
{
	unregister_netdevice_notifier(&feat_nb);
	feat_watched = NULL;
}

static void vlan_tunnel_room_route(struct kunit *test)
{
	struct net_device *upper = duo_fake_upper(test);
	struct net_device *pv = duo_fake_alloc(test, pair_mac);
	struct net_device *vf = duo_fake_alloc(test, pair_mac);
	netdev_features_t f;

	feat_watched = upper;
	feat_changes = 0;
	KUNIT_ASSERT_EQ(test, register_netdevice_notifier(&feat_nb), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, feat_unwatch, NULL), 0);

	pv->features = F_PV;
	pv->vlan_features = NETIF_F_SG | NETIF_F_TSO;	/* V_PV registered */
	pv->needed_headroom = 32;
	duo_fake_register(test, pv);
	vf->features = F_PV;	/* duo0's features stay at its join */
	vf->vlan_features = NETIF_F_SG | NETIF_F_TSO6;	/* V_VF registered */
	vf->needed_headroom = 64;
	vf->needed_tailroom = 16;
	vf->priv_flags &= ~IFF_XMIT_DST_RELEASE;
	duo_fake_register(test, vf);

	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, pv, DUO_PATH_PV), 0);
	KUNIT_EXPECT_EQ(test, upper->vlan_features, V_BASE | V_PV);
	KUNIT_EXPECT_EQ(test, upper->needed_headroom, 32);
	KUNIT_EXPECT_TRUE(test, upper->priv_flags & IFF_XMIT_DST_RELEASE);
	KUNIT_EXPECT_TRUE(test, upper->mpls_features & NETIF_F_HW_CSUM);
	f = upper->features;
	feat_changes = 0;
	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, vf, DUO_PATH_VF), 0);
	KUNIT_EXPECT_EQ(test, upper->vlan_features, V_BASE | V_PV | V_VF);
	KUNIT_EXPECT_EQ(test, upper->needed_headroom, 64);
	KUNIT_EXPECT_EQ(test, upper->needed_tailroom, 16);
	KUNIT_EXPECT_FALSE(test, upper->priv_flags & IFF_XMIT_DST_RELEASE);
	/* Neither lower segments tunnels: duo0 offers it anyway. */
	KUNIT_EXPECT_EQ(test, upper->features & SEGS, SEGS);
	/* Its VLANs heard of the join though its features stayed. */
	KUNIT_EXPECT_EQ(test, upper->features, f);
	KUNIT_EXPECT_GE(test, feat_changes, 1U);

	duo_fake_unregister(test, vf);
	KUNIT_EXPECT_EQ(test, upper->vlan_features, V_BASE | V_PV);
	KUNIT_EXPECT_EQ(test, upper->needed_headroom, 32);
	KUNIT_EXPECT_EQ(test, upper->needed_tailroom, 0);
	KUNIT_EXPECT_TRUE(test, upper->priv_flags & IFF_XMIT_DST_RELEASE);

	/* Something on the upper keeps routes (netif_keep_dst()): for good. */
	rtnl_lock();
	netif_keep_dst(upper);
	netdev_features_change(pv);
	rtnl_unlock();
	KUNIT_EXPECT_FALSE(test, upper->priv_flags & IFF_XMIT_DST_RELEASE);
}

/* ---- MTU ------------------------------------------------------------- */

static int set_mtu(struct net_device *dev, int mtu)
{
	int err;

	rtnl_lock();
	err = dev_set_mtu(dev, mtu);
	rtnl_unlock();
	return err;
}

static void mtu_range(struct kunit *test)
{
	struct net_device *upper = duo_fake_upper(test);
	struct net_device *pv = duo_fake_alloc(test, pair_mac);
	struct net_device *vf = duo_fake_alloc(test, pair_mac);

	pv->min_mtu = 68;
	pv->max_mtu = 9000;
	vf->min_mtu = 128;
	vf->max_mtu = 4000;
	duo_fake_register(test, pv);
	duo_fake_register(test, vf);
	KUNIT_EXPECT_EQ(test, upper->min_mtu, ETH_MIN_MTU);
	KUNIT_EXPECT_EQ(test, upper->max_mtu, ETH_MAX_MTU);

	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, pv, DUO_PATH_PV), 0);
	KUNIT_EXPECT_EQ(test, upper->max_mtu, 9000);
	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, vf, DUO_PATH_VF), 0);
	KUNIT_EXPECT_EQ(test, upper->min_mtu, 128);
	KUNIT_EXPECT_EQ(test, upper->max_mtu, 4000);

	KUNIT_EXPECT_EQ(test, set_mtu(upper, 4001), -EINVAL);
	KUNIT_EXPECT_EQ(test, set_mtu(upper, 127), -EINVAL);
	KUNIT_EXPECT_EQ(test, set_mtu(upper, 4000), 0);
	KUNIT_EXPECT_EQ(test, upper->mtu, 4000);
	KUNIT_EXPECT_EQ(test, pv->mtu, 4000);
	KUNIT_EXPECT_EQ(test, vf->mtu, 4000);

	/* The VF leaves: the PV's range alone. */
	duo_fake_unregister(test, vf);
	KUNIT_EXPECT_EQ(test, upper->min_mtu, 68);
	KUNIT_EXPECT_EQ(test, upper->max_mtu, 9000);
}

/* A lower with max_mtu 0 has no upper limit (dev_validate_mtu()). */
static void mtu_unlimited_lower(struct kunit *test)
{
	struct net_device *upper = duo_fake_upper(test);
	struct net_device *pv = duo_fake_alloc(test, pair_mac);
	struct net_device *vf = duo_fake_alloc(test, pair_mac);

	pv->max_mtu = 0;
	vf->max_mtu = 9000;
	duo_fake_register(test, pv);
	duo_fake_register(test, vf);
	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, pv, DUO_PATH_PV), 0);
	KUNIT_EXPECT_EQ(test, upper->max_mtu, ETH_MAX_MTU);
	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, vf, DUO_PATH_VF), 0);
	KUNIT_EXPECT_EQ(test, upper->max_mtu, 9000);
	KUNIT_EXPECT_EQ(test, set_mtu(upper, 9000), 0);
	KUNIT_EXPECT_EQ(test, pv->mtu, 9000);
}

/* Lowers are changed VF first: a refusing PV makes the VF go back. */
static void mtu_rollback(struct kunit *test)
{
	struct net_device *upper = duo_fake_upper(test);
	struct net_device *pv = duo_fake_lower(test, pair_mac);
	struct net_device *vf = duo_fake_lower(test, pair_mac);

	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, pv, DUO_PATH_PV), 0);
	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, vf, DUO_PATH_VF), 0);

	duo_fake(pv)->mtu_err = -EBUSY;
	duo_fake(vf)->mtu_calls = 0;
	KUNIT_EXPECT_EQ(test, set_mtu(upper, 1400), -EBUSY);
	KUNIT_EXPECT_EQ(test, upper->mtu, ETH_DATA_LEN);
	KUNIT_EXPECT_EQ(test, pv->mtu, ETH_DATA_LEN);
	KUNIT_EXPECT_EQ(test, vf->mtu, ETH_DATA_LEN);
	KUNIT_EXPECT_EQ(test, duo_fake(vf)->mtu_calls, 2);	/* there and back */

	duo_fake(pv)->mtu_err = 0;
	duo_fake(vf)->mtu_err = -EIO;
	duo_fake(pv)->mtu_calls = 0;
	KUNIT_EXPECT_EQ(test, set_mtu(upper, 1400), -EIO);
	KUNIT_EXPECT_EQ(test, upper->mtu, ETH_DATA_LEN);
	KUNIT_EXPECT_EQ(test, pv->mtu, ETH_DATA_LEN);
	KUNIT_EXPECT_EQ(test, duo_fake(pv)->mtu_calls, 0);

	duo_fake(vf)->mtu_err = 0;
	KUNIT_EXPECT_EQ(test, set_mtu(upper, 1400), 0);
	KUNIT_EXPECT_EQ(test, upper->mtu, 1400);
	KUNIT_EXPECT_EQ(test, pv->mtu, 1400);
	KUNIT_EXPECT_EQ(test, vf->mtu, 1400);
}

/* ---- MAC ------------------------------------------------------------- */

static void mac_random_upper_takes_first_lowers(struct kunit *test)
{
	static const u8 cur[ETH_ALEN] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
	struct net_device *upper = duo_fake_upper(test);
	struct net_device *pv = duo_fake_lower(test, pair_mac);
	struct net_device *vf = duo_fake_lower(test, pair_mac);

	KUNIT_EXPECT_EQ(test, upper->addr_assign_type, NET_ADDR_RANDOM);
	/* The PV's current MAC is not its permanent one: the pair's is. */
	KUNIT_ASSERT_EQ(test, duo_fake_set_mac(pv, cur), 0);
	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, pv, DUO_PATH_PV), 0);
	KUNIT_EXPECT_TRUE(test, ether_addr_equal(upper->dev_addr, pair_mac));
	KUNIT_EXPECT_EQ(test, upper->addr_assign_type, NET_ADDR_STOLEN);
	KUNIT_EXPECT_TRUE(test, ether_addr_equal(pv->dev_addr, pair_mac));
	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, vf, DUO_PATH_VF), 0);
	KUNIT_EXPECT_TRUE(test, ether_addr_equal(vf->dev_addr, pair_mac));
}

/* No permanent MAC (virtio without the MAC feature): the current one. */
static void mac_pair_address_without_permanent(struct kunit *test)
{
	static const u8 cur[ETH_ALEN] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
	struct net_device *upper = duo_fake_upper(test);
	struct net_device *pv = duo_fake_lower(test, pair_mac);

	/* register_netdev() made the MAC permanent: undo that. */
	eth_zero_addr(pv->perm_addr);
	KUNIT_ASSERT_EQ(test, duo_fake_set_mac(pv, cur), 0);
	KUNIT_EXPECT_TRUE(test, ether_addr_equal(duo_pair_addr(pv), cur));
	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, pv, DUO_PATH_PV), 0);
	KUNIT_EXPECT_TRUE(test, ether_addr_equal(upper->dev_addr, cur));
	KUNIT_EXPECT_TRUE(test, ether_addr_equal(((struct duo_priv *)netdev_priv(upper))->pair_addr,
						 cur));
}

static void mac_user_set_upper_keeps_its_own(struct kunit *test)
{
	static const u8 mine[ETH_ALEN] = { 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee };
	struct net_device *upper = duo_fake_upper(test);
	struct net_device *pv = duo_fake_lower(test, pair_mac);

	KUNIT_ASSERT_EQ(test, duo_fake_set_mac(upper, mine), 0);
	KUNIT_EXPECT_EQ(test, upper->addr_assign_type, NET_ADDR_SET);
	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, pv, DUO_PATH_PV), 0);
	KUNIT_EXPECT_TRUE(test, ether_addr_equal(upper->dev_addr, mine));
	KUNIT_EXPECT_TRUE(test, ether_addr_equal(pv->dev_addr, mine));
	/* Pairing still goes by the permanent MAC. */
	KUNIT_EXPECT_TRUE(test, ether_addr_equal(((struct duo_priv *)netdev_priv(upper))->pair_addr,
						 pair_mac));
}

static void mac_change_carried_or_rolled_back(struct kunit *test)
{
	static const u8 new1[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0x01 };
	static const u8 new2[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0x02 };
	static const u8 mcast[ETH_ALEN] = { 0x01, 0, 0x5e, 0, 0, 0x01 };
	struct net_device *upper = duo_fake_upper(test);
	struct net_device *pv = duo_fake_lower(test, pair_mac);
	struct net_device *vf = duo_fake_lower(test, pair_mac);

	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, pv, DUO_PATH_PV), 0);
	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, vf, DUO_PATH_VF), 0);

	KUNIT_EXPECT_EQ(test, duo_fake_set_mac(upper, new1), 0);
	KUNIT_EXPECT_TRUE(test, ether_addr_equal(upper->dev_addr, new1));
	KUNIT_EXPECT_TRUE(test, ether_addr_equal(pv->dev_addr, new1));
	KUNIT_EXPECT_TRUE(test, ether_addr_equal(vf->dev_addr, new1));

	/* The PV refuses: the VF, changed first, goes back. */
	duo_fake(pv)->addr_err = -EBUSY;
	KUNIT_EXPECT_EQ(test, duo_fake_set_mac(upper, new2), -EBUSY);
	KUNIT_EXPECT_TRUE(test, ether_addr_equal(upper->dev_addr, new1));
	KUNIT_EXPECT_TRUE(test, ether_addr_equal(vf->dev_addr, new1));
	KUNIT_EXPECT_TRUE(test, ether_addr_equal(pv->dev_addr, new1));
	duo_fake(pv)->addr_err = 0;

	/* Not a unicast address: refused before any lower is asked. */
	duo_fake(pv)->addr_calls = 0;
	duo_fake(vf)->addr_calls = 0;
	KUNIT_EXPECT_EQ(test, duo_fake_set_mac(upper, mcast), -EADDRNOTAVAIL);
	KUNIT_EXPECT_EQ(test, duo_fake(pv)->addr_calls + duo_fake(vf)->addr_calls, 0);
	KUNIT_EXPECT_TRUE(test, ether_addr_equal(upper->dev_addr, new1));
}

static struct kunit_case duo_features_cases[] = {
	KUNIT_CASE(offloads_union),
	KUNIT_CASE(offloads_follow_lowers),
	KUNIT_CASE(vlan_tunnel_room_route),
	KUNIT_CASE(mtu_range),
	KUNIT_CASE(mtu_unlimited_lower),
	KUNIT_CASE(mtu_rollback),
	KUNIT_CASE(mac_random_upper_takes_first_lowers),
	KUNIT_CASE(mac_pair_address_without_permanent),
	KUNIT_CASE(mac_user_set_upper_keeps_its_own),
	KUNIT_CASE(mac_change_carried_or_rolled_back),
	{}
};

static struct kunit_suite duo_features_suite = {
	.name = "duonet_features",
	.suite_init = duo_fake_suite_init,
	.suite_exit = duo_fake_suite_exit,
	.test_cases = duo_features_cases,
};

kunit_test_suites(&duo_features_suite);
