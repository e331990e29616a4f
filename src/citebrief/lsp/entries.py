"""Citation keys in the editor: which key the cursor is on, completing one, and showing its entry.

Entry fields come from a stranger's bibliography, and an editor renders hover text as Markdown:
every field is shown as escaped text (no links or images of its own making, so nothing is fetched
by showing it) with control characters escaped, and only an absolute http(s) ``url`` becomes a link.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bibtexparser.middlewares.names import parse_single_name_into_parts, split_multiple_persons_names

from citebrief.bibliography import Bibliography, Entry
from citebrief.bibliography.model import latex_to_text
from citebrief.errors import printable
from citebrief.evidence.passages import Passage, PassageIndex
from citebrief.parse.source import CITATION, KEY_CHARS

_PARTIAL = re.compile(rf"(?:^|(?<=[\s\[;(\-]))@(?P<brace>\{{)?(?P<prefix>{KEY_CHARS}*)$")
NAME_FIELDS = ("author", "editor", "organization", "institution", "publisher")
MAX_FIELD = 300         # characters of a field shown
MAX_PASSAGE = 800       # characters of a snapshot passage shown


@dataclass(frozen=True)
class KeyAt:
    key: str
    start: int          # offset of "@"
    end: int            # offset just past the key (and its closing brace)


def key_at(text: str, offset: int) -> KeyAt | None:
    """The citation key under ``offset`` in ``text`` (on the ``@`` or anywhere in the key)."""
    line_start = text.rfind("\n", 0, offset) + 1
    line_end = text.find("\n", offset)
    line_end = len(text) if line_end < 0 else line_end
    for m in CITATION.finditer(text, line_start, line_end):
        if m.start() <= offset <= m.end():
            return KeyAt(m.group("braced") or m.group("key"), m.start(), m.end())
    return None


def partial_key(text: str, offset: int) -> tuple[int, bool] | None:
    """Where the key being typed before ``offset`` starts (right after ``@`` or ``@{``), and whether
    it is the braced form; None when the cursor is not in a citation key."""
    line_start = text.rfind("\n", 0, offset) + 1
    m = _PARTIAL.search(text, line_start, offset)
    if m is None:
        return None
    return m.start("prefix"), m.group("brace") is not None


# --- showing an entry -----------------------------------------------------------------------------

def shorten(text: str | None, limit: int = MAX_FIELD) -> str:
    """Text for one line of a hover or completion: no control characters, at most ``limit`` long."""
    text = " ".join((text or "").split())
    return printable(text if len(text) <= limit else text[: limit - 1] + "…")


def field_text(entry: Entry, name: str, limit: int = MAX_FIELD) -> str:
    """A field as readers see it (``Entry.plain``: BibTeX's LaTeX decoded), on one short line."""
    return shorten(entry.plain(name), limit)


def _people(entry: Entry) -> list[str]:
    """The entry's authors (else editors, organisation...) as written, one per person."""
    for name in NAME_FIELDS:
        if entry.get(name) is None:
            continue
        if entry.syntax == "bibtex":     # as written: braces keep "{U.S. Immigration and Customs Enforcement}" whole
            return split_multiple_persons_names(entry.fields[name].strip())
        return (entry.get(name) or "").split(" and ")
    return []


def _decoded(name: str, entry: Entry) -> str:
    return shorten(latex_to_text(name) if entry.syntax == "bibtex" else name)


def names(entry: Entry) -> list[str]:
    """The entry's people as readers see them, one per person."""
    return [_decoded(n, entry) for n in _people(entry)]


def short_author(entry: Entry) -> str:
    """"Jackson", "Jackson and Doe", "Jackson et al." or the organisation's name."""
    people = _people(entry)
    if not people:
        return ""
    if entry.syntax == "bibtex":
        last = [_decoded(" ".join(parse_single_name_into_parts(p).last) or p, entry) for p in people[:2]]
    else:                                        # CSL names are "Family, Given"
        last = [_decoded(p.split(",")[0], entry) for p in people[:2]]
    if len(people) > 2:
        return f"{last[0]} et al."
    return " and ".join(last)


def year(entry: Entry) -> str:
    when = entry.date()
    if when is not None:
        return str(when.year)
    return "n.d." if entry.undated else ""


def detail(entry: Entry) -> str:
    """One line for a completion item: ``Jackson (2025)``."""
    who, when = short_author(entry), year(entry)
    return f"{who} ({when})" if who and when else who or when


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~&])")   # "." and "-" matter only opening a line


def escape(text: str) -> str:
    """Text shown literally in Markdown: no emphasis, links, images or HTML of the field's making."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def _link(url: str) -> str:
    if re.fullmatch(r"https?://[^\s<>()\[\]`\\]+", url):
        return f"<{url}>"
    return escape(url)


def hover_markdown(entry: Entry, where: str, passage: tuple[str, str] | None = None) -> str:
    """The hover for a citation: title, authors, date, URL, access date, where the entry is, and the
    best-matching passage of its snapshot when the evidence checks found one."""
    lines = [f"**{escape(field_text(entry, 'title')) or '(no title)'}**"]
    who = names(entry)
    if who:
        lines.append("By: " + escape("; ".join(who)))
    when = entry.written_date()
    if when:
        lines.append(f"Date: {escape(shorten(when))}")
    url = entry.get("url")
    if url:
        lines.append(f"URL: {_link(shorten(url))}")
    for label, name in (("DOI", "doi"), ("Accessed", "urldate")):
        value = entry.get(name)
        if value:
            lines.append(f"{label}: {escape(shorten(value))}")
    lines.append(f"`{shorten(entry.key).replace('`', '')}` in {escape(printable(where))}")
    text = "  \n".join(lines)
    if passage is not None:
        passage_text, snapshot = passage
        text += (f"\n\n---\n\nBest-matching passage of {escape(printable(snapshot))}:\n\n"
                 f"> {escape(shorten(passage_text, limit=MAX_PASSAGE))}")
    return text


def ranked_keys(bib: Bibliography, sentence: str, nearby: list[str], limit: int = 5) -> list[str]:
    """Keys worth offering for an uncited sentence, best first: entries whose title, authors and
    keywords match the sentence best (BM25, as ``citebrief evidence`` ranks passages), then those
    cited nearby."""
    keys = list(bib.entries)
    about = [" ".join(filter(None, (e.plain("title"), e.plain("keywords"), *names(e))))
             for e in (bib.entries[k] for k in keys)]
    scores = PassageIndex([Passage(0, 0, text) for text in about]).scores(sentence) if keys else []
    ranked = sorted((-score, nearby.index(key) if key in nearby else len(nearby), key)
                    for key, score in zip(keys, scores) if score > 0 or key in nearby)
    return [key for _score, _near, key in ranked[:limit]]
