// SPDX-License-Identifier: MIT
/*
 * make demo: one buffer's journey across drivers, narrated.
 *
 * Our driver (ph_vgem, built on the PRIME helper library) allocates a buffer
 * and draws a test card into it through its CPU mapping; the buffer is
 * exported as a dma-buf and imported by our second driver, ph_edu, whose DMA
 * engine (QEMU's edu device, behind the IOMMU) copies it into a buffer of its
 * own; that copy is exported in turn, imported by the stock cirrus KMS driver
 * (QEMU's cirrus-vga) and scanned out. The host captures the screen and
 * compares it with the test card pixel by pixel (tests/igt/lib/screen.c),
 * saving the picture as build/demo/screen.png.
 */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xf86drm.h>

#include "debugfs.h"
#include "drmtest.h"
#include "dumb.h"
#include "edu.h"
#include "gem.h"
#include "igt.h"
#include "kms.h"
#include "prime.h"
#include "screen.h"
#include "testcard.h"

#define WIDTH 640
#define HEIGHT 480

static int step_nr;

static void step(const char *what)
{
	printf("\n[%d] %s\n", ++step_nr, what);
}

static const char *iommu_state(void)
{
	DIR *dir = opendir("/sys/class/iommu");
	struct dirent *de;
	bool on = false;

	while (dir && (de = readdir(dir)))
		on |= de->d_name[0] != '.';
	if (dir)
		closedir(dir);
	return on ? "on (intel-iommu translates device DMA)" : "off";
}

int main(void)
{
	struct dumb_bo bo = { .width = WIDTH, .height = HEIGHT, .bpp = 32 };
	struct ph_stats before, shown, after;
	struct kms_scanout scanout;
	struct ph_object info;
	struct dumb_bo copy = { .width = WIDTH, .height = HEIGHT, .bpp = 32 };
	uint32_t *pixels, imported, edu_src;
	struct ph_edu_copy args;
	int ours, cirrus, edu, dmabuf, copy_dmabuf;
	char name[64];

	igt_test_name = "demo";
	printf("== prime-helpers demo: a buffer of our driver on a real display ==\n");
	printf("IOMMU: %s\n", iommu_state());
	ph_stats_read(&before);

	step("Open our drivers (ph_vgem, ph_edu) and the stock KMS driver (cirrus)");
	ours = drm_open_card(DRIVER_PH_VGEM, 0);
	edu = drm_open_card(DRIVER_PH_EDU, 0);
	cirrus = drm_open_card(DRIVER_CIRRUS, 0);
	drm_driver_name(ours, name, sizeof(name));
	printf("    ph_vgem answers DRM_IOCTL_VERSION as '%s'; ph_edu drives the edu DMA engine; "
	       "cirrus is the display\n", name);
	if (drmSetMaster(cirrus)) {
		printf("    cannot become DRM master of cirrus\n== demo: FAILED ==\n");
		return 1;
	}

	step("ph_vgem allocates a dumb buffer (MODE_CREATE_DUMB)");
	dumb_create(ours, &bo);
	printf("    %ux%u XRGB8888: handle %u, pitch %u, %llu bytes; no page allocated yet\n",
	       bo.width, bo.height, bo.handle, bo.pitch, (unsigned long long)bo.size);

	step("Draw a test card through ph_vgem's CPU mapping (MODE_MAP_DUMB + mmap)");
	pixels = dumb_mmap(ours, bo.handle, bo.size, PROT_READ | PROT_WRITE);
	draw_test_card(pixels, WIDTH, HEIGHT, bo.pitch);
	info = ph_object_get(ours, dumb_map_offset(ours, bo.handle));
	printf("    %llu page fault(s) served by the library's fault handler\n",
	       (unsigned long long)info.faults);

	step("Export it as a dma-buf (PRIME_HANDLE_TO_FD, the library's export path)");
	dmabuf = prime_handle_to_fd(ours, bo.handle);
	printf("    dma-buf fd %d, size %lld bytes (lseek SEEK_END)\n", dmabuf,
	       (long long)prime_get_size(dmabuf));

	step("ph_edu imports it (the library attaches the edu PCI device and maps the pages)");
	edu_src = prime_fd_to_handle(edu, dmabuf);
	edu_dma_works(edu, name, sizeof(name));
	printf("    ph_edu handle %u; device DMA: %s\n", edu_src, name);

	step("The edu DMA engine copies it into a ph_edu buffer (4 KiB window, chunk by chunk)");
	dumb_create(edu, &copy);
	memset(&args, 0, sizeof(args));
	args.src_handle = edu_src;
	args.dst_handle = copy.handle;
	args.length = bo.size;
	if (__edu_copy_args(edu, &args)) {
		printf("    the copy failed: %m\n== demo: FAILED ==\n");
		return 1;
	}
	printf("    %llu bytes in %u DMA transfers; source %u sg segment(s), destination %u\n",
	       (unsigned long long)args.length, args.transfers, args.src_segments,
	       args.dst_segments);

	step("Export the copy; cirrus imports it (upstream's PRIME helpers: attach + map)");
	copy_dmabuf = prime_handle_to_fd(edu, copy.handle);
	imported = prime_fd_to_handle(cirrus, copy_dmabuf);
	printf("    cirrus handle %u for the copy's pages\n", imported);

	step("cirrus scans the copy out (AddFB2 + SetCrtc); it vmaps the buffer to blit it");
	kms_show(cirrus, imported, WIDTH, HEIGHT, copy.pitch, &scanout);
	ph_stats_read(&shown);
	info = ph_object_get(ours, dumb_map_offset(ours, bo.handle));
	printf("    library: %ld live dma-buf(s), %ld attachment(s) (edu's, cirrus'), pins %u on "
	       "the original\n", shown.dma_bufs - before.dma_bufs,
	       shown.attachments - before.attachments, info.pins);

	step("The host captures the screen and compares it with the original test card");
	igt_screen_expect("screen", pixels, WIDTH, HEIGHT, bo.pitch);

	step("Tear down: modeset off, close handles and fds");
	kms_stop(&scanout);
	gem_close(cirrus, imported);
	close(cirrus);
	close(copy_dmabuf);
	close(edu);
	munmap(pixels, bo.size);
	close(dmabuf);
	close(ours);
	ph_stats_read(&after);
	printf("    library counters back to where they started: %s\n",
	       memcmp(&before, &after, sizeof(before)) ? "NO" : "yes");
	printf("\n%s\n", memcmp(&before, &after, sizeof(before)) ? "== demo: FAILED ==" :
	       "== demo: guest side OK ==");
	return memcmp(&before, &after, sizeof(before)) ? 1 : 0;
}
