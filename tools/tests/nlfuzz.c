// SPDX-License-Identifier: GPL-2.0
/*
 * nlfuzz - a bounded rtnetlink fuzzer for duonet's IFLA_INFO_DATA.
 *
 *   nlfuzz DEV [--count N] [--seed S] [--create]
 *
 * Sends N RTM_NEWLINK requests changing DEV (kind duonet) with random and
 * malformed IFLA_INFO_DATA: random attribute types (known, unknown, past
 * the maximum, nested), lengths (0 to 16, and attribute headers that claim
 * more than the message holds), values (random, and the ranges' edges).
 * With --create, one request in eight creates a new duonet upper instead
 * (deleted again if the kernel made it). Every request must get exactly
 * one answer, an ACK or an error; a request whose attributes are
 * malformed (a length the policy cannot take) must be refused; a refused
 * request must leave DEV's settings and lowers as they were. Prints one
 * line per distinct refusal (errno and extack message, with a count) and
 * a summary:
 *   nlfuzz: sent=N acked=N refused=N refused_with_message=N unanswered=0
 *           malformed_accepted=0 refused_but_changed=0
 * Exit status: 0 every request answered as it should, 1 not, 2 usage.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../../core/uapi.h"

#define MAX_KINDS 64

static struct {
	int err;
	char msg[160];
	unsigned long count;
} kinds[MAX_KINDS];
static int nkinds;
static uint64_t rng;

static uint32_t rnd(void)
{
	/* xorshift64*: the same sequence for the same --seed. */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 2685821657736338717ULL) >> 32);
}

static void usage(void)
{
	fputs("usage: nlfuzz DEV [--count N] [--seed S] [--create]\n", stderr);
	exit(2);
}

/* Values at the edges of duonet's ranges (core/netlink.c), and a few. */
static uint32_t value(void)
{
	static const uint32_t edge[] = {
		0, 1, 2, 3, 16, 17, 100, 101, 10000, 10001, 600000, 600001,
		3600000, 3600001, 100000000, 100000001, 0x300, 0x1, 0x5,
		0x80000001, 0xffffffff, 0x7fffffff,
	};

	if (rnd() % 2)
		return edge[rnd() % (sizeof(edge) / sizeof(edge[0]))];
	return rnd();
}

/*
 * One random attribute into buf; returns its size. *malformed is set when
 * the policy must refuse it: a known attribute with a length its type
 * cannot have.
 */
/*
 * A well-formed list of 0-3 reachability targets (nested, each of its
 * family's length) whose addresses are random or the lab's peer: some
 * valid, some refused (multicast, zero). Random bytes alone would
 * almost never make one, and the lists would go untried.
 */
static size_t target_list(char *buf, size_t room, uint16_t type)
{
	struct nlattr *nest = (struct nlattr *)buf, *t;
	size_t alen = type == IFLA_DUONET_REACH_IP4 ? 4 : 16, len = NLA_HDRLEN;
	unsigned int i, n = rnd() % 4;
	unsigned char *p;

	if (room < NLA_HDRLEN + n * (NLA_HDRLEN + 16))
		return 0;
	for (i = 0; i < n; i++) {
		t = (struct nlattr *)(buf + len);
		t->nla_type = IFLA_DUONET_REACH_TARGET;
		t->nla_len = NLA_HDRLEN + alen;
		p = (unsigned char *)t + NLA_HDRLEN;
		for (size_t j = 0; j < alen; j++)
			p[j] = rnd();
		if (rnd() % 2 && alen == 4)
			memcpy(p, "\x0a\x63\x00\x01", 4);	/* 10.99.0.1 */
		len += NLA_ALIGN(t->nla_len);
	}
	nest->nla_type = type | NLA_F_NESTED;
	nest->nla_len = len;
	return len;
}

/* The length of a known attribute's type: 1 for the two flags, else 4. */
static size_t flag_len(uint16_t type)
{
	return type == IFLA_DUONET_PV_ONLY || type == IFLA_DUONET_ADAPTIVE ? 1 : 4;
}

static size_t random_attr(char *buf, size_t room, bool *malformed)
{
	struct nlattr *a = (struct nlattr *)buf;
	uint16_t type = rnd() % (IFLA_DUONET_MAX + 4);
	size_t len;
	uint32_t v;
	bool known = type > IFLA_DUONET_UNSPEC && type <= IFLA_DUONET_MAX &&
		     type != IFLA_DUONET_PAD;

	if ((type == IFLA_DUONET_REACH_IP4 || type == IFLA_DUONET_REACH_IP6) &&
	    rnd() % 2)
		return target_list(buf, room, type);
	switch (rnd() % 6) {
	case 0:		/* random length and bytes */
		len = rnd() % 17;
		break;
	case 1:		/* a u8 */
		len = 1;
		break;
	case 2:		/* nested garbage */
		type |= NLA_F_NESTED;
		len = rnd() % 17;
		break;
	default:	/* a u32: the settings' type */
		len = 4;
		break;
	}
	if (room < NLA_HDRLEN + NLA_ALIGN(len))
		return 0;
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	for (size_t i = 0; i < len; i++)
		buf[NLA_HDRLEN + i] = rnd();
	if (len == 4) {
		v = value();
		memcpy(buf + NLA_HDRLEN, &v, 4);
	} else if (len == 1) {
		/* A flag's values and the first out of range, or the last. */
		static const uint8_t u8s[] = { 0, 1, 2, 255 };

		buf[NLA_HDRLEN] = u8s[rnd() % 4];
	}
	/*
	 * duonet's policy is strict for all its attributes: a known one with
	 * a length other than its type's (the flags pv-only and adaptive u8,
	 * the rest u32 or read-only) or a nested flag must be refused; so
	 * must the padding attribute. Unknown types and
	 * a trailing attribute that claims too much are the core's liberal
	 * parsing's (ignored, with a rate-limited log line).
	 */
	if (type == IFLA_DUONET_REACH_IP4 || type == IFLA_DUONET_REACH_IP6 ||
	    type == (IFLA_DUONET_REACH_IP4 | NLA_F_NESTED) ||
	    type == (IFLA_DUONET_REACH_IP6 | NLA_F_NESTED)) {
		/*
		 * The target lists: nested, and strict policy wants the flag.
		 * With it, what is inside may be a valid list (an empty one
		 * is), so the kernel may take it.
		 */
		if (!(type & NLA_F_NESTED))
			*malformed = true;
	} else if ((known && (len != flag_len(type) || (type & NLA_F_NESTED))) ||
		   (type & ~NLA_F_NESTED) == IFLA_DUONET_PAD) {
		*malformed = true;
	}
	return NLA_HDRLEN + NLA_ALIGN(len);
}

static void record(int err, const char *msg)
{
	int i;

	for (i = 0; i < nkinds; i++)
		if (kinds[i].err == err && !strcmp(kinds[i].msg, msg))
			break;
	if (i == nkinds) {
		if (nkinds == MAX_KINDS)
			return;
		nkinds++;
		kinds[i].err = err;
		snprintf(kinds[i].msg, sizeof(kinds[i].msg), "%s", msg);
	}
	kinds[i].count++;
}

/* The answer to seq: 0 ACK, -errno refused (msg: extack), 1 no answer. */
static int answer(struct mnl_socket *nl, unsigned int seq, char *msg, size_t size)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	int ret;

	msg[0] = 0;
	for (;;) {
		struct nlmsghdr *h;

		ret = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (ret <= 0)
			return 1;
		for (h = (struct nlmsghdr *)buf; mnl_nlmsg_ok(h, ret);
		     h = mnl_nlmsg_next(h, &ret)) {
			struct nlmsgerr *e = mnl_nlmsg_get_payload(h);
			const struct nlattr *a;

			if (h->nlmsg_seq != seq || h->nlmsg_type != NLMSG_ERROR)
				continue;
			if (!e->error)
				return 0;
			if (h->nlmsg_flags & NLM_F_ACK_TLVS)
				mnl_attr_for_each(a, h, sizeof(*e) +
						  (h->nlmsg_flags & NLM_F_CAPPED ? 0 :
						   e->msg.nlmsg_len - sizeof(e->msg)))
					if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG)
						snprintf(msg, size, "%s", mnl_attr_get_str(a));
			return e->error;
		}
	}
}

/* DEV's duonet attributes (settings, lowers) as one comparable record. */
struct snapshot {
	uint64_t val[IFLA_DUONET_MAX + 1];
};

/* Read-only counters and state change by themselves: not compared. */
static bool compared(int t)
{
	return t != IFLA_DUONET_ACTIVE_PATH &&
	       t != IFLA_DUONET_SWITCHES_TO_VF && t != IFLA_DUONET_SWITCHES_TO_PV &&
	       t != IFLA_DUONET_LAST_SWITCH_USECS && t != IFLA_DUONET_PAD &&
	       t != IFLA_DUONET_VF_REACHABLE;
}

static uint64_t fnv1a(const void *p, size_t len)
{
	const unsigned char *b = p;
	uint64_t h = 0xcbf29ce484222325ULL;

	while (len--)
		h = (h ^ *b++) * 0x100000001b3ULL;
	return h;
}

static int snap_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct snapshot *sn = arg;
	const struct nlattr *a, *b, *c;

	mnl_attr_for_each(a, nlh, sizeof(struct ifinfomsg)) {
		if (mnl_attr_get_type(a) != IFLA_LINKINFO)
			continue;
		mnl_attr_for_each_nested(b, a) {
			if (mnl_attr_get_type(b) != IFLA_INFO_DATA)
				continue;
			mnl_attr_for_each_nested(c, b) {
				int t = mnl_attr_get_type(c);

				if (t > IFLA_DUONET_MAX || !compared(t))
					continue;
				/* The target lists: compared as their bytes' hash. */
				if (t == IFLA_DUONET_REACH_IP4 || t == IFLA_DUONET_REACH_IP6) {
					sn->val[t] = fnv1a(mnl_attr_get_payload(c),
							   mnl_attr_get_payload_len(c));
					continue;
				}
				if (mnl_attr_get_payload_len(c) == 1)
					sn->val[t] = mnl_attr_get_u8(c);
				else if (mnl_attr_get_payload_len(c) == 4)
					sn->val[t] = mnl_attr_get_u32(c);
			}
		}
	}
	return MNL_CB_OK;
}

static int snapshot(struct mnl_socket *nl, unsigned int ifindex, struct snapshot *sn)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;
	int ret;

	memset(sn, 0, sizeof(*sn));
	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = 0x7fffffff;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_index = ifindex;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	ret = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (ret <= 0)
		return -1;
	return mnl_cb_run(buf, ret, 0x7fffffff, 0, snap_cb, sn) < 0 ? -1 : 0;
}

static void delete_link(struct mnl_socket *nl, const char *name)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], msg[160];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;
	unsigned int ifindex = if_nametoindex(name);

	if (!ifindex)
		return;
	nlh->nlmsg_type = RTM_DELLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = rnd();
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_index = ifindex;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) >= 0)
		answer(nl, nlh->nlmsg_seq, msg, sizeof(msg));
}

int main(int argc, char **argv)
{
	unsigned long count = 1000, sent = 0, acked = 0, refused = 0, with_msg = 0;
	unsigned long bad_accept = 0, unanswered = 0, changed = 0, i;
	struct snapshot before, after;
	struct timeval tv = { .tv_sec = 5 };
	bool create = false;
	struct mnl_socket *nl;
	const char *dev;
	unsigned int ifindex;
	int one = 1, k;

	if (argc < 2 || argv[1][0] == '-')
		usage();
	dev = argv[1];
	rng = 0x9e3779b97f4a7c15ULL;
	for (k = 2; k < argc; k++) {
		if (!strcmp(argv[k], "--create"))
			create = true;
		else if (k + 1 < argc && !strcmp(argv[k], "--count"))
			count = strtoul(argv[++k], NULL, 10);
		else if (k + 1 < argc && !strcmp(argv[k], "--seed"))
			rng ^= strtoull(argv[++k], NULL, 0) * 0x2545f4914f6cdd1dULL;
		else
			usage();
	}
	if (!count || !rng)
		usage();
	ifindex = if_nametoindex(dev);
	if (!ifindex) {
		fprintf(stderr, "nlfuzz: no interface %s\n", dev);
		return 1;
	}
	nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("nlfuzz: netlink socket");
		return 1;
	}
	mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));

	for (i = 0; i < count; i++) {
		char buf[MNL_SOCKET_BUFFER_SIZE], msg[160];
		struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
		struct nlattr *info, *data;
		struct ifinfomsg *ifi;
		bool new = create && rnd() % 8 == 0, malformed = false;
		int nattr = rnd() % 6, ret;
		char name[IFNAMSIZ];

		nlh->nlmsg_type = RTM_NEWLINK;
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
		nlh->nlmsg_seq = (unsigned int)i + 1;
		ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
		if (new) {
			snprintf(name, sizeof(name), "duofz%lu", i % 1000);
			nlh->nlmsg_flags |= NLM_F_CREATE | NLM_F_EXCL;
			mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
		} else {
			ifi->ifi_index = ifindex;
		}
		info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
		mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "duonet");
		data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
		while (nattr--) {
			size_t n = random_attr((char *)mnl_nlmsg_get_payload_tail(nlh),
					       sizeof(buf) - nlh->nlmsg_len, &malformed);

			nlh->nlmsg_len += n;
		}
		/* Sometimes a last attribute whose header claims too much. */
		if (rnd() % 10 == 0) {
			struct nlattr *a = mnl_nlmsg_get_payload_tail(nlh);

			a->nla_type = 1 + rnd() % IFLA_DUONET_MAX;
			a->nla_len = NLA_HDRLEN + 4 + 4 * (1 + rnd() % 8);
			memset(a + 1, 0, 4);
			nlh->nlmsg_len += NLA_HDRLEN + 4;
		}
		mnl_attr_nest_end(nlh, data);
		mnl_attr_nest_end(nlh, info);

		if (!new && snapshot(nl, ifindex, &before)) {
			fprintf(stderr, "nlfuzz: cannot read %s\n", dev);
			return 1;
		}
		if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
			perror("nlfuzz: send");
			return 1;
		}
		sent++;
		ret = answer(nl, nlh->nlmsg_seq, msg, sizeof(msg));
		if (ret == 1) {
			unanswered++;
			fprintf(stderr, "nlfuzz: request %lu not answered\n", i + 1);
			continue;
		}
		if (!ret) {
			acked++;
			if (malformed) {
				bad_accept++;
				fprintf(stderr, "nlfuzz: request %lu malformed but accepted\n", i + 1);
			}
			if (new)
				delete_link(nl, name);
			continue;
		}
		refused++;
		with_msg += msg[0] != 0;
		record(ret, msg);
		/* A refused request changes nothing. */
		if (!new && !snapshot(nl, ifindex, &after) &&
		    memcmp(&before, &after, sizeof(before))) {
			changed++;
			for (k = 0; k <= IFLA_DUONET_MAX; k++)
				if (before.val[k] != after.val[k])
					fprintf(stderr, "nlfuzz: request %lu refused (%s) but attribute %d went from %llu to %llu\n",
						i + 1, msg, k, (unsigned long long)before.val[k],
						(unsigned long long)after.val[k]);
		}
	}
	mnl_socket_close(nl);

	for (k = 0; k < nkinds; k++)
		printf("nlfuzz: refused %lu times: %s (%s)\n", kinds[k].count,
		       strerror(-kinds[k].err), kinds[k].msg[0] ? kinds[k].msg : "no message");
	printf("nlfuzz: sent=%lu acked=%lu refused=%lu refused_with_message=%lu unanswered=%lu malformed_accepted=%lu refused_but_changed=%lu\n",
	       sent, acked, refused, with_msg, unanswered, bad_accept, changed);
	return unanswered || bad_accept || changed ? 1 : 0;
}
