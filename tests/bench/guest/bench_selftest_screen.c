// SPDX-License-Identifier: MIT
/*
 * Bench self-test payload: shows the test card on cirrus but tells the host to
 * expect an image that differs in one pixel, so the host's screen check must
 * fail the run.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xf86drm.h>

#include "drmtest.h"
#include "dumb.h"
#include "igt.h"
#include "kms.h"
#include "prime.h"
#include "screen.h"
#include "testcard.h"

igt_main
{
	igt_describe("Shows one image, announces another: the screen check must fail.");
	igt_subtest("shows-a-different-image") {
		struct dumb_bo bo = { .width = 800, .height = 600, .bpp = 32 };
		int cirrus = drm_open_card(DRIVER_CIRRUS, 0);
		struct kms_scanout scanout;
		uint32_t *pixels, *expected;

		igt_assert_eq(drmSetMaster(cirrus), 0);
		dumb_create(cirrus, &bo);
		pixels = dumb_mmap(cirrus, bo.handle, bo.size, PROT_READ | PROT_WRITE);
		draw_test_card(pixels, bo.width, bo.height, bo.pitch);
		kms_show(cirrus, bo.handle, bo.width, bo.height, bo.pitch, &scanout);
		expected = malloc(bo.size);
		igt_assert(expected);
		memcpy(expected, pixels, bo.size);
		expected[bo.width * 300 + 400] ^= 0x000001;
		igt_screen_expect("wrong-pixel", expected, bo.width, bo.height, bo.pitch);
		kms_stop(&scanout);
		free(expected);
		close(cirrus);
	}
}
