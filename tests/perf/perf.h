/* SPDX-License-Identifier: MIT */
/*
 * Shared pieces of the benchmark programs (make bench). Each program takes
 * the driver key under test (ph_vgem or vgem) as its only argument and
 * prints one record per measurement on stdout:
 *
 *	@BENCH <metric> <unit> <better: higher|lower|neither> <value>
 *
 * ("neither": reported for both drivers, not judged.)
 *
 * scripts/guest-init.sh adds the repetition and the driver key and sends the
 * records to the host; scripts/bench-report.py turns them into ratios.
 * Absolute numbers in a TCG guest mean little: only the ratio between the two
 * drivers, measured alternately in one boot, is a result.
 */
#ifndef PERF_H
#define PERF_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <xf86drm.h>

#include "drmtest.h"

static inline uint64_t perf_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static inline void perf_record(const char *metric, const char *unit, const char *better,
			       double value)
{
	printf("@BENCH %s %s %s %.3f\n", metric, unit, better, value);
	fflush(stdout);
}

/* A benchmark cannot measure around a failed step: say which and stop. */
#define perf_die(...)                                                         \
	do {                                                                  \
		fprintf(stderr, "perf: " __VA_ARGS__);                        \
		fprintf(stderr, " (%s)\n", strerror(errno));                  \
		exit(1);                                                      \
	} while (0)

/* The driver key from argv[1], checked against the two we compare. */
static inline const char *perf_driver(int argc, char **argv)
{
	if (argc != 2 || (strcmp(argv[1], DRIVER_PH_VGEM) && strcmp(argv[1], DRIVER_STOCK_VGEM))) {
		fprintf(stderr, "usage: %s %s|%s\n", argv[0], DRIVER_PH_VGEM, DRIVER_STOCK_VGEM);
		exit(2);
	}
	return argv[1];
}

/* The index-th card node of @key: dumb buffers need a primary node. */
static inline int perf_open(const char *key, unsigned int index)
{
	int fd = drm_open_device(key, index, DRM_NODE_PRIMARY);

	if (fd < 0)
		perf_die("no card node #%u of %s", index, key);
	return fd;
}

/* A dumb buffer of @size bytes (a multiple of 4096) as 1024 x n at 32 bpp. */
static inline uint32_t perf_create(int fd, uint64_t size)
{
	struct drm_mode_create_dumb arg = { .width = 1024, .height = size / 4096, .bpp = 32 };

	if (drmIoctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &arg))
		perf_die("MODE_CREATE_DUMB of %llu bytes", (unsigned long long)size);
	return arg.handle;
}

/* A GEM mmap of @size bytes of @handle, anywhere, written through with 0x5a. */
static inline uint8_t *perf_map_written(int fd, uint32_t handle, uint64_t size)
{
	struct drm_mode_map_dumb arg = { .handle = handle };
	void *ptr;

	if (drmIoctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &arg))
		perf_die("MODE_MAP_DUMB");
	ptr = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, arg.offset);
	if (ptr == MAP_FAILED)
		perf_die("GEM mmap of %llu bytes", (unsigned long long)size);
	memset(ptr, 0x5a, size);
	return ptr;
}

static inline void perf_close_handle(int fd, uint32_t handle)
{
	struct drm_gem_close arg = { .handle = handle };

	if (drmIoctl(fd, DRM_IOCTL_GEM_CLOSE, &arg))
		perf_die("GEM_CLOSE of handle %u", handle);
}

static inline int perf_export(int fd, uint32_t handle)
{
	int dmabuf;

	if (drmPrimeHandleToFD(fd, handle, DRM_CLOEXEC | DRM_RDWR, &dmabuf))
		perf_die("PRIME_HANDLE_TO_FD of handle %u", handle);
	return dmabuf;
}

static inline uint32_t perf_import(int fd, int dmabuf)
{
	uint32_t handle;

	if (drmPrimeFDToHandle(fd, dmabuf, &handle))
		perf_die("PRIME_FD_TO_HANDLE");
	return handle;
}

/*
 * Sets a parameter of the library (prime_helpers) when @ours, for a control
 * measurement, and returns its previous value for perf_restore_library_param();
 * the stock driver has no such switch and measures its one path again, so
 * both sides still pair up.
 */
static inline unsigned int perf_set_library_param(bool ours, const char *name, unsigned int value)
{
	unsigned int old = 0;
	char path[128];
	FILE *f;

	if (!ours)
		return 0;
	snprintf(path, sizeof(path), "/sys/module/prime_helpers/parameters/%s", name);
	f = fopen(path, "r");
	if (!f)
		perf_die("cannot read %s", path);
	/* Booleans read back as Y or N. */
	if (fscanf(f, "%u", &old) != 1) {
		rewind(f);
		old = fgetc(f) == 'Y';
	}
	fclose(f);
	f = fopen(path, "w");
	if (!f || fprintf(f, "%u\n", value) < 0 || fclose(f))
		perf_die("cannot write %u to %s", value, path);
	return old;
}

static inline void perf_restore_library_param(bool ours, const char *name, unsigned int old)
{
	perf_set_library_param(ours, name, old);
}

/* The named line of /proc/meminfo, in KiB. */
static inline long perf_meminfo_kib(const char *field)
{
	FILE *f = fopen("/proc/meminfo", "r");
	size_t len = strlen(field);
	char line[128];
	long kib = -1;

	if (!f)
		perf_die("cannot open /proc/meminfo");
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, len) && line[len] == ':') {
			kib = strtol(line + len + 1, NULL, 10);
			break;
		}
	fclose(f);
	if (kib < 0)
		perf_die("no %s line in /proc/meminfo", field);
	return kib;
}

/* Median of @n doubles (sorts them). */
static inline int perf_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static inline double perf_median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), perf_cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#endif /* PERF_H */
