// SPDX-License-Identifier: MIT
/*
 * Smoke test: our library and reference driver load next to the stock
 * drivers, their nodes open, and DRM_IOCTL_VERSION names the driver.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "drmtest.h"
#include "igt.h"

static bool module_loaded(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/module/%s/initstate", name);
	return access(path, F_OK) == 0;
}

igt_main
{
	char name[64];
	int fd;

	igt_describe("The library module and the reference driver are loaded.");
	igt_subtest("modules-loaded") {
		igt_assert(module_loaded("prime_helpers"));
		igt_assert(module_loaded("ph_vgem"));
	}

	igt_describe("The reference driver's primary node opens and reports 'vgem'.");
	igt_subtest("card-node-version") {
		fd = drm_open_device(DRIVER_PH_VGEM, 0, DRM_NODE_PRIMARY);
		igt_assert(fd >= 0);
		igt_assert(drm_driver_name(fd, name, sizeof(name)));
		igt_assert_f(!strcmp(name, "vgem"), "driver name is '%s'", name);
		close(fd);
	}

	igt_describe("The reference driver's render node opens and reports 'vgem'.");
	igt_subtest("render-node-version") {
		fd = drm_open_device(DRIVER_PH_VGEM, 0, DRM_NODE_RENDER);
		igt_assert(fd >= 0);
		igt_assert(drm_driver_name(fd, name, sizeof(name)));
		igt_assert_f(!strcmp(name, "vgem"), "driver name is '%s'", name);
		close(fd);
	}

	igt_describe("The stock peers (vgem, cirrus) are present in the same guest.");
	igt_subtest("stock-peers-present") {
		fd = drm_open_device(DRIVER_STOCK_VGEM, 0, DRM_NODE_RENDER);
		igt_assert(fd >= 0);
		close(fd);
		fd = drm_open_device(DRIVER_CIRRUS, 0, DRM_NODE_PRIMARY);
		igt_assert(fd >= 0);
		close(fd);
	}
}
