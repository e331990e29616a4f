"""The one reader of a brief's front matter, used by lint, compile, the cache key, watch and bundle.

pandoc never reads a brief's YAML itself: citebrief reads the leading metadata block (or a pandoc
``% title`` block) here, blanks it out of the text pandoc parses (``-yaml_metadata_block``, so a
metadata block further down is text, not hidden settings), and hands pandoc only the fields it
vetted. One reader means lint, compile and the cache can never disagree about which bibliography a
brief uses, and the YAML limits hold everywhere:

- anchors and aliases are refused (a few hundred bytes of aliases expand to gigabytes);
- nesting is limited to ``MAX_DEPTH`` levels and the block to ``MAX_BYTES``;
- values keep the YAML 1.2 core meaning pandoc gives them: only ``true``/``false`` are booleans,
  dates and numbers stay text (``checked: 2025-11-27`` is the string ``"2025-11-27"``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import yaml

from citebrief.errors import CitebriefError

MAX_DEPTH = 20
MAX_BYTES = 256 * 1024

YAML_BLOCK = re.compile(r"\A---[ \t]*\r?\n(?!\s*\r?\n)(?P<yaml>.*?)^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S | re.M)
TITLE_BLOCK = re.compile(r"\A(?:%[^\n]*\n(?:[ \t]+[^\n]*\n)*){1,3}")

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)   # libyaml when present: same result, faster


@dataclass(frozen=True)
class FrontMatter:
    fields: dict[str, object] = field(default_factory=dict)   # str, bool, None, lists and dicts of those
    end: int = 0                                              # offset just past the block (0: none)
    key_lines: dict[str, int] = field(default_factory=dict)   # 1-based line of each top-level key
    nodes: dict[str, yaml.Node] = field(default_factory=dict, compare=False, repr=False)  # for positions inside
    first_line: int = 2                                       # the line the YAML starts on

    def text(self, key: str) -> str | None:
        """A scalar field as stripped text (None when absent, empty or not a scalar)."""
        value = self.fields.get(key)
        if isinstance(value, bool):
            return str(value).lower()
        return value.strip() or None if isinstance(value, str) else None

    def texts(self, key: str) -> list[str]:
        """A field that may be one string or a list of strings (``bibliography``, ``keywords``)."""
        value = self.fields.get(key)
        items = value if isinstance(value, list) else [value]
        return [v.strip() for v in items if isinstance(v, str) and v.strip()]

    @property
    def bibliographies(self) -> list[str]:
        return self.texts("bibliography")

    @property
    def checked(self) -> date | None:
        value = self.text("checked")
        try:
            return date.fromisoformat(value) if value else None
        except ValueError:
            return None

    def line_of(self, key: str) -> int | None:
        return self.key_lines.get(key)


def read_front_matter(source: str, shown: str) -> FrontMatter:
    """The brief's metadata: a leading YAML block, or a pandoc title block (``% title``).
    Bad YAML is a one-line CitebriefError naming ``shown`` and the line."""
    m = YAML_BLOCK.match(source)
    if m:
        if m.end() > MAX_BYTES:
            raise CitebriefError(f"front matter is larger than {MAX_BYTES // 1024} KB", shown, 1)
        first_line = 2      # the YAML starts on the line after "---"
        fields, lines, nodes = _parse_yaml(m.group("yaml"), shown, first_line)
        return FrontMatter(fields, m.end(), lines, nodes, first_line)
    m = TITLE_BLOCK.match(source)
    if m:
        return FrontMatter(_title_block(m.group()), m.end(), {})
    return FrontMatter()


def blank_front_matter(source: str, front: FrontMatter) -> str:
    """The text pandoc reads: the metadata block replaced by as many empty lines (offsets kept)."""
    if not front.end:
        return source
    head = source[:front.end]
    return re.sub(r"[^\r\n]", " ", head) + source[front.end:]


def _title_block(block: str) -> dict[str, object]:
    """pandoc's title block: ``% title``, ``% author; author``, ``% date`` (continuation lines indented)."""
    parts = [" ".join(p.split()) for p in re.split(r"^%", block, flags=re.M)[1:]]
    fields: dict[str, object] = {}
    for name, value in zip(("title", "author", "date"), parts):
        if value:
            fields[name] = [a.strip() for a in value.split(";") if a.strip()] if name == "author" else value
    return fields


def compose_yaml(text: str, shown: str, first_line: int = 1, what: str = "front matter") -> yaml.Node | None:
    """The YAML node tree of ``text`` (aliases still shared: convert it with :class:`Converter`);
    invalid YAML is a one-line CitebriefError at its line (``first_line`` is the text's first line)."""
    try:
        return yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + mark.line if mark is not None else first_line
        problem = " ".join(str(exc.problem or exc.context or "not valid YAML").split())
        raise CitebriefError(f"invalid YAML {what}: {problem}", shown, line) from None
    except yaml.YAMLError as exc:
        raise CitebriefError(f"invalid YAML {what}: {type(exc).__name__}", shown, first_line) from None
    except RecursionError:
        raise CitebriefError(f"{what} is nested more than {MAX_DEPTH} levels deep", shown, first_line) from None


def _parse_yaml(text: str, shown: str, first_line: int):
    node = compose_yaml(text, shown, first_line)
    if node is None:
        return {}, {}, {}
    if not isinstance(node, yaml.MappingNode):
        raise CitebriefError("front matter must be a mapping of fields (key: value)", shown, first_line)
    converter = Converter(shown, first_line)
    fields: dict[str, object] = {}
    lines: dict[str, int] = {}
    nodes: dict[str, yaml.Node] = {}
    for key_node, value_node in node.value:
        key = converter.key(key_node)
        fields[key] = converter.value(value_node, 1)
        lines[key] = converter.line(key_node)
        nodes[key] = value_node
    return fields, lines, nodes


class Converter:
    """YAML nodes → plain values, refusing aliases and deep nesting (where a bomb would go off)."""

    def __init__(self, shown: str, first_line: int = 1, what: str = "front matter"):
        self.shown, self.first_line, self.what = shown, first_line, what
        self.seen: set[int] = set()

    def line(self, node: yaml.Node) -> int:
        return self.first_line + node.start_mark.line

    def fail(self, node: yaml.Node, message: str) -> CitebriefError:
        return CitebriefError(message, self.shown, self.line(node))

    def key(self, node: yaml.Node) -> str:
        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(node, f"{self.what} keys must be plain names")
        return str(node.value)

    def value(self, node: yaml.Node, depth: int) -> object:
        if id(node) in self.seen:   # libyaml hands back the anchored node again for an alias
            raise self.fail(node, f"YAML anchors and aliases (&name, *name) are not allowed in {self.what}")
        self.seen.add(id(node))
        if depth > MAX_DEPTH:
            raise self.fail(node, f"{self.what} is nested more than {MAX_DEPTH} levels deep")
        if isinstance(node, yaml.ScalarNode):
            return _scalar(node)
        if isinstance(node, yaml.SequenceNode):
            return [self.value(v, depth + 1) for v in node.value]
        if isinstance(node, yaml.MappingNode):
            out: dict[str, object] = {}
            for k, v in node.value:
                out[self.key(k)] = self.value(v, depth + 1)
            return out
        raise self.fail(node, f"unsupported YAML in {self.what}")   # pragma: no cover


_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_NULLS = {"", "~", "null", "Null", "NULL"}


def _scalar(node: yaml.ScalarNode) -> object:
    """YAML 1.2 core, as pandoc reads it: plain true/false are booleans, plain null/~ nothing,
    everything else (numbers and dates included) text."""
    if not node.style:         # plain, not quoted (libyaml says "", PyYAML None)
        if node.value in _BOOLS:
            return _BOOLS[node.value]
        if node.value in _NULLS:
            return None
    return node.value
