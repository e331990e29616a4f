"""The compiled HTML in a real browser (headless Chromium): phone and desktop widths, no horizontal
overflow, no console errors, no network requests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS, browse, needs_chromium

from citebrief.compile import compile_paths
from citebrief.config import Config

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


def test_printed_flags_stay_visible_without_colour(html_file):
    """Printing drops background colours: a flag keeps an underline and its mark, in black."""
    with browse(html_file, 800, 1000) as (page, console, requests):
        page.emulate_media(media="print")
        style = page.evaluate("""() => {
            const s = getComputedStyle(document.getElementById('limitation-1'));
            const m = document.querySelector('#limitation-1 a.limitation-marker');
            const ms = getComputedStyle(m);
            return {line: s.textDecorationLine, colour: s.textDecorationColor, bg: s.backgroundColor,
                    marker: m.innerText, display: ms.display, visibility: ms.visibility, markerColour: ms.color};
        }""")
        assert "underline" in style["line"] and style["colour"] == "rgb(0, 0, 0)"
        assert style["bg"] in ("rgba(0, 0, 0, 0)", "transparent")      # what a printer would drop anyway
        assert style["marker"] == "L1" and style["display"] != "none" and style["visibility"] == "visible"
        assert style["markerColour"] == "rgb(0, 0, 0)"
        # nothing a reader needs is hidden in print: the flagged list, references, the footer
        for selector in ("#flagged-in-the-text", "#refs", ".colophon", ".front-matter"):
            assert page.locator(selector).is_visible(), selector
        # a heading is never split across pages nor left alone at a page's foot (the flagship's two-line
        # "1. Delegation: ..." heading was, printed from Chromium)
        heading = page.evaluate("(() => { const s = getComputedStyle(document.querySelector('main h2'));"
                                " return [s.breakInside, s.breakAfter]; })()")
        assert heading == ["avoid", "avoid"]
        assert console == [] and requests == []


def test_dark_colour_scheme_and_no_script_runs(html_file):
    from playwright import sync_api

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(color_scheme="dark")
            errors = []
            page.on("console", lambda m: errors.append(m.text))
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(html_file.resolve().as_uri(), wait_until="load")
            bg = page.evaluate("getComputedStyle(document.body).backgroundColor")
            assert bg == "rgb(23, 24, 26)"
            # the JSON-LD block is data: it is in the page, nothing ran, and the CSP still allows no script
            assert page.evaluate("document.scripts.length") == 1
            assert page.evaluate("JSON.parse(document.scripts[0].textContent)['@type']") == "Report"
            csp = page.evaluate("document.querySelector('meta[http-equiv]').content")
            assert "default-src 'none'" in csp and "script-src" not in csp
            assert errors == []
        finally:
            browser.close()
