#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The bench tests itself: a failing guest test, a test that never returns, a
# screen that differs from what a test expects by one pixel, a kernel WARN and
# a hung guest must each fail the run with a clear message.
# Each case boots the guest in a self-test mode and checks the judge's verdict.
#   bench-selftest.sh LINE JSON_OUT
set -uo pipefail
. "$(dirname "$0")/lib.sh"

line=$1 json=$2
pass=0 fail=0
entries=()

# case NAME MODE EXPECTED_TEXT [VAR=VALUE...] -- expected: judge fails and says EXPECTED_TEXT
run_case() {
	local name=$1 mode=$2 expect=$3 ptimeout=${4:-60} idle=${5:-}
	local out=$PH_BUILD/$line/selftest-$name verdict
	log selftest "$line: $name (must fail with: $expect)"
	PH_IDLE_TIMEOUT=$idle bash "$PH_ROOT/scripts/run-guest.sh" "$line" "$out" "$mode" "*" "$ptimeout"
	verdict=$(python3 "$PH_ROOT/scripts/judge.py" "$line" "$out" "$out/result.json" --expect-fail)
	local rc=$?
	if [ $rc -ne 0 ] && grep -qF -- "$expect" <<<"$verdict"; then
		pass=$((pass + 1))
		entries+=("bench_selftest/$name=pass")
	else
		fail=$((fail + 1))
		log selftest "$line: $name: the bench did NOT report the failure (judge exit $rc); verdict was:"
		sed 's/^/    /' <<<"$verdict" >&2
		entries+=("bench_selftest/$name=fail")
	fi
}

run_case failing-test selftest-fail "FAIL $line: bench_selftest_fail/fails-on-purpose"
run_case test-timeout selftest-timeout "bench_selftest_hang/(timeout)" 15
run_case screen-mismatch selftest-screen "FAIL $line: bench_selftest_screen/screen-wrong-pixel"
run_case kernel-warn selftest-warn "kernel WARN: "
run_case hung-guest selftest-hang "guest hung and was killed" 60 25

results_json "$json" "$line" "${entries[@]}"
echo "bench self-tests on $line: $pass passed, $fail failed"
