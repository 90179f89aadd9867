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

static double cycles_per_second(int from, int to)
{
	uint64_t start = perf_now_ns(), now;
	unsigned long cycles = 0;

	do {
		uint32_t handle = perf_create(from, BO_SIZE), imported;
		int dmabuf = perf_export(from, handle);

		imported = perf_import(to, dmabuf);
		close(dmabuf);
		perf_close_handle(to, imported);
		perf_close_handle(from, handle);
		cycles++;
		now = perf_now_ns();
	} while (now - start < RUN_NS);
	return cycles * 1e9 / (now - start);
}

int main(int argc, char **argv)
{
	const char *key = perf_driver(argc, argv);
	bool ours = !strcmp(key, DRIVER_PH_VGEM);
	int dut = perf_open(key, 0), cirrus = perf_open(DRIVER_CIRRUS, 0);

	perf_record("cycles_export_to_cirrus", "cycles/s", "higher", cycles_per_second(dut, cirrus));
	perf_record("cycles_import_from_cirrus", "cycles/s", "higher",
		    cycles_per_second(cirrus, dut));
	/* The control: the export side again without the library's huge folios. */
	perf_set_library_param(ours, "huge_pages", 0);
	perf_record("cycles_export_to_cirrus_hugeoff", "cycles/s", "higher",
		    cycles_per_second(dut, cirrus));
	perf_set_library_param(ours, "huge_pages", 1);
	close(cirrus);
	close(dut);
	return 0;
}
