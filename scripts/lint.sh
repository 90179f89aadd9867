#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make lint: the kernel's own style gates on our code.
#   - W=1 and sparse (C=2) on every kernel line given, warnings are errors
#   - checkpatch.pl --strict (from Debian's linux-source-6.12) on every
#     kernel source file
#   - kernel-doc -Wall reports nothing, and every exported symbol has
#     kernel-doc
#   - the userspace programs build with -Wall -Wextra -Werror
#   - the README's bench results are what bench/results/ says
# Prints one "lint: NAME: ok|FAILED" line per gate; with RESULTS_JSON set,
# also writes them as results for make check.
#   lint.sh "LINES"
set -uo pipefail
. "$(dirname "$0")/lib.sh"

lines=${1:-6.1 6.12}
names=() verdicts=()
record() {
	names+=("$1") verdicts+=("$2")
	printf 'lint: %-34s %s\n' "$1" "$([ "$2" = pass ] && echo ok || echo FAILED)"
}

cd "$PH_ROOT" || exit 1
mapfile -t ksrc < <(git ls-files 'drivers/*.c' 'drivers/*.h' 'include/*.h' 'tests/bench/*.c' |
	grep -v '^tests/bench/guest/')

tools=$(kernel_source_tools) || exit 1
kerneldoc=$tools/scripts/kernel-doc

for line in $lines; do
	log lint "W=1 + sparse on $line"
	if bash scripts/build-modules.sh "$line" C=2 PH_BENCH_SELFTEST=m >/dev/null; then
		record "w1-sparse-$line" pass
	else
		record "w1-sparse-$line" fail
	fi
done

log lint "checkpatch --strict on ${#ksrc[@]} files"
out=$(perl "$tools/scripts/checkpatch.pl" --no-tree --strict --terse --show-types -f "${ksrc[@]}" 2>&1)
if grep -qE ': (ERROR|WARNING|CHECK):' <<<"$out"; then
	grep -E ': (ERROR|WARNING|CHECK):' <<<"$out" | head -n 40
	record checkpatch-strict fail
else
	record checkpatch-strict pass
fi

log lint "kernel-doc -Wall"
out=$("$kerneldoc" -none -Wall "${ksrc[@]}" 2>&1)
if [ -n "$out" ]; then
	echo "$out" | head -n 40
	record kernel-doc-clean fail
else
	record kernel-doc-clean pass
fi

# kernel-doc -export lists the documented exported functions; any exported
# symbol missing from that list lacks its comment.
missing=""
for f in $(grep -l 'EXPORT_SYMBOL' "${ksrc[@]}"); do
	documented=$("$kerneldoc" -rst -export "$f" 2>/dev/null |
		sed -n 's/^\.\. c:function:: .*[ *]\([A-Za-z_0-9]\+\) (.*/\1/p')
	for sym in $(sed -n 's/^EXPORT_SYMBOL[A-Z_]*(\([A-Za-z_0-9]*\).*/\1/p' "$f"); do
		grep -qx "$sym" <<<"$documented" || missing+="  $f: $sym"$'\n'
	done
done
if [ -n "$missing" ]; then
	printf 'exported symbols without kernel-doc:\n%s' "$missing"
	record exported-symbols-documented fail
else
	record exported-symbols-documented pass
fi

log lint "every mutant of tests/mutants/mutants.list still applies"
if python3 scripts/mutants.py --check-list; then
	record mutants-list-applies pass
else
	record mutants-list-applies fail
fi

log lint "README's bench results match bench/results/"
if python3 scripts/bench-readme.py --check; then
	record bench-results-in-readme pass
else
	record bench-results-in-readme fail
fi

log lint "userspace programs with -Wall -Wextra -Werror"
if make -s -C "$PH_ROOT" -B tests >/dev/null; then
	record userspace-warnings pass
else
	record userspace-warnings fail
fi

if [ -n "${RESULTS_JSON:-}" ]; then
	entries=()
	for i in "${!names[@]}"; do entries+=("lint/${names[$i]}=${verdicts[$i]}"); done
	results_json "$RESULTS_JSON" lint "${entries[@]}"
fi
for v in "${verdicts[@]}"; do [ "$v" = pass ] || {
	echo "next: fix what is listed above; 'make lint' reruns only these gates"
	exit 1
}; done
exit 0
