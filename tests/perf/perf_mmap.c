// SPDX-License-Identifier: MIT
/*
 * CPU mmap throughput, in the spirit of IGT's vgem_mmap, through the GEM mmap
 * (MODE_MAP_DUMB offset on the DRM fd) and through the dma-buf mmap, for
 * buffers of 2, 16, 64 and 256 MiB (the guest has 2 GiB):
 *
 *  - touch: mmap() of a fresh buffer and the first write to each of its
 *    pages, i.e. the page fault path with shmem allocation; mmap() is timed
 *    too because upstream's shmem helper allocates every page in mmap(),
 *    where ours allocates them at the first fault;
 *  - read, write, clear: steady passes over the faulted-in mapping (sum of
 *    every 64-bit word, memset to a pattern, memset to zero).
 *
 * Each at two placements, chosen with MAP_FIXED inside a reservation so both
 * drivers get the same: 2 MiB-aligned (a2M: huge pages can be mapped with
 * PMDs) and 4 KiB past a 2 MiB boundary (a4K: they cannot). On ph_vgem the
 * touch is measured once more with the module parameter huge_pages=0
 * (metric suffix _hugeoff: the library's 4 KiB path); the stock driver has
 * one path only and measures the same thing again.
 *
 * MiB/s, higher is better. The bench guest's RAM is preallocated on the host
 * (scripts/run-guest.sh), so no size pays for the host's first touch of
 * guest memory.
 */
#include <sys/mman.h>

#include "perf.h"

#define MIB (1024ull * 1024)
#define PMD (2 * MIB)
/* Steady passes cover at least this much, so small buffers are timed long enough. */
#define STEADY_BYTES (64 * MIB)
/* First touches cover at least this much, in fresh buffers. */
#define TOUCH_BYTES (16 * MIB)
#define HUGE_PAGES "/sys/module/prime_helpers/parameters/huge_pages"

static double mib_per_s(uint64_t bytes, uint64_t ns)
{
	return (double)bytes / MIB / (ns / 1e9);
}

static void set_huge_pages(bool on)
{
	FILE *f = fopen(HUGE_PAGES, "w");

	if (!f || fputs(on ? "1\n" : "0\n", f) < 0 || fclose(f))
		perf_die("cannot write %s", HUGE_PAGES);
}

/*
 * Where the next mapping of @size goes: inside a fresh inaccessible
 * reservation, at a 2 MiB boundary or 4 KiB past one. The caller maps with
 * MAP_FIXED there and unmaps the whole reservation.
 */
struct place {
	uint8_t *base;
	size_t len;
	uint8_t *addr;
};

static struct place place_new(uint64_t size, bool aligned)
{
	struct place pl = { .len = size + 2 * PMD };

	pl.base = mmap(NULL, pl.len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pl.base == MAP_FAILED)
		perf_die("reserving %zu bytes of address space", pl.len);
	pl.addr = (uint8_t *)(((uintptr_t)pl.base + PMD - 1) & ~(uintptr_t)(PMD - 1));
	if (!aligned)
		pl.addr += 4096;
	return pl;
}

static void *map_gem(int fd, uint32_t handle, uint64_t size, void *addr)
{
	struct drm_mode_map_dumb arg = { .handle = handle };
	void *ptr;

	if (drmIoctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &arg))
		perf_die("MODE_MAP_DUMB");
	ptr = mmap(addr, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, arg.offset);
	if (ptr != addr)
		perf_die("GEM mmap of %llu bytes", (unsigned long long)size);
	return ptr;
}

static void *map_dmabuf(int dmabuf, uint64_t size, void *addr)
{
	void *ptr = mmap(addr, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, dmabuf, 0);

	if (ptr != addr)
		perf_die("dma-buf mmap of %llu bytes", (unsigned long long)size);
	return ptr;
}

/*
 * First touch of fresh buffers, @rounds of them (small buffers: enough for
 * the time to mean something). Leaves the last one mapped in @pl, its handle
 * in @handle and its dma-buf (or -1) in @dmabuf.
 */
static uint64_t touch_fresh(int fd, bool through_dmabuf, uint64_t size, bool aligned,
			    unsigned int rounds, struct place *pl, uint32_t *handle, int *dmabuf)
{
	uint64_t start, ns = 0;
	unsigned int r;
	uint8_t *ptr;
	size_t i;

	for (r = 0; r < rounds; r++) {
		if (r) {
			munmap(pl->base, pl->len);
			if (*dmabuf >= 0)
				close(*dmabuf);
			perf_close_handle(fd, *handle);
		}
		*handle = perf_create(fd, size);
		*dmabuf = through_dmabuf ? perf_export(fd, *handle) : -1;
		*pl = place_new(size, aligned);

		start = perf_now_ns();
		ptr = through_dmabuf ? map_dmabuf(*dmabuf, size, pl->addr) :
				       map_gem(fd, *handle, size, pl->addr);
		for (i = 0; i < size; i += 4096)
			ptr[i] = 1;
		ns += perf_now_ns() - start;
	}
	return ns;
}

static void release(int fd, struct place *pl, uint32_t handle, int dmabuf)
{
	munmap(pl->base, pl->len);
	if (dmabuf >= 0)
		close(dmabuf);
	perf_close_handle(fd, handle);
}

static void measure(int fd, bool ours, bool through_dmabuf, uint64_t size, bool aligned)
{
	const char *path = through_dmabuf ? "dmabuf" : "gem";
	const char *align = aligned ? "a2M" : "a4K";
	unsigned int mib = size / MIB, passes = size >= STEADY_BYTES ? 1 : STEADY_BYTES / size;
	unsigned int rounds = size >= TOUCH_BYTES ? 1 : TOUCH_BYTES / size;
	volatile uint64_t sink = 0;
	uint64_t start, sum = 0, ns;
	struct place pl;
	uint32_t handle;
	char metric[64];
	unsigned int p;
	uint8_t *ptr;
	int dmabuf;
	size_t i;

	/* The 4 KiB path of the library first, where huge pages would be mapped. */
	if (aligned) {
		if (ours)
			set_huge_pages(false);
		ns = touch_fresh(fd, through_dmabuf, size, aligned, rounds, &pl, &handle, &dmabuf);
		if (ours)
			set_huge_pages(true);
		release(fd, &pl, handle, dmabuf);
		snprintf(metric, sizeof(metric), "mmap_%s_%uM_%s_touch_hugeoff", path, mib, align);
		perf_record(metric, "MiB/s", "higher", mib_per_s(size * rounds, ns));
	}

	ns = touch_fresh(fd, through_dmabuf, size, aligned, rounds, &pl, &handle, &dmabuf);
	snprintf(metric, sizeof(metric), "mmap_%s_%uM_%s_touch", path, mib, align);
	perf_record(metric, "MiB/s", "higher", mib_per_s(size * rounds, ns));
	ptr = pl.addr;

	start = perf_now_ns();
	for (p = 0; p < passes; p++) {
		const uint64_t *words = (const uint64_t *)ptr;

		for (i = 0; i < size / sizeof(*words); i++)
			sum += words[i];
	}
	sink = sum;
	snprintf(metric, sizeof(metric), "mmap_%s_%uM_%s_read", path, mib, align);
	perf_record(metric, "MiB/s", "higher", mib_per_s(size * passes, perf_now_ns() - start));

	start = perf_now_ns();
	for (p = 0; p < passes; p++)
		memset(ptr, 0x5a + p, size);
	snprintf(metric, sizeof(metric), "mmap_%s_%uM_%s_write", path, mib, align);
	perf_record(metric, "MiB/s", "higher", mib_per_s(size * passes, perf_now_ns() - start));

	start = perf_now_ns();
	for (p = 0; p < passes; p++)
		memset(ptr, 0, size);
	snprintf(metric, sizeof(metric), "mmap_%s_%uM_%s_clear", path, mib, align);
	perf_record(metric, "MiB/s", "higher", mib_per_s(size * passes, perf_now_ns() - start));

	/* The last pass cleared it: a buffer reading otherwise was not written. */
	if (ptr[size - 1] || sink == 1)
		perf_die("%s mapping of %u MiB did not keep a write", path, mib);
	release(fd, &pl, handle, dmabuf);
}

int main(int argc, char **argv)
{
	static const unsigned int sizes_mib[] = { 2, 16, 64, 256 };
	const char *key = perf_driver(argc, argv);
	bool ours = !strcmp(key, DRIVER_PH_VGEM);
	int fd = perf_open(key, 0);
	unsigned int s, a;

	for (s = 0; s < sizeof(sizes_mib) / sizeof(sizes_mib[0]); s++)
		for (a = 0; a < 2; a++) {
			measure(fd, ours, false, sizes_mib[s] * MIB, a == 0);
			measure(fd, ours, true, sizes_mib[s] * MIB, a == 0);
		}
	close(fd);
	perf_record_peak_rss("perf_mmap");
	return 0;
}
