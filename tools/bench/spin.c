// SPDX-License-Identifier: GPL-2.0
/*
 * spin FILE: the instruction-count benchmark's idle counter
 * (tools/bench/icount.sh), run in a guest whose clock counts instructions
 * (QEMU -icount shift=0).
 *
 * At SCHED_IDLE it runs only when nothing else wants the CPU, so the CPU
 * never halts and the guest's clock is its instruction count, idle time
 * included. Each turn of its loop adds one to a 64-bit counter kept in
 * FILE (mapped shared: read it with od -An -tu8 FILE), and each turn is
 * the same few instructions. So the instructions the rest of the guest
 * ran over a window are the clock's advance less the counter's advance
 * times the instructions of a turn, which the benchmark measures in a
 * window with no traffic.
 *
 * Exit: 1 on an error (with a message), 2 on a usage error; else never.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sched_param sp = { .sched_priority = 0 };
	uint64_t *count;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: spin FILE\n");
		return 2;
	}
	fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || ftruncate(fd, sizeof(*count))) {
		fprintf(stderr, "spin: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	count = mmap(NULL, sizeof(*count), PROT_READ | PROT_WRITE, MAP_SHARED,
		     fd, 0);
	if (count == MAP_FAILED) {
		fprintf(stderr, "spin: mmap %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if (sched_setscheduler(0, SCHED_IDLE, &sp)) {
		fprintf(stderr, "spin: SCHED_IDLE: %s\n", strerror(errno));
		return 1;
	}
	/* Relaxed atomics: every turn loads and stores, nothing more. */
	for (;;)
		__atomic_store_n(count, __atomic_load_n(count, __ATOMIC_RELAXED) + 1,
				 __ATOMIC_RELAXED);
}
