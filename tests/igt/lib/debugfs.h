/* SPDX-License-Identifier: MIT */
/*
 * The PRIME helper library's debugfs interface, parsed strictly: these files
 * are a contract the tests depend on, so a format change fails loudly.
 *
 *  dri/<minor>/ph_objects   "objects: N", a column header, one line per object
 *  dri/<minor>/ph_evict     write "1": evict every unpinned object's pages
 *  prime_helpers/stats      "name: value" lines, library-wide counters
 */
#ifndef PH_DEBUGFS_H
#define PH_DEBUGFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PH_OBJECTS_HEADER "# id size handles exported imported pins vmaps faults offset store segments huge pmd_faults evictable purgeable madv resident swapped maps"
#define PH_STATS_PATH "/sys/kernel/debug/prime_helpers/stats"

struct ph_object {
	uint64_t id;
	uint64_t size;
	unsigned int handles;
	unsigned int exported;
	unsigned int imported;
	unsigned int pins;
	unsigned int vmaps;
	uint64_t faults;
	uint64_t offset;	/* fake mmap offset, 0 until MAP_DUMB made one */
	char store[8];		/* backing store: shmem, dma or import */
	unsigned int segments;	/* contiguous extents of its pages (or import mapping) */
	unsigned int huge;	/* PMD-sized folios among its held pages */
	uint64_t pmd_faults;	/* faults that mapped a huge page with one PMD */
	unsigned int evictable;	/* on the shrinker's list: pages held for CPU mappings only */
	unsigned int purgeable;	/* on its purgeable list: DONTNEED, idle, not exported */
	unsigned int madv;	/* 0 WILLNEED, 1 DONTNEED, 2 PURGED */
	uint64_t resident;	/* pages in RAM now (page cache, or a DMA object's) */
	uint64_t swapped;	/* pages in swap now */
	unsigned int maps;	/* live dma-buf mappings of its export (importers mapped now) */
};

/*
 * Reads the device's ph_objects. Returns the object count of the first line
 * (which must equal the number of object lines) and stores up to @max of
 * them in @objs (which may be NULL).
 */
int ph_objects_read(int fd, struct ph_object *objs, int max);
static inline int ph_objects_count(int fd)
{
	return ph_objects_read(fd, NULL, 0);
}

/* The object whose mmap offset is @offset (as MODE_MAP_DUMB returned it). */
bool ph_object_find(int fd, uint64_t offset, struct ph_object *obj);
struct ph_object ph_object_get(int fd, uint64_t offset);

/* Writes "1" to the device's ph_evict. */
void ph_evict(int fd);

/* The device's ph_shrinker counters. */
struct ph_shrinker {
	uint64_t evictable_objects;
	uint64_t evictable_pages;
	uint64_t scans;
	uint64_t evicted_objects;
	uint64_t evicted_pages;
	uint64_t purgeable_objects;
	uint64_t purgeable_pages;
	uint64_t purged_objects;
	uint64_t purged_pages;
};

void ph_shrinker_read(int fd, struct ph_shrinker *s);

/* Writes @nr_pages to the device's ph_shrink: one shrinker walk. */
void ph_shrink(int fd, uint64_t nr_pages);
/*
 * The device's debugfs file @name, opened with @flags (asserting that it
 * opens), and one whole write to such a file: 0 or the write's -errno. Apart,
 * so that a fault-injection sweep can arm the write alone.
 */
int ph_debugfs_open(int fd, const char *name, int flags);
int __ph_knob_write(int file, const char *text);

struct ph_stats {
	long objects;
	long dma_bufs;
	long imports;
	long attachments;
	long cache_entries;
	long vmaps;
};

void ph_stats_read(struct ph_stats *stats);

/* Fails naming every counter that differs from @base. */
void ph_stats_assert_equal(const struct ph_stats *base, const struct ph_stats *now);

/*
 * The number after @key in a file of "key value" or "key: value" lines
 * (/proc/meminfo, /proc/vmstat, a cgroup's memory.stat); fails the test if
 * the file or the key is missing.
 */
uint64_t read_keyed_u64(const char *path, const char *key);

/* Reads a whole (debugfs or sysfs) file into a fresh buffer; NULL on error. */
char *read_whole_file(const char *path, size_t *len);

/* Writes @text to a (debugfs, sysfs or cgroup) file; fails the test if it cannot. */
void write_whole_file(const char *path, const char *text);

/*
 * The debug kernel (KASAN, lockdep, kmemleak) runs many times slower: loops
 * sized for the stock kernels scale down with this.
 */
bool kernel_is_debug(void);
unsigned int scale_iterations(unsigned int n);

#endif /* PH_DEBUGFS_H */
