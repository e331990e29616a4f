"""dead-link, moved-link, unreachable-link: found by `citebrief links`, which asks the network
about each cited entry's url and doi (citebrief/evidence/links.py).

Lint never uses the network, so these never fire there; they are rules so that their names can
be selected, ignored and reported like any other. Their examples need a web server, so they
live in tests/test_links.py, served by a local one.
"""

from citebrief.findings import Severity
from citebrief.rules.base import Rule


def check(ctx):
    return ()


def _found_by_links(name: str, severity: Severity, summary: str) -> Rule:
    return Rule(name=name, severity=severity, summary=summary + " (from `citebrief links`).", check=check,
                command="links")


RULES = (
    _found_by_links("dead-link", Severity.ERROR,
                    "A cited source's URL or DOI answers 404/410 or its host does not exist"),
    _found_by_links("moved-link", Severity.WARNING, "A cited source's URL redirects permanently to a new address"),
    _found_by_links("unreachable-link", Severity.WARNING,
                    "A cited source's URL timed out or kept failing with 5xx/429"),
)
