/* SPDX-License-Identifier: MIT */
/*
 * Opening DRM devices by the driver behind them. Stock vgem and our ph_vgem
 * both answer "vgem" to DRM_IOCTL_VERSION, so devices are told apart by sysfs:
 * the bound driver's name ("ph_vgem", "cirrus"), or for an unbound platform
 * device (stock vgem) the device's own name ("vgem").
 */
#ifndef DRMTEST_H
#define DRMTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <xf86drm.h>	/* DRM_NODE_PRIMARY, DRM_NODE_RENDER */

/* Driver keys of the devices the tests use. */
#define DRIVER_PH_VGEM "ph_vgem"
#define DRIVER_STOCK_VGEM "vgem"
#define DRIVER_CIRRUS "cirrus"

/*
 * Open the index-th device (in sysfs name order) whose driver key is @key.
 * Returns an O_RDWR | O_CLOEXEC fd, or -1 with errno ENODEV when absent.
 */
int drm_open_device(const char *key, unsigned int index, int node);

/* As drm_open_device(), but skips the subtest or fixture when absent. */
int drm_open_device_or_skip(const char *key, unsigned int index, int node);

/*
 * The index-th card (primary) node of driver @key, failing the subtest when it
 * is absent: a device the bench loads is part of what is tested, so its
 * absence is a failure, not a reason to skip.
 */
int drm_open_card(const char *key, unsigned int index);

/* Driver key of an open DRM fd, into @buf; false if it is not a DRM device. */
bool drm_device_key(int fd, char *buf, size_t len);

/* The name DRM_IOCTL_VERSION reports, into @buf. */
bool drm_driver_name(int fd, char *buf, size_t len);

/* Path of the device's debugfs directory (/sys/kernel/debug/dri/<minor>). */
bool drm_debugfs_dir(int fd, char *buf, size_t len);

/* Path of the device's sysfs directory (/sys/dev/char/<major>:<minor>). */
bool drm_sysfs_dir(int fd, char *buf, size_t len);

/* Name of the kernel module behind a driver key ("vgem", "ph_vgem"). */
const char *drm_module_of(const char *key);

/*
 * The two vgem-compatible drivers, stock vgem first: for standard uAPI the
 * stock driver is the oracle, so a subtest runs its body on it before ours
 * and both must give the same result. IGT_VGEM_DRIVERS (a comma-separated
 * list of keys) narrows the set, to tell which side fails when debugging.
 */
#define VGEM_DRIVER_COUNT 2
extern const char *const vgem_drivers[VGEM_DRIVER_COUNT];

/* True if @key is selected by IGT_VGEM_DRIVERS (always, when it is unset). */
bool vgem_driver_selected(const char *key);

/* Whether the running kernel is older than @major.@minor (uname's release). */
bool kernel_before(int major, int minor);

/*
 * Whether this kernel has DMA-API debug on. Upstream exporters (the stock
 * shmem helper's drm_gem_map_dma_buf, videobuf2) build one sg table for
 * their own device and map it for the importer as it is: its segments may
 * exceed the importer's dma_get_max_seg_size() (ph_edu declares 64 KiB),
 * which DMA-API debug reports against the importer. Tests skip those
 * imports here, saying so; the other lines run them.
 */
bool dma_api_debug_on(void);

/*
 * Whether lockdep runs on a 6.1 kernel. There an importer's kernel mapping
 * of a stock shmem-helper buffer takes the dma-buf's lock and then the
 * exporter's vmap_lock, while cirrus scanning out an import takes an
 * importer's vmap_lock and then a dma-buf's lock: lockdep has one class per
 * lock for both objects and reports a cycle that cannot close (a stock
 * object is an export or an import, never both), then stops checking for
 * the rest of the boot. 6.2 moved both under the reservation lock.
 */
bool lockdep_confuses_stock_vmap(void);

/* Logs which driver the next checks run on, so a failure names its side. */
void drm_checking(const char *key);

/* Runs the statement that follows once per selected driver, stock first. */
#define for_each_vgem_driver(key)                                             \
	for (unsigned int __d = 0; __d < VGEM_DRIVER_COUNT; __d++)            \
		for ((key) = vgem_drivers[__d];                               \
		     (key) && vgem_driver_selected(key) && (drm_checking(key), true); \
		     (key) = NULL)

#endif /* DRMTEST_H */
