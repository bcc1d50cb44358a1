/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Real net_devices for the suites that need them, in the manner of
 * net/core/dev_addr_lists_test.c: Ethernet devices with their own minimal
 * ops (the lowers), and uppers made as "ip link add type duonet" makes
 * them (rtnl_create_link() and duo_link_ops.newlink). Everything made is
 * unregistered and freed by KUnit when the case ends, the last made
 * first.
 *
 * A suite using them sets .suite_init = duo_fake_suite_init and
 * .suite_exit = duo_fake_suite_exit: duonet's netdevice notifier is what
 * releases a lower being unregistered, as in the module.
 */
#ifndef _DUO_KUNIT_FAKE_H
#define _DUO_KUNIT_FAKE_H

#include <kunit/test.h>
#include <linux/ethtool.h>
#include <linux/netdevice.h>

#include "lower/lower.h"

/* A fake lower's private area: what it reports, what it refuses. */
struct duo_fake {
	struct rtnl_link_stats64 stats;	/* what ndo_get_stats64 reports */
	u64 xmit;			/* frames ndo_start_xmit was given */
	u8 xmit_src[ETH_ALEN];		/* the last one's source MAC */
	int mtu_err;			/* ndo_change_mtu fails with this */
	int addr_err;			/* ndo_set_mac_address fails with this */
	unsigned int mtu_calls;		/* ndo_change_mtu calls, refused too */
	unsigned int addr_calls;
	/* With duo_fake_with_channels(): ethtool -l/-L and one ntuple rule. */
	struct ethtool_channels ch;	/* what get_channels reports */
	unsigned int set_channels_calls;
	u64 ntuple_ring;		/* the rule's ring_cookie */
	bool has_ntuple;		/* get_rxnfc lists the rule */
	/*
	 * With duo_fake_with_tuning(): ethtool -g/-G and -c/-C, the latter
	 * for rx/tx usecs and frames only (DUO_FAKE_COALESCE).
	 */
	struct ethtool_ringparam ring;	/* what get_ringparam reports */
	struct ethtool_coalesce coal;	/* what get_coalesce reports */
	int ring_err;			/* set_ringparam fails with this */
	int coal_err;			/* set_coalesce fails with this */
	int coal_get_err;		/* get_coalesce fails with this */
	unsigned int ring_calls;	/* set_ringparam calls, refused too */
	unsigned int coal_calls;
	/* With duo_fake_with_xdp(): ndo_bpf, as a driver with native XDP. */
	struct bpf_prog *xdp_prog;	/* the program it holds a reference on */
	int bpf_err;			/* a program given is refused with this */
	unsigned int bpf_calls;		/* XDP_SETUP_PROG calls, refused too */
};

#define DUO_FAKE_COALESCE	(ETHTOOL_COALESCE_USECS | ETHTOOL_COALESCE_MAX_FRAMES)

static inline struct duo_fake *duo_fake(struct net_device *dev)
{
	return netdev_priv(dev);
}

int duo_fake_suite_init(struct kunit_suite *suite);
void duo_fake_suite_exit(struct kunit_suite *suite);

struct net_device *duo_fake_alloc(struct kunit *test, const u8 *mac);
void duo_fake_register(struct kunit *test, struct net_device *dev);
struct net_device *duo_fake_lower(struct kunit *test, const u8 *mac);
void duo_fake_with_channels(struct net_device *dev, u32 max, u32 cur);
void duo_fake_with_tuning(struct net_device *dev, u32 ring_max, u32 ring_cur);
void duo_fake_with_xdp(struct net_device *dev);
void duo_fake_unregister(struct kunit *test, struct net_device *dev);
struct net_device *duo_fake_upper(struct kunit *test);
void duo_fake_own_upper(struct kunit *test, struct net_device *upper);
void duo_fake_delete_upper(struct kunit *test, struct net_device *upper);

int duo_fake_join(struct net_device *upper, struct net_device *dev,
		  enum duo_path role);
int duo_fake_set_mac(struct net_device *dev, const u8 *mac);
void duo_fake_clear_pairs(void *unused);
struct net_device *duo_fake_tx(struct net_device *upper);
void duo_fake_open(struct kunit *test, struct net_device *dev);
void duo_fake_sync(struct net_device *dev);
u64 duo_fake_stat(struct kunit *test, struct net_device *upper,
		  const char *name);
int duo_fake_send_rc(struct kunit *test, struct net_device *upper,
		     unsigned int len);
int duo_fake_send_from(struct kunit *test, struct net_device *upper,
		       const u8 *src, unsigned int len);
void duo_fake_send(struct kunit *test, struct net_device *upper,
		   unsigned int len);
void duo_fake_receive(struct kunit *test, struct net_device *lower,
		      unsigned int len);
void duo_fake_receive_from(struct kunit *test, struct net_device *lower,
			   const u8 *src, unsigned int len);
void duo_fake_receive_frame(struct kunit *test, struct net_device *lower,
			    const u8 *dst, const u8 *src, unsigned int len);

#endif /* _DUO_KUNIT_FAKE_H */
