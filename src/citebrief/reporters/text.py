"""The default format: ``path:line:col: severity rule: message``, then one summary line."""

from __future__ import annotations

from typing import TYPE_CHECKING

from citebrief.reporters._common import claims_phrase, one_line, problems_phrase, severity, sorted_findings

if TYPE_CHECKING:
    from citebrief.engine import LintResult

RESET = "\033[0m"
BOLD = "\033[1m"
DIM = "\033[2m"
STYLES = {"error": "\033[1;31m", "warning": "\033[1;33m"}   # bold red, bold yellow
CLEAN = "\033[1;32m"                                           # bold green


def _paint(text: str, style: str, color: bool) -> str:
    return f"{style}{text}{RESET}" if color and style else text


def render(result: LintResult, *, color: bool = False) -> str:
    lines = []
    for f in sorted_findings(result.findings):
        sev = severity(f)
        where = _paint(f"{f.path}:{f.line}:{f.column}:", BOLD, color)
        lines.append(f"{where} {_paint(sev, STYLES.get(sev, ''), color)} "
                     f"{_paint(f.rule + ':', DIM, color)} {one_line(f.message)}")
    problems = problems_phrase(result)
    style = STYLES["error"] if result.errors else STYLES["warning"] if result.warnings else CLEAN
    lines.append(f"{_paint(problems, style, color)}; {claims_phrase(result)}")
    return "\n".join(lines) + "\n"
