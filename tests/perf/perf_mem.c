// SPDX-License-Identifier: MIT
/*
 * Memory the kernel holds for the driver under test, from /proc/meminfo:
 *
 *  - slab: kernel memory per object and per PRIME cache entry, from the Slab
 *    line (every slab cache together, so shmem's inode and file, the GEM
 *    object and the driver's own structures all count): N = 8192 4 KiB dumb
 *    buffers are created, then each is exported and imported into a second
 *    file of the same device, its dma-buf fd closed (the dma-buf, its file
 *    and one cache entry in each file stay). Bytes; slab caches grow in whole
 *    slabs and other activity adds noise, hence many objects and several
 *    repetitions.
 *  - pages: a 64 MiB buffer written through its GEM mmap, then unmapped with
 *    its handle still open: the Shmem and Unevictable lines' growth while it
 *    is mapped and after the unmap (whole MiB). Shmem says the pages exist (the same
 *    for both drivers, a control); Unevictable says reclaim may not touch
 *    them, which is what a driver that pins on mmap costs a system under
 *    memory pressure.
 *
 * Lower is better for all of them.
 */
#include <sys/mman.h>

#include "perf.h"

#define OBJECTS 8192
#define PAGES_SIZE (64ull << 20)

static void slab_figures(const char *key)
{
	int fd = perf_open(key, 0), importer = perf_open(key, 0);
	static uint32_t handle[OBJECTS];
	long before, created, shared;
	unsigned int i;

	before = perf_meminfo_kib("Slab");
	for (i = 0; i < OBJECTS; i++)
		handle[i] = perf_create(fd, 4096);
	created = perf_meminfo_kib("Slab");
	for (i = 0; i < OBJECTS; i++) {
		int dmabuf = perf_export(fd, handle[i]);

		perf_import(importer, dmabuf);
		close(dmabuf);
	}
	shared = perf_meminfo_kib("Slab");
	perf_record("slab_per_object", "bytes", "lower", (created - before) * 1024.0 / OBJECTS);
	perf_record("slab_per_export_import", "bytes", "lower", (shared - created) * 1024.0 / OBJECTS);
	close(importer);
	close(fd);
}

/*
 * Whole MiB: pages on their way to an LRU list sit in per-CPU batches for a
 * while, so the last few KiB are noise, not a difference between drivers.
 */
static double mib(long kib)
{
	return (double)((kib + 512) / 1024);
}

static void page_figures(const char *key)
{
	int fd = perf_open(key, 0);
	uint32_t handle = perf_create(fd, PAGES_SIZE);
	long shmem = perf_meminfo_kib("Shmem"), unevictable = perf_meminfo_kib("Unevictable");
	uint8_t *ptr = perf_map_written(fd, handle, PAGES_SIZE);

	perf_record("mem_64M_mapped_shmem", "MiB", "lower", mib(perf_meminfo_kib("Shmem") - shmem));
	perf_record("mem_64M_mapped_unevictable", "MiB", "lower",
		    mib(perf_meminfo_kib("Unevictable") - unevictable));
	munmap(ptr, PAGES_SIZE);
	perf_record("mem_64M_unmapped_shmem", "MiB", "lower", mib(perf_meminfo_kib("Shmem") - shmem));
	perf_record("mem_64M_unmapped_unevictable", "MiB", "lower",
		    mib(perf_meminfo_kib("Unevictable") - unevictable));
	perf_close_handle(fd, handle);
	close(fd);
}

int main(int argc, char **argv)
{
	const char *key = perf_driver(argc, argv);

	slab_figures(key);
	page_figures(key);
	return 0;
}
