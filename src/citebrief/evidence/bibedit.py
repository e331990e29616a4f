"""Set a few fields of a few entries in a .bib, leaving every other byte of the file as it was.

``citebrief snapshot`` records where it saved a source (``file``) and when (``urldate``). A
``.bib`` is the writer's file, often shaped by hand or by a reference manager, so it is not
re-serialised: a field that exists has its one-line value replaced in place; a field that does
not is inserted as a new line right after the entry's ``@type{key,`` line, indented like the
entry's next line. The edited text is read back before it is written: if the entries do not
come out exactly as intended, nothing is written and the one-line error says which entry to
edit by hand.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from citebrief.bibliography import load_bibliography
from citebrief.errors import CitebriefError

_SAFE_VALUE = re.compile(r"[^{}\\\n\r]*")


def set_fields(bib_path: Path, shown: str, changes: dict[str, dict[str, str]]) -> None:
    """``changes``: key → {field: value}. Values must be one line without braces or backslashes."""
    if not changes:
        return
    data = Path(bib_path).read_bytes()
    bom = data.startswith(b"\xef\xbb\xbf")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CitebriefError("not UTF-8: citebrief only edits UTF-8 bibliographies; "
                             "add file and urldate by hand", shown) from None
    bib = load_bibliography(bib_path, shown)
    lines = text.splitlines(keepends=True)
    inserts: dict[int, list[str]] = {}
    for key, fields in changes.items():
        entry = bib.entries.get(key)
        if entry is None:
            raise CitebriefError(f"entry {key} not found", shown)
        for name, value in fields.items():
            if not _SAFE_VALUE.fullmatch(value):
                raise CitebriefError(f"cannot write {name} = {value!r} for {key}", shown)
            line = entry.field_lines.get(name)
            if line is not None and line != entry.line or (line == entry.line and _has_field(lines[line - 1], name)):
                lines[line - 1] = _replace(lines[line - 1], name, value, key, shown, line)
            else:
                header = lines[entry.line - 1]
                if not re.match(rf"\s*@\w+\s*[{{(]\s*{re.escape(key)}\s*,\s*$", header):
                    raise CitebriefError(f"entry {key} does not start on a line of its own (@type{{{key},): "
                                         f"add {name} = {{{value}}} by hand", shown, entry.line)
                newline = "\r\n" if header.endswith("\r\n") else "\n"
                nxt = lines[entry.line] if entry.line < len(lines) else ""
                indent = nxt[: len(nxt) - len(nxt.lstrip(" \t"))] if "=" in nxt else "  "
                inserts.setdefault(entry.line, []).append(f"{indent or '  '}{name} = {{{value}}},{newline}")
    for after in sorted(inserts, reverse=True):
        lines[after:after] = inserts[after]
    new_text = "".join(lines)
    _verify(new_text, changes, bib, shown)
    from citebrief.compile.output import write_atomic
    write_atomic(Path(bib_path), (b"\xef\xbb\xbf" if bom else b"") + new_text.encode("utf-8"))


def _has_field(line: str, name: str) -> bool:
    return re.search(rf"(?i)(?:^|[\s,{{]){re.escape(name)}\s*=", line) is not None


def _replace(line: str, name: str, value: str, key: str, shown: str, number: int) -> str:
    pattern = re.compile(rf"(?i)((?:^|(?<=[\s,{{])){re.escape(name)}\s*=\s*)(\{{[^{{}}\n]*\}}|\"[^\"\n]*\"|[\w.:/-]+)")
    m = pattern.search(line)
    if not m:
        raise CitebriefError(f"the {name} field of {key} spans lines: set it to {{{value}}} by hand", shown, number)
    return line[: m.start(2)] + "{" + value + "}" + line[m.end(2):]


def _verify(new_text: str, changes: dict[str, dict[str, str]], before, shown: str) -> None:
    """Read the edited text back: the same entries and errors, and exactly the intended values."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "check.bib"
        path.write_text(new_text, encoding="utf-8", newline="")
        after = load_bibliography(path, shown)
    same = list(after.entries) == list(before.entries) and len(after.errors) == len(before.errors)
    for key, fields in changes.items():
        entry = after.entries.get(key)
        for name, value in fields.items():
            if entry is None or entry.get(name) != value:
                same = False
    for key, entry in before.entries.items():
        other = after.entries.get(key)
        if other is None or {k: v for k, v in other.fields.items() if k not in changes.get(key, {})} != \
                {k: v for k, v in entry.fields.items() if k not in changes.get(key, {})}:
            same = False
    if not same:
        keys = ", ".join(changes)
        raise CitebriefError(f"could not set file/urldate of {keys} without disturbing other entries: "
                             f"set them by hand", shown)
