#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build our modules in this source tree (not in a build/ mirror) against one
# kernel build directory: what DKMS and `make install` on a real machine use.
#   kbuild-in-tree.sh KERNEL_BUILD_DIR [make arguments...]
set -euo pipefail

kdir=${1:?usage: kbuild-in-tree.sh KERNEL_BUILD_DIR [make arguments]}
shift
src=$(cd "$(dirname "$0")/.." && pwd)
gen=$src/generated
[ -f "$kdir/Makefile" ] || { echo "error: no kernel build tree at $kdir" >&2
	echo "next:  install the headers of that kernel (linux-headers-<version>)" >&2; exit 1; }
"$src/scripts/conftest.sh" "$kdir" "$gen"
exec make -C "$kdir" M="$src" PH_INCLUDE="$src/include" PH_GENERATED="$gen" "$@"
