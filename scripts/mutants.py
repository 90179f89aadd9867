#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make mutants: how well the tests fail. Applies, one at a time, each
mutation of the library listed in tests/mutants/mutants.list to a copy of the
tree, builds the modules, boots the guest of one kernel line in the boot the
mutant names, runs the test programs it names, and judges the run as make
check does. A mutant is killed when the judge fails the run; it survived when
everything passed. Each boot and program set also runs once unmutated: a
mutant whose baseline fails is not counted (invalid). Prints killed/survived
per mutant and the score, and writes build/mutants/report.txt.

The list's records are separated by blank lines; each has
    mutant:  NAME (what the mutation removes or breaks, in a few words)
    file:    a path in the tree
    find:    text found exactly once in that file ("\\n" for a newline)
    replace: what replaces it (may be empty: the text is deleted)
    boot:    main, noiommu, swiotlb, strict or pressure (default main)
    tests:   the glob of test programs that should see it (as make check's T=)
    line:    the kernel line to run it on, when not the run's (e.g. debug, for
             mutants only the KUnit suites can see)
    why:     for a known survivor, why no test can see it (an equivalence)

usage: mutants.py LINE [NAME_GLOB]
"""
import fnmatch
import os
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("PH_BUILD", os.path.join(ROOT, "build"))
OUT = os.path.join(BUILD, "mutants")
TREE = os.path.join(OUT, "tree")
MBUILD = os.path.join(OUT, "build")


def log(msg):
    print(f"[{int(time.time() - START):5d}s] mutants  {msg}", flush=True)


def parse(path):
    mutants, cur = [], {}
    for raw in open(path).read().split("\n") + [""]:
        if raw.startswith("#"):
            continue
        if not raw.strip():
            if cur:
                mutants.append(cur)
                cur = {}
            continue
        key, _, value = raw.partition(":")
        key = key.strip()
        value = value[1:] if value.startswith(" ") else value
        if key not in ("mutant", "file", "find", "replace", "boot", "tests", "line", "why"):
            sys.exit(f"{path}: unknown key '{key}' in: {raw}")
        cur[key] = value.replace("\\n", "\n").replace("\\t", "\t")
    for m in mutants:
        for key in ("mutant", "file", "find", "tests"):
            if key not in m:
                sys.exit(f"{path}: mutant {m.get('mutant', '?')} has no '{key}'")
    return mutants


def fresh_tree():
    """The tracked files of the working tree, copied once per run."""
    shutil.rmtree(TREE, ignore_errors=True)
    files = subprocess.run(["git", "-C", ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard"], check=True,
                           capture_output=True).stdout.decode().split("\0")
    for f in filter(None, files):
        if not os.path.exists(os.path.join(ROOT, f)):
            continue
        os.makedirs(os.path.dirname(os.path.join(TREE, f)), exist_ok=True)
        # New times, not the originals': an object built from a mutated
        # source of an earlier run must look older than what replaces it.
        shutil.copy(os.path.join(ROOT, f), os.path.join(TREE, f))
    # The test programs do not change with the library: the mutant build
    # uses make check's, with their recorded subtest lists.
    # And no object of an earlier run at all (one killed mid-mutant never
    # restored its source).
    for line in ("6.1", "6.12", "debug"):
        shutil.rmtree(os.path.join(MBUILD, line), ignore_errors=True)
    os.makedirs(MBUILD, exist_ok=True)
    link = os.path.join(MBUILD, "tests")
    if not os.path.islink(link):
        shutil.rmtree(link, ignore_errors=True)
        os.symlink(os.path.join(BUILD, "tests"), link)


def run(cmd, env, logfile):
    with open(logfile, "a") as f:
        return subprocess.run(cmd, env=env, stdout=f, stderr=subprocess.STDOUT).returncode


BASELINES = {}


def baseline(m, line):
    """The same boot and programs on the unmutated library must pass, or a
    failure under the mutant says nothing about the mutant."""
    key = (m.get("line", line), m.get("boot", "main"), m["tests"])
    if key not in BASELINES:
        log(f"    baseline: {key[2]} in the {key[1]} boot of {key[0]}, unmutated")
        BASELINES[key] = try_mutant(dict(m, mutant="baseline", find="", replace=""), line,
                                    mutate=False)
    return BASELINES[key]


def try_mutant(m, line, mutate=True):
    line = m.get("line", line)
    path = os.path.join(TREE, m["file"])
    original = open(os.path.join(ROOT, m["file"])).read()
    if mutate and original.count(m["find"]) != 1:
        return "stale", f"'find' text occurs {original.count(m['find'])} times in {m['file']}"
    with open(path, "w") as f:
        f.write(original.replace(m["find"], m.get("replace", "")) if mutate else original)
    # A mutant often hangs its guest: shorter limits than make check's
    # (the slowest 6.1 program takes ~90 s).
    env = dict(os.environ, PH_BUILD=MBUILD, PH_NO_MESA="1", PH_BOOT=m.get("boot", "main"),
               PH_IDLE_TIMEOUT="700" if line == "debug" else "200")
    logfile = os.path.join(OUT, f"{m['mutant']}.log")
    open(logfile, "w").close()
    try:
        if run(["bash", os.path.join(TREE, "scripts/build-modules.sh"), line], env, logfile):
            return "build", f"does not build: see {logfile}"
        if run(["bash", os.path.join(TREE, "scripts/mkinitramfs.sh"), line], env, logfile):
            return "error", f"initramfs failed: see {logfile}"
        rundir = os.path.join(OUT, "run")
        if line == "debug" and run(["bash", os.path.join(TREE, "scripts/build-debug-kernel.sh")],
                                   env, logfile):
            return "error", f"no debug kernel: see {logfile}"
        run(["bash", os.path.join(TREE, "scripts/run-guest.sh"), line, rundir, "check", m["tests"],
             "600" if line == "debug" else "180"], env, logfile)
        verdict = subprocess.run(["python3", os.path.join(TREE, "scripts/judge.py"), line, rundir,
                                  os.path.join(OUT, "result.json"), "--expect-fail"],
                                 capture_output=True, text=True)
        with open(logfile, "a") as f:
            f.write(verdict.stdout)
        if verdict.returncode:
            first = next((l[5:] for l in verdict.stdout.splitlines() if l.startswith("FAIL ")), "")
            return "killed", first
        return "survived", verdict.stdout.strip().splitlines()[-1]
    finally:
        with open(path, "w") as f:
            f.write(original)


def check_list():
    """make lint: every mutant's 'find' text occurs exactly once in its file,
    so that no mutant goes stale unnoticed until the next make mutants."""
    stale = []
    for m in parse(os.path.join(ROOT, "tests/mutants/mutants.list")):
        n = open(os.path.join(ROOT, m["file"])).read().count(m["find"])
        if n != 1:
            stale.append(f"{m['mutant']}: its 'find' text occurs {n} times in {m['file']}")
    for s in stale:
        print(f"mutants: {s}")
    if stale:
        print("next: update tests/mutants/mutants.list to the code it mutates")
    return 1 if stale else 0


def main():
    global START
    if sys.argv[1:] == ["--check-list"]:
        return check_list()
    START = time.time()
    line = sys.argv[1] if len(sys.argv) > 1 else "6.1"
    pattern = sys.argv[2] if len(sys.argv) > 2 and sys.argv[2] else "*"
    # M= is a glob, or several separated by commas (as make check's T=).
    mutants = [m for m in parse(os.path.join(ROOT, "tests/mutants/mutants.list"))
               if any(fnmatch.fnmatch(m["mutant"], p) for p in pattern.split(","))]
    if not mutants:
        sys.exit(f"no mutant matches '{pattern}'")
    os.makedirs(OUT, exist_ok=True)
    fresh_tree()
    results = []
    for i, m in enumerate(mutants, 1):
        log(f"{i}/{len(mutants)} {m['mutant']} ({m['file'].split('/')[-1]}, boot {m.get('boot', 'main')},"
            f" tests {m['tests']})")
        t0 = time.time()
        base, base_detail = baseline(m, line)
        if base != "survived":
            verdict, detail = "invalid", f"fails unmutated too ({base}: {base_detail})"
        else:
            verdict, detail = try_mutant(m, line)
        results.append((m, verdict, detail, time.time() - t0))
        log(f"    {verdict.upper()}: {detail}")
    killed = sum(1 for _, v, _, _ in results if v == "killed")
    survived = [(m, d) for m, v, d, _ in results if v == "survived"]
    broken = [(m, v, d) for m, v, d, _ in results if v not in ("killed", "survived")]
    valid = killed + len(survived)
    lines = [f"make mutants on {line}: {killed} killed, {len(survived)} survived,"
             f" {len(broken)} not counted (invalid: the unmutated run fails too; stale, build or error),"
             f" in {int(time.time() - START)} s"]
    lines += [f"  {v:8s} {m['mutant']:48s} {int(t):4d} s  {d}" for m, v, d, t in results]
    if survived:
        lines.append("survivors:")
        lines += [f"  {m['mutant']}: {m.get('why', 'no reason recorded: a test is missing')}"
                  for m, _ in survived]
    lines.append(f"mutation score: {killed}/{valid} killed"
                 f" ({100.0 * killed / valid if valid else 0:.0f}%)")
    report = "\n".join(lines)
    print(report)
    with open(os.path.join(OUT, "report.txt"), "w") as f:
        f.write(report + "\n")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
