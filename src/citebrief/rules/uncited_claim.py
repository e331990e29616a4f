"""uncited-claim: every claim in the body carries a citation (README: "How claims are found")."""

from citebrief.findings import Severity
from citebrief.rules.base import Example, Rule, at, brief, snippet
from citebrief.rules.context import Hit


def check(ctx):
    for claim in ctx.claims:
        if claim.cited:
            continue
        if claim.sentence is None:
            yield Hit("figure has no caption carrying a citation", offset=claim.offset)
        else:
            what = "table row" if claim.unit.kind == "row" else "claim"
            yield Hit(f"{what} has no citation: \"{snippet(claim.sentence.text)}\"", offset=claim.offset)


RULE = Rule(
    name="uncited-claim",
    severity=Severity.ERROR,
    summary="A sentence of body text states a claim but carries no citation.",
    check=check,
    passing=(
        Example(brief("ICE lists three 287(g) models [@ice2025].\n")),
        Example(brief("ICE lists three 287(g) models. [@ice2025]\n")),          # trailing citation
        Example(brief("As @ice2025 explains, there are three models.\n")),
        Example(brief("Senior U.S. District Judge R. Brooke Jackson ruled on Nov. 25 [@ice2025].\n")),
        Example(brief("The program grew.[^1]\n\n[^1]: See @ice2025.\n")),        # cited footnote
        Example(brief("Who checks the checkers?\n")),                            # a question
        Example(brief("Too short.\n")),                                          # under min_words
        Example(brief("[The count could not be checked by us.]{.limitation}\n")),
        Example(brief("::: nocite\nOur own reading of the order follows here.\n:::\n")),
        Example(brief("The memo was clear [@ice2025]:\n\n> Officers may not enforce civil law.\n")),
        Example(brief("| Model | Scope |\n|---|---|\n| Jail model | In jails |\n\n: Models [@ice2025].\n")),
        Example(brief("<!-- citebrief: disable=uncited-claim -->\nThis one sentence is our own view.\n")),
        Example(brief("$$\\text{agreements} = 1190 \\times \\text{rate}$$\n")),     # display math alone
        Example(brief("- $a + b = c$\n- <https://www.ice.gov/identify-and-arrest/287g>\n")),  # math, a link
        Example(brief("| 2025 | 1,290 | +8% |\n|---|---|---|\n| Jan 2026 | 1,301 | +1% |\n")),    # numbers, dates
    ),
    failing=(
        # the body starts on line 6, after the example front matter; a claim is reported where it starts
        Example(brief("ICE lists three 287(g) models.\n"),
                fires=(at(6, 1, 'claim has no citation: "ICE lists three 287(g) models."'),)),
        Example(brief("The program grew fast [@ice2025]. It now has 1,190 agreements.\n"),
                fires=(at(6, 35, 'claim has no citation: "It now has 1,190 agreements."'),)),
        Example(brief("- Jail enforcement happens inside county jails.\n"),
                fires=(at(6, 3, '"Jail enforcement happens inside county jails."'),)),
        Example(brief("> Officers may not enforce civil immigration law.\n"),
                fires=(at(6, 3, '"Officers may not enforce civil immigration law."'),)),
        Example(brief("| Model | Scope |\n|---|---|\n| Jail model | In jails |\n"),     # the row, line 8
                fires=(at(8, 3, 'table row has no citation: "Jail model'),)),
        Example(brief("![A chart of agreements by month](chart.png)\n"),             # the caption's first word
                fires=(at(6, 3, 'claim has no citation: "A chart of agreements by month"'),)),
        Example(brief("See https://x.org/@ice2025 for the details of it.\n"),  # a URL, not a citation
                fires=(at(6, 1, '"See https://x.org/@ice2025 for the details of it."'),)),
        Example(brief("As @fig:map shows, the models differ by county.\n"),     # a cross-reference cites nothing
                fires=(at(6, 1, 'claim has no citation: "As [@fig:map] shows, the models differ by county."'),)),
    ),
)
