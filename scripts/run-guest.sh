#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot the test guest of one kernel line under QEMU (TCG, q35, intel-iommu,
# cirrus-vga, edu) and follow its record channel. The guest is killed if it
# stays silent too long: a hang is reported, never counted as a pass.
#   run-guest.sh LINE OUTDIR [MODE] [TESTS] [PER_TEST_TIMEOUT]
# MODE is check (default), shell, or a bench self-test mode (guest-init.sh).
# PH_IOMMU=off boots without the intel-iommu device (DMA goes untranslated);
# PH_INITRD= boots another initramfs of the line (the Mesa guest's).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

line=$1 outdir=$2 mode=${3:-check} tests=${4:-*} ptimeout=${5:-300}
case $line in
6.1 | 6.12) kernel=$(debian_kernel_dir "$(debian_kernel_abi "$line")")/vmlinuz ;;
debug) kernel=$(debug_kernel_dir)/vmlinuz ;;
esac
initrd=${PH_INITRD:-$PH_BUILD/$line/initrd.gz}
[ -f "$kernel" ] || die "no kernel image for $line at $kernel" "run 'make deps' or 'make debug-kernel'"
[ -f "$initrd" ] || die "no initramfs for $line" "run 'make initramfs KERNEL=$line'"
mkdir -p "$outdir"
console=$outdir/console.log records=$outdir/records.log
: >"$console"
: >"$records"
: >"$outdir/host-records.log"

# The demo also shows the console on the screen (cirrus' fbcon).
screen=""
[ "$mode" = demo ] && screen="console=tty0"
# no_timer_check: under TCG on a loaded host the IO-APIC timer check can fail
# spuriously and panic the boot ("timer doesn't work through Interrupt-remapped
# IO-APIC"); the guest has a working timer, so skip the check.
iommu_dev=(-device intel-iommu) iommu_arg=intel_iommu=on
[ "${PH_IOMMU:-on}" = off ] && iommu_dev=() iommu_arg=intel_iommu=off
append="$screen console=ttyS0 panic=-1 no_timer_check $iommu_arg ph.mode=$mode ph.tests=$tests ph.timeout=$ptimeout"
# The bench backs all guest memory up front: otherwise the first guest use of
# each page of RAM costs a host page fault, and whichever benchmark first needs
# more memory than any before it pays for it (seen: 3x slower first touches).
prealloc=()
case $mode in bench*) prealloc=(-mem-prealloc) ;; esac
qemu=(qemu-system-x86_64 -accel tcg -machine q35 -m 2G -smp 2 "${prealloc[@]}"
	"${iommu_dev[@]}" -vga none -device cirrus-vga -device edu
	-kernel "$kernel" -initrd "$initrd" -display none -no-reboot
	-qmp "unix:$outdir/qmp.sock,server=on,wait=off")

if [ "$mode" = shell ]; then
	exec "${qemu[@]}" -append "$append" -serial mon:stdio -serial "file:$records"
fi

# Silence limits: boot must reach init in time, and each program must finish
# within its own timeout plus some slack for the guest's bookkeeping.
boot_limit=${PH_BOOT_TIMEOUT:-240}
idle_limit=${PH_IDLE_TIMEOUT:-$((ptimeout + 120))}
"${qemu[@]}" -append "$append" -serial "file:$console" -serial "file:$records" \
	</dev/null >"$outdir/qemu.log" 2>&1 &
qpid=$!
start=$(date +%s)
last=$start seen=0 status=finished
while kill -0 $qpid 2>/dev/null; do
	sleep 1
	n=$(wc -l <"$records")
	now=$(date +%s)
	if [ "$n" -gt "$seen" ]; then
		sed -n "$((seen + 1)),${n}p" "$records" | tr -d '\r' | while read -r tag a b c; do
			case $tag in
			@BEGIN) log guest "$line: booted $b in $((now - start)) s" ;;
			@START) log guest "$line: $a" ;;
			@RESULT) [ "$c" = SUCCESS ] || log guest "$line: $a/$b: $c" ;;
			@LOAD) [ "$a" = ok ] || log guest "$line: module $b failed to load" ;;
			@UNLOAD) [ "$a" = ok ] || log guest "$line: module $b failed to unload" ;;
			@SAY) log guest "$line: $a $b $c" ;;
			@SCREEN)
				log guest "$line: screen check '$b' requested by $a"
				# $c is "CRC WIDTH HEIGHT": three arguments.
				# shellcheck disable=SC2086
				python3 "$PH_ROOT/scripts/screen-check.py" "$outdir/qmp.sock" "$outdir" "$a" "$b" \
					$c >>"$outdir/host-records.log"
				tail -n 2 "$outdir/host-records.log" | grep -q "screen-$b SUCCESS" ||
					log guest "$line: screen check '$b' FAILED" ;;
			@SCREENSHOT)
				python3 "$PH_ROOT/scripts/qmp-screendump.py" "$outdir/qmp.sock" "$outdir/$a.png" &&
					log guest "$line: screen saved to $outdir/$a.png" ;;
			esac
		done
		seen=$n last=$now
	fi
	limit=$idle_limit
	grep -q '^@BEGIN' "$records" || limit=$boot_limit
	if [ $((now - last)) -gt "$limit" ]; then
		status=hung
		kill -9 $qpid 2>/dev/null || true
		break
	fi
done
wait $qpid 2>/dev/null || true
echo "$status $(($(date +%s) - start))" >"$outdir/status"
[ "$status" = hung ] && log guest "$line: no progress for $limit s: guest killed"
exit 0
