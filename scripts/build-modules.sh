#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make modules: build our kernel modules for one kernel line (6.1, 6.12 or
# debug) with W=1 and warnings as errors. The source tree is mirrored into
# build/<line>/ as symlinks so each line keeps its own objects.
# Extra Kbuild variables (e.g. C=1) may follow the line name.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

line=$1
shift
kdir=$(kernel_build_tree "$line")
[ -f "$kdir/Makefile" ] || die "no kernel build tree for '$line' at $kdir" \
	"run 'make deps' (6.1, 6.12) or 'make debug-kernel' (debug, kcsan)"
out=$PH_BUILD/$line
mkdir -p "$out"
# Refresh the mirror: drop links whose source is gone, add new ones.
find "$out" -xtype l -delete 2>/dev/null || true
# The bench's payload modules are renamed at times: never keep a stale one.
rm -f "$out"/tests/bench/*.ko
for d in drivers include tests/bench Kbuild; do
	[ -e "$PH_ROOT/$d" ] || continue
	mkdir -p "$out/$(dirname "$d")"
	cp -as --remove-destination "$PH_ROOT/$d" "$out/$(dirname "$d")/"
done

gen=$out/generated
mkdir -p "$gen"
# Compile probes for kernel-API differences (see scripts/conftest.sh).
if [ -x "$PH_ROOT/scripts/conftest.sh" ]; then
	"$PH_ROOT/scripts/conftest.sh" "$kdir" "$gen" ||
		die "kernel API probes failed for $line" "see $gen/conftest.log"
fi

log build "modules for $line against $kdir"
make -C "$kdir" M="$out" W=1 KCFLAGS=-Werror \
	PH_INCLUDE="$out/include" PH_GENERATED="$gen" "$@" modules >"$out/build.log" 2>&1 || {
	grep -E "error|warning" "$out/build.log" | head -n 40 >&2
	die "module build for $line failed" "fix the errors above; full log: $out/build.log"
}
grep -E "warning:" "$out/build.log" >&2 && die "module build for $line printed warnings" "see $out/build.log"
log build "$line: $(find "$out/drivers" "$out/tests" -name '*.ko' -printf '%f ' 2>/dev/null)"
