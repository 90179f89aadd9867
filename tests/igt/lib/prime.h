/* SPDX-License-Identifier: MIT */
/*
 * PRIME and dma-buf uAPI: handle <-> fd through libdrm, and the ioctls,
 * poll() and lseek() of the dma-buf fd itself. The "__" variants return 0 or
 * -errno; the plain ones assert success.
 */
#ifndef PRIME_H
#define PRIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

int __prime_handle_to_fd(int fd, uint32_t handle, uint32_t flags, int *dmabuf);
/* Export with DRM_CLOEXEC: a read-only dma-buf file. */
int prime_handle_to_fd(int fd, uint32_t handle);
/* Export with DRM_CLOEXEC | DRM_RDWR: a dma-buf that can be mapped for writing. */
int prime_handle_to_fd_for_mmap(int fd, uint32_t handle);

int __prime_fd_to_handle(int fd, int dmabuf, uint32_t *handle);
uint32_t prime_fd_to_handle(int fd, int dmabuf);

/* Size of the dma-buf, discovered the way userspace does: lseek(SEEK_END). */
off_t prime_get_size(int dmabuf);

/* Identity of the file behind an fd: equal inodes mean the same dma-buf. */
ino_t fd_inode(int fd);

/* mmap of the dma-buf itself, MAP_SHARED, asserting success. */
void *prime_mmap(int dmabuf, size_t size, int prot);

/* DMA_BUF_IOCTL_SYNC with raw flags. */
int __prime_sync(int dmabuf, uint64_t flags);
void prime_sync_start(int dmabuf, bool write);
void prime_sync_end(int dmabuf, bool write);

/*
 * Implicit fences seen through poll(): a reader (POLLIN) waits for writers,
 * a writer (POLLOUT) for everybody. prime_busy() does not block;
 * prime_wait() blocks up to @timeout_ms and returns true once idle.
 */
bool prime_busy(int dmabuf, bool write);
bool prime_wait(int dmabuf, bool write, int timeout_ms);

/* DMA_BUF_IOCTL_EXPORT_SYNC_FILE / IMPORT_SYNC_FILE. */
int __prime_export_sync_file(int dmabuf, uint32_t flags, int *sync_fd);
int prime_export_sync_file(int dmabuf, uint32_t flags);
int __prime_import_sync_file(int dmabuf, uint32_t flags, int sync_fd);

/* True while the sync_file has an unsignalled fence (poll, no blocking). */
bool sync_file_busy(int sync_fd);

#endif /* PRIME_H */
