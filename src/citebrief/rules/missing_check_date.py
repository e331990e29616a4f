"""missing-check-date: readers must know when the facts were last checked."""

from citebrief.findings import Severity
from citebrief.rules.base import Example, Rule, at, brief
from citebrief.rules.context import Hit


def check(ctx):
    b = ctx.brief
    if b.checked is not None:
        return
    value = b.meta.get("checked")
    if value is None:
        yield Hit("front matter has no `checked: YYYY-MM-DD` date", offset=0)
    else:
        yield Hit(f"`checked: {value}` is not a date in YYYY-MM-DD form", offset=b.checked_offset or 0)


RULE = Rule(
    name="missing-check-date",
    severity=Severity.ERROR,
    summary="The front matter has no valid `checked: YYYY-MM-DD` date.",
    check=check,
    passing=(Example(brief("ICE lists three models [@ice2025].\n")),),
    failing=(
        Example(brief("ICE lists three models [@ice2025].\n", front="---\ntitle: T\n---\n\n"),
                fires=(at(1, 1, "front matter has no `checked: YYYY-MM-DD` date"),)),
        Example(brief("ICE lists three models [@ice2025].\n", front="---\nchecked: last week\n---\n\n"),
                fires=(at(2, 1, "`checked: last week` is not a date in YYYY-MM-DD form"),)),
        Example(brief("ICE lists three models [@ice2025].\n", front=""),
                fires=(at(1, 1, "front matter has no `checked: YYYY-MM-DD` date"),)),
    ),
)
