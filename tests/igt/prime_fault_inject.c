// SPDX-License-Identifier: MIT
/*
 * Every allocation on the PRIME paths can fail: for each operation, a sweep
 * makes the 1st, 2nd, 3rd... fault-injection site (slab or page allocation)
 * the call reaches fail, through /proc/thread-self/fail-nth (see lib/fault.h),
 * until the call runs without reaching the armed site. At every step the
 * call must succeed or fail cleanly (ENOMEM, or EINTR/EAGAIN/ENOSPC where a
 * path turns an allocation failure into one of those); afterwards the
 * library's counters and every device's object list are back where they
 * were before the call, and the objects involved still work.
 *
 * Operations: PRIME export, import of a foreign dma-buf (stock vgem's and
 * the other ph_vgem device's), self-import, dumb create, MAP_DUMB, the first
 * touch of a GEM mmap and of a dma-buf mmap (page faults), a shrinker walk
 * over a mapped buffer, the first touch of a purged buffer made WILLNEED
 * again (its pages allocated anew, zeroed), ph_edu's CHECKSUM
 * of its own buffer (the library's kernel vmap), attach + map by an
 * importer (ph_edu, stock vgem), and a ph_edu copy that maps again an
 * import whose mapping the shrinker dropped.
 *
 * A page fault that fails reaches userspace as SIGBUS, which the test
 * catches (touch_guarded()); a fault handler that reports VM_FAULT_OOM
 * instead has the fault retried by the kernel, which then succeeds since the
 * armed failure is spent. Either outcome passes; the data must be right.
 *
 * Needs the debug kernel line (fault injection); elsewhere it skips saying
 * which knob is absent. Each subtest prints its injection points, and the
 * program a "@count fault_points" line the bench adds up.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "debugfs.h"
#include "drmtest.h"
#include "dumb.h"
#include "edu.h"
#include "fault.h"
#include "fuzz.h"
#include "gem.h"
#include "igt.h"
#include "prime.h"
#include "vgem.h"

#define BO_SIZE (4 * 4096)
#define MAX_SWEEP 2000
#define ALLOCATES_NOTHING_TRIES 4

/* Everything a sweep step works on; made and freed outside the injection. */
struct fi {
	int vgem0, vgem1, stock, edu, edu_card;
	uint32_t bo;		/* ph_vgem device 0 */
	int dmabuf;		/* its export, for the operations that need one */
	uint32_t foreign_bo;	/* stock vgem or ph_vgem device 1 */
	int foreign_dmabuf;
	uint32_t imported;	/* what the call under test made */
	int made_fd;
	uint64_t offset;
	uint8_t *map;
	uint64_t sum;
	int signal;		/* of a guarded first touch */
	int knob;		/* an open debugfs file of device 0 */
};

struct fi_op {
	const char *name;
	const char *description;
	void (*setup)(struct fi *fi);
	int (*call)(struct fi *fi);	/* the injected call: 0 or -errno */
	void (*undo)(struct fi *fi);	/* after a success: drop what it made */
	void (*check)(struct fi *fi);	/* the objects still work */
	/*
	 * The call may reach no injection site at all: a shrinker walk runs
	 * inside reclaim, where an allocation would recurse into it. The
	 * debug kernel's own bookkeeping may allocate now and then inside
	 * any call (KASAN's stack depot takes a new pool when its last one
	 * is full, seen once in a walk): an allocation of the call's own is
	 * reached every time, so one clean call in a few proves there is none.
	 */
	bool allocates_nothing;
	/* Needs ph_edu to map foreign buffers (an IOMMU in this boot). */
	bool needs_edu_dma;
};

static int raw_ioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) ? -errno : 0;
}

/* A ph_vgem buffer holding a known pattern, optionally exported. */
static void make_bo(struct fi *fi, bool export)
{
	uint32_t *ptr;

	fi->bo = dumb_create_size(fi->vgem0, BO_SIZE).handle;
	ptr = dumb_mmap(fi->vgem0, fi->bo, BO_SIZE, PROT_READ | PROT_WRITE);
	fill_pattern(ptr, BO_SIZE, 0xf1);
	munmap(ptr, BO_SIZE);
	fi->dmabuf = export ? prime_handle_to_fd_for_mmap(fi->vgem0, fi->bo) : -1;
}

static void check_bo_pattern(struct fi *fi)
{
	uint32_t *ptr = dumb_mmap(fi->vgem0, fi->bo, BO_SIZE, PROT_READ);

	igt_assert_pattern(ptr, BO_SIZE, 0xf1);
	munmap(ptr, BO_SIZE);
}

/* The buffer can still be shared: exported, imported elsewhere, read there. */
static void check_bo_shares(struct fi *fi)
{
	int dmabuf = prime_handle_to_fd_for_mmap(fi->vgem0, fi->bo);
	uint32_t other = prime_fd_to_handle(fi->vgem1, dmabuf);
	uint32_t *ptr = dumb_mmap(fi->vgem1, other, BO_SIZE, PROT_READ);

	igt_assert_pattern(ptr, BO_SIZE, 0xf1);
	munmap(ptr, BO_SIZE);
	gem_close(fi->vgem1, other);
	close(dmabuf);
	check_bo_pattern(fi);
}

/* ---- export ---- */

static void export_setup(struct fi *fi)
{
	make_bo(fi, false);
}

static int export_call(struct fi *fi)
{
	struct drm_prime_handle arg = { .handle = fi->bo, .flags = DRM_CLOEXEC | DRM_RDWR };
	int ret = raw_ioctl(fi->vgem0, DRM_IOCTL_PRIME_HANDLE_TO_FD, &arg);

	fi->made_fd = ret ? -1 : arg.fd;
	return ret;
}

static void close_made_fd(struct fi *fi)
{
	igt_assert_eq(prime_get_size(fi->made_fd), BO_SIZE);
	close(fi->made_fd);
}

/* ---- imports ---- */

static int import_call(struct fi *fi, int into, int dmabuf)
{
	struct drm_prime_handle arg = { .fd = dmabuf };
	int ret = raw_ioctl(into, DRM_IOCTL_PRIME_FD_TO_HANDLE, &arg);

	fi->imported = ret ? 0 : arg.handle;
	return ret;
}

static void foreign_stock_setup(struct fi *fi)
{
	uint32_t *ptr;

	make_bo(fi, false);
	fi->foreign_bo = dumb_create_size(fi->stock, BO_SIZE).handle;
	ptr = dumb_mmap(fi->stock, fi->foreign_bo, BO_SIZE, PROT_READ | PROT_WRITE);
	fill_pattern(ptr, BO_SIZE, 0x57);
	munmap(ptr, BO_SIZE);
	fi->foreign_dmabuf = prime_handle_to_fd(fi->stock, fi->foreign_bo);
}

static int foreign_stock_call(struct fi *fi)
{
	return import_call(fi, fi->vgem0, fi->foreign_dmabuf);
}

static void drop_import_vgem0(struct fi *fi)
{
	gem_close(fi->vgem0, fi->imported);
	fi->imported = 0;
}

/* The stock buffer imports (again) into ph_vgem and reads right through it. */
static void foreign_stock_check(struct fi *fi)
{
	uint32_t handle = prime_fd_to_handle(fi->vgem0, fi->foreign_dmabuf);
	uint32_t *ptr = dumb_mmap(fi->vgem0, handle, BO_SIZE, PROT_READ);

	igt_assert_pattern(ptr, BO_SIZE, 0x57);
	munmap(ptr, BO_SIZE);
	gem_close(fi->vgem0, handle);
}

static void foreign_ph_setup(struct fi *fi)
{
	make_bo(fi, true);
}

static int foreign_ph_call(struct fi *fi)
{
	return import_call(fi, fi->vgem1, fi->dmabuf);
}

static void drop_import_vgem1(struct fi *fi)
{
	gem_close(fi->vgem1, fi->imported);
	fi->imported = 0;
}

static void self_setup(struct fi *fi)
{
	make_bo(fi, true);
}

static int self_call(struct fi *fi)
{
	int ret = import_call(fi, fi->vgem0, fi->dmabuf);

	/* A self-import is the exporter's own handle, nothing new. */
	if (!ret && fi->imported != fi->bo) {
		fault_nth_consumed();	/* disarm before failing */
		igt_fail("self-import gave handle %u, not the exporter's %u", fi->imported,
			 fi->bo);
	}
	fi->imported = 0;
	return ret;
}

static void self_check(struct fi *fi)
{
	igt_assert_eq_u32(prime_fd_to_handle(fi->vgem0, fi->dmabuf), fi->bo);
	check_bo_shares(fi);
}

/* ---- dumb buffers ---- */

static void nothing(struct fi *fi)
{
	(void)fi;
}

static int create_call(struct fi *fi)
{
	struct drm_mode_create_dumb arg = { .width = 1024, .height = 4, .bpp = 32 };
	int ret = raw_ioctl(fi->vgem0, DRM_IOCTL_MODE_CREATE_DUMB, &arg);

	fi->bo = ret ? 0 : arg.handle;
	return ret;
}

static void create_undo(struct fi *fi)
{
	int dmabuf = prime_handle_to_fd(fi->vgem0, fi->bo);
	uint32_t *ptr;

	igt_assert_eq(prime_get_size(dmabuf), BO_SIZE);
	close(dmabuf);
	ptr = dumb_mmap(fi->vgem0, fi->bo, BO_SIZE, PROT_READ);
	igt_assert(is_zeroed(ptr, BO_SIZE));
	munmap(ptr, BO_SIZE);
	gem_close(fi->vgem0, fi->bo);
	fi->bo = 0;
}

static void create_check(struct fi *fi)
{
	make_bo(fi, false);
	check_bo_shares(fi);
}

static void map_dumb_setup(struct fi *fi)
{
	/* Fresh, never mapped: it has no fake offset yet. */
	fi->bo = dumb_create_size(fi->vgem0, BO_SIZE).handle;
}

static int map_dumb_call(struct fi *fi)
{
	struct drm_mode_map_dumb arg = { .handle = fi->bo };
	int ret = raw_ioctl(fi->vgem0, DRM_IOCTL_MODE_MAP_DUMB, &arg);

	fi->offset = ret ? 0 : arg.offset;
	return ret;
}

static void map_dumb_check(struct fi *fi)
{
	uint8_t *ptr = dumb_mmap(fi->vgem0, fi->bo, BO_SIZE, PROT_READ | PROT_WRITE);

	igt_assert(is_zeroed(ptr, BO_SIZE));
	fill_pattern(ptr, BO_SIZE, 0xf1);
	munmap(ptr, BO_SIZE);
	check_bo_shares(fi);
}

/* ---- first touch of a mapping (the fault path) ---- */

static void gem_touch_setup(struct fi *fi)
{
	make_bo(fi, false);
	/* Evicted, so the touch must bring the pages back in. */
	ph_evict(fi->vgem0);
	fi->map = dumb_mmap(fi->vgem0, fi->bo, BO_SIZE, PROT_READ | PROT_WRITE);
}

static void dmabuf_touch_setup(struct fi *fi)
{
	make_bo(fi, true);
	ph_evict(fi->vgem0);
	fi->map = prime_mmap(fi->dmabuf, BO_SIZE, PROT_READ | PROT_WRITE);
}

static int touch_call(struct fi *fi)
{
	fi->signal = touch_guarded(fi->map + 4096, false);
	return 0;
}

static void touch_check(struct fi *fi)
{
	igt_assert_f(fi->signal == 0 || fi->signal == SIGBUS,
		     "first touch of a mapping raised signal %d", fi->signal);
	if (fi->signal)
		igt_debug("the fault failed with SIGBUS\n");
	/* Touched again, with nothing armed, it works and the data is there. */
	igt_assert_eq(touch_guarded(fi->map, true), 0);
	igt_assert_pattern(fi->map, BO_SIZE, 0xf1);
	munmap(fi->map, BO_SIZE);
	fi->map = NULL;
	check_bo_shares(fi);
}

/* ---- reclaim: a shrinker walk, and the first touch after a purge ---- */

/* Mapped and touched: the object is on the evictable list, its pages held. */
static void walk_setup(struct fi *fi)
{
	make_bo(fi, false);
	fi->map = dumb_mmap(fi->vgem0, fi->bo, BO_SIZE, PROT_READ | PROT_WRITE);
	igt_assert_pattern(fi->map, BO_SIZE, 0xf1);
	fi->knob = ph_debugfs_open(fi->vgem0, "ph_shrink", O_WRONLY);
}

/* One walk of the device's shrinker: a write to ph_shrink, opened beforehand. */
static int walk_call(struct fi *fi)
{
	char pages[16];

	snprintf(pages, sizeof(pages), "%d", BO_SIZE / 4096);
	return __ph_knob_write(fi->knob, pages);
}

static void walk_check(struct fi *fi)
{
	struct ph_object obj = ph_object_get(fi->vgem0, dumb_map_offset(fi->vgem0, fi->bo));

	/* Evicted or not, the mapping refaults with the contents intact. */
	igt_debug("after the walk: %s\n", obj.evictable ? "still listed" : "evicted");
	igt_assert_eq(touch_guarded(fi->map, true), 0);
	igt_assert_pattern(fi->map, BO_SIZE, 0xf1);
	munmap(fi->map, BO_SIZE);
	fi->map = NULL;
	check_bo_shares(fi);
}

/*
 * DONTNEED, purged by a walk, WILLNEED (not retained), mapped: the first
 * touch allocates the object's pages anew, zero-filled.
 */
static void purged_touch_setup(struct fi *fi)
{
	make_bo(fi, false);
	vgem_madvise(fi->vgem0, fi->bo, PH_VGEM_MADV_DONTNEED);
	ph_shrink(fi->vgem0, BO_SIZE / 4096);
	igt_assert_f(!vgem_madvise(fi->vgem0, fi->bo, PH_VGEM_MADV_WILLNEED),
		     "the walk did not purge the DONTNEED buffer");
	fi->map = dumb_mmap(fi->vgem0, fi->bo, BO_SIZE, PROT_READ | PROT_WRITE);
}

static void purged_touch_check(struct fi *fi)
{
	igt_assert_f(fi->signal == 0 || fi->signal == SIGBUS,
		     "first touch of a purged buffer raised signal %d", fi->signal);
	igt_assert_eq(touch_guarded(fi->map, false), 0);
	igt_assert(is_zeroed(fi->map, BO_SIZE));
	fill_pattern(fi->map, BO_SIZE, 0xf1);
	munmap(fi->map, BO_SIZE);
	fi->map = NULL;
	check_bo_shares(fi);
}

/* ---- kernel vmap: ph_edu's CHECKSUM ---- */

static uint64_t pattern_sum(void)
{
	uint32_t *ptr = malloc(BO_SIZE);
	uint64_t sum = 0;
	size_t i;

	igt_assert(ptr);
	fill_pattern(ptr, BO_SIZE, 0xf1);
	for (i = 0; i < BO_SIZE; i++)
		sum += ((uint8_t *)ptr)[i];
	free(ptr);
	return sum;
}

/*
 * ph_edu's own buffer: the library's shmem vmap. Not an imported one: there
 * CHECKSUM vmaps through dma_buf_vmap(), which (6.12, dma-buf.c) WARNs once
 * whenever the exporter's vmap fails, a kernel log line the bench rightly
 * counts as a failure, so that path cannot be swept.
 */
static void checksum_native_setup(struct fi *fi)
{
	uint32_t *ptr;

	fi->imported = dumb_create_size(fi->edu_card, BO_SIZE).handle;
	ptr = dumb_mmap(fi->edu_card, fi->imported, BO_SIZE, PROT_READ | PROT_WRITE);
	fill_pattern(ptr, BO_SIZE, 0xf1);
	munmap(ptr, BO_SIZE);
	fi->sum = pattern_sum();
}

static int checksum_native_call(struct fi *fi)
{
	uint64_t sum = 0;
	int ret = __edu_checksum(fi->edu_card, fi->imported, 0, BO_SIZE, &sum);

	if (!ret && sum != fi->sum) {
		fault_nth_consumed();	/* disarm before failing */
		igt_fail("CHECKSUM gave 0x%llx, expected 0x%llx", (unsigned long long)sum,
			 (unsigned long long)fi->sum);
	}
	return ret;
}

static void checksum_native_check(struct fi *fi)
{
	igt_assert_eq_u64(edu_checksum(fi->edu_card, fi->imported, 0, BO_SIZE), fi->sum);
	gem_close(fi->edu_card, fi->imported);
	fi->imported = 0;
}

/* ---- attach + map by an importer ---- */

static void attach_setup(struct fi *fi)
{
	make_bo(fi, true);
	fi->sum = pattern_sum();
}

/* This boot's DMA path: without an IOMMU, ph_edu refuses most imports (EIO). */
static bool edu_dma_ok;

static int attach_edu_call(struct fi *fi)
{
	int ret = import_call(fi, fi->edu, fi->dmabuf);

	/* Out of the engine's reach without an IOMMU: refused, whatever was injected. */
	return ret == -EIO && !edu_dma_ok ? 0 : ret;
}

static void attach_edu_undo(struct fi *fi)
{
	if (!fi->imported)
		return;
	igt_assert_eq_u64(edu_checksum(fi->edu, fi->imported, 0, BO_SIZE), fi->sum);
	gem_close(fi->edu, fi->imported);
	fi->imported = 0;
}

/*
 * Whatever the import did, once it is gone no mapping holds the exporter's
 * pages: a map that failed gave back the use of them it took first.
 */
static void attach_check(struct fi *fi)
{
	struct ph_object obj = ph_object_get(fi->vgem0, dumb_map_offset(fi->vgem0, fi->bo));

	igt_assert_f(obj.maps == 0 && obj.segments == 0,
		     "with the import gone: %u mappings, %u segments of pages held (want 0, 0)",
		     obj.maps, obj.segments);
	check_bo_shares(fi);
}

static int attach_stock_call(struct fi *fi)
{
	return import_call(fi, fi->stock, fi->dmabuf);
}

/* The stock vgem maps no imports: it re-exports the very dma-buf instead. */
static void attach_stock_undo(struct fi *fi)
{
	int again = prime_handle_to_fd(fi->stock, fi->imported);

	igt_assert_eq(fd_inode(again), fd_inode(fi->dmabuf));
	close(again);
	gem_close(fi->stock, fi->imported);
	fi->imported = 0;
}

/*
 * ---- a copy by ph_edu out of an import whose mapping was dropped ----
 *
 * ph_edu imports dynamically: on the lines whose kernel lets the exporter
 * move its pages (CONFIG_DMABUF_MOVE_NOTIFY: the debug line), the shrinker
 * evicts the buffer and ph_edu's mapping goes with it; the next copy pins
 * the pages back and maps them again, and every allocation of that may fail.
 * The copy moves the buffer's first half over its second; what it did is
 * undone through the CPU mapping, so the buffer holds its pattern again.
 */
static void remap_setup(struct fi *fi)
{
	uint64_t offset;
	struct ph_object obj;

	make_bo(fi, true);
	fi->imported = prime_fd_to_handle(fi->edu, fi->dmabuf);
	offset = dumb_map_offset(fi->vgem0, fi->bo);
	ph_shrink(fi->vgem0, 1 << 20);
	obj = ph_object_get(fi->vgem0, offset);
	igt_assert_f(obj.maps == 0 && obj.segments == 0,
		     "the shrinker left ph_edu's mapping (%u maps, %u segments held): "
		     "this kernel pins dynamic importers (no CONFIG_DMABUF_MOVE_NOTIFY?)",
		     obj.maps, obj.segments);
}

static int remap_call(struct fi *fi)
{
	return __edu_copy(fi->edu, fi->imported, 0, fi->imported, BO_SIZE / 2, BO_SIZE / 2);
}

/* The copy landed: the second half holds the first; then the pattern is put back. */
static void remap_undo(struct fi *fi)
{
	uint32_t *want = malloc(BO_SIZE);
	uint8_t *ptr = dumb_mmap(fi->vgem0, fi->bo, BO_SIZE, PROT_READ | PROT_WRITE);

	igt_assert(want);
	fill_pattern(want, BO_SIZE, 0xf1);
	igt_assert(!memcmp(ptr, want, BO_SIZE / 2));
	igt_assert_f(!memcmp(ptr + BO_SIZE / 2, want, BO_SIZE / 2),
		     "the copy succeeded but its bytes are not in the buffer");
	memcpy(ptr, want, BO_SIZE);
	munmap(ptr, BO_SIZE);
	free(want);
}

/* Untouched by a failed copy; and ph_edu still copies out of the import. */
static void remap_check(struct fi *fi)
{
	check_bo_shares(fi);
	igt_assert_eq(remap_call(fi), 0);
	remap_undo(fi);
	check_bo_shares(fi);
}

static const struct fi_op ops[] = {
	{ "export", "PRIME_HANDLE_TO_FD of a buffer not yet exported",
	  export_setup, export_call, close_made_fd, check_bo_shares, false, false },
	{ "import-foreign-stock-vgem", "PRIME_FD_TO_HANDLE of a stock vgem dma-buf",
	  foreign_stock_setup, foreign_stock_call, drop_import_vgem0, foreign_stock_check, false, false },
	{ "import-foreign-ph-vgem", "PRIME_FD_TO_HANDLE of the other ph_vgem device's dma-buf",
	  foreign_ph_setup, foreign_ph_call, drop_import_vgem1, check_bo_shares, false, false },
	{ "self-import", "PRIME_FD_TO_HANDLE of a dma-buf into its exporter's file",
	  self_setup, self_call, nothing, self_check, false, false },
	{ "dumb-create", "MODE_CREATE_DUMB",
	  nothing, create_call, create_undo, create_check, false, false },
	{ "map-dumb", "MODE_MAP_DUMB of a buffer with no mmap offset yet",
	  map_dumb_setup, map_dumb_call, nothing, map_dumb_check, false, false },
	{ "gem-mmap-first-touch", "the page fault of an evicted buffer's GEM mmap",
	  gem_touch_setup, touch_call, nothing, touch_check, false, false },
	{ "dmabuf-mmap-first-touch", "the page fault of an evicted buffer's dma-buf mmap",
	  dmabuf_touch_setup, touch_call, nothing, touch_check, false, false },
	{ "shrinker-walk", "one shrinker walk (ph_shrink) over a mapped, written buffer: it allocates nothing",
	  walk_setup, walk_call, nothing, walk_check, true, false },
	{ "purged-first-touch", "the page fault of a purged buffer made WILLNEED: new zeroed pages",
	  purged_touch_setup, touch_call, nothing, purged_touch_check, false, false },
	{ "edu-checksum-vmap", "ph_edu CHECKSUM of its own buffer: the library's kernel vmap",
	  checksum_native_setup, checksum_native_call, nothing, checksum_native_check, false, false },
	{ "attach-map-by-edu", "import into ph_edu: attach and map for its DMA engine",
	  attach_setup, attach_edu_call, attach_edu_undo, attach_check, false, false },
	{ "edu-copy-remaps-evicted-import",
	  "ph_edu COPY out of an import the shrinker evicted: pin and map again (debug line)",
	  remap_setup, remap_call, remap_undo, remap_check, false, true },
	{ "attach-map-by-stock-vgem", "import into the stock vgem: attach and map by a foreign driver",
	  attach_setup, attach_stock_call, attach_stock_undo, attach_check, false, false },
};

static void fi_teardown(struct fi *fi)
{
	if (fi->map)
		munmap(fi->map, BO_SIZE);
	if (fi->knob >= 0)
		close(fi->knob);
	if (fi->imported && fi->edu >= 0)
		__gem_close(fi->edu, fi->imported);
	if (fi->dmabuf >= 0)
		close(fi->dmabuf);
	if (fi->foreign_dmabuf >= 0)
		close(fi->foreign_dmabuf);
	if (fi->foreign_bo)
		gem_close(fi->stock, fi->foreign_bo);
	if (fi->bo)
		gem_close(fi->vgem0, fi->bo);
	fi->map = NULL;
	fi->imported = fi->bo = fi->foreign_bo = 0;
	fi->dmabuf = fi->foreign_dmabuf = fi->knob = -1;
}

static bool clean_errno(int ret)
{
	return ret == -ENOMEM || ret == -EINTR || ret == -EAGAIN || ret == -ENOSPC;
}

static unsigned long total_points;

/*
 * One sweep: step n arms the n-th site, makes the call, checks it, undoes
 * it, and compares the counters with those before the call.
 */
static void sweep(const struct fi_op *op)
{
	struct leak_baseline subtest_base, before;
	unsigned long failed = 0;
	unsigned int n, tries = 0;
	bool consumed;
	struct fi fi;
	int ret;

	igt_require_f(!op->needs_edu_dma || edu_dma_ok,
		      "no IOMMU in this boot: ph_edu refuses foreign imports (EIO)\n");
	leak_baseline_take(&subtest_base);
	memset(&fi, 0, sizeof(fi));
	fi.vgem0 = drm_open_card(DRIVER_PH_VGEM, 0);
	fi.vgem1 = drm_open_card(DRIVER_PH_VGEM, 1);
	fi.stock = drm_open_card(DRIVER_STOCK_VGEM, 0);
	fi.edu = edu_open_render();
	fi.edu_card = edu_open_card();
	fi.dmabuf = fi.foreign_dmabuf = fi.knob = -1;
	for (n = 1; n <= MAX_SWEEP; n++) {
		/*
		 * An export stays cached on its handle, as upstream's does: the
		 * counters are compared once the step closed everything.
		 */
		leak_baseline_take(&before);
		op->setup(&fi);
		fault_nth_arm(n);
		ret = op->call(&fi);
		consumed = fault_nth_consumed();
		igt_assert_f(ret == 0 || clean_errno(ret),
			     "%s with site %u failing: %d (%s), expected success or a clean errno",
			     op->name, n, ret, strerror(-ret));
		igt_assert_f(consumed || ret == 0,
			     "%s failed (%d) without reaching the armed site %u", op->name, ret, n);
		igt_debug("%s: site %u: %d%s\n", op->name, n, ret, consumed ? "" : ", not reached");
		if (ret == 0)
			op->undo(&fi);
		else
			failed++;
		op->check(&fi);
		fi_teardown(&fi);
		if (!leak_baseline_same_as(&before)) {
			igt_info("%s: after site %u made the call return %d:\n", op->name, n, ret);
			leak_baseline_assert(&before);
		}
		if (!consumed)
			break;
		/* Site 1 again: one clean call in a few proves none of its own. */
		if (op->allocates_nothing && ++tries < ALLOCATES_NOTHING_TRIES)
			n = 0;
	}
	igt_assert_f(n <= MAX_SWEEP, "%s reaches more than %d injection sites", op->name,
		     MAX_SWEEP);
	igt_assert_f(!op->allocates_nothing || n == 1,
		     "%s reached an allocation site in %u calls in a row; it must reach none",
		     op->name, tries);
	close(fi.edu_card);
	close(fi.edu);
	close(fi.stock);
	close(fi.vgem1);
	close(fi.vgem0);
	leak_baseline_assert(&subtest_base);
	/* n - 1 sites reached; each made the call fail or was survived. */
	igt_info("%s: %u injection points, %lu made the call fail cleanly\n", op->name, n - 1,
		 failed);
	total_points += n - 1;
	report_count("fault_points", n - 1);
}

static void restore_at_exit(void)
{
	fault_inject_restore();
}

igt_main
{
	char why[256];
	volatile unsigned int i;	/* read after subtests that longjmp */

	igt_fixture {
		igt_require_f(fault_inject_available(why, sizeof(why)), "%s", why);
		int edu = edu_open_render();

		edu_dma_ok = edu_dma_works(edu, why, sizeof(why));
		igt_info("DMA path of this boot: %s\n", why);
		close(edu);
		atexit(restore_at_exit);
		fault_inject_enable();
	}

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		igt_describe(ops[i].description);
		igt_subtest_f("%s", ops[i].name)
			sweep(&ops[i]);
	}

	igt_fixture {
		fault_inject_restore();
		igt_info("%lu injection points in all\n", total_points);
	}
}
