"""missing-limitations: every brief says where its evidence stops."""

from citebrief.findings import Severity
from citebrief.rules.base import EXAMPLE_FRONT, Example, Rule, at, brief
from citebrief.rules.context import Hit


def check(ctx):
    if ctx.brief.limitations is None:
        names = " or ".join(f'"{h}"' for h in ctx.config.limitation_headings)
        yield Hit(f"no limitations section: add a heading starting with {names}, or one with {{.limitations}}",
                  offset=0)


RULE = Rule(
    name="missing-limitations",
    severity=Severity.ERROR,
    summary="The brief has no limitations section saying what the evidence does not show.",
    check=check,
    passing=(
        Example(brief("ICE lists three models [@ice2025].\n")),
        Example(EXAMPLE_FRONT + "Text [@ice2025].\n\n## What we could not check {.limitations}\n\nNo outcome data.\n"),
        Example(EXAMPLE_FRONT + "Text [@ice2025].\n\n# Caveats\n\nThe data cover 2025 only.\n"),
    ),
    failing=(
        # the whole brief lacks it: reported at its start
        Example(EXAMPLE_FRONT + "ICE lists three models [@ice2025].\n",
                fires=(at(1, 1, 'no limitations section: add a heading starting with "Limitations" or "Caveats"'),)),
        Example(EXAMPLE_FRONT + "ICE lists three models [@ice2025].\n\n# Background\n\nMore here [@ice2025].\n",
                fires=(at(1, 1, "or one with {.limitations}"),)),
    ),
)
