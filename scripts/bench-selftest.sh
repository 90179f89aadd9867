#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The bench tests itself: every way a run can go wrong must fail it with a
# clear message. Each guest case boots the line's guest in a self-test mode
# (guest-init.sh) with a payload that misbehaves on purpose, then checks that
# the judge fails the run and says why; the host cases feed the judge and the
# counting what a broken runner leaves behind.
#   bench-selftest.sh LINE JSON_OUT
# On the debug line only the cases that need its checkers run (kmemleak,
# DMA-API debug), on the kcsan line the data race; everywhere else the rest.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

line=$1 json=$2
pass=0 fail=0
entries=()

# record NAME OK VERDICT: one self-test result; a miss shows the verdict.
record() {
	if [ "$2" = 1 ]; then
		pass=$((pass + 1))
		entries+=("bench_selftest/$1=pass")
	else
		fail=$((fail + 1))
		log selftest "$line: $1: the bench did NOT report the failure; its verdict was:"
		sed 's/^/    /' <<<"$3" >&2
		log selftest "next: fix scripts/judge.py (or the runner) so that this case fails the run"
		entries+=("bench_selftest/$1=fail")
	fi
}

# run_case NAME MODE EXPECTED_TEXT [PROGRAM_TIMEOUT] [IDLE_TIMEOUT]: the judge
# must fail the boot and say EXPECTED_TEXT.
run_case() {
	local name=$1 mode=$2 expect=$3 ptimeout=${4:-60} idle=${5:-}
	local out=$PH_BUILD/$line/selftest-$name verdict rc ok=0
	log selftest "$line: $name (must fail with: $expect)"
	PH_IDLE_TIMEOUT=$idle bash "$PH_ROOT/scripts/run-guest.sh" "$line" "$out" "$mode" "*" "$ptimeout"
	verdict=$(python3 "$PH_ROOT/scripts/judge.py" "$line" "$out" "$out/result.json" --expect-fail)
	rc=$?
	[ $rc -ne 0 ] && grep -qF -- "$expect" <<<"$verdict" && ok=1
	record "$name" $ok "$verdict (judge exit $rc)"
}

# Host cases: what a runner that broke leaves for the judge and the counting.
host_cases() {
	local dir=$PH_BUILD/$line/selftest-host verdict rc ok
	rm -rf "$dir" && mkdir -p "$dir/empty-run"
	# A boot that left no files (run-guest.sh died before QEMU started).
	verdict=$(python3 "$PH_ROOT/scripts/judge.py" "$line" "$dir/empty-run" "$dir/empty.json" --expect-fail)
	rc=$? ok=0
	[ $rc -ne 0 ] && grep -qF "guest/run-files" <<<"$verdict" && ok=1
	record missing-run-files $ok "$verdict (judge exit $rc)"
	# A results file that was never written, or is not JSON.
	echo "not json" >"$dir/broken.json"
	local total_pass=0 total_fail=0 total_skip=0
	local total_fault_points=0 total_stress_iterations=0 total_fuzz_calls=0
	verdict=$( { add_counts "$dir/never-written.json"; add_counts "$dir/broken.json"
		echo "failed=$total_fail"; } 2>&1)
	ok=0
	grep -q "^failed=2$" <<<"$verdict" && ok=1
	record missing-results-json $ok "$verdict"
}

if [ "$line" = debug ]; then
	run_case kmemleak-report selftest-module-leak "FAIL $line: guest/kmemleak" 300
	run_case dma-api-report selftest-module-dma "DMA-API debug report: " 300
elif [ "$line" = kcsan ]; then
	run_case kcsan-race-in-our-code selftest-module-race "FAIL $line: guest/kcsan-our-code" 300
else
	host_cases
	run_case failing-test selftest-fail "FAIL $line: bench_selftest_fail/fails-on-purpose"
	run_case test-timeout selftest-timeout "bench_selftest_hang/(timeout)" 15
	run_case screen-mismatch selftest-screen "FAIL $line: bench_selftest_screen/screen-wrong-pixel"
	run_case hung-guest selftest-hang "guest hung and was killed" 60 25
	run_case crash-mid-list selftest-prog-crash "FAIL $line: bench_selftest_crash/after-the-crash"
	run_case silent-exit-0 selftest-prog-exit0 "FAIL $line: bench_selftest_exit0/exits-silently"
	run_case exit-77-outside-subtest selftest-prog-exit77 "FAIL $line: bench_selftest_exit77/never-reached"
	run_case return-inside-subtest selftest-prog-return "FAIL $line: bench_selftest_return/after-the-return"
	run_case result-not-listed selftest-prog-unlisted "FAIL $line: bench_selftest_unlisted/run-time-name/(unlisted)"
	run_case kernel-warn selftest-module-warn "kernel WARN: "
	run_case taint selftest-module-taint "unexpected flags: U"
	run_case module-cannot-unload selftest-module-pin "FAIL $line: guest/modules-unload"
	run_case guest-panic selftest-module-panic "panic: "
fi

results_json "$json" "$line" "${entries[@]}"
echo "bench self-tests on $line: $pass passed, $fail failed"
