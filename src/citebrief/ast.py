"""Small helpers for pandoc's JSON AST, shared by the lint parser and the compiler."""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator
from typing import Any

_gc_lock = threading.Lock()
_gc_users = 0                 # threads inside no_gc() right now
_gc_was_enabled = True        # the collector's state before the first of them entered


@contextlib.contextmanager
def no_gc() -> Iterator[None]:
    """Building or walking a big JSON AST makes millions of small objects and no cycles: the cyclic
    GC only slows that down. The collector is process-wide while lint and compile walk several ASTs
    in threads at once, so entries are counted: it is switched off by the first thread in and back
    on (if it was on) only when the last one leaves, never under another thread's feet."""
    global _gc_users, _gc_was_enabled
    with _gc_lock:
        if _gc_users == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_users += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_users -= 1
            if _gc_users == 0 and _gc_was_enabled:
                gc.enable()


def stringify(node, *, citations: bool = False) -> str:
    """Plain text of any AST node or list of nodes (inlines, blocks or metadata); notes and raw
    markup left out, and citations too unless ``citations`` (then as written: "@key")."""
    parts: list[str] = []
    _stringify(node, parts, citations)
    return "".join(parts).strip()


def _stringify(node: Any, parts: list[str], citations: bool = False) -> None:
    if isinstance(node, list):
        for n in node:
            _stringify(n, parts, citations)
        return
    if not isinstance(node, dict):
        return
    t = node.get("t")
    c: Any = node.get("c")        # pandoc's JSON: the shape of "c" depends on "t"
    if t in ("Str", "MetaString"):
        parts.append(c)
    elif t in ("Space", "SoftBreak", "LineBreak"):
        parts.append(" ")
    elif t in ("Code", "Math"):
        parts.append(c[1])
    elif t == "Cite" and citations:
        _stringify(c[1], parts, citations)
    elif t in ("Note", "Cite", "RawInline", "RawBlock"):
        return
    elif t == "Quoted":
        q = "\u201c\u201d" if c[0]["t"] == "DoubleQuote" else "\u2018\u2019"
        parts.append(q[0])
        _stringify(c[1], parts, citations)
        parts.append(q[1])
    elif t in ("Para", "Plain") and parts:
        parts.append(" ")
        _stringify(c, parts, citations)
    elif t in ("MetaBool",):
        parts.append(str(c).lower())
    elif t in ("Span", "Link", "Image", "Div"):
        _stringify(c[1], parts, citations)
    elif t == "MetaMap":
        _stringify(c.get("name") or c.get("literal") or [], parts, citations)
    elif c is not None and not isinstance(c, str):
        _stringify(c, parts, citations)
