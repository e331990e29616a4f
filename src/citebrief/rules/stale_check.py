"""stale-check: facts checked long ago may have moved on (max_age_days, default 90)."""

from citebrief.findings import Severity
from citebrief.rules.base import Example, Rule, at, brief
from citebrief.rules.context import Hit


def check(ctx):
    checked = ctx.brief.checked
    if checked is None:
        return
    age = (ctx.today - checked).days
    if age > ctx.config.max_age_days:
        yield Hit(f"checked {checked.isoformat()}, {age} days ago (more than {ctx.config.max_age_days}): "
                  "re-check the facts and update `checked`", offset=ctx.brief.checked_offset or 0)
    elif age < 0:
        yield Hit(f"checked date {checked.isoformat()} is in the future", offset=ctx.brief.checked_offset or 0)


RULE = Rule(
    name="stale-check",
    severity=Severity.WARNING,
    summary="The brief's `checked` date is older than max_age_days (or in the future).",
    check=check,
    passing=(Example(brief("ICE lists three models [@ice2025].\n"), today="2025-12-01"),),
    failing=(
        # at the `checked:` line of the front matter (line 3)
        Example(brief("ICE lists three models [@ice2025].\n"), today="2026-11-28",
                fires=(at(3, 1, "checked 2025-11-27, 366 days ago (more than 90)"),)),
        Example(brief("ICE lists three models [@ice2025].\n"), today="2025-01-01",
                fires=(at(3, 1, "checked date 2025-11-27 is in the future"),)),
    ),
)
