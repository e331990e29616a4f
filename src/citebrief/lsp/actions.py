"""Code actions on a brief: the three fixes a writer reaches for.

- flag a sentence as a limitation: wrap it in ``[...]{.limitation}`` (offered for a sentence that
  admits a gap or is uncited, and for any unflagged sentence under the cursor);
- cite a source at the end of an uncited sentence: one action per likely key (entries sharing the
  most words with the sentence, then keys cited nearby), ``[@key]`` before its closing punctuation;
- switch a rule off for the block: ``<!-- citebrief: disable=rule -->`` on the line before the block
  (added to such a comment when one is there already).

Every edit is computed on the text the last lint read; the server offers none while that text is
not the editor's current one, so an edit never lands on a moved sentence.
"""

from __future__ import annotations

import re

from lsprotocol import types

from citebrief.lsp.analysis import Analysis
from citebrief.lsp.diagnostics import SENTENCE_RULES, diagnostic, finding_span, positions_of
from citebrief.lsp.entries import detail, field_text, ranked_keys
from citebrief.lsp.positions import Positions, SentenceIndex, editable, sentence_span
from citebrief.parse.brief import SUPPRESS
from citebrief.parse.model import Brief, Unit

FLAG_TITLE = "Flag as a limitation: wrap the sentence in [...]{.limitation}"
_TERMINAL = ".!?…"
_CLOSERS = "\"”’')]*_"
_HEADING_OR_FENCE = re.compile(r"[ \t]{0,3}(?:#{1,6}(?:[ \t]|$)|:{3,}|`{3,}|~{3,})")


def code_actions(analysis: Analysis, uri: str, start: int, end: int, encoding: str) -> list[types.CodeAction]:
    """The actions for the requested span (offsets into the linted text)."""
    report = analysis.report
    if report is None:
        return []
    brief = report.brief
    pos = positions_of(analysis, encoding)
    index = SentenceIndex(brief)
    citations = {c.offset: c for c in brief.citations}
    actions: list[types.CodeAction] = []
    wrapped: set[int] = set()
    for finding in analysis.findings:
        if analysis.file_of(finding.path) != analysis.path:
            continue
        a, b = finding_span(finding, pos, index, citations)
        if b < start or a > end:
            continue
        diag = diagnostic(finding, pos.range(a, b))
        if finding.rule in SENTENCE_RULES:
            found = index.containing(pos.offset_of(finding.line, finding.column))
            if found is not None:
                unit, i, span = found
                if span[0] not in wrapped and (action := _flag(uri, pos, brief, unit, i, diag)):
                    actions.append(action)
                    wrapped.add(span[0])
                if finding.rule == "uncited-claim" and report.bibliography is not None:
                    actions += _cite(uri, pos, brief, report.bibliography, unit, i, diag)
        unit = _unit_at(brief, pos.offset_of(finding.line, finding.column))
        if unit is not None:
            actions.append(_disable(uri, pos, brief, unit, finding.rule, diag))
    around = index.containing(start)
    if around is not None and around[2][0] not in wrapped:
        action = _flag(uri, pos, brief, around[0], around[1], None)
        if action is not None:
            actions.append(action)
    return actions


def _edit(uri: str, pos: Positions, edits: list[tuple[int, int, str]]) -> types.WorkspaceEdit:
    return types.WorkspaceEdit(changes={uri: [types.TextEdit(range=pos.range(a, b), new_text=text)
                                              for a, b, text in edits]})


def _flag(uri: str, pos: Positions, brief: Brief, unit: Unit, index: int,
          diag: types.Diagnostic | None) -> types.CodeAction | None:
    """Wrap the sentence in ``[...]{.limitation}``; None when it is flagged or exempt already, or when
    its span may not be edited (positions.editable)."""
    sentence = unit.sentences[index]
    if sentence.flagged or sentence.exempt:
        return None
    a, b = sentence_span(brief, unit, index)
    if not editable(brief.source, a, b, sentence):
        return None
    return types.CodeAction(
        title=FLAG_TITLE,
        kind=types.CodeActionKind.QuickFix if diag else types.CodeActionKind.RefactorRewrite,
        diagnostics=[diag] if diag else None,
        is_preferred=bool(diag and diag.code == "unflagged-limitation"),
        edit=_edit(uri, pos, [(a, a, "["), (b, b, "]{.limitation}")]))


def _cite(uri: str, pos: Positions, brief: Brief, bib, unit: Unit, index: int,
          diag: types.Diagnostic) -> list[types.CodeAction]:
    a, b = sentence_span(brief, unit, index)
    if not editable(brief.source, a, b, unit.sentences[index]):
        return []
    at = cite_position(brief.source, a, b)
    actions = []
    for key in ranked_keys(bib, unit.sentences[index].text, _nearby_keys(brief, unit)):
        entry = bib.entries[key]
        about = ", ".join(filter(None, (detail(entry), field_text(entry, "title", limit=60))))
        actions.append(types.CodeAction(
            title=f"Cite @{key}" + (f" ({about})" if about else ""), kind=types.CodeActionKind.QuickFix,
            diagnostics=[diag], edit=_edit(uri, pos, [(at, at, f" [@{key}]")])))
    return actions


def cite_position(source: str, start: int, end: int) -> int:
    """Where ``[@key]`` goes at the end of the sentence ``source[start:end]``: before its closing
    punctuation when it ends with one ("... models [@key]."), else after it (a citation right after
    a sentence's closing quote or bracket belongs to that sentence)."""
    if end > start and source[end - 1] in _TERMINAL:
        k = end
        while k > start and source[k - 1] in _TERMINAL:
            k -= 1
        return k
    return end


def _nearby_keys(brief: Brief, unit: Unit) -> list[str]:
    """Keys cited in the unit and the units around it, nearest first."""
    i = next((n for n, u in enumerate(brief.units) if u is unit), 0)
    keys: list[str] = []
    for distance in range(0, 4):
        for j in {i - distance, i + distance}:
            if 0 <= j < len(brief.units):
                for s in brief.units[j].sentences:
                    keys += [k for k in s.keys if k not in keys]
    return keys


def _unit_at(brief: Brief, offset: int) -> Unit | None:
    """The unit whose range holds ``offset`` (a finding an inline comment can switch off)."""
    return next((u for u in brief.units if u.offset <= offset <= u.end), None)


def _disable(uri: str, pos: Positions, brief: Brief, unit: Unit, rule: str,
             diag: types.Diagnostic) -> types.CodeAction:
    source = brief.source
    start = block_start(source, unit.offset, brief.body_start)
    newline = "\r\n" if source.startswith("\r\n", pos.line_end(start)) else "\n"
    previous_start = source.rfind("\n", 0, max(start - 1, 0)) + 1
    previous = source[previous_start:start]
    m = SUPPRESS.search(previous) if start > brief.body_start else None
    if m is not None and m.group("rules"):         # add the rule to the comment already there
        rules = [r.strip() for r in m.group("rules").split(",") if r.strip()]
        a, b = previous_start + m.start(), previous_start + m.end()
        edit = (a, b, f"<!-- citebrief: disable={','.join(dict.fromkeys([*rules, rule]))} -->")
    else:
        indent = source[start:start + len(source[start:]) - len(source[start:].lstrip(" \t"))]
        edit = (start + len(indent), start + len(indent), f"<!-- citebrief: disable={rule} -->{newline}{indent}")
    return types.CodeAction(title=f"Switch off {rule} for this block", kind=types.CodeActionKind.QuickFix,
                            diagnostics=[diag], edit=_edit(uri, pos, [edit]))


def block_start(source: str, offset: int, body_start: int) -> int:
    """The start of the line that begins the block holding ``offset``: the line after the nearest
    blank line, heading, fence or citebrief comment above it (and never inside the front matter)."""
    line_start = source.rfind("\n", 0, offset) + 1
    while line_start > body_start:
        previous_start = source.rfind("\n", 0, line_start - 1) + 1
        previous = source[previous_start:line_start]
        if not previous.strip() or _HEADING_OR_FENCE.match(previous) or SUPPRESS.search(previous):
            break
        line_start = previous_start
    return max(line_start, body_start)
