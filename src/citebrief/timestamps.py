"""Dates as readers see them, and the one timestamp every output of a build carries.

Outputs are reproducible: the same inputs give the same bytes. Their timestamps therefore come from
the brief's ``checked`` date (or ``SOURCE_DATE_EPOCH`` when set), never from the clock.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime

FALLBACK_EPOCH = 315532800          # 1980-01-01: the earliest date a ZIP (DOCX) can hold


def format_date(d: date) -> str:
    """``November 27, 2025``."""
    return f"{d:%B} {d.day}, {d.year}"


def epoch_of(d: date) -> int:
    return int(datetime(d.year, d.month, d.day, tzinfo=UTC).timestamp())


def source_date_epoch() -> int | None:
    """``SOURCE_DATE_EPOCH`` when set to a whole number (reproducible-builds.org), else None."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return int(value) if value.isdigit() else None


def build_epoch(checked: date | None) -> int:
    """The timestamp of a brief's outputs: SOURCE_DATE_EPOCH, else its checked date, else 1980."""
    user = source_date_epoch()
    if user is not None:
        return user
    return epoch_of(checked) if checked else FALLBACK_EPOCH


def build_date() -> date:
    """The day a build counts as made on: SOURCE_DATE_EPOCH's day when set, else today."""
    user = source_date_epoch()
    return datetime.fromtimestamp(user, UTC).date() if user is not None else date.today()
