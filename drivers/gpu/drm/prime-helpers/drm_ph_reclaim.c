// SPDX-License-Identifier: GPL-2.0
/*
 * Reclaim in the PRIME helpers: each device's list of evictable objects and
 * the shrinker that gives their pages back to shmem under memory pressure.
 */

/**
 * DOC: reclaim
 *
 * CPU mappings do not keep an object's memory resident. The pages of a
 * shmem object must stay while a device may access them (a pin: a dma-buf
 * attachment or the driver's own) or while the kernel maps them (a vmap);
 * an object whose pages are held only for its CPU mappings is *evictable*.
 * Each device keeps its evictable objects in a list, least recently faulted
 * first, and registers a shrinker. When the kernel's reclaim asks it for
 * memory, the shrinker walks the list and evicts objects: it shoots down
 * every CPU mapping of the object, then gives its pages back to shmem marked
 * dirty. They are then ordinary shmem pages, which reclaim writes to swap
 * like any tmpfs page; the next fault, pin or vmap reads them back with
 * their contents. So what the shrinker reports as freed is memory that
 * reclaim can now swap out, not memory it freed itself.
 *
 * Pages never leave behind the library's back. While the library holds an
 * object's pages, drm_gem_get_pages() has marked the shmem mapping
 * unevictable and each page has a reference; and the CPU mappings map the
 * pages by PFN, which the kernel's reverse map does not see, so reclaim
 * could neither find nor unmap those PTEs itself. A page can go only after
 * the library has shot every PTE down, under the object's lock, which the
 * fault handler takes too, and dropped its reference.
 *
 * Locking. The list and its counts are under the device's reclaim lock,
 * which nests inside each object's &drm_ph_object.lock: every change of an
 * object's pins, vmaps or CPU-mapping pages updates the list under the
 * object's lock. The shrinker holds the reclaim lock for its whole walk and
 * only trylocks objects, skipping those it cannot take: a fault allocates
 * its object's pages with that object's lock held, and the allocation may
 * be what entered reclaim. Nothing allocates memory under the reclaim lock.
 * A freed object leaves the list first, under the reclaim lock, so the
 * shrinker never sees one that is gone.
 *
 * The shrinker is not memcg-aware: global reclaim calls it (as it calls the
 * shrinkers of the drivers that have one), reclaim within one cgroup's limit
 * does not. Its counters and a way to run it by hand are in debugfs
 * (ph_shrinker, ph_shrink).
 */

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/shrinker.h>

#include <drm/drm_managed.h>
#include <drm/drm_ph.h>

#include "drm_ph_compat.h"
#include "drm_ph_internal.h"

/**
 * struct drm_ph_reclaim - a device's evictable objects and its shrinker
 * @lock: protects @lru, @evictable_objects and @evictable_pages
 * @lru: evictable objects, by &drm_ph_object.lru, least recently faulted first
 * @evictable_objects: objects on @lru
 * @evictable_pages: their pages: what the shrinker reports it can free
 * @shrinker: the registered shrinker
 * @scans: shrinker walks so far
 * @evicted_objects: objects the shrinker evicted
 * @evicted_pages: their pages
 */
struct drm_ph_reclaim {
	struct mutex lock;
	struct list_head lru;
	unsigned long evictable_objects;
	unsigned long evictable_pages;
	struct shrinker *shrinker;
	atomic_long_t scans;
	atomic_long_t evicted_objects;
	atomic_long_t evicted_pages;
};

static struct drm_ph_reclaim *drm_ph_reclaim_of(struct drm_ph_object *phobj)
{
	return to_drm_ph_device(phobj->base.dev)->reclaim;
}

static bool drm_ph_object_evictable(struct drm_ph_object *phobj)
{
	return phobj->store == DRM_PH_STORE_SHMEM && phobj->mmap_pages &&
	       !phobj->pin_count && !phobj->vmap_use_count;
}

static void drm_ph_reclaim_list_locked(struct drm_ph_reclaim *r, struct drm_ph_object *phobj,
				       bool touched)
{
	unsigned long npages = phobj->base.size >> PAGE_SHIFT;

	lockdep_assert_held(&r->lock);

	if (drm_ph_object_evictable(phobj)) {
		if (list_empty(&phobj->lru)) {
			list_add_tail(&phobj->lru, &r->lru);
			r->evictable_objects++;
			r->evictable_pages += npages;
		} else if (touched) {
			list_move_tail(&phobj->lru, &r->lru);
		}
	} else if (!list_empty(&phobj->lru)) {
		list_del_init(&phobj->lru);
		r->evictable_objects--;
		r->evictable_pages -= npages;
	}
}

/*
 * After a change of what holds @phobj's pages (a pin, a vmap, the CPU
 * mappings' pages), or a fault (@touched: it was used, so it goes to the
 * end of the list), puts it on its device's list or takes it off. Membership
 * changes only under the object's lock, so it can be read without the
 * reclaim lock.
 */
void drm_ph_reclaim_update(struct drm_ph_object *phobj, bool touched)
{
	struct drm_ph_reclaim *r = drm_ph_reclaim_of(phobj);

	bool evictable, listed;

	lockdep_assert_held(&phobj->lock);

	evictable = drm_ph_object_evictable(phobj);
	listed = !list_empty(&phobj->lru);
	if (evictable == listed && !(touched && listed))
		return;
	mutex_lock(&r->lock);
	drm_ph_reclaim_list_locked(r, phobj, touched);
	mutex_unlock(&r->lock);
}

/*
 * First thing when @phobj is freed: off the list, and no shrinker walk is
 * using it once this returns (a walk holds the reclaim lock throughout, also
 * while it unlocks the object's lock).
 */
void drm_ph_reclaim_forget(struct drm_ph_object *phobj)
{
	struct drm_ph_reclaim *r = drm_ph_reclaim_of(phobj);

	if (phobj->store != DRM_PH_STORE_SHMEM)
		return;
	mutex_lock(&r->lock);
	if (!list_empty(&phobj->lru)) {
		list_del_init(&phobj->lru);
		r->evictable_objects--;
		r->evictable_pages -= phobj->base.size >> PAGE_SHIFT;
	}
	mutex_unlock(&r->lock);
}

/* Evicts objects from the head of the list until @nr_pages are released. */
static unsigned long drm_ph_reclaim_evict(struct drm_ph_reclaim *r, unsigned long nr_pages)
{
	struct drm_ph_object *phobj, *next;
	unsigned long freed = 0;

	mutex_lock(&r->lock);
	atomic_long_inc(&r->scans);
	list_for_each_entry_safe(phobj, next, &r->lru, lru) {
		unsigned long npages = phobj->base.size >> PAGE_SHIFT;

		if (freed >= nr_pages)
			break;
		/* Its fault may be the allocation that brought us here. */
		if (!mutex_trylock(&phobj->lock))
			continue;
		if (drm_ph_shmem_evict_locked(phobj)) {
			freed += npages;
			atomic_long_inc(&r->evicted_objects);
			atomic_long_add(npages, &r->evicted_pages);
		}
		drm_ph_reclaim_list_locked(r, phobj, false);
		mutex_unlock(&phobj->lock);
	}
	mutex_unlock(&r->lock);
	return freed;
}

static unsigned long drm_ph_reclaim_count(struct shrinker *shrinker, struct shrink_control *sc)
{
	struct drm_ph_reclaim *r = drm_ph_compat_shrinker_private(shrinker);
	unsigned long pages = READ_ONCE(r->evictable_pages);

	return pages ? pages : SHRINK_EMPTY;
}

static unsigned long drm_ph_reclaim_scan(struct shrinker *shrinker, struct shrink_control *sc)
{
	struct drm_ph_reclaim *r = drm_ph_compat_shrinker_private(shrinker);
	unsigned long freed = drm_ph_reclaim_evict(r, sc->nr_to_scan);

	return freed ? freed : SHRINK_STOP;
}

/**
 * drm_ph_device_shrink - run a device's shrinker by hand
 * @phdev: the device
 * @nr_pages: how many pages to release at least, if there are so many
 *
 * Does what the kernel's reclaim asks the device's shrinker to do: evicts
 * evictable objects, least recently faulted first, until @nr_pages pages
 * were released or none is left, skipping objects whose lock is taken. This
 * is what the ph_shrink debugfs file does.
 *
 * Locking: takes the device's reclaim lock, and trylocks each object's lock.
 *
 * Returns: the number of pages released.
 */
unsigned long drm_ph_device_shrink(struct drm_ph_device *phdev, unsigned long nr_pages)
{
	return drm_ph_reclaim_evict(phdev->reclaim, nr_pages);
}
EXPORT_SYMBOL_NS_GPL(drm_ph_device_shrink, DRM_PRIME_HELPERS);

/* The ph_shrinker debugfs file. */
void drm_ph_reclaim_show(struct seq_file *m, struct drm_ph_device *phdev)
{
	struct drm_ph_reclaim *r = phdev->reclaim;
	unsigned long objects, pages;

	mutex_lock(&r->lock);
	objects = r->evictable_objects;
	pages = r->evictable_pages;
	mutex_unlock(&r->lock);
	seq_printf(m, "evictable_objects %lu\n", objects);
	seq_printf(m, "evictable_pages %lu\n", pages);
	seq_printf(m, "scans %ld\n", atomic_long_read(&r->scans));
	seq_printf(m, "evicted_objects %ld\n", atomic_long_read(&r->evicted_objects));
	seq_printf(m, "evicted_pages %ld\n", atomic_long_read(&r->evicted_pages));
}

static void drm_ph_reclaim_fini(struct drm_device *drm, void *data)
{
	struct drm_ph_reclaim *r = data;

	drm_ph_compat_shrinker_destroy(r->shrinker);
	drm_WARN_ON(drm, !list_empty(&r->lru));
	mutex_destroy(&r->lock);
}

/* Part of drm_ph_device_init(): the list and the shrinker of @phdev. */
int drm_ph_reclaim_init(struct drm_ph_device *phdev)
{
	struct drm_device *drm = &phdev->drm;
	struct drm_ph_reclaim *r;
	char name[64];

	r = drmm_kzalloc(drm, sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	mutex_init(&r->lock);
	INIT_LIST_HEAD(&r->lru);
	snprintf(name, sizeof(name), "drm_ph-%s", dev_name(drm->dev));
	r->shrinker = drm_ph_compat_shrinker_create(drm_ph_reclaim_count, drm_ph_reclaim_scan,
						    r, name);
	if (!r->shrinker) {
		mutex_destroy(&r->lock);
		return -ENOMEM;
	}
	phdev->reclaim = r;
	return drmm_add_action_or_reset(drm, drm_ph_reclaim_fini, r);
}
