"""source-changed: a snapshot must still be the file that was retrieved (its SHA-256 as recorded).

`citebrief snapshot` records the SHA-256 of what it fetched in `sources/<key>.json`. A snapshot
edited (or replaced) since no longer proves what the source said when it was read.
"""

import hashlib
import json

from citebrief.evidence.snapshots import SnapshotError
from citebrief.findings import Severity
from citebrief.rules.base import Example, Rule, at_bib, brief
from citebrief.rules.context import Hit
from citebrief.rules.missing_snapshot import snapshot_of

_TEXT = "The 287(g) program allows a state or local law enforcement entity.\n"


def _provenance(text: str, sha: str | None = None) -> tuple[str, str]:
    record = {"url": "https://www.ice.gov/identify-and-arrest/287g", "retrieved": "2025-11-27T10:00:00Z",
              "sha256": sha or hashlib.sha256(text.encode()).hexdigest(), "content_type": "text/plain"}
    return "sources/ice2025.json", json.dumps(record)


def check(ctx):
    found = snapshot_of(ctx)
    snapshot = found.snapshot if found is not None else None
    if snapshot is None:
        return
    key = ctx.entry.key
    where = dict(bib_line=snapshot.line, bib_path=ctx.entry.display_path)
    try:
        record = snapshot.provenance()
    except SnapshotError as exc:
        yield Hit(f"entry {key}: {exc}", **where)
        return
    if record is None or not record.sha256:
        return
    try:
        now = snapshot.sha256()
    except SnapshotError:
        return         # an unreadable snapshot is missing-snapshot's to report
    if now != record.sha256.lower():
        yield Hit(f"snapshot {snapshot.shown} of {key} changed after it was retrieved"
                  f"{' on ' + record.retrieved[:10] if record.retrieved else ''} (SHA-256 {now[:12]}…, "
                  f"recorded {record.sha256[:12]}…): re-check the claims citing it, then "
                  f"`citebrief snapshot --refresh --keys {key}`", **where)


_BODY = brief("ICE lists three 287(g) models [@ice2025].\n")

RULE = Rule(
    name="source-changed",
    severity=Severity.WARNING,
    summary="A snapshot's SHA-256 no longer matches the one recorded when it was retrieved.",
    check=check,
    scope="entry",
    passing=(
        Example(_BODY, files=(("sources/ice2025.txt", _TEXT), _provenance(_TEXT))),
        Example(_BODY, files=(("sources/ice2025.txt", _TEXT),)),             # no provenance: nothing to compare
    ),
    failing=(
        Example(_BODY, files=(("sources/ice2025.txt", _TEXT.replace("allows", "forces")), _provenance(_TEXT)),
                fires=(at_bib(1, 1, "changed after it was retrieved on 2025-11-27"),)),
        Example(_BODY, files=(("sources/ice2025.txt", _TEXT), ("sources/ice2025.json", "{not json")),
                fires=(at_bib(1, 1, "ice2025.json is not readable JSON"),)),
    ),
)
