/* SPDX-License-Identifier: MIT */
/*
 * Pixel checks of what a real display shows. The guest cannot see its own
 * screen: QEMU can. igt_screen_expect() sends the host a record with the
 * CRC-32 of the image that should be visible (RGB, 8 bits per channel, rows
 * top to bottom, as QEMU's screendump writes it) and waits while the host
 * captures the screen over QMP and compares (scripts/screen-check.py). The
 * host's verdict becomes its own result, "<program>/screen-<name>", next to
 * the subtest's; outside the bench nobody answers and only the wait happens.
 */
#ifndef SCREEN_H
#define SCREEN_H

#include <stdint.h>

/*
 * Announce that the visible area (@width x @height from the top-left) must
 * equal @pixels (XRGB8888, @stride bytes per row), and wait for the capture.
 */
void igt_screen_expect(const char *name, const uint32_t *pixels, unsigned int width,
		       unsigned int height, unsigned int stride);

#endif /* SCREEN_H */
