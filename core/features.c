// SPDX-License-Identifier: GPL-2.0
/*
 * The upper's offloads, as a plain function of its lowers' features, so
 * that ndo_fix_features and the KUnit suite duonet_features run the same
 * decision.
 */
#include <linux/netdevice.h>

#include "core/duonet.h"

/*
 * Offloads are what every lower can do. The last VF's features (vf_kept)
 * stand in for the VF while it is away, so a VF leaving for a migration
 * and coming back does not make offloads flip on the upper. pv and vf are
 * the features of the lowers present, NULL for an absent one; vf_kept is
 * NULL when no VF was ever seen.
 */
netdev_features_t duo_features_fix(netdev_features_t features,
				   const netdev_features_t *pv,
				   const netdev_features_t *vf,
				   const netdev_features_t *vf_kept)
{
	netdev_features_t lowers = DUO_LOWER_FEATURES;

	if (pv)
		lowers = netdev_intersect_features(lowers, *pv);
	if (vf)
		lowers = netdev_intersect_features(lowers, *vf);
	else if (vf_kept)
		lowers = netdev_intersect_features(lowers, *vf_kept);
	features &= lowers | ~DUO_LOWER_FEATURES;
	/* Generic checksumming covers the protocol-specific kinds. */
	if (features & NETIF_F_HW_CSUM)
		features &= ~(NETIF_F_IP_CSUM | NETIF_F_IPV6_CSUM);
	return features;
}
