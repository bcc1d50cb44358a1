// SPDX-License-Identifier: GPL-2.0
/*
 * steer: a tc (clsact egress) program for a duonet upper that sends one
 * chosen flow over a chosen path. Frames of the flow (UDP to one
 * destination port, or one DSCP) get the path hint in the skb->mark bits
 * the upper reads (duoctl set DEV hint-mask MASK); the rest are left as
 * they are and take the policy's path. Loaded and configured by steer.c.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <linux/types.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "steer.h"

/* Set by the loader before the program is loaded. */
const volatile __u16 steer_port;	/* UDP destination port, 0: by DSCP */
const volatile __u8 steer_dscp;		/* DSCP when steer_port is 0 */
const volatile __u32 steer_mask;	/* the upper's hint mask */
const volatile __u32 steer_hint;	/* 1 VF, 2 PV (core/uapi.h), shifted */

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, STEER_NCOUNTS);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

static void count(__u32 which)
{
	__u64 *c = bpf_map_lookup_elem(&counts, &which);

	if (c)
		(*c)++;
}

static int matches(struct __sk_buff *skb)
{
	struct iphdr ip;
	__u16 dport;

	if (skb->protocol != bpf_htons(ETH_P_IP) ||
	    bpf_skb_load_bytes(skb, ETH_HLEN, &ip, sizeof(ip)))
		return 0;
	if (!steer_port)
		return ip.tos >> 2 == steer_dscp;
	/* Only a first fragment has the UDP header (a flow's later ones go
	 * the flow's default way: steer by DSCP to keep fragments together).
	 */
	if (ip.frag_off & bpf_htons(0x1fff))
		return 0;
	if (ip.protocol != IPPROTO_UDP || ip.ihl < 5 ||
	    bpf_skb_load_bytes(skb, ETH_HLEN + ip.ihl * 4 +
			       __builtin_offsetof(struct udphdr, dest),
			       &dport, sizeof(dport)))
		return 0;
	return dport == bpf_htons(steer_port);
}

SEC("tc")
int steer(struct __sk_buff *skb)
{
	count(STEER_SEEN);
	if (matches(skb)) {
		skb->mark = (skb->mark & ~steer_mask) | steer_hint;
		count(STEER_MARKED);
	}
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
