"""The language server: pygls handles the protocol; this module decides when to lint and what to send.

When:
- a document is linted when it opens, when it is saved, and ``debounce`` seconds after the last
  change; a change to a bibliography re-lints the open briefs that use it, and a change to a brief
  the open bibliographies it uses (their ``unused-entry`` depends on its citations);
- linting runs in worker threads (pandoc runs in its own processes), never on the event loop, so
  completion, hover and typing stay answered while a 100,000-word brief is checked;
- one lint per document at a time: a change during a lint queues one more, and a result whose
  document has changed since it started is dropped, not shown.

What: each lint gives diagnostics per file (analysis.py, diagnostics.py). A file open in the editor
shows what its own lint says; a bibliography that is not open shows what the open briefs' lints say
about the entries they cite.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from citebrief import __version__
from citebrief.config import load_config
from citebrief.errors import CitebriefError, printable
from citebrief.lsp.actions import code_actions
from citebrief.lsp.analysis import (
    Analysis,
    BibStore,
    Buffers,
    analyse_bibliography,
    analyse_brief,
    bibliography_of,
    is_bibliography_file,
    is_brief,
)
from citebrief.lsp.diagnostics import diagnostics, positions_of
from citebrief.lsp.entries import detail, field_text, hover_markdown, key_at, partial_key
from citebrief.lsp.evidence import best_passage
from citebrief.lsp.positions import Positions, SentenceIndex

log = logging.getLogger("citebrief.lsp")

DEBOUNCE = 0.3          # seconds of quiet after the last keystroke before a lint
MAX_TEXT_BYTES = 64 * 1024 * 1024   # a file not open in the editor is read for line lengths up to this size
WATCHED = "**/*.{md,bib,bibtex,biblatex,json,yaml,yml}"


class CitebriefServer(LanguageServer):
    def __init__(self, *, debounce: float = DEBOUNCE, today: date | None = None):
        super().__init__("citebrief", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.debounce = debounce
        self.today = today
        self.store = BibStore()
        self.lints = ThreadPoolExecutor(max_workers=2, thread_name_prefix="citebrief-lint")
        self.requests = ThreadPoolExecutor(max_workers=2, thread_name_prefix="citebrief-request")
        self.uris: dict[Path, str] = {}                 # open documents: path → the client's URI
        self.languages: dict[Path, str] = {}
        self.dirty: set[Path] = set()                   # changed since opened or saved
        self.analyses: dict[Path, Analysis] = {}        # the last lint shown, per open document
        self.published: dict[Path, dict[Path, list[types.Diagnostic]]] = {}   # owner → file → diagnostics
        self.timers: dict[Path, asyncio.TimerHandle] = {}
        self.running: dict[Path, asyncio.Future] = {}
        self.again: set[Path] = set()
        self._positions: dict[Path, Positions] = {}
        self._rows: tuple[tuple, list[tuple[str, str, str]]] | None = None   # completion_rows' last answer

    # --- documents ---------------------------------------------------------------------------
    def text(self, path: Path) -> str | None:
        uri = self.uris.get(path)
        return self.workspace.get_text_document(uri).source if uri else None

    def doc_version(self, path: Path) -> int | None:
        uri = self.uris.get(path)
        return self.workspace.get_text_document(uri).version if uri else None

    def buffers(self) -> Buffers:
        return Buffers({p: self.workspace.get_text_document(u).source for p, u in self.uris.items()}, set(self.dirty))

    def file_text(self, path: Path) -> str:
        """A file's text for line lengths: the editor's buffer, else the file (empty if unreadable)."""
        text = self.text(path)
        if text is not None:
            return text
        try:
            if path.stat().st_size > MAX_TEXT_BYTES:
                return ""
            data = path.read_bytes()
        except OSError:
            return ""
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return data.decode("latin-1")

    def positions(self, path: Path, text: str) -> Positions:
        """The positions of an open document's text, kept while the text is the same."""
        kept = self._positions.get(path)
        if kept is None or kept.text is not text or kept.encoding != self.encoding:
            kept = self._positions[path] = Positions(text, self.encoding)
        return kept

    @property
    def encoding(self) -> str:
        return self.workspace.position_encoding or types.PositionEncodingKind.Utf16

    def log_message(self, message: str, kind: types.MessageType = types.MessageType.Warning) -> None:
        self.window_log_message(types.LogMessageParams(type=kind, message=printable(message)))

    # --- when to lint ------------------------------------------------------------------------
    def schedule(self, path: Path, delay: float) -> None:
        timer = self.timers.pop(path, None)
        if timer is not None:
            timer.cancel()
        if path not in self.uris:
            return
        if delay <= 0:
            self._start(path)
        else:
            self.timers[path] = asyncio.get_running_loop().call_later(delay, self._start, path)

    def schedule_related(self, path: Path, delay: float) -> None:
        """The open documents whose findings depend on ``path``: the briefs using a bibliography,
        the bibliographies a brief uses."""
        own = self.analyses.get(path)
        uses = own.bibliography_files if own is not None else []
        for other, analysis in list(self.analyses.items()):
            if other != path and (path in analysis.bibliography_files or other in uses):
                self.schedule(other, delay)

    def _start(self, path: Path) -> None:
        self.timers.pop(path, None)
        if path not in self.uris:
            return
        if path in self.running:                      # one lint per document: run again when it ends
            self.again.add(path)
            return
        self.running[path] = asyncio.ensure_future(self._lint(path))

    async def _lint(self, path: Path) -> None:
        try:
            version = self.doc_version(path)
            if is_brief(path, self.languages.get(path)):
                job = functools.partial(analyse_brief, path, self.buffers(), self.store, self.today)
            else:
                known = frozenset(f for a in self.analyses.values() for f in a.bibliography_files)
                job = functools.partial(analyse_bibliography, path, self.buffers(), self.store, self.today, known)
            analysis = await asyncio.get_running_loop().run_in_executor(self.lints, job)
            if path not in self.uris or self.doc_version(path) != version:
                log.debug("dropped a stale lint of %s", path)
                return
            self.publish(path, analysis, version)
            for note in analysis.notes:
                self.log_message(note)
        except Exception as exc:                      # a bug must cost one lint, never the server
            log.exception("lint of %s failed", path)
            self.log_message(f"citebrief: linting {path} failed: {type(exc).__name__}: {exc}", types.MessageType.Error)
        finally:
            self.running.pop(path, None)
            if path in self.again:
                self.again.discard(path)
                self._start(path)

    # --- what to show --------------------------------------------------------------------------
    def publish(self, owner: Path, analysis: Analysis, version: int | None) -> None:
        self.analyses[owner] = analysis
        found = diagnostics(analysis, self.file_text, self.encoding) if analysis.relevant else {owner: []}
        before = self.published.get(owner, {})
        self.published[owner] = found
        for path in dict.fromkeys([owner, *found, *before]):
            self.send(path, version if path == owner else None)

    def send(self, path: Path, version: int | None = None) -> None:
        """Publish ``path``'s diagnostics: its own lint's when it is open, else the open documents'."""
        if path in self.uris and path in self.published:
            found = list(self.published[path].get(path, []))
        else:
            found, seen = [], set()
            for owner, files in self.published.items():
                for d in files.get(path, []) if owner != path else []:
                    ident = (d.range.start.line, d.range.start.character, d.code, d.message)
                    if ident not in seen:
                        seen.add(ident)
                        found.append(d)
        uri = self.uris.get(path) or path.as_uri()
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=found,
                                                                              version=version))

    def forget(self, path: Path) -> None:
        """A document closed: its diagnostics go, and what it said about other files."""
        timer = self.timers.pop(path, None)
        if timer is not None:
            timer.cancel()
        self.uris.pop(path, None)
        self.languages.pop(path, None)
        self.dirty.discard(path)
        self.analyses.pop(path, None)
        self._positions.pop(path, None)
        before = self.published.pop(path, {})
        for other in dict.fromkeys([path, *before]):
            self.send(other)

    # --- requests --------------------------------------------------------------------------------
    async def in_worker(self, fn, *args):
        return await asyncio.get_running_loop().run_in_executor(self.requests, fn, *args)

    def bibliography(self, path: Path, buffers: Buffers, fresh: bool = True):
        """The bibliography the brief's current text names (falls back on the last lint's)."""
        try:
            return bibliography_of(path, buffers, self.store, fresh)
        except CitebriefError:
            analysis = self.analyses.get(path)
            return analysis.report.bibliography if analysis and analysis.report else None

    def completion_rows(self, bib) -> list[tuple[str, str, str]]:
        """(key, "Author (year)", title) of every entry, sorted; kept while the bibliography's files
        are the same objects (the store hands out the same parsed file until it changes)."""
        files = tuple(bib.files)
        if self._rows is None or len(self._rows[0]) != len(files) or \
                any(a is not b for a, b in zip(self._rows[0], files)):
            rows = [(key, detail(entry), field_text(entry, "title")) for key, entry in sorted(bib.entries.items())]
            self._rows = (files, rows)
        return self._rows[1]

    def current(self, path: Path) -> Analysis | None:
        """The last lint of ``path`` if it read the editor's current text (else offsets have moved)."""
        analysis = self.analyses.get(path)
        if analysis is None or analysis.report is None or analysis.text != self.text(path):
            return None
        return analysis


def path_of(uri: str) -> Path | None:
    """The file of a ``file:`` URI (None for unsaved "untitled:" buffers and other schemes)."""
    fs = to_fs_path(uri) if uri.startswith("file:") else None
    return Path(fs).resolve() if fs else None


def make_server(*, debounce: float = DEBOUNCE, today: date | None = None) -> CitebriefServer:
    server = CitebriefServer(debounce=debounce, today=today)

    @server.feature(types.INITIALIZED)
    async def initialized(ls: CitebriefServer, _params: types.InitializedParams):
        caps = ls.client_capabilities.workspace
        watched = caps.did_change_watched_files if caps else None
        if watched and watched.dynamic_registration:      # bibliographies changed outside the editor
            try:
                await ls.client_register_capability_async(types.RegistrationParams(registrations=[
                    types.Registration(id="citebrief-files", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                                       register_options=types.DidChangeWatchedFilesRegistrationOptions(
                                           watchers=[types.FileSystemWatcher(glob_pattern=WATCHED)]))]))
            except Exception as exc:
                log.info("file watching not registered: %s", exc)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: CitebriefServer, params: types.DidOpenTextDocumentParams):
        doc = params.text_document
        path = path_of(doc.uri)
        if path is None or not (is_brief(path, doc.language_id) or is_bibliography_file(path)):
            return
        ls.uris[path], ls.languages[path] = doc.uri, doc.language_id
        ls.schedule(path, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: CitebriefServer, params: types.DidChangeTextDocumentParams):
        path = path_of(params.text_document.uri)
        if path in ls.uris:
            ls.dirty.add(path)
            ls.schedule(path, ls.debounce)
            ls.schedule_related(path, ls.debounce)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: CitebriefServer, params: types.DidSaveTextDocumentParams):
        path = path_of(params.text_document.uri)
        if path in ls.uris:
            ls.dirty.discard(path)
            ls.schedule(path, 0)
            ls.schedule_related(path, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: CitebriefServer, params: types.DidCloseTextDocumentParams):
        path = path_of(params.text_document.uri)
        if path in ls.uris:
            ls.forget(path)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def files_changed(ls: CitebriefServer, params: types.DidChangeWatchedFilesParams):
        changed = {p for p in (path_of(c.uri) for c in params.changes) if p is not None}
        if changed and any(is_bibliography_file(p) or is_brief(p) for p in changed):
            for path in list(ls.uris):
                if path not in changed or path not in ls.dirty:
                    ls.schedule(path, ls.debounce)

    @server.feature(types.SHUTDOWN)
    def shutdown(ls: CitebriefServer, _params):
        for timer in ls.timers.values():
            timer.cancel()
        ls.timers.clear()
        ls.lints.shutdown(wait=False, cancel_futures=True)
        ls.requests.shutdown(wait=False, cancel_futures=True)

    @server.feature(types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=["@"]))
    async def completion(ls: CitebriefServer, params: types.CompletionParams):
        path = path_of(params.text_document.uri)
        text = ls.text(path) if path else None
        if path is None or text is None or not is_brief(path, ls.languages.get(path)):
            return None
        pos = ls.positions(path, text)
        offset = pos.offset(params.position)
        found = partial_key(text, offset)
        if found is None:
            return None
        start, braced = found
        bib = await ls.in_worker(ls.bibliography, path, ls.buffers(), False)   # the same objects: rows kept
        if bib is None:
            return types.CompletionList(is_incomplete=False, items=[])
        closing = "}" if braced and not text.startswith("}", offset) else ""
        rng = pos.range(start, offset)
        items = [types.CompletionItem(
            label=key, kind=types.CompletionItemKind.Reference, detail=about or None,
            documentation=types.MarkupContent(kind=types.MarkupKind.PlainText, value=title),
            filter_text=key, text_edit=types.TextEdit(range=rng, new_text=key + closing))
            for key, about, title in ls.completion_rows(bib)]
        return types.CompletionList(is_incomplete=False, items=items)

    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    async def definition(ls: CitebriefServer, params: types.DefinitionParams):
        found = await ls.in_worker(_entry_at, ls, params.text_document.uri, params.position, ls.buffers())
        if found is None:
            return None
        entry = found[2]
        target = Path(entry.path).resolve()
        pos = Positions(ls.file_text(target), ls.encoding)
        return types.Location(uri=ls.uris.get(target) or target.as_uri(), range=pos.line_range(entry.line))

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def hover(ls: CitebriefServer, params: types.HoverParams):
        return await ls.in_worker(_hover, ls, params.text_document.uri, params.position, ls.buffers())

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix,
                                                               types.CodeActionKind.RefactorRewrite]))
    async def code_action(ls: CitebriefServer, params: types.CodeActionParams):
        path = path_of(params.text_document.uri)
        analysis = ls.current(path) if path else None
        if analysis is None:
            return None
        pos = positions_of(analysis, ls.encoding)
        start, end = pos.offset(params.range.start), pos.offset(params.range.end)
        return await ls.in_worker(code_actions, analysis, params.text_document.uri, start, end, ls.encoding) or None

    return server


def _entry_at(ls: CitebriefServer, uri: str, position: types.Position, buffers: Buffers):
    """(the brief, the key under the cursor, its entry, the brief's text), or None."""
    path = path_of(uri)
    text = buffers.texts.get(path) if path else None
    if path is None or text is None or not is_brief(path, ls.languages.get(path)):
        return None
    at = key_at(text, ls.positions(path, text).offset(position))
    if at is None:
        return None
    bib = ls.bibliography(path, buffers)
    entry = bib.entries.get(at.key) if bib is not None else None
    return (path, at, entry, text) if entry is not None else None


def _hover(ls: CitebriefServer, uri: str, position: types.Position, buffers: Buffers) -> types.Hover | None:
    found = _entry_at(ls, uri, position, buffers)
    if found is None:
        return None
    path, at, entry, text = found
    pos = ls.positions(path, text)
    line = text[text.rfind("\n", 0, at.start) + 1: pos.line_end(at.start)]
    claim = _claim_around(ls, path, text, at.start) or line
    analysis = ls.analyses.get(path)
    config = analysis.config if analysis and analysis.config else load_config(path.parent)
    passage = best_passage(claim, entry, config)
    where = f"{entry.display_path}:{entry.line}"
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown,
                                                    value=hover_markdown(entry, where, passage)),
                       range=pos.range(at.start, at.end))


def _claim_around(ls: CitebriefServer, path: Path, text: str, offset: int) -> str | None:
    """The text of the sentence holding ``offset``, when the last lint read this text."""
    analysis = ls.analyses.get(path)
    if analysis is None or analysis.report is None or analysis.text != text:
        return None
    shift = 1 if analysis.text.startswith("\ufeff") else 0
    found = SentenceIndex(analysis.report.brief).containing(offset - shift)
    return found[0].sentences[found[1]].text if found else None
