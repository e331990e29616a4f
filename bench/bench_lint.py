"""Benchmark: `citebrief lint` on a 100,000-word brief citing 2,000 sources vs pandoc's bare parse.

    .venv/bin/python bench/bench_lint.py [--runs N] [--words N] [--sources N]

Both sides are fresh processes run side by side (interleaved, median of N runs):
`pandoc -f markdown -t json brief.md` is the floor; target: lint ≤ 1.4 × that floor.
The inputs are generated into bench/data/ (not committed) by bench/generate.py.
The floor is pandoc with its default runtime settings; citebrief tunes the GHC runtime of its own
pandoc runs (citebrief/tools.py: READ_RTS), which makes the same parse ~25% faster in ~40 MB less.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from generate import write_inputs
from timing import median_of, print_table

from citebrief.tools import pandoc_path, pandoc_version

TARGET = 1.4
HERE = Path(__file__).parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--words", type=int, default=100_000)
    ap.add_argument("--sources", type=int, default=2_000)
    args = ap.parse_args()
    md = write_inputs(HERE / "data" / f"lint-{args.words}-{args.sources}", args.words, args.sources)
    print(f"{md}: {len(md.read_text().split()):,} words, {args.sources:,} sources; pandoc {pandoc_version()}; "
          f"median of {args.runs} runs")
    floor = "pandoc -f markdown -t json"
    commands = {
        floor: ([pandoc_path(), "-f", "markdown", "-t", "json", "-o", "/dev/null", str(md)], (0,)),
        "citebrief lint": ([sys.executable, "-m", "citebrief", "lint", "--today", "2025-12-01", str(md)], (0,)),
    }
    medians = median_of(args.runs, commands)
    print_table(medians, floor)
    ratio = medians["citebrief lint"] / medians[floor]
    print(f"lint: {ratio:.2f}× pandoc's parse (target ≤ {TARGET}×): {'PASS' if ratio <= TARGET else 'FAIL'}")
    sys.exit(0 if ratio <= TARGET else 1)


if __name__ == "__main__":
    main()
