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
    assert styles["Limitation"].font.highlight_color == docx.enum.text.WD_COLOR_INDEX.YELLOW
    assert styles["Heading 1"].font.name == "Arial" and styles["Body Text"].font.name == "Georgia"
    assert styles["Flagged List"].base_style.name == "Compact"


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
