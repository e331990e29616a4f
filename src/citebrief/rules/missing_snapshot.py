"""missing-snapshot: in a project that keeps snapshots, every cited source should have a usable one.

An entry rule: it runs on each entry a linted brief cites (on every entry, when the .bib or the
manuscript folder is linted). A project with no snapshot at all is not nagged. A `file` field
naming a missing file, or one outside the project, and a snapshot that cannot be read (binary,
encrypted, too big, no text) are reported here too: for the checks, they are as good as missing.
"""

from citebrief.evidence.snapshots import file_name, keeps_snapshots, lookup
from citebrief.findings import Severity
from citebrief.rules.base import EXAMPLE_BIB, Example, Rule, at_bib, brief
from citebrief.rules.context import Hit

_OTHER = """@online{other,
  author = {{American Civil Liberties Union}},
  title = {Local Police and Immigration Enforcement},
  date = {2024},
  url = {https://www.aclu.org/287g},
  urldate = {2025-11-27},
}
"""
_SNAPSHOT = ("sources/ice2025.txt", "The 287(g) program allows a state or local law enforcement entity.\n")


def snapshot_of(ctx):
    """What was found for the snapshot of the rule's entry (None: its project keeps no snapshots)."""
    entry = ctx.entry
    if entry is None or not keeps_snapshots(entry):
        return None
    return lookup(entry, config=ctx.config)


def check(ctx):
    found = snapshot_of(ctx)
    if found is not None:
        key = ctx.entry.key
        where = dict(bib_line=found.line, bib_path=ctx.entry.display_path)
        if found.problem:
            yield Hit(f"entry {key}: {found.problem}", **where)
        elif found.snapshot is None:
            yield Hit(f"entry {key} is cited but has no snapshot: save the source as sources/{file_name(key)}"
                      f".txt (.md, .html, .pdf) beside the .bib, or run `citebrief snapshot`", **where)
        elif found.snapshot.error:
            yield Hit(f"entry {key}: snapshot {found.snapshot.shown} {found.snapshot.error}", **where)


_BODY = brief("ICE lists three 287(g) models [@ice2025]. The ACLU disagrees [@other].\n")

RULE = Rule(
    name="missing-snapshot",
    severity=Severity.WARNING,
    summary="A cited source has no usable snapshot (in a project that keeps snapshots).",
    check=check,
    scope="entry",
    passing=(
        Example(_BODY, bib=EXAMPLE_BIB + _OTHER),                          # no snapshots in the project
        Example(_BODY, bib=EXAMPLE_BIB + _OTHER, files=(_SNAPSHOT, ("sources/other.md", "# ACLU\n\nText.\n"))),
    ),
    failing=(
        Example(_BODY, bib=EXAMPLE_BIB + _OTHER, files=(_SNAPSHOT,),       # @other has none
                fires=(at_bib(8, 1, "entry other is cited but has no snapshot"),)),
        Example(_BODY, bib=EXAMPLE_BIB + _OTHER.replace("  urldate", "  file = {../outside.txt},\n  urldate"),
                files=(_SNAPSHOT,), fires=(at_bib(13, 1, "outside the project folder"),)),
        Example(_BODY, bib=EXAMPLE_BIB + _OTHER, files=(_SNAPSHOT, ("sources/other.pdf", "not a PDF at all")),
                fires=(at_bib(8, 1, "snapshot sources/other.pdf is not a PDF"),)),
    ),
)
