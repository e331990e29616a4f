"""PDF without TeX: pandoc's typst writer with citebrief's template, then the ``typst`` package.

Citations are already rendered by citeproc, so typst's own citation handling is switched off
(``-t typst-citations``). typst runs in a worker process with limits (tools.py), its root in the
build's private folder that holds only the brief's checked images. ``timestamp`` fixes the PDF's
dates; only typst's bundled fonts are used, so the same inputs give the same bytes on any machine.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from citebrief.compile.images import copy_into
from citebrief.compile.meta import paper
from citebrief.compile.transform import Prepared
from citebrief.compile.writers import TEMPLATES, Build
from citebrief.tools import TypstRun


def typst_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


BODY_MARK = "CITEBRIEFBODYMARK"      # the body's place in the rendered template
PIECE_END = "CITEBRIEFPIECEEND"      # closes each piece but the last (see typst_source)


def _para(text: str) -> str:
    return '{"t":"Para","c":[{"t":"Str","c":"' + text + '"}]}'


def template_args(prepared: Prepared) -> list[str]:
    meta, status = prepared.meta, prepared.status
    args = ["--standalone", "--template", str(TEMPLATES / "citebrief.typ"), "-V", f"cb-paper={paper(meta.lang)}"]
    if status.draft:       # a page header and a watermark on every page
        args += ["-V", f"cb-draft={typst_string(status.draft_banner)}"]
    subject = meta.subtitle or ", ".join(meta.keywords)
    if subject:            # the PDF's Subject
        args += ["-V", f"cb-subject={typst_string(subject)}"]
    if meta.checked:
        args += ["-V", f"cb-year={meta.checked.year}", "-V", f"cb-month={meta.checked.month}",
                 "-V", f"cb-day={meta.checked.day}"]
    if meta.authors:
        args += ["-V", "cb-authors=(" + ", ".join(map(typst_string, meta.authors)) + ",)"]
    if meta.keywords:
        args += ["-V", "cb-keywords=(" + ", ".join(map(typst_string, meta.keywords)) + ",)"]
    return args


WRITER = ["-t", "typst-citations", "--wrap=preserve"]


def cut_points(prepared: Prepared, pieces: int) -> list[int]:
    """Where to cut the body into ``pieces`` of about equal JSON size: only before a paragraph, so
    that the closing marker paragraph of a piece meets its last block as the real next one would."""
    sizes = [len(b) for b in prepared.blocks_json]
    total = sum(sizes)
    cuts, done, goal = [], 0, 1
    for i, size in enumerate(sizes):
        if goal < pieces and i and done >= total * goal / pieces and prepared.block_types[i] == "Para":
            cuts.append(i)
            goal += 1
        done += size
    return cuts


def typst_source(build: Build, pieces: int = 1) -> bytes:
    """The typst source of the brief; with ``pieces`` > 1, pandoc's typst writer runs on that many
    parts of the body at once (the body is the concatenation of its blocks' typst: notes are inline,
    labels follow their own block) and the template is rendered once around a marker."""
    prepared = build.prepared
    whole = [*WRITER, *template_args(prepared)]
    cuts = cut_points(prepared, pieces) if pieces > 1 and prepared.blocks_json else []
    if not cuts:
        return build.pandoc(prepared.ast, whole, "typst")
    bounds = [0, *cuts, len(prepared.blocks_json)]
    jobs = [(prepared.piece_json(0, 0, (_para(BODY_MARK),)), whole)]
    for start, end in zip(bounds, bounds[1:]):
        extra = (_para(PIECE_END),) if end < len(prepared.blocks_json) else ()
        jobs.append((prepared.piece_json(start, end, extra), WRITER))
    with ThreadPoolExecutor(max_workers=len(jobs), thread_name_prefix="typst-writer") as pool:
        outputs = list(pool.map(lambda job: build.pandoc(job[0], job[1], "typst"), jobs))
    template, parts = outputs[0], outputs[1:]
    end_mark, body_mark = f"{PIECE_END}\n".encode(), f"{BODY_MARK}\n".encode()
    if template.count(body_mark) != 1 or not all(p.endswith(end_mark) for p in parts[:-1]):
        return build.pandoc(prepared.ast, whole, "typst")    # not the shape expected (never seen): one run
    body = b"".join(p[:-len(end_mark)] for p in parts[:-1]) + parts[-1]
    before, after = template.split(body_mark)
    return before + body + after


def write_pdf(build: Build, dest: Path) -> None:
    prepared = build.prepared
    source = prepared.typst if prepared.typst is not None else typst_source(build)
    copy_into(prepared.images, build.folder)
    run = build.typst or TypstRun(build.folder, timestamp=build.epoch, shown=build.shown, limits=build.limits)
    dest.write_bytes(run.pdf(source))
