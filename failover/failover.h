/* SPDX-License-Identifier: GPL-2.0 */
/*
 * duonet path state machine: which lower carries TX.
 *
 * Plain functions over struct duo_fo: events in, a decision out. Nothing
 * here touches a net_device or takes a lock; the caller serialises calls
 * (core does so under RTNL) and passes the time, so KUnit can drive every
 * event in every state with a fake clock.
 */
#ifndef _DUO_FAILOVER_H
#define _DUO_FAILOVER_H

#include <linux/types.h>

#include "failover/path.h"

enum duo_fo_event {
	DUO_EV_VF_REGISTER,
	DUO_EV_VF_UNREGISTER,	/* also: going down because it is leaving */
	DUO_EV_VF_UP,
	DUO_EV_VF_GOING_DOWN,
	DUO_EV_VF_DOWN,
	DUO_EV_VF_CARRIER_ON,
	DUO_EV_VF_CARRIER_OFF,
	DUO_EV_PV_REGISTER,
	DUO_EV_PV_UNREGISTER,
	DUO_EV_PV_UP,
	DUO_EV_PV_GOING_DOWN,
	DUO_EV_PV_DOWN,
	DUO_EV_PV_CARRIER_ON,
	DUO_EV_PV_CARRIER_OFF,
	DUO_EV_PV_ONLY_ON,
	DUO_EV_PV_ONLY_OFF,
	DUO_EV_ADAPTIVE_ON,	/* the adaptive policy (ethtool priv flag) */
	DUO_EV_ADAPTIVE_OFF,
	DUO_EV_RATE_HIGH,	/* the packet rate reached the high mark */
	DUO_EV_RATE_LOW,	/* ... or fell to the low mark */
	DUO_EV_REACH_ON,	/* the VF reachability check turned on */
	DUO_EV_REACH_OFF,
	DUO_EV_VF_REACH_OK,	/* a target answered through the VF */
	DUO_EV_VF_REACH_LOST,	/* ... no target did for the missed probes */
	DUO_EV_TIMER,		/* the time asked for in recheck_ns came */
	DUO_EV_MAX,
};

/* Why the path changed; ethtool -S counts switches per reason. */
enum duo_switch_reason {
	DUO_SW_NONE,
	DUO_SW_PLUG,		/* a lower joined */
	DUO_SW_UNPLUG,		/* a lower left (hot-unplug, unregister) */
	DUO_SW_CARRIER,		/* link lost or regained */
	DUO_SW_ADMIN,		/* a lower set down or up */
	DUO_SW_PV_ONLY,		/* the pv-only flag */
	DUO_SW_FAILBACK,	/* failback delay or flap hold ended */
	DUO_SW_ADAPTIVE,	/* the adaptive policy, by packet rate */
	DUO_SW_REACH,		/* the VF reachability check */
	DUO_SW_REASON_MAX,
};

/* What the state machine knows of one lower. */
struct duo_fo_lower {
	bool present;
	bool running;		/* admin up and not going down */
	bool carrier;
	bool reachable;		/* VF: a target answered since its link came */
};

struct duo_fo_config {
	u64 failback_delay_ns;	/* VF usable this long before failback */
	u32 damp_flaps;		/* this many VF losses ...		*/
	u64 damp_window_ns;	/* ... within this window ...		*/
	u64 damp_hold_ns;	/* ... keep TX off the VF this long	*/
	u64 adapt_low_pps;	/* adaptive: at or below, the PV	*/
	u64 adapt_high_pps;	/* at or above, the VF (> low)		*/
	u64 adapt_dwell_ns;	/* at least this long between its switches */
};

/* What the adaptive policy knows of the packet rate. */
enum duo_fo_rate {
	DUO_RATE_UNKNOWN,	/* not measured yet: the policy has no say */
	DUO_RATE_LOW,		/* last crossed the low mark */
	DUO_RATE_HIGH,		/* last crossed the high mark */
};

#define DUO_FO_DAMP_MAX	16

struct duo_fo {
	struct duo_fo_config cfg;
	struct duo_fo_lower vf;
	struct duo_fo_lower pv;
	bool pv_only;
	bool adaptive;
	bool reach;		/* the VF reachability check is on */
	enum duo_fo_rate rate;
	u64 adapt_switched;	/* time of the last adaptive switch, 0: none */
	enum duo_path active;
	u64 vf_ready_since;	/* when the VF last became usable, 0: not */
	u64 damped_until;	/* no failback before this time */
	u64 vf_losses[DUO_FO_DAMP_MAX];	/* ring of recent VF loss times */
	u32 vf_loss_next;
	u32 vf_loss_count;	/* entries of vf_losses in use */
	u64 switches[DUO_SW_REASON_MAX];
	u64 switches_to_vf;
	u64 switches_to_pv;
};

struct duo_fo_decision {
	enum duo_path from;
	enum duo_path to;
	enum duo_switch_reason reason;
	bool switched;
	u64 recheck_ns;		/* send DUO_EV_TIMER at this time; 0: none */
};

void duo_fo_init(struct duo_fo *fo, const struct duo_fo_config *cfg);
void duo_fo_set_config(struct duo_fo *fo, const struct duo_fo_config *cfg);
void duo_fo_forget_losses(struct duo_fo *fo);
void duo_fo_default_config(struct duo_fo_config *cfg);
struct duo_fo_decision duo_fo_step(struct duo_fo *fo, enum duo_fo_event ev,
				   u64 now_ns);
bool duo_fo_usable(const struct duo_fo_lower *lo);
bool duo_fo_vf_ok(const struct duo_fo *fo);
enum duo_fo_event duo_fo_rate_event(const struct duo_fo *fo, u64 pps);
const char *duo_switch_reason_name(enum duo_switch_reason reason);
const char *duo_fo_event_name(enum duo_fo_event ev);

#endif /* _DUO_FAILOVER_H */
