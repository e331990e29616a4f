"""Safe output: every file is written under a unique temporary name next to its final place and
moved into place (``os.replace``, atomic on one filesystem) only once it is complete.

A failed or interrupted compile therefore leaves the previous good file untouched, and two
compiles of the same brief at once never write into the same file: each has its own temporary
names, and a per-brief lock (``out/.cache/<brief>.lock``, filelock: POSIX and Windows) makes the
second wait for the first, then find its outputs fresh in the cache. A run that was killed leaves
its temporary files behind; the next run that prepares the folder removes those whose process
is gone.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import uuid
from collections.abc import Iterator
from pathlib import Path

from citebrief.errors import CitebriefError

# .<final name>.<pid>.<12 hex>.tmp, as temp_path makes them
_TEMP = re.compile(r"\..+\.(?P<pid>\d+)\.[0-9a-f]{12}\.tmp")


def temp_path(final: Path) -> Path:
    """A name in the same folder that no other compile (thread or process) will use."""
    return final.with_name(f".{final.name}.{os.getpid()}.{uuid.uuid4().hex[:12]}.tmp")


def _process_gone(pid: int) -> bool:
    """True only when no process has this id (POSIX). Elsewhere, and when unsure, say it is alive:
    a leftover kept is harmless, a file removed under a running compile is not."""
    if pid == os.getpid() or os.name != "posix":
        return False
    try:
        os.kill(pid, 0)               # signal 0: nothing is sent, only the check is made
    except ProcessLookupError:
        return True
    except OSError:                   # e.g. another user's process: it exists
        return False
    return False


def remove_leftovers(folder: Path) -> list[Path]:
    """Remove the temporary files (never folders) of killed runs in ``folder``; returns them."""
    removed: list[Path] = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        m = _TEMP.fullmatch(name)
        if m is None or not _process_gone(int(m.group("pid"))):
            continue
        path = folder / name
        with contextlib.suppress(OSError):
            if not stat.S_ISDIR(os.lstat(path).st_mode):     # a symlink is removed, never followed
                path.unlink()
                removed.append(path)
    return removed


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
    """Make ``folder`` ready for output: create it, check that it can be written to (one clear
    message if not) and remove the temporary files that killed runs left in it."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CitebriefError(f"cannot create output folder: {exc.strerror or exc}", shown) from exc
    if not os.access(folder, os.W_OK | os.X_OK):
        raise CitebriefError("output folder is not writable", shown)
    remove_leftovers(folder)


@contextlib.contextmanager
def brief_lock(lock_file: Path) -> Iterator[None]:
    """Serialize compiles of one brief across processes and threads (released when the process dies,
    too). A lock file that is a symlink is refused, never followed: it could point anywhere."""
    if lock_file.is_symlink():
        raise CitebriefError("is a symbolic link; remove it (a lock file is never followed)", shown_path(lock_file))
    from filelock import FileLock  # imported here, once the citeproc pass is running (about 10 ms)

    lock = FileLock(lock_file)        # filelock opens it with O_NOFOLLOW too, so a race cannot swap one in
    try:
        lock.acquire()
    except OSError as exc:
        raise CitebriefError(f"cannot lock: {exc.strerror or exc}", shown_path(lock_file)) from exc
    try:
        yield
    finally:
        lock.release()


def shown_path(path: Path) -> str:
    """A path as messages show it: relative to the working folder where it can be."""
    try:
        return os.path.relpath(path)
    except ValueError:  # pragma: no cover - another drive on Windows
        return str(path)
