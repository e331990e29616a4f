"""`citebrief snapshot` against a local web server started by each test (no outside network)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner
from conftest import make_pdf

from citebrief.cli import main
from citebrief.config import Config
from citebrief.errors import CitebriefError
from citebrief.evidence import fetch
from citebrief.evidence.bibedit import set_fields

WHEN = datetime(2025, 11, 28, 9, 30, tzinfo=UTC)
PAGE = (b"<html><head><title>T</title></head><body><nav>Menu</nav><main><p>The 287(g) program allows a state "
        b"or local law enforcement entity to partner with ICE, says the agency page.</p></main></body></html>")

# A hand-shaped .bib: comments, odd spacing, CRLF in one entry, a @string, field order of its own.
BIB = (
    "% my sources\n@string{ice = {U.S. Immigration and Customs Enforcement}}\n\n"
    "@online{page,\n    author = ice,\n    title  = {The page},\n    date = {2025},\n"
    "    url    = {URL_PAGE},\n    urldate = {2024-01-01},\n}\n\n"
    "@report{report,\r\n\tauthor = {{DHS}},\r\n\ttitle = {The report},\r\n\tdate = {2025},\r\n"
    "\turl = {URL_REPORT},\r\n}\r\n\n"
    "@misc{book, author = {Someone}, title = {A book}, date = {2020}}\n\n"
    "@online{notes,\n  author = {A},\n  title = {Notes},\n  date = {2025},\n  url = {URL_NOTES},\n}\n"
)


@pytest.fixture
def site(project, pages):
    pages.bodies["/ok.html"] = ("text/html; charset=utf-8", PAGE)      # the entry's url /found redirects here
    pages.bodies["/report.pdf"] = ("application/pdf", make_pdf("The report counts 1,001 agreements."))
    pages.bodies["/notes.txt"] = ("text/plain; charset=utf-8", b"Plain notes: 40 states.\n")
    bib = (BIB.replace("URL_PAGE", pages.url("/found")).replace("URL_REPORT", pages.url("/report.pdf"))
           .replace("URL_NOTES", pages.url("/notes.txt")))
    project.write("references.bib", bib)
    project.write("brief.md", "---\ntitle: T\nchecked: 2025-11-27\n---\n\nOne [@page]. Two [@report]. "
                  "Three [@book]. Four [@notes].\n\n# Limitations\n\nNone.\n")
    return project


def snap(project, **options):
    options.setdefault("allow_private", True)
    return fetch.snapshot_paths(["brief.md"], Config(root=project.root), today=WHEN, **options)


def test_snapshot_stores_sources_and_edits_only_two_lines(site, pages, capsys):
    before = (site.root / "references.bib").read_bytes()
    assert snap(site) == 0
    out = capsys.readouterr().out
    assert "Saved 3 snapshots (1 HTML, 1 PDF, 1 TXT)" in out and "book" in out     # book: no url
    src = site.root / "sources"
    assert (src / "page.html").read_bytes() == PAGE
    assert (src / "report.pdf").read_bytes().startswith(b"%PDF")
    record = json.loads((src / "page.json").read_text())
    assert record["url"] == pages.url("/found") and record["final_url"] == pages.url("/ok.html")
    assert record["redirects"] == [{"url": pages.url("/found"), "status": 302, "location": pages.url("/ok.html")}]
    assert record["sha256"] == hashlib.sha256(PAGE).hexdigest() and record["retrieved"] == "2025-11-28T09:30:00+00:00"
    assert record["content_type"].startswith("text/html")
    after = (site.root / "references.bib").read_bytes()
    # exactly: urldate replaced in place (page), file + urldate inserted after the header (report,
    # in its CRLF and tab style; notes), nothing else touched
    expected = (before
                .replace(b"    urldate = {2024-01-01},\n", b"    urldate = {2025-11-28},\n")
                .replace(b"    author = ice,", b"    file = {sources/page.html},\n    author = ice,")
                .replace(b"@report{report,\r\n", b"@report{report,\r\n\tfile = {sources/report.pdf},\r\n"
                                                 b"\turldate = {2025-11-28},\r\n")
                .replace(b"@online{notes,\n", b"@online{notes,\n  file = {sources/notes.txt},\n"
                                             b"  urldate = {2025-11-28},\n"))
    assert after == expected


def test_the_snapshots_are_then_checked_by_lint(site, pages):
    snap(site)
    site.write("brief.md", "---\ntitle: T\nchecked: 2025-11-28\n---\n\n"
               "The report counts 1,190 agreements [@report]. Notes cover 40 states [@notes].\n\n"
               "The agency says it can \"partner with ICE\" [@page]. A book [@book] says more.\n\n"
               "# Limitations\n\nNone.\n")
    from datetime import date

    from citebrief.engine import lint_paths
    result = lint_paths(["brief.md"], Config(root=site.root), today=date(2025, 11, 29))
    got = sorted((f.rule, f.message[:40]) for f in result.findings)
    assert [r for r, _ in got] == ["missing-snapshot", "number-not-in-source"]


def test_never_overwrites_without_refresh(site, pages, capsys):
    snap(site)
    capsys.readouterr()
    pages.bodies["/notes.txt"] = ("text/plain", b"Plain notes, revised: 41 states.\n")
    hits = len(pages.hits)
    assert snap(site) == 0
    assert "3 already had a snapshot" in capsys.readouterr().out and len(pages.hits) == hits
    assert b"40 states" in (site.root / "sources" / "notes.txt").read_bytes()
    assert snap(site, refresh=True) == 0
    out = capsys.readouterr().out
    assert "Changed since the last snapshot: notes" in out and "Unchanged: page, report" in out
    assert b"41 states" in (site.root / "sources" / "notes.txt").read_bytes()
    record = json.loads((site.root / "sources" / "notes.json").read_text())
    assert record["sha256"] == hashlib.sha256(b"Plain notes, revised: 41 states.\n").hexdigest()


def test_failures_are_one_line_each(site, pages, capsys):
    bib = site.root / "references.bib"
    text = bib.read_text()
    bib.write_text(text.replace(pages.url("/report.pdf"), pages.url("/image.png"))
                   .replace(pages.url("/notes.txt"), pages.url("/missing")))
    assert snap(site, keys=("report", "notes")) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 3 and "Traceback" not in "\n".join(err)
    assert "report: " in err[0] and "image/png" in err[0] and "not one citebrief reads" in err[0]
    assert "notes: " in err[1] and "answers 404" in err[1]
    assert not (site.root / "sources").exists() or not any((site.root / "sources").iterdir())
    assert bib.read_text() == text.replace(pages.url("/report.pdf"), pages.url("/image.png")).replace(
        pages.url("/notes.txt"), pages.url("/missing"))


def test_size_cap_redirect_loops_and_private_addresses(site, pages, capsys):
    bib = site.root / "references.bib"
    bib.write_text(bib.read_text().replace(pages.url("/notes.txt"), pages.url("/big"))
                   .replace(pages.url("/report.pdf"), pages.url("/loop")))
    assert snap(site, keys=("notes", "report"), max_mb=1) == 1
    err = capsys.readouterr().err
    assert "more than the 1 MB limit" in err and "more than 10 redirects" in err
    hits = len(pages.hits)
    assert snap(site, keys=("page",), allow_private=False) == 1
    assert "non-public address 127.0.0.1" in capsys.readouterr().err and len(pages.hits) == hits


def test_cli(site, pages):
    r = CliRunner().invoke(main, ["snapshot", "brief.md", "--keys", "nope"])
    assert r.exit_code == 2 and "nope" in r.output
    r = CliRunner().invoke(main, ["snapshot", "brief.md", "--keys", "notes"])   # no --allow-private
    assert r.exit_code == 1 and "--allow-private" in r.output
    r = CliRunner().invoke(main, ["snapshot", "brief.md", "--keys", "notes", "--allow-private"])
    assert r.exit_code == 0 and (site.root / "sources" / "notes.txt").is_file()


def test_bibedit_refuses_what_it_cannot_do_safely(tmp_path):
    bib = tmp_path / "r.bib"
    bib.write_text("@misc{a, title = {One line}}\n\n@misc{b,\n  title = {B},\n  urldate = {2020-01-01\n  },\n}\n")
    before = bib.read_bytes()
    with pytest.raises(CitebriefError, match="does not start on a line of its own"):
        set_fields(bib, "r.bib", {"a": {"file": "sources/a.txt"}})
    with pytest.raises(CitebriefError, match="spans lines"):
        set_fields(bib, "r.bib", {"b": {"urldate": "2025-01-01"}})
    with pytest.raises(CitebriefError, match="cannot write"):
        set_fields(bib, "r.bib", {"b": {"file": "x}, evil = {y"}})
    assert bib.read_bytes() == before
    latin = tmp_path / "l.bib"
    latin.write_bytes("@misc{c,\n  title = {Caf\xe9},\n}\n".encode("latin-1"))
    with pytest.raises(CitebriefError):
        set_fields(latin, "l.bib", {"c": {"file": "x.txt"}})
