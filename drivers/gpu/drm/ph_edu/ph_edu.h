/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __PH_EDU_H__
#define __PH_EDU_H__

#include <linux/completion.h>
#include <linux/mutex.h>
#include <linux/types.h>

#include <drm/drm_ph.h>

struct drm_device;
struct drm_file;
struct drm_gem_object;
struct pci_dev;

/*
 * The engine addresses 28 bits and silently drops the rest: QEMU's default
 * for the device's dma_mask property. A guest whose edu has a wider mask
 * (-device edu,dma_mask=...) loads the driver with dma_bits set to match.
 */
#define PH_EDU_DMA_BITS_DEFAULT 28
extern unsigned int ph_edu_dma_bits;

/* How the engine's DMA reaches memory in this boot (sysfs: dma_path). */
enum ph_edu_dma_path {
	PH_EDU_DMA_NONE,	/* memory beyond the engine's reach: no DMA */
	PH_EDU_DMA_DIRECT,	/* physical addresses, all memory within reach */
	PH_EDU_DMA_BOUNCE,	/* physical addresses through swiotlb's bounce buffers */
	PH_EDU_DMA_IOMMU,	/* IOMMU-translated addresses */
};

/*
 * The device's own buffer, through which every DMA transfer goes, is 4 KiB,
 * but QEMU 7.2 (Debian 12's) stops the machine for a transfer that ends at
 * its last byte (its range check is off by one): the usable window is one
 * byte shorter.
 */
#define PH_EDU_WINDOW_SIZE (4096 - 1)

/**
 * struct ph_edu_device - one edu PCI device
 * @ph: the PRIME helpers' device, which embeds the &drm_device
 * @pdev: the PCI device; DMA is mapped for &pci_dev.dev
 * @mmio: BAR 0, the device's registers
 * @dma_reaches_all: the DMA API can map any page of memory for the engine:
 *                   either an IOMMU translates (and allocates addresses
 *                   below the engine's limit), or all memory lies below it.
 *                   When false nothing is ever mapped for the device
 * @dma_path: how it does so, decided at probe
 * @engine_lock: one user of the engine at a time: a copy holds it for one
 *               window (the transfers into the device's buffer and out of
 *               it, which hold the window's data in between), then lets
 *               other clients in
 * @dma_done: completed by the interrupt handler when a transfer ends
 * @wedged: a transfer did not finish in time; no new one is started.
 *          Protected by @engine_lock
 */
struct ph_edu_device {
	struct drm_ph_device ph;
	struct pci_dev *pdev;
	void __iomem *mmio;
	bool dma_reaches_all;
	enum ph_edu_dma_path dma_path;
	struct mutex engine_lock; /* the engine and its window, see above */
	struct completion dma_done;
	bool wedged;
};

static inline struct ph_edu_device *to_ph_edu_device(struct drm_device *drm)
{
	return container_of(to_drm_ph_device(drm), struct ph_edu_device, ph);
}

/* Direction of one transfer, seen from the device's buffer. */
enum ph_edu_dir {
	PH_EDU_TO_WINDOW,	/* memory -> device buffer */
	PH_EDU_FROM_WINDOW,	/* device buffer -> memory */
};

/* ph_edu_engine.c: the hardware */
int ph_edu_engine_init(struct ph_edu_device *edev);
int ph_edu_engine_transfer(struct ph_edu_device *edev, dma_addr_t addr, u32 window_offset,
			   u32 len, enum ph_edu_dir dir);

/* ph_edu_gem.c: objects as the ioctls see them */
bool ph_edu_range_valid(struct drm_gem_object *obj, u64 offset, u64 length);
long ph_edu_fence_timeout(void);
long ph_edu_wait_idle(struct drm_gem_object *obj, bool write, long timeout);

/* the ioctls */
int ph_edu_copy_ioctl(struct drm_device *drm, void *data, struct drm_file *file);
int ph_edu_checksum_ioctl(struct drm_device *drm, void *data, struct drm_file *file);
int ph_edu_create_ioctl(struct drm_device *drm, void *data, struct drm_file *file);

#endif /* __PH_EDU_H__ */
