#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make demo: boot a guest with the stock drivers and ours, run the demo
# programs (tests/demo/), narrate, and save a picture of the guest's screen.
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
grep -q "== demo: OK ==" "$out/console.log" ||
	die "the demo did not complete" "read $out/console.log; 'make shell KERNEL=$line' to explore"
[ -f "$out/screen.png" ] || die "no screenshot was taken" "check $out/qemu.log"
log demo "the guest's screen: $out/screen.png"
