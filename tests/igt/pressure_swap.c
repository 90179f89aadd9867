// SPDX-License-Identifier: MIT
/*
 * Memory that really goes away: objects whose pages the library gave back to
 * shmem (evicted through ph_evict, or released at their last CPU unmap) are
 * pushed out to swap by the kernel's reclaim, and their data comes back on
 * the next touch, through the GEM mmap, the dma-buf mmap, the kernel's vmap
 * and a device import.
 *
 * Runs only in make check's pressure boot (scripts/run-guest.sh PH_BOOT=
 * pressure, which guest-init.sh gives zram swap and the cgroup2 memory
 * controller): programs named pressure_* run there and nowhere else. Each
 * subtest moves the program into a fresh memory cgroup with a limit, so its
 * pages are charged there, then asks that cgroup to reclaim everything it
 * can (memory.reclaim) and checks with the cgroup's own counters that the
 * objects' pages went to swap (memory.swap.current) and left memory
 * (memory.stat shmem) before reading them back.
 *
 * Pages given back to shmem clean would be dropped, not swapped, and read
 * back as zeroes: that is what the data checks catch.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "debugfs.h"
#include "drmtest.h"
#include "dumb.h"
#include "edu.h"
#include "gem.h"
#include "igt.h"
#include "prime.h"

#define CGROUP_ROOT "/sys/fs/cgroup"
#define SMALL_OBJECTS 4
#define SMALL_SIZE (8u << 20)
#define HUGE_SIZE (32u << 20)
/* The cgroup's limit: far above what a subtest holds, so only reclaim moves pages. */
#define CGROUP_LIMIT "256M"

static char cgroup[256];

static char *cgroup_file(const char *name)
{
	return (char *)igt_fmt("%s/%s", cgroup, name);
}

/* Like write_whole_file(), but returns -errno: memory.reclaim says EAGAIN when short. */
static int __write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	int ret = 0;

	igt_assert_f(fd >= 0, "cannot open %s: %s", path, strerror(errno));
	if (write(fd, text, strlen(text)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

static uint64_t read_u64(const char *path)
{
	char *text = read_whole_file(path, NULL);
	uint64_t v;

	igt_assert_f(text, "cannot read %s: %s", path, strerror(errno));
	v = strtoull(text, NULL, 10);
	free(text);
	return v;
}

/* One "name value" line of the cgroup's memory.stat. */
static uint64_t memory_stat(const char *name)
{
	return read_keyed_u64(cgroup_file("memory.stat"), name);
}

/* A fresh cgroup with a limit, holding this process from now on. */
static void enter_fresh_cgroup(const char *name)
{
	char *swaps = read_whole_file("/proc/swaps", NULL);

	igt_assert_f(swaps && strchr(swaps, '\n') && strchr(swaps, '\n')[1],
		     "no swap: this program needs the pressure boot's zram swap");
	free(swaps);
	snprintf(cgroup, sizeof(cgroup), CGROUP_ROOT "/%s-%d", name, getpid());
	igt_assert_f(!mkdir(cgroup, 0755), "cannot make %s: %s (is the memory controller on?)",
		     cgroup, strerror(errno));
	write_whole_file(cgroup_file("memory.max"), CGROUP_LIMIT);
	write_whole_file(cgroup_file("cgroup.procs"), igt_fmt("%d", getpid()));
}

/* Back to the root cgroup; the empty one goes (its swap charge moves up). */
static void leave_cgroup(void)
{
	write_whole_file(CGROUP_ROOT "/cgroup.procs", igt_fmt("%d", getpid()));
	igt_assert_f(!rmdir(cgroup), "cannot remove %s: %s", cgroup, strerror(errno));
}

/*
 * Asks the cgroup to reclaim all it holds, a few times (reclaim gives up
 * early under contention), then checks that at least @bytes went to swap
 * and that less than a tenth of them is still resident shmem.
 */
static void reclaim_to_swap(uint64_t bytes)
{
	uint64_t swapped = 0, resident = 0;
	int round;

	for (round = 0; round < 8; round++) {
		uint64_t current = read_u64(cgroup_file("memory.current"));

		__write_file(cgroup_file("memory.reclaim"), igt_fmt("%llu",
			     (unsigned long long)current));
		swapped = read_u64(cgroup_file("memory.swap.current"));
		resident = memory_stat("shmem");
		if (swapped >= bytes && resident < bytes / 10)
			break;
	}
	igt_info("after reclaim: %llu KiB in swap, %llu KiB of shmem resident (objects: %llu KiB)\n",
		 (unsigned long long)swapped >> 10, (unsigned long long)resident >> 10,
		 (unsigned long long)bytes >> 10);
	igt_assert_f(swapped >= bytes, "only %llu of the objects' %llu KiB went to swap",
		     (unsigned long long)swapped >> 10, (unsigned long long)bytes >> 10);
	igt_assert_f(resident < bytes / 10, "%llu KiB of shmem still resident",
		     (unsigned long long)resident >> 10);
}

struct victim {
	struct dumb_bo bo;
	uint64_t offset;
	uint32_t seed;
};

static struct victim victim_new(int fd, uint64_t size, uint32_t seed)
{
	struct victim v = { .seed = seed };

	v.bo = dumb_create_size(fd, size);
	v.offset = dumb_map_offset(fd, v.bo.handle);
	return v;
}

/*
 * Written through the GEM mmap, then unmapped (which gives the pages back).
 * Returns how many huge folios the object held while it was mapped.
 */
static unsigned int victim_write(int fd, struct victim *v)
{
	void *p = dumb_mmap(fd, v->bo.handle, v->bo.size, PROT_READ | PROT_WRITE);
	unsigned int huge;

	fill_pattern(p, v->bo.size, v->seed);
	huge = ph_object_get(fd, v->offset).huge;
	munmap(p, v->bo.size);
	return huge;
}

static void check_gem_mmap(int fd, struct victim *v)
{
	void *p = dumb_mmap(fd, v->bo.handle, v->bo.size, PROT_READ);
	long bad = check_pattern(p, v->bo.size, v->seed);

	igt_assert_f(bad < 0, "object %u: byte 0x%lx lost after swap (GEM mmap)", v->bo.handle,
		     bad);
	munmap(p, v->bo.size);
}

/* Objects written, evicted, swapped out: their data comes back by GEM mmap. */
static void test_evicted(uint64_t size, unsigned int count)
{
	int fd = drm_open_card(DRIVER_PH_VGEM, 0);
	struct victim v[SMALL_OBJECTS];
	unsigned int i;

	enter_fresh_cgroup("evicted");
	for (i = 0; i < count; i++) {
		unsigned int huge;

		v[i] = victim_new(fd, size, 100 + i);
		huge = victim_write(fd, &v[i]);
		/* A huge object must be what it says, or this tests nothing new. */
		if (size == HUGE_SIZE)
			igt_assert_f(huge > 0, "the %u MiB object got no huge folio", (unsigned int)(size >> 20));
		igt_info("object %u: %u huge folios while mapped\n", i, huge);
	}
	ph_evict(fd);
	for (i = 0; i < count; i++)
		igt_assert_eq(ph_object_get(fd, v[i].offset).segments, 0);
	reclaim_to_swap(size * count);
	for (i = 0; i < count; i++) {
		check_gem_mmap(fd, &v[i]);
		gem_close(fd, v[i].bo.handle);
	}
	close(fd);
	leave_cgroup();
}

/* Written through a dma-buf mmap; the last munmap gives the pages back. */
static void test_unmapped_dmabuf(void)
{
	int fd = drm_open_card(DRIVER_PH_VGEM, 0);
	struct victim v;
	int dmabuf;
	void *p;
	long bad;

	enter_fresh_cgroup("unmapped");
	v = victim_new(fd, SMALL_SIZE, 200);
	dmabuf = prime_handle_to_fd_for_mmap(fd, v.bo.handle);
	p = prime_mmap(dmabuf, SMALL_SIZE, PROT_READ | PROT_WRITE);
	prime_sync_start(dmabuf, true);
	fill_pattern(p, SMALL_SIZE, v.seed);
	prime_sync_end(dmabuf, true);
	munmap(p, SMALL_SIZE);
	igt_assert_eq(ph_object_get(fd, v.offset).segments, 0);
	reclaim_to_swap(SMALL_SIZE);

	p = prime_mmap(dmabuf, SMALL_SIZE, PROT_READ);
	prime_sync_start(dmabuf, false);
	bad = check_pattern(p, SMALL_SIZE, v.seed);
	prime_sync_end(dmabuf, false);
	igt_assert_f(bad < 0, "byte 0x%lx lost after swap (dma-buf mmap)", bad);
	munmap(p, SMALL_SIZE);
	close(dmabuf);
	gem_close(fd, v.bo.handle);
	close(fd);
	leave_cgroup();
}

static uint64_t pattern_sum(uint64_t size, uint32_t seed)
{
	uint8_t *p = malloc(size);
	uint64_t sum = 0, i;

	igt_assert(p);
	fill_pattern(p, size, seed);
	for (i = 0; i < size; i++)
		sum += p[i];
	free(p);
	return sum;
}

/*
 * Swapped out, then imported by ph_edu: the import's attachment brings the
 * pages back; the kernel's checksum (vmap) and the engine's copy see them.
 */
static void test_swapped_then_imported(void)
{
	int fd = drm_open_card(DRIVER_PH_VGEM, 0), edu = edu_open_card();
	char desc[256];
	struct victim v;
	uint32_t import, copy;
	uint8_t *p;
	int dmabuf, i;

	igt_require_f(edu_dma_works(edu, desc, sizeof(desc)), "%s\n", desc);
	enter_fresh_cgroup("imported");
	v = victim_new(fd, SMALL_SIZE, 300);
	victim_write(fd, &v);
	ph_evict(fd);
	reclaim_to_swap(SMALL_SIZE);

	dmabuf = prime_handle_to_fd(fd, v.bo.handle);
	import = prime_fd_to_handle(edu, dmabuf);
	igt_assert_eq_u64(edu_checksum(edu, import, 0, SMALL_SIZE),
			  pattern_sum(SMALL_SIZE, v.seed));
	/* The engine reads a few windows at both ends and in the middle. */
	copy = edu_create(edu, 3 * 4096, 0);
	for (i = 0; i < 3; i++)
		edu_copy(edu, import, (uint64_t)i * (SMALL_SIZE / 2 - 2048), copy, i * 4096, 4096);
	p = dumb_mmap(edu, copy, 3 * 4096, PROT_READ);
	{
		uint8_t *want = malloc(SMALL_SIZE);

		igt_assert(want);
		fill_pattern(want, SMALL_SIZE, v.seed);
		for (i = 0; i < 3; i++)
			igt_assert_f(!memcmp(p + i * 4096, want + (uint64_t)i * (SMALL_SIZE / 2 - 2048),
					     4096),
				     "window %d copied by the engine differs after swap", i);
		free(want);
	}
	munmap(p, 3 * 4096);
	gem_close(edu, copy);
	gem_close(edu, import);
	close(dmabuf);
	gem_close(fd, v.bo.handle);
	close(edu);
	close(fd);
	leave_cgroup();
}

igt_main
{
	igt_describe("Small objects written through the GEM mmap, evicted, swapped out by the "
		     "cgroup's reclaim: every byte reads back through the GEM mmap.");
	igt_subtest("evicted-objects-swapped-and-back")
		test_evicted(SMALL_SIZE, SMALL_OBJECTS);

	igt_describe("The same for one 32 MiB object held in huge folios.");
	igt_subtest("evicted-huge-object-swapped-and-back")
		test_evicted(HUGE_SIZE, 1);

	igt_describe("Written through a dma-buf mmap: the last munmap gives the pages back, "
		     "reclaim swaps them, the dma-buf mmap reads them back.");
	igt_subtest("unmapped-object-swapped-and-back")
		test_unmapped_dmabuf();

	igt_describe("Swapped out, then imported by ph_edu: the kernel's vmap and the DMA "
		     "engine read the data back.");
	igt_subtest("swapped-object-imported-by-device")
		test_swapped_then_imported();
}
