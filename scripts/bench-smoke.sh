#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check's smoke run of the benchmarks: one guest boot runs every
# tests/perf program once on ph_vgem and once on the stock vgem (guest mode
# bench1; the perf_pressure_* ones in a second, pressure boot), and the report must pair every metric with a clean kernel log. No
# speed is judged here (that is make bench's job, with repetitions); a
# benchmark that no longer runs, or a metric one driver stopped reporting,
# fails make check.
#   bench-smoke.sh LINE JSON_OUT
set -uo pipefail
. "$(dirname "$0")/lib.sh"

line=$1 json=$2
out=$PH_BUILD/$line/bench-smoke
entries=()

log smoke "$line: one repetition of every benchmark on both drivers"
bash "$PH_ROOT/scripts/run-guest.sh" "$line" "$out" bench1 '*' 300
# perf_pressure_* need zram swap and memory cgroups: the pressure boot.
log smoke "$line: the same for the reclaim benchmarks, under memory pressure"
PH_BOOT=pressure bash "$PH_ROOT/scripts/run-guest.sh" "$line" "$out-pressure" bench1 'perf_pressure_*' 900
for prog in "$PH_BUILD"/tests/perf/perf_*; do
	[ -x "$prog" ] || continue
	name=$(basename "$prog")
	run=$out
	case $name in perf_pressure_*) run=$out-pressure ;; esac
	result=pass
	for drv in ph_vgem vgem; do
		if ! grep -q "^@BENCHEXIT $name $drv 1 0" "$run/records.log" 2>/dev/null; then
			log smoke "$line: $name on $drv did not finish cleanly; see $run/console.log"
			result=fail
		fi
	done
	entries+=("bench_smoke/$name=$result")
done
if python3 "$PH_ROOT/scripts/bench-report.py" "$line" "$out/report" "$out" "$out-pressure" \
	>"$out/report.log" 2>&1; then
	entries+=("bench_smoke/report=pass")
else
	log smoke "$line: the report found problems:"
	grep PROBLEM "$out/report.log" | sed 's/^/    /' >&2
	log smoke "next: rerun with 'make check KERNEL=$line T=bench_smoke'; the guest log is $out/console.log"
	entries+=("bench_smoke/report=fail")
fi
results_json "$json" "$line" "${entries[@]}"
