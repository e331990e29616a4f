"""Sentence splitting for claim detection.

The text handed in is a unit's plain text in which each citation and footnote is one
placeholder character (see ``CITE``/``TEXT_CITE``/``NOTE``). A boundary is closing
punctuation, optional closing quotes/brackets, then white space and something that can
start a sentence. Abbreviations, initials, decimals, domains and section signs survive
because they are either not followed by white space (3.5, ice.gov) or are known tokens
(U.S., Nov., R.). A bracketed citation or footnote right after the closing punctuation
belongs to the sentence before it ("... in 2025. [@key]").
"""

from __future__ import annotations

import functools
import re

CITE = "\ue000"        # [@key] — may trail a sentence
NOTE = "\ue001"        # a footnote marker — may trail a sentence
TEXT_CITE = "\ue002"   # @key in running text — may start a sentence

ABBREVIATIONS = frozenset([
    "u.s", "u.k", "u.n", "e.g", "i.e", "etc", "al", "cf", "vs", "v", "no", "nos", "nov", "sept", "sep", "oct", "dec",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sec", "secs", "ch", "art", "arts", "para", "paras", "pub", "l",
    "dr", "mr", "mrs", "ms", "st", "jr", "sr", "gov", "rep", "sen", "inc", "co", "corp", "ltd", "dept", "op", "fig",
    "figs", "eq", "eqs", "tab", "tabs", "ref", "refs", "vol", "vols", "p", "pp", "ed", "eds", "approx", "est", "ca",
    "resp", "univ", "ave", "rd", "mt", "ft", "n.d", "ibid", "id", "cal", "ariz", "colo", "md", "tex"
])

# With ``lang`` set in the front matter, that language's common abbreviations too (lower case).
LANGUAGE_ABBREVIATIONS = {
    "es": frozenset([
        "sr", "sra", "srta", "sres", "dr", "dra", "drs", "dras", "mtro", "mtra", "lic", "ing", "arq", "prof", "profa",
        "ud", "uds", "vd", "vds", "pág", "págs", "núm", "nro", "cap", "caps", "cía", "ej", "aprox", "avda", "av",
        "dpto", "depto", "tel", "gral", "coord", "dir", "dña", "esq", "admón"
    ]),
    "fr": frozenset([
        "m", "mm", "mme", "mmes", "mlle", "mlles", "pr", "me", "mgr", "st", "ste", "sts", "stes", "av", "apr", "env",
        "chap", "éd", "ex", "bd", "boul", "réf", "cf", "vol"
    ]),
    "de": frozenset([
        "bzw", "ca", "vgl", "nr", "hr", "hrn", "fr", "frl", "prof", "usw", "evtl", "ggf", "inkl", "zzgl", "str",
        "abb", "bd", "jh", "jhd", "mio", "mrd", "sog", "bspw", "geb", "gest", "anm", "hrsg", "kap", "abs", "lt",
        "max", "min", "mind", "insb", "allg", "tel"
    ]),
}

# English abbreviations that are common words ending sentences in another language ("Dijo que no.")
COMMON_WORDS = {"es": frozenset({"no", "nos", "al", "co", "est"}), "fr": frozenset({"no", "est", "co"})}

_BOUNDARY = re.compile(
    r"(?P<end>[.!?…]+(?:[\"”’')\]»]|[ \u00a0\u202f]»)*)"   # closing punctuation and closers (« French »)
    rf"(?P<trail>(?:[ \t\n]*[{CITE}{NOTE}])*)"        # citations/notes that trail the sentence
    r"(?P<gap>\s+)"
    rf"(?=(?:[\"“‘'(\[*_§$#¿¡]|«[ \u00a0\u202f]?)*[A-Z0-9{TEXT_CITE}À-ÖØ-Þ])"
)
_TRAILING_ONLY = CITE + NOTE + " \t\n.,;"
_INITIAL = re.compile(r"^\(?[A-Z]$")
_DOTTED = re.compile(r"^(?:[A-Za-z]\.)+[A-Za-z]$")
_OPENING = "(\"“‘'[«¿¡"


def _is_abbreviation(text: str, dot: int, known: frozenset[str], ordinals: bool) -> bool:
    """Is the '.' at ``dot`` the end of an abbreviation or an initial rather than a sentence?"""
    before = text[max(0, dot - 40):dot]          # a bounded look back keeps this linear
    if not before or before[-1].isspace():
        return False
    word = before.rsplit(None, 1)[-1]
    for dash in "—–/":                           # "data—e.g. 3D", "and/or approx. 5"
        if dash in word:
            word = word.rsplit(dash, 1)[1]
    word = word.lstrip(_OPENING)
    if _INITIAL.match(word) or _DOTTED.match(word):
        return True
    if ordinals and word.isdigit() and len(word) <= 2:
        return True                              # German ordinals: "am 3. Oktober", "im 19. Jahrhundert"
    return word.lower() in known


@functools.cache
def abbreviations(lang: str) -> tuple[frozenset[str], bool]:
    """The abbreviations known for a brief's ``lang`` ("es", "fr-CA", "de_DE"...), and whether
    numbers followed by a period are ordinals there."""
    code = lang.lower().replace("_", "-").split("-")[0]
    extra = LANGUAGE_ABBREVIATIONS.get(code)
    if not extra:
        return ABBREVIATIONS, False
    return (ABBREVIATIONS - COMMON_WORDS.get(code, frozenset())) | extra, code == "de"


def split_sentences(text: str, lang: str = "") -> list[tuple[int, int]]:
    """Return (start, end) spans of the sentences in ``text``, white space trimmed. ``lang`` is the
    brief's language (front matter ``lang``): its common abbreviations do not end a sentence."""
    spans: list[tuple[int, int]] = []
    start = 0
    nesting = _Nesting(text) if _BRACKETS.search(text) else None
    known, ordinals = abbreviations(lang)
    for m in _BOUNDARY.finditer(text):
        end_punct = m.group("end")
        if end_punct.startswith(".") and len(end_punct.rstrip("\"”’')]» \u00a0\u202f")) == 1 \
                and _is_abbreviation(text, m.start(), known, ordinals):
            continue
        if nesting and nesting.inside(m.end("end")):
            continue        # "(see Sec. 3. It says ...)" or “Stop. Now.” — not the end of the sentence
        stop = m.end("trail")
        if text[start:stop].strip():
            spans.append((start, stop))
        start = m.end()
    if text[start:].strip():
        if spans and not text[start:].strip(_TRAILING_ONLY):
            spans[-1] = (spans[-1][0], len(text))   # "... 2025. [@key]" at the very end
        else:
            spans.append((start, len(text)))
    return [_trim(text, a, b) for a, b in spans]


_BRACKETS = re.compile("[()“”«»]")
_OPENER = {")": "(", "”": "“", "»": "«"}


class _Nesting:
    """Tracks open parentheses and curly quotes as the splitter moves forward (linear time).

    An opener only counts for ``REACH`` characters, so one stray "(" cannot swallow a paragraph.
    """

    REACH = 400

    def __init__(self, text: str):
        self.text, self.pos = text, 0
        self.open: list[tuple[str, int]] = []

    def inside(self, pos: int) -> bool:
        stack = self.open
        for m in _BRACKETS.finditer(self.text, self.pos, pos):
            ch = m.group()
            if ch in "(“«":
                stack.append((ch, m.start()))
            elif stack and stack[-1][0] == _OPENER[ch]:
                stack.pop()
        self.pos = pos
        while stack and pos - stack[0][1] > self.REACH:
            stack.pop(0)
        return bool(stack)


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b
