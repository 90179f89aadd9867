// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "debugfs.h"
#include "drmtest.h"
#include "igt.h"

char *read_whole_file(const char *path, size_t *len)
{
	size_t size = 4096, used = 0;
	char *buf = malloc(size);
	ssize_t n = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || !buf) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	for (;;) {
		if (used + 1 >= size) {
			char *bigger = realloc(buf, size * 2);

			if (!bigger)
				break;
			buf = bigger;
			size *= 2;
		}
		n = read(fd, buf + used, size - used - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		used += n;
	}
	close(fd);
	if (n < 0) {
		free(buf);
		return NULL;
	}
	buf[used] = 0;
	if (len)
		*len = used;
	return buf;
}

void write_whole_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	igt_assert_f(fd >= 0, "cannot open %s: %s", path, strerror(errno));
	n = write(fd, text, strlen(text));
	igt_assert_f(n == (ssize_t)strlen(text), "cannot write '%s' to %s: %s", text, path,
		     strerror(errno));
	close(fd);
}

static char *ph_objects_text(int fd)
{
	char dir[PATH_MAX - 16], path[PATH_MAX];
	char *text;

	igt_assert_f(drm_debugfs_dir(fd, dir, sizeof(dir)), "no debugfs directory for fd %d", fd);
	snprintf(path, sizeof(path), "%s/ph_objects", dir);
	text = read_whole_file(path, NULL);
	igt_assert_f(text, "cannot read %s: %s", path, strerror(errno));
	return text;
}

int ph_objects_read(int fd, struct ph_object *objs, int max)
{
	char *text = ph_objects_text(fd);
	char *line, *save;
	int count = -1, listed = 0;

	line = strtok_r(text, "\n", &save);
	igt_assert_f(line && sscanf(line, "objects: %d", &count) == 1,
		     "ph_objects: first line is '%s'", line ? line : "");
	line = strtok_r(NULL, "\n", &save);
	igt_assert_f(line && !strcmp(line, PH_OBJECTS_HEADER),
		     "ph_objects: header is '%s'", line ? line : "");
	while ((line = strtok_r(NULL, "\n", &save))) {
		struct ph_object o;
		int end = 0;

		igt_assert_f(sscanf(line, "%" SCNu64 " %" SCNu64 " %u %u %u %u %u %" SCNu64
				    " 0x%" SCNx64 " %7s %u %u %" SCNu64 " %u %u %u %" SCNu64 " %" SCNu64 " %u%n", &o.id,
				    &o.size, &o.handles, &o.exported, &o.imported, &o.pins, &o.vmaps,
				    &o.faults, &o.offset, o.store, &o.segments, &o.huge,
				    &o.pmd_faults, &o.evictable, &o.purgeable, &o.madv, &o.resident, &o.swapped,
				    &o.maps, &end) == 19 &&
				     line[end] == 0,
			     "ph_objects: bad line '%s'", line);
		igt_assert_f(o.exported <= 1 && o.imported <= 1 && o.evictable + o.purgeable <= 1 &&
			     o.madv <= 2 && o.resident <= o.size / 4096 &&
			     o.swapped <= o.size / 4096 && (!o.maps || o.exported),
			     "ph_objects: exported/imported/evictable/purgeable/madv/resident/swapped/maps out of range in '%s'",
			     line);
		/* An import is listed before its attachment is set: store first. */
		igt_assert_f(o.imported ? !strcmp(o.store, "import") :
			     (!strcmp(o.store, "shmem") || !strcmp(o.store, "dma") ||
			      !strcmp(o.store, "import")),
			     "ph_objects: store '%s' does not fit imported=%u in '%s'",
			     o.store, o.imported, line);
		if (listed < max)
			objs[listed] = o;
		listed++;
	}
	free(text);
	igt_assert_f(count == listed, "ph_objects: header says %d objects, %d listed",
		     count, listed);
	return count;
}

bool ph_object_find(int fd, uint64_t offset, struct ph_object *obj)
{
	struct ph_object *objs;
	bool found = false;
	int n, i;

	n = ph_objects_count(fd);
	objs = calloc(n + 16, sizeof(*objs));
	igt_assert(objs);
	/* Objects may come and go between the two reads: take what the second saw. */
	n = ph_objects_read(fd, objs, n + 16);
	for (i = 0; i < n && !found; i++) {
		if (objs[i].offset == offset) {
			*obj = objs[i];
			found = true;
		}
	}
	free(objs);
	return found;
}

struct ph_object ph_object_get(int fd, uint64_t offset)
{
	struct ph_object obj;

	igt_assert_f(ph_object_find(fd, offset, &obj),
		     "no object with mmap offset 0x%" PRIx64 " in ph_objects", offset);
	return obj;
}

int ph_debugfs_open(int fd, const char *name, int flags)
{
	char dir[PATH_MAX - 16], path[PATH_MAX];
	int file;

	igt_assert(drm_debugfs_dir(fd, dir, sizeof(dir)));
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	file = open(path, flags | O_CLOEXEC);
	igt_assert_f(file >= 0, "cannot open %s: %s", path, strerror(errno));
	return file;
}

int __ph_knob_write(int file, const char *text)
{
	int len = strlen(text), ret = write(file, text, len);

	if (ret < 0)
		return -errno;
	igt_assert_eq(ret, len);
	return 0;
}

/* Writes @text to the device's debugfs file @name, whole. */
static void ph_debugfs_write(int fd, const char *name, const char *text)
{
	int file = ph_debugfs_open(fd, name, O_WRONLY), ret;

	ret = __ph_knob_write(file, text);
	igt_assert_f(ret == 0, "writing \"%s\" to %s failed: %s", text, name, strerror(-ret));
	close(file);
}

void ph_evict(int fd)
{
	ph_debugfs_write(fd, "ph_evict", "1");
}

void ph_shrink(int fd, uint64_t nr_pages)
{
	char text[32];

	snprintf(text, sizeof(text), "%" PRIu64, nr_pages);
	ph_debugfs_write(fd, "ph_shrink", text);
}

void ph_shrinker_read(int fd, struct ph_shrinker *s)
{
	static const struct {
		const char *name;
		size_t offset;
	} fields[] = {
		{ "evictable_objects", offsetof(struct ph_shrinker, evictable_objects) },
		{ "evictable_pages", offsetof(struct ph_shrinker, evictable_pages) },
		{ "scans", offsetof(struct ph_shrinker, scans) },
		{ "evicted_objects", offsetof(struct ph_shrinker, evicted_objects) },
		{ "evicted_pages", offsetof(struct ph_shrinker, evicted_pages) },
		{ "purgeable_objects", offsetof(struct ph_shrinker, purgeable_objects) },
		{ "purgeable_pages", offsetof(struct ph_shrinker, purgeable_pages) },
		{ "purged_objects", offsetof(struct ph_shrinker, purged_objects) },
		{ "purged_pages", offsetof(struct ph_shrinker, purged_pages) },
	};
	char dir[PATH_MAX - 16], path[PATH_MAX], *text, *line, *save;
	unsigned int seen = 0, i;

	igt_assert(drm_debugfs_dir(fd, dir, sizeof(dir)));
	snprintf(path, sizeof(path), "%s/ph_shrinker", dir);
	text = read_whole_file(path, NULL);
	igt_assert_f(text, "cannot read %s: %s", path, strerror(errno));
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[32];
		uint64_t v;

		igt_assert_f(sscanf(line, "%31s %" SCNu64, name, &v) == 2,
			     "ph_shrinker: bad line '%s'", line);
		for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
			if (!strcmp(name, fields[i].name)) {
				*(uint64_t *)((char *)s + fields[i].offset) = v;
				seen |= 1u << i;
			}
		}
	}
	free(text);
	igt_assert_f(seen == (1u << (sizeof(fields) / sizeof(fields[0]))) - 1,
		     "ph_shrinker: a counter is missing (seen mask 0x%x)", seen);
}

static const struct {
	const char *name;
	size_t offset;
} stat_fields[] = {
	{ "objects", offsetof(struct ph_stats, objects) },
	{ "dma_bufs", offsetof(struct ph_stats, dma_bufs) },
	{ "imports", offsetof(struct ph_stats, imports) },
	{ "attachments", offsetof(struct ph_stats, attachments) },
	{ "cache_entries", offsetof(struct ph_stats, cache_entries) },
	{ "vmaps", offsetof(struct ph_stats, vmaps) },
};

#define N_STATS (sizeof(stat_fields) / sizeof(stat_fields[0]))

static long *stat_field(struct ph_stats *stats, unsigned int i)
{
	return (long *)((char *)stats + stat_fields[i].offset);
}

void ph_stats_read(struct ph_stats *stats)
{
	char *text = read_whole_file(PH_STATS_PATH, NULL);
	bool seen[N_STATS] = { false };
	char *line, *save;
	unsigned int i;

	igt_assert_f(text, "cannot read %s: %s", PH_STATS_PATH, strerror(errno));
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[64];
		long value;

		igt_assert_f(sscanf(line, "%63[a-z_]: %ld", name, &value) == 2,
			     "stats: bad line '%s'", line);
		for (i = 0; i < N_STATS; i++) {
			if (!strcmp(name, stat_fields[i].name)) {
				*stat_field(stats, i) = value;
				seen[i] = true;
			}
		}
	}
	free(text);
	for (i = 0; i < N_STATS; i++)
		igt_assert_f(seen[i], "stats: no '%s' line", stat_fields[i].name);
}

void ph_stats_assert_equal(const struct ph_stats *base, const struct ph_stats *now)
{
	char diff[512] = "";
	unsigned int i;
	size_t used = 0;

	for (i = 0; i < N_STATS; i++) {
		long a = *stat_field((struct ph_stats *)base, i);
		long b = *stat_field((struct ph_stats *)now, i);

		if (a != b && used < sizeof(diff))
			used += snprintf(diff + used, sizeof(diff) - used, " %s %ld -> %ld",
					 stat_fields[i].name, a, b);
	}
	igt_assert_f(!used, "library counters differ from the baseline:%s", diff);
}

bool kernel_is_debug(void)
{
	return access("/sys/kernel/debug/kmemleak", F_OK) == 0;
}

unsigned int scale_iterations(unsigned int n)
{
	unsigned int scaled = kernel_is_debug() ? n / 8 : n;

	return scaled ? scaled : 1;
}

uint64_t read_keyed_u64(const char *path, const char *key)
{
	char *text = read_whole_file(path, NULL), *line, *save;
	size_t len = strlen(key);
	uint64_t v = 0;
	bool found = false;

	igt_assert_f(text, "cannot read %s: %s", path, strerror(errno));
	for (line = strtok_r(text, "\n", &save); line && !found;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, key, len) || (line[len] != ' ' && line[len] != ':'))
			continue;
		v = strtoull(line + len + 1, NULL, 10);
		found = true;
	}
	free(text);
	igt_assert_f(found, "no '%s' in %s", key, path);
	return v;
}
