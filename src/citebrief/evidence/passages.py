"""Passages of a source and which of them best match a claim (lexical ranking, BM25).

A source's text is cut into passages of a few sentences; :class:`PassageIndex` ranks them for
a query (a claim, a quote) with Okapi BM25. The ranking is lexical and explainable: the words
a passage shares with the claim are what made it rank, and :func:`terms` gives them.

BM25 is a dozen lines, written out here rather than taken from rank-bm25: that package's Okapi
IDF is zero or negative for words in half or more of the passages, which on a short source (a
press release is three passages) ranks a passage with every word of the claim no higher than one
with none; the Lucene form used here, ``log(1 + (N - n + 0.5) / (n + 0.5))``, is always positive.
It also spares a numpy dependency for what is a loop over a few hundred passages.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

WORD = re.compile(r"\w+(?:[.,]\d+)*")     # words; "1,001" and "3.5" stay one token
_BLANK_LINE = re.compile(r"\n\s*\n")        # a paragraph's end
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’')\]]*\s+(?=[\"“‘'(\[]?[A-Z0-9])|" + _BLANK_LINE.pattern
                           + r"|\n(?=\s*[|#*-] )")
# text extracted from HTML has one block (heading, paragraph, table row) per line: every line ends one
_LINE_END = re.compile(_SENTENCE_END.pattern + r"|\n")

# a word list reads best as words (hence the noqa)
STOPWORDS = frozenset("""
a an and are as at be been but by for from had has have he her his i in into is it its of on or
our she so than that the their them then there these they this those to was we were which who
will with would you your not no do does did can could may might must shall should about after
also any all more most other over such only same very just said says
""".split())  # noqa: SIM905


def terms(text: str) -> list[str]:
    """The words BM25 compares: lowercased, stop words out, numbers without separators."""
    out = []
    for m in WORD.finditer(text.lower()):
        word = m.group().replace(",", "")
        if word not in STOPWORDS and (len(word) > 1 or word.isdigit()):
            out.append(word)
    return out


@dataclass(frozen=True)
class Passage:
    start: int       # offsets into the text the passages were cut from
    end: int
    text: str


def split_passages(text: str, target_words: int = 60, max_words: int = 120, *,
                   lines: bool = False) -> list[Passage]:
    """Cut ``text`` into passages of whole sentences, about ``target_words`` words each.

    A blank line (a paragraph's end) closes a passage that has half its words already, so
    passages follow the source's paragraphs where it has them; text extracted from a PDF (one
    line per printed line, no blank lines) is cut by sentences alone. A single sentence longer
    than ``max_words`` is one passage. A passage's text shows a line break where a block of the
    source ends (a blank line), so a heading does not run into the sentence after it, nor a
    table's rows into each other; other white space is one space. ``lines``: every line is a
    block (text extracted from HTML) and ends a paragraph.
    """
    pieces: list[tuple[int, int, bool]] = []      # (start, end, ends a paragraph)
    pos = 0
    for m in (_LINE_END if lines else _SENTENCE_END).finditer(text):
        pieces.append((pos, m.start(), "\n\n" in m.group() or m.group().startswith("\n")))
        pos = m.end()
    pieces.append((pos, len(text), True))
    passages: list[Passage] = []
    start, words, last_end = None, 0, 0
    for a, b, paragraph_end in pieces:
        n = len(WORD.findall(text, a, b))
        if n == 0:
            continue
        if start is not None and words + n > max_words:
            passages.append(_passage(text, start, last_end, lines))
            start, words = None, 0
        if start is None:
            start = a
        words += n
        last_end = b
        if words >= target_words or (paragraph_end and words >= target_words // 2):
            passages.append(_passage(text, start, b, lines))
            start, words = None, 0
    if start is not None:
        passages.append(_passage(text, start, last_end, lines))
    return passages


def _passage(text: str, a: int, b: int, lines: bool = False) -> Passage:
    """The passage as shown: white space made single spaces, except where a block ends (a line of
    HTML text, else a blank line), which stays one line break."""
    blocks = text[a:b].split("\n") if lines else _BLANK_LINE.split(text[a:b])
    return Passage(a, b, "\n".join(" ".join(block.split()) for block in blocks if block.strip()))


class PassageIndex:
    """BM25 over one source's passages (k1 = 1.2, b = 0.75, Lucene's IDF)."""

    K1 = 1.2
    B = 0.75

    def __init__(self, passages: list[Passage]):
        self.passages = passages
        self._tf = [Counter(terms(p.text)) for p in passages]
        self._len = [sum(tf.values()) for tf in self._tf]
        self._avg = (sum(self._len) / len(self._len)) if self._len else 0.0
        df: Counter[str] = Counter()
        for tf in self._tf:
            df.update(tf.keys())
        n = len(passages)
        self._idf = {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}

    def scores(self, query: str) -> list[float]:
        q = [t for t in dict.fromkeys(terms(query)) if t in self._idf]
        out = []
        for tf, length in zip(self._tf, self._len):
            score = 0.0
            norm = self.K1 * (1 - self.B + self.B * length / self._avg) if self._avg else self.K1
            for t in q:
                f = tf.get(t)
                if f:
                    score += self._idf[t] * f * (self.K1 + 1) / (f + norm)
            out.append(score)
        return out

    def best(self, query: str, k: int = 1) -> list[tuple[Passage, float]]:
        """The ``k`` passages that best match ``query``, best first; passages sharing no word
        with it are left out."""
        ranked = sorted(zip(self.passages, self.scores(query)), key=lambda ps: (-ps[1], ps[0].start))
        return [(p, s) for p, s in ranked[:k] if s > 0]


def shared_terms(query: str, passage: str) -> set[str]:
    """The query's words the passage also has (what to highlight)."""
    return set(terms(query)) & set(terms(passage))
