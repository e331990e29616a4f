"""End-to-end tests of `citebrief compile`: content of all three formats, reproducibility, safe
output, the lint gate, the cache, sanitizing, several briefs, bad input."""

from __future__ import annotations

import os
import re
import shutil
import threading
import zipfile
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import without_json_ld

from citebrief.cli import main
from citebrief.compile import compile_paths
from citebrief.config import Config
from citebrief.errors import CitebriefError

DATA = Path(__file__).parent / "data" / "compile"


class Log:
    def __init__(self):
        self.lines: list[str] = []

    def __call__(self, message="", err=False, nl=True, **_):
        self.lines.append(str(message))

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def make_project(root: Path) -> Config:
    for name in ("brief.md", "references.bib"):
        shutil.copy(DATA / name, root / name)
    return Config(root=root, manuscript=".")


def build(root: Path, *formats: str, **options) -> tuple[int, Log]:
    log = Log()
    code = compile_paths([str(root / "brief.md")], Config(root=root, manuscript="."), formats, echo=log,
                         **options)
    return code, log


def pdf_text(reader) -> str:
    """A PDF's text, every page, white space made single spaces."""
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


@pytest.fixture(scope="module")
def compiled(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("compiled")
    make_project(root)
    code, log = build(root, today=date(2025, 12, 1))     # four days after the check: not stale
    assert code == 0, log.text
    return root / "out"


@pytest.fixture
def proj(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    make_project(tmp_path)
    return tmp_path


# --- what readers see ---------------------------------------------------------

def test_pdf_content(compiled):
    from pypdf import PdfReader

    reader = PdfReader(compiled / "brief.pdf")
    text = pdf_text(reader)
    for expected in ("County jails and federal detainers", "What a 287(g) agreement changes",
                     "Checked on November 27, 2025", "This brief summarizes public sources",
                     "Limitations", "Flagged in the text", "References",
                     "could not be verified", "https://www.ice.gov/identify-and-arrest/287g"):
        assert expected in text, expected
    assert "1 of" in text                                       # page numbers
    assert reader.metadata.title == "County jails and federal detainers"
    assert reader.metadata.creation_date.date().isoformat() == "2025-11-27"
    uris, internal = [], 0
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            a = annot.get_object()
            action = a.get("/A")
            if action is not None and action.get_object().get("/URI"):
                uris.append(action.get_object()["/URI"])
            elif a.get("/Dest") is not None or action is not None:
                internal += 1
    assert "https://www.ice.gov/identify-and-arrest/287g" in uris
    assert internal >= 4        # citations → bibliography, flags ↔ the list in the limitations section


def test_docx_content_and_styles(compiled):
    from docx import Document

    doc = Document(compiled / "brief.docx")
    paras = [(p.style.name, p.text) for p in doc.paragraphs]
    styles = {name for name, _ in paras}
    assert ("Title", "County jails and federal detainers") in paras
    assert any(s == "Subtitle" and "287(g)" in t for s, t in paras)
    assert ("Checked", "Checked on November 27, 2025") in [(s, t.replace("\u00a0", " ")) for s, t in paras]
    assert any(s == "Disclaimer" and t.startswith("This brief summarizes") for s, t in paras)
    assert {"Heading 1", "Flagged List"} <= styles
    assert any(s == "Heading 1" and t == "Limitations" for s, t in paras)
    assert any(s == "Heading 1" and t == "References" for s, t in paras)
    flagged = [r.text for p in doc.paragraphs for r in p.runs if r.style is not None and r.style.name == "Limitation"]
    assert any("could not be verified" in t for t in flagged)
    assert doc.styles["Limitation"].type == 2                     # a character style an editor can restyle
    xml = zipfile.ZipFile(compiled / "brief.docx").read("word/_rels/document.xml.rels").decode()
    assert "https://www.ice.gov/identify-and-arrest/287g" in xml     # clickable source URLs
    body = zipfile.ZipFile(compiled / "brief.docx").read("word/document.xml").decode()
    assert 'w:anchor="limitation-1"' in body and 'w:name="limitation-1"' in body   # link back + bookmark


def test_html_content(compiled):
    html = (compiled / "brief.html").read_text(encoding="utf-8").replace("&nbsp;", " ")
    assert '<h1 class="title">County jails and federal detainers</h1>' in html
    text = re.sub(r"<[^>]+>", "", html)
    assert "Checked on November 27, 2025" in text and "This brief summarizes public sources" in text
    assert "Stale" not in text and "DRAFT" not in text
    assert 'id="limitation-1" class="limitation"' in html
    assert 'href="#limitation-1"' in html and 'href="#limitation-2"' in html      # the list links back
    assert "Flagged in the text" in html
    assert 'href="https://www.ice.gov/identify-and-arrest/287g"' in html
    assert 'href="#ref-ice2025"' in html and 'id="ref-ice2025"' in html         # linked citations
    assert "<style>" in html and "<script" not in without_json_ld(html) and "<link" not in html
    assert 'name="viewport"' in html and "Content-Security-Policy" in html


# --- reproducible, safe -------------------------------------------------------

def test_rebuilds_are_byte_identical(proj):
    assert build(proj)[0] == 0
    first = {f: (proj / "out" / f"brief.{f}").read_bytes() for f in ("pdf", "docx", "html")}
    assert build(proj, force=True)[0] == 0
    for fmt, data in first.items():
        assert (proj / "out" / f"brief.{fmt}").read_bytes() == data, fmt


def test_typst_writer_in_pieces_gives_the_same_pdf(proj, monkeypatch):
    # a long brief's typst writer runs in pieces at once (pdf.typst_source); forced here on a short one
    import os

    import citebrief.compile
    from citebrief.compile import pdf

    assert build(proj, "pdf")[0] == 0
    whole = (proj / "out" / "brief.pdf").read_bytes()
    cuts: list[list[int]] = []
    real_cut_points = pdf.cut_points
    monkeypatch.setattr(pdf, "cut_points", lambda *a: cuts.append(real_cut_points(*a)) or cuts[-1])
    monkeypatch.setattr(citebrief.compile, "SPLIT_TYPST_WRITER", 0)
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    assert build(proj, "pdf", force=True)[0] == 0
    assert cuts and cuts[0]                    # it was cut
    assert (proj / "out" / "brief.pdf").read_bytes() == whole


def test_source_date_epoch_wins(proj, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert build(proj, "docx")[0] == 0
    info = zipfile.ZipFile(proj / "out" / "brief.docx").infolist()[0]
    assert info.date_time[:3] == (2023, 11, 14)


def test_failing_writer_leaves_previous_file(proj, monkeypatch):
    import citebrief.compile.pdf as pdf

    assert build(proj, "pdf", "html")[0] == 0
    old_pdf = (proj / "out" / "brief.pdf").read_bytes()

    def broken(build, dest):
        Path(dest).write_bytes(b"%PDF-1.7 half a file")
        raise CitebriefError("typst failed: simulated", build.shown, exit_code=1)

    monkeypatch.setattr(pdf, "write_pdf", broken)
    with pytest.raises(CitebriefError, match="simulated"):
        build(proj, "pdf", "html", force=True)
    assert (proj / "out" / "brief.pdf").read_bytes() == old_pdf
    assert not [p for p in (proj / "out").iterdir() if p.name.endswith(".tmp")]
    monkeypatch.undo()
    code, log = build(proj, "pdf")                 # the failed format is not taken from the cache
    assert code == 0 and "unchanged" not in log.text


def test_interrupted_compile_leaves_previous_file(proj, monkeypatch):
    import citebrief.compile.html as html

    assert build(proj, "html")[0] == 0
    old = (proj / "out" / "brief.html").read_bytes()

    def interrupted(build, dest):
        Path(dest).write_text("<html>partial")
        raise KeyboardInterrupt

    monkeypatch.setattr(html, "write_html", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build(proj, "html", force=True)
    assert (proj / "out" / "brief.html").read_bytes() == old
    assert not [p for p in (proj / "out").iterdir() if p.name.endswith(".tmp")]


def test_two_compiles_at_once(proj):
    codes = []
    threads = [threading.Thread(target=lambda: codes.append(build(proj, force=True)[0])) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == [0, 0]
    from docx import Document
    from pypdf import PdfReader

    assert "Checked on" in PdfReader(proj / "out" / "brief.pdf").pages[0].extract_text()
    assert Document(proj / "out" / "brief.docx").paragraphs
    assert (proj / "out" / "brief.html").read_text().rstrip().endswith("</html>")
    assert not [p for p in (proj / "out").iterdir() if p.name.endswith(".tmp")]


# --- the lint gate --------------------------------------------------------------

UNCITED = "\nThe county signed a new agreement with the federal government in March.\n"


def test_lint_gate_blocks_and_no_lint_says_so(proj):
    with open(proj / "brief.md", "a", encoding="utf-8") as f:
        f.write(UNCITED)
    code, log = build(proj)
    assert code == 1
    assert "uncited-claim" in log.text and "not compiled" in log.text
    assert not (proj / "out" / "brief.pdf").exists()
    code, log = build(proj, "html", lint=False)
    assert code == 0 and "lint gate skipped (--no-lint)" in log.text
    assert (proj / "out" / "brief.html").exists()


# --- typst's worker: started with the citeproc pass -----------------------------------

@pytest.fixture
def typst_workers(monkeypatch):
    """Every typst worker a compile starts beside its citeproc pass, and the order in which the worker
    started and the citeproc result was read."""
    import citebrief.compile
    from citebrief.tools import PandocRun, TypstRun

    started: list[TypstRun] = []
    events: list[str] = []

    class Recorded(TypstRun):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            events.append("typst worker started")
            started.append(self)

    real_result = PandocRun.result

    def result(run):
        events.append(f"{run.what} read")
        return real_result(run)

    monkeypatch.setattr(citebrief.compile, "TypstRun", Recorded)
    monkeypatch.setattr(PandocRun, "result", result)
    return started, events


def _workers_alive() -> list[str]:
    """The typst workers this test process started that are still running (from /proc)."""
    alive = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            parent = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if parent == os.getpid() and b"citebrief.typst_worker" in cmdline:
            alive.append(pid)
    return alive


def test_typsts_worker_starts_while_citeproc_runs_and_makes_the_same_pdf(proj, typst_workers):
    started, events = typst_workers
    assert build(proj, "pdf")[0] == 0
    assert len(started) == 1
    assert events.index("typst worker started") < events.index("citeproc read")
    pdf = (proj / "out" / "brief.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    assert build(proj, "pdf", force=True)[0] == 0          # the same bytes, run after run
    assert (proj / "out" / "brief.pdf").read_bytes() == pdf
    assert not _workers_alive()


def test_a_brief_stopped_by_its_lint_gate_starts_no_typst_worker(proj, typst_workers):
    started, _events = typst_workers
    with open(proj / "brief.md", "a", encoding="utf-8") as f:
        f.write(UNCITED)
    code, log = build(proj, "pdf")
    assert code == 1 and "not compiled" in log.text
    assert started == []
    assert not (proj / "out" / "brief.pdf").exists()


def test_a_compile_that_fails_before_typst_leaves_no_typst_worker(proj, typst_workers, monkeypatch):
    import citebrief.compile

    started, _events = typst_workers

    def broken(*args, **kwargs):
        raise CitebriefError("simulated", "brief.md", exit_code=1)

    monkeypatch.setattr(citebrief.compile, "prepare", broken)
    with pytest.raises(CitebriefError, match="simulated"):
        build(proj, "pdf")
    assert len(started) == 1                 # it was waiting for its source, and stopped with the brief
    assert not _workers_alive()


def test_no_typst_worker_when_the_pdf_is_up_to_date(proj, typst_workers):
    started, _events = typst_workers
    assert build(proj, "pdf", "html")[0] == 0
    (proj / "out" / "brief.html").unlink()
    started.clear()
    code, log = build(proj, "pdf", "html")
    assert code == 0 and "brief.pdf  unchanged (cached)" in log.text
    assert started == []



@pytest.mark.parametrize("source, limits, said", [
    (b"#let x = 0\n#for i in range(200000000) { x += 1 }\n#x", {"seconds": 1},
     "typst took longer than 1 s and was stopped"),
    (b"#let a = range(300000000)\n#a.len()", {"memory_mb": 400}, "it needed more than 400 MB of memory"),
    (b"#foo(", {}, "typst failed: it could not lay out the document"),
    (b"#link(<nowhere>)[x]", {}, "a link points to a label that does not exist"),
])
def test_typst_in_its_worker_is_held_to_its_limits(tmp_path, source, limits, said):
    from citebrief.tools import Limits, TypstRun

    with pytest.raises(CitebriefError, match=re.escape(said)) as failure:
        TypstRun(tmp_path, timestamp=0, shown="brief.md", limits=Limits(**limits)).pdf(source)
    assert str(failure.value).startswith("brief.md: ") and "\n" not in str(failure.value)
    assert not _workers_alive()


def test_typsts_time_limit_counts_from_when_it_gets_its_source(tmp_path):
    """A worker started early waits for its source as long as the compile needs; its time limit is for typst."""
    import time

    from citebrief.tools import Limits, TypstRun

    run = TypstRun(tmp_path, timestamp=0, shown="brief.md", limits=Limits(seconds=1))
    time.sleep(1.5)
    assert run.pdf(b"Hello").startswith(b"%PDF")



def test_links_to_nothing_keep_their_text_and_the_pdf_is_made(proj):
    """Found in pandoc's own test suite (markdown-reader-more.txt): a link with an empty target, to an
    id the brief lacks, to an id it has twice, or to one typst makes no label of made typst refuse the
    whole PDF."""
    from pypdf import PdfReader

    with open(proj / "brief.md", "a", encoding="utf-8") as f:
        f.write("\n# Links {#links}\n\nSee [an empty one]() and [a lost one](#nowhere) and "
                "[a doubled one](#twice) and [the links](#links).\n\n`code`{#ic} and [its code](#ic).\n\n"
                "## One {#twice}\n\nText.\n\n## Two {#twice}\n\nText.\n")
    code, log = build(proj, "pdf", "html", "docx", lint=False)
    assert code == 0, log.text
    html = (proj / "out" / "brief.html").read_text(encoding="utf-8")
    assert '<a href="#links">the links</a>' in html
    for text in ("an empty one", "a lost one", "a doubled one", "its code"):   # inline code makes no typst label
        assert f"<span>{text}</span>" in html
    assert 'href=""' not in html and 'href="#nowhere"' not in html and 'href="#twice"' not in html
    text = pdf_text(PdfReader(proj / "out" / "brief.pdf"))
    assert "See an empty one and a lost one and a doubled one and the links." in text
    assert "code and its code." in text


# --- the cache --------------------------------------------------------------------

def test_cache_reuses_and_invalidates(proj):
    assert build(proj, "html", "docx")[0] == 0
    code, log = build(proj, "html", "docx")
    assert code == 0 and log.text.count("unchanged (cached)") == 2
    code, log = build(proj, "html", "pdf")            # only the new format is built
    assert "brief.html  unchanged" in log.text and "unchanged" not in [ln for ln in log.lines if "pdf" in ln][0]
    bib = proj / "references.bib"
    bib.write_text(bib.read_text() + "\n% edited\n")
    code, log = build(proj, "html")
    assert code == 0 and "unchanged" not in log.text
    code, log = build(proj, "html", force=True)
    assert code == 0 and "unchanged" not in log.text
    code, log = build(proj, "html", lint=False)       # other options: a rebuild
    assert "unchanged" not in log.text
    (proj / "out" / "brief.html").write_text("tampered")  # an output changed by hand is rebuilt
    code, log = build(proj, "html")
    assert "unchanged" not in log.text and "tampered" not in (proj / "out" / "brief.html").read_text()


# --- never in the HTML --------------------------------------------------------------

HOSTILE = """
Raw markup follows in a paragraph that carries a citation [@ice2025].

<script>alert("x")</script>

<div onclick="alert(1)" onmouseover="steal()">A div with handlers [@ice2025].</div>

A [link](javascript:alert(1)) and a [spaced one](java&#x09;script:alert(2)) and an
<a href="JAVASCRIPT:alert(3)" onfocus="x()">inline anchor</a> plus <img src="x" onerror="alert(4)"> [@ice2025].

[A span with a handler]{onclick="alert(5)"} and an <iframe src="https://example.org"></iframe> [@ice2025].
"""


def test_scripts_handlers_and_javascript_links_never_reach_html(proj):
    with open(proj / "brief.md", "a", encoding="utf-8") as f:
        f.write(HOSTILE)
    code, log = build(proj, "html", lint=False)
    assert code == 0, log.text
    html = without_json_ld((proj / "out" / "brief.html").read_text(encoding="utf-8")).lower()
    assert "<script" not in html and "<iframe" not in html
    assert "javascript:" not in html and "java\tscript" not in html
    for handler in ("onclick", "onmouseover", "onfocus", "onerror"):
        assert handler not in html, handler
    assert "a div with handlers" in html and "inline anchor" in html


# --- several briefs, bad input ---------------------------------------------------------

def test_folder_one_failing_brief_does_not_stop_the_others(proj):
    shutil.copy(proj / "brief.md", proj / "second.md")
    (proj / "bad.md").write_text((proj / "brief.md").read_text() + UNCITED)
    log = Log()
    code = compile_paths([str(proj)], Config(root=proj, manuscript="."), ("html",), echo=log)
    assert code == 1
    assert (proj / "out" / "brief.html").exists() and (proj / "out" / "second.html").exists()
    assert not (proj / "out" / "bad.html").exists()
    assert "1 of 3 briefs not compiled" in log.text


def test_missing_image_names_the_brief(proj):
    with open(proj / "brief.md", "a", encoding="utf-8") as f:
        f.write("\n![A chart of agreements](figures/missing.png)\n")
    with pytest.raises(CitebriefError) as err:
        build(proj, "html", lint=False)
    assert "missing.png" in str(err.value) and "brief.md" in str(err.value)


def test_local_image_is_embedded_in_html(proj):
    (proj / "fig.png").write_bytes(_tiny_png())
    with open(proj / "brief.md", "a", encoding="utf-8") as f:
        f.write("\n![A tiny figure](fig.png)\n")
    code, log = build(proj, "html", "pdf", "docx", lint=False)
    assert code == 0, log.text
    assert 'src="data:image/png;base64,' in (proj / "out" / "brief.html").read_text()


def _tiny_png() -> bytes:
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"\x00\xff\x00\x00" * 1
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def _cli(proj, *args):
    (proj / "pyproject.toml").write_text('[tool.citebrief]\nmanuscript = "."\n')
    return CliRunner().invoke(main, ["compile", *args], catch_exceptions=False)


def test_cli_unknown_csl_and_unwritable_out(proj):
    result = _cli(proj, "brief.md", "--html")
    assert result.exit_code == 0 and "out/brief.html" in result.output
    old = (proj / "out" / "brief.html").read_bytes()
    result = _cli(proj, "brief.md", "--html", "--csl", "nope.csl")
    assert result.exit_code == 2 and "CSL style not found" in result.output
    assert "Traceback" not in result.output and (proj / "out" / "brief.html").read_bytes() == old
    (proj / "pyproject.toml").write_text('[tool.citebrief]\nmanuscript = "."\nout = "blocked/out"\n')
    (proj / "blocked").write_text("a file where a folder should be")
    result = CliRunner().invoke(main, ["compile", "brief.md", "--html"], catch_exceptions=False)
    assert result.exit_code == 2 and "cannot create output folder" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_cli_quiet_and_csl(proj):
    csl = proj / "style.csl"
    import pypandoc  # noqa: F401 - pandoc ships no CSL files; write a minimal one
    csl.write_text(MINIMAL_CSL)
    result = _cli(proj, "brief.md", "--html", "--quiet", "--csl", str(csl))
    assert result.exit_code == 0 and result.output == ""
    assert "[1]" in (proj / "out" / "brief.html").read_text()


MINIMAL_CSL = """<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
  <info><title>Numbered (test)</title><id>test-numbered</id><updated>2025-01-01T00:00:00+00:00</updated></info>
  <citation><layout prefix="[" suffix="]" delimiter=", "><text variable="citation-number"/></layout></citation>
  <bibliography><layout><text variable="citation-number" prefix="[" suffix="] "/><text variable="title"/>
  <text variable="URL" prefix=" "/></layout></bibliography>
</style>
"""


def test_unknown_key_still_gives_a_pdf_with_pandocs_mark(proj):
    """With --no-lint a brief citing a key no bibliography has still compiles to all three formats:
    the citation shows pandoc's missing-citation mark ("nope?"), not a link to nothing."""
    with open(proj / "brief.md", "a", encoding="utf-8") as f:
        f.write("\nA claim citing a key that is nowhere [@nope].\n")
    code, log = build(proj, "pdf", "html", "docx", lint=False)
    assert code == 0, log.text
    from pypdf import PdfReader
    text = "".join(p.extract_text() for p in PdfReader(proj / "out" / "brief.pdf").pages)
    assert "nope?" in text
    html = (proj / "out" / "brief.html").read_text()
    assert "<strong>nope?</strong>" in html and 'href="#ref-nope"' not in html
    assert 'href="#ref-ice2025"' in html              # resolved citations keep their links



def test_a_disclaimer_linking_to_nothing_keeps_its_text_and_the_pdf_is_made(proj):
    """The front matter's disclaimer is transformed after the body: its links are checked too."""
    text = (proj / "brief.md").read_text(encoding="utf-8")
    text = text.replace("Verify important", "Read [the notes](#nowhere) and [the body](#links). Verify important")
    (proj / "brief.md").write_text(text + "\n# Links {#links}\n\nText.\n", encoding="utf-8")
    code, log = build(proj, "pdf", "html", lint=False)
    assert code == 0, log.text
    html = (proj / "out" / "brief.html").read_text(encoding="utf-8")
    assert "<span>the notes</span>" in html and '<a href="#links">the body</a>' in html


NOTE_CSL = MINIMAL_CSL.replace('class="in-text"', 'class="note"').replace(
    '<text variable="citation-number"/>', '<text variable="title"/>')


@pytest.mark.parametrize("style, cite", [
    (NOTE_CSL, "[@nope]"),                       # a note style: the footnote links to the entry
    (re.sub(r"<bibliography>.*</bibliography>", "", MINIMAL_CSL, flags=re.S), "[@ice2025]"),   # no bibliography
])
def test_a_citation_whose_entry_the_bibliography_does_not_show_still_gives_a_pdf(proj, style, cite):
    """Found in pandoc's test suite: a note style citing an unknown key, and a style without a
    bibliography, link citations to entries that are not there; typst refused the whole PDF."""
    (proj / "style.csl").write_text(style)
    with open(proj / "brief.md", "a", encoding="utf-8") as f:
        f.write(f"\nA claim citing a source {cite}.\n")
    code, log = build(proj, "pdf", "html", lint=False, csl="style.csl")
    assert code == 0, log.text
    html = (proj / "out" / "brief.html").read_text()
    assert f'href="#ref-{cite[2:-1]}"' not in html


def test_entries_are_those_in_the_bibliography_wherever_the_brief_puts_it(proj):
    """The bibliography's entries are the csl-entry Divs inside ``#refs``, also when the brief places
    ``#refs`` inside a section of its own; a Div of the brief that merely looks like an entry is not one."""
    with open(proj / "brief.md", "a", encoding="utf-8") as f:
        f.write("\nA claim citing a key that is nowhere [@nope].\n\n"
                "::: {#ref-nope .csl-entry}\nNot an entry.\n:::\n\n"
                "::: {.appendix}\n# Sources\n\n::: {#refs}\n:::\n:::\n")
    code, log = build(proj, "html", "pdf", lint=False)
    assert code == 0, log.text
    html = (proj / "out" / "brief.html").read_text()
    assert 'href="#ref-ice2025"' in html and 'id="ref-ice2025"' in html    # the entries, in the section
    assert "<strong>nope?</strong>" in html and 'href="#ref-nope"' not in html


def test_no_lint_tries_a_lint_that_cannot_run_once_per_brief(proj, monkeypatch):
    """With --no-lint a lint that raises (here: an unknown rule selected) makes a DRAFT. One brief: its
    lint is tried once, not again when the brief compiles. Several: the run's lint of all of them
    failed, so each is tried alone (one brief's unreadable input must not make the others drafts)."""
    import citebrief.compile as compile_mod
    calls: list[int] = []
    real = compile_mod.lint_inputs

    def counting(inputs, *args, **kwargs):
        calls.append(len(inputs))
        return real(inputs, *args, **kwargs)

    monkeypatch.setattr(compile_mod, "lint_inputs", counting)
    config = Config(root=proj, manuscript=".", select=("no-such-rule",))
    code = compile_paths([str(proj / "brief.md")], config, ["html"], lint=False, echo=Log())
    assert code == 0 and calls == [1]
    assert "citebrief could not check this brief" in (proj / "out" / "brief.html").read_text()

    shutil.copy(proj / "brief.md", proj / "other.md")
    calls.clear()
    code = compile_paths([str(proj / "brief.md"), str(proj / "other.md")], config, ["html"], lint=False,
                         force=True, echo=Log())
    assert code == 0 and sorted(calls) == [1, 1, 2]

def test_a_changed_snapshot_rebuilds_and_regates(proj):
    """The cache key is known before lint runs; the snapshots lint's evidence checks read are recorded
    after it, so adding or changing one makes the next compile lint (and gate) the brief again."""
    (proj / "sources").mkdir()
    (proj / "sources" / "ice2025.txt").write_text("Excerpt. The task force model returned in 2025.\n")
    with open(proj / "brief.md", "a", encoding="utf-8") as f:
        f.write('\nICE calls the task force model "a force multiplier for the agency" [@ice2025].\n')
    code, log = build(proj, "html")
    assert code == 1 and "quote-not-in-source" in log.text          # the quote is not in the snapshot
    (proj / "sources" / "ice2025.txt").write_text("Excerpt. It is a force multiplier for the agency.\n")
    code, log = build(proj, "html")
    assert code == 0 and "unchanged" not in log.text, log.text
    code, log = build(proj, "html")
    assert code == 0 and "unchanged (cached)" in log.text
    (proj / "sources" / "ice2025.txt").write_text("Excerpt. The task force model returned in 2025.\n")
    code, log = build(proj, "html")
    assert code == 1 and "quote-not-in-source" in log.text           # not taken from the cache
