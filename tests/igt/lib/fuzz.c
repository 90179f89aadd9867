// SPDX-License-Identifier: MIT
#define _GNU_SOURCE	/* strerrorname_np */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "drmtest.h"
#include "edu.h"
#include "fuzz.h"
#include "igt.h"

void fuzz_rng_seed(struct fuzz_rng *rng, uint64_t seed)
{
	rng->state = seed;
}

uint64_t fuzz_rand64(struct fuzz_rng *rng)
{
	uint64_t z = (rng->state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint32_t fuzz_below(struct fuzz_rng *rng, uint32_t n)
{
	return (uint32_t)(((fuzz_rand64(rng) >> 32) * n) >> 32);
}

bool fuzz_one_in(struct fuzz_rng *rng, uint32_t n)
{
	return fuzz_below(rng, n) == 0;
}

uint32_t fuzz_u32(struct fuzz_rng *rng)
{
	uint32_t bit = 1u << fuzz_below(rng, 32);

	switch (fuzz_below(rng, 6)) {
	case 0:
		return fuzz_below(rng, 17);
	case 1:
		return bit;
	case 2:
		return bit - 1;
	case 3:
		return bit + 1;
	case 4:
		return UINT32_MAX - fuzz_below(rng, 4096);
	default:
		return (uint32_t)fuzz_rand64(rng);
	}
}

uint64_t fuzz_u64(struct fuzz_rng *rng, uint64_t near)
{
	uint64_t bit = 1ull << fuzz_below(rng, 64);
	int64_t delta = (int64_t)fuzz_below(rng, 9) - 4;

	switch (fuzz_below(rng, 8)) {
	case 0:
		return fuzz_below(rng, 4097);
	case 1:
		return near + delta;
	case 2:
		return (near & ~4095ull) + 4096 * delta;
	case 3:
		return bit + delta;
	case 4:
		return (1ull << 32) + delta;
	case 5:
		return UINT64_MAX - fuzz_below(rng, 8192);
	case 6:
		return -near;	/* offset + size wraps to 0 */
	default:
		return fuzz_rand64(rng);
	}
}

uint32_t fuzz_flags(struct fuzz_rng *rng, uint32_t valid)
{
	switch (fuzz_below(rng, 8)) {
	case 0:
		return valid | (1u << fuzz_below(rng, 32));
	case 1:
		return (uint32_t)fuzz_rand64(rng);
	default:
		return (uint32_t)fuzz_rand64(rng) & valid;
	}
}

uint64_t fuzz_seed_from_env(uint64_t fallback)
{
	const char *env = getenv("PH_FUZZ_SEED");
	uint64_t seed = fallback;
	char *end;

	if (env && *env) {
		seed = strtoull(env, &end, 0);
		igt_assert_f(*end == 0, "PH_FUZZ_SEED='%s' is not a number", env);
	}
	igt_info("seed: 0x%" PRIx64 " (%s; replay with PH_FUZZ_SEED=0x%" PRIx64 ")\n", seed,
		 env && *env ? "from PH_FUZZ_SEED" : "default", seed);
	return seed;
}

/* The devices whose objects the library lists, in leak_baseline order. */
static int leak_device_open(int i)
{
	switch (i) {
	case 0:
	case 1:
		return drm_open_card(DRIVER_PH_VGEM, i);
	default:
		return edu_open_card();
	}
}

static void leak_baseline_read(struct leak_baseline *base)
{
	int i;

	ph_stats_read(&base->stats);
	for (i = 0; i < LEAK_MAX_DEVICES; i++) {
		int fd = leak_device_open(i);

		base->objects[i] = ph_objects_count(fd);
		close(fd);
	}
}

void leak_baseline_take(struct leak_baseline *base)
{
	leak_baseline_read(base);
}

static bool leak_baseline_same(const struct leak_baseline *a, const struct leak_baseline *b)
{
	return !memcmp(&a->stats, &b->stats, sizeof(a->stats)) &&
	       !memcmp(a->objects, b->objects, sizeof(a->objects));
}

bool leak_baseline_same_as(const struct leak_baseline *base)
{
	struct leak_baseline now;
	int tries;

	for (tries = 0; tries < 20; tries++) {
		leak_baseline_read(&now);
		if (leak_baseline_same(base, &now))
			return true;
		usleep(50 * 1000);
	}
	return false;
}

void leak_baseline_assert(const struct leak_baseline *base)
{
	struct leak_baseline now;
	int tries, i;

	for (tries = 0; tries < 20; tries++) {
		leak_baseline_read(&now);
		if (leak_baseline_same(base, &now))
			return;
		usleep(50 * 1000);
	}
	ph_stats_assert_equal(&base->stats, &now.stats);
	for (i = 0; i < LEAK_MAX_DEVICES; i++)
		igt_assert_f(now.objects[i] == base->objects[i],
			     "device %d (%s) lists %d objects, %d at the baseline", i,
			     i < 2 ? DRIVER_PH_VGEM : DRIVER_PH_EDU, now.objects[i], base->objects[i]);
}

static sigjmp_buf touch_jmp;

static void touch_signal(int sig)
{
	siglongjmp(touch_jmp, sig);
}

int touch_guarded(const volatile uint8_t *ptr, bool write)
{
	struct sigaction sa = { .sa_handler = touch_signal }, old_bus, old_segv;
	int sig;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &old_bus);
	sigaction(SIGSEGV, &sa, &old_segv);
	sig = sigsetjmp(touch_jmp, 1);
	if (!sig) {
		if (write)
			*(volatile uint8_t *)ptr = *ptr;
		else
			(void)*ptr;
	}
	sigaction(SIGBUS, &old_bus, NULL);
	sigaction(SIGSEGV, &old_segv, NULL);
	return sig;
}

void report_count(const char *name, unsigned long long value)
{
	/* Alone on its line and flushed, so that nothing splits it. */
	fflush(stdout);
	printf("@count %s %llu\n", name, value);
	fflush(stdout);
}

void tally_add(struct tally *t, int ret_errno, double seconds)
{
	t->calls++;
	if (seconds > t->slowest)
		t->slowest = seconds;
	if (!ret_errno)
		t->ok++;
	else
		t->err[ret_errno > 0 && ret_errno < TALLY_ERRNO_MAX ? ret_errno : TALLY_ERRNO_MAX]++;
}

void tally_print(const struct tally *t, size_t n)
{
	char line[1024];
	size_t i, used;
	int e;

	for (i = 0; i < n; i++) {
		if (!t[i].calls)
			continue;
		used = snprintf(line, sizeof(line), "%s: %lu calls (slowest %.3f s), ok %lu",
				t[i].name, t[i].calls, t[i].slowest, t[i].ok);
		for (e = 1; e <= TALLY_ERRNO_MAX && used < sizeof(line); e++) {
			const char *name = e < TALLY_ERRNO_MAX ? strerrorname_np(e) : NULL;

			if (!t[i].err[e])
				continue;
			if (name)
				used += snprintf(line + used, sizeof(line) - used, ", %s %lu", name,
						 t[i].err[e]);
			else
				used += snprintf(line + used, sizeof(line) - used, ", errno %d%s %lu", e,
						 e == TALLY_ERRNO_MAX ? "+" : "", t[i].err[e]);
		}
		igt_info("%s\n", line);
	}
}

double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}
