"""``--format json``: the machine-readable contract (version 1).

``{"version": 1, "findings": [{rule, severity, path, line, column, message}],
"summary": {files, claims, cited_claims, errors, warnings}}``, indented by 2, keys in that order.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from citebrief.reporters._common import severity, sorted_findings

if TYPE_CHECKING:
    from citebrief.engine import LintResult

VERSION = 1


def as_data(result: LintResult) -> dict:
    return {
        "version": VERSION,
        "findings": [
            {"rule": f.rule, "severity": severity(f), "path": f.path,
             "line": f.line, "column": f.column, "message": f.message}
            for f in sorted_findings(result.findings)
        ],
        "summary": {
            "files": result.files,
            "claims": result.claims,
            "cited_claims": result.cited_claims,
            "errors": result.errors,
            "warnings": result.warnings,
        },
    }


def render(result: LintResult, *, color: bool = False) -> str:
    return json.dumps(as_data(result), indent=2) + "\n"
