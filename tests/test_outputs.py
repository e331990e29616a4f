"""What the compiled outputs say and how they are set, format by format: the DRAFT and Stale marks,
the footer that names the checks that passed, the DOCX page setup and footer fields, the HTML
head (citation tags, JSON-LD) and structure, PDF metadata, the "Flagged in the text" list, and the
typography rules (ties, URL break points). Real pandoc, typst and files throughout."""

from __future__ import annotations

import html as html_mod
import json
import re
import shutil
import zipfile
from datetime import date, timedelta
from pathlib import Path

import docx
import pytest
from conftest import JSON_LD
from docx.oxml.ns import qn
from pypdf import PdfReader

from citebrief.compile import compile_paths
from citebrief.compile.html import json_ld
from citebrief.compile.meta import Meta
from citebrief.compile.typography import NBSP, tie, url_pieces
from citebrief.config import Config

DATA = Path(__file__).parent / "data" / "compile"
CHECKED = date(2025, 11, 27)
UNCITED = "\nThe county signed a new agreement with the federal government in March.\n"


class Log(list):
    def __call__(self, message="", **_):
        self.append(str(message))


def project(root: Path, brief_text: str | None = None) -> Path:
    for name in ("brief.md", "references.bib"):
        shutil.copy(DATA / name, root / name)
    if brief_text is not None:
        (root / "brief.md").write_text(brief_text, encoding="utf-8")
    return root


def build(root: Path, *formats: str, today: date = CHECKED + timedelta(days=4), **options) -> tuple[int, Log]:
    log = Log()
    config = options.pop("config", None) or Config(root=root, manuscript=".")
    code = compile_paths([str(root / "brief.md")], config, formats or ("pdf", "docx", "html"), echo=log,
                         today=today, **options)
    return code, log


def pdf_pages(root: Path) -> list[str]:
    return [" ".join((p.extract_text() or "").replace(NBSP, " ").split())
            for p in PdfReader(root / "out" / "brief.pdf").pages]


def html_text(root: Path) -> str:
    page = (root / "out" / "brief.html").read_text(encoding="utf-8")
    page = page[page.index("<body>"):]
    return " ".join(html_mod.unescape(re.sub(r"<[^>]+>", " ", page)).replace(NBSP, " ").split())


def docx_paragraphs(root: Path) -> list[tuple[str, str]]:
    document = docx.Document(str(root / "out" / "brief.docx"))
    return [(p.style.name, p.text.replace(NBSP, " ")) for p in document.paragraphs]


def brief_with(extra: str) -> str:
    return (DATA / "brief.md").read_text(encoding="utf-8") + extra


# --- DRAFT ------------------------------------------------------------------------------------

def test_no_lint_over_lint_errors_marks_every_format_draft(tmp_path):
    root = project(tmp_path, brief_with(UNCITED))
    code, log = build(root, lint=False)
    assert code == 0
    assert "lint gate skipped (--no-lint), outputs marked DRAFT" in "\n".join(log)
    why = "DRAFT: this brief did not pass its checks (1 lint error: uncited-claim)"

    pages = pdf_pages(root)
    assert why in " ".join(pages)
    assert all("DRAFT — did not pass its checks" in page for page in pages)     # the header of every page

    text = html_text(root)
    assert text.startswith("DRAFT — did not pass its checks")                    # the banner above the title
    assert why in text
    page = (root / "out" / "brief.html").read_text(encoding="utf-8")
    assert page.index('class="draft-banner"') < page.index('<h1 class="title">')

    paragraphs = docx_paragraphs(root)
    assert any(style == "Draft" and why in text for style, text in paragraphs)
    header = docx.Document(str(root / "out" / "brief.docx")).sections[0].header
    assert [p.text for p in header.paragraphs] == ["DRAFT — did not pass its checks"]
    # and the footer does not claim the checks passed
    for words in (" ".join(pages), text, " ".join(t for _, t in paragraphs)):
        assert "Checked by citebrief before compiling" not in words


def test_no_lint_over_a_clean_brief_is_not_a_draft(tmp_path):
    root = project(tmp_path)
    code, log = build(root, lint=False)
    assert code == 0 and "outputs marked DRAFT" not in "\n".join(log)
    assert "DRAFT" not in " ".join(pdf_pages(root)) and "DRAFT" not in html_text(root)
    assert not any("DRAFT" in t for _, t in docx_paragraphs(root))
    header = docx.Document(str(root / "out" / "brief.docx")).sections[0].header
    assert "".join(p.text for p in header.paragraphs) == ""


# --- Stale --------------------------------------------------------------------------------------

def test_stale_brief_says_so_next_to_the_checked_date_in_every_format(tmp_path):
    root = project(tmp_path)
    code, _ = build(root, today=CHECKED + timedelta(days=120))
    assert code == 0
    line = "Checked on November 27, 2025 · Stale: 120 days old when built (limit 90)"
    assert line in " ".join(pdf_pages(root))
    assert line in html_text(root)
    assert ("Checked", line) in docx_paragraphs(root)
    runs = [r for p in docx.Document(str(root / "out" / "brief.docx")).paragraphs for r in p.runs
            if r.style is not None and r.style.name == "Stale"]
    assert runs and "120 days" in "".join(r.text for r in runs)


def test_a_fresh_brief_has_no_stale_mark(tmp_path):
    root = project(tmp_path)
    assert build(root, today=CHECKED + timedelta(days=90))[0] == 0        # 90 days: the limit, not past it
    assert "Stale" not in " ".join(pdf_pages(root)) and "Stale" not in html_text(root)


def test_stale_outputs_are_byte_identical_on_the_same_day_and_rebuilt_the_next(tmp_path):
    root = project(tmp_path)
    day = CHECKED + timedelta(days=200)
    assert build(root, today=day)[0] == 0
    first = {f: (root / "out" / f"brief.{f}").read_bytes() for f in ("pdf", "docx", "html")}
    code, log = build(root, today=day)
    assert code == 0 and sum("unchanged (cached)" in line for line in log) == 3
    assert build(root, today=day, force=True)[0] == 0
    for fmt, data in first.items():
        assert (root / "out" / f"brief.{fmt}").read_bytes() == data, fmt
    code, log = build(root, today=day + timedelta(days=1))                 # the age changed: rebuilt
    assert not any("unchanged" in line for line in log)
    assert "201 days old" in html_text(root)


def test_the_build_date_is_source_date_epochs_day(tmp_path, monkeypatch):
    root = project(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int((CHECKED + timedelta(days=100)).strftime("%s")) + 3600))
    code = compile_paths([str(root / "brief.md")], Config(root=root, manuscript="."), ("html",),
                         echo=Log())
    assert code == 0 and "Stale: 100 days old when built" in html_text(root)


# --- the footer: exactly which checks passed ------------------------------------------------------

FOOTER = ("Checked by citebrief before compiling: every one of its 4 claims cites a source; every citation "
          "resolves to a bibliography entry with a title, an author or organisation and a date; every URL and "
          "DOI those entries give is well formed; sentences that admit a gap in the evidence are flagged; and a "
          "limitations section says what the evidence does not show. Beyond comparing quotations with the saved "
          "copies of their sources that a project keeps, citebrief does not check that the sources say what the "
          "brief says.")


def test_footer_names_the_checks_that_passed_in_every_format(tmp_path):
    root = project(tmp_path)
    assert build(root)[0] == 0
    assert FOOTER in " ".join(pdf_pages(root))
    assert html_text(root).endswith(FOOTER)
    assert docx_paragraphs(root)[-1] == ("Colophon", FOOTER)
    assert "checked against the sources listed" not in html_text(root)


def test_footer_claims_nothing_a_deselected_rule_did_not_check(tmp_path):
    root = project(tmp_path)
    config = Config(root=root, manuscript=".", ignore=("uncited-claim", "unflagged-limitation"))
    assert build(root, "html", config=config)[0] == 0
    text = html_text(root)
    assert "every citation resolves" in text
    assert "claims cites a source" not in text and "gap in the evidence are flagged" not in text
    config = Config(root=root, manuscript=".", ignore=("quote-not-in-source",))
    assert build(root, "html", config=config)[0] == 0
    assert html_text(root).endswith(". citebrief does not check that the sources say what the brief says.")


# --- DOCX page setup and fields -------------------------------------------------------------------------

@pytest.mark.parametrize("lang,size", [("en-US", (12240, 15840)), ("en-GB", (11906, 16838)), ("de", (11906, 16838))])
def test_docx_page_size_from_lang_margins_and_footer_fields(tmp_path, lang, size):
    root = project(tmp_path, (DATA / "brief.md").read_text(encoding="utf-8").replace("lang: en-US", f"lang: {lang}"))
    assert build(root, "docx", "pdf")[0] == 0
    document = docx.Document(str(root / "out" / "brief.docx"))
    section = document.sections[0]
    assert (section.page_width.twips, section.page_height.twips) == size
    assert (section.left_margin.inches, section.right_margin.inches, section.top_margin.inches) == (1.15, 1.15, 1.0)
    footer = section.footer.paragraphs[0]
    codes = [t.text.strip() for t in footer._p.iter(qn("w:instrText"))]
    assert codes == ["TITLE", "PAGE", "NUMPAGES"]
    assert footer.text == "County jails and federal detainers\t1 of 1"      # stored results, until Word updates
    assert " of " in footer.text
    # the PDF is on the same paper
    box = PdfReader(root / "out" / "brief.pdf").pages[0].mediabox
    letter = size == (12240, 15840)
    assert (round(float(box.width)), round(float(box.height))) == ((612, 792) if letter else (595, 842))


def test_docx_flagged_list_items_and_references_have_their_styles(tmp_path):
    root = project(tmp_path)
    assert build(root, "docx")[0] == 0
    paragraphs = docx_paragraphs(root)
    items = [t for s, t in paragraphs if s == "Flagged Item"]
    assert len(items) == 2 and items[0].startswith("L1") and items[1].startswith("L2")
    assert any(s == "Bibliography" for s, _ in paragraphs)
    assert ("Title", "County jails and federal detainers") in paragraphs
    with zipfile.ZipFile(root / "out" / "brief.docx") as z:
        assert {i.date_time for i in z.infolist()} == {(2025, 11, 27, 0, 0, 0)}      # one timestamp


# --- PDF -----------------------------------------------------------------------------------------------

def test_pdf_metadata_author_subject_and_flag_pages(tmp_path):
    root = project(tmp_path)
    assert build(root, "pdf")[0] == 0
    reader = PdfReader(root / "out" / "brief.pdf")
    assert reader.metadata.author == "Example Desk"
    assert reader.metadata.subject == "What a 287(g) agreement changes for a sheriff’s office"
    text = " ".join(pdf_pages(root))
    # whole sentences, each with the page its flag is on
    assert "L1 How many agencies have used the task force model since 2025 could not be verified (p. 1)" in text
    assert ("L2 The county’s own records on this were not available online, so the local numbers are "
            "unknown. (p. 1)") in text


# --- HTML ---------------------------------------------------------------------------------------------

def test_html_has_one_h1_sections_from_h2_and_reference_manager_tags(tmp_path):
    root = project(tmp_path)
    assert build(root, "html")[0] == 0
    page = (root / "out" / "brief.html").read_text(encoding="utf-8")
    assert page.count("<h1") == 1 and '<h2 id="what-the-program-is">' not in page      # ids sit on sections
    assert re.findall(r"<h2[^>]*>([^<]*)</h2>", page)[:2] == ["What the program is", "What changes in the jail"]
    assert "<h3" not in page
    head = page[:page.index("</head>")]
    for tag in ('<meta name="citation_title" content="County jails and federal detainers">',
                '<meta name="citation_author" content="Example Desk">',
                '<meta name="citation_date" content="2025/11/27">',
                '<meta name="citation_language" content="en-US">',
                '<meta name="color-scheme" content="light dark">'):
        assert tag in head, tag
    data = json.loads(JSON_LD.search(head).group(1))
    assert data == {"@context": "https://schema.org", "@type": "Report", "name": "County jails and federal detainers",
                    "headline": "County jails and federal detainers", "inLanguage": "en-US",
                    "alternativeHeadline": "What a 287(g) agreement changes for a sheriff’s office",
                    "author": [{"@type": "Person", "name": "Example Desk"}], "dateModified": "2025-11-27"}
    assert "prefers-color-scheme: dark" in head


def test_html_contents_from_four_sections(tmp_path):
    root = project(tmp_path)                  # four: the program, the jail, limitations, references
    assert build(root, "html")[0] == 0
    page = (root / "out" / "brief.html").read_text(encoding="utf-8")
    nav = page[page.index('<nav id="TOC"'):page.index("</nav>")]
    assert re.findall(r'href="#([^"]+)"', nav) == ["what-the-program-is", "what-changes-in-the-jail",
                                                    "limitations", "refs-heading"]
    # after the front block (checked date, disclaimer), before the first section
    assert page.index('class="front-matter"') < page.index('<nav id="TOC"') < page.index('id="what-the-program-is"')

    three = (DATA / "brief.md").read_text(encoding="utf-8").replace("# What changes in the jail\n", "")
    root = project(tmp_path / "three", three) if (tmp_path / "three").mkdir() is None else None
    assert build(root, "html")[0] == 0
    page = (root / "out" / "brief.html").read_text(encoding="utf-8")
    assert 'id="TOC"' not in page and "cb-toc" not in page

def test_json_ld_cannot_be_closed_by_a_title(tmp_path):
    # backslashes: Markdown's escapes, so the title's plain text is "Jails </script><script>...<!-- &"
    hostile = r"Jails \</script>\<script>alert(1)\</script> \<!\-\- &"
    text = (DATA / "brief.md").read_text(encoding="utf-8").replace(
        'title: "County jails and federal detainers"', f"title: '{hostile}'")
    root = project(tmp_path, text)
    assert build(root, "html", lint=False)[0] == 0
    page = (root / "out" / "brief.html").read_text(encoding="utf-8")
    block = JSON_LD.search(page).group(1)
    assert "<" not in block and ">" not in block
    title = json.loads(block)["name"]
    assert "</script><script>alert(1)</script>" in title and "<!--" in title    # the same text, as data
    tag = re.search(r'<meta name="citation_title" content="([^"]*)">', page).group(1)
    assert html_mod.unescape(tag) == title
    assert page.count("<script") == 1 and "alert(1)</script>" not in page


def test_json_ld_escapes_every_character_that_could_end_or_split_the_script():
    text = json_ld(Meta(title="a</script><!--b&c\u2028d\u2029e", lang="en"))
    assert not set(text) & set("<>&\u2028\u2029")
    assert json.loads(text)["name"] == "a</script><!--b&c\u2028d\u2029e"


# --- typography -----------------------------------------------------------------------------------------

def words(text: str) -> list:
    out = []
    for i, w in enumerate(text.split(" ")):
        if i:
            out.append({"t": "Space"})
        out.append({"t": "Str", "c": w})
    return out


def plain(inlines: list) -> str:
    out = []
    for n in inlines:
        if n["t"] == "Str":
            out.append(n["c"])
        elif n["t"] == "Space":
            out.append(" ")
        elif n["t"] == "Span":
            out.append(plain(n["c"][1]))
    return "".join(out)


@pytest.mark.parametrize("text,tied", [
    ("codified at 8 U.S.C. § 1357(g); it was", "codified at 8~U.S.C.~§~1357(g); it was"),
    ("enacted on September 30, 1996 by", "enacted on September~30,~1996 by"),
    ("reported on June 1 that", "reported on June~1 that"),
    ("under Pub. L. 104-208 in", "under Pub.~L.~104-208 in"),
    ("see p. 12 and", "see p.~12 and"),
    ("under paragraph (g)(1), the", "under paragraph (g)(1), the"),            # nothing to tie
    ("May we go", "May we go"),                                              # a month name, no number
])
def test_ties(text, tied):
    assert plain(tie(words(text))).replace(NBSP, "~") == tied



def test_words_tied_by_the_author_are_kept_whole_too():
    """An author's own no-break space ("Sept.\u00a017") is kept whole like citebrief's ties, in a
    list where citebrief ties nothing; a no-break space at a word's edge is left as it is."""
    out = tie(words(f"filed Sept.{NBSP}17 with {NBSP}the"))
    assert plain(out).replace(NBSP, "~") == "filed Sept.~17 with ~the"
    spans = [n for n in out if n["t"] == "Span"]
    assert [s["c"][0][1] for s in spans] == [["nobreak"]] and spans[0]["c"][1] == [{"t": "Str", "c": f"Sept.{NBSP}17"}]
    assert {"t": "Str", "c": f"{NBSP}the"} in out
    assert tie(words(f"with {NBSP}the")) == words(f"with {NBSP}the")

def test_ties_in_a_citation_keep_the_year_with_the_author():
    assert plain(tie(words("Carranza and Sandoval 2025"), in_cite=True)).replace(NBSP, "~") == \
        "Carranza and Sandoval~2025"
    assert plain(tie(words("Carranza and Sandoval 2025"))).replace(NBSP, "~") == "Carranza and Sandoval 2025"


def test_url_pieces_break_before_slashes_and_hyphens_only():
    url = "https://www.texastribune.org/2025/06/01/texas-immigration-enforcement-sheriffs-287g-bill"
    pieces = url_pieces(url)
    assert "".join(pieces) == url
    assert pieces[:3] == ["https://www.texastribune.org", "/2025", "/06"]
    assert all(not p.endswith("-") for p in pieces)                 # never a break right after a hyphen
    assert "-287g" in pieces


def test_urls_in_the_outputs_are_whole_and_break_only_at_their_pieces(tmp_path):
    root = project(tmp_path)
    assert build(root, "html", "pdf")[0] == 0
    page = (root / "out" / "brief.html").read_text(encoding="utf-8")
    entry = re.search(r'<a href="(https://www\.ice\.gov/[^"]+)">(.*?)</a>', page)
    assert html_mod.unescape(re.sub(r"<[^>]+>", "", entry.group(2))) == entry.group(1)    # the text is the URL
    assert "<wbr>" in entry.group(2) and 'class="url-part"' in entry.group(2)
    assert "https://www.ice.gov/identify-and-arrest/287g" in " ".join(pdf_pages(root))    # no minus, no gaps
