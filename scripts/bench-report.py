#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn one make-bench guest run into a table, a JSON file and plots.

    bench-report.py LINE OUTDIR RUNDIR [RUNDIR...]

Each RUNDIR/records.log (one per boot: with the IOMMU, and without it for
map_attachment) holds "@BENCH REP DRIVER METRIC UNIT BETTER VALUE" records
(scripts/guest-init.sh, mode bench) from one boot in which each program ran on
ph_vgem and on the stock vgem alternately. For every metric the ratio
ours/stock is taken per repetition (the two runs of a repetition are
neighbours in time); the result is the geometric mean of those paired ratios
and its 95 % confidence interval (Student's t over the log-ratios), so the
noise is the scatter of the paired ratios, not of either side alone. A metric
is "ours better" or "ours worse" whenever that interval excludes 1, however
small the difference. Absolute numbers in a TCG guest are noise; the ratios
are the result.

Metrics named anon_thp_* are the limit (anonymous memory with transparent huge
pages, measured in the same program run): the mmap metrics are also reported
against it, ours/limit and stock/limit, paired within each run.

Exits non-zero if a program failed, a metric misses a side, the guest did not
finish, or the kernel log shows a WARN/BUG/oops.
"""
import glob
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys

OURS, STOCK = "ph_vgem", "vgem"
KERNEL_TROUBLE = re.compile(r"WARNING:|BUG:|Oops|general protection|KASAN|refcount_t|list_(add|del) corruption")


# Metrics each program must report whenever it ran (in the main boot): one
# missing on both sides would otherwise drop out of the table unnoticed.
EXPECTED = {
    "perf_attach": ("map_attachment_64M_edu_iommu", "map_attachment_64M_cirrus_iommu",
                    "map_attachment_64M_edu_iommu_populated", "map_attachment_64M_edu_iommu_hugeoff"),
    "perf_cycles": ("cycles_export_to_cirrus", "cycles_import_from_cirrus", "cycles_export_to_cirrus_hugeoff"),
    "perf_lookup": ("lookup_n1", "lookup_n32768", "lookup_hot_n32768"),
    "perf_mem": ("slab_per_object", "mem_64M_mapped_unevictable", "mem_64M_unmapped_unevictable"),
    "perf_mmap": ("mmap_gem_2M_a2M_touch", "mmap_dmabuf_256M_a4K_clear", "anon_thp_256M_a2M_touch",
                  "mmap_gem_256M_a2M_touch_hugeoff_fa1"),
    "perf_vmap": ("vmap_checksum_4K", "vmap_nested_pairs_64K"),
    "perf_pressure_reclaim": ("reclaim_working_set_per_ram", "reclaim_64M_left_ram", "reclaim_64M_swapin",
                              "reclaim_64M_intact", "reclaim_alloc_beside_mapped",
                              "reclaim_alloc_beside_mapped_thp_fallback", "reclaim_alloc_beside_mapped_hugeoff",
                              "reclaim_alloc_beside_mapped_hugeoff_thp_fallback"),
}
PROGRAMS_RAN = set()


def parse(records, values, units):
    """Values by metric, driver and repetition and units, into the dicts;
    returns the failures, the kernel's trouble and whether the guest ended."""
    failures, trouble, ended = [], [], False
    for raw in open(records, errors="replace"):
        line = raw.rstrip("\r\n")
        if line.startswith("@BENCH "):
            _, rep, drv, metric, unit, better, value = line.split()
            if better not in ("higher", "lower", "neither"):
                failures.append(f"{metric}: direction '{better}' is none of higher, lower, neither")
                continue
            if int(rep) in values.get(metric, {}).get(drv, {}):
                failures.append(f"{metric}: reported twice for {drv} in repetition {rep} (two boots?)")
            values.setdefault(metric, {}).setdefault(drv, {})[int(rep)] = float(value)
            units[metric] = (unit, better)
        elif line.startswith("@BENCHEXIT "):
            _, name, drv, rep, rc = line.split()
            PROGRAMS_RAN.add(name)
            if rc != "0":
                failures.append(f"{name} on {drv}, repetition {rep}: exit status {rc}")
        elif line.startswith("@DMESG ") and KERNEL_TROUBLE.search(line):
            trouble.append(line[len("@DMESG "):])
        elif line.startswith("@END"):
            ended = True
    return failures, trouble, ended


# Two-sided 95 % quantiles of Student's t by degrees of freedom.
T975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262,
        10: 2.228, 12: 2.179, 15: 2.131, 20: 2.086, 30: 2.042}


def t975(df):
    return T975[max(k for k in T975 if k <= df)] if df < 60 else 1.96


def paired(xs, ys, better):
    """The advantage of xs over ys (> 1: xs better in the metric's direction)
    from paired repetitions: geometric mean, 95 % interval, noise, verdict."""
    if better == "neither":
        return {"advantage": None, "verdict": "reported, not judged"}
    if any(x <= 0 for x in xs) or any(y <= 0 for y in ys):
        # A count that can be zero (memory held): no ratio; paired differences.
        diffs = [(y - x) if better == "lower" else (x - y) for x, y in zip(xs, ys)]
        verdict = ("ours better" if len(diffs) > 1 and all(d > 0 for d in diffs) else
                   "ours worse" if len(diffs) > 1 and all(d < 0 for d in diffs) else
                   "no difference" if all(d == 0 for d in diffs) else "within noise")
        return {"advantage": None, "verdict": verdict, "difference_median": statistics.median(diffs)}
    logs = [math.log(x / y) if better == "higher" else math.log(y / x) for x, y in zip(xs, ys)]
    mean = statistics.mean(logs)
    row = {"advantage": math.exp(mean)}
    if len(logs) < 2:
        row.update({"noise": None, "ci": None, "verdict": "one repetition: no verdict"})
        return row
    sd = statistics.stdev(logs)
    half = t975(len(logs) - 1) * sd / math.sqrt(len(logs))
    row.update({"noise": math.exp(sd) - 1, "ci": [math.exp(mean - half), math.exp(mean + half)],
                "verdict": "ours better" if mean - half > 0 else "ours worse" if mean + half < 0 else "within noise"})
    return row


def summarise(values, units):
    rows = []
    for metric in values:  # in the order the programs reported them
        ours, stock = values[metric].get(OURS, {}), values[metric].get(STOCK, {})
        reps = sorted(set(ours) & set(stock))
        unit, better = units[metric]
        row = {"metric": metric, "unit": unit, "better": better, "repetitions": len(reps)}
        if reps:
            xs, ys = [ours[r] for r in reps], [stock[r] for r in reps]
            row.update({
                "ours": xs, "stock": ys,
                "ours_median": statistics.median(xs), "stock_median": statistics.median(ys),
            })
            if all(y > 0 for y in ys):
                ratios = [x / y for x, y in zip(xs, ys)]
                row.update({"ratio": ratios, "ratio_median": statistics.median(ratios),
                            "ratio_min": min(ratios), "ratio_max": max(ratios)})
            row.update(paired(xs, ys, better))
        rows.append(row)
    return rows


LIMITED = re.compile(r"mmap_(gem|dmabuf)_(\d+M_a2M_(touch|read|write|clear))$")


def limits(values):
    """Each 2 MiB-aligned mmap metric against the anonymous-THP limit measured
    in the same program run: ours/limit and stock/limit (higher-is-better
    MiB/s, so a value below 1 is what is left to gain)."""
    out = []
    for metric in values:
        m = LIMITED.match(metric)
        anon = values.get(f"anon_thp_{m.group(2)}") if m else None
        if not anon:
            continue
        row = {"metric": metric, "limit": f"anon_thp_{m.group(2)}"}
        for drv, key in ((OURS, "ours"), (STOCK, "stock")):
            side, lim = values[metric].get(drv, {}), anon.get(drv, {})
            reps = sorted(set(side) & set(lim))
            if reps and all(lim[r] > 0 and side[r] > 0 for r in reps):
                row[f"{key}_over_limit"] = math.exp(statistics.mean(math.log(side[r] / lim[r]) for r in reps))
        out.append(row)
    return out


CONTROL = re.compile(r"anon_thp_")
TOUCH_A2M = re.compile(r"mmap_(gem|dmabuf)_(\d+)M_a2M_touch$")


def targets(rows):
    """The issue's targets, each as (name, met, detail). Reported, not enforced:
    a TCG guest's noise may hide a real result on one run."""
    by = {r["metric"]: r for r in rows if "ratio" in r}
    compared = [r for r in rows if "verdict" in r and not CONTROL.match(r["metric"]) and r["better"] != "neither"]
    out = []
    touch = [r for m, r in by.items() if TOUCH_A2M.match(m) and int(TOUCH_A2M.match(m).group(2)) >= 2]
    if touch:
        low = min(touch, key=lambda r: r["ratio_median"])
        out.append(("huge-page first touch >= 2x stock (2 MiB-aligned, 2 MiB and up)",
                    low["ratio_median"] >= 2, f"lowest {low['metric']} {low['ratio_median']:.2f}x"))
    if "lookup_n1" in by and "lookup_n32768" in by:
        # Per repetition (N=1 and N=32768 of one program run), then the
        # median; the worst repetition is shown beside it.
        big, one = by["lookup_n32768"], by["lookup_n1"]
        ours = [b / o for b, o in zip(big["ours"], one["ours"])]
        stock = [b / o for b, o in zip(big["stock"], one["stock"])]
        hot = by.get("lookup_hot_n32768")
        hot_flat = (f"; one buffer among 32768 (the structures alone): ours "
                    f"{hot['ours_median'] / one['ours_median']:.2f}x, stock {hot['stock_median'] / one['stock_median']:.2f}x"
                    if hot else "")
        out.append(("lookup flat: N=32768 within 1.5x of N=1 (median of the repetitions)",
                    statistics.median(ours) <= 1.5,
                    f"ours {statistics.median(ours):.2f}x (worst {max(ours):.2f}x), "
                    f"stock {statistics.median(stock):.2f}x (worst {max(stock):.2f}x)" + hot_flat))
    # anon_thp_* run the same code on both sides: a control, not a comparison.
    worse = [r["metric"] for r in rows if r.get("verdict") == "ours worse" and not CONTROL.match(r["metric"])]
    out.append(("never worse than stock (95 % interval of the paired ratios)", not worse,
                ", ".join(worse) if worse else f"{len(compared)} metrics"))
    return out


def fmt(v):
    if v >= 1000:
        return f"{v:.0f}"
    if v >= 10:
        return f"{v:.1f}"
    return f"{v:.3g}"


def table(line, rows, lims):
    head = ("metric", "unit", "better", "ours", "stock", "advantage of ours [95 % interval]", "noise", "n", "verdict")
    out = [head]
    for r in rows:
        if "verdict" not in r:
            out.append((r["metric"], r["unit"], r["better"], "-", "-", "missing a side", "-", "0", "-"))
            continue
        if r["advantage"] is None:
            adv = f"difference {fmt(abs(r['difference_median']))} {r['unit']}" if "difference_median" in r else "-"
        elif r.get("ci"):
            adv = f"{r['advantage']:.3f} [{r['ci'][0]:.3f}-{r['ci'][1]:.3f}]"
        else:
            adv = f"{r['advantage']:.3f}"
        noise = f"{100 * r['noise']:.1f}%" if r.get("noise") is not None else "-"
        out.append((r["metric"], r["unit"], r["better"], fmt(r["ours_median"]), fmt(r["stock_median"]),
                    adv, noise, str(r["repetitions"]), r["verdict"]))
    widths = [max(len(row[i]) for row in out) for i in range(len(head))]
    text = [f"bench {line}: ph_vgem (ours) vs stock vgem, one boot; ours and stock are medians, the advantage "
            "(> 1: ours better) the geometric mean of the paired ratios; noise: their spread (one standard deviation)"]
    for i, row in enumerate(out):
        text.append("  ".join(c.ljust(widths[j]) if j < 3 or j == 8 else c.rjust(widths[j])
                              for j, c in enumerate(row)).rstrip())
        if i == 0:
            text.append("  ".join("-" * w for w in widths))
    if lims:
        text.append("")
        text.append(f"bench {line}: against the limit (anonymous memory with THP, same run; 1 = as fast as the kernel's own memory)")
        for lm in lims:
            o, st = lm.get("ours_over_limit"), lm.get("stock_over_limit")
            text.append(f"  {lm['metric']:<34} ours/limit {o:.3f}  stock/limit {st:.3f}" if o and st else
                        f"  {lm['metric']:<34} (a side is missing)")
    return "\n".join(text)


def median_of(rows, metric, side):
    r = rows.get(metric)
    return r[f"{side}_median"] if r and f"{side}_median" in r else None


def gnuplot_png(script):
    gnuplot = shutil.which("gnuplot")
    if not gnuplot:
        return "no gnuplot (make deps installs gnuplot-nox)"
    res = subprocess.run([gnuplot], input=script, text=True, capture_output=True)
    return "gnuplot failed: " + res.stderr.strip() if res.returncode else None


SIZES = (2, 16, 64, 256)
# A chart with no data, for a partial run (PH_BENCH_PROGS) that did not run
# the program it is drawn from: no chart then, rather than a gnuplot error.
SKIP = object()


def plots(line, rows, base):
    """One chart per question, each a PNG beside the JSON: first touch against
    buffer size (ours, stock, the limit), steady passes, mapping for a device,
    lookup cost against live buffers. Returns the files written and problems."""
    by = {r["metric"]: r for r in rows if "ours_median" in r}
    written, notes = [], []
    style = "set terminal pngcairo size 900,640 noenhanced font ',10'\nset grid\nset key below maxcols 2\n"

    def series(path, kind, align, side, suffix=""):
        return [(mib, median_of(by, f"mmap_{path}_{mib}M_{align}_{kind}{suffix}", side)) for mib in SIZES]

    def anon(kind):
        return [(mib, median_of(by, f"anon_thp_{mib}M_a2M_{kind}", "ours")) for mib in SIZES]

    def keep(png, note):
        if note is SKIP:
            return
        (notes.append(note) if note else written.append(png))

    def any_data(cols):
        return any(v is not None for col in cols for _, v in col)

    def datafile(name, cols):
        path = f"{base}-{name}.dat"
        with open(path, "w") as f:
            for i, mib in enumerate(SIZES):
                vals = [c[i][1] for c in cols]
                f.write(f"{mib} " + " ".join("NaN" if v is None else f"{v:.6g}" for v in vals) + "\n")
        return path

    # 1. First touch against buffer size.
    cols = [series("gem", "touch", "a2M", "ours"), series("gem", "touch", "a2M", "stock"), anon("touch"),
            series("gem", "touch", "a4K", "ours"), series("gem", "touch", "a2M", "ours", "_hugeoff"),
            series("gem", "touch", "a2M", "ours", "_hugeoff_fa1")]
    dat = datafile("first-touch", cols)
    png = f"{base}-first-touch.png"
    note = SKIP if not any_data(cols) else gnuplot_png(style + f"""
set output '{png}'
set title "make bench {line}: first touch of a fresh buffer (mmap + a write per page), GEM mmap"
set logscale xy 2
set xlabel "buffer size (MiB)"
set ylabel "MiB/s (medians)"
set xtics (2, 16, 64, 256)
set xrange [1.6:320]
plot '{dat}' u 1:2 w lp lw 2 t 'ours, 2 MiB-aligned', '' u 1:3 w lp lw 2 t 'stock vgem', \
     '' u 1:4 w lp lw 2 dt 2 t 'limit: anonymous memory with THP', '' u 1:5 w lp t 'ours, 4 KiB off the 2 MiB grid', \
     '' u 1:6 w lp t 'ours, huge_pages=0 (control)', '' u 1:7 w lp t 'ours, huge_pages=0 fault_around_pages=1 (control)'
""")
    keep(png, note)

    # 2. Steady passes: read, write, clear.
    png = f"{base}-steady.png"
    panels = []
    steady = False
    for kind in ("read", "write", "clear"):
        cols = [series("gem", kind, "a2M", "ours"), series("gem", kind, "a2M", "stock"), anon(kind),
                series("gem", kind, "a4K", "ours"), series("gem", kind, "a4K", "stock")]
        steady = steady or any_data(cols)
        dat = datafile(f"steady-{kind}", cols)
        panels.append(f"""set title "{kind} pass (MiB/s, medians)"
plot '{dat}' u 1:2 w lp lw 2 t 'ours, a2M', '' u 1:3 w lp lw 2 t 'stock, a2M', '' u 1:4 w lp dt 2 t 'limit (anon THP)', \
     '' u 1:5 w lp t 'ours, a4K', '' u 1:6 w lp t 'stock, a4K'
""")
    note = SKIP if not steady else gnuplot_png(style.replace("900,640", "1500,560") + f"""
set output '{png}'
set multiplot layout 1,3 title "make bench {line}: steady passes over a faulted-in GEM mmap"
set logscale x 2
set xtics (2, 16, 64, 256)
set xrange [1.6:320]
set xlabel "buffer size (MiB)"
set key inside bottom left font ',8'
""" + "".join(panels) + "unset multiplot\n")
    keep(png, note)

    # 3. Mapping 64 MiB for a device: time and sg entries.
    png = f"{base}-device-map.png"
    maps = [m for m in by if m.startswith("map_attachment_64M_") and not m.endswith("_sg_entries")]
    ents = [m for m in by if m.startswith("map_attachment_64M_") and m.endswith("_sg_entries")]
    if maps:
        dat_t, dat_e = f"{base}-device-map.dat", f"{base}-device-map-sg.dat"
        with open(dat_t, "w") as f:
            for m in maps:
                f.write(f'"{m[len("map_attachment_64M_"):]}" {by[m]["ours_median"]:.6g} {by[m]["stock_median"]:.6g}\n')
        with open(dat_e, "w") as f:
            for m in ents:
                f.write(f'"{m[len("map_attachment_64M_"):-len("_sg_entries")]}" {by[m]["ours_median"]:.6g} {by[m]["stock_median"]:.6g}\n')
        note = gnuplot_png(style.replace("900,640", "1400,600") + f"""
set output '{png}'
set multiplot layout 1,2 title "make bench {line}: importing a 64 MiB buffer into a device (attach + map), medians"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.6
set xtics rotate by -30
set key inside top right
set title "time to import (us, lower is better)"
plot '{dat_t}' u 2:xtic(1) t 'ours', '' u 3 t 'stock vgem'
set title "sg entries handed to edu (fewest it allows: 1024, 64 MiB over its 64 KiB segment limit)"
set yrange [0:*]
plot '{dat_e}' u 2:xtic(1) t 'ours', '' u 3 t 'stock vgem', 1024 w l dt 2 lc rgb 'black' t 'fewest allowed'
unset multiplot
""")
        keep(png, note)

    # 4. Lookup cost against live buffers.
    png = f"{base}-lookup.png"
    dat = f"{base}-lookup.dat"
    lookup = False
    with open(dat, "w") as f:
        for n in (1, 1000, 32768):
            # One buffer among one is the random case itself.
            vals = [median_of(by, f"lookup{'' if (k == '_hot' and n == 1) else k}_n{n}", side)
                    for k in ("", "_export", "_import", "_hot") for side in ("ours", "stock")]
            lookup = lookup or any(v is not None for v in vals)
            f.write(f"{n} " + " ".join("NaN" if v is None else f"{v:.6g}" for v in vals) + "\n")
    note = SKIP if not lookup else gnuplot_png(style + f"""
set output '{png}'
set title "make bench {line}: PRIME export + import of a random live buffer (medians)"
set logscale x 10
set xlabel "live buffers (each exported and imported once)"
set ylabel "microseconds"
set yrange [0:*]
set xtics (1, 1000, 32768)
set xrange [0.7:50000]
plot '{dat}' u 1:2 w lp lw 2 lc 1 t 'ours, pair', '' u 1:3 w lp lw 2 lc 2 t 'stock, pair', \
     '' u 1:4 w lp dt 2 lc 1 t 'ours, export', '' u 1:5 w lp dt 2 lc 2 t 'stock, export', \
     '' u 1:6 w lp dt 3 lc 1 t 'ours, import', '' u 1:7 w lp dt 3 lc 2 t 'stock, import', \\
     '' u 1:8 w lp dt 4 lc 1 pt 7 t 'ours, pair on one buffer (control)', '' u 1:9 w lp dt 4 lc 2 pt 7 t 'stock, pair on one buffer (control)'
""")
    keep(png, note)
    return written, notes


def commit():
    """The commit measured, with '-dirty' if the tree had changes."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    try:
        head = subprocess.run(["git", "-C", root, "rev-parse", "--short=12", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()
        # What make bench itself writes (a line published before this one)
        # does not make the measured code dirty.
        dirty = subprocess.run(["git", "-C", root, "status", "--porcelain", "--", ".",
                                ":!bench/results", ":!README.md"],
                               capture_output=True, text=True).stdout.strip()
        return head + ("-dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


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
    lims = limits(values)
    problems += [f"{r['metric']}: no paired repetition of both drivers" for r in rows if "verdict" not in r]
    problems += [f"{prog} ran but reported no {m}" for prog in sorted(PROGRAMS_RAN)
                 for m in EXPECTED.get(prog, ()) if m not in values]
    if not rows:
        problems.append("no @BENCH record at all")

    os.makedirs(outdir, exist_ok=True)
    base = os.path.join(outdir, line)
    found = [targets(rows)]
    with open(base + ".json", "w") as f:
        json.dump({"kernel": line, "ours": OURS, "stock": STOCK, "commit": commit(),
                   "ratio": "ours/stock per repetition; advantage > 1: ours better in the metric's direction",
                   "metrics": rows, "limits": lims,
                   "targets": [{"target": n, "met": m, "detail": d} for n, m, d in found[0]],
                   "problems": problems}, f, indent=1)
    text = table(line, rows, lims)
    for name, met, detail in found[0]:
        text += f"\ntarget {'met    ' if met else 'NOT met'}  {name}: {detail}"
    with open(base + ".txt", "w") as f:
        f.write(text + "\n")
    print(text)
    for old in glob.glob(base + "-*.png"):
        os.remove(old)  # never publish a chart of an earlier run
    written, notes = plots(line, rows, base) if rows else ([], ["nothing to plot"])
    print(f"bench {line}: {base}.json, {base}.txt" + "".join(", " + w for w in written))
    problems += [f"plot: {n}" for n in notes]
    for p in problems:
        print(f"bench {line}: PROBLEM: {p}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
