"""bad-url: a `url` must be an absolute http(s) address a reader can open."""

import re

from citebrief.findings import Severity
from citebrief.rules.base import EXAMPLE_BIB, Example, Rule, at_bib, brief
from citebrief.rules.context import Hit

URL = re.compile(r"https?://[^\s/?#]+\.[^\s/?#]+(?::\d+)?(?:[/?#]\S*)?|https?://localhost(?::\d+)?(?:[/?#]\S*)?",
                 re.IGNORECASE)


def check(ctx):
    entry = ctx.entry
    url = entry.get("url")
    if url is not None and not URL.fullmatch(url):
        shown = url if len(url) <= 80 else url[:79] + "…"
        yield Hit(f"entry {entry.key}: url {shown!r} is not an absolute http(s) URL",
                  bib_line=entry.field_lines.get("url", entry.line))


_BODY = brief("ICE lists three 287(g) models [@ice2025].\n")
_URL = "https://www.ice.gov/identify-and-arrest/287g"

RULE = Rule(
    scope="entry",
    name="bad-url",
    severity=Severity.ERROR,
    summary="A bibliography entry's `url` is not an absolute http(s) URL.",
    check=check,
    passing=(Example(_BODY), Example(_BODY, bib=EXAMPLE_BIB.replace(_URL, "http://example.org:8080/a?b=1#c"))),
    failing=(
        # the url field is line 5 of the example bibliography
        Example(_BODY, bib=EXAMPLE_BIB.replace(_URL, "www.ice.gov/287g"),
                fires=(at_bib(5, 1, "url 'www.ice.gov/287g' is not an absolute http(s) URL"),)),
        Example(_BODY, bib=EXAMPLE_BIB.replace(_URL, "ftp://ice.gov/287g"),
                fires=(at_bib(5, 1, "entry ice2025: url 'ftp://ice.gov/287g'"),)),
        Example(_BODY, bib=EXAMPLE_BIB.replace(_URL, "https://www.ice.gov/a page"),
                fires=(at_bib(5, 1, "url 'https://www.ice.gov/a page' is not"),)),
    ),
)
