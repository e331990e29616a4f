"""Running pandoc's writers on the prepared JSON AST (shared by html.py, docx.py and pdf.py)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from citebrief.compile.render import _pandoc_message, pandoc_env, rts_refused
from citebrief.errors import CitebriefError
from citebrief.pandoc import pandoc_path

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def pandoc_from_json(ast: bytes, args: list[str], shown: str, what: str, *, epoch: int,
                     cwd: Path | None = None) -> bytes:
    """``pandoc -f json <args>`` with the AST on stdin; returns stdout. Failures name the brief."""
    for _ in range(2):
        try:
            proc = subprocess.run([pandoc_path(), "-f", "json", *args], input=ast, capture_output=True,
                                  env=pandoc_env(epoch), cwd=cwd)
        except OSError as exc:
            raise CitebriefError(f"cannot run pandoc for {what}: {exc}", shown, exit_code=1) from exc
        if not rts_refused(proc.returncode, proc.stderr):
            break
    if proc.returncode != 0:
        raise CitebriefError(f"pandoc failed writing {what}: {_pandoc_message(proc.stderr)}", shown,
                             exit_code=1)
    return proc.stdout
