/* SPDX-License-Identifier: MIT */
/*
 * uAPI of the ph_vgem reference driver. It is binary-compatible with
 * upstream vgem's (same command numbers and layouts), so programs written
 * for vgem, IGT's vgem tests among them, drive ph_vgem unchanged. MADVISE
 * is ph_vgem's own (upstream vgem has no such command).
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
#define PH_VGEM_MADVISE 0x3

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

/**
 * struct ph_vgem_madvise - DRM_IOCTL_PH_VGEM_MADVISE argument
 * @handle: a buffer created by this device (not an import)
 * @madv: %PH_VGEM_MADV_DONTNEED: the contents may be dropped under memory
 *        pressure while the buffer is idle (not attached by a device, not
 *        mapped by the kernel, not exported; its fences are not looked at:
 *        a buffer still being written must not be DONTNEED);
 *        %PH_VGEM_MADV_WILLNEED: they
 *        may not. A dropped (purged) buffer's CPU mappings get SIGBUS until
 *        it is WILLNEED again; it then reads as zeroes.
 * @retained: returns 1 if the contents are still there, 0 if they were
 *            purged since the last WILLNEED (which revives a purged buffer:
 *            a second WILLNEED then reports 1)
 * @pad: must be zero
 *
 * Errors: -ENOENT for an unknown handle, -EINVAL for another @madv, a
 * non-zero @pad or an imported buffer.
 */
struct ph_vgem_madvise {
	__u32 handle;
	__u32 madv;
#define PH_VGEM_MADV_WILLNEED 0
#define PH_VGEM_MADV_DONTNEED 1
	__u32 retained;
	__u32 pad;
};

#define DRM_IOCTL_PH_VGEM_FENCE_ATTACH \
	DRM_IOWR(DRM_COMMAND_BASE + PH_VGEM_FENCE_ATTACH, struct ph_vgem_fence_attach)
#define DRM_IOCTL_PH_VGEM_FENCE_SIGNAL \
	DRM_IOW(DRM_COMMAND_BASE + PH_VGEM_FENCE_SIGNAL, struct ph_vgem_fence_signal)
#define DRM_IOCTL_PH_VGEM_MADVISE \
	DRM_IOWR(DRM_COMMAND_BASE + PH_VGEM_MADVISE, struct ph_vgem_madvise)

#endif /* _UAPI_PH_VGEM_DRM_H_ */
