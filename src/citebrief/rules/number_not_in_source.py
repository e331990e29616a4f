"""number-not-in-source: a figure in a cited sentence should be one its sources state.

Counts, amounts, percentages, decimals and tallies; "1,001" = "1001", "641%" = "641 percent",
"1.2 million" = "1,200,000". Years on their own, dates, list numbering and section numbers are
not figures (citebrief/evidence/match.py: figures_in).
"""

from citebrief.evidence.snapshots import evidence_for
from citebrief.findings import Severity
from citebrief.rules.base import Example, Rule, at, brief
from citebrief.rules.context import Hit

SOURCE = ("sources/ice2025.txt",
          "As of November 2025, ICE has 1,001 agreements in 40 states. Participation rose 641 percent\n"
          "since January 2025; the House passed the bill 218-214. Training costs $1.2 million a year.\n")


def check(ctx):
    evidence = evidence_for(ctx)
    if evidence is None:
        return
    for f in evidence.figures():
        if f.checked and f.found_in is None:
            keys = ", ".join(f.sources.keys)
            yield Hit(f"figure {f.figure.text!r} is not in the snapshot of {keys}", offset=f.offset)


def _ex(body: str, *fires) -> Example:
    return Example(brief(body), files=(SOURCE,), fires=fires)


RULE = Rule(
    name="number-not-in-source",
    severity=Severity.WARNING,
    summary="A figure (count, amount, percentage, tally) in a cited sentence is in none of its cited snapshots.",
    check=check,
    passing=(
        _ex("ICE has 1001 agreements in 40 states [@ice2025].\n"),
        _ex("Participation rose 641% in 2025 [@ice2025].\n"),                 # 641% = 641 percent; a year
        _ex("The bill passed 218–214 on Jan. 14 [@ice2025].\n"),              # a tally; a date
        _ex("Training costs $1,200,000 a year [@ice2025].\n"),                # = $1.2 million
        _ex("The program has (1) a jail model and (2) a task force model [@ice2025].\n"),  # list numbering
        _ex("Agreements rose to 1,190 under Section 287(g) [@other].\n"),     # no snapshot for @other
    ),
    failing=(
        _ex("ICE has 1,190 agreements in 40 states [@ice2025].\n", at(6, 9, "figure '1,190'")),
        _ex("Participation rose 614 percent [@ice2025].\n", at(6, 20, "figure '614 percent'")),
        _ex("Participation rose 64.1% in a year [@ice2025].\n", at(6, 20, "figure '64.1%'")),  # a point moved
    ),
)
