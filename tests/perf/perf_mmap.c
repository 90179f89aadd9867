// SPDX-License-Identifier: MIT
/*
 * CPU mmap throughput, in the spirit of IGT's vgem_mmap, through the GEM mmap
 * (MODE_MAP_DUMB offset on the DRM fd) and through the dma-buf mmap, for
 * buffers of 2, 16 and 64 MiB (the guest has 2 GiB):
 *
 *  - touch: mmap() of a fresh buffer and the first write to each of its
 *    pages, i.e. the page fault path with shmem allocation; mmap() is timed
 *    too because upstream's shmem helper allocates every page in mmap(),
 *    where ours allocates them at the first fault;
 *  - read, write, clear: steady passes over the faulted-in mapping (sum of
 *    every 64-bit word, memset to a pattern, memset to zero).
 *
 * MiB/s, higher is better. The mappings are at whatever address mmap picks
 * (4 KiB aligned); 2 MiB-aligned mappings are not measured yet.
 */
#include <sys/mman.h>

#include "perf.h"

#define MIB (1024ull * 1024)
/* Steady passes cover at least this much, so small buffers are timed long enough. */
#define STEADY_BYTES (64 * MIB)
/* First touches cover at least this much, in fresh buffers. */
#define TOUCH_BYTES (16 * MIB)

static double mib_per_s(uint64_t bytes, uint64_t ns)
{
	return (double)bytes / MIB / (ns / 1e9);
}

static void *map_gem(int fd, uint32_t handle, uint64_t size)
{
	struct drm_mode_map_dumb arg = { .handle = handle };
	void *ptr;

	if (drmIoctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &arg))
		perf_die("MODE_MAP_DUMB");
	ptr = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, arg.offset);
	if (ptr == MAP_FAILED)
		perf_die("GEM mmap of %llu bytes", (unsigned long long)size);
	return ptr;
}

static void *map_dmabuf(int dmabuf, uint64_t size)
{
	void *ptr = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, dmabuf, 0);

	if (ptr == MAP_FAILED)
		perf_die("dma-buf mmap of %llu bytes", (unsigned long long)size);
	return ptr;
}

static void measure(int fd, bool through_dmabuf, uint64_t size)
{
	const char *path = through_dmabuf ? "dmabuf" : "gem";
	unsigned int mib = size / MIB, passes = size >= STEADY_BYTES ? 1 : STEADY_BYTES / size;
	unsigned int rounds = size >= TOUCH_BYTES ? 1 : TOUCH_BYTES / size;
	uint32_t handle = 0;
	int dmabuf = -1;
	volatile uint64_t sink = 0;
	uint64_t start, sum = 0, touch_ns = 0;
	char metric[64];
	uint8_t *ptr = NULL;
	unsigned int p;
	size_t i;

	/* Small buffers: several fresh ones, so the time is long enough to mean something. */
	for (p = 0; p < rounds; p++) {
		if (ptr) {
			munmap(ptr, size);
			if (dmabuf >= 0)
				close(dmabuf);
			perf_close_handle(fd, handle);
		}
		handle = perf_create(fd, size);
		if (through_dmabuf)
			dmabuf = perf_export(fd, handle);

		start = perf_now_ns();
		ptr = through_dmabuf ? map_dmabuf(dmabuf, size) : map_gem(fd, handle, size);
		for (i = 0; i < size; i += 4096)
			ptr[i] = 1;
		touch_ns += perf_now_ns() - start;
	}
	snprintf(metric, sizeof(metric), "mmap_%s_%uM_touch", path, mib);
	perf_record(metric, "MiB/s", "higher", mib_per_s(size * rounds, touch_ns));

	start = perf_now_ns();
	for (p = 0; p < passes; p++) {
		const uint64_t *words = (const uint64_t *)ptr;

		for (i = 0; i < size / sizeof(*words); i++)
			sum += words[i];
	}
	sink = sum;
	snprintf(metric, sizeof(metric), "mmap_%s_%uM_read", path, mib);
	perf_record(metric, "MiB/s", "higher", mib_per_s(size * passes, perf_now_ns() - start));

	start = perf_now_ns();
	for (p = 0; p < passes; p++)
		memset(ptr, 0x5a + p, size);
	snprintf(metric, sizeof(metric), "mmap_%s_%uM_write", path, mib);
	perf_record(metric, "MiB/s", "higher", mib_per_s(size * passes, perf_now_ns() - start));

	start = perf_now_ns();
	for (p = 0; p < passes; p++)
		memset(ptr, 0, size);
	snprintf(metric, sizeof(metric), "mmap_%s_%uM_clear", path, mib);
	perf_record(metric, "MiB/s", "higher", mib_per_s(size * passes, perf_now_ns() - start));

	/* The last pass cleared it: a buffer reading otherwise was not written. */
	if (ptr[size - 1] || sink == 1)
		perf_die("%s mapping of %u MiB did not keep a write", path, mib);
	munmap(ptr, size);
	if (dmabuf >= 0)
		close(dmabuf);
	perf_close_handle(fd, handle);
}

int main(int argc, char **argv)
{
	static const unsigned int sizes_mib[] = { 2, 16, 64 };
	const char *key = perf_driver(argc, argv);
	int fd = perf_open(key, 0);
	unsigned int s;

	for (s = 0; s < sizeof(sizes_mib) / sizeof(sizes_mib[0]); s++) {
		measure(fd, false, sizes_mib[s] * MIB);
		measure(fd, true, sizes_mib[s] * MIB);
	}
	close(fd);
	perf_record_peak_rss("perf_mmap");
	return 0;
}
