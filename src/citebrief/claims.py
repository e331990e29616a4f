"""Stage 2: the claim policy (README: "How claims are found") — which sentences are claims,
and which of them are cited. Everything here reads the Brief; nothing reads the source."""

from __future__ import annotations

from dataclasses import dataclass

from citebrief.config import DEFAULT_CROSSREF_PREFIXES
from citebrief.parse.model import Brief, Sentence, Unit

CLOSERS = "\"”’')]*_ \ue000\ue001"


@dataclass(frozen=True)
class Claim:
    sentence: Sentence | None      # None for a figure with no caption at all
    unit: Unit
    cited: bool

    @property
    def offset(self) -> int:
        return self.sentence.offset if self.sentence else self.unit.offset


def is_crossref(key: str, prefixes=DEFAULT_CROSSREF_PREFIXES) -> bool:
    """``@fig:map``, ``@tbl:x``...: a pandoc-crossref reference to a part of the brief, not a source."""
    prefix, colon, label = key.partition(":")
    return bool(colon and label) and prefix in prefixes


def is_question(sentence: Sentence) -> bool:
    return sentence.text.rstrip(CLOSERS).endswith("?")


def is_claim(sentence: Sentence, min_words: int) -> bool:
    return not sentence.exempt and not is_question(sentence) and sentence.words >= min_words


def claims_of(brief: Brief, config) -> list[Claim]:
    """The brief's claims under ``config`` (a citebrief.config.Config): its scope, min_words and
    cross-reference prefixes. Lint, the evidence report and links all count claims this way."""
    return find_claims(brief, config.scope, config.min_words, config.crossref_prefixes)


def find_claims(brief: Brief, scope: str = "sentence", min_words: int = 3,
                crossref_prefixes=DEFAULT_CROSSREF_PREFIXES) -> list[Claim]:
    def cites(sentence: Sentence) -> bool:
        return any(not is_crossref(k, crossref_prefixes) for k in sentence.keys)

    claims: list[Claim] = []
    covered_tables: set[int] = set()
    previous: Sentence | None = None           # the last sentence before the current unit
    for unit in brief.units:
        unit_cited = any(cites(s) for s in unit.sentences)
        if unit.kind == "table-caption" and unit_cited:
            covered_tables.add(unit.group)
        if unit.kind == "figure-caption" and not unit.sentences:
            claims.append(Claim(None, unit, cited=False))
            continue
        if unit.kind == "quote":
            # Rule 5: a citation inside the quote, or in the sentence that introduces it.
            whole = unit_cited or bool(previous and cites(previous))
        elif unit.kind in ("row", "table-caption", "figure-caption"):
            # Rules 6-7: one citation covers a row or caption; a cited caption covers the table.
            whole = unit_cited or unit.group in covered_tables
        else:
            whole = scope == "paragraph" and unit_cited
        if unit.kind == "row":
            # Rule 6: a table row is one claim, however its words fall into cells; a row of
            # numbers, dates and symbols only is not one.
            body = [s for s in unit.sentences if not s.exempt and not is_question(s)]
            if body and sum(s.words for s in body) >= min_words and any(s.lettered for s in body):
                claims.append(Claim(body[0], unit, cited=whole))
            continue
        for sentence in unit.sentences:
            if is_claim(sentence, min_words):
                claims.append(Claim(sentence, unit, cited=whole or cites(sentence)))
        if unit.kind != "note" and unit.sentences:
            previous = unit.sentences[-1]
    return claims
