// SPDX-License-Identifier: MIT
/*
 * Every CPU fault path of ph_vgem objects under concurrency, on fresh
 * objects, with the data checked afterwards: the GEM mmap, the dma-buf mmap
 * and an importer's GEM mmap redirected to the exporter, on 4 KiB objects
 * (fault-around on PTEs) and on huge ones (PMDs), in this way each round:
 *
 * - four writer threads first-touch the fresh object at once through the
 *   shared mapping, each every fourth page (so they fault the same page
 *   tables and PMDs): a page must read as zeroes, then gets its pattern;
 * - meanwhile a thread evicts the device over and over (shooting every
 *   mapping down, giving the pages back), another maps a second view of
 *   the object, reads it, splits it with mprotect and unmaps it (closing
 *   VMAs, the last-close path included when the race allows), and a forked
 *   child reads the object through its copy of the mapping;
 * - then the handle is closed while the mapping still holds the object, and
 *   every page must read back its own pattern, through the mapping and
 *   through a fresh one.
 *
 * ph_vgem only (eviction and the counters are ours). Each subtest ends with
 * the library's counters back at their baseline.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "debugfs.h"
#include "drmtest.h"
#include "dumb.h"
#include "fuzz.h"
#include "gem.h"
#include "igt.h"
#include "kmsg.h"
#include "prime.h"

#define WRITERS 4
#define SMALL_OBJECT (64 * 4096)
#define HUGE_OBJECT (8u << 20)
#define HUGE_ALIGN (2u << 20)

enum path { PATH_GEM, PATH_DMABUF, PATH_IMPORT };

struct round {
	pthread_barrier_t go;
	atomic_bool done;
	char failure[256];
	pthread_mutex_t lock;
	uint8_t *map;		/* the shared mapping the writers fault */
	size_t size;
	int fd, importer;
	uint32_t handle;
	uint64_t offset;	/* GEM fake offset, for the second views */
	char evict_path[256];
	unsigned long evictions, views;
};

struct writer {
	struct round *r;
	unsigned int index;
};

static void round_fail(struct round *r, const char *what, int err)
{
	pthread_mutex_lock(&r->lock);
	if (!r->failure[0])
		snprintf(r->failure, sizeof(r->failure), "%s: %s", what, strerror(err));
	pthread_mutex_unlock(&r->lock);
}

/* Page @page of the object holds words counting up from this. */
static uint32_t seed_of(size_t page)
{
	return 0x10000000u + (uint32_t)page * 1024;
}

/*
 * Writer @index owns every WRITERS-th page, so all writers fault the same
 * page tables and PMDs at once. Each page must read as zeroes first (the
 * object is fresh), then gets its own pattern.
 */
static void *writer_run(void *arg)
{
	struct writer *w = arg;
	struct round *r = w->r;

	pthread_barrier_wait(&r->go);
	for (size_t page = w->index; page < r->size / 4096; page += WRITERS) {
		uint8_t *p = r->map + page * 4096;

		if (!is_zeroed(p, 4096)) {
			round_fail(r, "a page of a fresh object is not zero", EIO);
			return NULL;
		}
		fill_pattern(p, 4096, seed_of(page));
	}
	return NULL;
}

static void *evictor_run(void *arg)
{
	struct round *r = arg;

	pthread_barrier_wait(&r->go);
	while (!atomic_load(&r->done)) {
		int fd = open(r->evict_path, O_WRONLY | O_CLOEXEC);

		if (fd < 0 || write(fd, "1", 1) != 1) {
			round_fail(r, "ph_evict", errno);
			if (fd >= 0)
				close(fd);
			return NULL;
		}
		close(fd);
		r->evictions++;
	}
	return NULL;
}

/* A second view: mapped, read, split by mprotect, unmapped. */
static void *viewer_run(void *arg)
{
	struct round *r = arg;
	volatile uint8_t sink = 0;

	pthread_barrier_wait(&r->go);
	while (!atomic_load(&r->done)) {
		uint8_t *view = mmap(NULL, r->size, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd,
				     r->offset);

		if (view == MAP_FAILED) {
			round_fail(r, "second GEM mmap", errno);
			return NULL;
		}
		for (size_t off = 0; off < r->size; off += r->size / 8)
			sink += view[off];
		if (mprotect(view + 4096, 4096, PROT_READ)) {
			round_fail(r, "mprotect of the second view", errno);
			munmap(view, r->size);
			return NULL;
		}
		sink += view[4096];
		munmap(view, r->size);
		r->views++;
	}
	(void)sink;
	return NULL;
}

/* A child reads the object through its copy of the mapping, then exits. */
static pid_t fork_reader(struct round *r)
{
	pid_t pid = fork();

	if (pid == 0) {
		volatile uint8_t sink = 0;

		for (size_t off = 0; off < r->size; off += 4096)
			sink += r->map[off];
		(void)sink;
		_exit(0);
	}
	return pid;
}

static uint8_t *map_path(enum path path, struct round *r, int *dmabuf, uint32_t *imported)
{
	uint8_t *ptr;

	*dmabuf = -1;
	*imported = 0;
	if (path == PATH_GEM)
		return dumb_mmap(r->fd, r->handle, r->size, PROT_READ | PROT_WRITE);
	*dmabuf = prime_handle_to_fd_for_mmap(r->fd, r->handle);
	if (path == PATH_DMABUF) {
		/* 2 MiB-aligned, as the GEM mmap is, so huge pages map with PMDs. */
		size_t len = r->size + HUGE_ALIGN;
		uint8_t *base = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		uint8_t *aligned;

		igt_assert(base != MAP_FAILED);
		aligned = (uint8_t *)(((uintptr_t)base + HUGE_ALIGN - 1) & ~(uintptr_t)(HUGE_ALIGN - 1));
		ptr = mmap(aligned, r->size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, *dmabuf, 0);
		igt_assert(ptr == aligned);
		if (aligned > base)
			munmap(base, aligned - base);
		munmap(aligned + r->size, base + len - (aligned + r->size));
		return ptr;
	}
	*imported = prime_fd_to_handle(r->importer, *dmabuf);
	return dumb_mmap(r->importer, *imported, r->size, PROT_READ | PROT_WRITE);
}

static void assert_pages(const uint8_t *ptr, size_t size, const char *through)
{
	for (size_t page = 0; page < size / 4096; page++) {
		const uint8_t *p = ptr + page * 4096;
		long bad = check_pattern(p, 4096, seed_of(page));

		igt_assert_f(bad < 0, "page %zu read through %s: word %ld is 0x%08x", page, through,
			     bad, ((const uint32_t *)p)[bad]);
	}
}

static void fault_races(enum path path, size_t size)
{
	unsigned int rounds = scale_iterations(size > SMALL_OBJECT ? 8 : 32), round;
	struct leak_baseline base;
	struct writer writers[WRITERS];
	pthread_t threads[WRITERS + 2];
	unsigned long evictions = 0, views = 0;
	int kmsg;

	leak_baseline_take(&base);
	kmsg = kmsg_mark();
	for (round = 0; round < rounds; round++) {
		struct round r = { .size = size };
		uint32_t imported;
		uint8_t *again;
		int dmabuf, status;
		pid_t child;

		r.fd = drm_open_card(DRIVER_PH_VGEM, 0);
		r.importer = path == PATH_IMPORT ? drm_open_card(DRIVER_PH_VGEM, 1) : -1;
		r.handle = dumb_create_size(r.fd, size).handle;
		r.offset = dumb_map_offset(r.fd, r.handle);
		igt_assert(drm_debugfs_dir(r.fd, r.evict_path, sizeof(r.evict_path) - 16));
		strcat(r.evict_path, "/ph_evict");
		pthread_mutex_init(&r.lock, NULL);
		r.map = map_path(path, &r, &dmabuf, &imported);
		igt_assert_eq(pthread_barrier_init(&r.go, NULL, WRITERS + 2), 0);

		for (unsigned int i = 0; i < WRITERS; i++) {
			writers[i] = (struct writer){ .r = &r, .index = i };
			igt_assert_eq(pthread_create(&threads[i], NULL, writer_run, &writers[i]), 0);
		}
		igt_assert_eq(pthread_create(&threads[WRITERS], NULL, evictor_run, &r), 0);
		igt_assert_eq(pthread_create(&threads[WRITERS + 1], NULL, viewer_run, &r), 0);
		for (unsigned int i = 0; i < WRITERS; i++)
			pthread_join(threads[i], NULL);
		child = fork_reader(&r);
		igt_assert(child >= 0);
		atomic_store(&r.done, true);
		pthread_join(threads[WRITERS], NULL);
		pthread_join(threads[WRITERS + 1], NULL);
		igt_assert_eq(waitpid(child, &status, 0), child);
		igt_assert_f(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			     "the forked reader died (status 0x%x)", status);
		igt_assert_f(!r.failure[0], "round %u: %s", round, r.failure);
		evictions += r.evictions;
		views += r.views;

		/* The mapping alone holds the object now; the data is whole. */
		if (imported)
			gem_close(r.importer, imported);
		if (dmabuf >= 0)
			close(dmabuf);
		again = dumb_mmap(r.fd, r.handle, size, PROT_READ);
		gem_close(r.fd, r.handle);
		assert_pages(r.map, size, "the raced mapping");
		ph_evict(r.fd);
		assert_pages(again, size, "a fresh GEM mmap after eviction");
		munmap(again, size);
		munmap(r.map, size);
		pthread_barrier_destroy(&r.go);
		pthread_mutex_destroy(&r.lock);
		if (r.importer >= 0)
			close(r.importer);
		close(r.fd);
	}
	igt_info("%u rounds of %zu KiB: %lu evictions, %lu second views raced the writers\n",
		 rounds, size >> 10, evictions, views);
	report_count("stress_iterations", rounds);
	kmsg_assert_none(kmsg, kmsg_fault_reports);
	leak_baseline_assert(&base);
}

igt_main
{
	static const struct {
		const char *name;
		enum path path;
	} paths[] = {
		{ "gem", PATH_GEM },
		{ "dmabuf", PATH_DMABUF },
		{ "import", PATH_IMPORT },
	};

	for (unsigned int p = 0; p < sizeof(paths) / sizeof(paths[0]); p++) {
		igt_describe("Four writers first-touch a fresh 256 KiB object while it is evicted, viewed, split, unmapped and forked.");
		igt_subtest_f("fresh-small-%s", paths[p].name)
			fault_races(paths[p].path, SMALL_OBJECT);

		igt_describe("The same on a fresh 8 MiB object mapped with huge pages.");
		igt_subtest_f("fresh-huge-%s", paths[p].name)
			fault_races(paths[p].path, HUGE_OBJECT);
	}
}
