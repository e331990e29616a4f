"""citebrief: a citation-checked document compiler for Pandoc Markdown briefs."""

__version__ = "0.1.0"   # the single source of the version (pyproject reads it)
