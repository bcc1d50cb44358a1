/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels duonet supports (Debian's 6.1 and 6.12),
 * kept in one place so the rest of the code has no version #ifdefs.
 */
#ifndef _DUO_COMPAT_H
#define _DUO_COMPAT_H

#include <linux/netdevice.h>

/* 6.12 turned the feature bit NETIF_F_LLTX into the flag dev->lltx. */
static inline void duo_compat_set_lltx(struct net_device *dev)
{
#ifdef NETIF_F_LLTX
	dev->features |= NETIF_F_LLTX;
#else
	dev->lltx = true;
#endif
}

/* 6.12 turned the feature bit NETIF_F_NETNS_LOCAL into dev->netns_local. */
static inline void duo_compat_set_netns_local(struct net_device *dev)
{
#ifdef NETIF_F_NETNS_LOCAL
	dev->features |= NETIF_F_NETNS_LOCAL;
#else
	dev->netns_local = true;
#endif
}

/*
 * Private flags of a claimed lower. 6.12 has IFF_NO_ADDRCONF (no IPv6
 * address autoconfiguration) and renames devices while up anyway; 6.1 keeps
 * addrconf off devices flagged IFF_SLAVE (which duonet sets too) and needs
 * IFF_LIVE_RENAME_OK for renames while up.
 */
#ifdef IFF_LIVE_RENAME_OK
#define DUO_COMPAT_LOWER_PRIV_FLAGS	IFF_LIVE_RENAME_OK
#else
#define DUO_COMPAT_LOWER_PRIV_FLAGS	IFF_NO_ADDRCONF
#endif

#endif /* _DUO_COMPAT_H */
