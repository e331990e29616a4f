"""duplicate-key: a key defined twice makes the citation ambiguous; the later entry is reported."""

from citebrief.findings import Severity
from citebrief.rules.base import EXAMPLE_BIB, Example, Rule, brief
from citebrief.rules.context import Hit


def check(ctx):
    if ctx.bib is None:
        return
    for dup in ctx.bib.duplicates:
        first = ctx.bib.entries[dup.key]
        yield Hit(f"duplicate key {dup.key} (first defined on line {first.line})", bib_line=dup.line)


_BODY = brief("ICE lists three 287(g) models [@ice2025].\n")

RULE = Rule(
    name="duplicate-key",
    severity=Severity.ERROR,
    summary="Two bibliography entries share one key.",
    check=check,
    passing=(
        Example(_BODY),
        Example(_BODY, bib="@string{ice2025 = {ICE}}\n" + EXAMPLE_BIB),   # macros have their own names
    ),
    failing=(Example(_BODY, bib=EXAMPLE_BIB + "\n" + EXAMPLE_BIB),),
)
