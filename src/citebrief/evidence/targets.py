"""Which briefs, bibliographies and cited entries a command works on.

``citebrief evidence``, ``snapshot`` and ``links`` take PATHS as ``lint`` does and read each brief
and bibliography as lint reads them (the same limits and trust boundary), but run no rules. This is
the one place they meet the engine, so that when the engine gains a "read the briefs, run no rules"
entry point only this file changes.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from citebrief.bibliography import BibCache, Bibliography, Entry
from citebrief.engine import collect_briefs, display_path, read_input
from citebrief.parse.brief import parse_brief
from citebrief.parse.model import Brief


@dataclass
class Target:
    brief: Brief
    bib: Bibliography | None   # None: the brief has none


def read_briefs(paths: Sequence[str], config) -> list[Target]:
    """Each brief named by ``paths`` (as for lint) with its bibliography; each file read once."""
    inputs = [read_input(path, shown, config) for path, shown in collect_briefs(paths, config)]
    with ThreadPoolExecutor(max_workers=min(len(inputs), os.cpu_count() or 2) or 1) as pool:
        briefs = list(pool.map(lambda i: parse_brief(i.path, i.shown, config.limitation_headings, source=i.source,
                                                     front=i.front, limits=config.limits), inputs))
    bibs = BibCache()
    return [Target(b, bibs.for_brief(i.bibliographies, display_path, i.front, i.path, i.shown))
            for i, b in zip(inputs, briefs)]


def cited_entries(targets: Sequence[Target]) -> list[Entry]:
    """The bibliography entries the briefs cite, each once, in order of first citation."""
    seen: dict[int, Entry] = {}
    for t in targets:
        if t.bib is None:
            continue
        for c in t.brief.citations:
            entry = t.bib.entries.get(c.key)
            if entry is not None:
                seen.setdefault(id(entry), entry)
    return list(seen.values())
