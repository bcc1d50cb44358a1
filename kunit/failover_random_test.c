// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite duonet_failover_random: seeded pseudo-random event sequences
 * through the path state machine (failover/failover.c), with invariants
 * checked after every step.
 *
 * Each case runs SEEDS sequences of STEPS steps under one configuration.
 * A step is an event (any of them, timers too, at random) after a random
 * advance of a fake clock, or, when the state machine asked for a timer,
 * sometimes exactly that timer. The test keeps its own record of what it
 * told the state machine (which lowers are present, up, with carrier;
 * pv-only; when the VF became usable; the VF losses) and of what it was
 * told back (switches, per reason and direction), and after each step
 * checks:
 *
 *  decision  from is the path before; switched iff to != from; active is
 *            to; a reason iff switched
 *  absent    never TX on a path that is not present
 *  pv-only   never the VF while pv-only; the PV whenever pv-only and the
 *            PV is present
 *  a-path    some path while one is present (and not pv-only)
 *  carrier   while some path is usable (present, up, carrier), TX is on a
 *            usable path (not pv-only)
 *  stay      with no usable path, TX stays on the active path while it is
 *            still present (not pv-only)
 *  early     no move to the VF, with the PV usable, before the VF was usable
 *            for the failback delay or while flap damping holds
 *  recheck   a timer is asked for exactly when TX waits on the PV for a
 *            usable VF, at the time the wait ends (so it is in the future);
 *            otherwise recheck_ns is 0
 *  reason    a switch's reason is that of its event's kind; one that only
 *            the clock caused (the timer, or an event that changed nothing
 *            after the wait ended) is a failback
 *  counters  switches[] sums to the switches seen, per reason;
 *            switches_to_vf/pv count the switches seen to each
 *  adaptive  with the adaptive policy on, the rate known, both paths
 *            usable (not pv-only): TX on the PV for a low rate, on the VF
 *            for a high one, unless the dwell time since its last switch
 *            holds TX where it was or the VF may not take TX back yet;
 *            such switches are the policy's (reason adaptive), and a timer
 *            asked for is when one of those waits ends
 *  dwell     two switches of the adaptive policy are a dwell time apart
 *
 * A failure names the case, seed and step; the sequences are reproducible.
 */
#include <kunit/test.h>
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/string.h>
#include <linux/time64.h>

#include "failover/failover.h"

#define SEEDS	50
#define STEPS	400
#define SHOW	5	/* violations reported in full per case */

#define SEC	NSEC_PER_SEC
#define MSEC	NSEC_PER_MSEC
#define USEC	NSEC_PER_USEC

/* xorshift64: tiny, fixed, the same on every architecture. */
static u64 rnd_next(u64 *s)
{
	u64 x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

static u32 rnd_below(u64 *s, u32 n)
{
	return (u32)(rnd_next(s) >> 32) % n;
}

struct lower {
	bool present;
	bool up;
	bool carrier;
};

/* What the test told the state machine, and what it heard back. */
struct world {
	struct duo_fo_config cfg;
	unsigned int damp_flaps;	/* cfg's, capped as documented */
	struct lower vf;
	struct lower pv;
	bool pv_only;
	bool adaptive;
	enum duo_fo_rate rate;
	bool reach;			/* the VF reachability check on */
	bool reached;			/* ... and a target answered */
	u64 adapt_at;			/* its last switch seen, 0: none */
	u64 now;
	u64 vf_usable_at;
	u64 losses[DUO_FO_DAMP_MAX];	/* newest first */
	unsigned int nlosses;
	u64 hold_until;
	enum duo_path active;		/* as last decided */
	u64 recheck;			/* as last asked for */
	u64 switches;
	u64 per_reason[DUO_SW_REASON_MAX];
	u64 to_vf;
	u64 to_pv;
};

enum inv {
	INV_DECISION, INV_ABSENT, INV_PV_ONLY, INV_A_PATH, INV_CARRIER,
	INV_STAY, INV_EARLY, INV_RECHECK, INV_REASON, INV_COUNTERS,
	INV_ADAPTIVE, INV_DWELL, INV_MAX,
};

static const char * const inv_names[INV_MAX] = {
	"decision", "absent", "pv-only", "a-path", "carrier", "stay", "early",
	"recheck", "reason", "counters", "adaptive", "dwell",
};

struct run {
	struct kunit *test;
	const char *name;
	u32 seed;
	unsigned int step;
	unsigned int shown;
	unsigned int failed_seeds;
	unsigned int seed_mask;		/* invariants broken in this seed */
	unsigned int broken[INV_MAX];	/* seeds that broke each */
};

static bool usable(const struct lower *l)
{
	return l->present && l->up && l->carrier;
}

/* The VF may take TX: usable, and answering where that is checked. */
static bool vf_ok(const struct world *w)
{
	return usable(&w->vf) && (!w->reach || w->reached);
}

static bool present(const struct world *w, enum duo_path p)
{
	return (p == DUO_PATH_VF && w->vf.present) ||
	       (p == DUO_PATH_PV && w->pv.present);
}

static enum duo_switch_reason event_kind(enum duo_fo_event ev)
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

/* Record what an event does to the world the state machine sees. */
static void world_apply(struct world *w, enum duo_fo_event ev)
{
	bool on_vf = ev <= DUO_EV_VF_CARRIER_OFF;
	struct lower *l = on_vf ? &w->vf : &w->pv;
	bool was = vf_ok(w);
	unsigned int i, recent = 0;

	switch (ev) {
	case DUO_EV_VF_REGISTER:
	case DUO_EV_PV_REGISTER:
		*l = (struct lower){ .present = true };
		break;
	case DUO_EV_VF_UNREGISTER:
	case DUO_EV_PV_UNREGISTER:
		*l = (struct lower){ };
		break;
	case DUO_EV_VF_UP:
	case DUO_EV_PV_UP:
		l->up = true;
		break;
	case DUO_EV_VF_GOING_DOWN:
	case DUO_EV_VF_DOWN:
	case DUO_EV_PV_GOING_DOWN:
	case DUO_EV_PV_DOWN:
		l->up = false;
		break;
	case DUO_EV_VF_CARRIER_ON:
	case DUO_EV_PV_CARRIER_ON:
		l->carrier = true;
		break;
	case DUO_EV_VF_CARRIER_OFF:
	case DUO_EV_PV_CARRIER_OFF:
		l->carrier = false;
		break;
	case DUO_EV_PV_ONLY_ON:
		w->pv_only = true;
		break;
	case DUO_EV_PV_ONLY_OFF:
		w->pv_only = false;
		break;
	case DUO_EV_ADAPTIVE_ON:
		w->adaptive = true;
		break;
	case DUO_EV_ADAPTIVE_OFF:
		w->adaptive = false;
		w->rate = DUO_RATE_UNKNOWN;
		break;
	case DUO_EV_RATE_HIGH:
		w->rate = DUO_RATE_HIGH;
		break;
	case DUO_EV_RATE_LOW:
		w->rate = DUO_RATE_LOW;
		break;
	case DUO_EV_REACH_ON:	/* TX on the VF: it keeps it until it misses */
		w->reach = true;
		w->reached = w->active == DUO_PATH_VF && usable(&w->vf);
		break;
	case DUO_EV_REACH_OFF:
		w->reach = false;
		w->reached = false;
		break;
	case DUO_EV_VF_REACH_OK:
		w->reached = true;
		break;
	case DUO_EV_VF_REACH_LOST:
		w->reached = false;
		break;
	default:
		break;
	}
	/* An answer counts for the link it came on. */
	if (!usable(&w->vf))
		w->reached = false;

	if (!was && vf_ok(w))
		w->vf_usable_at = w->now;
	/* Turning the check on is no loss. */
	if (!was || vf_ok(w) || ev == DUO_EV_REACH_ON)
		return;
	/* a VF loss */
	memmove(&w->losses[1], &w->losses[0],
		sizeof(w->losses) - sizeof(w->losses[0]));
	w->losses[0] = w->now;
	w->nlosses = min(w->nlosses + 1, DUO_FO_DAMP_MAX);
	for (i = 0; i < w->nlosses; i++)
		recent += w->now - w->losses[i] <= w->cfg.damp_window_ns;
	if (w->damp_flaps && recent >= w->damp_flaps)
		w->hold_until = w->now + w->cfg.damp_hold_ns;
}

static bool same_inputs(const struct world *a, const struct world *b)
{
	return vf_ok(a) == vf_ok(b) &&
	       usable(&a->pv) == usable(&b->pv) &&
	       a->vf.present == b->vf.present &&
	       a->pv.present == b->pv.present && a->pv_only == b->pv_only &&
	       a->adaptive == b->adaptive && a->rate == b->rate;
}

static void broke(struct run *r, enum inv which, enum duo_fo_event ev,
		  const struct world *w, const struct duo_fo_decision *d,
		  const char *why)
{
	if (r->seed_mask & BIT(which))
		return;		/* one report per invariant and seed */
	r->seed_mask |= BIT(which);
	r->broken[which]++;
	if (r->shown >= SHOW)
		return;
	r->shown++;
	KUNIT_FAIL(r->test,
		   "%s seed %u step %u: invariant %s: %s\n"
		   "\tevent %s at %llu ns: %s -> %s%s reason %s recheck %llu\n"
		   "\tvf %s%s%s pv %s%s%s pv-only %d vf usable since %llu hold until %llu",
		   r->name, r->seed, r->step, inv_names[which], why,
		   duo_fo_event_name(ev), w->now, duo_path_name(d->from),
		   duo_path_name(d->to), d->switched ? " (switched)" : "",
		   duo_switch_reason_name(d->reason), d->recheck_ns,
		   w->vf.present ? "present" : "absent", w->vf.up ? " up" : "",
		   w->vf.carrier ? " carrier" : "",
		   w->pv.present ? "present" : "absent", w->pv.up ? " up" : "",
		   w->pv.carrier ? " carrier" : "", w->pv_only,
		   w->vf_usable_at, w->hold_until);
}

#define CHECK(inv, cond, why) do {				\
	if (!(cond))						\
		broke(r, inv, ev, w, d, why);			\
} while (0)

static void check(struct run *r, const struct duo_fo *fo,
		  const struct world *before, const struct world *w,
		  enum duo_fo_event ev, const struct duo_fo_decision *d)
{
	bool vf_usable = vf_ok(w), pv_ok = usable(&w->pv);
	bool on_path = !w->pv_only;
	u64 ready = max(w->vf_usable_at + w->cfg.failback_delay_ns,
			w->hold_until);
	bool by_rate = on_path && vf_usable && pv_ok && w->adaptive &&
		       w->rate != DUO_RATE_UNKNOWN;
	bool waiting = !by_rate && on_path && vf_usable && pv_ok && d->to == DUO_PATH_PV;
	u64 dwell_end = before->adapt_at + w->cfg.adapt_dwell_ns;
	bool dwelling = before->adapt_at && w->now < dwell_end &&
			before->active != DUO_PATH_NONE;
	enum duo_path target = w->rate == DUO_RATE_HIGH ? DUO_PATH_VF : DUO_PATH_PV;
	u64 sum = 0;
	int i;

	CHECK(INV_DECISION, d->from == before->active, "from is not the path before");
	CHECK(INV_DECISION, d->switched == (d->to != d->from), "switched != (to != from)");
	CHECK(INV_DECISION, fo->active == d->to, "active is not to");
	CHECK(INV_DECISION, d->switched || d->reason == DUO_SW_NONE,
	      "a reason without a switch");
	CHECK(INV_DECISION, !d->switched ||
	      (d->reason > DUO_SW_NONE && d->reason < DUO_SW_REASON_MAX),
	      "a switch without a valid reason");

	CHECK(INV_ABSENT, d->to != DUO_PATH_VF || w->vf.present, "TX on an absent VF");
	CHECK(INV_ABSENT, d->to != DUO_PATH_PV || w->pv.present, "TX on an absent PV");

	CHECK(INV_PV_ONLY, !w->pv_only || d->to != DUO_PATH_VF, "VF while pv-only");
	CHECK(INV_PV_ONLY, !w->pv_only || !w->pv.present || d->to == DUO_PATH_PV,
	      "not on the PV while pv-only and the PV is present");

	CHECK(INV_A_PATH, !on_path || !(w->vf.present || w->pv.present) ||
	      d->to != DUO_PATH_NONE, "no path while a lower is present");

	CHECK(INV_CARRIER, !on_path || !(vf_usable || pv_ok) ||
	      (d->to == DUO_PATH_VF && vf_usable) || (d->to == DUO_PATH_PV && pv_ok),
	      "TX on a path without carrier while another has it");

	CHECK(INV_STAY, !on_path || vf_usable || pv_ok ||
	      !present(w, before->active) || d->to == before->active,
	      "left a present path with no usable path to go to");

	CHECK(INV_EARLY, !on_path || !pv_ok || !d->switched ||
	      d->to != DUO_PATH_VF || w->now >= ready,
	      "moved to the VF before the failback delay or during the hold");

	if (waiting) {
		CHECK(INV_RECHECK, d->recheck_ns == ready,
		      "waiting for the VF, recheck_ns is not when the wait ends");
		CHECK(INV_RECHECK, d->recheck_ns > w->now,
		      "waiting for the VF, recheck_ns is not in the future");
	} else if (by_rate) {
		CHECK(INV_ADAPTIVE, !d->recheck_ns ||
		      (d->recheck_ns > w->now &&
		       (d->recheck_ns == ready || d->recheck_ns == dwell_end)),
		      "adaptive: recheck_ns is not when the VF or the dwell wait ends");
	} else {
		CHECK(INV_RECHECK, d->recheck_ns == 0,
		      "recheck_ns set with nothing to wait for");
	}

	if (by_rate) {
		CHECK(INV_ADAPTIVE, d->to == target ||
		      (dwelling && d->to == before->active) ||
		      (target == DUO_PATH_VF && d->to == DUO_PATH_PV &&
		       before->active != DUO_PATH_VF && w->now < ready),
		      "adaptive: TX not on the rate's path, and no wait explains it");
		CHECK(INV_ADAPTIVE, !d->switched || d->reason == DUO_SW_ADAPTIVE,
		      "adaptive: a switch between usable paths is not the policy's");
		CHECK(INV_DWELL, !d->switched || !dwelling,
		      "adaptive: switched again within the dwell time");
	} else if (d->switched && same_inputs(before, w))
		CHECK(INV_REASON, d->reason == DUO_SW_FAILBACK && d->to == DUO_PATH_VF,
		      "a switch only the clock caused is not a failback to the VF");
	else if (d->switched)
		CHECK(INV_REASON, d->reason == event_kind(ev),
		      "the reason is not that of the event");

	for (i = 0; i < DUO_SW_REASON_MAX; i++) {
		sum += fo->switches[i];
		CHECK(INV_COUNTERS, fo->switches[i] == w->per_reason[i],
		      "switches[reason] differs from the switches seen");
	}
	CHECK(INV_COUNTERS, sum == w->switches, "sum(switches[]) != switches seen");
	CHECK(INV_COUNTERS, fo->switches_to_vf == w->to_vf,
	      "switches_to_vf != switches to the VF seen");
	CHECK(INV_COUNTERS, fo->switches_to_pv == w->to_pv,
	      "switches_to_pv != switches to the PV seen");
}

/* Clock advances: mostly small, some across the delays, windows, holds. */
static u64 advance(u64 *s)
{
	static const u64 steps[] = {
		0, 1, USEC, MSEC, 50 * MSEC, 300 * MSEC, SEC, 1500 * MSEC,
		2900 * MSEC, 5 * SEC, 11 * SEC,
	};

	if (rnd_below(s, 4) == 0)
		return rnd_below(s, 3 * 1000) * MSEC;
	return steps[rnd_below(s, ARRAY_SIZE(steps))];
}

/*
 * The next event: half the time one that brings a lower (the VF more
 * often) a step closer to usable (for the VF under the reachability
 * check, an answer is the last step), or repeats an event it has already seen
 * when it is usable; else any event at all.
 */
static enum duo_fo_event next_event(u64 *s, const struct world *w)
{
	bool vf = rnd_below(s, 3) != 0;
	const struct lower *l = vf ? &w->vf : &w->pv;
	enum duo_fo_event base = vf ? DUO_EV_VF_REGISTER : DUO_EV_PV_REGISTER;

	if (rnd_below(s, 2))
		return rnd_below(s, DUO_EV_MAX);
	if (!l->present)
		return base;			/* register */
	/* With the reachability check on, a usable VF also answers. */
	if (vf && usable(l) && w->reach && !w->reached)
		return DUO_EV_VF_REACH_OK;
	if (!l->up || (usable(l) && rnd_below(s, 2)))
		return base + (DUO_EV_VF_UP - DUO_EV_VF_REGISTER);
	return base + (DUO_EV_VF_CARRIER_ON - DUO_EV_VF_REGISTER);
}

/* How much of the interesting ground a case covered. */
struct cover {
	unsigned int waiting;		/* steps with TX waiting for the VF */
	unsigned int held;		/* ... while flap damping held it */
	unsigned int failbacks;		/* switches to the VF with the PV usable */
	unsigned int pv_only;		/* steps with pv-only on and a usable VF */
	unsigned int adaptive;		/* switches of the adaptive policy */
};

static void one_seed(struct run *r, struct cover *cov, struct duo_fo *fo,
		     struct world *w, struct world *before,
		     const struct duo_fo_config *cfg)
{
	struct duo_fo_decision dd, *d = &dd;
	enum duo_fo_event ev;
	u64 s = 0x9e3779b97f4a7c15ULL * (r->seed + 1);

	duo_fo_init(fo, cfg);
	memset(w, 0, sizeof(*w));
	w->cfg = *cfg;
	w->damp_flaps = min_t(u32, cfg->damp_flaps, DUO_FO_DAMP_MAX);
	w->active = DUO_PATH_NONE;
	w->now = SEC;		/* time 0 is a corner case of its own */
	r->seed_mask = 0;

	for (r->step = 0; r->step < STEPS; r->step++) {
		if (w->recheck && rnd_below(&s, 4) == 0) {
			w->now = w->recheck;
			ev = DUO_EV_TIMER;
		} else {
			if (rnd_below(&s, 3) == 0)
				w->now += advance(&s);
			ev = next_event(&s, w);
		}

		*before = *w;
		world_apply(w, ev);
		dd = duo_fo_step(fo, ev, w->now);
		if (d->switched) {
			w->switches++;
			if (d->reason < DUO_SW_REASON_MAX)
				w->per_reason[d->reason]++;
			w->to_vf += d->to == DUO_PATH_VF;
			w->to_pv += d->to == DUO_PATH_PV;
		}
		check(r, fo, before, w, ev, d);
		/* The policy's own switches (not one turning it off). */
		if (d->switched && w->adaptive && w->rate != DUO_RATE_UNKNOWN &&
		    !w->pv_only && vf_ok(w) && usable(&w->pv)) {
			w->adapt_at = w->now;
			cov->adaptive++;
		}
		w->active = d->to;
		w->recheck = d->recheck_ns;

		if (d->recheck_ns) {
			cov->waiting++;
			cov->held += w->now < w->hold_until;
		}
		cov->failbacks += d->switched && d->to == DUO_PATH_VF &&
				  usable(&w->pv) && !w->pv_only;
		cov->pv_only += w->pv_only && usable(&w->vf);
	}
	if (r->seed_mask)
		r->failed_seeds++;
}

static void run_seeds(struct kunit *test, const char *name,
		      const struct duo_fo_config *cfg)
{
	struct run r = { .test = test, .name = name };
	struct cover cov = { };
	struct world *w;
	struct duo_fo *fo;
	int i;

	fo = kunit_kzalloc(test, sizeof(*fo), GFP_KERNEL);
	w = kunit_kcalloc(test, 2, sizeof(*w), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fo);
	KUNIT_ASSERT_NOT_NULL(test, w);

	for (r.seed = 1; r.seed <= SEEDS; r.seed++)
		one_seed(&r, &cov, fo, &w[0], &w[1], cfg);

	kunit_info(test,
		   "%s: %d seeds x %d steps: %u steps waiting for the VF (%u held), %u failbacks, %u pv-only steps with a usable VF, %u adaptive switches",
		   name, SEEDS, STEPS, cov.waiting, cov.held, cov.failbacks,
		   cov.pv_only, cov.adaptive);
	for (i = 0; i < INV_MAX; i++)
		KUNIT_EXPECT_EQ_MSG(test, r.broken[i], 0,
				    "%s: invariant %s broken in %u of %d seeds",
				    name, inv_names[i], r.broken[i], SEEDS);
	KUNIT_EXPECT_EQ_MSG(test, r.failed_seeds, 0,
			    "%s: %u of %d seeds (x %d steps) broke an invariant (first %d shown)",
			    name, r.failed_seeds, SEEDS, STEPS, SHOW);

	/* The sequences must reach the states the invariants are about. */
	KUNIT_EXPECT_GT_MSG(test, cov.failbacks, 0, "%s: no failback seen", name);
	KUNIT_EXPECT_GT_MSG(test, cov.pv_only, 0, "%s: no pv-only seen", name);
	KUNIT_EXPECT_GT_MSG(test, cov.adaptive, 0, "%s: no adaptive switch seen", name);
	if (cfg->failback_delay_ns || (cfg->damp_flaps && cfg->damp_hold_ns))
		KUNIT_EXPECT_GT_MSG(test, cov.waiting, 0,
				    "%s: TX never waited for the VF", name);
	if (cfg->damp_flaps && cfg->damp_hold_ns)
		KUNIT_EXPECT_GT_MSG(test, cov.held, 0,
				    "%s: flap damping never held", name);
}

static void random_default_config(struct kunit *test)
{
	struct duo_fo_config cfg;

	duo_fo_default_config(&cfg);
	run_seeds(test, "default", &cfg);
}

static void random_failback_delay(struct kunit *test)
{
	struct duo_fo_config cfg = {
		.failback_delay_ns = 1500 * MSEC,
		.damp_flaps = 2,
		.damp_window_ns = 4 * SEC,
		.damp_hold_ns = 3 * SEC,
		.adapt_dwell_ns = 2 * SEC,
	};

	run_seeds(test, "delay", &cfg);
}

static void random_no_damping(struct kunit *test)
{
	struct duo_fo_config cfg = {
		.failback_delay_ns = 300 * MSEC,
	};

	run_seeds(test, "no-damping", &cfg);
}

static void random_long_damping(struct kunit *test)
{
	struct duo_fo_config cfg = {
		.damp_flaps = DUO_FO_DAMP_MAX + 4,	/* capped at the max */
		.damp_window_ns = 60 * SEC,
		.damp_hold_ns = 20 * SEC,
	};

	run_seeds(test, "long-damping", &cfg);
}

static struct kunit_case duo_failover_random_cases[] = {
	KUNIT_CASE(random_default_config),
	KUNIT_CASE(random_failback_delay),
	KUNIT_CASE(random_no_damping),
	KUNIT_CASE(random_long_damping),
	{}
};

static struct kunit_suite duo_failover_random_suite = {
	.name = "duonet_failover_random",
	.test_cases = duo_failover_random_cases,
};

kunit_test_suites(&duo_failover_random_suite);
