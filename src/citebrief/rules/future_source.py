"""future-source: a source dated after the brief's `checked` date cannot have been checked."""

from citebrief.findings import Severity
from citebrief.rules.base import EXAMPLE_BIB, Example, Rule, at_bib, brief
from citebrief.rules.context import Hit


def check(ctx):
    entry, checked = ctx.entry, ctx.checked    # checked: of the briefs that cite it
    if checked is None:
        return
    when = entry.date()                  # the earliest day the date can mean: 2026 → 2026-01-01
    if when is not None and when > checked:
        name = entry.date_field()
        yield Hit(f"entry {entry.key} is dated {entry.written_date()}, after the brief was checked "
                  f"({checked.isoformat()})", bib_line=entry.field_lines.get(name, entry.line))


_BODY = brief("ICE lists three 287(g) models [@ice2025].\n")

RULE = Rule(
    scope="entry",
    name="future-source",
    severity=Severity.WARNING,
    summary="A bibliography entry is dated after the brief's `checked` date.",
    check=check,
    passing=(
        Example(_BODY),
        Example(_BODY, bib=EXAMPLE_BIB.replace("date = {2025}", "date = {2025-11}")),
        Example(_BODY, bib=EXAMPLE_BIB.replace("date = {2025}", "year = 2025, month = nov")),
    ),
    failing=(
        # the date is line 4 of the example bibliography; the brief was checked 2025-11-27
        Example(_BODY, bib=EXAMPLE_BIB.replace("date = {2025}", "date = {2025-11-28}"),
                fires=(at_bib(4, 1, "entry ice2025 is dated 2025-11-28, after the brief was checked (2025-11-27)"),)),
        Example(_BODY, bib=EXAMPLE_BIB.replace("date = {2025}", "year = 2025, month = dec"),
                fires=(at_bib(4, 1, "is dated December 2025, after"),)),
        Example(_BODY, bib=EXAMPLE_BIB.replace("date = {2025}", "date = {2026}"),
                fires=(at_bib(4, 1, "is dated 2026, after"),)),
    ),
)
