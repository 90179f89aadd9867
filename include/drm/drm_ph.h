/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __DRM_PH_H__
#define __DRM_PH_H__

/*
 * Public API of the PRIME helper library (module prime_helpers). Every symbol
 * carries the drm_ph_ prefix and is exported in the DRM_PRIME_HELPERS
 * namespace, so nothing clashes with what drm.ko or drm_shmem_helper.ko
 * export.
 *
 * A driver using the library:
 *
 * - embeds &struct drm_ph_device (which itself embeds the &drm_device) in its
 *   device structure and calls drm_ph_device_init() after allocating it;
 * - gives every &drm_file a &struct drm_ph_file, either through the default
 *   drm_ph_open()/drm_ph_postclose() hooks or by embedding one in its own
 *   per-file structure and calling drm_ph_file_init()/drm_ph_file_fini();
 * - creates its buffers with drm_ph_shmem_create() (see drm_ph_shmem.h) or,
 *   for devices that need contiguous memory, drm_ph_dma_create() (see
 *   drm_ph_dma.h);
 * - fills its &drm_driver with DRM_PH_DRIVER_OPS (or
 *   DRM_PH_DRIVER_OPS_WITH_FILE() when it has its own per-file state, or
 *   DRM_PH_DRIVER_OPS_WITH_IMPORT() when it imports its own way).
 */

#include <linux/mutex.h>
#include <linux/rhashtable-types.h>
#include <linux/types.h>
#include <linux/xarray.h>

#include <drm/drm_device.h>
#include <drm/drm_file.h>

struct dma_buf;
struct drm_gem_object;
struct drm_minor;
struct drm_ph_object;
struct drm_ph_reclaim;

#define DRM_PH_ABI_VERSION 7

unsigned int drm_ph_abi_version(void);

/**
 * struct drm_ph_device - a DRM device driven through the PRIME helpers
 * @drm: the DRM device; drivers allocate the whole structure with
 *       devm_drm_dev_alloc() (or embed it in theirs) so the library can get
 *       back from a &drm_device to its own state with to_drm_ph_device()
 * @objects_lock: serialises @objects against the debugfs listing and
 *                eviction; an object is removed under it before being freed,
 *                so a holder may use every object it finds there
 * @objects: live library objects of this device, indexed by their per-device
 *           id: allocated cyclically from 1, so an id comes back only
 *           after the 32-bit sequence wraps, and never while its first
 *           holder is listed; objects are listed only once fully made
 * @next_id: cursor of the id sequence, protected by @objects_lock
 * @reclaim: the device's evictable objects and its shrinker (private to the
 *           library; see "reclaim")
 */
struct drm_ph_device {
	struct drm_device drm;
	struct mutex objects_lock; /* see above */
	struct xarray objects;
	u32 next_id;
	struct drm_ph_reclaim *reclaim;
};

static inline struct drm_ph_device *to_drm_ph_device(struct drm_device *drm)
{
	return container_of(drm, struct drm_ph_device, drm);
}

int drm_ph_device_init(struct drm_ph_device *phdev);

/**
 * struct drm_ph_file - per-file state of the PRIME helpers
 * @lock: serialises every use of both indexes; taken before
 *        &drm_device.object_name_lock
 * @by_dmabuf: cache entries hashed by dma-buf (several may share one)
 * @by_handle: the same entries indexed by handle
 * @next_seq: age stamp of the next entry, protected by @lock
 * @client_id: the file's drm-client-id in fdinfo (the core's where it has
 *             one), set once at open
 *
 * The two indexes form the file's two-way PRIME cache: a dma-buf imported or
 * exported through this file maps to the handle that was used for it, and a
 * handle maps back to its dma-buf, both in constant time. Every entry holds
 * a reference on its dma-buf and dies with its handle.
 */
struct drm_ph_file {
	struct mutex lock; /* serialises the indexes' users */
	struct rhltable by_dmabuf;
	struct xarray by_handle;
	u32 next_seq;
	u64 client_id;
};

/**
 * to_drm_ph_file - the PRIME helper state of a DRM file
 * @file: DRM file set up with drm_ph_file_init()
 *
 * Returns: the &struct drm_ph_file that &drm_file.driver_priv points at.
 */
static inline struct drm_ph_file *to_drm_ph_file(struct drm_file *file)
{
	return file->driver_priv;
}

void drm_ph_file_init(struct drm_file *file, struct drm_ph_file *pfile);
void drm_ph_file_fini(struct drm_ph_file *pfile);
int drm_ph_open(struct drm_device *drm, struct drm_file *file);
void drm_ph_postclose(struct drm_device *drm, struct drm_file *file);

int drm_ph_prime_handle_to_fd(struct drm_device *drm, struct drm_file *file,
			      u32 handle, u32 flags, int *prime_fd);
int drm_ph_prime_fd_to_handle(struct drm_device *drm, struct drm_file *file,
			      int prime_fd, u32 *handle);
void drm_ph_prime_handle_closed(struct drm_gem_object *obj, struct drm_file *file);

struct dma_buf *drm_ph_gem_prime_export(struct drm_gem_object *obj, int flags);
struct drm_gem_object *drm_ph_gem_prime_import(struct drm_device *drm,
					       struct dma_buf *dma_buf);
struct drm_gem_object *drm_ph_gem_prime_import_dynamic(struct drm_device *drm,
						       struct dma_buf *dma_buf);
struct sg_table *drm_ph_import_pin_sgt(struct drm_ph_object *phobj);
void drm_ph_import_unpin_sgt(struct drm_ph_object *phobj);
bool drm_ph_is_own_dma_buf(struct dma_buf *dma_buf);

void drm_ph_debugfs_init(struct drm_minor *minor);

/**
 * DRM_PH_DRIVER_OPS_WITH_IMPORT - &drm_driver hooks, with a driver's import
 * @open_fn: the driver's &drm_driver.open; it must call drm_ph_file_init()
 *           (or be drm_ph_open())
 * @postclose_fn: the driver's &drm_driver.postclose; it must call
 *                drm_ph_file_fini() (or be drm_ph_postclose())
 * @import_fn: &drm_driver.gem_prime_import: drm_ph_gem_prime_import(), or a
 *             driver function that checks what it must and then calls it
 * @import_sg_fn: &drm_driver.gem_prime_import_sg_table:
 *                drm_ph_shmem_prime_import_sg_table() for devices that take
 *                any sg table, drm_ph_dma_prime_import_sg_table() for devices
 *                that need contiguous buffers, or a driver function that
 *                chooses between them
 *
 * The most general form of the wiring; the two below are shorthands for it.
 */
#define DRM_PH_DRIVER_OPS_WITH_IMPORT(open_fn, postclose_fn, import_fn, import_sg_fn) \
	.open = (open_fn), \
	.postclose = (postclose_fn), \
	.prime_handle_to_fd = drm_ph_prime_handle_to_fd, \
	.prime_fd_to_handle = drm_ph_prime_fd_to_handle, \
	.gem_prime_import = (import_fn), \
	.gem_prime_import_sg_table = (import_sg_fn), \
	.dumb_create = drm_ph_shmem_dumb_create, \
	.dumb_map_offset = drm_ph_shmem_dumb_map_offset, \
	.debugfs_init = drm_ph_debugfs_init

/**
 * DRM_PH_DRIVER_OPS_WITH_FILE - &drm_driver hooks of the PRIME helpers
 * @open_fn: the driver's &drm_driver.open; it must call drm_ph_file_init()
 * @postclose_fn: the driver's &drm_driver.postclose; it must call
 *                drm_ph_file_fini()
 *
 * For drivers with per-file state of their own: they embed a
 * &struct drm_ph_file in it and hand it to drm_ph_file_init().
 */
#define DRM_PH_DRIVER_OPS_WITH_FILE(open_fn, postclose_fn) \
	DRM_PH_DRIVER_OPS_WITH_IMPORT(open_fn, postclose_fn, drm_ph_gem_prime_import, \
				      drm_ph_shmem_prime_import_sg_table)

/**
 * DRM_PH_DRIVER_OPS - wire the PRIME helpers into a &drm_driver in one line
 *
 * Fills the PRIME ioctls (with the library's per-file cache), dma-buf import,
 * dumb buffers on the library's shmem objects, the per-file open/close hooks
 * and the library's debugfs files.
 */
#define DRM_PH_DRIVER_OPS DRM_PH_DRIVER_OPS_WITH_FILE(drm_ph_open, drm_ph_postclose)

#include <drm/drm_ph_shmem.h>
#include <drm/drm_ph_dma.h>

#endif /* __DRM_PH_H__ */
