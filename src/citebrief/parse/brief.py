"""Turn a brief into a :class:`Brief`: pandoc's AST for structure, the raw text for positions.

Pandoc's ``markdown`` reader keeps no source positions, so (like Vale) we walk the AST in
document order and relocate each sentence start, heading and citation in the raw text
with a cursor that only moves forward. Words are matched as ``\\w+`` tokens, so markup,
smart quotes, escapes and hard wraps between them do not matter.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from pathlib import Path

from citebrief.ast import no_gc, stringify
from citebrief.errors import CitebriefError
from citebrief.frontmatter import FrontMatter, blank_front_matter, read_front_matter
from citebrief.parse.chunks import split_points
from citebrief.parse.model import Brief, Citation, Heading, Sentence, Unit
from citebrief.parse.sentences import CITE, NOTE, PLACEHOLDERS, TEXT_CITE, split_sentences
from citebrief.parse.source import check_nesting, check_text, read_text
from citebrief.tools import DEFAULT_LIMITS, Limits, PandocRun

EXEMPT_CLASSES = frozenset({"limitation", "limitations", "nocite"})
FLAG_CLASSES = frozenset({"limitation", "limitations"})
SUPPRESS = re.compile(r"<!--\s*citebrief:\s*disable(?:\s*=\s*(?P<rules>[\w\-, ]+))?\s*-->")
NOTE_DEF = re.compile(r"^ {0,3}\[\^(?P<label>[^\]\s]+)\]:", re.M)
NOTE_REF = re.compile(r"\[\^(?P<label>[^\]\s]+)\]|\^\[")
WORD = re.compile(r"\w+")
OPENERS = "\"“‘'([*_"
ALL_RULES = frozenset({"*"})


def read_brief(path: Path, display: str, max_bytes: int | None = None, *,
               text: str | None = None) -> tuple[str, FrontMatter]:
    """The brief's text and front matter, with the input limits checked (lint and compile both start here).
    ``text``: the brief as an editor holds it, unsaved (the language server), instead of the file."""
    if text is None:
        source = read_text(path, display, max_bytes)
    else:
        source = check_text(text, display, max_bytes)
    front = read_front_matter(source, display)
    check_nesting(source, display, front.end)
    return source, front


def parse_brief(path: Path, display_path: str | None = None, limitation_headings=("Limitations", "Caveats"),
                ast: dict | None = None, *, source: str | None = None, front: FrontMatter | None = None,
                pieces: int = 1, limits: Limits = DEFAULT_LIMITS) -> Brief:
    """Parse one brief: pandoc reads the body (never the front matter), the walker finds the units.
    ``source``/``front`` when the caller has read them already; ``pieces``: pandoc runs at once."""
    display = display_path or str(path)
    if source is None or front is None:
        source, front = read_brief(path, display)
    with no_gc():   # millions of small objects, no cycles: the cyclic GC only slows this down
        chunks = iter([ast]) if ast is not None else pandoc_pieces(source, front, display, pieces, limits)
        return _build(path, display, source, front, chunks, limitation_headings)


def _build(path: Path, display: str, source: str, front: FrontMatter, pieces, limitation_headings) -> Brief:
    """Walk the brief's AST piece by piece: each piece is checked while pandoc still reads the next."""
    brief = Brief(path=path, display_path=display, source=source, front=front)
    walker = _Walker(brief, tuple(h.lower() for h in limitation_headings))
    try:
        for ast in pieces:
            walker.walk(ast.get("blocks", []))
    except RecursionError:
        raise _too_deep(display) from None
    return brief


# pandoc reads the body only: the front matter is ours (frontmatter.py), and a metadata block further
# down is text, not settings nobody checked.
READER = "markdown-yaml_metadata_block-pandoc_title_block"


def pandoc_pieces(source: str, front: FrontMatter, display: str, pieces: int = 1, limits: Limits = DEFAULT_LIMITS):
    """pandoc's AST of the brief, in order, as one or more pieces whose blocks concatenate to the
    whole; a long brief is read in ``pieces`` parts at once (see chunks.py)."""
    body = blank_front_matter(source, front)
    cuts = split_points(body, front.end, pieces)
    bounds = [0, *cuts, len(body)]
    runs = [PandocRun(["-f", READER, "-t", "json"], shown=display, what="reading the brief",
                      input_bytes=body[a:b].encode("utf-8"), limits=limits, exit_code=2)
            for a, b in zip(bounds, bounds[1:])]
    try:
        for run in runs:
            yield _decode(run.result(), display)
    finally:
        for run in runs:
            run.cancel()


def _decode(out: bytes, display: str) -> dict:
    try:
        return json.loads(out)
    except RecursionError:
        raise _too_deep(display) from None
    except ValueError as exc:  # pragma: no cover - pandoc always writes JSON
        raise CitebriefError(f"pandoc returned unreadable JSON: {exc}", display) from exc


def _too_deep(display: str) -> CitebriefError:
    return CitebriefError("quotes, lists or divs are nested too deeply to check (hundreds of levels)", display)


# --- the walker -------------------------------------------------------------------

class _Text:
    """A unit's plain text being built, with citation keys and exempt ranges alongside."""

    def __init__(self):
        self.parts: list[str] = []
        self.length = 0
        self.cites: list[tuple[int, tuple[str, ...]]] = []   # (position in text, keys)
        self.notes: list[tuple[int, tuple[str, ...]]] = []   # (position, keys inside the note)
        self.exempt: list[tuple[int, int]] = []
        self.flagged: list[tuple[int, int]] = []

    def add(self, s: str) -> None:
        self.parts.append(s)
        self.length += len(s)

    def text(self) -> str:
        return "".join(self.parts)


class _Walker:
    def __init__(self, brief: Brief, limitation_headings: tuple[str, ...]):
        self.brief = brief
        self.raw = brief.source
        self.cursor = brief.body_start
        self.limitation_headings = limitation_headings
        self.section_level: int | None = None     # level of the limitations heading we are under
        self.pending_disable: frozenset[str] = frozenset()
        self.disabled: frozenset[str] = frozenset()
        self.note_defs = {m.group("label"): m.end() for m in NOTE_DEF.finditer(self.raw)}
        self.exempt_depth = 0
        self.flag_depth = 0
        self.tables = 0
        self.note_ref_cursor = 0

    # blocks ------------------------------------------------------------------
    def walk(self, blocks, kind: str = "para") -> None:
        for block in blocks:
            disable, self.pending_disable = self.pending_disable, frozenset()
            outer = self.disabled
            self.disabled = outer | disable
            try:
                self.block(block, kind)
            finally:
                self.disabled = outer

    def block(self, block: dict, kind: str) -> None:
        t, c = block["t"], block.get("c")
        if t in ("Para", "Plain"):
            self.unit(kind, c)
        elif t == "LineBlock":
            self.unit(kind, [x for line in c for x in (*line, {"t": "SoftBreak"})])
        elif t == "Header":
            self.header(c)
        elif t in ("BulletList",):
            for item in c:
                self.walk(item, kind)
        elif t == "OrderedList":
            for item in c[1]:
                self.walk(item, kind)
        elif t == "DefinitionList":
            for term, definitions in c:
                self.locate_words(stringify(term))
                for d in definitions:
                    self.walk(d, kind)
        elif t == "BlockQuote":
            self.quote(c)
        elif t == "Div":
            self.div(c)
        elif t == "Table":
            self.table(c)
        elif t == "Figure":
            self.figure(c)
        elif t == "RawBlock":
            self.raw_block(c)
        elif t == "CodeBlock":
            self.skip_text(c[1])
        # HorizontalRule, Null: nothing to check

    def header(self, c) -> None:
        level, (ident, classes, _attrs), inlines = c
        text = stringify(inlines)
        offset = self.locate_words(text)
        offset = self.raw.rfind("\n", 0, offset) + 1          # the heading's line, "#" included
        heading = Heading(level, text, tuple(classes), offset)
        self.brief.headings.append(heading)
        if self.section_level is not None and level <= self.section_level:
            self.section_level = None
        if "limitations" in classes or text.strip().lower().startswith(self.limitation_headings):
            self.section_level = level
            if self.brief.limitations is None:
                self.brief.limitations = heading

    def quote(self, blocks) -> None:
        """A block quote is one unit; claims.py decides what covers it (rule 5)."""
        start = len(self.brief.units)
        self.walk(blocks, "quote")
        self.merge(start, "quote")

    def merge(self, start: int, kind: str, group: int = 0) -> Unit | None:
        """Fold the units added since ``start`` into one unit of ``kind``."""
        inner = self.brief.units[start:]
        if not inner:
            return None
        merged = Unit(kind, [s for u in inner for s in u.sentences], inner[0].offset,
                      frozenset().union(*(u.disabled for u in inner)), end=inner[-1].end, group=group)
        self.brief.units[start:] = [merged]
        return merged

    def div(self, c) -> None:
        (_ident, classes, _attrs), blocks = c
        exempt = bool(EXEMPT_CLASSES.intersection(classes))
        flag = bool(FLAG_CLASSES.intersection(classes))
        self.exempt_depth += exempt
        self.flag_depth += flag
        try:
            self.walk(blocks)
        finally:
            self.exempt_depth -= exempt
            self.flag_depth -= flag

    def table(self, c) -> None:
        _attr, caption, _colspecs, head, bodies, _foot = c
        self.tables += 1
        rows_start, saved = len(self.brief.units), self.cursor
        for row in head[1]:
            for cell in row[1]:
                for b in cell[4]:
                    self.locate_words(stringify(b.get("c") or []))
        for body in bodies:
            for row in body[2] + body[3]:
                first = len(self.brief.units)
                self.walk([b for cell in row[1] for b in cell[4]], "row")
                self.merge(first, "row", self.tables)
        after_rows = self.cursor
        # Pipe and grid table captions follow the table in the source but come first in the
        # AST: look for the caption from the table's start, then keep the furthest cursor.
        self.cursor = saved
        cap_start = len(self.brief.units)
        self.walk(caption[1], "table-caption")
        cap = self.merge(cap_start, "table-caption", self.tables)
        if cap:   # claims.py reads the caption before the rows it covers
            self.brief.units.insert(rows_start, self.brief.units.pop())
        self.cursor = max(self.cursor, after_rows)

    def figure(self, c) -> None:
        _attr, caption, _blocks = c
        start = len(self.brief.units)
        self.walk(caption[1], "figure-caption")
        if not self.merge(start, "figure-caption"):
            # a figure with no caption at all must still be reported
            self.brief.units.append(Unit("figure-caption", [], self.cursor, self.disabled, end=self.cursor))

    def raw_block(self, c) -> None:
        fmt, text = c
        i = self.raw.find(text.strip()[:80], self.cursor) if text.strip() else -1
        if i >= 0:
            self.cursor = i + len(text.strip())
        if fmt == "html":
            m = SUPPRESS.search(text)
            if m:
                rules = m.group("rules")
                names = frozenset(r.strip() for r in rules.split(",") if r.strip()) if rules else ALL_RULES
                self.pending_disable = self.pending_disable | names

    # inline text -------------------------------------------------------------
    def unit(self, kind: str, inlines) -> None:
        buf = _Text()
        self.inlines(inlines, buf)
        text = buf.text()
        in_section = self.section_level is not None
        sentences: list[Sentence] = []
        cite_at = [pos for pos, _ in buf.cites]     # sorted: bisect keeps long paragraphs linear
        note_at = [pos for pos, _ in buf.notes]
        for a, b in split_sentences(text):
            body = text[a:b]
            cites = buf.cites[bisect_left(cite_at, a):bisect_left(cite_at, b)]
            notes = buf.notes[bisect_left(note_at, a):bisect_left(note_at, b)]
            keys = tuple(k for _, ks in cites for k in ks) + tuple(k for _, ks in notes for k in ks)
            shown = render(body, cites, a)
            first_word = WORD.search(body)
            if cites and (first_word is None or cites[0][0] - a < first_word.start()):
                # the sentence opens with a citation ("@smith2020 argues ...")
                offset = self.locate_citation(cites[0][1][0])
                cites[0] = (cites[0][0], cites[0][1][1:])
                self.locate_words(body)
            else:
                offset = self.locate_words(body)
            for _pos, ks in cites:
                for k in ks:
                    self.locate_citation(k)
            if buf.exempt or buf.flagged:
                words = [(m.start() + a, m.end() + a) for m in WORD.finditer(body)]
                n_words = len(words)
            else:
                words, n_words = [], len(WORD.findall(body))
            exempt = in_section or self.exempt_depth > 0 or _covered(words, buf.exempt)
            flagged = self.flag_depth > 0 or _covered(words, buf.flagged)
            sentence = Sentence(shown, offset, keys, exempt=exempt, flagged=flagged,
                                words=n_words, gap_text="" if flagged else _outside(body, a, buf.flagged))
            sentences.append(sentence)
            if in_section:
                self.brief.limitation_sentences.append(sentence)
        if sentences:
            self.locate_end(sentences[-1])
            self.brief.units.append(Unit(kind, sentences, sentences[0].offset, self.disabled, end=self.cursor))

    def inlines(self, nodes, buf: _Text) -> None:
        prev = None
        append = buf.parts.append
        for n in nodes:
            t = n["t"]
            if t == "Str":          # the hot path: most nodes are words and spaces
                c = n["c"]
                append(c)
                buf.length += len(c)
            elif t == "Space" or t == "SoftBreak" or t == "LineBreak":
                append(" ")
                buf.length += 1
            elif t == "Cite":
                citations, content = n["c"]
                if _is_url_tail(prev, citations):
                    self.inlines(content, buf)        # https://x.org/@name is a URL, not a citation
                else:
                    mode = citations[0]["citationMode"]["t"]
                    buf.cites.append((buf.length, tuple(c["citationId"] for c in citations)))
                    buf.add(TEXT_CITE if mode == "AuthorInText" else CITE)
            elif t == "Note":
                keys = self.note(n["c"])
                buf.notes.append((buf.length, keys))
                buf.add(NOTE)
            elif t == "Span":
                (_i, classes, _a), content = n["c"]
                start = buf.length
                self.inlines(content, buf)
                if EXEMPT_CLASSES.intersection(classes):
                    buf.exempt.append((start, buf.length))
                if FLAG_CLASSES.intersection(classes):
                    buf.flagged.append((start, buf.length))
            elif t == "Quoted":
                q = "“”" if n["c"][0]["t"] == "DoubleQuote" else "‘’"
                buf.add(q[0]); self.inlines(n["c"][1], buf); buf.add(q[1])
            elif t in ("Code", "Math"):
                buf.add(n["c"][1])
            elif t in ("Link",):
                self.inlines(n["c"][1], buf)
            elif t in ("Emph", "Strong", "Strikeout", "Superscript", "Subscript", "SmallCaps", "Underline"):
                self.inlines(n["c"], buf)
            # Image (inline), RawInline: no claim text
            prev = n

    def note(self, blocks) -> tuple[str, ...]:
        """Footnote text is checked like body text; returns the keys it cites (they cover the
        sentence the note is attached to). Reference notes live elsewhere in the file, so they
        are located from their definition without moving the main cursor."""
        saved = self.cursor
        ref = NOTE_REF.search(self.raw, max(self.cursor, self.note_ref_cursor))
        if ref:
            self.note_ref_cursor = ref.end()
            label = ref.group("label")
            self.cursor = self.note_defs.get(label, ref.end()) if label else ref.end()
        start = len(self.brief.units)
        self.walk(blocks, "note")
        keys = tuple(k for u in self.brief.units[start:] for s in u.sentences for k in s.keys)
        self.cursor = saved     # the sentence carrying the note has not been located yet
        return keys

    # locating ----------------------------------------------------------------
    def locate_words(self, text: str) -> int:
        """Find where ``text`` starts in the raw source at or after the cursor; move the cursor."""
        tokens = WORD.findall(text, 0, 400)[:4]
        if not tokens:
            return self.cursor
        hit = _find_tokens(self.raw, tokens, self.cursor)
        if hit is None:
            return self.cursor
        start = hit
        while start > self.cursor and self.raw[start - 1] in OPENERS:
            start -= 1
        self.cursor = hit + len(tokens[0])
        return start

    def locate_end(self, last: Sentence) -> None:
        """Move the cursor past the unit's last word, so the unit's range covers all of it."""
        tail = WORD.findall(last.text[-200:])
        if tail:
            i = self.raw.find(tail[-1], last.offset, last.offset + 4 * len(last.text) + 400)
            if i >= 0:
                self.cursor = max(self.cursor, i + len(tail[-1]))

    def locate_citation(self, key: str) -> int:
        """Record where ``@key`` is (from the cursor on) and return that offset."""
        i = self.raw.find("@" + key, self.cursor)
        j = self.raw.find("@{" + key, self.cursor, i if i >= 0 else len(self.raw))   # @{key} form
        if j >= 0:
            i = j
        if i < 0:
            i = self.cursor
        else:
            self.cursor = i + len(key) + 1
        self.brief.citations.append(Citation(key, i))
        return i - 1 if i > 0 and self.raw[i - 1] in "[-" else i

    def skip_text(self, text: str) -> None:
        first = text.strip().split("\n", 1)[0]
        if first:
            i = self.raw.find(first, self.cursor)
            if i >= 0:
                self.cursor = i + len(first)


def _find_tokens(raw: str, tokens: list[str], start: int) -> int | None:
    """First offset >= start where tokens[0] begins a word and the rest follow closely."""
    first, rest = tokens[0], tokens[1:]
    pos, fallback = start, None
    for _ in range(50):
        i = raw.find(first, pos)
        if i < 0:
            return fallback
        pos = i + 1
        if (i > 0 and (raw[i - 1].isalnum() or raw[i - 1] == "_")) or \
                (i + len(first) < len(raw) and raw[i + len(first)].isalnum() and first.isalnum()):
            continue
        if fallback is None:
            fallback = i
        j = i + len(first)
        for tok in rest:
            k = raw.find(tok, j, j + 400 + len(tok))
            if k < 0:
                break
            j = k + len(tok)
        else:
            return i
    return fallback


def _is_url_tail(prev, citations) -> bool:
    if prev is None or prev.get("t") != "Str" or len(citations) != 1:
        return False
    if citations[0]["citationMode"]["t"] != "AuthorInText":
        return False
    s = prev["c"]
    return "://" in s or s.endswith("/") or s.startswith("www.")


def _covered(words: list[tuple[int, int]], ranges: list[tuple[int, int]]) -> bool:
    """True when every word lies inside one of ``ranges`` (and there is at least one word)."""
    if not words or not ranges:
        return False
    return all(any(a <= s and e <= b for a, b in ranges) for s, e in words)


def _outside(body: str, offset: int, ranges: list[tuple[int, int]]) -> str:
    """The sentence text with flagged spans blanked out (gap phrases inside them are fine)."""
    if not ranges:
        return body
    chars = list(body)
    for a, b in ranges:
        for i in range(max(a - offset, 0), min(b - offset, len(chars))):
            chars[i] = " "
    return "".join(chars)


_PLACEHOLDER = re.compile(f"[{PLACEHOLDERS}]")


def render(body: str, cites, start: int) -> str:
    """Sentence text for messages: placeholders shown as [@key] / [^]."""
    if not _PLACEHOLDER.search(body):
        return body
    keys_at = {pos - start: ks for pos, ks in cites}

    def show(m: re.Match) -> str:
        if m.group() == NOTE:
            return "[^]"
        return "[" + "; ".join("@" + k for k in keys_at.get(m.start(), ())) + "]"

    return _PLACEHOLDER.sub(show, body)
