"""``citebrief compile``: lint gate, one citeproc pass, then HTML, DOCX and PDF in parallel.

    brief.md ──lint gate──▶ pandoc --citeproc -t json (once) ──▶ render.prepare (shared AST changes)
                                                                   ├─▶ pdf.py   pandoc -t typst (in pieces,
                                                                   │            on every core) → typst
                                                                   ├─▶ html.py  pandoc -t html5
                                                                   └─▶ docx.py  pandoc -t docx
    each output: temporary name in out/ → os.replace (output.py); unchanged inputs: reused (cache.py)

``compile_paths`` compiles briefs (several in parallel) and returns the exit code; ``compile_brief``
compiles one. Both report through ``echo`` (click.echo's signature) so the CLI, ``bundle`` and
``watch`` can share them.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from citebrief.compile import cache as cache_mod
from citebrief.compile.output import atomic_path, brief_lock, ensure_dir
from citebrief.compile.render import FALLBACK_EPOCH, CiteprocRun, checked_in_front_matter, epoch_of, prepare
from citebrief.config import FORMATS, Config
from citebrief.errors import EXIT_FINDINGS, CitebriefError

if TYPE_CHECKING:
    from citebrief.engine import LintResult

Echo = Callable[..., None]
# longest first: the PDF chain (typst writer + typst) sets the pace, so it starts first
ORDER = ("pdf", "html", "docx")


@dataclass(frozen=True)
class Job:
    path: Path
    shown: str            # the brief as the user named it
    name: str             # output file stem


def _writer(fmt: str):
    if fmt == "pdf":
        from citebrief.compile.pdf import write_pdf
        return write_pdf
    if fmt == "html":
        from citebrief.compile.html import write_html
        return write_html
    from citebrief.compile.docx import write_docx
    return write_docx


def bibliographies(brief: Path, config: Config) -> list[Path]:
    """Front matter ``bibliography:`` (relative to the brief) wins over the project's."""
    from citebrief.parse.source import declared_bibliography

    declared = declared_bibliography(brief)
    if declared is not None:
        return [declared]
    default = config.path(config.bibliography)
    return [default.resolve()] if default.is_file() else []


def resolve_csl(csl: str | None, config: Config) -> Path | None:
    if csl:
        path, origin = Path(csl), "--csl"
    elif config.csl:
        path, origin = config.path(config.csl), "[tool.citebrief] csl"
    else:
        return None            # pandoc's built-in Chicago author-date
    if not path.is_file():
        raise CitebriefError(f"CSL style not found ({origin})", str(path))
    return path.resolve()


def _shown_out(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:   # pragma: no cover - another drive on Windows
        return str(path)


def compile_brief(job: Job, config: Config, formats: Sequence[str], *, lint: bool = True, force: bool = False,
                  csl: Path | None = None, quiet: bool = False, echo: Echo = click.echo,
                  linted: "LintResult | None" = None) -> int:
    """Compile one brief; returns its exit code (lint errors: 1). Failures raise CitebriefError.
    ``linted``: the brief's lint result when the caller has it already (the gate then reuses it)."""
    out_dir = config.path(config.out)
    cache_dir = cache_mod.cache_dir(out_dir)
    targets = {fmt: out_dir / f"{job.name}.{fmt}" for fmt in formats}
    try:
        source = job.path.read_bytes()
    except OSError as exc:
        raise CitebriefError(f"cannot read: {exc.strerror or exc}", job.shown) from exc
    user_epoch = cache_mod.source_date_epoch()
    checked = checked_in_front_matter(source)
    epoch = user_epoch if user_epoch is not None else epoch_of(checked) if checked else FALLBACK_EPOCH
    bibs = bibliographies(job.path, config)
    for bib in bibs:
        if not bib.is_file():
            raise CitebriefError(f"bibliography not found: {_shown_out(bib)}", job.shown)
    key = cache_mod.brief_key(job.path, bibs, csl, config, lint=lint, epoch=epoch)
    manifest_file = cache_mod.manifest_path(cache_dir, job.name)

    with brief_lock(cache_dir / f"{job.name}.lock"):
        manifest = cache_mod.Manifest.load(manifest_file)
        stale = [f for f in ORDER if f in formats and (force or not manifest.fresh(key, f, targets[f]))]
        if not stale:
            if not quiet:
                for fmt in formats:
                    echo(f"{job.shown} → {_shown_out(targets[fmt])}  unchanged (cached)")
            return 0

        started = time.perf_counter()
        run = CiteprocRun(job.path, bibs, csl, job.shown)       # citeproc runs while the gate lints
        try:
            if lint:
                code = lint_gate(job, config, echo, quiet, linted)
                if code:
                    run.cancel()
                    return code
            elif not quiet:
                echo(f"{job.shown}: lint gate skipped (--no-lint)", err=True)
            ast = run.result()
        except BaseException:
            run.cancel()
            raise
        prepared = prepare(ast, job.path, job.shown, config.limitation_headings)
        render_time = time.perf_counter() - started

        if manifest.key != key:
            manifest = cache_mod.Manifest(key=key)
        manifest.deps = prepared.deps
        failures: list[CitebriefError] = []

        def build(fmt: str) -> tuple[str, float]:
            t0 = time.perf_counter()
            with atomic_path(targets[fmt]) as tmp:
                _writer(fmt)(prepared, tmp, job.shown, epoch)
            return fmt, time.perf_counter() - t0 + (typst_time if fmt == "pdf" else 0.0)

        cores = os.cpu_count() or 1
        typst_time = 0.0
        if "pdf" in stale and cores > 1:
            # first the typst writer, on every core (pdf.py); then typst on one core while the html and
            # docx writers run on the others
            from citebrief.compile.pdf import typst_source
            t0 = time.perf_counter()
            try:
                prepared.typst = typst_source(prepared, job.shown, epoch, pieces=cores)
            except CitebriefError:
                prepared.typst = None      # reported by the PDF writer, which runs it again
            typst_time = time.perf_counter() - t0
        workers = max(1, min(len(stale), cores))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="writer") as pool:
            futures = [pool.submit(build, fmt) for fmt in stale]
            for fmt, future in zip(stale, futures):   # in a fixed order, so the report reads the same
                try:
                    _, seconds = future.result()
                except CitebriefError as exc:
                    failures.append(exc)
                except OSError as exc:
                    failures.append(CitebriefError(f"cannot write {_shown_out(targets[fmt])}: "
                                                   f"{exc.strerror or exc}", job.shown, exit_code=1))
                else:
                    manifest.outputs[fmt] = cache_mod.file_hash(targets[fmt])
                    if not quiet:
                        echo(f"{job.shown} → {_shown_out(targets[fmt])}  {render_time + seconds:.2f}s")
                    continue
                manifest.outputs.pop(fmt, None)
        for fmt in formats:
            if fmt not in stale and not quiet:
                echo(f"{job.shown} → {_shown_out(targets[fmt])}  unchanged (cached)")
        manifest.save(manifest_file)
    if failures:
        raise failures[0]
    return 0


def lint_gate(job: Job, config: Config, echo: Echo, quiet: bool, result: "LintResult | None" = None) -> int:
    """Lint the brief (unless ``result`` is given); with errors it is not compiled (exit 1) and the
    findings are shown."""
    from citebrief.engine import lint_paths
    from citebrief.reporters.text import render

    result = result or lint_paths([job.shown], config)
    if result.errors:
        echo(render(result), nl=False)
        echo(f"{job.shown}: not compiled: {result.errors} lint error{'s' if result.errors != 1 else ''} "
             f"(fix them, or pass --no-lint)", err=True)
        return EXIT_FINDINGS
    if result.warnings and not quiet:   # warnings do not stop a compile: one line, details in `lint`
        echo(f"{job.shown}: {result.warnings} lint warning{'s' if result.warnings != 1 else ''} "
             f"(see citebrief lint {job.shown})", err=True)
    return 0


class _Progress:
    """A one-line bar on stderr under the per-format lines, when many briefs compile on a terminal."""

    def __init__(self, total: int, echo: Echo, enabled: bool):
        self.total, self.done, self.echo, self.enabled = total, 0, echo, enabled
        self.lock = threading.Lock()

    def line(self, message: str = "", **kwargs) -> None:
        with self.lock:
            if self.enabled:
                sys.stderr.write("\r\033[K")
            self.echo(message, **kwargs)
            self._draw()

    def step(self) -> None:
        with self.lock:
            self.done += 1
            self._draw()

    def _draw(self) -> None:
        if self.enabled:
            width = 30
            filled = width * self.done // self.total
            sys.stderr.write(f"\r[{'#' * filled}{'-' * (width - filled)}] {self.done}/{self.total} briefs")
            sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


def compile_paths(paths: Sequence[str], config: Config, formats: Sequence[str] = (), *, lint: bool = True,
                  force: bool = False, csl: str | None = None, quiet: bool = False,
                  echo: Echo = click.echo, linted: "Mapping[Path, LintResult] | None" = None) -> int:
    """Compile every brief named (folders: every .md inside). Returns the exit code: 0 all compiled,
    1 if any brief failed its lint gate or could not be compiled, 2 for bad input (nothing compiled).
    ``linted`` maps resolved brief paths to lint results the caller already has (bundle)."""
    linted = linted or {}
    from citebrief.engine import collect_briefs

    formats = tuple(f for f in FORMATS if f in (formats or config.formats))
    if not formats:
        raise CitebriefError("no output format selected")
    csl_path = resolve_csl(csl, config)
    found = collect_briefs(list(paths), config)
    jobs, names = [], {}
    for path, shown in found:
        name = path.stem
        if name in names:
            raise CitebriefError(f"two briefs would write out/{name}.*: {names[name]} and {shown}", shown)
        names[name] = shown
        jobs.append(Job(path, shown, name))
    out_dir = config.path(config.out)
    ensure_dir(out_dir, _shown_out(out_dir))
    ensure_dir(cache_mod.cache_dir(out_dir), _shown_out(cache_mod.cache_dir(out_dir)))

    if len(jobs) == 1:
        return compile_brief(jobs[0], config, formats, lint=lint, force=force, csl=csl_path, quiet=quiet,
                             echo=echo, linted=linted.get(jobs[0].path.resolve()))

    progress = _Progress(len(jobs), echo, enabled=not quiet and len(jobs) >= 3 and sys.stderr.isatty())
    codes: list[int] = []
    with ThreadPoolExecutor(max_workers=max(1, min(len(jobs), os.cpu_count() or 1)),
                            thread_name_prefix="brief") as pool:
        futures = {pool.submit(compile_brief, job, config, formats, lint=lint, force=force, csl=csl_path,
                               quiet=quiet, echo=progress.line, linted=linted.get(job.path.resolve())): job
                   for job in jobs}
        for future in as_completed(futures):
            try:
                codes.append(future.result())
            except CitebriefError as exc:       # one failing brief does not stop the others
                progress.line(f"citebrief: error: {exc}", err=True)
                codes.append(max(exc.exit_code, EXIT_FINDINGS) if exc.exit_code else EXIT_FINDINGS)
            progress.step()
    progress.close()
    failed = sum(1 for c in codes if c)
    if failed and not quiet:
        echo(f"{failed} of {len(jobs)} briefs not compiled", err=True)
    return max(codes, default=0)
