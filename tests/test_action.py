"""The GitHub Action (action.yml) and the pre-commit hook (.pre-commit-hooks.yaml).

The action's `run:` steps are executed here, locally, exactly as GitHub would run them
(`bash --noprofile --norc -eo pipefail`, inputs passed through `env:`), in a project made by
`citebrief init`. Steps that `uses:` another action (setup-python, upload-sarif) are checked
for shape only. PyYAML is not a dependency, so a small parser for the YAML subset these
files use is below; when PyYAML happens to be installed it is checked against it.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from citebrief.scaffold import ACTION_PLACEHOLDER, init_project

REPO = Path(__file__).resolve().parents[1]
ACTION = REPO / "action.yml"
HOOKS = REPO / ".pre-commit-hooks.yaml"
BIN = Path(sys.executable).parent          # the venv's bin: citebrief lives here


def load_yaml(text: str):
    """YAML as GitHub reads it: PyYAML turns the workflow key `on` into True (YAML 1.1); undo that."""
    data = yaml.safe_load(text)
    if isinstance(data, dict) and True in data:
        data["on"] = data.pop(True)
    return data


# --- action.yml: shape -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def action() -> dict:
    return load_yaml(ACTION.read_text(encoding="utf-8"))


def test_action_is_a_composite_action_with_documented_inputs(action):
    assert action["name"] == "citebrief" and action["description"]
    assert action["runs"]["using"] == "composite"
    inputs = action["inputs"]
    assert {"paths", "version", "strict", "sarif", "python-version", "working-directory"} <= set(inputs)
    assert inputs["paths"]["default"] == "" and inputs["version"]["default"] == ""
    assert inputs["strict"]["default"] == "false" and inputs["sarif"]["default"] == "false"
    for name, spec in inputs.items():
        assert spec.get("description"), name
        assert isinstance(spec.get("default"), str), f"{name}: action inputs are strings"


def test_action_steps(action):
    steps = action["runs"]["steps"]
    assert steps[0]["uses"].startswith("actions/setup-python@")
    upload = [s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@")]
    assert len(upload) == 1 and upload[0]["if"] == "inputs.sarif == 'true'"
    assert upload[0]["with"]["sarif_file"] == "${{ steps.sarif.outputs.file }}"
    runs = [s for s in steps if "run" in s]
    assert any("--format github" in s["run"] and "citebrief lint" in s["run"] for s in runs)
    assert steps[-1]["name"] == "Lint briefs", "the github-format lint decides the check, so it runs last"
    for step in runs:
        assert step["shell"] == "bash", "composite run steps need an explicit shell"
        # inputs reach scripts through env only: no expression is pasted into shell code
        assert "${{" not in step["run"], step["name"]


# --- action.yml: its run steps, executed locally --------------------------------------------

_EXPR = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")


def _expression(expr: str, inputs: dict[str, str]) -> str:
    if expr.startswith("inputs."):
        return inputs[expr.removeprefix("inputs.")]
    if expr == "github.action_path":
        return str(REPO)
    raise AssertionError(f"expression not known to this test: {expr}")


def _condition(cond: str, inputs: dict[str, str]) -> bool:
    m = re.fullmatch(r"inputs\.([\w-]+) == '([^']*)'", cond)
    assert m, f"condition not known to this test: {cond}"
    return inputs[m.group(1)] == m.group(2)


def run_action(action: dict, project: Path, tmp_path: Path, **given) -> list[tuple[str, subprocess.CompletedProcess]]:
    """Run every `run:` step as the runner would, stopping at the first failure like GitHub does."""
    inputs = {name: spec["default"] for name, spec in action["inputs"].items()}
    inputs.update({k.replace("_", "-"): v for k, v in given.items()})
    stub = tmp_path / "stub-bin"        # `python -m pip install` is recorded, not run: no network here
    stub.mkdir(exist_ok=True)
    (stub / "python").write_text(f'#!/bin/sh\nif [ "$1 $2" = "-m pip" ]; then echo "$@" >> "{tmp_path}/pip-calls"; '
                                 f'exit 0; fi\nexec "{sys.executable}" "$@"\n')
    (stub / "python").chmod(0o755)
    results = []
    for step in action["runs"]["steps"]:
        if "if" in step and not _condition(step["if"], inputs):
            continue
        if "run" not in step:
            continue
        env = {**os.environ, "PATH": f"{stub}{os.pathsep}{BIN}{os.pathsep}{os.environ['PATH']}",
               "GITHUB_OUTPUT": str(tmp_path / "github-output")}
        env.pop("NO_COLOR", None)
        for key, value in step.get("env", {}).items():
            env[key] = _EXPR.sub(lambda m: _expression(m.group(1), inputs), str(value))
        cwd = project / _EXPR.sub(lambda m: _expression(m.group(1), inputs), step.get("working-directory", "."))
        proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                              cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
        results.append((step["name"], proc))
        if proc.returncode:
            break
    return results


@pytest.fixture
def brief_project(tmp_path) -> Path:
    root = tmp_path / "briefs"
    init_project(root, echo=lambda *a, **k: None)
    return root


def _add_uncited_claim(root: Path) -> int:
    brief = root / "manuscript" / "brief.md"
    text = brief.read_text(encoding="utf-8")
    text = text.replace("# Limitations", "Local police made 514 new agreements in six months.\n\n# Limitations")
    brief.write_text(text, encoding="utf-8")
    return text.splitlines().index("Local police made 514 new agreements in six months.") + 1


def test_action_installs_from_its_own_repository_by_default(action, brief_project, tmp_path):
    results = run_action(action, brief_project, tmp_path)
    assert [name for name, _ in results] == ["Install citebrief", "Lint briefs"]
    assert all(p.returncode == 0 for _, p in results), [p.stderr for _, p in results]
    assert (tmp_path / "pip-calls").read_text().split()[-1] == str(REPO)
    assert results[0][1].stdout.startswith("citebrief, version ")


def test_action_installs_the_given_version(action, brief_project, tmp_path):
    run_action(action, brief_project, tmp_path, version="citebrief==0.1.0")
    assert (tmp_path / "pip-calls").read_text().split()[-1] == "citebrief==0.1.0"


def test_action_passes_on_the_scaffold(action, brief_project, tmp_path):
    name, lint = run_action(action, brief_project, tmp_path)[-1]
    assert name == "Lint briefs" and lint.returncode == 0, lint.stderr
    assert "::error" not in lint.stdout
    # the one honest warning of the scaffold: its source page has not been read for the brief (no urldate)
    warnings = [line for line in lint.stdout.splitlines() if line.startswith("::warning")]
    assert len(warnings) == 1 and "line=13,col=1,title=missing-access-date::" in warnings[0]
    assert "1/1 claim cited" in lint.stdout


def test_action_annotates_an_uncited_claim_and_fails(action, brief_project, tmp_path):
    line = _add_uncited_claim(brief_project)
    name, lint = run_action(action, brief_project, tmp_path)[-1]
    assert name == "Lint briefs" and lint.returncode == 1
    assert f"::error file=manuscript/brief.md,line={line},col=1,title=uncited-claim::" in lint.stdout


def test_action_paths_input(action, brief_project, tmp_path):
    _add_uncited_claim(brief_project)
    other = brief_project / "drafts"
    other.mkdir()
    (other / "ok.md").write_text((brief_project / "manuscript/brief.md").read_text(encoding="utf-8")
                                 .replace("Local police made 514 new agreements in six months.", ""))
    name, lint = run_action(action, brief_project, tmp_path, paths="drafts/ok.md references.bib")[-1]
    # references.bib pulls in the manuscript folder's briefs, so the uncited claim is found too
    assert lint.returncode == 1 and "file=manuscript/brief.md" in lint.stdout
    name, lint = run_action(action, brief_project, tmp_path, paths="drafts/ok.md")[-1]
    assert lint.returncode == 0, lint.stdout


def test_action_strict_fails_on_warnings(action, brief_project, tmp_path):
    bib = brief_project / "references.bib"
    bib.write_text(re.sub(r"  urldate = \{[^}]*\},\n", "", bib.read_text(encoding="utf-8")))
    lint = run_action(action, brief_project, tmp_path)[-1][1]
    assert lint.returncode == 0 and "::warning file=references.bib," in lint.stdout
    assert "title=missing-access-date::" in lint.stdout
    lint = run_action(action, brief_project, tmp_path, strict="true")[-1][1]
    assert lint.returncode == 1 and "title=missing-access-date::" in lint.stdout


def test_action_sarif_step_writes_sarif_then_lint_decides(action, brief_project, tmp_path):
    _add_uncited_claim(brief_project)
    results = run_action(action, brief_project, tmp_path, sarif="true")
    names = [name for name, _ in results]
    assert names == ["Install citebrief", "Lint briefs (SARIF)", "Lint briefs"]
    sarif_step, lint = results[1][1], results[2][1]
    assert sarif_step.returncode == 0, "findings must not stop the SARIF upload"
    assert lint.returncode == 1
    output = (tmp_path / "github-output").read_text()
    sarif_path = brief_project / "citebrief.sarif"
    assert f"file={sarif_path}" in output.splitlines()
    log = json.loads(sarif_path.read_text(encoding="utf-8"))
    assert log["version"] == "2.1.0"
    results_ = log["runs"][0]["results"]
    assert any(r["ruleId"] == "uncited-claim" and r["level"] == "error" for r in results_)


def test_action_sarif_step_stops_on_bad_input(action, brief_project, tmp_path):
    results = run_action(action, brief_project, tmp_path, sarif="true", paths="missing.md")
    name, proc = results[-1]
    assert name == "Lint briefs (SARIF)" and proc.returncode == 2
    assert "missing.md" in proc.stderr


@pytest.mark.parametrize("folder", ["briefs", "./briefs/", "my briefs, 2025"])
def test_action_working_directory(action, tmp_path, folder):
    project = tmp_path / "repo" / folder
    init_project(project, echo=lambda *a, **k: None)
    lint = run_action(action, tmp_path / "repo", tmp_path, working_directory=folder)[-1][1]
    assert lint.returncode == 0 and "1/1 claim cited" in lint.stdout
    line = _add_uncited_claim(project)
    lint = run_action(action, tmp_path / "repo", tmp_path, working_directory=folder)[-1][1]
    assert lint.returncode == 1, "the exit code survives the pipe"
    # annotations must name the file from the repository root, escaped as a property value
    shown = folder.strip("./").replace(",", "%2C")
    assert f"::error file={shown}/manuscript/brief.md,line={line},col=1,title=uncited-claim::" in lint.stdout


# --- the workflow that `init` writes uses the action -----------------------------------------

def test_scaffolded_workflow_uses_the_action(action, tmp_path):
    init_project(tmp_path, action="example/citebrief@v1", echo=lambda *a, **k: None)
    workflow = load_yaml((tmp_path / ".github/workflows/citebrief.yml").read_text(encoding="utf-8"))
    assert "pull_request" in workflow["on"]
    steps = workflow["jobs"]["lint"]["steps"]
    assert steps[0]["uses"].startswith("actions/checkout@")
    step = next(s for s in steps if s.get("uses") == "example/citebrief@v1")
    assert set(step["with"]) <= set(action["inputs"]), "the workflow passes only inputs the action declares"
    # and with those values, the action's steps pass on the fresh scaffold
    given = {k.replace("-", "_"): str(v).lower() if isinstance(v, bool) else str(v) for k, v in step["with"].items()}
    assert run_action(action, tmp_path, tmp_path / "", **given)[-1][1].returncode == 0


def test_scaffolded_workflow_placeholder(tmp_path):
    init_project(tmp_path, echo=lambda *a, **k: None)
    text = (tmp_path / ".github/workflows/citebrief.yml").read_text(encoding="utf-8")
    assert f"uses: {ACTION_PLACEHOLDER}\n" in text


# --- .pre-commit-hooks.yaml ------------------------------------------------------------------

def _run_hook(entry: str, files: list[str], cwd: Path) -> subprocess.CompletedProcess:
    argv = shlex.split(entry)
    argv[0] = str(BIN / argv[0])
    return subprocess.run([*argv, *files], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_pre_commit_hook_definition():
    hooks = load_yaml(HOOKS.read_text(encoding="utf-8"))
    assert isinstance(hooks, list) and len(hooks) == 1
    hook = hooks[0]
    assert hook["id"] == "citebrief" and hook["entry"] == "citebrief lint"
    assert hook["language"] == "python" and hook["pass_filenames"] is True
    pattern = re.compile(hook["files"])
    assert all(pattern.search(f) for f in ("manuscript/brief.md", "references.bib", "a/b/sources.bib"))
    assert not any(pattern.search(f) for f in ("setup.py", "notes.txt", "brief.md.orig", "x.bibx", "README.md"))


@pytest.mark.parametrize("source", ["hooks", "scaffold"])
def test_pre_commit_hooks_run_on_staged_files(source, brief_project):
    if source == "hooks":
        hook = load_yaml(HOOKS.read_text(encoding="utf-8"))[0]
    else:
        config = load_yaml((brief_project / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
        assert config["repos"][0]["repo"] == "local"
        hook = config["repos"][0]["hooks"][0]
        assert hook["language"] == "system" and hook["pass_filenames"] is True
    assert hook["id"] == "citebrief"
    staged = ["manuscript/brief.md", "references.bib", "pyproject.toml", ".gitignore", "README.md"]
    files = [f for f in staged if re.search(hook["files"], f)]
    assert "manuscript/brief.md" in files and "references.bib" in files and "pyproject.toml" not in files
    files = [f for f in files if (brief_project / f).exists()]
    ok = _run_hook(hook["entry"], files, brief_project)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "in 1 file" in ok.stdout, "the brief named directly and through the .bib is linted once"
    _add_uncited_claim(brief_project)
    bad = _run_hook(hook["entry"], ["references.bib"], brief_project)
    assert bad.returncode == 1 and "uncited-claim" in bad.stdout


def test_scaffold_pre_commit_hook_skips_markdown_outside_the_manuscript(brief_project):
    config = load_yaml((brief_project / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    pattern = re.compile(config["repos"][0]["hooks"][0]["files"])
    assert not pattern.search("README.md") and pattern.search("manuscript/sub/brief.md")


# --- the README shows exactly what init writes -------------------------------------------------

def _readme_section(title: str) -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end > 0 else len(text)]


def test_readme_ci_yaml_is_what_init_writes(action, tmp_path):
    init_project(tmp_path, echo=lambda *a, **k: None)
    blocks = re.findall(r"```yaml\n(.*?\n)```", _readme_section("Continuous integration"), re.S)
    assert blocks[0] == (tmp_path / ".github/workflows/citebrief.yml").read_text(encoding="utf-8")
    assert blocks[1] == (tmp_path / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    remote = load_yaml(blocks[2])["repos"][0]["hooks"][0]
    assert remote["id"] == load_yaml(HOOKS.read_text(encoding="utf-8"))[0]["id"]
    for name, spec in action["inputs"].items():
        default = spec["default"] or '""'
        assert f"| `{name}` | `{default}` |" in _readme_section("Continuous integration"), name


# --- links: true also runs `citebrief links` (no network here: a private address is refused unasked)

def test_action_links_input(action, tmp_path):
    project = tmp_path / "repo" / "briefs"
    init_project(project, echo=lambda *a, **k: None)
    bib = project / "references.bib"
    text = bib.read_text(encoding="utf-8")
    bib.write_text(re.sub(r"url( *)= \{[^}]*\}", r"url\1= {http://127.0.0.1:9/private}", text))
    url_line = next(i for i, line in enumerate(bib.read_text().splitlines(), 1) if "127.0.0.1" in line)
    lint = run_action(action, tmp_path / "repo", tmp_path, working_directory="briefs")[-1][1]
    assert lint.returncode == 0 and "unreachable-link" not in lint.stdout       # off by default
    lint = run_action(action, tmp_path / "repo", tmp_path, working_directory="briefs", links="true")[-1][1]
    assert lint.returncode == 0, lint.stderr
    assert (f"::warning file=briefs/references.bib,line={url_line},col=1,title=unreachable-link::"
            in lint.stdout) and "non-public address" in lint.stdout
    assert "1/1 claim cited" in lint.stdout                                     # lint ran after links
    lint = run_action(action, tmp_path / "repo", tmp_path, working_directory="briefs", links="true",
                      strict="true")[-1][1]
    assert lint.returncode == 1
    lint = run_action(action, tmp_path / "repo", tmp_path, links="true", paths="missing.md",
                      working_directory="briefs")[-1][1]
    assert lint.returncode == 2 and "missing.md" in lint.stderr
