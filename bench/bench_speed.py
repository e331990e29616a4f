"""Benchmark: citebrief against pandoc itself, the five rows of the speed goals, side by side in one run.

    .venv/bin/python bench/bench_speed.py [--runs 5]

| case | goal |
| --- | --- |
| lint of a real 36k-word manuscript (bench/real/) / `pandoc -f markdown -t json` of it | ≤ 1.2 |
| lint of the 100k-word generated brief / the same bare parse | ≤ 1.0 |
| compile of all three formats of the 100k-word brief / one `pandoc --citeproc -t json` | ≤ 2.0 |
| `compile --force` of the flagship (all three) / one `pandoc --citeproc -s` to HTML | ≤ 3.5 |
| peak memory of lint of the 100k-word brief / peak of pandoc's parse | ≤ 1.2 |

Beside each timed row: the median CPU time (user + system) of each side's whole process tree, and
citebrief's CPU floor, the ratio it would reach if that CPU time were spread perfectly over every
core: (citebrief's CPU / cores) / pandoc's wall time. A goal below the floor cannot be met by better
scheduling; only by less work per run (or more cores). On two cores, compiling the 100k-word brief
needs about 27 s of CPU: pandoc's citeproc pass and its three writers (each reads the 6 MB AST),
typst (one thread) and citebrief's own checks and transforms.

Every command is a fresh process; the commands of a row alternate run by run (interleaved, so drifting
load on this shared machine hits both sides alike) and each row reports the median of ``--runs``.
Peak memory is the largest total memory of a command's whole process tree (citebrief and the pandoc
processes it starts), sampled every 5 ms from /proc: PSS, which counts the pandoc binary's shared pages
once however many pandoc processes map them, and beside it RSS summed, which counts them per process.
pandoc is run with its default runtime settings; citebrief tunes the GHC runtime of its own pandoc
runs (citebrief/tools.py).
The 100k-word brief is generated into bench/data/ (bench/generate.py); the real manuscript is
committed in bench/real/ (its README gives its source and licence).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from generate import write_project
from timing import median_of

from citebrief.tools import pandoc_path, pandoc_version

HERE = Path(__file__).parent
ROOT = HERE.parent
GOALS = {"lint-real": 1.2, "lint-100k": 1.0, "compile-100k": 2.0, "compile-flagship": 3.5, "memory": 1.2}


def peak_memory(cmd: list[str], cwd: Path | None = None) -> tuple[int, int]:
    """(PSS, RSS): the largest total of ``cmd`` and all its descendants at any moment, in bytes.

    PSS (proportional set size) counts a page shared by n processes as 1/n in each: two pandoc
    processes map the same 160 MB binary, of which about 100 MB is resident, and the machine holds it
    once. RSS summed counts it once per process; it is reported too, beside it."""
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak_pss = peak_rss = 0

    def tree(pid: int) -> list[int]:
        pids, i = [pid], 0
        while i < len(pids):
            try:
                for task in os.listdir(f"/proc/{pids[i]}/task"):
                    with open(f"/proc/{pids[i]}/task/{task}/children") as f:
                        pids += [int(p) for p in f.read().split()]
            except OSError:
                pass
            i += 1
        return pids

    def sizes(pid: int) -> tuple[int, int]:
        pss = rss = 0
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith(("Pss:", "Rss:")):
                        kb = int(line.split()[1]) * 1024
                        if line[0:3] == "Pss":
                            pss = kb
                        else:
                            rss = kb
        except (OSError, IndexError, ValueError):
            pass
        return pss, rss

    done = threading.Event()

    def sample():
        nonlocal peak_pss, peak_rss
        while not done.is_set():
            both = [sizes(p) for p in tree(proc.pid)]
            peak_pss = max(peak_pss, sum(p for p, _ in both))
            peak_rss = max(peak_rss, sum(r for _, r in both))
            time.sleep(0.005)

    sampler = threading.Thread(target=sample)
    sampler.start()
    proc.wait()
    done.set()
    sampler.join()
    return peak_pss, peak_rss


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    pandoc, py = pandoc_path(), sys.executable
    md100 = write_project(100_000, 2_000)
    data = md100.parent
    real = HERE / "real" / "deep-review.md"
    flagship, flagship_bib = ROOT / "manuscript" / "ice-287g.md", ROOT / "references.bib"
    print(f"pandoc {pandoc_version()}, {os.cpu_count()} cores, median of {args.runs} alternating runs\n")

    lint = [py, "-m", "citebrief", "lint", "--today", "2025-12-01"]
    compile_all = [py, "-m", "citebrief", "compile", "--pdf", "--docx", "--html", "--force", "--quiet"]
    rows = {
        "lint-real": ("lint of the real 36k-word manuscript", {
            "pandoc -f markdown -t json": ([pandoc, "-f", "markdown", "-t", "json", "-o", os.devnull, str(real)],
                                           (0,)),
            "citebrief lint": ([*lint, str(real)], (0, 1)),
        }),
        "lint-100k": ("lint of the 100k-word brief", {
            "pandoc -f markdown -t json": ([pandoc, "-f", "markdown", "-t", "json", "-o", os.devnull, str(md100)],
                                           (0,)),
            "citebrief lint": ([*lint, str(md100)], (0, 1)),
        }),
        "compile-100k": ("compile of all three formats, 100k words", {
            "pandoc --citeproc -t json": ([pandoc, str(md100), "--citeproc", "--bibliography",
                                           str(data / "references.bib"), "-t", "json", "-o", os.devnull], (0,)),
            "citebrief compile --force": ([*compile_all, str(md100)], (0,)),
        }),
        "compile-flagship": ("compile --force of the flagship, all three", {
            "pandoc --citeproc -s -t html": ([pandoc, str(flagship), "--citeproc", "--bibliography",
                                              str(flagship_bib), "-s", "-t", "html", "-o", os.devnull], (0,)),
            "citebrief compile --force": ([*compile_all, str(flagship)], (0,)),
        }),
    }
    results = {}
    cpu_floor = {}
    cores = os.cpu_count() or 1
    for name, (title, commands) in rows.items():
        cwd = data if name == "compile-100k" else ROOT
        os.chdir(cwd)
        cpu: dict[str, float] = {}
        medians = median_of(args.runs, commands, cpu)
        floor, ours = list(medians.values())
        cpu_pandoc, cpu_ours = list(cpu.values())
        results[name] = (title, floor, ours, ours / floor)
        cpu_floor[name] = (cpu_pandoc, cpu_ours, cpu_ours / cores / floor)
    os.chdir(ROOT)
    mem_pandoc, mem_lint = [], []
    for _ in range(args.runs):              # alternating, as the timings
        mem_pandoc.append(peak_memory([pandoc, "-f", "markdown", "-t", "json", "-o", os.devnull, str(md100)]))
        mem_lint.append(peak_memory([*lint, str(md100)]))
    for i, (name, title) in enumerate((("memory", "peak memory of lint, 100k words (PSS, MB)"),
                                       ("memory-rss", "the same, RSS summed over processes (MB)"))):
        mp, ml = statistics.median(m[i] for m in mem_pandoc), statistics.median(m[i] for m in mem_lint)
        results[name] = (title, mp / 1e6, ml / 1e6, ml / mp)

    print("| case | pandoc | citebrief | ratio | goal | CPU: pandoc | CPU: citebrief | CPU floor |\n"
          "| --- | --- | --- | --- | --- | --- | --- | --- |")
    missed = 0
    for name, (title, floor, ours, ratio) in results.items():
        unit = "" if name.startswith("memory") else " s"
        cpu_cells = " | | |"
        if name in cpu_floor:
            cpu_pandoc, cpu_ours, lowest = cpu_floor[name]
            cpu_cells = f" {cpu_pandoc:.3f} s | {cpu_ours:.3f} s | {lowest:.2f} |"
        if name not in GOALS:               # shown for comparison, no goal
            print(f"| {title} | {floor:.3f} | {ours:.3f} | {ratio:.2f} | (none) |{cpu_cells}")
            continue
        ok = ratio <= GOALS[name]
        missed += not ok
        goal = f"≤ {GOALS[name]} {'ok' if ok else 'MISSED'}"
        print(f"| {title} | {floor:.3f}{unit} | {ours:.3f}{unit} | {ratio:.2f} | {goal} |{cpu_cells}")
    sys.exit(1 if missed else 0)


if __name__ == "__main__":
    main()
