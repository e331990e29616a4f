"""The quote and figure checks of one brief against the snapshots of the sources it cites.

Shared by the rules (``quote-not-in-source``, ``number-not-in-source``) and ``citebrief evidence``.
A quotation or figure is *checked* only when every source its sentence cites has a readable
snapshot: otherwise it may come from the one without, and ``missing-snapshot`` says so instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from citebrief.claims import is_crossref
from citebrief.config import DEFAULT_CROSSREF_PREFIXES
from citebrief.evidence.match import CITATION_MARKS, Figure, closest_passage, figures_in, find_quote, quotes_in
from citebrief.evidence.snapshots import Snapshot, lookup
from citebrief.project import project_root

_WORD = re.compile(r"\w+")
CLOSE_ENOUGH = 0.5      # word-by-word likeness (difflib ratio) for a passage to be shown as the closest
_OPENERS = "\"“‘'*_>"


@dataclass
class Sources:
    """The sources a passage of the brief cites, with their usable snapshots."""

    keys: tuple[str, ...]
    snapshots: dict[str, Snapshot]          # key → snapshot with readable text

    @property
    def complete(self) -> bool:
        """Every cited source has a readable snapshot, so a miss is a real miss."""
        return bool(self.keys) and all(k in self.snapshots for k in self.keys)


@dataclass
class QuoteCheck:
    text: str                   # the quotation as the brief has it
    offset: int                 # where it starts in the brief's source
    sources: Sources
    block: bool                 # a block quote (rather than words in quotation marks)
    found_in: str | None        # the key of the first snapshot that has it
    span: tuple[int, int] = (0, 0)   # where it is in the sentence text, marks included

    @property
    def checked(self) -> bool:
        return self.sources.complete

    def closest(self) -> tuple[str, str]:
        """(key, passage) of the cited snapshot stretch most like the quote, for the message;
        ("", "") when nothing is even half alike (then showing it would only mislead)."""
        best = ("", "", -1.0)
        for key, snap in self.sources.snapshots.items():
            passage, score = closest_passage(self.text, snap.normalised)
            if score > best[2]:
                best = (key, passage, score)
        return (best[0], best[1]) if best[2] >= CLOSE_ENOUGH else ("", "")


@dataclass
class FigureCheck:
    figure: Figure
    offset: int
    sources: Sources
    found_in: str | None

    @property
    def checked(self) -> bool:
        return self.sources.complete


@dataclass
class Passage:
    """A stretch of the brief that cites sources: one sentence, or one sentence of a block quote."""

    text: str                   # the sentence text (citations shown as [@key])
    offset: int                 # where it starts in the source
    sentence: object            # the parse.model.Sentence
    keys: tuple[str, ...]
    quote_unit: bool            # inside a block quote


def cited_passages(brief, scope: str = "sentence",
                   crossref_prefixes=DEFAULT_CROSSREF_PREFIXES) -> Iterator[Passage]:
    """Every sentence with the keys that cover it: its own; in a block quote, the quote's or the
    introducing sentence's (README: "How claims are found"); with scope "paragraph", the unit's.
    Cross-references (``@fig:map``) are not sources, as for the claims (claims.is_crossref)."""
    def sources(sentences) -> tuple[str, ...]:
        return tuple(dict.fromkeys(k for s in sentences for k in s.keys if not is_crossref(k, crossref_prefixes)))

    previous = None
    for unit in brief.units:
        unit_keys = sources(unit.sentences)
        if unit.kind == "quote":
            keys = unit_keys or (sources([previous]) if previous is not None else ())
            for s in unit.sentences:
                yield Passage(s.text, s.offset, s, keys, True)
        else:
            for s in unit.sentences:
                keys = sources([s]) or (unit_keys if scope == "paragraph" else ())
                yield Passage(s.text, s.offset, s, keys, False)
        if unit.kind != "note" and unit.sentences:
            previous = unit.sentences[-1]


class BriefEvidence:
    """The quote and figure checks of one brief; built once, read by the rules and the report."""

    def __init__(self, brief, bib, root: Path, scope: str = "sentence",
                 crossref_prefixes=DEFAULT_CROSSREF_PREFIXES):
        self.brief = brief
        self.bib = bib
        self.root = root          # the trust boundary snapshots must stay inside
        self.scope = scope
        self.crossref_prefixes = crossref_prefixes
        self._sources: dict[tuple[str, ...], Sources] = {}
        self._passages: list[Passage] | None = None

    def passages(self) -> list[Passage]:
        """The brief's cited passages, found once for the quote and the figure checks."""
        if self._passages is None:
            self._passages = [p for p in cited_passages(self.brief, self.scope, self.crossref_prefixes) if p.keys]
        return self._passages

    def sources(self, keys: tuple[str, ...]) -> Sources:
        if keys not in self._sources:
            snaps = {}
            for key in keys:
                entry = self.bib.entries.get(key) if self.bib is not None else None
                if entry is None:
                    continue
                snap = lookup(entry, self.root).snapshot
                if snap is not None and snap.error is None:      # its text could be read
                    snaps[key] = snap
            self._sources[keys] = Sources(keys, snaps)
        return self._sources[keys]

    def quotes(self) -> Iterator[QuoteCheck]:
        """Every quotation in a cited sentence, and every sentence of a cited block quote."""
        for p in self.passages():
            yield from self.quote_checks(p)

    def figures(self) -> Iterator[FigureCheck]:
        """Every figure in a cited sentence outside quotation marks (a quote is checked whole)."""
        for p in self.passages():
            yield from self.figure_checks(p)

    def quote_checks(self, p: Passage) -> list[QuoteCheck]:
        if not p.keys:
            return []
        sources = self.sources(p.keys)
        if not sources.snapshots:
            return []
        if p.quote_unit:
            text = _strip_citations(p.text)
            if len(_WORD.findall(text)) < 2:
                return []
            return [QuoteCheck(text, p.offset, sources, True, _found(text, sources), (0, len(p.text)))]
        return [QuoteCheck(q.text, locate(self.brief.source, p.offset, q.text, back_over=_OPENERS), sources,
                           False, _found(q.text, sources), (q.start, q.end))
                for q in quotes_in(p.text)]

    def figure_checks(self, p: Passage) -> list[FigureCheck]:
        if not p.keys or p.quote_unit:
            return []
        sources = self.sources(p.keys)
        if not sources.snapshots:
            return []
        figures = figures_in(p.text)
        quoted = [(q.start, q.end) for q in quotes_in(p.text, min_words=1)] if figures else []
        checks = []
        for fig in figures:
            if any(a <= fig.start < b for a, b in quoted):
                continue
            found = next((k for k, s in sources.snapshots.items() if s.figures.has(fig)), None)
            checks.append(FigureCheck(fig, locate(self.brief.source, p.offset, fig.text, digits=True), sources, found))
        return checks


def _found(text: str, sources: Sources) -> str | None:
    for key, snap in sources.snapshots.items():
        if find_quote(text, snap.normalised) is not None:
            return key
    return None


def _strip_citations(text: str) -> str:
    return CITATION_MARKS.sub("", text).strip()


def locate(source: str, start: int, text: str, *, back_over: str = "", digits: bool = False) -> int:
    """Where ``text`` begins in the brief's raw ``source``, searching from ``start`` (a sentence's
    offset): its first words in order, with any markup or line breaks between them. Falls back to
    ``start``. ``back_over``: opening characters to include (the quotation mark)."""
    window_end = min(len(source), start + 4 * len(text) + 2000)
    if digits:
        i = source.find(text, start, window_end)
        if i < 0:
            m = re.search(r"\d[\d,.]*", text)
            i = source.find(m.group(), start, window_end) if m else -1
        return i if i >= 0 else start
    tokens = _WORD.findall(text)[:4]
    if not tokens:
        return start
    first = _words_in_order(source, tokens, start, window_end)
    i = first if first >= 0 else _words_in_order(source, tokens[:1], start, window_end)
    if i < 0:
        return start
    while i > start and source[i - 1] in back_over:
        i -= 1
    return i


def _words_in_order(source: str, tokens: list[str], start: int, end: int) -> int:
    """The first offset where ``tokens`` occur as whole words in order, each within a short reach
    of the one before (markup, quotes and line breaks between them); -1 if nowhere."""
    first = tokens[0]
    i = source.find(first, start, end)
    while i >= 0:
        if (i == 0 or not source[i - 1].isalnum()) and not source[i + len(first):i + len(first) + 1].isalnum():
            j = i + len(first)
            for tok in tokens[1:]:
                k = source.find(tok, j, min(end, j + 80 + len(tok)))
                if k < 0:
                    break
                j = k + len(tok)
            else:
                return i
        i = source.find(first, i + 1, end)
    return -1


def for_context(ctx) -> BriefEvidence:
    """The evidence of the brief a rule is looking at (called through snapshots.evidence_for, which
    first makes sure the brief cites a source of a project that keeps snapshots, and keeps the one
    made for each brief: the quote and the figure rule share its passages and sources)."""
    return BriefEvidence(ctx.brief, ctx.bib, project_root(ctx.config.root, ctx.brief.path), ctx.config.scope,
                         ctx.config.crossref_prefixes)
