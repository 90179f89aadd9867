// SPDX-License-Identifier: GPL-2.0
/*
 * drm_gem_prime_handle_to_dmabuf(): it came with the rework of the core's
 * HANDLE_TO_FD that reserves the descriptor before exporting; before it, the
 * core exported first and took the descriptor last. The order decides which
 * errno wins when both fail (full descriptor table and a bad handle).
 */
#include <drm/drm_prime.h>

struct dma_buf *drm_ph_probe(struct drm_device *dev, struct drm_file *file);
struct dma_buf *drm_ph_probe(struct drm_device *dev, struct drm_file *file)
{
	return drm_gem_prime_handle_to_dmabuf(dev, file, 1, 0);
}
