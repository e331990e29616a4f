"""``citebrief snapshot``: save a copy of each cited source, with a record of where and when.

For each cited entry with a ``url`` and no snapshot yet (every one with ``--refresh``), the URL is
fetched (net.py: http(s) only, public addresses only, redirects recorded, a size cap and a
deadline) and, if it is HTML, PDF, plain text or Markdown, stored as ``sources/<name>.<ext>``
beside the entry's ``.bib`` with its provenance in ``sources/<name>.json``; then the entry's
``file`` and ``urldate`` fields are set (bibedit.py: only those lines change). An existing
snapshot is never overwritten without ``--refresh``; with it, the sources that changed since
their last snapshot are named. Each failure is one line; the exit code is 1 if any failed.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import click

from citebrief.bibliography import Entry
from citebrief.engine import cited_entries, read_paths
from citebrief.errors import CitebriefError
from citebrief.evidence.bibedit import set_fields
from citebrief.evidence.net import Fetcher, Response, check_url
from citebrief.evidence.snapshots import SOURCES_DIR, SUFFIXES, Snapshot, SnapshotError, file_name, lookup, root_of
from citebrief.project import OutsideProject, confine

MAX_MB = 20
_TYPES = {"text/html": ".html", "application/xhtml+xml": ".html", "application/pdf": ".pdf",
          "text/plain": ".txt", "text/markdown": ".md", "text/x-markdown": ".md"}


@dataclass
class Job:
    entry: Entry
    url: str
    previous: Snapshot | None     # the snapshot being refreshed, if any


def kind_of(content_type: str, body: bytes) -> str | None:
    """The suffix to store an answer under, from its content type (or its first bytes when the
    server does not say); None for anything citebrief cannot read."""
    mime = content_type.split(";", 1)[0].strip().lower()
    if mime in _TYPES:
        return _TYPES[mime]
    if mime in ("", "application/octet-stream", "binary/octet-stream"):
        head = body[:1024].lstrip().lower()
        if head.startswith(b"%pdf"):
            return ".pdf"
        if head.startswith((b"<!doctype html", b"<html")):
            return ".html"
    return None


def snapshot_paths(paths, config, *, keys: tuple[str, ...] = (), refresh: bool = False,
                   allow_private: bool = False, timeout: float = 30.0, max_mb: float = MAX_MB,
                   today: datetime | None = None) -> int:
    targets = read_paths(paths, config)
    entries = cited_entries(targets)
    if keys:
        known = {e.key for e in entries}
        unknown = [k for k in keys if k not in known]
        if unknown:
            raise CitebriefError(f"--keys: {', '.join(unknown)} not cited by these briefs")
        entries = [e for e in entries if e.key in keys]
    jobs, failures, kept, no_url = [], 0, [], []
    for entry in entries:
        found = lookup(entry, config=config)
        url = entry.get("url")
        if found.snapshot is not None and not refresh:
            kept.append(entry.key)
            continue
        if not url:
            no_url.append(entry.key)
            continue
        problem = check_url(url)
        if problem:
            _fail(entry, f"url {problem}")
            failures += 1
            continue
        jobs.append(Job(entry, url.strip(), found.snapshot))
    answers = asyncio.run(_fetch_all(jobs, allow_private=allow_private, timeout=timeout,
                                     max_bytes=int(max_mb * 1024 * 1024))) if jobs else []
    when = today or datetime.now(UTC)
    saved: list[Stored] = []
    changed: list[str] = []
    unchanged: list[str] = []
    edits: dict[Path, tuple[dict[str, dict[str, str]], str]] = {}   # .bib → (key → fields, as shown)
    for job, answer in zip(jobs, answers):
        try:
            stored = _store(job, answer, root_of(config.root, job.entry.path), when)
        except SnapshotError as exc:
            _fail(job.entry, str(exc))
            failures += 1
            continue
        saved.append(stored)
        if job.previous is not None:
            (changed if stored.changed else unchanged).append(job.entry.key)
        bib_path = Path(job.entry.path or ".")
        if bib_path.suffix.lower() != ".bib":      # CSL JSON/YAML, inline references: found by name anyway
            click.echo(f"{job.entry.key}: saved as {stored.path.name}; its bibliography is not a .bib, "
                       f"so set its access date by hand")
            continue
        rel = stored.path.relative_to(bib_path.resolve().parent).as_posix()
        edits.setdefault(bib_path, ({}, job.entry.display_path))[0][job.entry.key] = {
            "file": rel, "urldate": when.date().isoformat()}
    for bib_path, (changes, shown) in edits.items():
        set_fields(bib_path, shown, changes)
    _summary(saved, failures, kept, no_url, changed, unchanged, refresh, edits)
    return 1 if failures else 0


async def _fetch_all(jobs: list[Job], **options) -> list[Response]:
    max_bytes = options.pop("max_bytes")
    show = sys.stderr.isatty()
    async with Fetcher(**options) as fetcher:
        with click.progressbar(length=len(jobs), label="Fetching sources", file=sys.stderr,
                               show_pos=True) if show else _NoBar() as bar:
            async def one(job: Job) -> Response:
                answer = await fetcher.request("GET", job.url, max_bytes=max_bytes, read_body=True)
                bar.update(1)
                return answer
            return await asyncio.gather(*(one(j) for j in jobs))


class _NoBar:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def update(self, n: int) -> None:
        pass


@dataclass
class Stored:
    key: str
    path: Path
    kind: str
    changed: bool


def _store(job: Job, answer: Response, root: Path, when: datetime) -> Stored:
    """Write the snapshot and its provenance beside the entry's .bib; SnapshotError says why not."""
    if answer.error is not None:
        raise SnapshotError(f"{job.url}: {answer.error}")
    if not 200 <= answer.status < 300:
        raise SnapshotError(f"{job.url}: answers {answer.status}")
    body = answer.content or b""
    content_type = answer.headers.get("content-type", "")
    suffix = kind_of(content_type, body)
    if suffix is None:
        raise SnapshotError(f"{job.url}: content type {content_type or 'unknown'!r} is not one citebrief "
                            f"reads ({', '.join(s for s in SUFFIXES if s != '.htm')})")
    if not body.strip():
        raise SnapshotError(f"{job.url}: the answer is empty")
    try:
        beside = Path(job.entry.path).parent if job.entry.path else root
        folder = confine(beside / SOURCES_DIR, root, "sources folder")
    except OutsideProject:
        raise SnapshotError("its .bib is outside the project folder: snapshots are kept inside it") from None
    folder.mkdir(parents=True, exist_ok=True)
    name = file_name(job.entry.key)
    path = folder / (name + suffix)
    sha = hashlib.sha256(body).hexdigest()
    changed = _previous_sha(job) != sha
    record = {"url": job.url, "final_url": answer.final_url, "retrieved": when.isoformat(timespec="seconds"),
              "sha256": sha, "content_type": content_type, "status": answer.status,
              "redirects": answer.redirects}
    from citebrief.compile.output import write_atomic
    try:
        if path.exists() and job.previous is None:
            raise SnapshotError(f"{path.name} already exists (not named by the entry): "
                                f"move it away or use --refresh")
        write_atomic(path, body)
        write_atomic(folder / (name + ".json"), (json.dumps(record, indent=2) + "\n").encode("utf-8"))
    except OSError as exc:
        raise SnapshotError(f"cannot write {path.name}: {exc.strerror or exc}") from None
    old = job.previous.path if job.previous is not None else None
    if old is not None and old != path.resolve() and old.parent == folder and old.stem == name:
        old.unlink(missing_ok=True)          # the old snapshot of another type, made by us
    return Stored(job.entry.key, path, suffix.lstrip("."), changed)


def _previous_sha(job: Job) -> str | None:
    if job.previous is None:
        return None
    try:
        record = job.previous.provenance()
        return record.sha256 if record and record.sha256 else job.previous.sha256()
    except SnapshotError:
        return None


def _fail(entry, message: str) -> None:
    click.echo(f"citebrief: {entry.display_path}:{entry.line}: {entry.key}: {message}", err=True)


def _summary(saved, failures, kept, no_url, changed, unchanged, refresh, edits) -> None:
    if saved:
        kinds = ", ".join(f"{n} {k.upper()}" for k, n in sorted(Counter(s.kind for s in saved).items()))
        bibs = ", ".join(shown for _, shown in edits.values()) or "no .bib"
        click.echo(f"Saved {len(saved)} snapshot{'s' * (len(saved) != 1)} ({kinds}); set file and urldate in {bibs}")
    if refresh and (changed or unchanged):
        click.echo(f"Changed since the last snapshot: {', '.join(changed) or 'none'}")
        if unchanged:
            click.echo(f"Unchanged: {', '.join(unchanged)}")
    if kept:
        click.echo(f"{len(kept)} already had a snapshot (--refresh fetches them again): {', '.join(kept)}")
    if no_url:
        click.echo(f"{len(no_url)} have no url to fetch (save a copy as sources/<key>.txt by hand): "
                   f"{', '.join(no_url)}")
    if failures:
        click.echo(f"{failures} failed (see above)", err=True)
    if not (saved or kept or no_url or failures):
        click.echo("No cited entries to snapshot.")


