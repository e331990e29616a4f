"""Bibliographies: every form pandoc reads, each file read once per run and the same way everywhere.

    .bib (BibTeX/biblatex: bibtex.py) │ .json (CSL JSON) │ .yaml/.yml (CSL YAML) │ inline ``references:`` (csl.py)
                                      ▼
         BibFile (entries with BibTeX-style field names, their lines, problems found) ── model.py
                                      ▼
         Bibliography: the files one brief uses, merged as pandoc merges them

A brief's front-matter ``bibliography:`` (one file or a list, relative to the brief) wins over the
project's configured ``references.bib``; every file must lie inside the project folder.
"""

from __future__ import annotations

import threading
from pathlib import Path

from citebrief.bibliography.csl import inline_references, load_csl_json, load_csl_yaml
from citebrief.bibliography.model import MONTH_NAMES, MONTHS, BibFile, Bibliography, Entry, nocite_keys, parse_date
from citebrief.config import Config
from citebrief.errors import CitebriefError
from citebrief.frontmatter import Converter, FrontMatter
from citebrief.project import confine

__all__ = ["MONTHS", "MONTH_NAMES", "BibCache", "BibFile", "Bibliography", "Entry", "bibliography_paths",
           "load_bibliography", "nocite_keys", "parse_date"]

MAX_BYTES = 64 * 1024 * 1024
READERS = {".json": load_csl_json, ".yaml": load_csl_yaml, ".yml": load_csl_yaml}
BIBTEX = {".bib", ".bibtex", ".biblatex"}
# what a file on disk and an editor's unsaved buffer are both refused for
TOO_BIG = f"bibliography is larger than {MAX_BYTES // (1024 * 1024)} MB"
BINARY = "this is a binary file, not a bibliography"


def load_bibtex(path: Path, shown: str, text: str) -> BibFile:
    # bibtexparser (and pylatexenc with it) is imported when a .bib is read, not before pandoc starts
    from citebrief.bibliography.bibtex import load_bibtex as load

    return load(path, shown, text)


def load_bibliography(path: Path, display_path: str | None = None, *, text: str | None = None) -> BibFile:
    """Read one bibliography file; its format comes from its extension, as in pandoc. ``text``: an
    editor's unsaved buffer of it, held to the same limits."""
    path = Path(path)
    shown = display_path if display_path is not None else str(path)
    suffix = path.suffix.lower()
    if text is None:
        text, warning = _decode(_read_bytes(path, shown))
    else:
        if len(text) > MAX_BYTES // 4 and len(text.encode("utf-8")) > MAX_BYTES:
            raise CitebriefError(TOO_BIG, shown)
        if "\x00" in text[:8192]:
            raise CitebriefError(BINARY, shown)
        text, warning = text.removeprefix("\ufeff"), None
    if suffix not in READERS and suffix not in BIBTEX and suffix:
        raise CitebriefError(f"unsupported bibliography format {suffix!r} (use .bib, .json or .yaml)", shown)
    bib = READERS.get(suffix, load_bibtex)(path, shown, text)
    if warning:
        bib.warnings.append(warning)
        bib.encoding = "latin-1"
    return bib


def _read_bytes(path: Path, shown: str) -> bytes:
    try:
        if path.stat().st_size > MAX_BYTES:
            raise CitebriefError(TOO_BIG, shown)
        data = path.read_bytes()
    except FileNotFoundError:
        raise CitebriefError("bibliography not found", shown) from None
    except IsADirectoryError:
        raise CitebriefError("bibliography is a folder, not a file", shown) from None
    except OSError as exc:
        raise CitebriefError(f"cannot read bibliography: {exc.strerror or exc}", shown) from None
    if data.startswith(b"%PDF"):
        raise CitebriefError("this is a PDF, not a bibliography", shown)
    if b"\x00" in data[:8192]:
        raise CitebriefError(BINARY, shown)
    return data


def _decode(data: bytes) -> tuple[str, tuple[int, str] | None]:
    """UTF-8 (a byte-order mark allowed); otherwise Latin-1, as pandoc's BibTeX reader falls back,
    with a warning at the first line that is not UTF-8."""
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return data.decode("latin-1"), (line, f"not UTF-8 (byte 0x{data[exc.start]:02x}): read as Latin-1; "
                                              "save the file as UTF-8 so every tool reads it the same way")


def bibliography_paths(front: FrontMatter, brief: Path, shown: str, config: Config, root: Path) -> list[Path]:
    """The files a brief uses, in pandoc's order: its front-matter ``bibliography:`` (relative to the
    brief), else the project's configured one when it exists. Each must lie inside ``root``."""
    declared = front.bibliographies
    if declared:
        paths = [confine(p, root, "bibliography", shown, relative_to=brief.parent) for p in declared]
        for written, path in zip(declared, paths):
            if not path.is_file():
                raise CitebriefError(f"bibliography {written} not found (looked for {_shown(path)})", shown,
                                     front.line_of("bibliography"))
        return paths
    if "bibliography" in front.fields and front.fields["bibliography"] not in (None, [], ""):
        raise CitebriefError("`bibliography:` must be a file name or a list of file names", shown,
                             front.line_of("bibliography"))
    default = config.path(config.bibliography)
    if not default.is_file():
        return []
    return [confine(default, root, "bibliography", "[tool.citebrief] bibliography")]


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


class BibCache:
    """Each bibliography is read once per run, however many briefs share it (thread-safe). ``loader``
    reads one file (default: from disk; the language server reads editors' buffers and its own store)."""

    def __init__(self, loader=None):
        self._loaded: dict[Path, BibFile] = {}
        self._lock = threading.Lock()
        self._load = loader or load_bibliography

    def get(self, path: Path, shown: str) -> BibFile:
        key = path.resolve()
        with self._lock:
            bib = self._loaded.get(key)
        if bib is None:
            bib = self._load(key, shown)
            with self._lock:
                bib = self._loaded.setdefault(key, bib)
        return bib

    def peek(self, path: Path) -> BibFile | None:
        """The file if this run has read it already (never reads it)."""
        with self._lock:
            return self._loaded.get(path.resolve())

    def loaded(self) -> list[BibFile]:
        with self._lock:
            return list(self._loaded.values())

    def for_brief(self, paths: list[Path], shown_of, front: FrontMatter, brief: Path,
                  brief_shown: str) -> Bibliography | None:
        """The brief's merged bibliography (None when it has none at all)."""
        files = [self.get(p, shown_of(p)) for p in paths]
        node = front.nodes.get("references")
        if node is not None:
            files.append(inline_references(node, Converter(brief_shown, front.first_line), brief, brief_shown))
        return Bibliography(files) if files else None
