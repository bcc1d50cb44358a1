// SPDX-License-Identifier: GPL-2.0
/*
 * Fake lowers and real uppers for the KUnit suites (see fake.h).
 *
 * The lowers are plain Ethernet devices whose ops count what they are
 * given and refuse what a case tells them to. They have IFF_NO_QUEUE, so a
 * frame duonet sends reaches their ndo_start_xmit at once, and
 * IFF_LIVE_ADDR_CHANGE, as virtio_net and most VF drivers have.
 */
#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/bpf.h>
#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/skbuff.h>
#include <net/rtnetlink.h>

#include "core/duonet.h"
#include "kunit/fake.h"

/*
 * The carrier watch off: a case sees each carrier change come from the
 * notifier (linkwatch), or reads with duo_cwatch_poll() itself.
 */
int duo_fake_suite_init(struct kunit_suite *suite)
{
	duo_cwatch_enabled = false;
	/* As duo_netdev_init() does before registering the link kind. */
	duo_settings_policy(duo_nl_policy);
	return duo_notify_init();
}

void duo_fake_suite_exit(struct kunit_suite *suite)
{
	duo_notify_uninit();
	duo_cwatch_enabled = true;
}

static netdev_tx_t fake_xmit(struct sk_buff *skb, struct net_device *dev)
{
	duo_fake(dev)->xmit++;
	if (skb->len >= ETH_HLEN)
		memcpy(duo_fake(dev)->xmit_src, skb->data + ETH_ALEN, ETH_ALEN);
	consume_skb(skb);
	return NETDEV_TX_OK;
}

static int fake_change_mtu(struct net_device *dev, int mtu)
{
	struct duo_fake *f = duo_fake(dev);

	f->mtu_calls++;
	if (f->mtu_err)
		return f->mtu_err;
	WRITE_ONCE(dev->mtu, mtu);
	return 0;
}

static int fake_set_mac_address(struct net_device *dev, void *addr)
{
	struct duo_fake *f = duo_fake(dev);

	f->addr_calls++;
	if (f->addr_err)
		return f->addr_err;
	return eth_mac_addr(dev, addr);
}

static void fake_get_stats64(struct net_device *dev,
			     struct rtnl_link_stats64 *s)
{
	*s = duo_fake(dev)->stats;
}

static const struct net_device_ops fake_netdev_ops = {
	.ndo_start_xmit		= fake_xmit,
	.ndo_change_mtu		= fake_change_mtu,
	.ndo_set_mac_address	= fake_set_mac_address,
	.ndo_validate_addr	= eth_validate_addr,
	.ndo_get_stats64	= fake_get_stats64,
};

/*
 * A driver's XDP_SETUP_PROG: it keeps the reference it is given and puts
 * the program it held (replaced or removed). It runs no program: frames
 * a case passes in reach the rx handler as they are.
 */
static int fake_bpf(struct net_device *dev, struct netdev_bpf *bpf)
{
	struct duo_fake *f = duo_fake(dev);
	struct bpf_prog *old;

	if (bpf->command != XDP_SETUP_PROG)
		return -EINVAL;
	f->bpf_calls++;
	if (bpf->prog && f->bpf_err)
		return f->bpf_err;
	old = f->xdp_prog;
	f->xdp_prog = bpf->prog;
	if (old)
		bpf_prog_put(old);
	return 0;
}

static const struct net_device_ops fake_xdp_netdev_ops = {
	.ndo_start_xmit		= fake_xmit,
	.ndo_change_mtu		= fake_change_mtu,
	.ndo_set_mac_address	= fake_set_mac_address,
	.ndo_validate_addr	= eth_validate_addr,
	.ndo_get_stats64	= fake_get_stats64,
	.ndo_bpf		= fake_bpf,
};

/* Before registering: native XDP (ndo_bpf). */
void duo_fake_with_xdp(struct net_device *dev)
{
	dev->netdev_ops = &fake_xdp_netdev_ops;
}

static void fake_get_channels(struct net_device *dev,
			      struct ethtool_channels *ch)
{
	*ch = duo_fake(dev)->ch;
}

static int fake_set_channels(struct net_device *dev,
			     struct ethtool_channels *ch)
{
	struct duo_fake *f = duo_fake(dev);

	f->set_channels_calls++;
	f->ch.combined_count = ch->combined_count;
	f->ch.rx_count = ch->rx_count;
	f->ch.tx_count = ch->tx_count;
	f->ch.other_count = ch->other_count;
	return 0;
}

/* One ntuple rule at location 7 (ethtool -N ... loc 7 action RING). */
static int fake_get_rxnfc(struct net_device *dev, struct ethtool_rxnfc *info,
			  u32 *locs)
{
	struct duo_fake *f = duo_fake(dev);

	switch (info->cmd) {
	case ETHTOOL_GRXRINGS:
		info->data = f->ch.combined_count;
		return 0;
	case ETHTOOL_GRXCLSRLCNT:
		info->rule_cnt = f->has_ntuple;
		info->data = 128;
		return 0;
	case ETHTOOL_GRXCLSRLALL:
		if (info->rule_cnt < f->has_ntuple)
			return -EMSGSIZE;
		info->rule_cnt = f->has_ntuple;
		if (f->has_ntuple)
			locs[0] = 7;
		return 0;
	case ETHTOOL_GRXCLSRULE:
		if (!f->has_ntuple || info->fs.location != 7)
			return -ENOENT;
		info->fs.ring_cookie = f->ntuple_ring;
		return 0;
	}
	return -EOPNOTSUPP;
}

static const struct ethtool_ops fake_chan_ethtool_ops = {
	.get_channels	= fake_get_channels,
	.set_channels	= fake_set_channels,
	.get_rxnfc	= fake_get_rxnfc,
};

/* Before registering: ethtool -l/-L, up to max combined channels. */
void duo_fake_with_channels(struct net_device *dev, u32 max, u32 cur)
{
	struct duo_fake *f = duo_fake(dev);

	dev->ethtool_ops = &fake_chan_ethtool_ops;
	f->ch.max_combined = max;
	f->ch.combined_count = cur;
}

static void fake_get_ringparam(struct net_device *dev,
			       struct ethtool_ringparam *ring,
			       struct kernel_ethtool_ringparam *kring,
			       struct netlink_ext_ack *extack)
{
	*ring = duo_fake(dev)->ring;
}

/* As a driver: its own limits checked (the core checks only the upper's). */
static int fake_set_ringparam(struct net_device *dev,
			      struct ethtool_ringparam *ring,
			      struct kernel_ethtool_ringparam *kring,
			      struct netlink_ext_ack *extack)
{
	struct duo_fake *f = duo_fake(dev);

	f->ring_calls++;
	if (f->ring_err)
		return f->ring_err;
	if (ring->rx_pending > f->ring.rx_max_pending ||
	    ring->tx_pending > f->ring.tx_max_pending)
		return -EINVAL;
	f->ring.rx_pending = ring->rx_pending;
	f->ring.tx_pending = ring->tx_pending;
	return 0;
}

static int fake_get_coalesce(struct net_device *dev,
			     struct ethtool_coalesce *coal,
			     struct kernel_ethtool_coalesce *kcoal,
			     struct netlink_ext_ack *extack)
{
	struct duo_fake *f = duo_fake(dev);

	if (f->coal_get_err)
		return f->coal_get_err;
	*coal = f->coal;
	return 0;
}

static int fake_set_coalesce(struct net_device *dev,
			     struct ethtool_coalesce *coal,
			     struct kernel_ethtool_coalesce *kcoal,
			     struct netlink_ext_ack *extack)
{
	struct duo_fake *f = duo_fake(dev);

	f->coal_calls++;
	if (f->coal_err)
		return f->coal_err;
	f->coal = *coal;
	return 0;
}

static const struct ethtool_ops fake_tune_ethtool_ops = {
	.supported_coalesce_params = DUO_FAKE_COALESCE,
	.get_ringparam	= fake_get_ringparam,
	.set_ringparam	= fake_set_ringparam,
	.get_coalesce	= fake_get_coalesce,
	.set_coalesce	= fake_set_coalesce,
};

/* Before registering: rings of ring_cur entries (at most ring_max), -c/-C. */
void duo_fake_with_tuning(struct net_device *dev, u32 ring_max, u32 ring_cur)
{
	struct duo_fake *f = duo_fake(dev);

	dev->ethtool_ops = &fake_tune_ethtool_ops;
	f->ring.rx_max_pending = ring_max;
	f->ring.tx_max_pending = ring_max;
	f->ring.rx_pending = ring_cur;
	f->ring.tx_pending = ring_cur;
}

static void fake_release(void *arg)
{
	struct net_device *dev = arg;

	if (dev->reg_state == NETREG_REGISTERED)
		unregister_netdev(dev);
	free_netdev(dev);
}

/* An unregistered fake lower whose permanent and current MAC are mac. */
struct net_device *duo_fake_alloc(struct kunit *test, const u8 *mac)
{
	struct net_device *dev;
	int err;

	dev = alloc_etherdev(sizeof(struct duo_fake));
	KUNIT_ASSERT_NOT_NULL(test, dev);
	dev->netdev_ops = &fake_netdev_ops;
	dev->priv_flags |= IFF_NO_QUEUE | IFF_LIVE_ADDR_CHANGE;
	dev->max_mtu = 9000;
	eth_hw_addr_set(dev, mac);
	memcpy(dev->perm_addr, mac, ETH_ALEN);
	err = kunit_add_action_or_reset(test, fake_release, dev);
	KUNIT_ASSERT_EQ(test, err, 0);
	return dev;
}

void duo_fake_register(struct kunit *test, struct net_device *dev)
{
	KUNIT_ASSERT_EQ(test, register_netdev(dev), 0);
}

struct net_device *duo_fake_lower(struct kunit *test, const u8 *mac)
{
	struct net_device *dev = duo_fake_alloc(test, mac);

	duo_fake_register(test, dev);
	return dev;
}

/* Unregister and free a fake lower now, as a hot-unplug would. */
void duo_fake_unregister(struct kunit *test, struct net_device *dev)
{
	kunit_release_action(test, fake_release, dev);
}

static void upper_release(void *arg)
{
	struct net_device *dev = arg;

	/* needs_free_netdev: unregistering frees it. */
	rtnl_lock();
	unregister_netdevice(dev);
	rtnl_unlock();
}

/* An upper as "ip link add type duonet" makes it: random MAC, no lowers. */
struct net_device *duo_fake_upper(struct kunit *test)
{
	struct nlattr **tb;
	struct net_device *dev;
	int err;

	tb = kunit_kcalloc(test, IFLA_MAX + 1, sizeof(*tb), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, tb);
	rtnl_lock();
	dev = rtnl_create_link(&init_net, "duot%d", NET_NAME_ENUM,
			       &duo_link_ops, tb, NULL);
	if (IS_ERR(dev)) {
		rtnl_unlock();
		KUNIT_FAIL_AND_ABORT(test, "rtnl_create_link: %ld", PTR_ERR(dev));
	}
	err = duo_link_ops.newlink(&init_net, dev, tb, NULL, NULL);
	if (err) {
		free_netdev(dev);
		rtnl_unlock();
		KUNIT_FAIL_AND_ABORT(test, "newlink: %d", err);
	}
	err = rtnl_configure_link(dev, NULL, 0, NULL);
	rtnl_unlock();
	duo_fake_own_upper(test, dev);
	KUNIT_ASSERT_EQ(test, err, 0);
	return dev;
}

/* Unregister (and so free) an upper made elsewhere when the case ends. */
void duo_fake_own_upper(struct kunit *test, struct net_device *upper)
{
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, upper_release, upper), 0);
}

/* Delete an upper now, as "ip link del" would. */
void duo_fake_delete_upper(struct kunit *test, struct net_device *upper)
{
	kunit_release_action(test, upper_release, upper);
}

/* duo_join() with an explicit role, as the control tool's role override. */
int duo_fake_join(struct net_device *upper, struct net_device *dev,
		  enum duo_path role)
{
	int err;

	rtnl_lock();
	err = duo_join(netdev_priv(upper), dev, role, NULL);
	rtnl_unlock();
	return err;
}

/* The lower TX is published on, or NULL. */
struct net_device *duo_fake_tx(struct net_device *upper)
{
	struct duo_priv *priv = netdev_priv(upper);
	struct net_device *dev;
	struct duo_lower *lo;

	rtnl_lock();
	lo = rtnl_dereference(priv->tx);
	dev = lo ? lo->dev : NULL;
	rtnl_unlock();
	return dev;
}

void duo_fake_open(struct kunit *test, struct net_device *dev)
{
	int err;

	rtnl_lock();
	err = dev_open(dev, NULL);
	rtnl_unlock();
	KUNIT_ASSERT_EQ(test, err, 0);
}

/* One counter of "ethtool -S upper", by its name. */
u64 duo_fake_stat(struct kunit *test, struct net_device *upper,
		  const char *name)
{
	const struct ethtool_ops *ops = upper->ethtool_ops;
	struct ethtool_stats st = { };
	int i, n;
	u8 *names;
	u64 *vals;

	n = ops->get_sset_count(upper, ETH_SS_STATS);
	KUNIT_ASSERT_GT(test, n, 0);
	names = kunit_kcalloc(test, n, ETH_GSTRING_LEN, GFP_KERNEL);
	vals = kunit_kcalloc(test, n, sizeof(*vals), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, names);
	KUNIT_ASSERT_NOT_NULL(test, vals);
	st.n_stats = n;
	rtnl_lock();
	ops->get_strings(upper, ETH_SS_STATS, names);
	ops->get_ethtool_stats(upper, &st, vals);
	rtnl_unlock();
	for (i = 0; i < n; i++)
		if (!strncmp(names + i * ETH_GSTRING_LEN, name, ETH_GSTRING_LEN))
			return vals[i];
	KUNIT_FAIL_AND_ABORT(test, "ethtool -S %s has no %s", upper->name, name);
	return 0;
}

static struct sk_buff *frame(struct kunit *test, const u8 *dst,
			     const u8 *src, unsigned int len)
{
	struct sk_buff *skb;
	struct ethhdr *eth;

	KUNIT_ASSERT_GE(test, len, ETH_ZLEN);
	skb = alloc_skb(len + NET_IP_ALIGN, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reserve(skb, NET_IP_ALIGN);
	eth = skb_put_zero(skb, len);
	ether_addr_copy(eth->h_dest, dst);
	ether_addr_copy(eth->h_source, src);
	eth->h_proto = htons(ETH_P_IP);
	skb_reset_mac_header(skb);
	return skb;
}

/*
 * Carrier changes reach qdiscs and NETDEV_CHANGE through linkwatch, a
 * work item; this runs what is pending for dev now, as "ethtool dev" does.
 */
void duo_fake_sync(struct net_device *dev)
{
	rtnl_lock();
	ethtool_op_get_link(dev);
	rtnl_unlock();
}

/* ip link set DEV address MAC, as the stack makes it (through compat.h). */
int duo_fake_set_mac(struct net_device *dev, const u8 *mac)
{
	int err;

	rtnl_lock();
	err = duo_compat_set_mac(dev, mac, NULL);
	rtnl_unlock();
	return err;
}

/* A KUnit action: pair= (core/pairs.c) emptied again after a case. */
void duo_fake_clear_pairs(void *unused)
{
	duo_pairs_set("");
}

/* A frame of len bytes (Ethernet header included) from src, sent on the upper. */
int duo_fake_send_from(struct kunit *test, struct net_device *upper,
		       const u8 *src, unsigned int len)
{
	struct sk_buff *skb = frame(test, upper->broadcast, src, len);

	/* Its qdisc is noop until linkwatch sees the carrier a join gave it. */
	duo_fake_sync(upper);

	skb->dev = upper;
	skb->protocol = htons(ETH_P_IP);
	skb_set_network_header(skb, ETH_HLEN);
	return dev_queue_xmit(skb);
}

/* A frame of len bytes (Ethernet header included) sent on the upper. */
int duo_fake_send_rc(struct kunit *test, struct net_device *upper,
		     unsigned int len)
{
	return duo_fake_send_from(test, upper, upper->dev_addr, len);
}

void duo_fake_send(struct kunit *test, struct net_device *upper,
		   unsigned int len)
{
	KUNIT_EXPECT_EQ(test, duo_fake_send_rc(test, upper, len), NET_XMIT_SUCCESS);
}

/* A frame of len bytes arriving on a lower, as its driver would pass it. */
void duo_fake_receive(struct kunit *test, struct net_device *lower,
		      unsigned int len)
{
	duo_fake_receive_from(test, lower, lower->broadcast, len);
}

/* A frame from src to lower's MAC, arriving on lower. */
void duo_fake_receive_from(struct kunit *test, struct net_device *lower,
			   const u8 *src, unsigned int len)
{
	duo_fake_receive_frame(test, lower, lower->dev_addr, src, len);
}

/* A frame from src to dst, arriving on lower. */
void duo_fake_receive_frame(struct kunit *test, struct net_device *lower,
			    const u8 *dst, const u8 *src, unsigned int len)
{
	struct sk_buff *skb = frame(test, dst, src, len);

	skb->protocol = eth_type_trans(skb, lower);
	local_bh_disable();
	netif_receive_skb(skb);
	local_bh_enable();
}
