/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The PV path: what makes a device a paravirtual lower (virtio_net,
 * vmxnet3), the lower that anchors a pair, and the PV of a host set up for
 * QEMU's own failover (failover=on). Includes only lower/.
 */
#ifndef _DUO_PV_H
#define _DUO_PV_H

#include <linux/netdevice.h>

bool duo_pv_recognise(const struct net_device *dev);
/* An auto-created upper takes its PV's MAC as its own. */
void duo_pv_lend_addr(struct net_device *upper, const struct net_device *pv);
/* QEMU's failover=on: the PV is virtio_net's net_failover master. RTNL. */
bool duo_pv_standby_master(const struct net_device *dev);
bool duo_pv_standby_free(struct net_device *dev);
bool duo_pv_standby_free_primary(struct net_device *master);
void duo_pv_standby_mark(struct net_device *master, bool mark);

#endif /* _DUO_PV_H */
