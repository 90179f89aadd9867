#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make demo: boot a guest with the stock drivers and ours, run the demo
# program (tests/demo/ph_demo.c), which narrates a buffer's trip from our
# driver to the cirrus display, and report the host's pixel check of the
# screen with the picture it saved.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

line=${1:-6.1}
out=$PH_BUILD/demo
[ "$line" = debug ] && bash "$PH_ROOT/scripts/build-debug-kernel.sh"
bash "$PH_ROOT/scripts/build-modules.sh" "$line"
bash "$PH_ROOT/scripts/mkinitramfs.sh" "$line"
log demo "booting the $line guest"
bash "$PH_ROOT/scripts/run-guest.sh" "$line" "$out" demo
echo
sed -n '/^== prime-helpers demo/,/^== demo: /p' "$out/console.log" | tr -d '\r'
echo
grep -q "== demo: guest side OK ==" "$out/console.log" ||
	die "the demo did not complete in the guest" "read $out/console.log; 'make shell KERNEL=$line' to explore"
if grep -q "screen-screen SUCCESS" "$out/host-records.log"; then
	echo "Host: the screen matches the test card exactly (${out#"$PH_ROOT"/}/screen.png)."
	echo "== demo: PASS =="
else
	grep '@DETAIL' "$out/host-records.log" >&2 || true
	die "the screen does not show the test card" "look at $out/screen.png and $out/console.log"
fi
