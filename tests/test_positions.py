"""Findings point at the line and column where the sentence starts, in the file the user edits."""

import pytest

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
