"""`citebrief bundle`: out/dist/ contents, manifest hashes, reproducible zips, the stale rule, the lint
gate, rebuilds that leave nothing behind, and index.html in a browser at phone and desktop widths."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import zipfile
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import browse, needs_chromium

import citebrief.bundle as bundle_mod
from citebrief import __version__
from citebrief.bundle import bundle_paths
from citebrief.cli import main
from citebrief.config import Config
from citebrief.engine import lint_paths
from citebrief.tools import pandoc_version

DATA = Path(__file__).parent / "data"
TODAY = date(2025, 12, 1)            # brief.md checked 2025-11-27 (4 days), second.md 2025-10-15 (47 days)
LATER = date(2026, 1, 20)            # brief.md 54 days, second.md 97 days: only second.md is stale

PYPROJECT = """[tool.citebrief]
manuscript = "manuscript"
bibliography = "references.bib"
out = "out"
"""

EXPECTED = {"brief-2025-11-27.pdf", "brief-2025-11-27.docx", "brief-2025-11-27.html",
            "second-2025-10-15.pdf", "second-2025-10-15.docx", "second-2025-10-15.html",
            "index.html", "manifest.json", "desk.zip"}


class Log:
    def __init__(self):
        self.out: list[str] = []
        self.err: list[str] = []

    def __call__(self, message="", err=False, nl=True, **_):
        (self.err if err else self.out).append(str(message))

    @property
    def text(self) -> str:
        return "\n".join(self.out + self.err)


def make_project(root: Path) -> Path:
    (root / "manuscript").mkdir(parents=True, exist_ok=True)
    shutil.copy(DATA / "compile" / "brief.md", root / "manuscript" / "brief.md")
    shutil.copy(DATA / "bundle" / "second.md", root / "manuscript" / "second.md")
    shutil.copy(DATA / "compile" / "references.bib", root / "references.bib")
    (root / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    return root


def bundle(root: Path, paths=(), today=TODAY, name="desk", **options) -> tuple[int, Log]:
    log = Log()
    code = bundle_paths(list(paths), Config(root=root), name=name, today=today, echo=log, **options)
    return code, log


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.exists() else {}


def leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if p.name.startswith(".dist"))


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    root = make_project(tmp_path_factory.mktemp("bundled"))
    cwd = os.getcwd()
    os.chdir(root)
    try:
        code, log = bundle(root)
    finally:
        os.chdir(cwd)
    assert code == 0, log.text
    return root / "out" / "dist"


@pytest.fixture
def proj(tmp_path, monkeypatch) -> Path:
    root = make_project(tmp_path / "desk")
    monkeypatch.chdir(root)
    return root


# --- what the bundle holds ------------------------------------------------------------------------

def test_bundle_files(dist):
    assert {p.name for p in dist.iterdir()} == EXPECTED
    assert all(p.is_file() for p in dist.iterdir())
    assert leftovers(dist.parent) == []                           # no temporary build folder left
    # the bundled copies are the compiled outputs, renamed <brief>-<checked>.<ext>
    assert (dist / "brief-2025-11-27.pdf").read_bytes() == (dist.parent / "brief.pdf").read_bytes()
    # the page, plus where its PDF is for reference managers
    page = (dist / "second-2025-10-15.html").read_text(encoding="utf-8")
    tag = '<meta name="citation_pdf_url" content="second-2025-10-15.pdf">\n'
    assert page.count(tag) == 1 and page.index(tag) < page.index("</head>")
    assert page.replace(tag, "") == (dist.parent / "second.html").read_text(encoding="utf-8")
    assert (dist / "brief-2025-11-27.pdf").read_bytes().startswith(b"%PDF")
    assert zipfile.is_zipfile(dist / "brief-2025-11-27.docx")


def test_manifest_hashes_and_sizes_match_the_files(dist):
    manifest = json.loads((dist / "manifest.json").read_text(encoding="utf-8"))
    files = manifest["files"]
    # every file but the manifest itself and the zip that contains it
    assert set(files) == EXPECTED - {"manifest.json", "desk.zip"}
    for name, record in files.items():
        data = (dist / name).read_bytes()
        assert record == {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}, name


def test_manifest_briefs_sources_lint_and_versions(dist):
    raw = (dist / "manifest.json").read_bytes()
    manifest = json.loads(raw)
    assert raw.decode() == json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n"   # sorted keys
    assert manifest["versions"]["citebrief"] == __version__
    assert manifest["versions"]["pandoc"] == pandoc_version()
    assert manifest["name"] == "desk"
    briefs = {b["brief"]: b for b in manifest["briefs"]}
    assert list(briefs) == ["brief", "second"]
    first, second = briefs["brief"], briefs["second"]
    assert first["title"] == "County jails and federal detainers"
    assert second["title"] == "Warrantless arrests & the <287(g)> statute"
    assert (first["checked"], second["checked"]) == ("2025-11-27", "2025-10-15")
    assert first["stale"] is False and second["stale"] is False
    assert first["source"] == "manuscript/brief.md"
    assert first["files"] == {"pdf": "brief-2025-11-27.pdf", "docx": "brief-2025-11-27.docx",
                              "html": "brief-2025-11-27.html"}
    # only the sources each brief cites, with title and URL from the bibliography
    assert first["sources"] == [
        {"key": "ice2025",
         "title": "Delegation of Immigration Authority Section 287(g) Immigration and Nationality Act",
         "url": "https://www.ice.gov/identify-and-arrest/287g"},
        {"key": "ina287g", "title": "8 U.S. Code § 1357: Powers of Immigration Officers and Employees",
         "url": "https://www.law.cornell.edu/uscode/text/8/1357"},
    ]
    assert [s["key"] for s in second["sources"]] == ["ina287g"]
    # the lint summary is what `citebrief lint` says of each brief on its own
    root = dist.parent.parent
    for name, entry in briefs.items():
        result = lint_paths([str(root / "manuscript" / f"{name}.md")], Config(root=root), today=TODAY)
        assert entry["lint"] == {"claims": result.claims, "cited_claims": result.cited_claims,
                                 "coverage": round(100 * result.cited_claims / result.claims, 1),
                                 "errors": 0, "warnings": result.warnings}
        assert result.claims > 0
    # the two briefs share references.bib: ice2025, cited by brief.md only, is not "unused" for second.md
    assert not [f for f in lint_paths([str(root / "manuscript" / "second.md")], Config(root=root),
                                      today=TODAY).findings if f.rule == "unused-entry"]


def test_index_html(dist):
    page = (dist / "index.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="en">' in page
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "<script" not in page.lower() and "<link" not in page.lower()      # self-contained
    assert "<style>" in page
    assert "County jails and federal detainers" in page
    assert "Warrantless arrests &amp; the &lt;287(g)&gt; statute" in page     # escaped
    assert '<time datetime="2025-11-27">Checked on November 27, 2025</time>' in page
    assert '<time datetime="2025-10-15">Checked on October 15, 2025</time>' in page
    manifest = json.loads((dist / "manifest.json").read_text(encoding="utf-8"))
    for b in manifest["briefs"]:
        n = b["lint"]["claims"]
        assert f"100% <small>({n} of {n} claim{'s' if n != 1 else ''})</small>" in page
        assert f"<dt>Sources</dt><dd>{len(b['sources'])}</dd>" in page
    hrefs = re.findall(r'href="([^"]+)"', page)
    assert set(hrefs) == EXPECTED - {"index.html", "desk.zip"}               # each file, and the manifest
    assert all((dist / h).is_file() for h in hrefs)
    # newest check first
    assert page.index("County jails") < page.index("Warrantless arrests")
    body = page[page.index("<body>"):]
    assert "stale" not in body.lower()
    # the footer claims only what was checked
    assert "complete sources" not in page
    assert "citebrief does not check that the sources say what the briefs say" in page



def test_index_states_only_the_checks_that_ran(proj):
    """The index's checks sentence comes from the rules that ran (status.py's words, as each brief's
    footer says them): a project that ignores uncited-claim gets no claim that every claim cites a source."""
    code, log = bundle(proj)
    assert code == 0, log.text
    page = (proj / "out" / "dist" / "index.html").read_text(encoding="utf-8")
    assert ("each brief passed citebrief's checks with no errors: every claim cites a source; every citation "
            "resolves to a bibliography entry with a title, an author or organisation and a date; every URL and "
            "DOI those entries give is well formed; sentences") in page

    (proj / "pyproject.toml").write_text(PYPROJECT + 'ignore = ["uncited-claim", "bad-url"]\n', encoding="utf-8")
    result = cli("--today", TODAY.isoformat())          # the command reads pyproject.toml
    assert result.exit_code == 0, result.output
    page = (proj / "out" / "dist" / "index.html").read_text(encoding="utf-8")
    assert "claim cites" not in page and "claims cites" not in page
    assert "URL and DOI" not in page
    assert ("with no errors: every citation resolves to a bibliography entry with a title, an author or "
            "organisation and a date; sentences") in page
    footer = (proj / "out" / "brief.html").read_text(encoding="utf-8")
    assert "claim cites" not in footer and "every citation resolves" in footer


def test_a_source_known_by_its_doi_links_to_doi_org(proj):
    """An entry with a DOI and no URL is linked through doi.org, its prefix dropped however it is
    written (`DOI: `, as bad-doi and `citebrief links` accept it)."""
    bib = proj / "references.bib"
    bib.write_text(bib.read_text(encoding="utf-8").replace(
        "  url = {https://www.law.cornell.edu/uscode/text/8/1357},\n", "  doi = {DOI: 10.1000/xyz123},\n"),
        encoding="utf-8")
    code, log = bundle(proj)
    assert code == 0, log.text
    manifest = json.loads((proj / "out" / "dist" / "manifest.json").read_text(encoding="utf-8"))
    urls = {s["key"]: s["url"] for b in manifest["briefs"] for s in b["sources"]}
    assert urls["ina287g"] == "https://doi.org/10.1000/xyz123"

# --- reproducible ------------------------------------------------------------------------------------

def test_zip_is_reproducible_and_matches_the_files(proj, tmp_path):
    code, log = bundle(proj)
    assert code == 0, log.text
    dist = proj / "out" / "dist"
    first = (dist / "desk.zip").read_bytes()
    with zipfile.ZipFile(dist / "desk.zip") as zf:
        infos = zf.infolist()
        names = [i.filename for i in infos]
        assert names == sorted(names) == [f"desk/{n}" for n in sorted(EXPECTED - {"desk.zip"})]
        for info in infos:
            assert info.date_time == (2025, 11, 27, 0, 0, 0)      # the newest checked date
            assert info.external_attr >> 16 == 0o100644
            assert info.create_system == 3 and info.extra == b"" and info.comment == b""
            assert zf.read(info) == (dist / info.filename.removeprefix("desk/")).read_bytes()
        assert zf.comment == b""

    # rebuilt from nothing (no cache, no out/) in the same place: the same bytes
    shutil.rmtree(proj / "out")
    code, log = bundle(proj)
    assert code == 0, log.text
    assert (dist / "desk.zip").read_bytes() == first

    # rebuilt elsewhere, from copies of the same inputs: the same bytes
    other = make_project(tmp_path / "elsewhere" / "copy")
    code, log = bundle(other, name="desk")
    assert code == 0, log.text
    assert (other / "out" / "dist" / "desk.zip").read_bytes() == first
    assert (other / "out" / "dist" / "manifest.json").read_bytes() == (dist / "manifest.json").read_bytes()


def test_source_date_epoch_sets_the_zip_timestamp(proj, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")      # 2026-01-01T00:00:00Z
    code, log = bundle(proj, paths=["manuscript/second.md"])
    assert code == 0, log.text
    with zipfile.ZipFile(proj / "out" / "dist" / "desk.zip") as zf:
        assert {i.date_time for i in zf.infolist()} == {(2026, 1, 1, 0, 0, 0)}


def test_rebuild_leaves_nothing_of_the_old_bundle(proj):
    code, log = bundle(proj)
    assert code == 0, log.text
    dist = proj / "out" / "dist"
    (dist / "left-over.pdf").write_bytes(b"old")
    code, log = bundle(proj, paths=["manuscript/second.md"], name="only")
    assert code == 0, log.text
    assert {p.name for p in dist.iterdir()} == {"second-2025-10-15.pdf", "second-2025-10-15.docx",
                                               "second-2025-10-15.html", "index.html", "manifest.json",
                                               "only.zip"}
    assert leftovers(proj / "out") == []


def test_rebuild_without_atomic_exchange(proj, monkeypatch):
    code, _ = bundle(proj)
    assert code == 0
    (proj / "out" / "dist" / "left-over.txt").write_text("old")
    monkeypatch.setattr(bundle_mod, "_exchange", lambda a, b: False)     # e.g. not Linux
    code, log = bundle(proj)
    assert code == 0, log.text
    assert {p.name for p in (proj / "out" / "dist").iterdir()} == EXPECTED
    assert leftovers(proj / "out") == []


def test_failure_while_building_keeps_the_old_bundle(proj, monkeypatch):
    code, _ = bundle(proj)
    assert code == 0
    before = snapshot(proj / "out" / "dist")

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(bundle_mod, "reproducible_zip", broken)
    with pytest.raises(OSError):
        bundle(proj, today=date(2025, 12, 2))
    assert snapshot(proj / "out" / "dist") == before
    assert leftovers(proj / "out") == []


# --- the stale rule and the lint gate ------------------------------------------------------------

def test_stale_brief_stops_the_bundle(proj):
    code, log = bundle(proj, today=LATER)
    assert code == 1
    assert len(log.err) == 1 and log.out == []
    message = log.err[0]
    assert "manuscript/second.md" in message and "2025-10-15" in message and "97 days ago" in message
    assert "--allow-stale" in message and "manuscript/brief.md" not in message
    assert not (proj / "out" / "dist").exists()                  # nothing written, not even a compile


def test_stale_brief_leaves_an_existing_bundle_untouched(proj):
    code, _ = bundle(proj)
    assert code == 0
    before = snapshot(proj / "out" / "dist")
    code, log = bundle(proj, today=LATER)
    assert code == 1
    assert snapshot(proj / "out" / "dist") == before
    assert leftovers(proj / "out") == []


def test_allow_stale_bundles_and_marks_it(proj):
    code, log = bundle(proj, today=LATER, allow_stale=True)
    assert code == 0, log.text
    assert any("second.md: stale" in line and "--allow-stale" in line for line in log.err)
    dist = proj / "out" / "dist"
    assert {p.name for p in dist.iterdir()} == EXPECTED
    manifest = json.loads((dist / "manifest.json").read_text(encoding="utf-8"))
    stale = {b["brief"]: b["stale"] for b in manifest["briefs"]}
    assert stale == {"brief": False, "second": True}
    page = (dist / "index.html").read_text(encoding="utf-8")
    assert page.count('<strong class="stale-badge">Stale</strong>') == 1
    item = page[page.index('<li class="brief stale" id="brief-second">'):]
    item = item[:item.index("</li>\n")] if "</li>\n" in item else item
    assert "Stale" in item and "97 days" in item
    assert '<li class="brief" id="brief-brief">' in page
    assert "1 is marked stale" in page


def test_failing_brief_fails_the_bundle_with_no_dist(proj):
    brief = proj / "manuscript" / "second.md"
    brief.write_text(brief.read_text(encoding="utf-8").replace(
        "# Limitations", "Sheriffs signed more agreements in 2025 than ever before.\n\n# Limitations"),
        encoding="utf-8")
    code, log = bundle(proj)
    assert code == 1
    assert "uncited-claim" in log.text
    assert any("bundle not built" in line and "1 of 2 briefs" in line for line in log.err)
    assert not (proj / "out" / "dist").exists()
    assert leftovers(proj / "out") == []


def test_failing_brief_leaves_an_existing_bundle_untouched(proj):
    code, _ = bundle(proj)
    assert code == 0
    before = snapshot(proj / "out" / "dist")
    bib = proj / "references.bib"
    bib.write_text(bib.read_text(encoding="utf-8").replace("@online{ina287g", "@online{ina287g_renamed"),
                   encoding="utf-8")
    code, log = bundle(proj)
    assert code == 1
    assert "unknown-key" in log.text
    assert snapshot(proj / "out" / "dist") == before


# --- the command line --------------------------------------------------------------------------

def cli(*args):
    return CliRunner().invoke(main, ["bundle", *args], catch_exceptions=False)


def test_cli_bundle(proj):
    result = cli("--today", "2025-12-01")
    assert result.exit_code == 0, result.output
    assert "Bundled 2 briefs into out/dist/" in result.stdout and "desk.zip" in result.stdout
    assert {p.name for p in (proj / "out" / "dist").iterdir()} == EXPECTED    # zip named after the folder


def test_cli_stale_message_and_allow_stale(proj):
    result = cli("--today", "2026-01-20", "--name", "desk")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("citebrief: error: manuscript/second.md: checked 2025-10-15")
    assert "--allow-stale" in lines[0] and "Traceback" not in result.output
    result = cli("--today", "2026-01-20", "--allow-stale", "-q")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""


def test_cli_bad_input(proj):
    result = cli("--name", "../evil")
    assert result.exit_code == 2 and "--name" in result.stderr
    result = cli("--today", "soon")
    assert result.exit_code == 2 and "--today must be YYYY-MM-DD" in result.stderr
    result = cli("missing.md")
    assert result.exit_code == 2 and "missing.md" in result.stderr
    assert not (proj / "out" / "dist").exists()


def test_cli_help_lists_bundle():
    result = CliRunner().invoke(main, ["--help"])
    assert "bundle" in result.output
    help_text = CliRunner().invoke(main, ["bundle", "--help"]).output
    assert "--allow-stale" in help_text and "--name" in help_text and "--title" in help_text
    assert "--today" not in help_text


# --- titles, LaTeX in sources, safe names ----------------------------------------------------------

@pytest.mark.parametrize("value, shown", [
    (r'{\"U}ber die {ICE}', "Über die ICE"),
    (r"Caf\'e \& Bar --- 50\% off", "Café & Bar — 50% off"),
    ("Pay rose 5% in 2025", "Pay rose 5% in 2025"),           # a bare % is text, not a LaTeX comment
    ("{{U.S. Immigration and Customs Enforcement}}", "U.S. Immigration and Customs Enforcement"),
    ("Section~287(g)", "Section\u00a0287(g)"),
])
def test_plain_decodes_latex_in_bibliography_values(value, shown):
    from citebrief.bibliography import Entry
    assert Entry("k", "misc", {"title": value}, 1).plain("title") == shown
    if "{" not in value:      # CSL values are text: nothing is decoded
        assert Entry("k", "webpage", {"title": value}, 1, syntax="csl").plain("title") == value
    assert Entry("k", "misc", {}, 1).plain("title") is None


def test_source_titles_in_the_manifest_are_decoded(proj):
    bib = proj / "references.bib"
    bib.write_text(bib.read_text(encoding="utf-8").replace(
        "title = {8 U.S. Code § 1357: Powers", 'title = {{\\"U}ber 8 U.S. Code § 1357: Powers'), encoding="utf-8")
    code, log = bundle(proj)
    assert code == 0, log.text
    manifest = json.loads((proj / "out" / "dist" / "manifest.json").read_text(encoding="utf-8"))
    titles = {s["key"]: s["title"] for b in manifest["briefs"] for s in b["sources"]}
    assert titles["ina287g"].startswith("Über 8 U.S. Code § 1357")


def index_heads(dist: Path) -> tuple[str, str, str]:
    page = (dist / "index.html").read_text(encoding="utf-8")
    return (re.search(r"<title>(.*?)</title>", page).group(1), re.search(r'<p class="kicker">(.*?)</p>', page).group(1),
            re.search(r"<h1>(.*?)</h1>", page).group(1))


def test_index_title_from_config_or_option(proj):
    assert bundle(proj)[0] == 0
    assert index_heads(proj / "out" / "dist") == ("Checked briefs: desk", "desk", "Checked briefs")   # no title
    (proj / "pyproject.toml").write_text(PYPROJECT + 'title = "Immigration & policing briefs"\n', encoding="utf-8")
    result = cli("--today", "2025-12-01")
    assert result.exit_code == 0, result.output
    assert index_heads(proj / "out" / "dist") == ("Immigration &amp; policing briefs", "Checked briefs",
                                                  "Immigration &amp; policing briefs")
    result = cli("--today", "2025-12-01", "--title", "<Desk> briefs")           # the option wins, escaped
    assert result.exit_code == 0, result.output
    assert index_heads(proj / "out" / "dist")[2] == "&lt;Desk&gt; briefs"


@pytest.mark.parametrize("setting, message", [('title = "two\\nlines"', "title must be one line of text"),
                                              ('title = " "', "title must be one line of text"),
                                              ("title = 3", "title must be a string")])
def test_a_bad_title_is_one_line_exit_2(proj, setting, message):
    (proj / "pyproject.toml").write_text(PYPROJECT + setting + "\n", encoding="utf-8")
    result = cli("--today", "2025-12-01")
    assert result.exit_code == 2 and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and not (proj / "out" / "dist").exists()


@pytest.mark.skipif(os.name != "posix", reason="a backslash and a control character in a file name")
def test_zip_entry_names_are_safe_whatever_the_brief_is_called(proj):
    manuscript = proj / "manuscript"
    (manuscript / "second.md").rename(manuscript / "Über\\brief\x07 two.md")
    code, log = bundle(proj)
    assert code == 0, log.text
    dist = proj / "out" / "dist"
    with zipfile.ZipFile(dist / "desk.zip") as zf:
        names = zf.namelist()
    assert "desk/Uber-brief-two-2025-10-15.pdf" in names
    assert all(re.fullmatch(r"desk/[A-Za-z0-9][A-Za-z0-9._-]*", n) for n in names), names
    assert sorted(p.name for p in dist.iterdir()) == sorted([n.split("/")[1] for n in names] + ["desk.zip"])
    page = (dist / "index.html").read_text(encoding="utf-8")
    assert 'href="Uber-brief-two-2025-10-15.html"' in page         # the index links the files as named


@pytest.mark.skipif(os.name != "posix", reason="a backslash in a file name")
def test_two_briefs_whose_safe_names_collide_stop_the_bundle(proj):
    manuscript = proj / "manuscript"
    text = (manuscript / "brief.md").read_text(encoding="utf-8")
    (manuscript / "a b.md").write_text(text, encoding="utf-8")
    (manuscript / "a\\b.md").write_text(text, encoding="utf-8")
    with pytest.raises(bundle_mod.CitebriefError, match="two briefs would be bundled as a-b-"):
        bundle(proj)
    assert not (proj / "out" / "dist").exists()


def test_reproducible_zip_refuses_an_unsafe_name(tmp_path):
    (tmp_path / "a\\b").write_bytes(b"x") if os.name == "posix" else None
    with pytest.raises(bundle_mod.CitebriefError, match="unsafe zip entry name"):
        bundle_mod.reproducible_zip(tmp_path, ["a\\b"], "desk", 315532800)
    with pytest.raises(bundle_mod.CitebriefError, match="unsafe zip entry name"):
        bundle_mod.reproducible_zip(tmp_path, [], "../desk", 315532800)


# --- index.html in a browser -------------------------------------------------------------------

@needs_chromium
@pytest.mark.parametrize("width,height", [(360, 740), (390, 844), (1280, 900)])
def test_index_in_a_browser(dist, width, height):
    with browse(dist / "index.html", width, height) as (page, console, requests):
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert console == [] and requests == []
        assert page.locator("ol.briefs > li").count() == 2
        assert page.locator("h2").first.inner_text() == "County jails and federal detainers"
        size = page.evaluate("getComputedStyle(document.querySelector('p.lede')).fontSize")
        assert float(size.removesuffix("px")) >= 16
        # download links are big enough to tap on a phone
        box = page.locator("ul.formats a").first.bounding_box()
        assert box["height"] >= 44
        main_box = page.locator("main").bounding_box()
        assert main_box["width"] <= min(width, 44 * 16)


def test_each_brief_is_parsed_once(proj, monkeypatch):
    """bundle lints each brief for its summary; the compile gate reuses that result, not a second run."""
    import citebrief.parse.brief as parse_module
    parsed: list[str] = []
    real = parse_module.parse_brief

    def counting(path, *args, **kwargs):
        parsed.append(Path(path).name)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(parse_module, "parse_brief", counting)
    monkeypatch.setattr("citebrief.engine.parse_brief", counting)
    code, log = bundle(proj, allow_stale=True)
    assert code == 0, log.text
    assert sorted(parsed) == ["brief.md", "second.md"]
