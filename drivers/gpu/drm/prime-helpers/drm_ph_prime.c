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
 * An object has at most one live dma-buf. drm_ph_gem_prime_export() looks at
 * the weak pointer under &drm_ph_object.lock and hands out the live dma-buf
 * again, with a new reference, when there is one, whoever asks: the PRIME
 * ioctl of any file, or a driver calling the hook directly. Only a dma-buf
 * whose last reference is gone and whose release is still pending is
 * replaced, and a release clears the weak pointer only if it still points
 * at its own dma-buf.
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
 */

#include <linux/dma-buf.h>

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
 * Returns the object's dma-buf: the live one with a new reference if there is
 * one, else a new one. An object never has two live dma-bufs, whoever calls
 * this and whatever &drm_gem_object.dma_buf says at that moment (it is unset
 * for a while when a self-import gives a handle back to an object whose
 * handles were all closed). @flags only apply to a new dma-buf. The object's
 * fake mmap offset is created here so that dma-buf mmaps can be placed in the
 * device's address space.
 *
 * Locking: takes &drm_ph_object.lock; the PRIME ioctl calls it under
 * &drm_device.object_name_lock.
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

	ret = drm_gem_create_mmap_offset(obj);
	if (ret)
		return ERR_PTR(ret);

	/* Held across the export, so two callers cannot both create one. */
	mutex_lock(&phobj->lock);
	dma_buf = phobj->export;
	/*
	 * A dma-buf whose last reference is gone but whose release has not
	 * cleared the pointer yet (it needs this lock) is replaced; its
	 * release then leaves the new pointer alone.
	 */
	if (dma_buf && drm_ph_compat_get_file_unless_zero(dma_buf->file))
		goto out_unlock;

	exp_info.exp_name = drm->driver->name;
	/* The driver's module, not ours: the dma-buf pins the driver. */
	exp_info.owner = drm->driver->fops->owner;
	exp_info.ops = &drm_ph_dmabuf_ops;
	exp_info.size = obj->size;
	exp_info.flags = flags;
	exp_info.priv = obj;
	exp_info.resv = obj->resv;

	dma_buf = dma_buf_export(&exp_info);
	if (IS_ERR(dma_buf))
		goto out_unlock;

	drm_dev_get(drm);
	drm_gem_object_get(obj);
	dma_buf->file->f_mapping = drm->anon_inode->i_mapping;
	phobj->export = dma_buf;
	drm_ph_stat_inc(DRM_PH_STAT_DMA_BUFS);
out_unlock:
	mutex_unlock(&phobj->lock);
	return dma_buf;
}
EXPORT_SYMBOL_NS_GPL(drm_ph_gem_prime_export, DRM_PRIME_HELPERS);

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

	if (drm_ph_is_own_dma_buf(dma_buf)) {
		obj = dma_buf->priv;
		if (obj->dev == drm) {
			drm_gem_object_get(obj);
			return obj;
		}
	}

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
