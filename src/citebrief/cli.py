"""The command line: a thin Click layer over plain functions that return exit codes."""

from __future__ import annotations

import sys

import click

from citebrief import __version__
from citebrief.errors import CitebriefError


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

# --- rules ------------------------------------------------------------------

# --- compile ----------------------------------------------------------------

# --- import / bundle --------------------------------------------------------

# --- init -------------------------------------------------------------------
