// SPDX-License-Identifier: GPL-2.0
/*
 * drm_show_memory_stats() (6.5) with the &drm_gem_object_funcs.rss hook
 * (6.8): the core prints fdinfo's memory keys from the objects' status and
 * resident size. Before, a driver prints them from its own show_fdinfo.
 */
#include <drm/drm_file.h>
#include <drm/drm_gem.h>

static size_t drm_ph_probe_rss(struct drm_gem_object *obj)
{
	return obj->size;
}

static const struct drm_gem_object_funcs drm_ph_probe_funcs = {
	.rss = drm_ph_probe_rss,
};

void drm_ph_probe(struct drm_printer *p, struct drm_file *file);
void drm_ph_probe(struct drm_printer *p, struct drm_file *file)
{
	if (drm_ph_probe_funcs.rss)
		drm_show_memory_stats(p, file);
}
