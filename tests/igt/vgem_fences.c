// SPDX-License-Identifier: MIT
/*
 * vgem fences and the implicit synchronisation they drive: a fence attached
 * to an object lands in its reservation object, which the dma-buf shares, so
 * poll(), DMA_BUF_IOCTL_SYNC and the sync_file ioctls on the dma-buf see it;
 * every refusal has upstream's errno; an unsignalled fence expires by itself
 * after 10 s. Every subtest runs on the stock vgem (the oracle), then on
 * ph_vgem.
 */
#include <linux/dma-buf.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "drmtest.h"
#include "dumb.h"
#include "gem.h"
#include "igt.h"
#include "prime.h"
#include "vgem.h"

#define BO_SIZE (4 * 4096)

/* Short waits: long enough to tell "blocked" from "returned", no longer. */
#define BLOCK_MS 100
#define SIGNAL_AFTER_MS 150
#define GIVE_UP_MS 5000

struct fenced {
	int fd;
	struct dumb_bo bo;
	int dmabuf;
};

static struct fenced fenced_new(const char *key)
{
	struct fenced f = { .fd = drm_open_card(key, 0) };

	f.bo = dumb_create_size(f.fd, BO_SIZE);
	f.dmabuf = prime_handle_to_fd(f.fd, f.bo.handle);
	return f;
}

static void fenced_free(struct fenced *f)
{
	close(f->dmabuf);
	gem_close(f->fd, f->bo.handle);
	close(f->fd);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Signals a fence from another thread after a delay. */
struct late_signal {
	pthread_t thread;
	int fd;
	uint32_t fence;
	int result;
};

static void *signal_later(void *arg)
{
	struct late_signal *s = arg;

	usleep(SIGNAL_AFTER_MS * 1000);
	s->result = __vgem_fence_signal(s->fd, s->fence, 0);
	return NULL;
}

static void signal_start(struct late_signal *s, int fd, uint32_t fence)
{
	s->fd = fd;
	s->fence = fence;
	s->result = -1;
	igt_assert_eq(pthread_create(&s->thread, NULL, signal_later, s), 0);
}

static void signal_join(struct late_signal *s)
{
	pthread_join(s->thread, NULL);
	igt_assert_eq(s->result, 0);
}

static void check_read_fence(const char *key)
{
	struct fenced f = fenced_new(key);
	uint32_t fence = vgem_fence_attach(f.fd, f.bo.handle, 0);

	/* Readers may share with a reader; writers must wait. */
	igt_assert(!prime_busy(f.dmabuf, false));
	igt_assert(prime_busy(f.dmabuf, true));
	vgem_fence_signal(f.fd, fence);
	igt_assert(!prime_busy(f.dmabuf, false));
	igt_assert(!prime_busy(f.dmabuf, true));
	fenced_free(&f);
}

static void check_write_fence(const char *key)
{
	struct fenced f = fenced_new(key);
	uint32_t fence = vgem_fence_attach(f.fd, f.bo.handle, PH_VGEM_FENCE_WRITE);

	igt_assert(prime_busy(f.dmabuf, false));
	igt_assert(prime_busy(f.dmabuf, true));
	vgem_fence_signal(f.fd, fence);
	igt_assert(!prime_busy(f.dmabuf, false));
	igt_assert(!prime_busy(f.dmabuf, true));
	fenced_free(&f);
}

static void check_fence_before_export(const char *key)
{
	int fd = drm_open_card(key, 0);
	struct dumb_bo bo = dumb_create_size(fd, BO_SIZE);
	uint32_t fence = vgem_fence_attach(fd, bo.handle, PH_VGEM_FENCE_WRITE);
	int dmabuf = prime_handle_to_fd(fd, bo.handle);

	igt_assert(prime_busy(dmabuf, false));
	vgem_fence_signal(fd, fence);
	igt_assert(!prime_busy(dmabuf, true));
	close(dmabuf);
	gem_close(fd, bo.handle);
	close(fd);
}

static void check_poll_blocks(const char *key)
{
	struct fenced f = fenced_new(key);
	struct late_signal s;
	double t0, waited;
	uint32_t fence;

	fence = vgem_fence_attach(f.fd, f.bo.handle, PH_VGEM_FENCE_WRITE);
	t0 = now_ms();
	igt_assert(!prime_wait(f.dmabuf, false, BLOCK_MS));
	igt_assert_lte(BLOCK_MS - 10, now_ms() - t0);

	signal_start(&s, f.fd, fence);
	t0 = now_ms();
	igt_assert(prime_wait(f.dmabuf, false, GIVE_UP_MS));
	waited = now_ms() - t0;
	signal_join(&s);
	igt_info("%s: poll returned after %.0f ms\n", key, waited);
	igt_assert_lte(SIGNAL_AFTER_MS / 2, waited);
	igt_assert_lt(waited, GIVE_UP_MS);
	fenced_free(&f);
}

static void check_sync_waits(const char *key)
{
	struct fenced f = fenced_new(key);
	struct late_signal s;
	uint32_t fence;
	double t0, waited;

	fence = vgem_fence_attach(f.fd, f.bo.handle, PH_VGEM_FENCE_WRITE);
	signal_start(&s, f.fd, fence);
	t0 = now_ms();
	prime_sync_start(f.dmabuf, false);
	waited = now_ms() - t0;
	prime_sync_end(f.dmabuf, false);
	signal_join(&s);
	igt_info("%s: SYNC_START waited %.0f ms for the write fence\n", key, waited);
	igt_assert_lte(SIGNAL_AFTER_MS / 2, waited);

	/* A read fence holds up a CPU writer, not a CPU reader. */
	fence = vgem_fence_attach(f.fd, f.bo.handle, 0);
	t0 = now_ms();
	prime_sync_start(f.dmabuf, false);
	prime_sync_end(f.dmabuf, false);
	igt_assert_lt(now_ms() - t0, GIVE_UP_MS);
	signal_start(&s, f.fd, fence);
	t0 = now_ms();
	prime_sync_start(f.dmabuf, true);
	waited = now_ms() - t0;
	prime_sync_end(f.dmabuf, true);
	signal_join(&s);
	igt_assert_lte(SIGNAL_AFTER_MS / 2, waited);
	fenced_free(&f);
}

static void check_export_sync_file(const char *key)
{
	struct fenced f = fenced_new(key);
	uint32_t fence;
	int rd, wr;

	fence = vgem_fence_attach(f.fd, f.bo.handle, 0);
	rd = prime_export_sync_file(f.dmabuf, DMA_BUF_SYNC_READ);
	wr = prime_export_sync_file(f.dmabuf, DMA_BUF_SYNC_WRITE);
	/* A reader need not wait for a read fence, a writer must. */
	igt_assert(!sync_file_busy(rd));
	igt_assert(sync_file_busy(wr));
	vgem_fence_signal(f.fd, fence);
	igt_assert(!sync_file_busy(wr));
	close(rd);
	close(wr);

	fence = vgem_fence_attach(f.fd, f.bo.handle, PH_VGEM_FENCE_WRITE);
	rd = prime_export_sync_file(f.dmabuf, DMA_BUF_SYNC_READ);
	igt_assert(sync_file_busy(rd));
	vgem_fence_signal(f.fd, fence);
	igt_assert(!sync_file_busy(rd));
	close(rd);
	fenced_free(&f);
}

static void check_export_sync_file_bad_flags(const char *key)
{
	struct fenced f = fenced_new(key);
	int sync_fd = -1;

	igt_assert_eq(__prime_export_sync_file(f.dmabuf, 0, &sync_fd), -EINVAL);
	igt_assert_eq(__prime_export_sync_file(f.dmabuf, DMA_BUF_SYNC_END, &sync_fd), -EINVAL);
	igt_assert_eq(__prime_export_sync_file(f.dmabuf, ~0u, &sync_fd), -EINVAL);
	fenced_free(&f);
}

/* A fence put on the dma-buf from outside is seen by vgem's own ioctl. */
static void check_import_sync_file(const char *key)
{
	struct fenced a = fenced_new(key), b = fenced_new(key);
	struct ph_vgem_fence_attach attach = { .handle = b.bo.handle };
	uint32_t fence;
	int sync_fd;

	fence = vgem_fence_attach(a.fd, a.bo.handle, PH_VGEM_FENCE_WRITE);
	sync_fd = prime_export_sync_file(a.dmabuf, DMA_BUF_SYNC_READ);
	igt_assert_eq(__prime_import_sync_file(b.dmabuf, DMA_BUF_SYNC_WRITE, sync_fd), 0);
	close(sync_fd);

	igt_assert(prime_busy(b.dmabuf, false));
	igt_assert_eq(__vgem_fence_attach(b.fd, &attach), -EBUSY);
	attach.flags = PH_VGEM_FENCE_WRITE;
	igt_assert_eq(__vgem_fence_attach(b.fd, &attach), -EBUSY);
	vgem_fence_signal(a.fd, fence);
	igt_assert(!prime_busy(b.dmabuf, true));
	vgem_fence_signal(b.fd, vgem_fence_attach(b.fd, b.bo.handle, PH_VGEM_FENCE_WRITE));
	fenced_free(&a);
	fenced_free(&b);
}

static void check_busy(const char *key)
{
	struct fenced f = fenced_new(key);
	struct ph_vgem_fence_attach arg = { .handle = f.bo.handle };
	uint32_t read1, read2, write;

	read1 = vgem_fence_attach(f.fd, f.bo.handle, 0);
	/* Readers share... */
	read2 = vgem_fence_attach(f.fd, f.bo.handle, 0);
	/* ...a writer conflicts with any unsignalled fence. */
	arg.flags = PH_VGEM_FENCE_WRITE;
	igt_assert_eq(__vgem_fence_attach(f.fd, &arg), -EBUSY);
	vgem_fence_signal(f.fd, read1);
	igt_assert_eq(__vgem_fence_attach(f.fd, &arg), -EBUSY);
	vgem_fence_signal(f.fd, read2);

	write = vgem_fence_attach(f.fd, f.bo.handle, PH_VGEM_FENCE_WRITE);
	/* While a writer is pending, nobody else gets in. */
	igt_assert_eq(__vgem_fence_attach(f.fd, &arg), -EBUSY);
	arg.flags = 0;
	igt_assert_eq(__vgem_fence_attach(f.fd, &arg), -EBUSY);
	vgem_fence_signal(f.fd, write);
	vgem_fence_signal(f.fd, vgem_fence_attach(f.fd, f.bo.handle, 0));
	fenced_free(&f);
}

static void check_bad_flags(const char *key)
{
	struct fenced f = fenced_new(key);
	struct ph_vgem_fence_attach arg = { .flags = 0xff };
	uint32_t fence;

	igt_assert_eq(__vgem_fence_attach(f.fd, &arg), -EINVAL);
	arg.handle = f.bo.handle;
	igt_assert_eq(__vgem_fence_attach(f.fd, &arg), -EINVAL);
	arg.flags = ~PH_VGEM_FENCE_WRITE;
	igt_assert_eq(__vgem_fence_attach(f.fd, &arg), -EINVAL);
	igt_assert_eq(__vgem_fence_signal(f.fd, 0, 0xff), -EINVAL);
	fence = vgem_fence_attach(f.fd, f.bo.handle, 0);
	igt_assert_eq(__vgem_fence_signal(f.fd, fence, 1), -EINVAL);
	/* A refused signal left the fence pending. */
	igt_assert(prime_busy(f.dmabuf, true));
	vgem_fence_signal(f.fd, fence);
	fenced_free(&f);
}

static void check_bad_pad(const char *key)
{
	struct fenced f = fenced_new(key);
	struct ph_vgem_fence_attach arg = { .pad = 1 };

	igt_assert_eq(__vgem_fence_attach(f.fd, &arg), -EINVAL);
	arg.handle = f.bo.handle;
	igt_assert_eq(__vgem_fence_attach(f.fd, &arg), -EINVAL);
	igt_assert(!prime_busy(f.dmabuf, true));
	fenced_free(&f);
}

static void check_bad_handle(const char *key)
{
	int fd = drm_open_card(key, 0);
	struct ph_vgem_fence_attach arg = { .handle = 0xff };

	igt_assert_eq(__vgem_fence_attach(fd, &arg), -ENOENT);
	arg.handle = 0;
	igt_assert_eq(__vgem_fence_attach(fd, &arg), -ENOENT);
	close(fd);
}

static void check_bad_fence(const char *key)
{
	struct fenced f = fenced_new(key);
	int other = drm_open_card(key, 0);
	uint32_t fence;

	igt_assert_eq(__vgem_fence_signal(f.fd, 0xff, 0), -ENOENT);
	fence = vgem_fence_attach(f.fd, f.bo.handle, 0);
	/* Fence ids are per file. */
	igt_assert_eq(__vgem_fence_signal(other, fence, 0), -ENOENT);
	vgem_fence_signal(f.fd, fence);
	/* A signalled fence is gone from the file. */
	igt_assert_eq(__vgem_fence_signal(f.fd, fence, 0), -ENOENT);
	close(other);
	fenced_free(&f);
}

static void check_close_signals(const char *key)
{
	struct fenced f = fenced_new(key);
	int dmabuf = dup(f.dmabuf);

	vgem_fence_attach(f.fd, f.bo.handle, PH_VGEM_FENCE_WRITE);
	igt_assert(prime_busy(dmabuf, false));
	fenced_free(&f);
	/* Closing the file that owns the fence signals it. */
	igt_assert(prime_wait(dmabuf, true, GIVE_UP_MS));
	close(dmabuf);
}

/* Both drivers at once, so the 10 s pass only once. */
static void check_expiry(void)
{
	struct fenced f[VGEM_DRIVER_COUNT];
	uint32_t fence[VGEM_DRIVER_COUNT];
	const char *driver[VGEM_DRIVER_COUNT];
	double expired[VGEM_DRIVER_COUNT];	/* ms after attach, -1 while pending */
	double t0, deadline;
	const char *key;
	int n = 0, i, busy;

	for_each_vgem_driver(key) {
		driver[n] = key;
		f[n] = fenced_new(key);
		fence[n] = vgem_fence_attach(f[n].fd, f[n].bo.handle, PH_VGEM_FENCE_WRITE);
		expired[n] = -1;
		n++;
	}
	t0 = now_ms();
	deadline = t0 + VGEM_FENCE_TIMEOUT_MS + GIVE_UP_MS;
	do {
		struct pollfd pfd[VGEM_DRIVER_COUNT];

		/* Sleep in poll() on the dma-bufs still fenced, never in a loop. */
		for (busy = 0, i = 0; i < n; i++) {
			if (expired[i] >= 0)
				continue;
			if (!prime_busy(f[i].dmabuf, false))
				expired[i] = now_ms() - t0;
			else
				pfd[busy++] = (struct pollfd){ .fd = f[i].dmabuf,
							       .events = POLLIN };
		}
		if (busy)
			igt_assert(poll(pfd, busy, deadline - now_ms()) >= 0);
	} while (busy && now_ms() < deadline);

	for (i = 0; i < n; i++) {
		drm_checking(driver[i]);
		igt_info("fence expired after %.1f s\n", expired[i] / 1000);
		igt_assert_f(expired[i] >= 0, "fence still pending after %.1f s",
			     (now_ms() - t0) / 1000);
		igt_assert_lte(VGEM_FENCE_TIMEOUT_MS * 0.9, expired[i]);
	}
	for (i = 0; i < n; i++) {
		drm_checking(driver[i]);
		igt_assert_eq(__vgem_fence_signal(f[i].fd, fence[i], 0), -ETIMEDOUT);
		/* Expired and reported once: the id is released. */
		igt_assert_eq(__vgem_fence_signal(f[i].fd, fence[i], 0), -ENOENT);
		fenced_free(&f[i]);
	}
}

igt_main
{
	const char *key;

	igt_describe("A read fence blocks writers (POLLOUT) but not readers (POLLIN).");
	igt_subtest("read-fence-blocks-writers")
		for_each_vgem_driver(key)
			check_read_fence(key);

	igt_describe("A write fence blocks readers and writers until signalled.");
	igt_subtest("write-fence-blocks-everyone")
		for_each_vgem_driver(key)
			check_write_fence(key);

	igt_describe("A fence attached before the export is seen through the dma-buf.");
	igt_subtest("fence-before-export")
		for_each_vgem_driver(key)
			check_fence_before_export(key);

	igt_describe("poll() on the dma-buf blocks while fenced and returns once signalled.");
	igt_subtest("poll-blocks-until-signal")
		for_each_vgem_driver(key)
			check_poll_blocks(key);

	igt_describe("DMA_BUF_IOCTL_SYNC start waits for the fences its direction needs.");
	igt_subtest("sync-start-waits-for-fences")
		for_each_vgem_driver(key)
			check_sync_waits(key);

	igt_describe("EXPORT_SYNC_FILE returns the fences a reader or writer must wait for.");
	igt_subtest("export-sync-file-sees-fences")
		for_each_vgem_driver(key)
			check_export_sync_file(key);

	igt_describe("EXPORT_SYNC_FILE without a direction, or with unknown flags, is EINVAL.");
	igt_subtest("export-sync-file-bad-flags-is-einval")
		for_each_vgem_driver(key)
			check_export_sync_file_bad_flags(key);

	igt_describe("A fence imported into the dma-buf makes vgem's fence attach EBUSY.");
	igt_subtest("import-sync-file-shares-reservation")
		for_each_vgem_driver(key)
			check_import_sync_file(key);

	igt_describe("A writer with any fence pending, or anyone with a writer pending, is EBUSY.");
	igt_subtest("busy-fence-is-ebusy")
		for_each_vgem_driver(key)
			check_busy(key);

	igt_describe("Unknown attach or signal flags are EINVAL, and change nothing.");
	igt_subtest("bad-flags-is-einval")
		for_each_vgem_driver(key)
			check_bad_flags(key);

	igt_describe("A non-zero pad is EINVAL.");
	igt_subtest("bad-pad-is-einval")
		for_each_vgem_driver(key)
			check_bad_pad(key);

	igt_describe("Attaching to an unknown handle is ENOENT.");
	igt_subtest("bad-handle-is-enoent")
		for_each_vgem_driver(key)
			check_bad_handle(key);

	igt_describe("Signalling an unknown, foreign or already signalled fence is ENOENT.");
	igt_subtest("bad-fence-is-enoent")
		for_each_vgem_driver(key)
			check_bad_fence(key);

	igt_describe("Closing the file signals its pending fences.");
	igt_subtest("file-close-signals-fences")
		for_each_vgem_driver(key)
			check_close_signals(key);

	igt_describe("An unsignalled fence expires after 10 s; signalling it then is ETIMEDOUT.");
	igt_subtest("fence-expires-after-10s")
		check_expiry();
}
