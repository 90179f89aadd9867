// SPDX-License-Identifier: MIT
/*
 * (Named to run after pressure_swap in the pressure boot: its huge-object
 * subtest needs a 2 MiB folio, which is hard to find on the debug line's
 * 512 MiB once gigabytes went through swap.)
 *
 * CPU mappings do not keep memory resident: buffers that are only mapped by
 * CPUs are given back to shmem by the library's shrinker under memory
 * pressure, swapped out by the kernel, and fault back in with their data.
 *
 * Runs in make check's pressure boot (1 GiB, zram swap), in the root memory
 * cgroup: the pressure is the whole guest's, since a shrinker that is not
 * memcg-aware is called by global reclaim only. The working set is three
 * times the guest's RAM, every buffer stays mapped until the end, and each
 * page carries a tag (buffer, page) so a lost page (read back as zeroes) or
 * a misplaced one is named. The pages are compressible (a tag, then one
 * repeated byte), so zram holds what does not fit in RAM.
 *
 * The program takes the highest OOM score, so that an OOM kill ends it, not
 * the guest's runner; a SIGBUS (a fault that found no memory for a mapped
 * buffer) is named before it ends the program. The threads only touch
 * memory: every ioctl, mmap and assertion is the main thread's.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <inttypes.h>
#include <linux/dma-buf.h>
#include <pthread.h>
#include <signal.h>
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
#include "fdinfo.h"
#include "gem.h"
#include "igt.h"
#include "prime.h"
#include "vgem.h"

#define PAGE 4096ull
#define MAX_BUFS 256
#define THREADS 2

/*
 * 64 MiB buffers; 16 MiB in a guest of less than 512 MiB of RAM: a
 * buffer's pages are held whole from its first fault, and two threads each
 * faulting one in must fit beside everything else.
 */
static uint64_t buf_size;

struct buf {
	uint32_t handle;
	int dmabuf;		/* -1: mapped through the GEM mmap */
	uint8_t *map;
	uint32_t seed;
};

struct working_set {
	int fd;
	unsigned int count;
	struct buf bufs[MAX_BUFS];
};

/*
 * Not on the debug line (KASAN, kmemleak, page_owner; kmemleak's file tells
 * it). In its 512 MiB guest three times the RAM through swap took 809 s for
 * the first subtest alone, more than make check can spend. In a 256 MiB
 * guest (135 MiB left) with 16 MiB buffers the first subtest passed once in
 * 321 s and failed once with SIGBUS (a fault's whole-buffer page allocation,
 * which may fail rather than OOM-kill, found no memory); both 2026-12-07.
 * See the README.
 */
static void require_not_debug_line(void)
{
	igt_require_f(access("/sys/kernel/debug/kmemleak", F_OK) != 0,
		      "skipped on the debug line: 3x its RAM through swap under KASAN, "
		      "kmemleak and page_owner is too slow at 512 MiB (809 s for the first "
		      "subtest) and at 256 MiB a fault found no memory; runs on 6.1 and 6.12\n");
}

/* A key of the guest's /proc/meminfo, in bytes. */
static uint64_t meminfo(const char *key)
{
	return read_keyed_u64("/proc/meminfo", key) << 10;
}

/* Swap in use now (the debug kernel has no /proc/vmstat swap counters). */
static uint64_t swap_used(void)
{
	return meminfo("SwapTotal") - meminfo("SwapFree");
}

static uint64_t page_tag(uint32_t seed, uint64_t page)
{
	return (uint64_t)seed << 32 | page;
}

static uint8_t page_fill(uint32_t seed, uint64_t page)
{
	return (uint8_t)(seed * 31 + page * 7 + 1);
}

static void fill_buf(struct buf *b)
{
	uint64_t page;

	for (page = 0; page < buf_size / PAGE; page++) {
		uint64_t *p = (uint64_t *)(b->map + page * PAGE);

		memset(p, page_fill(b->seed, page), PAGE);
		p[0] = page_tag(b->seed, page);
		p[1] = ~p[0];
	}
}

/* The first page of @b that differs from what fill_buf() wrote, or -1. */
static int64_t check_buf(const struct buf *b)
{
	uint64_t page, i;

	for (page = 0; page < buf_size / PAGE; page++) {
		const uint64_t *p = (const uint64_t *)(b->map + page * PAGE);
		uint64_t fill = 0x0101010101010101ull * page_fill(b->seed, page);

		if (p[0] != page_tag(b->seed, page) || p[1] != ~p[0])
			return page;
		for (i = 2; i < PAGE / 8; i++)
			if (p[i] != fill)
				return page;
	}
	return -1;
}

/* DMA_BUF_IOCTL_SYNC for a dma-buf-mapped buffer, without asserting (threads). */
static int sync_for_cpu(struct buf *b, bool start, bool write)
{
	struct dma_buf_sync sync = {
		.flags = (start ? DMA_BUF_SYNC_START : DMA_BUF_SYNC_END) |
			 (write ? DMA_BUF_SYNC_RW : DMA_BUF_SYNC_READ),
	};

	if (b->dmabuf < 0)
		return 0;
	return ioctl(b->dmabuf, DMA_BUF_IOCTL_SYNC, &sync) ? -errno : 0;
}

/* Buffer @i: even ones through the GEM mmap, odd ones through a dma-buf mmap. */
static void buf_create(struct working_set *ws, unsigned int i)
{
	struct buf *b = &ws->bufs[i];

	b->handle = dumb_create_size(ws->fd, buf_size).handle;
	b->seed = 1000 + i;
	if (i % 2) {
		b->dmabuf = prime_handle_to_fd_for_mmap(ws->fd, b->handle);
		b->map = prime_mmap(b->dmabuf, buf_size, PROT_READ | PROT_WRITE);
	} else {
		b->dmabuf = -1;
		b->map = dumb_mmap(ws->fd, b->handle, buf_size, PROT_READ | PROT_WRITE);
	}
}

struct worker {
	struct working_set *ws;
	unsigned int first;	/* this thread's buffers: first, first + THREADS, ... */
	int phase;
	int64_t bad_page;
	unsigned int bad_buf;
	int sync_err;		/* the first failed DMA_BUF_IOCTL_SYNC's -errno */
};

/*
 * Phase 0 writes this thread's buffers, phase 1 rewrites every other odd one
 * with a new seed through its mapping (each was evicted under that live
 * mapping by then), phase 2 reads them all back. The dma-buf syncs are
 * ioctls that cannot fail on these buffers; they are checked in phase 2.
 */
static void *worker_run(void *arg)
{
	struct worker *w = arg;
	struct working_set *ws = w->ws;
	unsigned int i;

	w->bad_page = -1;
	for (i = w->first; i < ws->count && !w->sync_err; i += THREADS) {
		struct buf *b = &ws->bufs[i];
		bool write = w->phase == 0 || (w->phase == 1 && i % 4 == 1);

		if (!write && w->phase != 2)
			continue;
		w->sync_err = sync_for_cpu(b, true, write);
		if (write) {
			if (w->phase == 1)
				b->seed += 5000;
			fill_buf(b);
		} else {
			w->bad_page = check_buf(b);
		}
		if (!w->sync_err)
			w->sync_err = sync_for_cpu(b, false, write);
		if (w->bad_page >= 0) {
			w->bad_buf = i;
			break;
		}
	}
	return NULL;
}

/* Returns the swap in use when the phase ended. */
static uint64_t run_phase(struct working_set *ws, int phase, const char *what)
{
	uint64_t used;
	struct worker w[THREADS];
	pthread_t t[THREADS];
	int i;

	for (i = 0; i < THREADS; i++) {
		w[i] = (struct worker){ .ws = ws, .first = i, .phase = phase };
		igt_assert_eq(pthread_create(&t[i], NULL, worker_run, &w[i]), 0);
	}
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < THREADS; i++) {
		struct buf *b = &ws->bufs[w[i].bad_buf];
		const uint64_t *p;

		igt_assert_f(!w[i].sync_err, "%s: DMA_BUF_IOCTL_SYNC failed: %s\n", what,
			     strerror(-w[i].sync_err));
		if (w[i].bad_page < 0)
			continue;
		p = (const uint64_t *)(b->map + w[i].bad_page * PAGE);
		igt_assert_f(false, "%s: buffer %u (%s) page %" PRId64 " reads tag 0x%" PRIx64
			     " fill 0x%" PRIx64 ", wrote tag 0x%" PRIx64 "\n", what, w[i].bad_buf,
			     b->dmabuf < 0 ? "GEM mmap" : "dma-buf mmap", w[i].bad_page, p[0],
			     p[2], page_tag(b->seed, w[i].bad_page));
	}
	used = swap_used();
	igt_info("%s: %u buffers done; swap in use %" PRIu64 " MiB\n", what, ws->count,
		 used >> 20);
	return used;
}

static void sigbus_named(int sig)
{
	static const char msg[] = "SIGBUS: a CPU fault found no memory for a mapped buffer\n";

	if (write(2, msg, sizeof(msg) - 1) < 0)
		_exit(1);
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * What the file and the objects say about it: fdinfo counts all of the
 * working set and less than the RAM as resident; debugfs shows pages of the
 * objects in swap, no more than the swap in use.
 */
static void check_accounting(struct working_set *ws, uint64_t ram)
{
	struct drm_fdinfo info = drm_fdinfo(ws->fd);
	static struct ph_object objs[MAX_BUFS];
	int n = ph_objects_read(ws->fd, objs, MAX_BUFS), i;
	uint64_t swapped = 0, used = swap_used();

	for (i = 0; i < n && i < MAX_BUFS; i++)
		swapped += objs[i].swapped * PAGE;
	igt_info("fdinfo: total %" PRIu64 " MiB, resident %" PRIu64 " MiB; debugfs: %" PRIu64
		 " MiB of the objects in swap\n", info.total >> 20, info.resident >> 20,
		 swapped >> 20);
	igt_assert_eq_u64(info.total, ws->count * buf_size);
	igt_assert_f(info.resident < ram, "fdinfo: %" PRIu64 " MiB resident in %" PRIu64
		     " MiB of RAM\n", info.resident >> 20, ram >> 20);
	igt_assert_f(swapped > 0 && swapped <= used, "debugfs: %" PRIu64 " MiB of the objects in "
		     "swap, %" PRIu64 " MiB of swap in use\n", swapped >> 20, used >> 20);
}

/*
 * Buffers worth three times the guest's RAM, created and mapped by the main
 * thread, written through their CPU mappings by two threads, kept mapped,
 * rewritten and read back.
 */
static void test_mapped_working_set(void)
{
	uint64_t ram = meminfo("MemTotal"), swap = meminfo("SwapTotal"), used;
	unsigned int count = (3 * ram + buf_size - 1) / buf_size, i;
	struct working_set *ws;

	require_not_debug_line();
	igt_require_f(swap > 0, "no swap: this program needs the pressure boot's swap\n");
	igt_assert_f(count <= MAX_BUFS, "%u buffers of %" PRIu64 " MiB is more than this test holds", count,
		     buf_size >> 20);
	igt_assert_f(swap + ram > count * buf_size,
		     "%" PRIu64 " MiB of swap and RAM cannot hold the %u MiB working set",
		     (swap + ram) >> 20, count * (unsigned int)(buf_size >> 20));
	igt_info("RAM %" PRIu64 " MiB, swap %" PRIu64 " MiB: %u buffers of %" PRIu64 " MiB (%u MiB), all "
		 "mapped\n", ram >> 20, swap >> 20, count, buf_size >> 20,
		 count * (unsigned int)(buf_size >> 20));
	write_whole_file("/proc/self/oom_score_adj", "1000");
	signal(SIGBUS, sigbus_named);

	ws = calloc(1, sizeof(*ws));
	igt_assert(ws);
	ws->fd = drm_open_card(DRIVER_PH_VGEM, 0);
	ws->count = count;
	for (i = 0; i < count; i++)
		buf_create(ws, i);
	/* All of it written and still mapped: what RAM cannot hold is in swap. */
	used = run_phase(ws, 0, "written");
	igt_assert_f(used >= count * buf_size - ram,
		     "%" PRIu64 " MiB in swap, less than the %" PRIu64 " MiB of the working set "
		     "beyond RAM", used >> 20, (uint64_t)(count * buf_size - ram) >> 20);
	check_accounting(ws, ram);
	run_phase(ws, 1, "rewritten under live mappings");
	run_phase(ws, 2, "read back");
	for (i = 0; i < count; i++) {
		munmap(ws->bufs[i].map, buf_size);
		if (ws->bufs[i].dmabuf >= 0)
			close(ws->bufs[i].dmabuf);
		gem_close(ws->fd, ws->bufs[i].handle);
	}
	close(ws->fd);
	free(ws);
	signal(SIGBUS, SIG_DFL);
}

/*
 * Under the same kind of pressure, DONTNEED buffers go for good: half the
 * guest's RAM in buffers marked DONTNEED (and unmapped), then one and a half
 * times the RAM in buffers kept mapped. Every DONTNEED buffer was purged
 * (WILLNEED says not retained, and it reads as zeroes) and every other one
 * reads back intact.
 */
static void test_dontneed_dropped_first(void)
{
	uint64_t ram = meminfo("MemTotal"), swap_before = swap_used(), used;
	unsigned int doomed = (ram / 2) / buf_size;
	unsigned int count = doomed + (3 * ram / 2 + buf_size - 1) / buf_size;
	struct working_set *ws;
	unsigned int i, purged = 0;

	require_not_debug_line();
	igt_require_f(meminfo("SwapTotal") > 0,
		      "no swap: this program needs the pressure boot's zram swap\n");
	igt_assert_lte(count, MAX_BUFS);
	write_whole_file("/proc/self/oom_score_adj", "1000");
	ws = calloc(1, sizeof(*ws));
	igt_assert(ws);
	ws->fd = drm_open_card(DRIVER_PH_VGEM, 0);
	ws->count = count;
	for (i = 0; i < count; i++) {
		struct buf *b = &ws->bufs[i];

		/* GEM mmaps only: an exported buffer is never purged. */
		b->handle = dumb_create_size(ws->fd, buf_size).handle;
		b->seed = 2000 + i;
		b->dmabuf = -1;
		b->map = dumb_mmap(ws->fd, b->handle, buf_size, PROT_READ | PROT_WRITE);
		fill_buf(b);
		if (i < doomed) {
			munmap(b->map, buf_size);
			b->map = NULL;
			igt_assert(vgem_madvise(ws->fd, b->handle, PH_VGEM_MADV_DONTNEED));
		}
	}
	used = swap_used() - swap_before;
	for (i = 0; i < count; i++) {
		struct buf *b = &ws->bufs[i];

		if (i < doomed) {
			bool retained = vgem_madvise(ws->fd, b->handle, PH_VGEM_MADV_WILLNEED);

			purged += !retained;
			b->map = dumb_mmap(ws->fd, b->handle, buf_size, PROT_READ);
			igt_assert_f(retained || is_zeroed(b->map, buf_size),
				     "buffer %u was purged but does not read as zeroes", i);
		} else {
			int64_t bad = check_buf(b);

			igt_assert_f(bad < 0, "buffer %u page %" PRId64 " lost", i, bad);
		}
		munmap(b->map, buf_size);
		gem_close(ws->fd, b->handle);
	}
	igt_info("%u of %u DONTNEED buffers purged; %u kept buffers intact; swap grew by %" PRIu64
		 " MiB\n", purged, doomed, count - doomed, used >> 20);
	igt_assert_eq(purged, doomed);
	close(ws->fd);
	free(ws);
}

/*
 * The same working set written and unmapped buffer by buffer, then read
 * back, by a child process on one driver; it reports through a pipe after
 * every buffer, so a kill (OOM) or a SIGBUS still leaves the counts.
 */
struct unmapped_outcome {
	unsigned int written, intact, zeroed, corrupt;
};

/* The child asserts nothing (an assertion would end its copy of the subtest). */
static void __attribute__((noreturn)) child_fail(const char *what)
{
	fprintf(stderr, "child process: %s: %s\n", what, strerror(errno));
	_exit(3);
}

/* Even buffers through the GEM mmap, odd ones through a dma-buf mmap. */
static uint8_t *child_map(int fd, struct buf *b, int prot)
{
	struct drm_mode_map_dumb arg = { .handle = b->handle };
	void *map;

	if (b->dmabuf >= 0) {
		map = mmap(NULL, buf_size, prot, MAP_SHARED, b->dmabuf, 0);
	} else {
		if (drmIoctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &arg))
			child_fail("MAP_DUMB");
		map = mmap(NULL, buf_size, prot, MAP_SHARED, fd, arg.offset);
	}
	if (map == MAP_FAILED)
		child_fail("mmap");
	return map;
}

static void unmapped_child(int fd, unsigned int count, int report)
{
	struct unmapped_outcome out = {};
	struct buf *bufs = calloc(count, sizeof(*bufs));
	int adj = open("/proc/self/oom_score_adj", O_WRONLY);
	unsigned int i;

	if (!bufs || adj < 0 || write(adj, "1000", 4) != 4)
		child_fail("setting up");
	close(adj);
	for (i = 0; i < count; i++) {
		struct drm_mode_create_dumb create = {
			.width = buf_size / 4 / 1024, .height = 1024, .bpp = 32,
		};
		struct buf *b = &bufs[i];

		if (drmIoctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &create))
			child_fail("CREATE_DUMB");
		b->handle = create.handle;
		b->seed = 3000 + i;
		b->dmabuf = -1;
		if (i % 2 && drmPrimeHandleToFD(fd, b->handle, DRM_CLOEXEC | DRM_RDWR, &b->dmabuf))
			child_fail("PRIME_HANDLE_TO_FD");
		b->map = child_map(fd, b, PROT_READ | PROT_WRITE);
		fill_buf(b);
		munmap(b->map, buf_size);
		out.written++;
		if (write(report, &out, sizeof(out)) != sizeof(out))
			_exit(2);
	}
	for (i = 0; i < count; i++) {
		struct buf *b = &bufs[i];

		struct drm_gem_close gclose = { .handle = b->handle };

		b->map = child_map(fd, b, PROT_READ);
		if (check_buf(b) < 0)
			out.intact++;
		else if (is_zeroed(b->map, buf_size))
			out.zeroed++;
		else
			out.corrupt++;
		munmap(b->map, buf_size);
		if (b->dmabuf >= 0)
			close(b->dmabuf);
		if (drmIoctl(fd, DRM_IOCTL_GEM_CLOSE, &gclose))
			child_fail("GEM_CLOSE");
		if (write(report, &out, sizeof(out)) != sizeof(out))
			_exit(2);
	}
	_exit(0);
}

/* Runs unmapped_child() on @driver; returns its last report, and how it ended. */
static struct unmapped_outcome run_unmapped(const char *driver, unsigned int count,
					    char *ending, size_t len)
{
	struct unmapped_outcome out = {}, last = {};
	int fd = drm_open_card(driver, 0);
	int pipefd[2], status;
	pid_t pid;

	igt_assert_eq(pipe(pipefd), 0);
	fflush(stdout);
	pid = fork();
	igt_assert(pid >= 0);
	if (pid == 0) {
		close(pipefd[0]);
		unmapped_child(fd, count, pipefd[1]);
	}
	close(pipefd[1]);
	close(fd);
	while (read(pipefd[0], &out, sizeof(out)) == sizeof(out))
		last = out;
	close(pipefd[0]);
	igt_assert_eq(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status))
		snprintf(ending, len, "killed by signal %d (%s)", WTERMSIG(status),
			 WTERMSIG(status) == SIGKILL ? "the OOM killer" :
			 WTERMSIG(status) == SIGBUS ? "SIGBUS: a fault found no memory" : "?");
	else
		snprintf(ending, len, "exit status %d", WEXITSTATUS(status));
	igt_info("%s: %u of %u buffers written and unmapped; read back: %u intact, %u all "
		 "zeroes, %u otherwise wrong; %s\n", driver, last.written, count, last.intact,
		 last.zeroed, last.corrupt, ending);
	return last;
}

/*
 * Upstream's shmem helper next to ours on the same working set, written
 * and unmapped as it goes: the stock vgem's record is printed (its pages go
 * back to shmem clean, so reclaim drops them and they read back as zeroes),
 * ours must read back whole.
 */
static void test_unmapped_vs_stock(void)
{
	uint64_t ram = meminfo("MemTotal");
	unsigned int count = (3 * ram + buf_size - 1) / buf_size;
	struct unmapped_outcome stock, ours;
	char ending[128];

	require_not_debug_line();
	igt_require_f(meminfo("SwapTotal") > 0,
		      "no swap: this program needs the pressure boot's zram swap\n");
	stock = run_unmapped(DRIVER_STOCK_VGEM, count, ending, sizeof(ending));
	ours = run_unmapped(DRIVER_PH_VGEM, count, ending, sizeof(ending));
	igt_info("stock vgem kept %u of %u buffers, ph_vgem %u of %u\n", stock.intact, count,
		 ours.intact, count);
	igt_assert_f(ours.intact == count, "ph_vgem lost buffers (%s)\n", ending);
}

igt_main
{
	igt_fixture
		buf_size = meminfo("MemTotal") >= (512ull << 20) ? 64ull << 20 : 16ull << 20;

	igt_describe("Buffers worth 3x the guest's RAM, written through GEM and dma-buf mmaps by "
		     "two threads and kept mapped: the shrinker gives idle ones back, they are "
		     "swapped, rewritten under their live mappings and read back intact.");
	igt_subtest("mapped-working-set-3x-ram")
		test_mapped_working_set();

	igt_describe("Under memory pressure DONTNEED buffers are purged, not swapped: all of "
		     "them report not retained and read as zeroes, the others read back intact.");
	igt_subtest("dontneed-purged-under-pressure")
		test_dontneed_dropped_first();

	igt_describe("Buffers worth 3x the guest's RAM written and unmapped one by one, then "
		     "read back, on the stock vgem (its record is printed) and on ph_vgem (every "
		     "byte must come back).");
	igt_subtest("unmapped-working-set-vs-stock")
		test_unmapped_vs_stock();
}
