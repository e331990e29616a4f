"""Findings → LSP diagnostics, each with the exact range of what it is about.

- ``uncited-claim``, ``unflagged-limitation``: the sentence (positions.sentence_span);
- ``unknown-key``: the citation, ``@key``;
- an entry or bibliography finding: the entry's header line (for CSL JSON, the line of its ``"id"``);
- anything else (front matter, headings): from its column to the end of its line.

The rule is the diagnostic's code, its severity the rule's. Bad input (a binary file, a broken
front matter, a bibliography that cannot be read) is one error diagnostic at its line.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from lsprotocol import types

from citebrief.errors import CitebriefError, printable
from citebrief.findings import Finding, Severity
from citebrief.lsp.analysis import Analysis
from citebrief.lsp.positions import Positions, SentenceIndex, sentence_span
from citebrief.parse.source import BOM

SOURCE = "citebrief"
SENTENCE_RULES = frozenset({"uncited-claim", "unflagged-limitation"})
SEVERITY = {Severity.ERROR: types.DiagnosticSeverity.Error, Severity.WARNING: types.DiagnosticSeverity.Warning}


def positions_of(analysis: Analysis, encoding: str) -> Positions:
    """The linted document's positions (a byte-order mark in the buffer is not in the engine's text)."""
    return Positions(analysis.text, encoding, shift=1 if analysis.text.startswith(BOM) else 0)


def diagnostics(analysis: Analysis, text_of: Callable[[Path], str],
                encoding: str) -> dict[Path, list[types.Diagnostic]]:
    """The diagnostics of one lint, per file they belong in (the document itself first)."""
    out: dict[Path, list[types.Diagnostic]] = {analysis.path: []}
    own = positions_of(analysis, encoding)
    if analysis.error is not None:
        out[analysis.path].append(_error(analysis, analysis.error, own))
        return out
    report = analysis.report
    brief = report.brief if report is not None else None
    index = SentenceIndex(brief) if brief is not None else None
    citations = {c.offset: c for c in brief.citations} if brief is not None else {}
    others: dict[Path, Positions] = {}
    for finding in analysis.findings:
        path = analysis.file_of(finding.path)
        if path == analysis.path:
            pos = own
        elif path in others:
            pos = others[path]
        else:
            pos = others[path] = Positions(text_of(path), encoding)
        if path == analysis.path and index is not None:
            rng = pos.range(*finding_span(finding, pos, index, citations))
        else:
            rng = pos.line_range(finding.line, finding.column)
        out.setdefault(path, []).append(diagnostic(finding, rng))
    return out


def diagnostic(finding: Finding, rng: types.Range) -> types.Diagnostic:
    return types.Diagnostic(range=rng, message=finding.message, severity=SEVERITY[finding.severity],
                            code=finding.rule, source=SOURCE)


def finding_span(finding: Finding, pos: Positions, index: SentenceIndex, citations) -> tuple[int, int]:
    """The offsets in the brief a brief finding is about (see the module docstring)."""
    offset = pos.offset_of(finding.line, finding.column)
    if finding.rule in SENTENCE_RULES:
        found = index.exact(offset) if finding.rule == "uncited-claim" else None
        if found is not None:
            return sentence_span(index.brief, *found)
        around = index.containing(offset)
        if around is not None:
            return around[2]
    elif finding.rule == "unknown-key" and offset in citations:
        key = citations[offset].key
        braced = index.brief.source.startswith("@{", offset)
        return offset, offset + len(key) + (3 if braced else 1)
    return offset, pos.line_end(offset)


def _error(analysis: Analysis, exc: CitebriefError, own: Positions) -> types.Diagnostic:
    """Bad input as one diagnostic: at its line when it is about this document, else at the top,
    naming the file it is about."""
    here = exc.path is None or analysis.file_of(exc.path) == analysis.path
    line = (exc.line or 1) if here else 1
    message = printable(exc.message) if here else str(exc)
    return types.Diagnostic(range=own.line_range(line), message=message,
                            severity=types.DiagnosticSeverity.Error, source=SOURCE)
