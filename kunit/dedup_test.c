// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite duonet_dedup: a flooded frame reaches the stack once
 * (core/dedup.c).
 *
 *  pairing   duo_dedup_seen(): the other path's copy within the window is
 *            dropped, in either order; the same frame again on the same
 *            path is a frame of its own, and so is each of its copies; a
 *            copy later than the window, a frame seen once, and every frame
 *            of a host that delivers on one path only are delivered.
 *  keys      duo_dedup_key(): an ARP request, an IPv4 and an IPv6 packet
 *            padded to 60 bytes by a NIC have the key of the same frame
 *            unpadded; a frame differing in one byte, or in its VLAN tag,
 *            does not.
 */
#include <kunit/test.h>
#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/if_vlan.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/skbuff.h>
#include <net/ipv6.h>

#include "core/duonet.h"

#define VF	DUO_PATH_VF
#define PV	DUO_PATH_PV
#define MS	NSEC_PER_MSEC
#define T0	(1000 * MS)

static struct duo_dedup *new_dedup(struct kunit *test)
{
	struct duo_dedup *d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, d);
	duo_dedup_init(d);
	return d;
}

static void flooded_pair_either_order(struct kunit *test)
{
	struct duo_dedup *d = new_dedup(test);

	KUNIT_EXPECT_FALSE(test, duo_dedup_seen(d, 1, VF, T0));
	KUNIT_EXPECT_TRUE(test, duo_dedup_seen(d, 1, PV, T0 + 1 * MS));
	KUNIT_EXPECT_FALSE(test, duo_dedup_seen(d, 2, PV, T0));
	KUNIT_EXPECT_TRUE(test, duo_dedup_seen(d, 2, VF, T0 + 19 * MS));
	/* A third copy is a frame again: nothing left to pair it with. */
	KUNIT_EXPECT_FALSE(test, duo_dedup_seen(d, 2, VF, T0 + 20 * MS));
}

static void repeats_each_delivered_once(struct kunit *test)
{
	struct duo_dedup *d = new_dedup(test);

	/* A sender's frame twice, flooded: A A B B and A B A B. */
	KUNIT_EXPECT_FALSE(test, duo_dedup_seen(d, 7, VF, T0));
	KUNIT_EXPECT_FALSE(test, duo_dedup_seen(d, 7, VF, T0 + 1 * MS));
	KUNIT_EXPECT_TRUE(test, duo_dedup_seen(d, 7, PV, T0 + 2 * MS));
	KUNIT_EXPECT_TRUE(test, duo_dedup_seen(d, 7, PV, T0 + 3 * MS));
	KUNIT_EXPECT_FALSE(test, duo_dedup_seen(d, 7, PV, T0 + 10 * MS));
	KUNIT_EXPECT_TRUE(test, duo_dedup_seen(d, 7, VF, T0 + 11 * MS));
	KUNIT_EXPECT_FALSE(test, duo_dedup_seen(d, 7, VF, T0 + 12 * MS));
	KUNIT_EXPECT_TRUE(test, duo_dedup_seen(d, 7, PV, T0 + 13 * MS));
}

static void one_path_host_loses_nothing(struct kunit *test)
{
	struct duo_dedup *d = new_dedup(test);
	int i;

	/* netvsc's host: every copy on one path, identical or not. */
	for (i = 0; i < 300; i++)
		KUNIT_EXPECT_FALSE(test, duo_dedup_seen(d, i % 3, PV, T0 + i * 1000));
}

static void late_copy_and_window(struct kunit *test)
{
	struct duo_dedup *d = new_dedup(test);

	/* A frame, and the same frame on the other path past the window
	 * (a retransmit a host split from the first): both delivered.
	 */
	KUNIT_EXPECT_FALSE(test, duo_dedup_seen(d, 5, VF, T0));
	KUNIT_EXPECT_FALSE(test, duo_dedup_seen(d, 5, PV, T0 + DUO_DEDUP_WINDOW_NS));
	/* The window runs from the last copy delivered on that path. */
	KUNIT_EXPECT_FALSE(test, duo_dedup_seen(d, 5, PV, T0 + DUO_DEDUP_WINDOW_NS + 15 * MS));
	KUNIT_EXPECT_TRUE(test, duo_dedup_seen(d, 5, VF, T0 + DUO_DEDUP_WINDOW_NS + 30 * MS));
	/* A slot reused by another frame forgets the first: fails open. */
	KUNIT_EXPECT_FALSE(test, duo_dedup_seen(d, 9, VF, T0 + 200 * MS));
	KUNIT_EXPECT_FALSE(test, duo_dedup_seen(d, 9 + DUO_DEDUP_SLOTS, VF, T0 + 201 * MS));
	KUNIT_EXPECT_FALSE(test, duo_dedup_seen(d, 9, PV, T0 + 202 * MS));
}

static const u8 peer[ETH_ALEN] = { 0x52, 0x54, 0x00, 0x00, 0x00, 0x01 };

/* A received frame as a lower hands it to the rx handler, padded to pad. */
static struct sk_buff *frame(struct kunit *test, __be16 proto,
			     const void *l3, unsigned int len, unsigned int pad)
{
	struct sk_buff *skb = alloc_skb(ETH_HLEN + max(len, pad) + NET_IP_ALIGN,
					GFP_KERNEL);
	struct ethhdr *eth;

	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reserve(skb, NET_IP_ALIGN);
	eth = skb_put(skb, ETH_HLEN);
	eth_broadcast_addr(eth->h_dest);
	ether_addr_copy(eth->h_source, peer);
	eth->h_proto = proto;
	skb_put_data(skb, l3, len);
	if (pad > len)
		skb_put_zero(skb, pad - len);
	skb_reset_mac_header(skb);
	skb_pull(skb, ETH_HLEN);
	skb->protocol = proto;
	return skb;
}

/* The keys of a frame unpadded and padded to 46 bytes after Ethernet. */
static void expect_padding_ignored(struct kunit *test, struct duo_dedup *d,
				   __be16 proto, const void *l3, unsigned int len)
{
	struct sk_buff *a = frame(test, proto, l3, len, 0);
	struct sk_buff *b = frame(test, proto, l3, len, ETH_ZLEN - ETH_HLEN);

	KUNIT_EXPECT_NE(test, a->len, b->len);
	KUNIT_EXPECT_EQ(test, duo_dedup_key(d, a), duo_dedup_key(d, b));
	kfree_skb(a);
	kfree_skb(b);
}

static void keys_ignore_padding(struct kunit *test)
{
	struct duo_dedup *d = new_dedup(test);
	struct {
		struct arphdr h;
		u8 sha[ETH_ALEN];
		__be32 sip;
		u8 tha[ETH_ALEN];
		__be32 tip;
	} __packed arp = {
		.h = { htons(ARPHRD_ETHER), htons(ETH_P_IP), ETH_ALEN, 4,
		       htons(ARPOP_REQUEST) },
		.sip = htonl(0x0a630001), .tip = htonl(0x0a630002),
	};
	struct { struct iphdr h; u8 udp[8]; } ip4 = {
		.h = { .ihl = 5, .version = 4, .tot_len = htons(28),
		       .ttl = 1, .protocol = IPPROTO_UDP },
	};
	struct { struct ipv6hdr h; } ip6 = {
		.h = { .version = 6, .payload_len = 0, .nexthdr = NEXTHDR_NONE },
	};

	ether_addr_copy(arp.sha, peer);
	KUNIT_ASSERT_EQ(test, sizeof(arp), 28);
	expect_padding_ignored(test, d, htons(ETH_P_ARP), &arp, sizeof(arp));
	expect_padding_ignored(test, d, htons(ETH_P_IP), &ip4, sizeof(ip4));
	expect_padding_ignored(test, d, htons(ETH_P_IPV6), &ip6, sizeof(ip6));
}

static void keys_tell_frames_apart(struct kunit *test)
{
	struct duo_dedup *d = new_dedup(test);
	u8 l3[28] = { 0, 1, 8, 0, 6, 4, 0, 1 };
	struct sk_buff *a = frame(test, htons(ETH_P_ARP), l3, sizeof(l3), 0);
	struct sk_buff *b, *c;
	u64 ka = duo_dedup_key(d, a);

	l3[27] = 3;	/* another target address */
	b = frame(test, htons(ETH_P_ARP), l3, sizeof(l3), 0);
	KUNIT_EXPECT_NE(test, ka, duo_dedup_key(d, b));
	l3[27] = 0;
	c = frame(test, htons(ETH_P_ARP), l3, sizeof(l3), 0);
	KUNIT_EXPECT_EQ(test, ka, duo_dedup_key(d, c));
	__vlan_hwaccel_put_tag(c, htons(ETH_P_8021Q), 10);
	KUNIT_EXPECT_NE(test, ka, duo_dedup_key(d, c));
	kfree_skb(a);
	kfree_skb(b);
	kfree_skb(c);
}

static struct kunit_case duo_dedup_cases[] = {
	KUNIT_CASE(flooded_pair_either_order),
	KUNIT_CASE(repeats_each_delivered_once),
	KUNIT_CASE(one_path_host_loses_nothing),
	KUNIT_CASE(late_copy_and_window),
	KUNIT_CASE(keys_ignore_padding),
	KUNIT_CASE(keys_tell_frames_apart),
	{}
};

static struct kunit_suite duo_dedup_suite = {
	.name = "duonet_dedup",
	.test_cases = duo_dedup_cases,
};

kunit_test_suites(&duo_dedup_suite);
