"""Run the rules over a set of briefs and their bibliographies, once, and gather findings.

This is the one gate (as in flake8) where rule selection, inline suppressions, severities and the
offset → line:column conversion happen; rules themselves stay tiny and pure. One run reads each
brief and each bibliography once, however many briefs share a ``references.bib``:

- brief rules run on each brief;
- entry rules run once on each entry a linted brief cites (with its crossref/xdata parents), or on
  every entry of a bibliography when that .bib, or the manuscript folder, is what is being linted;
- bibliography rules run once per file; ``unused-entry`` counts the citations of every brief of the
  manuscript folder that uses the file, linted or not.

Each finding is attributed to the briefs it concerns (its own findings, those of the entries it
cites, those of the files it reads), so a brief's report is what linting it alone would say, and the
compile gate stops a brief only for its own problems.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from citebrief.ast import no_gc
from citebrief.bibliography import BibCache, BibFile, Bibliography, Entry, bibliography_paths, nocite_keys
from citebrief.claims import claims_of
from citebrief.config import Config
from citebrief.errors import CitebriefError, printable
from citebrief.findings import Finding, Severity
from citebrief.frontmatter import FrontMatter
from citebrief.parse.brief import PandocPieces, pandoc_pieces, parse_brief, read_brief
from citebrief.parse.chunks import MIN_SPLIT_SIZE
from citebrief.parse.model import Brief
from citebrief.parse.source import CITATION, LineIndex
from citebrief.project import confine, project_root
from citebrief.rules.base import Rule
from citebrief.rules.context import Hit, LintContext


@dataclass
class BriefInput:
    """A brief as read before pandoc runs: text, front matter, and the files it pulls in (confined)."""

    path: Path
    shown: str
    source: str
    front: FrontMatter
    root: Path                     # the trust boundary (citebrief/project.py)
    bibliographies: list[Path]     # resolved, inside ``root``


def read_input(path: Path, shown: str, config: Config, text: str | None = None) -> BriefInput:
    """Read one brief and resolve what it names, within the limits and the trust boundary.
    ``text``: the brief's unsaved text (an editor's buffer) instead of the file on disk."""
    root = project_root(config.root, path)
    confine(path, root, "brief", shown)       # a symlink out of the project is not read
    source, front = read_brief(path, shown, config.max_input_bytes, text=text)
    bibs = bibliography_paths(front, path, shown, config, root)
    return BriefInput(path, shown, source, front, root, bibs)


class _Counts:
    """Errors and warnings among ``self.findings``."""

    findings: list[Finding]

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity is Severity.WARNING)


@dataclass
class BriefReport(_Counts):
    """What lint found for one brief: its own findings and those of the sources it uses."""

    brief: Brief
    bibliography: Bibliography | None
    findings: list[Finding] = field(default_factory=list)
    claims: int = 0
    cited_claims: int = 0


@dataclass
class LintResult(_Counts):
    findings: list[Finding] = field(default_factory=list)
    files: int = 0                 # briefs linted
    claims: int = 0
    cited_claims: int = 0
    reports: list[BriefReport] = field(default_factory=list)

    @classmethod
    def of(cls, findings: list[Finding], reports: list[BriefReport]) -> LintResult:
        return cls(sorted(findings), len(reports), sum(r.claims for r in reports),
                   sum(r.cited_claims for r in reports), reports)

    def exit_code(self, strict: bool = False) -> int:
        return 1 if self.errors or (strict and self.warnings) else 0

    def report_for(self, path: Path) -> BriefReport | None:
        resolved = path.resolve()
        return next((r for r in self.reports if r.brief.path.resolve() == resolved), None)

    def only(self, path: Path) -> LintResult:
        """The part of this result that concerns one brief (the compile gate's view)."""
        report = self.report_for(path)
        return LintResult.of(report.findings, [report]) if report else LintResult()


def active_rules(config: Config) -> list[Rule]:
    # here, not at the top: importing every rule (the evidence rules' matching too) is work lint does
    # while pandoc reads the briefs (parse_inputs)
    from citebrief.rules import ALL_RULES

    for option, names in (("select", config.select), ("ignore", config.ignore)):
        unknown = [n for n in names if n not in ALL_RULES]
        if unknown:
            raise CitebriefError(f"unknown rule {unknown[0]!r} in {option} (see `citebrief rules`)")
    chosen = [r for name, r in ALL_RULES.items() if not config.select or name in config.select]
    return [r for r in chosen if r.name not in config.ignore]


# --- what to lint ---------------------------------------------------------------------

@dataclass
class Targets:
    briefs: list[tuple[Path, str]] = field(default_factory=list)     # (path, as shown)
    whole_bibs: list[tuple[Path, str]] = field(default_factory=list)  # .bib files named: every entry checked
    whole_folder: bool = False     # a folder was named: every entry of its briefs' bibliographies checked


def collect_targets(paths: Sequence[str], config: Config) -> Targets:
    """Expand the command line: a folder means every .md in it; a .bib file means the briefs of the
    manuscript folder that use it, and every entry of it checked."""
    targets = Targets()
    if not paths:
        folder = config.path(config.manuscript)
        if not folder.is_dir():
            raise CitebriefError("manuscript folder not found (pass a brief, or set [tool.citebrief] manuscript)",
                                 display_path(folder))
        paths = [display_path(folder)]
    for given in paths:
        p = Path(given)
        if p.suffix.lower() in (".bib", ".json", ".yaml", ".yml") and not p.is_dir():
            if not p.is_file():
                raise CitebriefError("no such file", given)
            targets.whole_bibs.append((p, given))
            targets.briefs += _users_of(p, config)
        elif p.is_dir():
            briefs = sorted(q for q in p.rglob("*.md") if q.is_file() and not _hidden(q.relative_to(p)))
            if not briefs:
                raise CitebriefError("no .md briefs in this folder", given)
            targets.briefs += [(q, os.path.join(given, str(q.relative_to(p)))) for q in briefs]
            targets.whole_folder = True
        elif p.exists() or p.is_symlink():
            targets.briefs.append((p, given))
        else:
            raise CitebriefError("no such file or folder", given)
    seen: set[Path] = set()
    unique = []
    for path, shown in targets.briefs:          # a brief named twice (or via its folder) is linted once
        if path.resolve() not in seen:
            seen.add(path.resolve())
            unique.append((path, shown))
    targets.briefs = unique
    return targets


def collect_briefs(paths: Sequence[str], config: Config) -> list[tuple[Path, str]]:
    return collect_targets(paths, config).briefs


def _users_of(bib: Path, config: Config) -> list[tuple[Path, str]]:
    """The manuscript folder's briefs whose bibliographies include ``bib`` (front matter only)."""
    wanted = bib.resolve()
    return [(p, display_path(p)) for p, _source, bibs in _manuscript_briefs(config) if wanted in bibs]


def _manuscript_briefs(config: Config, skip: frozenset[Path] | set[Path] = frozenset()):
    """(path, text, bibliographies) of each readable brief in the manuscript folder; a brief that cannot
    be read is left to the run that lints it."""
    folder = config.path(config.manuscript)
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob("*.md")):
        if path.resolve() in skip or _hidden(path.relative_to(folder)) or not path.is_file():
            continue
        try:
            inp = read_input(path, display_path(path), config)
        except CitebriefError:
            continue
        yield path, inp, [b.resolve() for b in inp.bibliographies]


def _hidden(rel: Path) -> bool:
    return any(part.startswith(".") for part in rel.parts)


def display_path(p: Path) -> str:
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)


# --- the run ----------------------------------------------------------------------------

def lint_paths(paths: Sequence[str], config: Config, today: date | None = None) -> LintResult:
    targets = collect_targets(paths, config)
    inputs = [read_input(path, shown, config) for path, shown in targets.briefs]
    return lint_inputs(inputs, config, today, whole_bibs=targets.whole_bibs, whole_folder=targets.whole_folder)


@dataclass
class Parsed:
    """A brief read, parsed and given its bibliography: what lint checks and evidence/snapshot/links read."""

    input: BriefInput
    brief: Brief
    bibliography: Bibliography | None

    def cited_entries(self) -> list[Entry]:
        if self.bibliography is None:
            return []
        entries = self.bibliography.entries
        return [entries[k] for k in dict.fromkeys(c.key for c in self.brief.citations) if k in entries]


def parse_inputs(inputs: list[BriefInput], config: Config, bibs: BibCache,
                 meanwhile: Callable[[], object] | None = None,
                 while_parsing: Callable[[Callable[[], bool]], object] | None = None) -> list[Parsed]:
    """Parse every brief (pandoc in its own processes, one budget of cores) while ``meanwhile`` runs
    here, then their bibliographies are read, each file once, then ``while_parsing(parsing)`` fills
    what is left of the wait (``parsing()``: is pandoc still at work?)."""
    cores = os.cpu_count() or 1
    long_briefs = sum(len(i.source) >= MIN_SPLIT_SIZE for i in inputs) or 1
    pieces = max(1, cores // long_briefs)            # one pool's worth of pandoc processes, not briefs × cores
    workers = max(1, min(len(inputs), cores))
    started: list[PandocPieces] = []
    futures = []
    with ThreadPoolExecutor(max_workers=workers) as pool:
        try:
            # The first pool's worth of briefs go to pandoc from here, now: a pool thread would start
            # them only when it gets the GIL from the work below (tens of milliseconds late).
            for i in inputs[:workers]:
                started.append(pandoc_pieces(i.source, i.front, i.shown, pieces, config.limits))
            futures = [pool.submit(parse_brief, i.path, i.shown, config.limitation_headings, source=i.source,
                                   front=i.front, pieces=pieces, limits=config.limits,
                                   started=started[k] if k < len(started) else None)
                       for k, i in enumerate(inputs)]
            if meanwhile is not None:
                meanwhile()
            for path in dict.fromkeys(b for i in inputs for b in i.bibliographies):
                bibs.get(path, display_path(path))
            if while_parsing is not None:
                while_parsing(lambda: not all(f.done() for f in futures))
            briefs = [f.result() for f in futures]
        except BaseException:      # no pandoc left at work on a run that is over
            for f in futures:
                f.cancel()
            for run in started:
                run.cancel()
            raise
    return [Parsed(i, b, bibs.for_brief(i.bibliographies, display_path, i.front, i.path, i.shown))
            for i, b in zip(inputs, briefs)]


def read_paths(paths: Sequence[str], config: Config, bibs: BibCache | None = None) -> list[Parsed]:
    """The briefs named on a command line (as for lint), read and parsed, no rules run."""
    inputs = [read_input(path, shown, config) for path, shown in collect_briefs(paths, config)]
    return parse_inputs(inputs, config, bibs or BibCache())


def cited_entries(parsed: Sequence[Parsed]) -> list[Entry]:
    """The entries the briefs cite, each once, in order of first citation."""
    seen: dict[int, Entry] = {}
    for p in parsed:
        for entry in p.cited_entries():
            seen.setdefault(id(entry), entry)
    return list(seen.values())


def lint_inputs(inputs: list[BriefInput], config: Config, today: date | None = None, *,
                whole_bibs: Sequence[tuple[Path, str]] = (), whole_folder: bool = False,
                bibs: BibCache | None = None) -> LintResult:
    """Lint briefs already read (compile and bundle read them first); see the module docstring."""
    with no_gc():   # a brief's units, sentences and bibliography entries, and no cycles: see ast.no_gc
        return _lint_inputs(inputs, config, today, whole_bibs, whole_folder, bibs)


def _lint_inputs(inputs: list[BriefInput], config: Config, today: date | None, whole_bibs: Sequence[tuple[Path, str]],
                 whole_folder: bool, bibs: BibCache | None) -> LintResult:
    today = today or date.today()
    bibs = bibs or BibCache()
    if config.select or config.ignore:
        active_rules(config)        # a misspelt rule name is refused before pandoc starts
    rules: list[Rule] = []          # chosen (every rule module imported) while pandoc reads the briefs
    parsed = parse_inputs(inputs, config, bibs, meanwhile=lambda: rules.extend(active_rules(config)),
                          while_parsing=lambda parsing: _read_snapshots_ahead(rules, inputs, bibs, parsing))
    whole = [bibs.get(p.resolve(), shown) for p, shown in whole_bibs]
    run = _Run(config, rules, today)
    reports = [run.brief(p.brief, p.bibliography) for p in parsed]
    if whole_folder:
        whole += [f for r in reports if r.bibliography for f in r.bibliography.files]
    run.entries(whole)
    others = _other_citations(config, inputs, bibs)
    run.bibliographies(reports, others)
    return LintResult.of(run.findings, reports)


def _read_snapshots_ahead(rules: list[Rule], inputs: list[BriefInput], bibs: BibCache,
                          parsing: Callable[[], bool]) -> None:
    """The snapshots the quote and figure rules compare against, read while pandoc parses
    (evidence.snapshots.read_ahead); nothing when neither rule runs."""
    if not any(r.name in ("quote-not-in-source", "number-not-in-source") for r in rules):
        return
    from citebrief.evidence.snapshots import read_ahead

    read_ahead([(i.source, i.root, [f for f in map(bibs.peek, i.bibliographies) if f is not None])
                for i in inputs], parsing)


class _Run:
    """One lint run's state: findings, and which briefs each finding concerns."""

    def __init__(self, config: Config, rules: list[Rule], today: date):
        self.config, self.today = config, today
        self.by_scope = {scope: [r for r in rules if r.scope == scope] for scope in ("brief", "entry", "bibliography")}
        self.findings: list[Finding] = []
        self.users: dict[int, list[BriefReport]] = {}      # id(entry) → reports of briefs citing it
        self.entry_of: dict[int, Entry] = {}

    def brief(self, brief: Brief, bib: Bibliography | None) -> BriefReport:
        report = BriefReport(brief, bib)
        claims = claims_of(brief, self.config)
        report.claims, report.cited_claims = len(claims), sum(c.cited for c in claims)
        ctx = LintContext(config=self.config, today=self.today, brief=brief, bib=bib, claims=claims)
        lines = LineIndex(brief.source)
        suppressed = [(u.offset, u.end, u.disabled) for u in brief.units if u.disabled]
        for rule in self.by_scope["brief"]:
            for hit in rule.check(ctx):
                if hit.bib_line is not None:
                    self.add(self.bib_finding(rule, hit, bib.display_path if bib else brief.display_path), [report])
                elif not _suppressed(rule, hit.offset or 0, suppressed):
                    line, col = lines.position(hit.offset or 0)
                    self.add(Finding(brief.display_path, line, col, rule.name, rule.severity, printable(hit.message)),
                             [report])
        if bib is not None:
            for key in bib.with_parents(_cited(brief)):
                entry = bib.entries[key]
                self.entry_of[id(entry)] = entry
                self.users.setdefault(id(entry), []).append(report)
        return report

    def entries(self, whole: list[BibFile]) -> None:
        """Entry rules, once per entry and per distinct ``checked`` date of the briefs citing it (so
        ``future-source`` judges each brief by its own date and each finding concerns the right briefs)."""
        for f in whole:
            for entry in f.entries.values():
                self.entry_of.setdefault(id(entry), entry)
        for ident, entry in self.entry_of.items():
            groups: dict[date | None, list[BriefReport]] = {}
            for report in self.users.get(ident, []):
                groups.setdefault(report.brief.checked, []).append(report)
            for checked, reports in (groups or {None: []}).items():
                ctx = LintContext(config=self.config, today=self.today, entry=entry, checked=checked)
                for rule in self.by_scope["entry"]:
                    for hit in rule.check(ctx):
                        self.add(self.bib_finding(rule, hit, entry.display_path), reports)

    def bibliographies(self, reports: list[BriefReport], others: dict[int, set[str]]) -> None:
        """File rules, once per file; their findings concern every brief that reads the file."""
        files: dict[int, tuple[BibFile, list[BriefReport]]] = {}
        used: dict[int, set[str]] = {}
        for report in reports:
            bib = report.bibliography
            if bib is None:
                continue
            for f in bib.files:
                files.setdefault(id(f), (f, []))[1].append(report)
            mark_used(bib, _cited(report.brief), used)
        for ident, keys in others.items():
            used.setdefault(ident, set()).update(keys)
        for ident, (f, users) in files.items():
            keys = used.get(ident, set())
            ctx = LintContext(config=self.config, today=self.today, bibfile=f,
                              cited_keys=frozenset(f.entries) if "*" in keys else frozenset(keys))
            for rule in self.by_scope["bibliography"]:
                for hit in rule.check(ctx):
                    self.add(self.bib_finding(rule, hit, f.display_path), users)

    def bib_finding(self, rule: Rule, hit: Hit, default_path: str) -> Finding:
        return Finding(printable(hit.bib_path or default_path), hit.bib_line or 1, hit.bib_column, rule.name,
                       rule.severity, printable(hit.message))

    def add(self, finding: Finding, concerns: list[BriefReport]) -> None:
        self.findings.append(finding)
        for report in concerns:
            report.findings.append(finding)


def _suppressed(rule: Rule, offset: int, suppressed) -> bool:
    return any(start <= offset <= end and (rule.name in disabled or "*" in disabled)
               for start, end, disabled in suppressed)


def _cited(brief: Brief) -> set[str]:
    return {c.key for c in brief.citations} | nocite_keys(brief.meta.get("nocite"))


def mark_used(bib: Bibliography, cited: set[str], used: dict[int, set[str]]) -> None:
    """Record, per file (``id(BibFile)``), the keys a brief citing ``cited`` uses there: the entries pandoc
    would pick for them and their crossref/xdata parents ("*": every entry of every file it reads)."""
    if "*" in cited:
        for f in bib.files:
            used.setdefault(id(f), set()).add("*")
        return
    by_path = {id(f): f for f in bib.files}
    for key in bib.with_parents(cited):
        entry = bib.entries[key]
        for ident, f in by_path.items():
            if f.entries.get(key) is entry:
                used.setdefault(ident, set()).add(key)




def _other_citations(config: Config, inputs: list[BriefInput], bibs: BibCache) -> dict[int, set[str]]:
    """Keys cited by the manuscript folder's other briefs, per bibliography file they share with this run."""
    skip = {i.path.resolve() for i in inputs}
    used: dict[int, set[str]] = {}
    for _path, inp, paths in _manuscript_briefs(config, skip):
        files = [f for f in (bibs.peek(p) for p in paths) if f is not None]   # only files this run read
        if not files:
            continue
        cited = {m.group("braced") or m.group("key") for m in CITATION.finditer(inp.source, inp.front.end)}
        cited |= nocite_keys(inp.front.fields.get("nocite"))
        mark_used(Bibliography(files), cited, used)
    return used

