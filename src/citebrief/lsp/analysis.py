"""One open document linted as ``citebrief lint`` lints it, with the editor's unsaved buffers in place
of the files on disk, so the editor and CI never disagree.

- a brief: ``citebrief lint brief.md`` — its own findings and those of the entries and files it uses;
- a bibliography: ``citebrief lint references.bib`` — every entry of it, with the briefs of the
  manuscript folder that use it (their citations decide ``unused-entry``).

Nothing here knows about the protocol: these are plain functions the server runs in worker threads.
Bibliographies are parsed once and kept while they are unchanged (:class:`BibStore`), so a keystroke
in a brief costs a pandoc parse, not a re-read of a 2,000-entry ``.bib``.
"""

from __future__ import annotations

import copy
import dataclasses
import os
import threading
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from citebrief.bibliography import (
    BIBTEX,
    READERS,
    BibCache,
    BibFile,
    Bibliography,
    bibliography_paths,
    load_bibliography,
)
from citebrief.config import Config, load_config
from citebrief.engine import BriefInput, BriefReport, collect_targets, display_path, lint_inputs, read_input
from citebrief.errors import CitebriefError
from citebrief.evidence.snapshots import DECLARES_FILES
from citebrief.findings import Finding
from citebrief.frontmatter import read_front_matter
from citebrief.parse.source import BOM, read_text
from citebrief.project import confine, project_root

BIBLIOGRAPHY_SUFFIXES = frozenset(BIBTEX | set(READERS))
BRIEF_SUFFIXES = frozenset({".md", ".markdown"})


@dataclass
class Buffers:
    """The editor's open documents: resolved path → text, and which of them have unsaved changes."""

    texts: dict[Path, str] = field(default_factory=dict)
    dirty: set[Path] = field(default_factory=set)

    def unsaved(self, path: Path) -> str | None:
        return self.texts.get(path) if path in self.dirty else None


@dataclass
class Analysis:
    """What one lint of one open document found."""

    path: Path                               # the document (resolved)
    text: str                                # its text as linted (the editor's buffer)
    findings: list[Finding] = field(default_factory=list)
    files: dict[str, Path] = field(default_factory=dict)   # a finding's path → the file it names
    report: BriefReport | None = None        # a brief's parse and bibliography (completion, hover, actions)
    config: Config | None = None
    error: CitebriefError | None = None      # bad input: shown as one diagnostic
    relevant: bool = True                    # False: a .json/.yaml file that is no brief's bibliography
    notes: list[str] = field(default_factory=list)   # one-line messages for the editor's log

    def file_of(self, shown: str) -> Path:
        found = self.files.get(shown)
        return found if found is not None else Path(os.path.abspath(shown)).resolve()

    @property
    def bibliography_files(self) -> list[Path]:
        bib = self.report.bibliography if self.report else None
        return [f.path.resolve() for f in bib.files if not f.inline] if bib else []


def is_brief(path: Path, language_id: str | None = None) -> bool:
    return path.suffix.lower() in BRIEF_SUFFIXES or (language_id or "").lower() in ("markdown", "pandoc")


def is_bibliography_file(path: Path) -> bool:
    return path.suffix.lower() in BIBLIOGRAPHY_SUFFIXES


# --- bibliographies, parsed once while unchanged -------------------------------------------

class BibStore:
    """Parsed bibliography files kept across lint runs, keyed by the file's state: its size and
    modification time on disk, or the unsaved text of its editor buffer. Thread-safe.

    Each run gets its own copies of the entries (``fresh``): the evidence checks remember an entry's
    snapshot in its ``memo`` for as long as the Entry lives (evidence/snapshots.lookup, "one run"), so
    a snapshot saved since the last keystroke must meet a new Entry to be found."""

    def __init__(self):
        self._files: dict[Path, tuple[object, BibFile | CitebriefError]] = {}
        self._lock = threading.Lock()

    def load(self, path: Path, shown: str, text: str | None = None, fresh: bool = True) -> BibFile:
        path = path.resolve()
        stamp = ("buffer", text) if text is not None else _disk_stamp(path)     # the buffer's own str: no copy
        with self._lock:
            kept = self._files.get(path)
        if kept is not None and kept[0] == stamp:
            result = kept[1]
        else:
            try:
                result = load_bibliography(path, shown, text=text)
            except CitebriefError as exc:
                result = exc
            with self._lock:
                self._files[path] = (stamp, result)
        if isinstance(result, CitebriefError):
            raise result
        return _fresh(result) if fresh else result


def _fresh(bib: BibFile) -> BibFile:
    """The same file with its own Entry objects, each with an empty ``memo``, and a file memo holding
    only what its loader found in the text (the fields themselves are shared, never changed)."""
    clone = copy.copy(bib)
    clone.memo = {k: v for k, v in bib.memo.items() if k == DECLARES_FILES}
    clone.entries = {key: dataclasses.replace(entry, memo={}, file_memo=clone.memo)
                     for key, entry in bib.entries.items()}
    return clone


def _disk_stamp(path: Path):
    try:
        st = path.stat()
        return ("disk", st.st_mtime_ns, st.st_size)
    except OSError:
        return ("missing",)


def _run_cache(store: BibStore, buffers: Buffers, fresh: bool = True) -> BibCache:
    """The engine's per-run cache, filled from the store (and from unsaved buffers) instead of disk."""
    return BibCache(lambda path, shown: store.load(path, shown, buffers.unsaved(path), fresh))


# --- reading a brief as the editor has it -------------------------------------------------------

def _brief_input(path: Path, config: Config, buffers: Buffers) -> BriefInput:
    """The brief as ``citebrief lint`` would read it: a saved brief from disk (so a file that is not
    UTF-8 text is refused as CI refuses it), an unsaved one from the editor's buffer."""
    shown = display_path(path)
    text = buffers.texts.get(path)
    if text is None or path not in buffers.dirty:
        try:
            inp = read_input(path, shown, config)
        except CitebriefError:
            if text is None or path.exists():     # a new brief not saved yet: its buffer is all there is
                raise
        else:
            if text is None or inp.source == (text[1:] if text.startswith(BOM) else text):
                return inp
    return read_input(path, shown, config, text=text)


# --- the two analyses ---------------------------------------------------------------------------

def analyse_brief(path: Path, buffers: Buffers, store: BibStore, today: date | None = None) -> Analysis:
    """``citebrief lint <brief>`` with the editor's buffers."""
    text = buffers.texts.get(path, "")
    analysis = Analysis(path, text)
    try:
        config = analysis.config = load_config(path.parent)
        inp = _brief_input(path, config, buffers)
        result = lint_inputs([inp], config, today, bibs=_run_cache(store, buffers))
    except CitebriefError as exc:
        analysis.error = exc
        return analysis
    report = result.reports[0]
    analysis.report, analysis.findings = report, list(report.findings)
    analysis.files = _files_of([report])
    return analysis


def analyse_bibliography(path: Path, buffers: Buffers, store: BibStore, today: date | None = None,
                         known: frozenset[Path] = frozenset()) -> Analysis:
    """``citebrief lint <bibliography>`` with the editor's buffers. A ``.json`` or ``.yaml`` file is
    linted only when it is a bibliography: the configured one, one an open brief uses (``known``) or
    one a brief of the manuscript folder names."""
    analysis = Analysis(path, buffers.texts.get(path, ""))
    shown = display_path(path)
    try:
        config = analysis.config = load_config(path.parent)
        if path.is_file():
            targets = collect_targets([shown], config)
            whole, users = targets.whole_bibs, targets.briefs
        else:                                    # not saved yet: nobody uses it
            whole, users = [(path, shown)], []
        if path.suffix.lower() not in BIBTEX and not users and path not in known \
                and path != config.path(config.bibliography).resolve():
            analysis.relevant = False
            return analysis
        inputs = []
        for brief, _shown in users:
            try:
                inputs.append(_brief_input(brief.resolve(), config, buffers))
            except CitebriefError as exc:        # that brief's own lint reports it
                analysis.notes.append(f"{shown}: skipped a brief that uses it: {exc}")
        result = lint_inputs(inputs, config, today, whole_bibs=whole, bibs=_run_cache(store, buffers))
    except CitebriefError as exc:
        analysis.error = exc
        return analysis
    analysis.files = _files_of(result.reports)
    analysis.files.setdefault(shown, path)
    analysis.findings = [f for f in result.findings if analysis.file_of(f.path) == path]
    return analysis


def _files_of(reports: list[BriefReport]) -> dict[str, Path]:
    files: dict[str, Path] = {}
    for report in reports:
        files[report.brief.display_path] = report.brief.path.resolve()
        if report.bibliography is not None:
            for f in report.bibliography.files:
                files.setdefault(f.display_path, f.path.resolve())
    return files


def bibliography_of(path: Path, buffers: Buffers, store: BibStore, fresh: bool = True) -> Bibliography | None:
    """The bibliography the brief's current front matter names, without linting it (completion,
    hover): ``read_input``'s steps but the nesting check over the body, which a key lookup does not
    need and which would cost a 100,000-word brief a tenth of a second per keystroke."""
    config = load_config(path.parent)
    shown = display_path(path)
    root = project_root(config.root, path)
    confine(path, root, "brief", shown)
    text = buffers.texts.get(path)
    source = read_text(path, shown, config.max_input_bytes) if text is None else text
    front = read_front_matter(source[1:] if source.startswith(BOM) else source, shown)
    paths = bibliography_paths(front, path, shown, config, root)
    return _run_cache(store, buffers, fresh).for_brief(paths, display_path, front, path, shown)
