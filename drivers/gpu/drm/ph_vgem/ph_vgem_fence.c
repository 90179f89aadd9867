// SPDX-License-Identifier: GPL-2.0
/*
 * ph_vgem fences: software fences that userspace attaches to a buffer's
 * reservation object and signals itself, as upstream vgem's.
 *
 * FENCE_ATTACH puts a new unsignalled fence on the object's dma_resv, as a
 * write (exclusive) or read (shared) fence, so every implicit-sync user of
 * the buffer, e.g. poll() or DMA_BUF_IOCTL_EXPORT_SYNC_FILE on its dma-buf,
 * sees it. A write fence conflicts with any unsignalled fence, a read fence
 * with unsignalled write fences: both give -EBUSY. FENCE_SIGNAL signals it
 * by id. Every fence signals itself after 10 seconds so a crashed client
 * cannot block others forever; signalling one that expired reports
 * -ETIMEDOUT. Fences still held by a file are signalled when it is closed.
 */

#include <linux/dma-fence.h>
#include <linux/dma-resv.h>
#include <linux/jiffies.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/timer.h>

#include <drm/drm_file.h>
#include <drm/drm_gem.h>

#include <uapi/drm/ph_vgem_drm.h>

#include "drm_ph_compat.h"
#include "ph_vgem.h"

#define PH_VGEM_FENCE_TIMEOUT (10 * HZ)

struct ph_vgem_fence {
	struct dma_fence base;
	spinlock_t lock; /* the dma_fence's lock */
	struct timer_list expiry;
};

static const char *ph_vgem_fence_driver_name(struct dma_fence *fence)
{
	return "vgem";
}

static const char *ph_vgem_fence_timeline_name(struct dma_fence *fence)
{
	return "unbound";
}

static void ph_vgem_fence_release(struct dma_fence *base)
{
	struct ph_vgem_fence *fence = container_of(base, struct ph_vgem_fence, base);

	del_timer_sync(&fence->expiry);
	dma_fence_free(&fence->base);
}

static const struct dma_fence_ops ph_vgem_fence_ops = {
	.get_driver_name = ph_vgem_fence_driver_name,
	.get_timeline_name = ph_vgem_fence_timeline_name,
	.release = ph_vgem_fence_release,
};

static void ph_vgem_fence_expire(struct timer_list *t)
{
	struct ph_vgem_fence *fence = from_timer(fence, t, expiry);

	dma_fence_signal(&fence->base);
}

static struct dma_fence *ph_vgem_fence_create(void)
{
	struct ph_vgem_fence *fence;

	fence = kzalloc(sizeof(*fence), GFP_KERNEL);
	if (!fence)
		return NULL;

	spin_lock_init(&fence->lock);
	/* Each fence is its own timeline: they signal in any order. */
	dma_fence_init(&fence->base, &ph_vgem_fence_ops, &fence->lock,
		       dma_fence_context_alloc(1), 1);
	timer_setup(&fence->expiry, ph_vgem_fence_expire, TIMER_IRQSAFE);
	mod_timer(&fence->expiry, jiffies + PH_VGEM_FENCE_TIMEOUT);
	return &fence->base;
}

/* Publish @fence on @obj's reservation object, unless it conflicts. */
static int ph_vgem_fence_publish(struct drm_gem_object *obj, struct dma_fence *fence, bool write)
{
	struct dma_resv *resv = obj->resv;
	int ret;

	dma_resv_lock(resv, NULL);
	/* Checked under the lock so two racing writers cannot both pass. */
	if (!dma_resv_test_signaled(resv, drm_ph_compat_wait_usage(write))) {
		ret = -EBUSY;
	} else {
		ret = dma_resv_reserve_fences(resv, 1);
		if (!ret)
			dma_resv_add_fence(resv, fence, drm_ph_compat_fence_usage(write));
	}
	dma_resv_unlock(resv);
	return ret;
}

int ph_vgem_fence_attach_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct ph_vgem_fence_attach *args = data;
	struct ph_vgem_file *vfile = to_ph_vgem_file(file);
	bool write = args->flags & PH_VGEM_FENCE_WRITE;
	struct drm_gem_object *obj;
	struct dma_fence *fence;
	int ret;

	if (args->flags & ~PH_VGEM_FENCE_WRITE || args->pad)
		return -EINVAL;

	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj)
		return -ENOENT;

	fence = ph_vgem_fence_create();
	if (!fence) {
		ret = -ENOMEM;
		goto out_put;
	}

	ret = ph_vgem_fence_publish(obj, fence, write);
	if (!ret) {
		mutex_lock(&vfile->fence_lock);
		ret = idr_alloc(&vfile->fences, fence, 1, 0, GFP_KERNEL);
		mutex_unlock(&vfile->fence_lock);
		if (ret > 0) {
			args->out_fence = ret;
			ret = 0;
		}
	}
	if (ret) {
		/* Never leave an unsignalled fence nobody can signal. */
		dma_fence_signal(fence);
		dma_fence_put(fence);
	}
out_put:
	drm_gem_object_put(obj);
	return ret;
}

int ph_vgem_fence_signal_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct ph_vgem_fence_signal *args = data;
	struct ph_vgem_file *vfile = to_ph_vgem_file(file);
	struct dma_fence *fence;
	int ret = 0;

	if (args->flags)
		return -EINVAL;

	/* The id stays allocated (NULL) so a second signal finds nothing. */
	mutex_lock(&vfile->fence_lock);
	fence = idr_replace(&vfile->fences, NULL, args->fence);
	mutex_unlock(&vfile->fence_lock);
	if (IS_ERR_OR_NULL(fence))
		return -ENOENT;

	if (dma_fence_is_signaled(fence))
		ret = -ETIMEDOUT;	/* it expired first */

	dma_fence_signal(fence);
	dma_fence_put(fence);
	return ret;
}

void ph_vgem_fence_open(struct ph_vgem_file *vfile)
{
	mutex_init(&vfile->fence_lock);
	idr_init_base(&vfile->fences, 1);
}

static int ph_vgem_fence_drop(int id, void *fence, void *unused)
{
	/* Signalled slots hold NULL. */
	if (fence) {
		dma_fence_signal(fence);
		dma_fence_put(fence);
	}
	return 0;
}

void ph_vgem_fence_close(struct ph_vgem_file *vfile)
{
	idr_for_each(&vfile->fences, ph_vgem_fence_drop, NULL);
	idr_destroy(&vfile->fences);
	mutex_destroy(&vfile->fence_lock);
}
