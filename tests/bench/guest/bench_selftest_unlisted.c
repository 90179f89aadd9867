// SPDX-License-Identifier: MIT
/*
 * Bench self-test payload: the subtest this program runs is not the one its
 * --list-subtests printed (a name made at run time), so the recorded list and
 * the results disagree. The bench must fail both the listed subtest without a
 * result and the result nobody listed.
 */
#include "igt.h"

igt_main
{
	igt_describe("Named one way when listed and another way when run.");
	igt_subtest_f("%s", igt_only_list_subtests() ? "listed-name" : "run-time-name")
		igt_assert_eq(1 + 1, 2);
}
