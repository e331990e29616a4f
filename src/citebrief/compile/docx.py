"""DOCX: pandoc's writer with citebrief's reference document, whose real Word styles (headings,
"Limitation", "Stale", "Limitation Block", "Checked", "Disclaimer", "Draft", "Flagged List",
"Flagged Item", "Colophon", "Bibliography") an editor can restyle. Images come embedded as data:
URIs, so the writer reads no file.

pandoc takes the page setup, header and footer from the reference document (A4, the PDF's margins,
an empty header, a footer "<title>   n of N" with PAGE and NUMPAGES fields); ``finish`` then
makes what depends on the brief: Letter paper for ``lang: en-US``, the title in the footer's TITLE
field (Word shows a field's stored text until fields are updated), the DRAFT mark in the header of
every page for a draft (status.py), and one timestamp on every zip entry, so the file is
byte-identical from one build to the next.
"""

from __future__ import annotations

import io
import re
import time
import zipfile
from html import escape as html_escape
from pathlib import Path

from citebrief.compile.meta import paper
from citebrief.compile.writers import TEMPLATES, Build
from citebrief.timestamps import FALLBACK_EPOCH

REFERENCE_DOCX = TEMPLATES / "reference.docx"
TITLE_PLACEHOLDER = "CITEBRIEF-TITLE"      # written by tests/make_reference_docx.py
LETTER = '<w:pgSz w:w="12240" w:h="15840" />'      # twentieths of a point: 8.5 × 11 in
_PAGE_SIZE = re.compile(r"<w:pgSz [^>]*/>")
_EMPTY_HEADER = re.compile(r"(<w:hdr [^>]*>\s*<w:p>\s*<w:pPr>.*?</w:pPr>)(\s*</w:p>)", re.S)


def _escape_repl(text: str) -> str:
    """``text`` as a literal in a re.sub replacement (backslashes doubled)."""
    return text.replace("\\", "\\\\")


def write_docx(build: Build, dest: Path) -> None:
    args = ["-t", "docx", "--reference-doc", str(REFERENCE_DOCX), "-o", "-"]
    docx = build.pandoc(build.prepared.html_ast, args, "DOCX", sandbox=False)   # see writers.py
    meta, status = build.prepared.meta, build.prepared.status
    dest.write_bytes(finish(docx, letter=paper(meta.lang) == "us-letter", title=meta.title,
                            draft=status.draft_banner, epoch=build.epoch))


def finish(docx: bytes, *, letter: bool, title: str, draft: str, epoch: int) -> bytes:
    """The brief-specific page setup (see the module docstring) written into pandoc's DOCX."""
    stamp = time.gmtime(max(epoch, FALLBACK_EPOCH))[:6]      # a ZIP holds no date before 1980
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            name = info.filename
            if name == "word/document.xml" and letter:
                data = _PAGE_SIZE.sub(LETTER, data.decode("utf-8"), count=1).encode("utf-8")
            elif re.fullmatch(r"word/footer\d*\.xml", name):
                data = data.replace(TITLE_PLACEHOLDER.encode(), _xml_text(title).encode("utf-8"))
            elif re.fullmatch(r"word/header\d*\.xml", name) and draft:
                run = (f'<w:r><w:rPr><w:b /><w:color w:val="B00020" /><w:spacing w:val="10" /></w:rPr>'
                       f'<w:t xml:space="preserve">{_xml_text(draft)}</w:t></w:r>')
                data = _EMPTY_HEADER.sub(rf"\g<1>{_escape_repl(run)}\g<2>", data.decode("utf-8"),
                                         count=1).encode("utf-8")
            entry = zipfile.ZipInfo(name, date_time=stamp)
            entry.compress_type, entry.external_attr = info.compress_type, info.external_attr
            entry.create_system = 0
            dst.writestr(entry, data)
    return out.getvalue()


def _xml_text(text: str) -> str:
    """``text`` as XML character data: &, < and > escaped (as xml.sax.saxutils.escape does; that
    module imports urllib and ssl, 10 ms on every compile)."""
    return html_escape(text, quote=False)
