/* SPDX-License-Identifier: MIT */
/*
 * dma-bufs from exporters that are not DRM drivers: udmabuf (memfd pages)
 * and the system dma-heap. Either may be missing from a kernel's
 * configuration; the constructors then return -ENODEV.
 */
#ifndef EXPORTERS_H
#define EXPORTERS_H

#include <stddef.h>

/*
 * A udmabuf of @size bytes over a fresh sealed memfd, returned in @memfd so
 * the test can reach the same pages through it. Returns the dma-buf fd.
 */
int udmabuf_create(size_t size, int *memfd);

/* A read-write buffer of @size bytes from /dev/dma_heap/system. */
int dma_heap_alloc(size_t size);

#endif /* EXPORTERS_H */
