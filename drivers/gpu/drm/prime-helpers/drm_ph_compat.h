/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __DRM_PH_COMPAT_H__
#define __DRM_PH_COMPAT_H__

/*
 * The only place where kernel-version differences live. The HAVE_* macros come
 * from drm_ph_conftest.h, which scripts/conftest.sh generates by compiling the
 * probes in scripts/conftest/ against the target kernel. Code elsewhere calls
 * the drm_ph_compat_*() shims below and never tests a version.
 */

#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/fs.h>
#include <linux/iosys-map.h>
#include <linux/mm.h>
#include <linux/pfn_t.h>
#include <linux/seq_file.h>
#include <linux/shrinker.h>
#include <linux/slab.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_print.h>

#include "drm_ph_conftest.h"

/*
 * The pfn_t of a PMD mapping of ordinary (shmem) pages in a VM_PFNMAP VMA.
 * Fast GUP must refuse it, as it refuses the special PTEs next to it. 6.12
 * marks a PFN_DEV PMD special, 6.1 cannot, and takes page references
 * through it; a devmap PMD (PFN_DEV | PFN_MAP) is refused on both: fast GUP
 * finds no ZONE_DEVICE pagemap for the pages and falls back to the slow
 * path, which refuses VM_PFNMAP. Zap, fork, mprotect and the fault path
 * treat devmap PMDs like any huge PFN entry of a special mapping. Later
 * kernels drop devmap entries (and mark PMDs special): this is the one
 * place to follow them.
 */
static inline pfn_t drm_ph_compat_pmd_pfn(unsigned long pfn)
{
	return __pfn_to_pfn_t(pfn, PFN_DEV | PFN_MAP);
}

/*
 * vm_flags became read-only behind accessors in 6.3; before that the field is
 * written directly (the caller holds mmap_lock for writing either way).
 */
static inline void drm_ph_compat_vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
#ifdef HAVE_VM_FLAGS_SET
	vm_flags_set(vma, flags);
#else
	vma->vm_flags |= flags;
#endif
}

/*
 * Kernel mapping of a foreign dma-buf by a caller that does not hold its
 * reservation lock. Where dma_buf_vmap_unlocked() exists, dma_buf_vmap()
 * expects the lock held; before, dma_buf_vmap() serialised on dma_buf.lock
 * itself and is the unlocked entry point.
 */
static inline int drm_ph_compat_dma_buf_vmap_unlocked(struct dma_buf *dma_buf,
						      struct iosys_map *map)
{
#ifdef HAVE_DMA_BUF_VMAP_UNLOCKED
	return dma_buf_vmap_unlocked(dma_buf, map);
#else
	return dma_buf_vmap(dma_buf, map);
#endif
}

static inline void drm_ph_compat_dma_buf_vunmap_unlocked(struct dma_buf *dma_buf,
							 struct iosys_map *map)
{
#ifdef HAVE_DMA_BUF_VMAP_UNLOCKED
	dma_buf_vunmap_unlocked(dma_buf, map);
#else
	dma_buf_vunmap(dma_buf, map);
#endif
}

/*
 * The locking contract of the GEM hooks the core calls: on newer kernels
 * &drm_gem_object_funcs.pin/.unpin and .vmap/.vunmap run with the object's
 * reservation lock held, on older ones without it. The library's hooks do
 * not rely on either (they use the object's own lock), but assert the
 * contract where it exists so a change in the core is noticed.
 */
static inline void drm_ph_compat_assert_pin_hook_locked(struct drm_gem_object *obj)
{
#ifdef HAVE_DRM_GEM_SHMEM_PIN_LOCKED
	dma_resv_assert_held(obj->resv);
#endif
}

static inline void drm_ph_compat_assert_vmap_hook_locked(struct drm_gem_object *obj)
{
#ifdef HAVE_DRM_GEM_VMAP_UNLOCKED
	dma_resv_assert_held(obj->resv);
#endif
}

/*
 * Kernel mapping of a foreign dma-buf from &drm_gem_object_funcs.vmap. Where
 * the core calls that hook with the reservation lock held (the kernels that
 * have drm_gem_vmap_unlocked()), the locked dma_buf_vmap() is the right call;
 * where it calls the hook without the lock, the unlocked entry point is.
 */
static inline int drm_ph_compat_dma_buf_vmap_from_gem_hook(struct dma_buf *dma_buf,
							   struct iosys_map *map)
{
#ifdef HAVE_DRM_GEM_VMAP_UNLOCKED
	dma_resv_assert_held(dma_buf->resv);
	return dma_buf_vmap(dma_buf, map);
#else
	return drm_ph_compat_dma_buf_vmap_unlocked(dma_buf, map);
#endif
}

static inline void drm_ph_compat_dma_buf_vunmap_from_gem_hook(struct dma_buf *dma_buf,
							      struct iosys_map *map)
{
#ifdef HAVE_DRM_GEM_VMAP_UNLOCKED
	dma_resv_assert_held(dma_buf->resv);
	dma_buf_vunmap(dma_buf, map);
#else
	drm_ph_compat_dma_buf_vunmap_unlocked(dma_buf, map);
#endif
}

/*
 * Map/unmap an attachment without holding the reservation lock. Kernels
 * without the _unlocked variants did not want the lock held at all.
 */
static inline struct sg_table *
drm_ph_compat_map_attachment_unlocked(struct dma_buf_attachment *attach,
				      enum dma_data_direction dir)
{
#ifdef HAVE_DMA_BUF_MAP_ATTACHMENT_UNLOCKED
	return dma_buf_map_attachment_unlocked(attach, dir);
#else
	return dma_buf_map_attachment(attach, dir);
#endif
}

static inline void drm_ph_compat_unmap_attachment_unlocked(struct dma_buf_attachment *attach,
							   struct sg_table *sgt,
							   enum dma_data_direction dir)
{
#ifdef HAVE_DMA_BUF_MAP_ATTACHMENT_UNLOCKED
	dma_buf_unmap_attachment_unlocked(attach, sgt, dir);
#else
	dma_buf_unmap_attachment(attach, sgt, dir);
#endif
}

/*
 * 6.1's DMA-API debug records a dma_alloc_pages() block as a streaming
 * mapping whose error nobody checked, and reports that when the block is
 * freed; later kernels record it as an allocation. Checking the handle (it is
 * never the error value once a page came back) settles the record and is a
 * no-op elsewhere.
 */
static inline void drm_ph_compat_dma_alloc_pages_checked(struct device *dev, dma_addr_t addr)
{
	WARN_ON_ONCE(dma_mapping_error(dev, addr));
}

/*
 * HANDLE_TO_FD: whether the core of this kernel reserves the descriptor
 * before exporting (so a full descriptor table wins over a bad handle with
 * -EMFILE) or takes it after a successful export (-ENOENT wins). The library
 * follows the core of the kernel it runs on.
 */
#ifdef HAVE_DRM_GEM_PRIME_HANDLE_TO_DMABUF
#define DRM_PH_COMPAT_FD_BEFORE_EXPORT true
#else
#define DRM_PH_COMPAT_FD_BEFORE_EXPORT false
#endif

/*
 * Implicit-sync fence usage for a read or a write access. Both supported
 * kernel lines have the dma_resv usage API (5.19+); these helpers keep the
 * fence bookkeeping of drivers in one place should it change again.
 */
static inline enum dma_resv_usage drm_ph_compat_fence_usage(bool write)
{
	return write ? DMA_RESV_USAGE_WRITE : DMA_RESV_USAGE_READ;
}

/* Fences an access must wait for: a write waits for all, a read for writers. */
static inline enum dma_resv_usage drm_ph_compat_wait_usage(bool write)
{
	return dma_resv_usage_rw(write);
}

/*
 * A shrinker with @count and @scan and @priv for them, registered under
 * @name; NULL if there is no memory. 6.7 made the core allocate shrinkers
 * (shrinker_alloc(), shrinker_free()); before, the caller embeds one and
 * registers it, so here it is wrapped with its private pointer.
 */
#ifdef HAVE_SHRINKER_ALLOC
static inline struct shrinker *
drm_ph_compat_shrinker_create(unsigned long (*count)(struct shrinker *, struct shrink_control *),
			      unsigned long (*scan)(struct shrinker *, struct shrink_control *),
			      void *priv, const char *name)
{
	struct shrinker *shrinker = shrinker_alloc(0, "%s", name);

	if (!shrinker)
		return NULL;
	shrinker->count_objects = count;
	shrinker->scan_objects = scan;
	shrinker->private_data = priv;
	shrinker_register(shrinker);
	return shrinker;
}

static inline void *drm_ph_compat_shrinker_private(struct shrinker *shrinker)
{
	return shrinker->private_data;
}

/* Waits for the shrinker's running scans to finish. */
static inline void drm_ph_compat_shrinker_destroy(struct shrinker *shrinker)
{
	shrinker_free(shrinker);
}
#else
struct drm_ph_compat_shrinker {
	struct shrinker shrinker;
	void *priv;
};

static inline struct shrinker *
drm_ph_compat_shrinker_create(unsigned long (*count)(struct shrinker *, struct shrink_control *),
			      unsigned long (*scan)(struct shrinker *, struct shrink_control *),
			      void *priv, const char *name)
{
	struct drm_ph_compat_shrinker *wrap = kzalloc(sizeof(*wrap), GFP_KERNEL);

	if (!wrap)
		return NULL;
	wrap->shrinker.count_objects = count;
	wrap->shrinker.scan_objects = scan;
	wrap->shrinker.seeks = DEFAULT_SEEKS;
	wrap->priv = priv;
	if (register_shrinker(&wrap->shrinker, "%s", name)) {
		kfree(wrap);
		return NULL;
	}
	return &wrap->shrinker;
}

static inline void *drm_ph_compat_shrinker_private(struct shrinker *shrinker)
{
	return container_of(shrinker, struct drm_ph_compat_shrinker, shrinker)->priv;
}

/* Waits for the shrinker's running scans to finish. */
static inline void drm_ph_compat_shrinker_destroy(struct shrinker *shrinker)
{
	unregister_shrinker(shrinker);
	kfree(container_of(shrinker, struct drm_ph_compat_shrinker, shrinker));
}
#endif

/*
 * fdinfo's memory keys (Documentation/gpu/drm-usage-stats.rst). Where the
 * core has drm_show_fdinfo() and drm_show_memory_stats() with the
 * &drm_gem_object_funcs.status and .rss hooks, the library fills the hooks
 * and lets the core print every key and walk the file's handles; before,
 * the library prints them itself (drm_ph_fdinfo.c) from the same two
 * functions, and names the status bits the core would have named.
 */
#ifdef HAVE_DRM_SHOW_MEMORY_STATS
#define DRM_PH_COMPAT_GEM_MEMORY_STATS_FUNCS \
	.status = drm_ph_object_status, \
	.rss = drm_ph_object_rss,

/*
 * Prints the whole fdinfo through the core; false where it cannot. The
 * memory keys, like the core's own lines, not once the device is unplugged.
 */
static inline bool drm_ph_compat_show_fdinfo_by_core(struct seq_file *m, struct file *f)
{
	struct drm_file *file = f->private_data;
	struct drm_printer p = drm_seq_file_printer(m);
	int idx;

	drm_show_fdinfo(m, f);
	if (drm_dev_enter(file->minor->dev, &idx)) {
		drm_show_memory_stats(&p, file);
		drm_dev_exit(idx);
	}
	return true;
}

/* The core's id of a client, unique for the boot; 0 where it has none. */
static inline u64 drm_ph_compat_core_client_id(struct drm_file *file)
{
	return file->client_id;
}
#else
#define DRM_PH_COMPAT_GEM_MEMORY_STATS_FUNCS

static inline bool drm_ph_compat_show_fdinfo_by_core(struct seq_file *m, struct file *f)
{
	return false;
}

static inline u64 drm_ph_compat_core_client_id(struct drm_file *file)
{
	return 0;
}
#endif

/* The status bits an object reports for fdinfo, named where the core does not (6.5). */
#ifndef HAVE_DRM_GEM_OBJECT_STATUS
enum drm_gem_object_status {
	DRM_GEM_OBJECT_RESIDENT = BIT(0),
	DRM_GEM_OBJECT_PURGEABLE = BIT(1),
};
#endif

#endif /* __DRM_PH_COMPAT_H__ */
