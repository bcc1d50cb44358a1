// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite duonet_netdev: an upper and its lowers as real net_devices
 * registered in the kernel (kunit/fake.c), driven through the entry points
 * the stack and duonet's own pairing use: rtnl_link_ops (ip link add),
 * duo_upper_create() (auto-pairing), duo_join() with an explicit role (the
 * manual pairing and the role override: the fake lowers sit on no PCI
 * device and no virtio_net driver, so nothing would recognise them),
 * ndo_del_slave (ip link set nomaster), dev_queue_xmit() and
 * netif_receive_skb() for frames, unregister_netdev() for a hot-unplug,
 * and "ethtool -S" for the counters.
 */
#include <kunit/test.h>
#include <linux/etherdevice.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>

#include "core/duonet.h"
#include "kunit/fake.h"

static const u8 pair_mac[ETH_ALEN] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

static struct duo_priv *priv_of(struct net_device *upper)
{
	return netdev_priv(upper);
}

/* Claimed: duonet's master, marked a lower, the upper's MAC and MTU. */
static void expect_claimed(struct kunit *test, struct net_device *upper,
			   struct net_device *dev)
{
	rtnl_lock();
	KUNIT_EXPECT_PTR_EQ(test, netdev_master_upper_dev_get(dev), upper);
	KUNIT_EXPECT_NOT_NULL(test, duo_lower_of(dev));
	rtnl_unlock();
	KUNIT_EXPECT_TRUE(test, dev->flags & IFF_SLAVE);
	KUNIT_EXPECT_TRUE(test, ether_addr_equal(dev->dev_addr, upper->dev_addr));
	KUNIT_EXPECT_EQ(test, dev->mtu, upper->mtu);
}

static void expect_released(struct kunit *test, struct net_device *dev)
{
	rtnl_lock();
	KUNIT_EXPECT_NULL(test, netdev_master_upper_dev_get(dev));
	KUNIT_EXPECT_NULL(test, duo_lower_of(dev));
	KUNIT_EXPECT_NULL(test, rtnl_dereference(dev->rx_handler));
	rtnl_unlock();
	KUNIT_EXPECT_FALSE(test, dev->flags & IFF_SLAVE);
}

/* Auto-pairing's entry point: an upper "duo%d" over a PV, with its MAC. */
static void upper_over_pv(struct kunit *test)
{
	struct net_device *pv = duo_fake_lower(test, pair_mac), *upper;

	rtnl_lock();
	upper = duo_upper_create(&init_net, pv);
	rtnl_unlock();
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, upper);
	duo_fake_own_upper(test, upper);
	KUNIT_EXPECT_EQ(test, strncmp(upper->name, "duo", 3), 0);
	KUNIT_EXPECT_TRUE(test, ether_addr_equal(upper->dev_addr, pair_mac));
	KUNIT_EXPECT_TRUE(test, ether_addr_equal(upper->perm_addr, pair_mac));
	KUNIT_EXPECT_TRUE(test, priv_of(upper)->auto_created);
	expect_claimed(test, upper, pv);
	KUNIT_EXPECT_PTR_EQ(test, duo_fake_tx(upper), pv);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "pv_present"), 1);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "vf_present"), 0);

	/* Deleting the upper gives the PV back. */
	duo_fake_delete_upper(test, upper);
	expect_released(test, pv);
}

/*
 * The scenario: an upper, a VF and a PV joined, traffic on the VF;
 * the VF is unregistered (hot-unplug) and TX moves to the PV with every
 * counter kept; a new VF registers and joins, TX moves back; both lowers
 * are released and the upper has no path left.
 */
static void vf_leaves_and_returns(struct kunit *test)
{
	struct net_device *upper = duo_fake_upper(test);
	struct net_device *pv = duo_fake_lower(test, pair_mac);
	struct net_device *vf = duo_fake_lower(test, pair_mac);
	struct duo_priv *priv = priv_of(upper);
	int i;

	duo_fake_open(test, upper);
	KUNIT_EXPECT_FALSE(test, netif_carrier_ok(upper));
	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, pv, DUO_ROLE_PV), 0);
	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, vf, DUO_ROLE_VF), 0);
	expect_claimed(test, upper, pv);
	expect_claimed(test, upper, vf);
	/* The upper runs: duonet opened both lowers, which have carrier. */
	KUNIT_EXPECT_TRUE(test, netif_running(pv) && netif_running(vf));
	KUNIT_EXPECT_TRUE(test, netif_carrier_ok(upper));
	KUNIT_EXPECT_PTR_EQ(test, duo_fake_tx(upper), vf);
	KUNIT_EXPECT_EQ(test, priv->fo.active, DUO_PATH_VF);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "vf_active"), 1);

	for (i = 0; i < 3; i++)
		duo_fake_send(test, upper, 100);
	duo_fake_receive(test, vf, 200);
	duo_fake_receive(test, pv, 300);
	duo_fake_receive(test, pv, 300);
	KUNIT_EXPECT_EQ(test, duo_fake(vf)->xmit, 3);
	KUNIT_EXPECT_EQ(test, duo_fake(pv)->xmit, 0);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "vf_tx_packets"), 3);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "vf_tx_bytes"), 300);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "vf_rx_packets"), 1);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "pv_rx_packets"), 2);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "pv_rx_bytes"), 600);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "switches_to_pv"), 1);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "switches_to_vf"), 1);

	/* Hot-unplug: the VF's netdev goes away. */
	duo_fake_unregister(test, vf);
	KUNIT_EXPECT_NULL(test, rcu_access_pointer(priv->vf));
	KUNIT_EXPECT_PTR_EQ(test, duo_fake_tx(upper), pv);
	KUNIT_EXPECT_EQ(test, priv->fo.active, DUO_PATH_PV);
	KUNIT_EXPECT_TRUE(test, netif_carrier_ok(upper));
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "vf_present"), 0);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "vf_active"), 0);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "pv_present"), 1);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "switches_to_pv"), 2);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "switches_unplug"), 1);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "vf_leaves"), 1);
	/* Counters of the departed VF survive it. */
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "vf_tx_packets"), 3);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "vf_rx_packets"), 1);
	duo_fake_send(test, upper, 100);
	duo_fake_send(test, upper, 100);
	KUNIT_EXPECT_EQ(test, duo_fake(pv)->xmit, 2);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "pv_tx_packets"), 2);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "tx_dropped_no_path"), 0);

	/* The VF comes back: a new netdev with the same MAC. */
	vf = duo_fake_lower(test, pair_mac);
	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, vf, DUO_ROLE_VF), 0);
	expect_claimed(test, upper, vf);
	KUNIT_EXPECT_PTR_EQ(test, duo_fake_tx(upper), vf);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "switches_to_vf"), 2);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "vf_joins"), 2);
	duo_fake_send(test, upper, 100);
	KUNIT_EXPECT_EQ(test, duo_fake(vf)->xmit, 1);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "vf_tx_packets"), 4);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "pv_tx_packets"), 2);

	/* ip link set ... nomaster, VF then PV. */
	rtnl_lock();
	KUNIT_EXPECT_EQ(test, upper->netdev_ops->ndo_del_slave(upper, vf), 0);
	rtnl_unlock();
	expect_released(test, vf);
	KUNIT_EXPECT_FALSE(test, netif_running(vf));	/* duonet opened it */
	KUNIT_EXPECT_PTR_EQ(test, duo_fake_tx(upper), pv);
	rtnl_lock();
	KUNIT_EXPECT_EQ(test, upper->netdev_ops->ndo_del_slave(upper, pv), 0);
	KUNIT_EXPECT_EQ(test, upper->netdev_ops->ndo_del_slave(upper, pv), -EINVAL);
	rtnl_unlock();
	expect_released(test, pv);
	KUNIT_EXPECT_NULL(test, duo_fake_tx(upper));
	KUNIT_EXPECT_EQ(test, priv->fo.active, DUO_PATH_NONE);
	KUNIT_EXPECT_FALSE(test, netif_carrier_ok(upper));
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "vf_present") +
			      duo_fake_stat(test, upper, "pv_present"), 0);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "vf_tx_packets") +
			      duo_fake_stat(test, upper, "pv_tx_packets"), 6);
}

/*
 * A VF that lost its link: frames go to the PV before the state machine
 * hears of it (linkwatch), then the switch follows; never the other way.
 */
static void vf_without_link_sends_on_pv(struct kunit *test)
{
	struct net_device *upper = duo_fake_upper(test);
	struct net_device *pv = duo_fake_lower(test, pair_mac);
	struct net_device *vf = duo_fake_lower(test, pair_mac);

	duo_fake_open(test, upper);
	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, pv, DUO_ROLE_PV), 0);
	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, vf, DUO_ROLE_VF), 0);
	KUNIT_ASSERT_PTR_EQ(test, duo_fake_tx(upper), vf);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "switches_carrier"), 1);

	netif_carrier_off(vf);
	duo_fake_send(test, upper, 100);
	KUNIT_EXPECT_EQ(test, duo_fake(vf)->xmit, 0);
	KUNIT_EXPECT_EQ(test, duo_fake(pv)->xmit, 1);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "tx_redirected_to_pv"), 1);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "pv_tx_packets"), 1);

	/* NETDEV_CHANGE arrives: TX moves to the PV, no redirect needed. */
	duo_fake_sync(vf);
	KUNIT_EXPECT_PTR_EQ(test, duo_fake_tx(upper), pv);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "switches_carrier"), 2);
	duo_fake_send(test, upper, 100);
	KUNIT_EXPECT_EQ(test, duo_fake(pv)->xmit, 2);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "tx_redirected_to_pv"), 1);

	/* The link returns: back to the VF (no failback delay). */
	netif_carrier_on(vf);
	duo_fake_sync(vf);
	KUNIT_EXPECT_PTR_EQ(test, duo_fake_tx(upper), vf);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "switches_carrier"), 3);

	/* pv-only with a PV without link: the VF gets nothing. */
	rtnl_lock();
	duo_path_event(priv_of(upper), DUO_EV_PV_ONLY_ON);
	rtnl_unlock();
	KUNIT_ASSERT_PTR_EQ(test, duo_fake_tx(upper), pv);
	netif_carrier_off(pv);
	duo_fake_send(test, upper, 100);
	KUNIT_EXPECT_EQ(test, duo_fake(vf)->xmit, 0);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "tx_redirected_to_pv"), 1);
}

/* Deleting an upper gives its lowers back as they were. */
static void delete_upper_releases_lowers(struct kunit *test)
{
	static const u8 own_mac[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0x01 };
	struct net_device *pv = duo_fake_lower(test, pair_mac);
	struct net_device *vf = duo_fake_lower(test, pair_mac);
	struct net_device *upper = duo_fake_upper(test);

	/* The VF's current MAC differs from its permanent one. */
	rtnl_lock();
	eth_hw_addr_set(vf, own_mac);
	rtnl_unlock();
	pv->mtu = 1400;
	vf->mtu = 1300;
	duo_fake_open(test, upper);
	duo_fake_open(test, pv);
	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, pv, DUO_ROLE_PV), 0);
	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, vf, DUO_ROLE_VF), 0);
	expect_claimed(test, upper, vf);
	KUNIT_EXPECT_EQ(test, vf->mtu, ETH_DATA_LEN);

	duo_fake_delete_upper(test, upper);
	expect_released(test, pv);
	expect_released(test, vf);
	KUNIT_EXPECT_TRUE(test, ether_addr_equal(vf->dev_addr, own_mac));
	KUNIT_EXPECT_TRUE(test, ether_addr_equal(pv->dev_addr, pair_mac));
	KUNIT_EXPECT_EQ(test, vf->mtu, 1300);
	KUNIT_EXPECT_EQ(test, pv->mtu, 1400);
	/* Down again if duonet brought it up, left up otherwise. */
	KUNIT_EXPECT_FALSE(test, netif_running(vf));
	KUNIT_EXPECT_TRUE(test, netif_running(pv));
}

static struct kunit_case duo_netdev_cases[] = {
	KUNIT_CASE(upper_over_pv),
	KUNIT_CASE(vf_leaves_and_returns),
	KUNIT_CASE(vf_without_link_sends_on_pv),
	KUNIT_CASE(delete_upper_releases_lowers),
	{}
};

static struct kunit_suite duo_netdev_suite = {
	.name = "duonet_netdev",
	.suite_init = duo_fake_suite_init,
	.suite_exit = duo_fake_suite_exit,
	.test_cases = duo_netdev_cases,
};

kunit_test_suites(&duo_netdev_suite);
