"""The one place the language server touches the evidence checks (``citebrief.evidence``).

The hover on a citation shows the passage of the source's snapshot that best matches the sentence
citing it, when the evidence checks are installed and the entry has a snapshot. Without them the
hover simply has no passage; nothing else in the server depends on them.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path

from citebrief.bibliography import Entry
from citebrief.project import project_root

log = logging.getLogger(__name__)


@functools.cache
def _evidence():
    """(SnapshotError, lookup) from the evidence checks, or None when they are not installed."""
    try:
        from citebrief.evidence.snapshots import SnapshotError, lookup
    except ImportError:
        return None
    return SnapshotError, lookup


def best_passage(claim: str, entry: Entry, config_root: Path) -> tuple[str, str] | None:
    """(passage, snapshot as shown) of ``entry``'s snapshot that best matches ``claim``; None when
    there are no evidence checks, no snapshot, or no passage shares a word with the claim.

    Uses ``citebrief.evidence.snapshots.lookup(entry, root)`` → ``.snapshot`` (``.shown``,
    ``.passages.best(query, k)`` → ``[(Passage(.text), score)]``), the API ``citebrief evidence``
    ranks passages with."""
    api = _evidence()
    if api is None:
        return None
    SnapshotError, lookup = api
    root = project_root(config_root, entry.path)
    try:
        snapshot = lookup(entry, root).snapshot
        if snapshot is None:
            return None
        best = snapshot.passages.best(claim, k=1)
    except SnapshotError:
        return None                       # missing-snapshot says why, as a finding
    except Exception:                     # a hover must never fail because of an optional part
        log.exception("evidence: no passage for %s", entry.key)
        return None
    return (best[0][0].text, snapshot.shown) if best else None
