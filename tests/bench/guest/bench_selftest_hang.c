// SPDX-License-Identifier: MIT
/* Bench self-test payload: never returns, so the per-program timeout fires. */
#include <unistd.h>

#include "igt.h"

igt_main
{
	igt_describe("Hangs on purpose: the runner must kill it and fail the run.");
	igt_subtest("hangs-on-purpose")
		for (;;)
			pause();
}
