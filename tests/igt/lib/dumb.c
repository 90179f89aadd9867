// SPDX-License-Identifier: MIT
#include <errno.h>
#include <sys/mman.h>
#include <xf86drm.h>

#include "dumb.h"
#include "igt.h"

int __dumb_create(int fd, struct dumb_bo *bo)
{
	struct drm_mode_create_dumb arg = {
		.width = bo->width,
		.height = bo->height,
		.bpp = bo->bpp,
	};

	if (drmIoctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &arg))
		return -errno;
	bo->handle = arg.handle;
	bo->pitch = arg.pitch;
	bo->size = arg.size;
	return 0;
}

void dumb_create(int fd, struct dumb_bo *bo)
{
	igt_assert_eq(__dumb_create(fd, bo), 0);
	igt_assert(bo->handle != 0);
}

struct dumb_bo dumb_create_size(int fd, uint64_t size)
{
	struct dumb_bo bo = { .width = 1024, .height = size / 4096, .bpp = 32 };

	dumb_create(fd, &bo);
	igt_assert_eq_u64(bo.size, size);
	return bo;
}

int __dumb_map_offset(int fd, uint32_t handle, uint64_t *offset)
{
	struct drm_mode_map_dumb arg = { .handle = handle };

	if (drmIoctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &arg))
		return -errno;
	*offset = arg.offset;
	return 0;
}

uint64_t dumb_map_offset(int fd, uint32_t handle)
{
	uint64_t offset = 0;

	igt_assert_eq(__dumb_map_offset(fd, handle, &offset), 0);
	return offset;
}

void *__dumb_mmap(int fd, uint32_t handle, uint64_t size, int prot, int flags)
{
	uint64_t offset = 0;
	int err;

	err = __dumb_map_offset(fd, handle, &offset);
	if (err) {
		errno = -err;
		return MAP_FAILED;
	}
	return mmap(NULL, size, prot, flags, fd, offset);
}

void *dumb_mmap(int fd, uint32_t handle, uint64_t size, int prot)
{
	void *ptr = __dumb_mmap(fd, handle, size, prot, MAP_SHARED);

	igt_assert(ptr != MAP_FAILED);
	return ptr;
}

void fill_pattern(void *ptr, size_t size, uint32_t seed)
{
	uint32_t *words = ptr;
	size_t i;

	for (i = 0; i < size / sizeof(*words); i++)
		words[i] = seed + i;
}

long check_pattern(const void *ptr, size_t size, uint32_t seed)
{
	const uint32_t *words = ptr;
	size_t i;

	for (i = 0; i < size / sizeof(*words); i++)
		if (words[i] != (uint32_t)(seed + i))
			return i;
	return -1;
}

bool is_zeroed(const void *ptr, size_t size)
{
	const unsigned char *bytes = ptr;
	size_t i;

	for (i = 0; i < size; i++)
		if (bytes[i])
			return false;
	return true;
}
