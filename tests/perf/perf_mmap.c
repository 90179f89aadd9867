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
 * touch is measured again as controls for what the README credits: with the
 * module parameter huge_pages=0 (metric suffix _hugeoff: the library's 4 KiB
 * path), and with fault_around_pages=1 as well (_hugeoff_fa1: one page per
 * fault, as the stock helper maps); the stock driver has one path only and
 * measures the same thing again.
 *
 * The limit beside the peer: the same first touch and steady passes on
 * anonymous memory with transparent huge pages (MADV_HUGEPAGE), 2 MiB-aligned,
 * in the same program run (metrics anon_thp_*, measured on both runs alike).
 * The kernel cannot fault a shared buffer in faster than its own anonymous
 * memory; ours over this says how much is left.
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

static double mib_per_s(uint64_t bytes, uint64_t ns)
{
	return (double)bytes / MIB / (ns / 1e9);
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

/* Steady read, write and clear passes over a faulted-in mapping, as @what. */
static void steady_passes(const char *what, uint64_t size, const char *align, uint8_t *ptr)
{
	unsigned int mib = size / MIB, passes = size >= STEADY_BYTES ? 1 : STEADY_BYTES / size;
	volatile uint64_t sink;
	uint64_t start, sum = 0;
	char metric[64];
	unsigned int p;
	size_t i;

	start = perf_now_ns();
	for (p = 0; p < passes; p++) {
		const uint64_t *words = (const uint64_t *)ptr;

		for (i = 0; i < size / sizeof(*words); i++)
			sum += words[i];
	}
	sink = sum;
	(void)sink;
	snprintf(metric, sizeof(metric), "%s_%uM_%s_read", what, mib, align);
	perf_record(metric, "MiB/s", "higher", mib_per_s(size * passes, perf_now_ns() - start));

	start = perf_now_ns();
	for (p = 0; p < passes; p++)
		memset(ptr, 0x5a + p, size);
	snprintf(metric, sizeof(metric), "%s_%uM_%s_write", what, mib, align);
	perf_record(metric, "MiB/s", "higher", mib_per_s(size * passes, perf_now_ns() - start));

	start = perf_now_ns();
	for (p = 0; p < passes; p++)
		memset(ptr, 0, size);
	snprintf(metric, sizeof(metric), "%s_%uM_%s_clear", what, mib, align);
	perf_record(metric, "MiB/s", "higher", mib_per_s(size * passes, perf_now_ns() - start));
}

/*
 * The limit: fresh anonymous memory with transparent huge pages, touched and
 * passed over like a buffer, 2 MiB-aligned.
 */
static void measure_anon(uint64_t size)
{
	unsigned int mib = size / MIB, rounds = size >= TOUCH_BYTES ? 1 : TOUCH_BYTES / size, r;
	uint64_t start, ns = 0;
	long huge_before = 0;
	struct place pl;
	char metric[64];
	uint8_t *ptr;
	size_t i;

	for (r = 0; r < rounds; r++) {
		if (r)
			munmap(pl.base, pl.len);
		pl = place_new(size, true);
		huge_before = perf_meminfo_kib("AnonHugePages");
		start = perf_now_ns();
		ptr = mmap(pl.addr, size, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		if (ptr != pl.addr)
			perf_die("anonymous mmap of %u MiB", mib);
		if (madvise(ptr, size, MADV_HUGEPAGE))
			perf_die("MADV_HUGEPAGE");
		for (i = 0; i < size; i += 4096)
			ptr[i] = 1;
		ns += perf_now_ns() - start;
	}
	snprintf(metric, sizeof(metric), "anon_thp_%uM_a2M_touch", mib);
	perf_record(metric, "MiB/s", "higher", mib_per_s(size * rounds, ns));
	/* A limit only if the kernel gave it huge pages: say how much of it. */
	snprintf(metric, sizeof(metric), "anon_thp_%uM_a2M_huge_percent", mib);
	perf_record(metric, "%", "higher",
		    100.0 * (perf_meminfo_kib("AnonHugePages") - huge_before) * 1024 / size);
	steady_passes("anon_thp", size, "a2M", ptr);
	munmap(pl.base, pl.len);
}

static void measure(int fd, bool ours, bool through_dmabuf, uint64_t size, bool aligned)
{
	const char *path = through_dmabuf ? "dmabuf" : "gem";
	const char *align = aligned ? "a2M" : "a4K";
	unsigned int mib = size / MIB, rounds = size >= TOUCH_BYTES ? 1 : TOUCH_BYTES / size;
	struct place pl;
	uint32_t handle;
	char metric[64];
	uint8_t *ptr;
	uint64_t ns;
	int dmabuf;

	/*
	 * The controls first, where huge pages would be mapped: the library's
	 * 4 KiB path, then that path with one page per fault.
	 */
	if (aligned) {
		unsigned int huge = perf_set_library_param(ours, "huge_pages", 0), around;

		ns = touch_fresh(fd, through_dmabuf, size, aligned, rounds, &pl, &handle, &dmabuf);
		release(fd, &pl, handle, dmabuf);
		snprintf(metric, sizeof(metric), "mmap_%s_%uM_%s_touch_hugeoff", path, mib, align);
		perf_record(metric, "MiB/s", "higher", mib_per_s(size * rounds, ns));

		around = perf_set_library_param(ours, "fault_around_pages", 1);
		ns = touch_fresh(fd, through_dmabuf, size, aligned, rounds, &pl, &handle, &dmabuf);
		release(fd, &pl, handle, dmabuf);
		perf_restore_library_param(ours, "fault_around_pages", around);
		perf_restore_library_param(ours, "huge_pages", huge);
		snprintf(metric, sizeof(metric), "mmap_%s_%uM_%s_touch_hugeoff_fa1", path, mib, align);
		perf_record(metric, "MiB/s", "higher", mib_per_s(size * rounds, ns));
	}

	ns = touch_fresh(fd, through_dmabuf, size, aligned, rounds, &pl, &handle, &dmabuf);
	snprintf(metric, sizeof(metric), "mmap_%s_%uM_%s_touch", path, mib, align);
	perf_record(metric, "MiB/s", "higher", mib_per_s(size * rounds, ns));
	ptr = pl.addr;

	snprintf(metric, sizeof(metric), "mmap_%s", path);
	steady_passes(metric, size, align, ptr);

	/* The last pass cleared it: a buffer reading otherwise was not written. */
	if (ptr[size - 1])
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

	for (s = 0; s < sizeof(sizes_mib) / sizeof(sizes_mib[0]); s++) {
		measure_anon(sizes_mib[s] * MIB);
		for (a = 0; a < 2; a++) {
			measure(fd, ours, false, sizes_mib[s] * MIB, a == 0);
			measure(fd, ours, true, sizes_mib[s] * MIB, a == 0);
		}
	}
	close(fd);
	return 0;
}
