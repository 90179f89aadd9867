// SPDX-License-Identifier: GPL-2.0
/*
 * DRM_IOCTL_PH_EDU_CREATE: an object of either backing store the library
 * offers, chosen per object by the caller.
 */

#include <linux/idr.h>
#include <linux/moduleparam.h>
#include <linux/spinlock.h>

#include <drm/drm_file.h>
#include <drm/drm_gem.h>

#include <uapi/drm/ph_edu_drm.h>

#include "ph_edu.h"

static unsigned int contiguous_mib_per_file = 256;
module_param(contiguous_mib_per_file, uint, 0644);
MODULE_PARM_DESC(contiguous_mib_per_file,
		 "MiB of DMA-contiguous objects one DRM file may hold handles to (0: no bound; default 256)");

/*
 * Bytes of DMA-contiguous objects of @drm that @file holds handles to. A walk
 * of the file's handles: creation of contiguous memory is rare and costly
 * next to it. An object with two handles in the file counts twice.
 */
static u64 ph_edu_contiguous_held(struct drm_device *drm, struct drm_file *file)
{
	struct drm_gem_object *obj;
	u64 held = 0;
	int handle;

	spin_lock(&file->table_lock);
	idr_for_each_entry(&file->object_idr, obj, handle)
		if (obj->dev == drm && drm_ph_is_object(obj) &&
		    to_drm_ph_object(obj)->store == DRM_PH_STORE_DMA)
			held += obj->size;
	spin_unlock(&file->table_lock);
	return held;
}

/*
 * Whether @file may hold @size more bytes of contiguous memory. Contiguous
 * blocks are charged to the creator's memory cgroup too; this bound keeps
 * one client from draining high-order memory even without a cgroup limit.
 * Two creates of one file racing may both pass: the excess is one object
 * each.
 */
static bool ph_edu_contiguous_allowed(struct drm_device *drm, struct drm_file *file, u64 size)
{
	u64 limit = (u64)READ_ONCE(contiguous_mib_per_file) << 20;

	return !limit || (size <= limit && ph_edu_contiguous_held(drm, file) <= limit - size);
}

/**
 * ph_edu_create_ioctl - DRM_IOCTL_PH_EDU_CREATE
 * @drm: the device
 * @data: &struct ph_edu_create
 * @file: the caller's DRM file, which gets the handle
 *
 * A shmem object is what a dumb buffer is; a contiguous one is allocated for
 * the edu device, within its 28-bit DMA mask (through the IOMMU when there
 * is one), so the engine reaches it in one segment. See &struct
 * ph_edu_create for the errors.
 *
 * Returns: 0 or a negative errno.
 */
int ph_edu_create_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct ph_edu_create *args = data;
	struct drm_ph_object *phobj;
	int ret;

	if (args->flags & ~PH_EDU_CREATE_CONTIGUOUS)
		return -EINVAL;
	/* Sizes that do not fit in size_t, or round up past it, as upstream's dumb create. */
	if (!args->size || args->size > SIZE_MAX - PAGE_SIZE)
		return -EINVAL;

	if (args->flags & PH_EDU_CREATE_CONTIGUOUS) {
		if (!ph_edu_contiguous_allowed(drm, file, PAGE_ALIGN(args->size)))
			return -ENOMEM;
		phobj = drm_ph_dma_create(drm, args->size);
	} else {
		phobj = drm_ph_shmem_create(drm, args->size);
	}
	if (IS_ERR(phobj))
		return PTR_ERR(phobj);

	ret = drm_gem_handle_create(file, &phobj->base, &args->handle);
	/* The handle holds the object now, or nothing does. */
	drm_gem_object_put(&phobj->base);
	return ret;
}
