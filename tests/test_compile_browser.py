"""The compiled HTML in a real browser (headless Chromium): phone and desktop widths, no horizontal
overflow, no console errors, no network requests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from citebrief.compile import compile_paths
from citebrief.config import Config
from conftest import browse, needs_chromium

DATA = Path(__file__).parent / "data" / "compile"

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def html_file(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("browser")
    for name in ("brief.md", "references.bib"):
        shutil.copy(DATA / name, root / name)
    code = compile_paths([str(root / "brief.md")], Config(root=root, manuscript="."), ("html",),
                         echo=lambda *a, **k: None)
    assert code == 0
    return root / "out" / "brief.html"


@pytest.mark.parametrize("width,height", [(360, 740), (390, 844), (1280, 900)])
def test_renders_without_overflow_errors_or_requests(html_file, width, height):
    with browse(html_file, width, height) as (page, console, requests):
        page.wait_for_timeout(100)
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width, f"horizontal overflow: {scroll_width}px > {width}px"
        assert console == [] and requests == []
        assert page.locator("h1.title").inner_text() == "County jails and federal detainers"
        # readable measure on a desktop, full width on a phone
        box = page.locator("main").bounding_box()
        assert box["width"] == min(width, 640)
        size = page.evaluate("getComputedStyle(document.querySelector('main section > p')).fontSize")
        assert float(size.removesuffix("px")) >= 16
        # flagged spans are visibly marked and the list links back to them
        bg = page.evaluate("getComputedStyle(document.getElementById('limitation-1')).backgroundColor")
        assert bg not in ("rgba(0, 0, 0, 0)", "transparent")
        page.click("#flagged-in-the-text a[href='#limitation-1']")
        assert page.evaluate("location.hash") == "#limitation-1"
