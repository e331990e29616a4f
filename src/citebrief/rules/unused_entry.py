"""unused-entry: an entry no brief cites (nor lists in front-matter `nocite`) is probably stale."""

from citebrief.findings import Severity
from citebrief.rules.base import EXAMPLE_BIB, Example, Rule, at_bib, brief
from citebrief.rules.context import Hit


def check(ctx):
    # cited_keys: cited by any brief of the manuscript folder that uses this file (engine.py)
    if ctx.bibfile.inline:       # a brief's own references: listing them is the author's choice
        return
    for key, entry in ctx.bibfile.entries.items():
        if key not in ctx.cited_keys and entry.entry_type not in ("xdata", "set"):
            yield Hit(f"entry {key} is never cited (cite it, list it in `nocite`, or remove it)",
                      bib_line=entry.line)


_SECOND = EXAMPLE_BIB.replace("{ice2025,", "{ice2024,")

RULE = Rule(
    scope="bibliography",
    name="unused-entry",
    severity=Severity.WARNING,
    summary="A bibliography entry is never cited and not listed in `nocite`.",
    check=check,
    passing=(
        Example(brief("ICE lists three 287(g) models [@ice2025].\n")),
        Example(brief("ICE lists three 287(g) models [@ice2025].\n",
                      front="---\ntitle: Example\nchecked: 2025-11-27\nnocite: \"@ice2024\"\n---\n\n"),
                bib=EXAMPLE_BIB + _SECOND),
        Example(brief("ICE lists three 287(g) models [@ice2025].\n",
                      front="---\ntitle: Example\nchecked: 2025-11-27\nnocite: \"@*\"\n---\n\n"),
                bib=EXAMPLE_BIB + _SECOND),
    ),
    failing=(
        Example(brief("ICE lists three 287(g) models [@ice2025].\n"), bib=EXAMPLE_BIB + _SECOND,   # 2nd entry: line 8
                fires=(at_bib(8, 1, "entry ice2024 is never cited"),)),
    ),
)
