"""The language server's parts without the protocol: positions, sentence spans, edits, the bibliography
store, and what happens without pygls. (test_lsp.py drives the whole server over stdio.)"""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from lsprotocol import types

from citebrief.bibliography import Bibliography
from citebrief.cli import main
from citebrief.config import Config
from citebrief.engine import lint_inputs, read_input
from citebrief.errors import CitebriefError
from citebrief.lsp.actions import block_start, cite_position
from citebrief.lsp.analysis import BibStore
from citebrief.lsp.entries import detail, hover_markdown, key_at, partial_key, ranked_keys
from citebrief.lsp.positions import Positions, editable, sentence_span
from citebrief.parse.brief import parse_brief

ROOT = Path(__file__).resolve().parent.parent
FRONT = "---\ntitle: T\nchecked: 2025-11-27\n---\n\n"


# --- positions ----------------------------------------------------------------------------------------

def test_positions_in_each_encoding_and_line_break():
    text = "a😀b\r\nsecond\rthird\nlast"
    b = text.index("b")
    assert Positions(text).position(b) == types.Position(0, 3)                        # UTF-16: 😀 is two units
    assert Positions(text, types.PositionEncodingKind.Utf8).position(b) == types.Position(0, 5)
    assert Positions(text, types.PositionEncodingKind.Utf32).position(b) == types.Position(0, 2)
    assert Positions(text).position(text.index("h")) == types.Position(2, 1)          # a lone \r breaks a line
    for encoding in (types.PositionEncodingKind.Utf8, types.PositionEncodingKind.Utf16,
                     types.PositionEncodingKind.Utf32):
        pos = Positions(text, encoding)
        for i, ch in enumerate(text):
            if ch not in "\r\n":
                assert pos.offset(pos.position(i)) == i
    # the engine counts lines at \n only: its line 2 starts after the first \n
    assert Positions(text).offset_of(2, 8) == text.index("third")
    assert Positions(text).line_range(1) == types.Range(start=types.Position(0, 0), end=types.Position(0, 4))


def test_a_byte_order_mark_in_the_buffer_shifts_offsets():
    pos = Positions("\ufeffabc\ndef", shift=1)
    assert pos.position(0) == types.Position(0, 1)
    assert pos.offset(types.Position(1, 1)) == 5
    assert pos.offset_of(2, 2) == 5


# --- sentence spans -----------------------------------------------------------------------------------

def spans(tmp_path: Path, body: str) -> list[str]:
    path = tmp_path / "b.md"
    source = FRONT + body
    path.write_text(source)
    brief = parse_brief(path, "b.md")
    return [source[slice(*sentence_span(brief, u, i))] for u in brief.units for i in range(len(u.sentences))]


@pytest.mark.parametrize("body, expected", [
    ("First sentence is here. Second one follows [@a].\n", ["First sentence is here.", "Second one follows [@a]."]),
    ("Claim is made here. [@a] Next claim is here.\n", ["Claim is made here. [@a]", "Next claim is here."]),
    ("A sentence that\nwraps over lines. Another one is here.\n", ["A sentence that\nwraps over lines.",
                                                                 "Another one is here."]),
    ("- Item one is here.\n- Item two is here.\n", ["Item one is here.", "Item two is here."]),
    ("> Quote one is here.\n>\n> Quote two is here.\n", ["Quote one is here.", "Quote two is here."]),
    ("*Emphasised claim here.* Next sentence is here.\n", ["*Emphasised claim here.*", "Next sentence is here."]),
    ("| Model | Where |\n|---|---|\n| Jail model | In the jails |\n", ["Jail model", "In the jails"]),
    ("He said “it was over.” Then he left the room.\n", ["He said “it was over.”", "Then he left the room."]),
])
def test_sentence_spans(tmp_path, body, expected):
    assert spans(tmp_path, body) == expected


def test_every_flagship_sentence_wraps_into_a_flagged_limitation():
    """Wrap every sentence of the real brief that may be edited; each becomes a flagged limitation
    and nothing else about the brief changes."""
    path = ROOT / "manuscript" / "ice-287g.md"
    config = Config(root=ROOT)
    before = lint_inputs([read_input(path, "b.md", config)], config, date(2025, 12, 1)).reports[0]
    brief, source = before.brief, before.brief.source
    edits, eligible = [], 0
    for unit in brief.units:
        for i, sentence in enumerate(unit.sentences):
            a, b = sentence_span(brief, unit, i)
            if not (sentence.exempt or sentence.flagged):
                eligible += 1
                if editable(source, a, b, sentence):
                    edits.append((a, b))
    assert len(edits) >= 0.9 * eligible and eligible >= 40
    text = source
    for a, b in sorted(edits, reverse=True):
        text = text[:a] + "[" + text[a:b] + "]{.limitation}" + text[b:]
    after = lint_inputs([read_input(path, "b.md", config, text=text)], config, date(2025, 12, 1)).reports[0]
    flagged = sum(s.flagged for u in after.brief.units for s in u.sentences)
    assert flagged == sum(s.flagged for u in brief.units for s in u.sentences) + len(edits)
    assert after.claims <= before.claims - 0.9 * before.claims
    assert sorted(f.rule for f in after.findings) == sorted(f.rule for f in before.findings)


def test_editable_refuses_spans_the_parser_guessed():
    from citebrief.parse.model import Sentence
    sentence = Sentence("The jail model works inside jails.", 0, ())
    assert editable("The jail model works inside jails.", 0, 34, sentence)
    assert not editable("# The models decide\n\nThe jail model", 2, 18, sentence)       # other words
    assert not editable("`The jail model works inside jails.`", 1, 35, sentence)      # inside code
    assert not editable("The jail model works inside jails.x", 0, 34, sentence)       # mid-word
    assert not editable("The jail model [works inside jails.", 0, 35, sentence)        # a bracket left open


# --- edits --------------------------------------------------------------------------------------------

def test_cite_position():
    text = "ICE lists three models. He said “it was over.” No stop here"
    assert cite_position(text, 0, 23) == 22                         # before the full stop
    end = text.index("No") - 1
    assert cite_position(text, 24, end) == end                     # after a closing quote
    assert cite_position(text, text.index("No"), len(text)) == len(text)


def test_block_start():
    source = FRONT + "# Heading\nA paragraph right under it.\n\n- one item\n- two item\n\n  more of two\n"
    body = len(FRONT)
    assert source[block_start(source, source.index("right"), body):].startswith("A paragraph")
    assert source[block_start(source, source.index("two item"), body):].startswith("- one item")
    assert source[block_start(source, source.index("of two"), body):].startswith("  more of two")
    commented = FRONT + "<!-- citebrief: disable=uncited-claim -->\nSome text here.\n"
    assert commented[block_start(commented, commented.index("text"), body):].startswith("Some text")


# --- keys ---------------------------------------------------------------------------------------------

def test_keys_under_the_cursor_and_being_typed():
    text = "As @smith2020 says [see @{doe:2021}, p. 4; -@roe]. Mail me@example.org. Now [@par"
    assert key_at(text, text.index("smith") + 2).key == "smith2020"
    assert key_at(text, text.index("doe")).key == "doe:2021"
    assert key_at(text, text.index("roe")).key == "roe"
    assert key_at(text, text.index("example")) is None
    assert partial_key(text, len(text)) == (len(text) - 3, False)
    assert partial_key("[@{do", 5) == (3, True)
    assert partial_key("me@exa", 6) is None


def test_ranked_keys_and_hover(tmp_path):
    bib_path = tmp_path / "r.bib"
    bib_path.write_text("@report{a, title = {Jail agreements in Texas counties}, author = {Doe, Jane}, year = 2024}\n"
                        "@report{b, title = {Weather in Spain}, author = {Roe, Ray}, year = 2023}\n"
                        "@report{c, title = {Something else}, author = {Poe, Edgar}, year = 2022}\n")
    bib = Bibliography([BibStore().load(bib_path, "r.bib")])
    assert ranked_keys(bib, "Texas counties signed jail agreements.", nearby=["c"]) == ["a", "c"]
    text = hover_markdown(bib.entries["a"], "r.bib:1")
    assert text.startswith("**Jail agreements in Texas counties**") and "By: Doe, Jane" in text


def test_entries_are_shown_as_readers_see_them(tmp_path):
    bib_path = tmp_path / "r.bib"
    bib_path.write_text('@report{d, title = {{\\"U}ber die {Polizei} -- Teil 2}, author = {M{\\"u}ller, J{\\"o}rg and '
                        '{Amt f{\\"u}r Statistik}}, year = 2021, month = dec}\n')
    entry = BibStore().load(bib_path, "r.bib").entries["d"]
    text = hover_markdown(entry, "r.bib:1")
    assert text.startswith("**Über die Polizei – Teil 2**")
    assert "By: Müller, Jörg; Amt für Statistik" in text and "Date: December 2021" in text
    assert detail(entry) == "Müller and Amt für Statistik (2021)"


# --- the bibliography store ---------------------------------------------------------------------------

def test_bib_store_keeps_a_file_until_it_changes(tmp_path):
    path = tmp_path / "r.bib"
    path.write_text("@misc{a, title = {One}}\n")
    store = BibStore()
    first = store.load(path, "r.bib", fresh=False)
    assert store.load(path, "r.bib", fresh=False) is first                  # parsed once
    copy = store.load(path, "r.bib")                                         # a run's own entries
    assert copy.entries["a"] is not first.entries["a"] and copy.entries["a"].fields is first.entries["a"].fields
    path.write_text("@misc{a, title = {One}}\n@misc{b, title = {Two}}\n")
    os.utime(path, ns=(1, 1))
    assert set(store.load(path, "r.bib").entries) == {"a", "b"}
    assert set(store.load(path, "r.bib", text="@misc{c, title = {Unsaved}}\n").entries) == {"c"}
    path.write_bytes(b"\x00\x01binary")
    os.utime(path, ns=(2, 2))
    with pytest.raises(CitebriefError, match="binary"):
        store.load(path, "r.bib")


def test_a_sources_folder_made_since_the_last_run_is_seen(tmp_path):
    # what holds for a whole file (does a sources/ folder keep snapshots beside it?) is asked again each run
    from citebrief.evidence.snapshots import keeps_snapshots

    path = tmp_path / "r.bib"
    path.write_text("@misc{a, title = {One}}\n@misc{b, title = {Two}}\n")
    store = BibStore()
    assert not keeps_snapshots(store.load(path, "r.bib").entries["a"])
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "b.txt").write_text("The source's text.\n")
    assert keeps_snapshots(store.load(path, "r.bib").entries["a"])



def test_a_file_field_in_the_unsaved_buffer_counts(tmp_path):
    # a `file` field in any entry means the project keeps snapshots; the editor's buffer is what counts
    from citebrief.evidence.snapshots import keeps_snapshots

    path = tmp_path / "r.bib"
    path.write_text("@misc{a, title = {One}}\n@misc{b, title = {Two}}\n")
    buffer = "@misc{a, title = {One}}\n@misc{b, title = {Two}, file = {b.txt}}\n"
    store = BibStore()
    assert keeps_snapshots(store.load(path, "r.bib", text=buffer).entries["a"])
    assert not keeps_snapshots(store.load(path, "r.bib").entries["a"])       # the saved file names none
    path.write_text(buffer)
    assert keeps_snapshots(store.load(path, "r.bib").entries["a"])

# --- without pygls ------------------------------------------------------------------------------------

def test_without_pygls_one_line_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "pygls", None)
    for name in [m for m in sys.modules if m.startswith(("pygls.", "citebrief.lsp.server"))]:
        monkeypatch.delitem(sys.modules, name)
    result = CliRunner().invoke(main, ["lsp"])
    assert result.exit_code == 2
    assert result.output.strip() == "citebrief: error: the language server needs pygls: pip install 'citebrief[lsp]'"
