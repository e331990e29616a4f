"""The one place that finds and runs pandoc (bundled by pypandoc-binary: no system install)."""

from __future__ import annotations

import functools
import os
import re
import subprocess
from pathlib import Path

from citebrief.errors import CitebriefError


# pandoc's GHC runtime: a small allocation area (fits the CPU cache) and an old generation that is
# not collected before it reaches 512 MB. On a 100,000-word brief every pandoc pass (citeproc, html,
# docx, typst) runs 15-30% faster, the plain parse lint uses ~12%; small briefs never reach the limit. A GHCRTS set by the user wins.
PANDOC_RTS = "-A1m -O512m"


_rts_accepted = True     # False once a pandoc built without -rtsopts refused PANDOC_RTS


def pandoc_env(epoch: int | None = None) -> dict[str, str]:
    env = dict(os.environ)
    if _rts_accepted:
        env.setdefault("GHCRTS", PANDOC_RTS)
    if epoch is not None:
        env.setdefault("SOURCE_DATE_EPOCH", str(epoch))
    return env


def rts_refused(returncode: int, stderr: bytes) -> bool:
    """Did pandoc stop at once because it takes no runtime options (built without -rtsopts)? Then
    they are not passed again and the caller runs pandoc once more."""
    global _rts_accepted
    if returncode != 0 and "GHCRTS" not in os.environ and b"rtsopts" in stderr:
        _rts_accepted = False
        return True
    return False


@functools.lru_cache(maxsize=1)
def pandoc_path() -> str:
    try:
        import pypandoc

        return pypandoc.get_pandoc_path()
    except (ImportError, OSError) as exc:  # pragma: no cover - broken install
        raise CitebriefError(f"pandoc not found ({exc}); reinstall citebrief") from exc


@functools.lru_cache(maxsize=1)
def pandoc_version() -> str:
    out = subprocess.run([pandoc_path(), "--version"], capture_output=True, text=True, check=True)
    return out.stdout.split()[1]


def run_pandoc(args: list[str], *, input_bytes: bytes | None = None, source: str | Path | None = None,
               timeout: float | None = None) -> bytes:
    """Run pandoc and return stdout; a failure becomes a one-line CitebriefError naming ``source``."""
    try:
        proc = subprocess.run([pandoc_path(), *args], input=input_bytes, capture_output=True, timeout=timeout,
                              env=pandoc_env())
        if rts_refused(proc.returncode, proc.stderr):
            proc = subprocess.run([pandoc_path(), *args], input=input_bytes, capture_output=True,
                                  timeout=timeout, env=pandoc_env())
    except subprocess.TimeoutExpired as exc:
        raise CitebriefError(f"pandoc timed out after {timeout:.0f}s", source) from exc
    if proc.returncode != 0:
        message, line = explain_failure(proc.stderr)
        raise CitebriefError(message, source, line)
    return proc.stdout


_YAML_ERROR = re.compile(r"YAML parse exception at line (\d+), column \d+,?\s*(.*)", re.S)


def explain_failure(stderr: bytes) -> tuple[str, int | None]:
    """A one-line message (and source line, when pandoc gives one) for a pandoc failure."""
    text = stderr.decode("utf-8", "replace").strip()
    m = _YAML_ERROR.search(text)
    if m:   # pandoc counts the front matter's lines from 0
        detail = " ".join(m.group(2).split()).rstrip(":")
        return f"invalid YAML front matter: {detail}", int(m.group(1)) + 1
    return f"pandoc failed: {first_line(stderr)}", None


def first_line(stderr: bytes) -> str:
    text = stderr.decode("utf-8", "replace").strip()
    return text.splitlines()[0] if text else "no message"
