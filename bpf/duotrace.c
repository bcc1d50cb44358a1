// SPDX-License-Identifier: GPL-2.0
/*
 * duotrace - watch duonet's path switches (and, with --rate, the packet
 * rate on each path).
 *
 * usage: duotrace [--rate] [--count N] [--duration S] [DEV]
 *
 * Prints one line per switch of every duonet upper (or DEV), from the
 * duonet:duonet_path_switch tracepoint through a BPF program:
 *   12:01:02.345678 duo0 vf -> pv reason pv-only 87 us
 * --rate adds, once a second, the packets per second on each path from
 * the upper's ethtool -S counters:
 *   12:01:03.000001 duo0 rate vf tx 1000 rx 1000 pv tx 0 rx 0 pps
 * --count N exits after N switches, --duration S after S seconds. Needs
 * root (BPF) and tracefs at /sys/kernel/tracing.
 * Exit status: 0 done, 1 error, 2 usage.
 */
#include <errno.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "duotrace.h"
#include "duotrace.skel.h"

#define TRACEFS "/sys/kernel/tracing"
#define FORMAT TRACEFS "/events/duonet/duonet_path_switch/format"
#define MAX_UPPERS 32

static const char *const paths[] = { "none", "vf", "pv" };
static const char *const reasons[] = {
	"none", "plug", "unplug", "carrier", "admin", "pv-only", "failback",
	"adaptive", "reach",
};

static volatile sig_atomic_t stop;
static const char *only_dev;
static long switches_left = -1;

static void usage(void)
{
	fputs("usage: duotrace [--rate] [--count N] [--duration SECONDS] [DEV]\n", stderr);
	exit(2);
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void stamp(void)
{
	struct timeval tv;
	struct tm tm;

	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	printf("%02d:%02d:%02d.%06ld ", tm.tm_hour, tm.tm_min, tm.tm_sec, (long)tv.tv_usec);
}

static const char *name_of(const char *const *names, unsigned int n, unsigned int v)
{
	return v < n ? names[v] : "?";
}

/*
 * The BPF program reads the event at fixed offsets: check them against
 * this kernel's format of the tracepoint before loading it.
 */
static int check_format(void)
{
	static const struct {
		const char *field;
		int offset, size;
	} want[] = {
		{ "char dev[16];", 8, 16 },
		{ "u8 from;", 28, 1 },
		{ "u8 to;", 29, 1 },
		{ "u8 reason;", 30, 1 },
		{ "u64 usecs;", 32, 8 },
	};
	char line[256];
	unsigned int i, found = 0;
	FILE *f = fopen(FORMAT, "r");

	if (!f) {
		fprintf(stderr, "duotrace: %s: %s (duonet loaded? tracefs mounted at %s?)\n",
			FORMAT, strerror(errno), TRACEFS);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
			char expect[128];

			snprintf(expect, sizeof(expect), "field:%s\toffset:%d;\tsize:%d;",
				 want[i].field, want[i].offset, want[i].size);
			if (strstr(line, expect))
				found |= 1u << i;
		}
	}
	fclose(f);
	if (found != (1u << (sizeof(want) / sizeof(want[0]))) - 1) {
		fprintf(stderr, "duotrace: %s does not have the layout this duotrace reads\n",
			FORMAT);
		return -1;
	}
	return 0;
}

static int on_switch(void *ctx, void *data, size_t len)
{
	const struct duotrace_switch *e = data;
	char dev[DUOTRACE_IFNAMSIZ + 1] = "";

	(void)ctx;
	if (len < sizeof(*e))
		return 0;
	memcpy(dev, e->dev, DUOTRACE_IFNAMSIZ);
	if (only_dev && strcmp(dev, only_dev))
		return 0;
	stamp();
	printf("%s %s -> %s reason %s %llu us\n", dev,
	       name_of(paths, 3, e->from), name_of(paths, 3, e->to),
	       name_of(reasons, sizeof(reasons) / sizeof(reasons[0]), e->reason),
	       (unsigned long long)e->usecs);
	fflush(stdout);
	if (switches_left > 0 && --switches_left == 0)
		stop = 1;
	return 0;
}

/* --rate: the upper's per-path packet counters from ethtool -S. */
enum { VF_TX, VF_RX, PV_TX, PV_RX, NCOUNT };
static const char *const count_names[NCOUNT] = {
	"vf_tx_packets", "vf_rx_packets", "pv_tx_packets", "pv_rx_packets",
};

struct upper {
	char name[IFNAMSIZ];
	int index[NCOUNT];		/* in the ethtool -S array */
	unsigned int n_stats;
	unsigned long long last[NCOUNT];
	bool seen;
};

static struct upper uppers[MAX_UPPERS];
static int n_uppers;

static int ethtool_ioctl(int fd, const char *dev, void *cmd)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, dev, strnlen(dev, IFNAMSIZ - 1));
	ifr.ifr_data = cmd;
	return ioctl(fd, SIOCETHTOOL, &ifr);
}

/* Learn the duonet uppers and where their counters are. */
static void find_uppers(int fd)
{
	struct if_nameindex *ifs = if_nameindex(), *i;

	n_uppers = 0;
	for (i = ifs; i && i->if_index && n_uppers < MAX_UPPERS; i++) {
		struct ethtool_drvinfo drv = { .cmd = ETHTOOL_GDRVINFO };
		struct ethtool_gstrings *gs;
		struct upper *u = &uppers[n_uppers];
		unsigned int s, c;

		if (only_dev && strcmp(i->if_name, only_dev))
			continue;
		if (ethtool_ioctl(fd, i->if_name, &drv) || strcmp(drv.driver, "duonet"))
			continue;
		gs = calloc(1, sizeof(*gs) + drv.n_stats * ETH_GSTRING_LEN);
		if (!gs)
			break;
		gs->cmd = ETHTOOL_GSTRINGS;
		gs->string_set = ETH_SS_STATS;
		gs->len = drv.n_stats;
		if (ethtool_ioctl(fd, i->if_name, gs)) {
			free(gs);
			continue;
		}
		memset(u, 0, sizeof(*u));
		snprintf(u->name, sizeof(u->name), "%s", i->if_name);
		u->n_stats = gs->len;
		for (c = 0; c < NCOUNT; c++) {
			u->index[c] = -1;
			for (s = 0; s < gs->len; s++)
				if (!strncmp((char *)gs->data + s * ETH_GSTRING_LEN, count_names[c],
					     ETH_GSTRING_LEN))
					u->index[c] = s;
		}
		free(gs);
		n_uppers++;
	}
	if (ifs)
		if_freenameindex(ifs);
}

static void print_rates(int fd, double secs)
{
	int i, c;

	for (i = 0; i < n_uppers; i++) {
		struct upper *u = &uppers[i];
		struct ethtool_stats *st;
		unsigned long long now[NCOUNT], rate[NCOUNT];

		st = calloc(1, sizeof(*st) + u->n_stats * sizeof(__u64));
		if (!st)
			return;
		st->cmd = ETHTOOL_GSTATS;
		st->n_stats = u->n_stats;
		if (ethtool_ioctl(fd, u->name, st)) {
			free(st);
			continue;
		}
		for (c = 0; c < NCOUNT; c++) {
			now[c] = u->index[c] < 0 ? 0 : st->data[u->index[c]];
			rate[c] = u->seen && now[c] >= u->last[c] ?
				  (unsigned long long)((now[c] - u->last[c]) / secs + 0.5) : 0;
			u->last[c] = now[c];
		}
		free(st);
		if (u->seen) {
			stamp();
			printf("%s rate vf tx %llu rx %llu pv tx %llu rx %llu pps\n", u->name,
			       rate[VF_TX], rate[VF_RX], rate[PV_TX], rate[PV_RX]);
		}
		u->seen = true;
	}
	fflush(stdout);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long parse_long(const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || !*s || v < min || v > max) {
		fprintf(stderr, "duotrace: '%s' is not a number from %ld to %ld\n", s, min, max);
		usage();
	}
	return v;
}

int main(int argc, char **argv)
{
	struct duotrace_bpf *skel;
	struct ring_buffer *rb = NULL;
	double start, last_rate;
	bool rate = false;
	long duration = 0;
	int i, err, fd = -1;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--rate"))
			rate = true;
		else if (!strcmp(argv[i], "--count") && i + 1 < argc)
			switches_left = parse_long(argv[++i], 1, 1000000);
		else if (!strcmp(argv[i], "--duration") && i + 1 < argc)
			duration = parse_long(argv[++i], 1, 86400);
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			usage();
		else if (argv[i][0] == '-' || only_dev)
			usage();
		else
			only_dev = argv[i];
	}
	if (only_dev && !if_nametoindex(only_dev)) {
		fprintf(stderr, "duotrace: no interface %s\n", only_dev);
		return 1;
	}
	if (check_format())
		return 1;
	skel = duotrace_bpf__open_and_load();
	if (!skel) {
		fprintf(stderr, "duotrace: loading the BPF program: %s\n", strerror(errno));
		return 1;
	}
	err = duotrace_bpf__attach(skel);
	if (!err) {
		rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_switch, NULL, NULL);
		if (!rb)
			err = -errno;
	}
	if (err) {
		fprintf(stderr, "duotrace: attaching to duonet:duonet_path_switch: %s\n",
			strerror(-err));
		goto out;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (rate) {
		fd = socket(AF_INET, SOCK_DGRAM, 0);
		if (fd < 0) {
			perror("duotrace: socket");
			err = -errno;
			goto out;
		}
		find_uppers(fd);
		print_rates(fd, 1);
	}
	fprintf(stderr, "duotrace: tracing duonet path switches%s\n",
		rate ? " and rates" : "");
	start = last_rate = now_s();
	while (!stop) {
		err = ring_buffer__poll(rb, 100);
		if (err < 0 && err != -EINTR) {
			fprintf(stderr, "duotrace: ring buffer: %s\n", strerror(-err));
			break;
		}
		err = 0;
		if (rate && now_s() - last_rate >= 1) {
			print_rates(fd, now_s() - last_rate);
			last_rate = now_s();
		}
		if (duration && now_s() - start >= duration)
			break;
	}
out:
	if (fd >= 0)
		close(fd);
	ring_buffer__free(rb);
	duotrace_bpf__destroy(skel);
	return err ? 1 : 0;
}
