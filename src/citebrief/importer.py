"""``citebrief import``: turn a plain-text explainer with numbered citations into a Pandoc Markdown brief.

The explainer (like the seed) is plain text: a title line (usually a question), "Checked on ..." and
"Disclaimer: ..." lines, short heading lines, numbered section headings ("1. How ..."), paragraphs with
numbered citations (``[1]``, ``[1] [5]``, ``[3][9]``, ``word[2]``, ``[1, 2]``, ``[1-3]``), a limitations
section, a trailing list of questions and, sometimes, a numbered source list with URLs.

The import is conservative: it never overwrites a brief, only appends new entries to the bibliography
(existing text is kept byte for byte), builds entries only from what a source line honestly says
(title, author/organisation, date, URL) and otherwise writes clearly marked placeholders that
``citebrief lint`` reports as ``incomplete-entry``. Everything it could not map is reported.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import click

from citebrief.bibliography import MONTHS
from citebrief.compile.output import write_atomic
from citebrief.config import Config, load_config
from citebrief.errors import EXIT_OK, CitebriefError
from citebrief.parse.source import read_text

# --------------------------------------------------------------------------- dates

_MONTH = (r"(?P<mon>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
          r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
_DATE_PATTERNS = (
    re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})\b"),
    re.compile(rf"\b{_MONTH}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})\b", re.I),
    re.compile(rf"\b(?P<d>\d{{1,2}})\s+{_MONTH},?\s+(?P<y>\d{{4}})\b", re.I),
    re.compile(rf"\b{_MONTH},?\s+(?P<y>\d{{4}})\b", re.I),
)


@dataclass(frozen=True)
class FoundDate:
    iso: str            # "2025-11-27", or "2025-11" when the text gives no day
    start: int
    end: int

    @property
    def full(self) -> date | None:
        return date.fromisoformat(self.iso) if len(self.iso) == 10 else None


def find_date(text: str) -> FoundDate | None:
    """The first date in ``text`` written as ISO, "Month D, YYYY", "D Month YYYY" or "Month YYYY"."""
    best: FoundDate | None = None
    for pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            year = int(m.group("y"))
            month = (MONTHS[m.group("mon").lower()] if "mon" in m.groupdict() and m.group("mon")
                     else int(m.group("m")))
            day = m.groupdict().get("d")
            try:
                date(year, month, int(day) if day else 1)
            except ValueError:
                continue
            iso = f"{year:04d}-{month:02d}" + (f"-{int(day):02d}" if day else "")
            if best is None or m.start() < best.start:
                best = FoundDate(iso, m.start(), m.end())
            break
        if best is not None and pattern is _DATE_PATTERNS[2]:
            break   # "Month YYYY" only when no fuller date is written
    return best


# --------------------------------------------------------------------------- citations and inline text

_GROUP = r"\[\s*\d{1,3}(?:\s*(?:[-–—,;]|and)\s*\d{1,3})*\s*\]"
_RUN = re.compile(rf"{_GROUP}(?:[ \t]*{_GROUP})*")
_GROUP_RE = re.compile(_GROUP)
_URL = re.compile(r"https?://[^\s<>\"\]\[]+")
_ABBREVIATIONS = {"etc", "al", "vs", "inc", "co", "corp", "ltd", "no", "nos", "jan", "feb", "mar", "apr",
                  "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "mr", "mrs", "ms", "dr", "st",
                  "sec", "secs", "art", "pp", "p", "vol", "ed", "eds", "approx", "gov", "jr", "sr"}


def citation_numbers(group_text: str) -> list[int] | None:
    """``[1, 3-5]`` → [1, 3, 4, 5]; None when it is not a plausible citation (``[0]``, ``[5-2]``)."""
    numbers: list[int] = []
    for part in re.split(r"\s*(?:,|;|\band\b)\s*", group_text.strip("[] \t")):
        bounds = re.split(r"\s*[-–—]\s*", part)
        if len(bounds) == 1:
            numbers.append(int(bounds[0]))
        elif len(bounds) == 2:
            lo, hi = int(bounds[0]), int(bounds[1])
            if not lo < hi <= lo + 50:
                return None
            numbers.extend(range(lo, hi + 1))
        else:
            return None
    if any(n == 0 for n in numbers):
        return None
    return numbers


def run_numbers(run_text: str) -> list[int] | None:
    numbers: list[int] = []
    for g in _GROUP_RE.findall(run_text):
        found = citation_numbers(g)
        if found is None:
            return None
        numbers.extend(n for n in found if n not in numbers)
    return numbers


def trim_url(url: str) -> str:
    """A bare URL without the sentence punctuation that follows it."""
    while url and url[-1] in ".,;:!?'\"”’»":
        url = url[:-1]
    while url.endswith(")") and url.count(")") > url.count("("):
        url = url[:-1]
    return url


_INLINE_SPECIAL = re.compile(r"[\\`*\[\]<>$~^]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])|(?<![A-Za-z0-9])@")


def escape_text(text: str) -> str:
    """Plain text as Pandoc Markdown that reads back as the same text (no emphasis, math, citations)."""
    return _INLINE_SPECIAL.sub(lambda m: "\\" + m.group(0), text)


_BLOCK_START = re.compile(r"^(?:#|[-+*]\s|\d+[.)](?:\s|$)|[A-Za-z][.)]\s|\([A-Za-z0-9]+\)\s|[ivxlcdmIVXLCDM]+[.)]\s"
                          r"|[:%|=]|-{3,}\s*$)")


def protect_block_start(md: str) -> str:
    """Stop a paragraph or list item that starts with ``1.``, ``-``, ``#``, ``(a)`` ... becoming a list or heading."""
    if _BLOCK_START.match(md):
        m = re.match(r"^(\(?)([A-Za-z0-9]*)(.)", md)
        if m.group(1):
            return "\\" + md
        if m.group(2):
            return m.group(2) + "\\" + md[len(m.group(2)):]
        return "\\" + md
    return md


def escape_heading(text: str) -> str:
    return re.sub(r"[#{}]", lambda m: "\\" + m.group(0), escape_text(text))


def _moveable(before: str, punct: str) -> bool:
    """May the sentence's final ``punct`` move after a citation that follows it? Not after "U.S." or "Nov."."""
    if punct in "!?":
        return True
    word = re.search(r"(\S*)$", before).group(1)
    if not word or "." in word or not word[-1].isalnum():
        return False
    bare = word.lower().lstrip("(\"“‘'")
    return bare not in _ABBREVIATIONS and not (len(bare) == 1 and bare.isalpha())


@dataclass
class Inline:
    markdown: str
    references: int = 0     # @key references written
    groups: int = 0         # [@...] groups written
    skipped: list[str] = field(default_factory=list)   # bracketed numbers that are not citations


def render_inline(text: str, key_for) -> Inline:
    """Escape plain text, turn URLs into autolinks and numbered citations into ``[@key; @key]``."""
    out = ""
    refs = groups = 0
    last_cite_end = -1
    pos = 0
    skipped: list[str] = []
    pattern = re.compile(rf"(?P<url>{_URL.pattern})|(?P<run>{_RUN.pattern})")
    for m in pattern.finditer(text):
        if m.group("url"):
            url = trim_url(m.group("url"))
            if not url:
                continue
            out += escape_text(text[pos:m.start()]) + f"<{url}>"
            pos = m.start() + len(url)
            continue
        numbers = run_numbers(m.group("run"))
        if numbers is None:
            skipped.append(m.group("run"))
            continue     # left as (escaped) text
        out += escape_text(text[pos:m.start()])
        pos = m.end()
        keys = [key_for(n) for n in numbers]
        after = text[pos:pos + 1]
        moved = ""
        stripped = out.rstrip(" \t")
        if stripped and stripped[-1] in ".!?" and (after == "" or after.isspace()) and (
                last_cite_end == len(stripped) - 1 or _moveable(stripped[:-1], stripped[-1])):
            moved = stripped[-1]     # "claim. [1]" → "claim [@k]."; "claim [1]. [2]" → "claim [@k1; @k2]."
            stripped = stripped[:-1]
        if last_cite_end == len(stripped) and stripped.endswith("]"):
            # directly after our own citation group (``[1] [2]`` split by a moved period): merge
            existing = stripped[stripped.rindex("[@") + 1:-1]
            present = [k.strip()[1:] for k in existing.split(";")]
            new = [k for k in keys if k not in present]
            out = stripped[:-1] + "".join(f"; @{k}" for k in new) + "]"
            refs += len(new)
        else:
            sep = "" if not stripped or stripped[-1] in "([{“‘\"'—–/" else " "
            out = stripped + sep + "[" + "; ".join(f"@{k}" for k in keys) + "]"
            refs += len(keys)
            groups += 1
        last_cite_end = len(out)
        out += moved
        if after and (after.isalnum() or after in "(“\""):
            out += " "
    out += escape_text(text[pos:])
    return Inline(out, refs, groups, skipped)


# --------------------------------------------------------------------------- reading the explainer

_CHECKED = re.compile(r"^(?:last\s+|fact[-\s]?)?checked(?:\s+on)?\s*[:\-–—]?\s*(?P<rest>.*?)\s*$", re.I)
_DISCLAIMER = re.compile(r"^disclaimer\s*[:\-–—]\s*(?P<rest>.+?)\s*$", re.I)
_SOURCES_HEADING = re.compile(
    r"^(?:#+\s*)?(?:\*\*)?(?:sources?|references?|citations?|bibliography|works\s+cited|source\s+list|links)"
    r"(?:\*\*)?\s*:?\s*(?:\*\*)?$", re.I)
_SOURCE_LINE = re.compile(r"^\s*(?:\[(?P<a>\d{1,3})\]:?|(?P<b>\d{1,3})[.)])\s+(?P<text>\S.*)$")
_BRACKET_SOURCE_LINE = re.compile(r"^\s*\[(?P<a>\d{1,3})\]:?\s+(?P<text>\S.*)$")
_BULLET = re.compile(r"^\s*[-*•◦‣▪]\s+(?P<text>\S.*)$")
_NUMBERED = re.compile(r"^\s*(?P<n>\d{1,3})[.)]\s+(?P<text>\S.*)$")
_MD_HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<text>.+?)\s*#*\s*$")
_BOLD_LINE = re.compile(r"^(?:\*\*|__)(?P<text>[^*_].*?)(?:\*\*|__)\s*:?$")
_RULE_LINE = re.compile(r"^\s*(?:(?:\*\s*){3,}|(?:-\s*){3,}|(?:_\s*){3,}|={3,}|~{3,})$")


@dataclass
class Source:
    number: int
    text: str
    line: int


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
    title_line: int | None = None
    checked: date | None = None
    checked_text: str | None = None     # the "Checked on" line when its date could not be read
    disclaimer: str | None = None
    blocks: list[Block] = field(default_factory=list)
    sources: dict[int, Source] = field(default_factory=dict)
    has_source_list: bool = False
    unmapped: list[str] = field(default_factory=list)


def _words(text: str) -> int:
    return len(text.split())


def _heading_like(text: str, max_words: int) -> bool:
    """A short line without sentence punctuation, citations or URLs: a heading in plain text."""
    text = text.strip()
    if not text or _RUN.search(text) or _URL.search(text) or len(text) > 120:
        return False
    if _words(text) > max_words or text[-1] in ".,;:!…" or text.endswith(("”", "\"")) and text[-2:-1] in ".,":
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
    used = [False] * len(lines)

    # title: the first line when it is a question or reads as a heading
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is not None:
        candidate = lines[first].strip()
        md = _MD_HEADING.match(candidate) or _BOLD_LINE.match(candidate)
        if md:
            candidate = md.group("text").strip()
        if not (_CHECKED.match(candidate) and find_date(candidate)) and not _DISCLAIMER.match(candidate) and (
                md or candidate.endswith("?") or _heading_like(candidate, 20)) and not _SOURCE_LINE.match(candidate):
            ex.title, ex.title_line = candidate, first + 1
            used[first] = True

    # front-matter lines: "Checked on ...", "Disclaimer: ..."
    for i, line in enumerate(lines):
        s = line.strip()
        if used[i] or not s:
            continue
        m = _CHECKED.match(s)
        if m and _words(s) <= 8 and ex.checked is None and ex.checked_text is None:
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
            ex.disclaimer = m.group("rest")
            used[i] = True

    _take_sources(lines, used, ex)

    # blocks of consecutive unused, non-blank lines
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

    for index, block in enumerate(raw_blocks):
        is_last = index == len(raw_blocks) - 1
        ex.blocks.extend(_classify(block, is_last, limitation_headings, ex.unmapped))

    if ex.title is None:
        heading = next((b for b in ex.blocks if b.kind == "heading"), None)
        if heading is not None:
            ex.title, ex.title_line = heading.texts[0], heading.line
            ex.blocks.remove(heading)
            ex.unmapped.append(f"line {heading.line}: no title line (a question or heading) at the top; "
                               f"used the first heading {heading.texts[0]!r} as the title")
    return ex


def _take_sources(lines: list[str], used: list[bool], ex: Explainer) -> None:
    """A numbered source list under a "Sources"/"References" heading, or ``[n] ...`` lines anywhere."""
    i = 0
    while i < len(lines):
        s = lines[i].strip()
        if used[i] or not s:
            i += 1
            continue
        under_heading = bool(_SOURCES_HEADING.match(s))
        starts = _BRACKET_SOURCE_LINE.match(s)
        if not under_heading and not starts:
            i += 1
            continue
        if under_heading:
            used[i] = True
            i += 1
        ex.has_source_list = True
        pattern = _SOURCE_LINE if under_heading else _BRACKET_SOURCE_LINE
        last: Source | None = None
        blank_before = False
        while i < len(lines):
            s = lines[i].strip()
            if not s:
                blank_before = True
                i += 1
                continue
            m = pattern.match(s)
            if m:
                number = int(m.group("a") or m.group("b"))
                if number in ex.sources:
                    ex.unmapped.append(f"line {i + 1}: source [{number}] is listed twice; "
                                       f"kept the first (line {ex.sources[number].line})")
                    last = None
                else:
                    last = ex.sources[number] = Source(number, m.group("text").strip(), i + 1)
            elif last is not None and not blank_before and (lines[i][:1].isspace() or _URL.fullmatch(s)):
                last.text += " " + s          # a wrapped source line
            else:
                break
            used[i] = True
            blank_before = False
            i += 1


def _classify(block: list[tuple[int, str]], is_last: bool, limitation_headings, unmapped: list[str]) -> list[Block]:
    line0, first = block[0]
    texts = [t for _, t in block]

    def heading(text: str, line: int) -> Block:
        md = _MD_HEADING.match(text)
        if md:
            text = md.group("text")
        bold = _BOLD_LINE.match(text)
        if bold:
            text = bold.group("text").strip()
        classes = ("limitations",) if _is_limitations(text, limitation_headings) else ()
        return Block("heading", [text], line, classes)

    def as_list(items: list[tuple[int, str]]) -> Block | None:
        if all(_BULLET.match(t) for _, t in items):
            return Block("bullets", [_BULLET.match(t).group("text") for _, t in items], items[0][0])
        if len(items) >= 2 and all(_NUMBERED.match(t) for _, t in items):
            return Block("ordered", [_NUMBERED.match(t).group("text") for _, t in items], items[0][0],
                         numbers=[int(_NUMBERED.match(t).group("n")) for _, t in items])
        if len(items) >= 2 and all(t.endswith("?") and _words(t) >= 3 for _, t in items):
            return Block("bullets", [t for _, t in items], items[0][0])     # a list of questions
        return None

    if len(block) == 1:
        if _RULE_LINE.match(first):
            return [Block("rule", [], line0)]
        if _MD_HEADING.match(first) or _BOLD_LINE.match(first):
            return [heading(first, line0)]
        numbered = _NUMBERED.match(first)
        if numbered and _heading_like(numbered.group("text"), 16) or _heading_like(first, 16):
            if not is_last or _is_limitations(first, limitation_headings):
                return [heading(first, line0)]
            unmapped.append(f"line {line0}: short last line {first!r} kept as a paragraph")
        elif _BULLET.match(first):
            return [Block("bullets", [_BULLET.match(first).group("text")], line0)]
        return [Block("para", [first], line0)]

    listed = _BULLET.match(first) or _NUMBERED.match(first)
    lead_heading = not listed and (_MD_HEADING.match(first) or _BOLD_LINE.match(first) or _heading_like(first, 12)
                                   or (first.endswith("?") and _words(first) <= 12 and not _RUN.search(first)))
    rest = as_list(block[1:])
    # "Want to dive deeper?" followed by longer questions: a heading over a list, not one more question
    short_lead = lead_heading and _words(first) <= 6 and all(_words(t) > _words(first) for t in texts[1:])
    whole = as_list(block)
    if whole is not None and not (rest is not None and short_lead and whole.kind == "bullets"
                                  and not _BULLET.match(first)):
        return [whole]
    if rest is not None:
        if lead_heading:
            return [heading(first, line0), rest]
        return [Block("para", [first], line0), rest]
    if lead_heading and (_MD_HEADING.match(first) or _BOLD_LINE.match(first) or _words(first) <= 8) \
            and block[1][1][:1].isupper():
        return [heading(first, line0), *_classify(block[1:], is_last, limitation_headings, unmapped)]
    # a paragraph, perhaps hard-wrapped; a list that starts inside it is split off
    for j in range(1, len(block)):
        tail = as_list(block[j:])
        if tail is not None and (_BULLET.match(block[j][1]) or _NUMBERED.match(block[j][1])):
            return [Block("para", [" ".join(t for _, t in block[:j])], line0), tail]
    if any("\t" in t or t.count("|") >= 2 for t in texts):
        unmapped.append(f"line {line0}: looks like a table; kept as a paragraph")
    return [Block("para", [" ".join(texts)], line0)]


# --------------------------------------------------------------------------- source lines → BibTeX entries

_ORG_WORDS = re.compile(
    r"\b(?:department|agency|administration|enforcement|office|council|association|institute|institution|"
    r"center|centre|service|services|university|college|committee|commission|project|coalition|foundation|"
    r"union|bureau|court|congress|senate|house|government|ministry|police|sheriff|news|times|post|press|"
    r"journal|review|network|group|alliance|society|board|library|county|city|state|states|network|"
    r"forum|trust|fund|inc|llc|ltd|org)\b", re.I)
_QUOTED = re.compile(r"“(?P<a>[^”]+)”|\"(?P<b>[^\"]+)\"|«(?P<c>[^»]+)»")
_MD_LINK = re.compile(r"\[(?P<text>[^\]]+)\]\((?P<url>https?://[^)\s]+)\)")
_ACCESSED = re.compile(r"\b(?:accessed|retrieved|visited|viewed)(?:\s+on)?\s*:?\s*", re.I)
_NOISE = re.compile(r"^(?:available\s+(?:at|from)|online|retrieved\s+from|url|link|pdf|web|website|in)$", re.I)
_STOP = {"a", "an", "the", "of", "and", "or", "in", "on", "for", "to", "with", "how", "does", "do", "what",
         "why", "when", "is", "are", "was", "by", "at", "from", "its", "it", "as", "who", "which", "that"}


@dataclass
class ParsedSource:
    fields: dict[str, str]
    guessed_title: bool = False


def _clean_part(part: str) -> str:
    return part.strip(" \t.,;:|()[]-–—").strip()


def parse_source_line(text: str) -> ParsedSource:
    """The fields a source line honestly gives: title, author/organization, date, URL, access date."""
    fields: dict[str, str] = {}
    rest = text
    link = _MD_LINK.search(rest)
    if link:
        fields["title"] = link.group("text").strip()
        fields["url"] = link.group("url")
        rest = rest[:link.start()] + " | " + rest[link.end():]
    urls = [trim_url(u) for u in _URL.findall(rest)]
    if urls and "url" not in fields:
        fields["url"] = urls[0]
    for u in urls:
        rest = rest.replace(u, " | ", 1)
    rest = re.sub(r"<\s*\|\s*>", " | ", rest)
    accessed = _ACCESSED.search(rest)
    if accessed:
        found = find_date(rest[accessed.end():])
        if found and found.start == 0:
            fields["urldate"] = found.iso
            rest = rest[:accessed.start()] + " | " + rest[accessed.end() + found.end:]
    before, after = rest, ""
    if "title" not in fields:
        quoted = _QUOTED.search(rest)
        if quoted:
            fields["title"] = _clean_part(next(g for g in quoted.groups() if g))
            before, after = rest[:quoted.start()], rest[quoted.end():]
    found = find_date(after) or None
    where = "after" if found else "before"
    found = found or find_date(before)
    if found:
        fields["date"] = found.iso
        if where == "after":
            after = after[:found.start] + " | " + after[found.end:]
        else:
            before = before[:found.start] + " | " + before[found.end:]

    def parts(s: str) -> list[str]:
        out = [_clean_part(p) for p in re.split(r"\s*(?:[,;|]|\s[-–—]\s|\s[-–—]$)\s*", s)]
        return [p for p in out if p and not _NOISE.match(p) and not re.fullmatch(r"\(?\d{4}\)?", p)]

    year_only = re.search(r"(?<![\d/])\(?((?:19|20)\d{2})\)?(?![\d/])", before + " " + after)
    if "date" not in fields and year_only:
        fields["date"] = year_only.group(1)
    guessed = False
    b, a = parts(before), parts(after)
    if "title" in fields:
        if b:
            fields["author"] = ", ".join(b)
        if a:
            fields["organization"] = a[0]
    else:
        every = b + a
        if every:
            guessed = True
            title = max(every, key=len)
            i = every.index(title)
            fields["title"] = title
            if i > 0:
                fields["author"] = ", ".join(every[:i])
            if i + 1 < len(every):
                fields["organization"] = every[i + 1]
    if "author" in fields:
        fields["author"] = _author_value(fields["author"])
    return ParsedSource(fields, guessed)


def _author_value(name: str) -> str:
    """A person's name as BibTeX reads names; an organisation in braces so it is not split into names."""
    words = name.replace(",", " ").split()
    org = (_ORG_WORDS.search(name) or any(w.isupper() and len(w.strip(".")) >= 2 for w in words)
           or "&" in name or len(words) > 4 or re.search(r"\w\.\w{2,}", name))
    return "{" + name + "}" if org else name


def _ascii_slug(text: str, sep: str = "-") -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", sep, text).strip(sep)


def _domain_label(url: str) -> str | None:
    m = re.match(r"https?://([^/:?#]+)", url)
    if not m:
        return None
    labels = [x for x in m.group(1).lower().split(".") if x and x != "www"]
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in {"co", "com", "gov", "org", "ac", "net", "edu"}:
        return labels[-3]
    return labels[-2] if len(labels) >= 2 else (labels[0] if labels else None)


def key_base(fields: dict[str, str]) -> str:
    """A readable key: who published it (URL domain, organisation acronym or surname) and the year."""
    base = None
    author = fields.get("author", "").strip("{}")
    if author and not fields["author"].startswith("{"):      # a person: surname, as in smith2024
        base = author.split(",")[0].split()[-1] if "," in author else author.split(" and ")[0].split()[-1]
    if not base and fields.get("url"):
        base = _domain_label(fields["url"])
    if not base and author:
        caps = [w for w in re.findall(r"[A-Za-z][\w'’-]*", author) if w[0].isupper() and w.lower() not in _STOP]
        if fields["author"].startswith("{"):
            acronym = next((w for w in author.split() if w.isupper() and len(w) >= 2), None)
            base = acronym or ("".join(w[0] for w in caps) if len(caps) >= 3 else (caps[0] if caps else None))
        else:
            base = author.split(",")[0].split()[-1] if "," in author else (caps[-1] if caps else None)
    if not base and fields.get("organization"):
        base = fields["organization"].split()[0]
    if not base and fields.get("title"):
        base = next((w for w in re.findall(r"[A-Za-z]\w+", fields["title"]) if w.lower() not in _STOP), None)
    base = _ascii_slug(base or "source", "")[:20] or "source"
    year = re.match(r"\d{4}", fields.get("date", ""))
    return base + (year.group(0) if year else "")


_BIB_SPECIAL = re.compile(r"(?<!\\)([&%$#_])")


def bib_value(value: str) -> str:
    value = " ".join(value.split())
    value = value.replace("\\", "\\textbackslash{}") if "\\" in value and not value.startswith("{") else value
    value = _BIB_SPECIAL.sub(r"\\\1", value).replace("~", "\\textasciitilde{}").replace("^", "\\textasciicircum{}")
    depth = 0
    for ch in value:
        depth += (ch == "{") - (ch == "}")
        if depth < 0:
            break
    if depth != 0:
        value = value.replace("{", "").replace("}", "")
    return value


# --------------------------------------------------------------------------- planning keys

@dataclass
class PlannedEntry:
    key: str
    numbers: list[int]
    entry_type: str
    fields: list[tuple[str, str]]
    placeholder: bool
    new: bool = True
    reused_because: str = ""

    def bibtex(self) -> str:
        body = "".join(f"  {name} = {{{value}}},\n" for name, value in self.fields)
        return f"@{self.entry_type}{{{self.key},\n{body}}}\n"


def placeholder_note(number: int, file_name: str) -> str:
    return f"placeholder: source [{number}] of {file_name}, fill in"


def imported_note(number: int, file_name: str) -> str:
    return f"imported from source [{number}] of {file_name}; check every field"


def _norm_url(url: str | None) -> str | None:
    if not url:
        return None
    return re.sub(r"^https?://(www\.)?", "", url.strip().strip("{}")).rstrip("/").lower()


def _same_note(existing, note: str) -> bool:
    value = existing.get("note") if existing is not None else None
    return value is not None and " ".join(value.split()) in (note, bib_value(note))


def _pick(base: str, taken: set[str], existing: dict, note: str, letters: bool) -> tuple[str, bool]:
    """(key, reused): the first of base, base-2 ... (or base, baseb ...) that is free or is this very
    entry from an earlier import (same note); an existing entry is never replaced."""
    for i in range(1, 10_000):
        key = base if i == 1 else base + (_letters(i) if letters else f"-{i}")
        if key in existing and _same_note(existing[key], note):
            return key, True
        if key not in taken:
            return key, False
    raise CitebriefError(f"no free key for {base}")   # pragma: no cover


def _letters(i: int) -> str:   # 2 → b, 26 → z, 27 → ab ...
    s = ""
    while i > 0:
        i, r = divmod(i - 1, 26)
        s = chr(97 + r) + s
    return s


def plan_entries(numbers: list[int], ex: Explainer, stem: str, file_name: str,
                 existing: dict, existing_keys: set[str], unmapped: list[str]) -> dict[int, PlannedEntry]:
    """Each cited number → an entry (new or an existing one reused); never an existing key overwritten."""
    taken = set(existing_keys)
    by_url = {}
    for key, entry in existing.items():
        u = _norm_url(entry.get("url"))
        if u:
            by_url.setdefault(u, key)
    planned: dict[int, PlannedEntry] = {}
    new_by_url: dict[str, PlannedEntry] = {}
    for n in sorted(set(numbers)):
        source = ex.sources.get(n)
        if source is not None:
            parsed = parse_source_line(source.text)
            f = parsed.fields
            note = imported_note(n, file_name)
            url = _norm_url(f.get("url"))
            if url and url in new_by_url:
                new_by_url[url].numbers.append(n)
                planned[n] = new_by_url[url]
                continue
            if url and url in by_url:
                planned[n] = PlannedEntry(by_url[url], [n], "", [], False, new=False, reused_because="same URL")
                continue
            base = key_base(f)
            key, reused = _pick(base, taken, existing, note, letters=base[-1:].isdigit())
            if reused:
                planned[n] = PlannedEntry(key, [n], "", [], False, new=False, reused_because="same import")
                continue
            taken.add(key)
            order = ("title", "author", "organization", "date", "url", "urldate")
            fields = [(k, f[k] if k in ("url", "date", "urldate") else bib_value(f[k])) for k in order if k in f]
            fields.append(("note", bib_value(note)))
            entry = PlannedEntry(key, [n], "online" if f.get("url") else "misc", fields, False)
            if parsed.guessed_title:
                unmapped.append(f"source [{n}] (line {source.line}): no quoted title; guessed "
                                f"title {{{f['title']}}} for {key}")
            missing = [w for w, names in (("title", ("title",)), ("author", ("author", "organization")),
                                           ("date", ("date",))) if not any(x in f for x in names)]
            if missing:
                unmapped.append(f"source [{n}] (line {source.line}): no {', no '.join(missing)} found; "
                                f"{key} is incomplete")
            if url:
                new_by_url[url] = entry
            planned[n] = entry
        else:
            note = placeholder_note(n, file_name)
            key, reused = _pick(f"{stem}-src{n}", taken, existing, note, letters=False)
            if reused:
                planned[n] = PlannedEntry(key, [n], "", [], True, new=False, reused_because="same placeholder")
                continue
            taken.add(key)
            planned[n] = PlannedEntry(key, [n], "misc", [("note", bib_value(note))], True)
    return planned


# --------------------------------------------------------------------------- writing files

def _show(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:   # another drive (Windows)
        return str(path)


def slugify_title(title: str, limit: int = 60) -> str:
    slug = _ascii_slug(title)
    if len(slug) > limit:
        slug = slug[:limit + 1].rsplit("-", 1)[0]
    return slug


def key_stem(input_path: Path, title: str | None) -> str:
    """``<stem>`` of placeholder keys: the file's name when it reads as words, else the title's first words."""
    stem = _ascii_slug(input_path.stem)
    if re.search(r"[a-z]{3}", stem) and not re.search(r"[0-9a-f]{8}", stem):
        return stem[:30].strip("-")
    words = [w for w in _ascii_slug(title or "").split("-") if w and w not in _STOP]
    return "-".join(words[:3]) or "brief"


def _yaml_string(text: str) -> str:
    return json.dumps(escape_text(text), ensure_ascii=False)


# --------------------------------------------------------------------------- the command

@dataclass
class ImportResult:
    out: Path
    bib: Path
    citations: int
    groups: int
    entries: dict[int, PlannedEntry]
    unmapped: list[str]
    explainer: Explainer

    @property
    def new_entries(self) -> list[PlannedEntry]:
        seen, out = set(), []
        for e in self.entries.values():
            if e.new and e.key not in seen:
                seen.add(e.key)
                out.append(e)
        return out


def _existing_bibliography(bib: Path):
    """(entries by key, every key written in the file, the file's bytes) of an existing .bib."""
    if not bib.exists():
        return {}, set(), None
    from citebrief.bibliography import load_bibliography

    shown = _show(bib)
    loaded = load_bibliography(bib, shown)
    data = bib.read_bytes()
    text = data.decode("utf-8", "replace")
    keys = set(loaded.entries) | {e.key for e in loaded.duplicates}
    keys |= set(re.findall(r"@\s*[A-Za-z]+\s*[{(]\s*([^\s,{}()=]+)\s*,", text))   # also in broken blocks
    return loaded.entries, keys, data


def import_explainer(file: str | Path, *, out: str | Path | None = None, bib: str | Path | None = None,
                     config: Config | None = None) -> ImportResult:
    """Convert ``file`` into a brief and append its sources to the bibliography; returns what was done."""
    config = config or load_config()
    path = Path(file)
    shown = str(file)
    text = read_text(path, shown)
    if not text.strip():
        raise CitebriefError("is empty; nothing to import", shown)
    ex = parse_explainer(text, config.limitation_headings)
    unmapped = list(ex.unmapped)

    title = ex.title
    if title is None:
        title = path.stem
        unmapped.insert(0, f"no title line (a question or heading) found; title set to {title!r}")
    out_path = Path(out) if out is not None else \
        config.path(config.manuscript) / f"{slugify_title(title) or _ascii_slug(path.stem) or 'brief'}.md"
    bib_path = Path(bib) if bib is not None else config.path(config.bibliography)
    if out_path.exists():
        raise CitebriefError("already exists; not overwriting it (choose another --out)", _show(out_path))
    if out_path.resolve() == path.resolve() or out_path.resolve() == bib_path.resolve():
        raise CitebriefError("--out must be a new Markdown file", _show(out_path))
    if bib_path.is_dir():
        raise CitebriefError("is a directory, not a .bib file", _show(bib_path))
    existing, existing_keys, bib_bytes = _existing_bibliography(bib_path)

    # every cited number, in the order of first use
    numbers: list[int] = []
    for block in ex.blocks:
        for t in block.texts:
            for m in _RUN.finditer(re.sub(_URL, " ", t)):
                for n in run_numbers(m.group(0)) or []:
                    if n not in numbers:
                        numbers.append(n)
    stem = key_stem(path, title)
    entries = plan_entries(numbers, ex, stem, path.name, existing, existing_keys, unmapped)
    key_for = lambda n: entries[n].key  # noqa: E731

    body: list[str] = []
    citations = groups = 0

    def inline(t: str, line: int) -> str:
        nonlocal citations, groups
        r = render_inline(t, key_for)
        citations += r.references
        groups += r.groups
        unmapped.extend(f"line {line}: {s} is not a citation (bad number or range); kept as text" for s in r.skipped)
        return r.markdown

    for block in ex.blocks:
        if block.kind == "heading":
            attrs = " {.limitations}" if "limitations" in block.classes else ""
            body.append(f"## {escape_heading(block.texts[0])}{attrs}")
        elif block.kind == "para":
            body.append(protect_block_start(inline(block.texts[0], block.line)))
        elif block.kind == "bullets":
            body.append("\n".join(f"- {protect_block_start(inline(t, block.line))}" for t in block.texts))
        elif block.kind == "ordered":
            body.append("\n".join(f"{n}. {protect_block_start(inline(t, block.line))}"
                                  for n, t in zip(block.numbers, block.texts)))
        elif block.kind == "rule":
            body.append("* * *")

    front = ["---", f"title: {_yaml_string(title)}"]
    if ex.checked:
        front.append(f"checked: {ex.checked.isoformat()}")
    elif ex.checked_text:
        unmapped.append(f"could not read a full date from {ex.checked_text!r}; add checked: YYYY-MM-DD")
    else:
        unmapped.append("no \"Checked on ...\" line; add checked: YYYY-MM-DD to the front matter")
    if ex.disclaimer:
        front.append(f"disclaimer: {_yaml_string(ex.disclaimer)}")
    if bib_path.resolve() != config.path(config.bibliography).resolve():
        rel = os.path.relpath(bib_path.resolve(), out_path.resolve().parent).replace(os.sep, "/")
        front.append(f"bibliography: {json.dumps(rel)}")
    front.append("---")
    markdown = "\n".join(front) + "\n\n" + "\n\n".join(body) + "\n"

    if not any(b.kind == "heading" and b.classes for b in ex.blocks):
        unmapped.append("no limitations section (a \"Limitations ...\" heading) found")
    if not numbers:
        unmapped.append("no numbered citations ([1], [2] ...) found in the text")
    if ex.has_source_list:
        for n in numbers:
            if n not in ex.sources:
                unmapped.append(f"[{n}] is cited but not in the source list; placeholder {entries[n].key}")
        uncited = sorted(set(ex.sources) - set(numbers))
        if uncited:
            unmapped.append("listed but never cited, not added: " + " ".join(f"[{n}]" for n in uncited))
    elif numbers:
        unmapped.append("no source list: " + " ".join(f"[{n}]" for n in sorted(numbers))
                        + " became placeholders (fill in title, author, date)")

    result = ImportResult(out_path, bib_path, citations, groups, entries, unmapped, ex)
    _write(result, markdown, bib_bytes)
    return result


def _write(result: ImportResult, markdown: str, bib_bytes: bytes | None) -> None:
    out_path, bib_path = result.out, result.bib
    try:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        bib_path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CitebriefError(f"cannot create folder: {exc.strerror or exc}", exc.filename) from exc
    write_atomic(out_path, markdown.encode("utf-8"), exclusive=True)
    new = result.new_entries
    if not new:
        return
    try:
        old = bib_bytes or b""
        if bib_path.exists() and bib_path.read_bytes() != old:
            raise CitebriefError("changed while importing; nothing appended, try again", _show(bib_path))
        newline = b"\r\n" if b"\r\n" in old else b"\n"
        added = "\n".join(e.bibtex() for e in new).encode("utf-8").replace(b"\n", newline)
        if old and not old.endswith(b"\n"):
            old += newline
        sep = newline if old.strip() else b""
        write_atomic(bib_path, old + sep + added, exclusive=bib_bytes is None)
    except BaseException:
        out_path.unlink(missing_ok=True)        # all or nothing: no brief citing keys that were not written
        raise


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def format_report(result: ImportResult) -> str:
    new = result.new_entries
    from_list = sum(1 for e in new if not e.placeholder)
    placeholders = sum(1 for e in new if e.placeholder)
    reused = sorted({(e.key, e.reused_because) for e in result.entries.values() if not e.new})
    headings = sum(1 for b in result.explainer.blocks if b.kind == "heading")
    lines = [f"Created {_show(result.out)}: {_n(headings, 'heading')}, {_n(result.citations, 'citation')} "
             f"({_n(result.groups, 'group')}) of {_n(len(result.entries), 'source')}."]
    added = (f"Added {_n(len(new), 'key')} to {_show(result.bib)}: {from_list} from the source list, "
             f"{_n(placeholders, 'placeholder')}")
    if reused:
        added += "; reused " + ", ".join(f"{k} ({why})" for k, why in reused)
    lines.append(added + ".")
    if result.unmapped:
        lines.append("Not mapped:")
        lines += [f"  - {u}" for u in result.unmapped]
    lines.append(f"Next: citebrief lint {_show(result.out)}")
    return "\n".join(lines) + "\n"


def import_command(file: str, *, out: str | None = None, bib: str | None = None) -> int:
    result = import_explainer(file, out=out, bib=bib)
    click.echo(format_report(result), nl=False)
    return EXIT_OK
