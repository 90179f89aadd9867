// SPDX-License-Identifier: MIT
/*
 * Kernel CPU access to a buffer of the driver under test: ph_edu imports a
 * 64 KiB buffer and its CHECKSUM ioctl reads the first page through the
 * kernel, bracketed by begin/end_cpu_access and a vmap + vunmap of the
 * import, which is the exporter's vmap (the driver under test). Records
 * checksums per second, higher is better. No outer vmap is held, so each call
 * maps and unmaps the whole buffer: the unnested case.
 *
 * Then the nested case: with PH_EDU_CHECKSUM_NESTED_VMAPS the ioctl holds one
 * mapping and sums each of the 16 pages through a vmap/vunmap pair of its
 * own; records those pairs per second. An importer's nested maps are
 * refcounted by the dma-buf core (dma_buf_vmap()) before they reach the
 * exporter, so this measures the path an importer really takes, where both
 * exporters are expected to be alike.
 */
#include "edu.h"
#include "perf.h"

#define BO_SIZE (64 * 1024)
#define RUN_NS 1500000000ull

/* CHECKSUM calls per second with @sum as it is, over RUN_NS; @what names the failure. */
static double checksums_per_s(int edu, struct ph_edu_checksum *sum, const char *what)
{
	uint64_t start = perf_now_ns(), now;
	unsigned long calls = 0;

	do {
		if (drmIoctl(edu, DRM_IOCTL_PH_EDU_CHECKSUM, sum))
			perf_die("PH_EDU_CHECKSUM %s", what);
		if (sum->sum)
			perf_die("a fresh buffer checksums to %llu", (unsigned long long)sum->sum);
		calls++;
		now = perf_now_ns();
	} while (now - start < RUN_NS);
	return calls * 1e9 / (now - start);
}

int main(int argc, char **argv)
{
	const char *key = perf_driver(argc, argv);
	int fd = perf_open(key, 0), edu, dmabuf;
	uint32_t handle;
	struct ph_edu_checksum sum = { .length = 4096 };

	edu = drm_open_device(DRIVER_PH_EDU, 0, DRM_NODE_RENDER);
	if (edu < 0)
		perf_die("no render node of %s", DRIVER_PH_EDU);
	handle = perf_create(fd, BO_SIZE);
	dmabuf = perf_export(fd, handle);
	sum.handle = perf_import(edu, dmabuf);

	perf_record("vmap_checksum_4K", "calls/s", "higher",
		    checksums_per_s(edu, &sum, "of an import"));

	sum.flags = PH_EDU_CHECKSUM_NESTED_VMAPS;
	sum.length = BO_SIZE;
	perf_record("vmap_nested_pairs_64K", "pairs/s", "higher",
		    checksums_per_s(edu, &sum, "with nested vmaps of an import") * (BO_SIZE / 4096));

	perf_close_handle(edu, sum.handle);
	close(dmabuf);
	perf_close_handle(fd, handle);
	close(edu);
	close(fd);
	return 0;
}
