// SPDX-License-Identifier: MIT
/*
 * The library's shrinker (see "reclaim" in the guide), driven by hand
 * through ph_vgem's debugfs (ph_shrink runs the walk the kernel's reclaim
 * runs; ph_shrinker shows its list and counters): which objects it may
 * evict, in which order, and what happens when it races everything else a
 * client does with an object. The same walk under real memory pressure is
 * pressure_shrinker's.
 *
 * Counters are per device and other objects of the device may come and go,
 * so the checks compare this program's objects (by ph_objects) and counter
 * deltas, never absolute totals.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xf86drm.h>

#include "debugfs.h"
#include "drmtest.h"
#include "dumb.h"
#include "gem.h"
#include "igt.h"
#include "prime.h"

#define BO_SIZE (64 * 4096)
#define BO_PAGES (BO_SIZE / 4096)
/* More than any device holds: a walk that evicts every evictable object. */
#define SHRINK_ALL (1ull << 40)

struct victim {
	int fd;
	uint32_t handle;
	uint64_t offset;
	uint32_t *map;
};

static struct victim victim_new(int fd, uint32_t seed)
{
	struct victim v = { .fd = fd };

	v.handle = dumb_create_size(fd, BO_SIZE).handle;
	v.offset = dumb_map_offset(fd, v.handle);
	v.map = dumb_mmap(fd, v.handle, BO_SIZE, PROT_READ | PROT_WRITE);
	fill_pattern(v.map, BO_SIZE, seed);
	return v;
}

static void victim_free(struct victim *v)
{
	munmap(v->map, BO_SIZE);
	gem_close(v->fd, v->handle);
}

static struct ph_object state_of(const struct victim *v)
{
	return ph_object_get(v->fd, v->offset);
}

/* Mapped and written: on the list; a walk evicts it, the data survives. */
static void check_mapped_object_evicted(void)
{
	int fd = drm_open_card(DRIVER_PH_VGEM, 0);
	struct victim v = victim_new(fd, 0x10);
	struct ph_shrinker before, after;
	uint64_t faults;

	igt_assert_eq(state_of(&v).evictable, 1);
	ph_shrinker_read(fd, &before);
	igt_assert_lte(BO_PAGES, before.evictable_pages);
	ph_shrink(fd, SHRINK_ALL);
	ph_shrinker_read(fd, &after);
	igt_assert_eq(state_of(&v).evictable, 0);
	igt_assert_eq(state_of(&v).segments, 0);
	igt_assert_lt(before.scans, after.scans);
	igt_assert_lte(before.evicted_pages + BO_PAGES, after.evicted_pages);
	faults = state_of(&v).faults;
	igt_assert_pattern(v.map, BO_SIZE, 0x10);
	igt_assert_lt(faults, state_of(&v).faults);
	/* The refault put it back on the list. */
	igt_assert_eq(state_of(&v).evictable, 1);
	victim_free(&v);
	close(fd);
}

/* Least recently faulted first: a refault moves an object to the end. */
static void check_lru_order(void)
{
	int fd = drm_open_card(DRIVER_PH_VGEM, 0);
	struct victim v[3];
	int i;

	/* Whatever else is evictable on this device goes first. */
	ph_shrink(fd, SHRINK_ALL);
	for (i = 0; i < 3; i++)
		v[i] = victim_new(fd, 0x20 + i);
	/* One object's worth: the oldest, v[0]. */
	ph_shrink(fd, BO_PAGES);
	igt_assert_eq(state_of(&v[0]).evictable, 0);
	igt_assert_eq(state_of(&v[1]).evictable, 1);
	igt_assert_eq(state_of(&v[2]).evictable, 1);
	/* v[0] refaults and becomes the newest; v[1] is the oldest now. */
	igt_assert_pattern(v[0].map, BO_SIZE, 0x20);
	ph_shrink(fd, BO_PAGES);
	igt_assert_eq(state_of(&v[0]).evictable, 1);
	igt_assert_eq(state_of(&v[1]).evictable, 0);
	igt_assert_eq(state_of(&v[2]).evictable, 1);
	for (i = 0; i < 3; i++) {
		igt_assert_pattern(v[i].map, BO_SIZE, 0x20 + i);
		victim_free(&v[i]);
	}
	close(fd);
}

/*
 * A device mapping pins: an import by the stock vgem attaches and maps the
 * dma-buf, and the object is off the list until that import is gone.
 */
static void check_pinned_not_evicted(void)
{
	int fd = drm_open_card(DRIVER_PH_VGEM, 0), stock = drm_open_card(DRIVER_STOCK_VGEM, 0);
	struct victim v = victim_new(fd, 0x30);
	int dmabuf = prime_handle_to_fd(fd, v.handle);
	uint32_t import = prime_fd_to_handle(stock, dmabuf);
	uint64_t faults = state_of(&v).faults;

	igt_assert_eq(state_of(&v).pins, 1);
	igt_assert_eq(state_of(&v).evictable, 0);
	ph_shrink(fd, SHRINK_ALL);
	igt_assert_lt(0, state_of(&v).segments);
	igt_assert_pattern(v.map, BO_SIZE, 0x30);
	igt_assert_eq_u64(state_of(&v).faults, faults);

	gem_close(stock, import);
	close(dmabuf);
	igt_assert_eq(state_of(&v).pins, 0);
	igt_assert_eq(state_of(&v).evictable, 1);
	ph_shrink(fd, SHRINK_ALL);
	igt_assert_eq(state_of(&v).segments, 0);
	igt_assert_pattern(v.map, BO_SIZE, 0x30);
	victim_free(&v);
	close(stock);
	close(fd);
}

/* Unmapped objects hold no pages (the last munmap gave them back): not listed. */
static void check_unmapped_not_listed(void)
{
	int fd = drm_open_card(DRIVER_PH_VGEM, 0);
	struct victim v = victim_new(fd, 0x40);
	struct ph_shrinker before, after;

	ph_shrinker_read(fd, &before);
	munmap(v.map, BO_SIZE);
	ph_shrinker_read(fd, &after);
	igt_assert_eq(state_of(&v).evictable, 0);
	igt_assert_eq_u64(after.evictable_pages + BO_PAGES, before.evictable_pages);
	v.map = dumb_mmap(fd, v.handle, BO_SIZE, PROT_READ | PROT_WRITE);
	igt_assert_pattern(v.map, BO_SIZE, 0x40);
	igt_assert_eq(state_of(&v).evictable, 1);
	victim_free(&v);
	close(fd);
}

/*
 * The race: threads of two processes write, check, export and import
 * (pinning), remap and close-and-recreate their objects while another
 * thread runs shrinker walks without pause. Threads use raw ioctls and
 * record their first error; the main thread asserts.
 */
#define RACE_THREADS 2
#define RACE_OBJECTS 4
#define RACE_ITERATIONS 400

struct race_obj {
	uint32_t handle;
	uint32_t *map;
	uint32_t seed;
};

struct racer {
	int fd, other;
	struct race_obj obj[RACE_OBJECTS];
	unsigned int id;
	char error[256];
};

static int raw_create(int fd, struct race_obj *o)
{
	struct drm_mode_create_dumb create = { .width = BO_SIZE / 4, .height = 1, .bpp = 32 };
	struct drm_mode_map_dumb map = {};

	if (drmIoctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &create))
		return -errno;
	o->handle = create.handle;
	map.handle = create.handle;
	if (drmIoctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &map))
		return -errno;
	o->map = mmap(NULL, BO_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, map.offset);
	return o->map == MAP_FAILED ? -errno : 0;
}

static int raw_close(int fd, struct race_obj *o)
{
	struct drm_gem_close arg = { .handle = o->handle };

	munmap(o->map, BO_SIZE);
	return drmIoctl(fd, DRM_IOCTL_GEM_CLOSE, &arg) ? -errno : 0;
}

/* Exported, imported by another device (a pin) and checked meanwhile. */
static int raw_pin_check(struct racer *r, struct race_obj *o, long *bad)
{
	struct drm_prime_handle exp = { .handle = o->handle, .flags = DRM_CLOEXEC };
	struct drm_prime_handle imp = {};
	struct drm_gem_close gclose = {};
	int ret = 0;

	if (drmIoctl(r->fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &exp))
		return -errno;
	imp.fd = exp.fd;
	if (drmIoctl(r->other, DRM_IOCTL_PRIME_FD_TO_HANDLE, &imp)) {
		ret = -errno;
		goto out;
	}
	*bad = check_pattern(o->map, BO_SIZE, o->seed);
	gclose.handle = imp.handle;
	if (drmIoctl(r->other, DRM_IOCTL_GEM_CLOSE, &gclose))
		ret = -errno;
out:
	close(exp.fd);
	return ret;
}

static void *racer_run(void *arg)
{
	struct racer *r = arg;
	unsigned int i;
	int ret = 0;

	for (i = 0; i < RACE_OBJECTS && !ret; i++) {
		ret = raw_create(r->fd, &r->obj[i]);
		r->obj[i].seed = r->id * 100000 + i;
		if (!ret)
			fill_pattern(r->obj[i].map, BO_SIZE, r->obj[i].seed);
	}
	for (i = 0; i < RACE_ITERATIONS && !ret; i++) {
		struct race_obj *o = &r->obj[i % RACE_OBJECTS];
		long bad = -1;

		switch ((i / RACE_OBJECTS) % 5) {
		case 0:
			o->seed += 7;
			fill_pattern(o->map, BO_SIZE, o->seed);
			break;
		case 1:
			bad = check_pattern(o->map, BO_SIZE, o->seed);
			break;
		case 2:
			ret = raw_pin_check(r, o, &bad);
			break;
		case 3:
			munmap(o->map, BO_SIZE);
			{
				struct drm_mode_map_dumb map = { .handle = o->handle };

				if (drmIoctl(r->fd, DRM_IOCTL_MODE_MAP_DUMB, &map)) {
					ret = -errno;
					break;
				}
				o->map = mmap(NULL, BO_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
					      r->fd, map.offset);
				if (o->map == MAP_FAILED) {
					ret = -errno;
					break;
				}
			}
			bad = check_pattern(o->map, BO_SIZE, o->seed);
			break;
		case 4:
			ret = raw_close(r->fd, o);
			if (!ret)
				ret = raw_create(r->fd, o);
			if (!ret)
				fill_pattern(o->map, BO_SIZE, o->seed);
			break;
		}
		if (ret)
			snprintf(r->error, sizeof(r->error), "iteration %u: an ioctl or mmap failed: %s",
				 i, strerror(-ret));
		else if (bad >= 0)
			snprintf(r->error, sizeof(r->error),
				 "iteration %u: object %u word %ld differs (seed %u)", i,
				 i % RACE_OBJECTS, bad, o->seed);
		if (r->error[0])
			break;
	}
	for (i = 0; i < RACE_OBJECTS; i++)
		if (r->obj[i].map && r->obj[i].map != MAP_FAILED)
			raw_close(r->fd, &r->obj[i]);
	return NULL;
}

struct shrinker_loop {
	int debugfs;
	volatile int stop;
	unsigned long walks;
	int error;
};

static void *shrinker_run(void *arg)
{
	struct shrinker_loop *s = arg;

	while (!s->stop) {
		if (pwrite(s->debugfs, "1099511627776", 13, 0) != 13) {
			s->error = errno;
			break;
		}
		s->walks++;
	}
	return NULL;
}

/* One process's part: RACE_THREADS racers on their own files. */
static int race_in_process(unsigned int first_id, char *error, size_t len)
{
	struct racer r[RACE_THREADS];
	pthread_t t[RACE_THREADS];
	unsigned int i;

	memset(r, 0, sizeof(r));
	for (i = 0; i < RACE_THREADS; i++) {
		r[i].fd = drm_open_card(DRIVER_PH_VGEM, 0);
		r[i].other = drm_open_card(DRIVER_STOCK_VGEM, 0);
		r[i].id = first_id + i;
		if (pthread_create(&t[i], NULL, racer_run, &r[i]))
			return -1;
	}
	error[0] = 0;
	for (i = 0; i < RACE_THREADS; i++) {
		pthread_join(t[i], NULL);
		if (r[i].error[0] && !error[0])
			snprintf(error, len, "racer %u: %s", r[i].id, r[i].error);
		close(r[i].other);
		close(r[i].fd);
	}
	return error[0] ? -1 : 0;
}

static void check_races(void)
{
	int fd = drm_open_card(DRIVER_PH_VGEM, 0);
	struct shrinker_loop s = {};
	struct ph_shrinker before, after;
	char dir[4096 - 16], path[4096], error[512];
	pthread_t shrinker;
	int status, ret;
	pid_t pid;

	igt_assert(drm_debugfs_dir(fd, dir, sizeof(dir)));
	snprintf(path, sizeof(path), "%s/ph_shrink", dir);
	s.debugfs = open(path, O_WRONLY | O_CLOEXEC);
	igt_assert_f(s.debugfs >= 0, "cannot open %s: %s", path, strerror(errno));
	ph_shrinker_read(fd, &before);
	igt_assert_eq(pthread_create(&shrinker, NULL, shrinker_run, &s), 0);

	fflush(stdout);
	pid = fork();
	igt_assert(pid >= 0);
	if (pid == 0) {
		/* The child reports through its exit status and stderr only. */
		if (race_in_process(RACE_THREADS, error, sizeof(error))) {
			fprintf(stderr, "child process: %s\n", error);
			_exit(1);
		}
		_exit(0);
	}
	ret = race_in_process(0, error, sizeof(error));
	igt_assert_eq(waitpid(pid, &status, 0), pid);
	s.stop = 1;
	pthread_join(shrinker, NULL);
	close(s.debugfs);
	ph_shrinker_read(fd, &after);
	igt_info("%lu shrinker walks from this process, %" PRIu64 " in all, %" PRIu64
		 " objects evicted meanwhile\n", s.walks, after.scans - before.scans,
		 after.evicted_objects - before.evicted_objects);
	igt_assert_f(!s.error, "writing ph_shrink failed: %s", strerror(s.error));
	igt_assert_f(!ret, "%s", error);
	igt_assert_f(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		     "the racing child process failed (see its message above)");
	/* The race raced: walks ran and evicted objects while the clients worked. */
	igt_assert_lt(10, s.walks);
	igt_assert_lt(before.evicted_objects, after.evicted_objects);
	close(fd);
}

igt_main
{
	igt_describe("A CPU-mapped object is on the shrinker's list; a walk evicts it and its "
		     "data comes back on the next fault.");
	igt_subtest("shrink-evicts-mapped-object")
		check_mapped_object_evicted();

	igt_describe("Walks evict the least recently faulted object first; a refault makes an "
		     "object the newest.");
	igt_subtest("shrink-least-recently-faulted-first")
		check_lru_order();

	igt_describe("An object a device imported (pinned) is not evicted, and is again once "
		     "the import is gone.");
	igt_subtest("shrink-skips-pinned")
		check_pinned_not_evicted();

	igt_describe("An object without CPU mappings holds no pages and is not listed; a new "
		     "mapping brings pages and the listing back.");
	igt_subtest("shrink-lists-only-mapped")
		check_unmapped_not_listed();

	igt_describe("Two processes with two threads each write, check, export and import, "
		     "remap and recreate objects while shrinker walks run without pause: no "
		     "data lost, no error.");
	igt_subtest("shrink-races-clients")
		check_races();
}
