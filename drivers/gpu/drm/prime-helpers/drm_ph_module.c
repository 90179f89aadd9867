// SPDX-License-Identifier: GPL-2.0
/*
 * Module glue of the PRIME helper library: load/unload, the library-wide
 * counters and their debugfs file.
 */

/**
 * DOC: overview
 *
 * prime_helpers.ko gives a GEM driver dma-buf sharing (PRIME) in a few lines:
 * shmem-backed GEM objects (drm_ph_shmem.c), their export as dma-bufs with the
 * library's &dma_buf_ops (drm_ph_prime.c, drm_ph_dmabuf_ops.c), the import of
 * foreign dma-bufs, the PRIME ioctls with a per-file handle <-> dma-buf cache
 * (drm_ph_handle_fd.c), huge pages (drm_ph_huge.c) and debugfs introspection
 * (drm_ph_debugfs.c).
 *
 * The module itself owns only counters and the tmpfs mount huge-page objects
 * live on: every object, dma-buf, attachment and cache entry belongs to a
 * driver's device or file, and the counters only mirror their lifetimes.
 * /sys/kernel/debug/prime_helpers/stats shows them, one ``name: value`` per
 * line, so tests can check that a workload returns everything it took.
 */

#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/seq_file.h>

#include <drm/drm_ph.h>

#include "drm_ph_internal.h"

atomic_long_t drm_ph_stats[DRM_PH_STAT_COUNT];

static const char *const drm_ph_stat_names[DRM_PH_STAT_COUNT] = {
	[DRM_PH_STAT_OBJECTS] = "objects",
	[DRM_PH_STAT_DMA_BUFS] = "dma_bufs",
	[DRM_PH_STAT_IMPORTS] = "imports",
	[DRM_PH_STAT_ATTACHMENTS] = "attachments",
	[DRM_PH_STAT_CACHE_ENTRIES] = "cache_entries",
	[DRM_PH_STAT_VMAPS] = "vmaps",
};

static struct dentry *drm_ph_debugfs_root;

static int drm_ph_stats_show(struct seq_file *m, void *unused)
{
	int i;

	for (i = 0; i < DRM_PH_STAT_COUNT; i++)
		seq_printf(m, "%s: %ld\n", drm_ph_stat_names[i],
			   atomic_long_read(&drm_ph_stats[i]));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(drm_ph_stats);

/**
 * drm_ph_abi_version - ABI version of the loaded PRIME helper library
 *
 * Drivers may compare this with %DRM_PH_ABI_VERSION from the header they were
 * built against; it also gives every driver a real link-time dependency on
 * the library, so the module loader orders them.
 *
 * Locking: none.
 *
 * Returns: the library's ABI version.
 */
unsigned int drm_ph_abi_version(void)
{
	return DRM_PH_ABI_VERSION;
}
EXPORT_SYMBOL_NS_GPL(drm_ph_abi_version, DRM_PRIME_HELPERS);

static int __init drm_ph_init(void)
{
	/* debugfs is optional: without it the library works, unobserved. */
	drm_ph_debugfs_root = debugfs_create_dir("prime_helpers", NULL);
	debugfs_create_file("stats", 0444, drm_ph_debugfs_root, NULL, &drm_ph_stats_fops);
	return drm_ph_huge_init();
}

static void __exit drm_ph_exit(void)
{
	int i;

	debugfs_remove_recursive(drm_ph_debugfs_root);
	drm_ph_huge_exit();
	/*
	 * Every user module holds a reference on this one, so everything it
	 * created is gone by now; a non-zero counter is a leak.
	 */
	for (i = 0; i < DRM_PH_STAT_COUNT; i++)
		WARN(atomic_long_read(&drm_ph_stats[i]), "prime_helpers: %ld %s leaked\n",
		     atomic_long_read(&drm_ph_stats[i]), drm_ph_stat_names[i]);
}

module_init(drm_ph_init);
module_exit(drm_ph_exit);

MODULE_DESCRIPTION("PRIME (dma-buf sharing) helpers for GEM drivers");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(DMA_BUF);
