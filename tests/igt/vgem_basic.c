// SPDX-License-Identifier: MIT
/*
 * The vgem uAPI a client sees first: identity, SET_VERSION, dumb buffers and
 * their CPU mappings, the device's sysfs and debugfs files. Every subtest runs
 * on the stock vgem (the oracle) and then on ph_vgem, which must behave the
 * same; the debugfs view of a lazily allocated buffer is ph_vgem's only.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xf86drm.h>

#include "debugfs.h"
#include "drmtest.h"
#include "dumb.h"
#include "gem.h"
#include "igt.h"

static void check_version_name(const char *key, int node)
{
	char name[64];
	int fd;

	fd = drm_open_device(key, 0, node);
	igt_assert_f(fd >= 0, "no %s node", node == DRM_NODE_RENDER ? "render" : "card");
	igt_assert(drm_driver_name(fd, name, sizeof(name)));
	igt_assert_f(!strcmp(name, "vgem"), "driver name is '%s'", name);
	close(fd);
}

static void check_set_version(const char *key)
{
	drm_set_version_t sv = {
		.drm_di_major = 1,
		.drm_di_minor = 4,
		.drm_dd_major = -1,
		.drm_dd_minor = -1,
	};
	int fd = drm_open_card(key, 0);

	/* SET_VERSION needs master: a card node nobody else holds open gets it. */
	igt_assert_eq(drmIoctl(fd, DRM_IOCTL_SET_VERSION, &sv), 0);
	igt_info("%s: DRM interface %d.%d, driver %d.%d\n", key, sv.drm_di_major,
		 sv.drm_di_minor, sv.drm_dd_major, sv.drm_dd_minor);
	igt_assert_eq(sv.drm_di_major, 1);
	close(fd);
}

static void check_prime_cap(const char *key)
{
	int card = drm_open_card(key, 0);
	int render = drm_open_device(key, 0, DRM_NODE_RENDER);

	igt_assert(render >= 0);
	igt_assert(gem_has_prime(card));
	igt_assert(gem_has_prime(render));
	close(render);
	close(card);
}

static void check_create_zero(const char *key)
{
	static const struct dumb_bo zeros[] = {
		{ .width = 0, .height = 0, .bpp = 0 },
		{ .width = 0, .height = 1, .bpp = 32 },
		{ .width = 1, .height = 0, .bpp = 32 },
		{ .width = 1, .height = 1, .bpp = 0 },
	};
	int fd = drm_open_card(key, 0);
	unsigned int i;

	for (i = 0; i < sizeof(zeros) / sizeof(zeros[0]); i++) {
		struct dumb_bo bo = zeros[i];

		igt_assert_eq(__dumb_create(fd, &bo), -EINVAL);
	}
	close(fd);
}

static void check_create_overflow(const char *key)
{
	/* width * cpp, then pitch * height, must fit in 32 bits. */
	static const struct dumb_bo huge[] = {
		{ .width = 0xffffffff, .height = 1, .bpp = 32 },
		{ .width = 65536, .height = 65536, .bpp = 32 },
		{ .width = 1, .height = 1, .bpp = 0xffffffff },
	};
	int fd = drm_open_card(key, 0);
	unsigned int i;

	for (i = 0; i < sizeof(huge) / sizeof(huge[0]); i++) {
		struct dumb_bo bo = huge[i];

		igt_assert_eq(__dumb_create(fd, &bo), -EINVAL);
	}
	close(fd);
}

static void check_create_size(const char *key, uint32_t width, uint32_t height, uint32_t bpp,
			      uint64_t size)
{
	struct dumb_bo bo = { .width = width, .height = height, .bpp = bpp };
	int fd = drm_open_card(key, 0);

	dumb_create(fd, &bo);
	igt_assert_eq_u64(bo.size, size);
	igt_assert_eq_u32(bo.pitch, (width * bpp + 7) / 8);
	gem_close(fd, bo.handle);
	close(fd);
}

/* Shmem pages in use system-wide, from /proc/meminfo, in KiB. */
static long shmem_kib(void)
{
	char *text = read_whole_file("/proc/meminfo", NULL);
	char *line;
	long kib = -1;

	igt_assert(text);
	line = strstr(text, "\nShmem:");
	igt_assert(line && sscanf(line, "\nShmem: %ld kB", &kib) == 1);
	free(text);
	return kib;
}

static void check_create_2gib_lazy(const char *key)
{
	struct dumb_bo bo = { .width = 1 << 15, .height = 1 << 15, .bpp = 16 };
	int fd = drm_open_card(key, 0);
	long before, after;

	before = shmem_kib();
	dumb_create(fd, &bo);
	igt_assert_eq_u64(bo.size, 1ull << 31);
	after = shmem_kib();
	igt_info("%s: shmem %ld KiB before, %ld KiB after\n", key, before, after);
	/* Creation must not populate the pages: allow only unrelated noise. */
	igt_assert_lt(after - before, 16 * 1024);

	if (!strcmp(key, DRIVER_PH_VGEM)) {
		struct ph_object obj = ph_object_get(fd, dumb_map_offset(fd, bo.handle));

		igt_assert_eq_u64(obj.size, 1ull << 31);
		igt_assert_eq_u64(obj.faults, 0);
		igt_assert_eq(obj.pins, 0);
		igt_assert_eq(obj.handles, 1);
	}
	gem_close(fd, bo.handle);
	close(fd);
}

static void check_map_unknown_handle(const char *key)
{
	int fd = drm_open_card(key, 0);
	uint64_t offset;

	igt_assert_eq(__dumb_map_offset(fd, 0xdead, &offset), -ENOENT);
	close(fd);
}

static void check_close_unknown_handle(const char *key)
{
	int fd = drm_open_card(key, 0);

	igt_assert_eq(__gem_close(fd, 0xdead), -EINVAL);
	close(fd);
}

static void check_mmap_read_write(const char *key)
{
	int fd = drm_open_card(key, 0);
	struct dumb_bo bo = { .width = 1024, .height = 1024, .bpp = 32 };
	uint32_t *writer, *reader;

	dumb_create(fd, &bo);
	writer = dumb_mmap(fd, bo.handle, bo.size, PROT_READ | PROT_WRITE);
	reader = dumb_mmap(fd, bo.handle, bo.size, PROT_READ);
	/* New buffers read as zeros. */
	igt_assert(is_zeroed(reader, bo.size));
	fill_pattern(writer, bo.size, 0x1000);
	igt_assert_pattern(reader, bo.size, 0x1000);
	munmap(writer, bo.size);
	munmap(reader, bo.size);
	gem_close(fd, bo.handle);
	close(fd);
}

static void check_mmap_past_end(const char *key)
{
	struct dumb_bo bo = { .width = 1024, .height = 16, .bpp = 32 };
	int fd = drm_open_card(key, 0);
	uint64_t offset;
	void *ptr;

	dumb_create(fd, &bo);
	offset = dumb_map_offset(fd, bo.handle);

	ptr = mmap(NULL, bo.size + 1, PROT_READ, MAP_SHARED, fd, offset);
	igt_assert(ptr == MAP_FAILED && errno == EINVAL);
	ptr = mmap(NULL, bo.size, PROT_READ, MAP_SHARED, fd, offset + 4096);
	igt_assert(ptr == MAP_FAILED && errno == EINVAL);
	/* The exact size still maps. */
	ptr = mmap(NULL, bo.size, PROT_READ, MAP_SHARED, fd, offset);
	igt_assert(ptr != MAP_FAILED);
	munmap(ptr, bo.size);
	gem_close(fd, bo.handle);
	close(fd);
}

static void check_mapping_outlives_close(const char *key)
{
	struct dumb_bo bo = { .width = 1024, .height = 1024, .bpp = 32 };
	int fd = drm_open_card(key, 0);
	uint32_t *ptr;

	dumb_create(fd, &bo);
	ptr = dumb_mmap(fd, bo.handle, bo.size, PROT_READ | PROT_WRITE);
	gem_close(fd, bo.handle);
	/* The handle is gone, the mapping keeps the object and its pages. */
	fill_pattern(ptr, bo.size, 0xabc);
	igt_assert_pattern(ptr, bo.size, 0xabc);
	close(fd);
	igt_assert_pattern(ptr, bo.size, 0xabc);
	munmap(ptr, bo.size);
}

static volatile sig_atomic_t read_stalled;

static void on_alarm(int sig)
{
	(void)sig;
	read_stalled = 1;
}

/*
 * Reads every readable regular file under @dir (one level): each read must
 * finish (an alarm interrupts a stall) and not fail. Returns how many files
 * were read.
 */
static int read_all_files(const char *dir)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct dirent *de;
	int count = 0;
	DIR *d;

	sigaction(SIGALRM, &sa, NULL);
	d = opendir(dir);
	igt_assert_f(d, "cannot open %s: %s", dir, strerror(errno));
	while ((de = readdir(d))) {
		char path[PATH_MAX];
		struct stat st;
		char *text;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (stat(path, &st) || !S_ISREG(st.st_mode) || !(st.st_mode & S_IRUSR))
			continue;
		igt_debug("reading %s\n", path);
		read_stalled = 0;
		alarm(5);
		text = read_whole_file(path, NULL);
		alarm(0);
		igt_assert_f(!read_stalled, "reading %s stalled", path);
		igt_assert_f(text, "reading %s failed: %s", path, strerror(errno));
		free(text);
		count++;
	}
	closedir(d);
	return count;
}

static void check_sysfs(const char *key)
{
	int fd = drm_open_card(key, 0);
	char dir[PATH_MAX];

	igt_assert(drm_sysfs_dir(fd, dir, sizeof(dir)));
	igt_assert_lt(0, read_all_files(dir));
	close(fd);
}

static void check_debugfs(const char *key)
{
	int fd = drm_open_card(key, 0);
	char dir[PATH_MAX];

	igt_assert_f(drm_debugfs_dir(fd, dir, sizeof(dir)), "no debugfs directory");
	igt_assert_lt(0, read_all_files(dir));
	close(fd);
}

igt_main
{
	const char *key;

	igt_describe("DRM_IOCTL_VERSION names the driver 'vgem' on card and render nodes.");
	igt_subtest("version-name-is-vgem") {
		for_each_vgem_driver(key) {
			check_version_name(key, DRM_NODE_PRIMARY);
			check_version_name(key, DRM_NODE_RENDER);
		}
	}

	igt_describe("SET_VERSION accepts DRM interface 1.4 from the master.");
	igt_subtest("set-version-1-4")
		for_each_vgem_driver(key)
			check_set_version(key);

	igt_describe("DRM_CAP_PRIME reports import and export on both nodes.");
	igt_subtest("prime-cap-import-export")
		for_each_vgem_driver(key)
			check_prime_cap(key);

	igt_describe("A dumb buffer with a zero width, height or bpp is refused with EINVAL.");
	igt_subtest("create-dumb-zero-is-einval")
		for_each_vgem_driver(key)
			check_create_zero(key);

	igt_describe("A dumb buffer whose pitch or size overflows 32 bits is refused with EINVAL.");
	igt_subtest("create-dumb-overflow-is-einval")
		for_each_vgem_driver(key)
			check_create_overflow(key);

	igt_describe("A 1x1x1 dumb buffer takes one page, 1024x1024x8 one MiB, pitch as computed.");
	igt_subtest("create-dumb-sizes") {
		for_each_vgem_driver(key) {
			check_create_size(key, 1, 1, 1, 4096);
			check_create_size(key, 1024, 1024, 8, 1 << 20);
			check_create_size(key, 1000, 3, 24, 12288);
		}
	}

	igt_describe("A 32768x32768x16 dumb buffer is 2 GiB and allocates nothing until touched.");
	igt_subtest("create-dumb-2gib-lazy")
		for_each_vgem_driver(key)
			check_create_2gib_lazy(key);

	igt_describe("MAP_DUMB of an unknown handle fails with ENOENT.");
	igt_subtest("map-dumb-unknown-handle-is-enoent")
		for_each_vgem_driver(key)
			check_map_unknown_handle(key);

	igt_describe("GEM_CLOSE of an unknown handle fails with EINVAL.");
	igt_subtest("gem-close-unknown-handle-is-einval")
		for_each_vgem_driver(key)
			check_close_unknown_handle(key);

	igt_describe("A dumb buffer maps through MAP_DUMB + mmap, zero-filled, writes visible.");
	igt_subtest("mmap-dumb-read-write")
		for_each_vgem_driver(key)
			check_mmap_read_write(key);

	igt_describe("Mapping one byte past the size, or starting a page in, fails with EINVAL.");
	igt_subtest("mmap-past-end-is-einval")
		for_each_vgem_driver(key)
			check_mmap_past_end(key);

	igt_describe("A CPU mapping outlives GEM_CLOSE of its handle and the device fd.");
	igt_subtest("mapping-outlives-gem-close")
		for_each_vgem_driver(key)
			check_mapping_outlives_close(key);

	igt_describe("Every readable sysfs file of the device reads without error or stall.");
	igt_subtest("sysfs-readable")
		for_each_vgem_driver(key)
			check_sysfs(key);

	igt_describe("Every readable debugfs file of the device reads without error or stall.");
	igt_subtest("debugfs-readable")
		for_each_vgem_driver(key)
			check_debugfs(key);
}
