"""The project folder and the trust boundary around it.

A brief, its bibliographies, its citation style, its images and its source snapshots may all come
from a stranger's pull request, linted in a CI job that holds secrets, and the HTML is published.
So everything a brief pulls in must resolve (symlinks resolved) inside the project folder: the
folder of the nearest ``pyproject.toml`` (without one, the current folder) when the brief is inside
it, else the brief's own folder. Nothing is fetched from the network while linting or compiling: a
URL where a file is expected is refused, not downloaded.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from citebrief.errors import CitebriefError

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://|^(?:data|javascript|file):", re.I)


class OutsideProject(CitebriefError):
    """A file a brief pulls in lies outside the project folder, or is a URL."""


def is_url(value: str) -> bool:
    return bool(_URL.match(value.strip()))


def project_root(config_root: Path, brief: Path | None = None) -> Path:
    """The trust boundary (see the module docstring), resolved. ``config_root``: the folder of the
    pyproject.toml, or the current folder."""
    root = config_root.resolve()
    if brief is None:
        return root
    folder = Path(os.path.abspath(brief)).parent.resolve()   # the brief's own folder: a symlinked
    return root if folder == root or root in folder.parents else folder   # brief is then confined to it


def confine(path: str | Path, root: Path, what: str, shown: str | None = None, *,
            relative_to: Path | None = None) -> Path:
    """``path`` resolved (symlinks followed) and checked to lie inside ``root``.

    ``what`` names the file in messages ("bibliography", "image", ...); ``shown`` is the file
    that asked for it (the brief), so the one-line error names it. A URL is refused: nothing is
    fetched during lint or compile.
    """
    text = str(path)
    if is_url(text):
        raise OutsideProject(f"{what} {text!r} is a URL: citebrief never fetches files while linting or "
                             f"compiling; save a copy inside the project and name that", shown)
    candidate = Path(text).expanduser() if text.startswith("~") else Path(text)
    if not candidate.is_absolute() and relative_to is not None:
        candidate = relative_to / candidate
    resolved = candidate.resolve()
    root = root.resolve()
    if resolved != root and root not in resolved.parents:
        raise OutsideProject(f"{what} {text!r} is outside the project folder ({_show(root)}); "
                             f"only files inside it may be used", shown)
    return resolved


def _show(root: Path) -> str:
    try:
        rel = root.relative_to(Path.cwd().resolve())
        return str(rel) if str(rel) != "." else "."
    except ValueError:
        return str(root)
