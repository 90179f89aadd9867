// SPDX-License-Identifier: MIT
/*
 * Export + foreign import + close cycles per second between two devices.
 * Only one stock vgem device exists, so each side of the driver under test
 * is measured against the same third device, the stock cirrus driver (a PCI
 * device behind the IOMMU), which both runs share:
 *
 *  - export: the driver under test creates a 64 KiB buffer and exports it,
 *    cirrus imports it (attach + map through the exporter), then everything
 *    is closed (unmap, detach, release);
 *  - import: cirrus creates and exports, the driver under test imports
 *    (its attach + map of cirrus' buffer), then everything is closed.
 *
 * Higher is better. Each loop runs for a fixed time and counts whole cycles.
 * The export side runs once more with the library's huge_pages=0 (suffix
 * _hugeoff), a control for what the README credits; the stock driver
 * measures its one path again.
 */
#include "perf.h"

#define BO_SIZE (64 * 1024)
#define RUN_NS 1500000000ull

/*
 * Cycles per second from @from to @to; also the mean time of the importing
 * side's two steps (the FD_TO_HANDLE import, the GEM_CLOSE of the import),
 * in microseconds, so that a difference in the cycle can be placed.
 */
static double cycles_per_second(int from, int to, double *import_us, double *close_us)
{
	uint64_t start = perf_now_ns(), now, t0, t1, import_ns = 0, close_ns = 0;
	unsigned long cycles = 0;

	do {
		uint32_t handle = perf_create(from, BO_SIZE), imported;
		int dmabuf = perf_export(from, handle);

		t0 = perf_now_ns();
		imported = perf_import(to, dmabuf);
		import_ns += perf_now_ns() - t0;
		close(dmabuf);
		t1 = perf_now_ns();
		perf_close_handle(to, imported);
		close_ns += perf_now_ns() - t1;
		perf_close_handle(from, handle);
		cycles++;
		now = perf_now_ns();
	} while (now - start < RUN_NS);
	*import_us = import_ns / 1000.0 / cycles;
	*close_us = close_ns / 1000.0 / cycles;
	return cycles * 1e9 / (now - start);
}

static void measure(const char *name, int from, int to)
{
	double import_us, close_us, rate = cycles_per_second(from, to, &import_us, &close_us);
	char metric[64];

	perf_record(name, "cycles/s", "higher", rate);
	snprintf(metric, sizeof(metric), "%s_import_step", name);
	perf_record(metric, "us", "lower", import_us);
	snprintf(metric, sizeof(metric), "%s_close_step", name);
	perf_record(metric, "us", "lower", close_us);
}

int main(int argc, char **argv)
{
	const char *key = perf_driver(argc, argv);
	bool ours = !strcmp(key, DRIVER_PH_VGEM);
	unsigned int huge;
	int dut = perf_open(key, 0), cirrus = perf_open(DRIVER_CIRRUS, 0);

	measure("cycles_export_to_cirrus", dut, cirrus);
	measure("cycles_import_from_cirrus", cirrus, dut);
	/* The control: the export side again without the library's huge folios. */
	huge = perf_set_library_param(ours, "huge_pages", 0);
	measure("cycles_export_to_cirrus_hugeoff", dut, cirrus);
	perf_restore_library_param(ours, "huge_pages", huge);
	close(cirrus);
	close(dut);
	return 0;
}
