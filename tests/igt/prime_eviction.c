// SPDX-License-Identifier: MIT
/*
 * Eviction through ph_vgem's debugfs knob (ph_evict): every unpinned object's
 * pages go back to shmem after all CPU mappings are shot down, the GEM mmaps
 * and the dma-buf mmaps alike (the dma-buf file shares the device's address
 * space, so one shootdown reaches both). The data survives and the next touch
 * faults again, which the fault counter in ph_objects shows. ph_vgem only:
 * the stock vgem has no such knob.
 */
#include <stdint.h>
#include <stdlib.h>
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

struct victim {
	int fd;
	struct dumb_bo bo;
	uint64_t offset;
	int dmabuf;
};

static struct victim victim_new(void)
{
	struct victim v = { .fd = drm_open_card(DRIVER_PH_VGEM, 0) };

	v.bo = dumb_create_size(v.fd, BO_SIZE);
	v.offset = dumb_map_offset(v.fd, v.bo.handle);
	v.dmabuf = prime_handle_to_fd_for_mmap(v.fd, v.bo.handle);
	return v;
}

static void victim_free(struct victim *v)
{
	close(v->dmabuf);
	gem_close(v->fd, v->bo.handle);
	close(v->fd);
}

static uint64_t faults_of(const struct victim *v)
{
	return ph_object_get(v->fd, v->offset).faults;
}

/* Reads one word per page, so every page is touched. */
static uint32_t touch_pages(const uint32_t *ptr)
{
	uint32_t sum = 0;
	int page;

	for (page = 0; page < BO_SIZE / 4096; page++)
		sum += ((volatile const uint32_t *)ptr)[page * 1024];
	return sum;
}

static void check_gem_mmap_refaults(void)
{
	struct victim v = victim_new();
	uint32_t *gem = dumb_mmap(v.fd, v.bo.handle, BO_SIZE, PROT_READ | PROT_WRITE);
	uint64_t before, after;

	fill_pattern(gem, BO_SIZE, 0x100);
	before = faults_of(&v);
	igt_assert_lte(1, before);
	/* Mapped pages do not fault again... */
	touch_pages(gem);
	igt_assert_eq_u64(faults_of(&v), before);
	ph_evict(v.fd);
	/* ...until eviction shot the mapping down. */
	igt_assert_pattern(gem, BO_SIZE, 0x100);
	after = faults_of(&v);
	igt_info("faults: %llu before eviction, %llu after\n", (unsigned long long)before,
		 (unsigned long long)after);
	igt_assert_lt(before, after);
	munmap(gem, BO_SIZE);
	victim_free(&v);
}

static void check_dmabuf_mmap_refaults(void)
{
	struct victim v = victim_new();
	uint32_t *buf = prime_mmap(v.dmabuf, BO_SIZE, PROT_READ | PROT_WRITE);
	uint64_t before;

	fill_pattern(buf, BO_SIZE, 0x200);
	before = faults_of(&v);
	igt_assert_lte(1, before);
	ph_evict(v.fd);
	igt_assert_pattern(buf, BO_SIZE, 0x200);
	igt_assert_lt(before, faults_of(&v));
	munmap(buf, BO_SIZE);
	victim_free(&v);
}

static void check_both_mappings(void)
{
	struct victim v = victim_new();
	uint32_t *gem = dumb_mmap(v.fd, v.bo.handle, BO_SIZE, PROT_READ | PROT_WRITE);
	uint32_t *buf = prime_mmap(v.dmabuf, BO_SIZE, PROT_READ | PROT_WRITE);
	uint64_t settled, after_gem, after_buf;

	fill_pattern(gem, BO_SIZE, 0x300);
	touch_pages(buf);
	settled = faults_of(&v);
	ph_evict(v.fd);

	/* Each mapping was shot down on its own, so each faults again. */
	touch_pages(gem);
	after_gem = faults_of(&v);
	igt_assert_lt(settled, after_gem);
	touch_pages(buf);
	after_buf = faults_of(&v);
	igt_assert_lt(after_gem, after_buf);

	igt_assert_pattern(buf, BO_SIZE, 0x300);
	fill_pattern(buf, BO_SIZE, 0x301);
	igt_assert_pattern(gem, BO_SIZE, 0x301);
	munmap(gem, BO_SIZE);
	munmap(buf, BO_SIZE);
	victim_free(&v);
}

static void check_unmapped_data_survives(void)
{
	struct victim v = victim_new();
	uint32_t *gem = dumb_mmap(v.fd, v.bo.handle, BO_SIZE, PROT_READ | PROT_WRITE);

	fill_pattern(gem, BO_SIZE, 0x400);
	munmap(gem, BO_SIZE);
	ph_evict(v.fd);
	ph_evict(v.fd);
	gem = dumb_mmap(v.fd, v.bo.handle, BO_SIZE, PROT_READ);
	igt_assert_pattern(gem, BO_SIZE, 0x400);
	munmap(gem, BO_SIZE);
	victim_free(&v);
}

static void check_untouched_stays_zero(void)
{
	struct victim v = victim_new();
	uint32_t *gem;

	ph_evict(v.fd);
	gem = dumb_mmap(v.fd, v.bo.handle, BO_SIZE, PROT_READ);
	igt_assert(is_zeroed(gem, BO_SIZE));
	munmap(gem, BO_SIZE);
	victim_free(&v);
}

static void check_pinned_left_alone(void)
{
	struct victim v = victim_new();
	int dev1 = drm_open_card(DRIVER_PH_VGEM, 1);
	uint32_t *gem = dumb_mmap(v.fd, v.bo.handle, BO_SIZE, PROT_READ | PROT_WRITE);
	struct ph_object obj;
	uint32_t imported;
	uint64_t before;

	fill_pattern(gem, BO_SIZE, 0x500);
	/* A foreign import attaches, and an attachment pins. */
	imported = prime_fd_to_handle(dev1, v.dmabuf);
	obj = ph_object_get(v.fd, v.offset);
	igt_assert_lte(1, obj.pins);
	before = obj.faults;
	ph_evict(v.fd);
	touch_pages(gem);
	obj = ph_object_get(v.fd, v.offset);
	igt_assert_eq_u64(obj.faults, before);
	igt_assert_lte(1, obj.pins);
	igt_assert_pattern(gem, BO_SIZE, 0x500);

	/* Unpinned again, it is evicted like any other. */
	gem_close(dev1, imported);
	igt_assert_eq(ph_object_get(v.fd, v.offset).pins, 0);
	ph_evict(v.fd);
	igt_assert_pattern(gem, BO_SIZE, 0x500);
	igt_assert_lt(before, faults_of(&v));
	munmap(gem, BO_SIZE);
	close(dev1);
	victim_free(&v);
}

static void check_importer_mapping_shot_down(void)
{
	struct victim v = victim_new();
	int dev1 = drm_open_card(DRIVER_PH_VGEM, 1);
	uint32_t imported = prime_fd_to_handle(dev1, v.dmabuf);
	uint32_t *remote, *gem;
	uint64_t before;

	/*
	 * Closing the import drops its attachment and so the pin; the mapping,
	 * redirected to the exporter's dma-buf, stays.
	 */
	remote = dumb_mmap(dev1, imported, BO_SIZE, PROT_READ | PROT_WRITE);
	gem_close(dev1, imported);
	fill_pattern(remote, BO_SIZE, 0x600);
	before = faults_of(&v);
	ph_evict(v.fd);
	/* The importer's redirected mapping is the exporter's: it re-faults too. */
	igt_assert_pattern(remote, BO_SIZE, 0x600);
	igt_assert_lt(before, faults_of(&v));
	gem = dumb_mmap(v.fd, v.bo.handle, BO_SIZE, PROT_READ);
	igt_assert_pattern(gem, BO_SIZE, 0x600);
	munmap(gem, BO_SIZE);
	munmap(remote, BO_SIZE);
	close(dev1);
	victim_free(&v);
}

static void check_other_device_untouched(void)
{
	struct victim v = victim_new();
	int dev1 = drm_open_card(DRIVER_PH_VGEM, 1);
	struct dumb_bo bo = dumb_create_size(dev1, BO_SIZE);
	uint64_t offset = dumb_map_offset(dev1, bo.handle);
	uint32_t *ptr = dumb_mmap(dev1, bo.handle, BO_SIZE, PROT_READ | PROT_WRITE);
	uint64_t before;

	fill_pattern(ptr, BO_SIZE, 0x700);
	before = ph_object_get(dev1, offset).faults;
	/* The knob is per device: device 0's eviction leaves device 1 alone. */
	ph_evict(v.fd);
	touch_pages(ptr);
	igt_assert_eq_u64(ph_object_get(dev1, offset).faults, before);
	munmap(ptr, BO_SIZE);
	gem_close(dev1, bo.handle);
	close(dev1);
	victim_free(&v);
}

/*
 * CPU mappings do not keep an object's memory resident once they are gone:
 * the close of the last one (munmap, exit) gives the pages back to shmem,
 * dirty, so the kernel may swap them; the next mapping faults them back in
 * with their contents. ph_objects shows 0 segments while no page is held.
 */
static unsigned int held_segments(const struct victim *v)
{
	return ph_object_get(v->fd, v->offset).segments;
}

static void check_last_unmap_releases(void)
{
	struct victim v = victim_new();
	uint32_t *gem, *buf;

	/* One GEM mmap. */
	gem = dumb_mmap(v.fd, v.bo.handle, BO_SIZE, PROT_READ | PROT_WRITE);
	fill_pattern(gem, BO_SIZE, 0x700);
	igt_assert_lte(1, held_segments(&v));
	igt_assert_eq(munmap(gem, BO_SIZE), 0);
	igt_assert_eq(held_segments(&v), 0);

	/* A GEM and a dma-buf mmap: held until both are gone, data intact. */
	gem = dumb_mmap(v.fd, v.bo.handle, BO_SIZE, PROT_READ | PROT_WRITE);
	buf = prime_mmap(v.dmabuf, BO_SIZE, PROT_READ | PROT_WRITE);
	igt_assert_pattern(buf, BO_SIZE, 0x700);
	igt_assert_eq(munmap(gem, BO_SIZE), 0);
	igt_assert_lte(1, held_segments(&v));
	igt_assert_pattern(buf, BO_SIZE, 0x700);
	fill_pattern(buf, BO_SIZE, 0x701);
	igt_assert_eq(munmap(buf, BO_SIZE), 0);
	igt_assert_eq(held_segments(&v), 0);

	/* A mapping split in two by munmap of its middle page closes twice. */
	gem = dumb_mmap(v.fd, v.bo.handle, BO_SIZE, PROT_READ | PROT_WRITE);
	igt_assert_pattern(gem, BO_SIZE, 0x701);
	igt_assert_eq(munmap((uint8_t *)gem + 4 * 4096, 4096), 0);
	igt_assert_lte(1, held_segments(&v));
	igt_assert_eq(munmap(gem, 4 * 4096), 0);
	igt_assert_lte(1, held_segments(&v));
	igt_assert_eq(munmap((uint8_t *)gem + 5 * 4096, BO_SIZE - 5 * 4096), 0);
	igt_assert_eq(held_segments(&v), 0);

	victim_free(&v);
}

/* A forked child's copy of the mapping counts: the pages go when both do. */
static void check_last_unmap_after_fork(void)
{
	struct victim v = victim_new();
	uint32_t *gem = dumb_mmap(v.fd, v.bo.handle, BO_SIZE, PROT_READ | PROT_WRITE);
	int to_child[2], status;
	pid_t pid;
	char c;

	fill_pattern(gem, BO_SIZE, 0x800);
	igt_assert_eq(pipe(to_child), 0);
	pid = fork();
	igt_assert(pid >= 0);
	if (pid == 0) {
		close(to_child[1]);
		if (read(to_child[0], &c, 1) != 1)
			_exit(2);
		/* The parent unmapped its copy: this one still reads the data. */
		_exit(check_pattern(gem, BO_SIZE, 0x800) >= 0 ? 3 : 0);
	}
	close(to_child[0]);
	igt_assert_eq(munmap(gem, BO_SIZE), 0);
	igt_assert_lte(1, held_segments(&v));
	igt_assert_eq(write(to_child[1], "x", 1), 1);
	igt_assert_eq(waitpid(pid, &status, 0), pid);
	igt_assert_f(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		     "the child failed (status 0x%x: 2 pipe, 3 data)", status);
	close(to_child[1]);
	igt_assert_eq(held_segments(&v), 0);
	victim_free(&v);
}

/*
 * Device mappings do not keep the pages either once the last one is gone:
 * a static importer (another ph_vgem, the stock vgem) is mapped by the
 * dma-buf core at attach and unmapped at detach, and the detach of the last
 * one gives the pages back at once, while the dma-buf itself lives on.
 */
static void check_last_detach_releases(void)
{
	struct victim v = victim_new();
	int ours = drm_open_card(DRIVER_PH_VGEM, 1);
	int stock = drm_open_card(DRIVER_STOCK_VGEM, 0);
	uint32_t *gem = dumb_mmap(v.fd, v.bo.handle, BO_SIZE, PROT_READ | PROT_WRITE);
	uint32_t by_ours, by_stock;
	struct ph_object obj;

	fill_pattern(gem, BO_SIZE, 0x900);
	igt_assert_eq(munmap(gem, BO_SIZE), 0);
	igt_assert_eq(held_segments(&v), 0);

	by_ours = prime_fd_to_handle(ours, v.dmabuf);
	by_stock = prime_fd_to_handle(stock, v.dmabuf);
	obj = ph_object_get(v.fd, v.offset);
	igt_assert_eq(obj.maps, 2);
	igt_assert_lte(1, obj.segments);
	igt_assert_eq(obj.evictable, 0);

	gem_close(ours, by_ours);
	obj = ph_object_get(v.fd, v.offset);
	igt_assert_eq(obj.maps, 1);
	igt_assert_lte(1, obj.segments);

	gem_close(stock, by_stock);
	obj = ph_object_get(v.fd, v.offset);
	igt_assert_f(obj.maps == 0 && obj.segments == 0 && obj.evictable == 0,
		     "after the last detach: %u mappings, %u segments held, evictable %u "
		     "(want 0, 0, 0: the pages go back with the last mapping)\n",
		     obj.maps, obj.segments, obj.evictable);

	/* Given back dirty: the next mapping reads what was written. */
	gem = dumb_mmap(v.fd, v.bo.handle, BO_SIZE, PROT_READ);
	igt_assert_pattern(gem, BO_SIZE, 0x900);
	munmap(gem, BO_SIZE);
	close(stock);
	close(ours);
	victim_free(&v);
}

igt_main
{
	igt_describe("After eviction the GEM mmap faults again and the data survived.");
	igt_subtest("evict-refaults-gem-mmap")
		check_gem_mmap_refaults();

	igt_describe("After eviction the dma-buf mmap faults again and the data survived.");
	igt_subtest("evict-refaults-dmabuf-mmap")
		check_dmabuf_mmap_refaults();

	igt_describe("Eviction shoots down both live mappings; each re-faults, coherent after.");
	igt_subtest("evict-refaults-both-mappings")
		check_both_mappings();

	igt_describe("An evicted object with no mapping keeps its data for the next one.");
	igt_subtest("evict-unmapped-data-survives")
		check_unmapped_data_survives();

	igt_describe("Evicting a never-touched object leaves it reading as zeros.");
	igt_subtest("evict-untouched-stays-zero")
		check_untouched_stays_zero();

	igt_describe("A pinned (attached) object is left alone, evicted once unpinned.");
	igt_subtest("evict-skips-pinned")
		check_pinned_left_alone();

	igt_describe("An importer's redirected mapping is shot down, re-faults on the exporter.");
	igt_subtest("evict-reaches-importer-mapping")
		check_importer_mapping_shot_down();

	igt_describe("Eviction is per device: another device's mappings do not re-fault.");
	igt_subtest("evict-is-per-device")
		check_other_device_untouched();

	igt_describe("The last munmap of a CPU-mapped object gives its pages back, data kept.");
	igt_subtest("last-unmap-releases-pages")
		check_last_unmap_releases();

	igt_describe("A forked copy of the mapping keeps the pages until it is gone too.");
	igt_subtest("last-unmap-after-fork")
		check_last_unmap_after_fork();

	igt_describe("The detach of the last static importer gives the pages back, data kept.");
	igt_subtest("last-detach-releases-pages")
		check_last_detach_releases();
}
