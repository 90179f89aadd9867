// SPDX-License-Identifier: MIT
/*
 * make demo, second scene: a video frame's journey to the display, narrated.
 *
 * V4L2's vivid test driver captures its 100% colour bars straight into a
 * buffer of our driver ph_vgem (V4L2_MEMORY_DMABUF); ph_edu imports that
 * buffer and its DMA engine (QEMU's edu device, behind the IOMMU) copies the
 * top of the frame into a ph_edu buffer; the stock cirrus driver imports the
 * copy and scans it out. The host captures the screen and checks it pixel by
 * pixel (the bars on top, black below, where nothing was copied), saving it
 * as build/demo/video.png.
 */
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
#include "v4l2.h"

/* vivid's 640x360 webcam frame, on a 640x480 screen. */
#define WIDTH 640
#define FRAME_HEIGHT 360
#define SCREEN_HEIGHT 480
/* QEMU's engine is slow (~0.1-0.2 s a transfer): 160 lines, 400 KiB, take 20-40 s. */
#define COPY_LINES 160

static int step_nr;

static void step(const char *what)
{
	printf("\n[%d] %s\n", ++step_nr, what);
}

static int failed(const char *what)
{
	printf("    %s\n== demo: video scene FAILED ==\n", what);
	return 1;
}

int main(void)
{
	struct dumb_bo frame = { .width = WIDTH, .height = FRAME_HEIGHT, .bpp = 32 };
	struct dumb_bo copy = { .width = WIDTH, .height = SCREEN_HEIGHT, .bpp = 32 };
	static uint32_t expected[WIDTH * SCREEN_HEIGHT];
	struct ph_stats before, after;
	struct kms_scanout scanout;
	struct v4l2_pix_format fmt;
	struct v4l2_buffer buf;
	struct ph_edu_copy args;
	uint32_t *pixels, edu_src, imported;
	int video, ours, edu, cirrus, dmabuf, copy_dmabuf;
	unsigned int x, y;
	char path[128];

	igt_test_name = "demo_video";
	printf("\n== prime-helpers demo, scene 2: a video frame on a real display ==\n");
	ph_stats_read(&before);

	step("Open V4L2's vivid (vmalloc instance), our drivers and cirrus");
	video = vivid_open(VIVID_VMALLOC);
	if (video < 0)
		return failed("no vivid capture node");
	ours = drm_open_card(DRIVER_PH_VGEM, 0);
	edu = drm_open_card(DRIVER_PH_EDU, 0);
	cirrus = drm_open_card(DRIVER_CIRRUS, 0);
	if (drmSetMaster(cirrus))
		return failed("cannot become DRM master of cirrus");

	step("vivid: 100% colour bars, no on-screen text, 640x360 XRGB8888");
	vivid_set_colour_bars(video);
	v4l2_set_format(video, WIDTH, FRAME_HEIGHT, V4L2_PIX_FMT_XBGR32, &fmt);
	printf("    %u bytes per line, %u bytes a frame\n", fmt.bytesperline, fmt.sizeimage);

	step("ph_vgem allocates a dumb buffer with the same layout and exports it");
	dumb_create(ours, &frame);
	if (frame.pitch != fmt.bytesperline)
		return failed("the dumb pitch is not vivid's bytesperline");
	dmabuf = prime_handle_to_fd(ours, frame.handle);
	printf("    handle %u, pitch %u, dma-buf fd %d\n", frame.handle, frame.pitch, dmabuf);

	step("vivid captures one frame into it (REQBUFS/QBUF V4L2_MEMORY_DMABUF, STREAMON, DQBUF)");
	v4l2_reqbufs(video, V4L2_MEMORY_DMABUF, 1);
	v4l2_qbuf_dmabuf(video, 0, dmabuf, frame.size);
	v4l2_streamon(video);
	v4l2_dqbuf(video, V4L2_MEMORY_DMABUF, 20000, &buf);
	v4l2_streamoff(video);
	v4l2_reqbufs(video, V4L2_MEMORY_DMABUF, 0);
	close(video);
	printf("    frame %u, %u bytes, written by vb2-vmalloc through the library's vmap\n",
	       buf.sequence, buf.bytesused);

	step("Read it back through ph_vgem's mmap: every pixel is the colour bars");
	pixels = dumb_mmap(ours, frame.handle, frame.size, PROT_READ);
	if (!vivid_check_colour_bars(pixels, &fmt))
		return failed("the captured frame is not the colour bars");
	printf("    %u x %u pixels exact\n", WIDTH, FRAME_HEIGHT);

	step("ph_edu imports it; its DMA engine copies the top lines into a ph_edu buffer");
	edu_src = prime_fd_to_handle(edu, dmabuf);
	edu_dma_works(edu, path, sizeof(path));
	printf("    device DMA: %s\n", path);
	dumb_create(edu, &copy);
	if (copy.pitch != frame.pitch)
		return failed("ph_edu's dumb pitch differs from ph_vgem's");
	memset(&args, 0, sizeof(args));
	args.src_handle = edu_src;
	args.dst_handle = copy.handle;
	args.length = (uint64_t)COPY_LINES * frame.pitch;
	if (__edu_copy_args(edu, &args))
		return failed("the copy failed");
	printf("    %u lines, %llu bytes in %u DMA transfers\n", COPY_LINES,
	       (unsigned long long)args.length, args.transfers);

	step("cirrus imports the copy and scans it out; the host checks the screen");
	copy_dmabuf = prime_handle_to_fd(edu, copy.handle);
	imported = prime_fd_to_handle(cirrus, copy_dmabuf);
	kms_show(cirrus, imported, WIDTH, SCREEN_HEIGHT, copy.pitch, &scanout);
	/* The bars where the engine copied, the fresh buffer's black below. */
	for (y = 0; y < SCREEN_HEIGHT; y++)
		for (x = 0; x < WIDTH; x++)
			expected[y * WIDTH + x] = y < COPY_LINES ? vivid_colour_bar_xrgb(x, WIDTH) : 0;
	igt_screen_expect("video", expected, WIDTH, SCREEN_HEIGHT, WIDTH * 4);

	step("Tear down: modeset off, close handles and fds");
	kms_stop(&scanout);
	gem_close(cirrus, imported);
	close(cirrus);
	close(copy_dmabuf);
	close(edu);
	munmap(pixels, frame.size);
	close(dmabuf);
	close(ours);
	ph_stats_read(&after);
	printf("    library counters back to where they started: %s\n",
	       memcmp(&before, &after, sizeof(before)) ? "NO" : "yes");
	printf("\n%s\n", memcmp(&before, &after, sizeof(before)) ?
	       "== demo: video scene FAILED ==" : "== demo: video scene guest side OK ==");
	return memcmp(&before, &after, sizeof(before)) ? 1 : 0;
}
