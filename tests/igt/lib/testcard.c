// SPDX-License-Identifier: MIT
#include <stddef.h>

#include "testcard.h"

/* The classic order: white, yellow, cyan, green, magenta, red, blue, black. */
static const uint32_t bars[8] = {
	0xffffff, 0xffff00, 0x00ffff, 0x00ff00, 0xff00ff, 0xff0000, 0x0000ff, 0x000000,
};

static uint32_t test_card_pixel(unsigned int x, unsigned int y, unsigned int w, unsigned int h)
{
	unsigned int grey;

	if (x < 8 || y < 8 || x >= w - 8 || y >= h - 8)
		return (x / 8 + y / 8) & 1 ? 0xffffff : 0x202020;	/* chequered border */
	if (y < h * 2 / 3)
		return bars[(x - 8) * 8 / (w - 16)];
	if (y < h * 5 / 6) {
		grey = (x - 8) * 256 / (w - 16);
		return grey << 16 | grey << 8 | grey;
	}
	/* Bottom strip: fine stripes in the primaries, sharp enough to show any shift. */
	return (x / 4) % 3 == 0 ? 0xff0000 : (x / 4) % 3 == 1 ? 0x00ff00 : 0x0000ff;
}

void draw_test_card(uint32_t *pixels, unsigned int width, unsigned int height,
		    unsigned int stride)
{
	unsigned int x, y;

	for (y = 0; y < height; y++) {
		uint32_t *row = (uint32_t *)((char *)pixels + (size_t)y * stride);

		for (x = 0; x < width; x++)
			row[x] = test_card_pixel(x, y, width, height);
	}
}
