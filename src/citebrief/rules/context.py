"""What a rule sees (LintContext) and what it returns (Hit).

Rules speak in source offsets (manuscript) or lines (bibliography); the engine is the one
place that turns them into path:line:column findings with the rule's name and severity.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from citebrief.bib import Bibliography
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
    config: "Config"
    brief: "Brief"
    bib: "Bibliography | None"     # None when the brief has no bibliography at all
    today: date
    cited_keys: frozenset[str] = frozenset()   # keys cited (or nocited) by every brief linted with this bib
    claims: list["Claim"] = field(default_factory=list)   # the brief's claims, found once by the engine
