// SPDX-License-Identifier: GPL-2.0
/*
 * The &dma_buf_ops of dma-bufs exported by the PRIME helper library.
 */

/**
 * DOC: dma-buf operations
 *
 * &dma_buf.priv is the exported &struct drm_ph_object; the dma-buf holds a
 * reference on it and on its &drm_device from drm_ph_gem_prime_export() to
 * drm_ph_dmabuf_release().
 *
 * Attachments pin the object's pages from attach to detach; each one gets a
 * &struct drm_ph_attachment listed on the object, so CPU access can sync
 * every mapping. Mapping an attachment DMA-maps a private copy of the
 * object's cached sg table for the importing device in the requested
 * direction, its segments cut to the importing device's limits (see
 * drm_ph_shmem_map_for_device()); the dma-buf core caches that mapping per attachment
 * (&dma_buf_ops.cache_sgt_mapping). Mapping syncs for the device and
 * unmapping syncs for the CPU, since no CPU access bracket can reach a
 * mapping before it exists or after it is gone (behind swiotlb's bounce
 * buffers, skipping either loses data); while it is mapped,
 * begin_cpu_access() and end_cpu_access() sync every mapped attachment,
 * after waiting for the implicit fences the access conflicts with.
 *
 * Bounce buffers and a mapping that outlives its use do not mix: an
 * importer's mapping is ``DMA_BIDIRECTIONAL`` and kept until detach, and
 * every sync for the CPU of it (begin_cpu_access(), the unmap) copies its
 * whole bounce buffer back, whether that device wrote or not. So while an
 * importer holds a bounced mapping, bytes that reach the pages by another
 * way (the exporter's own device, a second importer, CPU writes outside a
 * DMA_BUF_IOCTL_SYNC bracket) are overwritten by its stale copy. Mapping
 * per job (see the memory-management work on dynamic attachments) is what
 * removes it; until then the guide lists it under the known limits.
 *
 * mmap gives the same VMA as a GEM mmap of the object (same pages, same fault
 * handler, same place in the device's address space); vmap shares the
 * object's refcounted kernel mapping. All of this holds for both backing
 * stores: DMA objects differ only in that their pages are also mapped for
 * their own device, which CPU access syncs as well.
 */

#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/slab.h>

#include <drm/drm_drv.h>
#include <drm/drm_ph.h>

#include "drm_ph_compat.h"
#include "drm_ph_internal.h"

static struct drm_ph_object *drm_ph_dmabuf_object(struct dma_buf *dma_buf)
{
	return to_drm_ph_object(dma_buf->priv);
}

static int drm_ph_dmabuf_attach(struct dma_buf *dma_buf, struct dma_buf_attachment *attach)
{
	struct drm_ph_object *phobj = drm_ph_dmabuf_object(dma_buf);
	struct drm_ph_attachment *pattach;
	int ret;

	pattach = kzalloc(sizeof(*pattach), GFP_KERNEL);
	if (!pattach)
		return -ENOMEM;
	pattach->dev = attach->dev;

	ret = drm_ph_shmem_pin(phobj);
	if (ret) {
		kfree(pattach);
		return ret;
	}

	mutex_lock(&phobj->lock);
	list_add_tail(&pattach->node, &phobj->attachments);
	mutex_unlock(&phobj->lock);
	attach->priv = pattach;
	drm_ph_stat_inc(DRM_PH_STAT_ATTACHMENTS);
	return 0;
}

static void drm_ph_dmabuf_detach(struct dma_buf *dma_buf, struct dma_buf_attachment *attach)
{
	struct drm_ph_object *phobj = drm_ph_dmabuf_object(dma_buf);
	struct drm_ph_attachment *pattach = attach->priv;

	mutex_lock(&phobj->lock);
	WARN_ON_ONCE(pattach->sgt);
	list_del(&pattach->node);
	mutex_unlock(&phobj->lock);
	kfree(pattach);
	attach->priv = NULL;
	drm_ph_shmem_unpin(phobj);
	drm_ph_stat_dec(DRM_PH_STAT_ATTACHMENTS);
}

static struct sg_table *drm_ph_dmabuf_map(struct dma_buf_attachment *attach,
					  enum dma_data_direction dir)
{
	struct drm_ph_object *phobj = drm_ph_dmabuf_object(attach->dmabuf);
	struct drm_ph_attachment *pattach = attach->priv;
	struct sg_table *sgt;

	if (WARN_ON(dir == DMA_NONE))
		return ERR_PTR(-EINVAL);

	/*
	 * Mapped without the implicit sync, which DMA-API debug takes for a
	 * second mapping of the pages (every shared buffer has several), then
	 * synced for the device explicitly: what the CPU wrote before this
	 * attachment existed was never part of a begin/end_cpu_access that
	 * could have carried it to this mapping (a bounce buffer, a
	 * non-coherent cache). Synced and published under the lock, so no
	 * CPU access bracket sees the mapping half made.
	 */
	sgt = drm_ph_shmem_map_for_device(phobj, attach->dev, dir, DMA_ATTR_SKIP_CPU_SYNC);
	if (IS_ERR(sgt))
		return sgt;

	mutex_lock(&phobj->lock);
	dma_sync_sgtable_for_device(attach->dev, sgt, dir);
	pattach->sgt = sgt;
	pattach->dir = dir;
	mutex_unlock(&phobj->lock);
	return sgt;
}

static void drm_ph_dmabuf_unmap(struct dma_buf_attachment *attach, struct sg_table *sgt,
				enum dma_data_direction dir)
{
	struct drm_ph_object *phobj = drm_ph_dmabuf_object(attach->dmabuf);
	struct drm_ph_attachment *pattach = attach->priv;

	/*
	 * Synced for the CPU first: once unmapped, no begin_cpu_access can
	 * reach this mapping, so what the device wrote must land in the pages
	 * now, and under the lock, with the mapping unpublished in the same
	 * step, so no CPU access bracket runs between the two.
	 */
	mutex_lock(&phobj->lock);
	dma_sync_sgtable_for_cpu(attach->dev, sgt, dir);
	if (pattach->sgt == sgt)
		pattach->sgt = NULL;
	mutex_unlock(&phobj->lock);
	drm_ph_shmem_unmap_for_device(attach->dev, sgt, dir, DMA_ATTR_SKIP_CPU_SYNC);
}

/*
 * The DMA API wants syncs in the direction of the mapping, whatever the CPU
 * is about to do; what the CPU does only decides which fences to wait for.
 */
static int drm_ph_dmabuf_begin_cpu_access(struct dma_buf *dma_buf, enum dma_data_direction dir)
{
	struct drm_ph_object *phobj = drm_ph_dmabuf_object(dma_buf);
	bool write = dir != DMA_FROM_DEVICE;
	struct drm_ph_attachment *pattach;
	long ret;

	/* A reader waits for writers, a writer for everybody. */
	ret = dma_resv_wait_timeout(dma_buf->resv, drm_ph_compat_wait_usage(write), true,
				    MAX_SCHEDULE_TIMEOUT);
	if (ret < 0)
		return ret;

	mutex_lock(&phobj->lock);
	list_for_each_entry(pattach, &phobj->attachments, node)
		if (pattach->sgt)
			dma_sync_sgtable_for_cpu(pattach->dev, pattach->sgt, pattach->dir);
	mutex_unlock(&phobj->lock);
	/* A DMA object is also mapped for its own device, since allocation. */
	if (phobj->store == DRM_PH_STORE_DMA)
		drm_ph_object_sync_for_cpu(phobj);
	return 0;
}

static int drm_ph_dmabuf_end_cpu_access(struct dma_buf *dma_buf, enum dma_data_direction dir)
{
	struct drm_ph_object *phobj = drm_ph_dmabuf_object(dma_buf);
	struct drm_ph_attachment *pattach;

	mutex_lock(&phobj->lock);
	list_for_each_entry(pattach, &phobj->attachments, node)
		if (pattach->sgt)
			dma_sync_sgtable_for_device(pattach->dev, pattach->sgt, pattach->dir);
	mutex_unlock(&phobj->lock);
	if (phobj->store == DRM_PH_STORE_DMA)
		drm_ph_object_sync_for_device(phobj);
	return 0;
}

static int drm_ph_dmabuf_mmap(struct dma_buf *dma_buf, struct vm_area_struct *vma)
{
	return drm_ph_shmem_mmap_exported(drm_ph_dmabuf_object(dma_buf), vma);
}

static int drm_ph_dmabuf_vmap(struct dma_buf *dma_buf, struct iosys_map *map)
{
	return drm_ph_shmem_vmap(drm_ph_dmabuf_object(dma_buf), map);
}

static void drm_ph_dmabuf_vunmap(struct dma_buf *dma_buf, struct iosys_map *map)
{
	drm_ph_shmem_vunmap(drm_ph_dmabuf_object(dma_buf), map);
}

/* Drops exactly what drm_ph_gem_prime_export() took. */
static void drm_ph_dmabuf_release(struct dma_buf *dma_buf)
{
	struct drm_ph_object *phobj = drm_ph_dmabuf_object(dma_buf);
	struct drm_device *drm = phobj->base.dev;

	drm_ph_shmem_export_released(phobj, dma_buf);
	drm_ph_stat_dec(DRM_PH_STAT_DMA_BUFS);
	drm_gem_object_put(&phobj->base);
	drm_dev_put(drm);
}

const struct dma_buf_ops drm_ph_dmabuf_ops = {
	.cache_sgt_mapping = true,
	.attach = drm_ph_dmabuf_attach,
	.detach = drm_ph_dmabuf_detach,
	.map_dma_buf = drm_ph_dmabuf_map,
	.unmap_dma_buf = drm_ph_dmabuf_unmap,
	.begin_cpu_access = drm_ph_dmabuf_begin_cpu_access,
	.end_cpu_access = drm_ph_dmabuf_end_cpu_access,
	.mmap = drm_ph_dmabuf_mmap,
	.vmap = drm_ph_dmabuf_vmap,
	.vunmap = drm_ph_dmabuf_vunmap,
	.release = drm_ph_dmabuf_release,
};
