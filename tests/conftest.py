"""Shared test helpers: a throwaway brief project linted through the real engine, and headless Chromium."""

from __future__ import annotations

import contextlib
import os
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


@pytest.fixture
def project(tmp_path, monkeypatch) -> Project:
    monkeypatch.chdir(tmp_path)
    return Project(tmp_path)


@pytest.fixture
def deny_reading(monkeypatch):
    """Make reading the named files fail with EACCES, as chmod 000 does for anyone but root
    (tests run as root in CI, where chmod alone would not make a file unreadable)."""
    denied: set[str] = set()
    real = Path.read_bytes

    def read_bytes(self):
        if self.name in denied:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
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
