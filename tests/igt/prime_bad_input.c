// SPDX-License-Identifier: MIT
/*
 * Bad input at the PRIME ioctls: each is refused with upstream's errno and
 * leaves nothing behind. Every subtest runs on the stock vgem (the oracle),
 * then on ph_vgem; where upstream's answer is not a documented contract the
 * two drivers' answers are compared instead of a fixed errno.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>
#include <xf86drm.h>

#include "debugfs.h"
#include "drmtest.h"
#include "dumb.h"
#include "gem.h"
#include "igt.h"
#include "oracle.h"
#include "prime.h"

#define BO_SIZE (4 * 4096)

static void check_unknown_handle(const char *key)
{
	int fd = drm_open_card(key, 0);
	int dmabuf = -1;

	igt_assert_eq(__prime_handle_to_fd(fd, 0xdead, DRM_CLOEXEC, &dmabuf), -ENOENT);
	igt_assert_eq(__prime_handle_to_fd(fd, 0, DRM_CLOEXEC, &dmabuf), -ENOENT);
	igt_assert_eq(dmabuf, -1);
	close(fd);
}

static void check_closed_handle(const char *key)
{
	int fd = drm_open_card(key, 0);
	struct dumb_bo bo = dumb_create_size(fd, BO_SIZE);
	int dmabuf = -1;

	gem_close(fd, bo.handle);
	igt_assert_eq(__prime_handle_to_fd(fd, bo.handle, DRM_CLOEXEC, &dmabuf), -ENOENT);
	close(fd);
}

static void check_other_files_handle(const char *key)
{
	int fd1 = drm_open_card(key, 0);
	int fd2 = drm_open_card(key, 0);
	struct dumb_bo bo = dumb_create_size(fd1, BO_SIZE);
	int dmabuf = -1;

	/* Handles are per file: fd2 has none. */
	igt_assert_eq(__prime_handle_to_fd(fd2, bo.handle, DRM_CLOEXEC, &dmabuf), -ENOENT);
	close(fd1);
	close(fd2);
}

static void check_bad_flags(const char *key)
{
	static const uint32_t bad[] = {
		DRM_CLOEXEC - 1, DRM_CLOEXEC + 1, DRM_RDWR - 1, DRM_RDWR + 1,
		~0u, 1u << 31, O_NONBLOCK,
	};
	int fd = drm_open_card(key, 0);
	struct dumb_bo bo = dumb_create_size(fd, BO_SIZE);
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int dmabuf = -1;

		igt_assert_f(__prime_handle_to_fd(fd, bo.handle, bad[i], &dmabuf) == -EINVAL,
			     "flags 0x%x not refused with EINVAL", bad[i]);
	}
	/* Flags are checked before the handle. */
	{
		int dmabuf = -1;

		igt_assert_eq(__prime_handle_to_fd(fd, 0xdead, ~0u, &dmabuf), -EINVAL);
	}
	gem_close(fd, bo.handle);
	close(fd);
}

static void check_not_a_dmabuf(const char *key)
{
	int fd = drm_open_card(key, 0);
	int other = drm_open_card(key, 0);
	int pipes[2], devnull, memfd;
	uint32_t handle;

	igt_assert_eq(pipe(pipes), 0);
	devnull = open("/dev/null", O_RDWR);
	memfd = memfd_create("not-a-dma-buf", 0);
	igt_assert(devnull >= 0 && memfd >= 0);
	igt_assert_eq(ftruncate(memfd, BO_SIZE), 0);

	igt_assert_eq(__prime_fd_to_handle(fd, pipes[0], &handle), -EINVAL);
	igt_assert_eq(__prime_fd_to_handle(fd, devnull, &handle), -EINVAL);
	igt_assert_eq(__prime_fd_to_handle(fd, memfd, &handle), -EINVAL);
	igt_assert_eq(__prime_fd_to_handle(fd, other, &handle), -EINVAL);
	igt_assert_eq(__prime_fd_to_handle(fd, fd, &handle), -EINVAL);
	close(pipes[0]);
	close(pipes[1]);
	close(devnull);
	close(memfd);
	close(other);
	close(fd);
}

static void check_closed_fd(const char *key)
{
	int fd = drm_open_card(key, 0);
	struct dumb_bo bo = dumb_create_size(fd, BO_SIZE);
	int dmabuf = prime_handle_to_fd(fd, bo.handle);
	uint32_t handle;

	close(dmabuf);
	igt_assert_eq(__prime_fd_to_handle(fd, dmabuf, &handle), -EBADF);
	igt_assert_eq(__prime_fd_to_handle(fd, -1, &handle), -EBADF);
	igt_assert_eq(__prime_fd_to_handle(fd, 1 << 30, &handle), -EBADF);
	gem_close(fd, bo.handle);
	close(fd);
}

/*
 * PRIME_FD_TO_HANDLE's flags field: upstream does not document whether it
 * is checked, so our driver must answer whatever the stock one answers.
 */
static void trace_fd_to_handle_flags(const char *key, struct trace *t)
{
	static const uint32_t flags[] = { DRM_CLOEXEC, DRM_RDWR, 1, ~0u };
	int fd = drm_open_card(key, 0);
	int other = drm_open_card(key, 0);
	struct dumb_bo bo = dumb_create_size(fd, BO_SIZE);
	int dmabuf = prime_handle_to_fd(fd, bo.handle);
	unsigned int i;

	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		struct drm_prime_handle arg = { .fd = dmabuf, .flags = flags[i] };
		int ret = drmIoctl(other, DRM_IOCTL_PRIME_FD_TO_HANDLE, &arg) ? -errno : 0;

		trace_add(t, "fd to handle with flags", ret);
		if (!ret) {
			trace_add(t, "handle", arg.handle);
			gem_close(other, arg.handle);
		}
	}
	close(dmabuf);
	close(other);
	gem_close(fd, bo.handle);
	close(fd);
}

/* Fills the descriptor table under a lowered limit; returns how many were taken. */
static int fill_fd_table(int *taken, int max, struct rlimit *saved)
{
	struct rlimit low;
	int n = 0, fd;

	igt_assert_eq(getrlimit(RLIMIT_NOFILE, saved), 0);
	low = *saved;
	low.rlim_cur = max;
	igt_assert_eq(setrlimit(RLIMIT_NOFILE, &low), 0);
	while (n < max && (fd = dup(0)) >= 0)
		taken[n++] = fd;
	igt_assert_eq(errno, EMFILE);
	return n;
}

static void release_fd_table(int *taken, int n, const struct rlimit *saved)
{
	while (n--)
		close(taken[n]);
	igt_assert_eq(setrlimit(RLIMIT_NOFILE, saved), 0);
}

/*
 * Export with no descriptor left: which errno wins over a bad handle is the
 * running kernel's core's choice, so ours must answer as the stock driver
 * does; and a failed export must not cost the object its dma-buf later.
 */
static void trace_full_fd_table(const char *key, struct trace *t)
{
	int fd = drm_open_card(key, 0), other = drm_open_card(key, 0);
	struct dumb_bo fresh = dumb_create_size(fd, BO_SIZE);
	struct dumb_bo shared = dumb_create_size(fd, BO_SIZE);
	int dmabuf = prime_handle_to_fd(fd, shared.handle), out = -1, n, again;
	struct rlimit saved;
	int taken[256];
	uint32_t handle;

	n = fill_fd_table(taken, 256, &saved);
	trace_add(t, "export of a new handle", __prime_handle_to_fd(fd, fresh.handle,
								     DRM_CLOEXEC, &out));
	trace_add(t, "export of an exported handle",
		  __prime_handle_to_fd(fd, shared.handle, DRM_CLOEXEC, &out));
	trace_add(t, "export of an unknown handle",
		  __prime_handle_to_fd(fd, 0xdead, DRM_CLOEXEC, &out));
	trace_add(t, "export with bad flags", __prime_handle_to_fd(fd, fresh.handle, ~0u, &out));
	/* Import needs no descriptor. */
	trace_add(t, "import", __prime_fd_to_handle(other, dmabuf, &handle));
	release_fd_table(taken, n, &saved);

	again = prime_handle_to_fd(fd, shared.handle);
	trace_add(t, "re-export is the same dma-buf", fd_inode(again) == fd_inode(dmabuf));
	close(again);
	again = prime_handle_to_fd(fd, fresh.handle);
	trace_add(t, "fresh export is its own dma-buf", fd_inode(again) != fd_inode(dmabuf));
	trace_add(t, "and imports to its handle", prime_fd_to_handle(fd, again) == fresh.handle);
	close(again);
	close(dmabuf);
	close(other);
	close(fd);
}

static void check_full_fd_table(void)
{
	bool ours = vgem_driver_selected(DRIVER_PH_VGEM);
	struct ph_stats before, after;

	if (ours)
		ph_stats_read(&before);
	compare_with_stock(trace_full_fd_table);
	if (ours) {
		ph_stats_read(&after);
		ph_stats_assert_equal(&before, &after);
	}
}

static void check_double_close(const char *key)
{
	int fd1 = drm_open_card(key, 0);
	int fd2 = drm_open_card(key, 0);
	struct dumb_bo bo = dumb_create_size(fd1, BO_SIZE);
	int dmabuf = prime_handle_to_fd(fd1, bo.handle);
	uint32_t imported = prime_fd_to_handle(fd2, dmabuf);

	gem_close(fd2, imported);
	igt_assert_eq(__gem_close(fd2, imported), -EINVAL);
	/* The dma-buf and the exporter's handle are untouched. */
	igt_assert_eq(prime_get_size(dmabuf), BO_SIZE);
	igt_assert_eq_u32(prime_fd_to_handle(fd1, dmabuf), bo.handle);
	close(dmabuf);
	close(fd1);
	close(fd2);
}

static void check_handle_zero_after_import(const char *key)
{
	int fd1 = drm_open_card(key, 0);
	int fd2 = drm_open_card(key, 0);
	struct dumb_bo bo = dumb_create_size(fd1, BO_SIZE);
	int dmabuf = prime_handle_to_fd(fd1, bo.handle), again = -1;

	/* A file that imported something still has no handle 0. */
	prime_fd_to_handle(fd2, dmabuf);
	igt_assert_eq(__prime_handle_to_fd(fd2, 0, DRM_CLOEXEC, &again), -ENOENT);
	close(dmabuf);
	close(fd1);
	close(fd2);
}

igt_main
{
	const char *key;

	igt_describe("Exporting an unknown handle (or handle 0) fails with ENOENT.");
	igt_subtest("export-unknown-handle-is-enoent")
		for_each_vgem_driver(key)
			check_unknown_handle(key);

	igt_describe("Exporting a closed handle fails with ENOENT.");
	igt_subtest("export-closed-handle-is-enoent")
		for_each_vgem_driver(key)
			check_closed_handle(key);

	igt_describe("Exporting another file's handle fails with ENOENT.");
	igt_subtest("export-other-files-handle-is-enoent")
		for_each_vgem_driver(key)
			check_other_files_handle(key);

	igt_describe("Export flags other than DRM_CLOEXEC and DRM_RDWR fail with EINVAL, first.");
	igt_subtest("export-bad-flags-is-einval")
		for_each_vgem_driver(key)
			check_bad_flags(key);

	igt_describe("Importing a pipe, /dev/null, a memfd or a DRM fd fails with EINVAL.");
	igt_subtest("import-not-a-dmabuf-is-einval")
		for_each_vgem_driver(key)
			check_not_a_dmabuf(key);

	igt_describe("Importing a closed, negative or out-of-range fd fails with EBADF.");
	igt_subtest("import-closed-fd-is-ebadf")
		for_each_vgem_driver(key)
			check_closed_fd(key);

	igt_describe("Import treats its flags field as the stock driver does.");
	igt_subtest("import-flags-as-stock")
		compare_with_stock(trace_fd_to_handle_flags);

	igt_describe("Export with a full descriptor table fails as stock does and leaks nothing.");
	igt_subtest("export-full-fd-table-as-stock")
		check_full_fd_table();

	igt_describe("Closing an imported handle twice fails with EINVAL and harms nothing.");
	igt_subtest("gem-close-imported-twice-is-einval")
		for_each_vgem_driver(key)
			check_double_close(key);

	igt_describe("After an import, handle 0 still does not exist.");
	igt_subtest("export-handle-zero-after-import-is-enoent")
		for_each_vgem_driver(key)
			check_handle_zero_after_import(key);
}
