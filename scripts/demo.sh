#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make demo: boot a guest with the stock drivers and ours, run the demo
# programs, which narrate a buffer's trip from our driver to the cirrus display
# (tests/demo/ph_demo.c) and a video frame's from vivid through our drivers to
# it (tests/demo/ph_demo_video.c), and report the host's pixel check of each
# screen with the picture it saved.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

line=${1:-6.1}
out=$PH_BUILD/demo
case $line in debug | kcsan) bash "$PH_ROOT/scripts/build-debug-kernel.sh" "$line" ;; esac
bash "$PH_ROOT/scripts/build-modules.sh" "$line"
bash "$PH_ROOT/scripts/mkinitramfs.sh" "$line"
log demo "booting the $line guest"
bash "$PH_ROOT/scripts/run-guest.sh" "$line" "$out" demo
echo
sed -n '/^== prime-helpers demo/,/^== demo: /p' "$out/console.log" | tr -d '\r'
echo
grep -q "== demo: guest side OK ==" "$out/console.log" ||
	die "the demo did not complete in the guest" "read $out/console.log; 'make shell KERNEL=$line' to explore"
grep -q "== demo: video scene guest side OK ==" "$out/console.log" ||
	die "the video scene did not complete in the guest" "read $out/console.log"
if ! grep -q "screen-screen SUCCESS" "$out/host-records.log"; then
	grep '@DETAIL' "$out/host-records.log" >&2 || true
	die "the screen does not show the test card" "look at $out/screen.png and $out/console.log"
fi
echo "Host: the screen matches the test card exactly (${out#"$PH_ROOT"/}/screen.png)."
if ! grep -q "screen-video SUCCESS" "$out/host-records.log"; then
	grep '@DETAIL' "$out/host-records.log" >&2 || true
	die "the screen does not show vivid's colour bars" "look at $out/video.png and $out/console.log"
fi
echo "Host: the screen matches vivid's colour bars exactly (${out#"$PH_ROOT"/}/video.png)."
echo "== demo: PASS =="
