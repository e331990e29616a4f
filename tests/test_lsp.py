"""``citebrief lsp`` driven over stdio by a real LSP client (pytest-lsp), as an editor drives it:
open, change, save, completion, definition, hover, code actions applied, bad input survived."""

from __future__ import annotations

import asyncio
import re
import shutil
import sys
from datetime import date
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

from citebrief.config import load_config
from citebrief.engine import lint_paths
from citebrief.rules.base import EXAMPLE_BIB

TODAY = "2025-12-01"
ROOT = Path(__file__).resolve().parent.parent
SERVER = [sys.executable, "-m", "citebrief", "lsp", "--debounce-ms", "50", "--today", TODAY]
PATIENCE = 120.0          # seconds before a missing answer fails the test (a hang guard, not a timing check)

BIB = EXAMPLE_BIB + """
@article{doj2024,
  author = {Jackson, R. Brooke and Doe, Jane and Roe, Richard},
  title = {County Jail Agreements and Detainer Requests},
  date = {2024-03-01},
  url = {https://example.org/doj},
  urldate = {2025-11-20},
}
"""

BRIEF = """---
title: Test brief
checked: 2025-11-27
---

# Findings

ICE lists three 287(g) models [@ice2025]. County jail agreements grew fast in 2025.

The 1,190 figure could not be verified [@doj2024].

# Limitations

The sources cover one year only.
"""


def _accept_registration(client: LanguageClient, params: types.RegistrationParams) -> None:
    return None


def _record(client: LanguageClient, params: types.PublishDiagnosticsParams) -> None:
    client.diagnostics[params.uri] = params.diagnostics
    client.published.append(params)


def make_client() -> LanguageClient:
    client = LanguageClient(converter_factory=default_converter)
    features = dict(DEFAULT_CLIENT_FEATURES)
    features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = _record
    features[types.CLIENT_REGISTER_CAPABILITY] = _accept_registration
    register_lsp_features(client, features)
    client.published = []
    return client


# One server for the module (starting one costs a second: lsprotocol's types are a big import);
# each test has its own project folder, so nothing one test opens concerns another.
@pytest_lsp.fixture(scope="module", config=ClientServerConfig(server_command=SERVER, client_factory=make_client))
async def client(lsp_client: LanguageClient, tmp_path_factory):
    await lsp_client.initialize_session(types.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"), root_uri=tmp_path_factory.getbasetemp().as_uri()))
    yield
    await lsp_client.shutdown_session()


@pytest.fixture
def tmp_path(tmp_path):
    """A brief project: pyproject.toml, manuscript/brief.md, references.bib."""
    (tmp_path / "pyproject.toml").write_text('[tool.citebrief]\nmanuscript = "manuscript"\n')
    (tmp_path / "manuscript").mkdir()
    (tmp_path / "manuscript" / "brief.md").write_text(BRIEF)
    (tmp_path / "references.bib").write_text(BIB)
    return tmp_path


pytestmark = pytest.mark.asyncio(loop_scope="module")


# --- helpers: an editor's side -------------------------------------------------------------------

class Doc:
    def __init__(self, client: LanguageClient, path: Path, text: str, language: str):
        self.client, self.path, self.text, self.version = client, path, text, 1
        self.uri = path.as_uri()
        client.text_document_did_open(types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=self.uri, language_id=language, version=1, text=text)))

    def replace(self, old: str, new: str) -> None:
        """An incremental edit, as editors send them."""
        start = self.text.index(old)
        rng = types.Range(start=position(self.text, start), end=position(self.text, start + len(old)))
        self.text = self.text[:start] + new + self.text[start + len(old):]
        self.version += 1
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=self.uri, version=self.version),
            content_changes=[types.TextDocumentContentChangePartial(range=rng, text=new)]))

    def set_text(self, text: str) -> None:
        self.text = text
        self.version += 1
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=self.uri, version=self.version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))

    def apply(self, edit: types.WorkspaceEdit) -> None:
        """Apply a code action's edit (last edit first, so earlier offsets hold)."""
        edits = edit.changes[self.uri]
        text = self.text
        for e in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
            a, b = offset(text, e.range.start), offset(text, e.range.end)
            text = text[:a] + e.new_text + text[b:]
        self.set_text(text)

    async def diagnostics(self, version: int | None = None) -> list[types.Diagnostic]:
        return await published(self.client, self.uri, self.version if version is None else version)

    def at(self, needle: str, delta: int = 0) -> types.Position:
        return position(self.text, self.text.index(needle) + delta)


def position(text: str, index: int) -> types.Position:
    """UTF-16 position of ``text[index]`` (the encoding VS Code uses), lines split at \\n."""
    line = text.count("\n", 0, index)
    start = text.rfind("\n", 0, index) + 1
    return types.Position(line=line, character=len(text[start:index].encode("utf-16-le")) // 2)


def offset(text: str, pos: types.Position) -> int:
    start = 0
    for _ in range(pos.line):
        start = text.index("\n", start) + 1
    units, i = 0, start
    while units < pos.character:
        units += len(text[i].encode("utf-16-le")) // 2
        i += 1
    return i


def span(text: str, needle: str) -> types.Range:
    start = text.index(needle)
    return types.Range(start=position(text, start), end=position(text, start + len(needle)))


async def published(client: LanguageClient, uri: str, version: int | None = None, since: int = 0):
    """The latest diagnostics published for ``uri`` (of ``version``; after the ``since``-th publish)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + PATIENCE
    while True:
        for p in reversed(client.published[since:]):
            if p.uri == uri and (version is None or p.version == version):
                return p.diagnostics
        assert loop.time() < deadline, f"no diagnostics for {uri} (version {version})"
        await asyncio.sleep(0.02)


def by_rule(diagnostics, rule: str) -> list[types.Diagnostic]:
    return [d for d in diagnostics if d.code == rule]


def alive(client: LanguageClient) -> bool:
    return client._server is not None and client._server.returncode is None


# --- diagnostics -----------------------------------------------------------------------------------

async def test_diagnostics_on_open_change_and_save(client: LanguageClient, tmp_path):
    brief = Doc(client, tmp_path / "manuscript" / "brief.md", BRIEF, "markdown")
    found = await brief.diagnostics()
    uncited, = by_rule(found, "uncited-claim")
    assert uncited.range == span(brief.text, "County jail agreements grew fast in 2025.")
    assert uncited.severity == types.DiagnosticSeverity.Error and uncited.source == "citebrief"
    gap, = by_rule(found, "unflagged-limitation")
    assert gap.range == span(brief.text, "The 1,190 figure could not be verified [@doj2024].")
    assert by_rule(found, "stale-check") == []                     # checked 4 days before --today

    # typing an uncited sentence (an incremental edit): diagnosed after the debounce, at its range
    brief.replace("# Limitations", "Deputies screened 900 people in one county.\n\n# Limitations")
    found = await brief.diagnostics()
    ranges = [d.range for d in by_rule(found, "uncited-claim")]
    assert span(brief.text, "Deputies screened 900 people in one county.") in ranges and len(ranges) == 2

    # an unknown key: the citation's own range; a warning keeps its severity
    brief.replace("[@doj2024]", "[@nobody2020]")
    brief.replace("checked: 2025-11-27", "checked: 2025-01-02")
    found = await brief.diagnostics()
    unknown, = by_rule(found, "unknown-key")
    assert unknown.range == span(brief.text, "@nobody2020")
    stale, = by_rule(found, "stale-check")
    assert stale.severity == types.DiagnosticSeverity.Warning and stale.range.start.line == 2

    # saving lints at once what is saved (here the same text)
    (tmp_path / "manuscript" / "brief.md").write_text(brief.text)
    n = len(client.published)
    client.text_document_did_save(types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(brief.uri)))
    after_save = await published(client, brief.uri, brief.version, since=n)
    assert {d.code for d in after_save} == {d.code for d in found}


async def test_ranges_count_utf16_units_and_crlf(client: LanguageClient, tmp_path):
    text = BRIEF.replace("ICE lists three", "ICE 😀 lists three").replace("\n", "\r\n")
    path = tmp_path / "manuscript" / "crlf.md"
    path.write_bytes(text.encode())
    brief = Doc(client, path, text, "markdown")
    uncited, = by_rule(await brief.diagnostics(), "uncited-claim")
    line = text.split("\r\n")[uncited.range.start.line]
    start = line.index("County")
    assert uncited.range.start.character == start + 1          # the emoji is two UTF-16 units
    assert uncited.range.end.character == len(line) + 1        # up to the full stop, before \r


async def test_bibliography_diagnostics_and_briefs_refreshed(client: LanguageClient, tmp_path):
    brief = Doc(client, tmp_path / "manuscript" / "brief.md", BRIEF, "markdown")
    assert by_rule(await brief.diagnostics(), "unknown-key") == []
    bib_text = BIB.replace("  urldate = {2025-11-20},\n", "")
    (tmp_path / "references.bib").write_text(bib_text)
    bib = Doc(client, tmp_path / "references.bib", bib_text, "bibtex")
    access, = by_rule(await bib.diagnostics(), "missing-access-date")
    assert access.range == span(bib.text, "  url = {https://example.org/doj},")   # the line the rule names
    assert access.severity == types.DiagnosticSeverity.Warning

    # an unsaved change to the .bib: the .bib and the open brief that uses it are both re-linted
    n = len(client.published)
    bib.replace("@article{doj2024,", "@article{doj2023,")
    found = await bib.diagnostics()
    unused, = by_rule(found, "unused-entry")
    assert unused.range.start.line == bib.at("@article{doj2023").line
    unknown, = by_rule(await published(client, brief.uri, since=n), "unknown-key")
    assert unknown.range == span(brief.text, "@doj2024")

    # a syntax error in the buffer: bib-syntax at its line
    bib.replace("  title = {County Jail", "  title = {{County Jail")
    syntax = by_rule(await bib.diagnostics(), "bib-syntax")
    assert syntax and syntax[0].severity == types.DiagnosticSeverity.Error

    # closing the .bib: its own lint goes, the brief's findings about its entries remain
    bib_uri = bib.uri
    n = len(client.published)
    client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(bib_uri)))
    left = await published(client, bib_uri, since=n)
    assert {d.code for d in left} <= {"missing-access-date", "incomplete-entry", "bib-syntax"}


async def test_a_bibliography_changed_on_disk_re_lints_the_open_briefs(client: LanguageClient, tmp_path):
    brief = Doc(client, tmp_path / "manuscript" / "brief.md", BRIEF, "markdown")
    assert by_rule(await brief.diagnostics(), "unknown-key") == []
    bib = tmp_path / "references.bib"
    bib.write_text(BIB.replace("@article{doj2024,", "@article{doj2023,"))     # e.g. a reference manager's export
    n = len(client.published)
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
        changes=[types.FileEvent(uri=bib.as_uri(), type=types.FileChangeType.Changed)]))
    unknown, = by_rule(await published(client, brief.uri, since=n), "unknown-key")
    assert unknown.range == span(brief.text, "@doj2024")


# --- completion, definition, hover --------------------------------------------------------------------

async def test_completion_of_keys(client: LanguageClient, tmp_path):
    text = BRIEF.replace("grew fast in 2025.", "grew fast in 2025 [@d. Write me@example.org.")
    brief = Doc(client, tmp_path / "manuscript" / "brief.md", text, "markdown")
    where = brief.at("[@d", 3)
    result = await client.text_document_completion_async(types.CompletionParams(
        text_document=types.TextDocumentIdentifier(brief.uri), position=where))
    items = {i.label: i for i in result.items}
    assert set(items) == {"ice2025", "doj2024"}
    doj = items["doj2024"]
    assert doj.detail == "Jackson et al. (2024)"
    assert doj.documentation.value == "County Jail Agreements and Detainer Requests"
    assert doj.text_edit.range == types.Range(start=brief.at("[@d", 2), end=where)
    assert items["ice2025"].detail == "U.S. Immigration and Customs Enforcement (2025)"

    email = await client.text_document_completion_async(types.CompletionParams(
        text_document=types.TextDocumentIdentifier(brief.uri), position=brief.at("me@example", 3)))
    assert email is None or not email.items


async def test_definition_and_hover(client: LanguageClient, tmp_path):
    brief = Doc(client, tmp_path / "manuscript" / "brief.md", BRIEF, "markdown")
    await brief.diagnostics()
    on_key = brief.at("@doj2024", 4)
    found = await client.text_document_definition_async(types.DefinitionParams(
        text_document=types.TextDocumentIdentifier(brief.uri), position=on_key))
    assert found.uri == (tmp_path / "references.bib").as_uri()
    assert found.range == span(BIB, "@article{doj2024,")

    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(brief.uri), position=on_key))
    text = hover.contents.value
    assert hover.range == span(brief.text, "@doj2024")
    for shown in ("County Jail Agreements and Detainer Requests", "Jackson, R. Brooke; Doe, Jane; Roe, Richard",
                  "Date: 2024-03-01", "URL: <https://example.org/doj>", "Accessed: 2025-11-20"):
        assert shown in text

    nothing = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(brief.uri), position=brief.at("three 287")))
    assert nothing is None


async def test_hover_shows_hostile_fields_as_text(client: LanguageClient, tmp_path):
    bib = BIB.replace("{County Jail Agreements and Detainer Requests}",
                      "{Read ![x](https://evil.example/pixel.png) <img src=x onerror=alert(1)> [me](javascript:x)}")
    bib = bib.replace("https://example.org/doj", "javascript:alert(1)")
    (tmp_path / "references.bib").write_text(bib)
    brief = Doc(client, tmp_path / "manuscript" / "brief.md", BRIEF, "markdown")
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(brief.uri), position=brief.at("@doj2024", 2)))
    text = hover.contents.value
    assert re.search(r"(?<!\\)[<>\[\]!]", text) is None           # no link, image or tag of the .bib's making
    assert "\\!\\[x\\]" in text and "\\<img" in text and "URL: javascript:alert\\(1\\)" in text


async def test_hover_shows_the_best_passage_of_the_snapshot(client: LanguageClient, tmp_path):
    brief = Doc(client, tmp_path / "manuscript" / "brief.md", BRIEF, "markdown")
    await brief.diagnostics()
    params = types.HoverParams(text_document=types.TextDocumentIdentifier(brief.uri), position=brief.at("@doj2024", 2))
    assert "Best-matching passage" not in (await client.text_document_hover_async(params)).contents.value

    # a snapshot saved while the brief is open is found at the next hover
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "doj2024.txt").write_text(
        "County jails signed agreements with federal officers in twelve states.\n\n"
        "The department counted 1,190 agreements but could not verify the figure for every county.\n\n"
        "Detainer requests rose in the spring and fell again in the autumn of that year.\n")
    text = (await client.text_document_hover_async(params)).contents.value
    passage = text.split("Best-matching passage of ", 1)[1]
    assert passage.startswith("sources/doj2024.txt") or "doj2024.txt" in passage.split(":", 1)[0]
    assert "The department counted 1,190 agreements but could not verify the figure" in passage


# --- code actions ------------------------------------------------------------------------------------

async def actions_at(client: LanguageClient, doc: Doc, needle: str) -> dict[str, types.CodeAction]:
    diags = await doc.diagnostics()
    rng = span(doc.text, needle)
    result = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(doc.uri), range=types.Range(start=rng.start, end=rng.start),
        context=types.CodeActionContext(diagnostics=[d for d in diags if d.range.start.line == rng.start.line])))
    return {a.title: a for a in result or []}


async def test_code_action_flags_a_limitation(client: LanguageClient, tmp_path):
    brief = Doc(client, tmp_path / "manuscript" / "brief.md", BRIEF, "markdown")
    actions = await actions_at(client, brief, "The 1,190 figure")
    flag = actions["Flag as a limitation: wrap the sentence in [...]{.limitation}"]
    assert flag.is_preferred and flag.diagnostics[0].code == "unflagged-limitation"
    brief.apply(flag.edit)
    assert "[The 1,190 figure could not be verified [@doj2024].]{.limitation}" in brief.text
    assert by_rule(await brief.diagnostics(), "unflagged-limitation") == []


async def test_code_action_cites_the_best_matching_key(client: LanguageClient, tmp_path):
    brief = Doc(client, tmp_path / "manuscript" / "brief.md", BRIEF, "markdown")
    actions = await actions_at(client, brief, "County jail agreements")
    cites = [t for t in actions if t.startswith("Cite @")]
    assert cites[0].startswith("Cite @doj2024 (Jackson et al. (2024), County Jail Agreements")  # shares its words
    assert len(cites) == 2
    brief.apply(actions[cites[0]].edit)
    assert "County jail agreements grew fast in 2025 [@doj2024]." in brief.text
    assert by_rule(await brief.diagnostics(), "uncited-claim") == []


async def test_code_action_switches_a_rule_off_for_the_block(client: LanguageClient, tmp_path):
    brief = Doc(client, tmp_path / "manuscript" / "brief.md", BRIEF, "markdown")
    actions = await actions_at(client, brief, "County jail agreements")
    brief.apply(actions["Switch off uncited-claim for this block"].edit)
    assert "# Findings\n\n<!-- citebrief: disable=uncited-claim -->\nICE lists" in brief.text
    found = await brief.diagnostics()
    assert by_rule(found, "uncited-claim") == [] and by_rule(found, "unflagged-limitation")

    # a second rule for a block that has a comment joins that comment
    actions = await actions_at(client, brief, "The 1,190 figure")
    assert "Switch off unflagged-limitation for this block" in actions
    brief.replace("The 1,190 figure", "<!-- citebrief: disable=uncited-claim -->\nThe 1,190 figure")
    actions = await actions_at(client, brief, "The 1,190 figure")
    brief.apply(actions["Switch off unflagged-limitation for this block"].edit)
    assert "<!-- citebrief: disable=uncited-claim,unflagged-limitation -->\nThe 1,190" in brief.text
    assert by_rule(await brief.diagnostics(), "unflagged-limitation") == []


# --- bad input: a diagnostic or a logged message, never a crashed server ----------------------------------

async def test_bad_input_is_a_diagnostic(client: LanguageClient, tmp_path):
    # a binary bibliography: the brief says which file, the .bib itself says why
    (tmp_path / "references.bib").write_bytes(b"@article{x,\x00\x01\x02 title = {a}}\n")
    brief = Doc(client, tmp_path / "manuscript" / "brief.md", BRIEF, "markdown")
    problem, = await brief.diagnostics()
    assert "binary" in problem.message and "references.bib" in problem.message
    bib = Doc(client, tmp_path / "references.bib", "@article{x,\x00\x01\x02 title = {a}}\n", "bibtex")
    problem, = await bib.diagnostics()
    assert problem.message == "this is a binary file, not a bibliography"

    # a binary brief (saved and unsaved), brackets pandoc would choke on, a buffer over the size limit
    (tmp_path / "manuscript" / "junk.md").write_bytes(b"---\ntitle: x\n---\n\nok\n\x00\x00\xff\xfe")
    junk = Doc(client, tmp_path / "manuscript" / "junk.md", "---\ntitle: x\n---\n\nok\n\x00\x00", "markdown")
    problem, = await junk.diagnostics()
    assert "binary file" in problem.message and problem.range.start.line == 5
    junk.set_text(BRIEF.replace("ICE lists", "[[[[[[[[x]]]]]]]] ICE lists"))
    problem, = await junk.diagnostics()
    assert "square brackets" in problem.message and problem.range.start.line == 7
    junk.set_text(BRIEF + "Padding sentence for size. " * 200_000)
    problem, = await junk.diagnostics()
    assert "larger than the input limit" in problem.message
    junk.set_text(BRIEF.replace("ICE lists", "\x00ICE lists"))
    problem, = await junk.diagnostics()
    assert "binary file (NUL byte)" in problem.message and problem.range.start.line == 7

    # a broken configuration: one diagnostic naming the pyproject.toml
    (tmp_path / "pyproject.toml").write_text("[tool.citebrief\n")
    junk.set_text(BRIEF)
    problem, = await junk.diagnostics()
    assert "pyproject.toml" in problem.message and "invalid TOML" in problem.message

    # the server still answers
    assert alive(client)
    result = await client.text_document_completion_async(types.CompletionParams(
        text_document=types.TextDocumentIdentifier(junk.uri), position=junk.at("[@ice", 2)))
    assert result is not None


async def test_unrelated_json_and_yaml_get_no_diagnostics(client: LanguageClient, tmp_path):
    (tmp_path / "package.json").write_text('{"name": "x", "version": "1.0.0"}\n')
    doc = Doc(client, tmp_path / "package.json", '{"name": "x", "version": "1.0.0"}\n', "json")
    assert list(await doc.diagnostics()) == []
    csl = '[{"id": "smith2020", "type": "article", "title": "A title"}]\n'
    (tmp_path / "refs.json").write_text(csl)
    brief = BRIEF.replace("title: Test brief", "title: x\nbibliography: ../refs.json")
    (tmp_path / "manuscript" / "csl.md").write_text(brief)
    refs = Doc(client, tmp_path / "refs.json", csl, "json")
    incomplete, = by_rule(await refs.diagnostics(), "incomplete-entry")
    assert incomplete.range.start.line == 0                    # the line of its "id"


# --- big briefs: off the main loop, stale results dropped --------------------------------------------

def big_brief(words: int) -> str:
    sentence = "County officers signed a detention agreement with federal agents in the spring"
    per = len(sentence.split())
    body = "\n\n".join(f"{sentence} number {i} [@ice2025]." for i in range(words // (per + 2)))
    return BRIEF.replace("# Limitations", body + "\n\n# Limitations")


async def test_big_brief_stays_responsive_and_stale_results_are_dropped(client: LanguageClient, tmp_path):
    big = big_brief(60_000)
    path = tmp_path / "manuscript" / "big.md"
    path.write_text(big)
    doc = Doc(client, path, big, "markdown")                  # its lint starts now and takes a while
    doc.replace("ICE lists three", "ICE lists 3")                # version 2 before version 1's lint ends
    small = Doc(client, tmp_path / "manuscript" / "brief.md", BRIEF, "markdown")
    reply = await client.text_document_completion_async(types.CompletionParams(
        text_document=types.TextDocumentIdentifier(doc.uri), position=doc.at("[@ice", 2)))
    assert {i.label for i in reply.items} == {"ice2025", "doj2024"}
    answered_at = len(client.published)
    await small.diagnostics()
    found = await doc.diagnostics(version=2)
    big_versions = [p.version for p in client.published if p.uri == doc.uri]
    assert big_versions == [2]                                # version 1's result was dropped
    assert not any(p.uri == doc.uri for p in client.published[:answered_at])   # answered before it was linted
    assert by_rule(found, "uncited-claim") and by_rule(found, "uncited-claim")[0].range == \
        span(doc.text, "County jail agreements grew fast in 2025.")


# --- the flagship: the editor says what `citebrief lint` says -----------------------------------------

async def test_flagship_diagnostics_match_lint(client: LanguageClient, tmp_path, monkeypatch):
    (tmp_path / "manuscript" / "brief.md").unlink()
    shutil.copy(ROOT / "manuscript" / "ice-287g.md", tmp_path / "manuscript" / "ice-287g.md")
    shutil.copy(ROOT / "references.bib", tmp_path / "references.bib")
    text = (tmp_path / "manuscript" / "ice-287g.md").read_text()
    brief = Doc(client, tmp_path / "manuscript" / "ice-287g.md", text, "markdown")
    shown = await brief.diagnostics()
    bib_shown = await published(client, (tmp_path / "references.bib").as_uri())
    monkeypatch.chdir(tmp_path)
    lint = lint_paths(["manuscript/ice-287g.md"], load_config(tmp_path), today=date.fromisoformat(TODAY))
    expected = sorted((f.path, f.line, f.column, f.rule) for f in lint.findings)
    got = sorted([("manuscript/ice-287g.md", d.range.start.line + 1, d.range.start.character + 1, d.code)
                  for d in shown] +
                 [("references.bib", d.range.start.line + 1, d.range.start.character + 1, d.code) for d in bib_shown])
    assert got == expected and expected
