"""Benchmark: `citebrief compile --pdf --docx --html` on a 100,000-word brief citing 2,000 sources.

    .venv/bin/python bench/bench_compile.py [--runs N] [--words N] [--sources N]

Side by side (fresh processes, interleaved, median of N runs):
  floor   one bare `pandoc --citeproc -t json` of the brief
  naive   three separate `pandoc --citeproc` runs (html, docx, typst) plus typst → PDF, one after another
  full    `citebrief compile --pdf --docx --html --force` (lint gate included)
  cached  `citebrief compile --pdf --docx --html` with nothing changed
Targets: full ≤ 2.0 × floor, full ≤ 0.5 × naive, cached ≤ 0.05 × full.
floor and naive run pandoc with its default GHC runtime settings; citebrief sets GHCRTS for its own
pandoc runs (citebrief/tools.py: PANDOC_RTS), so its citeproc pass alone is ~10% under the floor.
On 2 cores the PDF chain sets the pace: citeproc → prepare → typst writer (pieces on both cores) →
typst (~3.5 s here, half of it the second layout pass that linked citations need).
The inputs are generated into bench/data/ (not committed) by bench/generate.py.
"""

from __future__ import annotations

import argparse
import os
import sys

from generate import write_project
from timing import median_of, print_table

from citebrief.tools import pandoc_path, pandoc_version

NAIVE = """
import subprocess, sys, typst
pandoc, md, bib, out = sys.argv[1:5]
base = [pandoc, md, "--citeproc", "--bibliography", bib, "-M", "link-citations=true", "-s"]
subprocess.run(base + ["-t", "html5", "-o", out + "/naive.html"], check=True)
subprocess.run(base + ["-t", "docx", "-o", out + "/naive.docx"], check=True)
typ = subprocess.run(base + ["-t", "typst-citations"], check=True, capture_output=True).stdout
open(out + "/naive.pdf", "wb").write(typst.compile(typ, root="/"))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--words", type=int, default=100_000)
    ap.add_argument("--sources", type=int, default=2_000)
    args = ap.parse_args()
    md = write_project(args.words, args.sources)
    data, bib = md.parent, md.parent / "references.bib"
    (data / "naive").mkdir(exist_ok=True)
    print(f"{md}: {len(md.read_text().split()):,} words, {args.sources:,} sources; pandoc {pandoc_version()}; "
          f"{os.cpu_count()} cores; median of {args.runs} runs")
    citebrief = [sys.executable, "-m", "citebrief", "compile", "--pdf", "--docx", "--html", "--quiet", str(md)]
    os.chdir(data)
    floor, naive, full, cached = ("pandoc --citeproc -t json", "naive: 3 × pandoc --citeproc + typst",
                                  "citebrief compile --force", "citebrief compile (unchanged)")
    medians = median_of(args.runs, {
        floor: ([pandoc_path(), str(md), "--citeproc", "--bibliography", str(bib), "-t", "json",
                 "-o", os.devnull], (0,)),
        naive: ([sys.executable, "-c", NAIVE, pandoc_path(), str(md), str(bib), str(data / "naive")], (0,)),
        full: ([*citebrief, "--force"], (0,)),
        cached: (citebrief, (0,)),
    })
    print_table(medians, floor)
    ratios = {
        "full / citeproc pass  (target ≤ 2.00)": (medians[full] / medians[floor], 2.0),
        "full / naive route    (target ≤ 0.50)": (medians[full] / medians[naive], 0.5),
        "unchanged / full      (target ≤ 0.05)": (medians[cached] / medians[full], 0.05),
    }
    for name, (ratio, target) in ratios.items():
        print(f"{name}: {ratio:.3f}  {'ok' if ratio <= target else 'MISSED'}")


if __name__ == "__main__":
    main()
