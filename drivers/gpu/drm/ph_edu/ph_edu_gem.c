// SPDX-License-Identifier: GPL-2.0
/*
 * What the ioctls check before touching an object: that a byte range lies
 * inside it, and that nobody is still using it in a conflicting way
 * (implicit sync on its reservation object, bounded by a timeout).
 */

#include <linux/dma-resv.h>
#include <linux/jiffies.h>
#include <linux/moduleparam.h>
#include <linux/overflow.h>

#include <drm/drm_gem.h>

#include "ph_edu.h"

static unsigned int fence_timeout_ms = 10000;
module_param(fence_timeout_ms, uint, 0644);
MODULE_PARM_DESC(fence_timeout_ms,
		 "longest wait for a buffer's fences before an ioctl fails with -ETIMEDOUT (ms)");

/**
 * ph_edu_range_valid - whether [offset, offset + length) lies inside an object
 * @obj: the object
 * @offset: first byte
 * @length: bytes, may be 0
 *
 * Returns: true if the range, which may be empty, does not pass the end.
 */
bool ph_edu_range_valid(struct drm_gem_object *obj, u64 offset, u64 length)
{
	u64 end;

	return !check_add_overflow(offset, length, &end) && end <= obj->size;
}

/**
 * ph_edu_fence_timeout - the fence wait budget of one ioctl
 *
 * Read once per ioctl, so a change through sysfs applies from the next one.
 *
 * Returns: the module parameter, in jiffies.
 */
long ph_edu_fence_timeout(void)
{
	return msecs_to_jiffies(READ_ONCE(fence_timeout_ms));
}

/**
 * ph_edu_wait_idle - wait for the implicit fences an access conflicts with
 * @obj: the object; an import shares its exporter's reservation object
 * @write: the access writes (waits for everybody) or only reads (waits for
 *         writers)
 * @timeout: budget in jiffies
 *
 * Locking: takes no lock the caller may hold; interruptible.
 *
 * Returns: the budget left (at least 1), -ETIMEDOUT when it ran out, or
 * -ERESTARTSYS when a signal arrived.
 */
long ph_edu_wait_idle(struct drm_gem_object *obj, bool write, long timeout)
{
	long ret;

	ret = dma_resv_wait_timeout(obj->resv, dma_resv_usage_rw(write), true, timeout);
	if (!ret)
		return -ETIMEDOUT;
	return ret;
}
