// SPDX-License-Identifier: MIT
/*
 * Video interop with V4L2's vivid test driver, both ways:
 *
 *  - vivid captures (V4L2_MEMORY_DMABUF) into buffers our drivers export:
 *    ph_vgem's shmem dumb buffers for the vmalloc instance, ph_edu's
 *    physically contiguous objects for the dma-contig instance; the frames are
 *    read back through our GEM mmap and checked pixel by pixel;
 *  - vivid exports its own buffers (VIDIOC_EXPBUF of an MMAP queue), ph_vgem
 *    and ph_edu import them, map them through GEM (the library redirects the
 *    mmap to videobuf2) and ph_edu's DMA engine copies from them;
 *  - what vb2-dma-contig must refuse (a scattered shmem buffer, a buffer too
 *    small for the frame), leaving the buffer untouched;
 *  - every order of stopping the stream and closing the video node, our DRM
 *    file, the dma-buf and the GEM handle, without a leak in our counters.
 *
 * The picture is vivid's 100% colour bars with its on-screen text off, in
 * V4L2_PIX_FMT_XBGR32 (DRM's XRGB8888), so every pixel is known exactly.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "debugfs.h"
#include "drmtest.h"
#include "dumb.h"
#include "edu.h"
#include "gem.h"
#include "igt.h"
#include "prime.h"
#include "sieve.h"
#include "v4l2.h"

/* vivid's smallest webcam frame: 8 bars of 40 pixels, 225 KiB a frame. */
#define WIDTH 320
#define HEIGHT 180
#define BUFFERS 3
#define FRAMES 6

#define CANARY 0xa5a5a5a5u

/* A frame at 30 Hz; generous, for TCG and the debug kernel. */
static int frame_timeout_ms(void)
{
	return kernel_is_debug() ? 20000 : 5000;
}

/*
 * Opens vivid instance @inst at WIDTH x HEIGHT, 30 frames a second (not the
 * webcam's default 5: the close-order tests wait for 240 frames). Not faster
 * either: 6.1's vivid capture thread computes a negative sleep when a frame
 * takes longer to draw than its period ("schedule_timeout: wrong timeout
 * value" and a stack dump), which TCG makes likely at 60.
 */
static int vivid_open_format(unsigned int inst, struct v4l2_pix_format *fmt)
{
	int video = vivid_open_or_fail(inst);

	v4l2_set_format(video, WIDTH, HEIGHT, V4L2_PIX_FMT_XBGR32, fmt);
	v4l2_set_interval(video, 1, 30);
	return video;
}

/* As above, with the colour bars (controls belong to the device, not the file). */
static int vivid_setup(unsigned int inst, struct v4l2_pix_format *fmt)
{
	int video = vivid_open_format(inst, fmt);

	vivid_set_colour_bars(video);
	return video;
}

static size_t page_align(size_t size)
{
	return (size + 4095) & ~(size_t)4095;
}

static void fill_words(void *ptr, size_t size, uint32_t value)
{
	uint32_t *p = ptr;
	size_t i;

	for (i = 0; i < size / 4; i++)
		p[i] = value;
}

static long first_word_not(const void *ptr, size_t size, uint32_t value)
{
	const uint32_t *p = ptr;
	size_t i;

	for (i = 0; i < size / 4; i++)
		if (p[i] != value)
			return i;
	return -1;
}

/* The library's view of an object: its backing store and physical extents. */
static struct ph_object object_info(int fd, uint32_t handle)
{
	return ph_object_get(fd, dumb_map_offset(fd, handle));
}

/* A buffer one of our drivers exports to vivid. */
struct our_bo {
	uint32_t handle;
	int dmabuf;
	uint8_t *cpu;
	size_t size;
};

static void our_bo_export(int fd, struct our_bo *bo, size_t size, uint32_t handle)
{
	bo->handle = handle;
	bo->size = size;
	bo->cpu = dumb_mmap(fd, handle, size, PROT_READ | PROT_WRITE);
	fill_words(bo->cpu, size, CANARY);
	bo->dmabuf = prime_handle_to_fd_for_mmap(fd, handle);
}

static void our_bo_free(int fd, struct our_bo *bo)
{
	munmap(bo->cpu, bo->size);
	close(bo->dmabuf);
	gem_close(fd, bo->handle);
}

/*
 * Streams FRAMES frames from @video into @bos (already filled with the
 * canary) and checks each through our mapping: the canary gone, every pixel
 * of the colour bars exact.
 */
static void capture_and_check(int video, const struct v4l2_pix_format *fmt,
			      struct our_bo *bos, unsigned int count)
{
	unsigned int i, seen = 0;

	igt_assert_eq(v4l2_reqbufs(video, V4L2_MEMORY_DMABUF, count), count);
	for (i = 0; i < count; i++)
		v4l2_qbuf_dmabuf(video, i, bos[i].dmabuf, bos[i].size);
	v4l2_streamon(video);
	for (i = 0; i < FRAMES; i++) {
		struct v4l2_buffer buf;

		v4l2_dqbuf(video, V4L2_MEMORY_DMABUF, frame_timeout_ms(), &buf);
		igt_assert_lt(buf.index, count);
		igt_assert_eq(buf.bytesused, fmt->sizeimage);
		igt_assert_eq(buf.m.fd, bos[buf.index].dmabuf);
		prime_sync_start(bos[buf.index].dmabuf, false);
		igt_assert_f(vivid_check_colour_bars(bos[buf.index].cpu, fmt),
			     "frame %u (buffer %u) is not the colour bars", i, buf.index);
		prime_sync_end(bos[buf.index].dmabuf, false);
		seen |= 1u << buf.index;
		/* Spoil it again, so the next frame in this buffer must rewrite it. */
		fill_words(bos[buf.index].cpu, bos[buf.index].size, CANARY);
		v4l2_qbuf_dmabuf(video, buf.index, bos[buf.index].dmabuf, bos[buf.index].size);
	}
	v4l2_streamoff(video);
	v4l2_reqbufs(video, V4L2_MEMORY_DMABUF, 0);
	igt_assert_eq(seen, (1u << count) - 1);
}

static void capture_into_ph_vgem(void)
{
	struct our_bo bos[BUFFERS];
	struct v4l2_pix_format fmt;
	struct ph_stats before, after;
	int video, fd;
	unsigned int i;

	ph_stats_read(&before);
	video = vivid_setup(VIVID_VMALLOC, &fmt);
	fd = drm_open_card(DRIVER_PH_VGEM, 0);
	for (i = 0; i < BUFFERS; i++) {
		struct dumb_bo bo = { .width = WIDTH, .height = HEIGHT, .bpp = 32 };

		dumb_create(fd, &bo);
		/* One layout for both: the dumb pitch is vivid's bytesperline. */
		igt_assert_eq(bo.pitch, fmt.bytesperline);
		igt_assert_lte(fmt.sizeimage, bo.size);
		our_bo_export(fd, &bos[i], bo.size, bo.handle);
	}
	capture_and_check(video, &fmt, bos, BUFFERS);
	for (i = 0; i < BUFFERS; i++)
		our_bo_free(fd, &bos[i]);
	close(fd);
	close(video);
	ph_stats_read(&after);
	ph_stats_assert_equal(&before, &after);
}

static void capture_into_ph_edu(void)
{
	size_t size;
	struct our_bo bos[BUFFERS];
	struct v4l2_pix_format fmt;
	struct ph_stats before, after;
	int video, fd;
	unsigned int i;

	fd = edu_open_card();
	ph_stats_read(&before);
	video = vivid_setup(VIVID_DMA_CONTIG, &fmt);
	size = page_align(fmt.sizeimage);
	for (i = 0; i < BUFFERS; i++) {
		struct ph_object info;

		our_bo_export(fd, &bos[i], size, edu_create(fd, size, PH_EDU_CREATE_CONTIGUOUS));
		/* What vb2-dma-contig needs: one physical extent. */
		info = object_info(fd, bos[i].handle);
		igt_assert_f(!strcmp(info.store, "dma"), "ph_edu's contiguous object has store %s",
			     info.store);
		igt_assert_eq(info.segments, 1);
	}
	capture_and_check(video, &fmt, bos, BUFFERS);
	for (i = 0; i < BUFFERS; i++)
		our_bo_free(fd, &bos[i]);
	close(video);
	ph_stats_read(&after);
	ph_stats_assert_equal(&before, &after);
	close(fd);
}

/*
 * A ph_vgem buffer whose pages are in more than one physical extent: taken
 * while a sieve of isolated free pages lives. Buffers that are contiguous all
 * the same are kept until the end, so that the next one gets other pages.
 */
#define SCATTER_TRIES 8

static bool scattered_dumb(int fd, size_t size, struct our_bo *out)
{
	struct our_bo tried[SCATTER_TRIES];
	struct sieve sieve;
	unsigned int i, n = 0;
	bool found = false;

	sieve_new(&sieve);
	for (i = 0; i < SCATTER_TRIES && !found; i++) {
		struct dumb_bo bo = dumb_create_size(fd, size);
		struct ph_object info;

		/* our_bo_export() writes the canary: the object takes its pages. */
		our_bo_export(fd, &tried[n], size, bo.handle);
		info = object_info(fd, bo.handle);
		igt_assert_f(!strcmp(info.store, "shmem"), "a ph_vgem dumb buffer has store %s",
			     info.store);
		igt_assert_lte(1, info.segments);
		igt_debug("ph_vgem buffer %u: %u physical extents\n", i, info.segments);
		if (info.segments > 1) {
			*out = tried[n];
			found = true;
		} else {
			n++;
		}
	}
	sieve_free(&sieve);
	for (i = 0; i < n; i++)
		our_bo_free(fd, &tried[i]);
	return found;
}

static void dma_contig_refuses_shmem(void)
{
	struct ph_stats before, after;
	struct v4l2_pix_format fmt;
	struct our_bo bo = { .dmabuf = -1 };
	int video, fd;
	long bad;

	fd = drm_open_card(DRIVER_PH_VGEM, 0);
	ph_stats_read(&before);
	video = vivid_setup(VIVID_DMA_CONTIG, &fmt);
	if (!scattered_dumb(fd, page_align(fmt.sizeimage), &bo)) {
		close(video);
		close(fd);
		igt_skip("%d ph_vgem buffers in a row were physically contiguous\n",
			 SCATTER_TRIES);
	}
	v4l2_reqbufs(video, V4L2_MEMORY_DMABUF, 1);
	/* vb2-dma-contig maps the dma-buf at QBUF and needs one DMA extent. */
	igt_assert_eq(__v4l2_qbuf_dmabuf(video, 0, bo.dmabuf, bo.size), -EFAULT);
	/* Again: the first refusal left nothing half attached that would let it in. */
	igt_assert_eq(__v4l2_qbuf_dmabuf(video, 0, bo.dmabuf, bo.size), -EFAULT);
	v4l2_reqbufs(video, V4L2_MEMORY_DMABUF, 0);
	close(video);
	bad = first_word_not(bo.cpu, bo.size, CANARY);
	igt_assert_f(bad < 0, "word %ld of the refused buffer changed to 0x%08x", bad,
		     ((uint32_t *)bo.cpu)[bad]);
	our_bo_free(fd, &bo);
	ph_stats_read(&after);
	ph_stats_assert_equal(&before, &after);
	close(fd);
}

/*
 * Kernels whose videobuf2 keeps the dma-buf reference of a QBUF the
 * allocator's attach refuses: since __prepare_dmabuf() was reworked to drop
 * the planes first (6.12 has it, 6.1 does not), the reference taken by
 * dma_buf_get() is only handed to the plane after a successful attach, and the
 * error path never puts it. Our object then lives forever and our modules
 * cannot unload, so the lying-length case is not run there.
 */
static bool vb2_leaks_refused_attach(void)
{
	struct utsname u;
	unsigned int major = 0, minor = 0;

	igt_assert_eq(uname(&u), 0);
	igt_assert_eq(sscanf(u.release, "%u.%u", &major, &minor), 2);
	return major > 6 || (major == 6 && minor >= 12);
}

/* A ph_vgem buffer a page short of a frame, queued on vivid instance @inst. */
static void too_small_refused(unsigned int inst, bool claim_frame)
{
	struct ph_stats before, after;
	struct v4l2_pix_format fmt;
	struct our_bo bo;
	size_t size;
	int video, fd;
	long bad;

	if (claim_frame)
		igt_require_f(!vb2_leaks_refused_attach(),
			      "this kernel's videobuf2 leaks the dma-buf of a refused attach "
			      "(__prepare_dmabuf): our object would never be freed\n");
	fd = drm_open_card(DRIVER_PH_VGEM, 0);
	ph_stats_read(&before);
	video = vivid_setup(inst, &fmt);
	size = page_align(fmt.sizeimage) - 4096;
	our_bo_export(fd, &bo, size, dumb_create_size(fd, size).handle);
	igt_assert_lt(bo.size, fmt.sizeimage);
	v4l2_reqbufs(video, V4L2_MEMORY_DMABUF, 1);
	if (claim_frame)
		/* A length that lies: the allocator's attach sees the dma-buf is smaller. */
		igt_assert_eq(__v4l2_qbuf_dmabuf(video, 0, bo.dmabuf, fmt.sizeimage), -EFAULT);
	else
		/* No length: vb2 takes the dma-buf's, below the frame's minimum. */
		igt_assert_eq(__v4l2_qbuf_dmabuf(video, 0, bo.dmabuf, 0), -EINVAL);
	v4l2_reqbufs(video, V4L2_MEMORY_DMABUF, 0);
	close(video);
	bad = first_word_not(bo.cpu, bo.size, CANARY);
	igt_assert_f(bad < 0, "word %ld of the refused buffer changed to 0x%08x", bad,
		     ((uint32_t *)bo.cpu)[bad]);
	our_bo_free(fd, &bo);
	ph_stats_read(&after);
	ph_stats_assert_equal(&before, &after);
	close(fd);
}

/* vivid's MMAP queue streams until one frame is in; buffer @index is exported. */
struct vivid_export {
	int video;
	struct v4l2_pix_format fmt;
	uint32_t index;
	int dmabuf;
};

static void vivid_export_frame(unsigned int inst, struct vivid_export *ex)
{
	struct v4l2_buffer buf;

	ex->video = vivid_setup(inst, &ex->fmt);
	v4l2_reqbufs(ex->video, V4L2_MEMORY_MMAP, 2);
	v4l2_qbuf_mmap(ex->video, 0);
	v4l2_qbuf_mmap(ex->video, 1);
	v4l2_streamon(ex->video);
	v4l2_dqbuf(ex->video, V4L2_MEMORY_MMAP, frame_timeout_ms(), &buf);
	igt_assert_eq(buf.bytesused, ex->fmt.sizeimage);
	/* Stop here: the dequeued frame stays as it is while we look at it. */
	v4l2_streamoff(ex->video);
	ex->index = buf.index;
	ex->dmabuf = v4l2_expbuf(ex->video, buf.index);
	igt_assert_lte(ex->fmt.sizeimage, prime_get_size(ex->dmabuf));
}

static void vivid_export_free(struct vivid_export *ex)
{
	close(ex->dmabuf);
	v4l2_reqbufs(ex->video, V4L2_MEMORY_MMAP, 0);
	close(ex->video);
}

/* Imports a vivid buffer into @key's card node and checks it through GEM mmap. */
static void export_to(unsigned int inst, const char *key)
{
	struct ph_stats before, after;
	struct vivid_export ex;
	uint32_t handle, again;
	size_t size;
	void *cpu;
	int fd;

	fd = drm_open_card(key, 0);
	ph_stats_read(&before);
	vivid_export_frame(inst, &ex);
	size = prime_get_size(ex.dmabuf);
	handle = prime_fd_to_handle(fd, ex.dmabuf);
	/* The per-file cache: the same dma-buf is the same handle. */
	again = prime_fd_to_handle(fd, ex.dmabuf);
	igt_assert_eq(again, handle);
	cpu = dumb_mmap(fd, handle, size, PROT_READ);
	igt_assert_f(vivid_check_colour_bars(cpu, &ex.fmt),
		     "vivid's frame read through %s's GEM mmap is not the colour bars", key);
	munmap(cpu, size);
	gem_close(fd, handle);
	vivid_export_free(&ex);
	ph_stats_read(&after);
	ph_stats_assert_equal(&before, &after);
	close(fd);
}

/*
 * ph_vgem importing like a device without an IOMMU that needs contiguous
 * buffers (its contiguous_imports parameter, read per import): vivid's
 * dma-contig buffer is one extent and is taken; its vmalloc buffer, allocated
 * while a sieve of isolated free pages lives, is scattered and refused with
 * EINVAL, as the kernel's DMA helper refuses it.
 */
#define CONTIGUOUS_IMPORTS "/sys/module/ph_vgem/parameters/contiguous_imports"

static void set_contiguous_imports(bool on)
{
	int fd = open(CONTIGUOUS_IMPORTS, O_WRONLY | O_CLOEXEC);

	igt_assert_f(fd >= 0, "cannot open %s: %s", CONTIGUOUS_IMPORTS, strerror(errno));
	igt_assert_eq(write(fd, on ? "Y" : "N", 1), 1);
	close(fd);
}

static void contiguous_import(unsigned int inst)
{
	struct ph_stats before, after;
	struct vivid_export ex;
	struct sieve sieve;
	uint32_t handle = 0;
	int fd, ret;

	fd = drm_open_card(DRIVER_PH_VGEM, 0);
	ph_stats_read(&before);
	sieve_new(&sieve);
	vivid_export_frame(inst, &ex);
	sieve_free(&sieve);
	set_contiguous_imports(true);
	ret = __prime_fd_to_handle(fd, ex.dmabuf, &handle);
	/* Off again before any check can fail: later imports must not see it. */
	set_contiguous_imports(false);
	if (inst == VIVID_DMA_CONTIG) {
		struct ph_object info;
		size_t size = prime_get_size(ex.dmabuf);
		void *cpu;

		igt_assert_f(!ret, "a dma-contig vivid buffer was refused: %s", strerror(-ret));
		info = object_info(fd, handle);
		igt_assert_f(!strcmp(info.store, "import"), "the import has store %s", info.store);
		igt_assert_eq(info.segments, 1);
		cpu = dumb_mmap(fd, handle, size, PROT_READ);
		igt_assert_f(vivid_check_colour_bars(cpu, &ex.fmt),
			     "the contiguous import does not read as the colour bars");
		munmap(cpu, size);
		gem_close(fd, handle);
	} else {
		igt_assert_eq(ret, -EINVAL);
	}
	vivid_export_free(&ex);
	ph_stats_read(&after);
	ph_stats_assert_equal(&before, &after);
	close(fd);
}

/*
 * A vivid buffer imported into ph_edu: read through ph_edu's GEM mmap, and
 * copied by the device's DMA engine into a ph_edu buffer. The engine is slow,
 * so the copy is two pages, from the middle of the frame, at an offset that
 * is not page aligned on either side.
 */
#define COPY_SRC 40960u
#define COPY_DST 1000u
#define COPY_LEN 8192u

static void export_to_edu_and_copy(unsigned int inst)
{
	struct ph_stats before, after;
	struct vivid_export ex;
	uint32_t card_src, dst_card;
	uint8_t *src_cpu, *dst_cpu;
	size_t size, dst_size = 4 * 4096;
	int card, render;
	char path[256];
	long bad;

	card = edu_open_card();
	render = edu_open_render();
	igt_require_f(edu_dma_works(render, path, sizeof(path)),
		      "ph_edu imports foreign buffers only where its engine reaches all memory: %s\n", path);
	/*
	 * videobuf2's exporters build one table whatever the importer's
	 * segment limit (ph_edu declares 64 KiB), and DMA-API debug, on the
	 * debug line, reports that against ph_edu: an upstream exporter's
	 * habit, which our exporter does not have (prime_edu,
	 * segments-within-device-limit). The 6.1 and 6.12 lines run it.
	 */
	igt_require_f(!dma_api_debug_on(),
		      "this kernel has DMA-API debug, which reports videobuf2's tables against "
		      "ph_edu's segment limit (upstream behaviour)\n");
	ph_stats_read(&before);
	vivid_export_frame(inst, &ex);
	size = prime_get_size(ex.dmabuf);
	igt_assert_lte(COPY_SRC + COPY_LEN, ex.fmt.sizeimage);

	card_src = prime_fd_to_handle(card, ex.dmabuf);
	src_cpu = dumb_mmap(card, card_src, size, PROT_READ);
	igt_assert_f(vivid_check_colour_bars(src_cpu, &ex.fmt),
		     "vivid's frame read through ph_edu's GEM mmap is not the colour bars");

	dst_card = dumb_create_size(card, dst_size).handle;
	dst_cpu = dumb_mmap(card, dst_card, dst_size, PROT_READ | PROT_WRITE);
	fill_words(dst_cpu, dst_size, CANARY);
	/*
	 * On the card node, with the one import: a second import of the frame
	 * (from the render node) would be a second attachment of ph_edu, which
	 * videobuf2-vmalloc maps with an implicit sync, and DMA-API debug
	 * reports two such mappings of one page (an upstream exporter's habit).
	 */
	edu_copy(card, card_src, COPY_SRC, dst_card, COPY_DST, COPY_LEN);
	igt_assert_f(!memcmp(dst_cpu + COPY_DST, src_cpu + COPY_SRC, COPY_LEN),
		     "the engine's copy differs from vivid's frame");
	/* And from the picture itself, not just from whatever the source held. */
	for (unsigned int i = 0; i < COPY_LEN; i += 4) {
		unsigned int x = ((COPY_SRC + i) % ex.fmt.bytesperline) / 4;
		uint32_t got = *(uint32_t *)(dst_cpu + COPY_DST + i);

		igt_assert_f(got == vivid_colour_bar_xrgb(x, ex.fmt.width),
			     "copied pixel at source offset %u is 0x%08x, bar 0x%08x",
			     COPY_SRC + i, got, vivid_colour_bar_xrgb(x, ex.fmt.width));
	}
	bad = first_word_not(dst_cpu, COPY_DST, CANARY);
	igt_assert_f(bad < 0, "the copy wrote before its destination (word %ld)", bad);
	bad = first_word_not(dst_cpu + COPY_DST + COPY_LEN, dst_size - COPY_DST - COPY_LEN,
			     CANARY);
	igt_assert_f(bad < 0, "the copy wrote past its destination (word %ld)", bad);

	munmap(dst_cpu, dst_size);
	gem_close(card, dst_card);
	munmap(src_cpu, size);
	gem_close(card, card_src);
	vivid_export_free(&ex);
	ph_stats_read(&after);
	ph_stats_assert_equal(&before, &after);
	close(render);
	close(card);
}

/*
 * Lifetimes. Five things end a share between vivid and ph_vgem: stopping
 * the stream, closing the video node, the dma-buf fd, the GEM handle and the
 * DRM file; every one of the 120 orders, in both directions.
 */
enum step { STREAMOFF, CLOSE_VIDEO, CLOSE_DMABUF, CLOSE_HANDLE, CLOSE_DRM, NR_STEPS };

struct share {
	int video;
	int drm;
	int dmabuf;
	uint32_t handle;
};

/* vivid captures into a ph_vgem buffer; one frame is in, the buffer is queued again. */
static void share_capture(struct share *s)
{
	struct dumb_bo bo = { .width = WIDTH, .height = HEIGHT, .bpp = 32 };
	struct v4l2_pix_format fmt;
	struct v4l2_buffer buf;

	s->video = vivid_open_format(VIVID_VMALLOC, &fmt);
	s->drm = drm_open_card(DRIVER_PH_VGEM, 0);
	dumb_create(s->drm, &bo);
	s->handle = bo.handle;
	s->dmabuf = prime_handle_to_fd(s->drm, s->handle);
	v4l2_reqbufs(s->video, V4L2_MEMORY_DMABUF, 1);
	v4l2_qbuf_dmabuf(s->video, 0, s->dmabuf, bo.size);
	v4l2_streamon(s->video);
	v4l2_dqbuf(s->video, V4L2_MEMORY_DMABUF, frame_timeout_ms(), &buf);
	v4l2_qbuf_dmabuf(s->video, 0, s->dmabuf, bo.size);
}

/* ph_vgem imports a buffer of vivid's streaming MMAP queue. */
static void share_export(struct share *s)
{
	struct v4l2_pix_format fmt;
	struct v4l2_buffer buf;

	s->video = vivid_open_format(VIVID_DMA_CONTIG, &fmt);
	s->drm = drm_open_card(DRIVER_PH_VGEM, 0);
	v4l2_reqbufs(s->video, V4L2_MEMORY_MMAP, 2);
	v4l2_qbuf_mmap(s->video, 0);
	v4l2_qbuf_mmap(s->video, 1);
	v4l2_streamon(s->video);
	v4l2_dqbuf(s->video, V4L2_MEMORY_MMAP, frame_timeout_ms(), &buf);
	s->dmabuf = v4l2_expbuf(s->video, buf.index);
	s->handle = prime_fd_to_handle(s->drm, s->dmabuf);
	v4l2_qbuf_mmap(s->video, buf.index);
}

static void share_step(struct share *s, const bool *done, enum step step)
{
	switch (step) {
	case STREAMOFF:
		/* Closing the video node has stopped the stream already. */
		if (!done[CLOSE_VIDEO])
			v4l2_streamoff(s->video);
		break;
	case CLOSE_VIDEO:
		close(s->video);
		break;
	case CLOSE_DMABUF:
		close(s->dmabuf);
		break;
	case CLOSE_HANDLE:
		/* Closing the DRM file has released its handles. */
		if (!done[CLOSE_DRM])
			gem_close(s->drm, s->handle);
		break;
	case CLOSE_DRM:
		close(s->drm);
		break;
	case NR_STEPS:
		break;
	}
}

static void permute(enum step *order, int k, bool capture, int *count)
{
	int i;

	if (k == NR_STEPS) {
		bool done[NR_STEPS] = { false };
		struct share s;

		if (capture)
			share_capture(&s);
		else
			share_export(&s);
		for (i = 0; i < NR_STEPS; i++) {
			share_step(&s, done, order[i]);
			done[order[i]] = true;
		}
		(*count)++;
		return;
	}
	for (i = k; i < NR_STEPS; i++) {
		enum step t = order[k];

		order[k] = order[i];
		order[i] = t;
		permute(order, k + 1, capture, count);
		order[i] = order[k];
		order[k] = t;
	}
}

static void every_close_order(bool capture)
{
	enum step order[NR_STEPS] = { STREAMOFF, CLOSE_VIDEO, CLOSE_DMABUF, CLOSE_HANDLE,
				      CLOSE_DRM };
	struct ph_stats before, after;
	struct v4l2_pix_format fmt;
	int fd, objects, count = 0;

	close(vivid_setup(capture ? VIVID_VMALLOC : VIVID_DMA_CONTIG, &fmt));
	fd = drm_open_card(DRIVER_PH_VGEM, 0);
	objects = ph_objects_count(fd);
	ph_stats_read(&before);
	permute(order, 0, capture, &count);
	igt_assert_eq(count, 120);
	ph_stats_read(&after);
	ph_stats_assert_equal(&before, &after);
	igt_assert_eq(ph_objects_count(fd), objects);
	close(fd);
}

igt_main
{
	igt_describe("vivid's vmalloc instance captures into ph_vgem's dumb buffers through "
		     "DMABUF; every frame read through ph_vgem's GEM mmap is exactly the colour "
		     "bars; nothing leaks.");
	igt_subtest("capture-vmalloc-into-ph-vgem")
		capture_into_ph_vgem();

	igt_describe("vivid's dma-contig instance captures into ph_edu's physically contiguous "
		     "objects; every frame read through ph_edu's GEM mmap is exactly the colour "
		     "bars; nothing leaks.");
	igt_subtest("capture-dma-contig-into-ph-edu")
		capture_into_ph_edu();

	igt_describe("vb2-dma-contig refuses a ph_vgem buffer scattered over several physical "
		     "extents (ph_objects' segments) at QBUF with EFAULT and leaves its contents "
		     "alone; nothing leaks.");
	igt_subtest("dma-contig-refuses-scattered-shmem")
		dma_contig_refuses_shmem();

	igt_describe("A ph_vgem buffer smaller than a frame, queued without a length, is refused "
		     "with EINVAL by the vmalloc instance and left alone; nothing leaks.");
	igt_subtest("too-small-buffer-refused-vmalloc")
		too_small_refused(VIVID_VMALLOC, false);

	igt_describe("The same with the dma-contig instance.");
	igt_subtest("too-small-buffer-refused-dma-contig")
		too_small_refused(VIVID_DMA_CONTIG, false);

	igt_describe("A buffer smaller than a frame queued with the frame's length: the "
		     "vmalloc allocator's attach refuses it with EFAULT; nothing leaks.");
	igt_subtest("too-small-buffer-length-lies-vmalloc")
		too_small_refused(VIVID_VMALLOC, true);

	igt_describe("The same with the dma-contig instance.");
	igt_subtest("too-small-buffer-length-lies-dma-contig")
		too_small_refused(VIVID_DMA_CONTIG, true);

	igt_describe("A vmalloc vivid buffer (EXPBUF) imported into ph_vgem reads as the colour "
		     "bars through ph_vgem's GEM mmap.");
	igt_subtest("vivid-vmalloc-to-ph-vgem")
		export_to(VIVID_VMALLOC, DRIVER_PH_VGEM);

	igt_describe("A dma-contig vivid buffer imported into ph_vgem reads as the colour bars.");
	igt_subtest("vivid-dma-contig-to-ph-vgem")
		export_to(VIVID_DMA_CONTIG, DRIVER_PH_VGEM);

	igt_describe("ph_vgem as a device that needs contiguous buffers (contiguous_imports) "
		     "takes a dma-contig vivid buffer: one segment, the colour bars.");
	igt_subtest("vivid-dma-contig-to-ph-vgem-contiguous-only")
		contiguous_import(VIVID_DMA_CONTIG);

	igt_describe("... and refuses a scattered vmalloc vivid buffer with EINVAL; nothing leaks.");
	igt_subtest("vivid-vmalloc-to-ph-vgem-contiguous-only")
		contiguous_import(VIVID_VMALLOC);

	igt_describe("A vmalloc vivid buffer imported into ph_edu: the colour bars through its "
		     "GEM mmap, and copied exactly by the DMA engine.");
	igt_subtest("vivid-vmalloc-to-ph-edu-copy")
		export_to_edu_and_copy(VIVID_VMALLOC);

	igt_describe("A dma-contig vivid buffer imported into ph_edu: the colour bars through "
		     "its GEM mmap, and copied exactly by the DMA engine.");
	igt_subtest("vivid-dma-contig-to-ph-edu-copy")
		export_to_edu_and_copy(VIVID_DMA_CONTIG);

	igt_describe("vivid streams into a ph_vgem buffer; stream off, video node, dma-buf, "
		     "handle and DRM file ended in all 120 orders; nothing leaks.");
	igt_subtest("capture-every-close-order")
		every_close_order(true);

	igt_describe("ph_vgem imports a buffer of vivid's streaming queue; the same 120 "
		     "orders; nothing leaks.");
	igt_subtest("export-every-close-order")
		every_close_order(false);
}
