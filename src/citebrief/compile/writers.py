"""Running pandoc's writers on the prepared JSON AST (shared by html.py, docx.py and pdf.py).

Writers run with ``--sandbox``: they may read the files on their command line (template, reference
document) and nothing else, so no image path or URL in the AST can make them read a file or the network.
The one exception is the DOCX writer, because pandoc's sandbox also ignores ``SOURCE_DATE_EPOCH`` (its
zip entries would carry 1980, not the brief's date); what it is given reads nothing either: every image
is a ``data:`` URI by then (transform.py) and raw OpenXML is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from citebrief.tools import DEFAULT_LIMITS, Limits, TypstRun, run_pandoc

if TYPE_CHECKING:
    from citebrief.compile.transform import Prepared

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def pandoc_from_json(ast: bytes, args: list[str], shown: str, what: str, *, epoch: int,
                     limits: Limits = DEFAULT_LIMITS, sandbox: bool = True) -> bytes:
    """``pandoc -f json <args>`` with the AST on stdin; returns stdout. Failures name the brief."""
    return run_pandoc([*(["--sandbox"] if sandbox else []), "-f", "json", *args], shown=shown,
                      what=f"writing {what}", input_bytes=ast, epoch=epoch, limits=limits)


@dataclass
class Build:
    """What every writer gets: the prepared AST and where and how to write it."""

    prepared: Prepared
    shown: str                     # the brief, as the user named it
    epoch: int                     # the outputs' timestamp (timestamps.py)
    folder: Path                   # private build folder: the images for typst, and nothing else it may read
    limits: Limits = DEFAULT_LIMITS
    typst: TypstRun | None = None  # typst's worker, started after the lint gate (compile/__init__.py)

    def pandoc(self, ast: bytes, args: list[str], what: str, sandbox: bool = True) -> bytes:
        return pandoc_from_json(ast, args, self.shown, what, epoch=self.epoch, limits=self.limits, sandbox=sandbox)
