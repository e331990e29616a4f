"""What is a claim and what cites it (issue 9 §4): cross-references, math, links, rows of numbers."""


import pytest

from citebrief.claims import find_claims, is_crossref
from citebrief.config import load_config

FRONT = "---\ntitle: T\nchecked: 2025-11-27\n---\n\n"
LIMITS = "\n\n# Limitations\n\nThe record covers one year only.\n"


def uncited(result):
    return [f.message for f in result.findings if f.rule == "uncited-claim"]


def claims_of(result):
    return [c.sentence.text for c in find_claims(result.reports[0].brief) if c.sentence]


@pytest.mark.parametrize("key,expected", [
    ("fig:map", True), ("tbl:counts", True), ("eq:rate", True), ("sec:intro", True), ("lst:code", True),
    ("figueroa2020", False), ("doi:10.1000/x", False), ("fig:", False), ("smith:2020", False),
])
def test_crossref_prefixes(key, expected):
    assert is_crossref(key) is expected


def test_crossref_neither_cites_nor_is_an_unknown_key(project):
    body = ("As @fig:map shows, the jail model is the most common one.\n\n"
            "The task force model ended in 2012 [@a; @tbl:models].\n\n"
            "![Agreements by county [@a]](map.png){#fig:map}\n")
    result = project.lint(FRONT + body + LIMITS)
    assert [f.rule for f in result.findings] == ["uncited-claim"]
    assert uncited(result) == ['claim has no citation: "As [@fig:map] shows, the jail model is the most common one."']
    assert [c.key for c in result.reports[0].brief.citations] == ["fig:map", "a", "tbl:models", "a"]


def test_crossref_prefixes_are_configurable(project, tmp_path):
    body = "As @fig:map and @chart:one show, the model is the most common one [@a].\n"
    result = project.lint(FRONT + body + LIMITS, crossref_prefixes=("chart",))
    assert [f.message.split(" is not")[0] for f in result.findings if f.rule == "unknown-key"] == \
        ["citation @fig:map"]
    brief = result.reports[0].brief
    assert len(find_claims(brief, crossref_prefixes=("chart",))) == 1
    only_refs = FRONT + "As @fig:map and @chart:one show, the model is the most common one.\n" + LIMITS
    brief = project.lint(only_refs, crossref_prefixes=("chart", "fig")).reports[0].brief
    assert [c.cited for c in find_claims(brief, crossref_prefixes=("chart", "fig"))] == [False]
    assert [c.cited for c in find_claims(brief, crossref_prefixes=("chart",))] == [True]   # @fig:map cites


def test_crossref_prefixes_from_pyproject(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.citebrief]\ncrossref-prefixes = ["fig", "chart"]\n')
    assert load_config(tmp_path).crossref_prefixes == ("fig", "chart")
    (tmp_path / "pyproject.toml").write_text('[tool.citebrief]\ncrossref_prefixes = "fig"\n')
    assert load_config(tmp_path).crossref_prefixes == ("fig",)


@pytest.mark.parametrize("body", [
    "$$\\text{agreements} = \\frac{1190}{50} \\times \\text{counties}$$\n",             # display math alone
    "- $a_1 + a_2 + a_3 = b$\n- $\\sum_{i=1}^{n} x_i \\geq y$\n",                     # math-only items
    "<https://www.ice.gov/identify-and-arrest/287g>\n",                               # an autolink
    "https://www.ice.gov/identify-and-arrest/287g\n",                                  # a bare URL
    "- `citebrief lint manuscript/brief.md`\n",                                        # code only
    "| Year | Count | Change |\n|---|---|---|\n| 2024 | 1,190 | +8% |\n| Jan 2025 | 1,301 | 9.3 |\n",
    "| $x$ | $y$ | $z$ |\n|---|---|---|\n| $\\alpha$ | 0.5 | 0.3 |\n",                # numbers and math
])
def test_not_claims(project, body):
    result = project.lint(FRONT + body + LIMITS)
    assert claims_of(result) == [] and uncited(result) == []


@pytest.mark.parametrize("body,claim", [
    ("The rate is $r = 0.3$ in every county.\n", "The rate is r = 0.3 in every county."),
    ("See https://www.ice.gov/287g for the list of every agreement.\n",
     "See https://www.ice.gov/287g for the list of every agreement."),
    ("| Model | Count |\n|---|---|\n| Jail model | 1,190 |\n", "Jail model"),
])
def test_still_claims(project, body, claim):
    result = project.lint(FRONT + body + LIMITS)
    assert claims_of(result) == [claim]


def test_brief_language_abbreviations(project):
    body = "La Dra. Pérez y el Mtro. Ruiz firmaron el convenio. Nadie más lo dijo.\n"
    spanish = project.lint(FRONT.replace("title: T", "title: T\nlang: es-MX") + body + LIMITS)
    assert claims_of(spanish) == ["La Dra. Pérez y el Mtro. Ruiz firmaron el convenio.", "Nadie más lo dijo."]
    english = project.lint(FRONT + body + LIMITS)     # no lang: "Dra." ends a sentence
    assert "Pérez y el Mtro." in claims_of(english)


def test_a_configured_crossref_prefix_neither_cites_nor_is_unknown(project):
    """crossref_prefixes from the configuration reach both the claim policy and unknown-key."""
    brief = ("---\ntitle: T\nchecked: 2025-11-27\n---\n\nThe chart shows the trend clearly [@chart:trend].\n\n"
             "# Limitations\n\nOne year only.\n")
    default = project.lint(brief)
    assert {f.rule for f in default.findings} >= {"unknown-key"}       # "chart:" is not a default prefix
    custom = project.lint(brief, crossref_prefixes=("chart",))
    assert [f.rule for f in custom.findings if f.rule in ("unknown-key", "uncited-claim")] == ["uncited-claim"]
