// SPDX-License-Identifier: GPL-2.0
/*
 * drm_gem_shmem_pin_locked(): the shmem helper's &drm_gem_object_funcs.pin
 * calls it where the core calls the pin and unpin hooks with the object's
 * reservation lock held (drm_gem_pin() takes it).
 */
#include <drm/drm_gem_shmem_helper.h>

int drm_ph_probe(struct drm_gem_shmem_object *shmem);
int drm_ph_probe(struct drm_gem_shmem_object *shmem)
{
	return drm_gem_shmem_pin_locked(shmem);
}
