// SPDX-License-Identifier: MIT
/*
 * Who keeps what alive: handles, dma-buf fds, mappings and device files end
 * in every order, and what remains keeps working with the same pages. The
 * per-file handle cache must follow its handles exactly. Every subtest runs
 * on the stock vgem (the oracle), then on ph_vgem; on ph_vgem the library's
 * counters must also return to where they started.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "debugfs.h"
#include "drmtest.h"
#include "dumb.h"
#include "gem.h"
#include "igt.h"
#include "oracle.h"
#include "prime.h"

#define BO_SIZE (8 * 4096)

static bool is_ours(const char *key)
{
	return !strcmp(key, DRIVER_PH_VGEM);
}

/* Library counters, for ph_vgem only: the stock driver has none. */
struct baseline {
	bool ours;
	struct ph_stats stats;
};

static struct baseline baseline_take(const char *key)
{
	struct baseline b = { .ours = is_ours(key) };

	if (b.ours)
		ph_stats_read(&b.stats);
	return b;
}

static void baseline_check(const struct baseline *b)
{
	struct ph_stats now;

	if (!b->ours)
		return;
	ph_stats_read(&now);
	ph_stats_assert_equal(&b->stats, &now);
}

static void assert_data_sized(int fd, uint32_t handle, size_t size, uint32_t seed)
{
	uint32_t *ptr = dumb_mmap(fd, handle, size, PROT_READ);

	igt_assert_pattern(ptr, size, seed);
	munmap(ptr, size);
}

static void assert_handle_data(int fd, uint32_t handle, uint32_t seed)
{
	assert_data_sized(fd, handle, BO_SIZE, seed);
}

static void assert_dmabuf_data_sized(int dmabuf, size_t size, uint32_t seed)
{
	uint32_t *ptr = prime_mmap(dmabuf, size, PROT_READ);

	igt_assert_pattern(ptr, size, seed);
	munmap(ptr, size);
}

static void assert_dmabuf_data(int dmabuf, uint32_t seed)
{
	assert_dmabuf_data_sized(dmabuf, BO_SIZE, seed);
}

static void write_sized(int fd, uint32_t handle, size_t size, uint32_t seed)
{
	uint32_t *ptr = dumb_mmap(fd, handle, size, PROT_READ | PROT_WRITE);

	fill_pattern(ptr, size, seed);
	munmap(ptr, size);
}

static void write_handle(int fd, uint32_t handle, uint32_t seed)
{
	write_sized(fd, handle, BO_SIZE, seed);
}

static void check_close_handle_then_fd(const char *key)
{
	struct baseline base = baseline_take(key);
	int fd = drm_open_card(key, 0);
	int other = drm_open_card(key, 0);
	struct dumb_bo bo = dumb_create_size(fd, BO_SIZE);
	int dmabuf = prime_handle_to_fd(fd, bo.handle), again;
	uint32_t imported;

	write_handle(fd, bo.handle, 0x11);
	gem_close(fd, bo.handle);
	assert_dmabuf_data(dmabuf, 0x11);
	imported = prime_fd_to_handle(other, dmabuf);
	assert_handle_data(other, imported, 0x11);
	/* The exporter has no handle left, yet imports it back... */
	imported = prime_fd_to_handle(fd, dmabuf);
	assert_handle_data(fd, imported, 0x11);
	/* ...and the object, having lost its dma-buf with its last handle, takes it back. */
	again = prime_handle_to_fd(fd, imported);
	igt_assert_eq(fd_inode(again), fd_inode(dmabuf));
	close(again);
	close(dmabuf);
	close(other);
	close(fd);
	baseline_check(&base);
}

static void check_close_fd_then_handle(const char *key)
{
	struct baseline base = baseline_take(key);
	int fd = drm_open_card(key, 0);
	struct dumb_bo bo = dumb_create_size(fd, BO_SIZE);
	int dmabuf = prime_handle_to_fd(fd, bo.handle);
	ino_t inode = fd_inode(dmabuf);

	close(dmabuf);
	write_handle(fd, bo.handle, 0x22);
	assert_handle_data(fd, bo.handle, 0x22);
	/* The object still owns its dma-buf: exporting again gives it back. */
	dmabuf = prime_handle_to_fd(fd, bo.handle);
	igt_assert_eq(fd_inode(dmabuf), inode);
	assert_dmabuf_data(dmabuf, 0x22);
	close(dmabuf);
	gem_close(fd, bo.handle);
	close(fd);
	baseline_check(&base);
}

static void check_close_device(const char *key)
{
	struct baseline base = baseline_take(key);
	int fd = drm_open_card(key, 0);
	struct dumb_bo bo = dumb_create_size(fd, BO_SIZE);
	int dmabuf = prime_handle_to_fd_for_mmap(fd, bo.handle);
	uint32_t *ptr, imported;

	write_handle(fd, bo.handle, 0x33);
	close(fd);
	/* The dma-buf alone keeps the object, its pages and its device. */
	ptr = prime_mmap(dmabuf, BO_SIZE, PROT_READ | PROT_WRITE);
	igt_assert_pattern(ptr, BO_SIZE, 0x33);
	fill_pattern(ptr, BO_SIZE, 0x34);
	munmap(ptr, BO_SIZE);
	igt_assert_eq(prime_get_size(dmabuf), BO_SIZE);
	prime_sync_start(dmabuf, true);
	prime_sync_end(dmabuf, true);

	fd = drm_open_card(key, 0);
	imported = prime_fd_to_handle(fd, dmabuf);
	assert_handle_data(fd, imported, 0x34);
	close(fd);
	close(dmabuf);
	baseline_check(&base);
}

static void check_import_after_exporter_gone(const char *key)
{
	struct baseline base = baseline_take(key);
	int fd = drm_open_card(key, 0);
	struct dumb_bo bo = dumb_create_size(fd, BO_SIZE);
	int dmabuf = prime_handle_to_fd(fd, bo.handle);
	int later1, later2;
	uint32_t h1, h2;

	write_handle(fd, bo.handle, 0x44);
	close(fd);
	later1 = drm_open_card(key, 0);
	later2 = drm_open_card(key, 0);
	h1 = prime_fd_to_handle(later1, dmabuf);
	close(dmabuf);
	/* Passed on from the first importer to a second one. */
	dmabuf = prime_handle_to_fd(later1, h1);
	h2 = prime_fd_to_handle(later2, dmabuf);
	close(dmabuf);
	close(later1);
	assert_handle_data(later2, h2, 0x44);
	close(later2);
	baseline_check(&base);
}

/*
 * Five references to one object: the exporter's handle, an importer's
 * handle, a third file's flink-opened and imported handles, and the dma-buf
 * fd. They are dropped in every order; after each drop, what remains must
 * show the data, and what imports and exports return is traced for the
 * comparison with the stock driver.
 */
enum { REF_EXPORTER, REF_IMPORTER, REF_OPENED, REF_REIMPORTED, REF_DMABUF, N_REFS };

/* 120 orders, each checked after every step: keep the buffer to one page. */
#define REFS_SIZE 4096

static const char *const ref_names[N_REFS] = {
	"exporter handle", "importer handle", "flink handle", "third-file import", "dma-buf fd",
};

struct refs {
	int fd[3];
	uint32_t handle[N_REFS];	/* by REF_*, REF_DMABUF unused */
	int dmabuf;
	ino_t inode;
	bool live[N_REFS];
};

static void refs_make(const char *key, struct refs *r)
{
	struct dumb_bo bo;
	int i;

	for (i = 0; i < 3; i++)
		r->fd[i] = drm_open_card(key, 0);
	bo = dumb_create_size(r->fd[0], REFS_SIZE);
	r->handle[REF_EXPORTER] = bo.handle;
	write_sized(r->fd[0], bo.handle, REFS_SIZE, 0x55);
	r->dmabuf = prime_handle_to_fd(r->fd[0], bo.handle);
	r->inode = fd_inode(r->dmabuf);
	r->handle[REF_IMPORTER] = prime_fd_to_handle(r->fd[1], r->dmabuf);
	r->handle[REF_OPENED] = gem_open(r->fd[2], gem_flink(r->fd[0], bo.handle));
	r->handle[REF_REIMPORTED] = prime_fd_to_handle(r->fd[2], r->dmabuf);
	for (i = 0; i < N_REFS; i++)
		r->live[i] = true;
}

static int fd_of_ref(const struct refs *r, int ref)
{
	return r->fd[ref == REF_EXPORTER ? 0 : ref == REF_IMPORTER ? 1 : 2];
}

static void refs_drop(struct refs *r, int ref)
{
	if (ref == REF_DMABUF)
		close(r->dmabuf);
	else
		gem_close(fd_of_ref(r, ref), r->handle[ref]);
	r->live[ref] = false;
}

/* What importing the dma-buf into @file returns, in terms of the live refs. */
static long long import_outcome(struct refs *r, int file)
{
	uint32_t handle;
	int ref, err;

	err = __prime_fd_to_handle(r->fd[file], r->dmabuf, &handle);
	if (err)
		return err;
	for (ref = 0; ref < REF_DMABUF; ref++)
		if (r->live[ref] && fd_of_ref(r, ref) == r->fd[file] && r->handle[ref] == handle)
			return 100 + ref;
	/* A new handle: check it, then drop it so the state stays as it was. */
	assert_data_sized(r->fd[file], handle, REFS_SIZE, 0x55);
	gem_close(r->fd[file], handle);
	return 1;
}

static void refs_observe(struct refs *r, struct trace *t)
{
	int ref, file;

	for (ref = 0; ref < REF_DMABUF; ref++)
		if (r->live[ref])
			assert_data_sized(fd_of_ref(r, ref), r->handle[ref], REFS_SIZE, 0x55);
	if (!r->live[REF_DMABUF])
		return;
	assert_dmabuf_data_sized(r->dmabuf, REFS_SIZE, 0x55);
	for (file = 0; file < 3; file++)
		trace_add(t, "import outcome", import_outcome(r, file));
	for (ref = REF_EXPORTER; ref <= REF_IMPORTER; ref++) {
		int again;

		if (!r->live[ref])
			continue;
		again = prime_handle_to_fd(fd_of_ref(r, ref), r->handle[ref]);
		trace_add(t, "re-export is the same dma-buf", fd_inode(again) == r->inode);
		close(again);
	}
}

/* Returns the seconds it took. */
static double run_order(const char *key, const int *order, struct trace *t)
{
	struct timespec t0, t1;
	struct refs r;
	int i;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	refs_make(key, &r);
	refs_observe(&r, t);
	for (i = 0; i < N_REFS; i++) {
		igt_debug("%s: dropping %s\n", key, ref_names[order[i]]);
		refs_drop(&r, order[i]);
		refs_observe(&r, t);
	}
	for (i = 0; i < 3; i++)
		close(r.fd[i]);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
}

static bool next_permutation(int *a, int n)
{
	int i = n - 2, j = n - 1, tmp;

	while (i >= 0 && a[i] >= a[i + 1])
		i--;
	if (i < 0)
		return false;
	while (a[j] <= a[i])
		j--;
	tmp = a[i], a[i] = a[j], a[j] = tmp;
	for (i++, j = n - 1; i < j; i++, j--)
		tmp = a[i], a[i] = a[j], a[j] = tmp;
	return true;
}

static void check_every_order(void)
{
	bool with_stock = vgem_driver_selected(DRIVER_STOCK_VGEM);
	bool with_ours = vgem_driver_selected(DRIVER_PH_VGEM);
	int order[N_REFS] = { 0, 1, 2, 3, 4 };
	struct baseline base = { .ours = false };
	/* The debug kernel is too slow for all 120: take every 12th order. */
	int stride = kernel_is_debug() ? 12 : 1;
	double spent[2] = { 0, 0 };
	int orders = 0, seen = 0;

	if (with_ours)
		base = baseline_take(DRIVER_PH_VGEM);
	do {
		struct trace stock = { .n = 0 }, ours = { .n = 0 };

		if (seen++ % stride)
			continue;
		igt_debug("order %d %d %d %d %d\n", order[0], order[1], order[2], order[3],
			  order[4]);
		if (with_stock)
			spent[0] += run_order(DRIVER_STOCK_VGEM, order, &stock);
		if (with_ours)
			spent[1] += run_order(DRIVER_PH_VGEM, order, &ours);
		if (with_stock && with_ours)
			trace_assert_equal(&stock, &ours);
		orders++;
	} while (next_permutation(order, N_REFS));
	igt_info("%d orders run, %.1f s on stock vgem, %.1f s on ph_vgem\n", orders, spent[0],
		 spent[1]);
	baseline_check(&base);
}

/*
 * Two handles on one object in one file, only one of them from an import:
 * the import's cache entry must go with that handle, not with the other.
 */
static void trace_cache_follows_handle(const char *key, struct trace *t)
{
	int fd1 = drm_open_card(key, 0);
	int fd2 = drm_open_card(key, 0);
	struct dumb_bo bo = dumb_create_size(fd1, BO_SIZE);
	int dmabuf = prime_handle_to_fd(fd1, bo.handle);
	uint32_t imported, opened, again;
	uint32_t *ptr;
	int export;

	imported = prime_fd_to_handle(fd2, dmabuf);
	opened = gem_open(fd2, gem_flink(fd1, bo.handle));
	trace_add(t, "imported", imported);
	trace_add(t, "opened", opened);
	trace_add(t, "reimport", prime_fd_to_handle(fd2, dmabuf));

	gem_close(fd2, opened);
	again = prime_fd_to_handle(fd2, dmabuf);
	igt_assert_eq_u32(again, imported);
	trace_add(t, "reimport after closing the opened handle", again);

	opened = gem_open(fd2, gem_flink(fd1, bo.handle));
	trace_add(t, "opened again", opened);
	gem_close(fd2, imported);
	again = prime_fd_to_handle(fd2, dmabuf);
	trace_add(t, "reimport after closing the imported handle", again);
	ptr = dumb_mmap(fd2, again, BO_SIZE, PROT_READ);
	igt_assert(is_zeroed(ptr, BO_SIZE));
	munmap(ptr, BO_SIZE);
	export = prime_handle_to_fd(fd2, opened);
	trace_add(t, "export of the opened handle is the same dma-buf",
		  fd_inode(export) == fd_inode(dmabuf));
	close(export);
	close(dmabuf);
	close(fd1);
	close(fd2);
}

/* Which of two handles an import returned: 0, 1, or 2 for a new one (closed). */
static long long which_handle(int fd, int dmabuf, uint32_t first, uint32_t second)
{
	uint32_t got = prime_fd_to_handle(fd, dmabuf);

	if (got == first)
		return 0;
	if (got == second)
		return 1;
	gem_close(fd, got);
	return 2;
}

/*
 * One dma-buf with two cache entries in a file: a flink-opened handle that
 * was exported next to an imported one. Which one an import returns is
 * recorded, in both orders of creation, for the comparison with stock.
 */
static void trace_two_entries(const char *key, struct trace *t)
{
	int fd1 = drm_open_card(key, 0);
	int pass;

	for (pass = 0; pass < 2; pass++) {
		int fd2 = drm_open_card(key, 0);
		struct dumb_bo bo = dumb_create_size(fd1, BO_SIZE);
		int dmabuf = prime_handle_to_fd(fd1, bo.handle), export;
		uint32_t opened, imported;

		if (pass == 0) {
			opened = gem_open(fd2, gem_flink(fd1, bo.handle));
			imported = prime_fd_to_handle(fd2, dmabuf);
		} else {
			imported = prime_fd_to_handle(fd2, dmabuf);
			opened = gem_open(fd2, gem_flink(fd1, bo.handle));
		}
		trace_add(t, "opened", opened);
		trace_add(t, "imported", imported);
		export = prime_handle_to_fd(fd2, opened);
		trace_add(t, "export of the opened handle is the dma-buf",
			  fd_inode(export) == fd_inode(dmabuf));
		close(export);
		trace_add(t, "import with two entries", which_handle(fd2, dmabuf, opened, imported));
		trace_add(t, "again", which_handle(fd2, dmabuf, opened, imported));
		gem_close(fd2, imported);
		trace_add(t, "after closing the imported one",
			  which_handle(fd2, dmabuf, opened, imported));
		gem_close(fd2, opened);
		trace_add(t, "after closing both", which_handle(fd2, dmabuf, opened, imported));
		close(dmabuf);
		gem_close(fd1, bo.handle);
		close(fd2);
	}
	close(fd1);
}

static long module_refcnt(const char *key)
{
	char path[128], *text;
	long refcnt;

	snprintf(path, sizeof(path), "/sys/module/%s/refcnt", drm_module_of(key));
	text = read_whole_file(path, NULL);
	igt_assert_f(text, "cannot read %s", path);
	refcnt = atol(text);
	free(text);
	return refcnt;
}

static void check_module_held(const char *key)
{
	long idle = module_refcnt(key);
	int fd = drm_open_card(key, 0);
	struct dumb_bo bo = dumb_create_size(fd, BO_SIZE);
	int dmabuf = prime_handle_to_fd(fd, bo.handle);
	void *ptr;

	igt_info("%s: refcnt %ld idle, %ld with a file and a dma-buf\n", key, idle,
		 module_refcnt(key));
	close(fd);
	igt_assert_lt(idle, module_refcnt(key));
	ptr = prime_mmap(dmabuf, BO_SIZE, PROT_READ);
	close(dmabuf);
	/* Only a mapping is left: it must still pin the driver. */
	igt_assert_lt(idle, module_refcnt(key));
	munmap(ptr, BO_SIZE);
	igt_assert_eq(module_refcnt(key), idle);
}

igt_main
{
	const char *key;

	igt_describe("Close the exporting handle, then use the dma-buf: map, import, re-import.");
	igt_subtest("close-handle-then-use-fd")
		for_each_vgem_driver(key)
			check_close_handle_then_fd(key);

	igt_describe("Close the dma-buf fd, then use the handle: map, re-export the same dma-buf.");
	igt_subtest("close-fd-then-use-handle")
		for_each_vgem_driver(key)
			check_close_fd_then_handle(key);

	igt_describe("Close the device fd while a dma-buf lives: it maps, syncs and imports.");
	igt_subtest("close-device-while-dmabuf-lives")
		for_each_vgem_driver(key)
			check_close_device(key);

	igt_describe("Import after the exporter's file is gone, then pass the buffer on.");
	igt_subtest("import-after-exporter-file-gone")
		for_each_vgem_driver(key)
			check_import_after_exporter_gone(key);

	igt_describe("Five references to one dma-buf dropped in every order, as stock.");
	igt_subtest("handles-closed-in-every-order")
		check_every_order();

	igt_describe("With two handles on one object in a file, the cache entry follows its own.");
	igt_subtest("cache-entry-follows-its-handle")
		compare_with_stock(trace_cache_follows_handle);

	igt_describe("With two cache entries for one dma-buf in a file, imports answer as stock.");
	igt_subtest("two-entries-one-dmabuf-as-stock")
		compare_with_stock(trace_two_entries);

	igt_describe("A dma-buf, and then only its mapping, keep the driver module in use.");
	igt_subtest("dmabuf-and-mmap-hold-driver-module")
		for_each_vgem_driver(key)
			check_module_held(key);
}
