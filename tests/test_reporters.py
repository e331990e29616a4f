"""Reporters: golden text/JSON/github output of a hand-built result, GitHub escaping, SARIF structure.

Regenerate the golden files with ``CITEBRIEF_UPDATE_GOLDEN=1 pytest tests/test_reporters.py``
and review the diff before committing it (refused when ``CI`` is set: see conftest.update_golden).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import update_golden

import citebrief.rules
from citebrief import __version__
from citebrief.engine import LintResult
from citebrief.errors import CitebriefError
from citebrief.findings import Finding, Severity
from citebrief.reporters import REPORTERS, github, render, sarif
from citebrief.rules import ALL_RULES

GOLDEN = Path(__file__).parent / "data" / "reporters"
ANSI = re.compile(r"\x1b\[[0-9;]*m")

E, W = Severity.ERROR, Severity.WARNING


def sample() -> LintResult:
    """Deliberately unsorted, with two files, a bibliography, non-ASCII text and awkward characters."""
    return LintResult(
        findings=[
            Finding("manuscript/ice-287g.md", 41, 5, "uncited-claim", E,
                    "claim has no citation: “Under a 287(g) agreement, officers may…”"),
            Finding("references.bib", 12, 1, "missing-access-date", W,
                    "entry 'ice2025' has a url but no urldate"),
            Finding("manuscript/ice-287g.md", 9, 1, "unflagged-limitation", E,
                    "gap phrase 'not found in' outside a {.limitation} span: 50% of cases, see § 1357(g)"),
            Finding("manuscript/ice-287g.md", 41, 1, "stale-check", W, "checked 2025-06-01 is 183 days old"),
            Finding("manuscript/other.md", 3, 7, "unknown-key", E, "citation key @doe2020 is not in references.bib"),
        ],
        files=2, claims=43, cited_claims=41,
    )


def clean(files=3, claims=43, cited=43) -> LintResult:
    return LintResult(findings=[], files=files, claims=claims, cited_claims=cited)


def check_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if update_golden():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8", newline="")
    assert path.is_file(), f"{path} is missing: run with CITEBRIEF_UPDATE_GOLDEN=1 to create it"
    assert actual == path.read_bytes().decode("utf-8"), f"{name} differs from the golden file"


# --- registry ---------------------------------------------------------------

def test_registry_names_and_dispatch():
    assert list(REPORTERS) == ["text", "json", "github", "sarif"]
    result = sample()
    for name, reporter in REPORTERS.items():
        out = render(name, result)
        assert out == reporter(result) and isinstance(out, str)
        assert out.endswith("\n") and not out.endswith("\n\n"), name


def test_unknown_format_is_a_usage_error():
    with pytest.raises(CitebriefError) as exc:
        render("xml", sample())
    assert exc.value.exit_code == 2 and "xml" in str(exc.value)


def test_reporters_do_not_change_the_result():
    result = sample()
    before = list(result.findings)
    for name in REPORTERS:
        render(name, result)
    assert result.findings == before


# --- golden files -----------------------------------------------------------

def test_text_golden():
    check_golden("expected.txt", render("text", sample()))


def test_json_golden():
    check_golden("expected.json", render("json", sample()))


def test_github_golden():
    check_golden("expected.github.txt", render("github", sample()))


def test_golden_files_are_never_regenerated_in_ci(monkeypatch):
    before = {p.name: p.read_bytes() for p in GOLDEN.iterdir()}
    monkeypatch.setenv("CITEBRIEF_UPDATE_GOLDEN", "1")
    monkeypatch.delenv("CI", raising=False)
    assert update_golden()                       # on a laptop the request is honoured...
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="never regenerated in CI"):
        check_golden("expected.txt", "a regression that must not become the new golden file\n")
    assert {p.name: p.read_bytes() for p in GOLDEN.iterdir()} == before    # ...in CI nothing is written
    monkeypatch.delenv("CITEBRIEF_UPDATE_GOLDEN")
    assert not update_golden()                   # CI alone compares, as always


# --- text -------------------------------------------------------------------

def test_text_lines_sorted_by_path_line_column():
    lines = render("text", sample()).splitlines()
    assert lines[:5] == [
        "manuscript/ice-287g.md:9:1: error unflagged-limitation: gap phrase 'not found in' outside a "
        "{.limitation} span: 50% of cases, see § 1357(g)",
        "manuscript/ice-287g.md:41:1: warning stale-check: checked 2025-06-01 is 183 days old",
        "manuscript/ice-287g.md:41:5: error uncited-claim: claim has no citation: "
        "“Under a 287(g) agreement, officers may…”",
        "manuscript/other.md:3:7: error unknown-key: citation key @doe2020 is not in references.bib",
        "references.bib:12:1: warning missing-access-date: entry 'ice2025' has a url but no urldate",
    ]
    assert len(lines) == 6


@pytest.mark.parametrize("result,summary", [
    (sample(), "3 errors, 2 warnings in 2 files; 41/43 claims cited (95.3%)"),
    (clean(), "No problems in 3 files; 43/43 claims cited (100%)"),
    (clean(files=1, claims=1, cited=1), "No problems in 1 file; 1/1 claim cited (100%)"),
    (clean(files=1, claims=0, cited=0), "No problems in 1 file; no claims found"),
    (clean(files=0, claims=0, cited=0), "No problems in 0 files; no claims found"),
    (clean(claims=200, cited=199), "No problems in 3 files; 199/200 claims cited (99.5%)"),
    (clean(claims=2000, cited=1999), "No problems in 3 files; 1999/2000 claims cited (99.9%)"),   # never 100
    (clean(claims=3, cited=2), "No problems in 3 files; 2/3 claims cited (66.7%)"),
    (clean(claims=3000, cited=1), "No problems in 3 files; 1/3000 claims cited (0.1%)"),   # never 0
    (clean(claims=3, cited=0), "No problems in 3 files; 0/3 claims cited (0%)"),
    (LintResult(findings=[Finding("a.md", 1, 1, "r", E, "m")], files=1, claims=2, cited_claims=1),
     "1 error in 1 file; 1/2 claims cited (50%)"),
    (LintResult(findings=[Finding("a.md", 1, 1, "r", W, "m")], files=1, claims=2, cited_claims=2),
     "1 warning in 1 file; 2/2 claims cited (100%)"),
])
def test_text_summary_line(result, summary):
    out = render("text", result)
    assert out.splitlines()[-1] == summary
    assert out.count("\n") == len(result.findings) + 1


def test_text_color_only_when_asked():
    plain = render("text", sample())
    colored = render("text", sample(), color=True)
    assert "\x1b[" not in plain
    assert ANSI.sub("", colored) == plain
    first = colored.splitlines()[0]
    assert "\x1b[1;31merror\x1b[0m" in first                       # errors in red
    assert "\x1b[1;33mwarning\x1b[0m" in colored.splitlines()[1]   # warnings in yellow
    assert "\x1b[1;32m" in render("text", clean(), color=True)    # a clean run in green


def test_text_keeps_each_finding_on_one_line():
    result = LintResult(findings=[Finding("a.md", 2, 3, "r", E, "first\nsecond\r\nthird")], files=1)
    assert render("text", result).splitlines()[0] == "a.md:2:3: error r: first second third"


# --- json -------------------------------------------------------------------

def test_json_contract_and_key_order():
    data = json.loads(render("json", sample()))
    assert list(data) == ["version", "findings", "summary"]
    assert data["version"] == 1
    assert list(data["summary"]) == ["files", "claims", "cited_claims", "errors", "warnings"]
    assert data["summary"] == {"files": 2, "claims": 43, "cited_claims": 41, "errors": 3, "warnings": 2}
    for f in data["findings"]:
        assert list(f) == ["rule", "severity", "path", "line", "column", "message"]
        assert f["severity"] in {"error", "warning"}
        assert isinstance(f["line"], int) and isinstance(f["column"], int)
    assert [(f["path"], f["line"], f["column"]) for f in data["findings"]] == sorted(
        (f["path"], f["line"], f["column"]) for f in data["findings"])
    assert data["findings"][2]["message"].endswith("“Under a 287(g) agreement, officers may…”")


def test_json_indented_by_two():
    out = render("json", clean())
    assert out.startswith('{\n  "version": 1,\n  "findings": [],\n  "summary": {\n    "files": 3,')


# --- github -----------------------------------------------------------------

def unescape(value: str) -> str:
    return (value.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":")
            .replace("%2C", ",").replace("%25", "%"))


def test_github_escaping_functions():
    assert github.escape_data("50% a:b, c\r\nd") == "50%25 a:b, c%0D%0Ad"
    assert github.escape_property("50% a:b, c\r\nd") == "50%25 a%3Ab%2C c%0D%0Ad"
    assert github.escape_data("%0A") == "%250A"           # an escape sequence in the text stays literal


def test_github_command_escapes_properties_and_data():
    finding = Finding("dir,with:odd/50%.md", 4, 2, "uncited-claim", E, "line one\r\nline two: 100% ::stop")
    result = LintResult(findings=[finding], files=1, claims=1)
    lines = render("github", result).split("\n")
    assert lines[0] == ("::error file=dir%2Cwith%3Aodd/50%25.md,line=4,col=2,title=uncited-claim"
                        "::line one%0D%0Aline two: 100%25 ::stop")
    assert lines[1] == "1 error in 1 file; 0/1 claim cited (0%)" and lines[2] == ""
    # the runner's parser: properties end at the first "::", split on ",", then "="
    head, _, data = lines[0][2:].partition("::")
    name, _, props = head.partition(" ")
    parsed = dict(p.split("=", 1) for p in props.split(","))
    assert name == "error"
    assert {k: unescape(v) for k, v in parsed.items()} == {
        "file": finding.path, "line": "4", "col": "2", "title": "uncited-claim"}
    assert unescape(data) == finding.message


def test_github_one_command_per_finding_then_summary():
    lines = render("github", sample()).splitlines()
    assert [ln.split(" ", 1)[0] for ln in lines[:-1]] == ["::error", "::warning", "::error", "::error", "::warning"]
    assert lines[0].startswith("::error file=manuscript/ice-287g.md,line=9,col=1,title=unflagged-limitation::")
    assert not lines[-1].startswith("::")
    assert lines[-1] == "3 errors, 2 warnings in 2 files; 41/43 claims cited (95.3%)"


# --- sarif ------------------------------------------------------------------

LEVELS = {"none", "note", "warning", "error"}
URI_REFERENCE = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*$")


def _is_int(value, minimum: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= minimum


def _is_message(value) -> bool:
    return isinstance(value, dict) and (isinstance(value.get("text"), str) or isinstance(value.get("id"), str))


def sarif_problems(doc) -> list[str]:
    """The parts of the SARIF 2.1.0 schema a consumer relies on, checked by hand (no schema offline)."""
    problems: list[str] = []

    def need(cond, what):
        if not cond:
            problems.append(what)
        return cond

    if not need(isinstance(doc, dict), "log is not an object"):
        return problems
    need(doc.get("version") == "2.1.0", "version must be '2.1.0'")
    need(isinstance(doc.get("$schema", ""), str), "$schema must be a string")
    runs = doc.get("runs")
    if not need(isinstance(runs, list), "runs must be an array"):
        return problems
    for r, run in enumerate(runs):
        where = f"runs[{r}]"
        if not need(isinstance(run, dict), f"{where} is not an object"):
            continue
        driver = (run.get("tool") or {}).get("driver") if isinstance(run.get("tool"), dict) else None
        if not need(isinstance(driver, dict), f"{where}.tool.driver is required"):
            continue
        need(isinstance(driver.get("name"), str) and driver["name"], f"{where}.tool.driver.name is required")
        for key in ("version", "informationUri"):
            need(isinstance(driver.get(key, ""), str), f"{where}.tool.driver.{key} must be a string")
        if "informationUri" in driver:
            need(re.match(r"^[a-z][a-z0-9+.-]*://", driver["informationUri"]),
                 f"{where}.tool.driver.informationUri must be an absolute URI")
        rules = driver.get("rules", [])
        if not need(isinstance(rules, list), f"{where}.tool.driver.rules must be an array"):
            rules = []
        ids = []
        for i, rule in enumerate(rules):
            rw = f"{where}.tool.driver.rules[{i}]"
            if not need(isinstance(rule, dict) and isinstance(rule.get("id"), str), f"{rw}.id is required"):
                continue
            ids.append(rule["id"])
            need(isinstance(rule.get("name", ""), str), f"{rw}.name must be a string")
            if "shortDescription" in rule:
                need(_is_message(rule["shortDescription"]) and "text" in rule["shortDescription"],
                     f"{rw}.shortDescription.text is required")
            level = (rule.get("defaultConfiguration") or {}).get("level", "warning")
            need(level in LEVELS, f"{rw}.defaultConfiguration.level {level!r} not in {sorted(LEVELS)}")
        need(len(ids) == len(set(ids)), f"{where}: rule ids are not unique")
        need(run.get("columnKind", "unicodeCodePoints") in {"utf16CodeUnits", "unicodeCodePoints"},
             f"{where}.columnKind is invalid")
        results = run.get("results", [])
        if not need(isinstance(results, list), f"{where}.results must be an array"):
            continue
        for j, res in enumerate(results):
            rw = f"{where}.results[{j}]"
            if not need(isinstance(res, dict), f"{rw} is not an object"):
                continue
            need(_is_message(res.get("message")), f"{rw}.message.text is required")
            need(res.get("level", "warning") in LEVELS, f"{rw}.level {res.get('level')!r} not in {sorted(LEVELS)}")
            if "ruleIndex" in res:
                idx = res["ruleIndex"]
                if need(_is_int(idx, -1) and idx < len(rules), f"{rw}.ruleIndex {idx!r} is out of range"):
                    need(idx == -1 or rules[idx].get("id") == res.get("ruleId"),
                         f"{rw}.ruleIndex points at {rules[idx].get('id')!r}, not {res.get('ruleId')!r}")
            need(isinstance(res.get("ruleId", ""), str), f"{rw}.ruleId must be a string")
            locations = res.get("locations", [])
            if not need(isinstance(locations, list), f"{rw}.locations must be an array"):
                continue
            for k, loc in enumerate(locations):
                lw = f"{rw}.locations[{k}].physicalLocation"
                phys = loc.get("physicalLocation") if isinstance(loc, dict) else None
                if not need(isinstance(phys, dict), f"{lw} is not an object"):
                    continue
                art = phys.get("artifactLocation", {})
                uri = art.get("uri") if isinstance(art, dict) else None
                need(isinstance(uri, str) and URI_REFERENCE.match(uri) and "\\" not in uri,
                     f"{lw}.artifactLocation.uri {uri!r} is not a URI reference")
                need(isinstance(art.get("uriBaseId", ""), str), f"{lw}.artifactLocation.uriBaseId must be a string")
                region = phys.get("region", {})
                if need(isinstance(region, dict), f"{lw}.region is not an object"):
                    for key in ("startLine", "startColumn", "endLine", "endColumn"):
                        if key in region:
                            need(_is_int(region[key], 1), f"{lw}.region.{key} must be an integer >= 1")
    return problems


def sarif_of(result: LintResult) -> dict:
    return json.loads(render("sarif", result))


def test_sarif_is_structurally_valid():
    doc = sarif_of(sample())
    assert sarif_problems(doc) == []
    assert doc["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert len(doc["runs"]) == 1
    run = doc["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "citebrief" and driver["version"] == __version__
    assert driver["informationUri"].startswith("https://")
    assert run["columnKind"] == "unicodeCodePoints"
    assert len(run["results"]) == 5


def test_sarif_rules_come_from_the_registry():
    driver = sarif_of(clean())["runs"][0]["tool"]["driver"]
    assert [r["id"] for r in driver["rules"]] == list(ALL_RULES)
    for descriptor, rule in zip(driver["rules"], ALL_RULES.values()):
        assert descriptor["shortDescription"]["text"] == rule.summary
        assert descriptor["defaultConfiguration"]["level"] == rule.severity.value
        assert isinstance(descriptor["name"], str) and descriptor["name"]


def test_sarif_results_point_at_their_rules_and_places():
    doc = sarif_of(sample())
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    first = run["results"][0]
    assert first["ruleId"] == "unflagged-limitation"
    assert rules[first["ruleIndex"]]["id"] == "unflagged-limitation"
    assert first["level"] == "error"
    assert first["message"]["text"].startswith("gap phrase 'not found in'")
    loc = first["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"] == {"uri": "manuscript/ice-287g.md", "uriBaseId": "%SRCROOT%"}
    assert loc["region"] == {"startLine": 9, "startColumn": 1}
    levels = {r["ruleId"]: r["level"] for r in run["results"]}
    assert levels["missing-access-date"] == "warning" and levels["unknown-key"] == "error"


def test_sarif_with_an_empty_or_partial_registry(monkeypatch):
    monkeypatch.setattr(citebrief.rules, "ALL_RULES", {})
    doc = sarif_of(sample())
    assert sarif_problems(doc) == []
    rules = doc["runs"][0]["tool"]["driver"]["rules"]
    # only the rules findings name, each once, in order of first appearance
    assert [r["id"] for r in rules] == ["unflagged-limitation", "stale-check", "uncited-claim", "unknown-key",
                                        "missing-access-date"]
    for res in doc["runs"][0]["results"]:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
    empty = sarif_of(clean())
    assert sarif_problems(empty) == [] and empty["runs"][0]["results"] == []
    assert empty["runs"][0]["tool"]["driver"]["rules"] == []


def test_sarif_unregistered_rule_next_to_registered_ones():
    result = LintResult(findings=[Finding("a.md", 1, 1, "brand-new-rule", W, "new"),
                                  Finding("a.md", 2, 1, "uncited-claim", E, "old")], files=1)
    doc = sarif_of(result)
    assert sarif_problems(doc) == []
    rules = doc["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules].count("brand-new-rule") == 1
    assert rules[-1] == {"id": "brand-new-rule", "name": "BrandNewRule", "shortDescription": {"text": "brand-new-rule"},
                         "defaultConfiguration": {"level": "warning"}}
    assert [rules[r["ruleIndex"]]["id"] for r in doc["runs"][0]["results"]] == ["brand-new-rule", "uncited-claim"]


def test_sarif_uris():
    assert sarif.artifact_location("./manuscript/a b#1.md") == {"uri": "manuscript/a%20b%231.md",
                                                                 "uriBaseId": "%SRCROOT%"}
    assert sarif.artifact_location("references.bib") == {"uri": "references.bib", "uriBaseId": "%SRCROOT%"}
    absolute = sarif.artifact_location(str(Path("/tmp/x y/brief.md").resolve()))
    assert absolute["uri"].startswith("file:///") and "uriBaseId" not in absolute and " " not in absolute["uri"]


def test_sarif_positions_are_at_least_one():
    doc = sarif_of(LintResult(findings=[Finding("a.md", 0, 0, "r", E, "")], files=1))
    assert sarif_problems(doc) == []
    res = doc["runs"][0]["results"][0]
    assert res["locations"][0]["physicalLocation"]["region"] == {"startLine": 1, "startColumn": 1}
    assert res["message"]["text"] == "r"


@pytest.mark.parametrize("break_it,complaint", [
    (lambda d: d.update(version="2.0.0"), "version"),
    (lambda d: d.pop("runs"), "runs must be an array"),
    (lambda d: d["runs"][0]["tool"]["driver"].pop("name"), "driver.name"),
    (lambda d: d["runs"][0]["results"][0].update(level="fatal"), "level 'fatal'"),
    (lambda d: d["runs"][0]["results"][0]["message"].pop("text"), "message.text"),
    (lambda d: d["runs"][0]["results"][0].update(ruleIndex=0), "ruleIndex points at"),
    (lambda d: d["runs"][0]["results"][0].update(ruleIndex=10_000), "out of range"),
    (lambda d: d["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"].update(startLine=0),
     "startLine"),
    (lambda d: d["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"].update(startColumn="3"),
     "startColumn"),
    (lambda d: d["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
     .update(uri="a b\\c.md"), "not a URI reference"),
    (lambda d: d["runs"][0]["tool"]["driver"]["rules"][0]["defaultConfiguration"].update(level="bad"),
     "defaultConfiguration.level"),
    (lambda d: d["runs"][0].update(columnKind="bytes"), "columnKind"),
])
def test_sarif_checker_catches_broken_logs(break_it, complaint):
    """The structural checks can fail: each mutation of a valid log is reported."""
    doc = sarif_of(sample())
    assert sarif_problems(doc) == []
    break_it(doc)
    assert any(complaint in p for p in sarif_problems(doc)), sarif_problems(doc)


def test_sarif_of_a_real_lint_run(project):
    body = ("---\ntitle: T\nchecked: 2025-11-27\n---\n\n"
            "ICE signs agreements with local police departments.\n\n"
            "Officers may question people about status [@ice2025].\n\n"
            "# Limitations\n\nThe sources cover one year only.\n")
    bib = ("@report{ice2025,\n  author = {{ICE}},\n  title = {287(g)},\n  date = {2025},\n"
           "  url = {https://www.ice.gov/identify-and-arrest/287g},\n}\n")
    result = project.lint(body, bib)
    assert result.findings, "the brief was meant to produce findings"
    doc = sarif_of(result)
    assert sarif_problems(doc) == []
    assert {r["ruleId"] for r in doc["runs"][0]["results"]} == {f.rule for f in result.findings}
    text_lines = render("text", result).splitlines()
    assert len(text_lines) == len(result.findings) + 1
    assert text_lines[-1].endswith(f"{result.cited_claims}/{result.claims} claims cited "
                                   f"({result.cited_claims * 100 // result.claims}%)")
