"""What every bibliography form becomes: entries with BibTeX-style field names, and the files they came from.

BibTeX/biblatex (``bibtex.py``), CSL JSON and CSL YAML files and inline ``references:`` (``csl.py``)
are all read into :class:`Entry` objects with the same field names (``title``, ``author``, ``date``,
``url``, ``urldate``, ``doi``...), so the rules check every form the same way.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

MONTHS = {name: i for i, names in enumerate((
    ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
    ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
    ("oct", "october"), ("nov", "november"), ("dec", "december")), start=1) for name in names}
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December")
UNDATED = frozenset({"n.d.", "n.d", "nd", "n. d.", "undated", "no date"})   # the style guides' "no date"


@dataclass
class Entry:
    key: str
    entry_type: str                 # lowercase, e.g. "article", "online", "report" (CSL: "webpage", ...)
    fields: dict[str, str]          # lowercase names; macros expanded; crossref fields inherited
    line: int                       # 1-based line where the entry starts in its file
    field_lines: dict[str, int] = field(default_factory=dict)   # inherited fields: the entry's line
    path: Path | None = None        # the bibliography file the entry was read from (or the brief: inline)
    display_path: str = ""          # that file as findings name it
    # what one run derives from the entry and shares between rules (its snapshot: evidence/snapshots.py);
    # the engine reads each bibliography once per run, so this lives exactly as long as the run
    memo: dict[str, object] = field(default_factory=dict, compare=False, repr=False)
    syntax: str = "bibtex"          # "csl" for CSL JSON/YAML and inline references (values are not LaTeX)
    # the same, shared by every entry of the file (its BibFile.memo): what depends on the file alone
    file_memo: dict[str, object] = field(default_factory=dict, compare=False, repr=False)

    def get(self, name: str) -> str | None:
        """The field's value without enclosing braces, or None when absent or blank."""
        value = self.fields.get(name)
        if value is None:
            return None
        value = value.strip()
        while value[:1] == "{" and closing_brace(value, 0) == len(value) - 1:   # {{Protected}} → Protected
            value = value[1:-1].strip()
        return value or None

    def has(self, *names: str) -> bool:
        return any(self.get(n) is not None for n in names)

    def date_field(self) -> str | None:
        """The field the entry's date comes from: biblatex ``date`` first, else BibTeX ``year``."""
        for name in ("date", "year"):
            if self.get(name) is not None:
                return name
        return None

    @property
    def undated(self) -> bool:
        """The entry says outright that the source has no date (``date = {n.d.}``)."""
        value = self.get("date") or self.get("year")
        return value is not None and value.strip().lower() in UNDATED

    def date(self) -> date | None:
        """The earliest day the entry's date can mean (``2025`` → 2025-01-01), or None."""
        return parse_date(self.get("date"), self.get("year"), self.get("month"))

    def written_date(self) -> str | None:
        """The date as the entry gives it, for people: ``2025-10``, ``2025``, ``December 2025``."""
        name = self.date_field()
        if name is None:
            return None
        written = self.get(name)
        if name == "year" and self.has("month"):
            month = self.get("month") or ""
            number = MONTHS.get(month.strip().rstrip(".").lower())
            written = f"{MONTH_NAMES[number - 1] if number else month} {written}"
        return written

    def plain(self, name: str) -> str | None:
        """A field as readers see it: BibTeX's LaTeX decoded (``{\\"U}ber`` → Über, ``\\&`` → &, ``--`` → –,
        protecting braces gone) by pylatexenc; CSL values are text already. None when absent."""
        value = self.get(name)
        if value is None:
            return None
        return latex_to_text(value) if self.syntax == "bibtex" else " ".join(value.split()) or None

    def parents(self) -> list[str]:
        """Keys this entry inherits from (``crossref``, ``xdata``), as written."""
        keys = []
        crossref, xdata = self.get("crossref"), self.get("xdata")
        if crossref:
            keys.append(crossref)
        if xdata:
            keys += [k.strip() for k in xdata.split(",") if k.strip()]
        return keys


@dataclass
class BibFile:
    """One bibliography as read: a .bib, .json or .yaml file, or a brief's inline ``references:``."""

    path: Path
    display_path: str               # how findings name the file
    entries: dict[str, Entry] = field(default_factory=dict)    # the last entry per key (pandoc's choice)
    duplicates: list[tuple[Entry, Entry]] = field(default_factory=list)   # (later, earlier) for a repeated key
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, one-line message): bib-syntax
    warnings: list[tuple[int, str]] = field(default_factory=list)  # (line, message): bib-encoding
    encoding: str = "utf-8"         # "latin-1" when the file is not UTF-8 (read as pandoc's BibTeX reader does)
    unsafe: list[str] = field(default_factory=list)   # problems pandoc must never see (crossref loops)
    inline: bool = False            # the brief's own ``references:``
    memo: dict[str, object] = field(default_factory=dict, compare=False, repr=False)   # its entries' file_memo


@dataclass
class Bibliography:
    """The bibliographies one brief uses, merged as pandoc 3.9 merges them: a key's last definition wins
    (a later file over an earlier one, the brief's inline ``references:`` over every file)."""

    files: list[BibFile]
    entries: dict[str, Entry] = field(default_factory=dict)

    def __post_init__(self):
        for f in self.files:
            self.entries.update(f.entries)

    @property
    def display_path(self) -> str:
        return ", ".join(f.display_path for f in self.files)

    def with_parents(self, keys) -> set[str]:
        """``keys`` and every entry they inherit from (crossref/xdata), transitively."""
        found = {k for k in keys if k in self.entries}
        pending = list(found)
        while pending:
            for parent in self.entries[pending.pop()].parents():
                if parent in self.entries and parent not in found:
                    found.add(parent)
                    pending.append(parent)
        return found


@functools.lru_cache(maxsize=1)
def _latex_reader():
    from pylatexenc.latex2text import LatexNodes2Text  # only bundle and the evidence page need it
    return LatexNodes2Text(math_mode="with-delimiters")


def latex_to_text(value: str) -> str | None:
    """BibTeX's LaTeX as plain text, through pylatexenc. A bare ``%`` stays text: as a LaTeX comment it
    would silently cut the rest of a title."""
    text = _latex_reader().latex_to_text(re.sub(r"(?<!\\)%", r"\\%", value))
    return re.sub(r"[ \t\r\n]+", " ", text).strip() or None      # a no-break space (~) stays one


def nocite_keys(value: object) -> set[str]:
    """Keys listed in front-matter ``nocite`` ("@*" gives "*": every entry counts as used)."""
    text = " ".join(map(str, value)) if isinstance(value, list) else str(value or "")
    return set(re.findall(r"@\{?([^\s,;\]}]+)", text))


def parse_date(date_value: str | None, year: str | None = None, month: str | None = None) -> date | None:
    """``date = {2025-06-01}``/``{2025-06}``/``{2025}`` (range: its start), else ``year`` + ``month``."""
    if date_value is not None:
        m = _DATE.match(date_value)
        if m:
            return _safe_date(int(m.group(1)), m.group(2), m.group(3))
        return None
    if year is None:
        return None
    m = _YEAR.search(year)
    if not m:
        return None
    month_number = None
    if month is not None:
        word = month.strip().rstrip(".").lower()
        month_number = str(MONTHS[word]) if word in MONTHS else word if word.isdigit() else None
    return _safe_date(int(m.group(1)), month_number, None)


_DATE = re.compile(r"\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")


def _safe_date(year: int, month: str | None, day: str | None) -> date | None:
    m = int(month) if month and 1 <= int(month) <= 12 else 1   # EDTF seasons (21-24) → the year
    d = int(day) if day and month and 1 <= int(month) <= 12 else 1
    try:
        return date(year, m, d)
    except ValueError:
        try:
            return date(year, m, 1)
        except ValueError:
            return None


_BRACE = re.compile(r"(?<!\\)[{}]")
_QUOTE_OR_BRACE = re.compile(r'(?<!\\)[{}"]')


def closing_brace(raw: str, start: int) -> int:
    """Index of the delimiter closing the ``{`` or ``"`` at ``start`` (end of text if unclosed)."""
    quoted = raw[start] == '"'
    depth = 0
    for m in (_QUOTE_OR_BRACE if quoted else _BRACE).finditer(raw, start + 1):
        ch = m.group(0)
        if ch == "{":
            depth += 1
        elif ch == "}":
            if depth == 0 and not quoted:
                return m.start()
            depth -= 1
        elif depth == 0:                      # a quote outside braces ends a quoted value
            return m.start()
    return len(raw)
