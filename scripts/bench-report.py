#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn one make-bench guest run into a table, a JSON file and a PNG plot.

    bench-report.py LINE OUTDIR RUNDIR [RUNDIR...]

Each RUNDIR/records.log (one per boot: with the IOMMU, and without it for
map_attachment) holds "@BENCH REP DRIVER METRIC UNIT BETTER VALUE" records
(scripts/guest-init.sh, mode bench) from one boot in which each program ran on
ph_vgem and on the stock vgem alternately. For every metric the ratio
ours/stock is taken per repetition (the two runs of a repetition are
neighbours in time), then its median and its min-max over the repetitions.
Absolute numbers in a TCG guest are noise; the ratios are the result.

Exits non-zero if a program failed, a metric misses a side, the guest did not
finish, or the kernel log shows a WARN/BUG/oops.
"""
import json
import os
import re
import shutil
import statistics
import subprocess
import sys

OURS, STOCK = "ph_vgem", "vgem"
KERNEL_TROUBLE = re.compile(r"WARNING:|BUG:|Oops|general protection|KASAN|refcount_t|list_(add|del) corruption")


def parse(records, values, units):
    """Values by metric, driver and repetition and units, into the dicts;
    returns the failures, the kernel's trouble and whether the guest ended."""
    failures, trouble, ended = [], [], False
    for raw in open(records, errors="replace"):
        line = raw.rstrip("\r\n")
        if line.startswith("@BENCH "):
            _, rep, drv, metric, unit, better, value = line.split()
            values.setdefault(metric, {}).setdefault(drv, {})[int(rep)] = float(value)
            units[metric] = (unit, better)
        elif line.startswith("@BENCHEXIT "):
            _, name, drv, rep, rc = line.split()
            if rc != "0":
                failures.append(f"{name} on {drv}, repetition {rep}: exit status {rc}")
        elif line.startswith("@DMESG ") and KERNEL_TROUBLE.search(line):
            trouble.append(line[len("@DMESG "):])
        elif line.startswith("@END"):
            ended = True
    return failures, trouble, ended


NOISE_FLOOR = 0.02


def relative_stdev(xs):
    mean = statistics.mean(xs)
    return statistics.stdev(xs) / mean if len(xs) > 1 and mean else 0.0


def summarise(values, units):
    rows = []
    for metric in values:  # in the order the programs reported them
        ours, stock = values[metric].get(OURS, {}), values[metric].get(STOCK, {})
        reps = sorted(set(ours) & set(stock))
        unit, better = units[metric]
        row = {"metric": metric, "unit": unit, "better": better, "repetitions": len(reps)}
        if reps:
            ratios = [ours[r] / stock[r] if stock[r] else float("nan") for r in reps]
            row.update({
                "ours": [ours[r] for r in reps], "stock": [stock[r] for r in reps],
                "ours_median": statistics.median(ours[r] for r in reps),
                "stock_median": statistics.median(stock[r] for r in reps),
                "ratio": ratios, "ratio_median": statistics.median(ratios),
                "ratio_min": min(ratios), "ratio_max": max(ratios),
            })
            # A ratio above 1 is good for "higher" metrics, below 1 for "lower" ones.
            lo, hi = row["ratio_min"], row["ratio_max"]
            if better == "lower":
                lo, hi = hi, lo
                lo, hi = 1 / lo if lo else float("inf"), 1 / hi if hi else float("inf")
            adv = row["ratio_median"] if better == "higher" else (1 / row["ratio_median"] if row["ratio_median"] else float("inf"))
            row["advantage"] = adv  # > 1: ours better, whichever direction the metric has
            # The noise: how much each driver's own repetitions scatter
            # (relative standard deviation, the larger of the two, at least
            # NOISE_FLOOR). A difference is real when every repetition's ratio
            # is on one side of 1 and the median is beyond the noise.
            row["noise"] = max([NOISE_FLOOR] + [relative_stdev([side[r] for r in reps]) for side in (ours, stock)])
            if lo > 1 and adv > 1 + row["noise"]:
                row["verdict"] = "ours better"
            elif hi < 1 and adv < 1 - row["noise"]:
                row["verdict"] = "ours worse"
            else:
                row["verdict"] = "within noise"
        rows.append(row)
    return rows


TOUCH_A2M = re.compile(r"mmap_(gem|dmabuf)_(\d+)M_a2M_touch$")


def targets(rows):
    """The issue's targets, each as (name, met, detail). Reported, not enforced:
    a TCG guest's noise may hide a real result on one run."""
    by = {r["metric"]: r for r in rows if "ratio" in r}
    out = []
    touch = [r for m, r in by.items() if TOUCH_A2M.match(m) and int(TOUCH_A2M.match(m).group(2)) >= 2]
    if touch:
        low = min(touch, key=lambda r: r["ratio_median"])
        out.append(("huge-page first touch >= 2x stock (2 MiB-aligned, 2 MiB and up)",
                    low["ratio_median"] >= 2, f"lowest {low['metric']} {low['ratio_median']:.2f}x"))
    if "lookup_n1" in by and "lookup_n32768" in by:
        flat = by["lookup_n32768"]["ours_median"] / by["lookup_n1"]["ours_median"]
        stock = by["lookup_n32768"]["stock_median"] / by["lookup_n1"]["stock_median"]
        out.append(("lookup flat: N=32768 within 1.5x of N=1", flat <= 1.5,
                    f"ours {flat:.2f}x, stock {stock:.2f}x"))
    worse = [r["metric"] for r in by.values() if r["verdict"] == "ours worse"]
    out.append(("never slower than stock beyond noise", not worse,
                ", ".join(worse) if worse else f"{len(by)} metrics"))
    return out


def fmt(v):
    if v >= 1000:
        return f"{v:.0f}"
    if v >= 10:
        return f"{v:.1f}"
    return f"{v:.3g}"


def table(line, rows):
    head = ("metric", "unit", "better", "ours", "stock", "ours/stock median [min-max]", "n", "verdict")
    out = [head]
    for r in rows:
        if "ratio" not in r:
            out.append((r["metric"], r["unit"], r["better"], "-", "-", "missing a side", "0", "-"))
            continue
        out.append((r["metric"], r["unit"], r["better"], fmt(r["ours_median"]), fmt(r["stock_median"]),
                    f"{r['ratio_median']:.3f} [{r['ratio_min']:.3f}-{r['ratio_max']:.3f}]",
                    str(r["repetitions"]), r["verdict"]))
    widths = [max(len(row[i]) for row in out) for i in range(len(head))]
    text = [f"bench {line}: ph_vgem (ours) vs stock vgem, one boot, medians over repetitions"]
    for i, row in enumerate(out):
        text.append("  ".join(c.ljust(widths[j]) if j < 3 or j == 7 else c.rjust(widths[j])
                              for j, c in enumerate(row)).rstrip())
        if i == 0:
            text.append("  ".join("-" * w for w in widths))
    return "\n".join(text)


def plot(line, rows, png):
    """Bars of ours' advantage (>1: ours better) with the min-max range, log scale."""
    gnuplot = shutil.which("gnuplot")
    if not gnuplot:
        return "no gnuplot (make deps installs gnuplot-nox): no plot"
    data = png[:-4] + ".dat"
    with open(data, "w") as f:
        for i, r in enumerate(x for x in rows if "ratio" in x):
            lo, hi = r["ratio_min"], r["ratio_max"]
            if r["better"] == "lower":
                lo, hi = 1 / hi, 1 / lo
            f.write(f'{i} "{r["metric"]}" {r["advantage"]:.6g} {lo:.6g} {hi:.6g}\n')
    script = f"""
set terminal pngcairo size 2000,800 noenhanced
set output '{png}'
set title "make bench {line}: ph_vgem vs stock vgem, advantage of ours (median, min-max over repetitions; above 1 = ours better)"
set logscale y 2
set ylabel "advantage (ours better above 1)"
set style fill solid 0.5
set boxwidth 0.6
set xtics rotate by -60 font ",7"
set grid ytics
set key off
set bmargin 12
plot '{data}' using 1:3:xtic(2) with boxes, '' using 1:3:4:5 with yerrorbars pt 0 lc rgb 'black', 1 lc rgb 'red'
"""
    res = subprocess.run([gnuplot], input=script, text=True, capture_output=True)
    if res.returncode:
        return "gnuplot failed: " + res.stderr.strip()
    return None


def main():
    line, outdir, rundirs = sys.argv[1], sys.argv[2], sys.argv[3:]
    values, units, problems = {}, {}, []
    for rundir in rundirs:
        records = os.path.join(rundir, "records.log")
        if not os.path.exists(records):
            problems.append(f"{rundir}: no guest run")
            continue
        failures, trouble, ended = parse(records, values, units)
        problems += failures + ["kernel log: " + t for t in trouble]
        if not ended:
            status = os.path.join(rundir, "status")
            state = open(status).read().strip() if os.path.exists(status) else "unknown"
            problems.append(f"{rundir}: the guest did not finish (status: {state})")
    rows = summarise(values, units)
    problems += [f"{r['metric']}: no paired repetition of both drivers" for r in rows if "ratio" not in r]
    if not rows:
        problems.append("no @BENCH record at all")

    os.makedirs(outdir, exist_ok=True)
    base = os.path.join(outdir, line)
    with open(base + ".json", "w") as f:
        json.dump({"kernel": line, "ours": OURS, "stock": STOCK,
                   "ratio": "ours/stock per repetition; 'better' says which direction is good",
                   "metrics": rows, "problems": problems}, f, indent=1)
    text = table(line, rows)
    for name, met, detail in targets(rows):
        text += f"\ntarget {'met    ' if met else 'NOT met'}  {name}: {detail}"
    with open(base + ".txt", "w") as f:
        f.write(text + "\n")
    print(text)
    note = plot(line, rows, base + ".png") if rows else "nothing to plot"
    print(f"bench {line}: {base}.json, {base}.txt" + (f", {base}.png" if not note else f" ({note})"))
    for p in problems:
        print(f"bench {line}: PROBLEM: {p}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
