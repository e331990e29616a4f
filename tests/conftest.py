"""Shared test helpers: a throwaway brief project linted through the real engine, and headless Chromium."""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import re
import threading
import time as _time
from datetime import date
from pathlib import Path

import pytest

from citebrief.config import Config
from citebrief.engine import lint_paths

DATA = Path(__file__).parent / "data"

# The bibliography a test project gets unless the test brings its own: one complete entry, key "a".
DEFAULT_BIB = """@online{a,
  author = {{Example Agency}},
  title = {An Example Source},
  date = {2025-06-01},
  url = {https://example.org/a},
  urldate = {2025-11-20},
}
"""


def update_golden() -> bool:
    """True when ``CITEBRIEF_UPDATE_GOLDEN=1`` asks to rewrite golden files instead of comparing.

    Never in CI (the ``CI`` variable set, as GitHub Actions and most CI services do): there a
    rewrite would turn every regression into a pass, so asking for one fails the test instead.
    """
    if os.environ.get("CITEBRIEF_UPDATE_GOLDEN") != "1":
        return False
    if os.environ.get("CI"):
        pytest.fail("CITEBRIEF_UPDATE_GOLDEN=1 with CI set: golden files are never regenerated in CI "
                    "(regenerate them locally and commit the reviewed diff)", pytrace=False)
    return True


JSON_LD = re.compile(r'<script type="application/ld\+json">([^<]*)</script>')


def without_json_ld(html: str) -> str:
    """The page without its one schema.org block, after checking that the block is data only: JSON
    text with no "<" at all (so nothing can close the script or open a comment), in the head, and
    that nothing else in the page calls itself a script. Then ``"<script" not in`` the result is the
    check that no script can run."""
    blocks = JSON_LD.findall(html)
    assert len(blocks) == 1, "exactly one JSON-LD block"
    json.loads(blocks[0])
    assert html.index('<script type="application/ld+json">') < html.index("</head>")
    return JSON_LD.sub("", html, count=1)


def citation_ids(node) -> list[str]:
    """Every citation key in a pandoc AST (or part of one), in order: what pandoc itself read."""
    ids: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("t") == "Cite":
                ids.extend(c["citationId"] for c in node["c"][0])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(node)
    return ids


class Project:
    def __init__(self, root: Path):
        self.root = root

    def write(self, name: str, text: str | bytes) -> Path:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8", newline="")
        return path

    def lint(self, brief: str, bib: str = DEFAULT_BIB, today: str = "2025-12-01", **config):
        path = self.write("brief.md", brief)
        self.write("references.bib", bib)
        cfg = Config(root=self.root, **config)
        return lint_paths([str(path)], cfg, today=date.fromisoformat(today))


@pytest.fixture(autouse=True)
def _own_cache(tmp_path_factory, monkeypatch):
    """Each test session has its own user cache (extracted snapshot text), not the machine's."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "xdg-cache"))


@pytest.fixture
def project(tmp_path, monkeypatch) -> Project:
    monkeypatch.chdir(tmp_path)
    return Project(tmp_path)


@pytest.fixture
def deny_reading(monkeypatch):
    """Make reading the named files fail with EACCES, as chmod 000 does for anyone but root
    (tests run as root in CI, where chmod alone would not make a file unreadable)."""
    denied: set[str] = set()
    real_read_bytes, real_open = Path.read_bytes, os.open

    def read_bytes(self):
        if self.name in denied:
            raise PermissionError(13, "Permission denied", str(self))
        return real_read_bytes(self)

    def os_open(path, flags, *args, **kwargs):
        if os.path.basename(path) in denied:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    monkeypatch.setattr(os, "open", os_open)
    return denied.add


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# On a laptop without Chromium the browser tests are skipped; in CI (.ci/run installs it) they must run.
needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists() and not os.environ.get("CI"),
                                    reason="needs Chromium at /usr/bin/chromium (apt-get install chromium)")


@contextlib.contextmanager
def browse(path: Path, width: int, height: int):
    """Open a local page in headless Chromium; yields (page, console problems, network requests)."""
    from playwright import sync_api

    url = path.resolve().as_uri()
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            console, requests = [], []
            page.on("console", lambda m: console.append(m) if m.type in ("error", "warning") else None)
            page.on("pageerror", lambda e: console.append(e))
            page.on("request", lambda r: requests.append(r.url) if r.url != url else None)
            page.goto(url, wait_until="load")
            yield page, console, requests
        finally:
            browser.close()


# --- a local web server for the network commands (snapshot, links): no test touches the internet


class _Pages(http.server.BaseHTTPRequestHandler):
    """Routes: /ok.html /page.txt /report.pdf /moved (301) /found (302) /gone (410) /missing (404)
    /error (500) /flaky (503 once, then 200) /slow (answers after 3 s) /nohead (HEAD 405, GET 200)
    /image.png (a type citebrief does not keep) /big (more than 2 MB) /loop (redirects forever)
    /doi/10.5555/good (302, a registered DOI) and /doi/<anything else> (404)."""

    server_version = "citebrief-test"
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):     # quiet
        pass

    def _send(self, status, body=b"", content_type="text/html; charset=utf-8", headers=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self):
        if self.path.startswith("/nohead"):
            return self._send(405)
        self.do_GET()

    def do_GET(self):
        pages = self.server.pages
        pages.hits.append((self.command, self.path))
        path = self.path.split("?", 1)[0]
        if path in pages.bodies:
            content_type, body = pages.bodies[path]
            return self._send(200, body, content_type)
        if path.startswith("/doi/"):          # a stand-in for doi.org: one registered DOI
            if path == "/doi/10.5555/good":
                return self._send(302, headers=[("Location", "/ok.html")])
            return self._send(404, b"DOI not found")
        if path == "/moved":
            return self._send(301, headers=[("Location", "/ok.html")])
        if path == "/found":
            return self._send(302, headers=[("Location", "/ok.html")])
        if path == "/loop":
            return self._send(302, headers=[("Location", "/loop")])
        if path == "/gone":
            return self._send(410, b"gone")
        if path == "/error":
            return self._send(500, b"oops")
        if path == "/flaky":
            pages.flaky += 1
            return self._send(503 if pages.flaky == 1 else 200, b"<p>Back again after a hiccup.</p>")
        if path == "/slow":
            _time.sleep(3)
            return self._send(200, b"<p>too late</p>")
        if path == "/nohead":
            return self._send(200, b"<html><body><p>GET works here, HEAD does not.</p></body></html>")
        if path == "/big":
            return self._send(200, b"x" * (2 * 1024 * 1024 + 10), "text/plain")
        return self._send(404, b"not found")


class Pages:
    def __init__(self, server):
        self.server = server
        self.hits: list[tuple[str, str]] = []
        self.flaky = 0
        self.bodies: dict[str, tuple[str, bytes]] = {
            "/ok.html": ("text/html; charset=utf-8", b"<html><body><p>An ordinary page.</p></body></html>"),
            "/image.png": ("image/png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
        }

    @property
    def base(self) -> str:
        return f"http://localhost:{self.server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path


@pytest.fixture
def pages(monkeypatch):
    """A web server on 127.0.0.1 (a free port) for this test only; ``pages.bodies`` adds pages.
    Politeness is for other people's servers: no pauses for this one, and short backoffs."""
    from citebrief.evidence import net
    monkeypatch.setitem(net.POLITENESS, "per_host_delay", 0)
    monkeypatch.setitem(net.POLITENESS, "backoff", 0.01)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    server.daemon_threads = True
    server.pages = Pages(server)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server.pages
    finally:
        server.shutdown()
        server.server_close()


# --- the evidence fixture project (tests/data/evidence/project), its PDF snapshot made with typst

TRIBUNE_TYPST = """#set page(width: 14cm, height: auto, margin: 1cm)
#set text(size: 10pt)
= Bill requiring that Texas sheriffs work with federal immigration authorities heads to governor's desk
_By Alejandro Serrano, June 1, 2025_

Senate Bill 8 would require sheriffs who run jails to seek 287(g) agreements with federal immigration
authorities. About 234 of the state's 254 counties run a jail.

The bill passed the Senate 20–11 and the House 89–52. Its sponsor framed it as a matter of public safety.
"""


def make_pdf(typst_source: str) -> bytes:
    import typst
    return typst.compile(typst_source.encode("utf-8"), ignore_system_fonts=True)


@pytest.fixture
def evidence_project(tmp_path, monkeypatch) -> Path:
    """A copy of tests/data/evidence/project with its PDF snapshot made; the current folder."""
    import shutil
    root = tmp_path / "project"
    shutil.copytree(DATA / "evidence" / "project", root)
    (root / "sources" / "tribune.pdf").write_bytes(make_pdf(TRIBUNE_TYPST))
    monkeypatch.chdir(root)
    return root
