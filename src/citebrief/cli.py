"""The command line: a thin Click layer over plain functions that return exit codes."""

from __future__ import annotations

import sys
from datetime import date

import click

from citebrief import __version__
from citebrief.config import load_config
from citebrief.engine import lint_paths
from citebrief.errors import CitebriefError
from citebrief.reporters import render


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="citebrief")
def main() -> None:
    """citebrief: check that every claim in a brief is cited, then compile it to PDF, DOCX and HTML."""


def run(fn, *args, **kwargs) -> None:
    """Call a command's function; a CitebriefError becomes one line on stderr and its exit code."""
    try:
        code = fn(*args, **kwargs)
    except CitebriefError as exc:
        click.echo(f"citebrief: error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("citebrief: interrupted", err=True)
        sys.exit(130)
    sys.exit(code or 0)


# --- lint -------------------------------------------------------------------

def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    """--select a,b --select c → (a, b, c)"""
    return tuple(v.strip() for value in values for v in value.split(",") if v.strip())


def _today(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise CitebriefError(f"--today must be YYYY-MM-DD, not {value!r}") from None


@main.command(short_help="Check briefs: claims cited, sources complete, gaps flagged.")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github", "sarif"]), default="text",
              show_default=True, help="Output format.")
@click.option("--strict", is_flag=True, help="Warnings fail the check too (exit 1).")
@click.option("--select", multiple=True, metavar="RULE[,RULE]",
              help="Run only these rules (comma-separated; repeatable).")
@click.option("--ignore", multiple=True, metavar="RULE[,RULE]", help="Skip these rules (comma-separated; repeatable).")
@click.option("--scope", type=click.Choice(["sentence", "paragraph"]), help="What one citation covers.")
@click.option("--min-words", type=click.IntRange(min=0), help="Shorter sentences are not claims (default 3).")
@click.option("--max-age-days", type=click.IntRange(min=0), help="Older `checked` dates warn (default 90).")
@click.option("--today", metavar="YYYY-MM-DD", hidden=True, help="Pretend today is this date.")
def lint(paths, fmt, strict, select, ignore, scope, min_words, max_age_days, today):
    """Check briefs: every claim cited, every citation resolved, limitations flagged.

    PATHS are briefs, folders (every .md inside) or .bib files (the briefs that use them);
    default: the manuscript folder. `citebrief rules` lists the rules --select and --ignore take.
    Exit 0 when clean, 1 when errors were found (or warnings with --strict), 2 on bad input.
    """
    run(lint_command, paths, fmt=fmt, strict=strict, today=today,
        overrides=dict(select=_split(select), ignore=_split(ignore), scope=scope, min_words=min_words,
                       max_age_days=max_age_days))


def lint_command(paths, *, fmt="text", strict=False, today=None, overrides=None) -> int:
    config = load_config().with_overrides(**(overrides or {}))
    result = lint_paths(list(paths), config, today=_today(today))
    click.echo(render(fmt, result, color=fmt == "text" and sys.stdout.isatty()), nl=False)
    return result.exit_code(strict)


# --- rules ------------------------------------------------------------------

@main.command("rules", short_help="List every rule, its severity and what it checks.")
def rules_command():
    """List every rule with its default severity and what it checks."""
    from citebrief.rules import ALL_RULES

    width = max(map(len, ALL_RULES))
    for name, rule in ALL_RULES.items():
        click.echo(f"{name:<{width}}  {rule.severity.value:<7}  {rule.summary}")

# --- compile ----------------------------------------------------------------

@main.command("compile", short_help="Compile briefs to PDF, DOCX and HTML in out/.")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--pdf", "pdf", is_flag=True, help="Write out/<brief>.pdf.")
@click.option("--docx", "docx", is_flag=True, help="Write out/<brief>.docx.")
@click.option("--html", "html", is_flag=True, help="Write out/<brief>.html.")
@click.option("--csl", metavar="FILE", help="Citation style (CSL file); default: Chicago author-date.")
@click.option("--no-lint", is_flag=True, help="Compile even if the lint gate finds errors.")
@click.option("--force", is_flag=True, help="Rebuild even when nothing changed.")
@click.option("-q", "--quiet", is_flag=True, help="Print only errors.")
@click.option("--watch", is_flag=True,
              help="Recompile when a brief, its bibliography or the style changes (Ctrl-C stops).")
def compile_cli(paths, pdf, docx, html, csl, no_lint, force, quiet, watch):
    """Compile briefs to out/<brief>.pdf, .docx and .html (no format flag: the configured formats).

    PATHS are briefs or folders (every .md inside); default: the manuscript folder. A brief with
    lint errors is not compiled. Exit 0 when all compiled, 1 when a brief failed, 2 on bad input.
    """
    from citebrief.compile import compile_paths

    formats = tuple(f for f, on in (("pdf", pdf), ("docx", docx), ("html", html)) if on)
    if watch:   # the same compile_paths, again after every change (citebrief/watch.py)
        from citebrief.watch import watch as watch_loop
        run(lambda: watch_loop(list(paths), load_config(), formats, lint=not no_lint, force=force, csl=csl,
                               quiet=quiet))
    run(lambda: compile_paths(list(paths), load_config(), formats, lint=not no_lint, force=force, csl=csl,
                              quiet=quiet))


# --- import / bundle --------------------------------------------------------

@main.command("import", short_help="Turn a plain-text explainer with [n] citations into a brief.")
@click.argument("file", type=click.Path())
@click.option("--out", type=click.Path(), metavar="FILE.md",
              help="Brief to create (default: <manuscript>/<slug-of-title>.md); never overwritten.")
@click.option("--bib", type=click.Path(), metavar="FILE.bib",
              help="Bibliography to append new entries to (default: the configured one).")
def import_cli(file, out, bib):
    """Convert a plain-text explainer with numbered citations ([1], [2] [5]) into a brief.

    Headings, lists, the limitations section and front matter are recognised; each [n] becomes a
    citation key, with an entry built from the explainer's source list or a placeholder that
    `citebrief lint` reports. Existing briefs and entries are never overwritten.
    """
    from citebrief.importer import import_command

    run(import_command, file, out=out, bib=bib)


@main.command("bundle", short_help="Compile finished briefs and package them in out/dist/.")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--allow-stale", is_flag=True,
              help="Bundle briefs checked more than max_age_days ago (marked stale in the index).")
@click.option("--name", metavar="NAME", help="Name of the zip, out/dist/NAME.zip (default: the project folder's).")
@click.option("--title", metavar="TEXT", help="Title of index.html (default: [tool.citebrief] title, "
              "else the project folder's name).")
@click.option("-q", "--quiet", is_flag=True, help="Print only errors.")
@click.option("--today", metavar="YYYY-MM-DD", hidden=True, help="Pretend today is this date.")
def bundle_cli(paths, allow_stale, name, title, quiet, today):
    """Compile finished briefs and package them for readers in out/dist/.

    Writes each brief as <brief>-<checked date>.pdf/.docx/.html, an index.html, a manifest.json
    (hashes, sources, lint summary, versions) and a reproducible NAME.zip of it all. A brief with
    lint errors, or a stale one without --allow-stale, stops the bundle (exit 1; out/dist/ untouched).
    """
    from citebrief.bundle import bundle_paths

    run(lambda: bundle_paths(list(paths), load_config(), name=name, allow_stale=allow_stale,
                             today=_today(today), quiet=quiet, title=title))


# --- init -------------------------------------------------------------------

@main.command("init", short_help="Start a new brief project (never overwrites a file).")
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option("--action", default=None, metavar="OWNER/REPO@REF",
              help="The citebrief GitHub Action the scaffolded workflow uses (default: a placeholder to edit).")
def init(directory, action):
    """Start a new brief project in DIRECTORY (default: here).

    Writes pyproject.toml, manuscript/brief.md, references.bib, .gitignore, a GitHub Actions
    workflow and a pre-commit configuration. Existing files are never overwritten.
    """
    from citebrief.scaffold import ACTION_PLACEHOLDER, init_command
    run(init_command, directory, action=action or ACTION_PLACEHOLDER)


# --- evidence: snapshot / evidence / links ----------------------------------

_NETWORK_HELP = "Also fetch from private addresses (localhost, 10.x, 169.254.x...); refused by default."


@main.command("snapshot", short_help="Save a local copy of each cited source, with its provenance.")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--keys", multiple=True, metavar="KEY[,KEY]", help="Only these cited entries.")
@click.option("--refresh", is_flag=True, help="Fetch again sources that have a snapshot, and say which changed.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True,
              help="Seconds allowed for each source.")
@click.option("--max-mb", type=click.FloatRange(min=0.1), default=20.0, show_default=True,
              help="Largest source kept, in MB.")
@click.option("--allow-private", is_flag=True, help=_NETWORK_HELP)
def snapshot_cli(paths, keys, refresh, timeout, max_mb, allow_private):
    """Save a local copy (snapshot) of each cited source, with its provenance.

    Fetches the url of each entry the briefs cite that has no snapshot yet, stores it beside the
    .bib with sources/<key>.json (URL, time, SHA-256, content type, redirects) and sets the entry's
    file and urldate fields (no other line of the .bib changes). Never overwrites a snapshot
    without --refresh. Exit 0 when every fetch worked, 1 when one failed, 2 on bad input.
    """
    from citebrief.evidence.fetch import snapshot_paths

    run(lambda: snapshot_paths(list(paths), load_config(), keys=_split(keys), refresh=refresh, timeout=timeout,
                               max_mb=max_mb, allow_private=allow_private))


@main.command("evidence", short_help="Show each claim beside the best passages of its sources.")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["html", "json"]), default="html", show_default=True,
              help="html: write out/<brief>.evidence.html; json: print the same data.")
@click.option("--today", metavar="YYYY-MM-DD", hidden=True, help="Pretend today is this date.")
def evidence_cli(paths, fmt, today):
    """Show each claim beside the best-matching passages of the sources it cites.

    Writes out/<brief>.evidence.html (one self-contained page per brief, riskiest claims first,
    quotes and figures marked found or not found, with a summary of the sources), or prints the
    same data as JSON. Exit 0 when written, 2 on bad input.
    """
    from citebrief.evidence.report import evidence_command

    run(evidence_command, list(paths), load_config(), fmt=fmt, today=_today(today))


@main.command("links", short_help="Check the URL and DOI of every cited entry (dead or moved).")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github", "sarif"]), default="text",
              show_default=True, help="Output format.")
@click.option("--strict", is_flag=True, help="Warnings fail the check too (exit 1).")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=15.0, show_default=True,
              help="Seconds allowed for each request.")
@click.option("--cache-hours", type=click.FloatRange(min=0), default=None,
              help="Reuse settled answers this recent from out/.cache (default: link_cache_hours, 24; 0: never).")
@click.option("--allow-private", is_flag=True, help=_NETWORK_HELP)
def links_cli(paths, fmt, strict, timeout, cache_hours, allow_private):
    """Check the url and doi of every cited entry: dead-link, moved-link, unreachable-link.

    Findings are at the entry's .bib line, in any lint format. Exit 0 when no link is dead
    (moved and unreachable ones are warnings unless --strict), 1 otherwise, 2 on bad input.
    """
    from citebrief.evidence.links import links_paths

    def command() -> int:
        result = links_paths(list(paths), load_config(), allow_private=allow_private, timeout=timeout,
                             cache_hours=cache_hours)
        click.echo(render(fmt, result, color=fmt == "text" and sys.stdout.isatty()), nl=False)
        return result.exit_code(strict)

    run(command)


# --- lsp --------------------------------------------------------------------

@main.command("lsp", short_help="Run the language server: findings in your editor as you type.")
@click.option("--stdio", is_flag=True, help="Talk over standard input and output (the default, and the only way).")
@click.option("--debounce-ms", type=click.IntRange(min=0), default=300, show_default=True,
              help="Lint this long after the last keystroke.")
@click.option("--today", metavar="YYYY-MM-DD", hidden=True, help="Pretend today is this date.")
def lsp_cli(stdio, debounce_ms, today):
    """Run the language server for editors (diagnostics as you type, key completion, hover, fixes).

    Needs the lsp extra: pip install 'citebrief[lsp]'. See the README for editor settings.
    """
    from citebrief.lsp import serve

    run(lambda: serve(debounce_ms=debounce_ms, today=_today(today)))
