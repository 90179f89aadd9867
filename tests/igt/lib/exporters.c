// SPDX-License-Identifier: MIT
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/dma-heap.h>
#include <linux/udmabuf.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "exporters.h"
#include "igt.h"

int udmabuf_create(size_t size, int *memfd)
{
	struct udmabuf_create arg = { .flags = UDMABUF_FLAGS_CLOEXEC, .size = size };
	int dev, buf;

	dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	if (dev < 0)
		return -ENODEV;
	*memfd = memfd_create("udmabuf-pages", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	igt_assert(*memfd >= 0);
	igt_assert_eq(ftruncate(*memfd, size), 0);
	/* udmabuf insists that the memfd can no longer shrink. */
	igt_assert_eq(fcntl(*memfd, F_ADD_SEALS, F_SEAL_SHRINK), 0);
	arg.memfd = *memfd;
	buf = ioctl(dev, UDMABUF_CREATE, &arg);
	close(dev);
	igt_assert_f(buf >= 0, "UDMABUF_CREATE: %s", strerror(errno));
	return buf;
}

int dma_heap_alloc(size_t size)
{
	struct dma_heap_allocation_data arg = {
		.len = size,
		.fd_flags = O_RDWR | O_CLOEXEC,
	};
	int heap;

	heap = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);
	if (heap < 0)
		return -ENODEV;
	igt_assert_f(ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &arg) == 0, "DMA_HEAP_IOCTL_ALLOC: %s",
		     strerror(errno));
	close(heap);
	return arg.fd;
}
