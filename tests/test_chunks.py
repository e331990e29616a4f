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


@pytest.fixture(autouse=True)
def small_threshold(monkeypatch):
    monkeypatch.setattr(chunks, "MIN_SPLIT_SIZE", 100)


def normalise(ast) -> str:
    return re.sub(r'"citation(NoteNum|Hash)": \d+', "", json.dumps(ast))


def test_pieces_give_the_same_ast_as_one_run(monkeypatch):
    source = FRONT + "".join(section(i) for i in range(8))
    front = read_front_matter(source, "x")
    assert chunks.split_points(source, front.end, 3)
    whole = next(brief_module.pandoc_pieces(source, front, "x", pieces=1))
    pieces = list(brief_module.pandoc_pieces(source, front, "x", pieces=3))
    assert len(pieces) == 3
    joined = dict(pieces[0], blocks=[b for piece in pieces for b in piece["blocks"]])
    assert normalise(joined) == normalise(whole)


@pytest.mark.parametrize("extra", [
    "[ref]: https://example.org\n\n",                     # link reference definitions are global
    "<div>\n\n# Inside html\n\n</div>\n\n",               # raw HTML blocks
    "(@) An example list item.\n\n",                      # example lists number across the doc
])
def test_unsafe_documents_are_not_cut(extra):
    source = FRONT + "".join(section(i) for i in range(4)) + extra + "".join(section(i) for i in range(4, 8))
    assert chunks.split_points(source, front_matter_end(source), 2) == []


def test_footnote_defined_in_another_piece_prevents_the_cut():
    body = "".join(f"# S{i}\n\nClaim {i} here.[^late{i}]\n\n" for i in range(8))
    notes = "".join(f"[^late{i}]: Defined at the end @a.\n\n" for i in range(8))
    source = FRONT + body + notes
    assert chunks.split_points(source, front_matter_end(source), 2) == []


def test_headings_inside_code_divs_and_comments_are_not_cut_points():
    source = (FRONT + "```\n\n# not a heading\n```\n\n::: limitation\n\n# inside div\n\n:::\n\n"
              "<!--\n\n# commented\n-->\n\n# Real heading\n\nText.\n")
    starts = chunks._heading_starts(source, front_matter_end(source))
    assert [source[s:s + 14] for s in starts] == ["# Real heading"]
