// SPDX-License-Identifier: MIT
/* Bench self-test payload: one subtest passes, one fails on purpose. */
#include "igt.h"

igt_main
{
	igt_describe("Passes, so the runner sees both outcomes in one program.");
	igt_subtest("passes")
		igt_assert_eq(1 + 1, 2);

	igt_describe("Fails on purpose: the bench must report it and fail the run.");
	igt_subtest("fails-on-purpose")
		igt_assert_eq(1 + 1, 3);
}
