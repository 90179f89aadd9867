#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make deps: install what the project needs from Debian's registry and unpack
# the two Debian kernel images into the cache (never installed on the host).
# Idempotent: a second run only checks and returns.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

PACKAGES=(
	# guest and initramfs
	qemu-system-x86 busybox-static kmod cpio xz-utils gzip file
	# module and userspace builds, lint
	gcc make libc6-dev pkg-config libdrm-dev zlib1g-dev sparse
	# documentation (Sphinx + the kernel's kernel-doc) and packaging
	python3-sphinx dkms openssl
	gnuplot-nox	# make bench's plot
	# Mesa as a client in its own guest (GBM, EGL, GLES, the kms_swrast driver)
	libgbm-dev libegl-dev libgles-dev libgl1-mesa-dri libegl-mesa0
	# headers of both Debian kernel lines (meta packages, resolved below)
	linux-headers-amd64 linux-headers-6.12-amd64
	# the checker kernel lines: debug from 6.12's source, kcsan from 6.1's
	linux-source-6.12 linux-source-6.1 bc bison flex libelf-dev libssl-dev ccache rsync python3
)

rm -f "$PH_BUILD"/.abi-*
missing=()
for p in "${PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
	[ "$(id -u)" = 0 ] || die "missing packages: ${missing[*]}" \
		"run 'sudo make deps' once, or install them with apt-get"
	log deps "installing ${#missing[@]} packages: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq || die "apt-get update failed" "check the Debian mirror in /etc/apt/sources.list"
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$PH_CACHE.apt.log" 2>&1 ||
		{ tail -n 20 "$PH_CACHE.apt.log" >&2; die "apt-get install failed (log above)" "fix apt, then rerun make deps"; }
	log deps "packages installed"
fi

mkdir -p "$PH_CACHE/kernels" || die "cannot create $PH_CACHE" "set PH_CACHE to a writable directory"

for line in 6.1 6.12; do
	abi=$(debian_kernel_abi "$line")
	[ -n "$abi" ] || die "cannot resolve the Debian $line kernel version" "run 'apt-get update' and retry"
	[ -d "/usr/src/linux-headers-$abi" ] ||
		die "headers for $abi are missing" "apt-get install linux-headers-$abi"
	dir=$(debian_kernel_dir "$abi")
	[ -f "$dir/.complete" ] && continue
	log deps "fetching kernel image $abi into $dir"
	tmp=$(mktemp -d)
	(cd "$tmp" && { apt-get download -qq "linux-image-$abi-unsigned" 2>/dev/null ||
		apt-get download -qq "linux-image-$abi"; }) ||
		die "apt-get download of linux-image-$abi failed" "check the network to Debian's registry"
	# Unpacked beside the cache entry and moved in whole: a concurrent
	# run (another checkout) never sees, or removes, a half-made one.
	part=$(mktemp -d "$dir.part.XXXXXX")
	dpkg -x "$tmp"/*.deb "$part/root"
	rm -rf "$tmp"
	cp "$part/root/boot/vmlinuz-$abi" "$part/vmlinuz"
	cp "$part/root/boot/config-$abi" "$part/config"
	echo "$abi" >"$part/abi"
	touch "$part/.complete"
	if [ -f "$dir/.complete" ]; then
		rm -rf "$part"
	else
		rm -rf "$dir" && mv "$part" "$dir"
	fi
done
log deps "ready (6.1: $(debian_kernel_abi 6.1), 6.12: $(debian_kernel_abi 6.12), cache: $PH_CACHE)"
