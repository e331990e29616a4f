"""``python -m citebrief.evidence.extract_worker KIND MEMORY_MB``: a snapshot's bytes on stdin, its text on stdout.

HTML (trafilatura) and PDF (pypdf) text is extracted in this separate process, started by
``snapshots.extract_text``, so that a stranger's file can be given a memory cap and be stopped on
time: trafilatura's time grows with the square of a page's paragraphs (a 2 MB page of short
paragraphs takes seconds, a 40 MB one most of an hour), and a call in the main process could not be
interrupted. Exit 3: the file cannot be used (stderr says why, as a SnapshotError would); 4: it
needed more memory than allowed.
"""

from __future__ import annotations

import sys

from citebrief.workers import cap_memory


def main(argv: list[str]) -> int:
    kind, memory_mb = argv[0], int(argv[1])
    cap_memory(memory_mb)
    try:
        data = sys.stdin.buffer.read()
        from citebrief.evidence.snapshots import SnapshotError, extract_here

        try:
            text = extract_here(data, kind)
        except SnapshotError as exc:
            sys.stderr.write(str(exc))
            return 3
        sys.stdout.buffer.write(text.encode("utf-8", "surrogatepass"))
    except MemoryError:
        return 4
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
