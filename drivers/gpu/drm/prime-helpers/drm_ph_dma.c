// SPDX-License-Identifier: GPL-2.0
/*
 * DMA-contiguous backing store of the PRIME helper library, and the import
 * path of devices that can only use contiguous buffers.
 */

/**
 * DOC: DMA-contiguous objects
 *
 * Some devices can only address one contiguous block per buffer: scanout
 * engines and video capture blocks without an IOMMU, simple DMA engines. For
 * them a driver creates objects with drm_ph_dma_create() instead of
 * drm_ph_shmem_create(). The memory is allocated for the driver's device with
 * dma_alloc_pages(): one physically contiguous block (so at most what the
 * page allocator or CMA can hand out in one piece), zero-filled, with a
 * kernel mapping (the linear map) and a DMA address for that device, which
 * drm_ph_object_dma_address() returns. The block is charged to the memory
 * cgroup of the task that creates the object (unless it comes from CMA,
 * which memory cgroups do not account), so a client cannot take more
 * contiguous memory than its cgroup allows.
 *
 * Apart from where its pages come from, a DMA object is a library object
 * like any other, so the PRIME layer does not tell the two stores apart: the
 * same export (&dma_buf_ops, per-file cache, self-import), the same CPU mmap
 * (the fault handler inserts the block's pages, in the device's address space
 * for both the GEM and the dma-buf mmap), the same refcounted vmap (which
 * simply returns the linear mapping), the same debugfs lines (store ``dma``,
 * one segment). The pages are held from creation to free: a DMA object is
 * never evicted, and pinning it only counts.
 *
 * The memory is mapped for its device at allocation, in the streaming
 * (non-coherent) sense of the DMA API: the driver brackets its device's
 * accesses with drm_ph_object_sync_for_device() and
 * drm_ph_object_sync_for_cpu(), and the dma-buf's begin/end_cpu_access
 * sync it together with every importer's mapping. Imported objects are not
 * synced by the importer: their mapping, and its cache maintenance, belong
 * to the exporter (see drm_ph_object_sync_for_device()).
 *
 * Contiguous imports. A driver whose device needs contiguous buffers sets
 * &drm_driver.gem_prime_import_sg_table to
 * drm_ph_dma_prime_import_sg_table(): an imported dma-buf is accepted only if
 * its mapping for the device is one contiguous range of DMA addresses (an
 * IOMMU may make scattered pages contiguous), and refused with -EINVAL
 * otherwise, as the DMA helper of the kernel does. Accepted imports have a
 * DMA address too.
 */

#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <drm/drm_device.h>
#include <drm/drm_gem.h>
#include <drm/drm_ph.h>
#include <drm/drm_prime.h>

#include "drm_ph_compat.h"
#include "drm_ph_internal.h"

/* Linear-map address of the block; x86-64 and the like have no highmem. */
void *drm_ph_dma_vaddr(struct drm_ph_object *phobj)
{
	return page_address(phobj->pages[0]);
}

/* Gives the block back; called when the last use of the pages goes. */
void drm_ph_dma_free_pages(struct drm_ph_object *phobj)
{
	struct drm_gem_object *obj = &phobj->base;

	dma_free_pages(obj->dev->dev, obj->size, phobj->pages[0], phobj->dma_addr,
		       DMA_BIDIRECTIONAL);
	kvfree(phobj->pages);
	phobj->pages = NULL;
}

/**
 * drm_ph_dma_create - create a DMA-contiguous object
 * @drm: device, embedded in a &struct drm_ph_device; the memory is allocated
 *       and mapped for &drm_device.dev, within its DMA mask
 * @size: size in bytes, rounded up to whole pages
 *
 * Allocates the whole object at once, zero-filled, and keeps it until the
 * object is freed. See the DOC section for how it differs from a shmem
 * object (it hardly does).
 *
 * Locking: none.
 *
 * Returns: the object with one reference, or an ERR_PTR(): -EINVAL for a zero
 * size, -ENOMEM when no contiguous block of that size is available.
 */
struct drm_ph_object *drm_ph_dma_create(struct drm_device *drm, size_t size)
{
	struct drm_ph_object *phobj;
	pgoff_t i, npages;
	struct page *page;

	phobj = drm_ph_object_create(drm, size, false);
	if (IS_ERR(phobj))
		return phobj;
	npages = phobj->base.size >> PAGE_SHIFT;

	/* No single block is that big; the array alone might not even fit. */
	if (!drm_ph_page_array_fits(npages) || npages > totalram_pages())
		goto err_put;
	/*
	 * Charged to the caller's memory cgroup, like the shmem pages of the
	 * other store: userspace chooses how many of these it makes.
	 */
	phobj->pages = kvmalloc_array(npages, sizeof(*phobj->pages), GFP_KERNEL_ACCOUNT);
	if (!phobj->pages)
		goto err_put;
	/* Too big for one block is an ordinary failure, not a kernel warning. */
	page = dma_alloc_pages(drm->dev, phobj->base.size, &phobj->dma_addr, DMA_BIDIRECTIONAL,
			       GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!page)
		goto err_pages;
	drm_ph_compat_dma_alloc_pages_checked(drm->dev, phobj->dma_addr);

	/* Neither CMA nor the page allocator clear what they hand out. */
	memset(page_address(page), 0, phobj->base.size);
	dma_sync_single_for_device(drm->dev, phobj->dma_addr, phobj->base.size,
				   DMA_BIDIRECTIONAL);
	for (i = 0; i < npages; i++)
		phobj->pages[i] = page + i;

	/*
	 * The store's own use of the pages, given back when the object is
	 * freed: held as the CPU mappings' use, which only eviction (never
	 * done to DMA objects) and free drop.
	 */
	phobj->store = DRM_PH_STORE_DMA;
	phobj->contiguous = true;
	phobj->pages_use_count = 1;
	phobj->mmap_pages = true;
	return drm_ph_object_publish(phobj);

err_pages:
	kvfree(phobj->pages);
	phobj->pages = NULL;
err_put:
	drm_gem_object_put(&phobj->base);
	return ERR_PTR(-ENOMEM);
}
EXPORT_SYMBOL_NS_GPL(drm_ph_dma_create, DRM_PRIME_HELPERS);

/**
 * drm_ph_dma_prime_import_sg_table - import for devices that need contiguity
 * @drm: importing device
 * @attach: the attachment of @drm to the foreign dma-buf
 * @sgt: the dma-buf's pages, mapped for @drm
 *
 * &drm_driver.gem_prime_import_sg_table for drivers whose device can only
 * use buffers that are contiguous in its DMA address space. Otherwise the
 * same as drm_ph_shmem_prime_import_sg_table(); the object gets the DMA
 * address of the range (drm_ph_object_dma_address()).
 *
 * Locking: none.
 *
 * Returns: the object with one reference, or an ERR_PTR(): -EINVAL when
 * @sgt is not one contiguous range covering the dma-buf, -ENOMEM.
 */
struct drm_gem_object *drm_ph_dma_prime_import_sg_table(struct drm_device *drm,
							struct dma_buf_attachment *attach,
							struct sg_table *sgt)
{
	struct drm_ph_object *phobj;

	if (drm_prime_get_contiguous_size(sgt) < attach->dmabuf->size)
		return ERR_PTR(-EINVAL);

	phobj = drm_ph_import_object_create(drm, attach, sgt);
	if (IS_ERR(phobj))
		return ERR_CAST(phobj);
	phobj->dma_addr = sg_dma_address(sgt->sgl);
	phobj->contiguous = true;
	phobj = drm_ph_object_publish(phobj);
	return IS_ERR(phobj) ? ERR_CAST(phobj) : &phobj->base;
}
EXPORT_SYMBOL_NS_GPL(drm_ph_dma_prime_import_sg_table, DRM_PRIME_HELPERS);

/**
 * drm_ph_object_dma_address - the DMA address of a contiguous object
 * @phobj: the object
 * @addr: returns the address of the object's first byte for the device of
 *        the object's &drm_device; the object is contiguous from there
 *
 * Valid for the object's lifetime.
 *
 * Locking: none.
 *
 * Returns: 0 for objects of drm_ph_dma_create() and imports accepted by
 * drm_ph_dma_prime_import_sg_table(); -EINVAL for any other object.
 */
int drm_ph_object_dma_address(struct drm_ph_object *phobj, dma_addr_t *addr)
{
	if (!phobj->contiguous)
		return -EINVAL;
	*addr = phobj->dma_addr;
	return 0;
}
EXPORT_SYMBOL_NS_GPL(drm_ph_object_dma_address, DRM_PRIME_HELPERS);

/**
 * drm_ph_object_sync_for_device - hand a DMA object to its device
 * @phobj: an object of drm_ph_dma_create()
 *
 * Makes what the CPU wrote visible to the device of the object's
 * &drm_device before it accesses the object through
 * drm_ph_object_dma_address().
 *
 * Nothing happens for any other object. A shmem object is mapped for a
 * device by whoever maps it, who syncs that mapping. An imported object's
 * mapping belongs to its exporter, and so does its cache maintenance: the
 * exporter syncs every attachment when CPU access through the dma-buf ends
 * (DMA_BUF_IOCTL_SYNC, dma_buf_end_cpu_access()), which is the contract
 * both sides keep; an importer syncing the exporter's table behind its back
 * would only hide a missing bracket on the CPU side.
 *
 * Locking: none.
 */
void drm_ph_object_sync_for_device(struct drm_ph_object *phobj)
{
	if (phobj->store == DRM_PH_STORE_DMA)
		dma_sync_single_for_device(phobj->base.dev->dev, phobj->dma_addr,
					   phobj->base.size, DMA_BIDIRECTIONAL);
}
EXPORT_SYMBOL_NS_GPL(drm_ph_object_sync_for_device, DRM_PRIME_HELPERS);

/**
 * drm_ph_object_sync_for_cpu - take a DMA object back from its device
 * @phobj: an object of drm_ph_dma_create()
 *
 * The counterpart of drm_ph_object_sync_for_device(), once the device is
 * done: what it wrote becomes visible to the CPU. Nothing happens for other
 * objects; for imports, CPU access through the dma-buf
 * (dma_buf_begin_cpu_access()) makes the exporter sync.
 *
 * Locking: none.
 */
void drm_ph_object_sync_for_cpu(struct drm_ph_object *phobj)
{
	if (phobj->store == DRM_PH_STORE_DMA)
		dma_sync_single_for_cpu(phobj->base.dev->dev, phobj->dma_addr,
					phobj->base.size, DMA_BIDIRECTIONAL);
}
EXPORT_SYMBOL_NS_GPL(drm_ph_object_sync_for_cpu, DRM_PRIME_HELPERS);
