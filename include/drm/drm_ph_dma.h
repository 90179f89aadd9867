/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __DRM_PH_DMA_H__
#define __DRM_PH_DMA_H__

/*
 * DMA-contiguous GEM objects of the PRIME helper library, and imports for
 * devices that need contiguous buffers. Include <drm/drm_ph.h>, which
 * includes this header.
 */

#include <linux/types.h>

struct dma_buf_attachment;
struct drm_device;
struct drm_gem_object;
struct drm_ph_object;
struct sg_table;

struct drm_ph_object *drm_ph_dma_create(struct drm_device *drm, size_t size);
struct drm_gem_object *drm_ph_dma_prime_import_sg_table(struct drm_device *drm,
							struct dma_buf_attachment *attach,
							struct sg_table *sgt);
int drm_ph_object_dma_address(struct drm_ph_object *phobj, dma_addr_t *addr);
void drm_ph_object_sync_for_device(struct drm_ph_object *phobj);
void drm_ph_object_sync_for_cpu(struct drm_ph_object *phobj);

#endif /* __DRM_PH_DMA_H__ */
