// SPDX-License-Identifier: MIT
/* See sieve.h. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "igt.h"
#include "sieve.h"

#define HUGE_PAGES "/sys/module/prime_helpers/parameters/huge_pages"

/* Sets huge_pages to @value; returns the old value, -1 without the library. */
static int swap_huge_pages(int value)
{
	FILE *f = fopen(HUGE_PAGES, "r+");
	char old = 0;

	if (!f)
		return -1;
	igt_assert_eq(fread(&old, 1, 1, f), 1);
	rewind(f);
	igt_assert(fputs(value ? "1\n" : "0\n", f) >= 0);
	igt_assert_eq(fclose(f), 0);
	return old == 'Y' || old == '1';
}

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
	sieve->huge_pages = swap_huge_pages(0);
}

void sieve_free(struct sieve *sieve)
{
	if (sieve->huge_pages >= 0)
		swap_huge_pages(sieve->huge_pages);
	close(sieve->keep[0]);
	close(sieve->keep[1]);
}
