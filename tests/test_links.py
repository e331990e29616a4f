"""`citebrief links` against a local web server started by each test (no outside network)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from citebrief.cli import main
from citebrief.config import Config
from citebrief.evidence import links
from citebrief.evidence.net import check_url, is_public

ROUTES = {"ok": "/ok.html", "found": "/found", "moved": "/moved", "gone": "/gone", "missing": "/missing",
          "error": "/error", "flaky": "/flaky", "slow": "/slow", "nohead": "/nohead"}


def entry(key: str, url: str | None = None, doi: str | None = None) -> str:
    fields = "".join(f"  {k} = {{{v}}},\n" for k, v in (("url", url), ("doi", doi)) if v)
    return (f"@online{{{key},\n  author = {{A}},\n  title = {{T}},\n  date = {{2025}},\n{fields}"
            f"  urldate = {{2025-11-01}},\n}}\n\n")


def write_project(project, entries: dict[str, str]) -> None:
    body = "".join(f"Claim about {k} is cited here [@{k}].\n\n" for k in entries)
    project.write("brief.md", "---\ntitle: T\nchecked: 2025-11-27\n---\n\n" + body + "# Limitations\n\nNone.\n")
    project.write("references.bib", "".join(entries.values()))


def check(project, **options):
    options.setdefault("allow_private", True)
    options.setdefault("timeout", 1.0)
    return links.links_paths(["brief.md"], Config(root=project.root), **options)


def test_every_kind_of_answer(project, pages):
    write_project(project, {k: entry(k, pages.url(p)) for k, p in ROUTES.items()})
    result = check(project, cache_hours=0)
    got = {f.message.split(":")[0].removeprefix("entry "): (f.rule, f.line) for f in result.findings}
    assert got == {
        "moved": ("moved-link", 21),          # each at its url line
        "gone": ("dead-link", 29),
        "missing": ("dead-link", 37),
        "error": ("unreachable-link", 45),
        "slow": ("unreachable-link", 61),
    }
    moved = next(f for f in result.findings if f.rule == "moved-link")
    assert moved.message.endswith(f"moved permanently to {pages.url('/ok.html')}: update the url field")
    assert ("HEAD", "/flaky") in pages.hits and ("GET", "/flaky") in pages.hits     # 503, then retried
    assert ("GET", "/nohead") in pages.hits                                          # HEAD refused: GET
    assert pages.hits.count(("GET", "/error")) == 3                                  # retried twice
    assert result.exit_code() == 1 and result.errors == 2 and result.warnings == 3


def test_dns_failure_and_refused_connection_are_dead(project, pages):
    write_project(project, {"nohost": entry("nohost", "http://no-such-host.invalid/page"),
                            "closed": entry("closed", "http://127.0.0.1:1/page"),
                            "ok": entry("ok", pages.url("/ok.html"))})
    result = check(project, cache_hours=0)
    rules = {f.message.split(":")[0]: f.rule for f in result.findings}
    assert rules == {"entry nohost": "dead-link", "entry closed": "dead-link"}
    assert "connection refused" in next(f.message for f in result.findings if "closed" in f.message)


def test_dois(project, pages):
    write_project(project, {"good": entry("good", doi="10.5555/good"),
                            "bad": entry("bad", doi="https://doi.org/10.5555/unregistered")})
    result = check(project, cache_hours=0, doi_resolver=pages.url("/doi/"))
    assert [(f.rule, f.line) for f in result.findings] == [("dead-link", 13)]
    assert "DOI 10.5555/unregistered" in result.findings[0].message
    assert ("HEAD", "/ok.html") not in pages.hits     # the publisher's page is not asked


def test_private_addresses_are_refused_by_default(project, pages):
    write_project(project, {"local": entry("local", pages.url("/ok.html")),
                            "metadata": entry("metadata", "http://169.254.169.254/latest/meta-data/")})
    result = check(project, allow_private=False, cache_hours=0)
    assert {f.rule for f in result.findings} == {"unreachable-link"}
    assert all("not checked" in f.message and "non-public address" in f.message for f in result.findings)
    assert pages.hits == []                      # nothing was asked of the local server


@pytest.mark.parametrize("address,public", [
    ("127.0.0.1", False), ("::1", False), ("10.1.2.3", False), ("172.16.0.1", False), ("192.168.1.1", False),
    ("169.254.169.254", False), ("100.64.0.1", False), ("0.0.0.0", False), ("224.0.0.1", False),
    ("fe80::1", False), ("fd00::1", False), ("::ffff:127.0.0.1", False), ("::ffff:169.254.169.254", False),
    ("64:ff9b::a9fe:a9fe", False), ("8.8.8.8", True), ("2606:4700::1111", True),
])
def test_is_public(address, public):
    assert is_public(address) is public


@pytest.mark.parametrize("url,ok", [
    ("https://example.org/a", True), ("http://example.org:8080/a?b", True), ("file:///etc/passwd", False),
    ("ftp://example.org/a", False), ("gopher://example.org/", False), ("https:///nohost", False),
    ("javascript:alert(1)", False), ("http://example.org:99999/", False),
])
def test_only_http_urls(url, ok):
    assert (check_url(url) is None) is ok


def test_settled_answers_are_cached(project, pages):
    write_project(project, {"ok": entry("ok", pages.url("/ok.html")), "gone": entry("gone", pages.url("/gone")),
                            "error": entry("error", pages.url("/error"))})
    first = check(project)
    hits = len(pages.hits)
    second = check(project)
    assert first.findings == second.findings
    asked_again = pages.hits[hits:]
    assert asked_again and all(path == "/error" for _, path in asked_again)     # only the unsettled one
    cache = json.loads((project.root / "out" / ".cache" / "links.json").read_text())
    assert len(cache) == 2
    check(project, cache_hours=0)
    assert ("HEAD", "/ok.html") in pages.hits[hits + len(asked_again):]        # 0 hours: ask again
    refused = check(project, allow_private=False)         # answers got with --allow-private are not reused
    assert {f.rule for f in refused.findings} == {"unreachable-link"}


def test_cli_formats_and_exit_codes(project, pages):
    write_project(project, {"ok": entry("ok", pages.url("/ok.html")), "moved": entry("moved", pages.url("/moved"))})
    runner = CliRunner()
    base = ["links", "--allow-private", "--cache-hours", "0", "brief.md"]
    r = runner.invoke(main, base)
    assert r.exit_code == 0 and "references.bib:13:1: warning moved-link: entry moved" in r.output
    assert runner.invoke(main, base + ["--strict"]).exit_code == 1
    data = json.loads(runner.invoke(main, base + ["--format", "json"]).output)
    assert [f["rule"] for f in data["findings"]] == ["moved-link"] and data["summary"]["warnings"] == 1
    gh = runner.invoke(main, base + ["--format", "github"]).output
    assert gh.startswith("::warning file=references.bib,line=13,col=1,title=moved-link::entry moved")
    sarif = json.loads(runner.invoke(main, base + ["--format", "sarif"]).output)
    assert sarif["runs"][0]["results"][0]["ruleId"] == "moved-link"
    project.write("references.bib", entry("ok", pages.url("/gone")) + entry("moved", pages.url("/moved")))
    r = runner.invoke(main, base)
    assert r.exit_code == 1 and "error dead-link" in r.output
    r = runner.invoke(main, ["links", "--cache-hours", "0", "nothing.md"])
    assert r.exit_code == 2 and "nothing.md" in r.output and "Traceback" not in r.output


def test_select_and_ignore_apply(project, pages):
    write_project(project, {"moved": entry("moved", pages.url("/moved")), "gone": entry("gone", pages.url("/gone"))})
    from dataclasses import replace
    result = links.links_paths(["brief.md"], replace(Config(root=project.root), ignore=("moved-link",)),
                               allow_private=True, cache_hours=0)
    assert [f.rule for f in result.findings] == ["dead-link"]
