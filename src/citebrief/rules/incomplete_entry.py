"""incomplete-entry: a source needs a title, someone responsible for it, and a date."""

from citebrief.findings import Severity
from citebrief.rules.base import EXAMPLE_BIB, Example, Rule, at_bib, brief
from citebrief.rules.context import Hit

REQUIRED = (
    ("title",),
    ("author", "editor", "organization", "institution", "publisher"),
    ("date", "year"),
)


def check(ctx):
    entry = ctx.entry
    if entry.entry_type in ("xdata", "set"):   # containers, not sources
        return
    missing = ["/".join(names) for names in REQUIRED if not entry.has(*names)]
    if missing:
        yield Hit(f"entry {entry.key} has no {', no '.join(missing)}", bib_line=entry.line)
    elif entry.date() is None and not entry.undated:
        name = entry.date_field()
        yield Hit(f"entry {entry.key}: {name} `{entry.get(name)}` is not a date (write YYYY, YYYY-MM or "
                  "YYYY-MM-DD, or n.d. for a source that has none)", bib_line=entry.field_lines.get(name, entry.line))


_BODY = brief("ICE lists three 287(g) models [@ice2025].\n")

RULE = Rule(
    scope="entry",
    name="incomplete-entry",
    severity=Severity.ERROR,
    summary="A bibliography entry lacks a title, an author (or editor, organization...), or a readable date.",
    check=check,
    passing=(
        Example(_BODY),
        Example(_BODY, bib=EXAMPLE_BIB.replace("  date = {2025},", "  year = 2025,").replace(
            "  author = {{U.S. Immigration and Customs Enforcement}},", "  institution = {ICE},")),
        Example(_BODY, bib=EXAMPLE_BIB.replace("date = {2025}", "date = {n.d.}")),     # says it is undated
        Example(_BODY, bib="@book{dhs, title = {DHS Handbook}, publisher = {DHS}, year = 2024}\n"
                           "@incollection{ice2025, crossref = {dhs}, title = {Section 287(g)}}\n"),
    ),
    failing=(
        # a missing field is reported at the entry (line 1), an unreadable one at its own line
        Example(_BODY, bib=EXAMPLE_BIB.replace("  date = {2025},\n", ""),
                fires=(at_bib(1, 1, "entry ice2025 has no date/year"),)),
        Example(_BODY, bib=EXAMPLE_BIB.replace("date = {2025}", "date = {someday}"),   # not a date
                fires=(at_bib(4, 1, "entry ice2025: date `someday` is not a date"),)),
        Example(_BODY, bib="@misc{ice2025, url = {https://www.ice.gov/287g}, urldate = {2025-11-27}}\n",
                fires=(at_bib(1, 1, "has no title, no author/editor/organization/institution/publisher, "
                                    "no date/year"),)),
        Example(_BODY, bib=EXAMPLE_BIB.replace("title = {Delegation", "title = {}, note = {Delegation"),
                fires=(at_bib(1, 1, "entry ice2025 has no title"),)),
    ),
)
