"""Read a BibTeX/biblatex file into plain entries the rules can check.

bibtexparser's splitter does the tokenising (blocks, fields, line numbers, broken blocks);
its middlewares are skipped because they cost more than pandoc's whole parse on big files.
What we need on top is small and done here: ``@string`` and month macros, ``#`` concatenation,
outer braces/quotes, ``crossref``/``xdata`` inheritance, ``%`` comments and dates.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

from bibtexparser import model
from bibtexparser.exceptions import BlockAbortedException
from bibtexparser.splitter import Splitter

from citebrief.bibliography.model import MONTH_NAMES, MONTHS, BibFile, Entry, closing_brace
from citebrief.errors import CitebriefError

# We report broken blocks ourselves, as findings; the splitter's log lines would only be noise.
logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)

# BibTeX's predefined macros: jan..dec expand to the month's name.
_MONTH_MACROS = {abbr: MONTH_NAMES[i - 1] for abbr, i in MONTHS.items() if len(abbr) == 3}
# A value may not grow past this through @string macros: 30 doublings of one macro would
# otherwise take gigabytes from a few hundred bytes.
MAX_VALUE = 64 * 1024


class _Splitter(Splitter):
    """bibtexparser's splitter with three fixes (all seen in TeX Live's own .bib files).

    - Upstream ignores braces inside ``"..."`` values, so ``"Ein {"a} Handbuch"`` or
      ``"{... "quoted" ...}"`` end the value (or the entry) early. BibTeX counts them.
    - A ``=`` outside braces and quotes inside a value means a missing comma: upstream
      silently glued the next field onto this value.
    - Upstream dispatches on a prefix, so ``@commented{key, ...}`` was swallowed as a comment.
    """

    def _handle_explicit_comment(self, m):
        return self._special(m, "comment", super()._handle_explicit_comment)

    def _handle_preamble(self, m):
        return self._special(m, "preamble", super()._handle_preamble)

    def _handle_string(self, m):
        return self._special(m, "string", super()._handle_string)

    def _special(self, m, name, handler):
        block_type = m.group(0).lower()
        return handler(m) if block_type[1:].strip() == name else self._handle_entry(m, block_type)

    def _move_to_comma_or_closing_delimiter(self, currently_quote_escaped=False, num_open_curls=0):
        in_quotes, depth = currently_quote_escaped, num_open_curls
        while True:
            mark = self._next_mark(accept_eof=False)
            assert mark is not None            # accept_eof=False raises at the end of the file instead
            ch = mark.group(0)
            if ch == "{":
                depth += 1
            elif ch == "}" and depth > 0:
                depth -= 1
            elif ch.startswith("@") and self._is_at_line_start(mark.start()):
                self._unaccepted_mark = mark    # type: ignore[assignment]  # a new entry: this one was never closed
                raise BlockAbortedException(
                    abort_reason=f"Unexpected block start: `{ch}`", end_index=mark.start() - 1)
            elif depth > 0:
                continue
            elif ch == '"':
                in_quotes = not in_quotes
            elif in_quotes:
                continue
            elif ch == "," or ch == self._closing_delimiter:
                self._unaccepted_mark = mark    # type: ignore[assignment]  # upstream's own attribute
                return mark.start()
            elif ch == "=":
                raise BlockAbortedException(abort_reason="missing `,` before this field",
                                            end_index=mark.start())


def _line(block: model.Block) -> int:
    """A block's 1-based first line (bibtexparser counts from 0)."""
    return (block.start_line or 0) + 1


def load_bibtex(path: Path, shown: str, text: str) -> BibFile:
    splitter = _Splitter(_prepare(text))
    try:
        library = splitter.split()
    except Exception as exc:   # a bug in the splitter must still end in one line, not a traceback
        raise CitebriefError(f"cannot parse this BibTeX file ({type(exc).__name__})", shown) from exc
    bib = BibFile(path=path, display_path=shown)
    macros: dict[str, str] = {}
    found_bibtex = after_failure = False
    for block in library.blocks:
        # Repeated keys and repeated fields are ours to judge: unwrap to the block as written.
        while isinstance(block, (model.DuplicateBlockKeyBlock, model.DuplicateFieldKeyBlock)) \
                and block.ignore_error_block is not None:
            block = block.ignore_error_block
        if isinstance(block, model.Entry):        # a repeated field: the last value wins, as in pandoc
            _add_entry(bib, block, macros)
        elif isinstance(block, model.String):     # a redefined macro: the last definition wins
            value = _value(block.value, macros)
            if len(value) > MAX_VALUE:
                bib.errors.append((_line(block), f"@string {block.key.strip()[:40]} grows past "
                                   f"{MAX_VALUE // 1024} KB when expanded; it is cut there"))
                value = value[:MAX_VALUE]
            macros[block.key.strip().lower()] = value
        elif isinstance(block, model.ImplicitComment):
            if not after_failure:                 # else it is the rest of the broken block
                _check_stray_text(bib, block)
            continue
        elif isinstance(block, model.ParsingFailedBlock):
            bib.errors.append(_explain(block, splitter.bibstr))
        found_bibtex = True
        after_failure = isinstance(block, model.ParsingFailedBlock)
    if not found_bibtex and not bib.errors and text.strip() and not _only_comments(text):
        raise CitebriefError(_not_bibtex(text), shown)
    _inherit(bib)
    bib.errors.sort()
    # does the file name any snapshot? (evidence/snapshots.DECLARES_FILES: then the project keeps them)
    bib.memo["declares_files"] = any("file" in e.fields for e in bib.entries.values())
    return bib


# ``%`` starts a comment outside values (pandoc and biber agree; classic BibTeX has no comments):
# a commented-out entry or field, or a note after a field's comma. Inside a braced value it is
# text (pandoc keeps the value's braces), so only a ``%`` at brace depth <= 1 starts a comment.
_COMMENT = re.compile(r"^[ \t]*(%)[^\n]*|,[ \t]*(%)[^\n]*", re.M)


def _prepare(text: str) -> str:
    """Blank ``%`` comments (keeping every newline) and keep the splitter's line count right."""
    if "\\\n" in text:   # the splitter does not count a newline after a backslash (`\\` line ends);
        text = text.replace("\\\n", "\\ \n")   # values are whitespace-squashed, so no value changes
    if "%" not in text:
        return text
    kept: list[str] = []
    depth = done = counted = 0
    for m in _COMMENT.finditer(text):
        start = m.start(1) if m.start(1) >= 0 else m.start(2)
        depth += (text.count("{", counted, start) - text.count("\\{", counted, start)
                  - text.count("}", counted, start) + text.count("\\}", counted, start))
        depth = max(depth, 0)
        if depth <= 1:                       # between entries, or between an entry's fields
            kept.append(text[done:start])
            done = counted = m.end()
        else:
            counted = start
    kept.append(text[done:])
    return "".join(kept)


def _only_comments(text: str) -> bool:
    return not _prepare(text).strip()


def _not_bibtex(text: str) -> str:
    head = text.lstrip()[:1]
    if head in "[{":
        try:
            json.loads(text)
            return "this is JSON, not BibTeX: name a CSL JSON bibliography with the .json extension"
        except ValueError:
            pass
    if text.lstrip().startswith("---") or re.match(r"\s*references\s*:", text):
        return "this is YAML, not BibTeX: name a CSL YAML bibliography with the .yaml extension"
    return "no BibTeX entries found (expected @type{key, ...}); is this a BibTeX file?"


_HEADER_WITHOUT_AT = re.compile(r"^[ \t]*([A-Za-z]+)[ \t]*\{[ \t]*([^\s,{}=\"]+)[ \t]*,[ \t]*$", re.M)
_FIELD_OUTSIDE = re.compile(r"^[ \t]*([A-Za-z][\w-]*)[ \t]*=[ \t]*[{\"\d]", re.M)


def _check_stray_text(bib: BibFile, block: model.ImplicitComment) -> None:
    """Text between entries is a comment to BibTeX, but some of it is clearly a broken entry."""
    text = block.comment
    for pattern, message in ((_HEADER_WITHOUT_AT, "entry start `{0}{{{1},` has no `@`; the entry is ignored"),
                             (_FIELD_OUTSIDE, "field `{0}` outside any entry (an entry closed too early?)")):
        m = pattern.search(text)
        if m:
            line = _line(block) + text.count("\n", 0, m.start())
            bib.errors.append((line, message.format(*m.groups())))
            return


_REASONS = (   # the splitter's reasons, reworded for people who write .bib files
    (r"Expected a `=` after entry key `(.*)`, but found the end", "field `{0}` has no `=` and value"),
    (r"Expected a `=` after entry key, but found `(.*)`", "expected `=` after a field name, found `{0}`"),
    (r"Expected either a `,` or `.` after a closed entry field value, but found a (.*) before",
     "expected `,` between fields, found `{0}`"),
    (r"Expected comma after entry key, but found (.*)", "expected `,` after the entry key, found `{0}`"),
    (r"Expected equals sign after field key, but found (.*)", "expected `=` in @string, found `{0}`"),
)


def _explain(block: model.ParsingFailedBlock, bibstr: str) -> tuple[int, str]:
    """(line, message) for a block the splitter gave up on."""
    reason = " ".join(str(getattr(block.error, "abort_reason", block.error)).split()).rstrip(". ")
    head = block.raw.split(",", 1)[0].split("\n", 1)[0].strip()[:60] if block.raw else "block"
    line = _line(block)
    if reason.startswith("Unexpectedly reached end of file"):
        return line, f"`{head}` is not closed before the end of the file (unbalanced braces or quotes?)"
    if reason.startswith("Unexpected block start"):
        return line, f"`{head}` is not closed before the next entry starts (unbalanced braces or quotes?)"
    end = getattr(block.error, "end_index", None)
    if end is not None:           # point at the problem, not at the entry's first line
        line = max(line, bibstr.count("\n", 0, end))
    for pattern, message in _REASONS:
        m = re.match(pattern, reason)
        if m:
            reason = message.format(*m.groups())
            break
    return line, f"`{head}`: {reason}"


_KEY_OK = re.compile(r"[^\s,{}\"=]+")


def _add_entry(bib: BibFile, block: model.Entry, macros: dict[str, str]) -> None:
    line = _line(block)
    key = block.key
    if not _KEY_OK.fullmatch(key):
        what = "has no key" if not key else f"has an invalid key `{' '.join(key.split())[:40]}`"
        if "=" in key:
            what += " (the key is missing?)"
        bib.errors.append((line, f"@{block.entry_type} entry {what}"))
        return
    fields: dict[str, str] = {}
    lines: dict[str, int] = {}
    for f in block.fields:
        name = f.key
        if "%" in name or "\n" in name:       # a comment line left between fields
            name = name.rsplit("\n", 1)[-1].strip()
        name = name.lower()
        fields[name] = _value(f.value, macros)
        lines[name] = f.start_line + 1
    entry = Entry(key, block.entry_type, fields, line, lines, bib.path, bib.display_path, file_memo=bib.memo)
    earlier = bib.entries.get(key)
    if earlier is not None:            # pandoc uses the last definition of a key
        bib.duplicates.append((entry, earlier))
    bib.entries[key] = entry


# A value: {...} or "..." or a number or a macro name, joined with ``#``.
_BARE = re.compile(r"[^\s#%{}\"]+")


def _value(raw: str, macros: dict[str, str]) -> str:
    if not raw:
        return ""
    first = raw[0]
    if "#" not in raw and "%" not in raw:     # the common case: one delimited value or a bare word
        if (first == "{" and raw[-1] == "}") or (first == '"' and raw[-1] == '"'):
            return _squash(raw[1:-1])
        if raw.isdigit():
            return raw
        word = raw.lower()
        return macros.get(word) or _MONTH_MACROS.get(word) or raw
    pieces, size = [], 0
    for piece in _parts(raw, macros):
        pieces.append(piece)
        size += len(piece)
        if size > MAX_VALUE:               # bounded as it grows, not after: see MAX_VALUE
            break
    return _squash("".join(pieces))


def _parts(raw: str, macros: dict[str, str]):
    i, n = 0, len(raw)
    while i < n:
        ch = raw[i]
        if ch.isspace() or ch == "#":
            i += 1
        elif ch == "%":                       # comment to the end of the line
            j = raw.find("\n", i)
            i = n if j < 0 else j + 1
        elif ch in '{"':
            end = closing_brace(raw, i)
            yield raw[i + 1:end]
            i = end + 1
        else:
            m = _BARE.match(raw, i)
            if not m:                         # a stray "}": keep it as written
                yield ch
                i += 1
                continue
            word = m.group(0)
            yield word if word.isdigit() else macros.get(word.lower()) or _MONTH_MACROS.get(word.lower()) or word
            i = m.end()


def _squash(text: str) -> str:
    if "\n" in text or "  " in text or "\t" in text:
        return " ".join(text.split())
    return text.strip()


def _inherit(bib: BibFile) -> None:
    """``crossref``/``xdata``: a child gets every field it lacks from its parents (child wins)."""
    entries = bib.entries
    folded = {k.lower(): e for k, e in entries.items()}
    done: set[str] = set()

    def resolve(entry: Entry, seen: frozenset[str]) -> None:
        if entry.key in done:
            return
        done.add(entry.key)
        for parent_key in entry.parents():
            parent = entries.get(parent_key) or folded.get(parent_key.lower())
            if parent is None:
                continue
            if parent.key in seen:         # pandoc's citeproc would chase this loop until memory runs out
                loop = f"{entry.key} → {parent.key}"
                bib.errors.append((entry.field_lines.get("crossref", entry.line),
                                   f"crossref/xdata loop: {loop} leads back to an entry it came from"))
                bib.unsafe.append(f"crossref/xdata loop at {entry.key}")
                continue
            resolve(parent, seen | {entry.key})
            for name, value in parent.fields.items():
                if name in ("crossref", "xdata", "ids"):
                    continue
                if name not in entry.fields:
                    entry.fields[name] = value
                    entry.field_lines[name] = entry.line
            # biblatex/BibTeX: a book's title is the booktitle of the chapters that crossref it
            if "booktitle" not in entry.fields and "title" in parent.fields:
                entry.fields["booktitle"] = parent.fields["title"]
                entry.field_lines["booktitle"] = entry.line

    for entry in list(entries.values()):
        if "crossref" in entry.fields or "xdata" in entry.fields:
            resolve(entry, frozenset({entry.key}))
