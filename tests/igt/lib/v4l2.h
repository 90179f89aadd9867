/* SPDX-License-Identifier: MIT */
/*
 * V4L2 capture devices, vivid in particular: finding a node by driver and
 * bus, its controls by name, the format, the buffer queue (MMAP or DMABUF),
 * streaming and VIDIOC_EXPBUF. The "__" variants return 0 or -errno and never
 * fail the test; the plain ones assert success.
 *
 * The bench loads vivid as two single-planar capture devices with one webcam
 * input each (scripts/mkinitramfs.sh): instance 0 allocates with vmalloc,
 * instance 1 with dma-contig.
 */
#ifndef V4L2_H
#define V4L2_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/videodev2.h>

#define VIVID_VMALLOC 0		/* vivid instance whose queue uses vb2-vmalloc */
#define VIVID_DMA_CONTIG 1	/* ... and vb2-dma-contig */

/*
 * The capture node of vivid instance @inst (its bus_info is
 * "platform:vivid-<inst>"), or -1 with errno ENODEV when there is none.
 */
int vivid_open(unsigned int inst);
/* As vivid_open(), failing the subtest when absent: the bench loads vivid. */
int vivid_open_or_fail(unsigned int inst);

/* Raw ioctl, retried on EINTR: 0 or -errno. */
int __v4l2_ioctl(int fd, unsigned long request, void *arg);

/* The id of the control called @name, or 0 when the device has none. */
uint32_t v4l2_find_ctrl(int fd, const char *name);
/* The index of menu item @item of menu control @id, asserting it exists. */
int v4l2_menu_index(int fd, uint32_t id, const char *item);
/* Set and read back a control by name, asserting the device took @value. */
void v4l2_set_ctrl(int fd, const char *name, int32_t value);
/* Set a menu control by the names of the control and of the item. */
void v4l2_set_menu(int fd, const char *name, const char *item);

/*
 * Single-planar capture format: asks for @width x @height in @fourcc and
 * asserts the device gave exactly that, progressive. @fmt gets the result
 * (bytesperline, sizeimage).
 */
void v4l2_set_format(int fd, uint32_t width, uint32_t height, uint32_t fourcc,
		     struct v4l2_pix_format *fmt);
/* Frame interval @num/@den seconds, asserting the device took it. */
void v4l2_set_interval(int fd, uint32_t num, uint32_t den);

/* VIDIOC_REQBUFS: the number of buffers allocated, or -errno. */
int __v4l2_reqbufs(int fd, uint32_t memory, uint32_t count);
unsigned int v4l2_reqbufs(int fd, uint32_t memory, uint32_t count);

/* Queue buffer @index: a dma-buf of @length bytes (0: the dma-buf's size). */
int __v4l2_qbuf_dmabuf(int fd, uint32_t index, int dmabuf, uint32_t length);
void v4l2_qbuf_dmabuf(int fd, uint32_t index, int dmabuf, uint32_t length);
int __v4l2_qbuf_mmap(int fd, uint32_t index);
void v4l2_qbuf_mmap(int fd, uint32_t index);

/*
 * Waits up to @timeout_ms for a filled buffer and dequeues it into @buf;
 * fails the subtest on a timeout or on a buffer flagged as an error.
 */
void v4l2_dqbuf(int fd, uint32_t memory, int timeout_ms, struct v4l2_buffer *buf);

int __v4l2_streamon(int fd);
void v4l2_streamon(int fd);
void v4l2_streamoff(int fd);

/* VIDIOC_EXPBUF of MMAP buffer @index with O_CLOEXEC | O_RDWR: a dma-buf fd. */
int __v4l2_expbuf(int fd, uint32_t index, int *dmabuf);
int v4l2_expbuf(int fd, uint32_t index);

/*
 * vivid's deterministic picture: no on-screen text, the 100% colour bars,
 * white, yellow, cyan, green, magenta, red, blue, black from left to right,
 * each a width / 8 pixel wide column over every line.
 */
void vivid_set_colour_bars(int fd);
/* The colour bar pixel @x of a @width wide frame must have, as 0x00RRGGBB. */
uint32_t vivid_colour_bar_xrgb(unsigned int x, unsigned int width);

/*
 * Checks a frame in V4L2_PIX_FMT_XBGR32 (DRM's XRGB8888: bytes B, G, R, 0)
 * against the colour bars: each bar uniform over every line, and every pixel
 * exactly the value of its bar. Returns false and logs the first pixel that
 * differs.
 */
bool vivid_check_colour_bars(const void *frame, const struct v4l2_pix_format *fmt);
#endif /* V4L2_H */
