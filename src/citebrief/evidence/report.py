"""``citebrief evidence``: the page an editor reads before sign-off.

For each brief, every claim beside the passage of each cited snapshot that best matches it
(BM25, passages.py), its quotes and figures marked found or not found (checks.py), and a status;
riskiest claims first. Then the sources: how many claims each carries, the claims that rest on a
single source, and the sources by the age of their snapshot. :func:`brief_report` builds the data
(``--format json`` prints it); :func:`render_html` turns it into one self-contained page (inline
CSS, no scripts, no requests, readable on a phone) written to ``out/<brief>.evidence.html``.

Statuses, riskiest first:

======================  ==========================================================================
``uncited``             the claim cites nothing
``quote-not-found``     a quotation is in none of the cited snapshots
``figure-not-found``    a figure is in none of the cited snapshots
``unknown-source``      a cited key is not in the bibliography
``no-snapshot``         a cited source has no usable snapshot, so the claim cannot be checked
``weak-match``          the best passage shares less than :data:`WEAK` of the claim's words
``matched``             quotes and figures found, and a passage shares the claim's words
======================  ==========================================================================

"matched" is lexical: the passage shares the claim's words; whether it says the same thing is
the editor's call, which is what the page is for.
"""

from __future__ import annotations

import html
import json
from collections import Counter
from datetime import date
from pathlib import Path

import click

from citebrief.claims import claims_of
from citebrief.engine import display_path, read_paths
from citebrief.errors import CitebriefError
from citebrief.evidence.checks import BriefEvidence, cited_passages
from citebrief.evidence.match import CITATION_MARKS
from citebrief.evidence.passages import WORD, shared_terms, terms
from citebrief.evidence.snapshots import SnapshotError, lookup
from citebrief.parse.source import LineIndex
from citebrief.project import project_root

VERSION = 1
WEAK = 0.4
STATUSES = ("uncited", "quote-not-found", "figure-not-found", "unknown-source", "no-snapshot", "weak-match",
            "matched")
LABELS = {"uncited": "No citation", "quote-not-found": "Quote not in source",
          "figure-not-found": "Figure not in source", "unknown-source": "Unknown source",
          "no-snapshot": "Not checkable: no snapshot", "weak-match": "Weak match", "matched": "Matched"}


# --------------------------------------------------------------------------- the data

def brief_report(brief, bib, root: Path, config, today: date) -> dict:
    """Everything the page shows for one brief, as plain JSON-ready data."""
    evidence = BriefEvidence(brief, bib, root, config.scope, config.crossref_prefixes) if bib is not None else None
    passages = {id(p.sentence): p for p in cited_passages(brief, config.scope, config.crossref_prefixes)}
    lines = LineIndex(brief.source)
    claims = []
    for claim in claims_of(brief, config):
        if claim.sentence is None:
            line, col = lines.position(claim.offset)
            claims.append(_claim_data("(a figure with no caption)", line, col, (), [], [], [], "uncited"))
            continue
        p = passages.get(id(claim.sentence))
        keys = p.keys if p is not None and claim.cited else ()
        line, col = lines.position(claim.offset)
        claims.append(_claim(claim.sentence.text, line, col, keys, p, evidence, bib))
    claims.sort(key=_risk)
    return {"path": brief.display_path, "title": brief.title,
            "checked": brief.checked.isoformat() if brief.checked else None, "today": today.isoformat(),
            "summary": _summary(claims), "claims": claims,
            "sources": _sources(claims, bib, root, today)}


def _claim(text, line, col, keys, passage, evidence, bib) -> dict:
    if not keys:
        return _claim_data(text, line, col, (), [], [], [], "uncited")
    quotes = evidence.quote_checks(passage) if evidence else []
    figures = evidence.figure_checks(passage) if evidence else []
    query = CITATION_MARKS.sub(" ", text)
    sources, best_share = [], 0.0
    wanted = set(terms(query))
    for key in keys:
        entry = bib.entries.get(key) if bib is not None else None
        item = {"key": key, "known": entry is not None, "title": entry.plain("title") if entry else None,
                "snapshot": None, "problem": None, "passage": None, "score": 0.0, "shared": []}
        found = lookup(entry, evidence.root) if (entry is not None and evidence) else None
        snap = found.snapshot if found else None
        if found is not None and found.problem:
            item["problem"] = found.problem
        if snap is not None:
            item["snapshot"] = snap.shown
            try:
                best = snap.passages.best(query, k=1)
            except SnapshotError as exc:
                item["problem"] = f"snapshot {exc}"
            else:
                if best:
                    chosen, score = best[0]
                    shared = sorted(shared_terms(query, chosen.text))
                    item.update(passage=chosen.text, score=round(score, 2), shared=shared)
                    if wanted:
                        best_share = max(best_share, len(shared) / len(wanted))
        sources.append(item)
    quote_data = [{"text": q.text, "block": q.block, "found": q.found_in is not None if q.checked else None,
                   "in": q.found_in, "span": list(q.span),
                   "closest": dict(zip(("key", "passage"), q.closest())) if q.checked and not q.found_in else None}
                  for q in quotes]
    figure_data = [{"text": f.figure.text, "found": f.found_in is not None if f.checked else None,
                    "in": f.found_in, "span": [f.figure.start, f.figure.end]} for f in figures]
    if any(q["found"] is False for q in quote_data):
        status = "quote-not-found"
    elif any(f["found"] is False for f in figure_data):
        status = "figure-not-found"
    elif any(not s["known"] for s in sources):
        status = "unknown-source"
    elif any(s["passage"] is None and (s["snapshot"] is None or s["problem"]) for s in sources):
        status = "no-snapshot"
    elif best_share < WEAK:
        status = "weak-match"
    else:
        status = "matched"
    data = _claim_data(text, line, col, keys, quote_data, figure_data, sources, status)
    data["overlap"] = round(best_share, 2)
    return data


def _claim_data(text, line, col, keys, quotes, figures, sources, status) -> dict:
    return {"line": line, "column": col, "text": text, "status": status, "keys": list(keys),
            "single_source": len(keys) == 1, "quotes": quotes, "figures": figures, "sources": sources,
            "overlap": 0.0}


def _risk(claim: dict):
    """Riskiest first: by status, then claims resting on one source, then the weakest overlap."""
    return STATUSES.index(claim["status"]), not claim["single_source"], claim["overlap"], claim["line"]


def _summary(claims: list[dict]) -> dict:
    counts = Counter(c["status"] for c in claims)
    return {"claims": len(claims), "statuses": {s: counts.get(s, 0) for s in STATUSES},
            "single_source": sum(1 for c in claims if c["single_source"])}


def _sources(claims: list[dict], bib, root: Path, today: date) -> list[dict]:
    per_key = Counter(k for c in claims for k in c["keys"])
    sole = Counter(c["keys"][0] for c in claims if c["single_source"])
    out = []
    for key in per_key:
        entry = bib.entries.get(key) if bib is not None else None
        item = {"key": key, "title": entry.plain("title") if entry else None,
                "url": entry.get("url") if entry else None, "claims": per_key[key], "sole_support": sole[key],
                "date": None, "snapshot": None, "retrieved": None, "age_days": None}
        if entry is not None:
            item["date"] = entry.written_date()
            snap = lookup(entry, root).snapshot
            retrieved = None
            if snap is not None:
                item["snapshot"] = snap.shown
                try:
                    record = snap.provenance()
                    retrieved = record.retrieved[:10] if record and record.retrieved else None
                except SnapshotError:
                    retrieved = None
            retrieved = retrieved or entry.get("urldate")
            item["retrieved"] = retrieved
            try:
                item["age_days"] = (today - date.fromisoformat(retrieved[:10])).days if retrieved else None
            except ValueError:
                item["age_days"] = None
        out.append(item)
    # oldest copy first; sources never retrieved (no date at all) lead, since nobody knows their age
    out.sort(key=lambda s: (s["age_days"] is not None, -(s["age_days"] or 0), s["key"]))
    return out


# --------------------------------------------------------------------------- the page

CSS = """
:root{--fg:#1b1f24;--muted:#57606a;--bg:#fff;--card:#f6f8fa;--line:#d0d7de;--bad:#b42318;--badbg:#fee4e2;
--warn:#8a5a00;--warnbg:#fff4d6;--ok:#116329;--okbg:#dcfce7;--unk:#3b4a5a;--unkbg:#e8edf3}
*{box-sizing:border-box}
body{font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg);
margin:0 auto;max-width:52rem;padding:1rem}
h1{font-size:1.5rem;line-height:1.25;margin:.5rem 0}h2{font-size:1.2rem;margin:2rem 0 .75rem}
h3{font-size:1rem;margin:0 0 .25rem}
.meta,.muted{color:var(--muted);font-size:.9rem}
.chips{display:flex;flex-wrap:wrap;gap:.4rem;padding:0;list-style:none}
.chip,.badge{display:inline-block;border-radius:999px;padding:.1rem .6rem;font-size:.85rem;font-weight:600}
.s-uncited,.s-quote-not-found,.s-unknown-source{background:var(--badbg);color:var(--bad)}
.s-figure-not-found,.s-weak-match{background:var(--warnbg);color:var(--warn)}
.s-no-snapshot{background:var(--unkbg);color:var(--unk)}.s-matched{background:var(--okbg);color:var(--ok)}
.claim{border:1px solid var(--line);border-left-width:.35rem;border-radius:.5rem;padding:.75rem 1rem;
margin:0 0 1rem;background:var(--bg)}
.claim.r-bad{border-left-color:var(--bad)}.claim.r-warn{border-left-color:#d4a72c}
.claim.r-unk{border-left-color:#8c959f}.claim.r-ok{border-left-color:#2da44e}
.said{margin:.5rem 0;font-size:1.05rem;overflow-wrap:anywhere}
.source{background:var(--card);border-radius:.4rem;padding:.5rem .75rem;margin:.5rem 0 0}
.passage{margin:.25rem 0 0;font-size:.95rem;overflow-wrap:anywhere;white-space:pre-line}
mark{background:#fff0a8;color:inherit;padding:0 .1em;border-radius:.15em}
mark.found{background:var(--okbg);outline:1px solid #2da44e}
mark.missing{background:var(--badbg);outline:1px solid var(--bad)}
mark.unchecked{background:var(--unkbg);outline:1px dashed #8c959f}
ul.issues{margin:.25rem 0;padding-left:1.2rem}
.table{overflow-x:auto}table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums}
a{color:#0969da;overflow-wrap:anywhere}code{overflow-wrap:anywhere}td:first-child code{white-space:nowrap}
@media (max-width:30rem){body{padding:.6rem}.claim{padding:.6rem .7rem}}
"""

_RISK_CLASS = {"uncited": "r-bad", "quote-not-found": "r-bad", "unknown-source": "r-bad",
               "figure-not-found": "r-warn", "weak-match": "r-warn", "no-snapshot": "r-unk", "matched": "r-ok"}


def render_html(data: dict) -> str:
    e = html.escape
    s = data["summary"]
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           # no scripts, no requests of any kind: snapshot text is a stranger's, and so is the brief
           "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>Evidence: {e(data['title'])}</title><style>{CSS}</style></head><body>",
           f"<header><p class=meta>Evidence report · <code>{e(data['path'])}</code></p>",
           f"<h1>{e(data['title'])}</h1>",
           f"<p class=meta>Checked {e(data['checked'] or 'never (no checked date)')} · report of {e(data['today'])} · "
           f"{s['claims']} claims, {s['single_source']} resting on a single source</p></header>",
           "<ul class=chips>"]
    out += [f"<li class='chip s-{k}'>{e(LABELS[k])}: {n}</li>" for k, n in s["statuses"].items() if n]
    out.append("</ul><p class=muted>Claims are listed riskiest first. <mark class=found>Found</mark> and "
               "<mark class=missing>not found</mark> mark quotes and figures checked against the snapshots; "
               "<mark class=unchecked>unchecked</mark> ones cite a source without a snapshot. In each "
               "passage, <mark>highlighted</mark> words are shared with the claim.</p>")
    out.append("<h2 id=claims>Claims</h2>")
    for c in data["claims"]:
        out.append(_claim_html(c))
    out.append(_sources_html(data))
    out.append("</body></html>\n")
    return "\n".join(out)


def _claim_html(c: dict) -> str:
    e = html.escape
    cites = ", ".join(c["keys"]) or "nothing"
    parts = [f"<article class='claim {_RISK_CLASS[c['status']]}'>",
             f"<p class=meta><span class='badge s-{c['status']}'>{e(LABELS[c['status']])}</span> "
             f"line {c['line']} · cites {e(cites)}{' (single source)' if c['single_source'] else ''}</p>",
             f"<p class=said>{_marked_claim(c)}</p>"]
    issues = [f"Quote “{e(_short(q['text']))}” is in none of the cited snapshots"
              + (f"; closest, in {e(q['closest']['key'])}: “{e(q['closest']['passage'])}”"
                 if q["closest"] and q["closest"]["passage"] else "")
              for q in c["quotes"] if q["found"] is False]
    issues += [f"Figure {e(f['text'])} is in none of the cited snapshots" for f in c["figures"] if f["found"] is False]
    issues += [f"{e(s['key'])}: not in the bibliography" for s in c["sources"] if not s["known"]]
    issues += [f"{e(s['key'])}: {e(s['problem'])}" for s in c["sources"] if s["problem"]]
    issues += [f"{e(s['key'])}: no snapshot" for s in c["sources"]
               if s["known"] and s["snapshot"] is None and not s["problem"]]
    if issues:
        parts.append("<ul class=issues>" + "".join(f"<li>{i}</li>" for i in issues) + "</ul>")
    for s in c["sources"]:
        if s["passage"] is None:
            continue
        title = f" — {e(s['title'])}" if s["title"] else ""
        parts.append(f"<div class=source><h3>{e(s['key'])}{title}</h3>"
                     f"<p class=meta>best passage of <code>{e(s['snapshot'])}</code> (BM25 {s['score']:g})</p>"
                     f"<p class=passage>{_highlight(s['passage'], set(s['shared']))}</p></div>")
    parts.append("</article>")
    return "\n".join(parts)


def _marked_claim(c: dict) -> str:
    """The claim's text with its quotes and figures marked found / missing / unchecked."""
    text = c["text"]
    marks = [(q["span"][0], q["span"][1], q["found"]) for q in c["quotes"] if not q["block"]]
    marks += [(f["span"][0], f["span"][1], f["found"]) for f in c["figures"]]
    block = [q for q in c["quotes"] if q["block"]]
    out, pos = [], 0
    for a, b, found in sorted(marks):
        if a < pos:
            continue
        cls = "unchecked" if found is None else "found" if found else "missing"
        out.append(html.escape(text[pos:a]))
        out.append(f"<mark class={cls}>{html.escape(text[a:b])}</mark>")
        pos = b
    out.append(html.escape(text[pos:]))
    body = "".join(out)
    if block:
        found = block[0]["found"]
        cls = "unchecked" if found is None else "found" if found else "missing"
        body = f"<mark class={cls}>{body}</mark>"
    return body


def _highlight(passage: str, shared: set[str]) -> str:
    out, pos = [], 0
    for m in WORD.finditer(passage):
        word = m.group().lower().replace(",", "")
        if word in shared:
            out.append(html.escape(passage[pos:m.start()]))
            out.append(f"<mark>{html.escape(m.group())}</mark>")
            pos = m.end()
    out.append(html.escape(passage[pos:]))
    return "".join(out)


def _sources_html(data: dict) -> str:
    e = html.escape
    sources = data["sources"]
    rows = []
    for s in sorted(sources, key=lambda s: (-s["claims"], s["key"])):
        title = e(s["title"] or "")
        link = (f"<a href='{e(s['url'])}' rel='noopener noreferrer'>{title or e(s['url'])}</a>"
                if _http(s["url"]) else title)
        rows.append(f"<tr><td><code>{e(s['key'])}</code></td><td>{link}</td><td class=n>{s['claims']}</td>"
                    f"<td class=n>{s['sole_support']}</td></tr>")
    single = [c for c in data["claims"] if c["single_source"]]
    ages = [f"<tr><td><code>{e(s['key'])}</code></td><td>{e(str(s['date'] or '—'))}</td>"
            f"<td>{e(s['retrieved'] or 'never')}</td><td class=n>{'' if s['age_days'] is None else s['age_days']}</td>"
            f"<td>{e(s['snapshot'] or 'none')}</td></tr>" for s in sources]
    parts = ["<h2 id=sources>Sources</h2>", "<h3>Claims per source</h3><div class=table><table>",
             "<tr><th>key</th><th>source</th><th>claims</th><th>only source</th></tr>", *rows, "</table></div>",
             f"<h3>Claims resting on a single source ({len(single)})</h3>"]
    if single:
        parts.append("<div class=table><table><tr><th>line</th><th>source</th><th>claim</th></tr>")
        parts += [f"<tr><td class=n>{c['line']}</td><td><code>{e(c['keys'][0])}</code></td>"
                  f"<td>{e(_short(c['text'], 140))}</td></tr>" for c in single]
        parts.append("</table></div>")
    else:
        parts.append("<p class=muted>None.</p>")
    parts += ["<h3>Sources by age of their copy (oldest first)</h3><div class=table><table>",
              "<tr><th>key</th><th>dated</th><th>retrieved</th><th>days ago</th><th>snapshot</th></tr>",
              *ages, "</table></div>"]
    return "\n".join(parts)


def _http(url: str | None) -> bool:
    return url is not None and url.lower().startswith(("http://", "https://"))


def _short(text: str, width: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


# --------------------------------------------------------------------------- the command

def evidence_command(paths, config, *, fmt: str = "html", today: date | None = None) -> int:
    today = today or date.today()
    targets = read_paths(paths, config)
    reports = [brief_report(t.brief, t.bibliography, project_root(config.root, t.brief.path), config, today)
               for t in targets]
    if fmt == "json":
        click.echo(json.dumps({"version": VERSION, "briefs": reports}, indent=2, ensure_ascii=False))
        return 0
    from citebrief.compile.output import write_atomic

    out = config.path(config.out)
    for target, report in zip(targets, reports):
        final = out / f"{Path(target.brief.path).stem}.evidence.html"
        try:
            out.mkdir(parents=True, exist_ok=True)
            write_atomic(final, render_html(report).encode("utf-8"))
        except OSError as exc:
            raise CitebriefError(f"cannot write the evidence report: {exc.strerror or exc}",
                                 display_path(final)) from None
        s = report["summary"]["statuses"]
        risky = sum(n for k, n in s.items() if k not in ("matched", "no-snapshot"))
        click.echo(f"{report['path']} → {display_path(final)}  {report['summary']['claims']} claims: "
                   f"{risky} to look at, {s['no-snapshot']} not checkable, {s['matched']} matched")
    return 0
