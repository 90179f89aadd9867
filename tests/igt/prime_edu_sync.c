// SPDX-License-Identifier: MIT
/*
 * Who moves the bytes between the CPU and a device, and when: ph_vgem exports
 * a buffer, ph_edu imports it and its DMA engine reads or writes it, the CPU
 * reads or writes it through the exporter's mmap. The dma-buf contract puts
 * the exporter in charge of cache maintenance: it syncs every mapped
 * attachment when CPU access begins (DMA_BUF_IOCTL_SYNC START) and ends
 * (SYNC END), and its map and unmap of an attachment leave the memory
 * coherent for whoever owns it next.
 *
 * On x86 with a coherent IOMMU all of that is invisible: the device and the
 * CPU see the same bytes whatever is synced. Run in the swiotlb boot
 * (swiotlb=force, see scripts/run-guest.sh), every mapping is a bounce buffer
 * and each sync is a copy: a missing or misdirected one loses the data, and
 * these subtests fail. In the other boots they pass and check the data all
 * the same; in the boot without a DMA path they skip, saying so.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "drmtest.h"
#include "dumb.h"
#include "edu.h"
#include "gem.h"
#include "igt.h"
#include "prime.h"

#define BO_SIZE (16 * 4096)
/* Three windows of the engine, crossing pages at odd offsets. */
#define COPY_OFFSET (4096 + 123)
#define COPY_LENGTH (2 * 4096 + 777)

static int edu = -1;		/* ph_edu's card node: own objects and imports */
static int vgem = -1;		/* ph_vgem's card node: the exporter */
static char dma_desc[256];

/* A ph_vgem buffer with its GEM mmap, exported. */
struct exported {
	uint32_t handle;
	uint8_t *cpu;
	int dmabuf;
};

/* A ph_edu shmem object of its own, with its GEM mmap. */
struct own {
	uint32_t handle;
	uint8_t *cpu;
};

static void setup(void)
{
	if (edu >= 0)
		return;
	edu = edu_open_card();
	vgem = drm_open_card(DRIVER_PH_VGEM, 0);
	igt_assert(edu_dma_works(edu, dma_desc, sizeof(dma_desc)) ||
		   !strcmp(edu_boot_dma_path(), "none"));
	igt_info("%s\n", dma_desc);
}

static void require_dma(void)
{
	setup();
	if (!edu_dma_works(edu, dma_desc, sizeof(dma_desc)))
		igt_skip("the engine reaches no memory in this boot (%s): nothing to sync\n",
			 dma_desc);
}

static struct exported exported_new(void)
{
	struct exported bo;

	bo.handle = dumb_create_size(vgem, BO_SIZE).handle;
	bo.cpu = dumb_mmap(vgem, bo.handle, BO_SIZE, PROT_READ | PROT_WRITE);
	bo.dmabuf = prime_handle_to_fd(vgem, bo.handle);
	return bo;
}

static void exported_free(struct exported *bo)
{
	munmap(bo->cpu, BO_SIZE);
	close(bo->dmabuf);
	gem_close(vgem, bo->handle);
}

static struct own own_new(uint32_t seed)
{
	struct own bo;

	bo.handle = edu_create(edu, BO_SIZE, 0);
	bo.cpu = dumb_mmap(edu, bo.handle, BO_SIZE, PROT_READ | PROT_WRITE);
	fill_pattern(bo.cpu, BO_SIZE, seed);
	return bo;
}

static void own_free(struct own *bo)
{
	munmap(bo->cpu, BO_SIZE);
	gem_close(edu, bo->handle);
}

static void copy(uint32_t src, uint32_t dst)
{
	edu_copy(edu, src, COPY_OFFSET, dst, COPY_OFFSET, COPY_LENGTH);
}

/* The copied range of @got holds what the same range of @want holds. */
static void assert_copied(const uint8_t *got, const uint8_t *want, const char *what)
{
	size_t i;

	for (i = COPY_OFFSET; i < COPY_OFFSET + COPY_LENGTH; i++)
		igt_assert_f(got[i] == want[i],
			     "%s: byte 0x%zx is 0x%02x, the device wrote 0x%02x (%s)", what, i,
			     got[i], want[i], dma_desc);
}

static uint64_t range_sum(const uint8_t *p)
{
	uint64_t sum = 0;
	size_t i;

	for (i = COPY_OFFSET; i < COPY_OFFSET + COPY_LENGTH; i++)
		sum += p[i];
	return sum;
}

/* The engine writes an import; the CPU reads it after SYNC START. */
static void test_device_write_then_sync_start(void)
{
	struct exported bo = exported_new();
	struct own src = own_new(1);
	uint32_t import = prime_fd_to_handle(edu, bo.dmabuf);

	copy(src.handle, import);
	prime_sync_start(bo.dmabuf, false);
	assert_copied(bo.cpu, src.cpu, "the exporter's mmap after SYNC START");
	prime_sync_end(bo.dmabuf, false);

	gem_close(edu, import);
	own_free(&src);
	exported_free(&bo);
}

/* The CPU writes inside SYNC START/END; the engine reads the import after. */
static void test_cpu_write_then_sync_end(void)
{
	struct exported bo = exported_new();
	struct own dst = own_new(2);
	uint32_t import = prime_fd_to_handle(edu, bo.dmabuf);

	prime_sync_start(bo.dmabuf, true);
	fill_pattern(bo.cpu, BO_SIZE, 3);
	prime_sync_end(bo.dmabuf, true);
	copy(import, dst.handle);
	assert_copied(dst.cpu, bo.cpu, "ph_edu's own object, copied from the import");

	gem_close(edu, import);
	own_free(&dst);
	exported_free(&bo);
}

/* Written before any device attached: the import's first mapping must carry it. */
static void test_cpu_write_before_import(void)
{
	struct exported bo = exported_new();
	struct own dst = own_new(4);
	uint32_t import;

	fill_pattern(bo.cpu, BO_SIZE, 5);
	import = prime_fd_to_handle(edu, bo.dmabuf);
	copy(import, dst.handle);
	assert_copied(dst.cpu, bo.cpu, "ph_edu's own object, copied from a fresh import");

	gem_close(edu, import);
	own_free(&dst);
	exported_free(&bo);
}

/* The engine writes an import, the import goes away: the bytes stay. */
static void test_device_write_survives_detach(void)
{
	struct exported bo = exported_new();
	struct own src = own_new(6);
	uint32_t import = prime_fd_to_handle(edu, bo.dmabuf);

	copy(src.handle, import);
	/* The import's last handle: the attachment is unmapped and detached. */
	gem_close(edu, import);
	prime_sync_start(bo.dmabuf, false);
	assert_copied(bo.cpu, src.cpu, "the exporter's mmap after the importer detached");
	prime_sync_end(bo.dmabuf, false);

	own_free(&src);
	exported_free(&bo);
}

/* The kernel reads what the engine wrote, through vmap inside CPU access. */
static void test_device_write_then_kernel_read(void)
{
	struct exported bo = exported_new();
	struct own src = own_new(7);
	uint32_t import = prime_fd_to_handle(edu, bo.dmabuf);

	copy(src.handle, import);
	igt_assert_eq_u64(edu_checksum(edu, import, COPY_OFFSET, COPY_LENGTH),
			  range_sum(src.cpu));

	gem_close(edu, import);
	own_free(&src);
	exported_free(&bo);
}

/* ph_edu's own shmem objects: mapped for one copy, synced at both ends. */
static void test_own_objects_round_trip(void)
{
	struct own a = own_new(8), b = own_new(9);

	copy(a.handle, b.handle);
	assert_copied(b.cpu, a.cpu, "ph_edu's own destination object");
	fill_pattern(a.cpu, BO_SIZE, 10);
	copy(a.handle, b.handle);
	assert_copied(b.cpu, a.cpu, "ph_edu's own destination object, second copy");

	own_free(&a);
	own_free(&b);
}

/*
 * Each import maps the whole buffer for the engine (IOVA space behind the
 * IOMMU, bounce slots under swiotlb=force: 256 MiB of either in these
 * boots) and its close must give that back: many times the space in
 * imports, one after another, all succeed and copy.
 */
static void test_imports_release_mappings(void)
{
	const uint64_t size = 16ull << 20;
	uint32_t handle = dumb_create_size(vgem, size).handle, dst = edu_create(edu, 4096, 0);
	int dmabuf = prime_handle_to_fd(vgem, handle), i;

	for (i = 0; i < 40; i++) {
		uint32_t import;
		int ret = __prime_fd_to_handle(edu, dmabuf, &import);

		igt_assert_f(!ret, "import %d of a 16 MiB buffer failed (%s): earlier imports' "
			     "device mappings were not released", i, strerror(-ret));
		edu_copy(edu, import, size - 4096, dst, 0, 4096);
		gem_close(edu, import);
	}
	gem_close(edu, dst);
	close(dmabuf);
	gem_close(vgem, handle);
}

igt_main
{
	igt_describe("The engine writes an imported ph_vgem buffer; after DMA_BUF_IOCTL_SYNC "
		     "START the exporter's mmap shows the bytes.");
	igt_subtest("device-write-visible-after-sync-start") {
		require_dma();
		test_device_write_then_sync_start();
	}

	igt_describe("The CPU writes a ph_vgem buffer between SYNC START and END; the engine "
		     "then reads the bytes through the import.");
	igt_subtest("cpu-write-reaches-device-after-sync-end") {
		require_dma();
		test_cpu_write_then_sync_end();
	}

	igt_describe("The CPU writes a ph_vgem buffer before it is exported and imported; "
		     "the engine reads the bytes through the fresh import.");
	igt_subtest("cpu-write-before-import-reaches-device") {
		require_dma();
		test_cpu_write_before_import();
	}

	igt_describe("The engine writes an import, then the importer closes it: the bytes "
		     "stay in the exporter's buffer.");
	igt_subtest("device-write-survives-detach") {
		require_dma();
		test_device_write_survives_detach();
	}

	igt_describe("The engine writes an import; the kernel's checksum (vmap inside "
		     "begin/end_cpu_access) reads the bytes.");
	igt_subtest("device-write-visible-to-kernel-read") {
		require_dma();
		test_device_write_then_kernel_read();
	}

	igt_describe("The engine copies between ph_edu's own shmem objects, CPU writes in "
		     "between: each copy carries the CPU's latest bytes.");
	igt_subtest("own-objects-round-trip") {
		require_dma();
		test_own_objects_round_trip();
	}

	igt_describe("Forty imports of a 16 MiB buffer, one after another, each copied from: "
		     "each close gives its device mapping back (IOVA space, bounce slots).");
	igt_subtest("imports-release-their-mappings") {
		require_dma();
		test_imports_release_mappings();
	}
}
