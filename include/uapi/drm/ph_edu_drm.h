/* SPDX-License-Identifier: MIT */
/*
 * uAPI of the ph_edu reference driver: a DRM render device on QEMU's "edu"
 * PCI device, whose DMA engine copies between GEM objects (its own dumb
 * buffers, or dma-bufs of any exporter imported through PRIME).
 *
 * Both ioctls wait for the implicit fences of the objects they touch, for at
 * most the module parameter fence_timeout_ms (10 s by default), and fail with
 * -ETIMEDOUT when that expires; a signal interrupts the wait (-EINTR, or a
 * restart). Without an IOMMU the engine cannot reach memory above its 28-bit
 * limit: then foreign dma-bufs are refused at import and copies fail, both
 * with -EIO, before any address is programmed.
 */
#ifndef _UAPI_PH_EDU_DRM_H_
#define _UAPI_PH_EDU_DRM_H_

#ifdef __KERNEL__
#include <drm/drm.h>
#else
#include "drm.h"	/* libdrm's copy, found through pkg-config --cflags libdrm */
#endif

/*
 * The longest DMA segment the device declares it takes. Tables the PRIME
 * helper library builds for it (for ph_edu's shmem objects, and for the
 * attachments of dma-bufs the library exports, ph_vgem's and ph_edu's) have
 * entries of at most this many bytes, which @src_segments and @dst_segments
 * of &struct ph_edu_copy show. Other exporters build their own tables; a
 * DMA-contiguous object of ph_edu's is one segment, its whole size.
 */
#define PH_EDU_DMA_MAX_SEGMENT (64 * 1024)

#define PH_EDU_COPY 0x0
#define PH_EDU_CHECKSUM 0x1
#define PH_EDU_CREATE 0x2

/**
 * struct ph_edu_copy - DRM_IOCTL_PH_EDU_COPY argument
 * @src_handle: GEM handle of the object read from
 * @dst_handle: GEM handle of the object written to (may equal @src_handle if
 *              the two ranges do not overlap)
 * @src_offset: first byte read, any alignment
 * @dst_offset: first byte written, any alignment
 * @length: bytes to copy; 0 copies nothing and waits for nothing
 * @flags: must be zero
 * @transfers: returned: how many DMA transfers the engine made
 * @src_segments: returned: entries of the source's sg table for the device:
 *                its physically contiguous extents (exporters merge
 *                neighbours); see PH_EDU_DMA_MAX_SEGMENT
 * @dst_segments: returned: the same for the destination
 *
 * The device's DMA engine moves the bytes through its 4 KiB buffer, one
 * transfer per piece that is contiguous in the device's address space. The
 * copy first waits for the source's writers and for every user of the
 * destination. It is synchronous: the data is in place when the ioctl
 * returns, and no fence is added to either object. The engine is shared
 * window by window (4 KiB) with other clients' copies. A signal stops the
 * copy after the window in progress: the kernel then advances @src_offset
 * and @dst_offset and shrinks @length by what was copied, and the ioctl is
 * restarted (SA_RESTART) or fails with -EINTR; issuing it again with the
 * updated argument finishes the copy. @transfers counts the last call's.
 *
 * Errors: -EINVAL for nonzero @flags, a range past the end of its object or
 * overlapping ranges of one object; -ENOENT for an unknown handle;
 * -ETIMEDOUT, -EINTR (see above); -EIO when the engine cannot reach the
 * memory or fails.
 */
struct ph_edu_copy {
	__u32 src_handle;
	__u32 dst_handle;
	__u64 src_offset;
	__u64 dst_offset;
	__u64 length;
	__u32 flags;
	__u32 transfers;
	__u32 src_segments;
	__u32 dst_segments;
};

/*
 * &struct ph_edu_checksum flags. NESTED_VMAPS: the kernel holds one mapping
 * of the object for the whole call and sums each page through a nested
 * vmap/vunmap pair of its own, the same result; a benchmark of the nested
 * (refcounted) vmap path of the object's exporter.
 */
#define PH_EDU_CHECKSUM_NESTED_VMAPS (1u << 0)

/**
 * struct ph_edu_checksum - DRM_IOCTL_PH_EDU_CHECKSUM argument
 * @handle: GEM handle of the object
 * @flags: 0 or %PH_EDU_CHECKSUM_NESTED_VMAPS
 * @offset: first byte summed
 * @length: bytes summed; 0 gives 0
 * @sum: returned: the sum of the bytes, each as an unsigned value
 *
 * The kernel reads the object through its own mapping of it (a vmap, inside
 * begin/end_cpu_access for an imported dma-buf), after waiting for its
 * writers. Errors as for &struct ph_edu_copy.
 */
struct ph_edu_checksum {
	__u32 handle;
	__u32 flags;
	__u64 offset;
	__u64 length;
	__u64 sum;
};

/* &struct ph_edu_create flags */
#define PH_EDU_CREATE_CONTIGUOUS (1u << 0)

/**
 * struct ph_edu_create - DRM_IOCTL_PH_EDU_CREATE argument
 * @size: bytes, rounded up to whole pages; nonzero
 * @flags: 0 for a shmem object (as a dumb buffer: pages allocated on first
 *         use, scattered), or %PH_EDU_CREATE_CONTIGUOUS for one physically
 *         contiguous block allocated at once for the device (the DMA API's
 *         dma_alloc_pages()), which importers that need contiguous memory
 *         accept
 * @handle: returned: GEM handle of the new object
 *
 * Both kinds are zero-filled, mmap through DRM_IOCTL_MODE_MAP_DUMB, export
 * and import through PRIME, and work with the COPY and CHECKSUM ioctls; a
 * contiguous object is copied in one DMA segment.
 *
 * Errors: -EINVAL for unknown @flags or a zero @size; -ENOMEM when no block
 * of that size is free (contiguous blocks are limited to what the page
 * allocator hands out at once, 4 MiB on these kernels, unless CMA is set up),
 * when the caller's memory cgroup cannot take it (contiguous blocks are
 * charged to it), or when the file would then hold handles to more
 * contiguous memory than the module parameter contiguous_mib_per_file
 * allows (256 MiB by default).
 */
struct ph_edu_create {
	__u64 size;
	__u32 flags;
	__u32 handle;
};

#define DRM_IOCTL_PH_EDU_COPY \
	DRM_IOWR(DRM_COMMAND_BASE + PH_EDU_COPY, struct ph_edu_copy)
#define DRM_IOCTL_PH_EDU_CHECKSUM \
	DRM_IOWR(DRM_COMMAND_BASE + PH_EDU_CHECKSUM, struct ph_edu_checksum)
#define DRM_IOCTL_PH_EDU_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + PH_EDU_CREATE, struct ph_edu_create)

#endif /* _UAPI_PH_EDU_DRM_H_ */
