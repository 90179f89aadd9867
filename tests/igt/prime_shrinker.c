// SPDX-License-Identifier: MIT
/*
 * The library's shrinker (see "reclaim" in the guide), driven by hand
 * through ph_vgem's debugfs (ph_shrink runs the walk the kernel's reclaim
 * runs; ph_shrinker shows its list and counters): which objects it may
 * evict, in which order, and what happens when it races everything else a
 * client does with an object. The same walk under real memory pressure is
 * pressure_working_set's.
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
#include "fuzz.h"
#include "gem.h"
#include "igt.h"
#include "prime.h"
#include "vgem.h"
#include "drm/ph_vgem_drm.h"

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
	/*
	 * A fault of an object that was not evicted moves it too: a second
	 * mapping of v[2] faults while v[2] is listed, so v[0] is the oldest.
	 */
	{
		uint32_t *again = dumb_mmap(fd, v[2].handle, BO_SIZE, PROT_READ);
		uint64_t faults = state_of(&v[2]).faults;

		igt_assert_pattern(again, BO_SIZE, 0x22);
		igt_assert_lt(faults, state_of(&v[2]).faults);
		ph_shrink(fd, BO_PAGES);
		igt_assert_eq(state_of(&v[0]).evictable, 0);
		igt_assert_eq(state_of(&v[2]).evictable, 1);
		munmap(again, BO_SIZE);
	}
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
	/* Less by at least this object (a reclaim walk may have taken more). */
	igt_assert_lte(after.evictable_pages + BO_PAGES, before.evictable_pages);
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
	unsigned int purged;	/* WILLNEED said the contents were gone */
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

static int raw_madvise(int fd, struct race_obj *o, uint32_t madv, bool *retained)
{
	struct ph_vgem_madvise arg = { .handle = o->handle, .madv = madv };

	if (drmIoctl(fd, DRM_IOCTL_PH_VGEM_MADVISE, &arg))
		return -errno;
	if (retained)
		*retained = arg.retained;
	return 0;
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
		bool retained = true;
		long bad = -1;

		switch ((i / RACE_OBJECTS) % 6) {
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
		case 5:
			/* Purgeable for a moment: kept, or purged and zero after. */
			ret = raw_madvise(r->fd, o, PH_VGEM_MADV_DONTNEED, NULL);
			if (!ret)
				ret = raw_madvise(r->fd, o, PH_VGEM_MADV_WILLNEED, &retained);
			if (!ret && retained) {
				bad = check_pattern(o->map, BO_SIZE, o->seed);
			} else if (!ret) {
				r->purged++;
				if (!is_zeroed(o->map, BO_SIZE))
					bad = 0;
				fill_pattern(o->map, BO_SIZE, o->seed);
			}
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

/*
 * One process's part: RACE_THREADS racers on the files in @fds (a ph_vgem
 * file and a stock vgem file each), opened before the fork so that the
 * child never needs an asserting helper. Returns the purges seen, or -1.
 */
static int race_in_process(unsigned int first_id, const int *fds, char *error, size_t len)
{
	struct racer r[RACE_THREADS];
	pthread_t t[RACE_THREADS];
	unsigned int i, started = 0, purged = 0;

	memset(r, 0, sizeof(r));
	error[0] = 0;
	for (i = 0; i < RACE_THREADS; i++) {
		r[i].fd = fds[2 * i];
		r[i].other = fds[2 * i + 1];
		r[i].id = first_id + i;
		if (pthread_create(&t[i], NULL, racer_run, &r[i])) {
			snprintf(error, len, "cannot start racer %u", r[i].id);
			break;
		}
		started++;
	}
	for (i = 0; i < started; i++) {
		pthread_join(t[i], NULL);
		if (r[i].error[0] && !error[0])
			snprintf(error, len, "racer %u: %s", r[i].id, r[i].error);
		purged += r[i].purged;
	}
	return error[0] ? -1 : (int)purged;
}

static void open_racer_files(int *fds)
{
	int i;

	for (i = 0; i < RACE_THREADS; i++) {
		fds[2 * i] = drm_open_card(DRIVER_PH_VGEM, 0);
		fds[2 * i + 1] = drm_open_card(DRIVER_STOCK_VGEM, 0);
	}
}

static void close_racer_files(const int *fds)
{
	int i;

	for (i = 0; i < 2 * RACE_THREADS; i++)
		close(fds[i]);
}

static void check_races(void)
{
	int fd = drm_open_card(DRIVER_PH_VGEM, 0);
	int ours[2 * RACE_THREADS], childs[2 * RACE_THREADS];
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
	open_racer_files(ours);
	open_racer_files(childs);
	ph_shrinker_read(fd, &before);

	fflush(stdout);
	pid = fork();
	igt_assert(pid >= 0);
	if (pid == 0) {
		/* The child reports through its exit status and stderr only. */
		close_racer_files(ours);
		if (race_in_process(RACE_THREADS, childs, error, sizeof(error)) < 0) {
			fprintf(stderr, "child process: %s\n", error);
			_exit(1);
		}
		_exit(0);
	}
	close_racer_files(childs);
	igt_assert_eq(pthread_create(&shrinker, NULL, shrinker_run, &s), 0);
	ret = race_in_process(0, ours, error, sizeof(error));
	igt_assert_eq(waitpid(pid, &status, 0), pid);
	s.stop = 1;
	pthread_join(shrinker, NULL);
	close(s.debugfs);
	close_racer_files(ours);
	ph_shrinker_read(fd, &after);
	igt_info("%lu shrinker walks from this process, %" PRIu64 " in all, %" PRIu64
		 " objects evicted and %" PRIu64 " purged meanwhile; this process saw %d purges\n",
		 s.walks, after.scans - before.scans,
		 after.evicted_objects - before.evicted_objects,
		 after.purged_objects - before.purged_objects, ret);
	igt_assert_f(!s.error, "writing ph_shrink failed: %s", strerror(s.error));
	igt_assert_f(ret >= 0, "%s", error);
	igt_assert_f(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		     "the racing child process failed (see its message above)");
	/* The race raced: walks ran and evicted and purged while the clients worked. */
	igt_assert_lt(10, s.walks);
	igt_assert_lt(before.evicted_objects, after.evicted_objects);
	igt_assert_lt(before.purged_objects, after.purged_objects);
	close(fd);
}

/* ph_objects' evictable and purgeable flags of @fd's objects, counted. */
static void count_listed(int fd, uint64_t *evictable, uint64_t *purgeable)
{
	struct ph_object objs[64];
	int n = ph_objects_read(fd, objs, 64), i;

	igt_assert_lte(n, 64);
	*evictable = *purgeable = 0;
	for (i = 0; i < n; i++) {
		*evictable += objs[i].evictable;
		*purgeable += objs[i].purgeable;
	}
}

/* The shrinker's counts agree with the objects' flags, across every change. */
static void check_counts_agree(void)
{
	int fd = drm_open_card(DRIVER_PH_VGEM, 0), stock = drm_open_card(DRIVER_STOCK_VGEM, 0);
	struct victim v[4];
	struct ph_shrinker sh;
	uint64_t evictable, purgeable;
	int dmabuf = -1, step, i;
	uint32_t import = 0;

	for (i = 0; i < 4; i++)
		v[i] = victim_new(fd, 0x50 + i);
	for (step = 0; step < 6; step++) {
		switch (step) {
		case 1:
			vgem_madvise(fd, v[1].handle, PH_VGEM_MADV_DONTNEED);
			break;
		case 2:
			dmabuf = prime_handle_to_fd(fd, v[2].handle);
			import = prime_fd_to_handle(stock, dmabuf);
			break;
		case 3:
			munmap(v[3].map, BO_SIZE);
			v[3].map = dumb_mmap(fd, v[3].handle, BO_SIZE, PROT_READ);
			break;
		case 4:
			ph_shrink(fd, SHRINK_ALL);
			break;
		case 5:
			gem_close(stock, import);
			close(dmabuf);
			break;
		}
		count_listed(fd, &evictable, &purgeable);
		ph_shrinker_read(fd, &sh);
		igt_info("step %d: %" PRIu64 " evictable, %" PRIu64 " purgeable\n", step,
			 evictable, purgeable);
		igt_assert_eq_u64(sh.evictable_objects, evictable);
		igt_assert_eq_u64(sh.purgeable_objects, purgeable);
		igt_assert_eq_u64(sh.evictable_pages, evictable * BO_PAGES);
		igt_assert_eq_u64(sh.purgeable_pages, purgeable * BO_PAGES);
	}
	for (i = 0; i < 4; i++)
		victim_free(&v[i]);
	close(stock);
	close(fd);
}

/* DONTNEED objects are purged before anything is evicted; purged ones SIGBUS, then zero. */
static void check_purge_first(void)
{
	int fd = drm_open_card(DRIVER_PH_VGEM, 0);
	struct victim old, doomed;
	struct ph_shrinker before, after;

	ph_shrink(fd, SHRINK_ALL);
	old = victim_new(fd, 0x60);
	doomed = victim_new(fd, 0x61);
	igt_assert(vgem_madvise(fd, doomed.handle, PH_VGEM_MADV_DONTNEED));
	igt_assert_eq(state_of(&doomed).purgeable, 1);
	igt_assert_eq(state_of(&doomed).evictable, 0);
	ph_shrinker_read(fd, &before);
	/* One object's worth: the purgeable one, though the other is older. */
	ph_shrink(fd, BO_PAGES);
	ph_shrinker_read(fd, &after);
	igt_assert_eq(state_of(&doomed).madv, 2);
	igt_assert_eq(state_of(&doomed).purgeable, 0);
	igt_assert_eq(state_of(&old).evictable, 1);
	igt_assert_eq_u64(after.purged_objects, before.purged_objects + 1);
	igt_assert_eq_u64(after.purged_pages, before.purged_pages + BO_PAGES);
	/* Its mapping faults with SIGBUS; so does a new one. */
	igt_assert_eq(touch_guarded((uint8_t *)doomed.map, false), SIGBUS);
	igt_assert_eq(touch_guarded((uint8_t *)doomed.map + BO_SIZE - 1, true), SIGBUS);
	{
		uint8_t *fresh = dumb_mmap(fd, doomed.handle, BO_SIZE, PROT_READ);

		igt_assert_eq(touch_guarded(fresh + BO_SIZE / 2, false), SIGBUS);
		munmap(fresh, BO_SIZE);
	}
	/* Still purged after DONTNEED again; WILLNEED says so and brings zeroes. */
	igt_assert(!vgem_madvise(fd, doomed.handle, PH_VGEM_MADV_DONTNEED));
	igt_assert(!vgem_madvise(fd, doomed.handle, PH_VGEM_MADV_WILLNEED));
	igt_assert(is_zeroed(doomed.map, BO_SIZE));
	igt_assert(vgem_madvise(fd, doomed.handle, PH_VGEM_MADV_WILLNEED));
	fill_pattern(doomed.map, BO_SIZE, 0x62);
	igt_assert_pattern(doomed.map, BO_SIZE, 0x62);
	igt_assert_pattern(old.map, BO_SIZE, 0x60);
	victim_free(&doomed);
	victim_free(&old);
	close(fd);
}

/* DONTNEED then WILLNEED with no walk between: the contents were retained. */
static void check_willneed_retained(void)
{
	int fd = drm_open_card(DRIVER_PH_VGEM, 0);
	struct victim v = victim_new(fd, 0x70);

	igt_assert(vgem_madvise(fd, v.handle, PH_VGEM_MADV_DONTNEED));
	igt_assert(vgem_madvise(fd, v.handle, PH_VGEM_MADV_WILLNEED));
	igt_assert_eq(state_of(&v).madv, 0);
	igt_assert_eq(state_of(&v).evictable, 1);
	igt_assert_pattern(v.map, BO_SIZE, 0x70);
	victim_free(&v);
	close(fd);
}

/*
 * An exported object is never purged (evicted instead, data kept), also
 * after its descriptor is closed: the handle keeps the dma-buf (the export
 * cache, as upstream's). A purged object can still be exported, but no
 * device can attach it: its import fails with EBUSY.
 */
static void check_exported_not_purged(void)
{
	int fd = drm_open_card(DRIVER_PH_VGEM, 0), stock = drm_open_card(DRIVER_STOCK_VGEM, 0);
	struct victim v = victim_new(fd, 0x80), purged = victim_new(fd, 0x81);
	int dmabuf = prime_handle_to_fd(fd, v.handle);
	uint32_t import;

	igt_assert(vgem_madvise(fd, v.handle, PH_VGEM_MADV_DONTNEED));
	igt_assert_eq(state_of(&v).purgeable, 0);
	igt_assert_eq(state_of(&v).evictable, 1);
	ph_shrink(fd, SHRINK_ALL);
	igt_assert_eq(state_of(&v).madv, 1);
	igt_assert_pattern(v.map, BO_SIZE, 0x80);
	close(dmabuf);
	igt_assert_eq(state_of(&v).exported, 1);
	ph_shrink(fd, SHRINK_ALL);
	igt_assert_eq(state_of(&v).madv, 1);
	igt_assert_pattern(v.map, BO_SIZE, 0x80);

	igt_assert(vgem_madvise(fd, purged.handle, PH_VGEM_MADV_DONTNEED));
	ph_shrink(fd, SHRINK_ALL);
	igt_assert_eq(state_of(&purged).madv, 2);
	dmabuf = prime_handle_to_fd(fd, purged.handle);
	igt_assert_eq(__prime_fd_to_handle(stock, dmabuf, &import), -EBUSY);
	close(dmabuf);
	victim_free(&purged);
	victim_free(&v);
	close(stock);
	close(fd);
}

/* Bad input gets the errno the uAPI header gives. */
static void check_madvise_bad_input(void)
{
	int fd = drm_open_card(DRIVER_PH_VGEM, 0), stock = drm_open_card(DRIVER_STOCK_VGEM, 0);
	uint32_t handle = dumb_create_size(fd, BO_SIZE).handle, sbo, import;
	struct ph_vgem_madvise arg = { .handle = handle, .madv = PH_VGEM_MADV_DONTNEED };
	int dmabuf;

	arg.handle = handle + 1000;
	igt_assert_eq(__vgem_madvise(fd, &arg), -ENOENT);
	arg.handle = 0;
	igt_assert_eq(__vgem_madvise(fd, &arg), -ENOENT);
	arg.handle = handle;
	arg.madv = 2;
	igt_assert_eq(__vgem_madvise(fd, &arg), -EINVAL);
	arg.madv = PH_VGEM_MADV_DONTNEED;
	arg.pad = 1;
	igt_assert_eq(__vgem_madvise(fd, &arg), -EINVAL);
	/* An import's pages are its exporter's to keep or drop. */
	sbo = dumb_create_size(stock, BO_SIZE).handle;
	dmabuf = prime_handle_to_fd(stock, sbo);
	import = prime_fd_to_handle(fd, dmabuf);
	arg = (struct ph_vgem_madvise){ .handle = import, .madv = PH_VGEM_MADV_DONTNEED };
	igt_assert_eq(__vgem_madvise(fd, &arg), -EINVAL);
	/* Nothing changed by the refusals. */
	arg = (struct ph_vgem_madvise){ .handle = handle, .madv = PH_VGEM_MADV_WILLNEED };
	igt_assert_eq(__vgem_madvise(fd, &arg), 0);
	igt_assert_eq(arg.retained, 1);
	gem_close(fd, import);
	close(dmabuf);
	gem_close(stock, sbo);
	gem_close(fd, handle);
	close(stock);
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
		     "remap, recreate and madvise objects while shrinker walks run without "
		     "pause: no data lost, no error.");
	igt_subtest("shrink-races-clients")
		check_races();

	igt_describe("The shrinker's list counts equal the objects' flags in ph_objects after "
		     "each madvise, export, import, remap and walk.");
	igt_subtest("shrink-counts-agree")
		check_counts_agree();

	igt_describe("A DONTNEED object is purged before an older evictable one; its mappings "
		     "then SIGBUS, and after WILLNEED (not retained) it reads as zeroes.");
	igt_subtest("purge-dontneed-first")
		check_purge_first();

	igt_describe("DONTNEED then WILLNEED with no walk between keeps the contents.");
	igt_subtest("purge-willneed-retained")
		check_willneed_retained();

	igt_describe("An exported object is evicted, never purged, also once its descriptor is "
		     "closed; a purged object's import fails with EBUSY.");
	igt_subtest("purge-never-exported")
		check_exported_not_purged();

	igt_describe("MADVISE refuses unknown handles (ENOENT), other advice, a non-zero pad "
		     "and imported buffers (EINVAL).");
	igt_subtest("madvise-bad-input")
		check_madvise_bad_input();
}
