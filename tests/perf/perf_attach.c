// SPDX-License-Identifier: MIT
/*
 * map_attachment: how long it takes to map a 64 MiB buffer of the driver
 * under test for a device, and into how many scatterlist entries.
 *
 *  - ph_edu (QEMU's edu DMA engine; only in a boot with the IOMMU, since
 *    without it the 28-bit engine has no DMA in a 2 GiB guest): its PRIME
 *    import attaches and maps at FD_TO_HANDLE time, so the exporter's
 *    map_dma_buf (pinning the shmem pages, building the sg table) plus the
 *    IOMMU mapping is what is timed. One DMA copy of a page out of the
 *    import then reports the sg table's entries (src_segments).
 *  - cirrus (the stock driver, imports through upstream's shmem helper,
 *    which also maps at import): timed with and without the IOMMU, the boot
 *    decides which; the metric's name says.
 *
 * Each import is of a fresh buffer, three times; the medians are recorded.
 * Microseconds, lower is better. Entries are reported, not judged: the
 * fewest a device allows is the buffer's size over its segment limit (1024
 * for edu's 64 KiB), and a table with fewer has segments the device said it
 * cannot take.
 */
#include <sys/stat.h>

#include "edu.h"
#include "perf.h"

#define MIB (1024ull * 1024)
#define BO_SIZE (64 * MIB)
#define TIMES 3

/*
 * Each measurement three ways: as a driver meets it (a fresh buffer, its
 * pages allocated by the import), and two controls for what the README
 * credits: the library's huge folios off (huge_pages=0; the stock driver
 * measures its one path again), and a buffer whose pages were written before
 * the import, so that only the mapping is timed.
 */
static const struct variant {
	const char *suffix;
	bool huge_pages_off;
	bool populated;
} variants[] = {
	{ "", false, false },
	{ "_hugeoff", true, false },
	{ "_populated", false, true },
}, *variant;

/* Whether @fd's device sits behind an IOMMU (it has an IOMMU group). */
static bool behind_iommu(int fd)
{
	char dir[256], path[300];
	struct stat st;

	if (!drm_sysfs_dir(fd, dir, sizeof(dir)))
		perf_die("no sysfs directory for a DRM fd");
	snprintf(path, sizeof(path), "%s/device/iommu_group", dir);
	return stat(path, &st) == 0;
}

/*
 * Writes every page of @handle through its GEM mmap, so that a later import
 * times the mapping alone, not the allocation of the pages as well.
 */
static void populate(int fd, uint32_t handle)
{
	munmap(perf_map_written(fd, handle, BO_SIZE), BO_SIZE);
}

/* Microseconds to import a fresh 64 MiB buffer of @fd into @importer. */
static double import_us(int fd, int importer, uint32_t *imported, int *dmabuf, uint32_t *handle)
{
	uint64_t start;

	*handle = perf_create(fd, BO_SIZE);
	if (variant->populated)
		populate(fd, *handle);
	*dmabuf = perf_export(fd, *handle);
	start = perf_now_ns();
	*imported = perf_import(importer, *dmabuf);
	return (perf_now_ns() - start) / 1000.0;
}

static void release(int fd, int importer, uint32_t imported, int dmabuf, uint32_t handle)
{
	perf_close_handle(importer, imported);
	close(dmabuf);
	perf_close_handle(fd, handle);
}

static void map_for_edu(int fd)
{
	struct ph_edu_create create = { .size = 4096 };
	double us[TIMES], segments[TIMES];
	char metric[80];
	int edu, i;

	edu = drm_open_device(DRIVER_PH_EDU, 0, DRM_NODE_RENDER);
	if (edu < 0)
		perf_die("no render node of %s", DRIVER_PH_EDU);
	if (!behind_iommu(edu)) {
		printf("perf_attach: no IOMMU in this boot: the edu engine has no DMA, not measured\n");
		close(edu);
		return;
	}
	if (drmIoctl(edu, DRM_IOCTL_PH_EDU_CREATE, &create))
		perf_die("PH_EDU_CREATE");
	for (i = 0; i < TIMES; i++) {
		struct ph_edu_copy copy = { .length = 4096, .dst_handle = create.handle };
		uint32_t imported, handle;
		int dmabuf;

		us[i] = import_us(fd, edu, &imported, &dmabuf, &handle);
		copy.src_handle = imported;
		if (drmIoctl(edu, DRM_IOCTL_PH_EDU_COPY, &copy))
			perf_die("PH_EDU_COPY of one page out of the import");
		/* It varies with how contiguous the freshly allocated pages happen to be. */
		segments[i] = copy.src_segments;
		release(fd, edu, imported, dmabuf, handle);
	}
	snprintf(metric, sizeof(metric), "map_attachment_64M_edu_iommu%s", variant->suffix);
	perf_record(metric, "us", "lower", perf_median(us, TIMES));
	snprintf(metric, sizeof(metric), "map_attachment_64M_edu_iommu%s_sg_entries", variant->suffix);
	perf_record(metric, "entries", "neither", perf_median(segments, TIMES));
	perf_close_handle(edu, create.handle);
	close(edu);
}

static void map_for_cirrus(int fd)
{
	int cirrus = perf_open(DRIVER_CIRRUS, 0), i;
	double us[TIMES];
	char metric[80];

	for (i = 0; i < TIMES; i++) {
		uint32_t imported, handle;
		int dmabuf;

		us[i] = import_us(fd, cirrus, &imported, &dmabuf, &handle);
		release(fd, cirrus, imported, dmabuf, handle);
	}
	snprintf(metric, sizeof(metric), "map_attachment_64M_cirrus_%s%s",
		 behind_iommu(cirrus) ? "iommu" : "noiommu", variant->suffix);
	perf_record(metric, "us", "lower", perf_median(us, TIMES));
	close(cirrus);
}

int main(int argc, char **argv)
{
	const char *key = perf_driver(argc, argv);
	bool ours = !strcmp(key, DRIVER_PH_VGEM);
	int fd = perf_open(key, 0);
	size_t v;

	for (v = 0; v < sizeof(variants) / sizeof(variants[0]); v++) {
		unsigned int huge;

		variant = &variants[v];
		huge = perf_set_library_param(ours, "huge_pages", !variant->huge_pages_off);
		map_for_edu(fd);
		map_for_cirrus(fd);
		perf_restore_library_param(ours, "huge_pages", huge);
	}
	close(fd);
	return 0;
}
