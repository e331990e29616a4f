"""The one place the language server touches the evidence checks (``citebrief.evidence``).

The hover on a citation shows the passage of the source's snapshot that best matches the sentence
citing it, found as ``citebrief evidence`` finds it (BM25 over the snapshot's passages). Without a
snapshot the hover simply has no passage; nothing else in the server depends on the evidence checks.
"""

from __future__ import annotations

import logging

from citebrief.bibliography import Entry
from citebrief.config import Config
from citebrief.evidence.match import CITATION_MARKS
from citebrief.evidence.snapshots import SnapshotError, lookup

log = logging.getLogger(__name__)


def best_passage(claim: str, entry: Entry, config: Config) -> tuple[str, str] | None:
    """(passage, snapshot as shown) of ``entry``'s snapshot that best matches ``claim``; None when the
    entry has no usable snapshot or no passage shares a word with the claim.

    Uses ``lookup(entry, config=...)`` (the snapshot, inside the trust boundary, as the evidence rules
    find it) and ``Snapshot.passages.best(query, k=1)``."""
    try:
        snapshot = lookup(entry, config=config).snapshot
        if snapshot is None:
            return None
        best = snapshot.passages.best(CITATION_MARKS.sub(" ", claim), k=1)
    except SnapshotError:
        return None                       # missing-snapshot says why, as a finding
    except Exception:                     # a hover must never fail because of a snapshot
        log.exception("evidence: no passage for %s", entry.key)
        return None
    return (best[0][0].text, snapshot.shown) if best else None
