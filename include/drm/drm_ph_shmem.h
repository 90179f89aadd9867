/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __DRM_PH_SHMEM_H__
#define __DRM_PH_SHMEM_H__

/*
 * shmem-backed GEM objects of the PRIME helper library. Include
 * <drm/drm_ph.h>, which includes this header.
 */

#include <linux/dma-direction.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/types.h>

#include <drm/drm_gem.h>

struct dma_buf;
struct dma_buf_attachment;
struct device;
struct drm_device;
struct drm_file;
struct drm_mode_create_dumb;
struct drm_ph_device;
struct iosys_map;
struct seq_file;
struct sg_table;

/**
 * enum drm_ph_store - where the pages of a library object come from
 * @DRM_PH_STORE_SHMEM: a shmem file, page by page, on first use
 *                      (drm_ph_shmem_create())
 * @DRM_PH_STORE_DMA: one DMA-contiguous block allocated for the device at
 *                    creation (drm_ph_dma_create())
 * @DRM_PH_STORE_IMPORT: none: an imported dma-buf's pages belong to its
 *                       exporter
 */
enum drm_ph_store {
	DRM_PH_STORE_SHMEM,
	DRM_PH_STORE_DMA,
	DRM_PH_STORE_IMPORT,
};

/**
 * enum drm_ph_madv - whether the contents of a shmem object are still needed
 * @DRM_PH_MADV_WILLNEED: they are (the state of every new object)
 * @DRM_PH_MADV_DONTNEED: the shrinker may drop them, before it evicts
 *                        anything, while the object is neither pinned, nor
 *                        vmapped, nor exported
 * @DRM_PH_MADV_PURGED: they were dropped: CPU faults get SIGBUS and pins and
 *                      vmaps -EBUSY until the object is WILLNEED again, and
 *                      its pages then come back zero-filled
 *
 * Set with drm_ph_shmem_madvise(); see "reclaim".
 */
enum drm_ph_madv {
	DRM_PH_MADV_WILLNEED,
	DRM_PH_MADV_DONTNEED,
	DRM_PH_MADV_PURGED,
};

/**
 * struct drm_ph_object - a GEM object of the PRIME helpers
 * @base: the GEM object
 * @id: per-device sequence number, shown by debugfs
 * @store: where the pages come from; set at creation
 * @contiguous: @dma_addr is valid: a DMA object, or an import accepted by
 *              drm_ph_dma_prime_import_sg_table(); set at creation
 * @dma_addr: DMA address of the first byte for the device of the object's
 *            &drm_device, when @contiguous
 * @lock: protects every field below it but @contiguous, @lru and
 *        @device_maps (the reservation lock's); it nests
 *        inside the dma_resv lock (6.12 calls the pin and vmap hooks with
 *        that lock held) and outside the device's reclaim lock and the
 *        mapping's i_mmap lock (eviction shoots PTEs down under it); the
 *        shrinker only ever trylocks it
 * @pages: the shmem pages while @pages_use_count > 0, else NULL
 * @pages_use_count: users of @pages: the fault path (one, see @mmap_pages),
 *                   the dma-buf mappings (one, see @map_pages), each pin and
 *                   the kernel mapping
 * @mmap_pages: the fault path holds one use of @pages for the CPU mappings;
 *              eviction drops it after shooting the mappings down, and so
 *              does the close of the last CPU mapping of a shmem object
 * @map_pages: the dma-buf mappings hold one use of @pages from the first
 *             map to the last unmap; if that unmap finds @lock taken,
 *             eviction or the release of the dma-buf drops it
 * @lru: entry in one of the device's reclaim lists (see "reclaim"), under
 *       their lock; empty while the object is on neither
 * @madv: a &enum drm_ph_madv
 * @reclaim_list: which reclaim list @lru is on (private to the library)
 * @cpu_mappings: VMAs of the object (GEM and dma-buf mmaps, their splits
 *                and forked copies) that are not closed yet
 * @pin_count: pins (the driver's, and the dma-buf attachments the core
 *             pins: static ones from attach to detach, dynamic ones while
 *             mapped unless the kernel has CONFIG_DMABUF_MOVE_NOTIFY);
 *             pinned pages are never evicted
 * @device_maps: live dma-buf mappings (one per mapped attachment); changed
 *               and read under the reservation lock. Those of unpinned
 *               attachments leave the object evictable: eviction calls
 *               their importers' move_notify first
 * @sgt: cached page-level sg table of @pages, built on demand, freed with
 *       @pages; attachments get their own DMA-mapped copies of it
 * @vaddr: kernel mapping while @vmap_use_count > 0
 * @vmap_use_count: nested vmaps sharing @vaddr
 * @faults: CPU page faults served for this object, through any mapping
 *          (wraps at 2^32: a statistic)
 * @pmd_faults: those of @faults that mapped a huge page with one PMD entry
 * @attachments: &struct drm_ph_attachment of live dma-buf attachments
 * @export: the live dma-buf exported from this object, or NULL; a weak
 *          pointer (the dma-buf holds the object, not the reverse) that the
 *          dma-buf's release clears
 * @self_import: while @self_imports > 0, the dma-buf (exported from this
 *               object, referenced by the importers) that self-imports are
 *               turning back into a handle; see drm_ph_gem_prime_export()
 * @self_imports: self-imports between creating their handle and setting
 *                &drm_gem_object.dma_buf
 * @import_sgt: for imported objects, the exporter's sg table mapped for this
 *              device; the attachment is &drm_gem_object.import_attach
 *
 * Imported objects have no pages of their own: CPU mmaps and kernel mappings
 * are redirected to the exporting dma-buf, and they are never evicted.
 * DMA objects hold their pages from creation to free (see drm_ph_dma.h).
 */
struct drm_ph_object {
	/*
	 * Packed so that the small fields share words: one of these per
	 * buffer, and on 6.12 it is exactly the 512 bytes of its slab (an
	 * earlier layout took a 1 KiB one, where the stock helper's object
	 * fits). make bench's slab_per_object shows it if a field or a bigger
	 * drm_gem_object tips it over.
	 */
	struct drm_gem_object base;
	u32 id;
	enum drm_ph_store store;
	dma_addr_t dma_addr;

	struct mutex lock; /* protects the fields below, see above */
	struct page **pages;
	unsigned int pages_use_count;
	unsigned int cpu_mappings;
	unsigned int pin_count;
	unsigned int device_maps;
	unsigned int vmap_use_count;
	unsigned int self_imports;
	u32 faults;
	u32 pmd_faults;
	bool mmap_pages;
	bool map_pages;
	bool contiguous;	/* set at creation, read without the lock */
	u8 madv;
	u8 reclaim_list;
	struct sg_table *sgt;
	void *vaddr;
	struct list_head lru;
	struct list_head attachments;
	struct dma_buf *export;
	struct dma_buf *self_import;

	struct sg_table *import_sgt;
};

/**
 * to_drm_ph_object - upcast from the GEM object
 * @obj: GEM object created by the library
 *
 * Returns: the library object embedding @obj.
 */
static inline struct drm_ph_object *to_drm_ph_object(struct drm_gem_object *obj)
{
	return container_of(obj, struct drm_ph_object, base);
}

struct drm_ph_object *drm_ph_shmem_create(struct drm_device *drm, size_t size);
bool drm_ph_is_object(struct drm_gem_object *obj);

int drm_ph_shmem_pin(struct drm_ph_object *phobj);
void drm_ph_shmem_unpin(struct drm_ph_object *phobj);
struct sg_table *drm_ph_shmem_get_pages_sgt(struct drm_ph_object *phobj);
struct sg_table *drm_ph_shmem_map_for_device(struct drm_ph_object *phobj, struct device *dev,
					     enum dma_data_direction dir, unsigned long attrs);
void drm_ph_shmem_unmap_for_device(struct device *dev, struct sg_table *sgt,
				   enum dma_data_direction dir, unsigned long attrs);
int drm_ph_shmem_vmap(struct drm_ph_object *phobj, struct iosys_map *map);
void drm_ph_shmem_vunmap(struct drm_ph_object *phobj, struct iosys_map *map);
void drm_ph_shmem_unmap_mappings(struct drm_ph_object *phobj);
bool drm_ph_shmem_evict(struct drm_ph_object *phobj);
unsigned int drm_ph_device_evict(struct drm_ph_device *phdev);
unsigned long drm_ph_device_shrink(struct drm_ph_device *phdev, unsigned long nr_pages);
int drm_ph_shmem_madvise(struct drm_ph_object *phobj, enum drm_ph_madv madv, bool *retained);

int drm_ph_shmem_dumb_create(struct drm_file *file, struct drm_device *drm,
			     struct drm_mode_create_dumb *args);
int drm_ph_shmem_dumb_map_offset(struct drm_file *file, struct drm_device *drm,
				 u32 handle, u64 *offset);
struct drm_gem_object *drm_ph_shmem_prime_import_sg_table(struct drm_device *drm,
							  struct dma_buf_attachment *attach,
							  struct sg_table *sgt);

void drm_ph_show_fdinfo(struct seq_file *m, struct file *f);

unsigned long drm_ph_gem_get_unmapped_area(struct file *filp, unsigned long addr,
					   unsigned long len, unsigned long pgoff,
					   unsigned long flags);

/**
 * DRM_PH_DEFINE_FOPS - the &file_operations of a driver on the PRIME helpers
 * @name: name of the generated structure
 *
 * DEFINE_DRM_GEM_FOPS() plus drm_ph_gem_get_unmapped_area(), so GEM mmaps
 * are placed where huge pages can be mapped with PMD entries, and
 * drm_ph_show_fdinfo(), so every open file shows its memory statistics.
 */
#define DRM_PH_DEFINE_FOPS(name) \
	static const struct file_operations name = { \
		.owner = THIS_MODULE, \
		DRM_GEM_FOPS, \
		.get_unmapped_area = drm_ph_gem_get_unmapped_area, \
		.show_fdinfo = drm_ph_show_fdinfo, \
	}

#endif /* __DRM_PH_SHMEM_H__ */
