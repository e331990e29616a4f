"""compile/output.py: the per-brief lock (filelock; a symlink is refused, never followed) and the
removal of temporary files that killed runs left behind, through compile itself and in units."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from citebrief.compile import compile_paths
from citebrief.compile.output import brief_lock, remove_leftovers, temp_path
from citebrief.config import Config
from citebrief.errors import CitebriefError
from citebrief.scaffold import init_project

posix_only = pytest.mark.skipif(os.name != "posix", reason="symlinks and process ids as on POSIX")


def dead_pid() -> int:
    """The id of a process that has ended (and been reaped)."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    init_project(tmp_path, echo=lambda *a: None)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def compile_html(root: Path) -> int:
    return compile_paths([], Config(root=root), ("html",), echo=lambda *a, **k: None)


# --- the lock --------------------------------------------------------------------

def test_lock_serializes_threads(tmp_path):
    inside, most, guard = [0], [0], threading.Lock()
    go = threading.Barrier(4)

    def work():
        go.wait()
        for _ in range(25):
            with brief_lock(tmp_path / "b.lock"):
                with guard:
                    inside[0] += 1
                    most[0] = max(most[0], inside[0])
                time.sleep(0.001)             # work inside the lock: without it, threads would overlap here
                with guard:
                    inside[0] -= 1

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert most[0] == 1


def test_lock_is_held_against_another_process(tmp_path):
    """While one process holds the lock, another cannot take it; once released, it can."""
    lock = tmp_path / "b.lock"
    script = ("import sys; from filelock import FileLock, Timeout\n"
              "try:\n    FileLock(sys.argv[1]).acquire(timeout=0)\nexcept Timeout:\n    print('busy')\n"
              "else:\n    print('free')\n")

    def other() -> str:
        return subprocess.run([sys.executable, "-c", script, str(lock)], capture_output=True, text=True,
                              timeout=60).stdout.strip()

    with brief_lock(lock):
        assert other() == "busy"
    assert other() == "free"


@posix_only
@pytest.mark.parametrize("dangling", [False, True])
def test_a_symlinked_lock_is_refused_and_its_target_untouched(project, tmp_path_factory, dangling):
    outside = tmp_path_factory.mktemp("outside") / "precious.txt"
    if not dangling:
        outside.write_text("do not touch\n", encoding="utf-8")
    cache = project / "out" / ".cache"
    cache.mkdir(parents=True)
    (cache / "brief.lock").symlink_to(outside)
    with pytest.raises(CitebriefError, match="symbolic link") as caught:
        compile_html(project)
    assert "\n" not in str(caught.value) and "brief.lock" in str(caught.value)
    if dangling:
        assert not outside.exists()                       # not created through the link
    else:
        assert outside.read_text(encoding="utf-8") == "do not touch\n"
    assert not (project / "out" / "brief.html").exists()


# --- leftovers of killed runs ------------------------------------------------------

@posix_only
def test_compile_removes_temporary_files_of_dead_processes_only(project):
    out = project / "out"
    out.mkdir()
    gone = dead_pid()
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    try:
        dead = [out / f".brief.html.{gone}.0123456789ab.tmp", out / f".brief.pdf.{gone}.ba9876543210.tmp"]
        alive = out / f".brief.html.{sleeper.pid}.0123456789ab.tmp"      # a compile still running
        mine = temp_path(out / "brief.docx")                             # this process's own
        unrelated = [out / ".notes.tmp", out / f".x.{gone}.tmp", out / "brief.html.old"]
        for p in [*dead, alive, mine, *unrelated]:
            p.write_bytes(b"partial")
        folder = out / f".dir.{gone}.0123456789ab.tmp"                   # only files are removed
        folder.mkdir()
        assert compile_html(project) == 0
        assert not any(p.exists() for p in dead)
        assert alive.exists() and mine.exists() and folder.is_dir()
        assert all(p.exists() for p in unrelated)
        assert (out / "brief.html").is_file()
    finally:
        sleeper.kill()
        sleeper.wait()


@posix_only
def test_a_leftover_symlink_is_removed_not_followed(tmp_path, tmp_path_factory):
    target = tmp_path_factory.mktemp("outside") / "kept.txt"
    target.write_text("kept\n", encoding="utf-8")
    link = tmp_path / f".brief.html.{dead_pid()}.0123456789ab.tmp"
    link.symlink_to(target)
    assert remove_leftovers(tmp_path) == [link]
    assert not link.is_symlink() and target.read_text(encoding="utf-8") == "kept\n"


def test_remove_leftovers_of_a_missing_folder_is_nothing(tmp_path):
    assert remove_leftovers(tmp_path / "nope") == []
