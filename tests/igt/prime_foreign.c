// SPDX-License-Identifier: MIT
/*
 * PRIME across devices: between two ph_vgem devices, between ph_vgem and the
 * stock vgem in both directions, and into cirrus (a real PCI device). The
 * importer attaches and maps; the exporter's pages are pinned for as long as
 * the import lives; the importer's GEM mmap redirects to the exporter, so
 * both devices' mappings show the same pages; the reservation object is
 * shared. The stock vgem takes part as a peer; every subtest involves
 * ph_vgem, so none has a stock-only oracle run.
 */
#include <drm_fourcc.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xf86drmMode.h>

#include "debugfs.h"
#include "drmtest.h"
#include "dumb.h"
#include "gem.h"
#include "exporters.h"
#include "igt.h"
#include "import_race.h"
#include "prime.h"
#include "vgem.h"

#define BO_SIZE (16 * 4096)

static void write_through(int fd, uint32_t handle, uint32_t seed)
{
	uint32_t *ptr = dumb_mmap(fd, handle, BO_SIZE, PROT_READ | PROT_WRITE);

	fill_pattern(ptr, BO_SIZE, seed);
	munmap(ptr, BO_SIZE);
}

static void assert_through(int fd, uint32_t handle, uint32_t seed)
{
	uint32_t *ptr = dumb_mmap(fd, handle, BO_SIZE, PROT_READ);

	igt_assert_pattern(ptr, BO_SIZE, seed);
	munmap(ptr, BO_SIZE);
}

static void assert_dmabuf(int dmabuf, uint32_t seed)
{
	uint32_t *ptr = prime_mmap(dmabuf, BO_SIZE, PROT_READ);

	igt_assert_pattern(ptr, BO_SIZE, seed);
	munmap(ptr, BO_SIZE);
}

/* The ph_objects line of a handle (MAP_DUMB gives the offset that names it). */
static struct ph_object object_of(int fd, uint32_t handle)
{
	return ph_object_get(fd, dumb_map_offset(fd, handle));
}

static void check_between_ph_devices(void)
{
	struct ph_stats before, after;
	int dev0, dev1, dmabuf, again;
	struct ph_object exporter, importer;
	struct dumb_bo bo;
	uint32_t imported;

	ph_stats_read(&before);
	dev0 = drm_open_card(DRIVER_PH_VGEM, 0);
	dev1 = drm_open_card(DRIVER_PH_VGEM, 1);
	bo = dumb_create_size(dev0, BO_SIZE);
	dmabuf = prime_handle_to_fd_for_mmap(dev0, bo.handle);
	imported = prime_fd_to_handle(dev1, dmabuf);

	/* Both devices' GEM mmaps, both directions, and the dma-buf's. */
	write_through(dev0, bo.handle, 0x1000);
	assert_through(dev1, imported, 0x1000);
	write_through(dev1, imported, 0x2000);
	assert_through(dev0, bo.handle, 0x2000);
	assert_dmabuf(dmabuf, 0x2000);

	exporter = object_of(dev0, bo.handle);
	importer = object_of(dev1, imported);
	igt_assert_eq(exporter.exported, 1);
	igt_assert_eq(exporter.imported, 0);
	igt_assert_eq(importer.imported, 1);
	igt_assert_eq_u64(importer.size, BO_SIZE);
	/* The importer's attachment pins the exporter's pages. */
	igt_assert_lte(1, exporter.pins);

	/* Re-export from the importer hands back the original dma-buf. */
	again = prime_handle_to_fd(dev1, imported);
	igt_assert_eq(fd_inode(again), fd_inode(dmabuf));
	close(again);
	/* And importing that back into the exporter gives its own handle. */
	igt_assert_eq_u32(prime_fd_to_handle(dev0, dmabuf), bo.handle);

	gem_close(dev1, imported);
	igt_assert_eq(object_of(dev0, bo.handle).pins, 0);
	close(dmabuf);
	close(dev1);
	close(dev0);
	ph_stats_read(&after);
	ph_stats_assert_equal(&before, &after);
}

static void check_foreign_reimport(void)
{
	int dev0 = drm_open_card(DRIVER_PH_VGEM, 0);
	int dev1 = drm_open_card(DRIVER_PH_VGEM, 1);
	struct dumb_bo bo = dumb_create_size(dev0, BO_SIZE);
	int dmabuf = prime_handle_to_fd(dev0, bo.handle);
	uint32_t first = prime_fd_to_handle(dev1, dmabuf);
	int copy = dup(dmabuf);
	struct ph_stats stats;
	long attachments;

	ph_stats_read(&stats);
	attachments = stats.attachments;
	igt_assert_eq_u32(prime_fd_to_handle(dev1, dmabuf), first);
	igt_assert_eq_u32(prime_fd_to_handle(dev1, copy), first);
	/* One import, one attachment, however often it is looked up. */
	ph_stats_read(&stats);
	igt_assert_eq(stats.attachments, attachments);
	close(copy);
	close(dmabuf);
	close(dev1);
	close(dev0);
}

static void check_from_stock(void)
{
	struct ph_stats before, after;
	int stock, ours, dmabuf, again;
	struct dumb_bo bo;
	uint32_t imported;

	ph_stats_read(&before);
	stock = drm_open_card(DRIVER_STOCK_VGEM, 0);
	ours = drm_open_card(DRIVER_PH_VGEM, 0);
	bo = dumb_create_size(stock, BO_SIZE);
	dmabuf = prime_handle_to_fd_for_mmap(stock, bo.handle);
	imported = prime_fd_to_handle(ours, dmabuf);

	write_through(stock, bo.handle, 0x3000);
	assert_through(ours, imported, 0x3000);
	write_through(ours, imported, 0x4000);
	assert_through(stock, bo.handle, 0x4000);
	igt_assert_eq(object_of(ours, imported).imported, 1);

	again = prime_handle_to_fd(ours, imported);
	igt_assert_eq(fd_inode(again), fd_inode(dmabuf));
	close(again);
	ph_stats_read(&after);
	igt_assert_eq(after.imports, before.imports + 1);

	/* The exporter may go first: the import holds the dma-buf. */
	close(dmabuf);
	close(stock);
	assert_through(ours, imported, 0x4000);
	close(ours);
	ph_stats_read(&after);
	ph_stats_assert_equal(&before, &after);
}

static void check_to_stock(void)
{
	struct ph_stats before, during, after;
	int stock, ours, dmabuf, again;
	struct dumb_bo bo;
	uint32_t imported;

	ph_stats_read(&before);
	stock = drm_open_card(DRIVER_STOCK_VGEM, 0);
	ours = drm_open_card(DRIVER_PH_VGEM, 0);
	bo = dumb_create_size(ours, BO_SIZE);
	dmabuf = prime_handle_to_fd_for_mmap(ours, bo.handle);
	imported = prime_fd_to_handle(stock, dmabuf);

	ph_stats_read(&during);
	igt_assert_eq(during.attachments, before.attachments + 1);
	igt_assert_lte(1, object_of(ours, bo.handle).pins);

	/* Stock vgem cannot MAP_DUMB an import; its re-export is our dma-buf. */
	again = prime_handle_to_fd(stock, imported);
	igt_assert_eq(fd_inode(again), fd_inode(dmabuf));
	write_through(ours, bo.handle, 0x5000);
	assert_dmabuf(again, 0x5000);
	close(again);

	gem_close(stock, imported);
	igt_assert_eq(object_of(ours, bo.handle).pins, 0);
	close(dmabuf);
	close(stock);
	close(ours);
	ph_stats_read(&after);
	ph_stats_assert_equal(&before, &after);
}

static void check_into_cirrus(void)
{
	struct ph_stats before, during, after;
	int cirrus, ours, dmabuf;
	struct dumb_bo bo;
	uint32_t imported;

	ph_stats_read(&before);
	cirrus = drm_open_card(DRIVER_CIRRUS, 0);
	ours = drm_open_card(DRIVER_PH_VGEM, 0);
	bo = dumb_create_size(ours, BO_SIZE);
	write_through(ours, bo.handle, 0x6000);
	dmabuf = prime_handle_to_fd(ours, bo.handle);
	imported = prime_fd_to_handle(cirrus, dmabuf);

	ph_stats_read(&during);
	igt_assert_eq(during.attachments, before.attachments + 1);
	igt_assert_lte(1, object_of(ours, bo.handle).pins);
	/* The importer's DMA mapping does not disturb the CPU's view... */
	assert_through(ours, bo.handle, 0x6000);
	/* ...and CPU access brackets sync the live attachment both ways. */
	prime_sync_start(dmabuf, true);
	write_through(ours, bo.handle, 0x6100);
	prime_sync_end(dmabuf, true);
	prime_sync_start(dmabuf, false);
	assert_dmabuf(dmabuf, 0x6100);
	prime_sync_end(dmabuf, false);

	gem_close(cirrus, imported);
	igt_assert_eq(object_of(ours, bo.handle).pins, 0);
	close(dmabuf);
	close(cirrus);
	close(ours);
	ph_stats_read(&after);
	ph_stats_assert_equal(&before, &after);
}

static void check_concurrent_import(void)
{
	unsigned int rounds = scale_iterations(256), i;
	int dev0 = drm_open_card(DRIVER_PH_VGEM, 0);
	int dev1 = drm_open_card(DRIVER_PH_VGEM, 1);
	struct import_race *race = import_race_start(dev1);
	struct ph_stats before, during, after;

	ph_stats_read(&before);
	for (i = 0; i < rounds; i++) {
		struct dumb_bo bo = dumb_create_size(dev0, 4096);
		int dmabuf = prime_handle_to_fd(dev0, bo.handle);
		uint32_t got[2];

		import_race_round(race, dmabuf, got);
		igt_assert_f(got[0] && got[0] == got[1], "round %u: handles %u and %u", i,
			     got[0], got[1]);
		close(dmabuf);
		gem_close(dev0, bo.handle);
	}
	/* Every dma-buf was imported once: one import, one attachment each. */
	ph_stats_read(&during);
	igt_assert_eq(during.imports, before.imports + rounds);
	igt_assert_eq(during.attachments, before.attachments + rounds);
	import_race_stop(race);
	close(dev1);
	ph_stats_read(&after);
	igt_assert_eq(after.imports, before.imports);
	igt_assert_eq(after.attachments, before.attachments);
	igt_assert_eq(after.dma_bufs, before.dma_bufs);
	close(dev0);
}

/* Imports a non-DRM exporter's dma-buf and checks the pages both ways. */
static void check_non_drm_exporter(int dmabuf, uint32_t *cpu)
{
	struct ph_stats before, during, after;
	int fd;
	uint32_t imported;

	ph_stats_read(&before);
	fd = drm_open_card(DRIVER_PH_VGEM, 0);
	fill_pattern(cpu, BO_SIZE, 0x9000);
	imported = prime_fd_to_handle(fd, dmabuf);
	ph_stats_read(&during);
	igt_assert_eq(during.imports, before.imports + 1);
	/* The attachment is to the foreign exporter's dma-buf, not one of ours. */
	igt_assert_eq(during.attachments, before.attachments);
	igt_assert_eq_u64(object_of(fd, imported).size, BO_SIZE);
	igt_assert_eq(object_of(fd, imported).imported, 1);
	/* ph_vgem's GEM mmap of the import redirects to the exporter's mmap. */
	assert_through(fd, imported, 0x9000);
	write_through(fd, imported, 0x9100);
	igt_assert_pattern(cpu, BO_SIZE, 0x9100);
	gem_close(fd, imported);
	close(fd);
	ph_stats_read(&after);
	ph_stats_assert_equal(&before, &after);
}

static void check_from_udmabuf(void)
{
	int memfd = -1, dmabuf = udmabuf_create(BO_SIZE, &memfd);
	uint32_t *cpu;

	igt_require_f(dmabuf != -ENODEV, "this kernel has no /dev/udmabuf\n");
	cpu = mmap(NULL, BO_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	igt_assert(cpu != MAP_FAILED);
	check_non_drm_exporter(dmabuf, cpu);
	munmap(cpu, BO_SIZE);
	close(dmabuf);
	close(memfd);
}

static void check_from_dma_heap(void)
{
	int dmabuf = dma_heap_alloc(BO_SIZE);
	uint32_t *cpu;

	igt_require_f(dmabuf != -ENODEV, "this kernel has no system dma-heap\n");
	cpu = prime_mmap(dmabuf, BO_SIZE, PROT_READ | PROT_WRITE);
	check_non_drm_exporter(dmabuf, cpu);
	munmap(cpu, BO_SIZE);
	close(dmabuf);
}

/*
 * cirrus scanning out an imported ph_vgem buffer: its plane updates vmap the
 * import (dma_buf_vmap, so our vmap) and copy from it between CPU access
 * brackets (our begin/end_cpu_access, with cirrus' attachment mapped). What
 * reaches VRAM cannot be read back here (the BAR belongs to the driver), so
 * this checks that the path runs and that everything it took is released.
 */
#define SCAN_W 800
#define SCAN_H 600

static drmModeModeInfo *find_mode(drmModeConnector *conn, int w, int h)
{
	int i;

	for (i = 0; i < conn->count_modes; i++)
		if (conn->modes[i].hdisplay == w && conn->modes[i].vdisplay == h)
			return &conn->modes[i];
	return NULL;
}

static void check_cirrus_scanout(void)
{
	struct dumb_bo bo = { .width = SCAN_W, .height = SCAN_H, .bpp = 32 };
	uint32_t handles[4] = { 0 }, pitches[4] = { 0 }, offsets[4] = { 0 };
	struct ph_stats before, during, after;
	drmModeConnector *conn = NULL;
	drmModeModeInfo *mode = NULL;
	uint32_t *pixels, fb_id, conn_id;
	int cirrus, ours, dmabuf, i;
	drmModeRes *res;

	ph_stats_read(&before);
	cirrus = drm_open_card(DRIVER_CIRRUS, 0);
	drmSetMaster(cirrus);
	ours = drm_open_card(DRIVER_PH_VGEM, 0);
	dumb_create(ours, &bo);
	pixels = dumb_mmap(ours, bo.handle, bo.size, PROT_READ | PROT_WRITE);
	fill_pattern(pixels, bo.size, 0x123456);
	dmabuf = prime_handle_to_fd(ours, bo.handle);

	handles[0] = prime_fd_to_handle(cirrus, dmabuf);
	pitches[0] = bo.pitch;
	igt_assert_eq(drmModeAddFB2(cirrus, SCAN_W, SCAN_H, DRM_FORMAT_XRGB8888, handles,
				    pitches, offsets, &fb_id, 0), 0);

	res = drmModeGetResources(cirrus);
	igt_assert(res && res->count_crtcs > 0);
	for (i = 0; i < res->count_connectors && !mode; i++) {
		if (conn)
			drmModeFreeConnector(conn);
		conn = drmModeGetConnector(cirrus, res->connectors[i]);
		if (conn && conn->connection == DRM_MODE_CONNECTED)
			mode = find_mode(conn, SCAN_W, SCAN_H);
	}
	igt_assert_f(mode, "cirrus offers no %dx%d mode", SCAN_W, SCAN_H);
	conn_id = conn->connector_id;
	igt_assert_eq(drmModeSetCrtc(cirrus, res->crtcs[0], fb_id, 0, 0, &conn_id, 1, mode), 0);
	/* New contents, then a dirty-fb: cirrus maps and copies them again. */
	fill_pattern(pixels, bo.size, 0xabcdef);
	igt_assert_eq(drmModeDirtyFB(cirrus, fb_id, NULL, 0), 0);
	ph_stats_read(&during);
	igt_info("while displayed: %ld vmaps, %ld attachments\n", during.vmaps,
		 during.attachments);
	igt_assert_eq(during.attachments, before.attachments + 1);
	/* The CPU's view is untouched by the device's access. */
	igt_assert_pattern(pixels, bo.size, 0xabcdef);

	igt_assert_eq(drmModeSetCrtc(cirrus, res->crtcs[0], 0, 0, 0, NULL, 0, NULL), 0);
	igt_assert_eq(drmModeRmFB(cirrus, fb_id), 0);
	drmModeFreeConnector(conn);
	drmModeFreeResources(res);
	gem_close(cirrus, handles[0]);
	close(cirrus);
	munmap(pixels, bo.size);
	close(dmabuf);
	close(ours);
	/* Every vmap, attachment and mapping is gone again. */
	ph_stats_read(&after);
	ph_stats_assert_equal(&before, &after);
}

static void check_after_exporter_closed(void)
{
	int dev0 = drm_open_card(DRIVER_PH_VGEM, 0);
	int dev1 = drm_open_card(DRIVER_PH_VGEM, 1);
	struct dumb_bo bo = dumb_create_size(dev0, BO_SIZE);
	int dmabuf = prime_handle_to_fd(dev0, bo.handle);
	uint32_t imported;

	write_through(dev0, bo.handle, 0x7000);
	close(dev0);
	imported = prime_fd_to_handle(dev1, dmabuf);
	close(dmabuf);
	/* Only the import holds the exporter's object now. */
	assert_through(dev1, imported, 0x7000);
	write_through(dev1, imported, 0x7100);
	assert_through(dev1, imported, 0x7100);
	close(dev1);
}

static void check_chain(void)
{
	int dev0 = drm_open_card(DRIVER_PH_VGEM, 0);
	int dev1 = drm_open_card(DRIVER_PH_VGEM, 1);
	int stock = drm_open_card(DRIVER_STOCK_VGEM, 0);
	struct dumb_bo bo = dumb_create_size(dev0, BO_SIZE);
	int dmabuf = prime_handle_to_fd(dev0, bo.handle), passed, back;
	uint32_t on_dev1, on_stock;

	on_dev1 = prime_fd_to_handle(dev1, dmabuf);
	passed = prime_handle_to_fd(dev1, on_dev1);
	igt_assert_eq(fd_inode(passed), fd_inode(dmabuf));
	on_stock = prime_fd_to_handle(stock, passed);
	back = prime_handle_to_fd(stock, on_stock);
	igt_assert_eq(fd_inode(back), fd_inode(dmabuf));

	write_through(dev1, on_dev1, 0x8000);
	assert_through(dev0, bo.handle, 0x8000);
	assert_dmabuf(back, 0x8000);
	close(back);
	close(passed);
	close(dmabuf);
	close(stock);
	close(dev1);
	close(dev0);
}

static void check_shared_reservation(void)
{
	int dev0 = drm_open_card(DRIVER_PH_VGEM, 0);
	int dev1 = drm_open_card(DRIVER_PH_VGEM, 1);
	struct dumb_bo bo = dumb_create_size(dev0, BO_SIZE);
	int dmabuf = prime_handle_to_fd(dev0, bo.handle);
	uint32_t imported = prime_fd_to_handle(dev1, dmabuf);
	struct ph_vgem_fence_attach attach = { .handle = bo.handle, .flags = PH_VGEM_FENCE_WRITE };
	uint32_t fence;

	/* A fence placed through the importer is on the exporter's object. */
	fence = vgem_fence_attach(dev1, imported, PH_VGEM_FENCE_WRITE);
	igt_assert(prime_busy(dmabuf, false));
	igt_assert_eq(__vgem_fence_attach(dev0, &attach), -EBUSY);
	vgem_fence_signal(dev1, fence);
	igt_assert(!prime_busy(dmabuf, true));

	/* And the other way round. */
	fence = vgem_fence_attach(dev0, bo.handle, PH_VGEM_FENCE_WRITE);
	attach.handle = imported;
	igt_assert_eq(__vgem_fence_attach(dev1, &attach), -EBUSY);
	vgem_fence_signal(dev0, fence);
	close(dmabuf);
	close(dev1);
	close(dev0);
}

static void check_stock_fence_seen(void)
{
	int stock = drm_open_card(DRIVER_STOCK_VGEM, 0);
	int ours = drm_open_card(DRIVER_PH_VGEM, 0);
	struct dumb_bo bo = dumb_create_size(stock, BO_SIZE);
	int dmabuf = prime_handle_to_fd(stock, bo.handle);
	uint32_t imported = prime_fd_to_handle(ours, dmabuf);
	struct ph_vgem_fence_attach attach = { .handle = imported, .flags = PH_VGEM_FENCE_WRITE };
	uint32_t fence;

	fence = vgem_fence_attach(stock, bo.handle, 0);
	igt_assert_eq(__vgem_fence_attach(ours, &attach), -EBUSY);
	vgem_fence_signal(stock, fence);
	vgem_fence_signal(ours, vgem_fence_attach(ours, imported, PH_VGEM_FENCE_WRITE));
	close(dmabuf);
	close(ours);
	close(stock);
}

static void check_imported_faults_on_exporter(void)
{
	int dev0 = drm_open_card(DRIVER_PH_VGEM, 0);
	int dev1 = drm_open_card(DRIVER_PH_VGEM, 1);
	struct dumb_bo bo = dumb_create_size(dev0, BO_SIZE);
	int dmabuf = prime_handle_to_fd(dev0, bo.handle);
	uint32_t imported = prime_fd_to_handle(dev1, dmabuf);
	uint64_t before;
	uint32_t *ptr;

	before = object_of(dev0, bo.handle).faults;
	ptr = dumb_mmap(dev1, imported, BO_SIZE, PROT_READ);
	igt_assert(is_zeroed(ptr, BO_SIZE));
	/* The importer's mapping was served by the exporter's fault handler. */
	igt_assert_lt(before, object_of(dev0, bo.handle).faults);
	munmap(ptr, BO_SIZE);
	close(dmabuf);
	close(dev1);
	close(dev0);
}

static void check_imported_mmap_past_end(void)
{
	int dev0 = drm_open_card(DRIVER_PH_VGEM, 0);
	int dev1 = drm_open_card(DRIVER_PH_VGEM, 1);
	struct dumb_bo bo = dumb_create_size(dev0, BO_SIZE);
	int dmabuf = prime_handle_to_fd(dev0, bo.handle);
	uint32_t imported = prime_fd_to_handle(dev1, dmabuf);
	uint64_t offset = dumb_map_offset(dev1, imported);
	void *ptr;

	ptr = mmap(NULL, BO_SIZE + 1, PROT_READ, MAP_SHARED, dev1, offset);
	igt_assert(ptr == MAP_FAILED && errno == EINVAL);
	ptr = mmap(NULL, BO_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE, dev1, offset);
	igt_assert(ptr == MAP_FAILED && errno == EINVAL);
	close(dmabuf);
	close(dev1);
	close(dev0);
}

igt_main
{
	igt_describe("Foreign import between two ph_vgem devices: same pages through both mmaps.");
	igt_subtest("foreign-import-between-ph-devices")
		check_between_ph_devices();

	igt_describe("Two foreign imports of one dma-buf: one handle, one attachment.");
	igt_subtest("foreign-reimport-same-handle")
		check_foreign_reimport();

	igt_describe("A stock vgem buffer imported into ph_vgem: same pages through both mmaps.");
	igt_subtest("foreign-import-from-stock-vgem")
		check_from_stock();

	igt_describe("ph_vgem buffer in stock vgem: pinned while imported, same dma-buf back.");
	igt_subtest("foreign-export-to-stock-vgem")
		check_to_stock();

	igt_describe("ph_vgem buffer in cirrus (PCI): attached and pinned until closed.");
	igt_subtest("foreign-import-into-cirrus")
		check_into_cirrus();

	igt_describe("cirrus scans out an imported ph_vgem buffer (vmap, CPU access), then lets go.");
	igt_subtest("foreign-import-cirrus-scanout")
		check_cirrus_scanout();

	igt_describe("Two threads importing one dma-buf into a foreign device get one handle.");
	igt_subtest("foreign-concurrent-import-same-handle")
		check_concurrent_import();

	igt_describe("A udmabuf (memfd pages) imports into ph_vgem: same pages both ways.");
	igt_subtest("foreign-import-from-udmabuf")
		check_from_udmabuf();

	igt_describe("A system dma-heap buffer imports into ph_vgem: same pages both ways.");
	igt_subtest("foreign-import-from-dma-heap")
		check_from_dma_heap();

	igt_describe("Import into a foreign device after the exporter's file is gone.");
	igt_subtest("foreign-import-after-exporter-closed")
		check_after_exporter_closed();

	igt_describe("Passed ph_vgem 0 -> ph_vgem 1 -> stock: one dma-buf, one set of pages.");
	igt_subtest("foreign-import-chain")
		check_chain();

	igt_describe("Importer and exporter share the reservation object: fences seen both ways.");
	igt_subtest("foreign-import-shares-reservation")
		check_shared_reservation();

	igt_describe("A fence stock vgem put on its buffer is seen by ph_vgem's import of it.");
	igt_subtest("foreign-import-sees-stock-fences")
		check_stock_fence_seen();

	igt_describe("The importer's GEM mmap is served by the exporter's fault handler.");
	igt_subtest("foreign-imported-mmap-faults-on-exporter")
		check_imported_faults_on_exporter();

	igt_describe("The importer's GEM mmap refuses past-the-end and MAP_PRIVATE writes.");
	igt_subtest("foreign-imported-mmap-bad-is-einval")
		check_imported_mmap_past_end();
}
