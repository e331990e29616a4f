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


def write_atomic(final: Path, data: bytes, *, exclusive: bool = False) -> None:
    """Write ``data`` to ``final`` all at once. ``exclusive`` never replaces an existing file, even
    one that appears while writing (a hard link either creates the name or fails)."""
    tmp = temp_path(final)
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        with contextlib.suppress(FileNotFoundError):
            os.chmod(tmp, os.stat(final).st_mode & 0o7777)     # an existing file keeps its mode
        if not exclusive:
            os.replace(tmp, final)
        else:
            try:
                os.link(tmp, final)
            except FileExistsError:
                raise CitebriefError("already exists; not overwriting it", final) from None
            except OSError:            # no hard links on this file system: check, then rename
                if final.exists():
                    raise CitebriefError("already exists; not overwriting it", final) from None
                os.replace(tmp, final)
    except OSError as exc:
        raise CitebriefError(f"cannot write: {exc.strerror or exc}", final) from exc
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


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
