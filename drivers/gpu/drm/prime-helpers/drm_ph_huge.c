// SPDX-License-Identifier: GPL-2.0
/*
 * Huge pages for shmem objects: the library's own tmpfs mount that hands out
 * PMD-sized folios, PMD mappings on fault, and 2 MiB-aligned GEM mmaps.
 */

/**
 * DOC: huge pages
 *
 * The kernel's shmem helper backs every object with 4 KiB pages from the
 * internal shm mount, and on 6.1 and 6.12 maps them one PTE per fault. The
 * library mounts its own tmpfs with ``huge=within_size`` when it loads, and
 * creates the files of objects of 2 MiB or more there: shmem then fills each
 * naturally aligned 2 MiB of the object that lies within its size with one
 * PMD-sized folio when the allocator has one (and with 4 KiB pages when it
 * has not; nothing fails for want of huge pages).
 *
 * A CPU fault maps such a folio with one PMD entry (vmf_insert_pfn_pmd(), from
 * the ordinary fault handler, as the mappings are VM_PFNMAP) when the whole
 * 2 MiB of virtual space around the fault belongs to the VMA and maps exactly
 * that folio, i.e. when the mapping's address and the object offset agree
 * modulo 2 MiB. Everything else falls back to PTEs (with fault-around).
 * Shootdowns need nothing special: zapping a PFN-mapped PMD drops the entry
 * without touching the pages, so eviction and drm_ph_shmem_unmap_mappings()
 * work unchanged.
 *
 * To make the agreement the common case, drivers use DRM_PH_DEFINE_FOPS(),
 * whose &file_operations.get_unmapped_area places a GEM mmap at 2 MiB
 * alignment relative to the object's start. The dma-buf file's operations
 * belong to the dma-buf core, so a dma-buf mmap gets PMDs when userspace asks
 * for an aligned address (a hint, or MAP_FIXED inside an aligned reservation).
 *
 * The module parameter huge_pages (default on) turns both halves off for
 * objects created, and faults taken, while it is off.
 *
 * PMDs honour the opt-outs from transparent huge pages: a mapping advised
 * ``MADV_NOHUGEPAGE`` and a process that set ``PR_SET_THP_DISABLE`` get PTEs
 * (with fault-around), the same pages and data.
 *
 * get_user_pages() refuses every CPU mapping of a library object, PMD or PTE,
 * on both lines (the mappings are VM_PFNMAP; a page reference taken through
 * them would outlive eviction's shootdown). Fast GUP, which does not look at
 * the VMA, must fail on the entry itself: PTEs are special. 6.12 marks PFN
 * PMDs special too, 6.1 has no special bit for PMDs, and there fast GUP took
 * page references through them. So the PMDs are inserted as devmap entries
 * on both lines (see drm_ph_compat_pmd_pfn()): fast GUP looks up the pages'
 * ZONE_DEVICE pagemap, finds none (they are shmem pages), and falls back to
 * the slow path, which refuses the VM_PFNMAP mapping with -EFAULT.
 */

#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/mount.h>
#include <linux/pfn_t.h>
#include <linux/sched/coredump.h>
#include <linux/shmem_fs.h>

#include <drm/drm_device.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_ph.h>
#include <drm/drm_vma_manager.h>

#include "drm_ph_compat.h"
#include "drm_ph_internal.h"

static bool huge_pages = true;
module_param(huge_pages, bool, 0644);
MODULE_PARM_DESC(huge_pages,
		 "back new shmem objects of 2 MiB or more with huge pages and map them with PMD entries (default: on)");

/* NULL when the kernel or the CPU has no transparent huge pages. */
static struct vfsmount *drm_ph_huge_mnt;

#define DRM_PH_PMD_PAGES (PMD_SIZE >> PAGE_SHIFT)

int drm_ph_huge_init(void)
{
	/* Mount options are parsed in place: they must be writable. */
	char options[] = "huge=within_size";
	struct file_system_type *type;
	struct vfsmount *mnt;

	type = get_fs_type("tmpfs");
	if (!type)
		return 0;
	mnt = vfs_kern_mount(type, SB_KERNMOUNT, type->name, options);
	if (IS_ERR(mnt)) {
		/* tmpfs refuses huge= without THP: the library still works. */
		pr_info("prime_helpers: no huge-page tmpfs (%pe), objects use 4 KiB pages\n", mnt);
		return 0;
	}
	drm_ph_huge_mnt = mnt;
	return 0;
}

void drm_ph_huge_exit(void)
{
	/* Every object, hence every file on the mount, is gone by now. */
	if (drm_ph_huge_mnt)
		kern_unmount(drm_ph_huge_mnt);
}

/*
 * GEM init of a shmem object: on the huge-page mount when huge pages are on
 * and the object can hold at least one, else on the kernel's shm mount like
 * any GEM object. On failure nothing is left to release.
 */
int drm_ph_huge_gem_object_init(struct drm_device *drm, struct drm_gem_object *obj, size_t size)
{
	struct file *filp;

	if (!drm_ph_huge_mnt || !READ_ONCE(huge_pages) || size < PMD_SIZE)
		return drm_gem_object_init(drm, obj, size);

	drm_gem_private_object_init(drm, obj, size);
	filp = shmem_file_setup_with_mnt(drm_ph_huge_mnt, "drm mm object", size, VM_NORESERVE);
	if (IS_ERR(filp)) {
		drm_gem_object_release(obj);
		return PTR_ERR(filp);
	}
	obj->filp = filp;
	return 0;
}

/**
 * drm_ph_huge_map_pmd - map a fault with one PMD entry if it can be
 * @vmf: the fault, in a VMA of @phobj set up by the library
 * @phobj: the object, whose pages are held, locked by the caller
 * @page: index of the faulting page in the object
 *
 * Succeeds when the 2 MiB of virtual space around the fault lies inside the
 * VMA, maps object pages that start one PMD-sized folio, and has no page
 * table yet (PTEs mapped there earlier, e.g. before an eviction, keep the
 * range on PTEs).
 *
 * Returns: true if the PMD was mapped.
 */
bool drm_ph_huge_map_pmd(struct vm_fault *vmf, struct drm_ph_object *phobj, pgoff_t page)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long haddr = vmf->address & PMD_MASK;
	pgoff_t into = (vmf->address - haddr) >> PAGE_SHIFT;
	struct page *head;
	pgoff_t first;

	lockdep_assert_held(&phobj->lock);

	if (!IS_ENABLED(CONFIG_TRANSPARENT_HUGEPAGE) || !READ_ONCE(huge_pages) ||
	    phobj->store != DRM_PH_STORE_SHMEM)
		return false;
	/* The THP opt-outs of the mapping and of the process hold here too. */
	if ((vma->vm_flags & VM_NOHUGEPAGE) || test_bit(MMF_DISABLE_THP, &vma->vm_mm->flags))
		return false;
	if (haddr < vma->vm_start || haddr + PMD_SIZE > vma->vm_end || page < into)
		return false;
	first = page - into;
	if (!IS_ALIGNED(first, DRM_PH_PMD_PAGES) ||
	    first + DRM_PH_PMD_PAGES > (phobj->base.size >> PAGE_SHIFT))
		return false;
	/* shmem aligns huge folios in the file: the head is pages[first] or nothing is. */
	head = phobj->pages[first];
	if (!folio_test_pmd_mappable(page_folio(head)) || folio_page(page_folio(head), 0) != head)
		return false;
	/*
	 * A page table here (PTEs mapped before an eviction, or by a fault
	 * of a neighbouring range) keeps the range on PTEs; a huge entry was
	 * seen by the caller. Under the object's lock no other fault changes
	 * this PMD; a zap only clears it.
	 */
	if (!pmd_none(READ_ONCE(*vmf->pmd)))
		return false;

	return vmf_insert_pfn_pmd(vmf, drm_ph_compat_pmd_pfn(page_to_pfn(head)),
				  vmf->flags & FAULT_FLAG_WRITE) == VM_FAULT_NOPAGE;
}

/**
 * drm_ph_huge_pmd_mapped - whether a fault's address is already mapped by a PMD
 * @vmf: the fault, whose caller holds the object's lock
 *
 * Faults of one range can queue on the object's lock having all seen an
 * empty PMD; the first may map the range with one PMD entry. The others must
 * not go on to insert PTEs: the PTE helpers would take the huge page for a
 * page table. Mappings of the library's objects only change under the
 * object's lock or towards none (a zap), so a huge entry seen here stays
 * until the fault returns or is zapped, and either way retrying is right.
 *
 * Returns: true if the PMD of @vmf maps a huge page.
 */
bool drm_ph_huge_pmd_mapped(struct vm_fault *vmf)
{
	pmd_t pmd = READ_ONCE(*vmf->pmd);

	return pmd_trans_huge(pmd) || pmd_devmap(pmd);
}

/* The number of PMD-sized folios among the held pages of @phobj (for debugfs). */
unsigned int drm_ph_huge_folios(struct drm_ph_object *phobj)
{
	pgoff_t i, npages = phobj->base.size >> PAGE_SHIFT;
	unsigned int folios = 0;

	lockdep_assert_held(&phobj->lock);

	if (!phobj->pages || phobj->store != DRM_PH_STORE_SHMEM)
		return 0;
	for (i = 0; i < npages; i++) {
		struct folio *folio = page_folio(phobj->pages[i]);

		if (folio_test_pmd_mappable(folio) && folio_page(folio, 0) == phobj->pages[i])
			folios++;
	}
	return folios;
}

/**
 * drm_ph_gem_get_unmapped_area - &file_operations.get_unmapped_area of a DRM file
 * @filp: the DRM file being mapped
 * @addr: address hint, or the fixed address
 * @len: length of the mapping
 * @pgoff: the fake offset of the mapping, in pages
 * @flags: the mmap flags
 *
 * Places a GEM mmap so that its address and the object offset it maps agree
 * modulo 2 MiB, which lets faults map huge pages with PMD entries. Mappings
 * the library does not know (an offset no object has) are placed the kernel's
 * usual way. DRM_PH_DEFINE_FOPS() fills this in.
 *
 * Locking: takes the device's mmap-offset lookup lock.
 *
 * Returns: the address, or a negative errno as an unsigned long.
 */
unsigned long drm_ph_gem_get_unmapped_area(struct file *filp, unsigned long addr,
					   unsigned long len, unsigned long pgoff,
					   unsigned long flags)
{
	struct drm_file *file = filp->private_data;
	struct drm_vma_offset_manager *mgr = file->minor->dev->vma_offset_manager;
	struct drm_vma_offset_node *node;
	unsigned long object_pgoff = pgoff;

	drm_vma_offset_lock_lookup(mgr);
	node = drm_vma_offset_lookup_locked(mgr, pgoff, len >> PAGE_SHIFT);
	if (node)
		object_pgoff = pgoff - drm_vma_node_start(node);
	drm_vma_offset_unlock_lookup(mgr);

	/* Aligns when the length allows, else the mm's own placement. */
	return thp_get_unmapped_area(filp, addr, len, object_pgoff, flags);
}
EXPORT_SYMBOL_NS_GPL(drm_ph_gem_get_unmapped_area, DRM_PRIME_HELPERS);
