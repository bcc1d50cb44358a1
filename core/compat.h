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

#endif /* _DUO_COMPAT_H */
