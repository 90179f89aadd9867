// SPDX-License-Identifier: GPL-2.0
/*
 * Reclaim in the PRIME helpers: each device's list of evictable objects and
 * the shrinker that gives their pages back to shmem under memory pressure.
 */

/**
 * DOC: reclaim
 *
 * CPU mappings do not keep an object's memory resident, nor do the
 * mappings of dynamic importers that the kernel does not pin
 * (CONFIG_DMABUF_MOVE_NOTIFY, see "dma-buf operations"). The pages of a
 * shmem object must stay while a device may access them without being told
 * (a pin: a static attachment or the driver's own) or while the kernel maps
 * them (a vmap); an object whose pages are held only for its CPU mappings
 * and unpinned dma-buf mappings is *evictable*.
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
 * object's lock. The reclaim lock is held only to move list entries: nothing
 * allocates or waits for anything else under it, so reclaim may wait for it
 * (lockdep is told so when the device is set up). One walk at a time runs,
 * under the device's walk lock, which the kernel's reclaim only tries (a
 * contended walk returns and reclaim asks again later; a walk that enters
 * reclaim through an importer's allocation does not walk again). The walk
 * takes each object off the list's head onto a list of its own, records it
 * as the object it works on and drops the reclaim lock while it works on
 * it: faults, pins and unmaps of the device's other objects, which update
 * the lists, do not wait for the walk, nor for the importers' move_notify
 * it calls. It only trylocks objects, skipping those it cannot
 * take: a fault allocates its object's pages with that object's lock held,
 * and the allocation may be what entered reclaim. The objects it looked at
 * and kept go to the list's tail when the walk ends (after those faulted
 * meanwhile), so the next walk starts with others. A freed object leaves
 * the list first, under the reclaim lock, waiting for a walk that is
 * working on it to let it go, so the shrinker never sees one that is gone.
 *
 * An object whose pages dma-buf mappings hold is evicted under its
 * reservation lock too (trylocked: the mappings change under it), taken
 * before its own lock; its importers' move_notify runs there and may unmap,
 * which takes no lock the walk holds (it only tries the object's lock). Then
 * its fences must have signalled (checked before its importers are told,
 * so that they do not unmap for nothing, and again after, for the work they
 * fenced when told) and no mapping may be left, or it stays.
 * So an importer that unmaps at once lets the pages go in the same walk; one
 * that keeps its mapping keeps them. The importers' move_notify thus runs in
 * memory reclaim, with the object's reservation lock and its own lock held:
 * it must neither allocate nor call back into the exporter but to unmap the
 * attachment it is told about (another dma-buf's unmap needs that one's
 * reservation lock, which it cannot take there without risking a deadlock
 * with eviction elsewhere), nor take a lock under which it maps, unmaps or
 * detaches another dma-buf of the same device (a map allocates, and may
 * enter reclaim). The library's own dynamic import keeps to that; a foreign
 * importer's is not checked.
 *
 * Purgeable objects. A driver may let userspace say that it does not need
 * an object's contents for now (drm_ph_shmem_madvise(), DONTNEED; ph_vgem's
 * MADVISE ioctl). Such an object, while neither pinned, nor vmapped, nor
 * exported, is on a second list, which the shrinker walks first: it purges
 * them, least recently marked first. Purging shoots the CPU mappings down,
 * gives the pages back and truncates the shmem file, so the memory is freed
 * at once (nothing to swap) and the contents are gone: a CPU fault then gets
 * SIGBUS, a pin or vmap -EBUSY, until userspace says WILLNEED again, which
 * reports that the contents were not retained; the pages then come back
 * zero-filled. An exported object is never purged (it is evicted instead):
 * another process or device may be reading it.
 *
 * The shrinker evicts only while there is free swap (evicted pages can leave
 * memory only through it), and whole objects at a time: an object's pages
 * are taken and given back together, so the next touch of an evicted object
 * brings all of it back, and every page goes back dirty, read or written
 * (PFN mappings leave no dirty bits to tell). Its list is ordered by faults,
 * not by accesses: an object that is mapped and used without faulting moves
 * towards the head.
 *
 * The purgeable list counts an object's whole size, resident or not; a walk
 * credits what a purge really freed (the pages that were in memory). A
 * purge does not see who else uses the object: one shared by name (flink,
 * GEM_OPEN) is purged under its other users as under its owner, as i915's
 * and msm's are; only an export protects it. WILLNEED revives a purged
 * object, so only the first WILLNEED after a purge reports it.
 *
 * The shrinker is not memcg-aware: global reclaim calls it (as it calls the
 * shrinkers of the drivers that have one), reclaim within one cgroup's limit
 * does not. Its counters and a way to run it by hand are in debugfs
 * (ph_shrinker, ph_shrink).
 */

#include <linux/atomic.h>
#include <linux/dma-resv.h>
#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/mutex.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/shrinker.h>
#include <linux/swap.h>
#include <linux/wait_bit.h>

#include <drm/drm_managed.h>
#include <drm/drm_ph.h>

#include "drm_ph_compat.h"
#include "drm_ph_internal.h"

/* Which list an object's &drm_ph_object.lru is on. */
enum drm_ph_reclaim_list {
	DRM_PH_LIST_NONE,
	DRM_PH_LIST_EVICTABLE,
	DRM_PH_LIST_PURGEABLE,
	DRM_PH_LIST_COUNT
};

/**
 * struct drm_ph_reclaim - a device's evictable and purgeable objects, its shrinker
 * @lock: protects @lists, @objects, @pages and @scanning
 * @walk_lock: one shrinker walk at a time
 * @scanning: the object the walk works on without @lock, or NULL
 * @lists: by &enum drm_ph_reclaim_list: evictable objects, least recently
 *         faulted first, and purgeable ones, least recently marked first
 * @objects: objects on each list
 * @pages: their pages: what the shrinker reports it can free
 * @shrinker: the registered shrinker
 * @scans: shrinker walks so far
 * @evicted_objects: objects the walks evicted
 * @evicted_pages: their pages
 * @purged_objects: objects the walks purged
 * @purged_pages: their pages
 */
struct drm_ph_reclaim {
	struct mutex lock; /* see above */
	struct mutex walk_lock; /* see above */
	struct drm_ph_object *scanning;
	struct list_head lists[DRM_PH_LIST_COUNT];
	unsigned long objects[DRM_PH_LIST_COUNT];
	unsigned long pages[DRM_PH_LIST_COUNT];
	struct shrinker *shrinker;
	atomic_long_t scans;
	atomic_long_t evicted_objects;
	atomic_long_t evicted_pages;
	atomic_long_t purged_objects;
	atomic_long_t purged_pages;
};

static struct drm_ph_reclaim *drm_ph_reclaim_of(struct drm_ph_object *phobj)
{
	return to_drm_ph_device(phobj->base.dev)->reclaim;
}

/*
 * Purgeable: marked DONTNEED, and nothing but CPU mappings may use the
 * contents (no pin, no vmap, no export: another process or device could
 * read them). Evictable: pages held for CPU mappings only.
 */
static enum drm_ph_reclaim_list drm_ph_reclaim_list_of(struct drm_ph_object *phobj)
{
	if (phobj->store != DRM_PH_STORE_SHMEM || phobj->pin_count || phobj->vmap_use_count)
		return DRM_PH_LIST_NONE;
	if (phobj->madv == DRM_PH_MADV_DONTNEED && !phobj->export)
		return DRM_PH_LIST_PURGEABLE;
	if (phobj->mmap_pages || phobj->map_pages)
		return DRM_PH_LIST_EVICTABLE;
	return DRM_PH_LIST_NONE;
}

static void drm_ph_reclaim_list_locked(struct drm_ph_reclaim *r, struct drm_ph_object *phobj,
				       bool touched)
{
	enum drm_ph_reclaim_list want = drm_ph_reclaim_list_of(phobj);
	enum drm_ph_reclaim_list now = phobj->reclaim_list;
	unsigned long npages = phobj->base.size >> PAGE_SHIFT;

	lockdep_assert_held(&r->lock);

	if (want == now) {
		if (touched && now == DRM_PH_LIST_EVICTABLE)
			list_move_tail(&phobj->lru, &r->lists[now]);
		return;
	}
	if (now != DRM_PH_LIST_NONE) {
		list_del_init(&phobj->lru);
		r->objects[now]--;
		r->pages[now] -= npages;
	}
	if (want != DRM_PH_LIST_NONE) {
		list_add_tail(&phobj->lru, &r->lists[want]);
		r->objects[want]++;
		r->pages[want] += npages;
	}
	/* Written under both locks; fdinfo reads it with neither. */
	WRITE_ONCE(phobj->reclaim_list, want);
}

/*
 * After a change of what holds or uses @phobj's pages (a pin, a vmap, the
 * CPU mappings' pages, an export, a madvise), or a fault (@touched: it was
 * used, so it goes to the end of the evictable list), moves it to the list
 * it belongs on. Membership changes only under the object's lock, so it can
 * be read without the reclaim lock.
 */
void drm_ph_reclaim_update(struct drm_ph_object *phobj, bool touched)
{
	struct drm_ph_reclaim *r = drm_ph_reclaim_of(phobj);
	enum drm_ph_reclaim_list want;

	lockdep_assert_held(&phobj->lock);

	want = drm_ph_reclaim_list_of(phobj);
	if (want == phobj->reclaim_list && !(touched && want == DRM_PH_LIST_EVICTABLE))
		return;
	mutex_lock(&r->lock);
	drm_ph_reclaim_list_locked(r, phobj, touched);
	mutex_unlock(&r->lock);
}

/* For fdinfo, which may not sleep: on the purgeable list, without the locks. */
bool drm_ph_reclaim_purgeable_snapshot(struct drm_ph_object *phobj)
{
	return READ_ONCE(phobj->reclaim_list) == DRM_PH_LIST_PURGEABLE;
}

/* For debugfs, under the object's lock: on the purgeable (or evictable) list? */
bool drm_ph_reclaim_listed(struct drm_ph_object *phobj, bool purgeable)
{
	lockdep_assert_held(&phobj->lock);
	return phobj->reclaim_list == (purgeable ? DRM_PH_LIST_PURGEABLE : DRM_PH_LIST_EVICTABLE);
}

/*
 * First thing when @phobj is freed: off the lists, and no shrinker walk is
 * using it once this returns. The walk records the object it works on without
 * the reclaim lock; it waits for no lock the freeing of an object holds
 * (it only tries the object's locks) and there is nothing to tell (the
 * object's last reference is gone: no export, no mapping), but it may be
 * shooting PTEs down or giving pages back, or purging.
 */
void drm_ph_reclaim_forget(struct drm_ph_object *phobj)
{
	struct drm_ph_reclaim *r = drm_ph_reclaim_of(phobj);
	enum drm_ph_reclaim_list now;

	if (phobj->store != DRM_PH_STORE_SHMEM)
		return;
	mutex_lock(&r->lock);
	while (r->scanning == phobj) {
		mutex_unlock(&r->lock);
		wait_var_event(&r->scanning, READ_ONCE(r->scanning) != phobj);
		mutex_lock(&r->lock);
	}
	now = phobj->reclaim_list;
	if (now != DRM_PH_LIST_NONE) {
		list_del_init(&phobj->lru);
		r->objects[now]--;
		r->pages[now] -= phobj->base.size >> PAGE_SHIFT;
		phobj->reclaim_list = DRM_PH_LIST_NONE;
	}
	mutex_unlock(&r->lock);
}

/*
 * Eviction of an object whose pages dma-buf mappings hold: under its
 * reservation lock (tried: maps and unmaps hold it), where its importers are
 * told.
 */
static bool drm_ph_reclaim_evict_mapped(struct drm_ph_object *phobj)
{
	struct dma_resv *resv = phobj->base.resv;
	bool evicted = false;

	if (!dma_resv_trylock(resv))
		return false;
	if (mutex_trylock(&phobj->lock)) {
		evicted = drm_ph_shmem_evict_mapped_locked(phobj);
		drm_ph_reclaim_update(phobj, false);
		mutex_unlock(&phobj->lock);
	}
	dma_resv_unlock(resv);
	return evicted;
}

/*
 * Purges or evicts one object of list @which, without the reclaim lock (it is
 * the walk's @scanning: it cannot be freed meanwhile); adds the pages it
 * released to @freed.
 */
static void drm_ph_reclaim_one(struct drm_ph_reclaim *r, struct drm_ph_object *phobj,
			       enum drm_ph_reclaim_list which, unsigned long *freed)
{
	unsigned long npages = phobj->base.size >> PAGE_SHIFT, resident = 0;

	/* Read without its lock: a stale value only picks the other way to try. */
	if (which == DRM_PH_LIST_EVICTABLE && READ_ONCE(phobj->map_pages)) {
		if (drm_ph_reclaim_evict_mapped(phobj)) {
			*freed += npages;
			atomic_long_inc(&r->evicted_objects);
			atomic_long_add(npages, &r->evicted_pages);
		}
		return;
	}
	/* Its fault may be the allocation that brought us here. */
	if (!mutex_trylock(&phobj->lock))
		return;
	if (which == DRM_PH_LIST_PURGEABLE && drm_ph_shmem_purge_locked(phobj, &resident)) {
		/* What was in memory: an untouched or swapped object frees nothing. */
		*freed += resident;
		atomic_long_inc(&r->purged_objects);
		atomic_long_add(npages, &r->purged_pages);
	} else if (which == DRM_PH_LIST_EVICTABLE && drm_ph_shmem_evict_locked(phobj, false)) {
		*freed += npages;
		atomic_long_inc(&r->evicted_objects);
		atomic_long_add(npages, &r->evicted_pages);
	}
	drm_ph_reclaim_update(phobj, false);
	mutex_unlock(&phobj->lock);
}

/*
 * Walks one list from its head, purging or evicting, until @nr_pages are
 * released or each object was looked at once; adds what it released to
 * @freed. Called with the reclaim lock held, which it drops around each
 * object (see "Locking" above).
 */
static void drm_ph_reclaim_walk(struct drm_ph_reclaim *r, enum drm_ph_reclaim_list which,
				unsigned long nr_pages, unsigned long *freed)
{
	/* Objects touched meanwhile go back to the list: look at no more than it had. */
	unsigned long budget = r->objects[which];
	struct drm_ph_object *phobj;
	LIST_HEAD(scanned);

	lockdep_assert_held(&r->lock);

	while (*freed < nr_pages && budget-- &&
	       (phobj = list_first_entry_or_null(&r->lists[which], struct drm_ph_object, lru))) {
		/*
		 * Still on list @which as far as its counts and an update are
		 * concerned: an update moves it to where it belongs.
		 */
		list_move_tail(&phobj->lru, &scanned);
		WRITE_ONCE(r->scanning, phobj);
		mutex_unlock(&r->lock);
		drm_ph_reclaim_one(r, phobj, which, freed);
		cond_resched();
		mutex_lock(&r->lock);
		WRITE_ONCE(r->scanning, NULL);
		/* Orders the store before wake_up_var()'s look at the waiters. */
		smp_mb();
		wake_up_var(&r->scanning);
	}
	list_splice_tail(&scanned, &r->lists[which]);
}

/*
 * Evicted pages can only leave memory through swap: without any, eviction
 * would shoot mappings down for nothing (the pages stay, and the next touch
 * takes them back). Purging frees memory either way.
 */
static bool drm_ph_reclaim_can_evict(void)
{
	return get_nr_swap_pages() > 0;
}

/*
 * Purges, then evicts, from the heads of the lists until @nr_pages are
 * released, whole objects at a time; the kernel's reclaim (@from_reclaim)
 * only while there is swap to evict to.
 */
static unsigned long drm_ph_reclaim_evict(struct drm_ph_reclaim *r, unsigned long nr_pages,
					  bool from_reclaim)
{
	unsigned long freed = 0;

	if (!from_reclaim)
		mutex_lock(&r->walk_lock);
	else if (!mutex_trylock(&r->walk_lock))
		return 0;
	mutex_lock(&r->lock);
	atomic_long_inc(&r->scans);
	drm_ph_reclaim_walk(r, DRM_PH_LIST_PURGEABLE, nr_pages, &freed);
	if (!from_reclaim || drm_ph_reclaim_can_evict())
		drm_ph_reclaim_walk(r, DRM_PH_LIST_EVICTABLE, nr_pages, &freed);
	mutex_unlock(&r->lock);
	mutex_unlock(&r->walk_lock);
	return freed;
}

static unsigned long drm_ph_reclaim_count(struct shrinker *shrinker, struct shrink_control *sc)
{
	struct drm_ph_reclaim *r = drm_ph_compat_shrinker_private(shrinker);
	unsigned long pages = READ_ONCE(r->pages[DRM_PH_LIST_PURGEABLE]);

	if (drm_ph_reclaim_can_evict())
		pages += READ_ONCE(r->pages[DRM_PH_LIST_EVICTABLE]);
	return pages ? pages : SHRINK_EMPTY;
}

static unsigned long drm_ph_reclaim_scan(struct shrinker *shrinker, struct shrink_control *sc)
{
	struct drm_ph_reclaim *r = drm_ph_compat_shrinker_private(shrinker);
	unsigned long freed;

	/*
	 * Purging truncates shmem files, which may wait on folio locks and
	 * writeback: not for a reclaimer that may not enter the filesystem or
	 * start I/O (kswapd may).
	 */
	if ((sc->gfp_mask & (__GFP_FS | __GFP_IO)) != (__GFP_FS | __GFP_IO) &&
	    !current_is_kswapd())
		return SHRINK_STOP;
	freed = drm_ph_reclaim_evict(r, sc->nr_to_scan, true);
	if (!freed)
		return SHRINK_STOP;
	/*
	 * Whole objects go, often more than the batch asked for: say so, or
	 * the core would count one batch and ask again.
	 */
	if (freed > sc->nr_to_scan)
		sc->nr_scanned = freed;
	return freed;
}

/**
 * drm_ph_device_shrink - run a device's shrinker by hand
 * @phdev: the device
 * @nr_pages: how many pages to release at least, if there are so many
 *
 * Does what the kernel's reclaim asks the device's shrinker to do: purges
 * purgeable objects, then evicts evictable ones, least recently faulted
 * first, until @nr_pages pages
 * were released or each was looked at once, skipping objects whose lock is
 * taken; unlike the kernel's reclaim, it evicts also when there is no swap.
 * This is what the ph_shrink debugfs file does.
 *
 * Locking: takes the device's walk lock, the reclaim lock (not while it
 * works on an object), and trylocks each object's reservation lock and lock.
 *
 * Returns: the number of pages released.
 */
unsigned long drm_ph_device_shrink(struct drm_ph_device *phdev, unsigned long nr_pages)
{
	return drm_ph_reclaim_evict(phdev->reclaim, nr_pages, false);
}
EXPORT_SYMBOL_NS_GPL(drm_ph_device_shrink, DRM_PRIME_HELPERS);

/* The ph_shrinker debugfs file. */
void drm_ph_reclaim_show(struct seq_file *m, struct drm_ph_device *phdev)
{
	struct drm_ph_reclaim *r = phdev->reclaim;
	unsigned long objects[DRM_PH_LIST_COUNT], pages[DRM_PH_LIST_COUNT];

	mutex_lock(&r->lock);
	memcpy(objects, r->objects, sizeof(objects));
	memcpy(pages, r->pages, sizeof(pages));
	mutex_unlock(&r->lock);
	seq_printf(m, "evictable_objects %lu\n", objects[DRM_PH_LIST_EVICTABLE]);
	seq_printf(m, "evictable_pages %lu\n", pages[DRM_PH_LIST_EVICTABLE]);
	seq_printf(m, "purgeable_objects %lu\n", objects[DRM_PH_LIST_PURGEABLE]);
	seq_printf(m, "purgeable_pages %lu\n", pages[DRM_PH_LIST_PURGEABLE]);
	seq_printf(m, "scans %ld\n", atomic_long_read(&r->scans));
	seq_printf(m, "evicted_objects %ld\n", atomic_long_read(&r->evicted_objects));
	seq_printf(m, "evicted_pages %ld\n", atomic_long_read(&r->evicted_pages));
	seq_printf(m, "purged_objects %ld\n", atomic_long_read(&r->purged_objects));
	seq_printf(m, "purged_pages %ld\n", atomic_long_read(&r->purged_pages));
}

static void drm_ph_reclaim_fini(struct drm_device *drm, void *data)
{
	struct drm_ph_reclaim *r = data;

	drm_ph_compat_shrinker_destroy(r->shrinker);
	drm_WARN_ON(drm, !list_empty(&r->lists[DRM_PH_LIST_EVICTABLE]) ||
		    !list_empty(&r->lists[DRM_PH_LIST_PURGEABLE]));
	mutex_destroy(&r->walk_lock);
	mutex_destroy(&r->lock);
}

/* Part of drm_ph_device_init(): the list and the shrinker of @phdev. */
int drm_ph_reclaim_init(struct drm_ph_device *phdev)
{
	struct drm_device *drm = &phdev->drm;
	struct drm_ph_reclaim *r;
	char name[64];
	int i;

	r = drmm_kzalloc(drm, sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	mutex_init(&r->lock);
	mutex_init(&r->walk_lock);
	/*
	 * The shrinker waits for the reclaim lock in reclaim: lockdep learns
	 * it now, so that an allocation under it is reported whether or not
	 * a test's reclaim reached the shrinker.
	 */
	fs_reclaim_acquire(GFP_KERNEL);
	might_lock(&r->lock);
	fs_reclaim_release(GFP_KERNEL);
	for (i = 0; i < DRM_PH_LIST_COUNT; i++)
		INIT_LIST_HEAD(&r->lists[i]);
	snprintf(name, sizeof(name), "drm_ph-%s", dev_name(drm->dev));
	r->shrinker = drm_ph_compat_shrinker_create(drm_ph_reclaim_count, drm_ph_reclaim_scan,
						    r, name);
	if (!r->shrinker) {
		mutex_destroy(&r->walk_lock);
		mutex_destroy(&r->lock);
		return -ENOMEM;
	}
	phdev->reclaim = r;
	return drmm_add_action_or_reset(drm, drm_ph_reclaim_fini, r);
}
