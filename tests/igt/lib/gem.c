// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdbool.h>
#include <xf86drm.h>

#include "gem.h"
#include "igt.h"

int __gem_close(int fd, uint32_t handle)
{
	struct drm_gem_close arg = { .handle = handle };

	return drmIoctl(fd, DRM_IOCTL_GEM_CLOSE, &arg) ? -errno : 0;
}

void gem_close(int fd, uint32_t handle)
{
	igt_assert_eq(__gem_close(fd, handle), 0);
}

int __gem_flink(int fd, uint32_t handle, uint32_t *name)
{
	struct drm_gem_flink arg = { .handle = handle };

	if (drmIoctl(fd, DRM_IOCTL_GEM_FLINK, &arg))
		return -errno;
	*name = arg.name;
	return 0;
}

uint32_t gem_flink(int fd, uint32_t handle)
{
	uint32_t name = 0;

	igt_assert_eq(__gem_flink(fd, handle, &name), 0);
	return name;
}

int __gem_open(int fd, uint32_t name, uint32_t *handle, uint64_t *size)
{
	struct drm_gem_open arg = { .name = name };

	if (drmIoctl(fd, DRM_IOCTL_GEM_OPEN, &arg))
		return -errno;
	*handle = arg.handle;
	if (size)
		*size = arg.size;
	return 0;
}

uint32_t gem_open(int fd, uint32_t name)
{
	uint32_t handle = 0;

	igt_assert_eq(__gem_open(fd, name, &handle, NULL), 0);
	return handle;
}

bool gem_has_prime(int fd)
{
	uint64_t value = 0;

	if (drmGetCap(fd, DRM_CAP_PRIME, &value))
		return false;
	return (value & DRM_PRIME_CAP_IMPORT) && (value & DRM_PRIME_CAP_EXPORT);
}
