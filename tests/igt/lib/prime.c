// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <linux/dma-buf.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xf86drm.h>

#include "igt.h"
#include "prime.h"

int __prime_handle_to_fd(int fd, uint32_t handle, uint32_t flags, int *dmabuf)
{
	int out = -1;

	if (drmPrimeHandleToFD(fd, handle, flags, &out))
		return -errno;
	*dmabuf = out;
	return 0;
}

int prime_handle_to_fd(int fd, uint32_t handle)
{
	int dmabuf = -1;

	igt_assert_eq(__prime_handle_to_fd(fd, handle, DRM_CLOEXEC, &dmabuf), 0);
	igt_assert_lte(0, dmabuf);
	return dmabuf;
}

int prime_handle_to_fd_for_mmap(int fd, uint32_t handle)
{
	int dmabuf = -1;

	igt_assert_eq(__prime_handle_to_fd(fd, handle, DRM_CLOEXEC | DRM_RDWR, &dmabuf), 0);
	igt_assert_lte(0, dmabuf);
	return dmabuf;
}

int __prime_fd_to_handle(int fd, int dmabuf, uint32_t *handle)
{
	if (drmPrimeFDToHandle(fd, dmabuf, handle))
		return -errno;
	return 0;
}

uint32_t prime_fd_to_handle(int fd, int dmabuf)
{
	uint32_t handle = 0;

	igt_assert_eq(__prime_fd_to_handle(fd, dmabuf, &handle), 0);
	igt_assert(handle != 0);
	return handle;
}

off_t prime_get_size(int dmabuf)
{
	off_t size = lseek(dmabuf, 0, SEEK_END);

	igt_assert(size >= 0);
	igt_assert_eq(lseek(dmabuf, 0, SEEK_SET), 0);
	return size;
}

ino_t fd_inode(int fd)
{
	struct stat st;

	igt_assert_eq(fstat(fd, &st), 0);
	return st.st_ino;
}

void *prime_mmap(int dmabuf, size_t size, int prot)
{
	void *ptr = mmap(NULL, size, prot, MAP_SHARED, dmabuf, 0);

	igt_assert(ptr != MAP_FAILED);
	return ptr;
}

int __prime_sync(int dmabuf, uint64_t flags)
{
	struct dma_buf_sync arg = { .flags = flags };

	return drmIoctl(dmabuf, DMA_BUF_IOCTL_SYNC, &arg) ? -errno : 0;
}

static uint64_t sync_direction(bool write)
{
	return write ? DMA_BUF_SYNC_RW : DMA_BUF_SYNC_READ;
}

void prime_sync_start(int dmabuf, bool write)
{
	igt_assert_eq(__prime_sync(dmabuf, DMA_BUF_SYNC_START | sync_direction(write)), 0);
}

void prime_sync_end(int dmabuf, bool write)
{
	igt_assert_eq(__prime_sync(dmabuf, DMA_BUF_SYNC_END | sync_direction(write)), 0);
}

bool prime_wait(int dmabuf, bool write, int timeout_ms)
{
	struct pollfd pfd = { .fd = dmabuf, .events = write ? POLLOUT : POLLIN };
	int ret;

	do {
		ret = poll(&pfd, 1, timeout_ms);
	} while (ret < 0 && errno == EINTR);
	igt_assert(ret >= 0);
	return ret == 1;
}

bool prime_busy(int dmabuf, bool write)
{
	return !prime_wait(dmabuf, write, 0);
}

int __prime_export_sync_file(int dmabuf, uint32_t flags, int *sync_fd)
{
	struct dma_buf_export_sync_file arg = { .flags = flags, .fd = -1 };

	if (drmIoctl(dmabuf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &arg))
		return -errno;
	*sync_fd = arg.fd;
	return 0;
}

int prime_export_sync_file(int dmabuf, uint32_t flags)
{
	int sync_fd = -1;

	igt_assert_eq(__prime_export_sync_file(dmabuf, flags, &sync_fd), 0);
	igt_assert_lte(0, sync_fd);
	return sync_fd;
}

int __prime_import_sync_file(int dmabuf, uint32_t flags, int sync_fd)
{
	struct dma_buf_import_sync_file arg = { .flags = flags, .fd = sync_fd };

	return drmIoctl(dmabuf, DMA_BUF_IOCTL_IMPORT_SYNC_FILE, &arg) ? -errno : 0;
}

bool sync_file_busy(int sync_fd)
{
	struct pollfd pfd = { .fd = sync_fd, .events = POLLIN };

	return poll(&pfd, 1, 0) == 0;
}
