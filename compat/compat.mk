# SPDX-License-Identifier: GPL-2.0
#
# Header probes for compat/compat.h, where the headers have no macro to test:
# each defines DUO_HAVE_<X> when a pattern (grep -E) is found in a kernel
# header of the tree being built against. Included by Kbuild and by
# kunit/Kbuild.kunit. A pattern holds no parenthesis and no comma (make
# would split or unbalance the call): '.' stands for either.
duo_probe = $(if $(shell grep -qsE '$(1)' $(srctree)/include/linux/$(2) && echo y),-D$(3))
duo_probe_net = $(if $(shell grep -qsE '$(1)' $(srctree)/include/net/$(2) && echo y),-D$(3))

# 6.8: get_rxfh/set_rxfh take their arguments in struct ethtool_rxfh_param.
ccflags-y += $(call duo_probe,struct ethtool_rxfh_param,ethtool.h,DUO_HAVE_RXFH_PARAM)
# 6.13 and 6.12 stable (6.12.117 has it, 6.12.95 not): netns_local renamed netns_immutable.
ccflags-y += $(call duo_probe,netns_immutable:1,netdevice.h,DUO_HAVE_NETNS_IMMUTABLE)
# The private flag IFF_RXFH_CONFIGURED (an enum member: no #ifdef); gone by 7.2.
ccflags-y += $(call duo_probe,IFF_RXFH_CONFIGURED[[:space:]]*=,netdevice.h,DUO_HAVE_RXFH_CONFIGURED)
# By 7.2: the ethtool op get_rx_ring_count replaces get_rxnfc(ETHTOOL_GRXRINGS).
ccflags-y += $(call duo_probe,[*]get_rx_ring_count..struct net_device,ethtool.h,DUO_HAVE_RX_RING_COUNT)
# By 7.2: dev_set_mac_address() takes a struct sockaddr_storage.
ccflags-y += $(call duo_probe,int dev_set_mac_address.struct net_device [*]dev. struct sockaddr_storage,netdevice.h,DUO_HAVE_SET_MAC_SS)
# 6.15: rtnl_link_ops.newlink takes struct rtnl_newlink_params.
ccflags-y += $(call duo_probe_net,struct rtnl_newlink_params [{],rtnetlink.h,DUO_HAVE_NEWLINK_PARAMS)
# 6.15: the instance lock of "ops locked" devices, netdev_lock_ops().
ccflags-y += $(call duo_probe_net,void netdev_lock_ops[^_],netdev_lock.h,DUO_HAVE_NETDEV_LOCK_OPS)
# 6.3 (XDP, core/xdp.c): dev->xdp_features, dev_xdp_propagate(),
# do_xdp_generic() taking struct sk_buff **.
ccflags-y += $(call duo_probe,xdp_features_t,netdevice.h,DUO_HAVE_XDP_FEATURES)
ccflags-y += $(call duo_probe,int dev_xdp_propagate,netdevice.h,DUO_HAVE_XDP_PROPAGATE)
ccflags-y += $(call duo_probe,do_xdp_generic.*sk_buff [*][*],netdevice.h,DUO_HAVE_XDP_GENERIC_PSKB)
# 6.17 (6.12.118 stable too): system_percpu_wq; 7.3 warns when work is
# queued on system_wq, the same queue under its old name.
ccflags-y += $(call duo_probe,extern struct workqueue_struct [*]system_percpu_wq,workqueue.h,DUO_HAVE_PERCPU_WQ)
# 6.6: ndo_hwtstamp_get/set and generic_hwtstamp_get/set_lower() (core/hwtstamp.c).
ccflags-y += $(call duo_probe,[*]ndo_hwtstamp_set..struct net_device,netdevice.h,DUO_HAVE_NDO_HWTSTAMP)
# 6.11: struct kernel_ethtool_ts_info and ethtool_get_ts_info_by_layer().
ccflags-y += $(call duo_probe,int ethtool_get_ts_info_by_layer,ethtool.h,DUO_HAVE_TS_INFO_BY_LAYER)
# By 7.2: mac_pton() only in linux/hex.h, which kernel.h no longer includes.
ccflags-y += $(call duo_probe,bool mac_pton,hex.h,DUO_HAVE_HEX_H)
