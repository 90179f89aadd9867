// SPDX-License-Identifier: MIT
/*
 * Races on shared objects, bounded in time (a few seconds per subtest, the
 * guest has two vCPUs under TCG) and in iterations: threads and processes
 * export, import, close handles, close fds and device files, map and unmap,
 * evict (ph_evict) and attach and signal fences at the same time. Named
 * subtests replay the shapes of races upstream's PRIME code got wrong once:
 * a handle closed while the same dma-buf is being imported, several handles
 * of one dma-buf closed at once, an object losing its last handle while a
 * dma-buf mmap faults, an export racing the last handle close, writable
 * private mappings (always refused), and an fd used by another thread before
 * HANDLE_TO_FD returned it. Each subtest ends with the library's counters
 * and every device's object list back at the baseline and prints how many
 * iterations it ran. ph_vgem only: ph_evict and the counters are ours.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/dma-buf.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "debugfs.h"
#include "drmtest.h"
#include "dumb.h"
#include "edu.h"
#include "fuzz.h"
#include "gem.h"
#include "igt.h"
#include "prime.h"
#include "vgem.h"

#define STRESS_SECONDS 3.0
#define MAX_ITERATIONS 1000000ul
#define BO_SIZE 4096
#define MAP_BO_SIZE (16 * 4096)

/*
 * What the threads of one subtest share. Workers must not fail through
 * igt_assert (its longjmp belongs to the main thread): stress_fail() records
 * the first failure and stops everybody; the main thread reports it.
 */
struct stress {
	atomic_bool stop;
	atomic_ulong iterations;
	pthread_mutex_t lock;
	char failure[512];
	double end;
};

static void stress_init(struct stress *s, double seconds)
{
	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	s->end = now_seconds() + seconds;
}

static void stress_fail(struct stress *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void stress_fail(struct stress *s, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&s->lock);
	if (!s->failure[0]) {
		va_start(ap, fmt);
		vsnprintf(s->failure, sizeof(s->failure), fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&s->lock);
	atomic_store(&s->stop, true);
}

/* True while the subtest should go on; counts one iteration. */
static bool stress_continue(struct stress *s)
{
	if (atomic_load(&s->stop))
		return false;
	if (atomic_fetch_add(&s->iterations, 1) >= MAX_ITERATIONS ||
	    (atomic_load(&s->iterations) % 64 == 0 && now_seconds() > s->end)) {
		atomic_store(&s->stop, true);
		return false;
	}
	return true;
}

/* Reports the iteration count and fails with the first recorded failure. */
static void stress_finish(struct stress *s, const char *what)
{
	unsigned long n = atomic_load(&s->iterations);

	igt_info("%lu iterations (%s)\n", n, what);
	report_count("stress_iterations", n);
	igt_assert_f(!s->failure[0], "%s", s->failure);
}

typedef void *(*worker_fn)(void *);

static void run_threads(worker_fn *fns, void **args, int n)
{
	pthread_t threads[16];
	int i;

	igt_assert(n <= 16);
	for (i = 0; i < n; i++)
		igt_assert(pthread_create(&threads[i], NULL, fns[i], args[i]) == 0);
	for (i = 0; i < n; i++)
		pthread_join(threads[i], NULL);
}

static int raw_handle_to_fd(int fd, uint32_t handle, int *dmabuf)
{
	struct drm_prime_handle arg = { .handle = handle, .flags = DRM_CLOEXEC | DRM_RDWR };

	if (ioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &arg))
		return -errno;
	*dmabuf = arg.fd;
	return 0;
}

static int raw_fd_to_handle(int fd, int dmabuf, uint32_t *handle)
{
	struct drm_prime_handle arg = { .fd = dmabuf };

	if (ioctl(fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &arg))
		return -errno;
	*handle = arg.handle;
	return 0;
}

static int raw_gem_close(int fd, uint32_t handle)
{
	struct drm_gem_close arg = { .handle = handle };

	return ioctl(fd, DRM_IOCTL_GEM_CLOSE, &arg) ? -errno : 0;
}

/* ph_evict without igt_assert, for workers: 0 or -errno. */
static int evict_from_worker(const char *path)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, "1", 1) != 1)
		ret = -errno;
	close(fd);
	return ret;
}

static void evict_path(int fd, char *path, size_t len)
{
	char dir[200];	/* "/sys/kernel/debug/dri/N": short */

	igt_assert(drm_debugfs_dir(fd, dir, sizeof(dir)));
	snprintf(path, len, "%s/ph_evict", dir);
}

/* ---- handle close racing FD_TO_HANDLE ---------------------------------- */

struct close_vs_import {
	struct stress s;
	int importer, dmabuf;
	ino_t inode;
	_Atomic uint32_t last;	/* the handle the importer got last */
};

static void *cvi_importer(void *arg)
{
	struct close_vs_import *c = arg;
	uint32_t handle = 0;
	int ret;

	while (stress_continue(&c->s)) {
		ret = raw_fd_to_handle(c->importer, c->dmabuf, &handle);
		if (ret || !handle) {
			stress_fail(&c->s, "FD_TO_HANDLE of a live dma-buf: %d, handle %u", ret, handle);
			break;
		}
		atomic_store(&c->last, handle);
	}
	return NULL;
}

static void *cvi_closer(void *arg)
{
	struct close_vs_import *c = arg;
	uint32_t handle;
	int ret;

	while (!atomic_load(&c->s.stop)) {
		handle = atomic_exchange(&c->last, 0);
		if (!handle) {
			sched_yield();	/* nothing to close yet: not an iteration */
			continue;
		}
		if (!stress_continue(&c->s))
			break;
		/* The importer may have got the same handle back and lost it already. */
		ret = raw_gem_close(c->importer, handle);
		if (ret && ret != -EINVAL) {
			stress_fail(&c->s, "GEM_CLOSE of an imported handle: %d", ret);
			break;
		}
	}
	return NULL;
}

static void handle_close_vs_fd_to_handle(void)
{
	struct close_vs_import c = { 0 };
	struct leak_baseline base;
	worker_fn fns[] = { cvi_importer, cvi_importer, cvi_closer, cvi_closer };
	void *args[] = { &c, &c, &c, &c };
	int exporter, again;
	uint32_t handle, bo;

	leak_baseline_take(&base);
	exporter = drm_open_card(DRIVER_PH_VGEM, 0);
	c.importer = drm_open_card(DRIVER_PH_VGEM, 1);
	bo = dumb_create_size(exporter, BO_SIZE).handle;
	c.dmabuf = prime_handle_to_fd(exporter, bo);
	c.inode = fd_inode(c.dmabuf);
	stress_init(&c.s, STRESS_SECONDS);
	run_threads(fns, args, 4);

	/* Whatever the interleaving, the cache still answers right. */
	handle = prime_fd_to_handle(c.importer, c.dmabuf);
	again = prime_handle_to_fd(c.importer, handle);
	igt_assert_eq(fd_inode(again), c.inode);
	igt_assert_eq(prime_fd_to_handle(c.importer, c.dmabuf), handle);
	close(again);
	close(c.dmabuf);
	close(c.importer);
	close(exporter);
	stress_finish(&c.s, "imports and closes");
	leak_baseline_assert(&base);
}

/* ---- several handles of one dma-buf, closed at once -------------------- */

#define SEVERAL 3

struct several {
	struct stress s;
	pthread_barrier_t start, done;
	int file, dmabuf;
	uint32_t handle[SEVERAL];
	uint32_t reimported;
	int reimport_err;
};

static void *several_closer(void *arg)
{
	struct several *v = ((void **)arg)[0];
	intptr_t i = (intptr_t)((void **)arg)[1];
	int ret;

	for (;;) {
		pthread_barrier_wait(&v->start);
		if (atomic_load(&v->s.stop))
			return NULL;
		if (i == SEVERAL) {
			v->reimport_err = raw_fd_to_handle(v->file, v->dmabuf, &v->reimported);
		} else {
			ret = raw_gem_close(v->file, v->handle[i]);
			if (ret)
				stress_fail(&v->s, "GEM_CLOSE of handle %u (%ld of %d on one dma-buf): %d",
					    v->handle[i], (long)i, SEVERAL, ret);
		}
		pthread_barrier_wait(&v->done);
	}
}

static void several_handles_closed_concurrently(void)
{
	struct several v = { 0 };
	struct leak_baseline base;
	void *pair[SEVERAL + 1][2];
	pthread_t threads[SEVERAL + 1];
	int exporter, again;
	uint32_t bo, name, check;
	unsigned long rounds = 0;
	intptr_t i;

	leak_baseline_take(&base);
	exporter = drm_open_card(DRIVER_PH_VGEM, 0);
	v.file = drm_open_card(DRIVER_PH_VGEM, 0);
	pthread_barrier_init(&v.start, NULL, SEVERAL + 2);
	pthread_barrier_init(&v.done, NULL, SEVERAL + 2);
	stress_init(&v.s, STRESS_SECONDS);
	for (i = 0; i <= SEVERAL; i++) {
		pair[i][0] = &v;
		pair[i][1] = (void *)i;
		igt_assert(pthread_create(&threads[i], NULL, several_closer, pair[i]) == 0);
	}
	while (stress_continue(&v.s)) {
		bo = dumb_create_size(exporter, BO_SIZE).handle;
		v.dmabuf = prime_handle_to_fd(exporter, bo);
		name = gem_flink(exporter, bo);
		/* One import and two opens by name: three handles, one object. */
		v.handle[0] = prime_fd_to_handle(v.file, v.dmabuf);
		v.handle[1] = gem_open(v.file, name);
		v.handle[2] = gem_open(v.file, name);
		pthread_barrier_wait(&v.start);
		pthread_barrier_wait(&v.done);
		/* The cache must not hand out a handle that was just closed. */
		check = prime_fd_to_handle(v.file, v.dmabuf);
		again = prime_handle_to_fd(v.file, check);
		igt_assert_eq(fd_inode(again), fd_inode(v.dmabuf));
		close(again);
		gem_close(v.file, check);
		if (!v.reimport_err && v.reimported != check)
			raw_gem_close(v.file, v.reimported);	/* may be gone already */
		igt_assert_f(v.reimport_err == 0, "FD_TO_HANDLE during the closes: %d",
			     v.reimport_err);
		close(v.dmabuf);
		gem_close(exporter, bo);
		rounds++;
	}
	atomic_store(&v.s.stop, true);
	pthread_barrier_wait(&v.start);
	for (i = 0; i <= SEVERAL; i++)
		pthread_join(threads[i], NULL);
	igt_assert_eq(ph_objects_count(v.file), base.objects[0]);
	close(v.file);
	close(exporter);
	igt_info("%lu rounds of %d handles closed at once\n", rounds, SEVERAL);
	stress_finish(&v.s, "rounds");
	leak_baseline_assert(&base);
}

/* ---- object losing its last handle while a dma-buf mmap faults --------- */

struct fault_vs_free {
	struct stress s;
	pthread_barrier_t start, done;
	int exporter, dmabuf;
	uint32_t bo;
	uint32_t *ptr;
	uint32_t seed;
	char evict[256];
};

static void *fvf_toucher(void *arg)
{
	struct fault_vs_free *v = arg;

	for (;;) {
		pthread_barrier_wait(&v->start);
		if (atomic_load(&v->s.stop))
			return NULL;
		fill_pattern(v->ptr, MAP_BO_SIZE, v->seed);
		pthread_barrier_wait(&v->done);
	}
}

static void *fvf_freer(void *arg)
{
	struct fault_vs_free *v = arg;
	int ret;

	for (;;) {
		pthread_barrier_wait(&v->start);
		if (atomic_load(&v->s.stop))
			return NULL;
		ret = raw_gem_close(v->exporter, v->bo);
		if (ret)
			stress_fail(&v->s, "GEM_CLOSE of the last handle: %d", ret);
		close(v->dmabuf);
		pthread_barrier_wait(&v->done);
	}
}

static void *fvf_evictor(void *arg)
{
	struct fault_vs_free *v = arg;
	int ret;

	for (;;) {
		pthread_barrier_wait(&v->start);
		if (atomic_load(&v->s.stop))
			return NULL;
		ret = evict_from_worker(v->evict);
		if (ret)
			stress_fail(&v->s, "ph_evict: %d", ret);
		pthread_barrier_wait(&v->done);
	}
}

static void free_during_dmabuf_mmap_fault(void)
{
	struct fault_vs_free v = { 0 };
	struct leak_baseline base;
	worker_fn fns[] = { fvf_toucher, fvf_freer, fvf_evictor };
	pthread_t threads[3];
	int i;

	leak_baseline_take(&base);
	v.exporter = drm_open_card(DRIVER_PH_VGEM, 0);
	evict_path(v.exporter, v.evict, sizeof(v.evict));
	pthread_barrier_init(&v.start, NULL, 4);
	pthread_barrier_init(&v.done, NULL, 4);
	stress_init(&v.s, STRESS_SECONDS);
	for (i = 0; i < 3; i++)
		igt_assert(pthread_create(&threads[i], NULL, fns[i], &v) == 0);
	while (stress_continue(&v.s)) {
		v.bo = dumb_create_size(v.exporter, MAP_BO_SIZE).handle;
		v.dmabuf = prime_handle_to_fd_for_mmap(v.exporter, v.bo);
		v.ptr = prime_mmap(v.dmabuf, MAP_BO_SIZE, PROT_READ | PROT_WRITE);
		v.seed++;
		pthread_barrier_wait(&v.start);
		pthread_barrier_wait(&v.done);
		if (v.s.failure[0])
			break;
		/* The mapping alone keeps the object, and its data, alive. */
		igt_assert_pattern(v.ptr, MAP_BO_SIZE, v.seed);
		munmap(v.ptr, MAP_BO_SIZE);
	}
	atomic_store(&v.s.stop, true);
	pthread_barrier_wait(&v.start);
	for (i = 0; i < 3; i++)
		pthread_join(threads[i], NULL);
	close(v.exporter);
	stress_finish(&v.s, "objects freed under a faulting mapping");
	leak_baseline_assert(&base);
}

/* ---- export racing the last handle close ------------------------------- */

struct export_vs_close {
	struct stress s;
	pthread_barrier_t start, done;
	int exporter;
	uint32_t bo;
	int export_err, dmabuf, close_err;
};

static void *evc_exporter(void *arg)
{
	struct export_vs_close *e = arg;

	for (;;) {
		pthread_barrier_wait(&e->start);
		if (atomic_load(&e->s.stop))
			return NULL;
		e->export_err = raw_handle_to_fd(e->exporter, e->bo, &e->dmabuf);
		pthread_barrier_wait(&e->done);
	}
}

static void *evc_closer(void *arg)
{
	struct export_vs_close *e = arg;

	for (;;) {
		pthread_barrier_wait(&e->start);
		if (atomic_load(&e->s.stop))
			return NULL;
		e->close_err = raw_gem_close(e->exporter, e->bo);
		pthread_barrier_wait(&e->done);
	}
}

static void export_vs_last_handle_close(void)
{
	struct export_vs_close e = { 0 };
	struct leak_baseline base;
	pthread_t threads[2];
	unsigned long exported = 0, refused = 0;
	int importer;
	uint32_t handle;

	leak_baseline_take(&base);
	e.exporter = drm_open_card(DRIVER_PH_VGEM, 0);
	importer = drm_open_card(DRIVER_PH_VGEM, 1);
	pthread_barrier_init(&e.start, NULL, 3);
	pthread_barrier_init(&e.done, NULL, 3);
	stress_init(&e.s, STRESS_SECONDS);
	igt_assert(pthread_create(&threads[0], NULL, evc_exporter, &e) == 0);
	igt_assert(pthread_create(&threads[1], NULL, evc_closer, &e) == 0);
	while (stress_continue(&e.s)) {
		e.bo = dumb_create_size(e.exporter, BO_SIZE).handle;
		pthread_barrier_wait(&e.start);
		pthread_barrier_wait(&e.done);
		igt_assert_f(e.close_err == 0, "GEM_CLOSE racing an export: %d", e.close_err);
		if (e.export_err == 0) {
			/* The export won: the dma-buf alone holds a whole object. */
			exported++;
			igt_assert_eq(prime_get_size(e.dmabuf), BO_SIZE);
			handle = prime_fd_to_handle(importer, e.dmabuf);
			gem_close(importer, handle);
			close(e.dmabuf);
		} else {
			igt_assert_f(e.export_err == -ENOENT,
				     "HANDLE_TO_FD racing the close: %d, expected 0 or -ENOENT",
				     e.export_err);
			refused++;
		}
	}
	atomic_store(&e.s.stop, true);
	pthread_barrier_wait(&e.start);
	pthread_join(threads[0], NULL);
	pthread_join(threads[1], NULL);
	close(importer);
	close(e.exporter);
	igt_info("export won %lu times, the close %lu times\n", exported, refused);
	stress_finish(&e.s, "export/close races");
	leak_baseline_assert(&base);
}

/*
 * The same race with a second handle on the object (GEM_FLINK + GEM_OPEN), so
 * the export goes ahead after the close: the close must still take the
 * cache entry of the closed handle with it. Otherwise the next object
 * created gets the same handle number, and HANDLE_TO_FD of it answers with
 * the old object's dma-buf (told apart here by its size), and the stale
 * entry pins the old object until the file is closed.
 */
static void export_vs_close_of_one_of_two_handles(void)
{
	struct export_vs_close e = { 0 };
	struct leak_baseline base;
	struct ph_stats stats, now;
	pthread_t threads[2];
	unsigned long exported = 0, reused = 0;
	uint32_t other, fresh;
	off_t size;
	int dmabuf;

	leak_baseline_take(&base);
	ph_stats_read(&stats);
	e.exporter = drm_open_card(DRIVER_PH_VGEM, 0);
	pthread_barrier_init(&e.start, NULL, 3);
	pthread_barrier_init(&e.done, NULL, 3);
	stress_init(&e.s, STRESS_SECONDS);
	igt_assert(pthread_create(&threads[0], NULL, evc_exporter, &e) == 0);
	igt_assert(pthread_create(&threads[1], NULL, evc_closer, &e) == 0);
	/* Failures are recorded, not asserted: the workers wait on barriers here. */
	while (stress_continue(&e.s)) {
		e.bo = dumb_create_size(e.exporter, BO_SIZE).handle;
		other = gem_open(e.exporter, gem_flink(e.exporter, e.bo));
		pthread_barrier_wait(&e.start);
		pthread_barrier_wait(&e.done);
		if (e.close_err || (e.export_err && e.export_err != -ENOENT)) {
			stress_fail(&e.s, "GEM_CLOSE %d and HANDLE_TO_FD %d racing, expected 0 and 0 or -ENOENT",
				    e.close_err, e.export_err);
			break;
		}
		if (e.export_err == 0) {
			exported++;
			close(e.dmabuf);
		}

		/* A new object of another size, most likely under the closed number. */
		fresh = dumb_create_size(e.exporter, 2 * BO_SIZE).handle;
		if (fresh == e.bo)
			reused++;
		dmabuf = prime_handle_to_fd(e.exporter, fresh);
		size = prime_get_size(dmabuf);
		if (size != 2 * BO_SIZE)
			stress_fail(&e.s, "HANDLE_TO_FD(%u) of a new %d-byte object gave a %lld-byte dma-buf",
				    fresh, 2 * BO_SIZE, (long long)size);
		else if (prime_fd_to_handle(e.exporter, dmabuf) != fresh)
			stress_fail(&e.s, "FD_TO_HANDLE of the new object's dma-buf is not %u", fresh);
		close(dmabuf);
		gem_close(e.exporter, fresh);
		gem_close(e.exporter, other);

		/* No handle left in the file: no cache entry may be left either. */
		ph_stats_read(&now);
		if (now.cache_entries != stats.cache_entries || now.objects != stats.objects)
			stress_fail(&e.s, "with every handle closed: %ld cache entries and %ld objects, expected %ld and %ld",
				    now.cache_entries, now.objects, stats.cache_entries,
				    stats.objects);
	}
	atomic_store(&e.s.stop, true);
	pthread_barrier_wait(&e.start);
	pthread_join(threads[0], NULL);
	pthread_join(threads[1], NULL);
	close(e.exporter);
	igt_info("export won %lu times; the closed number was reused %lu times\n", exported,
		 reused);
	stress_finish(&e.s, "export/close-of-one-of-two races");
	leak_baseline_assert(&base);
}

/*
 * Objects are listed (debugfs, eviction) only once fully made: a reader of
 * ph_objects racing the creation of DMA-contiguous objects must never see one
 * as a shmem object without pages, which is what it was for as long as the
 * store took to allocate and clear its block. Imports are listed before their
 * attachment is set: a reader must see each as an import holding no memory
 * of its own (the listing once dereferenced the shmem file such an object
 * does not have).
 */
struct listed_when_made {
	struct stress s;
	int fd;
	int dmabuf;	/* >= 0: the maker imports it; < 0: it creates contiguous objects */
	atomic_ulong made;
};

static void *lwm_maker(void *arg)
{
	struct listed_when_made *l = arg;
	bool import = l->dmabuf >= 0;
	uint32_t handle;
	int ret;

	while (stress_continue(&l->s)) {
		ret = import ? __prime_fd_to_handle(l->fd, l->dmabuf, &handle) :
			       __edu_create(l->fd, 1 << 20, PH_EDU_CREATE_CONTIGUOUS, &handle);
		if (ret) {
			stress_fail(&l->s, "%s: %d", import ? "FD_TO_HANDLE" : "contiguous CREATE",
				    ret);
			break;
		}
		atomic_fetch_add(&l->made, 1);
		/* For an import, the handle's close drops the cache entry: the next one is new. */
		ret = raw_gem_close(l->fd, handle);
		if (ret) {
			stress_fail(&l->s, "GEM_CLOSE: %d", ret);
			break;
		}
	}
	return NULL;
}

/* ph_objects read without pause while lwm_maker() runs; @made_whole judges each line. */
static void listings_race(struct listed_when_made *l, bool (*made_whole)(const struct ph_object *),
			  const char *what)
{
	struct leak_baseline base;
	struct ph_object objs[64];
	unsigned long listings = 0, seen = 0;
	pthread_t maker;
	int n;

	leak_baseline_take(&base);
	igt_require_f(ph_objects_count(l->fd) == 0,
		      "ph_edu already has objects; this subtest needs an idle device\n");
	stress_init(&l->s, STRESS_SECONDS);
	igt_assert(pthread_create(&maker, NULL, lwm_maker, l) == 0);
	while (stress_continue(&l->s)) {
		n = ph_objects_read(l->fd, objs, 64);
		listings++;
		for (int i = 0; i < n && i < 64; i++) {
			seen++;
			if (!made_whole(&objs[i])) {
				stress_fail(&l->s, "object %llu listed as store %s, %u segments, %llu pages resident, %llu swapped while being made",
					    (unsigned long long)objs[i].id, objs[i].store,
					    objs[i].segments,
					    (unsigned long long)objs[i].resident,
					    (unsigned long long)objs[i].swapped);
				break;
			}
		}
	}
	pthread_join(maker, NULL);
	close(l->fd);
	igt_info("%lu listings saw %lu objects of %lu made\n", listings, seen,
		 atomic_load(&l->made));
	stress_finish(&l->s, what);
	leak_baseline_assert(&base);
}

static bool contiguous_made_whole(const struct ph_object *o)
{
	return !strcmp(o->store, "dma") && o->segments == 1;
}

static void objects_listed_only_when_made(void)
{
	struct listed_when_made l = { .fd = edu_open_card(), .dmabuf = -1 };

	listings_race(&l, contiguous_made_whole, "listings racing creation");
}

static bool import_made_whole(const struct ph_object *o)
{
	return !strcmp(o->store, "import") && !o->resident && !o->swapped;
}

static void imports_listed_while_made(void)
{
	int exporter = drm_open_card(DRIVER_PH_VGEM, 0);
	uint32_t source = dumb_create_size(exporter, 1 << 20).handle;
	struct listed_when_made l = {
		.fd = edu_open_card(), .dmabuf = prime_handle_to_fd(exporter, source),
	};

	listings_race(&l, import_made_whole, "listings racing imports");
	close(l.dmabuf);
	gem_close(exporter, source);
	close(exporter);
}

/* ---- writable private mappings, refused under contention --------------- */

struct private_maps {
	struct stress s;
	int fd, dmabuf;
	uint64_t offset;
	char evict[256];
};

/* Both ways in must refuse a writable private (copy-on-write) mapping. */
static bool private_map_refused(struct private_maps *p, const char *who)
{
	void *ptr;
	int i;

	for (i = 0; i < 2; i++) {
		ptr = mmap(NULL, BO_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE,
			   i ? p->fd : p->dmabuf, i ? p->offset : 0);
		if (ptr != MAP_FAILED || errno != EINVAL) {
			stress_fail(&p->s, "%s: writable MAP_PRIVATE of the %s gave %s (errno %d)",
				    who, i ? "GEM offset" : "dma-buf",
				    ptr == MAP_FAILED ? "failure" : "a mapping", errno);
			if (ptr != MAP_FAILED)
				munmap(ptr, BO_SIZE);
			return false;
		}
	}
	return true;
}

static void *private_mapper(void *arg)
{
	struct private_maps *p = arg;

	while (stress_continue(&p->s) && private_map_refused(p, "thread"))
		;
	return NULL;
}

/* Shared mappings, exports, imports and evictions on the same object. */
static void *private_churn(void *arg)
{
	struct private_maps *p = arg;
	uint32_t handle = 0;
	uint8_t *ptr;
	int dmabuf = -1;

	while (stress_continue(&p->s)) {
		ptr = mmap(NULL, BO_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, p->dmabuf, 0);
		if (ptr == MAP_FAILED) {
			stress_fail(&p->s, "shared mmap of the dma-buf: errno %d", errno);
			break;
		}
		ptr[0]++;
		munmap(ptr, BO_SIZE);
		if (raw_fd_to_handle(p->fd, p->dmabuf, &handle) ||
		    raw_handle_to_fd(p->fd, handle, &dmabuf)) {
			stress_fail(&p->s, "re-import or re-export failed: errno %d", errno);
			break;
		}
		close(dmabuf);
		if (evict_from_worker(p->evict)) {
			stress_fail(&p->s, "ph_evict failed");
			break;
		}
	}
	return NULL;
}

static void map_private_writable_refused(void)
{
	struct private_maps p = { 0 };
	struct leak_baseline base;
	worker_fn fns[] = { private_mapper, private_mapper, private_churn };
	void *args[] = { &p, &p, &p };
	uint32_t bo;
	pid_t child;
	int status;

	leak_baseline_take(&base);
	p.fd = drm_open_card(DRIVER_PH_VGEM, 0);
	evict_path(p.fd, p.evict, sizeof(p.evict));
	bo = dumb_create_size(p.fd, BO_SIZE).handle;
	p.dmabuf = prime_handle_to_fd_for_mmap(p.fd, bo);
	p.offset = dumb_map_offset(p.fd, bo);
	stress_init(&p.s, STRESS_SECONDS);
	/* Another process, sharing the file and the dma-buf, tries too. */
	child = fork();
	igt_assert(child >= 0);
	if (child == 0) {
		unsigned long n = 0;

		while (now_seconds() < p.s.end && private_map_refused(&p, "child process"))
			n++;
		if (p.s.failure[0])
			fprintf(stderr, "%s\n", p.s.failure);
		_exit(p.s.failure[0] ? 1 : 0);
	}
	run_threads(fns, args, 3);
	igt_assert(waitpid(child, &status, 0) == child);
	igt_assert_f(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		     "the child process saw a writable private mapping succeed (status 0x%x)",
		     status);
	close(p.dmabuf);
	close(p.fd);
	stress_finish(&p.s, "mapping attempts and churn");
	leak_baseline_assert(&base);
}

/* ---- an fd used by another thread before HANDLE_TO_FD returned it ------ */

struct fd_guess {
	struct stress s;
	int exporter, importer;
	atomic_int next_fd;	/* the number the exporter's next fd will likely get */
	atomic_ulong guessed_hits;
};

static void *guess_exporter(void *arg)
{
	struct fd_guess *g = arg;
	uint32_t bo;
	int dmabuf = -1, ret;

	while (stress_continue(&g->s)) {
		struct drm_mode_create_dumb create = { .width = 1024, .height = 1, .bpp = 32 };
		struct drm_mode_destroy_dumb destroy;

		if (ioctl(g->exporter, DRM_IOCTL_MODE_CREATE_DUMB, &create)) {
			stress_fail(&g->s, "CREATE_DUMB: errno %d", errno);
			break;
		}
		bo = create.handle;
		ret = raw_handle_to_fd(g->exporter, bo, &dmabuf);
		if (ret) {
			stress_fail(&g->s, "HANDLE_TO_FD: %d", ret);
			break;
		}
		atomic_store(&g->next_fd, dmabuf);
		/* The guesser may have closed it: EBADF is its doing, not a bug. */
		if (close(dmabuf) && errno != EBADF) {
			stress_fail(&g->s, "close of the exported fd: errno %d", errno);
			break;
		}
		destroy.handle = bo;
		ioctl(g->exporter, DRM_IOCTL_MODE_DESTROY_DUMB, &destroy);
	}
	return NULL;
}

static void *guess_user(void *arg)
{
	struct fd_guess *g = arg;
	struct stat st;
	uint32_t handle = 0;
	unsigned long n = 0;
	off_t size;
	int fd, ret;

	while (stress_continue(&g->s)) {
		fd = atomic_load(&g->next_fd);
		if (fd < 0)
			continue;
		/* Whatever the fd is right now, it is whole: a dma-buf of our size. */
		size = lseek(fd, 0, SEEK_END);
		if (size >= 0 && fstat(fd, &st) == 0 && size != BO_SIZE) {
			stress_fail(&g->s, "fd %d seen during an export has size %lld", fd,
				    (long long)size);
			break;
		}
		ret = raw_fd_to_handle(g->importer, fd, &handle);
		if (ret == 0) {
			atomic_fetch_add(&g->guessed_hits, 1);
			raw_gem_close(g->importer, handle);
		} else if (ret != -EBADF && ret != -EINVAL) {
			stress_fail(&g->s, "FD_TO_HANDLE of a guessed fd: %d", ret);
			break;
		}
		if (++n % 16 == 0)
			close(fd);	/* pull it from under the exporter */
	}
	return NULL;
}

static void fd_used_before_export_returned(void)
{
	struct fd_guess g = { 0 };
	struct leak_baseline base;
	worker_fn fns[] = { guess_exporter, guess_user };
	void *args[] = { &g, &g };

	leak_baseline_take(&base);
	g.exporter = drm_open_card(DRIVER_PH_VGEM, 0);
	g.importer = drm_open_card(DRIVER_PH_VGEM, 1);
	atomic_store(&g.next_fd, -1);
	stress_init(&g.s, STRESS_SECONDS);
	run_threads(fns, args, 2);
	/* The guesser's last close may have hit a later number: nothing of ours. */
	close(g.importer);
	close(g.exporter);
	igt_info("%lu imports through a guessed fd\n", atomic_load(&g.guessed_hits));
	stress_finish(&g.s, "exports and guesses");
	leak_baseline_assert(&base);
}

/* ---- everything at once, threads and processes ------------------------- */

#define SHARED_BOS 6

/* Objects every worker shares: exported once, their dma-bufs open throughout. */
struct chaos {
	struct stress s;
	int exporter;
	uint32_t bo[SHARED_BOS];
	int dmabuf[SHARED_BOS];
	char evict[256];
};

/*
 * One worker: its own device file (closed and reopened now and then), its
 * own imports, exports and mappings of the shared objects, evictions of the
 * exporter and fences on the shared reservations. Shared objects hold their
 * index as a pattern, which every mapping must read back.
 */
static void chaos_worker(struct chaos *c, unsigned int seed)
{
	struct fuzz_rng rng;
	uint32_t handle[SHARED_BOS] = { 0 }, self = 0;
	uint32_t *ptr;
	int file = drm_open_device(DRIVER_PH_VGEM, 1, DRM_NODE_PRIMARY), dmabuf = -1, i, ret;
	struct ph_vgem_fence_attach attach;

	fuzz_rng_seed(&rng, seed);
	/* Not drm_open_card(): its assertion would longjmp out of a worker. */
	if (file < 0)
		stress_fail(&c->s, "cannot open ph_vgem device 1: errno %d", errno);
	while (file >= 0 && stress_continue(&c->s)) {
		i = fuzz_below(&rng, SHARED_BOS);
		switch (fuzz_below(&rng, 8)) {
		case 0:	/* import (again) */
			ret = raw_fd_to_handle(file, c->dmabuf[i], &handle[i]);
			if (ret)
				stress_fail(&c->s, "import: %d", ret);
			break;
		case 1:	/* close the import */
			if (handle[i] && (ret = raw_gem_close(file, handle[i])))
				stress_fail(&c->s, "close of a live import: %d", ret);
			handle[i] = 0;
			break;
		case 2:	/* re-export and close the fd */
			if (handle[i]) {
				ret = raw_handle_to_fd(file, handle[i], &dmabuf);
				if (ret)
					stress_fail(&c->s, "re-export: %d", ret);
				else
					close(dmabuf);
			}
			break;
		case 3:	/* map, check, unmap */
			ptr = mmap(NULL, BO_SIZE, PROT_READ, MAP_SHARED, c->dmabuf[i], 0);
			if (ptr == MAP_FAILED) {
				stress_fail(&c->s, "dma-buf mmap: errno %d", errno);
				break;
			}
			if (check_pattern(ptr, BO_SIZE, i * 4096) >= 0)
				stress_fail(&c->s, "shared object %d lost its data", i);
			munmap(ptr, BO_SIZE);
			break;
		case 4:
			ret = evict_from_worker(c->evict);
			if (ret)
				stress_fail(&c->s, "ph_evict: %d", ret);
			break;
		case 5:	/* a fence on the shared reservation, signalled at once */
			if (!handle[i])
				break;
			attach = (struct ph_vgem_fence_attach){ .handle = handle[i] };
			ret = __vgem_fence_attach(file, &attach);
			if (ret == 0)
				ret = __vgem_fence_signal(file, attach.out_fence, 0);
			/* Read fences only: nothing they could conflict with. */
			if (ret)
				stress_fail(&c->s, "fence attach/signal: %d", ret);
			break;
		case 6:	/* the device file goes, with every import in it */
			if (fuzz_one_in(&rng, 8)) {
				close(file);
				file = drm_open_device(DRIVER_PH_VGEM, 1, DRM_NODE_PRIMARY);
				if (file < 0)
					stress_fail(&c->s, "cannot reopen ph_vgem device 1: errno %d",
						    errno);
				memset(handle, 0, sizeof(handle));
			}
			break;
		default:	/* import into the exporter's device: self-import */
			ret = raw_fd_to_handle(c->exporter, c->dmabuf[i], &self);
			if (ret || self != c->bo[i])
				stress_fail(&c->s, "self-import gave %d, handle %u not %u", ret, self,
					    c->bo[i]);
			break;
		}
	}
	if (file >= 0)
		close(file);
}

static void *chaos_thread(void *arg)
{
	static atomic_uint seeds;
	struct chaos *c = arg;

	chaos_worker(c, 0x5eed + atomic_fetch_add(&seeds, 1));
	return NULL;
}

static void chaos_open(struct chaos *c)
{
	uint32_t *ptr;
	int i;

	c->exporter = drm_open_card(DRIVER_PH_VGEM, 0);
	evict_path(c->exporter, c->evict, sizeof(c->evict));
	for (i = 0; i < SHARED_BOS; i++) {
		c->bo[i] = dumb_create_size(c->exporter, BO_SIZE).handle;
		ptr = dumb_mmap(c->exporter, c->bo[i], BO_SIZE, PROT_READ | PROT_WRITE);
		fill_pattern(ptr, BO_SIZE, i * 4096);
		munmap(ptr, BO_SIZE);
		c->dmabuf[i] = prime_handle_to_fd(c->exporter, c->bo[i]);
	}
}

static void chaos_close(struct chaos *c)
{
	int i;

	for (i = 0; i < SHARED_BOS; i++)
		close(c->dmabuf[i]);
	close(c->exporter);
}

static void chaos_threads(void)
{
	struct chaos c = { 0 };
	struct leak_baseline base;
	worker_fn fns[] = { chaos_thread, chaos_thread, chaos_thread, chaos_thread };
	void *args[] = { &c, &c, &c, &c };

	leak_baseline_take(&base);
	chaos_open(&c);
	stress_init(&c.s, STRESS_SECONDS);
	run_threads(fns, args, 4);
	chaos_close(&c);
	stress_finish(&c.s, "operations by 4 threads");
	leak_baseline_assert(&base);
}

#define CHAOS_PROCESSES 3

static void chaos_processes(void)
{
	struct chaos c = { 0 };
	struct leak_baseline base;
	pid_t child[CHAOS_PROCESSES];
	pthread_mutexattr_t attr;
	struct chaos *shared;
	int i, status;

	leak_baseline_take(&base);
	/* Shared memory: the children's counts and failure reach the parent. */
	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	igt_assert(shared != MAP_FAILED);
	chaos_open(&c);
	stress_init(&c.s, STRESS_SECONDS);
	*shared = c;
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
	pthread_mutex_init(&shared->s.lock, &attr);
	for (i = 0; i < CHAOS_PROCESSES; i++) {
		child[i] = fork();
		igt_assert(child[i] >= 0);
		if (child[i] == 0) {
			chaos_worker(shared, 0xc41d + i);
			_exit(0);
		}
	}
	for (i = 0; i < CHAOS_PROCESSES; i++) {
		igt_assert(waitpid(child[i], &status, 0) == child[i]);
		igt_assert_f(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			     "worker process %d ended with status 0x%x", i, status);
	}
	chaos_close(&c);
	stress_finish(&shared->s, "operations by 3 processes");
	munmap(shared, sizeof(*shared));
	leak_baseline_assert(&base);
}

igt_main
{
	igt_describe("GEM_CLOSE of imported handles racing FD_TO_HANDLE of the same dma-buf");
	igt_subtest("handle-close-vs-fd-to-handle")
		handle_close_vs_fd_to_handle();

	igt_describe("an import and two opens by name of one object, all closed at once");
	igt_subtest("several-handles-closed-concurrently")
		several_handles_closed_concurrently();

	igt_describe("the last handle and dma-buf fd go while a dma-buf mmap faults and evicts");
	igt_subtest("free-during-dmabuf-mmap-fault")
		free_during_dmabuf_mmap_fault();

	igt_describe("HANDLE_TO_FD racing GEM_CLOSE of the only handle");
	igt_subtest("export-vs-last-handle-close")
		export_vs_last_handle_close();

	igt_describe("HANDLE_TO_FD racing GEM_CLOSE of one of two handles: no entry outlives its handle");
	igt_subtest("export-vs-close-of-one-of-two-handles")
		export_vs_close_of_one_of_two_handles();

	igt_describe("ph_objects racing contiguous creation never lists a half-made object");
	igt_subtest("objects-listed-only-when-made")
		objects_listed_only_when_made();

	igt_describe("ph_objects read without pause while imports are made and closed lists "
		     "each as an import holding no memory of its own.");
	igt_subtest("imports-listed-while-made")
		imports_listed_while_made();

	igt_describe("writable MAP_PRIVATE always EINVAL, from threads and a process, under churn");
	igt_subtest("map-private-writable-refused")
		map_private_writable_refused();

	igt_describe("another thread uses the fd number HANDLE_TO_FD is about to return");
	igt_subtest("fd-used-before-export-returned")
		fd_used_before_export_returned();

	igt_describe("threads import, export, close, map, evict and fence shared objects");
	igt_subtest("chaos-threads")
		chaos_threads();

	igt_describe("processes do the same through one inherited exporter");
	igt_subtest("chaos-processes")
		chaos_processes();
}
