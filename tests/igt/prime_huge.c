// SPDX-License-Identifier: MIT
/*
 * Huge pages (ph_vgem only: the stock shmem helper has none on 6.1 and 6.12).
 * Objects of 2 MiB or more are backed by PMD-sized shmem folios and faults
 * map each with one PMD entry, through the GEM mmap (which the library places
 * 2 MiB-aligned) and through the dma-buf mmap (aligned by the caller). The
 * pages keep the data through eviction, fork, mprotect splits and partial
 * mappings, coalesce into few sg segments, and all return to shmem on close.
 *
 * How many huge folios shmem hands out depends on fragmentation, so the
 * checks are relative: every huge folio of an aligned mapping is mapped by
 * exactly one PMD fault, and at least one is expected in a fresh object.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "debugfs.h"
#include "drmtest.h"
#include "dumb.h"
#include "gem.h"
#include "igt.h"
#include "kmsg.h"
#include "prime.h"

#define MIB (1u << 20)
#define PMD (2 * MIB)
#define HUGE_PAGES "/sys/module/prime_helpers/parameters/huge_pages"
#define THP_DIR "/sys/kernel/mm/transparent_hugepage"

static void write_file(const char *path, const char *value)
{
	FILE *f = fopen(path, "w");

	igt_assert_f(f, "cannot open %s: %s\n", path, strerror(errno));
	igt_assert(fputs(value, f) >= 0);
	igt_assert_eq(fclose(f), 0);
}

static void set_huge_pages(bool on)
{
	write_file(HUGE_PAGES, on ? "1\n" : "0\n");
}

/* Best effort: gives shmem free 2 MiB blocks where the kernel can compact. */
static void compact_memory(void)
{
	FILE *f = fopen("/proc/sys/vm/compact_memory", "w");

	if (f) {
		fputs("1\n", f);
		fclose(f);
	}
}

static void require_thp(void)
{
	igt_require_f(access(THP_DIR, F_OK) == 0,
		      "the kernel has no transparent huge pages (%s missing)\n", THP_DIR);
	set_huge_pages(true);
	compact_memory();
}

/* A kB value of /proc/meminfo. */
static long meminfo_kb(const char *key)
{
	char line[128];
	size_t len = strlen(key);
	long kb = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	igt_assert(f);
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, len) && line[len] == ':')
			kb = strtol(line + len + 1, NULL, 10);
	fclose(f);
	igt_assert_f(kb >= 0, "no %s in /proc/meminfo", key);
	return kb;
}

/* An inaccessible reservation with a 2 MiB-aligned stretch of @size bytes. */
struct reservation {
	uint8_t *base;
	size_t len;
	uint8_t *aligned;
};

static struct reservation reserve_aligned(size_t size)
{
	struct reservation r = { .len = size + PMD };

	r.base = mmap(NULL, r.len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	igt_assert(r.base != MAP_FAILED);
	r.aligned = (uint8_t *)(((uintptr_t)r.base + PMD - 1) & ~((uintptr_t)PMD - 1));
	return r;
}

/* Maps @size bytes of @fd at @offset to exactly @addr. */
static uint32_t *map_at(void *addr, size_t size, int fd, off_t offset)
{
	void *ptr = mmap(addr, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, offset);

	igt_assert_f(ptr == addr, "mmap at %p: %s", addr, strerror(errno));
	return ptr;
}

static struct ph_object object_of(int fd, uint32_t handle)
{
	return ph_object_get(fd, dumb_map_offset(fd, handle));
}

/* Every huge folio under an aligned, fully touched mapping took one PMD fault. */
static void assert_pmd_mapped(int fd, uint32_t handle, unsigned int expect_folios)
{
	struct ph_object o = object_of(fd, handle);

	igt_info("%llu MiB object: %u huge folios (of %u possible), %llu faults, %llu PMD\n",
		 (unsigned long long)(o.size / MIB), o.huge, expect_folios,
		 (unsigned long long)o.faults, (unsigned long long)o.pmd_faults);
	igt_assert_f(o.huge >= 1, "no huge folio at all in a fresh %llu MiB object",
		     (unsigned long long)(o.size / MIB));
	igt_assert_lte(o.huge, expect_folios);
	igt_assert_eq_u64(o.pmd_faults, o.huge);
}

static void check_gem_mmap_pmd(void)
{
	int fd = drm_open_card(DRIVER_PH_VGEM, 0);
	struct dumb_bo bo;
	uint32_t *cpu;

	require_thp();
	bo = dumb_create_size(fd, 8 * MIB);
	cpu = dumb_mmap(fd, bo.handle, 8 * MIB, PROT_READ | PROT_WRITE);
	igt_assert_f(((uintptr_t)cpu & (PMD - 1)) == 0,
		     "GEM mmap of 8 MiB at %p, not 2 MiB-aligned", cpu);
	fill_pattern(cpu, 8 * MIB, 1);
	assert_pmd_mapped(fd, bo.handle, 4);
	igt_assert_pattern(cpu, 8 * MIB, 1);
	munmap(cpu, 8 * MIB);
	gem_close(fd, bo.handle);
	close(fd);
}

static void check_dmabuf_mmap_pmd(void)
{
	int fd = drm_open_card(DRIVER_PH_VGEM, 0);
	struct reservation r;
	struct dumb_bo bo;
	uint32_t *buf, *gem;
	int dmabuf;

	require_thp();
	bo = dumb_create_size(fd, 8 * MIB);
	igt_assert_eq(__prime_handle_to_fd(fd, bo.handle, DRM_CLOEXEC | DRM_RDWR, &dmabuf), 0);
	r = reserve_aligned(8 * MIB);
	buf = map_at(r.aligned, 8 * MIB, dmabuf, 0);
	fill_pattern(buf, 8 * MIB, 2);
	assert_pmd_mapped(fd, bo.handle, 4);
	gem = dumb_mmap(fd, bo.handle, 8 * MIB, PROT_READ);
	igt_assert_pattern(gem, 8 * MIB, 2);
	munmap(gem, 8 * MIB);
	munmap(r.base, r.len);
	close(dmabuf);
	gem_close(fd, bo.handle);
	close(fd);
}

/* A mapping 4 KiB off the 2 MiB grid cannot use PMDs: PTEs, same data. */
static void check_unaligned_uses_ptes(void)
{
	int fd = drm_open_card(DRIVER_PH_VGEM, 0);
	struct reservation r;
	struct dumb_bo bo;
	struct ph_object o;
	uint32_t *cpu;

	require_thp();
	bo = dumb_create_size(fd, 4 * MIB);
	r = reserve_aligned(4 * MIB + 4096);
	cpu = map_at(r.aligned + 4096, 4 * MIB, fd, dumb_map_offset(fd, bo.handle));
	fill_pattern(cpu, 4 * MIB, 3);
	igt_assert_pattern(cpu, 4 * MIB, 3);
	o = object_of(fd, bo.handle);
	igt_info("unaligned 4 MiB: %u huge folios, %llu faults, %llu PMD\n", o.huge,
		 (unsigned long long)o.faults, (unsigned long long)o.pmd_faults);
	igt_assert_eq_u64(o.pmd_faults, 0);
	igt_assert_lte(1, o.faults);
	munmap(r.base, r.len);
	gem_close(fd, bo.handle);
	close(fd);
}

/*
 * 3 MiB: only the first 2 MiB can be one folio (huge=within_size). A window
 * of the second MiB alone, and the whole object, read the same words.
 */
static void check_partial_object(void)
{
	int fd = drm_open_card(DRIVER_PH_VGEM, 0);
	struct dumb_bo bo;
	uint32_t *cpu, *window;
	struct ph_object o;
	int dmabuf;

	require_thp();
	bo = dumb_create_size(fd, 3 * MIB);
	cpu = dumb_mmap(fd, bo.handle, 3 * MIB, PROT_READ | PROT_WRITE);
	fill_pattern(cpu, 3 * MIB, 4);
	o = object_of(fd, bo.handle);
	igt_assert_lte(o.huge, 1);
	igt_assert_eq_u64(o.pmd_faults, o.huge);
	/* GEM mmaps cover whole objects; a dma-buf maps from any page. */
	dmabuf = prime_handle_to_fd(fd, bo.handle);
	window = mmap(NULL, MIB, PROT_READ, MAP_SHARED, dmabuf, MIB);
	igt_assert(window != MAP_FAILED);
	igt_assert(!memcmp(window, (uint8_t *)cpu + MIB, MIB));
	igt_assert_eq_u64(object_of(fd, bo.handle).pmd_faults, o.pmd_faults);
	munmap(window, MIB);
	close(dmabuf);
	munmap(cpu, 3 * MIB);
	gem_close(fd, bo.handle);
	close(fd);
}

/* Eviction zaps the PMDs; the next access maps the pages back, data intact. */
static void check_evict_and_refault(void)
{
	int fd = drm_open_card(DRIVER_PH_VGEM, 0);
	struct dumb_bo bo;
	struct ph_object before, after;
	uint32_t *cpu;

	require_thp();
	bo = dumb_create_size(fd, 4 * MIB);
	cpu = dumb_mmap(fd, bo.handle, 4 * MIB, PROT_READ | PROT_WRITE);
	fill_pattern(cpu, 4 * MIB, 5);
	before = object_of(fd, bo.handle);
	ph_evict(fd);
	igt_assert_eq(object_of(fd, bo.handle).segments, 0);
	igt_assert_pattern(cpu, 4 * MIB, 5);
	after = object_of(fd, bo.handle);
	igt_info("before eviction %u huge, %llu PMD faults; after %u huge, %llu\n", before.huge,
		 (unsigned long long)before.pmd_faults, after.huge,
		 (unsigned long long)after.pmd_faults);
	igt_assert_lte(1, before.pmd_faults);
	igt_assert_lte(after.faults, before.faults + 4 * MIB / 4096);
	igt_assert_lt(before.faults, after.faults);
	munmap(cpu, 4 * MIB);
	gem_close(fd, bo.handle);
	close(fd);
}

/* fork() does not copy PFN-mapped PMDs: the child faults its own, same pages. */
static void check_forked(void)
{
	int fd = drm_open_card(DRIVER_PH_VGEM, 0);
	struct dumb_bo bo;
	uint32_t *cpu;
	int status;
	pid_t pid;

	require_thp();
	bo = dumb_create_size(fd, 4 * MIB);
	cpu = dumb_mmap(fd, bo.handle, 4 * MIB, PROT_READ | PROT_WRITE);
	fill_pattern(cpu, 4 * MIB, 6);
	pid = fork();
	igt_assert(pid >= 0);
	if (pid == 0) {
		if (check_pattern(cpu, 4 * MIB, 6) >= 0)
			_exit(1);
		fill_pattern(cpu, 4 * MIB, 7);
		_exit(0);
	}
	igt_assert_eq(waitpid(pid, &status, 0), pid);
	igt_assert_f(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		     "child did not read the parent's data (status 0x%x)", status);
	igt_assert_pattern(cpu, 4 * MIB, 7);
	munmap(cpu, 4 * MIB);
	gem_close(fd, bo.handle);
	close(fd);
}

/*
 * mprotect() and munmap() of one page inside a PMD split the mapping; the
 * rest refaults with PTEs and keeps the data; the read-only page refuses a
 * write with SIGSEGV.
 */
static void check_split(void)
{
	int fd = drm_open_card(DRIVER_PH_VGEM, 0);
	struct dumb_bo bo;
	uint32_t *cpu;
	uint8_t *bytes;
	int status;
	pid_t pid;

	require_thp();
	bo = dumb_create_size(fd, 4 * MIB);
	cpu = dumb_mmap(fd, bo.handle, 4 * MIB, PROT_READ | PROT_WRITE);
	bytes = (uint8_t *)cpu;
	fill_pattern(cpu, 4 * MIB, 8);
	igt_assert_eq(mprotect(bytes + MIB, 4096, PROT_READ), 0);
	igt_assert_pattern(cpu, 4 * MIB, 8);
	pid = fork();
	igt_assert(pid >= 0);
	if (pid == 0) {
		bytes[MIB] = 1;
		_exit(0);
	}
	igt_assert_eq(waitpid(pid, &status, 0), pid);
	igt_assert_f(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV,
		     "write to the read-only page: status 0x%x, expected SIGSEGV", status);
	igt_assert_eq(munmap(bytes + 3 * MIB, 4096), 0);
	igt_assert_pattern(cpu, 3 * MIB, 8);
	igt_assert_pattern(bytes + 3 * MIB + 4096, MIB - 4096,
			   8 + (3 * MIB + 4096) / 4);
	munmap(cpu, 3 * MIB);
	munmap(bytes + 3 * MIB + 4096, MIB - 4096);
	gem_close(fd, bo.handle);
	close(fd);
}

/* Objects created with huge_pages=0 have 4 KiB pages and take no PMD fault. */
static void check_param_off(void)
{
	int fd = drm_open_card(DRIVER_PH_VGEM, 0);
	struct dumb_bo bo;
	struct ph_object o;
	uint32_t *cpu;

	require_thp();
	set_huge_pages(false);
	bo = dumb_create_size(fd, 4 * MIB);
	cpu = dumb_mmap(fd, bo.handle, 4 * MIB, PROT_READ | PROT_WRITE);
	fill_pattern(cpu, 4 * MIB, 9);
	set_huge_pages(true);
	igt_assert_pattern(cpu, 4 * MIB, 9);
	o = object_of(fd, bo.handle);
	igt_assert_eq(o.huge, 0);
	igt_assert_eq_u64(o.pmd_faults, 0);
	munmap(cpu, 4 * MIB);
	gem_close(fd, bo.handle);
	close(fd);
}

/*
 * A foreign importer (stock vgem) pins the pages: the sg table has at most
 * one segment per huge folio plus one per remaining 4 KiB page, and the huge
 * folios make it far shorter than the page count.
 */
static void check_sg_coalesced(void)
{
	int fd = drm_open_card(DRIVER_PH_VGEM, 0);
	int vgem = drm_open_card(DRIVER_STOCK_VGEM, 0);
	struct dumb_bo bo;
	struct ph_object o;
	uint32_t imported;
	int dmabuf;

	require_thp();
	bo = dumb_create_size(fd, 8 * MIB);
	dmabuf = prime_handle_to_fd(fd, bo.handle);
	imported = prime_fd_to_handle(vgem, dmabuf);
	o = object_of(fd, bo.handle);
	igt_info("8 MiB pinned by stock vgem: %u huge folios, %u segments\n", o.huge, o.segments);
	igt_assert_lte(1, o.huge);
	igt_assert_lte(1, o.segments);
	igt_assert_lte(o.segments, o.huge + (8 * MIB - o.huge * PMD) / 4096);
	gem_close(vgem, imported);
	close(dmabuf);
	gem_close(fd, bo.handle);
	close(vgem);
	close(fd);
}

/* Every huge folio goes back to shmem when the last user is gone. */
static void check_returned(void)
{
	int fd = drm_open_card(DRIVER_PH_VGEM, 0);
	long base_huge, base_shmem, held_huge;
	struct dumb_bo bo;
	uint32_t *cpu;

	require_thp();
	base_huge = meminfo_kb("ShmemHugePages");
	base_shmem = meminfo_kb("Shmem");
	bo = dumb_create_size(fd, 16 * MIB);
	cpu = dumb_mmap(fd, bo.handle, 16 * MIB, PROT_READ | PROT_WRITE);
	fill_pattern(cpu, 16 * MIB, 10);
	held_huge = meminfo_kb("ShmemHugePages");
	igt_info("ShmemHugePages %ld kB before, %ld kB with 16 MiB held\n", base_huge, held_huge);
	igt_assert_eq(held_huge - base_huge, (long)object_of(fd, bo.handle).huge * (PMD / 1024));
	munmap(cpu, 16 * MIB);
	gem_close(fd, bo.handle);
	close(fd);
	igt_assert_eq(meminfo_kb("ShmemHugePages"), base_huge);
	igt_assert_lte(meminfo_kb("Shmem"), base_shmem + 1024);
}

/* A GEM mmap advised MADV_NOHUGEPAGE before its first touch gets PTEs. */
static void check_nohugepage_advice(void)
{
	int fd = drm_open_card(DRIVER_PH_VGEM, 0);
	struct ph_object o;
	struct dumb_bo bo;
	uint32_t *cpu;

	require_thp();
	bo = dumb_create_size(fd, 4 * MIB);
	cpu = dumb_mmap(fd, bo.handle, 4 * MIB, PROT_READ | PROT_WRITE);
	igt_assert_eq(madvise(cpu, 4 * MIB, MADV_NOHUGEPAGE), 0);
	fill_pattern(cpu, 4 * MIB, 11);
	igt_assert_pattern(cpu, 4 * MIB, 11);
	o = object_of(fd, bo.handle);
	igt_info("MADV_NOHUGEPAGE: %u huge folios, %llu faults, %llu PMD\n", o.huge,
		 (unsigned long long)o.faults, (unsigned long long)o.pmd_faults);
	igt_assert_lte(1, o.faults);
	igt_assert_eq_u64(o.pmd_faults, 0);
	munmap(cpu, 4 * MIB);
	gem_close(fd, bo.handle);
	close(fd);
}

/* A process that set PR_SET_THP_DISABLE gets PTEs; its parent's mapping PMDs. */
static void check_thp_disabled_process(void)
{
	int fd = drm_open_card(DRIVER_PH_VGEM, 0);
	uint64_t offset;
	struct ph_object o;
	struct dumb_bo bo;
	int status;
	pid_t pid;

	require_thp();
	bo = dumb_create_size(fd, 4 * MIB);
	offset = dumb_map_offset(fd, bo.handle);
	pid = fork();
	igt_assert(pid >= 0);
	if (pid == 0) {
		uint32_t *cpu;

		if (prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0))
			_exit(2);
		cpu = mmap(NULL, 4 * MIB, PROT_READ | PROT_WRITE, MAP_SHARED, fd, offset);
		if (cpu == MAP_FAILED)
			_exit(3);
		if (((uintptr_t)cpu & (PMD - 1)) != 0)
			_exit(4);	/* the placement, not the opt-out, would prevent PMDs */
		fill_pattern(cpu, 4 * MIB, 12);
		_exit(check_pattern(cpu, 4 * MIB, 12) >= 0 ? 5 : 0);
	}
	igt_assert_eq(waitpid(pid, &status, 0), pid);
	igt_assert_f(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		     "the THP-disabled child failed (status 0x%x: 2 prctl, 3 mmap, 4 unaligned, 5 data)",
		     status);
	o = object_of(fd, bo.handle);
	igt_info("PR_SET_THP_DISABLE: %u huge folios, %llu faults, %llu PMD\n", o.huge,
		 (unsigned long long)o.faults, (unsigned long long)o.pmd_faults);
	igt_assert_lte(1, o.faults);
	igt_assert_eq_u64(o.pmd_faults, 0);
	gem_close(fd, bo.handle);
	close(fd);
}

/*
 * get_user_pages() must refuse PMD-mapped ranges as it refuses the 4 KiB
 * ones (both are PFN mappings), on every kernel line. vmsplice() of user
 * memory into a pipe takes its pages with fast GUP.
 */
static void check_gup_refused(bool huge)
{
	int fd = drm_open_card(DRIVER_PH_VGEM, 0);
	struct dumb_bo bo;
	struct iovec iov;
	uint32_t *cpu;
	int pipefd[2];

	require_thp();
	set_huge_pages(huge);
	bo = dumb_create_size(fd, 4 * MIB);
	cpu = dumb_mmap(fd, bo.handle, 4 * MIB, PROT_READ | PROT_WRITE);
	fill_pattern(cpu, 4 * MIB, 13);
	set_huge_pages(true);
	if (huge)
		igt_assert_lte(1, object_of(fd, bo.handle).pmd_faults);
	else
		igt_assert_eq_u64(object_of(fd, bo.handle).pmd_faults, 0);
	igt_assert_eq(pipe(pipefd), 0);
	iov = (struct iovec){ .iov_base = cpu, .iov_len = 4096 };
	igt_assert_errno(vmsplice(pipefd[1], &iov, 1, 0), EFAULT);
	iov.iov_base = (uint8_t *)cpu + 2 * MIB + 4096;
	igt_assert_errno(vmsplice(pipefd[1], &iov, 1, 0), EFAULT);
	close(pipefd[0]);
	close(pipefd[1]);
	igt_assert_pattern(cpu, 4 * MIB, 13);
	munmap(cpu, 4 * MIB);
	gem_close(fd, bo.handle);
	close(fd);
}

/*
 * Two threads first-touch the same 2 MiB of fresh objects at once (a read is
 * enough). Both fault on an empty PMD and queue on the object's lock, held
 * while every page of the object is taken; the first maps the huge folio with
 * one PMD, and the second must then see that mapping rather than put a PTE
 * under it (which writes a page-table entry into the folio's first page).
 * Each round checks the whole object still reads as zeroes, and the kernel
 * log for reports of a fault handler gone wrong.
 */
enum touch_path { TOUCH_GEM, TOUCH_DMABUF, TOUCH_IMPORT };

#define RACE_OBJECT (32 * MIB)
#define RACE_THREADS 2

struct first_touch {
	pthread_barrier_t go;
	const volatile uint8_t *ptr;
	unsigned int sum[RACE_THREADS];
};

struct first_touch_reader {
	struct first_touch *t;
	unsigned int index;
};

static void *first_touch_read(void *arg)
{
	struct first_touch_reader *r = arg;

	pthread_barrier_wait(&r->t->go);
	/* Different bytes of the same 2 MiB: both fault on one empty PMD. */
	r->t->sum[r->index] = r->t->ptr[r->index * 4096 + 1];
	return NULL;
}

/* Maps @bo of @fd through @path, 2 MiB-aligned; returns what to unmap. */
static uint8_t *map_for_touch(enum touch_path path, int fd, int importer, uint32_t handle,
			      int *dmabuf, uint32_t *imported, struct reservation *r)
{
	uint8_t *ptr;

	*dmabuf = -1;
	*imported = 0;
	switch (path) {
	case TOUCH_GEM:
		return dumb_mmap(fd, handle, RACE_OBJECT, PROT_READ | PROT_WRITE);
	case TOUCH_DMABUF:
		igt_assert_eq(__prime_handle_to_fd(fd, handle, DRM_CLOEXEC | DRM_RDWR, dmabuf), 0);
		*r = reserve_aligned(RACE_OBJECT);
		return (uint8_t *)map_at(r->aligned, RACE_OBJECT, *dmabuf, 0);
	case TOUCH_IMPORT:
		/* The importer's GEM mmap redirects to the exporter's dma-buf mmap. */
		igt_assert_eq(__prime_handle_to_fd(fd, handle, DRM_CLOEXEC | DRM_RDWR, dmabuf), 0);
		*imported = prime_fd_to_handle(importer, *dmabuf);
		ptr = dumb_mmap(importer, *imported, RACE_OBJECT, PROT_READ | PROT_WRITE);
		igt_assert_f(((uintptr_t)ptr & (PMD - 1)) == 0,
			     "the importer's mmap at %p is not 2 MiB-aligned", ptr);
		return ptr;
	}
	return NULL;
}

static void check_first_touch_race(enum touch_path path)
{
	unsigned int rounds = scale_iterations(16), round, pmd_rounds = 0;
	int fd = drm_open_card(DRIVER_PH_VGEM, 0);
	int importer = path == TOUCH_IMPORT ? drm_open_card(DRIVER_PH_VGEM, 1) : -1;
	struct first_touch_reader readers[RACE_THREADS];
	pthread_t threads[RACE_THREADS];
	struct first_touch t;
	int kmsg;

	require_thp();
	kmsg = kmsg_mark();
	for (round = 0; round < rounds; round++) {
		struct reservation r = { 0 };
		struct dumb_bo bo = dumb_create_size(fd, RACE_OBJECT);
		uint32_t imported;
		uint8_t *ptr;
		long bad;
		int dmabuf;

		ptr = map_for_touch(path, fd, importer, bo.handle, &dmabuf, &imported, &r);
		t.ptr = ptr;
		igt_assert_eq(pthread_barrier_init(&t.go, NULL, RACE_THREADS), 0);
		for (unsigned int i = 0; i < RACE_THREADS; i++) {
			readers[i] = (struct first_touch_reader){ .t = &t, .index = i };
			igt_assert_eq(pthread_create(&threads[i], NULL, first_touch_read,
						     &readers[i]), 0);
		}
		for (unsigned int i = 0; i < RACE_THREADS; i++)
			igt_assert_eq(pthread_join(threads[i], NULL), 0);
		pthread_barrier_destroy(&t.go);

		bad = -1;
		for (size_t q = 0; q < RACE_OBJECT / 8; q++) {
			if (((const uint64_t *)ptr)[q]) {
				bad = q;
				break;
			}
		}
		igt_assert_f(bad < 0, "round %u: fresh object reads 0x%016llx at byte %ld after a two-thread first touch",
			     round, (unsigned long long)((const uint64_t *)ptr)[bad], bad * 8);
		igt_assert_eq(t.sum[0] | t.sum[1], 0);
		if (object_of(fd, bo.handle).pmd_faults)
			pmd_rounds++;

		if (r.base)
			munmap(r.base, r.len);
		else
			munmap(ptr, RACE_OBJECT);
		if (imported)
			gem_close(importer, imported);
		if (dmabuf >= 0)
			close(dmabuf);
		gem_close(fd, bo.handle);
	}
	igt_info("%u rounds of %u MiB, %u of them mapped with PMDs\n", rounds,
		 RACE_OBJECT / MIB, pmd_rounds);
	kmsg_assert_none(kmsg, kmsg_fault_reports);
	igt_assert_lte(1, pmd_rounds);
	if (importer >= 0)
		close(importer);
	close(fd);
}

igt_main
{
	igt_describe("A GEM mmap of 8 MiB is 2 MiB-aligned and every huge folio maps with one PMD.");
	igt_subtest("gem-mmap-pmd")
		check_gem_mmap_pmd();

	igt_describe("A 2 MiB-aligned dma-buf mmap maps huge folios with PMDs too.");
	igt_subtest("dmabuf-mmap-pmd")
		check_dmabuf_mmap_pmd();

	igt_describe("A mapping off the 2 MiB grid falls back to PTEs with the same data.");
	igt_subtest("unaligned-mapping-uses-ptes")
		check_unaligned_uses_ptes();

	igt_describe("A 3 MiB object and a window into it read the same words.");
	igt_subtest("partial-object")
		check_partial_object();

	igt_describe("Eviction zaps PMD mappings; the data comes back on the next access.");
	igt_subtest("evict-and-refault")
		check_evict_and_refault();

	igt_describe("A forked child reads and writes the PMD-mapped object.");
	igt_subtest("forked")
		check_forked();

	igt_describe("mprotect/munmap of one page splits a PMD mapping without losing data.");
	igt_subtest("split-by-mprotect-and-munmap")
		check_split();

	igt_describe("huge_pages=0 gives new objects 4 KiB pages and no PMD faults.");
	igt_subtest("param-off-uses-small-pages")
		check_param_off();

	igt_describe("Huge folios coalesce the sg table a foreign importer maps.");
	igt_subtest("sg-coalesced")
		check_sg_coalesced();

	igt_describe("ShmemHugePages counts the object's huge folios and returns to its base on close.");
	igt_subtest("huge-pages-returned")
		check_returned();

	igt_describe("Two threads first-touch one 2 MiB of fresh objects through the GEM mmap: no PTE under a PMD.");
	igt_subtest("first-touch-race-gem")
		check_first_touch_race(TOUCH_GEM);

	igt_describe("The same through an aligned dma-buf mmap.");
	igt_subtest("first-touch-race-dmabuf")
		check_first_touch_race(TOUCH_DMABUF);

	igt_describe("The same through an importer's GEM mmap, redirected to the exporter.");
	igt_subtest("first-touch-race-import")
		check_first_touch_race(TOUCH_IMPORT);

	igt_describe("MADV_NOHUGEPAGE on a GEM mmap: PTEs only, same data.");
	igt_subtest("nohugepage-advice-uses-ptes")
		check_nohugepage_advice();

	igt_describe("A process with PR_SET_THP_DISABLE maps the object with PTEs only.");
	igt_subtest("thp-disabled-process-uses-ptes")
		check_thp_disabled_process();

	igt_describe("get_user_pages (vmsplice) refuses a PMD-mapped range with EFAULT.");
	igt_subtest("gup-refused-pmd")
		check_gup_refused(true);

	igt_describe("... and a PTE-mapped one, the same way.");
	igt_subtest("gup-refused-pte")
		check_gup_refused(false);
}
