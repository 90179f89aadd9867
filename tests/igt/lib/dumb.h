/* SPDX-License-Identifier: MIT */
/*
 * Dumb buffers: MODE_CREATE_DUMB, MODE_MAP_DUMB and the CPU mmap of the
 * offset it returns. The "__" variants return 0 or -errno (or MAP_FAILED with
 * errno set); the plain ones assert success.
 */
#ifndef DUMB_H
#define DUMB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dumb_bo {
	uint32_t width, height, bpp;	/* in */
	uint32_t handle, pitch;		/* out */
	uint64_t size;			/* out */
};

int __dumb_create(int fd, struct dumb_bo *bo);
void dumb_create(int fd, struct dumb_bo *bo);

/* A buffer of @size bytes (a multiple of 4096): 1024 x size/4096 at 32 bpp. */
struct dumb_bo dumb_create_size(int fd, uint64_t size);

int __dumb_map_offset(int fd, uint32_t handle, uint64_t *offset);
uint64_t dumb_map_offset(int fd, uint32_t handle);

/* Map @size bytes of the object through the DRM fd: MAP_FAILED on error. */
void *__dumb_mmap(int fd, uint32_t handle, uint64_t size, int prot, int flags);
/* As above with MAP_SHARED, asserting success. */
void *dumb_mmap(int fd, uint32_t handle, uint64_t size, int prot);

/*
 * Test patterns: word i of the buffer holds seed + i. check_pattern()
 * returns the index of the first word that differs, or -1 if all match.
 */
void fill_pattern(void *ptr, size_t size, uint32_t seed);
long check_pattern(const void *ptr, size_t size, uint32_t seed);

/* True if every byte is zero (what a fresh buffer must read as). */
bool is_zeroed(const void *ptr, size_t size);

#define igt_assert_pattern(ptr, size, seed)                                   \
	do {                                                                  \
		long __bad = check_pattern(ptr, size, seed);                  \
		if (__bad >= 0)                                               \
			igt_fail("%s: word %ld is 0x%08x, expected 0x%08x",  \
				 #ptr, __bad, ((const uint32_t *)(ptr))[__bad], \
				 (uint32_t)((seed) + __bad));                  \
	} while (0)

#endif /* DUMB_H */
