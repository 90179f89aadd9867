// SPDX-License-Identifier: GPL-2.0
/*
 * Module glue of the PRIME helper library.
 */

#include <linux/module.h>

#include <drm/drm_ph.h>

/**
 * drm_ph_abi_version - ABI version of the loaded PRIME helper library
 *
 * Drivers may compare this with %DRM_PH_ABI_VERSION from the header they were
 * built against; it also gives every driver a real link-time dependency on
 * the library, so the module loader orders them.
 *
 * Returns: the library's ABI version.
 */
unsigned int drm_ph_abi_version(void)
{
	return DRM_PH_ABI_VERSION;
}
EXPORT_SYMBOL_NS_GPL(drm_ph_abi_version, DRM_PRIME_HELPERS);

MODULE_DESCRIPTION("PRIME (dma-buf sharing) helpers for GEM drivers");
MODULE_LICENSE("GPL");
