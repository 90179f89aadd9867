// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "debugfs.h"
#include "fault.h"
#include "igt.h"

/* The knobs fault_inject_enable() sets, and what they held before. */
static const struct {
	const char *path;
	const char *value;
} knobs[] = {
	{ FAILSLAB_DIR "/ignore-gfp-wait", "N" },
	{ FAILSLAB_DIR "/verbose", "0" },
	{ FAIL_PAGE_ALLOC_DIR "/ignore-gfp-wait", "N" },
	{ FAIL_PAGE_ALLOC_DIR "/ignore-gfp-highmem", "N" },
	{ FAIL_PAGE_ALLOC_DIR "/min-order", "0" },
	{ FAIL_PAGE_ALLOC_DIR "/verbose", "0" },
};

#define N_KNOBS (sizeof(knobs) / sizeof(knobs[0]))

static char *saved[N_KNOBS];
static int fail_nth_fd = -1;

bool fault_inject_available(char *why, size_t len)
{
	static const char *const needed[] = {
		FAIL_NTH_PATH, FAILSLAB_DIR, FAIL_PAGE_ALLOC_DIR,
	};
	static const char *const config[] = {
		"CONFIG_FAULT_INJECTION", "CONFIG_FAILSLAB and CONFIG_FAULT_INJECTION_DEBUG_FS",
		"CONFIG_FAIL_PAGE_ALLOC and CONFIG_FAULT_INJECTION_DEBUG_FS",
	};
	unsigned int i;

	for (i = 0; i < sizeof(needed) / sizeof(needed[0]); i++) {
		if (access(needed[i], F_OK)) {
			snprintf(why, len, "%s is absent (%s): this kernel cannot inject faults",
				 needed[i], config[i]);
			return false;
		}
	}
	for (i = 0; i < N_KNOBS; i++) {
		if (access(knobs[i].path, W_OK)) {
			snprintf(why, len, "%s is absent or read-only: %s", knobs[i].path,
				 strerror(errno));
			return false;
		}
	}
	return true;
}

void fault_inject_enable(void)
{
	unsigned int i;

	for (i = 0; i < N_KNOBS; i++) {
		saved[i] = read_whole_file(knobs[i].path, NULL);
		igt_assert_f(saved[i], "cannot read %s: %s", knobs[i].path, strerror(errno));
		saved[i][strcspn(saved[i], "\n")] = 0;
		write_whole_file(knobs[i].path, knobs[i].value);
	}
	fail_nth_fd = open(FAIL_NTH_PATH, O_RDWR | O_CLOEXEC);
	igt_assert_f(fail_nth_fd >= 0, "cannot open %s: %s", FAIL_NTH_PATH, strerror(errno));
}

void fault_inject_restore(void)
{
	unsigned int i;
	int fd;

	for (i = 0; i < N_KNOBS; i++) {
		if (!saved[i])
			continue;
		/* No assertion: this also runs at exit, after a failure. */
		fd = open(knobs[i].path, O_WRONLY | O_CLOEXEC);
		if (fd >= 0) {
			if (write(fd, saved[i], strlen(saved[i])) < 0)
				fprintf(stderr, "cannot restore %s: %s\n", knobs[i].path,
					strerror(errno));
			close(fd);
		}
		free(saved[i]);
		saved[i] = NULL;
	}
	if (fail_nth_fd >= 0) {
		close(fail_nth_fd);
		fail_nth_fd = -1;
	}
}

void fault_nth_arm(unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	igt_assert_f(pwrite(fail_nth_fd, buf, len, 0) == len, "cannot arm %s with %u: %s",
		     FAIL_NTH_PATH, n, strerror(errno));
}

bool fault_nth_consumed(void)
{
	char buf[16] = "";
	ssize_t n;

	/* Read first: it says whether the armed site was reached. */
	n = pread(fail_nth_fd, buf, sizeof(buf) - 1, 0);
	igt_assert_f(n > 0, "cannot read %s: %s", FAIL_NTH_PATH, strerror(errno));
	buf[n] = 0;
	if (atoi(buf) != 0)
		fault_nth_arm(0);
	return atoi(buf) == 0;
}
