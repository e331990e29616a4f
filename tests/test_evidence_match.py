"""Quote and figure matching (citebrief/evidence/match.py) and passage ranking (passages.py):
each tolerance the policy grants passes, and everything else fails."""

import os
import subprocess
import sys

import pytest

from citebrief.evidence import match
from citebrief.evidence.match import FigureIndex, closest_passage, figures_in, find_quote, normalise, quotes_in
from citebrief.evidence.passages import PassageIndex, split_passages, terms

SOURCE = normalise("""The 287(g) program—created in 1996—allows a state or local law enforcement entity
to enter into a partnership with ICE, under a joint Memorandum of Agreement. “Officers may not
enforce civil immigration law,” the memo says. It’s the agency's view that the program works.
The rest of this paragraph is filler text about nothing in particular, repeated to make distance. """
                   + "Filler words follow here. " * 150 + "The final sentence mentions oversight.")


@pytest.mark.parametrize("quote", [
    "allows a state or local law enforcement entity to enter into a partnership",   # exact
    "allows a state or local law enforcement entity\nto enter into a partnership",  # a line break
    "allows  a state  or local",                                                     # white space
    "the 287(g) program—created in 1996",                                            # first letter's case
    "The 287(g) program -- created in 1996 -- allows",                               # dashes, spaces
    "The 287(g) program – created in 1996 – allows",
    'Officers may not enforce civil immigration law,',                               # closing punctuation
    "Officers may not enforce civil immigration law.",
    "It's the agency’s view",                                                        # apostrophes
    "it’s the agency's view",
    "The 287(g) program ... allows a state",                                         # omissions
    "The 287(g) program … allows a state",
    "The 287(g) program [...] partnership with ICE",
    "The 287(g) program [the law] allows",                                           # an insertion
    "[O]fficers may not enforce civil immigration law",
    "Officers [of Maryland] may not enforce",
    "... enforce civil immigration law",
])
def test_tolerated(quote):
    assert find_quote(quote, SOURCE) is not None, quote


@pytest.mark.parametrize("quote", [
    "Officers may not enforce immigration law",            # a word dropped (no ellipsis)
    "Officers may not enforce federal immigration law",    # a word changed
    "Officers must not enforce civil immigration law",
    "allows a state or local law enforcement entity to receive",   # spliced without an ellipsis
    "Officers May Not enforce",                            # case: only the first letter's is tolerated
    "The 287(g) program allows a state",                   # an omitted aside with no ellipsis
    "The program works ... oversight",                     # an ellipsis spanning more than 2,000 characters
    "1,001 agreements were signed",
])
def test_not_tolerated(quote):
    assert find_quote(quote, SOURCE) is None, quote


def test_first_letter_case_means_the_first_letter():
    # "officers..." differs from the source only in its first letter: tolerated
    assert find_quote("officers may not enforce civil immigration law", normalise("Officers may not enforce "
                                                                                  "civil immigration law")) is not None


def test_quotes_in_a_sentence():
    text = ("ICE calls it “a force multiplier” and ‘a partnership with ICE’; the agency’s view, "
            "the officers’ training and “one” word aside [@ice].")
    assert [q.text for q in quotes_in(text)] == ["a force multiplier", "a partnership with ICE"]
    assert [q.text for q in quotes_in('He said "nested ‘inner words’ here" today.')] == ["nested ‘inner words’ here"]
    q = quotes_in("It is “a force multiplier” [@ice].")[0]
    assert "It is “a force multiplier” [@ice]."[q.start:q.end] == "“a force multiplier”"


def test_normalise_of_ascii_text_is_the_general_rule():
    # ASCII text takes a faster path (replacing instead of splitting into words); it must give what
    # the general rule gives: every ASCII character, in runs, at the ends, around dashes and quotes.
    import random

    def general(text: str) -> str:
        text = " ".join(text.translate(match._TRANSLATE).split())
        if "-" in text:
            text = text.replace(" -", "-").replace("- ", "-")
            while "--" in text:
                text = text.replace("--", "-")
        return text

    rng = random.Random(7)
    alphabet = [chr(c) for c in range(128)] + [" "] * 20 + ["-", "--", "`", "'", '"', "ab", "\n\n"] * 5
    samples = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30))) for _ in range(20_000)]
    for text in samples + [" " * n for n in range(9)] + ["a" + " " * 33 + "b"]:
        assert text.isascii() and normalise(text) == general(text), repr(text)


def test_a_quotation_in_one_piece_takes_the_short_way_to_the_same_answer():
    # A quotation with no "[", "…" or three dots is one piece, found at its leftmost place; that
    # short way must answer as the general splitting and search do, case variants, closing
    # punctuation, "ß" (whose capital is two letters) and empty quotations included.
    import random

    rng = random.Random(11)
    bits = ["a", "word", "Word", ".", "..", "...", ". . .", "…", "[...]", "[sic]", "[the agency]", " ",
            "\n", "”", "’", "—", "-", "[@src1]", "[^]", "ß", "x.", ",", ";", "Ab", "ab"]
    source = normalise("Ab word a word. Word, ab x. ß word; SS word — a " * 3)
    short = 0
    for _ in range(30_000):
        quote = "".join(rng.choice(bits) for _ in range(rng.randint(0, 6)))
        pieces = match.quote_pieces(quote)
        assert pieces == match._split_pieces(normalise(quote)), repr(quote)
        if len(pieces) == 1:
            short += 1
            assert find_quote(quote, source) == match._search(pieces, source), repr(quote)
    assert short > 5_000       # the short way was taken often enough to mean something


def test_closest_passage_is_the_same_in_every_run():
    # Every word of the quote is as common as the others; only "alpha beta other delta" comes close.
    # The rarest words are where the search starts, and a tie between them was once broken by the
    # order of a set, which changes with each process's string hashing: the message changed from run
    # to run. Each run here is a fresh process with its own hash seed.
    code = ("from citebrief.evidence.match import closest_passage\n"
            "blocks = [' '.join([w] * 300) for w in ('alpha', 'beta', 'gamma', 'delta', 'other')]\n"
            "source = '. '.join(blocks) + ' gamma. The report: alpha beta other delta, it said.'\n"
            "print(closest_passage('alpha beta gamma delta', source))")
    runs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout for seed in range(8)}
    assert len(runs) == 1
    assert "alpha beta other delta" in runs.pop()


def test_closest_passage_shows_the_difference():
    passage, score = closest_passage("Officers may not enforce federal immigration law", SOURCE)
    assert passage.startswith("Officers may not enforce civil immigration law") and 0.7 < score < 1
    assert closest_passage("zebra quantum", SOURCE) == ("", 0.0)


@pytest.mark.parametrize("sentence,figures", [
    ("ICE had 1,001 agreements in 40 states [@a].", [("1,001", "1001"), ("40", "40")]),
    ("Participation rose 641% since 2024.", [("641%", "641")]),
    ("Participation rose 641 percent in 2025.", [("641 percent", "641")]),
    ("It passed 5–4, and 52 to 48 in the Senate.", [("5–4", "5"), ("52 to 48", "52")]),
    ("It cost $1,200,000, or $3.5 billion, at 3.50 each.", [("$1,200,000", "1200000"),
                                                            ("$3.5 billion", "3.5"), ("3.50", "3.5")]),
    # not figures: years, dates, list numbering, section and law numbers, numbers inside words
    ("In 1996, on Nov. 25, 2025 and 9 September 2024, in 2019–2021 and 2019–21.", []),
    ("The models are (1) jail and (2) task force.", []),
    ("1. The first point.", []),
    ("Under § 1357(g), Section 287(g), 8 U.S.C. 1357 and Pub. L. 104-208.", []),
    ("COVID-19 hit 5G towers in the 1990s, on a 10-day trip.", []),
    ("See [@src12, p. 33] for details.", []),
])
def test_figures_in(sentence, figures):
    assert [(f.text, f.value) for f in figures_in(sentence)] == figures


def test_figures_are_looked_for_from_just_before_the_first_digit():
    # The scans start 12 characters before the first digit (a date's month name comes first); they
    # must find what scans of the whole sentence find: months, "$ " and "@" just before the digits.
    import random

    rng = random.Random(13)
    bits = ["September", "September.", "Sept.", "Nov.", "May", " ", "  ", "\n", "$", "$ ", "@", "(", "(1)", "1.",
            "5", "25", "2019", "1,001", "3.5", "-", "–", " to ", "%", " percent", " million", "§ ", "No. ",
            "the agency", "[@src12]", "[^]", "x"]
    for _ in range(30_000):
        text = "".join(rng.choice(bits) for _ in range(rng.randint(1, 12)))
        blanked = match.CITATION_MARKS.sub(lambda m: " " * len(m.group()), text)
        assert figures_in(text) == (match._figures(blanked, 0) if match._DIGIT.search(blanked)
                                    and (text[:1].isdigit() or match._FIGURE_START.search(text)) else []), repr(text)


def test_figure_index():
    index = FigureIndex(normalise("Agreements: 1,001 in 40 states, up 641 percent; 1.2 million dollars; "
                                  "the vote was 20–11. Page 7."))
    has = lambda s: all(index.has(f) for f in figures_in(s))
    assert has("It had 1001 agreements, up 641%.")
    assert has("It cost 1,200,000 dollars, or 1.2 million.")
    assert has("It passed 20-11.") and has("It passed 20 to 11.")
    assert not has("It passed 20–12.")
    assert not has("Up 40 percent.")            # 40 is stated, but not as a percentage
    assert has("There were 641 of them.")       # a bare number may be the source's percentage's
    assert not has("It had 1,190 agreements.")
    assert not has("It had 1.001 agreements.")  # a decimal is not a thousands separator


def test_passages_and_bm25():
    text = ("Intro line about the agency.\n\n" + "Jail enforcement model text. " * 20 + "\n\n"
            + "The task force model is a force multiplier during routine police duties. " * 3 + "\n\n"
            + "Warrant service officers serve administrative warrants. " * 10)
    passages = split_passages(text)
    assert all(text[p.start:p.end].split() == p.text.split() for p in passages)
    assert max(len(p.text.split()) for p in passages) <= 120
    best, score = PassageIndex(passages).best("Task force officers act as a force multiplier")[0]
    assert "force multiplier" in best.text and score > 0
    assert PassageIndex(passages).best("zebra") == []
    assert PassageIndex(split_passages("One short source sentence about jails.")).best("jails")   # tiny sources rank
    assert terms("The 1,001 agreements of ICE") == ["1001", "agreements", "ice"]


def test_passages_show_where_a_block_ends():
    text = ("Jail agreements in 2025\nThe county signed 14 agreements, up from 9 the year before.\n"
            "Officials said the program is limited.\n| Year | Agreements |\n|---|---|\n| 2025 | 14 |")
    blocks = split_passages(text, target_words=10, lines=True)
    assert blocks[0].text == "Jail agreements in 2025\nThe county signed 14 agreements, up from 9 the year before."
    assert blocks[-1].text.endswith("| Year | Agreements |\n|---|---|\n| 2025 | 14 |")
    assert all(text[p.start:p.end].split() == p.text.split() for p in blocks)
    wrapped = split_passages(text, target_words=10)             # a .txt: a line break is a wrap
    assert wrapped[0].text.startswith("Jail agreements in 2025 The county signed") and "\n" not in wrapped[0].text
    # elsewhere a blank line is where a block ends: shown as one line break, other white space as a space
    paragraphs = split_passages("Report 10 on partnerships\n \n\nThe county signed\n14 agreements.\n\n| a |")
    assert [p.text for p in paragraphs] == ["Report 10 on partnerships\nThe county signed 14 agreements.\n| a |"]
    # a block ends a paragraph: lines without a full stop still close a passage at half its words
    items = "\n".join(f"Agency number {i} signs a partnership agreement" for i in range(6))
    assert [p.text.count("\n") for p in split_passages(items, target_words=16, lines=True)] == [1, 1, 1]
    assert len(split_passages(items, target_words=16)) == 1


def test_hostile_quotations_end():
    """Many ellipses against a source of one repeated word: a regular expression with a bounded
    wildcard per ellipsis would backtrack for hours here; the piece-by-piece search returns at once
    (if it did not, this test would hang rather than pass)."""
    source = normalise("word " * 5_000 + "end")
    assert find_quote(" ... ".join(["word"] * 40) + " ... missing", source) is None
    assert find_quote(" ... ".join(["word"] * 40) + " ... end", source) is not None
    assert find_quote("[x] [y] [z] word [w] end", source) is not None
    assert quotes_in("‘" * 20_000 + " two words") == []
