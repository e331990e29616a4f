"""``python -m citebrief.typst_worker ROOT TIMESTAMP MEMORY_MB``: typst source on stdin, PDF on stdout.

typst runs in this separate process (``citebrief.tools.TypstRun``) so that it can be given a memory
cap and be stopped on time: a crafted image or table must not take the machine down, and a library
call in the main process could not be interrupted. The process is started before its source is
written and imports typst while it waits. Only typst's bundled fonts are used, so the same source
gives the same bytes on any machine.
"""

from __future__ import annotations

import sys

from citebrief.workers import cap_memory


def main(argv: list[str]) -> int:
    root, timestamp, memory_mb = argv[0], int(argv[1]), int(argv[2])
    cap_memory(memory_mb)
    import typst  # after the limit: typst's own allocations count too

    source: bytes = sys.stdin.buffer.read()
    if not source:          # the compile ended before it had a source for this worker
        return 1
    try:
        pdf = typst.compile(source, root=root, timestamp=timestamp, ignore_system_fonts=True)  # type: ignore[type-var]
    except MemoryError:
        sys.stderr.write("MemoryError\n")
        return 1
    except Exception as exc:   # typst's own error types; the parent summarises the text
        sys.stderr.write(f"{type(exc).__name__}: {exc}\n")
        return 1
    sys.stdout.buffer.write(pdf)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
