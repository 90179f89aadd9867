// SPDX-License-Identifier: MIT
/*
 * Bench self-test payload: the second of three subtests crashes the program
 * (SIGSEGV), so the third never reports. The bench must fail both.
 */
#include <signal.h>

#include "igt.h"

igt_main
{
	igt_describe("Passes before the crash.");
	igt_subtest("before-the-crash")
		igt_assert_eq(1 + 1, 2);

	igt_describe("Kills the whole program with SIGSEGV.");
	igt_subtest("crashes")
		raise(SIGSEGV);

	igt_describe("Never runs: the program died in the subtest before.");
	igt_subtest("after-the-crash")
		igt_assert_eq(1 + 1, 2);
}
