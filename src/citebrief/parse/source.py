"""Reading a brief's text safely, its limits, and turning character offsets into line:column.

Lint and compile both read a brief here, so the same limits hold for both: a size cap
(``max_input_mb``) and a nesting check that runs before pandoc does. pandoc's Markdown reader takes
exponential time on nested brackets (``[[[[[[[[[[x]]]]]]]]]]``, twenty bytes, runs for seconds;
twenty levels, for hours) and quadratic time on deeply nested quotes and lists, so such a brief is
refused with one line naming the place, not handed to pandoc.
"""

from __future__ import annotations

import bisect
import re
from pathlib import Path

from citebrief.errors import CitebriefError

BOM = "\ufeff"
# pandoc's citation syntax in raw text, for what pandoc has not parsed (other briefs of the manuscript,
# an editor's line, where a long brief may be cut). A key, as pandoc's citeKey reads one: a letter, digit
# or "_", then those, punctuation (:.#$%&-+?<>~/) followed by one of those, or ":" or "/" followed by "/"
# ("@key.-x" cites "key"; "@doi:10.1/x.y." cites "doi:10.1/x.y"). Or anything but spaces and braces
# inside @{...}. The lookbehind keeps e-mail addresses (me@example.org) out.
KEY_CHARS = r"[\w:.#$%&\-+?<>~/]"          # any of them: a key still being typed (the language server)
KEY_REST = r"(?:\w|[:.#$%&\-+?<>~/](?=\w)|[:/](?=/))*"
KEY = re.compile(rf"\w{KEY_REST}")
CITATION = re.compile(rf"(?<![\w@])@(?:\{{(?P<braced>[^}}\s]+)\}}|(?P<key>\w{KEY_REST}))")
MAX_BRACKETS = 6       # [ nested deeper than this: measured 0.19 s at 6 levels, 2.6 s at 9, each level ×2.5
MAX_NESTING = 100      # block quotes, lists and divs inside each other


def read_text(path: Path, display: str | None = None, max_bytes: int | None = None) -> str:
    """Decode a UTF-8 text file; binary junk or bad bytes become a one-line error with the line."""
    display = display or str(path)
    try:
        if max_bytes is not None and path.stat().st_size > max_bytes:
            raise _over_limit(max_bytes, display)
        data = path.read_bytes()
    except IsADirectoryError as exc:
        raise CitebriefError("is a directory, not a file", display) from exc
    except FileNotFoundError as exc:
        raise CitebriefError("no such file", display) from exc
    except OSError as exc:
        raise CitebriefError(f"cannot read: {exc.strerror or exc}", display) from exc
    if b"\x00" in data:
        raise _binary(display, data.count(b"\n", 0, data.index(b"\x00")) + 1)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise CitebriefError(f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8",
                             display, line) from exc
    return text[1:] if text.startswith(BOM) else text


def check_text(text: str, display: str, max_bytes: int | None = None) -> str:
    """An editor's unsaved text held to the limits a file is held to (size, no NUL), BOM removed."""
    if max_bytes is not None and len(text) > max_bytes // 4 and len(text.encode("utf-8")) > max_bytes:
        raise _over_limit(max_bytes, display)
    nul = text.find("\x00")
    if nul >= 0:
        raise _binary(display, text.count("\n", 0, nul) + 1)
    return text[1:] if text.startswith(BOM) else text


def _over_limit(max_bytes: int, display: str) -> CitebriefError:
    return CitebriefError(f"larger than the input limit of {max_bytes / 1e6:g} MB "
                          f"(raise max_input_mb in [tool.citebrief] if this brief is genuine)", display)


def _binary(display: str, line: int) -> CitebriefError:
    return CitebriefError("binary file (NUL byte), not UTF-8 text", display, line)


class LineIndex:
    """Maps character offsets to 1-based (line, column); CRLF counts as one line break."""

    def __init__(self, text: str):
        self._starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self._starts, offset) - 1
        return line + 1, offset - self._starts[line] + 1


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_CONTAINER = re.compile(r"[ \t]*(?:>|[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t]))")
_DIV_OPEN = re.compile(r"^ {0,3}:{3,}[ \t]*\S")
_DIV_CLOSE = re.compile(r"^ {0,3}:{3,}[ \t]*$")
_CODE_SPAN = re.compile(r"(`+)(?:.*?[^`])?\1(?!`)", re.S)
_BRACKET = re.compile(r"[\[\]]")


def check_nesting(text: str, shown: str, start: int = 0) -> None:
    """Refuse, with one line naming the place, nesting that would make pandoc hang (module docstring)."""
    lines = text[start:].split("\n")
    first_line = text.count("\n", 0, start) + 1
    fence: str | None = None
    divs = brackets = 0
    indents: list[int] = []
    for i, line in enumerate(lines):
        if fence is None and line[:1].isalpha() and "[" not in line:
            indents.clear()                         # most lines: prose at the margin closes every list
            continue
        if fence is not None:                       # inside a fenced code block: only its end matters
            if line.lstrip().startswith(fence):
                fence = None
            continue
        m = _FENCE.match(line)
        if m:
            fence = m.group(1)[0] * 3
            continue
        if not line.strip():
            brackets = 0                            # a blank line ends the paragraph (and its brackets)
            continue
        depth = _container_depth(line, indents)
        divs += 1 if _DIV_OPEN.match(line) else -1 if _DIV_CLOSE.match(line) and divs else 0
        if depth + divs > MAX_NESTING:
            raise CitebriefError(f"quotes, lists or divs nested more than {MAX_NESTING} levels deep", shown,
                                 first_line + i)
        brackets = _bracket_depth(line, brackets, shown, first_line + i)


def _container_depth(line: str, indents: list[int]) -> int:
    """Block quotes and list markers at the start of ``line``, plus the list levels its indent keeps open."""
    markers, pos = 0, 0
    while markers <= MAX_NESTING:
        m = _CONTAINER.match(line, pos)
        if not m:
            break
        markers += 1
        pos = m.end()
    indent = len(line) - len(line.lstrip(" \t"))
    while indents and indents[-1] >= indent:
        indents.pop()
    if markers and line[indent:indent + 1] in "-*+0123456789":
        indents.append(indent)
    return markers + len(indents)


def _bracket_depth(line: str, depth: int, shown: str, line_number: int) -> int:
    if "[" not in line:
        return depth
    plain = _CODE_SPAN.sub(lambda m: " " * len(m.group()), line.replace("\\[", "  ").replace("\\]", "  "))
    for ch in _BRACKET.findall(plain):
        if ch == "[":
            depth += 1
            if depth > MAX_BRACKETS:
                raise CitebriefError(f"square brackets nested more than {MAX_BRACKETS} deep: pandoc's Markdown "
                                     "reader would take minutes to hours on this; simplify the brackets",
                                     shown, line_number)
        elif ch == "]" and depth:
            depth -= 1
    return depth
