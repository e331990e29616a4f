"""The ``import`` command: read the explainer, plan its entries, write the brief and append the
entries (all or nothing), and report what was done and what could not be mapped."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import click

from citebrief.compile.output import shown_path, write_atomic
from citebrief.config import Config, load_config
from citebrief.errors import EXIT_OK, CitebriefError
from citebrief.importer.citations import cited_numbers
from citebrief.importer.entries import PlannedEntry, appended, existing_bibliography, plan_entries
from citebrief.importer.layout import Explainer, parse_explainer
from citebrief.importer.markdown import brief_text, front_matter, write_body
from citebrief.importer.names import ascii_slug, key_stem, slugify_title
from citebrief.parse.source import read_text


@dataclass
class ImportResult:
    out: Path
    bib: Path
    citations: int
    groups: int
    entries: dict[int, PlannedEntry]
    unmapped: list[str]
    explainer: Explainer

    @property
    def new_entries(self) -> list[PlannedEntry]:
        seen, out = set(), []
        for e in self.entries.values():
            if e.new and e.key not in seen:
                seen.add(e.key)
                out.append(e)
        return out


def _targets(path: Path, title: str, out: str | Path | None, bib: str | Path | None,
             config: Config) -> tuple[Path, Path]:
    """The brief to create and the bibliography to append to; refuses to clobber anything."""
    out_path = Path(out) if out is not None else \
        config.path(config.manuscript) / f"{slugify_title(title) or ascii_slug(path.stem) or 'brief'}.md"
    bib_path = Path(bib) if bib is not None else config.path(config.bibliography)
    if out_path.exists():
        raise CitebriefError("already exists; not overwriting it (choose another --out)", shown_path(out_path))
    if out_path.resolve() == path.resolve() or out_path.resolve() == bib_path.resolve():
        raise CitebriefError("--out must be a new Markdown file", shown_path(out_path))
    if bib_path.is_dir():
        raise CitebriefError("is a directory, not a .bib file", shown_path(bib_path))
    return out_path, bib_path


def import_explainer(file: str | Path, *, out: str | Path | None = None, bib: str | Path | None = None,
                     config: Config | None = None) -> ImportResult:
    """Convert ``file`` into a brief and append its sources to the bibliography; returns what was done."""
    config = config or load_config()
    path = Path(file)
    shown = str(file)
    text = read_text(path, shown)
    if not text.strip():
        raise CitebriefError("is empty; nothing to import", shown)
    ex = parse_explainer(text, config.limitation_headings)
    unmapped = list(ex.unmapped)

    title = ex.title
    if title is None:
        title = path.stem
        unmapped.insert(0, f"no title line (a question or heading) found; title set to {title!r}")
    out_path, bib_path = _targets(path, title, out, bib, config)
    existing, existing_keys, bib_bytes = existing_bibliography(bib_path, shown_path(bib_path))

    numbers = cited_numbers(t for block in ex.blocks for t in block.texts)
    entries = plan_entries(numbers, ex.sources, key_stem(path, title), path.name, existing, existing_keys, unmapped)
    body = write_body(ex.blocks, lambda n: entries[n].key, unmapped)

    if not ex.checked:
        unmapped.append(f"could not read a full date from {ex.checked_text!r}; add checked: YYYY-MM-DD"
                        if ex.checked_text else
                        "no \"Checked on ...\" line; add checked: YYYY-MM-DD to the front matter")
    bibliography = None
    if bib_path.resolve() != config.path(config.bibliography).resolve():
        bibliography = os.path.relpath(bib_path.resolve(), out_path.resolve().parent).replace(os.sep, "/")
    front = front_matter(title, ex.checked, ex.disclaimer, bibliography)
    _report_gaps(ex, numbers, entries, unmapped)

    result = ImportResult(out_path, bib_path, body.citations, body.groups, entries, unmapped, ex)
    _write(result, brief_text(front, body), bib_bytes)
    return result


def _report_gaps(ex: Explainer, numbers: list[int], entries: dict[int, PlannedEntry], unmapped: list[str]) -> None:
    """What the brief will lack: a limitations section, citations, sources for the cited numbers."""
    if not any(b.kind == "heading" and b.classes for b in ex.blocks):
        unmapped.append("no limitations section (a \"Limitations ...\" heading) found")
    if not numbers:
        unmapped.append("no numbered citations ([1], [2] ...) found in the text")
    if ex.has_source_list:
        for n in numbers:
            if n not in ex.sources:
                unmapped.append(f"[{n}] is cited but not in the source list; placeholder {entries[n].key}")
        uncited = sorted(set(ex.sources) - set(numbers))
        if uncited:
            unmapped.append("listed but never cited, not added: " + " ".join(f"[{n}]" for n in uncited))
    elif numbers:
        unmapped.append("no source list: " + " ".join(f"[{n}]" for n in sorted(numbers))
                        + " became placeholders (fill in title, author, date)")


def _write(result: ImportResult, markdown: str, bib_bytes: bytes | None) -> None:
    out_path, bib_path = result.out, result.bib
    try:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        bib_path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CitebriefError(f"cannot create folder: {exc.strerror or exc}", exc.filename) from exc
    write_atomic(out_path, markdown.encode("utf-8"), exclusive=True)
    new = result.new_entries
    if not new:
        return
    try:
        old = bib_bytes or b""
        if bib_path.exists() and bib_path.read_bytes() != old:
            raise CitebriefError("changed while importing; nothing appended, try again", shown_path(bib_path))
        write_atomic(bib_path, appended(old, new), exclusive=bib_bytes is None)
    except BaseException:
        out_path.unlink(missing_ok=True)        # all or nothing: no brief citing keys that were not written
        raise


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def format_report(result: ImportResult) -> str:
    new = result.new_entries
    from_list = sum(1 for e in new if not e.placeholder)
    placeholders = sum(1 for e in new if e.placeholder)
    reused = sorted({(e.key, e.reused_because) for e in result.entries.values() if not e.new})
    headings = sum(1 for b in result.explainer.blocks if b.kind == "heading")
    lines = [f"Created {shown_path(result.out)}: {_n(headings, 'heading')}, {_n(result.citations, 'citation')} "
             f"({_n(result.groups, 'group')}) of {_n(len(result.entries), 'source')}."]
    added = (f"Added {_n(len(new), 'key')} to {shown_path(result.bib)}: {from_list} from the source list, "
             f"{_n(placeholders, 'placeholder')}")
    if reused:
        added += "; reused " + ", ".join(f"{k} ({why})" for k, why in reused)
    lines.append(added + ".")
    if result.unmapped:
        lines.append("Not mapped:")
        lines += [f"  - {u}" for u in result.unmapped]
    lines.append(f"Next: citebrief lint {shown_path(result.out)}")
    return "\n".join(lines) + "\n"


def import_command(file: str, *, out: str | None = None, bib: str | None = None) -> int:
    result = import_explainer(file, out=out, bib=bib)
    click.echo(format_report(result), nl=False)
    return EXIT_OK
