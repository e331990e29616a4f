"""The flagship brief (manuscript/ice-287g.md): it lints without errors with the evidence rules against
its excerpt snapshots (sources/), it copies no ten-word run of the original explainer's wording, every
snapshot holds only what the project's source record (sources.md) records, and it compiles with every
cited source in every output's bibliography."""

from __future__ import annotations

import html as html_mod
import re
import shutil
from datetime import date
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from citebrief.bibliography import load_bibliography
from citebrief.compile import compile_paths
from citebrief.config import Config
from citebrief.engine import lint_paths
from citebrief.evidence.checks import cited_passages
from citebrief.evidence.match import find_quote, normalise, quotes_in
from citebrief.frontmatter import blank_front_matter, read_front_matter

REPO = Path(__file__).resolve().parents[1]
BRIEF = REPO / "manuscript" / "ice-287g.md"
BIB = REPO / "references.bib"
SNAPSHOTS = REPO / "sources"
DATA = Path(__file__).resolve().parent / "data"
ORIGINAL = DATA / "import" / "seed.txt"           # the original explainer, unchanged
RECORD = DATA / "flagship" / "sources.md"         # the project's record of what was seen in each source
TODAY = date(2025, 11, 28)                        # the day after `checked`: no stale-check yet
EVIDENCE_RULES = {"quote-not-in-source", "number-not-in-source", "missing-snapshot", "source-changed"}


def squash(text: str) -> str:
    """Letters and digits only: line breaks, hyphenation and smart quotes do not matter."""
    return re.sub(r"[^0-9a-z]", "", text.lower())


def lint(root: Path = REPO):
    return lint_paths([str(root / "manuscript" / BRIEF.name)], Config(root=root), today=TODAY)


def cited_keys() -> list[str]:
    return sorted({c.key for c in lint().reports[0].brief.citations})


# --------------------------------------------------------------------------- lint, evidence rules included

def test_flagship_lints_without_errors_with_the_evidence_rules():
    result = lint()
    assert [f for f in result.findings if f.severity.value == "error"] == []
    assert result.claims >= 35 and result.cited_claims == result.claims
    # no misquote, no unsupported figure, no missing snapshot: only the true warning that day
    assert {f.rule for f in result.findings} == {"missing-access-date"}


@pytest.fixture
def project_copy(tmp_path) -> Path:
    shutil.copytree(BRIEF.parent, tmp_path / "manuscript")
    shutil.copytree(SNAPSHOTS, tmp_path / "sources")
    shutil.copy(BIB, tmp_path / "references.bib")
    return tmp_path


@pytest.mark.parametrize("before,after,rule", [
    ('escape before a warrant can be obtained"', 'flee before a warrant can be obtained"', "quote-not-in-source"),
    ("up 641% from 135", "up 614% from 135", "number-not-in-source"),
])
def test_the_evidence_rules_check_the_flagship(project_copy, before, after, rule):
    """The clean result above is the evidence rules passing, not the evidence rules not running."""
    brief = project_copy / "manuscript" / BRIEF.name
    text = brief.read_text(encoding="utf-8")
    assert text.count(before) == 1
    brief.write_text(text.replace(before, after), encoding="utf-8")
    assert [f.rule for f in lint(project_copy).findings if f.rule in EVIDENCE_RULES] == [rule]


def test_a_missing_excerpt_is_reported(project_copy):
    (project_copy / "sources" / "kocher2025army.txt").unlink()
    found = [f for f in lint(project_copy).findings if f.rule in EVIDENCE_RULES]
    assert [(f.rule, "kocher2025army" in f.message) for f in found] == [("missing-snapshot", True)]


# --------------------------------------------------------------------------- the brief's own words

RUN = 10                                              # words in a row that make a copied passage
_QUOTED = re.compile(r"\"[^\"]*\"|“[^”]*”")           # a quotation is attributed, not copied
_MARKUP = re.compile(r"\[-?@[^\]]*\]|\{[^{}]*\}")     # citations and {.attributes} are not prose
_WORD = re.compile(r"[0-9a-z]+(?:'[a-z]+)*")


def words(text: str) -> list[str]:
    """Lowercase words: any dash or punctuation between them, and curly or straight apostrophes, alike."""
    return _WORD.findall(text.lower().replace("’", "'").replace("‘", "'"))


def copied_runs(text: str, original: str, run: int = RUN) -> list[str]:
    """The passages of ``text`` outside quotation marks that repeat ``run`` or more words of ``original``
    in a row (line breaks, punctuation and case aside). Quotations end a passage: the words on either
    side of one are not joined into a run."""
    source = words(original)
    grams = {tuple(source[i:i + run]) for i in range(len(source) - run + 1)}
    found = []
    for paragraph in re.split(r"\n\s*\n", text):
        for piece in _QUOTED.split(_MARKUP.sub(" ", paragraph)):
            w = words(piece)
            i = 0
            while i <= len(w) - run:
                if tuple(w[i:i + run]) not in grams:
                    i += 1
                    continue
                j = i + run
                while j < len(w) and tuple(w[j - run + 1:j + 1]) in grams:
                    j += 1
                found.append(" ".join(w[i:j]))
                i = j
    return found


def brief_prose(path: Path) -> str:
    """What a reader reads of a brief: its title, subtitle and disclaimer, then its body."""
    source = path.read_text(encoding="utf-8")
    front = read_front_matter(source, path.name)
    fields = [str(front.fields.get(k) or "") for k in ("title", "subtitle", "disclaimer")]
    return "\n\n".join([*fields, blank_front_matter(source, front)])


def test_the_copy_check_finds_what_it_should():
    original = ORIGINAL.read_text(encoding="utf-8")
    assert original.startswith("How does ICE authority intersect with local police authority")
    # the three passages issue 13 found copied into the previous revision of the brief, as written there
    for copied in ("A federal judge in Colorado ordered limits on warrantless arrests by immigration agents",
                   "have warned that deputizing local police for immigration work can erode trust between\n"
                   "police and immigrant communities and discourage people from reporting crimes",
                   "and community pushback and policy revisions after local measures\nappeared to let police"):
        assert copied_runs(copied, original), copied
    # nine words are not a run; a quotation is not copying; a quotation splits a run
    assert copied_runs("federal judge in Colorado ordered limits on warrantless arrests", original) == []
    assert copied_runs('It asks: "How does ICE authority intersect with local police authority in '
                       'immigration enforcement?"', original) == []
    assert copied_runs('a federal judge in "Colorado" ordered limits on warrantless arrests by', original) == []


def test_the_brief_copies_no_ten_word_run_of_the_original():
    assert copied_runs(brief_prose(BRIEF), ORIGINAL.read_text(encoding="utf-8")) == []


# --------------------------------------------------------------------------- receipts: excerpt snapshots

LABELS = ("Note", "Source", "Recorded", "Quoted")


def excerpt(key: str) -> tuple[str, list[tuple[str, str]]]:
    """A snapshot's first line and its labelled lines (label, text)."""
    first, *rest = (SNAPSHOTS / f"{key}.txt").read_text(encoding="utf-8").splitlines()
    lines = []
    for line in rest:
        if line.strip():
            label, _, text = line.partition(": ")
            assert label in LABELS, f"{key}: unlabelled line {line!r}"
            lines.append((label, text))
    return first, lines


@pytest.mark.parametrize("key", cited_keys())
def test_every_cited_source_has_an_excerpt_snapshot_holding_only_what_sources_md_records(key):
    first, lines = excerpt(key)
    assert first.startswith("Excerpt:") and "sources.md" in first and "not the full page" in first
    # nothing was fetched, so there is no retrieval time, final URL or page hash to record
    assert not (SNAPSHOTS / f"{key}.json").exists()
    record = " ".join(RECORD.read_text(encoding="utf-8").split())
    for label, text in lines:
        if label == "Note":    # about the record, never evidence: no figure, no quotation
            assert not re.search(r"[0-9\"“”]", text), text
        else:
            assert " ".join(text.split()) in record, f"{key}: not in sources.md: {text}"
    assert [label for label, _ in lines].count("Source") == 1
    # every passage sources.md quotes from the source is on a Quoted line of its own
    quoted = {text for label, text in lines if label == "Quoted"}
    for label, text in lines:
        if label == "Recorded":
            assert {f'"{q}"' for q in re.findall(r'"([^"]+)"', text)} <= quoted, text


def test_quotations_are_the_sources_own_words():
    """A quotation in a cited sentence is on a Source line (a title) or a Quoted line of a source it cites,
    not only in the notes sources.md keeps of what was seen (those are not the source's wording)."""
    own = {}
    for key in cited_keys():
        _, lines = excerpt(key)
        own[key] = normalise("\n".join(text for label, text in lines if label in ("Source", "Quoted")))
    checked = 0
    for passage in cited_passages(lint().reports[0].brief):
        for quote in quotes_in(passage.text) if passage.keys else ():
            assert any(find_quote(quote.text, own[k]) for k in passage.keys if k in own), quote.text
            checked += 1
    assert checked >= 10


# --------------------------------------------------------------------------- outputs

@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("flagship")
    (root / "manuscript").mkdir()
    shutil.copy(BRIEF, root / "manuscript" / BRIEF.name)
    shutil.copy(BIB, root / "references.bib")
    shutil.copytree(SNAPSHOTS, root / "sources")      # the compile gate runs the evidence rules too
    code = compile_paths([], Config(root=root), ("pdf", "docx", "html"), echo=lambda *a, **k: None)
    assert code == 0
    return root / "out"


def cited_entries():
    keys = cited_keys()
    bib = load_bibliography(BIB)
    assert keys and all(k in bib.entries for k in keys)
    # the first words of each title identify the entry in a rendered bibliography
    return [(k, squash(re.sub(r"[{}]", "", bib.entries[k].get("title")))[:40]) for k in keys]


@pytest.mark.parametrize("key,title", cited_entries())
def test_every_cited_source_is_in_every_bibliography(outputs, key, title):
    html = (outputs / "ice-287g.html").read_text(encoding="utf-8")
    entry = re.search(rf'<div id="ref-{re.escape(key)}"[^>]*>(.*?)</div>', html, re.S)
    assert entry, f"no HTML bibliography entry for {key}"
    assert title in squash(html_mod.unescape(re.sub(r"<[^>]+>", "", entry.group(1))))

    document = docx.Document(str(outputs / "ice-287g.docx"))
    bibliography = squash(" ".join(p.text for p in document.paragraphs if p.style.name == "Bibliography"))
    assert title in bibliography

    reader = PdfReader(str(outputs / "ice-287g.pdf"))
    pdf_text = squash(" ".join(page.extract_text() for page in reader.pages[-2:]))
    assert title in pdf_text
