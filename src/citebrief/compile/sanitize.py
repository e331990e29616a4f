"""What must never reach a reader's browser: scripts, event handlers, ``javascript:`` links, overlays.

The HTML a brief compiles to is published, and a brief may come from a stranger. Its body (everything
pandoc wrote from the brief, raw HTML included) is cleaned as a whole by nh3 (the Rust ``ammonia``
sanitizer) against an allow-list of tags and attributes; ``style`` keeps only harmless properties (no
``position``, no ``url()``); ``img`` only embedded raster ``data:`` images. The template around it is
citebrief's own, and its Content-Security-Policy forbids scripts and every network request, so a
mistake here is still caught by the browser.
"""

from __future__ import annotations

import re
import secrets

import nh3

from citebrief.errors import CitebriefError

SAFE_SCHEMES = {"http", "https", "mailto", "tel"}
_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):")

TAGS = set("""a abbr article aside b bdi bdo blockquote br caption cite code col colgroup dd del details dfn
div dl dt em figcaption figure footer h1 h2 h3 h4 h5 h6 header hr i img ins kbd li mark nav ol p pre q rp
rt ruby s samp section small span strong sub summary sup table tbody td tfoot th thead time tr u ul var
wbr""".split())
CLEAN_CONTENT = {"script", "style", "iframe", "object", "embed", "noscript", "template", "svg", "math", "frame",
                 "frameset", "applet", "noembed", "xmp", "plaintext", "title", "textarea", "select", "button",
                 "video", "audio", "canvas", "portal"}
ATTRIBUTES = {
    "*": {"id", "class", "title", "lang", "dir", "role", "style", "hidden"},
    "a": {"href"}, "img": {"src", "alt", "width", "height"}, "ol": {"start", "type", "reversed"},
    "li": {"value"}, "td": {"colspan", "rowspan", "align"}, "th": {"colspan", "rowspan", "align", "scope"},
    "col": {"span"}, "time": {"datetime"}, "details": {"open"},
}
# what pandoc writes (data-cites on citations, aria-* on notes) and nothing that runs
PREFIXES = {"data-", "aria-"}
STYLE_PROPERTIES = {"color", "background-color", "font-weight", "font-style", "font-variant", "text-decoration",
                    "text-align", "vertical-align", "width", "min-width", "max-width", "white-space",
                    "list-style-type", "border-collapse", "padding", "margin"}
_RASTER = re.compile(r"data:image/(?:png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*\Z")


def url_scheme(url: str) -> str | None:
    """The scheme a browser would see (it ignores whitespace and control characters)."""
    cleaned = "".join(ch for ch in url if ch > " " and ch != "\x7f").lower()
    m = _SCHEME.match(cleaned)
    return m.group(1) if m else None


def safe_link(url: str) -> bool:
    scheme = url_scheme(url)
    return scheme is None or scheme in SAFE_SCHEMES


def _attribute(tag: str, name: str, value: str) -> str | None:
    if name == "src":          # images load nothing: only what is embedded
        return value if tag == "img" and _RASTER.match(value) else None
    if name == "href":
        return value if safe_link(value) else None
    return value


def clean_body(html: str) -> str:
    """An HTML fragment (the document's body) with only the allow-listed markup left."""
    return nh3.clean(html, tags=TAGS, clean_content_tags=CLEAN_CONTENT, attributes=ATTRIBUTES,
                     generic_attribute_prefixes=PREFIXES, attribute_filter=_attribute, strip_comments=True,
                     link_rel=None, url_schemes=SAFE_SCHEMES | {"data"},
                     filter_style_properties=STYLE_PROPERTIES)


def body_markers() -> tuple[str, str]:
    """Two markers that cannot occur in a brief (fresh random text each build), placed around the body
    in the template so exactly the body is cleaned, whatever the brief's raw HTML tries to close."""
    token = secrets.token_hex(16)
    return f"<!--cb-body-{token}-->", f"<!--cb-end-{token}-->"


def clean_document(document: str, markers: tuple[str, str], shown: str) -> str:
    start, end = markers
    if document.count(start) != 1 or document.count(end) != 1:
        raise CitebriefError("the HTML writer's output has an unexpected shape", shown, exit_code=1)
    head, rest = document.split(start)
    body, tail = rest.split(end)
    return head + clean_body(body) + tail
