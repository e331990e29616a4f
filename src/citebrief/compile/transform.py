"""The changes every output format shares, made in Python on the citeproc pass's JSON AST:

* the front block at the top of the body: the DRAFT notice (status.py), "Checked on <Month D, YYYY>"
  with the "Stale" mark, and the disclaimer; the footer saying which checks passed, at the end;
* each flagged ``[...]{.limitation}`` span (or ``::: limitation`` div) gets an id, a visible
  marker (L1, L2...), the Word style "Limitation" and a typst highlight;
* the limitations section gets a list "Flagged in the text" linking back to each flagged span;
* the bibliography gets a "References" heading unless the brief names its own;
* the metadata is rebuilt as plain text (meta.py) and the disclaimer goes through this same transform;
* raw markup other than HTML is dropped (the HTML output is sanitized whole, sanitize.py), unsafe
  links unwrapped, and local images checked and confined to the project (images.py).

Markup meant for one writer is carried as raw inlines/blocks of that format (``typst``): the other
writers drop it, so one AST serves all three formats.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from citebrief.ast import no_gc, stringify
from citebrief.compile.images import Image, local_image
from citebrief.compile.meta import Meta, read_meta, words, writer_meta
from citebrief.compile.sanitize import safe_link, url_scheme
from citebrief.compile.status import Status
from citebrief.compile.typography import tie, url_inlines
from citebrief.errors import CitebriefError
from citebrief.parse.sentences import split_sentences

HTML_FORMATS = {"html", "html5", "html4"}
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)
_PLAIN_ID = re.compile(r"[A-Za-z][A-Za-z0-9_.:-]*")


def Str(s):                       # noqa: N802 - pandoc constructor names
    return {"t": "Str", "c": s}


def raw(fmt: str, text: str, block: bool = False) -> dict:
    return {"t": "RawBlock" if block else "RawInline", "c": [fmt, text]}


def div(ident: str, classes: list[str], blocks: list, kvs=()) -> dict:
    return {"t": "Div", "c": [[ident, classes, [list(kv) for kv in kvs]], blocks]}


def typst_wrap(function: str, blocks: list) -> list:
    """``#function[ ...blocks... ]`` in typst; nothing in the other formats."""
    return [raw("typst", f"#{function}[", True), *blocks, raw("typst", "]", True)]


@dataclass
class Flag:
    ident: str
    number: int
    text: str


@dataclass
class Prepared:
    ast: bytes                     # the JSON AST the typst writer reads (images: names in the build folder)
    html_ast: bytes                # the same with images embedded as data: URIs (HTML and DOCX)
    meta: Meta
    images: list[Image]            # local images, checked (the PDF build copies them; the cache hashes them)
    flags: list[Flag]
    status: Status                 # draft, stale, the checks that passed (decided by the compile run)
    sections: int                  # top-level headings (the HTML gets a table of contents from 4)
    toc_mark: str                  # raw HTML after the front block: where html.py puts the contents
    # the same AST in pieces, for writers run on parts of the body (pdf.py): the document's JSON up
    # to the first block, each top-level block's JSON and its type
    head: str = ""
    blocks_json: list[str] = field(default_factory=list)
    block_types: list[str] = field(default_factory=list)
    typst: bytes | None = None     # the typst source, once made (pdf.py)

    def piece_json(self, start: int, end: int, extra: tuple[str, ...] = ()) -> bytes:
        """The document with only blocks[start:end] (then ``extra``, JSON blocks) as its body."""
        return (self.head + ",".join([*self.blocks_json[start:end], *extra]) + "]}").encode()


class _Transformer:
    def __init__(self, brief_dir: Path, root: Path, shown: str, limitation_headings: tuple[str, ...]):
        self.brief_dir, self.root = brief_dir, root
        self.shown = shown
        self.headings = tuple(h.lower() for h in limitation_headings)
        self.flags: list[Flag] = []
        self.images: dict[str, Image] = {}     # build name -> image
        self.ref_ids: set[str] = set()         # ids of the bibliography's entries (ref-<key>)
        self.in_cite = False                   # inside a citation: no break before its year (typography.py)
        self.anchor_links: list[dict] = []     # the brief's links to a place in itself ("#section")

    # blocks ---------------------------------------------------------------
    def blocks(self, blocks: list) -> list:
        out: list = []
        for b in blocks:
            r = self.block(b)
            if isinstance(r, list):
                out.extend(r)
            elif r is not None:
                out.append(r)
        return out

    def block(self, b: dict):
        t = b["t"]
        c: Any = b.get("c")        # pandoc's JSON: the shape of "c" depends on "t"
        if t in ("Para", "Plain"):
            b["c"] = self.inlines(c)
        elif t == "Header":
            c[2] = self.inlines(c[2])
        elif t == "Div":
            c[1] = self.blocks(c[1])
            if "limitation" in c[0][1]:
                return self.flag_div(b)
        elif t == "BlockQuote":
            b["c"] = self.blocks(c)
        elif t == "BulletList":
            b["c"] = [self.blocks(item) for item in c]
        elif t == "OrderedList":
            c[1] = [self.blocks(item) for item in c[1]]
        elif t == "DefinitionList":
            b["c"] = [[self.inlines(term), [self.blocks(d) for d in defs]] for term, defs in c]
        elif t == "LineBlock":
            b["c"] = [self.inlines(line) for line in c]
        elif t == "RawBlock":
            return self.raw(b, block=True)
        elif t == "Figure":
            c[1][1] = self.blocks(c[1][1])
            c[2] = self.blocks(c[2])
        elif t == "Table":
            self.generic(c[1:])
        return b

    def generic(self, node) -> None:
        """Tables: walk rows and cells, whose blocks sit at varying depths."""
        if isinstance(node, list):
            if node and all(isinstance(x, dict) and "t" in x for x in node):
                kinds = {x["t"] for x in node}
                new = self.blocks(node) if kinds & BLOCK_TYPES else self.inlines(node)
                node[:] = new
                return
            for x in node:
                self.generic(x)

    # inlines --------------------------------------------------------------
    def inlines(self, inlines: list) -> list:
        out: list = []
        for n in inlines:
            t = n["t"]
            if t in LEAF_INLINES:
                out.append(n)
                continue
            r = self.inline(n)
            if isinstance(r, list):
                out.extend(r)
            elif r is not None:
                out.append(r)
        return tie(out, self.in_cite)

    def inline(self, n: dict):
        t = n["t"]
        c: Any = n.get("c")
        if t in WRAPPING_INLINES:
            n["c"] = self.inlines(c)
        elif t == "Quoted":
            c[1] = self.inlines(c[1])
        elif t == "Cite":
            self.in_cite, outer = True, self.in_cite
            c[1] = self.inlines(c[1])
            self.in_cite = outer
        elif t == "Span":
            c[1] = self.inlines(c[1])
            if "limitation" in c[0][1]:
                return self.flag_span(n)
        elif t == "Link":
            c[1] = self.inlines(c[1])
            url = c[2][0]
            if not url.strip() or not safe_link(url):      # a link to nothing, or unsafe: its text only
                return {"t": "Span", "c": [c[0], c[1]]}
            if self.in_cite and url.startswith("#ref-"):
                # citeproc's link to the entry (in a note too, with a note style): when the bibliography
                # does not show it (an unknown key, a style without one), pandoc's mark stays, unlinked
                if url[1:] not in self.ref_ids:
                    return {"t": "Span", "c": [c[0], c[1]]}
            elif url.startswith("#"):
                self.anchor_links.append(n)                # checked once every id is known (_unlink_dangling)
            elif url_scheme(url) in ("http", "https"):
                if stringify(c[1]) == url:
                    c[1] = url_inlines(url)          # break points before / and - only (typography.py)
                elif "print-url" not in c[0][1]:
                    c[0][1] = [*c[0][1], "print-url"]   # printed HTML shows where the link goes
        elif t == "Image":
            return self.image(n)
        elif t == "Note":
            n["c"] = self.blocks(c)
        elif t == "RawInline":
            return self.raw(n, block=False)
        return n

    def raw(self, node: dict, block: bool):
        """Raw HTML stays (the whole HTML output is sanitized, sanitize.py); any other raw markup is
        dropped: only citebrief's own typst reaches typst, no one's openxml reaches Word."""
        fmt, text = node["c"]
        return raw("html", text, block) if fmt.lower() in HTML_FORMATS else None

    def image(self, n: dict):
        _attr, alt, (url, title) = n["c"]
        scheme = url_scheme(url)
        if scheme in ("http", "https"):       # readers' copies make no network requests: link it instead
            return {"t": "Link", "c": [["", ["remote-image"], []], alt or words("image"), [url, title]]}
        if scheme is not None:                # data:, file:, javascript:...: the alternative text
            return {"t": "Span", "c": [["", [], []], alt]}
        image = local_image(url, self.brief_dir, self.root, self.shown)
        self.images[image.build_name] = image
        n["c"][2] = [image.build_name, title]
        return n

    # flagged limitations --------------------------------------------------
    def new_flag(self, attr: list, content) -> Flag:
        number = len(self.flags) + 1
        # the id goes into citebrief's own raw typst (#cb-page(<id>)): only a plain one is kept, so an
        # id="a>)#read(...)" written by a stranger can never become typst code
        ident = attr[0] if _PLAIN_ID.fullmatch(attr[0] or "") else f"limitation-{number}"
        attr[0] = ident
        flag = Flag(ident, number, _shorten(stringify(content)))
        self.flags.append(flag)
        return flag

    def marker(self, flag: Flag) -> dict:
        link = {"t": "Link", "c": [["", ["limitation-marker"], []], [Str(f"L{flag.number}")],
                                   [f"#flagged-{flag.number}", f"Flagged limitation {flag.number}"]]}
        return {"t": "Superscript", "c": [link]}

    def flag_span(self, n: dict) -> dict:
        attr, content = n["c"]
        flag = self.new_flag(attr, content)
        if not any(k == "custom-style" for k, _ in attr[2]):
            attr[2] = [*attr[2], ["custom-style", "Limitation"]]
        n["c"][1] = [raw("typst", "#cb-flag["), *content, Str("\u2009"),
                     self.marker(flag), raw("typst", "]")]
        return n

    def flag_div(self, d: dict) -> list:
        attr, content = d["c"]
        flag = self.new_flag(attr, content)
        if not any(k == "custom-style" for k, _ in attr[2]):
            attr[2] = [*attr[2], ["custom-style", "Limitation Block"]]
        label = [self.marker(flag), Str("\u2002")]
        if content and content[0]["t"] in ("Para", "Plain"):
            content[0]["c"] = label + content[0]["c"]
        else:
            content.insert(0, {"t": "Plain", "c": label})
        return typst_wrap("cb-flag-block", [d])

    def flagged_list(self) -> list:
        items = []
        for f in self.flags:
            back = {"t": "Link", "c": [["", [], []], words(f.text), [f"#{f.ident}", "Back to the text"]]}
            page = raw("typst", f"#cb-page(<{f.ident}>)")     # "p. 3" in the PDF, where the flag landed
            item = {"t": "Para", "c": [             # a Para: pandoc gives a Plain the style "Compact"
                {"t": "Span", "c": [[f"flagged-{f.number}", ["flagged-ref"], []],
                                    [{"t": "Strong", "c": [Str(f"L{f.number}")]}]]},
                Str("\u2002"), back, page]}
            items.append([div("", [], [item], [("custom-style", "Flagged Item")])])   # the style of each item
        heading = {"t": "Para", "c": [{"t": "Strong", "c": words("Flagged in the text")}]}
        body = [heading, {"t": "BulletList", "c": items}]
        return typst_wrap("cb-flagged-list", [div("flagged-in-the-text", ["flagged-list"], body,
                                                  [("custom-style", "Flagged List")])])

    def is_limitations_heading(self, b: dict) -> bool:
        if b["t"] != "Header":
            return False
        if "limitations" in b["c"][1][1]:
            return True
        return stringify(b["c"][2]).lower().startswith(self.headings)


BLOCK_TYPES = {"Plain", "Para", "LineBlock", "CodeBlock", "RawBlock", "BlockQuote", "OrderedList",
               "BulletList", "DefinitionList", "Header", "HorizontalRule", "Table", "Figure", "Div"}
LEAF_INLINES = {"Str", "Space", "SoftBreak", "LineBreak", "Math"}
WRAPPING_INLINES = {"Emph", "Strong", "Underline", "Strikeout", "Superscript", "Subscript", "SmallCaps"}


def _shorten(text: str, limit: int = 320) -> str:
    """A flag as the "Flagged in the text" list quotes it: its first sentence, whole (with "…" when
    more follows), or, for one very long sentence, its words up to ``limit`` characters."""
    text = " ".join(text.split())
    spans = split_sentences(text)
    first = text[spans[0][0]:spans[0][1]] if spans else text
    if len(first) <= limit:
        return first if len(first) >= len(text.rstrip()) else first + " \u2026"
    cut = text[: limit].rsplit(" ", 1)[0].rstrip(" ,;:\u2013\u2014-(")
    return cut + "\u2026"


def _meta_blocks(value) -> list:
    if not value:
        return []
    t = value.get("t")
    if t == "MetaBlocks":
        return value["c"]
    if t == "MetaInlines":
        return [{"t": "Para", "c": value["c"]}]
    if t == "MetaString":
        return [{"t": "Para", "c": words(value["c"])}]
    return [{"t": "Para", "c": words(stringify(value))}]


def prepare(ast_bytes: bytes, brief: Path, root: Path, shown: str, limitation_headings: tuple[str, ...],
            status: Status) -> Prepared:
    """Apply the shared changes to the citeproc AST (see the module docstring)."""
    with no_gc():
        try:
            return _prepare(ast_bytes, brief, root, shown, limitation_headings, status)
        except RecursionError:
            raise CitebriefError("quotes, lists or divs are nested too deeply to compile", shown) from None


def _prepare(ast_bytes: bytes, brief: Path, root: Path, shown: str, limitation_headings: tuple[str, ...],
             status: Status) -> Prepared:
    """The brief's AST made ready for every writer, in steps: its blocks transformed, then the front
    block, the references' heading, the list of flagged spans and the footer added around them."""
    try:
        doc = json.loads(ast_bytes)
    except ValueError as exc:
        raise CitebriefError(f"pandoc gave unreadable JSON: {exc}", shown, exit_code=1) from exc
    meta_json = doc.get("meta", {})
    meta = read_meta(meta_json)
    doc["meta"] = writer_meta(meta)         # plain text only: nothing else of the front matter reaches a writer
    tr = _Transformer(brief.parent, root, shown, limitation_headings)
    tr.ref_ids = _ref_ids(doc["blocks"])
    blocks = tr.blocks(doc["blocks"])
    disclaimer = tr.blocks(_meta_blocks(meta_json.get("disclaimer")))
    if tr.anchor_links:            # the body's and the disclaimer's, checked against both
        _unlink_dangling(tr.anchor_links, [blocks, disclaimer])

    toc_mark = f"<!--cb-toc-{secrets.token_hex(16)}-->"     # no brief can guess it (see html.py)
    blocks.insert(0, raw("html", toc_mark, True))
    front = _front_block(meta, disclaimer, status)
    if front:
        blocks = typst_wrap("cb-front", [div("front-matter", ["front-matter"], front)]) + blocks
    refs_at = _wrap_references(blocks)
    if tr.flags:
        _add_flagged_list(blocks, tr, refs_at)
    # the footer: which checks passed (status.py)
    blocks += typst_wrap("cb-colophon", [div("checks", ["colophon"], [{"t": "Para", "c": words(status.footer)}],
                                             [("custom-style", "Colophon")])])

    # serialised block by block (the pieces pdf.py hands to parallel writers), then joined
    del doc["blocks"]
    head = _ENCODER.encode(doc)[:-1] + ("," if doc else "") + '"blocks":['
    encode = _ENCODER.encode
    blocks_json = [encode(b) for b in blocks]
    block_types = [b["t"] for b in blocks]
    ast = (head + ",".join(blocks_json) + "]}").encode()
    html_ast = _embed_images(ast, tr.images) if tr.images else ast
    return Prepared(ast, html_ast, meta, sorted(tr.images.values(), key=lambda i: i.build_name), tr.flags,
                    status, sum(1 for b in blocks if b["t"] == "Header" and b["c"][0] == 1), toc_mark,
                    head, blocks_json, block_types)


def _ref_ids(blocks: list) -> set[str]:
    """The ids (``ref-<key>``) of the bibliography's entries: the ``csl-entry`` Divs in citeproc's
    ``#refs`` Div, wherever the brief put it (at the end unless it placed ``::: {#refs}`` itself)."""
    for b in _all_blocks(blocks):
        if b["t"] == "Div" and b["c"][0][0] == "refs":
            return {e["c"][0][0] for e in b["c"][1]
                    if e["t"] == "Div" and e["c"][0][0].startswith("ref-") and "csl-entry" in e["c"][0][1]}
    return set()


# the elements whose id pandoc's typst writer makes a label a link can go to, and where pandoc's JSON
# keeps it (a code block's, inline code's, an image's or a link's own id makes none)
_ID_AT = {"Header": lambda c: c[1][0], "Div": lambda c: c[0][0], "Span": lambda c: c[0][0],
          "Table": lambda c: c[0][0], "Figure": lambda c: c[0][0]}


def _unlink_dangling(links: list[dict], blocks: list) -> None:
    """A link to an id the brief does not have ("[see](#nowhere)"), or has twice, keeps its text and
    loses the link in every format: typst refuses to make a PDF with a link to a missing or repeated
    label, and in HTML it leads nowhere or to a guess. A link to an id that makes no typst label
    (not in _ID_AT) goes too, in every format alike."""
    ids: dict[str, int] = {}
    stack: list = [blocks]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            t, c = node.get("t"), node.get("c")
            if t in _ID_AT:
                ident = _ID_AT[t](c)
                ids[ident] = ids.get(ident, 0) + 1
            if isinstance(c, list):
                stack.append(c)
        elif isinstance(node, list):
            stack.extend(x for x in node if isinstance(x, (dict, list)))
    for link in links:
        if ids.get(link["c"][2][0][1:]) != 1:
            link["t"], link["c"] = "Span", [link["c"][0], link["c"][1]]


def _all_blocks(blocks: list):
    """Every block, those inside others too (not those inside inlines: notes hold no bibliography)."""
    for b in blocks:
        yield b
        t, c = b["t"], b.get("c")
        if t == "Div":
            yield from _all_blocks(c[1])
        elif t == "BlockQuote":
            yield from _all_blocks(c)
        elif t in ("BulletList", "OrderedList", "DefinitionList"):
            items = c if t == "BulletList" else c[1] if t == "OrderedList" else [d for _, defs in c for d in defs]
            for item in items:
                yield from _all_blocks(item)
        elif t == "Figure":
            yield from _all_blocks(c[2])
        elif t == "Table":                      # cells hold blocks at varying depths
            yield from _table_blocks(c[1:])


def _table_blocks(node):
    if isinstance(node, dict) and node.get("t") in BLOCK_TYPES:
        yield from _all_blocks([node])
    elif isinstance(node, list):
        for x in node:
            yield from _table_blocks(x)


def _front_block(meta: Meta, disclaimer: list, status: Status) -> list:
    """What stands above the brief: the DRAFT notice, "Checked on ..." (and "Stale"), the disclaimer."""
    front = []
    if status.draft:
        front += typst_wrap("cb-draft", [div("draft-notice", ["draft"], [{"t": "Para", "c": words(status.draft_text)}],
                                             [("custom-style", "Draft")])])
    if meta.checked:
        line = tie(words(meta.checked_text))
        if status.stale:
            stale = {"t": "Span", "c": [["", ["stale"], [["custom-style", "Stale"]]], words(status.stale_text)]}
            line += [{"t": "Space"}, Str("\u00b7"), {"t": "Space"},
                     raw("typst", "#cb-stale["), stale, raw("typst", "]")]
        front += typst_wrap("cb-checked", [div("", ["checked"], [{"t": "Para", "c": line}],
                                               [("custom-style", "Checked")])])
    if disclaimer:
        front += typst_wrap("cb-disclaimer", [div("", ["disclaimer"], disclaimer, [("custom-style", "Disclaimer")])])
    return front


def _wrap_references(blocks: list) -> int | None:
    """The bibliography given a heading (unless it has one) and hanging indents in typst, in place;
    where it now starts (None: the brief has none)."""
    refs_at = next((i for i, b in enumerate(blocks) if b["t"] == "Div" and b["c"][0][0] == "refs"), None)
    if refs_at is not None:
        refs = typst_wrap("cb-references", [blocks[refs_at]])
        has_heading = refs_at > 0 and blocks[refs_at - 1]["t"] == "Header"   # the brief's own, or citeproc's
        if not has_heading:
            refs.insert(0, {"t": "Header", "c": [1, ["references", ["unnumbered", "references"], []],
                                                 [Str("References")]]})
        blocks[refs_at:refs_at + 1] = refs
    return refs_at


def _add_flagged_list(blocks: list, tr: _Transformer, refs_at: int | None) -> None:
    """The list of flagged spans, linking back, at the end of the limitations section (in place)."""
    start = next((i for i, b in enumerate(blocks) if tr.is_limitations_heading(b)), None)
    if start is None:    # only possible with --no-lint: make one, before the references
        start = refs_at if refs_at is not None else len(blocks)
        if refs_at is not None and start > 0 and blocks[start - 1]["t"] == "Header":
            start -= 1
        blocks.insert(start, {"t": "Header", "c": [1, ["limitations", ["limitations"], []],
                                                   [Str("Limitations")]]})
    level = blocks[start]["c"][0]
    end = next((i for i in range(start + 1, len(blocks))
                if blocks[i]["t"] == "Header" and blocks[i]["c"][0] <= level
                or blocks[i]["t"] == "RawBlock" and blocks[i]["c"][1] == "#cb-references["),
               len(blocks))
    blocks[end:end] = tr.flagged_list()


def _embed_images(ast: bytes, images: dict[str, Image]) -> bytes:
    """The HTML/DOCX variant: local images as data: URIs (self-contained, and pandoc reads no file)."""
    text = ast.decode()
    for name, image in images.items():   # build names are "img-<hex>.<ext>": they occur nowhere else
        text = text.replace(json.dumps(name), json.dumps(image.data_uri()))
    return text.encode()
