// SPDX-License-Identifier: MIT
/* See sieve.h. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <unistd.h>

#include "igt.h"
#include "sieve.h"

void sieve_new(struct sieve *sieve)
{
	static char page[4096] = { 1 };
	int drop[2];
	unsigned int i;

	igt_assert_eq(pipe(sieve->keep), 0);
	igt_assert_eq(pipe(drop), 0);
	igt_assert_lte(SIEVE_PAGES * 4096, fcntl(sieve->keep[1], F_SETPIPE_SZ, SIEVE_PAGES * 4096));
	igt_assert_lte(SIEVE_PAGES * 4096, fcntl(drop[1], F_SETPIPE_SZ, SIEVE_PAGES * 4096));
	for (i = 0; i < SIEVE_PAGES; i++) {
		igt_assert_eq(write(sieve->keep[1], page, sizeof(page)), sizeof(page));
		igt_assert_eq(write(drop[1], page, sizeof(page)), sizeof(page));
	}
	close(drop[0]);
	close(drop[1]);
}

void sieve_free(struct sieve *sieve)
{
	close(sieve->keep[0]);
	close(sieve->keep[1]);
}
