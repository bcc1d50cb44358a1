// SPDX-License-Identifier: GPL-2.0
/*
 * XDP on the upper: one program for the frames of both paths, whichever
 * lower carries them, across every switch and re-plug.
 *
 * ndo_bpf (XDP_SETUP_PROG, native mode on the upper) hands the program to
 * each lower whose driver has XDP, as bonding does; a lower without it, or
 * whose driver refuses it (its MTU, its queues), runs it in the upper's rx
 * handler on the skb (do_xdp_generic), before the frame reaches the upper.
 * A lower that joins later gets it the same way; one that leaves gives it
 * back. Maps are the program's, so its counts continue across switches.
 * Generic mode on the upper (xdpgeneric) is the core's own: it runs the
 * program on the upper's frames after the rx handler.
 *
 * One PV driver is not given the program: vmxnet3 (XDP since 6.6) clears
 * its program pointer in vmxnet3_rq_cleanup_all() at every quiesce (close,
 * MTU change, ring resize, reset) without a bpf_prog_put(): the program
 * silently stops running in it and its reference leaks. duonet, which
 * would go on believing it native, would then run it nowhere for that
 * path (a drop rule bypassed on the PV after an `ip link set duo0 mtu`).
 * The rx handler runs it for vmxnet3 instead.
 *
 * References: the upper holds one on priv->xdp_prog (moved in by the core),
 * each lower's driver one (given with its XDP_SETUP_PROG, put when it is
 * replaced or removed). priv->xdp_native[path] says the path's lower runs
 * it in its driver; the rx handler runs it for the others.
 *
 * A frame that reaches the upper meets the program at least once; during
 * a change (a lower joining or going native, a replacement a driver
 * refuses) a few may meet it twice, never none: a drop rule holds.
 * A lower's driver gets the program after duo_lower_claim() synced its
 * MTU (the driver checks its MTU against XDP), and loses it only after
 * the flag is clear and the data path has seen that (its XDP transmit
 * queues go with the program).
 */
#include <linux/bpf.h>
#include <linux/filter.h>
#include <linux/netdevice.h>
#include <net/xdp.h>

#include "compat/compat.h"
#include "core/duonet.h"
#include "lower/lower.h"

/* Drivers whose native XDP loses the program it was given (see above). */
static bool xdp_forgetful(const struct net_device *dev)
{
	const char *drv = duo_lower_driver(dev);

	return drv && !strcmp(drv, "vmxnet3");
}

/*
 * Hands prog (or NULL: none) to dev's driver; true if it took it. quiet:
 * no log line for a lower that runs it in generic mode (said before).
 */
static bool lower_native_set(struct net_device *upper, struct net_device *dev,
			     struct bpf_prog *prog, bool quiet)
{
	struct netdev_bpf xdp = {
		.command = XDP_SETUP_PROG,
		.prog = prog,
	};
	int err;

	ASSERT_RTNL();
	if (!dev->netdev_ops->ndo_bpf) {
		if (prog && !quiet)
			netdev_info(upper, "%s runs the XDP program in generic mode: its driver has no XDP\n",
				    dev->name);
		return false;
	}
	if (xdp_forgetful(dev)) {
		if (prog && !quiet)
			netdev_info(upper, "%s runs the XDP program in generic mode: its driver loses a program when it resets\n",
				    dev->name);
		return false;
	}
	/* The driver keeps the reference it is given: one of its own. */
	if (prog)
		bpf_prog_inc(prog);
	err = duo_compat_xdp_propagate(dev, &xdp);
	if (!err)
		return true;
	if (prog) {
		bpf_prog_put(prog);
		if (!quiet)
			netdev_warn(upper, "%s runs the XDP program in generic mode: its driver refused it (%d)\n",
				    dev->name, err);
	} else {
		netdev_err(upper, "%s kept the XDP program: its driver refused to remove it (%d)\n",
			   dev->name, err);
	}
	return false;
}

/*
 * A lower whose frames the rx handler runs the program on: no LRO or
 * hardware GRO, as the kernel's own generic XDP makes sure (a program
 * must see the frames as they were on the wire). Not given back.
 */
static void lower_generic_prepare(struct net_device *dev)
{
	dev_disable_lro(dev);
	duo_compat_lower_lock(dev);
	if (dev->features & NETIF_F_GRO_HW) {
		dev->wanted_features &= ~NETIF_F_GRO_HW;
		netdev_update_features(dev);
	}
	duo_compat_lower_unlock(dev);
}

/* Sets the path's lower running prog natively or not, safely for xmit. */
static void lower_switch(struct duo_priv *priv, struct net_device *dev,
			 enum duo_path path, struct bpf_prog *prog, bool quiet)
{
	bool native = false;

	ASSERT_RTNL();
	if (prog)
		native = lower_native_set(priv->dev, dev, prog, quiet);
	if (!native && priv->xdp_native[path]) {
		/* No XDP transmit to it once its driver lost the program. */
		WRITE_ONCE(priv->xdp_native[path], false);
		synchronize_net();
		lower_native_set(priv->dev, dev, NULL, quiet);
	}
	if (!native && prog)
		lower_generic_prepare(dev);
	WRITE_ONCE(priv->xdp_native[path], native);
}

/* A lower joined (core/path.c duo_join(), after the claim). */
void duo_xdp_join(struct duo_priv *priv, struct duo_lower *lo)
{
	struct bpf_prog *prog = rtnl_dereference(priv->xdp_prog);

	if (prog)
		lower_switch(priv, lo->dev, lo->role, prog, false);
}

/* A lower left (duo_leave(), after its rx handler is gone). */
void duo_xdp_leave(struct duo_priv *priv, struct net_device *dev,
		   enum duo_path path)
{
	lower_switch(priv, dev, path, NULL, true);
}

/* A lower's own program would be replaced without the core knowing. */
int duo_xdp_check_lower(struct duo_priv *priv, struct net_device *dev,
			struct netlink_ext_ack *extack)
{
	if (!rtnl_dereference(priv->xdp_prog) || !dev_xdp_prog_count(dev))
		return 0;
	NL_SET_ERR_MSG(extack, "duonet: the device has an XDP program of its own: detach it first");
	netdev_err(priv->dev, "%s not paired: it has an XDP program of its own\n",
		   dev->name);
	return -EBUSY;
}

static int duo_xdp_set(struct net_device *dev, struct bpf_prog *prog,
		       struct netlink_ext_ack *extack)
{
	struct duo_priv *priv = netdev_priv(dev);
	struct bpf_prog *old = rtnl_dereference(priv->xdp_prog);
	struct duo_lower *lo;
	int path;

	if (prog && bpf_prog_is_dev_bound(prog->aux)) {
		NL_SET_ERR_MSG(extack,
			       "duonet: a device-bound program cannot follow the path to the lowers");
		return -EOPNOTSUPP;
	}
	duo_for_each_lower(priv, lo, path) {
		if (prog && dev_xdp_prog_count(lo->dev)) {
			NL_SET_ERR_MSG(extack,
				       "duonet: a lower has an XDP program of its own: detach it first");
			netdev_err(dev, "XDP program refused: %s has one of its own\n",
				   lo->dev->name);
			return -EBUSY;
		}
	}

	/*
	 * Removal: the rx handler stops first, then the drivers. Install:
	 * the drivers first, then the rx handler. Replacement: each driver
	 * swaps; one that refuses the new program hands its lower to the rx
	 * handler, which runs the old one until the new one is published.
	 */
	if (!prog)
		rcu_assign_pointer(priv->xdp_prog, NULL);
	duo_for_each_lower(priv, lo, path) {
		lower_switch(priv, lo->dev, path, prog, !!old);
		if (prog && !priv->xdp_native[path])
			NL_SET_ERR_MSG(extack,
				       "duonet: a lower runs the program in generic mode (see the kernel log)");
	}
	if (prog)
		rcu_assign_pointer(priv->xdp_prog, prog);
	if (old)
		bpf_prog_put(old);
	return 0;
}

int duo_xdp(struct net_device *dev, struct netdev_bpf *bpf)
{
	ASSERT_RTNL();
	switch (bpf->command) {
	case XDP_SETUP_PROG:
		return duo_xdp_set(dev, bpf->prog, bpf->extack);
	case XDP_SETUP_PROG_HW:
		NL_SET_ERR_MSG(bpf->extack,
			       "duonet: no XDP offload: attach in native or generic mode");
		return -EOPNOTSUPP;
	case XDP_SETUP_XSK_POOL:
		NL_SET_ERR_MSG(bpf->extack, "duonet: no AF_XDP zero-copy");
		return -EOPNOTSUPP;
	default:
		return -EINVAL;
	}
}

/*
 * A frame from a lower whose driver does not run the upper's program:
 * run it here. False if the program took the frame (dropped, sent back
 * out of that lower, redirected); *pskb may change.
 */
bool duo_xdp_rx(struct duo_priv *priv, enum duo_path path, struct sk_buff **pskb)
{
	struct bpf_prog *prog = rcu_dereference(priv->xdp_prog);

	if (likely(!prog) || READ_ONCE(priv->xdp_native[path]))
		return true;
	return duo_compat_xdp_generic(prog, pskb) == XDP_PASS;
}

/*
 * A frame for a lower without XDP transmit, as an skb on its normal TX
 * path: -ENOMEM if no skb (the frame is still the caller's), else whether
 * the lower's queue took it (the frame is consumed either way).
 */
static int xmit_as_skb(struct net_device *dev, struct xdp_frame *xdpf)
{
	struct sk_buff *skb = xdp_build_skb_from_frame(xdpf, dev);

	if (unlikely(!skb))
		return -ENOMEM;
	/* Built as received: the Ethernet header pulled, no network header. */
	skb_reset_network_header(skb);
	skb_push(skb, ETH_HLEN);
	return dev_queue_xmit(skb) == NET_XMIT_SUCCESS;
}

/*
 * XDP_REDIRECT into the upper: out of the active path, through the
 * driver's XDP transmit if it runs the upper's program (a driver without
 * a program has no XDP queues) and the frames are single buffers, else
 * as skbs. Frames not sent are the caller's to free.
 */
int duo_xdp_xmit(struct net_device *dev, int n, struct xdp_frame **frames,
		 u32 flags)
{
	struct duo_priv *priv = netdev_priv(dev);
	struct duo_pcpu_stats *st = this_cpu_ptr(priv->pcpu);
	struct duo_lower *lo = rcu_dereference_bh(priv->tx);
	bool native = false;
	struct net_device *ldev;
	enum duo_path path;
	int i, sent = 0, dropped = 0;
	u64 bytes = 0;

	if (unlikely(!lo)) {
		u64_stats_update_begin(&st->syncp);
		u64_stats_add(&st->tx_dropped_no_path, n);
		u64_stats_update_end(&st->syncp);
		return -ENXIO;
	}
	ldev = lo->dev;
	path = lo->role;
	if (READ_ONCE(priv->xdp_native[path]) && ldev->netdev_ops->ndo_xdp_xmit) {
		native = true;
		for (i = 0; i < n; i++)
			native &= !xdp_frame_has_frags(frames[i]);
	}
	if (native) {
		/* Sent frames are the driver's: count before, then subtract. */
		for (i = 0; i < n; i++)
			bytes += frames[i]->len;
		sent = ldev->netdev_ops->ndo_xdp_xmit(ldev, n, frames, flags);
		if (sent < 0)
			sent = 0;
		for (i = sent; i < n; i++)
			bytes -= frames[i]->len;
		dropped = n - sent;
	} else {
		for (sent = 0; sent < n; sent++) {
			u32 len = xdp_get_frame_len(frames[sent]);
			int ret = xmit_as_skb(ldev, frames[sent]);

			if (ret < 0)
				break;
			if (ret)
				bytes += len;
			else
				dropped++;
		}
		/* Consumed: sent; not even turned into an skb: the rest. */
		dropped += n - sent;
	}
	u64_stats_update_begin(&st->syncp);
	u64_stats_add(&st->tx_packets[path], n - dropped);
	u64_stats_add(&st->tx_bytes[path], bytes);
	u64_stats_add(&st->tx_dropped[path], dropped);
	u64_stats_update_end(&st->syncp);
	return sent;
}
