#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Say what make check's totals count, one line before its summary.

The same subtest runs on several kernel lines and in several boots of a line
(main, no IOMMU, swiotlb, memory pressure, Mesa), so "N passed" counts results,
not behaviours. This prints, per kernel line, the subtest results, the
distinct subtests behind them and the guest-level checks, then the step
checks (lint, docs, packaging, the bench's own tests).

usage: count-results.py RESULTS_DIR
"""
import glob
import json
import os
import re
import sys

GUEST_RUN = re.compile(r"^(6\.1|6\.12|debug[a-z0-9]*|kcsan)(-[a-z0-9]+)?\.json$")


def main():
    lines, steps = {}, {}
    for path in sorted(glob.glob(os.path.join(sys.argv[1], "*.json"))):
        try:
            results = json.load(open(path))["results"]
        except (OSError, ValueError, KeyError):
            continue  # check.sh already counted it as a failure
        name = os.path.basename(path)
        m = GUEST_RUN.match(name)
        if not m:
            steps[name[:-5]] = len(results)
            continue
        line = lines.setdefault(m.group(1), {"boots": 0, "subtests": 0, "distinct": set(), "guest": 0})
        line["boots"] += 1
        for r in results:
            if r["name"].startswith("guest/"):
                line["guest"] += 1
            else:
                line["subtests"] += 1
                line["distinct"].add(r["name"])
    parts = [f"{k}: {v['subtests']} subtest results ({len(v['distinct'])} distinct subtests)"
             f" + {v['guest']} guest checks in {v['boots']} boot{'s' if v['boots'] != 1 else ''}"
             for k, v in lines.items()]
    everywhere = set().union(*(v["distinct"] for v in lines.values())) if lines else set()
    if lines:
        parts.append(f"{len(everywhere)} distinct subtests over all lines")
    if steps:
        parts.append(f"steps: {sum(steps.values())} checks ("
                     + ", ".join(f"{k} {n}" for k, n in steps.items()) + ")")
    print("counted: " + ("; ".join(parts) if parts else "nothing"))


if __name__ == "__main__":
    main()
