// SPDX-License-Identifier: MIT
#include <errno.h>
#include <xf86drm.h>

#include "igt.h"
#include "vgem.h"

int __vgem_fence_attach(int fd, struct ph_vgem_fence_attach *arg)
{
	return drmIoctl(fd, DRM_IOCTL_PH_VGEM_FENCE_ATTACH, arg) ? -errno : 0;
}

uint32_t vgem_fence_attach(int fd, uint32_t handle, uint32_t flags)
{
	struct ph_vgem_fence_attach arg = { .handle = handle, .flags = flags };

	igt_assert_eq(__vgem_fence_attach(fd, &arg), 0);
	return arg.out_fence;
}

int __vgem_fence_signal(int fd, uint32_t fence, uint32_t flags)
{
	struct ph_vgem_fence_signal arg = { .fence = fence, .flags = flags };

	return drmIoctl(fd, DRM_IOCTL_PH_VGEM_FENCE_SIGNAL, &arg) ? -errno : 0;
}

void vgem_fence_signal(int fd, uint32_t fence)
{
	igt_assert_eq(__vgem_fence_signal(fd, fence, 0), 0);
}

bool vgem_has_fences(int fd)
{
	struct ph_vgem_fence_attach arg = { .handle = 0 };

	return __vgem_fence_attach(fd, &arg) == -ENOENT;
}

int __vgem_madvise(int fd, struct ph_vgem_madvise *arg)
{
	return drmIoctl(fd, DRM_IOCTL_PH_VGEM_MADVISE, arg) ? -errno : 0;
}

bool vgem_madvise(int fd, uint32_t handle, uint32_t madv)
{
	struct ph_vgem_madvise arg = { .handle = handle, .madv = madv };

	igt_assert_eq(__vgem_madvise(fd, &arg), 0);
	igt_assert_lte(arg.retained, 1);
	return arg.retained;
}
