"""Snapshots: the local copy of a source as it was read, and the text the checks compare against.

An entry's snapshot is (README: the evidence checks):

1. the file its BibLaTeX ``file`` field names, relative to the ``.bib`` it was read from
   (JabRef/Zotero's ``description:path:type`` form and ``;``-separated lists are understood:
   the first file of a supported type is used); else
2. ``sources/<name>.txt``, ``.md``, ``.html`` (or ``.htm``) or ``.pdf`` beside the ``.bib``, tried in
   that order, where ``<name>`` is the key with every character other than letters, digits, ``.``,
   ``_`` and ``-`` replaced by ``_`` (see :func:`file_name`).

Its provenance, written by ``citebrief snapshot``, is the same path with ``.json``:
``{"url", "final_url", "retrieved", "sha256", "content_type", "redirects"}``.

Trust boundary: a snapshot must resolve (symlinks followed) inside the project folder, and so must
its provenance record; a snapshot that does not, or that cannot be read, is not a regular file, is
too big, binary, encrypted or has no text, is reported as a finding by ``missing-snapshot`` and
never raises. Text is extracted once per run: :func:`lookup` is cached on the entry (per trust
boundary), and the engine reads each bibliography (so each entry) once per run.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import logging
import os
import re
import stat
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from citebrief.project import OutsideProject, confine, is_url, project_root
from citebrief.tools import DEFAULT_LIMITS
from citebrief.workers import run_worker

if TYPE_CHECKING:
    from citebrief.evidence.match import FigureIndex
    from citebrief.evidence.passages import PassageIndex

SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf")     # also the lookup order under sources/
SOURCES_DIR = "sources"
MAX_BYTES = 50 * 1024 * 1024          # a bigger snapshot is reported, not read
MAX_TEXT = 20_000_000                 # characters of extracted text kept

logging.getLogger("pypdf").setLevel(logging.ERROR)    # its warnings about odd PDFs are not ours to print
logging.getLogger("trafilatura").setLevel(logging.CRITICAL)


class SnapshotError(Exception):
    """A snapshot that exists but cannot be used; the message says why, in one line."""


def file_name(key: str) -> str:
    """The file name (without suffix) of a key's snapshot under ``sources/``: "doe:2020" → "doe_2020"."""
    name = re.sub(r"[^A-Za-z0-9._-]", "_", key).lstrip(".")
    return name or "_"


@dataclass
class Provenance:
    url: str | None
    final_url: str | None
    retrieved: str | None             # ISO 8601 time of retrieval (UTC)
    sha256: str | None
    content_type: str | None
    redirects: list = field(default_factory=list)

    @classmethod
    def read(cls, path: Path) -> Provenance:
        try:
            with open(path, "rb") as f:
                data = json.loads(f.read(1_000_000))   # a record is a few hundred bytes; never read a huge one
        except (OSError, ValueError, RecursionError) as exc:
            raise SnapshotError(f"provenance record {path.name} is not readable JSON ({type(exc).__name__})") from None
        if not isinstance(data, dict):
            raise SnapshotError(f"provenance record {path.name} is not a JSON object")
        text = {k: (str(data[k]) if data.get(k) is not None else None)
                for k in ("url", "final_url", "retrieved", "sha256", "content_type")}
        redirects = data["redirects"] if isinstance(data.get("redirects"), list) else []
        return cls(redirects=redirects, **text)


class Snapshot:
    """One entry's snapshot: where it is, and (read lazily, once) its text and the indexes the
    checks use. ``text`` raises :class:`SnapshotError` when the file cannot be used."""

    def __init__(self, key: str, path: Path, shown: str, line: int, root: Path,
                 neighbours: dict[str, bool] | None = None):
        self.key = key
        self.path = path                  # resolved, inside the project
        self.shown = shown                # as messages name it
        self.line = line                  # the .bib line findings about it point at
        self.root = root                  # the trust boundary it was found inside (its provenance too)
        self.neighbours = neighbours      # the listing of its folder (_listing), when it is a plain file there
        suffix = path.suffix.lower()
        self.kind = "html" if suffix == ".htm" else suffix.lstrip(".")    # txt, md, html or pdf
        self._text: str | None = None
        self._error: str | None = None
        self._normalised: str | None = None
        self._figures: FigureIndex | None = None
        self._passages: PassageIndex | None = None
        self._sha256: str | None = None
        self._provenance: Provenance | SnapshotError | None = None
        self._provenance_read = False

    @property
    def provenance_path(self) -> Path:
        return self.path.with_suffix(".json")

    def provenance(self) -> Provenance | None:
        """The provenance record beside the snapshot, None when there is none. Like the snapshot it
        must resolve inside the project: a symlink leading out raises SnapshotError (a finding), so
        what it points at never reaches a message or the report. Read once (every .txt and .md
        asks it for the charset; source-changed and the report ask again)."""
        if not self._provenance_read:
            try:
                self._provenance = self._read_provenance()
            except SnapshotError as exc:
                self._provenance = exc
            self._provenance_read = True
        if isinstance(self._provenance, SnapshotError):
            raise SnapshotError(str(self._provenance))
        return self._provenance

    def _read_provenance(self) -> Provenance | None:
        p = self.provenance_path
        if self.neighbours is not None and p.name not in self.neighbours:
            return None       # its folder, listed once for all its snapshots, has no record: no lstat each
        if not os.path.lexists(p):
            return None
        try:
            resolved = confine(p, self.root, "provenance record")
        except OutsideProject:
            raise SnapshotError(f"provenance record {p.name} leads outside the project folder") from None
        return Provenance.read(resolved) if resolved.is_file() else None

    def sha256(self) -> str:
        if self._sha256 is None:
            self._sha256 = hashlib.sha256(self._bytes()).hexdigest()
        return self._sha256

    def _bytes(self) -> bytes:
        try:
            # Opened without blocking and then looked at: a named pipe must not hang the run, and what
            # is read is the file that was checked (no swap between a stat and the open).
            fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
            with open(fd, "rb") as f:
                st = os.fstat(fd)
                if stat.S_ISDIR(st.st_mode):
                    raise IsADirectoryError
                if not stat.S_ISREG(st.st_mode):   # a named pipe or a device: reading it may never end
                    raise SnapshotError("is not a regular file")
                size = st.st_size
                if size > MAX_BYTES:
                    raise SnapshotError(f"is {size / 1048576:.0f} MB, more than the {MAX_BYTES // 1048576} MB "
                                        f"citebrief reads; save the relevant part as a .txt")
                return f.read()
        except IsADirectoryError:
            raise SnapshotError("is a folder, not a file") from None
        except OSError as exc:
            raise SnapshotError(f"cannot be read: {exc.strerror or type(exc).__name__}") from None

    @property
    def error(self) -> str | None:
        """Why the snapshot cannot be used (None when its text could be read)."""
        try:
            _ = self.text
        except SnapshotError as exc:
            return str(exc)
        return None

    @property
    def text(self) -> str:
        if self._error is not None:
            raise SnapshotError(self._error)
        if self._text is None:
            try:
                data = self._bytes()
                self._sha256 = hashlib.sha256(data).hexdigest()
                text = cached_text(data, self.kind, lambda: extract_text(data, self.kind, self._charset),
                                   sha256=self._sha256)
                if not text.strip():
                    raise SnapshotError("has no text to check against" + (
                        " (a scanned PDF? save a text copy as a .txt beside it)" if self.kind == "pdf" else ""))
                self._text = text[:MAX_TEXT]
            except SnapshotError as exc:
                self._error = str(exc)
                raise
        return self._text

    def _charset(self) -> str | None:
        try:
            prov = self.provenance()
        except SnapshotError:
            return None
        m = re.search(r"charset=([\w.-]+)", (prov.content_type or "") if prov else "", re.I)
        return m.group(1) if m else None

    @property
    def normalised(self) -> str:
        """The text as quotes are compared against it (see match.normalise)."""
        if self._normalised is None:
            # the matching is imported when a snapshot is compared, not by every lint (most projects keep none)
            from citebrief.evidence.match import normalise

            self._normalised = normalise(self.text)
        return self._normalised

    @property
    def figures(self) -> FigureIndex:
        if self._figures is None:
            from citebrief.evidence.match import FigureIndex

            self._figures = FigureIndex(self.normalised)
        return self._figures

    @property
    def passages(self) -> PassageIndex:
        if self._passages is None:
            from citebrief.evidence.passages import PassageIndex, split_passages

            self._passages = PassageIndex(split_passages(self.text, lines=self.kind == "html"))
        return self._passages


# --------------------------------------------------------------------------- extracting text

def extract_text(data: bytes, kind: str, charset: Callable[[], str | None] | None = None) -> str:
    """The readable text of a snapshot's bytes: .txt/.md as they are, .html reduced to its main
    text (trafilatura: navigation, scripts and footers dropped, tables kept), .pdf through pypdf.
    ``charset()``: the one its server declared, asked only when the bytes are not UTF-8."""
    if kind != "pdf" and (b"\x00" in data[:8192] or data.startswith(b"%PDF")):
        raise SnapshotError(f"is binary, not {kind} text")
    if kind in ("pdf", "html"):
        return _extract_apart(data, kind)
    return _clean(_decode(data, charset))


EXTRACT_SECONDS = 60.0     # an HTML or PDF snapshot whose text takes longer is reported, not waited for


def _extract_apart(data: bytes, kind: str) -> str:
    """:func:`extract_here` in a worker process (evidence/extract_worker.py) with a time limit and a
    memory cap. Its text is cached across runs (cached_text), so a snapshot pays this once."""
    try:
        proc = run_worker("citebrief.evidence.extract_worker", [kind, str(DEFAULT_LIMITS.memory_mb)], data,
                          EXTRACT_SECONDS)
    except subprocess.TimeoutExpired:
        raise SnapshotError(f"took more than {EXTRACT_SECONDS:.0f} s to extract its text and was stopped; "
                            f"save the relevant part as a .txt") from None
    except OSError as exc:
        raise SnapshotError(f"cannot be extracted ({exc.strerror or type(exc).__name__})") from None
    if proc.returncode == 3:
        raise SnapshotError(proc.stderr.decode("utf-8", "replace").strip()[:300] or f"cannot be read as {kind}")
    if proc.returncode != 0:
        why = (f"needed more than {DEFAULT_LIMITS.memory_mb} MB of memory" if proc.returncode == 4
               else f"the extractor stopped (exit {proc.returncode})")
        raise SnapshotError(f"cannot be extracted: {why}; save the relevant part as a .txt")
    return proc.stdout.decode("utf-8", "surrogatepass")


def extract_here(data: bytes, kind: str) -> str:
    """The text of an HTML or PDF snapshot, in this process (what the extraction worker runs)."""
    return _pdf_text(data) if kind == "pdf" else _html_text(data)


def _decode(data: bytes, charset_of: Callable[[], str | None] | None) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    charset = charset_of() if charset_of is not None else None
    try:   # what the server said it was, else the web's usual fallback
        return data.decode(charset or "cp1252", errors="replace")
    except LookupError:
        return data.decode("cp1252", errors="replace")


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CONTROL_TO_SPACE = {c: " " for c in (*range(0, 9), 11, 12, *range(14, 32), *range(127, 160))}


def _clean(text: str) -> str:
    """Control characters out (they would reach messages and the report), line ends as \\n."""
    return text.replace("\r\n", "\n").replace("\r", "\n").translate(_CONTROL_TO_SPACE)


def _html_text(data: bytes) -> str:
    import trafilatura  # imported here: only projects with HTML snapshots pay for it

    try:
        text = trafilatura.extract(data, include_tables=True, include_comments=False, favor_recall=True,
                                   deduplicate=False)
        if not text:   # a page trafilatura finds no article in: all its visible text
            text = trafilatura.html2txt(data)
    except MemoryError:
        raise              # the worker's memory cap: said as such (extract_worker)
    except Exception as exc:   # a third-party parser on a stranger's file: never a traceback
        raise SnapshotError(f"cannot be read as HTML ({type(exc).__name__})") from None
    return _clean(text or "")


def _pdf_text(data: bytes) -> str:
    import pypdf
    from pypdf.errors import FileNotDecryptedError, PdfReadError

    if not data.lstrip()[:1024].startswith(b"%PDF") and b"%PDF" not in data[:1024]:
        raise SnapshotError("is not a PDF (no %PDF header)")
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:   # many PDFs are "encrypted" with an empty password, only to restrict printing
                if not reader.decrypt(""):
                    raise SnapshotError("is an encrypted PDF (password needed); save a text copy as a .txt")
            except (FileNotDecryptedError, NotImplementedError, PdfReadError):
                raise SnapshotError("is an encrypted PDF (password needed); save a text copy as a .txt") from None
        pages = [page.extract_text() or "" for page in reader.pages]
    except SnapshotError:
        raise
    except FileNotDecryptedError:
        raise SnapshotError("is an encrypted PDF (password needed); save a text copy as a .txt") from None
    except MemoryError:
        raise
    except Exception as exc:   # pypdf on a damaged or hostile file: one line, never a traceback
        if type(exc).__name__ == "DependencyError":
            raise SnapshotError("is an encrypted PDF that needs the 'cryptography' package to open") from None
        raise SnapshotError(f"cannot be read as a PDF ({type(exc).__name__})") from None
    return _clean("\n\n".join(pages))


# --------------------------------------------------------------------------- a cache of extracted text

def cached_text(data: bytes, kind: str, extract, *, sha256: str | None = None) -> str:
    """``extract()``, remembered across runs for PDF and HTML (pypdf takes about a second for a long
    report). The cache is the user's (``$XDG_CACHE_HOME/citebrief/snapshot-text``, else
    ``~/.cache/...``), never the project's: a file committed to a pull request could otherwise
    claim a snapshot says what it does not. Keyed by the snapshot's SHA-256 and the extractor's
    version (``sha256``: the data's, when the caller has it already); a cache that cannot be read or
    written only costs the extraction."""
    if kind not in ("pdf", "html"):
        return extract()
    folder = _cache_folder()
    name = f"{sha256 or hashlib.sha256(data).hexdigest()}-{kind}-{_extractor_version(kind)}.txt"
    try:
        return (folder / name).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        pass
    text = extract()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{name}.{os.getpid()}.tmp"
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, folder / name)
    except OSError:
        pass
    return text


def _cache_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "citebrief" / "snapshot-text"


@functools.lru_cache(maxsize=2)
def _extractor_version(kind: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    from citebrief import __version__
    try:
        return f"{__version__}-{version('pypdf' if kind == 'pdf' else 'trafilatura')}"
    except PackageNotFoundError:
        return __version__


# --------------------------------------------------------------------------- finding snapshots

@dataclass
class Lookup:
    """What was found for one entry: a snapshot, or a problem with the one it names, or neither."""

    snapshot: Snapshot | None = None
    problem: str | None = None        # the `file` field names something unusable
    line: int = 0                     # where a finding about it goes in the .bib


_FILE_ITEM = re.compile(r"^(?:[^:;]*):(.+):([\w/.+-]*)$")   # JabRef/Zotero "desc:path:mime"


def file_field_paths(value: str) -> list[str]:
    """The paths a BibLaTeX ``file`` field names (plain, or JabRef/Zotero ``desc:path:type;...``)."""
    paths = []
    for item in re.split(r"(?<!\\);", value):
        item = item.strip().replace("\\:", ":").replace("\\;", ";")
        if not item:
            continue
        m = _FILE_ITEM.match(item)
        if m and not re.match(r"^[A-Za-z]:[\\/]", item):
            item = m.group(1)
        paths.append(item.strip())
    return paths


def lookup(entry, root: Path | None = None, *, config=None) -> Lookup:
    """The snapshot of ``entry`` (a citebrief.bibliography.Entry), found as the module docstring says,
    inside the trust boundary: ``root`` (resolved), or the project root ``config`` gives for the entry's
    bibliography. Kept in the entry's ``memo``: the engine reads each bibliography once per run, so the
    lookup and the text it extracts live exactly as long as that run, shared by every rule and brief.
    The memo is per root: briefs inside and outside the project can share a .bib, and what one of
    them may read must not depend on which was linted first."""
    if root is None:
        root = root_of(config.root, entry.path)
    memo_key = f"snapshot {root}"
    found = entry.memo.get(memo_key)
    if found is None:
        found = entry.memo[memo_key] = _find(entry, root)
    return found


def root_of(config_root: Path, path: Path | None) -> Path:
    """citebrief.project.project_root for a file (a .bib, a brief), remembered per file: thousands of
    entries share a handful of bibliographies."""
    return _root_of(str(config_root), str(path) if path is not None else None, os.getcwd())


@functools.lru_cache(maxsize=64)
def _root_of(config_root: str, path: str | None, _cwd: str) -> Path:
    return project_root(Path(config_root), Path(path) if path is not None else None)


def keeps_snapshots(entry) -> bool:
    """Does the project of ``entry`` keep snapshots at all: a ``sources/`` folder with a snapshot in it
    beside its bibliography, or a ``file`` field in that bibliography? Only then is a missing one news.
    Answered once per entry and run (its memo)."""
    found = entry.memo.get("keeps_snapshots")
    if found is None:
        found = entry.memo["keeps_snapshots"] = _keeps_snapshots(entry)
    return bool(found)


def cites_kept_sources(ctx) -> bool:
    """Does the brief a rule is looking at cite any entry of a project that keeps snapshots? If not,
    the evidence rules have nothing to say (and the matching is never imported)."""
    if ctx.bib is None:
        return False
    cited = (ctx.bib.entries.get(k) for k in dict.fromkeys(c.key for c in ctx.brief.citations))
    return any(keeps_snapshots(e) for e in cited if e is not None)


def evidence_for(ctx):
    """checks.for_context(ctx) for the evidence rules, with the matching imported only when the brief
    cites a source of a project that keeps snapshots (None when it does not). Worked out once per
    brief, in ``ctx.shared``: the quote and the figure rule ask for the same."""
    if "evidence" not in ctx.shared:
        if cites_kept_sources(ctx):
            from citebrief.evidence.checks import for_context

            ctx.shared["evidence"] = for_context(ctx)
        else:
            ctx.shared["evidence"] = None
    return ctx.shared["evidence"]


def read_ahead(briefs, parsing) -> None:
    """Read the snapshots a brief's evidence checks will need while pandoc is still parsing it.

    ``briefs``: (source text, trust boundary, bibliography files) of each brief; ``parsing()``: is
    pandoc still at work? The keys are guessed from the ``@key``s of the text (the parse is not
    there yet to say which are citations); each snapshot is read, extracted and normalised once,
    kept in its entry's memo (:func:`lookup`) where the rules find it. It stops as soon as the parse
    is done; until then it takes turns (one GIL) with the walking of the pieces pandoc has finished,
    so it saves what the parse leaves Python idle for, not all it reads. A snapshot that cannot be
    read is left for ``missing-snapshot`` to report."""
    from citebrief.parse.source import CITATION

    for source, root, files in briefs:
        files = [f for f in files if any(map(keeps_snapshots, f.entries.values()))]
        if not files:     # most projects keep no snapshots: their briefs are not searched for keys
            continue
        keys = dict.fromkeys(m.group("braced") or m.group("key") for m in CITATION.finditer(source))
        for key in keys:
            entry = next((f.entries[key] for f in files if key in f.entries), None)
            if entry is None or not keeps_snapshots(entry):
                continue
            if not parsing():
                return
            snap = lookup(entry, root).snapshot
            if snap is not None and snap.error is None:
                _ = snap.normalised


# Set in a BibTeX file's memo by its loader (bibliography/bibtex.py): does any entry have a ``file`` field?
DECLARES_FILES = "declares_files"


def _keeps_snapshots(entry) -> bool:
    if entry.has("file"):
        return True
    return bool(_per_file(entry, "folder_keeps", lambda: _folder_keeps(entry)))


def _folder_keeps(entry) -> bool:
    """A sources/ folder with a snapshot in it beside the entry's bibliography, or a ``file`` field in
    that bibliography (as read: an editor's unsaved buffer, in the language server)."""
    sources = _sources_of(entry)
    if _cached("any", sources, None,
               lambda: any(os.path.splitext(n)[1].lower() in SUFFIXES for n in _listing(sources))):
        return True
    return bool(entry.file_memo.get(DECLARES_FILES))


def dependencies(entry, config) -> list[Path]:
    """The files whose change can change what the checks say of ``entry``: its snapshot and provenance
    when it has one, else every place one could appear (sources/<name>.<suffix>). The compile cache
    records them, so adding, changing or removing a snapshot rebuilds the brief (and re-runs its gate)."""
    if not keeps_snapshots(entry):
        return []
    found = lookup(entry, config=config)
    if found.snapshot is not None:
        return [found.snapshot.path, found.snapshot.path.with_suffix(".json")]
    sources = _sources_of(entry)
    return [sources / (file_name(entry.key) + suffix) for suffix in SUFFIXES]


def _find(entry, root: Path) -> Lookup:
    value = entry.get("file")
    if value:
        folder = _folder_of(entry)
        line = entry.field_lines.get("file", entry.line)
        names = file_field_paths(value)
        usable = [n for n in names if Path(n).suffix.lower() in SUFFIXES]
        if not usable:
            shown = names[0] if names else value
            return Lookup(problem=f"its file field names {_short(shown)!r}, which is not a snapshot "
                                  f"citebrief reads ({', '.join(SUFFIXES)})", line=line)
        name = usable[0]
        try:
            path, shown, is_file = _confine_file(name, root, folder)
        except OutsideProject:
            return Lookup(problem=f"its file field names {_short(name)!r}, outside the project folder; "
                                  f"snapshots must be inside it", line=line)
        if not is_file:
            return Lookup(problem=f"its file field names {_short(name)!r}, which does not exist", line=line)
        return Lookup(Snapshot(entry.key, path, shown, line, root), line=line)
    sources = _sources_of(entry)
    listing, inside = _sources_listing(entry, root)
    stem = file_name(entry.key)
    for suffix in SUFFIXES if listing else ():
        name = stem + suffix
        if name not in listing:
            continue
        neighbours = None
        try:   # a symlink must lead inside the project too; a plain file is as inside as its folder
            if listing[name]:
                path = confine(sources / name, root, "snapshot")
            elif inside is None:
                raise OutsideProject(name)
            else:
                path, neighbours = inside / name, listing
        except OutsideProject:
            return Lookup(problem=f"its snapshot {_display(sources / name)} leads outside the project folder",
                          line=entry.line)
        return Lookup(Snapshot(entry.key, path, f"{_display(sources)}/{name}", entry.line, root, neighbours),
                      line=entry.line)
    return Lookup(line=entry.line)


def _per_file(entry, key: str, compute):
    """What depends only on the entry's bibliography file, worked out once per file and run: kept in
    the file's memo, which its thousands of entries share (and which lives one run: a language
    server's runs each get a fresh one)."""
    found = entry.file_memo.get(key)
    if found is None:
        found = entry.file_memo[key] = compute()
    return found


def _sources_listing(entry, root: Path) -> tuple[dict[str, bool], Path | None]:
    """The listing of the entry's sources/ folder (:func:`_listing`) and that folder resolved if it is
    inside ``root`` (None if it is not), looked at once per file and run."""
    sources = _sources_of(entry)
    return _per_file(entry, f"sources listing {root}", lambda: (_listing(sources), _confined(sources, root)))


def _folder_of(entry) -> Path:
    """The folder of the bibliography the entry came from (its sources/ are beside it)."""
    return _per_file(entry, "folder", lambda: Path(entry.path).parent) if entry.path else Path.cwd()


def _sources_of(entry) -> Path:
    """The sources/ folder beside the entry's bibliography."""
    if not entry.path:
        return Path.cwd() / SOURCES_DIR
    return _per_file(entry, "sources_dir", lambda: _folder_of(entry) / SOURCES_DIR)


# Small caches keyed by what a folder or file is right now (inode, modification time), so they stay
# right across runs (watch, a language server) without being told: a sources/ folder is listed once,
# not stat-ed five times per entry, and is resolved once, not once per snapshot.
_CACHE_SIZE = 256
_CACHE: dict[tuple, object] = {}


def _cached(kind: str, path: Path, extra, compute):
    try:
        st = os.stat(path)
        key = (kind, str(path), st.st_ino, st.st_mtime_ns, st.st_size, extra)
    except OSError:
        return compute()
    if key not in _CACHE:
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.clear()
        _CACHE[key] = compute()
    return _CACHE[key]


def _listing(folder: Path) -> dict[str, bool]:
    """The names in a sources/ folder (name → is a symlink); empty when there is none."""
    def read():
        try:
            return {e.name: e.is_symlink() for e in os.scandir(folder)}
        except OSError:
            return {}
    return _cached("listing", folder, None, read)


def _confine_file(name: str, root: Path, folder: Path) -> tuple[Path, str, bool]:
    """``confine(name, root, "snapshot", relative_to=folder)``, as messages show it, and whether it
    is a regular file: the folder a file field names is resolved once per run rather than once per
    snapshot (a reference manager puts thousands of snapshots in a handful of folders), and only a
    symlink is followed on its own."""
    head, tail = os.path.split(name)
    if tail in ("", ".", "..") or name.startswith("~") or is_url(name):
        path = confine(name, root, "snapshot", relative_to=folder)
        return path, _display(path), path.is_file()
    directory = folder / head if head else folder
    inside = _cached("inside", directory, str(root), lambda: _confined(directory, root))
    if inside is None:
        raise OutsideProject(f"{name} is outside the project folder")
    path = inside / tail
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return path, _display(path), False
    if stat.S_ISLNK(mode):
        path = confine(path, root, "snapshot")
        return path, _display(path), path.is_file()
    folder_shown = _display(inside)         # one folder shown relative to here, its files after it
    if os.path.isabs(folder_shown):
        shown = _display(path)
    else:
        shown = tail if folder_shown == "." else f"{folder_shown}/{tail}"
    return path, shown, stat.S_ISREG(mode)


def _confined(folder: Path, root: Path) -> Path | None:
    try:
        return confine(folder, root, "sources folder")
    except OutsideProject:
        return None


def _short(text: str, width: int = 80) -> str:
    text = _CONTROL.sub("", text)
    return text if len(text) <= width else text[: width - 1] + "…"


def _display(path: Path) -> str:
    return _display_in(str(path), os.getcwd())


@functools.lru_cache(maxsize=1024)
def _display_in(path_text: str, cwd: str) -> str:
    path, here = Path(path_text), _resolved(cwd)
    try:
        return str(path.relative_to(here))
    except ValueError:
        try:
            return str(path.resolve().relative_to(here))
        except ValueError:
            return str(path)


@functools.lru_cache(maxsize=4)
def _resolved(folder: str) -> Path:
    return Path(folder).resolve()
