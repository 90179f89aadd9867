// SPDX-License-Identifier: GPL-2.0
/*
 * dma_buf_vmap_unlocked(): where it exists, dma_buf_vmap() wants the
 * reservation lock held by its caller.
 */
#include <linux/dma-buf.h>
#include <linux/iosys-map.h>

int drm_ph_probe(struct dma_buf *dmabuf, struct iosys_map *map);
int drm_ph_probe(struct dma_buf *dmabuf, struct iosys_map *map)
{
	return dma_buf_vmap_unlocked(dmabuf, map);
}
