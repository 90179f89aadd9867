// SPDX-License-Identifier: GPL-2.0
/*
 * shmem-backed GEM objects of the PRIME helper library: pages, pins, sg
 * tables, kernel mappings, CPU mmap with a fault handler, dumb buffers and
 * eviction.
 */

/**
 * DOC: shmem objects
 *
 * A &struct drm_ph_object is a GEM object backed by a shmem file. Nothing is
 * allocated when it is created: its pages are taken from shmem as a whole
 * (drm_gem_get_pages()) by the first user that needs them, and counted in
 * &drm_ph_object.pages_use_count. The users are:
 *
 * - the CPU mappings: the first page fault takes one use for all of them
 *   (&drm_ph_object.mmap_pages) and inserts PFNs into the faulting VMA; the
 *   use is given back when the last CPU mapping is closed (munmap, exit; the
 *   VMAs are counted in &drm_ph_object.cpu_mappings, splits and forks
 *   included), by eviction, or when the object is freed;
 * - the dma-buf mappings of the object's export: the first map takes one use
 *   for all of them (&drm_ph_object.map_pages), given back by the last unmap
 *   when it can take the object's lock without waiting, otherwise by
 *   eviction once none is left, or when the dma-buf is released;
 * - each pin (drm_ph_shmem_pin()): the driver's, and those the dma-buf core
 *   takes for its attachments;
 * - the kernel mapping (drm_ph_shmem_vmap()), shared by nested vmaps.
 *
 * While pages are held the shmem mapping is unevictable (drm_gem_get_pages()
 * marks it so), which is why writes through the PFN mappings are safe without
 * dirty tracking: the pages are marked dirty when they are given back. So an
 * object that is only mapped by CPUs keeps its memory resident only while a
 * mapping exists: once unmapped, its pages are ordinary shmem pages that the
 * kernel may swap out, with their contents.
 *
 * CPU mappings. The GEM mmap (through the DRM file and its fake offset) and
 * the dma-buf mmap (through the dma-buf file, whose address space the export
 * replaced with the DRM device's) both end in the same VMA setup and the same
 * fault handler, with the fake offset in &vm_area_struct.vm_pgoff. So every
 * CPU mapping of an object lives in the device's address space at the
 * object's offset, and drm_ph_shmem_unmap_mappings() reaches them all at once.
 * Since the first fault holds every page of the object, a fault also maps the
 * pages around the faulting one (fault-around: an aligned window of the
 * module parameter fault_around_pages, 512 by default, one page table), so a
 * sequential first touch costs one fault per window rather than per page;
 * fault_around_pages=1 maps one page per fault, as the kernel's shmem helper
 * does. Huge pages are mapped whole, with one PMD entry (see "huge pages").
 * Each VMA holds a reference on the object (drm_gem_vm_open()/close()).
 * Private writable mappings are refused with -EINVAL: copy-on-write cannot
 * work on PFN mappings.
 *
 * Eviction (drm_ph_shmem_evict()) takes back the CPU mappings' and the
 * dma-buf mappings' uses of the pages of an object that is neither pinned
 * nor vmapped: under the reservation lock, once the object's fences have
 * signalled, it takes the object's lock, tells the dynamic importers
 * (move_notify; their unmap must not take that lock), and once none is
 * mapped it shoots down every PTE, then gives the pages back to shmem,
 * dirty, so their contents survive. The next access faults (or maps) and
 * takes them again.
 *
 * Imported objects (drm_ph_shmem_prime_import_sg_table()) have no shmem file
 * and no pages: their mmap is redirected to the exporter with dma_buf_mmap()
 * and their kernel mapping goes through the dma-buf. They keep the exporter's
 * dma-buf and attachment until they are freed, and their mapping too unless
 * they are dynamic imports, whose exporter may take it back (see
 * drm_ph_gem_prime_import_dynamic()).
 */

#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/iosys-map.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/pagemap.h>
#include <linux/shmem_fs.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include <drm/drm_device.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_ph.h>
#include <drm/drm_prime.h>
#include <drm/drm_vma_manager.h>

#include "drm_ph_compat.h"
#include "drm_ph_internal.h"

static const struct drm_gem_object_funcs drm_ph_shmem_funcs;

static pgoff_t drm_ph_shmem_npages(struct drm_ph_object *phobj)
{
	return phobj->base.size >> PAGE_SHIFT;
}

static int drm_ph_shmem_get_pages_locked(struct drm_ph_object *phobj)
{
	struct page **pages;

	lockdep_assert_held(&phobj->lock);

	if (phobj->pages_use_count++ > 0)
		return 0;
	/* Its contents were dropped: nothing to give until WILLNEED. */
	if (phobj->madv == DRM_PH_MADV_PURGED) {
		phobj->pages_use_count = 0;
		return -EBUSY;
	}

	/*
	 * Creation is lazy, so userspace can make objects no memory can ever
	 * back. Refuse those here: beyond the machine's memory the allocation
	 * could only fail after a long reclaim, and beyond what one page array
	 * holds the core's drm_gem_get_pages() warns or (past 2^31 pages)
	 * miscounts.
	 */
	if (!drm_ph_page_array_fits(drm_ph_shmem_npages(phobj)) ||
	    drm_ph_shmem_npages(phobj) > totalram_pages()) {
		phobj->pages_use_count = 0;
		return -ENOMEM;
	}

	pages = drm_gem_get_pages(&phobj->base);
	if (IS_ERR(pages)) {
		phobj->pages_use_count = 0;
		return PTR_ERR(pages);
	}
	phobj->pages = pages;
	return 0;
}

static void drm_ph_shmem_put_pages_locked(struct drm_ph_object *phobj)
{
	lockdep_assert_held(&phobj->lock);

	if (WARN_ON_ONCE(!phobj->pages_use_count))
		return;
	if (--phobj->pages_use_count > 0)
		return;

	if (phobj->sgt) {
		sg_free_table(phobj->sgt);
		kfree(phobj->sgt);
		phobj->sgt = NULL;
	}
	if (phobj->store == DRM_PH_STORE_DMA) {
		drm_ph_dma_free_pages(phobj);
		return;
	}
	/* Dirty: writes through PFN mappings left no trace in the page flags. */
	drm_gem_put_pages(&phobj->base, phobj->pages, true, true);
	phobj->pages = NULL;
}

/**
 * drm_ph_shmem_pin - pin the pages of an object
 * @phobj: the object
 *
 * Makes sure the object has pages and keeps them until the matching
 * drm_ph_shmem_unpin(); pinned objects are never evicted. It does nothing
 * for imported objects: a static import is pinned by its exporter for as
 * long as it is attached; a dynamic one (drm_ph_gem_prime_import_dynamic())
 * is pinned around each device job with drm_ph_import_pin_sgt().
 *
 * Locking: takes &drm_ph_object.lock; callers may hold the reservation lock.
 *
 * Returns: 0 or a negative errno (-ENOMEM when shmem has no pages, -EBUSY
 * when the object was purged and is not WILLNEED again).
 */
int drm_ph_shmem_pin(struct drm_ph_object *phobj)
{
	int ret;

	if (phobj->base.import_attach)
		return 0;

	mutex_lock(&phobj->lock);
	ret = drm_ph_shmem_get_pages_locked(phobj);
	if (!ret) {
		phobj->pin_count++;
		drm_ph_reclaim_update(phobj, false);
	}
	mutex_unlock(&phobj->lock);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(drm_ph_shmem_pin, DRM_PRIME_HELPERS);

/**
 * drm_ph_shmem_unpin - undo one drm_ph_shmem_pin()
 * @phobj: the object
 *
 * Locking: takes &drm_ph_object.lock; callers may hold the reservation lock.
 */
void drm_ph_shmem_unpin(struct drm_ph_object *phobj)
{
	if (phobj->base.import_attach)
		return;

	mutex_lock(&phobj->lock);
	if (!WARN_ON_ONCE(!phobj->pin_count)) {
		phobj->pin_count--;
		drm_ph_shmem_put_pages_locked(phobj);
		drm_ph_reclaim_update(phobj, false);
	}
	mutex_unlock(&phobj->lock);
}
EXPORT_SYMBOL_NS_GPL(drm_ph_shmem_unpin, DRM_PRIME_HELPERS);

static struct sg_table *drm_ph_shmem_sgt_locked(struct drm_ph_object *phobj)
{
	struct sg_table *sgt;

	lockdep_assert_held(&phobj->lock);

	if (phobj->sgt)
		return phobj->sgt;
	if (WARN_ON_ONCE(!phobj->pages))
		return ERR_PTR(-EINVAL);

	/* Contiguous pages are coalesced into one segment. */
	sgt = drm_prime_pages_to_sg(phobj->base.dev, phobj->pages, drm_ph_shmem_npages(phobj));
	if (!IS_ERR(sgt))
		phobj->sgt = sgt;
	return sgt;
}

/**
 * drm_ph_shmem_get_pages_sgt - the cached sg table of an object's pages
 * @phobj: the object, pinned by the caller
 *
 * The table describes the pages (coalesced where they are contiguous), is not
 * DMA-mapped, and belongs to the object: it stays valid while the caller's
 * pin lasts and must not be freed or modified.
 *
 * Locking: takes &drm_ph_object.lock.
 *
 * Returns: the table, or an ERR_PTR(): -EINVAL when the object is not pinned
 * or is imported, -ENOMEM.
 */
struct sg_table *drm_ph_shmem_get_pages_sgt(struct drm_ph_object *phobj)
{
	struct sg_table *sgt;

	if (phobj->base.import_attach)
		return ERR_PTR(-EINVAL);

	mutex_lock(&phobj->lock);
	if (phobj->pin_count)
		sgt = drm_ph_shmem_sgt_locked(phobj);
	else
		sgt = ERR_PTR(-EINVAL);
	mutex_unlock(&phobj->lock);
	return sgt;
}
EXPORT_SYMBOL_NS_GPL(drm_ph_shmem_get_pages_sgt, DRM_PRIME_HELPERS);

/*
 * The longest segment @dev takes: its DMA segment limit, and what one
 * mapping can be (swiotlb bounces at most a slot run), in whole pages.
 */
static unsigned int drm_ph_max_segment(struct device *dev)
{
	size_t max = min_t(size_t, dma_get_max_seg_size(dev), dma_max_mapping_size(dev));

	return max_t(size_t, round_down(min_t(size_t, max, UINT_MAX), PAGE_SIZE), PAGE_SIZE);
}

/**
 * drm_ph_shmem_map_for_device - DMA-map an object's pages for a device
 * @phobj: a shmem or DMA object, pinned by the caller for as long as the
 *         mapping lives
 * @dev: the device that will access the pages
 * @dir: the direction of the mapping
 * @attrs: DMA attributes, e.g. %DMA_ATTR_SKIP_CPU_SYNC when the caller syncs
 *
 * Maps a new table of the object's pages, physically contiguous pages merged
 * up to what @dev takes (dma_get_max_seg_size(), and dma_max_mapping_size()
 * for bounce buffering), where the object's own table
 * (drm_ph_shmem_get_pages_sgt()) may have segments of a whole huge page or
 * more. Every device, exporter or importer, gets a table within its own
 * limits.
 *
 * Locking: takes &drm_ph_object.lock.
 *
 * Returns: the mapped table, to be released with
 * drm_ph_shmem_unmap_for_device(), or an ERR_PTR().
 */
struct sg_table *drm_ph_shmem_map_for_device(struct drm_ph_object *phobj, struct device *dev,
					     enum dma_data_direction dir, unsigned long attrs)
{
	struct sg_table *sgt;
	int ret;

	sgt = kzalloc(sizeof(*sgt), GFP_KERNEL);
	if (!sgt)
		return ERR_PTR(-ENOMEM);

	/* The kernel's helper merges contiguous pages up to @dev's limit. */
	mutex_lock(&phobj->lock);
	if (WARN_ON_ONCE(!phobj->pages))
		ret = -EINVAL;
	else
		ret = sg_alloc_table_from_pages_segment(sgt, phobj->pages,
							drm_ph_shmem_npages(phobj), 0,
							phobj->base.size,
							drm_ph_max_segment(dev), GFP_KERNEL);
	mutex_unlock(&phobj->lock);
	if (ret) {
		kfree(sgt);
		return ERR_PTR(ret);
	}

	ret = dma_map_sgtable(dev, sgt, dir, attrs);
	if (ret) {
		sg_free_table(sgt);
		kfree(sgt);
		return ERR_PTR(ret);
	}
	return sgt;
}
EXPORT_SYMBOL_NS_GPL(drm_ph_shmem_map_for_device, DRM_PRIME_HELPERS);

/**
 * drm_ph_shmem_unmap_for_device - undo drm_ph_shmem_map_for_device()
 * @dev: the device the table was mapped for
 * @sgt: the table
 * @dir: the direction it was mapped with
 * @attrs: the attributes it was mapped with
 *
 * Locking: none.
 */
void drm_ph_shmem_unmap_for_device(struct device *dev, struct sg_table *sgt,
				   enum dma_data_direction dir, unsigned long attrs)
{
	dma_unmap_sgtable(dev, sgt, dir, attrs);
	sg_free_table(sgt);
	kfree(sgt);
}
EXPORT_SYMBOL_NS_GPL(drm_ph_shmem_unmap_for_device, DRM_PRIME_HELPERS);

static int drm_ph_shmem_vmap_pages(struct drm_ph_object *phobj, struct iosys_map *map)
{
	void *vaddr;
	int ret = 0;

	mutex_lock(&phobj->lock);
	if (phobj->vmap_use_count++ > 0)
		goto out;

	ret = drm_ph_shmem_get_pages_locked(phobj);
	if (ret)
		goto err_count;
	/*
	 * The pages are ordinary cached memory, coherent with every user; a
	 * DMA object's block already has one in the linear map.
	 */
	if (phobj->store == DRM_PH_STORE_DMA)
		vaddr = drm_ph_dma_vaddr(phobj);
	else
		vaddr = vmap(phobj->pages, drm_ph_shmem_npages(phobj), VM_MAP, PAGE_KERNEL);
	if (!vaddr) {
		ret = -ENOMEM;
		drm_ph_shmem_put_pages_locked(phobj);
		goto err_count;
	}
	phobj->vaddr = vaddr;
	drm_ph_stat_inc(DRM_PH_STAT_VMAPS);
	drm_ph_reclaim_update(phobj, false);
out:
	iosys_map_set_vaddr(map, phobj->vaddr);
	mutex_unlock(&phobj->lock);
	return 0;

err_count:
	phobj->vmap_use_count--;
	mutex_unlock(&phobj->lock);
	return ret;
}

static void drm_ph_shmem_vunmap_pages(struct drm_ph_object *phobj, struct iosys_map *map)
{
	mutex_lock(&phobj->lock);
	if (WARN_ON_ONCE(!phobj->vmap_use_count) ||
	    WARN_ON_ONCE(map->vaddr != phobj->vaddr))
		goto out;
	if (--phobj->vmap_use_count > 0)
		goto out;
	if (phobj->store != DRM_PH_STORE_DMA)
		vunmap(phobj->vaddr);
	phobj->vaddr = NULL;
	drm_ph_stat_dec(DRM_PH_STAT_VMAPS);
	drm_ph_shmem_put_pages_locked(phobj);
	drm_ph_reclaim_update(phobj, false);
out:
	mutex_unlock(&phobj->lock);
}

/**
 * drm_ph_shmem_vmap - map an object into the kernel's address space
 * @phobj: the object
 * @map: returns the mapping
 *
 * Nested calls share one mapping, refcounted; the last drm_ph_shmem_vunmap()
 * unmaps it. Vmapped objects are not evicted. An imported object is mapped
 * through its dma-buf.
 *
 * Locking: the caller must not hold the object's reservation lock; takes
 * &drm_ph_object.lock (or, for imports, what dma-buf vmap takes).
 *
 * Returns: 0 or a negative errno (-EBUSY when the object was purged and is
 * not WILLNEED again).
 */
int drm_ph_shmem_vmap(struct drm_ph_object *phobj, struct iosys_map *map)
{
	if (phobj->base.import_attach)
		return drm_ph_compat_dma_buf_vmap_unlocked(phobj->base.import_attach->dmabuf, map);
	return drm_ph_shmem_vmap_pages(phobj, map);
}
EXPORT_SYMBOL_NS_GPL(drm_ph_shmem_vmap, DRM_PRIME_HELPERS);

/**
 * drm_ph_shmem_vunmap - undo one drm_ph_shmem_vmap()
 * @phobj: the object
 * @map: the mapping drm_ph_shmem_vmap() returned
 *
 * Locking: as drm_ph_shmem_vmap().
 */
void drm_ph_shmem_vunmap(struct drm_ph_object *phobj, struct iosys_map *map)
{
	if (phobj->base.import_attach)
		drm_ph_compat_dma_buf_vunmap_unlocked(phobj->base.import_attach->dmabuf, map);
	else
		drm_ph_shmem_vunmap_pages(phobj, map);
}
EXPORT_SYMBOL_NS_GPL(drm_ph_shmem_vunmap, DRM_PRIME_HELPERS);

/**
 * drm_ph_shmem_unmap_mappings - shoot down every CPU mapping of an object
 * @phobj: the object
 *
 * Zaps the PTEs of all GEM mmaps and dma-buf mmaps of the object: both live in
 * the DRM device's address space at the object's fake offset. The next access
 * faults. Imported objects have no mappings of their own (theirs belong to
 * the exporter), so nothing happens for them.
 *
 * Locking: callers that must keep faults out until they are done (eviction)
 * hold &drm_ph_object.lock, which the fault handler takes; this takes the
 * address space's i_mmap lock inside it.
 */
void drm_ph_shmem_unmap_mappings(struct drm_ph_object *phobj)
{
	struct drm_gem_object *obj = &phobj->base;

	if (obj->import_attach)
		return;
	drm_vma_node_unmap(&obj->vma_node, obj->dev->anon_inode->i_mapping);
}
EXPORT_SYMBOL_NS_GPL(drm_ph_shmem_unmap_mappings, DRM_PRIME_HELPERS);

/*
 * Eviction proper, under the object's lock: if only the CPU mappings hold
 * the pages, shoot them down and give the pages back. The caller updates
 * the reclaim list.
 */
bool drm_ph_shmem_evict_locked(struct drm_ph_object *phobj, bool resv_held)
{
	lockdep_assert_held(&phobj->lock);

	if (phobj->store != DRM_PH_STORE_SHMEM || phobj->pin_count || phobj->vmap_use_count ||
	    (!phobj->mmap_pages && !phobj->map_pages))
		return false;
	/* The dma-buf mappings' pages: only with none left, which maps need the lock to change. */
	if (phobj->map_pages && (!resv_held || READ_ONCE(phobj->device_maps)))
		return false;
	/* Under the lock: no fault can re-insert a PFN we are freeing. */
	drm_ph_shmem_unmap_mappings(phobj);
	if (phobj->mmap_pages) {
		phobj->mmap_pages = false;
		drm_ph_shmem_put_pages_locked(phobj);
	}
	if (phobj->map_pages) {
		WRITE_ONCE(phobj->map_pages, false);
		drm_ph_shmem_put_pages_locked(phobj);
	}
	return true;
}

/*
 * Purge, under the object's lock: if it is purgeable (DONTNEED, no pin, no
 * vmap, no export), shoot the CPU mappings down, give the pages back and
 * truncate the shmem file: the memory is freed, the contents are gone.
 * Returns the pages that were in memory (what the purge freed), in
 * @resident; false if the object was not purgeable.
 */
bool drm_ph_shmem_purge_locked(struct drm_ph_object *phobj, unsigned long *resident)
{
	lockdep_assert_held(&phobj->lock);

	if (phobj->store != DRM_PH_STORE_SHMEM || phobj->madv != DRM_PH_MADV_DONTNEED ||
	    phobj->pin_count || phobj->vmap_use_count || phobj->export)
		return false;
	*resident = READ_ONCE(phobj->base.filp->f_mapping->nrpages);
	drm_ph_shmem_unmap_mappings(phobj);
	if (phobj->mmap_pages) {
		phobj->mmap_pages = false;
		drm_ph_shmem_put_pages_locked(phobj);
	}
	/* Not exported: the dma-buf's release gave its mappings' pages back. */
	if (WARN_ON_ONCE(phobj->pages_use_count))
		return false;
	shmem_truncate_range(file_inode(phobj->base.filp), 0, (loff_t)-1);
	phobj->madv = DRM_PH_MADV_PURGED;
	return true;
}

/**
 * drm_ph_shmem_madvise - say whether an object's contents are still needed
 * @phobj: a shmem object
 * @madv: %DRM_PH_MADV_DONTNEED: the shrinker may purge the object while it
 *        is idle (see &enum drm_ph_madv); %DRM_PH_MADV_WILLNEED: it may not
 * @retained: returns false if the contents were already purged (after
 *            WILLNEED the object then reads as zeroes), else true
 *
 * DONTNEED on a purged object leaves it purged.
 *
 * Locking: takes &drm_ph_object.lock and the device's reclaim lock.
 *
 * Returns: 0, or -EINVAL for another @madv or an object that is not a shmem
 * one (an import, a DMA object).
 */
int drm_ph_shmem_madvise(struct drm_ph_object *phobj, enum drm_ph_madv madv, bool *retained)
{
	if (phobj->store != DRM_PH_STORE_SHMEM ||
	    (madv != DRM_PH_MADV_WILLNEED && madv != DRM_PH_MADV_DONTNEED))
		return -EINVAL;

	mutex_lock(&phobj->lock);
	*retained = phobj->madv != DRM_PH_MADV_PURGED;
	if (*retained || madv == DRM_PH_MADV_WILLNEED)
		phobj->madv = madv;
	drm_ph_reclaim_update(phobj, false);
	mutex_unlock(&phobj->lock);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(drm_ph_shmem_madvise, DRM_PRIME_HELPERS);

/*
 * Eviction of an object whose pages dma-buf mappings may hold, under its
 * reservation lock and then its own lock, both taken by the caller. The
 * fences of whatever devices did with the pages must have signalled (no new
 * one can come while the reservation lock is held, but from the importers
 * told below); then the importers whose mappings are not pinned (dynamic
 * attachments, with CONFIG_DMABUF_MOVE_NOTIFY) are told, and may unmap from
 * there, which takes no lock we hold (the unmap only tries the object's
 * lock), and fence work that still uses the pages. The pages go only once no
 * mapping and no such fence is left.
 */
bool drm_ph_shmem_evict_mapped_locked(struct drm_ph_object *phobj)
{
	struct dma_resv *resv = phobj->base.resv;

	dma_resv_assert_held(resv);
	lockdep_assert_held(&phobj->lock);

	if (phobj->store != DRM_PH_STORE_SHMEM || phobj->pin_count || phobj->vmap_use_count)
		return false;
	if (!phobj->map_pages)
		return drm_ph_shmem_evict_locked(phobj, true);
	if (!dma_resv_test_signaled(resv, DMA_RESV_USAGE_BOOKKEEP))
		return false;
	/*
	 * Maps and unmaps run under the reservation lock, so @device_maps is
	 * stable here; while it is not zero an attachment is mapped, so the
	 * export is alive.
	 */
	if (phobj->device_maps) {
		dma_buf_move_notify(phobj->export);
		/*
		 * Told, an importer may have queued work that still uses the
		 * pages (a page-table update that unmaps them) and fenced it:
		 * the pages stay until it ends, as dma-buf's contract has it.
		 */
		if (phobj->device_maps || !dma_resv_test_signaled(resv, DMA_RESV_USAGE_BOOKKEEP))
			return false;
	}
	return drm_ph_shmem_evict_locked(phobj, true);
}

/*
 * The dma-buf mappings' use of the pages, once none is left (@device_maps is
 * zero, under the reservation lock the caller holds too).
 */
void drm_ph_shmem_put_map_pages_locked(struct drm_ph_object *phobj)
{
	lockdep_assert_held(&phobj->lock);

	if (!phobj->map_pages || WARN_ON_ONCE(phobj->device_maps))
		return;
	WRITE_ONCE(phobj->map_pages, false);
	drm_ph_shmem_put_pages_locked(phobj);
	drm_ph_reclaim_update(phobj, false);
}

/**
 * drm_ph_shmem_evict - give an object's pages back to shmem
 * @phobj: the object
 *
 * If the object is a shmem one, neither pinned nor vmapped, and its pages are
 * held for CPU mappings and unpinned dma-buf mappings only, waits for the
 * object's fences, tells the importers of those mappings (move_notify, with
 * the object's lock held), waits for the fences they added when told, shoots
 * down every CPU mapping and releases the pages, marked dirty so shmem keeps
 * their contents (in memory or swap). The next access faults them back in.
 * An importer that keeps its mapping after move_notify keeps the pages.
 *
 * Locking: takes the reservation lock (interruptible: a signal leaves the
 * object as it was), waits for the object's fences if dma-buf mappings hold
 * its pages, then takes &drm_ph_object.lock, then the device's reclaim lock;
 * if the importers, told, unmapped and fenced work on the pages, drops the
 * object's lock, waits for those fences with the reservation lock held, and
 * takes it again to evict (without telling them a second time).
 *
 * Returns: true if the pages were released.
 */
bool drm_ph_shmem_evict(struct drm_ph_object *phobj)
{
	struct dma_resv *resv = phobj->base.resv;
	bool evicted = false;
	int tries;

	/* Imports have no pages of their own, DMA objects keep theirs. */
	if (phobj->store != DRM_PH_STORE_SHMEM)
		return false;

	if (dma_resv_lock_interruptible(resv, NULL))
		return false;
	/*
	 * Twice at most: the second time only if what the importers fenced
	 * when told is all that is left (no mapping, so no second move_notify).
	 */
	for (tries = 0; tries < 2; tries++) {
		/* Without the object's lock: faults need not wait for the devices. */
		if (READ_ONCE(phobj->map_pages) &&
		    dma_resv_wait_timeout(resv, DMA_RESV_USAGE_BOOKKEEP, true,
					  MAX_SCHEDULE_TIMEOUT) <= 0)
			break;
		mutex_lock(&phobj->lock);
		evicted = drm_ph_shmem_evict_mapped_locked(phobj);
		drm_ph_reclaim_update(phobj, false);
		mutex_unlock(&phobj->lock);
		if (evicted || phobj->device_maps || !READ_ONCE(phobj->map_pages) ||
		    dma_resv_test_signaled(resv, DMA_RESV_USAGE_BOOKKEEP))
			break;
	}
	dma_resv_unlock(resv);
	return evicted;
}
EXPORT_SYMBOL_NS_GPL(drm_ph_shmem_evict, DRM_PRIME_HELPERS);

/*
 * The dma-buf mappings' use of the pages (drm_ph_dmabuf_ops.c): one for all
 * of them, taken by the first map and given back by the last unmap, by
 * eviction (when the last unmap found the object's lock taken: eviction
 * holds it while the importers unmap) or when the dma-buf is released, as
 * the fault path keeps one for the CPU mappings.
 */
int drm_ph_shmem_get_map_pages(struct drm_ph_object *phobj)
{
	int ret = 0;

	mutex_lock(&phobj->lock);
	if (!phobj->map_pages) {
		ret = drm_ph_shmem_get_pages_locked(phobj);
		if (!ret) {
			WRITE_ONCE(phobj->map_pages, true);
			drm_ph_reclaim_update(phobj, false);
		}
	}
	mutex_unlock(&phobj->lock);
	return ret;
}

static unsigned int fault_around_pages = 512;
module_param(fault_around_pages, uint, 0644);
MODULE_PARM_DESC(fault_around_pages,
		 "pages a CPU fault maps around the faulting one (power of two, 1-512; 1: only that page)");

/*
 * The window of pages one fault maps around the faulting @page: aligned to
 * its size (a power of two, at most one page table's worth), clipped to the
 * VMA and to the end of the object (mmap only checks where a VMA starts).
 */
static void drm_ph_shmem_fault_window(struct vm_fault *vmf, pgoff_t page, pgoff_t npages,
				      unsigned long *first, unsigned long *last)
{
	unsigned long pages = clamp(READ_ONCE(fault_around_pages), 1U, PTRS_PER_PTE);
	unsigned long size = rounddown_pow_of_two(pages) << PAGE_SHIFT;
	unsigned long start = ALIGN_DOWN(vmf->address, size);

	*first = max(start, vmf->vma->vm_start);
	*last = min3(start + size, vmf->vma->vm_end,
		     vmf->address + ((npages - page) << PAGE_SHIFT));
}

static vm_fault_t drm_ph_shmem_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct drm_gem_object *obj = vma->vm_private_data;
	struct drm_ph_object *phobj = to_drm_ph_object(obj);
	pgoff_t page = vmf->pgoff - drm_vma_node_start(&obj->vma_node);
	pgoff_t around, npages = drm_ph_shmem_npages(phobj);
	unsigned long addr, first, last;
	vm_fault_t ret;
	int err;

	if (page >= npages)
		return VM_FAULT_SIGBUS;

	mutex_lock(&phobj->lock);
	if (!phobj->mmap_pages) {
		/*
		 * No pages, no mapping: SIGBUS, as for a page past the end.
		 * VM_FAULT_OOM would make the fault retry forever on an object
		 * too big to back, since these allocations never OOM-kill.
		 */
		err = drm_ph_shmem_get_pages_locked(phobj);
		if (err) {
			ret = VM_FAULT_SIGBUS;
			goto out;
		}
		phobj->mmap_pages = true;
	}
	/* Used now: the last the shrinker would pick. */
	drm_ph_reclaim_update(phobj, true);
	/*
	 * Another fault of this range may have mapped it with one PMD while
	 * this one waited for the lock (both saw an empty PMD before taking
	 * it). The access is mapped now: let it retry. A PTE inserted here
	 * would be written into the huge page itself.
	 */
	if (drm_ph_huge_pmd_mapped(vmf)) {
		ret = VM_FAULT_NOPAGE;
		goto out;
	}
	if (drm_ph_huge_map_pmd(vmf, phobj, page)) {
		phobj->faults++;
		phobj->pmd_faults++;
		ret = VM_FAULT_NOPAGE;
		goto out;
	}
	ret = vmf_insert_pfn(vma, vmf->address, page_to_pfn(phobj->pages[page]));
	if (ret & VM_FAULT_ERROR)
		goto out;
	phobj->faults++;

	/*
	 * All the object's pages are held from the first fault on, so the
	 * neighbours can be mapped now rather than one fault each: sequential
	 * first touch then takes one fault per window instead of per page.
	 * Under the object's lock, like the faulting page, so eviction's
	 * shootdown cannot interleave. Failures only cost later faults.
	 */
	drm_ph_shmem_fault_window(vmf, page, npages, &first, &last);
	around = page - ((vmf->address - first) >> PAGE_SHIFT);
	for (addr = first; addr < last; addr += PAGE_SIZE, around++) {
		if (addr == vmf->address)
			continue;
		if (vmf_insert_pfn(vma, addr, page_to_pfn(phobj->pages[around])) & VM_FAULT_ERROR)
			break;
	}
out:
	mutex_unlock(&phobj->lock);
	return ret;
}

static void drm_ph_shmem_mapping_opened(struct drm_ph_object *phobj)
{
	mutex_lock(&phobj->lock);
	phobj->cpu_mappings++;
	mutex_unlock(&phobj->lock);
}

/*
 * The last CPU mapping of a shmem object is gone, and with it every PFN that
 * pointed at its pages (the core zaps a VMA before closing it): give the
 * pages back to shmem, dirty, so that they can be swapped out and keep their
 * contents. The next mmap faults them back in. A DMA object's pages are its
 * store's, held until it is freed.
 */
static void drm_ph_shmem_mapping_closed(struct drm_ph_object *phobj)
{
	mutex_lock(&phobj->lock);
	if (!WARN_ON_ONCE(!phobj->cpu_mappings) && !--phobj->cpu_mappings &&
	    phobj->store == DRM_PH_STORE_SHMEM && phobj->mmap_pages) {
		phobj->mmap_pages = false;
		drm_ph_shmem_put_pages_locked(phobj);
		drm_ph_reclaim_update(phobj, false);
	}
	mutex_unlock(&phobj->lock);
}

/* A VMA was split or copied (fork, mremap): one more mapping to close. */
static void drm_ph_shmem_vm_open(struct vm_area_struct *vma)
{
	drm_ph_shmem_mapping_opened(to_drm_ph_object(vma->vm_private_data));
	drm_gem_vm_open(vma);
}

static void drm_ph_shmem_vm_close(struct vm_area_struct *vma)
{
	drm_ph_shmem_mapping_closed(to_drm_ph_object(vma->vm_private_data));
	/* Drops the VMA's reference on the object: last. */
	drm_gem_vm_close(vma);
}

static const struct vm_operations_struct drm_ph_shmem_vm_ops = {
	.fault = drm_ph_shmem_fault,
	.open = drm_ph_shmem_vm_open,
	.close = drm_ph_shmem_vm_close,
};

/*
 * VMA setup shared by the GEM mmap and the dma-buf mmap of own objects. On
 * success the VMA counts as a CPU mapping, which its close undoes (also when
 * the core fails the mmap after this).
 */
static int drm_ph_shmem_setup_vma(struct drm_ph_object *phobj, struct vm_area_struct *vma)
{
	/* PFN mappings cannot be copied on write. */
	if (is_cow_mapping(vma->vm_flags))
		return -EINVAL;

	drm_ph_compat_vm_flags_set(vma, VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_page_prot = vm_get_page_prot(vma->vm_flags);
	drm_ph_shmem_mapping_opened(phobj);
	return 0;
}

/*
 * dma_buf_ops.mmap of an exported object: the same VMA as a GEM mmap, at the
 * object's fake offset, so faults and shootdowns treat both alike.
 */
int drm_ph_shmem_mmap_exported(struct drm_ph_object *phobj, struct vm_area_struct *vma)
{
	struct drm_gem_object *obj = &phobj->base;
	int ret;

	ret = drm_ph_shmem_setup_vma(phobj, vma);
	if (ret)
		return ret;

	vma->vm_pgoff += drm_vma_node_start(&obj->vma_node);
	drm_gem_object_get(obj);	/* dropped by drm_gem_vm_close() */
	vma->vm_private_data = obj;
	vma->vm_ops = &drm_ph_shmem_vm_ops;
	return 0;
}

static int drm_ph_shmem_gem_mmap(struct drm_gem_object *obj, struct vm_area_struct *vma)
{
	int ret;

	if (!obj->import_attach)
		return drm_ph_shmem_setup_vma(to_drm_ph_object(obj), vma);

	/*
	 * The exporter's mmap takes over the VMA (file, ops, private data), so
	 * the reference drm_gem_mmap_obj() took for our vm_ops->close has no
	 * owner any more once it succeeds.
	 */
	vma->vm_private_data = NULL;
	vma->vm_ops = NULL;
	ret = dma_buf_mmap(obj->import_attach->dmabuf, vma, 0);
	if (ret)
		return ret;
	drm_gem_object_put(obj);
	/*
	 * A buffer does not grow: no mremap() may extend the mapping past it,
	 * whatever the exporter set (6.1's udmabuf and CMA heap set nothing,
	 * and the core warns about a GEM mmap that may expand).
	 */
	drm_ph_compat_vm_flags_set(vma, VM_DONTEXPAND);
	return 0;
}

/*
 * @dma_buf, exported from the object, was released. The object is not
 * exported any more, unless a new export already replaced a dying one.
 */
void drm_ph_shmem_export_released(struct drm_ph_object *phobj, struct dma_buf *dma_buf)
{
	mutex_lock(&phobj->lock);
	if (phobj->export == dma_buf)
		phobj->export = NULL;
	/* Its attachments are gone, and with them its mappings. */
	if (!phobj->export)
		drm_ph_shmem_put_map_pages_locked(phobj);
	drm_ph_reclaim_update(phobj, false);
	mutex_unlock(&phobj->lock);
}

static int drm_ph_shmem_gem_pin(struct drm_gem_object *obj)
{
	drm_ph_compat_assert_pin_hook_locked(obj);
	return drm_ph_shmem_pin(to_drm_ph_object(obj));
}

static void drm_ph_shmem_gem_unpin(struct drm_gem_object *obj)
{
	drm_ph_compat_assert_pin_hook_locked(obj);
	drm_ph_shmem_unpin(to_drm_ph_object(obj));
}

/* The core calls the vmap hooks with the reservation lock held on 6.2+. */
static int drm_ph_shmem_gem_vmap(struct drm_gem_object *obj, struct iosys_map *map)
{
	drm_ph_compat_assert_vmap_hook_locked(obj);
	if (obj->import_attach)
		return drm_ph_compat_dma_buf_vmap_from_gem_hook(obj->import_attach->dmabuf, map);
	return drm_ph_shmem_vmap_pages(to_drm_ph_object(obj), map);
}

static void drm_ph_shmem_gem_vunmap(struct drm_gem_object *obj, struct iosys_map *map)
{
	drm_ph_compat_assert_vmap_hook_locked(obj);
	if (obj->import_attach)
		drm_ph_compat_dma_buf_vunmap_from_gem_hook(obj->import_attach->dmabuf, map);
	else
		drm_ph_shmem_vunmap_pages(to_drm_ph_object(obj), map);
}

static void drm_ph_shmem_release_import(struct drm_ph_object *phobj)
{
	struct dma_buf_attachment *attach = phobj->base.import_attach;
	struct dma_buf *dma_buf = attach->dmabuf;

	if (dma_buf_attachment_is_dynamic(attach)) {
		/* Its mapping comes and goes under the reservation lock. */
		dma_resv_lock(dma_buf->resv, NULL);
		if (phobj->import_sgt)
			dma_buf_unmap_attachment(attach, phobj->import_sgt, DMA_BIDIRECTIONAL);
		phobj->import_sgt = NULL;
		dma_resv_unlock(dma_buf->resv);
	} else {
		drm_ph_compat_unmap_attachment_unlocked(attach, phobj->import_sgt,
							DMA_BIDIRECTIONAL);
	}
	dma_buf_detach(dma_buf, attach);
	/* The reference the import took (see drm_ph_gem_prime_import()). */
	dma_buf_put(dma_buf);
}

static void drm_ph_shmem_free(struct drm_gem_object *obj)
{
	struct drm_ph_object *phobj = to_drm_ph_object(obj);

	/* Out of debugfs' sight first: it reads the list entry. */
	drm_ph_device_remove_object(phobj);
	drm_ph_reclaim_forget(phobj);

	if (phobj->store == DRM_PH_STORE_IMPORT) {
		/* A failed import may not have got as far as import_attach. */
		if (obj->import_attach)
			drm_ph_shmem_release_import(phobj);
		drm_ph_stat_dec(DRM_PH_STAT_IMPORTS);
	} else {
		/* Every pin, vmap and export holds a reference: none is left. */
		WARN_ON(phobj->pin_count || phobj->vmap_use_count || phobj->device_maps ||
			phobj->map_pages || phobj->export || !list_empty(&phobj->attachments));
		mutex_lock(&phobj->lock);
		if (phobj->mmap_pages) {
			phobj->mmap_pages = false;
			drm_ph_shmem_put_pages_locked(phobj);
		}
		WARN_ON(phobj->pages);
		mutex_unlock(&phobj->lock);
	}

	drm_gem_object_release(obj);
	mutex_destroy(&phobj->lock);
	kfree(phobj);
	drm_ph_stat_dec(DRM_PH_STAT_OBJECTS);
}

static const struct drm_gem_object_funcs drm_ph_shmem_funcs = {
	.free = drm_ph_shmem_free,
	.close = drm_ph_prime_handle_closed,
	.export = drm_ph_gem_prime_export,
	.pin = drm_ph_shmem_gem_pin,
	.unpin = drm_ph_shmem_gem_unpin,
	.vmap = drm_ph_shmem_gem_vmap,
	.vunmap = drm_ph_shmem_gem_vunmap,
	.mmap = drm_ph_shmem_gem_mmap,
	.vm_ops = &drm_ph_shmem_vm_ops,
	DRM_PH_COMPAT_GEM_MEMORY_STATS_FUNCS
};

/**
 * drm_ph_is_object - whether a GEM object was created by the library
 * @obj: any GEM object
 *
 * Locking: none.
 *
 * Returns: true for objects of drm_ph_shmem_create() and imports.
 */
bool drm_ph_is_object(struct drm_gem_object *obj)
{
	return obj->funcs == &drm_ph_shmem_funcs;
}
EXPORT_SYMBOL_NS_GPL(drm_ph_is_object, DRM_PRIME_HELPERS);

/*
 * The part of creation all stores share: a GEM object, with a shmem file or
 * without one (DMA objects and imports). Not yet in the device's registry:
 * the store finishes the object, then drm_ph_object_publish() lists it, so
 * debugfs and eviction never see one half made.
 */
struct drm_ph_object *drm_ph_object_create(struct drm_device *drm, size_t size, bool with_shmem)
{
	struct drm_ph_object *phobj;
	int ret;

	size = PAGE_ALIGN(size);
	if (!size)
		return ERR_PTR(-EINVAL);

	phobj = kzalloc(sizeof(*phobj), GFP_KERNEL);
	if (!phobj)
		return ERR_PTR(-ENOMEM);
	mutex_init(&phobj->lock);
	INIT_LIST_HEAD(&phobj->lru);
	INIT_LIST_HEAD(&phobj->attachments);
	phobj->base.funcs = &drm_ph_shmem_funcs;

	if (with_shmem) {
		ret = drm_ph_huge_gem_object_init(drm, &phobj->base, size);
		if (ret)
			goto err_free;
		/*
		 * Held pages are unevictable and may be pinned for DMA for a
		 * long time: keep them out of ZONE_MOVABLE, and fail (quietly:
		 * userspace chose the size) rather than invoke the OOM killer
		 * for a huge buffer.
		 */
		mapping_set_gfp_mask(phobj->base.filp->f_mapping,
				     GFP_HIGHUSER | __GFP_RETRY_MAYFAIL | __GFP_NOWARN);
	} else {
		drm_gem_private_object_init(drm, &phobj->base, size);
	}

	drm_ph_stat_inc(DRM_PH_STAT_OBJECTS);
	return phobj;

err_free:
	mutex_destroy(&phobj->lock);
	kfree(phobj);
	return ERR_PTR(ret);
}

/**
 * drm_ph_shmem_create - create a shmem-backed object
 * @drm: device, embedded in a &struct drm_ph_device
 * @size: size in bytes, rounded up to whole pages
 *
 * Allocates no memory for the contents: pages come from shmem when the
 * object is first faulted, pinned or vmapped, zero-filled.
 *
 * Locking: none.
 *
 * Returns: the object with one reference, or an ERR_PTR() (-EINVAL for a
 * zero size, -ENOMEM).
 */
struct drm_ph_object *drm_ph_shmem_create(struct drm_device *drm, size_t size)
{
	struct drm_ph_object *phobj = drm_ph_object_create(drm, size, true);

	return IS_ERR(phobj) ? phobj : drm_ph_object_publish(phobj);
}
EXPORT_SYMBOL_NS_GPL(drm_ph_shmem_create, DRM_PRIME_HELPERS);

/* An object wrapping a foreign dma-buf's mapping @sgt, not yet published. */
struct drm_ph_object *drm_ph_import_object_create(struct drm_device *drm,
						  struct dma_buf_attachment *attach,
						  struct sg_table *sgt)
{
	struct drm_ph_object *phobj;

	phobj = drm_ph_object_create(drm, attach->dmabuf->size, false);
	if (IS_ERR(phobj))
		return phobj;

	phobj->store = DRM_PH_STORE_IMPORT;
	/* Shared before anyone can find the object (debugfs locks it). */
	phobj->base.resv = attach->dmabuf->resv;
	phobj->import_sgt = sgt;
	drm_ph_stat_inc(DRM_PH_STAT_IMPORTS);
	return phobj;
}

/*
 * Lists a finished object in its device's registry. On failure the object
 * is put, which frees it (it has no other reference yet).
 */
struct drm_ph_object *drm_ph_object_publish(struct drm_ph_object *phobj)
{
	int ret = drm_ph_device_add_object(phobj);

	if (ret) {
		drm_gem_object_put(&phobj->base);
		return ERR_PTR(ret);
	}
	return phobj;
}

/**
 * drm_ph_shmem_prime_import_sg_table - &drm_driver.gem_prime_import_sg_table
 * @drm: importing device
 * @attach: the attachment of @drm to the foreign dma-buf
 * @sgt: the dma-buf's pages, mapped for @drm
 *
 * Wraps a foreign dma-buf in an object without pages of its own. The caller
 * (drm_ph_gem_prime_import()) then sets &drm_gem_object.import_attach and
 * shares the dma-buf's reservation object; the object's free callback
 * unmaps @sgt, detaches and drops the dma-buf reference the import took.
 *
 * Locking: none.
 *
 * Returns: the object with one reference, or an ERR_PTR().
 */
struct drm_gem_object *drm_ph_shmem_prime_import_sg_table(struct drm_device *drm,
							  struct dma_buf_attachment *attach,
							  struct sg_table *sgt)
{
	struct drm_ph_object *phobj;

	phobj = drm_ph_import_object_create(drm, attach, sgt);
	if (IS_ERR(phobj))
		return ERR_CAST(phobj);
	phobj = drm_ph_object_publish(phobj);
	return IS_ERR(phobj) ? ERR_CAST(phobj) : &phobj->base;
}
EXPORT_SYMBOL_NS_GPL(drm_ph_shmem_prime_import_sg_table, DRM_PRIME_HELPERS);

/**
 * drm_ph_shmem_dumb_create - &drm_driver.dumb_create on shmem objects
 * @file: DRM file that gets the handle
 * @drm: device
 * @args: width, height and bpp in; pitch, size and handle out
 *
 * The pitch is the smallest that holds a line, the size whole pages. The core
 * has already refused zero dimensions and overflowing sizes.
 *
 * Locking: none.
 *
 * Returns: 0 or a negative errno.
 */
int drm_ph_shmem_dumb_create(struct drm_file *file, struct drm_device *drm,
			     struct drm_mode_create_dumb *args)
{
	u64 pitch = DIV_ROUND_UP((u64)args->width * args->bpp, 8);
	u64 size = PAGE_ALIGN(pitch * args->height);
	struct drm_ph_object *phobj;
	int ret;

	if (!pitch || pitch > U32_MAX || !size || size > SIZE_MAX)
		return -EINVAL;

	phobj = drm_ph_shmem_create(drm, size);
	if (IS_ERR(phobj))
		return PTR_ERR(phobj);

	ret = drm_gem_handle_create(file, &phobj->base, &args->handle);
	/* The handle holds the object now, or nothing does. */
	drm_gem_object_put(&phobj->base);
	if (ret)
		return ret;

	args->pitch = pitch;
	args->size = size;
	return 0;
}
EXPORT_SYMBOL_NS_GPL(drm_ph_shmem_dumb_create, DRM_PRIME_HELPERS);

/**
 * drm_ph_shmem_dumb_map_offset - &drm_driver.dumb_map_offset
 * @file: DRM file owning @handle
 * @drm: device
 * @handle: the object's handle
 * @offset: returns the fake offset to mmap the DRM file at
 *
 * Works for imported objects too: their mmap is redirected to the exporter.
 *
 * Locking: none.
 *
 * Returns: 0, -ENOENT for an unknown handle, or another negative errno.
 */
int drm_ph_shmem_dumb_map_offset(struct drm_file *file, struct drm_device *drm,
				 u32 handle, u64 *offset)
{
	struct drm_gem_object *obj;
	int ret;

	obj = drm_gem_object_lookup(file, handle);
	if (!obj)
		return -ENOENT;

	ret = drm_gem_create_mmap_offset(obj);
	if (!ret)
		*offset = drm_vma_node_offset_addr(&obj->vma_node);
	drm_gem_object_put(obj);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(drm_ph_shmem_dumb_map_offset, DRM_PRIME_HELPERS);
