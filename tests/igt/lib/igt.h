/* SPDX-License-Identifier: MIT */
/*
 * A small IGT-compatible test core: the same macros and the same output
 * ("Starting subtest: X", "Subtest X: SUCCESS (0.001s)") as IGT GPU Tools, so
 * the bench's runner and a human reading IGT logs both understand it.
 *
 *	igt_main {
 *		igt_fixture fd = ...;
 *		igt_describe("what this checks");
 *		igt_subtest("behaviour-name") { igt_assert_eq(x, 1); }
 *	}
 *
 * Command line: --list-subtests, --run-subtest GLOB (comma-separated globs).
 * Exit status: 0 all ran subtests passed, 77 all skipped, 98 a failure.
 */
#ifndef IGT_H
#define IGT_H

#include <errno.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define IGT_EXIT_SUCCESS 0
#define IGT_EXIT_SKIP 77
#define IGT_EXIT_FAILURE 98

extern jmp_buf igt_subtest_jmp;
extern const char *igt_test_name;

void igt_init(int argc, char **argv);
int igt_exit(void);
bool igt_subtest_begin(const char *name);
void igt_subtest_done(void) __attribute__((noreturn));
void igt_describe_set(const char *description);
bool igt_only_list_subtests(void);
bool igt_fixture_begin(void);
void igt_fixture_end(void);

void igt_fail_at(const char *file, int line, const char *func, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 4, 5)));
void igt_skip(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void igt_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void igt_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define igt_main                                                    \
	static void igt_tests(void);                                \
	int main(int argc, char **argv)                             \
	{                                                           \
		igt_init(argc, argv);                               \
		igt_tests();                                        \
		return igt_exit();                                  \
	}                                                           \
	static void igt_tests(void)

#define igt_describe(d) igt_describe_set(d)

/*
 * As in IGT: the body runs once if the subtest is selected; its end (pass,
 * fail or skip) longjmps back into the loop condition, which ends the loop.
 * Locals changed inside a subtest and read after it must be volatile.
 */
#define igt_subtest(name)                                                     \
	for (; igt_subtest_begin(name) && (setjmp(igt_subtest_jmp) == 0);      \
	     igt_subtest_done())

#define igt_subtest_f(...)                                                    \
	for (const char *__name = igt_fmt(__VA_ARGS__); __name; __name = NULL) \
		igt_subtest(__name)

/*
 * Set-up shared by the subtests that follow. Skipped when only listing. A
 * skip inside skips every later subtest, a failure fails them.
 */
#define igt_fixture                                                           \
	for (volatile int __f = 0; __f < 1 && igt_fixture_begin() &&          \
			  (setjmp(igt_subtest_jmp) == 0);                     \
	     __f++, igt_fixture_end())

#define igt_fail(...) igt_fail_at(__FILE__, __LINE__, __func__, __VA_ARGS__)

#define igt_assert_f(expr, ...)                                               \
	do {                                                                  \
		if (!(expr))                                                  \
			igt_fail("assertion failed: %s: " "%s", #expr,        \
				 igt_fmt(__VA_ARGS__));                       \
	} while (0)

#define igt_assert(expr)                                                      \
	do {                                                                  \
		if (!(expr))                                                  \
			igt_fail("assertion failed: %s (errno %d: %s)", #expr, \
				 errno, strerror(errno));                     \
	} while (0)

#define __igt_assert_cmp(a, op, b, ta, fmt)                                   \
	do {                                                                  \
		ta __a = (a), __b = (b);                                      \
		if (!(__a op __b))                                            \
			igt_fail("assertion failed: %s " #op " %s: " fmt      \
				 " " #op " " fmt " is false (errno %d)",      \
				 #a, #b, __a, __b, errno);                    \
	} while (0)

#define igt_assert_eq(a, b) __igt_assert_cmp(a, ==, b, long long, "%lld")
#define igt_assert_neq(a, b) __igt_assert_cmp(a, !=, b, long long, "%lld")
#define igt_assert_lt(a, b) __igt_assert_cmp(a, <, b, long long, "%lld")
#define igt_assert_lte(a, b) __igt_assert_cmp(a, <=, b, long long, "%lld")
#define igt_assert_eq_u64(a, b) __igt_assert_cmp(a, ==, b, unsigned long long, "%llu")
#define igt_assert_eq_u32(a, b) __igt_assert_cmp(a, ==, b, unsigned int, "%u")

/* Assert that a call failed with the given errno (as in "-EINVAL"). */
#define igt_assert_errno(call, err)                                           \
	do {                                                                  \
		errno = 0;                                                    \
		long long __r = (call);                                       \
		if (__r != -1 || errno != (err))                              \
			igt_fail("%s: expected -1 with errno %d (%s), got %lld " \
				 "with errno %d (%s)", #call, (err),          \
				 strerror(err), __r, errno, strerror(errno)); \
	} while (0)

#define igt_require(expr)                                                     \
	do {                                                                  \
		if (!(expr))                                                  \
			igt_skip("requirement not met: %s", #expr);           \
	} while (0)

#define igt_require_f(expr, ...)                                              \
	do {                                                                  \
		if (!(expr))                                                  \
			igt_skip(__VA_ARGS__);                                \
	} while (0)

/* Formats into a fresh string that lives until exit (names, messages). */
const char *igt_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* IGT_H */
