/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __DRM_PH_H__
#define __DRM_PH_H__

/*
 * Public API of the PRIME helper library (module prime_helpers). Every symbol
 * carries the drm_ph_ prefix and is exported in the DRM_PRIME_HELPERS
 * namespace, so nothing clashes with what drm.ko exports.
 */

#define DRM_PH_ABI_VERSION 1

unsigned int drm_ph_abi_version(void);

#endif /* __DRM_PH_H__ */
