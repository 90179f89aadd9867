// SPDX-License-Identifier: GPL-2.0
/*
 * The PRIME ioctls (HANDLE_TO_FD, FD_TO_HANDLE) and the per-file two-way
 * handle <-> dma-buf cache behind them.
 */

/**
 * DOC: per-file PRIME cache
 *
 * Userspace must get one handle per buffer in a file: importing a dma-buf
 * that the file already imported or exported must give back the same handle,
 * and exporting a handle twice, or exporting an imported buffer, must give
 * back the same dma-buf. Each &struct drm_ph_file therefore keeps entries
 * (dma-buf, handle) indexed both ways: a hash table (rhltable) keyed by
 * dma-buf, and an xarray keyed by handle (handles are small dense integers).
 * Both directions are looked up in constant time however many buffers the
 * file holds: a lookup touches a bucket and an entry, or three xarray nodes,
 * where a balanced tree of 32768 entries touches some fifteen nodes scattered
 * over memory. An entry is 32 bytes. When one dma-buf has several entries (a
 * flink-opened handle exported next to an imported one), an import answers
 * with the oldest, as the core's own cache does.
 *
 * References: an entry holds a reference on its dma-buf, so its key cannot be
 * freed and reused while the entry exists. It holds nothing on the object;
 * the handle does, and the entry dies with the handle: the core calls
 * &drm_gem_object_funcs.close (drm_ph_prime_handle_closed()) for every handle
 * it releases. That hook does not say which handle, and one dma-buf may have
 * several handles in a file (GEM_OPEN of a flink name creates new ones), so
 * it evicts the entries of the object's dma-buf whose handle no longer
 * resolves: GEM_CLOSE clears the handle's slot before calling the hook. When
 * the whole file is closed, the slots are still set while the hooks run and
 * the remaining entries go in drm_ph_file_fini() from &drm_driver.postclose.
 *
 * Locking: &drm_ph_file.lock serialises both indexes and is held across each
 * ioctl, and the close hook takes it for every handle it is called for,
 * exported or not: so a handle closed between the lookup of its object and
 * the insertion of its entry has its hook wait for the ioctl, and then
 * remove that entry. It
 * nests outside &drm_device.object_name_lock, under which the object's
 * export cache (&drm_gem_object.dma_buf) is read and set.
 */

#include <linux/dma-buf.h>
#include <linux/file.h>
#include <linux/idr.h>
#include <linux/rcupdate.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include <drm/drm_device.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_ph.h>

#include "drm_ph_compat.h"
#include "drm_ph_internal.h"

/**
 * struct drm_ph_cache_entry - one (dma-buf, handle) pair of a file
 * @dma_buf: the dma-buf, referenced by the entry; key of &drm_ph_file.by_dmabuf
 * @handle: the handle in the file; index in &drm_ph_file.by_handle
 * @seq: age stamp, orders the entries of one dma-buf (compared modulo 2^32:
 *       entries of one dma-buf are never 2^31 insertions apart in practice)
 * @dmabuf_node: node in &drm_ph_file.by_dmabuf (several per key)
 */
struct drm_ph_cache_entry {
	struct dma_buf *dma_buf;
	u32 handle;
	u32 seq;
	struct rhlist_head dmabuf_node;
};

static const struct rhashtable_params drm_ph_by_dmabuf_params = {
	.key_len = sizeof(struct dma_buf *),
	.key_offset = offsetof(struct drm_ph_cache_entry, dma_buf),
	.head_offset = offsetof(struct drm_ph_cache_entry, dmabuf_node),
	.automatic_shrinking = true,
};

static bool drm_ph_entry_older(const struct drm_ph_cache_entry *a,
			       const struct drm_ph_cache_entry *b)
{
	return (s32)(a->seq - b->seq) < 0;
}

/*
 * The oldest entry of @dma_buf, or NULL. Every lookup, insertion and removal
 * runs under &drm_ph_file.lock; the RCU read section is what the hash
 * table's lookup asks for, since it may be resizing in the background. As
 * no lookup ever runs concurrently with a removal, entries are freed at once.
 */
static struct drm_ph_cache_entry *drm_ph_cache_first_by_dmabuf(struct drm_ph_file *pfile,
							       struct dma_buf *dma_buf)
{
	struct drm_ph_cache_entry *entry, *found = NULL;
	struct rhlist_head *list, *pos;

	lockdep_assert_held(&pfile->lock);

	rcu_read_lock();
	list = rhltable_lookup(&pfile->by_dmabuf, &dma_buf, drm_ph_by_dmabuf_params);
	rhl_for_each_entry_rcu(entry, pos, list, dmabuf_node)
		if (!found || drm_ph_entry_older(entry, found))
			found = entry;
	rcu_read_unlock();
	return found;
}

static struct drm_ph_cache_entry *drm_ph_cache_find_handle(struct drm_ph_file *pfile, u32 handle)
{
	lockdep_assert_held(&pfile->lock);

	return xa_load(&pfile->by_handle, handle);
}

static int drm_ph_cache_add(struct drm_ph_file *pfile, struct dma_buf *dma_buf, u32 handle)
{
	struct drm_ph_cache_entry *entry;
	int ret;

	lockdep_assert_held(&pfile->lock);

	entry = kmalloc(sizeof(*entry), GFP_KERNEL);
	if (!entry)
		return -ENOMEM;

	entry->dma_buf = dma_buf;
	entry->handle = handle;
	entry->seq = pfile->next_seq++;
	ret = xa_insert(&pfile->by_handle, handle, entry, GFP_KERNEL);
	if (ret)
		goto err_free;
	ret = rhltable_insert(&pfile->by_dmabuf, &entry->dmabuf_node, drm_ph_by_dmabuf_params);
	if (ret) {
		xa_erase(&pfile->by_handle, handle);
		goto err_free;
	}
	get_dma_buf(dma_buf);
	drm_ph_stat_inc(DRM_PH_STAT_CACHE_ENTRIES);
	return 0;

err_free:
	kfree(entry);
	/*
	 * The handle has an entry already (-EBUSY: the callers look first, so
	 * never), or a table could not grow (-ENOMEM, or -EBUSY mid-resize):
	 * out of memory either way.
	 */
	return -ENOMEM;
}

static void drm_ph_cache_remove(struct drm_ph_file *pfile, struct drm_ph_cache_entry *entry)
{
	lockdep_assert_held(&pfile->lock);

	rhltable_remove(&pfile->by_dmabuf, &entry->dmabuf_node, drm_ph_by_dmabuf_params);
	xa_erase(&pfile->by_handle, entry->handle);
	dma_buf_put(entry->dma_buf);
	kfree(entry);
	drm_ph_stat_dec(DRM_PH_STAT_CACHE_ENTRIES);
}

static bool drm_ph_handle_resolves(struct drm_file *file, u32 handle)
{
	bool resolves;

	spin_lock(&file->table_lock);
	resolves = idr_find(&file->object_idr, handle);
	spin_unlock(&file->table_lock);
	return resolves;
}

/* An entry of @dma_buf whose handle no longer resolves in @file, or NULL. */
static struct drm_ph_cache_entry *drm_ph_cache_stale_entry(struct drm_file *file,
							   struct drm_ph_file *pfile,
							   struct dma_buf *dma_buf)
{
	struct drm_ph_cache_entry *entry, *stale = NULL;
	struct rhlist_head *list, *pos;

	lockdep_assert_held(&pfile->lock);

	rcu_read_lock();
	list = rhltable_lookup(&pfile->by_dmabuf, &dma_buf, drm_ph_by_dmabuf_params);
	rhl_for_each_entry_rcu(entry, pos, list, dmabuf_node) {
		if (!drm_ph_handle_resolves(file, entry->handle)) {
			stale = entry;
			break;
		}
	}
	rcu_read_unlock();
	return stale;
}

/* The one dma-buf every cache entry of this object refers to, if any. */
static struct dma_buf *drm_ph_object_dma_buf(struct drm_gem_object *obj)
{
	struct drm_ph_object *phobj = to_drm_ph_object(obj);
	struct dma_buf *dma_buf;

	if (obj->import_attach)
		return obj->import_attach->dmabuf;

	mutex_lock(&phobj->lock);
	dma_buf = phobj->export;
	mutex_unlock(&phobj->lock);
	return dma_buf;
}

/**
 * drm_ph_prime_handle_closed - &drm_gem_object_funcs.close of library objects
 * @obj: object one of whose handles in @file is being released
 * @file: the DRM file
 *
 * Evicts the @file cache entries of @obj's dma-buf whose handle is gone (see
 * the DOC section). An object has at most one live dma-buf: its export, or
 * the dma-buf it was imported from, so only that key is searched.
 *
 * Locking: takes &drm_ph_file.lock and &drm_file.table_lock; the caller (the
 * GEM core) holds neither.
 */
void drm_ph_prime_handle_closed(struct drm_gem_object *obj, struct drm_file *file)
{
	struct drm_ph_file *pfile = to_drm_ph_file(file);
	struct drm_ph_cache_entry *entry;
	struct dma_buf *dma_buf;

	if (!pfile)
		return;

	/*
	 * Even an object that was never exported: a HANDLE_TO_FD of this very
	 * handle may be between its lookup and its insertion, about to create
	 * the export and an entry for a handle that is already gone. Waiting
	 * for the lock waits for it, and then its entry is found here.
	 *
	 * The weak export pointer may go stale right after it is read, but
	 * then no entry holds that dma-buf any more: it is only compared,
	 * never dereferenced.
	 */
	mutex_lock(&pfile->lock);
	dma_buf = drm_ph_object_dma_buf(obj);
	while (dma_buf && (entry = drm_ph_cache_stale_entry(file, pfile, dma_buf)))
		drm_ph_cache_remove(pfile, entry);
	mutex_unlock(&pfile->lock);
}
EXPORT_SYMBOL_NS_GPL(drm_ph_prime_handle_closed, DRM_PRIME_HELPERS);

/**
 * drm_ph_file_init - set up the PRIME helper state of a new DRM file
 * @file: the DRM file, from &drm_driver.open
 * @pfile: state to initialise, usually embedded in the driver's own per-file
 *         structure
 *
 * Points &drm_file.driver_priv at @pfile: drivers find their own structure
 * from there with container_of().
 *
 * Locking: none; the file is not visible yet.
 */
void drm_ph_file_init(struct drm_file *file, struct drm_ph_file *pfile)
{
	mutex_init(&pfile->lock);
	/* Only invalid parameters fail: the first table is allocated __GFP_NOFAIL. */
	WARN_ON(rhltable_init(&pfile->by_dmabuf, &drm_ph_by_dmabuf_params));
	xa_init(&pfile->by_handle);
	pfile->next_seq = 0;
	pfile->client_id = drm_ph_fdinfo_client_id(file);
	file->driver_priv = pfile;
}
EXPORT_SYMBOL_NS_GPL(drm_ph_file_init, DRM_PRIME_HELPERS);

static void drm_ph_cache_entry_free(void *ptr, void *unused)
{
	struct drm_ph_cache_entry *entry = ptr;

	dma_buf_put(entry->dma_buf);
	kfree(entry);
	drm_ph_stat_dec(DRM_PH_STAT_CACHE_ENTRIES);
}

/**
 * drm_ph_file_fini - release the PRIME helper state of a DRM file
 * @pfile: state set up by drm_ph_file_init()
 *
 * Drops the cache entries left when the file's handles were released at
 * close, with their dma-buf references. Call from &drm_driver.postclose,
 * which runs after the core released the handles.
 *
 * Locking: none; the file is gone.
 */
void drm_ph_file_fini(struct drm_ph_file *pfile)
{
	/* Every entry is in both indexes: free them once, with the table. */
	xa_destroy(&pfile->by_handle);
	rhashtable_free_and_destroy(&pfile->by_dmabuf.ht, drm_ph_cache_entry_free, NULL);
	mutex_destroy(&pfile->lock);
}
EXPORT_SYMBOL_NS_GPL(drm_ph_file_fini, DRM_PRIME_HELPERS);

/**
 * drm_ph_open - default &drm_driver.open of DRM_PH_DRIVER_OPS
 * @drm: device
 * @file: new file
 *
 * Allocates the file's &struct drm_ph_file (its handle and dma-buf cache)
 * and sets it up with drm_ph_file_init(). A driver with per-file state of
 * its own embeds &struct drm_ph_file in it and calls drm_ph_file_init()
 * from its own open instead (and drm_ph_file_fini() from its postclose).
 *
 * Locking: none.
 *
 * Returns: 0 or -ENOMEM.
 */
int drm_ph_open(struct drm_device *drm, struct drm_file *file)
{
	struct drm_ph_file *pfile;

	pfile = kzalloc(sizeof(*pfile), GFP_KERNEL);
	if (!pfile)
		return -ENOMEM;
	drm_ph_file_init(file, pfile);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(drm_ph_open, DRM_PRIME_HELPERS);

/**
 * drm_ph_postclose - default &drm_driver.postclose of DRM_PH_DRIVER_OPS
 * @drm: device
 * @file: file being destroyed
 *
 * Releases what drm_ph_open() set up: drm_ph_file_fini() drops the cache
 * entries left after the core released the file's handles, with their
 * dma-buf references, then the structure is freed.
 *
 * Locking: none.
 */
void drm_ph_postclose(struct drm_device *drm, struct drm_file *file)
{
	struct drm_ph_file *pfile = to_drm_ph_file(file);

	drm_ph_file_fini(pfile);
	kfree(pfile);
}
EXPORT_SYMBOL_NS_GPL(drm_ph_postclose, DRM_PRIME_HELPERS);

static struct dma_buf *drm_ph_prime_handle_to_dmabuf(struct drm_device *drm,
						     struct drm_file *file, u32 handle,
						     u32 flags)
{
	struct drm_ph_file *pfile = to_drm_ph_file(file);
	struct drm_ph_cache_entry *entry;
	struct drm_gem_object *obj;
	struct dma_buf *dma_buf;
	int ret;

	mutex_lock(&pfile->lock);
	/*
	 * An entry lives as long as its handle: the close hook removes it
	 * under this lock before the handle's number can be reused. So a hit
	 * answers without looking the object up (a handle being closed right
	 * now still exports, as it would have a moment earlier).
	 */
	entry = drm_ph_cache_find_handle(pfile, handle);
	if (entry) {
		dma_buf = entry->dma_buf;
		get_dma_buf(dma_buf);
		goto out_unlock;
	}

	obj = drm_gem_object_lookup(file, handle);
	if (!obj) {
		dma_buf = ERR_PTR(-ENOENT);
		goto out_unlock;
	}

	mutex_lock(&drm->object_name_lock);
	if (obj->import_attach) {
		/* Re-export of an import: hand back the original dma-buf. */
		dma_buf = obj->import_attach->dmabuf;
		get_dma_buf(dma_buf);
	} else if (obj->dma_buf) {
		dma_buf = obj->dma_buf;
		get_dma_buf(dma_buf);
	} else if (!obj->handle_count) {
		/* The handle was closed under us: nobody would clear the cache. */
		dma_buf = ERR_PTR(-ENOENT);
	} else {
		dma_buf = obj->funcs->export ? obj->funcs->export(obj, flags) :
					       drm_ph_gem_prime_export(obj, flags);
		if (!IS_ERR(dma_buf)) {
			/* The core's export cache; its last handle close drops it. */
			obj->dma_buf = dma_buf;
			get_dma_buf(dma_buf);
		}
	}
	if (!IS_ERR(dma_buf)) {
		ret = drm_ph_cache_add(pfile, dma_buf, handle);
		if (ret) {
			dma_buf_put(dma_buf);
			dma_buf = ERR_PTR(ret);
		}
	}
	mutex_unlock(&drm->object_name_lock);
	drm_gem_object_put(obj);
out_unlock:
	mutex_unlock(&pfile->lock);
	return dma_buf;
}

/**
 * drm_ph_prime_handle_to_fd - &drm_driver.prime_handle_to_fd of the library
 * @drm: device
 * @file: DRM file owning @handle
 * @handle: handle to export
 * @flags: DRM_CLOEXEC and/or DRM_RDWR; anything else is -EINVAL
 * @prime_fd: returns the new dma-buf file descriptor
 *
 * Exports the object (or hands back its dma-buf: the cached export, or the
 * dma-buf an import came from) and installs a new descriptor for it.
 * DRM_CLOEXEC applies to the descriptor; DRM_RDWR decides whether the
 * dma-buf file is writable, and so whether it can be mmapped for writing,
 * when this call creates the dma-buf.
 *
 * Locking: takes &drm_ph_file.lock, then &drm_device.object_name_lock.
 *
 * Returns: 0, -EINVAL for bad flags, -ENOENT for an unknown handle, -EMFILE
 * when the descriptor table is full (checked before or after the handle,
 * as the running kernel's core does), or another negative errno.
 */
int drm_ph_prime_handle_to_fd(struct drm_device *drm, struct drm_file *file,
			      u32 handle, u32 flags, int *prime_fd)
{
	struct dma_buf *dma_buf;
	int fd = -1;

	if (flags & ~(DRM_CLOEXEC | DRM_RDWR))
		return -EINVAL;

	if (DRM_PH_COMPAT_FD_BEFORE_EXPORT) {
		fd = get_unused_fd_flags(flags);
		if (fd < 0)
			return fd;
	}

	dma_buf = drm_ph_prime_handle_to_dmabuf(drm, file, handle, flags);
	if (IS_ERR(dma_buf)) {
		if (fd >= 0)
			put_unused_fd(fd);
		return PTR_ERR(dma_buf);
	}

	if (fd < 0) {
		fd = get_unused_fd_flags(flags);
		if (fd < 0) {
			/*
			 * The cache entry stays: it belongs to the handle, and
			 * the handle's close removes it.
			 */
			dma_buf_put(dma_buf);
			return fd;
		}
	}

	fd_install(fd, dma_buf->file);
	*prime_fd = fd;
	return 0;
}
EXPORT_SYMBOL_NS_GPL(drm_ph_prime_handle_to_fd, DRM_PRIME_HELPERS);

/*
 * A self-import of @dma_buf, which the caller holds, is about to give @phobj
 * a handle: until drm_ph_self_import_end(), the export hook answers with
 * @dma_buf (see drm_ph_gem_prime_export()). Several files may self-import
 * the same dma-buf at once; an object's live dma-buf is only ever that one.
 */
static void drm_ph_self_import_begin(struct drm_ph_object *phobj, struct dma_buf *dma_buf)
{
	mutex_lock(&phobj->lock);
	WARN_ON_ONCE(phobj->self_imports && phobj->self_import != dma_buf);
	phobj->self_import = dma_buf;
	phobj->self_imports++;
	mutex_unlock(&phobj->lock);
}

static void drm_ph_self_import_end(struct drm_ph_object *phobj)
{
	mutex_lock(&phobj->lock);
	if (!WARN_ON_ONCE(!phobj->self_imports) && !--phobj->self_imports)
		phobj->self_import = NULL;
	mutex_unlock(&phobj->lock);
}

/**
 * drm_ph_prime_fd_to_handle - &drm_driver.prime_fd_to_handle of the library
 * @drm: device
 * @file: DRM file that gets the handle
 * @prime_fd: dma-buf file descriptor
 * @handle: returns the handle
 *
 * Returns the file's existing handle for the dma-buf if it has one;
 * otherwise imports it (&drm_driver.gem_prime_import, else
 * drm_ph_gem_prime_import()) and creates a handle.
 *
 * Locking: takes &drm_ph_file.lock, then &drm_device.object_name_lock.
 *
 * Returns: 0, -EBADF for a descriptor that is not open, -EINVAL for one that
 * is not a dma-buf, or what the import returns.
 */
int drm_ph_prime_fd_to_handle(struct drm_device *drm, struct drm_file *file,
			      int prime_fd, u32 *handle)
{
	struct drm_ph_file *pfile = to_drm_ph_file(file);
	struct drm_ph_cache_entry *entry;
	struct drm_gem_object *obj;
	struct dma_buf *dma_buf;
	bool self_import;
	int ret;

	dma_buf = dma_buf_get(prime_fd);
	if (IS_ERR(dma_buf))
		return PTR_ERR(dma_buf);

	mutex_lock(&pfile->lock);
	entry = drm_ph_cache_first_by_dmabuf(pfile, dma_buf);
	if (entry) {
		*handle = entry->handle;
		ret = 0;
		goto out_unlock;
	}

	if (drm->driver->gem_prime_import)
		obj = drm->driver->gem_prime_import(drm, dma_buf);
	else
		obj = drm_ph_gem_prime_import(drm, dma_buf);
	if (IS_ERR(obj)) {
		ret = PTR_ERR(obj);
		goto out_unlock;
	}

	self_import = drm_ph_is_own_dma_buf(dma_buf) && dma_buf->priv == obj;
	if (self_import)
		drm_ph_self_import_begin(to_drm_ph_object(obj), dma_buf);
	ret = drm_gem_handle_create(file, obj, handle);
	if (self_import || obj->import_attach) {
		/*
		 * Self-import: the dma-buf is this object's export, so it is
		 * the object's export cache again, as long as a handle keeps
		 * the core's side of the contract (it drops it with the last
		 * handle). Until it is set, the export hook answers with the
		 * dma-buf published by drm_ph_self_import_begin().
		 * An import holds the dma-buf it came from there too, as the
		 * core's import path does: fdinfo's shared memory counts by it.
		 */
		mutex_lock(&drm->object_name_lock);
		if (ret) {
			/* No handle was made. */
		} else if (obj->dma_buf) {
			WARN_ON_ONCE(obj->dma_buf != dma_buf);
		} else if (obj->handle_count) {
			get_dma_buf(dma_buf);
			obj->dma_buf = dma_buf;
		}
		if (self_import)
			drm_ph_self_import_end(to_drm_ph_object(obj));
		mutex_unlock(&drm->object_name_lock);
	}
	drm_gem_object_put(obj);
	if (ret)
		goto out_unlock;

	ret = drm_ph_cache_add(pfile, dma_buf, *handle);
	mutex_unlock(&pfile->lock);
	if (ret)
		/* Runs the close hook, which takes pfile->lock: not held here. */
		drm_gem_handle_delete(file, *handle);
	dma_buf_put(dma_buf);
	return ret;

out_unlock:
	mutex_unlock(&pfile->lock);
	dma_buf_put(dma_buf);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(drm_ph_prime_fd_to_handle, DRM_PRIME_HELPERS);
