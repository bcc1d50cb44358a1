// SPDX-License-Identifier: GPL-2.0
/*
 * lossmeter - probe traffic generator and loss meter for failover tests.
 *
 *   lossmeter icmp [options] DEST_IPV4       ICMP echo probes (raw socket)
 *   lossmeter udp  [options] DEST_IPV4:PORT  UDP probes, echoed by "echo"
 *   lossmeter echo [-p|--port N]             UDP echo server (port 7777)
 * Options: see usage() or -h.  Exit: 0 run completed (whatever the loss),
 * 1 runtime error, 2 usage error.  Report on stdout: "sent=N received=N
 * lost=N dup=N loss_pct=F longest_gap_ms=F gaps=N first_lost_seq=N|-
 * skipped=N", then
 * "gap seq=A..B count=N at_ms=T" for each of the first 20 runs of lost
 * probes (T: send time of its first probe, ms from the period start).
 * --json gives the same as one object ("gap_count", "first_lost_seq" null
 * if none).  Sequence numbers are absolute, marks do not reset them.
 * skipped: send slots of the period the meter missed because it stalled
 * (below); sent + skipped is the period's length / interval.
 *
 * Each probe has a 64-bit sequence number (the ICMP wire seq is its low 16
 * bits); its send time is kept in a ring of outstanding probes.  A probe
 * settles, in sequence order, --wait ms after it was sent: received if a
 * reply came by then, else lost; only settled probes are reported, so
 * sent == received + lost.  Later replies (and duplicates) are ignored, and
 * memory is bounded by --wait / interval.  A probe whose sendto() fails
 * (e.g. ENETUNREACH, link down) counts as sent, and so as lost.  When
 * stopping, answered probes settle at once, so the final wait ends when
 * every probe is answered or expired; a second SIGINT/SIGTERM ends it now.
 *
 * SIGUSR1 sets a mark at the next sequence number to be sent; sending never
 * pauses.  The old period (probes before the mark) is reported when its last
 * probe has settled, --wait ms after the mark; the new period starts at the
 * mark, its at_ms count from the mark.
 *
 * longest_gap_ms: for each run of lost probes, the send time of the received
 * probe just after the run minus that of the received probe just before it,
 * minus one interval (about count * interval).  A run at the start of a
 * period uses a virtual "before" probe one interval before its first probe,
 * a run at the end a virtual "after" one interval after its last.  The
 * maximum over all runs is reported, 0 when nothing was lost.
 *
 * Pacing: probe n is due at start + n * interval (absolute CLOCK_MONOTONIC
 * deadlines, no drift), waiting in ppoll() for the deadline or replies in a
 * single thread.  Probes up to 100 ms late are sent at once to catch up; if
 * the meter itself stalled longer, the missed slots are skipped.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define NSEC_PER_SEC	1000000000LL
#define NSEC_PER_MSEC	1000000LL
#define CATCHUP_NS	(100 * NSEC_PER_MSEC)
#define GAP_LIST_MAX	20
#define MARKS_MAX	16
#define PROBE_HDR_LEN	20	/* be64 seq, be64 time, be32 session */
#define ICMP_HDR_LEN	8
#define MAX_PAYLOAD	65507
#define RBUF_LEN	65536
#define DEFAULT_PORT	7777

struct slot {
	int64_t sent_ns;
	uint32_t dups;
	uint32_t skipped;		/* slots skipped right after it */
	bool rx;
};

struct gap {
	uint64_t first, last;
	int64_t at_ns;			/* send time of its first probe */
};

struct period {
	int64_t start_ns;
	uint64_t sent, received, lost, dup, ngaps, skipped;
	int64_t longest_ns;
	struct gap gaps[GAP_LIST_MAX];
	bool have_rx, in_run;
	int64_t last_rx_ns;		/* send time of last received */
	struct gap run;			/* open run of lost probes */
	int64_t run_last_ns;
};

struct meter {
	bool icmp, echo, json, quiet, stopping;
	int fd;
	struct sockaddr_in dst;
	size_t size;
	uint16_t ident;
	uint32_t session;
	double interval_ns;
	int64_t wait_ns, dur_ns;
	struct slot *ring;
	uint64_t mask, next_seq, cursor;	/* outstanding: cursor.. */
	uint64_t mark_seq[MARKS_MAX];
	int64_t mark_ns[MARKS_MAX];
	unsigned int mhead, nmarks;
	struct period p;
	uint64_t send_errors, skipped;
	unsigned char *sbuf, *rbuf;
};

static volatile sig_atomic_t sig_stop, sig_mark;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		sig_mark = 1;
	else if (sig_stop < 2)
		sig_stop++;
}

static _Noreturn void die(const char *what)
{
	perror(what);
	exit(1);
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: lossmeter icmp [options] DEST_IPV4\n"
		"       lossmeter udp  [options] DEST_IPV4:PORT\n"
		"       lossmeter echo [-p|--port N]   (default port %d)\n"
		"options for icmp/udp:\n"
		"  -i, --interval MS  probe interval, ms (default 2.0)\n"
		"  -r, --rate PPS     probes per second (instead of -i)\n"
		"  -d, --duration S   run S seconds (default: until SIGINT)\n"
		"  -w, --wait MS      wait for late replies (default 500)\n"
		"  -s, --size N       UDP payload/ICMP data bytes (64/56)\n"
		"  -q, --quiet        only print the report(s)\n"
		"      --json         report as JSON\n"
		"SIGUSR1: report the period so far (--wait ms later) and\n"
		"start a new one.  Exit: 0 done, 1 error, 2 usage.\n",
		DEFAULT_PORT);
}

static _Noreturn void usage_error(void)
{
	usage(stderr);
	exit(2);
}

static double parse_num(const char *s, double min, double max)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < min || v > max) {
		fprintf(stderr, "lossmeter: bad number '%s'\n", s);
		usage_error();
	}
	return v;
}

/* Errors that mean a bug here; anything else is the network's doing. */
static bool fatal_error(int err)
{
	return err == EBADF || err == ENOTSOCK || err == EFAULT ||
	       err == EMSGSIZE || err == EDESTADDRREQ || err == EAFNOSUPPORT;
}

/* Period accounting. */

static void close_run(struct meter *m, int64_t next_rx_ns)
{
	struct period *p = &m->p;
	int64_t ival = (int64_t)m->interval_ns;
	int64_t prev = p->have_rx ? p->last_rx_ns : p->run.at_ns - ival;

	if (next_rx_ns - prev - ival > p->longest_ns)
		p->longest_ns = next_rx_ns - prev - ival;
	if (p->ngaps < GAP_LIST_MAX)
		p->gaps[p->ngaps] = p->run;
	p->ngaps++;
	p->in_run = false;
}

static void report(struct meter *m)
{
	struct period *p = &m->p;
	char first[24];
	uint64_t i;

	if (p->in_run)
		close_run(m, p->run_last_ns + (int64_t)m->interval_ns);
	if (p->ngaps)
		snprintf(first, sizeof(first), "%" PRIu64, p->gaps[0].first);
	else
		snprintf(first, sizeof(first), m->json ? "null" : "-");
	printf(m->json ?
	       "{\"sent\":%" PRIu64 ",\"received\":%" PRIu64 ",\"lost\":%"
	       PRIu64 ",\"dup\":%" PRIu64 ",\"loss_pct\":%.3f,"
	       "\"longest_gap_ms\":%.3f,\"gap_count\":%" PRIu64
	       ",\"first_lost_seq\":%s,\"skipped\":%" PRIu64
	       ",\"gaps\":[" :
	       "sent=%" PRIu64 " received=%" PRIu64 " lost=%" PRIu64
	       " dup=%" PRIu64 " loss_pct=%.3f longest_gap_ms=%.3f"
	       " gaps=%" PRIu64 " first_lost_seq=%s skipped=%" PRIu64 "\n",
	       p->sent, p->received, p->lost, p->dup,
	       p->sent ? 100.0 * (double)p->lost / (double)p->sent : 0.0,
	       (double)p->longest_ns / NSEC_PER_MSEC, p->ngaps, first,
	       p->skipped);
	for (i = 0; i < p->ngaps && i < GAP_LIST_MAX; i++)
		printf(m->json ?
		       "%s{\"first\":%" PRIu64 ",\"last\":%" PRIu64
		       ",\"count\":%" PRIu64 ",\"at_ms\":%.3f}" :
		       "%sgap seq=%" PRIu64 "..%" PRIu64 " count=%" PRIu64
		       " at_ms=%.3f\n",
		       m->json && i ? "," : "", p->gaps[i].first,
		       p->gaps[i].last, p->gaps[i].last - p->gaps[i].first + 1,
		       (double)(p->gaps[i].at_ns - p->start_ns) /
		       NSEC_PER_MSEC);
	if (m->json)
		printf("]}\n");
	if (fflush(stdout))
		die("lossmeter: stdout");
}

/* Report and close every period whose last probe has been settled. */
static void settle_marks(struct meter *m)
{
	while (m->nmarks && m->mark_seq[m->mhead] == m->cursor) {
		report(m);
		memset(&m->p, 0, sizeof(m->p));
		m->p.start_ns = m->mark_ns[m->mhead];
		m->mhead = (m->mhead + 1) % MARKS_MAX;
		m->nmarks--;
	}
}

/* Settle the oldest outstanding probe into the current period. */
static void settle(struct meter *m)
{
	struct slot *s = &m->ring[m->cursor & m->mask];
	struct period *p = &m->p;

	p->sent++;
	p->skipped += s->skipped;
	p->dup += s->dups;
	if (s->rx) {
		p->received++;
		if (p->in_run)
			close_run(m, s->sent_ns);
		p->have_rx = true;
		p->last_rx_ns = s->sent_ns;
	} else {
		p->lost++;
		if (!p->in_run) {
			p->in_run = true;
			p->run.first = m->cursor;
			p->run.at_ns = s->sent_ns;
		}
		p->run.last = m->cursor;
		p->run_last_ns = s->sent_ns;
	}
	m->cursor++;
	settle_marks(m);
}

static void advance(struct meter *m, int64_t now, bool force)
{
	settle_marks(m);
	while (m->cursor < m->next_seq) {
		struct slot *s = &m->ring[m->cursor & m->mask];

		if (!force && now < s->sent_ns + m->wait_ns &&
		    !(m->stopping && s->rx))
			break;
		settle(m);
	}
}

static void add_mark(struct meter *m, int64_t now)
{
	if (m->nmarks == MARKS_MAX) {
		fprintf(stderr, "lossmeter: too many marks, SIGUSR1 ignored\n");
		return;
	}
	m->mark_seq[(m->mhead + m->nmarks) % MARKS_MAX] = m->next_seq;
	m->mark_ns[(m->mhead + m->nmarks++) % MARKS_MAX] = now;
	if (!m->quiet)
		fprintf(stderr, "lossmeter: mark at seq %" PRIu64 "\n",
			m->next_seq);
}

static void on_reply(struct meter *m, uint64_t seq)
{
	struct slot *s;

	if (seq < m->cursor || seq >= m->next_seq)
		return;			/* already settled, or bogus */
	s = &m->ring[seq & m->mask];
	if (s->rx)
		s->dups++;
	else
		s->rx = true;
}

/* Probes and replies on the wire. */

static uint16_t csum(const unsigned char *p, size_t len)
{
	uint32_t sum = 0;

	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)(p[0] << 8 | p[1]);
	if (len)
		sum += (uint32_t)(p[0] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void send_probe(struct meter *m, int64_t now)
{
	unsigned char *b = m->sbuf, *pl = m->icmp ? b + ICMP_HDR_LEN : b;
	uint64_t seq = m->next_seq, v;
	size_t len = m->size;
	uint32_t sid;

	if (seq - m->cursor > m->mask)
		settle(m);		/* ring full: settle oldest early */
	m->ring[seq & m->mask] = (struct slot){ .sent_ns = now };
	m->next_seq++;

	v = htobe64(seq);
	memcpy(pl, &v, 8);
	v = htobe64((uint64_t)now);
	memcpy(pl + 8, &v, 8);
	sid = htonl(m->session);
	memcpy(pl + 16, &sid, 4);
	if (m->icmp) {
		b[0] = 8;		/* echo request, code 0 */
		b[2] = b[3] = 0;
		b[4] = m->ident >> 8;
		b[5] = m->ident & 0xff;
		b[6] = (seq >> 8) & 0xff;
		b[7] = seq & 0xff;
		len += ICMP_HDR_LEN;
		v = csum(b, len);
		b[2] = v >> 8;
		b[3] = v & 0xff;
	}
	if (sendto(m->fd, b, len, 0, (struct sockaddr *)&m->dst,
		   sizeof(m->dst)) >= 0)
		return;
	if (fatal_error(errno))
		die("lossmeter: sendto");
	if (!m->send_errors++ && !m->quiet)
		fprintf(stderr, "lossmeter: sendto: %s (counted as lost)\n",
			strerror(errno));
}

static void handle_reply(struct meter *m, const unsigned char *b, size_t n,
			 const struct sockaddr_in *from)
{
	uint64_t seq, last, back;
	uint32_t sid;
	size_t ihl;

	if (m->icmp) {
		if (n < 20 || (b[0] >> 4) != 4)
			return;
		ihl = (size_t)(b[0] & 0x0f) * 4;
		if (ihl < 20 || n < ihl + ICMP_HDR_LEN ||
		    from->sin_addr.s_addr != m->dst.sin_addr.s_addr)
			return;
		b += ihl;
		n -= ihl;
		if (b[0] != 0 || b[1] != 0 ||
		    (uint16_t)(b[4] << 8 | b[5]) != m->ident)
			return;		/* not an echo reply of ours */
		if (n >= ICMP_HDR_LEN + PROBE_HDR_LEN) {
			memcpy(&sid, b + ICMP_HDR_LEN + 16, 4);
			if (ntohl(sid) != m->session)
				return;
		}
		/* latest sequence number sent with these low 16 bits */
		if (!m->next_seq)
			return;
		last = m->next_seq - 1;
		back = (uint16_t)((uint16_t)last - (b[6] << 8 | b[7]));
		if (back <= last)
			on_reply(m, last - back);
		return;
	}
	if (n < PROBE_HDR_LEN)
		return;
	memcpy(&sid, b + 16, 4);
	if (ntohl(sid) != m->session)
		return;
	memcpy(&seq, b, 8);
	on_reply(m, be64toh(seq));
}

static void drain(struct meter *m)
{
	struct sockaddr_in from;
	socklen_t fl;
	ssize_t n;

	for (;;) {
		fl = sizeof(from);
		n = recvfrom(m->fd, m->rbuf, RBUF_LEN, 0,
			     (struct sockaddr *)&from, &fl);
		if (n < 0) {
			if (fatal_error(errno))
				die("lossmeter: recvfrom");
			return;
		}
		if (m->echo)	/* a failed echo is just a lost probe */
			sendto(m->fd, m->rbuf, (size_t)n, 0,
			       (struct sockaddr *)&from, fl);
		else
			handle_reply(m, m->rbuf, (size_t)n, &from);
	}
}

static void setup_signals(sigset_t *orig)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGUSR1 };
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t block;
	unsigned int i;

	/* block them: delivered only inside ppoll(), so no check can race */
	sigemptyset(&block);
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaddset(&block, sigs[i]) || sigaction(sigs[i], &sa, NULL))
			die("lossmeter: sigaction");
	if (sigprocmask(SIG_BLOCK, &block, orig))
		die("lossmeter: sigprocmask");
}

static void run_meter(struct meter *m)
{
	struct pollfd pfd = { .fd = m->fd, .events = POLLIN };
	int64_t base, next_dl, end_ns, now, wake, t, last_k;
	struct timespec ts;
	sigset_t orig;
	uint64_t k = 0;

	setup_signals(&orig);
	base = now_ns();
	next_dl = base;
	end_ns = m->dur_ns ? base + m->dur_ns : INT64_MAX;
	/* The run's slots: every k with base + k * interval < end_ns. */
	last_k = (int64_t)((double)m->dur_ns / m->interval_ns);
	if ((double)last_k * m->interval_ns < (double)m->dur_ns)
		last_k++;
	m->p.start_ns = base;
	for (;;) {
		now = now_ns();
		if (sig_mark) {
			sig_mark = 0;
			if (!m->stopping)
				add_mark(m, now);
		}
		if (sig_stop)
			m->stopping = true;
		if (!m->stopping && now >= next_dl) {
			send_probe(m, now);
			next_dl = base + (int64_t)(++k * m->interval_ns);
			if (now - next_dl > CATCHUP_NS) {	/* stalled */
				t = (int64_t)((double)(now - base) /
					      m->interval_ns) + 1;
				/* Only the run's own slots count as skipped. */
				if (m->dur_ns && t > last_k)
					t = last_k;
				m->skipped += (uint64_t)t - k;
				/* Due before now: the period of the probe
				 * just sent (a mark comes after it).
				 */
				m->ring[(m->next_seq - 1) & m->mask].skipped +=
					(uint32_t)((uint64_t)t - k);
				k = (uint64_t)t;
				next_dl = base + (int64_t)(k * m->interval_ns);
			}
		}
		if (next_dl >= end_ns)
			m->stopping = true;
		advance(m, now, sig_stop > 1);
		if (m->stopping && m->cursor == m->next_seq)
			break;

		wake = m->stopping ? INT64_MAX : next_dl;
		if (m->cursor < m->next_seq) {
			t = m->ring[m->cursor & m->mask].sent_ns + m->wait_ns;
			wake = t < wake ? t : wake;
		}
		t = wake > now ? wake - now : 0;
		ts.tv_sec = t / NSEC_PER_SEC;
		ts.tv_nsec = t % NSEC_PER_SEC;
		if (ppoll(&pfd, 1, &ts, &orig) < 0) {
			if (errno != EINTR)
				die("lossmeter: ppoll");
			continue;
		}
		if (pfd.revents)
			drain(m);
	}
	report(m);
	if (!m->quiet && (m->send_errors || m->skipped))
		fprintf(stderr, "lossmeter: %" PRIu64 " failed sends, %" PRIu64
			" send slots skipped (meter stalled)\n",
			m->send_errors, m->skipped);
}

/*
 * The meter must not lose what it measures: a socket's receive buffer is
 * filled by softirq while the reader may not run (a guest under TCG on a
 * loaded host stalls its processes for tens of ms, and a VF driver's
 * frames can cost 2-4 KB of buffer each), and what overflows it the kernel
 * drops and counts as Udp RcvbufErrors, not as the path's loss. So both
 * ends ask for RCVBUF_BYTES, past net.core.rmem_max when allowed (root,
 * as in the lab), else as much as rmem_max gives.
 */
#define RCVBUF_BYTES	(16 << 20)

static void big_rcvbuf(int fd)
{
	int bytes = RCVBUF_BYTES;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes));
}

static int run_echo(struct meter *m, int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct pollfd pfd = { .events = POLLIN };
	sigset_t orig;
	int one = 1;

	pfd.fd = m->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	m->rbuf = malloc(RBUF_LEN);
	if (m->fd < 0 || !m->rbuf)
		die("lossmeter: socket");
	setsockopt(m->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	big_rcvbuf(m->fd);
	sin.sin_port = htons((uint16_t)port);
	if (bind(m->fd, (struct sockaddr *)&sin, sizeof(sin)))
		die("lossmeter: bind");
	setup_signals(&orig);
	while (!sig_stop) {
		if (ppoll(&pfd, 1, NULL, &orig) < 0 && errno != EINTR)
			die("lossmeter: ppoll");
		drain(m);
	}
	close(m->fd);
	free(m->rbuf);
	return 0;
}

static int setup_meter(struct meter *m, const char *mode, char *dest)
{
	uint64_t need, cap, maxcap = m->icmp ? 1 << 15 : 1 << 20;
	char *colon = strrchr(dest, ':');
	uint32_t filt = ~1U;

	if (!m->icmp) {
		if (!colon)
			usage_error();
		*colon = '\0';
		m->dst.sin_port = htons((uint16_t)parse_num(colon + 1, 1,
							    65535));
	}
	m->dst.sin_family = AF_INET;
	if (inet_pton(AF_INET, dest, &m->dst.sin_addr) != 1) {
		fprintf(stderr, "lossmeter: bad IPv4 address '%s'\n", dest);
		usage_error();
	}
	if (!m->icmp)
		*colon = ':';
	m->ident = getpid() & 0xffff;
	if (getrandom(&m->session, sizeof(m->session), GRND_NONBLOCK) !=
	    sizeof(m->session))
		m->session = (uint32_t)now_ns() ^ (uint32_t)getpid() << 16;

	/* ring of outstanding probes: twice what --wait can hold */
	need = (uint64_t)((double)m->wait_ns / m->interval_ns) * 2 + 1024;
	for (cap = 1024; cap < need && cap < maxcap; cap <<= 1)
		;
	if (cap < need && !m->quiet)
		fprintf(stderr, "lossmeter: --wait too long, probes settle "
			"after %" PRIu64 " newer ones\n", cap);
	m->mask = cap - 1;
	m->ring = calloc(cap, sizeof(*m->ring));
	m->sbuf = calloc(1, ICMP_HDR_LEN + m->size);
	m->rbuf = malloc(RBUF_LEN);
	if (!m->ring || !m->sbuf || !m->rbuf)
		die("lossmeter: malloc");

	m->fd = socket(AF_INET, (m->icmp ? SOCK_RAW : SOCK_DGRAM) |
		       SOCK_NONBLOCK, m->icmp ? IPPROTO_ICMP : 0);
	if (m->fd < 0)
		die(m->icmp ? "lossmeter: raw socket (needs CAP_NET_RAW)" :
		    "lossmeter: socket");
	big_rcvbuf(m->fd);
	/* ICMP_FILTER (linux/icmp.h): let only echo replies (type 0) in */
	if (m->icmp)
		setsockopt(m->fd, SOL_RAW, 1, &filt, sizeof(filt));
	prctl(PR_SET_TIMERSLACK, 1000UL);	/* 1 us wakeup precision */

	if (!m->quiet)
		fprintf(stderr, "lossmeter: %s %s, interval %.3f ms, wait %.0f "
			"ms, size %zu, session %08x\n", mode, dest,
			m->interval_ns / 1e6, (double)m->wait_ns / 1e6,
			m->size, m->session);
	run_meter(m);
	close(m->fd);
	free(m->ring);
	free(m->sbuf);
	free(m->rbuf);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "interval", required_argument, NULL, 'i' },
		{ "rate", required_argument, NULL, 'r' },
		{ "duration", required_argument, NULL, 'd' },
		{ "wait", required_argument, NULL, 'w' },
		{ "size", required_argument, NULL, 's' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "json", no_argument, NULL, 'J' },
		{ "port", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct meter m = {
		.interval_ns = 2e6, .wait_ns = 500 * NSEC_PER_MSEC,
	};
	const char *mode = argc > 1 ? argv[1] : "";
	int c, port = DEFAULT_PORT;

	if (!strcmp(mode, "-h") || !strcmp(mode, "--help")) {
		usage(stdout);
		return 0;
	}
	m.icmp = !strcmp(mode, "icmp");
	m.echo = !strcmp(mode, "echo");
	if (!m.icmp && !m.echo && strcmp(mode, "udp")) {
		fprintf(stderr, "lossmeter: no or unknown mode '%s'\n", mode);
		usage_error();
	}
	m.size = m.icmp ? 56 : 64;
	argv[1] = argv[0];	/* getopt messages name the program */
	argc--;
	argv++;
	while ((c = getopt_long(argc, argv, m.echo ? "p:h" : "i:r:d:w:s:qh",
				opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			m.interval_ns = parse_num(optarg, 0.01, 3.6e6) * 1e6;
			break;
		case 'r':
			m.interval_ns = 1e9 / parse_num(optarg, 1e-3, 1e5);
			break;
		case 'd':
			m.dur_ns = (int64_t)(parse_num(optarg, 1e-3, 1e8) *
					     NSEC_PER_SEC);
			break;
		case 'w':
			m.wait_ns = (int64_t)(parse_num(optarg, 0, 3.6e6) *
					      NSEC_PER_MSEC);
			break;
		case 's':
			m.size = (size_t)parse_num(optarg, PROBE_HDR_LEN,
						   MAX_PAYLOAD);
			break;
		case 'q':
			m.quiet = true;
			break;
		case 'J':
			m.json = true;
			break;
		case 'p':
			port = (int)parse_num(optarg, 1, 65535);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage_error();
		}
		/* long options are not filtered by the short option string */
		if ((c == 'p') != m.echo) {
			fprintf(stderr, "lossmeter: option not valid for %s\n",
				mode);
			usage_error();
		}
	}
	if (m.echo) {
		if (optind != argc)
			usage_error();
		return run_echo(&m, port);
	}
	if (optind != argc - 1)
		usage_error();
	return setup_meter(&m, mode, argv[optind]);
}
