"""``citebrief init``: scaffold a new brief project that lints clean and compiles out of the box.

The files come from ``templates/init/`` (stored under names that no tool mistakes for live
configuration: ``gitignore``, ``pyproject.toml.in``, ...). Three placeholders are filled in:
``%%TODAY%%`` (the template brief's ``checked`` date; the source has no ``urldate``, since
nobody has read the page for this brief: the writer adds it on reading it),
``%%NAME%%`` (the project name) and ``%%ACTION%%`` (the GitHub Action the workflow uses).
An existing file is never overwritten: it is skipped, and the report says so.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path

import click

from citebrief.errors import CitebriefError

# The action's public repository is not known to this package; the workflow names this
# placeholder until ``--action OWNER/REPO@REF`` is given (or the file is edited).
ACTION_PLACEHOLDER = "OWNER/citebrief@main"

# (template file, where it goes in the new project)
FILES: tuple[tuple[str, str], ...] = (
    ("pyproject.toml.in", "pyproject.toml"),
    ("brief.md", "manuscript/brief.md"),
    ("references.bib", "references.bib"),
    ("gitignore", ".gitignore"),
    ("github-workflow.yml", ".github/workflows/citebrief.yml"),
    ("pre-commit-config.yaml", ".pre-commit-config.yaml"),
)

_ACTION = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[A-Za-z0-9_./-]+$|^\./[A-Za-z0-9_./-]*$")


@dataclass
class InitResult:
    created: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def project_name(folder: Path) -> str:
    """A valid PEP 508 project name from the folder's name ("My Briefs!" → "my-briefs")."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", folder.resolve().name).strip("-._").lower()
    return name or "briefs"


def template_text(name: str) -> str:
    return resources.files("citebrief").joinpath("templates", "init", name).read_text(encoding="utf-8")


def fill_template(text: str, *, today: date, name: str, action: str) -> str:
    return (text.replace("%%TODAY%%", today.isoformat())
                .replace("%%NAME%%", name)
                .replace("%%ACTION%%", action))


def init_project(directory: str | Path = ".", *, today: date | None = None, action: str = ACTION_PLACEHOLDER,
                 echo: Callable[[str], None] = click.echo) -> InitResult:
    """Write the scaffold into ``directory`` (created if missing), skipping files that exist."""
    root = Path(directory)
    if not _ACTION.match(action):
        raise CitebriefError(f"--action must look like OWNER/REPO@REF (or ./path), not {action!r}")
    if root.exists() and not root.is_dir():
        raise CitebriefError("exists and is not a folder", root)
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CitebriefError(f"cannot create the folder: {exc.strerror or exc}", root) from None
    today = today or date.today()
    name = project_name(root)
    result = InitResult()
    for template, target in FILES:
        dest = root / target
        if dest.exists() or dest.is_symlink():
            result.skipped.append(target)
            echo(f"skipped {target} (already exists)")
            continue
        text = fill_template(template_text(template), today=today, name=name, action=action)
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            with dest.open("x", encoding="utf-8", newline="\n") as f:   # "x": never overwrite, even in a race
                f.write(text)
        except FileExistsError:
            result.skipped.append(target)
            echo(f"skipped {target} (already exists)")
            continue
        except OSError as exc:
            raise CitebriefError(f"cannot write: {exc.strerror or exc}", dest) from None
        result.created.append(target)
        echo(f"created {target}")
    if "pyproject.toml" in result.skipped and not _has_table(root / "pyproject.toml"):
        echo("note: the existing pyproject.toml has no [tool.citebrief] table; the defaults apply "
             "(see the README's Configuration section)")
    if ".github/workflows/citebrief.yml" in result.created and action == ACTION_PLACEHOLDER:
        echo(f"note: .github/workflows/citebrief.yml uses {ACTION_PLACEHOLDER}: replace it with the repository "
             "that hosts the citebrief action (or run init with --action OWNER/REPO@REF)")
    shown = "." if str(directory) in ("", ".") else str(directory)
    if result.created:
        echo(f"next: cd {shlex.quote(shown)} && citebrief lint && citebrief compile" if shown != "."
             else "next: citebrief lint && citebrief compile")
    return result


def _has_table(pyproject: Path) -> bool:
    try:
        return re.search(r"^\s*\[tool\.citebrief\]", pyproject.read_text(encoding="utf-8"), re.M) is not None
    except (OSError, UnicodeDecodeError):
        return True   # cannot tell: say nothing


def init_command(directory: str = ".", *, action: str = ACTION_PLACEHOLDER) -> int:
    init_project(directory, action=action)
    return 0
