"""unused-entry: an entry no brief cites (nor lists in front-matter `nocite`) is probably stale."""

from citebrief.bib import nocite_keys
from citebrief.findings import Severity
from citebrief.rules.base import EXAMPLE_BIB, Example, Rule, brief
from citebrief.rules.context import Hit


def check(ctx):
    bib = ctx.bib
    if bib is None:
        return
    used = set(ctx.cited_keys) | {c.key for c in ctx.brief.citations} | nocite_keys(ctx.brief.meta)
    if "*" in used:
        return
    pending = [k for k in used if k in bib.entries]
    while pending:                           # a cited entry uses its crossref/xdata parents
        for parent in bib.parents(bib.entries[pending.pop()]):
            if parent not in used and parent in bib.entries:
                used.add(parent)
                pending.append(parent)
    for key, entry in bib.entries.items():
        if key not in used and entry.entry_type not in ("xdata", "set"):
            yield Hit(f"entry {key} is never cited (cite it, list it in `nocite`, or remove it)",
                      bib_line=entry.line)


_SECOND = EXAMPLE_BIB.replace("{ice2025,", "{ice2024,")

RULE = Rule(
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
    failing=(Example(brief("ICE lists three 287(g) models [@ice2025].\n"), bib=EXAMPLE_BIB + _SECOND),),
)
