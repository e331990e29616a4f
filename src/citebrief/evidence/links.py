"""``citebrief links``: are the cited sources still where their entries say?

Each cited entry's ``url`` is asked with HEAD (GET when HEAD is refused or fails), redirects
followed; its ``doi`` is asked of doi.org, whose redirect to the publisher proves the DOI is
registered (publishers' own pages often turn robots away, so they are not followed). Findings
go at the field's ``.bib`` line, in any lint format, through the same reporters:

- ``dead-link`` (error): 404 or 410, a host that does not exist, a refused connection;
- ``moved-link`` (warning): a permanent redirect (301/308), naming the new URL;
- ``unreachable-link`` (warning): a timeout, 429 or 5xx after retries, another 4xx (403 is
  often a site turning robots away: check it in a browser), or a URL that is not fetched at
  all (a private address; see net.py).

Answers that settle something (fine, dead, moved) are kept in ``out/.cache/links.json`` for
``link_cache_hours`` (default 24; 0 = always ask again); the others are asked again next run.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from dataclasses import dataclass
from pathlib import Path

from citebrief.claims import claims_of
from citebrief.engine import LintResult, active_rules, cited_entries, read_paths
from citebrief.evidence.net import Fetcher, Response
from citebrief.findings import Finding
from citebrief.rules import ALL_RULES

DEAD, MOVED, UNREACHABLE = "dead-link", "moved-link", "unreachable-link"
CACHE_FILE = "links.json"
_REASONS = {404: "Not Found", 410: "Gone", 401: "Unauthorized", 403: "Forbidden", 429: "Too Many Requests",
            500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}


@dataclass(frozen=True)
class Link:
    key: str
    field: str              # "url" or "doi"
    url: str                # what is asked for (a DOI as https://doi.org/...)
    path: str               # the .bib as findings name it
    line: int
    shown: str = ""         # how messages name it ("DOI 10.1234/x"; the URL itself when empty)


@dataclass(frozen=True)
class Verdict:
    rule: str | None        # None: fine
    message: str


DOI_RESOLVER = "https://doi.org/"
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.I)    # what bad-doi accepts before 10.


def bare_doi(doi: str) -> str:
    """A ``doi`` field without its ``doi:``/``DOI: ``/https://doi.org/ prefix: ``10.1000/x``."""
    return _DOI_PREFIX.sub("", doi.strip())


def doi_url(doi: str, resolver: str = DOI_RESOLVER) -> str:
    """A ``doi`` field as the link that resolves it (the bundle's manifest and index, ``citebrief links``)."""
    return resolver + bare_doi(doi)


def links_of(entries, doi_resolver: str = DOI_RESOLVER) -> list[Link]:
    links = []
    for e in entries:
        url = e.get("url")
        if url:
            links.append(Link(e.key, "url", url.strip(), e.display_path, e.field_lines.get("url", e.line)))
        doi = e.get("doi")
        if doi:
            links.append(Link(e.key, "doi", doi_url(doi, doi_resolver), e.display_path,
                              e.field_lines.get("doi", e.line), f"DOI {bare_doi(doi)}"))
    return links


def judge(link: Link, r: Response) -> Verdict:
    """What an answer means for a link (see the module docstring)."""
    what = f"entry {link.key}: {link.shown or link.url}"
    if r.error_kind in ("dns", "refused"):
        return Verdict(DEAD, f"{what}: {r.error}")
    if r.error is not None:
        prefix = "not checked" if r.error_kind == "blocked" else "unreachable"
        return Verdict(UNREACHABLE, f"{what}: {prefix}: {r.error}")
    status = f"{r.status} {_REASONS.get(r.status, '')}".strip()
    if link.field == "doi":
        if r.status in (404, 410):
            return Verdict(DEAD, f"{what}: doi.org answers {status}: the DOI is not registered")
        if 300 <= r.status < 400 or 200 <= r.status < 300:
            return Verdict(None, "resolves")
        return Verdict(UNREACHABLE, f"{what}: doi.org answers {status}")
    if r.status in (404, 410):
        via = f" (after redirects to {r.final_url})" if r.redirects else ""
        return Verdict(DEAD, f"{what}: answers {status}{via}")
    if r.status == 429 or r.status >= 500:
        return Verdict(UNREACHABLE, f"{what}: answers {status}, also after retries")
    if r.status >= 400:
        hint = " (sites often turn robots away: check it in a browser)" if r.status in (401, 403) else ""
        return Verdict(UNREACHABLE, f"{what}: answers {status}{hint}")
    if r.permanent_redirect and r.final_url != link.url:
        return Verdict(MOVED, f"{what}: moved permanently to {r.final_url}: update the url field")
    return Verdict(None, f"answers {status}")


async def ask(fetcher: Fetcher, link: Link) -> Response:
    """HEAD first (cheap); GET when HEAD is refused or fails, since many servers answer HEAD badly."""
    if link.field == "doi":
        r = await fetcher.request("HEAD", link.url, follow=False, retries=0)
        if r.status in (405, 501) or (r.error_kind not in (None, "dns", "refused", "blocked")):
            r = await fetcher.request("GET", link.url, follow=False)
        return r
    r = await fetcher.request("HEAD", link.url, retries=0)
    if r.error_kind in ("dns", "refused", "blocked", "timeout") or (r.error is None and r.status < 400):
        return r
    return await fetcher.request("GET", link.url)


class LinkCache:
    """Settled answers per link, kept for ``hours`` in out/.cache/links.json. Answers got with
    --allow-private are kept apart: without the flag, such a URL is refused, not answered."""

    def __init__(self, path: Path, hours: float, allow_private: bool = False):
        self.path, self.seconds = path, hours * 3600
        self.mode = " (private allowed)" if allow_private else ""
        self.data: dict[str, dict] = {}
        if self.seconds > 0:
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                self.data = data if isinstance(data, dict) else {}
            except (OSError, ValueError):
                self.data = {}

    def get(self, link: Link) -> Verdict | None:
        item = self.data.get(self._key(link))
        if not isinstance(item, dict) or not isinstance(item.get("checked"), (int, float)):
            return None
        if time.time() - item["checked"] > self.seconds or item.get("rule") not in (None, DEAD, MOVED):
            return None
        return Verdict(item.get("rule"), str(item.get("message", "")))

    def put(self, link: Link, verdict: Verdict) -> None:
        if verdict.rule in (None, DEAD, MOVED):
            self.data[self._key(link)] = {"rule": verdict.rule, "message": verdict.message,
                                                     "checked": time.time()}

    def _key(self, link: Link) -> str:
        return f"{link.field} {link.url}{self.mode}"

    def save(self) -> None:
        if self.seconds <= 0:
            return
        from citebrief.compile.output import write_atomic
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.path, json.dumps(self.data, indent=1, sort_keys=True).encode("utf-8"))
        except OSError:
            pass   # a cache that cannot be written only costs time next run


async def check_links(links: list[Link], cache: LinkCache, **fetch_options) -> dict[Link, Verdict]:
    """Every link judged: from the cache when settled recently, else over the network."""
    verdicts: dict[Link, Verdict] = {}
    todo = []
    for link in dict.fromkeys(links):
        cached = cache.get(link)
        if cached is not None:
            verdicts[link] = cached
        else:
            todo.append(link)
    if todo:
        async with Fetcher(**fetch_options) as fetcher:
            answers = await asyncio.gather(*(ask(fetcher, link) for link in todo))
        offline = len({_host(link.url) for link in todo}) > 1 and all(a.error_kind == "dns" for a in answers)
        for link, answer in zip(todo, answers):
            if offline:   # every host "not found" is this machine's network, not the links
                answer.error_kind = "network"
                answer.error = f"{answer.error}; no host could be resolved: is this machine offline?"
            verdicts[link] = judge(link, answer)
            cache.put(link, verdicts[link])
    return verdicts


def _host(url: str) -> str:
    from urllib.parse import urlsplit
    return urlsplit(url).hostname or ""


def links_paths(paths, config, *, allow_private: bool = False, timeout: float = 15.0,
                cache_hours: float | None = None, doi_resolver: str = DOI_RESOLVER) -> LintResult:
    """Check the links of every entry the briefs cite; the findings as a LintResult for the reporters."""
    rules = {r.name for r in active_rules(config)} & {DEAD, MOVED, UNREACHABLE}
    targets = read_paths(paths, config)
    links = links_of(cited_entries(targets), doi_resolver)
    hours = config.link_cache_hours if cache_hours is None else cache_hours
    cache = LinkCache(config.path(config.out) / ".cache" / CACHE_FILE, hours, allow_private)
    verdicts = asyncio.run(check_links(links, cache, allow_private=allow_private, timeout=timeout)) \
        if links and rules else {}
    cache.save()
    result = LintResult(files=len(targets))
    findings = set()
    for link in links:
        verdict = verdicts.get(link)
        if verdict is not None and verdict.rule in rules:
            findings.add(Finding(link.path, link.line, 1, verdict.rule, ALL_RULES[verdict.rule].severity,
                                 verdict.message))
    result.findings = sorted(findings)
    for t in targets:
        claims = claims_of(t.brief, config)
        result.claims += len(claims)
        result.cited_claims += sum(c.cited for c in claims)
    return result
