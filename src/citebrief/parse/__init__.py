"""Stage 1: read a brief (pandoc's AST + the raw text) into a Brief with source positions."""
