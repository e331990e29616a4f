"""Configuration: defaults, then ``[tool.citebrief]`` from the nearest pyproject.toml, then CLI flags."""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from citebrief.errors import CitebriefError
from citebrief.tools import Limits

FORMATS = ("pdf", "docx", "html")
SCOPES = ("sentence", "paragraph")

# pandoc-crossref labels: "@fig:map" refers to a figure of the brief, not to a source
DEFAULT_CROSSREF_PREFIXES = ("fig", "tbl", "eq", "sec", "lst")

DEFAULT_GAP_PHRASES = (
    "not found in", "not available", "no data", "unclear", "unknown", "could not be verified",
    "unverified", "not documented", "remains to be seen", "open question",
)


@dataclass(frozen=True)
class Config:
    root: Path = Path(".")                      # folder of the pyproject.toml (or cwd); paths below are relative to it
    manuscript: str = "manuscript"
    bibliography: str = "references.bib"
    out: str = "out"
    formats: tuple[str, ...] = FORMATS
    csl: str | None = None
    scope: str = "sentence"
    min_words: int = 3
    limitation_headings: tuple[str, ...] = ("Limitations", "Caveats")
    gap_phrases: tuple[str, ...] = DEFAULT_GAP_PHRASES
    max_age_days: int = 90
    link_cache_hours: int = 24                  # `citebrief links` keeps settled answers this long (0: never)
    crossref_prefixes: tuple[str, ...] = DEFAULT_CROSSREF_PREFIXES
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    # limits: a brief from a stranger's pull request must not hang or exhaust a CI runner
    max_input_mb: float = 4.0                   # a larger brief is refused
    time_limit: float = 60.0                    # seconds per pandoc or typst run
    memory_limit_mb: int = 4096                 # per pandoc or typst run
    title: str | None = None                    # the bundle index's title (default: the project folder's name)
    source: Path | None = field(default=None, compare=False)  # the pyproject.toml read, if any

    @property
    def max_input_bytes(self) -> int:
        return int(self.max_input_mb * 1_000_000)

    @property
    def limits(self) -> Limits:
        return Limits(seconds=self.time_limit, memory_mb=self.memory_limit_mb)

    def path(self, value: str) -> Path:
        """A configured path, resolved against the project root."""
        p = Path(value)
        return p if p.is_absolute() else self.root / p

    def with_overrides(self, **overrides) -> Config:
        """CLI flags win over the file; ``None`` and empty tuples mean "not given"."""
        given = {k: v for k, v in overrides.items() if v is not None and v != ()}
        cfg = dataclasses.replace(self, **given)
        cfg.validate(origin="command line")
        return cfg

    def validate(self, origin: str) -> None:
        if self.scope not in SCOPES:
            raise CitebriefError(f"scope must be one of {', '.join(SCOPES)}, not {self.scope!r}", origin)
        bad = [f for f in self.formats if f not in FORMATS]
        if bad:
            raise CitebriefError(f"unknown format {bad[0]!r} (choose from {', '.join(FORMATS)})", origin)
        if self.min_words < 0 or self.max_age_days < 0 or self.link_cache_hours < 0:
            raise CitebriefError("min_words, max_age_days and link_cache_hours must not be negative", origin)
        if not (self.max_input_mb > 0 and self.time_limit > 0 and self.memory_limit_mb > 0):
            raise CitebriefError("max_input_mb, time_limit and memory_limit_mb must be positive", origin)
        if self.title is not None and (not isinstance(self.title, str) or not self.title.strip()
                                       or any(ord(c) < 32 or 127 <= ord(c) < 160 for c in self.title)):
            raise CitebriefError("title must be one line of text", origin)


def find_pyproject(start: Path) -> Path | None:
    start = start.resolve()
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


_TUPLE_KEYS = {"formats", "limitation_headings", "gap_phrases", "crossref_prefixes", "select", "ignore"}
_KEY_ALIASES = {"limitation-headings": "limitation_headings", "gap-phrases": "gap_phrases",
                "min-words": "min_words", "max-age-days": "max_age_days", "max-input-mb": "max_input_mb",
                "time-limit": "time_limit", "memory-limit-mb": "memory_limit_mb",
                "link-cache-hours": "link_cache_hours", "crossref-prefixes": "crossref_prefixes"}
_NUMBER_KEYS = {"min_words": int, "max_age_days": int, "memory_limit_mb": int, "max_input_mb": float,
                "time_limit": float, "link_cache_hours": int}


def load_config(start: Path | None = None) -> Config:
    """Read ``[tool.citebrief]`` from the nearest pyproject.toml above ``start`` (default: cwd)."""
    start = Path.cwd() if start is None else start
    pyproject = find_pyproject(start)
    if pyproject is None:
        return Config(root=Path.cwd())
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise CitebriefError(f"cannot read: {exc}", pyproject) from exc
    except tomllib.TOMLDecodeError as exc:
        raise CitebriefError(f"invalid TOML: {exc}", pyproject) from exc
    table = data.get("tool", {}).get("citebrief", {})
    known = {f.name for f in dataclasses.fields(Config)} - {"root", "source"}
    values: dict = {}
    for raw_key, value in table.items():
        key = _KEY_ALIASES.get(raw_key, raw_key)
        if key not in known:
            raise CitebriefError(f"unknown setting [tool.citebrief] {raw_key!r}", pyproject)
        if key in _TUPLE_KEYS:
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise CitebriefError(f"[tool.citebrief] {raw_key} must be a list of strings", pyproject)
            value = tuple(value)
        elif key in _NUMBER_KEYS:
            kind = _NUMBER_KEYS[key]
            if isinstance(value, bool) or not isinstance(value, (int, float) if kind is float else int):
                raise CitebriefError(f"[tool.citebrief] {raw_key} must be a "
                                     f"{'number' if kind is float else 'whole number'}", pyproject)
            value = kind(value)
        elif not isinstance(value, str):
            raise CitebriefError(f"[tool.citebrief] {raw_key} must be a string", pyproject)
        values[key] = value
    cfg = Config(root=pyproject.parent, source=pyproject, **values)
    cfg.validate(origin=str(pyproject))
    return cfg
