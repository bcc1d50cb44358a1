// SPDX-License-Identifier: GPL-2.0
/*
 * The data path: transmit on the active lower, receive from both.
 *
 * No locks: the lower pointers are read under RCU (BH), counters are
 * per-CPU. The control path (core/path.c) publishes duo_priv.tx after every
 * switch; here a frame goes to whatever it points at.
 */
#include <linux/etherdevice.h>
#include <linux/netdevice.h>
#include <net/sch_generic.h>

#include "core/duonet.h"
#include "core/uapi.h"

static bool lower_ready(const struct net_device *dev)
{
	return duo_lower_can_send(dev);
}

/*
 * A path hint in skb->mark (core/uapi.h, off unless a mask is set): that
 * path if the state machine has it usable (and pv-only does not forbid
 * the VF; core/path.c update_hints()) and it has link now, else NULL (the
 * policy's path), counted.
 */
static struct duo_lower *hinted_lower(struct duo_priv *priv, u32 hint,
				      struct duo_pcpu_stats *st)
{
	struct duo_lower *lo = NULL;

	if (hint == DUO_UAPI_PATH_VF && READ_ONCE(priv->hint_ok[DUO_PATH_VF]))
		lo = rcu_dereference_bh(priv->vf);
	else if (hint == DUO_UAPI_PATH_PV && READ_ONCE(priv->hint_ok[DUO_PATH_PV]))
		lo = rcu_dereference_bh(priv->pv);
	if (lo && !lower_ready(lo->dev))
		lo = NULL;
	u64_stats_update_begin(&st->syncp);
	if (lo)
		u64_stats_inc(&st->tx_hinted[lo->role]);
	else
		u64_stats_inc(&st->tx_hint_fallback);
	u64_stats_update_end(&st->syncp);
	return lo;
}

/*
 * The lower to send on. Between a VF losing its link and the state machine
 * hearing of it (link events are delivered from a work queue), frames
 * would go to a VF that cannot send them: take the PV for those. Never the
 * other way round: pv-only must hold, and the PV is the path of last resort.
 */
static struct duo_lower *xmit_lower(struct duo_priv *priv, struct sk_buff *skb,
				    struct duo_pcpu_stats *st)
{
	u32 mask = READ_ONCE(priv->hint_mask);
	struct duo_lower *lo, *pv;

	if (unlikely(mask) && (skb->mark & mask)) {
		lo = hinted_lower(priv, (skb->mark & mask) >> __ffs(mask), st);
		if (lo)
			return lo;
	}
	lo = rcu_dereference_bh(priv->tx);

	if (likely(!lo || lo->role != DUO_PATH_VF || lower_ready(lo->dev)))
		return lo;
	pv = rcu_dereference_bh(priv->pv);
	if (!pv || !lower_ready(pv->dev))
		return lo;
	u64_stats_update_begin(&st->syncp);
	u64_stats_inc(&st->tx_redirected);
	u64_stats_update_end(&st->syncp);
	return pv;
}

/*
 * A pair with two MACs (core/pairs.c): a frame from our MAC leaves a lower
 * with that lower's own, whatever the upper's was when the frame was
 * built (just before a switch; a hint; the fallback to the PV). The
 * host's switch then never learns one lower's MAC on the other's port,
 * where the frames to it would go and be dropped (1-5 lost at a re-plug
 * in the lab: a reply built with the PV's MAC and sent on the VF as TX
 * moved there), and a VF's spoof check never sees the PV's MAC. Frames
 * from other MACs (a bridge on duo0) go as they are.
 */
static void own_source_of(struct duo_priv *priv, struct duo_lower *lo,
			  struct sk_buff *skb)
{
	struct duo_lower *other = lo->role == DUO_PATH_VF ?
				  rcu_dereference_bh(priv->pv) :
				  rcu_dereference_bh(priv->vf);
	struct ethhdr *eth;

	/* A shared skb (pktgen) cannot be given a private head. */
	if (!other || skb->len < ETH_HLEN || skb_shared(skb) ||
	    !ether_addr_equal(skb->data + ETH_ALEN, other->dev->dev_addr) ||
	    ether_addr_equal(other->dev->dev_addr, lo->dev->dev_addr) ||
	    skb_ensure_writable(skb, ETH_HLEN))
		return;
	eth = (struct ethhdr *)skb->data;
	ether_addr_copy(eth->h_source, lo->dev->dev_addr);
}

/*
 * The lower's verdict goes back to the sender, as bonding and net_failover
 * pass it: NET_XMIT_DROP and NET_XMIT_CN put a TCP sender in CWR; IP counts
 * a drop in OutDiscards and a UDP sender sees ENOBUFS with IP_RECVERR
 * (else its SndbufErrors counts it), as on the lower alone.
 */
netdev_tx_t duo_start_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct duo_priv *priv = netdev_priv(dev);
	struct duo_pcpu_stats *st = this_cpu_ptr(priv->pcpu);
	unsigned int len = skb->len;
	struct duo_lower *lo;
	enum duo_path path;
	int ret;

	lo = xmit_lower(priv, skb, st);
	/*
	 * No path, or none that can send: a lower that is down or without
	 * link has the noop qdisc, which drops the frame and says NET_XMIT_CN,
	 * the code of a frame queued under congestion. Dropped and counted
	 * here, in the upper's tx_dropped, where it is known.
	 */
	if (unlikely(!lo || !lower_ready(lo->dev))) {
		u64_stats_update_begin(&st->syncp);
		u64_stats_inc(&st->tx_dropped_no_path);
		u64_stats_update_end(&st->syncp);
		kfree_skb(skb);
		return NET_XMIT_DROP;
	}

	if (unlikely(READ_ONCE(priv->mac_follow)))
		own_source_of(priv, lo, skb);
	path = lo->role;
	skb->dev = lo->dev;
	skb->queue_mapping = qdisc_skb_cb(skb)->slave_dev_queue_mapping;
	ret = dev_queue_xmit(skb);

	u64_stats_update_begin(&st->syncp);
	if (likely(ret == NET_XMIT_SUCCESS || ret == NET_XMIT_CN)) {
		u64_stats_inc(&st->tx_packets[path]);
		u64_stats_add(&st->tx_bytes[path], len);
	} else {
		u64_stats_inc(&st->tx_dropped[path]);
	}
	u64_stats_update_end(&st->syncp);
	/*
	 * A negative errno (a noqueue lower that is going down) is a drop to
	 * the sender; pktgen would take it for "not consumed" and put the
	 * skb the lower freed.
	 */
	return ret < 0 ? NET_XMIT_DROP : ret;
}

/*
 * The upper's TX is lockless (LLTX) and, by default, has no qdisc
 * (noqueue, whose enqueue is NULL): its queue number then means nothing,
 * and the lower picks its own queue in dev_queue_xmit() (its
 * ndo_select_queue, XPS, the flow hash). Keep the skb's mapping for that
 * pick, where a forwarded frame's recorded RX queue feeds the hash: the
 * core overwrites it with the upper's queue on return. With a qdisc on
 * the upper, pick as the core does for a multiqueue NIC: mq spreads the
 * flows over its queues' children, not all through queue 0's lock
 * (multiq and mqprio read the queue too). netdev_pick_tx() caches the
 * pick on a socket, and the lower then reuses it where it has that many
 * queues: such sockets skip the lower's XPS (a qdisc on duo0 only).
 * Not only from __dev_queue_xmit(): a packet socket with
 * PACKET_QDISC_BYPASS calls this preemptible, without RCU-BH, hence the
 * sched read lock (preemption off; the qdisc is freed after an RCU grace
 * period, which waits for it). Costs about 5 instructions a frame
 * (tools/bench/icount.sh, pktgen through duo0: 3104; 3132 with
 * rcu_read_lock(), whose unlock is a call on Debian's preemptible-RCU
 * kernels; 3098-3101 reading the qdisc without either).
 */
u16 duo_select_queue(struct net_device *dev, struct sk_buff *skb,
		     struct net_device *sb_dev)
{
	struct netdev_queue *txq = netdev_get_tx_queue(dev, 0);
	bool queued;

	qdisc_skb_cb(skb)->slave_dev_queue_mapping = skb->queue_mapping;
	rcu_read_lock_sched();
	queued = rcu_dereference_sched(txq->qdisc)->enqueue;
	rcu_read_unlock_sched();
	if (likely(!queued))
		return 0;
	return netdev_pick_tx(dev, skb, sb_dev);
}

/*
 * Our MAC: the upper's or, on a pair with two MACs (core/pairs.c), either
 * lower's, the upper's before the last switch. RCU.
 */
static bool own_source(struct duo_priv *priv, const u8 *src)
{
	struct duo_lower *vf, *pv;

	if (ether_addr_equal_64bits(src, priv->dev->dev_addr))
		return true;
	if (likely(!READ_ONCE(priv->mac_follow)))
		return false;
	vf = rcu_dereference(priv->vf);
	pv = rcu_dereference(priv->pv);
	return (vf && ether_addr_equal_64bits(src, vf->dev->dev_addr)) ||
	       (pv && ether_addr_equal_64bits(src, pv->dev->dev_addr));
}

/*
 * Frames from either lower are the upper's, whichever path TX uses: the
 * host may steer the peer's traffic to either side during a switch. A
 * flooded frame's second copy is the one exception.
 */
rx_handler_result_t duo_handle_frame(struct sk_buff **pskb)
{
	struct sk_buff *skb = *pskb;
	struct duo_lower *lo = rcu_dereference(skb->dev->rx_handler_data);
	struct duo_priv *priv = netdev_priv(lo->upper);
	struct duo_pcpu_stats *st;
	enum duo_path path = lo->role;

	skb = skb_share_check(skb, GFP_ATOMIC);
	if (unlikely(!skb))
		return RX_HANDLER_CONSUMED;
	*pskb = skb;
	/*
	 * A frame from our own MAC is one we sent, flooded back by the host's
	 * switch to our other path (a broadcast, a multicast, an unknown
	 * unicast): the stack would meet its own ARP and ND again (IPv6's
	 * "advertised our address", a bridge's "own address as source").
	 * No one else sends from the pair's MAC.
	 */
	if (unlikely(own_source(priv, eth_hdr(skb)->h_source))) {
		st = this_cpu_ptr(priv->pcpu);
		u64_stats_update_begin(&st->syncp);
		u64_stats_inc(&st->rx_own_echo);
		u64_stats_update_end(&st->syncp);
		consume_skb(skb);
		return RX_HANDLER_CONSUMED;
	}
	/*
	 * A unicast frame on the PV while a VF's removal waits for one: the
	 * host's switch sends the pair's frames to the PV now (or floods
	 * them to both paths). Broadcasts and multicasts tell nothing.
	 */
	if (unlikely(READ_ONCE(priv->pv_unicast_wait)) && path == DUO_PATH_PV &&
	    !is_multicast_ether_addr(eth_hdr(skb)->h_dest))
		WRITE_ONCE(priv->pv_unicast_wait, false);
	/* An answer to the VF reachability check's probes (core/reach.c). */
	if (unlikely(READ_ONCE(priv->reach.cfg.interval_ms)) &&
	    path == DUO_PATH_VF)
		duo_reach_rx(priv, skb);
	/*
	 * A broadcast or multicast frame the host flooded to both paths:
	 * the stack takes the first copy only (core/dedup.c). With one lower
	 * there is nothing to pair.
	 */
	if (unlikely(is_multicast_ether_addr_64bits(eth_hdr(skb)->h_dest)) &&
	    rcu_access_pointer(priv->vf) && rcu_access_pointer(priv->pv) &&
	    duo_dedup_rx(&priv->dedup, skb, path)) {
		st = this_cpu_ptr(priv->pcpu);
		u64_stats_update_begin(&st->syncp);
		u64_stats_inc(&st->rx_flood_dup);
		u64_stats_update_end(&st->syncp);
		consume_skb(skb);
		return RX_HANDLER_CONSUMED;
	}
	/* The upper's XDP program, if this lower's driver does not run it. */
	if (unlikely(!duo_xdp_rx(priv, path, pskb)))
		return RX_HANDLER_CONSUMED;
	skb = *pskb;

	st = this_cpu_ptr(priv->pcpu);
	u64_stats_update_begin(&st->syncp);
	u64_stats_inc(&st->rx_packets[path]);
	u64_stats_add(&st->rx_bytes[path], skb->len + skb->mac_len);
	u64_stats_update_end(&st->syncp);

	skb->dev = lo->upper;
	return RX_HANDLER_ANOTHER;
}
