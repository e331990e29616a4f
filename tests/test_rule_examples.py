"""Every rule documents itself with passing and failing examples (proselint's style); run them all."""

import pytest

from citebrief.rules import ALL_RULES

CASES = [(name, kind, i, ex) for name, rule in ALL_RULES.items()
         for kind, examples in (("passing", rule.passing), ("failing", rule.failing))
         for i, ex in enumerate(examples)]


def test_every_rule_has_passing_and_failing_examples():
    assert len(ALL_RULES) >= 15
    for name, rule in ALL_RULES.items():
        assert rule.passing, f"{name} has no passing example"
        assert rule.failing, f"{name} has no failing example"
        assert rule.summary and "\n" not in rule.summary


@pytest.mark.parametrize("name,kind,i,example", CASES, ids=[f"{n}-{k}-{i}" for n, k, i, _ in CASES])
def test_rule_example(project, name, kind, i, example):
    result = project.lint(example.brief, example.bib, today=example.today)
    fired = [f for f in result.findings if f.rule == name]
    if kind == "failing":
        assert fired, f"{name} did not fire on:\n{example.brief}"
        for f in fired:
            assert f.line >= 1 and f.column >= 1
    else:
        assert not fired, f"{name} fired on a passing example: {fired}"
