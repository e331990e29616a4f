"""Several briefs share one references.bib (the normal layout): no finding leaks from one brief to another.

Linting a brief checks the entries it cites; linting the .bib or the manuscript folder checks them all,
each finding once at its .bib line; an entry is unused only when no brief of the manuscript folder cites
it; the compile gate stops a brief only for findings that concern it.
"""

from __future__ import annotations

from datetime import date

from click.testing import CliRunner

from citebrief.cli import main
from citebrief.compile import compile_paths
from citebrief.config import load_config
from citebrief.engine import lint_paths

TODAY = date(2025, 12, 1)
LIMITS = "\n# Limitations\n\nOne year only.\n"
GOOD = "@misc{good, title = {Good}, author = {A}, date = {2025-01}, url = {https://g.org}, urldate = {2025-11-01}}\n"
OTHER = "@misc{other, title = {Other}, author = {B}, date = {2025-02}}\n"
LATE = "@misc{late, title = {Late}, author = {C}, date = {2025-11-20}}\n"
# what `citebrief import` adds for a new brief: placeholders, each an incomplete-entry error
PLACEHOLDERS = "".join(f"@misc{{new{n}, note = {{placeholder: source [{n}] of x.txt, fill in}}}}\n"
                       for n in range(1, 10))


def setup(project, new_brief: bool = True):
    project.write("pyproject.toml", '[tool.citebrief]\nmanuscript = "manuscript"\n')
    project.write("references.bib", GOOD + OTHER + LATE + PLACEHOLDERS)
    project.write("manuscript/clean.md", "---\ntitle: Clean\nchecked: 2025-11-27\n---\n\n"
                  "A claim about agreements [@good].\n" + LIMITS)
    project.write("manuscript/older.md", "---\ntitle: Older\nchecked: 2025-11-10\n---\n\n"
                  "An older claim [@other]. A claim on a late source [@late].\n" + LIMITS)
    if new_brief:
        project.write("manuscript/imported.md", "---\ntitle: New\nchecked: 2025-11-27\n---\n\n"
                      + "".join(f"Imported claim number {n} [@new{n}].\n" for n in range(1, 10)) + LIMITS)
    return load_config(project.root)


def findings(result, rule=None):
    return [(f.path, f.line, f.rule) for f in result.findings if rule is None or f.rule == rule]


def test_a_brief_is_charged_only_with_the_entries_it_cites(project):
    config = setup(project)
    result = lint_paths(["manuscript/clean.md"], config, today=TODAY)
    assert result.errors == 0, findings(result)
    assert findings(result, "incomplete-entry") == []
    assert findings(result, "unused-entry") == []        # every entry is cited by some brief of the folder


def test_the_new_brief_carries_its_placeholders(project):
    config = setup(project)
    result = lint_paths(["manuscript/imported.md"], config, today=TODAY)
    assert sorted(line for _, line, _ in findings(result, "incomplete-entry")) == list(range(4, 13))


def test_linting_the_bib_or_the_folder_checks_every_entry_once(project):
    config = setup(project)
    for paths in (["references.bib"], ["manuscript"], []):
        result = lint_paths(paths, config, today=TODAY)
        incomplete = findings(result, "incomplete-entry")
        assert sorted(incomplete) == sorted(set(incomplete)) and len(incomplete) == 9, paths
        assert result.files == 3


def test_unused_entry_counts_every_brief_of_the_manuscript_folder(project):
    config = setup(project, new_brief=False)
    for paths in (["manuscript/clean.md"], ["manuscript/older.md"], ["manuscript"], ["references.bib"]):
        unused = findings(lint_paths(paths, config, today=TODAY), "unused-entry")
        assert [line for _, line, _ in unused] == list(range(4, 13)), paths     # only the placeholders
    project.write("manuscript/clean.md", "---\ntitle: Clean\nchecked: 2025-11-27\nnocite: '@new1, @new2'\n---\n\n"
                  "A claim about agreements [@good].\n" + LIMITS)
    unused = findings(lint_paths(["manuscript/older.md"], config, today=TODAY), "unused-entry")
    assert [line for _, line, _ in unused] == list(range(6, 13))


def test_future_source_judges_each_brief_by_its_own_date(project):
    config = setup(project, new_brief=False)
    project.write("manuscript/clean.md", "---\ntitle: Clean\nchecked: 2025-11-27\n---\n\n"
                  "A claim about agreements [@good]. And one on the late source [@late].\n" + LIMITS)
    result = lint_paths(["manuscript"], config, today=TODAY)
    late = [f for f in result.findings if f.rule == "future-source"]
    assert [f.message for f in late] == ["entry late is dated 2025-11-20, after the brief was checked (2025-11-10)"]
    clean = result.report_for(project.root / "manuscript/clean.md")
    older = result.report_for(project.root / "manuscript/older.md")
    assert not [f for f in clean.findings if f.rule == "future-source"]
    assert [f.rule for f in older.findings if f.rule == "future-source"] == ["future-source"]


def test_compile_gate_stops_only_the_brief_with_the_problem(project):
    config = setup(project)
    log: list[str] = []
    code = compile_paths(["manuscript"], config, ("html",), echo=lambda m="", **k: log.append(str(m)))
    assert code == 1
    assert (project.root / "out" / "clean.html").exists() and (project.root / "out" / "older.html").exists()
    assert not (project.root / "out" / "imported.html").exists()
    text = "\n".join(log)
    assert "manuscript/imported.md: not compiled: 9 lint errors" in text
    assert "manuscript/clean.md: not compiled" not in text


def test_the_pre_commit_hook_path_a_bib_checks_the_briefs_that_use_it(project):
    config = setup(project)
    project.write("manuscript/own.md", "---\ntitle: Own\nchecked: 2025-11-27\nbibliography: ../own.bib\n---\n\n"
                  "A claim of its own [@solo].\n" + LIMITS)
    project.write("own.bib", "@misc{solo, title = {Solo}, author = {S}, date = {2025}}\n")
    result = lint_paths(["own.bib"], config, today=TODAY)
    assert [r.brief.display_path for r in result.reports] == ["manuscript/own.md"]
    result = CliRunner().invoke(main, ["lint", "references.bib", "--format", "json"])
    assert '"files": 3' in result.output
