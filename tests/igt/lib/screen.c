// SPDX-License-Identifier: MIT
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "igt.h"
#include "screen.h"

/* The bench's record channel (scripts/guest-init.sh). */
#define RECORD_TTY "/dev/ttyS1"

void igt_screen_expect(const char *name, const uint32_t *pixels, unsigned int width,
		       unsigned int height, unsigned int stride)
{
	unsigned char *row = malloc(width * 3);
	uLong crc = crc32(0L, Z_NULL, 0);
	unsigned int x, y;
	char record[256];
	int tty, len;

	igt_assert(row);
	for (y = 0; y < height; y++) {
		const uint32_t *src = (const uint32_t *)((const char *)pixels + (size_t)y * stride);

		for (x = 0; x < width; x++) {
			row[3 * x + 0] = src[x] >> 16;
			row[3 * x + 1] = src[x] >> 8;
			row[3 * x + 2] = src[x];
		}
		crc = crc32(crc, row, width * 3);
	}
	free(row);

	len = snprintf(record, sizeof(record), "@SCREEN %s %s %08lx %u %u\n", igt_test_name, name,
		       crc, width, height);
	tty = open(RECORD_TTY, O_WRONLY | O_NOCTTY | O_CLOEXEC);
	igt_assert_f(tty >= 0, "cannot open %s to ask the host for a screen check", RECORD_TTY);
	igt_assert_eq(write(tty, record, len), len);
	close(tty);
	igt_info("screen check '%s' requested (crc %08lx, %ux%u); holding the image\n", name, crc,
		 width, height);
	/* The host polls its records once a second and may retry a capture. */
	sleep(getenv("PH_SCREEN_WAIT") ? atoi(getenv("PH_SCREEN_WAIT")) : 6);
}
