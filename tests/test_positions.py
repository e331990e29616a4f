"""Findings point at the line and column where the sentence starts, in the file the user edits."""

import pytest
from conftest import DEFAULT_BIB, citation_ids

from citebrief.parse.brief import pandoc_pieces, parse_brief, read_brief

FRONT = "---\ntitle: T\nchecked: 2025-11-27\n---\n\n"
LIMITS = "\n\n# Limitations\n\nThe record covers one year only.\n"


def uncited(result):
    return [(f.line, f.column) for f in result.findings if f.rule == "uncited-claim"]


def test_hard_wrapped_paragraph(project):
    body = ("The first claim is cited here [@a]. The second\n"
            "claim wraps across lines. And the third one\n"
            "  starts at the end of line two.\n")
    assert uncited(project.lint(FRONT + body + LIMITS)) == [(6, 37), (7, 27)]


def test_list_items_and_nested_lists(project):
    body = "- A cited list item here [@a].\n- An uncited list item here.\n    1. A nested ordered claim.\n"
    assert uncited(project.lint(FRONT + body + LIMITS)) == [(7, 3), (8, 8)]


def test_table_rows_and_caption(project):
    body = ("| Model | Where |\n|---|---|\n| Jail model | county jails [@a] |\n"
            "| Task force model | routine police duties |\n")
    assert uncited(project.lint(FRONT + body + LIMITS)) == [(9, 3)]   # a row is one claim
    captioned = body + "\n: The three models of 287(g) [@a].\n"
    assert uncited(project.lint(FRONT + captioned + LIMITS)) == []


def test_footnote_claims_are_located_at_their_definition(project):
    body = ("Cited through its note here.[^n]\n\nAn uncited body sentence here.\n\n"
            "[^n]: Source is @a. Another note claim without source.\n")
    assert uncited(project.lint(FRONT + body + LIMITS)) == [(8, 1), (10, 21)]


def test_crlf_and_bom(project):
    text = "\ufeff" + (FRONT + "One cited claim here [@a].\nAn uncited claim here.\n" + LIMITS)
    crlf = text.replace("\n", "\r\n")
    for variant in (text, crlf):
        assert uncited(project.lint(variant)) == [(7, 1)]


def test_column_counts_characters_not_bytes(project):
    body = "Économie — les accords [@a]. Ça continue sans source ici.\n"
    assert uncited(project.lint(FRONT + body + LIMITS)) == [(6, 30)]


def test_sentence_starting_with_quote_or_emphasis(project):
    body = "First claim is cited [@a]. *Emphasised* claim here too. “Quoted” claim also here.\n"
    assert uncited(project.lint(FRONT + body + LIMITS)) == [(6, 28), (6, 57)]


def test_repeated_sentence_text_is_located_at_each_occurrence(project):
    body = "The same claim text.\n\nThe same claim text.\n"
    assert uncited(project.lint(FRONT + body + LIMITS)) == [(6, 1), (8, 1)]


def test_limitation_heading_line(project):
    result = project.lint(FRONT + "A cited claim here [@a].\n\n## Caveats {#c}\n\n## Next\n\nMore text [@a].\n")
    assert [(f.rule, f.line, f.column) for f in result.findings if "limitations" in f.rule] == \
        [("empty-limitations", 8, 1)]


@pytest.mark.parametrize("scope,expected", [("sentence", [(6, 29)]), ("paragraph", [])])
def test_scope(project, scope, expected):
    body = "The program grew fast [@a]. It now has many agreements.\n"
    assert uncited(project.lint(FRONT + body + LIMITS, scope=scope)) == expected


# Issue 9 §1: each unit is found first, then its sentences inside it. Each case below put a finding
# somewhere else (or hid one) when the walker kept one cursor over the whole file.
BIB_AB = DEFAULT_BIB + "\n@online{b,\n  author = {{Other Agency}},\n  title = {Another Source},\n" \
    "  date = {2025-06-01},\n  url = {https://example.org/b},\n  urldate = {2025-11-20},\n}\n"


def found(result, rule="uncited-claim"):
    return [(f.line, f.column) for f in result.findings if f.rule == rule]


# (body, where its uncited claims are reported)
PLACED = {
    "sentence opening with underscore emphasis": (
        "A cited claim comes first [@a].\n\n_Most_ cats sleep a lot.\n\nMost dogs bark at the post [@a].\n",
        [(8, 1)]),
    "footnote definition between blocks is not body text": (
        "Claim one is cited here.[^1]\n\n[^1]: Sleep is studied by @a. Cats sleep a lot, the note says.\n\n"
        "Cats sleep a lot in winter. Dogs bark at night in the city.\n",
        [(8, 31), (10, 1), (10, 29)]),
    "notes side by side are each checked": (
        "A claim with two notes here.[^a][^b] And one with an inline note.^[Inline notes say more.]\n\n"
        "[^a]: The first note is cited [@a].\n\n[^b]: The second note is not cited.\n",
        [(6, 38), (6, 67), (10, 7)]),
    "comments between blocks are not body text": (
        "Claim one is cited here [@a].\n\n<!-- Dogs bark at night, an old draft said. -->\n\n"
        "<!--\nCats sleep a lot in winter, said another.\n-->\n\n"
        "Cats sleep a lot in winter. Dogs bark at night in the city.\n",
        [(14, 1), (14, 29)]),
    "comment inside a paragraph is not body text": (
        "Cited claim comes first [@a].\n<!-- Cats sleep a lot in summer. -->\nCats sleep a lot in winter.\n",
        [(8, 1)]),
    "first word also shortly before": (
        "The report by Smith was long. Smith later retracted the report.\n",
        [(6, 1), (6, 31)]),
    "disabled block before a lost sentence hides nothing else": (
        "<!-- citebrief: disable=uncited-claim -->\n_Most_ cats sleep a lot.\n\n"
        "Dogs bark at night too.\n\nMost birds sing at dawn [@a].\n",
        [(9, 1)]),
    "example reference that pandoc numbers": (
        "(@good) This is a good example.\n\nAs (@good) shows, it works well here.\n",
        [(6, 9), (8, 1)]),
    "grid table cells over several lines": (
        "+----------+------+\n| Region   | Note |\n+==========+======+\n"
        "| North    | high |\n| America  | data |\n+----------+------+\n"
        "| Central  | low  |\n| America  | data |\n+----------+------+\n",
        [(9, 3), (12, 3)]),
    "entity at the start of a sentence": (
        "The deal is cited [@a].\n\nAT&amp;T is another way to write the name.\n",
        [(8, 1)]),
}


@pytest.mark.parametrize("body,expected", PLACED.values(), ids=list(PLACED))
def test_placed_in_its_unit(project, body, expected):
    assert uncited(project.lint(FRONT + body + LIMITS)) == expected


def test_paragraph_opening_with_citations_of_a_key_cited_again_later(project):
    body = ("@a [-@b p. 30] says the program grew. Its budget was never published.\n\n"
            "A later paragraph cites @b again here. Nobody checked the second count.\n")
    result = project.lint(FRONT + body + LIMITS, bib=BIB_AB)
    assert uncited(result) == [(6, 39), (8, 40)]
    assert found(result, "unknown-key") == []
    assert sorted((c.key, c.offset) for c in result.reports[0].brief.citations) == sorted(
        (key, (FRONT + body).index(form)) for key, form in
        (("a", "@a ["), ("b", "@b p. 30"), ("b", "@b again")))


def test_sentence_that_cannot_be_found_is_reported_at_its_unit(tmp_path):
    # pandoc's text of a sentence may not be in the source at all (here: an AST edited to say so);
    # it is reported where its paragraph starts, and the paragraphs after it are still found
    source = (FRONT + "Intro words come first here.\n\n"
              "First claim is cited [@a]. Second claim is not.\n\nLast one here.\n")
    path = tmp_path / "brief.md"
    path.write_text(source, encoding="utf-8")
    text, front = read_brief(path, "brief.md")
    ast = next(iter(pandoc_pieces(text, front, "brief.md")))
    para = ast["blocks"][1]["c"]
    second = next(k for k, n in enumerate(para) if n.get("c") == "Second")
    for n in para[second:]:
        if n["t"] == "Str":
            n["c"] = "Unseen"
    brief = parse_brief(path, ast=ast)
    starts = [[source[s.offset:s.offset + 12] for s in u.sentences] for u in brief.units]
    assert starts == [["Intro words "], ["First claim ", "First claim "], ["Last one her"]]


# keys as pandoc reads them: where a key ends decides which entry is cited and where the citation is
KEY_CASES = ["@key.-x y", "@key..x y", "See @doi:10.1/x.y.", "@key- y", "@http://x.org/a y", "@a_b y",
             "me@x.org y", "@key:/ y", "@k+1 y", "@k/ y", "@k~x z", "@é1 x", "@k:://x", "[@a; @b-c.d]"]


@pytest.mark.parametrize("text", KEY_CASES)
def test_citation_keys_in_raw_text_end_where_pandocs_do(text):
    from citebrief.frontmatter import read_front_matter
    from citebrief.parse.brief import _find_key
    from citebrief.parse.source import CITATION

    front = read_front_matter(text, "k.md")
    ids = citation_ids(next(iter(pandoc_pieces(text, front, "k.md")))["blocks"])
    assert [m.group("key") for m in CITATION.finditer(text)] == ids        # unused-entry, the language server
    for key in ids:                                                         # the walker's positions
        assert _find_key(text, key, 0, len(text)) == text.index("@" + key)
