"""The one ``pandoc --citeproc`` pass of a compile, from the brief to a JSON AST.

pandoc reads the body only (the front matter blanked, metadata blocks off: the same reader as lint),
the bibliographies and the style it is given on the command line (each confined to the project),
and a metadata file citebrief writes with the fields citeproc needs. It never sees the brief's own
YAML, so ``csl: http://...``, a ``bibliography:`` URL or ``citation-abbreviations: /etc/...`` in the
front matter can fetch or read nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

from citebrief.compile.meta import CITEPROC_FIELDS, SHOWN_FIELDS
from citebrief.frontmatter import FrontMatter, blank_front_matter
from citebrief.parse.brief import READER
from citebrief.tools import Limits, PandocRun


def metadata_file(front: FrontMatter, build: Path, bibliographies: list[Path]) -> Path:
    """The vetted metadata as JSON (pandoc reads YAML, of which JSON is a part) in the build folder.
    Latin-1 bibliographies are handed over as UTF-8 copies there too, as pandoc's citeproc wants."""
    fields = {k: v for k, v in front.fields.items() if k in CITEPROC_FIELDS or k in SHOWN_FIELDS}
    fields["link-citations"] = True
    path = build / "metadata.json"
    path.write_text(json.dumps(fields, ensure_ascii=False), encoding="utf-8")
    return path


def start_citeproc(source: str, front: FrontMatter, bibliographies: list[Path], csl: Path | None, build: Path,
                   shown: str, limits: Limits) -> PandocRun:
    """Start the pass in the background (so the lint gate runs meanwhile); ``.result()`` is the JSON."""
    args = ["-f", READER, "--citeproc", "--metadata-file", str(metadata_file(front, build, bibliographies)),
            "-t", "json"]
    for bib in bibliographies:
        args += ["--bibliography", str(bib)]
    if csl is not None:
        args += ["--csl", str(csl)]
    return PandocRun(args, shown=shown, what="citeproc", input_bytes=blank_front_matter(source, front).encode(),
                     limits=limits)
