"""duplicate-key: a key defined twice makes the citation ambiguous; the later entry is reported."""

from citebrief.findings import Severity
from citebrief.rules.base import EXAMPLE_BIB, Example, Rule, at_bib, brief
from citebrief.rules.context import Hit


def check(ctx):
    for later, earlier in ctx.bibfile.duplicates:     # pandoc uses the later one
        yield Hit(f"duplicate key {later.key} (first defined on line {earlier.line}; pandoc uses this later one)",
                  bib_line=later.line)


_BODY = brief("ICE lists three 287(g) models [@ice2025].\n")

RULE = Rule(
    scope="bibliography",
    name="duplicate-key",
    severity=Severity.ERROR,
    summary="Two bibliography entries share one key.",
    check=check,
    passing=(
        Example(_BODY),
        Example(_BODY, bib="@string{ice2025 = {ICE}}\n" + EXAMPLE_BIB),   # macros have their own names
    ),
    failing=(
        # 7 lines, a blank line, then the second entry: reported at line 9, pointing back to line 1
        Example(_BODY, bib=EXAMPLE_BIB + "\n" + EXAMPLE_BIB,
                fires=(at_bib(9, 1, "duplicate key ice2025 (first defined on line 1"),)),
    ),
)
