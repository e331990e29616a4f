"""``--format sarif``: SARIF 2.1.0 for code-scanning dashboards (e.g. GitHub code scanning).

One run; ``tool.driver.rules`` lists every registered rule (so ``ruleIndex`` is stable for a
given citebrief version), followed by any rule a finding names that is not registered.
Locations are relative to ``%SRCROOT%`` (the directory citebrief ran in); columns count
Unicode code points, as :class:`~citebrief.findings.Finding` does.
"""

from __future__ import annotations

import json
from pathlib import PurePath
from typing import TYPE_CHECKING
from urllib.parse import quote

from citebrief import __version__
from citebrief.reporters._common import severity, sorted_findings

if TYPE_CHECKING:
    from citebrief.engine import LintResult

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
SRCROOT = "%SRCROOT%"
FALLBACK_INFORMATION_URI = "https://pypi.org/project/citebrief/"
LEVELS = {"error": "error", "warning": "warning"}


def information_uri() -> str:
    """The project's home page from its installed metadata, else its PyPI page."""
    try:
        from importlib.metadata import metadata
        meta = metadata("citebrief")
    except Exception:   # not installed (running from a source tree), or broken metadata
        return FALLBACK_INFORMATION_URI
    for entry in meta.get_all("Project-URL") or []:
        label, _, url = entry.partition(",")
        if label.strip().lower() in {"homepage", "home", "documentation", "source"} and url.strip():
            return url.strip()
    home = meta.get("Home-page")     # type: ignore[attr-defined]  # PackageMetadata is an email.Message
    return home.strip() if home and home.strip().lower() not in {"", "unknown"} else FALLBACK_INFORMATION_URI


def level(sev: str) -> str:
    return LEVELS.get(sev, "note")


def _rule_name(rule_id: str) -> str:
    """``uncited-claim`` → ``UncitedClaim`` (SARIF's readable identifier for a rule)."""
    return "".join(part[:1].upper() + part[1:] for part in rule_id.replace("_", "-").split("-") if part) or rule_id


def rule_descriptor(rule) -> dict:
    return {
        "id": rule.name,
        "name": _rule_name(rule.name),
        "shortDescription": {"text": rule.summary or rule.name},
        "defaultConfiguration": {"level": level(severity(rule))},
    }


def artifact_location(path: str) -> dict:
    """A relative path becomes a URI reference under %SRCROOT%; an absolute one a file: URI."""
    p = PurePath(path)
    if p.is_absolute():
        try:
            return {"uri": p.as_uri()}
        except ValueError:
            pass
    return {"uri": quote(p.as_posix(), safe="/-._~!$&'()*+,;=@"), "uriBaseId": SRCROOT}


def _position(value) -> int:
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return 1


def as_data(result: LintResult, registered: dict | None = None) -> dict:
    if registered is None:
        from citebrief.rules import ALL_RULES
        registered = ALL_RULES
    rules = [rule_descriptor(r) for r in registered.values()]
    index = {r["id"]: i for i, r in enumerate(rules)}
    findings = sorted_findings(result.findings)
    for f in findings:   # a finding from a rule that is not (yet) registered still gets a descriptor
        if f.rule not in index:
            index[f.rule] = len(rules)
            rules.append({"id": f.rule, "name": _rule_name(f.rule),
                          "shortDescription": {"text": f.rule},
                          "defaultConfiguration": {"level": level(severity(f))}})
    results = []
    for f in findings:
        results.append({
            "ruleId": f.rule,
            "ruleIndex": index[f.rule],
            "level": level(severity(f)),
            "message": {"text": f.message or f.rule},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": artifact_location(f.path),
                    "region": {"startLine": _position(f.line), "startColumn": _position(f.column)},
                },
            }],
        })
    return {
        "$schema": SCHEMA,
        "version": SARIF_VERSION,
        "runs": [{
            "tool": {"driver": {
                "name": "citebrief",
                "version": __version__,
                "informationUri": information_uri(),
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }


def render(result: LintResult, *, color: bool = False) -> str:
    return json.dumps(as_data(result), indent=2) + "\n"
