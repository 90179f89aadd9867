// SPDX-License-Identifier: GPL-2.0
/*
 * enum drm_gem_object_status and &drm_gem_object_funcs.status (6.5): the
 * bits an object reports for fdinfo. Before, the library names them itself.
 */
#include <drm/drm_gem.h>

enum drm_gem_object_status drm_ph_probe(struct drm_gem_object *obj);
enum drm_gem_object_status drm_ph_probe(struct drm_gem_object *obj)
{
	return obj->funcs->status ? DRM_GEM_OBJECT_RESIDENT : DRM_GEM_OBJECT_PURGEABLE;
}
