// SPDX-License-Identifier: GPL-2.0
/*
 * DRM_IOCTL_PH_EDU_CHECKSUM: the kernel reads an object through the CPU.
 *
 * This is the importer's side of kernel CPU access: an imported dma-buf is
 * bracketed by dma_buf_begin_cpu_access() and dma_buf_end_cpu_access(), so
 * the exporter can make its memory coherent for the CPU, and mapped with the
 * library's vmap, which for an import is the exporter's refcounted vmap. An
 * own object needs no bracket: its pages are ours and not under DMA now.
 */

#include <linux/dma-buf.h>
#include <linux/dma-direction.h>
#include <linux/iosys-map.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sizes.h>

#include <drm/drm_file.h>
#include <drm/drm_gem.h>

#include <uapi/drm/ph_edu_drm.h>

#include "ph_edu.h"

/* Sum through a small bounce buffer: the mapping may be I/O memory. */
static u64 ph_edu_sum(const struct iosys_map *map, u64 offset, u64 length)
{
	u8 chunk[256];
	u64 sum = 0, done;
	size_t n, i;

	for (done = 0; done < length; done += n) {
		n = min_t(u64, length - done, sizeof(chunk));
		iosys_map_memcpy_from(chunk, map, offset + done, n);
		for (i = 0; i < n; i++)
			sum += chunk[i];
		if (!((done + n) & (SZ_1M - 1)))
			cond_resched();
	}
	return sum;
}

/*
 * NESTED_VMAPS: while the outer mapping is held, each page is summed through
 * a vmap of its own, which the exporter serves from its refcount; the sum is
 * the same.
 */
static int ph_edu_sum_nested(struct drm_ph_object *phobj, const struct iosys_map *outer,
			     struct ph_edu_checksum *args)
{
	u64 done, n, end = args->offset + args->length;
	struct iosys_map map;
	int ret;

	for (done = args->offset; done < end; done += n) {
		n = min_t(u64, end - done, PAGE_SIZE - offset_in_page(done));
		ret = drm_ph_shmem_vmap(phobj, &map);
		if (ret)
			return ret;
		/* Nested maps share the outer mapping: anything else is a bug. */
		if (WARN_ON_ONCE(!iosys_map_is_equal(&map, outer))) {
			drm_ph_shmem_vunmap(phobj, &map);
			return -EIO;
		}
		args->sum += ph_edu_sum(&map, done, n);
		drm_ph_shmem_vunmap(phobj, &map);
	}
	return 0;
}

static int ph_edu_checksum_mapped(struct drm_ph_object *phobj, struct ph_edu_checksum *args)
{
	struct iosys_map map;
	int ret;

	ret = drm_ph_shmem_vmap(phobj, &map);
	if (ret)
		return ret;
	if (args->flags & PH_EDU_CHECKSUM_NESTED_VMAPS)
		ret = ph_edu_sum_nested(phobj, &map, args);
	else
		args->sum = ph_edu_sum(&map, args->offset, args->length);
	drm_ph_shmem_vunmap(phobj, &map);
	return ret;
}

/**
 * ph_edu_checksum_ioctl - DRM_IOCTL_PH_EDU_CHECKSUM
 * @drm: the device
 * @data: &struct ph_edu_checksum
 * @file: the caller's DRM file, owner of the handle
 *
 * Waits for the object's writers within the fence timeout, then sums the
 * range through a kernel mapping. See &struct ph_edu_checksum.
 *
 * Returns: 0 or a negative errno.
 */
int ph_edu_checksum_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct ph_edu_checksum *args = data;
	struct drm_gem_object *obj;
	struct dma_buf *dma_buf;
	long timeout;
	int ret;

	if (args->flags & ~PH_EDU_CHECKSUM_NESTED_VMAPS)
		return -EINVAL;

	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj)
		return -ENOENT;

	args->sum = 0;
	ret = -EINVAL;
	if (!ph_edu_range_valid(obj, args->offset, args->length))
		goto out;
	ret = 0;
	if (!args->length)
		goto out;

	timeout = ph_edu_wait_idle(obj, false, ph_edu_fence_timeout());
	if (timeout < 0) {
		ret = timeout;
		goto out;
	}

	if (!obj->import_attach) {
		ret = ph_edu_checksum_mapped(to_drm_ph_object(obj), args);
		goto out;
	}

	dma_buf = obj->import_attach->dmabuf;
	ret = dma_buf_begin_cpu_access(dma_buf, DMA_FROM_DEVICE);
	if (ret)
		goto out;
	ret = ph_edu_checksum_mapped(to_drm_ph_object(obj), args);
	dma_buf_end_cpu_access(dma_buf, DMA_FROM_DEVICE);
out:
	drm_gem_object_put(obj);
	return ret;
}
