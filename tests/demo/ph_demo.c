// SPDX-License-Identifier: MIT
/*
 * make demo, first scene: what runs in the guest. Lists every DRM device with
 * the driver behind it, shows that our library and reference driver sit next
 * to the stock vgem and cirrus, and that our driver answers on both nodes.
 * Later scenes (buffers shared across drivers and scanned out) build on this.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "drmtest.h"

static void list_devices(void)
{
	struct dirent *de;
	DIR *dir = opendir("/dev/dri");

	if (!dir)
		return;
	while ((de = readdir(dir))) {
		char path[300], key[64], name[64];
		int fd;

		if (de->d_name[0] == '.' || !strncmp(de->d_name, "by-", 3))
			continue;
		snprintf(path, sizeof(path), "/dev/dri/%s", de->d_name);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (drm_device_key(fd, key, sizeof(key)) && drm_driver_name(fd, name, sizeof(name)))
			printf("  %-14s driver %-8s DRM name '%s'\n", path, key, name);
		close(fd);
	}
	closedir(dir);
}

static bool module_present(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/module/%s", name);
	return access(path, F_OK) == 0;
}

int main(void)
{
	static const char *const modules[] = {
		"drm", "drm_shmem_helper", "vgem", "cirrus", "prime_helpers", "ph_vgem",
	};
	char name[64];
	unsigned int i;
	int fd, ok = 1;

	printf("== prime-helpers demo: the guest ==\n");
	printf("Kernel modules (stock ones and ours, in one kernel):\n");
	for (i = 0; i < sizeof(modules) / sizeof(modules[0]); i++) {
		printf("  %-18s %s\n", modules[i], module_present(modules[i]) ? "loaded" : "MISSING");
		ok &= module_present(modules[i]);
	}
	printf("DRM devices:\n");
	list_devices();
	for (i = 0; i < 2; i++) {
		fd = drm_open_device(DRIVER_PH_VGEM, i, DRM_NODE_RENDER);
		if (fd < 0 || !drm_driver_name(fd, name, sizeof(name))) {
			printf("ph_vgem device %u: not available\n", i);
			ok = 0;
			continue;
		}
		printf("ph_vgem device %u answers DRM_IOCTL_VERSION on its render node: '%s'\n", i,
		       name);
		close(fd);
	}
	printf("%s\n", ok ? "== demo: OK ==" : "== demo: FAILED ==");
	return ok ? 0 : 1;
}
