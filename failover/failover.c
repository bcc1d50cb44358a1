// SPDX-License-Identifier: GPL-2.0
/*
 * duonet path state machine (see failover.h).
 *
 * Policy vf-first: TX on the VF while it is present, running and has
 * carrier; otherwise on the PV. A returning VF gets TX back once it has
 * carrier, after the failback delay, and not while flap damping holds it
 * off. pv-only: TX on the PV whatever the VF does. When no path has
 * carrier, TX stays where it is (or goes to any present path): frames then
 * wait in or are dropped by that lower, as on a plain NIC without link.
 *
 * Policy adaptive (on top of vf-first, under pv-only): while both paths
 * are usable and the packet rate is known, TX is on the PV when the rate
 * last fell to the low mark and on the VF when it last reached the high
 * mark (hysteresis: between the marks nothing changes); two switches of
 * this policy are at least the dwell time apart; the VF still waits for
 * its failback delay and flap hold. It never moves TX to a path that is
 * not usable: link and presence decide as without it.
 *
 * The VF reachability check (core/reach.c), when on, adds a condition
 * for the VF to be usable: a target answered through it since its link
 * last came (or, turned on while TX is on the VF, it has not yet missed
 * its answers). A VF that loses its link, goes down or joins again must
 * answer again before it gets TX back; a VF that stops answering loses TX
 * as on a carrier loss (counted for damping as one).
 */
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/time64.h>

#include "failover/failover.h"

void duo_fo_default_config(struct duo_fo_config *cfg)
{
	cfg->failback_delay_ns = 0;
	cfg->damp_flaps = 3;
	cfg->damp_window_ns = 10ULL * NSEC_PER_SEC;
	cfg->damp_hold_ns = 5ULL * NSEC_PER_SEC;
	cfg->adapt_low_pps = 2000;
	cfg->adapt_high_pps = 10000;
	cfg->adapt_dwell_ns = 5ULL * NSEC_PER_SEC;
}

void duo_fo_init(struct duo_fo *fo, const struct duo_fo_config *cfg)
{
	memset(fo, 0, sizeof(*fo));
	fo->active = DUO_PATH_NONE;
	fo->cfg.damp_flaps = U32_MAX;	/* so the loss ring is set up */
	duo_fo_set_config(fo, cfg);
}

/* The VF losses counted so far no longer count towards damping. */
void duo_fo_forget_losses(struct duo_fo *fo)
{
	memset(fo->vf_losses, 0, sizeof(fo->vf_losses));
	fo->vf_loss_next = 0;
	fo->vf_loss_count = 0;
}

/*
 * New settings. The VF loss history restarts only when the number of
 * losses that damp changes (the size of its ring): other settings (an
 * announce count, a mark of the adaptive policy) leave damping as it was.
 */
void duo_fo_set_config(struct duo_fo *fo, const struct duo_fo_config *cfg)
{
	u32 flaps = min_t(u32, cfg->damp_flaps, DUO_FO_DAMP_MAX);

	if (flaps != fo->cfg.damp_flaps)
		duo_fo_forget_losses(fo);
	fo->cfg = *cfg;
	fo->cfg.damp_flaps = flaps;
}

bool duo_fo_usable(const struct duo_fo_lower *lo)
{
	return lo->present && lo->running && lo->carrier;
}

/* The VF may carry TX: usable, and reachable where that is checked. */
bool duo_fo_vf_ok(const struct duo_fo *fo)
{
	return duo_fo_usable(&fo->vf) && (!fo->reach || fo->vf.reachable);
}

static void apply_lower_event(struct duo_fo_lower *lo, unsigned int ev)
{
	switch (ev) {
	case DUO_EV_VF_REGISTER:
		lo->present = true;
		lo->running = false;
		lo->carrier = false;
		break;
	case DUO_EV_VF_UNREGISTER:
		lo->present = false;
		lo->running = false;
		lo->carrier = false;
		break;
	case DUO_EV_VF_UP:
		lo->running = true;
		break;
	case DUO_EV_VF_GOING_DOWN:
	case DUO_EV_VF_DOWN:
		lo->running = false;
		break;
	case DUO_EV_VF_CARRIER_ON:
		lo->carrier = true;
		break;
	case DUO_EV_VF_CARRIER_OFF:
		lo->carrier = false;
		break;
	}
	/* What it answered before no longer proves anything. */
	if (!duo_fo_usable(lo))
		lo->reachable = false;
}

static void apply_reach_event(struct duo_fo *fo, enum duo_fo_event ev)
{
	switch (ev) {
	case DUO_EV_REACH_ON:
		/* Carrying TX, the VF keeps it until it misses its answers. */
		fo->reach = true;
		fo->vf.reachable = fo->active == DUO_PATH_VF &&
				   duo_fo_usable(&fo->vf);
		break;
	case DUO_EV_REACH_OFF:
		fo->reach = false;
		fo->vf.reachable = false;
		break;
	case DUO_EV_VF_REACH_OK:
		/* An answer late for a link since lost proves nothing. */
		fo->vf.reachable = duo_fo_usable(&fo->vf);
		break;
	default:
		fo->vf.reachable = false;
		break;
	}
}

static enum duo_switch_reason event_reason(enum duo_fo_event ev)
{
	switch (ev) {
	case DUO_EV_VF_REGISTER:
	case DUO_EV_PV_REGISTER:
		return DUO_SW_PLUG;
	case DUO_EV_VF_UNREGISTER:
	case DUO_EV_PV_UNREGISTER:
		return DUO_SW_UNPLUG;
	case DUO_EV_VF_CARRIER_ON:
	case DUO_EV_VF_CARRIER_OFF:
	case DUO_EV_PV_CARRIER_ON:
	case DUO_EV_PV_CARRIER_OFF:
		return DUO_SW_CARRIER;
	case DUO_EV_PV_ONLY_ON:
	case DUO_EV_PV_ONLY_OFF:
		return DUO_SW_PV_ONLY;
	case DUO_EV_ADAPTIVE_ON:
	case DUO_EV_ADAPTIVE_OFF:
	case DUO_EV_RATE_HIGH:
	case DUO_EV_RATE_LOW:
		return DUO_SW_ADAPTIVE;
	case DUO_EV_REACH_ON:
	case DUO_EV_REACH_OFF:
	case DUO_EV_VF_REACH_OK:
	case DUO_EV_VF_REACH_LOST:
		return DUO_SW_REACH;
	case DUO_EV_TIMER:
		return DUO_SW_FAILBACK;
	default:
		return DUO_SW_ADMIN;
	}
}

/* A VF loss: count it, and hold failback off when it flaps. */
static void note_vf_loss(struct duo_fo *fo, u64 now)
{
	u32 n = fo->cfg.damp_flaps, i, recent = 0;

	if (!n)
		return;
	fo->vf_losses[fo->vf_loss_next] = now;
	fo->vf_loss_next = (fo->vf_loss_next + 1) % n;
	if (fo->vf_loss_count < n)
		fo->vf_loss_count++;
	for (i = 0; i < fo->vf_loss_count; i++)
		if (now - fo->vf_losses[i] <= fo->cfg.damp_window_ns)
			recent++;
	if (recent >= n)
		fo->damped_until = now + fo->cfg.damp_hold_ns;
}

/* The rate measured: the event it makes, or DUO_EV_MAX for none. */
enum duo_fo_event duo_fo_rate_event(const struct duo_fo *fo, u64 pps)
{
	if (pps >= fo->cfg.adapt_high_pps && fo->rate != DUO_RATE_HIGH)
		return DUO_EV_RATE_HIGH;
	if (pps <= fo->cfg.adapt_low_pps && fo->rate != DUO_RATE_LOW)
		return DUO_EV_RATE_LOW;
	return DUO_EV_MAX;
}

/*
 * The adaptive policy's choice between two usable paths; *by_rate says
 * it decided (a switch is then its own).
 */
static enum duo_path choose_adaptive(struct duo_fo *fo, u64 now, u64 *recheck)
{
	enum duo_path want = fo->rate == DUO_RATE_HIGH ? DUO_PATH_VF : DUO_PATH_PV;
	u64 free_at = fo->adapt_switched + fo->cfg.adapt_dwell_ns;

	if (want == DUO_PATH_VF && fo->active != DUO_PATH_VF) {
		u64 ready = max(fo->vf_ready_since + fo->cfg.failback_delay_ns,
				fo->damped_until);

		if (now < ready) {
			*recheck = ready;
			want = DUO_PATH_PV;
		}
	}
	/* A switch of this policy too soon after the last: not yet. */
	if (want != fo->active && fo->active != DUO_PATH_NONE &&
	    fo->adapt_switched && now < free_at) {
		*recheck = *recheck ? min(*recheck, free_at) : free_at;
		return fo->active;
	}
	return want;
}

static enum duo_path choose(struct duo_fo *fo, u64 now, u64 *recheck,
			    bool *by_rate)
{
	bool vf_ok = duo_fo_vf_ok(fo), pv_ok = duo_fo_usable(&fo->pv);

	*recheck = 0;
	*by_rate = false;
	if (fo->pv_only)
		return fo->pv.present ? DUO_PATH_PV : DUO_PATH_NONE;
	if (fo->adaptive && fo->rate != DUO_RATE_UNKNOWN && vf_ok && pv_ok) {
		*by_rate = true;
		return choose_adaptive(fo, now, recheck);
	}

	if (vf_ok) {
		u64 ready = max(fo->vf_ready_since + fo->cfg.failback_delay_ns,
				fo->damped_until);

		/* Nothing else works, or already there, or time is up. */
		if (!pv_ok || fo->active == DUO_PATH_VF || now >= ready)
			return DUO_PATH_VF;
		*recheck = ready;
	}
	if (pv_ok)
		return DUO_PATH_PV;

	/* No path has carrier: stay, or take any present path. */
	if (fo->active == DUO_PATH_VF && fo->vf.present)
		return DUO_PATH_VF;
	if (fo->pv.present)
		return DUO_PATH_PV;
	if (fo->vf.present)
		return DUO_PATH_VF;
	return DUO_PATH_NONE;
}

/* What decides the path; an event that changes none of it only lets time
 * count (a failback delay or a flap hold that has ended).
 */
static u32 inputs(const struct duo_fo *fo)
{
	return duo_fo_vf_ok(fo) | duo_fo_usable(&fo->pv) << 1 |
	       fo->vf.present << 2 | fo->pv.present << 3 | fo->pv_only << 4 |
	       fo->adaptive << 5 | fo->rate << 6;
}

struct duo_fo_decision duo_fo_step(struct duo_fo *fo, enum duo_fo_event ev,
				   u64 now)
{
	struct duo_fo_decision d = { .from = fo->active };
	bool vf_was_ok = duo_fo_vf_ok(fo), by_rate;
	u32 before = inputs(fo);

	/* The PV events mirror the VF events, in the same order. */
	BUILD_BUG_ON(DUO_EV_PV_CARRIER_OFF - DUO_EV_PV_REGISTER !=
		     DUO_EV_VF_CARRIER_OFF - DUO_EV_VF_REGISTER);
	if (ev <= DUO_EV_VF_CARRIER_OFF)
		apply_lower_event(&fo->vf, ev);
	else if (ev <= DUO_EV_PV_CARRIER_OFF)
		apply_lower_event(&fo->pv, ev - DUO_EV_PV_REGISTER);
	else if (ev == DUO_EV_PV_ONLY_ON || ev == DUO_EV_PV_ONLY_OFF)
		fo->pv_only = ev == DUO_EV_PV_ONLY_ON;
	else if (ev == DUO_EV_ADAPTIVE_ON || ev == DUO_EV_ADAPTIVE_OFF)
		fo->adaptive = ev == DUO_EV_ADAPTIVE_ON;
	else if (ev == DUO_EV_RATE_HIGH || ev == DUO_EV_RATE_LOW)
		fo->rate = ev == DUO_EV_RATE_HIGH ? DUO_RATE_HIGH : DUO_RATE_LOW;
	else if (ev >= DUO_EV_REACH_ON && ev <= DUO_EV_VF_REACH_LOST)
		apply_reach_event(fo, ev);
	/* Turned off, the rate it knew goes: it is measured again when on. */
	if (ev == DUO_EV_ADAPTIVE_OFF)
		fo->rate = DUO_RATE_UNKNOWN;

	if (vf_was_ok && !duo_fo_vf_ok(fo)) {
		fo->vf_ready_since = 0;
		/* Turning the check on asks for proof; the VF lost nothing. */
		if (ev != DUO_EV_REACH_ON)
			note_vf_loss(fo, now);
	} else if (!vf_was_ok && duo_fo_vf_ok(fo)) {
		fo->vf_ready_since = now;
	}

	d.to = choose(fo, now, &d.recheck_ns, &by_rate);
	if (d.to != d.from) {
		d.switched = true;
		if (by_rate) {
			d.reason = DUO_SW_ADAPTIVE;
			fo->adapt_switched = now;
		} else {
			d.reason = inputs(fo) == before ? DUO_SW_FAILBACK :
				   event_reason(ev);
		}
		fo->active = d.to;
		fo->switches[d.reason]++;
		if (d.to == DUO_PATH_VF)
			fo->switches_to_vf++;
		else if (d.to == DUO_PATH_PV)
			fo->switches_to_pv++;
	}
	return d;
}

const char *duo_path_name(enum duo_path path)
{
	static const char * const names[DUO_PATH_MAX] = {
		[DUO_PATH_NONE] = "none", [DUO_PATH_VF] = "vf", [DUO_PATH_PV] = "pv",
	};

	return path < DUO_PATH_MAX ? names[path] : "?";
}

const char *duo_switch_reason_name(enum duo_switch_reason reason)
{
	static const char * const names[DUO_SW_REASON_MAX] = {
		[DUO_SW_NONE] = "none", [DUO_SW_PLUG] = "plug",
		[DUO_SW_UNPLUG] = "unplug", [DUO_SW_CARRIER] = "carrier",
		[DUO_SW_ADMIN] = "admin", [DUO_SW_PV_ONLY] = "pv-only",
		[DUO_SW_FAILBACK] = "failback", [DUO_SW_ADAPTIVE] = "adaptive",
		[DUO_SW_REACH] = "reach",
	};

	return reason < DUO_SW_REASON_MAX ? names[reason] : "?";
}

const char *duo_fo_event_name(enum duo_fo_event ev)
{
	static const char * const names[DUO_EV_MAX] = {
		[DUO_EV_VF_REGISTER] = "vf-register",
		[DUO_EV_VF_UNREGISTER] = "vf-unregister",
		[DUO_EV_VF_UP] = "vf-up",
		[DUO_EV_VF_GOING_DOWN] = "vf-going-down",
		[DUO_EV_VF_DOWN] = "vf-down",
		[DUO_EV_VF_CARRIER_ON] = "vf-carrier-on",
		[DUO_EV_VF_CARRIER_OFF] = "vf-carrier-off",
		[DUO_EV_PV_REGISTER] = "pv-register",
		[DUO_EV_PV_UNREGISTER] = "pv-unregister",
		[DUO_EV_PV_UP] = "pv-up",
		[DUO_EV_PV_GOING_DOWN] = "pv-going-down",
		[DUO_EV_PV_DOWN] = "pv-down",
		[DUO_EV_PV_CARRIER_ON] = "pv-carrier-on",
		[DUO_EV_PV_CARRIER_OFF] = "pv-carrier-off",
		[DUO_EV_PV_ONLY_ON] = "pv-only-on",
		[DUO_EV_PV_ONLY_OFF] = "pv-only-off",
		[DUO_EV_ADAPTIVE_ON] = "adaptive-on",
		[DUO_EV_ADAPTIVE_OFF] = "adaptive-off",
		[DUO_EV_RATE_HIGH] = "rate-high",
		[DUO_EV_RATE_LOW] = "rate-low",
		[DUO_EV_REACH_ON] = "reach-on",
		[DUO_EV_REACH_OFF] = "reach-off",
		[DUO_EV_VF_REACH_OK] = "vf-reach-ok",
		[DUO_EV_VF_REACH_LOST] = "vf-reach-lost",
		[DUO_EV_TIMER] = "timer",
	};

	return ev < DUO_EV_MAX ? names[ev] : "?";
}
