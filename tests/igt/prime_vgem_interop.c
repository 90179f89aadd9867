// SPDX-License-Identifier: MIT
/*
 * ph_vgem and the stock vgem (upstream's PRIME and shmem helpers) sharing
 * buffers in both directions: data through every mapping each side offers,
 * implicit fences seen across the share, and every order of closing the
 * exporter's handle, the dma-buf fd, the importer's handle and both device
 * files.
 */
#include <linux/dma-buf.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "debugfs.h"
#include "drmtest.h"
#include "dumb.h"
#include "gem.h"
#include "igt.h"
#include "prime.h"
#include "vgem.h"

#define BO_SIZE (256 * 1024)

struct share {
	int exp_fd, imp_fd;	/* device files */
	uint32_t exp_handle, imp_handle;
	int dmabuf;
};

/* Exporter first, then importer: driver keys of stock vgem or ph_vgem. */
static void share_open(struct share *s, const char *exporter, const char *importer)
{
	struct dumb_bo bo;

	s->exp_fd = drm_open_card(exporter, 0);
	s->imp_fd = drm_open_card(importer, 0);
	bo = dumb_create_size(s->exp_fd, BO_SIZE);
	s->exp_handle = bo.handle;
	s->dmabuf = prime_handle_to_fd_for_mmap(s->exp_fd, s->exp_handle);
	s->imp_handle = prime_fd_to_handle(s->imp_fd, s->dmabuf);
}

/* Which side's driver is ours: only ph_vgem maps imported objects. */
static bool is_ours(const char *key)
{
	return !strcmp(key, DRIVER_PH_VGEM);
}

static void check_data(const char *exporter, const char *importer)
{
	struct share s;
	uint32_t *gem, *dma;

	share_open(&s, exporter, importer);
	gem = dumb_mmap(s.exp_fd, s.exp_handle, BO_SIZE, PROT_READ | PROT_WRITE);
	dma = prime_mmap(s.dmabuf, BO_SIZE, PROT_READ | PROT_WRITE);

	/* Exporter's GEM mmap -> dma-buf mmap, and back. */
	fill_pattern(gem, BO_SIZE, 0x1001);
	igt_assert_pattern(dma, BO_SIZE, 0x1001);
	fill_pattern(dma, BO_SIZE, 0x1002);
	igt_assert_pattern(gem, BO_SIZE, 0x1002);

	/* The importer's GEM mmap, where its driver offers one for imports. */
	if (is_ours(importer)) {
		uint32_t *imp = dumb_mmap(s.imp_fd, s.imp_handle, BO_SIZE, PROT_READ | PROT_WRITE);

		igt_assert_pattern(imp, BO_SIZE, 0x1002);
		fill_pattern(imp, BO_SIZE, 0x1003);
		igt_assert_pattern(gem, BO_SIZE, 0x1003);
		igt_assert_pattern(dma, BO_SIZE, 0x1003);
		munmap(imp, BO_SIZE);
	} else {
		uint64_t offset;

		/* Upstream refuses to map an imported object: same errno as stock-to-stock. */
		igt_assert_eq(__dumb_map_offset(s.imp_fd, s.imp_handle, &offset), -EINVAL);
	}
	munmap(dma, BO_SIZE);
	munmap(gem, BO_SIZE);
	gem_close(s.imp_fd, s.imp_handle);
	gem_close(s.exp_fd, s.exp_handle);
	close(s.dmabuf);
	close(s.imp_fd);
	close(s.exp_fd);
}

/*
 * A write fence attached by @fencer's side is seen on the other side: poll()
 * and EXPORT_SYNC_FILE on the dma-buf the other side hands back (exporting an
 * imported buffer returns the original dma-buf).
 */
static void check_fences(const char *exporter, const char *importer, bool fence_on_exporter)
{
	int fence_fd, other_fd, other_dmabuf, sync_fd;
	uint32_t fence_handle, other_handle, fence;
	struct share s;

	share_open(&s, exporter, importer);
	fence_fd = fence_on_exporter ? s.exp_fd : s.imp_fd;
	fence_handle = fence_on_exporter ? s.exp_handle : s.imp_handle;
	other_fd = fence_on_exporter ? s.imp_fd : s.exp_fd;
	other_handle = fence_on_exporter ? s.imp_handle : s.exp_handle;

	other_dmabuf = prime_handle_to_fd(other_fd, other_handle);
	igt_assert_eq(fd_inode(other_dmabuf), fd_inode(s.dmabuf));
	igt_assert(!prime_busy(other_dmabuf, true));

	fence = vgem_fence_attach(fence_fd, fence_handle, PH_VGEM_FENCE_WRITE);
	igt_assert(prime_busy(other_dmabuf, false));
	igt_assert(prime_busy(other_dmabuf, true));
	igt_assert(!prime_wait(other_dmabuf, false, 50));
	sync_fd = prime_export_sync_file(other_dmabuf, DMA_BUF_SYNC_READ);
	igt_assert(sync_file_busy(sync_fd));

	vgem_fence_signal(fence_fd, fence);
	igt_assert(prime_wait(other_dmabuf, true, 1000));
	igt_assert(!sync_file_busy(sync_fd));

	close(sync_fd);
	close(other_dmabuf);
	gem_close(s.imp_fd, s.imp_handle);
	gem_close(s.exp_fd, s.exp_handle);
	close(s.dmabuf);
	close(s.imp_fd);
	close(s.exp_fd);
}

enum ref { EXP_HANDLE, DMABUF, IMP_HANDLE, EXP_FILE, IMP_FILE, NR_REFS };

static void drop(struct share *s, enum ref r)
{
	switch (r) {
	case EXP_HANDLE: gem_close(s->exp_fd, s->exp_handle); break;
	case DMABUF: close(s->dmabuf); break;
	case IMP_HANDLE: gem_close(s->imp_fd, s->imp_handle); break;
	case EXP_FILE: close(s->exp_fd); break;
	case IMP_FILE: close(s->imp_fd); break;
	default: break;
	}
}

/* Handles die with their file: closing a handle of a closed file is skipped. */
static bool droppable(const bool *gone, enum ref r)
{
	return !(r == EXP_HANDLE && gone[EXP_FILE]) && !(r == IMP_HANDLE && gone[IMP_FILE]);
}

static void permute(enum ref *order, int k, const char *exporter, const char *importer,
		    int *count)
{
	int i;

	if (k == NR_REFS) {
		bool gone[NR_REFS] = { false };
		struct share s;

		share_open(&s, exporter, importer);
		for (i = 0; i < NR_REFS; i++) {
			if (droppable(gone, order[i]))
				drop(&s, order[i]);
			gone[order[i]] = true;
		}
		(*count)++;
		return;
	}
	for (i = k; i < NR_REFS; i++) {
		enum ref t = order[k];

		order[k] = order[i];
		order[i] = t;
		permute(order, k + 1, exporter, importer, count);
		order[i] = order[k];
		order[k] = t;
	}
}

static void check_lifetimes(const char *exporter, const char *importer)
{
	enum ref order[NR_REFS] = { EXP_HANDLE, DMABUF, IMP_HANDLE, EXP_FILE, IMP_FILE };
	struct ph_stats before, after;
	int count = 0;

	ph_stats_read(&before);
	permute(order, 0, exporter, importer, &count);
	igt_assert_eq(count, 120);
	ph_stats_read(&after);
	ph_stats_assert_equal(&before, &after);
}

igt_main
{
	igt_describe("A ph_vgem buffer imported by stock vgem: the data is the same through the "
		     "exporter's GEM mmap and the dma-buf mmap; stock refuses to map the import.");
	igt_subtest("ours-to-stock-data")
		check_data(DRIVER_PH_VGEM, DRIVER_STOCK_VGEM);

	igt_describe("A stock vgem buffer imported by ph_vgem: the same data through stock's GEM "
		     "mmap, the dma-buf mmap and ph_vgem's GEM mmap of the import.");
	igt_subtest("stock-to-ours-data")
		check_data(DRIVER_STOCK_VGEM, DRIVER_PH_VGEM);

	igt_describe("A fence ph_vgem attaches to its exported buffer is seen through stock's "
		     "import by poll() and EXPORT_SYNC_FILE, until it is signalled.");
	igt_subtest("ours-fence-seen-by-stock")
		check_fences(DRIVER_PH_VGEM, DRIVER_STOCK_VGEM, true);

	igt_describe("A fence stock vgem attaches to its import of a ph_vgem buffer is seen on "
		     "ph_vgem's dma-buf by poll() and EXPORT_SYNC_FILE.");
	igt_subtest("stock-import-fence-seen-by-ours")
		check_fences(DRIVER_PH_VGEM, DRIVER_STOCK_VGEM, false);

	igt_describe("A fence stock vgem attaches to its exported buffer is seen through "
		     "ph_vgem's import by poll() and EXPORT_SYNC_FILE.");
	igt_subtest("stock-fence-seen-by-ours")
		check_fences(DRIVER_STOCK_VGEM, DRIVER_PH_VGEM, true);

	igt_describe("A fence ph_vgem attaches to its import of a stock buffer is seen on stock's "
		     "dma-buf by poll() and EXPORT_SYNC_FILE.");
	igt_subtest("ours-import-fence-seen-by-stock")
		check_fences(DRIVER_STOCK_VGEM, DRIVER_PH_VGEM, false);

	igt_describe("ph_vgem exports, stock imports: the exporter's handle, the dma-buf fd, the "
		     "importer's handle and both device files closed in all 120 orders; nothing leaks.");
	igt_subtest("ours-to-stock-every-close-order")
		check_lifetimes(DRIVER_PH_VGEM, DRIVER_STOCK_VGEM);

	igt_describe("Stock exports, ph_vgem imports: all 120 close orders; nothing leaks.");
	igt_subtest("stock-to-ours-every-close-order")
		check_lifetimes(DRIVER_STOCK_VGEM, DRIVER_PH_VGEM);
}
