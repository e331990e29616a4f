"""The README is the contract users read: its commands and rule table must match the code."""

import re
from pathlib import Path

from conftest import update_golden

from citebrief.rules import ALL_RULES

README = Path(__file__).parent.parent / "README.md"


def rules_table() -> str:
    rows = ["| rule | severity | what it checks |", "| --- | --- | --- |"]
    rows += [f"| `{name}` | {rule.severity.value} | {rule.summary.replace('|', '/')} |"
             for name, rule in ALL_RULES.items()]
    return "\n".join(rows)


def test_rules_table_matches_the_registry():
    text = README.read_text(encoding="utf-8")
    pattern = re.compile(r"(<!-- rules-table -->\n).*?(\n?<!-- /rules-table -->)", re.S)
    assert pattern.search(text), "README lost its rules-table markers"
    wanted = pattern.sub(lambda m: m.group(1) + rules_table() + "\n" + m.group(2).lstrip("\n"), text)
    if update_golden() and wanted != text:
        README.write_text(wanted, encoding="utf-8")
        text = wanted
    assert text == wanted, "README rules table is stale: run CITEBRIEF_UPDATE_GOLDEN=1 pytest tests/test_readme.py"


def test_readme_opens_with_the_two_commands():
    blocks = re.findall(r"```sh\n(.*?)\n```", README.read_text(encoding="utf-8"), re.S)
    assert "citebrief compile --pdf --docx --html" in blocks[0] and "pip install" in blocks[0]
    assert "pytest" in blocks[1] and "pip install" in blocks[1]
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "test-command" in ci      # .ci/run runs the README's own test command
