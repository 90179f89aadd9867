/* SPDX-License-Identifier: MIT */
/*
 * The kernel log as a test sees it: a subtest marks where the log ends when
 * it starts, and at its end fails if the kernel printed one of the reports
 * it forbids since then. For reports that do not stop the kernel (a
 * VM_FAULT_OOM that leaked out of a fault handler, say), so the subtest that
 * provoked them fails, not only the judge of the whole run.
 */
#ifndef KMSG_H
#define KMSG_H

/* Opens /dev/kmsg positioned after the last record; fails if it cannot. */
int kmsg_mark(void);

/*
 * Reads the records written since kmsg_mark() and fails naming the first
 * that contains one of the NULL-terminated @needles. Skips KCSAN reports,
 * which the run's judge sorts by whose code raced. Closes @fd.
 */
void kmsg_assert_none(int fd, const char *const *needles);

/* What no fault handler may make the kernel print. */
extern const char *const kmsg_fault_reports[];

#endif /* KMSG_H */
