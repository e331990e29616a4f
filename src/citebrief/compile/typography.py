"""Line breaks a careful typesetter would choose, made once in the AST for all three formats.

* **Ties** (a no-break space, U+00A0, instead of a space) where a break would strand a fragment:
  after ``§``/``¶`` and before ``§`` ("8 U.S.C. § 1357(g)" never breaks), between a title number
  and its code ("8 U.S.C."), inside dates ("June 1", "November 27, 2025"), after "Pub. L.", "No.",
  "p."/"pp." and before a year (or "n.d.") at the end of a citation ("Carranza and Sandoval 2025").
* **URLs shown as text** break only before a slash or a hyphen (the Chicago Manual's rule: the
  hyphen starts the next line, so it is never read as a word broken in two). Each piece between break
  points is kept whole: a typst ``box`` in the PDF, a ``nowrap`` span with ``<wbr>`` between pieces in
  the HTML (``wbr`` is in the sanitizer's allow-list). The text itself is unchanged, so a URL copied
  from the page or the PDF is the URL. (typst reads a piece like "-287g" as a minus sign and a
  number: the template's ``cb-url`` turns it back into the hyphen it is.)
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from typing import Any

from citebrief.bibliography.model import MONTH_NAMES

NBSP = "\u00a0"
# the names and their abbreviations "Jan." to "Dec." ("Sep." and "Sept."; "May" has none)
MONTHS = {*MONTH_NAMES, *(f"{m[:3]}." for m in MONTH_NAMES if len(m) > 3), "Sept."}
CODES = {"U.S.C.", "C.F.R.", "Stat.", "F.3d", "F.4th", "F.", "F.2d", "S.", "Ct."}
BEFORE_NUMBER = {"Pub.", "L.", "No.", "Nos.", "p.", "pp.", "Sec.", "sec.", "Art.", "art.", "Vol.", "vol."}
_NAMED = MONTHS | BEFORE_NUMBER
_NUMBER = re.compile(r"[(\[]?\d")
_DAY = re.compile(r"\d{1,2},?")
_YEAR = re.compile(r"(?:\d{4}[a-z]?|n\.d\.)[\]).,;:]*")
_CODE_NUMBER = re.compile(r"\(?\d+\)?")        # the title number before "U.S.C."


def _tie_here(before: str, before2: Callable[[], str], after: str, in_cite: bool) -> bool:
    """``before2()``: the word before ``before`` (asked only for a date)."""
    first = before[:1]
    if not (in_cite or first.isdigit() or first == "(" or before in _NAMED):     # most words: quickly no
        return before.endswith(("§", "¶")) or after.startswith(("§", "¶"))
    if before.endswith(("§", "¶")) or after.startswith(("§", "¶")):
        return True
    if _CODE_NUMBER.fullmatch(before) and after in CODES:
        return True                                                 # 8 U.S.C.
    if before in MONTHS and _NUMBER.match(after):
        return True                                                 # June 1, June 2025
    if _DAY.fullmatch(before) and before.endswith(",") and before2() in MONTHS and re.match(r"\d{4}", after):
        return True                                                 # (November) 27, 2025
    if before in BEFORE_NUMBER and (_NUMBER.match(after) or (before == "Pub." and after == "L.")):
        return True                                                 # Pub. L. 104-208, No. 3, p. 12
    return in_cite and bool(_YEAR.fullmatch(after))                 # Sandoval 2025, n.d.


def tie(inlines: list, in_cite: bool = False) -> list:
    """The inline list with the spaces above replaced by no-break spaces (merged into the words)."""
    if not any(n["t"] == "Space" for n in inlines):
        return inlines
    out: list = []
    tied = False            # a Str of ``out`` holds a no-break space (tied here, or by the author)
    i, last = 0, len(inlines) - 1
    while i <= last:
        n = inlines[i]
        if n["t"] == "Space" and out and i < last and inlines[i + 1]["t"] == "Str":
            after = inlines[i + 1]["c"]
            previous = out[-1]
            if previous["t"] == "Str":
                text = previous["c"]
                k = text.rfind(NBSP)
                before = text[k + 1:]
                if _tie_here(before, partial(_before2, text, k, out), after, in_cite):
                    out[-1] = {"t": "Str", "c": text + NBSP + after}
                    tied = True
                    i += 2
                    continue
            elif _tie_here(_last_word(previous), lambda: "", after, in_cite):     # "… § 1357(g)</span> 1996"
                out.append({"t": "Str", "c": NBSP})       # alone: nothing to keep whole
                i += 1
                continue
        elif not tied and n["t"] == "Str" and NBSP in n["c"]:
            tied = True
        out.append(n)
        i += 1
    # words tied here (or by the author) are kept whole; most inline lists have none: returned as they are
    if not tied:
        return out
    return [w for n in out for w in (_unbreakable(n) if n["t"] == "Str" and NBSP in n["c"][1:-1] else (n,))]


def _before2(text: str, k: int, out: list) -> str:
    """The word before the last one of ``out`` (whose last Str is ``text``, with its last tie at ``k``)."""
    if k >= 0:
        return text[text.rfind(NBSP, 0, k) + 1:k]
    return out[-3]["c"].rsplit(NBSP, 1)[-1] if len(out) >= 3 and out[-3]["t"] == "Str" else ""


def _unbreakable(node: dict) -> list:
    """Tied words kept whole: typst would still hyphenate "Septem-ber 17" inside a tie, and a browser
    with ``hyphens: auto`` too (the HTML's ``.nobreak`` switches that off). Not a typst ``box``: a
    flag's highlight and underline would skip it."""
    return [{"t": "RawInline", "c": ["typst", "#text(hyphenate: false)["]},
            {"t": "Span", "c": [["", ["nobreak"], []], [node]]},
            {"t": "RawInline", "c": ["typst", "]"]}]


def _last_word(node: dict) -> str:
    """The last word inside a wrapping inline (a span, emphasis, link...), or ""."""
    content: Any = node.get("c")
    if node["t"] in ("Span", "Link"):
        content = content[1]
    elif node["t"] == "Quoted":
        return ""
    if not isinstance(content, list) or not content or not isinstance(content[-1], dict):
        return ""
    last = content[-1]
    return last["c"].rsplit(NBSP, 1)[-1] if last["t"] == "Str" else _last_word(last)


_URL_BREAK = re.compile(r"(?<=.)(?=[/\-?#&=](?!/))")     # before / - ? # & = (never inside "//")
_SHORT = 40          # a longer piece is not kept whole: it may break anywhere rather than overflow


def url_pieces(text: str) -> list[str]:
    """``https://ex.org/a-b`` → ``["https://ex.org", "/a", "-b"]``: the pieces between break points."""
    head, sep, rest = text.partition("://")
    pieces = _URL_BREAK.split(rest) if sep else _URL_BREAK.split(text)
    if sep:
        pieces[0] = head + sep + pieces[0]
    return [p for p in pieces if p]


def url_inlines(text: str) -> list:
    """A URL shown as a link's text, with break points only before slashes and hyphens (see above)."""
    out: list = [{"t": "RawInline", "c": ["typst", "#cb-url["]}]
    for i, piece in enumerate(url_pieces(text)):
        if i:
            out.append({"t": "RawInline", "c": ["html", "<wbr>"]})
        part = {"t": "Str", "c": piece}
        if len(piece) <= _SHORT:
            out += [{"t": "RawInline", "c": ["typst", "#box["]},
                    {"t": "Span", "c": [["", ["url-part"], []], [part]]}, {"t": "RawInline", "c": ["typst", "]"]}]
        else:
            out.append(part)
    return out + [{"t": "RawInline", "c": ["typst", "]"]}]
