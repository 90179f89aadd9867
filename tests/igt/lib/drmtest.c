// SPDX-License-Identifier: MIT
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <xf86drm.h>

#include "drmtest.h"
#include "igt.h"

static bool key_of_minor(unsigned int major_nr, unsigned int minor_nr, char *buf,
			 size_t len, char *devname, size_t devlen)
{
	char path[PATH_MAX], target[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/dev/char/%u:%u/device/driver", major_nr, minor_nr);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0) {
		/* Unbound platform device: use its name, minus any ".N". */
		snprintf(path, sizeof(path), "/sys/dev/char/%u:%u/device", major_nr, minor_nr);
		n = readlink(path, target, sizeof(target) - 1);
		if (n < 0)
			return false;
		target[n] = 0;
		snprintf(buf, len, "%s", basename(target));
		buf[strcspn(buf, ".")] = 0;
	} else {
		target[n] = 0;
		snprintf(buf, len, "%s", basename(target));
	}
	snprintf(path, sizeof(path), "/sys/dev/char/%u:%u/device", major_nr, minor_nr);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return false;
	target[n] = 0;
	snprintf(devname, devlen, "%s", basename(target));
	return true;
}

bool drm_device_key(int fd, char *buf, size_t len)
{
	struct stat st;
	char devname[256];

	if (fstat(fd, &st) || !S_ISCHR(st.st_mode))
		return false;
	return key_of_minor(major(st.st_rdev), minor(st.st_rdev), buf, len, devname,
			    sizeof(devname));
}

struct candidate {
	char devname[256];
	char path[300];
};

static int by_devname(const void *a, const void *b)
{
	return strcmp(((const struct candidate *)a)->devname,
		      ((const struct candidate *)b)->devname);
}

int drm_open_device(const char *key, unsigned int index, int node)
{
	const char *prefix = node == DRM_NODE_RENDER ? "renderD" : "card";
	struct candidate found[64];
	unsigned int n = 0;
	struct dirent *de;
	DIR *dir;

	dir = opendir("/dev/dri");
	if (!dir) {
		errno = ENODEV;
		return -1;
	}
	while ((de = readdir(dir)) && n < 64) {
		char path[300], k[64];
		struct stat st;

		if (strncmp(de->d_name, prefix, strlen(prefix)))
			continue;
		snprintf(path, sizeof(path), "/dev/dri/%s", de->d_name);
		if (stat(path, &st) || !S_ISCHR(st.st_mode))
			continue;
		if (!key_of_minor(major(st.st_rdev), minor(st.st_rdev), k, sizeof(k),
				  found[n].devname, sizeof(found[n].devname)))
			continue;
		if (strcmp(k, key))
			continue;
		snprintf(found[n].path, sizeof(found[n].path), "%s", path);
		n++;
	}
	closedir(dir);
	qsort(found, n, sizeof(found[0]), by_devname);
	if (index >= n) {
		errno = ENODEV;
		return -1;
	}
	return open(found[index].path, O_RDWR | O_CLOEXEC);
}

int drm_open_device_or_skip(const char *key, unsigned int index, int node)
{
	int fd = drm_open_device(key, index, node);

	igt_require_f(fd >= 0, "no %s node #%u of driver %s (%s)\n",
		      node == DRM_NODE_RENDER ? "render" : "card", index, key, strerror(errno));
	return fd;
}

int drm_open_card(const char *key, unsigned int index)
{
	int fd = drm_open_device(key, index, DRM_NODE_PRIMARY);

	igt_assert_f(fd >= 0, "cannot open card node #%u of driver %s: %s", index, key,
		     strerror(errno));
	return fd;
}

bool drm_driver_name(int fd, char *buf, size_t len)
{
	drmVersionPtr v = drmGetVersion(fd);

	if (!v)
		return false;
	snprintf(buf, len, "%s", v->name);
	drmFreeVersion(v);
	return true;
}

bool drm_debugfs_dir(int fd, char *buf, size_t len)
{
	char path[PATH_MAX];
	struct dirent *de;
	struct stat st;
	int card = -1;
	DIR *dir;

	/* debugfs is keyed by the primary node's minor: find the device's card. */
	if (fstat(fd, &st) || !S_ISCHR(st.st_mode))
		return false;
	snprintf(path, sizeof(path), "/sys/dev/char/%u:%u/device/drm", major(st.st_rdev),
		 minor(st.st_rdev));
	dir = opendir(path);
	if (!dir)
		return false;
	while ((de = readdir(dir)))
		if (sscanf(de->d_name, "card%d", &card) == 1)
			break;
	closedir(dir);
	if (card < 0)
		return false;
	snprintf(buf, len, "/sys/kernel/debug/dri/%d", card);
	return access(buf, F_OK) == 0;
}

bool drm_sysfs_dir(int fd, char *buf, size_t len)
{
	struct stat st;

	if (fstat(fd, &st) || !S_ISCHR(st.st_mode))
		return false;
	snprintf(buf, len, "/sys/dev/char/%u:%u", major(st.st_rdev), minor(st.st_rdev));
	return access(buf, F_OK) == 0;
}

const char *drm_module_of(const char *key)
{
	/* Every key is the name of its module today; keep the mapping in one place. */
	return key;
}

const char *const vgem_drivers[VGEM_DRIVER_COUNT] = { DRIVER_STOCK_VGEM, DRIVER_PH_VGEM };

bool vgem_driver_selected(const char *key)
{
	const char *list = getenv("IGT_VGEM_DRIVERS");
	size_t n = strlen(key);
	const char *p;

	if (!list || !*list)
		return true;
	for (p = list; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (!strncmp(p, key, n) && (p[n] == ',' || p[n] == 0))
			return true;
	return false;
}

void drm_checking(const char *key)
{
	igt_info("checking on %s\n", key);
}

bool kernel_before(int major, int minor)
{
	struct utsname u;
	int ma = 0, mi = 0;

	igt_assert(uname(&u) == 0 && sscanf(u.release, "%d.%d", &ma, &mi) == 2);
	return ma < major || (ma == major && mi < minor);
}

bool dma_api_debug_on(void)
{
	return access("/sys/kernel/debug/dma-api", F_OK) == 0;
}

bool lockdep_confuses_stock_vmap(void)
{
	return kernel_before(6, 2) && access("/proc/lockdep_stats", F_OK) == 0;
}
