"""The flagship brief (manuscript/ice-287g.md) lints without errors and compiles with every cited
source in every output's bibliography."""

from __future__ import annotations

import html as html_mod
import re
import shutil
from datetime import date
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from citebrief.bibliography import load_bibliography
from citebrief.compile import compile_paths
from citebrief.config import Config
from citebrief.engine import lint_paths

REPO = Path(__file__).resolve().parents[1]
BRIEF = REPO / "manuscript" / "ice-287g.md"
BIB = REPO / "references.bib"


def squash(text: str) -> str:
    """Letters and digits only: line breaks, hyphenation and smart quotes do not matter."""
    return re.sub(r"[^0-9a-z]", "", text.lower())


def test_flagship_lints_without_errors():
    result = lint_paths([str(BRIEF)], Config(root=REPO), today=date(2025, 11, 28))
    errors = [f for f in result.findings if f.severity.value == "error"]
    assert errors == []
    assert result.claims >= 40 and result.cited_claims == result.claims
    assert {f.rule for f in result.findings} <= {"missing-access-date"}   # the one true warning that day


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("flagship")
    (root / "manuscript").mkdir()
    shutil.copy(BRIEF, root / "manuscript" / BRIEF.name)
    shutil.copy(BIB, root / "references.bib")
    code = compile_paths([], Config(root=root), ("pdf", "docx", "html"), echo=lambda *a, **k: None)
    assert code == 0
    return root / "out"


def cited_entries():
    result = lint_paths([str(BRIEF)], Config(root=REPO), today=date(2025, 11, 28))
    keys = sorted({c.key for c in result.reports[0].brief.citations})
    bib = load_bibliography(BIB)
    assert keys and all(k in bib.entries for k in keys)
    # the first words of each title identify the entry in a rendered bibliography
    return [(k, squash(re.sub(r"[{}]", "", bib.entries[k].get("title")))[:40]) for k in keys]


@pytest.mark.parametrize("key,title", cited_entries())
def test_every_cited_source_is_in_every_bibliography(outputs, key, title):
    html = (outputs / "ice-287g.html").read_text(encoding="utf-8")
    entry = re.search(rf'<div id="ref-{re.escape(key)}"[^>]*>(.*?)</div>', html, re.S)
    assert entry, f"no HTML bibliography entry for {key}"
    assert title in squash(html_mod.unescape(re.sub(r"<[^>]+>", "", entry.group(1))))

    document = docx.Document(str(outputs / "ice-287g.docx"))
    bibliography = squash(" ".join(p.text for p in document.paragraphs if p.style.name == "Bibliography"))
    assert title in bibliography

    reader = PdfReader(str(outputs / "ice-287g.pdf"))
    pdf_text = squash(" ".join(page.extract_text() for page in reader.pages[-2:]))
    assert title in pdf_text
