"""bib-syntax: the bibliography must parse; each broken block is reported at its .bib line."""

from citebrief.findings import Severity
from citebrief.rules.base import EXAMPLE_BIB, Example, Rule, at_bib, brief
from citebrief.rules.context import Hit


def check(ctx):
    for line, message in ctx.bibfile.errors:
        yield Hit(message, bib_line=line)


_BODY = brief("ICE lists three 287(g) models [@ice2025].\n")

RULE = Rule(
    scope="bibliography",
    name="bib-syntax",
    severity=Severity.ERROR,
    summary="A block of the BibTeX bibliography cannot be parsed (unbalanced braces, missing comma...).",
    check=check,
    passing=(
        Example(_BODY),
        Example(_BODY, bib="% a comment\n@string{ice = {U.S. Immigration and Customs Enforcement}}\n"
                           "@comment{old entries below}\n@preamble{\"\\newcommand{\\noop}[1]{}\"}\n"
                           + EXAMPLE_BIB.replace("{{U.S. Immigration and Customs Enforcement}}", "ice")),
        Example(_BODY, bib="@report(ice2025, title = \"Delegation {\"}287(g){\"}\", author = {ICE}, year = 2025,\n"
                           "  url = {https://www.ice.gov/287g}, urldate = {2025-11-27})\n"),
    ),
    failing=(
        # unclosed brace (line 3): the entry that never ends, at its first line
        Example(_BODY, bib=EXAMPLE_BIB.replace("287(g)}", "287(g)"),
                fires=(at_bib(1, 1, "`@report{ice2025` is not closed before the end of the file"),)),
        # missing comma at the end of line 3: found at the field after it
        Example(_BODY, bib=EXAMPLE_BIB.replace("287(g)},", "287(g)}"),
                fires=(at_bib(4, 1, "missing `,` before this field"),)),
        Example(_BODY, bib=EXAMPLE_BIB.replace("@report", "report"),                      # no @
                fires=(at_bib(1, 1, "`report{ice2025,` has no `@`"),)),
    ),
)
