/* SPDX-License-Identifier: MIT */
/*
 * Kernel fault injection for one call at a time: /proc/thread-self/fail-nth
 * makes the Nth fault-injection site this thread hits fail (a slab
 * allocation through failslab, a page allocation through fail_page_alloc).
 * By default both ignore allocations that may sleep, which is nearly every
 * allocation a DRM ioctl makes; fault_inject_enable() makes those eligible
 * (ignore-gfp-wait N, ignore-gfp-highmem N, min-order 0) and quiet
 * (verbose 0), and fault_inject_restore() puts every knob back.
 *
 *	fault_nth_arm(n); ret = one_call(); consumed = fault_nth_consumed();
 *
 * Needs CONFIG_FAULT_INJECTION, FAILSLAB, FAIL_PAGE_ALLOC and
 * FAULT_INJECTION_DEBUG_FS (the debug kernel line; Debian's kernels have
 * none of them).
 */
#ifndef PH_FAULT_H
#define PH_FAULT_H

#include <stdbool.h>
#include <stddef.h>

#define FAIL_NTH_PATH "/proc/thread-self/fail-nth"
#define FAILSLAB_DIR "/sys/kernel/debug/failslab"
#define FAIL_PAGE_ALLOC_DIR "/sys/kernel/debug/fail_page_alloc"

/* False, with what is missing in @why, if this kernel cannot inject faults. */
bool fault_inject_available(char *why, size_t len);

/* Saves the knobs and sets them for per-call injection (fails the test on error). */
void fault_inject_enable(void);

/* Puts back what fault_inject_enable() saved; safe to call twice. */
void fault_inject_restore(void);

/* Arms the injection: the @n-th site this thread hits from now on fails. */
void fault_nth_arm(unsigned int n);

/*
 * True if the armed fault was injected; either way the injection is
 * disarmed, so that nothing later fails by surprise.
 */
bool fault_nth_consumed(void);

#endif /* PH_FAULT_H */
