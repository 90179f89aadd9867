/* SPDX-License-Identifier: MIT */
/*
 * The ph_edu driver: its ioctls (a copy by the device's DMA engine, a
 * checksum by the kernel's CPU, and object creation in either backing
 * store), its fence timeout parameter, and which DMA
 * path its device is on (IOMMU, swiotlb bounce buffers, direct, none). The "__" variants
 * return 0 or -errno and never fail the test; the plain ones assert success.
 */
#ifndef EDU_H
#define EDU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drm/ph_edu_drm.h"

/* Driver key (the PCI driver's name) and DRM driver name of ph_edu. */
#define DRIVER_PH_EDU "ph_edu"

/* The engine's limit: without an IOMMU, memory above this is out of reach. */
#define EDU_DMA_LIMIT (1ull << 28)

/* The device's render node, or its card node (for dumb buffers). */
int edu_open_render(void);
int edu_open_card(void);

/* Raw ioctl without libdrm's restart on EINTR: -errno or 0. */
int __edu_copy_args(int fd, struct ph_edu_copy *arg);
int __edu_copy(int fd, uint32_t src, uint64_t src_offset, uint32_t dst, uint64_t dst_offset,
	       uint64_t length);
void edu_copy(int fd, uint32_t src, uint64_t src_offset, uint32_t dst, uint64_t dst_offset,
	      uint64_t length);

/* DRM_IOCTL_PH_EDU_CREATE: flags 0 (shmem) or PH_EDU_CREATE_CONTIGUOUS. */
int __edu_create(int fd, uint64_t size, uint32_t flags, uint32_t *handle);
uint32_t edu_create(int fd, uint64_t size, uint32_t flags);

int __edu_checksum_args(int fd, struct ph_edu_checksum *arg);
int __edu_checksum(int fd, uint32_t handle, uint64_t offset, uint64_t length, uint64_t *sum);
uint64_t edu_checksum(int fd, uint32_t handle, uint64_t offset, uint64_t length);

/* The fence_timeout_ms module parameter, through sysfs. */
unsigned int edu_fence_timeout_ms(void);
void edu_set_fence_timeout_ms(unsigned int ms);

/*
 * The DMA path ph_edu found at probe (its sysfs dma_path): "iommu"
 * (translated), "bounce" (swiotlb), "direct" or "none" (memory beyond the
 * engine's reach: no DMA). Returned in @path.
 */
void edu_dma_path(int fd, char *path, size_t len);

/*
 * The path this boot was set up for, from the kernel command line that
 * scripts/run-guest.sh gives each kind of boot: "bounce" with swiotlb=force,
 * "iommu" with intel_iommu=on, "none" otherwise (2 GiB, 28 bits).
 */
const char *edu_boot_dma_path(void);

/*
 * Whether the engine can reach all memory in this boot (any path but
 * "none"). @desc gets a line saying which path, and how its IOMMU group, if
 * any, is set up.
 */
bool edu_dma_works(int fd, char *desc, size_t len);

#endif /* EDU_H */
