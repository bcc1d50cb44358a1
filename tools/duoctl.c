// SPDX-License-Identifier: GPL-2.0
/*
 * duoctl - show and tune duonet interfaces over rtnetlink.
 *
 *   duoctl show [--json] [DEV]     every duonet upper (or DEV): lowers, roles,
 *                                  active path, settings, switch counters
 *   duoctl set DEV KEY VALUE [KEY VALUE]...
 *                                  change settings in one request; the kernel
 *                                  checks them and its message is printed
 *                                  when it refuses (ip link set DEV type
 *                                  duonet KEY VALUE ..., which ip refuses)
 *   duoctl add NAME [KEY VALUE]... a new upper (ip link add NAME type duonet)
 *   duoctl pair UPPER DEV [--role vf|pv]
 *                                  make DEV a lower of UPPER, in the role
 *                                  given (a role override) or its own
 *   duoctl unpair UPPER DEV        release DEV from UPPER
 *   duoctl wait DEV --path vf|pv [--timeout S]
 *                                  block until TX runs on that path
 *   duoctl monitor [--json] [DEV]  a line per path switch, from the
 *                                  kernel's RTM_NEWLINK events
 *   duoctl get DEV FIELD           one field of show --json, as text, for
 *                                  scripts without a JSON parser
 *
 * duoctl --help prints the manual.
 *
 * Exit status: 0 ok, 1 the kernel refused or DEV is not a duonet upper,
 * 2 usage error, 3 wait timed out.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../core/uapi.h"

#define DUOCTL_MAX_LINKS 256

static const char *const usage_text =
"usage: duoctl show [--json] [DEV]\n"
"       duoctl set DEV KEY VALUE [KEY VALUE]...\n"
"       duoctl add NAME [KEY VALUE]...\n"
"       duoctl pair UPPER DEV [--role vf|pv]\n"
"       duoctl unpair UPPER DEV\n"
"       duoctl wait DEV --path vf|pv [--timeout SECONDS]\n"
"       duoctl monitor [--json] [DEV]\n"
"       duoctl get DEV FIELD\n"
"       duoctl --help\n";

static const char *const manual_text =
"NAME\n"
"    duoctl - show and control duonet interfaces\n"
"\n"
"SYNOPSIS\n"
"    duoctl show [--json] [DEV]\n"
"    duoctl set DEV KEY VALUE [KEY VALUE]...\n"
"    duoctl add NAME [KEY VALUE]...\n"
"    duoctl pair UPPER DEV [--role vf|pv]\n"
"    duoctl unpair UPPER DEV\n"
"    duoctl wait DEV --path vf|pv [--timeout SECONDS]\n"
"    duoctl monitor [--json] [DEV]\n"
"    duoctl get DEV FIELD\n"
"\n"
"DESCRIPTION\n"
"    duonet bonds a passthrough VF and a paravirtual NIC into one upper\n"
"    interface. duoctl reads and changes it over rtnetlink (the upper's\n"
"    IFLA_INFO_DATA); the kernel checks every value and duoctl prints its\n"
"    message when it refuses one. Changes need CAP_NET_ADMIN.\n"
"\n"
"COMMANDS\n"
"    show [--json] [DEV]\n"
"        Every duonet upper (or DEV): active path, pv-only, switch counts,\n"
"        lowers with their roles, settings. --json prints an array of\n"
"        objects: ifname, ifindex, active_path (\"vf\", \"pv\", \"none\"),\n"
"        pv_only, adaptive, policy (\"pv-only\", \"adaptive\", \"vf-first\"),\n"
"        switches_to_vf, switches_to_pv, last_switch_usecs,\n"
"        settings {KEY: number}, reach_targets [address], vf_reachable,\n"
"        lowers [{ifname, role, active}]. JSON keys are spelled with\n"
"        underscores (announce_count for the key announce-count, as the\n"
"        module parameters are); names are escaped.\n"
"    set DEV KEY VALUE [KEY VALUE]...\n"
"        Change settings of the upper DEV (see KEYS, each once), in one request:\n"
"        a refused value changes no setting (the lowers vf and pv are\n"
"        paired one after the other: the first stays if the second is\n"
"        refused). The spelling of iproute2's\n"
"        ip link set DEV type duonet KEY VALUE ..., which ip refuses (it\n"
"        knows no duonet option; duonet(4) says why).\n"
"    add NAME [KEY VALUE]...\n"
"        Create the upper NAME with those settings (ip link add NAME type\n"
"        duonet KEY VALUE ...); its lowers are added with pair, or with\n"
"        the keys vf and pv.\n"
"    pair UPPER DEV [--role vf|pv]\n"
"        Make DEV a lower of UPPER. Without --role the kernel tells the\n"
"        role from the device (a PCI NIC is the VF; virtio_net and vmxnet3\n"
"        are the PV). --role forces it, for a device the kernel would not\n"
"        recognise or would place in the other role; a lower of UPPER in\n"
"        the other role moves.\n"
"    unpair UPPER DEV\n"
"        Release the lower DEV of UPPER (TX moves off it first).\n"
"    wait DEV --path vf|pv [--timeout SECONDS]\n"
"        Return once TX runs on that path (default timeout 30 s). Blocks\n"
"        on the kernel's link events, no polling.\n"
"    monitor [--json] [DEV]\n"
"        Print a line per path switch of every duonet upper (or DEV)\n"
"        until interrupted: the kernel sends an RTM_NEWLINK with the\n"
"        upper's IFLA_INFO_DATA on each switch (ip monitor link shows it,\n"
"        labelled \"BONDING OPTION\", the kernel's event for a change of\n"
"        a master's data). Text: \"DEV: FROM -> TO, switches to vf N, to\n"
"        pv N, last switch N us\" (\", N switches\" when events were\n"
"        lost or merged); --json: one object per line: ifname, ifindex,\n"
"        from, to, switches (since the last line, normally 1),\n"
"        switches_to_vf, switches_to_pv, last_switch_usecs.\n"
"    get DEV FIELD\n"
"        One field of DEV as show --json has it, printed as text on one\n"
"        line, for scripts without a JSON parser: a top-level value\n"
"        (active_path, policy, pv_only, ...; true or false for the\n"
"        flags), a setting (announce_count or announce-count),\n"
"        reach_targets (A,B or none), or vf or pv: the name of the lower\n"
"        in that role (an empty line if there is none).\n"
"\n"
"KEYS (milliseconds where named so; numbers in decimal or 0x hex)\n"
"    announce-count        peer announcements after a path switch (0-100)\n"
"    announce-interval-ms  time between them (1-10000)\n"
"    failback-delay-ms     a returning VF must be usable this long (0-600000)\n"
"    damp-flaps            VF losses within damp-window-ms that hold failback\n"
"                          off for damp-hold-ms (0 turns damping off; 0-16)\n"
"    damp-window-ms        (1-3600000)\n"
"    damp-hold-ms          (0-3600000)\n"
"    hint-mask             bits of skb->mark that carry a per-packet path\n"
"                          hint (1 VF, 2 PV, shifted down), set by a tc/BPF\n"
"                          program (bpf/steer); 0 (default) reads none;\n"
"                          else at least 2 contiguous bits, e.g. 0x300\n"
"    adaptive-low-pps      the adaptive policy (the key adaptive) puts TX\n"
"                          on the PV once the packet rate (TX + RX) falls\n"
"                          to this (0-100000000) ...\n"
"    adaptive-high-pps     ... and on the VF once it reaches this (1-100000000,\n"
"                          above the low mark); in between nothing changes\n"
"    adaptive-dwell-ms     at least this long between two of its switches\n"
"                          (0-3600000)\n"
"    reach-interval-ms     the VF reachability check: every this long, ask\n"
"                          the targets (ARP, IPv6 neighbour solicitation)\n"
"                          through the VF; TX stays off a VF that has not\n"
"                          answered since its link came (0 off, 10-60000)\n"
"    reach-missed          intervals without an answer that take TX from\n"
"                          the VF (1-255, default 2)\n"
"    reach-targets         A[,A...] IPv4 and IPv6 unicast addresses, up to\n"
"                          16 of each family, or none\n"
"    pv-only               on: TX on the PV whatever the VF does (a PV\n"
"                          lower is needed); off: the policy below decides\n"
"    adaptive              on: the adaptive policy (adaptive-*-pps); off:\n"
"                          the VF whenever it is usable (vf-first). Both\n"
"                          are also ethtool private flags of DEV\n"
"    vf, pv                the lower in that role: an interface name, or\n"
"                          none to release it (a role override, as pair)\n"
"    A key may also be spelled with underscores (announce_count), as\n"
"    in the JSON and the module parameters.\n"
"\n"
"EXIT STATUS\n"
"    0 done; 1 the kernel refused, or DEV is not a duonet device or does\n"
"    not exist; 2 usage error; 3 wait timed out.\n"
"\n"
"EXAMPLES\n"
"    duoctl show --json duo0\n"
"    duoctl set duo0 failback-delay-ms 2000\n"
"    duoctl add duo1 vf eth2 pv eth3 announce-count 5\n"
"    duoctl set duo0 hint-mask 0x300\n"
"    duoctl set duo0 pv-only on\n"
"    duoctl pair duo0 eth2 --role vf\n"
"    duoctl wait duo0 --path pv --timeout 5\n"
"    duoctl monitor --json duo0\n"
"    vf=$(duoctl get duo0 vf)\n"
"\n"
"SEE ALSO\n"
"    ethtool(8) (ethtool -S duo0, --set-priv-flags duo0 pv-only on),\n"
"    duonet-migrate(8)\n";

/* A word and the IFLA_DUONET_* attribute it stands for. */
struct word_attr {
	const char *key;
	int attr;
};

static const struct word_attr keys[] = {
	{ "announce-count", IFLA_DUONET_ANNOUNCE_COUNT },
	{ "announce-interval-ms", IFLA_DUONET_ANNOUNCE_INTERVAL_MS },
	{ "failback-delay-ms", IFLA_DUONET_FAILBACK_DELAY_MS },
	{ "damp-flaps", IFLA_DUONET_DAMP_FLAPS },
	{ "damp-window-ms", IFLA_DUONET_DAMP_WINDOW_MS },
	{ "damp-hold-ms", IFLA_DUONET_DAMP_HOLD_MS },
	{ "hint-mask", IFLA_DUONET_HINT_MASK },
	{ "adaptive-low-pps", IFLA_DUONET_ADAPTIVE_LOW_PPS },
	{ "adaptive-high-pps", IFLA_DUONET_ADAPTIVE_HIGH_PPS },
	{ "adaptive-dwell-ms", IFLA_DUONET_ADAPTIVE_DWELL_MS },
	{ "reach-interval-ms", IFLA_DUONET_REACH_INTERVAL_MS },
	{ "reach-missed", IFLA_DUONET_REACH_MISSED },
};

/*
 * Keys that are policies, on or off (u8): show has them as pv_only and
 * adaptive at the top level, as ethtool --show-priv-flags does.
 */
static const struct word_attr flag_keys[] = {
	{ "pv-only", IFLA_DUONET_PV_ONLY },
	{ "adaptive", IFLA_DUONET_ADAPTIVE },
};

/* Keys whose value is a lower (an interface name, or none). */
static const struct word_attr role_keys[] = {
	{ "vf", IFLA_DUONET_VF_IFINDEX },
	{ "pv", IFLA_DUONET_PV_IFINDEX },
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

struct link {
	int ifindex;
	int master;
	bool bridge;			/* AF_BRIDGE: a bridge port's message */
	char name[IFNAMSIZ];
	bool upper;			/* kind duonet */
	bool lower;			/* slave kind duonet */
	uint64_t val[IFLA_DUONET_MAX + 1];
	bool has[IFLA_DUONET_MAX + 1];
	int role;			/* lowers */
	bool active;
	/* The reachability targets, as text: "a,b" ("" for none). */
	char targets[IFLA_DUONET_REACH_TARGETS_MAX * 2 * (INET6_ADDRSTRLEN + 1)];
};

static struct link links[DUOCTL_MAX_LINKS];
static int nlinks;

static void usage(void)
{
	fputs(usage_text, stderr);
	exit(2);
}

/* A JSON string: interface names may hold '"' and '\\'. */
static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", (unsigned char)*s);
		else
			putchar(*s);
	}
	putchar('"');
}

static const char *path_name(uint64_t p)
{
	return p == DUO_UAPI_PATH_VF ? "vf" : p == DUO_UAPI_PATH_PV ? "pv" : "none";
}

static uint64_t attr_uint(const struct nlattr *a)
{
	switch (mnl_attr_get_payload_len(a)) {
	case 1:
		return mnl_attr_get_u8(a);
	case 4:
		return mnl_attr_get_u32(a);
	case 8:
		return mnl_attr_get_u64(a);
	}
	return 0;
}

/* The addresses of a REACH_IP4/IP6 nest, appended to l->targets. */
static void parse_targets(struct link *l, const struct nlattr *nest, int family)
{
	char text[INET6_ADDRSTRLEN];
	const struct nlattr *a;
	size_t len;

	mnl_attr_for_each_nested(a, nest) {
		len = mnl_attr_get_payload_len(a);
		if (len != (family == AF_INET ? 4 : 16) ||
		    !inet_ntop(family, mnl_attr_get_payload(a), text, sizeof(text)))
			continue;
		len = strlen(l->targets);
		snprintf(l->targets + len, sizeof(l->targets) - len, "%s%s",
			 len ? "," : "", text);
	}
}

static void parse_data(struct link *l, const struct nlattr *data)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, data) {
		int t = mnl_attr_get_type(a);

		if (t == IFLA_DUONET_REACH_IP4 || t == IFLA_DUONET_REACH_IP6) {
			parse_targets(l, a, t == IFLA_DUONET_REACH_IP4 ? AF_INET : AF_INET6);
			continue;
		}
		if (t > IFLA_DUONET_MAX || t == IFLA_DUONET_PAD)
			continue;
		l->val[t] = attr_uint(a);
		l->has[t] = true;
	}
}

static void parse_slave_data(struct link *l, const struct nlattr *data)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, data) {
		if (mnl_attr_get_type(a) == IFLA_DUONET_LOWER_ROLE)
			l->role = mnl_attr_get_u8(a);
		else if (mnl_attr_get_type(a) == IFLA_DUONET_LOWER_ACTIVE)
			l->active = mnl_attr_get_u8(a);
	}
}

static void parse_linkinfo(struct link *l, const struct nlattr *info)
{
	const struct nlattr *a, *data = NULL, *sdata = NULL;

	mnl_attr_for_each_nested(a, info) {
		switch (mnl_attr_get_type(a)) {
		case IFLA_INFO_KIND:
			l->upper = !strcmp(mnl_attr_get_str(a), "duonet");
			break;
		case IFLA_INFO_SLAVE_KIND:
			l->lower = !strcmp(mnl_attr_get_str(a), "duonet");
			break;
		case IFLA_INFO_DATA:
			data = a;
			break;
		case IFLA_INFO_SLAVE_DATA:
			sdata = a;
			break;
		}
	}
	if (l->upper && data)
		parse_data(l, data);
	if (l->lower && sdata)
		parse_slave_data(l, sdata);
}

/* A link message (RTM_NEWLINK, a dump's or an event) into *l. */
static void parse_link(const struct nlmsghdr *nlh, struct link *l)
{
	struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;

	memset(l, 0, sizeof(*l));
	l->ifindex = ifi->ifi_index;
	/* A bridge's RTM_NEWLINK/DELLINK of its port (family AF_BRIDGE) says
	 * nothing of the link itself: duo0 leaving a bridge is no deletion.
	 */
	l->bridge = ifi->ifi_family != AF_UNSPEC;
	mnl_attr_for_each(a, nlh, sizeof(*ifi)) {
		switch (mnl_attr_get_type(a)) {
		case IFLA_IFNAME:
			snprintf(l->name, sizeof(l->name), "%s", mnl_attr_get_str(a));
			break;
		case IFLA_MASTER:
			l->master = mnl_attr_get_u32(a);
			break;
		case IFLA_LINKINFO:
			parse_linkinfo(l, a);
			break;
		}
	}
}

static int link_cb(const struct nlmsghdr *nlh, void *arg __attribute__((unused)))
{
	struct link *l;

	if (nlinks == DUOCTL_MAX_LINKS)
		return MNL_CB_OK;
	l = &links[nlinks];
	parse_link(nlh, l);
	if (l->upper || l->lower)
		nlinks++;
	return MNL_CB_OK;
}

/*
 * A dump the kernel marked interrupted (NLM_F_DUMP_INTR: the link list
 * changed under it, a VF plugged or gone) may miss or repeat a link.
 * libmnl fails on the mark with EINTR; the marks are taken off here so
 * the rest of the dump is read to its end, and the dump is run again.
 */
#define TALK_AGAIN 1

static bool dump_interrupted(void *buf, int len)
{
	struct nlmsghdr *h = buf;
	bool intr = false;

	for (; mnl_nlmsg_ok(h, len); h = mnl_nlmsg_next(h, &len)) {
		if (h->nlmsg_flags & NLM_F_DUMP_INTR)
			intr = true;
		h->nlmsg_flags &= ~NLM_F_DUMP_INTR;
	}
	return intr;
}

/*
 * The error a dump ended with (its NLMSG_DONE's payload), 0 if none:
 * libmnl takes any NLMSG_DONE for success, and the dump's rest is lost.
 */
static int dump_error(const void *buf, int len)
{
	const struct nlmsghdr *h = buf;
	int err;

	for (; mnl_nlmsg_ok(h, len); h = mnl_nlmsg_next(h, &len)) {
		if (h->nlmsg_type != NLMSG_DONE ||
		    mnl_nlmsg_get_payload_len(h) < sizeof(err))
			continue;
		memcpy(&err, mnl_nlmsg_get_payload(h), sizeof(err));
		return err;
	}
	return 0;
}

/*
 * Receive one datagram whole, however big: a link's RTM_NEWLINK outgrows a
 * page with many altnames or VFs. As iproute2's rtnl_recvmsg(): its size
 * peeked first, the buffer grown to it, and never under 32 KiB. The kernel
 * sizes a dump's next datagram by the largest buffer the reader has
 * offered, peeks included (up to 32 KiB); a link that does not fit an
 * empty one ends RTM_GETLINK's dump there with NLMSG_DONE and no error
 * (rtnl_dumpit(), RTNL_FLAG_DUMP_SPLIT_NLM_DONE): with a page, duoctl lost
 * every link after one of 4.7 KiB. Returns the length, or -1 with errno.
 */
#define NL_RECV_MIN 32768

static ssize_t nl_recv(struct mnl_socket *nl, char **buf, size_t *cap)
{
	int fd = mnl_socket_get_fd(nl);
	ssize_t len;

	if (*cap < NL_RECV_MIN) {
		free(*buf);
		*buf = malloc(NL_RECV_MIN);
		if (!*buf)
			return -1;
		*cap = NL_RECV_MIN;
	}
	do
		len = recv(fd, *buf, *cap, MSG_PEEK | MSG_TRUNC);
	while (len < 0 && errno == EINTR);
	if (len < 0)
		return -1;
	if ((size_t)len > *cap) {
		char *p = realloc(*buf, len);

		if (!p)
			return -1;
		*buf = p;
		*cap = len;
	}
	return mnl_socket_recvfrom(nl, *buf, *cap);
}

/*
 * Send one request; print the kernel's extack message if it refuses.
 * TALK_AGAIN: a dump was interrupted (read to its end): run it again.
 */
static int talk(struct mnl_socket *nl, struct nlmsghdr *nlh, mnl_cb_t cb)
{
	static char *buf;
	static size_t cap;
	unsigned int seq = time(NULL), port = mnl_socket_get_portid(nl);
	bool intr = false;
	int ret;

	nlh->nlmsg_seq = seq;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		perror("duoctl: netlink send");
		return -1;
	}
	while ((ret = nl_recv(nl, &buf, &cap)) > 0) {
		struct nlmsghdr *h = (struct nlmsghdr *)buf;

		if (h->nlmsg_type == NLMSG_ERROR) {
			struct nlmsgerr *e = mnl_nlmsg_get_payload(h);
			const struct nlattr *a;

			if (!e->error)
				return 0;
			if (h->nlmsg_flags & NLM_F_ACK_TLVS)
				mnl_attr_for_each(a, h, sizeof(*e) +
						  (h->nlmsg_flags & NLM_F_CAPPED ? 0 :
						   e->msg.nlmsg_len - sizeof(e->msg)))
					if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG)
						fprintf(stderr, "duoctl: %s\n", mnl_attr_get_str(a));
			fprintf(stderr, "duoctl: %s\n", strerror(-e->error));
			return -1;
		}
		if (dump_interrupted(buf, ret))
			intr = true;
		if (dump_error(buf, ret) < 0) {
			fprintf(stderr, "duoctl: the kernel ended the dump: %s\n",
				strerror(-dump_error(buf, ret)));
			return -1;
		}
		ret = mnl_cb_run(buf, ret, seq, port, cb, NULL);
		if (ret <= MNL_CB_STOP)
			break;
	}
	if (ret < 0) {
		perror("duoctl: netlink");
		return -1;
	}
	return intr ? TALK_AGAIN : 0;
}

static struct mnl_socket *open_nl(void)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
	int one = 1;

	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("duoctl: netlink socket");
		exit(1);
	}
	mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one));
	return nl;
}

/* A link request (RTM_GETLINK, RTM_NEWLINK) about ifindex (0: all). */
static struct nlmsghdr *link_msg(char *buf, int type, int flags, int ifindex)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	return nlh;
}

static int dump_links(struct mnl_socket *nl)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	int tries, ret;

	for (tries = 0; tries < 20; tries++) {
		struct nlmsghdr *nlh = link_msg(buf, RTM_GETLINK, NLM_F_DUMP, 0);

		/* With a filter mask, the kernel sizes every datagram of the
		 * dump for its largest link (rtnl_calcit()), and the counters
		 * duoctl does not read stay out.
		 */
		mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
		nlinks = 0;
		ret = talk(nl, nlh, link_cb);
		if (ret != TALK_AGAIN)
			return ret;
	}
	fprintf(stderr, "duoctl: the interface list kept changing during %d dumps\n", tries);
	return -1;
}

static struct link *find_upper(const char *dev)
{
	int i;

	for (i = 0; i < nlinks; i++)
		if (links[i].upper && !strcmp(links[i].name, dev))
			return &links[i];
	return NULL;
}

/* What decides the path: pv-only over adaptive over vf-first. */
static const char *policy_name(const struct link *u)
{
	if (u->val[IFLA_DUONET_PV_ONLY])
		return "pv-only";
	return u->val[IFLA_DUONET_ADAPTIVE] ? "adaptive" : "vf-first";
}

static void print_text(const struct link *u)
{
	int i;

	printf("%s: active %s, policy %s, switches to vf %llu, to pv %llu, last switch %llu us\n",
	       u->name, path_name(u->val[IFLA_DUONET_ACTIVE_PATH]), policy_name(u),
	       (unsigned long long)u->val[IFLA_DUONET_SWITCHES_TO_VF],
	       (unsigned long long)u->val[IFLA_DUONET_SWITCHES_TO_PV],
	       (unsigned long long)u->val[IFLA_DUONET_LAST_SWITCH_USECS]);
	for (i = 0; i < nlinks; i++)
		if (links[i].lower && links[i].master == u->ifindex)
			printf("  lower %s: %s%s\n", links[i].name, path_name(links[i].role),
			       links[i].active ? ", active" : "");
	for (i = 0; i < (int)NKEYS; i++)
		printf("  %s %llu\n", keys[i].key, (unsigned long long)u->val[keys[i].attr]);
	printf("  reach-targets %s\n", *u->targets ? u->targets : "none");
	if (u->val[IFLA_DUONET_REACH_INTERVAL_MS])
		printf("  vf reachable %s\n",
		       u->val[IFLA_DUONET_VF_REACHABLE] ? "yes" : "no");
}

/* "a,b" as JSON strings "a","b". */
static void print_json_list(const char *list)
{
	const char *p = list, *comma;
	char item[INET6_ADDRSTRLEN];

	while (*p) {
		comma = strchr(p, ',');
		snprintf(item, sizeof(item), "%.*s",
			 (int)(comma ? comma - p : (long)strlen(p)), p);
		printf("%s", p == list ? "" : ",");
		json_str(item);
		p = comma ? comma + 1 : p + strlen(p);
	}
}

/* A key as JSON spells it: announce-count is "announce_count". */
static void json_key(const char *key)
{
	putchar('"');
	for (; *key; key++)
		putchar(*key == '-' ? '_' : *key);
	printf("\":");
}

/* The same key: '_' and '-' are one (JSON and module parameters use '_'). */
static bool key_eq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (*a != *b && !(strchr("-_", *a) && strchr("-_", *b)))
			return false;
	return *a == *b;
}

/* The top-level fields of show --json that are one value each. */
static const char *const scalars[] = {
	"ifname", "ifindex", "active_path", "pv_only", "adaptive", "policy",
	"switches_to_vf", "switches_to_pv", "last_switch_usecs",
};

/*
 * The field f of the upper u (a scalar, a setting, reach_targets, or vf
 * and pv: the lower's name) as text into buf; *str tells a JSON string.
 * False for a field there is not.
 */
static bool field_text(const struct link *u, const char *f, char *buf, size_t n, bool *str)
{
	/* Numbers; a negative attribute is a flag (true or false). */
	static const struct word_attr nums[] = {
		{ "switches_to_vf", IFLA_DUONET_SWITCHES_TO_VF },
		{ "switches_to_pv", IFLA_DUONET_SWITCHES_TO_PV },
		{ "last_switch_usecs", IFLA_DUONET_LAST_SWITCH_USECS },
		{ "pv_only", -IFLA_DUONET_PV_ONLY },
		{ "adaptive", -IFLA_DUONET_ADAPTIVE },
		{ "vf_reachable", -IFLA_DUONET_VF_REACHABLE },
	};
	unsigned int i;

	*str = true;
	*buf = 0;
	if (!strcmp(f, "ifname"))
		snprintf(buf, n, "%s", u->name);
	else if (!strcmp(f, "active_path"))
		snprintf(buf, n, "%s", path_name(u->val[IFLA_DUONET_ACTIVE_PATH]));
	else if (!strcmp(f, "policy"))
		snprintf(buf, n, "%s", policy_name(u));
	else if (!strcmp(f, "reach_targets"))
		snprintf(buf, n, "%s", *u->targets ? u->targets : "none");
	else if (!strcmp(f, "vf") || !strcmp(f, "pv"))
		for (i = 0; i < (unsigned int)nlinks; i++) {
			if (links[i].lower && links[i].master == u->ifindex &&
			    !strcmp(path_name(links[i].role), f))
				snprintf(buf, n, "%s", links[i].name);
		}
	else
		*str = false;
	if (*str)
		return true;
	if (!strcmp(f, "ifindex")) {
		snprintf(buf, n, "%d", u->ifindex);
		return true;
	}
	for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++)
		if (!strcmp(f, nums[i].key)) {
			if (nums[i].attr < 0)
				snprintf(buf, n, "%s", u->val[-nums[i].attr] ? "true" : "false");
			else
				snprintf(buf, n, "%llu", (unsigned long long)u->val[nums[i].attr]);
			return true;
		}
	for (i = 0; i < NKEYS; i++)
		if (key_eq(f, keys[i].key)) {
			snprintf(buf, n, "%llu", (unsigned long long)u->val[keys[i].attr]);
			return true;
		}
	return false;
}

static void print_json(const struct link *u, bool first)
{
	char buf[sizeof(u->targets)];
	bool firstl = true, str;
	int i;

	printf("%s{", first ? "" : ",");
	for (i = 0; i < (int)(sizeof(scalars) / sizeof(scalars[0])); i++) {
		field_text(u, scalars[i], buf, sizeof(buf), &str);
		printf("%s\"%s\":", i ? "," : "", scalars[i]);
		if (str)
			json_str(buf);
		else
			printf("%s", buf);
	}
	printf(",\"settings\":{");
	for (i = 0; i < (int)NKEYS; i++) {
		printf("%s", i ? "," : "");
		json_key(keys[i].key);
		printf("%llu", (unsigned long long)u->val[keys[i].attr]);
	}
	printf("},\"reach_targets\":[");
	print_json_list(u->targets);
	printf("],\"vf_reachable\":%s,\"lowers\":[",
	       u->val[IFLA_DUONET_VF_REACHABLE] ? "true" : "false");
	for (i = 0; i < nlinks; i++) {
		if (!links[i].lower || links[i].master != u->ifindex)
			continue;
		printf("%s{\"ifname\":", firstl ? "" : ",");
		json_str(links[i].name);
		printf(",\"role\":\"%s\",\"active\":%s}", path_name(links[i].role),
		       links[i].active ? "true" : "false");
		firstl = false;
	}
	printf("]}");
}

static int cmd_show(int argc, char **argv)
{
	struct mnl_socket *nl = open_nl();
	const char *dev = NULL;
	bool json = false, first = true;
	int i;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = true;
		else if (argv[i][0] == '-' || dev)
			usage();
		else
			dev = argv[i];
	}
	if (dump_links(nl))
		return 1;
	if (dev && !find_upper(dev)) {
		fprintf(stderr, "duoctl: %s is not a duonet device\n", dev);
		return 1;
	}
	if (json)
		printf("[");
	for (i = 0; i < nlinks; i++) {
		if (!links[i].upper || (dev && strcmp(dev, links[i].name)))
			continue;
		if (json)
			print_json(&links[i], first);
		else
			print_text(&links[i]);
		first = false;
	}
	if (json)
		printf("]\n");
	mnl_socket_close(nl);
	return 0;
}

/* An RTM_NEWLINK request for ifindex, ready for attributes. */
static struct nlmsghdr *newlink(char *buf, int ifindex)
{
	return link_msg(buf, RTM_NEWLINK, NLM_F_ACK, ifindex);
}

/* One u32 attribute of the upper's IFLA_INFO_DATA. */
static int put_setting(struct mnl_socket *nl, int upper, int attr, uint32_t v)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = newlink(buf, upper);
	struct nlattr *info, *data;

	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "duonet");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	mnl_attr_put_u32(nlh, attr, v);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	return talk(nl, nlh, NULL);
}

/* ip link set DEV master UPPER (0: nomaster). */
static int set_master(struct mnl_socket *nl, int dev, int upper)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = newlink(buf, dev);

	mnl_attr_put_u32(nlh, IFLA_MASTER, upper);
	return talk(nl, nlh, NULL);
}

/* The links dumped, and the duonet upper named dev; exits if it is not. */
static struct link *need_upper(struct mnl_socket *nl, const char *dev)
{
	struct link *u;

	if (dump_links(nl))
		exit(1);
	u = find_upper(dev);
	if (!u) {
		fprintf(stderr, "duoctl: %s is not a duonet device\n", dev);
		exit(1);
	}
	return u;
}

/* The ifindex of an interface name; exits if there is none. */
static int need_ifindex(const char *dev)
{
	unsigned int ifindex = if_nametoindex(dev);

	if (!ifindex) {
		fprintf(stderr, "duoctl: no interface %s\n", dev);
		exit(1);
	}
	return ifindex;
}

static int role_attr(const char *role)
{
	unsigned int i;

	for (i = 0; i < sizeof(role_keys) / sizeof(role_keys[0]); i++)
		if (key_eq(role, role_keys[i].key))
			return role_keys[i].attr;
	return -1;
}

/*
 * reach-targets: "A[,A...]" of IPv4 and IPv6 addresses, or none; both
 * lists are replaced. Exits with a usage error on a bad address.
 */
static void put_targets(struct nlmsghdr *nlh, const char *list)
{
	char *copy, *tok, *save = NULL;
	struct nlattr *nest[2];
	unsigned char addr[16];
	int family[2] = { AF_INET, AF_INET6 }, f, n[2] = { 0, 0 }, bad = 0;

	for (f = 0; f < 2; f++) {
		nest[f] = mnl_attr_nest_start(nlh, f ? IFLA_DUONET_REACH_IP6 :
							IFLA_DUONET_REACH_IP4);
		copy = strdup(list);
		if (!copy) {
			perror("duoctl");
			exit(1);
		}
		for (tok = strtok_r(copy, ",", &save); tok && strcmp(list, "none");
		     tok = strtok_r(NULL, ",", &save)) {
			if (inet_pton(family[f], tok, addr) == 1) {
				/* The kernel takes 16; one more says so. */
				if (++n[f] <= IFLA_DUONET_REACH_TARGETS_MAX + 1)
					mnl_attr_put(nlh, IFLA_DUONET_REACH_TARGET,
						     f ? 16 : 4, addr);
			} else if (inet_pton(family[!f], tok, addr) != 1) {
				bad = 1;
			}
		}
		free(copy);
		mnl_attr_nest_end(nlh, nest[f]);
	}
	if (bad || (!n[0] && !n[1] && strcmp(list, "none"))) {
		fprintf(stderr,
			"duoctl: '%s' is not a list of IPv4 and IPv6 addresses (A,B,...) or none\n",
			list);
		usage();
	}
}

/*
 * KEY VALUE pairs (argc of them, even) into the upper's IFLA_INFO_DATA,
 * in one request: a refused value changes no setting. Exits with a
 * usage error on an unknown key or a value that is not one.
 */
static void put_pairs(struct nlmsghdr *nlh, int argc, char **argv)
{
	struct nlattr *info, *data;
	int i;

	if (argc % 2)
		usage();
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "duonet");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	for (i = 0; i < argc; i += 2) {
		const char *key = argv[i], *val = argv[i + 1];
		unsigned long v;
		unsigned int k;
		int attr = -1, j;
		char *end;

		/* Once each: the request fits its buffer (17 keys: under 1 KiB). */
		for (j = 0; j < i; j += 2)
			if (key_eq(argv[j], key)) {
				fprintf(stderr, "duoctl: key '%s' given twice\n", key);
				usage();
			}

		if (key_eq(key, "reach-targets")) {
			put_targets(nlh, val);
			continue;
		}
		if (role_attr(key) >= 0) {
			mnl_attr_put_u32(nlh, role_attr(key),
					 strcmp(val, "none") ? need_ifindex(val) : 0);
			continue;
		}
		for (k = 0; k < sizeof(flag_keys) / sizeof(flag_keys[0]); k++)
			if (key_eq(key, flag_keys[k].key))
				attr = flag_keys[k].attr;
		if (attr >= 0) {
			if (strcmp(val, "on") && strcmp(val, "off")) {
				fprintf(stderr, "duoctl: %s is on or off, not '%s'\n", key, val);
				usage();
			}
			mnl_attr_put_u8(nlh, attr, !strcmp(val, "on"));
			continue;
		}
		for (k = 0; k < NKEYS; k++)
			if (key_eq(key, keys[k].key))
				attr = keys[k].attr;
		if (attr < 0) {
			fprintf(stderr, "duoctl: unknown key '%s'\n", key);
			usage();
		}
		errno = 0;
		v = strtoul(val, &end, strncmp(val, "0x", 2) && strncmp(val, "0X", 2) ? 10 : 16);
		if (errno || *end || !*val || val[0] == '-' || v > UINT32_MAX) {
			fprintf(stderr, "duoctl: '%s' is not a number from 0 to %u\n",
				val, UINT32_MAX);
			usage();
		}
		mnl_attr_put_u32(nlh, attr, v);
	}
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
}

/* duoctl set DEV KEY VALUE [KEY VALUE]...: ip link set DEV type duonet ... */
static int cmd_set(int argc, char **argv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	int ret;

	if (argc < 3)
		usage();
	/* The words first: a usage error before the device is looked up. */
	nlh = newlink(buf, 0);
	put_pairs(nlh, argc - 1, argv + 1);
	nl = open_nl();
	((struct ifinfomsg *)mnl_nlmsg_get_payload(nlh))->ifi_index =
		need_upper(nl, argv[0])->ifindex;
	ret = talk(nl, nlh, NULL);
	mnl_socket_close(nl);
	return ret ? 1 : 0;
}

/* duoctl add NAME [KEY VALUE]...: ip link add NAME type duonet ... */
static int cmd_add(int argc, char **argv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	int ret;

	if (argc < 1)
		usage();
	if (!*argv[0] || strlen(argv[0]) >= IFNAMSIZ) {
		fprintf(stderr, "duoctl: '%s' is not an interface name (1 to %d characters)\n",
			argv[0], IFNAMSIZ - 1);
		usage();
	}
	nlh = link_msg(buf, RTM_NEWLINK, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, argv[0]);
	put_pairs(nlh, argc - 1, argv + 1);
	nl = open_nl();
	ret = talk(nl, nlh, NULL);
	mnl_socket_close(nl);
	return ret ? 1 : 0;
}

/* duoctl get DEV FIELD: one field as text, for shell scripts. */
static int cmd_get(int argc, char **argv)
{
	static const struct link none;
	char buf[sizeof(none.targets)], field[64];
	struct mnl_socket *nl;
	unsigned int i;
	bool str;

	if (argc != 2)
		usage();
	/* JSON's spelling, or the key's: active-path is active_path. */
	snprintf(field, sizeof(field), "%s", argv[1]);
	for (i = 0; field[i]; i++)
		field[i] = field[i] == '-' ? '_' : field[i];
	/* The field first: a usage error before the device is looked up. */
	if (strlen(argv[1]) >= sizeof(field) ||
	    !field_text(&none, field, buf, sizeof(buf), &str)) {
		fprintf(stderr, "duoctl: unknown field '%s'\n", argv[1]);
		usage();
	}
	nl = open_nl();
	field_text(need_upper(nl, argv[0]), field, buf, sizeof(buf), &str);
	printf("%s\n", buf);
	mnl_socket_close(nl);
	return 0;
}

static int cmd_pair(int argc, char **argv)
{
	struct mnl_socket *nl;
	int attr = -1, ret, upper, dev;

	if (argc == 4 && !strcmp(argv[2], "--role")) {
		attr = role_attr(argv[3]);
		if (attr < 0) {
			fprintf(stderr, "duoctl: role '%s' is not vf or pv\n", argv[3]);
			usage();
		}
	} else if (argc != 2) {
		usage();
	}
	nl = open_nl();
	upper = need_upper(nl, argv[0])->ifindex;
	dev = need_ifindex(argv[1]);
	ret = attr < 0 ? set_master(nl, dev, upper) : put_setting(nl, upper, attr, dev);
	mnl_socket_close(nl);
	return ret ? 1 : 0;
}

static int cmd_unpair(int argc, char **argv)
{
	struct mnl_socket *nl;
	int ret, upper, dev, i;
	bool found = false;

	if (argc != 2)
		usage();
	nl = open_nl();
	upper = need_upper(nl, argv[0])->ifindex;
	dev = need_ifindex(argv[1]);
	for (i = 0; i < nlinks; i++)
		if (links[i].ifindex == dev && links[i].lower && links[i].master == upper)
			found = true;
	if (!found) {
		fprintf(stderr, "duoctl: %s is not a lower of %s\n", argv[1], argv[0]);
		return 1;
	}
	ret = set_master(nl, dev, 0);
	mnl_socket_close(nl);
	return ret ? 1 : 0;
}

static double parse_seconds(const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !*s || !(v >= 0 && v <= 86400)) {
		fprintf(stderr, "duoctl: '%s' is not a number of seconds from 0 to 86400\n", s);
		usage();
	}
	return v;
}

/* A socket that hears every link event (RTNLGRP_LINK), opened before the
 * dump it completes, so nothing between the two is missed.
 */
static struct mnl_socket *open_events(void)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);

	if (!nl || mnl_socket_bind(nl, RTMGRP_LINK, MNL_SOCKET_AUTOPID) < 0) {
		perror("duoctl: netlink socket");
		exit(1);
	}
	return nl;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Read the events that are there (after waiting up to timeout_ms, -1: for
 * ever; 0 at once) and hand each link message to cb. Returns 0,
 * EVENTS_NONE if nothing came in time, TALK_AGAIN if events were lost (the
 * socket overran: dump again), -1 on error.
 */
#define EVENTS_NONE 2

static int read_events(struct mnl_socket *ev, int timeout_ms, mnl_cb_t cb, void *data)
{
	/* One event is one link's whole RTM_NEWLINK (nl_recv()). */
	static char *buf;
	static size_t cap;
	struct pollfd pfd = { .fd = mnl_socket_get_fd(ev), .events = POLLIN };
	int ret;

	ret = poll(&pfd, 1, timeout_ms);
	if (ret < 0 && errno == EINTR)
		return EVENTS_NONE;
	if (ret < 0) {
		perror("duoctl: poll");
		return -1;
	}
	if (!ret)
		return EVENTS_NONE;
	ret = nl_recv(ev, &buf, &cap);
	/* Overrun: events lost. */
	if (ret < 0 && errno == ENOBUFS)
		return TALK_AGAIN;
	if (ret < 0) {
		perror("duoctl: netlink");
		return -1;
	}
	/* Events carry seq 0 and the kernel's port: no check. */
	return mnl_cb_run(buf, ret, 0, 0, cb, data) < 0 ? -1 : 0;
}

struct wait_state {
	int ifindex;
	const char *path;
	bool there, gone;
};

static int wait_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct wait_state *w = arg;
	struct link l;

	parse_link(nlh, &l);
	if (l.ifindex != w->ifindex || l.bridge)
		return MNL_CB_OK;
	if (nlh->nlmsg_type == RTM_DELLINK)
		w->gone = true;
	else if (nlh->nlmsg_type == RTM_NEWLINK && l.upper &&
		 !strcmp(path_name(l.val[IFLA_DUONET_ACTIVE_PATH]), w->path))
		w->there = true;
	return MNL_CB_OK;
}

/* The upper's state now: 0 on the path, 1 not (yet), -1 error (said). */
static int wait_check(struct mnl_socket *nl, const char *dev, struct wait_state *w)
{
	struct link *u;

	if (dump_links(nl))
		return -1;
	u = find_upper(dev);
	if (!u) {
		fprintf(stderr, "duoctl: %s is not a duonet device\n", dev);
		return -1;
	}
	w->ifindex = u->ifindex;
	return strcmp(path_name(u->val[IFLA_DUONET_ACTIVE_PATH]), w->path) ? 1 : 0;
}

static int cmd_wait(int argc, char **argv)
{
	struct mnl_socket *ev = open_events(), *nl = open_nl();
	struct wait_state w = { 0 };
	int64_t deadline, left;
	double timeout = 30;
	int i, ret;

	if (argc < 3)
		usage();
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--path") && i + 1 < argc)
			w.path = argv[++i];
		else if (!strcmp(argv[i], "--timeout") && i + 1 < argc)
			timeout = parse_seconds(argv[++i]);
		else
			usage();
	}
	if (!w.path || (strcmp(w.path, "vf") && strcmp(w.path, "pv"))) {
		fprintf(stderr, "duoctl: wait needs --path vf or --path pv\n");
		usage();
	}
	deadline = now_ms() + (int64_t)(timeout * 1000);
	ret = wait_check(nl, argv[0], &w);
	while (ret > 0) {
		left = deadline - now_ms();
		if (left <= 0) {
			fprintf(stderr, "duoctl: %s: TX not on %s after %g s\n", argv[0], w.path,
				timeout);
			return 3;
		}
		ret = read_events(ev, left > INT32_MAX ? INT32_MAX : (int)left, wait_cb, &w);
		/*
		 * An event queued before the dump may be older than it (vf ->
		 * pv -> vf): the path is confirmed by a dump of its own.
		 */
		if (w.there) {
			w.there = false;
			ret = wait_check(nl, argv[0], &w);
			if (ret <= 0)
				return ret ? 1 : 0;
			continue;
		}
		if (w.gone) {
			fprintf(stderr, "duoctl: %s was deleted\n", argv[0]);
			return 1;
		}
		if (ret == TALK_AGAIN)		/* events lost: look again */
			ret = wait_check(nl, argv[0], &w);
		else if (ret >= 0)
			ret = 1;
	}
	return ret ? 1 : 0;
}

/* What monitor knows of each upper: its path and switch count. */
struct seen {
	int ifindex;
	uint64_t path, switches;
};

struct monitor {
	const char *dev;
	int ifindex;			/* DEV's, 0: every upper */
	bool json;
	struct seen seen[DUOCTL_MAX_LINKS];
	int nseen;
};

static struct seen *seen_of(struct monitor *m, int ifindex, bool add)
{
	int i;

	for (i = 0; i < m->nseen; i++)
		if (m->seen[i].ifindex == ifindex)
			return &m->seen[i];
	if (!add || m->nseen == DUOCTL_MAX_LINKS)
		return NULL;
	m->seen[m->nseen].ifindex = ifindex;
	return &m->seen[m->nseen++];
}

static void forget(struct monitor *m, int ifindex)
{
	struct seen *s = seen_of(m, ifindex, false);

	if (s)
		*s = m->seen[--m->nseen];
}

/* Learn an upper's state; print a line if it switched since last seen. */
static void monitor_link(struct monitor *m, const struct link *l)
{
	uint64_t path = l->val[IFLA_DUONET_ACTIVE_PATH];
	uint64_t sw = l->val[IFLA_DUONET_SWITCHES_TO_VF] + l->val[IFLA_DUONET_SWITCHES_TO_PV];
	struct seen *s = seen_of(m, l->ifindex, false);
	uint64_t n;

	if (!l->upper || (m->ifindex && l->ifindex != m->ifindex))
		return;
	if (!s) {
		s = seen_of(m, l->ifindex, true);
		if (s) {
			s->path = path;
			s->switches = sw;
		}
		return;
	}
	/* The counters only grow: a smaller total is an event older than
	 * what a dump already showed.
	 */
	if (sw < s->switches || (sw == s->switches && path == s->path))
		return;
	n = sw > s->switches ? sw - s->switches : 1;
	if (m->json) {
		printf("{\"ifname\":");
		json_str(l->name);
		printf(",\"ifindex\":%d,\"from\":\"%s\",\"to\":\"%s\","
		       "\"switches\":%llu,\"switches_to_vf\":%llu,\"switches_to_pv\":%llu,"
		       "\"last_switch_usecs\":%llu}\n", l->ifindex,
		       path_name(s->path), path_name(path), (unsigned long long)n,
		       (unsigned long long)l->val[IFLA_DUONET_SWITCHES_TO_VF],
		       (unsigned long long)l->val[IFLA_DUONET_SWITCHES_TO_PV],
		       (unsigned long long)l->val[IFLA_DUONET_LAST_SWITCH_USECS]);
	} else {
		printf("%s: %s -> %s, switches to vf %llu, to pv %llu, last switch %llu us",
		       l->name, path_name(s->path), path_name(path),
		       (unsigned long long)l->val[IFLA_DUONET_SWITCHES_TO_VF],
		       (unsigned long long)l->val[IFLA_DUONET_SWITCHES_TO_PV],
		       (unsigned long long)l->val[IFLA_DUONET_LAST_SWITCH_USECS]);
		if (n > 1)
			printf(", %llu switches", (unsigned long long)n);
		putchar('\n');
	}
	fflush(stdout);
	s->path = path;
	s->switches = sw;
}

static int monitor_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct monitor *m = arg;
	struct link l;

	parse_link(nlh, &l);
	if (l.bridge)
		return MNL_CB_OK;
	if (nlh->nlmsg_type == RTM_DELLINK)
		forget(m, l.ifindex);
	else if (nlh->nlmsg_type == RTM_NEWLINK)
		monitor_link(m, &l);
	return MNL_CB_OK;
}

/* Learn (or, after lost events, compare with) every upper's state now. */
static int monitor_dump(struct mnl_socket *nl, struct monitor *m)
{
	int i;

	if (dump_links(nl))
		return -1;
	for (i = 0; i < nlinks; i++)
		monitor_link(m, &links[i]);
	return 0;
}

static int cmd_monitor(int argc, char **argv)
{
	struct mnl_socket *ev = open_events(), *nl = open_nl();
	struct monitor *m = calloc(1, sizeof(*m));
	int i, ret;

	if (!m) {
		perror("duoctl");
		return 1;
	}
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			m->json = true;
		else if (argv[i][0] == '-' || m->dev)
			usage();
		else
			m->dev = argv[i];
	}
	if (dump_links(nl))
		return 1;
	if (m->dev) {
		if (!find_upper(m->dev)) {
			fprintf(stderr, "duoctl: %s is not a duonet device\n", m->dev);
			return 1;
		}
		/* Followed by ifindex: a rename does not lose it. */
		m->ifindex = find_upper(m->dev)->ifindex;
	}
	for (i = 0; i < nlinks; i++)
		monitor_link(m, &links[i]);
	for (;;) {
		ret = read_events(ev, -1, monitor_cb, m);
		if (ret == TALK_AGAIN && monitor_dump(nl, m))
			return 1;
		if (ret < 0)
			return 1;
	}
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} cmds[] = {
	{ "show", cmd_show }, { "set", cmd_set }, { "add", cmd_add },
	{ "pair", cmd_pair }, { "unpair", cmd_unpair }, { "wait", cmd_wait },
	{ "monitor", cmd_monitor }, { "get", cmd_get },
};

int main(int argc, char **argv)
{
	unsigned int i;

	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fputs(manual_text, stdout);
		return 0;
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 2, argv + 2);
	fprintf(stderr, "duoctl: unknown command '%s'\n", argv[1]);
	usage();
	return 2;
}
