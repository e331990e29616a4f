"""`citebrief init`: a new project that lints with no errors and compiles, and never overwrites a file."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
import tomllib
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from citebrief.cli import main
from citebrief.config import Config, load_config
from citebrief.engine import lint_paths
from citebrief.errors import CitebriefError
from citebrief.scaffold import ACTION_PLACEHOLDER, FILES, init_project, project_name

BIN = Path(sys.executable).parent
EXPECTED = ["pyproject.toml", "manuscript/brief.md", "references.bib", ".gitignore",
            ".github/workflows/citebrief.yml", ".pre-commit-config.yaml"]


def _init(root: Path, **kwargs):
    lines: list[str] = []
    result = init_project(root, echo=lines.append, **kwargs)
    return result, lines


def test_init_writes_every_file_into_an_empty_folder(tmp_path):
    result, lines = _init(tmp_path / "new")
    assert [target for _, target in FILES] == EXPECTED
    assert result.created == EXPECTED and result.skipped == []
    for target in EXPECTED:
        assert (tmp_path / "new" / target).is_file(), target
        assert f"created {target}" in lines
    assert not any("%%" in (tmp_path / "new" / t).read_text(encoding="utf-8") for t in EXPECTED)


def test_init_twice_skips_every_file_and_keeps_edits(tmp_path):
    _init(tmp_path)
    brief = tmp_path / "manuscript" / "brief.md"
    brief.write_text("my own brief\n", encoding="utf-8")
    before = {t: (tmp_path / t).read_bytes() for t in EXPECTED}
    result, lines = _init(tmp_path, today=date(2030, 1, 1))
    assert result.created == [] and result.skipped == EXPECTED
    assert [line for line in lines if line.startswith("skipped")] == [f"skipped {t} (already exists)" for t in EXPECTED]
    assert not any(line.startswith("created") for line in lines)
    assert {t: (tmp_path / t).read_bytes() for t in EXPECTED} == before


def test_init_fills_only_missing_files(tmp_path):
    (tmp_path / "references.bib").write_text("% mine\n", encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\nversion = "1"\n', encoding="utf-8")
    result, lines = _init(tmp_path)
    assert result.skipped == ["pyproject.toml", "references.bib"]
    assert (tmp_path / "references.bib").read_text(encoding="utf-8") == "% mine\n"
    assert any("no [tool.citebrief] table" in line for line in lines)
    assert "manuscript/brief.md" in result.created


def test_scaffold_lints_with_no_errors_on_the_day_it_is_made(tmp_path, monkeypatch):
    today = date.today()
    _init(tmp_path)
    monkeypatch.chdir(tmp_path)
    config = load_config(tmp_path)
    result = lint_paths([], config, today=today)
    # only the honest warning: nobody has read the template's source page yet (no urldate)
    assert [(f.rule, f.path, f.line) for f in result.findings] == [("missing-access-date", "references.bib", 13)]
    assert result.exit_code() == 0 and result.errors == 0
    assert (result.files, result.claims, result.cited_claims) == (1, 1, 1)
    # the check date is the day of init: it goes stale only after max_age_days
    later = lint_paths([], config, today=today + timedelta(days=config.max_age_days))
    assert [f.rule for f in later.findings] == ["missing-access-date"]
    stale = lint_paths([], config, today=today + timedelta(days=config.max_age_days + 1))
    assert sorted(f.rule for f in stale.findings) == ["missing-access-date", "stale-check"]


def test_scaffold_lints_clean_once_the_page_is_read(tmp_path, monkeypatch):
    """What the template tells the writer to do (add urldate on reading the page) silences the warning."""
    _init(tmp_path)
    bib = tmp_path / "references.bib"
    bib.write_text(bib.read_text(encoding="utf-8").replace(
        "  note    =", f"  urldate = {{{date.today().isoformat()}}},\n  note    ="), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert lint_paths([], load_config(tmp_path), today=date.today()).findings == []


def test_scaffold_lints_from_the_command_line(tmp_path):
    _init(tmp_path)
    proc = subprocess.run([str(BIN / "citebrief"), "lint"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1/1 claim cited" in proc.stdout and "warning missing-access-date" in proc.stdout
    strict = subprocess.run([str(BIN / "citebrief"), "lint", "--strict"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert strict.returncode == 1                  # as the README says: --strict fails on the warning


def test_scaffold_dates(tmp_path):
    _init(tmp_path, today=date(2031, 2, 3))
    assert "\nchecked: 2031-02-03\n" in (tmp_path / "manuscript/brief.md").read_text(encoding="utf-8")
    bib = (tmp_path / "references.bib").read_text(encoding="utf-8")
    assert "2031" not in bib and not re.search(r"^\s*urldate\s*=", bib, re.M)   # no page read "today" by nobody
    assert "add\n%   urldate = {YYYY-MM-DD}," in bib                                # the template says what to do


def test_scaffold_brief_has_the_parts_of_a_brief(tmp_path):
    _init(tmp_path)
    text = (tmp_path / "manuscript/brief.md").read_text(encoding="utf-8")
    assert text.startswith("---\ntitle: ")
    assert "\n# Limitations\n" in text
    assert "[@macfarlane-pandoc-manual]" in text
    bib = (tmp_path / "references.bib").read_text(encoding="utf-8")
    for field in ("author", "title", "date", "url"):
        assert f"\n  {field} " in bib, field
    assert "https://pandoc.org/MANUAL.html" in bib


def test_scaffold_pyproject_is_a_valid_project_with_every_setting(tmp_path):
    _init(tmp_path / "My Briefs!")
    text = (tmp_path / "My Briefs!" / "pyproject.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    assert data["project"]["name"] == "my-briefs" and data["project"]["version"]
    table = text[text.index("[tool.citebrief]"):]
    settings = {f.name for f in dataclasses.fields(Config)} - {"root", "source"}
    for name in settings:                          # active or commented out, each one is there
        assert f"\n{name} = " in table or f"\n# {name} = " in table, name
    config = load_config(tmp_path / "My Briefs!")
    defaults = Config(root=config.root, source=config.source)
    assert config == defaults, "the table spells out the defaults"
    lines = table.splitlines()
    for before, line in zip(lines, lines[1:]):
        if line and not line.startswith(("#", " ")):
            assert "#" in line or before.startswith("#"), f"setting without a comment: {line}"


@pytest.mark.parametrize("folder, name", [("My Briefs!", "my-briefs"), ("ice_287g", "ice_287g"), ("---", "briefs")])
def test_project_name(tmp_path, folder, name):
    assert project_name(tmp_path / folder) == name


def test_gitignore_covers_the_output_folder(tmp_path):
    _init(tmp_path)
    assert "out/" in (tmp_path / ".gitignore").read_text(encoding="utf-8").splitlines()


def test_init_into_a_file_is_a_usage_error(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(CitebriefError):
        init_project(tmp_path / "file", echo=lambda *a: None)
    result = CliRunner().invoke(main, ["init", str(tmp_path / "file")])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_init_command(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["init", "briefs"])
    assert result.exit_code == 0, result.output
    for target in EXPECTED:
        assert f"created {target}" in result.output
    assert ACTION_PLACEHOLDER in result.output            # the placeholder is pointed out
    assert "next: cd briefs && citebrief lint && citebrief compile" in result.output
    again = CliRunner().invoke(main, ["init", "briefs"])
    assert again.exit_code == 0 and again.output.count("skipped") == len(EXPECTED)


def test_init_action_option(tmp_path):
    result = CliRunner().invoke(main, ["init", str(tmp_path), "--action", "acme/citebrief@v1"])
    assert result.exit_code == 0, result.output
    assert "uses: acme/citebrief@v1\n" in (tmp_path / ".github/workflows/citebrief.yml").read_text()
    assert ACTION_PLACEHOLDER not in result.output
    bad = CliRunner().invoke(main, ["init", str(tmp_path / "x"), "--action", "not an action; rm -rf"])
    assert bad.exit_code == 2 and not (tmp_path / "x").exists()


def test_scaffold_compiles_out_of_the_box(tmp_path, monkeypatch):
    from citebrief.compile import compile_paths
    _init(tmp_path)
    monkeypatch.chdir(tmp_path)
    config = load_config(tmp_path)
    code = compile_paths([], config, config.formats, echo=lambda *a, **k: None)
    assert code == 0
    for ext in ("pdf", "docx", "html"):
        out = tmp_path / "out" / f"brief.{ext}"
        assert out.is_file() and out.stat().st_size > 0, ext
    html = (tmp_path / "out" / "brief.html").read_text(encoding="utf-8")
    assert "Pandoc User" in html and "MacFarlane" in html


def test_shell_completion_as_the_readme_says(tmp_path):
    import os
    env = {**os.environ, "_CITEBRIEF_COMPLETE": "bash_complete", "COMP_WORDS": "citebrief in", "COMP_CWORD": "1"}
    proc = subprocess.run([str(BIN / "citebrief")], env=env, capture_output=True, text=True, timeout=60)
    assert proc.stdout.split() == ["plain,init"]
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    for shell in ("bash", "zsh", "fish"):
        assert f"_CITEBRIEF_COMPLETE={shell}_source citebrief" in readme
        env = {**os.environ, "_CITEBRIEF_COMPLETE": f"{shell}_source"}
        source = subprocess.run([str(BIN / "citebrief")], env=env, capture_output=True, text=True, timeout=60)
        assert source.returncode == 0 and "_CITEBRIEF_COMPLETE" in source.stdout, shell
