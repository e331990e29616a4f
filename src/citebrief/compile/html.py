"""HTML: one self-contained file (CSS inline in the template, images as data: URIs, no scripts)."""

from __future__ import annotations

from pathlib import Path

from citebrief.compile.render import Prepared
from citebrief.compile.writers import TEMPLATES, pandoc_from_json


def write_html(prepared: Prepared, dest: Path, shown: str, epoch: int) -> None:
    args = ["-t", "html5", "--standalone", "--template", str(TEMPLATES / "citebrief.html"),
            "--section-divs", "--wrap=none", "-o", str(dest)]
    if not prepared.meta.title:
        args += ["--metadata", f"pagetitle={shown}"]
    pandoc_from_json(prepared.html_ast, args, shown, "HTML", epoch=epoch)
