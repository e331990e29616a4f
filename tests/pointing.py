"""Does a finding point at the text it names? Used by the real-document tests and by
bench/bench_positions.py, which measures the share of findings that do on any document.

A finding "names" text when its message quotes it: an uncited claim quotes the sentence, an
unknown key names ``@key``, an unflagged limitation quotes the gap phrase, a figure without a
caption names the figure. The check reads the raw file at the finding's line:column, as an
editor would: markup before the words (``*``, ``_``, ``[``, ``[-@``, quotes, ``$``) is allowed;
the quoted words must start right there.
"""

from __future__ import annotations

import re

TOKEN = re.compile(r"[^\W_]+")
MARKUP = re.compile(r"(?:[*_\[(\"'“‘«¿¡$\\`~^@{<]|-@)*")
QUOTED = re.compile(r'has no citation: "(?P<text>.*)"$', re.S)
KEY = re.compile(r"^citation @(?P<key>\S+?)(?: is not in | but the brief)")
PHRASE = re.compile(r'^"(?P<phrase>[^"]+)" admits a gap')


def offset_of(source: str, line: int, column: int) -> int:
    """Character offset of a 1-based line:column (as findings report them)."""
    start = 0
    for _ in range(line - 1):
        start = source.index("\n", start) + 1
    return start + column - 1


def points_at(source: str, finding) -> bool | None:
    """True when the finding's position starts the text its message names, False when it does
    not, None when the message names no text (a missing date, a bibliography entry...)."""
    if finding.path.endswith(".bib"):
        return None
    message = finding.message
    at = offset_of(source, finding.line, finding.column)
    if finding.rule == "uncited-claim":
        if message.startswith("figure has no caption"):
            return source.startswith("![", at)
        m = QUOTED.search(message)
        return _words_start_at(source, at, m.group("text")) if m else None
    if finding.rule == "unknown-key":
        m = KEY.match(message)
        if not m:
            return None
        rest = source[at:at + len(m.group("key")) + 4].lstrip("[-")
        return rest.startswith(("@" + m.group("key"), "@{" + m.group("key")))
    if finding.rule == "unflagged-limitation":
        m = PHRASE.match(message)
        if not m:
            return None
        words = m.group("phrase").split()
        return re.match(r"\W*" + r"\s+".join(map(re.escape, words)), source[at:at + 400], re.I) is not None
    return None


def _words_start_at(source: str, at: int, quoted: str, words: int = 3) -> bool:
    truncated = quoted.endswith("…")
    expected = TOKEN.findall(quoted.rstrip("…"))
    if truncated and len(expected) > 1:
        expected = expected[:-1]          # the last word may be cut in half
    expected = expected[:words]
    if not expected:
        return True                       # nothing to compare ("[@key]" alone)
    window = source[at:at + 600]
    # H~2~O, a^bc^d and foo`bar` are one word in the message (but $\chi^2$ is two)
    return any(_follow(w, expected) for w in (window, re.sub(r"[`^~*]", "", window)))


def _follow(window: str, expected: list[str]) -> bool:
    first = TOKEN.search(window)
    if first is None or MARKUP.fullmatch(window[:first.start()]) is None:
        return False
    found = [m.group() for m in TOKEN.finditer(window)]
    if found[0] != expected[0]:
        return False
    k = 1
    for word in expected[1:]:             # the next words follow, allowing locators, URLs, ...
        # a word of the message may join two of the source across markup ("[link](url)¹²")
        near = [n for n, w in enumerate(found[k:k + 12], k) if w == word or (len(w) > 2 and word.startswith(w))]
        if not near:
            return False
        k = near[0] + 1
    return True
