"""Quotes and figures: when are a brief's words the source's words, and its numbers the source's?

Plain functions over plain strings, shared by the rules, ``citebrief evidence`` and (later) the
language server's hover. Nothing here reads files.

Quotes (README: the evidence checks). A quotation matches a source when, after :func:`normalise`
has made both sides comparable, its words appear in the source in order, with exactly these
tolerances and nothing else:

- straight and curly quotes and apostrophes are the same; so are all dashes (``-``, ``–``, ``—``,
  ``--``), with or without spaces around them;
- any run of white space, line breaks included, is one space;
- the case of the first letter of the quotation (and of each piece after an omission);
- ``...``, ``…``, ``[...]`` and ``[…]`` stand for omitted text (at most :data:`MAX_OMISSION`
  characters, so an ellipsis cannot splice together two ends of a document);
- ``[bracketed]`` text is the writer's insertion and stands for up to :data:`MAX_INSERTION` characters
  of the source, or none;
- punctuation that closes the quotation (``."``, ``,"``) may be the writer's: American style puts
  commas and periods inside the marks whatever the source says.

Figures. A figure is a count, amount, percentage, decimal or tally in running text; see
:func:`figures_in` for what is not one (years on their own, list numbering, dates, section numbers).
``1,001`` = ``1001``; ``641%`` = ``641 percent`` = ``641 per cent``; ``1.2 million`` = ``1,200,000``.
"""

from __future__ import annotations

import difflib
import functools
import re
from array import array
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from citebrief.evidence.passages import WORD

MAX_OMISSION = 2000      # characters an ellipsis may stand for
MAX_INSERTION = 80       # characters a [bracketed] insertion may stand in for

# --------------------------------------------------------------------------- normalising

_QUOTES = "\"“”„‟«»″"
_APOSTROPHES = "'‘’‚‛′`"
_DASHES = "-‐‑‒–—―−﹘﹣－"
_TRANSLATE = {**{ord(c): '"' for c in _QUOTES}, **{ord(c): "'" for c in _APOSTROPHES},
              **{ord(c): "-" for c in _DASHES}, ord("\u00ad"): None, ord("\u200b"): None,
              ord("\u200c"): None, ord("\u200d"): None, ord("\ufeff"): None,
              ord("\ufb00"): "ff", ord("\ufb01"): "fi", ord("\ufb02"): "fl", ord("\ufb03"): "ffi",
              ord("\ufb04"): "ffl"}   # PDF ligatures are how text is drawn, not what it says


def normalise(text: str) -> str:
    """The comparable form of a text: one kind of quote, apostrophe and dash, single spaces.

    Dashes lose the spaces around them ("287(g) — the" = "287(g)—the"), soft hyphens and
    zero-width characters go. Case, letters, digits and other punctuation are kept as they are.
    (String methods rather than regular expressions: a snapshot can be megabytes.)
    """
    text = _ascii_spaced(text) if text.isascii() else " ".join(text.translate(_TRANSLATE).split())
    if "-" in text:
        text = text.replace(" -", "-").replace("- ", "-")
        while "--" in text:
            text = text.replace("--", "-")
    return text


_ASCII_SPACE = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f"      # where str.split() splits ASCII text, besides " "


def _ascii_spaced(text: str) -> str:
    """``" ".join(text.translate(_TRANSLATE).split())`` for ASCII text (of _TRANSLATE only "`" is
    ASCII), by replacing rather than splitting it into words: twice as fast on a snapshot."""
    for space in _ASCII_SPACE:
        if space in text:
            text = text.replace(space, " ")
    if "`" in text:
        text = text.replace("`", "'")
    while "  " in text:
        text = text.replace("  ", " ")
    return text.strip(" ")


# --------------------------------------------------------------------------- quotes

@dataclass(frozen=True)
class Quote:
    """A quotation found in a brief's text: ``text`` is what is inside the marks."""

    text: str
    start: int          # offset of the opening mark in the text searched
    end: int            # offset just past the closing mark

    @property
    def words(self) -> int:
        return len(WORD.findall(CITATION_MARKS.sub(" ", self.text)))


# “...” pairs; straight "..." pairs (pandoc leaves them when it cannot pair them itself);
# ‘...’ pairs whose closing ’ is not an apostrophe inside a word ("the agency’s").
_DOUBLE = re.compile(r"“([^“”]*)”|\"([^\"\n]*)\"")
_SINGLE = re.compile(r"(?<![\w’'])‘([^‘]{0,1000}?)’(?!\w)")
# The marks Sentence.text shows in place of citations, "[@key; @other]", and notes, "[^]" (made by
# parse/brief.py shown_text), with the space before them: what the evidence code takes out of a sentence.
CITATION_MARKS = re.compile(r"\s*\[(?:@[^\]]*|\^)\]")


def quotes_in(text: str, min_words: int = 2) -> list[Quote]:
    """The outermost quotations of at least ``min_words`` words in ``text``, in order."""
    if '"' not in text and "“" not in text and "‘" not in text:
        return []
    found = [Quote(m.group(1) if m.group(1) is not None else m.group(2), m.start(), m.end())
             for m in _DOUBLE.finditer(text)]
    if "‘" in text:      # (what _SINGLE needs: most quotations have double marks only)
        taken = [(q.start, q.end) for q in found]
        for m in _SINGLE.finditer(text):
            if not any(a <= m.start() < b for a, b in taken):
                found.append(Quote(m.group(1), m.start(), m.end()))
    return sorted((q for q in found if q.words >= min_words), key=lambda q: q.start)


_OMISSION = re.compile(r"\s*(?:\[\s*(?:\.\s*){3}\]|\[\s*…\s*\]|(?:\.\s*){2}\.|…)\s*")
_INSERTION = re.compile(r"\s*\[[^\[\]]{1,60}\]\s*")
_CLOSING_PUNCT = re.compile(r"[\s.,;:]+$")


@dataclass(frozen=True)
class _Piece:
    """A stretch of a quotation between omissions and insertions, to be found literally."""

    text: str
    gap: int           # at most this many characters of the source between the previous piece and this one
    any_case: bool     # it begins the quotation or follows an omission: its first letter's case may differ

    def variants(self) -> tuple[str, ...]:
        t = self.text
        if not (self.any_case and t[:1].isalpha()):
            return (t,)
        return tuple(dict.fromkeys((t, t[0].upper() + t[1:], t[0].lower() + t[1:])))


def quote_pieces(quote: str) -> list[_Piece]:
    """The quotation as literal pieces with the gaps the tolerances allow between them (leading and
    trailing omissions and insertions dropped: they anchor nothing; closing punctuation off)."""
    text = normalise(quote)
    if "[" not in text and "…" not in text and text.count(".") < 3:
        # most quotations: no citation mark, omission or insertion can be in them (each needs a "[",
        # a "…" or three dots), so the whole is one piece (what _split_pieces would find, sooner)
        tail = _CLOSING_PUNCT.sub("", text.strip())
        return [_Piece(tail, 0, True)] if tail else []
    return _split_pieces(text)


def _split_pieces(text: str) -> list[_Piece]:
    text = CITATION_MARKS.sub("", text)
    pieces: list[_Piece] = []
    gap, any_case = 0, True
    for i, fragment in enumerate(_OMISSION.split(text)):
        if i:
            gap, any_case = MAX_OMISSION, True
        for j, literal in enumerate(_INSERTION.split(fragment)):
            if j:
                gap = max(gap, MAX_INSERTION)
            literal = literal.strip()
            if literal:
                pieces.append(_Piece(literal, gap if pieces else 0, any_case))
                gap, any_case = 0, False
    if pieces:
        last = pieces.pop()
        tail = _CLOSING_PUNCT.sub("", last.text)
        if tail:
            pieces.append(_Piece(tail, last.gap, last.any_case))
    return pieces


@dataclass(frozen=True)
class Found:
    start: int     # offsets into the normalised source text
    end: int


MAX_ANCHORS = 10_000     # places the first piece of a quotation is tried at (a common word: many)


def find_quote(quote: str, normalised_source: str) -> Found | None:
    """Where ``quote`` appears in a source (already passed through :func:`normalise`), or None.

    Plain substring searches, no regular expression: the first piece is tried where it occurs, each
    following piece at its leftmost place within the gap allowed after the one before (leftmost is
    never worse for the pieces after it), so a quotation full of ellipses costs linear time at worst
    rather than the exponential backtracking a pattern with many ``.{0,2000}?`` could take."""
    pieces = quote_pieces(quote)
    if len(pieces) == 1:      # most quotations: no omission or insertion, the leftmost place is the answer
        start = min((i for i in map(normalised_source.find, pieces[0].variants()) if i >= 0), default=-1)
        return Found(start, start + len(pieces[0].text)) if start >= 0 else None
    return _search(pieces, normalised_source)


def _search(pieces: list[_Piece], src: str) -> Found | None:
    if not pieces or not all(any(v in src for v in p.variants()) for p in pieces[1:]):
        return None                          # a piece found nowhere: no need to try every start
    for start, end in _occurrences(pieces[0], src):
        for piece in pieces[1:]:
            hit = _leftmost(piece, src, end, end + piece.gap + len(piece.text))
            if hit < 0:
                break
            end = hit + len(piece.text)
        else:
            return Found(start, end)
    return None


def _occurrences(piece: _Piece, src: str):
    """(start, end) of each place ``piece`` occurs, in order, at most MAX_ANCHORS of them."""
    starts: list[int] = []
    for variant in piece.variants():
        i = src.find(variant)
        while i >= 0 and len(starts) < MAX_ANCHORS * 3:
            starts.append(i)
            i = src.find(variant, i + 1)
    for i in sorted(starts)[:MAX_ANCHORS]:
        yield i, i + len(piece.text)


def _leftmost(piece: _Piece, src: str, lo: int, hi: int) -> int:
    hits = [i for i in (src.find(v, lo, hi) for v in piece.variants()) if i >= 0]
    return min(hits) if hits else -1


def closest_passage(quote: str, normalised_source: str, width: int = 160) -> tuple[str, float]:
    """The stretch of the source most like ``quote`` (word by word) and how alike they are
    (0..1), to show the writer the difference when the quote is not found; ("", 0.0) when
    nothing in the source shares a word with it."""
    wanted = WORD.findall(_INSERTION.sub(" ", _OMISSION.sub(" ", normalise(quote))).lower())
    if not wanted:
        return "", 0.0
    tokens = _tokens(normalised_source)
    words = tokens.words
    if not words:
        return "", 0.0
    # Candidate starts: where the rarest of the quote's words occur (cheap to find, and a
    # misquote keeps most of its words). Then align the quote word by word at each.
    # (Ties in order of the quote, never of a set: the message must not change from run to run.)
    anchors = sorted(dict.fromkeys(w for w in wanted if w in tokens.counts), key=tokens.counts.__getitem__)[:3]
    if not anchors:
        return "", 0.0
    n = len(wanted)
    starts = set()
    for anchor in anchors:
        offset = wanted.index(anchor)
        i = -1
        try:
            while True:
                i = words.index(anchor, i + 1)     # a C loop: the words are shared strings
                starts.add(max(0, i - offset))
        except ValueError:
            pass
        if len(starts) > 200:
            break
    best, best_score = 0, -1.0
    matcher = difflib.SequenceMatcher(None, autojunk=False)
    matcher.set_seq2(wanted)                 # the matcher keeps what it learnt about the quote
    for s in sorted(starts):
        matcher.set_seq1(words[s:s + n + 2])
        if matcher.real_quick_ratio() <= best_score or matcher.quick_ratio() <= best_score:
            continue                         # cannot beat the best so far
        score = matcher.ratio()
        if score > best_score:
            best, best_score = s, score
    end = min(len(words), best + n + 2) - 1
    last = WORD.match(normalised_source, tokens.starts[end])
    a, b = tokens.starts[best], last.end() if last else tokens.starts[end]
    passage = normalised_source[a:b]
    return (passage if len(passage) <= width else passage[: width - 1].rstrip() + "…"), best_score


@dataclass(frozen=True)
class _Tokens:
    words: list[str]          # the source's words, lower case, equal words one shared string
    starts: array             # where each begins in the source
    counts: Counter           # how often each occurs


@functools.lru_cache(maxsize=8)
def _tokens(normalised_source: str) -> _Tokens:
    """The words of a source, split once however many misquotes are compared with it (a 19 MB
    source takes seconds to split). Compact (a word list of shared strings and an array of
    offsets), since up to eight sources are kept."""
    shared: dict[str, str] = {}
    words, starts = [], array("q")
    for m in WORD.finditer(normalised_source):
        w = m.group().lower()
        words.append(shared.setdefault(w, w))
        starts.append(m.start())
    return _Tokens(words, starts, Counter(words))


# --------------------------------------------------------------------------- figures

@dataclass(frozen=True)
class Figure:
    """A figure in a brief's text. ``value`` is canonical ("1001", "3.5"); ``scaled`` the value with
    its scale word applied ("1200000" for "1.2 million"); ``pair`` set for tallies and ranges."""

    text: str
    start: int
    end: int
    value: str
    percent: bool = False
    scaled: str | None = None
    pair: tuple[str, str] | None = None


_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_PCT = r"%|\s?per\s?cent\b|\s?percent(?:age points?)?\b"
_SCALE = r"thousand|million|billion|trillion"
_SCALES = {"thousand": 3, "million": 6, "billion": 9, "trillion": 12}

# A figure: not glued to a word, an identifier, a date part or a bigger number on the left
# ("COVID-19", "@src12", "11/25", "3.5" seen from the "5"), nor to letters, "(g)" or more digits
# on the right ("5G", "1990s", "287(g)").
# (_FIGURE, _PAIR and _DATE first look ahead for the character they must start with: a quick no at
# the many places that cannot start one, before lookbehinds and alternatives are tried.)
_FIGURE = re.compile(
    rf"(?=[$\d])(?<![\w@/.,:\-−$])(?P<dollar>\$\s?)?(?P<num>{_NUM})(?![\w(]|[.,:/]\d|-[^\W\d])"
    rf"(?P<pct>{_PCT})?(?:\s(?P<scale>{_SCALE})\b)?", re.I)
_PAIR = re.compile(rf"(?=\d)(?<![\w@/.,:\-−–—])(?P<a>{_NUM})\s?(?:[-−–—]|\bto\b)\s?(?P<b>{_NUM})(?![\w(]|[.,:/-]\d)"
                   rf"(?P<pct>{_PCT})?", re.I)
_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
          r"Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
_DATE = re.compile(rf"(?=[JFMASOND\d])(?:\b{_MONTH}\s\d{{1,2}}(?:st|nd|rd|th)?\b(?:,?\s\d{{4}})?|"
                   rf"\b\d{{1,2}}\s{_MONTH}\b(?:\s\d{{4}})?|\b{_MONTH}\s\d{{4}}\b|\b\d{{4}}-\d{{2}}-\d{{2}}\b)")
# Numbers that name something rather than count it: "§ 1357", "Section 5", "No. 12", "8 U.S.C.".
_NAMED_BY = re.compile(r"(?:§§?|\b(?:no|nos|sec|secs|section|sections|title|art|article|ch|chapter|vol|"
                       r"volume|p|pp|page|pages|part|rule|l|docket|case|exhibit|fig|figure|table|"
                       r"para|paragraph|amendment|h\.r|s|order|item|step|phase|version|v|u\.s\.c|c\.f\.r)\.?)\s?$",
                       re.I)
_NAMES_NEXT = re.compile(r"\s?(?:U\.S\.C|C\.F\.R|U\.S\.|F\.\s?\d|S\.\s?Ct|Stat\.|Fed\.\s?Reg)")
# Where a figure can begin: a digit after neither a word character nor "@" (as the lookbehinds of
# _FIGURE and _PAIR require), so digits inside citation keys do not count.
_FIGURE_START = re.compile(r"[^\w@]\d")
_DIGIT = re.compile(r"\d")
_LIST_MARK = re.compile(r"^\s*\(?\d{1,2}[.)]\s|\(\d{1,2}\)")


def canonical(number: str) -> str:
    """"1,001" → "1001", "3.50" → "3.5", "007" → "7" (a number as a comparable string)."""
    try:
        d = Decimal(number.replace(",", ""))
    except InvalidOperation:
        return number
    text = format(d.normalize(), "f")
    return text


def _scaled(number: str, scale: str | None) -> str | None:
    if not scale:
        return None
    return canonical(str(Decimal(number.replace(",", "")).scaleb(_SCALES[scale.lower()])))


def figures_in(text: str) -> list[Figure]:
    """The figures in a sentence, in order. Not figures: years on their own (a bare 1000-2100),
    list numbering ("1." or "(2)"), dates ("Nov. 25", "25 November"), numbers that name a
    section, page, case or law ("§ 1357", "No. 12", "8 U.S.C."), and anything inside a word."""
    if not (text[:1].isdigit() or _FIGURE_START.search(text)):   # most sentences: digits only in "[@src12]"
        return []
    if "[" in text:
        text = CITATION_MARKS.sub(lambda m: " " * len(m.group()), text)   # blanked: offsets stay
    digit = _DIGIT.search(text)
    if digit is None:
        return []
    # Every figure, tally and date holds a digit and starts at most 11 characters before its first
    # one ("September 25"): the scans begin there (lookbehinds still see the text before it).
    return _figures(text, max(0, digit.start() - 12))


def _figures(text: str, begin: int) -> list[Figure]:
    skip = [m.span() for m in _DATE.finditer(text, begin)]
    # a list mark is "(2)" anywhere or "1." at the start: without a "(" only the start can hold one
    skip += [m.span() for m in _LIST_MARK.finditer(text)] if "(" in text else [
        m.span() for m in [_LIST_MARK.match(text)] if m is not None]
    figures: list[Figure] = []
    for m in _PAIR.finditer(text, begin):
        a, b = m.group("a"), m.group("b")
        if _is_year(a) and (_is_year(b) or len(b) == 2) or _inside(m.span(), skip) or _named(text, m.start()):
            skip.append(m.span())          # "2019–2021", "2019–21": years, and neither half is a figure
            continue
        figures.append(Figure(m.group(), m.start(), m.end(), canonical(a), bool(m.group("pct")),
                              pair=(canonical(a), canonical(b))))
        skip.append(m.span())
    for m in _FIGURE.finditer(text, begin):
        num, pct, scale = m.group("num"), m.group("pct"), m.group("scale")
        if _inside(m.span("num"), skip) or _named(text, m.start()) or _NAMES_NEXT.match(text, m.end("num")):
            continue
        if _is_year(num) and not (pct or scale or m.group("dollar")):
            continue
        figures.append(Figure(m.group().strip(), m.start(), m.end(), canonical(num), bool(pct),
                              scaled=_scaled(num, scale)))
    return sorted(figures, key=lambda f: f.start)


def _is_year(number: str) -> bool:
    return len(number) == 4 and number.isdigit() and 1000 <= int(number) <= 2100


def _inside(span: tuple[int, int], ranges: list[tuple[int, int]]) -> bool:
    a, b = span
    return any(s <= a and b <= e for s, e in ranges)


def _named(text: str, start: int) -> bool:
    return bool(_NAMED_BY.search(text, max(0, start - 12), start))


class FigureIndex:
    """Every number a source states, for checking a brief's figures against it.

    Generous by design: any number in the source counts, years and page numbers included, with
    its percent form, its scaled form ("1.2 million" = 1200000) and its pairs ("5-4", "5 to 4").
    A brief's figure missing from all of it was not said by the source. Rather than list every
    number of a long source, :meth:`has` looks for the figure's own digits (a substring search)
    and reads the number around each place they occur.
    """

    def __init__(self, text: str):
        self.text = text
        self._seen: dict[tuple, bool] = {}
        self._scaled_values: set[str | None] | None = None

    def has(self, figure: Figure) -> bool:
        key = (figure.value, figure.percent, figure.scaled, figure.pair)
        if key not in self._seen:
            self._seen[key] = self._has(figure)
        return self._seen[key]

    def _has(self, figure: Figure) -> bool:
        if figure.pair is not None:
            a, b = figure.pair
            return any(m_pair is not None and canonical(m_pair.group("b")) == b
                       for m in self._numbers(a) for m_pair in [_PAIR_TAIL.match(self.text, m.end())])
        for m in self._numbers(figure.value):
            after = _AFTER.match(self.text, m.end())      # always matches (every part optional)
            if not figure.percent or (after is not None and after.group("pct")):
                return True
        if figure.scaled is not None and any(True for _ in self._numbers(figure.scaled)):
            return True
        if not figure.percent:   # "1,200,000" in the brief, "1.2 million" in the source
            return figure.value in self._scaled_numbers()
        return False

    def _numbers(self, value: str):
        """Matches of numbers in the text whose canonical value is ``value``."""
        whole = value.split(".", 1)[0].lstrip("-")
        probes = {whole, f"{int(whole):,}"} if whole.isdigit() else {whole}
        for probe in probes:
            i = self.text.find(probe)
            while i >= 0:
                before = self.text[i - 1:i]
                if not (before.isdigit() or (before in ",." and self.text[i - 2:i - 1].isdigit())):
                    m = _NUM_RE.match(self.text, i)
                    if m and canonical(m.group()) == value:
                        yield m
                i = self.text.find(probe, i + 1)

    def _scaled_numbers(self) -> set[str | None]:
        """The scaled values of the numbers with a scale word ("1.2 million" → "1200000"): the
        whole text is scanned once, not once per figure looked for."""
        if self._scaled_values is None:
            self._scaled_values = {_scaled(m.group("num"), m.group("scale")) for m in _SCALED_RE.finditer(self.text)}
        return self._scaled_values


_NUM_RE = re.compile(_NUM)
_AFTER = re.compile(rf"(?P<pct>{_PCT})?(?:\s(?P<scale>{_SCALE})\b)?", re.I)
_PAIR_TAIL = re.compile(rf"\s?(?:[-−–—]|to\b)\s?(?P<b>{_NUM})", re.I)
_SCALED_RE = re.compile(rf"(?P<num>{_NUM})\s(?P<scale>{_SCALE})\b", re.I)
