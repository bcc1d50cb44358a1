// SPDX-License-Identifier: GPL-2.0
/*
 * The upper's offloads and limits, as functions of its lowers' (the
 * decision alone in duo_features_common(), so that ndo_fix_features and the
 * KUnit suite duonet_features run the same one).
 *
 * As bonding, team and net_failover do: the upper offers what any lower
 * can do, and each lower falls back in software, once, for what it
 * cannot. The upper is IFF_NO_QUEUE, so a frame meets its features first
 * in validate_xmit_skb() on the upper, then the lower's own in the
 * lower's dev_queue_xmit(): a checksum, a segmentation (TSO, UDP GSO,
 * tunnels: VXLAN, Geneve) the lower lacks is done there, after its qdisc,
 * a whole GSO batch handed to its driver with xmit_more. Offering the
 * intersection instead made the upper do that work itself, one
 * dev_queue_xmit() per segment.
 */
#include <linux/netdevice.h>

#include "core/duonet.h"

/* The start of a union over lowers (7.x's netdev_base_features()). */
static netdev_features_t duo_base_features(netdev_features_t features)
{
	return (features & ~NETIF_F_ONE_FOR_ALL) | NETIF_F_ALL_FOR_ALL;
}

/*
 * The offloads the upper offers when the stack wants them: the union of
 * its lowers' for those one lower needs for all (SG, HIGHDMA, FRAGLIST:
 * NETIF_F_ONE_FOR_ALL; the checksum kinds), the segmentations
 * (NETIF_F_GSO_SOFTWARE, which the lower falls back on) always. The last
 * VF's features (vf_kept) stand in for the VF while it is away, so a VF
 * leaving for a migration and coming back does not make offloads flip on
 * the upper. pv and vf are the features of the lowers present, NULL for
 * an absent one; vf_kept is NULL when no VF was ever seen. With no lower
 * at all, everything the stack wants is kept for the first to come.
 */
netdev_features_t duo_features_common(netdev_features_t features,
				      const netdev_features_t *pv,
				      const netdev_features_t *vf,
				      const netdev_features_t *vf_kept)
{
	/* An away VF cannot make the upper VLAN-challenged (duo_check_join()). */
	netdev_features_t kept = vf_kept ? *vf_kept & ~NETIF_F_VLAN_CHALLENGED : 0;
	const netdev_features_t *lower[2] = { pv, vf ? vf : vf_kept ? &kept : NULL };
	netdev_features_t mask = features;
	int i;

	if (lower[0] || lower[1]) {
		features &= ~NETIF_F_ONE_FOR_ALL;
		features |= NETIF_F_ALL_FOR_ALL & mask;
		for (i = 0; i < 2; i++)
			if (lower[i])
				features = netdev_increment_features(features,
								     *lower[i],
								     mask);
		features = netdev_increment_features(features,
						     NETIF_F_GSO_SOFTWARE, mask);
	}
	/* Generic checksumming covers the protocol-specific kinds. */
	if (features & NETIF_F_HW_CSUM)
		features &= ~(NETIF_F_CSUM_MASK & ~NETIF_F_HW_CSUM);
	return features;
}

/*
 * Everything else the upper takes from its lowers, then its features:
 * called under RTNL when a lower joins, leaves or changes its features.
 * The MTU range and the TSO limits are what every lower accepts; VLAN and
 * MPLS offloads the union of theirs, from checksumming and tunnel
 * segmentation up (7.x's netdev_compute_master_upper_features(), which
 * 6.1 lacks); the tunnel offloads are constant (duo_upper_setup(): the
 * lower falls back, as in bonding, whose union starts from all of them);
 * the room a lower needs around a frame the most any needs, so frames
 * reach it without a copy; and the upper drops a frame's route only when
 * every lower would (IFF_XMIT_DST_RELEASE) and nothing on the upper needs
 * it (netif_keep_dst() took IFF_XMIT_DST_RELEASE_PERM away). VLAN devices
 * on the upper read all that at its NETDEV_FEAT_CHANGE, sent even when
 * its own features stay (netdev_change_features()).
 */
void duo_upper_compute(struct net_device *dev)
{
	struct duo_priv *priv = netdev_priv(dev);
	unsigned int min_mtu = ETH_MIN_MTU, max_mtu = ETH_MAX_MTU;
	unsigned int tso_size = GSO_MAX_SIZE, tso_segs = GSO_MAX_SEGS;
	netdev_features_t vlan = duo_base_features(DUO_TX_FEATURES);
	netdev_features_t mpls = duo_base_features(DUO_MPLS_FEATURES);
	unsigned short head = 0, tail = 0, hlen = ETH_HLEN;
	unsigned int dst_release = IFF_XMIT_DST_RELEASE |
				   IFF_XMIT_DST_RELEASE_PERM;
	struct duo_lower *lo;
	struct net_device *l;
	int path;

	ASSERT_RTNL();
	duo_for_each_lower(priv, lo, path) {
		l = lo->dev;
		min_mtu = max(min_mtu, l->min_mtu);
		/* A max_mtu of 0 is no limit (dev_validate_mtu()). */
		if (l->max_mtu)
			max_mtu = min(max_mtu, l->max_mtu);
		tso_size = min(tso_size, l->tso_max_size);
		tso_segs = min(tso_segs, l->tso_max_segs);
		vlan = netdev_increment_features(vlan, l->vlan_features,
						 DUO_TX_FEATURES);
		mpls = netdev_increment_features(mpls, l->mpls_features,
						 DUO_MPLS_FEATURES);
		head = max(head, l->needed_headroom);
		tail = max(tail, l->needed_tailroom);
		hlen = max(hlen, l->hard_header_len);
		dst_release &= l->priv_flags;
	}
	dev->min_mtu = min_mtu;
	dev->max_mtu = max(min_mtu, max_mtu);
	netif_set_tso_max_size(dev, tso_size);
	netif_set_tso_max_segs(dev, tso_segs);
	dev->vlan_features = vlan;
	dev->mpls_features = mpls;
	/* Read locklessly on the transmit path (LL_RESERVED_SPACE()). */
	WRITE_ONCE(dev->needed_headroom, head);
	WRITE_ONCE(dev->needed_tailroom, tail);
	WRITE_ONCE(dev->hard_header_len, hlen);
	dev->priv_flags &= ~IFF_XMIT_DST_RELEASE;
	if ((dev->priv_flags & IFF_XMIT_DST_RELEASE_PERM) &&
	    dst_release == (IFF_XMIT_DST_RELEASE | IFF_XMIT_DST_RELEASE_PERM))
		dev->priv_flags |= IFF_XMIT_DST_RELEASE;
	netdev_change_features(dev);
}
