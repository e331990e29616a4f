"""What every rule produces: a Finding with a position in the file the user edits."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, order=True)
class Finding:
    path: str          # as given on the command line (or the .bib path as configured)
    line: int          # 1-based
    column: int        # 1-based, in characters
    rule: str
    severity: Severity
    message: str
