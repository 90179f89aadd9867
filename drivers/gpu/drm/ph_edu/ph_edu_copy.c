// SPDX-License-Identifier: GPL-2.0
/*
 * DRM_IOCTL_PH_EDU_COPY: the DMA engine copies a byte range from one object
 * to another.
 *
 * Each object is seen through an sg table mapped for the edu device (a DMA
 * view). An imported object gets it from the library, which attached the
 * dma-buf with the edu device as a dynamic importer: the exporter may move
 * the pages between two copies (after telling the import, which drops its
 * mapping), so each copy asks the library for the mapping, which makes it
 * again if it was dropped, and pins the pages until the engine is done (a
 * pin per copy ioctl, where upstream would have the importer fence its job:
 * the engine here has no fences). Those DMA addresses come from the
 * exporter's sg table, translated by the IOMMU.
 * A contiguous object of our own was mapped for the device when it was
 * allocated: its DMA address is the whole view. For a shmem object of our
 * own, the copy pins its pages and maps a private copy of its page list for
 * the device, for the duration of the copy.
 *
 * The copy then goes window by window: as much as the device's buffer takes
 * (PH_EDU_WINDOW_SIZE) is gathered from the source into it, one transfer per
 * DMA-contiguous piece, and scattered from there to the destination the same
 * way. Offsets need no
 * alignment; a piece ends where a DMA segment or the window ends. The engine
 * is taken for one window at a time, so several clients' copies share it
 * window by window, and a copy stops at the next window when a signal is
 * pending.
 */

#include <linux/dma-mapping.h>
#include <linux/minmax.h>
#include <linux/scatterlist.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>

#include <uapi/drm/ph_edu_drm.h>

#include "ph_edu.h"

struct ph_edu_dma_view {
	struct drm_ph_object *phobj;
	struct sg_table *sgt;	/* DMA-mapped for the edu device */
	bool own;		/* mapped here: unmap and unpin when done */
	/* A contiguous object's one segment, at its own DMA address. */
	struct sg_table contig_sgt;
	struct scatterlist contig;
};

/* Walks the DMA segments of a view, forward only. */
struct ph_edu_cursor {
	struct scatterlist *sg;	/* current DMA segment */
	unsigned int left;	/* DMA segments from @sg on */
	u64 start;		/* object offset of @sg's first byte */
};

static int ph_edu_view_get(struct ph_edu_device *edev, struct drm_gem_object *obj,
			   struct ph_edu_dma_view *view)
{
	struct device *dev = edev->ph.drm.dev;
	dma_addr_t addr;
	int ret;

	view->phobj = to_drm_ph_object(obj);
	view->own = false;
	if (obj->import_attach) {
		/*
		 * Pinned until the copy is done. Its cache maintenance is
		 * the exporter's, done when it maps and unmaps and when CPU
		 * access through the dma-buf begins and ends.
		 */
		view->sgt = drm_ph_import_pin_sgt(view->phobj);
		return PTR_ERR_OR_ZERO(view->sgt);
	}
	/* Allocated for this device: already mapped, in one piece. */
	if (!drm_ph_object_dma_address(view->phobj, &addr)) {
		sg_init_table(&view->contig, 1);
		sg_dma_address(&view->contig) = addr;
		sg_dma_len(&view->contig) = obj->size;
		view->contig_sgt.sgl = &view->contig;
		view->contig_sgt.nents = 1;
		view->contig_sgt.orig_nents = 1;
		view->sgt = &view->contig_sgt;
		drm_ph_object_sync_for_device(view->phobj);
		return 0;
	}

	view->own = true;

	ret = drm_ph_shmem_pin(view->phobj);
	if (ret)
		return ret;
	/*
	 * A private mapping, in segments the engine's device takes. Synced
	 * explicitly rather than by the mapping: the pages may be mapped for
	 * other devices too (importers), which DMA-API debug reports for a
	 * mapping that syncs implicitly.
	 */
	view->sgt = drm_ph_shmem_map_for_device(view->phobj, dev, DMA_BIDIRECTIONAL,
						DMA_ATTR_SKIP_CPU_SYNC);
	if (IS_ERR(view->sgt)) {
		ret = PTR_ERR(view->sgt);
		goto err_unpin;
	}
	dma_sync_sgtable_for_device(dev, view->sgt, DMA_BIDIRECTIONAL);
	return 0;

err_unpin:
	drm_ph_shmem_unpin(view->phobj);
	return ret;
}

static void ph_edu_view_put(struct ph_edu_device *edev, struct ph_edu_dma_view *view)
{
	struct device *dev = edev->ph.drm.dev;

	if (view->phobj->base.import_attach) {
		drm_ph_import_unpin_sgt(view->phobj);
		return;
	}
	if (!view->own) {
		drm_ph_object_sync_for_cpu(view->phobj);
		return;
	}
	dma_sync_sgtable_for_cpu(dev, view->sgt, DMA_BIDIRECTIONAL);
	drm_ph_shmem_unmap_for_device(dev, view->sgt, DMA_BIDIRECTIONAL, DMA_ATTR_SKIP_CPU_SYNC);
	drm_ph_shmem_unpin(view->phobj);
}

static void ph_edu_cursor_init(struct ph_edu_cursor *cur, struct ph_edu_dma_view *view)
{
	cur->sg = view->sgt->sgl;
	cur->left = view->sgt->nents;
	cur->start = 0;
}

/* DMA address of object offset @off, and how many bytes are contiguous from there. */
static int ph_edu_cursor_seek(struct ph_edu_cursor *cur, u64 off, dma_addr_t *addr, u64 *len)
{
	while (cur->left && off - cur->start >= sg_dma_len(cur->sg)) {
		cur->start += sg_dma_len(cur->sg);
		cur->sg = sg_next(cur->sg);
		cur->left--;
	}
	/* An exporter's table shorter than its dma-buf. */
	if (!cur->left)
		return -EIO;

	*addr = sg_dma_address(cur->sg) + (off - cur->start);
	*len = sg_dma_len(cur->sg) - (off - cur->start);
	return 0;
}

/* Move @len bytes between the window and the object at @off, piece by piece. */
static int ph_edu_move(struct ph_edu_device *edev, struct ph_edu_cursor *cur, u64 off, u32 len,
		       enum ph_edu_dir dir, u32 *transfers)
{
	u32 done, piece;
	dma_addr_t addr;
	u64 contiguous;
	int ret;

	for (done = 0; done < len; done += piece) {
		ret = ph_edu_cursor_seek(cur, off + done, &addr, &contiguous);
		if (ret)
			return ret;
		piece = min_t(u64, contiguous, len - done);
		ret = ph_edu_engine_transfer(edev, addr, done, piece, dir);
		if (ret)
			return ret;
		(*transfers)++;
	}
	return 0;
}

/*
 * One window: gather from the source into the device's buffer, scatter from
 * there to the destination. The buffer holds the window's data in between,
 * so the engine lock is held across the pair, and only across the pair.
 */
static int ph_edu_copy_window(struct ph_edu_device *edev, struct ph_edu_cursor *src_cur,
			      struct ph_edu_cursor *dst_cur, struct ph_edu_copy *args, u64 done,
			      u32 window)
{
	int ret;

	/*
	 * Not interruptible: the wait lasts at most the windows of the other
	 * clients queued ahead (the lock is handed over between windows), and
	 * a call interrupted here could end up moving nothing, again and again
	 * under periodic signals. Signals end the copy between windows.
	 */
	if (mutex_lock_killable(&edev->engine_lock))
		return -EINTR;
	ret = ph_edu_move(edev, src_cur, args->src_offset + done, window, PH_EDU_TO_WINDOW,
			  &args->transfers);
	if (!ret)
		ret = ph_edu_move(edev, dst_cur, args->dst_offset + done, window,
				  PH_EDU_FROM_WINDOW, &args->transfers);
	mutex_unlock(&edev->engine_lock);
	return ret;
}

static int ph_edu_copy_windows(struct ph_edu_device *edev, struct ph_edu_dma_view *src,
			       struct ph_edu_dma_view *dst, struct ph_edu_copy *args)
{
	struct ph_edu_cursor src_cur, dst_cur;
	u64 done;
	u32 window;
	int ret;

	ph_edu_cursor_init(&src_cur, src);
	ph_edu_cursor_init(&dst_cur, dst);

	for (done = 0; done < args->length; done += window) {
		/*
		 * Between windows the engine is free: other clients' windows
		 * interleave with ours, and any signal ends the call. The
		 * arguments then describe what is left (they are copied back
		 * to userspace on error too), so the restart (SA_RESTART) or
		 * the caller's retry after -EINTR goes on from there: each
		 * call moves at least one window (the first is not
		 * interrupted), and no byte is copied twice.
		 */
		if (done && signal_pending(current)) {
			args->src_offset += done;
			args->dst_offset += done;
			args->length -= done;
			return -ERESTARTSYS;
		}
		window = min_t(u64, args->length - done, PH_EDU_WINDOW_SIZE);
		ret = ph_edu_copy_window(edev, &src_cur, &dst_cur, args, done, window);
		if (ret)
			return ret;
		cond_resched();
	}
	return 0;
}

static int ph_edu_copy_engine(struct ph_edu_device *edev, struct drm_gem_object *src_obj,
			      struct drm_gem_object *dst_obj, struct ph_edu_copy *args)
{
	struct ph_edu_dma_view src, dst;
	struct ph_edu_dma_view *dstp = &dst;
	int ret;

	ret = ph_edu_view_get(edev, src_obj, &src);
	if (ret)
		return ret;
	/* One mapping serves both sides of a copy within an object. */
	if (dst_obj == src_obj) {
		dstp = &src;
	} else {
		ret = ph_edu_view_get(edev, dst_obj, &dst);
		if (ret)
			goto out_src;
	}
	args->src_segments = src.sgt->orig_nents;
	args->dst_segments = dstp->sgt->orig_nents;

	ret = ph_edu_copy_windows(edev, &src, dstp, args);

	if (dstp == &dst)
		ph_edu_view_put(edev, &dst);
out_src:
	ph_edu_view_put(edev, &src);
	return ret;
}

static bool ph_edu_ranges_overlap(const struct ph_edu_copy *args)
{
	return args->src_offset < args->dst_offset + args->length &&
	       args->dst_offset < args->src_offset + args->length;
}

/**
 * ph_edu_copy_ioctl - DRM_IOCTL_PH_EDU_COPY
 * @drm: the device
 * @data: &struct ph_edu_copy
 * @file: the caller's DRM file, owner of the handles
 *
 * Checks the arguments, waits for the implicit fences (source: writers;
 * destination: everybody) within the fence timeout, then copies with the
 * engine. See &struct ph_edu_copy for the errors.
 *
 * Returns: 0 or a negative errno.
 */
int ph_edu_copy_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct ph_edu_device *edev = to_ph_edu_device(drm);
	struct drm_gem_object *src, *dst;
	struct ph_edu_copy *args = data;
	long timeout;
	int ret, idx;

	if (args->flags)
		return -EINVAL;
	args->transfers = 0;
	args->src_segments = 0;
	args->dst_segments = 0;

	src = drm_gem_object_lookup(file, args->src_handle);
	if (!src)
		return -ENOENT;
	dst = drm_gem_object_lookup(file, args->dst_handle);
	if (!dst) {
		ret = -ENOENT;
		goto out_src;
	}

	if (!ph_edu_range_valid(src, args->src_offset, args->length) ||
	    !ph_edu_range_valid(dst, args->dst_offset, args->length) ||
	    (src == dst && ph_edu_ranges_overlap(args))) {
		ret = -EINVAL;
		goto out_dst;
	}
	ret = 0;
	if (!args->length)
		goto out_dst;

	timeout = ph_edu_wait_idle(src, false, ph_edu_fence_timeout());
	if (timeout > 0)
		timeout = ph_edu_wait_idle(dst, true, timeout);
	if (timeout < 0) {
		ret = timeout;
		goto out_dst;
	}

	if (!drm_dev_enter(drm, &idx)) {
		ret = -ENODEV;
		goto out_dst;
	}
	/* Without translation the engine reaches too little memory (see probe). */
	if (edev->dma_reaches_all)
		ret = ph_edu_copy_engine(edev, src, dst, args);
	else
		ret = -EIO;
	drm_dev_exit(idx);

out_dst:
	drm_gem_object_put(dst);
out_src:
	drm_gem_object_put(src);
	return ret;
}
