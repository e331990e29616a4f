"""Reading a brief's bytes safely, and turning character offsets into line:column."""

from __future__ import annotations

import bisect
import re
from pathlib import Path

from citebrief.errors import CitebriefError

BOM = "\ufeff"


def read_text(path: Path, display: str | None = None) -> str:
    """Decode a UTF-8 text file; binary junk or bad bytes become a one-line error with the line."""
    display = display or str(path)
    try:
        data = path.read_bytes()
    except IsADirectoryError as exc:
        raise CitebriefError("is a directory, not a file", display) from exc
    except FileNotFoundError as exc:
        raise CitebriefError("no such file", display) from exc
    except OSError as exc:
        raise CitebriefError(f"cannot read: {exc.strerror or exc}", display) from exc
    if b"\x00" in data[:8192] or b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        raise CitebriefError("binary file (NUL byte), not UTF-8 text", display, line)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise CitebriefError(f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8",
                             display, line) from exc
    return text[1:] if text.startswith(BOM) else text


class LineIndex:
    """Maps character offsets to 1-based (line, column); CRLF counts as one line break."""

    def __init__(self, text: str):
        self._starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self._starts, offset) - 1
        return line + 1, offset - self._starts[line] + 1


FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n.*?^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S | re.M)


def front_matter_end(text: str) -> int:
    """Offset just past a leading YAML block (0 when there is none)."""
    m = FRONT_MATTER.match(text)
    return m.end() if m else 0


def front_matter_field(head: str, key: str) -> str | None:
    """A cheap early look at one simple ``key: value`` line of the front matter (before pandoc
    has read it). Only a hint: pandoc's metadata decides (see parse_brief)."""
    head = head.lstrip(BOM)
    m = re.compile(rf"^{re.escape(key)}:[ \t]*[\"']?([^\"'\n#]+?)[\"']?[ \t]*\r?$", re.M).search(
        head, 0, front_matter_end(head))
    return m.group(1).strip() if m else None


def peek_front_matter(path: Path) -> str:
    """The first 16 KB of a brief: enough for its front matter (empty if unreadable)."""
    try:
        with path.open(encoding="utf-8", errors="replace") as f:
            return f.read(16384)
    except OSError:
        return ""


def declared_bibliography(path: Path) -> Path | None:
    """The front matter's ``bibliography:`` (relative to the brief), read early so the .bib can be
    loaded while pandoc parses the brief."""
    value = front_matter_field(peek_front_matter(path), "bibliography")
    return (path.parent / value).resolve() if value else None
