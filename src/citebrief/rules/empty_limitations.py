"""empty-limitations: a limitations heading with nothing under it flags nothing."""

from citebrief.findings import Severity
from citebrief.rules.base import EXAMPLE_FRONT, Example, Rule, at
from citebrief.rules.context import Hit


def check(ctx):
    heading = ctx.brief.limitations
    if heading is not None and not ctx.brief.limitation_sentences:
        yield Hit(f'limitations section "{heading.text}" holds no sentence', offset=heading.offset)


RULE = Rule(
    name="empty-limitations",
    severity=Severity.ERROR,
    summary="The limitations section is there but says nothing.",
    check=check,
    passing=(
        Example(EXAMPLE_FRONT + "Text here [@ice2025].\n\n# Limitations\n\nNo outcome data exist.\n"),
        Example(EXAMPLE_FRONT + "Text here [@ice2025].\n\n# Limitations\n\n## Data\n\nNo outcome data exist.\n"),
    ),
    failing=(
        # the front matter is lines 1-5, the text line 6, the heading line 8
        Example(EXAMPLE_FRONT + "Text here [@ice2025].\n\n# Limitations\n\n# Sources\n\nMore text [@ice2025].\n",
                fires=(at(8, 1, 'limitations section "Limitations" holds no sentence'),)),
        Example(EXAMPLE_FRONT + "Text here [@ice2025].\n\n# Limitations\n",
                fires=(at(8, 1, 'limitations section "Limitations" holds no sentence'),)),
    ),
)
