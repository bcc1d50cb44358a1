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
#include <linux/if_arp.h>
#include <linux/if_vlan.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <net/ndisc.h>

#include "core/duonet.h"
#include "core/uapi.h"
#include "kunit/fake.h"

static const u8 pair_mac[ETH_ALEN] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

static struct duo_priv *priv_of(struct net_device *upper)
{
	return netdev_priv(upper);
}

/* An open upper with a PV and a VF of the pair's MAC joined: TX on the VF. */
static struct net_device *joined_pair(struct kunit *test,
				      struct net_device **pv,
				      struct net_device **vf)
{
	struct net_device *upper = duo_fake_upper(test);

	*pv = duo_fake_lower(test, pair_mac);
	*vf = duo_fake_lower(test, pair_mac);
	duo_fake_open(test, upper);
	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, *pv, DUO_PATH_PV), 0);
	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, *vf, DUO_PATH_VF), 0);
	KUNIT_ASSERT_PTR_EQ(test, duo_fake_tx(upper), *vf);
	return upper;
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
	/* cloud-init and others map a MAC to the device owning it as PERM. */
	KUNIT_EXPECT_EQ(test, upper->addr_assign_type, NET_ADDR_PERM);
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
 * A PV without a permanent MAC (virtio without the MAC feature) lends its
 * current one: the upper does not call it permanent.
 */
static void upper_over_pv_without_permanent_mac(struct kunit *test)
{
	struct net_device *pv = duo_fake_lower(test, pair_mac), *upper;

	/* register_netdev() made the MAC permanent: undo that. */
	eth_zero_addr(pv->perm_addr);
	rtnl_lock();
	upper = duo_upper_create(&init_net, pv);
	rtnl_unlock();
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, upper);
	duo_fake_own_upper(test, upper);
	KUNIT_EXPECT_TRUE(test, ether_addr_equal(upper->dev_addr, pair_mac));
	KUNIT_EXPECT_EQ(test, upper->addr_assign_type, NET_ADDR_STOLEN);
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
	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, pv, DUO_PATH_PV), 0);
	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, vf, DUO_PATH_VF), 0);
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
	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, vf, DUO_PATH_VF), 0);
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
/*
 * Our own frames flooded back by the host's switch (a frame from the
 * pair's MAC) are dropped and counted on either path; others delivered.
 */
static void own_echo_dropped(struct kunit *test)
{
	static const u8 peer[ETH_ALEN] = { 0x52, 0x54, 0x00, 0xee, 0xee, 0x01 };
	struct net_device *pv, *vf;
	struct net_device *upper = joined_pair(test, &pv, &vf);
	u8 own[ETH_ALEN];

	ether_addr_copy(own, upper->dev_addr);
	duo_fake_receive_from(test, pv, own, 100);
	duo_fake_receive_from(test, vf, own, 100);
	duo_fake_receive_from(test, pv, peer, 100);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "rx_own_echo"), 2);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "pv_rx_packets"), 1);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "vf_rx_packets"), 0);
	/* The upper's MAC changed: the new one is ours, the old one not. */
	own[5] ^= 1;
	KUNIT_ASSERT_EQ(test, duo_fake_set_mac(upper, own), 0);
	duo_fake_receive_from(test, pv, own, 100);
	duo_fake_receive_from(test, pv, pair_mac, 100);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "rx_own_echo"), 3);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "pv_rx_packets"), 2);
}

/*
 * A VF's removal waits for a unicast frame on the PV (core/notify.c): the
 * data path ends the wait at one, and not at a broadcast on the PV nor at
 * a unicast on the VF, which say nothing of where the host sends now.
 */
static void pv_unicast_ends_vf_wait(struct kunit *test)
{
	static const u8 peer[ETH_ALEN] = { 0x52, 0x54, 0x00, 0xee, 0xee, 0x02 };
	struct net_device *pv, *vf;
	struct net_device *upper = joined_pair(test, &pv, &vf);
	struct duo_priv *priv = priv_of(upper);

	WRITE_ONCE(priv->pv_unicast_wait, true);
	duo_fake_receive_frame(test, pv, pv->broadcast, peer, 100);
	duo_fake_receive_from(test, vf, peer, 100);
	KUNIT_EXPECT_TRUE(test, READ_ONCE(priv->pv_unicast_wait));
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "pv_rx_packets"), 1);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "vf_rx_packets"), 1);
	duo_fake_receive_from(test, pv, peer, 100);
	KUNIT_EXPECT_FALSE(test, READ_ONCE(priv->pv_unicast_wait));
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "pv_rx_packets"), 2);
}

/* ---- the reachability check's answers (core/reach.c) ---------------- */

struct reach_arp {
	struct arphdr h;
	u8 sha[ETH_ALEN];
	__be32 sip;
	u8 tha[ETH_ALEN];
	__be32 tip;
} __packed;

struct reach_na {
	struct ipv6hdr ip;
	struct nd_msg nd;
} __packed;

/* A frame as a driver hands it up: data at the network header. */
static bool reach_frame(struct kunit *test, struct net_device *upper,
			u16 proto, u8 pkt_type, bool tagged, const void *l3,
			unsigned int len)
{
	struct duo_priv *priv = priv_of(upper);
	struct sk_buff *skb = alloc_skb(ETH_HLEN + len, GFP_KERNEL);
	u64 before = READ_ONCE(priv->reach.answer_ns);

	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reserve(skb, ETH_HLEN);
	skb_put_data(skb, l3, len);
	skb_reset_network_header(skb);
	skb->protocol = htons(proto);
	skb->pkt_type = pkt_type;
	if (tagged)
		__vlan_hwaccel_put_tag(skb, htons(ETH_P_8021Q), 7);
	rcu_read_lock();
	duo_reach_rx(priv, skb);
	rcu_read_unlock();
	kfree_skb(skb);
	return READ_ONCE(priv->reach.answer_ns) != before;
}

/*
 * What the receive side counts as an answer: an ARP reply addressed to
 * us from a target; a solicited NA for a target with hop limit 255. Not
 * a request, another sender, a frame for another host, a VLAN tag no
 * device took, a truncated or foreign header.
 */
static void reach_answers_recognised(struct kunit *test)
{
	struct net_device *upper = duo_fake_upper(test);
	struct duo_priv *priv = priv_of(upper);
	struct duo_reach_cfg cfg = { .missed = 2 };
	struct reach_arp arp = {
		.h = { htons(ARPHRD_ETHER), htons(ETH_P_IP), ETH_ALEN, 4,
		       htons(ARPOP_REPLY) },
		.sip = htonl(0x0a630001), .tip = htonl(0x0a630002),
	};
	struct reach_na na = { };
	struct reach_arp req, stranger, hln8;
	struct reach_na unsol, hop64, other6, ns;
	u64 answers = 0;

	cfg.ip4[0] = htonl(0x0a630009);
	cfg.ip4[1] = arp.sip;
	cfg.ip6[0].s6_addr[0] = 0xfd;
	cfg.ip6[0].s6_addr[15] = 1;
	rtnl_lock();
	duo_reach_set(priv, &cfg);	/* off (interval 0): targets only */
	rtnl_unlock();
	na.ip.version = 6;
	na.ip.nexthdr = IPPROTO_ICMPV6;
	na.ip.hop_limit = 255;
	na.nd.icmph.icmp6_type = NDISC_NEIGHBOUR_ADVERTISEMENT;
	na.nd.icmph.icmp6_solicited = 1;
	na.nd.target = cfg.ip6[0];

	KUNIT_EXPECT_TRUE(test, reach_frame(test, upper, ETH_P_ARP, PACKET_HOST,
					    false, &arp, sizeof(arp)));
	answers++;
	KUNIT_EXPECT_TRUE(test, reach_frame(test, upper, ETH_P_IPV6, PACKET_HOST,
					    false, &na, sizeof(na)));
	answers++;
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "reach_answers"), answers);

	req = arp;
	req.h.ar_op = htons(ARPOP_REQUEST);
	stranger = arp;
	stranger.sip = htonl(0x0a630003);
	hln8 = arp;
	hln8.h.ar_hln = 8;
	unsol = na;
	unsol.nd.icmph.icmp6_solicited = 0;
	hop64 = na;
	hop64.ip.hop_limit = 64;
	other6 = na;
	other6.nd.target.s6_addr[15] = 2;
	ns = na;
	ns.nd.icmph.icmp6_type = NDISC_NEIGHBOUR_SOLICITATION;
	{
		const struct {
			const char *what;
			u16 proto;
			u8 pkt_type;
			bool tagged;
			const void *l3;
			unsigned int len;
		} no[] = {
			{ "request", ETH_P_ARP, PACKET_HOST, false, &req, sizeof(req) },
			{ "not a target", ETH_P_ARP, PACKET_HOST, false, &stranger,
			  sizeof(stranger) },
			{ "hln 8", ETH_P_ARP, PACKET_HOST, false, &hln8, sizeof(hln8) },
			{ "other host", ETH_P_ARP, PACKET_OTHERHOST, false, &arp,
			  sizeof(arp) },
			{ "tagged", ETH_P_ARP, PACKET_HOST, true, &arp, sizeof(arp) },
			{ "truncated", ETH_P_ARP, PACKET_HOST, false, &arp,
			  sizeof(arp) - 1 },
			{ "not ARP", ETH_P_IP, PACKET_HOST, false, &arp, sizeof(arp) },
			{ "unsolicited NA", ETH_P_IPV6, PACKET_HOST, false, &unsol,
			  sizeof(unsol) },
			{ "hop limit 64", ETH_P_IPV6, PACKET_HOST, false, &hop64,
			  sizeof(hop64) },
			{ "NA not for a target", ETH_P_IPV6, PACKET_HOST, false, &other6,
			  sizeof(other6) },
			{ "NS", ETH_P_IPV6, PACKET_HOST, false, &ns, sizeof(ns) },
			{ "truncated NA", ETH_P_IPV6, PACKET_HOST, false, &na,
			  sizeof(na) - 1 },
		};
		int i;

		for (i = 0; i < ARRAY_SIZE(no); i++)
			KUNIT_EXPECT_FALSE_MSG(test, reach_frame(test, upper, no[i].proto,
								 no[i].pkt_type, no[i].tagged,
								 no[i].l3, no[i].len),
					       "%s", no[i].what);
	}
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "reach_answers"), answers);

	/* Targets gone: the same reply is no answer. */
	memset(cfg.ip4, 0, sizeof(cfg.ip4));
	rtnl_lock();
	duo_reach_set(priv, &cfg);
	rtnl_unlock();
	KUNIT_EXPECT_FALSE_MSG(test, reach_frame(test, upper, ETH_P_ARP, PACKET_HOST,
						 false, &arp, sizeof(arp)), "no IPv4 target");
}

/*
 * The carrier watch (core/notify.c): a carrier loss linkwatch still holds
 * (the bit cleared, no NETDEV_CHANGE yet) is switched on at a reading, and
 * its return too; a lower that is down is not read; a lower opened
 * without link does not take TX for a moment on a carrier it had before.
 */
static void carrier_watch_reads_held_loss(struct kunit *test)
{
	struct net_device *pv, *vf;
	struct net_device *upper = joined_pair(test, &pv, &vf);
	struct duo_priv *priv = priv_of(upper);

	KUNIT_ASSERT_EQ(test, duo_fake_stat(test, upper, "switches_carrier"), 1);

	/* What netif_carrier_off() does before linkwatch's event. */
	set_bit(__LINK_STATE_NOCARRIER, &vf->state);
	rtnl_lock();
	duo_cwatch_poll();
	rtnl_unlock();
	KUNIT_EXPECT_PTR_EQ(test, duo_fake_tx(upper), pv);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "switches_carrier"), 2);
	/* A reading that finds nothing new tells nothing. */
	rtnl_lock();
	duo_cwatch_poll();
	rtnl_unlock();
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "switches_carrier"), 2);

	/* Back before linkwatch saw either change: its qdisc never left. */
	clear_bit(__LINK_STATE_NOCARRIER, &vf->state);
	rtnl_lock();
	duo_cwatch_poll();
	rtnl_unlock();
	KUNIT_EXPECT_PTR_EQ(test, duo_fake_tx(upper), vf);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "switches_carrier"), 3);

	/* Down: left to its own events, its carrier not read. */
	rtnl_lock();
	dev_close(vf);
	rtnl_unlock();
	KUNIT_EXPECT_PTR_EQ(test, duo_fake_tx(upper), pv);
	set_bit(__LINK_STATE_NOCARRIER, &vf->state);
	rtnl_lock();
	duo_cwatch_poll();
	KUNIT_EXPECT_TRUE(test, priv->fo.vf.carrier);

	/* Opened without link: its carrier is read first, TX stays. */
	KUNIT_EXPECT_EQ(test, dev_open(vf, NULL), 0);
	KUNIT_EXPECT_FALSE(test, priv->fo.vf.carrier);
	rtnl_unlock();
	KUNIT_EXPECT_PTR_EQ(test, duo_fake_tx(upper), pv);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "switches_to_vf"), 2);

	/* Its link: back to the VF. */
	netif_carrier_on(vf);
	duo_fake_sync(vf);
	KUNIT_EXPECT_PTR_EQ(test, duo_fake_tx(upper), vf);
}

static void vf_without_link_sends_on_pv(struct kunit *test)
{
	struct net_device *pv, *vf;
	struct net_device *upper = joined_pair(test, &pv, &vf);

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
	/* Nothing can send it: dropped by the upper, and the sender told. */
	KUNIT_EXPECT_EQ(test, duo_fake_send_rc(test, upper, 100), NET_XMIT_DROP);
	KUNIT_EXPECT_EQ(test, duo_fake(vf)->xmit, 0);
	KUNIT_EXPECT_EQ(test, duo_fake(pv)->xmit, 2);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "tx_redirected_to_pv"), 1);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "tx_dropped_no_path"), 1);
}

/*
 * A VF whose driver turned its carrier on but whose queues linkwatch has
 * not given their qdisc yet (noop: drops all) is not a path: TX stays on
 * the PV until linkwatch's NETDEV_CHANGE. RTNL held from the carrier-on
 * to the join keeps linkwatch's work from running in between.
 */
static void vf_link_waits_for_its_qdisc(struct kunit *test)
{
	struct net_device *upper = duo_fake_upper(test);
	struct net_device *pv = duo_fake_lower(test, pair_mac);
	struct net_device *vf = duo_fake_lower(test, pair_mac);
	struct duo_lower *tx;
	int err;

	duo_fake_open(test, upper);
	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, pv, DUO_PATH_PV), 0);
	netif_carrier_off(vf);
	duo_fake_open(test, vf);
	duo_fake_sync(vf);

	rtnl_lock();
	netif_carrier_on(vf);
	err = duo_join(priv_of(upper), vf, DUO_PATH_VF, NULL);
	tx = rtnl_dereference(priv_of(upper)->tx);
	rtnl_unlock();
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_EXPECT_PTR_EQ(test, tx ? tx->dev : NULL, pv);

	/* linkwatch attaches the qdisc, then NETDEV_CHANGE: TX moves. */
	duo_fake_sync(vf);
	KUNIT_EXPECT_PTR_EQ(test, duo_fake_tx(upper), vf);
	duo_fake_send(test, upper, 100);
	KUNIT_EXPECT_EQ(test, duo_fake(vf)->xmit, 1);
	KUNIT_EXPECT_EQ(test, duo_fake(pv)->xmit, 0);
}

/* NETDEV_CHANGEINFODATA events of one upper, and its TX path at each. */
static struct net_device *info_watched;
static unsigned int info_changes;
static struct net_device *info_tx;

/* And its NETDEV_CHANGEADDR events (the neighbours flushed, core/path.c). */
static unsigned int addr_changes;

static int info_event(struct notifier_block *nb, unsigned long event,
		      void *ptr)
{
	struct duo_lower *tx;

	if (netdev_notifier_info_to_dev(ptr) != info_watched)
		return NOTIFY_DONE;
	if (event == NETDEV_CHANGEADDR)
		addr_changes++;
	if (event != NETDEV_CHANGEINFODATA)
		return NOTIFY_DONE;
	info_changes++;
	tx = rtnl_dereference(priv_of(info_watched)->tx);
	info_tx = tx ? tx->dev : NULL;
	return NOTIFY_DONE;
}

static struct notifier_block info_nb = { .notifier_call = info_event };

/*
 * A channel change duonet makes on a lower's behalf gets the checks
 * ethtool's core makes before a driver's set_channels: the VF's own
 * ntuple rule sends to queue 3, so it does not go from 4 channels to 2
 * (refused, counted, the VF untouched); with the rule on queue 1 a change
 * to 3 goes through. (The lab's igb has no ntuple filters; tuning.sh
 * checks the RSS table's rule on it.)
 */
static void channels_keep_lower_ntuple_queue(struct kunit *test)
{
	struct net_device *upper = duo_fake_upper(test);
	struct net_device *vf = duo_fake_alloc(test, pair_mac);
	struct ethtool_channels ch = { .combined_count = 2 };
	struct duo_fake *f = duo_fake(vf);
	int err;

	duo_fake_with_channels(vf, 8, 4);
	f->has_ntuple = true;
	f->ntuple_ring = 3;
	duo_fake_register(test, vf);
	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, vf, DUO_PATH_VF), 0);

	rtnl_lock();
	err = upper->ethtool_ops->set_channels(upper, &ch);
	rtnl_unlock();
	/* Stored on the upper (a VF to come may take it), refused here. */
	KUNIT_EXPECT_EQ(test, err, 0);
	KUNIT_EXPECT_EQ(test, f->set_channels_calls, 0);
	KUNIT_EXPECT_EQ(test, f->ch.combined_count, 4);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "vf_tuning_refused"), 1);

	f->ntuple_ring = 1;
	ch.combined_count = 3;
	rtnl_lock();
	err = upper->ethtool_ops->set_channels(upper, &ch);
	rtnl_unlock();
	KUNIT_EXPECT_EQ(test, err, 0);
	KUNIT_EXPECT_EQ(test, f->set_channels_calls, 1);
	KUNIT_EXPECT_EQ(test, f->ch.combined_count, 3);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "vf_tuning_refused"), 1);
}

static void info_unwatch(void *unused)
{
	unregister_netdevice_notifier(&info_nb);
	info_watched = NULL;
}

static void pv_only(struct net_device *upper, bool on)
{
	rtnl_lock();
	duo_path_event(priv_of(upper), on ? DUO_EV_PV_ONLY_ON : DUO_EV_PV_ONLY_OFF);
	rtnl_unlock();
}

/*
 * Each switch, and only a switch, tells rtnetlink (RTM_NEWLINK: ip monitor,
 * duoctl monitor and wait), after the new path is published.
 */
static void switch_tells_rtnetlink(struct kunit *test)
{
	struct net_device *upper = duo_fake_upper(test);
	struct net_device *pv = duo_fake_lower(test, pair_mac);
	struct net_device *vf = duo_fake_lower(test, pair_mac);

	info_watched = upper;
	info_changes = 0;
	addr_changes = 0;
	KUNIT_ASSERT_EQ(test, register_netdevice_notifier(&info_nb), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, info_unwatch, NULL), 0);

	duo_fake_open(test, upper);
	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, pv, DUO_PATH_PV), 0);
	KUNIT_EXPECT_EQ(test, info_changes, 1U);	/* none -> pv */
	KUNIT_EXPECT_PTR_EQ(test, info_tx, pv);
	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, vf, DUO_PATH_VF), 0);
	KUNIT_EXPECT_EQ(test, info_changes, 2U);	/* pv -> vf */
	KUNIT_EXPECT_PTR_EQ(test, info_tx, vf);

	pv_only(upper, true);
	KUNIT_EXPECT_EQ(test, info_changes, 3U);
	KUNIT_EXPECT_PTR_EQ(test, info_tx, pv);
	/* Events that move nothing say nothing. */
	pv_only(upper, true);
	rtnl_lock();
	duo_path_event(priv_of(upper), DUO_EV_TIMER);
	rtnl_unlock();
	KUNIT_EXPECT_EQ(test, info_changes, 3U);
	pv_only(upper, false);
	KUNIT_EXPECT_EQ(test, info_changes, 4U);
	KUNIT_EXPECT_PTR_EQ(test, info_tx, vf);
	/* One MAC for both paths: only the first lower gave it one. */
	KUNIT_EXPECT_EQ(test, addr_changes, 1U);
}

static bool has_addr(const struct net_device *dev, const u8 *addr)
{
	return ether_addr_equal(dev->dev_addr, addr);
}

/*
 * A pair with two MACs (pair=, core/pairs.c): refused until listed; then
 * each lower keeps its own MAC and the upper takes the TX path's at each
 * switch, telling NETDEV_CHANGEADDR (which flushes the neighbours); a MAC
 * set on the upper is refused, unless it is the one it has; a frame from
 * our MAC leaves a lower with that lower's; a frame from either lower's
 * MAC is our own echo. A
 * same-MAC pair (switch_tells_rtnetlink) changes no address.
 */
static void two_macs_follow_tx(struct kunit *test)
{
	static const u8 vf_mac[ETH_ALEN] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x57 };
	static const u8 peer[ETH_ALEN] = { 0x52, 0x54, 0x00, 0xee, 0xee, 0x02 };
	static const char pairs[] =
		"52:54:00:12:34:99/52:54:00:12:34:98,52:54:00:12:34:57/52:54:00:12:34:56";
	struct net_device *upper = duo_fake_upper(test);
	struct net_device *pv = duo_fake_lower(test, pair_mac);
	struct net_device *vf = duo_fake_lower(test, vf_mac);
	struct duo_priv *priv = priv_of(upper);
	struct sockaddr sa = { .sa_family = ARPHRD_ETHER };
	int err;

	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, duo_fake_clear_pairs, NULL), 0);
	info_watched = upper;
	addr_changes = 0;
	KUNIT_ASSERT_EQ(test, register_netdevice_notifier(&info_nb), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, info_unwatch, NULL), 0);

	duo_fake_open(test, upper);
	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, pv, DUO_PATH_PV), 0);
	/* The PV gave the upper (a random MAC) its own. */
	KUNIT_EXPECT_EQ(test, addr_changes, 1U);
	addr_changes = 0;
	KUNIT_EXPECT_EQ(test, duo_fake_join(upper, vf, DUO_PATH_VF), -EINVAL);
	KUNIT_EXPECT_FALSE(test, priv->mac_follow);
	/* Listed either way round, among others. */
	KUNIT_ASSERT_EQ(test, duo_pairs_set(pairs), 0);
	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, vf, DUO_PATH_VF), 0);
	KUNIT_EXPECT_TRUE(test, priv->mac_follow);
	KUNIT_ASSERT_PTR_EQ(test, duo_fake_tx(upper), vf);
	KUNIT_EXPECT_TRUE(test, has_addr(vf, vf_mac));
	KUNIT_EXPECT_EQ(test, duo_fake(vf)->addr_calls, 0U);
	KUNIT_EXPECT_TRUE(test, has_addr(pv, pair_mac));
	KUNIT_EXPECT_TRUE(test, has_addr(upper, vf_mac));
	KUNIT_EXPECT_EQ(test, addr_changes, 1U);

	pv_only(upper, true);
	KUNIT_ASSERT_PTR_EQ(test, duo_fake_tx(upper), pv);
	KUNIT_EXPECT_TRUE(test, has_addr(upper, pair_mac));
	KUNIT_EXPECT_EQ(test, addr_changes, 2U);
	pv_only(upper, false);
	KUNIT_ASSERT_PTR_EQ(test, duo_fake_tx(upper), vf);
	KUNIT_EXPECT_TRUE(test, has_addr(upper, vf_mac));
	KUNIT_EXPECT_EQ(test, addr_changes, 3U);
	KUNIT_EXPECT_TRUE(test, has_addr(pv, pair_mac));
	KUNIT_EXPECT_TRUE(test, has_addr(vf, vf_mac));

	/*
	 * The user's MAC: refused, the lowers untouched; its own is a no-op
	 * (the ndo itself: 6.12's core does not call it for the same MAC).
	 */
	memcpy(sa.sa_data, peer, ETH_ALEN);
	rtnl_lock();
	err = upper->netdev_ops->ndo_set_mac_address(upper, &sa);
	rtnl_unlock();
	KUNIT_EXPECT_EQ(test, err, -EBUSY);
	KUNIT_EXPECT_TRUE(test, has_addr(upper, vf_mac));
	KUNIT_EXPECT_EQ(test, duo_fake(pv)->addr_calls, 0U);
	memcpy(sa.sa_data, vf_mac, ETH_ALEN);
	rtnl_lock();
	err = upper->netdev_ops->ndo_set_mac_address(upper, &sa);
	rtnl_unlock();
	KUNIT_EXPECT_EQ(test, err, 0);

	/*
	 * A frame from our MAC leaves each lower with that lower's: one
	 * built with the PV's (before the switch) goes out of the VF with
	 * the VF's; another MAC (a bridge on duo0) goes as it is.
	 */
	KUNIT_EXPECT_EQ(test, duo_fake_send_from(test, upper, pair_mac, 100),
			NET_XMIT_SUCCESS);
	KUNIT_EXPECT_TRUE(test, ether_addr_equal(duo_fake(vf)->xmit_src, vf_mac));
	KUNIT_EXPECT_EQ(test, duo_fake_send_from(test, upper, peer, 100),
			NET_XMIT_SUCCESS);
	KUNIT_EXPECT_TRUE(test, ether_addr_equal(duo_fake(vf)->xmit_src, peer));
	pv_only(upper, true);
	KUNIT_EXPECT_EQ(test, duo_fake_send_from(test, upper, vf_mac, 100),
			NET_XMIT_SUCCESS);
	KUNIT_EXPECT_TRUE(test, ether_addr_equal(duo_fake(pv)->xmit_src, pair_mac));
	pv_only(upper, false);

	/* The PV's MAC came back on the VF, the VF's on the PV: echoes. */
	duo_fake_receive_from(test, vf, pair_mac, 100);
	duo_fake_receive_from(test, pv, vf_mac, 100);
	duo_fake_receive_from(test, pv, peer, 100);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "rx_own_echo"), 2);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "pv_rx_packets"), 1);

	/* Gone and back: the VF keeps its MAC, the upper takes it again. */
	duo_fake_unregister(test, vf);
	KUNIT_EXPECT_TRUE(test, has_addr(upper, pair_mac));
	vf = duo_fake_lower(test, vf_mac);
	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, vf, DUO_PATH_VF), 0);
	KUNIT_EXPECT_TRUE(test, has_addr(vf, vf_mac));
	KUNIT_EXPECT_TRUE(test, has_addr(upper, vf_mac));

	/* The TX lower's own MAC changed (by its PF, say): followed. */
	KUNIT_ASSERT_EQ(test, duo_fake_set_mac(vf, peer), 0);
	KUNIT_EXPECT_TRUE(test, has_addr(upper, peer));
}

/*
 * A pair with two MACs formed over a PV that took the upper's MAC (one the
 * user set): the PV gets its own back and the upper takes the TX path's
 * at once, also with no switch (pv-only). Refused, the PV untouched,
 * while the reachability check has an IPv6 target (no IPv6 probe can be
 * answered on such a VF alone), and when the VF's claim fails.
 */
static void two_macs_give_own_back(struct kunit *test)
{
	static const u8 vf_mac[ETH_ALEN] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x57 };
	static const u8 set[ETH_ALEN] = { 0x52, 0x54, 0x00, 0xee, 0xee, 0x03 };
	struct net_device *upper = duo_fake_upper(test);
	struct net_device *pv = duo_fake_lower(test, pair_mac);
	struct net_device *vf = duo_fake_lower(test, vf_mac);
	struct duo_reach_cfg cfg = {};
	struct netlink_ext_ack ext = {};
	int err;

	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, duo_fake_clear_pairs, NULL), 0);
	duo_fake_open(test, upper);
	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, pv, DUO_PATH_PV), 0);
	KUNIT_ASSERT_EQ(test, duo_fake_set_mac(upper, set), 0);
	KUNIT_ASSERT_TRUE(test, has_addr(pv, set));
	pv_only(upper, true);
	KUNIT_ASSERT_EQ(test, duo_pairs_set("52:54:00:12:34:56/52:54:00:12:34:57"), 0);

	cfg.ip6[0].s6_addr[0] = 0xfd;
	cfg.ip6[0].s6_addr[15] = 1;
	rtnl_lock();
	duo_reach_set(priv_of(upper), &cfg);
	err = duo_join(priv_of(upper), vf, DUO_PATH_VF, &ext);
	rtnl_unlock();
	KUNIT_EXPECT_EQ(test, err, -EINVAL);
	KUNIT_EXPECT_NOT_NULL(test, ext._msg);
	if (ext._msg)
		KUNIT_EXPECT_NOT_NULL(test, strstr(ext._msg, "IPv6 reachability targets"));
	KUNIT_EXPECT_TRUE(test, has_addr(pv, set));
	KUNIT_EXPECT_FALSE(test, priv_of(upper)->mac_follow);

	memset(&cfg, 0, sizeof(cfg));
	rtnl_lock();
	duo_reach_set(priv_of(upper), &cfg);
	rtnl_unlock();
	/* The VF's claim refused (its MTU): nothing changed. */
	rtnl_lock();
	WRITE_ONCE(vf->mtu, 1400);
	rtnl_unlock();
	duo_fake(vf)->mtu_err = -EIO;
	KUNIT_EXPECT_EQ(test, duo_fake_join(upper, vf, DUO_PATH_VF), -EIO);
	KUNIT_EXPECT_TRUE(test, has_addr(pv, set));
	KUNIT_EXPECT_TRUE(test, has_addr(upper, set));
	KUNIT_EXPECT_FALSE(test, priv_of(upper)->mac_follow);
	duo_fake(vf)->mtu_err = 0;
	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, vf, DUO_PATH_VF), 0);
	KUNIT_EXPECT_PTR_EQ(test, duo_fake_tx(upper), pv);
	KUNIT_EXPECT_TRUE(test, has_addr(pv, pair_mac));
	KUNIT_EXPECT_TRUE(test, has_addr(vf, vf_mac));
	KUNIT_EXPECT_TRUE(test, has_addr(upper, pair_mac));
	pv_only(upper, false);
	KUNIT_EXPECT_TRUE(test, has_addr(upper, vf_mac));
	KUNIT_EXPECT_TRUE(test, has_addr(pv, pair_mac));
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
	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, pv, DUO_PATH_PV), 0);
	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, vf, DUO_PATH_VF), 0);
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

/*
 * What duonet writes into buffers userspace reads back (ethtool -S names
 * and values, priv flag names, IFLA_INFO_DATA and IFLA_INFO_SLAVE_DATA)
 * is written in full: each buffer is poisoned first, and no poison may
 * be left in what is handed out nor written past it. Netlink attributes
 * are checked one by one: known type, once, the payload length of its
 * type, zero padding, the value the device has. Without KMSAN this is
 * how a dump is shown not to leak stale bytes.
 */
#define POISON_BYTE 0xa5
#define POISON_U64 0xa5a5a5a5a5a5a5a5ULL

static void expect_strings(struct kunit *test, struct net_device *upper,
			   u32 sset)
{
	const struct ethtool_ops *ops = upper->ethtool_ops;
	int n = ops->get_sset_count(upper, sset), i, j;
	u8 *buf;

	KUNIT_ASSERT_GT(test, n, 0);
	buf = kunit_kmalloc(test, (n + 1) * ETH_GSTRING_LEN, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	memset(buf, POISON_BYTE, (n + 1) * ETH_GSTRING_LEN);
	ops->get_strings(upper, sset, buf);
	for (i = 0; i < n; i++) {
		const u8 *s = buf + i * ETH_GSTRING_LEN;
		size_t len = strnlen(s, ETH_GSTRING_LEN);

		KUNIT_EXPECT_GT_MSG(test, len, 0, "set %u string %d empty", sset, i);
		KUNIT_EXPECT_LT_MSG(test, len, ETH_GSTRING_LEN,
				    "set %u string %d not terminated", sset, i);
		for (j = len; j < ETH_GSTRING_LEN; j++)
			KUNIT_EXPECT_EQ_MSG(test, s[j], 0, "set %u string %d byte %d",
					    sset, i, j);
		for (j = 0; j < i; j++)
			KUNIT_EXPECT_NE_MSG(test, strncmp(s, buf + j * ETH_GSTRING_LEN,
							  ETH_GSTRING_LEN), 0,
					    "set %u: %s twice", sset, s);
	}
	for (j = 0; j < ETH_GSTRING_LEN; j++)
		KUNIT_EXPECT_EQ_MSG(test, buf[n * ETH_GSTRING_LEN + j], POISON_BYTE,
				    "set %u written past its %d strings", sset, n);
}

static void expect_stats(struct kunit *test, struct net_device *upper)
{
	const struct ethtool_ops *ops = upper->ethtool_ops;
	int n = ops->get_sset_count(upper, ETH_SS_STATS), i;
	struct ethtool_stats st = { .n_stats = n };
	u64 *vals;

	vals = kunit_kmalloc_array(test, n + 1, sizeof(*vals), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, vals);
	memset(vals, POISON_BYTE, (n + 1) * sizeof(*vals));
	rtnl_lock();
	ops->get_ethtool_stats(upper, &st, vals);
	rtnl_unlock();
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_NE_MSG(test, vals[i], POISON_U64, "stat %d not written", i);
	KUNIT_EXPECT_EQ_MSG(test, vals[n], POISON_U64, "written past %d stats", n);
}

/* One expected attribute: its payload length and value. */
struct attr_want {
	int len;
	u64 val;
	bool seen;
	const void *bytes;	/* the payload, when longer than val */
};

/*
 * fill (fill_info or fill_slave_info) into an skb with exactly size
 * bytes of room, poisoned; every attribute must be one of want[].
 */
static void expect_attrs(struct kunit *test, const char *what,
			 int (*fill)(struct sk_buff *skb, struct net_device *upper,
				     struct net_device *lower),
			 struct net_device *upper, struct net_device *lower,
			 size_t size, struct attr_want *want, int maxtype, int pad)
{
	struct sk_buff *skb = alloc_skb(size, GFP_KERNEL);
	const struct nlattr *nla;
	int rem, i, err;

	KUNIT_ASSERT_NOT_NULL(test, skb);
	memset(skb->data, POISON_BYTE, skb_tailroom(skb));
	rtnl_lock();
	err = fill(skb, upper, lower);
	rtnl_unlock();
	/* The size estimate holds: a dump never fails with -EMSGSIZE. */
	KUNIT_EXPECT_EQ_MSG(test, err, 0, "%s into its get_size", what);
	KUNIT_EXPECT_LE(test, skb->len, size);
	nla_for_each_attr(nla, (const struct nlattr *)skb->data, skb->len, rem) {
		int type = nla_type(nla), plen = nla_len(nla);
		const u8 *b = (const u8 *)nla;
		u64 v = 0;

		if (type == pad)
			continue;
		KUNIT_ASSERT_TRUE_MSG(test, type > 0 && type <= maxtype && want[type].len,
				      "%s: unexpected attribute %d", what, type);
		KUNIT_EXPECT_FALSE_MSG(test, want[type].seen, "%s: %d twice", what, type);
		want[type].seen = true;
		KUNIT_ASSERT_EQ_MSG(test, plen, want[type].len, "%s: attribute %d", what, type);
		for (i = nla->nla_len; i < NLA_ALIGN(nla->nla_len); i++)
			KUNIT_EXPECT_EQ_MSG(test, b[i], 0, "%s: attribute %d padding", what, type);
		if (want[type].bytes) {
			KUNIT_EXPECT_MEMEQ_MSG(test, nla_data(nla), want[type].bytes, plen,
					       "%s: attribute %d", what, type);
			continue;
		}
		memcpy(&v, nla_data(nla), plen);
		KUNIT_EXPECT_EQ_MSG(test, v, want[type].val, "%s: attribute %d", what, type);
	}
	KUNIT_EXPECT_EQ_MSG(test, rem, 0, "%s: a truncated attribute", what);
	for (i = 1; i <= maxtype; i++)
		KUNIT_EXPECT_TRUE_MSG(test, !want[i].len || want[i].seen,
				      "%s: attribute %d missing", what, i);
	kfree_skb(skb);
}

static int fill_info(struct sk_buff *skb, struct net_device *upper,
		     struct net_device *lower)
{
	return duo_link_ops.fill_info(skb, upper);
}

static int fill_slave_info(struct sk_buff *skb, struct net_device *upper,
			   struct net_device *lower)
{
	return duo_link_ops.fill_slave_info(skb, upper, lower);
}

static void dumps_fully_written(struct kunit *test)
{
	struct net_device *upper = duo_fake_upper(test);
	struct net_device *pv = duo_fake_lower(test, pair_mac);
	struct net_device *vf = duo_fake_lower(test, pair_mac);
	struct duo_priv *priv = priv_of(upper);
	struct attr_want info[IFLA_DUONET_MAX + 1] = { };
	struct attr_want slave[IFLA_DUONET_LOWER_MAX + 1] = { };
	const struct duo_fo_config *cfg = &priv->fo.cfg;
	/* One target of each family (the check off): the nests as dumped. */
	struct duo_reach_cfg reach = { .missed = 7 };
	struct {
		struct nlattr h;
		__be32 a;
	} ip4 = { { 8, IFLA_DUONET_REACH_TARGET }, htonl(0x0a630001) };
	struct {
		struct nlattr h;
		struct in6_addr a;
	} ip6 = { { 20, IFLA_DUONET_REACH_TARGET } };

	duo_fake_open(test, upper);
	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, pv, DUO_PATH_PV), 0);
	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, vf, DUO_PATH_VF), 0);
	KUNIT_ASSERT_PTR_EQ(test, duo_fake_tx(upper), vf);
	duo_fake_send(test, upper, 100);
	ip6.a.s6_addr[0] = 0xfd;
	ip6.a.s6_addr[15] = 1;
	reach.ip4[0] = ip4.a;
	reach.ip6[0] = ip6.a;
	rtnl_lock();
	duo_reach_set(priv, &reach);
	rtnl_unlock();

	expect_strings(test, upper, ETH_SS_STATS);
	expect_strings(test, upper, ETH_SS_PRIV_FLAGS);
	expect_stats(test, upper);

	info[IFLA_DUONET_VF_IFINDEX] = (struct attr_want){ 4, vf->ifindex };
	info[IFLA_DUONET_PV_IFINDEX] = (struct attr_want){ 4, pv->ifindex };
	info[IFLA_DUONET_HINT_MASK] = (struct attr_want){ 4, 0 };
	info[IFLA_DUONET_ADAPTIVE_LOW_PPS] = (struct attr_want){ 4, cfg->adapt_low_pps };
	info[IFLA_DUONET_ADAPTIVE_HIGH_PPS] = (struct attr_want){ 4, cfg->adapt_high_pps };
	info[IFLA_DUONET_ADAPTIVE_DWELL_MS] =
		(struct attr_want){ 4, div_u64(cfg->adapt_dwell_ns, NSEC_PER_MSEC) };
	info[IFLA_DUONET_ADAPTIVE] = (struct attr_want){ 1, 0 };
	info[IFLA_DUONET_ANNOUNCE_COUNT] = (struct attr_want){ 4, priv->announce.count };
	info[IFLA_DUONET_ANNOUNCE_INTERVAL_MS] =
		(struct attr_want){ 4, priv->announce.interval_ms };
	info[IFLA_DUONET_FAILBACK_DELAY_MS] =
		(struct attr_want){ 4, div_u64(cfg->failback_delay_ns, NSEC_PER_MSEC) };
	info[IFLA_DUONET_DAMP_FLAPS] = (struct attr_want){ 4, cfg->damp_flaps };
	info[IFLA_DUONET_DAMP_WINDOW_MS] =
		(struct attr_want){ 4, div_u64(cfg->damp_window_ns, NSEC_PER_MSEC) };
	info[IFLA_DUONET_DAMP_HOLD_MS] =
		(struct attr_want){ 4, div_u64(cfg->damp_hold_ns, NSEC_PER_MSEC) };
	info[IFLA_DUONET_ACTIVE_PATH] = (struct attr_want){ 1, DUO_UAPI_PATH_VF };
	info[IFLA_DUONET_PV_ONLY] = (struct attr_want){ 1, 0 };
	info[IFLA_DUONET_SWITCHES_TO_VF] = (struct attr_want){ 8, priv->fo.switches_to_vf };
	info[IFLA_DUONET_SWITCHES_TO_PV] = (struct attr_want){ 8, priv->fo.switches_to_pv };
	info[IFLA_DUONET_LAST_SWITCH_USECS] =
		(struct attr_want){ 8, READ_ONCE(priv->last_switch_usecs) };
	info[IFLA_DUONET_REACH_INTERVAL_MS] = (struct attr_want){ 4, 0 };
	info[IFLA_DUONET_REACH_MISSED] = (struct attr_want){ 4, 7 };
	info[IFLA_DUONET_VF_REACHABLE] = (struct attr_want){ 1, 0 };
	info[IFLA_DUONET_REACH_IP4] = (struct attr_want){ sizeof(ip4), .bytes = &ip4 };
	info[IFLA_DUONET_REACH_IP6] = (struct attr_want){ sizeof(ip6), .bytes = &ip6 };
	expect_attrs(test, "fill_info", fill_info, upper, NULL,
		     duo_link_ops.get_size(upper), info, IFLA_DUONET_MAX, IFLA_DUONET_PAD);

	slave[IFLA_DUONET_LOWER_ROLE] = (struct attr_want){ 1, DUO_UAPI_PATH_VF };
	slave[IFLA_DUONET_LOWER_ACTIVE] = (struct attr_want){ 1, 1 };
	expect_attrs(test, "fill_slave_info vf", fill_slave_info, upper, vf,
		     duo_link_ops.get_slave_size(upper, vf), slave,
		     IFLA_DUONET_LOWER_MAX, -1);
	memset(slave, 0, sizeof(slave));
	slave[IFLA_DUONET_LOWER_ROLE] = (struct attr_want){ 1, DUO_UAPI_PATH_PV };
	slave[IFLA_DUONET_LOWER_ACTIVE] = (struct attr_want){ 1, 0 };
	expect_attrs(test, "fill_slave_info pv", fill_slave_info, upper, pv,
		     duo_link_ops.get_slave_size(upper, pv), slave,
		     IFLA_DUONET_LOWER_MAX, -1);
}

static struct kunit_case duo_netdev_cases[] = {
	KUNIT_CASE(upper_over_pv),
	KUNIT_CASE(upper_over_pv_without_permanent_mac),
	KUNIT_CASE(vf_leaves_and_returns),
	KUNIT_CASE(vf_without_link_sends_on_pv),
	KUNIT_CASE(carrier_watch_reads_held_loss),
	KUNIT_CASE(vf_link_waits_for_its_qdisc),
	KUNIT_CASE(switch_tells_rtnetlink),
	KUNIT_CASE(two_macs_follow_tx),
	KUNIT_CASE(two_macs_give_own_back),
	KUNIT_CASE(channels_keep_lower_ntuple_queue),
	KUNIT_CASE(own_echo_dropped),
	KUNIT_CASE(pv_unicast_ends_vf_wait),
	KUNIT_CASE(reach_answers_recognised),
	KUNIT_CASE(delete_upper_releases_lowers),
	KUNIT_CASE(dumps_fully_written),
	{}
};

static struct kunit_suite duo_netdev_suite = {
	.name = "duonet_netdev",
	.suite_init = duo_fake_suite_init,
	.suite_exit = duo_fake_suite_exit,
	.test_cases = duo_netdev_cases,
};

kunit_test_suites(&duo_netdev_suite);
