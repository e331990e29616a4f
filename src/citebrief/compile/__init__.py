"""``citebrief compile``: lint gate, one citeproc pass, then HTML, DOCX and PDF in parallel.

    briefs ─read (limits, trust boundary)─▶ bibliographies (once per run) ─▶ citeproc.py: pandoc --citeproc
      │                                                                        (started now, in the background)
      └─▶ lint (once, every brief of the run: engine.py) ─▶ gate: a brief's own errors stop it
                                                           │  (--no-lint: no gate; errors make a DRAFT)
                                                           ▼
             status.py (DRAFT, Stale, the checks that passed) ─▶ transform.py (shared AST changes,
                 metadata as plain text, images checked, typography.py: ties and URL break points)
                ├─▶ pdf.py   pandoc -t typst (in pieces, on every core) → typst in a worker (limits;
                │            started after the gate, while citeproc ends: it waits for the source)
                ├─▶ html.py  pandoc -t html5 → sanitized whole (sanitize.py)
                └─▶ docx.py  pandoc -t docx
    each output: temporary name in out/ → os.replace (output.py); unchanged inputs: reused (cache.py)

``compile_paths`` compiles briefs (several in parallel) and returns the exit code. It reports through
``echo`` (click.echo's signature) so the CLI, ``bundle`` and ``watch`` can share it.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import click

from citebrief.bibliography import BibCache, BibFile
from citebrief.compile import cache as cache_mod
from citebrief.compile.citeproc import start_citeproc
from citebrief.compile.output import atomic_path, brief_lock, ensure_dir, shown_path
from citebrief.compile.status import Status, stale_age
from citebrief.compile.transform import prepare
from citebrief.compile.writers import Build
from citebrief.config import FORMATS, Config
from citebrief.engine import (
    BriefInput,
    LintResult,
    active_rules,
    collect_targets,
    display_path,
    lint_inputs,
    read_input,
)
from citebrief.errors import EXIT_FINDINGS, CitebriefError
from citebrief.findings import Severity
from citebrief.project import confine
from citebrief.timestamps import build_date, build_epoch
from citebrief.tools import PandocRun, TypstRun

Echo = Callable[..., None]
# longest first: the PDF chain (typst writer + typst) sets the pace, so it starts first
ORDER = ("pdf", "html", "docx")
# bytes of the prepared AST (about 10,000 words) from which the typst writer is run in pieces before the
# other writers start: below it, starting three pandoc processes costs more than it saves
SPLIT_TYPST_WRITER = 1_000_000


@dataclass
class Job:
    """One brief to compile, as read: its input, its outputs, and what the run learned about it."""

    input: BriefInput
    name: str                        # output file stem
    csl: Path | None
    key: str = ""                    # cache key (cache.py)
    citeproc: PandocRun | None = None
    typst: TypstRun | None = None        # typst's worker, waiting for the source (tools.TypstRun)
    build_dir: tempfile.TemporaryDirectory | None = None

    @property
    def shown(self) -> str:
        return self.input.shown


def _writer(fmt: str):
    if fmt == "pdf":
        from citebrief.compile.pdf import write_pdf
        return write_pdf
    if fmt == "html":
        from citebrief.compile.html import write_html
        return write_html
    from citebrief.compile.docx import write_docx
    return write_docx


def resolve_csl(csl: str | None, config: Config, inp: BriefInput) -> Path | None:
    """The citation style: --csl, else the brief's front-matter ``csl:``, else the configured one, else
    pandoc's built-in Chicago author-date. It must be a file inside the project."""
    front_csl = inp.front.text("csl")
    if csl:
        value, origin, base = csl, "--csl", Path.cwd()
    elif front_csl:
        value, origin, base = front_csl, inp.shown, inp.path.parent
    elif config.csl:
        value, origin, base = config.csl, "[tool.citebrief] csl", config.root
    else:
        return None
    resolved = confine(value, inp.root, "CSL style", origin, relative_to=base)
    if not resolved.is_file():
        raise CitebriefError("CSL style not found", value if origin != inp.shown else f"{inp.shown}: {value}")
    return resolved


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


# --- the run --------------------------------------------------------------------------------

def compile_paths(paths: Sequence[str], config: Config, formats: Sequence[str] = (), *, lint: bool = True,
                  force: bool = False, csl: str | None = None, quiet: bool = False,
                  echo: Echo = click.echo, linted: LintResult | None = None, today: date | None = None) -> int:
    """Compile every brief named (folders: every .md inside). Returns the exit code: 0 all compiled,
    1 if any brief failed its lint gate or could not be compiled, 2 for bad input (nothing compiled).
    ``linted``: a lint of these briefs the caller already has (bundle), so they are not linted twice.
    ``today``: the build date the stale mark counts from (default: timestamps.build_date())."""
    formats = tuple(f for f in FORMATS if f in (formats or config.formats))
    if not formats:
        raise CitebriefError("no output format selected")
    targets = collect_targets(list(paths), config)
    jobs: list[Job] = []
    names: dict[str, str] = {}
    for path, shown in targets.briefs:
        name = path.stem
        if name in names:
            raise CitebriefError(f"two briefs would write out/{name}.*: {names[name]} and {shown}", shown)
        names[name] = shown
        inp = read_input(path, shown, config)
        jobs.append(Job(inp, name, resolve_csl(csl, config, inp)))
    out_dir = config.path(config.out)
    ensure_dir(out_dir, shown_path(out_dir))
    ensure_dir(cache_mod.cache_dir(out_dir), shown_path(cache_mod.cache_dir(out_dir)))
    return _Compile(config, formats, out_dir, lint=lint, force=force, quiet=quiet, echo=echo,
                    today=today or build_date()).run(jobs, linted)


class _Compile:
    def __init__(self, config: Config, formats: tuple[str, ...], out_dir: Path, *, lint: bool, force: bool,
                 quiet: bool, echo: Echo, today: date):
        self.config, self.formats, self.out_dir = config, formats, out_dir
        self.lint, self.force, self.quiet, self.echo = lint, force, quiet, echo
        self.today = today                    # the build date: the stale mark counts from it
        self.cache_dir = cache_mod.cache_dir(out_dir)
        self.bibs = BibCache()
        self.share = os.cpu_count() or 1      # processes each brief may run at once (run() divides the cores)
        self.unlintable: set[Path] = set()    # briefs lint could not read alone (--no-lint): not tried again

    def targets(self, job: Job) -> dict[str, Path]:
        return {fmt: self.out_dir / f"{job.name}.{fmt}" for fmt in self.formats}

    def to_build(self, job: Job) -> list[str]:
        """The formats whose output is missing or out of date (all with --force)."""
        manifest = cache_mod.Manifest.load(cache_mod.manifest_path(self.cache_dir, job.name))
        targets = self.targets(job)
        return [f for f in ORDER if f in self.formats and (self.force or not manifest.fresh(job.key, f, targets[f]))]

    def run(self, jobs: list[Job], linted: LintResult | None) -> int:
        for job in jobs:
            job.key = cache_mod.brief_key(job.input.path, job.input.bibliographies, job.csl, self.config,
                                          lint=self.lint, epoch=build_epoch(job.input.front.checked),
                                          stale_days=self.stale_days(job))
        pending = [job for job in jobs if self.to_build(job)]
        cores = os.cpu_count() or 1
        self.share = max(1, cores // max(1, min(len(pending), cores)))   # one budget of cores, not briefs × cores
        try:
            for job in pending[:cores]:       # citeproc runs while lint reads the briefs
                self.start(job)
            if pending and linted is None:   # with --no-lint too: it decides the DRAFT mark (status.py)
                linted = self.lint_inputs([j.input for j in pending])
            if len(jobs) == 1:
                return self.compile(jobs[0], linted)
            return self.compile_many(jobs, linted, cores)
        finally:
            for job in jobs:
                self.finish(job)

    def stale_days(self, job: Job) -> int | None:
        return stale_age(job.input.front.checked, self.today, self.config.max_age_days)

    def lint_inputs(self, inputs: list[BriefInput]) -> LintResult | None:
        """The run's one lint. With --no-lint a brief lint cannot read is compiled anyway (as a draft)."""
        try:
            return lint_inputs(inputs, self.config, self.today, bibs=self.bibs)
        except CitebriefError:
            if self.lint:
                raise
            if len(inputs) == 1:
                self.unlintable.add(inputs[0].path)
            return None

    def status(self, job: Job, linted: LintResult | None) -> Status:
        """What the outputs say about the checks (status.py), from this run's lint of the brief."""
        stale_days, max_age = self.stale_days(job), self.config.max_age_days
        report = linted.report_for(job.input.path) if linted is not None else None
        if report is None:
            return Status(linted=False, stale_days=stale_days, max_age_days=max_age)
        errors = [f for f in report.findings if f.severity is Severity.ERROR]
        return Status(errors=len(errors), error_rules=tuple(sorted({f.rule for f in errors})),
                      rules=frozenset(r.name for r in active_rules(self.config)), claims=report.claims,
                      stale_days=stale_days, max_age_days=max_age)

    def snapshot_deps(self, job: Job, linted: LintResult | None) -> dict[str, str]:
        """The snapshots (and places snapshots could appear) of the entries the brief cites, with their
        hashes: what lint's evidence checks read, so a change there rebuilds the brief."""
        from citebrief.evidence.snapshots import dependencies

        report = linted.report_for(job.input.path) if linted is not None else None
        if report is None or report.bibliography is None:
            return {}
        entries = report.bibliography.entries
        paths = {p for key in dict.fromkeys(c.key for c in report.brief.citations) if key in entries
                 for p in dependencies(entries[key], self.config)}
        return {str(p): cache_mod.maybe_hash(p) for p in sorted(paths)}

    def start(self, job: Job) -> None:
        """Read the brief's bibliographies (once per run) and start its citeproc pass."""
        if job.citeproc is not None:
            return
        files = [self.bibs.get(p, display_path(p)) for p in job.input.bibliographies]
        for f in files:
            if f.unsafe:                   # e.g. a crossref loop: pandoc would run out of memory on it
                raise CitebriefError(f"{f.display_path}: {f.unsafe[0]} (fix the bibliography)", job.shown,
                                     exit_code=1)
        job.build_dir = tempfile.TemporaryDirectory(prefix="citebrief-")
        build = Path(job.build_dir.name)
        job.citeproc = start_citeproc(job.input.source, job.input.front, _utf8(files, build), job.csl, build,
                                      job.shown, self.config.limits)

    def finish(self, job: Job) -> None:
        if job.citeproc is not None:
            job.citeproc.cancel()
            job.citeproc = None
        if job.typst is not None:
            job.typst.cancel()
            job.typst = None
        if job.build_dir is not None:
            job.build_dir.cleanup()
            job.build_dir = None

    def compile_many(self, jobs: list[Job], linted: LintResult | None, cores: int) -> int:
        progress = _Progress(len(jobs), self.echo, enabled=not self.quiet and len(jobs) >= 3 and sys.stderr.isatty())
        self.echo = progress.line
        codes: list[int] = []
        with ThreadPoolExecutor(max_workers=max(1, min(len(jobs), cores)), thread_name_prefix="brief") as pool:
            futures = {pool.submit(self.compile, job, linted): job for job in jobs}
            for future in as_completed(futures):
                try:
                    codes.append(future.result())
                except CitebriefError as exc:       # one failing brief does not stop the others
                    progress.line(f"citebrief: error: {exc}", err=True)
                    codes.append(max(exc.exit_code, EXIT_FINDINGS) if exc.exit_code else EXIT_FINDINGS)
                progress.step()
        progress.close()
        failed = sum(1 for c in codes if c)
        if failed and not self.quiet:
            self.echo(f"{failed} of {len(jobs)} briefs not compiled", err=True)
        return max(codes, default=0)

    def compile(self, job: Job, linted: LintResult | None) -> int:
        """Compile one brief; returns its exit code (lint errors: 1). Failures raise CitebriefError."""
        try:
            return self._compile(job, linted)
        finally:
            self.finish(job)

    def _compile(self, job: Job, linted: LintResult | None) -> int:
        targets = self.targets(job)
        with brief_lock(self.cache_dir / f"{job.name}.lock"):
            formats = self.to_build(job)     # again, under the lock: another compile may have just built them
            if not formats:
                if not self.quiet:
                    for fmt in self.formats:
                        self.echo(f"{job.shown} → {shown_path(targets[fmt])}  unchanged (cached)")
                return 0
            started = time.perf_counter()
            self.start(job)
            if ((linted is None or linted.report_for(job.input.path) is None)
                    and job.input.path not in self.unlintable):
                # not linted with the others (built meanwhile), or their lint failed (--no-lint): alone
                linted = self.lint_inputs([job.input])
            if self.lint:
                assert linted is not None          # with the gate on, a lint that cannot run raised
                code = self.gate(job, linted)
                if code:
                    return code
            status = self.status(job, linted)
            if not self.lint and not self.quiet:
                marked = ", outputs marked DRAFT" if status.draft else ""
                self.echo(f"{job.shown}: lint gate skipped (--no-lint){marked}", err=True)
            assert job.citeproc is not None and job.build_dir is not None    # self.start(job) made them
            if "pdf" in formats:     # typst's worker starts up on the core lint has left, while citeproc ends
                job.typst = TypstRun(Path(job.build_dir.name), timestamp=build_epoch(job.input.front.checked),
                                     shown=job.shown, limits=self.config.limits)
            prepared = prepare(job.citeproc.result(), job.input.path, job.input.root, job.shown,
                               self.config.limitation_headings, status)
            build = Build(prepared, job.shown, build_epoch(job.input.front.checked), Path(job.build_dir.name),
                          self.config.limits, job.typst)
            failures = self.write(job, build, formats, targets, started, self.snapshot_deps(job, linted))
        if failures:
            raise failures[0]
        return 0

    def gate(self, job: Job, linted: LintResult) -> int:
        """A brief with lint errors of its own (its text, the entries it cites, the files it reads) is not
        compiled (exit 1) and its findings are shown; warnings are one line."""
        from citebrief.reporters.text import render

        result = linted.only(job.input.path)
        if result.errors:
            self.echo(render(result), nl=False)
            self.echo(f"{job.shown}: not compiled: {_plural(result.errors, 'lint error')} "
                      f"(fix {'it' if result.errors == 1 else 'them'}, or pass --no-lint)", err=True)
            return EXIT_FINDINGS
        if result.warnings and not self.quiet:
            self.echo(f"{job.shown}: {_plural(result.warnings, 'lint warning')} (see citebrief lint {job.shown})",
                      err=True)
        return 0

    def write(self, job: Job, build: Build, formats: list[str], targets: dict[str, Path],
              started: float, deps: dict[str, str]) -> list[CitebriefError]:
        manifest_file = cache_mod.manifest_path(self.cache_dir, job.name)
        manifest = cache_mod.Manifest.load(manifest_file)
        if manifest.key != job.key:
            manifest = cache_mod.Manifest(key=job.key)
        manifest.deps = {str(i.path): i.digest for i in build.prepared.images} | deps
        render_time = time.perf_counter() - started
        typst_time = 0.0
        if "pdf" in formats and self.share > 1 and len(build.prepared.ast) >= SPLIT_TYPST_WRITER:
            # a long brief: first the typst writer, on this brief's share of the cores (pdf.py); then
            # typst on one core while the html and docx writers run on the others. A shorter one's
            # typst writer runs in the PDF's own job, beside the other writers from the start.
            from citebrief.compile.pdf import typst_source
            t0 = time.perf_counter()
            try:
                build.prepared.typst = typst_source(build, pieces=self.share)
            except CitebriefError:
                build.prepared.typst = None      # reported by the PDF writer, which runs it again
            typst_time = time.perf_counter() - t0

        def one(fmt: str) -> float:
            t0 = time.perf_counter()
            with atomic_path(targets[fmt]) as tmp:
                _writer(fmt)(build, tmp)
            return time.perf_counter() - t0 + (typst_time if fmt == "pdf" else 0.0)

        failures: list[CitebriefError] = []
        with ThreadPoolExecutor(max_workers=max(1, min(len(formats), self.share)), thread_name_prefix="writer") as pool:
            futures = [pool.submit(one, fmt) for fmt in formats]
            for fmt, future in zip(formats, futures):   # in a fixed order, so the report reads the same
                try:
                    seconds = future.result()
                except CitebriefError as exc:
                    failures.append(exc)
                except OSError as exc:
                    failures.append(CitebriefError(f"cannot write {shown_path(targets[fmt])}: "
                                                   f"{exc.strerror or exc}", job.shown, exit_code=1))
                else:
                    manifest.outputs[fmt] = cache_mod.file_hash(targets[fmt])
                    if not self.quiet:
                        self.echo(f"{job.shown} → {shown_path(targets[fmt])}  {render_time + seconds:.2f}s")
                    continue
                manifest.outputs.pop(fmt, None)
        for fmt in self.formats:
            if fmt not in formats and not self.quiet:
                self.echo(f"{job.shown} → {shown_path(targets[fmt])}  unchanged (cached)")
        manifest.save(manifest_file)
        return failures


def _utf8(files: list[BibFile], build: Path) -> list[Path]:
    """The bibliography paths citeproc reads: a file read as Latin-1 is handed over as a UTF-8 copy
    (pandoc's citeproc accepts UTF-8 only)."""
    paths = []
    for i, f in enumerate(files):
        if f.encoding != "utf-8":
            copy = build / f"bibliography-{i}{f.path.suffix}"
            copy.write_text(f.path.read_bytes().decode("latin-1"), encoding="utf-8")
            paths.append(copy)
        else:
            paths.append(f.path)
    return paths


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
