"""`citebrief evidence`: the page an editor reads (JSON data, HTML in headless Chromium)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner
from conftest import browse, needs_chromium

from citebrief.cli import main
from citebrief.config import load_config
from citebrief.evidence.report import STATUSES, evidence_command


def report_json(project) -> dict:
    r = CliRunner().invoke(main, ["evidence", "--format", "json", "--today", "2025-12-01"])
    assert r.exit_code == 0, r.output
    return json.loads(r.output)["briefs"][0]


def test_claims_riskiest_first_with_their_evidence(evidence_project):
    data = report_json(evidence_project)
    statuses = [c["status"] for c in data["claims"]]
    assert statuses == sorted(statuses, key=STATUSES.index)
    assert data["summary"]["statuses"]["quote-not-found"] == 3 and data["summary"]["statuses"]["figure-not-found"] == 2
    assert data["summary"]["claims"] == len(data["claims"]) == 14
    by_line = {c["line"]: c for c in data["claims"]}
    misquote = by_line[16]
    assert misquote["status"] == "quote-not-found" and misquote["quotes"][0]["found"] is False
    assert misquote["quotes"][0]["closest"]["passage"].startswith("receive delegated authority")
    assert "delegated authority for immigration enforcement" in misquote["sources"][0]["passage"]
    assert {"delegated", "immigration", "enforcement"} <= set(misquote["sources"][0]["shared"])
    wrong = by_line[30]
    assert [(f["text"], f["found"]) for f in wrong["figures"]] == [("20–11", True), ("89–53", False)]
    assert "89–52" in wrong["sources"][0]["passage"]           # the PDF's passage, for the editor to compare
    assert by_line[41]["status"] == "no-snapshot" and by_line[41]["quotes"] == []
    good = by_line[26]
    assert good["status"] == "matched" and all(f["found"] for f in good["figures"])
    assert by_line[38]["quotes"][0]["block"] and by_line[38]["quotes"][0]["found"] is True


def test_an_html_snapshot_keeps_its_blocks_apart(evidence_project):
    # trafilatura gives one block per line: the page's heading must not run into its first sentence,
    # nor a table's rows into each other (a .txt or PDF's line breaks are only wraps, and go)
    data = report_json(evidence_project)
    passages = {s["passage"] for c in data["claims"] for s in c["sources"] if s["key"] == "ice" and s["passage"]}
    assert any(p.startswith("Delegation of Immigration Authority Section 287(g) Immigration and Nationality Act\n"
                            "The 287(g) program") for p in passages)
    assert any("| Jail Enforcement Model | 312 |\n| Task Force Model | 489 |" in p for p in passages)
    wrong = {c["line"]: c for c in data["claims"]}[30]
    assert "\n" not in wrong["sources"][0]["passage"]          # the PDF's, cut by sentences alone


def test_sources_summary(evidence_project):
    (evidence_project / "sources" / "dhs.json").write_text(json.dumps(
        {"url": "https://www.dhs.gov/x", "retrieved": "2025-09-18T10:00:00+00:00", "sha256": "0" * 64}))
    data = report_json(evidence_project)
    sources = {s["key"]: s for s in data["sources"]}
    assert sources["ice"]["claims"] == 7 and sources["ice"]["sole_support"] == 7
    assert sources["dhs"]["retrieved"] == "2025-09-18" and sources["dhs"]["age_days"] == 74   # provenance wins
    assert sources["kocher"]["snapshot"] is None and sources["kocher"]["retrieved"] == "2025-11-27"
    assert data["sources"][0]["key"] == "dhs"                  # the oldest copy first
    assert data["summary"]["single_source"] == 14


def test_html_page_is_written_whole_and_escaped(evidence_project, capsys):
    brief = evidence_project / "manuscript" / "brief.md"
    brief.write_text(brief.read_text().replace("Critics say", "Critics <b onmouseover=x>say</b> & write"))
    (evidence_project / "sources" / "mdoag.md").write_text(
        "While performing regular police functions, Maryland officers may not enforce civil immigration\n"
        "laws or assist federal agents in enforcing such laws. <script>alert(1)</script> <img src=x onerror=y>\n")
    config = load_config(evidence_project)
    assert evidence_command([], config, today=date(2025, 12, 1)) == 0
    out = capsys.readouterr().out
    assert "manuscript/brief.md → out/brief.evidence.html  14 claims: 6 to look at, 1 not checkable" in out
    page = (evidence_project / "out" / "brief.evidence.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script" not in page
    assert "<img" not in page and "<b " not in page
    assert "default-src 'none'" in page                       # and the browser would refuse any request
    first = page
    assert evidence_command([], config, today=date(2025, 12, 1)) == 0
    assert (evidence_project / "out" / "brief.evidence.html").read_text() == first        # deterministic
    assert [p.name for p in (evidence_project / "out").iterdir()] == ["brief.evidence.html"]   # no temp files


@needs_chromium
@pytest.mark.parametrize("width,height", [(360, 740), (1280, 900)])
def test_page_in_a_browser(evidence_project, width, height):
    assert evidence_command([], load_config(evidence_project), today=date(2025, 12, 1)) == 0
    with browse(evidence_project / "out" / "brief.evidence.html", width, height) as (page, console, requests):
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert console == [] and requests == [] and page.locator("script").count() == 0
        first = page.locator("article.claim").first
        assert "Quote not in source" in first.inner_text()
        assert page.locator("article.claim").count() == 14
        assert page.locator("article.claim mark.missing").count() == 5     # 3 quotes, 2 figures
        assert page.locator("#sources").is_visible()
        font = page.evaluate("getComputedStyle(document.querySelector('.said')).fontSize")
        assert float(font.rstrip("px")) >= 16                      # readable on a phone


def test_bad_input_is_one_line(evidence_project):
    r = CliRunner().invoke(main, ["evidence", "nothing.md"])
    assert r.exit_code == 2 and "nothing.md" in r.output and "Traceback" not in r.output
    (evidence_project / "out").write_text("a file where the out folder should be")
    r = CliRunner().invoke(main, ["evidence"])
    assert r.exit_code == 2 and "out" in r.output and "Traceback" not in r.output


@needs_chromium
def test_the_flagship_page_fits_a_phone(tmp_path):
    """A real brief's passages hold long unbroken words (a source's URL in its excerpt): they wrap."""
    import shutil
    from pathlib import Path
    root = Path(__file__).parent.parent
    for name in ("manuscript", "sources"):
        shutil.copytree(root / name, tmp_path / name)
    for name in ("references.bib", "pyproject.toml"):
        shutil.copy(root / name, tmp_path / name)
    assert evidence_command([], load_config(tmp_path), today=date(2025, 12, 1)) == 0
    with browse(tmp_path / "out" / "ice-287g.evidence.html", 360, 740) as (page, console, requests):
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        assert console == [] and requests == []
