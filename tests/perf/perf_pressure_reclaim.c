// SPDX-License-Identifier: MIT
/*
 * Memory given back under pressure (runs in the pressure boot only: 1 GiB of
 * RAM, zram swap, memory cgroups; scripts/guest-init.sh):
 *
 *  - reclaim_working_set_per_ram: buffers worth twice the guest's RAM are
 *    written one after another through the GEM mmap and unmapped (handles
 *    kept), then each is read back and checked. The result is the part of
 *    the working set that read back intact, in units of RAM (2.00: all of
 *    it). The writer runs in a child: a SIGBUS or an OOM kill ends it, and
 *    what it verified before that is its figure. Higher is better.
 *  - reclaim_64M_left_ram: a 64 MiB buffer written through the GEM mmap,
 *    unmapped with its handle open, then the program's memory cgroup is asked
 *    to reclaim 64 MiB (memory.reclaim): how much of the buffer's shmem left
 *    RAM (memory.stat "shmem" before and after), in MiB. Higher is better: a
 *    driver that keeps its pages referenced leaves nothing to reclaim.
 *  - reclaim_64M_swapin: the same buffer then mapped again and read, one
 *    byte per page: MiB/s. Reported, not judged: a buffer that never left
 *    RAM reads at memory speed, so the two drivers do not measure the same
 *    thing.
 *  - reclaim_64M_intact: then its contents checked: the MiB that read back
 *    as written. Higher is better (pages reclaimed without being marked
 *    dirty come back zero).
 *  - reclaim_alloc_beside_mapped: the time a child takes to allocate and
 *    write anonymous memory worth 60 % of RAM while 40 % of RAM is in
 *    buffers kept mapped (and checked afterwards), in ms. Lower is better.
 *  - reclaim_alloc_beside_mapped_thp_fallback: during that allocation, the
 *    share of the kernel's transparent huge page faults that fell back to
 *    4 KiB pages (/proc/vmstat thp_fault_fallback over all THP faults; the
 *    child makes nearly all of them), in %. Reported, not judged: it says
 *    where the time above goes (under TCG a 4 KiB fault costs about as much
 *    as a 2 MiB one, so a fallback multiplies the faults by up to 512).
 *  - the same two with the suffix _hugeoff, measured first: our buffers
 *    made while the library's huge_pages=0 (4 KiB pages); a control for the
 *    part the huge folios play. The stock driver measures its one path
 *    again.
 */
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "perf.h"

#define WS_BUFFER (16ull << 20)
#define WS_FACTOR 2
#define SWAPIN_SIZE (64ull << 20)

static char cgroup[64];

static void cgroup_write(const char *file, const char *text, bool may_fail)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", cgroup, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		perf_die("cannot open %s (is this the pressure boot, with cgroup2 mounted?)", path);
	if (write(fd, text, strlen(text)) < 0 && !may_fail)
		perf_die("cannot write '%s' to %s", text, path);
	close(fd);
}

/* The value of @key in a file of "name value" lines; @hint ends the message if it is missing. */
static long long keyed_value(const char *path, const char *key, const char *hint)
{
	long long value, found = -1;
	char name[64];
	FILE *f = fopen(path, "r");

	if (!f)
		perf_die("cannot open %s", path);
	while (fscanf(f, "%63s %lld", name, &value) == 2)
		if (!strcmp(name, key)) {
			found = value;
			break;
		}
	fclose(f);
	if (found < 0)
		perf_die("no %s in %s%s", key, path, hint);
	return found;
}

/* A key of the cgroup's memory.stat, in bytes. */
static long long cgroup_stat(const char *key)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/memory.stat", cgroup);
	return keyed_value(path, key, "");
}

/* This process into a cgroup of its own, for memory.stat and memory.reclaim. */
static void cgroup_enter(void)
{
	char pid[16];

	snprintf(cgroup, sizeof(cgroup), "/sys/fs/cgroup/perf_reclaim_%d", getpid());
	if (mkdir(cgroup, 0755) && errno != EEXIST)
		perf_die("cannot make the cgroup %s (is this the pressure boot?)", cgroup);
	snprintf(pid, sizeof(pid), "%d", getpid());
	cgroup_write("cgroup.procs", pid, false);
}

static void cgroup_leave(void)
{
	char pid[16];
	int fd = open("/sys/fs/cgroup/cgroup.procs", O_WRONLY | O_CLOEXEC);

	snprintf(pid, sizeof(pid), "%d", getpid());
	if (fd < 0 || write(fd, pid, strlen(pid)) < 0)
		perf_die("cannot move back to the root cgroup");
	close(fd);
	if (rmdir(cgroup))
		perf_die("cannot remove %s", cgroup);
}

/*
 * Each page of buffer i: a tag (i, page) in its first two words, then one
 * repeated byte. A page read back as another's, or as zeroes, fails; and the
 * pages compress well, as zram needs: incompressible data would take as much
 * RAM in zram as it left, and no working set beyond RAM could fit.
 */
static void ws_fill(uint32_t *p, uint64_t size, uint32_t i)
{
	uint64_t page;

	for (page = 0; page < size / 4096; page++) {
		uint32_t *w = p + page * 1024;

		memset(w, 0xa5 ^ (i & 0xff), 4096);
		w[0] = i;
		w[1] = (uint32_t)page;
	}
}

static bool ws_intact(const uint32_t *p, uint64_t size, uint32_t i)
{
	uint32_t fill;
	uint64_t page;

	memset(&fill, 0xa5 ^ (i & 0xff), sizeof(fill));
	for (page = 0; page < size / 4096; page++) {
		const uint32_t *w = p + page * 1024;
		unsigned int k;

		if (w[0] != i || w[1] != (uint32_t)page)
			return false;
		for (k = 2; k < 1024; k++)
			if (w[k] != fill)
				return false;
	}
	return true;
}

static uint64_t map_offset(int fd, uint32_t handle)
{
	struct drm_mode_map_dumb arg = { .handle = handle };

	if (drmIoctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &arg))
		perf_die("MODE_MAP_DUMB");
	return arg.offset;
}

/*
 * A child that reports to its parent through a pipe: returns 0 in the child
 * (the write end in @pipefd[1]), its pid in the parent (the read end in
 * @pipefd[0]); the other end is closed on each side.
 */
static pid_t spawn_reporter(int pipefd[2])
{
	pid_t pid;

	if (pipe(pipefd))
		perf_die("pipe");
	pid = fork();
	if (pid < 0)
		perf_die("fork");
	close(pipefd[pid ? 1 : 0]);
	return pid;
}

/* How a child ended, for the message: "exited with 0", "was killed by signal 7". */
static const char *child_end(int status, char *buf, size_t len)
{
	if (WIFSIGNALED(status))
		snprintf(buf, len, "was killed by signal %d", WTERMSIG(status));
	else
		snprintf(buf, len, "exited with %d", WEXITSTATUS(status));
	return buf;
}

static void ws_map(int fd, uint32_t handle, int prot, void **ptr)
{
	*ptr = mmap(NULL, WS_BUFFER, prot, MAP_SHARED, fd, map_offset(fd, handle));
	if (*ptr == MAP_FAILED)
		perf_die("GEM mmap of a %llu-byte buffer", WS_BUFFER);
}

/*
 * The child: writes the set, reads it back; down @out goes a 'w' per buffer
 * written and an 'i' per buffer read back intact.
 */
static void ws_child(const char *key, unsigned int count, int out)
{
	int fd = perf_open(key, 0);
	uint32_t *handles = calloc(count, sizeof(*handles));
	unsigned int i;
	void *ptr;

	if (!handles)
		perf_die("no memory for %u handles", count);
	for (i = 0; i < count; i++) {
		handles[i] = perf_create(fd, WS_BUFFER);
		ws_map(fd, handles[i], PROT_READ | PROT_WRITE, &ptr);
		ws_fill(ptr, WS_BUFFER, i);
		munmap(ptr, WS_BUFFER);
		if (write(out, "w", 1) != 1)
			perf_die("cannot report to the parent");
	}
	for (i = 0; i < count; i++) {
		ws_map(fd, handles[i], PROT_READ, &ptr);
		if (ws_intact(ptr, WS_BUFFER, i) && write(out, "i", 1) != 1)
			perf_die("cannot report to the parent");
		munmap(ptr, WS_BUFFER);
	}
	_exit(0);
}

static void working_set(const char *key)
{
	long ram_kib = perf_meminfo_kib("MemTotal");
	unsigned int count = (unsigned int)((WS_FACTOR * (uint64_t)ram_kib * 1024) / WS_BUFFER);
	unsigned long intact = 0, written = 0;
	int pipefd[2], status;
	char byte, how[48];
	pid_t pid;

	pid = spawn_reporter(pipefd);
	if (!pid)
		ws_child(key, count, pipefd[1]);
	while (read(pipefd[0], &byte, 1) == 1)
		if (byte == 'w')
			written++;
		else
			intact++;
	close(pipefd[0]);
	if (waitpid(pid, &status, 0) != pid)
		perf_die("waitpid");
	fprintf(stderr, "working set of %u x %llu MiB: %lu written, %lu read back intact; the writer %s\n",
		count, WS_BUFFER >> 20, written, intact, child_end(status, how, sizeof(how)));
	perf_record("reclaim_working_set_per_ram", "RAM", "higher",
		    (double)(intact * WS_BUFFER) / ((double)ram_kib * 1024));
}

static void reclaim_and_swapin(const char *key)
{
	int fd = perf_open(key, 0);
	uint32_t handle = perf_create(fd, SWAPIN_SIZE);
	uint8_t *ptr = perf_map_written(fd, handle, SWAPIN_SIZE), expect[4096];
	long long shmem_before, left;
	volatile uint8_t sink = 0;
	uint64_t t0, i, intact = 0;
	char amount[32];

	munmap(ptr, SWAPIN_SIZE);
	shmem_before = cgroup_stat("shmem");
	snprintf(amount, sizeof(amount), "%llu", SWAPIN_SIZE);
	/* EAGAIN when less than asked for could go: that is the measurement. */
	cgroup_write("memory.reclaim", amount, true);
	left = shmem_before - cgroup_stat("shmem");
	if (left < 0)
		left = 0;
	if ((uint64_t)left > SWAPIN_SIZE)
		left = SWAPIN_SIZE;
	perf_record("reclaim_64M_left_ram", "MiB", "higher", (double)(left >> 20));

	ptr = mmap(NULL, SWAPIN_SIZE, PROT_READ, MAP_SHARED, fd, map_offset(fd, handle));
	if (ptr == MAP_FAILED)
		perf_die("GEM mmap of the reclaimed buffer");
	t0 = perf_now_ns();
	for (i = 0; i < SWAPIN_SIZE; i += 4096)
		sink += ptr[i];
	perf_record("reclaim_64M_swapin", "MiB/s", "neither",
		    (double)(SWAPIN_SIZE >> 20) * 1e9 / (double)(perf_now_ns() - t0));
	/* Pages given back without being marked dirty may come back zero. */
	memset(expect, 0x5a, sizeof(expect));
	for (i = 0; i < SWAPIN_SIZE; i += 4096)
		intact += !memcmp(ptr + i, expect, sizeof(expect));
	perf_record("reclaim_64M_intact", "MiB", "higher", (double)((intact * 4096) >> 20));
	munmap(ptr, SWAPIN_SIZE);
	perf_close_handle(fd, handle);
	close(fd);
}

/*
 * What reclaim costs an allocation that has nothing to do with the buffers:
 * 40 % of RAM in buffers written through the GEM mmap and kept mapped, then a
 * child allocates and writes anonymous memory worth 60 % of RAM. Ours' mapped
 * pages are the shrinker's to evict (their PTEs shot down, the pages swapped
 * like any shmem page); the stock vgem holds them while mapped, so reclaim
 * must find the memory elsewhere (the child's own pages, to swap).
 */
/* A counter of /proc/vmstat. */
static long long vmstat(const char *key)
{
	return keyed_value("/proc/vmstat", key, " (a kernel without transparent huge pages?)");
}

static void alloc_beside_mapped(const char *key, const char *suffix)
{
	long ram_kib = perf_meminfo_kib("MemTotal");
	unsigned int count = (unsigned int)(((uint64_t)ram_kib * 1024 * 2 / 5) / WS_BUFFER), i;
	uint64_t anon = (uint64_t)ram_kib * 1024 * 3 / 5, off;
	int fd = perf_open(key, 0), pipefd[2], status;
	uint32_t *handles = calloc(count, sizeof(*handles));
	void **maps = calloc(count, sizeof(*maps));
	long long thp_alloc, thp_fallback;
	char how[48], metric[64];
	double ms;
	pid_t pid;

	if (!handles || !maps)
		perf_die("no memory for %u buffers", count);
	for (i = 0; i < count; i++) {
		handles[i] = perf_create(fd, WS_BUFFER);
		ws_map(fd, handles[i], PROT_READ | PROT_WRITE, &maps[i]);
		ws_fill(maps[i], WS_BUFFER, i);
	}
	thp_alloc = vmstat("thp_fault_alloc");
	thp_fallback = vmstat("thp_fault_fallback");
	pid = spawn_reporter(pipefd);
	if (!pid) {
		uint64_t t0 = perf_now_ns();
		uint8_t *p = mmap(NULL, anon, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			perf_die("anonymous mmap of %llu bytes", (unsigned long long)anon);
		for (off = 0; off < anon; off += 4096)
			p[off] = 1;
		ms = (double)(perf_now_ns() - t0) / 1e6;
		if (write(pipefd[1], &ms, sizeof(ms)) != sizeof(ms))
			perf_die("cannot report to the parent");
		_exit(0);
	}
	if (read(pipefd[0], &ms, sizeof(ms)) != sizeof(ms))
		ms = -1;
	close(pipefd[0]);
	if (waitpid(pid, &status, 0) != pid)
		perf_die("waitpid");
	if (ms < 0) {
		fprintf(stderr, "perf: the allocating child %s before it finished\n",
			child_end(status, how, sizeof(how)));
		exit(1);
	}
	thp_alloc = vmstat("thp_fault_alloc") - thp_alloc;
	thp_fallback = vmstat("thp_fault_fallback") - thp_fallback;
	snprintf(metric, sizeof(metric), "reclaim_alloc_beside_mapped%s", suffix);
	perf_record(metric, "ms", "lower", ms);
	snprintf(metric, sizeof(metric), "reclaim_alloc_beside_mapped%s_thp_fallback", suffix);
	perf_record(metric, "%", "neither",
		    thp_alloc + thp_fallback ? 100.0 * thp_fallback / (thp_alloc + thp_fallback) : 0);
	for (i = 0; i < count; i++) {
		if (!ws_intact(maps[i], WS_BUFFER, i)) {
			fprintf(stderr, "perf: mapped buffer %u lost its contents\n", i);
			exit(1);
		}
		munmap(maps[i], WS_BUFFER);
		perf_close_handle(fd, handles[i]);
	}
	free(maps);
	free(handles);
	close(fd);
}

int main(int argc, char **argv)
{
	const char *key = perf_driver(argc, argv);

	bool ours = !strcmp(key, DRIVER_PH_VGEM);
	unsigned int huge;

	cgroup_enter();
	reclaim_and_swapin(key);
	/*
	 * The control first: once reclaim has split huge folios to swap them,
	 * free memory stays fragmented for the rest of the boot, and a control
	 * run after that would measure the plain run's aftermath.
	 */
	huge = perf_set_library_param(ours, "huge_pages", 0);
	alloc_beside_mapped(key, "_hugeoff");
	perf_restore_library_param(ours, "huge_pages", huge);
	alloc_beside_mapped(key, "");
	working_set(key);
	cgroup_leave();
	return 0;
}
