"""Every bibliography form pandoc reads resolves exactly the keys pandoc resolves, read once, the same way
in lint and compile: a list of files, CSL JSON, CSL YAML, inline ``references:``, Latin-1 BibTeX."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import date

import pytest

from citebrief.compile import compile_paths
from citebrief.config import Config
from citebrief.engine import lint_paths
from citebrief.tools import pandoc_path

TODAY = date(2025, 12, 1)
CITED = ["alpha", "beta", "gamma", "delta", "missing"]
BODY = ("Alpha is cited here [@alpha]. Beta is cited here [@beta]. Gamma is cited here [@gamma].\n\n"
        "Delta is cited here [@delta]. A key nobody defines [@missing].\n\n# Limitations\n\nOne year only.\n")

BIB_A = ("@misc{alpha, title = {Alpha}, author = {A. Author}, date = {2020}, url = {https://a.org},"
         " urldate = {2025-01-01}}\n@misc{beta, title = {Beta from A}, author = {B}, date = {2021}}\n")
BIB_B = ("@misc{beta, title = {Beta from B}, author = {B}, date = {2021}}\n"
         "@misc{gamma, title = {Gamma}, author = {G}, date = {2022}}\n")
CSL_JSON = json.dumps([{"id": "alpha", "type": "book", "title": "Alpha", "author": [{"family": "A"}],
                        "issued": {"date-parts": [[2020]]}},
                       {"id": "delta", "type": "webpage", "title": "Delta", "author": [{"literal": "Desk"}],
                        "issued": {"date-parts": [[2021, 3]]}, "URL": "https://d.org"}], indent=1)
CSL_YAML_LIST = "- id: gamma\n  type: book\n  title: Gamma\n  author:\n    - family: G\n  issued: 2022\n"
CSL_YAML_REFS = "---\nreferences:\n- id: delta\n  type: book\n  title: Delta\n  issued:\n    - year: 2021\n...\n"


def front(bibliography: str | None = None, extra: str = "") -> str:
    lines = ["---", "title: T", "checked: 2025-11-27"]
    if bibliography is not None:
        lines.append(bibliography)
    return "\n".join(lines) + "\n" + extra + "---\n\n"


def pandoc_unresolved(project, brief_name: str, bib_args: list[str]) -> set[str]:
    """The keys pandoc's own citeproc reports as not found (the truth this test compares against)."""
    result = subprocess.run([pandoc_path(), brief_name, "--citeproc", *bib_args, "-t", "plain"], cwd=project.root,
                            capture_output=True, text=True)
    return set(re.findall(r"citation (\S+) not found", result.stderr))


def lint_unresolved(project, brief_name: str) -> set[str]:
    result = lint_paths([str(project.root / brief_name)], Config(root=project.root), today=TODAY)
    return {re.match(r"citation @(\S+)", f.message).group(1) for f in result.findings if f.rule == "unknown-key"}


@pytest.mark.parametrize("files,declared", [
    ({"a.bib": BIB_A, "b.bib": BIB_B}, "bibliography:\n  - a.bib\n  - b.bib"),
    ({"refs.json": CSL_JSON}, "bibliography: refs.json"),
    ({"refs.yaml": CSL_YAML_LIST}, "bibliography: refs.yaml"),
    ({"refs.yml": CSL_YAML_REFS}, "bibliography: refs.yml"),
    ({"a.bib": BIB_A, "refs.json": CSL_JSON, "refs.yaml": CSL_YAML_LIST},
     "bibliography: [a.bib, refs.json, refs.yaml]"),
])
def test_each_form_resolves_the_keys_pandoc_resolves(project, files, declared):
    for name, text in files.items():
        project.write(name, text)
    project.write("brief.md", front(declared) + BODY)
    expected = pandoc_unresolved(project, "brief.md", [])   # pandoc reading the same front matter
    assert expected and "missing" in expected
    assert lint_unresolved(project, "brief.md") == expected


def test_inline_references_resolve_and_win_over_files(project):
    inline = ("references:\n- id: gamma\n  type: book\n  title: Inline Gamma\n  author:\n    - family: G\n"
              "  issued: 2022\n")
    project.write("a.bib", BIB_A)
    project.write("brief.md", front("bibliography: a.bib", inline) + BODY)
    assert lint_unresolved(project, "brief.md") == pandoc_unresolved(project, "brief.md", []) == {"delta", "missing"}
    project.write("g.bib", "@misc{gamma, title = {File Gamma}, author = {G}, date = {2022}}\n")
    project.write("brief.md", front("bibliography: [a.bib, g.bib]", inline) + BODY.replace(" [@missing]", "")
                  .replace("[@delta]", "[@alpha]"))
    code = compile_paths([str(project.root / "brief.md")], Config(root=project.root), ("html",),
                         echo=lambda *a, **k: None, lint=False)
    html = (project.root / "out" / "brief.html").read_text()
    assert code == 0 and "Inline Gamma" in html and "File Gamma" not in html     # pandoc's choice, shown


def test_later_files_and_later_definitions_win_as_in_pandoc(project):
    project.write("a.bib", BIB_A)
    project.write("b.bib", BIB_B)
    project.write("brief.md", front("bibliography: [a.bib, b.bib]") + "Beta is cited here [@beta].\n")
    result = lint_paths([str(project.root / "brief.md")], Config(root=project.root), today=TODAY)
    assert result.reports[0].bibliography.entries["beta"].get("title") == "Beta from B"
    compile_paths([str(project.root / "brief.md")], Config(root=project.root), ("html",),
                  echo=lambda *a, **k: None, lint=False)
    assert "beta from b" in (project.root / "out" / "brief.html").read_text().lower()   # the style title-cases


def test_entry_rules_apply_to_csl_entries_at_their_lines(project):
    items = [{"id": "alpha", "type": "book", "author": [{"family": "A"}]},                  # no title, no date
             {"id": "delta", "type": "webpage", "title": "Delta", "author": [{"literal": "Desk"}],
              "issued": {"date-parts": [[2021]]}, "URL": "not a url", "DOI": "10.12/x"}]
    project.write("refs.json", json.dumps(items, indent=1))
    project.write("brief.md", front("bibliography: refs.json") + "Alpha [@alpha] and delta [@delta] are cited.\n"
                  "\n# Limitations\n\nOne year only.\n")
    result = lint_paths([str(project.root / "brief.md")], Config(root=project.root), today=TODAY)
    found = {(f.rule, f.path, f.line) for f in result.findings if f.path == "refs.json"}
    text = (project.root / "refs.json").read_text().splitlines()
    alpha_line = next(i for i, ln in enumerate(text, 1) if '"alpha"' in ln)
    delta_line = next(i for i, ln in enumerate(text, 1) if '"delta"' in ln)
    assert found == {("incomplete-entry", "refs.json", alpha_line), ("bad-url", "refs.json", delta_line),
                     ("bad-doi", "refs.json", delta_line), ("missing-access-date", "refs.json", delta_line)}


def test_csl_yaml_fields_have_their_own_lines(project):
    project.write("refs.yaml", "- id: gamma\n  type: webpage\n  title: Gamma\n  author:\n    - family: G\n"
                               "  issued: 2022\n  URL: https://g.org\n")
    project.write("brief.md", front("bibliography: refs.yaml") + "Gamma is cited here [@gamma].\n\n"
                  "# Limitations\n\nOne year only.\n")
    result = lint_paths([str(project.root / "brief.md")], Config(root=project.root), today=TODAY)
    assert [(f.rule, f.line) for f in result.findings if f.path == "refs.yaml"] == [("missing-access-date", 7)]


def test_inline_reference_findings_point_into_the_brief(project):
    inline = "references:\n- id: gamma\n  type: book\n  author:\n    - family: G\n  issued: 2022\n"
    project.write("brief.md", front(None, inline) + "Gamma is cited here [@gamma].\n\n# Limitations\n\nOne.\n")
    result = lint_paths(["brief.md"], Config(root=project.root), today=TODAY)
    assert [(f.rule, f.path, f.line) for f in result.findings if f.rule == "incomplete-entry"] == [
        ("incomplete-entry", "brief.md", 5)]


def test_latin1_bib_is_read_with_a_warning_and_compiles(project):
    project.write("refs.bib", "@misc{alpha, title = {M\xfcller's caf\xe9}, author = {A}, date = {2020}}\n"
                  .encode("latin-1"))
    project.write("brief.md", front("bibliography: refs.bib") + "Alpha is cited here [@alpha].\n\n"
                  "# Limitations\n\nOne year only.\n")
    result = lint_paths([str(project.root / "brief.md")], Config(root=project.root), today=TODAY)
    assert [(f.rule, f.line) for f in result.findings if f.path == "refs.bib"] == [("bib-encoding", 1)]
    assert result.errors == 0
    code = compile_paths([str(project.root / "brief.md")], Config(root=project.root), ("html",),
                         echo=lambda *a, **k: None)
    assert code == 0 and "müller’s café" in (project.root / "out" / "brief.html").read_text().lower()
    # the file itself is left as it was
    assert (project.root / "refs.bib").read_bytes().startswith(b"@misc{alpha, title = {M\xfcller")


def test_lint_and_compile_read_the_same_list(project):
    """A list-form bibliography: lint used to check the first file while compile rendered another."""
    project.write("a.bib", BIB_A)
    project.write("b.bib", BIB_B)
    project.write("brief.md", front("bibliography: [a.bib, b.bib]") + "Gamma is cited here [@gamma].\n\n"
                  "# Limitations\n\nOne year only.\n")
    result = lint_paths([str(project.root / "brief.md")], Config(root=project.root), today=TODAY)
    assert [f.rule for f in result.findings if f.severity.value == "error"] == []
    code = compile_paths([str(project.root / "brief.md")], Config(root=project.root), ("html",),
                         echo=lambda *a, **k: None)
    assert code == 0 and "Gamma" in (project.root / "out" / "brief.html").read_text()
