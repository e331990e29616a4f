"""Stage 3: run the rules over each brief and gather findings (select/ignore, suppressions)."""

from __future__ import annotations

from dataclasses import dataclass, field

from citebrief.findings import Finding, Severity


@dataclass
class LintResult:
    findings: list[Finding] = field(default_factory=list)
    files: int = 0
    claims: int = 0
    cited_claims: int = 0

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity is Severity.WARNING)
