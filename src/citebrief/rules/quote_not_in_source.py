"""quote-not-in-source: words in quotation marks must be the words of a source the sentence cites.

See citebrief/evidence/match.py for exactly what counts as the same words (quote marks, dashes,
white space, the first letter's case, omissions and [insertions]; nothing else).
"""

from citebrief.evidence.snapshots import evidence_for
from citebrief.findings import Severity
from citebrief.rules.base import Example, Rule, at, brief, snippet
from citebrief.rules.context import Hit

SOURCE = ("sources/ice2025.txt",
          "Delegation of Immigration Authority Section 287(g)\n\n"
          "The 287(g) program allows a state or local law enforcement entity to enter into a\n"
          "partnership with ICE, under a joint Memorandum of Agreement, in order to receive\n"
          "delegated authority for immigration enforcement within their jurisdictions.\n")


def check(ctx):
    evidence = evidence_for(ctx)
    if evidence is None:
        return
    for q in evidence.quotes():
        if not q.checked or q.found_in is not None:
            continue
        what = "block quote" if q.block else "quote"
        keys = ", ".join(q.sources.keys)
        key, closest = q.closest()
        hint = f"; closest in {key}: \"{closest}\"" if closest else "; nothing in it comes close"
        yield Hit(f"{what} \"{snippet(q.text, 70)}\" is not in the snapshot of {keys}{hint}", offset=q.offset)


def _ex(body: str, *fires) -> Example:
    return Example(brief(body), files=(SOURCE,), fires=fires)


RULE = Rule(
    name="quote-not-in-source",
    severity=Severity.ERROR,
    summary="Words in quotation marks (or a block quote) are not in the snapshot of any source they cite.",
    check=check,
    passing=(
        _ex('ICE calls it "delegated authority for immigration enforcement" [@ice2025].\n'),
        _ex("The memo speaks of “a joint Memorandum of Agreement” [@ice2025].\n"),             # curly, line break
        _ex('It lets "[a] state or local law enforcement entity ... receive delegated authority" '
            '[@ice2025].\n'),                                                               # omission, insertion
        _ex('"The 287(g) program allows a state or local law enforcement entity," it says [@ice2025].\n'),
        _ex("ICE says:\n\n> The 287(g) program allows a state or local law enforcement entity to enter\n"
            "> into a partnership with ICE [@ice2025].\n"),                                    # block quote
        _ex('ICE calls it "delegated authority for immigration enforcement".\n'),             # uncited: not checked
        Example(brief('ICE calls it "a delegated power to enforce" [@ice2025].\n')),          # no snapshot at all
    ),
    failing=(
        _ex('ICE calls it "delegated power for immigration enforcement" [@ice2025].\n',   # one word changed
            at(6, 14, 'closest in ice2025: "delegated authority for immigration enforcement')),
        _ex('As @fig:map shows, ICE calls it "delegated power for immigration enforcement" [@ice2025].\n',
            at(6, 33, "is not in the snapshot of ice2025")),                 # a cross-reference is no source
        _ex('ICE "allows a state or local law enforcement entity to receive delegated authority" '
            '[@ice2025].\n', at(6, 5, "is not in the snapshot of ice2025")),                  # spliced, no ellipsis
        _ex("ICE says:\n\n> The program forces every county to enforce immigration law [@ice2025].\n",
            at(8, 3, 'block quote "The program forces every county')),
    ),
)
