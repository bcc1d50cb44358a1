// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite duonet_failover: the path state machine (failover/failover.c).
 *
 * A reference model, written here from the policy rather than from the
 * code (failover.c's header comment and DESIGN.md "Policy"), runs next to
 * the real state machine. every_event_in_every_state builds every
 * combination of VF and PV state (absent, down, up without carrier,
 * usable) and pv-only, reached in several orders and timings, and checks
 * each event in each of them against the model: the active path, whether
 * it switched, the reason, the recheck time and the counters. The named
 * cases after it spell out the sequences the design promises, step by
 * step, with exact decisions.
 *
 * The policy as the model states it:
 *  - pv-only: TX on the PV if it is present, else on no path; never the VF.
 *  - only one path usable (present, running, carrier): TX there.
 *  - both usable: stay on the VF; coming from elsewhere, move to the VF
 *    once it has been usable for the failback delay and flap damping does
 *    not hold it off; until then stay on the PV and ask for a timer at the
 *    moment that changes.
 *  - none usable: stay on the active path while it is present, else the
 *    PV if present, else the VF if present, else none.
 *  - damping: when damp_flaps VF losses (usable -> not usable) fall within
 *    damp_window_ns of the newest, no failback for damp_hold_ns after it.
 *  - the reason of a switch is the kind of the event that caused it; a
 *    switch the clock alone caused (failback delay or hold ended, whatever
 *    event or timer noticed it) is a failback.
 *  - the reachability check, on: "usable" for the VF also needs a target's
 *    answer since its link came; a VF that stops being usable forgets its
 *    answers; turned on, the check keeps the answers a VF carrying TX is
 *    taken to have (none otherwise), and that is no VF loss.
 */
#include <kunit/test.h>
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/string.h>
#include <linux/time64.h>

#include "failover/failover.h"

#define SEC	NSEC_PER_SEC
#define MSEC	NSEC_PER_MSEC
#define USEC	NSEC_PER_USEC

/* Start clocks well away from 0, which is a valid time but a corner case. */
#define T0	(1000 * SEC)

/* ---- the reference model ---------------------------------------------- */

struct ref_lower {
	bool present;
	bool up;
	bool carrier;
};

struct ref {
	struct duo_fo_config cfg;
	struct ref_lower vf;
	struct ref_lower pv;
	bool pv_only;
	bool adaptive;
	bool reach;			/* the reachability check is on */
	bool answered;			/* a target answered through the VF */
	enum duo_fo_rate rate;		/* what the adaptive policy was told */
	u64 adapt_at;			/* its last switch, 0: none */
	enum duo_path active;
	u64 vf_usable_at;		/* valid while the VF is usable */
	u64 hold_until;			/* flap damping: no failback before */
	u64 losses[DUO_FO_DAMP_MAX];	/* VF loss times, newest first */
	unsigned int nlosses;
	u64 switches[DUO_SW_REASON_MAX];
	u64 to_vf;
	u64 to_pv;
};

struct ref_decision {
	enum duo_path from;
	enum duo_path to;
	enum duo_switch_reason reason;
	bool switched;
	u64 recheck;
};

enum ref_op {
	OP_NONE,
	OP_REGISTER,
	OP_UNREGISTER,
	OP_UP,
	OP_DOWN,
	OP_CARRIER_ON,
	OP_CARRIER_OFF,
	OP_PV_ONLY_ON,
	OP_PV_ONLY_OFF,
	OP_ADAPTIVE_ON,
	OP_ADAPTIVE_OFF,
	OP_RATE_HIGH,
	OP_RATE_LOW,
	OP_REACH_ON,
	OP_REACH_OFF,
	OP_ANSWERED,
	OP_SILENT,
};

/* What each event means, written out rather than derived. */
static const struct {
	bool vf;			/* about the VF; else the PV or none */
	enum ref_op op;
	enum duo_switch_reason reason;
} ref_events[DUO_EV_MAX] = {
	[DUO_EV_VF_REGISTER]	= { true, OP_REGISTER, DUO_SW_PLUG },
	[DUO_EV_VF_UNREGISTER]	= { true, OP_UNREGISTER, DUO_SW_UNPLUG },
	[DUO_EV_VF_UP]		= { true, OP_UP, DUO_SW_ADMIN },
	[DUO_EV_VF_GOING_DOWN]	= { true, OP_DOWN, DUO_SW_ADMIN },
	[DUO_EV_VF_DOWN]	= { true, OP_DOWN, DUO_SW_ADMIN },
	[DUO_EV_VF_CARRIER_ON]	= { true, OP_CARRIER_ON, DUO_SW_CARRIER },
	[DUO_EV_VF_CARRIER_OFF]	= { true, OP_CARRIER_OFF, DUO_SW_CARRIER },
	[DUO_EV_PV_REGISTER]	= { false, OP_REGISTER, DUO_SW_PLUG },
	[DUO_EV_PV_UNREGISTER]	= { false, OP_UNREGISTER, DUO_SW_UNPLUG },
	[DUO_EV_PV_UP]		= { false, OP_UP, DUO_SW_ADMIN },
	[DUO_EV_PV_GOING_DOWN]	= { false, OP_DOWN, DUO_SW_ADMIN },
	[DUO_EV_PV_DOWN]	= { false, OP_DOWN, DUO_SW_ADMIN },
	[DUO_EV_PV_CARRIER_ON]	= { false, OP_CARRIER_ON, DUO_SW_CARRIER },
	[DUO_EV_PV_CARRIER_OFF]	= { false, OP_CARRIER_OFF, DUO_SW_CARRIER },
	[DUO_EV_PV_ONLY_ON]	= { false, OP_PV_ONLY_ON, DUO_SW_PV_ONLY },
	[DUO_EV_PV_ONLY_OFF]	= { false, OP_PV_ONLY_OFF, DUO_SW_PV_ONLY },
	[DUO_EV_ADAPTIVE_ON]	= { false, OP_ADAPTIVE_ON, DUO_SW_ADAPTIVE },
	[DUO_EV_ADAPTIVE_OFF]	= { false, OP_ADAPTIVE_OFF, DUO_SW_ADAPTIVE },
	[DUO_EV_RATE_HIGH]	= { false, OP_RATE_HIGH, DUO_SW_ADAPTIVE },
	[DUO_EV_RATE_LOW]	= { false, OP_RATE_LOW, DUO_SW_ADAPTIVE },
	[DUO_EV_REACH_ON]	= { false, OP_REACH_ON, DUO_SW_REACH },
	[DUO_EV_REACH_OFF]	= { false, OP_REACH_OFF, DUO_SW_REACH },
	[DUO_EV_VF_REACH_OK]	= { true, OP_ANSWERED, DUO_SW_REACH },
	[DUO_EV_VF_REACH_LOST]	= { true, OP_SILENT, DUO_SW_REACH },
	[DUO_EV_TIMER]		= { false, OP_NONE, DUO_SW_FAILBACK },
};

static bool ref_usable(const struct ref_lower *l)
{
	return l->present && l->up && l->carrier;
}

static bool ref_vf_usable(const struct ref *r)
{
	return ref_usable(&r->vf) && (!r->reach || r->answered);
}

static bool ref_present(const struct ref *r, enum duo_path p)
{
	return (p == DUO_PATH_VF && r->vf.present) ||
	       (p == DUO_PATH_PV && r->pv.present);
}

static void ref_init(struct ref *r, const struct duo_fo_config *cfg)
{
	memset(r, 0, sizeof(*r));
	r->cfg = *cfg;
	r->active = DUO_PATH_NONE;
}

/* The VF stopped being usable at @now: remember it, start a hold if it flaps. */
static void ref_vf_lost(struct ref *r, u64 now)
{
	unsigned int flaps = min_t(u32, r->cfg.damp_flaps, DUO_FO_DAMP_MAX);
	unsigned int i, recent = 0;

	for (i = DUO_FO_DAMP_MAX - 1; i > 0; i--)
		r->losses[i] = r->losses[i - 1];
	r->losses[0] = now;
	if (r->nlosses < DUO_FO_DAMP_MAX)
		r->nlosses++;

	for (i = 0; i < r->nlosses; i++)
		if (now - r->losses[i] <= r->cfg.damp_window_ns)
			recent++;
	if (flaps && recent >= flaps)
		r->hold_until = now + r->cfg.damp_hold_ns;
}

/*
 * Adaptive, both paths usable, the rate known: the PV for a low rate, the
 * VF for a high one once it may take TX back; but never two adaptive
 * switches closer than the dwell time.
 */
static enum duo_path ref_adaptive(const struct ref *r, u64 now, u64 vf_at,
				  u64 *recheck)
{
	enum duo_path target = DUO_PATH_PV;
	u64 dwell_end = r->adapt_at + r->cfg.adapt_dwell_ns;

	if (r->rate == DUO_RATE_HIGH) {
		if (r->active == DUO_PATH_VF || now >= vf_at)
			target = DUO_PATH_VF;
		else
			*recheck = vf_at;
	}
	if (target == r->active || r->active == DUO_PATH_NONE ||
	    !r->adapt_at || now >= dwell_end)
		return target;
	if (!*recheck || dwell_end < *recheck)
		*recheck = dwell_end;
	return r->active;
}

static enum duo_path ref_choose(const struct ref *r, u64 now, u64 *recheck,
				bool *by_rate)
{
	bool vf = ref_vf_usable(r), pv = ref_usable(&r->pv);
	u64 at;

	*recheck = 0;
	*by_rate = false;
	if (r->pv_only)
		return r->pv.present ? DUO_PATH_PV : DUO_PATH_NONE;
	if (vf && pv) {
		at = max(r->vf_usable_at + r->cfg.failback_delay_ns,
			 r->hold_until);
		if (r->adaptive && r->rate != DUO_RATE_UNKNOWN) {
			*by_rate = true;
			return ref_adaptive(r, now, at, recheck);
		}
		if (r->active == DUO_PATH_VF)
			return DUO_PATH_VF;
		if (now >= at)
			return DUO_PATH_VF;
		*recheck = at;
		return DUO_PATH_PV;
	}
	if (vf)
		return DUO_PATH_VF;
	if (pv)
		return DUO_PATH_PV;
	if (ref_present(r, r->active))
		return r->active;
	if (r->pv.present)
		return DUO_PATH_PV;
	if (r->vf.present)
		return DUO_PATH_VF;
	return DUO_PATH_NONE;
}

static bool ref_same_inputs(const struct ref *a, const struct ref *b)
{
	return a->vf.present == b->vf.present && a->vf.up == b->vf.up &&
	       a->vf.carrier == b->vf.carrier &&
	       ref_vf_usable(a) == ref_vf_usable(b) &&
	       a->pv.present == b->pv.present && a->pv.up == b->pv.up &&
	       a->pv.carrier == b->pv.carrier && a->pv_only == b->pv_only &&
	       a->adaptive == b->adaptive && a->rate == b->rate;
}

static struct ref_decision ref_step(struct ref *r, enum duo_fo_event ev,
				    u64 now)
{
	struct ref_decision rd = { .from = r->active };
	struct ref before = *r;
	struct ref_lower *l = ref_events[ev].vf ? &r->vf : &r->pv;
	bool by_rate;

	switch (ref_events[ev].op) {
	case OP_REGISTER:	/* a new netdev: down, no carrier */
		l->present = true;
		l->up = false;
		l->carrier = false;
		break;
	case OP_UNREGISTER:
		memset(l, 0, sizeof(*l));
		break;
	case OP_UP:
		l->up = l->present;
		break;
	case OP_DOWN:
		l->up = false;
		break;
	case OP_CARRIER_ON:
		l->carrier = l->present;
		break;
	case OP_CARRIER_OFF:
		l->carrier = false;
		break;
	case OP_PV_ONLY_ON:
		r->pv_only = true;
		break;
	case OP_PV_ONLY_OFF:
		r->pv_only = false;
		break;
	case OP_ADAPTIVE_ON:
		r->adaptive = true;
		break;
	case OP_ADAPTIVE_OFF:		/* forgets the rate */
		r->adaptive = false;
		r->rate = DUO_RATE_UNKNOWN;
		break;
	case OP_RATE_HIGH:
		r->rate = DUO_RATE_HIGH;
		break;
	case OP_RATE_LOW:
		r->rate = DUO_RATE_LOW;
		break;
	case OP_REACH_ON:
		r->reach = true;
		r->answered = r->active == DUO_PATH_VF;
		break;
	case OP_REACH_OFF:
		r->reach = false;
		r->answered = false;
		break;
	case OP_ANSWERED:
		r->answered = true;
		break;
	case OP_SILENT:
		r->answered = false;
		break;
	case OP_NONE:
		break;
	}
	if (!ref_usable(&r->vf))
		r->answered = false;

	if (ref_vf_usable(&before) && !ref_vf_usable(r) &&
	    ref_events[ev].op != OP_REACH_ON)
		ref_vf_lost(r, now);
	if (!ref_vf_usable(&before) && ref_vf_usable(r))
		r->vf_usable_at = now;

	rd.to = ref_choose(r, now, &rd.recheck, &by_rate);
	rd.switched = rd.to != rd.from;
	if (rd.switched) {
		if (by_rate)
			rd.reason = DUO_SW_ADAPTIVE;
		else if (ref_same_inputs(&before, r))
			rd.reason = DUO_SW_FAILBACK;
		else
			rd.reason = ref_events[ev].reason;
		if (by_rate)
			r->adapt_at = now;
		r->active = rd.to;
		r->switches[rd.reason]++;
		if (rd.to == DUO_PATH_VF)
			r->to_vf++;
		if (rd.to == DUO_PATH_PV)
			r->to_pv++;
	}
	return rd;
}

/* ---- the real state machine next to the model ------------------------- */

struct pair {
	struct duo_fo fo;
	struct ref ref;
	u64 now;
};

struct checker {
	struct kunit *test;
	unsigned int states;	/* states built */
	unsigned int events;	/* events tried in them */
	unsigned int checks;	/* steps compared, building included */
	unsigned int bad;	/* (state, event) pairs that disagreed */
};

/*
 * Report the first few disagreements, one message each, and count the
 * rest: the UML console drops lines when a test prints too fast.
 */
#define CHECKER_SHOW	3

static bool same_counters(const struct duo_fo *fo, const struct ref *r)
{
	int i;

	for (i = 0; i < DUO_SW_REASON_MAX; i++)
		if (fo->switches[i] != r->switches[i])
			return false;
	return fo->switches_to_vf == r->to_vf && fo->switches_to_pv == r->to_pv;
}

static bool same_lowers(const struct duo_fo *fo, const struct ref *r)
{
	return fo->pv_only == r->pv_only && fo->adaptive == r->adaptive &&
	       fo->rate == r->rate && fo->reach == r->reach &&
	       duo_fo_vf_ok(fo) == ref_vf_usable(r) &&
	       duo_fo_usable(&fo->vf) == ref_usable(&r->vf) &&
	       duo_fo_usable(&fo->pv) == ref_usable(&r->pv) &&
	       fo->vf.present == r->vf.present && fo->pv.present == r->pv.present;
}

static bool same(const struct pair *p, const struct duo_fo_decision *d,
		 const struct ref_decision *rd)
{
	return d->from == rd->from && d->to == rd->to &&
	       d->switched == rd->switched && d->reason == rd->reason &&
	       d->recheck_ns == rd->recheck && p->fo.active == p->ref.active &&
	       same_lowers(&p->fo, &p->ref) && same_counters(&p->fo, &p->ref);
}

static void report(struct kunit *test, const struct pair *p,
		   const struct duo_fo_decision *d,
		   const struct ref_decision *rd, const char *where)
{
	KUNIT_EXPECT_TRUE_MSG(test, same(p, d, rd),
			      "%s: got %s->%s switched %d reason %s recheck %llu, want %s->%s switched %d reason %s recheck %llu%s%s",
			      where, duo_path_name(d->from), duo_path_name(d->to),
			      d->switched, duo_switch_reason_name(d->reason),
			      d->recheck_ns, duo_path_name(rd->from),
			      duo_path_name(rd->to), rd->switched,
			      duo_switch_reason_name(rd->reason), rd->recheck,
			      same_lowers(&p->fo, &p->ref) ? "" : "; lower state differs",
			      same_counters(&p->fo, &p->ref) ? "" : "; switch counters differ");
}

static void pair_init(struct pair *p, const struct duo_fo_config *cfg,
		      u64 now)
{
	duo_fo_init(&p->fo, cfg);
	ref_init(&p->ref, cfg);
	p->now = now;
}

/* Step both at @now; on disagreement say where (@what) and which event. */
static bool pair_step(struct checker *c, struct pair *p,
		      enum duo_fo_event ev, u64 now, const char *what)
{
	struct duo_fo_decision d;
	struct ref_decision rd;
	char where[192];

	p->now = now;
	d = duo_fo_step(&p->fo, ev, now);
	rd = ref_step(&p->ref, ev, now);
	c->checks++;
	if (same(p, &d, &rd))
		return true;
	if (c->bad++ < CHECKER_SHOW) {
		snprintf(where, sizeof(where), "%s, event %s at +%llu us", what,
			 duo_fo_event_name(ev), (now - T0) / USEC);
		report(c->test, p, &d, &rd, where);
	}
	return false;
}

static void checker_done(struct checker *c)
{
	KUNIT_EXPECT_EQ_MSG(c->test, c->bad, 0,
			    "%u of %u (state, event) steps disagree with the reference (first %d shown)",
			    c->bad, c->checks, CHECKER_SHOW);
}

/* ---- every event in every state --------------------------------------- */

enum level { LV_ABSENT, LV_DOWN, LV_NO_CARRIER, LV_USABLE, LV_MAX };

static const char * const level_names[LV_MAX] = {
	"absent", "down", "up-no-carrier", "usable",
};

/* How a state is reached: the order, the timing and the history. */
struct scenario {
	const char *name;
	u64 delay;		/* failback_delay_ns */
	bool flap;		/* the VF flapped just before: damping holds */
	bool pv_first;		/* bring the PV to its level before the VF */
	bool pv_only_first;	/* pv-only on before the lowers, else after */
	bool adaptive;		/* then the adaptive policy on ... */
	enum duo_fo_rate rate;	/* ... told this rate ... */
	bool flip;		/* ... then the other one (a switch, if both usable) */
	u64 late;		/* then the clock moves on this far, no timer */
	bool reach_first;	/* the reachability check on before the lowers */
	bool reach_last;	/* ... or once they are at their levels */
	enum duo_fo_event answer; /* then the VF answers (or is silent); 0: no */
};

static const struct scenario scenarios[] = {
	{ .name = "vf-first" },
	{ .name = "pv-first", .pv_first = true },
	{ .name = "pv-only-first", .pv_first = true, .pv_only_first = true },
	{ .name = "delay-pending", .delay = 2 * SEC, .pv_first = true },
	{ .name = "delay-ended", .delay = 2 * SEC, .pv_first = true,
	  .late = 3 * SEC },
	{ .name = "damped", .flap = true, .pv_first = true },
	{ .name = "damped-vf-first", .flap = true },
	{ .name = "hold-ended", .flap = true, .pv_first = true,
	  .late = 6 * SEC },
	{ .name = "adaptive-unknown", .adaptive = true },
	{ .name = "adaptive-low", .adaptive = true, .rate = DUO_RATE_LOW },
	{ .name = "adaptive-high", .adaptive = true, .rate = DUO_RATE_HIGH,
	  .pv_first = true, .delay = 2 * SEC },
	{ .name = "adaptive-dwell", .adaptive = true, .rate = DUO_RATE_HIGH,
	  .flip = true },
	{ .name = "adaptive-dwell-ended", .adaptive = true,
	  .rate = DUO_RATE_HIGH, .flip = true, .late = 6 * SEC },
	{ .name = "adaptive-damped", .adaptive = true, .rate = DUO_RATE_HIGH,
	  .flap = true, .pv_first = true },
	{ .name = "reach-unanswered", .reach_first = true, .pv_first = true },
	{ .name = "reach-answered", .reach_first = true, .pv_first = true,
	  .answer = DUO_EV_VF_REACH_OK },
	{ .name = "reach-answered-delay", .reach_first = true, .pv_first = true,
	  .delay = 2 * SEC, .answer = DUO_EV_VF_REACH_OK },
	{ .name = "reach-on-late", .reach_last = true },
	{ .name = "reach-silent", .reach_last = true,
	  .answer = DUO_EV_VF_REACH_LOST },
	{ .name = "reach-adaptive", .reach_first = true, .adaptive = true,
	  .rate = DUO_RATE_HIGH, .answer = DUO_EV_VF_REACH_OK },
};

static const enum duo_fo_event rate_events[] = {
	[DUO_RATE_LOW] = DUO_EV_RATE_LOW, [DUO_RATE_HIGH] = DUO_EV_RATE_HIGH,
};

static void bring_to(struct checker *c, struct pair *p, bool vf,
		     enum level lv, const char *what)
{
	static const enum duo_fo_event steps[2][3] = {
		{ DUO_EV_PV_REGISTER, DUO_EV_PV_UP, DUO_EV_PV_CARRIER_ON },
		{ DUO_EV_VF_REGISTER, DUO_EV_VF_UP, DUO_EV_VF_CARRIER_ON },
	};
	int i;

	for (i = 0; i < lv; i++)
		pair_step(c, p, steps[vf][i], p->now + MSEC, what);
}

static void build_state(struct checker *c, struct pair *p,
			const struct scenario *sc, enum level vf,
			enum level pv, bool pv_only, char *what, size_t len)
{
	struct duo_fo_config cfg;
	int i;

	duo_fo_default_config(&cfg);
	cfg.failback_delay_ns = sc->delay;
	pair_init(p, &cfg, T0);
	snprintf(what, len, "[%s: vf %s, pv %s, pv-only %s]", sc->name,
		 level_names[vf], level_names[pv], pv_only ? "on" : "off");

	if (sc->flap) {
		/* Three VF losses within the window: a hold starts. */
		pair_step(c, p, DUO_EV_VF_REGISTER, p->now, what);
		pair_step(c, p, DUO_EV_VF_UP, p->now, what);
		for (i = 0; i < 3; i++) {
			pair_step(c, p, DUO_EV_VF_CARRIER_ON, p->now + 100 * MSEC,
				  what);
			pair_step(c, p, DUO_EV_VF_CARRIER_OFF,
				  p->now + 100 * MSEC, what);
		}
		pair_step(c, p, DUO_EV_VF_UNREGISTER, p->now + MSEC, what);
	}
	if (pv_only && sc->pv_only_first)
		pair_step(c, p, DUO_EV_PV_ONLY_ON, p->now + MSEC, what);
	if (sc->reach_first)
		pair_step(c, p, DUO_EV_REACH_ON, p->now + MSEC, what);
	bring_to(c, p, !sc->pv_first, sc->pv_first ? pv : vf, what);
	bring_to(c, p, sc->pv_first, sc->pv_first ? vf : pv, what);
	if (pv_only && !sc->pv_only_first)
		pair_step(c, p, DUO_EV_PV_ONLY_ON, p->now + MSEC, what);
	if (sc->adaptive)
		pair_step(c, p, DUO_EV_ADAPTIVE_ON, p->now + MSEC, what);
	if (sc->rate != DUO_RATE_UNKNOWN)
		pair_step(c, p, rate_events[sc->rate], p->now + MSEC, what);
	if (sc->flip)
		pair_step(c, p, rate_events[DUO_RATE_LOW + DUO_RATE_HIGH - sc->rate],
			  p->now + MSEC, what);
	if (sc->reach_last)
		pair_step(c, p, DUO_EV_REACH_ON, p->now + MSEC, what);
	if (sc->answer)
		pair_step(c, p, sc->answer, p->now + MSEC, what);
	p->now += sc->late;

	/* Name the state as reached, with the path it left TX on. */
	snprintf(what, len, "[%s: vf %s, pv %s, pv-only %s, active %s]",
		 sc->name, level_names[vf], level_names[pv],
		 pv_only ? "on" : "off", duo_path_name(p->fo.active));
}

static const enum duo_fo_event all_events[] = {
	DUO_EV_VF_REGISTER, DUO_EV_VF_UNREGISTER, DUO_EV_VF_UP,
	DUO_EV_VF_GOING_DOWN, DUO_EV_VF_DOWN, DUO_EV_VF_CARRIER_ON,
	DUO_EV_VF_CARRIER_OFF, DUO_EV_PV_REGISTER, DUO_EV_PV_UNREGISTER,
	DUO_EV_PV_UP, DUO_EV_PV_GOING_DOWN, DUO_EV_PV_DOWN,
	DUO_EV_PV_CARRIER_ON, DUO_EV_PV_CARRIER_OFF, DUO_EV_PV_ONLY_ON,
	DUO_EV_PV_ONLY_OFF, DUO_EV_ADAPTIVE_ON, DUO_EV_ADAPTIVE_OFF,
	DUO_EV_RATE_HIGH, DUO_EV_RATE_LOW, DUO_EV_REACH_ON, DUO_EV_REACH_OFF,
	DUO_EV_VF_REACH_OK, DUO_EV_VF_REACH_LOST, DUO_EV_TIMER,
};

static void event_desc(const enum duo_fo_event *ev, char *desc)
{
	strscpy(desc, duo_fo_event_name(*ev), KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(all_events, all_events, event_desc);

/*
 * One event (the parameter) in every state: 20 scenarios x 4 VF levels x
 * 4 PV levels x pv-only on/off, each at 1 us after the state was reached
 * and, when a timer was asked for, again exactly at that time.
 */
static void one_state(struct checker *c, struct pair *base, struct pair *p,
		      enum duo_fo_event ev, unsigned int i)
{
	const struct scenario *sc = &scenarios[i / (LV_MAX * LV_MAX * 2)];
	enum level vf = i / (LV_MAX * 2) % LV_MAX, pv = i / 2 % LV_MAX;
	char what[128];
	bool by_rate;
	u64 recheck;

	build_state(c, base, sc, vf, pv, i % 2, what, sizeof(what));
	c->states++;
	*p = *base;
	pair_step(c, p, ev, base->now + USEC, what);
	c->events++;

	ref_choose(&base->ref, base->now, &recheck, &by_rate);
	if (!recheck)
		return;
	*p = *base;
	pair_step(c, p, ev, recheck, what);
	c->events++;
}

static void every_event_in_every_state(struct kunit *test)
{
	const enum duo_fo_event *ev = test->param_value;
	struct checker c = { .test = test };
	struct pair *pairs;
	unsigned int i;

	KUNIT_ASSERT_EQ(test, ARRAY_SIZE(all_events), DUO_EV_MAX);
	pairs = kunit_kcalloc(test, 2, sizeof(*pairs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pairs);
	for (i = 0; i < ARRAY_SIZE(scenarios) * LV_MAX * LV_MAX * 2; i++)
		one_state(&c, &pairs[0], &pairs[1], *ev, i);
	kunit_info(test, "%s: %u states, tried %u times, %u steps compared",
		   duo_fo_event_name(*ev), c.states, c.events, c.checks);
	checker_done(&c);
}

/* ---- named cases ------------------------------------------------------ */

struct want {
	enum duo_fo_event ev;
	u64 at;				/* ns after T0 */
	enum duo_path to;
	bool switched;
	enum duo_switch_reason reason;
	u64 recheck;			/* ns after T0, 0: none */
};

/* Ends a list of steps. */
#define END	{ DUO_EV_MAX }

/* Play steps up to END on @fo, checking each decision exactly. */
static void play(struct kunit *test, struct duo_fo *fo, const char *name,
		 const struct want *w)
{
	struct duo_fo_decision d;
	enum duo_path from;
	unsigned int i;
	u64 recheck;
	bool ok;

	for (i = 0; w->ev != DUO_EV_MAX; i++, w++) {
		from = fo->active;
		d = duo_fo_step(fo, w->ev, T0 + w->at);
		recheck = w->recheck ? T0 + w->recheck : 0;
		ok = d.from == from && d.to == w->to && fo->active == w->to &&
		     d.switched == w->switched && d.reason == w->reason &&
		     d.recheck_ns == recheck;
		KUNIT_EXPECT_TRUE_MSG(test, ok,
				      "%s step %u: %s at +%llu ms: got %s->%s switched %d reason %s recheck %llu, want %s->%s switched %d reason %s recheck %llu",
				      name, i, duo_fo_event_name(w->ev),
				      w->at / MSEC, duo_path_name(d.from),
				      duo_path_name(d.to), d.switched,
				      duo_switch_reason_name(d.reason),
				      d.recheck_ns, duo_path_name(from),
				      duo_path_name(w->to), w->switched,
				      duo_switch_reason_name(w->reason), recheck);
		if (!ok)
			return;	/* the rest would follow from this */
	}
}

#define PLAY(test, fo, steps) play(test, fo, #steps, steps)

#define VF	DUO_PATH_VF
#define PV	DUO_PATH_PV
#define NONE	DUO_PATH_NONE

/* The VF then the PV come up: TX on the VF from the start. */
static const struct want both_up[] = {
	{ DUO_EV_VF_REGISTER,	0, VF, true, DUO_SW_PLUG },
	{ DUO_EV_VF_UP,		0, VF },
	{ DUO_EV_VF_CARRIER_ON,	0, VF },
	{ DUO_EV_PV_REGISTER,	0, VF },
	{ DUO_EV_PV_UP,		0, VF },
	{ DUO_EV_PV_CARRIER_ON,	0, VF },
	END,
};

/* A pair with both lowers usable and TX on the VF; damping on or off. */
static void fo_start(struct kunit *test, struct duo_fo *fo, u64 delay,
		     bool damping)
{
	struct duo_fo_config cfg;

	duo_fo_default_config(&cfg);
	cfg.failback_delay_ns = delay;
	if (!damping)
		cfg.damp_flaps = 0;
	duo_fo_init(fo, &cfg);
	PLAY(test, fo, both_up);
}

static void names(struct kunit *test)
{
	static const char * const events[DUO_EV_MAX] = {
		"vf-register", "vf-unregister", "vf-up", "vf-going-down",
		"vf-down", "vf-carrier-on", "vf-carrier-off", "pv-register",
		"pv-unregister", "pv-up", "pv-going-down", "pv-down",
		"pv-carrier-on", "pv-carrier-off", "pv-only-on", "pv-only-off",
		"adaptive-on", "adaptive-off", "rate-high", "rate-low",
		"reach-on", "reach-off", "vf-reach-ok", "vf-reach-lost", "timer",
	};
	static const char * const reasons[DUO_SW_REASON_MAX] = {
		"none", "plug", "unplug", "carrier", "admin", "pv-only",
		"failback", "adaptive", "reach",
	};
	int i;

	KUNIT_EXPECT_STREQ(test, duo_path_name(DUO_PATH_NONE), "none");
	KUNIT_EXPECT_STREQ(test, duo_path_name(DUO_PATH_VF), "vf");
	KUNIT_EXPECT_STREQ(test, duo_path_name(DUO_PATH_PV), "pv");
	KUNIT_EXPECT_STREQ(test, duo_path_name(DUO_PATH_MAX), "?");
	KUNIT_EXPECT_STREQ(test, duo_path_name((enum duo_path)-1), "?");
	for (i = 0; i < DUO_SW_REASON_MAX; i++)
		KUNIT_EXPECT_STREQ_MSG(test, duo_switch_reason_name(i),
				       reasons[i], "reason %d", i);
	KUNIT_EXPECT_STREQ(test, duo_switch_reason_name(DUO_SW_REASON_MAX),
			   "?");
	for (i = 0; i < DUO_EV_MAX; i++)
		KUNIT_EXPECT_STREQ_MSG(test, duo_fo_event_name(i), events[i],
				       "event %d", i);
	KUNIT_EXPECT_STREQ(test, duo_fo_event_name(DUO_EV_MAX), "?");
}

static void defaults_and_init(struct kunit *test)
{
	struct duo_fo_config cfg;
	struct duo_fo fo;
	int i;

	duo_fo_default_config(&cfg);
	KUNIT_EXPECT_EQ(test, cfg.failback_delay_ns, 0);
	KUNIT_EXPECT_EQ(test, cfg.damp_flaps, 3);
	KUNIT_EXPECT_EQ(test, cfg.damp_window_ns, 10 * SEC);
	KUNIT_EXPECT_EQ(test, cfg.damp_hold_ns, 5 * SEC);
	KUNIT_EXPECT_EQ(test, cfg.adapt_low_pps, 2000);
	KUNIT_EXPECT_EQ(test, cfg.adapt_high_pps, 10000);
	KUNIT_EXPECT_EQ(test, cfg.adapt_dwell_ns, 5 * SEC);

	memset(&fo, 0xa5, sizeof(fo));
	cfg.damp_flaps = DUO_FO_DAMP_MAX + 5;
	duo_fo_init(&fo, &cfg);
	KUNIT_EXPECT_EQ(test, fo.active, DUO_PATH_NONE);
	KUNIT_EXPECT_FALSE(test, fo.vf.present);
	KUNIT_EXPECT_FALSE(test, fo.pv.present);
	KUNIT_EXPECT_FALSE(test, fo.pv_only);
	KUNIT_EXPECT_EQ(test, fo.cfg.damp_flaps, DUO_FO_DAMP_MAX);
	KUNIT_EXPECT_EQ(test, fo.switches_to_vf, 0);
	KUNIT_EXPECT_EQ(test, fo.switches_to_pv, 0);
	for (i = 0; i < DUO_SW_REASON_MAX; i++)
		KUNIT_EXPECT_EQ_MSG(test, fo.switches[i], 0, "switches[%d]", i);
}

/* The planned migration: not one switch more than the two pv-only ones. */
static const struct want planned[] = {
	{ DUO_EV_PV_ONLY_ON,	 1 * SEC, PV, true, DUO_SW_PV_ONLY },
	{ DUO_EV_VF_GOING_DOWN,	 2 * SEC, PV },
	{ DUO_EV_VF_UNREGISTER,	 2 * SEC, PV },
	{ DUO_EV_VF_REGISTER,	 9 * SEC, PV },
	{ DUO_EV_VF_UP,		 9 * SEC, PV },
	{ DUO_EV_VF_CARRIER_ON,	10 * SEC, PV },
	{ DUO_EV_PV_ONLY_OFF,	11 * SEC, VF, true, DUO_SW_PV_ONLY },
	END,
};

static void planned_migration(struct kunit *test)
{
	struct duo_fo fo;

	fo_start(test, &fo, 0, true);
	PLAY(test, &fo, planned);
	KUNIT_EXPECT_EQ(test, fo.switches[DUO_SW_PV_ONLY], 2);
	KUNIT_EXPECT_EQ(test, fo.switches[DUO_SW_PLUG], 1);
	KUNIT_EXPECT_EQ(test, fo.switches_to_vf, 2);
	KUNIT_EXPECT_EQ(test, fo.switches_to_pv, 1);
}

/* With a failback delay, pv-only off waits for the rest of the delay. */
static const struct want planned_delay[] = {
	{ DUO_EV_PV_ONLY_ON,	 1 * SEC, PV, true, DUO_SW_PV_ONLY },
	{ DUO_EV_VF_GOING_DOWN,	 2 * SEC, PV },
	{ DUO_EV_VF_UNREGISTER,	 2 * SEC, PV },
	{ DUO_EV_VF_REGISTER,	 3 * SEC, PV },
	{ DUO_EV_VF_UP,		 3 * SEC, PV },
	{ DUO_EV_VF_CARRIER_ON,	 4 * SEC, PV },
	/* usable since 4 s, delay 2 s: not before 6 s */
	{ DUO_EV_PV_ONLY_OFF,	 5 * SEC, PV, false, DUO_SW_NONE, 6 * SEC },
	{ DUO_EV_TIMER,		 6 * SEC, VF, true, DUO_SW_FAILBACK },
	/* later, the delay long over: pv-only off switches at once */
	{ DUO_EV_PV_ONLY_ON,	 7 * SEC, PV, true, DUO_SW_PV_ONLY },
	{ DUO_EV_PV_ONLY_OFF,	 8 * SEC, VF, true, DUO_SW_PV_ONLY },
	END,
};

static void planned_migration_with_delay(struct kunit *test)
{
	struct duo_fo fo;

	fo_start(test, &fo, 2 * SEC, true);
	PLAY(test, &fo, planned_delay);
}

/* The VF vanishes while it carries TX. */
static const struct want unplug_vf[] = {
	{ DUO_EV_VF_UNREGISTER,	1 * SEC, PV, true, DUO_SW_UNPLUG },
	{ DUO_EV_VF_REGISTER,	2 * SEC, PV },
	{ DUO_EV_VF_UP,		2 * SEC, PV },
	{ DUO_EV_VF_CARRIER_ON,	3 * SEC, VF, true, DUO_SW_CARRIER },
	END,
};

/* ... while the PV has no carrier: TX still leaves the absent VF. */
static const struct want unplug_vf_pv_no_carrier[] = {
	{ DUO_EV_PV_CARRIER_OFF, 1 * SEC, VF },
	{ DUO_EV_VF_UNREGISTER,	 2 * SEC, PV, true, DUO_SW_UNPLUG },
	END,
};

/* ... with no PV at all: no path. */
static const struct want unplug_vf_no_pv[] = {
	{ DUO_EV_PV_UNREGISTER,	1 * SEC, VF },
	{ DUO_EV_VF_UNREGISTER,	2 * SEC, NONE, true, DUO_SW_UNPLUG },
	{ DUO_EV_VF_REGISTER,	3 * SEC, VF, true, DUO_SW_PLUG },
	END,
};

/* The PV vanishes while it carries TX and the VF is down. */
static const struct want unplug_pv[] = {
	{ DUO_EV_VF_DOWN,	1 * SEC, PV, true, DUO_SW_ADMIN },
	{ DUO_EV_PV_UNREGISTER,	2 * SEC, VF, true, DUO_SW_UNPLUG },
	END,
};

static void surprise_removal(struct kunit *test)
{
	struct duo_fo fo, save;

	fo_start(test, &fo, 0, true);
	save = fo;
	PLAY(test, &fo, unplug_vf);
	KUNIT_EXPECT_EQ(test, fo.switches[DUO_SW_UNPLUG], 1);
	fo = save;
	PLAY(test, &fo, unplug_vf_pv_no_carrier);
	fo = save;
	PLAY(test, &fo, unplug_vf_no_pv);
	fo = save;
	PLAY(test, &fo, unplug_pv);
}

static const struct want carrier[] = {
	{ DUO_EV_VF_CARRIER_OFF, 1 * SEC, PV, true, DUO_SW_CARRIER },
	{ DUO_EV_VF_CARRIER_ON,	 2 * SEC, VF, true, DUO_SW_CARRIER },
	{ DUO_EV_PV_CARRIER_OFF, 3 * SEC, VF },
	/* no carrier anywhere: TX stays where it is */
	{ DUO_EV_VF_CARRIER_OFF, 4 * SEC, VF },
	{ DUO_EV_PV_CARRIER_ON,	 5 * SEC, PV, true, DUO_SW_CARRIER },
	{ DUO_EV_PV_CARRIER_OFF, 6 * SEC, PV },
	{ DUO_EV_VF_CARRIER_ON,	 7 * SEC, VF, true, DUO_SW_CARRIER },
	{ DUO_EV_PV_CARRIER_ON,	 8 * SEC, VF },
	/* admin down and up of the VF */
	{ DUO_EV_VF_GOING_DOWN,	 9 * SEC, PV, true, DUO_SW_ADMIN },
	{ DUO_EV_VF_DOWN,	 9 * SEC, PV },
	{ DUO_EV_VF_UP,		 9 * SEC + 1, VF, true, DUO_SW_ADMIN },
	END,
};

static void carrier_off_on(struct kunit *test)
{
	struct duo_fo fo;

	fo_start(test, &fo, 0, false);
	PLAY(test, &fo, carrier);
	KUNIT_EXPECT_EQ(test, fo.switches[DUO_SW_CARRIER], 4);
	KUNIT_EXPECT_EQ(test, fo.switches[DUO_SW_ADMIN], 2);
}

/* A fake clock: nothing before the delay, the timer at recheck switches. */
static const struct want delay[] = {
	{ DUO_EV_VF_CARRIER_OFF, 1 * SEC, PV, true, DUO_SW_CARRIER },
	{ DUO_EV_VF_CARRIER_ON,	 3 * SEC, PV, false, DUO_SW_NONE, 5 * SEC },
	/* an early timer, an unrelated event: still waiting */
	{ DUO_EV_TIMER,		 4 * SEC, PV, false, DUO_SW_NONE, 5 * SEC },
	{ DUO_EV_PV_UP,		 5 * SEC - 1, PV, false, DUO_SW_NONE, 5 * SEC },
	{ DUO_EV_TIMER,		 5 * SEC, VF, true, DUO_SW_FAILBACK },
	{ DUO_EV_TIMER,		 6 * SEC, VF },
	/* a loss during the delay starts it again */
	{ DUO_EV_VF_CARRIER_OFF, 7 * SEC, PV, true, DUO_SW_CARRIER },
	{ DUO_EV_VF_CARRIER_ON,	 8 * SEC, PV, false, DUO_SW_NONE, 10 * SEC },
	{ DUO_EV_VF_DOWN,	 9 * SEC, PV },
	{ DUO_EV_VF_UP,		 9 * SEC + 1, PV, false, DUO_SW_NONE,
	  11 * SEC + 1 },
	{ DUO_EV_TIMER,		10 * SEC, PV, false, DUO_SW_NONE,
	  11 * SEC + 1 },
	/* pv-only meanwhile: no timer wanted */
	{ DUO_EV_PV_ONLY_ON,	10 * SEC, PV },
	{ DUO_EV_PV_ONLY_OFF,	10 * SEC + 1, PV, false, DUO_SW_NONE,
	  11 * SEC + 1 },
	/* the PV fails while the VF waits: the VF at once */
	{ DUO_EV_PV_CARRIER_OFF, 11 * SEC, VF, true, DUO_SW_CARRIER },
	END,
};

static void failback_delay(struct kunit *test)
{
	struct duo_fo fo;

	fo_start(test, &fo, 2 * SEC, false);
	PLAY(test, &fo, delay);
	KUNIT_EXPECT_EQ(test, fo.switches[DUO_SW_FAILBACK], 1);
}

/* The delay ended, the timer is late, another event comes first. */
static const struct want late[] = {
	{ DUO_EV_VF_CARRIER_OFF, 1 * SEC, PV, true, DUO_SW_CARRIER },
	{ DUO_EV_VF_CARRIER_ON,	 3 * SEC, PV, false, DUO_SW_NONE, 5 * SEC },
	/* nothing changed but the clock: a failback, not "carrier" */
	{ DUO_EV_PV_CARRIER_ON,	 5 * SEC + 1, VF, true, DUO_SW_FAILBACK },
	{ DUO_EV_TIMER,		 5 * SEC + 2, VF },
	END,
};

static void failback_reason_when_timer_is_late(struct kunit *test)
{
	struct duo_fo fo;

	fo_start(test, &fo, 2 * SEC, false);
	PLAY(test, &fo, late);
	KUNIT_EXPECT_EQ(test, fo.switches[DUO_SW_FAILBACK], 1);
	KUNIT_EXPECT_EQ(test, fo.switches[DUO_SW_CARRIER], 1);
}

/* 3 losses within 10 s hold failback off for 5 s after the third. */
static const struct want flaps[] = {
	{ DUO_EV_VF_CARRIER_OFF, 1 * SEC, PV, true, DUO_SW_CARRIER },
	{ DUO_EV_VF_CARRIER_ON,	 2 * SEC, VF, true, DUO_SW_CARRIER },
	{ DUO_EV_VF_CARRIER_OFF, 3 * SEC, PV, true, DUO_SW_CARRIER },
	{ DUO_EV_VF_CARRIER_ON,	 4 * SEC, VF, true, DUO_SW_CARRIER },
	{ DUO_EV_VF_CARRIER_OFF, 5 * SEC, PV, true, DUO_SW_CARRIER },
	/* third loss at 5 s: held until 10 s */
	{ DUO_EV_VF_CARRIER_ON,	 6 * SEC, PV, false, DUO_SW_NONE, 10 * SEC },
	{ DUO_EV_TIMER,		10 * SEC - 1, PV, false, DUO_SW_NONE,
	  10 * SEC },
	{ DUO_EV_TIMER,		10 * SEC, VF, true, DUO_SW_FAILBACK },
	END,
};

/* Losses farther apart than the window do not damp. */
static const struct want slow_flaps[] = {
	{ DUO_EV_VF_CARRIER_OFF,  1 * SEC, PV, true, DUO_SW_CARRIER },
	{ DUO_EV_VF_CARRIER_ON,	  2 * SEC, VF, true, DUO_SW_CARRIER },
	{ DUO_EV_VF_CARRIER_OFF,  7 * SEC, PV, true, DUO_SW_CARRIER },
	{ DUO_EV_VF_CARRIER_ON,	  8 * SEC, VF, true, DUO_SW_CARRIER },
	{ DUO_EV_VF_CARRIER_OFF, 12 * SEC, PV, true, DUO_SW_CARRIER },
	{ DUO_EV_VF_CARRIER_ON,	 13 * SEC, VF, true, DUO_SW_CARRIER },
	END,
};

/* Any kind of VF loss counts; held, the VF still serves if the PV fails. */
static const struct want admin_flaps[] = {
	{ DUO_EV_VF_DOWN,	 1 * SEC, PV, true, DUO_SW_ADMIN },
	{ DUO_EV_VF_UP,		 1 * SEC, VF, true, DUO_SW_ADMIN },
	{ DUO_EV_VF_GOING_DOWN,	 2 * SEC, PV, true, DUO_SW_ADMIN },
	{ DUO_EV_VF_UP,		 2 * SEC, VF, true, DUO_SW_ADMIN },
	{ DUO_EV_VF_UNREGISTER,	 3 * SEC, PV, true, DUO_SW_UNPLUG },
	{ DUO_EV_VF_REGISTER,	 3 * SEC, PV },
	{ DUO_EV_VF_UP,		 3 * SEC, PV },
	{ DUO_EV_VF_CARRIER_ON,	 3 * SEC, PV, false, DUO_SW_NONE, 8 * SEC },
	{ DUO_EV_PV_CARRIER_OFF, 4 * SEC, VF, true, DUO_SW_CARRIER },
	{ DUO_EV_PV_CARRIER_ON,	 5 * SEC, VF },
	END,
};

static void flap_damping(struct kunit *test)
{
	struct duo_fo fo;

	fo_start(test, &fo, 0, true);
	PLAY(test, &fo, flaps);
	KUNIT_EXPECT_EQ(test, fo.switches[DUO_SW_FAILBACK], 1);
	KUNIT_EXPECT_EQ(test, fo.switches[DUO_SW_CARRIER], 5);

	fo_start(test, &fo, 0, true);
	PLAY(test, &fo, slow_flaps);

	fo_start(test, &fo, 0, true);
	PLAY(test, &fo, admin_flaps);
}

/* Time 0 is a valid time: a loss then counts like any other. */
static void flap_damping_from_time_zero(struct kunit *test)
{
	struct duo_fo_config cfg;
	struct duo_fo_decision d;
	struct duo_fo fo;
	static const enum duo_fo_event up[] = {
		DUO_EV_PV_REGISTER, DUO_EV_PV_UP, DUO_EV_PV_CARRIER_ON,
		DUO_EV_VF_REGISTER, DUO_EV_VF_UP, DUO_EV_VF_CARRIER_ON,
	};
	unsigned int i;

	duo_fo_default_config(&cfg);
	duo_fo_init(&fo, &cfg);
	for (i = 0; i < ARRAY_SIZE(up); i++)
		duo_fo_step(&fo, up[i], 0);
	KUNIT_ASSERT_EQ(test, fo.active, DUO_PATH_VF);
	/* losses at 0 s, 1 s and 2 s */
	for (i = 0; i < 3; i++) {
		d = duo_fo_step(&fo, DUO_EV_VF_CARRIER_OFF, i * SEC);
		KUNIT_EXPECT_EQ_MSG(test, d.to, DUO_PATH_PV, "loss %u", i);
		d = duo_fo_step(&fo, DUO_EV_VF_CARRIER_ON, i * SEC + SEC / 2);
		if (i < 2)
			KUNIT_EXPECT_EQ_MSG(test, d.to, DUO_PATH_VF,
					    "return %u", i);
	}
	KUNIT_EXPECT_EQ_MSG(test, d.to, DUO_PATH_PV,
			    "3 losses at 0, 1, 2 s: vf-carrier-on at 2.5 s must be held off");
	KUNIT_EXPECT_EQ_MSG(test, d.recheck_ns, 7 * SEC,
			    "hold ends 5 s after the third loss");
}

/*
 * Adaptive: idle moves TX to the PV at once (no switch of its own yet);
 * a high rate brings it back once the dwell time since is over; rates
 * between the marks make no event; pv-only and a VF loss still rule;
 * turned off, vf-first again.
 */
static const struct want adaptive_steps[] = {
	{ DUO_EV_ADAPTIVE_ON,	 1 * SEC, VF },		/* rate unknown: no say */
	{ DUO_EV_RATE_LOW,	 2 * SEC, PV, true, DUO_SW_ADAPTIVE },
	{ DUO_EV_RATE_HIGH,	 3 * SEC, PV, false, DUO_SW_NONE, 7 * SEC },
	{ DUO_EV_TIMER,		 7 * SEC, VF, true, DUO_SW_ADAPTIVE },
	{ DUO_EV_RATE_LOW,	 8 * SEC, VF, false, DUO_SW_NONE, 12 * SEC },
	{ DUO_EV_RATE_HIGH,	 9 * SEC, VF },		/* back before the dwell */
	{ DUO_EV_TIMER,		12 * SEC, VF },
	/* a VF loss is not the policy's: at once, whatever the dwell */
	{ DUO_EV_VF_CARRIER_OFF, 13 * SEC, PV, true, DUO_SW_CARRIER },
	{ DUO_EV_VF_CARRIER_ON,	14 * SEC, VF, true, DUO_SW_ADAPTIVE },
	{ DUO_EV_PV_ONLY_ON,	15 * SEC, PV, true, DUO_SW_PV_ONLY },
	{ DUO_EV_RATE_HIGH,	16 * SEC, PV },		/* pv-only rules */
	{ DUO_EV_PV_ONLY_OFF,	17 * SEC, PV, false, DUO_SW_NONE, 19 * SEC },
	{ DUO_EV_TIMER,		19 * SEC, VF, true, DUO_SW_ADAPTIVE },
	{ DUO_EV_RATE_LOW,	30 * SEC, PV, true, DUO_SW_ADAPTIVE },
	{ DUO_EV_ADAPTIVE_OFF,	31 * SEC, VF, true, DUO_SW_ADAPTIVE },
	{ DUO_EV_ADAPTIVE_ON,	32 * SEC, VF },		/* the rate was forgotten */
	END,
};

static void adaptive_policy(struct kunit *test)
{
	struct duo_fo fo;

	fo_start(test, &fo, 0, true);
	PLAY(test, &fo, adaptive_steps);
	KUNIT_EXPECT_EQ(test, fo.switches[DUO_SW_ADAPTIVE], 6);
	KUNIT_EXPECT_EQ(test, fo.switches[DUO_SW_CARRIER], 1);
}

/* Hysteresis: an event only when a mark is crossed, never in between. */
static void adaptive_rate_events(struct kunit *test)
{
	struct duo_fo_config cfg;
	struct duo_fo fo;

	duo_fo_default_config(&cfg);
	cfg.adapt_low_pps = 100;
	cfg.adapt_high_pps = 1000;
	duo_fo_init(&fo, &cfg);
	KUNIT_EXPECT_EQ(test, duo_fo_rate_event(&fo, 500), DUO_EV_MAX);
	KUNIT_EXPECT_EQ(test, duo_fo_rate_event(&fo, 100), DUO_EV_RATE_LOW);
	KUNIT_EXPECT_EQ(test, duo_fo_rate_event(&fo, 1000), DUO_EV_RATE_HIGH);
	duo_fo_step(&fo, DUO_EV_RATE_HIGH, T0);
	KUNIT_EXPECT_EQ(test, duo_fo_rate_event(&fo, 5000), DUO_EV_MAX);
	KUNIT_EXPECT_EQ(test, duo_fo_rate_event(&fo, 101), DUO_EV_MAX);
	KUNIT_EXPECT_EQ(test, duo_fo_rate_event(&fo, 0), DUO_EV_RATE_LOW);
	duo_fo_step(&fo, DUO_EV_RATE_LOW, T0);
	KUNIT_EXPECT_EQ(test, duo_fo_rate_event(&fo, 999), DUO_EV_MAX);
	KUNIT_EXPECT_EQ(test, duo_fo_rate_event(&fo, 50), DUO_EV_MAX);
}

/* A high rate waits for the failback delay of a VF that just came back. */
static const struct want adaptive_delay_steps[] = {
	{ DUO_EV_ADAPTIVE_ON,	 1 * SEC, VF },
	{ DUO_EV_RATE_HIGH,	 1 * SEC, VF },
	{ DUO_EV_VF_CARRIER_OFF, 2 * SEC, PV, true, DUO_SW_CARRIER },
	{ DUO_EV_VF_CARRIER_ON,	 3 * SEC, PV, false, DUO_SW_NONE, 5 * SEC },
	{ DUO_EV_TIMER,		 5 * SEC, VF, true, DUO_SW_ADAPTIVE },
	END,
};

static void adaptive_failback_delay(struct kunit *test)
{
	struct duo_fo fo;

	fo_start(test, &fo, 2 * SEC, true);
	PLAY(test, &fo, adaptive_delay_steps);
}

/*
 * New settings keep the VF's loss history unless the number of losses
 * that damp changes; duo_fo_forget_losses() drops it.
 */
static void settings_and_loss_history(struct kunit *test)
{
	struct duo_fo_config cfg;
	struct duo_fo_decision d;
	struct duo_fo fo;
	int i;

	fo_start(test, &fo, 0, true);
	for (i = 0; i < 2; i++) {
		duo_fo_step(&fo, DUO_EV_VF_CARRIER_OFF, T0 + (2 * i + 1) * SEC);
		duo_fo_step(&fo, DUO_EV_VF_CARRIER_ON, T0 + (2 * i + 2) * SEC);
	}
	cfg = fo.cfg;
	cfg.adapt_high_pps = 20000;	/* not about damping */
	duo_fo_set_config(&fo, &cfg);
	duo_fo_step(&fo, DUO_EV_VF_CARRIER_OFF, T0 + 5 * SEC);
	d = duo_fo_step(&fo, DUO_EV_VF_CARRIER_ON, T0 + 6 * SEC);
	KUNIT_EXPECT_EQ_MSG(test, d.to, DUO_PATH_PV,
			    "third loss after an unrelated setting: damped");

	fo_start(test, &fo, 0, true);
	for (i = 0; i < 2; i++) {
		duo_fo_step(&fo, DUO_EV_VF_CARRIER_OFF, T0 + (2 * i + 1) * SEC);
		duo_fo_step(&fo, DUO_EV_VF_CARRIER_ON, T0 + (2 * i + 2) * SEC);
	}
	duo_fo_forget_losses(&fo);
	duo_fo_step(&fo, DUO_EV_VF_CARRIER_OFF, T0 + 5 * SEC);
	d = duo_fo_step(&fo, DUO_EV_VF_CARRIER_ON, T0 + 6 * SEC);
	KUNIT_EXPECT_EQ_MSG(test, d.to, DUO_PATH_VF, "losses forgotten: no hold");
	KUNIT_EXPECT_EQ(test, fo.cfg.damp_flaps, 3);
	cfg = fo.cfg;
	cfg.damp_flaps = DUO_FO_DAMP_MAX + 1;
	duo_fo_set_config(&fo, &cfg);
	KUNIT_EXPECT_EQ(test, fo.cfg.damp_flaps, DUO_FO_DAMP_MAX);
	KUNIT_EXPECT_EQ(test, fo.vf_loss_count, 0);
}

/*
 * The reachability check: turned on, it leaves TX on a VF that carries it
 * until the VF misses its answers; a VF whose link comes back waits for
 * an answer; off, answers and silence change nothing.
 */
static const struct want reach_steps[] = {
	{ DUO_EV_REACH_ON,	 1 * SEC, VF },
	{ DUO_EV_VF_REACH_LOST,	 2 * SEC, PV, true, DUO_SW_REACH },
	{ DUO_EV_VF_REACH_OK,	 3 * SEC, VF, true, DUO_SW_REACH },
	{ DUO_EV_VF_CARRIER_OFF, 4 * SEC, PV, true, DUO_SW_CARRIER },
	{ DUO_EV_VF_CARRIER_ON,	 5 * SEC, PV },
	{ DUO_EV_TIMER,		 6 * SEC, PV },
	{ DUO_EV_VF_REACH_OK,	 7 * SEC, VF, true, DUO_SW_REACH },
	{ DUO_EV_REACH_OFF,	 8 * SEC, VF },
	{ DUO_EV_VF_REACH_LOST,	 9 * SEC, VF },
	{ DUO_EV_VF_CARRIER_OFF, 10 * SEC, PV, true, DUO_SW_CARRIER },
	{ DUO_EV_VF_CARRIER_ON,	11 * SEC, PV, false, DUO_SW_NONE, 15 * SEC },
	END,
};

/* Turned on with TX on the PV: the failback delay counts from the answer. */
static const struct want reach_delay_steps[] = {
	{ DUO_EV_VF_CARRIER_OFF, 1 * SEC, PV, true, DUO_SW_CARRIER },
	{ DUO_EV_REACH_ON,	 2 * SEC, PV },
	{ DUO_EV_VF_CARRIER_ON,	 3 * SEC, PV },
	{ DUO_EV_VF_REACH_OK,	 4 * SEC, PV, false, DUO_SW_NONE, 6 * SEC },
	{ DUO_EV_TIMER,		 6 * SEC, VF, true, DUO_SW_FAILBACK },
	END,
};

/* An answer that comes after the link went proves nothing. */
static const struct want reach_late_answer[] = {
	{ DUO_EV_REACH_ON,	 1 * SEC, VF },
	{ DUO_EV_VF_CARRIER_OFF, 2 * SEC, PV, true, DUO_SW_CARRIER },
	{ DUO_EV_VF_REACH_OK,	 3 * SEC, PV },
	{ DUO_EV_VF_CARRIER_ON,	 4 * SEC, PV },
	END,
};

static void reach_check(struct kunit *test)
{
	struct duo_fo fo;

	fo_start(test, &fo, 0, true);
	PLAY(test, &fo, reach_steps);
	KUNIT_EXPECT_EQ(test, fo.switches[DUO_SW_REACH], 3);
	/* Silence at 2 s, carrier losses at 4 and 10 s: three, damped. */
	KUNIT_EXPECT_EQ(test, fo.vf_loss_count, 3);

	fo_start(test, &fo, 2 * SEC, true);
	PLAY(test, &fo, reach_delay_steps);
	/* Turning the check on took nothing from the VF. */
	KUNIT_EXPECT_EQ(test, fo.vf_loss_count, 1);

	fo_start(test, &fo, 0, true);
	PLAY(test, &fo, reach_late_answer);
	KUNIT_EXPECT_FALSE(test, duo_fo_vf_ok(&fo));
}

/* Every switch counts once: per reason and per direction. */
static void switch_counters(struct kunit *test)
{
	static const enum duo_fo_event seq[] = {
		DUO_EV_PV_REGISTER, DUO_EV_VF_REGISTER, DUO_EV_PV_UP,
		DUO_EV_VF_UP, DUO_EV_PV_CARRIER_ON, DUO_EV_VF_CARRIER_ON,
		DUO_EV_VF_CARRIER_OFF, DUO_EV_VF_CARRIER_ON, DUO_EV_PV_ONLY_ON,
		DUO_EV_PV_ONLY_ON, DUO_EV_PV_UNREGISTER, DUO_EV_PV_REGISTER,
		DUO_EV_PV_ONLY_OFF, DUO_EV_PV_ONLY_OFF, DUO_EV_VF_DOWN,
		DUO_EV_VF_UNREGISTER, DUO_EV_PV_UNREGISTER, DUO_EV_TIMER,
	};
	u64 per_reason[DUO_SW_REASON_MAX] = { }, to_vf = 0, to_pv = 0, sum;
	struct duo_fo_config cfg;
	struct duo_fo_decision d;
	struct duo_fo fo;
	unsigned int i, switches = 0;

	duo_fo_default_config(&cfg);
	duo_fo_init(&fo, &cfg);
	for (i = 0; i < ARRAY_SIZE(seq); i++) {
		d = duo_fo_step(&fo, seq[i], T0 + i * SEC);
		if (!d.switched)
			continue;
		switches++;
		per_reason[d.reason]++;
		to_vf += d.to == DUO_PATH_VF;
		to_pv += d.to == DUO_PATH_PV;
	}
	/*
	 * plug (->pv), carrier (->vf), carrier (->pv), carrier (->vf),
	 * pv-only (->pv), unplug (->none), plug (->pv), pv-only (->vf),
	 * (vf-down: no carrier anywhere, TX stays), unplug (->pv),
	 * unplug (->none)
	 */
	KUNIT_EXPECT_EQ(test, switches, 10);
	KUNIT_EXPECT_EQ(test, to_vf, 3);
	KUNIT_EXPECT_EQ(test, to_pv, 5);
	for (sum = 0, i = 0; i < DUO_SW_REASON_MAX; i++) {
		KUNIT_EXPECT_EQ_MSG(test, fo.switches[i], per_reason[i],
				    "switches[%s]", duo_switch_reason_name(i));
		sum += fo.switches[i];
	}
	KUNIT_EXPECT_EQ(test, sum, switches);
	KUNIT_EXPECT_EQ(test, fo.switches[DUO_SW_NONE], 0);
	KUNIT_EXPECT_EQ(test, fo.switches[DUO_SW_PLUG], 2);
	KUNIT_EXPECT_EQ(test, fo.switches[DUO_SW_UNPLUG], 3);
	KUNIT_EXPECT_EQ(test, fo.switches[DUO_SW_CARRIER], 3);
	KUNIT_EXPECT_EQ(test, fo.switches[DUO_SW_PV_ONLY], 2);
	KUNIT_EXPECT_EQ(test, fo.switches[DUO_SW_ADMIN], 0);
	KUNIT_EXPECT_EQ(test, fo.switches_to_vf, to_vf);
	KUNIT_EXPECT_EQ(test, fo.switches_to_pv, to_pv);
}

static struct kunit_case duo_failover_cases[] = {
	KUNIT_CASE(names),
	KUNIT_CASE(defaults_and_init),
	KUNIT_CASE_PARAM(every_event_in_every_state, all_events_gen_params),
	KUNIT_CASE(planned_migration),
	KUNIT_CASE(planned_migration_with_delay),
	KUNIT_CASE(surprise_removal),
	KUNIT_CASE(carrier_off_on),
	KUNIT_CASE(failback_delay),
	KUNIT_CASE(failback_reason_when_timer_is_late),
	KUNIT_CASE(flap_damping),
	KUNIT_CASE(flap_damping_from_time_zero),
	KUNIT_CASE(switch_counters),
	KUNIT_CASE(settings_and_loss_history),
	KUNIT_CASE(adaptive_policy),
	KUNIT_CASE(adaptive_rate_events),
	KUNIT_CASE(adaptive_failback_delay),
	KUNIT_CASE(reach_check),
	{}
};

static struct kunit_suite duo_failover_suite = {
	.name = "duonet_failover",
	.test_cases = duo_failover_cases,
};

kunit_test_suites(&duo_failover_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for the duonet path state machine");
