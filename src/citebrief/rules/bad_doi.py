"""bad-doi: a `doi` must be a DOI (10.NNNN/suffix); `doi:` and https://doi.org/ prefixes are fine."""

import re

from citebrief.findings import Severity
from citebrief.rules.base import EXAMPLE_BIB, Example, Rule, at_bib, brief
from citebrief.rules.context import Hit

DOI = re.compile(r"(?:doi:\s*|https?://(?:dx\.)?doi\.org/)?10\.\d{4,9}(?:\.\d+)*/\S+", re.IGNORECASE)


def check(ctx):
    entry = ctx.entry
    doi = entry.get("doi")
    if doi is not None and not DOI.fullmatch(doi):
        yield Hit(f"entry {entry.key}: doi {doi!r} is not a DOI (10.NNNN/...)",
                  bib_line=entry.field_lines.get("doi", entry.line))


_BODY = brief("ICE lists three 287(g) models [@ice2025].\n")
_END = "  urldate = {2025-11-27},\n"


def _with(doi: str) -> str:
    return EXAMPLE_BIB.replace(_END, _END + f"  doi = {{{doi}}},\n")


RULE = Rule(
    scope="entry",
    name="bad-doi",
    severity=Severity.ERROR,
    summary="A bibliography entry's `doi` is not of the form 10.NNNN/suffix.",
    check=check,
    passing=(
        Example(_BODY, bib=_with("10.1000/xyz123")),
        Example(_BODY, bib=_with("https://doi.org/10.1093/ajae/aaq063")),
        Example(_BODY, bib=_with("doi:10.1016/S0140-6736(20)30183-5")),
    ),
    failing=(
        # the doi field is line 7 of the example bibliography
        Example(_BODY, bib=_with("1093/ajae/aaq063"), fires=(at_bib(7, 1, "doi '1093/ajae/aaq063' is not a DOI"),)),
        Example(_BODY, bib=_with("https://example.org/10.1000/xyz"),
                fires=(at_bib(7, 1, "doi 'https://example.org/10.1000/xyz' is not a DOI"),)),
        Example(_BODY, bib=_with("10.12/short"), fires=(at_bib(7, 1, "entry ice2025: doi '10.12/short'"),)),
    ),
)
