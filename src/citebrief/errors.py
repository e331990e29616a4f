"""Errors that end a command with a one-line message instead of a traceback.

Modelled on pre-commit's error handler: anything the user can fix (bad path, unreadable
file, broken configuration) is raised as a ``CitebriefError`` and the CLI turns it into
``citebrief: <path>[:<line>]: <message>`` on stderr with the error's exit code.
"""

from __future__ import annotations

from pathlib import Path

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2


class CitebriefError(Exception):
    """A problem with the user's input; exit code 2 unless said otherwise."""

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None,
                 exit_code: int = EXIT_USAGE):
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.exit_code = exit_code

    def __str__(self) -> str:
        where = ""
        if self.path:
            where = f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
        return f"{where}{self.message}"
