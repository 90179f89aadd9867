// SPDX-License-Identifier: MIT
/*
 * Bench self-test payload: the program exits with status 0 in the middle of
 * its second subtest, silently. The exit status says success; the bench must
 * still fail the two subtests that never reported.
 */
#include <stdlib.h>

#include "igt.h"

igt_main
{
	igt_describe("Passes before the silent exit.");
	igt_subtest("before-the-exit")
		igt_assert_eq(1 + 1, 2);

	igt_describe("Calls exit(0) without a result.");
	igt_subtest("exits-silently")
		exit(0);

	igt_describe("Never runs: the program exited before.");
	igt_subtest("after-the-exit")
		igt_assert_eq(1 + 1, 2);
}
