// SPDX-License-Identifier: MIT
/*
 * The test core behind igt.h: subtest selection, result bookkeeping and
 * IGT-format output. Results go to stdout, details of failures to stderr.
 */
#define _GNU_SOURCE
#include <fnmatch.h>
#include <stdarg.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "igt.h"

jmp_buf igt_subtest_jmp;
const char *igt_test_name;

static const char *run_filter;	/* --run-subtest, NULL: all */
static bool list_only;
static const char *describe_next;
static const char *current;	/* running subtest, NULL outside */
static bool in_fixture;
static enum { FIXTURE_OK, FIXTURE_SKIPPED, FIXTURE_FAILED } fixture_state;
static char fixture_reason[1024];
static int n_pass, n_fail, n_skip;
static struct timespec started;

static double elapsed(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - started.tv_sec) + (now.tv_nsec - started.tv_nsec) / 1e9;
}

const char *igt_fmt(const char *fmt, ...)
{
	char *s;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = "(out of memory)";
	va_end(ap);
	return s;
}

static void usage(const char *argv0)
{
	fprintf(stderr, "usage: %s [--list-subtests] [--run-subtest GLOB[,GLOB...]]\n", argv0);
	exit(IGT_EXIT_FAILURE);
}

void igt_init(int argc, char **argv)
{
	int i;

	igt_test_name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--list-subtests"))
			list_only = true;
		else if (!strcmp(argv[i], "--run-subtest") && i + 1 < argc)
			run_filter = argv[++i];
		else if (!strncmp(argv[i], "--run-subtest=", 14))
			run_filter = argv[i] + 14;
		else
			usage(argv[0]);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!list_only)
		printf("IGT-Version: 1.0-prime-helpers (x86_64)\n");
}

static bool selected(const char *name)
{
	char *filters, *tok, *save;
	bool hit = false;

	if (!run_filter)
		return true;
	filters = strdup(run_filter);
	for (tok = strtok_r(filters, ",", &save); tok && !hit; tok = strtok_r(NULL, ",", &save))
		hit = !fnmatch(tok, name, 0);
	free(filters);
	return hit;
}

bool igt_only_list_subtests(void)
{
	return list_only;
}

void igt_describe_set(const char *description)
{
	describe_next = description;
}

static void __attribute__((noreturn)) finish(const char *result)
{
	printf("Subtest %s: %s (%.3fs)\n", current, result, elapsed());
	fflush(stdout);
	fflush(stderr);
	current = NULL;
	longjmp(igt_subtest_jmp, 1);
}

bool igt_subtest_begin(const char *name)
{
	const char *description = describe_next;

	describe_next = NULL;
	if (!selected(name))
		return false;
	if (list_only) {
		printf("%s\n", name);
		return false;
	}
	current = strdup(name);
	printf("Starting subtest: %s\n", name);
	if (description)
		printf("Description: %s\n", description);
	clock_gettime(CLOCK_MONOTONIC, &started);
	if (fixture_state == FIXTURE_FAILED) {
		n_fail++;
		fprintf(stderr, "(%s) a fixture before this subtest failed: %s\n", name,
			fixture_reason);
		printf("Subtest %s: FAIL (0.000s)\n", name);
		current = NULL;
		return false;
	}
	if (fixture_state == FIXTURE_SKIPPED) {
		n_skip++;
		printf("Skipping: %s\n", fixture_reason);
		printf("Subtest %s: SKIP (0.000s)\n", name);
		current = NULL;
		return false;
	}
	return true;
}

void igt_subtest_done(void)
{
	n_pass++;
	finish("SUCCESS");
}

bool igt_fixture_begin(void)
{
	if (list_only || fixture_state != FIXTURE_OK)
		return false;
	in_fixture = true;
	return true;
}

void igt_fixture_end(void)
{
	in_fixture = false;
}

static void vreason(char *buf, size_t len, const char *fmt, va_list ap)
{
	vsnprintf(buf, len, fmt, ap);
}

void igt_fail_at(const char *file, int line, const char *func, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vreason(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "(%s:%s) %s:%d: %s\n", igt_test_name, func, file, line, msg);
	if (in_fixture) {
		in_fixture = false;
		fixture_state = FIXTURE_FAILED;
		snprintf(fixture_reason, sizeof(fixture_reason), "%s", msg);
		n_fail++;
		printf("Fixture failed: %s\n", msg);
		longjmp(igt_subtest_jmp, 1);
	}
	if (!current) {
		fprintf(stderr, "failure outside a subtest or fixture\n");
		exit(IGT_EXIT_FAILURE);
	}
	n_fail++;
	finish("FAIL");
}

void igt_skip(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vreason(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (in_fixture) {
		in_fixture = false;
		fixture_state = FIXTURE_SKIPPED;
		snprintf(fixture_reason, sizeof(fixture_reason), "%s", msg);
		longjmp(igt_subtest_jmp, 1);
	}
	if (!current) {
		printf("Skipping: %s\n", msg);
		exit(IGT_EXIT_SKIP);
	}
	printf("Skipping: %s\n", msg);
	n_skip++;
	finish("SKIP");
}

void igt_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

void igt_debug(const char *fmt, ...)
{
	va_list ap;

	if (!getenv("IGT_DEBUG"))
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

int igt_exit(void)
{
	if (list_only)
		return IGT_EXIT_SUCCESS;
	fflush(stdout);
	if (n_fail)
		return IGT_EXIT_FAILURE;
	if (!n_pass && n_skip)
		return IGT_EXIT_SKIP;
	return IGT_EXIT_SUCCESS;
}
