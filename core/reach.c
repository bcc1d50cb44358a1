// SPDX-License-Identifier: GPL-2.0
/*
 * The VF reachability check: a VF can report carrier while the host has
 * not yet set up its port (VLAN, spoof check, switch port), and frames
 * sent there are lost. With the check on, duonet asks the targets the
 * user named (ARP for IPv4, a neighbour solicitation for IPv6) through the
 * VF every interval, whatever path carries TX, and counts an answer only
 * when it comes back through the VF: a reply addressed to us (ARP) or a
 * solicited advertisement for a target (ND). The state machine
 * (failover/failover.c) then lets the VF take TX only once a target has
 * answered since its link came, and takes TX from it when no target has
 * answered for `missed` intervals. bonding's ARP and NS monitors are the
 * model (bond_arp_send_all(), bond_ns_send(), bond_arp_rcv()); unlike
 * them, the check never decides about the PV, whose carrier stays the
 * truth.
 *
 * The settings and the decisions are RTNL's; the receive side reads the
 * targets without a lock, as bonding's does, and a target changed while
 * an answer is being read counts that answer or not.
 */
#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/inetdevice.h>
#include <linux/ipv6.h>
#include <linux/jiffies.h>
#include <net/addrconf.h>
#include <net/arp.h>
#include <net/ipv6.h>
#include <net/ndisc.h>

#include "core/duonet.h"

/* The ARP reply a probe asks for, after struct arphdr. */
struct duo_arp_body {
	u8 sha[ETH_ALEN];
	__be32 sip;
	u8 tha[ETH_ALEN];
	__be32 tip;
} __packed;

static bool ip4_target(const struct duo_reach *r, __be32 ip)
{
	int i;

	for (i = 0; i < DUO_REACH_TARGETS; i++) {
		__be32 t = READ_ONCE(r->cfg.ip4[i]);

		if (!t)
			return false;
		if (t == ip)
			return true;
	}
	return false;
}

static bool arp_answer(const struct duo_reach *r, const struct sk_buff *skb)
{
	struct {
		struct arphdr h;
		struct duo_arp_body b;
	} _a;
	const typeof(_a) *a = skb_header_pointer(skb, 0, sizeof(_a), &_a);

	return a && a->h.ar_hrd == htons(ARPHRD_ETHER) &&
	       a->h.ar_pro == htons(ETH_P_IP) && a->h.ar_hln == ETH_ALEN &&
	       a->h.ar_pln == 4 && a->h.ar_op == htons(ARPOP_REPLY) &&
	       ip4_target(r, a->b.sip);
}

#if IS_ENABLED(CONFIG_IPV6)
static bool na_answer(const struct duo_reach *r, const struct sk_buff *skb)
{
	struct {
		struct ipv6hdr ip;
		struct nd_msg nd;
	} _m;
	const typeof(_m) *m = skb_header_pointer(skb, 0, sizeof(_m), &_m);
	struct in6_addr t;
	int i;

	/* RFC 4861 7.1.2: hop limit 255; solicited, as an answer is. */
	if (!m || m->ip.version != 6 || m->ip.nexthdr != IPPROTO_ICMPV6 ||
	    m->ip.hop_limit != 255 ||
	    m->nd.icmph.icmp6_type != NDISC_NEIGHBOUR_ADVERTISEMENT ||
	    m->nd.icmph.icmp6_code || !m->nd.icmph.icmp6_solicited)
		return false;
	for (i = 0; i < DUO_REACH_TARGETS; i++) {
		memcpy(&t, &r->cfg.ip6[i], sizeof(t));
		if (ipv6_addr_any(&t))
			return false;
		if (ipv6_addr_equal(&t, &m->nd.target))
			return true;
	}
	return false;
}
#else
static bool na_answer(const struct duo_reach *r, const struct sk_buff *skb)
{
	return false;
}
#endif

/*
 * A frame the VF received (rx handler, RCU): an answer to our probes is
 * noted, and wakes the check if the VF has not answered yet. The frame
 * goes on to the stack whatever it is.
 */
void duo_reach_rx(struct duo_priv *priv, const struct sk_buff *skb)
{
	struct duo_reach *r = &priv->reach;
	struct duo_pcpu_stats *st;
	bool answer;

	if (skb->pkt_type != PACKET_HOST)
		return;
	if (skb->protocol == htons(ETH_P_ARP))
		answer = arp_answer(r, skb);
	else if (skb->protocol == htons(ETH_P_IPV6))
		answer = na_answer(r, skb);
	else
		return;
	if (!answer)
		return;
	WRITE_ONCE(r->answer_at, jiffies);
	st = this_cpu_ptr(priv->pcpu);
	u64_stats_update_begin(&st->syncp);
	u64_stats_inc(&st->rx_reach_answers);
	u64_stats_update_end(&st->syncp);
	if (!READ_ONCE(r->proven))
		mod_delayed_work(DUO_COMPAT_WQ, &r->work, 0);
}

/* The IPv4 probes need the kernel's IPv4 (a KUnit UML kernel has none). */
static void probe_ip4(struct duo_priv *priv, struct net_device *vf, __be32 t)
{
#if IS_ENABLED(CONFIG_INET)
	__be32 src = inet_select_addr(priv->dev, t, RT_SCOPE_LINK);
	struct sk_buff *skb;

	/* No address yet: an ARP probe (source 0.0.0.0) is answered too. */
	skb = arp_create(ARPOP_REQUEST, ETH_P_ARP, t, vf, src, NULL,
			 priv->dev->dev_addr, NULL);
	if (!skb)
		return;
	arp_xmit(skb);
	priv->reach.probes++;
#endif
}

#if IS_ENABLED(CONFIG_IPV6)
static void probe_ip6(struct duo_priv *priv, struct net_device *vf,
		      const struct in6_addr *t)
{
	struct in6_addr saddr, mcaddr;
	struct sk_buff *skb;

	/* An answer comes to an address of ours: none yet, no probe. */
	if (ipv6_dev_get_saddr(dev_net(priv->dev), priv->dev, t, 0, &saddr))
		return;
	skb = ndisc_ns_create(vf, t, &saddr, 0);
	if (!skb)
		return;
	addrconf_addr_solict_mult(t, &mcaddr);
	ndisc_send_skb(skb, &mcaddr, &saddr);
	priv->reach.probes++;
}
#endif

static void send_probes(struct duo_priv *priv, struct net_device *vf)
{
	struct duo_reach *r = &priv->reach;
	int i;

	for (i = 0; i < DUO_REACH_TARGETS && r->cfg.ip4[i]; i++)
		probe_ip4(priv, vf, r->cfg.ip4[i]);
#if IS_ENABLED(CONFIG_IPV6)
	for (i = 0; i < DUO_REACH_TARGETS && !ipv6_addr_any(&r->cfg.ip6[i]); i++)
		probe_ip6(priv, vf, &r->cfg.ip6[i]);
#endif
}

/* The check's round: judge the answers, then probe when it is time. */
static void reach_round(struct duo_priv *priv)
{
	struct duo_reach *r = &priv->reach;
	struct duo_lower *vf = rtnl_dereference(priv->vf);
	unsigned long now = jiffies, period, last, answer_at;

	ASSERT_RTNL();
	if (!r->cfg.interval_ms)
		return;
	period = msecs_to_jiffies(r->cfg.interval_ms);
	if (vf && duo_fo_usable(&priv->fo.vf)) {
		answer_at = READ_ONCE(r->answer_at);
		last = time_after(answer_at, r->since) ? answer_at : r->since;
		if (!priv->fo.vf.reachable && time_after_eq(answer_at, r->since)) {
			netdev_info(priv->dev, "VF %s answers the reachability check\n",
				    vf->dev->name);
			duo_path_event(priv, DUO_EV_VF_REACH_OK);
		} else if (priv->fo.vf.reachable &&
			   time_after(now, last + r->cfg.missed * period)) {
			netdev_warn(priv->dev, "VF %s: no target answered for %u ms\n",
				    vf->dev->name,
				    jiffies_to_msecs(now - last));
			r->lost++;
			/* Answers count again from now. */
			r->since = now;
			duo_path_event(priv, DUO_EV_VF_REACH_LOST);
		}
		if (time_after_eq(now, r->next_probe)) {
			send_probes(priv, vf->dev);
			r->next_probe = now + period;
		}
	} else {
		r->next_probe = now + period;
	}
	mod_delayed_work(DUO_COMPAT_WQ, &r->work,
			 time_after(r->next_probe, now) ? r->next_probe - now : 0);
}

static void reach_work_fn(struct work_struct *work)
{
	struct duo_priv *priv = container_of(to_delayed_work(work),
					     struct duo_priv, reach.work);

	if (!rtnl_trylock()) {
		schedule_delayed_work(&priv->reach.work, 1);
		return;
	}
	reach_round(priv);
	rtnl_unlock();
}

/*
 * After every decision (core/path.c): a VF whose link came is probed at
 * once, and only answers from then on count; the receive side learns
 * whether the VF has answered.
 */
void duo_reach_update(struct duo_priv *priv)
{
	struct duo_reach *r = &priv->reach;
	bool usable = duo_fo_usable(&priv->fo.vf);

	ASSERT_RTNL();
	WRITE_ONCE(r->proven, priv->fo.vf.reachable);
	if (usable == r->vf_usable)
		return;
	r->vf_usable = usable;
	if (!usable || !r->cfg.interval_ms)
		return;
	r->since = jiffies;
	r->next_probe = r->since;
	mod_delayed_work(DUO_COMPAT_WQ, &r->work, 0);
}

/* Validated settings (core/netlink.c); on, off, or new targets. */
void duo_reach_set(struct duo_priv *priv, const struct duo_reach_cfg *cfg)
{
	struct duo_reach *r = &priv->reach;
	bool was_on = r->cfg.interval_ms, on = cfg->interval_ms;
	int i;

	ASSERT_RTNL();
	for (i = 0; i < DUO_REACH_TARGETS; i++) {
		WRITE_ONCE(r->cfg.ip4[i], cfg->ip4[i]);
		r->cfg.ip6[i] = cfg->ip6[i];
	}
	r->cfg.missed = cfg->missed;
	if (!on) {
		WRITE_ONCE(r->cfg.interval_ms, 0);
		if (was_on)
			duo_path_event(priv, DUO_EV_REACH_OFF);
		return;
	}
	WRITE_ONCE(r->cfg.interval_ms, cfg->interval_ms);
	if (!was_on) {
		/* TX on the VF: it has `missed` intervals to answer. */
		r->since = jiffies;
		r->next_probe = r->since;
		duo_path_event(priv, DUO_EV_REACH_ON);
	}
	mod_delayed_work(DUO_COMPAT_WQ, &r->work, 0);
}

void duo_reach_init(struct duo_priv *priv)
{
	priv->reach.cfg.missed = DUO_REACH_MISSED;
	INIT_DELAYED_WORK(&priv->reach.work, reach_work_fn);
}

/* The work retries rather than wait for RTNL: cancelling under it is safe. */
void duo_reach_uninit(struct duo_priv *priv)
{
	cancel_delayed_work_sync(&priv->reach.work);
}
