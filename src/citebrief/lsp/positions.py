"""Where things are: character offsets ↔ LSP positions, and the span of a sentence in a brief.

The engine speaks in character offsets into the text it read, and in 1-based line:column findings
(columns in characters, lines counted at ``\\n``: parse/source.py ``LineIndex``). An editor speaks
in 0-based LSP positions: lines broken at ``\\n``, ``\\r\\n`` or ``\\r``, columns in the code units
the client and server agreed on (UTF-16 unless the client offers UTF-8 or UTF-32). Every conversion
between the two happens here, so a brief with emoji or CRLF line endings is underlined where the
finding is.
"""

from __future__ import annotations

import bisect
import re

from lsprotocol import types

from citebrief.parse.model import Brief, Sentence, Unit

_LSP_BREAK = re.compile(r"\r\n|\r|\n")


def _units(text: str, encoding: str) -> int:
    """Length of ``text`` in the client's code units."""
    if encoding == types.PositionEncodingKind.Utf8:
        return len(text.encode("utf-8", "surrogatepass"))
    if encoding == types.PositionEncodingKind.Utf32:
        return len(text)
    return len(text) + sum(1 for c in text if ord(c) > 0xFFFF)      # UTF-16: astral characters count twice


class Positions:
    """One text's offsets ↔ positions. ``shift``: characters the editor's buffer has before the
    text the engine read (a byte-order mark the engine drops), so offsets land in the buffer."""

    def __init__(self, text: str, encoding: str = types.PositionEncodingKind.Utf16, shift: int = 0):
        self.text = text
        self.encoding = encoding
        self.shift = shift
        self._lsp_starts = [0] + [m.end() for m in _LSP_BREAK.finditer(text)]
        self._engine_starts: list[int] | None = None     # built on first use

    # offsets in the text → editor positions ---------------------------------------------
    def position(self, offset: int) -> types.Position:
        offset = max(0, min(offset + self.shift, len(self.text)))
        line = bisect.bisect_right(self._lsp_starts, offset) - 1
        start = self._lsp_starts[line]
        return types.Position(line=line, character=_units(self.text[start:offset], self.encoding))

    def range(self, start: int, end: int) -> types.Range:
        return types.Range(start=self.position(start), end=self.position(max(start, end)))

    def line_end(self, offset: int) -> int:
        """The offset where the line holding ``offset`` ends (before its line break)."""
        m = _LSP_BREAK.search(self.text, offset + self.shift)
        return (m.start() if m else len(self.text)) - self.shift

    # editor positions → offsets -------------------------------------------------------------
    def offset(self, position: types.Position) -> int:
        if position.line >= len(self._lsp_starts):
            return len(self.text) - self.shift
        start = self._lsp_starts[position.line]
        end = self.line_end(start - self.shift) + self.shift
        units, i = 0, start
        while i < end and units < position.character:
            units += _units(self.text[i], self.encoding)
            i += 1
        return i - self.shift

    # the engine's line:column → offsets ------------------------------------------------------
    def offset_of(self, line: int, column: int) -> int:
        """The offset of a finding's 1-based ``line``:``column`` (the engine counts lines at ``\\n``)."""
        if self._engine_starts is None:
            body = self.text[self.shift:]
            self._engine_starts = [0] + [m.end() for m in re.finditer("\n", body)]
        starts = self._engine_starts
        start = starts[max(0, min(line - 1, len(starts) - 1))]
        return start + max(column - 1, 0)

    def line_range(self, line: int, column: int = 1) -> types.Range:
        """A finding's line, from its column to the end of the line (an entry's header line)."""
        start = self.offset_of(line, column)
        return self.range(start, self.line_end(start))


# --- sentences ------------------------------------------------------------------------------

_TAIL = re.compile(r"[.!?…\"”’')\]*_]*")             # closing punctuation, quotes and brackets after the last word
_BLANK_LINE = re.compile(r"\n[ \t>]*\r?\n")
_WORD = re.compile(r"[^\W_]+")                       # words without markup's underscores
_MARKS = re.compile(r"\[[^\[\]]*@[^\[\]]*\]|\[\^[^\]]*\]|\^\[[^\]]*\]|(?<![\w@])-?@\{?[\w:.#$%&\-+?<>~/]+\}?"
                    r"|(?<=\])\{[^{}\n]*\}")      # citations, footnote marks, and span attributes ({.limitation})
_LIST_MARKER = re.compile(r"[ \t>]*(?:[-*+]|\d{1,9}[.)])?[ \t]*")


def sentence_span(brief: Brief, unit: Unit, index: int) -> tuple[int, int]:
    """Where sentence ``index`` of ``unit`` starts and ends in ``brief.source``.

    From the model's offsets only: a sentence runs from its own offset to the next sentence's (the
    last one to its unit's end), less the white space, table pipes and quote or list markers
    between them, plus the closing punctuation, quotes and brackets right after its last word. A
    span that would run far past the sentence's own length (a relocation the parser had to guess)
    is cut at the end of its first line."""
    sentences = unit.sentences
    source = brief.source
    start = sentences[index].offset
    if index + 1 < len(sentences) and sentences[index + 1].offset > start:
        end = sentences[index + 1].offset
    else:
        end = max(unit.end, start)
    end = _trim(source, start, end)
    end += len(_TAIL.match(source, end).group())  # type: ignore[union-attr]  # it matches even nothing
    if end - start > 4 * len(sentences[index].text) + 400 or end <= start:
        line_end = source.find("\n", start)
        end = len(source) if line_end < 0 else line_end
    paragraph_break = _BLANK_LINE.search(source, start, end)     # no sentence runs past its paragraph
    if paragraph_break:
        end = _trim(source, start, paragraph_break.start())
    return start, end


def editable(source: str, start: int, end: int, sentence: Sentence) -> bool:
    """May an edit wrap ``source[start:end]`` or cite at its end? Only when the span is plainly the
    sentence (it starts with the sentence's first words and ends with its last one, citations and
    footnote marks aside), ends on word boundaries outside code and math, and holds whole brackets,
    parentheses, code spans and math. A sentence the parser had to place by guesswork is underlined
    where its finding is, but never rewritten."""
    text = source[start:end]
    said = _WORD.findall(_MARKS.sub(" ", sentence.text))
    found = _WORD.findall(_MARKS.sub(" ", text))
    if not said or found[:3] != said[:3] or found[-1:] != said[-1:]:
        return False
    before = source[start - 1] if start > 0 else " "
    after = source[end] if end < len(source) else " "
    if before.isalnum() or after.isalnum() or before in "`$\\" or after in "`$":
        return False
    return balanced(text)


def _trim(source: str, start: int, end: int) -> int:
    """Move ``end`` back over white space, table pipes and the markers that open a line."""
    while end > start:
        if source[end - 1].isspace() or source[end - 1] == "|":
            end -= 1
            continue
        line_start = source.rfind("\n", start, end) + 1
        if line_start > start and _LIST_MARKER.fullmatch(source, line_start, end):
            end = line_start
            continue
        return end
    return end


def balanced(text: str) -> bool:
    """True when ``text`` closes every bracket and parenthesis it opens and opens every one it closes,
    and holds whole code spans and math (an even number of backticks and dollar signs): wrapping it
    in ``[...]{.limitation}`` then keeps the Markdown around and inside it intact."""
    depth = {"[": 0, "(": 0}
    closing = {"]": "[", ")": "("}
    escaped = False
    for ch in text:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch in depth:
            depth[ch] += 1
        elif ch in closing:
            depth[closing[ch]] -= 1
            if depth[closing[ch]] < 0:
                return False
    return not any(depth.values()) and text.count("`") % 2 == 0 and text.replace("\\$", "").count("$") % 2 == 0


class SentenceIndex:
    """Every sentence of a brief by where it starts, to find the one a finding or the cursor is in."""

    def __init__(self, brief: Brief):
        self.brief = brief
        items = [(s.offset, u, i) for u in brief.units for i, s in enumerate(u.sentences)]
        items.sort(key=lambda t: t[0])
        self._items = items
        self._starts = [t[0] for t in items]

    def exact(self, offset: int):
        """(unit, index) of the sentence starting at ``offset``, or None."""
        i = bisect.bisect_left(self._starts, offset)
        if i < len(self._items) and self._starts[i] == offset:
            return self._items[i][1], self._items[i][2]
        return None

    def containing(self, offset: int):
        """(unit, index, (start, end)) of the sentence whose span holds ``offset``, or None."""
        i = bisect.bisect_right(self._starts, offset) - 1
        for j in range(i, max(i - 3, -1), -1):      # notes and table cells can interleave: look back a little
            _start, unit, index = self._items[j]
            span = sentence_span(self.brief, unit, index)
            if span[0] <= offset <= span[1]:
                return unit, index, span
        return None
