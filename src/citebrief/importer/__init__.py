"""``citebrief import``: turn a plain-text explainer with numbered citations into a Pandoc Markdown brief.

The explainer (like the seed) is plain text: a title line (usually a question), "Checked on ..." and
"Disclaimer: ..." lines, short heading lines, numbered section headings ("1. How ..."), paragraphs with
numbered citations (``[1]``, ``[1] [5]``, ``[3][9]``, ``word[2]``, ``[1, 2]``, ``[1-3]``), a limitations
section, a trailing list of questions and, sometimes, a numbered source list with URLs.

The import is conservative: it never overwrites a brief, only appends new entries to the bibliography
(existing text is kept byte for byte), builds entries only from what a source line honestly says
(title, author/organisation, date, URL) and otherwise writes clearly marked placeholders that
``citebrief lint`` reports as ``incomplete-entry``. Everything it could not map is reported.

One module per job, in the order the import runs them:

- ``text``       dates and URLs as plain text writes them
- ``layout``     what each line is: title, checked date, disclaimer, headings, paragraphs, lists
- ``sources``    the numbered source list, and the fields each source line gives
- ``citations``  numbered citations (``[1]``, ``[1-3]``) and the numbers they cite
- ``names``      BibTeX keys and the brief's file name
- ``entries``    one BibTeX entry per cited number (or a placeholder), appended to the .bib
- ``markdown``   the brief's front matter and body, escaped, with ``[n]`` as ``[@key]``
- ``command``    the command: all of it, written all or nothing, and the report
"""

from citebrief.importer.command import ImportResult, format_report, import_command, import_explainer
from citebrief.importer.layout import parse_explainer
from citebrief.importer.markdown import render_inline
from citebrief.importer.sources import parse_source_line
from citebrief.importer.text import find_date

__all__ = ["ImportResult", "find_date", "format_report", "import_command", "import_explainer",
           "parse_explainer", "parse_source_line", "render_inline"]
