// SPDX-License-Identifier: GPL-2.0
/*
 * Export of library objects as dma-bufs and import of dma-bufs as objects.
 */

/**
 * DOC: export, import and who holds what
 *
 * Export. drm_ph_gem_prime_export() wraps an object in a dma-buf with the
 * library's &dma_buf_ops. The dma-buf holds a reference on the object and
 * one on its &drm_device for its whole life, dropped by its release; the
 * object only keeps a weak pointer to it (&drm_ph_object.export) for
 * introspection and the per-file cache. The dma-buf file's address space is
 * replaced with the DRM device's, so its mmaps sit next to the GEM mmaps and
 * one shootdown of the object's range reaches both.
 *
 * An object has at most one live dma-buf. While it has handles, the cache
 * holds it. When the last handle is gone the dma-buf may live on (an fd),
 * and the only way back to a handle is a self-import of that dma-buf, which
 * creates the handle before it can set the cache: for that window the
 * import publishes the dma-buf it holds in &drm_ph_object.self_import, and
 * drm_ph_gem_prime_export() (under &drm_device.object_name_lock, like the
 * cache) answers with it, so a PRIME ioctl of another file that reaches the
 * object through the new handle (a flink name of it, say) gets the same
 * dma-buf. The weak pointer is never used to take a reference: its file may
 * be gone already (the dma-buf's release runs when its dentry goes, which
 * can be later), so it only identifies the dma-buf, and a release clears it
 * only if it still points at its own dma-buf.
 *
 * The export is cached on the object the way the DRM core expects:
 * &drm_gem_object.dma_buf points at it and holds a reference on it while the
 * object has handles, so exporting twice gives the same dma-buf. The core
 * drops that pointer and its reference when the last handle goes, under
 * &drm_device.object_name_lock, which is why the library sets it only under
 * that lock and only while a handle exists. That reference forms a cycle
 * (object -> dma-buf -> object) which the last handle close breaks.
 *
 * Import. A dma-buf exported by the library from an object of the importing
 * device yields that object, with a new reference and no attachment
 * (self-import). Any other dma-buf is attached to the importing device,
 * mapped bidirectionally, and wrapped by the driver's
 * &drm_driver.gem_prime_import_sg_table; the new object shares the dma-buf's
 * reservation object and holds the attachment, the mapping and a reference
 * on the dma-buf until it is freed. The chain of references thus always runs
 * importer object -> dma-buf -> exporter object, never back; imported
 * objects do not use &drm_gem_object.dma_buf at all.
 *
 * Dynamic import. drm_ph_gem_prime_import_dynamic() attaches with a
 * move_notify, so an exporter that can move its pages (the library's own,
 * on a kernel with ``CONFIG_DMABUF_MOVE_NOTIFY``) does not pin them for the
 * import. The mapping is then made and dropped under the dma-buf's
 * reservation lock: move_notify unmaps it at once, and the driver asks for
 * it again before each device job with drm_ph_import_pin_sgt(), which also
 * pins the exporter's pages until drm_ph_import_unpin_sgt() ends the job,
 * so no lock is held while the device works. Without the kernel option the
 * core pins the exporter's pages while the import is mapped, as for a static
 * import.
 */

#include <linux/dma-buf.h>
#include <linux/dma-resv.h>

#include <drm/drm_device.h>
#include <drm/drm_drv.h>
#include <drm/drm_gem.h>
#include <drm/drm_ph.h>

#include "drm_ph_compat.h"
#include "drm_ph_internal.h"

/**
 * drm_ph_is_own_dma_buf - whether a dma-buf was exported by the library
 * @dma_buf: any dma-buf
 *
 * Locking: none.
 *
 * Returns: true if @dma_buf uses the library's &dma_buf_ops, in which case
 * &dma_buf.priv is the exported &struct drm_ph_object.
 */
bool drm_ph_is_own_dma_buf(struct dma_buf *dma_buf)
{
	return dma_buf->ops == &drm_ph_dmabuf_ops;
}
EXPORT_SYMBOL_NS_GPL(drm_ph_is_own_dma_buf, DRM_PRIME_HELPERS);

/**
 * drm_ph_gem_prime_export - &drm_gem_object_funcs.export of library objects
 * @obj: object created by drm_ph_shmem_create()
 * @flags: DRM_CLOEXEC and DRM_RDWR (O_CLOEXEC, O_RDWR) for the dma-buf file
 *
 * Returns the object's dma-buf: the one cached in &drm_gem_object.dma_buf, or
 * the one a self-import is turning back into the object's export (see
 * drm_ph_prime_fd_to_handle(): it has created a handle and not yet set the
 * cache), with a new reference; else a new one. So the PRIME ioctls of any
 * number of files never give one object two dma-bufs. @flags only apply to a
 * new dma-buf. The object's fake mmap offset is created here so that dma-buf
 * mmaps can be placed in the device's address space.
 *
 * Locking: the caller holds &drm_device.object_name_lock, as the PRIME
 * ioctl does; takes &drm_ph_object.lock.
 *
 * Returns: the dma-buf, or an ERR_PTR(): -EINVAL for imported or foreign
 * objects, -ENOMEM, or what dma_buf_export() returns.
 */
struct dma_buf *drm_ph_gem_prime_export(struct drm_gem_object *obj, int flags)
{
	struct drm_ph_object *phobj = to_drm_ph_object(obj);
	struct drm_device *drm = obj->dev;
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct dma_buf *dma_buf;
	int ret;

	if (!drm_ph_is_object(obj) || obj->import_attach)
		return ERR_PTR(-EINVAL);
	lockdep_assert_held(&drm->object_name_lock);

	/* Both are referenced by someone else while set: safe to get. */
	if (obj->dma_buf) {
		get_dma_buf(obj->dma_buf);
		return obj->dma_buf;
	}
	mutex_lock(&phobj->lock);
	dma_buf = phobj->self_import;
	if (dma_buf)
		get_dma_buf(dma_buf);
	mutex_unlock(&phobj->lock);
	if (dma_buf)
		return dma_buf;

	ret = drm_gem_create_mmap_offset(obj);
	if (ret)
		return ERR_PTR(ret);

	exp_info.exp_name = drm->driver->name;
	/* The driver's module, not ours: the dma-buf pins the driver. */
	exp_info.owner = drm->driver->fops->owner;
	exp_info.ops = &drm_ph_dmabuf_ops;
	exp_info.size = obj->size;
	exp_info.flags = flags;
	exp_info.priv = obj;
	exp_info.resv = obj->resv;

	/* Not under the object's lock: the dma-buf core takes its own. */
	dma_buf = dma_buf_export(&exp_info);
	if (IS_ERR(dma_buf))
		return dma_buf;

	drm_dev_get(drm);
	drm_gem_object_get(obj);
	dma_buf->file->f_mapping = drm->anon_inode->i_mapping;

	mutex_lock(&phobj->lock);
	phobj->export = dma_buf;
	/* Exported objects are never purged. */
	drm_ph_reclaim_update(phobj, false);
	mutex_unlock(&phobj->lock);
	drm_ph_stat_inc(DRM_PH_STAT_DMA_BUFS);
	return dma_buf;
}
EXPORT_SYMBOL_NS_GPL(drm_ph_gem_prime_export, DRM_PRIME_HELPERS);

/* The exporting object itself, with a new reference, if @dma_buf is @drm's own. */
static struct drm_gem_object *drm_ph_self_import(struct drm_device *drm, struct dma_buf *dma_buf)
{
	struct drm_gem_object *obj;

	if (!drm_ph_is_own_dma_buf(dma_buf))
		return NULL;
	obj = dma_buf->priv;
	if (obj->dev != drm)
		return NULL;
	drm_gem_object_get(obj);
	return obj;
}

/**
 * drm_ph_gem_prime_import - &drm_driver.gem_prime_import of the library
 * @drm: importing device
 * @dma_buf: the dma-buf to import
 *
 * Self-import returns the exporting object itself; any other dma-buf is
 * attached with @drm's device, mapped, and turned into an object by
 * &drm_driver.gem_prime_import_sg_table (normally
 * drm_ph_shmem_prime_import_sg_table()). See the DOC section for the
 * references involved.
 *
 * Locking: none required; the PRIME ioctl holds its per-file lock.
 *
 * Returns: the object with a new reference, or an ERR_PTR(): -EINVAL if the
 * driver cannot import, or what attaching and mapping return.
 */
struct drm_gem_object *drm_ph_gem_prime_import(struct drm_device *drm,
					       struct dma_buf *dma_buf)
{
	struct dma_buf_attachment *attach;
	struct drm_gem_object *obj;
	struct sg_table *sgt;
	int ret;

	obj = drm_ph_self_import(drm, dma_buf);
	if (obj)
		return obj;

	if (!drm->driver->gem_prime_import_sg_table)
		return ERR_PTR(-EINVAL);

	attach = dma_buf_attach(dma_buf, drm->dev);
	if (IS_ERR(attach))
		return ERR_CAST(attach);

	/* Held by the new object, dropped when it is freed. */
	get_dma_buf(dma_buf);

	sgt = drm_ph_compat_map_attachment_unlocked(attach, DMA_BIDIRECTIONAL);
	if (IS_ERR(sgt)) {
		ret = PTR_ERR(sgt);
		goto err_detach;
	}

	obj = drm->driver->gem_prime_import_sg_table(drm, attach, sgt);
	if (IS_ERR(obj)) {
		ret = PTR_ERR(obj);
		goto err_unmap;
	}

	obj->import_attach = attach;
	obj->resv = dma_buf->resv;
	return obj;

err_unmap:
	drm_ph_compat_unmap_attachment_unlocked(attach, sgt, DMA_BIDIRECTIONAL);
err_detach:
	dma_buf_detach(dma_buf, attach);
	dma_buf_put(dma_buf);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_NS_GPL(drm_ph_gem_prime_import, DRM_PRIME_HELPERS);

/*
 * Under the reservation lock, from the exporter, which is about to move the
 * pages: the mapping goes at once, and the driver makes it again on its next
 * use. The exporter may call this from memory reclaim: it must not allocate
 * nor take any other lock of ours.
 */
static void drm_ph_import_move_notify(struct dma_buf_attachment *attach)
{
	struct drm_ph_object *phobj = attach->importer_priv;

	dma_resv_assert_held(attach->dmabuf->resv);
	/* Still being imported (which holds the lock until it sets this): nothing mapped yet. */
	if (!phobj || !phobj->import_sgt)
		return;
	dma_buf_unmap_attachment(attach, phobj->import_sgt, DMA_BIDIRECTIONAL);
	phobj->import_sgt = NULL;
}

static const struct dma_buf_attach_ops drm_ph_import_attach_ops = {
	.allow_peer2peer = false,
	.move_notify = drm_ph_import_move_notify,
};

/**
 * drm_ph_gem_prime_import_dynamic - &drm_driver.gem_prime_import, without pinning
 * @drm: importing device, whose &drm_driver.gem_prime_import_sg_table is
 *       drm_ph_shmem_prime_import_sg_table()
 * @dma_buf: the dma-buf to import
 *
 * As drm_ph_gem_prime_import(), but attaches as a dynamic importer: an
 * exporter that can move its pages may do so while the import lives, after
 * telling it (move_notify), which drops the import's mapping. The driver
 * must get the mapping with drm_ph_import_pin_sgt() before each device job
 * and end the job with drm_ph_import_unpin_sgt(). See the DOC section.
 *
 * Locking: takes the dma-buf's reservation lock.
 *
 * Returns: the object with a new reference, or an ERR_PTR(): -EINVAL if the
 * driver imports another way, or what attaching and mapping return.
 */
struct drm_gem_object *drm_ph_gem_prime_import_dynamic(struct drm_device *drm,
						       struct dma_buf *dma_buf)
{
	struct dma_buf_attachment *attach;
	struct drm_gem_object *obj;
	struct sg_table *sgt;
	int ret;

	obj = drm_ph_self_import(drm, dma_buf);
	if (obj)
		return obj;

	/* Its objects must re-map: the library's imports do. */
	if (drm->driver->gem_prime_import_sg_table != drm_ph_shmem_prime_import_sg_table)
		return ERR_PTR(-EINVAL);

	attach = dma_buf_dynamic_attach(dma_buf, drm->dev, &drm_ph_import_attach_ops, NULL);
	if (IS_ERR(attach))
		return ERR_CAST(attach);

	/* Held by the new object, dropped when it is freed. */
	get_dma_buf(dma_buf);

	/*
	 * Mapped and published under the lock that move_notify comes with.
	 * (Not shared with drm_ph_gem_prime_import(): a static import maps
	 * without that lock, because 6.1's core calls the exporter of a static
	 * importer without it, and such an exporter may take it itself.)
	 */
	dma_resv_lock(dma_buf->resv, NULL);
	sgt = dma_buf_map_attachment(attach, DMA_BIDIRECTIONAL);
	if (IS_ERR(sgt)) {
		ret = PTR_ERR(sgt);
		goto err_unlock;
	}
	obj = drm_ph_shmem_prime_import_sg_table(drm, attach, sgt);
	if (IS_ERR(obj)) {
		ret = PTR_ERR(obj);
		goto err_unmap;
	}
	obj->import_attach = attach;
	attach->importer_priv = to_drm_ph_object(obj);
	dma_resv_unlock(dma_buf->resv);
	return obj;

err_unmap:
	dma_buf_unmap_attachment(attach, sgt, DMA_BIDIRECTIONAL);
err_unlock:
	dma_resv_unlock(dma_buf->resv);
	dma_buf_detach(dma_buf, attach);
	dma_buf_put(dma_buf);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_NS_GPL(drm_ph_gem_prime_import_dynamic, DRM_PRIME_HELPERS);

/**
 * drm_ph_import_pin_sgt - the mapping of an imported object, held for a device job
 * @phobj: an object of drm_ph_gem_prime_import() or
 *         drm_ph_gem_prime_import_dynamic()
 *
 * A static import keeps the mapping it was created with. A dynamic one loses
 * it to the exporter's move_notify: it is made again here, and the
 * exporter's pages are pinned (dma_buf_pin()) until
 * drm_ph_import_unpin_sgt(), so that the job needs no lock meanwhile.
 *
 * Locking: takes the object's reservation lock, interruptibly.
 *
 * Returns: the table, mapped ``DMA_BIDIRECTIONAL`` for the object's device,
 * or an ERR_PTR(): -EINVAL for an object that is not an import, -EINTR, or
 * what mapping and pinning return.
 */
struct sg_table *drm_ph_import_pin_sgt(struct drm_ph_object *phobj)
{
	struct dma_buf_attachment *attach = phobj->base.import_attach;
	struct sg_table *sgt;
	int ret;

	if (phobj->store != DRM_PH_STORE_IMPORT || !attach)
		return ERR_PTR(-EINVAL);
	ret = dma_resv_lock_interruptible(phobj->base.resv, NULL);
	if (ret)
		return ERR_PTR(ret);
	/*
	 * Pinned first: an exporter may move the pages to pin them, telling
	 * us (which drops the mapping); the mapping made or kept after that
	 * stays. A static import is pinned already, or its exporter never
	 * moves.
	 */
	if (dma_buf_attachment_is_dynamic(attach)) {
		ret = dma_buf_pin(attach);
		if (ret)
			goto out_unlock;
	}
	sgt = phobj->import_sgt;
	if (!sgt) {
		sgt = dma_buf_map_attachment(attach, DMA_BIDIRECTIONAL);
		if (IS_ERR(sgt)) {
			ret = PTR_ERR(sgt);
			if (dma_buf_attachment_is_dynamic(attach))
				dma_buf_unpin(attach);
			goto out_unlock;
		}
		phobj->import_sgt = sgt;
	}
	dma_resv_unlock(phobj->base.resv);
	return sgt;

out_unlock:
	dma_resv_unlock(phobj->base.resv);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_NS_GPL(drm_ph_import_pin_sgt, DRM_PRIME_HELPERS);

/**
 * drm_ph_import_unpin_sgt - end a device job on an imported object
 * @phobj: an object whose drm_ph_import_pin_sgt() succeeded
 *
 * The exporter may move the pages again (telling the import first).
 *
 * Locking: takes the object's reservation lock.
 */
void drm_ph_import_unpin_sgt(struct drm_ph_object *phobj)
{
	struct dma_buf_attachment *attach = phobj->base.import_attach;

	if (WARN_ON_ONCE(phobj->store != DRM_PH_STORE_IMPORT || !attach))
		return;
	if (!dma_buf_attachment_is_dynamic(attach))
		return;
	dma_resv_lock(phobj->base.resv, NULL);
	dma_buf_unpin(attach);
	dma_resv_unlock(phobj->base.resv);
}
EXPORT_SYMBOL_NS_GPL(drm_ph_import_unpin_sgt, DRM_PRIME_HELPERS);
