"""The one place that runs pandoc and typst, always inside limits.

pandoc comes with pypandoc-binary, typst with the ``typst`` package: nothing to install. Every run
has a time limit and a memory cap (pandoc: GHC's heap limit ``-M``; typst: a worker process with an
address-space limit), so a hostile brief ends in seconds with one line instead of hanging a CI
runner. Errors are summarised, never echoed: pandoc and typst quote the files they choke on, and a
CSL "style" that is a symlink to ``/proc/self/environ`` would otherwise print the CI's secrets.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from citebrief.errors import CitebriefError, printable
from citebrief.workers import finish_worker, start_worker, stop_worker

# pandoc's GHC runtime, by kind of run. citeproc and the writers keep the whole AST alive: a small
# allocation area (fits the CPU cache) and an old generation not collected before it reaches 512 MB
# (every pass over a 100,000-word brief runs 15-30% faster).
PANDOC_RTS = "-A1m -O512m"
# Reading markdown keeps little alive: there the binary's own -H64m (an allocation area grown to 64 MB
# while the heap is small) only costs cache misses and memory. -H1m turns it off; a 4 MB allocation
# area and a first major collection at 32 MB read 20-25% faster in 40 MB less memory.
READ_RTS = "-A4m -H1m -O32m"


@dataclass(frozen=True)
class Limits:
    """Per run of pandoc or typst. A brief that needs more is refused, not waited for."""

    seconds: float = 120.0
    memory_mb: int = 3072


DEFAULT_LIMITS = Limits()


@functools.lru_cache(maxsize=1)
def pandoc_path() -> str:
    """The pandoc pypandoc would choose. pypandoc runs ``pandoc --version`` on every place a pandoc may
    be (PATH, its own bundled copy, ~/bin, ...) and takes the newest, and importing it takes longer than
    pandoc needs for a short brief: when its bundled pandoc is the only one there, that is the answer."""
    bundled = _bundled_pandoc()
    if bundled and not os.environ.get("PYPANDOC_PANDOC") and sys.platform != "win32" and not _other_pandocs():
        return bundled
    try:
        import pypandoc

        return pypandoc.get_pandoc_path()
    except (ImportError, OSError) as exc:  # pragma: no cover - broken install
        raise CitebriefError(f"pandoc not found ({exc}); reinstall citebrief") from exc


def _other_pandocs() -> list[str]:
    """Where else pypandoc looks for a pandoc, and finds one: PATH, its download folders, the environment's bin."""
    places = [shutil.which("pandoc"), "~/bin/pandoc", "~/.bin/pandoc",
              os.path.join(sys.exec_prefix, "bin", "pandoc"), os.path.join(sys.exec_prefix, "bin", "pandoc.exe")]
    return [p for p in places if p and os.path.exists(os.path.expanduser(p))]


def _bundled_pandoc() -> str | None:
    """pypandoc-binary's pandoc, found without importing pypandoc (as pypandoc names it)."""
    spec = importlib.util.find_spec("pypandoc")
    if spec is None or spec.origin is None:
        return None
    path = os.path.join(os.path.dirname(os.path.realpath(spec.origin)), "files", "pandoc")
    return path if os.path.isfile(path) else None


@functools.lru_cache(maxsize=1)
def _probe() -> tuple[bool, str]:
    """(does this pandoc take runtime options?, its version). A pandoc built without ``-rtsopts``
    refuses GHCRTS outright; it then runs without them (and without GHC's heap cap: the time limit
    still holds)."""
    for rts in (True, False):
        env = _env(rts, DEFAULT_LIMITS, None)
        try:
            out = subprocess.run([pandoc_path(), "--version"], capture_output=True, env=env, timeout=30)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise CitebriefError(f"cannot run pandoc ({type(exc).__name__}); reinstall citebrief") from exc
        if out.returncode == 0:
            words = out.stdout.decode("utf-8", "replace").split()
            return rts, words[1] if len(words) > 1 else "unknown"
    raise CitebriefError("pandoc does not start; reinstall citebrief")


def pandoc_version() -> str:
    return _probe()[1]


@functools.lru_cache(maxsize=1)
def typst_version() -> str:
    # the typst module's own version (importlib.metadata costs more than a short lint)
    try:
        import typst
    except ImportError:  # pragma: no cover
        return "unknown"
    return str(getattr(typst, "__version__", "unknown"))


def _env(rts: bool, limits: Limits, epoch: int | None, options: str = PANDOC_RTS) -> dict[str, str]:
    env = dict(os.environ)
    if rts and "GHCRTS" not in os.environ:    # a GHCRTS set by the user wins
        env["GHCRTS"] = f"{options} -M{limits.memory_mb}m"
    if epoch is not None:
        env.setdefault("SOURCE_DATE_EPOCH", str(epoch))
    return env


def pandoc_env(epoch: int | None = None, limits: Limits = DEFAULT_LIMITS, rts: str = PANDOC_RTS) -> dict[str, str]:
    return _env(_probe()[0], limits, epoch, rts)


class PandocRun:
    """One pandoc process, started at once (so other work overlaps it); ``result()`` waits for it.

    Its input is written, and its output read, by a thread from the start: pandoc reads all of its
    input before it begins, so input handed over only in ``result()`` would keep it idle until then
    (a brief's later pieces, the citeproc pass while lint runs).
    ``what`` names the job in messages ("reading", "citeproc", "writing HTML"), ``shown`` the brief;
    a failure ends the command with ``exit_code`` (2 when the brief itself cannot be read: lint).
    """

    def __init__(self, args: list[str], *, shown: str, what: str, input_bytes: bytes | None = None,
                 epoch: int | None = None, limits: Limits = DEFAULT_LIMITS, cwd: Path | None = None,
                 exit_code: int = 1, rts: str = PANDOC_RTS):
        self.shown, self.what, self.limits, self.exit_code = shown, what, limits, exit_code
        self._deadline = time.monotonic() + limits.seconds
        try:
            self.proc = subprocess.Popen([pandoc_path(), *args], env=pandoc_env(epoch, limits, rts), cwd=cwd,
                                         stdin=subprocess.PIPE if input_bytes is not None else subprocess.DEVNULL,
                                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        except OSError as exc:
            raise CitebriefError(f"cannot run pandoc ({exc.strerror or type(exc).__name__})", shown,
                                 exit_code=1) from exc
        self._output: tuple[bytes, bytes] = (b"", b"")
        self._io = threading.Thread(target=self._communicate, args=(input_bytes,), daemon=True,
                                    name="pandoc-io")
        self._io.start()

    def _communicate(self, input_bytes: bytes | None) -> None:
        with contextlib.suppress(OSError, ValueError):     # killed (cancel, time limit): nothing to keep
            self._output = self.proc.communicate(input_bytes)

    def result(self) -> bytes:
        self._io.join(max(0.0, self._deadline - time.monotonic()))
        if self._io.is_alive():
            self.cancel()
            raise CitebriefError(f"pandoc ({self.what}) took longer than {self.limits.seconds:.0f} s and was "
                                 f"stopped: the input is too large or too deeply nested", self.shown,
                                 exit_code=self.exit_code)
        (out, err), self._output = self._output, (b"", b"")
        if self.proc.returncode != 0:
            message, line = summarise_pandoc_error(err, self.proc.returncode, self.limits)
            raise CitebriefError(f"pandoc ({self.what}) failed: {message}", self.shown, line, exit_code=self.exit_code)
        return out

    def cancel(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(OSError):     # ended meanwhile
                self.proc.kill()
        self._io.join(5)


def run_pandoc(args: list[str], *, shown: str, what: str, input_bytes: bytes | None = None,
               epoch: int | None = None, limits: Limits = DEFAULT_LIMITS) -> bytes:
    """Run pandoc to the end and return its stdout; failures are one-line CitebriefErrors."""
    return PandocRun(args, shown=shown, what=what, input_bytes=input_bytes, epoch=epoch, limits=limits).result()


# --- what a failure says ------------------------------------------------------------

_YAML_ERROR = re.compile(r"YAML parse exception at line (\d+), column \d+")
# pandoc's own messages worth passing on, and how much of each is safe to show: a reference or
# file *name* may be shown (escaped), never what pandoc read from a file.
_KNOWN = (
    (re.compile(r"Heap exhausted|heap overflow|out of memory", re.I),
     lambda m, lim: f"it needed more than {lim.memory_mb} MB of memory (the input is too large, too deeply "
                    f"nested, or a bibliography's crossref chain loops)"),
    (re.compile(r"stack overflow", re.I), lambda m, lim: "the input is nested too deeply"),
    (re.compile(r"Could not find data file (\S+)"), lambda m, lim: f"data file {_name(m.group(1))} not found"),
    (re.compile(r"(?:Error parsing|Could not parse) (?:the )?CSL|CSL style|citeproc.*style", re.I),
     lambda m, lim: "the CSL style could not be read (is it a CSL 1.0 XML file?)"),
    (re.compile(r"Error (?:reading|parsing) bibliography(?: file)? (\S+)", re.I),
     lambda m, lim: f"the bibliography {_name(m.group(1))} could not be read"),
    (re.compile(r"(?:openBinaryFile|withFile|openFile): does not exist.*?\(?(?:No such file)", re.I),
     lambda m, lim: "a file it needed does not exist"),
    (re.compile(r"PandocResourceNotFound|Could not fetch resource|Could not find image", re.I),
     lambda m, lim: "an image or resource could not be found"),
    (re.compile(r"Unknown (?:reader|writer|extension)", re.I), lambda m, lim: "an internal option was refused"),
)


def _name(value: str) -> str:
    return printable(value.strip("`'\"").rstrip(".:,"))[:120]


def summarise_pandoc_error(stderr: bytes, returncode: int, limits: Limits = DEFAULT_LIMITS) -> tuple[str, int | None]:
    """(one line, source line or None) for a failed pandoc run — a summary, never pandoc's text."""
    text = stderr.decode("utf-8", "replace")
    m = _YAML_ERROR.search(text)
    if m:   # pandoc counts the front matter's lines from 0
        return "invalid YAML metadata", int(m.group(1)) + 1
    for pattern, say in _KNOWN:
        m = pattern.search(text)
        if m:
            return say(m, limits), None
    if returncode < 0:
        return f"it was stopped by signal {-returncode}", None
    return f"exit code {returncode} (run pandoc on the file by hand to see its own message)", None


# --- typst --------------------------------------------------------------------------

class TypstRun:
    """typst → PDF in a worker process (citebrief.typst_worker) with ``root`` as its only readable
    folder, a time limit and a memory cap (a crafted image must not exhaust the machine).

    The worker starts at once and waits for its source: a compile starts it while the citeproc pass
    ends, so Python's start-up and typst's import are done by the time the typst source is written.
    The time limit counts from when the source is handed over (``pdf``)."""

    def __init__(self, root: Path, *, timestamp: int, shown: str, limits: Limits = DEFAULT_LIMITS):
        self.shown, self.limits = shown, limits
        self._proc: subprocess.Popen | None = None
        self._cannot = ""             # why the worker did not start: said when the PDF is asked for
        try:
            self._proc = start_worker("citebrief.typst_worker", [str(root), str(timestamp), str(limits.memory_mb)])
        except OSError as exc:
            self._cannot = f"cannot run typst ({exc.strerror or type(exc).__name__})"

    def pdf(self, source: bytes) -> bytes:
        if self._proc is None:        # a failure of the PDF only, as before the worker started early
            raise CitebriefError(self._cannot, self.shown, exit_code=1)
        try:
            proc = finish_worker(self._proc, source, self.limits.seconds)
        except subprocess.TimeoutExpired:
            raise CitebriefError(f"typst took longer than {self.limits.seconds:.0f} s and was stopped", self.shown,
                                 exit_code=1) from None
        if proc.returncode != 0:
            raise CitebriefError(f"typst failed: {_typst_summary(proc.stderr, proc.returncode, self.limits)}",
                                 self.shown, exit_code=1)
        return proc.stdout

    def cancel(self) -> None:
        if self._proc is not None and self._proc.returncode is None:
            stop_worker(self._proc)


_TYPST_KNOWN = (
    (re.compile(r"MemoryError|memory allocation|out of memory|Cannot allocate", re.I),
     lambda lim: f"it needed more than {lim.memory_mb} MB of memory"),
    (re.compile(r"failed to (?:load|decode) image|unknown image format|image", re.I),
     lambda lim: "an image could not be decoded"),
    (re.compile(r"file not found|access denied|outside of project root", re.I),
     lambda lim: "a file outside its build folder was asked for"),
    (re.compile(r"label .* does not exist", re.I), lambda lim: "a link points to a label that does not exist"),
)


def _typst_summary(stderr: bytes, returncode: int, limits: Limits) -> str:
    text = stderr.decode("utf-8", "replace")
    for pattern, say in _TYPST_KNOWN:
        if pattern.search(text):
            return say(limits)
    if returncode < 0:
        return f"it was stopped by signal {-returncode}"
    return "it could not lay out the document"
