/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels duonet supports (Debian's 6.1 and 6.12),
 * kept in one place so the rest of the code has no version #ifdefs.
 */
#ifndef _DUO_COMPAT_H
#define _DUO_COMPAT_H

#include <linux/version.h>
#include <linux/netdevice.h>

/* 6.12 turned NETIF_F_LLTX into the private flag dev->lltx. */
static inline void duo_compat_set_lltx(struct net_device *dev)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
	dev->lltx = true;
#else
	dev->features |= NETIF_F_LLTX;
#endif
}

#endif /* _DUO_COMPAT_H */
