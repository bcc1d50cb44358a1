// SPDX-License-Identifier: GPL-2.0
/*
 * xdpfilter: the XDP sample for a duonet upper. Drops UDP to one
 * destination port (IPv4 or IPv6, an optional 802.1Q tag); optionally sends
 * UDP to a second port straight back to its sender out of the lower it came
 * in on (XDP_TX), and to a third back through the upper (XDP_REDIRECT into
 * it: out of the active path). Counts, per CPU and per receiving lower (the
 * frame's ingress ifindex: the VF or the PV, however the program runs
 * there), the frames of each verdict.
 * Attached to the upper, it runs on both paths and follows a re-plugged
 * VF; its maps outlive the switches. Loaded by xdpfilter.c.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/types.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "xdpfilter.h"

/* Set by the loader before the program is loaded. */
const volatile __u16 drop_port;		/* UDP destination ports, host order; */
const volatile __u16 tx_port;		/* 0: none */
const volatile __u16 redirect_port;
const volatile __u32 upper_ifindex;	/* the redirect's target */

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, XDPFILTER_MAX_LOWERS);
	__type(key, __u32);			/* ingress ifindex */
	__type(value, struct xdpfilter_counts);
} counts SEC(".maps");

/*
 * Written by the loader only: the path (1 VF, 2 PV) of each lower ifindex
 * it saw in the upper, so counts of a departed VF are still named.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XDPFILTER_MAX_LOWERS);
	__type(key, __u32);
	__type(value, __u32);
} paths SEC(".maps");

struct vlan_hdr {
	__be16 tci;
	__be16 proto;
};

/* A UDP frame's headers, checked to lie in the frame. */
struct udp_frame {
	struct ethhdr *eth;
	struct iphdr *ip;	/* one of these two */
	struct ipv6hdr *ip6;
	struct udphdr *udp;
};

/* Fills f for a UDP frame; false if it is not one (or a later fragment). */
static int udp_of(void *data, void *end, struct udp_frame *f)
{
	struct ethhdr *eth = data;
	__u16 proto;
	void *l3;

	if ((void *)(eth + 1) > end)
		return 0;
	proto = eth->h_proto;
	l3 = eth + 1;
	if (proto == bpf_htons(ETH_P_8021Q)) {
		struct vlan_hdr *vh = l3;

		if ((void *)(vh + 1) > end)
			return 0;
		proto = vh->proto;
		l3 = vh + 1;
	}
	f->eth = eth;
	f->ip = NULL;
	f->ip6 = NULL;
	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = l3;

		if ((void *)(ip + 1) > end || ip->ihl < 5 ||
		    ip->protocol != IPPROTO_UDP ||
		    (ip->frag_off & bpf_htons(0x1fff)))
			return 0;
		f->ip = ip;
		l3 = (void *)ip + ip->ihl * 4;
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = l3;

		/* No extension headers: UDP right after the fixed header. */
		if ((void *)(ip6 + 1) > end || ip6->nexthdr != IPPROTO_UDP)
			return 0;
		f->ip6 = ip6;
		l3 = ip6 + 1;
	} else {
		return 0;
	}
	f->udp = l3;
	return (void *)(f->udp + 1) <= end;
}

static void swap(void *a, void *b, __u32 len)
{
	__u8 t, *x = a, *y = b;
	__u32 i;

	for (i = 0; i < len; i++) {
		t = x[i];
		x[i] = y[i];
		y[i] = t;
	}
}

/*
 * Back to the sender: Ethernet, IP addresses and UDP ports swapped (the
 * checksums are sums of the same words: unchanged).
 */
static void reflect(struct udp_frame *f)
{
	swap(f->eth->h_dest, f->eth->h_source, ETH_ALEN);
	if (f->ip6)
		swap(&f->ip6->saddr, &f->ip6->daddr, sizeof(struct in6_addr));
	else if (f->ip)
		swap(&f->ip->saddr, &f->ip->daddr, sizeof(__be32));
	swap(&f->udp->source, &f->udp->dest, sizeof(__be16));
}

SEC("xdp")
int xdpfilter(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct xdpfilter_counts zero = {}, *c;
	__u32 ifindex = ctx->ingress_ifindex;
	struct udp_frame f = {};
	__u16 port = udp_of(data, end, &f) ? bpf_ntohs(f.udp->dest) : 0;

	c = bpf_map_lookup_elem(&counts, &ifindex);
	if (!c) {
		bpf_map_update_elem(&counts, &ifindex, &zero, BPF_NOEXIST);
		c = bpf_map_lookup_elem(&counts, &ifindex);
	}
	if (!c)
		return XDP_PASS;
	if (port && port == drop_port) {
		c->drop++;
		return XDP_DROP;
	}
	if (port && (port == tx_port || port == redirect_port)) {
		reflect(&f);
		if (port == tx_port) {
			c->tx++;
			return XDP_TX;
		}
		c->redirect++;
		return bpf_redirect(upper_ifindex, 0);
	}
	c->pass++;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
