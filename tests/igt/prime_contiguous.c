// SPDX-License-Identifier: MIT
/*
 * DMA-contiguous objects, the library's second backing store, through the
 * edu driver that offers them (PH_EDU_CREATE_CONTIGUOUS): created whole and
 * zeroed, one segment, mapped by the CPU, the kernel and the DMA engine,
 * exported and imported through the same PRIME code as shmem objects, never
 * evicted. And the contiguous import path, through ph_vgem's
 * contiguous_imports parameter: a device without an IOMMU that needs
 * contiguous buffers takes edu's contiguous ones and refuses scattered shmem
 * ones with EINVAL, leaking nothing.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "debugfs.h"
#include "drmtest.h"
#include "dumb.h"
#include "edu.h"
#include "gem.h"
#include "igt.h"
#include "prime.h"
#include "sieve.h"

#define CONTIG_SIZE (1u << 20)
#define SCATTERED_SIZE (1u << 20)
#define CONTIGUOUS_IMPORTS "/sys/module/ph_vgem/parameters/contiguous_imports"

/* An edu object with its CPU mapping and its debugfs line. */
struct edu_bo {
	int fd;
	uint32_t handle;
	uint64_t offset;
	uint8_t *cpu;
	size_t size;
};

/* On @fd, which the object then owns, as handles belong to their file. */
static struct edu_bo edu_bo_new_on(int fd, size_t size, uint32_t flags)
{
	struct edu_bo bo = { .fd = fd, .size = size };

	bo.handle = edu_create(bo.fd, size, flags);
	bo.offset = dumb_map_offset(bo.fd, bo.handle);
	bo.cpu = dumb_mmap(bo.fd, bo.handle, size, PROT_READ | PROT_WRITE);
	return bo;
}

static struct edu_bo edu_bo_new(size_t size, uint32_t flags)
{
	return edu_bo_new_on(edu_open_card(), size, flags);
}

static void edu_bo_free(struct edu_bo *bo)
{
	munmap(bo->cpu, bo->size);
	gem_close(bo->fd, bo->handle);
	close(bo->fd);
}

static struct ph_object edu_bo_debugfs(struct edu_bo *bo)
{
	return ph_object_get(bo->fd, bo->offset);
}

static uint64_t cpu_sum(const uint8_t *p, size_t size)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < size; i++)
		sum += p[i];
	return sum;
}

static void assert_same_bytes(const uint8_t *got, const uint8_t *want, size_t size,
			      const char *what)
{
	size_t i;

	for (i = 0; i < size; i++)
		igt_assert_f(got[i] == want[i], "%s: byte %zu of %zu is 0x%02x, not 0x%02x\n",
			     what, i, size, got[i], want[i]);
}

static void set_contiguous_imports(bool on)
{
	int fd = open(CONTIGUOUS_IMPORTS, O_WRONLY);

	igt_assert_f(fd >= 0, "cannot open %s: %s (is ph_vgem loaded?)", CONTIGUOUS_IMPORTS,
		     strerror(errno));
	igt_assert_eq(write(fd, on ? "Y" : "N", 1), 1);
	close(fd);
}

static void check_create_bad_input(void)
{
	struct ph_stats before, after;
	int fd = edu_open_card();
	uint32_t handle;

	ph_stats_read(&before);
	igt_assert_eq(__edu_create(fd, 4096, 1u << 1, &handle), -EINVAL);
	igt_assert_eq(__edu_create(fd, 4096, ~0u, &handle), -EINVAL);
	igt_assert_eq(__edu_create(fd, 0, 0, &handle), -EINVAL);
	igt_assert_eq(__edu_create(fd, 0, PH_EDU_CREATE_CONTIGUOUS, &handle), -EINVAL);
	igt_assert_eq(__edu_create(fd, UINT64_MAX, 0, &handle), -EINVAL);
	igt_assert_eq(__edu_create(fd, UINT64_MAX, PH_EDU_CREATE_CONTIGUOUS, &handle), -EINVAL);
	/* No page allocator or CMA area of this guest has 1 GiB in one piece. */
	igt_assert_eq(__edu_create(fd, 1ull << 30, PH_EDU_CREATE_CONTIGUOUS, &handle), -ENOMEM);
	ph_stats_read(&after);
	ph_stats_assert_equal(&before, &after);
	close(fd);
}

static void check_create_contiguous(void)
{
	struct edu_bo bo = edu_bo_new(CONTIG_SIZE + 100, PH_EDU_CREATE_CONTIGUOUS);
	struct ph_object o = edu_bo_debugfs(&bo);

	/* Rounded up to pages, allocated whole before any fault, one block. */
	igt_assert_eq_u64(o.size, CONTIG_SIZE + 4096);
	igt_assert_f(!strcmp(o.store, "dma"), "store is '%s', not dma", o.store);
	igt_assert_eq(o.segments, 1);
	igt_assert_eq_u64(o.faults, 0);

	igt_assert(is_zeroed(bo.cpu, bo.size));
	fill_pattern(bo.cpu, CONTIG_SIZE, 7);
	igt_assert_pattern(bo.cpu, CONTIG_SIZE, 7);
	/* The kernel's mapping (CHECKSUM vmaps) sees what the CPU mmap wrote. */
	igt_assert_eq_u64(edu_checksum(bo.fd, bo.handle, 0, CONTIG_SIZE),
			  cpu_sum(bo.cpu, CONTIG_SIZE));
	o = edu_bo_debugfs(&bo);
	igt_assert_eq(o.vmaps, 0);
	igt_assert_eq(o.segments, 1);
	edu_bo_free(&bo);
}

static void check_create_shmem(void)
{
	struct edu_bo bo = edu_bo_new(CONTIG_SIZE, 0);
	struct ph_object o = edu_bo_debugfs(&bo);

	/* Nothing allocated until the first use. */
	igt_assert_f(!strcmp(o.store, "shmem"), "store is '%s', not shmem", o.store);
	igt_assert_eq(o.segments, 0);
	igt_assert(is_zeroed(bo.cpu, bo.size));
	o = edu_bo_debugfs(&bo);
	igt_assert_lte(1, o.segments);
	edu_bo_free(&bo);
}

/*
 * The importer's view of an imported buffer. The stock vgem refuses to mmap
 * its imports (EINVAL, upstream's rule) but re-exports them as the original
 * dma-buf, whose mmap then shows what the importer holds; ph_vgem's GEM mmap
 * of an import is redirected to the exporter.
 */
static uint8_t *importer_mmap(const char *importer, int imp, uint32_t imp_handle, int dmabuf)
{
	uint8_t *cpu;
	int again;

	if (!strcmp(importer, DRIVER_STOCK_VGEM)) {
		again = prime_handle_to_fd_for_mmap(imp, imp_handle);
		igt_assert_eq(fd_inode(again), fd_inode(dmabuf));
		cpu = prime_mmap(again, CONTIG_SIZE, PROT_READ | PROT_WRITE);
		close(again);
		return cpu;
	}
	return dumb_mmap(imp, imp_handle, CONTIG_SIZE, PROT_READ | PROT_WRITE);
}

static void check_export(const char *importer)
{
	struct edu_bo bo = edu_bo_new(CONTIG_SIZE, PH_EDU_CREATE_CONTIGUOUS);
	struct ph_stats before, after;
	uint8_t *imp_cpu, *buf_cpu;
	uint32_t imp_handle;
	int imp, dmabuf;

	ph_stats_read(&before);
	imp = drm_open_card(importer, 0);
	fill_pattern(bo.cpu, CONTIG_SIZE, 11);
	dmabuf = prime_handle_to_fd_for_mmap(bo.fd, bo.handle);
	imp_handle = prime_fd_to_handle(imp, dmabuf);
	imp_cpu = importer_mmap(importer, imp, imp_handle, dmabuf);
	buf_cpu = prime_mmap(dmabuf, CONTIG_SIZE, PROT_READ | PROT_WRITE);

	/* Three mappings, one set of pages. */
	igt_assert_pattern(imp_cpu, CONTIG_SIZE, 11);
	igt_assert_pattern(buf_cpu, CONTIG_SIZE, 11);
	fill_pattern(imp_cpu, CONTIG_SIZE, 12);
	igt_assert_pattern(bo.cpu, CONTIG_SIZE, 12);
	fill_pattern(buf_cpu, CONTIG_SIZE, 13);
	igt_assert_pattern(bo.cpu, CONTIG_SIZE, 13);
	igt_assert_pattern(imp_cpu, CONTIG_SIZE, 13);

	if (!strcmp(importer, DRIVER_PH_VGEM)) {
		struct ph_object o = ph_object_get(imp, dumb_map_offset(imp, imp_handle));

		igt_assert_f(!strcmp(o.store, "import"), "store is '%s'", o.store);
		igt_assert_eq(o.imported, 1);
		/* No IOMMU in front of vgem: contiguous pages, one DMA range. */
		igt_assert_eq(o.segments, 1);
	}

	munmap(buf_cpu, CONTIG_SIZE);
	munmap(imp_cpu, CONTIG_SIZE);
	gem_close(imp, imp_handle);
	close(dmabuf);
	close(imp);
	edu_bo_free(&bo);
	ph_stats_read(&after);
	after.objects++;	/* bo was created before the baseline */
	ph_stats_assert_equal(&before, &after);
}

static void check_self_import(void)
{
	struct edu_bo bo = edu_bo_new(CONTIG_SIZE, PH_EDU_CREATE_CONTIGUOUS);
	int dmabuf = prime_handle_to_fd(bo.fd, bo.handle);

	igt_assert_eq_u32(prime_fd_to_handle(bo.fd, dmabuf), bo.handle);
	igt_assert_eq(edu_bo_debugfs(&bo).imported, 0);
	close(dmabuf);
	edu_bo_free(&bo);
}

static void check_copy(void)
{
	struct edu_bo contig = edu_bo_new(CONTIG_SIZE, PH_EDU_CREATE_CONTIGUOUS);
	/* Both on one file: the ioctl names them by handle. */
	struct edu_bo shmem = edu_bo_new_on(dup(contig.fd), CONTIG_SIZE, 0);
	struct ph_edu_copy arg = {
		.src_handle = contig.handle, .dst_handle = shmem.handle,
		.src_offset = 4096 * 3 + 5, .dst_offset = 4096 * 7 + 1, .length = 6000,
	};
	char path[256];
	int ret;

	if (!edu_dma_works(contig.fd, path, sizeof(path)))
		igt_skip("the engine reaches no memory in this boot (%s)\n",
			 path);

	fill_pattern(contig.cpu, CONTIG_SIZE, 21);
	fill_pattern(shmem.cpu, CONTIG_SIZE, 22);
	ret = __edu_copy_args(contig.fd, &arg);
	igt_assert_eq(ret, 0);
	igt_assert_eq(arg.src_segments, 1);
	igt_assert_lte(1, arg.dst_segments);
	assert_same_bytes(shmem.cpu + arg.dst_offset, contig.cpu + arg.src_offset, arg.length,
			  "contiguous -> shmem");

	/* And back, into another place of the contiguous object. */
	fill_pattern(shmem.cpu, CONTIG_SIZE, 23);
	arg = (struct ph_edu_copy){
		.src_handle = shmem.handle, .dst_handle = contig.handle,
		.src_offset = 4096 * 9 + 3, .dst_offset = 100, .length = 5000,
	};
	igt_assert_eq(__edu_copy_args(contig.fd, &arg), 0);
	igt_assert_eq(arg.dst_segments, 1);
	assert_same_bytes(contig.cpu + 100, shmem.cpu + 4096 * 9 + 3, 5000, "shmem -> contiguous");
	edu_bo_free(&shmem);
	edu_bo_free(&contig);
}

static void check_not_evicted(void)
{
	struct edu_bo bo = edu_bo_new(CONTIG_SIZE, PH_EDU_CREATE_CONTIGUOUS);
	struct ph_object o;
	uint64_t faults;

	fill_pattern(bo.cpu, CONTIG_SIZE, 31);
	faults = edu_bo_debugfs(&bo).faults;
	igt_assert_lt(0, faults);
	ph_evict(bo.fd);
	/* The mapping survived: reading it faults nothing in again. */
	igt_assert_pattern(bo.cpu, CONTIG_SIZE, 31);
	o = edu_bo_debugfs(&bo);
	igt_assert_eq_u64(o.faults, faults);
	igt_assert_eq(o.segments, 1);
	edu_bo_free(&bo);
}

static void check_exporter_closed_first(void)
{
	struct edu_bo bo = edu_bo_new(CONTIG_SIZE, PH_EDU_CREATE_CONTIGUOUS);
	struct ph_stats before, after;
	int imp = drm_open_card(DRIVER_STOCK_VGEM, 0);
	uint32_t imp_handle;
	uint8_t *imp_cpu;
	int dmabuf;

	fill_pattern(bo.cpu, CONTIG_SIZE, 41);
	dmabuf = prime_handle_to_fd(bo.fd, bo.handle);
	imp_handle = prime_fd_to_handle(imp, dmabuf);
	close(dmabuf);
	edu_bo_free(&bo);
	/* Stock vgem's import keeps the block alive through its dma-buf. */
	dmabuf = prime_handle_to_fd_for_mmap(imp, imp_handle);
	imp_cpu = prime_mmap(dmabuf, CONTIG_SIZE, PROT_READ);
	close(dmabuf);
	igt_assert_pattern(imp_cpu, CONTIG_SIZE, 41);
	ph_stats_read(&before);
	munmap(imp_cpu, CONTIG_SIZE);
	gem_close(imp, imp_handle);
	/* Its last holder gone, the object and its dma-buf go too. */
	ph_stats_read(&after);
	igt_assert_eq(after.objects, before.objects - 1);
	igt_assert_eq(after.dma_bufs, before.dma_bufs - 1);
	close(imp);
}

static void check_contiguous_import_accepted(void)
{
	struct edu_bo bo = edu_bo_new(CONTIG_SIZE, PH_EDU_CREATE_CONTIGUOUS);
	int imp = drm_open_card(DRIVER_PH_VGEM, 0);
	struct ph_object o;
	uint32_t imp_handle;
	uint8_t *imp_cpu;
	int dmabuf;

	fill_pattern(bo.cpu, CONTIG_SIZE, 51);
	dmabuf = prime_handle_to_fd(bo.fd, bo.handle);
	set_contiguous_imports(true);
	imp_handle = prime_fd_to_handle(imp, dmabuf);
	set_contiguous_imports(false);
	o = ph_object_get(imp, dumb_map_offset(imp, imp_handle));
	igt_assert_eq(o.segments, 1);
	imp_cpu = dumb_mmap(imp, imp_handle, CONTIG_SIZE, PROT_READ);
	igt_assert_pattern(imp_cpu, CONTIG_SIZE, 51);
	munmap(imp_cpu, CONTIG_SIZE);
	gem_close(imp, imp_handle);
	close(dmabuf);
	close(imp);
	edu_bo_free(&bo);
}

static void check_contiguous_import_refuses_scattered(void)
{
	int exp = drm_open_card(DRIVER_PH_VGEM, 0);
	int imp = drm_open_card(DRIVER_PH_VGEM, 1);
	struct ph_stats before, after;
	struct dumb_bo bo;
	struct sieve sieve;
	struct ph_object o;
	uint32_t handle;
	uint8_t *cpu;
	int dmabuf;

	bo = dumb_create_size(exp, SCATTERED_SIZE);
	cpu = dumb_mmap(exp, bo.handle, SCATTERED_SIZE, PROT_READ | PROT_WRITE);
	sieve_new(&sieve);
	fill_pattern(cpu, SCATTERED_SIZE, 61);
	sieve_free(&sieve);
	o = ph_object_get(exp, dumb_map_offset(exp, bo.handle));
	igt_require_f(o.segments > 1, "the shmem pages came out contiguous despite the sieve\n");
	igt_info("scattered buffer: %u segments\n", o.segments);
	dmabuf = prime_handle_to_fd(exp, bo.handle);

	ph_stats_read(&before);
	set_contiguous_imports(true);
	igt_assert_eq(__prime_fd_to_handle(imp, dmabuf, &handle), -EINVAL);
	igt_assert_eq(__prime_fd_to_handle(imp, dmabuf, &handle), -EINVAL);
	set_contiguous_imports(false);
	ph_stats_read(&after);
	ph_stats_assert_equal(&before, &after);
	igt_assert_pattern(cpu, SCATTERED_SIZE, 61);

	/* The same dma-buf is fine for the importer that takes any sg table. */
	handle = prime_fd_to_handle(imp, dmabuf);
	o = ph_object_get(imp, dumb_map_offset(imp, handle));
	igt_assert_lt(1, o.segments);
	gem_close(imp, handle);

	munmap(cpu, SCATTERED_SIZE);
	close(dmabuf);
	gem_close(exp, bo.handle);
	close(imp);
	close(exp);
}

static sigjmp_buf sigbus_jmp;

static void on_sigbus(int sig)
{
	(void)sig;
	siglongjmp(sigbus_jmp, 1);
}

/*
 * Creation is lazy, so objects far bigger than memory can exist; the first
 * use that needs their pages fails cleanly: ENOMEM for the kernel mapping and
 * the engine, SIGBUS for a CPU access, no kernel warning, nothing leaked.
 * 16 TiB also has more pages than the core's page array counts.
 */
static void check_huge_objects(void)
{
	static const uint64_t sizes[] = { 3ull << 30, 1ull << 40, 1ull << 44 };
	struct ph_stats before, after;
	int fd = edu_open_card();
	unsigned int i;

	ph_stats_read(&before);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint32_t handle = edu_create(fd, sizes[i], 0), small;
		struct sigaction sa = { .sa_handler = on_sigbus }, old;
		volatile uint8_t *cpu;
		uint64_t sum, offset;
		int ret;

		igt_assert_eq(__edu_checksum(fd, handle, 0, 1, &sum), -ENOMEM);
		small = edu_create(fd, 4096, 0);
		igt_assert_eq(__edu_copy(fd, handle, 0, small, 0, 1), -ENOMEM);
		gem_close(fd, small);

		/* The core's fake-offset space has no room for the biggest. */
		ret = __dumb_map_offset(fd, handle, &offset);
		if (ret == -ENOSPC) {
			igt_info("%llu bytes: no mmap offset (ENOSPC), as upstream\n",
				 (unsigned long long)sizes[i]);
			gem_close(fd, handle);
			continue;
		}
		igt_assert_eq(ret, 0);
		cpu = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, offset);
		igt_assert(cpu != MAP_FAILED);
		igt_assert_eq(sigaction(SIGBUS, &sa, &old), 0);
		if (!sigsetjmp(sigbus_jmp, 1)) {
			(void)cpu[0];
			igt_fail("reading a %llu-byte object did not raise SIGBUS",
				 (unsigned long long)sizes[i]);
		}
		igt_assert_eq(sigaction(SIGBUS, &old, NULL), 0);
		munmap((void *)cpu, 4096);
		gem_close(fd, handle);
	}
	ph_stats_read(&after);
	ph_stats_assert_equal(&before, &after);
	close(fd);
}

/*
 * Contiguous blocks are charged to the creator's memory cgroup: a child in a
 * cgroup limited to 8 MiB that creates 1 MiB contiguous objects (keeping
 * them) gets ENOMEM before it holds more than its limit.
 */
#define MEMCG_ROOT "/tmp/ph-cgroup"
#define MEMCG_CHILD MEMCG_ROOT "/contiguous"
#define MEMCG_LIMIT (8u << 20)
#define MEMCG_TRIES 32

static bool write_str(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	bool ok;

	if (fd < 0)
		return false;
	ok = write(fd, value, strlen(value)) == (ssize_t)strlen(value);
	close(fd);
	return ok;
}

static void check_contiguous_charged_to_memcg(void)
{
	char limit[32];
	int status, created;
	pid_t pid;

	mkdir(MEMCG_ROOT, 0755);
	igt_require_f(mount("none", MEMCG_ROOT, "cgroup2", 0, NULL) == 0 || errno == EBUSY,
		      "cannot mount cgroup2 (%s): this kernel has no cgroups\n", strerror(errno));
	igt_require_f(write_str(MEMCG_ROOT "/cgroup.subtree_control", "+memory"),
		      "no memory controller in this kernel (CONFIG_MEMCG off)\n");
	mkdir(MEMCG_CHILD, 0755);
	snprintf(limit, sizeof(limit), "%u", MEMCG_LIMIT);
	igt_assert(write_str(MEMCG_CHILD "/memory.max", limit));
	igt_assert(write_str(MEMCG_CHILD "/memory.swap.max", "0") || errno == ENOENT);

	pid = fork();
	igt_assert(pid >= 0);
	if (pid == 0) {
		uint32_t handle;
		int fd, n;

		if (!write_str(MEMCG_CHILD "/cgroup.procs", "0"))
			_exit(255);
		fd = drm_open_device(DRIVER_PH_EDU, 0, DRM_NODE_RENDER);
		if (fd < 0)
			_exit(254);
		for (n = 0; n < MEMCG_TRIES; n++)
			if (__edu_create(fd, 1 << 20, PH_EDU_CREATE_CONTIGUOUS, &handle))
				break;
		_exit(n);
	}
	igt_assert_eq(waitpid(pid, &status, 0), pid);
	igt_assert(WIFEXITED(status));
	created = WEXITSTATUS(status);
	rmdir(MEMCG_CHILD);
	umount(MEMCG_ROOT);
	igt_assert_f(created != 255 && created != 254,
		     "the child could not join the cgroup or open ph_edu (%d)", created);
	igt_info("%d contiguous MiB created in a cgroup of %u MiB\n", created, MEMCG_LIMIT >> 20);
	igt_assert_lt(created, MEMCG_TRIES);
	igt_assert_lte(created, MEMCG_LIMIT >> 20);
}

/*
 * One file may hold handles to at most contiguous_mib_per_file MiB of
 * contiguous objects; closing handles gives the room back, and another file
 * has its own.
 */
#define PER_FILE_PARAM "/sys/module/ph_edu/parameters/contiguous_mib_per_file"

static void check_contiguous_bounded_per_file(void)
{
	char saved[32] = "";
	uint32_t handles[8], handle;
	int fd, other, n, i, got, shmem, elsewhere, again;
	FILE *f = fopen(PER_FILE_PARAM, "r");

	igt_assert_f(f, "cannot read %s", PER_FILE_PARAM);
	igt_assert(fgets(saved, sizeof(saved), f));
	fclose(f);
	igt_assert(write_str(PER_FILE_PARAM, "4"));
	fd = drm_open_device(DRIVER_PH_EDU, 0, DRM_NODE_RENDER);
	other = drm_open_device(DRIVER_PH_EDU, 0, DRM_NODE_RENDER);
	igt_assert_lte(0, fd);
	igt_assert_lte(0, other);

	for (n = 0; n < 8; n++)
		if (__edu_create(fd, 1 << 20, PH_EDU_CREATE_CONTIGUOUS, &handles[n]))
			break;
	got = __edu_create(fd, 1 << 20, PH_EDU_CREATE_CONTIGUOUS, &handle);
	/* Shmem objects do not count, another file has its own room. */
	shmem = __edu_create(fd, 1 << 20, 0, &handle);
	if (!shmem)
		gem_close(fd, handle);
	elsewhere = __edu_create(other, 1 << 20, PH_EDU_CREATE_CONTIGUOUS, &handle);
	if (!elsewhere)
		gem_close(other, handle);
	/* Closing a handle gives its room back. */
	again = -1;
	if (n) {
		gem_close(fd, handles[0]);
		again = __edu_create(fd, 1 << 20, PH_EDU_CREATE_CONTIGUOUS, &handles[0]);
		if (again)
			handles[0] = handles[--n];
	}
	for (i = 0; i < n; i++)
		gem_close(fd, handles[i]);
	close(other);
	close(fd);
	/* Restored before any assertion: later tests need the default. */
	igt_assert(write_str(PER_FILE_PARAM, saved));
	igt_info("a file bounded to 4 MiB created %d contiguous MiB, then %d\n", n, got);
	igt_assert_eq(n, 4);
	igt_assert_eq(got, -ENOMEM);
	igt_assert_eq(shmem, 0);
	igt_assert_eq(elsewhere, 0);
	igt_assert_eq(again, 0);
}

igt_main
{
	igt_describe("CREATE refuses unknown flags and impossible sizes, leaking nothing.");
	igt_subtest("create-bad-input")
		check_create_bad_input();

	igt_describe("A contiguous object is whole, zeroed and one segment at creation; "
		     "CPU and kernel mappings agree.");
	igt_subtest("create-contiguous")
		check_create_contiguous();

	igt_describe("A shmem object of the same ioctl allocates on first use.");
	igt_subtest("create-shmem")
		check_create_shmem();

	igt_describe("A contiguous object exported to ph_vgem: GEM, import and dma-buf mmaps "
		     "share its pages.");
	igt_subtest("export-contiguous-to-ph-vgem")
		check_export(DRIVER_PH_VGEM);

	igt_describe("A contiguous object exported to the stock vgem: the same.");
	igt_subtest("export-contiguous-to-stock-vgem")
		check_export(DRIVER_STOCK_VGEM);

	igt_describe("Importing a contiguous object into its own device gives back its handle.");
	igt_subtest("self-import-contiguous")
		check_self_import();

	igt_describe("The engine copies to and from a contiguous object in one segment.");
	igt_subtest("copy-contiguous")
		check_copy();

	igt_describe("Eviction leaves contiguous objects and their mappings alone.");
	igt_subtest("contiguous-not-evicted")
		check_not_evicted();

	igt_describe("The importer keeps a contiguous object alive after its exporter closed it.");
	igt_subtest("contiguous-exporter-closed-first")
		check_exporter_closed_first();

	igt_describe("Objects bigger than memory fail cleanly at first use: ENOMEM, SIGBUS, no leak.");
	igt_subtest("huge-object-refused-cleanly")
		check_huge_objects();

	igt_describe("A device that needs contiguous buffers imports edu's contiguous object.");
	igt_subtest("contiguous-import-accepts-contiguous")
		check_contiguous_import_accepted();

	igt_describe("A device that needs contiguous buffers refuses scattered shmem with EINVAL, "
		     "leaking nothing.");
	igt_subtest("contiguous-import-refuses-scattered")
		check_contiguous_import_refuses_scattered();

	igt_describe("Contiguous blocks count against the creator's memory cgroup limit.");
	igt_subtest("contiguous-charged-to-memcg")
		check_contiguous_charged_to_memcg();

	igt_describe("A file holds at most contiguous_mib_per_file MiB of contiguous objects.");
	igt_subtest("contiguous-bounded-per-file")
		check_contiguous_bounded_per_file();
}
