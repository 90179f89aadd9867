// SPDX-License-Identifier: GPL-2.0
/*
 * Per-device state of the PRIME helpers: the registry of live objects that
 * debugfs lists and eviction walks.
 */

/**
 * DOC: devices
 *
 * A driver embeds &struct drm_ph_device, which embeds its &drm_device, and
 * calls drm_ph_device_init() once after allocating it. The library then
 * keeps every object it creates for that device in &drm_ph_device.objects,
 * under a per-device id. The registry holds no reference: an object enters it
 * when it is created and leaves it first thing in its free callback, under
 * &drm_ph_device.objects_lock, so whoever holds that lock may use every
 * object it finds without taking a reference. The registry is torn down with
 * the &drm_device (a drmm action); by then every object is gone, because each
 * object holds a reference on its device through the GEM core.
 */

#include <linux/mutex.h>
#include <linux/xarray.h>

#include <drm/drm_managed.h>
#include <drm/drm_ph.h>

#include "drm_ph_internal.h"

static void drm_ph_device_fini(struct drm_device *drm, void *data)
{
	struct drm_ph_device *phdev = data;

	drm_WARN_ON(drm, !xa_empty(&phdev->objects));
	xa_destroy(&phdev->objects);
	mutex_destroy(&phdev->objects_lock);
}

/**
 * drm_ph_device_init - set up the PRIME helper state of a device
 * @phdev: the device, allocated with its embedded &drm_device
 *
 * Call once, after drm_dev_alloc()/devm_drm_dev_alloc() and before
 * drm_dev_register(). The state is released with the &drm_device.
 *
 * Locking: none; the device is not visible yet.
 *
 * Returns: 0 or a negative errno (only -ENOMEM).
 */
int drm_ph_device_init(struct drm_ph_device *phdev)
{
	int ret;

	mutex_init(&phdev->objects_lock);
	xa_init_flags(&phdev->objects, XA_FLAGS_ALLOC1);
	phdev->next_id = 1;
	ret = drmm_add_action_or_reset(&phdev->drm, drm_ph_device_fini, phdev);
	if (ret)
		return ret;
	return drm_ph_reclaim_init(phdev);
}
EXPORT_SYMBOL_NS_GPL(drm_ph_device_init, DRM_PRIME_HELPERS);

/* Give a finished object its id and list it; it must not be visible yet. */
int drm_ph_device_add_object(struct drm_ph_object *phobj)
{
	struct drm_ph_device *phdev = to_drm_ph_device(phobj->base.dev);
	u32 id;
	int ret;

	/*
	 * The id is set only on success: a failed allocation may have written
	 * one that another object gets next, and this object's free must not
	 * unlist that one.
	 */
	mutex_lock(&phdev->objects_lock);
	ret = xa_alloc_cyclic(&phdev->objects, &id, phobj, xa_limit_32b, &phdev->next_id,
			      GFP_KERNEL);
	if (ret >= 0)
		phobj->id = id;
	mutex_unlock(&phdev->objects_lock);
	return ret < 0 ? ret : 0;
}

/* Unlist an object that is being freed; waits for listings and evictions. */
void drm_ph_device_remove_object(struct drm_ph_object *phobj)
{
	struct drm_ph_device *phdev = to_drm_ph_device(phobj->base.dev);

	/* Objects whose creation failed before they were published have none. */
	if (!phobj->id)
		return;
	mutex_lock(&phdev->objects_lock);
	xa_erase(&phdev->objects, phobj->id);
	mutex_unlock(&phdev->objects_lock);
}

/**
 * drm_ph_device_evict - evict every evictable object of a device
 * @phdev: the device
 *
 * Runs drm_ph_shmem_evict() on every object of @phdev: the CPU mappings of
 * unpinned, unmapped objects are shot down and their pages go back to shmem.
 * This is what the ph_evict debugfs file does.
 *
 * Locking: takes &drm_ph_device.objects_lock, and drops it to evict each
 * object (see drm_ph_shmem_evict()).
 *
 * Returns: the number of objects whose pages were released.
 */
unsigned int drm_ph_device_evict(struct drm_ph_device *phdev)
{
	struct drm_ph_object *phobj;
	unsigned int evicted = 0;
	unsigned long id;

	mutex_lock(&phdev->objects_lock);
	xa_for_each(&phdev->objects, id, phobj) {
		/*
		 * Evicted without the registry's lock: eviction takes the
		 * reservation lock, under which imports create objects. The
		 * walk resumes after @id, whatever came and went meanwhile.
		 */
		if (!kref_get_unless_zero(&phobj->base.refcount))
			continue;
		mutex_unlock(&phdev->objects_lock);
		if (drm_ph_shmem_evict(phobj))
			evicted++;
		drm_gem_object_put(&phobj->base);
		cond_resched();
		mutex_lock(&phdev->objects_lock);
	}
	mutex_unlock(&phdev->objects_lock);
	return evicted;
}
EXPORT_SYMBOL_NS_GPL(drm_ph_device_evict, DRM_PRIME_HELPERS);
