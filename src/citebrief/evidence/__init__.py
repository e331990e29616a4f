"""From cited to supported: snapshots of sources, and what a brief says checked against them.

    snapshots.py  find an entry's snapshot, read its provenance, extract its text (once per run)
    match.py      quotes and figures: the tolerances, the matching, the closest passage
    passages.py   a source cut into passages, ranked for a claim with BM25
    checks.py     one brief's quotes and figures checked against its cited snapshots
    report.py     ``citebrief evidence``: each claim beside the best passages of its sources
    net.py        the HTTP both network commands share (schemes, private addresses, politeness)
    fetch.py      ``citebrief snapshot``: fetch and store snapshots, set ``file``/``urldate``
    bibedit.py    change one field line of a .bib, leaving every other byte as it was
    links.py      ``citebrief links``: dead, moved and unreachable URLs and DOIs

Only ``snapshot`` and ``links`` use the network, and only for entries' URLs (README: "Security").
"""
