"""The bibliography loader: real-world BibTeX parses cleanly, broken BibTeX gives lines, bad files one error."""

from datetime import date
from pathlib import Path

import pytest

from citebrief.bibliography import load_bibliography, nocite_keys, parse_date
from citebrief.errors import CitebriefError

DATA = Path(__file__).parent / "data" / "bib"


def load_text(tmp_path: Path, text: str | bytes, name: str = "refs.bib"):
    p = tmp_path / name
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(text, encoding="utf-8", newline="")
    return load_bibliography(p, name)


# ---------------------------------------------------------------- real-world constructs

@pytest.fixture(scope="module")
def realworld():
    return load_bibliography(DATA / "realworld.bib", "refs/realworld.bib")


def test_realworld_parses_cleanly(realworld):
    assert realworld.errors == []
    assert realworld.duplicates == []
    assert realworld.display_path == "refs/realworld.bib"
    # @preamble, @string, @comment{...}, @comment(...), free text and %-commented entries are not entries
    assert list(realworld.entries) == ["ice2025", "bibtex1999", "utf8", "paren2020", "child", "parent", "noFields"]


def test_entry_and_field_lines(realworld):
    e = realworld.entries["ice2025"]
    assert (e.line, e.entry_type) == (16, "report")
    assert e.field_lines == {"author": 17, "title": 18, "date": 19, "url": 20, "urldate": 21}
    assert realworld.entries["bibtex1999"].line == 24
    assert realworld.entries["bibtex1999"].field_lines["note"] == 31
    assert realworld.entries["paren2020"].line == 44
    assert realworld.entries["noFields"].line == 66


def test_biblatex_fields(realworld):
    e = realworld.entries["ice2025"]
    assert e.fields["author"] == "{U.S. Immigration and Customs Enforcement}"   # outer braces only
    assert e.fields["urldate"] == "2025-11-27"
    assert e.date() == date(2025, 6, 1)
    utf8 = realworld.entries["utf8"]
    assert utf8.entry_type == "online"
    assert utf8.fields["journaltitle"] == "Zeitschrift"
    assert utf8.date() == date(2024, 5, 1)


def test_bibtex_fields_quotes_accents_months(realworld):
    e = realworld.entries["bibtex1999"]
    assert e.entry_type == "article"                      # @Article lowercased
    assert e.fields["author"] == 'M{\\"u}ller, J{\\"o}rg and Garc\\\'{\\i}a, Ana'   # AUTHOR lowercased
    assert e.fields["title"] == 'The {"}287(g){"} programme, {"quoted"} and {\\"a}'
    assert e.fields["journal"] == "Journal of \\LaTeX{} Studies"
    assert e.fields["year"] == "1999"
    assert e.fields["month"] == "September"               # the `sep` macro
    assert e.fields["pages"] == "1--10"                   # trailing % comment dropped
    assert e.date() == date(1999, 9, 1)


def test_utf8_values(realworld):
    e = realworld.entries["utf8"]
    assert e.fields["author"] == "Núñez, José and Łukasz Żółć"
    assert e.fields["title"] == "Ünïcödé — “quotes” and ß"


def test_string_macros_and_concatenation(realworld):
    assert realworld.entries["bibtex1999"].fields["note"] == (
        "U.S. Immigration and Customs Enforcement and Department of Homeland Security")
    assert realworld.entries["utf8"].fields["organization"] == "Department of Homeland Security (DHS)"


def test_percent_comments_hide_fields_and_entries(realworld):
    assert "url" not in realworld.entries["utf8"].fields
    assert "commented-out" not in realworld.entries


def test_percent_comments_between_fields_and_inside_values(tmp_path):
    bib = load_text(tmp_path, "@article{a,\n"
                              "  abstract = {We find that 5\n% of people agree},\n"  # text: pandoc keeps it
                              "  title = {Growth, % of GDP},\n"
                              "% note = {an old, unfinished {note},\n"                 # comment: commas, braces
                              "  year = 2020, % checked, twice\n"
                              "  month = may % a comment after a bare value\n"
                              "}\n% @misc{gone, title = {G}}\n@misc{b, note = {50\\% off}}\n")
    assert bib.errors == []
    assert bib.entries["a"].fields == {"abstract": "We find that 5 % of people agree", "title": "Growth, % of GDP",
                                       "year": "2020", "month": "May"}
    assert bib.entries["a"].field_lines["month"] == 7
    assert list(bib.entries) == ["a", "b"] and bib.entries["b"].line == 10
    assert bib.entries["b"].fields["note"] == "50\\% off"


def test_crossref_inherits_parent_fields_child_wins(realworld):
    child = realworld.entries["child"]
    assert child.fields["title"] == "A Chapter"            # child wins
    assert child.fields["pages"] == "5--9"
    assert child.fields["publisher"] == "Parent Press"     # inherited
    assert child.fields["booktitle"] == "The Whole Book"   # the parent's title
    assert child.field_lines["publisher"] == child.line == 50
    assert child.field_lines["title"] == 51
    assert child.date() == date(2018, 3, 1)
    assert "pages" in realworld.entries["parent"].fields and realworld.entries["parent"].fields["pages"] == "300"


def test_crossref_cycle_and_missing_parent(tmp_path):
    bib = load_text(tmp_path, "@misc{a, crossref = {b}, title = {A}}\n@misc{b, crossref = {a}, year = 2000}\n"
                              "@misc{c, crossref = {nowhere}}\n")
    # a loop is a bib-syntax error at its line, and marks the file unsafe for pandoc (which would
    # chase it until memory runs out); a missing parent is not an error
    assert bib.errors == [(2, "crossref/xdata loop: b → a leads back to an entry it came from")]
    assert bib.unsafe
    assert bib.entries["a"].fields["year"] == "2000"
    assert bib.entries["b"].fields["year"] == "2000"        # a cycle ends; nothing loops forever
    assert set(bib.entries["c"].fields) == {"crossref"}


def test_xdata_inheritance(tmp_path):
    bib = load_text(tmp_path, "@xdata{pub, publisher = {P}, location = {L}}\n@book{b, title = {T}, xdata = {pub}}\n")
    assert bib.entries["b"].fields["publisher"] == "P"


def test_string_macro_names_are_case_insensitive_and_may_chain(tmp_path):
    bib = load_text(tmp_path, '@STRING{Org = "ICE"}\n@string{full = org # { (DHS)}}\n'
                              "@misc{k, author = FULL, title = ORG # {, } # {2025}, month = Dec}\n")
    e = bib.entries["k"]
    assert (e.fields["author"], e.fields["title"], e.fields["month"]) == ("ICE (DHS)", "ICE, 2025", "December")


def test_multiline_values_are_squashed(tmp_path):
    bib = load_text(tmp_path, "@misc{k,\n  title = {A long\n      title},\n  note = {Table \\\\\n  of contents}\n}\n")
    assert bib.entries["k"].fields["title"] == "A long title"
    assert bib.entries["k"].fields["note"] == "Table \\\\ of contents"


def test_line_count_survives_backslash_line_ends(tmp_path):
    # bibtexparser's splitter does not count a newline after `\`; we must
    bib = load_text(tmp_path, "@misc{a,\n  note = {x \\\\\n y \\\\\n z},\n}\n\n@misc{b, title = {B}}\n")
    assert bib.entries["b"].line == 7


def test_braces_inside_quoted_values(tmp_path):
    # upstream bibtexparser ends the value at the inner `"`; BibTeX (and pandoc) do not
    bib = load_text(tmp_path, '@book{a,\n  subtitle = "{Ein Handbuch f{\\"u}r zeitgem{"a}{\\ss}}",\n'
                              '  remark = "{the "optional" chapters}.",\n  year = 1991,\n}\n')
    assert bib.errors == []
    assert bib.entries["a"].fields["year"] == "1991"
    assert bib.entries["a"].fields["remark"] == '{the "optional" chapters}.'


def test_entry_types_starting_with_comment_are_entries(tmp_path):
    bib = load_text(tmp_path, "@COMMENTED{erm, title = {T}, year = 1993}\n@comment{not an entry}\n")
    assert list(bib.entries) == ["erm"]
    assert bib.entries["erm"].entry_type == "commented"


def test_crlf_and_bom(tmp_path):
    bib = load_text(tmp_path, "\ufeff% c\r\n@misc{a,\r\n  title = {A\r\n  B},\r\n  year = 2020,\r\n}\r\n".encode())
    e = bib.entries["a"]
    assert (e.line, e.field_lines["year"], e.fields["title"]) == (2, 5, "A B")


def test_repeated_field_last_value_wins_like_pandoc(tmp_path):
    bib = load_text(tmp_path, "@misc{a,\n  title = {One},\n  title = {Two},\n}\n")
    assert bib.errors == []
    assert bib.entries["a"].fields["title"] == "Two"
    assert bib.entries["a"].field_lines["title"] == 3


def test_empty_and_comment_only_files_are_valid(tmp_path):
    assert load_text(tmp_path, "").entries == {}
    assert load_text(tmp_path, "\n\n  \n").entries == {}
    assert load_text(tmp_path, "% nothing here yet\n%% still nothing\n").entries == {}
    assert load_text(tmp_path, "@comment{nothing yet}\n").entries == {}
    assert load_text(tmp_path, "@string{x = {y}}\n").entries == {}


# ---------------------------------------------------------------- duplicates

def test_duplicates_keep_the_last_entry_as_pandoc_does(tmp_path):
    bib = load_text(tmp_path, "@misc{a, title = {First}}\n\n@misc{b, title = {B}}\n@book{a, title = {Second}}\n"
                              "@misc{a,\n title = {Third}, title = {Third again}}\n")
    assert bib.entries["a"].fields["title"] == "Third again"      # pandoc 3.9 cites the last definition
    assert [(d.key, d.line, d.entry_type, first.line) for d, first in bib.duplicates] == [
        ("a", 4, "book", 1), ("a", 5, "misc", 4)]
    assert bib.errors == []


def test_string_key_equal_to_entry_key_is_not_a_duplicate(tmp_path):
    bib = load_text(tmp_path, "@string{a = {x}}\n@misc{a, title = a}\n")
    assert bib.duplicates == [] and bib.entries["a"].fields["title"] == "x"


# ---------------------------------------------------------------- syntax errors

BROKEN = """@article{ok, title = {A}, year = 2020}

@article{nocomma,
  title = {A}
  year = 2020,
}
@article{badfield,
  title {A},
  year = 2020,
}
@article{unclosed,
  title = {A,
  year = 2020,
}

@book{after, title = {B}, year = 2021}
article{noat,
  title = {X},
}
@misc{early, title = {A}},
  year = 2020,
}
@article{, title = {no key}}
@article{last, title = {Z}
"""


def test_syntax_errors_have_their_lines(tmp_path):
    bib = load_text(tmp_path, BROKEN)
    assert list(bib.entries) == ["ok", "after", "early"]
    assert bib.errors == [
        (5, "`@article{nocomma`: missing `,` before this field"),
        (8, "`@article{badfield`: expected `=` after a field name, found `{`"),
        (11, "`@article{unclosed` is not closed before the next entry starts (unbalanced braces or quotes?)"),
        (17, "entry start `article{noat,` has no `@`; the entry is ignored"),
        (21, "field `year` outside any entry (an entry closed too early?)"),
        (23, "@article entry has no key"),
        (24, "`@article{last` is not closed before the end of the file (unbalanced braces or quotes?)"),
    ]
    for _, message in bib.errors:
        assert "\n" not in message


def test_file_of_only_a_broken_entry_is_findings_not_a_usage_error(tmp_path):
    bib = load_text(tmp_path, "report{ice2025,\n  title = {T},\n}\n")
    assert bib.entries == {} and bib.errors[0][0] == 1


def test_no_log_noise_on_stderr(tmp_path, capfd):
    load_text(tmp_path, "@article{a, title = {unclosed\n")
    assert capfd.readouterr().err == ""


# ---------------------------------------------------------------- not a bibliography at all

@pytest.mark.parametrize("name,content,needle,line", [
    ("refs.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "PDF", None),
    ("refs.bib", b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", "binary", None),
    ("refs.bib", b'[{"id": "a", "type": "book", "title": "A"}]\n', ".json extension", None),
    ("refs.bib", b"---\nreferences:\n- id: a\n  title: A\n", ".yaml extension", None),
    ("refs.bib", b"just some notes, no bibliography here\n", "no BibTeX entries", None),
    ("refs.ris", b"TY  - BOOK\n", "unsupported bibliography format", None),
    ("refs.json", b'{"id": "a"}', 'array of items', None),
    ("refs.json", b'[{"id": "a",', "not valid JSON", 1),
    ("refs.yaml", b"references:\n- &x {id: a, title: A}\n- *x\n", "aliases", 2),
])
def test_not_bibtex_is_one_line_usage_error(tmp_path, name, content, needle, line):
    with pytest.raises(CitebriefError) as info:
        load_text(tmp_path, content, name)
    err = info.value
    assert err.path == name and err.line == line and err.exit_code == 2
    assert needle in err.message and "\n" not in str(err)
    assert str(err).startswith(name + ":")


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(CitebriefError, match="not found") as info:
        load_bibliography(tmp_path / "nope.bib", "nope.bib")
    assert info.value.path == "nope.bib"
    with pytest.raises(CitebriefError, match="folder"):
        load_bibliography(tmp_path, "somewhere")


def test_unreadable_file(tmp_path, deny_reading):
    p = tmp_path / "locked.bib"
    p.write_text("@misc{a}\n")
    p.chmod(0)
    deny_reading("locked.bib")
    with pytest.raises(CitebriefError, match="cannot read"):
        load_bibliography(p, "locked.bib")


def test_display_path_defaults_to_path(tmp_path):
    p = tmp_path / "r.bib"
    p.write_text("@misc{a, title = {A}}\n")
    assert load_bibliography(p).display_path == str(p)


# ---------------------------------------------------------------- dates and nocite

@pytest.mark.parametrize("date_value,year,month,expected", [
    ("2025-06-01", None, None, date(2025, 6, 1)),
    ("2025-06", None, None, date(2025, 6, 1)),
    ("2025", None, None, date(2025, 1, 1)),
    ("2020-01-15/2021-02", None, None, date(2020, 1, 15)),   # a range starts on its first day
    ("2025-21", None, None, date(2025, 1, 1)),               # EDTF season: the year
    ("2025-02-30", None, None, date(2025, 2, 1)),
    ("forthcoming", "2020", None, None),                     # a date field wins even when unreadable
    (None, "2025", "jun", date(2025, 6, 1)),
    (None, "2025", "June", date(2025, 6, 1)),
    (None, "2025", "Sept.", date(2025, 9, 1)),
    (None, "2025", "11", date(2025, 11, 1)),
    (None, "{2025}", None, date(2025, 1, 1)),
    (None, "2025a", "spring", date(2025, 1, 1)),
    (None, "n.d.", None, None),
    (None, None, "jun", None),
])
def test_parse_date(date_value, year, month, expected):
    assert parse_date(date_value, year, month) == expected


def test_nocite_keys():
    assert nocite_keys("@a, @b") == {"a", "b"}
    assert nocite_keys(["@a", "@{b:c}"]) == {"a", "b:c"}
    assert nocite_keys("@*") == {"*"}
    assert nocite_keys(None) == set()


def test_big_real_bibliography_is_fast_enough_to_matter():
    """A smoke test of scale (the real benchmark is bench/bench_bib.py): 3,000 entries in well under 2 s."""
    import time
    entry = ("@article{{k{0},\n  author = {{Last{0}, First and Other, Person}},\n  title = \"Title {{{0}}}\",\n"
             "  journal = jnl,\n  year = {{2010}},\n  month = mar,\n  url = {{https://example.org/{0}}},\n}}\n\n")
    text = "@string{jnl = {Journal}}\n" + "".join(entry.format(i) for i in range(3000))
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "big.bib"
        p.write_text(text)
        start = time.perf_counter()
        bib = load_bibliography(p)
        elapsed = time.perf_counter() - start
    assert len(bib.entries) == 3000 and bib.entries["k2999"].line == 2 + 9 * 2999
    assert bib.entries["k7"].fields["journal"] == "Journal"
    assert elapsed < 2.0


def test_the_splitter_fixes_still_apply_to_this_bibtexparser():
    """citebrief overrides private methods of bibtexparser's Splitter (bibliography/bibtex.py). The
    dependency is pinned to the minor version these were written for; this test fails, rather than the
    fixes silently stopping, if a release renames or removes what they override."""
    from bibtexparser.splitter import Splitter

    from citebrief.bibliography.bibtex import _Splitter
    overridden = [name for name in vars(_Splitter) if name.startswith("_") and not name.startswith("__")
                  and callable(vars(_Splitter)[name]) and name not in ("_special",)]
    assert overridden and all(callable(getattr(Splitter, name, None)) for name in overridden), overridden
    bib = load_text_str('@misc{a, title = "Ein {"a} Handbuch", author = {B}}\n@commented{c, title = {C}}\n'
                        '@misc{m, title = {T} year = 2020}\n')
    assert bib.entries["a"].fields["title"] == 'Ein {"a} Handbuch'      # braces inside "..." counted
    assert bib.entries["c"].entry_type == "commented"                   # not swallowed as @comment
    assert bib.errors and "missing `,`" in bib.errors[0][1]              # a glued field is an error


def load_text_str(text: str):
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        return load_text(Path(d), text)
