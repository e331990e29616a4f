"""Measure: what share of lint's findings point at the text they name, on real documents.

    .venv/bin/python bench/bench_positions.py [--show N] DOC [DOC ...]

Each DOC is a Markdown file or a folder holding one (``doc.md``, ``paper.md`` or the only ``.md``)
with its ``.bib`` beside it, if any. A finding "points at its text" when the words its message quotes
start at its line:column in the raw file (tests/pointing.py decides). Goal: 99% or more on documents
nobody on this project wrote. ``tests/data/real/`` holds a few; pandoc's own test files, theses and
manubot manuscripts are good to add (fetch them; do not commit what is not permissively licensed).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from pointing import points_at  # noqa: E402

from citebrief.config import Config  # noqa: E402
from citebrief.engine import lint_paths  # noqa: E402


def document(given: Path) -> tuple[Path, str]:
    """The Markdown file of DOC and the bibliography beside it (the config's fallback)."""
    if given.is_file():
        md, folder = given, given.parent
    else:
        folder = given
        named = [folder / n for n in ("doc.md", "paper.md") if (folder / n).is_file()]
        md = named[0] if named else next(iter(sorted(folder.glob("*.md"))))
    bibs = sorted(folder.glob("*.bib"))
    return md, bibs[0].name if bibs else "references.bib"


def measure(md: Path, bib: str) -> tuple[int, list]:
    source = md.read_text(encoding="utf-8-sig")
    cfg = Config(root=md.parent, bibliography=bib)
    result = lint_paths([str(md)], cfg, today=date(2025, 12, 1))
    checked = [(f, points_at(source, f)) for f in result.findings]
    checked = [(f, ok) for f, ok in checked if ok is not None]
    return len(checked), [f for f, ok in checked if not ok]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("docs", nargs="+", type=Path)
    ap.add_argument("--show", type=int, default=0, help="print up to N findings that point elsewhere")
    args = ap.parse_args()
    total = wrong_total = 0
    print(f"{'document':40} {'findings':>8} {'right':>6} {'share':>7}")
    for given in args.docs:
        md, bib = document(given)
        n, wrong = measure(md, bib)
        total += n
        wrong_total += len(wrong)
        share = (n - len(wrong)) / n if n else 1.0
        print(f"{str(given):40} {n:8} {n - len(wrong):6} {share:7.1%}")
        for f in wrong[: args.show]:
            print(f"    {f.line}:{f.column} {f.rule}: {f.message[:110]}")
    share = (total - wrong_total) / total if total else 1.0
    print(f"{'all':40} {total:8} {total - wrong_total:6} {share:7.1%}")


if __name__ == "__main__":
    main()
