// SPDX-License-Identifier: GPL-2.0
/*
 * tstamp - hardware timestamping through an interface, for the lab.
 *
 *   tstamp get DEV
 *   tstamp set DEV TX_TYPE RX_FILTER [--no-phc-flag]
 *   tstamp tx DEV DST_IP PORT COUNT
 *
 * get/set: SIOCGHWTSTAMP/SIOCSHWTSTAMP (hwstamp_ctl's work), printing the
 * configuration the kernel answered: "flags=F tx_type=T rx_filter=R". A set
 * carries HWTSTAMP_FLAG_BONDED_PHC_INDEX unless --no-phc-flag.
 * tx: send COUNT UDP datagrams to DST_IP:PORT through DEV asking for
 * hardware transmit stamps, read them from the error queue, and print
 * "sent=N hw=N".
 * Exit status: 0 done, 1 a call failed (the errno printed), 2 usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/errqueue.h>
#include <linux/net_tstamp.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int print_usage(void)
{
	fprintf(stderr,
		"usage: tstamp get DEV\n"
		"       tstamp set DEV TX_TYPE RX_FILTER [--no-phc-flag]\n"
		"       tstamp tx DEV DST_IP PORT COUNT\n");
	return 2;
}

static int num(const char *s, long lo, long hi, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	return errno || end == s || *end || *out < lo || *out > hi ? -1 : 0;
}

static int hwtstamp(const char *dev, unsigned long cmd, struct hwtstamp_config *cfg)
{
	struct ifreq ifr;
	int fd, err;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
	ifr.ifr_data = (void *)cfg;
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return -1;
	err = ioctl(fd, cmd, &ifr);
	close(fd);
	return err;
}

static int udp_socket(const char *dev, unsigned int flags)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, dev, strlen(dev) + 1) ||
	    setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, &flags, sizeof(flags))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Count the hardware stamps of one message (ts[2], the raw one). */
static void count_stamps(struct msghdr *m, long *hw)
{
	struct cmsghdr *c;

	for (c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
		struct scm_timestamping ts;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SO_TIMESTAMPING)
			continue;
		memcpy(&ts, CMSG_DATA(c), sizeof(ts));
		if (ts.ts[2].tv_sec || ts.ts[2].tv_nsec)
			(*hw)++;
	}
}

static int do_tx(const char *dev, const char *dst, long port, long count)
{
	unsigned int flags = SOF_TIMESTAMPING_TX_HARDWARE | SOF_TIMESTAMPING_RAW_HARDWARE |
			     SOF_TIMESTAMPING_OPT_TSONLY;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	long sent = 0, hw = 0, i;
	int fd = udp_socket(dev, flags);

	if (fd < 0 || inet_pton(AF_INET, dst, &sa.sin_addr) != 1) {
		perror("tstamp: tx socket");
		return 1;
	}
	for (i = 0; i < count; i++) {
		struct timespec gap = { 0, 20 * 1000 * 1000 };

		if (sendto(fd, "tstamp", 6, 0, (struct sockaddr *)&sa, sizeof(sa)) != 6) {
			perror("tstamp: sendto");
			break;
		}
		sent++;
		/* Its stamp, a message on the error queue, or none in 500 ms. */
		for (;;) {
			char ctl[512];
			struct msghdr m = { .msg_control = ctl, .msg_controllen = sizeof(ctl) };
			struct pollfd p = { .fd = fd, .events = POLLERR };
			long h = hw;

			if (poll(&p, 1, 500) <= 0 || recvmsg(fd, &m, MSG_ERRQUEUE) < 0)
				break;
			count_stamps(&m, &hw);
			if (hw > h)
				break;
		}
		nanosleep(&gap, NULL);
	}
	close(fd);
	printf("sent=%ld hw=%ld\n", sent, hw);
	return 0;
}

int main(int argc, char **argv)
{
	struct hwtstamp_config cfg;
	long a, b;

	if (argc < 3)
		return print_usage();
	memset(&cfg, 0, sizeof(cfg));
	if (!strcmp(argv[1], "get") && argc == 3) {
		if (hwtstamp(argv[2], SIOCGHWTSTAMP, &cfg)) {
			fprintf(stderr, "tstamp: SIOCGHWTSTAMP %s: %s\n", argv[2], strerror(errno));
			return 1;
		}
	} else if (!strcmp(argv[1], "set") && (argc == 5 || argc == 6)) {
		if (num(argv[3], 0, 255, &a) || num(argv[4], 0, 255, &b) ||
		    (argc == 6 && strcmp(argv[5], "--no-phc-flag")))
			return print_usage();
		cfg.flags = argc == 6 ? 0 : HWTSTAMP_FLAG_BONDED_PHC_INDEX;
		cfg.tx_type = a;
		cfg.rx_filter = b;
		if (hwtstamp(argv[2], SIOCSHWTSTAMP, &cfg)) {
			fprintf(stderr, "tstamp: SIOCSHWTSTAMP %s: %s\n", argv[2], strerror(errno));
			return 1;
		}
	} else if (!strcmp(argv[1], "tx") && argc == 6) {
		if (num(argv[4], 1, 65535, &a) || num(argv[5], 1, 1000000, &b))
			return print_usage();
		return do_tx(argv[2], argv[3], a, b);
	} else {
		return print_usage();
	}
	printf("flags=%d tx_type=%d rx_filter=%d\n", cfg.flags, cfg.tx_type, cfg.rx_filter);
	return 0;
}
