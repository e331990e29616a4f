"""Reporters: turn a :class:`~citebrief.engine.LintResult` into what the user (or CI) reads.

Every reporter is a plain function ``render(result, *, color=False) -> str`` that returns the
whole output, ending in a newline; the CLI only prints it. ``color`` matters to ``text`` only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from citebrief.errors import CitebriefError
from citebrief.reporters import github, json_report, sarif, text

if TYPE_CHECKING:
    from citebrief.engine import LintResult

Reporter = Callable[..., str]

REPORTERS: dict[str, Reporter] = {
    "text": text.render,
    "json": json_report.render,
    "github": github.render,
    "sarif": sarif.render,
}


def render(name: str, result: LintResult, **kwargs) -> str:
    """Render ``result`` with the reporter called ``name`` ("text", "json", "github", "sarif")."""
    try:
        reporter = REPORTERS[name]
    except KeyError:
        raise CitebriefError(f"unknown output format {name!r} (choose from {', '.join(REPORTERS)})") from None
    return reporter(result, **kwargs)


__all__ = ["REPORTERS", "Reporter", "render"]
