"""bib-encoding: a bibliography that is not UTF-8 is read as Latin-1 (pandoc's BibTeX reader falls
back the same way), but other tools may read it differently: save it as UTF-8."""

from citebrief.findings import Severity
from citebrief.rules.base import EXAMPLE_BIB, Example, Rule, at_bib, brief
from citebrief.rules.context import Hit


def check(ctx):
    for line, message in ctx.bibfile.warnings:
        yield Hit(message, bib_line=line)


_BODY = brief("ICE lists three 287(g) models [@ice2025].\n")

RULE = Rule(
    scope="bibliography",
    name="bib-encoding",
    severity=Severity.WARNING,
    summary="A bibliography file is not UTF-8 (it is read as Latin-1, as pandoc's BibTeX reader does).",
    check=check,
    passing=(Example(_BODY),),
    failing=(
        # at the line of the first byte that is not UTF-8: the title, line 3
        Example(_BODY, bib=EXAMPLE_BIB.replace("Delegation", "D\xe9l\xe9gation").encode("latin-1"),
                fires=(at_bib(3, 1, "not UTF-8 (byte 0xe9): read as Latin-1"),)),
    ),
)
