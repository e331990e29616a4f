"""BibTeX entries: one per cited number, from its source line or as a marked placeholder.

An existing entry is never replaced: a source whose URL is already in the bibliography, or an
entry this same import wrote before (same ``note``), is reused; a new key never takes a used one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from citebrief.bibliography import load_bibliography
from citebrief.errors import CitebriefError
from citebrief.importer.names import key_base
from citebrief.importer.sources import Source, parse_source_line

_BIB_SPECIAL = re.compile(r"(?<!\\)([&%$#_])")


def bib_value(value: str) -> str:
    value = " ".join(value.split())
    value = value.replace("\\", "\\textbackslash{}") if "\\" in value and not value.startswith("{") else value
    value = _BIB_SPECIAL.sub(r"\\\1", value).replace("~", "\\textasciitilde{}").replace("^", "\\textasciicircum{}")
    depth = 0
    for ch in value:
        depth += (ch == "{") - (ch == "}")
        if depth < 0:
            break
    if depth != 0:
        value = value.replace("{", "").replace("}", "")
    return value


@dataclass
class PlannedEntry:
    key: str
    numbers: list[int]
    entry_type: str
    fields: list[tuple[str, str]]
    placeholder: bool
    new: bool = True
    reused_because: str = ""

    def bibtex(self) -> str:
        body = "".join(f"  {name} = {{{value}}},\n" for name, value in self.fields)
        return f"@{self.entry_type}{{{self.key},\n{body}}}\n"


def placeholder_note(number: int, file_name: str) -> str:
    return f"placeholder: source [{number}] of {file_name}, fill in"


def imported_note(number: int, file_name: str) -> str:
    return f"imported from source [{number}] of {file_name}; check every field"


def _norm_url(url: str | None) -> str | None:
    if not url:
        return None
    return re.sub(r"^https?://(www\.)?", "", url.strip().strip("{}")).rstrip("/").lower()


def _same_note(existing, note: str) -> bool:
    value = existing.get("note") if existing is not None else None
    return value is not None and " ".join(value.split()) in (note, bib_value(note))


def _pick(base: str, taken: set[str], existing: dict, note: str, letters: bool) -> tuple[str, bool]:
    """(key, reused): the first of base, base-2 ... (or base, baseb ...) that is free or is this very
    entry from an earlier import (same note); an existing entry is never replaced."""
    for i in range(1, 10_000):
        key = base if i == 1 else base + (_letters(i) if letters else f"-{i}")
        if key in existing and _same_note(existing[key], note):
            return key, True
        if key not in taken:
            return key, False
    raise CitebriefError(f"no free key for {base}")   # pragma: no cover


def _letters(i: int) -> str:   # 2 → b, 26 → z, 27 → ab ...
    s = ""
    while i > 0:
        i, r = divmod(i - 1, 26)
        s = chr(97 + r) + s
    return s


@dataclass
class _Planner:
    """The state of one planning pass: keys taken so far and entries already planned by URL."""
    stem: str
    file_name: str
    existing: dict
    taken: set[str]
    unmapped: list[str]

    def __post_init__(self):
        self.by_url: dict[str, str] = {}                     # URL in the existing .bib → its key
        for key, entry in self.existing.items():
            u = _norm_url(entry.get("url"))
            if u:
                self.by_url.setdefault(u, key)
        self.new_by_url: dict[str, PlannedEntry] = {}

    def from_source(self, n: int, source: Source) -> PlannedEntry:
        parsed = parse_source_line(source.text)
        f = parsed.fields
        note = imported_note(n, self.file_name)
        url = _norm_url(f.get("url"))
        if url and url in self.new_by_url:              # two numbers for one source: one entry
            self.new_by_url[url].numbers.append(n)
            return self.new_by_url[url]
        if url and url in self.by_url:
            return PlannedEntry(self.by_url[url], [n], "", [], False, new=False, reused_because="same URL")
        base = key_base(f)
        key, reused = _pick(base, self.taken, self.existing, note, letters=base[-1:].isdigit())
        if reused:
            return PlannedEntry(key, [n], "", [], False, new=False, reused_because="same import")
        self.taken.add(key)
        order = ("title", "author", "organization", "date", "url", "urldate")
        fields = [(k, f[k] if k in ("url", "date", "urldate") else bib_value(f[k])) for k in order if k in f]
        fields.append(("note", bib_value(note)))
        entry = PlannedEntry(key, [n], "online" if f.get("url") else "misc", fields, False)
        if parsed.guessed_title:
            self.unmapped.append(f"source [{n}] (line {source.line}): no quoted title; guessed "
                                 f"title {{{f['title']}}} for {key}")
        missing = [w for w, names in (("title", ("title",)), ("author", ("author", "organization")),
                                       ("date", ("date",))) if not any(x in f for x in names)]
        if missing:
            self.unmapped.append(f"source [{n}] (line {source.line}): no {', no '.join(missing)} found; "
                                 f"{key} is incomplete")
        if url:
            self.new_by_url[url] = entry
        return entry

    def placeholder(self, n: int) -> PlannedEntry:
        note = placeholder_note(n, self.file_name)
        key, reused = _pick(f"{self.stem}-src{n}", self.taken, self.existing, note, letters=False)
        if reused:
            return PlannedEntry(key, [n], "", [], True, new=False, reused_because="same placeholder")
        self.taken.add(key)
        return PlannedEntry(key, [n], "misc", [("note", bib_value(note))], True)


def plan_entries(numbers: list[int], sources: dict[int, Source], stem: str, file_name: str,
                 existing: dict, existing_keys: set[str], unmapped: list[str]) -> dict[int, PlannedEntry]:
    """Each cited number → an entry (new or an existing one reused); never an existing key overwritten."""
    planner = _Planner(stem, file_name, existing, set(existing_keys), unmapped)
    planned: dict[int, PlannedEntry] = {}
    for n in sorted(set(numbers)):
        source = sources.get(n)
        planned[n] = planner.from_source(n, source) if source is not None else planner.placeholder(n)
    return planned


def existing_bibliography(bib: Path, shown: str):
    """(entries by key, every key written in the file, the file's bytes) of an existing .bib."""
    if not bib.exists():
        return {}, set(), None
    loaded = load_bibliography(bib, shown)
    data = bib.read_bytes()
    text = data.decode("utf-8", "replace")
    keys = set(loaded.entries)          # a repeated key is in entries too (its last definition)
    keys |= set(re.findall(r"@\s*[A-Za-z]+\s*[{(]\s*([^\s,{}()=]+)\s*,", text))   # also in broken blocks
    return loaded.entries, keys, data


def appended(old: bytes, new: list[PlannedEntry]) -> bytes:
    """The .bib's bytes with ``new`` entries added at the end; the old text is kept byte for byte
    (its line endings too)."""
    newline = b"\r\n" if b"\r\n" in old else b"\n"
    added = "\n".join(e.bibtex() for e in new).encode("utf-8").replace(b"\n", newline)
    if old and not old.endswith(b"\n"):
        old += newline
    sep = newline if old.strip() else b""
    return old + sep + added
