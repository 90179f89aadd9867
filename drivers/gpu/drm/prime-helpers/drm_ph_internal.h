/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __DRM_PH_INTERNAL_H__
#define __DRM_PH_INTERNAL_H__

/* Declarations shared between the files of the library, not exported. */

#include <linux/atomic.h>
#include <linux/dma-direction.h>
#include <linux/limits.h>
#include <linux/list.h>

#include "drm_ph_compat.h"

struct dentry;
struct device;
struct drm_device;
struct drm_gem_object;
struct dma_buf;
struct dma_buf_attachment;
struct page;
struct drm_ph_object;
struct sg_table;

/* Library-wide counters shown in /sys/kernel/debug/prime_helpers/stats. */
enum drm_ph_stat {
	DRM_PH_STAT_OBJECTS,
	DRM_PH_STAT_DMA_BUFS,
	DRM_PH_STAT_IMPORTS,
	DRM_PH_STAT_ATTACHMENTS,
	DRM_PH_STAT_CACHE_ENTRIES,
	DRM_PH_STAT_VMAPS,
	DRM_PH_STAT_COUNT
};

extern atomic_long_t drm_ph_stats[DRM_PH_STAT_COUNT];

static inline void drm_ph_stat_inc(enum drm_ph_stat stat)
{
	atomic_long_inc(&drm_ph_stats[stat]);
}

static inline void drm_ph_stat_dec(enum drm_ph_stat stat)
{
	atomic_long_dec(&drm_ph_stats[stat]);
}

/**
 * struct drm_ph_attachment - exporter-side state of one dma-buf attachment
 * @node: entry in &drm_ph_object.attachments, under &drm_ph_object.lock
 * @dev: the importing device
 * @sgt: the object's pages mapped for @dev while mapped, else NULL
 * @dir: direction @sgt was mapped with
 */
struct drm_ph_attachment {
	struct list_head node;
	struct device *dev;
	struct sg_table *sgt;
	enum dma_data_direction dir;
};

extern const struct dma_buf_ops drm_ph_dmabuf_ops;

/*
 * Whether an array of @npages page pointers can be allocated: kvmalloc()
 * refuses (with a warning) anything above INT_MAX bytes.
 */
static inline bool drm_ph_page_array_fits(unsigned long npages)
{
	return npages <= INT_MAX / sizeof(struct page *);
}

/* drm_ph_shmem.c: used by the dma-buf ops, the import path and the DMA store. */
struct drm_ph_object *drm_ph_object_create(struct drm_device *drm, size_t size, bool with_shmem);
struct drm_ph_object *drm_ph_import_object_create(struct drm_device *drm,
						  struct dma_buf_attachment *attach,
						  struct sg_table *sgt);
struct drm_ph_object *drm_ph_object_publish(struct drm_ph_object *phobj);
int drm_ph_shmem_mmap_exported(struct drm_ph_object *phobj, struct vm_area_struct *vma);
void drm_ph_shmem_export_released(struct drm_ph_object *phobj, struct dma_buf *dma_buf);

/* drm_ph_dma.c: the DMA store's side of the shared object code. */
void *drm_ph_dma_vaddr(struct drm_ph_object *phobj);
void drm_ph_dma_free_pages(struct drm_ph_object *phobj);

/* drm_ph_huge.c: the huge-page mount and PMD mappings of shmem objects. */
struct vm_fault;
int drm_ph_huge_init(void);
void drm_ph_huge_exit(void);
int drm_ph_huge_gem_object_init(struct drm_device *drm, struct drm_gem_object *obj, size_t size);
bool drm_ph_huge_pmd_mapped(struct vm_fault *vmf);
bool drm_ph_huge_map_pmd(struct vm_fault *vmf, struct drm_ph_object *phobj, pgoff_t page);
unsigned int drm_ph_huge_folios(struct drm_ph_object *phobj);

/* drm_ph_reclaim.c: the evictable list and the shrinker of each device. */
struct drm_ph_device;
struct seq_file;
int drm_ph_reclaim_init(struct drm_ph_device *phdev);
void drm_ph_reclaim_update(struct drm_ph_object *phobj, bool touched);
void drm_ph_reclaim_forget(struct drm_ph_object *phobj);
bool drm_ph_reclaim_listed(struct drm_ph_object *phobj, bool purgeable);
bool drm_ph_reclaim_purgeable_snapshot(struct drm_ph_object *phobj);
void drm_ph_reclaim_show(struct seq_file *m, struct drm_ph_device *phdev);
bool drm_ph_shmem_evict_locked(struct drm_ph_object *phobj, bool resv_held);
bool drm_ph_shmem_evict_mapped_locked(struct drm_ph_object *phobj);
void drm_ph_shmem_put_map_pages_locked(struct drm_ph_object *phobj);
int drm_ph_shmem_get_map_pages(struct drm_ph_object *phobj);
bool drm_ph_shmem_purge_locked(struct drm_ph_object *phobj, unsigned long *resident);

/* drm_ph_device.c */
int drm_ph_device_add_object(struct drm_ph_object *phobj);
void drm_ph_device_remove_object(struct drm_ph_object *phobj);

/* drm_ph_fdinfo.c: the objects' fdinfo hooks and the files' client ids. */
struct drm_file;
size_t drm_ph_object_rss(struct drm_gem_object *obj);
enum drm_gem_object_status drm_ph_object_status(struct drm_gem_object *obj);
u64 drm_ph_fdinfo_client_id(struct drm_file *file);
void drm_ph_object_residency(struct drm_ph_object *phobj, unsigned long *resident,
			     unsigned long *swapped);

#endif /* __DRM_PH_INTERNAL_H__ */
