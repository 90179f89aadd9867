#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the guest initramfs of one kernel line: busybox, scripts/guest-init.sh
# as /init, the stock modules we test against (drm, drm_kms_helper,
# drm_shmem_helper, vgem, cirrus, vivid and their dependencies, decompressed,
# in load order), our modules, the test programs and the shared libraries they
# need.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

line=$1
case $line in
6.1 | 6.12)
	abi=$(debian_kernel_abi "$line")
	kroot=$(debian_kernel_dir "$abi")/root
	;;
debug | kcsan)
	kroot=$(debug_kernel_dir "$line")/modroot
	abi=$(cat "$(debug_kernel_dir "$line")/abi")
	;;
esac
moddir=$kroot/lib/modules/$abi
[ -d "$moddir" ] || die "no modules for $line at $moddir" "run 'make deps' (or 'make debug-kernel')"
# Debian ships no modules.dep: generate it once in the cache.
[ -f "$moddir/modules.dep" ] || depmod -b "$kroot" "$abi"

out=$PH_BUILD/$line
stage=$out/initramfs
rm -rf "$stage"
mkdir -p "$stage"/{bin,dev,proc,sys,tmp,etc/ph,lib/modules/stock,lib/modules/ours,tests,selftests}
cp /bin/busybox "$stage/bin/busybox"
cp "$PH_ROOT/scripts/guest-init.sh" "$stage/init"
chmod +x "$stage/init"

# Stock modules, dependencies first, each once.
STOCK_MODULES="drm drm_kms_helper drm_shmem_helper vgem cirrus vivid"
# vivid, V4L2's test driver, as two capture-only devices with one webcam input
# each, so the video nodes are predictable: instance 0 allocates its buffers
# with vmalloc, instance 1 with dma-contig (tests/igt/prime_vivid*.c).
VIVID_PARAMS="n_devs=2 node_types=0x1,0x1 num_inputs=1,1 input_types=0x0,0x0 allocators=0,1"
: >"$stage/etc/ph/stock-modules"
for m in $STOCK_MODULES; do
	modprobe -d "$kroot" -S "$abi" --show-depends "$m" ||
		die "stock module $m not found for $line" "check the kernel image in $kroot"
done | awk '$1 == "insmod" { print $2 }' | awk '!seen[$0]++' | while read -r ko; do
	name=$(basename "$ko")
	case $name in
	*.xz) xz -dc "$ko" >"$stage/lib/modules/stock/${name%.xz}" ; name=${name%.xz} ;;
	*.zst) zstd -qdc "$ko" >"$stage/lib/modules/stock/${name%.zst}" ; name=${name%.zst} ;;
	*) cp "$ko" "$stage/lib/modules/stock/$name" ;;
	esac
	echo "$name" >>"$stage/etc/ph/stock-modules"
done
# zram and what it needs, loaded only in the pressure boot (guest-init.sh).
: >"$stage/etc/ph/pressure-modules"
modprobe -d "$kroot" -S "$abi" --show-depends zram ||
	die "stock module zram not found for $line" "check the kernel image in $kroot"
modprobe -d "$kroot" -S "$abi" --show-depends zram | awk '$1 == "insmod" { print $2 }' | while read -r ko; do
	name=$(basename "$ko")
	case $name in
	*.xz) name=${name%.xz} ; [ -e "$stage/lib/modules/stock/$name" ] || xz -dc "$ko" >"$stage/lib/modules/stock/$name" ;;
	*.zst) name=${name%.zst} ; [ -e "$stage/lib/modules/stock/$name" ] || zstd -qdc "$ko" >"$stage/lib/modules/stock/$name" ;;
	*) [ -e "$stage/lib/modules/stock/$name" ] || cp "$ko" "$stage/lib/modules/stock/$name" ;;
	esac
	grep -qx "$name" "$stage/etc/ph/stock-modules" || echo "$name" >>"$stage/etc/ph/pressure-modules"
done
# guest-init passes what follows a module's name on its line as parameters.
sed -i "s/^vivid\.ko\$/vivid.ko $VIVID_PARAMS/" "$stage/etc/ph/stock-modules"
grep -q "^vivid\.ko $VIVID_PARAMS\$" "$stage/etc/ph/stock-modules" ||
	die "vivid's parameters did not reach $stage/etc/ph/stock-modules" "check the sed above"

# Ours: the library first, then its drivers with their parameters.
cp "$out/drivers/gpu/drm/prime-helpers/prime_helpers.ko" "$stage/lib/modules/ours/"
cp "$out/drivers/gpu/drm/ph_vgem/ph_vgem.ko" "$stage/lib/modules/ours/"
printf '%s\n' "prime_helpers.ko" "ph_vgem.ko num_devices=2" >"$stage/etc/ph/our-modules"
# Further reference drivers, loaded when built.
EXTRA_DRIVERS="ph_edu"
for drv in $EXTRA_DRIVERS; do
	ko=$out/drivers/gpu/drm/$drv/$drv.ko
	[ -f "$ko" ] || continue
	cp "$ko" "$stage/lib/modules/ours/"
	echo "$drv.ko" >>"$stage/etc/ph/our-modules"
done
# The library's KUnit suites (kernels with KUnit only): loaded by the
# kunit_prime_helpers program, not at boot.
for f in "$out"/drivers/gpu/drm/prime-helpers/tests/*.ko; do
	[ -e "$f" ] && cp "$f" "$stage/lib/modules/ours/"
done
# Bench self-test payloads: present, but only used when the bench tests itself.
for f in "$out"/tests/bench/*.ko; do [ -e "$f" ] && cp "$f" "$stage/selftests/"; done

# Test programs and every shared library they link. mesa_* programs need
# Mesa: they go into their own initramfs, below.
for t in "$PH_BUILD"/tests/igt/*; do
	case $(basename "$t") in mesa_*) ;; *) cp "$t" "$stage/tests/" ;; esac
done
cp "$PH_BUILD"/tests/bench/* "$stage/selftests/" 2>/dev/null || true
mkdir -p "$stage/demo" "$stage/perf"
cp "$PH_BUILD"/tests/perf/* "$stage/perf/" 2>/dev/null || true
cp "$PH_BUILD"/tests/demo/* "$stage/demo/" 2>/dev/null || true
# copy_with_libs FILE...: copy each file and the shared libraries it needs.
copy_with_libs() {
	local f
	for f in "$@"; do
		[ -e "$stage$f" ] || { mkdir -p "$stage$(dirname "$f")" && cp -L "$f" "$stage$f"; }
		file -bL "$f" | grep -q "dynamically linked" || continue
		ldd "$f" | awk '/=>/ { print $3 } /^\t\// { print $1 }'
	done | sort -u | while read -r lib; do
		[ -n "$lib" ] && [ -e "$lib" ] && [ ! -e "$stage$lib" ] || continue
		mkdir -p "$stage$(dirname "$lib")"
		cp -L "$lib" "$stage$lib"
	done
}
for bin in "$stage"/tests/* "$stage"/selftests/* "$stage"/demo/* "$stage"/perf/*; do
	[ -f "$bin" ] || continue
	file -b "$bin" | grep -q "dynamically linked" || continue
	ldd "$bin" | awk '/=>/ { print $3 } /^\t\// { print $1 }'
done | sort -u | while read -r lib; do
	[ -n "$lib" ] && [ -e "$lib" ] || continue
	mkdir -p "$stage$(dirname "$lib")"
	cp -L "$lib" "$stage$lib"
done
[ -e "$stage/lib64" ] || ln -s lib "$stage/lib64" 2>/dev/null || true

echo "$line $abi" >"$stage/etc/ph/kernel"
(cd "$stage" && find . | cpio -o -H newc --quiet | gzip -1) >"$out/initrd.gz"
# What this initramfs can run, for run-guest.sh's list of expected results.
ls "$stage/tests" >"$out/initrd.programs"
log initrd "$line: $(du -h "$out/initrd.gz" | cut -f1) ($(wc -l <"$stage/etc/ph/stock-modules") stock modules, $(ls "$stage/tests" | wc -l) test programs)"

# The Mesa guest: only the mesa_* programs, plus Mesa's software driver
# (kms_swrast, dlopened, so ldd of the programs does not find it), the GLVND
# EGL vendor file and everything those link (libLLVM alone is ~120 MB).
rm -f "$out/initrd-mesa.gz"
mesa_progs=$(ls "$PH_BUILD"/tests/igt/mesa_* 2>/dev/null || true)
[ -z "${PH_NO_MESA:-}" ] || exit 0	# make mutants needs no Mesa guest
[ -n "$mesa_progs" ] || exit 0
rm -rf "$stage/tests" && mkdir -p "$stage/tests"
cp $mesa_progs "$stage/tests/"
multiarch=/usr/lib/x86_64-linux-gnu
copy_with_libs "$stage"/tests/* "$multiarch/dri/kms_swrast_dri.so" "$multiarch/dri/swrast_dri.so" \
	"$multiarch/libEGL_mesa.so.0" /usr/share/glvnd/egl_vendor.d/50_mesa.json
(cd "$stage" && find . | cpio -o -H newc --quiet | gzip -1) >"$out/initrd-mesa.gz"
ls "$stage/tests" >"$out/initrd-mesa.programs"
log initrd "$line: Mesa guest $(du -h "$out/initrd-mesa.gz" | cut -f1) ($(ls "$stage/tests" | wc -l) program(s))"
