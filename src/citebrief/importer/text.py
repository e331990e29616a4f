"""Dates and URLs as plain text writes them ("Nov. 27, 2025", a URL followed by a full stop)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from citebrief.bibliography import MONTHS

_MONTH = (r"(?P<mon>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
          r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
_DATE_PATTERNS = (
    re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})\b"),
    re.compile(rf"\b{_MONTH}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})\b", re.I),
    re.compile(rf"\b(?P<d>\d{{1,2}})\s+{_MONTH},?\s+(?P<y>\d{{4}})\b", re.I),
    re.compile(rf"\b{_MONTH},?\s+(?P<y>\d{{4}})\b", re.I),
)

URL = re.compile(r"https?://[^\s<>\"\]\[]+")


@dataclass(frozen=True)
class FoundDate:
    iso: str            # "2025-11-27", or "2025-11" when the text gives no day
    start: int
    end: int

    @property
    def full(self) -> date | None:
        return date.fromisoformat(self.iso) if len(self.iso) == 10 else None


def find_date(text: str) -> FoundDate | None:
    """The first date in ``text`` written as ISO, "Month D, YYYY", "D Month YYYY" or "Month YYYY"."""
    best: FoundDate | None = None
    for pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            year = int(m.group("y"))
            month = (MONTHS[m.group("mon").lower()] if "mon" in m.groupdict() and m.group("mon")
                     else int(m.group("m")))
            day = m.groupdict().get("d")
            try:
                date(year, month, int(day) if day else 1)
            except ValueError:
                continue
            iso = f"{year:04d}-{month:02d}" + (f"-{int(day):02d}" if day else "")
            if best is None or m.start() < best.start:
                best = FoundDate(iso, m.start(), m.end())
            break
        if best is not None and pattern is _DATE_PATTERNS[2]:
            break   # "Month YYYY" only when no fuller date is written
    return best


def trim_url(url: str) -> str:
    """A bare URL without the sentence punctuation that follows it."""
    while url and url[-1] in ".,;:!?'\"”’»":
        url = url[:-1]
    while url.endswith(")") and url.count(")") > url.count("("):
        url = url[:-1]
    return url


def words(text: str) -> int:
    return len(text.split())
