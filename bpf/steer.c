// SPDX-License-Identifier: GPL-2.0
/*
 * steer - send one flow of a duonet upper over a chosen path.
 *
 *   steer DEV (--port PORT | --dscp DSCP) --path vf|pv --mask MASK
 *   steer DEV --show
 *   steer DEV --detach
 *
 * Attaches steer.bpf.c at DEV's tc egress (clsact): frames of the flow (UDP
 * to PORT, or IPv4 DSCP) get the path hint in the skb->mark bits MASK, the
 * mask the upper was given (duoctl set DEV hint-mask MASK). The program
 * stays attached after steer exits; --show prints its counters, --detach
 * removes it. A hinted path that is absent or without link falls back to
 * the policy's path (ethtool -S DEV: tx_hint_vf, tx_hint_pv,
 * tx_hint_fallback). Needs root.
 * Exit status: 0 done, 1 error, 2 usage.
 */
#include <errno.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "steer.h"
#include "steer.skel.h"

#define PIN "/sys/fs/bpf/duonet-steer-"

static void usage(void)
{
	fputs("usage: steer DEV (--port PORT | --dscp DSCP) --path vf|pv --mask MASK\n"
	      "       steer DEV --show\n"
	      "       steer DEV --detach\n", stderr);
	exit(2);
}

static unsigned long number(const char *s, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, strncmp(s, "0x", 2) ? 10 : 16);
	if (errno || *end || !*s || *s == '-' || v > max) {
		fprintf(stderr, "steer: '%s' is not a number from 0 to %lu\n", s, max);
		usage();
	}
	return v;
}

/* The counters map, pinned per device so --show finds it later. */
static int show(const char *dev)
{
	char pin[128];
	int fd, ncpu = libbpf_num_possible_cpus(), c, i;
	unsigned long long sum[STEER_NCOUNTS] = { 0 };
	unsigned long long *v;

	snprintf(pin, sizeof(pin), PIN "%s", dev);
	fd = bpf_obj_get(pin);
	if (fd < 0) {
		fprintf(stderr, "steer: nothing attached to %s (%s)\n", dev, pin);
		return 1;
	}
	v = calloc(ncpu, sizeof(*v));
	if (!v) {
		close(fd);
		return 1;
	}
	for (c = 0; c < STEER_NCOUNTS; c++) {
		__u32 key = c;

		if (bpf_map_lookup_elem(fd, &key, v))
			continue;
		for (i = 0; i < ncpu; i++)
			sum[c] += v[i];
	}
	free(v);
	close(fd);
	printf("%s: seen %llu marked %llu\n", dev, sum[STEER_SEEN], sum[STEER_MARKED]);
	return 0;
}

int main(int argc, char **argv)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = 1, .priority = 1);
	unsigned long port = 0, dscp = 0, mask = 0, run;
	const char *dev, *path = NULL;
	bool by_dscp = false, detach = false, do_show = false;
	struct steer_bpf *skel;
	char pin[128];
	int i, err;

	if (argc < 3)
		usage();
	dev = argv[1];
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--detach"))
			detach = true;
		else if (!strcmp(argv[i], "--show"))
			do_show = true;
		else if (i + 1 >= argc)
			usage();
		else if (!strcmp(argv[i], "--port"))
			port = number(argv[++i], 65535);
		else if (!strcmp(argv[i], "--dscp"))
			dscp = number(argv[++i], 63), by_dscp = true;
		else if (!strcmp(argv[i], "--path"))
			path = argv[++i];
		else if (!strcmp(argv[i], "--mask"))
			mask = number(argv[++i], 0xffffffff);
		else
			usage();
	}
	hook.ifindex = if_nametoindex(dev);
	if (!hook.ifindex) {
		fprintf(stderr, "steer: no interface %s\n", dev);
		return 1;
	}
	snprintf(pin, sizeof(pin), PIN "%s", dev);
	if (do_show)
		return detach ? (usage(), 2) : show(dev);
	if (detach) {
		/* Only our filter: others on the same hook stay. */
		err = bpf_tc_detach(&hook, &opts);
		unlink(pin);
		if (err && err != -ENOENT) {
			fprintf(stderr, "steer: detaching from %s: %s\n", dev, strerror(-err));
			return 1;
		}
		return 0;
	}
	if ((!port && !by_dscp) || (port && by_dscp) || !path ||
	    (strcmp(path, "vf") && strcmp(path, "pv")))
		usage();
	run = mask ? mask >> __builtin_ctzl(mask) : 0;
	if (!mask || (run & (run + 1)) || run < 3) {
		fprintf(stderr, "steer: --mask must be at least 2 contiguous bits, as the upper's hint-mask\n");
		return 2;
	}

	skel = steer_bpf__open();
	if (!skel) {
		fprintf(stderr, "steer: opening the BPF object: %s\n", strerror(errno));
		return 1;
	}
	skel->rodata->steer_port = port;
	skel->rodata->steer_dscp = dscp;
	skel->rodata->steer_mask = mask;
	/* The hint value, placed in the mask's bits. */
	skel->rodata->steer_hint = (strcmp(path, "vf") ? 2u : 1u) << __builtin_ctzl(mask);
	err = steer_bpf__load(skel);
	if (err) {
		fprintf(stderr, "steer: loading the BPF program: %s\n", strerror(-err));
		goto out;
	}
	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST) {
		fprintf(stderr, "steer: clsact on %s: %s\n", dev, strerror(-err));
		goto out;
	}
	opts.prog_fd = bpf_program__fd(skel->progs.steer);
	opts.flags = BPF_TC_F_REPLACE;
	err = bpf_tc_attach(&hook, &opts);
	if (err) {
		fprintf(stderr, "steer: attaching to %s egress: %s\n", dev, strerror(-err));
		goto out;
	}
	unlink(pin);
	err = bpf_map__pin(skel->maps.counts, pin);
	if (err)
		fprintf(stderr, "steer: pinning the counters at %s: %s (--show will not work)\n",
			pin, strerror(-err));
	printf("steer: %s %s %lu -> %s (mark bits 0x%lx)\n", dev, by_dscp ? "dscp" : "udp port",
	       by_dscp ? dscp : port, path, mask);
	err = 0;
out:
	steer_bpf__destroy(skel);
	return err ? 1 : 0;
}
