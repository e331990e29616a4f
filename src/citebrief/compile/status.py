"""What the outputs say about the brief's checks: the DRAFT mark, the "Stale" mark and the footer.

The compile run decides it once per brief (compile/__init__.py) and hands it to every writer
through ``Prepared.status``, so the three formats cannot disagree:

* **Draft**: the brief was compiled with ``--no-lint`` and did not pass its checks (lint found
  errors, or could not run). Every format carries a visible DRAFT mark.
* **Stale**: the brief's ``checked`` date is more than ``max_age_days`` before the build date
  (``SOURCE_DATE_EPOCH``'s day when set, timestamps.py). The age in days stands next to the date.
* **The footer** names exactly the checks that passed: the error rules that ran (a brief with
  lint errors is not compiled unless it is a draft), and what citebrief never checks.

Everything here is a function of what the cache key already covers (the brief, its bibliographies,
the configuration, the build date when stale), so a cached output never shows an outdated mark.
The texts are citebrief's own words and numbers: no field of the brief reaches them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

# the error rules whose passing the footer reports, in the order of its sentence
CLAIMS_RULES = ("uncited-claim",)
SOURCE_RULES = ("unknown-key", "incomplete-entry")
LINK_RULES = ("bad-url", "bad-doi")
GAP_RULES = ("unflagged-limitation",)
SECTION_RULES = ("missing-limitations", "empty-limitations")
NEVER_CHECKED = "citebrief does not check that the sources say what the brief says."
QUOTES_CHECKED = ("Beyond comparing quotations with the saved copies of their sources that a project keeps, "
                  "citebrief does not check that the sources say what the brief says.")
QUOTE_RULES = ("quote-not-in-source",)


def stale_age(checked: date | None, today: date, max_age_days: int) -> int | None:
    """The age in days of a ``checked`` date older than ``max_age_days`` on ``today``; else None."""
    if checked is None:
        return None
    age = (today - checked).days
    return age if age > max_age_days else None


@dataclass(frozen=True)
class Status:
    linted: bool = True                     # lint ran (with --no-lint it still runs, but does not gate)
    errors: int = 0                         # the brief's own lint errors
    error_rules: tuple[str, ...] = ()       # the rules that found them, sorted
    rules: frozenset[str] = field(default_factory=frozenset)    # the rules that ran
    claims: int = 0
    stale_days: int | None = None           # set when stale
    max_age_days: int = 90

    @property
    def draft(self) -> bool:
        return not self.linted or self.errors > 0

    @property
    def stale(self) -> bool:
        return self.stale_days is not None

    # --- the texts ------------------------------------------------------------------------
    @property
    def stale_text(self) -> str:
        """Next to the checked date: ``Stale: 367 days old when built (limit 90)``."""
        if not self.stale:
            return ""
        return f"Stale: {self.stale_days} days old when built (limit {self.max_age_days})"

    @property
    def draft_banner(self) -> str:
        """One short line for banners, page headers and the DOCX header."""
        return "DRAFT \u2014 did not pass its checks" if self.draft else ""

    @property
    def draft_text(self) -> str:
        """The front block's explanation of the DRAFT mark."""
        if not self.draft:
            return ""
        if not self.linted:
            return ("DRAFT: compiled with --no-lint, and citebrief could not check this brief. "
                    "Do not publish it as checked.")
        found = "1 lint error" if self.errors == 1 else f"{self.errors} lint errors"
        return (f"DRAFT: this brief did not pass its checks ({found}: {', '.join(self.error_rules)}) and was "
                f"compiled anyway with --no-lint. Do not publish it as checked.")

    @property
    def footer(self) -> str:
        """The last words of every output: which checks passed, and what was not checked."""
        never = QUOTES_CHECKED if self._ran(QUOTE_RULES) else NEVER_CHECKED
        if self.draft:
            return f"{self.draft_text} {never[0].upper()}{never[1:]}"
        passed = []
        if self._ran(CLAIMS_RULES):
            passed.append(f"every one of its {self.claims} claims cites a source" if self.claims != 1
                          else "its one claim cites a source")
        if self._ran(SOURCE_RULES):
            passed.append("every citation resolves to a bibliography entry with a title, an author or "
                          "organisation and a date")
        if self._ran(LINK_RULES):
            passed.append("every URL and DOI those entries give is well formed")
        if self._ran(GAP_RULES):
            passed.append("sentences that admit a gap in the evidence are flagged")
        if self._ran(SECTION_RULES):
            passed.append("a limitations section says what the evidence does not show")
        if not passed:
            return f"Compiled with citebrief; none of its citation checks was selected. {never}"
        listed = passed[0] if len(passed) == 1 else "; ".join(passed[:-1]) + "; and " + passed[-1]
        return f"Checked by citebrief before compiling: {listed}. {never}"

    def _ran(self, rules: tuple[str, ...]) -> bool:
        return all(r in self.rules for r in rules)
