"""``citebrief compile --watch``: rebuild a brief whenever it, its bibliography or the style changes.

Polling (``os.stat`` every ``poll`` seconds) needs no dependency and works the same on every
platform and file system, network shares and editors that save by renaming included. A change
starts a short debounce: the rebuild waits until the files have been quiet for ``debounce``
seconds, so one save that touches several files (or writes a file in pieces) rebuilds once.

The rebuild itself is the compile stage's own ``compile_paths`` (lint gate, findings and all):
nothing about compiling is repeated here. ``stop`` (a ``threading.Event``) ends the loop from
another thread, which is how the tests drive it; Ctrl-C ends it with exit code 130.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import click

from citebrief.config import Config
from citebrief.engine import collect_briefs, display_path
from citebrief.errors import CitebriefError
from citebrief.parse.brief import read_brief
from citebrief.project import is_url

POLL = 0.25        # seconds between looks at the files
DEBOUNCE = 0.3     # seconds the files must stay unchanged before a rebuild

Stamp = tuple[int, int] | None          # (mtime_ns, size), None when the file is missing


def watched_files(paths: Sequence[str], config: Config, csl: str | None = None) -> dict[Path, set[str]]:
    """Each file to watch → the briefs (as named on the command line) that a change to it rebuilds.

    A brief rebuilds itself; a bibliography rebuilds the briefs that use it (front-matter
    ``bibliography:``, read by the one front-matter reader, else the project's); the citation style
    rebuilds every brief. A brief that cannot be read now is watched with the project's bibliography,
    so the save that fixes it rebuilds it (the compile it triggers checks every path).
    """
    targets = collect_briefs(list(paths), config)
    default_bib = config.path(config.bibliography)
    files: dict[Path, set[str]] = {}
    for path, shown in targets:
        files.setdefault(path.resolve(), set()).add(shown)
        try:      # declared files are watched even before they exist: creating one rebuilds the brief
            _source, front = read_brief(path, shown, config.max_input_bytes)
            declared = [path.parent / b for b in front.bibliographies if not is_url(b)]
        except CitebriefError:
            declared = []
        for bib in declared or [default_bib]:
            files.setdefault(bib.resolve(), set()).add(shown)
    style = Path(csl) if csl else config.path(config.csl) if config.csl else None
    if style is not None:
        files.setdefault(style.resolve(), set()).update(shown for _, shown in targets)
    return files


def snapshot(files: Iterable[Path]) -> dict[Path, Stamp]:
    stamps: dict[Path, Stamp] = {}
    for path in files:
        try:
            st = os.stat(path)
            stamps[path] = (st.st_mtime_ns, st.st_size)
        except OSError:
            stamps[path] = None
    return stamps


def _default_compile():
    from citebrief.compile import compile_paths  # the compile stage: imported when first needed
    return compile_paths


def watch(paths: Sequence[str], config: Config, formats: Sequence[str], *, csl: str | None = None,
          stop: threading.Event | None = None, poll: float = POLL, debounce: float = DEBOUNCE,
          echo: Callable[..., None] = click.echo, compile_fn: Callable[..., int] | None = None,
          **compile_options) -> int:
    """Compile ``paths`` now, then again after every change, until ``stop`` is set (→ 0) or Ctrl-C (→ 130).

    ``compile_options`` (``lint``, ``force``, ``quiet``) go to ``compile_paths`` unchanged.
    A failed rebuild (lint errors, a pandoc error) is reported and the watch goes on.
    """
    stop = stop or threading.Event()
    compile_fn = compile_fn or _default_compile()

    def build(targets: list[str], why: str) -> None:
        echo(f"[{time.strftime('%H:%M:%S')}] {why}: compiling {', '.join(targets)}")
        start = time.perf_counter()
        try:
            code = compile_fn(list(targets), config, tuple(formats), csl=csl, echo=echo, **compile_options)
            status = "done" if not code else f"failed (exit {code})"
        except CitebriefError as exc:
            echo(f"citebrief: error: {exc}")
            status = f"failed (exit {exc.exit_code})"
        echo(f"[{time.strftime('%H:%M:%S')}] {status} in {time.perf_counter() - start:.2f} s; "
             "watching for changes (Ctrl-C to stop)")

    def rescan(previous: dict[Path, set[str]]) -> dict[Path, set[str]]:
        try:
            return watched_files(paths, config, csl)
        except CitebriefError:        # e.g. a brief deleted mid-edit: keep watching what we had
            return previous

    try:
        files = watched_files(paths, config, csl)      # a bad path on the command line ends it here (exit 2)
        everything = _briefs(files)
        state = snapshot(files)
        build(everything, "start")
        while not stop.wait(poll):
            latest = rescan(files)
            now = snapshot(latest)
            if now == state:
                continue
            while not stop.wait(debounce):             # wait until the files stay quiet
                latest = rescan(latest)
                again = snapshot(latest)
                if again == now:
                    break
                now = again
            else:
                break
            changed = sorted(p for p in now.keys() | state.keys() if now.get(p) != state.get(p))
            targets = set()
            for p in changed:
                targets |= latest.get(p) or files.get(p) or set()
            targets &= set(_briefs(latest))            # a brief deleted from a watched folder is not rebuilt
            files, state = latest, now                 # edits made during the build are seen next time
            if targets:
                build(sorted(targets), "changed " + ", ".join(display_path(p) for p in changed))
    except KeyboardInterrupt:
        echo("stopped")
        return 130
    return 0


def _briefs(files: dict[Path, set[str]]) -> list[str]:
    seen: dict[str, None] = {}
    for shown in files.values():
        for s in sorted(shown):
            seen.setdefault(s, None)
    return list(seen)
