"""The command line through Click's runner: help, version, exit codes and golden output."""

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import update_golden

from citebrief import __version__
from citebrief.cli import main
from citebrief.rules import ALL_RULES

GOLDEN = Path(__file__).parent / "data" / "golden"


@pytest.fixture
def golden_project(tmp_path, monkeypatch):
    shutil.copy(GOLDEN / "brief.md", tmp_path / "brief.md")
    shutil.copy(GOLDEN / "references.bib", tmp_path / "references.bib")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def invoke(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_version():
    result = invoke("--version")
    assert result.exit_code == 0 and __version__ in result.output


def test_every_command_has_help():
    for name, command in main.commands.items():
        result = invoke(name, "--help")
        assert result.exit_code == 0, name
        assert "Usage:" in result.output and (command.help or "").split("\n")[0][:20] in result.output


def test_help_lists_whole_command_summaries():
    out = invoke("--help").output
    commands = out.split("Commands:")[1].strip().splitlines()
    assert len(commands) == len(main.commands)       # one line each: nothing wrapped
    for line in commands:
        assert not line.rstrip().endswith("..."), line    # Click cuts long summaries with "..."
        name = line.split()[0]
        assert main.commands[name].get_short_help_str(limit=200) in line


def test_lint_help_names_bib_paths_and_repeatable_options():
    out = " ".join(invoke("lint", "--help").output.split())
    assert ".bib files" in out and "citebrief rules" in out
    assert "--select RULE[,RULE] Run only these rules (comma-separated; repeatable)" in out


def test_rules_lists_every_rule_with_severity():
    out = invoke("rules").output
    for name, rule in ALL_RULES.items():
        line = next(ln for ln in out.splitlines() if ln.startswith(name + " "))
        assert rule.severity.value in line and rule.summary in line


@pytest.mark.parametrize("fmt,suffix", [("text", "txt"), ("json", "json")])
def test_golden_output(golden_project, fmt, suffix):
    result = invoke("lint", "--today", "2025-12-01", "--format", fmt, "brief.md")
    expected = GOLDEN / f"expected.{suffix}"
    if update_golden():
        expected.write_text(result.output, encoding="utf-8")
    assert result.output == expected.read_text(encoding="utf-8")
    assert result.exit_code == 1


def test_json_summary_counts(golden_project):
    data = json.loads(invoke("lint", "--today", "2025-12-01", "--format", "json", "brief.md").output)
    assert data["version"] == 1
    assert data["summary"]["files"] == 1
    assert data["summary"]["claims"] == 7 and data["summary"]["cited_claims"] == 4
    rules = {f["rule"] for f in data["findings"]}
    assert {"uncited-claim", "unflagged-limitation", "unused-entry", "missing-access-date"} <= rules


def test_exit_codes(golden_project):
    assert invoke("lint", "--today", "2025-12-01", "brief.md").exit_code == 1
    only_warnings = ["--select", "unused-entry,missing-access-date"]
    assert invoke("lint", "--today", "2025-12-01", *only_warnings, "brief.md").exit_code == 0
    assert invoke("lint", "--today", "2025-12-01", "--strict", *only_warnings, "brief.md").exit_code == 1
    assert invoke("lint", "missing.md").exit_code == 2


def test_python_dash_m(golden_project):
    import subprocess
    import sys
    proc = subprocess.run([sys.executable, "-m", "citebrief", "--version"], capture_output=True, text=True)
    assert proc.returncode == 0 and __version__ in proc.stdout
