"""The engine: rule selection, inline suppressions, coverage counts, several briefs, config."""

from datetime import date

import pytest
from conftest import DEFAULT_BIB

from citebrief.config import Config, load_config
from citebrief.engine import lint_paths
from citebrief.errors import CitebriefError

FRONT = "---\ntitle: T\nchecked: 2025-11-27\n---\n\n"
LIMITS = "\n\n# Limitations\n\nThe record covers one year only.\n"
TODAY = date(2025, 12, 1)


def rules_fired(result):
    return sorted({f.rule for f in result.findings})


def test_coverage_counts(project):
    result = project.lint(FRONT + "Claim one is cited [@a]. Claim two is not. Is this one?\n" + LIMITS)
    assert (result.claims, result.cited_claims) == (2, 1)


def test_suppression_comment_covers_only_the_next_block(project):
    body = ("<!-- citebrief: disable=uncited-claim -->\nOur own reading of the order.\n\n"
            "An uncited claim after it.\n")
    result = project.lint(FRONT + body + LIMITS, select=("uncited-claim",))
    assert [(f.rule, f.line) for f in result.findings] == [("uncited-claim", 9)]


def test_suppression_of_several_rules_and_all(project):
    body = ("<!-- citebrief: disable=uncited-claim, unflagged-limitation -->\n"
            "The figure could not be verified by anyone.\n\n"
            "<!-- citebrief: disable -->\nAnother unverified claim here.\n")
    assert project.lint(FRONT + body + LIMITS, ignore=("unused-entry",)).findings == []


def test_suppression_of_another_rule_does_not_hide(project):
    body = "<!-- citebrief: disable=stale-check -->\nAn uncited claim right here.\n"
    assert rules_fired(project.lint(FRONT + body + LIMITS, ignore=("unused-entry",))) == ["uncited-claim"]


def test_select_and_ignore(project):
    brief = "An uncited claim here.\n"      # no front matter, no limitations, no citation
    everything = rules_fired(project.lint(brief))
    assert {"uncited-claim", "missing-check-date", "missing-limitations"} <= set(everything)
    assert rules_fired(project.lint(brief, select=("uncited-claim",))) == ["uncited-claim"]
    assert "uncited-claim" not in rules_fired(project.lint(brief, ignore=("uncited-claim",)))


def test_unknown_rule_is_a_usage_error(project):
    with pytest.raises(CitebriefError, match="no-such-rule"):
        project.lint("x", select=("no-such-rule",))


def test_strict_turns_warnings_into_failure(project):
    result = project.lint(FRONT + "A cited claim here [@a].\n" + LIMITS, today="2026-11-28")
    assert rules_fired(result) == ["stale-check"]
    assert result.exit_code() == 0 and result.exit_code(strict=True) == 1


def test_folder_of_briefs_and_display_paths(project):
    project.write("manuscript/a.md", FRONT + "A cited claim here [@a].\n" + LIMITS)
    project.write("manuscript/sub/b.md", FRONT + "An uncited claim here.\n" + LIMITS)
    project.write("manuscript/.hidden/c.md", "ignored")
    project.write("references.bib", DEFAULT_BIB)
    result = lint_paths([], Config(root=project.root), today=TODAY)
    assert result.files == 2
    assert [f.path for f in result.findings] == ["manuscript/sub/b.md"]


def test_config_from_pyproject_and_overrides(project):
    (project.root / "sub").mkdir()
    project.write("pyproject.toml", "[tool.citebrief]\nscope = 'paragraph'\nmin-words = 5\n"
                                    "ignore = ['stale-check']\n")
    cfg = load_config(project.root / "sub")
    assert (cfg.scope, cfg.min_words, cfg.ignore, cfg.root) == ("paragraph", 5, ("stale-check",), project.root)
    assert cfg.with_overrides(scope="sentence", min_words=None).scope == "sentence"
    assert cfg.with_overrides(min_words=None).min_words == 5


@pytest.mark.parametrize("toml,needle", [
    ("[tool.citebrief]\nscope = 'chapter'\n", "scope"),
    ("[tool.citebrief]\nformats = ['epub']\n", "epub"),
    ("[tool.citebrief]\nmin_words = 'three'\n", "min_words"),
    ("[tool.citebrief]\nspelling = true\n", "spelling"),
    ("[tool.citebrief\n", "invalid TOML"),
])
def test_bad_config(project, toml, needle):
    project.write("pyproject.toml", toml)
    with pytest.raises(CitebriefError, match=needle):
        load_config(project.root)


def test_limitations_section_exempts_until_next_same_level_heading(project):
    body = ("A cited claim here [@a].\n\n# Limitations\n\nNo outcome data exist anywhere.\n\n"
            "## Detail\n\nStill inside the section here.\n\n# Next part\n\nOutside again and uncited.\n")
    result = project.lint(FRONT + body, select=("uncited-claim", "unflagged-limitation"))
    assert [(f.rule, f.line) for f in result.findings] == [("uncited-claim", 18)]


def test_limitation_span_and_div_exempt_claims(project):
    body = ("[We could not verify the 1,190 figure.]{.limitation}\n\n"
            "::: limitation\nOur own analysis of the order is unverified.\n:::\n\n"
            "Half a sentence [is unverified]{.limitation} but the rest is a claim.\n")
    result = project.lint(FRONT + body + LIMITS, ignore=("unused-entry",))
    assert [(f.rule, f.line) for f in result.findings] == [("uncited-claim", 12)]


def test_bib_argument_lints_the_manuscript_and_duplicates_collapse(project):
    project.write("manuscript/a.md", FRONT + "An uncited claim here.\n" + LIMITS)
    project.write("references.bib", "")
    result = lint_paths(["references.bib", "manuscript", "manuscript/a.md"], Config(root=project.root), today=TODAY)
    assert result.files == 1
    assert [f.path for f in result.findings] == ["manuscript/a.md"]



def test_pandoc_already_started_is_stopped_when_the_run_fails(project, monkeypatch):
    # lint starts pandoc on the first briefs before anything else; when starting the next one
    # fails, the pandoc already at work on the first is stopped at once, not left running.
    import citebrief.engine as engine

    first = project.write("a.md", FRONT + "A claim with a long tail [@a]. " * 6000 + LIMITS)
    second = project.write("b.md", FRONT + "Another claim [@a].\n" + LIMITS)
    project.write("references.bib", DEFAULT_BIB)
    started = []

    def start(*args, **kwargs):
        if started:
            raise CitebriefError("cannot run pandoc (simulated)", "b.md")
        started.append(engine.pandoc_pieces.__wrapped__(*args, **kwargs))
        return started[-1]

    start.__wrapped__ = engine.pandoc_pieces
    monkeypatch.setattr(engine, "pandoc_pieces", start)
    monkeypatch.setattr(engine.os, "cpu_count", lambda: 2)
    with pytest.raises(CitebriefError, match="simulated"):
        lint_paths([str(first), str(second)], Config(root=project.root), today=TODAY)
    assert started and all(run.proc.poll() is not None for run in started[0].runs)
