"""``citebrief lsp``: the language server, so an editor shows lint findings as the writer types.

    analysis.py     one open document linted as `citebrief lint` would, with the unsaved buffers
    positions.py    offsets ↔ LSP positions; where a sentence starts and ends
    diagnostics.py  findings → diagnostics with the range of the sentence, citation or entry
    entries.py      citation keys: under the cursor, completion, the hover text
    actions.py      code actions: flag as a limitation, cite a source, switch a rule off for a block
    evidence.py     the passage of a source's snapshot that best matches a sentence (citebrief.evidence)
    server.py       pygls: when to lint (debounced, in worker threads, stale results dropped), what to send

pygls is an optional dependency (``pip install 'citebrief[lsp]'``): nothing else imports this package.
"""

from __future__ import annotations

import logging
import sys
from datetime import date

from citebrief.errors import CitebriefError


def serve(*, debounce_ms: int = 300, today: date | None = None) -> int:
    """Run the server over stdin/stdout until the editor stops it."""
    try:
        from citebrief.lsp.server import make_server
    except ImportError as exc:
        if exc.name not in ("pygls", "lsprotocol") and not str(exc.name).startswith(("pygls.", "lsprotocol.")):
            raise
        raise CitebriefError("the language server needs pygls: pip install 'citebrief[lsp]'") from None
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="citebrief lsp: %(levelname)s: %(message)s")
    protocol_out = sys.stdout.buffer
    sys.stdout = sys.stderr              # a stray print must never corrupt the protocol stream
    make_server(debounce=debounce_ms / 1000, today=today).start_io(sys.stdin.buffer, protocol_out)
    return 0
