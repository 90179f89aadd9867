#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make htmldocs: build Documentation/ with Sphinx and the kernel's kernel-doc
# extension into build/htmldocs/; any warning fails the build.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

tools=$(kernel_source_tools)
out=$PH_BUILD/htmldocs
log docs "sphinx-build into $out"
rm -rf "$out"
PH_KERNEL_SPHINX=$tools/Documentation/sphinx PH_KERNELDOC=$tools/scripts/kernel-doc \
	PH_SRCTREE=$PH_ROOT sphinx-build -q -W --keep-going -b html -d "$PH_BUILD/doctrees" \
	"$PH_ROOT/Documentation" "$out" 2>"$PH_BUILD/htmldocs.log" || {
	cat "$PH_BUILD/htmldocs.log" >&2
	die "the documentation build warned or failed (messages above)" \
		"fix the .rst files or the kernel-doc comments they pull in, then 'make htmldocs'"
}
[ -s "$PH_BUILD/htmldocs.log" ] && { cat "$PH_BUILD/htmldocs.log" >&2; die "sphinx printed messages" "fix them"; }
log docs "open $out/index.html"
