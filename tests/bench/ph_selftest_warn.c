// SPDX-License-Identifier: GPL-2.0
/*
 * Bench self-test payload: a module whose only job is to put a kernel WARN in
 * the guest log, so the bench can prove that such a run fails. Loaded only in
 * the bench's self-test boot (ph.mode=selftest-warn).
 */
#include <linux/bug.h>
#include <linux/module.h>

static int __init ph_selftest_warn_init(void)
{
	WARN(1, "ph_selftest_warn: deliberate warning for the bench self-test\n");
	return 0;
}

static void __exit ph_selftest_warn_exit(void)
{
}

module_init(ph_selftest_warn_init);
module_exit(ph_selftest_warn_exit);

MODULE_DESCRIPTION("Bench self-test: triggers one kernel WARN");
MODULE_LICENSE("GPL");
