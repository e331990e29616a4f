"""Each bibliography rule's check on hand-built contexts: exact lines, offsets and messages."""

from datetime import date
from pathlib import Path

import pytest

from citebrief.bibliography import Bibliography, load_bibliography, nocite_keys
from citebrief.config import Config
from citebrief.engine import mark_used
from citebrief.frontmatter import FrontMatter
from citebrief.parse.model import Brief, Citation
from citebrief.rules import ALL_RULES
from citebrief.rules.base import EXAMPLE_BIB
from citebrief.rules.context import Hit, LintContext

BIB = EXAMPLE_BIB      # the complete entry every rule example may cite


def make_brief(keys=(), meta=None, checked=date(2025, 11, 27)) -> Brief:
    source = "Body " + " ".join(f"[@{k}]" for k in keys)
    cites = []
    for k in keys:
        cites.append(Citation(k, source.index(f"@{k}]", cites[-1].offset + 1 if cites else 0)))
    fields = dict(meta or {}, **({"checked": checked.isoformat()} if checked else {}))
    return Brief(path=Path("brief.md"), display_path="brief.md", source=source, front=FrontMatter(fields),
                 citations=cites)


@pytest.fixture
def bib(tmp_path):
    def load(text: str = BIB):
        p = tmp_path / "references.bib"
        p.write_text(text, encoding="utf-8")
        return load_bibliography(p, "references.bib")
    return load


def run(rule: str, brief: Brief, bib, cited=frozenset()) -> list[Hit]:
    """Call a rule as the engine would, on every entry of ``bib`` (as when the .bib itself is linted)."""
    r, config, today = ALL_RULES[rule], Config(), date(2025, 12, 1)
    if r.scope == "brief":
        return list(r.check(LintContext(config, today, brief=brief, bib=Bibliography([bib]) if bib else None)))
    if bib is None:
        return []
    if r.scope == "entry":
        return [hit for entry in bib.entries.values()
                for hit in r.check(LintContext(config, today, entry=entry, checked=brief.checked))]
    used: dict[int, set[str]] = {}
    cited_here = {c.key for c in brief.citations} | set(cited) | nocite_keys(brief.meta.get("nocite"))
    mark_used(Bibliography([bib]), cited_here, used)
    keys = used.get(id(bib), set())
    return list(r.check(LintContext(config, today, bibfile=bib,
                                    cited_keys=frozenset(bib.entries) if "*" in keys else frozenset(keys))))


def bib_hits(hits):
    return [(h.bib_line, h.message) for h in hits]


def test_rule_metadata():
    expected = {"bib-syntax": "error", "unknown-key": "error", "duplicate-key": "error",
                "unused-entry": "warning", "incomplete-entry": "error", "missing-access-date": "warning",
                "bad-url": "error", "bad-doi": "error", "future-source": "warning"}
    for name, severity in expected.items():
        rule = ALL_RULES[name]
        assert rule.severity.value == severity
        assert rule.summary and "\n" not in rule.summary
        assert rule.passing and rule.failing


# ---------------------------------------------------------------- bib-syntax

def test_bib_syntax(bib):
    assert run("bib-syntax", make_brief(["ice2025"]), bib()) == []
    broken = bib(BIB + "\n@misc{x,\n  title = {A}\n  year = 2020,\n}\n")
    assert bib_hits(run("bib-syntax", make_brief(), broken)) == [
        (11, "`@misc{x`: missing `,` before this field")]
    assert run("bib-syntax", make_brief(), None) == []


# ---------------------------------------------------------------- unknown-key

def test_unknown_key_positions_and_hints(bib):
    b = make_brief(["ice2025", "ICE2025", "ice2024", "zzz", "zzz"])
    hits = run("unknown-key", b, bib())
    assert [(h.offset, h.message) for h in hits] == [
        (b.source.index("@ICE2025"), "citation @ICE2025 is not in references.bib (did you mean @ice2025?)"),
        (b.source.index("@ice2024"), "citation @ice2024 is not in references.bib (did you mean @ice2025?)"),
        (b.source.index("@zzz"), "citation @zzz is not in references.bib"),
        (b.source.rindex("@zzz"), "citation @zzz is not in references.bib"),
    ]
    assert all(h.bib_line is None for h in hits)


def test_unknown_key_without_bibliography():
    b = make_brief(["a", "b"])
    hits = run("unknown-key", b, None)
    assert [h.offset for h in hits] == [b.source.index("@a"), b.source.index("@b")]
    assert "no bibliography" in hits[0].message
    assert run("unknown-key", make_brief(), None) == []


# ---------------------------------------------------------------- duplicate-key

def test_duplicate_key_at_later_entry(bib):
    text = BIB + "\n@misc{other, title = {O}}\n@book{ice2025, title = {Again}}\n"
    assert bib_hits(run("duplicate-key", make_brief(), bib(text))) == [
        (10, "duplicate key ice2025 (first defined on line 1; pandoc uses this later one)")]
    assert run("duplicate-key", make_brief(), bib()) == []


# ---------------------------------------------------------------- unused-entry

TWO = BIB + "@misc{extra, title = {Extra}, author = {A}, year = 2020}\n"


def test_unused_entry(bib):
    assert bib_hits(run("unused-entry", make_brief(["ice2025"]), bib(TWO))) == [
        (8, "entry extra is never cited (cite it, list it in `nocite`, or remove it)")]


@pytest.mark.parametrize("meta", [{"nocite": "@extra"}, {"nocite": "@ice2025, @extra"}, {"nocite": ["@extra"]},
                                  {"nocite": "@*"}])
def test_nocite_counts_as_used(bib, meta):
    assert run("unused-entry", make_brief(["ice2025"], meta=meta), bib(TWO)) == []


def test_cited_by_another_brief_counts_as_used(bib):
    assert run("unused-entry", make_brief(["ice2025"]), bib(TWO), cited={"extra"}) == []


def test_crossref_parent_of_a_cited_entry_is_used(bib):
    text = ("@incollection{ch, title = {C}, author = {A}, crossref = {book}}\n"
            "@book{book, title = {B}, editor = {E}, year = 2000}\n@book{lonely, title = {L}}\n")
    assert bib_hits(run("unused-entry", make_brief(["ch"]), bib(text))) == [
        (3, "entry lonely is never cited (cite it, list it in `nocite`, or remove it)")]


# ---------------------------------------------------------------- incomplete-entry

def test_incomplete_entry_lists_everything_missing(bib):
    text = ("@misc{none, note = {n}}\n"
            "@misc{notitle, author = {A}, year = 2020}\n"
            "@misc{blank, title = {}, author = {A}, date = {2020}}\n"
            "@misc{noauthor, title = {T}, year = 2020}\n"
            "@misc{nodate, title = {T}, publisher = {P}}\n"
            "@misc{org, title = {T}, organization = {O}, year = 2020}\n"
            "@misc{inst, title = {T}, institution = {I}, date = {2020-01}}\n"
            "@misc{ed, title = {T}, editor = {E}, year = 2020}\n"
            "@xdata{shared, publisher = {P}}\n")
    assert bib_hits(run("incomplete-entry", make_brief(), bib(text))) == [
        (1, "entry none has no title, no author/editor/organization/institution/publisher, no date/year"),
        (2, "entry notitle has no title"),
        (3, "entry blank has no title"),
        (4, "entry noauthor has no author/editor/organization/institution/publisher"),
        (5, "entry nodate has no date/year"),
    ]


def test_incomplete_entry_counts_crossref_fields(bib):
    text = "@inbook{ch, title = {C}, crossref = {bk}}\n@book{bk, title = {B}, author = {A}, year = 2001}\n"
    assert run("incomplete-entry", make_brief(), bib(text)) == []


# ---------------------------------------------------------------- missing-access-date

def test_missing_access_date_at_url_line(bib):
    text = BIB.replace("  urldate = {2025-11-27},\n", "") + "@misc{nourl, title = {T}}\n"
    assert bib_hits(run("missing-access-date", make_brief(), bib(text))) == [
        (5, "entry ice2025 has a url but no urldate (when was the page read?)")]
    assert run("missing-access-date", make_brief(), bib()) == []


# ---------------------------------------------------------------- bad-url

@pytest.mark.parametrize("url,ok", [
    ("https://www.ice.gov/identify-and-arrest/287g", True),
    ("http://example.org", True),
    ("HTTPS://Example.org/a?b=1&c=%20#frag", True),
    ("http://localhost:8080/x", True),
    ("www.ice.gov/287g", False),
    ("ftp://ice.gov/287g", False),
    ("https://", False),
    ("https:/ice.gov", False),
    ("/identify-and-arrest/287g", False),
    ("https://www.ice.gov/a page", False),
    ("\\url{https://ice.gov}", False),
])
def test_bad_url(bib, url, ok):
    hits = run("bad-url", make_brief(), bib(BIB.replace("https://www.ice.gov/identify-and-arrest/287g", url)))
    if ok:
        assert hits == []
    else:
        assert bib_hits(hits) == [(5, f"entry ice2025: url {url!r} is not an absolute http(s) URL")]


def test_bad_url_message_shortens_long_values(bib):
    url = "https://tug.org/a.pdf; " + "https://tug.org/b.pdf; " * 5
    hits = run("bad-url", make_brief(), bib(BIB.replace("https://www.ice.gov/identify-and-arrest/287g", url)))
    assert len(hits) == 1 and url[:79] + "…" in hits[0].message and len(hits[0].message) < 140


# ---------------------------------------------------------------- bad-doi

@pytest.mark.parametrize("doi,ok", [
    ("10.1000/xyz123", True),
    ("10.1016/S0140-6736(20)30183-5", True),
    ("doi:10.1093/ajae/aaq063", True),
    ("DOI: 10.1093/ajae/aaq063", True),
    ("https://doi.org/10.1093/ajae/aaq063", True),
    ("http://dx.doi.org/10.1093/ajae/aaq063", True),
    ("10.1093", False),
    ("10.12/short", False),
    ("1093/ajae/aaq063", False),
    ("https://example.org/10.1000/xyz", False),
    ("doi 10.1000 / xyz", False),
])
def test_bad_doi(bib, doi, ok):
    text = BIB.replace("  urldate", f"  doi = {{{doi}}},\n  urldate")
    hits = run("bad-doi", make_brief(), bib(text))
    if ok:
        assert hits == []
    else:
        assert bib_hits(hits) == [(6, f"entry ice2025: doi {doi!r} is not a DOI (10.NNNN/...)")]


# ---------------------------------------------------------------- future-source

@pytest.mark.parametrize("date_field,fires,shown", [
    ("date = {2025}", False, None),
    ("date = {2025-11}", False, None),            # November may include days before the check
    ("date = {2025-11-27}", False, None),
    ("date = {2025-11-28}", True, "2025-11-28"),
    ("date = {2025-12}", True, "2025-12"),
    ("date = {2026}", True, "2026"),
    ("year = 2025, month = nov", False, None),
    ("year = 2025, month = dec", True, "December 2025"),
    ("year = {2026}", True, "2026"),
    ("year = {forthcoming}", False, None),
])
def test_future_source(bib, date_field, fires, shown):
    hits = run("future-source", make_brief(), bib(BIB.replace("date = {2025}", date_field)))
    if fires:
        assert bib_hits(hits) == [(4, f"entry ice2025 is dated {shown}, after the brief was checked (2025-11-27)")]
    else:
        assert hits == []


def test_future_source_needs_a_checked_date(bib):
    assert run("future-source", make_brief(checked=None), bib(BIB.replace("{2025}", "{2030}"))) == []
