#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Prove the packaging: add, build and install the project with Debian's dkms
# for each Debian kernel line, against the installed headers, in a
# private DKMS tree (nothing touches the host's /lib/modules; dkms keeps its
# module-signing key in /var/lib/dkms); then `make install` into a staging
# root, as a distribution package build would run it.
#   dkms-check.sh "LINES" JSON_OUT
set -uo pipefail
. "$(dirname "$0")/lib.sh"

lines=${1:-6.1 6.12} json=$2
work=$PH_BUILD/dkms
rm -rf "$work"
mkdir -p "$work/tree" "$work/src" "$work/install"
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$PH_ROOT/dkms.conf")
src=$work/src/prime-helpers-$version
# What a release tarball holds: the tracked files.
mkdir -p "$src"
git -C "$PH_ROOT" ls-files -z -co --exclude-standard | (cd "$PH_ROOT" && xargs -0 cp --parents -t "$src")
dk=(dkms --dkmstree "$work/tree" --sourcetree "$work/src" --installtree "$work/install")
pass=0 fail=0 entries=()

# installed_all ROOT: every module we ship is under ROOT, and nothing else of ours.
SHIPPED="prime_helpers ph_vgem ph_edu"
installed_all() {
	local m
	for m in $SHIPPED; do
		find "$1" -name "$m.ko*" | grep -q . || { echo "missing: $m" >&2; return 1; }
	done
	! find "$1" -name 'ph_selftest_*' | grep -q .
}
"${dk[@]}" add -m prime-helpers -v "$version" >"$work/add.log" 2>&1 ||
	{ cat "$work/add.log"; die "dkms add failed" "see the log above"; }
for line in $lines; do
	abi=$(debian_kernel_abi "$line")
	log dkms "build + install for $abi"
	mkdir -p "$work/install/$abi"	# dkms installs only into a known kernel's tree
	if "${dk[@]}" build -m prime-helpers -v "$version" -k "$abi" >"$work/$line.log" 2>&1 &&
		"${dk[@]}" install -m prime-helpers -v "$version" -k "$abi" --force >>"$work/$line.log" 2>&1 &&
		installed_all "$work/install/$abi"; then
		pass=$((pass + 1)) r=pass
	else
		tail -n 25 "$work/$line.log"
		log dkms "DKMS build for $abi FAILED (log: $work/$line.log)"
		fail=$((fail + 1)) r=fail
	fi
	entries+=("dkms/build-install-$line=$r")
done
# make install into a staging root, as a package build would: every line,
# each into its own root, each holding that line's modules and no other's.
for line in $lines; do
	abi=$(debian_kernel_abi "$line")
	root=$work/destdir-$line
	log install "make install KERNEL=$line DESTDIR=$root"
	if make -s -C "$PH_ROOT" install KERNEL="$line" DESTDIR="$root" >"$work/install-$line.log" 2>&1 &&
		installed_all "$root/lib/modules/$abi" &&
		[ "$(ls "$root/lib/modules")" = "$abi" ]; then
		pass=$((pass + 1)) r=pass
	else
		cat "$work/install-$line.log"
		log install "make install for $line FAILED: its modules are not (only) under $root/lib/modules/$abi"
		fail=$((fail + 1)) r=fail
	fi
	entries+=("install/destdir-$line=$r")
done

results_json "$json" dkms "${entries[@]}"
echo "dkms: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
