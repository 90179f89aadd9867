#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Judge one guest run: subtest results plus the kernel's own verdict.

Reads OUTDIR/records.log (the guest's record channel), console.log, status and
expected (written by run-guest.sh). Every subtest is a result; so is each
guest-level check (boot, module load/unload, clean kernel log, taint,
kmemleak, no hang). It fails closed: every subtest in `expected` (the
programs' --list-subtests, recorded at build time) without a result fails,
as does a result nobody listed, and missing files fail the run. Prints
failures with what to do next, writes a JSON file, and exits 1 if anything
failed.

usage: judge.py LINE OUTDIR JSON_OUT [--expect-fail]
"""
import json
import os
import re
import sys

# Work counters a test program prints on its own line of output,
# "@count NAME VALUE" (fault-injection points, stress iterations, fuzzer
# calls): summed per name into the results JSON, and by check.sh across runs.
COUNT_LINE = re.compile(r"@count ([a-z_]+) (\d+)\s*$")

# Kernel log lines that fail a run, whatever the tests said.
BAD_LOG = [
    (re.compile(r"WARNING:"), "kernel WARN"),
    (re.compile(r"BUG: KFENCE"), "KFENCE report"),
    (re.compile(r"BUG: KASAN"), "KASAN report"),
    (re.compile(r"\bBUG:"), "kernel BUG"),
    (re.compile(r"\bOops\b"), "oops"),
    (re.compile(r"general protection"), "general protection fault"),
    (re.compile(r"Kernel panic"), "panic"),
    (re.compile(r"possible circular locking"), "lockdep: circular locking"),
    (re.compile(r"inconsistent lock state"), "lockdep: inconsistent lock state"),
    (re.compile(r"possible recursive locking"), "lockdep: recursive locking"),
    (re.compile(r"turning off the locking correctness validator"), "lockdep turned itself off"),
    (re.compile(r"kmemleak: \d+ new suspected memory leaks"), "kmemleak report"),
    (re.compile(r"refcount_t:"), "refcount_t warning"),
    (re.compile(r"list_(add|del) corruption"), "list corruption"),
    (re.compile(r"UBSAN:"), "UBSAN report"),
    (re.compile(r"blocked for more than \d+ seconds"), "hung task"),
    (re.compile(r"DMAR: (DRHD: handling fault|\[DMA (Read|Write))"), "DMAR (IOMMU) fault"),
    (re.compile(r"VM_FAULT_OOM leaked out"), "a fault handler leaked VM_FAULT_OOM"),
    (re.compile(r"sleeping function called from invalid context"), "sleep in atomic context"),
    # "DMA-API: DRIVER DEVICE: what went wrong" (dma-debug's err_printk),
    # not its informational lines ("DMA-API: preallocated ... entries").
    (re.compile(r"DMA-API: \S+ \S+: "), "DMA-API debug report"),
    (re.compile(r"\bbad pmd\b"), "bad page-table entry"),
    (re.compile(r"kernel BUG at"), "kernel BUG"),
    (re.compile(r"Bad page (state|map)"), "bad page"),
    (re.compile(r"ODEBUG: "), "debug-objects report"),
    (re.compile(r"detected stalls? on CPUs?/tasks|rcu_.*self-detected stall"), "RCU stall"),
    (re.compile(r"soft lockup|hard LOCKUP"), "lockup"),
    (re.compile(r"Fixing recursive fault"), "a fault in a fault: the guest kernel died"),
    (re.compile(r"Out of memory: Killed process|invoked oom-killer"), "OOM killer"),
]
# KCSAN reports: a data race fails the run when one of the two racing
# functions, which KCSAN names in the report's title, is ours (one of our
# modules, the KUnit suites' included, with or without a build id). A race
# between two kernel functions is listed as a note, marked when our code is
# among the callers (e.g. RCU's own flags racing under a cond_resched() of
# ours): it is worth a look, but the racing code is not ours to annotate.
# Known blind spot: a race inside a kernel function that our code reached by
# a tail call has no frame of ours at all.
KCSAN_REPORT = re.compile(r"BUG: KCSAN: ")
INTERLEAVED_REPORT = re.compile(r"WARNING:|BUG:|possible circular locking|existing dependency chain|is trying to acquire|already holding")
OUR_FRAME = re.compile(r"\[(prime_helpers(_kunit)?|ph_vgem|ph_edu|ph_selftest_\w+)( [0-9a-f]+)?\]")


def kcsan_reports(lines):
    """(title, ours, reached) for each KCSAN report in the kernel lines: ours
    when a racing function named in the title is ours, reached when a frame
    of ours is among the callers. A report's frames run from its BUG line to
    the line naming the reporting CPU."""
    reports, cur = [], None
    for l in lines:
        text = KERNEL_CONSOLE_LINE.sub("", l).strip()
        if KCSAN_REPORT.search(text):
            title = text.split("BUG: ", 1)[1]
            cur = [title, bool(OUR_FRAME.search(title)), False]
            reports.append(cur)
        elif cur is not None:
            # The frames end where KCSAN names the reporting CPU; another
            # CPU's report (a lockdep splat) may interleave its lines with
            # this one's, and its frames are not this race's.
            if text.startswith("==========") or text.startswith("Reported by Kernel Concurrency Sanitizer") \
                    or INTERLEAVED_REPORT.search(text):
                cur = None
            elif OUR_FRAME.search(text):
                cur[2] = True
    return reports


# A kernel line on the console: printk's timestamp (PRINTK_TIME on every line
# we boot). Program output shares the console and is not scanned.
KERNEL_CONSOLE_LINE = re.compile(r"^\[\s*\d+\.\d+\] ")
# Taint flags allowed: O (out-of-tree module, 4096), E (unsigned module, 8192)
# and N (a KUnit test module was loaded, 262144: our suites, on the debug line).
ALLOWED_TAINT = 4096 | 8192 | 262144
TAINT_LETTERS = "PFSRMBUDAWCIOELKXTN"


def main():
    line, outdir, json_out = sys.argv[1:4]
    expect_fail = "--expect-fail" in sys.argv
    missing = [f for f in ("records.log", "console.log", "status", "expected")
               if not os.path.isfile(f"{outdir}/{f}")]
    if missing:
        return judge_nothing(line, json_out, f"{outdir} has no {', '.join(missing)}: run-guest.sh did not"
                             " finish the boot (see its messages above)")
    records = open(f"{outdir}/records.log", errors="replace").read().splitlines()
    expected = [e for e in open(f"{outdir}/expected").read().splitlines() if e]
    try:  # verdicts the host added while the guest ran (screen checks)
        host_records = open(f"{outdir}/host-records.log").read().splitlines()
    except OSError:
        host_records = []
    details = {}
    for r in host_records:
        f = r.split(" ", 3)
        if f[0] == "@DETAIL" and len(f) == 4:
            details[f"{f[1]}/{f[2]}"] = f[3]
    console = open(f"{outdir}/console.log", errors="replace").read().splitlines()
    try:
        status, wall = open(f"{outdir}/status").read().split()
    except (OSError, ValueError):
        status, wall = "unknown", "0"

    results = []  # (name, result, detail)
    notes = []  # what the run showed that is not a verdict

    def add(name, ok, detail=""):
        results.append((name, "pass" if ok else "fail", detail))

    begun = any(r.startswith("@BEGIN") for r in records)
    ended = any(r.startswith("@END") for r in records)
    dmesg = [r[len("@DMESG "):] for r in records if r.startswith("@DMESG ")]

    add("guest/boot", begun, "" if begun else "the guest never reached /init")
    load_fail = [r for r in records if r.startswith("@LOAD fail")]
    add("guest/modules-load", begun and not load_fail, "; ".join(load_fail))

    started, exits = [], {}
    for r in records:
        f = r.split(" ", 3)
        if f[0] == "@START":
            started.append(f[1])
        elif f[0] == "@EXIT":
            exits[f[1]] = int(f[2])
        elif f[0] == "@RESULT" and len(f) == 4:
            res = {"SUCCESS": "pass", "SKIP": "skip"}.get(f[3], "fail")
            results.append((f"{f[1]}/{f[2]}", res, ""))
    for r in host_records:
        f = r.split(" ", 3)
        if f[0] == "@RESULT" and len(f) == 4:
            res = "pass" if f[3] == "SUCCESS" else "fail"
            results.append((f"{f[1]}/{f[2]}", res, details.get(f"{f[1]}/{f[2]}", "")))
    for r in records:
        f = r.split()
        if f and f[0] == "@SCREEN" and len(f) >= 3 and not any(
                n == f"{f[1]}/screen-{f[2]}" for n, _, _ in results):
            add(f"{f[1]}/screen-{f[2]}", False, "the host gave no verdict for this screen check")
    # Fail closed: what was listed must report, and only what was listed.
    listed_progs = {e.split("/", 1)[0] for e in expected}
    reported = {n for n, _, _ in results}
    for e in expected:
        if e in reported:
            continue
        prog = e.split("/", 1)[0]
        rc = exits.get(prog)
        why = ("the program never started" if prog not in started else
               "the guest died or hung while it ran" if rc is None else
               "killed by the per-program timeout" if rc == 137 else
               f"the program exited with status {rc} before this subtest reported"
               " (a crash, an exit or a return inside a subtest)")
        add(e, False, f"listed by {prog} --list-subtests but no result: {why}")
    for r in records:
        f = r.split(" ", 3)
        # IGT's dynamic subtests, "parent@child": listed through their parent.
        if f[0] == "@RESULT" and len(f) == 4 and f"{f[1]}/{f[2].split('@')[0]}" not in expected:
            add(f"{f[1]}/{f[2]}/(unlisted)", False,
                f"a result for a subtest that {f[1]} --list-subtests does not list"
                if f[1] in listed_progs else f"{f[1]} was not expected to run in this boot")
    for prog in started:
        rc = exits.get(prog)
        failed_sub = any(n.startswith(prog + "/") and r == "fail" for n, r, _ in results)
        if rc is None:
            add(f"{prog}/(ran-to-end)", False, "the guest died or hung while it ran")
        elif rc == 137:
            add(f"{prog}/(timeout)", False, "killed by the per-program timeout")
        elif rc not in (0, 77) and not failed_sub:
            add(f"{prog}/(exit-status)", False, f"exited with status {rc} without a failed subtest")

    for r in records:
        f = r.split(" ", 2)
        if f[0] == "@SELECTED" and f[1] == "0":
            add("guest/tests-selected", False, f"no test program matches '{f[2]}'")

    add("guest/completed", ended and status == "finished",
        "" if ended else f"guest {'hung and was killed' if status == 'hung' else 'died (a fault in a fault) and was killed' if status == 'crashed' else 'stopped early'}"
        f" after {wall} s")

    # The console and dmesg together: the ring buffer may have wrapped, and a
    # guest that died never sent its dmesg; a line in both is reported once.
    bad, seen = [], set()
    kernel_lines = dmesg + [l for l in console if KERNEL_CONSOLE_LINE.match(l)]
    for l in kernel_lines:
        text = KERNEL_CONSOLE_LINE.sub("", l).strip()
        if KCSAN_REPORT.search(text):
            continue  # judged below, by whose code is in the report
        for rx, what in BAD_LOG:
            if rx.search(l) and text not in seen:
                seen.add(text)
                bad.append(f"{what}: {l.strip()}")
                break
    add("guest/kernel-log-clean", not bad, "\n".join(bad[:20]))

    taint = [int(r.split()[1]) for r in records if r.startswith("@TAINT")]
    if taint:
        t = taint[0] & ~ALLOWED_TAINT
        letters = "".join(c for i, c in enumerate(TAINT_LETTERS) if t & (1 << i))
        add("guest/taint", t == 0, f"kernel tainted {taint[0]} (unexpected flags: {letters})" if t else "")
    else:
        add("guest/taint", False, "no taint record: the guest did not finish")

    lockdep = [r.split()[1] for r in records if r.startswith("@LOCKDEP ") and len(r.split()) > 1]
    if lockdep:
        add("guest/lockdep-active", lockdep[0] == "1",
            "lockdep turned itself off during the run (debug_locks: 0): see the log for its first report")

    dma_api = [r.split()[1:] for r in records if r.startswith("@DMAAPI ")]
    if dma_api and len(dma_api[0]) == 2:
        errors, disabled = dma_api[0]
        add("guest/dma-api-debug", errors == "0" and disabled in ("N", "0"),
            f"DMA-API debug counted {errors} errors (the log shows them)" if errors != "0" else
            "DMA-API debug switched itself off during the run (out of entries?): the rest went unchecked")
    elif line.startswith(("debug", "kcsan")):
        add("guest/dma-api-debug", False, "no DMA-API debug record: the guest did not finish, or the kernel lacks CONFIG_DMA_API_DEBUG")

    kcsan = [r.split()[1:] for r in records if r.startswith("@KCSAN")]
    if kcsan or line.startswith("kcsan"):
        stats = dict(kv.split("=", 1) for kv in (kcsan[0] if kcsan else []) if "=" in kv)
        add("guest/kcsan-watching", stats.get("enabled") == "1" and int(stats.get("setup_watchpoints", "0")) > 0,
            f"KCSAN was not watching (its counters: {' '.join(kcsan[0]) if kcsan else 'none: the guest did not finish'})")
        # Console and dmesg both: the ring buffer may have lost early reports,
        # the console may have lost a guest that died; a title ours in
        # either is ours.
        reports = (kcsan_reports(dmesg) +
                   kcsan_reports([l for l in console if KERNEL_CONSOLE_LINE.match(l)]))
        ours = sorted({t for t, o, _ in reports if o})
        reached = sorted({t for t, o, r in reports if r and not o} - set(ours))
        foreign = sorted({t for t, o, r in reports if not o and not r} - set(ours) - set(reached))
        add("guest/kcsan-our-code", not ours,
            f"{len(ours)} data races with our code in them:\n" + "\n".join(ours[:20]))
        notes.extend(f"KCSAN, in kernel code reached from ours: {t}" for t in reached)
        notes.extend(f"KCSAN, outside our code: {t}" for t in foreign)
        # Races counted but none read from the log: the reports went
        # unparsed (a format change, a lost log), so nothing was judged.
        # KCSAN's data_races also counts what it never prints: a watchpoint
        # found after its watcher had already left or by a second finder
        # (report_races) and a watchpoint whose address only collided in
        # the encoding (encoding_false_positives, discarded by the reporter;
        # kernel/kcsan/core.c and report.c), so only the rest must show.
        def counter(name):
            return int(stats.get(name, "0") or 0)
        races = counter("data_races")
        printable = races - counter("report_races") - counter("encoding_false_positives")
        if races and not reports and printable <= 0:
            notes.append(f"KCSAN counted {races} data races and printed none, as it does for those two"
                         f" kinds (counters: {' '.join(kcsan[0])})")
        add("guest/kcsan-reports-read", printable <= 0 or reports,
            f"KCSAN counted {races} data races, {printable} of them with a report to print"
            f" (counters: {' '.join(kcsan[0]) if kcsan else 'none'}), but no report was found in the"
            " console or dmesg: check the report format against KCSAN_REPORT in scripts/judge.py")

    unload = [r for r in records if r.startswith("@UNLOAD")]
    add("guest/modules-unload", unload and all(r.startswith("@UNLOAD ok") for r in unload),
        "; ".join(r for r in unload if not r.startswith("@UNLOAD ok")) or
        ("" if unload else "the guest did not reach module unload"))

    leaks = [r[len("@KMEMLEAK "):] for r in records if r.startswith("@KMEMLEAK ")]
    if line.startswith(("debug", "kcsan")):
        n = sum(1 for l in leaks if l.startswith("unreferenced object"))
        add("guest/kmemleak", ended and n == 0, f"{n} leaked objects:\n" + "\n".join(leaks[:40]) if n else "")

    counts = {}
    for prog in started:
        for l in program_output(console, prog):
            m = COUNT_LINE.search(l)
            if m:
                counts[m.group(1)] = counts.get(m.group(1), 0) + int(m.group(2))

    passed = sum(1 for _, r, _ in results if r == "pass")
    failed = sum(1 for _, r, _ in results if r == "fail")
    skipped = sum(1 for _, r, _ in results if r == "skip")

    with open(json_out, "w") as f:
        json.dump({"kernel": line, "status": status, "wall_seconds": int(wall),
                   "passed": passed, "failed": failed, "skipped": skipped,
                   "counts": counts, "notes": notes,
                   "results": [{"name": n, "result": r, "detail": d} for n, r, d in results]},
                  f, indent=1)

    for name, res, detail in results:
        if res != "fail":
            continue
        print(f"FAIL {line}: {name}")
        if detail:
            print("     " + detail.replace("\n", "\n     "))
        prog = name.split("/")[0]
        if not prog.startswith("guest"):
            out = program_output(console, prog)
            if out:
                print("     --- output of " + prog + " (last 25 lines) ---")
                for l in out[-25:]:
                    print("     | " + l)
    if failed and not expect_fail:
        tail = console[-30:] if not ended else []
        if tail:
            print(f"     --- last console lines of the {line} guest ---")
            for l in tail:
                print("     | " + l)
        print(f"next: rerun with 'make check KERNEL={line.split('-')[0]} T=<program>'; full logs in {outdir}/"
              f" (console.log, records.log); 'make shell KERNEL={line}' gives a guest shell")
    for n in notes[:20]:
        print(f"note {line}: {n}")
    print(f"{line}: {passed} passed, {failed} failed, {skipped} skipped ({wall} s)")
    return 1 if failed else 0


def judge_nothing(line, json_out, why):
    """A run that left nothing to judge is one failure, never a pass."""
    with open(json_out, "w") as f:
        json.dump({"kernel": line, "status": "missing", "wall_seconds": 0, "passed": 0, "failed": 1,
                   "skipped": 0, "counts": {},
                   "results": [{"name": "guest/run-files", "result": "fail", "detail": why}]}, f, indent=1)
    print(f"FAIL {line}: guest/run-files\n     {why}")
    print(f"next: rerun with 'make check KERNEL={line.split('-')[0]}'")
    print(f"{line}: 0 passed, 1 failed, 0 skipped (0 s)")
    return 1


def program_output(console, prog):
    out, inside = [], False
    for l in console:
        if l.startswith("guest: running "):
            inside = l.split()[-1] == prog
            continue
        if inside:
            out.append(l)
    return out


if __name__ == "__main__":
    sys.exit(main())
