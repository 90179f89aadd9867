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
 * The exporter is dynamic (it has &dma_buf_ops.pin): attaching pins
 * nothing. Each attachment gets a &struct drm_ph_attachment listed on the
 * object, so CPU access can sync every mapping, and the mappings hold the
 * object's pages from the first map to the last unmap
 * (&drm_ph_object.map_pages). Who pins is the core's
 * choice: a static importer (no &dma_buf_attach_ops.move_notify) is pinned
 * and mapped once, ``DMA_BIDIRECTIONAL``, when it attaches, and unmapped and
 * unpinned when it detaches; a dynamic importer maps under the reservation
 * lock and is pinned for as long as it is mapped, unless the kernel has
 * ``CONFIG_DMABUF_MOVE_NOTIFY``. Then its mappings are not pinned: the
 * object stays evictable, and eviction, under the reservation lock, waits
 * for (or, in the shrinker, checks) the object's fences, calls the
 * importers' move_notify, and waits for or checks the fences they added
 * when told (see "reclaim"); an importer that unmaps there lets the pages
 * go at once. An importer must not map from move_notify: the map takes the
 * object's lock, which eviction holds there.
 * The core does not cache mappings (&dma_buf_ops.cache_sgt_mapping is off):
 * a dynamic importer's unmap must reach the exporter.
 *
 * Mapping DMA-maps a private copy of the object's page table for the
 * importing device in the requested direction, its segments cut to the
 * importing device's limits (see drm_ph_shmem_map_for_device()); an
 * attachment has one mapping at a time. Mapping syncs for the device and
 * unmapping syncs for the CPU, since no CPU access bracket can reach a
 * mapping before it exists or after it is gone (behind swiotlb's bounce
 * buffers, skipping either loses data); while it is mapped,
 * begin_cpu_access() and end_cpu_access() sync every mapped attachment,
 * after waiting for the implicit fences the access conflicts with.
 *
 * Bounce buffers and a mapping that outlives its use do not mix: a static
 * importer's mapping is ``DMA_BIDIRECTIONAL`` and kept until detach, and
 * every sync for the CPU of it (begin_cpu_access(), the unmap) copies its
 * whole bounce buffer back, whether that device wrote or not. So while an
 * importer holds a bounced mapping, bytes that reach the pages by another
 * way (the exporter's own device, a second importer, CPU writes outside a
 * DMA_BUF_IOCTL_SYNC bracket) are overwritten by its stale copy; a dynamic
 * importer's unmap, which eviction may cause, does the same. An importer
 * that maps per job, in the job's direction, avoids it (ph_edu keeps its
 * mapping between jobs, so it does not); the guide lists it under the
 * known limits.
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

	pattach = kzalloc(sizeof(*pattach), GFP_KERNEL);
	if (!pattach)
		return -ENOMEM;
	pattach->dev = attach->dev;

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
	drm_ph_stat_dec(DRM_PH_STAT_ATTACHMENTS);
}

/* The core pins static importers at attach, dynamic ones as it sees fit. */
static int drm_ph_dmabuf_pin(struct dma_buf_attachment *attach)
{
	dma_resv_assert_held(attach->dmabuf->resv);
	return drm_ph_shmem_pin(drm_ph_dmabuf_object(attach->dmabuf));
}

static void drm_ph_dmabuf_unpin(struct dma_buf_attachment *attach)
{
	dma_resv_assert_held(attach->dmabuf->resv);
	drm_ph_shmem_unpin(drm_ph_dmabuf_object(attach->dmabuf));
}

static struct sg_table *drm_ph_dmabuf_map(struct dma_buf_attachment *attach,
					  enum dma_data_direction dir)
{
	struct drm_ph_object *phobj = drm_ph_dmabuf_object(attach->dmabuf);
	struct drm_ph_attachment *pattach = attach->priv;
	struct sg_table *sgt;
	int ret;

	/* Every map and unmap runs under it: it guards the mappings. */
	dma_resv_assert_held(attach->dmabuf->resv);
	if (WARN_ON(dir == DMA_NONE))
		return ERR_PTR(-EINVAL);
	/* One mapping per attachment: CPU access syncs the one it knows. */
	if (pattach->sgt)
		return ERR_PTR(-EBUSY);

	ret = drm_ph_shmem_get_map_pages(phobj);
	if (ret)
		return ERR_PTR(ret);
	/*
	 * Mapped without the implicit sync, which DMA-API debug takes for a
	 * second mapping of the pages (every shared buffer has several), then
	 * synced for the device explicitly: what the CPU wrote before this
	 * attachment existed was never part of a begin/end_cpu_access that
	 * could have carried it to this mapping (a bounce buffer, a
	 * non-coherent cache). Synced and published under the reservation
	 * lock, which CPU access brackets take, so none sees it half made.
	 */
	sgt = drm_ph_shmem_map_for_device(phobj, attach->dev, dir, DMA_ATTR_SKIP_CPU_SYNC);
	if (IS_ERR(sgt)) {
		/* No mapping: the pages' use goes (taken here, or left by an unmap). */
		if (!phobj->device_maps) {
			mutex_lock(&phobj->lock);
			drm_ph_shmem_put_map_pages_locked(phobj);
			mutex_unlock(&phobj->lock);
		}
		return sgt;
	}
	dma_sync_sgtable_for_device(attach->dev, sgt, dir);
	pattach->sgt = sgt;
	pattach->dir = dir;
	WRITE_ONCE(phobj->device_maps, phobj->device_maps + 1);
	return sgt;
}

/*
 * Waits for no lock but the reservation lock its caller holds: an importer
 * may unmap from its move_notify, which eviction calls, from memory reclaim
 * too, with the object's lock held.
 */
static void drm_ph_dmabuf_unmap(struct dma_buf_attachment *attach, struct sg_table *sgt,
				enum dma_data_direction dir)
{
	struct drm_ph_object *phobj = drm_ph_dmabuf_object(attach->dmabuf);
	struct drm_ph_attachment *pattach = attach->priv;

	dma_resv_assert_held(attach->dmabuf->resv);
	/*
	 * Synced for the CPU first: once unmapped, no begin_cpu_access can
	 * reach this mapping, so what the device wrote must land in the pages
	 * now, with the mapping unpublished in the same step.
	 */
	dma_sync_sgtable_for_cpu(attach->dev, sgt, dir);
	if (!WARN_ON_ONCE(pattach->sgt != sgt)) {
		pattach->sgt = NULL;
		WRITE_ONCE(phobj->device_maps, phobj->device_maps - 1);
	}
	drm_ph_shmem_unmap_for_device(attach->dev, sgt, dir, DMA_ATTR_SKIP_CPU_SYNC);

	/*
	 * The last mapping gone: the pages go back now if the object's lock
	 * is free. If it is not, eviction may hold it (and gives them back
	 * itself), or the release of the dma-buf will.
	 */
	if (!phobj->device_maps && mutex_trylock(&phobj->lock)) {
		drm_ph_shmem_put_map_pages_locked(phobj);
		mutex_unlock(&phobj->lock);
	}
}

/*
 * The DMA API wants syncs in the direction of the mapping, whatever the CPU
 * is about to do; what the CPU does only decides which fences to wait for.
 * The mappings are stable under the reservation lock, the list of
 * attachments under the object's lock.
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

	dma_resv_lock(dma_buf->resv, NULL);
	mutex_lock(&phobj->lock);
	list_for_each_entry(pattach, &phobj->attachments, node)
		if (pattach->sgt)
			dma_sync_sgtable_for_cpu(pattach->dev, pattach->sgt, pattach->dir);
	mutex_unlock(&phobj->lock);
	dma_resv_unlock(dma_buf->resv);
	/* A DMA object is also mapped for its own device, since allocation. */
	if (phobj->store == DRM_PH_STORE_DMA)
		drm_ph_object_sync_for_cpu(phobj);
	return 0;
}

static int drm_ph_dmabuf_end_cpu_access(struct dma_buf *dma_buf, enum dma_data_direction dir)
{
	struct drm_ph_object *phobj = drm_ph_dmabuf_object(dma_buf);
	struct drm_ph_attachment *pattach;

	/* Held briefly: maps, unmaps and CPU access brackets. */
	dma_resv_lock(dma_buf->resv, NULL);
	mutex_lock(&phobj->lock);
	list_for_each_entry(pattach, &phobj->attachments, node)
		if (pattach->sgt)
			dma_sync_sgtable_for_device(pattach->dev, pattach->sgt, pattach->dir);
	mutex_unlock(&phobj->lock);
	dma_resv_unlock(dma_buf->resv);
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
	.attach = drm_ph_dmabuf_attach,
	.detach = drm_ph_dmabuf_detach,
	.pin = drm_ph_dmabuf_pin,
	.unpin = drm_ph_dmabuf_unpin,
	.map_dma_buf = drm_ph_dmabuf_map,
	.unmap_dma_buf = drm_ph_dmabuf_unmap,
	.begin_cpu_access = drm_ph_dmabuf_begin_cpu_access,
	.end_cpu_access = drm_ph_dmabuf_end_cpu_access,
	.mmap = drm_ph_dmabuf_mmap,
	.vmap = drm_ph_dmabuf_vmap,
	.vunmap = drm_ph_dmabuf_vunmap,
	.release = drm_ph_dmabuf_release,
};
