"""``--format github``: GitHub Actions workflow commands, shown as annotations on a pull request.

``::error file=PATH,line=L,col=C,title=RULE::MESSAGE`` per finding, then a plain summary line.
Escaping follows @actions/core (toolkit ``command.ts``): data escapes ``%``, CR and LF; property
values additionally escape ``:`` and ``,`` (which would otherwise end the value).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from citebrief.reporters._common import severity, sorted_findings, summary_line

if TYPE_CHECKING:
    from citebrief.engine import LintResult

COMMANDS = {"error": "error", "warning": "warning"}


def escape_data(value: object) -> str:
    return str(value).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: object) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def command(finding) -> str:
    name = COMMANDS.get(severity(finding), "notice")
    props = ",".join(f"{key}={escape_property(value)}" for key, value in (
        ("file", finding.path), ("line", finding.line), ("col", finding.column), ("title", finding.rule)))
    return f"::{name} {props}::{escape_data(finding.message)}"


def render(result: LintResult, *, color: bool = False) -> str:
    lines = [command(f) for f in sorted_findings(result.findings)]
    lines.append(summary_line(result))
    return "\n".join(lines) + "\n"
