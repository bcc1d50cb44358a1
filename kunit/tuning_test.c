// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite duonet_tuning: the tuning the user applies to the upper
 * (core/tuning.c), through the upper's ethtool ops, on fake lowers whose
 * ring and coalescing ops have limits and refuse what a case tells them
 * to (kunit/fake.c, duo_fake_with_tuning()).
 *
 *  applied   a value set on the upper reaches every lower; what the user
 *            did not change stays as each lower's driver chose it
 *  view      the upper shows the stored values over its active lower's,
 *            with the largest limits of its lowers
 *  limits    a value over a lower's limit is stored and given to the
 *            lowers that can take it; the other keeps its own, and the
 *            refusal is counted (ethtool -S) and said in the extack
 *  errors    a lower's driver error is a refusal of that lower alone
 *  replay    a lower joining later gets the stored values at its join
 *  unchanged a value equal to what the upper shows is not stored: a lower
 *            joining later keeps its own
 *  refused   a ring without entries, a setting no lower has: errors with
 *            their extack message, nothing stored
 *  coalesce  a parameter a lower does not support is kept from it (the
 *            rest goes), counted; a lower that has the operation and
 *            refuses it for its device (vmxnet3 before version 3) is
 *            passed over for the next in the view
 */
#include <kunit/test.h>
#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <net/netlink.h>

#include "core/duonet.h"
#include "kunit/fake.h"

static const u8 pair_mac[ETH_ALEN] = { 0x52, 0x54, 0x00, 0x7e, 0x11, 0x01 };

static const char stored_not_taken[] =
	"duonet: stored, but a lower could not take it (kernel log, ethtool -S)";

static struct net_device *tuned_lower(struct kunit *test, u32 max, u32 cur)
{
	struct net_device *dev = duo_fake_alloc(test, pair_mac);

	duo_fake_with_tuning(dev, max, cur);
	duo_fake_register(test, dev);
	return dev;
}

/* An upper with a VF and a PV, TX on the VF. */
static struct net_device *pair(struct kunit *test, struct net_device *vf,
			       struct net_device *pv)
{
	struct net_device *upper = duo_fake_upper(test);

	duo_fake_open(test, upper);
	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, pv, DUO_PATH_PV), 0);
	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, vf, DUO_PATH_VF), 0);
	KUNIT_ASSERT_PTR_EQ(test, duo_fake_tx(upper), vf);
	return upper;
}

static struct ethtool_ringparam get_ring(struct net_device *upper)
{
	struct kernel_ethtool_ringparam k = {};
	struct ethtool_ringparam r = {};

	rtnl_lock();
	upper->ethtool_ops->get_ringparam(upper, &r, &k, NULL);
	rtnl_unlock();
	return r;
}

/*
 * ethtool -G as ethtool's core does it (ethnl_set_rings()): the upper's
 * view with rx and tx, the upper's limits checked, nothing asked when
 * nothing changed.
 */
static int set_ring(struct net_device *upper, u32 rx, u32 tx,
		    struct netlink_ext_ack *extack)
{
	struct kernel_ethtool_ringparam k = {};
	struct ethtool_ringparam r;
	int err;

	r = get_ring(upper);
	if (r.rx_pending == rx && r.tx_pending == tx)
		return 0;
	if (rx > r.rx_max_pending || tx > r.tx_max_pending)
		return -EINVAL;
	r.rx_pending = rx;
	r.tx_pending = tx;
	rtnl_lock();
	err = upper->ethtool_ops->set_ringparam(upper, &r, &k, extack);
	rtnl_unlock();
	return err;
}

static int get_coal(struct net_device *upper, struct ethtool_coalesce *c)
{
	struct kernel_ethtool_coalesce k = {};
	int err;

	memset(c, 0, sizeof(*c));
	rtnl_lock();
	err = upper->ethtool_ops->get_coalesce(upper, c, &k, NULL);
	rtnl_unlock();
	return err;
}

/* ethtool -C as ethtool's core does it: a get first, its error returned. */
static int set_coal(struct net_device *upper, const struct ethtool_coalesce *c,
		    struct netlink_ext_ack *extack)
{
	struct kernel_ethtool_coalesce k = {};
	struct ethtool_coalesce v;
	int err;

	err = get_coal(upper, &v);
	if (err)
		return err;
	v = *c;
	rtnl_lock();
	err = upper->ethtool_ops->set_coalesce(upper, &v, &k, extack);
	rtnl_unlock();
	return err;
}

static void ring_applied_and_shown(struct kunit *test)
{
	struct net_device *vf = tuned_lower(test, 1024, 256);
	struct net_device *pv = tuned_lower(test, 4096, 128);
	struct net_device *upper = pair(test, vf, pv);
	struct netlink_ext_ack ext = {};
	struct ethtool_ringparam r;

	/* The upper's view: the active VF's values, the PV's larger limits. */
	r = get_ring(upper);
	KUNIT_EXPECT_EQ(test, r.rx_pending, 256);
	KUNIT_EXPECT_EQ(test, r.tx_pending, 256);
	KUNIT_EXPECT_EQ(test, r.rx_max_pending, 4096);
	KUNIT_EXPECT_EQ(test, r.tx_max_pending, 4096);

	KUNIT_EXPECT_EQ(test, set_ring(upper, 512, 256, &ext), 0);
	KUNIT_EXPECT_NULL(test, ext._msg);
	KUNIT_EXPECT_EQ(test, duo_fake(vf)->ring.rx_pending, 512);
	KUNIT_EXPECT_EQ(test, duo_fake(pv)->ring.rx_pending, 512);
	/* tx was not changed by the user: each lower keeps its own. */
	KUNIT_EXPECT_EQ(test, duo_fake(vf)->ring.tx_pending, 256);
	KUNIT_EXPECT_EQ(test, duo_fake(pv)->ring.tx_pending, 128);
	r = get_ring(upper);
	KUNIT_EXPECT_EQ(test, r.rx_pending, 512);
	KUNIT_EXPECT_EQ(test, r.tx_pending, 256);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "vf_tuning_refused"), 0);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "pv_tuning_refused"), 0);
}

static void ring_over_a_lower_limit(struct kunit *test)
{
	struct net_device *vf = tuned_lower(test, 4096, 256);
	struct net_device *pv = tuned_lower(test, 1024, 256);
	struct net_device *upper = pair(test, vf, pv);
	struct netlink_ext_ack ext = {};

	KUNIT_EXPECT_EQ(test, set_ring(upper, 2048, 256, &ext), 0);
	KUNIT_EXPECT_STREQ(test, ext._msg, stored_not_taken);
	KUNIT_EXPECT_EQ(test, duo_fake(vf)->ring.rx_pending, 2048);
	/* Not even asked: the value is over the limit it reports. */
	KUNIT_EXPECT_EQ(test, duo_fake(pv)->ring.rx_pending, 256);
	KUNIT_EXPECT_EQ(test, duo_fake(pv)->ring_calls, 0);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "pv_tuning_refused"), 1);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "vf_tuning_refused"), 0);
	KUNIT_EXPECT_EQ(test, get_ring(upper).rx_pending, 2048);
}

static void ring_driver_error(struct kunit *test)
{
	struct net_device *vf = tuned_lower(test, 4096, 256);
	struct net_device *pv = tuned_lower(test, 4096, 256);
	struct net_device *upper = pair(test, vf, pv);
	struct netlink_ext_ack ext = {};

	duo_fake(vf)->ring_err = -EIO;
	KUNIT_EXPECT_EQ(test, set_ring(upper, 1024, 256, &ext), 0);
	KUNIT_EXPECT_STREQ(test, ext._msg, stored_not_taken);
	KUNIT_EXPECT_EQ(test, duo_fake(vf)->ring_calls, 1);
	KUNIT_EXPECT_EQ(test, duo_fake(vf)->ring.rx_pending, 256);
	KUNIT_EXPECT_EQ(test, duo_fake(pv)->ring.rx_pending, 1024);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "vf_tuning_refused"), 1);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "pv_tuning_refused"), 0);
}

static void ring_replayed_on_join(struct kunit *test)
{
	struct net_device *pv = tuned_lower(test, 4096, 256);
	struct net_device *upper = duo_fake_upper(test);
	struct ethtool_coalesce c;
	struct net_device *vf;

	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, pv, DUO_PATH_PV), 0);
	KUNIT_EXPECT_EQ(test, set_ring(upper, 1024, 256, NULL), 0);
	KUNIT_EXPECT_EQ(test, duo_fake(pv)->ring.rx_pending, 1024);
	KUNIT_ASSERT_EQ(test, get_coal(upper, &c), 0);
	c.tx_max_coalesced_frames = 16;
	KUNIT_EXPECT_EQ(test, set_coal(upper, &c, NULL), 0);

	/* The VF plugged in after it: the stored values at its join. */
	vf = tuned_lower(test, 4096, 64);
	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, vf, DUO_PATH_VF), 0);
	KUNIT_EXPECT_EQ(test, duo_fake(vf)->ring_calls, 1);
	KUNIT_EXPECT_EQ(test, duo_fake(vf)->ring.rx_pending, 1024);
	KUNIT_EXPECT_EQ(test, duo_fake(vf)->ring.tx_pending, 64);
	KUNIT_EXPECT_EQ(test, duo_fake(vf)->coal_calls, 1);
	KUNIT_EXPECT_EQ(test, duo_fake(vf)->coal.tx_max_coalesced_frames, 16);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "vf_tuning_refused"), 0);
}

static void unchanged_not_stored(struct kunit *test)
{
	struct net_device *pv = tuned_lower(test, 4096, 256);
	struct net_device *upper = duo_fake_upper(test);
	struct net_device *vf;

	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, pv, DUO_PATH_PV), 0);
	/* rx as the upper shows it already: only tx is stored. */
	KUNIT_EXPECT_EQ(test, set_ring(upper, 256, 512, NULL), 0);
	KUNIT_EXPECT_EQ(test, duo_fake(pv)->ring.tx_pending, 512);

	vf = tuned_lower(test, 4096, 64);
	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, vf, DUO_PATH_VF), 0);
	KUNIT_EXPECT_EQ(test, duo_fake(vf)->ring.rx_pending, 64);
	KUNIT_EXPECT_EQ(test, duo_fake(vf)->ring.tx_pending, 512);
}

static void ring_without_entries_refused(struct kunit *test)
{
	struct net_device *vf = tuned_lower(test, 4096, 256);
	struct net_device *pv = tuned_lower(test, 4096, 256);
	struct net_device *upper = pair(test, vf, pv);
	struct netlink_ext_ack ext = {};

	KUNIT_EXPECT_EQ(test, set_ring(upper, 0, 256, &ext), -EINVAL);
	KUNIT_EXPECT_STREQ(test, ext._msg, "duonet: a ring needs at least one entry");
	ext._msg = NULL;
	KUNIT_EXPECT_EQ(test, set_ring(upper, 256, 0, &ext), -EINVAL);
	KUNIT_EXPECT_STREQ(test, ext._msg, "duonet: a ring needs at least one entry");
	KUNIT_EXPECT_EQ(test, duo_fake(vf)->ring_calls + duo_fake(pv)->ring_calls, 0);
	KUNIT_EXPECT_EQ(test, get_ring(upper).rx_pending, 256);
	KUNIT_EXPECT_EQ(test, get_ring(upper).tx_pending, 256);
}

static void no_lower_has_the_setting(struct kunit *test)
{
	struct net_device *vf = duo_fake_lower(test, pair_mac);
	struct net_device *pv = duo_fake_lower(test, pair_mac);
	struct net_device *upper = pair(test, vf, pv);
	struct ethtool_coalesce c = { .rx_coalesce_usecs = 10 };
	struct kernel_ethtool_coalesce k = {};
	struct netlink_ext_ack ext = {};
	int err;

	/* As ethtool's core sees it: the get before the set fails. */
	KUNIT_EXPECT_EQ(test, get_coal(upper, &c), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, set_coal(upper, &c, &ext), -EOPNOTSUPP);
	/* The set itself, called anyway, says why. */
	rtnl_lock();
	err = upper->ethtool_ops->set_coalesce(upper, &c, &k, &ext);
	rtnl_unlock();
	KUNIT_EXPECT_EQ(test, err, -EOPNOTSUPP);
	KUNIT_EXPECT_STREQ(test, ext._msg, "duonet: no lower has this setting");
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "vf_tuning_refused"), 0);
}

static void coalesce_unsupported_kept_out(struct kunit *test)
{
	struct net_device *vf = tuned_lower(test, 4096, 256);
	struct net_device *pv = tuned_lower(test, 4096, 256);
	struct net_device *upper = pair(test, vf, pv);
	struct netlink_ext_ack ext = {};
	struct ethtool_coalesce c;

	KUNIT_ASSERT_EQ(test, get_coal(upper, &c), 0);
	c.rx_coalesce_usecs = 50;
	c.rx_coalesce_usecs_irq = 7;	/* not in DUO_FAKE_COALESCE */
	KUNIT_EXPECT_EQ(test, set_coal(upper, &c, &ext), 0);
	KUNIT_EXPECT_STREQ(test, ext._msg, stored_not_taken);
	KUNIT_EXPECT_EQ(test, duo_fake(vf)->coal.rx_coalesce_usecs, 50);
	KUNIT_EXPECT_EQ(test, duo_fake(vf)->coal.rx_coalesce_usecs_irq, 0);
	KUNIT_EXPECT_EQ(test, duo_fake(pv)->coal.rx_coalesce_usecs, 50);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "vf_tuning_refused"), 1);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "pv_tuning_refused"), 1);
	/* The upper shows what the user set, both values. */
	KUNIT_ASSERT_EQ(test, get_coal(upper, &c), 0);
	KUNIT_EXPECT_EQ(test, c.rx_coalesce_usecs, 50);
	KUNIT_EXPECT_EQ(test, c.rx_coalesce_usecs_irq, 7);
}

static void coalesce_view_passes_over_refusal(struct kunit *test)
{
	struct net_device *vf = tuned_lower(test, 4096, 256);
	struct net_device *pv = tuned_lower(test, 4096, 256);
	struct net_device *upper = pair(test, vf, pv);
	struct ethtool_coalesce c;

	duo_fake(vf)->coal.rx_coalesce_usecs = 3;
	duo_fake(pv)->coal.rx_coalesce_usecs = 30;
	KUNIT_ASSERT_EQ(test, get_coal(upper, &c), 0);
	KUNIT_EXPECT_EQ(test, c.rx_coalesce_usecs, 3);

	/* The active VF has the operation and refuses it: the PV is shown. */
	duo_fake(vf)->coal_get_err = -EOPNOTSUPP;
	KUNIT_ASSERT_EQ(test, get_coal(upper, &c), 0);
	KUNIT_EXPECT_EQ(test, c.rx_coalesce_usecs, 30);
	/* And a set goes on from that view. */
	c.rx_max_coalesced_frames = 8;
	KUNIT_EXPECT_EQ(test, set_coal(upper, &c, NULL), 0);
	KUNIT_EXPECT_EQ(test, duo_fake(pv)->coal.rx_max_coalesced_frames, 8);

	/* Another error is the driver's: said as it is. */
	duo_fake(vf)->coal_get_err = -EIO;
	KUNIT_EXPECT_EQ(test, get_coal(upper, &c), -EIO);
}

/*
 * TX on a PV that has get_coalesce and refuses it for its device (vmxnet3
 * before version 3) while the VF has lost its link: the VF is shown, and
 * the ring view is the PV's, TX's.
 */
static void coalesce_view_passes_over_active_pv(struct kunit *test)
{
	struct net_device *vf = tuned_lower(test, 4096, 256);
	struct net_device *pv = tuned_lower(test, 4096, 128);
	struct net_device *upper = pair(test, vf, pv);
	struct ethtool_coalesce c;

	netif_carrier_off(vf);
	duo_fake_sync(vf);
	KUNIT_ASSERT_PTR_EQ(test, duo_fake_tx(upper), pv);
	KUNIT_EXPECT_EQ(test, get_ring(upper).rx_pending, 128);

	duo_fake(vf)->coal.rx_coalesce_usecs = 3;
	duo_fake(pv)->coal.rx_coalesce_usecs = 30;
	KUNIT_ASSERT_EQ(test, get_coal(upper, &c), 0);
	KUNIT_EXPECT_EQ(test, c.rx_coalesce_usecs, 30);
	duo_fake(pv)->coal_get_err = -EOPNOTSUPP;
	KUNIT_ASSERT_EQ(test, get_coal(upper, &c), 0);
	KUNIT_EXPECT_EQ(test, c.rx_coalesce_usecs, 3);
}

/*
 * A lower detached for a moment (its driver resetting it:
 * netif_device_detach()) is passed over in the view, as one refusing it.
 */
static void view_passes_over_detached(struct kunit *test)
{
	struct net_device *vf = tuned_lower(test, 4096, 256);
	struct net_device *pv = tuned_lower(test, 4096, 128);
	struct net_device *upper = pair(test, vf, pv);

	netif_device_detach(vf);
	KUNIT_EXPECT_EQ(test, get_ring(upper).rx_pending, 128);
	/* A set goes on: stored, the PV takes it, the VF's refusal counted. */
	KUNIT_EXPECT_EQ(test, set_ring(upper, 512, 128, NULL), 0);
	KUNIT_EXPECT_EQ(test, duo_fake(pv)->ring.rx_pending, 512);
	KUNIT_EXPECT_EQ(test, duo_fake(vf)->ring_calls, 0);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "vf_tuning_refused"), 1);
	netif_device_attach(vf);
	KUNIT_EXPECT_EQ(test, get_ring(upper).rx_pending, 512);
}

static struct kunit_case duo_tuning_cases[] = {
	KUNIT_CASE(ring_applied_and_shown),
	KUNIT_CASE(ring_over_a_lower_limit),
	KUNIT_CASE(ring_driver_error),
	KUNIT_CASE(ring_replayed_on_join),
	KUNIT_CASE(unchanged_not_stored),
	KUNIT_CASE(ring_without_entries_refused),
	KUNIT_CASE(no_lower_has_the_setting),
	KUNIT_CASE(coalesce_unsupported_kept_out),
	KUNIT_CASE(coalesce_view_passes_over_refusal),
	KUNIT_CASE(coalesce_view_passes_over_active_pv),
	KUNIT_CASE(view_passes_over_detached),
	{}
};

static struct kunit_suite duo_tuning_suite = {
	.name = "duonet_tuning",
	.suite_init = duo_fake_suite_init,
	.suite_exit = duo_fake_suite_exit,
	.test_cases = duo_tuning_cases,
};

kunit_test_suites(&duo_tuning_suite);
