"""Generate a large synthetic brief and bibliography for the benchmarks (not committed output).

    python bench/generate.py OUT_DIR [--words 100000] [--sources 2000]

Every sentence cites one of the sources, paragraphs are hard-wrapped, and the brief has
headings, lists, a footnote every so often and a limitations section, so the linter and
the compiler do the same work they do on a real brief.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

WORDS = ("agency county sheriff agreement officer federal local state program training jail "
         "warrant task force model court order policy community report data enforcement detention "
         "immigration authority oversight memo guidance review partnership record").split()


def bibliography(n: int) -> str:
    out = []
    for i in range(n):
        out.append(
            f"@article{{src{i},\n  author = {{Lastname{i}, Firstname and Other, Person}},\n"
            f"  title = {{Report number {i} on local enforcement partnerships}},\n"
            f"  journaltitle = {{Journal of Examples}},\n  date = {{20{10 + i % 15}-0{1 + i % 9}-1{i % 9}}},\n"
            f"  url = {{https://example.org/reports/{i}}},\n  urldate = {{2025-11-01}},\n}}\n")
    return "\n".join(out)


def brief(words: int, sources: int, seed: int = 7, decorate=None) -> str:
    """``decorate(sentence, key)`` may rewrite each cited sentence (bench_evidence adds quotes and figures)."""
    rng = random.Random(seed)
    parts = ["---\ntitle: A synthetic brief for benchmarks\nchecked: 2025-11-27\n"
             "bibliography: references.bib\ndisclaimer: Synthetic text.\n---\n\n# Introduction\n\n"]
    written, para, n_sentence = 0, [], 0
    while written < words:
        n = rng.randint(12, 24)
        sentence = " ".join(rng.choice(WORDS) for _ in range(n)).capitalize()
        key = f"src{rng.randrange(sources)}"
        if decorate is not None:
            sentence = decorate(sentence, key)
        n_sentence += 1
        if n_sentence % 50 == 0:
            para.append(f"{sentence}.[^n{n_sentence}]")
            parts.append(f"[^n{n_sentence}]: See @{key}, p. 4.\n\n")
        else:
            para.append(f"{sentence} [@{key}, p. {rng.randint(1, 99)}].")
        written += n
        if len(para) == 6:
            text = " ".join(para)
            lines, line = [], ""
            for w in text.split(" "):      # hard-wrap at 72 columns, as writers do
                if len(line) + len(w) > 72:
                    lines.append(line)
                    line = w
                else:
                    line = f"{line} {w}" if line else w
            lines.append(line)
            parts.append("\n".join(lines) + "\n\n")
            para = []
            if n_sentence % 120 == 0:
                parts.append(f"## Section {n_sentence}\n\n- A listed point about the program [@src1].\n"
                             f"- Another listed point about oversight [@src2].\n\n")
    parts.append("# Limitations\n\nThe synthetic sources say nothing real.\n")
    return "".join(parts)


def write_inputs(folder: Path, words: int, sources: int, decorate=None) -> Path:
    """Write brief.md and references.bib into ``folder``; returns the brief's path."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "references.bib").write_text(bibliography(sources), encoding="utf-8")
    (folder / "brief.md").write_text(brief(words, sources, decorate=decorate), encoding="utf-8")
    return folder / "brief.md"


def write_project(words: int, sources: int) -> Path:
    """The generated brief as a project of its own (``manuscript = "."``), in bench/data/, shared by the
    benchmarks that lint and compile it; returns the brief's path."""
    folder = Path(__file__).parent / "data" / f"project-{words}-{sources}"
    md = write_inputs(folder, words, sources)
    (folder / "pyproject.toml").write_text('[tool.citebrief]\nmanuscript = "."\n', encoding="utf-8")
    return md


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("--words", type=int, default=100_000)
    ap.add_argument("--sources", type=int, default=2_000)
    args = ap.parse_args()
    print(write_inputs(args.out, args.words, args.sources), args.out / "references.bib")


if __name__ == "__main__":
    main()
