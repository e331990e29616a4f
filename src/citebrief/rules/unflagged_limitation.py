"""unflagged-limitation: a sentence that admits a gap in the evidence must say so visibly.

Outside the limitations section, a sentence containing a gap phrase ("not found in",
"unclear", ...) must put it inside a ``[...]{.limitation}`` span, so readers see the flag
and the compiled brief lists it in the limitations section.
"""

import re
from functools import lru_cache

from citebrief.findings import Severity
from citebrief.rules.base import Example, Rule, at, brief
from citebrief.rules.context import Hit


@lru_cache(maxsize=8)
def gap_pattern(phrases: tuple[str, ...]) -> re.Pattern:
    alternatives = "|".join(r"\s+".join(map(re.escape, p.split())) for p in sorted(phrases, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.I)


def check(ctx):
    pattern = gap_pattern(tuple(ctx.config.gap_phrases))
    for unit in ctx.brief.units:
        for sentence in unit.sentences:
            if sentence.exempt or sentence.flagged:
                continue
            m = pattern.search(sentence.gap_text)
            if m:
                yield Hit(f'"{m.group(0)}" admits a gap in the evidence: wrap it in [...]{{.limitation}} '
                          "or move it to the limitations section", offset=_in_source(ctx, sentence, pattern))


def _in_source(ctx, sentence, pattern) -> int:
    """Point at the phrase itself where it can be found in the source, else at the sentence."""
    window = ctx.brief.source[sentence.offset: sentence.offset + 3 * len(sentence.text) + 200]
    m = pattern.search(window)
    return sentence.offset + m.start() if m else sentence.offset


RULE = Rule(
    name="unflagged-limitation",
    severity=Severity.ERROR,
    summary="A sentence admits a gap in the evidence but is not flagged as a limitation.",
    check=check,
    passing=(
        Example(brief("[Outcome data are not available for any county.]{.limitation}\n")),
        Example(brief("ICE lists models [@ice2025], and [the count is unverified]{.limitation}.\n")),
        Example(brief("ICE lists three models [@ice2025].\n")),
        Example(brief("The limits are known well [@ice2025].\n")),               # "known" is not "unknown"
    ),
    failing=(
        # at the gap phrase itself, on the body's line 6
        Example(brief("Outcome data are not available for any county [@ice2025].\n"),
                fires=(at(6, 18, '"not available" admits a gap in the evidence'),)),
        Example(brief("It remains unclear how many officers were trained [@ice2025].\n"),
                fires=(at(6, 12, '"unclear" admits a gap in the evidence'),)),
        Example(brief("- The 1,190 figure could not be verified [@ice2025].\n"),
                fires=(at(6, 20, '"could not be verified" admits a gap'),)),
    ),
)
