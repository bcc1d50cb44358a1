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
 * References: the upper holds one on priv->xdp_prog (moved in by the core),
 * each lower's driver one (given with its XDP_SETUP_PROG, put when it is
 * replaced or removed). priv->xdp_native[slot] says the slot's lower runs
 * it in its driver; the rx handler runs it for the others. Installed before
 * the rx handler sees the lower's frames and removed after it stops, so a
 * frame that reaches the upper meets the program exactly once.
 */
#include <linux/bpf.h>
#include <linux/filter.h>
#include <linux/netdevice.h>
#include <net/xdp.h>

#include "core/compat.h"
#include "core/duonet.h"

/* Hands prog (or NULL: none) to dev's driver; true if it took it. */
static bool lower_native_set(struct net_device *upper, struct net_device *dev,
			     struct bpf_prog *prog, struct netlink_ext_ack *extack)
{
	struct netdev_bpf xdp = {
		.command = XDP_SETUP_PROG,
		.prog = prog,
		.extack = extack,
	};
	int err;

	ASSERT_RTNL();
	if (!dev->netdev_ops->ndo_bpf) {
		if (prog)
			netdev_info(upper, "%s runs the XDP program in generic mode: its driver has no XDP\n",
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
		netdev_warn(upper, "%s runs the XDP program in generic mode: its driver refused it (%d)\n",
			    dev->name, err);
	} else {
		netdev_err(upper, "%s kept the XDP program: its driver refused to remove it (%d)\n",
			   dev->name, err);
	}
	return false;
}

/* Before a lower's frames reach the rx handler (core/path.c duo_join()). */
void duo_xdp_join(struct duo_priv *priv, struct net_device *dev,
		  enum duo_slot slot)
{
	struct bpf_prog *prog = rtnl_dereference(priv->xdp_prog);

	WRITE_ONCE(priv->xdp_native[slot],
		   prog && lower_native_set(priv->dev, dev, prog, NULL));
}

/* After they stopped (duo_leave(), a failed join): the driver's back. */
void duo_xdp_leave(struct duo_priv *priv, struct net_device *dev,
		   enum duo_slot slot)
{
	ASSERT_RTNL();
	if (priv->xdp_native[slot])
		lower_native_set(priv->dev, dev, NULL, NULL);
	WRITE_ONCE(priv->xdp_native[slot], false);
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
	struct duo_lower *lo[2];
	bool native;
	int i;

	duo_lowers_of(priv, lo);
	if (prog && bpf_prog_is_dev_bound(prog->aux)) {
		NL_SET_ERR_MSG(extack,
			       "duonet: a device-bound program cannot follow the path to the lowers");
		return -EOPNOTSUPP;
	}
	for (i = 0; prog && i < 2; i++) {
		if (lo[i] && dev_xdp_prog_count(lo[i]->dev)) {
			NL_SET_ERR_MSG(extack,
				       "duonet: a lower has an XDP program of its own: detach it first");
			netdev_err(dev, "XDP program refused: %s has one of its own\n",
				   lo[i]->dev->name);
			return -EBUSY;
		}
	}

	/*
	 * Removal: the rx handler stops first, then the drivers. Install or
	 * replace: the drivers first, then the rx handler. A driver that
	 * refuses the new program leaves the old one running (generic here
	 * from now on, natively until removed just below) rather than none.
	 */
	if (!prog)
		rcu_assign_pointer(priv->xdp_prog, NULL);
	for (i = 0; i < 2; i++) {
		enum duo_slot slot;

		if (!lo[i])
			continue;
		slot = duo_slot_of(lo[i]);
		if (!prog) {
			duo_xdp_leave(priv, lo[i]->dev, slot);
			continue;
		}
		native = lower_native_set(dev, lo[i]->dev, prog, NULL);
		if (!native && priv->xdp_native[slot]) {
			WRITE_ONCE(priv->xdp_native[slot], false);
			lower_native_set(dev, lo[i]->dev, NULL, NULL);
		}
		WRITE_ONCE(priv->xdp_native[slot], native);
		if (!native)
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
		NL_SET_ERR_MSG(bpf->extack, "duonet: no AF_XDP zero-copy: bind in copy mode");
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
bool duo_xdp_rx(struct duo_priv *priv, enum duo_slot slot, struct sk_buff **pskb)
{
	struct bpf_prog *prog = rcu_dereference(priv->xdp_prog);

	if (likely(!prog) || READ_ONCE(priv->xdp_native[slot]))
		return true;
	return duo_compat_xdp_generic(prog, pskb) == XDP_PASS;
}

/* A frame for a lower without XDP transmit: an skb on its normal TX path. */
static bool xmit_as_skb(struct net_device *dev, struct xdp_frame *xdpf)
{
	struct sk_buff *skb = xdp_build_skb_from_frame(xdpf, dev);

	if (unlikely(!skb))
		return false;
	/* Built as received: the Ethernet header pulled. */
	skb_push(skb, ETH_HLEN);
	dev_queue_xmit(skb);
	return true;
}

/*
 * XDP_REDIRECT into the upper: out of the active path, through the
 * driver's XDP transmit if it runs the upper's program (a driver without
 * a program has no XDP queues), else as skbs. Frames not sent are the
 * caller's to free.
 */
int duo_xdp_xmit(struct net_device *dev, int n, struct xdp_frame **frames,
		 u32 flags)
{
	struct duo_priv *priv = netdev_priv(dev);
	struct duo_pcpu_stats *st = this_cpu_ptr(priv->pcpu);
	struct duo_lower *lo = rcu_dereference_bh(priv->tx);
	struct net_device *ldev;
	enum duo_slot slot;
	u64 bytes = 0;
	int i, sent;

	if (unlikely(!lo)) {
		u64_stats_update_begin(&st->syncp);
		u64_stats_add(&st->tx_dropped_no_path, n);
		u64_stats_update_end(&st->syncp);
		return -ENXIO;
	}
	ldev = lo->dev;
	slot = duo_slot_of(lo);
	if (READ_ONCE(priv->xdp_native[slot]) && ldev->netdev_ops->ndo_xdp_xmit) {
		/* Sent frames are the driver's: count before, then subtract. */
		for (i = 0; i < n; i++)
			bytes += frames[i]->len;
		sent = ldev->netdev_ops->ndo_xdp_xmit(ldev, n, frames, flags);
		if (sent < 0)
			sent = 0;
		for (i = sent; i < n; i++)
			bytes -= frames[i]->len;
	} else {
		for (sent = 0; sent < n; sent++) {
			u32 len = frames[sent]->len;

			if (!xmit_as_skb(ldev, frames[sent]))
				break;
			bytes += len;
		}
	}

	u64_stats_update_begin(&st->syncp);
	u64_stats_add(&st->tx_packets[slot], sent);
	u64_stats_add(&st->tx_bytes[slot], bytes);
	u64_stats_add(&st->tx_dropped[slot], n - sent);
	u64_stats_update_end(&st->syncp);
	return sent;
}
