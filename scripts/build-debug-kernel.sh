#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build a checker kernel line from Debian's kernel source and cache it,
# keyed by the source package version and this script plus its config
# fragments:
#   debug  KASAN, lockdep, kmemleak, KUnit, fault injection, DMA-API debug...
#          (scripts/debug-kernel.config)
#   kcsan  from linux-source-6.1: the same checkers with KCSAN, the
#          data-race detector, instead of KASAN (scripts/kcsan-kernel.config
#          on top), and the library's 6.1 branches under lockdep
# A warm cache returns at once; ccache keeps a config change cheap.
#   build-debug-kernel.sh [debug|kcsan]
set -euo pipefail
. "$(dirname "$0")/lib.sh"

flavor=${1:-debug}
fragment_list=$(debug_kernel_fragments "$flavor") || exit 1
read -ra fragments <<<"$fragment_list"
out=$(debug_kernel_dir "$flavor")
[ -f "$out/.complete" ] && { log "$flavor" "cached: $out"; exit 0; }

kver=$(debug_kernel_source "$flavor")
tarball=/usr/src/linux-source-$kver.tar.xz
[ -f "$tarball" ] || die "$tarball is missing" "run 'make deps'"
srcver=$(dpkg-query -W -f='${Version}' "linux-source-$kver")
src=$PH_CACHE/debug/src-$srcver
obj=$out/obj
export CCACHE_DIR=$PH_CACHE/ccache CCACHE_MAXSIZE=4G

if [ ! -f "$src/.unpacked" ]; then
	log "$flavor" "unpacking linux-source-$kver $srcver (~20 s)"
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
log "$flavor" "configuring (tinyconfig + ${fragments[*]##*/})"
kmake -s tinyconfig >/dev/null
"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" \
	"${fragments[@]}" >"$obj/merge.log" 2>&1
kmake -s olddefconfig >/dev/null
# Options that silently failed to stick would leave us without a checker: each
# option's last word among the fragments must be in the result.
cat "${fragments[@]}" | sed -n 's/^\(CONFIG_[A-Z0-9_]*\)=\(.*\)/\1 \1=\2/p; s/^# \(CONFIG_[A-Z0-9_]*\) is not set/\1 unset/p' |
	awk '{ last[$1] = $2 } END { for (k in last) print k, last[k] }' | while read -r name want; do
	if [ "$want" = unset ]; then
		! grep -q "^$name=" "$obj/.config" ||
			die "$flavor config: $name is still set" "fix its dependencies in ${fragments[*]}"
	else
		grep -qx "$want" "$obj/.config" ||
			die "$flavor config: $want did not stick" "fix its dependencies in ${fragments[*]}"
	fi
done

krel=$(kmake -s kernelrelease)
log "$flavor" "building $krel (cold ~10-20 min on 2 cores, warm ccache ~1 min)"
start=$(date +%s)
kmake bzImage modules >"$obj/build.log" 2>&1 &
bpid=$!
# A cold build is long: say where it is once a minute.
while ! wait_for_exit $bpid 60; do
	log "$flavor" "still building: $(grep -c '^  CC' "$obj/build.log") files compiled, last: $(grep '^  CC' "$obj/build.log" | tail -n1 | awk '{print $NF}')"
done
wait $bpid ||
	{ tail -n 30 "$obj/build.log" >&2; die "$flavor kernel build failed" "see $obj/build.log"; }
log "$flavor" "built in $(($(date +%s) - start)) s"

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
for old in "$PH_CACHE/$flavor"/*-*; do
	case $old in "$out" | "$PH_CACHE"/debug/src-*) continue ;; esac
	rm -rf "$old"
done
log "$flavor" "cached: $out"
