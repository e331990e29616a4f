"""CSL JSON (``.json``), CSL YAML (``.yaml``/``.yml``) and a brief's inline ``references:``.

Read the way pandoc reads them (measured with pandoc 3.9): CSL JSON is an array of items or an object
with ``items``; CSL YAML is a list of items, or a mapping with ``references`` (``---``/``...`` markers
allowed). Each item becomes an :class:`Entry` with BibTeX-style field names (``issued`` → ``date``,
``accessed`` → ``urldate``, ``URL`` → ``url``, ``DOI`` → ``doi``), so every entry rule applies.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from citebrief.bibliography.model import BibFile, Entry
from citebrief.errors import CitebriefError
from citebrief.frontmatter import Converter, compose_yaml

# CSL variable → the field name the rules know (others keep their CSL name, lowercased).
FIELD_NAMES = {"issued": "date", "accessed": "urldate", "url": "url", "doi": "doi",
               "container-title": "journaltitle", "title": "title", "publisher": "publisher"}
NAME_FIELDS = ("author", "editor", "translator", "director", "composer", "interviewer", "recipient")


def load_csl_json(path: Path, shown: str, text: str) -> BibFile:
    bib = BibFile(path=path, display_path=shown)
    try:
        data = json.loads(text)
    except RecursionError:
        raise CitebriefError("CSL JSON nested too deeply", shown) from None
    except ValueError as exc:
        line = getattr(exc, "lineno", None)
        raise CitebriefError(f"not valid JSON: {getattr(exc, 'msg', 'unreadable')}", shown, line) from None
    items = data.get("items") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise CitebriefError('CSL JSON must be an array of items (or an object with "items")', shown)
    id_lines = _json_id_lines(text)     # key → lines of its "id", in order
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            bib.errors.append((1, f"item {i + 1} is not an object"))
            continue
        key = _key(item.get("id"))
        lines = id_lines.get(key)
        line = lines.pop(0) if lines else 1
        if not key:
            bib.errors.append((line, f"item {i + 1} has no id"))
            continue
        _add(bib, Entry(key, str(item.get("type") or "").lower(), _fields(item), line, {}, path, shown,
                        syntax="csl", file_memo=bib.memo))
    return bib


def load_csl_yaml(path: Path, shown: str, text: str) -> BibFile:
    bib = BibFile(path=path, display_path=shown)
    body = re.sub(r"\A---[ \t]*\r?\n", "\n", text)                  # document markers: lines kept
    body = re.sub(r"^(?:---|\.\.\.)[ \t]*\r?\n?\Z", "", body, flags=re.M)
    node = compose_yaml(body, shown, 1, "CSL YAML")
    if isinstance(node, yaml.MappingNode):
        node = next((v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == "references"), None)
    if not isinstance(node, yaml.SequenceNode):
        raise CitebriefError("CSL YAML must be a list of items (or a mapping with `references:`)", shown)
    read_items(bib, node, Converter(shown, 1, "CSL YAML"))
    return bib


def inline_references(node: yaml.Node, converter: Converter, path: Path, shown: str) -> BibFile:
    """A brief's front-matter ``references:``: entries whose lines are the brief's own."""
    bib = BibFile(path=path, display_path=shown, inline=True)
    if isinstance(node, yaml.SequenceNode):
        read_items(bib, node, converter)
    else:
        bib.errors.append((converter.line(node), "`references:` must be a list of CSL items"))
    return bib


def read_items(bib: BibFile, node: yaml.SequenceNode, converter: Converter) -> None:
    for i, item_node in enumerate(node.value):
        item = converter.value(item_node, 1)
        if not isinstance(item, dict):
            bib.errors.append((converter.line(item_node), f"item {i + 1} is not a mapping"))
            continue
        key = _key(item.get("id"))
        if not key:
            bib.errors.append((converter.line(item_node), f"item {i + 1} has no id"))
            continue
        lines = {}
        for k, _v in item_node.value:
            if isinstance(k, yaml.ScalarNode):
                lines[FIELD_NAMES.get(k.value.lower(), k.value.lower())] = converter.line(k)
        _add(bib, Entry(key, str(item.get("type") or "").lower(), _fields(item),
                        converter.line(item_node), lines, bib.path, bib.display_path, syntax="csl",
                        file_memo=bib.memo))


def _add(bib: BibFile, entry: Entry) -> None:
    earlier = bib.entries.get(entry.key)
    if earlier is not None:      # pandoc uses the last definition of a key
        bib.duplicates.append((entry, earlier))
    bib.entries[entry.key] = entry


def _key(value: object) -> str:
    return str(value).strip() if value is not None and not isinstance(value, (dict, list)) else ""


def _fields(item: dict) -> dict[str, str]:
    fields: dict[str, str] = {}
    for name, value in item.items():
        lower = str(name).lower()
        if lower in ("id", "type"):
            continue
        target = FIELD_NAMES.get(lower, lower)
        if lower in NAME_FIELDS:
            text = " and ".join(n for n in (_name(v) for v in (value if isinstance(value, list) else [value])) if n)
        elif lower in ("issued", "accessed", "event-date", "original-date", "submitted"):
            text = _date(value)
        else:
            text = _text(value)
        if text:
            fields[target] = text
    return fields


def _name(value: object) -> str:
    if isinstance(value, dict):
        if value.get("literal"):
            return _text(value["literal"])
        return ", ".join(p for p in (_text(value.get("family")), _text(value.get("given"))) if p)
    return _text(value)


def _date(value: object) -> str:
    """CSL dates: ``{"date-parts": [[2020, 5, 1]]}``, ``{"raw": "..."}``, ``{"literal": ...}``, or text."""
    if isinstance(value, dict):
        parts = value.get("date-parts")
        if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
            numbers = [str(p) for p in parts[0][:3] if str(p).strip().lstrip("-").isdigit()]
            if numbers:
                year, *rest = numbers
                return "-".join([year.zfill(4), *(r.zfill(2) for r in rest)])
        for k in ("raw", "literal"):
            if value.get(k):
                return _text(value[k])
        return ""
    return _text(value)


def _text(value: object) -> str:
    if value is None or isinstance(value, (dict, list)):
        return ""
    return " ".join(str(value).split())


_ID = re.compile(r'"id"\s*:\s*(?:"((?:[^"\\]|\\.)*)"|(-?\d+))')


def _json_id_lines(text: str) -> dict[str, list[int]]:
    """The lines where each id is written as an item's ``"id"``, in order."""
    lines: dict[str, list[int]] = {}
    line, last = 1, 0
    for m in _ID.finditer(text):
        line += text.count("\n", last, m.start())
        last = m.start()
        raw = m.group(1) if m.group(1) is not None else m.group(2)
        try:
            key = json.loads(f'"{raw}"') if m.group(1) is not None else raw
        except ValueError:
            key = raw
        lines.setdefault(key, []).append(line)
    return lines
