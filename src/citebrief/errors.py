"""Errors that end a command with a one-line message instead of a traceback.

Modelled on pre-commit's error handler: anything the user can fix (bad path, unreadable
file, broken configuration) is raised as a ``CitebriefError`` and the CLI turns it into
``citebrief: <path>[:<line>]: <message>`` on stderr with the error's exit code.
"""

from __future__ import annotations

import re
from pathlib import Path

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: object) -> str:
    """``text`` on one line with every control character escaped (``\\n``, ``\\x1b``...).

    Messages and paths come from files a stranger may have written: a newline in one could start a
    forged line in a CI log (``::error ...``, a workflow command GitHub Actions obeys), an escape
    sequence could rewrite a terminal. Every message passes through here once, where it is made.
    """
    text = str(text)
    if not _CONTROL.search(text):
        return text
    return _CONTROL.sub(lambda m: _ESCAPES.get(m.group(), f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256
                                               else f"\\u{ord(m.group()):04x}"), text)


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
        return printable(f"{where}{self.message}")
