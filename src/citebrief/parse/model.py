"""The document model the rules read. Positions are character offsets into ``Brief.source``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path


@dataclass(frozen=True)
class Citation:
    key: str
    offset: int                    # where ``@key`` starts in the source


@dataclass
class Sentence:
    text: str                      # plain text as pandoc reads it (citations rendered as [@key])
    offset: int                    # where the sentence starts in the source
    keys: tuple[str, ...]          # citation keys in the sentence (and in footnotes attached to it)
    exempt: bool = False           # inside the limitations section or a .limitation/.nocite div/span
    flagged: bool = False          # inside a .limitation span/div (visible flag for a gap admission)
    words: int = 0                 # word count, citations not counted (for min_words)
    gap_text: str = ""             # the text outside flagged spans, where gap phrases need a flag


@dataclass
class Unit:
    """A group of sentences a citation can cover: a paragraph, list item, table row, caption...

    ``kind`` is one of: para, quote, row, table-caption, figure-caption, note.
    Scope "paragraph" lets one citation anywhere in a unit cover all its sentences; block
    quotes and tables have their own coverage rules (see claims.py).
    """

    kind: str
    sentences: list[Sentence]
    offset: int
    disabled: frozenset[str] = frozenset()   # rules switched off by a <!-- citebrief: disable=... -->
    end: int = 0                   # source offset just past the unit's last located word or citation
    group: int = 0                 # table number for captions and rows of the same table (0: none)


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    classes: tuple[str, ...]
    offset: int


@dataclass
class Brief:
    path: Path
    display_path: str              # as given on the command line
    source: str                    # decoded text, BOM removed, line endings as in the file
    meta: dict[str, object]        # front matter, values as plain strings / lists / dicts
    checked: date | None           # parsed ``checked:`` (None when absent or not a date)
    checked_offset: int | None     # where the ``checked:`` line is, for findings
    headings: list[Heading] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    limitations: Heading | None = None                 # the limitations section's heading
    limitation_sentences: list[Sentence] = field(default_factory=list)
    bibliography_path: Path | None = None              # front matter ``bibliography:`` resolved

    @property
    def title(self) -> str:
        return str(self.meta.get("title") or self.path.stem)
