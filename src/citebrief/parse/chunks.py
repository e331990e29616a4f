"""Split a very large brief so pandoc can read it on every core at once.

pandoc is single-threaded, and its parse is most of what ``citebrief lint`` costs on a
long brief. A brief can be cut at a heading that starts a top-level block, where no
construct is open and nothing in one piece refers to a definition in another; the
pieces' ASTs then concatenate to the AST of the whole. When any of that cannot be shown
cheaply (link reference definitions, raw HTML blocks, example lists, a footnote defined in
another piece), the brief is read in one piece: correctness first, speed second.
"""

from __future__ import annotations

import re

MIN_SPLIT_SIZE = 200_000          # characters; below this one pandoc run is fast enough

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,}|:{3,})")
_HEADING = re.compile(r"^#{1,6}[ \t]")
_UNSAFE = re.compile(r"^ {0,3}(?:\[(?!\^)[^\]\n]+\]:|<(?!!--)[A-Za-z]|\(@)", re.M)
_NOTE_REF = re.compile(r"\[\^([^\]\s]+)\](?!:)")
_NOTE_DEF = re.compile(r"^ {0,3}\[\^([^\]\s]+)\]:", re.M)


def split_points(source: str, body_start: int, pieces: int) -> list[int]:
    """Offsets at which ``source`` may be cut into about ``pieces`` parts (empty: don't cut)."""
    if pieces < 2 or len(source) < MIN_SPLIT_SIZE or _UNSAFE.search(source, body_start):
        return []
    candidates = _heading_starts(source, body_start)
    if not candidates:
        return []
    cuts: list[int] = []
    for k in range(1, pieces):
        # the first pieces a little shorter: they finish first and are checked while the last is read
        target = body_start + int((len(source) - body_start) * (k / pieces - 0.06))
        best = min(candidates, key=lambda c: abs(c - target))
        if best not in cuts and (not cuts or best > cuts[-1]):
            cuts.append(best)
    bounds = [body_start, *cuts, len(source)]
    for a, b in zip(bounds, bounds[1:]):
        part = source[a:b]
        if not set(_NOTE_REF.findall(part)) <= set(_NOTE_DEF.findall(part)):
            return []              # a footnote is defined in another piece
    return cuts


def _heading_starts(source: str, start: int) -> list[int]:
    """Offsets of ATX headings after a blank line, outside code, divs and HTML comments."""
    found: list[int] = []
    code_fence: str | None = None
    divs = 0
    in_comment = False
    previous_blank = True
    pos = start
    for line in source[start:].splitlines(keepends=True):
        m = _FENCE.match(line)
        if in_comment:
            in_comment = "-->" not in line
        elif code_fence is not None:
            if m and m.group(1)[0] == code_fence[0] and len(m.group(1)) >= len(code_fence) \
                    and not line.strip().strip(code_fence[0]):
                code_fence = None
        elif m and m.group(1)[0] == ":":
            divs += 1 if line.strip().strip(":") else -1     # "::: note" opens, ":::" closes
            divs = max(divs, 0)
        elif m:
            code_fence = m.group(1)
        elif "<!--" in line and "-->" not in line[line.index("<!--"):]:
            in_comment = True
        elif previous_blank and divs == 0 and _HEADING.match(line):
            found.append(pos)
        previous_blank = not line.strip()
        pos += len(line)
    return found
