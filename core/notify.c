// SPDX-License-Identifier: GPL-2.0
/*
 * Netdevice events: auto-pairing of PVs and VFs, and the events of claimed
 * lowers fed to their upper's state machine.
 *
 * Auto-pairing (module parameter auto=1): every PV (virtio_net, vmxnet3)
 * in the initial network namespace gets an upper "duo%d"; a PCI NIC whose
 * permanent MAC is the PV's joins it as the VF, whichever came first,
 * including devices that existed before the module was loaded. Candidates
 * are marked as lowers at NETDEV_POST_INIT, before their first uevent; the
 * pairing itself runs in a work item that scans all devices under RTNL.
 */
#include <linux/delay.h>
#include <linux/etherdevice.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/slab.h>
#include <linux/xarray.h>
#include <net/net_namespace.h>

#include "core/duonet.h"

bool duo_auto = true;		/* module parameter auto (core/main.c) */

static bool duo_pairing;	/* RTNL: auto-pairing may run */
static DEFINE_XARRAY(duo_logged);	/* ifindexes already logged as taken */
static DEFINE_XARRAY(duo_marked);	/* ifindexes premarked, not yet claimed */
#define DUO_LENT	2		/* duo_marked: premarked, IFF_FAILOVER lent */
static DEFINE_XARRAY(duo_declined);	/* ifindexes the user took out */

/*
 * Saying no. The module parameter skip= lists permanent MACs auto-pairing
 * never takes (a PV or a VF carrying one; an image builder writes it in
 * modprobe.d or on the kernel command line). And a device the user took
 * out of a pair (its upper deleted, or released with nomaster or duoctl)
 * is left as the user left it until it registers again (a new ifindex, a
 * driver reload, a re-plug). Paired by hand again, it can leave only by
 * the user's hand (declined again) or by going away: nothing to undo.
 */
char *duo_skip;			/* module parameter skip (core/main.c) */
#define DUO_SKIP_MAX	16
static u8 duo_skip_addr[DUO_SKIP_MAX][ETH_ALEN];
static unsigned int duo_skip_count;

static int skip_parse(void)
{
	char *list, *cur, *tok;
	int err = 0;

	duo_skip_count = 0;
	if (!duo_skip || !*duo_skip)
		return 0;
	list = kstrdup(duo_skip, GFP_KERNEL);
	if (!list)
		return -ENOMEM;
	cur = list;
	while ((tok = strsep(&cur, ","))) {
		tok = strim(tok);
		if (!*tok)
			continue;
		if (duo_skip_count == DUO_SKIP_MAX) {
			pr_err("skip=: more than %d MAC addresses\n", DUO_SKIP_MAX);
			err = -EINVAL;
			break;
		}
		/* mac_pton() reads 17 characters and ignores what follows. */
		if (strlen(tok) != 3 * ETH_ALEN - 1 ||
		    !mac_pton(tok, duo_skip_addr[duo_skip_count]) ||
		    !is_valid_ether_addr(duo_skip_addr[duo_skip_count])) {
			pr_err("skip=: '%s' is not a unicast MAC address (aa:bb:cc:dd:ee:ff)\n",
			       tok);
			err = -EINVAL;
			break;
		}
		duo_skip_count++;
	}
	kfree(list);
	return err;
}

static bool skipped(const struct net_device *dev)
{
	unsigned int i;

	for (i = 0; i < duo_skip_count; i++)
		if (ether_addr_equal(duo_pair_addr(dev), duo_skip_addr[i]))
			return true;
	return false;
}

/*
 * Not for auto-pairing: listed in skip=, or taken out by the user. Logged
 * once per device by the pairing scan (premark asks before the device
 * has its name, quietly).
 */
static bool said_no(struct net_device *dev, bool quiet)
{
	const char *why = NULL;

	ASSERT_RTNL();
	if (skipped(dev))
		why = "its MAC is in duonet's skip=";
	else if (xa_load(&duo_declined, dev->ifindex))
		why = "taken out of its pair by the user, until it registers again";
	if (!why)
		return false;
	if (!quiet && !xa_insert(&duo_logged, dev->ifindex, xa_mk_value(1), GFP_KERNEL))
		netdev_info(dev, "not pairing it: %s\n", why);
	return true;
}

/* A lower the user takes out of its pair (RTNL): see said_no(). */
void duo_pair_decline(struct net_device *dev)
{
	ASSERT_RTNL();
	if (!duo_pairing || !net_eq(dev_net(dev), &init_net))
		return;
	xa_store(&duo_declined, dev->ifindex, xa_mk_value(1), GFP_KERNEL);
	/* Its line is said again (it may have been logged as taken before). */
	xa_erase(&duo_logged, dev->ifindex);
}

static void pair_work_fn(struct work_struct *work);
static DECLARE_WORK(duo_pair_work, pair_work_fn);

/*
 * The upper in dev's namespace waiting for a lower of this role with dev's
 * MAC, or for a VF, with a MAC pair= pairs with the upper's (core/pairs.c):
 * for a PV, only an auto-created one that lost its PV (the PV driver
 * reloaded, the PV re-plugged), so the pair and its configuration survive.
 */
static struct duo_priv *upper_for(struct net_device *dev, enum duo_path role)
{
	struct net_device *d;

	ASSERT_RTNL();
	for_each_netdev(dev_net(dev), d) {
		struct duo_priv *priv;

		if (!netif_is_duo_upper(d))
			continue;
		priv = netdev_priv(d);
		if (role == DUO_PATH_PV && !priv->auto_created)
			continue;
		if (rtnl_dereference(role == DUO_PATH_VF ? priv->vf : priv->pv))
			continue;
		if (ether_addr_equal(priv->pair_addr, duo_pair_addr(dev)) ||
		    (role == DUO_PATH_VF && !is_zero_ether_addr(priv->pair_addr) &&
		     duo_pairs_listed(priv->pair_addr, duo_pair_addr(dev))))
			return priv;
	}
	return NULL;
}

/* Forget a premark; unmark unless a master has claimed the device since. */
static void premark_drop(struct net_device *dev)
{
	if (xa_erase(&duo_marked, dev->ifindex) &&
	    !netdev_master_upper_dev_get(dev) && !duo_lower_of(dev))
		duo_lower_unmark(dev);
}

static bool owned_elsewhere(struct net_device *dev)
{
	struct net_device *master = netdev_master_upper_dev_get(dev);

	ASSERT_RTNL();
	if (!master && !rtnl_dereference(dev->rx_handler))
		return false;
	/* Once per device: the scan runs again at every registration. */
	if (!xa_insert(&duo_logged, dev->ifindex, xa_mk_value(1), GFP_KERNEL)) {
		if (master)
			netdev_info(dev, "already has a master (%s), not pairing it\n",
				    master->name);
		else
			netdev_info(dev, "another rx handler (macvlan, ipvlan...) owns it, not pairing it\n");
	}
	premark_drop(dev);
	return true;
}

static void pair_scan(void)
{
	struct net_device *dev, *upper;
	struct duo_priv *priv;
	int err;

	ASSERT_RTNL();
	for_each_netdev(&init_net, dev) {
		if (!duo_pv_recognise(dev) || duo_lower_of(dev) || said_no(dev, false) ||
		    owned_elsewhere(dev))
			continue;
		/*
		 * A net_failover master's primary is let go first: its
		 * upper is registered before the join, and net_failover
		 * would log the upper (same MAC, no parent) as a second
		 * primary. The VF loop below then takes it.
		 */
		duo_pv_standby_free_primary(dev);
		priv = upper_for(dev, DUO_PATH_PV);
		if (priv) {
			err = duo_join(priv, dev, DUO_PATH_PV, NULL);
		} else {
			upper = duo_upper_create(&init_net, dev);
			err = PTR_ERR_OR_ZERO(upper);
		}
		if (err) {
			net_warn_ratelimited("cannot pair PV %s: %d\n", dev->name, err);
			premark_drop(dev);
		}
		xa_erase(&duo_marked, dev->ifindex);
	}
	for_each_netdev(&init_net, dev) {
		if (!duo_vf_recognise(dev) || duo_lower_of(dev) || said_no(dev, false))
			continue;
		priv = upper_for(dev, DUO_PATH_VF);
		if (!priv || (!duo_standby_vf(priv, dev) && owned_elsewhere(dev)))
			continue;
		err = duo_join(priv, dev, DUO_PATH_VF, NULL);
		if (err) {
			net_warn_ratelimited("cannot join %s to %s as its VF: %d\n",
					     dev->name, priv->dev->name, err);
			premark_drop(dev);
		}
		xa_erase(&duo_marked, dev->ifindex);
	}
}

static void pair_work_fn(struct work_struct *work)
{
	rtnl_lock();
	if (duo_pairing)
		pair_scan();
	rtnl_unlock();
}

void duo_pair_kick(void)
{
	schedule_work(&duo_pair_work);
}

/* pair= changed (core/pairs.c): a VF left alone may pair now. */
void duo_pair_rescan(void)
{
	ASSERT_RTNL();
	if (duo_pairing)
		duo_pair_kick();
}

/* Before the first uevent: mark what auto-pairing will claim. */
static void premark(struct net_device *dev)
{
	struct duo_priv *priv = NULL;
	struct duo_lower *pv;
	bool lend;

	ASSERT_RTNL();
	if (!duo_pairing || !net_eq(dev_net(dev), &init_net))
		return;
	if (!duo_pv_recognise(dev)) {
		priv = duo_vf_recognise(dev) ? upper_for(dev, DUO_PATH_VF) : NULL;
		if (!priv)
			return;
	}
	/* skip=: never marked (a new device is not declined yet). */
	if (said_no(dev, true))
		return;
	pv = priv ? rtnl_dereference(priv->pv) : NULL;
	lend = pv && duo_pv_standby_master(pv->dev);
	if (xa_insert(&duo_marked, dev->ifindex, xa_mk_value(lend ? DUO_LENT : 1),
		      GFP_KERNEL))
		return;
	duo_lower_mark(dev);
	/*
	 * A VF for an upper whose PV is net_failover's master (QEMU's
	 * failover=on): net/core/failover.c's notifier, before duonet's in
	 * the chain, would take it at NETDEV_REGISTER, and net_failover
	 * then opens it there, in the PCI hot-plug thread, and closes it
	 * again when duonet takes it: the guest stopped answering for the
	 * whole open (34-77 pings lost, 70-154 ms, at every plug in the
	 * lab, also with two vCPUs). That notifier skips failover masters
	 * ("parent events"): flagged as one until duonet's own
	 * NETDEV_REGISTER handler (below), net_failover leaves it alone
	 * and auto-pairing takes it as any other VF (0 lost).
	 */
	if (lend)
		dev->priv_flags |= IFF_FAILOVER;
}

/* The flag premark() lent a VF, given back (REGISTER, or a failed one). */
static void lent_back(struct net_device *dev)
{
	void *entry = xa_load(&duo_marked, dev->ifindex);

	if (entry && xa_to_value(entry) == DUO_LENT) {
		dev->priv_flags &= ~IFF_FAILOVER;
		xa_store(&duo_marked, dev->ifindex, xa_mk_value(1), GFP_KERNEL);
	}
}

/*
 * The carrier watch. A lower's carrier change reaches duonet as
 * NETDEV_CHANGE from linkwatch, which holds an event that is not urgent
 * (a carrier loss, on a device that is no bond or team port) until a
 * second after its last run that was not for urgent events only: a VF
 * losing its link within a second of any device's link event in the
 * system was left up to a second late (in the lab, 147 and 211 pings at
 * 2 ms lost where 4-9 were without the other event). A driver changes
 * the carrier bit itself, at once. So for a while after each event that
 * may mean a linkwatch run (NETDEV_CHANGE, which linkwatch sends for a
 * device that is up; UP, DOWN and REGISTER, after which it often runs
 * for a device it sends nothing for) duonet reads its lowers' carriers
 * every jiffy, and tells a change to the state machine as the notifier
 * would have. The reading takes no lock; RTNL only when a lower's
 * carrier differs from what the state machine knows.
 */
static LIST_HEAD(duo_uppers);		/* RTNL writes, RCU reads */
static u64 duo_cwatch_until_ns;		/* RTNL writes: watch until (ktime) */
/* Off in KUnit suites that must see each event come from the notifier. */
bool duo_cwatch_enabled = true;

static void cwatch_work_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(duo_cwatch_work, cwatch_work_fn);

/*
 * An upper is on the list from NETDEV_REGISTER to NETDEV_UNREGISTER: the
 * core waits for RCU readers after that (unregister_netdevice_many()),
 * before the upper can be freed.
 */
static void cwatch_upper_event(struct net_device *dev, unsigned long event)
{
	struct duo_priv *priv = netdev_priv(dev);

	ASSERT_RTNL();
	/*
	 * Both ways only once: an earlier notifier that fails NETDEV_REGISTER
	 * stops the chain before this one, and the core's unwinding then
	 * sends NETDEV_UNREGISTER to all.
	 */
	if (event == NETDEV_REGISTER && !priv->cwatch_listed) {
		list_add_rcu(&priv->cwatch_node, &duo_uppers);
		priv->cwatch_listed = true;
	} else if (event == NETDEV_UNREGISTER && priv->cwatch_listed) {
		list_del_rcu(&priv->cwatch_node);
		priv->cwatch_listed = false;
	}
}

/* The carrier the state machine should know: false while the lower is down. */
static bool lower_carrier(const struct duo_lower *lo)
{
	return duo_lower_can_send(lo->dev);
}

static bool *known_carrier(struct duo_priv *priv, const struct duo_lower *lo)
{
	return lo->role == DUO_PATH_VF ? &priv->fo.vf.carrier : &priv->fo.pv.carrier;
}

/* A lower's carrier as the data path sees it, told if it changed. RTNL. */
static void lower_carrier_check(struct duo_priv *priv, struct duo_lower *lo)
{
	bool carrier = lower_carrier(lo);

	if (carrier != *known_carrier(priv, lo))
		duo_lower_event(priv, lo, carrier ? DUO_EV_VF_CARRIER_ON :
						    DUO_EV_VF_CARRIER_OFF);
}

/*
 * Whether a lower's carrier differs from the state machine's, read
 * without RTNL (a stale answer costs one more reading). A lower that is
 * down is left to its own events, as the notifier leaves it.
 */
static bool cwatch_differs(struct duo_priv *priv, struct duo_lower *lo)
{
	bool known;

	if (!lo || !(READ_ONCE(lo->dev->flags) & IFF_UP))
		return false;
	/* RTNL writes it: a stale read costs one more reading, no more. */
	known = data_race(*known_carrier(priv, lo));
	return lower_carrier(lo) != known;
}

/* One reading of every upper's lowers; RTNL held. For KUnit too. */
void duo_cwatch_poll(void)
{
	struct duo_lower *lo;
	struct duo_priv *priv;

	ASSERT_RTNL();
	list_for_each_entry(priv, &duo_uppers, cwatch_node) {
		lo = rtnl_dereference(priv->vf);
		if (lo && lo->dev->flags & IFF_UP)
			lower_carrier_check(priv, lo);
		lo = rtnl_dereference(priv->pv);
		if (lo && lo->dev->flags & IFF_UP)
			lower_carrier_check(priv, lo);
	}
}

static void cwatch_work_fn(struct work_struct *work)
{
	struct duo_priv *priv;
	bool differs = false;

	rcu_read_lock();
	list_for_each_entry_rcu(priv, &duo_uppers, cwatch_node) {
		if (cwatch_differs(priv, rcu_dereference(priv->vf)) ||
		    cwatch_differs(priv, rcu_dereference(priv->pv))) {
			differs = true;
			break;
		}
	}
	rcu_read_unlock();
	if (differs) {
		/* Contended: read again in a jiffy rather than wait. */
		if (!rtnl_trylock())
			goto again;
		duo_cwatch_poll();
		rtnl_unlock();
	}
	if (ktime_get_ns() >= READ_ONCE(duo_cwatch_until_ns))
		return;
again:
	queue_delayed_work(DUO_COMPAT_WQ, &duo_cwatch_work, 1);
}

/*
 * For how long: NETDEV_CHANGE comes from a linkwatch run, which holds
 * later events for a second. After UP, DOWN or REGISTER, a carrier change
 * of a device that is not running (a driver's stop, a probe after its
 * register) is itself not urgent: the run it makes may come a second
 * later and hold for a second more. A quarter second more than each; a
 * window under way is never shortened.
 */
static void cwatch_arm(u64 span_ns)
{
	u64 until = ktime_get_ns() + span_ns + NSEC_PER_SEC / 4;

	ASSERT_RTNL();
	if (!duo_cwatch_enabled || list_empty(&duo_uppers))
		return;
	if (until > READ_ONCE(duo_cwatch_until_ns))
		WRITE_ONCE(duo_cwatch_until_ns, until);
	queue_delayed_work(DUO_COMPAT_WQ, &duo_cwatch_work, 1);
}

static int duo_netdev_event(struct notifier_block *nb, unsigned long event,
			    void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct duo_lower *lo;
	struct duo_priv *priv;

	switch (event) {
	case NETDEV_CHANGE:
		cwatch_arm(NSEC_PER_SEC);
		break;
	case NETDEV_UP:
	case NETDEV_DOWN:
	case NETDEV_REGISTER:
		cwatch_arm(2 * NSEC_PER_SEC);
		break;
	}
	if (netif_is_duo_upper(dev)) {
		cwatch_upper_event(dev, event);
		return NOTIFY_DONE;
	}

	switch (event) {
	case NETDEV_POST_INIT:
		premark(dev);
		return NOTIFY_DONE;
	case NETDEV_REGISTER:
		/*
		 * The flag premark() lent a VF (above), failover.ko's notifier
		 * having run: it is registered before duonet's, as duonet.ko
		 * needs failover.ko's failover_slave_unregister().
		 */
		lent_back(dev);
		if (duo_pairing && (duo_pv_recognise(dev) || duo_vf_recognise(dev)))
			duo_pair_kick();
		return NOTIFY_DONE;
	case NETDEV_UNREGISTER:
		/* The ifindexes kept are those of the initial namespace. */
		if (net_eq(dev_net(dev), &init_net)) {
			lent_back(dev);
			xa_erase(&duo_logged, dev->ifindex);
			xa_erase(&duo_marked, dev->ifindex);
			xa_erase(&duo_declined, dev->ifindex);
		}
		break;
	case NETDEV_CHANGEADDR:
		/* A VF whose MAC was set after it registered (through its PF). */
		if (duo_pairing && !duo_lower_of(dev) && duo_vf_recognise(dev))
			duo_pair_kick();
		break;
	}

	lo = duo_lower_of(dev);
	if (!lo && event == NETDEV_NOTIFY_PEERS && netif_is_failover_slave(dev)) {
		/*
		 * QEMU's failover=on: virtio_net's netdev is the standby port
		 * of the net_failover master that is duonet's PV, and the
		 * host's announce request (after a live migration) reaches
		 * that netdev; net_failover does not pass it on.
		 */
		struct net_device *master = netdev_master_upper_dev_get(dev);

		lo = master ? duo_lower_of(master) : NULL;
		if (lo)
			duo_announce(netdev_priv(lo->upper));
		return NOTIFY_DONE;
	}
	if (!lo)
		return NOTIFY_DONE;
	priv = netdev_priv(lo->upper);

	switch (event) {
	case NETDEV_UNREGISTER:
		duo_leave(priv, lo);
		break;
	case NETDEV_GOING_DOWN:
		/* Going away (hot-unplug): say so, it is the earliest sign. */
		duo_lower_event(priv, lo, dev->dismantle ? DUO_EV_VF_UNREGISTER :
						      DUO_EV_VF_GOING_DOWN);
		break;
	case NETDEV_DOWN:
		duo_lower_event(priv, lo, DUO_EV_VF_DOWN);
		break;
	case NETDEV_UP:
		/*
		 * The carrier first: it was not followed while the lower was
		 * down (many drivers turn it off in their open and on when
		 * the link is up), and UP with a stale one would make the
		 * lower usable for a moment.
		 */
		lower_carrier_check(priv, lo);
		duo_lower_event(priv, lo, DUO_EV_VF_UP);
		break;
	case NETDEV_CHANGE:
		lower_carrier_check(priv, lo);
		break;
	case NETDEV_NOTIFY_PEERS:
		/*
		 * The host asks a lower to announce itself, e.g. virtio-net
		 * after a live migration; the addresses are the upper's.
		 */
		duo_announce(priv);
		break;
	case NETDEV_CHANGEADDR:
		/* A pair with two MACs: the TX lower's own changed (its PF). */
		if (priv->mac_follow)
			duo_follow_tx_addr(priv);
		break;
	case NETDEV_FEAT_CHANGE:
		if (lo->role == DUO_PATH_VF)
			priv->vf_features = dev->features;
		duo_upper_compute(lo->upper);
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block duo_notifier = {
	.notifier_call = duo_netdev_event,
};

/*
 * How long a VF's removal waits, at most, for a unicast frame on the PV
 * (vf_going()). Without the wait, 4 of 40 igbvf removals on 6.1 beside
 * two busy loops lost the frames of one gap (2-4 probes at 2 ms;
 * tools/vm/unplug-loop.sh 6.1.0-57-amd64 40 2); with it, 0 of 40.
 */
#define DUO_VF_SETTLE_MS 50

/*
 * The VF watch's word (vf-path/vf.c): dev's PCI device is losing its
 * driver. TX and the peers move to the PV now. If that took TX off this VF
 * and the VF can still receive (a removal, not a device already gone from
 * the bus), the removal is held until the PV has received a unicast frame
 * (the host's switch has learnt the PV's port), for about DUO_VF_SETTLE_MS
 * at most: frames the switch sent to the VF before it learnt still arrive
 * there meanwhile, and the VF takes them; once its driver's teardown has
 * begun, they are lost. The wait holds the PCI device's lock, not RTNL.
 */
static void vf_going(struct net_device *dev, bool receives)
{
	struct net_device *upper = NULL;
	struct duo_priv *priv = NULL;
	struct duo_lower *lo;
	ktime_t start;

	rtnl_lock();
	lo = duo_lower_of(dev);
	if (lo && lo->role == DUO_PATH_VF) {
		struct duo_lower *tx;
		bool was_tx;

		priv = netdev_priv(lo->upper);
		was_tx = rtnl_dereference(priv->tx) == lo;
		/* Armed first: a frame on the PV right after the switch counts. */
		WRITE_ONCE(priv->pv_unicast_wait, was_tx && receives);
		duo_lower_event(priv, lo, DUO_EV_VF_UNREGISTER);
		tx = rtnl_dereference(priv->tx);
		if (was_tx && receives && tx && tx->role == DUO_PATH_PV &&
		    netif_running(priv->dev)) {
			upper = priv->dev;
			dev_hold(upper);
		} else {
			WRITE_ONCE(priv->pv_unicast_wait, false);
		}
	}
	rtnl_unlock();
	if (!upper)
		return;

	/* priv lives as long as upper's reference (duo_destructor). */
	start = ktime_get();
	while (READ_ONCE(priv->pv_unicast_wait) &&
	       ktime_ms_delta(ktime_get(), start) < DUO_VF_SETTLE_MS)
		usleep_range(1000, 2000);
	if (!READ_ONCE(priv->pv_unicast_wait))
		usleep_range(1000, 2000);	/* for what the VF holds already */
	WRITE_ONCE(priv->pv_unicast_wait, false);
	netdev_dbg(upper, "VF removal held %lld us for the PV\n",
		   ktime_us_delta(ktime_get(), start));
	dev_put(upper);
}

int duo_notify_init(void)
{
	int err;

	err = register_netdevice_notifier(&duo_notifier);
	if (err)
		return err;
	err = duo_vf_watch_init(vf_going);
	if (err)
		goto err_unregister_netdevice_notifier;
	return 0;

err_unregister_netdevice_notifier:
	unregister_netdevice_notifier(&duo_notifier);
	return err;
}

void duo_notify_uninit(void)
{
	duo_vf_watch_uninit();
	unregister_netdevice_notifier(&duo_notifier);
	/* Nothing arms it now; a reading under way may queue the next. */
	cancel_delayed_work_sync(&duo_cwatch_work);
	xa_destroy(&duo_logged);
	xa_destroy(&duo_marked);
	xa_destroy(&duo_declined);
}

int duo_pair_init(void)
{
	int err = skip_parse();

	if (err)
		return err;
	if (!duo_auto)
		return 0;
	rtnl_lock();
	duo_pairing = true;
	rtnl_unlock();
	duo_pair_kick();
	return 0;
}

void duo_pair_uninit(void)
{
	struct net_device *dev;
	unsigned long idx;
	void *entry;

	rtnl_lock();
	duo_pairing = false;
	rtnl_unlock();
	cancel_work_sync(&duo_pair_work);

	/* Premarked devices that were never claimed are plain again. */
	rtnl_lock();
	xa_for_each(&duo_marked, idx, entry) {
		dev = __dev_get_by_index(&init_net, idx);
		if (dev)
			premark_drop(dev);
	}
	rtnl_unlock();
}
