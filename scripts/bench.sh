#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: for each kernel line, build our modules and the initramfs, boot
# one guest that runs every tests/perf program on ph_vgem and on the stock
# vgem alternately (scripts/guest-init.sh, mode bench), then turn the records
# into a table, build/bench/<line>.json and build/bench/<line>.png
# and one PNG per question (scripts/bench-report.py); map_attachment runs
# again in a boot without the IOMMU, and the perf_pressure_* programs in the
# pressure boot (1 GiB, zram swap, memory cgroups) only. A full run (every program, the default
# repetitions) that passed is published: its JSON, table and plots are copied
# to bench/results/ and the README's results regenerated from them
# (scripts/bench-readme.py), for you to commit.
#   bench.sh "LINES"
# PH_BENCH_REPS= repetitions per driver (default 7); PH_BENCH_PROGS= a glob
# over the programs (default all).
set -uo pipefail
. "$(dirname "$0")/lib.sh"

lines=$1
default_reps=7
reps=${PH_BENCH_REPS:-$default_reps}
progs=${PH_BENCH_PROGS:-*}
out=$PH_BUILD/bench
mkdir -p "$out"
failed=0
for line in $lines; do
	case $line in
	6.1 | 6.12) ;;
	*) die "make bench runs on 6.1 and 6.12, not '$line'" "use KERNEL=6.1 or KERNEL=6.12" ;;
	esac
	if ! bash "$PH_ROOT/scripts/build-modules.sh" "$line" || ! bash "$PH_ROOT/scripts/mkinitramfs.sh" "$line"; then
		log bench "$line: build failed"
		failed=1
		continue
	fi
	run=$out/$line
	log bench "$line: booting ($reps repetitions per driver, programs: $progs)"
	bash "$PH_ROOT/scripts/run-guest.sh" "$line" "$run" "bench$reps" "$progs" 300
	runs=("$run")
	# map_attachment once more without the IOMMU (DMA untranslated).
	attach=perf_attach
	# shellcheck disable=SC2254 # $progs is a glob on purpose
	case $attach in $progs)
		log bench "$line: booting without the IOMMU (perf_attach)"
		PH_BOOT=noiommu bash "$PH_ROOT/scripts/run-guest.sh" "$line" "$run-noiommu" "bench$reps" \
			perf_attach 300
		runs+=("$run-noiommu") ;;
	esac
	# The reclaim benchmarks need zram swap and memory cgroups: the pressure
	# boot (1 GiB), where nothing else runs.
	reclaim=perf_pressure_reclaim
	# shellcheck disable=SC2254 # $progs is a glob on purpose
	case $reclaim in $progs)
		log bench "$line: booting under memory pressure (perf_pressure_*)"
		PH_BOOT=pressure bash "$PH_ROOT/scripts/run-guest.sh" "$line" "$run-pressure" "bench$reps" \
			'perf_pressure_*' 900
		runs+=("$run-pressure") ;;
	esac
	if ! python3 "$PH_ROOT/scripts/bench-report.py" "$line" "$out" "${runs[@]}"; then
		failed=1
		continue
	fi
	if [ "$progs" = '*' ] && [ "$reps" = "$default_reps" ]; then
		mkdir -p "$PH_ROOT/bench/results"
		rm -f "$PH_ROOT/bench/results/$line"[.-]*
		if cp "$out/$line.json" "$out/$line.txt" "$out/$line"-*.png "$PH_ROOT/bench/results/"; then
			log bench "$line: published to bench/results/"
			published=1
		else
			log bench "$line: could not copy the results to bench/results/"
			failed=1
		fi
	else
		log bench "$line: a partial run (PH_BENCH_PROGS/PH_BENCH_REPS set): not published to bench/results/"
	fi
done
if [ -n "${published:-}" ]; then
	python3 "$PH_ROOT/scripts/bench-readme.py" || failed=1
	log bench "commit bench/results/ and README.md: they say what this run measured"
fi
exit $failed
