"""Worker processes: a third-party library (typst, an HTML or PDF parser) run on a stranger's file
apart from citebrief, where it can be given a memory cap and a time limit; a call in this process
could not be interrupted.

A worker is ``python -m <module> ARGS`` with its input on stdin and its result on stdout. It may be
started before its input is ready (``start_worker``), so that its own start-up (Python, the library's
import) overlaps the work that makes the input; ``finish_worker`` hands the input over and waits.
Workers import this module first: it stays small.
"""

from __future__ import annotations

import os
import subprocess
import sys


def start_worker(module: str, args: list[str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", module, *args], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "PYTHONSAFEPATH": "1"})


def finish_worker(proc: subprocess.Popen, data: bytes, seconds: float) -> subprocess.CompletedProcess:
    """Hand ``data`` to a started worker and wait for its result, at most ``seconds`` from now: then it
    is stopped and subprocess.TimeoutExpired raised (as subprocess.run does)."""
    with proc:
        try:
            out, err = proc.communicate(data, timeout=seconds)
        except BaseException:     # the time limit, or this run interrupted: no worker is left behind
            proc.kill()
            proc.wait()
            raise
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def run_worker(module: str, args: list[str], data: bytes, seconds: float) -> subprocess.CompletedProcess:
    """Start a worker and wait for its result on ``data``, stopped after ``seconds``."""
    return finish_worker(start_worker(module, args), data, seconds)


def stop_worker(proc: subprocess.Popen) -> None:
    """A started worker whose input will not come after all."""
    if proc.poll() is None:
        proc.kill()
    proc.communicate()


def cap_memory(memory_mb: int) -> None:
    """In a worker: allocations past ``memory_mb`` fail with MemoryError."""
    import resource

    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
