// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites of the PRIME helper library, run in the debug kernel.
 *
 * Nothing is mocked: each test registers real DRM devices on the KUnit bus,
 * wired with DRM_PH_DRIVER_OPS, opens their card nodes through devtmpfs as a
 * process would (so every &drm_file is the core's own) and drives the
 * library's exported functions, checking the state they leave in the
 * library's public structures: the per-file cache trees, the objects' page,
 * pin and vmap counts, sg tables and DMA addresses. The kernel threads that
 * run KUnit tests share init's descriptor table, which the PRIME functions
 * install their descriptors in; every test closes what it opened.
 */

#include <kunit/device.h>
#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/dma-buf.h>
#include <linux/dma-fence.h>
#include <linux/dma-resv.h>
#include <linux/dma-mapping.h>
#include <linux/fcntl.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/iosys-map.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/rhashtable.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_ioctl.h>
#include <drm/drm_ph.h>
#include <drm/drm_prime.h>
#include <uapi/drm/drm.h>

#include "drm_ph_compat.h"

DEFINE_DRM_GEM_FOPS(ph_kunit_fops);

static const struct drm_driver ph_kunit_driver = {
	.driver_features = DRIVER_GEM,
	DRM_PH_DRIVER_OPS,
	.fops = &ph_kunit_fops,
	.name = "ph_kunit",
	.desc = "PRIME helpers KUnit device",
	.date = "20260101",
	.major = 1,
};

KUNIT_DEFINE_ACTION_WRAPPER(ph_kunit_unregister, drm_dev_unregister, struct drm_device *);
KUNIT_DEFINE_ACTION_WRAPPER(ph_kunit_fput, __fput_sync, struct file *);
KUNIT_DEFINE_ACTION_WRAPPER(ph_kunit_dma_buf_put, dma_buf_put, struct dma_buf *);
KUNIT_DEFINE_ACTION_WRAPPER(ph_kunit_object_put, drm_gem_object_put, struct drm_gem_object *);

/* Releases deferred by fput() from a kernel thread happen now. */
static void ph_kunit_settle(void)
{
	flush_delayed_fput();
}

static void ph_kunit_close_fd(void *fd)
{
	close_fd((unsigned long)fd);
}

static void ph_kunit_settle_action(void *unused)
{
	ph_kunit_settle();
}

/* A registered device of the test driver, gone when the test ends. */
static struct drm_device *ph_kunit_device(struct kunit *test, const char *name)
{
	struct drm_ph_device *phdev;
	struct device *dev;

	/*
	 * Runs after every other cleanup of the test (actions run last in,
	 * first out): the dma-bufs the test let go are released before the
	 * next test, or the module's unload, instead of whenever the deferred
	 * fput work gets to them.
	 */
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, ph_kunit_settle_action, NULL), 0);
	dev = kunit_device_register(test, name);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	/* The KUnit bus sets no DMA mask; DMA objects need one. */
	KUNIT_ASSERT_EQ(test, dma_coerce_mask_and_coherent(dev, DMA_BIT_MASK(64)), 0);
	phdev = devm_drm_dev_alloc(dev, &ph_kunit_driver, struct drm_ph_device, drm);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, phdev);
	KUNIT_ASSERT_EQ(test, drm_ph_device_init(phdev), 0);
	KUNIT_ASSERT_EQ(test, drm_dev_register(&phdev->drm, 0), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, ph_kunit_unregister, &phdev->drm), 0);
	return &phdev->drm;
}

/* The device's card node opened as a process would; @filp may be NULL. */
static struct drm_file *ph_kunit_open(struct kunit *test, struct drm_device *drm,
				      struct file **filp)
{
	char path[32];
	struct file *f;

	snprintf(path, sizeof(path), "/dev/dri/card%d", drm->primary->index);
	f = filp_open(path, O_RDWR, 0);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(f), "opening %s: %ld", path, PTR_ERR(f));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, ph_kunit_fput, f), 0);
	if (filp)
		*filp = f;
	return f->private_data;
}

/* A shmem object; with a handle in @file (which then owns it), or not. */
static struct drm_ph_object *ph_kunit_object(struct kunit *test, struct drm_device *drm,
					     size_t size, struct drm_file *file, u32 *handle)
{
	struct drm_ph_object *phobj = drm_ph_shmem_create(drm, size);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, phobj);
	if (!file) {
		KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, ph_kunit_object_put,
								&phobj->base), 0);
		return phobj;
	}
	KUNIT_ASSERT_EQ(test, drm_gem_handle_create(file, &phobj->base, handle), 0);
	drm_gem_object_put(&phobj->base);
	return phobj;
}

/* HANDLE_TO_FD; the descriptor is closed when the test ends. */
static int ph_kunit_export_fd(struct kunit *test, struct drm_device *drm, struct drm_file *file,
			      u32 handle)
{
	int fd;

	KUNIT_ASSERT_EQ(test, drm_ph_prime_handle_to_fd(drm, file, handle,
							DRM_CLOEXEC | DRM_RDWR, &fd), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, ph_kunit_close_fd,
							(void *)(unsigned long)fd), 0);
	return fd;
}

/* The dma-buf behind a descriptor, referenced until the test ends. */
static struct dma_buf *ph_kunit_dma_buf(struct kunit *test, int fd)
{
	struct dma_buf *dma_buf = dma_buf_get(fd);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dma_buf);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, ph_kunit_dma_buf_put, dma_buf), 0);
	return dma_buf;
}

/* Entries of one of the file's cache indexes, duplicates of a key included. */
static unsigned int ph_kunit_table_size(struct drm_file *file, bool by_handle)
{
	struct drm_ph_file *pfile = to_drm_ph_file(file);
	struct rhashtable_iter iter;
	unsigned long index;
	unsigned int n = 0;
	void *entry;

	mutex_lock(&pfile->lock);
	if (by_handle) {
		xa_for_each(&pfile->by_handle, index, entry)
			n++;
	} else {
		rhashtable_walk_enter(&pfile->by_dmabuf.ht, &iter);
		rhashtable_walk_start(&iter);
		while ((entry = rhashtable_walk_next(&iter)))
			if (!IS_ERR(entry))
				n++;
		rhashtable_walk_stop(&iter);
		rhashtable_walk_exit(&iter);
	}
	mutex_unlock(&pfile->lock);
	return n;
}

static unsigned long ph_kunit_objects(struct drm_device *drm)
{
	struct drm_ph_device *phdev = to_drm_ph_device(drm);
	struct drm_ph_object *phobj;
	unsigned long id, n = 0;

	mutex_lock(&phdev->objects_lock);
	xa_for_each(&phdev->objects, id, phobj)
		n++;
	mutex_unlock(&phdev->objects_lock);
	return n;
}

/* Physically contiguous runs of an object's pages, which it holds. */
static unsigned int ph_kunit_page_runs(struct drm_ph_object *phobj)
{
	unsigned int runs = 0;
	pgoff_t i;

	for (i = 0; i < phobj->base.size >> PAGE_SHIFT; i++)
		if (!i || page_to_pfn(phobj->pages[i]) != page_to_pfn(phobj->pages[i - 1]) + 1)
			runs++;
	return runs;
}

#define PH_KUNIT_SIEVE_PAGES 1024

struct ph_kunit_sieve {
	struct page *kept[PH_KUNIT_SIEVE_PAGES];
	struct page *dropped[PH_KUNIT_SIEVE_PAGES];
};

static void ph_kunit_sieve_free(struct ph_kunit_sieve *sieve)
{
	unsigned int i;

	for (i = 0; i < PH_KUNIT_SIEVE_PAGES; i++)
		if (sieve->kept[i])
			__free_page(sieve->kept[i]);
	kfree(sieve);
}

/*
 * Fresh after boot, the page allocator hands out long contiguous runs. A
 * sieve takes pages two by two, keeps one of each pair and frees the other:
 * whoever allocates unmovable pages while it lives gets isolated ones.
 */
static struct ph_kunit_sieve *ph_kunit_sieve_new(struct kunit *test)
{
	struct ph_kunit_sieve *sieve;
	unsigned int i;

	sieve = kzalloc(sizeof(*sieve), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, sieve);
	for (i = 0; i < PH_KUNIT_SIEVE_PAGES; i++) {
		sieve->dropped[i] = alloc_page(GFP_KERNEL);
		sieve->kept[i] = alloc_page(GFP_KERNEL);
		if (!sieve->dropped[i] || !sieve->kept[i])
			break;
	}
	for (i = 0; i < PH_KUNIT_SIEVE_PAGES && sieve->dropped[i]; i++) {
		__free_page(sieve->dropped[i]);
		sieve->dropped[i] = NULL;
	}
	if (i < PH_KUNIT_SIEVE_PAGES) {
		ph_kunit_sieve_free(sieve);
		KUNIT_FAIL(test, "no memory for the sieve");
		return NULL;
	}
	return sieve;
}

/* A pinned shmem object whose pages were taken through a sieve. */
static struct drm_ph_object *ph_kunit_scattered_object(struct kunit *test, struct drm_device *drm,
						       struct drm_file *file, u32 *handle)
{
	struct ph_kunit_sieve *sieve = ph_kunit_sieve_new(test);
	struct drm_ph_object *phobj;

	KUNIT_ASSERT_NOT_NULL(test, sieve);
	phobj = ph_kunit_object(test, drm, SZ_1M, file, handle);
	KUNIT_EXPECT_EQ(test, drm_ph_shmem_pin(phobj), 0);
	ph_kunit_sieve_free(sieve);
	return phobj;
}

static void ph_kunit_export_is_cached(struct kunit *test)
{
	struct drm_device *drm = ph_kunit_device(test, "ph-kunit-a");
	struct drm_file *file = ph_kunit_open(test, drm, NULL);
	struct drm_ph_object *phobj;
	struct dma_buf *first, *second;
	u32 handle;

	phobj = ph_kunit_object(test, drm, SZ_64K, file, &handle);
	first = ph_kunit_dma_buf(test, ph_kunit_export_fd(test, drm, file, handle));
	second = ph_kunit_dma_buf(test, ph_kunit_export_fd(test, drm, file, handle));

	KUNIT_EXPECT_PTR_EQ(test, first, second);
	KUNIT_EXPECT_PTR_EQ(test, phobj->base.dma_buf, first);
	KUNIT_EXPECT_PTR_EQ(test, phobj->export, first);
	KUNIT_EXPECT_TRUE(test, drm_ph_is_own_dma_buf(first));
	KUNIT_EXPECT_EQ(test, ph_kunit_table_size(file, true), 1);
	KUNIT_EXPECT_EQ(test, ph_kunit_table_size(file, false), 1);
}

/*
 * The PRIME ioctl checks the flags before it calls the hook; a driver calling
 * drm_ph_prime_handle_to_fd() itself gets the same answer from the library,
 * and nothing is exported or cached.
 */
static void ph_kunit_export_refuses_bad_flags(struct kunit *test)
{
	struct drm_device *drm = ph_kunit_device(test, "ph-kunit-a");
	struct drm_file *file = ph_kunit_open(test, drm, NULL);
	struct drm_ph_object *phobj;
	u32 handle;
	int fd = -1;

	phobj = ph_kunit_object(test, drm, SZ_64K, file, &handle);
	KUNIT_EXPECT_EQ(test, drm_ph_prime_handle_to_fd(drm, file, handle, DRM_CLOEXEC | 0x4, &fd),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, fd, -1);
	KUNIT_EXPECT_NULL(test, phobj->base.dma_buf);
	KUNIT_EXPECT_EQ(test, ph_kunit_table_size(file, true), 0);
}

/*
 * Whoever asks an object for a dma-buf while one is alive gets that one, as a
 * driver calling the export hook directly (under object_name_lock, as the
 * PRIME ioctl does) would. A second dma-buf would overwrite the object's
 * export pointer, and its release clear the pointer of the first.
 */
static void ph_kunit_one_live_export(struct kunit *test)
{
	struct drm_device *drm = ph_kunit_device(test, "ph-kunit-a");
	struct drm_file *file = ph_kunit_open(test, drm, NULL);
	struct drm_ph_object *phobj;
	struct dma_buf *first, *again;
	u32 handle;

	phobj = ph_kunit_object(test, drm, SZ_64K, file, &handle);
	first = ph_kunit_dma_buf(test, ph_kunit_export_fd(test, drm, file, handle));

	mutex_lock(&drm->object_name_lock);
	again = drm_ph_gem_prime_export(&phobj->base, O_RDWR);
	mutex_unlock(&drm->object_name_lock);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, again);
	KUNIT_EXPECT_PTR_EQ(test, again, first);
	KUNIT_EXPECT_PTR_EQ(test, phobj->export, first);
	dma_buf_put(again);
	ph_kunit_settle();
	/* Dropping the extra reference released nothing. */
	KUNIT_EXPECT_PTR_EQ(test, phobj->export, first);
	KUNIT_EXPECT_PTR_EQ(test, phobj->base.dma_buf, first);
}

static void ph_kunit_import_in_same_file(struct kunit *test)
{
	struct drm_device *drm = ph_kunit_device(test, "ph-kunit-a");
	struct drm_file *file = ph_kunit_open(test, drm, NULL);
	u32 handle, again;
	int fd;

	ph_kunit_object(test, drm, SZ_64K, file, &handle);
	fd = ph_kunit_export_fd(test, drm, file, handle);

	KUNIT_ASSERT_EQ(test, drm_ph_prime_fd_to_handle(drm, file, fd, &again), 0);
	KUNIT_EXPECT_EQ(test, again, handle);
	KUNIT_EXPECT_EQ(test, ph_kunit_table_size(file, true), 1);
}

static void ph_kunit_self_import_other_file(struct kunit *test)
{
	struct drm_device *drm = ph_kunit_device(test, "ph-kunit-a");
	struct drm_file *exporter = ph_kunit_open(test, drm, NULL);
	struct drm_file *importer = ph_kunit_open(test, drm, NULL);
	struct drm_gem_object *obj;
	struct drm_ph_object *phobj;
	u32 handle, imported;
	int fd;

	phobj = ph_kunit_object(test, drm, SZ_64K, exporter, &handle);
	fd = ph_kunit_export_fd(test, drm, exporter, handle);

	KUNIT_ASSERT_EQ(test, drm_ph_prime_fd_to_handle(drm, importer, fd, &imported), 0);
	obj = drm_gem_object_lookup(importer, imported);
	KUNIT_ASSERT_NOT_NULL(test, obj);
	/* The object itself: no attachment, no second object. */
	KUNIT_EXPECT_PTR_EQ(test, obj, &phobj->base);
	KUNIT_EXPECT_NULL(test, obj->import_attach);
	KUNIT_EXPECT_EQ(test, phobj->pin_count, 0);
	KUNIT_EXPECT_EQ(test, ph_kunit_objects(drm), 1);
	KUNIT_EXPECT_EQ(test, ph_kunit_table_size(importer, true), 1);
	drm_gem_object_put(obj);
}

static void ph_kunit_foreign_import_attaches(struct kunit *test)
{
	struct drm_device *drm = ph_kunit_device(test, "ph-kunit-a");
	struct drm_device *other = ph_kunit_device(test, "ph-kunit-b");
	struct drm_file *exporter = ph_kunit_open(test, drm, NULL);
	struct drm_file *importer = ph_kunit_open(test, other, NULL);
	struct drm_ph_object *phobj, *imp;
	struct drm_gem_object *obj;
	u32 handle, imported;
	int fd;

	phobj = ph_kunit_object(test, drm, SZ_256K, exporter, &handle);
	fd = ph_kunit_export_fd(test, drm, exporter, handle);

	KUNIT_ASSERT_EQ(test, drm_ph_prime_fd_to_handle(other, importer, fd, &imported), 0);
	obj = drm_gem_object_lookup(importer, imported);
	KUNIT_ASSERT_NOT_NULL(test, obj);
	imp = to_drm_ph_object(obj);
	KUNIT_EXPECT_PTR_NE(test, obj, &phobj->base);
	KUNIT_EXPECT_NOT_NULL(test, obj->import_attach);
	KUNIT_EXPECT_EQ(test, imp->store, DRM_PH_STORE_IMPORT);
	KUNIT_EXPECT_PTR_EQ(test, obj->resv, phobj->base.resv);
	KUNIT_ASSERT_NOT_NULL(test, imp->import_sgt);
	KUNIT_EXPECT_GE(test, imp->import_sgt->nents, 1);
	/* The attachment pins the exporter's pages. */
	KUNIT_EXPECT_EQ(test, phobj->pin_count, 1);
	KUNIT_EXPECT_NOT_NULL(test, phobj->pages);
	KUNIT_EXPECT_EQ(test, ph_kunit_objects(other), 1);

	/* Closing the import's last handle detaches: the pin goes. */
	KUNIT_EXPECT_EQ(test, drm_gem_handle_delete(importer, imported), 0);
	drm_gem_object_put(obj);
	KUNIT_EXPECT_EQ(test, ph_kunit_objects(other), 0);
	KUNIT_EXPECT_EQ(test, phobj->pin_count, 0);
	KUNIT_EXPECT_EQ(test, ph_kunit_table_size(importer, true), 0);
}

static void ph_kunit_several_handles_one_dma_buf(struct kunit *test)
{
	struct drm_device *drm = ph_kunit_device(test, "ph-kunit-a");
	struct drm_file *exporter = ph_kunit_open(test, drm, NULL);
	struct drm_file *file = ph_kunit_open(test, drm, NULL);
	struct drm_ph_object *phobj;
	u32 handle, first, second, found;
	int fd, fd2;

	phobj = ph_kunit_object(test, drm, SZ_64K, exporter, &handle);
	fd = ph_kunit_export_fd(test, drm, exporter, handle);
	KUNIT_ASSERT_EQ(test, drm_ph_prime_fd_to_handle(drm, file, fd, &first), 0);
	/* A second handle on the object (as GEM_OPEN of a flink name makes). */
	KUNIT_ASSERT_EQ(test, drm_gem_handle_create(file, &phobj->base, &second), 0);
	KUNIT_ASSERT_NE(test, first, second);
	fd2 = ph_kunit_export_fd(test, drm, file, second);
	KUNIT_EXPECT_PTR_EQ(test, ph_kunit_dma_buf(test, fd2), ph_kunit_dma_buf(test, fd));
	KUNIT_EXPECT_EQ(test, ph_kunit_table_size(file, true), 2);
	KUNIT_EXPECT_EQ(test, ph_kunit_table_size(file, false), 2);

	/* An import answers with the oldest entry of the dma-buf. */
	KUNIT_ASSERT_EQ(test, drm_ph_prime_fd_to_handle(drm, file, fd, &found), 0);
	KUNIT_EXPECT_EQ(test, found, first);

	/* Closing it evicts exactly its entry; the other handle answers. */
	KUNIT_ASSERT_EQ(test, drm_gem_handle_delete(file, first), 0);
	KUNIT_EXPECT_EQ(test, ph_kunit_table_size(file, true), 1);
	KUNIT_EXPECT_EQ(test, ph_kunit_table_size(file, false), 1);
	KUNIT_ASSERT_EQ(test, drm_ph_prime_fd_to_handle(drm, file, fd, &found), 0);
	KUNIT_EXPECT_EQ(test, found, second);

	KUNIT_ASSERT_EQ(test, drm_gem_handle_delete(file, second), 0);
	KUNIT_EXPECT_EQ(test, ph_kunit_table_size(file, true), 0);
	KUNIT_EXPECT_EQ(test, ph_kunit_table_size(file, false), 0);
}

static void ph_kunit_file_close_drops_everything(struct kunit *test)
{
	struct drm_device *drm = ph_kunit_device(test, "ph-kunit-a");
	struct file *filp;
	struct drm_file *file = ph_kunit_open(test, drm, &filp);
	struct dma_buf *dma_buf;
	u32 handle;
	int i;

	for (i = 0; i < 8; i++) {
		ph_kunit_object(test, drm, SZ_64K, file, &handle);
		dma_buf = ph_kunit_dma_buf(test, ph_kunit_export_fd(test, drm, file, handle));
	}
	KUNIT_EXPECT_EQ(test, ph_kunit_table_size(file, true), 8);
	KUNIT_EXPECT_EQ(test, ph_kunit_objects(drm), 8);

	kunit_release_action(test, ph_kunit_fput, filp);
	ph_kunit_settle();
	/* The dma-bufs (held by this test) keep their objects, nothing else. */
	KUNIT_EXPECT_EQ(test, ph_kunit_objects(drm), 8);
	KUNIT_EXPECT_EQ(test, to_drm_ph_object(dma_buf->priv)->base.handle_count, 0);
}

static void ph_kunit_vmap_nests(struct kunit *test)
{
	struct drm_device *drm = ph_kunit_device(test, "ph-kunit-a");
	struct drm_ph_object *phobj = ph_kunit_object(test, drm, SZ_64K, NULL, NULL);
	struct iosys_map maps[3];
	int i;

	for (i = 0; i < 3; i++) {
		KUNIT_ASSERT_EQ(test, drm_ph_shmem_vmap(phobj, &maps[i]), 0);
		KUNIT_EXPECT_PTR_EQ(test, maps[i].vaddr, maps[0].vaddr);
	}
	KUNIT_EXPECT_EQ(test, phobj->vmap_use_count, 3);
	KUNIT_EXPECT_EQ(test, phobj->pages_use_count, 1);

	drm_ph_shmem_vunmap(phobj, &maps[2]);
	drm_ph_shmem_vunmap(phobj, &maps[1]);
	KUNIT_EXPECT_PTR_EQ(test, phobj->vaddr, maps[0].vaddr);
	KUNIT_EXPECT_NOT_NULL(test, phobj->pages);
	/* The last one unmaps and gives the pages back. */
	drm_ph_shmem_vunmap(phobj, &maps[0]);
	KUNIT_EXPECT_NULL(test, phobj->vaddr);
	KUNIT_EXPECT_NULL(test, phobj->pages);
	KUNIT_EXPECT_EQ(test, phobj->pages_use_count, 0);
}

static void ph_kunit_pin_and_vmap_share_pages(struct kunit *test)
{
	struct drm_device *drm = ph_kunit_device(test, "ph-kunit-a");
	struct drm_ph_object *phobj = ph_kunit_object(test, drm, SZ_64K, NULL, NULL);
	struct iosys_map map;
	struct page **pages;

	KUNIT_ASSERT_EQ(test, drm_ph_shmem_pin(phobj), 0);
	pages = phobj->pages;
	KUNIT_ASSERT_NOT_NULL(test, pages);
	KUNIT_ASSERT_EQ(test, drm_ph_shmem_vmap(phobj, &map), 0);
	KUNIT_EXPECT_PTR_EQ(test, phobj->pages, pages);
	KUNIT_EXPECT_EQ(test, phobj->pages_use_count, 2);
	/* Not evictable while pinned or mapped. */
	KUNIT_EXPECT_FALSE(test, drm_ph_shmem_evict(phobj));

	drm_ph_shmem_unpin(phobj);
	KUNIT_EXPECT_EQ(test, phobj->pin_count, 0);
	KUNIT_EXPECT_PTR_EQ(test, phobj->pages, pages);
	KUNIT_EXPECT_FALSE(test, drm_ph_shmem_evict(phobj));
	drm_ph_shmem_vunmap(phobj, &map);
	KUNIT_EXPECT_NULL(test, phobj->pages);
}

static void ph_kunit_sgt_coalesces(struct kunit *test)
{
	struct drm_device *drm = ph_kunit_device(test, "ph-kunit-a");
	struct drm_ph_object *phobj = ph_kunit_object(test, drm, SZ_1M, NULL, NULL);
	struct scatterlist *sg;
	struct sg_table *sgt;
	pgoff_t page = 0;
	size_t total = 0;
	unsigned int i;

	/* Only a pin makes the table valid. */
	KUNIT_EXPECT_EQ(test, PTR_ERR(drm_ph_shmem_get_pages_sgt(phobj)), -EINVAL);

	KUNIT_ASSERT_EQ(test, drm_ph_shmem_pin(phobj), 0);
	sgt = drm_ph_shmem_get_pages_sgt(phobj);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sgt);
	/* One entry per physically contiguous run, each where its run starts. */
	KUNIT_EXPECT_EQ(test, sgt->orig_nents, ph_kunit_page_runs(phobj));
	for_each_sgtable_sg(sgt, sg, i) {
		KUNIT_EXPECT_PTR_EQ(test, sg_page(sg), phobj->pages[page]);
		KUNIT_EXPECT_EQ(test, sg->offset, 0);
		total += sg->length;
		page += sg->length >> PAGE_SHIFT;
	}
	KUNIT_EXPECT_EQ(test, total, (size_t)SZ_1M);
	/* Cached: the same table while the pin lasts. */
	KUNIT_EXPECT_PTR_EQ(test, drm_ph_shmem_get_pages_sgt(phobj), sgt);
	kunit_info(test, "1 MiB object: %u pages in %u segments\n", SZ_1M >> PAGE_SHIFT,
		   sgt->orig_nents);
	drm_ph_shmem_unpin(phobj);
	KUNIT_EXPECT_NULL(test, phobj->sgt);

	/* Scattered pages: several entries, each still where its run starts. */
	phobj = ph_kunit_scattered_object(test, drm, NULL, NULL);
	sgt = drm_ph_shmem_get_pages_sgt(phobj);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sgt);
	KUNIT_EXPECT_GT(test, ph_kunit_page_runs(phobj), 1);
	KUNIT_EXPECT_EQ(test, sgt->orig_nents, ph_kunit_page_runs(phobj));
	page = 0;
	total = 0;
	for_each_sgtable_sg(sgt, sg, i) {
		KUNIT_EXPECT_PTR_EQ(test, sg_page(sg), phobj->pages[page]);
		total += sg->length;
		page += sg->length >> PAGE_SHIFT;
	}
	KUNIT_EXPECT_EQ(test, total, (size_t)SZ_1M);
	kunit_info(test, "1 MiB object through a sieve: %u segments\n", sgt->orig_nents);
	drm_ph_shmem_unpin(phobj);
}

static void ph_kunit_dma_object_is_one_block(struct kunit *test)
{
	struct drm_device *drm = ph_kunit_device(test, "ph-kunit-a");
	struct drm_ph_object *shmem = ph_kunit_object(test, drm, SZ_64K, NULL, NULL);
	struct drm_ph_object *phobj;
	struct iosys_map map;
	struct sg_table *sgt;
	dma_addr_t addr;

	phobj = drm_ph_dma_create(drm, SZ_256K);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, phobj);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, ph_kunit_object_put,
							&phobj->base), 0);

	KUNIT_EXPECT_EQ(test, phobj->store, DRM_PH_STORE_DMA);
	KUNIT_EXPECT_EQ(test, drm_ph_object_dma_address(phobj, &addr), 0);
	KUNIT_EXPECT_EQ(test, drm_ph_object_dma_address(shmem, &addr), -EINVAL);
	KUNIT_EXPECT_EQ(test, ph_kunit_page_runs(phobj), 1);

	KUNIT_ASSERT_EQ(test, drm_ph_shmem_pin(phobj), 0);
	sgt = drm_ph_shmem_get_pages_sgt(phobj);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sgt);
	KUNIT_EXPECT_EQ(test, sgt->orig_nents, 1);
	KUNIT_EXPECT_EQ(test, sgt->sgl->length, SZ_256K);
	drm_ph_shmem_unpin(phobj);
	/* Pins only count: the block stays. */
	KUNIT_EXPECT_NOT_NULL(test, phobj->pages);

	KUNIT_ASSERT_EQ(test, drm_ph_shmem_vmap(phobj, &map), 0);
	KUNIT_EXPECT_PTR_EQ(test, map.vaddr, page_address(phobj->pages[0]));
	KUNIT_EXPECT_TRUE(test, !memchr_inv(map.vaddr, 0, SZ_256K));
	drm_ph_shmem_vunmap(phobj, &map);

	KUNIT_EXPECT_FALSE(test, drm_ph_shmem_evict(phobj));
	KUNIT_EXPECT_NOT_NULL(test, phobj->pages);
}

static void ph_kunit_create_errors_unwind(struct kunit *test)
{
	struct drm_device *drm = ph_kunit_device(test, "ph-kunit-a");

	KUNIT_EXPECT_EQ(test, PTR_ERR(drm_ph_shmem_create(drm, 0)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(drm_ph_dma_create(drm, 0)), -EINVAL);
	/* More than any single allocation without a CMA area can give. */
	KUNIT_EXPECT_EQ(test, PTR_ERR(drm_ph_dma_create(drm, SZ_1G)), -ENOMEM);
	KUNIT_EXPECT_EQ(test, ph_kunit_objects(drm), 0);
}

/* Import @dma_buf into @other with the contiguous import path. */
static int ph_kunit_contiguous_import(struct kunit *test, struct drm_device *other,
				      struct dma_buf *dma_buf, bool *contiguous)
{
	struct dma_buf_attachment *attach;
	struct drm_gem_object *obj;
	struct sg_table *sgt;
	dma_addr_t addr;
	int ret = 0;

	attach = dma_buf_attach(dma_buf, other->dev);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	sgt = drm_ph_compat_map_attachment_unlocked(attach, DMA_BIDIRECTIONAL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sgt);
	*contiguous = drm_prime_get_contiguous_size(sgt) >= dma_buf->size;

	obj = drm_ph_dma_prime_import_sg_table(other, attach, sgt);
	if (IS_ERR(obj)) {
		ret = PTR_ERR(obj);
	} else {
		KUNIT_EXPECT_EQ(test, drm_ph_object_dma_address(to_drm_ph_object(obj), &addr), 0);
		KUNIT_EXPECT_EQ(test, addr, sg_dma_address(sgt->sgl));
		/* Not set by this path: the free callback leaves the attachment to us. */
		drm_gem_object_put(obj);
	}
	drm_ph_compat_unmap_attachment_unlocked(attach, sgt, DMA_BIDIRECTIONAL);
	dma_buf_detach(dma_buf, attach);
	return ret;
}

static void ph_kunit_contiguous_imports(struct kunit *test)
{
	struct drm_device *drm = ph_kunit_device(test, "ph-kunit-a");
	struct drm_device *other = ph_kunit_device(test, "ph-kunit-b");
	struct drm_file *file = ph_kunit_open(test, drm, NULL);
	struct drm_ph_object *dobj, *shmem;
	struct dma_buf *dma_buf;
	bool contiguous;
	u32 handle;

	dobj = drm_ph_dma_create(drm, SZ_256K);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dobj);
	KUNIT_ASSERT_EQ(test, drm_gem_handle_create(file, &dobj->base, &handle), 0);
	drm_gem_object_put(&dobj->base);
	dma_buf = ph_kunit_dma_buf(test, ph_kunit_export_fd(test, drm, file, handle));
	KUNIT_EXPECT_EQ(test, ph_kunit_contiguous_import(test, other, dma_buf, &contiguous), 0);
	KUNIT_EXPECT_TRUE(test, contiguous);

	/* Scattered shmem pages, and no IOMMU to hide it: refused. */
	shmem = ph_kunit_scattered_object(test, drm, file, &handle);
	dma_buf = ph_kunit_dma_buf(test, ph_kunit_export_fd(test, drm, file, handle));
	KUNIT_EXPECT_EQ(test, ph_kunit_contiguous_import(test, other, dma_buf, &contiguous),
			-EINVAL);
	KUNIT_EXPECT_FALSE(test, contiguous);
	drm_ph_shmem_unpin(shmem);
	KUNIT_EXPECT_EQ(test, shmem->pin_count, 0);
	KUNIT_EXPECT_EQ(test, ph_kunit_objects(other), 0);
}

static void ph_kunit_compat_shims(struct kunit *test)
{
	struct drm_device *drm = ph_kunit_device(test, "ph-kunit-a");
	struct drm_device *other = ph_kunit_device(test, "ph-kunit-b");
	struct drm_file *file = ph_kunit_open(test, drm, NULL);
	struct dma_buf_attachment *attach;
	struct iosys_map own, through;
	struct drm_ph_object *phobj;
	struct dma_buf *dma_buf;
	struct sg_table *sgt;
	u32 handle;

	phobj = ph_kunit_object(test, drm, SZ_64K, file, &handle);
	dma_buf = ph_kunit_dma_buf(test, ph_kunit_export_fd(test, drm, file, handle));

	/* The unlocked dma-buf vmap of this kernel line shares the object's mapping. */
	KUNIT_ASSERT_EQ(test, drm_ph_shmem_vmap(phobj, &own), 0);
	KUNIT_ASSERT_EQ(test, drm_ph_compat_dma_buf_vmap_unlocked(dma_buf, &through), 0);
	KUNIT_EXPECT_PTR_EQ(test, through.vaddr, own.vaddr);
	KUNIT_EXPECT_EQ(test, phobj->vmap_use_count, 2);
	drm_ph_compat_dma_buf_vunmap_unlocked(dma_buf, &through);
	drm_ph_shmem_vunmap(phobj, &own);
	KUNIT_EXPECT_EQ(test, phobj->vmap_use_count, 0);

	/* Map and unmap an attachment without holding the reservation lock. */
	attach = dma_buf_attach(dma_buf, other->dev);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	KUNIT_EXPECT_EQ(test, phobj->pin_count, 1);
	sgt = drm_ph_compat_map_attachment_unlocked(attach, DMA_BIDIRECTIONAL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sgt);
	KUNIT_EXPECT_GE(test, sgt->nents, 1);
	drm_ph_compat_unmap_attachment_unlocked(attach, sgt, DMA_BIDIRECTIONAL);
	dma_buf_detach(dma_buf, attach);
	KUNIT_EXPECT_EQ(test, phobj->pin_count, 0);

	KUNIT_EXPECT_EQ(test, drm_ph_compat_fence_usage(true), DMA_RESV_USAGE_WRITE);
	KUNIT_EXPECT_EQ(test, drm_ph_compat_wait_usage(false), DMA_RESV_USAGE_WRITE);
	KUNIT_EXPECT_EQ(test, drm_ph_compat_wait_usage(true), DMA_RESV_USAGE_READ);
}

/*
 * A dynamic importer whose move_notify does what a GPU driver's may: it
 * unmaps, and queues a job (here a fence signalled 200 ms later, as a
 * page-table update would be) that still uses the pages until it ends.
 * dma-buf's contract has the exporter wait for such fences after
 * move_notify, before the pages go.
 */
struct ph_kunit_mover {
	struct dma_fence base;	/* first: the fence's release frees the whole */
	spinlock_t lock;
	struct delayed_work signal;
};

struct ph_kunit_importer {
	struct dma_buf_attachment *attach;
	struct sg_table *sgt;
	struct ph_kunit_mover *job;
	int notified;
};

static const char *ph_kunit_mover_name(struct dma_fence *fence)
{
	return "ph_kunit_mover";
}

static const struct dma_fence_ops ph_kunit_mover_ops = {
	.get_driver_name = ph_kunit_mover_name,
	.get_timeline_name = ph_kunit_mover_name,
};

static void ph_kunit_mover_signal(struct work_struct *work)
{
	struct ph_kunit_mover *job = container_of(work, struct ph_kunit_mover, signal.work);

	dma_fence_signal(&job->base);
	dma_fence_put(&job->base);
}

static void ph_kunit_move_notify(struct dma_buf_attachment *attach)
{
	struct ph_kunit_importer *imp = attach->importer_priv;
	struct dma_resv *resv = attach->dmabuf->resv;

	dma_resv_assert_held(resv);
	imp->notified++;
	if (imp->sgt) {
		dma_buf_unmap_attachment(attach, imp->sgt, DMA_BIDIRECTIONAL);
		imp->sgt = NULL;
	}
	if (imp->job || dma_resv_reserve_fences(resv, 1))
		return;
	imp->job = kzalloc(sizeof(*imp->job), GFP_KERNEL);
	if (!imp->job)
		return;
	spin_lock_init(&imp->job->lock);
	dma_fence_init(&imp->job->base, &ph_kunit_mover_ops, &imp->job->lock,
		       dma_fence_context_alloc(1), 1);
	INIT_DELAYED_WORK(&imp->job->signal, ph_kunit_mover_signal);
	dma_resv_add_fence(resv, &imp->job->base, DMA_RESV_USAGE_BOOKKEEP);
	/* The work's reference; the importer keeps the one init gave. */
	dma_fence_get(&imp->job->base);
	schedule_delayed_work(&imp->job->signal, msecs_to_jiffies(200));
}

static const struct dma_buf_attach_ops ph_kunit_mover_attach_ops = {
	.allow_peer2peer = false,
	.move_notify = ph_kunit_move_notify,
};

/* Whatever the test reached: unmapped, the job ended, detached. */
static void ph_kunit_importer_detach(void *data)
{
	struct ph_kunit_importer *imp = data;
	struct dma_buf *dma_buf = imp->attach->dmabuf;

	dma_resv_lock(dma_buf->resv, NULL);
	if (imp->sgt)
		dma_buf_unmap_attachment(imp->attach, imp->sgt, DMA_BIDIRECTIONAL);
	imp->sgt = NULL;
	dma_resv_unlock(dma_buf->resv);
	if (imp->job) {
		flush_delayed_work(&imp->job->signal);
		dma_fence_put(&imp->job->base);
		imp->job = NULL;
	}
	dma_buf_detach(dma_buf, imp->attach);
}

/*
 * Attaches @imp to @dma_buf for @dev as a dynamic importer with @ops and maps
 * the attachment; it is unmapped and detached when the test ends.
 */
static void ph_kunit_dynamic_import(struct kunit *test, struct dma_buf *dma_buf,
				    struct drm_device *dev, const struct dma_buf_attach_ops *ops,
				    struct ph_kunit_importer *imp)
{
	struct dma_buf_attachment *attach;
	struct sg_table *sgt;

	attach = dma_buf_dynamic_attach(dma_buf, dev->dev, ops, imp);
	KUNIT_ASSERT_FALSE(test, IS_ERR(attach));
	imp->attach = attach;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, ph_kunit_importer_detach, imp), 0);

	dma_resv_lock(dma_buf->resv, NULL);
	sgt = dma_buf_map_attachment(attach, DMA_BIDIRECTIONAL);
	if (!IS_ERR(sgt))
		imp->sgt = sgt;
	dma_resv_unlock(dma_buf->resv);
	KUNIT_ASSERT_FALSE(test, IS_ERR(sgt));
}

static void ph_kunit_evict_waits_for_move_fences(struct kunit *test)
{
	struct drm_device *drm = ph_kunit_device(test, "ph-kunit-a");
	struct drm_device *other = ph_kunit_device(test, "ph-kunit-b");
	struct drm_file *exporter = ph_kunit_open(test, drm, NULL);
	struct ph_kunit_importer *imp = kunit_kzalloc(test, sizeof(*imp), GFP_KERNEL);
	struct drm_ph_object *phobj;
	struct dma_buf *dma_buf;
	bool evicted, signalled;
	u32 handle;

	KUNIT_ASSERT_NOT_NULL(test, imp);
	if (!IS_ENABLED(CONFIG_DMABUF_MOVE_NOTIFY))
		kunit_skip(test, "without CONFIG_DMABUF_MOVE_NOTIFY the core pins dynamic imports");
	phobj = ph_kunit_object(test, drm, SZ_64K, exporter, &handle);
	dma_buf = ph_kunit_dma_buf(test, ph_kunit_export_fd(test, drm, exporter, handle));
	ph_kunit_dynamic_import(test, dma_buf, other, &ph_kunit_mover_attach_ops, imp);
	KUNIT_EXPECT_EQ(test, phobj->pin_count, 0);
	KUNIT_EXPECT_NOT_NULL(test, phobj->pages);

	evicted = drm_ph_shmem_evict(phobj);
	signalled = imp->job && dma_fence_is_signaled(&imp->job->base);
	KUNIT_EXPECT_GE(test, imp->notified, 1);
	KUNIT_EXPECT_NULL(test, imp->sgt);
	KUNIT_EXPECT_NOT_NULL(test, imp->job);
	KUNIT_EXPECT_TRUE(test, evicted);
	KUNIT_EXPECT_TRUE_MSG(test, signalled,
			      "the pages went while the job move_notify queued was running");
	KUNIT_EXPECT_NULL(test, phobj->pages);
}

/*
 * An importer whose move_notify takes its time (a GPU driver's may wait for
 * its page-table lock): it says it was entered and waits until the test
 * lets it go (at most 30 s, in case the test cannot), then unmaps.
 */
struct ph_kunit_slow_importer {
	struct ph_kunit_importer imp;
	struct completion entered;
	struct completion release;
};

static void ph_kunit_slow_move_notify(struct dma_buf_attachment *attach)
{
	struct ph_kunit_slow_importer *slow =
		container_of(attach->importer_priv, struct ph_kunit_slow_importer, imp);

	complete(&slow->entered);
	wait_for_completion_timeout(&slow->release, 30 * HZ);
	if (slow->imp.sgt) {
		dma_buf_unmap_attachment(attach, slow->imp.sgt, DMA_BIDIRECTIONAL);
		slow->imp.sgt = NULL;
	}
}

static const struct dma_buf_attach_ops ph_kunit_slow_attach_ops = {
	.allow_peer2peer = false,
	.move_notify = ph_kunit_slow_move_notify,
};

struct ph_kunit_shrink_work {
	struct work_struct shrink;
	struct drm_ph_device *phdev;
	unsigned long released;
	struct work_struct madvise;
	struct drm_ph_object *bystander;
	struct completion madvised;
	int madvise_ret;
	bool retained;
};

static void ph_kunit_shrink_fn(struct work_struct *work)
{
	struct ph_kunit_shrink_work *w = container_of(work, struct ph_kunit_shrink_work, shrink);

	w->released = drm_ph_device_shrink(w->phdev, 1);
}

static void ph_kunit_madvise_fn(struct work_struct *work)
{
	struct ph_kunit_shrink_work *w = container_of(work, struct ph_kunit_shrink_work, madvise);

	w->madvise_ret = drm_ph_shmem_madvise(w->bystander, DRM_PH_MADV_DONTNEED, &w->retained);
	complete(&w->madvised);
}

/*
 * While the shrinker is in one importer's move_notify, the device's other
 * objects are not held up: another object's madvise (which moves it between
 * the shrinker's lists, as a fault, pin or unmap may) completes meanwhile.
 */
static void ph_kunit_shrink_lets_others_run(struct kunit *test)
{
	struct drm_device *drm = ph_kunit_device(test, "ph-kunit-a");
	struct drm_device *other = ph_kunit_device(test, "ph-kunit-b");
	struct drm_file *exporter = ph_kunit_open(test, drm, NULL);
	struct ph_kunit_slow_importer *slow = kunit_kzalloc(test, sizeof(*slow), GFP_KERNEL);
	struct ph_kunit_shrink_work *w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);
	struct drm_ph_object *phobj;
	struct dma_buf *dma_buf;
	bool entered, madvised = false;
	u32 handle;

	KUNIT_ASSERT_NOT_NULL(test, slow);
	KUNIT_ASSERT_NOT_NULL(test, w);
	if (!IS_ENABLED(CONFIG_DMABUF_MOVE_NOTIFY))
		kunit_skip(test, "without CONFIG_DMABUF_MOVE_NOTIFY the core pins dynamic imports");
	init_completion(&slow->entered);
	init_completion(&slow->release);
	init_completion(&w->madvised);
	phobj = ph_kunit_object(test, drm, SZ_64K, exporter, &handle);
	w->bystander = ph_kunit_object(test, drm, SZ_64K, NULL, NULL);
	dma_buf = ph_kunit_dma_buf(test, ph_kunit_export_fd(test, drm, exporter, handle));
	ph_kunit_dynamic_import(test, dma_buf, other, &ph_kunit_slow_attach_ops, &slow->imp);

	INIT_WORK(&w->shrink, ph_kunit_shrink_fn);
	INIT_WORK(&w->madvise, ph_kunit_madvise_fn);
	w->phdev = to_drm_ph_device(drm);
	queue_work(system_unbound_wq, &w->shrink);
	entered = wait_for_completion_timeout(&slow->entered, 10 * HZ);
	if (entered) {
		/* Ample time on a loaded debug kernel: without waiting, it takes microseconds. */
		queue_work(system_unbound_wq, &w->madvise);
		madvised = wait_for_completion_timeout(&w->madvised, 10 * HZ);
	}
	complete(&slow->release);
	flush_work(&w->shrink);
	flush_work(&w->madvise);

	KUNIT_ASSERT_TRUE_MSG(test, entered, "the shrinker did not tell the importer");
	KUNIT_EXPECT_TRUE_MSG(test, madvised,
			      "another object's madvise waited for the importer's move_notify");
	KUNIT_EXPECT_EQ(test, w->madvise_ret, 0);
	KUNIT_EXPECT_TRUE(test, w->retained);
	KUNIT_EXPECT_NULL(test, slow->imp.sgt);
	KUNIT_EXPECT_EQ(test, w->released, SZ_64K >> PAGE_SHIFT);
	KUNIT_EXPECT_NULL(test, phobj->pages);
}

static struct kunit_case ph_kunit_cache_cases[] = {
	KUNIT_CASE(ph_kunit_export_is_cached),
	KUNIT_CASE(ph_kunit_export_refuses_bad_flags),
	KUNIT_CASE(ph_kunit_one_live_export),
	KUNIT_CASE(ph_kunit_import_in_same_file),
	KUNIT_CASE(ph_kunit_self_import_other_file),
	KUNIT_CASE(ph_kunit_foreign_import_attaches),
	KUNIT_CASE(ph_kunit_several_handles_one_dma_buf),
	KUNIT_CASE(ph_kunit_file_close_drops_everything),
	{}
};

static struct kunit_suite ph_kunit_cache_suite = {
	.name = "prime_helpers_cache",
	.test_cases = ph_kunit_cache_cases,
};

static struct kunit_case ph_kunit_object_cases[] = {
	KUNIT_CASE(ph_kunit_vmap_nests),
	KUNIT_CASE(ph_kunit_pin_and_vmap_share_pages),
	KUNIT_CASE(ph_kunit_sgt_coalesces),
	KUNIT_CASE(ph_kunit_dma_object_is_one_block),
	KUNIT_CASE(ph_kunit_create_errors_unwind),
	KUNIT_CASE(ph_kunit_contiguous_imports),
	KUNIT_CASE(ph_kunit_compat_shims),
	KUNIT_CASE(ph_kunit_evict_waits_for_move_fences),
	KUNIT_CASE(ph_kunit_shrink_lets_others_run),
	{}
};

static struct kunit_suite ph_kunit_object_suite = {
	.name = "prime_helpers_objects",
	.test_cases = ph_kunit_object_cases,
};

kunit_test_suites(&ph_kunit_cache_suite, &ph_kunit_object_suite);

MODULE_DESCRIPTION("KUnit suites of the DRM PRIME helper library");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(DRM_PRIME_HELPERS);
MODULE_IMPORT_NS(DMA_BUF);
