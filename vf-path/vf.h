/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VF path: what makes a device a passed-through lower (a PCI Ethernet
 * NIC that is not a PV), and the watch that hears of its PCI device
 * leaving before its driver tears it down. Includes only pv-path/ and
 * lower/.
 */
#ifndef _DUO_VF_H
#define _DUO_VF_H

#include <linux/netdevice.h>

bool duo_vf_recognise(const struct net_device *dev);

/*
 * going(dev) is called for each netdev of the initial namespace whose PCI
 * network device is losing its driver (hot-unplug, sriov_numvfs=0, unbind),
 * before the driver's remove() runs: without RTNL, in process context (it
 * may sleep; the removal waits for it), with a reference held on dev.
 * receives is false when the device is already gone from the bus (a
 * surprise removal the PCI core saw as such): nothing will reach it.
 */
int duo_vf_watch_init(void (*going)(struct net_device *dev, bool receives));
void duo_vf_watch_uninit(void);

#endif /* _DUO_VF_H */
