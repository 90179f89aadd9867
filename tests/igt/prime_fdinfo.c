// SPDX-License-Identifier: MIT
/*
 * fdinfo memory statistics (see "fdinfo memory statistics" in the guide):
 * what /proc/<pid>/fdinfo/<fd> of a file of a driver on the library says
 * about the objects it holds handles to, checked against what the test
 * allocated, touched, shared, fenced and purged, on both kernel lines (6.12
 * prints through the core's drm_show_memory_stats(), 6.1 through the
 * library's own walk: the expectations are the same). Sizes are whole MiB
 * so the kernel prints them in MiB; the parser takes every unit.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xf86drm.h>

#include "debugfs.h"
#include "drmtest.h"
#include "dumb.h"
#include "edu.h"
#include "fdinfo.h"
#include "gem.h"
#include "igt.h"
#include "prime.h"
#include "vgem.h"
#include "drm/ph_edu_drm.h"
#include "drm/ph_vgem_drm.h"

#define MiB (1ull << 20)
/* More than any device holds: a walk that purges and evicts everything it may. */
#define SHRINK_ALL (1ull << 40)

static uint32_t bo_new(int fd, uint64_t size)
{
	return dumb_create_size(fd, size).handle;
}

/* Written through the GEM mmap and unmapped: its pages stay in the page cache. */
static uint32_t bo_new_written(int fd, uint64_t size, uint32_t seed)
{
	uint32_t handle = bo_new(fd, size);
	void *map = dumb_mmap(fd, handle, size, PROT_READ | PROT_WRITE);

	fill_pattern(map, size, seed);
	munmap(map, size);
	return handle;
}

static void assert_memory(int fd, uint64_t total, uint64_t shared, uint64_t resident,
			  uint64_t purgeable)
{
	struct drm_fdinfo info = drm_fdinfo(fd);

	/* As the core does, resident and purgeable only for files with objects. */
	igt_assert_f(info.has_memory && (info.has_status || !total),
		     "fd %d: fdinfo lacks drm-total/shared/active/resident/purgeable-memory\n", fd);
	igt_assert_f(info.total == total && info.shared == shared && info.resident == resident &&
		     info.purgeable == purgeable && info.active == 0,
		     "fd %d: fdinfo says total %" PRIu64 " shared %" PRIu64 " resident %" PRIu64
		     " purgeable %" PRIu64 " active %" PRIu64 "; expected %" PRIu64 " %" PRIu64
		     " %" PRIu64 " %" PRIu64 " 0\n", fd, info.total, info.shared, info.resident,
		     info.purgeable, info.active, total, shared, resident, purgeable);
}

/* The keys every DRM file shows, with ids that tell files apart. */
static void check_keys(void)
{
	int a = drm_open_card(DRIVER_PH_VGEM, 0), b = drm_open_card(DRIVER_PH_VGEM, 0);
	int a2 = dup(a);
	struct drm_fdinfo ia = drm_fdinfo(a), ib = drm_fdinfo(b), ia2 = drm_fdinfo(a2);
	char name[64];

	/* The driver's name as DRM_IOCTL_VERSION gives it ("vgem", as upstream's). */
	igt_assert(drm_driver_name(a, name, sizeof(name)));
	igt_assert_f(!strcmp(ia.driver, name), "drm-driver is '%s', the driver is '%s'\n",
		     ia.driver, name);
	igt_assert_f(ia.has_memory, "no drm-total/shared/active-memory in a fresh file\n");
	igt_assert_eq_u64(ia.total, 0);
	igt_assert_eq_u64(ia.shared, 0);
	igt_assert_eq_u64(ia.active, 0);
	igt_assert_f(ia.client_id != ib.client_id, "two files share drm-client-id %" PRIu64 "\n",
		     ia.client_id);
	igt_assert_eq_u64(ia.client_id, ia2.client_id);
	/* ph_vgem is not a PCI device: no drm-pdev. */
	igt_assert_f(!ia.pdev[0], "ph_vgem shows drm-pdev '%s'\n", ia.pdev);
	close(a2);
	close(b);
	close(a);
}

/* ph_edu is a PCI device: drm-pdev names it as sysfs does. */
static void check_pdev(void)
{
	int fd = edu_open_card();
	char dir[4096], link[4096 + 16], target[4096];
	struct drm_fdinfo info = drm_fdinfo(fd);
	char name[64];
	ssize_t n;

	igt_assert(drm_driver_name(fd, name, sizeof(name)));
	igt_assert_f(!strcmp(info.driver, name), "drm-driver is '%s', the driver is '%s'\n",
		     info.driver, name);
	igt_assert(drm_sysfs_dir(fd, dir, sizeof(dir)));
	snprintf(link, sizeof(link), "%s/device", dir);
	n = readlink(link, target, sizeof(target) - 1);
	igt_assert_f(n > 0, "cannot read %s: %s\n", link, strerror(errno));
	target[n] = 0;
	igt_assert_f(!strcmp(info.pdev, basename(target)),
		     "drm-pdev is '%s', sysfs says '%s'\n", info.pdev, basename(target));
	close(fd);
}

/*
 * Total counts every handle's object; resident only what is in RAM: an
 * untouched object nothing, a written one all of it, also after its last
 * munmap (the pages stay in the page cache until reclaim swaps them).
 */
static void check_total_resident(void)
{
	int fd = drm_open_card(DRIVER_PH_VGEM, 0);
	uint32_t untouched = bo_new(fd, 1 * MiB);
	uint32_t written = bo_new_written(fd, 2 * MiB, 0x11);
	struct ph_object o = ph_object_get(fd, dumb_map_offset(fd, written));

	assert_memory(fd, 3 * MiB, 0, 2 * MiB, 0);
	/* debugfs agrees page for page. */
	igt_assert_eq_u64(o.resident, 2 * MiB / 4096);
	igt_assert_eq_u64(o.swapped, 0);
	igt_assert_eq_u64(ph_object_get(fd, dumb_map_offset(fd, untouched)).resident, 0);
	/* Eviction gives the pages back to shmem; they are still in RAM. */
	ph_evict(fd);
	assert_memory(fd, 3 * MiB, 0, 2 * MiB, 0);
	gem_close(fd, written);
	assert_memory(fd, 1 * MiB, 0, 0, 0);
	gem_close(fd, untouched);
	assert_memory(fd, 0, 0, 0, 0);
	close(fd);
}

/*
 * Shared: an exported object, an import (whose memory the exporter's file
 * counts as resident, not the importer's), an object with a second handle.
 */
static void check_shared(void)
{
	int fd = drm_open_card(DRIVER_PH_VGEM, 0), other = drm_open_card(DRIVER_PH_VGEM, 1);
	int same = drm_open_card(DRIVER_PH_VGEM, 0);
	uint32_t exported = bo_new_written(fd, 2 * MiB, 0x21);
	uint32_t flinked = bo_new(fd, 1 * MiB);
	uint32_t private = bo_new(fd, 1 * MiB);
	int dmabuf = prime_handle_to_fd(fd, exported);
	uint32_t import = prime_fd_to_handle(other, dmabuf);
	uint32_t opened = gem_open(same, gem_flink(fd, flinked));

	assert_memory(fd, 4 * MiB, 3 * MiB, 2 * MiB, 0);
	assert_memory(other, 2 * MiB, 2 * MiB, 0, 0);
	assert_memory(same, 1 * MiB, 1 * MiB, 0, 0);
	/* The second handle gone, the flinked object is private again. */
	gem_close(same, opened);
	assert_memory(fd, 4 * MiB, 2 * MiB, 2 * MiB, 0);
	/* The importer's handle keeps the export alive after the descriptor closes. */
	close(dmabuf);
	assert_memory(fd, 4 * MiB, 2 * MiB, 2 * MiB, 0);
	gem_close(other, import);
	assert_memory(other, 0, 0, 0, 0);
	gem_close(fd, exported);
	gem_close(fd, flinked);
	gem_close(fd, private);
	assert_memory(fd, 0, 0, 0, 0);
	close(same);
	close(other);
	close(fd);
}

/*
 * Purgeable: resident DONTNEED objects the shrinker would purge; not an
 * untouched one (nothing to purge), not an exported one (never purged).
 * After a walk the purged object is neither resident nor purgeable.
 */
static void check_purgeable(void)
{
	int fd = drm_open_card(DRIVER_PH_VGEM, 0);
	uint32_t dontneed = bo_new_written(fd, 2 * MiB, 0x31);
	uint32_t empty = bo_new(fd, 1 * MiB);
	uint32_t exported = bo_new_written(fd, 1 * MiB, 0x32);
	int dmabuf = prime_handle_to_fd(fd, exported);

	assert_memory(fd, 4 * MiB, 1 * MiB, 3 * MiB, 0);
	igt_assert(vgem_madvise(fd, dontneed, PH_VGEM_MADV_DONTNEED));
	igt_assert(vgem_madvise(fd, empty, PH_VGEM_MADV_DONTNEED));
	igt_assert(vgem_madvise(fd, exported, PH_VGEM_MADV_DONTNEED));
	assert_memory(fd, 4 * MiB, 1 * MiB, 3 * MiB, 2 * MiB);
	/* WILLNEED takes it back before any walk. */
	igt_assert(vgem_madvise(fd, dontneed, PH_VGEM_MADV_WILLNEED));
	assert_memory(fd, 4 * MiB, 1 * MiB, 3 * MiB, 0);
	igt_assert(vgem_madvise(fd, dontneed, PH_VGEM_MADV_DONTNEED));

	ph_shrink(fd, SHRINK_ALL);
	assert_memory(fd, 4 * MiB, 1 * MiB, 1 * MiB, 0);
	igt_assert_eq_u64(ph_object_get(fd, dumb_map_offset(fd, dontneed)).resident, 0);
	igt_assert(!vgem_madvise(fd, dontneed, PH_VGEM_MADV_WILLNEED));
	close(dmabuf);
	gem_close(fd, exported);
	gem_close(fd, empty);
	gem_close(fd, dontneed);
	assert_memory(fd, 0, 0, 0, 0);
	close(fd);
}

/* A resident object with an unsignalled fence is active, and not purgeable. */
static void check_active(void)
{
	int fd = drm_open_card(DRIVER_PH_VGEM, 0);
	uint32_t handle = bo_new_written(fd, 2 * MiB, 0x41);
	uint32_t fence;
	struct drm_fdinfo info;

	igt_assert(vgem_madvise(fd, handle, PH_VGEM_MADV_DONTNEED));
	fence = vgem_fence_attach(fd, handle, PH_VGEM_FENCE_WRITE);
	info = drm_fdinfo(fd);
	igt_assert_eq_u64(info.active, 2 * MiB);
	igt_assert_eq_u64(info.resident, 2 * MiB);
	igt_assert_eq_u64(info.purgeable, 0);
	vgem_fence_signal(fd, fence);
	assert_memory(fd, 2 * MiB, 0, 2 * MiB, 2 * MiB);
	gem_close(fd, handle);
	close(fd);
}

/* A DMA-contiguous object is resident from its creation; a shmem one when touched. */
static void check_dma_store(void)
{
	int fd = edu_open_card();
	uint32_t contiguous = edu_create(fd, 1 * MiB, PH_EDU_CREATE_CONTIGUOUS);
	uint32_t shmem = edu_create(fd, 1 * MiB, 0);

	assert_memory(fd, 2 * MiB, 0, 1 * MiB, 0);
	gem_close(fd, contiguous);
	gem_close(fd, shmem);
	assert_memory(fd, 0, 0, 0, 0);
	close(fd);
}

/*
 * The race: a child process's threads create, write, export, madvise,
 * check and close objects on two files while its shrinker thread walks;
 * this process reads both files' fdinfo without pause. Every read must
 * parse and be consistent with itself; the child checks its data.
 */
#define RACE_THREADS 2
#define RACE_ITERATIONS 300
#define RACE_SIZE (1 * MiB)

struct race {
	int fd;
	unsigned int id;
	volatile int *stop;
	char error[256];
};

static void *race_client(void *arg)
{
	struct race *r = arg;
	unsigned int i;

	for (i = 0; i < RACE_ITERATIONS && !r->error[0]; i++) {
		uint32_t seed = r->id << 16 | i;
		struct drm_mode_create_dumb create = {
			.width = RACE_SIZE / 4, .height = 1, .bpp = 32,
		};
		struct drm_mode_map_dumb map = {};
		struct ph_vgem_madvise madv = {};
		struct drm_prime_handle exp = {};
		struct drm_gem_close gclose = {};
		bool purged = false;
		uint32_t *ptr;

		if (drmIoctl(r->fd, DRM_IOCTL_MODE_CREATE_DUMB, &create)) {
			snprintf(r->error, sizeof(r->error), "CREATE_DUMB: %s", strerror(errno));
			break;
		}
		map.handle = exp.handle = madv.handle = gclose.handle = create.handle;
		if (drmIoctl(r->fd, DRM_IOCTL_MODE_MAP_DUMB, &map)) {
			snprintf(r->error, sizeof(r->error), "MAP_DUMB: %s", strerror(errno));
			break;
		}
		ptr = mmap(NULL, RACE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd, map.offset);
		if (ptr == MAP_FAILED) {
			snprintf(r->error, sizeof(r->error), "mmap: %s", strerror(errno));
			break;
		}
		fill_pattern(ptr, RACE_SIZE, seed);
		munmap(ptr, RACE_SIZE);
		if (i % 3 == 0) {
			exp.flags = DRM_CLOEXEC;
			if (drmIoctl(r->fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &exp))
				snprintf(r->error, sizeof(r->error), "HANDLE_TO_FD: %s",
					 strerror(errno));
		}
		if (i % 2 == 0) {
			madv.madv = PH_VGEM_MADV_DONTNEED;
			if (__vgem_madvise(r->fd, &madv) == 0) {
				madv.madv = PH_VGEM_MADV_WILLNEED;
				if (__vgem_madvise(r->fd, &madv) == 0)
					purged = !madv.retained;
			}
		}
		ptr = mmap(NULL, RACE_SIZE, PROT_READ, MAP_SHARED, r->fd, map.offset);
		if (ptr == MAP_FAILED) {
			snprintf(r->error, sizeof(r->error), "mmap: %s", strerror(errno));
			break;
		}
		if (purged ? !is_zeroed(ptr, RACE_SIZE) : check_pattern(ptr, RACE_SIZE, seed) >= 0)
			snprintf(r->error, sizeof(r->error), "object %u of thread %u: %s", i, r->id,
				 purged ? "purged but not zero" : "data lost");
		munmap(ptr, RACE_SIZE);
		if (i % 3 == 0)
			close(exp.fd);
		if (drmIoctl(r->fd, DRM_IOCTL_GEM_CLOSE, &gclose))
			snprintf(r->error, sizeof(r->error), "GEM_CLOSE: %s", strerror(errno));
	}
	return NULL;
}

static void *race_shrinker(void *arg)
{
	struct race *r = arg;

	while (!*r->stop)
		ph_shrink(r->fd, SHRINK_ALL);
	return NULL;
}

/* The child: exits 0 when its clients worked and checked their data. */
static int race_child(int fds[RACE_THREADS])
{
	volatile int stop = 0;
	struct race clients[RACE_THREADS], walker = { .fd = fds[0], .stop = &stop };
	pthread_t threads[RACE_THREADS], shrinker;
	int i, failed = 0;

	pthread_create(&shrinker, NULL, race_shrinker, &walker);
	for (i = 0; i < RACE_THREADS; i++) {
		clients[i] = (struct race){ .fd = fds[i], .id = i };
		pthread_create(&threads[i], NULL, race_client, &clients[i]);
	}
	for (i = 0; i < RACE_THREADS; i++) {
		pthread_join(threads[i], NULL);
		if (clients[i].error[0]) {
			fprintf(stderr, "child, thread %d: %s\n", i, clients[i].error);
			failed = 1;
		}
	}
	stop = 1;
	pthread_join(shrinker, NULL);
	return failed;
}

static void check_race(void)
{
	int fds[RACE_THREADS], status, i;
	unsigned long reads = 0;
	char why[512];
	pid_t pid;

	for (i = 0; i < RACE_THREADS; i++)
		fds[i] = drm_open_card(DRIVER_PH_VGEM, 0);
	fflush(stdout);
	pid = fork();
	igt_assert(pid >= 0);
	if (pid == 0)
		_exit(race_child(fds));

	while (waitpid(pid, &status, WNOHANG) == 0) {
		for (i = 0; i < RACE_THREADS; i++) {
			struct drm_fdinfo info;
			int ret = __drm_fdinfo_read(pid, fds[i], &info, why, sizeof(why));

			/* The child may have exited between the waitpid and the read. */
			if (ret == -ENOENT || ret == -ESRCH)
				continue;
			igt_assert_f(!ret, "%s (%d)\n", why, ret);
			reads++;
			igt_assert_f(info.has_memory, "no memory keys in a read\n");
			igt_assert_f(info.shared <= info.total && info.resident <= info.total &&
				     info.purgeable <= info.resident &&
				     info.total <= RACE_THREADS * RACE_SIZE,
				     "inconsistent: total %" PRIu64 " shared %" PRIu64 " resident %"
				     PRIu64 " purgeable %" PRIu64 "\n", info.total, info.shared,
				     info.resident, info.purgeable);
		}
	}
	igt_info("%lu fdinfo reads during the race\n", reads);
	igt_assert_f(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		     "the racing child process failed (see its message above)\n");
	igt_assert_lt(10, reads);
	for (i = 0; i < RACE_THREADS; i++) {
		assert_memory(fds[i], 0, 0, 0, 0);
		close(fds[i]);
	}
}

igt_main
{
	igt_describe("A file shows drm-driver, a drm-client-id that differs between files and "
		     "not between duplicates, and the memory keys; ph_vgem no drm-pdev.");
	igt_subtest("fdinfo-keys")
		check_keys();

	igt_describe("ph_edu's drm-pdev names its PCI device as sysfs does.");
	igt_subtest("fdinfo-pdev")
		check_pdev();

	igt_describe("drm-total-memory counts every object, drm-resident-memory what is in RAM "
		     "(written: all; untouched: none; evicted: still), as debugfs does.");
	igt_subtest("fdinfo-total-resident")
		check_total_resident();

	igt_describe("drm-shared-memory counts exported objects, imports (not resident in the "
		     "importer) and objects with a second handle, until they are not.");
	igt_subtest("fdinfo-shared")
		check_shared();

	igt_describe("drm-purgeable-memory counts resident DONTNEED objects, not untouched or "
		     "exported ones, and nothing after a walk purged them.");
	igt_subtest("fdinfo-purgeable")
		check_purgeable();

	igt_describe("A fenced object is active and not purgeable until its fence signals.");
	igt_subtest("fdinfo-active")
		check_active();

	igt_describe("A DMA-contiguous object is resident from creation, a shmem one is not.");
	igt_subtest("fdinfo-dma-store")
		check_dma_store();

	igt_describe("fdinfo read without pause while another process's threads create, write, "
		     "export, madvise and close objects under shrinker walks: every read "
		     "parses and adds up; no data lost.");
	igt_subtest("fdinfo-races-clients")
		check_race();
}
