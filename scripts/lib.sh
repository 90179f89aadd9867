# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Shared shell helpers for the bench scripts: logging with elapsed time,
# failure messages that say what to do next, and kernel-line resolution.

PH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PH_BUILD=${PH_BUILD:-$PH_ROOT/build}
PH_CACHE=${PH_CACHE:-/var/cache/prime-helpers}
: "${PH_T0:=$(date +%s)}"
export PH_T0 PH_CACHE PH_BUILD

# log STEP MESSAGE: one progress line with the seconds since the first step.
log() {
	local step=$1
	shift
	printf '[%4ds] %-8s %s\n' "$(($(date +%s) - PH_T0))" "$step" "$*" >&2
}

# die MESSAGE HINT: stop with what went wrong and what to do about it.
die() {
	printf '\nerror: %s\n' "$1" >&2
	[ -n "${2:-}" ] && printf 'next:  %s\n' "$2" >&2
	exit 1
}

# Resolve the concrete Debian ABI name (e.g. 6.1.0-56-amd64) of a kernel line
# from the meta package's dependency, so nothing hard-codes a version.
debian_kernel_abi() {
	local meta memo=$PH_BUILD/.abi-$1
	# Resolved once per 'make deps' (which clears the memo), not once per script.
	[ -s "$memo" ] && { cat "$memo"; return; }
	case $1 in
	6.1) meta=linux-headers-amd64 ;;
	6.12) meta=linux-headers-6.12-amd64 ;;
	*) die "unknown Debian kernel line '$1'" "use KERNEL=6.1, 6.12 or debug" ;;
	esac
	mkdir -p "$PH_BUILD"
	apt-cache depends "$meta" 2>/dev/null |
		sed -n 's/^ *Depends: linux-headers-\([0-9].*-amd64\)$/\1/p' | head -n1 | tee "$memo"
}

# Directory holding the unpacked Debian kernel image for an ABI name.
debian_kernel_dir() {
	echo "$PH_CACHE/kernels/$1"
}

# Where a checker kernel built from Debian's kernel source lives: the debug
# line (6.12: KASAN, lockdep and the other checkers,
# scripts/debug-kernel.config) or the kcsan line (6.1: the same checkers with
# KCSAN instead of KASAN, which exclude each other, scripts/kcsan-kernel.config
# on top; built from 6.1 so that the library's 6.1 branches run under lockdep
# too). Keyed by the source package's version, the config fragments and the
# recipe version, so a change to any of them rebuilds. Bump
# DEBUG_KERNEL_RECIPE when scripts/build-debug-kernel.sh changes what it
# produces.
DEBUG_KERNEL_RECIPE=1
# debug_kernel_fragments FLAVOR: its config fragments, later ones override.
debug_kernel_fragments() {
	case ${1:-debug} in
	debug) echo "$PH_ROOT/scripts/debug-kernel.config" ;;
	kcsan) echo "$PH_ROOT/scripts/debug-kernel.config $PH_ROOT/scripts/kcsan-kernel.config" ;;
	*) die "unknown debug kernel flavor '$1'" "use debug or kcsan" ;;
	esac
}
# debug_kernel_source FLAVOR: the kernel line whose linux-source-* it builds.
debug_kernel_source() {
	case ${1:-debug} in debug) echo 6.12 ;; kcsan) echo 6.1 ;; esac
}
debug_kernel_dir() {
	local flavor=${1:-debug} srcver key
	srcver=$(dpkg-query -W -f='${Version}' "linux-source-$(debug_kernel_source "$flavor")" 2>/dev/null ||
		echo none)
	# shellcheck disable=SC2046 # one word per fragment
	key=$({ cat $(debug_kernel_fragments "$flavor"); echo "$DEBUG_KERNEL_RECIPE"; } |
		sha256sum | cut -c1-12)
	echo "$PH_CACHE/$flavor/$srcver-$key"
}

# kernel_build_tree LINE: the tree modules are built against.
kernel_build_tree() {
	case $1 in
	6.1 | 6.12) echo "/usr/src/linux-headers-$(debian_kernel_abi "$1")" ;;
	debug | kcsan) echo "$(debug_kernel_dir "$1")/build" ;;
	host) echo "/lib/modules/${KVER:-$(uname -r)}/build" ;;
	*) die "unknown kernel line '$1'" "use KERNEL=6.1, 6.12, debug, kcsan (or host for make install)" ;;
	esac
}

# results_json FILE LABEL NAME=RESULT...: write step results in the format
# judge.py writes for guest runs (RESULT is pass, fail or skip), so make check
# counts every step the same way.
results_json() {
	python3 - "$@" <<'PY'
import json, sys
out, label = sys.argv[1:3]
res = [dict(zip(("name", "result"), p.rsplit("=", 1)), detail="") for p in sys.argv[3:]]
count = {r: sum(1 for x in res if x["result"] == r) for r in ("pass", "fail", "skip")}
json.dump({"kernel": label, "passed": count["pass"], "failed": count["fail"],
           "skipped": count["skip"], "results": res}, open(out, "w"), indent=1)
PY
}

# kernel_source_tools: directory holding the tools that ship only in Debian's
# linux-source-6.12 (checkpatch.pl and its data, kernel-doc, the Sphinx
# extensions of the kernel's documentation), extracted once into the cache.
kernel_source_tools() {
	local ver dir
	ver=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null) ||
		die "linux-source-6.12 is not installed" "run 'make deps'"
	dir=$PH_CACHE/tools/linux-source-$ver
	if [ ! -f "$dir/.complete" ]; then
		log tools "extracting checkpatch, kernel-doc and the Sphinx extensions from linux-source-6.12 (~20 s, once)"
		rm -rf "$dir" && mkdir -p "$dir"
		tar -xJf /usr/src/linux-source-6.12.tar.xz -C "$dir" --strip-components=1 \
			linux-source-6.12/scripts/checkpatch.pl linux-source-6.12/scripts/spelling.txt \
			linux-source-6.12/scripts/const_structs.checkpatch linux-source-6.12/scripts/kernel-doc \
			linux-source-6.12/Documentation/sphinx ||
			die "cannot extract the kernel's tools" "check /usr/src/linux-source-6.12.tar.xz ('make deps')"
		touch "$dir/.complete"
	fi
	echo "$dir"
}

# add_counts JSON: add one results file to the totals (total_pass, _fail,
# _skip and the work counters, which the caller starts at 0). A file that is
# missing or unreadable is one failure, never nothing.
add_counts() {
	local json=$1 counts p f s fp si fc
	if ! counts=$(python3 -c 'import json,sys
d = json.load(open(sys.argv[1])); c = d.get("counts", {})
print(int(d["passed"]), int(d["failed"]), int(d["skipped"]),
      c.get("fault_points", 0), c.get("stress_iterations", 0), c.get("fuzz_calls", 0))' "$json" 2>/dev/null); then
		log check "FAIL: results file $json is missing or unreadable: counted as one failure"
		log check "next: its step or boot did not finish; see the messages above it"
		total_fail=$((total_fail + 1))
		return
	fi
	read -r p f s fp si fc <<<"$counts"
	total_pass=$((total_pass + p)) total_fail=$((total_fail + f)) total_skip=$((total_skip + s))
	total_fault_points=$((total_fault_points + fp))
	total_stress_iterations=$((total_stress_iterations + si))
	total_fuzz_calls=$((total_fuzz_calls + fc))
}
