/* SPDX-License-Identifier: MIT */
/*
 * What the hostile-input tests share: a seeded PRNG with pickers that favour
 * boundary values, a leak baseline over the library's debugfs counters, a
 * guarded first touch of a mapping, per-call tallies and the "@count" lines
 * the bench sums (scripts/judge.py, scripts/check.sh).
 */
#ifndef PH_FUZZ_H
#define PH_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "debugfs.h"

/* splitmix64: tiny, and every seed (0 too) gives a full-period stream. */
struct fuzz_rng {
	uint64_t state;
};

void fuzz_rng_seed(struct fuzz_rng *rng, uint64_t seed);
uint64_t fuzz_rand64(struct fuzz_rng *rng);
/* Uniform in [0, n); n > 0. */
uint32_t fuzz_below(struct fuzz_rng *rng, uint32_t n);
/* True with probability 1/n. */
bool fuzz_one_in(struct fuzz_rng *rng, uint32_t n);
/* A 32-bit value: small, a power of two or its neighbours, the extremes, or random. */
uint32_t fuzz_u32(struct fuzz_rng *rng);
/*
 * A 64-bit size or offset: around @near (an object size, say) and its page
 * multiples, near 2^32 and 2^64 where additions overflow, or random.
 */
uint64_t fuzz_u64(struct fuzz_rng *rng, uint64_t near);
/* Flag bits: a subset of @valid most of the time, else stray bits. */
uint32_t fuzz_flags(struct fuzz_rng *rng, uint32_t valid);

/*
 * The seed of the run: PH_FUZZ_SEED (decimal or 0x hex) if set, else
 * @fallback. Printed, so that any run can be replayed.
 */
uint64_t fuzz_seed_from_env(uint64_t fallback);

/*
 * Library-wide counters and the object list of every device that uses the
 * library (both ph_vgem devices, ph_edu), taken before a subtest touches
 * anything; leak_baseline_assert() fails naming what differs once the
 * subtest closed everything (it retries for a second: a dma-buf's last
 * reference may be dropped by a work item).
 */
#define LEAK_MAX_DEVICES 3
struct leak_baseline {
	struct ph_stats stats;
	int objects[LEAK_MAX_DEVICES];
};
void leak_baseline_take(struct leak_baseline *base);
void leak_baseline_assert(const struct leak_baseline *base);
/* As leak_baseline_assert(), returning whether they match instead of failing. */
bool leak_baseline_same_as(const struct leak_baseline *base);

/*
 * Reads the first byte of a fresh mapping, catching SIGBUS and SIGSEGV
 * (how a failed page fault reaches userspace). Returns 0, or the signal.
 */
int touch_guarded(const volatile uint8_t *ptr, bool write);

/* Prints "@count NAME VALUE" on its own line: the bench adds these up. */
void report_count(const char *name, unsigned long long value);

/* Results of one kind of call: how often each errno came back. */
#define TALLY_ERRNO_MAX 160
struct tally {
	const char *name;
	unsigned long calls, ok;
	double slowest;		/* seconds, of the longest call */
	unsigned long err[TALLY_ERRNO_MAX + 1];	/* last slot: anything above */
};
void tally_add(struct tally *t, int ret_errno, double seconds);
/* One line per kind with calls: "NAME: N calls, ok N, EINVAL N, ...". */
void tally_print(const struct tally *t, size_t n);

double now_seconds(void);

#endif /* PH_FUZZ_H */
