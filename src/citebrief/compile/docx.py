"""DOCX: pandoc's writer with citebrief's reference document, whose real Word styles (headings,
"Limitation", "Limitation Block", "Checked", "Disclaimer", "Flagged List") an editor can restyle.
Images come embedded as data: URIs, so the writer reads no file; SOURCE_DATE_EPOCH (or the checked
date) makes the file byte-identical from one build to the next."""

from __future__ import annotations

from pathlib import Path

from citebrief.compile.writers import TEMPLATES, Build

REFERENCE_DOCX = TEMPLATES / "reference.docx"


def write_docx(build: Build, dest: Path) -> None:
    args = ["-t", "docx", "--reference-doc", str(REFERENCE_DOCX), "-o", "-"]
    dest.write_bytes(build.pandoc(build.prepared.html_ast, args, "DOCX", sandbox=False))   # see writers.py
