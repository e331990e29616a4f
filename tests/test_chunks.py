"""A long brief read in pieces must give the same AST as one pandoc run (or not be cut)."""

import json
import re

import pytest

from citebrief.frontmatter import read_front_matter
from citebrief.parse import brief as brief_module
from citebrief.parse import chunks

FRONT = "---\ntitle: Long\nchecked: 2025-11-27\n---\n\n"


def front_matter_end(source: str) -> int:
    return read_front_matter(source, "x").end


def section(i: int) -> str:
    return (f"# Section {i}\n\nA claim about agreements in part {i} [@src{i}].[^n{i}]\n\n"
            f"[^n{i}]: Note {i} cites @src{i}.\n\n- A list item {i}.\n- Another item.\n\n"
            f"> A quote in part {i}.\n\n")


def sections(a: int, b: int) -> str:
    return "".join(section(i) for i in range(a, b))


@pytest.fixture(autouse=True)
def small_threshold(monkeypatch):
    monkeypatch.setattr(chunks, "MIN_SPLIT_SIZE", 100)


def normalise(blocks) -> str:
    """What lint reads of an AST: citation counters, header identifiers and the anchors that point at
    them are numbered per pandoc run (a second "Results" heading is "results-1")."""
    text = re.sub(r'"citation(NoteNum|Hash)": \d+', "", json.dumps(blocks))
    text = re.sub(r'\{"t": "Header", "c": \[(\d+), \["[^"]*"', r'{"t": "Header", "c": [\1, ["ID"', text)
    return re.sub(r'"#[^"]*"', '"#anchor"', text)


def read_in_pieces(source: str, pieces: int) -> tuple[list, list]:
    """(the whole's blocks, the pieces' blocks joined), and the pieces must be more than one."""
    front = read_front_matter(source, "x")
    whole = next(iter(brief_module.pandoc_pieces(source, front, "x", pieces=1)))
    parts = list(brief_module.pandoc_pieces(source, front, "x", pieces=pieces))
    assert len(parts) > 1, "not cut"
    return whole["blocks"], [b for part in parts for b in part["blocks"]]


def cuts_of(source: str, pieces: int = 2) -> list[int]:
    return chunks.split_points(source, front_matter_end(source), pieces)


def test_pieces_give_the_same_ast_as_one_run():
    source = FRONT + sections(0, 8)
    whole, joined = read_in_pieces(source, 3)
    assert len(cuts_of(source, 3)) == 2
    assert normalise(joined) == normalise(whole)


def test_each_piece_is_given_the_link_definitions_of_the_others():
    # [text][ref] in the first piece, its definition at the very end: read alone, the first piece
    # would print "[the report][ref]" as text
    source = (FRONT + "# Intro\n\nSee [the report][ref] and [ref].\n\n" + sections(0, 8)
              + "[ref]: https://example.org/report \"The report\"\n[other]: https://example.org/b\n")
    whole, joined = read_in_pieces(source, 2)
    assert normalise(joined) == normalise(whole)
    assert '"https://example.org/report"' in json.dumps(joined[:2])


def test_citation_lines_that_look_like_definitions_are_citations():
    # manubot's "[@tag:x]: doi:..." lines are paragraphs citing @tag:x for pandoc, not definitions
    source = FRONT + sections(0, 8) + "[@tag:smith]: doi:10.1000/xyz\n[@tag:jones]: url:https://example.org\n"
    whole, joined = read_in_pieces(source, 2)
    assert normalise(joined) == normalise(whole)


def test_a_heading_linked_by_its_text_stays_in_the_piece_of_its_link():
    # "[Section 6]" links to the heading "# Section 6" (an implicit header reference)
    source = FRONT + "# Intro\n\nAs [Section 6] shows.\n\n" + sections(0, 8)
    linked = source.index("# Section 6")
    assert all(cut > linked for cut in cuts_of(source, 2) + cuts_of(source, 4))
    whole, joined = read_in_pieces(source, 4)
    assert normalise(joined) == normalise(whole)


@pytest.mark.parametrize("extra", [
    "(@) An example list item.\n\n",                      # example lists number across the doc
    "\\begin{figure}\n\n# Inside LaTeX\n\n\\end{figure}\n\n",   # raw LaTeX environments
    "\\newcommand{\\R}{\\mathbb{R}}\n\n",                 # macros apply to later math
    "[^n1]: A second definition of a note.\n\n",          # the first definition wins
    "- [ref]: https://example.org\n\n",                   # a definition inside a list
    "[ref]:\n  https://example.org\n\n",                  # ... over two lines
    "[ref]: https://example.org\n[Ref]: https://example.org/other\n\n",   # ... defined twice
    "Text\n[ref]: https://example.org\n\n",               # a paragraph's line, not a definition
    '<span title="a\n\n# b\n\nc">x</span>\n\n',           # a tag holding a blank line
])
def test_unsafe_documents_are_not_cut(extra):
    source = FRONT + sections(0, 4) + extra + sections(4, 8)
    assert cuts_of(source) == []


def test_no_cut_after_an_html_block_element():
    # pandoc may keep an HTML block element open to the end: "<div><hr></div>" does
    source = FRONT + sections(0, 2) + "<div><hr></div>\n\n" + sections(2, 8)
    html = source.index("<div>")
    candidates, _scan = chunks.safe_cuts(source, front_matter_end(source))
    assert candidates and all(c < html for c in candidates)


def test_inline_html_does_not_stop_the_cuts():
    source = FRONT + sections(0, 2) + "Water is H<sub>2</sub>O.<br>\n\n" + sections(2, 8)
    whole, joined = read_in_pieces(source, 2)
    assert normalise(joined) == normalise(whole)


def test_headings_inside_code_divs_comments_and_tables_are_not_cut_points():
    source = (FRONT + "```\n\n# not a heading\n```\n\n::: limitation\n\n# inside div\n\n:::\n\n"
              "- ::: note\n  text\n\n# inside a div opened in a list\n\n:::\n\n"
              "<!--\n\n# commented\n-->\n\n"
              "| a line block\n-------------\nA multiline table\n\n# a row\n-------------\n\n"
              "# A term\n\n: its definition\n\n"
              "# Real heading\n\nText.\n")
    starts, _scan = chunks.safe_cuts(source, front_matter_end(source))
    assert [source[s:s + 14] for s in starts] == ["# Real heading"]


def test_a_real_manuscript_cut_reads_as_the_whole(monkeypatch):
    # the manubot manuscript from tests/data/real: citations as [@doi:...], "[@tag:x]: ..." lines,
    # an implicit header reference, inline HTML
    from conftest import DATA

    source = (DATA / "real" / "manubot-rootstock" / "content.md").read_text(encoding="utf-8")
    for pieces in (2, 3):
        whole, joined = read_in_pieces(source, pieces)
        assert normalise(joined) == normalise(whole)
