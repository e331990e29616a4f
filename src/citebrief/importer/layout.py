"""Layout detection: what each line of a plain-text explainer is.

The title (the first line, when it is a question or reads as a heading), the "Checked on ..." and
"Disclaimer: ..." lines, the source list (``sources.py``), then blocks of the rest: headings
(short lines without sentence punctuation, numbered section headings, Markdown or bold headings),
paragraphs (hard-wrapped ones joined), bullet and numbered lists, lists of questions, rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from citebrief.importer.citations import RUN
from citebrief.importer.sources import SOURCE_LINE, Source, take_source_list
from citebrief.importer.text import URL, find_date, words

_CHECKED = re.compile(r"^(?:last\s+|fact[-\s]?)?checked(?:\s+on)?\s*[:\-–—]?\s*(?P<rest>.*?)\s*$", re.I)
_DISCLAIMER = re.compile(r"^disclaimer\s*[:\-–—]\s*(?P<rest>.+?)\s*$", re.I)
# A link's label left behind when text is copied from a web page: "... or breaking news. Learn more."
_RESIDUE_TAIL = re.compile(r"(?:^|(?<=[.!?…]))\s*(?:(?:learn|read|see|find\s+out|know)\s+more|more\s+info(?:rmation)?"
                           r"|click\s+here|details)\s*[.!…:»›→>]*\s*$", re.I)
_BULLET = re.compile(r"^\s*[-*•◦‣▪]\s+(?P<text>\S.*)$")
_NUMBERED = re.compile(r"^\s*(?P<n>\d{1,3})[.)]\s+(?P<text>\S.*)$")
_MD_HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<text>.+?)\s*#*\s*$")
_BOLD_LINE = re.compile(r"^(?:\*\*|__)(?P<text>[^*_].*?)(?:\*\*|__)\s*:?$")
_RULE_LINE = re.compile(r"^\s*(?:(?:\*\s*){3,}|(?:-\s*){3,}|(?:_\s*){3,}|={3,}|~{3,})$")


@dataclass
class Block:
    kind: str                       # heading | para | bullets | ordered | rule
    texts: list[str]
    line: int
    classes: tuple[str, ...] = ()
    numbers: list[int] = field(default_factory=list)   # ordered list numbers


@dataclass
class Explainer:
    title: str | None = None
    checked: date | None = None
    checked_text: str | None = None     # the "Checked on" line when its date could not be read
    disclaimer: str | None = None
    blocks: list[Block] = field(default_factory=list)
    sources: dict[int, Source] = field(default_factory=dict)
    has_source_list: bool = False
    unmapped: list[str] = field(default_factory=list)


def _heading_like(text: str, max_words: int) -> bool:
    """A short line without sentence punctuation, citations or URLs: a heading in plain text."""
    text = text.strip()
    if not text or RUN.search(text) or URL.search(text) or len(text) > 120:
        return False
    if words(text) > max_words or text[-1] in ".,;:!…" or text.endswith(("”", "\"")) and text[-2:-1] in ".,":
        return False
    first = text[0]
    return first.isupper() or first.isdigit() or first in "“\"‘'¿¡"


def _is_limitations(text: str, headings: tuple[str, ...]) -> bool:
    low = re.sub(r"^\d+[.)]\s+", "", text.strip()).lower()
    return any(low.startswith(h.lower()) for h in headings)


def parse_explainer(text: str, limitation_headings: tuple[str, ...] = ("Limitations", "Caveats")) -> Explainer:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines = [line.rstrip() for line in lines]
    ex = Explainer()
    used = [False] * len(lines)          # lines taken for the front matter or the source list
    _take_title(lines, used, ex)
    _take_front_lines(lines, used, ex)
    found = take_source_list(lines, used, ex.unmapped)
    ex.sources, ex.has_source_list = found.sources, found.found

    raw_blocks = _raw_blocks(lines, used)
    for index, block in enumerate(raw_blocks):
        is_last = index == len(raw_blocks) - 1
        ex.blocks.extend(_classify(block, is_last, limitation_headings, ex.unmapped))

    if ex.title is None:
        heading = next((b for b in ex.blocks if b.kind == "heading"), None)
        if heading is not None:
            ex.title = heading.texts[0]
            ex.blocks.remove(heading)
            ex.unmapped.append(f"line {heading.line}: no title line (a question or heading) at the top; "
                               f"used the first heading {heading.texts[0]!r} as the title")
    return ex


def _take_title(lines: list[str], used: list[bool], ex: Explainer) -> None:
    """The first line is the title when it is a question or reads as a heading."""
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return
    candidate = lines[first].strip()
    md = _MD_HEADING.match(candidate) or _BOLD_LINE.match(candidate)
    if md:
        candidate = md.group("text").strip()
    if not (_CHECKED.match(candidate) and find_date(candidate)) and not _DISCLAIMER.match(candidate) and (
            md or candidate.endswith("?") or _heading_like(candidate, 20)) and not SOURCE_LINE.match(candidate):
        ex.title = candidate
        used[first] = True


def _take_front_lines(lines: list[str], used: list[bool], ex: Explainer) -> None:
    """The "Checked on ..." and "Disclaimer: ..." lines, wherever they are."""
    for i, line in enumerate(lines):
        s = line.strip()
        if used[i] or not s:
            continue
        m = _CHECKED.match(s)
        if m and words(s) <= 8 and ex.checked is None and ex.checked_text is None:
            found = find_date(m.group("rest"))
            if found and found.full:
                ex.checked = found.full
                used[i] = True
            elif found or s.lower().startswith(("checked on", "last checked", "checked:")):
                ex.checked_text = s
                used[i] = True
            continue
        m = _DISCLAIMER.match(s)
        if m and ex.disclaimer is None:
            ex.disclaimer = _without_web_residue(m.group("rest"), i + 1, ex.unmapped)
            used[i] = True


def _without_web_residue(text: str, line: int, unmapped: list[str]) -> str | None:
    """The disclaimer without a trailing link label ("Learn more.") copied from a web page."""
    kept = text
    while (m := _RESIDUE_TAIL.search(kept)) is not None:
        kept = kept[:m.start()].rstrip()
    if kept != text:
        unmapped.append(f"line {line}: dropped {text[len(kept):].strip()!r} (a web page's link text) "
                        "from the disclaimer")
    return kept or None


def _raw_blocks(lines: list[str], used: list[bool]) -> list[list[tuple[int, str]]]:
    """Runs of consecutive unused, non-blank lines as (1-based line number, stripped text)."""
    raw_blocks: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    for i, line in enumerate(lines):
        if used[i] or not line.strip():
            if current:
                raw_blocks.append(current)
                current = []
            continue
        current.append((i + 1, line.strip()))
    if current:
        raw_blocks.append(current)
    return raw_blocks


def _heading(text: str, line: int, limitation_headings) -> Block:
    md = _MD_HEADING.match(text)
    if md:
        text = md.group("text")
    bold = _BOLD_LINE.match(text)
    if bold:
        text = bold.group("text").strip()
    classes = ("limitations",) if _is_limitations(text, limitation_headings) else ()
    return Block("heading", [text], line, classes)


def _as_list(items: list[tuple[int, str]]) -> Block | None:
    """Lines that are all bullets, all numbered, or all questions: a list; else None."""
    bullets = [m for _, t in items if (m := _BULLET.match(t))]
    if len(bullets) == len(items):
        return Block("bullets", [m.group("text") for m in bullets], items[0][0])
    numbered = [m for _, t in items if (m := _NUMBERED.match(t))]
    if len(items) >= 2 and len(numbered) == len(items):
        return Block("ordered", [m.group("text") for m in numbered], items[0][0],
                     numbers=[int(m.group("n")) for m in numbered])
    if len(items) >= 2 and all(t.endswith("?") and words(t) >= 3 for _, t in items):
        return Block("bullets", [t for _, t in items], items[0][0])     # a list of questions
    return None


def _classify_line(line0: int, first: str, is_last: bool, limitation_headings, unmapped: list[str]) -> Block:
    """A block of one line: a rule, a heading, a one-item list or a paragraph."""
    if _RULE_LINE.match(first):
        return Block("rule", [], line0)
    if _MD_HEADING.match(first) or _BOLD_LINE.match(first):
        return _heading(first, line0, limitation_headings)
    numbered = _NUMBERED.match(first)
    if numbered and _heading_like(numbered.group("text"), 16) or _heading_like(first, 16):
        if not is_last or _is_limitations(first, limitation_headings):
            return _heading(first, line0, limitation_headings)
        unmapped.append(f"line {line0}: short last line {first!r} kept as a paragraph")
    elif bullet := _BULLET.match(first):
        return Block("bullets", [bullet.group("text")], line0)
    return Block("para", [first], line0)


def _classify(block: list[tuple[int, str]], is_last: bool, limitation_headings, unmapped: list[str]) -> list[Block]:
    line0, first = block[0]
    if len(block) == 1:
        return [_classify_line(line0, first, is_last, limitation_headings, unmapped)]
    texts = [t for _, t in block]

    listed = _BULLET.match(first) or _NUMBERED.match(first)
    lead_heading = not listed and (_MD_HEADING.match(first) or _BOLD_LINE.match(first) or _heading_like(first, 12)
                                   or (first.endswith("?") and words(first) <= 12 and not RUN.search(first)))
    rest = _as_list(block[1:])
    # "Want to dive deeper?" followed by longer questions: a heading over a list, not one more question
    short_lead = lead_heading and words(first) <= 6 and all(words(t) > words(first) for t in texts[1:])
    whole = _as_list(block)
    if whole is not None and not (rest is not None and short_lead and whole.kind == "bullets"
                                  and not _BULLET.match(first)):
        return [whole]
    if rest is not None:
        if lead_heading:
            return [_heading(first, line0, limitation_headings), rest]
        return [Block("para", [first], line0), rest]
    if lead_heading and (_MD_HEADING.match(first) or _BOLD_LINE.match(first) or words(first) <= 8) \
            and block[1][1][:1].isupper():
        return [_heading(first, line0, limitation_headings),
                *_classify(block[1:], is_last, limitation_headings, unmapped)]
    # a paragraph, perhaps hard-wrapped; a list that starts inside it is split off
    for j in range(1, len(block)):
        tail = _as_list(block[j:])
        if tail is not None and (_BULLET.match(block[j][1]) or _NUMBERED.match(block[j][1])):
            return [Block("para", [" ".join(t for _, t in block[:j])], line0), tail]
    if any("\t" in t or t.count("|") >= 2 for t in texts):
        unmapped.append(f"line {line0}: looks like a table; kept as a paragraph")
    return [Block("para", [" ".join(texts)], line0)]
