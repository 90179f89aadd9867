/* SPDX-License-Identifier: MIT */
/*
 * Right after boot the page allocator hands out long physically contiguous
 * runs, which would hide sg table walking bugs and make "scattered" buffers
 * contiguous by chance. A sieve leaves isolated free pages behind: two pipes
 * get a page each, in turn, and one of them is then closed. Pipe pages are
 * unmovable kernel memory, like the exporters' pinned shmem pages (anonymous
 * memory would leave its holes in the movable free lists, which those
 * allocations do not look at first). A buffer that takes its pages while the
 * sieve lives gets scattered ones.
 *
 * A huge page is contiguous by construction, so while a sieve lives the
 * library's huge pages are off (module parameter huge_pages): objects created
 * meanwhile get 4 KiB pages. sieve_free() restores the parameter.
 */
#ifndef SIEVE_H
#define SIEVE_H

#define SIEVE_PAGES 2048

struct sieve {
	int keep[2];
	int huge_pages;	/* the parameter's value before, -1 without the library */
};

void sieve_new(struct sieve *sieve);
void sieve_free(struct sieve *sieve);

#endif /* SIEVE_H */
