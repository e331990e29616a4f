"""What must never reach a reader's browser: scripts, event handlers, ``javascript:`` links.

Raw HTML in a brief is rebuilt from an allow-list (tags and attributes); URLs must use a safe
scheme. The HTML template also sets a Content-Security-Policy that forbids scripts and any
network request, so a mistake here is still caught by the browser.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

SAFE_SCHEMES = {"http", "https", "mailto", "tel"}
_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):")

# elements dropped together with everything inside them
DROP_CONTENT = {"script", "style", "iframe", "object", "embed", "noscript", "template", "svg", "math",
                "frame", "frameset", "applet", "noembed", "xmp", "plaintext", "title", "textarea",
                "select", "head", "link", "meta", "base", "form", "button", "input", "video", "audio",
                "source", "track", "canvas", "picture", "portal"}
ALLOWED = set("""a abbr b bdi bdo blockquote br caption center cite code col colgroup dd del details dfn
div dl dt em figcaption figure h1 h2 h3 h4 h5 h6 hr i img ins kbd li mark ol p pre q rp rt ruby s samp
section small span strong sub summary sup table tbody td tfoot th thead time tr u ul var wbr""".split())
VOID = {"br", "col", "hr", "img", "wbr"}
URL_ATTRS = {"href", "src", "cite", "action", "formaction", "poster", "background", "longdesc", "data",
             "xlink:href", "srcset", "ping", "manifest", "codebase", "archive", "lowsrc", "dynsrc"}


def url_scheme(url: str) -> str | None:
    """The scheme a browser would see (it ignores whitespace and control characters)."""
    cleaned = "".join(ch for ch in url if ch > " " and ch != "\x7f").lower()
    m = _SCHEME.match(cleaned)
    return m.group(1) if m else None


def safe_link(url: str) -> bool:
    scheme = url_scheme(url)
    return scheme is None or scheme in SAFE_SCHEMES


def safe_attribute(name: str, value: str | None, tag: str = "") -> bool:
    name = name.lower()
    if name.startswith("on") or name in {"srcset", "srcdoc", "formaction", "ping", "is"}:
        return False
    if name in URL_ATTRS:
        if value is None:
            return False
        if tag == "img" or name != "href":     # anything the browser would load: only embedded images
            return value.strip().lower().startswith("data:image/") and "svg" not in value[:30].lower()
        return safe_link(value)
    if name == "style" and value and re.search(r"url\s*\(|expression\s*\(|@import|javascript:", value, re.I):
        return False
    return True


class _Cleaner(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip = 0          # depth inside a dropped element

    def _tag(self, tag: str, attrs, close: bool) -> None:
        kept = [(k, v) for k, v in attrs if safe_attribute(k, v, tag)]
        if tag == "img" and not any(k == "src" for k, _ in kept):
            return                                  # an image we may not load: leave it out
        text = "".join(f' {k}="{html.escape(v or "", quote=True)}"' if v is not None else f" {k}"
                       for k, v in kept)
        self.out.append(f"<{tag}{text}{' /' if close else ''}>")

    def handle_starttag(self, tag, attrs):
        if tag in DROP_CONTENT:
            if tag not in ("link", "meta", "base", "input", "source", "track"):
                self.skip += 1
            return
        if not self.skip and tag in ALLOWED:
            self._tag(tag, attrs, False)

    def handle_startendtag(self, tag, attrs):
        if not self.skip and tag in ALLOWED:
            self._tag(tag, attrs, True)

    def handle_endtag(self, tag):
        if tag in DROP_CONTENT:
            if tag not in ("link", "meta", "base", "input", "source", "track"):
                self.skip = max(0, self.skip - 1)
            return
        if not self.skip and tag in ALLOWED and tag not in VOID:
            self.out.append(f"</{tag}>")

    def handle_data(self, data):
        if not self.skip:
            self.out.append(html.escape(data, quote=False))


def clean_html(fragment: str) -> str:
    """Rebuild a raw HTML fragment keeping only harmless tags and attributes."""
    cleaner = _Cleaner()
    cleaner.feed(fragment)
    cleaner.close()
    return "".join(cleaner.out)


def clean_attr(attr: list) -> list:
    """A pandoc Attr ``[id, classes, [[key, value], ...]]`` without dangerous key-values."""
    kvs = attr[2]
    if kvs and any(not safe_attribute(k, v) for k, v in kvs):
        return [attr[0], attr[1], [[k, v] for k, v in kvs if safe_attribute(k, v)]]
    return attr
