"""moved-link: found by `citebrief links`, which checks each cited entry's url and doi over the network.

Lint never uses the network, so this rule never fires there; it is a rule so that its name can be
selected, ignored and reported like any other (see citebrief/evidence/links.py, and
tests/test_links.py for its examples, served by a local HTTP server).
"""

from citebrief.findings import Severity
from citebrief.rules.base import Rule


def check(ctx):
    return ()


RULE = Rule(
    name="moved-link",
    severity=Severity.WARNING,
    summary="A cited source's URL redirects permanently to a new address (from `citebrief links`).",
    check=check,
    command="links",
)
