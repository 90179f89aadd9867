/* SPDX-License-Identifier: MIT */
/*
 * The DRM usage-stats keys of /proc/<pid>/fdinfo/<fd> (the kernel's
 * Documentation/gpu/drm-usage-stats.rst), as a DRM file shows them.
 */
#ifndef FDINFO_H
#define FDINFO_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct drm_fdinfo {
	char driver[32];	/* drm-driver */
	uint64_t client_id;	/* drm-client-id */
	char pdev[32];		/* drm-pdev, "" when absent */
	/* drm-<key>-memory, in bytes */
	uint64_t total, shared, active, resident, purgeable;
	bool has_memory;	/* drm-total/shared/active-memory were there */
	bool has_status;	/* drm-resident/purgeable-memory were there */
};

/*
 * Parses the fdinfo of @pid's descriptor @fd. Returns 0, -errno if the file
 * cannot be read, or -EPROTO (with a message in @why when given) if a
 * DRM key is malformed or repeated. Safe to call from several threads.
 */
int __drm_fdinfo_read(pid_t pid, int fd, struct drm_fdinfo *info, char *why, size_t why_len);
/* The same for this process's @fd; asserts it parses. */
struct drm_fdinfo drm_fdinfo(int fd);

#endif /* FDINFO_H */
