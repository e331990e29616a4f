"""Safe output: every file is written under a unique temporary name next to its final place and
moved into place (``os.replace``, atomic on one filesystem) only once it is complete.

A failed or interrupted compile therefore leaves the previous good file untouched, and two
compiles of the same brief at once never write into the same file: each has its own temporary
names, and a per-brief lock (``out/.cache/<brief>.lock``) makes the second wait for the first,
then find its outputs fresh in the cache.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

from citebrief.errors import CitebriefError

try:  # POSIX; elsewhere the unique temporary names alone keep outputs whole
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None


def temp_path(final: Path) -> Path:
    """A name in the same folder that no other compile (thread or process) will use."""
    return final.with_name(f".{final.name}.{os.getpid()}.{uuid.uuid4().hex[:12]}.tmp")


@contextlib.contextmanager
def atomic_path(final: Path) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces ``final``, on any failure it is removed."""
    tmp = temp_path(final)
    try:
        yield tmp
        if not tmp.exists():
            raise CitebriefError("the writer produced no file", final)
        os.replace(tmp, final)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def write_atomic(final: Path, data: bytes) -> None:
    with atomic_path(final) as tmp:
        with open(tmp, "wb") as f:
            f.write(data)


def ensure_dir(folder: Path, shown: str) -> None:
    """Create ``folder`` and check that it can be written to (one clear message if not)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CitebriefError(f"cannot create output folder: {exc.strerror or exc}", shown) from exc
    if not os.access(folder, os.W_OK | os.X_OK):
        raise CitebriefError("output folder is not writable", shown)


@contextlib.contextmanager
def brief_lock(lock_file: Path) -> Iterator[None]:
    """Serialize compiles of one brief across processes (released when the process dies, too)."""
    if fcntl is None:  # pragma: no cover
        yield
        return
    with open(lock_file, "a+b") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)
