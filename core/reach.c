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
#include <linux/if_vlan.h>
#include <linux/inetdevice.h>
#include <linux/ipv6.h>
#include <linux/jiffies.h>
#include <linux/timekeeping.h>
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

/* Parsing only: without IPv6 in the kernel, no IPv6 target can be set. */
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

	/* A tag no VLAN device took is not for our untagged probes. */
	if (skb->pkt_type != PACKET_HOST || skb_vlan_tag_present(skb))
		return;
	if (skb->protocol == htons(ETH_P_ARP))
		answer = arp_answer(r, skb);
	else if (skb->protocol == htons(ETH_P_IPV6))
		answer = na_answer(r, skb);
	else
		return;
	if (!answer)
		return;
	WRITE_ONCE(r->answer_ns, ktime_get_ns());
	st = this_cpu_ptr(priv->pcpu);
	u64_stats_update_begin(&st->syncp);
	u64_stats_inc(&st->rx_reach_answers);
	u64_stats_update_end(&st->syncp);
	if (!READ_ONCE(r->proven))
		mod_delayed_work(DUO_COMPAT_WQ, &r->work, 0);
}

/*
 * A pair with two MACs (core/pairs.c) while TX is not on the VF: the
 * target's entry for our address must stay on the TX path's MAC, which
 * the announcements gave it, yet the answer must come to the VF's. An
 * ARP probe (source 0.0.0.0, RFC 5227) is answered to the sender's MAC
 * and teaches the target nothing. IPv6 has no such probe (a NS from ::
 * is duplicate address detection, which fails a target's own tentative
 * address; any other carries our MAC): such a pair takes no IPv6 target
 * (core/netlink.c, core/path.c).
 */
#if IS_ENABLED(CONFIG_INET)
static bool probe_anon(struct duo_priv *priv, struct net_device *vf)
{
	struct duo_lower *tx = rtnl_dereference(priv->tx);

	return priv->mac_follow && (!tx || tx->dev != vf);
}
#endif

/* The IPv4 probes need the kernel's IPv4 (a KUnit UML kernel has none). */
static void probe_ip4(struct duo_priv *priv, struct net_device *vf, __be32 t)
{
#if IS_ENABLED(CONFIG_INET)
	struct in_device *in_dev = __in_dev_get_rtnl(priv->dev);
	struct sk_buff *skb;
	__be32 src = 0;

	/*
	 * An address of the upper's (inet_select_addr() would take another
	 * device's when it has none); without one, an ARP probe (source
	 * 0.0.0.0), which is answered too.
	 */
	if (in_dev && rcu_access_pointer(in_dev->ifa_list) && !probe_anon(priv, vf))
		src = inet_select_addr(priv->dev, t, RT_SCOPE_LINK);
	/* From the VF's MAC: the upper's, unless the pair has two (above). */
	skb = arp_create(ARPOP_REQUEST, ETH_P_ARP, t, vf, src, NULL,
			 vf->dev_addr, NULL);
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
	struct inet6_dev *idev = __in6_dev_get(vf);
	struct in6_addr saddr, mcaddr;
	struct sk_buff *skb;

	/* IPv6 off on the VF: ip6_output() would drop the probe. */
	if (!idev || READ_ONCE(idev->cnf.disable_ipv6)) {
		if (!priv->reach.warned_ip6)
			netdev_warn(priv->dev, "IPv6 is off on VF %s: its IPv6 targets cannot be asked\n",
				    vf->name);
		priv->reach.warned_ip6 = true;
		return;
	}
	/* Never on a pair with two MACs (probe_anon()): refused there. */
	if (priv->mac_follow)
		return;
	/* An answer comes to an address of the upper's: none yet, no probe. */
	if (ipv6_dev_get_saddr(dev_net(priv->dev), priv->dev, t, 0, &saddr) ||
	    !ipv6_chk_addr(dev_net(priv->dev), &saddr, priv->dev, 0))
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

/*
 * Answers count from now; rounds without one are counted from now. In
 * nanoseconds: a probe's answer often comes within the jiffy it left in.
 */
static void reach_restart(struct duo_reach *r)
{
	r->since_ns = ktime_get_ns();
	r->next_probe = jiffies;
	r->silent = 0;
}

/*
 * The check's round: judge the answers, then probe when it is time.
 * Silence is counted in rounds of probes actually sent, not in time: a
 * round that RTNL or a paused guest held back proves nothing.
 */
static void reach_round(struct duo_priv *priv)
{
	struct duo_reach *r = &priv->reach;
	struct duo_lower *vf = rtnl_dereference(priv->vf);
	unsigned long now = jiffies;
	u64 answer_ns, now_ns = ktime_get_ns();
	bool probed = r->round_ns > r->since_ns;	/* a round since */

	ASSERT_RTNL();
	/* Off, or no VF to ask: duo_reach_update() starts it again. */
	if (!r->cfg.interval_ms || !vf || !duo_fo_usable(&priv->fo.vf))
		return;
	answer_ns = READ_ONCE(r->answer_ns);
	if (!priv->fo.vf.reachable && answer_ns > r->since_ns) {
		netdev_info(priv->dev, "VF %s answers the reachability check\n",
			    vf->dev->name);
		duo_path_event(priv, DUO_EV_VF_REACH_OK);
	}
	if (time_before(now, r->next_probe))
		goto again;
	/* The previous round's answers had an interval to come. */
	if (probed && answer_ns <= r->round_ns)
		r->silent++;
	else if (probed)
		r->silent = 0;
	if (priv->fo.vf.reachable && r->silent >= r->cfg.missed) {
		netdev_warn(priv->dev, "VF %s: no target answered %u rounds of probes (%u ms)\n",
			    vf->dev->name, r->silent,
			    (u32)div_u64(now_ns - max(answer_ns, r->since_ns),
					 NSEC_PER_MSEC));
		r->lost++;
		reach_restart(r);
		duo_path_event(priv, DUO_EV_VF_REACH_LOST);
	}
	/* Before they leave: an answer can come before send_probes() returns. */
	r->round_ns = ktime_get_ns();
	send_probes(priv, vf->dev);
	r->next_probe = now + msecs_to_jiffies(r->cfg.interval_ms);
again:
	mod_delayed_work(DUO_COMPAT_WQ, &r->work, r->next_probe - now);
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
	r->warned_ip6 = false;
	reach_restart(r);
	mod_delayed_work(DUO_COMPAT_WQ, &r->work, 0);
}

/* Validated settings (core/netlink.c); on, off, or new targets. */
void duo_reach_set(struct duo_priv *priv, const struct duo_reach_cfg *cfg)
{
	struct duo_reach *r = &priv->reach;
	bool was_on = r->cfg.interval_ms, on = cfg->interval_ms;
	bool had_ip6 = !ipv6_addr_any(&r->cfg.ip6[0]);
	int i;

	ASSERT_RTNL();
	/* A pair with two MACs that IPv6 targets kept from forming may now. */
	if (had_ip6 && ipv6_addr_any(&cfg->ip6[0]))
		duo_pair_rescan();
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
	/*
	 * On, or new settings: the rounds start again (TX on the VF: it has
	 * `missed` rounds to answer).
	 */
	r->warned_ip6 = false;
	reach_restart(r);
	if (!was_on)
		duo_path_event(priv, DUO_EV_REACH_ON);
	mod_delayed_work(DUO_COMPAT_WQ, &r->work, 0);
}

void duo_reach_init(struct duo_priv *priv)
{
	priv->reach.cfg.missed = DUO_REACH_MISSED;
	reach_restart(&priv->reach);
	INIT_DELAYED_WORK(&priv->reach.work, reach_work_fn);
}

/* The work retries rather than wait for RTNL: cancelling under it is safe. */
void duo_reach_uninit(struct duo_priv *priv)
{
	cancel_delayed_work_sync(&priv->reach.work);
}
