"""Finding pandoc's text again in the raw source, unit by unit.

pandoc's ``markdown`` reader keeps no source positions, so (as Vale does) the text of each unit
pandoc reads (a paragraph, list item, table cell, footnote, caption, heading) is found again in
the raw text. Both sides are compared as word tokens, runs of letters and digits: the markup
between words (``*``, ``_``, ``[``, ``>``, ``|``, hard wraps, escapes) does not matter. Where the
unit's text leaves out something the source holds (a citation's brackets and locator, a link's
URL, a footnote, raw HTML, attributes), the walker leaves an *allowance*: that many extra source
tokens may stand between the two words there. Everywhere else the words must follow each other.

A unit is *anchored* first: its first words (up to ``ANCHOR``) must appear consecutively after
the previous unit. The rest of its words are then matched from there, resuming after a word the
source does not have (an entity such as ``&eacute;``), so each sentence and citation is placed
inside its own unit and nowhere else.
"""

from __future__ import annotations

import re
import sys
from bisect import bisect_left, bisect_right
from itertools import accumulate, islice

TOKEN = re.compile(r"(\w+)")     # on the text with "_" made a space: letters and digits
ASCII_TOKEN = re.compile(r"([A-Za-z0-9]+)")     # the same, faster, for ASCII text
ANCHOR = 4          # words that must follow each other where a unit starts
CONFIRM = 2         # further words that must follow where matching resumes after a gap
RESYNC = 48         # source words searched to resume after a word the source lacks
FAR = 2000          # how far ahead (in source words) a unit is looked for first
NEAR = 64           # ... a unit of fewer than ANCHOR words, which a wrong match would send anywhere
MAX_TRIES = 64      # places tried to anchor one unit (bounds the cost of a unit that is not there)
MAX_BUDGET = 4096    # source words searched at most to resume after several lost words


class Tokens:
    """The word tokens of ``text[lo:hi]``: ``words[k]`` starts at offset ``starts[k]`` of ``text``."""

    __slots__ = ("text", "words", "starts", "lo", "hi")

    def __init__(self, text: str, lo: int = 0, hi: int | None = None):
        self.text = text
        self.lo = lo
        self.hi = len(text) if hi is None else hi
        part = text if lo == 0 and self.hi == len(text) else text[lo:self.hi]
        if part.isascii():
            parts = ASCII_TOKEN.split(part)
        else:
            parts = TOKEN.split(part.replace("_", " ") if "_" in part else part)
        # One string per distinct word (a long brief says "the" thousands of times): the brief's tokens
        # are held while pandoc reads it, when memory peaks.
        self.words = list(map(sys.intern, parts[1::2]))
        # parts alternate gap, word, gap, ...: the running length at odd places is where a word starts
        self.starts = list(islice(accumulate(map(len, parts), initial=lo), 1, len(parts) - 1, 2))

    def __len__(self) -> int:
        return len(self.words)

    def end(self, k: int) -> int:
        return self.starts[k] + len(self.words[k])

    def index_at(self, offset: int) -> int:
        """The first token starting at or after ``offset``."""
        return bisect_left(self.starts, offset)

    def split_at(self, offsets) -> None:
        """Split tokens at these offsets (markup inside a word: ``wo*rd*s``, ``H~2~O``)."""
        for at in offsets:
            k = bisect_right(self.starts, at) - 1
            if k >= 0 and self.starts[k] < at < self.end(k):
                word, cut = self.words[k], at - self.starts[k]
                self.words[k:k + 1] = [word[:cut], word[cut:]]
                self.starts.insert(k + 1, at)


class Placement:
    """Where a unit's words are in the source: runs of consecutive matches ``(i, j, length)``,
    unit word ``i`` at source token ``j`` of ``view``."""

    __slots__ = ("unit", "view", "runs", "_firsts")

    def __init__(self, unit: Tokens, view: Tokens, runs: list[tuple[int, int, int]]):
        self.unit, self.view, self.runs = unit, view, runs
        self._firsts = [r[0] for r in runs]

    def breaks(self) -> tuple[dict[int, int], dict[int, int]]:
        """Where runs start and end (at citations, links, notes...): unit word → source offset."""
        starts, words = self.view.starts, self.view.words
        return ({i: starts[j] for i, j, _k in self.runs},
                {i + k: starts[j + k - 1] + len(words[j + k - 1]) for i, j, k in self.runs})

    def __bool__(self) -> bool:
        return bool(self.runs)

    def first_in(self, i: int, end: int) -> int | None:
        """Source offset of the first placed word among unit words ``i`` to ``end`` (exclusive)."""
        if i >= end:
            return None
        r = bisect_right(self._firsts, i) - 1
        if r >= 0 and i < self.runs[r][0] + self.runs[r][2]:
            return self.view.starts[self.runs[r][1] + i - self.runs[r][0]]
        if r + 1 < len(self.runs) and self.runs[r + 1][0] < end:
            return self.view.starts[self.runs[r + 1][1]]
        return None

    def end_before(self, pos: int) -> int | None:
        """Source offset just past the last placed word that ends at or before text offset ``pos``."""
        i = bisect_right(self.unit.starts, pos) - 1
        r = bisect_right(self._firsts, i) - 1
        if i < 0 or r < 0:
            return None
        first, j, length = self.runs[r]
        return self.view.end(j + min(i, first + length - 1) - first)

    def start_after(self, pos: int) -> int | None:
        """Source offset of the first placed word that starts at or after text offset ``pos``."""
        i = bisect_left(self.unit.starts, pos)
        r = bisect_right(self._firsts, i) - 1
        if r >= 0 and i < self.runs[r][0] + self.runs[r][2]:
            return self.view.starts[self.runs[r][1] + i - self.runs[r][0]]
        if r + 1 < len(self.runs):
            return self.view.starts[self.runs[r + 1][1]]
        return None

    def first_start(self) -> int | None:
        return self.view.starts[self.runs[0][1]] if self.runs else None

    def last_end(self) -> int | None:
        if not self.runs:
            return None
        _first, j, length = self.runs[-1]
        return self.view.end(j + length - 1)


def place(unit: Tokens, allow: dict[int, int], view: Tokens, j: int, hi: int) -> Placement:
    """Match the unit's words in ``view`` from source token ``j`` (exclusive bound ``hi``).

    ``allow[i]``: how many extra source tokens may stand before unit word ``i``."""
    words, src = unit.words, view.words
    n = len(words)
    runs: list[tuple[int, int, int]] = []
    found = _anchor(words, allow, src, j, hi)
    if found is None:
        return Placement(unit, view, runs)
    i, c = found
    for k in range(i - 1, -1, -1):      # the unit's first words, if they are just before ("AT&amp;T")
        back = _find_back(src, words[k], max(j, c - 1 - RESYNC // 8), c)
        if back >= 0:
            runs.append((k, back, 1))
            c = back
    runs.reverse()
    i, c = found
    bounds = sorted(allow) if allow else ()
    while i < n:
        b = bisect_right(bounds, i)
        e = bounds[b] if b < len(bounds) else n          # the next word with an allowance
        length = e - i
        if src[c:c + length] == words[i:e]:
            k = length
        else:
            k, lim = 1, min(length, hi - c)
            while k < lim and src[c + k] == words[i + k]:
                k += 1
        runs.append((i, c, k))
        i, c = i + k, c + k
        budget = allow.get(i, 0) if k == length else RESYNC
        while i < n:
            at = _find(words, allow, i, src, c, min(hi, c + budget + 1))
            if at >= 0:
                c = at
                break
            i += 1                      # this word is not in the source: go on with the next
            budget = min(max(budget, RESYNC) + allow.get(i, 0), MAX_BUDGET)
    return Placement(unit, view, runs)


def _anchor(words, allow, src, j, hi) -> tuple[int, int] | None:
    """(i, c): unit word i is at source token c, and the unit's next words follow it.

    Units follow each other closely in the source: a unit is looked for near the previous one
    first (``FAR`` tokens; ``NEAR`` for a unit of a word or two, which a wrong match would send
    anywhere), and further away only when twice as many words match. At most ``MAX_TRIES``
    places are tried for one unit in all (on real documents the first few always do)."""
    n = len(words)
    tries = [MAX_TRIES]
    for i in range(min(n - ANCHOR + 1, ANCHOR) if n > ANCHOR else min(n, 1)):   # the first word may
        need = min(ANCHOR, n - i)                                                # be one the source lacks
        limit = min(hi, j + (FAR if need == ANCHOR else NEAR))
        found = _first_match(words, allow, i, src, j, limit, need, hi, tries)
        if found is None and n - i >= 2 * ANCHOR:
            found = _first_match(words, allow, i, src, j, hi, 2 * ANCHOR, hi, tries)
        if found is not None:
            return i, found
    return None


def _first_match(words, allow, i, src, c, limit, need, hi, tries: list[int]) -> int | None:
    while tries[0] > 0:
        try:
            c = src.index(words[i], c, limit)
        except ValueError:
            return None
        tries[0] -= 1
        if _follows(words, allow, i, src, c, need, hi):
            return c
        c += 1
    return None


def _follows(words, allow, i, src, c, need, hi) -> bool:
    """Do ``need`` unit words from ``i`` match the source from token ``c`` (allowances kept)?"""
    end = i + need
    i, c = i + 1, c + 1
    while i < end:
        extra = allow.get(i, 0)
        if extra:
            try:
                c = src.index(words[i], c, min(hi, c + extra + 1))
            except ValueError:
                return False
        elif c >= hi or src[c] != words[i]:
            return False
        i, c = i + 1, c + 1
    return True


def _find_back(src, word, lo, hi) -> int:
    """The last occurrence of ``word`` in ``src[lo:hi]``, or -1."""
    for c in range(hi - 1, lo - 1, -1):
        if src[c] == word:
            return c
    return -1


def _find(words, allow, i, src, lo, lim) -> int:
    """Where unit word ``i`` is in ``src[lo:lim]``, confirmed by the next words of its run."""
    n = len(words)
    confirm = 0
    while confirm < CONFIRM and i + confirm + 1 < n and not allow.get(i + confirm + 1):
        confirm += 1
    c = lo
    while True:
        try:
            c = src.index(words[i], c, lim)
        except ValueError:
            return -1
        if src[c + 1:c + 1 + confirm] == words[i + 1:i + 1 + confirm]:
            return c
        c += 1


# --- what the body text is not ------------------------------------------------------------

_COMMENT = re.compile(r"<!--.*?-->", re.S)
_NOTE_DEF = re.compile(r"\[\^(?P<label>[^\]\s]+)\]:[ \t]*")
_NOTE_END = re.compile(r"\n(?:[ \t]*\n)+(?= {0,3}[^ \t\n])|\n(?= {0,3}\[\^[^\]\s]+\]:)")


def _line_start(raw: str, at: int, indent: str = " ") -> bool:
    """Is ``at`` the start of a line's text, after at most three characters of ``indent``?"""
    line = raw.rfind("\n", 0, at) + 1
    return at - line <= 3 and not raw[line:at].strip(indent)


def _fenced_and_comments(raw: str, start: int) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Spans of fenced code blocks and of HTML comments, in order; a comment in code is code and a
    fence in a comment is comment."""
    skipped: list[tuple[int, int]] = []
    comments: list[tuple[int, int]] = []
    marks = [m for m in ("```", "~~~") if raw.find(m, start) >= 0]
    pos = start
    comment = _COMMENT.search(raw, pos)
    fence = _next_fence(raw, pos, marks)
    while True:      # each search again only when the last match lies behind (linear, not quadratic)
        if comment and comment.start() < pos:
            comment = _COMMENT.search(raw, pos)
        if fence and fence[0] < pos:
            fence = _next_fence(raw, pos, marks)
        if fence and (comment is None or fence[0] < comment.start()):
            at, opening = fence
            closing = re.compile(rf"^[ \t]{{0,3}}{re.escape(opening)}[`~]*[ \t]*$", re.M)
            line_end = raw.find("\n", at)
            end = closing.search(raw, line_end + 1) if line_end >= 0 else None
            span = (at, end.end() if end else len(raw))     # an unclosed fence runs to the end
        elif comment:
            span = comment.span()
            comments.append(span)
        else:
            return skipped, comments
        skipped.append(span)
        pos = span[1]


def _next_fence(raw: str, pos: int, marks: list[str]) -> tuple[int, str] | None:
    """The next line opening a fenced code block at or after ``pos``: (offset, its backticks or tildes).
    (Literal searches: a regex anchored at every line start is many times slower on a long brief.)"""
    while marks:
        found = [at for at in (raw.find(m, pos) for m in marks) if at >= 0]
        if not found:
            return None
        at = end = min(found)
        while end < len(raw) and raw[end] == raw[at]:
            end += 1
        if _line_start(raw, at, " \t"):
            return at, raw[at:end]
        pos = end
    return None


class Source:
    """The raw text as the walker searches it.

    ``body``: the tokens of the main flow, where HTML comments and footnote definitions are
    blanked out (pandoc shows neither where they stand, so no body text may be found there).
    ``notes``: label → (start, end) of each footnote definition's text, read from ``note_text``
    (comments blanked only). Fenced code is left as it is: a ``<!--`` or ``[^1]:`` in it is code.
    """

    def __init__(self, raw: str, start: int):
        skipped, comments = _fenced_and_comments(raw, start) if "<!--" in raw or "[^" in raw else ([], [])
        self.note_text = _blank(raw, comments)
        self.notes: dict[str, tuple[int, int]] = {}
        firsts = [a for a, _ in skipped]
        definitions: list[tuple[int, int]] = []
        for m in _NOTE_DEF.finditer(raw, start) if "[^" in raw else ():
            k = bisect_right(firsts, m.start()) - 1
            if not _line_start(raw, m.start()) or (k >= 0 and m.start() < skipped[k][1]):
                continue                      # not a definition, or inside code or a comment
            stop = _NOTE_END.search(raw, m.end())
            end = stop.start() + 1 if stop else len(raw)
            definitions.append((m.start(), end))
            self.notes.setdefault(m.group("label"), (m.end(), end))
        self.body = Tokens(_blank(self.note_text, definitions), start)
        self.raw, self.start = raw, start
        self._unmasked: Tokens | None = None

    @property
    def unmasked(self) -> Tokens:
        """Every token of the body, comments and definitions included: where a unit is looked for
        when pandoc read as text what looked like a comment (an unclosed ``<!--`` in a list...)."""
        if self._unmasked is None:
            self._unmasked = self.body if self.note_text is self.raw and not self.notes \
                else Tokens(self.raw, self.start)
        return self._unmasked


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with each span replaced by spaces (offsets unchanged)."""
    if not spans:
        return text
    out, at = [], 0
    for a, b in spans:
        if a < at:
            a = at
        if b <= a:
            continue
        out += [text[at:a], " " * (b - a)]
        at = b
    out.append(text[at:])
    return "".join(out)
