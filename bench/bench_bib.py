"""Benchmark: loading a real bibliography of thousands of entries vs pandoc's own BibTeX reader.

    .venv/bin/python bench/bench_bib.py [FILE.bib] [--runs N]

Without FILE, the largest real .bib under /usr/share with at least 2,000 entries is used
(TeX Live's beebe/tugboat.bib, ~4,800 entries: `apt-get install texlive-bibtex-extra`).
Both sides run as fresh processes, so the interpreter's start-up counts: that is what a user
pays on every `citebrief lint`. Target: citebrief ≤ 0.5 × `pandoc -f bibtex -t csljson FILE`.
A short brief citing the big file is linted too (`citebrief lint`, or the engine if the CLI is not ready).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from timing import median_of

from citebrief.bibliography import load_bibliography
from citebrief.tools import pandoc_path, pandoc_version

TARGET = 0.5
MIN_ENTRIES = 2000
LOAD = "import sys; from pathlib import Path; from citebrief.bibliography import load_bibliography; " \
       "load_bibliography(Path(sys.argv[1]))"


LINT_ENGINE = "import sys, os; from citebrief.config import Config; from citebrief.engine import lint_paths; " \
              "os.chdir(os.path.dirname(sys.argv[1])); r = lint_paths([sys.argv[1]], Config()); " \
              "print(len(r.findings))"


def find_big_bib() -> Path | None:
    candidates = sorted((p for p in Path("/usr/share").rglob("*.bib") if p.stat().st_size > 300_000),
                        key=lambda p: p.stat().st_size, reverse=True)
    for p in candidates:
        try:
            if len(load_bibliography(p).entries) >= MIN_ENTRIES:
                return p
        except Exception:   # noqa: BLE001 - e.g. a Latin-1 file: try the next one
            continue
    return None


def lint_available() -> bool:
    proc = subprocess.run([sys.executable, "-m", "citebrief", "lint", "--help"], capture_output=True)
    return proc.returncode == 0


SHORT_BRIEF = """---
title: A short brief
checked: 2025-11-27
bibliography: {bib}
---

The first claim of this brief is cited here [@{key}].

# Limitations

The sources cover one year only.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("bib", nargs="?", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    bib_path = args.bib or find_big_bib()
    if bib_path is None:
        sys.exit(f"no .bib with {MIN_ENTRIES}+ entries under /usr/share; pass one, or "
                 "`apt-get install texlive-bibtex-extra` (beebe/tugboat.bib)")
    bib = load_bibliography(bib_path)
    size = bib_path.stat().st_size
    print(f"{bib_path}: {len(bib.entries)} entries, {size / 1e6:.1f} MB; pandoc {pandoc_version()}; "
          f"median of {args.runs} runs each")

    commands = {
        "pandoc -f bibtex -t csljson": ([pandoc_path(), "-f", "bibtex", "-t", "csljson", str(bib_path)], (0,)),
        "citebrief load_bibliography": ([sys.executable, "-c", LOAD, str(bib_path)], (0,)),
    }
    with tempfile.TemporaryDirectory() as tmp:
        brief = Path(tmp) / "short.md"
        brief.write_text(SHORT_BRIEF.format(bib=bib_path.resolve(), key=next(iter(bib.entries))))
        has_lint = lint_available()
        if has_lint:
            lint_name = "citebrief lint SHORT_BRIEF"
            commands[lint_name] = ([sys.executable, "-m", "citebrief", "lint", str(brief)], (0, 1))
        else:   # the CLI is not importable yet: time the engine it is a thin layer over
            lint_name = "engine lint_paths(SHORT_BRIEF)"
            commands[lint_name] = ([sys.executable, "-c", LINT_ENGINE, str(brief)], (0,))
        medians = median_of(args.runs, commands)

    floor = medians["pandoc -f bibtex -t csljson"]
    print(f"{'':32} {'median':>8}  {'× pandoc':>8}")
    for name, t in medians.items():
        print(f"{name:32} {t:7.3f}s  {t / floor:7.2f}×")
    ratio = medians["citebrief load_bibliography"] / floor
    verdict = "PASS" if ratio <= TARGET else "FAIL"
    print(f"load_bibliography: {ratio:.2f}× pandoc (target ≤ {TARGET}×): {verdict}")
    lint_ratio = medians[lint_name] / floor
    print(f"{lint_name} on this bibliography: {lint_ratio:.2f}× pandoc's BibTeX read")
    if not has_lint:
        print("(`citebrief lint` did not start: timed the engine's lint_paths instead)")
    sys.exit(0 if ratio <= TARGET else 1)


if __name__ == "__main__":
    main()
