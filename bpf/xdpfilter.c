// SPDX-License-Identifier: GPL-2.0
/*
 * xdpfilter - the XDP sample for a duonet upper: drop UDP to one port on
 * both paths, count per path.
 *
 *   xdpfilter DEV [--port PORT] [--tx-port PORT] [--redirect-port PORT]
 *             [--generic]
 *   xdpfilter DEV --show
 *   xdpfilter DEV --detach
 *
 * Attaches xdpfilter.bpf.c to DEV, which drops UDP to --port, sends UDP
 * to --tx-port back to its sender out of the lower it came in on (XDP_TX)
 * and UDP to --redirect-port back through DEV (XDP_REDIRECT: the active
 * path); at least one of them. Native mode: duonet runs it in each
 * lower's driver that has XDP and in its rx handler for the others;
 * --generic: the kernel's generic XDP on DEV). The program stays attached
 * after xdpfilter exits; its maps are pinned under /sys/fs/bpf/duonet-
 * xdpfilter-DEV-{counts,paths}. It is never attached over another program
 * (detach that first); --detach removes only xdpfilter's. --show prints, for each lower the program
 * saw, its path, name and counts, then the totals per path; a lower that
 * left is named by the path it had when xdpfilter last looked (at attach
 * or --show), else "other". Needs root.
 * Exit status: 0 done, 1 error, 2 usage.
 */
#include <errno.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/uapi.h"
#include "xdpfilter.h"
#include "xdpfilter.skel.h"

#define PIN "/sys/fs/bpf/duonet-xdpfilter-"

static const char *const path_names[] = { "other", "vf", "pv" };

static void usage(void)
{
	fputs("usage: xdpfilter DEV [--port PORT] [--tx-port PORT] [--redirect-port PORT]\n"
	      "                 [--generic]\n"
	      "       xdpfilter DEV --show\n"
	      "       xdpfilter DEV --detach\n", stderr);
	exit(2);
}

static unsigned long number(const char *s, unsigned long min, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || !*s || *s == '-' || v < min || v > max) {
		fprintf(stderr, "xdpfilter: '%s' is not a number from %lu to %lu\n",
			s, min, max);
		usage();
	}
	return v;
}

/* IFLA_DUONET_VF_IFINDEX / _PV_IFINDEX of the upper, by path. */
static int lowers_cb(const struct nlmsghdr *nlh, void *arg)
{
	unsigned int *lower = arg;
	const struct nlattr *a, *b, *c;

	mnl_attr_for_each(a, nlh, sizeof(struct ifinfomsg)) {
		if (mnl_attr_get_type(a) != IFLA_LINKINFO)
			continue;
		mnl_attr_for_each_nested(b, a) {
			if (mnl_attr_get_type(b) != IFLA_INFO_DATA)
				continue;
			mnl_attr_for_each_nested(c, b) {
				if (mnl_attr_validate(c, MNL_TYPE_U32) < 0)
					continue;
				if (mnl_attr_get_type(c) == IFLA_DUONET_VF_IFINDEX)
					lower[DUO_UAPI_PATH_VF] = mnl_attr_get_u32(c);
				else if (mnl_attr_get_type(c) == IFLA_DUONET_PV_IFINDEX)
					lower[DUO_UAPI_PATH_PV] = mnl_attr_get_u32(c);
			}
		}
	}
	return MNL_CB_OK;
}

/* The upper's lowers now; -1 if it cannot be asked (not a duonet upper:
 * its lowers then stay unnamed).
 */
static int get_lowers(unsigned int ifindex, unsigned int lower[3])
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;
	unsigned int seq = time(NULL);
	int ret = -1;

	memset(lower, 0, 3 * sizeof(*lower));
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto out;
	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = seq;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		goto out;
	ret = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (ret > 0)
		ret = mnl_cb_run(buf, ret, seq, mnl_socket_get_portid(nl),
				 lowers_cb, lower) < 0 ? -1 : 0;
out:
	if (nl)
		mnl_socket_close(nl);
	return ret < 0 ? -1 : 0;
}

/* Records the current lowers' paths in the pinned paths map. */
static void note_paths(int paths_fd, unsigned int ifindex)
{
	unsigned int lower[3];
	__u32 p;

	if (get_lowers(ifindex, lower))
		return;
	for (p = DUO_UAPI_PATH_VF; p <= DUO_UAPI_PATH_PV; p++)
		if (lower[p])
			bpf_map_update_elem(paths_fd, &lower[p], &p, BPF_ANY);
}

static int open_pin(const char *dev, const char *map)
{
	char pin[128];
	int fd;

	snprintf(pin, sizeof(pin), PIN "%s-%s", dev, map);
	fd = bpf_obj_get(pin);
	if (fd < 0 && errno == ENOENT)
		fprintf(stderr, "xdpfilter: nothing attached to %s (no %s)\n", dev, pin);
	else if (fd < 0)
		fprintf(stderr, "xdpfilter: %s: %s\n", pin, strerror(errno));
	return fd;
}

static void add(struct xdpfilter_counts *sum, const struct xdpfilter_counts *c)
{
	sum->pass += c->pass;
	sum->drop += c->drop;
	sum->tx += c->tx;
	sum->redirect += c->redirect;
}

static void print_counts(const struct xdpfilter_counts *c)
{
	printf("pass %llu drop %llu tx %llu redirect %llu\n",
	       (unsigned long long)c->pass, (unsigned long long)c->drop,
	       (unsigned long long)c->tx, (unsigned long long)c->redirect);
}

static int show(const char *dev, unsigned int ifindex)
{
	int cfd, pfd, ncpu = libbpf_num_possible_cpus(), i, err = 1;
	struct xdpfilter_counts sum[3] = { 0 };
	struct xdpfilter_counts *v = NULL;
	__u32 key, next, *prev = NULL, path;
	char name[IF_NAMESIZE];

	cfd = open_pin(dev, "counts");
	pfd = cfd < 0 ? -1 : open_pin(dev, "paths");
	if (pfd < 0 || ncpu <= 0)
		goto out;
	v = calloc(ncpu, sizeof(*v));
	if (!v)
		goto out;
	note_paths(pfd, ifindex);
	while (!bpf_map_get_next_key(cfd, prev, &next)) {
		struct xdpfilter_counts t = { 0 };

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(cfd, &key, v))
			continue;
		for (i = 0; i < ncpu; i++)
			add(&t, &v[i]);
		if (bpf_map_lookup_elem(pfd, &key, &path) || path > DUO_UAPI_PATH_PV)
			path = 0;
		add(&sum[path], &t);
		printf("%s: %s %s ifindex %u ", dev, path_names[path],
		       if_indextoname(key, name) ? name : "(gone)", key);
		print_counts(&t);
	}
	for (path = DUO_UAPI_PATH_VF; path <= 3; path++) {
		printf("%s: total %s ", dev, path_names[path % 3]);
		print_counts(&sum[path % 3]);
	}
	err = 0;
out:
	free(v);
	if (cfd >= 0)
		close(cfd);
	if (pfd >= 0)
		close(pfd);
	return err;
}

static void unpin(const char *dev)
{
	char pin[128];

	snprintf(pin, sizeof(pin), PIN "%s-counts", dev);
	unlink(pin);
	snprintf(pin, sizeof(pin), PIN "%s-paths", dev);
	unlink(pin);
}

/*
 * Detaches xdpfilter's program, in whichever mode it runs; another
 * program is left alone. The maps are unpinned once it is off.
 */
static int detach(const char *dev, unsigned int ifindex)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	LIBBPF_OPTS(bpf_xdp_attach_opts, o);
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), flags, id;
	int err, fd;

	err = bpf_xdp_query(ifindex, 0, &q);
	if (err) {
		fprintf(stderr, "xdpfilter: querying %s: %s\n", dev, strerror(-err));
		return 1;
	}
	switch (q.attach_mode) {
	case XDP_ATTACHED_NONE:
		unpin(dev);
		return 0;
	case XDP_ATTACHED_SKB:
		flags = XDP_FLAGS_SKB_MODE;
		id = q.skb_prog_id;
		break;
	case XDP_ATTACHED_DRV:
		flags = XDP_FLAGS_DRV_MODE;
		id = q.drv_prog_id;
		break;
	default:
		fprintf(stderr, "xdpfilter: %s has a program in offload or several modes: not ours\n",
			dev);
		return 1;
	}
	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len) ||
	    strcmp(info.name, "xdpfilter")) {
		fprintf(stderr, "xdpfilter: the XDP program on %s is not xdpfilter's: left alone\n",
			dev);
		if (fd >= 0)
			close(fd);
		return 1;
	}
	/* Only that program: one attached meanwhile is left alone too. */
	o.old_prog_fd = fd;
	err = bpf_xdp_detach(ifindex, flags | XDP_FLAGS_REPLACE, &o);
	close(fd);
	if (err) {
		fprintf(stderr, "xdpfilter: detaching from %s: %s\n", dev, strerror(-err));
		return 1;
	}
	unpin(dev);
	return 0;
}

static int pin_map(struct bpf_map *map, const char *dev, const char *name)
{
	char pin[128];
	int err;

	snprintf(pin, sizeof(pin), PIN "%s-%s", dev, name);
	unlink(pin);
	err = bpf_map__pin(map, pin);
	if (err)
		fprintf(stderr, "xdpfilter: pinning %s: %s\n", pin, strerror(-err));
	return err;
}

int main(int argc, char **argv)
{
	bool generic = false, do_detach = false, do_show = false, attach;
	unsigned long port = 0, tx_port = 0, redirect_port = 0;
	struct xdpfilter_bpf *skel;
	unsigned int ifindex;
	const char *dev;
	int i, err;

	if (argc < 3)
		usage();
	dev = argv[1];
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--detach"))
			do_detach = true;
		else if (!strcmp(argv[i], "--show"))
			do_show = true;
		else if (!strcmp(argv[i], "--generic"))
			generic = true;
		else if (i + 1 >= argc)
			usage();
		else if (!strcmp(argv[i], "--port"))
			port = number(argv[++i], 1, 65535);
		else if (!strcmp(argv[i], "--tx-port"))
			tx_port = number(argv[++i], 1, 65535);
		else if (!strcmp(argv[i], "--redirect-port"))
			redirect_port = number(argv[++i], 1, 65535);
		else
			usage();
	}
	attach = port || tx_port || redirect_port;
	if (do_show + do_detach + attach != 1 || (generic && !attach))
		usage();
	if ((port && (port == tx_port || port == redirect_port)) ||
	    (tx_port && tx_port == redirect_port)) {
		fprintf(stderr, "xdpfilter: one port, one rule\n");
		return 2;
	}
	ifindex = if_nametoindex(dev);
	if (!ifindex) {
		fprintf(stderr, "xdpfilter: no interface %s\n", dev);
		return 1;
	}
	if (do_show)
		return show(dev, ifindex);
	if (do_detach)
		return detach(dev, ifindex);

	skel = xdpfilter_bpf__open();
	if (!skel) {
		fprintf(stderr, "xdpfilter: opening the BPF object: %s\n", strerror(errno));
		return 1;
	}
	skel->rodata->drop_port = port;
	skel->rodata->tx_port = tx_port;
	skel->rodata->redirect_port = redirect_port;
	skel->rodata->upper_ifindex = ifindex;
	err = xdpfilter_bpf__load(skel);
	if (err) {
		fprintf(stderr, "xdpfilter: loading the BPF program: %s\n", strerror(-err));
		goto out;
	}
	/* Never over another program (--detach first); libbpf prints why not. */
	err = bpf_xdp_attach(ifindex, bpf_program__fd(skel->progs.xdpfilter),
			     XDP_FLAGS_UPDATE_IF_NOEXIST |
			     (generic ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE), NULL);
	if (err) {
		fprintf(stderr, "xdpfilter: attaching to %s: %s\n", dev, strerror(-err));
		goto out;
	}
	err = pin_map(skel->maps.counts, dev, "counts") ||
	      pin_map(skel->maps.paths, dev, "paths");
	if (err)
		fprintf(stderr, "xdpfilter: --show will not work\n");
	else
		note_paths(bpf_map__fd(skel->maps.paths), ifindex);
	printf("xdpfilter: %s (%s mode): drop udp port %lu, tx %lu, redirect %lu (0: none)\n",
	       dev, generic ? "generic" : "native", port, tx_port, redirect_port);
	err = 0;
out:
	xdpfilter_bpf__destroy(skel);
	return err ? 1 : 0;
}
