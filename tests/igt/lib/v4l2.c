// SPDX-License-Identifier: MIT
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "igt.h"
#include "v4l2.h"

int __v4l2_ioctl(int fd, unsigned long request, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, request, arg);
	} while (ret == -1 && errno == EINTR);
	return ret ? -errno : 0;
}

int vivid_open(unsigned int inst)
{
	char want[32], path[300];
	struct dirent *de;
	int found = -1;
	DIR *dir;

	snprintf(want, sizeof(want), "platform:vivid-%03u", inst);
	dir = opendir("/dev");
	if (!dir)
		return -1;
	while (found < 0 && (de = readdir(dir))) {
		struct v4l2_capability cap = {};
		int fd;

		if (strncmp(de->d_name, "video", 5))
			continue;
		snprintf(path, sizeof(path), "/dev/%s", de->d_name);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		/* The driver name first: bus_info alone could match another driver's node. */
		if (!__v4l2_ioctl(fd, VIDIOC_QUERYCAP, &cap) &&
		    !strcmp((const char *)cap.driver, "vivid") &&
		    !strcmp((const char *)cap.bus_info, want) &&
		    (cap.device_caps & V4L2_CAP_VIDEO_CAPTURE)) {
			igt_debug("vivid instance %u is %s\n", inst, path);
			found = fd;
		} else {
			close(fd);
		}
	}
	closedir(dir);
	if (found < 0)
		errno = ENODEV;
	return found;
}

int vivid_open_or_fail(unsigned int inst)
{
	int fd = vivid_open(inst);

	igt_assert_f(fd >= 0, "no capture node of vivid instance %u (the bench loads vivid "
		     "with n_devs=2)", inst);
	return fd;
}

uint32_t v4l2_find_ctrl(int fd, const char *name)
{
	struct v4l2_query_ext_ctrl q = { .id = V4L2_CTRL_FLAG_NEXT_CTRL };

	while (!__v4l2_ioctl(fd, VIDIOC_QUERY_EXT_CTRL, &q)) {
		if (!strcmp(q.name, name))
			return q.id;
		q.id |= V4L2_CTRL_FLAG_NEXT_CTRL;
	}
	return 0;
}

int v4l2_menu_index(int fd, uint32_t id, const char *item)
{
	struct v4l2_query_ext_ctrl q = { .id = id };
	int64_t i;

	igt_assert_eq(__v4l2_ioctl(fd, VIDIOC_QUERY_EXT_CTRL, &q), 0);
	igt_assert_eq(q.type, V4L2_CTRL_TYPE_MENU);
	for (i = q.minimum; i <= q.maximum; i++) {
		struct v4l2_querymenu m = { .id = id, .index = i };

		/* Skipped items of a menu answer EINVAL. */
		if (!__v4l2_ioctl(fd, VIDIOC_QUERYMENU, &m) &&
		    !strcmp((const char *)m.name, item))
			return i;
	}
	igt_fail("control \"%s\" has no menu item \"%s\"", q.name, item);
	return -1;
}

static void set_ctrl_id(int fd, uint32_t id, const char *name, int32_t value)
{
	struct v4l2_ext_control c = { .id = id, .value = value };
	struct v4l2_ext_controls cs = {
		.which = V4L2_CTRL_WHICH_CUR_VAL,
		.count = 1,
		.controls = &c,
	};

	igt_assert_f(!__v4l2_ioctl(fd, VIDIOC_S_EXT_CTRLS, &cs), "setting \"%s\" to %d: %s",
		     name, value, strerror(errno));
	c.value = ~value;
	igt_assert_eq(__v4l2_ioctl(fd, VIDIOC_G_EXT_CTRLS, &cs), 0);
	igt_assert_f(c.value == value, "\"%s\" reads back %d, set to %d", name, c.value, value);
}

void v4l2_set_ctrl(int fd, const char *name, int32_t value)
{
	uint32_t id = v4l2_find_ctrl(fd, name);

	igt_assert_f(id, "the device has no control \"%s\"", name);
	set_ctrl_id(fd, id, name, value);
}

void v4l2_set_menu(int fd, const char *name, const char *item)
{
	uint32_t id = v4l2_find_ctrl(fd, name);

	igt_assert_f(id, "the device has no control \"%s\"", name);
	set_ctrl_id(fd, id, name, v4l2_menu_index(fd, id, item));
}

void v4l2_set_format(int fd, uint32_t width, uint32_t height, uint32_t fourcc,
		     struct v4l2_pix_format *fmt)
{
	struct v4l2_format f = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };

	f.fmt.pix.width = width;
	f.fmt.pix.height = height;
	f.fmt.pix.pixelformat = fourcc;
	f.fmt.pix.field = V4L2_FIELD_NONE;
	igt_assert_eq(__v4l2_ioctl(fd, VIDIOC_S_FMT, &f), 0);
	igt_assert_f(f.fmt.pix.width == width && f.fmt.pix.height == height &&
		     f.fmt.pix.pixelformat == fourcc && f.fmt.pix.field == V4L2_FIELD_NONE,
		     "asked for %ux%u %.4s progressive, got %ux%u %.4s field %u", width, height,
		     (const char *)&fourcc, f.fmt.pix.width, f.fmt.pix.height,
		     (const char *)&f.fmt.pix.pixelformat, f.fmt.pix.field);
	igt_assert_lte((long long)width * 4, f.fmt.pix.bytesperline);
	igt_assert_lte((long long)f.fmt.pix.bytesperline * height, f.fmt.pix.sizeimage);
	*fmt = f.fmt.pix;
}

void v4l2_set_interval(int fd, uint32_t num, uint32_t den)
{
	struct v4l2_streamparm p = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };

	p.parm.capture.timeperframe.numerator = num;
	p.parm.capture.timeperframe.denominator = den;
	igt_assert_eq(__v4l2_ioctl(fd, VIDIOC_S_PARM, &p), 0);
	igt_assert_f(p.parm.capture.timeperframe.numerator == num &&
		     p.parm.capture.timeperframe.denominator == den,
		     "asked for a frame every %u/%u s, got %u/%u", num, den,
		     p.parm.capture.timeperframe.numerator,
		     p.parm.capture.timeperframe.denominator);
}

int __v4l2_reqbufs(int fd, uint32_t memory, uint32_t count)
{
	struct v4l2_requestbuffers rb = {
		.count = count,
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = memory,
	};
	int ret = __v4l2_ioctl(fd, VIDIOC_REQBUFS, &rb);

	return ret ?: (int)rb.count;
}

unsigned int v4l2_reqbufs(int fd, uint32_t memory, uint32_t count)
{
	int ret = __v4l2_reqbufs(fd, memory, count);

	igt_assert_f(ret >= 0, "REQBUFS of %u buffers (memory %u): %s", count, memory,
		     strerror(-ret));
	/* Freeing is asking for none; otherwise the device may round up, not down. */
	igt_assert(count ? ret >= (int)count : ret == 0);
	return ret;
}

int __v4l2_qbuf_dmabuf(int fd, uint32_t index, int dmabuf, uint32_t length)
{
	struct v4l2_buffer b = {
		.index = index,
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_DMABUF,
		.length = length,
	};

	b.m.fd = dmabuf;
	return __v4l2_ioctl(fd, VIDIOC_QBUF, &b);
}

void v4l2_qbuf_dmabuf(int fd, uint32_t index, int dmabuf, uint32_t length)
{
	igt_assert_eq(__v4l2_qbuf_dmabuf(fd, index, dmabuf, length), 0);
}

int __v4l2_qbuf_mmap(int fd, uint32_t index)
{
	struct v4l2_buffer b = {
		.index = index,
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_MMAP,
	};

	return __v4l2_ioctl(fd, VIDIOC_QBUF, &b);
}

void v4l2_qbuf_mmap(int fd, uint32_t index)
{
	igt_assert_eq(__v4l2_qbuf_mmap(fd, index), 0);
}

void v4l2_dqbuf(int fd, uint32_t memory, int timeout_ms, struct v4l2_buffer *buf)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int ret;

	do {
		ret = poll(&p, 1, timeout_ms);
	} while (ret < 0 && errno == EINTR);
	igt_assert_f(ret == 1, "no frame within %d ms", timeout_ms);
	memset(buf, 0, sizeof(*buf));
	buf->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	buf->memory = memory;
	igt_assert_eq(__v4l2_ioctl(fd, VIDIOC_DQBUF, buf), 0);
	igt_assert_f(!(buf->flags & V4L2_BUF_FLAG_ERROR), "buffer %u dequeued with ERROR",
		     buf->index);
}

int __v4l2_streamon(int fd)
{
	int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;

	return __v4l2_ioctl(fd, VIDIOC_STREAMON, &type);
}

void v4l2_streamon(int fd)
{
	igt_assert_eq(__v4l2_streamon(fd), 0);
}

void v4l2_streamoff(int fd)
{
	int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;

	igt_assert_eq(__v4l2_ioctl(fd, VIDIOC_STREAMOFF, &type), 0);
}

int __v4l2_expbuf(int fd, uint32_t index, int *dmabuf)
{
	struct v4l2_exportbuffer e = {
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.index = index,
		.flags = O_CLOEXEC | O_RDWR,
	};
	int ret = __v4l2_ioctl(fd, VIDIOC_EXPBUF, &e);

	if (!ret)
		*dmabuf = e.fd;
	return ret;
}

int v4l2_expbuf(int fd, uint32_t index)
{
	int dmabuf = -1;

	igt_assert_eq(__v4l2_expbuf(fd, index, &dmabuf), 0);
	return dmabuf;
}

void vivid_set_colour_bars(int fd)
{
	/* vivid's own controls; the names are what VIDIOC_QUERY_EXT_CTRL reports. */
	v4l2_set_menu(fd, "OSD Text Mode", "None");
	v4l2_set_menu(fd, "Test Pattern", "100% Colorbar");
	/* The defaults, set anyway: each one would change the picture. */
	v4l2_set_ctrl(fd, "Show Border", 0);
	v4l2_set_ctrl(fd, "Show Square", 0);
	v4l2_set_ctrl(fd, "Horizontal Flip", 0);
	v4l2_set_ctrl(fd, "Vertical Flip", 0);
	v4l2_set_ctrl(fd, "Brightness", 128);
	v4l2_set_ctrl(fd, "Contrast", 128);
	v4l2_set_ctrl(fd, "Saturation", 128);
	v4l2_set_ctrl(fd, "Hue", 0);
}

uint32_t vivid_colour_bar_xrgb(unsigned int x, unsigned int width)
{
	/* tpg's 100% bars, full-range RGB: every component 0 or 255. */
	static const uint32_t bars[8] = {
		0xffffff,	/* white */
		0xffff00,	/* yellow */
		0x00ffff,	/* cyan */
		0x00ff00,	/* green */
		0xff00ff,	/* magenta */
		0xff0000,	/* red */
		0x0000ff,	/* blue */
		0x000000,	/* black */
	};

	return bars[(x * 8 / width) % 8];
}

bool vivid_check_colour_bars(const void *frame, const struct v4l2_pix_format *fmt)
{
	const uint8_t *base = frame;
	unsigned int x, y;

	for (y = 0; y < fmt->height; y++) {
		const uint32_t *line = (const uint32_t *)(base + (size_t)y * fmt->bytesperline);
		const uint32_t *first = (const uint32_t *)base;

		for (x = 0; x < fmt->width; x++) {
			uint32_t want = vivid_colour_bar_xrgb(x, fmt->width);

			/* Uniformity first, so a shifted picture says so. */
			if (line[x] != first[x]) {
				igt_info("pixel (%u,%u) is 0x%08x, line 0 has 0x%08x there\n",
					 x, y, line[x], first[x]);
				return false;
			}
			if (line[x] != want) {
				igt_info("pixel (%u,%u) is 0x%08x, bar %u is 0x%08x\n", x, y,
					 line[x], x * 8 / fmt->width, want);
				return false;
			}
		}
	}
	return true;
}
