"""missing-access-date: a web source needs the date it was read (`urldate`), since pages change."""

from citebrief.findings import Severity
from citebrief.rules.base import EXAMPLE_BIB, Example, Rule, at_bib, brief
from citebrief.rules.context import Hit


def check(ctx):
    entry = ctx.entry
    if entry.has("url") and not entry.has("urldate"):
        yield Hit(f"entry {entry.key} has a url but no urldate (when was the page read?)",
                  bib_line=entry.field_lines.get("url", entry.line))


_BODY = brief("ICE lists three 287(g) models [@ice2025].\n")
_NO_URL = (EXAMPLE_BIB.replace("  url = {https://www.ice.gov/identify-and-arrest/287g},\n", "")
           .replace("  urldate = {2025-11-27},\n", ""))            # no url: no access date needed

RULE = Rule(
    scope="entry",
    name="missing-access-date",
    severity=Severity.WARNING,
    summary="A bibliography entry has a `url` but no `urldate`.",
    check=check,
    passing=(Example(_BODY), Example(_BODY, bib=_NO_URL)),
    failing=(
        Example(_BODY, bib=EXAMPLE_BIB.replace("  urldate = {2025-11-27},\n", ""),   # at the url, line 5
                fires=(at_bib(5, 1, "entry ice2025 has a url but no urldate"),)),
    ),
)
