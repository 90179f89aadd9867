// SPDX-License-Identifier: GPL-2.0
/*
 * ph_edu: the second reference driver of the PRIME helper library, bound to
 * QEMU's "edu" PCI device (1234:11e8), a DMA engine that addresses 28 bits.
 *
 * The library does all the sharing, wired by DRM_PH_DRIVER_OPS_WITH_IMPORT: dumb buffers
 * on shmem, exported as dma-bufs, and foreign dma-bufs imported by attaching
 * and mapping them for the edu PCI device, so their DMA addresses go through
 * the IOMMU when there is one. The driver adds three ioctls: a copy done by
 * the device's DMA engine (ph_edu_copy.c), a checksum done by the kernel
 * through the CPU (ph_edu_checksum.c), and the creation of objects of
 * either backing store, shmem or DMA-contiguous (ph_edu_create.c).
 *
 * Without an IOMMU the DMA API maps pages at their physical address, and
 * with this little address space it could only fail (with a warning) for
 * every page above 256 MiB. The driver finds that out at probe and refuses
 * what would need such a mapping, with -EIO, before asking for it: foreign
 * imports, and copies. Self-imports, exports and CPU access still work.
 */

#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/iommu.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/swiotlb.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_ioctl.h>
#include <drm/drm_ph.h>
#include <drm/drm_print.h>

#include <uapi/drm/ph_edu_drm.h>

#include "ph_edu.h"

/*
 * The driver programs the engine's address registers with 32-bit writes, so
 * it takes at most 32 bits, whatever the device's mask: a wider value is
 * refused when the module is loaded.
 */
unsigned int ph_edu_dma_bits = PH_EDU_DMA_BITS_DEFAULT;

static int ph_edu_dma_bits_set(const char *val, const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, PH_EDU_DMA_BITS_DEFAULT, 32);
}

static const struct kernel_param_ops ph_edu_dma_bits_ops = {
	.set = ph_edu_dma_bits_set,
	.get = param_get_uint,
};
module_param_cb(dma_bits, &ph_edu_dma_bits_ops, &ph_edu_dma_bits, 0444);
MODULE_PARM_DESC(dma_bits, "address bits of the engine, 28 to 32, as QEMU's edu dma_mask property says (default 28)");

/* Translated: the IOMMU gives the device addresses below its mask. */
static bool ph_edu_dma_translated(struct device *dev)
{
	struct iommu_domain *domain = iommu_get_domain_for_dev(dev);

	return domain && iommu_is_dma_domain(domain);
}

/* A buffer of this device comes back as the object itself: nothing is mapped. */
static bool ph_edu_is_self_import(struct drm_device *drm, struct dma_buf *dma_buf)
{
	struct drm_ph_object *phobj;

	if (!drm_ph_is_own_dma_buf(dma_buf))
		return false;
	phobj = dma_buf->priv;
	return phobj->base.dev == drm;
}

static struct drm_gem_object *ph_edu_gem_prime_import(struct drm_device *drm,
						      struct dma_buf *dma_buf)
{
	if (!to_ph_edu_device(drm)->dma_reaches_all && !ph_edu_is_self_import(drm, dma_buf))
		return ERR_PTR(-EIO);
	return drm_ph_gem_prime_import_dynamic(drm, dma_buf);
}

static const struct drm_ioctl_desc ph_edu_ioctls[] = {
	DRM_IOCTL_DEF_DRV(PH_EDU_COPY, ph_edu_copy_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(PH_EDU_CHECKSUM, ph_edu_checksum_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(PH_EDU_CREATE, ph_edu_create_ioctl, DRM_RENDER_ALLOW),
};

DRM_PH_DEFINE_FOPS(ph_edu_fops);

/*
 * The driver's own import hook: it must refuse before the library attaches
 * and maps. The engine copies segment by segment, so imports need not be
 * contiguous.
 */
static const struct drm_driver ph_edu_driver = {
	.driver_features = DRIVER_GEM | DRIVER_RENDER,
	DRM_PH_DRIVER_OPS_WITH_IMPORT(drm_ph_open, drm_ph_postclose, ph_edu_gem_prime_import,
				      drm_ph_shmem_prime_import_sg_table),
	.ioctls = ph_edu_ioctls,
	.num_ioctls = ARRAY_SIZE(ph_edu_ioctls),
	.fops = &ph_edu_fops,
	.name = "ph_edu",
	.desc = "DMA engine of QEMU's edu device",
	.date = "20260101",
	.major = 1,
	.minor = 0,
};

/*
 * Tell the DMA API the engine's limit, and decide whether every page can be
 * mapped within it. Without an IOMMU that takes all memory below 256 MiB,
 * and the 28-bit mask may even be refused (a kernel without ZONE_DMA): the
 * device then stays usable for everything but DMA.
 */
static enum ph_edu_dma_path ph_edu_dma_init(struct ph_edu_device *edev)
{
	struct drm_device *drm = &edev->ph.drm;
	struct device *dev = drm->dev;

	/*
	 * What the driver tells exporters it takes per segment (a PCI
	 * device's default, said explicitly): every table mapped for the
	 * engine, its own or an importer's, is cut to it.
	 */
	dma_set_max_seg_size(dev, PH_EDU_DMA_MAX_SEGMENT);
	if (dma_set_mask_and_coherent(dev, DMA_BIT_MASK(ph_edu_dma_bits))) {
		drm_info(drm, "no DMA: the kernel cannot serve a %u-bit device without an IOMMU\n",
			 ph_edu_dma_bits);
		return PH_EDU_DMA_NONE;
	}
	if (ph_edu_dma_translated(dev)) {
		drm_info(drm, "DMA translated by the IOMMU\n");
		return PH_EDU_DMA_IOMMU;
	}
	if (dma_get_required_mask(dev) > dma_get_mask(dev)) {
		drm_info(drm, "DMA untranslated, memory beyond the engine's %u bits: no DMA\n",
			 ph_edu_dma_bits);
		return PH_EDU_DMA_NONE;
	}
	if (is_swiotlb_force_bounce(dev)) {
		drm_info(drm, "DMA untranslated and bounced through swiotlb, within %u bits\n",
			 ph_edu_dma_bits);
		return PH_EDU_DMA_BOUNCE;
	}
	drm_info(drm, "DMA untranslated, all memory below the engine's %u bits\n",
		 ph_edu_dma_bits);
	return PH_EDU_DMA_DIRECT;
}

static const char *const ph_edu_dma_path_names[] = {
	[PH_EDU_DMA_NONE] = "none",
	[PH_EDU_DMA_DIRECT] = "direct",
	[PH_EDU_DMA_BOUNCE] = "bounce",
	[PH_EDU_DMA_IOMMU] = "iommu",
};

/*
 * Which path this boot's DMA takes, so that tests can insist on the one the
 * boot was set up for (a main boot whose IOMMU is off must fail, not pass
 * on the untranslated path).
 */
static ssize_t dma_path_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct ph_edu_device *edev = pci_get_drvdata(to_pci_dev(dev));

	return sysfs_emit(buf, "%s\n", ph_edu_dma_path_names[edev->dma_path]);
}
static DEVICE_ATTR_RO(dma_path);

static struct attribute *ph_edu_attrs[] = {
	&dev_attr_dma_path.attr,
	NULL
};
ATTRIBUTE_GROUPS(ph_edu);

static int ph_edu_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct device *dev = &pdev->dev;
	struct ph_edu_device *edev;
	int ret;

	if (drm_ph_abi_version() != DRM_PH_ABI_VERSION)
		return -ENODEV;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	ret = pcim_iomap_regions(pdev, BIT(0), "ph_edu");
	if (ret)
		return ret;
	pci_set_master(pdev);

	edev = devm_drm_dev_alloc(dev, &ph_edu_driver, struct ph_edu_device, ph.drm);
	if (IS_ERR(edev))
		return PTR_ERR(edev);
	edev->pdev = pdev;
	edev->mmio = pcim_iomap_table(pdev)[0];
	edev->dma_path = ph_edu_dma_init(edev);
	edev->dma_reaches_all = edev->dma_path != PH_EDU_DMA_NONE;

	ret = ph_edu_engine_init(edev);
	if (ret)
		return ret;
	ret = drm_ph_device_init(&edev->ph);
	if (ret)
		return ret;
	ret = drm_dev_register(&edev->ph.drm, 0);
	if (ret)
		return ret;

	pci_set_drvdata(pdev, edev);
	return 0;
}

static void ph_edu_remove(struct pci_dev *pdev)
{
	struct ph_edu_device *edev = pci_get_drvdata(pdev);

	/* Waits for ioctls inside drm_dev_enter(): no transfer outlives this. */
	drm_dev_unplug(&edev->ph.drm);
}

static const struct pci_device_id ph_edu_pci_ids[] = {
	{ PCI_DEVICE(0x1234, 0x11e8) },
	{ }
};
MODULE_DEVICE_TABLE(pci, ph_edu_pci_ids);

static struct pci_driver ph_edu_pci_driver = {
	.name = "ph_edu",
	.id_table = ph_edu_pci_ids,
	.probe = ph_edu_probe,
	.remove = ph_edu_remove,
	.dev_groups = ph_edu_groups,
};
module_pci_driver(ph_edu_pci_driver);

MODULE_DESCRIPTION("Reference driver for the PRIME helper library on QEMU's edu DMA engine");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(DRM_PRIME_HELPERS);
MODULE_IMPORT_NS(DMA_BUF);
