"""Which briefs, bibliographies and cited entries a command works on.

``citebrief evidence``, ``snapshot`` and ``links`` take PATHS as ``lint`` does and read each brief
and bibliography as lint reads them. This is the one place they meet the engine, so that when
the engine gains a "read the briefs, run no rules" entry point only this file changes.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from citebrief.engine import BibCache, collect_briefs
from citebrief.parse.brief import parse_brief


@dataclass
class Target:
    brief: object              # parse.model.Brief
    bib: object | None         # bib.Bibliography (None: the brief has no bibliography)


def read_briefs(paths: Sequence[str], config) -> list[Target]:
    """Each brief named by ``paths`` (as for lint) with its bibliography; each .bib read once."""
    found = collect_briefs(paths, config)
    with ThreadPoolExecutor(max_workers=min(len(found), os.cpu_count() or 2) or 1) as pool:
        briefs = list(pool.map(lambda pair: parse_brief(pair[0], pair[1], config.limitation_headings), found))
    bibs = BibCache()
    default = config.path(config.bibliography)
    return [Target(b, bibs.for_brief(b, default)) for b in briefs]


def cited_entries(targets: Sequence[Target]) -> list:
    """The bibliography entries the briefs cite, each once, in order of first citation."""
    seen: dict[tuple[str, str], object] = {}
    for t in targets:
        if t.bib is None:
            continue
        for c in t.brief.citations:
            entry = t.bib.entries.get(c.key)
            if entry is not None:
                seen.setdefault((str(entry.path), entry.key), entry)
    return list(seen.values())
