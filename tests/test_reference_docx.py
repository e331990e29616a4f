"""tests/make_reference_docx.py: the one command that regenerates the DOCX reference document.

The committed ``templates/reference.docx`` must be exactly what the tool makes (same styles part),
so a style changed in the tool but not regenerated, or a template edited by hand, fails here.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import docx
from docx.oxml.ns import qn

ROOT = Path(__file__).resolve().parents[1]
TOOL = ROOT / "tests" / "make_reference_docx.py"
TEMPLATE = ROOT / "src" / "citebrief" / "templates" / "reference.docx"


def run_tool(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(TOOL), *args], capture_output=True, text=True, timeout=300)


def load_tool():
    spec = importlib.util.spec_from_file_location("make_reference_docx", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_tool_regenerates_the_committed_template(tmp_path):
    made = tmp_path / "reference.docx"
    proc = run_tool("--output", str(made))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == str(made)
    tool = load_tool()
    assert tool.styles_xml(made.read_bytes()) == tool.styles_xml(TEMPLATE.read_bytes()), \
        "templates/reference.docx is stale: run .venv/bin/python tests/make_reference_docx.py and commit it"


def test_the_regenerated_document_has_the_house_styles(tmp_path):
    made = tmp_path / "reference.docx"
    assert run_tool("--output", str(made)).returncode == 0
    styles = {s.name: s for s in docx.Document(str(made)).styles}
    for name in ("Checked", "Disclaimer", "Limitation Block", "Flagged List", "Bibliography"):
        assert styles[name].type == docx.enum.style.WD_STYLE_TYPE.PARAGRAPH, name
    assert styles["Limitation"].type == docx.enum.style.WD_STYLE_TYPE.CHARACTER
    for name in ("Stale",):
        assert styles[name].type == docx.enum.style.WD_STYLE_TYPE.CHARACTER
    for name in ("Draft", "Colophon", "Flagged Item"):
        assert styles[name].type == docx.enum.style.WD_STYLE_TYPE.PARAGRAPH, name
    # a flag is shaded (LibreOffice ignores a character style's highlight) and underlined (print)
    rpr = styles["Limitation"].element.rPr
    assert rpr.find(qn("w:shd")).get(qn("w:fill")) == "FDF0C2"
    assert styles["Limitation"].font.underline
    # one open family: the PDF's
    for name in ("Heading 1", "Body Text", "Title", "Normal", "Bibliography"):
        assert styles[name].font.name in (None, "Libertinus Serif"), name
    assert styles["Heading 1"].font.name == "Libertinus Serif" and styles["Body Text"].font.name == "Libertinus Serif"
    assert styles["Title"].paragraph_format.alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.LEFT
    bib = styles["Bibliography"].paragraph_format
    assert bib.first_line_indent < 0 and bib.left_indent == -bib.first_line_indent     # hanging indent
    assert styles["Flagged List"].base_style.name == "Compact"
    assert styles["Flagged Item"].base_style.name == "Flagged List"


def test_check_says_whether_a_template_is_what_the_tool_makes(tmp_path):
    proc = run_tool("--check")                         # the committed template, left untouched
    assert proc.returncode == 0 and "up to date" in proc.stdout, proc.stderr
    edited = tmp_path / "reference.docx"
    document = docx.Document(str(TEMPLATE))
    document.styles["Heading 1"].font.name = "Comic Sans MS"      # a style edited by hand
    document.save(str(edited))
    proc = run_tool("--check", "--output", str(edited))
    assert proc.returncode == 1 and "run it and commit the result" in proc.stderr
    proc = run_tool("--check", "--output", str(tmp_path / "missing.docx"))
    assert proc.returncode == 1 and "cannot read its styles" in proc.stderr


def test_the_tool_is_not_shipped_in_the_package():
    assert importlib.util.find_spec("citebrief.compile.make_reference_docx") is None
