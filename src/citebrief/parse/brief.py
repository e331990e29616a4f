"""Turn a brief into a :class:`Brief`: pandoc's AST for structure, the raw text for positions.

Pandoc's ``markdown`` reader keeps no source positions, so (like Vale) we walk the AST in
document order and find each unit (paragraph, list item, cell, footnote, caption, heading)
again in the raw text, then its sentences and citations inside it (locate.py).
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from pathlib import Path

from citebrief.ast import no_gc, stringify
from citebrief.bibliography.model import MONTHS  # month names and abbreviations, lower case
from citebrief.errors import CitebriefError
from citebrief.frontmatter import FrontMatter, blank_front_matter, read_front_matter
from citebrief.parse.chunks import pieces_of
from citebrief.parse.locate import Placement, Source, Tokens, place
from citebrief.parse.model import Brief, Citation, Heading, Sentence, Unit
from citebrief.parse.sentences import CITE, NOTE, TEXT_CITE, split_sentences
from citebrief.parse.source import KEY, check_nesting, check_text, read_text
from citebrief.tools import DEFAULT_LIMITS, READ_RTS, Limits, PandocRun

EXEMPT_CLASSES = frozenset({"limitation", "limitations", "nocite"})
FLAG_CLASSES = frozenset({"limitation", "limitations"})
SUPPRESS = re.compile(r"<!--\s*citebrief:\s*disable(?:\s*=\s*(?P<rules>[\w\-, ]+))?\s*-->")
NOTE_REF = re.compile(r"\[\^(?P<label>[^\]\s]+)\]|\^\[")
BARE_URL = re.compile(r"[^\s\ue000-\ue002]*(?:://|www\.)[^\s\ue000-\ue002]*")
EVERY_RULE = frozenset({"*"})        # a bare <!-- citebrief: disable --> switches off every rule


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
                pieces: int = 1, limits: Limits = DEFAULT_LIMITS, started: PandocPieces | None = None) -> Brief:
    """Parse one brief: pandoc reads the body (never the front matter), the walker finds the units.
    ``source``/``front`` when the caller has read them already; ``pieces``: pandoc runs at once;
    ``started``: the caller's :func:`pandoc_pieces` of it, already at work."""
    display = display_path or str(path)
    if source is None or front is None:
        source, front = read_brief(path, display)
    with no_gc():   # millions of small objects, no cycles: the cyclic GC only slows this down
        if ast is not None:
            chunks: Iterable[dict] = [ast]
        else:
            chunks = started or pandoc_pieces(source, front, display, pieces, limits)
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


def pandoc_pieces(source: str, front: FrontMatter, display: str, pieces: int = 1,
                  limits: Limits = DEFAULT_LIMITS) -> PandocPieces:
    """pandoc's AST of the brief, in order, as one or more pieces whose blocks concatenate to the
    whole; a long brief is read in ``pieces`` parts at once (see chunks.py). pandoc starts now, not
    at the first piece asked for: the walker gets ready meanwhile."""
    texts = pieces_of(blank_front_matter(source, front), front.end, pieces)
    return PandocPieces([PandocRun(["-f", READER, "-t", "json"], shown=display, what="reading the brief",
                                   input_bytes=text.encode("utf-8"), limits=limits, exit_code=2, rts=READ_RTS)
                         for text in texts], display)


class PandocPieces:
    """The pandoc runs reading one brief: iterating waits for each piece's AST in turn; ``cancel``
    stops them all (the brief will not be walked after all)."""

    def __init__(self, runs: list[PandocRun], display: str):
        self.runs, self.display = runs, display

    def __iter__(self) -> Iterator[dict]:
        try:
            for run in self.runs:
                yield _decode(run.result(), self.display)
        finally:
            self.cancel()

    def cancel(self) -> None:
        for run in self.runs:
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

# How many extra source tokens may stand where a unit's text leaves something out (locate.py).
CITE_ROOM = 64        # "[see @key, pp. 33-35; also @other, chap. 2]"
LINK_ROOM = 64        # '](https://example.org/a/long/path "title")', an image's alt text and path
SPAN_ROOM = 24        # "{.limitation}", '<span class="x">', "{#id .class}"
ROW_ROOM = 48         # the rest of a grid table's line: "| cell | cell | cell |"
OPENERS = "\"“‘'([*_$\\`<¿¡«"   # markup and punctuation that may open a sentence before its first word


class _Text:
    """A unit's plain text being built, with citations, notes, ranges and marks alongside.

    Words and spaces are only appended (the hot path); the length so far is added up when an
    element needs its position (``pos()``)."""

    __slots__ = ("parts", "counted", "length", "cites", "notes", "pending", "exempt", "flagged", "inert",
                 "marks")

    def __init__(self):
        self.parts: list[str] = []
        self.counted = 0                           # parts already added into ``length``
        self.length = 0
        self.cites: list[tuple[int, tuple[str, ...]]] = []   # (position in text, keys)
        self.notes: list[tuple[int, tuple[str, ...]]] = []   # (position, keys inside the note)
        self.pending: list[tuple[int, list]] = []            # (position, blocks): notes not yet walked
        self.exempt: list[tuple[int, int]] = []
        self.flagged: list[tuple[int, int]] = []
        self.inert: list[tuple[int, int]] = []     # math, code and URLs: not words of a claim
        self.marks: list[tuple[int, int]] = []     # (position, room): the source may hold more here

    def pos(self) -> int:
        if self.counted < len(self.parts):
            self.length += sum(map(len, self.parts[self.counted:]))
            self.counted = len(self.parts)
        return self.length

    def add(self, s: str) -> None:
        self.parts.append(s)

    def mark(self, room: int = 0) -> None:
        self.marks.append((self.pos(), room))

    def text(self) -> str:
        return "".join(self.parts)


class _Walker:
    """Walks pandoc's blocks in document order, building units and placing each one in the source.

    The cursor (``view``, ``j``, ``hi``: token ``j`` of a token view, searched up to ``hi``) only
    moves forward, and only past what was found: a unit that cannot be found leaves it in place."""

    def __init__(self, brief: Brief, limitation_headings: tuple[str, ...]):
        self.brief = brief
        self.raw = brief.source
        # the source's word tokens, made while pandoc reads the brief (parse_brief starts it first)
        self.source = Source(self.raw, brief.body_start)
        self.view, self.j, self.hi = self.source.body, 0, len(self.source.body)
        self.lang = str(brief.meta.get("lang") or "")
        self.limitation_headings = limitation_headings
        self.section_level: int | None = None     # level of the limitations heading we are under
        self.pending_disable: frozenset[str] = frozenset()
        self.disabled: frozenset[str] = frozenset()
        self.exempt_depth = 0
        self.flag_depth = 0
        self.tables = 0
        self.note_ref_cursor = 0
        self.note_keys: dict[str, tuple[str, ...]] = {}   # a note referenced twice is checked once
        self.in_row = False          # placing the cells of a table row (see row())
        self.row_start = self.row_end = 0
        self.row_cells: set[int] = set()     # where the row's cells found so far start

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
        t, c = block["t"], block.get("c", ())
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
                self.locate(term)
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
            self.skip_verbatim(c[1])
        # HorizontalRule, Null: nothing to check

    def header(self, c) -> None:
        level, (ident, classes, _attrs), inlines = c
        text = stringify(inlines)
        offset = self.locate(inlines)
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
        rows_start, saved = len(self.brief.units), self.j
        for row in head[1]:
            self.row(row, None)
        for body in bodies:
            for row in body[2] + body[3]:
                first = len(self.brief.units)
                self.row(row, "row")
                self.merge(first, "row", self.tables)
        after_rows = self.j
        # Pipe and grid table captions follow the table in the source but come first in the
        # AST: look for the caption from the table's start, then keep the furthest cursor.
        self.j = saved
        cap_start = len(self.brief.units)
        self.walk(caption[1], "table-caption")
        cap = self.merge(cap_start, "table-caption", self.tables)
        if cap:   # claims.py reads the caption before the rows it covers
            self.brief.units.insert(rows_start, self.brief.units.pop())
        self.j = max(self.j, after_rows)

    def row(self, row, kind: str | None) -> None:
        """The cells of a row. A cell of a grid or multiline table runs over several source lines,
        between the other cells' lines, and a cell spanning rows may start below its neighbours:
        each cell is looked for from the row's start (not where another cell of the row starts),
        and the row ends where its furthest cell does."""
        outer = self.in_row, self.row_start, self.row_end, self.row_cells
        self.in_row, self.row_start, self.row_end, self.row_cells = True, self.j, self.j, set()
        try:
            for cell in row[1]:
                if kind:
                    self.walk(cell[4], kind)
                else:            # a header cell: found, so the body rows are looked for after it
                    for b in cell[4]:
                        if b["t"] in ("Plain", "Para"):
                            self.locate(b["c"])
            end = self.row_end
        finally:
            self.in_row, self.row_start, self.row_end, self.row_cells = outer
        self.advance_to(end)

    def figure(self, c) -> None:
        _attr, caption, blocks = c
        start = len(self.brief.units)
        self.walk(caption[1], "figure-caption")
        if not self.merge(start, "figure-caption"):
            # a figure with no caption at all must still be reported: at its image
            at = self.image_start(blocks)
            self.brief.units.append(Unit("figure-caption", [], at, self.disabled, end=at))

    def image_start(self, blocks) -> int:
        here = self.here()
        for b in blocks:
            for n in b.get("c") or []:
                if isinstance(n, dict) and n.get("t") == "Image":
                    target = n["c"][2][0]
                    at = self.view.text.find(target, here, self.end_offset()) if target else -1
                    bang = self.view.text.rfind("![", here, at) if at >= 0 else -1
                    if bang >= 0:
                        self.advance_to(self.view.index_at(at + len(target)))
                        return bang
        return here

    def raw_block(self, c) -> None:
        fmt, text = c
        if not text.lstrip().startswith("<!--"):    # comments are blanked out of the body already
            self.skip_verbatim(text)
        if fmt == "html":
            m = SUPPRESS.search(text)
            if m:
                rules = m.group("rules")
                names = frozenset(r.strip() for r in rules.split(",") if r.strip()) if rules else EVERY_RULE
                self.pending_disable = self.pending_disable | names

    def skip_verbatim(self, text: str) -> None:
        """Code and raw blocks hold the source's own lines: find them one after the other and move
        past them, so that nothing in them is mistaken for the next unit."""
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if not lines:
            return
        here = self.here()
        source, limit = self.view.text, self.end_offset()
        end = source.find(lines[0], here, min(limit, here + 4 * len(text) + 2000))    # just after the cursor
        if end < 0:
            return
        end += len(lines[0])
        for line in lines[1:]:      # each line follows closely (indentation in lists and quotes)
            at = source.find(line, end, min(limit, end + len(line) + 200))
            if at < 0:
                break
            end = at + len(line)
        self.advance_to(self.view.index_at(end))

    # inline text -------------------------------------------------------------
    def unit(self, kind: str, inlines) -> None:
        buf = _Text()
        self.inlines(inlines, buf)
        text = buf.text()
        spans = split_sentences(text, self.lang)
        if not spans:
            return
        if "://" in text or "www." in text:          # a bare URL is not words of a claim
            buf.inert += [m.span() for m in BARE_URL.finditer(text)]
        here = self.here()
        placed = self.place(text, buf)
        cite_starts, cites_end = self.locate_cites(buf, placed, here)
        self.walk_notes(buf, placed, here)
        unit_start = self.unit_start(placed, cite_starts, here)
        words = placed.unit.starts
        cite_at = [pos for pos, _ in buf.cites]     # sorted: bisect keeps long paragraphs linear
        note_at = [pos for pos, _ in buf.notes]
        sentences: list[Sentence] = []
        for a, b in spans:
            first, last = bisect_left(cite_at, a), bisect_left(cite_at, b)
            cites = buf.cites[first:last]
            notes = buf.notes[bisect_left(note_at, a):bisect_left(note_at, b)]
            keys = tuple(k for _, ks in cites for k in ks) + tuple(k for _, ks in notes for k in ks)
            i, end = bisect_left(words, a), bisect_left(words, b)
            opening_cite = cite_starts[first] if cites and (i == end or cites[0][0] < words[i]) else None
            if opening_cite is not None:
                offset = opening_cite                  # "@smith2020 argues ...", "[-@b p. 30] says"
            else:       # the first word of the sentence found in the source (else: its unit's start)
                start = placed.first_in(i, end)
                offset = unit_start if start is None else self.opening(start, here, placed.view.text)
            sentences.append(self.sentence(text, a, b, placed.unit, i, end, buf, shown_text(text[a:b], cites, a, notes),
                                           offset, keys, kind))
        found = [x for x in (placed.last_end(), cites_end) if x is not None]
        end = max(found, default=unit_start)
        self.advance(placed, end)
        self.brief.units.append(Unit(kind, sentences, unit_start, self.disabled, end=max(end, unit_start)))

    def sentence(self, text: str, a: int, b: int, words: Tokens, i: int, end: int, buf: _Text, shown: str,
                 offset: int, keys, kind: str) -> Sentence:
        """A sentence of the unit: ``text[a:b]``, words ``i`` to ``end`` of the unit's ``words``."""
        body = text[a:b]
        n_words, lettered, spans = end - i, True, []
        if buf.exempt or buf.flagged or buf.inert or kind == "row":
            spans = [(words.starts[k], words.end(k)) for k in range(i, end)]
            prose = [w for w in spans if not _inside(w, buf.inert)] if buf.inert else spans
            n_words = len(prose)
            # a table row of numbers, dates and symbols only states no claim of its own
            lettered = kind != "row" or any(_is_prose(text[s:e]) for s, e in prose)
        in_section = self.section_level is not None
        exempt = in_section or self.exempt_depth > 0 or _covered(spans, buf.exempt)
        flagged = self.flag_depth > 0 or _covered(spans, buf.flagged)
        sentence = Sentence(shown, offset, keys, exempt=exempt, flagged=flagged, words=n_words,
                            gap_text="" if flagged else _outside(body, a, buf.flagged), lettered=lettered)
        if in_section:
            self.brief.limitation_sentences.append(sentence)
        return sentence

    def inlines(self, nodes, buf: _Text) -> None:
        prev = None
        append = buf.parts.append
        for n in nodes:
            t = n["t"]
            if t == "Str":          # the hot path: most nodes are words and spaces
                c = n["c"]
                append(c)
            elif t == "Space":
                append(" ")
            elif t == "SoftBreak" or t == "LineBreak":
                if self.in_row and t == "SoftBreak":
                    buf.mark(ROW_ROOM)     # a cell's next line comes after the other cells' lines
                append(" ")
            elif t == "Cite":
                citations, content = n["c"]
                if _is_url_tail(prev, citations):
                    start = buf.pos()
                    self.inlines(content, buf)        # https://x.org/@name is a URL, not a citation
                    buf.inert.append((start, buf.pos()))
                else:
                    mode = citations[0]["citationMode"]["t"]
                    at = buf.pos()
                    buf.marks.append((at, CITE_ROOM))
                    buf.cites.append((at, tuple(c["citationId"] for c in citations)))
                    buf.add(TEXT_CITE if mode == "AuthorInText" else CITE)
            elif t == "Note":
                # "[^label]", or the whole "^[...]": room for as many words as the note may have
                # (its AST printed is some 16 characters a word: cheaper than walking it twice)
                buf.mark(SPAN_ROOM + len(str(n["c"])) // 16)
                buf.pending.append((buf.pos(), n["c"]))
                buf.add(NOTE)
            elif t == "Span":
                (_i, classes, _a), content = n["c"]
                buf.mark(SPAN_ROOM)
                start = buf.pos()
                self.inlines(content, buf)
                if EXEMPT_CLASSES.intersection(classes):
                    buf.exempt.append((start, buf.pos()))
                if FLAG_CLASSES.intersection(classes):
                    buf.flagged.append((start, buf.pos()))
                buf.mark(SPAN_ROOM)
            elif t == "Quoted":
                q = "“”" if n["c"][0]["t"] == "DoubleQuote" else "‘’"
                buf.add(q[0])
                self.inlines(n["c"][1], buf)
                buf.add(q[1])
            elif t == "Math" or t == "Code":
                buf.mark()
                at = buf.pos()
                buf.inert.append((at, at + len(n["c"][1])))
                buf.add(n["c"][1])
                buf.mark()
            elif t == "Link":
                (_i, classes, _a), content, (target, _title) = n["c"]
                buf.mark()
                start = buf.pos()
                self.inlines(content, buf)
                if "uri" in classes or "email" in classes:     # <https://...>: a link, not words
                    buf.inert.append((start, buf.pos()))
                buf.mark(LINK_ROOM)
            elif t in ("Emph", "Strong", "Strikeout", "Superscript", "Subscript"):
                buf.mark()
                self.inlines(n["c"], buf)
                buf.mark()
            elif t in ("SmallCaps", "Underline"):
                buf.mark(SPAN_ROOM)
                self.inlines(n["c"], buf)
                buf.mark(SPAN_ROOM)
            elif t == "Image":        # an inline image: no claim text, but alt text and path in the source
                buf.mark(LINK_ROOM + len(str(n["c"][1])) // 16)
            elif t == "RawInline":
                buf.mark(len(n["c"][1]) // 2 + 4)
            prev = n

    def walk_notes(self, buf: _Text, placed: Placement, floor: int) -> None:
        """Footnote text is checked like body text; the keys it cites cover the sentence the note
        is attached to. A note is walked once its unit is placed: its marker lies between the
        placed words around it."""
        for pos, blocks in buf.pending:
            lo = max(floor, placed.end_before(pos) or floor)
            hi = placed.start_after(pos)
            keys, floor = self.note(blocks, lo, hi if hi is not None and hi >= lo else None)
            buf.notes.append((pos, keys))       # the next note's marker is after this one ("[^a][^b]")

    def note(self, blocks, lo: int, hi: int | None) -> tuple[tuple[str, ...], int]:
        """Walk one note; returns the keys it cites and where its marker ends in the source."""
        text = self.view.text
        ref = NOTE_REF.search(text, lo, hi if hi is not None else min(len(text), lo + 400))
        if ref is None:           # the unit was not placed: the next marker after the last one
            ref = NOTE_REF.search(text, max(lo, self.note_ref_cursor))
        label = ref.group("label") if ref else None
        after = ref.end() if ref else lo
        if ref:
            self.note_ref_cursor = ref.end()
        if label and label in self.note_keys:
            return self.note_keys[label], after
        saved = self.view, self.j, self.hi, self.in_row
        if label and label in self.source.notes:        # a [^label]: its definition, elsewhere
            self.view = Tokens(self.source.note_text, *self.source.notes[label])
            self.j, self.hi = 0, len(self.view)
        elif ref and not label:                         # an inline ^[note]: inside its unit
            after = _closing_bracket(text, ref.end())
            self.j = self.view.index_at(ref.end())
            self.hi = min(self.hi, self.view.index_at(after))
        else:                                           # no definition: nothing to place it at
            self.j = self.hi = self.view.index_at(ref.end() if ref else lo)
        self.in_row = False
        start = len(self.brief.units)
        try:
            self.walk(blocks, "note")
        finally:
            self.view, self.j, self.hi, self.in_row = saved
        keys = tuple(k for u in self.brief.units[start:] for s in u.sentences for k in s.keys)
        if label:
            self.note_keys[label] = keys
        return keys, after

    # locating ----------------------------------------------------------------
    def here(self) -> int:
        """Source offset just past what was found last (where the next unit may start)."""
        return self.view.end(self.j - 1) if self.j > 0 else self.view.lo

    def end_offset(self) -> int:
        """Source offset where the current search must stop."""
        return self.view.starts[self.hi] if self.hi < len(self.view) else self.view.hi

    def place(self, text: str, buf: _Text) -> Placement:
        unit = Tokens(text)
        allow: dict[int, int] = {}
        if buf.marks:       # markup inside a word ("wo*rd*s", "H~2~O") splits it, as in the source
            unit.split_at([p for p, _ in buf.marks
                           if 0 < p < len(text) and text[p - 1].isalnum() and text[p].isalnum()])
            for pos, room in buf.marks:
                if room:
                    i = bisect_left(unit.starts, pos)
                    allow[i] = allow.get(i, 0) + room
        if self.in_row:
            placed = place(unit, allow, self.view, self.row_start, self.hi)
            while placed and placed.runs[0][1] in self.row_cells:     # "| Yes | Yes |"
                placed = place(unit, allow, self.view, placed.runs[0][1] + 1, self.hi)
        else:
            placed = place(unit, allow, self.view, self.j, self.hi)
        if not placed and unit.words and self.view is self.source.body:
            # pandoc read as text something that looked like a comment or a footnote definition
            raw = self.source.unmasked
            placed = place(unit, allow, raw, raw.index_at(self.here()), len(raw))
        return placed

    def locate(self, inlines) -> int:
        """Find a heading, a term or a header cell, move past it and return where it starts."""
        buf = _Text()
        self.inlines(inlines, buf)
        placed = self.place(buf.text(), buf)
        start = placed.first_start()
        if start is None:
            return self.guess()
        start = self.opening(start, self.here(), placed.view.text)
        self.advance(placed, placed.last_end())
        return start

    def unit_start(self, placed: Placement, cite_starts: list[int | None], here: int) -> int:
        """Where the unit starts: its first citation or its first placed word, whichever comes
        first; a unit not found at all is reported at the next word after the previous one."""
        found = [c for c in cite_starts[:1] if c is not None]
        first = placed.first_start()
        if first is not None:
            found.append(self.opening(first, here, placed.view.text))
        return min(found) if found else self.guess()

    def guess(self) -> int:
        return self.opening(self.view.starts[self.j], self.here()) if self.j < self.hi else self.here()

    def opening(self, offset: int, floor: int, text: str | None = None) -> int:
        """Step back over the markup and quotes that open a sentence ("*Most*", "“Quoted”")."""
        text = self.view.text if text is None else text
        while offset > floor and text[offset - 1] in OPENERS:
            if text[offset - 1] == "[" and text[offset - 2:offset - 1] == "!":
                break             # a figure's caption starts at its first word, inside "!["
            offset -= 1
        return offset

    def locate_cites(self, buf: _Text, placed: Placement, here: int) -> tuple[list[int | None], int | None]:
        """Record where each key is cited, between the placed words around the citation; returns
        where each citation starts ("[@a", "[-@a", "@a"; None when it was not found) and where the
        last key found ends."""
        text, limit = placed.view.text, self.end_offset()
        words = placed.unit.starts
        run_start, run_end = placed.breaks() if buf.cites else ({}, {})
        lo = here
        starts: list[int | None] = []
        last: int | None = None
        for pos, keys in buf.cites:
            i = bisect_left(words, pos)        # the unit's first word after the citation
            before = run_end.get(i)
            if before is None:
                before = placed.end_before(pos)
            if before is not None and before > lo:
                lo = before
            hi = run_start.get(i)
            if hi is None:
                hi = placed.start_after(pos)
            if hi is None or hi < lo:
                hi = min(limit, lo + 4000)
            start = None
            for key in keys:
                at = _find_key(text, key, lo, hi)
                if at < 0:
                    self.brief.citations.append(Citation(key, lo))
                    continue
                self.brief.citations.append(Citation(key, at))
                lo = last = at + len(key) + (3 if text.startswith("@{", at) else 1)
                if start is None:
                    start = at
                    while start > here and text[start - 1] in "[-":
                        start -= 1
            starts.append(start)
        return starts, last

    def advance(self, placed: Placement, end: int | None) -> None:
        """Move the cursor past a placed unit (in a table row: note where the row ends)."""
        if end is None:
            return
        k = self.view.index_at(end)
        if self.in_row:     # the cursor stays at the row's start until the row is done
            self.row_end = max(self.row_end, k)
            if placed and placed.view is self.view:
                self.row_cells.add(placed.runs[0][1])
            return
        self.advance_to(k)

    def advance_to(self, k: int) -> None:
        self.j = max(self.j, min(k, self.hi))


def _find_key(text: str, key: str, lo: int, hi: int) -> int:
    """Where ``@key`` (or ``@{key}``) is cited in ``text[lo:hi]``, not a longer key or an e-mail."""
    for form in ("@" + key, "@{" + key + "}"):
        at = lo
        while (at := text.find(form, at, hi)) >= 0:
            # "@key" must be read as this key, not the start of a longer one (source.KEY: pandoc's reading)
            other = form[-1] != "}" and (m := KEY.match(text, at + 1)) is not None and m.end() != at + len(form)
            if not other and not (at > 0 and text[at - 1].isalnum()):
                return at
            at += 1
    return -1


def _closing_bracket(text: str, start: int) -> int:
    """Offset of the "]" that closes an inline note opened just before ``start``."""
    depth, i, stop = 1, start, min(len(text), start + 20000)
    while i < stop:
        ch = text[i]
        if ch == "\\":
            i += 1                   # an escaped bracket
        elif ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return stop


def _inside(word: tuple[int, int], ranges: list[tuple[int, int]]) -> bool:
    return any(a <= word[0] and word[1] <= b for a, b in ranges)


def _is_prose(word: str) -> bool:
    """A word of prose: it has a letter and is not a month's name (dates state no claim)."""
    return not word.isdigit() and any(ch.isalpha() for ch in word) and word.lower() not in MONTHS


def _is_url_tail(prev, citations) -> bool:
    if prev is None or prev.get("t") != "Str" or len(citations) != 1:
        return False
    if citations[0]["citationMode"]["t"] != "AuthorInText":
        return False
    s = prev["c"]
    return "://" in s or s.endswith("/") or s.startswith("www.")


def _covered(words: list[tuple[int, int]], ranges: list[tuple[int, int]]) -> bool:
    """True when every word lies inside one of ``ranges`` (and there is at least one word)."""
    return bool(words and ranges) and all(_inside(w, ranges) for w in words)


def _outside(body: str, offset: int, ranges: list[tuple[int, int]]) -> str:
    """The sentence text with flagged spans blanked out (gap phrases inside them are fine)."""
    if not ranges:
        return body
    chars = list(body)
    for a, b in ranges:
        for i in range(max(a - offset, 0), min(b - offset, len(chars))):
            chars[i] = " "
    return "".join(chars)


def shown_text(body: str, cites, start: int, notes=()) -> str:
    """Sentence text for messages: each citation shown as [@key; @other], each note as [^]."""
    if not cites and not notes:
        return body
    marks = sorted([(pos - start, "[" + "; ".join("@" + k for k in keys) + "]") for pos, keys in cites]
                   + [(pos - start, "[^]") for pos, _keys in notes])
    out, at = [], 0
    for pos, shown in marks:
        out += [body[at:pos], shown]
        at = pos + 1            # past the placeholder character
    out.append(body[at:])
    return "".join(out)
