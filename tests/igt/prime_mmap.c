// SPDX-License-Identifier: MIT
/*
 * mmap of a dma-buf: it must show the GEM object's own pages, coherent with
 * the GEM mmap in both directions, at any page offset, in any process; the
 * file's access mode, the buffer's size and the mapping type are enforced.
 * DMA_BUF_IOCTL_SYNC brackets CPU access. Every subtest runs on the stock
 * vgem (the oracle), then on ph_vgem.
 */
#include <fcntl.h>
#include <linux/dma-buf.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "debugfs.h"
#include "drmtest.h"
#include "dumb.h"
#include "gem.h"
#include "igt.h"
#include "prime.h"

#define BO_SIZE (16 * 4096)

struct exported {
	int fd;
	struct dumb_bo bo;
	int dmabuf;
};

/* A fresh buffer and a dma-buf of it, exported with @flags. */
static struct exported export_new(const char *key, uint32_t flags)
{
	struct exported e = { .fd = drm_open_card(key, 0) };

	e.bo = dumb_create_size(e.fd, BO_SIZE);
	igt_assert_eq(__prime_handle_to_fd(e.fd, e.bo.handle, flags, &e.dmabuf), 0);
	return e;
}

static void release(struct exported *e)
{
	close(e->dmabuf);
	__gem_close(e->fd, e->bo.handle);
	close(e->fd);
}

static void check_dmabuf_sees_gem(const char *key)
{
	struct exported e = export_new(key, DRM_CLOEXEC);
	uint32_t *gem = dumb_mmap(e.fd, e.bo.handle, BO_SIZE, PROT_READ | PROT_WRITE);
	uint32_t *buf;

	fill_pattern(gem, BO_SIZE, 0x10);
	buf = prime_mmap(e.dmabuf, BO_SIZE, PROT_READ);
	igt_assert_pattern(buf, BO_SIZE, 0x10);
	munmap(buf, BO_SIZE);
	munmap(gem, BO_SIZE);
	release(&e);
}

static void check_gem_sees_dmabuf(const char *key)
{
	struct exported e = export_new(key, DRM_CLOEXEC | DRM_RDWR);
	uint32_t *buf = prime_mmap(e.dmabuf, BO_SIZE, PROT_READ | PROT_WRITE);
	uint32_t *gem;

	fill_pattern(buf, BO_SIZE, 0x20);
	munmap(buf, BO_SIZE);
	gem = dumb_mmap(e.fd, e.bo.handle, BO_SIZE, PROT_READ);
	igt_assert_pattern(gem, BO_SIZE, 0x20);
	munmap(gem, BO_SIZE);
	release(&e);
}

/* Both mappings live at once: every store is visible through the other. */
static void check_interleaved(const char *key)
{
	struct exported e = export_new(key, DRM_CLOEXEC | DRM_RDWR);
	uint32_t *gem = dumb_mmap(e.fd, e.bo.handle, BO_SIZE, PROT_READ | PROT_WRITE);
	uint32_t *buf = prime_mmap(e.dmabuf, BO_SIZE, PROT_READ | PROT_WRITE);
	unsigned int page;

	igt_assert(is_zeroed(buf, BO_SIZE));
	for (page = 0; page < BO_SIZE / 4096; page++) {
		uint32_t *g = gem + page * 1024, *b = buf + page * 1024;

		g[page] = page;
		igt_assert_eq_u32(b[page], page);
		b[page + 1] = ~page;
		igt_assert_eq_u32(g[page + 1], ~page);
	}
	munmap(gem, BO_SIZE);
	munmap(buf, BO_SIZE);
	release(&e);
}

/* Mapping from a page offset into the dma-buf starts at that page. */
static void check_page_offset(const char *key)
{
	struct exported e = export_new(key, DRM_CLOEXEC);
	uint32_t *gem = dumb_mmap(e.fd, e.bo.handle, BO_SIZE, PROT_READ | PROT_WRITE);
	uint32_t *tail;

	fill_pattern(gem, BO_SIZE, 0x30);
	tail = mmap(NULL, BO_SIZE - 3 * 4096, PROT_READ, MAP_SHARED, e.dmabuf, 3 * 4096);
	igt_assert(tail != MAP_FAILED);
	igt_assert_pattern(tail, BO_SIZE - 3 * 4096, 0x30 + 3 * 1024);
	munmap(tail, BO_SIZE - 3 * 4096);
	munmap(gem, BO_SIZE);
	release(&e);
}

static void check_after_gem_close(const char *key)
{
	struct exported e = export_new(key, DRM_CLOEXEC);
	uint32_t *gem = dumb_mmap(e.fd, e.bo.handle, BO_SIZE, PROT_READ | PROT_WRITE);
	uint32_t *buf;

	fill_pattern(gem, BO_SIZE, 0x40);
	munmap(gem, BO_SIZE);
	gem_close(e.fd, e.bo.handle);
	/* Only the dma-buf holds the object now. */
	buf = prime_mmap(e.dmabuf, BO_SIZE, PROT_READ);
	igt_assert_pattern(buf, BO_SIZE, 0x40);
	munmap(buf, BO_SIZE);
	release(&e);
}

static void check_remap_and_reexport(const char *key)
{
	struct exported e = export_new(key, DRM_CLOEXEC);
	uint32_t *gem = dumb_mmap(e.fd, e.bo.handle, BO_SIZE, PROT_READ | PROT_WRITE);
	uint32_t *buf;

	fill_pattern(gem, BO_SIZE, 0x50);
	buf = prime_mmap(e.dmabuf, BO_SIZE, PROT_READ);
	munmap(buf, BO_SIZE);
	buf = prime_mmap(e.dmabuf, BO_SIZE, PROT_READ);
	close(e.dmabuf);
	/* The mapping holds the dma-buf after its fd is closed. */
	igt_assert_pattern(buf, BO_SIZE, 0x50);
	munmap(buf, BO_SIZE);
	e.dmabuf = prime_handle_to_fd(e.fd, e.bo.handle);
	buf = prime_mmap(e.dmabuf, BO_SIZE, PROT_READ);
	igt_assert_pattern(buf, BO_SIZE, 0x50);
	munmap(buf, BO_SIZE);
	munmap(gem, BO_SIZE);
	release(&e);
}

static void check_dup_fd(const char *key)
{
	struct exported e = export_new(key, DRM_CLOEXEC);
	uint32_t *gem = dumb_mmap(e.fd, e.bo.handle, BO_SIZE, PROT_READ | PROT_WRITE);
	int copy = dup(e.dmabuf);
	uint32_t *buf;

	fill_pattern(gem, BO_SIZE, 0x60);
	buf = prime_mmap(copy, BO_SIZE, PROT_READ);
	igt_assert_pattern(buf, BO_SIZE, 0x60);
	munmap(buf, BO_SIZE);
	close(copy);
	munmap(gem, BO_SIZE);
	release(&e);
}

/* A child maps the inherited fd and writes; the parent reads through GEM. */
static void check_forked(const char *key)
{
	struct exported e = export_new(key, DRM_RDWR);
	uint32_t *gem = dumb_mmap(e.fd, e.bo.handle, BO_SIZE, PROT_READ);
	int status;
	pid_t pid;

	pid = fork();
	igt_assert(pid >= 0);
	if (pid == 0) {
		uint32_t *buf = mmap(NULL, BO_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
				     e.dmabuf, 0);

		if (buf == MAP_FAILED)
			_exit(1);
		fill_pattern(buf, BO_SIZE, 0x70);
		munmap(buf, BO_SIZE);
		_exit(0);
	}
	igt_assert_eq(waitpid(pid, &status, 0), pid);
	igt_assert_f(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		     "child could not map the dma-buf (status 0x%x)", status);
	igt_assert_pattern(gem, BO_SIZE, 0x70);
	munmap(gem, BO_SIZE);
	release(&e);
}

static void check_sync_valid(const char *key)
{
	static const uint64_t valid[] = {
		DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ,
		DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ,
		DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE,
		DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE,
		DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW,
		DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW,
	};
	struct exported e = export_new(key, DRM_CLOEXEC | DRM_RDWR);
	uint32_t *buf = prime_mmap(e.dmabuf, BO_SIZE, PROT_READ | PROT_WRITE);
	unsigned int i;

	for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++)
		igt_assert_f(__prime_sync(e.dmabuf, valid[i]) == 0, "flags 0x%llx refused",
			     (unsigned long long)valid[i]);
	/* The bracketed CPU access as a client does it. */
	prime_sync_start(e.dmabuf, true);
	fill_pattern(buf, BO_SIZE, 0x80);
	prime_sync_end(e.dmabuf, true);
	prime_sync_start(e.dmabuf, false);
	igt_assert_pattern(buf, BO_SIZE, 0x80);
	prime_sync_end(e.dmabuf, false);
	munmap(buf, BO_SIZE);
	release(&e);
}

static void check_sync_invalid(const char *key)
{
	static const uint64_t invalid[] = {
		~0ull,
		0,
		DMA_BUF_SYNC_START,
		DMA_BUF_SYNC_END,
		DMA_BUF_SYNC_RW + 1,
		DMA_BUF_SYNC_VALID_FLAGS_MASK + 1,
		DMA_BUF_SYNC_READ | (1ull << 32),
	};
	struct exported e = export_new(key, DRM_CLOEXEC);
	unsigned int i;

	for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++)
		igt_assert_f(__prime_sync(e.dmabuf, invalid[i]) == -EINVAL,
			     "flags 0x%llx: %d, expected -EINVAL", (unsigned long long)invalid[i],
			     __prime_sync(e.dmabuf, invalid[i]));
	release(&e);
}

static void check_readonly_without_rdwr(const char *key)
{
	struct exported e = export_new(key, DRM_CLOEXEC);
	void *ptr;

	ptr = mmap(NULL, BO_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, e.dmabuf, 0);
	igt_assert(ptr == MAP_FAILED && errno == EACCES);
	ptr = mmap(NULL, BO_SIZE, PROT_READ, MAP_SHARED, e.dmabuf, 0);
	igt_assert(ptr != MAP_FAILED);
	/* Nor can a read-only mapping be made writable later. */
	igt_assert_errno(mprotect(ptr, BO_SIZE, PROT_READ | PROT_WRITE), EACCES);
	munmap(ptr, BO_SIZE);
	release(&e);
}

static void check_writable_with_rdwr(const char *key)
{
	struct exported e = export_new(key, DRM_CLOEXEC | DRM_RDWR);
	uint32_t *ptr = prime_mmap(e.dmabuf, BO_SIZE, PROT_READ | PROT_WRITE);

	fill_pattern(ptr, BO_SIZE, 0x90);
	igt_assert_pattern(ptr, BO_SIZE, 0x90);
	munmap(ptr, BO_SIZE);
	release(&e);
}

static void check_past_end(const char *key)
{
	struct exported e = export_new(key, DRM_CLOEXEC);
	void *ptr;

	ptr = mmap(NULL, BO_SIZE * 2, PROT_READ, MAP_SHARED, e.dmabuf, 0);
	igt_assert(ptr == MAP_FAILED && errno == EINVAL);
	ptr = mmap(NULL, BO_SIZE + 1, PROT_READ, MAP_SHARED, e.dmabuf, 0);
	igt_assert(ptr == MAP_FAILED && errno == EINVAL);
	ptr = mmap(NULL, BO_SIZE, PROT_READ, MAP_SHARED, e.dmabuf, BO_SIZE / 2);
	igt_assert(ptr == MAP_FAILED && errno == EINVAL);
	ptr = mmap(NULL, 4096, PROT_READ, MAP_SHARED, e.dmabuf, BO_SIZE);
	igt_assert(ptr == MAP_FAILED && errno == EINVAL);
	release(&e);
}

static void check_private_writable(const char *key)
{
	struct exported e = export_new(key, DRM_CLOEXEC | DRM_RDWR);
	uint64_t offset = dumb_map_offset(e.fd, e.bo.handle);
	void *ptr;

	ptr = mmap(NULL, BO_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE, e.dmabuf, 0);
	igt_assert(ptr == MAP_FAILED && errno == EINVAL);
	ptr = mmap(NULL, BO_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE, e.fd, offset);
	igt_assert(ptr == MAP_FAILED && errno == EINVAL);
	release(&e);
}

#define FAULT_AROUND "/sys/module/prime_helpers/parameters/fault_around_pages"
#define AROUND_SIZE (4u << 20)

#define HUGE_PAGES "/sys/module/prime_helpers/parameters/huge_pages"

static void set_param(const char *path, unsigned int value)
{
	FILE *f = fopen(path, "w");

	igt_assert_f(f, "cannot open %s: %s\n", path, strerror(errno));
	igt_assert(fprintf(f, "%u\n", value) > 0);
	igt_assert_eq(fclose(f), 0);
}

static void set_fault_around(unsigned int pages)
{
	set_param(FAULT_AROUND, pages);
}

/* Faults the library counted for a fresh buffer once every page was touched. */
static uint64_t faults_to_touch_all(int fd, uint32_t seed)
{
	struct dumb_bo bo = dumb_create_size(fd, AROUND_SIZE);
	uint32_t *cpu = dumb_mmap(fd, bo.handle, AROUND_SIZE, PROT_READ | PROT_WRITE);
	uint64_t faults;

	fill_pattern(cpu, AROUND_SIZE, seed);
	igt_assert_pattern(cpu, AROUND_SIZE, seed);
	faults = ph_object_get(fd, dumb_map_offset(fd, bo.handle)).faults;
	munmap(cpu, AROUND_SIZE);
	gem_close(fd, bo.handle);
	return faults;
}

/*
 * A fault maps an aligned window of pages around the faulting one: touching
 * 4 MiB costs a handful of faults, not one per page; with a window of one
 * page it costs exactly one per page. Partial mappings at an offset and
 * mappings ending at the object's end clip the window and see the right pages.
 */
static void check_fault_around(void)
{
	int fd = drm_open_card(DRIVER_PH_VGEM, 0);
	struct exported e;
	uint64_t faults;
	uint32_t *gem, *part;

	/* Huge pages would map 2 MiB per fault whatever the window (prime_huge). */
	set_param(HUGE_PAGES, 0);
	set_fault_around(512);
	faults = faults_to_touch_all(fd, 41);
	igt_info("4 MiB touched with 512-page fault-around: %llu faults\n",
		 (unsigned long long)faults);
	igt_assert_lte(1, faults);
	igt_assert_lte(faults, AROUND_SIZE / (2u << 20) + 1);

	set_fault_around(1);
	faults = faults_to_touch_all(fd, 42);
	set_fault_around(512);
	set_param(HUGE_PAGES, 1);
	igt_assert_eq_u64(faults, AROUND_SIZE / 4096);

	/* Five pages of the dma-buf from page 3, then the last two pages. */
	e = export_new(DRIVER_PH_VGEM, DRM_CLOEXEC | DRM_RDWR);
	gem = dumb_mmap(e.fd, e.bo.handle, BO_SIZE, PROT_READ | PROT_WRITE);
	fill_pattern(gem, BO_SIZE, 43);
	munmap(gem, BO_SIZE);
	part = mmap(NULL, 5 * 4096, PROT_READ, MAP_SHARED, e.dmabuf, 3 * 4096);
	igt_assert(part != MAP_FAILED);
	gem = dumb_mmap(e.fd, e.bo.handle, BO_SIZE, PROT_READ);
	igt_assert(!memcmp(part, (uint8_t *)gem + 3 * 4096, 5 * 4096));
	munmap(part, 5 * 4096);
	part = mmap(NULL, 2 * 4096, PROT_READ, MAP_SHARED, e.dmabuf, BO_SIZE - 2 * 4096);
	igt_assert(part != MAP_FAILED);
	igt_assert(!memcmp(part, (uint8_t *)gem + BO_SIZE - 2 * 4096, 2 * 4096));
	munmap(part, 2 * 4096);
	munmap(gem, BO_SIZE);
	release(&e);
	close(fd);
}

static void check_closed_fd(const char *key)
{
	struct exported e = export_new(key, DRM_CLOEXEC);
	int closed = e.dmabuf;
	void *ptr;

	e.dmabuf = dup(closed);
	close(closed);
	ptr = mmap(NULL, BO_SIZE, PROT_READ, MAP_SHARED, closed, 0);
	igt_assert(ptr == MAP_FAILED && errno == EBADF);
	release(&e);
}

igt_main
{
	const char *key;

	igt_describe("The dma-buf mmap shows what was written through the GEM mmap.");
	igt_subtest("dmabuf-mmap-sees-gem-writes")
		for_each_vgem_driver(key)
			check_dmabuf_sees_gem(key);

	igt_describe("The GEM mmap shows what was written through the dma-buf mmap.");
	igt_subtest("gem-mmap-sees-dmabuf-writes")
		for_each_vgem_driver(key)
			check_gem_sees_dmabuf(key);

	igt_describe("With both mappings live, every store is visible through the other.");
	igt_subtest("mmap-redirect-coherent")
		for_each_vgem_driver(key)
			check_interleaved(key);

	/*
	 * ph_vgem only: stock vgem is no oracle here. The shmem helper's fault
	 * handler counts pages from the start of the VMA, so a dma-buf mapped
	 * at an offset shows page 0 there (seen on 6.1 and 6.12), although
	 * dma-buf mmap accepts and range-checks the offset.
	 */
	igt_describe("A dma-buf mapping at a page offset starts at that page of the object.");
	igt_subtest("dmabuf-mmap-page-offset")
		check_page_offset(DRIVER_PH_VGEM);

	igt_describe("The dma-buf maps after its exporting handle is closed.");
	igt_subtest("dmabuf-mmap-after-gem-close")
		for_each_vgem_driver(key)
			check_after_gem_close(key);

	igt_describe("A mapping outlives its fd; unmap, remap and re-export keep the data.");
	igt_subtest("dmabuf-mmap-remap-reexport")
		for_each_vgem_driver(key)
			check_remap_and_reexport(key);

	igt_describe("A dup'd dma-buf fd maps the same pages.");
	igt_subtest("dmabuf-mmap-dup-fd")
		for_each_vgem_driver(key)
			check_dup_fd(key);

	igt_describe("A child process maps the inherited dma-buf and its writes reach the parent.");
	igt_subtest("dmabuf-mmap-forked")
		for_each_vgem_driver(key)
			check_forked(key);

	igt_describe("DMA_BUF_IOCTL_SYNC accepts START/END with READ, WRITE or both.");
	igt_subtest("dmabuf-sync-valid-flags")
		for_each_vgem_driver(key)
			check_sync_valid(key);

	igt_describe("DMA_BUF_IOCTL_SYNC refuses no direction, unknown bits and -1 with EINVAL.");
	igt_subtest("dmabuf-sync-invalid-flags")
		for_each_vgem_driver(key)
			check_sync_invalid(key);

	igt_describe("Without DRM_RDWR a writable dma-buf mmap is refused with EACCES.");
	igt_subtest("dmabuf-mmap-readonly-without-rdwr")
		for_each_vgem_driver(key)
			check_readonly_without_rdwr(key);

	igt_describe("With DRM_RDWR the dma-buf maps writable.");
	igt_subtest("dmabuf-mmap-writable-with-rdwr")
		for_each_vgem_driver(key)
			check_writable_with_rdwr(key);

	igt_describe("A dma-buf mapping reaching past the end is refused with EINVAL.");
	igt_subtest("dmabuf-mmap-past-end-is-einval")
		for_each_vgem_driver(key)
			check_past_end(key);

	igt_describe("A writable MAP_PRIVATE mapping (dma-buf or GEM) is refused with EINVAL.");
	igt_subtest("mmap-private-writable-is-einval")
		for_each_vgem_driver(key)
			check_private_writable(key);

	igt_describe("Mapping a closed dma-buf fd fails with EBADF.");
	igt_subtest("dmabuf-mmap-closed-fd-is-ebadf")
		for_each_vgem_driver(key)
			check_closed_fd(key);

	igt_describe("A fault maps an aligned window of pages (fault_around_pages), "
		     "clipped to the VMA and the object.");
	igt_subtest("fault-around")
		check_fault_around();
}
