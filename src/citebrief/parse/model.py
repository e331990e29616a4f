"""The document model the rules read. Positions are character offsets into ``Brief.source``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from citebrief.frontmatter import FrontMatter


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
    words: int = 0                 # word count for min_words: citations, math and URLs not counted
    gap_text: str = ""             # the text outside flagged spans, where gap phrases need a flag
    lettered: bool = True          # has a word of prose (a table row of numbers and dates has none)


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
    front: FrontMatter             # the front matter, read once (citebrief/frontmatter.py)
    headings: list[Heading] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    limitations: Heading | None = None                 # the limitations section's heading
    limitation_sentences: list[Sentence] = field(default_factory=list)

    @property
    def meta(self) -> dict[str, object]:
        """Front-matter fields as plain values (strings, booleans, lists, mappings)."""
        return self.front.fields

    @property
    def checked(self) -> date | None:
        """The ``checked:`` date (None when absent or not a date)."""
        return self.front.checked

    @property
    def checked_offset(self) -> int | None:
        """Where the ``checked:`` line starts, for findings."""
        line = self.front.line_of("checked")
        if line is None:
            return None
        offset = 0
        for _ in range(line - 1):
            offset = self.source.index("\n", offset) + 1
        return offset

    @property
    def body_start(self) -> int:
        return self.front.end

    @property
    def title(self) -> str:
        return self.front.text("title") or self.path.stem
