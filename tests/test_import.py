"""citebrief import: plain-text explainers with numbered citations → Pandoc Markdown briefs + BibTeX."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from conftest import citation_ids

from citebrief.bibliography import load_bibliography
from citebrief.config import Config
from citebrief.engine import lint_paths
from citebrief.errors import CitebriefError
from citebrief.importer import (
    find_date,
    import_command,
    import_explainer,
    parse_explainer,
    parse_source_line,
    render_inline,
)
from citebrief.tools import run_pandoc

DATA = Path(__file__).parent / "data" / "import"
SEED_TITLE = "How does ICE authority intersect with local police authority in immigration enforcement?"


@pytest.fixture
def work(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("seed.txt", "sources.txt", "glued.txt"):
        shutil.copy(DATA / name, tmp_path / name)
    return tmp_path


def do_import(work: Path, name: str, **kw):
    return import_explainer(work / name, config=Config(root=work), **kw)


def cite_keys(markdown: str) -> list[str]:
    """Every citation key pandoc itself reads in the brief, in order."""
    ast = json.loads(run_pandoc(["-f", "markdown", "-t", "json"], input_bytes=markdown.encode(), shown="x",
                                what="reading"))
    return citation_ids(ast["blocks"])


def pandoc_meta(markdown: str) -> dict:
    return json.loads(run_pandoc(["-f", "markdown", "-t", "json"], input_bytes=markdown.encode(), shown="x",
                                 what="reading"))


# --- the seed ----------------------------------------------------------------

def test_seed(work, capsys):
    assert import_command(str(work / "seed.txt")) == 0
    report = capsys.readouterr().out
    out = work / "manuscript" / "how-does-ice-authority-intersect-with-local-police-authority.md"
    md = out.read_text(encoding="utf-8")

    front = md.split("---\n")[1]
    assert f'title: "{SEED_TITLE}"' in front
    assert "checked: 2025-11-27" in front
    assert 'disclaimer: "Factually can make mistakes. Please verify important information or breaking news."\n' in front
    assert "Learn more" not in md                # a web page's link label, not part of the disclaimer
    assert "line 4: dropped 'Learn more.' (a web page's link text) from the disclaimer" in report
    assert "bibliography:" not in front          # the configured references.bib is the default
    assert f"# {SEED_TITLE}" not in md          # the title is metadata, not a heading

    headings = re.findall(r"^# (.*)$", md, re.M)
    assert headings[0] == "Executive summary"
    assert "1. How delegation actually works: federal authority under a local badge" in headings
    assert "7. Practical implication for everyday interactions" in headings
    assert "Limitations and open questions {.limitations}" in headings
    assert headings[-1] == "Want to dive deeper?"
    assert "- What legal limits exist on local police conducting immigration stops or detentions?" in md

    # citations: before the period, runs merged; unicode kept as it was
    assert "under ICE supervision [@seed-src1]." in md
    assert "legal limits on warrantless arrests [@seed-src1; @seed-src2; @seed-src3; @seed-src4]." in md
    assert "racial‑profiling" in md and "“delegate”" in md
    assert "(not found in current reporting)" in md
    assert not re.search(r"\[\d", md)

    ast = pandoc_meta(md)
    assert ast["meta"]["checked"]
    heading_blocks = [b for b in ast["blocks"] if b["t"] == "Header"]
    assert len(heading_blocks) == 10 and all(b["c"][0] == 1 for b in heading_blocks)   # as `init` writes them
    assert [b["c"][1][1] for b in heading_blocks if b["c"][1][1]] == [["limitations"]]
    assert not any(b["t"] == "OrderedList" for b in ast["blocks"])   # "1. How ..." stayed a heading
    keys = cite_keys(md)
    assert sorted(set(keys)) == sorted(f"seed-src{n}" for n in range(1, 10))
    assert len(keys) == 37

    bib = load_bibliography(work / "references.bib")
    assert list(bib.entries) == [f"seed-src{n}" for n in range(1, 10)]
    assert bib.entries["seed-src3"].get("note") == r"placeholder: source [3] of seed.txt, fill in"
    assert not bib.errors
    assert "Added 9 keys to references.bib: 0 from the source list, 9 placeholders." in report
    assert "no source list" in report and "37 citations" in report


def test_placeholder_keys_from_the_title_when_the_file_name_is_not_readable(work):
    shutil.copy(DATA / "seed.txt", work / "000_51b4537fd2ed5c87.txt")
    result = do_import(work, "000_51b4537fd2ed5c87.txt", out="brief.md")
    assert result.entries[1].key == "ice-authority-intersect-src1"


def test_lint_reports_the_placeholders(work):
    result = do_import(work, "seed.txt")
    lint = lint_paths([str(result.out)], Config(root=work), today=date(2025, 12, 1))
    rules = [f.rule for f in lint.findings if f.severity.value == "error"]
    assert lint.exit_code() == 1
    assert rules == ["incomplete-entry"] * 9
    assert {f.path for f in lint.findings if f.rule == "incomplete-entry"} == {"references.bib"}
    assert lint.claims == lint.cited_claims > 0


def test_lint_command_on_the_imported_seed(work, capsys):
    from click.testing import CliRunner

    from citebrief.cli import main

    runner = CliRunner()
    imported = runner.invoke(main, ["import", "seed.txt"])
    assert imported.exit_code == 0, imported.output
    linted = runner.invoke(main, ["lint", "manuscript", "--today", "2025-12-01"])
    assert linted.exit_code == 1
    assert linted.output.count("incomplete-entry") == 9


def test_front_matter_settings_match_what_init_writes(work, tmp_path):
    from citebrief.scaffold import init_project

    init_project(tmp_path / "init", echo=lambda *a: None)
    template = pandoc_meta((tmp_path / "init/manuscript/brief.md").read_text(encoding="utf-8"))["meta"]
    imported = pandoc_meta(do_import(work, "seed.txt").out.read_text(encoding="utf-8"))["meta"]
    for name in ("lang", "link-citations", "reference-section-title"):
        assert name in template, f"init's brief no longer sets {name}: update importer.markdown.BRIEF_SETTINGS"
        assert imported.get(name) == template[name], name


@pytest.mark.parametrize("line, kept, dropped", [
    ("Disclaimer: Verify it. Read more »", "Verify it.", "Read more »"),
    ("Disclaimer: Verify it. Click here. Learn more", "Verify it.", "Click here. Learn more"),
    ("Disclaimer: Verify it; find out more:", "Verify it; find out more:", None),    # no sentence of its own
    ("Disclaimer: We know more. Ask us.", "We know more. Ask us.", None),
    ("Disclaimer: Learn more.", None, "Learn more."),
])
def test_web_residue_is_dropped_from_the_disclaimer(line, kept, dropped):
    ex = parse_explainer(f"A title?\n{line}\n\nText [1].\n")
    assert ex.disclaimer == kept
    assert any(f"dropped {dropped!r}" in u for u in ex.unmapped) == (dropped is not None)


# --- other layouts -------------------------------------------------------------

def test_source_list_with_urls(work, capsys):
    result = do_import(work, "sources.txt")
    md = result.out.read_text(encoding="utf-8")
    assert 'title: "Who runs 287(g) jail agreements?"' in md and "checked: 2025-11-20" in md
    assert "\n# Overview\n" in md and "\n# Caveats {.limitations}\n" in md
    assert "What the models allow:\n\n- Jail enforcement" in md
    assert "in September 2025 [@dhs2025; @ice2025]." in md

    bib = load_bibliography(result.bib)
    ice = bib.entries["ice2025"]
    assert ice.entry_type == "online"
    assert ice.get("title") == "Delegation of Immigration Authority Section 287(g) Immigration and Nationality Act"
    assert ice.get("author") == "U.S. Immigration and Customs Enforcement"      # braced: one organisation
    assert "{{U.S. Immigration and Customs Enforcement}}" in result.bib.read_text(encoding="utf-8")
    assert ice.get("date") == "2025-11-25"
    assert ice.get("url") == "https://www.ice.gov/identify-and-arrest/287g"
    assert "imported from source [1]" in ice.get("note")
    ledger = next(e for e in bib.entries.values() if "countyledger" in (e.get("url") or ""))
    assert ledger.get("title") == "Sheriffs sign up for jail model"
    assert ledger.get("author") == "Jane Q. Reporter" and ledger.get("organization") == "The County Ledger"
    assert ledger.get("date") == "2025-10-02" and ledger.get("urldate") == "2025-11-27"
    assert bib.entries["dhs2025"].get("date") == "2025-09-17"
    bare = next(e for e in bib.entries.values() if e.get("url") == "https://www.example.com/sheriffs-list")
    assert set(bare.fields) == {"url", "note"}                   # nothing invented
    assert bib.entries["sources-src5"].get("note").startswith("placeholder: source [5]")

    assert sorted(set(cite_keys(md))) == sorted(bib.entries)
    report = format_of(result)
    assert "4 from the source list, 1 placeholder" in report
    assert "[5] is cited but not in the source list" in report


def test_citations_glued_to_words(work):
    result = do_import(work, "glued.txt")
    md = result.out.read_text(encoding="utf-8")
    assert "grew quickly [@ice]." in md
    assert "task force model [@example; @glued-src3], and" in md
    assert "counted the agreements [@glued-src4]." in md             # "agreements.[4]": moved inside
    assert "the U.S. Constitution [@example]." in md
    assert "task-force agreements [@ice; @glued-src4] — a new pattern [@glued-src3; @glued-src4]." in md
    assert "checked: 2025-11-27" in md                               # "Nov. 27, 2025"
    keys = cite_keys(md)
    assert set(keys) == {"ice", "example", "glued-src3", "glued-src4"}
    bib = load_bibliography(result.bib)
    assert bib.entries["example"].get("url") == "https://news.example.com/a?x=1&y=2"
    assert bib.entries["ice"].get("title") == "287(g) program"


def test_markdown_escaping_and_odd_lines(work):
    (work / "odd.txt").write_text(
        "# Odd layouts\n\nChecked on 2025-11-01\n\n"
        "Costs rose $5 to $10 for *some* offices @sheriff [12].\n\n"
        "1. This line starts with a number and is a whole sentence [1].\n\n"
        "- first point [1]\n- second point[2]\n\n"
        "See https://example.org/a_b_(c) and [2025] [0].\n\n"
        "Limitations\n\nSmall sample.\n\nShare\n", encoding="utf-8")
    result = do_import(work, "odd.txt")
    md = result.out.read_text(encoding="utf-8")
    ast = pandoc_meta(md)
    text = json.dumps(ast["blocks"])
    assert '"Math"' not in text and '"Emph"' not in text
    assert set(cite_keys(md)) == {"odd-src1", "odd-src2", "odd-src12"}      # not @sheriff
    assert "<https://example.org/a_b_(c)>" in md
    assert 'title: "Odd layouts"' in md
    kinds = [b["t"] for b in ast["blocks"]]
    assert kinds.count("BulletList") == 1 and "OrderedList" not in kinds
    report = "\n".join(result.unmapped)
    assert "[0] is not a citation" in report
    assert "'Share' kept as a paragraph" in report


def test_crlf_bom_and_no_metadata(work):
    (work / "win.txt").write_bytes("\ufeffWhat happened?\r\n\r\nIt happened [1].\r\n".encode("utf-8"))
    result = do_import(work, "win.txt", out="win.md")
    md = result.out.read_text(encoding="utf-8")
    assert 'title: "What happened?"' in md and "It happened [@win-src1]." in md
    assert "checked:" not in md
    assert any("Checked on" in u for u in result.unmapped)
    assert any("no limitations section" in u for u in result.unmapped)


# --- never overwrite -------------------------------------------------------------

def test_refuses_to_overwrite_a_brief(work):
    existing = work / "manuscript" / "mine.md"
    existing.parent.mkdir()
    existing.write_text("keep me\n", encoding="utf-8")
    with pytest.raises(CitebriefError, match="already exists; not overwriting"):
        do_import(work, "seed.txt", out=str(existing))
    assert existing.read_text(encoding="utf-8") == "keep me\n"
    assert not (work / "references.bib").exists()                     # nothing written


def test_appends_to_an_existing_bib_without_touching_it(work):
    original = ("% my sources\r\n@online{seed-src2,\r\n  title = {Curated by hand},\r\n  author = {{ICE}},\r\n"
                "  date = {2025},\r\n  url = {https://www.ice.gov/287g},\r\n}\r\n"
                "@string{ice = {ICE}}\r\n@misc{keep,title={Keep}}")     # no final newline
    bib_path = work / "refs.bib"
    bib_path.write_bytes(original.encode("utf-8"))
    result = do_import(work, "seed.txt", out="brief.md", bib=str(bib_path))
    data = bib_path.read_bytes().decode("utf-8")
    assert data.startswith(original)                                  # byte for byte
    assert "\n" not in data.replace("\r\n", "")                       # line endings kept
    bib = load_bibliography(bib_path)
    assert bib.entries["seed-src2"].get("title") == "Curated by hand"
    assert result.entries[2].key == "seed-src2-2"                     # a clash, not a reuse
    assert bib.entries["seed-src2-2"].get("note") == r"placeholder: source [2] of seed.txt, fill in"
    assert not bib.errors and not bib.duplicates
    md = result.out.read_text(encoding="utf-8")
    assert 'bibliography: "refs.bib"' in md

    # importing again into another brief reuses the same placeholders: nothing appended
    before = bib_path.read_bytes()
    again = do_import(work, "seed.txt", out="brief2.md", bib=str(bib_path))
    assert bib_path.read_bytes() == before
    assert not again.new_entries and again.entries[1].key == "seed-src1"


def test_source_with_a_known_url_reuses_the_existing_entry(work):
    bib_path = work / "references.bib"
    bib_path.write_text("@online{ice287g, title = {287(g)}, author = {{ICE}}, date = {2025},\n"
                        "  url = {https://www.ice.gov/identify-and-arrest/287g/}}\n", encoding="utf-8")
    result = do_import(work, "sources.txt")
    assert result.entries[1].key == "ice287g" and not result.entries[1].new
    assert "ice287g" in cite_keys(result.out.read_text(encoding="utf-8"))
    assert load_bibliography(bib_path).entries["ice287g"].get("title") == "287(g)"


@pytest.mark.parametrize("content, message", [
    (None, "no such file"),
    (b"", "is empty"),
    (b" \n\n\t\n", "is empty"),
    (b"caf\xe9 [1]\n", "not valid UTF-8"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "binary file"),
])
def test_bad_input(work, content, message, capsys):
    path = work / "bad.txt"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(CitebriefError, match=message) as info:
        do_import(work, "bad.txt")
    assert "bad.txt" in str(info.value)
    assert not (work / "manuscript").exists() and not (work / "references.bib").exists()


def test_cli_bad_input_is_one_line_exit_2(work):
    from click.testing import CliRunner

    from citebrief.cli import main

    result = CliRunner().invoke(main, ["import", "missing.txt"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == ["citebrief: error: missing.txt: no such file"]


def test_broken_bib_is_not_appended_to(work):
    (work / "references.bib").write_text('{"not": "bibtex"}\n', encoding="utf-8")
    with pytest.raises(CitebriefError, match="not BibTeX"):
        do_import(work, "seed.txt")
    assert not (work / "manuscript").exists()


# --- pieces ----------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("a [1] [5].", "a [@k1; @k5]."),
    ("a[3][9].", "a [@k3; @k9]."),
    ("word[2] and", "word [@k2] and"),
    ("a [1, 2] b [1-3].", "a [@k1; @k2] b [@k1; @k2; @k3]."),
    ("claim. [1] Next.", "claim [@k1]. Next."),
    ("claim [1]. [2]", "claim [@k1; @k2]."),
    ("in the U.S. [1]", "in the U.S. [@k1]"),
    ("as of Nov. [1]", "as of Nov. [@k1]"),
    ("it said “no.” [1]", "it said “no.” [@k1]"),
    ("(see [4])", "(see [@k4])"),
    ("[2025] and [0]", r"\[2025\] and \[0\]"),
    ("$5 *x* _y_ @z a@b.c", r"\$5 \*x\* \_y\_ \@z a@b.c"),
    ("https://x.org/@name.", "<https://x.org/@name>."),
])
def test_render_inline(text, expected):
    assert render_inline(text, lambda n: f"k{n}").markdown == expected


@pytest.mark.parametrize("text, iso", [
    ("Checked on November 27, 2025", "2025-11-27"),
    ("27 November 2025", "2025-11-27"),
    ("Sept. 17, 2025", "2025-09-17"),
    ("2025-11-20", "2025-11-20"),
    ("November 2025", "2025-11"),
    ("2025-13-01", None),
])
def test_find_date(text, iso):
    found = find_date(text)
    assert (found.iso if found else None) == iso


def test_source_line_fields_are_only_what_is_written():
    f = parse_source_line('Jane Doe, "A title, with a comma", The Paper, https://paper.example/x.').fields
    assert f == {"title": "A title, with a comma", "author": "Jane Doe", "organization": "The Paper",
                 "url": "https://paper.example/x"}
    f = parse_source_line("[ICE 287(g) page](https://www.ice.gov/287g) (accessed 2025-11-27)").fields
    assert f == {"title": "ICE 287(g) page", "url": "https://www.ice.gov/287g", "urldate": "2025-11-27"}


def format_of(result) -> str:
    from citebrief.importer import format_report

    return format_report(result)


def test_wrapped_source_lines_title_from_first_heading_and_reimport(work):
    (work / "notitle.txt").write_text(
        "This explainer has no title line and opens with a long paragraph [1].\n\n"
        "First heading\n\nBody text is here [2].\n\nReferences:\n\n"
        '[1] Smith, John. "A report". Policy Review, 12 March 2024.\n'
        "    https://policy.example.org/report\n"
        '[2] "Second", https://b.example.net/x (retrieved Jan 5, 2025)\n', encoding="utf-8")
    result = do_import(work, "notitle.txt")
    md = result.out.read_text(encoding="utf-8")
    assert result.out.name == "first-heading.md" and 'title: "First heading"' in md
    assert not re.search(r"^#", md, re.M) and "References" not in md
    bib = load_bibliography(result.bib)
    smith = bib.entries["smith2024"]
    assert (smith.get("title"), smith.get("author"), smith.get("organization"), smith.get("date"),
            smith.get("url")) == ("A report", "Smith, John", "Policy Review", "2024-03-12",
                                  "https://policy.example.org/report")
    second = bib.entries[result.entries[2].key]
    assert second.get("urldate") == "2025-01-05" and second.get("date") is None
    assert any("used the first heading 'First heading'" in u for u in result.unmapped)

    before = result.bib.read_bytes()
    again = do_import(work, "notitle.txt", out="again.md")
    assert result.bib.read_bytes() == before and not again.new_entries
    assert "smith2024" in cite_keys(again.out.read_text(encoding="utf-8"))
