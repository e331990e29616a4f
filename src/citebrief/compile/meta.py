"""A brief's metadata as every output shows it: plain text, in every format.

The front matter may come from a stranger's pull request. pandoc would read its fields as Markdown,
so raw typst in a title would run in typst, raw HTML in ``lang`` would land in ``<html lang="...">``
and an image in a subtitle would be fetched by the DOCX writer. So the metadata the writers see is
rebuilt here from an allow-list, each field reduced to plain words; only the disclaimer keeps its
Markdown, and it goes through the same transform as the body (transform.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from citebrief.ast import stringify
from citebrief.timestamps import format_date

# Fields pandoc's citeproc reads from the metadata (passed to it in the metadata file, citeproc.py)
CITEPROC_FIELDS = ("nocite", "lang", "reference-section-title", "suppress-bibliography", "link-bibliography",
                   "notes-after-punctuation", "references")
# Fields the outputs show; every other front-matter field is dropped before the writers run
SHOWN_FIELDS = ("title", "subtitle", "short-title", "author", "keywords", "date", "checked", "disclaimer", "lang")
LANG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8}){0,4}")


@dataclass
class Meta:
    title: str = ""
    subtitle: str = ""
    short_title: str = ""
    authors: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    checked: date | None = None
    lang: str = "en"

    @property
    def checked_text(self) -> str:
        return f"Checked on {format_date(self.checked)}" if self.checked else ""


def paper(lang: str) -> str:
    """The page size of the PDF and the DOCX: Letter for US English, A4 everywhere else."""
    return "us-letter" if lang.lower() in ("en-us", "en-us-posix") else "a4"


def read_meta(meta: dict) -> Meta:
    """The shown fields of pandoc's metadata (after citeproc) as plain text."""
    m = Meta()
    m.title = _text(meta.get("title"))
    m.subtitle = _text(meta.get("subtitle"))
    m.short_title = _text(meta.get("short-title"))
    lang = _text(meta.get("lang"))
    m.lang = lang if LANG.fullmatch(lang) else "en"     # a language tag, or nothing that could break out
    m.authors = [s for s in map(_text, _items(meta.get("author"))) if s]
    m.keywords = [s for s in map(_text, _items(meta.get("keywords"))) if s]
    try:
        m.checked = date.fromisoformat(_text(meta.get("checked"))[:10])
    except ValueError:
        m.checked = None
    return m


def writer_meta(m: Meta) -> dict:
    """The metadata the HTML, DOCX and typst writers get: plain words, nothing else."""
    out: dict = {"lang": {"t": "MetaString", "c": m.lang}}
    for key, value in (("title", m.title), ("subtitle", m.subtitle), ("short-title", m.short_title)):
        if value:
            out[key] = _inlines(value)
    for key, values in (("author", m.authors), ("keywords", m.keywords)):
        if values:
            out[key] = {"t": "MetaList", "c": [_inlines(v) for v in values]}
    if m.checked:       # DOCX keeps it as a document property; the title block shows "Checked on ..."
        out["checked"] = {"t": "MetaString", "c": m.checked.isoformat()}
    return out


def _items(value) -> list:
    if isinstance(value, dict) and value.get("t") == "MetaList":
        return value["c"]
    return [value] if value else []


def _text(value) -> str:
    """Plain words of a metadata value (a MetaMap author: its name); notes, raw markup and images' targets
    never come through."""
    if value is None:
        return ""
    return " ".join(stringify(value).split())


def _inlines(text: str) -> dict:
    return {"t": "MetaInlines", "c": words(text)}


def words(text: str) -> list:
    out: list = []
    for i, w in enumerate(text.split(" ")):
        if i:
            out.append({"t": "Space"})
        if w:
            out.append({"t": "Str", "c": w})
    return out
