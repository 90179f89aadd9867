/* SPDX-License-Identifier: MIT */
/*
 * Comparing our driver with the stock one. A scenario records what it saw
 * (handle numbers, 0 or -errno, flags) into a trace; running it on the stock
 * vgem first gives the expected trace, and ours must record the same one.
 * This pins down behaviour where upstream is the only specification.
 */
#ifndef ORACLE_H
#define ORACLE_H

#define TRACE_MAX 128

struct trace {
	const char *what[TRACE_MAX];
	long long value[TRACE_MAX];
	int n;
};

/* Appends one observation, labelled for the failure message. */
void trace_add(struct trace *t, const char *what, long long value);

/* Fails at the first step where @ours differs from @oracle. */
void trace_assert_equal(const struct trace *oracle, const struct trace *ours);

/*
 * Runs @scenario on the stock vgem, then on ph_vgem, and compares the two
 * traces. With only one driver selected (IGT_VGEM_DRIVERS) it just runs.
 */
void compare_with_stock(void (*scenario)(const char *key, struct trace *t));

#endif /* ORACLE_H */
