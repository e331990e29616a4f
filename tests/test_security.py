"""A hostile brief cannot leak, fetch, inject or hang (issue: one trust boundary for every input).

Every attack runs against a project whose CI environment holds a canary secret (an environment
variable) and whose machine holds a canary file outside the project. After each attack, nothing a
reader or a CI log could see may contain either canary: the HTML (data: URIs decoded), every part of
the DOCX, the PDF's text and metadata, stdout/stderr, and every lint format. A local HTTP server
stands in for the network: it must never receive a request.
"""

from __future__ import annotations

import base64
import http.server
import re
import shutil
import threading
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import without_json_ld

from citebrief.cli import main

DATA = Path(__file__).parent / "data" / "compile"
ENV_CANARY = "cb-env-canary-4f1d9a"
FILE_CANARY = "cb-file-canary-77e0c2"


# --- the stage -----------------------------------------------------------------------------

class Server:
    """A local web server that records every request (none may arrive)."""

    def __init__(self):
        requests: list[str] = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):          # noqa: N802 - the stdlib's name
                requests.append(self.path)
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"<style/>")

            do_HEAD = do_GET           # noqa: N815

            def log_message(self, *args):
                pass

        self.requests = requests
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()


@pytest.fixture
def stage(tmp_path, monkeypatch):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(f"TOKEN={FILE_CANARY}\n")
    (outside / "secret.bib").write_text(f"@misc{{k, title = {{{FILE_CANARY}}}, author = {{A}}, year = 2020}}\n")
    (outside / "secret.png").write_bytes(_png(FILE_CANARY.encode()))
    proj = tmp_path / "proj"
    proj.mkdir()
    shutil.copy(DATA / "references.bib", proj / "references.bib")
    (proj / "pyproject.toml").write_text('[tool.citebrief]\nmanuscript = "."\n')
    monkeypatch.setenv("CB_SECRET_TOKEN", ENV_CANARY)
    monkeypatch.chdir(proj)
    server = Server()
    yield proj, outside, server
    server.close()


def brief(front: str = "", body: str = "A claim about agreements [@ice2025].\n") -> str:
    return (f"---\ntitle: Attack\nchecked: 2025-11-27\n{front}---\n\n{body}\n"
            "# Limitations\n\nOne year only.\n")


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def everything_visible(proj: Path, *results) -> str:
    """All a reader or a CI log could see: outputs (decoded), their metadata, and the commands' output."""
    parts = [r.output + (r.stderr or "") for r in results]
    out = proj / "out"
    for path in sorted(out.glob("*")) if out.exists() else []:
        if path.suffix == ".html":
            text = path.read_text(encoding="utf-8", errors="replace")
            parts.append(text)
            for b64 in re.findall(r"base64,([A-Za-z0-9+/=]+)", text):
                parts.append(base64.b64decode(b64).decode("latin-1"))
        elif path.suffix == ".docx":
            with zipfile.ZipFile(path) as z:
                parts += [z.read(n).decode("latin-1") for n in z.namelist()]
        elif path.suffix == ".pdf":
            from pypdf import PdfReader
            reader = PdfReader(path)
            parts += [page.extract_text() for page in reader.pages]
            parts.append(str(reader.metadata))
            parts.append(path.read_bytes().decode("latin-1"))
    return "\n".join(parts)


def assert_nothing_leaked(proj, server, *results):
    seen = everything_visible(proj, *results)
    assert ENV_CANARY not in seen
    assert FILE_CANARY not in seen
    assert server.requests == []
    for r in results:
        assert "Traceback" not in r.output


def attack(proj, server, text, *, expect_refusal: str | None = None, formats=("--pdf", "--docx", "--html")):
    (proj / "attack.md").write_text(text, encoding="utf-8")
    compiled = run("compile", "attack.md", *formats, "--no-lint", "--force")
    linted = [run("lint", "attack.md", "--format", fmt) for fmt in ("text", "json", "github", "sarif")]
    assert_nothing_leaked(proj, server, compiled, *linted)
    if expect_refusal is not None:
        assert compiled.exit_code in (1, 2), compiled.output
        errors = [ln for ln in compiled.stderr.splitlines() if ln.startswith("citebrief: error:")]
        assert len(errors) == 1 and expect_refusal in errors[0], compiled.stderr
        assert not list((proj / "out").glob("attack.*")) if (proj / "out").exists() else True
    return compiled


# --- local files into outputs -----------------------------------------------------------

@pytest.mark.parametrize("target", ["{outside}/secret.txt", "{outside}/secret.png", "../outside/secret.png",
                                    "/proc/self/environ", "link.png", "linkdir/secret.png"])
def test_images_outside_the_project_are_refused(stage, target):
    proj, outside, server = stage
    (proj / "link.png").symlink_to(outside / "secret.png")
    (proj / "linkdir").symlink_to(outside)
    path = target.format(outside=outside)
    attack(proj, server, brief(body=f"A chart of agreements [@ice2025].\n\n![x [@ice2025]]({path})\n"),
           expect_refusal="outside the project")


def test_a_file_that_is_not_an_image_is_refused(stage):
    proj, _outside, server = stage
    (proj / "notes.png").write_text(f"not an image {FILE_CANARY}")
    attack(proj, server, brief(body="Text [@ice2025].\n\n![x [@ice2025]](notes.png)\n"),
           expect_refusal="is not a PNG, JPEG, GIF or WebP image")


@pytest.mark.parametrize("field", ["subtitle", "author", "title", "short-title", "keywords", "date"])
def test_images_in_front_matter_never_reach_a_writer(stage, field):
    proj, outside, server = stage
    value = f"![pic]({outside}/secret.png) and ![web]({server.url}/x.png)"
    compiled = attack(proj, server, brief(front=f"{field}: '{value}'\n"))
    assert compiled.exit_code == 0, compiled.output


def test_latex_includes_in_a_bibliography_title_are_refused(stage):
    proj, outside, server = stage
    (proj / "references.bib").write_text(
        (DATA / "references.bib").read_text() +
        f"@misc{{inc, title = {{A \\includegraphics{{{outside}/secret.png}} \\input{{{outside}/secret.txt}}}},"
        " author = {A}, year = 2020}\n")
    attack(proj, server, brief(body="A claim citing a hostile entry [@inc].\n"),
           expect_refusal="outside the project")


# --- raw markup in front matter --------------------------------------------------------

@pytest.mark.parametrize("field", ["title", "subtitle", "author", "short-title", "keywords"])
@pytest.mark.parametrize("payload", [
    '`#read("{outside}/secret.txt")`{{=typst}}',
    '`<w:r><w:t>{env}</w:t></w:r>`{{=openxml}}',
    '`<meta http-equiv="refresh" content="0;url={url}/">`{{=html}}',
    '<script src="{url}/x.js"></script><img src=x onerror="fetch(\'{url}\')">',
])
def test_raw_markup_in_front_matter_is_text(stage, field, payload):
    proj, outside, server = stage
    value = payload.format(outside=outside, url=server.url, env=ENV_CANARY).replace("'", "''")
    compiled = attack(proj, server, brief(front=f"{field}: '{value}'\n"))
    assert compiled.exit_code == 0, compiled.output
    html = without_json_ld((proj / "out" / "attack.html").read_text())
    assert "<script" not in html.lower() and 'http-equiv="refresh"' not in html
    with zipfile.ZipFile(proj / "out" / "attack.docx") as z:
        assert ENV_CANARY not in z.read("word/document.xml").decode()


def test_raw_html_in_lang_cannot_open_a_tag(stage):
    proj, _outside, server = stage
    attack(proj, server, brief(front=f"""lang: '"><script>fetch("{server.url}")</script><x y="'\n"""))
    html = without_json_ld((proj / "out" / "attack.html").read_text())
    assert '<html lang="en">' in html and "<script" not in html
    assert html.index("Content-Security-Policy") < html.index("<title>")
    assert html.index("Content-Security-Policy") < html.index("<meta charset")


def test_other_front_matter_fields_are_dropped(stage):
    proj, outside, server = stage
    front = (f"header-includes: '<script>fetch(\"{server.url}\")</script>'\n"
             f"include-before: '`#read(\"{outside}/secret.txt\")`{{=typst}}'\n"
             f"css: {server.url}/style.css\n"
             f"citation-abbreviations: {outside}/secret.txt\n"
             f"abstract: '`#read(\"{outside}/secret.txt\")`{{=typst}}'\n")
    compiled = attack(proj, server, brief(front=front))
    assert compiled.exit_code == 0, compiled.output


# --- network and files outside the project through pandoc ----------------------------------

@pytest.mark.parametrize("front,needle", [
    ("csl: {url}/style.csl\n", "is a URL"),
    ("bibliography:\n  - references.bib\n  - {url}/x.bib\n", "is a URL"),
    ("bibliography: {outside}/secret.bib\n", "outside the project"),
    ("bibliography: ../outside/secret.bib\n", "outside the project"),
    ("csl: {outside}/secret.txt\n", "outside the project"),
    ("csl: /proc/self/environ\n", "outside the project"),
])
def test_files_and_urls_named_in_front_matter_are_refused(stage, front, needle):
    proj, outside, server = stage
    text = brief(front=front.format(url=server.url, outside=outside))
    (proj / "attack.md").write_text(text)
    compiled = run("compile", "attack.md", "--html", "--no-lint", "--force")
    assert compiled.exit_code == 2 and needle in compiled.stderr and len(compiled.stderr.strip().splitlines()) == 1
    assert_nothing_leaked(proj, server, compiled)


def test_a_csl_symlink_to_the_environment_is_refused(stage):
    proj, _outside, server = stage
    (proj / "style.csl").symlink_to("/proc/self/environ")
    attack(proj, server, brief(front="csl: style.csl\n"), expect_refusal="outside the project")
    result = run("compile", "attack.md", "--html", "--csl", "style.csl", "--force")
    assert result.exit_code == 2 and "outside the project" in result.stderr
    assert_nothing_leaked(proj, server, result)


def test_a_broken_style_inside_the_project_is_summarised_not_echoed(stage):
    proj, _outside, server = stage
    (proj / "style.csl").write_text(f"<style>{ENV_CANARY} {FILE_CANARY} not csl\n")
    compiled = attack(proj, server, brief(front="csl: style.csl\n"), formats=("--html",))
    assert compiled.exit_code == 1 and "pandoc (citeproc) failed" in compiled.stderr


def test_a_brief_that_is_a_symlink_out_of_the_project_is_not_read(stage):
    proj, outside, server = stage
    (outside / "brief.md").write_text(brief(body=f"{FILE_CANARY} is a claim nobody cited.\n"))
    (proj / "attack.md").symlink_to(outside / "brief.md")
    for args in (["lint", "attack.md", "--format", "github"], ["compile", "attack.md", "--html"]):
        result = run(*args)
        assert result.exit_code == 2 and "outside the project" in result.stderr
        assert_nothing_leaked(proj, server, result)


# --- workflow-command injection ---------------------------------------------------------------

def test_newlines_in_messages_cannot_forge_workflow_commands(stage):
    proj, _outside, server = stage
    forged = "x\n::error file=README.md,line=1::forged\n::add-mask::y"
    (proj / "attack.md").write_text(brief(front="bibliography: |\n  x\n  ::error file=README.md::forged\n"))
    result = run("lint", "attack.md", "--format", "github")
    assert result.exit_code == 2
    assert not [ln for ln in (result.output + result.stderr).splitlines() if ln.startswith("::")]
    (proj / "attack.md").write_text(brief(body=f"An uncited claim {forged} here.\n"))
    result = run("lint", "attack.md", "--format", "github")
    commands = [ln for ln in result.output.splitlines() if ln.startswith("::")]
    ours = re.compile(r"::(error|warning) file=[^,:]+,line=\d+,col=\d+,title=[a-z-]+::")
    assert commands and all(ours.match(ln) for ln in commands), commands
    assert "::error file=README.md" in result.output      # the text is there, escaped inside our own command


# --- what reaches the browser -----------------------------------------------------------------

def test_raw_html_in_the_body_is_sanitized(stage):
    proj, _outside, server = stage
    body = ("A claim [@ice2025].\n\n"
            f'<div style="position:fixed;top:0;left:0;width:100%;height:100%;background:u\\rl({server.url})">'
            "overlay</div>\n\n"
            f'<p style="color:red;background-image:url({server.url}/x.png)">styled</p>\n\n'
            f'<img src="{server.url}/pixel.png"><a href="javascript:alert(1)">js</a> '
            f'<a href="{server.url}/page">a link</a>\n\n'
            "</main></body><script>alert(1)</script><body>\n\n"
            "<svg><script>alert(1)</script></svg><iframe src='x'></iframe>\n")
    compiled = attack(proj, server, brief(body=body), formats=("--html",))
    assert compiled.exit_code == 0, compiled.output
    html = without_json_ld((proj / "out" / "attack.html").read_text())
    main = html[html.index("<main>"):html.index("</main>")]
    assert "position" not in main and "url(" not in main and "u\\rl" not in main
    assert "<script" not in html and "<iframe" not in html and "javascript:" not in html
    assert f'src="{server.url}' not in html
    assert 'style="color:red"' in main            # harmless styling survives
    assert f'href="{server.url}/page"' in main    # an ordinary link stays a link (it is not fetched)
    assert html.count("</main>") == 1


# --- resource exhaustion: each ends within seconds, one line, exit 2 (or a finding) -----------

ALIASES = "---\n" + "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)) + "---\n\nText.\n"
STRINGS = "@string{s0 = {xxxxxxxx}}\n" + "".join(f"@string{{s{i + 1} = s{i} # s{i}}}\n" for i in range(30)) + \
          "@misc{a, title = s30, author = {A}, year = 2020}\n"


@pytest.mark.parametrize("name,content,needle", [
    ("aliases.md", ALIASES, "aliases"),
    ("quotes.md", ">" * 10000 + " deep\n", "nested more than 100"),
    ("lists.md", "".join("  " * i + "- x\n" for i in range(300)), "nested more than 100"),
    ("brackets.md", "[" * 30 + "x" + "]" * 30 + "\n", "square brackets nested"),
    ("huge.md", "word " * 5_000_000, "input limit"),
])
def test_resource_bombs_end_in_seconds(tmp_path, name, content, needle):
    _bounded(tmp_path, name, content, ["lint", name], 2, needle)
    _bounded(tmp_path, name, content, ["compile", name, "--no-lint", "--html"], 2, needle)


def test_string_doubling_is_bounded(tmp_path):
    brief_text = "---\ntitle: T\nchecked: 2025-11-27\n---\n\nA claim [@a].\n\n# Limitations\n\nOne.\n"
    (tmp_path / "references.bib").write_text(STRINGS)
    result = _bounded(tmp_path, "b.md", brief_text, ["lint", "b.md"], 1, "")
    assert "bib-syntax" in result.stdout and "grows past 64 KB" in result.stdout


def test_crossref_cycle_is_a_finding_and_never_reaches_pandoc(tmp_path):
    brief_text = "---\ntitle: T\nchecked: 2025-11-27\n---\n\nA claim [@a].\n\n# Limitations\n\nOne.\n"
    (tmp_path / "references.bib").write_text("@misc{a, crossref = {b}, title = {A}, author = {X}, year = 2020}\n"
                                             "@misc{b, crossref = {a}, title = {B}, author = {X}, year = 2020}\n")
    lint = _bounded(tmp_path, "b.md", brief_text, ["lint", "b.md"], 1, "")
    assert "references.bib:2:1: error bib-syntax: crossref/xdata loop" in lint.stdout
    _bounded(tmp_path, "b.md", brief_text, ["compile", "b.md", "--no-lint", "--html"], 1, "crossref/xdata loop")


def _bounded(folder: Path, name: str, content: str, args: list[str], code: int, needle: str):
    """Run the CLI in a child process with a 1.5 GB address-space cap and a 30 s deadline."""
    import subprocess
    import sys
    (folder / name).write_text(content)
    limit = "import resource; resource.setrlimit(resource.RLIMIT_AS, (1536 << 20, 1536 << 20)); "
    cmd = [sys.executable, "-c", limit + "from citebrief.cli import main; main()", *args]
    result = subprocess.run(cmd, cwd=folder, capture_output=True, text=True, timeout=30)
    assert result.returncode == code, result.stderr + result.stdout
    assert "Traceback" not in result.stderr
    if code == 2:
        assert len(result.stderr.strip().splitlines()) == 1 and needle in result.stderr, result.stderr
    elif needle:
        assert needle in result.stderr, result.stderr
    return result


def _png(payload: bytes) -> bytes:
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"tEXt", b"Comment\x00" + payload) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
            + chunk(b"IEND", b""))


def test_an_id_cannot_become_typst_code(stage):
    """A flagged span's id is used in citebrief's own raw typst (the flag's page number): an id written
    to close the label and call typst functions stays an id, or is replaced."""
    proj, outside, server = stage
    body = (f'A claim [@ice2025]. [A flagged gap]{{id="a>)#read(\\"{outside}/secret.txt\\")#(<b" .limitation}}.\n\n'
            '[Another gap]{#plain-id .limitation}.\n')
    compiled = attack(proj, server, brief(body=body), formats=("--pdf",))
    assert compiled.exit_code == 0, compiled.output
    from pypdf import PdfReader
    text = "".join(p.extract_text() for p in PdfReader(proj / "out" / "attack.pdf").pages)
    assert "A flagged gap" in text and "Another gap" in text
