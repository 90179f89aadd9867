// SPDX-License-Identifier: MIT
/*
 * Bench self-test payload: a `return` inside a subtest body leaves the whole
 * test function, so that subtest and every later one report nothing, and the
 * program exits 0. The bench must fail the subtests without a result.
 */
#include "igt.h"

igt_main
{
	igt_describe("Passes before the early return.");
	igt_subtest("before-the-return")
		igt_assert_eq(1 + 1, 2);

	igt_describe("Returns from inside its body: no result is ever printed.");
	igt_subtest("returns-early")
		return;

	igt_describe("Never runs: the test function returned in the subtest before.");
	igt_subtest("after-the-return")
		igt_assert_eq(1 + 1, 2);
}
