// SPDX-License-Identifier: MIT
/*
 * The library's KUnit suites (drivers/gpu/drm/prime-helpers/tests/) in the
 * guest: loads prime_helpers_kunit.ko, whose suites run while it loads,
 * reads each suite's KTAP results from debugfs, reports every test case as a
 * subtest of its own, and unloads the module, which only succeeds if the
 * suites left no reference behind. Debian's 6.1 and 6.12 kernels are built
 * without KUnit: there the first subtest skips and says so; the debug
 * kernel line has it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "debugfs.h"
#include "drmtest.h"
#include "igt.h"

#define KUNIT_MODULE "/lib/modules/ours/prime_helpers_kunit.ko"
#define KUNIT_MODULE_NAME "prime_helpers_kunit"
#define KUNIT_DEBUGFS "/sys/kernel/debug/kunit"
#define MAX_CASES 64

static const char *const suites[] = { "prime_helpers_cache", "prime_helpers_objects" };

struct kunit_case {
	char name[96];
	char verdict[8];	/* ok, not ok, skip */
	char *diag;		/* the case's "# ..." lines, for the log */
};

static struct kunit_case cases[MAX_CASES];
static int ncases;

/* Collect the test cases of one suite's KTAP results: name, verdict, diagnostics. */
static void parse_suite(const char *suite, char *ktap)
{
	regex_t result, plan;
	regmatch_t m[4];
	char *line, *save, *diag = NULL;
	size_t diag_len = 0;
	int planned = -1, found = 0;

	igt_assert_eq(regcomp(&result, "^[ \t]+(not )?ok [0-9]+ ([A-Za-z0-9_]+)(.*)$",
			      REG_EXTENDED), 0);
	igt_assert_eq(regcomp(&plan, "^[ \t]+1\\.\\.([0-9]+)$", REG_EXTENDED), 0);
	for (line = strtok_r(ktap, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!regexec(&plan, line, 2, m, 0)) {
			planned = atoi(line + m[1].rm_so);
			continue;
		}
		if (regexec(&result, line, 4, m, 0)) {
			/* Everything else of the case so far, for its log. */
			diag = realloc(diag, diag_len + strlen(line) + 2);
			igt_assert(diag);
			sprintf(diag + diag_len, "%s\n", line);
			diag_len += strlen(line) + 1;
			continue;
		}
		igt_assert_f(ncases < MAX_CASES, "more than %d KUnit cases\n", MAX_CASES);
		snprintf(cases[ncases].name, sizeof(cases[ncases].name), "%.*s",
			 (int)(m[2].rm_eo - m[2].rm_so), line + m[2].rm_so);
		if (m[1].rm_so >= 0)
			strcpy(cases[ncases].verdict, "not ok");
		else if (strstr(line + m[3].rm_so, "# SKIP"))
			strcpy(cases[ncases].verdict, "skip");
		else
			strcpy(cases[ncases].verdict, "ok");
		cases[ncases].diag = diag;
		diag = NULL;
		diag_len = 0;
		ncases++;
		found++;
	}
	free(diag);
	regfree(&result);
	regfree(&plan);
	igt_assert_f(planned > 0, "%s: no test plan in its KTAP results\n", suite);
	igt_assert_f(found == planned, "%s: %d of its %d planned cases reported\n", suite, found,
		     planned);
}

static void run_suites(void)
{
	char path[256];
	unsigned int i;
	int fd;

	if (access(KUNIT_DEBUGFS, F_OK))
		igt_skip("this kernel has no KUnit (Debian's kernels are built without "
			 "CONFIG_KUNIT); the suites run on the debug kernel line\n");
	/* The suites use KUnit's device API: 6.8 and later (the kcsan line is 6.1). */
	if (kernel_before(6, 8))
		igt_skip("the suites need KUnit's device API (6.8 and later); this kernel "
			 "is older, so they were not built for it\n");
	igt_assert_f(!access(KUNIT_MODULE, F_OK),
		     "%s is missing although this kernel has KUnit: see scripts/mkinitramfs.sh\n",
		     KUNIT_MODULE);

	fd = open(KUNIT_MODULE, O_RDONLY | O_CLOEXEC);
	igt_assert(fd >= 0);
	igt_assert_f(syscall(SYS_finit_module, fd, "", 0) == 0, "loading %s: %s\n",
		     KUNIT_MODULE, strerror(errno));
	close(fd);

	for (i = 0; i < sizeof(suites) / sizeof(suites[0]); i++) {
		char *ktap;

		snprintf(path, sizeof(path), KUNIT_DEBUGFS "/%s/results", suites[i]);
		ktap = read_whole_file(path, NULL);
		igt_assert_f(ktap, "no results at %s: did the suite run?\n", path);
		igt_info("KTAP results of %s:\n%s", suites[i], ktap);
		parse_suite(suites[i], ktap);
		free(ktap);
	}

	igt_assert_f(syscall(SYS_delete_module, KUNIT_MODULE_NAME, O_NONBLOCK) == 0,
		     "unloading %s: %s (a suite left a reference behind)\n", KUNIT_MODULE_NAME,
		     strerror(errno));
	igt_info("%d KUnit cases ran\n", ncases);
}

igt_main
{
	volatile int i;

	igt_describe("Load the KUnit module, collect its suites' KTAP results, unload it.");
	igt_subtest("suites-run")
		run_suites();

	/*
	 * One result per KUnit case, named as IGT names dynamic subtests
	 * (parent@child): the cases are known only once the module ran, so
	 * the recorded --list-subtests holds the parent, which the judge
	 * accepts them under.
	 */
	for (i = 0; i < ncases; i++) {
		igt_subtest_f("suites-run@%s", cases[i].name) {
			if (cases[i].diag)
				igt_info("%s", cases[i].diag);
			if (!strcmp(cases[i].verdict, "skip"))
				igt_skip("KUnit skipped it (see its lines above)\n");
			igt_assert_f(!strcmp(cases[i].verdict, "ok"), "KUnit case %s: %s\n",
				     cases[i].name, cases[i].verdict);
		}
	}
}
