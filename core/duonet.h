/* SPDX-License-Identifier: GPL-2.0 */
/*
 * duonet private header, shared by the files of core/.
 *
 * Lock order:
 *   device_lock of a PCI device (the VF watch's bus notifier, vf-path/vf.c)
 *     RTNL
 *       duo_priv.stats_lock (spinlock, BH off)
 *   upper's addr_list_lock
 *     lower's addr_list_lock (dev_uc/mc_sync_multiple)
 *
 * RTNL serialises every control path: joining and releasing lowers, the
 * state machine (duo_priv.fo), the switch itself, the settings, and the
 * list of uppers. Works that need RTNL take it with rtnl_trylock() and
 * retry, so cancelling them under RTNL cannot deadlock.
 * The data path (core/datapath.c) takes no lock: it reads duo_priv.tx,
 * .vf and .pv under RCU (BH) and counts in per-CPU counters.
 */
#ifndef _DUO_DUONET_H
#define _DUO_DUONET_H

#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/netdevice.h>
#include <linux/moduleparam.h>
#include <linux/siphash.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>
#include <net/rtnetlink.h>
#include <net/sch_generic.h>

#include "compat/compat.h"
#include "core/uapi.h"
#include "failover/failover.h"
#include "lower/lower.h"
#include "pv-path/pv.h"
#include "vf-path/vf.h"

#define DUO_DRV_NAME	"duonet"
#define DUO_DRV_VERSION	"0.4.0"
#define DUO_MAX_TX_QUEUES	64

/*
 * Transmit offloads the upper offers (core/features.c): what a lower
 * lacks of them it does in software, once, in its own dev_queue_xmit().
 */
#define DUO_TX_FEATURES		(NETIF_F_SG | NETIF_F_HW_CSUM | \
				 NETIF_F_FRAGLIST | NETIF_F_HIGHDMA | \
				 NETIF_F_GSO_SOFTWARE | NETIF_F_GSO_ENCAP_ALL)
/* What MPLS frames may take (7.x's MASTER_UPPER_DEV_MPLS_FEATURES). */
#define DUO_MPLS_FEATURES	(NETIF_F_HW_CSUM | NETIF_F_SG | \
				 NETIF_F_GSO_SOFTWARE)
/* The same for tunnelled frames (bonding's BOND_ENC_FEATURES). */
#define DUO_ENC_FEATURES	(NETIF_F_HW_CSUM | NETIF_F_SG | \
				 NETIF_F_RXCSUM | NETIF_F_GSO_SOFTWARE | \
				 NETIF_F_GSO_ENCAP_ALL)

struct duo_pcpu_stats {
	u64_stats_t tx_packets[DUO_PATH_MAX];
	u64_stats_t tx_bytes[DUO_PATH_MAX];
	u64_stats_t tx_dropped[DUO_PATH_MAX];
	u64_stats_t rx_packets[DUO_PATH_MAX];
	u64_stats_t rx_bytes[DUO_PATH_MAX];
	u64_stats_t tx_dropped_no_path;
	u64_stats_t tx_redirected;	/* VF had no link: sent on the PV */
	u64_stats_t tx_hinted[DUO_PATH_MAX];	/* path hint taken */
	u64_stats_t tx_hint_fallback;	/* path hint not taken */
	u64_stats_t rx_own_echo;	/* our own frames, echoed: dropped */
	u64_stats_t rx_flood_dup;	/* the other path's copy: dropped */
	u64_stats_t rx_reach_answers;	/* reachability answers on the VF */
	struct u64_stats_sync syncp;
};

/* Sums of the per-CPU counters. */
struct duo_path_totals {
	u64 tx_packets[DUO_PATH_MAX];
	u64 tx_bytes[DUO_PATH_MAX];
	u64 tx_dropped[DUO_PATH_MAX];
	u64 rx_packets[DUO_PATH_MAX];
	u64 rx_bytes[DUO_PATH_MAX];
	u64 tx_dropped_no_path;
	u64 tx_redirected;
	u64 tx_hinted[DUO_PATH_MAX];
	u64 tx_hint_fallback;
	u64 rx_own_echo;
	u64 rx_flood_dup;
	u64 rx_reach_answers;
};

/* Lower error counters folded into the upper, across departures. */
struct duo_err_stats {
	u64 rx_errors;
	u64 tx_errors;
	u64 rx_dropped;
	u64 tx_dropped;
	u64 rx_missed_errors;
	u64 multicast;
};

/*
 * Receive offloads of the lowers that ethtool -K on the upper sets
 * (core/tuning.c); the upper's own bits are the user's wish.
 */
#define DUO_RX_FEATURES	(NETIF_F_RXCSUM | NETIF_F_RXHASH | NETIF_F_LRO | \
			 NETIF_F_GRO_HW | NETIF_F_HW_VLAN_CTAG_RX)

struct duo_ring {
	struct ethtool_ringparam r;
	struct kernel_ethtool_ringparam k;
};

struct duo_coal {
	struct ethtool_coalesce c;
	struct kernel_ethtool_coalesce k;
};

struct duo_chan {
	struct ethtool_channels c;
};

/* Hardware timestamping the user set on the upper (core/hwtstamp.c). */
struct duo_hwts {
	bool set;			/* not off: given to a joining lower */
	int flags;			/* struct hwtstamp_config's */
	int tx_type;
	int rx_filter;
};

/* What the user set with ethtool on the upper, replayed on every lower. */
struct duo_tuning {
	u32 ring_mask;			/* fields set: bit i of ring_fields[] */
	struct duo_ring ring;
	u32 coal_mask;			/* ETHTOOL_COALESCE_* */
	struct duo_coal coal;
	u32 chan_mask;
	struct duo_chan chan;
	netdev_features_t feat_mask;	/* DUO_RX_FEATURES set */
	netdev_features_t feat;
	u32 *rss_indir;			/* RSS table set (kmalloc), or NULL */
	u32 rss_indir_size;
	u8 *rss_key;			/* RSS key set (kmalloc), or NULL */
	u32 rss_key_size;
	u8 rss_hfunc;			/* ETH_RSS_HASH_NO_CHANGE: not set */
	struct duo_hwts hwts;
	u64 refused[DUO_PATH_MAX];	/* a lower could not take something */
	bool in_set_features;		/* duo_set_features() running */
};

/* The peer announcements after a switch (core/path.c). */
struct duo_announce_cfg {
	u32 count;
	u32 interval_ms;		/* between them */
};

/*
 * The upper's settings, one table (core/settings.c): each one's rtnetlink
 * attribute, range, ethtool private flag or module parameter.
 */
enum duo_set {
	DUO_SET_ANNOUNCE_COUNT,
	DUO_SET_ANNOUNCE_INTERVAL_MS,
	DUO_SET_FAILBACK_DELAY_MS,
	DUO_SET_DAMP_FLAPS,
	DUO_SET_DAMP_WINDOW_MS,
	DUO_SET_DAMP_HOLD_MS,
	DUO_SET_HINT_MASK,
	DUO_SET_ADAPTIVE_LOW_PPS,
	DUO_SET_ADAPTIVE_HIGH_PPS,
	DUO_SET_ADAPTIVE_DWELL_MS,
	DUO_SET_REACH_INTERVAL_MS,
	DUO_SET_REACH_MISSED,
	DUO_SET_PV_ONLY,		/* ethtool private flag 0 */
	DUO_SET_ADAPTIVE,		/* ethtool private flag 1 */
	DUO_SET_MAX,
};

/* Settings of a request: every value, the request's own marked given. */
struct duo_setvals {
	u32 v[DUO_SET_MAX];
	u32 given;			/* BIT(enum duo_set) */
};

/*
 * The adaptive policy's rate (core/path.c): sampled every 250 ms, measured
 * over the last four samples (a second), so a stall of the traffic for one
 * sample period lowers it by a quarter at most.
 */
#define DUO_RATE_PERIOD_MS	250
#define DUO_RATE_SAMPLES	4

/*
 * Broadcast and multicast frames a host floods to both paths, paired so
 * the stack sees each once (core/dedup.c): a direct-mapped table of the
 * frames delivered last, with the path each came on.
 */
#define DUO_DEDUP_SLOTS		256
#define DUO_DEDUP_LOCKS		16
#define DUO_DEDUP_WINDOW_NS	(20 * NSEC_PER_MSEC)
#define DUO_DEDUP_BYTES		128

struct duo_dedup_entry {
	u64 key;
	u64 ns;			/* the last copy delivered */
	u8 path;		/* the path it came on */
	u8 unpaired;		/* copies delivered, not yet met on the other */
};

struct duo_dedup {
	siphash_key_t salt;
	spinlock_t lock[DUO_DEDUP_LOCKS];	/* entry i: lock[i % LOCKS] */
	struct duo_dedup_entry e[DUO_DEDUP_SLOTS];
};

/*
 * The VF reachability check (core/reach.c): targets asked through the VF
 * every interval; no answer for `missed` intervals takes TX from it.
 */
#define DUO_REACH_TARGETS	IFLA_DUONET_REACH_TARGETS_MAX
#define DUO_REACH_MISSED	2	/* default, as bonding's arp_missed_max */
#define DUO_REACH_MIN_MS	10

struct duo_reach_cfg {
	u32 interval_ms;			/* 0: off */
	u32 missed;				/* 1..255 */
	__be32 ip4[DUO_REACH_TARGETS];		/* packed from 0; 0 ends */
	struct in6_addr ip6[DUO_REACH_TARGETS];	/* packed from 0; :: ends */
};

struct duo_reach {
	struct duo_reach_cfg cfg;	/* RTNL writes; the data path reads */
	u64 answer_ns;			/* the last answer (data path), ktime */
	bool proven;			/* fo.vf.reachable, for the data path */
	bool vf_usable;			/* RTNL: the VF's link, as last seen */
	u64 since_ns;			/* RTNL: answers count from here */
	unsigned long next_probe;	/* RTNL */
	u64 round_ns;			/* RTNL: the last round of probes; one
					 * was sent since since_ns if later
					 */
	u32 silent;			/* RTNL: of them, unanswered in a row */
	bool warned_ip6;		/* RTNL: IPv6 off on the VF, said */
	u64 probes;			/* RTNL */
	u64 lost;			/* RTNL: times the VF stopped answering */
	struct delayed_work work;
};

/* The upper device's private area. */
struct duo_priv {
	struct net_device *dev;
	struct duo_lower __rcu *vf;	/* written under RTNL */
	struct duo_lower __rcu *pv;
	struct duo_lower __rcu *tx;	/* the active TX path, or NULL */
	struct duo_fo fo;		/* RTNL */
	struct duo_announce_cfg announce;	/* RTNL */
	bool auto_created;		/* by auto-pairing, over its PV */
	u8 pair_addr[ETH_ALEN];		/* permanent MAC lowers must carry */
	/*
	 * RTNL writes, the data path reads: a pair with two MACs (pair=):
	 * each lower keeps its own, the upper's is its TX path's. Set when
	 * such a pair forms; kept for the upper's life.
	 */
	bool mac_follow;
	netdev_features_t vf_features;	/* last VF's, kept while it is away */
	bool vf_features_valid;
	struct bpf_prog __rcu *xdp_prog;	/* XDP on the upper (core/xdp.c) */
	bool xdp_native[DUO_PATH_MAX];	/* the lower's driver runs it */
	u32 hint_mask;			/* RTNL writes, data path reads */
	bool hint_ok[DUO_PATH_MAX];	/* a hint may take the path: ditto */

	struct duo_pcpu_stats __percpu *pcpu;
	spinlock_t stats_lock;		/* protects the three below */
	struct net_device *err_dev[DUO_PATH_MAX];	/* lowers counted */
	struct duo_err_stats err_last[DUO_PATH_MAX];	/* lower's, last read */
	struct duo_err_stats err_sum;	/* all lowers', up to the last read */
	u64 last_switch_usecs;		/* RTNL writes, readers tolerate */
	u64 max_switch_usecs;
	u64 path_ns[DUO_PATH_MAX];	/* RTNL: time on each path, closed */
	u64 path_since_ns;		/* RTNL: when the active path began */
	struct duo_tuning tune;		/* RTNL */
	u64 joins[DUO_PATH_MAX];
	u64 leaves[DUO_PATH_MAX];

	struct list_head cwatch_node;	/* core/notify.c's uppers (RCU) */
	bool cwatch_listed;		/* RTNL: on that list */
	struct delayed_work announce_work;
	u32 announce_left;		/* RTNL */
	struct delayed_work policy_work;
	struct delayed_work rate_work;	/* the adaptive policy's sampling */
	/* RTNL: the last DUO_RATE_SAMPLES samples (packets, time), oldest
	 * at rate_next: the rate is measured over the last second.
	 */
	u64 rate_packets[DUO_RATE_SAMPLES];
	u64 rate_ns[DUO_RATE_SAMPLES];
	unsigned int rate_next;
	struct duo_dedup dedup;		/* data path (core/dedup.c) */
	struct duo_reach reach;		/* core/reach.c */
	/*
	 * Set by a VF's PCI unbind while it waits for the PV (core/notify.c),
	 * cleared by the data path at the first unicast frame on the PV.
	 */
	bool pv_unicast_wait;
};

extern struct rtnl_link_ops duo_link_ops;
extern const struct ethtool_ops duo_ethtool_ops;
extern bool duo_auto;
extern char *duo_skip;

static inline bool netif_is_duo_upper(const struct net_device *dev)
{
	return dev->rtnl_link_ops == &duo_link_ops;
}

/* core/netdev.c */
int duo_netdev_init(void);
void duo_netdev_uninit(void);
struct net_device *duo_upper_create(struct net *net, struct net_device *pv);

/* core/features.c */
netdev_features_t duo_features_common(netdev_features_t features,
				      const netdev_features_t *pv,
				      const netdev_features_t *vf,
				      const netdev_features_t *vf_kept);
void duo_upper_compute(struct net_device *dev);

/* core/path.c */
bool duo_standby_vf(struct duo_priv *priv, struct net_device *dev);
enum duo_path duo_lower_detect_role(const struct net_device *dev);
int duo_join(struct duo_priv *priv, struct net_device *dev, enum duo_path role,
	     struct netlink_ext_ack *extack);
void duo_leave(struct duo_priv *priv, struct duo_lower *lo);
void duo_leave_all(struct duo_priv *priv);
void duo_path_event(struct duo_priv *priv, enum duo_fo_event ev);
void duo_follow_tx_addr(struct duo_priv *priv);
void duo_announce(struct duo_priv *priv);
void duo_lower_event(struct duo_priv *priv, struct duo_lower *lo,
		     enum duo_fo_event vf_ev);
void duo_adaptive(struct duo_priv *priv, bool on);
void duo_path_init(struct duo_priv *priv);
extern bool duo_cwatch_enabled;
void duo_cwatch_poll(void);
void duo_path_uninit(struct duo_priv *priv);

/* core/settings.c */
extern u32 duo_set_defaults[DUO_SET_MAX];
extern const struct kernel_param_ops duo_set_param_ops;
void duo_settings_policy(struct nla_policy *policy);
void duo_settings_read(const struct duo_priv *priv, struct duo_setvals *s);
void duo_settings_from_nl(struct duo_setvals *s, struct nlattr *data[]);
u32 duo_settings_pflags(const struct duo_priv *priv);
void duo_settings_from_pflags(struct duo_setvals *s, u32 flags);
int duo_settings_pflag_count(void);
void duo_settings_pflag_names(u8 *data);
int duo_settings_check(const struct duo_priv *priv, const struct duo_setvals *s,
		       const struct duo_reach_cfg *targets, bool pv_after,
		       struct nlattr *data[], struct netlink_ext_ack *extack);
int duo_settings_check_lowers(const struct duo_priv *priv, struct duo_setvals *s,
			      const struct duo_reach_cfg *targets,
			      struct nlattr *data[], struct netlink_ext_ack *extack);
void duo_settings_apply(struct duo_priv *priv, const struct duo_setvals *s,
			const struct duo_reach_cfg *targets);
size_t duo_settings_size(void);
int duo_settings_fill(struct sk_buff *skb, const struct duo_priv *priv);
void duo_settings_init(struct duo_priv *priv);

/* core/netlink.c */
extern struct nla_policy duo_nl_policy[];
int duo_changelink(struct net_device *dev, struct nlattr *tb[],
		   struct nlattr *data[], struct netlink_ext_ack *extack);
size_t duo_get_size(const struct net_device *dev);
int duo_fill_info(struct sk_buff *skb, const struct net_device *dev);
size_t duo_get_slave_size(const struct net_device *upper,
			  const struct net_device *lower);
int duo_fill_slave_info(struct sk_buff *skb, const struct net_device *upper,
			const struct net_device *lower);

/* core/datapath.c */
netdev_tx_t duo_start_xmit(struct sk_buff *skb, struct net_device *dev);
u16 duo_select_queue(struct net_device *dev, struct sk_buff *skb,
		     struct net_device *sb_dev);
rx_handler_result_t duo_handle_frame(struct sk_buff **pskb);

/* core/dedup.c */
void duo_dedup_init(struct duo_dedup *d);
u64 duo_dedup_key(const struct duo_dedup *d, const struct sk_buff *skb);
bool duo_dedup_seen(struct duo_dedup *d, u64 key, enum duo_path path,
		    u64 now_ns);
bool duo_dedup_rx(struct duo_dedup *d, const struct sk_buff *skb,
		  enum duo_path path);

/* core/stats.c */
void duo_get_stats64(struct net_device *dev, struct rtnl_link_stats64 *s);
void duo_path_totals(struct duo_priv *priv, struct duo_path_totals *t);
void duo_stats_join(struct duo_priv *priv, struct duo_lower *lo);
void duo_stats_leave(struct duo_priv *priv, struct duo_lower *lo);
u64 duo_counter_delta(u64 now, u64 last);
void duo_err_fold(struct duo_err_stats *sum, struct duo_err_stats *last,
		  const struct duo_err_stats *now);

/* core/tuning.c */
void duo_get_ringparam(struct net_device *dev, struct ethtool_ringparam *ring,
		       struct kernel_ethtool_ringparam *kring,
		       struct netlink_ext_ack *extack);
int duo_set_ringparam(struct net_device *dev, struct ethtool_ringparam *ring,
		      struct kernel_ethtool_ringparam *kring,
		      struct netlink_ext_ack *extack);
int duo_get_coalesce(struct net_device *dev, struct ethtool_coalesce *coal,
		     struct kernel_ethtool_coalesce *kcoal,
		     struct netlink_ext_ack *extack);
int duo_set_coalesce(struct net_device *dev, struct ethtool_coalesce *coal,
		     struct kernel_ethtool_coalesce *kcoal,
		     struct netlink_ext_ack *extack);
void duo_get_channels(struct net_device *dev, struct ethtool_channels *ch);
int duo_set_channels(struct net_device *dev, struct ethtool_channels *ch);
int duo_set_features(struct net_device *dev, netdev_features_t features);
void duo_tuning_replay(struct duo_priv *priv, struct duo_lower *lo);
void duo_tuning_free(struct duo_priv *priv);
u32 duo_get_rxfh_indir_size(struct net_device *dev);
u32 duo_get_rxfh_key_size(struct net_device *dev);
u32 duo_rx_ring_count(struct net_device *dev);
#if DUO_COMPAT_RXFH_PARAM
int duo_get_rxfh(struct net_device *dev, struct ethtool_rxfh_param *p);
int duo_set_rxfh(struct net_device *dev, struct ethtool_rxfh_param *p,
		 struct netlink_ext_ack *extack);
#else
int duo_get_rxfh(struct net_device *dev, u32 *indir, u8 *key, u8 *hfunc);
int duo_set_rxfh(struct net_device *dev, const u32 *indir, const u8 *key,
		 const u8 hfunc);
#endif

/* core/xdp.c */
int duo_xdp(struct net_device *dev, struct netdev_bpf *bpf);
int duo_xdp_xmit(struct net_device *dev, int n, struct xdp_frame **frames,
		 u32 flags);
bool duo_xdp_rx(struct duo_priv *priv, enum duo_path path, struct sk_buff **pskb);
int duo_xdp_check_lower(struct duo_priv *priv, struct net_device *dev,
			struct netlink_ext_ack *extack);
void duo_xdp_join(struct duo_priv *priv, struct duo_lower *lo);
void duo_xdp_leave(struct duo_priv *priv, struct net_device *dev,
		   enum duo_path path);

/* core/hwtstamp.c */
int duo_get_ts_info(struct net_device *dev, struct duo_compat_ts_info *info);
#if DUO_COMPAT_HWTSTAMP_NDO
int duo_hwtstamp_get(struct net_device *dev, struct kernel_hwtstamp_config *cfg);
int duo_hwtstamp_set(struct net_device *dev, struct kernel_hwtstamp_config *cfg,
		     struct netlink_ext_ack *extack);
#else
int duo_eth_ioctl(struct net_device *dev, struct ifreq *ifr, int cmd);
#endif
void duo_hwtstamp_replay(struct duo_priv *priv, struct duo_lower *lo);

/* core/reach.c */
void duo_reach_rx(struct duo_priv *priv, const struct sk_buff *skb);
void duo_reach_update(struct duo_priv *priv);
void duo_reach_set(struct duo_priv *priv, const struct duo_reach_cfg *cfg);
void duo_reach_init(struct duo_priv *priv);
void duo_reach_uninit(struct duo_priv *priv);

/* core/notify.c */
int duo_notify_init(void);
void duo_notify_uninit(void);
int duo_pair_init(void);
void duo_pair_uninit(void);
void duo_pair_kick(void);
void duo_pair_rescan(void);
void duo_pair_decline(struct net_device *dev);

/* core/pairs.c */
int duo_pairs_set(const char *val);
bool duo_pairs_listed(const u8 *a, const u8 *b);

/*
 * A lower that can send now: running, with carrier, and its qdisc
 * attached. A driver's netif_carrier_on() sets the flag at once, but the
 * lower's queues keep the noop qdisc (which drops everything) until
 * linkwatch runs dev_activate(), then NETDEV_CHANGE follows. Taking the
 * flag alone, TX moved to a VF whose frames were dropped for that window
 * (52 ms on the debug kernel: 26 probes after a re-plug whose link came
 * up before the join). "Not attached yet" is txq 0's live qdisc differing
 * from the one it keeps (qdisc_sleeping), linkwatch's own test
 * (qdisc_tx_changing()): a noop qdisc the admin left there (an mq child
 * deleted) is both, and does not hold the VF back. Under RTNL a pending
 * activation means linkwatch's NETDEV_CHANGE is still to come.
 */
static inline bool duo_lower_can_send(const struct net_device *dev)
{
	struct netdev_queue *txq = netdev_get_tx_queue(dev, 0);

	return netif_running(dev) && netif_carrier_ok(dev) &&
	       rcu_access_pointer(txq->qdisc) ==
	       rcu_access_pointer(txq->qdisc_sleeping);
}

/*
 * The lower on a path (DUO_PATH_VF or DUO_PATH_PV), or NULL. For what runs
 * under RTNL (all ndo ops but ndo_set_rx_mode, which uses RCU; ethtool).
 */
static inline struct duo_lower *duo_lower_at(struct duo_priv *priv, int path)
{
	ASSERT_RTNL();
	return rtnl_dereference(path == DUO_PATH_VF ? priv->vf : priv->pv);
}

/* The lower on the first path from *path on that has one; NULL past the last. */
static inline struct duo_lower *duo_lower_from(struct duo_priv *priv, int *path)
{
	struct duo_lower *lo;

	for (; *path < DUO_PATH_MAX; (*path)++) {
		lo = duo_lower_at(priv, *path);
		if (lo)
			return lo;
	}
	return NULL;
}

/*
 * Each lower there is, VF first, with its path (an int: a loop that undoes
 * what it did walks back to DUO_PATH_VF with duo_lower_at()). RTNL. After
 * a break, path is lo's role; after the last, DUO_PATH_MAX.
 */
#define duo_for_each_lower(priv, lo, path)				\
	for ((path) = DUO_PATH_VF; ((lo) = duo_lower_from(priv, &(path))); (path)++)

/* The lower of one of our uppers that dev is, or NULL. RTNL held. */
static inline struct duo_lower *duo_lower_of(const struct net_device *dev)
{
	if (rtnl_dereference(dev->rx_handler) != duo_handle_frame)
		return NULL;
	return rtnl_dereference(dev->rx_handler_data);
}

#endif /* _DUO_DUONET_H */
