// SPDX-License-Identifier: MIT
/*
 * Scanout through a real KMS driver: buffers of ph_vgem shown by the stock
 * cirrus driver (QEMU cirrus-vga), checked pixel by pixel on the host's
 * capture of the screen; and the reverse, a cirrus dumb buffer read through
 * ph_vgem's mappings.
 */
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

igt_main
{
	igt_describe("A ph_vgem buffer filled through its mmap, imported by cirrus and scanned "
		     "out, shows exactly the pixels written (host screendump, whole screen).");
	igt_subtest("cirrus-scans-out-ph-buffer") {
		struct dumb_bo bo = { .width = WIDTH, .height = HEIGHT, .bpp = 32 };
		int cirrus = drm_open_card(DRIVER_CIRRUS, 0);
		int ours = drm_open_card(DRIVER_PH_VGEM, 0);
		struct kms_scanout scanout;
		struct ph_stats before, shown, after;
		uint32_t *pixels, imported;
		int dmabuf;

		ph_stats_read(&before);
		igt_assert_eq(drmSetMaster(cirrus), 0);
		dumb_create(ours, &bo);
		pixels = dumb_mmap(ours, bo.handle, bo.size, PROT_READ | PROT_WRITE);
		draw_test_card(pixels, WIDTH, HEIGHT, bo.pitch);
		dmabuf = prime_handle_to_fd(ours, bo.handle);
		imported = prime_fd_to_handle(cirrus, dmabuf);

		kms_show(cirrus, imported, WIDTH, HEIGHT, bo.pitch, &scanout);
		ph_stats_read(&shown);
		igt_info("while shown: %ld attachment(s), %ld vmap(s) of the library\n",
			 shown.attachments - before.attachments, shown.vmaps - before.vmaps);
		igt_assert_eq(shown.attachments, before.attachments + 1);
		igt_screen_expect("ph-buffer-on-cirrus", pixels, WIDTH, HEIGHT, bo.pitch);

		kms_stop(&scanout);
		gem_close(cirrus, imported);
		close(cirrus);
		munmap(pixels, bo.size);
		close(dmabuf);
		close(ours);
		ph_stats_read(&after);
		ph_stats_assert_equal(&before, &after);
	}

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
