#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the debug kernel line (KASAN, lockdep, kmemleak, KUnit, fault
# injection) from Debian's linux-source-6.12 and cache it, keyed by the source
# package version and this script plus its config fragment. A warm cache
# returns at once; ccache keeps a config change cheap.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out=$(debug_kernel_dir)
[ -f "$out/.complete" ] && { log debug "cached: $out"; exit 0; }

tarball=/usr/src/linux-source-6.12.tar.xz
[ -f "$tarball" ] || die "$tarball is missing" "run 'make deps'"
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
src=$PH_CACHE/debug/src-$srcver
obj=$out/obj
export CCACHE_DIR=$PH_CACHE/ccache CCACHE_MAXSIZE=4G

if [ ! -f "$src/.unpacked" ]; then
	log debug "unpacking linux-source-6.12 $srcver (~20 s)"
	rm -rf "$src" && mkdir -p "$src"
	tar -xf "$tarball" -C "$src" --strip-components=1
	touch "$src/.unpacked"
fi

# wait_for_exit PID SECONDS: true once PID has exited, false after SECONDS.
wait_for_exit() {
	local i
	for ((i = 0; i < $2; i++)); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 1
	done
	return 1
}

mkdir -p "$obj"
kmake() { make -C "$src" O="$obj" CC="ccache gcc" -j"$(nproc)" "$@"; }
log debug "configuring (tinyconfig + scripts/debug-kernel.config)"
kmake -s tinyconfig >/dev/null
"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" \
	"$PH_ROOT/scripts/debug-kernel.config" >"$obj/merge.log" 2>&1
kmake -s olddefconfig >/dev/null
# Options that silently failed to stick would leave us without a checker.
while read -r opt; do
	case $opt in CONFIG_*=*) grep -qx "$opt" "$obj/.config" ||
		die "debug config: $opt did not stick" "fix its dependencies in scripts/debug-kernel.config" ;;
	esac
done <"$PH_ROOT/scripts/debug-kernel.config"

krel=$(kmake -s kernelrelease)
log debug "building $krel (cold ~8 min on 2 cores, warm ccache ~1 min)"
start=$(date +%s)
kmake bzImage modules >"$obj/build.log" 2>&1 &
bpid=$!
# A cold build is long: say where it is once a minute.
while ! wait_for_exit $bpid 60; do
	log debug "still building: $(grep -c '^  CC' "$obj/build.log") files compiled, last: $(grep '^  CC' "$obj/build.log" | tail -n1 | awk '{print $NF}')"
done
wait $bpid ||
	{ tail -n 30 "$obj/build.log" >&2; die "debug kernel build failed" "see $obj/build.log"; }
log debug "built in $(($(date +%s) - start)) s"

rm -rf "$out/modroot" "$out/build"
kmake -s INSTALL_MOD_PATH="$out/modroot" modules_install >/dev/null
cp "$obj/arch/x86/boot/bzImage" "$out/vmlinuz"
cp "$obj/.config" "$out/config"
echo "$krel" >"$out/abi"
# The object tree doubles as the external-module build tree: it holds the
# generated headers, Module.symvers and host tools that out-of-tree builds use.
ln -sfn obj "$out/build"
touch "$out/.complete"
# Older keys (another config or recipe) are dead weight: a tree is ~1 GB.
for old in "$PH_CACHE"/debug/*-*; do
	case $old in "$out" | "$PH_CACHE"/debug/src-*) continue ;; esac
	rm -rf "$old"
done
log debug "cached: $out"
