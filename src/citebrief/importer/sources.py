"""Source lists: finding the numbered list of sources in an explainer, and what each line honestly says.

A line gives at most a title (quoted, or a Markdown link's text), an author or organisation, a
date, a URL and an access date; nothing is invented, and a title that had to be guessed is said so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from citebrief.importer.text import URL, find_date, trim_url

SOURCES_HEADING = re.compile(
    r"^(?:#+\s*)?(?:\*\*)?(?:sources?|references?|citations?|bibliography|works\s+cited|source\s+list|links)"
    r"(?:\*\*)?\s*:?\s*(?:\*\*)?$", re.I)
SOURCE_LINE = re.compile(r"^\s*(?:\[(?P<a>\d{1,3})\]:?|(?P<b>\d{1,3})[.)])\s+(?P<text>\S.*)$")
_BRACKET_SOURCE_LINE = re.compile(r"^\s*\[(?P<a>\d{1,3})\]:?\s+(?P<text>\S.*)$")

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


@dataclass
class Source:
    number: int
    text: str
    line: int


@dataclass
class SourceList:
    sources: dict[int, Source] = field(default_factory=dict)
    found: bool = False                 # the explainer has a source list (even one that maps nothing)


def take_source_list(lines: list[str], used: list[bool], unmapped: list[str]) -> SourceList:
    """A numbered source list under a "Sources"/"References" heading, or ``[n] ...`` lines anywhere.

    The lines it takes are marked in ``used`` so they do not become part of the brief.
    """
    found = SourceList()
    i = 0
    while i < len(lines):
        s = lines[i].strip()
        if used[i] or not s:
            i += 1
            continue
        under_heading = bool(SOURCES_HEADING.match(s))
        starts = _BRACKET_SOURCE_LINE.match(s)
        if not under_heading and not starts:
            i += 1
            continue
        if under_heading:
            used[i] = True
            i += 1
        found.found = True
        i = _take_lines(lines, used, i, SOURCE_LINE if under_heading else _BRACKET_SOURCE_LINE, found, unmapped)
    return found


def _take_lines(lines: list[str], used: list[bool], i: int, pattern: re.Pattern, found: SourceList,
                unmapped: list[str]) -> int:
    """Take the source lines from line ``i`` on (wrapped ones joined); returns the first line after them."""
    sources = found.sources
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
            if number in sources:
                unmapped.append(f"line {i + 1}: source [{number}] is listed twice; "
                                f"kept the first (line {sources[number].line})")
                last = None
            else:
                last = sources[number] = Source(number, m.group("text").strip(), i + 1)
        elif last is not None and not blank_before and (lines[i][:1].isspace() or URL.fullmatch(s)):
            last.text += " " + s          # a wrapped source line
        else:
            break
        used[i] = True
        blank_before = False
        i += 1
    return i


@dataclass
class ParsedSource:
    fields: dict[str, str]
    guessed_title: bool = False


def _clean_part(part: str) -> str:
    return part.strip(" \t.,;:|()[]-–—").strip()


def _parts(s: str) -> list[str]:
    """The pieces of a source line between separators, without filler words and bare years."""
    out = [_clean_part(p) for p in re.split(r"\s*(?:[,;|]|\s[-–—]\s|\s[-–—]$)\s*", s)]
    return [p for p in out if p and not _NOISE.match(p) and not re.fullmatch(r"\(?\d{4}\)?", p)]


def parse_source_line(text: str) -> ParsedSource:
    """The fields a source line honestly gives: title, author/organization, date, URL, access date."""
    fields: dict[str, str] = {}
    rest = _take_urls(text, fields)
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
    before, after = _take_date(before, after, fields)
    guessed = _take_names(_parts(before), _parts(after), fields)
    if "author" in fields:
        fields["author"] = _author_value(fields["author"])
    return ParsedSource(fields, guessed)


def _take_urls(text: str, fields: dict[str, str]) -> str:
    """Record the line's URL (a Markdown link gives the title too); returns the rest, URLs cut out."""
    rest = text
    link = _MD_LINK.search(rest)
    if link:
        fields["title"] = link.group("text").strip()
        fields["url"] = link.group("url")
        rest = rest[:link.start()] + " | " + rest[link.end():]
    urls = [trim_url(u) for u in URL.findall(rest)]
    if urls and "url" not in fields:
        fields["url"] = urls[0]
    for u in urls:
        rest = rest.replace(u, " | ", 1)
    return re.sub(r"<\s*\|\s*>", " | ", rest)


def _take_date(before: str, after: str, fields: dict[str, str]) -> tuple[str, str]:
    """The publication date: first after the title, else before it, else a bare year anywhere."""
    found = find_date(after) or None
    where = "after" if found else "before"
    found = found or find_date(before)
    if found:
        fields["date"] = found.iso
        if where == "after":
            after = after[:found.start] + " | " + after[found.end:]
        else:
            before = before[:found.start] + " | " + before[found.end:]
    year_only = re.search(r"(?<![\d/])\(?((?:19|20)\d{2})\)?(?![\d/])", before + " " + after)
    if "date" not in fields and year_only:
        fields["date"] = year_only.group(1)
    return before, after


def _take_names(b: list[str], a: list[str], fields: dict[str, str]) -> bool:
    """Author (before the title) and organisation (after it); with no title, the longest piece is
    taken as the title. Returns whether the title was guessed."""
    if "title" in fields:
        if b:
            fields["author"] = ", ".join(b)
        if a:
            fields["organization"] = a[0]
        return False
    every = b + a
    if not every:
        return False
    title = max(every, key=len)
    i = every.index(title)
    fields["title"] = title
    if i > 0:
        fields["author"] = ", ".join(every[:i])
    if i + 1 < len(every):
        fields["organization"] = every[i + 1]
    return True


def _author_value(name: str) -> str:
    """A person's name as BibTeX reads names; an organisation in braces so it is not split into names."""
    words = name.replace(",", " ").split()
    org = (_ORG_WORDS.search(name) or any(w.isupper() and len(w.strip(".")) >= 2 for w in words)
           or "&" in name or len(words) > 4 or re.search(r"\w\.\w{2,}", name))
    return "{" + name + "}" if org else name
