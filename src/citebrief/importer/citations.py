"""Numbered citations in plain text: ``[1]``, ``[1] [5]``, ``[3][9]``, ``[1, 2]``, ``[1-3]``."""

from __future__ import annotations

import re
from collections.abc import Iterable

from citebrief.importer.text import URL

GROUP = r"\[\s*\d{1,3}(?:\s*(?:[-–—,;]|and)\s*\d{1,3})*\s*\]"
RUN = re.compile(rf"{GROUP}(?:[ \t]*{GROUP})*")      # groups side by side: "[1] [5]", "[3][9]"
_GROUP_RE = re.compile(GROUP)


def citation_numbers(group_text: str) -> list[int] | None:
    """``[1, 3-5]`` → [1, 3, 4, 5]; None when it is not a plausible citation (``[0]``, ``[5-2]``)."""
    numbers: list[int] = []
    for part in re.split(r"\s*(?:,|;|\band\b)\s*", group_text.strip("[] \t")):
        bounds = re.split(r"\s*[-–—]\s*", part)
        if len(bounds) == 1:
            numbers.append(int(bounds[0]))
        elif len(bounds) == 2:
            lo, hi = int(bounds[0]), int(bounds[1])
            if not lo < hi <= lo + 50:
                return None
            numbers.extend(range(lo, hi + 1))
        else:
            return None
    if any(n == 0 for n in numbers):
        return None
    return numbers


def run_numbers(run_text: str) -> list[int] | None:
    numbers: list[int] = []
    for g in _GROUP_RE.findall(run_text):
        found = citation_numbers(g)
        if found is None:
            return None
        numbers.extend(n for n in found if n not in numbers)
    return numbers


def cited_numbers(texts: Iterable[str]) -> list[int]:
    """Every number cited in ``texts``, in the order of first use (numbers inside URLs are not citations)."""
    numbers: list[int] = []
    for t in texts:
        for m in RUN.finditer(URL.sub(" ", t)):
            for n in run_numbers(m.group(0)) or []:
                if n not in numbers:
                    numbers.append(n)
    return numbers
