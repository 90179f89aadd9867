#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make install: build our modules for one kernel and install them with
# Kbuild's modules_install under updates/prime-helpers/. The kernel is the
# running one (KERNEL=host, KVER= to pick another installed one) or a Debian
# line (KERNEL=6.1|6.12). INSTALL_MOD_PATH and DESTDIR are honoured (both
# prefix the install root); depmod runs only for a live install.
#   install.sh LINE
set -euo pipefail
. "$(dirname "$0")/lib.sh"

line=${1:-host}
kdir=$(kernel_build_tree "$line")
root=${DESTDIR:-}${INSTALL_MOD_PATH:-}
bash "$PH_ROOT/scripts/build-modules.sh" "$line"
log install "modules_install for $line into ${root}/lib/modules/"
make -s -C "$kdir" M="$PH_BUILD/$line" INSTALL_MOD_PATH="$root" INSTALL_MOD_DIR=updates/prime-helpers \
	DEPMOD=/bin/true modules_install >"$PH_BUILD/$line/install.log" 2>&1 ||
	{ cat "$PH_BUILD/$line/install.log" >&2; die "modules_install failed" "see the log above"; }
krel=$(make -s -C "$kdir" kernelrelease 2>/dev/null || basename "$(dirname "$kdir")")
if [ -z "$root" ]; then
	depmod "$krel"
	log install "installed for $krel; load with: modprobe ph_vgem"
else
	find "$root" -path '*updates/prime-helpers*' -name '*.ko*' | sed 's/^/  /'
fi
