"""Names the import makes up: BibTeX keys (``smith2024``, ``ice-287g-src3``) and the brief's file name."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

STOP = {"a", "an", "the", "of", "and", "or", "in", "on", "for", "to", "with", "how", "does", "do", "what",
        "why", "when", "is", "are", "was", "by", "at", "from", "its", "it", "as", "who", "which", "that"}


def ascii_slug(text: str, sep: str = "-") -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", sep, text).strip(sep)


def slugify_title(title: str, limit: int = 60) -> str:
    slug = ascii_slug(title)
    if len(slug) > limit:
        slug = slug[:limit + 1].rsplit("-", 1)[0]
    return slug


def key_stem(input_path: Path, title: str | None) -> str:
    """``<stem>`` of placeholder keys: the file's name when it reads as words, else the title's first words."""
    stem = ascii_slug(input_path.stem)
    if re.search(r"[a-z]{3}", stem) and not re.search(r"[0-9a-f]{8}", stem):
        return stem[:30].strip("-")
    words = [w for w in ascii_slug(title or "").split("-") if w and w not in STOP]
    return "-".join(words[:3]) or "brief"


def _domain_label(url: str) -> str | None:
    m = re.match(r"https?://([^/:?#]+)", url)
    if not m:
        return None
    labels = [x for x in m.group(1).lower().split(".") if x and x != "www"]
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in {"co", "com", "gov", "org", "ac", "net", "edu"}:
        return labels[-3]
    return labels[-2] if len(labels) >= 2 else (labels[0] if labels else None)


def key_base(fields: dict[str, str]) -> str:
    """A readable key: who published it (URL domain, organisation acronym or surname) and the year."""
    base = None
    author = fields.get("author", "").strip("{}")
    if author and not fields["author"].startswith("{"):      # a person: surname, as in smith2024
        base = author.split(",")[0].split()[-1] if "," in author else author.split(" and ")[0].split()[-1]
    if not base and fields.get("url"):
        base = _domain_label(fields["url"])
    if not base and author:
        caps = [w for w in re.findall(r"[A-Za-z][\w'’-]*", author) if w[0].isupper() and w.lower() not in STOP]
        if fields["author"].startswith("{"):
            acronym = next((w for w in author.split() if w.isupper() and len(w) >= 2), None)
            base = acronym or ("".join(w[0] for w in caps) if len(caps) >= 3 else (caps[0] if caps else None))
        else:
            base = author.split(",")[0].split()[-1] if "," in author else (caps[-1] if caps else None)
    if not base and fields.get("organization"):
        base = fields["organization"].split()[0]
    if not base and fields.get("title"):
        base = next((w for w in re.findall(r"[A-Za-z]\w+", fields["title"]) if w.lower() not in STOP), None)
    base = ascii_slug(base or "source", "")[:20] or "source"
    year = re.match(r"\d{4}", fields.get("date", ""))
    return base + (year.group(0) if year else "")
