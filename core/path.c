// SPDX-License-Identifier: GPL-2.0
/*
 * Paths of an upper: lowers joining and leaving, the state machine fed
 * with their events, and what follows a decision: the TX pointer switched,
 * the carrier updated, the peers told, the failback timer armed.
 */
#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/if_vlan.h>
#include <linux/netdevice.h>
#include <linux/timekeeping.h>
#include <net/ipv6.h>

#include "core/duonet.h"

#define CREATE_TRACE_POINTS
#include "core/trace.h"

/* The trace tables spell out these enums' values. */
static_assert(DUO_PATH_PV == 2 && DUO_SW_REACH == 8 &&
	      DUO_EV_VF_CARRIER_OFF == 6);

static struct duo_lower *path_lower(struct duo_priv *priv, enum duo_path path)
{
	switch (path) {
	case DUO_PATH_VF:
		return rtnl_dereference(priv->vf);
	case DUO_PATH_PV:
		return rtnl_dereference(priv->pv);
	default:
		return NULL;
	}
}

/* Tell peers where the upper's MAC now lives: gratuitous ARP, unsolicited
 * NA, IGMP/MLD reports; then again announce_count - 1 times.
 */
static void announce_step(struct duo_priv *priv)
{
	ASSERT_RTNL();
	if (!priv->announce_left)
		return;
	priv->announce_left--;
	if (netif_running(priv->dev))
		__netdev_notify_peers(priv->dev);
	if (priv->announce_left)
		schedule_delayed_work(&priv->announce_work,
				      msecs_to_jiffies(priv->announce.interval_ms));
}

static void announce_work_fn(struct work_struct *work)
{
	struct duo_priv *priv = container_of(to_delayed_work(work),
					     struct duo_priv, announce_work);

	if (!rtnl_trylock()) {
		schedule_delayed_work(&priv->announce_work, 1);
		return;
	}
	announce_step(priv);
	rtnl_unlock();
}

static void policy_work_fn(struct work_struct *work)
{
	struct duo_priv *priv = container_of(to_delayed_work(work),
					     struct duo_priv, policy_work);

	if (!rtnl_trylock()) {
		schedule_delayed_work(&priv->policy_work, 1);
		return;
	}
	duo_path_event(priv, DUO_EV_TIMER);
	rtnl_unlock();
}

/*
 * The adaptive policy's input: packets per second through the upper (TX
 * and RX, both paths) from the per-CPU counters, sampled every
 * DUO_RATE_PERIOD_MS while the policy is on and measured over the last
 * DUO_RATE_SAMPLES samples (from when the policy went on, until it has
 * that many); an event only when a mark is crossed.
 */
static void rate_sample(struct duo_priv *priv, u64 *packets, u64 *now)
{
	struct duo_path_totals t;
	u64 sum = 0;
	int i;

	duo_path_totals(priv, &t);
	duo_for_each_path(i)
		sum += t.tx_packets[i] + t.rx_packets[i];
	*packets = sum;
	*now = ktime_get_ns();
}

static void rate_work_fn(struct work_struct *work)
{
	struct duo_priv *priv = container_of(to_delayed_work(work),
					     struct duo_priv, rate_work);
	unsigned int old;
	enum duo_fo_event ev;
	u64 packets, now, pps;

	if (!rtnl_trylock()) {
		schedule_delayed_work(&priv->rate_work, 1);
		return;
	}
	if (!priv->fo.adaptive)
		goto out;
	rate_sample(priv, &packets, &now);
	old = priv->rate_next;
	pps = mul_u64_u64_div_u64(packets - priv->rate_packets[old],
				  NSEC_PER_SEC,
				  max_t(u64, now - priv->rate_ns[old], 1));
	priv->rate_packets[old] = packets;
	priv->rate_ns[old] = now;
	priv->rate_next = (old + 1) % DUO_RATE_SAMPLES;
	ev = duo_fo_rate_event(&priv->fo, pps);
	if (ev != DUO_EV_MAX)
		duo_path_event(priv, ev);
	schedule_delayed_work(&priv->rate_work,
			      msecs_to_jiffies(DUO_RATE_PERIOD_MS));
out:
	rtnl_unlock();
}

/* The adaptive policy on (it measures the rate from now) or off. */
void duo_adaptive(struct duo_priv *priv, bool on)
{
	u64 packets, now;
	int i;

	ASSERT_RTNL();
	if (on == priv->fo.adaptive)
		return;
	if (on) {
		/* Every sample is now's: the first rates are over the time
		 * since, growing to the window. A whole period from now,
		 * even if the last one is pending.
		 */
		rate_sample(priv, &packets, &now);
		for (i = 0; i < DUO_RATE_SAMPLES; i++) {
			priv->rate_packets[i] = packets;
			priv->rate_ns[i] = now;
		}
		priv->rate_next = 0;
		mod_delayed_work(DUO_COMPAT_WQ, &priv->rate_work,
				 msecs_to_jiffies(DUO_RATE_PERIOD_MS));
	}
	/* Off: the work sees it and stops. */
	duo_path_event(priv, on ? DUO_EV_ADAPTIVE_ON : DUO_EV_ADAPTIVE_OFF);
}

/* Start a round of announce_count announcements, the first one now. */
void duo_announce(struct duo_priv *priv)
{
	ASSERT_RTNL();
	if (!netif_running(priv->dev))
		return;
	priv->announce_left = priv->announce.count;
	cancel_delayed_work(&priv->announce_work);
	announce_step(priv);
}

static void update_carrier(struct duo_priv *priv)
{
	bool on = duo_fo_usable(&priv->fo.vf) || duo_fo_usable(&priv->fo.pv);

	if (on && !netif_carrier_ok(priv->dev))
		netif_carrier_on(priv->dev);
	else if (!on && netif_carrier_ok(priv->dev))
		netif_carrier_off(priv->dev);
}

/*
 * The paths a per-packet hint may take (core/datapath.c): usable as the
 * state machine knows them (a VF whose PCI device is going is not, nor
 * one the reachability check holds off), the VF not under pv-only.
 */
static void update_hints(struct duo_priv *priv)
{
	WRITE_ONCE(priv->hint_ok[DUO_PATH_VF],
		   duo_fo_vf_ok(&priv->fo) && !priv->fo.pv_only);
	WRITE_ONCE(priv->hint_ok[DUO_PATH_PV], duo_fo_usable(&priv->fo.pv));
}

/*
 * A pair with two MACs: the upper takes its TX path's, as bonding's
 * fail_over_mac=active does, before the announcements that move the
 * peers to it. Frames to the other MAC still arrive: each lower keeps its
 * own, so it still takes them. (bonding asks the pre-change notifier
 * first; 7.x exports it to the kernel's own modules only.)
 */
static bool follow_addr(struct duo_priv *priv)
{
	struct duo_lower *tx = rtnl_dereference(priv->tx);
	struct net_device *dev = priv->dev;

	if (!priv->mac_follow || !tx || ether_addr_equal(dev->dev_addr, tx->dev->dev_addr))
		return false;
	eth_hw_addr_set(dev, tx->dev->dev_addr);
	if (dev->reg_state == NETREG_REGISTERED)
		call_netdevice_notifiers(NETDEV_CHANGEADDR, dev);
	return true;
}

/*
 * The upper's MAC is not its TX path's with no switch (a pair with two
 * MACs formed under pv-only; the TX lower's own MAC changed, by its PF
 * say): taken, and announced.
 */
void duo_follow_tx_addr(struct duo_priv *priv)
{
	ASSERT_RTNL();
	if (follow_addr(priv))
		duo_announce(priv);
}

static void apply_decision(struct duo_priv *priv,
			   const struct duo_fo_decision *d, u64 now)
{
	struct net_device *dev = priv->dev;

	ASSERT_RTNL();
	update_carrier(priv);
	update_hints(priv);
	duo_reach_update(priv);
	if (d->switched) {
		u64 us;

		rcu_assign_pointer(priv->tx, path_lower(priv, d->to));
		priv->path_ns[d->from] += now - priv->path_since_ns;
		priv->path_since_ns = now;
		/* From the event's arrival (now) to the new path published. */
		us = div_u64(ktime_get_ns() - now, NSEC_PER_USEC);
		WRITE_ONCE(priv->last_switch_usecs, us);
		if (us > priv->max_switch_usecs)
			WRITE_ONCE(priv->max_switch_usecs, us);
		trace_duonet_path_switch(dev, d->from, d->to, d->reason, us);
		/*
		 * The peers first, the log line after: a console printed
		 * synchronously (a serial one at 115200 baud takes about 5 ms
		 * for this line) would hold the announcement back while the
		 * old path may be going.
		 */
		if (d->to != DUO_PATH_NONE) {
			follow_addr(priv);
			duo_announce(priv);
		}
		if (dev->reg_state == NETREG_REGISTERED) {
			netdev_info(dev, "TX path %s -> %s (%s), %llu us\n",
				    duo_path_name(d->from), duo_path_name(d->to),
				    duo_switch_reason_name(d->reason), us);
			/*
			 * IFLA_INFO_DATA changed (the active path, the switch
			 * counters): an RTM_NEWLINK for ip monitor and for
			 * duoctl monitor/wait, as bonding sends for its
			 * options. Not NETDEV_BONDING_FAILOVER: RoCE's GID
			 * code and VLANs on top would take duo0 for a bond.
			 */
			call_netdevice_notifiers(NETDEV_CHANGEINFODATA, dev);
		}
	}
	if (d->recheck_ns)
		mod_delayed_work(DUO_COMPAT_WQ, &priv->policy_work,
				 nsecs_to_jiffies(d->recheck_ns - now) + 1);
}

void duo_path_event(struct duo_priv *priv, enum duo_fo_event ev)
{
	struct duo_fo_decision d;
	u64 now = ktime_get_ns();

	ASSERT_RTNL();
	d = duo_fo_step(&priv->fo, ev, now);
	apply_decision(priv, &d, now);
}

/* vf_ev is the VF form of the event; the PV form has the same offset. */
void duo_lower_event(struct duo_priv *priv, struct duo_lower *lo,
		     enum duo_fo_event vf_ev)
{
	struct duo_fo_lower *known = lo->role == DUO_PATH_VF ? &priv->fo.vf :
							      &priv->fo.pv;
	struct duo_fo_lower before = *known;
	enum duo_fo_event ev = vf_ev;

	ASSERT_RTNL();
	if (lo->role == DUO_PATH_PV)
		ev += DUO_EV_PV_REGISTER - DUO_EV_VF_REGISTER;
	duo_path_event(priv, ev);
	/*
	 * Traced when it taught the state machine something: one removal is
	 * told three times (PCI unbind, going down, unregister).
	 */
	if (memcmp(&before, known, sizeof(before)))
		trace_duonet_lower_event(priv->dev, lo->dev, lo->role, vf_ev);
}

/* The role a device would have: a PV first (vmxnet3 is a PCI NIC too). */
enum duo_path duo_lower_detect_role(const struct net_device *dev)
{
	if (duo_pv_recognise(dev))
		return DUO_PATH_PV;
	if (duo_vf_recognise(dev))
		return DUO_PATH_VF;
	return DUO_PATH_NONE;
}

static int duo_check_join(struct duo_priv *priv, struct net_device *dev,
			  enum duo_path role, struct netlink_ext_ack *extack)
{
	struct net_device *upper = priv->dev;
	struct duo_lower *vf = rtnl_dereference(priv->vf);
	struct duo_lower *pv = rtnl_dereference(priv->pv);
	struct duo_lower *other = role == DUO_PATH_VF ? pv : vf;

	ASSERT_RTNL();
	if (dev == upper) {
		NL_SET_ERR_MSG(extack, "duonet: an upper cannot be its own lower");
		return -EINVAL;
	}
	if (netif_is_duo_upper(dev)) {
		NL_SET_ERR_MSG(extack, "duonet: another duonet upper cannot be a lower");
		return -EINVAL;
	}
	if (dev->flags & IFF_LOOPBACK || dev->type != ARPHRD_ETHER) {
		NL_SET_ERR_MSG(extack, "duonet: only Ethernet devices can be lowers");
		return -EINVAL;
	}
	/* A bridge, bond, team, Open vSwitch or net_failover master speaks for
	 * its ports; no role fits it (as bonding refuses master devices).
	 */
	if (dev->flags & IFF_MASTER || netif_is_bridge_master(dev) ||
	    netif_is_team_master(dev) || netif_is_ovs_master(dev) ||
	    (netif_is_failover(dev) &&
	     !(role == DUO_PATH_PV && duo_pv_standby_master(dev)))) {
		NL_SET_ERR_MSG(extack, "duonet: a master (bridge, bond, team) cannot be a lower");
		return -EINVAL;
	}
	if (!net_eq(dev_net(dev), dev_net(upper))) {
		NL_SET_ERR_MSG(extack, "duonet: the device is in another network namespace");
		return -EINVAL;
	}
	if ((netdev_master_upper_dev_get(dev) && !duo_standby_vf(priv, dev)) ||
	    duo_lower_of(dev)) {
		NL_SET_ERR_MSG(extack, "duonet: the device already has a master");
		return -EBUSY;
	}
	if (role == DUO_PATH_NONE) {
		NL_SET_ERR_MSG(extack, "duonet: neither a VF (PCI) nor a PV (virtio_net, vmxnet3)");
		return -EOPNOTSUPP;
	}
	if (role == DUO_PATH_VF && vf) {
		NL_SET_ERR_MSG(extack, "duonet: the upper already has a VF");
		return -EBUSY;
	}
	if (role == DUO_PATH_PV && pv) {
		NL_SET_ERR_MSG(extack, "duonet: the upper already has a PV");
		return -EBUSY;
	}
	/* As bonding and net_failover: VLANs on the upper need them below. */
	if ((dev->features & NETIF_F_VLAN_CHALLENGED) && vlan_uses_dev(upper)) {
		NL_SET_ERR_MSG(extack, "duonet: the device cannot carry the upper's VLANs");
		return -EPERM;
	}
	if (other && !ether_addr_equal(duo_pair_addr(dev), duo_pair_addr(other->dev)) &&
	    !duo_pairs_listed(duo_pair_addr(dev), duo_pair_addr(other->dev))) {
		NL_SET_ERR_MSG(extack,
			       "duonet: its permanent MAC differs from the other lower's, and pair= does not pair the two");
		return -EINVAL;
	}
	return duo_xdp_check_lower(priv, dev, extack);
}

/* dev's MAC and the pair's differ, and pair= pairs them (RTNL). */
static bool two_macs(struct duo_priv *priv, struct net_device *dev)
{
	struct duo_lower *lo;
	int path;

	duo_for_each_lower(priv, lo, path)
		if (!ether_addr_equal(duo_pair_addr(lo->dev), duo_pair_addr(dev)))
			return true;
	return !is_zero_ether_addr(priv->pair_addr) &&
	       !ether_addr_equal(priv->pair_addr, duo_pair_addr(dev)) &&
	       duo_pairs_listed(priv->pair_addr, duo_pair_addr(dev));
}

/*
 * A pair with two MACs cannot form while the reachability check has an
 * IPv6 target: no IPv6 probe can be answered on such a VF alone
 * (core/reach.c). Auto-pairing passes no extack: said in the log then.
 */
static int follow_check(struct duo_priv *priv, struct net_device *dev,
			struct netlink_ext_ack *extack)
{
	if (ipv6_addr_any(&priv->reach.cfg.ip6[0]))
		return 0;
	NL_SET_ERR_MSG(extack,
		       "duonet: a pair with two MACs (pair=) cannot take IPv6 reachability targets: remove them first");
	if (!extack)
		netdev_warn(priv->dev, "%s not paired: the reachability check has IPv6 targets, which a pair with two MACs cannot ask\n",
			    dev->name);
	return -EINVAL;
}

/*
 * A pair with two MACs has formed: a lower already there had taken the
 * upper's MAC at its claim; it gets its own back (a port security rule on
 * the host knows that one), which the notifier then follows. Refused, it
 * keeps the upper's, which the upper follows as well.
 */
static void own_addrs_back(struct duo_priv *priv)
{
	struct duo_lower *lo;
	int path;

	duo_for_each_lower(priv, lo, path)
		if (duo_lower_own_addr(lo, NULL))
			netdev_warn(priv->dev, "%s keeps the upper's MAC: its own was refused\n",
				    lo->dev->name);
}

/*
 * A VF that net_failover holds as the primary of the master that is this
 * upper's PV (QEMU's failover=on, pv-path/pv.c): duonet's to take.
 */
bool duo_standby_vf(struct duo_priv *priv, struct net_device *dev)
{
	struct duo_lower *pv = rtnl_dereference(priv->pv);

	ASSERT_RTNL();
	return pv && netif_is_failover_slave(dev) &&
	       netdev_master_upper_dev_get(dev) == pv->dev;
}

int duo_join(struct duo_priv *priv, struct net_device *dev, enum duo_path role,
	     struct netlink_ext_ack *extack)
{
	struct net_device *upper = priv->dev;
	bool took_addr = false, took_pair = false, freed = false, follow;
	bool took_own = false;
	u8 old_addr[ETH_ALEN];
	struct duo_lower *lo;
	int err;

	ASSERT_RTNL();
	err = duo_check_join(priv, dev, role, extack);
	if (err)
		return err;

	/*
	 * A pair with two MACs, as pair= lists them (core/pairs.c): the
	 * joining lower's differs from the other lower's or, with none, from
	 * the one the upper's first lower gave it. The lower already there
	 * gets its own MAC back once the claim is made (own_addrs_back()).
	 */
	follow = priv->mac_follow || two_macs(priv, dev);
	if (follow && !priv->mac_follow) {
		err = follow_check(priv, dev, extack);
		if (err)
			return err;
		took_own = true;
	}

	/*
	 * The first lower of an upper with a random MAC gives it its own,
	 * before the claim, which sets the lower to the upper's MAC; given
	 * back if the claim fails.
	 */
	if (upper->addr_assign_type == NET_ADDR_RANDOM &&
	    !rtnl_dereference(priv->vf) && !rtnl_dereference(priv->pv)) {
		ether_addr_copy(old_addr, upper->dev_addr);
		eth_hw_addr_set(upper, duo_pair_addr(dev));
		upper->addr_assign_type = NET_ADDR_STOLEN;
		call_netdevice_notifiers(NETDEV_CHANGEADDR, upper);
		took_addr = true;
	}
	if (is_zero_ether_addr(priv->pair_addr)) {
		ether_addr_copy(priv->pair_addr, duo_pair_addr(dev));
		took_pair = true;
	}

	/* QEMU's failover=on: net_failover lets go of the VF (pv-path/pv.c). */
	if (role == DUO_PATH_VF) {
		freed = duo_pv_standby_free(dev);
	} else {
		if (duo_pv_standby_free_primary(dev))
			duo_pair_kick();	/* auto-pairing may take it as the VF */
		duo_pv_standby_mark(dev, true);	/* before the claim opens it */
	}
	lo = duo_lower_claim(upper, dev, role, duo_handle_frame, follow, extack);
	if (IS_ERR(lo)) {
		if (role == DUO_PATH_PV)
			duo_pv_standby_mark(dev, false);
		/* net_failover takes a device only as it registers. */
		if (freed)
			netdev_warn(dev, "taken from net_failover, not claimed (%ld): unused until it registers again\n",
				    PTR_ERR(lo));
		if (took_pair)
			eth_zero_addr(priv->pair_addr);
		if (took_addr) {
			eth_hw_addr_set(upper, old_addr);
			upper->addr_assign_type = NET_ADDR_RANDOM;
			call_netdevice_notifiers(NETDEV_CHANGEADDR, upper);
		}
		return PTR_ERR(lo);
	}

	WRITE_ONCE(priv->mac_follow, follow);
	if (took_own) {
		netdev_info(upper, "%s keeps its own MAC %pM: a pair with two MACs (pair=), the upper's is the TX path's\n",
			    dev->name, dev->dev_addr);
		own_addrs_back(priv);
	}
	duo_stats_join(priv, lo);
	/* Before it can carry TX: a resetting driver only delays its link. */
	duo_tuning_replay(priv, lo);
	duo_hwtstamp_replay(priv, lo);
	/* The upper's XDP program: the rx handler runs it until the driver does. */
	duo_xdp_join(priv, lo);
	if (role == DUO_PATH_VF) {
		priv->vf_features = dev->features;
		priv->vf_features_valid = true;
		rcu_assign_pointer(priv->vf, lo);
	} else {
		rcu_assign_pointer(priv->pv, lo);
	}
	priv->joins[lo->role]++;
	duo_upper_compute(upper);
	netdev_info(upper, "%s joined as the %s path\n", dev->name,
		    duo_path_name(role));

	duo_lower_event(priv, lo, DUO_EV_VF_REGISTER);
	if (netif_running(dev))
		duo_lower_event(priv, lo, DUO_EV_VF_UP);
	if (duo_lower_can_send(dev))
		duo_lower_event(priv, lo, DUO_EV_VF_CARRIER_ON);
	/* A pair with two MACs made where TX did not move (pv-only). */
	if (took_own)
		duo_follow_tx_addr(priv);
	return 0;
}

void duo_leave(struct duo_priv *priv, struct duo_lower *lo)
{
	struct net_device *upper = priv->dev;
	struct net_device *dev = lo->dev;
	enum duo_path role = lo->role;

	ASSERT_RTNL();
	/* TX moves off it first; then it is unpublished and released. */
	duo_lower_event(priv, lo, DUO_EV_VF_UNREGISTER);
	if (lo->role == DUO_PATH_VF)
		RCU_INIT_POINTER(priv->vf, NULL);
	else
		RCU_INIT_POINTER(priv->pv, NULL);
	/* pv-only without a PV would leave no path: the VF takes over. */
	if (lo->role == DUO_PATH_PV && priv->fo.pv_only) {
		netdev_warn(upper, "pv-only turned off: the PV %s left\n", lo->dev->name);
		duo_path_event(priv, DUO_EV_PV_ONLY_OFF);
	}
	priv->leaves[lo->role]++;
	duo_stats_leave(priv, lo);
	netdev_info(upper, "%s left the %s path\n", lo->dev->name,
		    duo_path_name(lo->role));
	duo_lower_release(lo);
	if (role == DUO_PATH_PV)
		duo_pv_standby_mark(dev, false);
	/* The rx handler is gone (release waited): the driver's program now. */
	duo_xdp_leave(priv, dev, role);
	duo_upper_compute(upper);
}

void duo_leave_all(struct duo_priv *priv)
{
	struct duo_lower *lo;

	ASSERT_RTNL();
	lo = rtnl_dereference(priv->vf);
	if (lo)
		duo_leave(priv, lo);
	lo = rtnl_dereference(priv->pv);
	if (lo)
		duo_leave(priv, lo);
}

void duo_path_init(struct duo_priv *priv)
{
	duo_settings_init(priv);
	priv->path_since_ns = ktime_get_ns();
	INIT_DELAYED_WORK(&priv->announce_work, announce_work_fn);
	INIT_DELAYED_WORK(&priv->policy_work, policy_work_fn);
	INIT_DELAYED_WORK(&priv->rate_work, rate_work_fn);
	duo_reach_init(priv);
}

/* The works retry rather than wait for RTNL: cancelling under it is safe. */
void duo_path_uninit(struct duo_priv *priv)
{
	/* The reverse of init: the reachability check can arm the others. */
	duo_reach_uninit(priv);
	cancel_delayed_work_sync(&priv->rate_work);
	cancel_delayed_work_sync(&priv->policy_work);
	cancel_delayed_work_sync(&priv->announce_work);
}
