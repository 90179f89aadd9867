// SPDX-License-Identifier: MIT
/*
 * map_attachment: how long it takes to map a 64 MiB buffer of the driver
 * under test for a device, and into how many scatterlist entries. The device
 * is ph_edu's (QEMU's edu DMA engine, behind the IOMMU in the bench guest):
 * its PRIME import attaches to the dma-buf and maps the attachment at
 * FD_TO_HANDLE time, so the exporter's map_dma_buf (pinning the shmem pages
 * and building the sg table) is what is timed. One DMA copy of a page out of
 * the import then reports the sg table's entries (src_segments).
 *
 * Microseconds, lower is better; entries, fewer is better (the pages are
 * the same: fewer entries means more merged contiguous runs).
 */
#include "edu.h"
#include "perf.h"

#define MIB (1024ull * 1024)
#define BO_SIZE (64 * MIB)

int main(int argc, char **argv)
{
	const char *key = perf_driver(argc, argv);
	int fd = perf_open(key, 0), edu, dmabuf;
	struct ph_edu_create create = { .size = 4096 };
	struct ph_edu_copy copy = { .length = 4096 };
	uint32_t handle, imported;
	uint64_t start, elapsed;

	edu = drm_open_device(DRIVER_PH_EDU, 0, DRM_NODE_RENDER);
	if (edu < 0)
		perf_die("no render node of %s", DRIVER_PH_EDU);
	if (drmIoctl(edu, DRM_IOCTL_PH_EDU_CREATE, &create))
		perf_die("PH_EDU_CREATE");

	handle = perf_create(fd, BO_SIZE);
	dmabuf = perf_export(fd, handle);
	start = perf_now_ns();
	imported = perf_import(edu, dmabuf);
	elapsed = perf_now_ns() - start;
	perf_record("map_attachment_64M", "us", "lower", elapsed / 1000.0);

	copy.src_handle = imported;
	copy.dst_handle = create.handle;
	if (drmIoctl(edu, DRM_IOCTL_PH_EDU_COPY, &copy))
		perf_die("PH_EDU_COPY of one page out of the import");
	perf_record("map_attachment_64M_sg_entries", "entries", "lower", copy.src_segments);

	perf_close_handle(edu, imported);
	perf_close_handle(edu, create.handle);
	close(dmabuf);
	perf_close_handle(fd, handle);
	close(edu);
	close(fd);
	return 0;
}
