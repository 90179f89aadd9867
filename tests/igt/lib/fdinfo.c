// SPDX-License-Identifier: MIT
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fdinfo.h"
#include "igt.h"

enum { KEY_TOTAL, KEY_SHARED, KEY_ACTIVE, KEY_RESIDENT, KEY_PURGEABLE, KEY_COUNT };

static const char *const memory_keys[KEY_COUNT] = {
	"drm-total-memory", "drm-shared-memory", "drm-active-memory",
	"drm-resident-memory", "drm-purgeable-memory",
};

/* "<n>", "<n> KiB" or "<n> MiB", as the kernel prints a size. */
static bool parse_size(const char *value, uint64_t *bytes)
{
	char unit[8] = "";
	uint64_t n;
	int fields = sscanf(value, "%" SCNu64 " %7s", &n, unit);

	if (fields < 1)
		return false;
	if (fields == 1)
		*bytes = n;
	else if (!strcmp(unit, "KiB"))
		*bytes = n << 10;
	else if (!strcmp(unit, "MiB"))
		*bytes = n << 20;
	else
		return false;
	return true;
}

int __drm_fdinfo_read(pid_t pid, int fd, struct drm_fdinfo *info, char *why, size_t why_len)
{
	uint64_t *fields[KEY_COUNT] = {
		&info->total, &info->shared, &info->active, &info->resident, &info->purgeable,
	};
	bool seen[KEY_COUNT] = {}, seen_driver = false, seen_id = false;
	char path[64], line[256], scratch[8];
	int ret = 0;
	FILE *f;

	errno = 0;

	if (!why) {
		why = scratch;
		why_len = sizeof(scratch);
	}
	memset(info, 0, sizeof(*info));
	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)pid, fd);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (!ret && fgets(line, sizeof(line), f)) {
		char *value = strchr(line, ':');
		int k;

		if (strncmp(line, "drm-", 4) || !value)
			continue;
		*value++ = 0;
		value += strspn(value, " \t");
		value[strcspn(value, "\n")] = 0;
		if (!strcmp(line, "drm-driver")) {
			ret = seen_driver ? -EPROTO : 0;
			seen_driver = true;
			snprintf(info->driver, sizeof(info->driver), "%s", value);
		} else if (!strcmp(line, "drm-client-id")) {
			ret = seen_id || sscanf(value, "%" SCNu64, &info->client_id) != 1 ? -EPROTO : 0;
			seen_id = true;
		} else if (!strcmp(line, "drm-pdev")) {
			snprintf(info->pdev, sizeof(info->pdev), "%s", value);
		}
		for (k = 0; k < KEY_COUNT; k++) {
			if (strcmp(line, memory_keys[k]))
				continue;
			if (seen[k] || !parse_size(value, fields[k]))
				ret = -EPROTO;
			seen[k] = true;
		}
		if (ret)
			snprintf(why, why_len, "%s: bad or repeated '%s: %s'", path, line, value);
	}
	/* The descriptor closed between open and read: the kernel says ENOENT. */
	if (!ret && ferror(f))
		ret = -(errno ?: EIO);
	fclose(f);
	if (ret)
		return ret;
	if (!seen_driver || !seen_id) {
		snprintf(why, why_len, "%s: no drm-driver or drm-client-id", path);
		return -EPROTO;
	}
	info->has_memory = seen[KEY_TOTAL] && seen[KEY_SHARED] && seen[KEY_ACTIVE];
	info->has_status = seen[KEY_RESIDENT] && seen[KEY_PURGEABLE];
	if (seen[KEY_RESIDENT] != seen[KEY_PURGEABLE]) {
		snprintf(why, why_len, "%s: only one of resident and purgeable", path);
		return -EPROTO;
	}
	return 0;
}

struct drm_fdinfo drm_fdinfo(int fd)
{
	struct drm_fdinfo info;
	char why[256] = "";
	int ret = __drm_fdinfo_read(getpid(), fd, &info, why, sizeof(why));

	igt_assert_f(!ret, "fdinfo of fd %d: %s (%d); does the driver's file_operations have "
		     "show_fdinfo (DRM_PH_DEFINE_FOPS)?\n", fd, why, ret);
	return info;
}
