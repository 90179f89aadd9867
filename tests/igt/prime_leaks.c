// SPDX-License-Identifier: MIT
/*
 * Nothing leaks: thousands of export/import/map/close cycles, many live
 * buffers per file, fences on exported buffers, and afterwards the library's
 * counters (prime_helpers/stats) and every device's object list (ph_objects)
 * are back where they started. The debug kernel runs fewer cycles.
 * ph_vgem only, apart from many-live-buffers-per-file, whose lookups are
 * checked on the stock vgem too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "debugfs.h"
#include "drmtest.h"
#include "dumb.h"
#include "gem.h"
#include "igt.h"
#include "prime.h"
#include "vgem.h"

struct snapshot {
	struct ph_stats stats;
	int objects[2];		/* ph_objects count of ph_vgem device 0 and 1 */
};

static void snapshot_take(struct snapshot *s)
{
	int i;

	ph_stats_read(&s->stats);
	for (i = 0; i < 2; i++) {
		int fd = drm_open_card(DRIVER_PH_VGEM, i);

		s->objects[i] = ph_objects_count(fd);
		close(fd);
	}
}

static void snapshot_assert_same(const struct snapshot *before)
{
	struct snapshot now;
	int i;

	snapshot_take(&now);
	ph_stats_assert_equal(&before->stats, &now.stats);
	for (i = 0; i < 2; i++)
		igt_assert_f(now.objects[i] == before->objects[i],
			     "device %d lists %d objects, %d before", i, now.objects[i],
			     before->objects[i]);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One life of a buffer: every path the library has, then everything closed. */
static void cycle(int dev0, int dev0b, int dev1, int stock, unsigned int i)
{
	struct dumb_bo bo = { .width = 1024, .height = 1, .bpp = 32 };
	uint32_t same, foreign, on_stock;
	int dmabuf, again;
	uint32_t *ptr;

	dumb_create(dev0, &bo);
	dmabuf = prime_handle_to_fd_for_mmap(dev0, bo.handle);
	same = prime_fd_to_handle(dev0b, dmabuf);
	foreign = prime_fd_to_handle(dev1, dmabuf);
	ptr = prime_mmap(dmabuf, 4096, PROT_READ | PROT_WRITE);
	ptr[0] = i;
	munmap(ptr, 4096);
	again = prime_handle_to_fd(dev1, foreign);
	igt_assert_eq(fd_inode(again), fd_inode(dmabuf));
	close(again);
	if (i % 8 == 0) {
		/* A foreign importer that is not ours, now and then. */
		on_stock = prime_fd_to_handle(stock, dmabuf);
		gem_close(stock, on_stock);
	}
	/* Close in an order that changes from cycle to cycle. */
	switch (i % 3) {
	case 0:
		close(dmabuf);
		gem_close(dev0, bo.handle);
		gem_close(dev1, foreign);
		gem_close(dev0b, same);
		break;
	case 1:
		gem_close(dev1, foreign);
		gem_close(dev0b, same);
		gem_close(dev0, bo.handle);
		close(dmabuf);
		break;
	default:
		gem_close(dev0, bo.handle);
		gem_close(dev0b, same);
		close(dmabuf);
		gem_close(dev1, foreign);
		break;
	}
}

static void check_cycles(void)
{
	unsigned int n = scale_iterations(4096), i;
	int dev0, dev0b, dev1, stock;
	struct snapshot before;
	double t0;

	snapshot_take(&before);
	dev0 = drm_open_card(DRIVER_PH_VGEM, 0);
	dev0b = drm_open_card(DRIVER_PH_VGEM, 0);
	dev1 = drm_open_card(DRIVER_PH_VGEM, 1);
	stock = drm_open_card(DRIVER_STOCK_VGEM, 0);
	t0 = now_s();
	for (i = 0; i < n; i++)
		cycle(dev0, dev0b, dev1, stock, i);
	igt_info("%u cycles in %.1f s\n", n, now_s() - t0);
	/* With every file still open, only their own objects may remain: none. */
	snapshot_assert_same(&before);
	close(stock);
	close(dev1);
	close(dev0b);
	close(dev0);
	snapshot_assert_same(&before);
}

/*
 * Many live buffers exported from one file and imported into another: every
 * re-import must find its handle. Returns seconds per re-import lookup.
 */
static double many_buffers(const char *key, unsigned int n, bool check_stats)
{
	int exporter = drm_open_card(key, 0), importer = drm_open_card(key, 0);
	uint32_t *handles = calloc(n, sizeof(*handles));
	uint32_t *imported = calloc(n, sizeof(*imported));
	struct ph_stats before, during;
	unsigned int i, round;
	double per_lookup;

	igt_assert(handles && imported);
	if (check_stats)
		ph_stats_read(&before);
	for (i = 0; i < n; i++) {
		struct dumb_bo bo = { .width = 1024, .height = 1, .bpp = 32 };
		int dmabuf;

		dumb_create(exporter, &bo);
		handles[i] = bo.handle;
		dmabuf = prime_handle_to_fd(exporter, bo.handle);
		imported[i] = prime_fd_to_handle(importer, dmabuf);
		/* The caches hold the dma-bufs: the fds need not stay open. */
		close(dmabuf);
	}
	if (check_stats) {
		ph_stats_read(&during);
		/* One entry in the exporter's cache and one in the importer's, each. */
		igt_assert_eq(during.cache_entries, before.cache_entries + 2 * n);
		igt_assert_eq(during.dma_bufs, before.dma_bufs + n);
	}

	/* The best of a few rounds: other guests share the host's CPUs. */
	per_lookup = 1e9;
	for (round = 0; round < 3; round++) {
		double t0 = now_s();

		for (i = 0; i < n; i++) {
			int dmabuf = prime_handle_to_fd(exporter, handles[i]);

			igt_assert_eq_u32(prime_fd_to_handle(importer, dmabuf), imported[i]);
			igt_assert_eq_u32(prime_fd_to_handle(exporter, dmabuf), handles[i]);
			close(dmabuf);
		}
		if ((now_s() - t0) / n < per_lookup)
			per_lookup = (now_s() - t0) / n;
	}

	close(importer);
	if (check_stats) {
		ph_stats_read(&during);
		igt_assert_eq(during.cache_entries, before.cache_entries + n);
	}
	close(exporter);
	if (check_stats) {
		ph_stats_read(&during);
		ph_stats_assert_equal(&before, &during);
	}
	free(handles);
	free(imported);
	return per_lookup;
}

/*
 * Thousands of live buffers per file: every lookup must still find exactly
 * its buffer, in both directions, and closing the files must empty the
 * caches. How the lookup time grows with the number of buffers is reported
 * for comparison with the stock driver, not judged: speed belongs to
 * 'make bench', where it is measured against the stock helpers in one boot.
 */
static void check_many_buffers(void)
{
	/* The debug kernel is many times slower: fewer buffers there. */
	unsigned int many = kernel_is_debug() ? 1024 : 16384, few = many / 16;
	const char *key;

	for_each_vgem_driver(key) {
		bool ours = !strcmp(key, DRIVER_PH_VGEM);
		double t_few = many_buffers(key, few, ours);
		double t_many = many_buffers(key, many, ours);

		igt_info("%s: %.1f us per export and two imports with %u buffers, "
			 "%.1f us with %u (x%.1f)\n", key, t_few * 1e6, few, t_many * 1e6, many,
			 t_many / t_few);
	}
}

static void check_fence_cycles(void)
{
	unsigned int n = scale_iterations(1024), i;
	struct snapshot before;
	int fd;

	snapshot_take(&before);
	fd = drm_open_card(DRIVER_PH_VGEM, 0);
	for (i = 0; i < n; i++) {
		struct dumb_bo bo = { .width = 1024, .height = 1, .bpp = 32 };
		int dmabuf;

		dumb_create(fd, &bo);
		dmabuf = prime_handle_to_fd(fd, bo.handle);
		vgem_fence_signal(fd, vgem_fence_attach(fd, bo.handle, i & 1));
		/* Every other fence is left for the file's close to signal. */
		if (i & 2)
			vgem_fence_attach(fd, bo.handle, 0);
		gem_close(fd, bo.handle);
		close(dmabuf);
	}
	close(fd);
	snapshot_assert_same(&before);
}

static void check_mapping_cycles(void)
{
	unsigned int n = scale_iterations(1024), i;
	struct snapshot before;
	int fd;

	snapshot_take(&before);
	fd = drm_open_card(DRIVER_PH_VGEM, 0);
	for (i = 0; i < n; i++) {
		struct dumb_bo bo = { .width = 1024, .height = 4, .bpp = 32 };
		uint32_t *gem, *buf;
		int dmabuf;

		dumb_create(fd, &bo);
		dmabuf = prime_handle_to_fd_for_mmap(fd, bo.handle);
		gem = dumb_mmap(fd, bo.handle, bo.size, PROT_READ | PROT_WRITE);
		buf = prime_mmap(dmabuf, bo.size, PROT_READ | PROT_WRITE);
		gem[i % 4096] = i;
		igt_assert_eq_u32(buf[i % 4096], i);
		/* Mappings outlive the handle and the fd; they go last. */
		gem_close(fd, bo.handle);
		close(dmabuf);
		munmap(gem, bo.size);
		munmap(buf, bo.size);
	}
	close(fd);
	snapshot_assert_same(&before);
}

igt_main
{
	igt_describe("Thousands of export/import/map/close cycles leave nothing behind.");
	igt_subtest("export-import-close-cycles-no-leak")
		check_cycles();

	igt_describe("Thousands of live buffers per file: exact lookups both ways, caches empty after.");
	igt_subtest("many-live-buffers-per-file")
		check_many_buffers();

	igt_describe("Fenced buffers, signalled or left to the file's close, leak nothing.");
	igt_subtest("fence-cycles-no-leak")
		check_fence_cycles();

	igt_describe("Mappings that outlive handle and fd leak nothing once unmapped.");
	igt_subtest("mapping-cycles-no-leak")
		check_mapping_cycles();
}
