// SPDX-License-Identifier: GPL-2.0
/*
 * shrinker_alloc() (6.7): shrinkers are allocated by the core and freed with
 * shrinker_free(); before, a driver embedded one and called
 * register_shrinker().
 */
#include <linux/shrinker.h>

struct shrinker *drm_ph_probe(void);
struct shrinker *drm_ph_probe(void)
{
	return shrinker_alloc(0, "drm_ph_probe");
}
