// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite duonet_xdp: XDP on the upper (core/xdp.c), through its
 * ndo_bpf, on a fake lower with native XDP (kunit/fake.c,
 * duo_fake_with_xdp(): a driver that keeps the program it is given) and
 * one without, with programs built here (one instruction: return an
 * action) and run by the kernel's interpreter.
 *
 *  modes     the native lower's driver gets the program, the other runs
 *            it in the rx handler, said in the extack; removal takes it
 *            back from both, no reference left behind
 *  generic   the rx handler runs the program on the frames of a lower
 *            that does not (XDP_DROP: not counted, not delivered), never
 *            on those of a lower whose driver has it
 *  joins     a lower joining later gets the program, one leaving gives
 *            it back
 *  refusals  a driver refusing the program: that lower in generic mode,
 *            no reference kept; a device-bound program and offload mode
 *            refused with their extack messages, nothing changed
 *  replace   the driver gets the new program, the old one's references
 *            all go
 */
#include <kunit/test.h>
#include <linux/bpf.h>
#include <linux/etherdevice.h>
#include <linux/filter.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <net/netlink.h>

#include "core/duonet.h"
#include "kunit/fake.h"

static const u8 pair_mac[ETH_ALEN] = { 0x52, 0x54, 0x00, 0x7e, 0x22, 0x01 };
static const u8 peer_mac[ETH_ALEN] = { 0x52, 0x54, 0x00, 0x7e, 0x22, 0x99 };

static void prog_release(void *arg)
{
	bpf_prog_put(arg);
}

/*
 * An XDP program returning action, with one reference: the case's,
 * put when the case ends. The core hands the upper a reference of its
 * own (bpf_prog_inc() here, as dev_xdp_attach() gives one from its fd).
 */
static struct bpf_prog *xdp_prog(struct kunit *test, u32 action)
{
	struct bpf_insn insns[] = {
		BPF_MOV64_IMM(BPF_REG_0, action),
		BPF_EXIT_INSN(),
	};
	struct bpf_prog *p;
	int err = 0;

	p = bpf_prog_alloc(bpf_prog_size(ARRAY_SIZE(insns)), 0);
	KUNIT_ASSERT_NOT_NULL(test, p);
	p->len = ARRAY_SIZE(insns);
	memcpy(p->insnsi, insns, sizeof(insns));
	p->type = BPF_PROG_TYPE_XDP;
	atomic64_set(&p->aux->refcnt, 1);
	p = bpf_prog_select_runtime(p, &err);
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, prog_release, p), 0);
	return p;
}

static s64 refs(struct bpf_prog *p)
{
	return atomic64_read(&p->aux->refcnt);
}

/* ip link set upper xdp ...: the upper is given a reference of its own. */
static int attach(struct net_device *upper, struct bpf_prog *p,
		  struct netlink_ext_ack *extack)
{
	struct netdev_bpf xdp = {
		.command = XDP_SETUP_PROG,
		.prog = p,
		.extack = extack,
	};
	int err;

	if (p)
		bpf_prog_inc(p);
	rtnl_lock();
	err = upper->netdev_ops->ndo_bpf(upper, &xdp);
	rtnl_unlock();
	if (err && p)
		bpf_prog_put(p);
	return err;
}

static struct net_device *xdp_lower(struct kunit *test)
{
	struct net_device *dev = duo_fake_alloc(test, pair_mac);

	duo_fake_with_xdp(dev);
	duo_fake_register(test, dev);
	return dev;
}

static struct duo_priv *priv_of(struct net_device *upper)
{
	return netdev_priv(upper);
}

/* An upper with a native-XDP VF and a PV with native XDP or without. */
static struct net_device *pair_xdp(struct kunit *test, struct net_device **vf,
				   struct net_device **pv, bool pv_native)
{
	struct net_device *upper = duo_fake_upper(test);

	*vf = xdp_lower(test);
	*pv = pv_native ? xdp_lower(test) : duo_fake_lower(test, pair_mac);
	duo_fake_open(test, upper);
	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, *pv, DUO_PATH_PV), 0);
	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, *vf, DUO_PATH_VF), 0);
	return upper;
}

static struct net_device *pair(struct kunit *test, struct net_device **vf,
			       struct net_device **pv)
{
	return pair_xdp(test, vf, pv, false);
}

static void native_and_generic(struct kunit *test)
{
	struct bpf_prog *p = xdp_prog(test, XDP_PASS);
	struct netlink_ext_ack ext = {};
	struct net_device *vf, *pv, *upper = pair(test, &vf, &pv);

	KUNIT_ASSERT_EQ(test, attach(upper, p, &ext), 0);
	KUNIT_EXPECT_STREQ(test, ext._msg,
			   "duonet: a lower runs the program in generic mode (see the kernel log)");
	KUNIT_EXPECT_PTR_EQ(test, duo_fake(vf)->xdp_prog, p);
	KUNIT_EXPECT_TRUE(test, priv_of(upper)->xdp_native[DUO_PATH_VF]);
	KUNIT_EXPECT_FALSE(test, priv_of(upper)->xdp_native[DUO_PATH_PV]);
	KUNIT_EXPECT_PTR_EQ(test, rcu_access_pointer(priv_of(upper)->xdp_prog), p);
	/* The case's, the upper's, the VF driver's. */
	KUNIT_EXPECT_EQ(test, refs(p), 3);

	KUNIT_ASSERT_EQ(test, attach(upper, NULL, NULL), 0);
	KUNIT_EXPECT_NULL(test, duo_fake(vf)->xdp_prog);
	KUNIT_EXPECT_FALSE(test, priv_of(upper)->xdp_native[DUO_PATH_VF]);
	KUNIT_EXPECT_NULL(test, rcu_access_pointer(priv_of(upper)->xdp_prog));
	KUNIT_EXPECT_EQ(test, refs(p), 1);
}

static void generic_runs_in_rx_handler(struct kunit *test)
{
	struct bpf_prog *p = xdp_prog(test, XDP_DROP);
	struct net_device *vf, *pv, *upper = pair(test, &vf, &pv);

	duo_fake_receive_from(test, pv, peer_mac, 100);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "pv_rx_packets"), 1);
	KUNIT_ASSERT_EQ(test, attach(upper, p, NULL), 0);

	/* The PV's driver has no XDP: the rx handler drops its frames. */
	duo_fake_receive_from(test, pv, peer_mac, 100);
	duo_fake_receive_from(test, pv, peer_mac, 100);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "pv_rx_packets"), 1);
	/* The VF's driver has it (and ran it): not run a second time. */
	duo_fake_receive_from(test, vf, peer_mac, 100);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "vf_rx_packets"), 1);

	KUNIT_ASSERT_EQ(test, attach(upper, NULL, NULL), 0);
	duo_fake_receive_from(test, pv, peer_mac, 100);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "pv_rx_packets"), 2);
}

static void join_gets_and_leave_gives_back(struct kunit *test)
{
	struct bpf_prog *p = xdp_prog(test, XDP_PASS);
	struct net_device *upper = duo_fake_upper(test);
	struct net_device *pv = duo_fake_lower(test, pair_mac);
	struct net_device *vf;

	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, pv, DUO_PATH_PV), 0);
	KUNIT_ASSERT_EQ(test, attach(upper, p, NULL), 0);
	KUNIT_EXPECT_EQ(test, refs(p), 2);

	vf = xdp_lower(test);
	KUNIT_ASSERT_EQ(test, duo_fake_join(upper, vf, DUO_PATH_VF), 0);
	KUNIT_EXPECT_PTR_EQ(test, duo_fake(vf)->xdp_prog, p);
	KUNIT_EXPECT_TRUE(test, priv_of(upper)->xdp_native[DUO_PATH_VF]);
	KUNIT_EXPECT_EQ(test, refs(p), 3);

	/* Hot-unplug: its driver's reference goes with it. */
	duo_fake_unregister(test, vf);
	KUNIT_EXPECT_FALSE(test, priv_of(upper)->xdp_native[DUO_PATH_VF]);
	KUNIT_EXPECT_EQ(test, refs(p), 2);
	KUNIT_EXPECT_PTR_EQ(test, rcu_access_pointer(priv_of(upper)->xdp_prog), p);
	KUNIT_ASSERT_EQ(test, attach(upper, NULL, NULL), 0);
	KUNIT_EXPECT_EQ(test, refs(p), 1);
}

/* Both lowers with native XDP; the VF's driver refuses the program. */
static void driver_refusal_is_generic(struct kunit *test)
{
	struct bpf_prog *p = xdp_prog(test, XDP_DROP);
	struct net_device *vf, *pv, *upper = pair_xdp(test, &vf, &pv, true);
	struct netlink_ext_ack ext = {};

	duo_fake(vf)->bpf_err = -EINVAL;
	KUNIT_ASSERT_EQ(test, attach(upper, p, &ext), 0);
	KUNIT_EXPECT_STREQ(test, ext._msg,
			   "duonet: a lower runs the program in generic mode (see the kernel log)");
	KUNIT_EXPECT_EQ(test, duo_fake(vf)->bpf_calls, 1);
	KUNIT_EXPECT_NULL(test, duo_fake(vf)->xdp_prog);
	KUNIT_EXPECT_FALSE(test, priv_of(upper)->xdp_native[DUO_PATH_VF]);
	KUNIT_EXPECT_PTR_EQ(test, duo_fake(pv)->xdp_prog, p);
	KUNIT_EXPECT_TRUE(test, priv_of(upper)->xdp_native[DUO_PATH_PV]);
	/* The case's, the upper's, the PV's: none kept for the refusing VF. */
	KUNIT_EXPECT_EQ(test, refs(p), 3);
	/* Its frames meet the program in the rx handler instead. */
	duo_fake_receive_from(test, vf, peer_mac, 100);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "vf_rx_packets"), 0);
	KUNIT_ASSERT_EQ(test, attach(upper, NULL, NULL), 0);
	KUNIT_EXPECT_EQ(test, refs(p), 1);
	duo_fake_receive_from(test, vf, peer_mac, 100);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "vf_rx_packets"), 1);
}

static void bound_and_offload_refused(struct kunit *test)
{
	struct bpf_prog *p = xdp_prog(test, XDP_PASS);
	struct net_device *vf, *pv, *upper = pair(test, &vf, &pv);
	struct netdev_bpf hw = { .command = XDP_SETUP_PROG_HW, .prog = p };
	struct netlink_ext_ack ext = {};
	int err;

	p->aux->dev_bound = true;
	KUNIT_EXPECT_EQ(test, attach(upper, p, &ext), -EOPNOTSUPP);
	KUNIT_EXPECT_STREQ(test, ext._msg,
			   "duonet: a device-bound program cannot follow the path to the lowers");
	p->aux->dev_bound = false;

	hw.extack = &ext;
	rtnl_lock();
	err = upper->netdev_ops->ndo_bpf(upper, &hw);
	rtnl_unlock();
	KUNIT_EXPECT_EQ(test, err, -EOPNOTSUPP);
	KUNIT_EXPECT_STREQ(test, ext._msg,
			   "duonet: no XDP offload: attach in native or generic mode");

	KUNIT_EXPECT_EQ(test, duo_fake(vf)->bpf_calls, 0);
	KUNIT_EXPECT_NULL(test, rcu_access_pointer(priv_of(upper)->xdp_prog));
	KUNIT_EXPECT_EQ(test, refs(p), 1);
}

static void replace_moves_every_reference(struct kunit *test)
{
	struct bpf_prog *a = xdp_prog(test, XDP_PASS);
	struct bpf_prog *b = xdp_prog(test, XDP_DROP);
	struct net_device *vf, *pv, *upper = pair(test, &vf, &pv);

	KUNIT_ASSERT_EQ(test, attach(upper, a, NULL), 0);
	KUNIT_ASSERT_EQ(test, attach(upper, b, NULL), 0);
	KUNIT_EXPECT_PTR_EQ(test, duo_fake(vf)->xdp_prog, b);
	KUNIT_EXPECT_PTR_EQ(test, rcu_access_pointer(priv_of(upper)->xdp_prog), b);
	KUNIT_EXPECT_EQ(test, refs(a), 1);
	KUNIT_EXPECT_EQ(test, refs(b), 3);
	/* The new program runs in the rx handler for the PV at once. */
	duo_fake_receive_from(test, pv, peer_mac, 100);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "pv_rx_packets"), 0);
	KUNIT_ASSERT_EQ(test, attach(upper, NULL, NULL), 0);
	KUNIT_EXPECT_EQ(test, refs(b), 1);
	duo_fake_receive_from(test, pv, peer_mac, 100);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "pv_rx_packets"), 1);
}

/*
 * A replacement the VF's driver refuses: the old program leaves that
 * driver too (it must not run one program while the rx handler runs
 * another), and the rx handler runs the new one for it.
 */
static void refused_replacement_is_generic(struct kunit *test)
{
	struct bpf_prog *a = xdp_prog(test, XDP_PASS);
	struct bpf_prog *b = xdp_prog(test, XDP_DROP);
	struct net_device *vf, *pv, *upper = pair(test, &vf, &pv);

	KUNIT_ASSERT_EQ(test, attach(upper, a, NULL), 0);
	duo_fake_receive_from(test, vf, peer_mac, 100);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "vf_rx_packets"), 1);
	duo_fake(vf)->bpf_err = -EINVAL;
	KUNIT_ASSERT_EQ(test, attach(upper, b, NULL), 0);
	KUNIT_EXPECT_NULL(test, duo_fake(vf)->xdp_prog);
	KUNIT_EXPECT_FALSE(test, priv_of(upper)->xdp_native[DUO_PATH_VF]);
	KUNIT_EXPECT_EQ(test, refs(a), 1);
	KUNIT_EXPECT_EQ(test, refs(b), 2);
	duo_fake_receive_from(test, vf, peer_mac, 100);
	KUNIT_EXPECT_EQ(test, duo_fake_stat(test, upper, "vf_rx_packets"), 1);
	KUNIT_ASSERT_EQ(test, attach(upper, NULL, NULL), 0);
	KUNIT_EXPECT_EQ(test, refs(b), 1);
}

static struct kunit_case duo_xdp_cases[] = {
	KUNIT_CASE(native_and_generic),
	KUNIT_CASE(generic_runs_in_rx_handler),
	KUNIT_CASE(join_gets_and_leave_gives_back),
	KUNIT_CASE(driver_refusal_is_generic),
	KUNIT_CASE(bound_and_offload_refused),
	KUNIT_CASE(replace_moves_every_reference),
	KUNIT_CASE(refused_replacement_is_generic),
	{}
};

static struct kunit_suite duo_xdp_suite = {
	.name = "duonet_xdp",
	.suite_init = duo_fake_suite_init,
	.suite_exit = duo_fake_suite_exit,
	.test_cases = duo_xdp_cases,
};

kunit_test_suites(&duo_xdp_suite);
