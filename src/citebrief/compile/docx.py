"""DOCX: pandoc's writer with citebrief's reference document, whose real Word styles (headings,
"Limitation", "Limitation Block", "Checked", "Disclaimer", "Flagged List") an editor can restyle.
SOURCE_DATE_EPOCH makes the file byte-identical from one build to the next."""

from __future__ import annotations

from pathlib import Path

from citebrief.compile.render import Prepared
from citebrief.compile.writers import TEMPLATES, pandoc_from_json

REFERENCE_DOCX = TEMPLATES / "reference.docx"


def write_docx(prepared: Prepared, dest: Path, shown: str, epoch: int) -> None:
    args = ["-t", "docx", "--reference-doc", str(REFERENCE_DOCX), "-o", str(dest)]
    pandoc_from_json(prepared.ast, args, shown, "DOCX", epoch=epoch)
