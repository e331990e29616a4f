"""HTML: one self-contained file (CSS inline in the template, images as data: URIs, no scripts).

pandoc writes the page; then its body is sanitized whole (sanitize.py) between two markers the
template places around ``$body$`` (and the table of contents, made from the brief's headings), so
raw HTML in a brief can neither run nor close the body early.

The page has one ``h1`` (the title): the brief's sections start at ``h2``. Briefs with
``TOC_SECTIONS`` sections or more get a table of contents. The head carries what reference managers
and search engines read (``citation_*`` meta tags, schema.org JSON-LD), made here from the plain-text
metadata (meta.py) and escaped for where it goes: the JSON-LD is data, never run (the page's
Content-Security-Policy forbids every script anyway), and no value can close its ``<script>``.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from citebrief.compile.meta import Meta
from citebrief.compile.sanitize import body_markers, clean_document
from citebrief.compile.writers import TEMPLATES, Build
from citebrief.errors import CitebriefError

TOC_SECTIONS = 4
JSON_LD_TAG = '<script type="application/ld+json">'
# what JSON-LD must not contain verbatim inside <script>: "</script", "<!--", and the line
# separators old parsers read as line ends; each has a \u escape that JSON reads as the same text
_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def json_ld(meta: Meta) -> str:
    """The schema.org description of the brief, as a JSON text safe inside ``<script>``."""
    data: dict = {"@context": "https://schema.org", "@type": "Report", "inLanguage": meta.lang}
    if meta.title:
        data["headline"] = data["name"] = meta.title
    if meta.subtitle:
        data["alternativeHeadline"] = meta.subtitle
    if meta.authors:
        data["author"] = [{"@type": "Person", "name": a} for a in meta.authors]
    if meta.checked:      # the day the facts were last checked against the sources
        data["dateModified"] = meta.checked.isoformat()
    if meta.keywords:
        data["keywords"] = meta.keywords
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return re.sub("[<>&\u2028\u2029]", lambda m: _JSON_ESCAPES[m.group()], text)


def head_tags(meta: Meta) -> str:
    """``citation_*`` meta tags (Google Scholar, Zotero) and the JSON-LD block, for the page's head."""
    tags = []
    if meta.title:
        tags.append(("citation_title", meta.title))
    tags += [("citation_author", a) for a in meta.authors]
    if meta.checked:
        tags.append(("citation_date", meta.checked.strftime("%Y/%m/%d")))
    if meta.keywords:
        tags.append(("citation_keywords", "; ".join(meta.keywords)))
    tags.append(("citation_language", meta.lang))
    lines = [f'<meta name="{name}" content="{html.escape(value, quote=True)}">' for name, value in tags]
    lines.append(f"{JSON_LD_TAG}{json_ld(meta)}</script>")
    return "\n".join(lines)


def with_pdf_link(page: str, pdf_name: str) -> str:
    """A compiled page with ``citation_pdf_url`` pointing to the PDF beside it (the bundle knows its
    name), in the head, before the JSON-LD block (the first ``<script`` of a page: the body has none)."""
    tag = f'<meta name="citation_pdf_url" content="{html.escape(pdf_name, quote=True)}">\n'
    return page.replace(JSON_LD_TAG, tag + JSON_LD_TAG, 1)


def move_toc(page: str, toc_markers: tuple[str, str], toc_mark: str, shown: str) -> str:
    """The table of contents, which pandoc writes before the body, moved to its place after the
    front block (``Prepared.toc_mark``), inside the part of the page that is sanitized."""
    start, end = toc_markers
    if page.count(start) != 1 or page.count(end) != 1 or page.count(toc_mark) != 1:
        raise CitebriefError("the HTML writer's output has an unexpected shape", shown, exit_code=1)
    before, rest = page.split(start)
    toc, after = rest.split(end)
    return (before + after).replace(toc_mark, toc.strip())


def write_html(build: Build, dest: Path) -> None:
    prepared = build.prepared
    start, end = markers = body_markers()
    toc_markers = body_markers()
    args = ["-t", "html5", "--standalone", "--template", str(TEMPLATES / "citebrief.html"),
            "--section-divs", "--wrap=none", "--shift-heading-level-by=1",      # the title is the one h1
            "-V", f"cb-body-start={start}", "-V", f"cb-body-end={end}", "-V", f"cb-head={head_tags(prepared.meta)}",
            "-V", f"cb-toc-start={toc_markers[0]}", "-V", f"cb-toc-end={toc_markers[1]}"]
    if prepared.sections >= TOC_SECTIONS:
        args += ["--toc", "--toc-depth=2"]
    if prepared.status.draft:
        args += ["-V", f"cb-draft={prepared.status.draft_banner}"]
    if not prepared.meta.title:
        args += ["--metadata", f"pagetitle={Path(build.shown).stem}"]
    page = build.pandoc(prepared.html_ast, args, "HTML").decode("utf-8")
    if "--toc" in args:
        page = move_toc(page, toc_markers, prepared.toc_mark, build.shown)
    dest.write_text(clean_document(page, markers, build.shown), encoding="utf-8", newline="")
