"""Benchmark: what the evidence rules add to `citebrief lint` of the 100,000-word brief.

    .venv/bin/python bench/bench_evidence.py [--runs N] [--words N] [--sources N] [--file-field]

The generated brief (bench/generate.py) gets quotations and figures: a third of its sentences quote
four of their own words, a quarter state a figure, and one in fifty of each is wrong. Every source
gets a snapshot, sources/src<i>.txt: the sentences that cite it, plus about 400 words of other text;
with --file-field each entry names it in a BibLaTeX ``file`` field (JabRef/Zotero's form) instead.
The same brief and bibliography are linted twice, side by side (fresh processes, interleaved,
median of N runs): in a folder without sources/ (the evidence rules find no snapshots and stop) and
in one with it. Target: the snapshots add at most 0.3x to lint.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import sys
from pathlib import Path

from generate import WORDS, write_inputs
from timing import median_of, print_table

TARGET = 0.3
HERE = Path(__file__).parent


class Decorator:
    """Adds quotes and figures to the brief's sentences and remembers what each source says."""

    def __init__(self, seed: int = 11):
        self.rng = random.Random(seed)
        self.said: dict[str, list[str]] = {}
        self.n = 0

    def __call__(self, sentence: str, key: str) -> str:
        self.n += 1
        words = sentence.split()
        source_words = list(words)
        if self.n % 3 == 0 and len(words) > 8:
            quoted = words[2:6]
            if self.n % 150 == 0:                       # one in fifty quotes is a misquote
                source_words[3] = "different"
            words = words[:2] + ['"' + " ".join(quoted) + '"'] + words[6:]
        if self.n % 4 == 0:
            figure = f"{self.rng.randint(2, 99)},{self.rng.randint(100, 999)}"
            stated = figure if self.n % 200 else figure.replace(",", ",0")[:-1]   # one in fifty is wrong
            words += ["with", figure, "agreements"]
            source_words += ["with", stated, "agreements"]
        self.said.setdefault(key, []).append(" ".join(source_words) + ".")
        return " ".join(words)

    def write_snapshots(self, folder: Path, sources: int) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        rng = random.Random(5)
        for i in range(sources):
            filler = [" ".join(rng.choice(WORDS) for _ in range(80)).capitalize() + "." for _ in range(5)]
            said = self.said.get(f"src{i}", [])
            text = f"Report number {i} on local enforcement partnerships\n\n" + "\n\n".join(
                filler[:2] + said + filler[2:])
            (folder / f"src{i}.txt").write_text(text + "\n", encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--words", type=int, default=100_000)
    ap.add_argument("--sources", type=int, default=2_000)
    ap.add_argument("--file-field", action="store_true",
                    help="name each snapshot in a `file` field (as reference managers do), not by sources/<key>")
    args = ap.parse_args()
    base = HERE / "data" / f"evidence-{args.words}-{args.sources}"
    decorate = Decorator()
    without = write_inputs(base / "without", args.words, args.sources, decorate=decorate)
    with_dir = base / "with"
    if with_dir.exists():
        shutil.rmtree(with_dir)
    shutil.copytree(base / "without", with_dir)
    decorate.write_snapshots(with_dir / "sources", args.sources)
    if args.file_field:
        bib = with_dir / "references.bib"
        bib.write_text(re.sub(r"@(\w+)\{(src\d+),", r"@\1{\2,\n  file = {Full Text:sources/\2.txt:text/plain},",
                              bib.read_text()))
    brief = with_dir / "brief.md"
    text = brief.read_text()
    print(f"{brief}: {len(text.split()):,} words, {len(re.findall(chr(34), text)) // 2:,} quotations, "
          f"{args.sources:,} sources each with a snapshot; median of {args.runs} runs")
    lint = [sys.executable, "-m", "citebrief", "lint", "--today", "2025-12-01"]
    floor = "lint, no snapshots"
    commands = {floor: (lint + [str(without)], (0, 1)), "lint, a snapshot per source": (lint + [str(brief)], (0, 1))}
    medians = median_of(args.runs, commands)
    print_table(medians, floor)
    added = medians["lint, a snapshot per source"] / medians[floor] - 1
    print(f"evidence rules add {added:.2f}x to lint (target ≤ {TARGET}x): {'PASS' if added <= TARGET else 'FAIL'}")
    sys.exit(0 if added <= TARGET else 1)


if __name__ == "__main__":
    main()
