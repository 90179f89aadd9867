// SPDX-License-Identifier: GPL-2.0
/*
 * Not a feature: every supported kernel compiles this. If it fails, the probe
 * run is broken and conftest.sh stops instead of guessing.
 */
#include <drm/drm_gem.h>
#include <drm/drm_prime.h>

int drm_ph_probe(struct drm_gem_object *obj);
int drm_ph_probe(struct drm_gem_object *obj)
{
	return obj->dma_buf ? 1 : 0;
}
