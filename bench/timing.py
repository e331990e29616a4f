"""Shared by the benchmarks: run commands side by side and take medians (never used by tests)."""

from __future__ import annotations

import compileall
import functools
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path


def timed(cmd: list[str], ok=(0,), env=None) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one run. The CPU time is user + system of the command and of
    every process it started and waited for (citebrief's pandoc and typst runs): what the run cost
    the machine, however it spread that over the cores."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in ok:
        sys.exit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr.decode(errors='replace')[:500]}")
    return elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


@functools.cache
def write_bytecode() -> None:
    """citebrief's modules compiled to .pyc files once, as ``pip install`` of a wheel leaves them.
    An editable install compiles them at first import, unless PYTHONDONTWRITEBYTECODE is set (it is on
    some CI machines and on this one): then every run compiles every module again, about 0.15 s that
    no user of an installed citebrief pays. compileall writes the files whatever that variable says."""
    import citebrief

    compileall.compile_dir(Path(citebrief.__file__).parent, quiet=1)


def median_of(runs: int, commands: dict[str, tuple[list[str], tuple[int, ...]]],
              cpu: dict[str, float] | None = None) -> dict[str, float]:
    """Interleave the commands run by run, so drifting machine load hits every side alike.
    Returns each command's median wall time; ``cpu``, when given, receives its median CPU time."""
    write_bytecode()
    walls: dict[str, list[float]] = {name: [] for name in commands}
    cpus: dict[str, list[float]] = {name: [] for name in commands}
    for cmd, ok in commands.values():     # one warm-up each (disk cache, pyc files)
        timed(cmd, ok)
    for _ in range(runs):
        for name, (cmd, ok) in commands.items():
            wall, used = timed(cmd, ok)
            walls[name].append(wall)
            cpus[name].append(used)
    if cpu is not None:
        cpu.update({name: statistics.median(ts) for name, ts in cpus.items()})
    return {name: statistics.median(ts) for name, ts in walls.items()}


def print_table(medians: dict[str, float], floor_name: str) -> None:
    floor = medians[floor_name]
    print(f"{'':40} {'median':>8}  {'ratio':>6}")
    for name, t in medians.items():
        print(f"{name:40} {t:7.3f}s  {t / floor:5.2f}×")
