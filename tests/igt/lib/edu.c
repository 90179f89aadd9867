// SPDX-License-Identifier: MIT
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <xf86drm.h>

#include "debugfs.h"
#include "drmtest.h"
#include "edu.h"
#include "igt.h"

#define FENCE_TIMEOUT_PARAM "/sys/module/ph_edu/parameters/fence_timeout_ms"

int edu_open_render(void)
{
	int fd = drm_open_device(DRIVER_PH_EDU, 0, DRM_NODE_RENDER);

	igt_assert_f(fd >= 0, "cannot open the render node of %s: %s", DRIVER_PH_EDU,
		     strerror(errno));
	return fd;
}

int edu_open_card(void)
{
	return drm_open_card(DRIVER_PH_EDU, 0);
}

int __edu_copy_args(int fd, struct ph_edu_copy *arg)
{
	return ioctl(fd, DRM_IOCTL_PH_EDU_COPY, arg) ? -errno : 0;
}

int __edu_copy(int fd, uint32_t src, uint64_t src_offset, uint32_t dst, uint64_t dst_offset,
	       uint64_t length)
{
	struct ph_edu_copy arg = {
		.src_handle = src,
		.dst_handle = dst,
		.src_offset = src_offset,
		.dst_offset = dst_offset,
		.length = length,
	};

	return __edu_copy_args(fd, &arg);
}

void edu_copy(int fd, uint32_t src, uint64_t src_offset, uint32_t dst, uint64_t dst_offset,
	      uint64_t length)
{
	igt_assert_eq(__edu_copy(fd, src, src_offset, dst, dst_offset, length), 0);
}

int __edu_create(int fd, uint64_t size, uint32_t flags, uint32_t *handle)
{
	struct ph_edu_create arg = { .size = size, .flags = flags };

	if (ioctl(fd, DRM_IOCTL_PH_EDU_CREATE, &arg))
		return -errno;
	*handle = arg.handle;
	return 0;
}

uint32_t edu_create(int fd, uint64_t size, uint32_t flags)
{
	uint32_t handle = 0;

	igt_assert_eq(__edu_create(fd, size, flags, &handle), 0);
	return handle;
}

int __edu_checksum_args(int fd, struct ph_edu_checksum *arg)
{
	return ioctl(fd, DRM_IOCTL_PH_EDU_CHECKSUM, arg) ? -errno : 0;
}

int __edu_checksum(int fd, uint32_t handle, uint64_t offset, uint64_t length, uint64_t *sum)
{
	struct ph_edu_checksum arg = { .handle = handle, .offset = offset, .length = length };
	int ret = __edu_checksum_args(fd, &arg);

	*sum = arg.sum;
	return ret;
}

uint64_t edu_checksum(int fd, uint32_t handle, uint64_t offset, uint64_t length)
{
	uint64_t sum;

	igt_assert_eq(__edu_checksum(fd, handle, offset, length, &sum), 0);
	return sum;
}

unsigned int edu_fence_timeout_ms(void)
{
	char *text = read_whole_file(FENCE_TIMEOUT_PARAM, NULL);
	unsigned int ms;

	igt_assert_f(text, "cannot read %s: %s", FENCE_TIMEOUT_PARAM, strerror(errno));
	ms = strtoul(text, NULL, 10);
	free(text);
	return ms;
}

void edu_set_fence_timeout_ms(unsigned int ms)
{
	FILE *f = fopen(FENCE_TIMEOUT_PARAM, "w");

	igt_assert_f(f, "cannot open %s: %s", FENCE_TIMEOUT_PARAM, strerror(errno));
	igt_assert(fprintf(f, "%u\n", ms) > 0);
	igt_assert_eq(fclose(f), 0);
}

void edu_dma_path(int fd, char *path, size_t len)
{
	char dir[PATH_MAX], file[PATH_MAX + 32], *text;

	igt_assert(drm_sysfs_dir(fd, dir, sizeof(dir)));
	snprintf(file, sizeof(file), "%s/device/dma_path", dir);
	text = read_whole_file(file, NULL);
	igt_assert_f(text, "cannot read %s: %s", file, strerror(errno));
	text[strcspn(text, "\n")] = 0;
	snprintf(path, len, "%s", text);
	free(text);
}

const char *edu_boot_dma_path(void)
{
	char *cmdline = read_whole_file("/proc/cmdline", NULL);
	const char *path;

	igt_assert_f(cmdline, "cannot read /proc/cmdline: %s", strerror(errno));
	if (strstr(cmdline, "swiotlb=") && strstr(strstr(cmdline, "swiotlb="), "force"))
		path = "bounce";
	else if (strstr(cmdline, "intel_iommu=on"))
		path = "iommu";
	else
		path = "none";
	free(cmdline);
	return path;
}

bool edu_dma_works(int fd, char *desc, size_t len)
{
	char dir[PATH_MAX], file[PATH_MAX + 32], path[32], *type;

	edu_dma_path(fd, path, sizeof(path));
	igt_assert(drm_sysfs_dir(fd, dir, sizeof(dir)));
	snprintf(file, sizeof(file), "%s/device/iommu_group/type", dir);
	type = read_whole_file(file, NULL);
	if (type)
		type[strcspn(type, "\n")] = 0;
	snprintf(desc, len, "ph_edu's DMA path: %s (%s)", path,
		 !type ? "no IOMMU group" : igt_fmt("IOMMU group of type %s", type));
	free(type);
	return strcmp(path, "none") != 0;
}
