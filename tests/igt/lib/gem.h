/* SPDX-License-Identifier: MIT */
/*
 * Generic GEM handle ioctls: close, flink and open by name. The "__" variants
 * return 0 or -errno and never fail the test; the plain ones assert success.
 */
#ifndef GEM_H
#define GEM_H

#include <stdbool.h>
#include <stdint.h>

int __gem_close(int fd, uint32_t handle);
void gem_close(int fd, uint32_t handle);

int __gem_flink(int fd, uint32_t handle, uint32_t *name);
uint32_t gem_flink(int fd, uint32_t handle);

int __gem_open(int fd, uint32_t name, uint32_t *handle, uint64_t *size);
uint32_t gem_open(int fd, uint32_t name);

/* True if the DRM fd reports DRM_CAP_PRIME with both import and export. */
bool gem_has_prime(int fd);

#endif /* GEM_H */
