// SPDX-License-Identifier: GPL-2.0
/*
 * gexec - run a shell script in the lab guest through its command agent.
 *
 *   gexec [--timeout S] [--wait-ready S] SOCKET SCRIPT...
 *
 * SOCKET is the UNIX socket behind the guest's ttyS1 (QEMU
 * -serial unix:SOCKET,server=on,wait=off). The words of SCRIPT are joined
 * with spaces and run by the guest's busybox sh (see guest/agent); its
 * output is printed and its exit status becomes ours. --timeout: seconds
 * the script may run (default 120). With --wait-ready, keep retrying for
 * up to S seconds until the agent answers (the guest is still booting); a
 * request not answered within 2 s is sent again under a new id, so stale
 * or lost replies cannot be mistaken for the answer.
 *
 * Exit status: the script's, or 124 on timeout, 125 on a connection
 * error, 2 on a usage error.
 *
 * Written in C because the lab calls it for nearly every step: a Python
 * interpreter's start cost 0.35 s of each call here (2026-12-07), more
 * than the guest's own answer.
 *
 * Protocol (guest/agent): request "RUN <id> <base64 of the script>\n";
 * reply "@@BEGIN <id>\n", the output, "@@END <id> <status>\n".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static const char *const usage_text =
	"usage: gexec [--timeout S] [--wait-ready S] SOCKET SCRIPT...\n";

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die_usage(const char *fmt, ...)
{
	va_list ap;

	fputs("gexec: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%s", usage_text);
	exit(2);
}

static double seconds_arg(const char *opt, const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < 0 || v > 86400)
		die_usage("%s: not a number of seconds (0-86400): '%s'", opt, s);
	return v;
}

/* Connect, retrying while the socket is not there yet, until deadline. */
static int connect_agent(const char *path, double deadline)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sa.sun_path, path);
	for (;;) {
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -1;
		if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
			return fd;
		close(fd);
		if ((errno != ENOENT && errno != ECONNREFUSED) || now() > deadline)
			return -1;
		usleep(200000);
	}
}

static char *base64(const char *in, size_t n)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = malloc((n + 2) / 3 * 4 + 1), *o = out;
	size_t i;

	if (!out)
		return NULL;
	for (i = 0; i + 2 < n; i += 3) {
		unsigned int v = (unsigned char)in[i] << 16 |
				 (unsigned char)in[i + 1] << 8 | (unsigned char)in[i + 2];

		*o++ = tab[v >> 18];
		*o++ = tab[v >> 12 & 63];
		*o++ = tab[v >> 6 & 63];
		*o++ = tab[v & 63];
	}
	if (i < n) {
		unsigned int v = (unsigned char)in[i] << 16;

		if (i + 1 < n)
			v |= (unsigned char)in[i + 1] << 8;
		*o++ = tab[v >> 18];
		*o++ = tab[v >> 12 & 63];
		*o++ = i + 1 < n ? tab[v >> 6 & 63] : '=';
		*o++ = '=';
	}
	*o = 0;
	return out;
}

static int send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= w;
	}
	return 0;
}

struct buf {
	char *p;
	size_t len, cap;
};

/* memmem over the received bytes, from offset off. */
static char *find(struct buf *b, size_t off, const char *s)
{
	return off > b->len ? NULL : memmem(b->p + off, b->len - off, s, strlen(s));
}

enum { ANSWERED, NO_ANSWER, FAILED };

/*
 * Send the script under a fresh id and read the reply. Until @@BEGIN comes
 * only `resend` seconds are waited (0: the whole timeout); after it, the
 * timeout. On ANSWERED, *out and *outlen hold the output and *status the
 * script's status.
 */
static int run(int fd, const char *b64, double timeout, double resend,
	       struct buf *b, char **out, size_t *outlen, int *status)
{
	char id[64], begin[96], end[96], *req;
	double start = now(), limit = resend ? resend : timeout;
	struct timespec ts;
	ssize_t at = -1;	/* where the output starts, once answered */
	int n;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(id, sizeof(id), "%d.%lld%09ld", (int)getpid(),
		 (long long)ts.tv_sec, ts.tv_nsec);
	snprintf(begin, sizeof(begin), "@@BEGIN %s\n", id);
	snprintf(end, sizeof(end), "@@END %s ", id);
	n = asprintf(&req, "RUN %s %s\n", id, b64);
	if (n < 0)
		return FAILED;
	if (send_all(fd, req, n)) {
		fprintf(stderr, "gexec: send: %s\n", strerror(errno));
		free(req);
		return FAILED;
	}
	free(req);
	b->len = 0;
	for (;;) {
		double left = start + limit - now();
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t r;
		char *e, *nl;

		if (left <= 0)
			return NO_ANSWER;
		r = poll(&pfd, 1, (int)(left * 1000) + 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			fprintf(stderr, "gexec: poll: %s\n", strerror(errno));
			return FAILED;
		}
		if (!r)
			continue;
		if (b->cap - b->len < 65536) {
			char *p = realloc(b->p, b->cap * 2 + 65536);

			if (!p) {
				fprintf(stderr, "gexec: out of memory\n");
				return FAILED;
			}
			b->p = p;
			b->cap = b->cap * 2 + 65536;
		}
		r = recv(fd, b->p + b->len, b->cap - b->len - 1, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			fprintf(stderr, "gexec: %s\n",
				r ? strerror(errno) : "agent socket closed");
			return FAILED;
		}
		b->len += r;
		b->p[b->len] = 0;
		if (at < 0) {
			char *bp = find(b, 0, begin);

			if (!bp)
				continue;
			/* Answered: no resending from now on, wait for the end. */
			at = bp - b->p + strlen(begin);
			limit = timeout;
		}
		e = find(b, at, end);
		if (!e)
			continue;
		nl = memchr(e, '\n', b->len - (e - b->p));
		if (!nl)
			continue;
		*out = b->p + at;
		*outlen = e - *out;
		*status = atoi(e + strlen(end));
		return ANSWERED;
	}
}

int main(int argc, char **argv)
{
	double timeout = 120, wait_ready = 0, deadline;
	struct buf b = { 0 };
	char *script, *b64, *out;
	size_t len = 0, outlen;
	int i, fd, status, res;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--timeout") || !strcmp(argv[i], "--wait-ready")) {
			if (i + 1 >= argc)
				die_usage("%s needs a value", argv[i]);
			*(argv[i][2] == 't' ? &timeout : &wait_ready) =
				seconds_arg(argv[i], argv[i + 1]);
			i++;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(usage_text, stdout);
			return 0;
		} else if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			die_usage("unknown option '%s'", argv[i]);
		} else {
			break;
		}
	}
	if (argc - i < 2)
		die_usage("a SOCKET and a SCRIPT are needed");
	if (!timeout)
		die_usage("--timeout: must be above 0");

	for (int j = i + 1; j < argc; j++)
		len += strlen(argv[j]) + 1;
	script = calloc(1, len + 1);
	if (!script)
		return 125;
	for (int j = i + 1; j < argc; j++) {
		if (j > i + 1)
			strcat(script, " ");
		strcat(script, argv[j]);
	}
	b64 = base64(script, strlen(script));
	if (!b64)
		return 125;

	deadline = now() + (wait_ready > 10 ? wait_ready : 10);
	fd = connect_agent(argv[i], deadline);
	if (fd < 0) {
		fprintf(stderr, "gexec: %s: %s\n", argv[i], strerror(errno));
		return 125;
	}
	for (;;) {
		res = run(fd, b64, timeout, wait_ready ? 2 : 0, &b, &out, &outlen, &status);
		if (res == FAILED)
			return 125;
		if (res == ANSWERED)
			break;
		if (!wait_ready || now() > deadline) {
			fprintf(stderr, "gexec: no answer from the guest agent\n");
			return 124;
		}
	}
	fwrite(out, 1, outlen, stdout);
	close(fd);
	return status;
}
