#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot the test guest of one kernel line under QEMU (TCG, q35, intel-iommu,
# cirrus-vga, edu) and follow its record channel. The guest is killed if it
# stays silent too long: a hang is reported, never counted as a pass.
#   run-guest.sh LINE OUTDIR [MODE] [TESTS] [PER_TEST_TIMEOUT]
# MODE is check (default), shell, or a bench self-test mode (guest-init.sh).
# PH_BOOT= picks the kind of boot (see below); PH_INITRD= boots another
# initramfs of the line (the Mesa guest's).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

line=$1 outdir=$2 mode=${3:-check} tests=${4:-*} ptimeout=${5:-300}
case $line in
6.1 | 6.12) kernel=$(debian_kernel_dir "$(debian_kernel_abi "$line")")/vmlinuz ;;
debug | kcsan) kernel=$(debug_kernel_dir "$line")/vmlinuz ;;
esac
initrd=${PH_INITRD:-$PH_BUILD/$line/initrd.gz}
[ -f "$kernel" ] || die "no kernel image for $line at $kernel" "run 'make deps' or 'make debug-kernel'"
[ -f "$initrd" ] || die "no initramfs for $line" "run 'make initramfs KERNEL=$line'"
# Nothing of an earlier boot may be judged as this one's.
rm -rf "$outdir"
mkdir -p "$outdir"
console=$outdir/console.log records=$outdir/records.log
: >"$console"
: >"$records"
: >"$outdir/host-records.log"

# expected: every subtest this boot must report, "PROGRAM/SUBTEST" per line,
# from the lists recorded when the programs were built. A program that dies,
# exits early or returns from inside a subtest leaves some without a result.
# expect PROGRAM...: append the listed subtests of each program.
expect() {
	local p
	for p in "$@"; do
		[ -f "$PH_BUILD/tests/lists/$p" ] ||
			die "no subtest list for $p" "run 'make tests' (it records each program's --list-subtests)"
		sed "s|^|$p/|" "$PH_BUILD/tests/lists/$p" >>"$outdir/expected"
	done
}
# selected NAME: the guest's rule (guest-init.sh): NAME matches a glob of
# TESTS, and pressure_* programs (and perf_pressure_* benchmarks) run in the
# pressure boot, the rest elsewhere.
selected() {
	local g globs
	case $1 in
	pressure_* | perf_pressure_*) [ "${PH_BOOT:-main}" = pressure ] || return 1 ;;
	*) [ "${PH_BOOT:-main}" != pressure ] || return 1 ;;
	esac
	IFS=, read -ra globs <<<"$tests"
	for g in "${globs[@]}"; do
		# shellcheck disable=SC2254 # $g is a pattern on purpose
		case $1 in $g) return 0 ;; esac
	done
	return 1
}
: >"$outdir/expected"
case $mode in
check)
	[ -f "${initrd%.gz}.programs" ] ||
		die "no program list next to $initrd" "run 'make initramfs KERNEL=$line' (mkinitramfs.sh writes it)"
	while read -r p; do selected "$p" && expect "$p"; done <"${initrd%.gz}.programs"
	;;
selftest-fail | selftest-screen) expect "bench_selftest_${mode#selftest-}" ;;
selftest-timeout) expect bench_selftest_hang ;;
selftest-prog-*) expect "bench_selftest_${mode#selftest-prog-}" ;;
esac

# The demo also shows the console on the screen (cirrus' fbcon).
screen=""
[ "$mode" = demo ] && screen="console=tty0"
# no_timer_check: under TCG on a loaded host the IO-APIC timer check can fail
# spuriously and panic the boot ("timer doesn't work through Interrupt-remapped
# IO-APIC"); the guest has a working timer, so skip the check.
# PH_BOOT picks what the DMA and the memory of this boot are like:
#   main      the intel-iommu translates every DMA of the devices
#   noiommu   no IOMMU: the edu engine's 28 bits meet physical addresses
#   swiotlb   no IOMMU, every streaming mapping bounced through swiotlb: a
#             missing or misdirected sync loses data (the engine gets 32
#             bits, so the bounce pool is within its reach; the pool is
#             256 MiB, as a mapped 4 MiB import holds 4 MiB of it)
#   strict    the IOMMU invalidates its TLB at every unmap (no lazy flush)
#   pressure  the main boot with 1 GiB (512 MiB on the debug line), zram
#             swap and a memory cgroup (guest-init.sh sets them up)
edu_dev=edu mem=2G
case ${PH_BOOT:-main} in
main | pressure) iommu_dev=(-device intel-iommu) boot_args=intel_iommu=on ;;
noiommu) iommu_dev=() boot_args=intel_iommu=off ;;
swiotlb)
	iommu_dev=() boot_args="intel_iommu=off swiotlb=131072,force ph_edu.dma_bits=32"
	edu_dev=edu,dma_mask=0xffffffff
	;;
strict) iommu_dev=(-device intel-iommu) boot_args="intel_iommu=on iommu.strict=1" ;;
*) die "unknown PH_BOOT=$PH_BOOT" "use main, noiommu, swiotlb, strict or pressure" ;;
esac
swap_disk=()
if [ "${PH_BOOT:-main}" = pressure ]; then
	# pressure_working_set moves three times the guest's RAM through zram; under
	# KASAN and DEBUG_PAGEALLOC every page of that costs several times more
	# (1 GiB took 1000 s there), so the debug line's guest is smaller (and
	# pressure_working_set skips there: see the README).
	mem=1G
	boot_args="$boot_args ph.pressure=1"
	if [ "$line" = debug ]; then
		mem=512M
		# And it swaps to a disk, not to zram: zram allocates for every
		# page it stores, from inside reclaim, and under KASAN and
		# kmemleak in 512 MiB that ran the reserves dry (README). The
		# file is sparse: it takes host disk only for what is swapped.
		truncate -s 2G "$outdir/swap.img" ||
			die "cannot make the swap disk $outdir/swap.img" "free some disk space"
		swap_disk=(-drive "file=$outdir/swap.img,if=virtio,format=raw,cache=unsafe")
		boot_args="$boot_args ph.swap=disk"
	fi
fi
# The debug line's checkers that need switching on at boot.
case $line in debug | kcsan) boot_args="$boot_args page_owner=on" ;; esac
append="$screen console=ttyS0 panic=-1 no_timer_check $boot_args ph.line=$line ph.mode=$mode ph.tests=$tests ph.timeout=$ptimeout"
# The bench backs all guest memory up front: otherwise the first guest use of
# each page of RAM costs a host page fault, and whichever benchmark first needs
# more memory than any before it pays for it (seen: 3x slower first touches).
prealloc=()
case $mode in bench*) prealloc=(-mem-prealloc) ;; esac
qemu=(qemu-system-x86_64 -accel tcg -machine q35 -m "$mem" -smp 2 "${prealloc[@]}"
	"${iommu_dev[@]}" "${swap_disk[@]}" -vga none -device cirrus-vga -device "$edu_dev"
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
	# A guest whose kernel died without panicking (an oops in an oops)
	# sends nothing more: stop it now rather than at the silence limit.
	if grep -q 'Fixing recursive fault but reboot is needed' "$console"; then
		sleep 2
		status=crashed
		kill -9 $qpid 2>/dev/null || true
		break
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
rm -f "$outdir/swap.img"
echo "$status $(($(date +%s) - start))" >"$outdir/status"
[ "$status" = hung ] && log guest "$line: no progress for $limit s: guest killed"
[ "$status" = crashed ] && log guest "$line: the guest kernel died (recursive fault): guest killed"
exit 0
