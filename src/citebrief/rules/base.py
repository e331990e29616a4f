"""The rule contract. Each rule is one small module in this package exporting ``RULE``.

A rule is a pure function from a :class:`~citebrief.rules.context.LintContext` to findings,
plus the metadata ``citebrief rules`` prints and a table of passing and failing examples
(proselint's style) that the test-suite runs, so every rule documents and tests itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from citebrief.findings import Severity

if TYPE_CHECKING:
    from citebrief.rules.context import Hit, LintContext

# A bibliography every example may cite unless it brings its own.
EXAMPLE_BIB = """@report{ice2025,
  author = {{U.S. Immigration and Customs Enforcement}},
  title = {Delegation of Immigration Authority Section 287(g)},
  date = {2025},
  url = {https://www.ice.gov/identify-and-arrest/287g},
  urldate = {2025-11-27},
}
"""

EXAMPLE_FRONT = "---\ntitle: Example\nchecked: 2025-11-27\n---\n\n"
EXAMPLE_LIMITS = "\n\n# Limitations\n\nThe sources cover one year only.\n"


@dataclass(frozen=True)
class Expect:
    """One finding a failing example must produce: where it points, and part of what it says."""

    file: str          # "brief" (the example's brief) or "bib" (its bibliography)
    line: int          # 1-based, as `citebrief lint` prints it
    column: int        # 1-based
    message: str       # a fragment the finding's message contains


def snippet(text: str, width: int = 60) -> str:
    """A quoted sentence on one line, cut at a word boundary (never "more tha…") when longer than ``width``."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    cut = text[: width - 1]
    if text[width - 1] != " " and " " in cut:     # mid-word: back to the last whole word
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:") + "…"


def at(line: int, column: int, message: str) -> Expect:
    """A finding at line:column of the example's brief."""
    return Expect("brief", line, column, message)


def at_bib(line: int, column: int, message: str) -> Expect:
    """A finding at line:column of the example's bibliography."""
    return Expect("bib", line, column, message)


@dataclass(frozen=True)
class Example:
    """A brief (and optionally its bibliography) on which a rule must or must not fire.

    ``brief`` is the full Markdown text; use :func:`brief` to wrap a body in valid front
    matter and a limitations section so only the rule under test can fire. A failing
    example lists in ``fires`` every finding the rule must give on it, no more and no fewer.
    ``files`` are more files of the example project, as (path relative to the project, text),
    e.g. snapshots ``("sources/ice2025.txt", "...")``.
    """

    brief: str
    bib: str | bytes = EXAMPLE_BIB     # bytes: a file in another encoding
    today: str = "2025-12-01"   # the date "now" for stale-check style rules
    fires: tuple[Expect, ...] = ()
    files: tuple[tuple[str, str], ...] = ()


def brief(body: str, *, front: str = EXAMPLE_FRONT, limits: str = EXAMPLE_LIMITS) -> str:
    return front + body + limits


SCOPES = ("brief", "entry", "bibliography")    # what one call of ``check`` looks at (rules/context.py)


@dataclass(frozen=True)
class Rule:
    name: str
    severity: Severity
    summary: str                                   # one line for `citebrief rules`
    check: Callable[[LintContext], Iterable[Hit]]
    passing: tuple[Example, ...] = field(default=())
    failing: tuple[Example, ...] = field(default=())
    scope: str = "brief"
    command: str = "lint"       # the command whose findings these are ("links": only `citebrief links`)
