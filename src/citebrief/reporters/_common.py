"""What the reporters share: one finding order and one summary sentence."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from citebrief.engine import LintResult
    from citebrief.findings import Finding


def sorted_findings(findings: Iterable[Finding]) -> list[Finding]:
    """By path, line, column (then rule and message, so equal positions are stable too)."""
    return sorted(findings, key=lambda f: (f.path, f.line, f.column, f.rule, str(f.severity), f.message))


def severity(finding: Finding) -> str:
    return str(getattr(finding.severity, "value", finding.severity))


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def percent(part: int, whole: int) -> str:
    """``66.7%`` for 2 of 3: one decimal (none when it is 0), and never rounded to 100% or 0% when
    that is not exactly true, so 100% means every one and 0% none."""
    share = round(part * 100 / whole, 1)
    if part < whole:
        share = min(share, 99.9)
    if part > 0:
        share = max(share, 0.1)
    return f"{share:.1f}".removesuffix(".0") + "%"


def claims_phrase(result: LintResult) -> str:
    """``41/43 claims cited (95.3%)``."""
    if result.claims <= 0:
        return "no claims found"
    return (f"{result.cited_claims}/{result.claims} {'claim' if result.claims == 1 else 'claims'} cited "
            f"({percent(result.cited_claims, result.claims)})")


def problems_phrase(result: LintResult) -> str:
    """``2 errors, 1 warning in 3 files`` or ``No problems in 3 files``."""
    counts = []
    if result.errors:
        counts.append(plural(result.errors, "error"))
    if result.warnings:
        counts.append(plural(result.warnings, "warning"))
    return f"{', '.join(counts) or 'No problems'} in {plural(result.files, 'file')}"


def summary_line(result: LintResult) -> str:
    return f"{problems_phrase(result)}; {claims_phrase(result)}"


def one_line(message: str) -> str:
    """Line-oriented formats keep each finding on one line."""
    return " ".join(message.splitlines()) if ("\n" in message or "\r" in message) else message
