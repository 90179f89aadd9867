// SPDX-License-Identifier: GPL-2.0
/*
 * ph_vgem: a vgem-compatible reference driver built on the PRIME helper
 * library. It registers num_devices independent virtual DRM devices, each a
 * platform device "ph_vgem.<i>", with the uAPI of upstream vgem: dumb buffers
 * backed by shmem, PRIME import/export, CPU mmap, and software fences.
 * Everything but the fences comes from the library, wired by
 * DRM_PH_DRIVER_OPS_WITH_IMPORT(); the contiguous_imports parameter makes it
 * import like a device that needs contiguous buffers.
 */

#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/slab.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_ioctl.h>
#include <drm/drm_ph.h>

#include <uapi/drm/ph_vgem_drm.h>

#include "ph_vgem.h"

#define PH_VGEM_MAX_DEVICES 8

static unsigned int num_devices = 1;
module_param(num_devices, uint, 0444);
MODULE_PARM_DESC(num_devices, "number of independent vgem devices (1-8)");

static bool contiguous_imports;
module_param(contiguous_imports, bool, 0644);
MODULE_PARM_DESC(contiguous_imports,
		 "accept only dma-bufs contiguous for the device, as a scanout engine without IOMMU would");

static struct platform_device *ph_vgem_pdevs[PH_VGEM_MAX_DEVICES];

struct ph_vgem_device {
	struct drm_ph_device ph;
};

static int ph_vgem_open(struct drm_device *drm, struct drm_file *file)
{
	struct ph_vgem_file *vfile;

	vfile = kzalloc(sizeof(*vfile), GFP_KERNEL);
	if (!vfile)
		return -ENOMEM;

	ph_vgem_fence_open(vfile);
	drm_ph_file_init(file, &vfile->ph);
	return 0;
}

static void ph_vgem_postclose(struct drm_device *drm, struct drm_file *file)
{
	struct ph_vgem_file *vfile = to_ph_vgem_file(file);

	ph_vgem_fence_close(vfile);
	drm_ph_file_fini(&vfile->ph);
	kfree(vfile);
}

/*
 * The device has no IOMMU, so a dma-buf is contiguous for it only if its
 * pages are physically contiguous. The parameter is read per import, so
 * tests can switch between the two import paths of the library.
 */
static struct drm_gem_object *ph_vgem_import_sg_table(struct drm_device *drm,
						      struct dma_buf_attachment *attach,
						      struct sg_table *sgt)
{
	if (READ_ONCE(contiguous_imports))
		return drm_ph_dma_prime_import_sg_table(drm, attach, sgt);
	return drm_ph_shmem_prime_import_sg_table(drm, attach, sgt);
}

/* DRM_IOCTL_PH_VGEM_MADVISE: the library's purgeable objects, as msm and panfrost have them. */
static int ph_vgem_madvise_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct ph_vgem_madvise *args = data;
	struct drm_gem_object *obj;
	bool retained;
	int ret;

	if (args->pad || (args->madv != PH_VGEM_MADV_WILLNEED &&
			  args->madv != PH_VGEM_MADV_DONTNEED))
		return -EINVAL;
	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj)
		return -ENOENT;
	ret = drm_ph_shmem_madvise(to_drm_ph_object(obj),
				   args->madv == PH_VGEM_MADV_DONTNEED ? DRM_PH_MADV_DONTNEED :
									  DRM_PH_MADV_WILLNEED,
				   &retained);
	drm_gem_object_put(obj);
	if (!ret)
		args->retained = retained;
	return ret;
}

static const struct drm_ioctl_desc ph_vgem_ioctls[] = {
	DRM_IOCTL_DEF_DRV(PH_VGEM_FENCE_ATTACH, ph_vgem_fence_attach_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(PH_VGEM_FENCE_SIGNAL, ph_vgem_fence_signal_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(PH_VGEM_MADVISE, ph_vgem_madvise_ioctl, DRM_RENDER_ALLOW),
};

DRM_PH_DEFINE_FOPS(ph_vgem_fops);

static const struct drm_driver ph_vgem_driver = {
	.driver_features = DRIVER_GEM | DRIVER_RENDER,
	DRM_PH_DRIVER_OPS_WITH_IMPORT(ph_vgem_open, ph_vgem_postclose, drm_ph_gem_prime_import,
				      ph_vgem_import_sg_table),
	.ioctls = ph_vgem_ioctls,
	.num_ioctls = ARRAY_SIZE(ph_vgem_ioctls),
	.fops = &ph_vgem_fops,
	.name = "vgem",
	.desc = "Virtual GEM provider",
	.date = "20120112",
	.major = 1,
	.minor = 0,
};

static int ph_vgem_probe(struct platform_device *pdev)
{
	struct ph_vgem_device *vdev;
	int ret;

	if (drm_ph_abi_version() != DRM_PH_ABI_VERSION)
		return -ENODEV;

	/* A virtual device reaches all memory: no bounce buffers on import. */
	ret = dma_coerce_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (ret)
		return ret;
	/*
	 * Nor has it a segment limit: the platform bus's default of 64 KiB is
	 * an accident here, and exporters that build one table for every
	 * importer (upstream's drm_gem_map_dma_buf()) exceed it, which
	 * DMA-API debug reports against the importer. (Platform devices have
	 * the parameters this sets; 6.1 returns an error, 6.12 nothing.)
	 */
	dma_set_max_seg_size(&pdev->dev, UINT_MAX);

	vdev = devm_drm_dev_alloc(&pdev->dev, &ph_vgem_driver, struct ph_vgem_device, ph.drm);
	if (IS_ERR(vdev))
		return PTR_ERR(vdev);

	ret = drm_ph_device_init(&vdev->ph);
	if (ret)
		return ret;

	ret = drm_dev_register(&vdev->ph.drm, 0);
	if (ret)
		return ret;

	platform_set_drvdata(pdev, vdev);
	return 0;
}

static void ph_vgem_remove(struct platform_device *pdev)
{
	struct ph_vgem_device *vdev = platform_get_drvdata(pdev);

	drm_dev_unregister(&vdev->ph.drm);
}

static struct platform_driver ph_vgem_platform_driver = {
	.probe = ph_vgem_probe,
	.remove_new = ph_vgem_remove,
	.driver.name = "ph_vgem",
};

static void ph_vgem_unregister_devices(void)
{
	int i;

	for (i = PH_VGEM_MAX_DEVICES - 1; i >= 0; i--) {
		platform_device_unregister(ph_vgem_pdevs[i]);
		ph_vgem_pdevs[i] = NULL;
	}
}

static int __init ph_vgem_init(void)
{
	unsigned int i;
	int ret;

	if (num_devices < 1 || num_devices > PH_VGEM_MAX_DEVICES)
		return -EINVAL;

	ret = platform_driver_register(&ph_vgem_platform_driver);
	if (ret)
		return ret;

	for (i = 0; i < num_devices; i++) {
		ph_vgem_pdevs[i] = platform_device_register_simple("ph_vgem", i, NULL, 0);
		if (IS_ERR(ph_vgem_pdevs[i])) {
			ret = PTR_ERR(ph_vgem_pdevs[i]);
			ph_vgem_pdevs[i] = NULL;
			goto err_unregister;
		}
		/* A device that failed to probe is not a vgem device. */
		if (!platform_get_drvdata(ph_vgem_pdevs[i])) {
			ret = -ENODEV;
			goto err_unregister;
		}
	}
	return 0;

err_unregister:
	ph_vgem_unregister_devices();
	platform_driver_unregister(&ph_vgem_platform_driver);
	return ret;
}

static void __exit ph_vgem_exit(void)
{
	ph_vgem_unregister_devices();
	platform_driver_unregister(&ph_vgem_platform_driver);
}

module_init(ph_vgem_init);
module_exit(ph_vgem_exit);

MODULE_DESCRIPTION("vgem-compatible reference driver for the PRIME helper library");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(DRM_PRIME_HELPERS);
MODULE_IMPORT_NS(DMA_BUF);
