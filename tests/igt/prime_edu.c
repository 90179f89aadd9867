// SPDX-License-Identifier: MIT
/*
 * ph_edu: a real DMA master (QEMU's edu device, behind an intel-iommu when the
 * guest has one) copying between dma-bufs of ph_vgem, the stock vgem and
 * ph_edu itself, udmabuf and the system dma-heap. The copy walks the sg
 * tables the exporters handed out, mapped for the edu device; the CPU then
 * checks every byte through the exporter's GEM mmap. The copy waits for the
 * implicit fences of both buffers, within a timeout; a kernel checksum reads
 * buffers through vmap and CPU access.
 *
 * Without an IOMMU the engine reaches only the first 256 MiB of memory, so
 * ph_edu refuses foreign imports and copies with EIO: every subtest checks
 * the path its boot runs and says which one it is. In the swiotlb boot the
 * engine gets 32 bits and every mapping is bounced: everything works, and
 * a missing sync shows as lost data (prime_edu_sync).
 *
 * QEMU's engine takes 100 ms per transfer of at most 4 KiB, so the copies
 * move a few dozen KiB at chosen places of 4 MiB buffers, not whole buffers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "debugfs.h"
#include "drmtest.h"
#include "dumb.h"
#include "edu.h"
#include "exporters.h"
#include "gem.h"
#include "igt.h"
#include "prime.h"
#include "sieve.h"
#include "vgem.h"

#define BIG_SIZE (4u << 20)
#define SMALL_SIZE (16 * 4096)

/* Long enough to tell "blocked" from "returned", and no longer. */
#define BLOCK_MS 300

/* The exporters of the copy tests, with the subtest names' spelling. */
enum exporter { EXP_PH_VGEM, EXP_STOCK_VGEM, EXP_PH_EDU, EXP_COUNT };
static const char *const exporter_key[EXP_COUNT] = {
	DRIVER_PH_VGEM, DRIVER_STOCK_VGEM, DRIVER_PH_EDU,
};
static const char *const exporter_name[EXP_COUNT] = { "ph-vgem", "stock-vgem", "ph-edu" };

static int edu = -1;	/* the render node the ioctls go to */
static bool dma_works;	/* this boot's DMA path */
static bool bounced;	/* ... is swiotlb's: every mapping a bounce buffer */

/* Opens the render node once, on the first subtest that runs, and says which path. */
static void edu_setup(void)
{
	char path[256];

	if (edu >= 0)
		return;
	edu = edu_open_render();
	dma_works = edu_dma_works(edu, path, sizeof(path));
	bounced = strstr(path, "path: bounce") != NULL;
	igt_info("DMA path of this boot: %s\n", path);
}

/*
 * A buffer of some exporter, imported into ph_edu's render node: @handle is
 * ph_edu's, @cpu the exporter's GEM mmap.
 */
struct shared_bo {
	int fd;			/* the exporter's card node */
	uint32_t exp_handle;
	int dmabuf;
	uint32_t handle;	/* in edu, 0 if the import was refused */
	int import_err;
	uint8_t *cpu;
	size_t size;
};

static struct shared_bo shared_new(enum exporter e, size_t size)
{
	struct shared_bo bo = { .size = size };

	edu_setup();
	/*
	 * Upstream's exporter (drm_gem_prime_dmabuf_ops) syncs nothing for
	 * CPU access and unmaps without a sync: behind bounce buffers a
	 * device's writes never reach its pages. Not ours to fix; said here.
	 */
	if (e == EXP_STOCK_VGEM && bounced)
		igt_skip("stock vgem's dma-bufs do no CPU-access syncs: under swiotlb=force "
			 "the engine's writes never reach their pages (upstream behaviour)\n");
	if (e == EXP_STOCK_VGEM && size > PH_EDU_DMA_MAX_SEGMENT && dma_api_debug_on())
		igt_skip("stock vgem maps its own table for ph_edu, segments beyond ph_edu's "
			 "64 KiB limit included, and this kernel's DMA-API debug reports that "
			 "(upstream behaviour, see dma_api_debug_on())\n");
	bo.fd = drm_open_card(exporter_key[e], 0);
	bo.exp_handle = dumb_create_size(bo.fd, size).handle;
	bo.cpu = dumb_mmap(bo.fd, bo.exp_handle, size, PROT_READ | PROT_WRITE);
	/* Every exporter here takes all the pages at the first fault, if not before. */
	bo.cpu[0] = 0;
	bo.dmabuf = prime_handle_to_fd(bo.fd, bo.exp_handle);
	bo.import_err = __prime_fd_to_handle(edu, bo.dmabuf, &bo.handle);
	return bo;
}

/* As shared_new(), asserting the import this boot allows. */
static struct shared_bo shared_new_checked(enum exporter e, size_t size)
{
	struct shared_bo bo = shared_new(e, size);

	if (dma_works || e == EXP_PH_EDU)
		igt_assert_eq(bo.import_err, 0);
	else
		igt_assert_eq(bo.import_err, -EIO);
	return bo;
}

static void shared_free(struct shared_bo *bo)
{
	if (bo->handle)
		gem_close(edu, bo->handle);
	munmap(bo->cpu, bo->size);
	close(bo->dmabuf);
	gem_close(bo->fd, bo->exp_handle);
	close(bo->fd);
}

/*
 * CPU access to a shared buffer follows the dma-buf contract: writes between
 * DMA_BUF_IOCTL_SYNC START and END, reads of what a device wrote after a
 * START. With a coherent IOMMU nothing would notice if they did not; in the
 * swiotlb boot the exporter's syncs are what carries the bytes.
 */
static void shared_cpu_read(struct shared_bo *bo)
{
	prime_sync_start(bo->dmabuf, false);
	prime_sync_end(bo->dmabuf, false);
}

static void fill_random(uint8_t *p, size_t size, unsigned int seed)
{
	uint32_t x = seed * 2654435761u + 1;
	size_t i;

	for (i = 0; i < size; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = x >> 24;
	}
}

static void shared_fill(struct shared_bo *bo, unsigned int seed)
{
	prime_sync_start(bo->dmabuf, true);
	fill_random(bo->cpu, bo->size, seed);
	prime_sync_end(bo->dmabuf, true);
}

static void assert_same_bytes(const uint8_t *got, const uint8_t *want, size_t size,
			      const char *what)
{
	size_t i;

	for (i = 0; i < size; i++)
		igt_assert_f(got[i] == want[i], "%s: byte 0x%zx is 0x%02x, expected 0x%02x", what,
			     i, got[i], want[i]);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Copy ranges in a 4 MiB buffer: crossing pages at different phases, at both ends. */
struct span {
	uint64_t src, dst, len;
};
static const struct span spans[] = {
	{ 3 * 4096 + 100, 700 * 4096 + 3000, 3 * 4096 + 500 },
	{ BIG_SIZE - 9000, 1234, 9000 },
	{ 512 * 4096 + 4095, BIG_SIZE - 5001, 5001 },
};

/*
 * Copies @spans from @src to @dst with the engine, checking every byte of
 * @dst. Both buffers must have been populated under a sieve.
 */
static void copy_spans_and_check(struct shared_bo *src, struct shared_bo *dst)
{
	uint8_t *want = malloc(dst->size);
	unsigned int i;

	igt_assert(want);
	shared_fill(src, 1);
	shared_fill(dst, 2);
	memcpy(want, dst->cpu, dst->size);

	for (i = 0; i < sizeof(spans) / sizeof(spans[0]); i++) {
		struct ph_edu_copy arg = {
			.src_handle = src->handle, .dst_handle = dst->handle,
			.src_offset = spans[i].src, .dst_offset = spans[i].dst,
			.length = spans[i].len,
		};
		double t0 = now_ms();

		igt_assert_eq(__edu_copy_args(edu, &arg), 0);
		igt_info("copied %llu bytes 0x%llx -> 0x%llx in %u transfers, %.0f ms; "
			 "source in %u extents, destination in %u\n",
			 (unsigned long long)arg.length, (unsigned long long)arg.src_offset,
			 (unsigned long long)arg.dst_offset, arg.transfers, now_ms() - t0,
			 arg.src_segments, arg.dst_segments);
		/* At least one transfer in and one out per started 4 KiB. */
		igt_assert_lte(2 * ((arg.length + 4095) / 4096), arg.transfers);
		/* Multi-megabyte shmem buffers are not one physical extent. */
		igt_assert_lt(1, arg.src_segments);
		igt_assert_lt(1, arg.dst_segments);
		memcpy(want + spans[i].dst, src->cpu + spans[i].src, spans[i].len);
	}
	shared_cpu_read(dst);
	assert_same_bytes(dst->cpu, want, dst->size, "destination after the copies");
	free(want);
}

static void check_copy_pair(enum exporter from, enum exporter to)
{
	struct ph_stats before, after;
	struct shared_bo src, dst;
	struct sieve sieve;

	ph_stats_read(&before);
	sieve_new(&sieve);
	src = shared_new_checked(from, BIG_SIZE);
	dst = shared_new_checked(to, BIG_SIZE);
	sieve_free(&sieve);
	if (src.handle && dst.handle && dma_works) {
		copy_spans_and_check(&src, &dst);
	} else if (src.handle && dst.handle) {
		igt_assert_eq(__edu_copy(edu, src.handle, 0, dst.handle, 0, 4096), -EIO);
		igt_info("no IOMMU: the copy is refused with EIO, as designed\n");
	} else {
		igt_info("no IOMMU: ph_edu refused the import with EIO, as designed\n");
	}
	shared_free(&dst);
	shared_free(&src);
	ph_stats_read(&after);
	ph_stats_assert_equal(&before, &after);
}

/*
 * The debug and kcsan lines are built with CONFIG_DMABUF_MOVE_NOTIFY,
 * Debian's kernels are not; run-guest.sh says which line booted.
 */
static bool kernel_unpins_dynamic_imports(void)
{
	char *cmdline = read_whole_file("/proc/cmdline", NULL);
	bool yes;

	igt_assert_f(cmdline, "cannot read /proc/cmdline: %s", strerror(errno));
	igt_assert_f(strstr(cmdline, "ph.line="), "no ph.line= on the kernel command line: "
		     "boot the guest with scripts/run-guest.sh");
	yes = strstr(cmdline, "ph.line=debug") || strstr(cmdline, "ph.line=kcsan");
	free(cmdline);
	return yes;
}

/* One engine copy of @len bytes, and what it must have done to @want. */
static void copy_and_expect(struct shared_bo *from, uint64_t from_off, struct shared_bo *to,
			    uint64_t to_off, uint64_t len, uint8_t *want_to,
			    const uint8_t *want_from)
{
	edu_copy(edu, from->handle, from_off, to->handle, to_off, len);
	memcpy(want_to + to_off, want_from + from_off, len);
}

/*
 * A ph_vgem buffer imported by ph_edu and a ph_edu buffer, both filled
 * (with @seed and @seed + 1), and what each must hold: the set-up of the
 * dynamic import subtests. Skips where ph_edu maps no foreign buffer.
 */
struct import_pair {
	struct shared_bo src, dst;
	uint8_t *want_src, *want_dst;
};

static void import_pair_new(struct import_pair *p, int seed)
{
	struct sieve sieve;

	sieve_new(&sieve);
	p->src = shared_new(EXP_PH_VGEM, BIG_SIZE);
	p->dst = shared_new(EXP_PH_EDU, BIG_SIZE);
	sieve_free(&sieve);
	if (!dma_works) {
		shared_free(&p->dst);
		shared_free(&p->src);
		igt_skip("no IOMMU in this boot: ph_edu refuses foreign imports (EIO), "
			 "so no device maps the buffer\n");
	}
	igt_assert_eq(p->src.import_err, 0);
	p->want_src = malloc(BIG_SIZE);
	p->want_dst = malloc(BIG_SIZE);
	igt_assert(p->want_src && p->want_dst);
	shared_fill(&p->src, seed);
	shared_fill(&p->dst, seed + 1);
	memcpy(p->want_src, p->src.cpu, BIG_SIZE);
	memcpy(p->want_dst, p->dst.cpu, BIG_SIZE);
}

/* Every byte of both buffers as expected, then both freed. */
static void import_pair_check_free(struct import_pair *p)
{
	shared_cpu_read(&p->src);
	shared_cpu_read(&p->dst);
	assert_same_bytes(p->src.cpu, p->want_src, BIG_SIZE, "ph_vgem buffer after the copies");
	assert_same_bytes(p->dst.cpu, p->want_dst, BIG_SIZE, "ph_edu buffer after the copies");
	free(p->want_src);
	free(p->want_dst);
	shared_free(&p->dst);
	shared_free(&p->src);
}

/*
 * ph_edu imports as a dynamic importer and keeps its mapping between
 * copies. With CONFIG_DMABUF_MOVE_NOTIFY nothing pins the exporter's pages
 * for it: the exporter's shrinker tells ph_edu (move_notify, which unmaps),
 * evicts the buffer between two copies, and the next copy maps it again.
 * Without it the core pins the pages while ph_edu is mapped, and the
 * shrinker leaves them. Either way every byte the engine moves, into and out
 * of the buffer, before and after, is where it belongs.
 */
static void check_dynamic_import_evicted(void)
{
	bool unpinned = kernel_unpins_dynamic_imports();
	struct ph_shrinker s0, s1;
	struct import_pair p;
	struct ph_object o;
	uint64_t offset;
	int round;

	import_pair_new(&p, 5);
	igt_info("this kernel %s dynamic importers' mappings (CONFIG_DMABUF_MOVE_NOTIFY %s)\n",
		 unpinned ? "does not pin" : "pins", unpinned ? "on" : "off");
	offset = dumb_map_offset(p.src.fd, p.src.exp_handle);

	copy_and_expect(&p.src, 4096 + 17, &p.dst, 3 * 4096 + 5, 6000, p.want_dst, p.want_src);
	for (round = 0; round < 2; round++) {
		o = ph_object_get(p.src.fd, offset);
		igt_assert_f(o.maps == 1 && o.pins == (unpinned ? 0u : 1u),
			     "ph_edu's mapping: %u maps, %u pins (expected 1 and %u)",
			     o.maps, o.pins, unpinned ? 0u : 1u);
		igt_assert_eq(o.evictable, unpinned ? 1u : 0u);

		ph_shrinker_read(p.src.fd, &s0);
		ph_shrink(p.src.fd, 16 * (BIG_SIZE / 4096));
		ph_shrinker_read(p.src.fd, &s1);
		o = ph_object_get(p.src.fd, offset);
		igt_info("round %d: the shrinker evicted %" PRIu64 " objects; the buffer has %u "
			 "maps, %u pins\n", round, s1.evicted_objects - s0.evicted_objects,
			 o.maps, o.pins);
		if (unpinned) {
			igt_assert_f(s0.evicted_objects < s1.evicted_objects,
				     "the shrinker left the buffer ph_edu had mapped");
			igt_assert_eq(o.maps, 0);
			igt_assert_eq(o.evictable, 0);
		} else {
			igt_assert_eq_u64(s0.evicted_objects, s1.evicted_objects);
			igt_assert_eq(o.maps, 1);
		}
		/* Out of the evicted buffer, then into it: mapped again either way. */
		if (round == 0)
			copy_and_expect(&p.src, 2 * 1024 * 1024 + 123, &p.dst, 1024 * 1024 + 7,
					9000, p.want_dst, p.want_src);
		else
			copy_and_expect(&p.dst, 500 * 4096 + 99, &p.src, 800 * 4096 + 3, 7000,
					p.want_src, p.want_dst);
	}
	import_pair_check_free(&p);
}

/*
 * The shrinker run by hand, again and again, by a child process until the
 * parent closes the pipe (or two minutes pass, should the parent's subtest
 * fail first): it asserts nothing, so it cannot outlive a failure in a
 * state that breaks the next subtests. Returns the child's pid.
 */
static pid_t shrinker_loop_start(int card, int *stop_fd)
{
	int shrink = ph_debugfs_open(card, "ph_shrink", O_WRONLY);
	int pipefd[2];
	pid_t pid;

	igt_assert_eq(pipe(pipefd), 0);
	pid = fork();
	igt_assert(pid >= 0);
	if (pid == 0) {
		double deadline = now_ms() + 120e3;
		unsigned int walks = 0;
		char c;

		close(pipefd[1]);
		igt_assert_eq(fcntl(pipefd[0], F_SETFL, O_NONBLOCK), 0);
		while (now_ms() < deadline && read(pipefd[0], &c, 1) != 0) {
			if (pwrite(shrink, "1048576", 7, 0) != 7)
				_exit(1);
			walks++;
		}
		_exit(walks ? 0 : 2);
	}
	close(pipefd[0]);
	close(shrink);
	*stop_fd = pipefd[1];
	return pid;
}

static void shrinker_loop_stop(pid_t pid, int stop_fd)
{
	int status;

	close(stop_fd);
	igt_assert_eq(waitpid(pid, &status, 0), pid);
	igt_assert_f(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		     "the shrinker loop failed (status 0x%x): 1 is a failed ph_shrink write, "
		     "2 no walk at all", status);
}

/*
 * Copies in and out of an imported buffer while another thread runs the
 * exporter's shrinker without pause, then closes the import under it and
 * imports again: whatever the shrinker evicts between two copies (on the
 * lines that let it), every byte ends where it belongs, and the kernel
 * reports nothing.
 */
static void check_dynamic_import_races_shrinker(void)
{
	struct ph_shrinker s0, s1;
	struct import_pair p;
	int i, stop_fd;
	pid_t loop;

	import_pair_new(&p, 7);
	ph_shrinker_read(p.src.fd, &s0);
	loop = shrinker_loop_start(p.src.fd, &stop_fd);
	for (i = 0; i < 8; i++) {
		uint64_t a = (uint64_t)(i * 97 + 3) * 4096 + i * 111;
		uint64_t b = (uint64_t)(i * 61 + 300) * 4096 + 7;

		if (i % 2)
			copy_and_expect(&p.dst, a, &p.src, b, 5000, p.want_src, p.want_dst);
		else
			copy_and_expect(&p.src, a, &p.dst, b, 5000, p.want_dst, p.want_src);
		/* Halfway: the import goes under the shrinker, and comes back. */
		if (i == 3) {
			gem_close(edu, p.src.handle);
			p.src.handle = prime_fd_to_handle(edu, p.src.dmabuf);
		}
	}
	shrinker_loop_stop(loop, stop_fd);
	ph_shrinker_read(p.src.fd, &s1);
	igt_info("%" PRIu64 " shrinker walks beside 8 copies evicted %" PRIu64 " objects (%s)\n",
		 s1.scans - s0.scans, s1.evicted_objects - s0.evicted_objects,
		 kernel_unpins_dynamic_imports() ? "this kernel lets them evict the import's buffer" :
		 "this kernel pins the import's buffer while it is mapped");
	import_pair_check_free(&p);
}

/* Interrupts ph_edu's handler has had, over all CPUs, from /proc/interrupts. */
static unsigned long edu_interrupts(void)
{
	char *text = read_whole_file("/proc/interrupts", NULL), *line, *p, *end;
	unsigned long total = 0, n;

	igt_assert(text);
	for (line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		if (!strstr(line, DRIVER_PH_EDU))
			continue;
		p = strchr(line, ':');
		igt_assert(p);
		/* The per-CPU counts follow the colon, before the chip's name. */
		for (p++; n = strtoul(p, &end, 10), end != p; p = end)
			total += n;
	}
	free(text);
	return total;
}

static void check_copy_within_buffer(void)
{
	struct shared_bo bo = shared_new_checked(EXP_PH_EDU, SMALL_SIZE);
	uint8_t *want = malloc(SMALL_SIZE);
	unsigned long irqs;
	int ret;

	igt_assert(want);
	shared_fill(&bo, 3);
	memcpy(want, bo.cpu, SMALL_SIZE);
	irqs = edu_interrupts();
	ret = __edu_copy(edu, bo.handle, 5000, bo.handle, 9 * 4096 + 17, 6000);
	if (dma_works) {
		igt_assert_eq(ret, 0);
		/* Each transfer ends with an interrupt, which wakes the copy. */
		igt_assert_lte(irqs + 4, edu_interrupts());
		memcpy(want + 9 * 4096 + 17, want + 5000, 6000);
		shared_cpu_read(&bo);
		assert_same_bytes(bo.cpu, want, SMALL_SIZE, "buffer after the copy");
	} else {
		igt_assert_eq(ret, -EIO);
	}
	free(want);
	shared_free(&bo);
}

static void check_copy_large(void)
{
	const uint64_t len = 64 * 4096 + 1000;
	struct shared_bo src, dst;
	uint8_t *want;
	double t0;

	edu_setup();
	igt_require_f(dma_works, "no DMA path in this boot: nothing can be copied\n");
	src = shared_new_checked(EXP_PH_VGEM, BIG_SIZE);
	dst = shared_new_checked(EXP_PH_EDU, BIG_SIZE);
	want = malloc(BIG_SIZE);
	igt_assert(want);
	shared_fill(&src, 4);
	shared_fill(&dst, 5);
	memcpy(want, dst.cpu, BIG_SIZE);
	t0 = now_ms();
	edu_copy(edu, src.handle, 900 * 4096 + 333, dst.handle, 77, len);
	igt_info("%llu bytes in %.1f s\n", (unsigned long long)len, (now_ms() - t0) / 1e3);
	memcpy(want + 77, src.cpu + 900 * 4096 + 333, len);
	shared_cpu_read(&dst);
	assert_same_bytes(dst.cpu, want, BIG_SIZE, "destination");
	free(want);
	shared_free(&dst);
	shared_free(&src);
}

static void check_copy_bad_input(void)
{
	struct shared_bo a = shared_new_checked(EXP_PH_EDU, SMALL_SIZE);
	struct shared_bo b = shared_new_checked(EXP_PH_EDU, SMALL_SIZE);
	struct ph_edu_copy arg = { .src_handle = a.handle, .dst_handle = b.handle, .length = 1 };
	struct ph_edu_checksum sum = { .handle = a.handle, .length = 1 };
	uint64_t s;

	arg.flags = 1;
	igt_assert_eq(__edu_copy_args(edu, &arg), -EINVAL);
	igt_assert_eq(__edu_copy(edu, 0, 0, b.handle, 0, 1), -ENOENT);
	igt_assert_eq(__edu_copy(edu, a.handle, 0, 0xdead, 0, 1), -ENOENT);
	igt_assert_eq(__edu_copy(edu, a.handle, SMALL_SIZE, b.handle, 0, 1), -EINVAL);
	igt_assert_eq(__edu_copy(edu, a.handle, 0, b.handle, SMALL_SIZE - 1, 2), -EINVAL);
	igt_assert_eq(__edu_copy(edu, a.handle, 0, b.handle, 0, SMALL_SIZE + 1), -EINVAL);
	igt_assert_eq(__edu_copy(edu, a.handle, 1, b.handle, 0, UINT64_MAX), -EINVAL);
	igt_assert_eq(__edu_copy(edu, a.handle, UINT64_MAX, b.handle, 0, 2), -EINVAL);
	/* Overlapping ranges of one buffer. */
	igt_assert_eq(__edu_copy(edu, a.handle, 0, a.handle, 4095, 4096), -EINVAL);
	igt_assert_eq(__edu_copy(edu, a.handle, 4095, a.handle, 0, 4096), -EINVAL);
	/* Nothing to copy is fine, up to the very end. */
	igt_assert_eq(__edu_copy(edu, a.handle, 0, b.handle, 0, 0), 0);
	igt_assert_eq(__edu_copy(edu, a.handle, SMALL_SIZE, b.handle, SMALL_SIZE, 0), 0);
	igt_assert_eq(__edu_copy(edu, a.handle, 0, a.handle, 0, 0), 0);
	igt_assert_eq(__edu_copy(edu, a.handle, SMALL_SIZE + 1, b.handle, 0, 0), -EINVAL);

	sum.flags = ~PH_EDU_CHECKSUM_NESTED_VMAPS;
	igt_assert_eq(__edu_checksum_args(edu, &sum), -EINVAL);
	sum.flags = 2;
	igt_assert_eq(__edu_checksum_args(edu, &sum), -EINVAL);
	igt_assert_eq(__edu_checksum(edu, 0, 0, 1, &s), -ENOENT);
	igt_assert_eq(__edu_checksum(edu, a.handle, SMALL_SIZE, 1, &s), -EINVAL);
	igt_assert_eq(__edu_checksum(edu, a.handle, 1, UINT64_MAX, &s), -EINVAL);
	igt_assert_eq(__edu_checksum(edu, a.handle, SMALL_SIZE, 0, &s), 0);
	igt_assert_eq_u64(s, 0);
	shared_free(&b);
	shared_free(&a);
}

/* A copy running in its own thread, so the test can see it block. */
struct async_copy {
	pthread_t thread;
	struct ph_edu_copy arg;
	int result;
	volatile int finished;
};

static void *async_copy_run(void *data)
{
	struct async_copy *c = data;

	c->result = __edu_copy_args(edu, &c->arg);
	__atomic_store_n(&c->finished, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static void async_copy_start(struct async_copy *c, uint32_t src, uint64_t src_offset,
			     uint32_t dst, uint64_t len)
{
	memset(c, 0, sizeof(*c));
	c->arg.src_handle = src;
	c->arg.src_offset = src_offset;
	c->arg.dst_handle = dst;
	c->arg.length = len;
	igt_assert_eq(pthread_create(&c->thread, NULL, async_copy_run, c), 0);
}

static bool async_copy_finished(struct async_copy *c)
{
	return __atomic_load_n(&c->finished, __ATOMIC_SEQ_CST);
}

/* Two copies at once: the engine and its buffer serve one at a time. */
static void check_copy_concurrent(void)
{
	struct shared_bo src = shared_new_checked(EXP_PH_EDU, SMALL_SIZE);
	/* (src is made first, so the boot's DMA path is known here.) */
	struct shared_bo dst[2] = {
		shared_new_checked(dma_works ? EXP_PH_VGEM : EXP_PH_EDU, SMALL_SIZE),
		shared_new_checked(EXP_PH_EDU, SMALL_SIZE),
	};
	struct async_copy copy[2];
	unsigned int i;

	shared_fill(&src, 13);
	/* Different source ranges, so that interleaved windows would show. */
	for (i = 0; i < 2; i++) {
		prime_sync_start(dst[i].dmabuf, true);
		memset(dst[i].cpu, 0, SMALL_SIZE);
		prime_sync_end(dst[i].dmabuf, true);
		async_copy_start(&copy[i], src.handle, i * 3 * 4096 + 11, dst[i].handle, 3 * 4096);
	}
	for (i = 0; i < 2; i++) {
		pthread_join(copy[i].thread, NULL);
		if (!dma_works) {
			igt_assert_eq(copy[i].result, -EIO);
			continue;
		}
		igt_assert_eq(copy[i].result, 0);
		shared_cpu_read(&dst[i]);
		assert_same_bytes(dst[i].cpu, src.cpu + i * 3 * 4096 + 11, 3 * 4096,
				  "a concurrent copy");
	}
	shared_free(&dst[1]);
	shared_free(&dst[0]);
	shared_free(&src);
}

/*
 * The engine is shared window by window: a client whose copy of one window
 * starts while another client's long copy runs finishes first, instead of
 * waiting for the whole long copy. Only the order of completion is checked.
 */
static void check_copy_shares_engine(void)
{
	struct shared_bo src = shared_new_checked(EXP_PH_EDU, SMALL_SIZE);
	struct shared_bo dst = shared_new_checked(EXP_PH_EDU, SMALL_SIZE);
	int other = edu_open_render();
	uint32_t small_src, small_dst;
	struct async_copy long_copy;
	bool long_done_first;
	unsigned long irqs;
	int ret;

	igt_require_f(dma_works, "the engine reaches no memory in this boot\n");
	small_src = edu_create(other, 4096, 0);
	small_dst = edu_create(other, 4096, 0);
	shared_fill(&src, 21);
	/* SMALL_SIZE is 16 windows, each two transfers of ~0.1 s of QEMU's clock. */
	irqs = edu_interrupts();
	async_copy_start(&long_copy, src.handle, 0, dst.handle, SMALL_SIZE);
	/* Started: its first transfer ended (by progress, not by a clock). */
	while (edu_interrupts() == irqs && !async_copy_finished(&long_copy))
		usleep(1000);
	igt_assert_f(!async_copy_finished(&long_copy),
		     "a 16-window copy finished before its first transfer was seen");
	ret = __edu_copy(other, small_src, 0, small_dst, 0, 4096);
	long_done_first = async_copy_finished(&long_copy);
	pthread_join(long_copy.thread, NULL);
	igt_assert_eq(ret, 0);
	igt_assert_eq(long_copy.result, 0);
	igt_assert_f(!long_done_first,
		     "a one-window copy of a second client waited for all 16 windows of the first");
	shared_cpu_read(&dst);
	assert_same_bytes(dst.cpu, src.cpu, SMALL_SIZE, "the long copy");
	gem_close(other, small_dst);
	gem_close(other, small_src);
	close(other);
	shared_free(&dst);
	shared_free(&src);
}

static void on_sigusr1(int sig)
{
	(void)sig;
}

struct delayed_signal {
	pthread_t target;
	unsigned int delay_ms;
};

static void *send_signal_later(void *data)
{
	struct delayed_signal *d = data;

	usleep(d->delay_ms * 1000);
	pthread_kill(d->target, SIGUSR1);
	return NULL;
}

/* Any signal, not only a fatal one, stops a copy at the next window. */
static void check_copy_interrupted(void)
{
	struct shared_bo src = shared_new_checked(EXP_PH_EDU, SMALL_SIZE);
	struct shared_bo dst = shared_new_checked(EXP_PH_EDU, SMALL_SIZE);
	struct sigaction sa = { .sa_handler = on_sigusr1 }, old;	/* no SA_RESTART */
	struct delayed_signal d = { .target = pthread_self(), .delay_ms = 300 };
	struct ph_edu_copy arg = {
		.src_handle = src.handle,
		.dst_handle = dst.handle,
		.length = SMALL_SIZE,
	};
	pthread_t sender;
	int ret;

	igt_require_f(dma_works, "the engine reaches no memory in this boot\n");
	sigemptyset(&sa.sa_mask);
	igt_assert_eq(sigaction(SIGUSR1, &sa, &old), 0);
	igt_assert_eq(pthread_create(&sender, NULL, send_signal_later, &d), 0);
	ret = __edu_copy_args(edu, &arg);
	pthread_join(sender, NULL);
	sigaction(SIGUSR1, &old, NULL);
	igt_info("copy of 16 windows returned %d after %u transfers, %llu bytes left\n", ret,
		 arg.transfers, (unsigned long long)arg.length);
	igt_assert_eq(ret, -EINTR);
	/* The argument now describes the rest: issuing it again finishes the copy. */
	igt_assert_lt(0, arg.length);
	igt_assert_lt(arg.length, SMALL_SIZE);
	igt_assert_eq_u64(arg.src_offset, SMALL_SIZE - arg.length);
	igt_assert_eq_u64(arg.dst_offset, SMALL_SIZE - arg.length);
	igt_assert_eq(__edu_copy_args(edu, &arg), 0);
	shared_cpu_read(&dst);
	assert_same_bytes(dst.cpu, src.cpu, SMALL_SIZE, "the interrupted copy, resumed");
	/* Still usable afterwards, and whole when not interrupted. */
	shared_fill(&src, 22);
	edu_copy(edu, src.handle, 0, dst.handle, 0, SMALL_SIZE);
	shared_cpu_read(&dst);
	assert_same_bytes(dst.cpu, src.cpu, SMALL_SIZE, "the copy after the interrupted one");
	shared_free(&dst);
	shared_free(&src);
}

/*
 * Periodic signals with SA_RESTART (a profiler, an interval timer) interrupt
 * the copy again and again while a second client keeps the engine busy with
 * copies of its own: each restart goes on where the last call stopped, and
 * each call moves at least one window, so the copy still ends, whole.
 */
struct competitor {
	pthread_t thread;
	int fd;
	uint32_t src, dst;
	volatile int stop;
	unsigned long copies;
	int result;
};

static void *compete(void *data)
{
	struct competitor *c = data;

	while (!__atomic_load_n(&c->stop, __ATOMIC_SEQ_CST)) {
		c->result = __edu_copy(c->fd, c->src, 0, c->dst, 0, 4096);
		if (c->result)
			break;
		c->copies++;
	}
	return NULL;
}

static void check_copy_restarts_under_signals(void)
{
	struct shared_bo src = shared_new_checked(EXP_PH_EDU, SMALL_SIZE);
	struct shared_bo dst = shared_new_checked(EXP_PH_EDU, SMALL_SIZE);
	struct sigaction sa = { .sa_handler = on_sigusr1, .sa_flags = SA_RESTART }, old;
	struct itimerval every = { .it_interval = { .tv_usec = 50 * 1000 },
				   .it_value = { .tv_usec = 50 * 1000 } };
	struct itimerval off = { 0 };
	struct competitor c = { 0 };
	sigset_t alrm;

	igt_require_f(dma_works, "the engine reaches no memory in this boot\n");
	shared_fill(&src, 23);
	c.fd = edu_open_render();
	c.src = edu_create(c.fd, 4096, 0);
	c.dst = edu_create(c.fd, 4096, 0);
	/* The timer's signals go to this thread only: the competitor blocks them. */
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	igt_assert_eq(pthread_sigmask(SIG_BLOCK, &alrm, NULL), 0);
	igt_assert_eq(pthread_create(&c.thread, NULL, compete, &c), 0);
	igt_assert_eq(pthread_sigmask(SIG_UNBLOCK, &alrm, NULL), 0);

	sigemptyset(&sa.sa_mask);
	igt_assert_eq(sigaction(SIGALRM, &sa, &old), 0);
	igt_assert_eq(setitimer(ITIMER_REAL, &every, NULL), 0);
	edu_copy(edu, src.handle, 0, dst.handle, 0, SMALL_SIZE);
	setitimer(ITIMER_REAL, &off, NULL);
	sigaction(SIGALRM, &old, NULL);
	__atomic_store_n(&c.stop, 1, __ATOMIC_SEQ_CST);
	pthread_join(c.thread, NULL);
	igt_info("the competing client made %lu one-window copies meanwhile\n", c.copies);
	igt_assert_eq(c.result, 0);
	igt_assert_lte(1, c.copies);
	shared_cpu_read(&dst);
	assert_same_bytes(dst.cpu, src.cpu, SMALL_SIZE, "a copy restarted by SA_RESTART signals");
	gem_close(c.fd, c.dst);
	gem_close(c.fd, c.src);
	close(c.fd);
	shared_free(&dst);
	shared_free(&src);
}

/*
 * Tables mapped for the engine respect its segment limit whoever built the
 * pages: an 8 MiB ph_vgem object on huge pages (2 MiB physically contiguous
 * folios) imported into ph_edu, and an 8 MiB object of ph_edu's own, both
 * reach the engine in entries of at most PH_EDU_DMA_MAX_SEGMENT, so at
 * least 8 MiB / 64 KiB of them.
 */
static void check_segments_within_device_limit(void)
{
	const size_t size = 8 << 20, least = size / PH_EDU_DMA_MAX_SEGMENT;
	struct shared_bo imported = shared_new_checked(EXP_PH_VGEM, size);
	uint32_t own = edu_create(edu, size, 0), small = edu_create(edu, 4096, 0);
	struct ph_edu_copy arg = { .dst_handle = small, .length = 1 };

	igt_require_f(dma_works, "foreign imports need a DMA path, this boot has none\n");
	arg.src_handle = imported.handle;
	igt_assert_eq(__edu_copy_args(edu, &arg), 0);
	igt_info("8 MiB ph_vgem import: %u entries for the engine\n", arg.src_segments);
	igt_assert_lte(least, arg.src_segments);

	arg.src_handle = own;
	igt_assert_eq(__edu_copy_args(edu, &arg), 0);
	igt_info("8 MiB ph_edu object: %u entries for the engine\n", arg.src_segments);
	igt_assert_lte(least, arg.src_segments);

	gem_close(edu, small);
	gem_close(edu, own);
	shared_free(&imported);
}

/*
 * A ph_edu buffer imported into a vgem device, which fences it: the fence
 * lands on the reservation object both share, whatever this boot's DMA path.
 */
struct fenced_bo {
	struct shared_bo bo;	/* exported by ph_edu */
	int vgem;
	uint32_t vgem_handle;
};

static struct fenced_bo fenced_new(const char *vgem_key)
{
	struct fenced_bo f = { .bo = shared_new_checked(EXP_PH_EDU, SMALL_SIZE) };

	f.vgem = drm_open_card(vgem_key, 0);
	f.vgem_handle = prime_fd_to_handle(f.vgem, f.bo.dmabuf);
	return f;
}

static void fenced_free(struct fenced_bo *f)
{
	gem_close(f->vgem, f->vgem_handle);
	close(f->vgem);
	shared_free(&f->bo);
}

/*
 * A copy held by an unsignalled fence: it has not returned, the engine has
 * made no transfer since @irqs (its interrupt count) and the fence is still
 * what holds it (the buffer is busy for @write). Progress and state, not a
 * time: the wait before only gives a broken copy the chance to run.
 */
static void assert_held_by_fence(struct async_copy *copy, unsigned long irqs, int dmabuf,
				 bool write)
{
	usleep(BLOCK_MS * 1000);
	igt_assert_f(!async_copy_finished(copy), "the copy did not wait for the fence (%d)",
		     copy->result);
	igt_assert_f(edu_interrupts() == irqs, "the engine transferred while the fence was "
		     "unsignalled (%lu interrupts)", edu_interrupts() - irqs);
	igt_assert_f(prime_busy(dmabuf, write), "the fence signalled by itself");
}

/* The copy blocks while the fence is unsignalled, then completes. */
static void check_copy_blocked_by(const char *vgem_key, bool fence_source, bool write)
{
	struct fenced_bo fenced = fenced_new(vgem_key);
	struct shared_bo other = shared_new_checked(EXP_PH_EDU, SMALL_SIZE);
	uint32_t src = fence_source ? fenced.bo.handle : other.handle;
	uint32_t dst = fence_source ? other.handle : fenced.bo.handle;
	struct async_copy copy;
	unsigned long irqs;
	uint32_t fence;

	shared_fill(&fenced.bo, 6);
	shared_fill(&other, 7);
	fence = vgem_fence_attach(fenced.vgem, fenced.vgem_handle, write ? PH_VGEM_FENCE_WRITE : 0);
	irqs = edu_interrupts();
	async_copy_start(&copy, src, 0, dst, 4096);
	assert_held_by_fence(&copy, irqs, fenced.bo.dmabuf, !write);
	vgem_fence_signal(fenced.vgem, fence);
	pthread_join(copy.thread, NULL);
	if (dma_works) {
		igt_assert_eq(copy.result, 0);
		/*
		 * Not when the destination is the fenced buffer in the swiotlb
		 * boot: the vgem that holds the fence also holds a bounced
		 * mapping of it, which the engine's copy (through ph_edu's own
		 * mapping) left stale, and CPU access syncs every mapping
		 * back. A known limit of bounce buffers with two mappings of
		 * one page (see Documentation/gpu/prime-helpers.rst).
		 */
		if (fence_source || !bounced)
			shared_cpu_read(fence_source ? &other : &fenced.bo);
		assert_same_bytes(fence_source ? other.cpu : fenced.bo.cpu,
				  fence_source ? fenced.bo.cpu : other.cpu, 4096, "copied page");
	} else {
		/* It waited all the same; the engine then cannot reach the pages. */
		igt_assert_eq(copy.result, -EIO);
	}
	shared_free(&other);
	fenced_free(&fenced);
}

/* A reader on the source does not hold the copy up. */
static void check_copy_ignores_source_reader(void)
{
	struct fenced_bo fenced = fenced_new(DRIVER_PH_VGEM);
	struct shared_bo other = shared_new_checked(EXP_PH_EDU, SMALL_SIZE);
	uint32_t fence = vgem_fence_attach(fenced.vgem, fenced.vgem_handle, 0);
	int ret;

	ret = __edu_copy(edu, fenced.bo.handle, 0, other.handle, 0, 4096);
	igt_assert_eq(ret, dma_works ? 0 : -EIO);
	vgem_fence_signal(fenced.vgem, fence);
	shared_free(&other);
	fenced_free(&fenced);
}

/* A stock vgem buffer, fenced by its exporter, as the source: the classic case. */
static void check_copy_waits_for_stock_exporter_fence(void)
{
	struct shared_bo src, dst;
	struct async_copy copy;
	unsigned long irqs;
	uint32_t fence;

	edu_setup();
	igt_require_f(dma_works, "no DMA path: ph_edu cannot import a stock vgem buffer\n");
	src = shared_new_checked(EXP_STOCK_VGEM, SMALL_SIZE);
	dst = shared_new_checked(EXP_PH_EDU, SMALL_SIZE);
	shared_fill(&src, 8);
	fence = vgem_fence_attach(src.fd, src.exp_handle, PH_VGEM_FENCE_WRITE);
	irqs = edu_interrupts();
	async_copy_start(&copy, src.handle, 0, dst.handle, 3 * 4096);
	assert_held_by_fence(&copy, irqs, src.dmabuf, false);
	vgem_fence_signal(src.fd, fence);
	pthread_join(copy.thread, NULL);
	igt_assert_eq(copy.result, 0);
	shared_cpu_read(&dst);
	assert_same_bytes(dst.cpu, src.cpu, 3 * 4096, "copied pages");
	shared_free(&dst);
	shared_free(&src);
}

static void check_fence_timeout(void)
{
	unsigned int saved = edu_fence_timeout_ms();
	struct fenced_bo fenced = fenced_new(DRIVER_PH_VGEM);
	struct shared_bo other = shared_new_checked(EXP_PH_EDU, SMALL_SIZE);
	uint32_t fence;
	uint64_t sum;
	unsigned long irqs;
	double t0, waited;
	int ret;

	fence = vgem_fence_attach(fenced.vgem, fenced.vgem_handle, PH_VGEM_FENCE_WRITE);
	edu_set_fence_timeout_ms(BLOCK_MS);
	irqs = edu_interrupts();
	t0 = now_ms();
	ret = __edu_copy(edu, fenced.bo.handle, 0, other.handle, 0, 4096);
	waited = now_ms() - t0;
	igt_assert_eq(__edu_checksum(edu, fenced.bo.handle, 0, 4096, &sum), -ETIMEDOUT);
	edu_set_fence_timeout_ms(saved);
	igt_assert_eq(ret, -ETIMEDOUT);
	igt_info("gave up after %.0f ms (timeout %u ms)\n", waited, BLOCK_MS);
	/* A guarantee, not a window: it never gives up before the timeout. */
	igt_assert_lte(BLOCK_MS - 20, waited);
	/* Nothing was transferred, and the fence is what it gave up on. */
	igt_assert_eq(edu_interrupts(), irqs);
	igt_assert(prime_busy(fenced.bo.dmabuf, false));
	vgem_fence_signal(fenced.vgem, fence);
	shared_free(&other);
	fenced_free(&fenced);
}

static void on_alarm(int sig)
{
	(void)sig;
}

static void check_fence_wait_interrupted(void)
{
	struct sigaction sa = { .sa_handler = on_alarm }, old;
	struct itimerval timer = { .it_value = { .tv_usec = BLOCK_MS * 1000 } };
	struct fenced_bo fenced = fenced_new(DRIVER_PH_VGEM);
	struct shared_bo other = shared_new_checked(EXP_PH_EDU, SMALL_SIZE);
	uint32_t fence;
	int ret;

	fence = vgem_fence_attach(fenced.vgem, fenced.vgem_handle, PH_VGEM_FENCE_WRITE);
	/* No SA_RESTART: the interrupted wait surfaces as EINTR. */
	igt_assert_eq(sigaction(SIGALRM, &sa, &old), 0);
	igt_assert_eq(setitimer(ITIMER_REAL, &timer, NULL), 0);
	ret = __edu_copy(edu, fenced.bo.handle, 0, other.handle, 0, 4096);
	sigaction(SIGALRM, &old, NULL);
	igt_assert_eq(ret, -EINTR);
	vgem_fence_signal(fenced.vgem, fence);
	shared_free(&other);
	fenced_free(&fenced);
}

static uint64_t cpu_sum(const uint8_t *p, size_t len)
{
	uint64_t sum = 0;

	while (len--)
		sum += *p++;
	return sum;
}

/* The kernel's sum, read through vmap (and CPU access for imports), matches ours. */
static uint64_t checksum_nested(uint32_t handle, uint64_t offset, uint64_t length)
{
	struct ph_edu_checksum arg = {
		.handle = handle, .flags = PH_EDU_CHECKSUM_NESTED_VMAPS,
		.offset = offset, .length = length,
	};

	igt_assert_eq(__edu_checksum_args(edu, &arg), 0);
	return arg.sum;
}

static void check_checksum(enum exporter e)
{
	struct ph_stats before, during, after;
	struct shared_bo bo;
	struct ph_object obj;
	int vmaps_before;

	if (e == EXP_STOCK_VGEM && lockdep_confuses_stock_vmap())
		igt_skip("6.1 with lockdep: the stock vmap's lock order is reported as a "
			 "cycle between exporters and importers (false positive, see "
			 "lockdep_confuses_stock_vmap()), which would switch lockdep off "
			 "for the rest of the boot\n");
	ph_stats_read(&before);
	bo = shared_new_checked(e, BIG_SIZE);
	if (!bo.handle) {
		igt_info("no IOMMU: the import was refused with EIO, as designed\n");
		shared_free(&bo);
		return;
	}
	shared_fill(&bo, 9);
	vmaps_before = 0;
	if (e != EXP_STOCK_VGEM) {
		obj = ph_object_get(bo.fd, dumb_map_offset(bo.fd, bo.exp_handle));
		vmaps_before = obj.vmaps;
	}
	igt_assert_eq_u64(edu_checksum(edu, bo.handle, 0, BIG_SIZE), cpu_sum(bo.cpu, BIG_SIZE));
	igt_assert_eq_u64(edu_checksum(edu, bo.handle, 4095, 3 * 4096 + 7),
			  cpu_sum(bo.cpu + 4095, 3 * 4096 + 7));
	igt_assert_eq_u64(edu_checksum(edu, bo.handle, BIG_SIZE - 1, 1), bo.cpu[BIG_SIZE - 1]);
	/* Page by page through nested vmaps: the same sums. */
	igt_assert_eq_u64(checksum_nested(bo.handle, 0, BIG_SIZE), cpu_sum(bo.cpu, BIG_SIZE));
	igt_assert_eq_u64(checksum_nested(bo.handle, 4095, 3 * 4096 + 7),
			  cpu_sum(bo.cpu + 4095, 3 * 4096 + 7));
	/* Every vmap the checksum took was given back. */
	ph_stats_read(&during);
	igt_assert_eq(during.vmaps, before.vmaps);
	if (e != EXP_STOCK_VGEM) {
		obj = ph_object_get(bo.fd, dumb_map_offset(bo.fd, bo.exp_handle));
		igt_assert_eq(obj.vmaps, vmaps_before);
	}
	shared_free(&bo);
	ph_stats_read(&after);
	ph_stats_assert_equal(&before, &after);
}

/* A non-DRM exporter's buffer, imported into ph_edu, as source and destination. */
static void check_non_drm_exporter(int dmabuf, uint8_t *cpu, const char *what)
{
	struct shared_bo other = shared_new_checked(EXP_PH_EDU, SMALL_SIZE);
	uint8_t *want = malloc(SMALL_SIZE);
	uint32_t handle = 0;
	int ret;

	igt_assert(want);
	ret = __prime_fd_to_handle(edu, dmabuf, &handle);
	if (!dma_works) {
		igt_assert_eq(ret, -EIO);
		igt_info("no IOMMU: the %s import was refused with EIO, as designed\n", what);
		goto out;
	}
	igt_assert_eq(ret, 0);
	prime_sync_start(dmabuf, true);
	fill_random(cpu, SMALL_SIZE, 10);
	prime_sync_end(dmabuf, true);
	shared_fill(&other, 11);
	edu_copy(edu, handle, 4096 + 5, other.handle, 3, 2 * 4096);
	shared_cpu_read(&other);
	assert_same_bytes(other.cpu + 3, cpu + 4096 + 5, 2 * 4096, "copied from the import");
	memcpy(want, cpu, SMALL_SIZE);
	memcpy(want + 8 * 4096 + 1, other.cpu + 100, 4096 + 100);
	edu_copy(edu, other.handle, 100, handle, 8 * 4096 + 1, 4096 + 100);
	prime_sync_start(dmabuf, false);
	prime_sync_end(dmabuf, false);
	assert_same_bytes(cpu, want, SMALL_SIZE, "the import after the copy into it");
	if (!strcmp(what, "udmabuf") && kernel_before(6, 2)) {
		uint64_t sum;

		/* 6.1's udmabuf has no vmap: the kernel cannot map it at all. */
		igt_assert_eq(__edu_checksum(edu, handle, 0, SMALL_SIZE, &sum), -EINVAL);
		igt_info("6.1's udmabuf has no vmap: the kernel checksum is refused with EINVAL\n");
	} else {
		igt_assert_eq_u64(edu_checksum(edu, handle, 0, SMALL_SIZE), cpu_sum(cpu, SMALL_SIZE));
	}
	gem_close(edu, handle);
out:
	free(want);
	shared_free(&other);
}

static void check_udmabuf(void)
{
	int memfd = -1, dmabuf = udmabuf_create(SMALL_SIZE, &memfd);
	uint8_t *cpu;

	igt_require_f(dmabuf != -ENODEV, "this kernel has no /dev/udmabuf\n");
	edu_setup();
	/* Its CPU-access syncs act on its own device's mapping, not on ours. */
	if (bounced) {
		close(dmabuf);
		close(memfd);
		igt_skip("udmabuf syncs only its own mapping for CPU access: under "
			 "swiotlb=force the engine never sees the CPU's bytes (upstream behaviour)\n");
	}
	cpu = mmap(NULL, SMALL_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	igt_assert(cpu != MAP_FAILED);
	check_non_drm_exporter(dmabuf, cpu, "udmabuf");
	munmap(cpu, SMALL_SIZE);
	close(dmabuf);
	close(memfd);
}

static void check_dma_heap(void)
{
	int dmabuf = dma_heap_alloc(SMALL_SIZE);
	uint8_t *cpu;

	igt_require_f(dmabuf != -ENODEV, "this kernel has no system dma-heap\n");
	cpu = prime_mmap(dmabuf, SMALL_SIZE, PROT_READ | PROT_WRITE);
	check_non_drm_exporter(dmabuf, cpu, "dma-heap");
	munmap(cpu, SMALL_SIZE);
	close(dmabuf);
}

/* The boot's DMA path, and what ph_edu does on it. */
static void check_dma_path(void)
{
	struct shared_bo own = shared_new_checked(EXP_PH_EDU, SMALL_SIZE);
	struct shared_bo foreign = shared_new(EXP_PH_VGEM, SMALL_SIZE);
	char name[64], path[32];
	uint32_t again;

	igt_assert(drm_driver_name(edu, name, sizeof(name)));
	igt_assert_eq(strcmp(name, DRIVER_PH_EDU), 0);
	/*
	 * The boot decides the path: a main boot whose IOMMU did not come up
	 * must fail here, not pass everything on the refusal path.
	 */
	edu_dma_path(edu, path, sizeof(path));
	igt_assert_f(!strcmp(path, edu_boot_dma_path()),
		     "ph_edu's DMA path is '%s', this boot was set up for '%s'", path,
		     edu_boot_dma_path());
	/* A self-import needs no mapping: it works on either path. */
	again = prime_fd_to_handle(edu, own.dmabuf);
	igt_assert_eq_u32(again, own.handle);
	if (dma_works) {
		igt_assert_eq(foreign.import_err, 0);
		edu_copy(edu, foreign.handle, 0, own.handle, 0, 16);
	} else {
		igt_assert_eq(foreign.import_err, -EIO);
		igt_assert_eq(__edu_copy(edu, own.handle, 0, own.handle, 4096, 16), -EIO);
	}
	/* The CPU reaches everything on either path. */
	shared_fill(&own, 12);
	igt_assert_eq_u64(edu_checksum(edu, own.handle, 0, SMALL_SIZE),
			  cpu_sum(own.cpu, SMALL_SIZE));
	shared_free(&foreign);
	shared_free(&own);
}

/* Subtests generated per exporter: apart, so setjmp() clobbers no loop counter. */
static void copy_pair_subtests(void)
{
	for (volatile unsigned int from = 0; from < EXP_COUNT; from++)
		for (volatile unsigned int to = 0; to < EXP_COUNT; to++) {
			igt_describe("The engine copies page-crossing ranges of 4 MiB buffers between two exporters.");
			igt_subtest_f("copy-%s-to-%s", exporter_name[from], exporter_name[to])
				check_copy_pair(from, to);
		}
}

static void checksum_subtests(void)
{
	for (volatile unsigned int e = 0; e < EXP_COUNT; e++) {
		igt_describe("The kernel's checksum (vmap, CPU access) equals the CPU's.");
		igt_subtest_f("checksum-%s", exporter_name[e])
			check_checksum(e);
	}
}

igt_main
{
	igt_describe("Which DMA path this boot has, and what ph_edu does on it.");
	igt_subtest("dma-path")
		check_dma_path();

	copy_pair_subtests();

	igt_describe("A copy between two ranges of one buffer.");
	igt_subtest("copy-within-one-buffer")
		check_copy_within_buffer();

	igt_describe("Two copies at once both land, each where it should.");
	igt_subtest("copy-concurrent")
		check_copy_concurrent();

	igt_describe("A second client's one-window copy finishes before a first client's long copy.");
	igt_subtest("copy-shares-engine")
		check_copy_shares_engine();

	igt_describe("Sg tables reach the engine cut to its segment limit, imported or own, huge pages or not.");
	igt_subtest("segments-within-device-limit")
		check_segments_within_device_limit();

	igt_describe("A signal (not only a fatal one) ends a long copy with EINTR.");
	igt_subtest("copy-interrupted-by-signal")
		check_copy_interrupted();

	igt_describe("A copy under 50 ms SA_RESTART timer signals, against a second client, resumes and ends whole.");
	igt_subtest("copy-restarts-under-signals")
		check_copy_restarts_under_signals();

	igt_describe("A copy of 65 pages, through 66 windows of the device's buffer.");
	igt_subtest("copy-many-windows")
		check_copy_large();

	igt_describe("The exporter evicts a buffer ph_edu imported (dynamically) between copies "
		     "where the kernel lets it, and every byte copied in and out is right.");
	igt_subtest("dynamic-import-evicted-between-copies")
		check_dynamic_import_evicted();

	igt_describe("Copies through a dynamic import, and a close and re-import of it, "
		     "against the exporter's shrinker in a loop: every byte right.");
	igt_subtest("dynamic-import-races-shrinker")
		check_dynamic_import_races_shrinker();

	igt_describe("Bad handles, ranges, flags and overlaps: the errnos.");
	igt_subtest("copy-bad-input")
		check_copy_bad_input();

	igt_describe("A write fence on the source (stock vgem) holds the copy until signalled.");
	igt_subtest("copy-waits-for-source-writer-stock-vgem")
		check_copy_blocked_by(DRIVER_STOCK_VGEM, true, true);

	igt_describe("A write fence on the source (ph_vgem) holds the copy until signalled.");
	igt_subtest("copy-waits-for-source-writer-ph-vgem")
		check_copy_blocked_by(DRIVER_PH_VGEM, true, true);

	igt_describe("A read fence on the destination holds the copy until signalled.");
	igt_subtest("copy-waits-for-destination-reader")
		check_copy_blocked_by(DRIVER_PH_VGEM, false, false);

	igt_describe("A read fence on the source does not hold the copy.");
	igt_subtest("copy-ignores-source-reader")
		check_copy_ignores_source_reader();

	igt_describe("A stock vgem buffer fenced by its exporter: ph_edu's import waits.");
	igt_subtest("copy-waits-for-exporter-fence")
		check_copy_waits_for_stock_exporter_fence();

	igt_describe("An unsignalled fence past fence_timeout_ms gives ETIMEDOUT.");
	igt_subtest("fence-timeout")
		check_fence_timeout();

	igt_describe("A signal interrupts the fence wait.");
	igt_subtest("fence-wait-interrupted")
		check_fence_wait_interrupted();

	checksum_subtests();

	igt_describe("A udmabuf imported into ph_edu, copied from and into by the engine.");
	igt_subtest("copy-udmabuf")
		check_udmabuf();

	igt_describe("A system dma-heap buffer imported into ph_edu, copied from and into.");
	igt_subtest("copy-dma-heap")
		check_dma_heap();
}
