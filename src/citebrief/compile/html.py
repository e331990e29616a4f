"""HTML: one self-contained file (CSS inline in the template, images as data: URIs, no scripts).

pandoc writes the page; then its body is sanitized whole (sanitize.py) between two markers the
template places around ``$body$``, so raw HTML in a brief can neither run nor close the body early.
"""

from __future__ import annotations

from pathlib import Path

from citebrief.compile.sanitize import body_markers, clean_document
from citebrief.compile.writers import TEMPLATES, Build


def write_html(build: Build, dest: Path) -> None:
    start, end = markers = body_markers()
    args = ["-t", "html5", "--standalone", "--template", str(TEMPLATES / "citebrief.html"),
            "--section-divs", "--wrap=none", "-V", f"cb-body-start={start}", "-V", f"cb-body-end={end}"]
    if not build.prepared.meta.title:
        args += ["--metadata", f"pagetitle={Path(build.shown).stem}"]
    page = build.pandoc(build.prepared.html_ast, args, "HTML").decode("utf-8")
    dest.write_text(clean_document(page, markers, build.shown), encoding="utf-8", newline="")
