// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite duonet_stats: the upper's counters (core/stats.c).
 *
 *  paths     packets and bytes are duonet's own, per path: the upper's
 *            totals are the sum of both paths', ethtool -S shows each
 *  join      error and drop counters come from the lowers, counted from
 *            the moment a lower joined, not before
 *  history   what a lower counted stays in the upper after it leaves; a
 *            new lower's own past is not added
 *  wrap      a lower's 32-bit counter wrapping is a step forward
 *  backwards no counter of the upper ever goes down, whatever a lower's
 *            counters do (reset to zero, 32 or 64 bits)
 *
 * First the rule alone (duo_counter_delta(), duo_err_fold()), then on
 * real devices (kunit/fake.c), whose ndo_get_stats64 reports what the case
 * sets.
 */
#include <kunit/test.h>
#include <linux/etherdevice.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>

#include "core/duonet.h"
#include "kunit/fake.h"

static const u8 pair_mac[ETH_ALEN] = { 0x52, 0x54, 0x00, 0x5a, 0x75, 0x01 };

#define SHOW	3	/* violations reported in full per case */

static void counter_delta_rules(struct kunit *test)
{
	static const struct {
		u64 now, last, want;
		const char *why;
	} c[] = {
		{ 10, 10, 0, "no change" },
		{ 15, 10, 5, "counting" },
		{ 6000000100ULL, 6000000000ULL, 100, "counting past 32 bits" },
		{ 0x10, U32_MAX, 0x11, "32-bit wrap" },
		{ 0, U32_MAX - 1, 2, "32-bit wrap to zero" },
		{ 0x20, 3000000000ULL, 0x20 + (1ULL << 32) - 3000000000ULL,
		  "32-bit wrap from the upper half" },
		{ 0, 0x80000001, 0x7fffffff, "wrap: just under half the range" },
		{ 0, 0x80000000, 0, "reset: half the range is too far" },
		{ 5, 1000, 5, "reset of a small counter: restarted from zero" },
		{ 10, 6000000000ULL, 10, "reset of a 64-bit counter" },
		{ 0, 5, 0, "reset to zero" },
		{ 7, U64_MAX, 7, "64-bit counter back from the top" },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(c); i++)
		KUNIT_EXPECT_EQ_MSG(test, duo_counter_delta(c[i].now, c[i].last),
				    c[i].want, "%s: now %llu, last %llu", c[i].why,
				    c[i].now, c[i].last);
}

static void fold_adds_and_moves_last(struct kunit *test)
{
	struct duo_err_stats sum = { .rx_errors = 100, .multicast = 7 };
	struct duo_err_stats last = { .rx_errors = 10, .tx_errors = 20,
				      .rx_dropped = U32_MAX, .tx_dropped = 50,
				      .rx_missed_errors = 1, .multicast = 2 };
	const struct duo_err_stats now = { .rx_errors = 12, .tx_errors = 20,
					   .rx_dropped = 3, .tx_dropped = 4,
					   .rx_missed_errors = 9, .multicast = 2 };

	duo_err_fold(&sum, &last, &now);
	KUNIT_EXPECT_EQ(test, sum.rx_errors, 102);		/* +2 */
	KUNIT_EXPECT_EQ(test, sum.tx_errors, 0);		/* +0 */
	KUNIT_EXPECT_EQ(test, sum.rx_dropped, 4);		/* wrap: +4 */
	KUNIT_EXPECT_EQ(test, sum.tx_dropped, 4);		/* reset: +4 */
	KUNIT_EXPECT_EQ(test, sum.rx_missed_errors, 8);	/* +8 */
	KUNIT_EXPECT_EQ(test, sum.multicast, 7);		/* +0 */
	KUNIT_EXPECT_MEMEQ(test, &last, &now, sizeof(now));
	/* The same reading again adds nothing. */
	duo_err_fold(&sum, &last, &now);
	KUNIT_EXPECT_EQ(test, sum.rx_errors, 102);
	KUNIT_EXPECT_EQ(test, sum.rx_dropped, 4);
	KUNIT_EXPECT_EQ(test, sum.tx_dropped, 4);
}

static struct rtnl_link_stats64 upper_stats(struct net_device *upper)
{
	struct rtnl_link_stats64 s;

	dev_get_stats(upper, &s);
	return s;
}

static void paths_folded(struct kunit *test)
{
	struct net_device *upper = duo_fake_upper(test);
	struct net_device *pv = duo_fake_lower(test, pair_mac);
	struct net_device *vf = duo_fake_lower(test, pair_mac);
	struct rtnl_link_stats64 s;

	duo_fake_open(test, upper);
	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, pv, DUO_PATH_PV), 0);
	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, vf, DUO_PATH_VF), 0);
	duo_fake_send(test, upper, 100);
	duo_fake_send(test, upper, 200);
	duo_fake_receive(test, vf, 300);
	duo_fake_receive(test, pv, 400);
	duo_fake_receive(test, pv, 500);
	/* The VF loses its link: the next frame goes out on the PV. */
	netif_carrier_off(vf);
	duo_fake_send(test, upper, 60);

	s = upper_stats(upper);
	KUNIT_EXPECT_EQ(test, s.tx_packets, 3);
	KUNIT_EXPECT_EQ(test, s.tx_bytes, 360);
	KUNIT_EXPECT_EQ(test, s.rx_packets, 3);
	KUNIT_EXPECT_EQ(test, s.rx_bytes, 1200);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "vf_tx_packets"), 2);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "vf_tx_bytes"), 300);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "pv_tx_packets"), 1);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "pv_tx_bytes"), 60);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "vf_rx_bytes"), 300);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "pv_rx_packets"), 2);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "pv_rx_bytes"), 900);
}

static void errors_from_join_on(struct kunit *test)
{
	struct net_device *upper = duo_fake_upper(test);
	struct net_device *pv = duo_fake_lower(test, pair_mac);
	struct net_device *vf = duo_fake_lower(test, pair_mac);
	struct rtnl_link_stats64 s;

	duo_fake(pv)->stats.rx_errors = 100;
	duo_fake(pv)->stats.tx_dropped = 7;
	duo_fake(vf)->stats.rx_missed_errors = 40;
	duo_fake(vf)->stats.multicast = 1000;
	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, pv, DUO_PATH_PV), 0);
	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, vf, DUO_PATH_VF), 0);
	s = upper_stats(upper);
	KUNIT_EXPECT_EQ(test, s.rx_errors, 0);
	KUNIT_EXPECT_EQ(test, s.tx_dropped, 0);
	KUNIT_EXPECT_EQ(test, s.rx_missed_errors, 0);
	KUNIT_EXPECT_EQ(test, s.multicast, 0);

	duo_fake(pv)->stats.rx_errors = 130;
	duo_fake(pv)->stats.tx_dropped = 9;
	duo_fake(vf)->stats.rx_errors = 5;
	duo_fake(vf)->stats.tx_errors = 3;
	duo_fake(vf)->stats.rx_dropped = 2;
	duo_fake(vf)->stats.rx_missed_errors = 41;
	duo_fake(vf)->stats.multicast = 1010;
	s = upper_stats(upper);
	KUNIT_EXPECT_EQ(test, s.rx_errors, 35);
	KUNIT_EXPECT_EQ(test, s.tx_errors, 3);
	KUNIT_EXPECT_EQ(test, s.rx_dropped, 2);
	KUNIT_EXPECT_EQ(test, s.tx_dropped, 2);
	KUNIT_EXPECT_EQ(test, s.rx_missed_errors, 1);
	KUNIT_EXPECT_EQ(test, s.multicast, 10);
}

static void history_across_departure(struct kunit *test)
{
	struct net_device *upper = duo_fake_upper(test);
	struct net_device *pv = duo_fake_lower(test, pair_mac);
	struct net_device *vf = duo_fake_lower(test, pair_mac);
	struct rtnl_link_stats64 s;

	duo_fake_open(test, upper);
	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, pv, DUO_PATH_PV), 0);
	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, vf, DUO_PATH_VF), 0);
	duo_fake_send(test, upper, 100);
	duo_fake_receive(test, vf, 100);
	duo_fake(vf)->stats.rx_errors = 20;
	duo_fake(vf)->stats.tx_dropped = 4;
	duo_fake(pv)->stats.rx_errors = 1;

	/* The VF leaves: nothing it counted is lost, nothing is doubled. */
	duo_fake_unregister(test, vf);
	s = upper_stats(upper);
	KUNIT_EXPECT_EQ(test, s.rx_errors, 21);
	KUNIT_EXPECT_EQ(test, s.tx_dropped, 4);
	KUNIT_EXPECT_EQ(test, s.tx_packets, 1);
	KUNIT_EXPECT_EQ(test, s.rx_packets, 1);

	/* A new VF with a past of its own: only what it counts here adds. */
	vf = duo_fake_lower(test, pair_mac);
	duo_fake(vf)->stats.rx_errors = 5000;
	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, vf, DUO_PATH_VF), 0);
	s = upper_stats(upper);
	KUNIT_EXPECT_EQ(test, s.rx_errors, 21);
	duo_fake(vf)->stats.rx_errors = 5003;
	s = upper_stats(upper);
	KUNIT_EXPECT_EQ(test, s.rx_errors, 24);

	/* And once more, the PV this time, with the VF staying. */
	duo_fake_unregister(test, pv);
	s = upper_stats(upper);
	KUNIT_EXPECT_EQ(test, s.rx_errors, 24);
	KUNIT_EXPECT_EQ(test, s.tx_packets, 1);
}

/* A driver with 32-bit counters: the wrap is a step of the distance. */
static void wrap_32bit(struct kunit *test)
{
	struct net_device *upper = duo_fake_upper(test);
	struct net_device *vf = duo_fake_lower(test, pair_mac);
	struct rtnl_link_stats64 s;

	duo_fake(vf)->stats.rx_dropped = U32_MAX - 15;
	duo_fake(vf)->stats.multicast = U32_MAX;
	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, vf, DUO_PATH_VF), 0);
	duo_fake(vf)->stats.rx_dropped = U32_MAX;
	s = upper_stats(upper);
	KUNIT_EXPECT_EQ(test, s.rx_dropped, 15);
	duo_fake(vf)->stats.rx_dropped = 0x10;		/* wrapped */
	duo_fake(vf)->stats.multicast = 0;
	s = upper_stats(upper);
	KUNIT_EXPECT_EQ(test, s.rx_dropped, 15 + 1 + 0x10);
	KUNIT_EXPECT_EQ(test, s.multicast, 1);
	duo_fake(vf)->stats.rx_dropped = 0x20;
	s = upper_stats(upper);
	KUNIT_EXPECT_EQ(test, s.rx_dropped, 15 + 1 + 0x20);

	/* It leaves after the wrap: the history keeps the wrapped count. */
	duo_fake(vf)->stats.rx_dropped = 0x30;
	duo_fake_unregister(test, vf);
	s = upper_stats(upper);
	KUNIT_EXPECT_EQ(test, s.rx_dropped, 15 + 1 + 0x30);
}

#define NFIELDS	6

static void read_fields(struct net_device *upper, u64 v[NFIELDS])
{
	struct rtnl_link_stats64 s = upper_stats(upper);

	v[0] = s.rx_errors;
	v[1] = s.tx_errors;
	v[2] = s.rx_dropped;
	v[3] = s.tx_dropped;
	v[4] = s.rx_missed_errors;
	v[5] = s.multicast;
}

static void set_all(struct net_device *dev, u64 val)
{
	struct rtnl_link_stats64 *s = &duo_fake(dev)->stats;

	s->rx_errors = val;
	s->tx_errors = val;
	s->rx_dropped = val;
	s->tx_dropped = val;
	s->rx_missed_errors = val;
	s->multicast = val;
}

/*
 * Lowers' counters going back (a driver resetting its statistics, at a
 * reset or down/up), small and large, 64-bit and 32-bit: the upper's
 * never do, and what the lower counts after its reset still counts.
 */
static void never_backwards(struct kunit *test)
{
	static const struct {
		u64 val;
		const char *what;
	} steps[] = {
		{ 1000, "counting" },
		{ 5, "reset, small values" },
		{ 50, "counting again" },
		{ 6000000000ULL, "past 32 bits" },
		{ 6000000100ULL, "counting" },
		{ 10, "64-bit reset" },
		{ 20, "counting again" },
		{ 0, "reset to zero" },
		{ 3000000000ULL, "32-bit, high" },
		{ 0x20, "32-bit reset from high" },
	};
	struct net_device *upper = duo_fake_upper(test);
	struct net_device *pv = duo_fake_lower(test, pair_mac);
	struct net_device *vf = duo_fake_lower(test, pair_mac);
	u64 prev[NFIELDS], now[NFIELDS];
	unsigned int i, f, bad = 0;

	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, pv, DUO_PATH_PV), 0);
	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, vf, DUO_PATH_VF), 0);
	read_fields(upper, prev);
	for (i = 0; i < ARRAY_SIZE(steps); i++) {
		set_all(vf, steps[i].val);
		set_all(pv, steps[i].val / 2);
		read_fields(upper, now);
		for (f = 0; f < NFIELDS; f++) {
			if (now[f] >= prev[f] || ++bad > SHOW)
				continue;
			KUNIT_FAIL(test, "step %u (%s): field %u went from %llu to %llu",
				   i, steps[i].what, f, prev[f], now[f]);
		}
		memcpy(prev, now, sizeof(prev));
	}
	/* A departure after all that: still nothing goes back. */
	duo_fake_unregister(test, vf);
	read_fields(upper, now);
	for (f = 0; f < NFIELDS; f++)
		if (now[f] < prev[f])
			bad++;
	KUNIT_EXPECT_EQ_MSG(test, bad, 0, "counters that went back, in all");
}

static struct kunit_case duo_stats_cases[] = {
	KUNIT_CASE(counter_delta_rules),
	KUNIT_CASE(fold_adds_and_moves_last),
	KUNIT_CASE(paths_folded),
	KUNIT_CASE(errors_from_join_on),
	KUNIT_CASE(history_across_departure),
	KUNIT_CASE(wrap_32bit),
	KUNIT_CASE(never_backwards),
	{}
};

static struct kunit_suite duo_stats_suite = {
	.name = "duonet_stats",
	.suite_init = duo_fake_suite_init,
	.suite_exit = duo_fake_suite_exit,
	.test_cases = duo_stats_cases,
};

kunit_test_suites(&duo_stats_suite);
