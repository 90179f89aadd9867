// SPDX-License-Identifier: GPL-2.0
/*
 * Per-device debugfs files of the PRIME helper library.
 */

/**
 * DOC: debugfs
 *
 * In the directory of a device's primary minor (/sys/kernel/debug/dri/<N>/):
 *
 * ph_objects (read-only) lists the device's live objects. The first line is
 * ``objects: <count>``, the second a header: ``#`` and the names of the
 * columns (``id size handles exported imported pins vmaps faults offset
 * store segments huge pmd_faults evictable purgeable madv resident swapped
 * maps``, one space
 * apart), then one
 * line per object: its per-device id, size in bytes, handle count,
 * whether a dma-buf exported from it exists, whether it is imported, its pin
 * count, vmap use count, CPU page faults served so far, its fake mmap offset
 * (0x0 until one is created), its backing store (``shmem``, ``dma`` or
 * ``import``) and its segments: how many physically contiguous extents its
 * pages form while it holds them (0 while it does not), or for an import how
 * many contiguous ranges of DMA addresses its mapping for the device has; then
 * how many of its held pages are PMD-sized huge folios (see "huge pages"),
 * how many of its faults mapped one with a PMD entry, whether it is on the
 * shrinker's list of evictable objects and on its list of purgeable ones (see
 * "reclaim"), its &enum drm_ph_madv (0 WILLNEED, 1 DONTNEED, 2 PURGED), and
 * how many of its pages are in RAM and how many in swap now (see "fdinfo
 * memory statistics"; 0 and 0 for an import), and how many dma-buf
 * mappings of its export are live (see "dma-buf operations"). An import
 * whose mapping is gone or busy (a dynamic one) has 0 segments.
 *
 * ph_shrinker also counts the purgeable objects and pages and what the walks
 * purged (``purgeable_objects``, ``purgeable_pages``, ``purged_objects``,
 * ``purged_pages``).
 *
 * ph_evict (write-only): writing a true value (``1``) runs
 * drm_ph_device_evict() on the device.
 *
 * ph_shrinker (read-only): the device's reclaim state (see "reclaim"), one
 * ``name value`` per line: ``evictable_objects`` and ``evictable_pages`` (on
 * the shrinker's list now), ``scans`` (walks of the list, by the kernel's
 * reclaim or ph_shrink), ``evicted_objects`` and ``evicted_pages`` (what
 * those walks evicted).
 *
 * ph_shrink (write-only): writing a number of pages runs
 * drm_ph_device_shrink() for that many, as the kernel's reclaim would.
 *
 * The files hold a pointer to the &struct drm_ph_device; the DRM core removes
 * them when the minor is unregistered, before the device can be freed.
 */

#include <linux/debugfs.h>
#include <linux/dma-resv.h>
#include <linux/fs.h>
#include <linux/kstrtox.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/seq_file.h>
#include <linux/xarray.h>

#include <drm/drm_file.h>
#include <drm/drm_ph.h>
#include <drm/drm_vma_manager.h>

#include "drm_ph_internal.h"

static const char *const drm_ph_store_names[] = {
	[DRM_PH_STORE_SHMEM] = "shmem",
	[DRM_PH_STORE_DMA] = "dma",
	[DRM_PH_STORE_IMPORT] = "import",
};

/* Contiguous extents of what backs the object; the caller holds its lock. */
static unsigned int drm_ph_object_segments(struct drm_ph_object *phobj)
{
	unsigned int segments = 0;
	struct scatterlist *sg;
	dma_addr_t next = 0;
	pgoff_t i;

	if (phobj->store == DRM_PH_STORE_IMPORT) {
		/*
		 * A dynamic import's mapping changes under the dma-buf's
		 * reservation lock, shared from creation; never wait for it
		 * here, under the object's lock.
		 */
		if (!dma_resv_trylock(phobj->base.resv))
			return 0;
		if (phobj->import_sgt) {
			for_each_sgtable_dma_sg(phobj->import_sgt, sg, i) {
				if (!segments || sg_dma_address(sg) != next)
					segments++;
				next = sg_dma_address(sg) + sg_dma_len(sg);
			}
		}
		dma_resv_unlock(phobj->base.resv);
		return segments;
	}
	if (!phobj->pages)
		return 0;
	for (i = 0; i < phobj->base.size >> PAGE_SHIFT; i++)
		if (!i || page_to_pfn(phobj->pages[i]) != page_to_pfn(phobj->pages[i - 1]) + 1)
			segments++;
	return segments;
}

static int drm_ph_objects_show(struct seq_file *m, void *unused)
{
	struct drm_ph_device *phdev = m->private;
	struct drm_ph_object *phobj;
	unsigned long count = 0;
	unsigned long id;

	/* Objects leave the registry under this lock before being freed. */
	mutex_lock(&phdev->objects_lock);
	xa_for_each(&phdev->objects, id, phobj)
		count++;
	seq_printf(m, "objects: %lu\n", count);
	seq_puts(m, "# id size handles exported imported pins vmaps faults offset store segments huge pmd_faults evictable purgeable madv resident swapped maps\n");
	xa_for_each(&phdev->objects, id, phobj) {
		struct drm_gem_object *obj = &phobj->base;

		unsigned long resident, swapped;

		mutex_lock(&phobj->lock);
		drm_ph_object_residency(phobj, &resident, &swapped);
		seq_printf(m, "%u %zu %u %d %d %u %u %u 0x%llx %s %u %u %u %d %d %u %lu %lu %u\n",
			   phobj->id, obj->size, READ_ONCE(obj->handle_count),
			   phobj->export ? 1 : 0, obj->import_attach ? 1 : 0,
			   phobj->pin_count, phobj->vmap_use_count, phobj->faults,
			   drm_vma_node_offset_addr(&obj->vma_node),
			   drm_ph_store_names[phobj->store], drm_ph_object_segments(phobj),
			   drm_ph_huge_folios(phobj), phobj->pmd_faults,
			   drm_ph_reclaim_listed(phobj, false), drm_ph_reclaim_listed(phobj, true),
			   phobj->madv, resident, swapped, READ_ONCE(phobj->device_maps));
		mutex_unlock(&phobj->lock);
	}
	mutex_unlock(&phdev->objects_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(drm_ph_objects);

static int drm_ph_shrinker_show(struct seq_file *m, void *unused)
{
	drm_ph_reclaim_show(m, m->private);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(drm_ph_shrinker);

static ssize_t drm_ph_shrink_write(struct file *f, const char __user *buf, size_t len,
				   loff_t *pos)
{
	struct drm_ph_device *phdev = file_inode(f)->i_private;
	unsigned long nr_pages;
	int ret;

	ret = kstrtoul_from_user(buf, len, 0, &nr_pages);
	if (ret)
		return ret;
	drm_ph_device_shrink(phdev, nr_pages);
	return len;
}

static const struct file_operations drm_ph_shrink_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = drm_ph_shrink_write,
	.llseek = noop_llseek,
};

static ssize_t drm_ph_evict_write(struct file *f, const char __user *buf, size_t len,
				  loff_t *pos)
{
	struct drm_ph_device *phdev = file_inode(f)->i_private;
	bool evict;
	int ret;

	ret = kstrtobool_from_user(buf, len, &evict);
	if (ret)
		return ret;
	if (evict)
		drm_ph_device_evict(phdev);
	return len;
}

static const struct file_operations drm_ph_evict_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = drm_ph_evict_write,
	.llseek = noop_llseek,
};

/**
 * drm_ph_debugfs_init - &drm_driver.debugfs_init of the library
 * @minor: a minor of a device embedded in a &struct drm_ph_device
 *
 * Creates ph_objects, ph_evict, ph_shrinker and ph_shrink in the primary
 * minor's directory; other minors get nothing.
 *
 * Locking: none.
 */
void drm_ph_debugfs_init(struct drm_minor *minor)
{
	struct drm_ph_device *phdev = to_drm_ph_device(minor->dev);

	if (minor->type != DRM_MINOR_PRIMARY)
		return;

	debugfs_create_file("ph_objects", 0444, minor->debugfs_root, phdev, &drm_ph_objects_fops);
	debugfs_create_file("ph_evict", 0200, minor->debugfs_root, phdev, &drm_ph_evict_fops);
	debugfs_create_file("ph_shrinker", 0444, minor->debugfs_root, phdev,
			    &drm_ph_shrinker_fops);
	debugfs_create_file("ph_shrink", 0200, minor->debugfs_root, phdev, &drm_ph_shrink_fops);
}
EXPORT_SYMBOL_NS_GPL(drm_ph_debugfs_init, DRM_PRIME_HELPERS);
