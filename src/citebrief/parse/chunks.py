"""Split a long brief so pandoc can read it on every core at once.

pandoc is single-threaded, and its parse is most of what ``citebrief lint`` costs on a long brief.
A brief can be cut before an ATX heading (after a blank line) where no construct is open: the
pieces' ASTs then concatenate to the AST of the whole (header identifiers and citation counters
aside, which lint does not read). What one piece may take from another is handled, or the cut refused:

- link reference definitions are global and make no block: each piece is given the other pieces'
  definitions after its own text, so it resolves every reference as the whole brief does. Anything
  else with a ``]:`` (a definition inside a list or a quote, over two lines, defined twice...) and
  the brief is read whole; ``[@key]: ...`` is a citation, not a definition, for pandoc;
- a footnote must be defined once, in the piece that cites it;
- a bracketed text that reads as a heading's text is a link to it (implicit header references):
  no cut between the two;
- an HTML block element (``<div>``, ``<details>``, ``<pre>``...) may hold every block after it, to
  its closing tag or to the end, and pandoc's reading of those is intricate (``<div><hr></div>``
  leaves the div open): no cut after the first one. A tag with a blank line inside (in an
  attribute's value) holds the blocks there: the brief is read whole;
- fenced code, fenced divs (also opened after a list marker), HTML comments and multiline tables
  may hold a line that reads as a heading: no cut inside them. A definition list takes a heading
  followed by ``: ...`` as its next term: no cut there;
- example lists (``(@)``) number across the brief, raw LaTeX environments and macro definitions
  reach across blocks: the brief is read whole.

Every rule errs on the side of reading the brief whole: correctness first, speed second.
"""

from __future__ import annotations

import re

from citebrief.parse.source import KEY_REST

MIN_SPLIT_SIZE = 200_000          # characters; below this one pandoc run is fast enough

_FENCE = re.compile(r" {0,3}(`{3,}|~{3,}|:{3,})")
_DIV_OPEN = re.compile(r":{3,}[ \t]*[^:\s]")       # "::: note", also after a list or quote marker
_HEADING = re.compile(r"#{1,6}[ \t]")
_LATEX = re.compile(r"\\(?:begin\{|(?:re|provide)?newcommand|(?:re)?newenvironment|def|let|DeclareMathOperator)")
_LINE_UNSAFE = re.compile(r" {0,3}(?:\(@|<\?)")
_NOTE_REF = re.compile(r"\[\^([^\]\s]+)\](?!:)")
_NOTE_DEF = re.compile(r" {0,3}\[\^([^\]\s]+)\]:")
_NOTE_LABEL_END = re.compile(r"\[\^[^\]\s]+\Z")
_COLON = re.compile(r"\]:")
# a plain one-line link reference definition at the top level
_DEFINITION = re.compile(r" {0,3}\[(?!\^)([^\[\]\n]+)\]:[ \t]*\S")
# "[@key]: ..." is a citation, not a definition (a key as source.py reads one, or "*" in a nocite)
_CITATION_KEY = re.compile(rf"-?@[\w*]{KEY_REST}")
_DEFINITION_MARK = re.compile(r" {0,3}[:~][ \t]")   # a definition list's definition
# an HTML tag as pandoc reads one (so not an autolink such as <https://...>)
_TAG = re.compile(r"<[A-Za-z][A-Za-z0-9-]*(?=[\s/>])")
_BLANK_LINE = re.compile(r"\n[ \t\r]*\n")
# pandoc's HTML block tags (Text.Pandoc.Readers.HTML.TagCategories: blockTags and eitherBlockOrInline;
# the void ones hold nothing), and "<!DOCTYPE", "<?xml": each may begin a raw HTML block
_BLOCK_TAG = re.compile(r"<(?:!(?!--)|\?|(?:" + "|".join("""
    address article aside blockquote body canvas caption center colgroup dd details dir div dl dt fieldset
    figcaption figure footer form h1 h2 h3 h4 h5 h6 head header hgroup html isindex main menu noframes nav ol
    output p pre section summary table tbody textarea thead tfoot ul frameset li td th tr script style
    calloutlist bibliolist glosslist itemizedlist orderedlist segmentedlist simplelist variablelist caution
    important note tip warning literallayout programlisting programlistingco screen screenco screenshot
    synopsis example informalexample informalfigure informaltable para simpara formalpara equation
    informalequation mediaobject qandaset procedure task cmdsynopsis funcsynopsis classsynopsis epigraph
    msgset sidebar title case switch default
    audio applet button iframe del ins progress map noscript object svg video""".split())
                        + r")(?=[\s/>]|$))", re.I)
_DASHES = re.compile(r"[ \t]*-{3,}[- \t\r]*$")       # a multiline table's border (or a rule)
_SETEXT = re.compile(r"[ \t>]*(?:=+|-+)[ \t\r]*$")
# an ATX heading's "#" and what may stand before it on its line (indentation, quote and list markers)
_HASHES = re.compile(r"#{1,6}(?=[ \t\r\n]|\Z)")
_MARKERS = re.compile(r"[ \t>*+\-.)(#0-9A-Za-z]*")
_ATTRIBUTES = re.compile(r"\{[^{}]*\}\s*$")
_LABEL = re.compile(r"\[([^\[\]]*)\]")
_NOT_ALNUM = re.compile(r"[\W_]+")
_NOT_ALNUM_OR_BRACKET = re.compile(r"[^\w\]]+|_+")


def split_points(source: str, body_start: int, pieces: int) -> list[int]:
    """Offsets at which ``source`` may be cut into about ``pieces`` parts (empty: don't cut)."""
    return _split(source, body_start, pieces)[0]


def pieces_of(source: str, body_start: int, pieces: int) -> list[str]:
    """The texts pandoc reads: ``source`` whole, or cut at ``split_points``, each piece followed by the
    link reference definitions of the others (a definition makes no block, wherever it stands)."""
    cuts, definitions = _split(source, body_start, pieces)
    if not cuts:
        return [source]
    bounds = [0, *cuts, len(source)]
    texts = []
    for a, b in zip(bounds, bounds[1:]):
        others = "".join(line for at, line in definitions if not a <= at < b)
        texts.append(source[a:b] + ("\n" + others if others else ""))
    return texts


def _split(source: str, body_start: int, pieces: int) -> tuple[list[int], list[tuple[int, str]]]:
    if pieces < 2 or len(source) < MIN_SPLIT_SIZE:
        return [], []
    candidates, scan = safe_cuts(source, body_start)
    if not candidates:
        return [], []
    cuts: list[int] = []
    for k in range(1, pieces):
        # The first pieces shorter: they finish first and are walked while pandoc still reads the
        # last. With pandoc's time P and the walk's W for the whole brief (W ≈ 0.65 P), a first
        # piece of P / (2P + W) ≈ 39% ends its walk as pandoc ends the second (bench_speed).
        target = body_start + int((len(source) - body_start) * (k / pieces - 0.11))
        best = min(candidates, key=lambda c: abs(c - target))
        if best not in cuts and (not cuts or best > cuts[-1]):
            cuts.append(best)
    bounds = [body_start, *cuts, len(source)]
    for a, b in zip(bounds, bounds[1:]):
        if not set(_NOTE_REF.findall(source, a, b)) <= {label for at, label in scan.notes if a <= at < b}:
            return [], []          # a footnote is defined in another piece
    return cuts, scan.definitions


def safe_cuts(source: str, body_start: int) -> tuple[list[int], _Scan]:
    """Every offset where ``source`` could be cut on its own (footnotes aside: they depend on where
    the other cuts are), and the scan that found them."""
    scan = _Scan(source, body_start)
    if scan.refused or _refused(source, body_start, scan):
        return [], scan
    links = scan.heading_links(source, body_start)
    if links is None:
        return [], scan
    block = _BLOCK_TAG.search(source, body_start)
    html_end = block.start() if block else len(source)
    first = len(source) - len(source[body_start:].lstrip())     # a cut there would leave nothing before it
    return [c for c in scan.cuts if first < c <= html_end and not any(a < c <= b for a, b in links)], scan


def _refused(source: str, start: int, scan: _Scan) -> bool:
    """What makes the whole brief be read in one piece (the line scan found the rest)."""
    if "<![CDATA[" in source or (source.find("\\", start) >= 0 and _LATEX.search(source, start)):
        return True
    for m in _TAG.finditer(source, start):
        end = source.find(">", m.end())
        if end >= 0 and _BLANK_LINE.search(source, m.end(), end):
            return True            # a tag with a blank line inside (in an attribute's value)
    labels = [label for _, label in scan.notes]
    if len(labels) != len(set(labels)):
        return True                # a footnote defined twice: the whole brief takes the first
    for m in _COLON.finditer(source, start):   # every "]:" is a definition copied, a citation or a footnote's
        line = source.rfind("\n", 0, m.start()) + 1
        if line not in scan.plain and not _NOTE_LABEL_END.search(source, max(line, m.start() - 200), m.start()):
            return True
    return False


class _Scan:
    """One pass over the lines of the body: where it may be cut, its link reference definitions,
    its footnote definitions and setext headings."""

    def __init__(self, source: str, start: int):
        self.cuts: list[int] = []                 # ATX headings after a blank line, at the top level
        self.definitions: list[tuple[int, str]] = []      # (offset, the line): plain link definitions
        self.plain: set[int] = set()              # lines whose "]:" is a plain definition or a citation
        self.setext: list[tuple[int, str]] = []   # (offset, text) of what may be setext headings
        self.notes: list[tuple[int, str]] = []    # (offset, label) of footnote definitions
        self.refused = False
        labels: set[str] = set()
        fence: str | None = None
        divs = 0
        in_comment = in_table = False
        previous_blank = True
        previous_definition = False       # the line before is a plain definition
        lines = source[start:].splitlines(keepends=True)
        pos = start
        for i, line in enumerate(lines):
            if fence is None and not in_comment and line[:1].isalnum() and "<" not in line and ":::" not in line:
                previous_blank = previous_definition = False    # most lines: prose, nothing opens or closes here
                pos += len(line)
                continue
            definition = False
            stripped = line.strip()
            following = lines[i + 1] if i + 1 < len(lines) else ""
            m = _FENCE.match(line)
            if in_comment:
                in_comment = "-->" not in line
            elif fence is not None:
                if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) \
                        and not stripped.strip(fence[0]):
                    fence = None
            elif m and m.group(1)[0] == ":" and not stripped.strip(":"):
                divs = max(divs - 1, 0)    # ":::" closes a div
            elif _DIV_OPEN.search(line):
                divs += 1                  # "::: note" opens one, after a list marker too
            elif m:
                fence = m.group(1)
            elif "<!--" in line and "-->" not in line[line.index("<!--"):]:
                in_comment = True
            elif _LINE_UNSAFE.match(line):
                self.refused = True        # an example list item, a processing instruction
                return
            elif _DASHES.match(line) or _SETEXT.match(line):
                if _SETEXT.match(line) and not previous_blank and i:
                    self.setext.append((pos, lines[i - 1]))     # "Text" over "----": a heading
                if _DASHES.match(line):
                    # a multiline table opens with a border over a line (after any line: a line
                    # block leaves no blank line) and closes with one before a blank line or its caption
                    if in_table:
                        in_table = following.strip() != "" and not following.lstrip().startswith(("Table:", ":"))
                    else:
                        in_table = following.strip() != ""
            elif note := _NOTE_DEF.match(line):
                self.notes.append((pos, note.group(1)))
            elif d := _DEFINITION.match(line):
                label = " ".join(d.group(1).lower().split())
                if _CITATION_KEY.fullmatch(d.group(1)):
                    self.plain.add(pos)    # "[@key]: ..." is a citation for pandoc: a paragraph
                elif "@" not in label and label not in labels and (previous_blank or previous_definition) \
                        and (not following.strip() or _DEFINITION.match(following)):
                    # a block of its own (not a paragraph's next line), on one line, defined once;
                    # anything else is left out of plain: the brief is read whole
                    labels.add(label)
                    self.plain.add(pos)
                    self.definitions.append((pos, line if line.endswith("\n") else line + "\n"))
                    definition = True
            elif previous_blank and divs == 0 and not in_table and _HEADING.match(line) \
                    and not _DEFINITION_MARK.match(next((x for x in lines[i + 1:i + 50] if x.strip()), "")):
                self.cuts.append(pos)
            previous_blank, previous_definition = not stripped, definition
            pos += len(line)

    def heading_links(self, source: str, start: int) -> list[tuple[int, int]] | None:
        """(start, end) of the stretches between a heading and a bracketed text that reads as its text:
        pandoc links such a text to the heading (an implicit header reference), so no cut may come
        between them. pandoc compares the two as written, in lower case; only their letters and digits
        are compared here, so every such link is found (and perhaps a few more). None: cut nowhere."""
        headings = list(self.setext)
        for m in _HASHES.finditer(source, start):      # ATX headings, in lists and quotes too
            line_start = source.rfind("\n", 0, m.start()) + 1
            if _MARKERS.fullmatch(source, line_start, m.start()):
                line_end = source.find("\n", m.end())
                headings.append((line_start, source[m.end():line_end if line_end >= 0 else len(source)]))
        keys: dict[str, list[int]] = {}
        for at, text in headings:
            if "[" in text or "]" in text:
                return None        # its link would hold brackets: not looked for
            for variant in (text, _ATTRIBUTES.sub("", text)):
                for v in (variant, variant.rstrip().rstrip("#")):
                    keys.setdefault(_NOT_ALNUM.sub("", v.lower()), []).append(at)
        if "" in keys:
            return None            # a heading of no letters or digits: "[?]" could name it
        # a heading's text has no brackets: nor has its link. Most bracketed texts are citations, the
        # same ones many times: each different text is compared once, and found again if it matches.
        labels = list(set(_LABEL.findall(source, start)))
        # "]" never stands in one: the letters and digits of all of them in one pass, split again there
        squeezed = _NOT_ALNUM_OR_BRACKET.sub("", "]".join(labels).lower()).split("]")
        linked = {label for label, key in zip(labels, squeezed) if key in keys}
        stretches = []
        for m in _LABEL.finditer(source, start) if linked else ():
            if m.group(1) in linked:
                for at in keys[_NOT_ALNUM.sub("", m.group(1).lower())]:
                    stretches.append((min(at, m.start()), max(at, m.start())))
        return stretches
