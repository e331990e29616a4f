"""Every rule documents itself with passing and failing examples (proselint's style); run them all.

A failing example names each finding it must produce (file, line:column, a fragment of the message):
the rule must give exactly those, so a finding at the wrong place, a second finding, or a message
that no longer says what it should, all fail here.
"""

from pathlib import Path

import pytest

from citebrief.rules import ALL_RULES
from citebrief.rules.base import Example, Expect

CASES = [(name, kind, i, ex) for name, rule in ALL_RULES.items()
         for kind, examples in (("passing", rule.passing), ("failing", rule.failing))
         for i, ex in enumerate(examples)]

FILES = {"brief": "brief.md", "bib": "references.bib"}    # the names conftest's project writes

# Failing examples whose expected position is right but the linter's is not (a known bug, reported):
# strict, so the test fails the day the bug is fixed and the mark must come off.
KNOWN_WRONG: dict[tuple[str, int], str] = {}


def test_every_rule_has_passing_and_failing_examples():
    assert len(ALL_RULES) >= 15
    for name, rule in ALL_RULES.items():
        if rule.command != "lint":     # found by another command (links), tested with it
            assert not rule.passing and not rule.failing and rule.summary
            continue
        assert rule.passing, f"{name} has no passing example"
        assert rule.failing, f"{name} has no failing example"
        assert rule.summary and "\n" not in rule.summary
        for ex in rule.passing:
            assert not ex.fires, f"{name}: a passing example expects findings"
        for ex in rule.failing:
            assert ex.fires, f"{name}: a failing example does not say where it fires"
            assert all(isinstance(e, Expect) and e.file in FILES for e in ex.fires), ex.fires


def _where(path: str) -> str:
    return {v: k for k, v in FILES.items()}.get(Path(path).name, path)


def _param(name, kind, i, ex):
    marks = ()
    if kind == "failing" and (name, i) in KNOWN_WRONG:
        marks = (pytest.mark.xfail(reason=KNOWN_WRONG[name, i], strict=True),)
    return pytest.param(name, kind, ex, id=f"{name}-{kind}-{i}", marks=marks)


@pytest.mark.parametrize("name,kind,example", [_param(*case) for case in CASES])
def test_rule_example(project, name, kind, example: Example):
    for path, text in example.files:      # snapshots and other files the example project holds
        project.write(path, text)
    result = project.lint(example.brief, example.bib, today=example.today)
    fired = sorted((_where(f.path), f.line, f.column, f.message) for f in result.findings if f.rule == name)
    if kind == "passing":
        assert not fired, f"{name} fired on a passing example: {fired}"
        return
    expected = sorted((e.file, e.line, e.column, e.message) for e in example.fires)
    where = [f"{w}:{line}:{col}" for w, line, col, _ in fired]
    assert where == [f"{w}:{line}:{col}" for w, line, col, _ in expected], \
        f"{name} fired {fired} on:\n{example.brief}"
    for (_w, _l, _c, message), (_ew, _el, _ec, fragment) in zip(fired, expected, strict=True):
        assert fragment in message, f"{name}: {message!r} does not say {fragment!r}"
