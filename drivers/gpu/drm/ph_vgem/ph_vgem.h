/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __PH_VGEM_H__
#define __PH_VGEM_H__

#include <linux/idr.h>
#include <linux/mutex.h>

#include <drm/drm_ph.h>

struct drm_device;
struct drm_file;

/**
 * struct ph_vgem_file - per-file state of ph_vgem
 * @ph: the PRIME helpers' per-file state (&drm_file.driver_priv points here)
 * @fence_lock: protects @fences
 * @fences: fence id -> &dma_fence of this file, each holding a reference;
 *          signalling a fence leaves a NULL slot so the id is not reused
 */
struct ph_vgem_file {
	struct drm_ph_file ph;
	struct mutex fence_lock; /* protects fences */
	struct idr fences;
};

static inline struct ph_vgem_file *to_ph_vgem_file(struct drm_file *file)
{
	return container_of(to_drm_ph_file(file), struct ph_vgem_file, ph);
}

void ph_vgem_fence_open(struct ph_vgem_file *vfile);
void ph_vgem_fence_close(struct ph_vgem_file *vfile);
int ph_vgem_fence_attach_ioctl(struct drm_device *drm, void *data, struct drm_file *file);
int ph_vgem_fence_signal_ioctl(struct drm_device *drm, void *data, struct drm_file *file);

#endif /* __PH_VGEM_H__ */
