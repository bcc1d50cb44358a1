// SPDX-License-Identifier: GPL-2.0
/*
 * Exactly-once receive of frames a host floods to both paths.
 *
 * A host whose VF shares a physical port with the PV's vswitch can deliver
 * each broadcast and multicast frame twice, once per path (the embedded
 * switch and the vswitch each flood it); another host delivers them on one
 * path only (netvsc's), or each on one path or the other (a bridge over
 * both taps). Which one a host is cannot be known in advance and may change
 * at a migration, so duonet learns nothing about the host: it pairs copies.
 *
 * The rule: a broadcast or multicast frame from one path is dropped only
 * when a byte-identical frame from the other path was delivered less than
 * DUO_DEDUP_WINDOW_NS ago and has not yet been paired with a copy. So the
 * first copy of every frame always reaches the stack, whichever path it
 * comes on; a host that delivers on one path only never has a frame dropped
 * (copies are only ever paired across paths); and a host that floods both
 * has each second copy dropped as long as the two copies arrive within the
 * window of each other. An ARP request is lost only if the same requester
 * sends a byte-identical request within the window on the other path; ARP
 * retransmits are a second apart (neigh retrans_time), 50 times the window.
 * What the window misses (copies further apart, a table slot reused: 256
 * slots, so beyond about 12,000 distinct multicast frames a second) is
 * delivered twice, as before: the rule fails open, never closed. Copies
 * are paired under one of 16 locks, by slot, and only broadcast and
 * multicast frames pay for the hash and the lock. A lower's native XDP
 * program runs before this, in the driver, and sees both copies.
 *
 * Unicast frames are not paired: a switch floods unicast only for a MAC it
 * has not learnt, and duonet's announcements teach it; paying a hash per
 * unicast frame on the fast path would cost every packet.
 *
 * Byte-identical means: the Ethernet header, the VLAN tag (the core has
 * taken in-band tags out before the rx handler), the network-layer length
 * and its first DUO_DEDUP_BYTES (128) bytes, which hold the checksums of
 * UDP, ICMP and ICMPv6 behind IP options too, and where a UDP checksum is
 * 0 (VXLAN, GRE) the inner headers with theirs. The network-layer length
 * is the protocol's own for ARP, IPv4 and IPv6: a NIC pads short frames to
 * 60 bytes (e1000e, igb, the wire) where virtio-net does not, so the frame
 * lengths of two copies differ. Other protocols use the frame's length; their short frames are
 * not paired when only one path pads them.
 */
#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/if_vlan.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/siphash.h>
#include <linux/skbuff.h>

#include "core/duonet.h"

void duo_dedup_init(struct duo_dedup *d)
{
	int i;

	for (i = 0; i < DUO_DEDUP_LOCKS; i++)
		spin_lock_init(&d->lock[i]);
	get_random_bytes(&d->salt, sizeof(d->salt));
	memset(d->e, 0, sizeof(d->e));
}

/* The network-layer length of a frame, padding left out where known. */
static unsigned int l3_len(const struct sk_buff *skb)
{
	unsigned int len = skb->len;

	switch (skb->protocol) {
	case htons(ETH_P_ARP): {
		struct arphdr _a;
		const struct arphdr *a = skb_header_pointer(skb, 0, sizeof(_a), &_a);

		if (a)
			len = min_t(unsigned int, len,
				    sizeof(*a) + 2 * (a->ar_hln + a->ar_pln));
		break;
	}
	case htons(ETH_P_IP): {
		struct iphdr _h;
		const struct iphdr *h = skb_header_pointer(skb, 0, sizeof(_h), &_h);

		if (h && ntohs(h->tot_len) >= sizeof(*h))
			len = min_t(unsigned int, len, ntohs(h->tot_len));
		break;
	}
	case htons(ETH_P_IPV6): {
		struct ipv6hdr _h;
		const struct ipv6hdr *h = skb_header_pointer(skb, 0, sizeof(_h), &_h);

		if (h)
			len = min_t(unsigned int, len,
				    sizeof(*h) + ntohs(h->payload_len));
		break;
	}
	}
	return len;
}

u64 duo_dedup_key(const struct duo_dedup *d, const struct sk_buff *skb)
{
	/* No padding inside: every byte hashed is set. */
	struct {
		u32 len;
		__be16 vlan_proto;
		u16 vlan_tci;
		u8 eth[ETH_HLEN];
		u8 data[DUO_DEDUP_BYTES];
	} k;
	unsigned int n;

	k.len = l3_len(skb);
	n = min_t(unsigned int, k.len, DUO_DEDUP_BYTES);
	k.vlan_proto = skb_vlan_tag_present(skb) ? skb->vlan_proto : 0;
	k.vlan_tci = skb_vlan_tag_present(skb) ? skb_vlan_tag_get(skb) : 0;
	memcpy(k.eth, skb_mac_header(skb), ETH_HLEN);
	if (skb_copy_bits(skb, 0, k.data, n))
		n = 0;
	return siphash(&k, offsetof(typeof(k), data) + n, &d->salt);
}

/*
 * Whether a frame with this key, from this path, at now_ns, is the second
 * copy of one already delivered from the other path (drop it). Otherwise
 * the frame is delivered and remembered.
 */
bool duo_dedup_seen(struct duo_dedup *d, u64 key, enum duo_path path,
		    u64 now_ns)
{
	unsigned int i = key % DUO_DEDUP_SLOTS;
	struct duo_dedup_entry *e = &d->e[i];
	spinlock_t *lock = &d->lock[i % DUO_DEDUP_LOCKS];
	bool dup = false;

	spin_lock(lock);
	if (e->key == key && e->unpaired &&
	    (s64)(now_ns - e->ns) < DUO_DEDUP_WINDOW_NS) {
		if (e->path != path) {
			/* The other path's copy: pair it. */
			e->unpaired--;
			dup = true;
		} else if (e->unpaired < U8_MAX) {
			/* The same frame again on the same path: a frame of
			 * its own, which the other path may copy too.
			 */
			e->unpaired++;
			e->ns = now_ns;
		}
	} else {
		e->key = key;
		e->path = path;
		e->unpaired = 1;
		e->ns = now_ns;
	}
	spin_unlock(lock);
	return dup;
}

bool duo_dedup_rx(struct duo_dedup *d, const struct sk_buff *skb,
		  enum duo_path path)
{
	return duo_dedup_seen(d, duo_dedup_key(d, skb), path,
			      ktime_get_mono_fast_ns());
}
