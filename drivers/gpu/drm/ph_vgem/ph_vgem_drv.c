// SPDX-License-Identifier: GPL-2.0
/*
 * ph_vgem: a vgem-compatible reference driver built on the PRIME helper
 * library. It registers num_devices independent virtual DRM devices.
 */

#include <linux/module.h>
#include <linux/platform_device.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_ioctl.h>

#include <drm/drm_ph.h>

#define PH_VGEM_MAX_DEVICES 8

static unsigned int num_devices = 1;
module_param(num_devices, uint, 0444);
MODULE_PARM_DESC(num_devices, "number of independent vgem devices (1-8)");

static struct platform_device *ph_vgem_pdevs[PH_VGEM_MAX_DEVICES];

DEFINE_DRM_GEM_FOPS(ph_vgem_fops);

static const struct drm_driver ph_vgem_driver = {
	.driver_features = DRIVER_GEM | DRIVER_RENDER,
	.fops = &ph_vgem_fops,
	.name = "vgem",
	.desc = "vgem-compatible PRIME helpers reference driver",
	.date = "20261122",
	.major = 1,
	.minor = 0,
};

static int ph_vgem_probe(struct platform_device *pdev)
{
	struct drm_device *drm;
	int ret;

	if (drm_ph_abi_version() != DRM_PH_ABI_VERSION)
		return -ENODEV;

	drm = drm_dev_alloc(&ph_vgem_driver, &pdev->dev);
	if (IS_ERR(drm))
		return PTR_ERR(drm);

	ret = drm_dev_register(drm, 0);
	if (ret) {
		drm_dev_put(drm);
		return ret;
	}
	platform_set_drvdata(pdev, drm);
	return 0;
}

static void ph_vgem_remove(struct platform_device *pdev)
{
	struct drm_device *drm = platform_get_drvdata(pdev);

	drm_dev_unregister(drm);
	drm_dev_put(drm);
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
			ph_vgem_unregister_devices();
			platform_driver_unregister(&ph_vgem_platform_driver);
			return ret;
		}
	}
	return 0;
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
