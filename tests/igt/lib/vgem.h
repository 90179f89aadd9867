/* SPDX-License-Identifier: MIT */
/*
 * vgem fence ioctls. ph_vgem's uAPI header is binary-compatible with
 * upstream vgem's, so these wrappers drive the stock driver and ours alike.
 * The "__" variants return 0 or -errno; the plain ones assert success.
 */
#ifndef VGEM_H
#define VGEM_H

#include <stdbool.h>
#include <stdint.h>

#include "drm/ph_vgem_drm.h"

/* How long an unsignalled vgem fence lives before it signals itself. */
#define VGEM_FENCE_TIMEOUT_MS 10000

int __vgem_fence_attach(int fd, struct ph_vgem_fence_attach *arg);
/* Attach a fence (PH_VGEM_FENCE_WRITE in @flags for an exclusive one). */
uint32_t vgem_fence_attach(int fd, uint32_t handle, uint32_t flags);

int __vgem_fence_signal(int fd, uint32_t fence, uint32_t flags);
void vgem_fence_signal(int fd, uint32_t fence);

/* True if the device answers the fence ioctls (bad handle -> ENOENT). */
bool vgem_has_fences(int fd);

/* DRM_IOCTL_PH_VGEM_MADVISE (ph_vgem only); the second returns retained. */
int __vgem_madvise(int fd, struct ph_vgem_madvise *arg);
bool vgem_madvise(int fd, uint32_t handle, uint32_t madv);

#endif /* VGEM_H */
