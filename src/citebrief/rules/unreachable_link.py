"""unreachable-link: found by `citebrief links`, which checks each cited entry's url and doi over the network.

Lint never uses the network, so this rule never fires there; it is a rule so that its name can be
selected, ignored and reported like any other (see citebrief/evidence/links.py, and
tests/test_links.py for its examples, served by a local HTTP server).
"""

from citebrief.findings import Severity
from citebrief.rules.base import Rule


def check(ctx):
    return ()


RULE = Rule(
    name="unreachable-link",
    severity=Severity.WARNING,
    summary="A cited source's URL timed out or kept failing with 5xx/429 (from `citebrief links`).",
    check=check,
    command="links",
)
