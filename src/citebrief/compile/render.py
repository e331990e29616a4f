"""Stage 1 of a compile: the one ``pandoc --citeproc`` pass to a JSON AST, then the changes every
output format shares, made in Python on that JSON:

* the title block's "Checked on <Month D, YYYY>" line and the disclaimer, at the top of the body;
* each flagged ``[...]{.limitation}`` span (or ``::: limitation`` div) gets an id, a visible
  marker (L1, L2...), the Word style "Limitation" and a typst highlight;
* the limitations section gets a list "Flagged in the text" linking back to each flagged span;
* the bibliography gets a "References" heading unless the brief names its own;
* raw HTML is cleaned, unsafe links unwrapped, and local images resolved (a missing one is an error).

Markup meant for one writer is carried as raw inlines/blocks of that format (``typst``): the other
writers drop it, so one AST serves all three formats.
"""

from __future__ import annotations

import base64
import json
import mimetypes
import os
import re
import subprocess
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from urllib.parse import unquote

from citebrief.ast import no_gc, stringify
from citebrief.compile.cache import file_hash
from citebrief.compile.sanitize import clean_attr, clean_html, safe_link, url_scheme
from citebrief.errors import CitebriefError
from citebrief.pandoc import pandoc_env, pandoc_path, rts_refused
from citebrief.parse.source import front_matter_field

HTML_FORMATS = {"html", "html5", "html4"}
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)
FALLBACK_EPOCH = 315532800          # 1980-01-01: the earliest date a ZIP (DOCX) can hold
# --- the citeproc pass ------------------------------------------------------

class CiteprocRun:
    """``pandoc --citeproc -t json`` started in the background (so the lint gate can run meanwhile)."""

    def __init__(self, brief: Path, bibliographies: list[Path], csl: Path | None, shown: str):
        self.shown = shown
        args = [pandoc_path(), str(brief), "-f", "markdown", "--citeproc", "-M", "link-citations=true",
                "-t", "json"]
        for bib in bibliographies:
            args += ["--bibliography", str(bib)]
        if csl is not None:
            args += ["--csl", str(csl)]
        self.args = args
        self._start()

    def _start(self) -> None:
        try:
            self.proc = subprocess.Popen(self.args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                         stderr=subprocess.PIPE, env=pandoc_env())
        except OSError as exc:
            raise CitebriefError(f"cannot run pandoc: {exc}", self.shown, exit_code=1) from exc

    def result(self) -> bytes:
        out, err = self.proc.communicate()
        if rts_refused(self.proc.returncode, err):
            self._start()
            out, err = self.proc.communicate()
        if self.proc.returncode != 0:
            raise CitebriefError(f"pandoc --citeproc failed: {_pandoc_message(err)}", self.shown, exit_code=1)
        return out

    def cancel(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.communicate()


def _pandoc_message(stderr: bytes) -> str:
    lines = [ln.strip() for ln in stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
    errors = [ln for ln in lines if not ln.startswith("[WARNING]")]
    return " ".join((errors or lines or ["no message"])[:2])


# --- the brief's metadata ---------------------------------------------------

@dataclass
class Meta:
    title: str = ""
    subtitle: str = ""
    authors: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    checked: date | None = None
    lang: str = "en"

    @property
    def checked_text(self) -> str:
        return f"Checked on {format_date(self.checked)}" if self.checked else ""


def format_date(d: date) -> str:
    return f"{d:%B} {d.day}, {d.year}"


def epoch_of(d: date) -> int:
    return int(datetime(d.year, d.month, d.day, tzinfo=timezone.utc).timestamp())


def checked_in_front_matter(source: bytes) -> date | None:
    """The ``checked:`` date, known before pandoc runs (it sets the outputs' timestamps)."""
    value = front_matter_field(source[:16384].decode("utf-8", "replace"), "checked")
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def read_meta(meta: dict) -> Meta:
    m = Meta()
    m.title = stringify(meta.get("title", []))
    m.subtitle = stringify(meta.get("subtitle", []))
    m.lang = stringify(meta.get("lang", [])) or "en"
    for key, target in (("author", m.authors), ("keywords", m.keywords)):
        value = meta.get(key)
        items = value["c"] if isinstance(value, dict) and value.get("t") == "MetaList" else [value] if value else []
        target.extend(s for s in (stringify(i) for i in items) if s)
    try:
        m.checked = date.fromisoformat(stringify(meta.get("checked", []))[:10])
    except ValueError:
        m.checked = None
    return m


# --- the shared AST changes -------------------------------------------------

def Str(s):                       # noqa: N802 - pandoc constructor names
    return {"t": "Str", "c": s}


def words(text: str) -> list:
    out: list = []
    for i, w in enumerate(text.split(" ")):
        if i:
            out.append({"t": "Space"})
        if w:
            out.append(Str(w))
    return out


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
    ast: bytes                     # the JSON AST all writers read
    html_ast: bytes                # the same with images embedded as data: URIs (self-contained HTML)
    meta: Meta
    deps: dict[str, str]           # images read (path -> sha256), for the cache
    flags: list[Flag]
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
    def __init__(self, brief_dir: Path, shown: str, limitation_headings: tuple[str, ...]):
        self.brief_dir = brief_dir
        self.shown = shown
        self.headings = tuple(h.lower() for h in limitation_headings)
        self.flags: list[Flag] = []
        self.images: dict[str, Path] = {}      # absolute path -> path (local images)
        self.used_ids: set[str] = set()

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
        c = b.get("c")
        if t in ("Para", "Plain"):
            b["c"] = self.inlines(c)
        elif t == "Header":
            c[1] = clean_attr(c[1])
            c[2] = self.inlines(c[2])
        elif t == "Div":
            c[0] = clean_attr(c[0])
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
        elif t == "CodeBlock":
            c[0] = clean_attr(c[0])
        elif t == "Figure":
            c[0] = clean_attr(c[0])
            c[1][1] = self.blocks(c[1][1])
            c[2] = self.blocks(c[2])
        elif t == "Table":
            c[0] = clean_attr(c[0])
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
        return out

    def inline(self, n: dict):
        t = n["t"]
        c = n.get("c")
        if t in WRAPPING_INLINES:
            n["c"] = self.inlines(c)
        elif t in ("Quoted", "Cite"):
            c[1] = self.inlines(c[1])
        elif t == "Span":
            c[0] = clean_attr(c[0])
            c[1] = self.inlines(c[1])
            if "limitation" in c[0][1]:
                return self.flag_span(n)
        elif t == "Link":
            c[0] = clean_attr(c[0])
            c[1] = self.inlines(c[1])
            if not safe_link(c[2][0]):
                return {"t": "Span", "c": [c[0], c[1]]}
        elif t == "Image":
            return self.image(n)
        elif t == "Note":
            n["c"] = self.blocks(c)
        elif t == "RawInline":
            return self.raw(n, block=False)
        elif t == "Code":
            c[0] = clean_attr(c[0])
        return n

    def raw(self, node: dict, block: bool):
        fmt, text = node["c"]
        fmt = fmt.lower()
        if fmt in HTML_FORMATS:
            cleaned = clean_html(text)
            return raw("html", cleaned, block) if cleaned else None
        if fmt in ("typst", "openxml"):       # only citebrief's own typst reaches typst
            return None
        return node

    def image(self, n: dict):
        attr, alt, (url, title) = n["c"]
        n["c"][0] = clean_attr(attr)
        scheme = url_scheme(url)
        if scheme in ("http", "https"):       # readers' copies make no network requests: link it instead
            return {"t": "Link", "c": [["", ["remote-image"], []], alt or words("image"), [url, title]]}
        if scheme is not None:
            return {"t": "Span", "c": [["", [], []], alt]}
        path = (self.brief_dir / unquote(url)).resolve()
        if not path.is_file():
            raise CitebriefError(f"image not found: {url}", self.shown, exit_code=1)
        self.images[str(path)] = path
        n["c"][2] = [str(path), title]
        return n

    # flagged limitations --------------------------------------------------
    def new_flag(self, attr: list, content) -> Flag:
        number = len(self.flags) + 1
        ident = attr[0] or f"limitation-{number}"
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

    def flagged_list(self) -> dict:
        items = []
        for f in self.flags:
            back = {"t": "Link", "c": [["", [], []], words(f.text), [f"#{f.ident}", "Back to the text"]]}
            items.append([{"t": "Plain", "c": [
                {"t": "Span", "c": [[f"flagged-{f.number}", ["flagged-ref"], []],
                                    [{"t": "Strong", "c": [Str(f"L{f.number}")]}]]},
                Str("\u2002"), back]}])
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


def _shorten(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "\u2026"


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


def prepare(ast_bytes: bytes, brief: Path, shown: str, limitation_headings: tuple[str, ...]) -> Prepared:
    """Apply the shared changes to the citeproc AST (see the module docstring)."""
    with no_gc():
        return _prepare(ast_bytes, brief, shown, limitation_headings)


def _prepare(ast_bytes: bytes, brief: Path, shown: str, limitation_headings: tuple[str, ...]) -> Prepared:
    try:
        doc = json.loads(ast_bytes)
    except ValueError as exc:
        raise CitebriefError(f"pandoc gave unreadable JSON: {exc}", shown, exit_code=1) from exc
    meta_json = doc.get("meta", {})
    for used_by_citeproc in ("bibliography", "csl"):   # absolute paths: DOCX would publish them as properties
        meta_json.pop(used_by_citeproc, None)
    meta = read_meta(meta_json)
    tr = _Transformer(brief.parent, shown, limitation_headings)
    blocks = tr.blocks(doc["blocks"])

    # the front block: "Checked on ..." and the disclaimer
    front = []
    if meta.checked:
        front += typst_wrap("cb-checked", [div("", ["checked"], [{"t": "Para", "c": words(meta.checked_text)}],
                                               [("custom-style", "Checked")])])
    disclaimer = tr.blocks(_meta_blocks(meta_json.get("disclaimer")))
    if disclaimer:
        front += typst_wrap("cb-disclaimer", [div("", ["disclaimer"], disclaimer, [("custom-style", "Disclaimer")])])
    if front:
        blocks = typst_wrap("cb-front", [div("front-matter", ["front-matter"], front)]) + blocks

    # the bibliography: a heading, and hanging indents in typst
    refs_at = next((i for i, b in enumerate(blocks) if b["t"] == "Div" and b["c"][0][0] == "refs"), None)
    if refs_at is not None:
        refs = typst_wrap("cb-references", [blocks[refs_at]])
        has_heading = refs_at > 0 and blocks[refs_at - 1]["t"] == "Header"   # the brief's own, or citeproc's
        if not has_heading:
            refs.insert(0, {"t": "Header", "c": [1, ["references", ["unnumbered", "references"], []],
                                                 [Str("References")]]})
        blocks[refs_at:refs_at + 1] = refs

    # the limitations section: the list of flagged spans, linking back
    if tr.flags:
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

    # serialised block by block (the pieces pdf.py hands to parallel writers), then joined
    del doc["blocks"]
    head = _ENCODER.encode(doc)[:-1] + ("," if doc else "") + '"blocks":['
    encode = _ENCODER.encode
    blocks_json = [encode(b) for b in blocks]
    block_types = [b["t"] for b in blocks]
    ast = (head + ",".join(blocks_json) + "]}").encode()
    deps = {p: file_hash(path) for p, path in sorted(tr.images.items())}
    html_ast = ast
    if tr.images:
        html_ast = _embed_images(ast, tr.images)
    return Prepared(ast, html_ast, meta, deps, tr.flags, head, blocks_json, block_types)


def _embed_images(ast: bytes, images: dict[str, Path]) -> bytes:
    """The HTML variant: local images as data: URIs (so the file is self-contained)."""
    text = ast.decode()
    for p, path in images.items():
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        uri = f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode()}"
        text = text.replace(json.dumps(p, ensure_ascii=False), json.dumps(uri))
    return text.encode()
