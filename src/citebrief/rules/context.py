"""What a rule sees (LintContext) and what it returns (Hit).

Rules speak in source offsets (manuscript) or lines (bibliography); the engine is the one
place that turns them into path:line:column findings with the rule's name and severity.
Which fields are set depends on the rule's scope (rules/base.py):

- ``brief``: ``brief``, ``bib`` (its merged bibliography, or None), ``claims``;
- ``entry``: ``entry``, one bibliography entry a linted brief cites (or any entry, when a .bib or the
  manuscript folder is linted), and ``checked``, the ``checked`` date of the briefs citing it (the rule
  runs once per distinct date; None for an entry no linted brief cites);
- ``bibliography``: ``bibfile``, one bibliography file, and ``cited_keys``, its keys cited by any brief
  of the manuscript folder that uses it (crossref/xdata parents included, ``nocite`` too).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from citebrief.bibliography import BibFile, Bibliography, Entry
    from citebrief.claims import Claim
    from citebrief.config import Config
    from citebrief.parse.model import Brief


@dataclass(frozen=True)
class Hit:
    message: str
    offset: int | None = None      # character offset into Brief.source
    bib_line: int | None = None    # 1-based line in the bibliography file
    bib_column: int = 1
    bib_path: str | None = None    # the bibliography file as findings name it (entry.display_path)


@dataclass
class LintContext:
    config: Config
    today: date
    brief: Brief | None = None
    bib: Bibliography | None = None          # None when the brief has no bibliography at all
    claims: list[Claim] = field(default_factory=list)   # the brief's claims, found once by the engine
    entry: Entry | None = None
    checked: date | None = None
    bibfile: BibFile | None = None
    cited_keys: frozenset[str] = frozenset()
    shared: dict = field(default_factory=dict)   # what the rules of one brief compute once (its evidence checks)
