/* SPDX-License-Identifier: MIT */
/*
 * uAPI of the ph_vgem reference driver. It is binary-compatible with
 * upstream vgem's (same command numbers and layouts), so programs written
 * for vgem, IGT's vgem tests among them, drive ph_vgem unchanged.
 */
#ifndef _UAPI_PH_VGEM_DRM_H_
#define _UAPI_PH_VGEM_DRM_H_

#ifdef __KERNEL__
#include <drm/drm.h>
#else
#include "drm.h"	/* libdrm's copy, found through pkg-config --cflags libdrm */
#endif

#define PH_VGEM_FENCE_ATTACH 0x1
#define PH_VGEM_FENCE_SIGNAL 0x2

/**
 * struct ph_vgem_fence_attach - DRM_IOCTL_PH_VGEM_FENCE_ATTACH argument
 * @handle: GEM handle the fence is attached to
 * @flags: 0 for a read (shared) fence, %PH_VGEM_FENCE_WRITE for an
 *         exclusive one; other bits are rejected with -EINVAL
 * @out_fence: returned fence id, for DRM_IOCTL_PH_VGEM_FENCE_SIGNAL
 * @pad: must be zero
 */
struct ph_vgem_fence_attach {
	__u32 handle;
	__u32 flags;
#define PH_VGEM_FENCE_WRITE 0x1
	__u32 out_fence;
	__u32 pad;
};

/**
 * struct ph_vgem_fence_signal - DRM_IOCTL_PH_VGEM_FENCE_SIGNAL argument
 * @fence: fence id from DRM_IOCTL_PH_VGEM_FENCE_ATTACH
 * @flags: must be zero
 */
struct ph_vgem_fence_signal {
	__u32 fence;
	__u32 flags;
};

#define DRM_IOCTL_PH_VGEM_FENCE_ATTACH \
	DRM_IOWR(DRM_COMMAND_BASE + PH_VGEM_FENCE_ATTACH, struct ph_vgem_fence_attach)
#define DRM_IOCTL_PH_VGEM_FENCE_SIGNAL \
	DRM_IOW(DRM_COMMAND_BASE + PH_VGEM_FENCE_SIGNAL, struct ph_vgem_fence_signal)

#endif /* _UAPI_PH_VGEM_DRM_H_ */
