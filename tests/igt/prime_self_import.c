// SPDX-License-Identifier: MIT
/*
 * PRIME within one device: exporting and importing between files of the same
 * driver, the per-file handle cache, the export cache on the object, and the
 * dma-buf fd's own properties (size, close-on-exec, access mode). Every
 * subtest runs on the stock vgem (the oracle), then on ph_vgem.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <xf86drm.h>

#include "debugfs.h"
#include "drmtest.h"
#include "dumb.h"
#include "gem.h"
#include "igt.h"
#include "import_race.h"
#include "oracle.h"
#include "prime.h"

#define BO_SIZE (16 * 4096)

/* Writes through one file's mapping and reads through the other's, both ways. */
static void check_shared_pages(int fd1, uint32_t handle1, int fd2, uint32_t handle2,
			       uint32_t seed)
{
	uint32_t *ptr1 = dumb_mmap(fd1, handle1, BO_SIZE, PROT_READ | PROT_WRITE);
	uint32_t *ptr2 = dumb_mmap(fd2, handle2, BO_SIZE, PROT_READ | PROT_WRITE);

	fill_pattern(ptr1, BO_SIZE, seed);
	igt_assert_pattern(ptr2, BO_SIZE, seed);
	fill_pattern(ptr2, BO_SIZE, ~seed);
	igt_assert_pattern(ptr1, BO_SIZE, ~seed);
	munmap(ptr1, BO_SIZE);
	munmap(ptr2, BO_SIZE);
}

static void check_self_import(const char *key)
{
	int fd = drm_open_card(key, 0);
	struct dumb_bo bo = dumb_create_size(fd, BO_SIZE);
	int dmabuf = prime_handle_to_fd(fd, bo.handle);

	igt_assert_eq_u32(prime_fd_to_handle(fd, dmabuf), bo.handle);
	/* Again, after the fd that made the cache entry is gone. */
	close(dmabuf);
	dmabuf = prime_handle_to_fd(fd, bo.handle);
	igt_assert_eq_u32(prime_fd_to_handle(fd, dmabuf), bo.handle);
	close(dmabuf);
	gem_close(fd, bo.handle);
	close(fd);
}

static void check_export_twice(const char *key)
{
	int fd = drm_open_card(key, 0);
	struct dumb_bo bo = dumb_create_size(fd, BO_SIZE);
	int a = prime_handle_to_fd(fd, bo.handle);
	int b = prime_handle_to_fd_for_mmap(fd, bo.handle);
	int c;

	igt_assert_neq(a, b);
	igt_assert_eq(fd_inode(a), fd_inode(b));
	/* With every fd closed the object still remembers its dma-buf. */
	close(a);
	close(b);
	c = prime_handle_to_fd(fd, bo.handle);
	igt_assert_eq(prime_get_size(c), BO_SIZE);
	close(c);
	gem_close(fd, bo.handle);
	close(fd);
}

static void check_export_twice_same_inode_after_close(const char *key)
{
	int fd = drm_open_card(key, 0);
	struct dumb_bo bo = dumb_create_size(fd, BO_SIZE);
	int a = prime_handle_to_fd(fd, bo.handle);
	ino_t first = fd_inode(a);
	int b;

	close(a);
	b = prime_handle_to_fd(fd, bo.handle);
	igt_assert_eq(fd_inode(b), first);
	close(b);
	gem_close(fd, bo.handle);
	close(fd);
}

static void check_second_file(const char *key)
{
	int fd1 = drm_open_card(key, 0);
	int fd2 = drm_open_card(key, 0);
	struct dumb_bo bo = dumb_create_size(fd1, BO_SIZE);
	int dmabuf = prime_handle_to_fd(fd1, bo.handle);
	uint32_t imported = prime_fd_to_handle(fd2, dmabuf);

	check_shared_pages(fd1, bo.handle, fd2, imported, 0x100);
	/* The dma-buf is not needed once both files hold handles. */
	close(dmabuf);
	check_shared_pages(fd1, bo.handle, fd2, imported, 0x200);
	gem_close(fd1, bo.handle);
	check_shared_pages(fd2, imported, fd2, imported, 0x300);
	close(fd1);
	close(fd2);
}

static void check_reimport(const char *key)
{
	int fd1 = drm_open_card(key, 0);
	int fd2 = drm_open_card(key, 0);
	struct dumb_bo bo = dumb_create_size(fd1, BO_SIZE);
	int dmabuf = prime_handle_to_fd(fd1, bo.handle);
	uint32_t first = prime_fd_to_handle(fd2, dmabuf);
	int dup_fd;

	igt_assert_eq_u32(prime_fd_to_handle(fd2, dmabuf), first);
	/* Another fd of the same dma-buf is the same buffer. */
	dup_fd = dup(dmabuf);
	igt_assert_eq_u32(prime_fd_to_handle(fd2, dup_fd), first);
	close(dup_fd);
	close(dmabuf);
	gem_close(fd1, bo.handle);
	gem_close(fd2, first);
	close(fd1);
	close(fd2);
}

static void check_export_of_import(const char *key)
{
	int fd1 = drm_open_card(key, 0);
	int fd2 = drm_open_card(key, 0);
	struct dumb_bo bo = dumb_create_size(fd1, BO_SIZE);
	int dmabuf = prime_handle_to_fd(fd1, bo.handle);
	uint32_t imported = prime_fd_to_handle(fd2, dmabuf);
	int again = prime_handle_to_fd(fd2, imported);

	igt_assert_eq(fd_inode(again), fd_inode(dmabuf));
	close(again);
	close(dmabuf);
	close(fd1);
	close(fd2);
}

static void check_flink_then_import(const char *key)
{
	int fd1 = drm_open_card(key, 0);
	int fd2 = drm_open_card(key, 0);
	struct dumb_bo bo = dumb_create_size(fd1, BO_SIZE);
	int dmabuf1 = prime_handle_to_fd(fd1, bo.handle);
	uint32_t opened = gem_open(fd2, gem_flink(fd1, bo.handle));
	int dmabuf2 = prime_handle_to_fd(fd2, opened);

	/* One object, one dma-buf, whichever handle exports it. */
	igt_assert_eq(fd_inode(dmabuf1), fd_inode(dmabuf2));
	/* Importing what this file exported gives back the exporting handle. */
	igt_assert_eq_u32(prime_fd_to_handle(fd2, dmabuf2), opened);
	igt_assert_eq_u32(prime_fd_to_handle(fd2, dmabuf1), opened);
	check_shared_pages(fd1, bo.handle, fd2, opened, 0x400);
	close(fd1);
	close(fd2);
	close(dmabuf1);
	close(dmabuf2);
}

static void check_dup_fd_import(const char *key)
{
	int fd1 = drm_open_card(key, 0);
	int fd2 = drm_open_card(key, 0);
	struct dumb_bo bo = dumb_create_size(fd1, BO_SIZE);
	int dmabuf = prime_handle_to_fd(fd1, bo.handle);
	int copy = dup(dmabuf);
	uint32_t imported;

	gem_close(fd1, bo.handle);
	close(dmabuf);
	imported = prime_fd_to_handle(fd2, copy);
	close(copy);
	check_shared_pages(fd2, imported, fd2, imported, 0x500);
	close(fd1);
	close(fd2);
}

/* The upstream "one bo" sequence: re-export from the importer, drop, re-import. */
static void check_reexport_roundtrip(const char *key)
{
	int fd1 = drm_open_card(key, 0);
	int fd2 = drm_open_card(key, 0);
	struct dumb_bo bo = dumb_create_size(fd1, BO_SIZE);
	int dmabuf = prime_handle_to_fd(fd1, bo.handle);
	uint32_t imported = prime_fd_to_handle(fd2, dmabuf), back;

	check_shared_pages(fd1, bo.handle, fd2, imported, 0x600);
	close(dmabuf);
	gem_close(fd1, bo.handle);

	dmabuf = prime_handle_to_fd(fd2, imported);
	gem_close(fd2, imported);
	/* Only the dma-buf holds the object now; both files take it back. */
	back = prime_fd_to_handle(fd1, dmabuf);
	imported = prime_fd_to_handle(fd2, dmabuf);
	check_shared_pages(fd1, back, fd2, imported, 0x700);
	close(dmabuf);
	close(fd1);
	check_shared_pages(fd2, imported, fd2, imported, 0x800);
	close(fd2);
}

static void check_llseek_size(const char *key)
{
	int fd = drm_open_card(key, 0);
	int i;

	for (i = 0; i < 10; i++) {
		struct dumb_bo bo = dumb_create_size(fd, 4096ull << i);
		int dmabuf = prime_handle_to_fd(fd, bo.handle);

		gem_close(fd, bo.handle);
		igt_assert_eq(prime_get_size(dmabuf), 4096ll << i);
		close(dmabuf);
	}
	close(fd);
}

static void check_llseek_bad(const char *key)
{
	int fd = drm_open_card(key, 0);
	struct dumb_bo bo = dumb_create_size(fd, BO_SIZE);
	int dmabuf = prime_handle_to_fd(fd, bo.handle);

	gem_close(fd, bo.handle);
	igt_assert_errno(lseek(dmabuf, -1, SEEK_END), EINVAL);
	igt_assert_errno(lseek(dmabuf, 1, SEEK_SET), EINVAL);
	igt_assert_errno(lseek(dmabuf, BO_SIZE, SEEK_SET), EINVAL);
	igt_assert_errno(lseek(dmabuf, BO_SIZE + 1, SEEK_SET), EINVAL);
	igt_assert_errno(lseek(dmabuf, BO_SIZE - 1, SEEK_SET), EINVAL);
	igt_assert_errno(lseek(dmabuf, 0, SEEK_CUR), EINVAL);
	igt_assert_eq(lseek(dmabuf, 0, SEEK_END), BO_SIZE);
	igt_assert_eq(lseek(dmabuf, 0, SEEK_SET), 0);
	close(dmabuf);
	close(fd);
}

static int export_with(int fd, uint32_t flags)
{
	struct dumb_bo bo = dumb_create_size(fd, BO_SIZE);
	int dmabuf = -1;

	igt_assert_eq(__prime_handle_to_fd(fd, bo.handle, flags, &dmabuf), 0);
	gem_close(fd, bo.handle);
	return dmabuf;
}

static void check_cloexec(const char *key)
{
	int fd = drm_open_card(key, 0);
	int with = export_with(fd, DRM_CLOEXEC);
	int without = export_with(fd, 0);

	igt_assert(fcntl(with, F_GETFD) & FD_CLOEXEC);
	igt_assert(!(fcntl(without, F_GETFD) & FD_CLOEXEC));
	close(with);
	close(without);
	close(fd);
}

static void check_access_mode(const char *key)
{
	int fd = drm_open_card(key, 0);
	int rdwr = export_with(fd, DRM_CLOEXEC | DRM_RDWR);
	int rdonly = export_with(fd, DRM_CLOEXEC);

	igt_assert_eq(fcntl(rdwr, F_GETFL) & O_ACCMODE, O_RDWR);
	igt_assert_eq(fcntl(rdonly, F_GETFL) & O_ACCMODE, O_RDONLY);
	close(rdwr);
	close(rdonly);
	close(fd);
}

/*
 * The dma-buf file is made once, by the first export: what a later export
 * with other flags sees is recorded and compared with the stock driver.
 */
static void trace_mode_of_reexport(const char *key, struct trace *t)
{
	int fd = drm_open_card(key, 0);
	struct dumb_bo bo = dumb_create_size(fd, BO_SIZE);
	int first = -1, second = -1;

	igt_assert_eq(__prime_handle_to_fd(fd, bo.handle, 0, &first), 0);
	igt_assert_eq(__prime_handle_to_fd(fd, bo.handle, DRM_CLOEXEC | DRM_RDWR, &second), 0);
	trace_add(t, "same dma-buf", fd_inode(first) == fd_inode(second));
	trace_add(t, "first fd access mode", fcntl(first, F_GETFL) & O_ACCMODE);
	trace_add(t, "second fd access mode", fcntl(second, F_GETFL) & O_ACCMODE);
	trace_add(t, "first fd cloexec", !!(fcntl(first, F_GETFD) & FD_CLOEXEC));
	trace_add(t, "second fd cloexec", !!(fcntl(second, F_GETFD) & FD_CLOEXEC));
	close(first);
	close(second);
	gem_close(fd, bo.handle);
	close(fd);
}

static void check_render_node(const char *key)
{
	int card = drm_open_card(key, 0);
	int render = drm_open_device(key, 0, DRM_NODE_RENDER);
	struct dumb_bo bo = dumb_create_size(card, BO_SIZE);
	int dmabuf = prime_handle_to_fd_for_mmap(card, bo.handle);
	uint32_t on_render;
	uint32_t *ptr;
	int back;

	igt_assert(render >= 0);
	on_render = prime_fd_to_handle(render, dmabuf);
	back = prime_handle_to_fd_for_mmap(render, on_render);
	igt_assert_eq(fd_inode(back), fd_inode(dmabuf));
	ptr = dumb_mmap(card, bo.handle, BO_SIZE, PROT_READ | PROT_WRITE);
	fill_pattern(ptr, BO_SIZE, 0x900);
	munmap(ptr, BO_SIZE);
	ptr = prime_mmap(back, BO_SIZE, PROT_READ);
	igt_assert_pattern(ptr, BO_SIZE, 0x900);
	munmap(ptr, BO_SIZE);
	close(back);
	close(dmabuf);
	close(render);
	close(card);
}

struct race {
	int fd;
	int dmabuf;
	volatile int stop;
	unsigned long rounds;
};

static void *reimport_and_close(void *arg)
{
	struct race *r = arg;
	uint32_t handle;

	while (!r->stop) {
		if (!__prime_fd_to_handle(r->fd, r->dmabuf, &handle))
			__gem_close(r->fd, handle);
		__atomic_add_fetch(&r->rounds, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void *export_and_close(void *arg)
{
	struct race *r = arg;

	while (!r->stop) {
		struct dumb_bo bo = { .width = 1024, .height = 1, .bpp = 32 };
		int dmabuf = -1;

		/* Race export of handle 1 against its close by the other thread. */
		if (!__dumb_create(r->fd, &bo) && bo.handle != 1)
			__gem_close(r->fd, bo.handle);
		if (!__prime_handle_to_fd(r->fd, 1, DRM_CLOEXEC, &dmabuf))
			close(dmabuf);
		__gem_close(r->fd, 1);
		__atomic_add_fetch(&r->rounds, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Runs @fn in two threads on one file for @seconds. */
static unsigned long race(void *(*fn)(void *), struct race *r, double seconds)
{
	pthread_t threads[2];
	double end = now_s() + seconds;
	int i;

	for (i = 0; i < 2; i++)
		igt_assert_eq(pthread_create(&threads[i], NULL, fn, r), 0);
	while (now_s() < end)
		usleep(50 * 1000);
	r->stop = 1;
	for (i = 0; i < 2; i++)
		pthread_join(threads[i], NULL);
	return r->rounds;
}

static bool is_ours(const char *key)
{
	return !strcmp(key, DRIVER_PH_VGEM);
}

static void check_concurrent_import(const char *key)
{
	unsigned int rounds = scale_iterations(256), i;
	struct ph_stats before, after;
	struct import_race *race;
	int fd1, fd2;

	if (is_ours(key))
		ph_stats_read(&before);
	fd1 = drm_open_card(key, 0);
	fd2 = drm_open_card(key, 0);
	race = import_race_start(fd2);
	for (i = 0; i < rounds; i++) {
		struct dumb_bo bo = dumb_create_size(fd1, 4096);
		int dmabuf = prime_handle_to_fd(fd1, bo.handle);
		uint32_t got[2];

		import_race_round(race, dmabuf, got);
		igt_assert_f(got[0] && got[0] == got[1], "round %u: handles %u and %u", i,
			     got[0], got[1]);
		/* One handle, not two references to one: a second close fails. */
		gem_close(fd2, got[0]);
		igt_assert_eq(__gem_close(fd2, got[0]), -EINVAL);
		close(dmabuf);
		gem_close(fd1, bo.handle);
	}
	import_race_stop(race);
	close(fd2);
	close(fd1);
	if (is_ours(key)) {
		ph_stats_read(&after);
		ph_stats_assert_equal(&before, &after);
	}
}

static void check_reimport_close_race(const char *key)
{
	struct ph_stats before, after;
	struct race r = { .fd = -1 };
	struct dumb_bo bo;

	if (is_ours(key))
		ph_stats_read(&before);
	r.fd = drm_open_card(key, 0);
	bo = dumb_create_size(r.fd, BO_SIZE);
	r.dmabuf = prime_handle_to_fd(r.fd, bo.handle);
	gem_close(r.fd, bo.handle);
	igt_info("%lu rounds\n", race(reimport_and_close, &r, kernel_is_debug() ? 1 : 2));
	close(r.dmabuf);
	close(r.fd);
	if (is_ours(key)) {
		ph_stats_read(&after);
		ph_stats_assert_equal(&before, &after);
	}
}

static void check_export_close_race(const char *key)
{
	struct ph_stats before, after;
	struct race r = { .fd = -1 };

	if (is_ours(key))
		ph_stats_read(&before);
	r.fd = drm_open_card(key, 0);
	igt_info("%lu rounds\n", race(export_and_close, &r, kernel_is_debug() ? 1 : 2));
	close(r.fd);
	if (is_ours(key)) {
		ph_stats_read(&after);
		ph_stats_assert_equal(&before, &after);
	}
}

igt_main
{
	const char *key;

	igt_describe("Importing a dma-buf into the file that exported it gives the same handle.");
	igt_subtest("self-import-same-handle")
		for_each_vgem_driver(key)
			check_self_import(key);

	igt_describe("Exporting one handle twice gives fds of the same dma-buf (same inode).");
	igt_subtest("export-twice-same-dmabuf")
		for_each_vgem_driver(key)
			check_export_twice(key);

	igt_describe("With every fd closed, exporting again gives the same dma-buf back.");
	igt_subtest("reexport-after-fd-close-same-dmabuf")
		for_each_vgem_driver(key)
			check_export_twice_same_inode_after_close(key);

	igt_describe("Import in a second file gives a handle on the same pages, both ways.");
	igt_subtest("import-second-file-shares-pages")
		for_each_vgem_driver(key)
			check_second_file(key);

	igt_describe("Importing one dma-buf twice in a file (or via a dup'd fd) gives one handle.");
	igt_subtest("reimport-same-handle")
		for_each_vgem_driver(key)
			check_reimport(key);

	igt_describe("Exporting an imported handle hands back the original dma-buf.");
	igt_subtest("export-of-import-same-dmabuf")
		for_each_vgem_driver(key)
			check_export_of_import(key);

	igt_describe("A flink-opened handle exports the same dma-buf and self-imports to itself.");
	igt_subtest("flink-open-export-self-import")
		for_each_vgem_driver(key)
			check_flink_then_import(key);

	igt_describe("A dup'd dma-buf fd imports after the original fd and handle are closed.");
	igt_subtest("import-dup-fd")
		for_each_vgem_driver(key)
			check_dup_fd_import(key);

	igt_describe("Re-export from the importer, drop every handle, re-import into both files.");
	igt_subtest("reexport-reimport-roundtrip")
		for_each_vgem_driver(key)
			check_reexport_roundtrip(key);

	igt_describe("lseek(SEEK_END) on a dma-buf reports its size, 4 KiB to 2 MiB.");
	igt_subtest("llseek-size")
		for_each_vgem_driver(key)
			check_llseek_size(key);

	igt_describe("lseek on a dma-buf refuses everything but offset 0 from SET or END.");
	igt_subtest("llseek-bad")
		for_each_vgem_driver(key)
			check_llseek_bad(key);

	igt_describe("DRM_CLOEXEC sets FD_CLOEXEC on the dma-buf fd; without it, it is clear.");
	igt_subtest("cloexec-visible-with-fcntl")
		for_each_vgem_driver(key)
			check_cloexec(key);

	igt_describe("DRM_RDWR makes an O_RDWR dma-buf file, without it O_RDONLY.");
	igt_subtest("rdwr-sets-access-mode")
		for_each_vgem_driver(key)
			check_access_mode(key);

	igt_describe("A second export with other flags gets the first one's file, as stock.");
	igt_subtest("reexport-flags-as-stock")
		compare_with_stock(trace_mode_of_reexport);

	igt_describe("PRIME works on the render node: import there, re-export the same dma-buf.");
	igt_subtest("render-node-import-export")
		for_each_vgem_driver(key)
			check_render_node(key);

	igt_describe("Two threads importing one dma-buf into a file at once get one handle.");
	igt_subtest("concurrent-import-same-handle")
		for_each_vgem_driver(key)
			check_concurrent_import(key);

	igt_describe("Threads re-importing and closing one dma-buf leak nothing.");
	igt_subtest("reimport-vs-gem-close-race")
		for_each_vgem_driver(key)
			check_reimport_close_race(key);

	igt_describe("Threads exporting a handle while it is closed leak nothing.");
	igt_subtest("export-vs-gem-close-race")
		for_each_vgem_driver(key)
			check_export_close_race(key);
}
