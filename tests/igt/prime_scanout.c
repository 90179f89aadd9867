// SPDX-License-Identifier: MIT
/*
 * Scanout through a real KMS driver: buffers of ph_vgem shown by the stock
 * cirrus driver (QEMU cirrus-vga), checked pixel by pixel on the host's
 * capture of the screen; and the reverse, a cirrus dumb buffer read through
 * ph_vgem's mappings.
 */
#include <inttypes.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xf86drm.h>

#include "debugfs.h"
#include "drmtest.h"
#include "dumb.h"
#include "gem.h"
#include "igt.h"
#include "kms.h"
#include "prime.h"
#include "screen.h"
#include "testcard.h"

#define WIDTH 800
#define HEIGHT 600

/* A ph_vgem buffer with a test card, imported by cirrus and on its screen. */
struct shown {
	int cirrus, ours, dmabuf;
	struct dumb_bo bo;
	uint32_t *pixels, imported;
	struct kms_scanout scanout;
};

static void show_ph_buffer(struct shown *s)
{
	s->bo = (struct dumb_bo){ .width = WIDTH, .height = HEIGHT, .bpp = 32 };
	s->cirrus = drm_open_card(DRIVER_CIRRUS, 0);
	s->ours = drm_open_card(DRIVER_PH_VGEM, 0);
	igt_assert_eq(drmSetMaster(s->cirrus), 0);
	dumb_create(s->ours, &s->bo);
	s->pixels = dumb_mmap(s->ours, s->bo.handle, s->bo.size, PROT_READ | PROT_WRITE);
	draw_test_card(s->pixels, WIDTH, HEIGHT, s->bo.pitch);
	s->dmabuf = prime_handle_to_fd(s->ours, s->bo.handle);
	s->imported = prime_fd_to_handle(s->cirrus, s->dmabuf);
	kms_show(s->cirrus, s->imported, WIDTH, HEIGHT, s->bo.pitch, &s->scanout);
}

static void unshow(struct shown *s)
{
	kms_stop(&s->scanout);
	gem_close(s->cirrus, s->imported);
	close(s->cirrus);
	munmap(s->pixels, s->bo.size);
	close(s->dmabuf);
	close(s->ours);
}

/*
 * cirrus is a static importer: the attachment pins the buffer for as long
 * as it lives, so neither the shrinker nor an eviction may take the pages
 * cirrus reads from. If they did, the CPU mapping would fault fresh pages
 * in and what is written through it would never reach the screen.
 */
static void check_scanout_survives_shrinker(void)
{
	struct ph_shrinker s0, s1;
	struct ph_object obj;
	uint64_t offset, faults;
	uint32_t sum = 0;
	struct shown s;
	unsigned int x, y;

	show_ph_buffer(&s);
	offset = dumb_map_offset(s.ours, s.bo.handle);
	obj = ph_object_get(s.ours, offset);
	igt_assert_lte(1, obj.pins);
	igt_assert_eq(obj.evictable, 0);
	faults = obj.faults;

	ph_shrinker_read(s.ours, &s0);
	ph_shrink(s.ours, 1 << 20);
	ph_evict(s.ours);
	ph_shrinker_read(s.ours, &s1);
	obj = ph_object_get(s.ours, offset);
	igt_info("after a shrinker walk and an eviction: %u pins, %u segments held, %" PRIu64
		 " objects evicted by the walk\n", obj.pins, obj.segments,
		 s1.evicted_objects - s0.evicted_objects);
	igt_assert_lte(1, obj.pins);
	igt_assert_lte(1, obj.segments);
	/* Not even the CPU mapping was shot down: touching every page faults none. */
	for (y = 0; y < HEIGHT; y++)
		sum += ((volatile uint32_t *)s.pixels)[y * (s.bo.pitch / 4)];
	igt_assert_f(ph_object_get(s.ours, offset).faults == faults,
		     "the CPU mapping faulted again (rows' sum 0x%x): its pages were taken\n", sum);

	/* A box drawn through the CPU mapping now must reach the screen. */
	for (y = HEIGHT / 4; y < HEIGHT / 2; y++)
		for (x = WIDTH / 4; x < WIDTH / 2; x++)
			s.pixels[y * (s.bo.pitch / 4) + x] ^= 0x00ffffff;
	kms_dirty(&s.scanout);
	igt_screen_expect("ph-buffer-on-cirrus-after-shrinker", s.pixels, WIDTH, HEIGHT,
			  s.bo.pitch);
	unshow(&s);
}

igt_main
{
	igt_describe("A ph_vgem buffer filled through its mmap, imported by cirrus and scanned "
		     "out, shows exactly the pixels written (host screendump, whole screen).");
	igt_subtest("cirrus-scans-out-ph-buffer") {
		struct ph_stats before, shown, after;
		struct shown s;

		ph_stats_read(&before);
		show_ph_buffer(&s);
		ph_stats_read(&shown);
		igt_info("while shown: %ld attachment(s), %ld vmap(s) of the library\n",
			 shown.attachments - before.attachments, shown.vmaps - before.vmaps);
		igt_assert_eq(shown.attachments, before.attachments + 1);
		igt_screen_expect("ph-buffer-on-cirrus", s.pixels, WIDTH, HEIGHT, s.bo.pitch);
		unshow(&s);
		ph_stats_read(&after);
		ph_stats_assert_equal(&before, &after);
	}

	igt_describe("A buffer cirrus scans out stays pinned through a shrinker walk and an "
		     "eviction: what is drawn through its CPU mapping afterwards is on screen.");
	igt_subtest("cirrus-scanout-survives-shrinker")
		check_scanout_survives_shrinker();

	igt_describe("A cirrus dumb buffer exported by cirrus (upstream's shmem helper) and "
		     "imported into ph_vgem reads the same through ph_vgem's GEM mmap (redirected "
		     "to the exporter) and through the dma-buf mmap.");
	igt_subtest("cirrus-buffer-read-through-ph-mmap") {
		struct dumb_bo bo = { .width = WIDTH, .height = HEIGHT, .bpp = 32 };
		int cirrus = drm_open_card(DRIVER_CIRRUS, 0);
		int ours = drm_open_card(DRIVER_PH_VGEM, 0);
		uint32_t *theirs, *via_gem, *via_dmabuf, imported;
		int dmabuf;

		dumb_create(cirrus, &bo);
		theirs = dumb_mmap(cirrus, bo.handle, bo.size, PROT_READ | PROT_WRITE);
		draw_test_card(theirs, WIDTH, HEIGHT, bo.pitch);
		dmabuf = prime_handle_to_fd_for_mmap(cirrus, bo.handle);
		imported = prime_fd_to_handle(ours, dmabuf);

		via_gem = dumb_mmap(ours, imported, bo.size, PROT_READ);
		igt_assert(!memcmp(via_gem, theirs, bo.size));
		via_dmabuf = prime_mmap(dmabuf, bo.size, PROT_READ);
		igt_assert(!memcmp(via_dmabuf, theirs, bo.size));
		/* A later write by the exporter is seen at once: same pages, no copy. */
		theirs[WIDTH / 2] = 0x00c0ffee;
		igt_assert_eq_u32(via_gem[WIDTH / 2], 0x00c0ffee);

		munmap(via_dmabuf, bo.size);
		munmap(via_gem, bo.size);
		munmap(theirs, bo.size);
		gem_close(ours, imported);
		close(dmabuf);
		gem_close(cirrus, bo.handle);
		close(ours);
		close(cirrus);
	}
}
