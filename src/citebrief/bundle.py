"""``citebrief bundle``: finished briefs, compiled and packaged for readers in ``out/dist/``.

    briefs ──lint_paths, once for all (summary, stale rule)──▶ compile_paths (the same lint as its gate;
        cache: out/<brief>.*)
        ──▶ out/.dist.<pid>.<id>.tmp/   <brief>-<checked>.pdf|.docx|.html, index.html, manifest.json,
                                        <name>.zip (reproducible)
        ──▶ swapped in as out/dist/ (rename-exchange), so no file of an older bundle lingers

Nothing is written into ``out/dist/`` unless every brief passes: a stale brief (without
``--allow-stale``) or one with lint errors ends the run with exit 1 and the old bundle untouched.
Everything written is a function of the inputs (and "today", for the stale rule): no wall-clock
time, sorted keys and entries, fixed zip timestamps and permissions.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import html
import io
import json
import os
import re
import shutil
import sys
import time
import unicodedata
import uuid
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from string import Template

import click

from citebrief import __version__
from citebrief.bibliography import Entry
from citebrief.compile import cache as cache_mod
from citebrief.compile import compile_paths
from citebrief.compile.html import with_pdf_link
from citebrief.compile.output import brief_lock, ensure_dir, shown_path, write_atomic
from citebrief.compile.status import checks_sentence, never_checked
from citebrief.config import FORMATS, Config
from citebrief.engine import BriefReport, active_rules, lint_paths
from citebrief.errors import EXIT_FINDINGS, CitebriefError
from citebrief.reporters._common import percent
from citebrief.timestamps import FALLBACK_EPOCH, epoch_of, format_date, source_date_epoch
from citebrief.tools import pandoc_version, typst_version

TEMPLATE = Path(__file__).resolve().parent / "templates" / "bundle" / "index.html"
DIST = "dist"
LAST_ZIP_EPOCH = 4354819198          # 2107-12-31 23:59:58: the latest date a ZIP can hold
FORMAT_LABELS = {"pdf": "PDF", "docx": "Word (DOCX)", "html": "Web page (HTML)"}
MEDIA_TYPES = {"pdf": "application/pdf", "html": "text/html",
               "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
ORDER = ("html", "pdf", "docx")      # how formats are listed to readers


@dataclass
class Source:
    key: str
    title: str | None
    url: str | None


@dataclass
class BriefInfo:
    path: Path
    shown: str
    stem: str
    title: str
    subtitle: str | None
    checked: date | None
    age: int | None                                   # days since checked, as of "today"
    stale: bool
    lint: BriefReport                                  # what the run's one lint found for this brief
    sources: list[Source] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)     # format -> file name in the bundle

    @property
    def coverage(self) -> float | None:
        """Share of claims cited, in percent (None when the brief has no claims)."""
        if not self.lint.claims:
            return None
        return round(100 * self.lint.cited_claims / self.lint.claims, 1)

    @property
    def day(self) -> date:
        """The checked date (a brief without one never gets this far: missing-check-date stops it)."""
        assert self.checked is not None
        return self.checked

    def file_name(self, fmt: str) -> str:
        return f"{safe_name(self.stem)}-{self.day.isoformat()}.{fmt}"


SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def safe_name(stem: str) -> str:
    """A brief's name as a bundle file and zip entry may carry it: ASCII letters, digits, '.', '_', '-'
    (accents dropped, anything else, a backslash or a control character included, becomes '-')."""
    ascii_only = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    cleaned = re.sub(r"-{2,}", "-", re.sub(r"[^A-Za-z0-9._-]", "-", ascii_only)).strip(".-_")
    return cleaned or "brief"


# --- the command ------------------------------------------------------------------------------

def bundle_paths(paths: Sequence[str], config: Config, *, name: str | None = None, allow_stale: bool = False,
                 today: date | None = None, quiet: bool = False, echo=click.echo, title: str | None = None) -> int:
    """Compile the briefs and write ``out/dist/``. Returns the exit code (0 bundled, 1 a brief stale or
    failing its lint gate: nothing written to out/dist/); bad input raises CitebriefError (exit 2).
    ``title`` (--title) wins over ``[tool.citebrief] title`` for the index page."""
    config = config.with_overrides(title=title)
    today = today or date.today()
    bundle_name = _bundle_name(name, config)
    result = lint_paths(list(paths), config, today=today)    # once: the compile gate reuses it
    infos = [_info(report, config, today) for report in result.reports]

    stale = [i for i in infos if i.stale]
    if stale and not allow_stale:
        for info in stale:
            echo(f"citebrief: error: {info.shown}: checked {info.day.isoformat()}, {info.age} days ago "
                 f"(more than max_age_days = {config.max_age_days}): stale, not bundled; re-check it and update "
                 f"`checked`, or bundle it anyway with --allow-stale", err=True)
        return EXIT_FINDINGS

    # the same compile as `citebrief compile`: lint gate, one citeproc pass, cache in out/.cache/
    code = compile_paths(list(paths), config, FORMATS, quiet=quiet, echo=echo, linted=result, today=today)
    failed = [i for i in infos if i.lint.errors]
    if code or failed:
        count = len(failed) or 1
        echo(f"citebrief: error: bundle not built: {count} of {len(infos)} brief{'s' if len(infos) != 1 else ''} "
             f"not compiled (out/{DIST}/ left as it was)", err=True)
        return max(code, EXIT_FINDINGS)

    for info in infos:
        if info.checked is None:   # missing-check-date is an error, so the gate stops this first
            raise CitebriefError("no `checked: YYYY-MM-DD` date in the front matter", info.shown, exit_code=1)
        info.sources = _sources(info)
        info.files = {fmt: info.file_name(fmt) for fmt in FORMATS}
        if info.stale and not quiet:
            echo(f"{info.shown}: stale (checked {info.day.isoformat()}, {info.age} days ago), "
                 f"bundled because of --allow-stale and marked stale", err=True)

    out_dir = config.path(config.out)
    dist = out_dir / DIST
    with brief_lock(cache_mod.cache_dir(out_dir) / "bundle.lock"):   # one bundle at a time per out/
        _remove_leftovers(out_dir)
        build = out_dir / f".{DIST}.{os.getpid()}.{uuid.uuid4().hex[:12]}.tmp"
        ensure_dir(build, shown_path(build))
        try:
            zip_name = _build(build, infos, config, bundle_name, today)
            _swap_in(build, dist)
        finally:
            shutil.rmtree(build, ignore_errors=True)   # the half-built bundle, or the old one after the swap
    if not quiet:
        files = sum(len(i.files) for i in infos)
        echo(f"Bundled {len(infos)} brief{'s' if len(infos) != 1 else ''} into {shown_path(dist)}{os.sep}: "
             f"{files} files, index.html, manifest.json, {zip_name} ({_size_text((dist / zip_name).stat().st_size)})")
    return 0


def _bundle_name(name: str | None, config: Config) -> str:
    if name is not None:
        if not SAFE_NAME.fullmatch(name) or name.endswith("."):
            raise CitebriefError(f"--name must be letters, digits, '.', '_' or '-' (not {name!r})")
        return name
    folder = config.root.resolve().name
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", folder).strip(".-_")
    return cleaned or "briefs"


def _info(report: BriefReport, config: Config, today: date) -> BriefInfo:
    brief = report.brief
    checked = brief.checked
    age = (today - checked).days if checked else None
    subtitle = brief.meta.get("subtitle")
    return BriefInfo(path=brief.path, shown=brief.display_path, stem=brief.path.stem,
                     title=_text(brief.title) or brief.path.stem, subtitle=_text(subtitle),
                     checked=checked, age=age, stale=age is not None and age > config.max_age_days, lint=report)


def _sources(info: BriefInfo) -> list[Source]:
    """The sources the brief cites (key, title, URL), from the bibliography lint read for it."""
    from citebrief.evidence.links import doi_url  # here: links.py brings the HTTP client along

    bib = info.lint.bibliography
    entries: dict[str, Entry] = bib.entries if bib is not None else {}
    sources = []
    for key in sorted({c.key for c in info.lint.brief.citations}):
        entry = entries.get(key)
        if entry is None:            # unknown-key is a lint error: the gate has stopped such a brief
            continue
        url, doi = entry.get("url"), entry.get("doi")
        if url is None and doi:
            url = doi_url(doi)
        sources.append(Source(key=key, title=entry.plain("title"), url=url))
    return sources


def _text(value: object) -> str | None:
    """A front-matter value (already plain text from pandoc) on one line, or None when empty."""
    if not isinstance(value, str):
        return None
    return " ".join(value.split()) or None


# --- building the bundle ----------------------------------------------------------------------

def _build(build: Path, infos: list[BriefInfo], config: Config, bundle_name: str, today: date) -> str:
    out_dir = config.path(config.out)
    named: dict[str, str] = {}
    for info in infos:                 # two names that differ only in unsafe characters must not collide
        first = named.setdefault(info.file_name("pdf"), info.shown)
        if first != info.shown:
            raise CitebriefError(f"two briefs would be bundled as {safe_name(info.stem)}-*: {first} and "
                                 f"{info.shown} (rename one)", info.shown)
    for info in infos:
        for fmt, file_name in info.files.items():
            compiled = out_dir / f"{info.stem}.{fmt}"    # where compile_brief writes it
            try:
                if fmt == "html" and "pdf" in info.files:   # reference managers find the PDF beside it
                    page = compiled.read_text(encoding="utf-8")
                    (build / file_name).write_text(with_pdf_link(page, info.files["pdf"]), encoding="utf-8",
                                                   newline="")
                    continue
                shutil.copyfile(compiled, build / file_name)
            except OSError as exc:
                raise CitebriefError(f"cannot copy {shown_path(compiled)} into the bundle: {exc.strerror or exc}",
                                     info.shown, exit_code=1) from exc

    versions = {"citebrief": __version__, "pandoc": pandoc_version(), "typst": typst_version()}
    index = render_index(infos, build, bundle_name, config, versions)
    (build / "index.html").write_bytes(index.encode("utf-8"))
    manifest = build_manifest(infos, build, bundle_name, config, versions, today)
    (build / "manifest.json").write_bytes(manifest)

    epoch = _zip_epoch(infos)
    zip_name = f"{bundle_name}.zip"
    members = sorted(p.name for p in build.iterdir() if p.is_file())
    write_atomic(build / zip_name, reproducible_zip(build, members, bundle_name, epoch))
    for p in build.iterdir():
        os.utime(p, (epoch, epoch))
    return zip_name


def _file_record(path: Path) -> dict:
    data = path.read_bytes()
    return {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}


def build_manifest(infos: list[BriefInfo], build: Path, bundle_name: str, config: Config, versions: dict,
                   today: date) -> bytes:
    """manifest.json: every file's hash and size, each brief's metadata, sources and lint summary."""
    briefs = []
    for info in sorted(infos, key=lambda i: i.stem):
        briefs.append({
            "brief": info.stem,
            "source": _project_path(info.path, config),
            "title": info.title,
            "subtitle": info.subtitle,
            "checked": info.day.isoformat(),
            "stale": info.stale,
            "files": dict(info.files),
            "sources": [{"key": s.key, "title": s.title, "url": s.url} for s in info.sources],
            "lint": {"claims": info.lint.claims, "cited_claims": info.lint.cited_claims,
                     "coverage": info.coverage, "errors": info.lint.errors, "warnings": info.lint.warnings},
        })
    files = {p.name: _file_record(p) for p in sorted(build.iterdir()) if p.is_file() and p.name != "manifest.json"}
    manifest = {
        "manifest_version": 1,
        "name": bundle_name,
        "versions": versions,
        "max_age_days": config.max_age_days,
        "stale_as_of": today.isoformat(),
        "briefs": briefs,
        "files": files,
    }
    return (json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def _project_path(path: Path, config: Config) -> str:
    try:
        return path.resolve().relative_to(config.root.resolve()).as_posix()
    except ValueError:
        return path.name


def _zip_epoch(infos: list[BriefInfo]) -> int:
    """SOURCE_DATE_EPOCH if set, else midnight UTC of the newest checked date (within ZIP's range)."""
    epoch = source_date_epoch()
    if epoch is None:
        epoch = max(epoch_of(i.day) for i in infos)
    return min(max(epoch, FALLBACK_EPOCH), LAST_ZIP_EPOCH)


def reproducible_zip(folder: Path, members: list[str], prefix: str, epoch: int) -> bytes:
    """The same bytes for the same files: sorted entries under ``<prefix>/``, one fixed timestamp,
    fixed permissions (0644, Unix), deflate level 9, no extra fields and no comment."""
    stamp = time.gmtime(epoch)[:6]
    buffer = io.BytesIO()
    unsafe = [n for n in (prefix, *members) if not SAFE_NAME.fullmatch(n)]
    if unsafe:        # every name is made safe before it gets here: this is the last line of defence
        raise CitebriefError(f"refusing an unsafe zip entry name {unsafe[0]!r}")
    with zipfile.ZipFile(buffer, "w") as zf:
        for member in sorted(members):
            info = zipfile.ZipInfo(f"{prefix}/{member}", date_time=stamp)
            info.create_system = 3                       # Unix, whatever system builds it
            info.external_attr = (0o100644 & 0xFFFF) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, (folder / member).read_bytes(), compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return buffer.getvalue()


# --- index.html -------------------------------------------------------------------------------

def render_index(infos: list[BriefInfo], build: Path, bundle_name: str, config: Config, versions: dict) -> str:
    """A self-contained page (inline CSS, no scripts) listing every brief, newest check first."""
    esc = html.escape
    ordered = sorted(infos, key=lambda i: (-i.day.toordinal(), i.title.lower(), i.stem))
    items = []
    for info in ordered:
        anchor = f"brief-{info.stem}"
        main_link = info.files.get("html") or next(iter(info.files.values()))
        parts = [f'<li class="brief{" stale" if info.stale else ""}" id="{esc(anchor)}">',
                 f'<article aria-labelledby="{esc(anchor)}-title">',
                 f'<h2 id="{esc(anchor)}-title"><a href="{esc(main_link)}">{esc(info.title)}</a></h2>']
        if info.subtitle:
            parts.append(f'<p class="subtitle">{esc(info.subtitle)}</p>')
        status = (f'<p class="status"><time datetime="{info.day.isoformat()}">Checked on '
                  f'{esc(format_date(info.day))}</time>')
        if info.stale:
            status += (f' <strong class="stale-badge">Stale</strong><span class="stale-note">Checked {info.age} '
                       f'days before this bundle was built, more than the {config.max_age_days} days allowed: '
                       f'facts may have changed since.</span>')
        parts.append(status + "</p>")
        coverage = info.coverage
        if coverage is None:
            cov_text = "no claims"
        else:
            cited, claims = info.lint.cited_claims, info.lint.claims
            cov_text = (f'{percent(cited, claims)} <small>({cited} of {claims} '
                        f'claim{"s" if info.lint.claims != 1 else ""})</small>')
        parts.append('<dl class="facts">'
                     f'<div><dt>Sources</dt><dd>{len(info.sources)}</dd></div>'
                     f'<div><dt>Citation coverage</dt><dd>{cov_text}</dd></div>'
                     f'<div><dt>Formats</dt><dd>{", ".join(f.upper() for f in ORDER if f in info.files)}</dd></div>'
                     '</dl>')
        links = []
        for fmt in ORDER:
            if fmt not in info.files:
                continue
            file_name = info.files[fmt]
            size = _size_text((build / file_name).stat().st_size)
            links.append(f'<li><a href="{esc(file_name)}" type="{MEDIA_TYPES[fmt]}"'
                         f'{"" if fmt == "html" else " download"}>{esc(FORMAT_LABELS[fmt])} '
                         f'<span class="size">{size}</span></a></li>')
        parts.append(f'<ul class="formats" aria-label="Download {esc(info.title)}">{"".join(links)}</ul>')
        parts.append("</article></li>")
        items.append("\n".join(parts))

    count = len(infos)
    dates = sorted(i.day for i in infos)
    when = (f"checked on {format_date(dates[0])}" if dates[0] == dates[-1]
            else f"checked between {format_date(dates[0])} and {format_date(dates[-1])}")
    n_stale = sum(i.stale for i in infos)
    if count == 1:
        lede = f"One brief, {when}, as a web page, PDF and Word file."
        if n_stale:
            lede += f" It is marked stale: checked more than {config.max_age_days} days before this bundle was built."
    else:
        lede = f"{count} briefs, {when}, each as a web page, PDF and Word file."
        if n_stale:
            lede += (f" {n_stale} {'is' if n_stale == 1 else 'are'} marked stale: checked more than "
                     f"{config.max_age_days} days before this bundle was built.")
    # a title set by the desk ([tool.citebrief] title, --title) heads the page; else the folder's name
    heading, kicker = (config.title.strip(), "Checked briefs") if config.title else ("Checked briefs", bundle_name)
    page_title = heading if config.title else f"Checked briefs: {bundle_name}"
    # the checks every brief passed: those of the rules that ran, in the words of each brief's footer (status.py)
    rules = {r.name for r in active_rules(config)}
    listed = checks_sentence(rules)
    checks = (f"Before it was compiled, each brief passed citebrief's checks with no errors: {listed}." if listed
              else "Each brief was compiled with citebrief; none of its citation checks was selected.")
    never = never_checked(rules, "the briefs say")
    return Template(TEMPLATE.read_text(encoding="utf-8")).substitute(
        page_title=esc(page_title), kicker=esc(kicker), heading=esc(heading), lede=esc(lede),
        briefs="\n".join(items), checks=esc(checks, quote=False), never_checked=esc(never, quote=False),
        citebrief=esc(versions["citebrief"]), pandoc=esc(versions["pandoc"]))


def _size_text(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / (1024 * 1024):.1f} MB"


# --- swapping the new bundle in -----------------------------------------------------------------

def _remove_leftovers(out_dir: Path) -> None:
    """Temporary folders of bundles that were killed (we hold the bundle lock: none is in use)."""
    for p in out_dir.glob(f".{DIST}.*.tmp"):
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p, ignore_errors=True)


def _swap_in(build: Path, dist: Path) -> None:
    """Make ``build`` the new ``dist``; afterwards ``build`` holds the old bundle (or nothing)."""
    if dist.is_symlink() or (dist.exists() and not dist.is_dir()):
        raise CitebriefError("exists and is not a folder: move it away to bundle here", shown_path(dist))
    if not dist.exists():
        os.rename(build, dist)
        return
    if _exchange(build, dist):      # one atomic step: readers see the old bundle or the new one
        return
    old = dist.with_name(f".{DIST}.old.{os.getpid()}.{uuid.uuid4().hex[:12]}.tmp")
    os.rename(dist, old)
    try:
        os.rename(build, dist)
    except OSError:
        os.rename(old, dist)
        raise
    with contextlib.suppress(OSError):
        os.rename(old, build)         # so the caller's clean-up removes it
    shutil.rmtree(old, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Linux ``renameat2(RENAME_EXCHANGE)``: swap two paths atomically. False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0
