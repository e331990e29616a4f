"""Bad input: one clear line naming the file (and line), exit 2 or a finding — never a traceback."""

import pytest
from click.testing import CliRunner

from citebrief.cli import main

GOOD = "---\ntitle: T\nchecked: 2025-11-27\n---\n\nA cited claim here [@a].\n\n# Limitations\n\nOne year only.\n"
BIB = "@misc{a, title = {A}, author = {B}, year = {2025}, url = {https://a.org}, urldate = {2025-11-01}}\n"


def lint(project, *args):
    result = CliRunner().invoke(main, ["lint", *args], catch_exceptions=False)
    return result


def assert_one_line_error(result, *needles):
    assert result.exit_code == 2, result.output
    err = result.stderr.strip()
    assert len(err.splitlines()) == 1, err
    assert "Traceback" not in result.output
    for needle in needles:
        assert needle in err, err


@pytest.mark.parametrize("name,content,needles", [
    ("latin1.md", GOOD.encode("utf-8") + "Caf\xe9 claim\n".encode("latin-1"), ["latin1.md:11:", "UTF-8"]),
    ("junk.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", ["junk.md:", "binary"]),
    ("yaml.md", "---\ntitle: ok\nfoo: [unclosed\n---\n\nText here.\n", ["yaml.md:4:", "YAML"]),
    ("deep.md", "> " * 3000 + "deep\n", ["deep.md:1:", "nested more than 100 levels"]),
])
def test_unreadable_briefs(project, name, content, needles):
    project.write(name, content)
    assert_one_line_error(lint(project, name), *needles)


def test_missing_path(project):
    assert_one_line_error(lint(project, "nope.md"), "nope.md", "no such file")


def test_directory_without_briefs(project):
    (project.root / "empty").mkdir()
    assert_one_line_error(lint(project, "empty"), "empty", "no .md")


def test_unreadable_file(project, deny_reading):
    p = project.write("locked.md", GOOD)
    p.chmod(0)
    deny_reading("locked.md")
    assert_one_line_error(lint(project, "locked.md"), "locked.md", "cannot read")


def test_front_matter_bibliography_missing(project):
    project.write("b.md", GOOD.replace("checked:", "bibliography: refs/missing.bib\nchecked:"))
    assert_one_line_error(lint(project, "b.md"), "b.md", "missing.bib", "not found")


def test_bibliography_that_is_not_bibtex(project):
    project.write("refs.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    project.write("b.md", GOOD.replace("checked:", "bibliography: refs.pdf\nchecked:"))
    result = lint(project, "b.md")
    assert_one_line_error(result, "refs.pdf")


def test_malformed_bib_is_a_finding_with_its_line(project):
    project.write("references.bib", BIB + "\n@article{broken,\n  title = {Unclosed\n")
    project.write("b.md", GOOD)
    result = lint(project, "b.md")
    assert result.exit_code == 1
    assert "references.bib:" in result.output and "bib-syntax" in result.output


def test_empty_brief_gives_findings_not_a_crash(project):
    project.write("empty.md", "")
    result = lint(project, "empty.md")
    assert result.exit_code == 1
    assert "empty.md:1:1: error missing-check-date" in result.output
    assert "missing-limitations" in result.output


def test_two_megabyte_paragraph(project):
    # half the sentences cited: a paragraph this long must not make the checks quadratic
    para = "An uncited claim sits in this long paragraph. A cited claim sits here too [@a]. " * 22500
    project.write("references.bib", BIB)
    project.write("big.md", GOOD.replace("A cited claim here [@a].", para))
    result = lint(project, "--today", "2025-12-01", "--format", "json", "big.md")
    assert result.exit_code == 1
    import json
    data = json.loads(result.output)
    assert data["summary"]["claims"] == 45000      # every sentence of the paragraph is a claim
    assert data["summary"]["cited_claims"] == 22500
    first = data["findings"][0]
    assert (first["line"], first["column"]) == (6, 1)


def test_bad_config_is_a_usage_error(project):
    project.write("pyproject.toml", "[tool.citebrief]\nscope = 'chapter'\n")
    project.write("b.md", GOOD)
    assert_one_line_error(lint(project, "b.md"), "pyproject.toml", "scope")


def test_unknown_rule_in_select(project):
    project.write("b.md", GOOD)
    assert_one_line_error(lint(project, "--select", "no-such-rule", "b.md"), "no-such-rule")
