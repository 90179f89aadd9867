// SPDX-License-Identifier: MIT
/*
 * PRIME lookup at scale, in the spirit of IGT's prime_lookup: N live buffers
 * are spread over several exporting files of one device and each is imported
 * once into one importing file, its dma-buf fd closed at once (an aged
 * import: only the per-file caches remember it). Then random buffers are
 * exported again and imported again: both ioctls are cache lookups among N
 * entries (handle -> dma-buf in the exporter's file, dma-buf -> handle in the
 * importer's). Records microseconds per export + import pair, lower is
 * better, for N = 1, 1000 and 32768; each ioctl's own share; and, as a
 * control, pairs that all hit one buffer among the N (lookup_hot_*).
 */
#include "perf.h"

#define EXPORTERS 4
/*
 * Short batches, their median recorded: a batch that a host hiccup hit does
 * not move the figure, where one long loop would carry it.
 */
#define BATCHES 9
#define PAIRS 1000
#define BO_SIZE 4096

static void lookup_at(const char *key, unsigned int n)
{
	int exporter[EXPORTERS], importer;
	uint32_t *handle = calloc(n, sizeof(*handle));
	uint32_t *imported = calloc(n, sizeof(*imported));
	uint32_t seed = 12345;
	double pair_us[BATCHES], export_us[BATCHES], import_us[BATCHES];
	unsigned int i, batch;
	char metric[64];

	if (!handle || !imported)
		perf_die("out of memory for %u handles", n);
	for (i = 0; i < EXPORTERS; i++)
		exporter[i] = perf_open(key, 0);
	importer = perf_open(key, 0);

	for (i = 0; i < n; i++) {
		int fd = exporter[i % EXPORTERS], dmabuf;

		handle[i] = perf_create(fd, BO_SIZE);
		dmabuf = perf_export(fd, handle[i]);
		imported[i] = perf_import(importer, dmabuf);
		close(dmabuf);
	}

	for (batch = 0; batch < BATCHES; batch++) {
		uint64_t start = perf_now_ns(), t0, t1, t2, export_ns = 0, import_ns = 0;

		for (i = 0; i < PAIRS; i++) {
			unsigned int b;
			int dmabuf;

			seed = seed * 1103515245u + 12345u;	/* the same sequence for both drivers */
			b = (seed >> 8) % n;
			t0 = perf_now_ns();
			dmabuf = perf_export(exporter[b % EXPORTERS], handle[b]);
			t1 = perf_now_ns();
			if (perf_import(importer, dmabuf) != imported[b])
				perf_die("buffer %u imported as a new handle: the cache missed", b);
			t2 = perf_now_ns();
			close(dmabuf);
			export_ns += t1 - t0;
			import_ns += t2 - t1;
		}
		pair_us[batch] = (perf_now_ns() - start) / 1000.0 / PAIRS;
		export_us[batch] = export_ns / 1000.0 / PAIRS;
		import_us[batch] = import_ns / 1000.0 / PAIRS;
	}
	snprintf(metric, sizeof(metric), "lookup_n%u", n);
	perf_record(metric, "us/pair", "lower", perf_median(pair_us, BATCHES));
	/* Where the time goes as N grows: each ioctl alone (the rest is close()). */
	snprintf(metric, sizeof(metric), "lookup_export_n%u", n);
	perf_record(metric, "us/call", "lower", perf_median(export_us, BATCHES));
	snprintf(metric, sizeof(metric), "lookup_import_n%u", n);
	perf_record(metric, "us/call", "lower", perf_median(import_us, BATCHES));

	/*
	 * The control: the same N live entries, every pair on one buffer. Its
	 * objects stay in the CPU's caches, so what is left of the growth with
	 * N is the cost of the lookup structures themselves; the rest of the
	 * random pairs' growth is cold memory (objects, dma-bufs, files).
	 */
	if (n > 1) {
		for (batch = 0; batch < BATCHES; batch++) {
			uint64_t start = perf_now_ns();

			for (i = 0; i < PAIRS; i++) {
				int dmabuf = perf_export(exporter[(n / 2) % EXPORTERS], handle[n / 2]);

				if (perf_import(importer, dmabuf) != imported[n / 2])
					perf_die("buffer %u imported as a new handle: the cache missed", n / 2);
				close(dmabuf);
			}
			pair_us[batch] = (perf_now_ns() - start) / 1000.0 / PAIRS;
		}
		snprintf(metric, sizeof(metric), "lookup_hot_n%u", n);
		perf_record(metric, "us/pair", "lower", perf_median(pair_us, BATCHES));
	}

	/* Closing the files releases every handle and cache entry. */
	for (i = 0; i < EXPORTERS; i++)
		close(exporter[i]);
	close(importer);
	free(handle);
	free(imported);
}

int main(int argc, char **argv)
{
	const char *key = perf_driver(argc, argv);

	lookup_at(key, 1);
	lookup_at(key, 1000);
	lookup_at(key, 32768);
	return 0;
}
