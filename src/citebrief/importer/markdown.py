"""Markdown writing: the brief's front matter and body, with plain text escaped so it reads back as
the same text (no stray emphasis, math, lists or citations) and each ``[n]`` turned into ``[@key]``."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from citebrief.importer.citations import RUN, run_numbers
from citebrief.importer.layout import Block
from citebrief.importer.text import URL, trim_url

_INLINE_SPECIAL = re.compile(r"[\\`*\[\]<>$~^]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])|(?<![A-Za-z0-9])@")
_BLOCK_START = re.compile(r"^(?:#|[-+*]\s|\d+[.)](?:\s|$)|[A-Za-z][.)]\s|\([A-Za-z0-9]+\)\s|[ivxlcdmIVXLCDM]+[.)]\s"
                          r"|[:%|=]|-{3,}\s*$)")
_INLINE_TOKENS = re.compile(rf"(?P<url>{URL.pattern})|(?P<run>{RUN.pattern})")
_ABBREVIATIONS = {"etc", "al", "vs", "inc", "co", "corp", "ltd", "no", "nos", "jan", "feb", "mar", "apr",
                  "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "mr", "mrs", "ms", "dr", "st",
                  "sec", "secs", "art", "pp", "p", "vol", "ed", "eds", "approx", "gov", "jr", "sr"}


def escape_text(text: str) -> str:
    """Plain text as Pandoc Markdown that reads back as the same text (no emphasis, math, citations)."""
    return _INLINE_SPECIAL.sub(lambda m: "\\" + m.group(0), text)


def protect_block_start(md: str) -> str:
    """Stop a paragraph or list item that starts with ``1.``, ``-``, ``#``, ``(a)`` ... becoming a list or heading."""
    if _BLOCK_START.match(md):
        m = re.match(r"^(\(?)([A-Za-z0-9]*)(.)", md)
        if m is None:
            return "\\" + md
        if m.group(1):
            return "\\" + md
        if m.group(2):
            return m.group(2) + "\\" + md[len(m.group(2)):]
        return "\\" + md
    return md


def escape_heading(text: str) -> str:
    return re.sub(r"[#{}]", lambda m: "\\" + m.group(0), escape_text(text))


def yaml_string(text: str) -> str:
    """A front-matter value that pandoc reads back as this very text (JSON strings are YAML strings)."""
    return json.dumps(escape_text(text), ensure_ascii=False)


def _moveable(before: str, punct: str) -> bool:
    """May the sentence's final ``punct`` move after a citation that follows it? Not after "U.S." or "Nov."."""
    if punct in "!?":
        return True
    word = re.search(r"(\S*)$", before).group(1)  # type: ignore[union-attr]  # (\S*)$ always matches
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


def render_inline(text: str, key_for: Callable[[int], str]) -> Inline:
    """Escape plain text, turn URLs into autolinks and numbered citations into ``[@key; @key]``."""
    r = Inline("")
    last_cite_end = -1
    pos = 0
    for m in _INLINE_TOKENS.finditer(text):
        if m.group("url"):
            url = trim_url(m.group("url"))
            if not url:
                continue
            r.markdown += escape_text(text[pos:m.start()]) + f"<{url}>"
            pos = m.start() + len(url)
            continue
        numbers = run_numbers(m.group("run"))
        if numbers is None:
            r.skipped.append(m.group("run"))
            continue     # left as (escaped) text
        r.markdown += escape_text(text[pos:m.start()])
        pos = m.end()
        last_cite_end = _cite(r, [key_for(n) for n in numbers], text[pos:pos + 1], last_cite_end)
    r.markdown += escape_text(text[pos:])
    return r


def _cite(r: Inline, keys: list[str], after: str, last_cite_end: int) -> int:
    """Append ``[@k1; @k2]`` for ``keys`` to ``r.markdown``, before the sentence's full stop, merged
    into the group just written if there is one; returns where the group ends."""
    moved = ""
    stripped = r.markdown.rstrip(" \t")
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
        r.references += len(new)
    else:
        sep = "" if not stripped or stripped[-1] in "([{“‘\"'—–/" else " "
        out = stripped + sep + "[" + "; ".join(f"@{k}" for k in keys) + "]"
        r.references += len(keys)
        r.groups += 1
    end = len(out)
    out += moved
    if after and (after.isalnum() or after in "(“\""):
        out += " "
    r.markdown = out
    return end


@dataclass
class Body:
    blocks: list[str] = field(default_factory=list)     # Markdown blocks, to be joined by blank lines
    citations: int = 0
    groups: int = 0


def write_body(blocks: list[Block], key_for: Callable[[int], str], unmapped: list[str]) -> Body:
    """The explainer's blocks as Markdown; bracketed numbers that are not citations are reported."""
    body = Body()

    def inline(t: str, line: int) -> str:
        r = render_inline(t, key_for)
        body.citations += r.references
        body.groups += r.groups
        unmapped.extend(f"line {line}: {s} is not a citation (bad number or range); kept as text" for s in r.skipped)
        return r.markdown

    for block in blocks:
        if block.kind == "heading":
            attrs = " {.limitations}" if "limitations" in block.classes else ""
            body.blocks.append(f"# {escape_heading(block.texts[0])}{attrs}")   # the title is metadata
        elif block.kind == "para":
            body.blocks.append(protect_block_start(inline(block.texts[0], block.line)))
        elif block.kind == "bullets":
            body.blocks.append("\n".join(f"- {protect_block_start(inline(t, block.line))}" for t in block.texts))
        elif block.kind == "ordered":
            body.blocks.append("\n".join(f"{n}. {protect_block_start(inline(t, block.line))}"
                                         for n, t in zip(block.numbers, block.texts, strict=True)))
        elif block.kind == "rule":
            body.blocks.append("* * *")
    return body


# What every brief's front matter says besides its own title, dates and disclaimer: the same as the
# brief `citebrief init` writes (templates/init/brief.md), so an imported brief compiles the same way.
BRIEF_SETTINGS = ("lang: en-US", "link-citations: true", "reference-section-title: Sources")


def front_matter(title: str, checked: date | None, disclaimer: str | None, bibliography: str | None) -> str:
    """The YAML front matter; ``bibliography`` only when the brief's is not the project's."""
    front = ["---", f"title: {yaml_string(title)}"]
    if checked:
        front.append(f"checked: {checked.isoformat()}")
    if disclaimer:
        front.append(f"disclaimer: {yaml_string(disclaimer)}")
    front += BRIEF_SETTINGS
    if bibliography is not None:
        front.append(f"bibliography: {json.dumps(bibliography)}")
    front.append("---")
    return "\n".join(front) + "\n"


def brief_text(front: str, body: Body) -> str:
    return front + "\n" + "\n\n".join(body.blocks) + "\n"
