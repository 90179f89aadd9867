#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check: for each kernel line, build our modules, the initramfs, boot the
# guest, run the selected test programs and judge the run; then test the bench
# itself; end with one summary line.
#   check.sh "LINES" "GLOB" [shell]
set -uo pipefail
. "$(dirname "$0")/lib.sh"

lines=$1 tests=${2:-} mode=${3:-check}
all_lines=$lines
results=$PH_BUILD/results
mkdir -p "$results"
rm -f "$results"/*.json	# only this run's results
total_pass=0 total_fail=0 total_skip=0 ran_something=0
# Work the hostile-input tests did, summed from the "counts" of every result
# file (see judge.py): fault-injection points, stress iterations, fuzzer calls.
total_fault_points=0 total_stress_iterations=0 total_fuzz_calls=0

# The kcsan line is in the default set once its kernel is built: its cold
# build (~15 min on 2 cores, on top of the debug kernel's ~21) would take a
# cold CI past its 90 minutes, so a plain make check on a machine without it
# says so and counts one skip. KERNEL=kcsan (or make debug-kernel
# KERNEL=kcsan) builds it; from then on every make check runs it.
if [ "${PH_DEFAULT_LINES:-0}" = 1 ] && [[ " $lines " == *" kcsan "* ]] &&
	[ ! -f "$(debug_kernel_dir kcsan)/.complete" ]; then
	lines=$(tr ' ' '\n' <<<"$lines" | grep -vx kcsan | tr '\n' ' ')
	all_lines=$lines
	log check "kcsan: SKIP: its kernel is not built on this machine and a cold build (~15 min) would not fit CI's 90 minutes; run 'make debug-kernel KERNEL=kcsan' once, then make check includes it"
	total_skip=$((total_skip + 1))
fi

# Per-program timeout, in guest seconds: the debug kernel (KASAN, lockdep
# under TCG) is several times slower.
timeout_for() { case $1 in debug | kcsan) echo 900 ;; *) echo 300 ;; esac; }

prepare() {
	local line=$1
	case $line in
	debug | kcsan) bash "$PH_ROOT/scripts/build-debug-kernel.sh" "$line" || return 1 ;;
	esac
	bash "$PH_ROOT/scripts/build-modules.sh" "$line" PH_BENCH_SELFTEST=m &&
		bash "$PH_ROOT/scripts/mkinitramfs.sh" "$line"
}

# step_selected NAME: T= is a glob over test programs and these step names;
# without T every step runs.
step_selected() {
	local g globs
	[ -z "$tests" ] && return 0
	IFS=, read -ra globs <<<"$tests"	# no filename expansion of the globs
	for g in "${globs[@]}"; do
		# shellcheck disable=SC2254 # $g is a pattern on purpose
		case $1 in $g) return 0 ;; esac
	done
	return 1
}

# guest_run LABEL LINE OUTDIR GLOB: boot LINE's guest in check mode with the
# programs GLOB selects (PH_BOOT and PH_INITRD pass through), judge
# it into $results/LABEL.json and count it. A runner that fails is a failure.
guest_run() {
	local label=$1 line=$2 out=$3 glob=$4
	if ! bash "$PH_ROOT/scripts/run-guest.sh" "$line" "$out" check "$glob" "$(timeout_for "$line")"; then
		log check "FAIL: run-guest.sh failed for $label: counted as one failure"
		total_fail=$((total_fail + 1))
	fi
	python3 "$PH_ROOT/scripts/judge.py" "$label" "$out" "$results/$label.json"
	add_counts "$results/$label.json"
}

if [ "$mode" = shell ]; then
	make -s -C "$PH_ROOT" tests || die "the guest test programs do not build" "fix them or run 'make tests'"
	prepare "$lines" || die "could not prepare the $lines guest" "see the messages above"
	log shell "booting the $lines guest; 'poweroff -f' leaves, Ctrl-A X kills QEMU"
	exec bash "$PH_ROOT/scripts/run-guest.sh" "$lines" "$PH_BUILD/$lines/shell" shell
fi

log build "guest test programs"
if ! make -s -C "$PH_ROOT" tests; then
	echo "error: the guest test programs do not build (compiler output above)"
	echo "next:  fix them, then rerun; 'make tests' builds only them"
	echo "check: 0 passed, 1 failed, 0 skipped"
	exit 1
fi

# Style gates first: they are quick and need no guest.
if step_selected lint; then
	ran_something=1
	lint_lines=$(for l in $lines; do case $l in 6.*) echo "$l" ;; esac; done)
	RESULTS_JSON=$results/lint.json bash "$PH_ROOT/scripts/lint.sh" "${lint_lines:-6.1 6.12}"
	add_counts "$results/lint.json"
fi

# Documentation: Sphinx with kernel-doc, zero warnings.
if step_selected htmldocs; then
	ran_something=1
	if bash "$PH_ROOT/scripts/htmldocs.sh"; then r=pass; else r=fail; fi
	results_json "$results/docs.json" docs "docs/htmldocs=$r"
	add_counts "$results/docs.json"
fi

# Packaging: DKMS and make install, against the installed Debian headers.
if step_selected dkms; then
	ran_something=1
	pkg_lines=$(for l in $lines; do case $l in 6.*) echo "$l" ;; esac; done)
	bash "$PH_ROOT/scripts/dkms-check.sh" "${pkg_lines:-6.1 6.12}" "$results/dkms.json"
	add_counts "$results/dkms.json"
fi

# Guests boot only if T= selects at least one test program: the main boot
# for the ordinary programs, the Mesa boot for mesa_* ones.
# programs_selected GLOB: T= selects a test program whose name matches GLOB;
# GLOB "plain" stands for those that are neither mesa_* nor pressure_*.
programs_selected() {
	local p name
	for p in "$PH_BUILD"/tests/igt/*; do
		name=$(basename "$p")
		case $name in
		mesa_* | pressure_*) [ "$1" = plain ] && continue ;;
		esac
		# shellcheck disable=SC2254 # $1 is a pattern on purpose
		case $1 in plain) ;; *) case $name in $1) ;; *) continue ;; esac ;; esac
		step_selected "$name" && return 0
	done
	return 1
}
# Which boots: the main one for the ordinary programs, the Mesa one for
# mesa_*, the pressure one for pressure_* (they run nowhere else).
main_boot=0 mesa_boot=0 pressure_boot=0
programs_selected plain && main_boot=1
programs_selected 'mesa_*' && mesa_boot=1
programs_selected 'pressure_*' && pressure_boot=1
[ $main_boot = 1 ] || [ $mesa_boot = 1 ] || [ $pressure_boot = 1 ] || lines=""

# The kcsan line (6.1 source, KCSAN and lockdep) runs, in its main boot only,
# the programs that race threads and processes against each other (the
# data-race detector sees only what runs concurrently) and the imports that
# take the 6.1-only compat paths (unlocked dma-buf vmap and map), so those run
# under lockdep too. (The KUnit suites need 6.8's KUnit device API.)
KCSAN_PROGRAMS="prime_stress prime_fuzz prime_fault_races prime_huge prime_self_import prime_eviction prime_shrinker prime_fdinfo prime_edu prime_foreign prime_vgem_interop prime_lifetimes vgem_fences"
kcsan_selection() {
	local p sel=""
	for p in $KCSAN_PROGRAMS; do
		step_selected "$p" && sel+="${sel:+,}$p"
	done
	echo "$sel"
}

for line in $lines; do
	if [ "$line" = kcsan ]; then
		sel=$(kcsan_selection)
		[ -n "$sel" ] || continue
		ran_something=1
		if ! prepare kcsan; then
			log check "kcsan: build failed, counted as one failure"
			total_fail=$((total_fail + 1))
			continue
		fi
		log guest "kcsan: booting (tests: $sel)"
		guest_run kcsan kcsan "$PH_BUILD/kcsan/run" "$sel"
		continue
	fi
	ran_something=1
	if ! prepare "$line"; then
		log check "$line: build failed, counted as one failure"
		total_fail=$((total_fail + 1))
		continue
	fi
	if [ $main_boot = 1 ]; then
		log guest "$line: booting (tests: ${tests:-all})"
		guest_run "$line" "$line" "$PH_BUILD/$line/run" "${tests:-*}"
	fi

	# DMA-engine tests also run in a boot without the IOMMU, where the
	# device's 28-bit reach meets untranslated addresses.
	if [ $main_boot = 1 ] && programs_selected 'prime_edu*'; then
		log guest "$line: booting without the IOMMU (tests: prime_edu*)"
		PH_BOOT=noiommu guest_run "$line-noiommu" "$line" "$PH_BUILD/$line/run-noiommu" 'prime_edu*'
		# Bounce buffers make every missing sync lose data; a strict
		# IOMMU makes every DMA after its unmap fault.
		log guest "$line: booting with swiotlb=force (tests: prime_edu*)"
		PH_BOOT=swiotlb guest_run "$line-swiotlb" "$line" "$PH_BUILD/$line/run-swiotlb" 'prime_edu*'
		log guest "$line: booting with iommu.strict=1 (tests: prime_edu*)"
		PH_BOOT=strict guest_run "$line-strict" "$line" "$PH_BUILD/$line/run-strict" 'prime_edu*'
	fi

	# Memory that really goes away: zram swap and a memory cgroup.
	if [ $pressure_boot = 1 ]; then
		log guest "$line: booting under memory pressure (tests: pressure_*)"
		PH_BOOT=pressure guest_run "$line-pressure" "$line" "$PH_BUILD/$line/run-pressure" 'pressure_*'
	fi

	# Mesa clients run in their own, much larger, initramfs.
	if [ -f "$PH_BUILD/$line/initrd-mesa.gz" ] && [ $mesa_boot = 1 ]; then
		log guest "$line: booting the Mesa guest (tests: mesa_*)"
		PH_INITRD=$PH_BUILD/$line/initrd-mesa.gz guest_run "$line-mesa" "$line" \
			"$PH_BUILD/$line/run-mesa" 'mesa_*'
	fi
done

# first_line_step STEP SCRIPT WHAT: a step that needs a guest of the first
# line (the bench's own tests, the bench smoke run); T= may select only the
# step, so the line is (re)built here: an initramfs left by an earlier run
# may hold older programs.
first_line_step() {
	local l first=""
	step_selected "$1" || return 0
	# The first Debian line: the checker lines run their own cases below.
	for l in $all_lines; do case $l in 6.*) first=$l && break ;; esac; done
	if [ -z "$first" ]; then
		log check "$1 runs on a Debian line (6.1 or 6.12), not on '$all_lines': not run"
		return 0
	fi
	ran_something=1
	set -- "$1" "$2" "$3" "$first"
	if prepare "$4"; then
		bash "$PH_ROOT/scripts/$2" "$4" "$results/$1.json"
		add_counts "$results/$1.json"
	else
		log check "$4: build failed, $3 counted as one failure"
		total_fail=$((total_fail + 1))
	fi
}
first_line_step bench_selftest bench-selftest.sh "the bench self-tests"
# The cases that need the checker lines (kmemleak, DMA-API debug; KCSAN).
for checker in debug kcsan; do
	step_selected bench_selftest && [[ " $all_lines " == *" $checker "* ]] || continue
	if prepare $checker; then
		bash "$PH_ROOT/scripts/bench-selftest.sh" $checker "$results/bench_selftest-$checker.json"
		add_counts "$results/bench_selftest-$checker.json"
	else
		log check "$checker: build failed, the $checker bench self-tests counted as one failure"
		total_fail=$((total_fail + 1))
	fi
done
# One repetition of every benchmark, so make bench cannot rot unnoticed.
first_line_step bench_smoke bench-smoke.sh "the bench smoke run"

if [ "$ran_something" = 0 ]; then
	echo "error: T='$tests' selects no test program and no step"
	echo "next:  'make check' lists nothing to run for it; programs are tests/igt/*.c, steps are lint, htmldocs, dkms, bench_selftest, bench_smoke"
	total_fail=$((total_fail + 1))
fi
# What the totals count, before the one summary line.
python3 "$PH_ROOT/scripts/count-results.py" "$results"
echo "counts: $total_fault_points fault-injection points exercised, $total_stress_iterations stress iterations, $total_fuzz_calls fuzzer calls"
echo "check: $total_pass passed, $total_fail failed, $total_skip skipped"
[ "$total_fail" -eq 0 ]
