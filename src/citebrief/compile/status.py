"""What the outputs say about the brief's checks: the DRAFT mark, the "Stale" mark and the footer.

The compile run decides it once per brief (compile/__init__.py) and hands it to every writer
through ``Prepared.status``, so the three formats cannot disagree:

* **Draft**: the brief was compiled with ``--no-lint`` and did not pass its checks (lint found
  errors, or could not run). Every format carries a visible DRAFT mark.
* **Stale**: the brief's ``checked`` date is more than ``max_age_days`` before the build date
  (``SOURCE_DATE_EPOCH``'s day when set, timestamps.py). The age in days stands next to the date.
* **The footer** names exactly the checks that passed: the error rules that ran (a brief with
  lint errors is not compiled unless it is a draft), and what citebrief never checks. The bundle's
  index page says the same of every brief it lists, in the same words (``checks_sentence``).

Everything here is a function of what the cache key already covers (the brief, its bibliographies,
the configuration, the build date when stale), so a cached output never shows an outdated mark.
The texts are citebrief's own words and numbers: no field of the brief reaches them.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date

CLAIMS_RULES = ("uncited-claim",)
# the error rules whose passing the checks sentence reports, and what it says of them, in its order
# (the footer of every output and the bundle's index page both say it: checks_sentence)
CHECKS: tuple[tuple[tuple[str, ...], str], ...] = (
    (CLAIMS_RULES, "every claim cites a source"),
    (("unknown-key", "incomplete-entry"),
     "every citation resolves to a bibliography entry with a title, an author or organisation and a date"),
    (("bad-url", "bad-doi"), "every URL and DOI those entries give is well formed"),
    (("unflagged-limitation",), "sentences that admit a gap in the evidence are flagged"),
    (("missing-limitations", "empty-limitations"), "a limitations section says what the evidence does not show"),
)
NEVER_CHECKED = "citebrief does not check that the sources say what {what}"
QUOTES_CHECKED = ("Beyond comparing quotations with the saved copies of their sources that a project keeps, "
                  + NEVER_CHECKED)
QUOTE_RULES = ("quote-not-in-source",)


def checks_sentence(rules: Collection[str], claims: int | None = None) -> str:
    """The checks that ``rules`` (the rules that ran) make, as one list: "every claim cites a source;
    ...; and a limitations section says ..."; "" when they make none. ``claims``: a brief's number of
    claims, which its own footer states."""
    passed = []
    for needed, phrase in CHECKS:
        if not all(r in rules for r in needed):
            continue
        if needed is CLAIMS_RULES and claims is not None:
            phrase = (f"every one of its {claims} claims cites a source" if claims != 1
                      else "its one claim cites a source")
        passed.append(phrase)
    if len(passed) <= 1:
        return "".join(passed)
    return "; ".join(passed[:-1]) + "; and " + passed[-1]


def never_checked(rules: Collection[str], what: str = "the brief says") -> str:
    """What citebrief does not check, given the rules that ran (the quotation check, or not); no final stop."""
    return (QUOTES_CHECKED if all(r in rules for r in QUOTE_RULES) else NEVER_CHECKED).format(what=what)


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
        never = never_checked(self.rules)
        if self.draft:
            return f"{self.draft_text} {never[0].upper()}{never[1:]}."
        listed = checks_sentence(self.rules, self.claims)
        if not listed:
            return f"Compiled with citebrief; none of its citation checks was selected. {never}."
        return f"Checked by citebrief before compiling: {listed}. {never}."
