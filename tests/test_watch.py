"""`citebrief compile --watch`: the polling loop, driven from a thread with a stop event.

The tests wait on events (a build recorded, a line printed, a look at the files taken), never on
a sleep that guesses how long the watcher needs: on a loaded machine they just take longer.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

import citebrief.watch as watch_module
from citebrief.config import load_config
from citebrief.errors import CitebriefError
from citebrief.scaffold import init_project
from citebrief.watch import snapshot, watch, watched_files

TIMEOUT = 30.0     # generous: only an upper bound for slow machines, never a measured time


class Recorder:
    """Stands in for compile_paths: records each call and writes out/<brief>.txt from the brief."""

    def __init__(self, root: Path, fail_with: Exception | None = None):
        self.root = root
        self.calls: list[list[str]] = []
        self.kwargs: list[dict] = []
        self.fail_with = fail_with
        self.changed = threading.Condition()

    def __call__(self, paths, config, formats, **kwargs):
        try:
            if self.fail_with is not None:
                raise self.fail_with
            for p in paths:
                out = self.root / "out" / (Path(p).stem + ".txt")
                out.parent.mkdir(exist_ok=True)
                out.write_text(Path(p).read_text(encoding="utf-8"), encoding="utf-8")
            return 0
        finally:                      # recorded once its output is written, so a waiter can read it
            with self.changed:
                self.calls.append(list(paths))
                self.kwargs.append(kwargs)
                self.changed.notify_all()

    def wait_calls(self, n: int) -> bool:
        """Block until at least ``n`` builds have been recorded (False after TIMEOUT)."""
        with self.changed:
            return self.changed.wait_for(lambda: len(self.calls) >= n, TIMEOUT)


class Watcher:
    """Runs watch() in a thread; counts what it prints and each look it takes at the files."""

    def __init__(self, paths, config, **kwargs):
        self.stop = threading.Event()
        self.lines: list[str] = []
        self.scans = 0
        self.changed = threading.Condition()
        self.code = None
        kwargs.setdefault("poll", 0.02)
        kwargs.setdefault("debounce", 0.05)
        self.thread = threading.Thread(
            target=self._run, args=(paths, config), kwargs=dict(stop=self.stop, echo=self._echo, **kwargs), daemon=True)

    def _run(self, paths, config, **kwargs):
        self.code = watch(paths, config, ("html",), **kwargs)

    def _echo(self, message="", **_):
        with self.changed:
            self.lines.append(str(message))
            self.changed.notify_all()

    def _snapshot(self, files):
        stamps = snapshot(files)
        with self.changed:
            self.scans += 1
            self.changed.notify_all()
        return stamps

    def wait(self, condition) -> bool:
        """Block until ``condition()`` holds after something printed or looked at (False after TIMEOUT)."""
        with self.changed:
            return self.changed.wait_for(condition, TIMEOUT)

    def builds_done(self) -> int:
        return sum("watching for changes" in line for line in self.lines)

    def __enter__(self):
        watch_module.snapshot = self._snapshot
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(TIMEOUT)
        watch_module.snapshot = snapshot
        assert not self.thread.is_alive(), "the watch did not stop"


def read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return ""


def touch(path: Path, text: str):
    """Write and make sure the mtime moves even on coarse-grained file systems."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text, encoding="utf-8")
    if path.stat().st_mtime_ns == before:
        os.utime(path, ns=(before + 1_000_000_000, before + 1_000_000_000))


@pytest.fixture
def project(tmp_path, monkeypatch):
    init_project(tmp_path, echo=lambda *a: None)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_watched_files_are_the_brief_its_bibliography_and_the_style(project):
    config = load_config(project)
    files = watched_files([], config)
    brief = (project / "manuscript/brief.md").resolve()
    bib = (project / "references.bib").resolve()
    assert files == {brief: {"manuscript/brief.md"}, bib: {"manuscript/brief.md"}}
    (project / "style.csl").write_text("<style/>")
    files = watched_files([], config, csl="style.csl")
    assert files[(project / "style.csl").resolve()] == {"manuscript/brief.md"}
    # a brief's own front-matter bibliography replaces the project's
    (project / "manuscript/other.md").write_text("---\nbibliography: ../other.bib\n---\n\nText.\n")
    files = watched_files([], config)
    assert files[(project / "other.bib").resolve()] == {"manuscript/other.md"}
    assert files[bib] == {"manuscript/brief.md"}


def test_snapshot_sees_missing_files(tmp_path):
    assert snapshot([tmp_path / "nope"]) == {tmp_path / "nope": None}


def test_watch_compiles_at_start_and_after_each_change(project):
    recorder = Recorder(project)
    config = load_config(project)
    out = project / "out" / "brief.txt"
    with Watcher([], config, compile_fn=recorder, csl=None, lint=True, force=False) as w:
        assert recorder.wait_calls(1) and out.exists()
        assert recorder.calls[0] == ["manuscript/brief.md"]
        assert recorder.kwargs[0] == {"csl": None, "echo": w._echo, "lint": True, "force": False}
        brief = project / "manuscript/brief.md"
        touch(brief, brief.read_text(encoding="utf-8") + "\nA new sentence [@macfarlane-pandoc-manual].\n")
        assert recorder.wait_calls(2)
        assert "A new sentence" in read(out)
        bib = project / "references.bib"
        touch(bib, bib.read_text(encoding="utf-8") + "\n% edited\n")
        assert recorder.wait_calls(3)
        assert recorder.calls[2] == ["manuscript/brief.md"]
        assert w.wait(lambda: w.builds_done() == 3)
    assert w.code == 0
    text = "\n".join(w.lines)
    assert "start: compiling manuscript/brief.md" in text
    assert "changed manuscript/brief.md: compiling manuscript/brief.md" in text
    assert "changed references.bib: compiling manuscript/brief.md" in text
    assert text.count(" s; watching for changes") == 3           # a timing line after every build


def test_a_burst_of_writes_is_one_rebuild(project):
    recorder = Recorder(project)
    brief = project / "manuscript/brief.md"
    original = brief.read_text(encoding="utf-8")
    with Watcher([], load_config(project), compile_fn=recorder, poll=0.02, debounce=0.5) as w:
        assert recorder.wait_calls(1)
        for i in range(5):                     # five saves 50 ms apart (the input, not a wait): inside the debounce
            touch(brief, original + f"\nEdit {i} [@macfarlane-pandoc-manual].\n")
            time.sleep(0.05)
        assert recorder.wait_calls(2)
        assert w.wait(lambda: w.builds_done() == 2)
        # Nothing changed since: a pending change would show in the next look at the files, be
        # debounced (one more look) and built before the third; so after three looks, no build.
        after = w.scans
        assert w.wait(lambda: w.scans >= after + 3)
        assert len(recorder.calls) == 2
    assert "Edit 4" in (project / "out" / "brief.txt").read_text(encoding="utf-8")


def test_only_the_briefs_that_use_a_changed_file_rebuild(project):
    recorder = Recorder(project)
    (project / "other.bib").write_text((project / "references.bib").read_text(encoding="utf-8"))
    other = project / "manuscript/other.md"
    other.write_text((project / "manuscript/brief.md").read_text(encoding="utf-8").replace(
        "checked:", "bibliography: ../other.bib\nchecked:"), encoding="utf-8")
    with Watcher([], load_config(project), compile_fn=recorder):
        assert recorder.wait_calls(1)
        assert recorder.calls[0] == ["manuscript/brief.md", "manuscript/other.md"]
        touch(project / "other.bib", (project / "other.bib").read_text(encoding="utf-8") + "\n% x\n")
        assert recorder.wait_calls(2)
        assert recorder.calls[1] == ["manuscript/other.md"]
        new = project / "manuscript/new.md"                # a new brief in the watched folder is built
        new.write_text(other.read_text(encoding="utf-8"), encoding="utf-8")
        assert recorder.wait_calls(3)
        assert recorder.calls[2] == ["manuscript/new.md"]


def test_a_failed_build_is_reported_and_the_watch_goes_on(project):
    recorder = Recorder(project, fail_with=CitebriefError("pandoc failed", "manuscript/brief.md", 3))
    with Watcher([], load_config(project), compile_fn=recorder) as w:
        assert recorder.wait_calls(1)
        brief = project / "manuscript/brief.md"
        touch(brief, brief.read_text(encoding="utf-8") + "\n")
        assert recorder.wait_calls(2)
        assert w.wait(lambda: w.builds_done() == 2)
    assert w.code == 0
    assert "citebrief: error: manuscript/brief.md:3: pandoc failed" in w.lines
    assert any("failed (exit 2) in" in line for line in w.lines)


def test_a_bad_path_ends_the_watch_before_it_starts(project):
    with pytest.raises(CitebriefError):
        watch(["missing.md"], load_config(project), ("html",), compile_fn=Recorder(project),
              stop=threading.Event(), echo=lambda *a, **k: None)


def test_ctrl_c_stops_with_130(project):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt
    lines = []
    code = watch([], load_config(project), ("html",), compile_fn=interrupted, echo=lines.append)
    assert code == 130 and lines[-1] == "stopped"


def test_watch_recompiles_with_the_real_compiler(project):
    from citebrief import compile as compile_module
    config = load_config(project).with_overrides(formats=("html",))
    html = project / "out" / "brief.html"
    with Watcher([], config, compile_fn=compile_module.compile_paths, poll=0.05, debounce=0.1) as w:
        assert w.wait(lambda: w.builds_done() == 1)
        assert "Pandoc User" in read(html)
        brief = project / "manuscript/brief.md"
        touch(brief, brief.read_text(encoding="utf-8").replace("# Summary", "# Overview"))
        assert w.wait(lambda: w.builds_done() == 2)
        assert "Overview" in read(html)
    assert w.code == 0


@pytest.mark.skipif(os.name != "posix", reason="sends SIGINT")
def test_compile_watch_command_rebuilds_then_ctrl_c_exits_130(project):
    import queue
    import signal
    import subprocess
    import sys

    exe = Path(sys.executable).parent / "citebrief"
    proc = subprocess.Popen([str(exe), "compile", "--watch", "--html"], cwd=project, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True)
    reader.start()
    seen: list[str] = []

    def wait_line(text: str) -> None:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            try:
                seen.append(lines.get(timeout=0.1))
            except queue.Empty:
                continue
            if text in seen[-1]:
                return
        raise AssertionError(f"no line with {text!r} in {seen}")

    try:
        wait_line("watching for changes")
        brief = project / "manuscript/brief.md"
        touch(brief, brief.read_text(encoding="utf-8").replace(
            "# Limitations", "A claim with no source at all.\n\n# Limitations"))
        wait_line("changed manuscript/brief.md")
        wait_line("uncited-claim")                 # lint findings are printed on every rebuild
        wait_line("watching for changes")
        proc.send_signal(signal.SIGINT)
        assert proc.wait(TIMEOUT) == 130
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    reader.join(TIMEOUT)                           # the output ends when the process does
    while not lines.empty():
        seen.append(lines.get())
    assert seen[-1].strip() == "stopped"
    assert not any("Traceback" in line for line in seen)
