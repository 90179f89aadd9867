// SPDX-License-Identifier: GPL-2.0
/*
 * fdinfo memory statistics of the PRIME helpers' objects.
 */

#include <linux/atomic.h>
#include <linux/idr.h>
#include <linux/pci.h>
#include <linux/seq_file.h>
#include <linux/shmem_fs.h>
#include <linux/sizes.h>

#include <drm/drm_device.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_ph.h>

#include "drm_ph_compat.h"
#include "drm_ph_internal.h"

/**
 * DOC: fdinfo memory statistics
 *
 * Every open file of a driver on the library shows, in
 * ``/proc/<pid>/fdinfo/<fd>``, the keys of the kernel's DRM usage-stats
 * format for the objects it holds handles to, one region called
 * ``memory``:
 *
 * ``drm-total-memory``
 *	the size of every handle's object (an object with two handles in
 *	the file counts twice, as in the core);
 * ``drm-shared-memory``
 *	of those, objects with handles in more than one place or a dma-buf
 *	(exported, or an import);
 * ``drm-active-memory``
 *	resident memory of objects with unsignalled fences;
 * ``drm-resident-memory``
 *	memory that is in RAM now: the object's pages in its shmem file's
 *	page cache (pages the shrinker evicted count until the kernel writes
 *	them to swap), the whole of a DMA-contiguous object, nothing for an
 *	import (its exporter's file counts it);
 * ``drm-purgeable-memory``
 *	resident memory of idle objects that the shrinker would purge now:
 *	marked DONTNEED, not exported, not pinned or vmapped.
 *
 * Kernels with drm_show_memory_stats() (6.12) print these through the core
 * from &drm_gem_object_funcs.status and .rss; on older ones (6.1) the
 * library prints the same keys, with the same rules, and the
 * ``drm-driver``, ``drm-client-id`` and ``drm-pdev`` keys the core would
 * print. The figures are a snapshot taken without the objects' locks, as
 * the core takes them: an object changing meanwhile is counted in its old or
 * its new state.
 */

/* Page cache of a shmem object: its pages in RAM, with or without us holding them. */
static size_t drm_ph_shmem_resident(struct drm_ph_object *phobj)
{
	/* Counted under the page cache's own lock; a snapshot needs no lock. */
	unsigned long pages = data_race(phobj->base.filp->f_mapping->nrpages);

	return min_t(size_t, (size_t)pages << PAGE_SHIFT, phobj->base.size);
}

/**
 * drm_ph_object_rss - bytes of a library object in RAM now
 * @obj: a GEM object created by the library
 *
 * &drm_gem_object_funcs.rss: see the fdinfo section of the guide.
 *
 * Locking: none needed (called under the file's table spinlock); a snapshot.
 *
 * Returns: the resident size in bytes.
 */
size_t drm_ph_object_rss(struct drm_gem_object *obj)
{
	struct drm_ph_object *phobj = to_drm_ph_object(obj);

	/*
	 * By the store, which is set before the object is listed anywhere: an
	 * import is in the device's registry before its attachment is set.
	 */
	switch (phobj->store) {
	case DRM_PH_STORE_SHMEM:
		return drm_ph_shmem_resident(phobj);
	case DRM_PH_STORE_DMA:
		return obj->size;
	default:
		return 0;
	}
}

/**
 * drm_ph_object_status - fdinfo status bits of a library object
 * @obj: a GEM object created by the library
 *
 * &drm_gem_object_funcs.status: resident when some of its memory is in RAM,
 * purgeable when the shrinker would purge it now.
 *
 * Locking: none needed (called under the file's table spinlock); a snapshot.
 *
 * Returns: a mask of &enum drm_gem_object_status bits.
 */
enum drm_gem_object_status drm_ph_object_status(struct drm_gem_object *obj)
{
	enum drm_gem_object_status status = 0;

	if (drm_ph_object_rss(obj))
		status |= DRM_GEM_OBJECT_RESIDENT;
	if (drm_ph_reclaim_purgeable_snapshot(to_drm_ph_object(obj)))
		status |= DRM_GEM_OBJECT_PURGEABLE;
	return status;
}

/* For debugfs: pages in RAM and in swap now (a snapshot, as for fdinfo). */
void drm_ph_object_residency(struct drm_ph_object *phobj, unsigned long *resident,
			     unsigned long *swapped)
{
	*resident = drm_ph_object_rss(&phobj->base) >> PAGE_SHIFT;
	*swapped = 0;
	if (phobj->store != DRM_PH_STORE_SHMEM)
		return;
	/* Counted under shmem's inode lock; a snapshot needs no lock. */
	*swapped = data_race(SHMEM_I(file_inode(phobj->base.filp))->swapped);
}

static atomic64_t drm_ph_next_client_id = ATOMIC64_INIT(0);

/* fdinfo's drm-client-id of a new file: the core's where it has one. */
u64 drm_ph_fdinfo_client_id(struct drm_file *file)
{
	return drm_ph_compat_core_client_id(file) ?: atomic64_inc_return(&drm_ph_next_client_id);
}

struct drm_ph_memory_stats {
	u64 shared;
	u64 private;
	u64 active;
	u64 resident;
	u64 purgeable;
	bool with_status;
};

/* The core's rules, for kernels where the core does not apply them itself. */
static void drm_ph_memory_stats_add(struct drm_ph_memory_stats *stats, struct drm_gem_object *obj)
{
	enum drm_gem_object_status status = 0;
	u64 rss = obj->size;

	if (drm_ph_is_object(obj)) {
		status = drm_ph_object_status(obj);
		rss = drm_ph_object_rss(obj);
		stats->with_status = true;
	}
	/* Both change under the device's object_name_lock: a snapshot, as the core's. */
	if (data_race(obj->handle_count) > 1 || data_race(obj->dma_buf))
		stats->shared += obj->size;
	else
		stats->private += obj->size;
	if (status & DRM_GEM_OBJECT_RESIDENT)
		stats->resident += rss;
	else
		status &= ~DRM_GEM_OBJECT_PURGEABLE;
	if (!dma_resv_test_signaled(obj->resv, drm_ph_compat_wait_usage(true))) {
		stats->active += rss;
		status &= ~DRM_GEM_OBJECT_PURGEABLE;
	}
	if (status & DRM_GEM_OBJECT_PURGEABLE)
		stats->purgeable += rss;
}

/* Bytes in the largest unit that divides them, as the core prints sizes. */
static void drm_ph_print_size(struct seq_file *m, const char *key, u64 size)
{
	static const char *const units[] = { "", " KiB", " MiB" };
	unsigned int unit = 0;

	while (unit < ARRAY_SIZE(units) - 1 && size && IS_ALIGNED(size, SZ_1K)) {
		size >>= 10;
		unit++;
	}
	seq_printf(m, "drm-%s-memory:\t%llu%s\n", key, size, units[unit]);
}

static void drm_ph_show_fdinfo_by_library(struct seq_file *m, struct drm_file *file)
{
	struct drm_device *drm = file->minor->dev;
	struct drm_ph_memory_stats stats = {};
	struct drm_gem_object *obj;
	int id;

	seq_printf(m, "drm-driver:\t%s\n", drm->driver->name);
	seq_printf(m, "drm-client-id:\t%llu\n", to_drm_ph_file(file)->client_id);
	if (dev_is_pci(drm->dev)) {
		struct pci_dev *pdev = to_pci_dev(drm->dev);

		seq_printf(m, "drm-pdev:\t%04x:%02x:%02x.%d\n", pci_domain_nr(pdev->bus),
			   pdev->bus->number, PCI_SLOT(pdev->devfn), PCI_FUNC(pdev->devfn));
	}

	spin_lock(&file->table_lock);
	idr_for_each_entry(&file->object_idr, obj, id)
		drm_ph_memory_stats_add(&stats, obj);
	spin_unlock(&file->table_lock);

	drm_ph_print_size(m, "total", stats.private + stats.shared);
	drm_ph_print_size(m, "shared", stats.shared);
	drm_ph_print_size(m, "active", stats.active);
	if (stats.with_status) {
		drm_ph_print_size(m, "resident", stats.resident);
		drm_ph_print_size(m, "purgeable", stats.purgeable);
	}
}

/**
 * drm_ph_show_fdinfo - &file_operations.show_fdinfo of DRM_PH_DEFINE_FOPS
 * @m: the fdinfo file being read
 * @f: the DRM file it describes
 *
 * Prints the DRM usage-stats keys of @f with its memory statistics (see the
 * fdinfo section of the guide), through the core's helpers where the
 * kernel has them. A driver's own &drm_driver.show_fdinfo, where the core
 * calls one, adds keys of its own: it must not print the memory keys again
 * (drm_show_memory_stats()).
 *
 * Locking: takes the file's table lock; nothing may be held by the caller.
 */
void drm_ph_show_fdinfo(struct seq_file *m, struct file *f)
{
	struct drm_file *file = f->private_data;
	int idx;

	if (drm_ph_compat_show_fdinfo_by_core(m, f))
		return;
	if (!drm_dev_enter(file->minor->dev, &idx))
		return;
	drm_ph_show_fdinfo_by_library(m, file);
	drm_dev_exit(idx);
}
EXPORT_SYMBOL_NS_GPL(drm_ph_show_fdinfo, DRM_PRIME_HELPERS);
