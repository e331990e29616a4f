"""unknown-key: every citation key in the brief names an entry of its bibliography."""

import difflib

from citebrief.claims import is_crossref
from citebrief.findings import Severity
from citebrief.rules.base import Example, Rule, at, brief
from citebrief.rules.context import Hit


def check(ctx):
    prefixes = ctx.config.crossref_prefixes
    citations = [c for c in ctx.brief.citations if not is_crossref(c.key, prefixes)]   # @fig:map
    if ctx.bib is None:
        for c in citations:
            yield Hit(f"citation @{c.key} but the brief has no bibliography "
                      "(set `bibliography:` in the front matter, or add references.bib)", offset=c.offset)
        return
    entries = ctx.bib.entries
    hints: dict[str, str] = {}
    for c in citations:
        if c.key in entries:
            continue
        if c.key not in hints:
            hints[c.key] = _hint(c.key, entries) if len(hints) < 20 else ""
        yield Hit(f"citation @{c.key} is not in {ctx.bib.display_path}{hints[c.key]}", offset=c.offset)


def _hint(key: str, entries) -> str:
    same_case = [k for k in entries if k.lower() == key.lower()]
    # difflib's ratio 2·matches/(a+b) can reach 0.8 only when the shorter key is at least 2/3 of the
    # longer: the others are left out before the (slow) comparison, which changes no answer
    n = len(key)
    similar = [k for k in entries if 2 * n <= 3 * len(k) and 2 * len(k) <= 3 * n]
    close = same_case or difflib.get_close_matches(key, similar, n=1, cutoff=0.8)
    return f" (did you mean @{close[0]}?)" if close else ""


RULE = Rule(
    name="unknown-key",
    severity=Severity.ERROR,
    summary="A citation key is not in the bibliography (or the brief has no bibliography).",
    check=check,
    passing=(
        Example(brief("ICE lists three 287(g) models [@ice2025].\n")),
        Example(brief("@fig:map shows the three 287(g) models [@ice2025].\n")),   # pandoc-crossref
    ),
    failing=(
        # at the key's @, on the body's line 6
        Example(brief("ICE lists three 287(g) models [@ice2024].\n"),
                fires=(at(6, 32, "citation @ice2024 is not in references.bib (did you mean @ice2025?)"),)),
        Example(brief("ICE lists three 287(g) models [@ice2025; @doj2024].\n"),
                fires=(at(6, 42, "citation @doj2024 is not in references.bib"),)),
    ),
)
