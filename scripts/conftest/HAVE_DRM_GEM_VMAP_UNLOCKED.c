// SPDX-License-Identifier: GPL-2.0
/*
 * drm_gem_vmap_unlocked(): where it exists, the core calls
 * &drm_gem_object_funcs.vmap, .pin and .unpin with the object's reservation
 * lock held.
 */
#include <drm/drm_gem.h>

int drm_ph_probe(struct drm_gem_object *obj, struct iosys_map *map);
int drm_ph_probe(struct drm_gem_object *obj, struct iosys_map *map)
{
	return drm_gem_vmap_unlocked(obj, map);
}
