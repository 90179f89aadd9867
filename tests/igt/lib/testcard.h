/* SPDX-License-Identifier: MIT */
/* A recognisable, deterministic test image: colour bars, a grey ramp, a border. */
#ifndef TESTCARD_H
#define TESTCARD_H

#include <stdint.h>

/* Draw the test card into XRGB8888 pixels, @stride bytes per row. */
void draw_test_card(uint32_t *pixels, unsigned int width, unsigned int height,
		    unsigned int stride);

#endif /* TESTCARD_H */
