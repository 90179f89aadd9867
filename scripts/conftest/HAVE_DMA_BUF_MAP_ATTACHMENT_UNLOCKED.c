// SPDX-License-Identifier: GPL-2.0
/*
 * dma_buf_map_attachment_unlocked(): where it exists,
 * dma_buf_map_attachment() wants the reservation lock held by its caller.
 */
#include <linux/dma-buf.h>

struct sg_table *drm_ph_probe(struct dma_buf_attachment *attach);
struct sg_table *drm_ph_probe(struct dma_buf_attachment *attach)
{
	return dma_buf_map_attachment_unlocked(attach, DMA_BIDIRECTIONAL);
}
