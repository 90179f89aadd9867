// SPDX-License-Identifier: MIT
/*
 * Kernel memory per object and per PRIME cache entry, from the Slab line of
 * /proc/meminfo (every slab cache together, so shmem's inode and file, the
 * GEM object and the driver's own structures all count): N = 8192 4 KiB
 * dumb buffers are created, then each is exported and imported into a
 * second file of the same device, its dma-buf fd closed (the dma-buf, its
 * file and one cache entry in each file stay). Bytes, lower is better; slab
 * caches grow in whole slabs and other activity adds noise, hence many
 * objects and several repetitions.
 */
#include "perf.h"

#define OBJECTS 8192

static long slab_kib(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	long kib = -1;

	if (!f)
		perf_die("cannot open /proc/meminfo");
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Slab: %ld kB", &kib) == 1)
			break;
	fclose(f);
	if (kib < 0)
		perf_die("no Slab line in /proc/meminfo");
	return kib;
}

int main(int argc, char **argv)
{
	const char *key = perf_driver(argc, argv);
	int fd = perf_open(key, 0), importer = perf_open(key, 0);
	static uint32_t handle[OBJECTS];
	long before, created, shared;
	unsigned int i;

	before = slab_kib();
	for (i = 0; i < OBJECTS; i++)
		handle[i] = perf_create(fd, 4096);
	created = slab_kib();
	for (i = 0; i < OBJECTS; i++) {
		int dmabuf = perf_export(fd, handle[i]);

		perf_import(importer, dmabuf);
		close(dmabuf);
	}
	shared = slab_kib();
	perf_record("slab_per_object", "bytes", "lower", (created - before) * 1024.0 / OBJECTS);
	perf_record("slab_per_export_import", "bytes", "lower", (shared - created) * 1024.0 / OBJECTS);
	close(importer);
	close(fd);
	return 0;
}
