"""Stage 3: run the rules over each brief and gather findings.

This is the one gate (as in flake8) where rule selection, inline suppressions, severities
and the offset → line:column conversion happen; rules themselves stay tiny and pure.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from citebrief.bib import Bibliography, load_bibliography, nocite_keys
from citebrief.claims import find_claims
from citebrief.config import Config
from citebrief.errors import CitebriefError
from citebrief.findings import Finding, Severity
from citebrief.parse.brief import parse_brief
from citebrief.parse.model import Brief
from citebrief.parse.source import LineIndex, declared_bibliography
from citebrief.rules import ALL_RULES
from citebrief.rules.base import Rule
from citebrief.rules.context import Hit, LintContext


@dataclass
class LintResult:
    findings: list[Finding] = field(default_factory=list)
    files: int = 0
    claims: int = 0
    cited_claims: int = 0
    briefs: list[Brief] = field(default_factory=list)
    bibliographies: list["Bibliography | None"] = field(default_factory=list)   # one per brief, in order

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity is Severity.WARNING)

    def exit_code(self, strict: bool = False) -> int:
        return 1 if self.errors or (strict and self.warnings) else 0


def active_rules(config: Config) -> list[Rule]:
    for option, names in (("select", config.select), ("ignore", config.ignore)):
        unknown = [n for n in names if n not in ALL_RULES]
        if unknown:
            raise CitebriefError(f"unknown rule {unknown[0]!r} in {option} (see `citebrief rules`)")
    chosen = [r for name, r in ALL_RULES.items() if not config.select or name in config.select]
    return [r for r in chosen if r.name not in config.ignore]


def collect_briefs(paths: Sequence[str], config: Config) -> list[tuple[Path, str]]:
    """Expand the command line into (path, display path) pairs; a folder means every .md in it."""
    if not paths:
        folder = config.path(config.manuscript)
        if not folder.is_dir():
            raise CitebriefError("manuscript folder not found (pass a brief, or set [tool.citebrief] manuscript)",
                                 display_path(folder))
        paths = [display_path(folder)]
    found: list[tuple[Path, str]] = []
    for given in paths:
        p = Path(given)
        if p.suffix.lower() == ".bib":
            # a bibliography is checked through the briefs that cite it (pre-commit passes .bib files)
            if not p.is_file():
                raise CitebriefError("no such file", given)
            found += collect_briefs([], config)
        elif p.is_dir():
            briefs = sorted(q for q in p.rglob("*.md") if q.is_file() and not _hidden(q.relative_to(p)))
            if not briefs:
                raise CitebriefError("no .md briefs in this folder", given)
            found += [(q, os.path.join(given, str(q.relative_to(p)))) for q in briefs]
        elif p.exists() or p.is_symlink():
            found.append((p, given))
        else:
            raise CitebriefError("no such file or folder", given)
    seen: set[Path] = set()
    unique = []
    for path, shown in found:          # a brief named twice (or via its folder) is linted once
        if path.resolve() not in seen:
            seen.add(path.resolve())
            unique.append((path, shown))
    return unique


def _hidden(rel: Path) -> bool:
    return any(part.startswith(".") for part in rel.parts)


def display_path(p: Path) -> str:
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)


def lint_paths(paths: Sequence[str], config: Config, today: date | None = None) -> LintResult:
    today = today or date.today()
    rules = active_rules(config)
    targets = collect_briefs(paths, config)
    default_bib = config.path(config.bibliography)
    bibs = BibCache()
    with ThreadPoolExecutor(max_workers=min(len(targets), os.cpu_count() or 2) or 1) as pool:
        # pandoc parses the briefs in its own processes while we read the bibliographies they name
        futures = [pool.submit(parse_brief, path, shown, config.limitation_headings) for path, shown in targets]
        for bib in dict.fromkeys(declared_bibliography(path) or default_bib for path, _ in targets):
            bibs.prefetch(bib)
        briefs = [f.result() for f in futures]
    return lint_briefs(briefs, config, rules, bibs, today)


def lint_briefs(briefs: list[Brief], config: Config, rules: list[Rule], bibs: "BibCache",
                today: date) -> LintResult:
    result = LintResult(files=len(briefs), briefs=briefs)
    default_bib = config.path(config.bibliography)
    bib_of = {id(b): bibs.for_brief(b, default_bib) for b in briefs}
    result.bibliographies = [bib_of[id(b)] for b in briefs]
    cited_by_bib: dict[int, set[str]] = {}
    for b in briefs:
        keys = cited_by_bib.setdefault(id(bib_of[id(b)]), set())
        keys.update(c.key for c in b.citations)
        keys.update(nocite_keys(b.meta))
    seen: set[Finding] = set()
    for b in briefs:
        bib = bib_of[id(b)]
        claims = find_claims(b, config.scope, config.min_words)
        ctx = LintContext(config=config, brief=b, bib=bib, today=today,
                          cited_keys=frozenset(cited_by_bib[id(bib)]), claims=claims)
        lines = LineIndex(b.source)
        suppressed = [(u.offset, u.end, u.disabled) for u in b.units if u.disabled]
        for rule in rules:
            for hit in rule.check(ctx):
                finding = _finding(rule, hit, b, bib, lines, suppressed)
                if finding is not None and finding not in seen:
                    seen.add(finding)
        result.claims += len(claims)
        result.cited_claims += sum(c.cited for c in claims)
    result.findings = sorted(seen)
    return result


def _finding(rule: Rule, hit: Hit, brief: Brief, bib, lines: LineIndex, suppressed) -> Finding | None:
    if hit.bib_line is not None:
        path, line, col = hit.bib_path or bib.display_path, hit.bib_line, hit.bib_column
    else:
        offset = hit.offset or 0
        for start, end, disabled in suppressed:
            if start <= offset <= end and (rule.name in disabled or "*" in disabled):
                return None
        path = brief.display_path
        line, col = lines.position(offset)
    return Finding(path, line, col, rule.name, rule.severity, hit.message)


class BibCache:
    """Each bibliography is read once per run, however many briefs share it."""

    def __init__(self):
        self._loaded: dict[Path, object] = {}

    def get(self, path: Path):
        key = path.resolve()
        if key not in self._loaded:
            self._loaded[key] = load_bibliography(path, display_path(path))
        return self._loaded[key]

    def prefetch(self, path: Path) -> None:
        """Read a bibliography early; any problem is reported later, by the brief that uses it."""
        try:
            if path.is_file():
                self.get(path)
        except CitebriefError:
            pass

    def for_brief(self, brief: Brief, default: Path):
        if brief.bibliography_path is not None:
            if not brief.bibliography_path.is_file():
                raise CitebriefError(f"bibliography {brief.meta.get('bibliography')} not found "
                                     f"(looked for {display_path(brief.bibliography_path)})", brief.display_path)
            return self.get(brief.bibliography_path)
        return self.get(default) if default.is_file() else None
