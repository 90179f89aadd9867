// SPDX-License-Identifier: GPL-2.0
/*
 * DRM_IOCTL_PH_EDU_CREATE: an object of either backing store the library
 * offers, chosen per object by the caller.
 */

#include <drm/drm_file.h>
#include <drm/drm_gem.h>

#include <uapi/drm/ph_edu_drm.h>

#include "ph_edu.h"

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

	if (args->flags & PH_EDU_CREATE_CONTIGUOUS)
		phobj = drm_ph_dma_create(drm, args->size);
	else
		phobj = drm_ph_shmem_create(drm, args->size);
	if (IS_ERR(phobj))
		return PTR_ERR(phobj);

	ret = drm_gem_handle_create(file, &phobj->base, &args->handle);
	/* The handle holds the object now, or nothing does. */
	drm_gem_object_put(&phobj->base);
	return ret;
}
