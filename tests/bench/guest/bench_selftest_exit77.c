// SPDX-License-Identifier: MIT
/*
 * Bench self-test payload: the program exits with IGT's skip status (77)
 * before its first subtest, as a careless "skip the whole program" would. The
 * bench must not count that as a skip of anything: every listed subtest fails.
 */
#include <stdlib.h>

#include "igt.h"

igt_main
{
	if (!igt_only_list_subtests())
		exit(IGT_EXIT_SKIP);

	igt_describe("Never runs: the program exited with 77 before it.");
	igt_subtest("never-reached")
		igt_assert_eq(1 + 1, 2);
}
