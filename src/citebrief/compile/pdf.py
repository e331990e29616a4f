"""PDF without TeX: pandoc's typst writer with citebrief's template, then the ``typst`` package.

Citations are already rendered by citeproc, so typst's own citation handling is switched off
(``-t typst-citations``). ``timestamp`` fixes the PDF's dates; only typst's bundled fonts are
used, so the same inputs give the same bytes on any machine.
"""

from __future__ import annotations

from pathlib import Path

from citebrief.compile.render import Prepared
from citebrief.compile.writers import TEMPLATES, pandoc_from_json
from citebrief.errors import CitebriefError


def typst_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def typst_source(prepared: Prepared, shown: str, epoch: int) -> bytes:
    meta = prepared.meta
    args = ["-t", "typst-citations", "--standalone", "--template", str(TEMPLATES / "citebrief.typ"),
            "--wrap=preserve"]
    if meta.checked:
        args += ["-V", f"cb-year={meta.checked.year}", "-V", f"cb-month={meta.checked.month}",
                 "-V", f"cb-day={meta.checked.day}"]
    if meta.authors:
        args += ["-V", "cb-authors=(" + ", ".join(map(typst_string, meta.authors)) + ",)"]
    if meta.keywords:
        args += ["-V", "cb-keywords=(" + ", ".join(map(typst_string, meta.keywords)) + ",)"]
    return pandoc_from_json(prepared.ast, args, shown, "typst", epoch=epoch)


def write_pdf(prepared: Prepared, dest: Path, shown: str, epoch: int) -> None:
    import typst   # imported here: only PDF compiles pay for it

    source = typst_source(prepared, shown, epoch)
    try:
        pdf = typst.compile(source, root="/", timestamp=epoch, ignore_system_fonts=True)
    except Exception as exc:   # typst raises its own error types; keep one line of the message
        message = " ".join(str(exc).split())[:300] or type(exc).__name__
        raise CitebriefError(f"typst failed: {message}", shown, exit_code=1) from exc
    with open(dest, "wb") as f:
        f.write(pdf)
